/*++
/* NAME
/*	import-apply 3
/* SUMMARY
/*	store imported items
/* SYNOPSIS
/*	#include "import.h"
/*
/*	struct pk_import *pk_import_begin(struct pk_txn *txn, unsigned flags)
/*
/*	int	pk_import_apply(struct pk_import *imp,
/*			const struct pk_item *item, const char **error_r)
/*
/*	void	pk_import_free(struct pk_import **impp)
/*
/*	int	pk_import(struct pk_txn *txn, enum pk_format format,
/*			const char *data, size_t len, unsigned flags,
/*			struct pk_import_stats *stats_r, const char **error_r)
/* DESCRIPTION
/*	See import.h for the contract. pk_import_begin() returns NULL only
/*	when memory runs out.
/*
/*	pk_import_apply() takes an item as it is, timestamps included, and
/*	no change log entry. Domains and grants are stored at once with the
/*	raw record calls; a domain or grant that exists is refused
/*	(PK_EEXIST), but an alias domain may replace a domain this import
/*	created. Accounts and aliases are kept in memory, bucketed by
/*	domain (see import-int.h), and stored in key order by
/*	import_flush(), which pk_import_finish() calls first; an address
/*	that exists, or that the input names twice, is refused there. An
/*	entry whose domain is missing is kept anyway (a later item may add
/*	the domain), or its domain is added as a hosted domain with
/*	PK_IMPORT_CREATE_DOMAINS. Nothing else is checked here:
/*	import-check.c does that at the end. Names must be canonical, as
/*	pk_import_parse() makes them; an item from another caller is checked
/*	for that first.
/*
/*	pk_import() parses, applies and finishes in the caller's write
/*	transaction and keeps no state outside it, so pk_store_write() may
/*	run it again after growing the map; on an error the caller aborts
/*	and the database is as it was. A large input in a line-based format
/*	is parsed on worker threads (import-parallel.c); the calling thread
/*	alone applies, in input order, and alone uses the transaction.
/*
/*	import_flush() (import-flush.c) stores the entries.
/* DIAGNOSTICS
/*	PK_EINVAL, PK_EEXIST with a message that names the line of the
/*	item at fault; PK_ETEMP, PK_ENOMEM.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* MADV_HUGEPAGE */
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "addr.h"
#include "dkim.h"
#include "domain.h"
#include "import-int.h"
#include "password.h"
#include "refs.h"

/* import_error - a message, prefixed with the item's line when known */

int import_error(const char **error_r, size_t line, int status, const char *fmt,
                 ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    *error_r = line ? pk_error("line %zu: %s", line, buf) : pk_error("%s", buf);
    return status;
}

/* import_huge - ask for huge pages under a large buffer about to be filled */

void import_huge(void *mem, size_t len)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)mem & ~(page - 1);
    uintptr_t end = ((uintptr_t)mem + len + page - 1) & ~(page - 1);

    /* A million entries take tens of thousands of page faults in 4 KiB
     * pages. Only a hint: without huge pages nothing changes. The whole
     * mapping of the buffer, malloc's header page included: a mapping
     * split in two cannot grow in place (mremap), and then realloc()
     * copies. */
    if (len >= IMPORT_HUGE_MIN)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

/* import_arena_add - append bytes */

int import_arena_add(struct arena *a, const void *data, size_t len)
{
    unsigned char *mem;
    size_t size;

    if (a->len + len > a->size) {
        for (size = a->size ? a->size : 65536; size < a->len + len;)
            size *= 2;
        if ((mem = realloc(a->data, size)) == NULL)
            return PK_ENOMEM;
        import_huge(mem, size);
        a->data = mem;
        a->size = size;
    }
    memcpy(a->data + a->len, data, len);
    a->len += len;
    return PK_OK;
}

/* arena_str - append a length-prefixed string (at most 65535 octets) */

static int arena_str(struct arena *a, const void *data, size_t len)
{
    uint16_t n = (uint16_t)len;
    int status;

    if ((status = import_arena_add(a, &n, sizeof(n))) != PK_OK)
        return status;
    return import_arena_add(a, data, len);
}

/* key_of - the database key of a canonical "local@domain" */

