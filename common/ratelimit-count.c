/*++
/* NAME
/*	ratelimit-count 3
/* SUMMARY
/*	rate limit counters: in memory, flushed to their own environment
/* SYNOPSIS
/*	#include "ratelimit.h"
/* DESCRIPTION
/*	The counter half of ratelimit.h: pk_ratelimit_open(),
/*	pk_ratelimit_close(), pk_ratelimit_flush(), pk_ratelimit_pending(),
/*	pk_ratelimit_check_subject() and pk_ratelimit_add_subject().
/*
/*	Counters use an LMDB environment of their own, mapped writable
/*	(MDB_WRITEMAP, MDB_MAPASYNC, MDB_NOSYNC), so that a commit is a
/*	change in shared memory that the kernel writes back. Counting a
/*	message does not commit: the new counts go to a table of counters
/*	in memory (open addressing, fixed size, allocated once; a small
/*	array of tags is probed, so a lookup touches one large slot), which
/*	reads consult before the database and pk_ratelimit_flush() writes
/*	in one transaction, adding what another process stored meanwhile.
/*	Counters only read are kept there too until the next flush. A full
/*	table is flushed before it takes another counter. Reads share one
/*	read transaction from the first read after a flush to the next
/*	flush, which lets it go.
/* DIAGNOSTICS
/*	PK_ECORRUPT for a value that does not decode, PK_ETEMP or
/*	PK_ECONFIG when the counter environment fails.
/*--*/

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ratelimit-int.h"
#include "ratelimit.h"

#define COUNT_LEN (2 + 8 + 4 + 4)
#define COUNT_MAPSIZE ((size_t)64 << 20)
#define COUNT_KEY_MAX PK_RATESUBJECT_KEY_MAX
#define PENDING_MAX PK_RATELIMIT_PENDING_MAX
#define PENDING_SLOTS (2 * PENDING_MAX) /* a power of two */

struct pending {
    uint16_t klen; /* 0: an empty slot */
    uint32_t hash; /* of the key, compared first */
    char key[COUNT_KEY_MAX];
    struct pk_ratecount cnt;  /* the counts to store, window start included */
    struct pk_ratecount base; /* what the database held when counting began */
    uint32_t window;          /* the limit's window, seconds */
    bool dirty;               /* counted since the last flush */
};

struct pk_ratelimit_store {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *rtxn;          /* the read transaction, kept until a flush */
    bool reading;           /* rtxn is live, not reset */
    uint32_t *tags;         /* PENDING_SLOTS: 0 empty, else tag() of the key */
    struct pending *slots;  /* PENDING_SLOTS; valid where the tag is not 0 */
    struct pending **order; /* PENDING_MAX: the dirty ones, in key order */
    size_t used;            /* slots in use: read or counted */
    size_t dirty;           /* slots counted since the last flush */
};

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
    if ((rs = calloc(1, sizeof(*rs))) == NULL ||
        (rs->tags = calloc(PENDING_SLOTS, sizeof(*rs->tags))) == NULL ||
        (rs->slots = calloc(PENDING_SLOTS, sizeof(*rs->slots))) == NULL ||
        (rs->order = calloc(PENDING_MAX, sizeof(*rs->order))) == NULL) {
        if (rs) {
            free(rs->tags);
            free(rs->slots);
        }
        free(rs);
        return PK_ENOMEM;
    }
    if ((rc = mdb_env_create(&rs->env)) != 0 ||
        (rc = mdb_env_set_mapsize(rs->env, COUNT_MAPSIZE)) != 0 ||
        (rc = mdb_env_open(rs->env, dir,
                           MDB_WRITEMAP | MDB_MAPASYNC | MDB_NOSYNC | MDB_NOTLS,
                           0600)) != 0) {
        if (rs->env)
            mdb_env_close(rs->env);
        free(rs->order);
        free(rs->slots);
        free(rs->tags);
        free(rs);
        *error_r = pk_error("cannot open rate limit counters in %s: %s", dir,
                            mdb_strerror(rc));
        return rc == EACCES ? PK_ECONFIG : PK_ETEMP;
    }
    if ((rc = mdb_txn_begin(rs->env, NULL, 0, &txn)) != 0 ||
        (rc = mdb_dbi_open(txn, NULL, 0, &rs->dbi)) != 0 ||
        (rc = mdb_txn_commit(txn)) != 0) {
        mdb_env_close(rs->env);
        free(rs->order);
        free(rs->slots);
        free(rs->tags);
        free(rs);
        return lmdb_fail(rc, "open", error_r);
    }
    *rs_r = rs;
    return PK_OK;
}

