/*++
/* NAME
/*	refserver 8
/* SUMMARY
/*	postkontor reference SMTP, POP3 and IMAP server
/* SYNOPSIS
/*	postkontor-refserver [--db DIR] --maildir DIR --cert FILE --key FILE
/*		[--smtp PORT] [--submission PORT] [--smtps PORT]
/*		[--pop3 PORT] [--pop3s PORT] [--imap PORT] [--imaps PORT]
/*		[--listen ADDR] [--hostname NAME] [--max-size BYTES]
/*		[--idle-timeout SECONDS] [--loopback-plaintext]
/*		[--pid-file FILE] [--foreground]
/* DESCRIPTION
/*	The in-tree server that speaks the mail protocols on top of the
/*	same core as the Dovecot module, the Postfix daemon and the
/*	milter, so the whole mail path can be tested on a machine without
/*	Dovecot or Postfix. See doc/postkontor-refserver.8.
/*
/*	This file parses options, opens the core's policy (and with it
/*	the database, read-only, and the rate limit counters), the TLS
/*	context and the listeners, then runs the event loop until SIGTERM
/*	or SIGINT, and closes everything.
/* DIAGNOSTICS
/*	Start-up problems are printed on stderr with exit status 1;
/*	later events are logged on stderr.
/* SECURITY
/*	Reads the network: see smtp.c, pop3.c, imap.c. Never sends mail
/*	off the machine.
/*--*/

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imap.h"
#include "loop.h"
#include "policy.h"
#include "pop3.h"
#include "smtp.h"
#include "tls.h"

static struct ref_server server;

/* log_sink - core and server messages on stderr */

static void log_sink(enum pk_log_level level, const char *msg, void *ctx)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    char stamp[32];
    time_t now = time(NULL);

    if (level == PK_LOG_DEBUG)
        return;
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(stderr, "%s postkontor-refserver[%d]: %s: %s\n", stamp,
            (int)getpid(), names[level], msg);
}

static void on_signal(int sig)
{
    server.stop = 1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: postkontor-refserver [--db DIR] --maildir DIR "
            "--cert FILE --key FILE [--smtp PORT] [--submission PORT] "
            "[--smtps PORT] [--pop3 PORT] [--pop3s PORT] [--imap PORT] "
            "[--imaps PORT] [--listen ADDR] [--hostname NAME] "
            "[--max-size BYTES] [--idle-timeout SECONDS] "
            "[--loopback-plaintext] [--pid-file FILE] [--foreground]\n");
    exit(1);
}

/* number_arg - a positive decimal option value */

