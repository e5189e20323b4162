/*++
/* NAME
/*	import-int 3h
/* SUMMARY
/*	what the import modules share (private to common/import*.c)
/* SYNOPSIS
/*	#include "import-int.h"
/* DESCRIPTION
/*	One parser state serves every format. The item handed to the
/*	caller lives here, and so do its destinations: a fixed pool of
/*	PK_DEST_MAX slots reused for every line, so a parse allocates
/*	nothing per line beyond what jansson needs.
/*--*/

#ifndef PK_IMPORT_INT_H
#define PK_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "import.h"

/* The longest physical or logical line we read. */
#define IMPORT_LINE_MAX (1 << 20)
/* Zero octets after the NUL of the line buffer (import_text_add()). */
#define IMPORT_TEXT_PAD 8
/* Octets of untrusted text quoted in a message. */
#define IMPORT_QUOTE_MAX 64
#define IMPORT_QUOTE_BUF (IMPORT_QUOTE_MAX + 4)
/* The longest DKIM private key text: an RSA-4096 PEM is about 3.3 KB. */
#define IMPORT_PEM_MAX 16384

struct import_virtual;

struct import_parser {
    const char *data;
    size_t len;
    size_t pos;       /* next unread octet */
    size_t line;      /* number of the last line read */
    size_t item_line; /* where the current item started */
    pk_item_fn *fn;
    void *ctx;
    const char **error_r;
    uint64_t now;
    struct pk_item item;
    char (*dest_pool)[PK_ADDR_MAX + 1];
    char **dest_ptrs;
    char *text; /* a line, NUL-terminated, then IMPORT_TEXT_PAD zeros */
    size_t text_len;
    size_t text_size;
    struct import_virtual *virtual; /* Postfix virtual state */
    char *pem;                      /* a DKIM key's text, wiped */
    size_t pem_size;
};

