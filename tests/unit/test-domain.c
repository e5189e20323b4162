/*++
/* NAME
/*	test-domain 1
/* SUMMARY
/*	unit tests of hosted and alias domains (common/domain.c)
/* SYNOPSIS
/*	test-domain
/* DESCRIPTION
/*	Adding, duplicates in any spelling, IDNA U-labels finding the
/*	A-label entry, the rules of alias domains, removal refused while
/*	anything still lives in or points at a domain, default quotas,
/*	iteration, and a corrupt domain record.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "domain.h"
#include "fixture.h"
#include "test.h"

struct call {
    const char *name;
    uint64_t quota;
    int del;
};

static int do_domain(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct call *c = ctx;

    if (c->del)
        return pk_domain_del(txn, c->name, error_r);
    return pk_domain_set_quota(txn, c->name, c->quota, error_r);
}

static int domain_del(struct fixture *fx, const char *name)
{
    struct call c = {.name = name, .del = 1};

    return pk_store_write(fx->store, do_domain, &c, &fx->error);
}

static int domain_quota(struct fixture *fx, const char *name, uint64_t quota)
{
    struct call c = {.name = name, .quota = quota};

    return pk_store_write(fx->store, do_domain, &c, &fx->error);
}

/* domain_get - read one domain in its own read transaction */

static int domain_get(struct fixture *fx, const char *name,
                      struct pk_domain *dom)
{
    struct pk_txn *txn = fx_read(fx);
    int status = pk_domain_get(txn, name, dom, &fx->error);

    pk_txn_end(&txn);
    return status;
}

