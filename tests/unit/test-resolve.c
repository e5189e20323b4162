/*++
/* NAME
/*	test-resolve 1
/* SUMMARY
/*	unit tests of where mail goes (common/resolve.c)
/* SYNOPSIS
/*	test-resolve
/* DESCRIPTION
/*	The order of the rules (account, alias, alias domain, subaddress,
/*	catch-all) and that a catch-all never captures an address that
/*	exists; address forms; outside addresses; forwarding; shared and
/*	nested destinations; the flags; and a corrupt record, which is an
/*	error and never "unknown".
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "domain.h"
#include "fixture.h"
#include "import.h"
#include "record.h"
#include "resolve.h"
#include "test.h"

/* resolve - one resolution in its own read transaction */

static int resolve(struct fixture *fx, const char *addr, unsigned flags,
                   struct pk_resolution *res)
{
    struct pk_txn *txn = fx_read(fx);
    int status = pk_resolve(txn, addr, flags, res, &fx->error);

    pk_txn_end(&txn);
    return status;
}

/* has_dest - is the address a destination, as a mailbox or not */

static bool has_dest(const struct pk_resolution *res, const char *addr,
                     bool mailbox)
{
    for (size_t i = 0; i < res->dest_count; i++)
        if (strcmp(res->dest[i].address, addr) == 0)
            return res->dest[i].mailbox == mailbox;
    return false;
}

/* has_step - does an explanation step contain the words */

static bool has_step(const struct pk_resolution *res, const char *words)
{
    for (size_t i = 0; i < res->steps.count; i++)
        if (strstr(res->steps.items[i], words) != NULL)
            return true;
    return false;
}

/* expect - resolve; check kind, matched entry and destination count */

static bool expect(struct fixture *fx, const char *addr, unsigned flags,
                   enum pk_kind kind, const char *matched, size_t ndest)
{
    struct pk_resolution res;
    int status = resolve(fx, addr, flags, &res);
    bool ok = status == PK_OK && res.kind == kind &&
              strcmp(res.matched, matched) == 0 && res.dest_count == ndest;

    if (!ok)
        printf("  %s: status %d kind %s matched \"%s\" %zu destinations\n",
               addr, status, status == PK_OK ? pk_kind_name(res.kind) : "-",
               status == PK_OK ? res.matched : "", res.dest_count);
    if (status == PK_OK)
        pk_resolve_free(&res);
    return ok;
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

static void test_resolve_order_of_rules(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin("resolve: account, alias, alias domain, subaddress, catch-all");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "@example.se", "carol@example.se", NULL),
                    PK_OK);
    test_assert_int(
        fx_alias(&fx, "alice+list@example.se", "bob@example.se", NULL), PK_OK);

    test_assert_int(resolve(&fx, "alice@example.se", 0, &res), PK_OK);
    test_assert_int(res.kind, PK_KIND_ACCOUNT);
    test_assert_str(res.address, "alice@example.se");
    test_assert_str(res.matched, "alice@example.se");
    test_assert_int(res.dest_count, 1);
    test_assert(has_dest(&res, "alice@example.se", true));
    test_assert_int(res.dest[0].state, PK_STATE_ACTIVE);
    pk_resolve_free(&res);

    test_assert(
        expect(&fx, "info@example.se", 0, PK_KIND_ALIAS, "info@example.se", 1));
    test_assert(expect(&fx, "alice@example.nu", 0, PK_KIND_ACCOUNT,
                       "alice@example.se", 1));
    test_assert(
        expect(&fx, "info@example.nu", 0, PK_KIND_ALIAS, "info@example.se", 1));
    test_assert(expect(&fx, "alice+tag@example.se", 0, PK_KIND_ACCOUNT,
                       "alice@example.se", 1));
    test_assert(expect(&fx, "alice+tag@example.nu", 0, PK_KIND_ACCOUNT,
                       "alice@example.se", 1));
    test_assert(expect(&fx, "info+x@example.se", 0, PK_KIND_ALIAS,
                       "info@example.se", 1));
    /* An exact entry comes before stripping the subaddress. */
    test_assert(expect(&fx, "alice+list@example.se", 0, PK_KIND_ALIAS,
                       "alice+list@example.se", 1));
    test_assert(expect(&fx, "nobody@example.se", 0, PK_KIND_CATCHALL,
                       "@example.se", 1));
    test_assert(expect(&fx, "nobody@example.nu", 0, PK_KIND_CATCHALL,
                       "@example.se", 1));
    fixture_close(&fx);
    test_end();
}

