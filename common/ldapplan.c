/*++
/* NAME
/*	ldapplan 3
/* SUMMARY
/*	what a change to the directory is, and in which order to send it
/* SYNOPSIS
/*	#include "ldapplan.h"
/* DESCRIPTION
/*	See ldapplan.h. Objects are read back from the dry run's
/*	transaction with the record decoders, so what is sent is exactly
/*	what the core would have stored. The order is ldapplan-order.c.
/* DIAGNOSTICS
/*	PK_OK; PK_EINVAL; PK_ECORRUPT; PK_ENOMEM; store errors.
/*--*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ldapplan.h"
#include "sendas.h"

/* pk_ldapplan_type_name - "add", "modify", "delete" */

const char *pk_ldapplan_type_name(enum pk_ldapop_type type)
{
    switch (type) {
    case PK_LDAPOP_ADD:
        return "add";
    case PK_LDAPOP_MODIFY:
        return "modify";
    case PK_LDAPOP_DELETE:
        return "delete";
    }
    return "unknown";
}

/* pk_ldapplan_add - append an operation; the plan owns the objects */

int pk_ldapplan_add(struct pk_ldapplan *plan, enum pk_ldapop_type type,
                    struct pk_ldapobj *obj, struct pk_ldapobj *old)
{
    struct pk_ldapop *grown, *op;

    if (plan->count == plan->size) {
        size_t size = plan->size ? 2 * plan->size : 8;

        if ((grown = realloc(plan->ops, size * sizeof(*grown))) == NULL)
            return PK_ENOMEM;
        plan->ops = grown;
        plan->size = size;
    }
    op = &plan->ops[plan->count++];
    memset(op, 0, sizeof(*op));
    op->type = type;
    op->obj = *obj;
    memset(obj, 0, sizeof(*obj));
    if (old != NULL) {
        op->old = *old;
        op->has_old = true;
        memset(old, 0, sizeof(*old));
    }
    return PK_OK;
}

/* pk_ldapplan_free - release a plan and its objects */

void pk_ldapplan_free(struct pk_ldapplan *plan)
{
    for (size_t i = 0; i < plan->count; i++) {
        pk_ldapobj_free(&plan->ops[i].obj);
        if (plan->ops[i].has_old)
            pk_ldapobj_free(&plan->ops[i].old);
    }
    free(plan->ops);
    memset(plan, 0, sizeof(*plan));
}

/* obj_domain - a domain record as an object */

static int obj_domain(const char *name, const void *val, size_t vlen,
                      struct pk_ldapobj *obj, const char **error_r)
{
    memset(obj, 0, sizeof(*obj));
    if (pk_record_decode_domain(val, vlen, &obj->item.domain) != PK_OK) {
        *error_r = pk_error("the record of domain %s is corrupt", name);
        return PK_ECORRUPT;
    }
    snprintf(obj->item.name, sizeof(obj->item.name), "%s", name);
    if (obj->item.domain.kind == PK_DOMAIN_ALIAS) {
        obj->kind = PK_LDAP_DOMAIN_ALIAS;
        obj->item.type = PK_ITEM_DOMAIN_ALIAS;
        snprintf(obj->item.target, sizeof(obj->item.target), "%s",
                 obj->item.domain.target);
    } else {
        obj->kind = PK_LDAP_DOMAIN;
        obj->item.type = PK_ITEM_DOMAIN;
    }
    return PK_OK;
}

/* add_grant - pk_sendas_list() callback */

static int add_grant(const char *login, const char *address, void *ctx)
{
    return pk_strlist_add(ctx, address) == PK_OK ? 0 : PK_ENOMEM;
}

/* obj_entry - an account or alias record as an object; txn: with grants */

static int obj_entry(struct pk_txn *txn, const char *name, const void *val,
                     size_t vlen, struct pk_ldapobj *obj, const char **error_r)
{
    int status;

    memset(obj, 0, sizeof(*obj));
    if (pk_record_decode_entry(val, vlen, &obj->item.entry) != PK_OK) {
        *error_r = pk_error("the record of %s is corrupt", name);
        return PK_ECORRUPT;
    }
    snprintf(obj->item.name, sizeof(obj->item.name), "%s", name);
    if (obj->item.entry.type == PK_REC_ALIAS) {
        obj->kind = PK_LDAP_ALIAS;
        obj->item.type = PK_ITEM_ALIAS;
        return PK_OK;
    }
    obj->kind = PK_LDAP_ACCOUNT;
    obj->item.type = PK_ITEM_ACCOUNT;
    obj->quota_set = obj->item.entry.u.account.quota != PK_QUOTA_DOMAIN;
    if (txn != NULL && (status = pk_sendas_list(txn, name, add_grant,
                                                &obj->sendas, error_r)) != 0) {
        pk_ldapobj_free(obj);
        return status;
    }
    return PK_OK;
}

/* obj_dkim - a DKIM key record as an object */

