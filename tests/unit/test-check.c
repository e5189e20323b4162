/*++
/* NAME
/*	test-check 1
/* SUMMARY
/*	unit tests of the database check (common/check.c)
/* SYNOPSIS
/*	test-check
/* DESCRIPTION
/*	A clean database has no problems. Each kind of damage, written past
/*	every check with raw puts, is reported once and names the entry;
/*	damage does not stop the walk, so all of it together is reported.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <stdarg.h>
#include <string.h>

#include "check.h"
#include "dkim.h"
#include "fixture.h"
#include "ratelimit.h"
#include "test.h"

static void report(const char *object, const char *msg, void *ctx)
{
    struct pk_strlist *list = ctx;
    char line[1024];

    snprintf(line, sizeof(line), "%s: %s", object, msg);
    pk_strlist_add(list, line);
}

/* check - run pk_check; the number of problems, -1 if it failed */

static int check(struct fixture *fx, struct pk_strlist *found)
{
    struct pk_txn *txn = fx_read(fx);
    size_t n = 0;
    int status = pk_check(txn, report, found, &n, &fx->error);

    pk_txn_end(&txn);
    if (status != PK_OK) {
        printf("  pk_check: %s\n", fx->error);
        return -1;
    }
    if (n != found->count)
        printf("  %zu problems counted, %zu reported\n", n, found->count);
    return (int)n;
}

/* found_once - exactly one report contains both words */

static bool found_once(const struct pk_strlist *found, const char *object,
                       const char *words)
{
    int n = 0;

    for (size_t i = 0; i < found->count; i++)
        if (strncmp(found->items[i], object, strlen(object)) == 0 &&
            strstr(found->items[i], words) != NULL)
            n++;
    if (n != 1) {
        printf("  \"%s\" ... \"%s\" reported %d times in:\n", object, words, n);
        for (size_t i = 0; i < found->count; i++)
            printf("    %s\n", found->items[i]);
    }
    return n == 1;
}

struct raw_entry {
    const char *addr;
    struct pk_entry ent;
};

static int raw_entry_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct raw_entry *r = ctx;

    return pk_entry_put(txn, r->addr, &r->ent, 0, error_r);
}

/* raw_alias - store an alias as it is, with no check at all */

static int raw_alias(struct fixture *fx, const char *addr, ...)
{
    struct raw_entry r = {.addr = addr, .ent = {.type = PK_REC_ALIAS}};
    const char *dest;
    va_list ap;
    int status;

    va_start(ap, addr);
    while ((dest = va_arg(ap, const char *)) != NULL)
        pk_strlist_add(&r.ent.u.alias.dest, dest);
    va_end(ap);
    status = pk_store_write(fx->store, raw_entry_fn, &r, &fx->error);
    pk_entry_free(&r.ent);
    return status;
}

/* raw_account - store an account as it is */

static int raw_account(struct fixture *fx, const char *addr, const char *hash)
{
    struct raw_entry r = {.addr = addr, .ent = {.type = PK_REC_ACCOUNT}};

    snprintf(r.ent.u.account.password, sizeof(r.ent.u.account.password), "%s",
             hash);
    return pk_store_write(fx->store, raw_entry_fn, &r, &fx->error);
}

/* setup - a small database with one of everything, all valid */

static void setup(struct fixture *fx)
{
    fixture_open(fx);
    if (fx_domain(fx, "example.se") != PK_OK ||
        fx_domain(fx, "exämple.se") != PK_OK ||
        fx_domain_alias(fx, "example.nu", "example.se") != PK_OK ||
        fx_account(fx, "alice@example.se") != PK_OK ||
        fx_account(fx, "bob@example.se") != PK_OK ||
        fx_account(fx, "user@exämple.se") != PK_OK ||
        fx_alias(fx, "info@example.se", "alice@example.se", "bob@example.nu",
                 "x@elsewhere.org", NULL) != PK_OK ||
        fx_alias(fx, "all@example.se", "info@example.se", "alice+x@example.se",
                 NULL) != PK_OK ||
        fx_alias(fx, "@example.se", "bob@example.se", NULL) != PK_OK ||
        fx_alias(fx, "sales@example.nu", "alice@example.se", NULL) != PK_OK ||
        fx_forward(fx, "bob@example.se", "keep", "bob@elsewhere.org",
                   "user@exämple.se", NULL) != PK_OK ||
        fx_grant(fx, "alice@example.se", "@example.nu") != PK_OK ||
        fx_grant(fx, "alice@example.se", "billing@example.se") != PK_OK) {
        printf("setup failed: %s\n", fx->error);
        exit(1);
    }
}