static void test_resolve_alias_in_alias_domain_comes_first(void)
{
    struct fixture fx;

    test_begin("resolve: an alias in an alias domain beats the mapped address");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "alice@example.nu", "bob@example.se", NULL),
                    PK_OK);
    test_assert(expect(&fx, "alice@example.nu", 0, PK_KIND_ALIAS,
                       "alice@example.nu", 1));
    test_assert(expect(&fx, "alice@example.se", 0, PK_KIND_ACCOUNT,
                       "alice@example.se", 1));
    fixture_close(&fx);
    test_end();
}

static void test_resolve_catchall_never_shadows_an_address(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin("resolve: a catch-all never captures an address that exists");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "@example.se", "carol@example.se", NULL),
                    PK_OK);
    test_assert_int(resolve(&fx, "alice@example.se", 0, &res), PK_OK);
    test_assert_int(res.kind, PK_KIND_ACCOUNT);
    test_assert(!has_dest(&res, "carol@example.se", true));
    pk_resolve_free(&res);
    test_assert(
        expect(&fx, "info@example.se", 0, PK_KIND_ALIAS, "info@example.se", 1));
    test_assert(expect(&fx, "alice+x@example.se", 0, PK_KIND_ACCOUNT,
                       "alice@example.se", 1));
    test_assert(expect(&fx, "info+x@example.se", 0, PK_KIND_ALIAS,
                       "info@example.se", 1));
    test_assert(expect(&fx, "ALICE@example.nu", 0, PK_KIND_ACCOUNT,
                       "alice@example.se", 1));
    test_assert(expect(&fx, "alice+x@example.nu", 0, PK_KIND_ACCOUNT,
                       "alice@example.se", 1));
    fixture_close(&fx);
    test_end();
}

static void test_resolve_case_and_idna_forms(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin("resolve: any case and either IDNA form find the entry");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "exämple.se"), PK_OK);
    test_assert_int(fx_account(&fx, "user@exämple.se"), PK_OK);
    test_assert_int(resolve(&fx, "USER@EXAMPLE.se", 0, &res), PK_OK);
    test_assert_int(res.kind, PK_KIND_EXTERNAL); /* another domain */
    pk_resolve_free(&res);
    test_assert_int(resolve(&fx, "User@exämple.se", 0, &res), PK_OK);
    test_assert_int(res.kind, PK_KIND_ACCOUNT);
    test_assert_str(res.address, "user@xn--exmple-cua.se");
    test_assert(has_dest(&res, "user@xn--exmple-cua.se", true));
    pk_resolve_free(&res);
    test_assert(expect(&fx, "USER@XN--EXMPLE-CUA.SE", 0, PK_KIND_ACCOUNT,
                       "user@xn--exmple-cua.se", 1));
    test_assert_int(resolve(&fx, "not an address", 0, &res), PK_EINVAL);
    test_assert_int(resolve(&fx, "", 0, &res), PK_EINVAL);
    fixture_close(&fx);
    test_end();
}

static void test_resolve_external_and_unknown(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin("resolve: outside is delivered as is; nothing matched: unknown");
    setup(&fx);
    test_assert_int(resolve(&fx, "Someone@Elsewhere.ORG", 0, &res), PK_OK);
    test_assert_int(res.kind, PK_KIND_EXTERNAL);
    test_assert_str(res.matched, "");
    test_assert_int(res.dest_count, 1);
    test_assert(has_dest(&res, "someone@elsewhere.org", false));
    pk_resolve_free(&res);
    test_assert(expect(&fx, "nobody@example.se", 0, PK_KIND_UNKNOWN, "", 0));
    test_assert(expect(&fx, "nobody+x@example.nu", 0, PK_KIND_UNKNOWN, "", 0));
    test_assert(expect(&fx, "@example.se", 0, PK_KIND_UNKNOWN, "", 0));
    test_assert_str(pk_kind_name(PK_KIND_UNKNOWN), "unknown");
    test_assert_str(pk_kind_name(PK_KIND_CATCHALL), "catchall");
    fixture_close(&fx);
    test_end();
}

