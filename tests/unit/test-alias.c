/*++
/* NAME
/*	test-alias 1
/* SUMMARY
/*	unit tests of aliases and catch-alls (common/alias.c)
/* SYNOPSIS
/*	test-alias
/* DESCRIPTION
/*	Several destinations, local and outside; adding to and removing
/*	from an alias; the refusals (a loop, an unknown local destination,
/*	a catch-all on an alias domain, too deep or too wide) each leave
/*	the database exactly as it was, compared byte for byte.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "alias.h"
#include "fixture.h"
#include "resolve.h"
#include "test.h"

/* get - the destinations of an alias; the caller frees */

static int get(struct fixture *fx, const char *addr, struct pk_entry *ent)
{
    struct pk_txn *txn = fx_read(fx);
    int status = pk_alias_get(txn, addr, ent, &fx->error);

    pk_txn_end(&txn);
    return status;
}

/* dest_count - how many destinations an alias has; -1 if none */

static int dest_count(struct fixture *fx, const char *addr)
{
    struct pk_entry ent;
    int n = -1;

    if (get(fx, addr, &ent) == PK_OK) {
        n = ent.u.alias.dest.count;
        pk_entry_free(&ent);
    }
    return n;
}

/* alias_list - an alias with the destinations of a list */

static int alias_list(struct fixture *fx, const char *addr,
                      struct pk_strlist *list)
{
    struct fx_call c = {.fn = fx_do_alias, .a = addr, .list = *list};

    memset(list, 0, sizeof(*list));
    return fx_call_write(fx, &c);
}

/* outside - n destinations u<first>..@elsewhere.org */

static struct pk_strlist outside(int first, int n)
{
    struct pk_strlist list = {0};
    char addr[64];

    for (int i = first; i < first + n; i++) {
        snprintf(addr, sizeof(addr), "u%d@elsewhere.org", i);
        pk_strlist_add(&list, addr);
    }
    return list;
}

/* setup - example.se with accounts alice, bob, carol; example.nu alias */

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

static void test_alias_with_several_destinations(void)
{
    struct fixture fx;
    struct pk_entry ent;

    test_begin("alias: several destinations, local and outside, normalized");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "Info@Example.SE", "ALICE@example.se",
                             "bob@EXAMPLE.se", "Someone@Elsewhere.org",
                             "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(get(&fx, "info@example.se", &ent), PK_OK);
    test_assert_int(ent.type, PK_REC_ALIAS);
    test_assert_int(ent.u.alias.dest.count, 3);
    test_assert(ent.u.alias.dest.count == 3 &&
                strcmp(ent.u.alias.dest.items[0], "alice@example.se") == 0 &&
                strcmp(ent.u.alias.dest.items[1], "bob@example.se") == 0 &&
                strcmp(ent.u.alias.dest.items[2], "someone@elsewhere.org") ==
                    0);
    test_assert(ent.u.alias.created > 0);
    pk_entry_free(&ent);
    /* An account is not an alias. */
    test_assert_int(get(&fx, "alice@example.se", &ent), PK_NOTFOUND);
    test_assert_int(get(&fx, "none@example.se", &ent), PK_NOTFOUND);
    fixture_close(&fx);
    test_end();
}

