/*++
/* NAME
/*	maps 3
/* SUMMARY
/*	lookup tables for Postfix: domain, mailbox, alias, sender
/* SYNOPSIS
/*	#include "maps.h"
/* DESCRIPTION
/*	See maps.h. Every table is a view of pk_resolve() and
/*	pk_sendas_may(): nothing here decides where mail goes or who may
/*	send as whom.
/* DIAGNOSTICS
/*	PK_ELIMIT for an answer larger than the caller's buffer,
/*	PK_ECONFIG for an unknown table, store errors unchanged.
/*--*/

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "domain.h"
#include "maps.h"
#include "resolve.h"
#include "sendas.h"

struct out {
    char *buf;
    size_t size;
    size_t len;
};

/* out_add - append one list item; PK_ELIMIT when it does not fit */

static int out_add(struct out *o, const char *item, const char **error_r)
{
    size_t n = strlen(item), sep = o->len ? 1 : 0;

    if (o->size - o->len <= n + sep) {
        *error_r = pk_error("the answer is longer than %zu bytes", o->size - 1);
        return PK_ELIMIT;
    }
    if (sep)
        o->buf[o->len++] = ',';
    memcpy(o->buf + o->len, item, n + 1);
    o->len += n;
    return PK_OK;
}

/* out_has - is the item in the list already */

static bool out_has(const struct out *o, const char *item)
{
    size_t n = strlen(item);
    const char *p = o->buf;

    if (o->len == 0)
        return false;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        if (len == n && memcmp(p, item, n) == 0)
            return true;
        if (comma == NULL)
            return false;
        p = comma + 1;
    }
}

/* resolve_key - resolve a key; a key we cannot host is "not found" */

static int resolve_key(struct pk_txn *txn, const char *key, unsigned flags,
                       struct pk_resolution *res, const char **error_r)
{
    int status;

    if (key[0] == '@')
        return PK_NOTFOUND; /* Postfix sends whole addresses */
    status = pk_resolve(txn, key, flags, res, error_r);
    if (status == PK_EINVAL)
        return PK_NOTFOUND;
    if (status == PK_OK &&
        (res->kind == PK_KIND_UNKNOWN || res->kind == PK_KIND_EXTERNAL)) {
        pk_resolve_free(res);
        return PK_NOTFOUND;
    }
    return status;
}

/* lookup_domain - a hosted or alias domain */

static int lookup_domain(struct pk_txn *txn, const char *key, struct out *o,
                         const char **error_r)
{
    char name[PK_DOMAIN_MAX + 1];
    struct pk_domain dom;
    int status;

    if (pk_addr_parse_domain(key, name, error_r) != PK_OK)
        return PK_NOTFOUND;
    if ((status = pk_domain_lookup(txn, name, &dom, error_r)) != PK_OK)
        return status;
    return out_add(o, name, error_r);
}

/* lookup_mailbox - an account that may receive: "domain/local/" */

static int lookup_mailbox(struct pk_txn *txn, const char *key, struct out *o,
                          const char **error_r)
{
    struct pk_resolution res;
    struct pk_entry ent;
    struct pk_addr addr;
    char path[PK_DOMAIN_MAX + PK_LOCAL_MAX + 3];
    int status;

    status = resolve_key(txn, key, PK_RESOLVE_TOP_ONLY | PK_RESOLVE_NO_CATCHALL,
                         &res, error_r);
    if (status != PK_OK)
        return status;
    if (res.kind != PK_KIND_ACCOUNT) {
        pk_resolve_free(&res);
        return PK_NOTFOUND;
    }
    status = pk_account_get(txn, res.matched, &ent, error_r);
    if (status == PK_OK) {
        if (!pk_state_may_receive(ent.u.account.state))
            status = PK_NOTFOUND;
        pk_entry_free(&ent);
    }
    if (status == PK_OK &&
        (status = pk_addr_parse(res.matched, 0, &addr, error_r)) == PK_OK) {
        snprintf(path, sizeof(path), "%s/%s/", addr.domain, addr.local);
        status = out_add(o, path, error_r);
    }
    pk_resolve_free(&res);
    return status;
}

/* lookup_alias - every final destination, unless the key is a plain account */

