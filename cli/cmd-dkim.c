/*++
/* NAME
/*	cmd-dkim 3
/* SUMMARY
/*	postkontor dkim keygen|rotate|show|remove
/* SYNOPSIS
/*	postkontor dkim keygen DOMAIN [--selector S] [--algorithm A] [--bits N]
/*	postkontor dkim rotate DOMAIN [--selector S] [--algorithm A] [--bits N]
/*	postkontor dkim show [DOMAIN]
/*	postkontor dkim remove DOMAIN SELECTOR
/* DESCRIPTION
/*	DKIM keys of hosted domains (dkim.h). keygen and rotate print the
/*	DNS TXT record to publish, as a zone file line preceded by a
/*	comment; show prints the records of every key, active or retired.
/*	rotate keeps the algorithm of the active key unless told
/*	otherwise. A new key is generated before the write transaction,
/*	since the core may run a transaction function twice.
/* DIAGNOSTICS
/*	The core's message: no such hosted domain, a key exists already,
/*	a retired selector still published, the signing key not removable.
/*--*/

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "dkim.h"

/* The handlers; cli/postkontor.c declares them too (cli.h is shared). */

struct dkim_op {
    const char *domain;
    const char *selector; /* NULL: a default */
    enum pk_dkim_alg alg;
    const char *pem;
    bool rotate;
    char chosen[PK_DKIM_SELECTOR_MAX + 1];
};

struct dkim_rows {
    struct cli *cli;
    json_t *array;
    bool failed;
    enum pk_dkim_alg active_alg;
    bool has_active;
};

/* dkim_add_fn - transaction: keygen or rotate */

static int dkim_add_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct dkim_op *op = ctx;

    if (op->rotate)
        return pk_dkim_rotate(txn, op->domain, op->selector, op->alg, op->pem,
                              op->chosen, error_r);
    return pk_dkim_keygen(txn, op->domain, op->selector, op->alg, op->pem,
                          op->chosen, error_r);
}

/* dkim_row - print or collect one key with its DNS record */

static int dkim_row(const char *domain, const char *sel,
                    const struct pk_dkimkey *key, void *ctx)
{
    struct dkim_rows *rows = ctx;
    char created[CLI_TIME_BUF], name[PK_DOMAIN_MAX + PK_DKIM_SELECTOR_MAX + 16];
    const char *error = NULL;
    char *line = NULL, *txt = NULL;

    if (key->active) {
        rows->has_active = true;
        rows->active_alg = key->alg;
    }
    if (rows->cli == NULL)
        return 0;
    if (pk_dkim_dns_record(domain, sel, key, &line, &error) != PK_OK ||
        pk_dkim_dns_txt(key, &txt, &error) != PK_OK) {
        rows->failed = true;
        free(line);
        return cli_fail(PK_ECORRUPT, error);
    }
    snprintf(name, sizeof(name), "%s._domainkey.%s", sel, domain);
    if (rows->array != NULL) {
        if (json_array_append_new(rows->array,
                                  json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s}",
                                            "domain", domain, "selector", sel,
                                            "algorithm",
                                            pk_dkim_alg_name(key->alg), "state",
                                            key->active ? "active" : "retired",
                                            "created", (json_int_t)key->created,
                                            "dns_name", name, "txt", txt)) != 0)
            rows->failed = true;
    } else {
        cli_printf(rows->cli, "; %s: %s key %s, %s since %s\n%s\n", domain,
                   pk_dkim_alg_name(key->alg), sel,
                   key->active ? "signing" : "retired, still published",
                   cli_format_time(key->created, created, sizeof(created)),
                   line);
    }
    free(line);
    free(txt);
    return 0;
}

/* dkim_list - show the keys of a domain, or all */

static int dkim_list(struct cli *cli, const char *domain, bool quiet,
                     struct dkim_rows *rows)
{
    struct pk_txn *txn;
    const char *error = NULL;
    int status, rc;

    memset(rows, 0, sizeof(*rows));
    rows->cli = quiet ? NULL : cli;
    if (!quiet && cli->json && (rows->array = json_array()) == NULL)
        return cli_failf("out of memory");
    if ((rc = cli_read(cli, &txn)) != 0) {
        json_decref(rows->array);
        return rc;
    }
    status = pk_dkim_list(txn, domain, dkim_row, rows, &error);
    pk_txn_end(&txn);
    if (status < 0)
        rc = cli_fail(status, error);
    else if (status > PK_NOTFOUND || rows->failed)
        rc = CLI_EXIT_FAIL;
    else if (!quiet && cli->json)
        cli_json(cli, json_incref(rows->array));
    else if (!quiet && status == PK_NOTFOUND)
        cli_printf(cli, "no DKIM keys\n");
    json_decref(rows->array);
    return rc;
}

/* dkim_add - keygen or rotate, then show the new record */

