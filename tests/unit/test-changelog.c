/*++
/* NAME
/*	test-changelog 1
/* SUMMARY
/*	unit tests of the change log (common/changelog.c)
/* SYNOPSIS
/*	test-changelog
/* DESCRIPTION
/*	Every mutation of every module appends exactly one entry, with the
/*	actor, the operation and the subject, in order; a refused mutation
/*	appends nothing; no entry holds a password hash; the walk starts
/*	where asked and stops when told.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "changelog.h"
#include "fixture.h"
#include "test.h"

#define OTHER_HASH                                                             \
    "{SHA256-CRYPT}$5$QzYk3pTq8Lm2Vn4R$SeQYprt7gs3inX5qSCU.zeRaaOoFeGVTd4pCE"  \
    "x7pcH5"

enum op {
    OP_PASSWD,
    OP_STATE,
    OP_QUOTA,
    OP_DQUOTA,
    OP_REVOKE,
    OP_ADEL,
    OP_DDEL
};

struct call {
    enum op op;
    const char *a, *b;
    uint64_t n;
};

static int do_call(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct call *c = ctx;

    switch (c->op) {
    case OP_PASSWD:
        return pk_account_set_password(txn, c->a, c->b, error_r);
    case OP_STATE:
        return pk_account_set_state(txn, c->a, c->n, error_r);
    case OP_QUOTA:
        return pk_account_set_quota(txn, c->a, c->n, error_r);
    case OP_DQUOTA:
        return pk_domain_set_quota(txn, c->a, c->n, error_r);
    case OP_REVOKE:
        return pk_sendas_revoke(txn, c->a, c->b, error_r);
    case OP_ADEL:
        return pk_account_del(txn, c->a, error_r);
    case OP_DDEL:
        return pk_domain_del(txn, c->a, error_r);
    }
    return PK_EINVAL;
}

static int call(struct fixture *fx, enum op op, const char *a, const char *b,
                uint64_t n)
{
    struct call c = {op, a, b, n};

    return pk_store_write(fx->store, do_call, &c, &fx->error);
}

/* last_seq - the newest sequence number */

static uint64_t last_seq(struct fixture *fx)
{
    struct pk_txn *txn = fx_read(fx);
    uint64_t seq = 99999;

    if (pk_changelog_last(txn, &seq, &fx->error) != PK_OK)
        seq = 99999;
    pk_txn_end(&txn);
    return seq;
}

/* The entries read back, one "actor op subject|detail" line each. */
struct lines {
    struct pk_strlist text;
    uint64_t first, prev_time;
    int disorder;
};

static int collect(uint64_t seq, const struct pk_logrec *rec, void *ctx)
{
    struct lines *l = ctx;
    char line[1024];

    if (l->text.count == 0)
        l->first = seq;
    if (rec->time_us < l->prev_time || rec->time_us == 0)
        l->disorder++;
    l->prev_time = rec->time_us;
    snprintf(line, sizeof(line), "%s %s %s|%s", rec->actor, rec->op,
             rec->subject, rec->detail);
    pk_strlist_add(&l->text, line);
    return 0;
}

static int read_log(struct fixture *fx, uint64_t since, struct lines *l)
{
    struct pk_txn *txn = fx_read(fx);
    int status;

    memset(l, 0, sizeof(*l));
    status = pk_changelog_iter(txn, since, collect, l, &fx->error);
    pk_txn_end(&txn);
    return status;
}

/* starts - does the line start with "actor op subject|" */

static bool starts(const char *line, const char *want)
{
    return strncmp(line, want, strlen(want)) == 0;
}

/* one_more - the mutation appended exactly one entry, and it is this */

static bool one_more(struct fixture *fx, uint64_t *seq, const char *want)
{
    struct lines l;
    uint64_t now = last_seq(fx);
    bool ok;

    read_log(fx, *seq + 1, &l);
    ok = now == *seq + 1 && l.text.count == 1 && l.first == now &&
         starts(l.text.items[0], want);
    if (!ok)
        printf("  after %llu: last %llu, %zu new, \"%s\", wanted \"%s\"\n",
               (unsigned long long)*seq, (unsigned long long)now, l.text.count,
               l.text.count ? l.text.items[0] : "", want);
    *seq = now;
    pk_strlist_free(&l.text);
    return ok;
}

