/*++
/* NAME
/*	cmd-domain 3
/* SUMMARY
/*	postkontor domain add|del|alias|quota
/* SYNOPSIS
/*	postkontor domain add DOMAIN
/*	postkontor domain del DOMAIN
/*	postkontor domain alias ALIAS-DOMAIN TARGET-DOMAIN
/*	postkontor domain quota DOMAIN SIZE|unlimited
/* DESCRIPTION
/*	Hosted domains and alias domains. Each command is one write
/*	transaction around one core call (domain.h); names are shown as
/*	stored, an A-label, with the U-label beside it when they differ.
/* DIAGNOSTICS
/*	The core's message for a name that is invalid, exists already, is
/*	not ours, or is still in use.
/*--*/

#include <string.h>

#include "addr.h"
#include "cli.h"
#include "domain.h"

struct domain_op {
    char name[PK_DOMAIN_MAX + 1];
    char target[PK_DOMAIN_MAX + 1];
    uint64_t quota;
};

/* domain_name - normalize a domain argument, or fail */

static int domain_name(const char *arg, char name[PK_DOMAIN_MAX + 1])
{
    const char *error = NULL;
    int status;

    if ((status = pk_addr_parse_domain(arg, name, &error)) != PK_OK)
        return cli_fail(status, error);
    return CLI_EXIT_OK;
}

/* domain_change - the JSON report of a change to one domain */

static json_t *domain_change(struct cli *cli, const char *name)
{
    return cli_json_domain(
        json_pack("{s:s,s:s}", "action", cli->cmd->name, "domain", name), name);
}

/* domain_add_fn - transaction: add a hosted domain */

static int domain_add_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct domain_op *op = ctx;

    return pk_domain_add(txn, op->name, error_r);
}

/* cmd_domain_add - postkontor domain add DOMAIN */

int cmd_domain_add(struct cli *cli, int argc, char **argv)
{
    char show[CLI_DOMAIN_BUF];
    struct domain_op op = {0};
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 1, 1)) != 0 ||
        (rc = domain_name(argv[0], op.name)) != 0 ||
        (rc = cli_write(cli, domain_add_fn, &op)) != 0)
        return rc;
    return cli_done(cli, domain_change(cli, op.name), "added domain %s",
                    cli_domain_display(op.name, show, sizeof(show)));
}

/* domain_del_fn - transaction: remove a domain */

static int domain_del_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct domain_op *op = ctx;

    return pk_domain_del(txn, op->name, error_r);
}

/* cmd_domain_del - postkontor domain del DOMAIN */

int cmd_domain_del(struct cli *cli, int argc, char **argv)
{
    char show[CLI_DOMAIN_BUF];
    struct domain_op op = {0};
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 1, 1)) != 0 ||
        (rc = domain_name(argv[0], op.name)) != 0 ||
        (rc = cli_write(cli, domain_del_fn, &op)) != 0)
        return rc;
    return cli_done(cli, domain_change(cli, op.name), "removed domain %s",
                    cli_domain_display(op.name, show, sizeof(show)));
}

/* domain_alias_fn - transaction: make an alias domain */

static int domain_alias_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct domain_op *op = ctx;

    return pk_domain_add_alias(txn, op->name, op->target, error_r);
}

/* cmd_domain_alias - postkontor domain alias ALIAS-DOMAIN TARGET-DOMAIN */

int cmd_domain_alias(struct cli *cli, int argc, char **argv)
{
    char show[CLI_DOMAIN_BUF];
    char show_target[CLI_DOMAIN_BUF];
    struct domain_op op = {0};
    json_t *change;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 2, 2)) != 0 ||
        (rc = domain_name(argv[0], op.name)) != 0 ||
        (rc = domain_name(argv[1], op.target)) != 0 ||
        (rc = cli_write(cli, domain_alias_fn, &op)) != 0)
        return rc;
    change = domain_change(cli, op.name);
    json_object_set_new(change, "target", json_string(op.target));
    return cli_done(
        cli, change, "added alias domain %s -> %s",
        cli_domain_display(op.name, show, sizeof(show)),
        cli_domain_display(op.target, show_target, sizeof(show_target)));
}

/* domain_quota_fn - transaction: set the default account quota */

static int domain_quota_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct domain_op *op = ctx;

    return pk_domain_set_quota(txn, op->name, op->quota, error_r);
}

/* cmd_domain_quota - postkontor domain quota DOMAIN SIZE */

int cmd_domain_quota(struct cli *cli, int argc, char **argv)
{
    char show[CLI_DOMAIN_BUF];
    char size[CLI_SIZE_BUF];
    struct domain_op op = {0};
    const char *error = NULL;
    json_t *change;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 2, 2)) != 0 ||
        (rc = domain_name(argv[0], op.name)) != 0)
        return rc;
    if ((status = cli_parse_size(argv[1], &op.quota, &error)) != PK_OK)
        return cli_usage(cli, "%s", error);
    if ((rc = cli_write(cli, domain_quota_fn, &op)) != 0)
        return rc;
    change = domain_change(cli, op.name);
    json_object_set_new(change, "quota", json_integer((json_int_t)op.quota));
    return cli_done(cli, change, "default quota of %s: %s",
                    cli_domain_display(op.name, show, sizeof(show)),
                    cli_format_size(op.quota, size, sizeof(size)));
}
