/*++
/* NAME
/*	cmd-status 3
/* SUMMARY
/*	postkontor status|heartbeat: a host's copy of the cluster
/* SYNOPSIS
/*	postkontor status
/*
/*	postkontor --ldap URI... heartbeat [--name NAME] [--every SECONDS]
/* DESCRIPTION
/*	status shows how far behind this host's copy of the directory is,
/*	from what postkontor-sync stored with its last batches
/*	(pk_sync_state()): per server ID of the cluster the newest change
/*	applied (its CSN) and that change's age; per provider heartbeat
/*	the age of the heartbeat as written by the provider and as applied
/*	here; and when the copy last applied a batch (its change log). A
/*	database that is not fed by postkontor-sync says so and succeeds.
/*
/*	heartbeat updates the heartbeat entry cn=NAME (default
/*	"heartbeat-" and the host name) below --ldap-base, once, or every
/*	SECONDS until stopped.
/* DIAGNOSTICS
/*	Store errors; heartbeat: the directory's answer.
/*--*/

#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "changelog.h"
#include "cli.h"
#include "syncapply.h"

/* Change log entries searched back for the last applied batch. */
#define STATUS_LOG_BACK 256

/* age_s - seconds from a time (microseconds) to now; 0 if in the future */

static double age_s(uint64_t then_us, uint64_t now)
{
    return then_us < now ? (double)(now - then_us) / 1e6 : 0.0;
}

/* last_sync - remember the newest change log entry of a sync batch */

static int last_sync(uint64_t seq, const struct pk_logrec *rec, void *ctx)
{
    uint64_t *when = ctx;

    (void)seq;
    if (strcmp(rec->op, "sync") == 0 && rec->time_us > *when)
        *when = rec->time_us;
    return 0;
}

/* last_apply - when the copy last applied a batch; 0 if unknown */

static int last_apply(struct pk_txn *txn, const struct pk_sync_heartbeat *hb,
                      size_t nhb, uint64_t *when_r, const char **error_r)
{
    uint64_t last, since;
    int status;

    *when_r = 0;
    for (size_t i = 0; i < nhb; i++)
        if (hb[i].applied_us > *when_r)
            *when_r = hb[i].applied_us;
    if ((status = pk_changelog_last(txn, &last, error_r)) != PK_OK)
        return status;
    since = last > STATUS_LOG_BACK ? last - STATUS_LOG_BACK : 0;
    status = pk_changelog_iter(txn, since, last_sync, when_r, error_r);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* status_show - the report, human or JSON */

static int status_show(struct cli *cli, const struct pk_sync_position *pos,
                       size_t npos, const struct pk_sync_heartbeat *hb,
                       size_t nhb, uint64_t applied)
{
    struct timespec ts;
    uint64_t now, t;
    char when[CLI_TIME_BUF];
    json_t *doc = json_pack("{s:b}", "synced", 1), *servers = json_array(),
           *beats = json_array();

    clock_gettime(CLOCK_REALTIME, &ts);
    now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
    cli_printf(cli, "copy of the directory, fed by postkontor-sync\n");
    for (size_t i = 0; i < npos; i++) {
        if (pk_sync_csn_time(pos[i].csn, &t) != PK_OK)
            continue;
        cli_printf(cli, "server %03x: newest change %s, %.3f s old\n",
                   pos[i].sid, pos[i].csn, age_s(t, now));
        json_array_append_new(
            servers, json_pack("{s:i,s:s,s:f}", "sid", (json_int_t)pos[i].sid,
                               "csn", pos[i].csn, "age", age_s(t, now)));
    }
    for (size_t i = 0; i < nhb; i++) {
        cli_printf(cli,
                   "heartbeat %s: written %.3f s ago, applied here %.3f s "
                   "ago\n",
                   hb[i].name, age_s(hb[i].written_us, now),
                   age_s(hb[i].applied_us, now));
        json_array_append_new(
            beats, json_pack("{s:s,s:f,s:f}", "name", hb[i].name, "age",
                             age_s(hb[i].written_us, now), "applied_age",
                             age_s(hb[i].applied_us, now)));
    }
    if (applied > 0) {
        cli_printf(cli, "last batch applied: %s (%.3f s ago)\n",
                   cli_format_time(applied / 1000000, when, sizeof(when)),
                   age_s(applied, now));
        json_object_set_new(doc, "last_applied",
                            json_integer((json_int_t)(applied / 1000000)));
        json_object_set_new(doc, "last_applied_age",
                            json_real(age_s(applied, now)));
    }
    json_object_set_new(doc, "servers", servers);
    json_object_set_new(doc, "heartbeats", beats);
    if (cli->json)
        cli_json(cli, doc);
    else
        json_decref(doc);
    return CLI_EXIT_OK;
}

/* cmd_status - postkontor status */

int cmd_status(struct cli *cli, int argc, char **argv)
{
    struct pk_sync_position pos[PK_SYNC_CSN_MAX];
    struct pk_sync_heartbeat hb[PK_SYNC_CSN_MAX];
    size_t npos = 0, nhb = 0;
    struct pk_txn *txn;
    const char *error = NULL;
    uint64_t applied = 0;
    int status, rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 0, 0)) != 0 ||
        (rc = cli_read(cli, &txn)) != 0)
        return rc;
    status = pk_sync_state(txn, pos, PK_SYNC_CSN_MAX, &npos, hb,
                           PK_SYNC_CSN_MAX, &nhb, &error);
    if (status == PK_OK)
        status = last_apply(txn, hb, nhb, &applied, &error);
    pk_txn_end(&txn);
    if (status != PK_OK)
        return cli_fail(status, error);
    if (npos == 0 && nhb == 0)
        return cli_done(cli, json_pack("{s:b}", "synced", 0),
                        "this database is not fed by postkontor-sync (no "
                        "sync position stored): it is the only copy");
    return status_show(cli, pos, npos, hb, nhb, applied);
}