static size_t key_of(const char *text, char key[PK_KEY_MAX])
{
    size_t len = strlen(text), dlen;

    return pk_addr_text_key(text, len, key, &dlen) ? len : 0;
}

/* import_key_text - "local@domain" of a canonical database key */

void import_key_text(const char *key, size_t klen, char text[PK_ADDR_MAX + 1])
{
    size_t dlen = strlen(key), llen = klen - dlen - 1;

    /* Keys come from canonical addresses: they fit. */
    memcpy(text, key + dlen + 1, llen);
    text[llen] = '@';
    memcpy(text + llen + 1, key, dlen);
    text[llen + 1 + dlen] = 0;
}

/* import_local_prefix - the first 16 octets of a local part, for sorting */

void import_local_prefix(const char *local, size_t len, uint64_t prefix[2])
{
    unsigned char b[16] = {0};

    memcpy(b, local, len < 16 ? len : 16);
    for (int w = 0; w < 2; w++)
        prefix[w] =
            (uint64_t)b[8 * w] << 56 | (uint64_t)b[8 * w + 1] << 48 |
            (uint64_t)b[8 * w + 2] << 40 | (uint64_t)b[8 * w + 3] << 32 |
            (uint64_t)b[8 * w + 4] << 24 | (uint64_t)b[8 * w + 5] << 16 |
            (uint64_t)b[8 * w + 6] << 8 | (uint64_t)b[8 * w + 7];
}

/* dmap_hash - FNV-1a of a domain name, mixed so that low bits index */

