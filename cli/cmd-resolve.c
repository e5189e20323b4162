/*++
/* NAME
/*	cmd-resolve 3
/* SUMMARY
/*	postkontor resolve, postkontor list
/* SYNOPSIS
/*	postkontor resolve ADDRESS [--explain]
/*	postkontor list [domains|accounts|aliases] [DOMAIN]
/* DESCRIPTION
/*	resolve shows where mail for an address goes: what matched, and
/*	every final destination, each a mailbox of ours or an outside
/*	address; with --explain the core's steps come first (resolve.h).
/*
/*	list shows domains, accounts and aliases (all of them, or those of
/*	one domain). With --json both print one document: resolve an
/*	object, list an array of objects that each carry a "type".
/* DIAGNOSTICS
/*	A corrupt record or database error is reported as such, never as
/*	an unknown address.
/*--*/

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "addr.h"
#include "cli.h"
#include "domain.h"
#include "resolve.h"

enum list_what {
    LIST_DOMAINS = 1 << 0,
    LIST_ACCOUNTS = 1 << 1,
    LIST_ALIASES = 1 << 2,
};

struct list_ctx {
    struct pk_txn *txn;
    unsigned what;
    const char *only;          /* one domain, or NULL */
    struct cli_table table[3]; /* domains, accounts, aliases */
    json_t *array[3];
    bool failed;
};

/* resolve_human - what matched, then one line per destination */

static void resolve_human(struct cli *cli, const struct pk_resolution *res)
{
    size_t n;

    for (n = 0; n < res->steps.count; n++)
        cli_printf(cli, "%3zu. %s\n", n + 1, res->steps.items[n]);
    cli_printf(cli, "%s: %s", res->address,
               res->kind == PK_KIND_CATCHALL ? "catch-all"
                                             : pk_kind_name(res->kind));
    if (*res->matched && res->kind != PK_KIND_EXTERNAL)
        cli_printf(cli, " %s", res->matched);
    cli_printf(cli, "\n");
    for (n = 0; n < res->dest_count; n++) {
        const struct pk_dest *dest = &res->dest[n];

        if (!dest->mailbox)
            cli_printf(cli, "  -> %s (outside)\n", dest->address);
        else if (dest->state == PK_STATE_ACTIVE)
            cli_printf(cli, "  -> %s (mailbox)\n", dest->address);
        else
            cli_printf(cli, "  -> %s (mailbox, %s)\n", dest->address,
                       pk_state_name(dest->state));
    }
}

/* resolve_json - {"address", "kind", "matched", "deliver_to", ...} */

static json_t *resolve_json(const struct pk_resolution *res, bool explain)
{
    json_t *deliver = json_array();
    json_t *dests = json_array();
    json_t *obj;
    size_t n;

    for (n = 0; n < res->dest_count; n++) {
        const struct pk_dest *dest = &res->dest[n];
        json_t *one = json_pack("{s:s,s:b}", "address", dest->address,
                                "mailbox", dest->mailbox);

        if (dest->mailbox)
            json_object_set_new(one, "state",
                                json_string(pk_state_name(dest->state)));
        json_array_append_new(dests, one);
        json_array_append_new(deliver, json_string(dest->address));
    }
    obj = json_pack("{s:s,s:s,s:o,s:o,s:o}", "address", res->address, "kind",
                    pk_kind_name(res->kind), "matched",
                    *res->matched ? json_string(res->matched) : json_null(),
                    "deliver_to", deliver, "destinations", dests);
    if (obj != NULL && explain)
        json_object_set_new(obj, "steps", cli_json_strlist(&res->steps));
    return obj;
}

/* cmd_resolve - postkontor resolve ADDRESS [--explain] */

int cmd_resolve(struct cli *cli, int argc, char **argv)
{
    struct pk_resolution res;
    struct pk_txn *txn;
    const char *error = NULL;
    bool explain = false;
    const struct cli_opt opts[] = {{"--explain", NULL, &explain},
                                   {NULL, NULL, NULL}};
    json_t *obj;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, opts, 1, 1)) != 0 ||
        (rc = cli_read(cli, &txn)) != 0)
        return rc;
    memset(&res, 0, sizeof(res));
    status = pk_resolve(txn, argv[0], explain ? PK_RESOLVE_EXPLAIN : 0, &res,
                        &error);
    if (status != PK_OK) {
        rc = cli_fail(status, error);
    } else if (cli->json) {
        if ((obj = resolve_json(&res, explain)) == NULL)
            rc = cli_failf("out of memory");
        cli_json(cli, obj);
    } else {
        resolve_human(cli, &res);
    }
    pk_resolve_free(&res);
    pk_txn_end(&txn);
    return rc;
}

/* list_domain - one domain: a row and a JSON object */

static int list_domain(const char *name, const struct pk_domain *dom,
                       void *context)
{
    struct list_ctx *ctx = context;
    char show[CLI_DOMAIN_BUF];
    char kind[PK_DOMAIN_MAX + 16];
    char size[CLI_SIZE_BUF];
    json_t *obj;

    if (ctx->only != NULL && strcmp(name, ctx->only) != 0)
        return 0;
    cli_format_size(dom->default_quota, size, sizeof(size));
    if (dom->kind == PK_DOMAIN_ALIAS)
        snprintf(kind, sizeof(kind), "alias of %s", dom->target);
    cli_table_add(&ctx->table[0], cli_domain_display(name, show, sizeof(show)),
                  dom->kind == PK_DOMAIN_ALIAS ? kind : "hosted",
                  dom->kind == PK_DOMAIN_ALIAS ? "" : "default quota",
                  dom->kind == PK_DOMAIN_ALIAS ? "" : size);
    obj = json_pack("{s:s,s:s,s:s}", "type", "domain", "domain", name, "kind",
                    dom->kind == PK_DOMAIN_ALIAS ? "alias" : "hosted");
    cli_json_domain(obj, name);
    if (dom->kind == PK_DOMAIN_ALIAS)
        json_object_set_new(obj, "target", json_string(dom->target));
    else
        json_object_set_new(obj, "quota",
                            json_integer((json_int_t)dom->default_quota));
    json_object_set_new(obj, "created", json_integer((json_int_t)dom->created));
    if (json_array_append_new(ctx->array[0], obj) != 0)
        ctx->failed = true;
    return 0;
}

