/*++
/* NAME
/*	postkontor-sync 8
/* SUMMARY
/*	keep a host's postkontor database a copy of an OpenLDAP cluster
/* SYNOPSIS
/*	postkontor-sync [--db DIR] --base DN --bind-dn DN --password-file FILE
/*		[--idle SECONDS] [--batch N] [--once] [--debug] [--trace] URI...
/*
/*	postkontor-sync [--db DIR] --status
/* DESCRIPTION
/*	postkontor-sync consumes the directory below --base with RFC 4533
/*	refreshAndPersist and applies what it receives to the local LMDB
/*	through the core (pk_syncapply): each batch of changes together
/*	with its sync cookie in one write transaction, so a restart, also
/*	after SIGKILL, resumes exactly where the last commit left off.
/*	Stale reader slots of crashed processes are cleared when the
/*	database is opened.
/*
/*	The URIs are a failover list: on a broken connection, a refused
/*	bind, or no message at all for --idle seconds (providers write a
/*	pkHeartbeat entry every few seconds, so silence means a stalled
/*	provider), it goes on with the next one, presenting the same
/*	cookie: any provider of a multi-provider cluster accepts it.
/*	An "e-syncRefreshRequired" answer (the provider's log no longer
/*	covers our cookie) starts a full refresh; entries that were not
/*	sent in a present phase are deleted locally (RFC 4533 3.4.2).
/*
/*	The age of the newest heartbeat applied here is logged when a
/*	provider is given up for silence and when a refresh is done.
/*
/*	--once stops after the refresh phase (an initial load, or a check).
/*	--trace logs each applied change with its commit time, for
/*	latency measurements (bench/ldap-sync.sh).
/*	--status prints each server's position (its newest CSN and that
/*	CSN's age) and the age of each provider's heartbeat as applied here:
/*	how far behind this copy is.
/*
/*	SIGTERM and SIGINT stop it after the current batch.
/* DIAGNOSTICS
/*	Messages go to stderr (--debug: every sync event too). Exit 0
/*	after --once or a signal; 1 on a start-up error or when the local
/*	database fails. Unreachable providers are retried for ever.
/* SECURITY
/*	The bind password comes from a file, never from argv. All
/*	provider input is validated (syncconn.c, ldapmap.c).
/*--*/

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>

#include "ldapmap.h"
#include "store.h"
#include "syncapply.h"
#include "consumer.h"
#include "syncconn.h"

static volatile sig_atomic_t stopping;

struct opts {
    const char *db, *base, *binddn, *pwfile;
    int idle_s, batch, give_up_s;
    bool once, status, debug, trace;
    char **uris;
    int nuris;
};

static void on_signal(int sig)
{
    stopping = 1;
}

/* log_sink - core messages to stderr */

static void log_sink(enum pk_log_level level, const char *msg, void *ctx)
{
    fprintf(stderr, "postkontor-sync: %s%s\n",
            level >= PK_LOG_WARNING ? "warning: " : "", msg);
}

/* now_us - wall clock in microseconds */

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* mono_ms - monotonic milliseconds */

static uint64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* heartbeat_age - seconds since the newest applied heartbeat was written */

static double heartbeat_age(struct pk_store *store)
{
    struct pk_sync_position pos[PK_SYNC_CSN_MAX];
    struct pk_sync_heartbeat hb[PK_SYNC_CSN_MAX];
    size_t npos, nhb;
    struct pk_txn *txn;
    const char *err;
    uint64_t now = now_us(), newest = 0;

    if (pk_store_read(store, &txn, &err) != PK_OK)
        return -1;
    if (pk_sync_state(txn, pos, PK_SYNC_CSN_MAX, &npos, hb, PK_SYNC_CSN_MAX,
                      &nhb, &err) != PK_OK)
        nhb = 0;
    pk_txn_end(&txn);
    for (size_t i = 0; i < nhb; i++)
        if (hb[i].written_us > newest)
            newest = hb[i].written_us;
    if (newest == 0)
        return -1;
    return newest < now ? (now - newest) / 1e6 : 0.0;
}

/* heartbeat_note - ", newest heartbeat N s old", or nothing */

static const char *heartbeat_note(struct pk_store *store, char *buf,
                                  size_t size)
{
    double age = heartbeat_age(store);

    if (age < 0)
        return "";
    snprintf(buf, size, ", newest heartbeat %.1f s old", age);
    return buf;
}

/* session - one refreshAndPersist session; PK_OK on a clean stop */

