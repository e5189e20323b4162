/*++
/* NAME
/*	postkontor-postfix 8
/* SUMMARY
/*	socketmap lookup tables and policy service for Postfix
/* SYNOPSIS
/*	postkontor-postfix [--db DIR] --socketmap unix:PATH|inet:ADDR:PORT
/*		--policy unix:PATH|inet:ADDR:PORT [--foreground] [--user NAME]
/* DESCRIPTION
/*	The adapter between Postfix and the core: it parses socketmap
/*	requests (netstring.h) and policy requests (policyreq.h), makes
/*	one core call for each (pk_maps_lookup(), pk_policy_decide()) and
/*	maps the status to the protocol's answer in one function each. See
/*	doc/postkontor-postfix.8 for the options.
/* DIAGNOSTICS
/*	Start-up problems: one line on stderr, exit 1 (2 for usage).
/*	Afterwards everything goes to syslog (mail facility), or stderr
/*	with --foreground.
/* SECURITY
/*	Sockets are bound first, then privileges are dropped (--user),
/*	then the database is opened: everything after binding runs as the
/*	unprivileged user. Inputs are bounded by the protocol handlers.
/*--*/

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "maps.h"
#include "netstring.h"
#include "policy.h"
#include "server.h"

#define MAX_LISTENERS 8

struct daemon {
    const char *dbdir;
    unsigned max_recipients;
    struct pk_policy *pol;
    time_t last_flush; /* srv_now() when the counts were last stored */
    time_t last_idle;  /* the same, when the snapshot was last let go */
};

static int use_stderr;

/* log_sink - the core's messages to syslog or stderr */

static void log_sink(enum pk_log_level level, const char *msg, void *ctx)
{
    static const int prio[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};
    static const char *name[] = {"debug", "info", "warning", "error"};

    if (use_stderr)
        fprintf(stderr, "postkontor-postfix: %s: %s\n", name[level], msg);
    else
        syslog(prio[level], "%s", msg);
}

/* clean - an answer text without control characters */

