/*++
/* NAME
/*	cmd-ratelimit 3
/* SUMMARY
/*	postkontor ratelimit set|clear|list
/* SYNOPSIS
/*	postkontor ratelimit set TARGET [--messages N] [--recipients N] --per TIME
/*	postkontor ratelimit clear TARGET
/*	postkontor ratelimit list
/* DESCRIPTION
/*	Sending limits for authenticated senders (ratelimit.h), enforced
/*	by postkontor-postfix. TARGET is "accounts" (the default for every
/*	account), "domains" (the default for every domain), an account's
/*	address or a hosted domain (an override). TIME is seconds, or a
/*	number with s, m, h or d. A limit left out, or 0, is no limit.
/* DIAGNOSTICS
/*	The core's message for an unknown account or domain or a bad
/*	window.
/*--*/

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ratelimit.h"

/* Declared here, as postkontor.c declares them: cli.h is shared. */

struct ratelimit_op {
    enum pk_ratelimit_scope scope;
    const char *subject; /* NULL: the default */
    struct pk_ratelimit lim;
    bool clear;
};

/* ratelimit_target - "accounts", "domains", an address or a domain */

static void ratelimit_target(const char *arg, struct ratelimit_op *op)
{
    op->subject = NULL;
    if (strcmp(arg, "accounts") == 0) {
        op->scope = PK_RATELIMIT_ACCOUNT;
    } else if (strcmp(arg, "domains") == 0) {
        op->scope = PK_RATELIMIT_DOMAIN;
    } else {
        op->scope =
            strchr(arg, '@') ? PK_RATELIMIT_ACCOUNT : PK_RATELIMIT_DOMAIN;
        op->subject = arg;
    }
}

/* ratelimit_time - seconds, or a number with s, m, h or d */

static int ratelimit_time(const char *text, uint32_t *secs,
                          const char **error_r)
{
    char digits[32];
    size_t len = strlen(text);
    uint64_t n, unit = 1;
    int status;

    if (len == 0 || len >= sizeof(digits)) {
        *error_r =
            pk_error("bad time \"%.32s\": use seconds, or 10m, 1h, 1d", text);
        return PK_EINVAL;
    }
    memcpy(digits, text, len + 1);
    switch (digits[len - 1]) {
    case 's':
        unit = 1;
        digits[len - 1] = 0;
        break;
    case 'm':
        unit = 60;
        digits[len - 1] = 0;
        break;
    case 'h':
        unit = 3600;
        digits[len - 1] = 0;
        break;
    case 'd':
        unit = 86400;
        digits[len - 1] = 0;
        break;
    }
    if ((status = cli_parse_u64(digits, &n, error_r)) != PK_OK)
        return status;
    if (n == 0 || n > PK_RATELIMIT_WINDOW_MAX / unit) {
        *error_r = pk_error("a rate limit window must be 1 s to 366 d");
        return PK_EINVAL;
    }
    *secs = (uint32_t)(n * unit);
    return PK_OK;
}

/* ratelimit_count - a limit count; absent is 0 */

static int ratelimit_count(const char *text, uint32_t *n, const char **error_r)
{
    uint64_t v = 0;
    int status;

    if (text != NULL && (status = cli_parse_u64(text, &v, error_r)) != PK_OK)
        return status;
    if (v > UINT32_MAX) {
        *error_r = pk_error("a limit must be at most %u", UINT32_MAX);
        return PK_EINVAL;
    }
    *n = (uint32_t)v;
    return PK_OK;
}

/* ratelimit_fn - transaction: set or clear */

static int ratelimit_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct ratelimit_op *op = ctx;

    if (op->clear)
        return pk_ratelimit_clear(txn, op->scope, op->subject, error_r);
    return pk_ratelimit_set(txn, op->scope, op->subject, &op->lim, error_r);
}

/* ratelimit_name - what the target is called in messages */

static const char *ratelimit_name(const struct ratelimit_op *op)
{
    if (op->subject)
        return op->subject;
    return op->scope == PK_RATELIMIT_DOMAIN ? "domains" : "accounts";
}

/* cmd_ratelimit_set - postkontor ratelimit set TARGET ... --per TIME */

