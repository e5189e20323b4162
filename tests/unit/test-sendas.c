/*++
/* NAME
/*	test-sendas 1
/* SUMMARY
/*	unit tests of who may send as which address (common/sendas.c)
/* SYNOPSIS
/*	test-sendas
/* DESCRIPTION
/*	A login may send as itself (also a subaddress, also through an
/*	alias domain), as an alias that delivers to it, and as what it was
/*	granted; never through a catch-all, never when its state forbids
/*	sending, never when it is not an account. Grants, revocation, lists.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "fixture.h"
#include "sendas.h"
#include "test.h"

/* may - the send-as decision in its own read transaction */

static int may(struct fixture *fx, const char *login, const char *addr)
{
    struct pk_txn *txn = fx_read(fx);
    int status = pk_sendas_may(txn, login, addr, &fx->error);

    pk_txn_end(&txn);
    return status;
}

struct call {
    const char *login, *addr;
    enum pk_account_state state;
};

static int revoke_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct call *c = ctx;

    return pk_sendas_revoke(txn, c->login, c->addr, error_r);
}

static int state_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct call *c = ctx;

    return pk_account_set_state(txn, c->login, c->state, error_r);
}

static int grant_revoke(struct fixture *fx, const char *login, const char *addr)
{
    struct call c = {login, addr, 0};

    return pk_store_write(fx->store, revoke_fn, &c, &fx->error);
}

static int set_state(struct fixture *fx, const char *login,
                     enum pk_account_state state)
{
    struct call c = {login, NULL, state};

    return pk_store_write(fx->store, state_fn, &c, &fx->error);
}

/* setup - example.se: alice, bob, carol; example.nu its alias domain */

static void setup(struct fixture *fx)
{
    fixture_open(fx);
    if (fx_domain(fx, "example.se") != PK_OK ||
        fx_domain_alias(fx, "example.nu", "example.se") != PK_OK ||
        fx_account(fx, "alice@example.se") != PK_OK ||
        fx_account(fx, "bob@example.se") != PK_OK ||
        fx_account(fx, "carol@example.se") != PK_OK) {
        printf("setup failed: %s\n", fx->error);
        exit(1);
    }
}

static void test_sendas_self_subaddress_alias_domain(void)
{
    struct fixture fx;

    test_begin("sendas: itself, its subaddress, its alias-domain address");
    setup(&fx);
    test_assert_int(may(&fx, "alice@example.se", "alice@example.se"), PK_OK);
    test_assert_int(may(&fx, "Alice@Example.SE", "ALICE@example.se"), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "alice+news@example.se"),
                    PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "alice@example.nu"), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "alice+x@example.nu"), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "bob@example.se"),
                    PK_NOTFOUND);
    test_assert(strstr(fx.error, "may not send as") != NULL);
    test_assert_int(may(&fx, "alice@example.se", "bob+x@example.se"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "alice@example.se", "alice@elsewhere.org"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "alice@example.se", "not an address"), PK_EINVAL);
    fixture_close(&fx);
    test_end();
}

