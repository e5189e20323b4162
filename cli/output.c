/*++
/* NAME
/*	output 3
/* SUMMARY
/*	human and JSON output, errors and exit status
/* SYNOPSIS
/*	#include "cli.h"
/*
/*	int	cli_fail(int status, const char *error)
/*
/*	int	cli_usage(struct cli *cli, const char *fmt, ...)
/*
/*	void	cli_printf(struct cli *cli, const char *fmt, ...)
/*
/*	int	cli_done(struct cli *cli, json_t *obj, const char *fmt, ...)
/*
/*	int	cli_output_end(struct cli *cli, int rc)
/* DESCRIPTION
/*	This is the one place that prints errors and maps a core status to
/*	an exit status. cli_fail() prints the core's error message (or the
/*	status name when there is none) as "postkontor: <message>" and
/*	returns CLI_EXIT_FAIL; cli_usage() does the same for a command
/*	line that is wrong and returns CLI_EXIT_USAGE.
/*
/*	Normal output is collected: cli_printf() writes human text to a
/*	memory stream and cli_json() keeps one JSON document. When the
/*	command is done, cli_output_end() writes one of them to stdout, and
/*	only if the command succeeded. cli_done() is the usual end of a
/*	change: {"ok":true,...} with --json, one human line without.
/*
/*	The cli_table functions print rows with aligned columns, counting
/*	UTF-8 characters rather than bytes so U-labels line up.
/*--*/

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "addr.h"
#include "cli.h"

/* cli_error_line - "postkontor: MSG" on stderr, forced onto one line */

static void cli_error_line(const char *msg)
{
    char line[1024];
    char *cp;

    snprintf(line, sizeof(line), "%s", msg);
    for (cp = line; *cp; cp++)
        if ((unsigned char)*cp < 0x20 || *cp == 0x7f)
            *cp = ' ';
    fflush(stdout);
    fprintf(stderr, "postkontor: %s\n", line);
}

/* cli_fail - report a core failure; the exit status for it */

int cli_fail(int status, const char *error)
{
    char buf[1024];

    if (error == NULL || *error == '\0')
        error = pk_strstatus(status);
    /* Say that a database failure is one: it is never an answer. */
    if (status == PK_ECORRUPT || status == PK_ETEMP) {
        snprintf(buf, sizeof(buf), "%s (a temporary database error%s)", error,
                 status == PK_ECORRUPT ? "; run postkontor check" : "");
        error = buf;
    }
    cli_error_line(error);
    /* Every core failure is exit 1: the message says which kind. */
    return CLI_EXIT_FAIL;
}

/* cli_failf - report a failure of the command itself */

int cli_failf(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cli_error_line(msg);
    return CLI_EXIT_FAIL;
}

/* cli_usage - report a wrong command line */

int cli_usage(struct cli *cli, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cli_error_line(msg);
    return CLI_EXIT_USAGE;
}

/* cli_printf - add human output */

void cli_printf(struct cli *cli, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(cli->out, fmt, ap);
    va_end(ap);
}

/* cli_json - set the JSON document (the reference is taken over) */

void cli_json(struct cli *cli, json_t *doc)
{
    json_decref(cli->doc);
    cli->doc = doc;
}

/* cli_done - report a change: {"ok":true,...} or one human line */

int cli_done(struct cli *cli, json_t *obj, const char *fmt, ...)
{
    va_list ap;
    json_t *doc;

    if (cli->json) {
        doc = json_pack("{s:b}", "ok", 1);
        if (doc != NULL && obj != NULL)
            json_object_update(doc, obj);
        cli_json(cli, doc);
    } else {
        va_start(ap, fmt);
        vfprintf(cli->out, fmt, ap);
        va_end(ap);
        fputc('\n', cli->out);
    }
    json_decref(obj);
    return CLI_EXIT_OK;
}

/* cli_output_begin - start collecting output */

int cli_output_begin(struct cli *cli)
{
    cli->out = open_memstream(&cli->out_buf, &cli->out_len);
    if (cli->out == NULL)
        return cli_failf("cannot collect output: %m");
    return CLI_EXIT_OK;
}

