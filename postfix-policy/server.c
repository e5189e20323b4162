/*++
/* NAME
/*	server 3
/* SUMMARY
/*	the event loop of postkontor-postfix
/* SYNOPSIS
/*	#include "server.h"
/* DESCRIPTION
/*	See server.h. Level-triggered epoll: a connection is polled for
/*	input while it has no output waiting, and for output while it has;
/*	so a client that does not read its answers stops being read, and
/*	memory per connection stays bounded by its input bound plus the
/*	answers to one buffer of requests.
/* DIAGNOSTICS
/*	Problems with one connection are logged and close it; srv_listen()
/*	failures are returned for the caller to report at start-up.
/* SECURITY
/*	Network input is held in a buffer of fixed size per connection;
/*	the protocol handlers parse only within it.
/*--*/

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pk.h"
#include "server.h"

#define SRV_LISTEN_MAX 16
#define SRV_BACKLOG SOMAXCONN
#define SRV_OUT_HIGH (256 * 1024) /* stop handling input above this */

struct srv_listener {
    int fd;
    const struct srv_proto *proto;
    char path[108]; /* unix socket to remove, or "" */
};

struct srv_conn {
    int fd;
    const struct srv_proto *proto;
    char *in;
    size_t in_len;
    char *out;
    size_t out_len, out_off, out_size;
    time_t last;
    unsigned watching; /* the epoll events asked for */
    struct srv_conn *prev, *next;
    void *state;
};

volatile sig_atomic_t srv_stop;
volatile sig_atomic_t srv_reload;

static struct srv_listener listeners[SRV_LISTEN_MAX];
static int listener_count;
static struct srv_conn *conns;
static int conn_count;
static int epfd = -1;
static time_t now; /* read once per turn of the loop, not per event */

/* srv_error - a start-up error with errno */

static int srv_error(const char **error_r, const char *what, const char *addr)
{
    *error_r = pk_error("%s %s: %s", what, addr, strerror(errno));
    return PK_ECONFIG;
}

/* listen_unix - bind a unix socket, replacing a stale one */

static int listen_unix(const char *path, mode_t mode, uid_t uid, gid_t gid,
                       const char **error_r)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        *error_r = pk_error("socket path too long: %s", path);
        return -1;
    }
    strcpy(sun.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) <
        0)
        return srv_error(error_r, "cannot create a socket for", path), -1;
    (void)unlink(path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        chmod(path, mode) < 0 ||
        ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0)) {
        srv_error(error_r, "cannot bind", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* listen_inet - bind ADDR:PORT (IPv4 or [IPv6]) */

static int listen_inet(const char *spec, const char **error_r)
{
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    char host[64];
    const char *colon = strrchr(spec, ':');
    char *end;
    long port;
    int fd, on = 1;
    socklen_t len;

    if (colon == NULL || (size_t)(colon - spec) >= sizeof(host)) {
        *error_r = pk_error("expected inet:ADDRESS:PORT, got inet:%s", spec);
        return -1;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = 0;
    port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535) {
        *error_r = pk_error("bad port in inet:%s", spec);
        return -1;
    }
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        host[strlen(host) - 1] = 0;
        memmove(host, host + 1, strlen(host));
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        len = sizeof(*sin6);
        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
            len = 0;
    } else {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        len = sizeof(*sin);
        if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
            len = 0;
    }
    if (len == 0) {
        *error_r = pk_error(
            "bad address in inet:%s (a numeric address is needed)", spec);
        return -1;
    }
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                     0)) < 0)
        return srv_error(error_r, "cannot create a socket for", spec), -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        srv_error(error_r, "cannot bind", spec);
        close(fd);
        return -1;
    }
    return fd;
}

/* srv_listen - bind one listener for a protocol */

int srv_listen(const char *spec, const struct srv_proto *proto, mode_t mode,
               uid_t uid, gid_t gid, const char **error_r)
{
    struct srv_listener *l;
    int fd;

    if (listener_count == SRV_LISTEN_MAX) {
        *error_r = pk_error("too many listeners");
        return PK_ECONFIG;
    }
    l = &listeners[listener_count];
    l->path[0] = 0;
    if (strncmp(spec, "unix:", 5) == 0) {
        if ((fd = listen_unix(spec + 5, mode, uid, gid, error_r)) >= 0)
            snprintf(l->path, sizeof(l->path), "%s", spec + 5);
    } else if (strncmp(spec, "inet:", 5) == 0) {
        fd = listen_inet(spec + 5, error_r);
    } else {
        *error_r =
            pk_error("expected unix:PATH or inet:ADDRESS:PORT, got %s", spec);
        return PK_ECONFIG;
    }
    if (fd < 0)
        return PK_ECONFIG;
    if (listen(fd, SRV_BACKLOG) < 0) {
        close(fd);
        return srv_error(error_r, "cannot listen on", spec);
    }
    l->fd = fd;
    l->proto = proto;
    listener_count++;
    return PK_OK;
}

/* srv_now - the time, as read at this turn of the event loop */

time_t srv_now(void)
{
    return now;
}

/* srv_state - the protocol's per-connection state */

void *srv_state(struct srv_conn *c)
{
    return c->state;
}

/* srv_reply_space - room for len more bytes of output; NULL without memory */

char *srv_reply_space(struct srv_conn *c, size_t len)
{
    if (c->out_size - c->out_len < len) {
        size_t n = c->out_size ? c->out_size : 1024;
        char *p;

        while (n - c->out_len < len)
            n *= 2;
        if ((p = realloc(c->out, n)) == NULL)
            return NULL;
        c->out = p;
        c->out_size = n;
    }
    return c->out + c->out_len;
}

