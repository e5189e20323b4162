/*++
/* NAME
/*	ratelimit 3
/* SUMMARY
/*	per-account and per-domain sending limits: settings and subjects
/* SYNOPSIS
/*	#include "ratelimit.h"
/* DESCRIPTION
/*	See ratelimit.h. This file holds the settings, which go through
/*	the store like every other record, and the subjects a policy check
/*	resolves once per message; ratelimit-count.c holds the counters.
/* DIAGNOSTICS
/*	PK_EINVAL for a bad subject or limit, PK_NOTFOUND for a missing
/*	setting, PK_ECORRUPT for a value that does not decode.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "changelog.h"
#include "domain.h"
#include "ratelimit-int.h"
#include "ratelimit.h"

#define SETTING_PREFIX "ratelimit:"
#define SETTING_KEY_MAX (sizeof(SETTING_PREFIX) + 8 + PK_ADDR_MAX + 1)
#define SETTING_LEN (2 + 3 * 4)

/* pk_ratelimit_scope_name - "account" or "domain" */

const char *pk_ratelimit_scope_name(enum pk_ratelimit_scope scope)
{
    return scope == PK_RATELIMIT_DOMAIN ? "domain" : "account";
}

/* normalize - a subject in its canonical text form */

static int normalize(enum pk_ratelimit_scope scope, const char *subject,
                     char out[PK_ADDR_MAX + 1], const char **error_r)
{
    struct pk_addr addr;
    int status;

    if (scope == PK_RATELIMIT_DOMAIN)
        return pk_addr_parse_domain(subject, out, error_r);
    if ((status = pk_addr_parse(subject, 0, &addr, error_r)) != PK_OK)
        return status;
    pk_addr_format(&addr, out);
    return PK_OK;
}

/* setting_key - the meta key of a setting; subject "" is the default */

static size_t setting_key(enum pk_ratelimit_scope scope, const char *norm,
                          char key[SETTING_KEY_MAX])
{
    const char *name = pk_ratelimit_scope_name(scope);
    size_t n = sizeof(SETTING_PREFIX) - 1, len = strlen(name),
           nlen = strnlen(norm, PK_ADDR_MAX);

    /* Called for every policy request: no formatted output here. */
    memcpy(key, SETTING_PREFIX, n);
    memcpy(key + n, name, len);
    n += len;
    if (nlen) {
        key[n++] = ':';
        memcpy(key + n, norm, nlen);
        n += nlen;
    }
    key[n] = 0;
    return n;
}
/* decode_setting - a stored limit */

static int decode_setting(const void *val, size_t len, struct pk_ratelimit *lim,
                          const char **error_r)
{
    const unsigned char *p = val;

    if (len != SETTING_LEN || p[0] != PK_REC_RATELIMIT) {
        *error_r = pk_error("a stored rate limit is corrupt");
        return PK_ECORRUPT;
    }
    if (p[1] != 1) {
        *error_r = pk_error("a stored rate limit has version %u, newer than "
                            "this postkontor understands",
                            p[1]);
        return PK_EVERSION;
    }
    lim->messages = pk_ratelimit_get_u32(p + 2);
    lim->recipients = pk_ratelimit_get_u32(p + 6);
    lim->window = pk_ratelimit_get_u32(p + 10);
    return PK_OK;
}

/* subject_exists - an override needs an account or a hosted domain */

static int subject_exists(struct pk_txn *txn, enum pk_ratelimit_scope scope,
                          const char *norm, const char **error_r)
{
    struct pk_domain dom;
    struct pk_entry ent;
    int status;

    if (scope == PK_RATELIMIT_DOMAIN) {
        status = pk_domain_lookup(txn, norm, &dom, error_r);
        if (status == PK_OK && dom.kind != PK_DOMAIN_HOSTED)
            status = PK_NOTFOUND;
        if (status == PK_NOTFOUND)
            *error_r = pk_error("%s is not a hosted domain", norm);
        return status;
    }
    status = pk_account_get(txn, norm, &ent, error_r);
    if (status == PK_OK)
        pk_entry_free(&ent);
    else if (status == PK_NOTFOUND)
        *error_r = pk_error("%s is not an account", norm);
    return status;
}

/* pk_ratelimit_set - store a default (subject NULL) or an override */

