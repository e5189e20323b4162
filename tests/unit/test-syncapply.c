/*++
/* NAME
/*	test-syncapply 1
/* SUMMARY
/*	unit tests of applying directory changes (common/syncapply.c)
/* SYNOPSIS
/*	test-syncapply
/* DESCRIPTION
/*	A batch and its cookie commit together or not at all; deletes by
/*	UUID, renames, a name taken over by another entry, the end of a
/*	present phase; each server's position only moves forward; grants
/*	and heartbeats; cookies from the wire are checked.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "fixture.h"
#include "syncapply.h"
#include "test.h"

#define CSN1 "20261126055000.000001Z#000000#001#000000"
#define CSN1B "20261126055001.000000Z#000000#001#000000"
#define CSN2 "20261126055000.500000Z#000003#002#000000"

static void uuid(unsigned char u[PK_SYNC_UUID_LEN], int n)
{
    memset(u, 0, PK_SYNC_UUID_LEN);
    u[15] = (unsigned char)n;
}

static void put_domain(struct pk_sync_change *c, int n, const char *name)
{
    memset(c, 0, sizeof(*c));
    c->op = PK_SYNC_PUT;
    uuid(c->uuid, n);
    c->obj.kind = PK_LDAP_DOMAIN;
    c->obj.item.type = PK_ITEM_DOMAIN;
    snprintf(c->obj.item.name, sizeof(c->obj.item.name), "%s", name);
    c->obj.item.domain.kind = PK_DOMAIN_HOSTED;
}

static void put_account(struct pk_sync_change *c, int n, const char *name)
{
    memset(c, 0, sizeof(*c));
    c->op = PK_SYNC_PUT;
    uuid(c->uuid, n);
    c->obj.kind = PK_LDAP_ACCOUNT;
    c->obj.item.type = PK_ITEM_ACCOUNT;
    snprintf(c->obj.item.name, sizeof(c->obj.item.name), "%s", name);
    c->obj.item.entry.type = PK_REC_ACCOUNT;
    c->obj.item.entry.u.account.quota = PK_QUOTA_DOMAIN;
    snprintf(c->obj.item.entry.u.account.password,
             sizeof(c->obj.item.entry.u.account.password), "%s", FX_HASH);
}

static void put_alias(struct pk_sync_change *c, int n, const char *name,
                      const char *dest)
{
    memset(c, 0, sizeof(*c));
    c->op = PK_SYNC_PUT;
    uuid(c->uuid, n);
    c->obj.kind = PK_LDAP_ALIAS;
    c->obj.item.type = PK_ITEM_ALIAS;
    snprintf(c->obj.item.name, sizeof(c->obj.item.name), "%s", name);
    c->obj.item.entry.type = PK_REC_ALIAS;
    pk_strlist_add(&c->obj.item.entry.u.alias.dest, dest);
}

static void del(struct pk_sync_change *c, int n)
{
    memset(c, 0, sizeof(*c));
    c->op = PK_SYNC_DELETE;
    uuid(c->uuid, n);
}

static int apply(struct fixture *fx, struct pk_sync_change *c, size_t n,
                 const char *cookie, struct pk_sync_stats *st)
{
    struct pk_sync_batch b = {.changes = c, .count = n, .cookie = cookie};

    return pk_syncapply(fx->store, &b, st, &fx->error);
}

/* entry_type - PK_REC_ACCOUNT, PK_REC_ALIAS or 0 if absent */

static int entry_type(struct fixture *fx, const char *addr)
{
    struct pk_txn *txn = fx_read(fx);
    struct pk_entry ent;
    int type = 0;

    if (pk_entry_get(txn, addr, &ent, &fx->error) == PK_OK) {
        type = ent.type;
        pk_entry_free(&ent);
    }
    pk_txn_end(&txn);
    return type;
}

static const char *cookie(struct fixture *fx)
{
    static char buf[PK_SYNC_COOKIE_MAX + 1];
    struct pk_txn *txn = fx_read(fx);

    if (pk_sync_cookie(txn, buf, sizeof(buf), &fx->error) != PK_OK)
        snprintf(buf, sizeof(buf), "error");
    pk_txn_end(&txn);
    return buf;
}

static void free_changes(struct pk_sync_change *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pk_ldapobj_free(&c[i].obj);
}