static size_t dmap_hash(const char *name, size_t len)
{
    uint64_t h = 14695981039346656037u;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 1099511628211u;
    /* FNV's low bits see little of the input: MurmurHash3's finalizer. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    return (size_t)(h ^ (h >> 33));
}

/* dmap_grow - double the domain map */

static int dmap_grow(struct pk_import *imp)
{
    size_t size = imp->dmap_size ? imp->dmap_size * 2 : 1024;
    struct import_dom **map = calloc(size, sizeof(*map));

    if (map == NULL)
        return PK_ENOMEM;
    for (size_t i = 0; i < imp->dmap_size; i++) {
        struct import_dom *d = imp->dmap[i];
        size_t j;

        if (d == NULL)
            continue;
        j = dmap_hash(d->name, d->name_len) & (size - 1);
        while (map[j] != NULL)
            j = (j + 1) & (size - 1);
        map[j] = d;
    }
    free(imp->dmap);
    imp->dmap = map;
    imp->dmap_size = size;
    return PK_OK;
}

/* dmap_slot - the record of a domain, made (not looked up) if new */

static int dmap_slot(struct pk_import *imp, const char *name, size_t len,
                     struct import_dom **d_r)
{
    struct import_dom *d;
    size_t j;

    if (imp->dmap_used * 2 >= imp->dmap_size && dmap_grow(imp) != PK_OK)
        return PK_ENOMEM;
    for (j = dmap_hash(name, len) & (imp->dmap_size - 1);
         (d = imp->dmap[j]) != NULL; j = (j + 1) & (imp->dmap_size - 1))
        if (d->name_len == len && memcmp(d->name, name, len) == 0) {
            *d_r = d;
            return PK_OK;
        }
    if ((d = calloc(1, sizeof(*d))) == NULL ||
        (d->name = malloc(len + 1)) == NULL) {
        free(d);
        return PK_ENOMEM;
    }
    memcpy(d->name, name, len);
    d->name[len] = 0;
    d->name_len = len;
    imp->dmap[j] = d;
    imp->dmap_used++;
    *d_r = d;
    return PK_OK;
}

/* import_domain_peek - the record of a domain if the map has one;
 * never adds, never looks up: safe beside the calling thread's reads */

struct import_dom *import_domain_peek(const struct pk_import *imp,
                                      const char *name, size_t len)
{
    struct import_dom *d;

    if (imp->dmap_size == 0)
        return NULL;
    for (size_t j = dmap_hash(name, len) & (imp->dmap_size - 1);
         (d = imp->dmap[j]) != NULL; j = (j + 1) & (imp->dmap_size - 1))
        if (d->name_len == len && memcmp(d->name, name, len) == 0)
            return d;
    return NULL;
}

/* dmap_set - what a domain is now */

static int dmap_set(struct import_dom *d, int status,
                    const struct pk_domain *dom)
{
    d->known = true;
    d->status = status;
    d->kind = status == PK_OK ? dom->kind : 0;
    free(d->target);
    d->target = NULL;
    if (status == PK_OK && dom->kind == PK_DOMAIN_ALIAS &&
        (d->target = strdup(dom->target)) == NULL)
        return PK_ENOMEM;
    return PK_OK;
}

/* import_domain_find - what a domain is: through the map, else LMDB */

int import_domain_find(struct pk_import *imp, const char *name, size_t len,
                       struct import_dom **d_r, const char **error_r)
{
    struct pk_domain dom;
    struct import_dom *d;
    int status;

    if (len == 0 || len > PK_DOMAIN_MAX)
        return PK_NOTFOUND; /* no domain of ours */
    if ((status = dmap_slot(imp, name, len, &d)) != PK_OK)
        return status;
    *d_r = d;
    if (d->known)
        return d->status;
    status = pk_domain_lookup(imp->txn, d->name, &dom, error_r);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    if (dmap_set(d, status, &dom) != PK_OK)
        return PK_ENOMEM;
    return status;
}

/* pk_import_begin - start an import in a write transaction */

struct pk_import *pk_import_begin(struct pk_txn *txn, unsigned flags)
{
    struct pk_import *imp;
    const char *error;

    if ((imp = calloc(1, sizeof(*imp))) == NULL)
        return NULL;
    imp->txn = txn;
    imp->flags = flags;
    imp->format = "items";
    imp->now = (uint64_t)time(NULL);
    /* Unknown: assume there were entries, which costs a scan at most. */
    if (pk_txn_count(txn, PK_DB_ADDRESSES, &imp->entries_before, &error) !=
        PK_OK)
        imp->entries_before = SIZE_MAX;
    return imp;
}

/* put_domain - store a domain record and remember it */

static int put_domain(struct pk_import *imp, struct import_dom *d,
                      const struct pk_domain *dom, bool automatic,
                      const char **error_r)
{
    unsigned char flags[2] = {automatic, dom->kind};
    int status;

    d->automatic = automatic;
    if ((status = dmap_set(d, PK_OK, dom)) != PK_OK ||
        (status = pk_domain_put(imp->txn, d->name, dom, error_r)) != PK_OK ||
        (status = import_arena_add(&imp->domains, &imp->line,
                                   sizeof(imp->line))) != PK_OK ||
        (status = import_arena_add(&imp->domains, flags, 2)) != PK_OK ||
        (status = arena_str(&imp->domains, d->name, strlen(d->name))) != PK_OK)
        return status;
    return PK_OK;
}

/* apply_domain - a hosted domain or an alias domain */

static int apply_domain(struct pk_import *imp, const struct pk_item *item,
                        const char **error_r)
{
    struct pk_domain dom = item->domain;
    struct import_dom *d;
    int status;

    status =
        import_domain_find(imp, item->name, strlen(item->name), &d, error_r);
    if (status == PK_OK && !d->automatic)
        return import_error(error_r, imp->line, PK_EEXIST,
                            "domain %s already exists", item->name);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    if (status == PK_NOTFOUND)
        imp->stats.domains++;
    dom.kind =
        item->type == PK_ITEM_DOMAIN ? PK_DOMAIN_HOSTED : PK_DOMAIN_ALIAS;
    if (dom.kind == PK_DOMAIN_HOSTED)
        dom.target[0] = 0;
    else
        dom.default_quota = 0;
    return put_domain(imp, d, &dom, false, error_r);
}

/* entry_domain - the bucket of a new entry; its domain made if asked */

static int entry_domain(struct pk_import *imp, const char *key,
                        struct import_dom **d_r, const char **error_r)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_HOSTED};
    int status;

    status = import_domain_find(imp, key, strlen(key), d_r, error_r);
    if (status != PK_NOTFOUND || !(imp->flags & PK_IMPORT_CREATE_DOMAINS))
        return status == PK_NOTFOUND ? PK_OK : status;
    dom.created = imp->now;
    imp->stats.domains++;
    return put_domain(imp, *d_r, &dom, true, error_r);
}

