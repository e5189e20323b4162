/*++
/* NAME
/*	test-auth 1
/* SUMMARY
/*	unit tests of the login decision (common/auth.c)
/* SYNOPSIS
/*	test-auth
/* DESCRIPTION
/*	A login name is normalized like an address and finds only an
/*	account; names with characters a host would interpret are refused
/*	as unknown; state and quota come back as the core sees them; the
/*	password verdicts; a corrupt record is an error, never "unknown".
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "account.h"
#include "auth.h"
#include "domain.h"
#include "fixture.h"
#include "test.h"

struct op {
    int kind;
    const char *addr;
    uint64_t n;
};

enum { OP_STATE, OP_QUOTA, OP_DQUOTA, OP_RAW };

/* do_op - one change in a write transaction */

static int do_op(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct op *op = ctx;

    switch (op->kind) {
    case OP_STATE:
        return pk_account_set_state(txn, op->addr, (enum pk_account_state)op->n,
                                    error_r);
    case OP_QUOTA:
        return pk_account_set_quota(txn, op->addr, op->n, error_r);
    case OP_DQUOTA:
        return pk_domain_set_quota(txn, op->addr, op->n, error_r);
    default: {
        /* A record that does not decode, at an account's key. */
        struct pk_addr a;
        char key[PK_KEY_MAX];
        size_t klen;
        static const unsigned char junk[] = {PK_REC_ACCOUNT, 1, 0xff};

        if (pk_addr_parse(op->addr, 0, &a, error_r) != PK_OK)
            return PK_EINVAL;
        klen = pk_addr_key(&a, key);
        return pk_txn_put(txn, PK_DB_ADDRESSES, key, klen, junk, sizeof(junk),
                          0, error_r);
    }
    }
}

static int run(struct fixture *fx, int kind, const char *addr, uint64_t n)
{
    struct op op = {kind, addr, n};

    return pk_store_write(fx->store, do_op, &op, &fx->error);
}

static int lookup(struct fixture *fx, const char *name, struct pk_auth *auth,
                  const char **error)
{
    struct pk_txn *txn = fx_read(fx);
    int status = pk_auth_lookup(txn, name, auth, error);

    pk_txn_end(&txn);
    return status;
}

static void test_auth_normalizes_case_and_idna(struct fixture *fx)
{
    struct pk_auth auth;
    const char *error;

    test_begin("a login name is normalized: case and IDNA U-labels");
    test_assert_int(lookup(fx, "Alice@Example.SE", &auth, &error), PK_OK);
    test_assert_str(auth.address, "alice@example.se");
    test_assert_str(auth.hash, FX_HASH);
    test_assert_int(lookup(fx, "carol@EXÄMPLE.se", &auth, &error), PK_OK);
    test_assert_str(auth.address, "carol@xn--exmple-cua.se");
    test_end();
}

static void test_auth_only_accounts_log_in(struct fixture *fx)
{
    struct pk_auth auth;
    const char *error;

    test_begin(
        "aliases, catch-alls, subaddresses and unknown names are not found");
    test_assert_int(lookup(fx, "info@example.se", &auth, &error), PK_NOTFOUND);
    test_assert_int(lookup(fx, "@example.se", &auth, &error), PK_NOTFOUND);
    test_assert_int(lookup(fx, "alice+tag@example.se", &auth, &error),
                    PK_NOTFOUND);
    test_assert_int(lookup(fx, "nobody@example.se", &auth, &error),
                    PK_NOTFOUND);
    test_assert(strstr(error, "no account") != NULL);
    test_assert_int(lookup(fx, "alice@example.org", &auth, &error),
                    PK_NOTFOUND);
    test_end();
}

static void test_auth_refuses_host_characters(struct fixture *fx)
{
    static const char *const bad[] = {
        "a%u@example.se",
        "a/b@example.se",
        "*",
        "a*@example.se",
        "%u",
        "alice@example.se ",
        " alice@example.se",
        "alice",
        "",
        "alice@",
        "alice@example.se\n",
        "al ice@example.se",
        "alice@@example.se",
        "../alice@example.se",
        "alice@example.se/..",
    };
    struct pk_auth auth;
    const char *error;
    char longname[2048];

    test_begin("odd login names are unknown users, never errors");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int st = lookup(fx, bad[i], &auth, &error);

        if (st != PK_NOTFOUND)
            printf("  \"%s\" gave %d\n", bad[i], st);
        test_assert_int(st, PK_NOTFOUND);
    }
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    test_assert_int(lookup(fx, longname, &auth, &error), PK_NOTFOUND);
    test_assert(strstr(error, "too long") != NULL);
    test_end();
}

static void test_auth_state_and_reason(struct fixture *fx)
{
    struct pk_auth auth;
    const char *error;

    test_begin("suspended and disabled accounts may not log in, with a reason");
    test_assert_int(lookup(fx, "alice@example.se", &auth, &error), PK_OK);
    test_assert(auth.may_login);
    test_assert_str(auth.reason, "");
    test_assert_int(run(fx, OP_STATE, "alice@example.se", PK_STATE_SUSPENDED),
                    PK_OK);
    test_assert_int(lookup(fx, "alice@example.se", &auth, &error), PK_OK);
    test_assert(!auth.may_login);
    test_assert_int(auth.state, PK_STATE_SUSPENDED);
    test_assert_str(auth.reason, "account suspended");
    test_assert_int(run(fx, OP_STATE, "alice@example.se", PK_STATE_DISABLED),
                    PK_OK);
    test_assert_int(lookup(fx, "alice@example.se", &auth, &error), PK_OK);
    test_assert_str(auth.reason, "account disabled");
    test_assert_int(
        run(fx, OP_STATE, "alice@example.se", PK_STATE_SEND_BLOCKED), PK_OK);
    test_assert_int(lookup(fx, "alice@example.se", &auth, &error), PK_OK);
    test_assert(auth.may_login);
    test_assert_int(run(fx, OP_STATE, "alice@example.se", PK_STATE_ACTIVE),
                    PK_OK);
    test_end();
}