static int session(struct consumer *c, const struct opts *o, const char *uri,
                   const char *password, bool *full_r, const char **error_r)
{
    struct syncconn *conn;
    struct sync_event ev;
    struct pk_txn *txn;
    char cookie[PK_SYNC_COOKIE_MAX + 1] = "";
    char request[PK_SYNC_COOKIE_MAX + 16] = "";
    char note[64];
    uint64_t last = mono_ms();
    int rc, status = PK_OK;

    if (!*full_r) {
        if ((status = pk_store_read(c->store, &txn, error_r)) != PK_OK)
            return status;
        status = pk_sync_cookie(txn, cookie, sizeof(cookie), error_r);
        pk_txn_end(&txn);
        if (status != PK_OK)
            return status;
    }
    /* syncprov takes a cookie only with a replica ID; ours is 0. */
    if (*cookie)
        snprintf(request, sizeof(request), "rid=000,%s", cookie);
    if ((conn = syncconn_open(uri, o->binddn, password, o->base, request,
                              o->idle_s, error_r)) == NULL)
        return PK_ETEMP;
    pk_log(PK_LOG_INFO, "consuming %s from %s",
           *cookie ? cookie : "(full refresh)", uri);
    consumer_start(c, *cookie == 0);
    while (!stopping) {
        /* Wait long only when nothing is queued: a batch goes out as
	 * soon as the provider pauses, or when it is full. */
        rc = syncconn_next(conn, c->nchanges ? 0 : 200, &ev, error_r);
        if (rc < 0) {
            status = PK_ETEMP;
            break;
        }
        if (rc == 0) {
            if ((status = consumer_flush(c, error_r)) != PK_OK)
                break;
            if (mono_ms() - last > (uint64_t)o->idle_s * 1000) {
                *error_r = pk_error(
                    "%s: nothing for %d s%s: failing over", uri, o->idle_s,
                    heartbeat_note(c->store, note, sizeof(note)));
                status = PK_ETEMP;
                break;
            }
            continue;
        }
        last = mono_ms();
        if (o->debug)
            pk_log(PK_LOG_DEBUG,
                   "event %d state %d present %d done %d deletes %d "
                   "uuids %zu cookie %s",
                   (int)ev.type, ev.state, ev.present_phase, ev.refresh_done,
                   ev.deletes, ev.nuuids, ev.has_cookie ? ev.cookie : "-");
        if (ev.type == SYNC_EV_DONE) {
            if (ev.result == LDAP_SYNC_REFRESH_REQUIRED) {
                *error_r = pk_error("%s: refresh required: full refresh", uri);
                *full_r = true;
            } else {
                *error_r = pk_error("%s: search ended: %s", uri,
                                    ldap_err2string(ev.result));
            }
            status = PK_ETEMP;
            break;
        }
        if ((status = consumer_event(c, &ev, error_r)) != PK_OK)
            break;
        if (ev.type == SYNC_EV_PHASE_END && !c->refreshing) {
            pk_log(PK_LOG_INFO, "%s: in step%s", uri,
                   heartbeat_note(c->store, note, sizeof(note)));
            *full_r = false;
            if (o->once)
                break;
        }
        if (c->nchanges >= (size_t)o->batch &&
            (status = consumer_flush(c, error_r)) != PK_OK)
            break;
    }
    if (status == PK_OK)
        status = consumer_flush(c, error_r);
    consumer_drop(c);
    syncconn_close(&conn);
    return status;
}

/* read_password - the bind password: the file's first line */

static char *read_password(const char *path)
{
    FILE *fp = fopen(path, "r");
    char buf[1024];
    char *pw = NULL;

    if (fp == NULL)
        return NULL;
    if (fgets(buf, sizeof(buf), fp) != NULL) {
        buf[strcspn(buf, "\r\n")] = 0;
        pw = strdup(buf);
    }
    pk_wipe(buf, sizeof(buf));
    fclose(fp);
    return pw;
}

/* show_status - positions and heartbeat ages of this copy */