int cmd_ratelimit_set(struct cli *cli, int argc, char **argv)
{
    const char *messages = NULL, *recipients = NULL, *per = NULL;
    const struct cli_opt opts[] = {{"--messages", &messages, NULL},
                                   {"--recipients", &recipients, NULL},
                                   {"--per", &per, NULL},
                                   {NULL, NULL, NULL}};
    struct ratelimit_op op = {0};
    const char *error = NULL;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, opts, 1, 1)) != 0)
        return rc;
    if (per == NULL)
        return cli_usage(cli, "ratelimit set needs --per TIME");
    ratelimit_target(argv[0], &op);
    if ((status = ratelimit_time(per, &op.lim.window, &error)) != PK_OK ||
        (status = ratelimit_count(messages, &op.lim.messages, &error)) !=
            PK_OK ||
        (status = ratelimit_count(recipients, &op.lim.recipients, &error)) !=
            PK_OK)
        return cli_fail(status, error);
    if ((rc = cli_write(cli, ratelimit_fn, &op)) != 0)
        return rc;
    return cli_done(
        cli,
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "action", cli->cmd->name,
                  "scope", pk_ratelimit_scope_name(op.scope), "target",
                  ratelimit_name(&op), "messages", (json_int_t)op.lim.messages,
                  "recipients", (json_int_t)op.lim.recipients, "window",
                  (json_int_t)op.lim.window),
        "rate limit for %s: %u messages, %u recipients per %u s "
        "(0: no limit)",
        ratelimit_name(&op), op.lim.messages, op.lim.recipients, op.lim.window);
}

/* cmd_ratelimit_clear - postkontor ratelimit clear TARGET */

int cmd_ratelimit_clear(struct cli *cli, int argc, char **argv)
{
    struct ratelimit_op op = {.clear = true};
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 1, 1)) != 0)
        return rc;
    ratelimit_target(argv[0], &op);
    if ((rc = cli_write(cli, ratelimit_fn, &op)) != 0)
        return rc;
    return cli_done(cli,
                    json_pack("{s:s,s:s,s:s}", "action", cli->cmd->name,
                              "scope", pk_ratelimit_scope_name(op.scope),
                              "target", ratelimit_name(&op)),
                    "rate limit for %s removed", ratelimit_name(&op));
}

/* ratelimit_row - collect one setting */

static int ratelimit_row(enum pk_ratelimit_scope scope, const char *subject,
                         const struct pk_ratelimit *lim, void *ctx)
{
    struct cli_rows *rows = ctx;
    char m[16], r[16], w[16];
    const char *target = *subject                       ? subject
                         : scope == PK_RATELIMIT_DOMAIN ? "domains"
                                                        : "accounts";

    snprintf(m, sizeof(m), "%u", lim->messages);
    snprintf(r, sizeof(r), "%u", lim->recipients);
    snprintf(w, sizeof(w), "%u", lim->window);
    cli_table_add(&rows->table, target, m, r, w);
    if (json_array_append_new(rows->array,
                              json_pack("{s:s,s:s,s:I,s:I,s:I}", "scope",
                                        pk_ratelimit_scope_name(scope),
                                        "target", target, "messages",
                                        (json_int_t)lim->messages, "recipients",
                                        (json_int_t)lim->recipients, "window",
                                        (json_int_t)lim->window)) != 0)
        rows->table.failed = true;
    return 0;
}

/* cmd_ratelimit_list - postkontor ratelimit list */

int cmd_ratelimit_list(struct cli *cli, int argc, char **argv)
{
    struct cli_rows rows;
    struct pk_txn *txn;
    const char *error = NULL;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 0, 0)) != 0)
        return rc;
    if ((rc = cli_read(cli, &txn)) != 0)
        return rc;
    cli_table_init(&rows.table, 4);
    cli_table_add(&rows.table, "TARGET", "MESSAGES", "RECIPIENTS",
                  "PER-SECONDS");
    rows.array = json_array();
    status = pk_ratelimit_list(txn, ratelimit_row, &rows, &error);
    rc = cli_rows_done(cli, &rows, status, error, 1, "no rate limits");
    pk_txn_end(&txn);
    return rc;
}
