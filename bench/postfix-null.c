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
/*	with "action=DUNNO", doing no work at all, with the same framing
/*	rules and the same poll-style loop shape as postkontor-postfix, so
/*	that a comparison measures what the real daemon adds per request.
/*	Runs until killed.
/*--*/

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXC 64
#define BUFSZ 20000

struct conn {
    int fd;
    size_t len;
    char buf[BUFSZ];
};

static int policy;

/* consume - answer each complete request; bytes used or -1 */

static long consume(struct conn *c, char *out, size_t *outlen)
{
    size_t done = 0;

    for (;;) {
        char *p = c->buf + done, *end;
        size_t left = c->len - done, n = 0, i;

        if (policy) {
            if ((end = memmem(p, left, "\n\n", 2)) == NULL)
                break;
            done += (size_t)(end - p) + 2;
            memcpy(out + *outlen, "action=DUNNO\n\n", 14);
            *outlen += 14;
        } else {
            for (i = 0; i < left && p[i] >= '0' && p[i] <= '9'; i++)
                n = n * 10 + (size_t)(p[i] - '0');
            if (i == left || i + 1 + n + 1 > left)
                break;
            if (p[i] != ':' || p[i + 1 + n] != ',')
                return -1;
            done += i + n + 2;
            memcpy(out + *outlen, "4:OK x,", 7);
            *outlen += 7;
        }
        if (*outlen > 60000)
            break;
    }
    return (long)done;
}

int main(int argc, char **argv)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct pollfd pfd[MAXC + 1];
    struct conn *conns[MAXC + 1] = {0};
    static char out[70000];
    int lfd, n = 1;

    if (argc != 3 || strlen(argv[2]) >= sizeof(sun.sun_path)) {
        fprintf(stderr, "usage: postfix-null socketmap|policy PATH\n");
        return 2;
    }
    policy = strcmp(argv[1], "policy") == 0;
    strcpy(sun.sun_path, argv[2]);
    unlink(argv[2]);
    if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
        bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(lfd, 128) < 0) {
        perror("postfix-null");
        return 1;
    }
    pfd[0].fd = lfd;
    pfd[0].events = POLLIN;
    for (;;) {
        if (poll(pfd, (nfds_t)n, -1) < 0)
            continue;
        if ((pfd[0].revents & POLLIN) && n <= MAXC) {
            int fd = accept(lfd, NULL, NULL);

            if (fd >= 0) {
                conns[n] = calloc(1, sizeof(struct conn));
                conns[n]->fd = fd;
                pfd[n].fd = fd;
                pfd[n].events = POLLIN;
                pfd[n].revents = 0;
                n++;
            }
        }
        for (int i = 1; i < n; i++) {
            struct conn *c = conns[i];
            ssize_t r;
            size_t outlen = 0;
            long used;

            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            r = read(c->fd, c->buf + c->len, BUFSZ - c->len);
            if (r > 0) {
                c->len += (size_t)r;
                used = consume(c, out, &outlen);
                if (used >= 0) {
                    memmove(c->buf, c->buf + used, c->len - (size_t)used);
                    c->len -= (size_t)used;
                    if (outlen == 0 ||
                        write(c->fd, out, outlen) == (ssize_t)outlen)
                        continue;
                }
            }
            close(c->fd);
            free(c);
            conns[i] = conns[n - 1];
            pfd[i] = pfd[n - 1];
            n--;
            i--;
        }
    }
}