/* cli_output_end - write the collected output if the command succeeded */

int cli_output_end(struct cli *cli, int rc)
{
    bool broken = fclose(cli->out) != 0;
    bool show = rc == CLI_EXIT_OK || cli->always;

    if (show && broken) {
        rc = cli_failf("out of memory");
    } else if (show && cli->json && !cli->raw) {
        if (cli->doc == NULL || json_dumpf(cli->doc, stdout, 0) != 0)
            rc = cli_failf("cannot make the JSON output: out of memory");
        else
            fputc('\n', stdout);
    } else if (show) {
        fwrite(cli->out_buf, 1, cli->out_len, stdout);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc == CLI_EXIT_OK)
            rc = cli_failf("cannot write output: %m");
    }
    json_decref(cli->doc);
    cli->doc = NULL;
    free(cli->out_buf);
    cli->out_buf = NULL;
    return rc;
}

/* cli_json_strlist - a JSON array of the strings of a list */

json_t *cli_json_strlist(const struct pk_strlist *list)
{
    json_t *array = json_array();
    size_t n;

    for (n = 0; array != NULL && list != NULL && n < list->count; n++)
        json_array_append_new(array, json_string(list->items[n]));
    return array;
}

/* cli_json_domain - add "unicode" to an object when the U-label differs */

json_t *cli_json_domain(json_t *obj, const char *domain)
{
    char ulabel[CLI_DOMAIN_BUF];

    pk_addr_domain_unicode(domain, ulabel, sizeof(ulabel));
    if (obj != NULL && *ulabel != '\0' && strcmp(ulabel, domain) != 0)
        json_object_set_new(obj, "unicode", json_string(ulabel));
    return obj;
}

/* cli_join - a list as "a, b" plus suffix, or "none" if empty; free it */

char *cli_join(const struct pk_strlist *list, const char *suffix,
               const char *none)
{
    size_t len = strlen(suffix) + strlen(none) + 1;
    size_t n;
    char *text;

    for (n = 0; n < list->count; n++)
        len += strlen(list->items[n]) + 2;
    if ((text = calloc(1, len)) == NULL)
        return NULL;
    for (n = 0; n < list->count; n++) {
        if (n > 0)
            strcat(text, ", ");
        strcat(text, list->items[n]);
    }
    strcat(text, list->count > 0 ? suffix : none);
    return text;
}

/* cli_domain_of - the domain part of a stored address */

const char *cli_domain_of(const char *address)
{
    const char *at = strrchr(address, '@');

    return at != NULL ? at + 1 : address;
}

/* cli_quota_text - "2G", "unlimited" or "2G (domain default)" */

const char *cli_quota_text(struct pk_txn *txn, const char *address,
                           const struct pk_account *account, char *buf,
                           size_t len)
{
    char size[CLI_SIZE_BUF];

    cli_format_size(pk_account_quota(txn, cli_domain_of(address), account),
                    size, sizeof(size));
    if (account->quota == PK_QUOTA_DOMAIN)
        snprintf(buf, len, "%s (domain default)", size);
    else
        snprintf(buf, len, "%s", size);
    return buf;
}

/* cli_json_entry - an account or alias as a JSON object (no hash) */

json_t *cli_json_entry(struct pk_txn *txn, const char *address,
                       const struct pk_entry *entry)
{
    const struct pk_account *acct = &entry->u.account;
    const struct pk_alias *alias = &entry->u.alias;

    if (entry->type == PK_REC_ALIAS)
        return json_pack("{s:s,s:s,s:o,s:I,s:I}", "type",
                         *address == '@' ? "catchall" : "alias", "address",
                         address, "to", cli_json_strlist(&alias->dest),
                         "created", (json_int_t)alias->created, "changed",
                         (json_int_t)alias->changed);
    /* Quota null: the domain default, which "quota_effective" resolves. */
    return json_pack(
        "{s:s,s:s,s:s,s:o,s:I,s:o,s:b,s:I,s:I}", "type", "account", "address",
        address, "state", pk_state_name(acct->state), "quota",
        acct->quota == PK_QUOTA_DOMAIN ? json_null()
                                       : json_integer((json_int_t)acct->quota),
        "quota_effective",
        (json_int_t)pk_account_quota(txn, cli_domain_of(address), acct),
        "forward", cli_json_strlist(&acct->forward), "keep_copy",
        acct->keep_copy, "created", (json_int_t)acct->created, "changed",
        (json_int_t)acct->changed);
}