static void test_batch_and_cookie_commit_together(void)
{
    struct fixture fx;
    struct pk_sync_change c[3];
    struct pk_sync_stats st;

    test_begin("a batch and its cookie commit together");
    fixture_open(&fx);
    put_domain(&c[0], 1, "example.org");
    put_account(&c[1], 2, "anna@example.org");
    put_alias(&c[2], 3, "info@example.org", "anna@example.org");
    test_assert_int(apply(&fx, c, 3, "rid=001,sid=001,csn=" CSN1, &st), PK_OK);
    test_assert_int(st.put, 3);
    test_assert_int(entry_type(&fx, "anna@example.org"), PK_REC_ACCOUNT);
    test_assert_int(entry_type(&fx, "info@example.org"), PK_REC_ALIAS);
    test_assert_str(cookie(&fx), "csn=" CSN1);
    free_changes(c, 3);

    /* A change that cannot be stored aborts the batch, cookie too. */
    put_account(&c[0], 4, "bo@example.org");
    put_account(&c[1], 5, "not an address");
    test_assert(apply(&fx, c, 2, "csn=" CSN1B, &st) != PK_OK);
    test_assert_int(entry_type(&fx, "bo@example.org"), 0);
    test_assert_str(cookie(&fx), "csn=" CSN1);
    free_changes(c, 2);
    fixture_close(&fx);
    test_end();
}

static void test_deletes_renames_and_reuse(void)
{
    struct fixture fx;
    struct pk_sync_change c[2];
    struct pk_sync_stats st;

    test_begin("deletes go by UUID; renames and reused names are safe");
    fixture_open(&fx);
    put_domain(&c[0], 1, "example.org");
    put_account(&c[1], 2, "anna@example.org");
    test_assert_int(apply(&fx, c, 2, NULL, &st), PK_OK);
    free_changes(c, 2);

    /* UUID 2 renamed: the old address goes. */
    put_account(&c[0], 2, "anna.b@example.org");
    test_assert_int(apply(&fx, c, 1, NULL, &st), PK_OK);
    test_assert_int(entry_type(&fx, "anna@example.org"), 0);
    test_assert_int(entry_type(&fx, "anna.b@example.org"), PK_REC_ACCOUNT);
    free_changes(c, 1);

    /* UUID 3 takes the name over before UUID 2's delete arrives. */
    put_alias(&c[0], 3, "anna.b@example.org", "x@outside.example");
    test_assert_int(apply(&fx, c, 1, NULL, &st), PK_OK);
    free_changes(c, 1);
    del(&c[0], 2);
    test_assert_int(apply(&fx, c, 1, NULL, &st), PK_OK);
    test_assert_int(st.unknown, 1);
    test_assert_int(entry_type(&fx, "anna.b@example.org"), PK_REC_ALIAS);

    del(&c[0], 3);
    test_assert_int(apply(&fx, c, 1, NULL, &st), PK_OK);
    test_assert_int(st.deleted, 1);
    test_assert_int(entry_type(&fx, "anna.b@example.org"), 0);
    fixture_close(&fx);
    test_end();
}

static void test_present_phase_deletes_the_missing(void)
{
    struct fixture fx;
    struct pk_sync_change c[4];
    struct pk_sync_stats st;
    unsigned char present[2][PK_SYNC_UUID_LEN];
    struct pk_sync_batch b = {0};

    test_begin("the end of a present phase deletes what was not present");
    fixture_open(&fx);
    put_domain(&c[0], 1, "example.org");
    put_account(&c[1], 2, "a@example.org");
    put_account(&c[2], 3, "b@example.org");
    put_account(&c[3], 4, "c@example.org");
    test_assert_int(apply(&fx, c, 4, NULL, &st), PK_OK);
    free_changes(c, 4);
    uuid(present[0], 1);
    uuid(present[1], 3);
    b.present_end = true;
    b.present = (const unsigned char(*)[PK_SYNC_UUID_LEN])present;
    b.npresent = 2;
    b.cookie = "csn=" CSN1;
    test_assert_int(pk_syncapply(fx.store, &b, &st, &fx.error), PK_OK);
    test_assert_int(st.deleted, 2);
    test_assert_int(entry_type(&fx, "a@example.org"), 0);
    test_assert_int(entry_type(&fx, "b@example.org"), PK_REC_ACCOUNT);
    test_assert_int(entry_type(&fx, "c@example.org"), 0);
    fixture_close(&fx);
    test_end();
}