/* list_entry - one account or alias: a row and a JSON object */

static int list_entry(const char *address, const struct pk_entry *entry,
                      void *context)
{
    struct list_ctx *ctx = context;
    bool alias = entry->type == PK_REC_ALIAS;
    char quota[CLI_QUOTA_BUF];
    char *text;

    if (!(ctx->what & (alias ? LIST_ALIASES : LIST_ACCOUNTS)))
        return 0;
    if (alias) {
        text = cli_join(&entry->u.alias.dest, "", "");
        cli_table_add(&ctx->table[2], address, "->", text);
    } else {
        text =
            cli_join(&entry->u.account.forward,
                     entry->u.account.keep_copy ? " (keeping a copy)" : "", "");
        cli_table_add(&ctx->table[1], address,
                      pk_state_name(entry->u.account.state),
                      cli_quota_text(ctx->txn, address, &entry->u.account,
                                     quota, sizeof(quota)),
                      *text ? "forward to" : "", text);
    }
    if (text == NULL ||
        json_array_append_new(ctx->array[alias ? 2 : 1],
                              cli_json_entry(ctx->txn, address, entry)) != 0)
        ctx->failed = true;
    free(text);
    return 0;
}

/* list_print - the collected rows, with headings when showing all */

static int list_print(struct cli *cli, struct list_ctx *ctx)
{
    static const char *headings[] = {"domains", "accounts", "aliases"};
    bool all = ctx->what == (LIST_DOMAINS | LIST_ACCOUNTS | LIST_ALIASES);
    json_t *all_json = json_array();
    int rc = CLI_EXIT_OK;
    int n;

    for (n = 0; n < 3 && rc == CLI_EXIT_OK; n++) {
        if (!(ctx->what & (1u << n)))
            continue;
        json_array_extend(all_json, ctx->array[n]);
        if (cli->json)
            continue;
        if (all)
            cli_printf(cli, "%s (%zu)\n", headings[n], ctx->table[n].rows);
        rc = cli_table_print(cli, &ctx->table[n], all ? "  " : "");
    }
    if (cli->json && rc == CLI_EXIT_OK)
        cli_json(cli, json_incref(all_json));
    json_decref(all_json);
    return rc;
}

/* list_what - the optional first word: domains, accounts or aliases */

static unsigned list_what(int *argc, char ***argv)
{
    static const char *words[] = {"domains", "accounts", "aliases"};
    int n;

    for (n = 0; *argc > 0 && n < 3; n++)
        if (strcmp((*argv)[0], words[n]) == 0) {
            (*argc)--, (*argv)++;
            return 1u << n;
        }
    return LIST_DOMAINS | LIST_ACCOUNTS | LIST_ALIASES;
}

/* cmd_list - postkontor list [domains|accounts|aliases] [DOMAIN] */

int cmd_list(struct cli *cli, int argc, char **argv)
{
    struct list_ctx ctx = {0};
    char domain[PK_DOMAIN_MAX + 1];
    const char *error = NULL;
    int status = PK_OK;
    int rc;
    int n;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 0, 2)) != 0)
        return rc;
    ctx.what = list_what(&argc, &argv);
    if (argc > 1)
        return cli_usage(cli, "usage: postkontor list %s", cli->cmd->usage);
    if (argc == 1) {
        if ((status = pk_addr_parse_domain(argv[0], domain, &error)) != 0)
            return cli_fail(status, error);
        ctx.only = domain;
    }
    if ((rc = cli_read(cli, &ctx.txn)) != 0)
        return rc;
    if (ctx.only != NULL) {
        struct pk_domain dom;

        status = pk_domain_get(ctx.txn, ctx.only, &dom, &error);
        if (status != PK_OK) {
            rc = status == PK_NOTFOUND
                     ? cli_failf("%s is not a domain of ours", ctx.only)
                     : cli_fail(status, error);
            pk_txn_end(&ctx.txn);
            return rc;
        }
    }
    cli_table_init(&ctx.table[0], 4);
    cli_table_init(&ctx.table[1], 5);
    cli_table_init(&ctx.table[2], 3);
    for (n = 0; n < 3; n++)
        if ((ctx.array[n] = json_array()) == NULL)
            ctx.failed = true;
    if (ctx.what & LIST_DOMAINS)
        status = pk_domain_iter(ctx.txn, list_domain, &ctx, &error);
    if (status == PK_OK && (ctx.what & (LIST_ACCOUNTS | LIST_ALIASES)))
        status = pk_entry_iter(ctx.txn, ctx.only, list_entry, &ctx, &error);
    if (status != PK_OK && status != PK_NOTFOUND)
        rc = cli_fail(status, error);
    else if (ctx.failed)
        rc = cli_failf("out of memory");
    else
        rc = list_print(cli, &ctx);
    pk_txn_end(&ctx.txn);
    for (n = 0; n < 3; n++) {
        cli_table_free(&ctx.table[n]);
        json_decref(ctx.array[n]);
    }
    return rc;
}
