/*++
/* NAME
/*	import-parallel 3
/* SUMMARY
/*	parse a large import on more than one core
/* SYNOPSIS
/*	#include "import-int.h"
/*
/*	bool	import_parallel_wanted(enum pk_format format, size_t len)
/*
/*	int	import_parallel(struct pk_import *imp, enum pk_format format,
/*			const char *data, size_t len, const char **error_r)
/* DESCRIPTION
/*	Parsing and checking the lines is most of an import's work, and
/*	each line of a JSON lines or Dovecot passwd-file input is parsed
/*	on its own. import_parallel() cuts such an input into chunks that
/*	end at a newline and lets worker threads parse them, each with a
/*	parser of its own, into a buffer per chunk: accounts and aliases
/*	as the very arena records pk_import_apply() makes
/*	(import_entry_record()), other items as copies. The calling
/*	thread alone touches the import and its transaction: it takes the
/*	chunks in input order and applies what they hold, with the line
/*	numbers of the whole input, so the database gets what a serial
/*	parse gives it, in the same order. A chunk's entry records are not
/*	copied by the calling thread: the worker moves them, once the chunk
/*	is parsed, to a large block of its own, and that part of the block
/*	becomes a segment of the import (import-int.h).
/*
/*	A chunk whose parse failed is parsed again by the calling thread,
/*	from its first line and applying as it goes, exactly as the serial
/*	parse would have reached it: the first bad line of the input, and
/*	its message, are the ones the serial parse reports. A worker's own
/*	message is never used. A worker out of memory fails the import.
/*
/*	import_parallel_wanted() says whether an input is worth it: a
/*	line-based format, at least two chunks, and more than one core
/*	online. The workers keep at most a few chunks each ahead of the
/*	calling thread, so their buffers stay small and in the caches.
/* DIAGNOSTICS
/*	As pk_import_parse() and pk_import_apply(). When no thread can be
/*	started, the input is parsed serially.
/* SECURITY
/*	The workers read only their chunk of the input and write only their
/*	own buffers; a chunk buffer that held a DKIM private key is wiped
/*	before it is reused or freed.
/*--*/

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "import-int.h"

/* Octets of input per chunk (a chunk ends at the next newline). */
#define PARALLEL_CHUNK (128 * 1024)
/* Chunks parsed ahead of the calling thread, per worker. */
#define PARALLEL_AHEAD 8
#define PARALLEL_WORKERS_MAX 2
#define PARALLEL_SLOTS (PARALLEL_AHEAD * PARALLEL_WORKERS_MAX)
/* A worker's block for the records of its chunks. */
#define PARALLEL_BLOCK (32u << 20)

/* What a chunk buffer holds, item after item. */
enum out_tag {
    OUT_ENTRY, /* an arena record (import-int.h) */
    OUT_ITEM,  /* a struct pk_item, then a DKIM key's text */
};

struct out_head {
    size_t line; /* in the chunk, from 1 */
    size_t len;  /* of the record in ent, or of what follows in out */
    int tag;
};

struct chunk {
    size_t index; /* SIZE_MAX: free */
    bool done;
    const char *data;
    size_t len;
    size_t lines;             /* physical lines in the chunk */
    int status;               /* of the worker's parse */
    bool secret;              /* out held a DKIM key */
    struct arena out;         /* a head per item; items but entries */
    struct arena ent;         /* entry records, while parsing */
    const unsigned char *seg; /* the records, in the worker's block */
    void *new_block;          /* a block this chunk began: the import's */
};

struct parallel {
    enum pk_format format;
    const char *data;
    size_t len;
    uint64_t now;
    pthread_mutex_t lock;
    pthread_cond_t work; /* a slot was freed, or stop */
    pthread_cond_t done; /* a chunk was parsed */
    size_t next_pos;     /* of the next chunk to hand out */
    size_t next_index;
    size_t consumed; /* chunks the calling thread has applied */
    bool stop;
    struct chunk slots[PARALLEL_SLOTS];
};

struct worker {
    struct parallel *par;
    pthread_t thread;
    struct chunk *chunk;  /* being parsed */
    struct pk_buf buf;    /* an encoded value */
    unsigned char *block; /* where the records of its chunks go */
    size_t block_used;
    size_t block_size;
};

/* import_parallel_wanted - is the input large and line-based */