static void test_resolve_forwarding_with_and_without_copy(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin(
        "resolve: forwarding replaces the mailbox unless a copy is kept");
    setup(&fx);
    test_assert_int(fx_forward(&fx, "alice@example.se", NULL,
                               "alice@elsewhere.org", "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(resolve(&fx, "alice@example.se", 0, &res), PK_OK);
    test_assert_int(res.kind, PK_KIND_ACCOUNT);
    test_assert_int(res.dest_count, 2);
    test_assert(has_dest(&res, "alice@elsewhere.org", false));
    test_assert(has_dest(&res, "bob@example.se", true));
    test_assert(!has_dest(&res, "alice@example.se", true));
    pk_resolve_free(&res);

    test_assert_int(fx_forward(&fx, "alice@example.se", "keep",
                               "alice@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(resolve(&fx, "alice@example.se", 0, &res), PK_OK);
    test_assert_int(res.dest_count, 2);
    test_assert(has_dest(&res, "alice@elsewhere.org", false));
    test_assert(has_dest(&res, "alice@example.se", true));
    pk_resolve_free(&res);

    /* Through an alias, the forward applies too. */
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(resolve(&fx, "info@example.se", 0, &res), PK_OK);
    test_assert(has_dest(&res, "alice@elsewhere.org", false));
    test_assert(has_dest(&res, "alice@example.se", true));
    pk_resolve_free(&res);
    fixture_close(&fx);
    test_end();
}

static void test_resolve_forward_to_self_and_back(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin("resolve: forwarding to itself, or round, ends in the mailbox");
    setup(&fx);
    test_assert_int(fx_forward(&fx, "alice@example.se", NULL,
                               "alice@example.se", "x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(resolve(&fx, "alice@example.se", 0, &res), PK_OK);
    test_assert_int(res.dest_count, 2);
    test_assert(has_dest(&res, "alice@example.se", true));
    test_assert(has_dest(&res, "x@elsewhere.org", false));
    pk_resolve_free(&res);

    /* bob -> carol -> bob: each ends in a mailbox, nothing loops. */
    test_assert_int(
        fx_forward(&fx, "bob@example.se", NULL, "carol@example.se", NULL),
        PK_OK);
    test_assert_int(
        fx_forward(&fx, "carol@example.se", NULL, "bob@example.se", NULL),
        PK_OK);
    test_assert_int(resolve(&fx, "bob@example.se", 0, &res), PK_OK);
    test_assert_int(res.dest_count, 1);
    test_assert(has_dest(&res, "bob@example.se", true));
    pk_resolve_free(&res);
    fixture_close(&fx);
    test_end();
}

static void test_resolve_diamond_lists_shared_destination_once(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin("resolve: nested aliases; a shared destination is listed once");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "t1@example.se", "alice@example.se",
                             "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "t2@example.se", "bob@example.se",
                             "carol@example.se", "x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "all@example.se", "t1@example.se",
                             "t2@example.se", "X@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "top@example.se", "all@example.se",
                             "t1@example.nu", NULL),
                    PK_OK);
    test_assert_int(resolve(&fx, "top@example.se", 0, &res), PK_OK);
    test_assert_int(res.kind, PK_KIND_ALIAS);
    test_assert_int(res.dest_count, 4);
    test_assert(has_dest(&res, "alice@example.se", true));
    test_assert(has_dest(&res, "bob@example.se", true));
    test_assert(has_dest(&res, "carol@example.se", true));
    test_assert(has_dest(&res, "x@elsewhere.org", false));
    pk_resolve_free(&res);
    fixture_close(&fx);
    test_end();
}

/* add_many - n external destinations x<first>..@far.example, 20 a write */

static int add_many(struct fixture *fx, const char *alias, int first, int n)
{
    char d[20][32];
    int status = PK_OK;

    for (int i = 0; i < n && status == PK_OK; i += 20) {
        for (int j = 0; j < 20; j++)
            snprintf(d[j], sizeof(d[j]), "x%d@far.example", first + i + j);
        status = fx_alias(fx, alias, d[0], d[1], d[2], d[3], d[4], d[5], d[6],
                          d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14],
                          d[15], d[16], d[17], d[18], d[19], NULL);
    }
    return status;
}

static void test_resolve_many_destinations_and_the_limit(void)
{
    struct fixture fx;
    struct pk_resolution res;
    char want[32];
    bool all = true;

    test_begin("resolve: hundreds of destinations, and no more than the limit");
    setup(&fx);
    test_assert_int(add_many(&fx, "a@example.se", 0, 400), PK_OK);
    test_assert_int(add_many(&fx, "b@example.se", 400, 400), PK_OK);
    test_assert_int(add_many(&fx, "c@example.se", 800, 400), PK_OK);
    test_assert_int(fx_alias(&fx, "ab@example.se", "a@example.se",
                             "b@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(resolve(&fx, "ab@example.se", PK_RESOLVE_NO_STATE, &res),
                    PK_OK);
    test_assert_int(res.dest_count, 801);
    for (int i = 0; i < 800; i++) {
        snprintf(want, sizeof(want), "x%d@far.example", i);
        all = all && has_dest(&res, want, false);
    }
    test_assert(all);
    test_assert(has_dest(&res, "alice@example.se", true));
    pk_resolve_free(&res);
    pk_resolve_free(&res); /* twice is harmless */

    /* The writer resolves what it would store and refuses past the
     * limit, so the database holds nothing resolve would refuse. */
    test_assert_int(
        fx_alias(&fx, "abc@example.se", "ab@example.se", "c@example.se", NULL),
        PK_ELIMIT);
    test_assert(strstr(fx.error, "more than 1000 destinations") != NULL);
    test_assert(expect(&fx, "abc@example.se", 0, PK_KIND_UNKNOWN, "", 0));
    fixture_close(&fx);
    test_end();
}

static int suspend_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    return pk_account_set_state(txn, ctx, PK_STATE_SUSPENDED, error_r);
}

static void test_resolve_mailbox_state_is_reported(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin("resolve: a mailbox destination carries its account's state");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se",
                             "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(
        pk_store_write(fx.store, suspend_fn, "alice@example.se", &fx.error),
        PK_OK);
    test_assert_int(resolve(&fx, "info@example.se", 0, &res), PK_OK);
    test_assert_int(res.dest_count, 2);
    for (size_t i = 0; i < res.dest_count; i++)
        test_assert_int(res.dest[i].state,
                        strcmp(res.dest[i].address, "alice@example.se") == 0
                            ? PK_STATE_SUSPENDED
                            : PK_STATE_ACTIVE);
    pk_resolve_free(&res);
    fixture_close(&fx);
    test_end();
}

/* hints_of - the stored destination hints of an alias, as a string */

static void hints_of(struct fixture *fx, const char *alias, char *out)
{
    struct pk_txn *txn = fx_read(fx);
    struct pk_entry ent;

    out[0] = 0;
    if (pk_entry_get(txn, alias, &ent, &fx->error) == PK_OK) {
        for (size_t i = 0; i < ent.u.alias.dest.count; i++)
            out[i] =
                ent.u.alias.hints ? (char)('0' + ent.u.alias.hints[i]) : '-';
        out[ent.u.alias.dest.count] = 0;
        pk_entry_free(&ent);
    }
    pk_txn_end(&txn);
}

static void test_resolve_hints_follow_their_accounts(void)
{
    struct fixture fx;
    struct pk_resolution res;
    char hints[16];

    test_begin("resolve: alias hints follow the accounts they name");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "team@example.se", "carol@example.se", NULL),
                    PK_OK);
    /* alice, bob, an outside address, an alias, a subaddress */
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se",
                             "bob@example.se", "x@elsewhere.org",
                             "team@example.se", "carol+x@example.se", NULL),
                    PK_OK);
    hints_of(&fx, "info@example.se", hints);
    test_assert_str(hints, "11000");
    /* A state is not part of a hint: no alias needs writing again. */
    test_assert_int(
        pk_store_write(fx.store, suspend_fn, "alice@example.se", &fx.error),
        PK_OK);
    hints_of(&fx, "info@example.se", hints);
    test_assert_str(hints, "11000");
    test_assert_int(resolve(&fx, "info@example.se", 0, &res), PK_OK);
    for (size_t i = 0; i < res.dest_count; i++) {
        test_assert(!res.dest[i].state_unknown);
        if (strcmp(res.dest[i].address, "alice@example.se") == 0)
            test_assert_int(res.dest[i].state, PK_STATE_SUSPENDED);
    }
    pk_resolve_free(&res);
    /* Addresses only: the same destinations, hinted ones (carol through
     * team's hint) not read. */
    test_assert_int(resolve(&fx, "info@example.se", PK_RESOLVE_NO_STATE, &res),
                    PK_OK);
    test_assert_int(res.dest_count, 4);
    test_assert(has_dest(&res, "alice@example.se", true));
    test_assert(has_dest(&res, "bob@example.se", true));
    test_assert(has_dest(&res, "x@elsewhere.org", false));
    test_assert(has_dest(&res, "carol@example.se", true));
    for (size_t i = 0; i < res.dest_count; i++)
        test_assert(res.dest[i].state_unknown == res.dest[i].mailbox);
    pk_resolve_free(&res);
    /* Forwarding: no longer a final mailbox; the lookup follows it. */
    test_assert_int(
        fx_forward(&fx, "bob@example.se", NULL, "bob@elsewhere.org", NULL),
        PK_OK);
    hints_of(&fx, "info@example.se", hints);
    test_assert_str(hints, "10000");
    test_assert_int(resolve(&fx, "info@example.se", PK_RESOLVE_NO_STATE, &res),
                    PK_OK);
    test_assert(has_dest(&res, "bob@elsewhere.org", false));
    test_assert(!has_dest(&res, "bob@example.se", true));
    test_assert(has_dest(&res, "alice@example.se", true));
    test_assert(has_dest(&res, "carol@example.se", true));
    test_assert_int(res.dest_count, 4);
    pk_resolve_free(&res);

    /* A hint is believed by NO_STATE lookups only, never by EXPLAIN. */
    test_assert_int(fx_stale_alias(&fx), PK_OK);
    test_assert_int(resolve(&fx, "stale@example.se", PK_RESOLVE_NO_STATE, &res),
                    PK_OK);
    test_assert(res.dest_count == 1 && has_dest(&res, "bob@example.se", true));
    pk_resolve_free(&res);
    test_assert_int(resolve(&fx, "stale@example.se", 0, &res), PK_OK);
    test_assert(res.dest_count == 1 &&
                has_dest(&res, "bob@elsewhere.org", false));
    pk_resolve_free(&res);
    test_assert_int(resolve(&fx, "stale@example.se",
                            PK_RESOLVE_EXPLAIN | PK_RESOLVE_NO_STATE, &res),
                    PK_OK);
    test_assert(res.dest_count == 1 &&
                has_dest(&res, "bob@elsewhere.org", false));
    test_assert(has_step(&res, "bob@example.se forwards"));
    pk_resolve_free(&res);
    fixture_close(&fx);
    test_end();
}