static void test_changelog_every_mutation_appends_one_entry(void)
{
    struct fixture fx;
    uint64_t seq;

    test_begin(
        "changelog: each mutation appends one entry: actor, op, subject");
    fixture_open(&fx);
    pk_store_set_actor(fx.store, "admin");
    seq = last_seq(&fx);
    test_assert_int(seq, 0);
    test_assert_int(fx_domain(&fx, "Example.SE"), PK_OK);
    test_assert(one_more(&fx, &seq, "admin domain.add example.se|"));
    test_assert_int(seq, 1);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "example.se"), PK_OK);
    test_assert(
        one_more(&fx, &seq, "admin domain.alias example.nu|example.se"));
    test_assert_int(call(&fx, OP_DQUOTA, "example.se", NULL, 1000), PK_OK);
    test_assert(one_more(&fx, &seq, "admin domain.quota example.se|1000"));
    test_assert_int(fx_account(&fx, "Alice@example.se"), PK_OK);
    test_assert(one_more(&fx, &seq, "admin account.add alice@example.se|"));
    test_assert_int(fx_account(&fx, "bob@example.se"), PK_OK);
    test_assert(one_more(&fx, &seq, "admin account.add bob@example.se|"));
    test_assert_int(call(&fx, OP_PASSWD, "alice@example.se", OTHER_HASH, 0),
                    PK_OK);
    test_assert(one_more(&fx, &seq, "admin account.passwd alice@example.se|"));
    test_assert_int(
        call(&fx, OP_STATE, "alice@example.se", NULL, PK_STATE_SUSPENDED),
        PK_OK);
    test_assert(
        one_more(&fx, &seq, "admin account.state alice@example.se|suspended"));
    test_assert_int(call(&fx, OP_QUOTA, "alice@example.se", NULL, 5), PK_OK);
    test_assert(one_more(&fx, &seq, "admin account.quota alice@example.se|5"));
    test_assert_int(
        fx_forward(&fx, "alice@example.se", "keep", "a@elsewhere.org", NULL),
        PK_OK);
    test_assert(one_more(&fx, &seq, "admin account.forward alice@example.se|"));
    pk_store_set_actor(fx.store, "panel:42");
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se",
                             "bob@example.se", NULL),
                    PK_OK);
    test_assert(one_more(&fx, &seq, "panel:42 alias.add info@example.se|"));
    test_assert_int(fx_unalias(&fx, "info@example.se", "bob@example.se", NULL),
                    PK_OK);
    test_assert(one_more(&fx, &seq, "panel:42 alias.remove info@example.se|"));
    test_assert_int(fx_unalias(&fx, "info@example.se", NULL), PK_OK);
    test_assert(one_more(&fx, &seq, "panel:42 alias.remove info@example.se|"));
    test_assert_int(fx_grant(&fx, "alice@example.se", "@example.nu"), PK_OK);
    test_assert(one_more(&fx, &seq,
                         "panel:42 sendas.grant alice@example.se|@example.nu"));
    test_assert_int(call(&fx, OP_REVOKE, "alice@example.se", "@example.nu", 0),
                    PK_OK);
    test_assert(one_more(
        &fx, &seq, "panel:42 sendas.revoke alice@example.se|@example.nu"));
    test_assert_int(call(&fx, OP_ADEL, "alice@example.se", NULL, 0), PK_OK);
    test_assert(one_more(&fx, &seq, "panel:42 account.del alice@example.se|"));
    test_assert_int(call(&fx, OP_ADEL, "bob@example.se", NULL, 0), PK_OK);
    test_assert(one_more(&fx, &seq, "panel:42 account.del bob@example.se|"));
    test_assert_int(call(&fx, OP_DDEL, "example.nu", NULL, 0), PK_OK);
    test_assert(one_more(&fx, &seq, "panel:42 domain.del example.nu|"));
    test_assert_int(seq, 17);
    fixture_close(&fx);
    test_end();
}

