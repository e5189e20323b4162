/*++
/* NAME
/*	test-account 1
/* SUMMARY
/*	unit tests of mail accounts (common/account.c)
/* SYNOPSIS
/*	test-account
/* DESCRIPTION
/*	Adding and reading, password, state, quota and forwarding changes,
/*	removal; every refusal (unknown or alias domain, the address of an
/*	alias, a bad hash, an account still named by an alias or a forward)
/*	leaves the database as it was. The state table, in one place.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "account.h"
#include "domain.h"
#include "fixture.h"
#include "sendas.h"
#include "test.h"

/* A SHA256-CRYPT hash of "other", to change passwords to. */
#define OTHER_HASH                                                             \
    "{SHA256-CRYPT}$5$QzYk3pTq8Lm2Vn4R$SeQYprt7gs3inX5qSCU.zeRaaOoFeGVTd4pCE"  \
    "x7pcH5"

enum op { OP_PASSWD, OP_STATE, OP_QUOTA, OP_DEL, OP_ADD, OP_DQUOTA };

struct call {
    enum op op;
    const char *addr, *hash;
    uint64_t n;
};

static int do_call(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct call *c = ctx;

    switch (c->op) {
    case OP_PASSWD:
        return pk_account_set_password(txn, c->addr, c->hash, error_r);
    case OP_STATE:
        return pk_account_set_state(txn, c->addr, c->n, error_r);
    case OP_QUOTA:
        return pk_account_set_quota(txn, c->addr, c->n, error_r);
    case OP_DEL:
        return pk_account_del(txn, c->addr, error_r);
    case OP_ADD:
        return pk_account_add(txn, c->addr, c->hash, error_r);
    case OP_DQUOTA:
        return pk_domain_set_quota(txn, c->addr, c->n, error_r);
    }
    return PK_EINVAL;
}

static int call(struct fixture *fx, enum op op, const char *addr,
                const char *hash, uint64_t n)
{
    struct call c = {op, addr, hash, n};

    return pk_store_write(fx->store, do_call, &c, &fx->error);
}

/* get - read an account; the caller frees with pk_entry_free() */

static int get(struct fixture *fx, const char *addr, struct pk_entry *ent)
{
    struct pk_txn *txn = fx_read(fx);
    int status = pk_account_get(txn, addr, ent, &fx->error);

    pk_txn_end(&txn);
    return status;
}

/* quota - the quota in effect for an account */

static uint64_t quota(struct fixture *fx, const char *addr, const char *domain)
{
    struct pk_entry ent;
    struct pk_txn *txn = fx_read(fx);
    uint64_t q = 12345;

    if (pk_account_get(txn, addr, &ent, &fx->error) == PK_OK) {
        q = pk_account_quota(txn, domain, &ent.u.account);
        pk_entry_free(&ent);
    }
    pk_txn_end(&txn);
    return q;
}

/* setup - example.se hosted, example.nu an alias domain of it */

static void setup(struct fixture *fx)
{
    fixture_open(fx);
    if (fx_domain(fx, "example.se") != PK_OK ||
        fx_domain_alias(fx, "example.nu", "example.se") != PK_OK) {
        printf("setup failed: %s\n", fx->error);
        exit(1);
    }
}

static void test_account_add_then_get(void)
{
    struct fixture fx;
    struct pk_entry ent;

    test_begin("account: an added account is active, domain quota, the hash");
    setup(&fx);
    test_assert_int(fx_account(&fx, "Alice@EXAMPLE.se"), PK_OK);
    test_assert_int(get(&fx, "alice@example.se", &ent), PK_OK);
    test_assert_int(ent.type, PK_REC_ACCOUNT);
    test_assert_int(ent.u.account.state, PK_STATE_ACTIVE);
    test_assert(ent.u.account.quota == PK_QUOTA_DOMAIN);
    test_assert_str(ent.u.account.password, FX_HASH);
    test_assert_int(ent.u.account.forward.count, 0);
    test_assert(!ent.u.account.keep_copy);
    test_assert(ent.u.account.created > 0);
    pk_entry_free(&ent);
    test_assert_int(get(&fx, "ALICE@example.se", &ent), PK_OK);
    pk_entry_free(&ent);
    test_assert_int(get(&fx, "bob@example.se", &ent), PK_NOTFOUND);
    test_assert_int(get(&fx, "not an address", &ent), PK_EINVAL);
    fixture_close(&fx);
    test_end();
}