static int dkim_add(struct cli *cli, int argc, char **argv, bool rotate)
{
    const char *selector = NULL, *algorithm = NULL, *bits_arg = NULL;
    const struct cli_opt opts[] = {{"--selector", &selector, NULL},
                                   {"--algorithm", &algorithm, NULL},
                                   {"--bits", &bits_arg, NULL},
                                   {NULL, NULL, NULL}};
    char domain[PK_DOMAIN_MAX + 1];
    struct dkim_op op = {0};
    struct dkim_rows rows;
    struct pk_dkimkey key;
    const char *error = NULL;
    uint64_t bits = PK_DKIM_RSA_BITS;
    char *pem = NULL, *line = NULL;
    int status, rc;

    if ((rc = cli_args(cli, &argc, &argv, opts, 1, 1)) != 0)
        return rc;
    if ((status = pk_addr_parse_domain(argv[0], domain, &error)) != PK_OK)
        return cli_fail(status, error);
    op.alg = PK_DKIM_RSA_SHA256;
    if (algorithm != NULL && pk_dkim_alg_parse(algorithm, &op.alg) != PK_OK)
        return cli_usage(cli, "--algorithm is rsa-sha256 or ed25519-sha256");
    if (bits_arg != NULL &&
        (status = cli_parse_u64(bits_arg, &bits, &error)) != PK_OK)
        return cli_fail(status, error);
    if (rotate && algorithm == NULL) {
        /* Open for writing first: the first open decides the mode. */
        if ((rc = cli_open(cli, 0)) != 0 ||
            (rc = dkim_list(cli, domain, true, &rows)) != 0)
            return rc;
        if (rows.has_active)
            op.alg = rows.active_alg;
    }
    status = pk_dkim_generate(op.alg, bits > 65536 ? 0 : (unsigned)bits, &pem,
                              &error);
    if (status != PK_OK)
        return cli_fail(status, error);
    op.domain = domain;
    op.selector = selector;
    op.pem = pem;
    op.rotate = rotate;
    if ((rc = cli_write(cli, dkim_add_fn, &op)) == 0) {
        key = (struct pk_dkimkey){op.alg, true, pem, 0};
        if ((status = pk_dkim_dns_record(domain, op.chosen, &key, &line,
                                         &error)) != PK_OK)
            rc = cli_fail(status, error);
        else
            rc = cli_done(cli,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "action",
                                    cli->cmd->name, "domain", domain,
                                    "selector", op.chosen, "algorithm",
                                    pk_dkim_alg_name(op.alg), "dns", line),
                          "; %s: new %s key %s signs from now on%s; publish:"
                          "\n%s",
                          domain, pk_dkim_alg_name(op.alg), op.chosen,
                          rotate ? " (the old key stays published until "
                                   "removed)"
                                 : "",
                          line);
    }
    free(line);
    pk_dkim_pem_free(&pem);
    return rc;
}

/* cmd_dkim_keygen - postkontor dkim keygen DOMAIN [options] */

int cmd_dkim_keygen(struct cli *cli, int argc, char **argv)
{
    return dkim_add(cli, argc, argv, false);
}

/* cmd_dkim_rotate - postkontor dkim rotate DOMAIN [options] */

int cmd_dkim_rotate(struct cli *cli, int argc, char **argv)
{
    return dkim_add(cli, argc, argv, true);
}

/* cmd_dkim_show - postkontor dkim show [DOMAIN] */

int cmd_dkim_show(struct cli *cli, int argc, char **argv)
{
    char domain[PK_DOMAIN_MAX + 1];
    struct dkim_rows rows;
    const char *error = NULL;
    int status, rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 0, 1)) != 0)
        return rc;
    if (argc == 1 &&
        (status = pk_addr_parse_domain(argv[0], domain, &error)) != PK_OK)
        return cli_fail(status, error);
    return dkim_list(cli, argc == 1 ? domain : NULL, false, &rows);
}

/* dkim_remove_fn - transaction: remove one selector */

static int dkim_remove_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct dkim_op *op = ctx;

    return pk_dkim_remove(txn, op->domain, op->selector, error_r);
}

/* cmd_dkim_remove - postkontor dkim remove DOMAIN SELECTOR */

int cmd_dkim_remove(struct cli *cli, int argc, char **argv)
{
    char domain[PK_DOMAIN_MAX + 1];
    struct dkim_op op = {0};
    const char *error = NULL;
    int status, rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 2, 2)) != 0)
        return rc;
    if ((status = pk_addr_parse_domain(argv[0], domain, &error)) != PK_OK)
        return cli_fail(status, error);
    op.domain = domain;
    op.selector = argv[1];
    if ((rc = cli_write(cli, dkim_remove_fn, &op)) != 0)
        return rc;
    return cli_done(cli,
                    json_pack("{s:s,s:s,s:s}", "action", cli->cmd->name,
                              "domain", domain, "selector", argv[1]),
                    "removed DKIM selector %s of %s: its DNS record may go",
                    argv[1], domain);
}