static void test_resolve_flags(void)
{
    struct fixture fx;
    struct pk_resolution res;

    test_begin("resolve: EXPLAIN steps, NO_CATCHALL, TOP_ONLY, STRICT");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "team@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "team@example.se",
                             "x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "@example.se", "carol@example.se", NULL),
                    PK_OK);
    test_assert_int(
        fx_forward(&fx, "bob@example.se", "keep", "y@elsewhere.org", NULL),
        PK_OK);

    test_assert_int(resolve(&fx, "info@example.se", 0, &res), PK_OK);
    test_assert_int(res.steps.count, 0);
    pk_resolve_free(&res);

    test_assert_int(resolve(&fx, "info+x@example.nu", PK_RESOLVE_EXPLAIN, &res),
                    PK_OK);
    test_assert(res.steps.count >= 5);
    test_assert(has_step(&res, "alias domain"));
    test_assert(has_step(&res, "subaddress"));
    test_assert(has_step(&res, "info@example.se delivers to team@example.se"));
    test_assert(has_step(&res, "alice@example.se is a mailbox"));
    test_assert(has_step(&res, "x@elsewhere.org is outside"));
    pk_resolve_free(&res);

    test_assert_int(resolve(&fx, "nobody@example.se", PK_RESOLVE_EXPLAIN, &res),
                    PK_OK);
    test_assert(has_step(&res, "catch-all"));
    pk_resolve_free(&res);
    test_assert_int(resolve(&fx, "bob@example.se", PK_RESOLVE_EXPLAIN, &res),
                    PK_OK);
    test_assert(has_step(&res, "forwards, keeping a copy"));
    pk_resolve_free(&res);

    test_assert(expect(&fx, "nobody@example.se", PK_RESOLVE_NO_CATCHALL,
                       PK_KIND_UNKNOWN, "", 0));
    test_assert(expect(&fx, "alice@example.se", PK_RESOLVE_NO_CATCHALL,
                       PK_KIND_ACCOUNT, "alice@example.se", 1));
    test_assert(expect(&fx, "info@example.se", PK_RESOLVE_TOP_ONLY,
                       PK_KIND_ALIAS, "info@example.se", 0));
    test_assert(expect(&fx, "nobody@example.se", PK_RESOLVE_TOP_ONLY,
                       PK_KIND_CATCHALL, "@example.se", 0));
    test_assert(expect(&fx, "x@elsewhere.org", PK_RESOLVE_TOP_ONLY,
                       PK_KIND_EXTERNAL, "", 0));
    /* "@domain" itself expands the catch-all. */
    test_assert(
        expect(&fx, "@example.se", 0, PK_KIND_CATCHALL, "@example.se", 1));
    fixture_close(&fx);
    test_end();
}

