/*++
/* NAME
/*	postfix-policy-client 1
/* SUMMARY
/*	policy delegation load generator for the benchmarks
/* SYNOPSIS
/*	postfix-policy-client PATH CONNECTIONS REQUESTS LOGINS
/* DESCRIPTION
/*	Opens CONNECTIONS persistent connections to a policy server (one
/*	process each) and sends REQUESTS requests on each, one at a time,
/*	waiting for each answer, as Postfix's smtpd does: an RCPT request
/*	and an END-OF-MESSAGE request per message, from LOGINS different
/*	SASL logins (user<i>@d<i % 1000>.example as bench/gen-data.py makes
/*	them). Prints "requests=N seconds=S rate=R" for all
/*	connections together.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* one_connection - REQUESTS requests; exit 0 if all were answered */

static int one_connection(const char *path, int id, long requests, long logins)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    char req[1024], buf[4096];
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
        return 1;
    for (long i = 0; i < requests; i++) {
        long u = (i / 2 + id * 7919) % logins;
        int len =
            snprintf(req, sizeof(req),
                     "request=smtpd_access_policy\nprotocol_state=%s\n"
                     "protocol_name=ESMTP\nclient_address=127.0.0.1\n"
                     "instance=%d.%ld\nsasl_username=user%ld@d%04ld.example\n"
                     "sender=user%ld@d%04ld.example\nrecipient=someone@"
                     "elsewhere.example\n"
                     "recipient_count=%ld\npolicy_context=submission\n\n",
                     i % 2 ? "END-OF-MESSAGE" : "RCPT", id, i / 2, u, u % 1000,
                     u, u % 1000, i % 2);
        size_t got = 0;

        if (write(fd, req, (size_t)len) != len)
            return 1;
        while (got < 2 || memcmp(buf + got - 2, "\n\n", 2) != 0) {
            ssize_t r = read(fd, buf + got, sizeof(buf) - got);

            if (r <= 0 || (got += (size_t)r) >= sizeof(buf))
                return 1;
        }
        if (strncasecmp(buf, "action=DUNNO", 12) != 0) {
            fprintf(stderr, "unexpected answer: %.*s", (int)got, buf);
            return 1;
        }
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    int conns, status, failed = 0;
    long requests, logins;
    double secs;

    if (argc != 5) {
        fprintf(
            stderr,
            "usage: postfix-policy-client PATH CONNECTIONS REQUESTS LOGINS\n");
        return 2;
    }
    conns = atoi(argv[2]);
    requests = atol(argv[3]);
    logins = atol(argv[4]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int c = 0; c < conns; c++)
        if (fork() == 0)
            _exit(one_connection(argv[1], c, requests, logins));
    for (int c = 0; c < conns; c++)
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("requests=%ld seconds=%.3f rate=%.0f\n", requests * conns, secs,
           (double)(requests * conns) / secs);
    return failed;
}