int pk_ratelimit_set(struct pk_txn *txn, enum pk_ratelimit_scope scope,
                     const char *subject, const struct pk_ratelimit *lim,
                     const char **error_r)
{
    char norm[PK_ADDR_MAX + 1] = "", key[SETTING_KEY_MAX], detail[128];
    unsigned char val[SETTING_LEN];
    size_t klen;
    int status;

    if (lim->window == 0 || lim->window > PK_RATELIMIT_WINDOW_MAX) {
        *error_r = pk_error("a rate limit window must be 1 to %u seconds",
                            PK_RATELIMIT_WINDOW_MAX);
        return PK_EINVAL;
    }
    if (subject != NULL &&
        ((status = normalize(scope, subject, norm, error_r)) != PK_OK ||
         (status = subject_exists(txn, scope, norm, error_r)) != PK_OK))
        return status;
    klen = setting_key(scope, norm, key);
    val[0] = PK_REC_RATELIMIT;
    val[1] = 1;
    pk_ratelimit_put_u32(val + 2, lim->messages);
    pk_ratelimit_put_u32(val + 6, lim->recipients);
    pk_ratelimit_put_u32(val + 10, lim->window);
    if ((status = pk_txn_put(txn, PK_DB_META, key, klen, val, sizeof(val), 0,
                             error_r)) != PK_OK)
        return status;
    snprintf(detail, sizeof(detail), "%u messages, %u recipients per %u s",
             lim->messages, lim->recipients, lim->window);
    return pk_changelog_append(txn, "ratelimit.set",
                               key + sizeof(SETTING_PREFIX) - 1, detail,
                               error_r);
}

/* pk_ratelimit_clear - remove a default or an override */

int pk_ratelimit_clear(struct pk_txn *txn, enum pk_ratelimit_scope scope,
                       const char *subject, const char **error_r)
{
    char norm[PK_ADDR_MAX + 1] = "", key[SETTING_KEY_MAX];
    size_t klen;
    int status;

    if (subject != NULL &&
        (status = normalize(scope, subject, norm, error_r)) != PK_OK)
        return status;
    klen = setting_key(scope, norm, key);
    status = pk_txn_del(txn, PK_DB_META, key, klen, NULL, 0, error_r);
    if (status == PK_NOTFOUND)
        *error_r = pk_error("no rate limit is set for %s",
                            *norm                          ? norm
                            : scope == PK_RATELIMIT_DOMAIN ? "domains"
                                                           : "accounts");
    if (status != PK_OK)
        return status;
    return pk_changelog_append(txn, "ratelimit.clear",
                               key + sizeof(SETTING_PREFIX) - 1, "", error_r);
}

/* get_normalized - one setting of a normalized subject */

static int get_normalized(struct pk_txn *txn, enum pk_ratelimit_scope scope,
                          const char *norm, struct pk_ratelimit *lim,
                          const char **error_r)
{
    char key[SETTING_KEY_MAX];
    const void *val;
    size_t klen = setting_key(scope, norm, key), vlen;
    int status;

    status = pk_txn_get(txn, PK_DB_META, key, klen, &val, &vlen, error_r);
    if (status != PK_OK)
        return status;
    return decode_setting(val, vlen, lim, error_r);
}

/* any_override - does some override of the scope exist */

static int any_override(struct pk_txn *txn, enum pk_ratelimit_scope scope,
                        bool *found, const char **error_r)
{
    char prefix[SETTING_KEY_MAX];
    struct pk_cursor *cur;
    const void *key, *val;
    size_t plen = setting_key(scope, "", prefix), klen, vlen;
    int status;

    /* Overrides are "ratelimit:<scope>:" and something: one seek. */
    prefix[plen++] = ':';
    if ((status = pk_cursor_open(txn, PK_DB_META, prefix, plen, &cur,
                                 error_r)) != PK_OK)
        return status;
    status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r);
    pk_cursor_close(&cur);
    *found = status == PK_OK;
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* cache_load - the defaults and override flags of the txn's snapshot */

static int cache_load(struct pk_txn *txn, struct pk_ratelimit_cache *cache,
                      const char **error_r)
{
    uint64_t id = pk_txn_id(txn);
    int status = PK_OK;

    if (cache->loaded && cache->snapshot == id)
        return PK_OK;
    cache->loaded = false;
    for (int scope = 0; scope < 2 && status == PK_OK; scope++) {
        status = get_normalized(txn, scope, "", &cache->def[scope], error_r);
        if (status == PK_NOTFOUND) {
            memset(&cache->def[scope], 0, sizeof(cache->def[scope]));
            status = PK_OK;
        }
        if (status == PK_OK)
            status =
                any_override(txn, scope, &cache->overrides[scope], error_r);
    }
    if (status != PK_OK)
        return status;
    cache->snapshot = id;
    cache->loaded = true;
    return PK_OK;
}