static void test_domain_add_then_get(void)
{
    struct fixture fx;
    struct pk_domain dom;

    test_begin("domain: an added domain is hosted, with no default quota");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(domain_get(&fx, "example.se", &dom), PK_OK);
    test_assert_int(dom.kind, PK_DOMAIN_HOSTED);
    test_assert_str(dom.target, "");
    test_assert(dom.default_quota == 0);
    test_assert(dom.created > 0);
    test_assert_int(domain_get(&fx, "EXAMPLE.SE", &dom), PK_OK);
    test_assert_int(domain_get(&fx, "example.nu", &dom), PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static void test_domain_duplicate_is_refused_in_any_spelling(void)
{
    struct fixture fx;
    char *before;

    test_begin("domain: a duplicate is PK_EEXIST, whatever its case or form");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "exämple.se"), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(fx_domain(&fx, "exämple.se"), PK_EEXIST);
    test_assert(strstr(fx.error, "exists already") != NULL);
    test_assert_int(fx_domain(&fx, "XN--EXMPLE-CUA.SE"), PK_EEXIST);
    test_assert_int(fx_domain(&fx, "xn--exmple-cua.se"), PK_EEXIST);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_domain_invalid_name_is_refused(void)
{
    struct fixture fx;
    char *before;

    test_begin("domain: a name that is not a domain is PK_EINVAL");
    fixture_open(&fx);
    before = fx_dump(&fx);
    test_assert_int(fx_domain(&fx, ""), PK_EINVAL);
    test_assert_int(fx_domain(&fx, "has space.se"), PK_EINVAL);
    test_assert_int(fx_domain(&fx, "user@example.se"), PK_EINVAL);
    test_assert_int(fx_domain(&fx, "-bad.se"), PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static int collect(const char *name, const struct pk_domain *dom, void *ctx)
{
    struct pk_strlist *list = ctx;

    pk_strlist_add(list, name);
    return list->count == 3 && dom->kind == PK_DOMAIN_HOSTED ? 42 : 0;
}

static void test_domain_u_label_finds_the_a_label_entry(void)
{
    struct fixture fx;
    struct pk_domain dom;
    struct pk_strlist names = {0};
    struct pk_txn *txn;

    test_begin("domain: stored as the A-label, found by the U-label too");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "Exämple.se"), PK_OK);
    test_assert_int(fx_domain(&fx, "xn--bcher-kva.de"), PK_OK);
    test_assert_int(domain_get(&fx, "xn--exmple-cua.se", &dom), PK_OK);
    test_assert_int(domain_get(&fx, "exämple.se", &dom), PK_OK);
    test_assert_int(domain_get(&fx, "bücher.de", &dom), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(pk_domain_lookup(txn, "xn--exmple-cua.se", &dom, &fx.error),
                    PK_OK);
    test_assert_int(pk_domain_iter(txn, collect, &names, &fx.error), PK_OK);
    pk_txn_end(&txn);
    test_assert_int(names.count, 2);
    test_assert(pk_strlist_has(&names, "xn--exmple-cua.se"));
    test_assert(pk_strlist_has(&names, "xn--bcher-kva.de"));
    pk_strlist_free(&names);
    fixture_close(&fx);
    test_end();
}

static void test_domain_iter_in_key_order_and_stops(void)
{
    struct fixture fx;
    struct pk_strlist names = {0};
    struct pk_txn *txn;

    test_begin("domain: iteration is in key order and stops on non-zero");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "c.se"), PK_OK);
    test_assert_int(fx_domain(&fx, "a.se"), PK_OK);
    test_assert_int(fx_domain(&fx, "d.se"), PK_OK);
    test_assert_int(fx_domain(&fx, "b.se"), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(pk_domain_iter(txn, collect, &names, &fx.error), 42);
    pk_txn_end(&txn);
    test_assert_int(names.count, 3);
    test_assert(names.count == 3 && strcmp(names.items[0], "a.se") == 0 &&
                strcmp(names.items[2], "c.se") == 0);
    pk_strlist_free(&names);
    fixture_close(&fx);
    test_end();
}

static void test_domain_alias_domain_rules(void)
{
    struct fixture fx;
    struct pk_domain dom;
    char *before;

    test_begin("domain: an alias domain needs a hosted target other than it");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "missing.se"),
                    PK_EINVAL);
    test_assert(strstr(fx.error, "not a hosted domain") != NULL);
    test_assert_int(fx_domain_alias(&fx, "example.se", "example.se"),
                    PK_EINVAL);
    test_assert_int(fx_domain_alias(&fx, "EXAMPLE.se", "example.SE"),
                    PK_EINVAL);
    test_assert_int(fx_domain_alias(&fx, "example.se", "other.se"), PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));

    test_assert_int(fx_domain_alias(&fx, "example.nu", "Example.SE"), PK_OK);
    test_assert_int(domain_get(&fx, "example.nu", &dom), PK_OK);
    test_assert_int(dom.kind, PK_DOMAIN_ALIAS);
    test_assert_str(dom.target, "example.se");

    /* Not onto an alias domain, and not over an existing domain. */
    before = fx_dump(&fx);
    test_assert_int(fx_domain_alias(&fx, "example.dk", "example.nu"),
                    PK_EINVAL);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "example.se"),
                    PK_EEXIST);
    test_assert_int(fx_domain(&fx, "example.nu"), PK_EEXIST);
    test_assert(fx_unchanged(&fx, before));

    /* The target may be given as a U-label. */
    test_assert_int(fx_domain(&fx, "exämple.se"), PK_OK);
    test_assert_int(fx_domain_alias(&fx, "exämple.nu", "exämple.se"), PK_OK);
    test_assert_int(domain_get(&fx, "xn--exmple-cua.nu", &dom), PK_OK);
    test_assert_str(dom.target, "xn--exmple-cua.se");
    fixture_close(&fx);
    test_end();
}