/* import_entry_record - an entry's arena record (import-int.h): line,
 * type, key, destinations, encoded value */

int import_entry_record(struct arena *a, const struct pk_item *item,
                        size_t line, struct pk_buf *buf)
{
    static const unsigned char no_hints[PK_DEST_MAX];
    struct pk_entry ent = item->entry;
    const struct pk_strlist *list =
        ent.type == PK_REC_ALIAS ? &ent.u.alias.dest : &ent.u.account.forward;
    unsigned char type = ent.type;
    uint16_t count = (uint16_t)list->count;
    char key[PK_KEY_MAX];
    size_t klen = key_of(item->name, key);
    uint32_t vlen;
    int status;

    /* Room for hints (version 2), filled in when the entries are stored. */
    if (ent.type == PK_REC_ALIAS)
        ent.u.alias.hints = ent.u.alias.dest.count <= PK_DEST_MAX
                                ? (unsigned char *)no_hints
                                : NULL;
    if ((status = pk_record_encode_entry(&ent, buf)) != PK_OK)
        return status;
    vlen = (uint32_t)buf->len;
    if ((status = import_arena_add(a, &line, sizeof(line))) != PK_OK ||
        (status = import_arena_add(a, &type, 1)) != PK_OK ||
        (status = arena_str(a, key, klen)) != PK_OK ||
        (status = import_arena_add(a, &count, sizeof(count))) != PK_OK)
        return status;
    for (size_t i = 0; i < list->count; i++)
        if ((status = arena_str(a, list->items[i], strlen(list->items[i]))) !=
            PK_OK)
            return status;
    if ((status = import_arena_add(a, &vlen, sizeof(vlen))) != PK_OK)
        return status;
    return import_arena_add(a, buf->data, buf->len);
}

/* place_entry - an entry stored in the arena, into its domain's bucket */

static int place_entry(struct pk_import *imp, size_t off, const char **error_r)
{
    struct import_rec rec;
    struct import_dom *d;
    struct import_ref *ref;
    size_t dlen;
    int status;

    rec_at(imp, off, &rec);
    dlen = strlen(rec.key);
    if ((status = entry_domain(imp, rec.key, &d, error_r)) != PK_OK)
        return status;
    if (d->nrefs == d->refs_size) {
        size_t size = d->refs_size ? d->refs_size * 2 : 16;

        if ((ref = realloc(d->refs, size * sizeof(*ref))) == NULL)
            return PK_ENOMEM;
        d->refs = ref;
        d->refs_size = size;
    }
    ref = &d->refs[d->nrefs++];
    import_local_prefix(rec.key + dlen + 1, rec.klen - dlen - 1, ref->prefix);
    ref->llen = (uint16_t)(rec.klen - dlen - 1);
    ref->off = off;
    /* An account's destinations are its forwards. */
    ref->final = rec.type == PK_REC_ACCOUNT && rec.ndest == 0;
    if (rec.type == PK_REC_ACCOUNT)
        imp->stats.accounts++;
    else
        imp->stats.aliases++;
    return PK_OK;
}

/* apply_entry - an account or an alias, into its domain's bucket */

static int apply_entry(struct pk_import *imp, const struct pk_item *item,
                       const char **error_r)
{
    size_t off = imp->entries.len;
    int status;

    if (imp->flushed)
        return import_error(error_r, imp->line, PK_EINVAL,
                            "the import is finished");
    if (off >= IMPORT_SEG_OFF_MAX)
        return PK_ENOMEM; /* a reference could not name it */
    if ((status = import_entry_record(&imp->entries, item, imp->line,
                                      &imp->buf)) == PK_OK &&
        (status = place_entry(imp, off, error_r)) == PK_OK)
        return PK_OK;
    /* Not stored: the final checks must not see it either. */
    imp->entries.len = off;
    return status;
}

/* import_keep_block - free a block with the import */