static void test_account_in_idna_domain(void)
{
    struct fixture fx;
    struct pk_entry ent;

    test_begin("account: an account in an IDNA domain is found by both forms");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "exämple.se"), PK_OK);
    test_assert_int(fx_account(&fx, "user@exämple.se"), PK_OK);
    test_assert_int(get(&fx, "user@xn--exmple-cua.se", &ent), PK_OK);
    pk_entry_free(&ent);
    test_assert_int(fx_account(&fx, "USER@xn--exmple-cua.se"), PK_EEXIST);
    fixture_close(&fx);
    test_end();
}

static void test_account_refused_where_it_cannot_live(void)
{
    struct fixture fx;
    char *before;

    test_begin("account: unknown domain, alias domain, duplicate are refused");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(fx_account(&fx, "bob@missing.se"), PK_EINVAL);
    test_assert(strstr(fx.error, "not hosted") != NULL);
    test_assert_int(fx_account(&fx, "bob@example.nu"), PK_EINVAL);
    test_assert(strstr(fx.error, "alias domain") != NULL);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_EEXIST);
    test_assert_int(fx_account(&fx, "ALICE@Example.SE"), PK_EEXIST);
    test_assert_int(fx_account(&fx, "@example.se"), PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_account_and_alias_never_share_an_address(void)
{
    struct fixture fx;
    char *before;

    test_begin("account: not on an alias's address, and no alias on its");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    before = fx_dump(&fx);
    test_assert_int(fx_account(&fx, "info@example.se"), PK_EEXIST);
    test_assert(strstr(fx.error, "alias") != NULL);
    test_assert_int(fx_alias(&fx, "alice@example.se", "x@elsewhere.org", NULL),
                    PK_EEXIST);
    test_assert(strstr(fx.error, "account") != NULL);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_account_unsafe_local_parts_are_refused(void)
{
    static const char *const bad[] = {"a%b@example.se", "a/b@example.se",
                                      "a*b@example.se", "a|b@example.se",
                                      "a'b@example.se", "a{b}@example.se"};
    struct fixture fx;
    char *before;

    test_begin(
        "account: characters that expand in templates or paths are refused");
    setup(&fx);
    before = fx_dump(&fx);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        test_assert_int(fx_account(&fx, bad[i]), PK_EINVAL);
        test_assert(strstr(fx.error, "not allowed in a hosted address") !=
                    NULL);
        test_assert_int(fx_alias(&fx, bad[i], "x@elsewhere.org", NULL),
                        PK_EINVAL);
    }
    test_assert(fx_unchanged(&fx, before));
    /* An outside destination may still use them. */
    test_assert_int(fx_alias(&fx, "info@example.se", "a%b@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(fx_account(&fx, "first.last-1+x_y=z@example.se"), PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_account_invalid_hash_is_refused(void)
{
    static const char *bad[] = {
        "",
        "secret",
        "{PLAIN}secret",
        "{CLEAR}secret",
        "{SHA512-CRYPT}",
        "{NOSUCH}$6$abc$def",
        "{SHA512-CRYPT}$6$x y$z",
    };
    struct fixture fx;
    struct pk_entry ent;
    char *before;

    test_begin("account: a hash we cannot verify is refused, add or passwd");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    before = fx_dump(&fx);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        test_assert_int(call(&fx, OP_ADD, "bob@example.se", bad[i], 0),
                        PK_EINVAL);
        test_assert_int(call(&fx, OP_PASSWD, "alice@example.se", bad[i], 0),
                        PK_EINVAL);
        /* The message never repeats the string. */
        test_assert(bad[i][0] == 0 || strstr(fx.error, bad[i]) == NULL);
    }
    test_assert(fx_unchanged(&fx, before));
    test_assert_int(get(&fx, "alice@example.se", &ent), PK_OK);
    test_assert_str(ent.u.account.password, FX_HASH);
    pk_entry_free(&ent);
    fixture_close(&fx);
    test_end();
}

static void test_account_passwd_replaces_the_hash(void)
{
    struct fixture fx;
    struct pk_entry ent;

    test_begin("account: passwd stores the new hash; not for aliases");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(call(&fx, OP_PASSWD, "Alice@example.se", OTHER_HASH, 0),
                    PK_OK);
    test_assert_int(get(&fx, "alice@example.se", &ent), PK_OK);
    test_assert_str(ent.u.account.password, OTHER_HASH);
    pk_entry_free(&ent);
    test_assert_int(call(&fx, OP_PASSWD, "bob@example.se", OTHER_HASH, 0),
                    PK_NOTFOUND);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(call(&fx, OP_PASSWD, "info@example.se", OTHER_HASH, 0),
                    PK_EINVAL);
    test_assert(strstr(fx.error, "alias") != NULL);
    fixture_close(&fx);
    test_end();
}

static void test_account_states_are_stored(void)
{
    struct fixture fx;
    struct pk_entry ent;

    test_begin("account: every state is stored; an unknown one is refused");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    for (int s = PK_STATE_DISABLED; s >= PK_STATE_ACTIVE; s--) {
        test_assert_int(call(&fx, OP_STATE, "alice@example.se", NULL, s),
                        PK_OK);
        test_assert_int(get(&fx, "alice@example.se", &ent), PK_OK);
        test_assert_int(ent.u.account.state, s);
        pk_entry_free(&ent);
    }
    test_assert_int(
        call(&fx, OP_STATE, "alice@example.se", NULL, PK_STATE_DISABLED + 1),
        PK_EINVAL);
    test_assert_int(call(&fx, OP_STATE, "bob@example.se", NULL, 0),
                    PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

/* state_of - pk_account_state(); -1 for any answer but PK_OK */

static int state_of(struct fixture *fx, const char *addr, int *status_r)
{
    struct pk_txn *txn = fx_read(fx);
    enum pk_account_state state = PK_STATE_ACTIVE;

    *status_r = pk_account_state(txn, addr, &state, &fx->error);
    pk_txn_end(&txn);
    return *status_r == PK_OK ? (int)state : -1;
}

static void test_account_state_read_in_place(void)
{
    struct fixture fx;
    char key[] = "example.se\0bad";
    int status;

    test_begin("account: the state alone, as pk_account_get() would say");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(
        call(&fx, OP_STATE, "alice@example.se", NULL, PK_STATE_SUSPENDED),
        PK_OK);
    test_assert_int(state_of(&fx, "Alice@EXAMPLE.se", &status),
                    PK_STATE_SUSPENDED);
    /* An alias, an unknown address: no account there. */
    test_assert_int(state_of(&fx, "info@example.se", &status), -1);
    test_assert_int(status, PK_NOTFOUND);
    test_assert_int(state_of(&fx, "bob@example.se", &status), -1);
    test_assert_int(status, PK_NOTFOUND);
    test_assert_int(state_of(&fx, "not an address", &status), -1);
    test_assert_int(status, PK_EINVAL);
    /* A record that does not decode is an error, never "no account". */
    test_assert_int(fx_raw_put(&fx, PK_DB_ADDRESSES, key, sizeof(key) - 1,
                               "\x02\x01\x00", 3),
                    PK_OK);
    test_assert_int(state_of(&fx, "bad@example.se", &status), -1);
    test_assert_int(status, PK_ECORRUPT);
    fixture_close(&fx);
    test_end();
}

static void test_account_state_table(void)
{
    static const struct {
        enum pk_account_state state;
        bool login, send, receive;
    } table[] = {
        {PK_STATE_ACTIVE, true, true, true},
        {PK_STATE_SUSPENDED, false, false, true},
        {PK_STATE_SEND_BLOCKED, true, false, true},
        {PK_STATE_RECEIVE_BLOCKED, true, true, false},
        {PK_STATE_DISABLED, false, false, false},
    };

    test_begin("account: what each state allows: login, send, receive");
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        test_assert_int(pk_state_may_login(table[i].state), table[i].login);
        test_assert_int(pk_state_may_send(table[i].state), table[i].send);
        test_assert_int(pk_state_may_receive(table[i].state), table[i].receive);
    }
    test_assert(!pk_state_may_login(99) && !pk_state_may_send(99) &&
                !pk_state_may_receive(99));
    test_end();
}

static void test_account_quota_falls_back_to_the_domain(void)
{
    struct fixture fx;

    test_begin("account: quota is its own, else the domain default");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert(quota(&fx, "alice@example.se", "example.se") == 0);
    test_assert_int(call(&fx, OP_DQUOTA, "example.se", NULL, 1000), PK_OK);
    test_assert(quota(&fx, "alice@example.se", "example.se") == 1000);
    test_assert_int(call(&fx, OP_QUOTA, "alice@example.se", NULL, 2000), PK_OK);
    test_assert(quota(&fx, "alice@example.se", "example.se") == 2000);
    /* 0 is unlimited, not "use the default". */
    test_assert_int(call(&fx, OP_QUOTA, "alice@example.se", NULL, 0), PK_OK);
    test_assert(quota(&fx, "alice@example.se", "example.se") == 0);
    test_assert_int(
        call(&fx, OP_QUOTA, "alice@example.se", NULL, PK_QUOTA_DOMAIN), PK_OK);
    test_assert(quota(&fx, "alice@example.se", "example.se") == 1000);
    test_assert_int(call(&fx, OP_QUOTA, "bob@example.se", NULL, 5),
                    PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static void test_account_forward_set_and_cleared(void)
{
    struct fixture fx;
    struct pk_entry ent;
    struct pk_strlist many = {0};
    char *before, addr[64];

    test_begin("account: forwarding is normalized, checked, and cleared");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "bob@example.se"), PK_OK);
    test_assert_int(fx_forward(&fx, "alice@example.se", "keep",
                               "Alice@Elsewhere.ORG", "BOB@example.se",
                               "alice@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(get(&fx, "alice@example.se", &ent), PK_OK);
    test_assert_int(ent.u.account.forward.count, 2);
    test_assert(pk_strlist_has(&ent.u.account.forward, "alice@elsewhere.org"));
    test_assert(pk_strlist_has(&ent.u.account.forward, "bob@example.se"));
    test_assert(ent.u.account.keep_copy);
    pk_entry_free(&ent);

    /* Refused: an unknown local destination, too many, not an address. */
    before = fx_dump(&fx);
    test_assert_int(
        fx_forward(&fx, "alice@example.se", NULL, "nobody@example.se", NULL),
        PK_EINVAL);
    test_assert(strstr(fx.error, "nobody@example.se") != NULL);
    test_assert_int(
        fx_forward(&fx, "alice@example.se", NULL, "bad address", NULL),
        PK_EINVAL);
    test_assert_int(
        fx_forward(&fx, "carol@example.se", NULL, "x@elsewhere.org", NULL),
        PK_NOTFOUND);
    for (int i = 0; i <= PK_DEST_MAX; i++) {
        snprintf(addr, sizeof(addr), "u%d@elsewhere.org", i);
        pk_strlist_add(&many, addr);
    }
    {
        struct fx_call c = {.fn = fx_do_forward, .a = "alice@example.se"};

        c.list = many; /* fx_call_write frees it */
        test_assert_int(fx_call_write(&fx, &c), PK_EINVAL);
    }
    test_assert(fx_unchanged(&fx, before));

    /* An empty list turns forwarding off, keep copy with it. */
    test_assert_int(fx_forward(&fx, "alice@example.se", "keep", NULL), PK_OK);
    test_assert_int(get(&fx, "alice@example.se", &ent), PK_OK);
    test_assert_int(ent.u.account.forward.count, 0);
    test_assert(!ent.u.account.keep_copy);
    pk_entry_free(&ent);
    fixture_close(&fx);
    test_end();
}

static void test_account_del_removes_it(void)
{
    struct fixture fx;
    struct pk_entry ent;
    char *before;

    test_begin("account: del removes the account; an unknown one is absent");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(call(&fx, OP_DEL, "ALICE@example.se", NULL, 0), PK_OK);
    test_assert_int(get(&fx, "alice@example.se", &ent), PK_NOTFOUND);
    before = fx_dump(&fx);
    test_assert_int(call(&fx, OP_DEL, "alice@example.se", NULL, 0),
                    PK_NOTFOUND);
    test_assert(fx_unchanged(&fx, before));
    test_assert_int(fx_alias(&fx, "info@example.se", "x@elsewhere.org", NULL),
                    PK_OK);
    before = fx_dump(&fx);
    test_assert_int(call(&fx, OP_DEL, "info@example.se", NULL, 0), PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    /* The address is free again. */
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_account_del_refused_while_named(void)
{
    struct fixture fx;
    char *before;

    test_begin("account: del refused while an alias or a forward names it");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "bob@example.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(
        fx_forward(&fx, "bob@example.se", NULL, "alice@example.se", NULL),
        PK_OK);
    before = fx_dump(&fx);
    test_assert_int(call(&fx, OP_DEL, "alice@example.se", NULL, 0), PK_EINVAL);
    test_assert(strstr(fx.error, "info@example.se") != NULL ||
                strstr(fx.error, "bob@example.se") != NULL);
    test_assert(fx_unchanged(&fx, before));
    test_assert_int(fx_unalias(&fx, "info@example.se", NULL), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(call(&fx, OP_DEL, "alice@example.se", NULL, 0), PK_EINVAL);
    test_assert(strstr(fx.error, "bob@example.se") != NULL);
    test_assert(fx_unchanged(&fx, before));
    test_assert_int(fx_forward(&fx, "bob@example.se", NULL, NULL), PK_OK);
    test_assert_int(call(&fx, OP_DEL, "alice@example.se", NULL, 0), PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_account_del_refused_when_reached_indirectly(void)
{
    struct fixture fx;
    char *before;

    test_begin(
        "account: del refused while reached by subaddress or alias domain");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "bob@example.se"), PK_OK);
    test_assert_int(
        fx_alias(&fx, "info@example.se", "alice+tag@example.se", NULL), PK_OK);
    test_assert_int(fx_alias(&fx, "sales@example.se", "bob@example.nu", NULL),
                    PK_OK);
    before = fx_dump(&fx);
    test_assert_int(call(&fx, OP_DEL, "alice@example.se", NULL, 0), PK_EINVAL);
    test_assert(strstr(fx.error, "info@example.se") != NULL);
    test_assert_int(call(&fx, OP_DEL, "bob@example.se", NULL, 0), PK_EINVAL);
    test_assert(strstr(fx.error, "sales@example.se") != NULL);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_account_del_with_forward_to_itself(void)
{
    struct fixture fx;

    test_begin("account: its own forwarding to itself does not block del");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_forward(&fx, "alice@example.se", NULL,
                               "alice@example.se", "a@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(call(&fx, OP_DEL, "alice@example.se", NULL, 0), PK_OK);
    fixture_close(&fx);
    test_end();
}

static int count_grants(const char *login, const char *addr, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

static void test_account_del_removes_its_grants(void)
{
    struct fixture fx;
    struct pk_txn *txn;
    int n = 0;

    test_begin("account: del removes the account's own send-as grants");
    setup(&fx);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "bob@example.se"), PK_OK);
    test_assert_int(fx_grant(&fx, "alice@example.se", "billing@example.se"),
                    PK_OK);
    test_assert_int(fx_grant(&fx, "alice@example.se", "@example.nu"), PK_OK);
    test_assert_int(fx_grant(&fx, "bob@example.se", "billing@example.se"),
                    PK_OK);
    test_assert_int(call(&fx, OP_DEL, "alice@example.se", NULL, 0), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(pk_sendas_list(txn, NULL, count_grants, &n, &fx.error),
                    PK_OK);
    pk_txn_end(&txn);
    test_assert_int(n, 1); /* bob's */
    /* A new alice starts with no grants. */
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    n = 0;
    txn = fx_read(&fx);
    test_assert_int(
        pk_sendas_list(txn, "alice@example.se", count_grants, &n, &fx.error),
        PK_OK);
    pk_txn_end(&txn);
    test_assert_int(n, 0);
    fixture_close(&fx);
    test_end();
}

static int count_entries(const char *addr, const struct pk_entry *ent,
                         void *ctx)
{
    struct pk_strlist *list = ctx;

    pk_strlist_add(list, addr);
    return 0;
}

static void test_account_entry_iter_by_domain(void)
{
    struct fixture fx;
    struct pk_strlist list = {0};
    struct pk_txn *txn;

    test_begin("account: entries are listed per domain or all, in order");
    setup(&fx);
    test_assert_int(fx_domain(&fx, "example.sex"), PK_OK);
    test_assert_int(fx_account(&fx, "b@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "a@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "a@example.sex"), PK_OK);
    test_assert_int(fx_alias(&fx, "@example.se", "a@example.se", NULL), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(
        pk_entry_iter(txn, "example.se", count_entries, &list, &fx.error),
        PK_OK);
    test_assert_int(list.count, 3);
    test_assert(list.count == 3 && strcmp(list.items[0], "@example.se") == 0 &&
                strcmp(list.items[1], "a@example.se") == 0 &&
                strcmp(list.items[2], "b@example.se") == 0);
    pk_strlist_free(&list);
    test_assert_int(pk_entry_iter(txn, NULL, count_entries, &list, &fx.error),
                    PK_OK);
    test_assert_int(list.count, 4);
    pk_strlist_free(&list);
    pk_txn_end(&txn);
    fixture_close(&fx);
    test_end();
}

int main(void)
{
    test_account_add_then_get();
    test_account_in_idna_domain();
    test_account_refused_where_it_cannot_live();
    test_account_and_alias_never_share_an_address();
    test_account_unsafe_local_parts_are_refused();
    test_account_invalid_hash_is_refused();
    test_account_passwd_replaces_the_hash();
    test_account_states_are_stored();
    test_account_state_table();
    test_account_state_read_in_place();
    test_account_quota_falls_back_to_the_domain();
    test_account_forward_set_and_cleared();
    test_account_del_removes_it();
    test_account_del_refused_while_named();
    test_account_del_refused_when_reached_indirectly();
    test_account_del_with_forward_to_itself();
    test_account_del_removes_its_grants();
    test_account_entry_iter_by_domain();
    return test_exit();
}