static void clean(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

/* socketmap_reply - map a core status to a socketmap reply, queued */

static int socketmap_reply(struct srv_conn *c, int status, const char *value,
                           const char *error)
{
    const char *word = status == PK_OK         ? "OK "
                       : status == PK_NOTFOUND ? "NOTFOUND "
                       : status == PK_ECONFIG  ? "PERM "
                                               : "TEMP ";
    const char *text = status == PK_OK         ? value
                       : status == PK_NOTFOUND ? ""
                                               : error;
    /* Within Postfix's reply bound: the text is truncated to it. */
    size_t wlen = strlen(word),
           tlen = strnlen(text, PK_SOCKETMAP_REPLY_MAX - 1 - wlen);
    char *out, *p;

    /* Once per lookup: no formatted output, and the reply is written
     * where it is sent from. Control characters become '?'. */
    if ((out = srv_reply_space(c, PK_NETSTRING_HEAD_MAX + wlen + tlen + 1)) ==
        NULL)
        return -1;
    p = out + pk_netstring_head(out, wlen + tlen);
    memcpy(p, word, wlen);
    p += wlen;
    for (size_t i = 0; i < tlen; i++) {
        unsigned char ch = (unsigned char)text[i];

        p[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    p += tlen;
    *p++ = ',';
    srv_reply_done(c, (size_t)(p - out));
    return 0;
}

/* socketmap_handle - answer each complete request in the buffer */

static long socketmap_handle(struct srv_conn *c, char *buf, size_t len,
                             void *ctx)
{
    static char value[PK_SOCKETMAP_REPLY_MAX - 16];
    struct daemon *d = ctx;
    char name[PK_SOCKETMAP_NAME_MAX + 1], key[PK_SOCKETMAP_KEY_MAX + 1];
    const char *payload, *error = "";
    size_t plen, used, done = 0;
    struct pk_txn *txn;
    int framing = PK_NOTFOUND, status;

    while (done < len && (framing = pk_netstring_parse(
                              buf + done, len - done, PK_SOCKETMAP_REQUEST_MAX,
                              &payload, &plen, &used)) == PK_OK) {
        done += used;
        status = pk_socketmap_split(payload, plen, name, key);
        if (status != PK_OK) {
            error = "malformed request: expected \"name key\"";
            status = PK_ECONFIG;
        } else if ((status = pk_store_read(d->pol->store, &txn, &error)) ==
                   PK_OK) {
            status =
                pk_maps_lookup(txn, name, key, value, sizeof(value), &error);
            pk_txn_end(&txn);
        }
        if (status < 0)
            pk_log(PK_LOG_WARNING, "socketmap %s %.254s: %s", name, key, error);
        if (socketmap_reply(c, status, value, error) < 0)
            return -1;
    }
    if (framing == PK_EINVAL || framing == PK_ELIMIT) {
        pk_log(PK_LOG_WARNING,
               "socketmap: %s netstring; closing the connection",
               framing == PK_ELIMIT ? "an oversized" : "a malformed");
        return -1;
    }
    return (long)done;
}

/* policy_answer - map a verdict or an error to an action line */

static int policy_answer(int status, const struct pk_verdict *v, char *out,
                         size_t size)
{
    if (status != PK_OK)
        return snprintf(out, size,
                        "action=451 4.3.0 temporary failure in the "
                        "mail account database; try again later\n\n");
    if (v->kind == PK_VERDICT_DUNNO && size > 14) {
        memcpy(out, "action=DUNNO\n\n", 15); /* the common answer */
        return 14;
    }
    return snprintf(out, size, "action=%d %s %s\n\n", v->code, v->dsn, v->text);
}

/* policy_handle - answer each complete policy request in the buffer */

static long policy_handle(struct srv_conn *c, char *buf, size_t len, void *ctx)
{
    struct daemon *d = ctx;
    struct pk_policy_session *sess = srv_state(c);
    struct pk_policyreq req;
    struct pk_verdict v;
    char answer[PK_POLICY_TEXT_MAX + 64];
    const char *error = "";
    size_t end, done = 0;
    int status, n;

    while ((end = pk_policyreq_end(buf + done, len - done)) > 0) {
        if (pk_policyreq_parse(buf + done, end, &req) != PK_OK) {
            pk_log(PK_LOG_WARNING,
                   "policy: not a policy request; closing the connection");
            return -1;
        }
        status = pk_policy_decide(d->pol, sess, &req, (uint64_t)srv_now(), &v,
                                  &error);
        if (status != PK_OK)
            pk_log(PK_LOG_WARNING, "policy %s %.254s: %s", req.protocol_state,
                   req.recipient, error);
        else if (v.kind != PK_VERDICT_DUNNO)
            pk_log(PK_LOG_INFO,
                   "policy %s from=<%.254s> to=<%.254s> login=%.254s: %d %s %s",
                   req.protocol_state, req.sender, req.recipient,
                   req.sasl_username, v.code, v.dsn, v.text);
        clean(v.text);
        n = policy_answer(status, &v, answer, sizeof(answer));
        if (srv_reply(c, answer,
                      (size_t)n < sizeof(answer) ? (size_t)n
                                                 : sizeof(answer) - 1) < 0)
            return -1;
        done += (size_t)end;
    }
    return (long)done;
}

static const struct srv_proto socketmap_proto = {
    "socketmap",
    PK_SOCKETMAP_REQUEST_MAX + 16,
    socketmap_handle,
    0,
};
static const struct srv_proto policy_proto = {
    "policy",
    PK_POLICYREQ_MAX,
    policy_handle,
    sizeof(struct pk_policy_session),
};

/* on_signal - stop or reload at the next turn of the loop */

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        srv_reload = 1;
    else
        srv_stop = 1;
}

/* flush_counts - store the rate limit counts about once a second */

static void flush_counts(struct daemon *d)
{
    time_t now = srv_now();
    const char *error;

    /* The loop's clock, read once per turn: a clock set back or ahead
     * only brings the next flush forward. */
    if (now == d->last_flush || pk_ratelimit_pending(d->pol->limits) == 0)
        return;
    d->last_flush = now;
    if (pk_policy_flush(d->pol, &error) != PK_OK)
        pk_log(PK_LOG_ERROR, "%s; will try again", error);
}

/* release_snapshot - let the database snapshot go about once a second */

static void release_snapshot(struct daemon *d)
{
    time_t now = srv_now();

    /* Under load this costs one renewal a second; idle, the epoll
     * timeout brings us here, so no old snapshot is pinned for long. */
    if (now == d->last_idle)
        return;
    d->last_idle = now;
    pk_policy_idle(d->pol);
}

/* tick - store counts; reopen the stores after SIGHUP */

static void tick(void *ctx)
{
    struct daemon *d = ctx;
    struct pk_policy *fresh;
    const char *error;

    flush_counts(d);
    release_snapshot(d);
    if (!srv_reload)
        return;
    srv_reload = 0;
    if (!use_stderr) {
        closelog();
        openlog("postkontor-postfix", LOG_PID, LOG_MAIL);
    }
    /* The fresh handle reads the counters: store ours first. */
    if (pk_policy_flush(d->pol, &error) != PK_OK)
        pk_log(PK_LOG_ERROR, "reload: %s", error);
    if (pk_policy_open(d->dbdir, d->max_recipients, &fresh, &error) != PK_OK) {
        pk_log(PK_LOG_ERROR, "reload: %s; keeping the open database", error);
        return;
    }
    pk_policy_close(&d->pol);
    d->pol = fresh;
    pk_log(PK_LOG_INFO, "reloaded: database %s reopened", d->dbdir);
}

/* drop_privileges - become the named user for good */

static int drop_privileges(const struct passwd *pw)
{
    if (setgroups(0, NULL) < 0 && errno != EPERM)
        return -1;
    if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
        setuid(pw->pw_uid) < 0)
        return -1;
    return setuid(0) == 0 && pw->pw_uid != 0 ? -1 : 0;
}

/* usage - the synopsis, and exit 2 */

static void usage(void)
{
    fprintf(stderr, "usage: postkontor-postfix [--db DIR] [--socketmap "
                    "unix:PATH|inet:ADDR:PORT]...\n"
                    "        [--policy unix:PATH|inet:ADDR:PORT]... [--user "
                    "NAME] [--foreground]\n"
                    "        [--socket-mode OCTAL] [--max-recipients N] "
                    "[--max-connections N]\n"
                    "        [--idle-timeout SECONDS]\n");
    exit(2);
}

/* fatal - a start-up error */

static void fatal(const char *what)
{
    fprintf(stderr, "postkontor-postfix: %s\n", what);
    srv_close_all();
    exit(1);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},
        {"socketmap", required_argument, 0, 's'},
        {"policy", required_argument, 0, 'p'},
        {"user", required_argument, 0, 'u'},
        {"foreground", no_argument, 0, 'f'},
        {"socket-mode", required_argument, 0, 'm'},
        {"max-recipients", required_argument, 0, 'r'},
        {"max-connections", required_argument, 0, 'c'},
        {"idle-timeout", required_argument, 0, 'i'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct daemon d = {.max_recipients = 1000};
    const char *sockmaps[MAX_LISTENERS], *policies[MAX_LISTENERS], *user = NULL;
    const char *error, *dbopt = NULL;
    int nsock = 0, npol = 0, opt, max_conns = 1024, idle = 600;
    mode_t mode = 0660;
    struct passwd *pw = NULL;
    struct sigaction sa = {.sa_handler = on_signal};
    char *end;

    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            dbopt = optarg;
            break;
        case 's':
            if (nsock == MAX_LISTENERS)
                usage();
            sockmaps[nsock++] = optarg;
            break;
        case 'p':
            if (npol == MAX_LISTENERS)
                usage();
            policies[npol++] = optarg;
            break;
        case 'u':
            user = optarg;
            break;
        case 'f':
            use_stderr = 1;
            break;
        case 'm':
            mode = (mode_t)strtoul(optarg, &end, 8);
            if (*end || mode > 0777)
                usage();
            break;
        case 'r':
            d.max_recipients = (unsigned)strtoul(optarg, &end, 10);
            if (*end)
                usage();
            break;
        case 'c':
            max_conns = atoi(optarg);
            if (max_conns < 1)
                usage();
            break;
        case 'i':
            idle = atoi(optarg);
            if (idle < 1)
                usage();
            break;
        default:
            usage();
        }
    }
    if (optind != argc || nsock + npol == 0)
        usage();
    d.dbdir = pk_store_dir(dbopt);
    if (!use_stderr)
        openlog("postkontor-postfix", LOG_PID, LOG_MAIL);
    pk_log_set_sink(log_sink, NULL);
    if (user && (pw = getpwnam(user)) == NULL)
        fatal("no such user for --user");
    for (int i = 0; i < nsock + npol; i++)
        if (srv_listen(i < nsock ? sockmaps[i] : policies[i - nsock],
                       i < nsock ? &socketmap_proto : &policy_proto, mode,
                       pw ? pw->pw_uid : (uid_t)-1, pw ? pw->pw_gid : (gid_t)-1,
                       &error) != PK_OK)
            fatal(error);
    if (pw && drop_privileges(pw) < 0)
        fatal("cannot drop privileges to the --user");
    if (pk_policy_open(d.dbdir, d.max_recipients, &d.pol, &error) != PK_OK)
        fatal(error);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    pk_log(PK_LOG_INFO, "serving %d socketmap and %d policy listeners from %s",
           nsock, npol, d.dbdir);
    if (srv_run(max_conns, idle, tick, &d) != PK_OK)
        pk_log(PK_LOG_ERROR, "the event loop failed: %s", strerror(errno));
    srv_close_all();
    pk_policy_close(&d.pol);
    pk_log(PK_LOG_INFO, "stopped");
    return 0;
}
