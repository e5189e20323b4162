/*++
/* NAME
/*	test-maps 1
/* SUMMARY
/*	unit tests for common/maps.c
/*--*/

#include "fixture.h"
#include "maps.h"

static struct fixture fx;

/* look - one lookup; the value in a static buffer, "" when none */

static int look(const char *map, const char *key, const char **value)
{
    static char buf[4096];
    struct pk_txn *txn = fx_read(&fx);
    int status = pk_maps_lookup(txn, map, key, buf, sizeof(buf), &fx.error);

    pk_txn_end(&txn);
    *value = status == PK_OK ? buf : "";
    return status;
}

static int do_state(struct pk_txn *t, struct fx_call *c, const char **e)
{
    return pk_account_set_state(t, c->a, PK_STATE_RECEIVE_BLOCKED, e);
}

static void setup(void)
{
    struct fx_call block = {.fn = do_state, .a = "blocked@example.se"};

    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "example.se"), PK_OK);
    test_assert_int(fx_domain(&fx, "exämple.se"), PK_OK);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "bob@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "carol@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "blocked@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "dora@exämple.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se",
                             "bob@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "team@example.se", "info@example.se",
                             "carol@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "@exämple.se", "dora@exämple.se", NULL),
                    PK_OK);
    test_assert_int(fx_forward(&fx, "carol@example.se", "keep",
                               "carol@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(fx_grant(&fx, "bob@example.se", "billing@example.se"),
                    PK_OK);
    test_assert_int(fx_grant(&fx, "carol@example.se", "@example.nu"), PK_OK);
    test_assert_int(fx_call_write(&fx, &block), PK_OK);
}

static void test_maps_domain_hosted_and_alias(void)
{
    const char *v;

    test_begin(
        "maps: domain answers hosted and alias domains, in any spelling");
    test_assert_int(look("domain", "example.se", &v), PK_OK);
    test_assert_str(v, "example.se");
    test_assert_int(look("domain", "EXAMPLE.NU", &v), PK_OK);
    test_assert_str(v, "example.nu");
    test_assert_int(look("domain", "exämple.se", &v), PK_OK);
    test_assert_str(v, "xn--exmple-cua.se");
    test_assert_int(look("domain", "elsewhere.org", &v), PK_NOTFOUND);
    test_assert_int(look("domain", "bad..domain", &v), PK_NOTFOUND);
    test_end();
}

static void test_maps_mailbox_accounts_only(void)
{
    const char *v;

    test_begin(
        "maps: mailbox answers accounts that may receive, with their path");
    test_assert_int(look("mailbox", "alice@example.se", &v), PK_OK);
    test_assert_str(v, "example.se/alice/");
    test_assert_int(look("mailbox", "Alice+tag@EXAMPLE.se", &v), PK_OK);
    test_assert_str(v, "example.se/alice/");
    test_assert_int(look("mailbox", "dora@xn--exmple-cua.se", &v), PK_OK);
    test_assert_str(v, "xn--exmple-cua.se/dora/");
    test_assert_int(look("mailbox", "info@example.se", &v), PK_NOTFOUND);
    test_assert_int(look("mailbox", "blocked@example.se", &v), PK_NOTFOUND);
    test_assert_int(look("mailbox", "nobody@exämple.se", &v), PK_NOTFOUND);
    test_assert_int(look("mailbox", "\"odd local\"@example.se", &v),
                    PK_NOTFOUND);
    test_end();
}

static void test_maps_alias_fully_expanded(void)
{
    const char *v;

    test_begin("maps: alias gives every final destination, already expanded");
    test_assert_int(look("alias", "info@example.se", &v), PK_OK);
    test_assert_str(v, "alice@example.se,bob@elsewhere.org");
    test_assert_int(look("alias", "team@example.se", &v), PK_OK);
    test_assert_str(v, "alice@example.se,bob@elsewhere.org,carol@elsewhere.org,"
                       "carol@example.se");
    test_assert_int(look("alias", "info@example.nu", &v), PK_OK);
    test_assert_str(v, "alice@example.se,bob@elsewhere.org");
    test_assert_int(look("alias", "anyone@exämple.se", &v), PK_OK);
    test_assert_str(v, "dora@xn--exmple-cua.se");
    test_end();
}

static void test_maps_alias_plain_account_falls_through(void)
{
    const char *v;

    test_begin("maps: alias is NOTFOUND only for an account spelled as stored");
    test_assert_int(look("alias", "alice@example.se", &v), PK_NOTFOUND);
    test_assert_int(look("alias", "ALICE@example.se", &v), PK_OK);
    test_assert_str(v, "alice@example.se");
    test_assert_int(look("alias", "alice+news@example.se", &v), PK_OK);
    test_assert_str(v, "alice@example.se");
    test_assert_int(look("alias", "alice@example.nu", &v), PK_OK);
    test_assert_str(v, "alice@example.se");
    test_assert_int(look("alias", "nobody@example.se", &v), PK_NOTFOUND);
    test_assert_int(look("alias", "someone@elsewhere.org", &v), PK_NOTFOUND);
    test_assert_int(look("alias", "@example.se", &v), PK_NOTFOUND);
    test_end();
}

static void test_maps_alias_forwarding_account_expanded(void)
{
    const char *v;

    test_begin("maps: an account that forwards is expanded, keeping its copy");
    test_assert_int(look("alias", "carol@example.se", &v), PK_OK);
    test_assert_str(v, "carol@elsewhere.org,carol@example.se");
    test_end();
}

static void test_maps_sender_owners(void)
{
    const char *v;

    test_begin("maps: sender lists exactly the logins pk_sendas_may allows");
    test_assert_int(look("sender", "alice@example.se", &v), PK_OK);
    test_assert_str(v, "alice@example.se");
    test_assert_int(look("sender", "Alice+x@example.se", &v), PK_OK);
    test_assert_str(v, "alice@example.se");
    test_assert_int(look("sender", "info@example.se", &v), PK_OK);
    test_assert_str(v, "alice@example.se");
    test_assert_int(look("sender", "billing@example.se", &v), PK_OK);
    test_assert_str(v, "bob@example.se");
    test_assert_int(look("sender", "alice@example.nu", &v), PK_OK);
    test_assert_str(v, "alice@example.se,carol@example.se");
    test_assert_int(look("sender", "anyone@exämple.se", &v), PK_NOTFOUND);
    test_assert_int(look("sender", "someone@elsewhere.org", &v), PK_NOTFOUND);
    test_end();
}

static void test_maps_limits_and_names(void)
{
    char small[20];
    struct pk_txn *txn;

    test_begin(
        "maps: an answer too long is PK_ELIMIT; an unknown table PK_ECONFIG");
    txn = fx_read(&fx);
    test_assert_int(pk_maps_lookup(txn, "alias", "info@example.se", small,
                                   sizeof(small), &fx.error),
                    PK_ELIMIT);
    test_assert_int(pk_maps_lookup(txn, "virtual", "info@example.se", small,
                                   sizeof(small), &fx.error),
                    PK_ECONFIG);
    pk_txn_end(&txn);
    test_end();
}

int main(void)
{
    test_begin("maps: fixture");
    setup();
    test_end();
    test_maps_domain_hosted_and_alias();
    test_maps_mailbox_accounts_only();
    test_maps_alias_fully_expanded();
    test_maps_alias_plain_account_falls_through();
    test_maps_alias_forwarding_account_expanded();
    test_maps_sender_owners();
    test_maps_limits_and_names();
    fixture_close(&fx);
    return test_exit();
}
