/*++
/* NAME
/*	cmd-account 3
/* SUMMARY
/*	postkontor account add|passwd|STATE|quota|forward|del|show
/* SYNOPSIS
/*	postkontor account add ADDRESS [--password-stdin] [--quota SIZE]
/*	postkontor account passwd ADDRESS [--password-stdin]
/*	postkontor account suspend|resume|disable|send-block|receive-block
/*		ADDRESS
/*	postkontor account quota ADDRESS SIZE|default|unlimited
/*	postkontor account forward ADDRESS DEST... [--keep-copy]
/*	postkontor account forward ADDRESS --off
/*	postkontor account del ADDRESS
/*	postkontor account show ADDRESS
/* DESCRIPTION
/*	Mail accounts. A new password comes from password-input.c, is
/*	checked and hashed by the core, and the plaintext is wiped before
/*	the write transaction starts; only the hash is stored.
/* DIAGNOSTICS
/*	A password on the command line (an extra argument or any
/*	--password=... option) is refused before anything else happens.
/* SECURITY
/*	The plaintext lives in one stack buffer, wiped on every path.
/*--*/

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "addr.h"
#include "cli.h"
#include "password.h"
#include "sendas.h"

struct account_op {
    char address[PK_ADDR_MAX + 1];
    char hash[PK_HASH_MAX + 1];
    bool set_quota;
    uint64_t quota;
    enum pk_account_state state;
    struct pk_strlist forward;
    bool keep_copy;
};

static const char account_argv_password[] =
    "passwords are never taken from the command line; use the prompt or "
    "--password-stdin";

static const struct {
    const char *verb;
    enum pk_account_state state;
} account_verbs[] = {
    {"account suspend", PK_STATE_SUSPENDED},
    {"account resume", PK_STATE_ACTIVE},
    {"account disable", PK_STATE_DISABLED},
    {"account send-block", PK_STATE_SEND_BLOCKED},
    {"account receive-block", PK_STATE_RECEIVE_BLOCKED},
};

/* account_address - normalize an address argument, or fail */

static int account_address(const char *arg, char address[PK_ADDR_MAX + 1])
{
    struct pk_addr addr;
    const char *error = NULL;
    int status;

    if ((status = pk_addr_parse(arg, 0, &addr, &error)) != PK_OK)
        return cli_fail(status, error);
    pk_addr_format(&addr, address);
    return CLI_EXIT_OK;
}

/* account_change - the JSON report of a change to one account */

static json_t *account_change(struct cli *cli, const char *address)
{
    return json_pack("{s:s,s:s}", "action", cli->cmd->name, "address", address);
}

/* account_password - prompt or read, check, hash, wipe the plaintext */

static int account_password(bool from_stdin, struct account_op *op)
{
    char plain[PK_PASSWORD_MAX + 2];
    const char *error = NULL;
    int status;

    status = cli_password_read(from_stdin, op->address, plain, sizeof(plain),
                               &error);
    if (status == PK_OK)
        status = pk_password_check_new(plain, &error);
    if (status == PK_OK)
        status = pk_password_hash(plain, op->hash, &error);
    pk_wipe(plain, sizeof(plain));
    if (status != PK_OK)
        return cli_fail(status, error);
    return CLI_EXIT_OK;
}

/* account_no_argv_password - refuse any --password=... option */

static int account_no_argv_password(struct cli *cli, int argc, char **argv)
{
    int n;

    for (n = 0; n < argc; n++)
        if (strncmp(argv[n], "--password", 10) == 0 &&
            strcmp(argv[n], "--password-stdin") != 0)
            return cli_usage(cli, "%s", account_argv_password);
    return CLI_EXIT_OK;
}

/* account_add_fn - transaction: store the account, then its quota */

static int account_add_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct account_op *op = ctx;
    int status;

    status = pk_account_add(txn, op->address, op->hash, error_r);
    if (status == PK_OK && op->set_quota)
        status = pk_account_set_quota(txn, op->address, op->quota, error_r);
    return status;
}

/* cmd_account_add - postkontor account add ADDRESS */