/* in_force - a normalized subject's override, else the default */

static int in_force(struct pk_txn *txn, struct pk_ratelimit_cache *cache,
                    enum pk_ratelimit_scope scope, const char *norm,
                    struct pk_ratelimit *lim, const char **error_r)
{
    int status;

    /* Inside a write transaction the data may change under one ID. */
    if (cache != NULL && !pk_txn_writable(txn)) {
        if ((status = cache_load(txn, cache, error_r)) != PK_OK)
            return status;
        if (cache->overrides[scope] &&
            (status = get_normalized(txn, scope, norm, lim, error_r)) !=
                PK_NOTFOUND)
            return status;
        *lim = cache->def[scope];
        return PK_OK;
    }
    status = get_normalized(txn, scope, norm, lim, error_r);
    if (status == PK_NOTFOUND)
        status = get_normalized(txn, scope, "", lim, error_r);
    if (status == PK_NOTFOUND) {
        memset(lim, 0, sizeof(*lim));
        status = PK_OK;
    }
    return status;
}

/* pk_ratelimit_get - one setting exactly */

int pk_ratelimit_get(struct pk_txn *txn, enum pk_ratelimit_scope scope,
                     const char *subject, struct pk_ratelimit *lim,
                     const char **error_r)
{
    char norm[PK_ADDR_MAX + 1] = "";
    int status;

    if (subject != NULL &&
        (status = normalize(scope, subject, norm, error_r)) != PK_OK)
        return status;
    return get_normalized(txn, scope, norm, lim, error_r);
}

/* pk_ratelimit_effective - the override, else the default, else none */

int pk_ratelimit_effective(struct pk_txn *txn, enum pk_ratelimit_scope scope,
                           const char *subject, struct pk_ratelimit *lim,
                           const char **error_r)
{
    char norm[PK_ADDR_MAX + 1];
    int status;

    memset(lim, 0, sizeof(*lim));
    if ((status = normalize(scope, subject, norm, error_r)) != PK_OK)
        return status;
    return in_force(txn, NULL, scope, norm, lim, error_r);
}

/* pk_ratelimit_list - each setting, defaults first within a scope */

int pk_ratelimit_list(struct pk_txn *txn, pk_ratelimit_iter_fn *fn, void *ctx,
                      const char **error_r)
{
    static const enum pk_ratelimit_scope scopes[] = {
        PK_RATELIMIT_ACCOUNT,
        PK_RATELIMIT_DOMAIN,
    };
    struct pk_cursor *cur;
    struct pk_ratelimit lim;
    char prefix[SETTING_KEY_MAX], subject[PK_ADDR_MAX + 1];
    const void *key, *val;
    size_t plen, klen, vlen;
    int status = PK_OK;

    for (size_t s = 0; s < 2 && status == PK_OK; s++) {
        plen = setting_key(scopes[s], "", prefix);
        if ((status = pk_cursor_open(txn, PK_DB_META, prefix, plen, &cur,
                                     error_r)) != PK_OK)
            return status;
        while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen,
                                        error_r)) == PK_OK) {
            if (klen == plen) {
                subject[0] = 0;
            } else if (((const char *)key)[plen] != ':' ||
                       klen - plen - 1 > PK_ADDR_MAX) {
                continue; /* another scope's prefix */
            } else {
                memcpy(subject, (const char *)key + plen + 1, klen - plen - 1);
                subject[klen - plen - 1] = 0;
            }
            if ((status = decode_setting(val, vlen, &lim, error_r)) != PK_OK ||
                (status = fn(scopes[s], subject, &lim, ctx)) != 0)
                break;
        }
        pk_cursor_close(&cur);
        if (status == PK_NOTFOUND)
            status = PK_OK;
    }
    return status;
}

/* pk_ratelimit_dir - "<dbdir>/ratelimit" */

const char *pk_ratelimit_dir(const char *dbdir, char *buf, size_t size)
{
    snprintf(buf, size, "%s/ratelimit", dbdir);
    return buf;
}