/* decode_count - a stored counter; false if it is not one */

static bool decode_count(const MDB_val *val, struct pk_ratecount *cnt)
{
    const unsigned char *v = val->mv_data;

    memset(cnt, 0, sizeof(*cnt));
    if (val->mv_size != COUNT_LEN || v[0] != PK_REC_RATECOUNT || v[1] != 1)
        return false;
    cnt->start = (uint64_t)pk_ratelimit_get_u32(v + 2) |
                 (uint64_t)pk_ratelimit_get_u32(v + 6) << 32;
    cnt->messages = pk_ratelimit_get_u32(v + 10);
    cnt->recipients = pk_ratelimit_get_u32(v + 14);
    return true;
}

/* add_sat - a + b, at most UINT32_MAX */

static uint32_t add_sat(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* merge - what to store for a pending counter, given what is stored now */

static struct pk_ratecount merge(const struct pending *p,
                                 const struct pk_ratecount *db)
{
    const struct pk_ratecount *c = &p->cnt, *b = &p->base;
    bool same_window = b->start == c->start;
    struct pk_ratecount out;

    if (db->start == b->start && db->messages == b->messages &&
        db->recipients == b->recipients)
        return *c; /* nobody else counted since we read */
    /* Another process counted meanwhile: keep its counts too. */
    if (db->start + p->window <= c->start)
        return *c; /* its window had ended before ours began */
    if (c->start + p->window <= db->start)
        return *db; /* ours had ended before its began */
    out = *db;
    out.start = db->start < c->start ? db->start : c->start;
    out.messages = add_sat(db->messages, same_window ? c->messages - b->messages
                                                     : c->messages);
    out.recipients =
        add_sat(db->recipients,
                same_window ? c->recipients - b->recipients : c->recipients);
    return out;
}

/* put_count - encode a counter */

static void put_count(unsigned char buf[COUNT_LEN],
                      const struct pk_ratecount *cnt)
{
    buf[0] = PK_REC_RATECOUNT;
    buf[1] = 1;
    pk_ratelimit_put_u32(buf + 2, (uint32_t)cnt->start);
    pk_ratelimit_put_u32(buf + 6, (uint32_t)(cnt->start >> 32));
    pk_ratelimit_put_u32(buf + 10, cnt->messages);
    pk_ratelimit_put_u32(buf + 14, cnt->recipients);
}

/* clear_slots - forget every counter held in memory */

static void clear_slots(struct pk_ratelimit_store *rs)
{
    /* The tags alone: the slots are not touched until they are used. */
    memset(rs->tags, 0, PENDING_SLOTS * sizeof(*rs->tags));
    rs->used = rs->dirty = 0;
}

/* end_reading - let the read snapshot go, so that the next read is new */

static void end_reading(struct pk_ratelimit_store *rs)
{
    if (rs->reading) {
        mdb_txn_reset(rs->rtxn);
        rs->reading = false;
    }
}

/* key_order - LMDB's order of keys: bytes, then the shorter first */

static int key_order(const void *a, const void *b)
{
    const struct pending *p = *(const struct pending *const *)a;
    const struct pending *q = *(const struct pending *const *)b;
    int diff = memcmp(p->key, q->key, p->klen < q->klen ? p->klen : q->klen);

    return diff ? diff : (int)p->klen - (int)q->klen;
}

/* dirty_in_order - the counted slots, sorted as the database is */

static size_t dirty_in_order(struct pk_ratelimit_store *rs)
{
    size_t n = 0;

    for (size_t i = 0; i < PENDING_SLOTS && n < PENDING_MAX; i++)
        if (rs->tags[i] != 0 && rs->slots[i].dirty)
            rs->order[n++] = &rs->slots[i];
    /* In key order, consecutive writes mostly land on the leaf page the
     * cursor is on: LMDB then searches only that page, and each page is
     * copied and brought into the cache once per flush, not per key. */
    qsort(rs->order, n, sizeof(*rs->order), key_order);
    return n;
}

/* pk_ratelimit_flush - store the pending counters in one transaction */

int pk_ratelimit_flush(struct pk_ratelimit_store *rs, const char **error_r)
{
    unsigned char buf[COUNT_LEN];
    MDB_val key, val = {sizeof(buf), buf}, cur;
    MDB_cursor *mc;
    MDB_txn *txn;
    struct pk_ratecount out, db;
    size_t n;
    int rc;

    /* Reads since the last flush shared one snapshot (see load_count);
     * from here on they see this flush and every other process's. */
    end_reading(rs);
    if (rs->dirty == 0) {
        clear_slots(rs); /* what was only read may be stale by now */
        return PK_OK;
    }
    if ((rc = mdb_txn_begin(rs->env, NULL, 0, &txn)) != 0)
        return lmdb_fail(rc, "write", error_r);
    if ((rc = mdb_cursor_open(txn, rs->dbi, &mc)) != 0) {
        mdb_txn_abort(txn);
        return lmdb_fail(rc, "write", error_r);
    }
    n = dirty_in_order(rs);
    for (size_t i = 0; i < n && (rc == 0 || rc == MDB_NOTFOUND); i++) {
        struct pending *p = rs->order[i];

        key.mv_data = p->key;
        key.mv_size = p->klen;
        out = p->cnt;
        /* One search: found, the value is replaced where it is. */
        if ((rc = mdb_cursor_get(mc, &key, &cur, MDB_SET_KEY)) == 0) {
            if (decode_count(&cur, &db))
                out = merge(p, &db);
            put_count(buf, &out);
            rc = mdb_cursor_put(mc, &key, &val, MDB_CURRENT);
        } else if (rc == MDB_NOTFOUND) {
            put_count(buf, &out);
            rc = mdb_cursor_put(mc, &key, &val, 0);
        }
    }
    mdb_cursor_close(mc);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return lmdb_fail(rc, "write", error_r);
    }
    /* Pending counts stay pending until they are stored. */
    if ((rc = mdb_txn_commit(txn)) != 0)
        return lmdb_fail(rc, "commit", error_r);
    clear_slots(rs);
    return PK_OK;
}

