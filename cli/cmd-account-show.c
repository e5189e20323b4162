/*++
/* NAME
/*	cmd-account-show 3
/* SUMMARY
/*	postkontor account show
/* SYNOPSIS
/*	postkontor account show ADDRESS
/* DESCRIPTION
/*	Everything stored about one account except its password hash: the
/*	state, the quota (with the domain default it falls back to), the
/*	password scheme, forwarding, explicit send-as grants and the
/*	creation and change times. One read transaction. Mailbox usage and
/*	last login come from the usage database the Dovecot mail plugin
/*	writes (usage.h); when it cannot be read they show as unknown.
/* DIAGNOSTICS
/*	"no account ADDRESS" when the address is not an account.
/*--*/

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "addr.h"
#include "cli.h"
#include "sendas.h"
#include "usage.h"

struct show_grants {
    struct pk_strlist list;
    bool failed;
};

/* show_grant - collect one send-as grant of the login */

static int show_grant(const char *login, const char *address, void *ctx)
{
    struct show_grants *grants = ctx;

    if (pk_strlist_add(&grants->list, address) != PK_OK)
        grants->failed = true;
    return 0;
}

/* show_scheme - the "{SCHEME}" prefix of a stored hash, never the hash */

static void show_scheme(const char *hash, char *buf, size_t len)
{
    const char *end = strchr(hash, '}');

    if (*hash != '{' || end == NULL || (size_t)(end - hash) + 2 > len)
        snprintf(buf, len, "(none)");
    else
        snprintf(buf, len, "%.*s", (int)(end - hash + 1), hash);
}

/* show_usage - what the Dovecot plugin recorded; PK_NOTFOUND: nothing */

static int show_usage(struct cli *cli, const char *address, struct pk_usage *u)
{
    struct pk_usage_store *store;
    const char *error;
    char dir[4096];
    int status;

    memset(u, 0, sizeof(*u));
    if (pk_usage_dir(cli_db_dir(cli), dir, sizeof(dir)) == NULL)
        return PK_ECONFIG;
    status = pk_usage_open(dir, PK_STORE_READONLY, &store, &error);
    if (status == PK_OK) {
        status = pk_usage_get(store, address, u, &error);
        pk_usage_close(&store);
    }
    return status;
}

/* show_usage_text - "N bytes in M messages" or why not */

static const char *show_usage_text(int status, const struct pk_usage *u,
                                   char *buf, size_t len)
{
    if (status == PK_OK && u->updated != 0)
        snprintf(buf, len, "%llu bytes in %llu messages",
                 (unsigned long long)u->bytes, (unsigned long long)u->messages);
    else
        snprintf(buf, len, status < 0 ? "(unknown)" : "(not recorded)");
    return buf;
}

/* show_human - the account as aligned "field value" lines */

static int show_human(struct cli *cli, struct pk_txn *txn, const char *address,
                      const struct pk_account *acct,
                      const struct pk_strlist *grants)
{
    char quota[CLI_QUOTA_BUF];
    char scheme[64];
    char created[CLI_TIME_BUF];
    char changed[CLI_TIME_BUF];
    char *forward = cli_join(
        &acct->forward, acct->keep_copy ? " (keeping a copy)" : "", "(none)");
    char *sendas = cli_join(grants, "", "(only its own addresses)");
    struct cli_table table;
    struct pk_usage usage;
    char usage_text[80];
    char login[CLI_TIME_BUF];
    int ustatus = show_usage(cli, address, &usage);
    int rc;

    show_scheme(acct->password, scheme, sizeof(scheme));
    cli_table_init(&table, 2);
    cli_table_add(&table, "address", address);
    cli_table_add(&table, "state", pk_state_name(acct->state));
    cli_table_add(&table, "quota",
                  cli_quota_text(txn, address, acct, quota, sizeof(quota)));
    cli_table_add(&table, "password", scheme);
    cli_table_add(&table, "forward", forward);
    cli_table_add(&table, "send as", sendas);
    cli_table_add(&table, "created",
                  cli_format_time(acct->created, created, sizeof(created)));
    cli_table_add(&table, "changed",
                  cli_format_time(acct->changed, changed, sizeof(changed)));
    cli_table_add(
        &table, "usage",
        show_usage_text(ustatus, &usage, usage_text, sizeof(usage_text)));
    cli_table_add(&table, "last login",
                  usage.last_login
                      ? cli_format_time(usage.last_login, login, sizeof(login))
                      : "(never recorded)");
    if (forward == NULL || sendas == NULL)
        table.failed = true;
    rc = cli_table_print(cli, &table, "");
    cli_table_free(&table);
    free(forward);
    free(sendas);
    return rc;
}

/* show_json - the account as one JSON object */

static int show_json(struct cli *cli, struct pk_txn *txn, const char *address,
                     const struct pk_entry *entry,
                     const struct pk_strlist *grants)
{
    char scheme[64];
    struct pk_usage usage;
    json_t *obj = cli_json_entry(txn, address, entry);
    size_t len;

    if (obj == NULL)
        return cli_failf("out of memory");
    show_scheme(entry->u.account.password, scheme, sizeof(scheme));
    len = strlen(scheme);
    if (len > 2 && scheme[0] == '{')
        json_object_set_new(obj, "password_scheme",
                            json_stringn(scheme + 1, len - 2));
    json_object_set_new(obj, "send_as", cli_json_strlist(grants));
    if (show_usage(cli, address, &usage) == PK_OK) {
        if (usage.updated != 0) {
            json_object_set_new(obj, "usage_bytes",
                                json_integer((json_int_t)usage.bytes));
            json_object_set_new(obj, "usage_messages",
                                json_integer((json_int_t)usage.messages));
        }
        if (usage.last_login != 0)
            json_object_set_new(obj, "last_login",
                                json_integer((json_int_t)usage.last_login));
    }
    cli_json(cli, obj);
    return CLI_EXIT_OK;
}

/* show_load - the account and its grants; PK_NOTFOUND: no such account */

static int show_load(struct pk_txn *txn, const char *address,
                     struct pk_entry *entry, struct show_grants *grants,
                     const char **error_r)
{
    int status;

    if ((status = pk_account_get(txn, address, entry, error_r)) != PK_OK)
        return status;
    status = pk_sendas_list(txn, address, show_grant, grants, error_r);
    /* No grants is not "no account". */
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* cmd_account_show - postkontor account show ADDRESS */

int cmd_account_show(struct cli *cli, int argc, char **argv)
{
    char address[PK_ADDR_MAX + 1];
    struct show_grants grants = {0};
    struct pk_entry entry;
    struct pk_addr addr;
    struct pk_txn *txn;
    const char *error = NULL;
    int status;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 1, 1)) != 0)
        return rc;
    if ((status = pk_addr_parse(argv[0], 0, &addr, &error)) != PK_OK)
        return cli_fail(status, error);
    pk_addr_format(&addr, address);
    if ((rc = cli_read(cli, &txn)) != 0)
        return rc;
    memset(&entry, 0, sizeof(entry));
    status = show_load(txn, address, &entry, &grants, &error);
    if (status == PK_NOTFOUND)
        rc = cli_failf("no account %s", address);
    else if (status != PK_OK)
        rc = cli_fail(status, error);
    else if (grants.failed)
        rc = cli_failf("out of memory");
    else if (cli->json)
        rc = show_json(cli, txn, address, &entry, &grants.list);
    else
        rc = show_human(cli, txn, address, &entry.u.account, &grants.list);
    pk_txn_end(&txn);
    if (entry.type != 0)
        pk_entry_free(&entry);
    pk_strlist_free(&grants.list);
    return rc;
}
