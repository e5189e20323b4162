/*++
/* NAME
/*	cmd-alias 3
/* SUMMARY
/*	postkontor alias add|remove|del
/* SYNOPSIS
/*	postkontor alias add ADDRESS DEST...
/*	postkontor alias remove ADDRESS DEST...
/*	postkontor alias del ADDRESS
/* DESCRIPTION
/*	Aliases and catch-alls ("@domain"). The core (alias.h) checks that
/*	every local destination exists and that the alias neither loops
/*	nor exceeds a limit, inside the same write transaction.
/* DIAGNOSTICS
/*	The core's message for an invalid address or destination, an
/*	address that is an account, an unknown local destination, a loop.
/*--*/

#include <string.h>

#include "addr.h"
#include "alias.h"
#include "cli.h"

struct alias_op {
    char address[PK_ADDR_MAX + 1];
    struct pk_strlist dest;
    bool remove;
};

/* alias_fn - transaction: add or remove destinations */

static int alias_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct alias_op *op = ctx;

    if (op->remove)
        return pk_alias_remove(txn, op->address, &op->dest, error_r);
    return pk_alias_add(txn, op->address, &op->dest, error_r);
}

/* alias_run - parse ADDRESS DEST..., run the change, report it */

static int alias_run(struct cli *cli, int argc, char **argv, bool remove,
                     int min)
{
    struct alias_op op = {.remove = remove};
    struct pk_addr addr;
    const char *error = NULL;
    json_t *change;
    int status;
    int rc;
    int n;

    if ((rc = cli_args(cli, &argc, &argv, NULL, min, min == 1 ? 1 : -1)) != 0)
        return rc;
    status = pk_addr_parse(argv[0], PK_ADDR_CATCHALL, &addr, &error);
    if (status != PK_OK)
        return cli_fail(status, error);
    pk_addr_format(&addr, op.address);
    for (n = 1; n < argc; n++)
        if (pk_strlist_add(&op.dest, argv[n]) != PK_OK) {
            pk_strlist_free(&op.dest);
            return cli_failf("out of memory");
        }
    if ((rc = cli_write(cli, alias_fn, &op)) == 0) {
        change = json_pack("{s:s,s:s}", "action", cli->cmd->name, "address",
                           op.address);
        if (argc > 1)
            json_object_set_new(change, remove ? "removed" : "added",
                                cli_json_strlist(&op.dest));
        if (argc == 1)
            cli_done(cli, change, "removed alias %s", op.address);
        else
            cli_done(cli, change, "%s %d destination%s %s %s",
                     remove ? "removed" : "added", argc - 1,
                     argc == 2 ? "" : "s", remove ? "from" : "to", op.address);
    }
    pk_strlist_free(&op.dest);
    return rc;
}

/* cmd_alias_add - postkontor alias add ADDRESS DEST... */

int cmd_alias_add(struct cli *cli, int argc, char **argv)
{
    return alias_run(cli, argc, argv, false, 2);
}

/* cmd_alias_remove - postkontor alias remove ADDRESS DEST... */

int cmd_alias_remove(struct cli *cli, int argc, char **argv)
{
    return alias_run(cli, argc, argv, true, 2);
}

/* cmd_alias_del - postkontor alias del ADDRESS: all destinations */

int cmd_alias_del(struct cli *cli, int argc, char **argv)
{
    return alias_run(cli, argc, argv, true, 1);
}