static int lookup_alias(struct pk_txn *txn, const char *key, struct out *o,
                        const char **error_r)
{
    struct pk_resolution res;
    int status;

    if ((status = resolve_key(txn, key, PK_RESOLVE_NO_STATE, &res, error_r)) !=
        PK_OK)
        return status;
    if (res.dest_count == 0 ||
        (res.kind == PK_KIND_ACCOUNT && strcmp(key, res.matched) == 0 &&
         res.dest_count == 1 && strcmp(res.dest[0].address, res.matched) == 0))
        status = PK_NOTFOUND;
    for (size_t i = 0; i < res.dest_count && status == PK_OK; i++)
        status = out_add(o, res.dest[i].address, error_r);
    pk_resolve_free(&res);
    return status;
}

struct sender_scan {
    struct pk_txn *txn;
    const char *address;     /* normalized */
    const char *domain_wide; /* "@domain" */
    struct out *out;
    const char **error_r;
};

/* add_login - confirm a candidate with pk_sendas_may() and list it */

static int add_login(struct pk_txn *txn, const char *login, const char *address,
                     struct out *o, const char **error_r)
{
    int status;

    if (out_has(o, login))
        return PK_OK;
    status = pk_sendas_may(txn, login, address, error_r);
    if (status == PK_OK)
        return out_add(o, login, error_r);
    return status == PK_NOTFOUND || status == PK_EINVAL ? PK_OK : status;
}

/* grant_holder - a login granted the address or its whole domain */

static int grant_holder(const char *login, const char *granted, void *ctx)
{
    struct sender_scan *s = ctx;

    if (strcmp(granted, s->address) != 0 &&
        strcmp(granted, s->domain_wide) != 0)
        return PK_OK;
    return add_login(s->txn, login, s->address, s->out, s->error_r);
}

/* lookup_sender - the logins that may send as the address */

static int lookup_sender(struct pk_txn *txn, const char *key, struct out *o,
                         const char **error_r)
{
    struct pk_resolution res;
    struct pk_addr addr;
    char text[PK_ADDR_MAX + 1], wide[PK_DOMAIN_MAX + 2];
    struct sender_scan scan = {txn, text, wide, o, error_r};
    int status;

    if (key[0] == '@' || pk_addr_parse(key, 0, &addr, error_r) != PK_OK)
        return PK_NOTFOUND;
    pk_addr_format(&addr, text);
    snprintf(wide, sizeof(wide), "@%s", addr.domain);
    status =
        resolve_key(txn, text, PK_RESOLVE_NO_CATCHALL | PK_RESOLVE_NO_FORWARD,
                    &res, error_r);
    if (status == PK_OK) {
        if (res.kind == PK_KIND_ACCOUNT)
            status = add_login(txn, res.matched, text, o, error_r);
        for (size_t i = 0; i < res.dest_count && status == PK_OK; i++)
            if (res.kind == PK_KIND_ALIAS && res.dest[i].mailbox)
                status = add_login(txn, res.dest[i].address, text, o, error_r);
        pk_resolve_free(&res);
    }
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    if ((status = pk_sendas_list(txn, NULL, grant_holder, &scan, error_r)) !=
        PK_OK)
        return status;
    return o->len ? PK_OK : PK_NOTFOUND;
}

/* pk_maps_lookup - one lookup in a named table */

int pk_maps_lookup(struct pk_txn *txn, const char *map, const char *key,
                   char *value, size_t size, const char **error_r)
{
    struct out o = {value, size, 0};

    if (size == 0) {
        *error_r = pk_error("no room for an answer");
        return PK_ELIMIT;
    }
    value[0] = 0;
    if (strcmp(map, "domain") == 0)
        return lookup_domain(txn, key, &o, error_r);
    if (strcmp(map, "mailbox") == 0)
        return lookup_mailbox(txn, key, &o, error_r);
    if (strcmp(map, "alias") == 0)
        return lookup_alias(txn, key, &o, error_r);
    if (strcmp(map, "sender") == 0)
        return lookup_sender(txn, key, &o, error_r);
    *error_r = pk_error(
        "no table named \"%.32s\" (domain, mailbox, alias, sender)", map);
    return PK_ECONFIG;
}