static void test_check_clean_database_has_no_problems(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};

    test_begin("check: an empty and a clean database have 0 problems");
    fixture_open(&fx);
    test_assert_int(check(&fx, &found), 0);
    fixture_close(&fx);
    setup(&fx);
    test_assert_int(check(&fx, &found), 0);
    test_assert_int(found.count, 0);
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_a_corrupt_record(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};
    char key[] = "example.se\0carol", newer[] = "example.se\0dave";

    test_begin("check: a record that does not decode is reported");
    setup(&fx);
    test_assert_int(
        fx_raw_put(&fx, PK_DB_ADDRESSES, key, sizeof(key) - 1, "\2\1junk", 6),
        PK_OK);
    test_assert_int(check(&fx, &found), 1);
    test_assert(found_once(&found, "carol@example.se", "corrupt"));
    pk_strlist_free(&found);
    test_assert_int(
        fx_raw_put(&fx, PK_DB_ADDRESSES, newer, sizeof(newer) - 1, "\2\7", 2),
        PK_OK);
    test_assert_int(check(&fx, &found), 2);
    test_assert(found_once(&found, "dave@example.se", "newer"));
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_alias_to_a_missing_account(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};

    test_begin("check: an alias naming a missing local address is reported");
    setup(&fx);
    test_assert_int(raw_alias(&fx, "lost@example.se", "gone@example.se",
                              "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(check(&fx, &found), 1);
    test_assert(found_once(&found, "lost@example.se", "gone@example.se"));
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_an_account_in_a_missing_domain(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};

    test_begin("check: an account or alias in a domain not hosted is reported");
    setup(&fx);
    test_assert_int(raw_account(&fx, "x@missing.se", FX_HASH), PK_OK);
    test_assert_int(check(&fx, &found), 1);
    test_assert(found_once(&found, "x@missing.se", "not hosted"));
    pk_strlist_free(&found);
    test_assert_int(raw_account(&fx, "y@example.nu", FX_HASH), PK_OK);
    test_assert_int(raw_alias(&fx, "@example.nu", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(check(&fx, &found), 3);
    test_assert(found_once(&found, "y@example.nu", "alias domain"));
    test_assert(found_once(&found, "@example.nu", "catch-all"));
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_a_bad_hash(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};

    test_begin("check: a password hash of an unknown scheme is reported");
    setup(&fx);
    test_assert_int(raw_account(&fx, "carol@example.se", "{PLAIN}secret"),
                    PK_OK);
    test_assert_int(raw_account(&fx, "dave@example.se", "nonsense"), PK_OK);
    test_assert_int(check(&fx, &found), 2);
    test_assert(found_once(&found, "carol@example.se", "hash"));
    test_assert(found_once(&found, "dave@example.se", "hash"));
    /* The report does not repeat the stored string. */
    test_assert(found.count == 2 && strstr(found.items[0], "secret") == NULL);
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_broken_domains(void)
{
    /* clang-format off */
    static const unsigned char alias_gone[] = {
        PK_REC_DOMAIN, 1, PK_DOMAIN_ALIAS,       /* type, version, kind */
        7, 0, 'g', 'o', 'n', 'e', '.', 's', 'e', /* target */
        0, 0, 0, 0, 0, 0, 0, 0,                  /* default quota */
        0, 0, 0, 0, 0, 0, 0, 0,                  /* created */
    };
    static const unsigned char hosted[] = {
        PK_REC_DOMAIN, 1, PK_DOMAIN_HOSTED,      /* type, version, kind */
        0, 0,                                    /* no target */
        0, 0, 0, 0, 0, 0, 0, 0,                  /* default quota */
        0, 0, 0, 0, 0, 0, 0, 0,                  /* created */
    };
    /* clang-format on */
    struct fixture fx;
    struct pk_strlist found = {0};

    test_begin("check: corrupt, unnormalized and dangling domains reported");
    setup(&fx);
    test_assert_int(fx_raw_put(&fx, PK_DB_DOMAINS, "broken.se", 9, "\1\1", 2),
                    PK_OK);
    test_assert_int(fx_raw_put(&fx, PK_DB_DOMAINS, "example.dk", 10, alias_gone,
                               sizeof(alias_gone)),
                    PK_OK);
    test_assert_int(check(&fx, &found), 2);
    test_assert(found_once(&found, "broken.se", "corrupt"));
    test_assert(found_once(&found, "example.dk", "gone.se"));
    pk_strlist_free(&found);
    test_assert_int(fx_raw_put(&fx, PK_DB_DOMAINS, "Example.ORG", 11, hosted,
                               sizeof(hosted)),
                    PK_OK);
    test_assert_int(check(&fx, &found), 3);
    test_assert(found_once(&found, "Example.ORG", "normalized"));
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_bad_keys_grants_and_log(void)
{
    static const unsigned char logkey[8] = {0xff, 0, 0, 0, 0, 0, 0, 0};
    struct fixture fx;
    struct pk_strlist found = {0};
    char badkey[] = "example.se\0Not Valid";
    char login[] = "example.se\0info", granted[] = "example.se\0x";

    test_begin("check: bad keys, a grant of a non-account, a bad log entry");
    setup(&fx);
    test_assert_int(
        fx_raw_put(&fx, PK_DB_ADDRESSES, badkey, sizeof(badkey) - 1, "\2\1", 2),
        PK_OK);
    test_assert_int(check(&fx, &found), 1);
    test_assert(found_once(&found, "(addresses)", "not a valid address"));
    pk_strlist_free(&found);

    test_assert_int(fx_raw_put(&fx, PK_DB_SENDAS, login, sizeof(login) - 1,
                               granted, sizeof(granted) - 1),
                    PK_OK);
    test_assert_int(check(&fx, &found), 2);
    test_assert(found_once(&found, "info@example.se", "not an account"));
    pk_strlist_free(&found);

    test_assert_int(fx_raw_put(&fx, PK_DB_LOG, logkey, 8, "\4\1", 2), PK_OK);
    test_assert_int(fx_raw_put(&fx, PK_DB_LOG, "short", 5, "\4\1", 2), PK_OK);
    test_assert_int(check(&fx, &found), 4);
    test_assert(found_once(&found, "(log)", "does not decode"));
    test_assert(found_once(&found, "(log)", "key of 5 bytes"));
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_loops_and_depth(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};
    char a[64], b[64];

    test_begin("check: an alias loop or too deep a nesting is reported");
    setup(&fx);
    test_assert_int(raw_alias(&fx, "l1@example.se", "l2@example.se", NULL),
                    PK_OK);
    test_assert_int(raw_alias(&fx, "l2@example.se", "l1@example.se", NULL),
                    PK_OK);
    test_assert_int(check(&fx, &found), 2);
    test_assert(found_once(&found, "l1@example.se", "loop"));
    test_assert(found_once(&found, "l2@example.se", "loop"));
    pk_strlist_free(&found);
    fixture_close(&fx);

    /* A chain one deeper than resolution follows, written as is. */
    setup(&fx);
    for (int i = 0; i <= PK_RESOLVE_MAX_DEPTH; i++) {
        snprintf(a, sizeof(a), "d%d@example.se", i);
        snprintf(b, sizeof(b), "d%d@example.se", i + 1);
        test_assert_int(
            raw_alias(&fx, a, i < PK_RESOLVE_MAX_DEPTH ? b : "alice@example.se",
                      NULL),
            PK_OK);
    }
    test_assert_int(check(&fx, &found), 1);
    test_assert(found_once(&found, "d0@example.se", "deeper"));
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_everything_at_once(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};
    char key[] = "example.se\0carol";

    test_begin("check: damage does not stop the walk; all of it is reported");
    setup(&fx);
    test_assert_int(
        fx_raw_put(&fx, PK_DB_ADDRESSES, key, sizeof(key) - 1, "\2\1junk", 6),
        PK_OK);
    test_assert_int(raw_alias(&fx, "lost@example.se", "gone@example.se", NULL),
                    PK_OK);
    test_assert_int(raw_account(&fx, "x@missing.se", FX_HASH), PK_OK);
    test_assert_int(raw_account(&fx, "dave@example.se", "{PLAIN}x"), PK_OK);
    test_assert_int(check(&fx, &found), 4);
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

/* raw_dkim - store a DKIM key record as it is */

static int raw_dkim(struct fixture *fx, const char *domain, const char *sel,
                    bool active, const char *pem)
{
    struct pk_dkimkey rec = {PK_DKIM_ED25519_SHA256, active, (char *)pem, 1};
    struct pk_buf buf = {0};
    char key[128];
    size_t dlen = strlen(domain), slen = strlen(sel);
    int status;

    memcpy(key, domain, dlen + 1);
    memcpy(key + dlen + 1, sel, slen);
    if ((status = pk_record_encode_dkim(&rec, &buf)) == PK_OK)
        status =
            fx_raw_put(fx, PK_DB_DKIM, key, dlen + 1 + slen, buf.data, buf.len);
    pk_buf_free(&buf);
    return status;
}

/* set_limit - pk_ratelimit_set in a write */

struct limit_call {
    enum pk_ratelimit_scope scope;
    const char *subject;
};

static int set_limit(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct limit_call *c = ctx;
    struct pk_ratelimit lim = {10, 20, 60};

    return pk_ratelimit_set(txn, c->scope, c->subject, &lim, error_r);
}

static void test_check_reports_a_stale_hint(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};

    test_begin("check: an alias hint that does not hold is reported");
    setup(&fx);
    test_assert_int(fx_stale_alias(&fx), PK_OK);
    test_assert_int(check(&fx, &found), 1);
    test_assert(found_once(&found, "stale@example.se",
                           "the record says bob@example.se is a mailbox"));
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_a_catchall_the_domain_denies(void)
{
    struct fixture fx;
    struct pk_strlist found = {0};
    /* example.se, hosted, its flags octet clear: "no catch-all". */
    static const char denies[] = "\x01\x02\x01\x00\x00"
                                 "\x00\x00\x00\x00\x00\x00\x00\x00"
                                 "\x00\x00\x00\x00\x00\x00\x00\x00"
                                 "\x00";

    test_begin("check: a domain flagged without a catch-all that has one");
    setup(&fx);
    test_assert_int(check(&fx, &found), 0);
    test_assert_int(fx_raw_put(&fx, PK_DB_DOMAINS, "example.se", 10, denies,
                               sizeof(denies) - 1),
                    PK_OK);
    test_assert_int(check(&fx, &found), 1);
    test_assert(found_once(&found, "example.se",
                           "says it has no catch-all, but @example.se exists"));
    pk_strlist_free(&found);
    fixture_close(&fx);
    test_end();
}

static void test_check_reports_bad_dkim_keys_and_rate_limits(void)
{
    static const unsigned char zero_window[] = {6, 1, 1, 0, 0, 0, 1,
                                                0, 0, 0, 0, 0, 0, 0};
    static const unsigned char newer[] = {6, 9, 1, 0,  0, 0, 1,
                                          0, 0, 0, 60, 0, 0, 0};
    static const unsigned char good[] = {6, 1, 1, 0,  0, 0, 1,
                                         0, 0, 0, 60, 0, 0, 0};
    struct limit_call acc = {PK_RATELIMIT_ACCOUNT, "alice@example.se"};
    struct limit_call dom = {PK_RATELIMIT_DOMAIN, "example.se"};
    struct fixture fx;
    struct pk_strlist found = {0};
    char *pem = NULL;

    test_begin("check: DKIM keys and rate limits are verified");
    setup(&fx);
    test_assert_int(
        pk_dkim_generate(PK_DKIM_ED25519_SHA256, 0, &pem, &fx.error), PK_OK);
    test_assert_int(raw_dkim(&fx, "example.se", "good", true, pem), PK_OK);
    test_assert_int(pk_store_write(fx.store, set_limit, &acc, &fx.error),
                    PK_OK);
    test_assert_int(pk_store_write(fx.store, set_limit, &dom, &fx.error),
                    PK_OK);
    test_assert_int(check(&fx, &found), 0);
    /* A second active key, a key that does not parse, one outside. */
    test_assert_int(raw_dkim(&fx, "example.se", "second", true, pem), PK_OK);
    test_assert_int(raw_dkim(&fx, "example.se", "junk", false, "junk"), PK_OK);
    test_assert_int(raw_dkim(&fx, "missing.se", "s1", false, pem), PK_OK);
    test_assert_int(
        fx_raw_put(&fx, PK_DB_DKIM, "example.se\0bad_sel", 18, "\5\1junk", 6),
        PK_OK);
    test_assert_int(check(&fx, &found), 5);
    test_assert(found_once(&found, "example.se:", "more than one active"));
    test_assert(found_once(&found, "bad_sel._domainkey.example.se",
                           "not a valid DKIM selector"));
    test_assert(found_once(&found, "junk._domainkey.example.se",
                           "not a ed25519-sha256 key"));
    test_assert(found_once(&found, "s1._domainkey.missing.se", "not hosted"));
    test_assert(found_once(&found, "bad_sel._domainkey.example.se", "corrupt"));
    pk_strlist_free(&found);
    fixture_close(&fx);

    setup(&fx);
    test_assert_int(fx_raw_put(&fx, PK_DB_META, "ratelimit:account", 17,
                               zero_window, sizeof(zero_window)),
                    PK_OK);
    test_assert_int(fx_raw_put(&fx, PK_DB_META, "ratelimit:domain", 16, newer,
                               sizeof(newer)),
                    PK_OK);
    test_assert_int(fx_raw_put(&fx, PK_DB_META,
                               "ratelimit:account:gone@example.se", 33, good,
                               sizeof(good)),
                    PK_OK);
    test_assert_int(fx_raw_put(&fx, PK_DB_META, "ratelimit:domain:example.nu",
                               27, good, sizeof(good)),
                    PK_OK);
    test_assert_int(
        fx_raw_put(&fx, PK_DB_META, "ratelimit:host", 14, good, sizeof(good)),
        PK_OK);
    test_assert_int(check(&fx, &found), 5);
    test_assert(found_once(&found, "ratelimit:account", "out of range"));
    test_assert(found_once(&found, "ratelimit:domain", "newer"));
    test_assert(found_once(&found, "ratelimit:account:gone@example.se",
                           "not an account"));
    test_assert(found_once(&found, "ratelimit:domain:example.nu",
                           "not a hosted domain"));
    test_assert(found_once(&found, "(meta)", "names no scope"));
    pk_strlist_free(&found);
    pk_dkim_pem_free(&pem);
    fixture_close(&fx);
    test_end();
}

int main(void)
{
    test_check_clean_database_has_no_problems();
    test_check_reports_a_corrupt_record();
    test_check_reports_alias_to_a_missing_account();
    test_check_reports_an_account_in_a_missing_domain();
    test_check_reports_a_bad_hash();
    test_check_reports_broken_domains();
    test_check_reports_bad_keys_grants_and_log();
    test_check_reports_loops_and_depth();
    test_check_reports_everything_at_once();
    test_check_reports_bad_dkim_keys_and_rate_limits();
    test_check_reports_a_stale_hint();
    test_check_reports_a_catchall_the_domain_denies();
    return test_exit();
}