static void test_alias_add_to_existing(void)
{
    struct fixture fx;

    test_begin("alias: adding to an alias keeps its destinations, once each");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "bob@example.se",
                             "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(dest_count(&fx, "info@example.se"), 2);
    test_assert_int(fx_alias(&fx, "info@example.se", "x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(dest_count(&fx, "info@example.se"), 3);
    fixture_close(&fx);
    test_end();
}

static void test_alias_remove_some_then_all(void)
{
    struct fixture fx;
    char *before;

    test_begin("alias: remove some destinations, then the last, or all");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se",
                             "bob@example.se", "carol@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_unalias(&fx, "info@example.se", "BOB@example.se", NULL),
                    PK_OK);
    test_assert_int(dest_count(&fx, "info@example.se"), 2);

    /* One of two not there: nothing is removed. */
    before = fx_dump(&fx);
    test_assert_int(fx_unalias(&fx, "info@example.se", "alice@example.se",
                               "bob@example.se", NULL),
                    PK_EINVAL);
    test_assert(strstr(fx.error, "bob@example.se") != NULL);
    test_assert_int(fx_unalias(&fx, "nothing@example.se", NULL), PK_NOTFOUND);
    test_assert_int(fx_unalias(&fx, "alice@example.se", NULL), PK_NOTFOUND);
    test_assert(fx_unchanged(&fx, before));

    /* The last destination takes the alias with it. */
    test_assert_int(fx_unalias(&fx, "info@example.se", "alice@example.se",
                               "carol@example.se", NULL),
                    PK_OK);
    test_assert_int(dest_count(&fx, "info@example.se"), -1);

    /* An empty list removes the alias outright. */
    test_assert_int(fx_alias(&fx, "sales@example.se", "alice@example.se",
                             "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_unalias(&fx, "sales@example.se", NULL), PK_OK);
    test_assert_int(dest_count(&fx, "sales@example.se"), -1);
    fixture_close(&fx);
    test_end();
}

static void test_alias_named_by_another_is_not_removed(void)
{
    struct fixture fx;
    char *before;

    test_begin("alias: an alias another alias delivers to stays");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "team@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "team@example.se", NULL),
                    PK_OK);
    before = fx_dump(&fx);
    test_assert_int(fx_unalias(&fx, "team@example.se", NULL), PK_EINVAL);
    test_assert_int(
        fx_unalias(&fx, "team@example.se", "alice@example.se", NULL),
        PK_EINVAL);
    test_assert(strstr(fx.error, "info@example.se") != NULL);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_alias_loops_are_refused(void)
{
    struct fixture fx;
    char *before;

    test_begin("alias: a->a, a->b->a, a->b->c->a, via alias domain: refused");
    setup(&fx);
    before = fx_dump(&fx);
    test_assert_int(fx_alias(&fx, "a@example.se", "A@example.se", NULL),
                    PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));

    test_assert_int(fx_alias(&fx, "b@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "a@example.se", "b@example.se", NULL), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(fx_alias(&fx, "b@example.se", "a@example.se", NULL),
                    PK_ELIMIT);
    test_assert(strstr(fx.error, "loop") != NULL);
    test_assert(fx_unchanged(&fx, before));

    test_assert_int(fx_alias(&fx, "c@example.se", "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "b@example.se", "c@example.se", NULL), PK_OK);
    before = fx_dump(&fx);
    test_assert_int(fx_alias(&fx, "c@example.se", "a@example.se", NULL),
                    PK_ELIMIT);
    test_assert(fx_unchanged(&fx, before));

    /* info@example.nu is info@example.se through the alias domain. */
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    before = fx_dump(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "info@example.nu", NULL),
                    PK_ELIMIT);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_alias_unknown_local_destination_is_refused(void)
{
    struct fixture fx;
    char *before;

    test_begin("alias: a local destination that matches nothing is refused");
    setup(&fx);
    before = fx_dump(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "nobody@example.se", NULL),
                    PK_EINVAL);
    test_assert(strstr(fx.error, "nobody@example.se") != NULL);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se",
                             "nobody@example.nu", NULL),
                    PK_EINVAL);
    test_assert_int(fx_alias(&fx, "info@example.se", "not an address", NULL),
                    PK_EINVAL);
    test_assert_int(fx_alias(&fx, "info@example.se", NULL), PK_EINVAL);
    test_assert_int(fx_alias(&fx, "info@missing.se", "alice@example.se", NULL),
                    PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    /* A subaddress or the alias-domain form of an account is known. */
    test_assert_int(fx_alias(&fx, "info@example.se", "alice+news@example.se",
                             "bob@example.nu", NULL),
                    PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_alias_catchall(void)
{
    struct fixture fx;
    struct pk_entry ent;
    char *before;

    test_begin("alias: a catch-all is @domain; none on an alias domain");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "@Example.SE", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(get(&fx, "@example.se", &ent), PK_OK);
    test_assert_int(ent.u.alias.dest.count, 1);
    pk_entry_free(&ent);
    before = fx_dump(&fx);
    test_assert_int(fx_alias(&fx, "@example.nu", "alice@example.se", NULL),
                    PK_EINVAL);
    test_assert(strstr(fx.error, "alias domain") != NULL);
    test_assert_int(fx_alias(&fx, "@missing.se", "alice@example.se", NULL),
                    PK_EINVAL);
    /* A destination only the catch-all would take is a typo: refused. */
    test_assert_int(fx_alias(&fx, "info@example.se", "nobody@example.se", NULL),
                    PK_EINVAL);
    test_assert(strstr(fx.error, "catch-all") != NULL);
    test_assert_int(
        fx_forward(&fx, "bob@example.se", NULL, "nobody@example.nu", NULL),
        PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    /* A destination with its own entry is not the catch-all's. */
    test_assert_int(fx_alias(&fx, "info@example.se", "bob+x@example.se", NULL),
                    PK_OK);
    /* Plain aliases may live in an alias domain: they come first. */
    test_assert_int(fx_alias(&fx, "sales@example.nu", "bob@example.se", NULL),
                    PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_alias_depth_limit(void)
{
    struct fixture fx;
    char a[64], b[64], *before;

    test_begin("alias: nesting deeper than PK_RESOLVE_MAX_DEPTH is refused");
    setup(&fx);
    /* d1 -> d2 -> ... -> dN -> alice, built from the bottom up. */
    snprintf(a, sizeof(a), "d%d@example.se", PK_RESOLVE_MAX_DEPTH);
    test_assert_int(fx_alias(&fx, a, "alice@example.se", NULL), PK_OK);
    for (int i = PK_RESOLVE_MAX_DEPTH - 1; i >= 1; i--) {
        snprintf(a, sizeof(a), "d%d@example.se", i);
        snprintf(b, sizeof(b), "d%d@example.se", i + 1);
        test_assert_int(fx_alias(&fx, a, b, NULL), PK_OK);
    }
    before = fx_dump(&fx);
    test_assert_int(fx_alias(&fx, "d0@example.se", "d1@example.se", NULL),
                    PK_ELIMIT);
    test_assert(strstr(fx.error, "deeper") != NULL);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_alias_change_below_cannot_push_a_chain_over_the_limit(void)
{
    struct fixture fx;
    char name[64], next[64], *before;
    int ok = 1;

    test_begin(
        "alias: a change deep in a chain cannot push the top over the limit");
    setup(&fx);
    /* a1 -> a2 -> ... -> a16 -> outside: exactly at the depth limit. */
    for (int i = PK_RESOLVE_MAX_DEPTH; i >= 1; i--) {
        snprintf(name, sizeof(name), "a%d@example.se", i);
        snprintf(next, sizeof(next), "a%d@example.se", i + 1);
        if (fx_alias(&fx, name,
                     i == PK_RESOLVE_MAX_DEPTH ? "x@elsewhere.org" : next,
                     NULL) != PK_OK)
            ok = 0;
    }
    test_assert(ok);
    test_assert_int(fx_alias(&fx, "a17@example.se", "alice@example.se", NULL),
                    PK_OK);
    before = fx_dump(&fx);
    snprintf(name, sizeof(name), "a%d@example.se", PK_RESOLVE_MAX_DEPTH);
    test_assert_int(fx_alias(&fx, name, "a17@example.se", NULL), PK_ELIMIT);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_alias_destination_limit(void)
{
    struct fixture fx;
    struct pk_strlist list;
    char *before;

    test_begin("alias: more than PK_DEST_MAX destinations are refused");
    setup(&fx);
    list = outside(0, PK_DEST_MAX);
    test_assert_int(alias_list(&fx, "big@example.se", &list), PK_OK);
    test_assert_int(dest_count(&fx, "big@example.se"), PK_DEST_MAX);
    before = fx_dump(&fx);
    list = outside(PK_DEST_MAX, 1);
    test_assert_int(alias_list(&fx, "big@example.se", &list), PK_EINVAL);
    list = outside(0, PK_DEST_MAX + 1);
    test_assert_int(alias_list(&fx, "new@example.se", &list), PK_EINVAL);

    /* Two halves that are each fine but too many together. */
    list = outside(5000, 600);
    test_assert_int(alias_list(&fx, "h1@example.se", &list), PK_OK);
    list = outside(6000, 600);
    test_assert_int(alias_list(&fx, "h2@example.se", &list), PK_OK);
    free(before);
    before = fx_dump(&fx);
    test_assert_int(fx_alias(&fx, "both@example.se", "h1@example.se",
                             "h2@example.se", NULL),
                    PK_ELIMIT);
    test_assert(fx_unchanged(&fx, before));
    fixture_close(&fx);
    test_end();
}

static void test_alias_refusal_leaves_the_database_unchanged(void)
{
    struct fixture fx;
    char *before;

    test_begin("alias: a refused change to an existing alias changes nothing");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "team@example.se", "info@example.se", NULL),
                    PK_OK);
    before = fx_dump(&fx);
    /* Good destinations together with a bad one: none is added. */
    test_assert_int(fx_alias(&fx, "info@example.se", "bob@example.se",
                             "nobody@example.se", NULL),
                    PK_EINVAL);
    test_assert_int(fx_alias(&fx, "info@example.se", "bob@example.se",
                             "team@example.se", NULL),
                    PK_ELIMIT);
    test_assert_int(fx_alias(&fx, "info@example.se", "bob@example.se",
                             "info@example.se", NULL),
                    PK_EINVAL);
    test_assert(fx_unchanged(&fx, before));
    test_assert_int(dest_count(&fx, "info@example.se"), 1);
    fixture_close(&fx);
    test_end();
}

static void test_alias_dest_normalize(void)
{
    char out[PK_ADDR_MAX + 1];
    const char *error;

    test_begin("alias: destinations are normalized like addresses");
    test_assert_int(pk_dest_normalize("Bob@Exämple.SE", out, &error), PK_OK);
    test_assert_str(out, "bob@xn--exmple-cua.se");
    test_assert_int(pk_dest_normalize("@example.se", out, &error), PK_EINVAL);
    test_assert_int(pk_dest_normalize("bob", out, &error), PK_EINVAL);
    test_end();
}

int main(void)
{
    test_alias_with_several_destinations();
    test_alias_add_to_existing();
    test_alias_remove_some_then_all();
    test_alias_named_by_another_is_not_removed();
    test_alias_loops_are_refused();
    test_alias_unknown_local_destination_is_refused();
    test_alias_catchall();
    test_alias_depth_limit();
    test_alias_change_below_cannot_push_a_chain_over_the_limit();
    test_alias_destination_limit();
    test_alias_refusal_leaves_the_database_unchanged();
    test_alias_dest_normalize();
    return test_exit();
}