static int obj_dkim(const char *domain, const char *selector, const void *val,
                    size_t vlen, struct pk_ldapobj *obj, const char **error_r)
{
    memset(obj, 0, sizeof(*obj));
    if (pk_record_decode_dkim(val, vlen, &obj->dkim) != PK_OK) {
        *error_r =
            pk_error("the DKIM key %s of %s is corrupt", selector, domain);
        return PK_ECORRUPT;
    }
    obj->kind = PK_LDAP_DKIM;
    snprintf(obj->item.name, sizeof(obj->item.name), "%s", domain);
    snprintf(obj->selector, sizeof(obj->selector), "%s", selector);
    return PK_OK;
}

/* key_names - the name (and selector) a key of a database stands for */

static int key_names(enum pk_db db, const void *key, size_t klen,
                     char name[PK_ADDR_MAX + 1],
                     char selector[PK_DKIM_SELECTOR_MAX + 1],
                     const char **error_r)
{
    struct pk_addr addr;
    const char *nul;

    switch (db) {
    case PK_DB_DOMAINS:
        if (klen == 0 || klen > PK_DOMAIN_MAX)
            break;
        memcpy(name, key, klen);
        name[klen] = 0;
        return PK_OK;
    case PK_DB_ADDRESSES:
    case PK_DB_SENDAS:
        if (pk_addr_from_key(key, klen, &addr) != PK_OK)
            break;
        pk_addr_format(&addr, name);
        return PK_OK;
    case PK_DB_DKIM:
        if ((nul = memchr(key, 0, klen)) == NULL ||
            (size_t)(nul - (const char *)key) > PK_DOMAIN_MAX ||
            klen - (nul - (const char *)key) - 1 > PK_DKIM_SELECTOR_MAX)
            break;
        memcpy(name, key, nul - (const char *)key);
        name[nul - (const char *)key] = 0;
        memcpy(selector, nul + 1, klen - (nul - (const char *)key) - 1);
        selector[klen - (nul - (const char *)key) - 1] = 0;
        return PK_OK;
    default:
        break;
    }
    *error_r = pk_error("a database key does not decode");
    return PK_ECORRUPT;
}

/* load - an object from a record; NULL value: absent (*present_r false) */

static int load(struct pk_txn *txn, enum pk_db db, const char *name,
                const char *selector, const void *val, size_t vlen,
                struct pk_ldapobj *obj, bool *present_r, const char **error_r)
{
    *present_r = val != NULL;
    memset(obj, 0, sizeof(*obj));
    if (val == NULL)
        return PK_OK;
    switch (db) {
    case PK_DB_DOMAINS:
        return obj_domain(name, val, vlen, obj, error_r);
    case PK_DB_ADDRESSES:
        return obj_entry(txn, name, val, vlen, obj, error_r);
    case PK_DB_DKIM:
        return obj_dkim(name, selector, val, vlen, obj, error_r);
    default:
        *error_r = pk_error("not a directory object");
        return PK_EINVAL;
    }
}

/* current - the value of a key now, NULL if absent */

static int current(struct pk_txn *txn, enum pk_db db, const void *key,
                   size_t klen, const void **val_r, size_t *vlen_r,
                   const char **error_r)
{
    int status = pk_txn_get(txn, db, key, klen, val_r, vlen_r, error_r);

    if (status == PK_NOTFOUND) {
        *val_r = NULL;
        *vlen_r = 0;
        return PK_OK;
    }
    return status;
}

/* touch_cmp - the order pk_store_dryrun() gives: database, then key */

static int touch_cmp(enum pk_db db, const void *key, size_t klen,
                     const struct pk_store_touch *t)
{
    size_t n = klen < t->klen ? klen : t->klen;
    int c;

    if (db != t->db)
        return db < t->db ? -1 : 1;
    if ((c = memcmp(key, t->key, n)) != 0)
        return c;
    return (klen > t->klen) - (klen < t->klen);
}

/* touched - was this key among the touches */

static bool touched(const struct pk_store_touch *t, size_t n, enum pk_db db,
                    const void *key, size_t klen)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = touch_cmp(db, key, klen, &t[mid]);

        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

/* plan_object - the operation(s) that take an object from old to new */

static int plan_object(struct pk_ldapplan *plan, struct pk_ldapobj *old,
                       bool had, struct pk_ldapobj *obj, bool has)
{
    int status = PK_OK;

    if (had && has && old->kind == obj->kind)
        return pk_ldapplan_add(plan, PK_LDAPOP_MODIFY, obj, old);
    if (had)
        status = pk_ldapplan_add(plan, PK_LDAPOP_DELETE, old, NULL);
    if (status == PK_OK && has)
        status = pk_ldapplan_add(plan, PK_LDAPOP_ADD, obj, NULL);
    return status;
}

/* capture_one - plan the change of one touched key */

