/*++
/* NAME
/*	loop 3
/* SUMMARY
/*	event loop, listeners and connections of the reference server
/* DESCRIPTION
/*	See loop.h. Each turn of the loop polls every listener and
/*	connection, accepts, performs TLS handshakes, reads into the fixed
/*	input buffer, hands complete input to the protocol, and writes
/*	queued output. Output of a paused connection is held back, so a
/*	client waiting for a failed-login answer waits the whole pause.
/* DIAGNOSTICS
/*	Problems with one connection close that connection and are logged
/*	through pk_log(); the loop itself stops only on request.
/*--*/

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "tls.h"

/* ref_now_ms - monotonic milliseconds */

int64_t ref_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* ref_listen_add - open one listener */

int ref_listen_add(struct ref_server *srv, const char *addr, const char *port,
                   enum ref_role role, const struct ref_proto *proto,
                   const char **error_r)
{
    struct addrinfo hints = {0}, *res;
    struct ref_listener *l;
    int fd, on = 1, err;

    if (srv->listener_count >= REF_LISTEN_MAX) {
        *error_r = pk_error("too many listeners");
        return (PK_EINVAL);
    }
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    if ((err = getaddrinfo(addr, port, &hints, &res)) != 0) {
        *error_r = pk_error("listen address %s port %s: %s", addr, port,
                            gai_strerror(err));
        return (PK_EINVAL);
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 128) < 0) {
        *error_r =
            pk_error("listen on %s port %s: %s", addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return (PK_ECONFIG);
    }
    freeaddrinfo(res);
    l = &srv->listeners[srv->listener_count++];
    l->fd = fd;
    l->role = role;
    l->implicit_tls = (role == REF_ROLE_SMTPS || role == REF_ROLE_POP3S ||
                       role == REF_ROLE_IMAPS);
    l->proto = proto;
    return (PK_OK);
}

/* ref_conn_write - queue output; an overflow drops the connection */

