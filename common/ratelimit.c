/*++
/* NAME
/*	ratelimit 3
/* SUMMARY
/*	per-account and per-domain sending limits and their counters
/* SYNOPSIS
/*	#include "ratelimit.h"
/* DESCRIPTION
/*	See ratelimit.h. Settings go through the store like every other
/*	record. Counters use an LMDB environment of their own, mapped
/*	writable (MDB_WRITEMAP, MDB_MAPASYNC, MDB_NOSYNC): a counter write
/*	happens for every message, and this way a commit is a change in
/*	shared memory that the kernel writes back, which a crash of the
/*	daemon does not lose; only a crash of the machine may lose the last
/*	seconds. Reads renew one reset read transaction.
/* DIAGNOSTICS
/*	PK_EINVAL for a bad subject or limit, PK_NOTFOUND for a missing
/*	setting, PK_ECORRUPT for a value that does not decode, PK_ETEMP or
/*	PK_ECONFIG when the counter environment fails.
/*--*/

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "account.h"
#include "changelog.h"
#include "domain.h"
#include "ratelimit.h"

#define SETTING_PREFIX "ratelimit:"
#define SETTING_KEY_MAX (sizeof(SETTING_PREFIX) + 8 + PK_ADDR_MAX + 1)
#define SETTING_LEN (2 + 3 * 4)
#define COUNT_LEN (2 + 8 + 4 + 4)
#define COUNT_MAPSIZE ((size_t)64 << 20)

struct pk_ratelimit_store {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *rtxn; /* a reset read transaction, renewed */
};

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
    int n;

    n = snprintf(key, SETTING_KEY_MAX, "%s%s%s%s", SETTING_PREFIX,
                 pk_ratelimit_scope_name(scope), *norm ? ":" : "", norm);
    return (size_t)n;
}

/* put_u32 - little-endian */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* get_u32 - little-endian */

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
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
    lim->messages = get_u32(p + 2);
    lim->recipients = get_u32(p + 6);
    lim->window = get_u32(p + 10);
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
    put_u32(val + 2, lim->messages);
    put_u32(val + 6, lim->recipients);
    put_u32(val + 10, lim->window);
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
    status = get_normalized(txn, scope, norm, lim, error_r);
    if (status == PK_NOTFOUND)
        status = get_normalized(txn, scope, "", lim, error_r);
    if (status == PK_NOTFOUND) {
        memset(lim, 0, sizeof(*lim));
        status = PK_OK;
    }
    return status;
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

/* lmdb_fail - an LMDB error as a status */

static int lmdb_fail(int rc, const char *what, const char **error_r)
{
    *error_r = pk_error("rate limit counters: %s: %s", what, mdb_strerror(rc));
    return rc == EACCES ? PK_ECONFIG : PK_ETEMP;
}

/* pk_ratelimit_open - open or create the counter environment */

int pk_ratelimit_open(const char *dir, struct pk_ratelimit_store **rs_r,
                      const char **error_r)
{
    struct pk_ratelimit_store *rs;
    MDB_txn *txn;
    int rc;

    *rs_r = NULL;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        *error_r = pk_error("cannot create %s: %s", dir, strerror(errno));
        return PK_ECONFIG;
    }
    if ((rs = calloc(1, sizeof(*rs))) == NULL)
        return PK_ENOMEM;
    if ((rc = mdb_env_create(&rs->env)) != 0 ||
        (rc = mdb_env_set_mapsize(rs->env, COUNT_MAPSIZE)) != 0 ||
        (rc = mdb_env_open(rs->env, dir,
                           MDB_WRITEMAP | MDB_MAPASYNC | MDB_NOSYNC | MDB_NOTLS,
                           0600)) != 0) {
        if (rs->env)
            mdb_env_close(rs->env);
        free(rs);
        *error_r = pk_error("cannot open rate limit counters in %s: %s", dir,
                            mdb_strerror(rc));
        return rc == EACCES ? PK_ECONFIG : PK_ETEMP;
    }
    if ((rc = mdb_txn_begin(rs->env, NULL, 0, &txn)) != 0 ||
        (rc = mdb_dbi_open(txn, NULL, 0, &rs->dbi)) != 0 ||
        (rc = mdb_txn_commit(txn)) != 0) {
        mdb_env_close(rs->env);
        free(rs);
        return lmdb_fail(rc, "open", error_r);
    }
    *rs_r = rs;
    return PK_OK;
}

/* pk_ratelimit_close - flush and close */

void pk_ratelimit_close(struct pk_ratelimit_store **rsp)
{
    struct pk_ratelimit_store *rs = *rsp;

    if (rs == NULL)
        return;
    if (rs->rtxn)
        mdb_txn_abort(rs->rtxn);
    mdb_env_sync(rs->env, 1);
    mdb_env_close(rs->env);
    free(rs);
    *rsp = NULL;
}

/* count_key - "a:" address or "d:" domain */

static int count_key(enum pk_ratelimit_scope scope, const char *subject,
                     char key[PK_ADDR_MAX + 3], size_t *klen,
                     const char **error_r)
{
    char norm[PK_ADDR_MAX + 1];
    int status;

    if ((status = normalize(scope, subject, norm, error_r)) != PK_OK)
        return status;
    *klen = (size_t)snprintf(key, PK_ADDR_MAX + 3, "%c:%s",
                             scope == PK_RATELIMIT_DOMAIN ? 'd' : 'a', norm);
    return PK_OK;
}

