/*++
/* NAME
/*	cmd-admin 3
/* SUMMARY
/*	postkontor init|import|export|backup|check|log
/* SYNOPSIS
/*	postkontor init
/*	postkontor import [--format FORMAT] [--create-domains] FILE|-
/*	postkontor export
/*	postkontor backup DIR
/*	postkontor check
/*	postkontor log [--since N] [--limit N]
/* DESCRIPTION
/*	The commands that act on the database as a whole. import reads
/*	its whole input into memory and applies it in one write
/*	transaction (import.h), so a bad line anywhere changes nothing.
/*	export writes JSON lines, whatever --json says, straight to stdout.
/*	check prints every problem and exits 1 if there was any. log
/*	shows the change log; --limit alone shows the newest entries.
/* DIAGNOSTICS
/*	The core's message; for import it names the line.
/*--*/

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "changelog.h"
#include "check.h"
#include "cli.h"
#include "import.h"

struct import_op {
    enum pk_format format;
    char *data;
    size_t len;
    unsigned flags;
    struct pk_import_stats stats;
};

struct log_ctx {
    struct cli_table table;
    json_t *array;
    uint64_t limit;
    uint64_t count;
};

/* cmd_init - postkontor init: create the database, or open it */

int cmd_init(struct cli *cli, int argc, char **argv)
{
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 0, 0)) != 0 ||
        (rc = cli_open(cli, PK_STORE_CREATE)) != 0)
        return rc;
    return cli_done(
        cli, json_pack("{s:s,s:s}", "action", "init", "db", cli_db_dir(cli)),
        "database ready at %s", cli_db_dir(cli));
}

/* import_map - a regular file mapped read-only, or NULL: read it */

static char *import_map(int fd, size_t *len_r)
{
    struct stat st;
    void *map;

    /* A million lines need no copy, and no fresh memory to copy them
     * into. The import only reads the input; a file cut short while it
     * runs ends the process (SIGBUS) before anything is committed. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uintmax_t)st.st_size > SIZE_MAX / 2)
        return NULL;
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return NULL;
    *len_r = (size_t)st.st_size;
    return map;
}

/* import_read - the whole file ("-": stdin) into memory; *mapped_r says
 * whether it is a mapping (munmap) or a buffer (free) */

static int import_read(const char *path, char **data_r, size_t *len_r,
                       bool *mapped_r)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    size_t size = 0;
    size_t len = 0;
    char *data = NULL;
    char *bigger;
    ssize_t got;
    int rc = CLI_EXIT_OK;

    if (fd < 0)
        return cli_failf("cannot open %s: %m", path);
    if (fd != STDIN_FILENO && (data = import_map(fd, len_r)) != NULL) {
        close(fd);
        *data_r = data;
        *mapped_r = true;
        return CLI_EXIT_OK;
    }
    for (;;) {
        if (len == size) {
            size = size ? size * 2 : 65536;
            if ((bigger = realloc(data, size)) == NULL) {
                if (fd != STDIN_FILENO)
                    close(fd);
                free(data);
                return cli_failf("cannot read %s: out of memory", path);
            }
            data = bigger;
        }
        if ((got = read(fd, data + len, size - len)) < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    if (got < 0) {
        free(data);
        rc = cli_failf("cannot read %s: %m", path);
    }
    if (fd != STDIN_FILENO)
        close(fd);
    if (rc != CLI_EXIT_OK)
        return rc;
    *data_r = data;
    *len_r = len;
    *mapped_r = false;
    return CLI_EXIT_OK;
}

/* import_fn - transaction: the whole import; may run again on map growth */

static int import_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct import_op *op = ctx;

    memset(&op->stats, 0, sizeof(op->stats));
    return pk_import(txn, op->format, op->data, op->len, op->flags, &op->stats,
                     error_r);
}

/* cmd_import - postkontor import [--format F] [--create-domains] FILE */

int cmd_import(struct cli *cli, int argc, char **argv)
{
    struct import_op op = {PK_FORMAT_JSONL};
    const char *format = "jsonl";
    const char *error = NULL;
    bool create = false, mapped = false;
    const struct cli_opt opts[] = {{"--format", &format, NULL},
                                   {"--create-domains", NULL, &create},
                                   {NULL, NULL, NULL}};
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, opts, 1, 1)) != 0)
        return rc;
    if (pk_format_parse(format, &op.format) != PK_OK)
        return cli_usage(cli,
                         "unknown import format '%s' (jsonl, "
                         "dovecot-passwd, postfix-virtual)",
                         format);
    op.flags = create ? PK_IMPORT_CREATE_DOMAINS : 0;
    if ((rc = cli_open(cli, 0)) != 0 ||
        (rc = import_read(argv[0], &op.data, &op.len, &mapped)) != 0)
        return rc;
    /* Grow the map once for what the input will need, rather than
     * running the whole import again after each doubling. */
    if (pk_store_reserve(cli->store, (uint64_t)op.len + op.len / 2, &error) !=
        PK_OK)
        rc = cli_fail(PK_ETEMP, error);
    else
        rc = cli_write(cli, import_fn, &op);
    if (mapped)
        munmap(op.data, op.len);
    else
        free(op.data);
    if (rc != 0)
        return rc;
    return cli_done(cli,
                    json_pack("{s:s,s:I,s:I,s:I,s:I}", "action", "import",
                              "domains", (json_int_t)op.stats.domains,
                              "accounts", (json_int_t)op.stats.accounts,
                              "aliases", (json_int_t)op.stats.aliases, "sendas",
                              (json_int_t)op.stats.sendas),
                    "imported %zu domains, %zu accounts, %zu aliases, "
                    "%zu send-as grants",
                    op.stats.domains, op.stats.accounts, op.stats.aliases,
                    op.stats.sendas);
}