static void test_sendas_alias_that_delivers_to_the_login(void)
{
    struct fixture fx;

    test_begin("sendas: an alias that delivers to the login, also nested");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se",
                             "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "all@example.se", "info@example.se",
                             "x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(
        fx_alias(&fx, "news@example.se", "alice+news@example.se", NULL), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "info@example.se"), PK_OK);
    test_assert_int(may(&fx, "bob@example.se", "info@example.se"), PK_OK);
    test_assert_int(may(&fx, "carol@example.se", "info@example.se"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "alice@example.se", "all@example.se"), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "info+x@example.nu"), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "news@example.se"), PK_OK);
    test_assert_int(may(&fx, "bob@example.se", "news@example.se"), PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static void test_sendas_not_via_catchall_or_forward(void)
{
    struct fixture fx;

    test_begin("sendas: a catch-all or another's forward gives no right");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "random@example.se"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "alice@example.se", "random@example.nu"),
                    PK_NOTFOUND);
    /* bob's mail goes to alice, but bob is not alice's to send as. */
    test_assert_int(
        fx_forward(&fx, "bob@example.se", NULL, "alice@example.se", NULL),
        PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "bob@example.se"),
                    PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static void test_sendas_alias_right_survives_forwarding(void)
{
    struct fixture fx;

    test_begin(
        "sendas: an alias that delivers to the login counts when it forwards");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(
        fx_forward(&fx, "alice@example.se", NULL, "alice@elsewhere.org", NULL),
        PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "info@example.se"), PK_OK);
    test_assert_int(may(&fx, "bob@example.se", "info@example.se"), PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static void test_sendas_explicit_grants(void)
{
    struct fixture fx;
    char *before;

    test_begin("sendas: an address or a whole @domain granted explicitly");
    setup(&fx);
    test_assert_int(fx_grant(&fx, "alice@example.se", "Billing@Example.SE"),
                    PK_OK);
    test_assert_int(fx_grant(&fx, "alice@example.se", "@partner.org"), PK_OK);
    test_assert_int(fx_grant(&fx, "bob@example.se", "carol@example.se"), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "billing@example.se"), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "anyone@partner.org"), PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "anyone@sub.partner.org"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "bob@example.se", "carol@example.se"), PK_OK);
    test_assert_int(may(&fx, "carol@example.se", "bob@example.se"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "bob@example.se", "billing@example.se"),
                    PK_NOTFOUND);

    before = fx_dump(&fx);
    test_assert_int(fx_grant(&fx, "alice@example.se", "billing@example.se"),
                    PK_EEXIST);
    test_assert_int(fx_grant(&fx, "nobody@example.se", "billing@example.se"),
                    PK_NOTFOUND);
    test_assert_int(fx_grant(&fx, "alice@example.se", "bad address"),
                    PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_sendas_revoke(void)
{
    struct fixture fx;
    char *before;

    test_begin("sendas: a revoked grant no longer allows; revoke twice fails");
    setup(&fx);
    test_assert_int(fx_grant(&fx, "alice@example.se", "billing@example.se"),
                    PK_OK);
    test_assert_int(fx_grant(&fx, "alice@example.se", "@partner.org"), PK_OK);
    test_assert_int(grant_revoke(&fx, "alice@example.se", "BILLING@example.se"),
                    PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "billing@example.se"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "alice@example.se", "x@partner.org"), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(grant_revoke(&fx, "alice@example.se", "billing@example.se"),
                    PK_NOTFOUND);
    test_assert(strstr(fx.error, "no grant") != NULL);
    test_assert_int(grant_revoke(&fx, "bob@example.se", "@partner.org"),
                    PK_NOTFOUND);
    test_assert(fx_unchanged(&fx, before));
    test_assert_int(grant_revoke(&fx, "alice@example.se", "@partner.org"),
                    PK_OK);
    test_assert_int(may(&fx, "alice@example.se", "x@partner.org"), PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static void test_sendas_login_state_decides(void)
{
    static const struct {
        enum pk_account_state state;
        int want;
    } table[] = {
        {PK_STATE_ACTIVE, PK_OK},
        {PK_STATE_SUSPENDED, PK_NOTFOUND},
        {PK_STATE_SEND_BLOCKED, PK_NOTFOUND},
        {PK_STATE_RECEIVE_BLOCKED, PK_OK},
        {PK_STATE_DISABLED, PK_NOTFOUND},
    };
    struct fixture fx;

    test_begin("sendas: a login whose state forbids sending may send as none");
    setup(&fx);
    test_assert_int(fx_grant(&fx, "alice@example.se", "billing@example.se"),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        test_assert_int(set_state(&fx, "alice@example.se", table[i].state),
                        PK_OK);
        test_assert_int(may(&fx, "alice@example.se", "alice@example.se"),
                        table[i].want);
        test_assert_int(may(&fx, "alice@example.se", "billing@example.se"),
                        table[i].want);
        test_assert_int(may(&fx, "alice@example.se", "info@example.se"),
                        table[i].want);
    }
    fixture_close(&fx);
    test_end();
}

static void test_sendas_login_must_be_an_account(void)
{
    struct fixture fx;

    test_begin("sendas: an alias, unknown or outside login may send as none");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(may(&fx, "info@example.se", "info@example.se"),
                    PK_NOTFOUND);
    test_assert(strstr(fx.error, "not an account") != NULL);
    test_assert_int(may(&fx, "nobody@example.se", "nobody@example.se"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "x@elsewhere.org", "x@elsewhere.org"),
                    PK_NOTFOUND);
    test_assert_int(may(&fx, "@example.se", "alice@example.se"), PK_EINVAL);
    test_assert_int(fx_grant(&fx, "info@example.se", "alice@example.se"),
                    PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static int collect(const char *login, const char *addr, void *ctx)
{
    struct pk_strlist *list = ctx;
    char line[2 * PK_ADDR_MAX + 2];

    snprintf(line, sizeof(line), "%s %s", login, addr);
    pk_strlist_add(list, line);
    return 0;
}

static int stop_at_first(const char *login, const char *addr, void *ctx)
{
    return 7;
}

static void test_sendas_list(void)
{
    struct fixture fx;
    struct pk_strlist list = {0};
    struct pk_txn *txn;

    test_begin("sendas: grants are listed per login or all; a prefix is not");
    setup(&fx);
    test_assert_int(fx_account(&fx, "al@example.se"), PK_OK);
    test_assert_int(fx_grant(&fx, "alice@example.se", "billing@example.se"),
                    PK_OK);
    test_assert_int(fx_grant(&fx, "alice@example.se", "@partner.org"), PK_OK);
    test_assert_int(fx_grant(&fx, "al@example.se", "sales@example.se"), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(
        pk_sendas_list(txn, "Alice@example.se", collect, &list, &fx.error),
        PK_OK);
    test_assert_int(list.count, 2);
    test_assert(pk_strlist_has(&list, "alice@example.se billing@example.se"));
    test_assert(pk_strlist_has(&list, "alice@example.se @partner.org"));
    pk_strlist_free(&list);
    test_assert_int(
        pk_sendas_list(txn, "al@example.se", collect, &list, &fx.error), PK_OK);
    test_assert_int(list.count, 1);
    test_assert(pk_strlist_has(&list, "al@example.se sales@example.se"));
    pk_strlist_free(&list);
    test_assert_int(pk_sendas_list(txn, NULL, collect, &list, &fx.error),
                    PK_OK);
    test_assert_int(list.count, 3);
    pk_strlist_free(&list);
    test_assert_int(
        pk_sendas_list(txn, "bob@example.se", collect, &list, &fx.error),
        PK_OK);
    test_assert_int(list.count, 0);
    test_assert_int(pk_sendas_list(txn, NULL, stop_at_first, NULL, &fx.error),
                    7);
    pk_txn_end(&txn);
    fixture_close(&fx);
    test_end();
}

int main(void)
{
    test_sendas_self_subaddress_alias_domain();
    test_sendas_alias_that_delivers_to_the_login();
    test_sendas_not_via_catchall_or_forward();
    test_sendas_alias_right_survives_forwarding();
    test_sendas_explicit_grants();
    test_sendas_revoke();
    test_sendas_login_state_decides();
    test_sendas_login_must_be_an_account();
    test_sendas_list();
    return test_exit();
}