/* cmd_heartbeat - postkontor --ldap URI heartbeat [--name N] [--every S] */

int cmd_heartbeat(struct cli *cli, int argc, char **argv)
{
    const char *name_arg = NULL, *every_arg = NULL, *error = NULL;
    const struct cli_opt opts[] = {{"--name", &name_arg, NULL},
                                   {"--every", &every_arg, NULL},
                                   {NULL, NULL, NULL}};
    char name[PK_ADDR_MAX + 1], host[65]; /* HOST_NAME_MAX + 1 */
    uint64_t every = 0;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, opts, 0, 0)) != 0)
        return rc;
    if (every_arg != NULL &&
        (cli_parse_u64(every_arg, &every, &error) != PK_OK || every == 0 ||
         every > 86400))
        return cli_usage(cli, "--every takes 1 to 86400 seconds");
    if (cli->ldap_uris == NULL)
        return cli_usage(cli, "heartbeat needs cluster mode (--ldap)");
    if (name_arg == NULL) {
        if (gethostname(host, sizeof(host)) != 0)
            snprintf(host, sizeof(host), "unknown");
        host[sizeof(host) - 1] = '\0';
        snprintf(name, sizeof(name), "heartbeat-%s", host);
    } else if (*name_arg == '\0' || strlen(name_arg) > PK_ADDR_MAX ||
               strpbrk(name_arg, "\r\n") != NULL) {
        return cli_usage(cli, "--name: 1 to %d characters on one line",
                         PK_ADDR_MAX);
    } else {
        snprintf(name, sizeof(name), "%s", name_arg);
    }
    if ((rc = cli_ldap_heartbeat(cli, name, (unsigned)every)) != CLI_EXIT_OK)
        return rc;
    return cli_done(cli,
                    json_pack("{s:s,s:s}", "action", "heartbeat", "name", name),
                    "heartbeat %s written", name);
}
