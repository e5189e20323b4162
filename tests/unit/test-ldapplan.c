/*++
/* NAME
/*	test-ldapplan 1
/* SUMMARY
/*	unit tests of planning directory writes (common/ldapplan.c)
/* SYNOPSIS
/*	test-ldapplan
/* DESCRIPTION
/*	A dry run changes nothing and yields one operation per changed
/*	object; the order puts targets before what points at them, drops
/*	references before what they pointed at, domains around their
/*	addresses, a delete before an add under another class; free
/*	operations keep a fixed order; the copy check ("--wait").
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "dkim.h"
#include "fixture.h"
#include "import.h"
#include "ldapplan.h"
#include "test.h"

/* op - append an operation on a named object */

static void op(struct pk_ldapplan *plan, enum pk_ldapop_type type,
               enum pk_ldap_kind kind, const char *name, const char *dest)
{
    struct pk_ldapobj obj = {0}, old = {0};

    obj.kind = kind;
    snprintf(obj.item.name, sizeof(obj.item.name), "%s", name);
    switch (kind) {
    case PK_LDAP_DOMAIN:
        obj.item.type = PK_ITEM_DOMAIN;
        break;
    case PK_LDAP_DOMAIN_ALIAS:
        obj.item.type = PK_ITEM_DOMAIN_ALIAS;
        snprintf(obj.item.target, sizeof(obj.item.target), "%s", dest);
        break;
    case PK_LDAP_ACCOUNT:
        obj.item.type = PK_ITEM_ACCOUNT;
        obj.item.entry.type = PK_REC_ACCOUNT;
        if (dest != NULL)
            pk_strlist_add(&obj.item.entry.u.account.forward, dest);
        break;
    case PK_LDAP_ALIAS:
        obj.item.type = PK_ITEM_ALIAS;
        obj.item.entry.type = PK_REC_ALIAS;
        if (dest != NULL)
            pk_strlist_add(&obj.item.entry.u.alias.dest, dest);
        break;
    default:
        break;
    }
    if (type == PK_LDAPOP_MODIFY) {
        /* Before the change it pointed at dest; afterwards at nothing. */
        old = obj;
        memset(&obj, 0, sizeof(obj));
        obj.kind = kind;
        obj.item.type = old.item.type;
        obj.item.entry.type = old.item.entry.type;
        snprintf(obj.item.name, sizeof(obj.item.name), "%s", name);
        test_assert_int(pk_ldapplan_add(plan, type, &obj, &old), PK_OK);
        return;
    }
    test_assert_int(pk_ldapplan_add(plan, type, &obj, NULL), PK_OK);
}

/* order_text - "type:name type:name ..." after ordering */

static const char *order_text(struct pk_ldapplan *plan)
{
    static char buf[1024];
    const char *err = NULL;
    size_t pos = 0;

    buf[0] = 0;
    test_assert_int(pk_ldapplan_order(plan, &err), PK_OK);
    for (size_t i = 0; i < plan->count; i++)
        pos += snprintf(buf + pos, sizeof(buf) - pos, "%s%c:%s", i ? " " : "",
                        pk_ldapplan_type_name(plan->ops[i].type)[0],
                        plan->ops[i].obj.item.name);
    return buf;
}

static void test_ldapplan_target_before_alias(void)
{
    struct pk_ldapplan plan = {.delimiter = '+'};

    test_begin("ldapplan: an alias's new target goes first, also via +tag");
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ALIAS, "a1@x.se", "a2@x.se");
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ALIAS, "a2@x.se", "anna+news@x.se");
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ACCOUNT, "anna@x.se", NULL);
    test_assert_str(order_text(&plan), "a:anna@x.se a:a2@x.se a:a1@x.se");
    pk_ldapplan_free(&plan);
    test_end();
}

static void test_ldapplan_account_forward_to_new_alias(void)
{
    struct pk_ldapplan plan = {.delimiter = '+'};

    test_begin("ldapplan: a forward to a new alias waits for the alias");
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ACCOUNT, "bo@x.se", "team@x.se");
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ACCOUNT, "cy@x.se", NULL);
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ALIAS, "team@x.se", "cy@x.se");
    test_assert_str(order_text(&plan), "a:cy@x.se a:team@x.se a:bo@x.se");
    pk_ldapplan_free(&plan);
    test_end();
}

