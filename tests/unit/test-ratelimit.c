/*++
/* NAME
/*	test-ratelimit 1
/* SUMMARY
/*	unit tests for common/ratelimit.c
/*--*/

#include "fixture.h"
#include "ratelimit.h"

static struct fixture fx;

struct set_call {
    enum pk_ratelimit_scope scope;
    const char *subject;
    struct pk_ratelimit lim;
    int clear;
};

static int do_set(struct pk_txn *t, void *ctx, const char **e)
{
    struct set_call *c = ctx;

    if (c->clear)
        return pk_ratelimit_clear(t, c->scope, c->subject, e);
    return pk_ratelimit_set(t, c->scope, c->subject, &c->lim, e);
}

/* set - one setting in its own transaction */

static int set(enum pk_ratelimit_scope scope, const char *subject,
               uint32_t msgs, uint32_t rcpts, uint32_t window)
{
    struct set_call c = {scope, subject, {msgs, rcpts, window}, 0};

    return pk_store_write(fx.store, do_set, &c, &fx.error);
}

static int clear(enum pk_ratelimit_scope scope, const char *subject)
{
    struct set_call c = {scope, subject, {0, 0, 0}, 1};

    return pk_store_write(fx.store, do_set, &c, &fx.error);
}

static int effective(enum pk_ratelimit_scope scope, const char *subject,
                     struct pk_ratelimit *lim)
{
    struct pk_txn *txn = fx_read(&fx);
    int status = pk_ratelimit_effective(txn, scope, subject, lim, &fx.error);

    pk_txn_end(&txn);
    return status;
}

static void test_ratelimit_settings_override_default(void)
{
    struct pk_ratelimit lim;

    test_begin(
        "ratelimit: an override wins over the default, which wins over none");
    test_assert_int(effective(PK_RATELIMIT_ACCOUNT, "alice@example.se", &lim),
                    PK_OK);
    test_assert_int(lim.messages, 0);
    test_assert_int(lim.recipients, 0);
    test_assert_int(set(PK_RATELIMIT_ACCOUNT, NULL, 100, 500, 3600), PK_OK);
    test_assert_int(set(PK_RATELIMIT_ACCOUNT, "Alice@EXAMPLE.se", 5, 0, 60),
                    PK_OK);
    test_assert_int(set(PK_RATELIMIT_DOMAIN, "example.se", 1000, 0, 86400),
                    PK_OK);
    test_assert_int(effective(PK_RATELIMIT_ACCOUNT, "alice@example.se", &lim),
                    PK_OK);
    test_assert_int(lim.messages, 5);
    test_assert_int(lim.window, 60);
    test_assert_int(effective(PK_RATELIMIT_ACCOUNT, "bob@example.se", &lim),
                    PK_OK);
    test_assert_int(lim.messages, 100);
    test_assert_int(lim.recipients, 500);
    test_assert_int(effective(PK_RATELIMIT_DOMAIN, "EXAMPLE.SE", &lim), PK_OK);
    test_assert_int(lim.messages, 1000);
    test_assert_int(clear(PK_RATELIMIT_ACCOUNT, "alice@example.se"), PK_OK);
    test_assert_int(effective(PK_RATELIMIT_ACCOUNT, "alice@example.se", &lim),
                    PK_OK);
    test_assert_int(lim.messages, 100);
    test_assert_int(clear(PK_RATELIMIT_ACCOUNT, "alice@example.se"),
                    PK_NOTFOUND);
    test_end();
}