/* srv_reply_done - the first len bytes of that room are output */

void srv_reply_done(struct srv_conn *c, size_t len)
{
    c->out_len += len;
}

/* srv_reply - queue output; -1 when memory runs out */

int srv_reply(struct srv_conn *c, const char *data, size_t len)
{
    char *p = srv_reply_space(c, len);

    if (p == NULL)
        return -1;
    memcpy(p, data, len);
    c->out_len += len;
    return 0;
}

/* conn_close - forget a connection */

static void conn_close(struct srv_conn *c)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c->in);
    free(c->out);
    free(c->state);
    free(c);
    conn_count--;
}

/* conn_watch - poll for input, or for output while some is waiting */

static void conn_watch(struct srv_conn *c)
{
    struct epoll_event ev = {.data.ptr = c};

    ev.events = c->out_len > c->out_off ? EPOLLOUT : EPOLLIN;
    if (ev.events != c->watching &&
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->watching = ev.events;
}

/* conn_accept - take the waiting connections of a listener */

static void conn_accept(struct srv_listener *l, int max_conns)
{
    struct epoll_event ev = {.events = EPOLLIN};
    struct srv_conn *c;
    int fd;

    while ((fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
           0) {
        if (conn_count >= max_conns) {
            pk_log(PK_LOG_WARNING, "%s: %d connections already; refusing one",
                   l->proto->name, conn_count);
            close(fd);
            continue;
        }
        if ((c = calloc(1, sizeof(*c))) == NULL ||
            (c->in = malloc(l->proto->in_max)) == NULL ||
            (c->state = calloc(1, l->proto->state_size ? l->proto->state_size
                                                       : 1)) == NULL) {
            pk_log(PK_LOG_ERROR, "out of memory; refusing a connection");
            if (c)
                free(c->in);
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->proto = l->proto;
        c->last = now;
        c->watching = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            free(c->state);
            free(c->in);
            free(c);
            close(fd);
            continue;
        }
        c->next = conns;
        if (conns)
            conns->prev = c;
        conns = c;
        conn_count++;
    }
}

/* conn_handle - let the protocol consume complete requests */

static int conn_handle(struct srv_conn *c, void *ctx)
{
    long used;

    if (c->in_len == 0 || c->out_len - c->out_off > SRV_OUT_HIGH)
        return 0;
    used = c->proto->handle(c, c->in, c->in_len, ctx);
    if (used < 0)
        return -1;
    memmove(c->in, c->in + used, c->in_len - (size_t)used);
    c->in_len -= (size_t)used;
    if (c->in_len == c->proto->in_max) {
        pk_log(PK_LOG_WARNING, "%s: a request longer than %zu bytes; closing",
               c->proto->name, c->proto->in_max);
        return -1;
    }
    return 0;
}

/* conn_flush - write what is waiting; -1 to close */

static int conn_flush(struct srv_conn *c)
{
    ssize_t n;

    while (c->out_off < c->out_len) {
        n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n <= 0)
            return -1;
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    return 0;
}

/* conn_event - input or output is possible */

static void conn_event(struct srv_conn *c, unsigned events, void *ctx)
{
    ssize_t n;

    c->last = now;
    if (events & EPOLLOUT) {
        if (conn_flush(c) < 0 || conn_handle(c, ctx) < 0 || conn_flush(c) < 0) {
            conn_close(c);
            return;
        }
    } else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        n = read(c->fd, c->in + c->in_len, c->proto->in_max - c->in_len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            conn_close(c); /* the client is gone */
            return;
        }
        c->in_len += (size_t)n;
        if (conn_handle(c, ctx) < 0 || conn_flush(c) < 0) {
            conn_close(c);
            return;
        }
    }
    conn_watch(c);
}

/* sweep - close connections idle too long */

static void sweep(int idle)
{
    struct srv_conn *c, *next;

    for (c = conns; c; c = next) {
        next = c->next;
        if (now - c->last > idle)
            conn_close(c);
    }
}

/* srv_run - serve until srv_stop is set */

int srv_run(int max_conns, int idle, srv_tick_fn *tick, void *ctx)
{
    struct epoll_event ev[64];
    int n;
    time_t last_sweep = now = time(NULL);

    if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
        return PK_ETEMP;
    for (int i = 0; i < listener_count; i++) {
        struct epoll_event lev = {.events = EPOLLIN, .data.ptr = &listeners[i]};

        if (epoll_ctl(epfd, EPOLL_CTL_ADD, listeners[i].fd, &lev) < 0)
            return PK_ETEMP;
    }
    while (!srv_stop) {
        n = epoll_wait(epfd, ev, 64, 1000);
        now = time(NULL);
        for (int i = 0; i < n; i++) {
            void *p = ev[i].data.ptr;

            if (p >= (void *)listeners &&
                p < (void *)(listeners + SRV_LISTEN_MAX))
                conn_accept(p, max_conns);
            else
                conn_event(p, ev[i].events, ctx);
        }
        if (tick)
            tick(ctx);
        if (now != last_sweep) {
            sweep(idle);
            last_sweep = now;
        }
    }
    return PK_OK;
}

/* srv_close_all - close connections and listeners; remove unix sockets */

void srv_close_all(void)
{
    while (conns)
        conn_close(conns);
    for (int i = 0; i < listener_count; i++) {
        close(listeners[i].fd);
        if (listeners[i].path[0])
            unlink(listeners[i].path);
    }
    listener_count = 0;
    if (epfd >= 0)
        close(epfd);
    epfd = -1;
}