static void test_ldapplan_reference_dropped_before_delete(void)
{
    struct pk_ldapplan plan = {.delimiter = '+'};

    test_begin("ldapplan: references go before what they pointed at");
    op(&plan, PK_LDAPOP_DELETE, PK_LDAP_ACCOUNT, "anna@x.se", NULL);
    op(&plan, PK_LDAPOP_MODIFY, PK_LDAP_ALIAS, "info@x.se", "anna@x.se");
    op(&plan, PK_LDAPOP_DELETE, PK_LDAP_ALIAS, "old@x.se", "info@x.se");
    test_assert_str(order_text(&plan), "m:info@x.se d:old@x.se d:anna@x.se");
    pk_ldapplan_free(&plan);
    test_end();
}

static void test_ldapplan_domains_around_addresses(void)
{
    struct pk_ldapplan plan = {.delimiter = '+'};

    test_begin("ldapplan: a domain is added first and deleted last");
    op(&plan, PK_LDAPOP_DELETE, PK_LDAP_DOMAIN, "old.se", NULL);
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ACCOUNT, "anna@new.se", NULL);
    op(&plan, PK_LDAPOP_DELETE, PK_LDAP_ACCOUNT, "bo@old.se", NULL);
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_DOMAIN_ALIAS, "new.nu", "new.se");
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_DOMAIN, "new.se", NULL);
    test_assert_str(order_text(&plan), "a:new.se a:new.nu a:anna@new.se "
                                       "d:bo@old.se d:old.se");
    pk_ldapplan_free(&plan);
    test_end();
}

static void test_ldapplan_class_change(void)
{
    struct pk_ldapplan plan = {.delimiter = '+'};

    test_begin("ldapplan: a new class is a delete, then an add");
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ALIAS, "anna@x.se", "bo@x.se");
    op(&plan, PK_LDAPOP_DELETE, PK_LDAP_ACCOUNT, "anna@x.se", NULL);
    test_assert_str(order_text(&plan), "d:anna@x.se a:anna@x.se");
    pk_ldapplan_free(&plan);
    test_end();
}

static void test_ldapplan_cycle_still_orders(void)
{
    struct pk_ldapplan plan = {.delimiter = '+'};

    test_begin("ldapplan: a reference cycle still gives an order");
    /* The core never stores one; the planner must still end. */
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ALIAS, "a1@x.se", "a2@x.se");
    op(&plan, PK_LDAPOP_ADD, PK_LDAP_ALIAS, "a2@x.se", "a1@x.se");
    test_assert_str(order_text(&plan), "a:a1@x.se a:a2@x.se");
    pk_ldapplan_free(&plan);
    test_end();
}

static void test_ldapplan_many_is_fast_and_grouped(void)
{
    struct pk_ldapplan plan = {.delimiter = '+'};
    const char *err;
    char name[64];
    bool ok = true;

    test_begin("ldapplan: 20000 operations order, each after its domain");
    for (int i = 0; i < 20000; i++) {
        snprintf(name, sizeof(name), "u%d@d%d.se", i, i % 50);
        op(&plan, PK_LDAPOP_ADD, PK_LDAP_ACCOUNT, name, NULL);
        if (i < 50) {
            snprintf(name, sizeof(name), "d%d.se", i);
            op(&plan, PK_LDAPOP_ADD, PK_LDAP_DOMAIN, name, NULL);
        }
    }
    test_assert_int(pk_ldapplan_order(&plan, &err), PK_OK);
    for (size_t i = 0; i < 50; i++)
        ok = ok && plan.ops[i].obj.kind == PK_LDAP_DOMAIN;
    test_assert(ok);
    test_assert_str(plan.ops[0].obj.item.name, "d0.se");
    test_assert_str(plan.ops[50].obj.item.name, "u0@d0.se");
    pk_ldapplan_free(&plan);
    test_end();
}

struct capture_ctx {
    struct pk_store *store;
    struct pk_ldapplan plan;
    struct fx_call *call;
};

static int capture(struct pk_txn *txn, const struct pk_store_touch *t, size_t n,
                   void *vctx, const char **error_r)
{
    struct capture_ctx *ctx = vctx;
    struct pk_txn *before = NULL;
    int status = pk_store_read(ctx->store, &before, error_r);

    if (status == PK_OK)
        status = pk_ldapplan_capture(txn, before, t, n, &ctx->plan, error_r);
    pk_txn_end(&before);

    return status == PK_OK ? pk_ldapplan_order(&ctx->plan, error_r) : status;
}