static unsigned long number_arg(const char *name, const char *arg,
                                unsigned long max)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (errno || *end || end == arg || v == 0 || v > max || arg[0] == '-') {
        fprintf(stderr, "postkontor-refserver: bad %s: %s\n", name, arg);
        exit(1);
    }
    return (v);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"maildir", required_argument, 0, 'm'},
        {"cert", required_argument, 0, 'c'},
        {"key", required_argument, 0, 'k'},
        {"smtp", required_argument, 0, 1},
        {"submission", required_argument, 0, 2},
        {"smtps", required_argument, 0, 3},
        {"pop3", required_argument, 0, 4},
        {"pop3s", required_argument, 0, 5},
        {"imap", required_argument, 0, 6},
        {"imaps", required_argument, 0, 7},
        {"listen", required_argument, 0, 'l'},
        {"hostname", required_argument, 0, 'H'},
        {"max-size", required_argument, 0, 'S'},
        {"idle-timeout", required_argument, 0, 'T'},
        {"loopback-plaintext", no_argument, 0, 'L'},
        {"pid-file", required_argument, 0, 'p'},
        {"foreground", no_argument, 0, 'f'},
        {0, 0, 0, 0},
    };
    static const struct ref_proto *const protos[] = {
        &ref_smtp_proto, &ref_smtp_proto, &ref_smtp_proto, &ref_pop3_proto,
        &ref_pop3_proto, &ref_imap_proto, &ref_imap_proto,
    };
    const char *db = NULL, *cert = NULL, *key = NULL,
               *listen_addr = "127.0.0.1";
    const char *ports[7] = {0}, *pid_file = NULL, *error = NULL;
    char host[256];
    bool foreground = false;
    struct sigaction sa;
    struct stat st;
    int ch, i, status;
    FILE *fp;

    server.cfg.max_size = 10 * 1024 * 1024;
    server.cfg.idle_timeout = 300;
    server.cfg.max_literal = server.cfg.max_size;
    if (gethostname(host, sizeof(host)) != 0)
        strcpy(host, "localhost");
    host[sizeof(host) - 1] = 0;
    server.cfg.hostname = host;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            db = optarg;
            break;
        case 'm':
            server.cfg.maildir = optarg;
            break;
        case 'c':
            cert = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'l':
            listen_addr = optarg;
            break;
        case 'H':
            server.cfg.hostname = optarg;
            break;
        case 'S':
            server.cfg.max_size = number_arg("--max-size", optarg, 1UL << 30);
            server.cfg.max_literal = server.cfg.max_size;
            break;
        case 'T':
            server.cfg.idle_timeout =
                number_arg("--idle-timeout", optarg, 86400);
            break;
        case 'L':
            server.cfg.loopback_plaintext = true;
            break;
        case 'p':
            pid_file = optarg;
            break;
        case 'f':
            foreground = true;
            break;
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6:
        case 7:
            number_arg("port", optarg, 65535);
            ports[ch - 1] = optarg;
            break;
        default:
            usage();
        }
    }
    if (optind != argc || !server.cfg.maildir || !cert || !key)
        usage();
    if (stat(server.cfg.maildir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "postkontor-refserver: --maildir %s: not a directory\n",
                server.cfg.maildir);
        return (1);
    }
    pk_log_set_sink(log_sink, NULL);
    if ((server.tls = ref_tls_init(cert, key, &error)) == NULL) {
        fprintf(stderr, "postkontor-refserver: %s\n", error);
        return (1);
    }
    /* One environment per process (LMDB): the policy's store is ours. */
    if ((status = pk_policy_open(pk_store_dir(db), 0, &server.policy,
                                 &error)) != PK_OK) {
        fprintf(stderr, "postkontor-refserver: %s\n", error);
        return (1);
    }
    server.store = server.policy->store;
    for (i = 0; i < 7; i++) {
        if (ports[i] &&
            ref_listen_add(&server, listen_addr, ports[i], (enum ref_role)i,
                           protos[i], &error) != PK_OK) {
            fprintf(stderr, "postkontor-refserver: %s\n", error);
            return (1);
        }
    }
    if (server.listener_count == 0) {
        fprintf(stderr, "postkontor-refserver: no listener: give at least "
                        "one port option\n");
        return (1);
    }
    if (!foreground && daemon(1, 1) != 0) {
        fprintf(stderr, "postkontor-refserver: daemon: %s\n", strerror(errno));
        return (1);
    }
    if (pid_file) {
        if ((fp = fopen(pid_file, "w")) == NULL) {
            fprintf(stderr, "postkontor-refserver: %s: %s\n", pid_file,
                    strerror(errno));
            return (1);
        }
        fprintf(fp, "%d\n", (int)getpid());
        fclose(fp);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    pk_log(PK_LOG_INFO, "ready: %d listener(s) on %s", server.listener_count,
           listen_addr);
    ref_loop_run(&server);
    for (i = 0; i < server.listener_count; i++)
        close(server.listeners[i].fd);
    server.store = NULL;
    pk_policy_close(&server.policy);
    SSL_CTX_free(server.tls);
    if (pid_file)
        unlink(pid_file);
    pk_log(PK_LOG_INFO, "stopped");
    return (0);
}