static void test_changelog_refused_mutations_append_nothing(void)
{
    struct fixture fx;
    uint64_t seq;
    char *before;

    test_begin("changelog: a refused mutation appends nothing");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    seq = last_seq(&fx);
    before = fx_dump(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_EEXIST);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "missing.se"),
                    PK_EINVAL);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_EEXIST);
    test_assert_int(fx_account(&fx, "x@missing.se"), PK_EINVAL);
    test_assert_int(call(&fx, OP_PASSWD, "alice@example.se", "{PLAIN}x", 0),
                    PK_EINVAL);
    test_assert_int(call(&fx, OP_STATE, "nobody@example.se", NULL, 1),
                    PK_NOTFOUND);
    test_assert_int(
        fx_forward(&fx, "alice@example.se", NULL, "nobody@example.se", NULL),
        PK_EINVAL);
    test_assert_int(fx_alias(&fx, "info@example.se", "info@example.se", NULL),
                    PK_EINVAL);
    test_assert_int(fx_alias(&fx, "x@example.se", "nobody@example.se", NULL),
                    PK_EINVAL);
    test_assert_int(fx_unalias(&fx, "info@example.se", "bob@example.se", NULL),
                    PK_EINVAL);
    test_assert_int(call(&fx, OP_ADEL, "alice@example.se", NULL, 0), PK_EINVAL);
    test_assert_int(call(&fx, OP_DDEL, "example.se", NULL, 0), PK_EINVAL);
    test_assert_int(call(&fx, OP_REVOKE, "alice@example.se", "a@b.se", 0),
                    PK_NOTFOUND);
    test_assert_int(fx_grant(&fx, "info@example.se", "a@b.se"), PK_NOTFOUND);
    test_assert_int(last_seq(&fx), seq);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_changelog_never_holds_a_hash(void)
{
    struct fixture fx;
    struct lines l;

    test_begin("changelog: no entry holds a password hash");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(call(&fx, OP_PASSWD, "alice@example.se", OTHER_HASH, 0),
                    PK_OK);
    test_assert_int(call(&fx, OP_PASSWD, "alice@example.se", FX_HASH, 0),
                    PK_OK);
    test_assert_int(read_log(&fx, 0, &l), PK_OK);
    test_assert_int(l.text.count, 4);
    for (size_t i = 0; i < l.text.count; i++) {
        test_assert(strstr(l.text.items[i], "$6$") == NULL);
        test_assert(strstr(l.text.items[i], "$5$") == NULL);
        test_assert(strstr(l.text.items[i], "CRYPT") == NULL);
        test_assert(strstr(l.text.items[i], "9Jam6yySh6v0Nv") == NULL);
    }
    pk_strlist_free(&l.text);
    fixture_close(&fx);
    test_end();
}

static int stop_at_second(uint64_t seq, const struct pk_logrec *rec, void *ctx)
{
    return ++*(int *)ctx == 2 ? 9 : 0;
}

static void test_changelog_walk_from_and_stop(void)
{
    struct fixture fx;
    struct lines l;
    struct pk_txn *txn;
    int calls = 0;

    test_begin(
        "changelog: the walk starts at since, in order, stops on demand");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "a.se"), PK_OK);
    test_assert_int(fx_domain(&fx, "b.se"), PK_OK);
    test_assert_int(fx_domain(&fx, "c.se"), PK_OK);
    test_assert_int(read_log(&fx, 0, &l), PK_OK);
    test_assert_int(l.text.count, 3);
    test_assert_int(l.first, 1);
    test_assert_int(l.disorder, 0);
    test_assert(l.text.count == 3 && strstr(l.text.items[0], "a.se") &&
                strstr(l.text.items[2], "c.se"));
    pk_strlist_free(&l.text);
    test_assert_int(read_log(&fx, 2, &l), PK_OK);
    test_assert_int(l.text.count, 2);
    test_assert_int(l.first, 2);
    pk_strlist_free(&l.text);
    test_assert_int(read_log(&fx, 4, &l), PK_OK);
    test_assert_int(l.text.count, 0);
    txn = fx_read(&fx);
    test_assert_int(
        pk_changelog_iter(txn, 0, stop_at_second, &calls, &fx.error), 9);
    pk_txn_end(&txn);
    test_assert_int(calls, 2);
    fixture_close(&fx);
    test_end();
}

static void test_changelog_corrupt_entry_is_an_error(void)
{
    static const unsigned char key[8] = {0, 0, 0, 0, 0, 0, 0, 2};
    struct fixture fx;
    struct lines l;

    test_begin("changelog: a corrupt entry stops the walk with PK_ECORRUPT");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "a.se"), PK_OK);
    test_assert_int(fx_raw_put(&fx, PK_DB_LOG, key, 8, "\4\1", 2), PK_OK);
    test_assert_int(read_log(&fx, 0, &l), PK_ECORRUPT);
    test_assert(strstr(fx.error, "2") != NULL);
    test_assert_int(l.text.count, 1);
    pk_strlist_free(&l.text);
    /* The next entry still gets the next number. */
    test_assert_int(fx_domain(&fx, "b.se"), PK_OK);
    test_assert_int(last_seq(&fx), 3);
    fixture_close(&fx);
    test_end();
}

int main(void)
{
    test_changelog_every_mutation_appends_one_entry();
    test_changelog_refused_mutations_append_nothing();
    test_changelog_never_holds_a_hash();
    test_changelog_walk_from_and_stop();
    test_changelog_corrupt_entry_is_an_error();
    return test_exit();
}