int import_keep_block(struct pk_import *imp, void *block)
{
    void **blocks;
    size_t size;

    if (imp->nblocks == imp->blocks_size) {
        size = imp->blocks_size ? 2 * imp->blocks_size : 16;
        if ((blocks = realloc(imp->blocks, size * sizeof(*blocks))) == NULL)
            return PK_ENOMEM;
        imp->blocks = blocks;
        imp->blocks_size = size;
    }
    imp->blocks[imp->nblocks++] = block;
    return PK_OK;
}

/* import_add_segment - entry records made elsewhere, in memory that
 * lives as long as the import (import_keep_block()); base: the lines of
 * the input before its first record. Returns the segment's number, or
 * 0 when memory runs out or a reference could not name the segment. */

size_t import_add_segment(struct pk_import *imp, const void *data, size_t len,
                          size_t base)
{
    struct import_seg *segs;
    size_t size;

    if (imp->nsegs == 0)
        imp->nsegs = 1; /* 0 is the arena */
    if (imp->nsegs >= IMPORT_SEG_MAX || len >= IMPORT_SEG_OFF_MAX)
        return 0;
    if (imp->nsegs >= imp->segs_size) {
        size = imp->segs_size ? 2 * imp->segs_size : 64;
        if ((segs = realloc(imp->segs, size * sizeof(*segs))) == NULL)
            return 0;
        imp->segs = segs;
        imp->segs_size = size;
    }
    imp->segs[imp->nsegs] = (struct import_seg){data, len, base};
    return imp->nsegs++;
}

/* import_apply_record - an entry record of a segment, into its bucket */

int import_apply_record(struct pk_import *imp, size_t ref, const char **error_r)
{
    struct import_rec rec;
    int status;

    rec_at(imp, ref, &rec);
    imp->line = rec.line;
    if (imp->flushed)
        return import_error(error_r, imp->line, PK_EINVAL,
                            "the import is finished");
    if ((status = place_entry(imp, ref, error_r)) == PK_ENOMEM)
        *error_r = pk_error("out of memory");
    return status;
}

/* apply_grant - a send-as grant */

static int apply_grant(struct pk_import *imp, const struct pk_item *item,
                       const char **error_r)
{
    char lkey[PK_KEY_MAX], akey[PK_KEY_MAX];
    size_t llen = key_of(item->name, lkey), alen = key_of(item->target, akey);
    int status;

    status = pk_txn_put(imp->txn, PK_DB_SENDAS, lkey, llen, akey, alen,
                        PK_PUT_NOOVERWRITE, error_r);
    if (status == PK_EEXIST)
        return import_error(error_r, imp->line, status,
                            "%s may already send as %s", item->name,
                            item->target);
    if (status != PK_OK)
        return status;
    imp->stats.sendas++;
    if ((status = import_arena_add(&imp->grants, &imp->line,
                                   sizeof(imp->line))) != PK_OK ||
        (status = arena_str(&imp->grants, lkey, llen)) != PK_OK)
        return status;
    return PK_OK;
}

/* apply_dkim - a DKIM key, stored as it is; checked at the end */

static int apply_dkim(struct pk_import *imp, const struct pk_item *item,
                      const char **error_r)
{
    char key[PK_DOMAIN_MAX + 1 + PK_DKIM_SELECTOR_MAX];
    size_t dlen = strlen(item->name), slen = strlen(item->target), klen;
    int status;

    klen = dlen + 1 + slen;
    memcpy(key, item->name, dlen + 1);
    memcpy(key + dlen + 1, item->target, slen);
    if ((status = pk_record_encode_dkim(&item->dkim, &imp->buf)) != PK_OK)
        return status;
    status = pk_txn_put(imp->txn, PK_DB_DKIM, key, klen, imp->buf.data,
                        imp->buf.len, PK_PUT_NOOVERWRITE, error_r);
    /* The encoded record holds the private key. */
    pk_wipe(imp->buf.data, imp->buf.len);
    if (status == PK_EEXIST)
        return import_error(error_r, imp->line, status,
                            "DKIM key %s of %s already exists", item->target,
                            item->name);
    if (status != PK_OK)
        return status;
    imp->stats.dkim++;
    if ((status = import_arena_add(&imp->dkim, &imp->line,
                                   sizeof(imp->line))) != PK_OK ||
        (status = arena_str(&imp->dkim, key, klen)) != PK_OK)
        return status;
    return PK_OK;
}

