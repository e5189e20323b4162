/*++
/* NAME
/*	postkontor-milter 8
/* SUMMARY
/*	header From ownership and DKIM signing for Postfix and Sendmail
/* SYNOPSIS
/*	postkontor-milter [--db DIR] --socket unix:PATH|inet:PORT@ADDR
/*		[--foreground] [--internal CIDR]... [--db-error tempfail|accept]
/*		[--no-sign] [--no-from-check] [--line-ending lf|crlf]
/*		[--line-length-limit N]
/* DESCRIPTION
/*	The libmilter adapter over filter.c: it parses the command line,
/*	turns each libmilter callback into one filter call and maps the
/*	filter's answer to libmilter's in apply(). doc/postkontor-milter.8
/*	is the manual.
/*
/*	It asks the MTA for no reply before the end of the message, so
/*	the MTA streams each message and waits once; every decision is
/*	kept for that one reply (struct conn). It skips the steps it does
/*	not need (WANT_STEPS) and asks for the one macro it reads
/*	(WANT_MAIL_MACROS).
/*
/*	The client is internal when its address is in one of the
/*	--internal networks (default 127.0.0.0/8 and ::1) or the MTA
/*	gives none (a local submission); the SASL login is the
/*	{auth_authen} macro at MAIL FROM.
/* DIAGNOSTICS
/*	Exit status 1 and a message on stderr for a bad command line or a
/*	socket that cannot be set up; everything else goes to syslog
/*	(LOG_MAIL), and to stderr too with --foreground.
/* SECURITY
/*	The database is opened read-only, after daemon(3), in the process
/*	that uses it. Run it as a user that may read the database and
/*	nothing more (see doc/postkontor-milter.service).
/*--*/

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "filter.h"
#include "netlist.h"

static struct netlist internal_nets;
static bool foreground;

/*
 * Per connection. The MTA is asked for no reply to any step before the
 * end of the message (SMFIP_NR_*), so it sends the whole message
 * without waiting and the milter answers once, at the end: every
 * decision taken earlier waits in "verdict" until then. Each reply the
 * MTA waits for costs a round trip through libmilter's worker pool.
 */
struct conn {
    bool internal;
    unsigned long nr; /* the steps that get no reply */
    bool decided;     /* verdict holds the answer for this message */
    bool eoh;         /* the end of the header was seen */
    struct filter_reply verdict;
    struct filter_msg *msg;
};

/*
 * Protocol steps the milter does not need; replies it leaves out. The
 * end of the header is not needed either: it is the first body piece,
 * or the end of the message for an empty body.
 */
#define WANT_STEPS                                                             \
    (SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOUNKNOWN |            \
     SMFIP_NOEOH | SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR |              \
     SMFIP_NR_EOH | SMFIP_NR_BODY)

/*
 * The one macro the milter reads, asked for at negotiation so that it
 * comes whatever the MTA's settings. Postfix treats an empty list as
 * "use main.cf's list" and sends a (possibly empty) macro command before
 * every step anyway, so asking for less elsewhere would save nothing:
 * fewer macros are a matter of main.cf (doc/postfix-milter.example).
 */
#define WANT_MAIL_MACROS "{auth_authen}"

/* log_sink - core and milter messages to syslog (and stderr) */

static void log_sink(enum pk_log_level level, const char *text, void *ctx)
{
    static const int prio[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};

    if (level == PK_LOG_DEBUG && !foreground)
        return;
    syslog(prio[level], "%s", text);
    if (foreground)
        fprintf(stderr, "postkontor-milter: %s\n", text);
}

/* apply - the one map from a filter reply to libmilter */

static sfsistat apply(SMFICTX *ctx, struct filter_reply *r)
{
    char *cp;

    switch (r->action) {
    case FILTER_CONTINUE:
        return SMFIS_CONTINUE;
    case FILTER_ACCEPT:
        return SMFIS_ACCEPT;
    default:
        /* libmilter treats '%' as a format; keep the text plain. */
        for (cp = r->text; *cp; cp++)
            if (*cp == '%' || (unsigned char)*cp < 0x20 || *cp == 0x7f)
                *cp = '?';
        pk_log(PK_LOG_INFO, "%s %s %s %s",
               r->action == FILTER_REJECT ? "reject" : "tempfail", r->rcode,
               r->xcode, r->text);
        smfi_setreply(ctx, (char *)r->rcode, (char *)r->xcode, r->text);
        return r->action == FILTER_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
    }
}

/* later - the reply to a step: none when the MTA expects none */