/* pk_ratelimit_subject - a subject's counter key and the limit in force */

int pk_ratelimit_subject(struct pk_txn *txn, struct pk_ratelimit_cache *cache,
                         enum pk_ratelimit_scope scope, const char *subject,
                         struct pk_ratesubject *rsub, const char **error_r)
{
    char *norm = rsub->key + 2;
    int status;

    memset(&rsub->lim, 0, sizeof(rsub->lim));
    rsub->klen = 0;
    rsub->key[0] = scope == PK_RATELIMIT_DOMAIN ? 'd' : 'a';
    rsub->key[1] = ':';
    if ((status = normalize(scope, subject, norm, error_r)) != PK_OK)
        return status;
    rsub->klen = 2 + strlen(norm);
    rsub->hash = pk_ratelimit_key_hash(rsub->key, rsub->klen);
    return in_force(txn, cache, scope, norm, &rsub->lim, error_r);
}

/* pk_ratelimit_subject_domain - the domain subject of an account subject */

int pk_ratelimit_subject_domain(struct pk_txn *txn,
                                struct pk_ratelimit_cache *cache,
                                const struct pk_ratesubject *account,
                                struct pk_ratesubject *rsub,
                                const char **error_r)
{
    const char *at = memchr(account->key, '@', account->klen);
    size_t dlen;

    memset(&rsub->lim, 0, sizeof(rsub->lim));
    rsub->klen = 0;
    if (account->klen < 3 || account->key[0] != 'a' || at == NULL) {
        *error_r = pk_error("not an account's rate limit subject");
        return PK_EINVAL;
    }
    /* The account's domain is normalized already: no second parse. */
    dlen = account->klen - (size_t)(at + 1 - account->key);
    rsub->key[0] = 'd';
    rsub->key[1] = ':';
    memcpy(rsub->key + 2, at + 1, dlen);
    rsub->key[2 + dlen] = 0;
    rsub->klen = 2 + dlen;
    rsub->hash = pk_ratelimit_key_hash(rsub->key, rsub->klen);
    return in_force(txn, cache, PK_RATELIMIT_DOMAIN, rsub->key + 2, &rsub->lim,
                    error_r);
}

/* subject_of - a subject's counter key with a given limit */

static int subject_of(enum pk_ratelimit_scope scope, const char *subject,
                      const struct pk_ratelimit *lim,
                      struct pk_ratesubject *rsub, const char **error_r)
{
    int status;

    rsub->lim = *lim;
    rsub->key[0] = scope == PK_RATELIMIT_DOMAIN ? 'd' : 'a';
    rsub->key[1] = ':';
    if ((status = normalize(scope, subject, rsub->key + 2, error_r)) != PK_OK)
        return status;
    rsub->klen = 2 + strlen(rsub->key + 2);
    rsub->hash = pk_ratelimit_key_hash(rsub->key, rsub->klen);
    return PK_OK;
}

/* pk_ratelimit_check - the current window, and whether adding is too much */

int pk_ratelimit_check(struct pk_ratelimit_store *rs,
                       enum pk_ratelimit_scope scope, const char *subject,
                       const struct pk_ratelimit *lim, uint64_t now,
                       uint32_t msgs, uint32_t rcpts, struct pk_ratecount *cnt,
                       const char **error_r)
{
    struct pk_ratesubject rsub;
    int status;

    memset(cnt, 0, sizeof(*cnt));
    if (lim->messages == 0 && lim->recipients == 0)
        return PK_OK;
    if ((status = subject_of(scope, subject, lim, &rsub, error_r)) != PK_OK)
        return status;
    return pk_ratelimit_check_subject(rs, &rsub, now, msgs, rcpts, cnt,
                                      error_r);
}

/* pk_ratelimit_add - count messages and recipients */

int pk_ratelimit_add(struct pk_ratelimit_store *rs,
                     enum pk_ratelimit_scope scope, const char *subject,
                     const struct pk_ratelimit *lim, uint64_t now,
                     uint32_t msgs, uint32_t rcpts, const char **error_r)
{
    struct pk_ratesubject rsub;
    int status;

    if (lim->messages == 0 && lim->recipients == 0)
        return PK_OK;
    if ((status = subject_of(scope, subject, lim, &rsub, error_r)) != PK_OK)
        return status;
    return pk_ratelimit_add_subject(rs, &rsub, now, msgs, rcpts, error_r);
}