static void test_domain_del_refused_while_in_use(void)
{
    struct fixture fx;
    struct pk_domain dom;
    char *before;

    test_begin("domain: removal refused while entries or alias domains use it");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(domain_del(&fx, "example.se"), PK_EINVAL);
    test_assert(strstr(fx.error, "still has accounts or aliases") != NULL);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);

    /* An alias alone keeps it too. */
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(domain_del(&fx, "example.se"), PK_EINVAL);
    test_assert_int(fx_unalias(&fx, "info@example.se", NULL), PK_OK);
    test_assert_int(domain_del(&fx, "example.se"), PK_OK);
    fixture_close(&fx);

    /* An alias domain pointing at it. */
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "example.se"), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(domain_del(&fx, "example.se"), PK_EINVAL);
    test_assert(strstr(fx.error, "example.nu") != NULL);
    test_assert(fx_unchanged(&fx, before));
    test_assert_int(domain_del(&fx, "example.nu"), PK_OK);
    test_assert_int(domain_del(&fx, "example.se"), PK_OK);
    test_assert_int(domain_get(&fx, "example.se", &dom), PK_NOTFOUND);
    test_assert_int(domain_del(&fx, "example.se"), PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static void test_domain_del_refused_for_catchall_only(void)
{
    struct fixture fx;

    test_begin("domain: a catch-all alone keeps the domain in use");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "@example.se", "x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(domain_del(&fx, "example.se"), PK_EINVAL);
    test_assert_int(fx_unalias(&fx, "@example.se", NULL), PK_OK);
    test_assert_int(domain_del(&fx, "example.se"), PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_domain_del_ignores_a_longer_domain(void)
{
    struct fixture fx;

    test_begin("domain: entries of example.se.nu do not keep example.se");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_domain(&fx, "example.se.nu"), PK_OK);
    test_assert_int(fx_domain(&fx, "example.sex"), PK_OK);
    test_assert_int(fx_account(&fx, "a@example.se.nu"), PK_OK);
    test_assert_int(fx_account(&fx, "a@example.sex"), PK_OK);
    test_assert_int(domain_del(&fx, "example.se"), PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_domain_alias_domain_del_refused_while_used(void)
{
    struct fixture fx;

    test_begin(
        "domain: an alias domain in use as a destination is not removed");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "bob@example.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "sales@example.se", "bob@example.nu", NULL),
                    PK_OK);
    test_assert_int(domain_del(&fx, "example.nu"), PK_EINVAL);
    test_assert(strstr(fx.error, "sales@example.se") != NULL);
    test_assert_int(fx_unalias(&fx, "sales@example.se", NULL), PK_OK);
    test_assert_int(domain_del(&fx, "example.nu"), PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_domain_default_quota(void)
{
    struct fixture fx;
    struct pk_domain dom;
    char *before;

    test_begin("domain: a hosted domain has a settable default quota");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "example.se"), PK_OK);
    test_assert_int(domain_quota(&fx, "example.se", 1ULL << 30), PK_OK);
    test_assert_int(domain_get(&fx, "example.se", &dom), PK_OK);
    test_assert(dom.default_quota == 1ULL << 30);
    test_assert_int(dom.kind, PK_DOMAIN_HOSTED);
    before = fx_dump(&fx);
    test_assert_int(domain_quota(&fx, "example.nu", 5), PK_EINVAL);
    test_assert_int(domain_quota(&fx, "missing.se", 5), PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    test_assert_int(domain_quota(&fx, "example.se", 0), PK_OK);
    test_assert_int(domain_get(&fx, "example.se", &dom), PK_OK);
    test_assert(dom.default_quota == 0);
    fixture_close(&fx);
    test_end();
}

static void test_domain_corrupt_record_is_an_error(void)
{
    struct fixture fx;
    struct pk_domain dom;
    struct pk_strlist names = {0};
    struct pk_txn *txn;

    test_begin("domain: a corrupt domain record is PK_ECORRUPT, not absent");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "good.se"), PK_OK);
    test_assert_int(fx_raw_put(&fx, PK_DB_DOMAINS, "bad.se", 6, "\1\1\7", 3),
                    PK_OK);
    test_assert_int(domain_get(&fx, "bad.se", &dom), PK_ECORRUPT);
    test_assert(strstr(fx.error, "bad.se") != NULL);
    test_assert_int(fx_domain(&fx, "bad.se"), PK_ECORRUPT);
    test_assert_int(fx_account(&fx, "a@bad.se"), PK_ECORRUPT);
    txn = fx_read(&fx);
    test_assert_int(pk_domain_iter(txn, collect, &names, &fx.error),
                    PK_ECORRUPT);
    pk_txn_end(&txn);
    pk_strlist_free(&names);
    fixture_close(&fx);
    test_end();
}

int main(void)
{
    test_domain_add_then_get();
    test_domain_duplicate_is_refused_in_any_spelling();
    test_domain_invalid_name_is_refused();
    test_domain_u_label_finds_the_a_label_entry();
    test_domain_iter_in_key_order_and_stops();
    test_domain_alias_domain_rules();
    test_domain_del_refused_while_in_use();
    test_domain_del_refused_for_catchall_only();
    test_domain_del_ignores_a_longer_domain();
    test_domain_alias_domain_del_refused_while_used();
    test_domain_default_quota();
    test_domain_corrupt_record_is_an_error();
    return test_exit();
}