int cmd_account_add(struct cli *cli, int argc, char **argv)
{
    struct account_op op = {0};
    const char *quota = NULL;
    const char *error = NULL;
    bool from_stdin = false;
    const struct cli_opt opts[] = {{"--password-stdin", NULL, &from_stdin},
                                   {"--quota", &quota, NULL},
                                   {NULL, NULL, NULL}};
    json_t *change;
    int status;
    int rc;

    if ((rc = account_no_argv_password(cli, argc, argv)) != 0 ||
        (rc = cli_args(cli, &argc, &argv, opts, 1, -1)) != 0)
        return rc;
    if (argc > 1)
        return cli_usage(cli, "%s", account_argv_password);
    if ((rc = account_address(argv[0], op.address)) != 0)
        return rc;
    if (quota != NULL) {
        if ((status = cli_parse_size(quota, &op.quota, &error)) != PK_OK)
            return cli_usage(cli, "%s", error);
        op.set_quota = true;
    }
    /* Open first: a missing database is reported before the prompt. */
    if ((rc = cli_open(cli, 0)) != 0 ||
        (rc = account_password(from_stdin, &op)) != 0)
        return rc;
    rc = cli_write(cli, account_add_fn, &op);
    pk_wipe(op.hash, sizeof(op.hash));
    if (rc != 0)
        return rc;
    change = account_change(cli, op.address);
    if (op.set_quota)
        json_object_set_new(change, "quota",
                            json_integer((json_int_t)op.quota));
    return cli_done(cli, change, "added account %s", op.address);
}

/* account_exists - fail early, before the prompt, if there is no account */

static int account_exists(struct cli *cli, const char *address)
{
    struct pk_entry entry;
    struct pk_txn *txn;
    const char *error = NULL;
    int status;
    int rc;

    if ((rc = cli_read(cli, &txn)) != 0)
        return rc;
    memset(&entry, 0, sizeof(entry));
    status = pk_account_get(txn, address, &entry, &error);
    if (status == PK_OK)
        pk_entry_free(&entry);
    else if (status == PK_NOTFOUND)
        rc = cli_failf("no account %s", address);
    else
        rc = cli_fail(status, error);
    pk_txn_end(&txn);
    return rc;
}

/* account_passwd_fn - transaction: replace the password hash */

static int account_passwd_fn(struct pk_txn *txn, void *ctx,
                             const char **error_r)
{
    struct account_op *op = ctx;

    return pk_account_set_password(txn, op->address, op->hash, error_r);
}

/* cmd_account_passwd - postkontor account passwd ADDRESS */

int cmd_account_passwd(struct cli *cli, int argc, char **argv)
{
    struct account_op op = {0};
    bool from_stdin = false;
    const struct cli_opt opts[] = {{"--password-stdin", NULL, &from_stdin},
                                   {NULL, NULL, NULL}};
    int rc;

    if ((rc = account_no_argv_password(cli, argc, argv)) != 0 ||
        (rc = cli_args(cli, &argc, &argv, opts, 1, -1)) != 0)
        return rc;
    if (argc > 1)
        return cli_usage(cli, "%s", account_argv_password);
    if ((rc = account_address(argv[0], op.address)) != 0 ||
        (rc = cli_open(cli, 0)) != 0 ||
        (rc = account_exists(cli, op.address)) != 0 ||
        (rc = account_password(from_stdin, &op)) != 0)
        return rc;
    rc = cli_write(cli, account_passwd_fn, &op);
    pk_wipe(op.hash, sizeof(op.hash));
    if (rc != 0)
        return rc;
    return cli_done(cli, account_change(cli, op.address),
                    "changed the password of %s", op.address);
}

/* account_state_fn - transaction: set the state */

static int account_state_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct account_op *op = ctx;

    return pk_account_set_state(txn, op->address, op->state, error_r);
}

/* cmd_account_state - postkontor account suspend|resume|... ADDRESS */

int cmd_account_state(struct cli *cli, int argc, char **argv)
{
    struct account_op op = {0};
    json_t *change;
    size_t n;
    int rc;

    for (n = 0; strcmp(account_verbs[n].verb, cli->cmd->name) != 0; n++)
        /* void */;
    op.state = account_verbs[n].state;
    if ((rc = cli_args(cli, &argc, &argv, NULL, 1, 1)) != 0 ||
        (rc = account_address(argv[0], op.address)) != 0 ||
        (rc = cli_write(cli, account_state_fn, &op)) != 0)
        return rc;
    change = account_change(cli, op.address);
    json_object_set_new(change, "state", json_string(pk_state_name(op.state)));
    return cli_done(cli, change, "%s is now %s", op.address,
                    pk_state_name(op.state));
}