static void test_ratelimit_settings_validated(void)
{
    char *before = fx_dump(&fx);

    test_begin("ratelimit: unknown subjects and bad windows change nothing");
    test_assert_int(set(PK_RATELIMIT_ACCOUNT, "nobody@example.se", 1, 1, 60),
                    PK_NOTFOUND);
    test_assert_int(set(PK_RATELIMIT_DOMAIN, "example.nu", 1, 1, 60),
                    PK_NOTFOUND);
    test_assert_int(set(PK_RATELIMIT_DOMAIN, "elsewhere.org", 1, 1, 60),
                    PK_NOTFOUND);
    test_assert_int(set(PK_RATELIMIT_ACCOUNT, "not an address", 1, 1, 60),
                    PK_EINVAL);
    test_assert_int(set(PK_RATELIMIT_ACCOUNT, NULL, 1, 1, 0), PK_EINVAL);
    test_assert_int(
        set(PK_RATELIMIT_ACCOUNT, NULL, 1, 1, PK_RATELIMIT_WINDOW_MAX + 1),
        PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    test_end();
}

struct seen {
    char text[512];
};

static int collect(enum pk_ratelimit_scope scope, const char *subject,
                   const struct pk_ratelimit *lim, void *ctx)
{
    struct seen *s = ctx;
    size_t n = strlen(s->text);

    snprintf(s->text + n, sizeof(s->text) - n, "%s:%s=%u/%u/%u;",
             pk_ratelimit_scope_name(scope), subject, lim->messages,
             lim->recipients, lim->window);
    return 0;
}

static void test_ratelimit_list_all(void)
{
    struct seen s = {""};
    struct pk_txn *txn = fx_read(&fx);

    test_begin("ratelimit: list shows defaults and overrides by scope");
    test_assert_int(pk_ratelimit_list(txn, collect, &s, &fx.error), PK_OK);
    test_assert_str(s.text,
                    "account:=100/500/3600;domain:example.se=1000/0/86400;");
    pk_txn_end(&txn);
    test_end();
}

static void test_ratelimit_counters_window(void)
{
    struct pk_ratelimit_store *rs;
    struct pk_ratelimit lim = {3, 5, 60};
    struct pk_ratecount cnt;
    char dir[4096];
    const char *e = "";

    test_begin(
        "ratelimit: counters fill a window, survive reopening, reset after it");
    pk_ratelimit_dir(fx.dir, dir, sizeof(dir));
    test_assert_int(pk_ratelimit_open(dir, &rs, &e), PK_OK);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                       &lim, 1000, 1, 5, &cnt, &e),
                    PK_OK);
    test_assert(!cnt.over);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                       &lim, 1000, 1, 6, &cnt, &e),
                    PK_OK);
    test_assert(cnt.over);
    test_assert_int(pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                     &lim, 1000, 1, 2, &e),
                    PK_OK);
    test_assert_int(pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, "A@EXAMPLE.SE",
                                     &lim, 1010, 1, 2, &e),
                    PK_OK);
    pk_ratelimit_close(&rs);
    test_assert_int(pk_ratelimit_open(dir, &rs, &e), PK_OK);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                       &lim, 1020, 1, 1, &cnt, &e),
                    PK_OK);
    test_assert_int(cnt.messages, 2);
    test_assert_int(cnt.recipients, 4);
    test_assert_int(cnt.start, 1000);
    test_assert(!cnt.over);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                       &lim, 1020, 1, 2, &cnt, &e),
                    PK_OK);
    test_assert(cnt.over);
    test_assert_int(pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                     &lim, 1020, 1, 1, &e),
                    PK_OK);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                       &lim, 1059, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert(cnt.over);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                       &lim, 1060, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert(!cnt.over);
    test_assert_int(cnt.messages, 0);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_DOMAIN, "example.se",
                                       &lim, 1020, 1, 1, &cnt, &e),
                    PK_OK);
    test_assert_int(cnt.messages, 0);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "a@example.se",
                                       &lim, 500, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert(!cnt.over);
    pk_ratelimit_close(&rs);
    test_end();
}

static void test_ratelimit_no_limit_never_over(void)
{
    struct pk_ratelimit_store *rs;
    struct pk_ratelimit none = {0, 0, 60};
    struct pk_ratecount cnt;
    char dir[4096];
    const char *e = "";

    test_begin("ratelimit: without a limit nothing is counted or refused");
    pk_ratelimit_dir(fx.dir, dir, sizeof(dir));
    test_assert_int(pk_ratelimit_open(dir, &rs, &e), PK_OK);
    test_assert_int(pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, "z@example.se",
                                     &none, 1000, 1000000, 1000000, &e),
                    PK_OK);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "z@example.se",
                                       &none, 1000, 1, 1, &cnt, &e),
                    PK_OK);
    test_assert(!cnt.over);
    test_assert_int(cnt.messages, 0);
    pk_ratelimit_close(&rs);
    test_end();
}

int main(void)
{
    fixture_open(&fx);
    fx_domain(&fx, "example.se");
    fx_domain_alias(&fx, "example.nu", "example.se");
    fx_account(&fx, "alice@example.se");
    fx_account(&fx, "bob@example.se");
    test_ratelimit_settings_override_default();
    test_ratelimit_settings_validated();
    test_ratelimit_list_all();
    test_ratelimit_counters_window();
    test_ratelimit_no_limit_never_over();
    fixture_close(&fx);
    return test_exit();
}