static void test_resolve_unknown_destination_skipped_unless_strict(void)
{
    struct fixture fx;
    struct pk_resolution res;
    struct pk_entry ent = {.type = PK_REC_ALIAS};
    struct pk_txn *txn;

    test_begin("resolve: a stored destination that matches nothing is skipped");
    setup(&fx);
    /* Stored as it is, as an older database or a raw import could. */
    pk_strlist_add(&ent.u.alias.dest, "gone@example.se");
    pk_strlist_add(&ent.u.alias.dest, "alice@example.se");
    {
        struct pk_buf buf = {0};
        char key[] = "example.se\0info";

        test_assert_int(pk_record_encode_entry(&ent, &buf), PK_OK);
        test_assert_int(fx_raw_put(&fx, PK_DB_ADDRESSES, key, sizeof(key) - 1,
                                   buf.data, buf.len),
                        PK_OK);
        pk_buf_free(&buf);
    }
    pk_entry_free(&ent);
    test_assert_int(resolve(&fx, "info@example.se", PK_RESOLVE_EXPLAIN, &res),
                    PK_OK);
    test_assert_int(res.dest_count, 1);
    test_assert(has_dest(&res, "alice@example.se", true));
    test_assert(has_step(&res, "nothing matches gone@example.se"));
    pk_resolve_free(&res);
    txn = fx_read(&fx);
    test_assert_int(
        pk_resolve(txn, "info@example.se", PK_RESOLVE_STRICT, &res, &fx.error),
        PK_EINVAL);
    test_assert(strstr(fx.error, "gone@example.se") != NULL);
    pk_txn_end(&txn);
    fixture_close(&fx);
    test_end();
}