static sfsistat later(const struct conn *conn, unsigned long step)
{
    return (conn->nr & step) != 0 ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* decide - keep the first decision on the message for its end */

static void decide(struct conn *conn, const struct filter_reply *r)
{
    if (!conn->decided && r->action != FILTER_CONTINUE) {
        conn->verdict = *r;
        conn->decided = true;
    }
}

/* tempfail - the message cannot be handled now */

static void tempfail(struct conn *conn, const char *why)
{
    struct filter_reply r = {FILTER_TEMPFAIL, "451", "4.3.0", ""};

    snprintf(r.text, sizeof(r.text), "%s: try later", why);
    decide(conn, &r);
}

/* conn_get - the connection's state, made on first use */

static struct conn *conn_get(SMFICTX *ctx)
{
    struct conn *conn = smfi_getpriv(ctx);

    if (conn == NULL && (conn = calloc(1, sizeof(*conn))) != NULL)
        smfi_setpriv(ctx, conn);
    return conn;
}

/* mlfi_negotiate - skip what is not needed: fewer round trips */

static sfsistat mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                               unsigned long f2, unsigned long f3,
                               unsigned long *pf0, unsigned long *pf1,
                               unsigned long *pf2, unsigned long *pf3)
{
    struct conn *conn = conn_get(ctx);

    if (conn == NULL || (f0 & SMFIF_ADDHDRS) == 0)
        return SMFIS_REJECT;
    *pf0 = SMFIF_ADDHDRS;
    if ((f0 & SMFIF_SETSYMLIST) != 0 &&
        smfi_setsymlist(ctx, SMFIM_ENVFROM, WANT_MAIL_MACROS) == MI_SUCCESS)
        *pf0 |= SMFIF_SETSYMLIST;
    /* libmilter offers every SMFIP_NR_* and fakes those the MTA lacks. */
    *pf1 = f1 & WANT_STEPS;
    *pf2 = *pf3 = 0;
    conn->nr = *pf1 & (SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_HDR |
                       SMFIP_NR_EOH | SMFIP_NR_BODY);
    return SMFIS_CONTINUE;
}

/* mlfi_connect - note whether the client is internal */

static sfsistat mlfi_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
    struct conn *conn = conn_get(ctx);

    if (conn == NULL)
        return SMFIS_TEMPFAIL;
    conn->internal = netlist_has(&internal_nets, sa);
    return later(conn, SMFIP_NR_CONN);
}

/* mlfi_envfrom - a new message: its login, if any */

static sfsistat mlfi_envfrom(SMFICTX *ctx, char **argv)
{
    struct conn *conn = conn_get(ctx);
    const char *login = smfi_getsymval(ctx, "{auth_authen}");

    if (conn == NULL)
        return SMFIS_TEMPFAIL;
    filter_msg_free(&conn->msg);
    conn->decided = conn->eoh = false;
    if ((login == NULL || *login == 0) && !conn->internal) {
        struct filter_reply r = {FILTER_ACCEPT, NULL, NULL, ""};

        decide(conn, &r); /* left alone */
    } else if ((conn->msg = filter_msg_new(conn->internal, login)) == NULL) {
        tempfail(conn, "out of memory");
    }
    return later(conn, SMFIP_NR_MAIL);
}

/* mlfi_header - one header field */

static sfsistat mlfi_header(SMFICTX *ctx, char *name, char *value)
{
    struct conn *conn = smfi_getpriv(ctx);
    struct filter_reply r;

    if (conn == NULL)
        return SMFIS_TEMPFAIL;
    if (!conn->decided && conn->msg != NULL) {
        filter_header(conn->msg, name, value, &r);
        decide(conn, &r);
    }
    return later(conn, SMFIP_NR_HDR);
}

/* header_end - once per message: From and the key are decided */

static void header_end(struct conn *conn)
{
    struct filter_reply r;

    if (conn->eoh)
        return;
    conn->eoh = true;
    if (!conn->decided && conn->msg != NULL) {
        filter_eoh(conn->msg, &r);
        decide(conn, &r);
    }
}

/* mlfi_eoh - the end of the header, when the MTA sends it anyway */

static sfsistat mlfi_eoh(SMFICTX *ctx)
{
    struct conn *conn = smfi_getpriv(ctx);

    if (conn == NULL)
        return SMFIS_TEMPFAIL;
    header_end(conn);
    return later(conn, SMFIP_NR_EOH);
}

/* mlfi_body - a piece of the body; the first one ends the header */

static sfsistat mlfi_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
    struct conn *conn = smfi_getpriv(ctx);
    struct filter_reply r;

    if (conn == NULL)
        return SMFIS_TEMPFAIL;
    header_end(conn);
    if (!conn->decided && conn->msg != NULL) {
        filter_body(conn->msg, data, len, &r);
        decide(conn, &r);
    }
    return later(conn, SMFIP_NR_BODY);
}

/* mlfi_eom - the one reply per message: a decision taken earlier, or sign */

static sfsistat mlfi_eom(SMFICTX *ctx)
{
    struct conn *conn = smfi_getpriv(ctx);
    struct filter_reply r;
    char *dkim = NULL;
    sfsistat rc;

    if (conn == NULL)
        return SMFIS_TEMPFAIL;
    header_end(conn); /* an empty body: no piece came */
    if (conn->decided) {
        r = conn->verdict;
    } else if (conn->msg == NULL) {
        /* No MAIL step seen: nothing to decide on. */
        r.action = FILTER_ACCEPT;
    } else {
        filter_end(conn->msg, time(NULL), &dkim, &r);
        if (dkim != NULL &&
            smfi_insheader(ctx, 0, "DKIM-Signature", dkim) != MI_SUCCESS) {
            pk_log(PK_LOG_WARNING, "cannot add the DKIM-Signature field");
            r.action = FILTER_TEMPFAIL;
            r.rcode = "451";
            r.xcode = "4.3.0";
            snprintf(r.text, sizeof(r.text), "DKIM signature: try later");
        }
        free(dkim);
    }
    rc = apply(ctx, &r);
    filter_msg_free(&conn->msg);
    conn->decided = conn->eoh = false;
    return rc;
}

