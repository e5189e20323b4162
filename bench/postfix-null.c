/*++
/* NAME
/*	postfix-null 1
/* SUMMARY
/*	do-nothing socketmap and policy servers: the transport's ceiling
/* SYNOPSIS
/*	postfix-null socketmap|policy PATH
/* DESCRIPTION
/*	A benchmark peer, never installed. It listens on a unix socket and
/*	answers every socketmap request with "OK x" or every policy request
/*	with "action=DUNNO", deciding nothing, so that a comparison
/*	measures what the real daemon adds per request.
/*
/*	To be a fair ceiling it does what any server of the protocol must
/*	do and no more, the way postkontor-postfix does it: one
/*	level-triggered epoll set of non-blocking sockets, one read per
/*	readiness into a per-connection buffer, every complete request in
/*	it answered, the answers sent with one write. A socketmap request
/*	is a checked netstring split into a table name and a key; a policy
/*	request is split into its name=value lines, and must carry
/*	request=smtpd_access_policy. Runs until killed.
/*--*/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUFSZ 20000
#define OUTSZ 70000

struct conn {
    int fd;
    size_t len;
    char buf[BUFSZ];
};

static int policy;

/* socketmap_one - one netstring "name key"; bytes used, 0, or -1 */

static long socketmap_one(const char *p, size_t left)
{
    size_t n = 0, i;
    const char *sp;

    for (i = 0; i < left && i < 6 && p[i] >= '0' && p[i] <= '9'; i++)
        n = n * 10 + (size_t)(p[i] - '0');
    if (i == left || i + 1 + n + 1 > left)
        return i == 6 ? -1 : 0;
    if (i == 0 || p[i] != ':' || p[i + 1 + n] != ',')
        return -1;
    sp = memchr(p + i + 1, ' ', n);
    if (sp == NULL || sp == p + i + 1 || sp == p + i + n)
        return -1;
    return (long)(i + n + 2);
}

/* policy_one - one request of name=value lines; bytes used, 0, or -1 */

static long policy_one(const char *p, size_t left)
{
    const char *line = p, *end = p + left, *nl, *eq;
    int valid = 0;

    while ((nl = memchr(line, '\n', (size_t)(end - line))) != NULL) {
        if (nl == line)
            return valid ? (long)(nl + 1 - p) : -1;
        if ((eq = memchr(line, '=', (size_t)(nl - line))) == NULL || eq == line)
            return -1;
        if (eq - line == 7 && memcmp(line, "request", 7) == 0)
            valid = nl - eq - 1 == 19 &&
                    memcmp(eq + 1, "smtpd_access_policy", 19) == 0;
        line = nl + 1;
    }
    return 0;
}

/* consume - answer each complete request; bytes used or -1 */

static long consume(struct conn *c, char *out, size_t *outlen)
{
    size_t done = 0;
    long used;

    while (*outlen < OUTSZ - 64) {
        used = policy ? policy_one(c->buf + done, c->len - done)
                      : socketmap_one(c->buf + done, c->len - done);
        if (used < 0)
            return -1;
        if (used == 0)
            break;
        done += (size_t)used;
        if (policy) {
            memcpy(out + *outlen, "action=DUNNO\n\n", 14);
            *outlen += 14;
        } else {
            memcpy(out + *outlen, "4:OK x,", 7);
            *outlen += 7;
        }
    }
    return (long)done;
}

/* serve - one readiness of a connection; -1 to close it */

static int serve(struct conn *c)
{
    static char out[OUTSZ];
    size_t outlen = 0;
    ssize_t r;
    long used;

    r = read(c->fd, c->buf + c->len, BUFSZ - c->len);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (r <= 0)
        return -1;
    c->len += (size_t)r;
    if ((used = consume(c, out, &outlen)) < 0)
        return -1;
    memmove(c->buf, c->buf + used, c->len - (size_t)used);
    c->len -= (size_t)used;
    /* The benchmark's clients wait for each answer: it always fits. */
    return outlen == 0 || write(c->fd, out, outlen) == (ssize_t)outlen ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct epoll_event ev = {.events = EPOLLIN}, evs[64];
    int lfd, epfd, n;

    if (argc != 3 || strlen(argv[2]) >= sizeof(sun.sun_path)) {
        fprintf(stderr, "usage: postfix-null socketmap|policy PATH\n");
        return 2;
    }
    policy = strcmp(argv[1], "policy") == 0;
    strcpy(sun.sun_path, argv[2]);
    unlink(argv[2]);
    if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0 ||
        bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(lfd, 128) < 0 || (epfd = epoll_create1(0)) < 0 ||
        epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0) {
        perror("postfix-null");
        return 1;
    }
    for (;;) {
        if ((n = epoll_wait(epfd, evs, 64, 1000)) < 0)
            continue;
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            int fd;

            if (c != NULL) {
                if (serve(c) < 0) {
                    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                    free(c);
                }
                continue;
            }
            while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                struct epoll_event cev = {.events = EPOLLIN};

                if ((c = calloc(1, sizeof(*c))) == NULL) {
                    close(fd);
                    continue;
                }
                c->fd = fd;
                cev.data.ptr = c;
                if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &cev) < 0) {
                    close(fd);
                    free(c);
                }
            }
        }
    }
}