static int capture_one(struct pk_txn *txn, struct pk_txn *before,
                       const struct pk_store_touch *all, size_t n,
                       const struct pk_store_touch *t, struct pk_ldapplan *plan,
                       const char **error_r)
{
    char name[PK_ADDR_MAX + 1], sel[PK_DKIM_SELECTOR_MAX + 1] = "";
    struct pk_ldapobj old, obj;
    const void *val, *oval = t->old;
    size_t vlen, olen = t->olen;
    enum pk_db db = t->db;
    bool had, has;
    int status;

    if ((status = key_names(db, t->key, t->klen, name, sel, error_r)) != PK_OK)
        return status;
    if (db == PK_DB_SENDAS) {
        /* Grants live in their account's entry. */
        if (touched(all, n, PK_DB_ADDRESSES, t->key, t->klen))
            return PK_OK;
        db = PK_DB_ADDRESSES;
        if ((status = current(txn, db, t->key, t->klen, &oval, &olen,
                              error_r)) != PK_OK)
            return status;
    }
    if ((status = current(txn, db, t->key, t->klen, &val, &vlen, error_r)) !=
        PK_OK)
        return status;
    if ((status = load(before, db, name, sel, oval, olen, &old, &had,
                       error_r)) != PK_OK)
        return status;
    if ((status = load(txn, db, name, sel, val, vlen, &obj, &has, error_r)) !=
        PK_OK) {
        pk_ldapobj_free(&old);
        return status;
    }
    status = plan_object(plan, &old, had, &obj, has);
    pk_ldapobj_free(&old);
    pk_ldapobj_free(&obj);
    return status;
}

/* pk_ldapplan_capture - the operations a dry run's changes amount to */

int pk_ldapplan_capture(struct pk_txn *txn, struct pk_txn *before,
                        const struct pk_store_touch *t, size_t n,
                        struct pk_ldapplan *plan, const char **error_r)
{
    int status;

    plan->delimiter = pk_txn_delimiter(txn);
    for (size_t i = 0; i < n; i++) {
        switch (t[i].db) {
        case PK_DB_LOG:
            continue; /* each host keeps its own log */
        case PK_DB_META:
            *error_r = pk_error("this command changes a setting of this host "
                                "that the directory does not hold; run it "
                                "without --ldap on each host");
            return PK_EINVAL;
        default:
            break;
        }
        if ((status = capture_one(txn, before, t, n, &t[i], plan, error_r)) !=
            PK_OK)
            return status;
    }
    return PK_OK;
}

/* same_entry - two objects make the same directory entry */

static bool same_entry(const struct pk_ldapobj *a, const struct pk_ldapobj *b)
{
    struct pk_ldapgen ga, gb;
    const char *err;
    bool same;

    if (pk_ldapmap_to_entry(a, &ga, &err) != PK_OK)
        return false;
    if (pk_ldapmap_to_entry(b, &gb, &err) != PK_OK) {
        pk_ldapgen_free(&ga);
        return false;
    }
    same = ga.count == gb.count;
    for (size_t i = 0; same && i < ga.count; i++) {
        const struct pk_strlist *va = &ga.attrs[i].values,
                                *vb = &gb.attrs[i].values;

        /* Values are a set in the directory: their order may change. */
        same = strcmp(ga.attrs[i].name, gb.attrs[i].name) == 0 &&
               va->count == vb->count;
        for (size_t j = 0; same && j < va->count; j++)
            same = pk_strlist_has(vb, va->items[j]);
    }
    pk_ldapgen_free(&ga);
    pk_ldapgen_free(&gb);
    return same;
}

/* pk_ldapplan_shown - does a copy show the result of an operation */

int pk_ldapplan_shown(struct pk_txn *txn, const struct pk_ldapop *op,
                      const char **error_r)
{
    const struct pk_ldapobj *want = &op->obj;
    char key[PK_KEY_MAX + PK_DKIM_SELECTOR_MAX + 1];
    struct pk_ldapobj now;
    struct pk_addr addr;
    enum pk_db db;
    const void *val;
    size_t klen, vlen;
    bool has;
    int status;

    switch (want->kind) {
    case PK_LDAP_DOMAIN:
    case PK_LDAP_DOMAIN_ALIAS:
        db = PK_DB_DOMAINS;
        klen = strlen(want->item.name);
        memcpy(key, want->item.name, klen);
        break;
    case PK_LDAP_ACCOUNT:
    case PK_LDAP_ALIAS:
        db = PK_DB_ADDRESSES;
        if ((status = pk_addr_parse(want->item.name, PK_ADDR_CATCHALL, &addr,
                                    error_r)) != PK_OK)
            return status;
        klen = pk_addr_key(&addr, key);
        break;
    case PK_LDAP_DKIM:
        db = PK_DB_DKIM;
        klen = strlen(want->item.name);
        memcpy(key, want->item.name, klen);
        key[klen++] = 0;
        memcpy(key + klen, want->selector, strlen(want->selector));
        klen += strlen(want->selector);
        break;
    default:
        *error_r = pk_error("not a directory object");
        return PK_EINVAL;
    }
    if ((status = current(txn, db, key, klen, &val, &vlen, error_r)) != PK_OK ||
        (status = load(txn, db, want->item.name, want->selector, val, vlen,
                       &now, &has, error_r)) != PK_OK)
        return status;
    if (op->type == PK_LDAPOP_DELETE)
        status = !has || now.kind != want->kind ? PK_OK : PK_NOTFOUND;
    else
        status = has && now.kind == want->kind && same_entry(&now, want)
                     ? PK_OK
                     : PK_NOTFOUND;
    pk_ldapobj_free(&now);
    return status;
}
