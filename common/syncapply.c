/*++
/* NAME
/*	syncapply 3
/* SUMMARY
/*	apply directory changes to the local copy, with their sync cookie
/* SYNOPSIS
/*	#include "syncapply.h"
/* DESCRIPTION
/*	See syncapply.h. The write function runs again when the map
/*	grows, so everything it counts is reset at its start.
/* DIAGNOSTICS
/*	PK_OK; PK_EINVAL (bad cookie); PK_ENOMEM; store errors.
/* SECURITY
/*	Cookies come from the network: bounded and checked before use.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "addr.h"
#include "changelog.h"
#include "domain.h"
#include "syncapply.h"

#define UUID_PREFIX "sync:uuid:"
#define OBJ_PREFIX "sync:obj:"
#define COOKIE_PREFIX "sync:cookie:"
#define HB_PREFIX "sync:heartbeat:"

/* "space" name [NUL selector]: what a UUID names. */
#define OBJ_MAX (1 + PK_ADDR_MAX + 1 + PK_DKIM_SELECTOR_MAX)
#define MKEY_MAX (sizeof(OBJ_PREFIX) + OBJ_MAX)

/* pk_sync_csn_ok - YYYYmmddHHMMSS.uuuuuuZ#cccccc#sss#mmmmmm */

bool pk_sync_csn_ok(const char *s, size_t len)
{
    static const char shape[] = "dddddddddddddd.ddddddZ#xxxxxx#xxx#xxxxxx";

    if (len != PK_SYNC_CSN_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (shape[i] == 'd' ? !(c >= '0' && c <= '9')
            : shape[i] == 'x'
                ? !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                : c != shape[i])
            return false;
    }
    return true;
}

/* pk_sync_csn_time - the time of a CSN, microseconds since the epoch */

int pk_sync_csn_time(const char *csn, uint64_t *us_r)
{
    struct tm tm = {0};
    int v[6], widths[6] = {4, 2, 2, 2, 2, 2};
    const char *p = csn;
    time_t t;

    if (!pk_sync_csn_ok(csn, strlen(csn)))
        return PK_EINVAL;
    for (int i = 0; i < 6; i++) {
        v[i] = 0;
        for (int j = 0; j < widths[i]; j++)
            v[i] = v[i] * 10 + (*p++ - '0');
    }
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    if ((t = timegm(&tm)) == (time_t)-1)
        return PK_EINVAL;
    *us_r = (uint64_t)t * 1000000 + strtoul(csn + 15, NULL, 10);
    return PK_OK;
}

/* pk_sync_cookie_parse - each CSN of a cookie, with its server ID */

int pk_sync_cookie_parse(const char *cookie, pk_sync_csn_fn *fn, void *ctx,
                         const char **error_r)
{
    size_t len = strnlen(cookie, PK_SYNC_COOKIE_MAX + 1), n = 0;
    const char *p = cookie, *end = cookie + len, *csn = NULL;
    char one[PK_SYNC_CSN_LEN + 1];
    int status;

    if (len > PK_SYNC_COOKIE_MAX) {
        *error_r =
            pk_error("sync cookie longer than %d octets", PK_SYNC_COOKIE_MAX);
        return PK_EINVAL;
    }
    /* "name=value" pairs separated by ","; only csn= matters here. */
    while (p < end) {
        const char *comma = memchr(p, ',', end - p);
        const char *stop = comma ? comma : end;

        if (stop - p >= 4 && memcmp(p, "csn=", 4) == 0) {
            csn = p + 4;
            end = stop;
            break;
        }
        p = comma ? comma + 1 : end;
    }
    /* "CSN;CSN": a separator must be followed by another CSN. */
    for (p = csn; p != NULL; n++) {
        const char *semi = memchr(p, ';', end - p);
        const char *stop = semi ? semi : end;

        if (n >= PK_SYNC_CSN_MAX || !pk_sync_csn_ok(p, stop - p)) {
            *error_r = pk_error("sync cookie: bad or too many CSNs");
            return PK_EINVAL;
        }
        memcpy(one, p, PK_SYNC_CSN_LEN);
        one[PK_SYNC_CSN_LEN] = 0;
        if ((status = fn((unsigned)strtoul(one + 30, NULL, 16), one, ctx)) !=
            PK_OK)
            return status;
        p = semi ? semi + 1 : NULL;
    }
    return PK_OK;
}