static int do_import(struct pk_txn *t, struct fx_call *c, const char **e)
{
    return pk_import(t, PK_FORMAT_JSONL, c->a, strlen(c->a), 0, NULL, e);
}

static int do_account_del(struct pk_txn *t, struct fx_call *c, const char **e)
{
    return pk_account_del(t, c->a, e);
}

static int dryrun(struct fixture *fx, struct capture_ctx *ctx,
                  struct fx_call *call)
{
    int status;

    ctx->store = fx->store;
    status = pk_store_dryrun(fx->store, fx_run, call, capture, ctx, &fx->error);

    pk_strlist_free(&call->list);
    return status;
}

static void test_ldapplan_dryrun_changes_nothing(void)
{
    struct fixture fx;
    struct capture_ctx ctx = {.plan = {0}};
    struct fx_call call = {.fn = do_import};
    struct pk_entry e;
    struct pk_txn *txn;
    const char *err;

    test_begin("ldapplan: a dry run yields the plan and changes nothing");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "x.se"), PK_OK);
    /* The import names the alias before its target account. */
    call.a = "{\"type\":\"alias\",\"address\":\"info@x.se\","
             "\"to\":[\"anna@x.se\"]}\n"
             "{\"type\":\"account\",\"address\":\"anna@x.se\","
             "\"password\":\"" FX_HASH "\"}\n"
             "{\"type\":\"sendas\",\"login\":\"anna@x.se\","
             "\"address\":\"@x.se\"}\n";
    test_assert_int(dryrun(&fx, &ctx, &call), PK_OK);
    test_assert_int(ctx.plan.count, 2);
    if (ctx.plan.count == 2) {
        test_assert_str(ctx.plan.ops[0].obj.item.name, "anna@x.se");
        test_assert_int(ctx.plan.ops[0].type, PK_LDAPOP_ADD);
        test_assert_int(ctx.plan.ops[0].obj.sendas.count, 1);
        test_assert_str(ctx.plan.ops[1].obj.item.name, "info@x.se");
    }
    test_assert_int(pk_store_read(fx.store, &txn, &err), PK_OK);
    test_assert_int(pk_entry_get(txn, "anna@x.se", &e, &err), PK_NOTFOUND);
    test_assert_int(pk_ldapplan_shown(txn, &ctx.plan.ops[0], &err),
                    PK_NOTFOUND);
    pk_txn_end(&txn);
    pk_ldapplan_free(&ctx.plan);
    fixture_close(&fx);
    test_end();
}

static void test_ldapplan_dryrun_errors_as_core(void)
{
    struct fixture fx;
    struct capture_ctx ctx = {.plan = {0}};
    struct fx_call call = {.fn = do_account_del, .a = "anna@x.se"};

    test_begin("ldapplan: the core refuses in a dry run as in a write");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "x.se"), PK_OK);
    test_assert_int(fx_account(&fx, "anna@x.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "info@x.se", "anna@x.se", NULL), PK_OK);
    test_assert_int(dryrun(&fx, &ctx, &call), PK_EINVAL);
    test_assert_int(ctx.plan.count, 0);
    pk_ldapplan_free(&ctx.plan);
    fixture_close(&fx);
    test_end();
}

static void test_ldapplan_grant_modifies_account(void)
{
    struct fixture fx;
    struct capture_ctx ctx = {.plan = {0}};
    struct fx_call call = {.fn = fx_do_grant, .a = "anna@x.se", .b = "@x.se"};
    struct pk_txn *txn;
    const char *err;

    test_begin("ldapplan: a grant is a change of its account's entry");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "x.se"), PK_OK);
    test_assert_int(fx_account(&fx, "anna@x.se"), PK_OK);
    test_assert_int(dryrun(&fx, &ctx, &call), PK_OK);
    test_assert_int(ctx.plan.count, 1);
    if (ctx.plan.count == 1) {
        test_assert_int(ctx.plan.ops[0].type, PK_LDAPOP_MODIFY);
        test_assert_int(ctx.plan.ops[0].obj.sendas.count, 1);
        test_assert_int(pk_store_read(fx.store, &txn, &err), PK_OK);
        test_assert_int(pk_ldapplan_shown(txn, &ctx.plan.ops[0], &err),
                        PK_NOTFOUND);
        pk_txn_end(&txn);
    }
    /* Once the grant is really there, the copy shows the change. */
    call.fn = fx_do_grant;
    test_assert_int(fx_call_write(&fx, &call), PK_OK);
    test_assert_int(pk_store_read(fx.store, &txn, &err), PK_OK);
    test_assert_int(pk_ldapplan_shown(txn, &ctx.plan.ops[0], &err), PK_OK);
    pk_txn_end(&txn);
    pk_ldapplan_free(&ctx.plan);
    fixture_close(&fx);
    test_end();
}