/* apply_ratelimit - a rate limit, stored at the end (its subject may come
 * later in the input) */

static int apply_ratelimit(struct pk_import *imp, const struct pk_item *item,
                           const char **error_r)
{
    unsigned char scope = (unsigned char)item->scope;
    int status;

    if ((status = import_arena_add(&imp->limits, &imp->line,
                                   sizeof(imp->line))) != PK_OK ||
        (status = import_arena_add(&imp->limits, &scope, 1)) != PK_OK ||
        (status = import_arena_add(&imp->limits, &item->limit,
                                   sizeof(item->limit))) != PK_OK ||
        (status = arena_str(&imp->limits, item->name, strlen(item->name))) !=
            PK_OK)
        return status;
    imp->stats.ratelimits++;
    return PK_OK;
}

/* canonical - is a name exactly what normalization gives */

static bool canonical(const char *text, bool domain, unsigned flags)
{
    struct pk_addr addr;
    char norm[PK_ADDR_MAX + 1];
    const char *error;

    if (domain)
        return pk_addr_parse_domain(text, norm, &error) == PK_OK &&
               strcmp(norm, text) == 0;
    if (pk_addr_parse(text, flags, &addr, &error) != PK_OK)
        return false;
    pk_addr_format(&addr, norm);
    return strcmp(norm, text) == 0;
}

/* check_list - destinations from a caller: canonical, bounded */

static bool check_list(const struct pk_strlist *list)
{
    if (list->count > PK_DEST_MAX)
        return false;
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i] == NULL || !canonical(list->items[i], false, 0))
            return false;
    return true;
}

/* check_item - what pk_import_parse() guarantees, for other callers */

static int check_item(const struct pk_item *item, const char **error_r)
{
    const struct pk_entry *ent = &item->entry;
    bool ok;

    /* Fixed buffers from a caller: terminated before anything reads them. */
    if (memchr(item->name, 0, sizeof(item->name)) == NULL ||
        memchr(item->target, 0, sizeof(item->target)) == NULL ||
        memchr(item->domain.target, 0, sizeof(item->domain.target)) == NULL ||
        (ent->type == PK_REC_ACCOUNT &&
         memchr(ent->u.account.password, 0, sizeof(ent->u.account.password)) ==
             NULL))
        item = NULL;
    switch (item ? item->type : -1) {
    case PK_ITEM_DOMAIN:
    case PK_ITEM_DOMAIN_ALIAS:
        ok = canonical(item->name, true, 0) &&
             (item->type == PK_ITEM_DOMAIN ||
              canonical(item->domain.target, true, 0));
        break;
    case PK_ITEM_ACCOUNT:
        ok =
            ent->type == PK_REC_ACCOUNT && canonical(item->name, false, 0) &&
            (unsigned)ent->u.account.state <= PK_STATE_DISABLED &&
            pk_password_check_hash(ent->u.account.password, error_r) == PK_OK &&
            check_list(&ent->u.account.forward);
        break;
    case PK_ITEM_ALIAS:
        ok = ent->type == PK_REC_ALIAS &&
             canonical(item->name, false, PK_ADDR_CATCHALL) &&
             ent->u.alias.dest.count > 0 && check_list(&ent->u.alias.dest);
        break;
    case PK_ITEM_SENDAS:
        ok = canonical(item->name, false, 0) &&
             canonical(item->target, false, PK_ADDR_CATCHALL);
        break;
    case PK_ITEM_DKIM:
        ok = canonical(item->name, true, 0) &&
             pk_dkim_selector_ok(item->target) && item->dkim.key != NULL &&
             strnlen(item->dkim.key, IMPORT_PEM_MAX + 1) <= IMPORT_PEM_MAX &&
             item->dkim.key[0] != 0 &&
             (item->dkim.alg == PK_DKIM_RSA_SHA256 ||
              item->dkim.alg == PK_DKIM_ED25519_SHA256);
        break;
    case PK_ITEM_RATELIMIT:
        ok = (item->scope == PK_RATELIMIT_ACCOUNT ||
              item->scope == PK_RATELIMIT_DOMAIN) &&
             (item->name[0] == 0 ||
              canonical(item->name, item->scope == PK_RATELIMIT_DOMAIN, 0));
        break;
    default:
        ok = false;
        break;
    }
    if (!ok)
        *error_r = pk_error("an import item is not in canonical form");
    return ok ? PK_OK : PK_EINVAL;
}

