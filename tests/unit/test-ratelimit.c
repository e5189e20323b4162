/*++
/* NAME
/*	test-ratelimit 1
/* SUMMARY
/*	unit tests for common/ratelimit.c
/*--*/

#include <sys/wait.h>
#include <unistd.h>

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

/* More subjects than the table of pending counters holds. */
#define SUBJECTS (3 * PK_RATELIMIT_PENDING_MAX)

static void test_ratelimit_counts_pending_until_flushed(void)
{
    struct pk_ratelimit_store *rs;
    struct pk_ratelimit lim = {5, 0, 60};
    struct pk_ratecount cnt;
    char dir[4096], who[64];
    const char *e = "";
    bool all = true;

    test_begin("ratelimit: counts are seen at once, stored at flush, and a "
               "full table flushes by itself");
    pk_ratelimit_dir(fx.dir, dir, sizeof(dir));
    test_assert_int(pk_ratelimit_open(dir, &rs, &e), PK_OK);
    test_assert_int(pk_ratelimit_pending(rs), 0);
    test_assert_int(pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, "p@example.se",
                                     &lim, 2000, 1, 3, &e),
                    PK_OK);
    test_assert_int(pk_ratelimit_pending(rs), 1);
    test_assert_int(pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, "P@example.se",
                                     &lim, 2001, 1, 3, &e),
                    PK_OK);
    test_assert_int(pk_ratelimit_pending(rs), 1);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "p@example.se",
                                       &lim, 2002, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert_int(cnt.messages, 2);
    test_assert_int(cnt.recipients, 6);
    test_assert_int(cnt.start, 2000);
    test_assert_int(pk_ratelimit_flush(rs, &e), PK_OK);
    test_assert_int(pk_ratelimit_pending(rs), 0);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "p@example.se",
                                       &lim, 2002, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert_int(cnt.messages, 2);
    /* More subjects than the table holds: nothing is lost on the way. */
    for (int i = 0; i < SUBJECTS; i++) {
        snprintf(who, sizeof(who), "u%d@example.se", i);
        if (pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, who, &lim, 2000, 1, 1,
                             &e) != PK_OK)
            all = false;
    }
    test_assert(all);
    test_assert(pk_ratelimit_pending(rs) <= PK_RATELIMIT_PENDING_MAX);
    test_assert(pk_ratelimit_pending(rs) > 0);
    pk_ratelimit_close(&rs);
    test_assert_int(pk_ratelimit_open(dir, &rs, &e), PK_OK);
    for (int i = 0; i < SUBJECTS; i++) {
        snprintf(who, sizeof(who), "u%d@example.se", i);
        if (pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, who, &lim, 2010, 1, 0,
                               &cnt, &e) != PK_OK ||
            cnt.messages != 1)
            all = false;
    }
    test_assert(all);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "p@example.se",
                                       &lim, 2010, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert_int(cnt.messages, 2);
    pk_ratelimit_close(&rs);
    test_end();
}