/* pk_ratelimit_pending - how many counters wait for pk_ratelimit_flush() */

size_t pk_ratelimit_pending(const struct pk_ratelimit_store *rs)
{
    return rs->used;
}

/* pk_ratelimit_close - flush and close */

void pk_ratelimit_close(struct pk_ratelimit_store **rsp)
{
    struct pk_ratelimit_store *rs = *rsp;
    const char *error;

    if (rs == NULL)
        return;
    if (rs->rtxn)
        mdb_txn_abort(rs->rtxn);
    rs->rtxn = NULL;
    rs->reading = false;
    if (pk_ratelimit_flush(rs, &error) != PK_OK)
        pk_log(PK_LOG_ERROR, "%s; the last counts are lost", error);
    mdb_env_sync(rs->env, 1);
    mdb_env_close(rs->env);
    free(rs->order);
    free(rs->slots);
    free(rs->tags);
    free(rs);
    *rsp = NULL;
}

/* pk_ratelimit_key_hash - FNV-1a; the table only has to spread addresses */

uint32_t pk_ratelimit_key_hash(const char *key, size_t klen)
{
    uint32_t h = 2166136261U;

    for (size_t i = 0; i < klen; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619U;
    return h;
}

/* tag - a key's hash as its slot's tag, never 0 (an empty slot) */

static uint32_t tag(uint32_t h)
{
    return h ? h : 1;
}

/* pending_slot - the slot of a key, or the empty slot where it would go */

static struct pending *pending_slot(struct pk_ratelimit_store *rs,
                                    const char *key, size_t klen, uint32_t h)
{
    uint32_t t = tag(h);
    struct pending *p;

    /* At most half the slots are used, so an empty one is always found.
     * The probe reads the small array of tags, and a slot only when its
     * tag matches: the slots are large and mostly not in the cache. */
    for (size_t i = h & (PENDING_SLOTS - 1);;
         i = (i + 1) & (PENDING_SLOTS - 1)) {
        p = &rs->slots[i];
        if (rs->tags[i] == 0) {
            p->klen = 0; /* ready to be filled */
            p->hash = h;
            return p;
        }
        if (rs->tags[i] == t && p->klen == klen &&
            memcmp(p->key, key, klen) == 0)
            return p;
    }
}

/* load_count - the counts of a key as last written; start 0: none */

static int load_count(struct pk_ratelimit_store *rs, struct pending *p,
                      const char *kbuf, size_t klen, struct pk_ratecount *cnt,
                      const char **error_r)
{
    MDB_val key = {klen, (void *)kbuf}, val;
    int rc, status = PK_OK;

    memset(cnt, 0, sizeof(*cnt));
    if (p->klen) {
        *cnt = p->cnt;
        return PK_OK;
    }
    /* One snapshot from the first read after a flush to the next flush:
     * what another process stores meanwhile is seen after our next
     * flush, as it is anyway (ratelimit.h); a flush is at most about a
     * second away, so no old snapshot is held for longer. */
    rc = 0;
    if (rs->rtxn == NULL)
        rc = mdb_txn_begin(rs->env, NULL, MDB_RDONLY, &rs->rtxn);
    else if (!rs->reading)
        rc = mdb_txn_renew(rs->rtxn);
    if (rc != 0)
        return lmdb_fail(rc, "read", error_r);
    rs->reading = true;
    if ((rc = mdb_get(rs->rtxn, rs->dbi, &key, &val)) == 0) {
        if (!decode_count(&val, cnt)) {
            *error_r = pk_error("a rate limit counter is corrupt");
            status = PK_ECORRUPT;
        }
    } else if (rc != MDB_NOTFOUND) {
        status = lmdb_fail(rc, "read", error_r);
    }
    /* Kept, so that counting the message after checking it reads once. */
    if (status == PK_OK && rs->used < PENDING_MAX) {
        memcpy(p->key, kbuf, klen);
        p->klen = (uint16_t)klen;
        rs->tags[p - rs->slots] = tag(p->hash);
        p->cnt = p->base = *cnt;
        p->window = 0;
        p->dirty = false;
        rs->used++;
    }
    return status;
}

/* window - the counts of the current window, from the last written */

static void window(struct pk_ratecount *cnt, const struct pk_ratelimit *lim,
                   uint64_t now)
{
    /* A clock set back must not lock a sender out for good. */
    if (cnt->start == 0 || now >= cnt->start + lim->window ||
        now < cnt->start) {
        memset(cnt, 0, sizeof(*cnt));
        cnt->start = now;
    }
}

/* over - would adding go over the limit */

static bool over(const struct pk_ratelimit *lim, const struct pk_ratecount *cnt,
                 uint32_t msgs, uint32_t rcpts)
{
    return (lim->messages && (uint64_t)cnt->messages + msgs > lim->messages) ||
           (lim->recipients &&
            (uint64_t)cnt->recipients + rcpts > lim->recipients);
}

/* pk_ratelimit_check_subject - the current window; would adding be over */

int pk_ratelimit_check_subject(struct pk_ratelimit_store *rs,
                               const struct pk_ratesubject *rsub, uint64_t now,
                               uint32_t msgs, uint32_t rcpts,
                               struct pk_ratecount *cnt, const char **error_r)
{
    int status;

    memset(cnt, 0, sizeof(*cnt));
    if ((rsub->lim.messages == 0 && rsub->lim.recipients == 0) ||
        rsub->klen == 0)
        return PK_OK;
    if ((status =
             load_count(rs, pending_slot(rs, rsub->key, rsub->klen, rsub->hash),
                        rsub->key, rsub->klen, cnt, error_r)) != PK_OK)
        return status;
    window(cnt, &rsub->lim, now);
    cnt->over = over(&rsub->lim, cnt, msgs, rcpts);
    return PK_OK;
}

/* pk_ratelimit_add_subject - count messages and recipients */

int pk_ratelimit_add_subject(struct pk_ratelimit_store *rs,
                             const struct pk_ratesubject *rsub, uint64_t now,
                             uint32_t msgs, uint32_t rcpts,
                             const char **error_r)
{
    struct pk_ratecount last, cnt;
    struct pending *p;
    int status;

    if ((rsub->lim.messages == 0 && rsub->lim.recipients == 0) ||
        rsub->klen == 0)
        return PK_OK;
    p = pending_slot(rs, rsub->key, rsub->klen, rsub->hash);
    if (p->klen == 0 && rs->used == PENDING_MAX) {
        if ((status = pk_ratelimit_flush(rs, error_r)) != PK_OK)
            return status;
        p = pending_slot(rs, rsub->key, rsub->klen, rsub->hash);
    }
    if ((status = load_count(rs, p, rsub->key, rsub->klen, &last, error_r)) !=
        PK_OK)
        return status;
    cnt = last;
    window(&cnt, &rsub->lim, now);
    cnt.messages = add_sat(cnt.messages, msgs);
    cnt.recipients = add_sat(cnt.recipients, rcpts);
    cnt.over = false;
    /* load_count() kept the key in p: there was room. */
    if (p->klen == 0) {
        *error_r = pk_error("rate limit counters: no room in memory");
        return PK_ETEMP;
    }
    if (!p->dirty) {
        p->dirty = true;
        rs->dirty++;
    }
    p->cnt = cnt;
    p->window = rsub->lim.window;
    return PK_OK;
}