/* import.c */
extern const char *pk_format_name(enum pk_format);
extern int import_fail(struct import_parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
extern const char *import_sanitize(const char *, size_t,
                                   char[IMPORT_QUOTE_BUF]);
extern int import_addr(struct import_parser *, const char *, const char *,
                       unsigned, char[PK_ADDR_MAX + 1]);
extern int import_domain(struct import_parser *, const char *, const char *,
                         char[PK_DOMAIN_MAX + 1]);
extern int import_hash(struct import_parser *, const char *,
                       char[PK_HASH_MAX + 1]);
extern int import_dest(struct import_parser *, const char *, const char *,
                       struct pk_strlist *, bool *);
extern int import_text_add(struct import_parser *, const char *, size_t);
extern int import_pem(struct import_parser *, const char *);
extern void import_item_reset(struct import_parser *, enum pk_item_type);
extern int import_emit(struct import_parser *);
extern bool import_next_line(struct import_parser *, const char **, size_t *);
extern size_t import_indent(const char *, size_t);
extern bool import_blank(const char *, size_t);
extern struct import_parser *import_parser_new(const char *, size_t,
                                               pk_item_fn *, void *,
                                               const char **, uint64_t);
extern int import_parser_run(struct import_parser *, enum pk_format);
extern void import_parser_free(struct import_parser **);

/*
 * The database side (import-apply.c, import-check.c). Entries are not
 * written as they arrive: a migration interleaves domains, and LMDB
 * inserts in random key order cost several times what inserts in key
 * order do. Each entry goes to an append-only arena instead (line,
 * type, key, destinations, encoded value), or to the block of a parser
 * thread, and a reference to it into the bucket of its domain. pk_import_finish() sorts the domains and
 * each bucket, writes the entries in key order (MDB_APPEND into an
 * empty table), and answers "is this destination one of ours, and
 * final?" from a small hash table per bucket without touching LMDB.
 */

/* Append-only memory of what the import stored. */
struct arena {
    unsigned char *data;
    size_t len;
    size_t size;
};

/* A reader over an arena. */
struct arena_rd {
    const unsigned char *p;
    const unsigned char *end;
};

/* Where entry records live: segment 0 is the import's own arena, the
 * others are buffers that parser threads filled (import-parallel.c),
 * in input order. A record is named by its segment and offset. */
struct import_seg {
    const unsigned char *data;
    size_t len;
    size_t base; /* added to the line numbers of its records */
};

#define IMPORT_SEG_SHIFT 40
#define IMPORT_SEG_OFF_MAX ((size_t)1 << IMPORT_SEG_SHIFT)
#define IMPORT_SEG_MAX ((size_t)1 << (64 - IMPORT_SEG_SHIFT))
#define IMPORT_REF(seg, off) (((size_t)(seg) << IMPORT_SEG_SHIFT) | (off))

/* An entry in its domain's bucket: the local part's first 16 octets,
 * big-endian, so that integer order is key order. */
struct import_ref {
    uint64_t prefix[2];
    size_t off;    /* of its record: IMPORT_REF(), input order */
    uint16_t llen; /* of the local part */
    bool final;    /* an account that does not forward */
};

/* A slot of a bucket's hash table: what a destination check needs, so
 * that a probe reads one slot and, for a local part of up to 16 octets,
 * nothing else (a table larger than the caches costs a memory load per
 * probe, and alias destinations are random). */
struct import_slot {
    uint64_t prefix[2];
    uint32_t index; /* 1 + refs index; 0: empty */
    uint16_t llen;
    bool final;
};

/* A domain the import met: the lookup cache and the bucket. */
struct import_dom {
    char *name;
    size_t name_len;
    bool known; /* looked up, or stored by us */
    int status; /* PK_OK or PK_NOTFOUND */
    enum pk_domain_kind kind;
    char *target;   /* alias domains */
    bool automatic; /* created by CREATE_DOMAINS */
    struct import_ref *refs;
    size_t nrefs;
    size_t refs_size;
    struct import_slot *slots; /* after sorting: by hash of the local part,
                                  in the import's slot_mem */
    size_t slot_mask;          /* by hash of the local part */
};

struct pk_import {
    struct pk_txn *txn;
    unsigned flags;
    const char *format;
    size_t line; /* of the item being applied */
    size_t entries_before;
    uint64_t now;
    struct pk_import_stats stats;
    struct arena domains;    /* line, flags, kind, name */
    struct arena entries;    /* line, type, key, dests, value */
    struct import_seg *segs; /* segs[0] stands for entries */
    size_t nsegs;
    size_t segs_size;
    void **blocks; /* memory of the other segments */
    size_t nblocks;
    size_t blocks_size;
    struct arena grants; /* line, login key */
    struct arena dkim;   /* line, key (domain NUL selector) */
    struct arena limits; /* line, scope, limit, subject */
    struct pk_buf buf;
    struct import_slot *slot_mem; /* every bucket's table */
    struct import_dom **dmap;     /* open addressing; slots stay put */
    size_t dmap_size;             /* a power of two */
    size_t dmap_used;
    bool flushed;
    bool hinted; /* every alias's hints are made (import_flush()) */
};

/* rd_take - the next len octets of an arena */
static inline const void *rd_take(struct arena_rd *rd, size_t len)
{
    const void *p = rd->p;

    rd->p += len;
    return p;
}

/* rd_str - the next length-prefixed string */
static inline const char *rd_str(struct arena_rd *rd, size_t *len_r)
{
    uint16_t n;

    memcpy(&n, rd_take(rd, sizeof(n)), sizeof(n));
    *len_r = n;
    return rd_take(rd, n);
}

/* rd_size - the next size_t */
static inline size_t rd_size(struct arena_rd *rd)
{
    size_t n;

    memcpy(&n, rd_take(rd, sizeof(n)), sizeof(n));
    return n;
}

/* One entry record of the arena, as read back. */
struct import_rec {
    size_t line;
    int type;        /* PK_REC_ACCOUNT or PK_REC_ALIAS */
    const char *key; /* "domain" NUL "local" */
    size_t klen;
    uint16_t ndest;        /* destinations or forwards */
    struct arena_rd dests; /* ndest length-prefixed strings */
    const void *val;       /* the encoded record */
    size_t vlen;
};

/* rec_seg - the memory of a segment */

static inline struct import_seg rec_seg(const struct pk_import *imp, size_t seg)
{
    return seg == 0
               ? (struct import_seg){imp->entries.data, imp->entries.len, 0}
               : imp->segs[seg];
}

/* rec_ptr - where the record of a reference starts */

static inline const unsigned char *rec_ptr(const struct pk_import *imp,
                                           size_t ref)
{
    return rec_seg(imp, ref >> IMPORT_SEG_SHIFT).data +
           (ref & (IMPORT_SEG_OFF_MAX - 1));
}

/* rec_read - the record at an offset of a segment; returns the next
 * offset */

static inline size_t rec_read(const struct import_seg *a, size_t off,
                              struct import_rec *rec)
{
    struct arena_rd rd = {a->data + off, a->data + a->len};
    uint32_t vlen;
    size_t len;

    rec->line = a->base + rd_size(&rd);
    rec->type = *(const unsigned char *)rd_take(&rd, 1);
    rec->key = rd_str(&rd, &rec->klen);
    memcpy(&rec->ndest, rd_take(&rd, sizeof(rec->ndest)), sizeof(rec->ndest));
    rec->dests = rd;
    for (uint16_t i = 0; i < rec->ndest; i++)
        (void)rd_str(&rd, &len);
    memcpy(&vlen, rd_take(&rd, sizeof(vlen)), sizeof(vlen));
    rec->vlen = vlen;
    rec->val = rd_take(&rd, vlen);
    return (size_t)(rd.p - a->data);
}

/* rec_at - the record of a reference */

static inline void rec_at(const struct pk_import *imp, size_t ref,
                          struct import_rec *rec)
{
    struct import_seg seg = rec_seg(imp, ref >> IMPORT_SEG_SHIFT);

    (void)rec_read(&seg, ref & (IMPORT_SEG_OFF_MAX - 1), rec);
}

/* import-apply.c */
extern int import_error(const char **, size_t, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));
extern void import_key_text(const char *, size_t, char[PK_ADDR_MAX + 1]);
extern int import_domain_find(struct pk_import *, const char *, size_t,
                              struct import_dom **, const char **);