/* apply_item - store one item; trusted items come from our parser */

static int apply_item(struct pk_import *imp, const struct pk_item *item,
                      bool trusted, const char **error_r)
{
    int status;

    if (!trusted && (status = check_item(item, error_r)) != PK_OK)
        return status;
    switch (item->type) {
    case PK_ITEM_DOMAIN:
    case PK_ITEM_DOMAIN_ALIAS:
        status = apply_domain(imp, item, error_r);
        break;
    case PK_ITEM_ACCOUNT:
    case PK_ITEM_ALIAS:
        status = apply_entry(imp, item, error_r);
        break;
    case PK_ITEM_DKIM:
        status = apply_dkim(imp, item, error_r);
        break;
    case PK_ITEM_RATELIMIT:
        status = apply_ratelimit(imp, item, error_r);
        break;
    default:
        status = apply_grant(imp, item, error_r);
        break;
    }
    if (status == PK_ENOMEM)
        *error_r = pk_error("out of memory");
    return status;
}

/* pk_import_apply - take one item, references unchecked */

int pk_import_apply(struct pk_import *imp, const struct pk_item *item,
                    const char **error_r)
{
    return apply_item(imp, item, false, error_r);
}

/* pk_import_free - release an import */

void pk_import_free(struct pk_import **impp)
{
    struct pk_import *imp = *impp;

    if (imp == NULL)
        return;
    for (size_t i = 0; i < imp->dmap_size; i++) {
        if (imp->dmap[i] == NULL)
            continue;
        free(imp->dmap[i]->name);
        free(imp->dmap[i]->target);
        free(imp->dmap[i]->refs);
        free(imp->dmap[i]);
    }
    free(imp->dmap);
    free(imp->slot_mem);
    free(imp->domains.data);
    free(imp->entries.data);
    for (size_t i = 0; i < imp->nblocks; i++)
        free(imp->blocks[i]);
    free(imp->blocks);
    free(imp->segs);
    free(imp->grants.data);
    free(imp->dkim.data);
    free(imp->limits.data);
    if (imp->buf.data != NULL)
        pk_wipe(imp->buf.data, imp->buf.size);
    pk_buf_free(&imp->buf);
    free(imp);
    *impp = NULL;
}

/* import_apply_item - an item of our parser, from the input's line */

int import_apply_item(struct pk_import *imp, const struct pk_item *item,
                      size_t line, const char **error_r)
{
    imp->line = line;
    return apply_item(imp, item, true, error_r);
}

/* import_apply_fn - the parser's callback: apply with the line known */

int import_apply_fn(const struct pk_item *item, size_t line, void *ctx,
                    const char **error_r)
{
    return import_apply_item(ctx, item, line, error_r);
}

/* pk_import - parse, apply and check a whole input in one transaction */

int pk_import(struct pk_txn *txn, enum pk_format format, const char *data,
              size_t len, unsigned flags, struct pk_import_stats *stats_r,
              const char **error_r)
{
    struct pk_import *imp;
    int status;

    if ((imp = pk_import_begin(txn, flags)) == NULL) {
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    imp->format = pk_format_name(format);
    if (import_parallel_wanted(format, len)) {
        status = import_parallel(imp, format, data, len, error_r);
    } else {
        /* The entries take a little more room than the input (an
         * account's record holds its key too): one allocation instead
         * of a doubling realloc and its copies; pages never written are
         * never made. A failure here only means the arena grows as it
         * goes. */
        if (len < (IMPORT_SEG_OFF_MAX - 65536) / 2 &&
            (imp->entries.data = malloc(2 * len + 65536)) != NULL) {
            imp->entries.size = 2 * len + 65536;
            import_huge(imp->entries.data, imp->entries.size);
        }
        status =
            pk_import_parse(format, data, len, import_apply_fn, imp, error_r);
    }
    if (status == PK_OK)
        status = pk_import_finish(imp, stats_r, error_r);
    pk_import_free(&imp);
    return status;
}