bool import_parallel_wanted(enum pk_format format, size_t len)
{
    return (format == PK_FORMAT_JSONL || format == PK_FORMAT_DOVECOT_PASSWD) &&
           len >= 2 * PARALLEL_CHUNK && sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* chunk_wipe - forget what a chunk buffer held */

static void chunk_wipe(struct chunk *c)
{
    if (c->secret)
        pk_wipe(c->out.data, c->out.len);
    c->secret = false;
    c->out.len = 0;
}

/* worker_item - the parser's callback: the item into the chunk buffers;
 * an account or alias as its record, anything else as a copy */

static int worker_item(const struct pk_item *item, size_t line, void *ctx,
                       const char **error_r)
{
    struct worker *w = ctx;
    struct chunk *c = w->chunk;
    struct out_head head = {line, 0, OUT_ITEM};
    size_t at = c->out.len, start = c->ent.len;
    int status;

    (void)error_r;
    if (item->type == PK_ITEM_ACCOUNT || item->type == PK_ITEM_ALIAS)
        head.tag = OUT_ENTRY;
    if ((status = import_arena_add(&c->out, &head, sizeof(head))) != PK_OK)
        return status;
    if (head.tag == OUT_ENTRY) {
        status = import_entry_record(&c->ent, item, line, &w->buf);
        head.len = c->ent.len - start;
    } else if ((status = import_arena_add(&c->out, item, sizeof(*item))) ==
                   PK_OK &&
               item->type == PK_ITEM_DKIM) {
        c->secret = true;
        status = import_arena_add(&c->out, item->dkim.key,
                                  strlen(item->dkim.key) + 1);
    }
    if (status != PK_OK)
        return status;
    if (head.tag == OUT_ITEM)
        head.len = c->out.len - at - sizeof(head);
    memcpy(c->out.data + at, &head, sizeof(head));
    return PK_OK;
}

/* worker_keep - move a parsed chunk's records to the worker's block: the
 * chunk buffer stays warm for the next chunk, and the calling thread
 * takes the records where they are */

static int worker_keep(struct worker *w, struct chunk *c)
{
    size_t size;

    if (w->block == NULL || w->block_size - w->block_used < c->ent.len) {
        size = c->ent.len > PARALLEL_BLOCK ? c->ent.len : PARALLEL_BLOCK;
        if ((w->block = malloc(size)) == NULL)
            return PK_ENOMEM;
        import_huge(w->block, size);
        w->block_used = 0;
        w->block_size = size;
        c->new_block = w->block;
    }
    c->seg = w->block + w->block_used;
    memcpy(w->block + w->block_used, c->ent.data, c->ent.len);
    w->block_used += c->ent.len;
    return PK_OK;
}

/* worker_parse - parse one chunk into its buffers */

static void worker_parse(struct worker *w, struct import_parser *p)
{
    struct chunk *c = w->chunk;

    chunk_wipe(c);
    c->ent.len = 0;
    c->seg = NULL;
    c->new_block = NULL;
    p->data = c->data;
    p->len = c->len;
    p->pos = 0;
    p->line = 0;
    c->status = import_parser_run(p, w->par->format);
    c->lines = p->line;
    if (c->status == PK_OK && c->ent.len > 0)
        c->status = worker_keep(w, c);
}

/* next_chunk - hand out the next chunk, or NULL (lock held) */

static struct chunk *next_chunk(struct parallel *par)
{
    struct chunk *c;
    const char *nl;
    size_t end;

    while (!par->stop && par->next_pos < par->len &&
           par->next_index >= par->consumed + PARALLEL_SLOTS)
        pthread_cond_wait(&par->work, &par->lock);
    if (par->stop || par->next_pos >= par->len)
        return NULL;
    end = par->len - par->next_pos > PARALLEL_CHUNK
              ? par->next_pos + PARALLEL_CHUNK
              : par->len;
    if (end < par->len &&
        (nl = memchr(par->data + end, '\n', par->len - end)) != NULL)
        end = (size_t)(nl - par->data) + 1;
    else
        end = par->len;
    c = &par->slots[par->next_index % PARALLEL_SLOTS];
    c->index = par->next_index++;
    c->done = false;
    c->data = par->data + par->next_pos;
    c->len = end - par->next_pos;
    par->next_pos = end;
    return c;
}

/* worker_main - parse chunks until there are none, or the import stops */

static void *worker_main(void *ctx)
{
    struct worker *w = ctx;
    struct parallel *par = w->par;
    struct import_parser *p;
    const char *error;

    p = import_parser_new(NULL, 0, worker_item, w, &error, par->now);
    pthread_mutex_lock(&par->lock);
    while ((w->chunk = next_chunk(par)) != NULL) {
        pthread_mutex_unlock(&par->lock);
        if (p != NULL)
            worker_parse(w, p);
        else
            w->chunk->status = PK_ENOMEM; /* the import fails */
        pthread_mutex_lock(&par->lock);
        w->chunk->done = true;
        pthread_cond_broadcast(&par->done);
    }
    pthread_mutex_unlock(&par->lock);
    import_parser_free(&p);
    return NULL;
}

/* wait_chunk - chunk i once parsed; NULL past the end (lock not held) */

static struct chunk *wait_chunk(struct parallel *par, size_t i)
{
    struct chunk *c = &par->slots[i % PARALLEL_SLOTS];

    pthread_mutex_lock(&par->lock);
    while (!(c->index == i && c->done) &&
           !(par->next_pos >= par->len && i >= par->next_index))
        pthread_cond_wait(&par->done, &par->lock);
    if (c->index != i || !c->done)
        c = NULL;
    pthread_mutex_unlock(&par->lock);
    return c;
}

/* release_chunk - chunk i applied: its slot may take another */

static void release_chunk(struct parallel *par, struct chunk *c, bool stop)
{
    chunk_wipe(c);
    pthread_mutex_lock(&par->lock);
    par->consumed = c->index + 1;
    c->index = SIZE_MAX;
    c->done = false;
    if (stop)
        par->stop = true;
    pthread_cond_broadcast(&par->work);
    pthread_mutex_unlock(&par->lock);
}

/* apply_out - apply what a parsed chunk holds; base: lines before it.
 * The chunk's entry records become a segment of the import. */

static int apply_out(struct pk_import *imp, struct chunk *c, size_t base,
                     const char **error_r)
{
    const unsigned char *at = c->out.data, *end = at + c->out.len;
    struct out_head head;
    struct pk_item item;
    size_t seg = 0, off = 0;
    int status = PK_OK;

    if (c->new_block != NULL) {
        if (import_keep_block(imp, c->new_block) != PK_OK) {
            *error_r = pk_error("out of memory");
            return PK_ENOMEM;
        }
        c->new_block = NULL;
    }
    if (c->seg != NULL &&
        (seg = import_add_segment(imp, c->seg, c->ent.len, base)) == 0) {
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    while (status == PK_OK && at < end) {
        memcpy(&head, at, sizeof(head));
        at += sizeof(head);
        if (head.tag == OUT_ENTRY) {
            status = import_apply_record(imp, IMPORT_REF(seg, off), error_r);
            off += head.len;
            continue;
        }
        memcpy(&item, at, sizeof(item));
        if (item.type == PK_ITEM_DKIM)
            item.dkim.key = (char *)at + sizeof(item);
        status = import_apply_item(imp, &item, base + head.line, error_r);
        pk_wipe(&item, sizeof(item));
        at += head.len;
    }
    return status;
}

/* apply_serial - parse input here, applying each item as the serial
 * parse does; base: the lines before it, then the lines after it */

static int apply_serial(struct pk_import *imp, enum pk_format format,
                        const char *data, size_t len, uint64_t now,
                        size_t *base, const char **error_r)
{
    struct import_parser *p;
    int status;

    if ((p = import_parser_new(data, len, import_apply_fn, imp, error_r,
                               now)) == NULL) {
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    p->line = *base;
    status = import_parser_run(p, format);
    *base = p->line;
    import_parser_free(&p);
    return status;
}

/* merge - apply the chunks in input order */

static int merge(struct pk_import *imp, struct parallel *par,
                 const char **error_r)
{
    struct chunk *c;
    size_t base = 0;
    int status = PK_OK;

    for (size_t i = 0; status == PK_OK && (c = wait_chunk(par, i)) != NULL;
         i++) {
        if (c->status == PK_OK) {
            status = apply_out(imp, c, base, error_r);
            base += c->lines;
        } else if (c->status == PK_ENOMEM) {
            *error_r = pk_error("out of memory");
            status = PK_ENOMEM;
        } else if ((status = apply_serial(imp, par->format, c->data, c->len,
                                          par->now, &base, error_r)) == PK_OK) {
            /* The same parser read the same lines differently. */
            *error_r = pk_error("line %zu: the import parsed differently "
                                "on a second pass",
                                base);
            status = PK_EINVAL;
        }
        release_chunk(par, c, status != PK_OK);
    }
    return status;
}

/* import_parallel - parse on worker threads, apply here */

int import_parallel(struct pk_import *imp, enum pk_format format,
                    const char *data, size_t len, const char **error_r)
{
    struct parallel *par;
    struct worker workers[PARALLEL_WORKERS_MAX] = {0};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t base = 0;
    int nworkers = 0, status;

    if ((par = calloc(1, sizeof(*par))) == NULL) {
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    par->format = format;
    par->data = data;
    par->len = len;
    par->now = (uint64_t)time(NULL);
    for (int i = 0; i < PARALLEL_SLOTS; i++)
        par->slots[i].index = SIZE_MAX;
    pthread_mutex_init(&par->lock, NULL);
    pthread_cond_init(&par->work, NULL);
    pthread_cond_init(&par->done, NULL);
    for (int i = 0; i < PARALLEL_WORKERS_MAX && i < cpus; i++) {
        workers[nworkers].par = par;
        if (pthread_create(&workers[nworkers].thread, NULL, worker_main,
                           &workers[nworkers]) == 0)
            nworkers++;
    }
    if (nworkers > 0)
        status = merge(imp, par, error_r);
    else
        status = apply_serial(imp, format, data, len, par->now, &base, error_r);
    pthread_mutex_lock(&par->lock);
    par->stop = true;
    pthread_cond_broadcast(&par->work);
    pthread_mutex_unlock(&par->lock);
    for (int i = 0; i < nworkers; i++) {
        pthread_join(workers[i].thread, NULL);
        if (workers[i].buf.data != NULL)
            pk_wipe(workers[i].buf.data, workers[i].buf.size);
        pk_buf_free(&workers[i].buf);
    }
    for (int i = 0; i < PARALLEL_SLOTS; i++) {
        chunk_wipe(&par->slots[i]);
        free(par->slots[i].out.data);
        free(par->slots[i].ent.data);
        free(par->slots[i].new_block); /* never taken */
    }
    pthread_cond_destroy(&par->done);
    pthread_cond_destroy(&par->work);
    pthread_mutex_destroy(&par->lock);
    free(par);
    return status;
}