/* account_quota_fn - transaction: set the quota */

static int account_quota_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct account_op *op = ctx;

    return pk_account_set_quota(txn, op->address, op->quota, error_r);
}

/* cmd_account_quota - postkontor account quota ADDRESS SIZE */

int cmd_account_quota(struct cli *cli, int argc, char **argv)
{
    struct account_op op = {0};
    char size[CLI_SIZE_BUF];
    const char *error = NULL;
    json_t *change;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 2, 2)) != 0 ||
        (rc = account_address(argv[0], op.address)) != 0)
        return rc;
    if (strcmp(argv[1], "default") == 0)
        op.quota = PK_QUOTA_DOMAIN;
    else if (cli_parse_size(argv[1], &op.quota, &error) != PK_OK)
        return cli_usage(cli, "%s", error);
    if ((rc = cli_write(cli, account_quota_fn, &op)) != 0)
        return rc;
    change = account_change(cli, op.address);
    json_object_set_new(change, "quota",
                        op.quota == PK_QUOTA_DOMAIN
                            ? json_null()
                            : json_integer((json_int_t)op.quota));
    return cli_done(cli, change, "quota of %s: %s", op.address,
                    op.quota == PK_QUOTA_DOMAIN
                        ? "the domain default"
                        : cli_format_size(op.quota, size, sizeof(size)));
}

/* account_forward_fn - transaction: replace the forwarding */

static int account_forward_fn(struct pk_txn *txn, void *ctx,
                              const char **error_r)
{
    struct account_op *op = ctx;

    return pk_account_set_forward(txn, op->address, &op->forward, op->keep_copy,
                                  error_r);
}

/* cmd_account_forward - postkontor account forward ADDRESS DEST... */

int cmd_account_forward(struct cli *cli, int argc, char **argv)
{
    struct account_op op = {0};
    bool off = false;
    const struct cli_opt opts[] = {{"--keep-copy", NULL, &op.keep_copy},
                                   {"--off", NULL, &off},
                                   {NULL, NULL, NULL}};
    json_t *change;
    char *text;
    int rc;
    int n;

    if ((rc = cli_args(cli, &argc, &argv, opts, 1, -1)) != 0)
        return rc;
    if (off ? (argc != 1 || op.keep_copy) : argc < 2)
        return cli_usage(cli, "usage: postkontor %s %s", cli->cmd->name,
                         cli->cmd->usage);
    if ((rc = account_address(argv[0], op.address)) != 0)
        return rc;
    for (n = 1; n < argc; n++)
        if (pk_strlist_add(&op.forward, argv[n]) != PK_OK) {
            pk_strlist_free(&op.forward);
            return cli_failf("out of memory");
        }
    rc = cli_write(cli, account_forward_fn, &op);
    if (rc == 0) {
        change = account_change(cli, op.address);
        json_object_set_new(change, "forward", cli_json_strlist(&op.forward));
        json_object_set_new(change, "keep_copy", json_boolean(op.keep_copy));
        text =
            cli_join(&op.forward, op.keep_copy ? " (keeping a copy)" : "", "");
        if (off)
            cli_done(cli, change, "forwarding of %s is off", op.address);
        else
            cli_done(cli, change, "%s forwards to %s", op.address,
                     text != NULL ? text : "the new destinations");
        free(text);
    }
    pk_strlist_free(&op.forward);
    return rc;
}

/* account_del_fn - transaction: remove the account */

static int account_del_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct account_op *op = ctx;

    return pk_account_del(txn, op->address, error_r);
}

/* cmd_account_del - postkontor account del ADDRESS */

int cmd_account_del(struct cli *cli, int argc, char **argv)
{
    struct account_op op = {0};
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 1, 1)) != 0 ||
        (rc = account_address(argv[0], op.address)) != 0 ||
        (rc = cli_write(cli, account_del_fn, &op)) != 0)
        return rc;
    return cli_done(cli, account_change(cli, op.address), "removed account %s",
                    op.address);
}