static int note_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    return pk_domain_note_catchall(txn, ctx, error_r);
}

/* catchall_flag - the catch-all flag of a domain's record, as stored */
static bool catchall_flag(struct fixture *fx, const char *domain)
{
    struct pk_txn *txn = fx_read(fx);
    struct pk_domain dom;
    bool flag = pk_domain_lookup(txn, domain, &dom, &fx->error) == PK_OK &&
                dom.catchall == PK_CATCHALL_PRESENT;

    pk_txn_end(&txn);
    return flag;
}

static void test_resolve_catchall_flag_follows_writes(void)
{
    struct fixture fx;
    struct pk_domain dom = {.kind = PK_DOMAIN_HOSTED};
    struct pk_buf buf = {0};

    test_begin("resolve: the domain's catch-all flag follows every write");
    setup(&fx);
    test_assert(!catchall_flag(&fx, "example.se"));
    test_assert(expect(&fx, "nobody@example.se", 0, PK_KIND_UNKNOWN, "", 0));
    test_assert_int(fx_alias(&fx, "@example.se", "carol@example.se", NULL),
                    PK_OK);
    test_assert(catchall_flag(&fx, "example.se"));
    test_assert(!catchall_flag(&fx, "example.nu"));
    test_assert(expect(&fx, "nobody@example.se", 0, PK_KIND_CATCHALL,
                       "@example.se", 1));
    /* Through an alias domain: its target's catch-all. */
    test_assert(expect(&fx, "nobody@example.nu", 0, PK_KIND_CATCHALL,
                       "@example.se", 1));
    /* A destination more keeps it; removing the catch-all clears it. */
    test_assert_int(fx_alias(&fx, "@example.se", "bob@example.se", NULL),
                    PK_OK);
    test_assert(catchall_flag(&fx, "example.se"));
    test_assert_int(fx_unalias(&fx, "@example.se", NULL), PK_OK);
    test_assert(!catchall_flag(&fx, "example.se"));
    test_assert(expect(&fx, "nobody@example.se", 0, PK_KIND_UNKNOWN, "", 0));
    test_assert(expect(&fx, "nobody@example.nu", 0, PK_KIND_UNKNOWN, "", 0));

    /* A version 1 domain record (no flags) still finds the catch-all. */
    test_assert_int(fx_alias(&fx, "@example.se", "carol@example.se", NULL),
                    PK_OK);
    test_assert_int(pk_record_encode_domain(&dom, &buf), PK_OK);
    test_assert_int(buf.data[1], 1);
    test_assert_int(
        fx_raw_put(&fx, PK_DB_DOMAINS, "example.se", 10, buf.data, buf.len),
        PK_OK);
    test_assert(expect(&fx, "nobody@example.se", 0, PK_KIND_CATCHALL,
                       "@example.se", 1));
    /* Rewritten by any writer, it gets the flag from the data. */
    test_assert_int(pk_store_write(fx.store, note_fn, "example.se", &fx.error),
                    PK_OK);
    test_assert(catchall_flag(&fx, "example.se"));
    pk_buf_free(&buf);
    fixture_close(&fx);
    test_end();
}