/* export_line - write one JSON line to stdout */

static int export_line(const char *line, size_t len, void *ctx)
{
    if (fwrite(line, 1, len, stdout) != len ||
        ((len == 0 || line[len - 1] != '\n') && putchar('\n') == EOF))
        return PK_ETEMP;
    return 0;
}

/* cmd_export - postkontor export: JSON lines on stdout */

int cmd_export(struct cli *cli, int argc, char **argv)
{
    struct pk_txn *txn;
    const char *error = NULL;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 0, 0)) != 0 ||
        (rc = cli_read(cli, &txn)) != 0)
        return rc;
    /* Streamed: a whole database need not fit in memory twice. */
    cli->raw = true;
    status = pk_export(txn, export_line, NULL, &error);
    if (status == PK_OK && fflush(stdout) != 0)
        rc = cli_failf("cannot write the export: %m");
    else if (status != PK_OK && ferror(stdout))
        rc = cli_failf("cannot write the export: %m");
    else if (status != PK_OK)
        rc = cli_fail(status, error);
    pk_txn_end(&txn);
    return rc;
}

/* cmd_backup - postkontor backup DIR: a hot, compacted copy */

int cmd_backup(struct cli *cli, int argc, char **argv)
{
    const char *error = NULL;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 1, 1)) != 0 ||
        (rc = cli_open(cli, PK_STORE_READONLY)) != 0)
        return rc;
    if ((status = pk_store_backup(cli->store, argv[0], &error)) != PK_OK)
        return cli_fail(status, error);
    return cli_done(cli,
                    json_pack("{s:s,s:s}", "action", "backup", "dir", argv[0]),
                    "backup written to %s", argv[0]);
}

/* check_report - one problem: a human line and a JSON object */

static void check_report(const char *subject, const char *problem, void *ctx)
{
    struct cli *cli = ctx;

    cli_printf(cli, "%s: %s\n", subject, problem);
    json_array_append_new(cli->doc, json_pack("{s:s,s:s}", "subject", subject,
                                              "problem", problem));
}

/* cmd_check - postkontor check: every record and every invariant */