static void test_ratelimit_subject_reads_limit_once(void)
{
    struct pk_ratelimit_store *rs;
    struct pk_ratesubject sub, dom;
    struct pk_ratecount cnt;
    struct pk_txn *txn;
    char dir[4096];
    const char *e = "";

    test_begin("ratelimit: a subject carries its key and the limit in force");
    test_assert_int(set(PK_RATELIMIT_ACCOUNT, "bob@example.se", 1, 0, 60),
                    PK_OK);
    txn = fx_read(&fx);
    test_assert_int(pk_ratelimit_subject(txn, NULL, PK_RATELIMIT_ACCOUNT,
                                         "BOB@example.se", &sub, &e),
                    PK_OK);
    pk_txn_end(&txn);
    test_assert_int(sub.lim.messages, 1);
    test_assert_str(sub.key, "a:bob@example.se");
    pk_ratelimit_dir(fx.dir, dir, sizeof(dir));
    test_assert_int(pk_ratelimit_open(dir, &rs, &e), PK_OK);
    test_assert_int(pk_ratelimit_check_subject(rs, &sub, 3000, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert(!cnt.over);
    test_assert_int(pk_ratelimit_add_subject(rs, &sub, 3000, 1, 1, &e), PK_OK);
    test_assert_int(pk_ratelimit_check_subject(rs, &sub, 3001, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert(cnt.over);
    pk_ratelimit_close(&rs);
    txn = fx_read(&fx);
    test_assert_int(pk_ratelimit_subject(txn, NULL, PK_RATELIMIT_DOMAIN,
                                         "bad..domain", &sub, &e),
                    PK_EINVAL);
    pk_txn_end(&txn);
    test_assert_int(clear(PK_RATELIMIT_ACCOUNT, "bob@example.se"), PK_OK);
    /* An account's domain subject is the domain's own subject. */
    test_assert_int(set(PK_RATELIMIT_DOMAIN, "example.se", 7, 0, 60), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(pk_ratelimit_subject(txn, NULL, PK_RATELIMIT_ACCOUNT,
                                         "Bob@EXAMPLE.se", &sub, &e),
                    PK_OK);
    test_assert_int(pk_ratelimit_subject_domain(txn, NULL, &sub, &dom, &e),
                    PK_OK);
    test_assert_str(dom.key, "d:example.se");
    test_assert_int(dom.lim.messages, 7);
    test_assert_int(pk_ratelimit_subject(txn, NULL, PK_RATELIMIT_ACCOUNT,
                                         "a@ex\xc3\xa4mple.se", &sub, &e),
                    PK_OK);
    test_assert_int(pk_ratelimit_subject_domain(txn, NULL, &sub, &dom, &e),
                    PK_OK);
    test_assert_int(pk_ratelimit_subject(txn, NULL, PK_RATELIMIT_DOMAIN,
                                         "EX\xc3\x84MPLE.se", &sub, &e),
                    PK_OK);
    test_assert_str(dom.key, sub.key);
    test_assert_int(pk_ratelimit_subject_domain(txn, NULL, &sub, &dom, &e),
                    PK_EINVAL);
    pk_txn_end(&txn);
    test_assert_int(clear(PK_RATELIMIT_DOMAIN, "example.se"), PK_OK);
    test_end();
}

static void test_ratelimit_flush_keeps_counts_of_another_process(void)
{
    struct pk_ratelimit_store *rs, *other;
    struct pk_ratelimit lim = {100, 0, 60};
    struct pk_ratecount cnt;
    char dir[4096];
    const char *e = "";
    pid_t pid;
    int wstatus = -1;

    test_begin("ratelimit: a flush adds to what another process counted");
    pk_ratelimit_dir(fx.dir, dir, sizeof(dir));
    test_assert_int(pk_ratelimit_open(dir, &rs, &e), PK_OK);
    test_assert_int(pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, "m@example.se",
                                     &lim, 4000, 2, 0, &e),
                    PK_OK);
    if ((pid = fork()) == 0) {
        int ok = pk_ratelimit_open(dir, &other, &e) == PK_OK &&
                 pk_ratelimit_add(other, PK_RATELIMIT_ACCOUNT, "m@example.se",
                                  &lim, 4001, 3, 0, &e) == PK_OK;

        if (ok)
            pk_ratelimit_close(&other);
        _exit(ok ? 0 : 1);
    }
    test_assert(pid > 0 && waitpid(pid, &wstatus, 0) == pid &&
                WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
    test_assert_int(pk_ratelimit_add(rs, PK_RATELIMIT_ACCOUNT, "m@example.se",
                                     &lim, 4002, 1, 0, &e),
                    PK_OK);
    pk_ratelimit_close(&rs);
    test_assert_int(pk_ratelimit_open(dir, &rs, &e), PK_OK);
    test_assert_int(pk_ratelimit_check(rs, PK_RATELIMIT_ACCOUNT, "m@example.se",
                                       &lim, 4003, 1, 0, &cnt, &e),
                    PK_OK);
    test_assert_int(cnt.messages, 6);
    test_assert_int(cnt.start, 4000);
    pk_ratelimit_close(&rs);
    test_end();
}

/* write_then_subject - a setting changed, then read in the same write */

static struct pk_ratelimit_cache *write_cache;

static int write_then_subject(struct pk_txn *t, void *ctx, const char **e)
{
    const struct pk_ratelimit *lim = ctx;
    struct pk_ratesubject acc;
    int status;

    /* Fill the cache from this snapshot, then change what it holds. */
    if ((status = pk_ratelimit_subject(t, write_cache, PK_RATELIMIT_ACCOUNT,
                                       "bob@example.se", &acc, e)) != PK_OK ||
        (status = pk_ratelimit_set(t, PK_RATELIMIT_ACCOUNT, NULL, lim, e)) !=
            PK_OK ||
        (status = pk_ratelimit_subject(t, write_cache, PK_RATELIMIT_ACCOUNT,
                                       "bob@example.se", &acc, e)) != PK_OK)
        return status;
    return acc.lim.messages == lim->messages ? PK_OK : PK_ECORRUPT;
}

/* subject - the account subject of a login and its domain's, read anew */

static int subject(struct pk_ratelimit_cache *cache, const char *login,
                   struct pk_ratesubject *acc, struct pk_ratesubject *dom)
{
    struct pk_txn *txn = fx_read(&fx);
    int status = pk_ratelimit_subject(txn, cache, PK_RATELIMIT_ACCOUNT, login,
                                      acc, &fx.error);

    if (status == PK_OK)
        status = pk_ratelimit_subject_domain(txn, cache, acc, dom, &fx.error);
    pk_txn_end(&txn);
    return status;
}

static void test_ratelimit_cache_follows_every_change(void)
{
    struct pk_ratelimit_cache cache = {0};
    struct pk_ratesubject acc, dom;
    struct pk_ratelimit lim = {3, 4, 50};
    uint64_t id;

    test_begin("ratelimit: a cached default never hides a changed setting");
    test_assert_int(clear(PK_RATELIMIT_ACCOUNT, NULL), PK_OK);
    clear(PK_RATELIMIT_DOMAIN, NULL);
    clear(PK_RATELIMIT_DOMAIN, "example.se");
    test_assert_int(subject(&cache, "alice@example.se", &acc, &dom), PK_OK);
    test_assert_int(acc.lim.messages, 0);
    test_assert_int(dom.lim.messages, 0);
    test_assert(cache.loaded);
    test_assert(!cache.overrides[PK_RATELIMIT_ACCOUNT]);
    test_assert(!cache.overrides[PK_RATELIMIT_DOMAIN]);
    /* The same snapshot: the cache answers, and the same again. */
    id = cache.snapshot;
    test_assert_int(subject(&cache, "bob@example.se", &acc, &dom), PK_OK);
    test_assert(cache.snapshot == id);
    test_assert_int(acc.lim.messages, 0);
    /* A default set after the cache was filled applies at once. */
    test_assert_int(set(PK_RATELIMIT_ACCOUNT, NULL, 10, 0, 60), PK_OK);
    test_assert_int(subject(&cache, "bob@example.se", &acc, &dom), PK_OK);
    test_assert(cache.snapshot != id);
    test_assert_int(acc.lim.messages, 10);
    test_assert_int(acc.lim.window, 60);
    /* So does the first override, and the cache only says it exists. */
    test_assert_int(set(PK_RATELIMIT_ACCOUNT, "alice@example.se", 2, 0, 30),
                    PK_OK);
    test_assert_int(set(PK_RATELIMIT_DOMAIN, "example.se", 0, 9, 90), PK_OK);
    test_assert_int(subject(&cache, "ALICE@example.se", &acc, &dom), PK_OK);
    test_assert(cache.overrides[PK_RATELIMIT_ACCOUNT]);
    test_assert(cache.overrides[PK_RATELIMIT_DOMAIN]);
    test_assert_int(acc.lim.messages, 2);
    test_assert_int(dom.lim.recipients, 9);
    test_assert_int(subject(&cache, "bob@example.se", &acc, &dom), PK_OK);
    test_assert_int(acc.lim.messages, 10);
    test_assert_int(dom.lim.recipients, 9);
    /* An override cleared: the default again, not a remembered one. */
    test_assert_int(clear(PK_RATELIMIT_ACCOUNT, "alice@example.se"), PK_OK);
    test_assert_int(clear(PK_RATELIMIT_DOMAIN, "example.se"), PK_OK);
    test_assert_int(subject(&cache, "alice@example.se", &acc, &dom), PK_OK);
    test_assert(!cache.overrides[PK_RATELIMIT_ACCOUNT]);
    test_assert_int(acc.lim.messages, 10);
    test_assert_int(dom.lim.recipients, 0);
    /* A write transaction reads through, even with the cache given. */
    id = cache.snapshot;
    write_cache = &cache;
    test_assert_int(
        pk_store_write(fx.store, write_then_subject, &lim, &fx.error), PK_OK);
    test_assert(cache.snapshot == id);
    test_assert_int(clear(PK_RATELIMIT_ACCOUNT, NULL), PK_OK);
    test_assert_int(subject(&cache, "bob@example.se", &acc, &dom), PK_OK);
    test_assert_int(acc.lim.messages, 0);
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
    test_ratelimit_counts_pending_until_flushed();
    test_ratelimit_subject_reads_limit_once();
    test_ratelimit_flush_keeps_counts_of_another_process();
    test_ratelimit_cache_follows_every_change();
    fixture_close(&fx);
    return test_exit();
}