static void test_auth_quota_in_effect(struct fixture *fx)
{
    struct pk_auth auth;
    const char *error;

    test_begin("the quota is the account's own or the domain default");
    test_assert_int(lookup(fx, "alice@example.se", &auth, &error), PK_OK);
    test_assert_int(auth.quota, 0);
    test_assert_int(run(fx, OP_DQUOTA, "example.se", 1000000), PK_OK);
    test_assert_int(lookup(fx, "alice@example.se", &auth, &error), PK_OK);
    test_assert_int(auth.quota, 1000000);
    test_assert_int(run(fx, OP_QUOTA, "alice@example.se", 5000), PK_OK);
    test_assert_int(lookup(fx, "alice@example.se", &auth, &error), PK_OK);
    test_assert_int(auth.quota, 5000);
    test_assert_int(run(fx, OP_QUOTA, "alice@example.se", PK_QUOTA_DOMAIN),
                    PK_OK);
    test_assert_int(run(fx, OP_DQUOTA, "example.se", 0), PK_OK);
    test_end();
}

static int verify(struct fixture *fx, const char *name, const char *pw,
                  enum pk_auth_result *res)
{
    struct pk_txn *txn = fx_read(fx);
    struct pk_auth auth;
    const char *error;
    int status = pk_auth_verify(txn, name, pw, &auth, res, &error);

    pk_txn_end(&txn);
    return status;
}

static void test_auth_verify_verdicts(struct fixture *fx)
{
    enum pk_auth_result res;

    test_begin(
        "verify: ok, mismatch, unknown, nologin only with the right password");
    test_assert_int(verify(fx, "ALICE@example.se", "secret", &res), PK_OK);
    test_assert_int(res, PK_AUTH_OK);
    test_assert_int(verify(fx, "alice@example.se", "Secret", &res), PK_OK);
    test_assert_int(res, PK_AUTH_MISMATCH);
    test_assert_int(verify(fx, "nobody@example.se", "secret", &res), PK_OK);
    test_assert_int(res, PK_AUTH_UNKNOWN);
    test_assert_int(verify(fx, "a%d@example.se", "secret", &res), PK_OK);
    test_assert_int(res, PK_AUTH_UNKNOWN);
    test_assert_int(run(fx, OP_STATE, "alice@example.se", PK_STATE_SUSPENDED),
                    PK_OK);
    test_assert_int(verify(fx, "alice@example.se", "secret", &res), PK_OK);
    test_assert_int(res, PK_AUTH_NOLOGIN);
    test_assert_int(verify(fx, "alice@example.se", "wrong", &res), PK_OK);
    test_assert_int(res, PK_AUTH_MISMATCH);
    test_assert_int(run(fx, OP_STATE, "alice@example.se", PK_STATE_ACTIVE),
                    PK_OK);
    test_end();
}

static int collect(const char *address, void *ctx)
{
    struct pk_strlist *list = ctx;

    return pk_strlist_add(list, address);
}

static void test_auth_iter_lists_accounts_only(struct fixture *fx)
{
    struct pk_strlist list = {0};
    struct pk_txn *txn = fx_read(fx);
    const char *error;

    test_begin("iteration lists every account and no alias");
    test_assert_int(pk_auth_iter(txn, collect, &list, &error), PK_OK);
    pk_txn_end(&txn);
    test_assert_int(list.count, 3);
    test_assert(pk_strlist_has(&list, "alice@example.se"));
    test_assert(pk_strlist_has(&list, "bob@example.se"));
    test_assert(pk_strlist_has(&list, "carol@xn--exmple-cua.se"));
    test_assert(!pk_strlist_has(&list, "info@example.se"));
    pk_strlist_free(&list);
    test_end();
}

static void test_auth_corrupt_is_an_error(struct fixture *fx)
{
    struct pk_auth auth;
    enum pk_auth_result res;
    const char *error;
    int st;

    test_begin("a corrupt account record is an error, not an unknown user");
    test_assert_int(run(fx, OP_RAW, "bob@example.se", 0), PK_OK);
    st = lookup(fx, "bob@example.se", &auth, &error);
    test_assert(st < 0);
    test_assert(st != PK_NOTFOUND);
    st = verify(fx, "bob@example.se", "secret", &res);
    test_assert(st < 0);
    test_end();
}

int main(void)
{
    struct fixture fx;

    fixture_open(&fx);
    if (fx_domain(&fx, "example.se") != PK_OK ||
        fx_domain(&fx, "exämple.se") != PK_OK ||
        fx_account(&fx, "alice@example.se") != PK_OK ||
        fx_account(&fx, "bob@example.se") != PK_OK ||
        fx_account(&fx, "carol@exämple.se") != PK_OK ||
        fx_alias(&fx, "info@example.se", "alice@example.se", NULL) != PK_OK ||
        fx_alias(&fx, "@example.se", "alice@example.se", NULL) != PK_OK) {
        printf("fixture: %s\n", fx.error);
        return 1;
    }
    test_auth_normalizes_case_and_idna(&fx);
    test_auth_only_accounts_log_in(&fx);
    test_auth_refuses_host_characters(&fx);
    test_auth_state_and_reason(&fx);
    test_auth_quota_in_effect(&fx);
    test_auth_verify_verdicts(&fx);
    test_auth_iter_lists_accounts_only(&fx);
    test_auth_corrupt_is_an_error(&fx);
    fixture_close(&fx);
    return test_exit();
}