extern struct import_dom *import_domain_peek(const struct pk_import *,
                                             const char *, size_t);
extern void import_local_prefix(const char *, size_t, uint64_t[2]);

extern const struct import_slot *import_find_ref(struct pk_import *,
                                                 const struct import_dom *,
                                                 const char *, size_t);
extern pk_item_fn import_apply_fn;
extern int import_apply_item(struct pk_import *, const struct pk_item *, size_t,
                             const char **);
extern int import_entry_record(struct arena *, const struct pk_item *, size_t,
                               struct pk_buf *);
extern int import_keep_block(struct pk_import *, void *);
extern size_t import_add_segment(struct pk_import *, const void *, size_t,
                                 size_t);
extern int import_apply_record(struct pk_import *, size_t, const char **);
extern int import_arena_add(struct arena *, const void *, size_t);
extern void import_huge(void *, size_t);

/* Buffers from this size on are worth huge pages (import_huge()). */
#define IMPORT_HUGE_MIN (4u << 20)
/* Entries read ahead while storing a bucket in key order. */
#define IMPORT_PREFETCH 4
/* Entries from which two threads sort the buckets. */
#define IMPORT_SORT_THREADED 20000

/* import-parallel.c */
extern bool import_parallel_wanted(enum pk_format, size_t);
extern int import_parallel(struct pk_import *, enum pk_format, const char *,
                           size_t, const char **);

/* import-flush.c */
extern int import_flush(struct pk_import *, const char **);
extern size_t import_ref_hash(const struct import_ref *);

/* import-jsonl.c */
extern int import_jsonl_parse(struct import_parser *);

/* import-text.c */
extern int import_dovecot_parse(struct import_parser *);
extern int import_virtual_parse(struct import_parser *);
extern void import_virtual_free(struct import_parser *);

/* import_addr() flag: the address is one of ours (pk_addr_check_hosted) */
#define IMPORT_HOSTED (1u << 16)

#endif