static int show_status(struct pk_store *store)
{
    struct pk_sync_position pos[PK_SYNC_CSN_MAX];
    struct pk_sync_heartbeat hb[PK_SYNC_CSN_MAX];
    size_t npos, nhb;
    struct pk_txn *txn;
    const char *err;
    uint64_t now = now_us(), t;
    int status;

    if ((status = pk_store_read(store, &txn, &err)) == PK_OK) {
        status = pk_sync_state(txn, pos, PK_SYNC_CSN_MAX, &npos, hb,
                               PK_SYNC_CSN_MAX, &nhb, &err);
        pk_txn_end(&txn);
    }
    if (status != PK_OK) {
        fprintf(stderr, "postkontor-sync: %s\n", err);
        return 1;
    }
    if (npos == 0)
        printf("never synchronised\n");
    for (size_t i = 0; i < npos; i++) {
        if (pk_sync_csn_time(pos[i].csn, &t) != PK_OK)
            continue;
        printf("server %03x: last change %s, %.3f s ago\n", pos[i].sid,
               pos[i].csn, t < now ? (now - t) / 1e6 : 0.0);
    }
    for (size_t i = 0; i < nhb; i++)
        printf("heartbeat %s: written %.3f s ago, applied %.3f s ago\n",
               hb[i].name,
               hb[i].written_us < now ? (now - hb[i].written_us) / 1e6 : 0.0,
               hb[i].applied_us < now ? (now - hb[i].applied_us) / 1e6 : 0.0);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: postkontor-sync [--db DIR] --base DN --bind-dn DN "
                    "--password-file FILE [--idle SECONDS] [--batch N] "
                    "[--once] [--debug] [--trace] URI...\n"
                    "       postkontor-sync [--db DIR] --status\n");
    exit(1);
}

/* positive - a bounded positive integer option */

static int positive(const char *s, int max)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == 0 || *end != 0 || v < 1 || v > max)
        usage();
    return (int)v;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->idle_s = 10;
    o->batch = 1000;
    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--once") == 0)
            o->once = true;
        else if (strcmp(a, "--status") == 0)
            o->status = true;
        else if (strcmp(a, "--debug") == 0)
            o->debug = true;
        else if (strcmp(a, "--trace") == 0)
            o->trace = true;
        else if (v == NULL)
            usage();
        else if (strcmp(a, "--db") == 0)
            o->db = argv[++i];
        else if (strcmp(a, "--base") == 0)
            o->base = argv[++i];
        else if (strcmp(a, "--bind-dn") == 0)
            o->binddn = argv[++i];
        else if (strcmp(a, "--password-file") == 0)
            o->pwfile = argv[++i];
        else if (strcmp(a, "--idle") == 0)
            o->idle_s = positive(argv[++i], 3600);
        else if (strcmp(a, "--batch") == 0)
            o->batch = positive(argv[++i], 100000);
        else
            usage();
    }
    o->uris = argv + i;
    o->nuris = argc - i;
    if (!o->status && (o->base == NULL || o->binddn == NULL ||
                       o->pwfile == NULL || o->nuris == 0))
        usage();
}

int main(int argc, char **argv)
{
    struct opts o;
    struct consumer c = {0};
    struct sigaction sa = {0};
    const char *err = NULL;
    char *password;
    bool full = false;
    int status = PK_OK, n, failures = 0;

    parse_opts(argc, argv, &o);
    pk_log_set_sink(log_sink, NULL);
    if (pk_store_open(pk_store_dir(o.db),
                      o.status ? PK_STORE_READONLY
                               : PK_STORE_CREATE | PK_STORE_NOMETASYNC,
                      &c.store, &err) != PK_OK) {
        fprintf(stderr, "postkontor-sync: %s\n", err);
        return 1;
    }
    if (o.status) {
        status = show_status(c.store);
        pk_store_close(&c.store);
        return status;
    }
    pk_store_set_actor(c.store, "postkontor-sync");
    c.debug = o.debug;
    c.trace = o.trace;
    if ((password = read_password(o.pwfile)) == NULL) {
        fprintf(stderr, "postkontor-sync: %s: cannot read the password\n",
                o.pwfile);
        return 1;
    }
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    for (n = 0; !stopping; n = (n + 1) % o.nuris) {
        status = session(&c, &o, o.uris[n], password, &full, &err);
        if (status == PK_OK && (o.once || stopping))
            break;
        if (status != PK_OK && status != PK_ETEMP) {
            /* The local database failed: no provider can help. */
            fprintf(stderr, "postkontor-sync: %s\n", err);
            break;
        }
        if (stopping)
            break;
        fprintf(stderr, "postkontor-sync: %s\n", err ? err : "session ended");
        /* A pause after each full round, so a dead cluster is not hammered. */
        if (++failures % o.nuris == 0)
            usleep(500 * 1000);
    }
    if (stopping)
        status = PK_OK; /* a signal is a clean stop */
    pk_wipe(password, strlen(password));
    free(password);
    consumer_free(&c);
    pk_store_close(&c.store);
    return status == PK_OK ? 0 : 1;
}
