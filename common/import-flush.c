/*++
/* NAME
/*	import-flush 3
/* SUMMARY
/*	store an import's entries in key order
/* SYNOPSIS
/*	#include "import-int.h"
/*
/*	int	import_flush(struct pk_import *imp, const char **error_r)
/*
/*	size_t	import_ref_hash(const struct import_ref *ref)
/* DESCRIPTION
/*	import_flush() sorts the domains that have entries, sorts each
/*	domain's bucket into key order and makes its hash table, fills in
/*	each alias's destination hints and stores every entry, domain after
/*	domain (MDB_APPEND into an empty table); pk_import_finish() calls
/*	it first. Two entries with one key are refused here, naming the
/*	later line. import_ref_hash() places an entry in its bucket's
/*	table; import_find_ref() (import-check.c) finds it there.
/*
/*	Threads: with many entries, the buckets are sorted on two threads,
/*	and a helper thread makes the aliases' hints from the import's own
/*	tables while the calling thread stores the buckets before them,
/*	when that needs no lookup (an empty table before, and every domain
/*	of the map known). Helpers only read the tables, the records and
/*	the domain map, and write only their own buckets or the hints of
/*	their own aliases; the transaction is only ever the calling
/*	thread's.
/* DIAGNOSTICS
/*	PK_EEXIST with a message that names the line of the entry at
/*	fault; PK_ETEMP, PK_ENOMEM.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* qsort_r() */
#endif

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "domain.h"
#include "import-int.h"
#include "refs.h"

/* ref_order - key order of two entries of one bucket */

static int ref_order(const struct import_ref *x, const struct import_ref *y,
                     const struct pk_import *imp)
{
    struct import_rec rx, ry;
    int c;

    if (x->prefix[0] != y->prefix[0])
        return x->prefix[0] < y->prefix[0] ? -1 : 1;
    if (x->prefix[1] != y->prefix[1])
        return x->prefix[1] < y->prefix[1] ? -1 : 1;
    /* The prefixes hold all of a local part of up to 16 octets. */
    if (x->llen <= 16 || y->llen <= 16)
        return (x->llen > y->llen) - (x->llen < y->llen);
    rec_at(imp, x->off, &rx);
    rec_at(imp, y->off, &ry);
    c = memcmp(rx.key, ry.key, rx.klen < ry.klen ? rx.klen : ry.klen);
    return c != 0 ? c : (rx.klen > ry.klen) - (rx.klen < ry.klen);
}

/* compare_ref - key order within a bucket; input order for equal keys */

static int compare_ref(const void *a, const void *b, void *ctx)
{
    const struct import_ref *x = a, *y = b;
    int c = ref_order(x, y, ctx);

    return c != 0 ? c : (x->off > y->off) - (x->off < y->off);
}

/* compare_dom - domains in key order */

static int compare_dom(const void *a, const void *b)
{
    return strcmp((*(struct import_dom *const *)a)->name,
                  (*(struct import_dom *const *)b)->name);
}

/* import_ref_hash - where an entry goes in its bucket's table */