void ref_conn_write(struct ref_conn *c, const void *data, size_t len)
{
    size_t limit = c->srv->cfg.max_size * 2 + 1024 * 1024;
    size_t cap;
    char *p;

    if (c->dead)
        return;
    if (c->out_len + len > limit) {
        pk_log(PK_LOG_WARNING, "%s: output limit reached; closing", c->peer);
        c->dead = true;
        return;
    }
    if (c->out_len + len > c->out_cap) {
        cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + len)
            cap *= 2;
        if ((p = realloc(c->out, cap)) == NULL) {
            c->dead = true;
            return;
        }
        c->out = p;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

/* ref_conn_printf - queue formatted output */

void ref_conn_printf(struct ref_conn *c, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    ref_conn_write(c, buf,
                   (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* ref_conn_consume - drop bytes from the front of the input */

void ref_conn_consume(struct ref_conn *c, size_t n)
{
    if (n > c->in_len)
        n = c->in_len;
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

/* ref_conn_starttls - discard input, handshake after the reply */

void ref_conn_starttls(struct ref_conn *c)
{
    c->in_len = 0;
    c->starttls_pending = true;
}

/* ref_conn_pause - hold the connection for ms milliseconds */

void ref_conn_pause(struct ref_conn *c, int ms)
{
    c->pause_until = ref_now_ms() + ms;
}

/* ref_conn_close - close once the output is written */

void ref_conn_close(struct ref_conn *c)
{
    c->closing = true;
}

/* ref_conn_secure - is the connection under TLS */

bool ref_conn_secure(const struct ref_conn *c)
{
    return (c->ssl != NULL && !c->handshaking);
}

/* ref_conn_may_login - TLS, or loopback where configured */

bool ref_conn_may_login(const struct ref_conn *c)
{
    return (ref_conn_secure(c) ||
            (c->loopback && c->srv->cfg.loopback_plaintext));
}

/* conn_accept - take one connection from a listener */

static void conn_accept(struct ref_server *srv, struct ref_listener *l)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    struct ref_conn *c;
    int fd;

    if ((fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
                      SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0)
        return;
    if (srv->conn_count >= REF_CONN_MAX ||
        (c = calloc(1, sizeof(*c))) == NULL) {
        close(fd);
        return;
    }
    c->srv = srv;
    c->lst = l;
    c->fd = fd;
    if (getnameinfo((struct sockaddr *)&ss, sl, c->peer, sizeof(c->peer), NULL,
                    0, NI_NUMERICHOST) != 0)
        strcpy(c->peer, "unknown");
    if (ss.ss_family == AF_INET)
        c->loopback =
            (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    else if (ss.ss_family == AF_INET6)
        c->loopback =
            IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
    c->idle_deadline = ref_now_ms() + (int64_t)srv->cfg.idle_timeout * 1000;
    c->next = srv->conns;
    srv->conns = c;
    srv->conn_count++;
    if (l->implicit_tls) {
        if ((c->ssl = SSL_new(srv->tls)) == NULL || !SSL_set_fd(c->ssl, fd))
            c->dead = true;
        c->handshaking = true;
    } else {
        l->proto->start(c);
    }
}

/* conn_handshake - advance a TLS handshake */

static void conn_handshake(struct ref_conn *c)
{
    int ret = SSL_accept(c->ssl);

    switch (ref_tls_io(c->ssl, ret)) {
    case REF_TLS_OK:
        c->handshaking = false;
        if (c->lst->implicit_tls && c->proto_data == NULL)
            c->lst->proto->start(c);
        else
            c->lst->proto->tls_ready(c);
        c->input_pending = true;
        break;
    case REF_TLS_WANT_READ:
    case REF_TLS_WANT_WRITE:
        break;
    default:
        c->dead = true;
    }
}

/* conn_read - fill the input buffer; false on end or error */

static void conn_read(struct ref_conn *c)
{
    ssize_t n;
    int ret;

    while (c->in_len < sizeof(c->in) && !c->dead) {
        if (c->ssl) {
            ret =
                SSL_read(c->ssl, c->in + c->in_len, sizeof(c->in) - c->in_len);
            switch (ref_tls_io(c->ssl, ret)) {
            case REF_TLS_OK:
                n = ret;
                break;
            case REF_TLS_WANT_READ:
            case REF_TLS_WANT_WRITE:
                return;
            default:
                c->dead = true;
                return;
            }
        } else {
            n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
            if (n <= 0) {
                c->dead = true;
                return;
            }
        }
        c->in_len += n;
        c->input_pending = true;
        c->idle_deadline =
            ref_now_ms() + (int64_t)c->srv->cfg.idle_timeout * 1000;
    }
}

/* conn_flush - write queued output */

static void conn_flush(struct ref_conn *c)
{
    size_t done = 0;
    ssize_t n;
    int ret;

    while (done < c->out_len) {
        if (c->ssl) {
            ret = SSL_write(c->ssl, c->out + done, c->out_len - done);
            if (ref_tls_io(c->ssl, ret) != REF_TLS_OK) {
                if (ref_tls_io(c->ssl, ret) == REF_TLS_FAIL)
                    c->dead = true;
                break;
            }
            n = ret;
        } else {
            n = write(c->fd, c->out + done, c->out_len - done);
            if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                    c->dead = true;
                break;
            }
        }
        done += n;
    }
    if (done > 0) {
        memmove(c->out, c->out + done, c->out_len - done);
        c->out_len -= done;
    }
    if (c->out_len == 0 && c->starttls_pending && !c->dead) {
        c->starttls_pending = false;
        c->in_len = 0;
        if ((c->ssl = SSL_new(c->srv->tls)) == NULL ||
            !SSL_set_fd(c->ssl, c->fd))
            c->dead = true;
        c->handshaking = true;
    }
    if (c->out_len == 0 && c->closing)
        c->dead = true;
}

/* conn_free - release one connection */

static void conn_free(struct ref_server *srv, struct ref_conn *c)
{
    struct ref_conn **pp;

    for (pp = &srv->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    c->lst->proto->free(c);
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(c->fd);
    free(c->out);
    srv->conn_count--;
    free(c);
}

/* conn_service - run one connection after poll */

static void conn_service(struct ref_conn *c, short revents, int64_t now)
{
    bool paused = c->pause_until > now;

    if (revents & (POLLERR | POLLNVAL))
        c->dead = true;
    if (c->handshaking && !c->dead) {
        conn_handshake(c);
        return;
    }
    if (!paused && !c->dead && !c->closing && !c->starttls_pending &&
        c->out_len < REF_OUT_HIGH) {
        conn_read(c);
        /* Leftover input after a pause or a drained output is work too. */
        while ((c->input_pending || c->in_len > 0) && !c->dead && !c->closing &&
               !c->starttls_pending && !c->handshaking &&
               c->pause_until <= ref_now_ms() && c->out_len < REF_OUT_HIGH) {
            size_t before = c->in_len;

            c->input_pending = false;
            c->lst->proto->input(c);
            if (c->in_len == before && c->in_len < sizeof(c->in))
                break;
            conn_read(c);
        }
    }
    if (c->pause_until <= ref_now_ms() && !c->dead)
        conn_flush(c);
    if (revents & POLLHUP && c->in_len == 0 && !(revents & POLLIN))
        c->dead = true;
}

/* ref_loop_run - serve until srv->stop is set */

void ref_loop_run(struct ref_server *srv)
{
    struct pollfd *pfd = NULL;
    struct ref_conn **map = NULL, *c, *next;
    size_t cap = 0, n, i;
    int64_t now, next_tick = ref_now_ms() + 1000, wait;

    while (!srv->stop) {
        n = srv->listener_count + srv->conn_count;
        if (n > cap) {
            cap = n + 64;
            pfd = realloc(pfd, cap * sizeof(*pfd));
            map = realloc(map, cap * sizeof(*map));
            if (pfd == NULL || map == NULL) {
                pk_log(PK_LOG_ERROR, "out of memory in the event loop");
                break;
            }
        }
        now = ref_now_ms();
        wait = next_tick - now;
        for (i = 0; i < (size_t)srv->listener_count; i++) {
            pfd[i].fd = srv->listeners[i].fd;
            pfd[i].events = POLLIN;
            map[i] = NULL;
        }
        for (c = srv->conns; c; c = c->next, i++) {
            pfd[i].fd = c->fd;
            pfd[i].events = 0;
            map[i] = c;
            if (c->pause_until > now) {
                if (c->pause_until - now < wait)
                    wait = c->pause_until - now;
                continue;
            }
            if (c->handshaking || c->out_len < REF_OUT_HIGH)
                pfd[i].events |= POLLIN;
            if (c->out_len > 0 || (c->ssl && SSL_want_write(c->ssl)))
                pfd[i].events |= POLLOUT;
            if (c->in_len > 0 || (c->ssl && SSL_pending(c->ssl)))
                wait = 0;
        }
        if (wait < 0)
            wait = 0;
        if (poll(pfd, i, (int)wait) < 0 && errno != EINTR) {
            pk_log(PK_LOG_ERROR, "poll: %s", strerror(errno));
            break;
        }
        now = ref_now_ms();
        for (i = 0; i < n; i++) {
            if (map[i] == NULL) {
                if (pfd[i].revents & POLLIN)
                    conn_accept(srv, &srv->listeners[i]);
            } else {
                conn_service(map[i], pfd[i].revents, now);
            }
        }
        if (now >= next_tick) {
            next_tick = now + 1000;
            for (c = srv->conns; c; c = c->next) {
                if (now > c->idle_deadline) {
                    pk_log(PK_LOG_INFO, "%s: idle timeout", c->peer);
                    c->dead = true;
                } else if (!c->handshaking && c->lst->proto->tick) {
                    c->lst->proto->tick(c);
                    if (c->pause_until <= now)
                        conn_flush(c);
                }
            }
        }
        for (c = srv->conns; c; c = next) {
            next = c->next;
            if (c->dead)
                conn_free(srv, c);
        }
    }
    while (srv->conns)
        conn_free(srv, srv->conns);
    free(pfd);
    free(map);
}