/* meta_key - prefix + bytes */

static size_t meta_key(char *out, const char *prefix, const void *data,
                       size_t len)
{
    size_t plen = strlen(prefix);

    memcpy(out, prefix, plen);
    memcpy(out + plen, data, len);
    return plen + len;
}

/* obj_text - what a UUID names: space, name, NUL and selector for DKIM */

static size_t obj_text(const struct pk_ldapobj *obj, char out[OBJ_MAX])
{
    static const char space[] = {
        [PK_LDAP_DOMAIN] = 'd',  [PK_LDAP_DOMAIN_ALIAS] = 'd',
        [PK_LDAP_ACCOUNT] = 'a', [PK_LDAP_ALIAS] = 'a',
        [PK_LDAP_DKIM] = 'k',    [PK_LDAP_HEARTBEAT] = 'h',
    };
    size_t nlen = strlen(obj->item.name), len = 1 + nlen;

    out[0] = space[obj->kind];
    memcpy(out + 1, obj->item.name, nlen);
    if (obj->kind == PK_LDAP_DKIM) {
        out[len++] = 0;
        memcpy(out + len, obj->selector, strlen(obj->selector));
        len += strlen(obj->selector);
    }
    return len;
}

/* addr_key - the database key of a stored address text */

static int addr_key(const char *text, size_t len, char key[PK_KEY_MAX],
                    size_t *klen_r, const char **error_r)
{
    char buf[PK_ADDR_MAX + 1];
    struct pk_addr addr;
    int status;

    if (len > PK_ADDR_MAX) {
        *error_r = pk_error("sync map: address too long");
        return PK_ECORRUPT;
    }
    memcpy(buf, text, len);
    buf[len] = 0;
    if ((status = pk_addr_parse(buf, PK_ADDR_CATCHALL, &addr, error_r)) !=
        PK_OK)
        return status;
    *klen_r = pk_addr_key(&addr, key);
    return PK_OK;
}

/* ok_absent - PK_NOTFOUND from a delete is success */