size_t import_ref_hash(const struct import_ref *ref)
{
    uint64_t h =
        ref->prefix[0] ^ (ref->prefix[1] * 0x9e3779b97f4a7c15u) ^ ref->llen;

    /* MurmurHash3's finalizer: local parts that differ in one digit
     * differ in every bit. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    return (size_t)(h ^ (h >> 33));
}

/* bucket_size - slots of a bucket's table: at most half full */

static size_t bucket_size(const struct import_dom *d)
{
    size_t size = 4;

    while (size < 2 * d->nrefs)
        size *= 2;
    return size;
}

/* bucket_table - the hash table of a sorted bucket, in its given slots */

static void bucket_table(struct import_dom *d)
{
    for (size_t i = 0; i < d->nrefs; i++) {
        const struct import_ref *r = &d->refs[i];
        size_t j = import_ref_hash(r) & d->slot_mask;

        while (d->slots[j].index != 0)
            j = (j + 1) & d->slot_mask;
        d->slots[j] = (struct import_slot){
            {r->prefix[0], r->prefix[1]}, (uint32_t)(i + 1), r->llen, r->final};
    }
}

/* dest_hint - the hint of an alias destination (record.h) */

static unsigned char dest_hint(struct pk_import *imp, const char *dest,
                               size_t len)
{
    const struct import_slot *ref;
    struct import_dom *d;
    const char *error;
    char key[PK_KEY_MAX];
    size_t dlen;

    if (!pk_addr_text_key(dest, len, key, &dlen) ||
        import_domain_find(imp, key, dlen, &d, &error) != PK_OK)
        return PK_HINT_NONE;
    if ((ref = import_find_ref(imp, d, key, len)) != NULL)
        return ref->final ? PK_HINT_MAILBOX : PK_HINT_NONE;
    /* Not ours: what was there before, if anything. */
    return imp->entries_before > 0 ? pk_refs_hint(imp->txn, dest, len)
                                   : PK_HINT_NONE;
}

/* set_hints - fill in the hints at the end of an alias's value */

static void set_hints(struct pk_import *imp, const struct import_rec *rec)
{
    unsigned char *hints = (unsigned char *)rec->val + rec->vlen - rec->ndest;
    struct arena_rd rd = rec->dests;
    const char *dest;
    size_t len;

    if (((const unsigned char *)rec->val)[1] < 2)
        return; /* no room: version 1 */
    for (uint16_t i = 0; i < rec->ndest; i++) {
        dest = rd_str(&rd, &len);
        hints[i] = dest_hint(imp, dest, len);
    }
}

/* prefetch_ref - start reading the record of a bucket's entry ahead */

static inline void prefetch_ref(const struct pk_import *imp,
                                const struct import_dom *d, size_t i)
{
    /* Sorted entries lie all over the arena: a cache miss each. */
    if (i < d->nrefs)
        for (int line = 0; line < 4; line++)
            __builtin_prefetch(rec_ptr(imp, d->refs[i].off) + 64 * line);
}

/* Work on every other bucket, for one of two threads. */
struct bucket_job {
    struct pk_import *imp;
    struct import_dom **doms;
    size_t n;
    size_t first; /* the first bucket of this thread */
    size_t step;  /* 2: every other bucket from there; 1: all */
};

/* ref_before - does x come before y: key order, then input order */

static inline bool ref_before(const struct import_ref *x,
                              const struct import_ref *y,
                              const struct pk_import *imp)
{
    if (x->prefix[0] != y->prefix[0])
        return x->prefix[0] < y->prefix[0];
    return compare_ref(x, y, (void *)imp) < 0;
}

/* sort_refs - a merge sort of a bucket's entries, tmp of n/2 at least:
 * qsort_r()'s indirect call per comparison costs more than the
 * comparison of two prefixes */

static void sort_refs(struct import_ref *a, size_t n, struct import_ref *tmp,
                      const struct pk_import *imp)
{
    size_t h = n / 2, i = 0, j = h, k = 0;

    if (n <= 16) {
        for (size_t m = 1; m < n; m++) {
            struct import_ref r = a[m];
            size_t p = m;

            for (; p > 0 && ref_before(&r, &a[p - 1], imp); p--)
                a[p] = a[p - 1];
            a[p] = r;
        }
        return;
    }
    sort_refs(a, h, tmp, imp);
    sort_refs(a + h, n - h, tmp, imp);
    if (!ref_before(&a[h], &a[h - 1], imp))
        return; /* in order already */
    memcpy(tmp, a, h * sizeof(*a));
    /* The output never overtakes the second half's next entry. */
    while (i < h && j < n)
        a[k++] = ref_before(&a[j], &tmp[i], imp) ? a[j++] : tmp[i++];
    while (i < h)
        a[k++] = tmp[i++];
}

/* sort_buckets - a thread's buckets in key order, and their tables */

static void *sort_buckets(void *ctx)
{
    const struct bucket_job *job = ctx;
    struct import_ref *tmp = NULL;
    size_t most = 0;

    for (size_t i = job->first; i < job->n; i += job->step)
        if (job->doms[i]->nrefs > most)
            most = job->doms[i]->nrefs;
    tmp = malloc((most / 2 + 1) * sizeof(*tmp));
    for (size_t i = job->first; i < job->n; i += job->step) {
        struct import_dom *d = job->doms[i];

        if (tmp != NULL)
            sort_refs(d->refs, d->nrefs, tmp, job->imp);
        else
            qsort_r(d->refs, d->nrefs, sizeof(*d->refs), compare_ref, job->imp);
        bucket_table(d);
    }
    free(tmp);
    return NULL;
}

/* peek_hint - the hint of a destination from the import's own tables,
 * as dest_hint() makes it in an empty table, without its lookups: a
 * domain that the map does not hold has no entry of this import, and
 * the table had none before, so it gets no hint */

static unsigned char peek_hint(const struct pk_import *imp, const char *dest,
                               size_t len)
{
    const struct import_slot *ref;
    const struct import_dom *d;
    char key[PK_KEY_MAX];
    size_t dlen;

    if (!pk_addr_text_key(dest, len, key, &dlen) || dlen == 0 ||
        dlen > PK_DOMAIN_MAX ||
        (d = import_domain_peek(imp, key, dlen)) == NULL || d->status != PK_OK)
        return PK_HINT_NONE;
    if ((ref = import_find_ref((struct pk_import *)imp, d, key, len)) != NULL)
        return ref->final ? PK_HINT_MAILBOX : PK_HINT_NONE;
    return PK_HINT_NONE;
}

/* hint_bucket - fill in the hints of a bucket's aliases */

static void hint_bucket(const struct pk_import *imp, const struct import_dom *d)
{
    struct import_rec rec;
    unsigned char *hints;
    struct arena_rd rd;
    const char *dest;
    size_t len;

    for (size_t r = 0; r < d->nrefs; r++) {
        prefetch_ref(imp, d, r + IMPORT_PREFETCH);
        rec_at(imp, d->refs[r].off, &rec);
        if (rec.type != PK_REC_ALIAS || ((const unsigned char *)rec.val)[1] < 2)
            continue; /* no hints, or no room: version 1 */
        hints = (unsigned char *)rec.val + rec.vlen - rec.ndest;
        rd = rec.dests;
        for (uint16_t k = 0; k < rec.ndest; k++) {
            dest = rd_str(&rd, &len);
            hints[k] = peek_hint(imp, dest, len);
        }
    }
}

/* The hints of the buckets, made by a helper while the caller stores. */
struct hint_pipe {
    const struct pk_import *imp;
    struct import_dom *const *doms;
    size_t n;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t done; /* buckets whose hints are made */
    bool stop;   /* the caller gave up */
};

/* hint_main - make the hints of every bucket, in order */

static void *hint_main(void *ctx)
{
    struct hint_pipe *pipe = ctx;
    bool stop = false;

    for (size_t i = 0; i < pipe->n && !stop; i++) {
        hint_bucket(pipe->imp, pipe->doms[i]);
        pthread_mutex_lock(&pipe->lock);
        pipe->done = i + 1;
        stop = pipe->stop;
        pthread_cond_signal(&pipe->cond);
        pthread_mutex_unlock(&pipe->lock);
    }
    return NULL;
}

/* hint_wait - until the hints of bucket i are made */

static void hint_wait(struct hint_pipe *pipe, size_t i)
{
    pthread_mutex_lock(&pipe->lock);
    while (pipe->done <= i)
        pthread_cond_wait(&pipe->cond, &pipe->lock);
    pthread_mutex_unlock(&pipe->lock);
}

/* hints_apart - can a helper make the hints while the caller stores?
 * Only from the import's own tables (an empty table before), and only
 * if the caller's lookups will not change the domain map meanwhile:
 * every domain in it is known, so storing looks nothing up. */

static bool hints_apart(const struct pk_import *imp)
{
    if (imp->entries_before > 0 ||
        imp->stats.accounts + imp->stats.aliases < IMPORT_SORT_THREADED)
        return false;
    for (size_t i = 0; i < imp->dmap_size; i++)
        if (imp->dmap[i] != NULL && !imp->dmap[i]->known)
            return false;
    return true;
}

/* two_threads - run a job on two threads (the caller and a helper), or
 * on the caller alone */

static void two_threads(void *(*fn)(void *), struct bucket_job jobs[2],
                        bool threaded)
{
    pthread_t helper;

    if (threaded && pthread_create(&helper, NULL, fn, &jobs[1]) == 0) {
        fn(&jobs[0]);
        pthread_join(helper, NULL);
    } else {
        jobs[0].step = 1;
        fn(&jobs[0]);
    }
}

/* sort_all - sort every bucket and make its table; on two threads when
 * there is much to sort (the buckets are independent, and the arena is
 * only read) */

static int sort_all(struct pk_import *imp, struct import_dom **doms, size_t n)
{
    struct bucket_job jobs[2] = {
        {.imp = imp, .doms = doms, .n = n, .first = 0, .step = 2},
        {.imp = imp, .doms = doms, .n = n, .first = 1, .step = 2},
    };
    struct import_slot *slots;
    size_t total = 0, at = 0;

    for (size_t i = 0; i < n; i++)
        total += bucket_size(doms[i]);
    /* One block: a million entries in tables of their own would each
     * be an allocation, and a page fault or more. */
    if ((slots = calloc(total ? total : 1, sizeof(*slots))) == NULL)
        return PK_ENOMEM;
    import_huge(slots, total * sizeof(*slots));
    imp->slot_mem = slots;
    for (size_t i = 0; i < n; i++) {
        doms[i]->slots = slots + at;
        doms[i]->slot_mask = bucket_size(doms[i]) - 1;
        at += doms[i]->slot_mask + 1;
    }
    two_threads(sort_buckets, jobs,
                imp->stats.accounts + imp->stats.aliases >=
                    IMPORT_SORT_THREADED);
    return PK_OK;
}

/* flush_bucket - store one domain's sorted entries */

static int flush_bucket(struct pk_import *imp, struct import_dom *d,
                        unsigned flags, const char **error_r)
{
    struct import_rec rec, prev = {0};
    char text[PK_ADDR_MAX + 1];
    bool catchall = false;
    int status;

    for (size_t i = 0; i < d->nrefs; i++, prev = rec) {
        prefetch_ref(imp, d, i + IMPORT_PREFETCH);
        rec_at(imp, d->refs[i].off, &rec);
        if (rec.type == PK_REC_ALIAS && !imp->hinted)
            set_hints(imp, &rec);
        status = i > 0 && rec.klen == prev.klen &&
                         memcmp(rec.key, prev.key, rec.klen) == 0
                     ? PK_EEXIST
                     : pk_txn_put(imp->txn, PK_DB_ADDRESSES, rec.key, rec.klen,
                                  rec.val, rec.vlen, flags, error_r);
        if (status == PK_EEXIST) {
            import_key_text(rec.key, rec.klen, text);
            return import_error(error_r, rec.line, status, "%s already exists",
                                text);
        }
        if (status != PK_OK)
            return status;
        /* The catch-all's key is the domain and a NUL (addr.h). */
        if (rec.klen > 0 && rec.key[rec.klen - 1] == 0 &&
            memchr(rec.key, 0, rec.klen) == rec.key + rec.klen - 1)
            catchall = true;
    }
    /* Its domain record was stored before its entries: flag it now. */
    return catchall ? pk_domain_note_catchall(imp->txn, d->name, error_r)
                    : PK_OK;
}

/* flush_all - store the sorted buckets; their hints made alongside by a
 * helper thread when hints_apart() allows, else as each is stored */

static int flush_all(struct pk_import *imp, struct import_dom **doms, size_t n,
                     unsigned flags, const char **error_r)
{
    struct hint_pipe pipe = {.imp = imp, .doms = doms, .n = n};
    pthread_t helper;
    int status = PK_OK;

    pthread_mutex_init(&pipe.lock, NULL);
    pthread_cond_init(&pipe.cond, NULL);
    imp->hinted = hints_apart(imp) &&
                  pthread_create(&helper, NULL, hint_main, &pipe) == 0;
    for (size_t i = 0; i < n && status == PK_OK; i++) {
        if (imp->hinted)
            hint_wait(&pipe, i);
        status = flush_bucket(imp, doms[i], flags, error_r);
    }
    if (imp->hinted) {
        pthread_mutex_lock(&pipe.lock);
        pipe.stop = true;
        pthread_mutex_unlock(&pipe.lock);
        pthread_join(helper, NULL);
    }
    pthread_cond_destroy(&pipe.cond);
    pthread_mutex_destroy(&pipe.lock);
    return status;
}

/* import_flush - store every entry, in key order */

int import_flush(struct pk_import *imp, const char **error_r)
{
    struct import_dom **doms;
    size_t n = 0, count;
    unsigned flags = PK_PUT_NOOVERWRITE;
    int status = PK_OK;

    if (imp->flushed)
        return PK_OK;
    imp->flushed = true;
    if ((doms = malloc((imp->dmap_used + 1) * sizeof(*doms))) == NULL)
        return PK_ENOMEM;
    for (size_t i = 0; i < imp->dmap_size; i++)
        if (imp->dmap[i] != NULL && imp->dmap[i]->nrefs > 0)
            doms[n++] = imp->dmap[i];
    qsort(doms, n, sizeof(*doms), compare_dom);
    /* Into an empty table, in key order: appends. */
    if (pk_txn_count(imp->txn, PK_DB_ADDRESSES, &count, error_r) == PK_OK &&
        count == 0)
        flags = PK_PUT_APPEND;
    /* Every table first: an alias's hints look into other domains. */
    if ((status = sort_all(imp, doms, n)) == PK_OK)
        status = flush_all(imp, doms, n, flags, error_r);
    free(doms);
    return status;
}