static int import_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct pk_import_stats stats;

    return pk_import(txn, PK_FORMAT_POSTFIX_VIRTUAL, ctx, strlen(ctx),
                     PK_IMPORT_CREATE_DOMAINS, &stats, error_r);
}

static void test_resolve_import_flags_catchalls(void)
{
    struct fixture fx;
    /* A catch-all in a domain that exists and in one the import adds. */
    static char data[] = "@example.se carol@example.se\n"
                         "@example.org x@elsewhere.org\n"
                         "info@example.org y@elsewhere.org\n";

    test_begin("resolve: an import that brings a catch-all flags its domain");
    setup(&fx);
    test_assert_int(pk_store_write(fx.store, import_fn, data, &fx.error),
                    PK_OK);
    test_assert(catchall_flag(&fx, "example.se"));
    test_assert(catchall_flag(&fx, "example.org"));
    test_assert(expect(&fx, "nobody@example.se", 0, PK_KIND_CATCHALL,
                       "@example.se", 1));
    test_assert(expect(&fx, "nobody@example.org", 0, PK_KIND_CATCHALL,
                       "@example.org", 1));
    test_assert(expect(&fx, "info@example.org", 0, PK_KIND_ALIAS,
                       "info@example.org", 1));
    fixture_close(&fx);
    test_end();
}