static int ok_absent(int status)
{
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* del_object - remove what an object text names */

static int del_object(struct pk_txn *txn, const char *obj, size_t len,
                      const char **error_r)
{
    char key[MKEY_MAX];
    size_t klen;
    int status;

    switch (obj[0]) {
    case 'd':
        return ok_absent(
            pk_txn_del(txn, PK_DB_DOMAINS, obj + 1, len - 1, NULL, 0, error_r));
    case 'a':
        if ((status = addr_key(obj + 1, len - 1, key, &klen, error_r)) != PK_OK)
            return status;
        /* Through the core: an account's state record and the hints
         * aliases hold go with it. */
        if ((status = ok_absent(pk_entry_del(txn, key, klen, error_r))) !=
            PK_OK)
            return status;
        return ok_absent(
            pk_txn_del(txn, PK_DB_SENDAS, key, klen, NULL, 0, error_r));
    case 'k':
        return ok_absent(
            pk_txn_del(txn, PK_DB_DKIM, obj + 1, len - 1, NULL, 0, error_r));
    case 'h':
        klen = meta_key(key, HB_PREFIX, obj + 1, len - 1);
        return ok_absent(
            pk_txn_del(txn, PK_DB_META, key, klen, NULL, 0, error_r));
    default:
        *error_r = pk_error("sync map: unknown object kind");
        return PK_ECORRUPT;
    }
}

/* put_grants - replace the send-as grants of a login */

static int put_grants(struct pk_txn *txn, const struct pk_ldapobj *obj,
                      const char **error_r)
{
    char lkey[PK_KEY_MAX], akey[PK_KEY_MAX];
    size_t llen, alen;
    int status;

    if ((status = addr_key(obj->item.name, strlen(obj->item.name), lkey, &llen,
                           error_r)) != PK_OK ||
        (status = ok_absent(pk_txn_del(txn, PK_DB_SENDAS, lkey, llen, NULL, 0,
                                       error_r))) != PK_OK)
        return status;
    for (size_t i = 0; i < obj->sendas.count; i++) {
        const char *g = obj->sendas.items[i];

        if ((status = addr_key(g, strlen(g), akey, &alen, error_r)) != PK_OK ||
            (status = pk_txn_put(txn, PK_DB_SENDAS, lkey, llen, akey, alen, 0,
                                 error_r)) != PK_OK)
            return status;
    }
    return PK_OK;
}

/* put_object - store one object as the directory has it */

static int put_object(struct pk_txn *txn, const struct pk_ldapobj *obj,
                      const char **error_r)
{
    struct pk_buf buf = {0};
    unsigned char hb[16];
    char key[MKEY_MAX];
    size_t klen;
    uint64_t now;
    struct timespec ts;
    int status;

    switch (obj->kind) {
    case PK_LDAP_DOMAIN:
    case PK_LDAP_DOMAIN_ALIAS:
        return pk_domain_put(txn, obj->item.name, &obj->item.domain, error_r);
    case PK_LDAP_ACCOUNT:
        if ((status = pk_entry_put(txn, obj->item.name, &obj->item.entry, 0,
                                   error_r)) != PK_OK)
            return status;
        return put_grants(txn, obj, error_r);
    case PK_LDAP_ALIAS:
        if ((status = pk_entry_put(txn, obj->item.name, &obj->item.entry, 0,
                                   error_r)) != PK_OK)
            return status;
        /* An account that was here before had grants; an alias has none. */
        if ((status = addr_key(obj->item.name, strlen(obj->item.name), key,
                               &klen, error_r)) != PK_OK)
            return status;
        return ok_absent(
            pk_txn_del(txn, PK_DB_SENDAS, key, klen, NULL, 0, error_r));
    case PK_LDAP_DKIM:
        klen = obj_text(obj, key) - 1;
        if ((status = pk_record_encode_dkim(&obj->dkim, &buf)) == PK_OK)
            status = pk_txn_put(txn, PK_DB_DKIM, key + 1, klen, buf.data,
                                buf.len, 0, error_r);
        if (buf.data != NULL)
            pk_wipe(buf.data, buf.len);
        pk_buf_free(&buf);
        return status;
    case PK_LDAP_HEARTBEAT:
        clock_gettime(CLOCK_REALTIME, &ts);
        now = (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        for (int i = 0; i < 8; i++) {
            hb[i] = (unsigned char)(obj->heartbeat_us >> (8 * i));
            hb[8 + i] = (unsigned char)(now >> (8 * i));
        }
        klen = meta_key(key, HB_PREFIX, obj->item.name, strlen(obj->item.name));
        return pk_txn_put(txn, PK_DB_META, key, klen, hb, sizeof(hb), 0,
                          error_r);
    }
    *error_r = pk_error("unknown object kind");
    return PK_EINVAL;
}

/* forget_uuid - drop a UUID's map entries; its object text to old */

static int forget_uuid(struct pk_txn *txn, const unsigned char *uuid,
                       char old[OBJ_MAX], size_t *olen_r, const char **error_r)
{
    char key[MKEY_MAX];
    size_t klen = meta_key(key, UUID_PREFIX, uuid, PK_SYNC_UUID_LEN), vlen;
    const void *val;
    int status;

    if ((status = pk_txn_get(txn, PK_DB_META, key, klen, &val, &vlen,
                             error_r)) != PK_OK)
        return status;
    if (vlen < 2 || vlen > OBJ_MAX) {
        *error_r = pk_error("sync map: bad entry");
        return PK_ECORRUPT;
    }
    memcpy(old, val, vlen);
    *olen_r = vlen;
    if ((status = pk_txn_del(txn, PK_DB_META, key, klen, NULL, 0, error_r)) !=
        PK_OK)
        return status;
    klen = meta_key(key, OBJ_PREFIX, old, vlen);
    return ok_absent(pk_txn_del(txn, PK_DB_META, key, klen, NULL, 0, error_r));
}

/* apply_delete - remove the object a UUID names */

static int apply_delete(struct pk_txn *txn, const unsigned char *uuid,
                        struct pk_sync_stats *st, const char **error_r)
{
    char old[OBJ_MAX];
    size_t olen;
    int status = forget_uuid(txn, uuid, old, &olen, error_r);

    if (status == PK_NOTFOUND) {
        st->unknown++;
        return PK_OK;
    }
    if (status == PK_OK &&
        (status = del_object(txn, old, olen, error_r)) == PK_OK)
        st->deleted++;
    return status;
}

/* apply_put - store an object and map its UUID to it */

static int apply_put(struct pk_txn *txn, const struct pk_sync_change *ch,
                     struct pk_sync_stats *st, const char **error_r)
{
    char obj[OBJ_MAX], old[OBJ_MAX], key[MKEY_MAX];
    size_t len = obj_text(&ch->obj, obj), olen, klen, vlen;
    const void *val;
    unsigned char other[PK_SYNC_UUID_LEN];
    int status;

    /* The UUID named something else: a rename; the old name goes. */
    status = forget_uuid(txn, ch->uuid, old, &olen, error_r);
    if (status == PK_OK && (olen != len || memcmp(old, obj, len) != 0))
        status = del_object(txn, old, olen, error_r);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    /* Another UUID held this name: it is gone from the directory. */
    klen = meta_key(key, OBJ_PREFIX, obj, len);
    status = pk_txn_get(txn, PK_DB_META, key, klen, &val, &vlen, error_r);
    if (status == PK_OK && vlen == PK_SYNC_UUID_LEN) {
        memcpy(other, val, PK_SYNC_UUID_LEN);
        klen = meta_key(key, UUID_PREFIX, other, PK_SYNC_UUID_LEN);
        status =
            ok_absent(pk_txn_del(txn, PK_DB_META, key, klen, NULL, 0, error_r));
    }
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    if ((status = put_object(txn, &ch->obj, error_r)) != PK_OK)
        return status;
    klen = meta_key(key, UUID_PREFIX, ch->uuid, PK_SYNC_UUID_LEN);
    if ((status = pk_txn_put(txn, PK_DB_META, key, klen, obj, len, 0,
                             error_r)) != PK_OK)
        return status;
    klen = meta_key(key, OBJ_PREFIX, obj, len);
    if ((status = pk_txn_put(txn, PK_DB_META, key, klen, ch->uuid,
                             PK_SYNC_UUID_LEN, 0, error_r)) == PK_OK)
        st->put++;
    return status;
}

/* compare_uuid - memcmp order for bsearch */

static int compare_uuid(const void *a, const void *b)
{
    return memcmp(a, b, PK_SYNC_UUID_LEN);
}

/* present_end - delete every mapped UUID the present set lacks */

static int present_end(struct pk_txn *txn, const struct pk_sync_batch *b,
                       struct pk_sync_stats *st, const char **error_r)
{
    struct pk_cursor *cur;
    const void *k, *v;
    size_t klen, vlen, plen = strlen(UUID_PREFIX), n = 0, size = 0;
    unsigned char(*gone)[PK_SYNC_UUID_LEN] = NULL, (*grown)[PK_SYNC_UUID_LEN];
    int status;

    if ((status = pk_cursor_open(txn, PK_DB_META, UUID_PREFIX, plen, &cur,
                                 error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &k, &klen, &v, &vlen, error_r)) ==
           PK_OK) {
        if (klen != plen + PK_SYNC_UUID_LEN)
            continue;
        if (b->npresent > 0 &&
            bsearch((const char *)k + plen, b->present, b->npresent,
                    PK_SYNC_UUID_LEN, compare_uuid) != NULL)
            continue;
        if (n == size) {
            size = size ? 2 * size : 64;
            if ((grown = realloc(gone, size * PK_SYNC_UUID_LEN)) == NULL) {
                status = PK_ENOMEM;
                break;
            }
            gone = grown;
        }
        memcpy(gone[n++], (const char *)k + plen, PK_SYNC_UUID_LEN);
    }
    pk_cursor_close(&cur);
    if (status == PK_NOTFOUND)
        status = PK_OK;
    for (size_t i = 0; status == PK_OK && i < n; i++)
        status = apply_delete(txn, gone[i], st, error_r);
    free(gone);
    return status;
}

/* store_csn - keep a server's newest CSN */

static int store_csn(unsigned sid, const char *csn, void *ctx)
{
    struct pk_txn *txn = ((void **)ctx)[0];
    const char **error_r = ((void **)ctx)[1];
    char key[sizeof(COOKIE_PREFIX) + 8];
    const void *val;
    size_t vlen;
    int klen = snprintf(key, sizeof(key), COOKIE_PREFIX "%03x", sid & 0xfff);
    int status = pk_txn_get(txn, PK_DB_META, key, klen, &val, &vlen, error_r);

    /* CSNs of one server order as strings: fixed-width time first. */
    if (status == PK_OK && vlen == PK_SYNC_CSN_LEN &&
        memcmp(val, csn, PK_SYNC_CSN_LEN) >= 0)
        return PK_OK;
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    return pk_txn_put(txn, PK_DB_META, key, klen, csn, PK_SYNC_CSN_LEN, 0,
                      error_r);
}

struct apply_ctx {
    const struct pk_sync_batch *batch;
    struct pk_sync_stats stats;
};

/* apply_txn - the whole batch in one write transaction */

static int apply_txn(struct pk_txn *txn, void *vctx, const char **error_r)
{
    struct apply_ctx *ctx = vctx;
    const struct pk_sync_batch *b = ctx->batch;
    void *csn_ctx[2] = {txn, error_r};
    char detail[96];
    int status = PK_OK;

    memset(&ctx->stats, 0, sizeof(ctx->stats));
    for (size_t i = 0; status == PK_OK && i < b->count; i++)
        status =
            b->changes[i].op == PK_SYNC_PUT
                ? apply_put(txn, &b->changes[i], &ctx->stats, error_r)
                : apply_delete(txn, b->changes[i].uuid, &ctx->stats, error_r);
    if (status == PK_OK && b->present_end)
        status = present_end(txn, b, &ctx->stats, error_r);
    if (status == PK_OK && b->cookie != NULL)
        status = pk_sync_cookie_parse(b->cookie, store_csn, csn_ctx, error_r);
    if (status != PK_OK || ctx->stats.put + ctx->stats.deleted == 0)
        return status;
    snprintf(detail, sizeof(detail), "%zu stored, %zu deleted", ctx->stats.put,
             ctx->stats.deleted);
    return pk_changelog_append(txn, "sync", "directory", detail, error_r);
}

/* check_csn - a CSN parse that only validates */

static int check_csn(unsigned sid, const char *csn, void *ctx)
{
    return PK_OK;
}

/* pk_syncapply - apply one batch and its cookie atomically */

int pk_syncapply(struct pk_store *store, const struct pk_sync_batch *batch,
                 struct pk_sync_stats *stats_r, const char **error_r)
{
    struct apply_ctx ctx = {.batch = batch};
    int status;

    for (size_t i = 0; i < batch->count; i++) {
        if (batch->changes[i].op != PK_SYNC_PUT &&
            batch->changes[i].op != PK_SYNC_DELETE) {
            *error_r = pk_error("unknown sync operation");
            return PK_EINVAL;
        }
    }
    if (batch->cookie != NULL &&
        (status = pk_sync_cookie_parse(batch->cookie, check_csn, NULL,
                                       error_r)) != PK_OK)
        return status;
    status = pk_store_write(store, apply_txn, &ctx, error_r);
    if (status == PK_OK && stats_r != NULL)
        *stats_r = ctx.stats;
    return status;
}

/* pk_sync_cookie - "csn=CSN;CSN..." from the stored positions */

int pk_sync_cookie(struct pk_txn *txn, char *out, size_t size,
                   const char **error_r)
{
    struct pk_cursor *cur;
    const void *k, *v;
    size_t klen, vlen, pos = 0, plen = strlen(COOKIE_PREFIX);
    int status;

    if (size < PK_SYNC_COOKIE_MAX + 1) {
        *error_r = pk_error("cookie buffer too small");
        return PK_ELIMIT;
    }
    out[0] = 0;
    if ((status = pk_cursor_open(txn, PK_DB_META, COOKIE_PREFIX, plen, &cur,
                                 error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &k, &klen, &v, &vlen, error_r)) ==
           PK_OK) {
        if (!pk_sync_csn_ok(v, vlen)) {
            *error_r = pk_error("stored sync position is corrupt");
            status = PK_ECORRUPT;
            break;
        }
        if (pos + vlen + 5 > PK_SYNC_COOKIE_MAX) {
            *error_r = pk_error("too many stored sync positions");
            status = PK_ECORRUPT;
            break;
        }
        pos += snprintf(out + pos, size - pos, "%s%.*s",
                        pos ? ";" : "csn=", (int)vlen, (const char *)v);
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* le64 - a little-endian u64 */

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* pk_sync_state - stored positions and heartbeats, for "status" */

int pk_sync_state(struct pk_txn *txn, struct pk_sync_position *pos,
                  size_t maxpos, size_t *npos_r, struct pk_sync_heartbeat *hb,
                  size_t maxhb, size_t *nhb_r, const char **error_r)
{
    struct pk_cursor *cur;
    const void *k, *v;
    size_t klen, vlen, plen;
    int status;

    *npos_r = *nhb_r = 0;
    plen = strlen(COOKIE_PREFIX);
    if ((status = pk_cursor_open(txn, PK_DB_META, COOKIE_PREFIX, plen, &cur,
                                 error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &k, &klen, &v, &vlen, error_r)) ==
               PK_OK &&
           *npos_r < maxpos) {
        if (!pk_sync_csn_ok(v, vlen))
            continue;
        memcpy(pos[*npos_r].csn, v, vlen);
        pos[*npos_r].csn[vlen] = 0;
        pos[*npos_r].sid = (unsigned)strtoul(pos[*npos_r].csn + 30, NULL, 16);
        (*npos_r)++;
    }
    pk_cursor_close(&cur);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    plen = strlen(HB_PREFIX);
    if ((status = pk_cursor_open(txn, PK_DB_META, HB_PREFIX, plen, &cur,
                                 error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &k, &klen, &v, &vlen, error_r)) ==
               PK_OK &&
           *nhb_r < maxhb) {
        if (vlen != 16 || klen - plen > PK_ADDR_MAX)
            continue;
        memcpy(hb[*nhb_r].name, (const char *)k + plen, klen - plen);
        hb[*nhb_r].name[klen - plen] = 0;
        hb[*nhb_r].written_us = le64(v);
        hb[*nhb_r].applied_us = le64((const unsigned char *)v + 8);
        (*nhb_r)++;
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}