static void test_positions_move_forward_per_server(void)
{
    struct fixture fx;
    struct pk_sync_stats st;
    struct pk_sync_position pos[4];
    struct pk_sync_heartbeat hb[2];
    size_t npos, nhb;
    struct pk_txn *txn;

    test_begin("each server's position only moves forward");
    fixture_open(&fx);
    test_assert_int(apply(&fx, NULL, 0, "rid=001,csn=" CSN1B ";" CSN2, &st),
                    PK_OK);
    test_assert_str(cookie(&fx), "csn=" CSN1B ";" CSN2);
    /* An older cookie (a restored backup, another provider) is no step back. */
    test_assert_int(apply(&fx, NULL, 0, "csn=" CSN1, &st), PK_OK);
    test_assert_str(cookie(&fx), "csn=" CSN1B ";" CSN2);
    txn = fx_read(&fx);
    test_assert_int(pk_sync_state(txn, pos, 4, &npos, hb, 2, &nhb, &fx.error),
                    PK_OK);
    pk_txn_end(&txn);
    test_assert_int(npos, 2);
    test_assert_int(pos[0].sid, 1);
    test_assert_int(pos[1].sid, 2);
    test_assert_int(nhb, 0);
    fixture_close(&fx);
    test_end();
}

static void test_bad_cookies_are_refused(void)
{
    struct fixture fx;
    struct pk_sync_change c[1];
    struct pk_sync_stats st;
    uint64_t us;

    test_begin("a bad cookie is refused and nothing is applied");
    fixture_open(&fx);
    put_domain(&c[0], 1, "example.org");
    test_assert_int(apply(&fx, c, 1, "csn=2026", &st), PK_EINVAL);
    test_assert_int(apply(&fx, c, 1, "csn=" CSN1 ";", &st), PK_EINVAL);
    test_assert_int(apply(&fx, c, 1, "csn=" CSN1 ";;" CSN2, &st), PK_EINVAL);
    test_assert_str(cookie(&fx), "");
    /* A cookie with no CSN (an empty provider) is valid. */
    test_assert_int(apply(&fx, c, 1, "rid=001,sid=002", &st), PK_OK);
    test_assert_str(cookie(&fx), "");
    test_assert_int(pk_sync_csn_time(CSN1, &us), PK_OK);
    test_assert(us == 1795672200000001ULL);
    free_changes(c, 1);
    fixture_close(&fx);
    test_end();
}

static void test_grants_and_heartbeats(void)
{
    struct fixture fx;
    struct pk_sync_change c[3];
    struct pk_sync_stats st;
    struct pk_sync_position pos[1];
    struct pk_sync_heartbeat hb[2];
    size_t npos, nhb;
    struct pk_txn *txn;

    test_begin("grants are replaced with the account; heartbeats are kept");
    fixture_open(&fx);
    put_domain(&c[0], 1, "example.org");
    put_account(&c[1], 2, "anna@example.org");
    pk_strlist_add(&c[1].obj.sendas, "@example.org");
    memset(&c[2], 0, sizeof(c[2]));
    c[2].op = PK_SYNC_PUT;
    uuid(c[2].uuid, 9);
    c[2].obj.kind = PK_LDAP_HEARTBEAT;
    snprintf(c[2].obj.item.name, sizeof(c[2].obj.item.name), "heartbeat-1");
    c[2].obj.heartbeat_us = 42;
    test_assert_int(apply(&fx, c, 3, NULL, &st), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(
        pk_sendas_may(txn, "anna@example.org", "x@example.org", &fx.error),
        PK_OK);
    test_assert_int(pk_sync_state(txn, pos, 1, &npos, hb, 2, &nhb, &fx.error),
                    PK_OK);
    pk_txn_end(&txn);
    test_assert_int(nhb, 1);
    test_assert_str(hb[0].name, "heartbeat-1");
    test_assert(hb[0].written_us == 42 && hb[0].applied_us > 42);
    free_changes(c, 3);

    put_account(&c[0], 2, "anna@example.org");
    test_assert_int(apply(&fx, c, 1, NULL, &st), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(
        pk_sendas_may(txn, "anna@example.org", "x@example.org", &fx.error),
        PK_NOTFOUND);
    pk_txn_end(&txn);
    free_changes(c, 1);
    del(&c[0], 9);
    test_assert_int(apply(&fx, c, 1, NULL, &st), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(pk_sync_state(txn, pos, 1, &npos, hb, 2, &nhb, &fx.error),
                    PK_OK);
    pk_txn_end(&txn);
    test_assert_int(nhb, 0);
    fixture_close(&fx);
    test_end();
}

int main(void)
{
    test_batch_and_cookie_commit_together();
    test_deletes_renames_and_reuse();
    test_present_phase_deletes_the_missing();
    test_positions_move_forward_per_server();
    test_bad_cookies_are_refused();
    test_grants_and_heartbeats();
    return test_exit();
}