static void test_resolve_corrupt_record_is_an_error(void)
{
    static const char garbage[] = "\x02\x01\xff";
    static const char newer[] = "\x03\x03whatever";
    struct fixture fx;
    struct pk_resolution res;
    char alice[] = "example.se\0alice", catchall[] = "example.se";

    test_begin("resolve: a corrupt record is PK_ECORRUPT, never unknown");
    setup(&fx);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_raw_put(&fx, PK_DB_ADDRESSES, alice, sizeof(alice) - 1,
                               garbage, sizeof(garbage) - 1),
                    PK_OK);
    test_assert_int(resolve(&fx, "alice@example.se", 0, &res), PK_ECORRUPT);
    test_assert(strstr(fx.error, "alice@example.se") != NULL);
    test_assert(res.dest == NULL && res.steps.count == 0);
    test_assert_int(resolve(&fx, "alice+x@example.se", 0, &res), PK_ECORRUPT);
    test_assert_int(resolve(&fx, "alice@example.nu", 0, &res), PK_ECORRUPT);
    test_assert_int(resolve(&fx, "info@example.se", PK_RESOLVE_EXPLAIN, &res),
                    PK_ECORRUPT);
    test_assert(res.dest == NULL && res.steps.count == 0);

    /* A corrupt catch-all: an unknown address is an error, not unknown. */
    test_assert_int(fx_raw_put(&fx, PK_DB_ADDRESSES, catchall, sizeof(catchall),
                               garbage, sizeof(garbage) - 1),
                    PK_OK);
    test_assert_int(pk_store_write(fx.store, note_fn, "example.se", &fx.error),
                    PK_OK);
    test_assert_int(resolve(&fx, "nobody@example.se", 0, &res), PK_ECORRUPT);
    test_assert(expect(&fx, "nobody@example.se", PK_RESOLVE_NO_CATCHALL,
                       PK_KIND_UNKNOWN, "", 0));

    /* A newer record version is refused as such. */
    test_assert_int(fx_raw_put(&fx, PK_DB_ADDRESSES, alice, sizeof(alice) - 1,
                               newer, sizeof(newer) - 1),
                    PK_OK);
    test_assert_int(resolve(&fx, "alice@example.se", 0, &res), PK_EVERSION);

    /* A corrupt domain record. */
    test_assert_int(fx_raw_put(&fx, PK_DB_DOMAINS, "example.nu", 10, "\1", 1),
                    PK_OK);
    test_assert_int(resolve(&fx, "bob@example.nu", 0, &res), PK_ECORRUPT);
    fixture_close(&fx);
    test_end();
}

static void test_resolve_custom_delimiter(void)
{
    struct fixture fx;

    test_begin("resolve: the stored subaddress delimiter is used");
    setup(&fx);
    test_assert_int(fx_raw_put(&fx, PK_DB_META, "delimiter", 9, "-", 1), PK_OK);
    pk_store_close(&fx.store);
    test_assert_int(pk_store_open(fx.dir, 0, &fx.store, &fx.error), PK_OK);
    test_assert(expect(&fx, "alice-news@example.se", 0, PK_KIND_ACCOUNT,
                       "alice@example.se", 1));
    test_assert(
        expect(&fx, "alice+news@example.se", 0, PK_KIND_UNKNOWN, "", 0));
    fixture_close(&fx);
    test_end();
}

int main(void)
{
    test_resolve_order_of_rules();
    test_resolve_alias_in_alias_domain_comes_first();
    test_resolve_catchall_never_shadows_an_address();
    test_resolve_catchall_flag_follows_writes();
    test_resolve_import_flags_catchalls();
    test_resolve_case_and_idna_forms();
    test_resolve_external_and_unknown();
    test_resolve_forwarding_with_and_without_copy();
    test_resolve_forward_to_self_and_back();
    test_resolve_diamond_lists_shared_destination_once();
    test_resolve_many_destinations_and_the_limit();
    test_resolve_mailbox_state_is_reported();
    test_resolve_hints_follow_their_accounts();
    test_resolve_flags();
    test_resolve_unknown_destination_skipped_unless_strict();
    test_resolve_corrupt_record_is_an_error();
    test_resolve_custom_delimiter();
    return test_exit();
}
