/*++
/* NAME
/*	cmd-sendas 3
/* SUMMARY
/*	postkontor sendas grant|revoke|list
/* SYNOPSIS
/*	postkontor sendas grant LOGIN ADDRESS
/*	postkontor sendas revoke LOGIN ADDRESS
/*	postkontor sendas list [LOGIN]
/* DESCRIPTION
/*	Explicit send-as grants (sendas.h). A login may always send as
/*	itself and as the aliases that deliver to it; these commands
/*	manage the addresses, or whole "@domain"s, granted beyond that.
/* DIAGNOSTICS
/*	The core's message for a login that is not an account or an
/*	address that is invalid.
/*--*/

#include <string.h>

#include "addr.h"
#include "cli.h"
#include "sendas.h"

struct sendas_op {
    const char *login;
    const char *address;
    bool revoke;
};

/* sendas_fn - transaction: grant or revoke */

static int sendas_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct sendas_op *op = ctx;

    if (op->revoke)
        return pk_sendas_revoke(txn, op->login, op->address, error_r);
    return pk_sendas_grant(txn, op->login, op->address, error_r);
}

/* sendas_change - run a grant or revoke and report it */

static int sendas_change(struct cli *cli, int argc, char **argv, bool revoke)
{
    char login[PK_ADDR_MAX + 1];
    char address[PK_ADDR_MAX + 1];
    struct sendas_op op = {login, address, revoke};
    struct pk_addr addr;
    const char *error = NULL;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 2, 2)) != 0)
        return rc;
    if ((status = pk_addr_parse(argv[0], 0, &addr, &error)) != PK_OK)
        return cli_fail(status, error);
    pk_addr_format(&addr, login);
    status = pk_addr_parse(argv[1], PK_ADDR_CATCHALL, &addr, &error);
    if (status != PK_OK)
        return cli_fail(status, error);
    pk_addr_format(&addr, address);
    if ((rc = cli_write(cli, sendas_fn, &op)) != 0)
        return rc;
    return cli_done(cli,
                    json_pack("{s:s,s:s,s:s}", "action", cli->cmd->name,
                              "login", login, "address", address),
                    revoke ? "%s may no longer send as %s"
                           : "%s may send as %s",
                    login, address);
}

/* cmd_sendas_grant - postkontor sendas grant LOGIN ADDRESS */

int cmd_sendas_grant(struct cli *cli, int argc, char **argv)
{
    return sendas_change(cli, argc, argv, false);
}

/* cmd_sendas_revoke - postkontor sendas revoke LOGIN ADDRESS */

int cmd_sendas_revoke(struct cli *cli, int argc, char **argv)
{
    return sendas_change(cli, argc, argv, true);
}

/* sendas_row - collect one grant */

static int sendas_row(const char *login, const char *address, void *ctx)
{
    struct cli_rows *rows = ctx;

    cli_table_add(&rows->table, login, address);
    if (json_array_append_new(
            rows->array,
            json_pack("{s:s,s:s}", "login", login, "address", address)) != 0)
        rows->table.failed = true;
    return 0;
}

/* cmd_sendas_list - postkontor sendas list [LOGIN] */

int cmd_sendas_list(struct cli *cli, int argc, char **argv)
{
    char login[PK_ADDR_MAX + 1];
    struct cli_rows rows;
    struct pk_txn *txn;
    struct pk_addr addr;
    const char *error = NULL;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 0, 1)) != 0)
        return rc;
    if (argc == 1) {
        if ((status = pk_addr_parse(argv[0], 0, &addr, &error)) != PK_OK)
            return cli_fail(status, error);
        pk_addr_format(&addr, login);
    }
    if ((rc = cli_read(cli, &txn)) != 0)
        return rc;
    cli_table_init(&rows.table, 2);
    rows.array = json_array();
    status = pk_sendas_list(txn, argc == 1 ? login : NULL, sendas_row, &rows,
                            &error);
    rc = cli_rows_done(cli, &rows, status, error, 0, "no send-as grants");
    pk_txn_end(&txn);
    return rc;
}