/* read_count - the counts of the current window inside a transaction */

static int read_count(struct pk_ratelimit_store *rs, MDB_txn *txn, MDB_val *key,
                      const struct pk_ratelimit *lim, uint64_t now,
                      struct pk_ratecount *cnt, const char **error_r)
{
    MDB_val val;
    const unsigned char *p;
    int rc;

    memset(cnt, 0, sizeof(*cnt));
    cnt->start = now;
    if ((rc = mdb_get(txn, rs->dbi, key, &val)) == MDB_NOTFOUND)
        return PK_OK;
    if (rc != 0)
        return lmdb_fail(rc, "read", error_r);
    p = val.mv_data;
    if (val.mv_size != COUNT_LEN || p[0] != PK_REC_RATECOUNT || p[1] != 1) {
        *error_r = pk_error("a rate limit counter is corrupt");
        return PK_ECORRUPT;
    }
    cnt->start = (uint64_t)get_u32(p + 2) | (uint64_t)get_u32(p + 6) << 32;
    cnt->messages = get_u32(p + 10);
    cnt->recipients = get_u32(p + 14);
    /* A clock set back must not lock a sender out for good. */
    if (now >= cnt->start + lim->window || now < cnt->start) {
        memset(cnt, 0, sizeof(*cnt));
        cnt->start = now;
    }
    return PK_OK;
}

/* over - would adding go over the limit */

static bool over(const struct pk_ratelimit *lim, const struct pk_ratecount *cnt,
                 uint32_t msgs, uint32_t rcpts)
{
    return (lim->messages && (uint64_t)cnt->messages + msgs > lim->messages) ||
           (lim->recipients &&
            (uint64_t)cnt->recipients + rcpts > lim->recipients);
}

/* pk_ratelimit_check - the current window, and whether adding is too much */

int pk_ratelimit_check(struct pk_ratelimit_store *rs,
                       enum pk_ratelimit_scope scope, const char *subject,
                       const struct pk_ratelimit *lim, uint64_t now,
                       uint32_t msgs, uint32_t rcpts, struct pk_ratecount *cnt,
                       const char **error_r)
{
    char kbuf[PK_ADDR_MAX + 3];
    MDB_val key;
    MDB_txn *txn;
    int rc, status;

    memset(cnt, 0, sizeof(*cnt));
    if (lim->messages == 0 && lim->recipients == 0)
        return PK_OK;
    if ((status = count_key(scope, subject, kbuf, &key.mv_size, error_r)) !=
        PK_OK)
        return status;
    key.mv_data = kbuf;
    if (rs->rtxn == NULL)
        rc = mdb_txn_begin(rs->env, NULL, MDB_RDONLY, &rs->rtxn);
    else
        rc = mdb_txn_renew(rs->rtxn);
    if (rc != 0)
        return lmdb_fail(rc, "read", error_r);
    txn = rs->rtxn;
    status = read_count(rs, txn, &key, lim, now, cnt, error_r);
    mdb_txn_reset(txn);
    if (status == PK_OK)
        cnt->over = over(lim, cnt, msgs, rcpts);
    return status;
}

/* pk_ratelimit_add - count messages and recipients */

int pk_ratelimit_add(struct pk_ratelimit_store *rs,
                     enum pk_ratelimit_scope scope, const char *subject,
                     const struct pk_ratelimit *lim, uint64_t now,
                     uint32_t msgs, uint32_t rcpts, const char **error_r)
{
    struct pk_ratecount cnt;
    unsigned char buf[COUNT_LEN];
    char kbuf[PK_ADDR_MAX + 3];
    MDB_val key, val = {sizeof(buf), buf};
    MDB_txn *txn;
    int rc, status;

    if (lim->messages == 0 && lim->recipients == 0)
        return PK_OK;
    if ((status = count_key(scope, subject, kbuf, &key.mv_size, error_r)) !=
        PK_OK)
        return status;
    key.mv_data = kbuf;
    if ((rc = mdb_txn_begin(rs->env, NULL, 0, &txn)) != 0)
        return lmdb_fail(rc, "write", error_r);
    if ((status = read_count(rs, txn, &key, lim, now, &cnt, error_r)) !=
        PK_OK) {
        mdb_txn_abort(txn);
        return status;
    }
    cnt.messages =
        cnt.messages > UINT32_MAX - msgs ? UINT32_MAX : cnt.messages + msgs;
    cnt.recipients = cnt.recipients > UINT32_MAX - rcpts
                         ? UINT32_MAX
                         : cnt.recipients + rcpts;
    buf[0] = PK_REC_RATECOUNT;
    buf[1] = 1;
    put_u32(buf + 2, (uint32_t)cnt.start);
    put_u32(buf + 6, (uint32_t)(cnt.start >> 32));
    put_u32(buf + 10, cnt.messages);
    put_u32(buf + 14, cnt.recipients);
    if ((rc = mdb_put(txn, rs->dbi, &key, &val, 0)) != 0) {
        mdb_txn_abort(txn);
        return lmdb_fail(rc, "write", error_r);
    }
    if ((rc = mdb_txn_commit(txn)) != 0)
        return lmdb_fail(rc, "commit", error_r);
    return PK_OK;
}