/* mlfi_abort - the message is gone */

static sfsistat mlfi_abort(SMFICTX *ctx)
{
    struct conn *conn = smfi_getpriv(ctx);

    if (conn != NULL) {
        filter_msg_free(&conn->msg);
        conn->decided = conn->eoh = false;
    }
    return SMFIS_CONTINUE;
}

/* mlfi_close - the connection is gone */

static sfsistat mlfi_close(SMFICTX *ctx)
{
    struct conn *conn = smfi_getpriv(ctx);

    if (conn != NULL) {
        filter_msg_free(&conn->msg);
        free(conn);
        smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

static struct smfiDesc milter_desc = {
    .xxfi_name = "postkontor-milter",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS,
    .xxfi_connect = mlfi_connect,
    .xxfi_envfrom = mlfi_envfrom,
    .xxfi_header = mlfi_header,
    .xxfi_eoh = mlfi_eoh,
    .xxfi_body = mlfi_body,
    .xxfi_eom = mlfi_eom,
    .xxfi_abort = mlfi_abort,
    .xxfi_close = mlfi_close,
    .xxfi_negotiate = mlfi_negotiate,
};

/* usage - the command line, on stderr */

static int usage(const char *why)
{
    if (why != NULL)
        fprintf(stderr, "postkontor-milter: %s\n", why);
    fprintf(stderr,
            "usage: postkontor-milter [--db DIR] --socket unix:PATH|"
            "inet:PORT@ADDR\n"
            "       [--foreground] [--internal CIDR]... "
            "[--db-error tempfail|accept]\n"
            "       [--no-sign] [--no-from-check] [--line-ending lf|crlf]\n"
            "       [--line-length-limit N]\n");
    return 1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"socket", required_argument, NULL, 's'},
        {"foreground", no_argument, NULL, 'f'},
        {"internal", required_argument, NULL, 'i'},
        {"db-error", required_argument, NULL, 'e'},
        {"no-sign", no_argument, NULL, 'S'},
        {"no-from-check", no_argument, NULL, 'F'},
        {"line-ending", required_argument, NULL, 'l'},
        {"line-length-limit", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct filter_config cfg = {NULL, true, true, true, "\n", 998};
    const char *sock = NULL, *error = NULL;
    bool nets_given = false;
    char *end;
    int c, rc;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            cfg.db_dir = optarg;
            break;
        case 's':
            sock = optarg;
            break;
        case 'f':
            foreground = true;
            break;
        case 'i':
            nets_given = true;
            if (!netlist_add(&internal_nets, optarg))
                return usage("--internal takes ADDRESS[/BITS]");
            break;
        case 'e':
            if (strcmp(optarg, "tempfail") != 0 &&
                strcmp(optarg, "accept") != 0)
                return usage("--db-error is tempfail or accept");
            cfg.db_tempfail = strcmp(optarg, "tempfail") == 0;
            break;
        case 'S':
            cfg.sign = false;
            break;
        case 'F':
            cfg.check_from = false;
            break;
        case 'L':
            cfg.line_limit = strtoul(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end != 0 ||
                cfg.line_limit > 1000000)
                return usage("--line-length-limit takes a number");
            break;
        case 'l':
            if (strcmp(optarg, "lf") != 0 && strcmp(optarg, "crlf") != 0)
                return usage("--line-ending is lf or crlf");
            cfg.eol = strcmp(optarg, "lf") == 0 ? "\n" : "\r\n";
            break;
        default:
            return usage(NULL);
        }
    }
    if (optind != argc || sock == NULL)
        return usage(sock == NULL ? "--socket is required" : "extra arguments");
    if (!nets_given) {
        netlist_add(&internal_nets, "127.0.0.0/8");
        netlist_add(&internal_nets, "::1");
    }
    openlog("postkontor-milter", LOG_PID, LOG_MAIL);
    pk_log_set_sink(log_sink, NULL);
    if (smfi_setconn((char *)sock) != MI_SUCCESS ||
        smfi_register(milter_desc) != MI_SUCCESS ||
        smfi_opensocket(1) != MI_SUCCESS) {
        fprintf(stderr, "postkontor-milter: cannot listen on %s\n", sock);
        return 1;
    }
    if (!foreground && daemon(0, 0) != 0) {
        perror("postkontor-milter: daemon");
        return 1;
    }
    if (filter_init(&cfg, &error) != PK_OK) {
        pk_log(PK_LOG_ERROR, "%s", error);
        return 1;
    }
    pk_log(PK_LOG_INFO, "listening on %s, database %s", sock,
           pk_store_dir(cfg.db_dir));
    rc = smfi_main();
    filter_deinit();
    return rc == MI_SUCCESS ? 0 : 1;
}