int cmd_check(struct cli *cli, int argc, char **argv)
{
    struct pk_txn *txn;
    const char *error = NULL;
    size_t problems = 0;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 0, 0)) != 0 ||
        (rc = cli_read(cli, &txn)) != 0)
        return rc;
    cli_json(cli, json_array());
    status = pk_check(txn, check_report, cli, &problems, &error);
    if (status != PK_OK) {
        rc = cli_fail(status, error);
    } else {
        cli_printf(cli, "%zu problem%s\n", problems, problems == 1 ? "" : "s");
        if (problems > 0) {
            cli->always = true;
            rc = cli_failf("check found %zu problem%s", problems,
                           problems == 1 ? "" : "s");
        }
    }
    pk_txn_end(&txn);
    return rc;
}

/* log_entry - one change: a row and a JSON object; stop at the limit */

static int log_entry(uint64_t seq, const struct pk_logrec *rec, void *context)
{
    struct log_ctx *ctx = context;
    char seqbuf[24];
    char when[CLI_TIME_BUF];

    if (ctx->limit > 0 && ctx->count >= ctx->limit)
        return CLI_ITER_STOP;
    ctx->count++;
    snprintf(seqbuf, sizeof(seqbuf), "%llu", (unsigned long long)seq);
    cli_format_time(rec->time_us / 1000000, when, sizeof(when));
    cli_table_add(&ctx->table, seqbuf, when, rec->actor, rec->op, rec->subject,
                  rec->detail);
    if (json_array_append_new(
            ctx->array, json_pack("{s:I,s:s,s:I,s:s?,s:s?,s:s?,s:s?}", "seq",
                                  (json_int_t)seq, "time", when, "time_us",
                                  (json_int_t)rec->time_us, "actor", rec->actor,
                                  "op", rec->op, "subject", rec->subject,
                                  "detail", rec->detail)) != 0)
        ctx->table.failed = true;
    return 0;
}

/* cmd_log - postkontor log [--since N] [--limit N] */

int cmd_log(struct cli *cli, int argc, char **argv)
{
    struct log_ctx ctx = {0};
    const char *since_arg = NULL;
    const char *limit_arg = NULL;
    const struct cli_opt opts[] = {{"--since", &since_arg, NULL},
                                   {"--limit", &limit_arg, NULL},
                                   {NULL, NULL, NULL}};
    struct pk_txn *txn;
    const char *error = NULL;
    uint64_t since = 0;
    uint64_t last = 0;
    int status = PK_OK;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, opts, 0, 0)) != 0)
        return rc;
    if ((since_arg && cli_parse_u64(since_arg, &since, &error) != PK_OK) ||
        (limit_arg && cli_parse_u64(limit_arg, &ctx.limit, &error) != 0))
        return cli_usage(cli, "%s", error);
    if ((rc = cli_read(cli, &txn)) != 0)
        return rc;
    /* --limit without --since: the newest entries, oldest first. */
    if (limit_arg != NULL && since_arg == NULL && ctx.limit > 0) {
        status = pk_changelog_last(txn, &last, &error);
        if (status == PK_OK && last >= ctx.limit)
            since = last - ctx.limit + 1;
    }
    cli_table_init(&ctx.table, 6);
    cli_table_add(&ctx.table, "SEQ", "TIME", "ACTOR", "CHANGE", "SUBJECT",
                  "DETAIL");
    ctx.array = json_array();
    if (status == PK_OK || status == PK_NOTFOUND)
        status = pk_changelog_iter(txn, since, log_entry, &ctx, &error);
    if (status != PK_OK && status != PK_NOTFOUND && status != CLI_ITER_STOP)
        rc = cli_fail(status, error);
    else if (ctx.array == NULL || ctx.table.failed)
        rc = cli_failf("out of memory");
    else if (cli->json)
        cli_json(cli, json_incref(ctx.array));
    else
        rc = cli_table_print(cli, &ctx.table, "");
    pk_txn_end(&txn);
    json_decref(ctx.array);
    cli_table_free(&ctx.table);
    return rc;
}