/* cli_table_init - an empty table of "cols" columns */

void cli_table_init(struct cli_table *table, size_t cols)
{
    memset(table, 0, sizeof(*table));
    table->cols = cols < CLI_TABLE_MAXCOLS ? cols : CLI_TABLE_MAXCOLS;
}

/* cli_table_add - add one row: "cols" strings (NULL prints as "") */

void cli_table_add(struct cli_table *table, ...)
{
    va_list ap;
    char **cells;
    size_t n;

    if (table->rows == table->size) {
        size_t size = table->size ? table->size * 2 : 16;

        cells = realloc(table->cells, size * table->cols * sizeof(char *));
        if (cells == NULL) {
            table->failed = true;
            return;
        }
        table->cells = cells;
        table->size = size;
    }
    cells = table->cells + table->rows * table->cols;
    va_start(ap, table);
    for (n = 0; n < table->cols; n++) {
        const char *text = va_arg(ap, const char *);

        if ((cells[n] = strdup(text ? text : "")) == NULL)
            table->failed = true;
    }
    va_end(ap);
    table->rows++;
}

/* cli_width - the display width of UTF-8 text, one column per character */

static size_t cli_width(const char *text)
{
    size_t width = 0;

    for (; *text; text++)
        if (((unsigned char)*text & 0xc0) != 0x80)
            width++;
    return width;
}

/* cli_cell - the text of one cell; "" where a copy failed */

static const char *cli_cell(const struct cli_table *table, size_t row,
                            size_t col)
{
    const char *text = table->cells[row * table->cols + col];

    return text != NULL ? text : "";
}

/* cli_table_print - the rows, columns padded to the widest cell */

int cli_table_print(struct cli *cli, struct cli_table *table,
                    const char *indent)
{
    size_t width[CLI_TABLE_MAXCOLS] = {0};
    size_t row;
    size_t col;
    size_t last;

    if (table->failed)
        return cli_failf("out of memory");
    for (row = 0; row < table->rows; row++)
        for (col = 0; col < table->cols; col++)
            if (cli_width(cli_cell(table, row, col)) > width[col])
                width[col] = cli_width(cli_cell(table, row, col));
    for (row = 0; row < table->rows; row++) {
        /* Empty trailing cells print nothing, not padding. */
        for (last = table->cols; last > 1; last--)
            if (*cli_cell(table, row, last - 1) != '\0')
                break;
        fputs(indent, cli->out);
        for (col = 0; col < last; col++) {
            const char *text = cli_cell(table, row, col);

            fputs(text, cli->out);
            if (col + 1 < last)
                fprintf(cli->out, "%*s",
                        (int)(width[col] - cli_width(text) + 2), "");
        }
        fputc('\n', cli->out);
    }
    return CLI_EXIT_OK;
}

/* cli_table_free - release the cells */

void cli_table_free(struct cli_table *table)
{
    size_t n;

    for (n = 0; n < table->rows * table->cols; n++)
        free(table->cells[n]);
    free(table->cells);
    memset(table, 0, sizeof(*table));
}

/* cli_rows_done - print a listing built by a core walk, then free it */

int cli_rows_done(struct cli *cli, struct cli_rows *rows, int status,
                  const char *error, size_t header_rows, const char *empty)
{
    int rc = 0;

    if (status != PK_OK && status != PK_NOTFOUND)
        rc = cli_fail(status, error);
    else if (rows->array == NULL || rows->table.failed)
        rc = cli_failf("out of memory");
    else if (cli->json)
        cli_json(cli, json_incref(rows->array));
    else if (rows->table.rows == header_rows)
        cli_printf(cli, "%s\n", empty);
    else
        rc = cli_table_print(cli, &rows->table, "");
    json_decref(rows->array);
    cli_table_free(&rows->table);
    return rc;
}