/* mods_text - "op:name=v|v op:name" of a modification list */

static const char *mods_text(const struct pk_ldapmods *m)
{
    static char buf[2048];
    static const char op[] = {[PK_LDAPMOD_ADD] = 'a',
                              [PK_LDAPMOD_DELETE] = 'd',
                              [PK_LDAPMOD_REPLACE] = 'r'};
    size_t pos = 0;

    buf[0] = 0;
    for (size_t i = 0; i < m->count; i++) {
        pos += snprintf(buf + pos, sizeof(buf) - pos, "%s%c:%s", i ? " " : "",
                        op[m->mods[i].op], m->mods[i].name);
        for (size_t j = 0; j < m->mods[i].values.count; j++)
            pos += snprintf(buf + pos, sizeof(buf) - pos, "%c%s", j ? '|' : '=',
                            m->mods[i].values.items[j]);
    }
    return buf;
}

static void account(struct pk_ldapobj *o, enum pk_account_state state,
                    const char *grant)
{
    memset(o, 0, sizeof(*o));
    o->kind = PK_LDAP_ACCOUNT;
    o->item.type = PK_ITEM_ACCOUNT;
    o->item.entry.type = PK_REC_ACCOUNT;
    snprintf(o->item.name, sizeof(o->item.name), "anna@x.se");
    snprintf(o->item.entry.u.account.password,
             sizeof(o->item.entry.u.account.password), "%s", FX_HASH);
    o->item.entry.u.account.state = state;
    o->item.entry.u.account.quota = PK_QUOTA_DOMAIN;
    pk_strlist_add(&o->sendas, "@x.se");
    if (grant != NULL)
        pk_strlist_add(&o->sendas, grant);
}

static void test_ldapplan_modify_sends_only_changes(void)
{
    struct pk_ldapobj old, obj;
    struct pk_ldapmods m;
    const char *err;

    test_begin("ldapmap: a modify sends only what changed, values one by one");
    account(&old, PK_STATE_ACTIVE, "info@x.se");
    account(&obj, PK_STATE_SUSPENDED, "team@x.se");
    test_assert_int(pk_ldapmap_mods(&old, &obj, false, &m, &err), PK_OK);
    test_assert_str(mods_text(&m), "r:pkState=suspended d:pkSendAs=info@x.se "
                                   "a:pkSendAs=team@x.se");
    pk_ldapmods_free(&m);
    test_assert_int(pk_ldapmap_mods(&obj, &obj, false, &m, &err), PK_OK);
    test_assert_int(m.count, 0);
    pk_ldapmods_free(&m);
    /* An add carries the class and only attributes with values. */
    test_assert_int(pk_ldapmap_mods(NULL, &obj, true, &m, &err), PK_OK);
    test_assert(strncmp(mods_text(&m), "a:objectClass=pkAccount ", 24) == 0);
    test_assert(strstr(mods_text(&m), "pkQuota") == NULL);
    pk_ldapmods_free(&m);
    /* Without the old state, everything but the class is replaced. */
    test_assert_int(pk_ldapmap_mods(NULL, &obj, false, &m, &err), PK_OK);
    test_assert(strstr(mods_text(&m), "r:pkQuota r:pkKeepCopy") != NULL);
    test_assert(strstr(mods_text(&m), "objectClass") == NULL);
    pk_ldapmods_free(&m);
    pk_ldapobj_free(&old);
    pk_ldapobj_free(&obj);
    test_end();
}

int main(void)
{
    test_ldapplan_target_before_alias();
    test_ldapplan_account_forward_to_new_alias();
    test_ldapplan_reference_dropped_before_delete();
    test_ldapplan_domains_around_addresses();
    test_ldapplan_class_change();
    test_ldapplan_cycle_still_orders();
    test_ldapplan_many_is_fast_and_grouped();
    test_ldapplan_dryrun_changes_nothing();
    test_ldapplan_dryrun_errors_as_core();
    test_ldapplan_grant_modifies_account();
    test_ldapplan_modify_sends_only_changes();
    return test_exit();
}
