/*++
/* NAME
/*	changelog 3
/* SUMMARY
/*	the append-only change log
/* SYNOPSIS
/*	#include "changelog.h"
/* DESCRIPTION
/*	See changelog.h. Keys are 64-bit sequence numbers, big-endian so
/*	that LMDB's byte order is numeric order and appends go to the end
/*	of the tree (MDB_APPEND).
/*--*/

#include <string.h>
#include <time.h>

#include "changelog.h"

/* seq_encode - big-endian key */

static void seq_encode(uint64_t seq, unsigned char key[8])
{
    for (int i = 7; i >= 0; i--, seq >>= 8)
        key[i] = (unsigned char)seq;
}

/* seq_decode - big-endian key */

static uint64_t seq_decode(const unsigned char key[8])
{
    uint64_t seq = 0;

    for (int i = 0; i < 8; i++)
        seq = (seq << 8) | key[i];
    return seq;
}

/* pk_changelog_last - the newest sequence number, 0 if none */

int pk_changelog_last(struct pk_txn *txn, uint64_t *seq_r, const char **error_r)
{
    const void *key;
    size_t klen;
    int status;

    *seq_r = 0;
    status = pk_txn_last(txn, PK_DB_LOG, &key, &klen, error_r);
    if (status == PK_NOTFOUND)
        return PK_OK;
    if (status != PK_OK)
        return status;
    if (klen != 8) {
        *error_r = pk_error("change log key of %zu bytes", klen);
        return PK_ECORRUPT;
    }
    *seq_r = seq_decode(key);
    return PK_OK;
}

/* pk_changelog_append - record one change in the current transaction */

int pk_changelog_append(struct pk_txn *txn, const char *op, const char *subject,
                        const char *detail, const char **error_r)
{
    struct pk_logrec rec;
    struct pk_buf buf = {0};
    struct timespec ts;
    unsigned char key[8];
    uint64_t seq;
    int status;

    if ((status = pk_changelog_last(txn, &seq, error_r)) != PK_OK)
        return status;
    clock_gettime(CLOCK_REALTIME, &ts);
    rec.time_us = (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    rec.actor = (char *)pk_txn_actor(txn);
    rec.op = (char *)op;
    rec.subject = (char *)subject;
    rec.detail = (char *)(detail ? detail : "");
    seq_encode(seq + 1, key);
    if ((status = pk_record_encode_log(&rec, &buf)) == PK_OK)
        status = pk_txn_put(txn, PK_DB_LOG, key, 8, buf.data, buf.len,
                            PK_PUT_APPEND, error_r);
    pk_buf_free(&buf);
    return status;
}

/* pk_changelog_iter - walk the log from a sequence number */

int pk_changelog_iter(struct pk_txn *txn, uint64_t since,
                      pk_changelog_iter_fn *fn, void *ctx, const char **error_r)
{
    struct pk_cursor *cur;
    struct pk_logrec rec;
    const void *key, *val;
    size_t klen, vlen;
    int status;

    if ((status = pk_cursor_open(txn, PK_DB_LOG, NULL, 0, &cur, error_r)) !=
        PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        uint64_t seq;

        if (klen != 8) {
            *error_r = pk_error("change log key of %zu bytes", klen);
            status = PK_ECORRUPT;
            break;
        }
        if ((seq = seq_decode(key)) < since)
            continue;
        if ((status = pk_record_decode_log(val, vlen, &rec)) != PK_OK) {
            *error_r = pk_error("change log entry %llu does not decode",
                                (unsigned long long)seq);
            break;
        }
        status = fn(seq, &rec, ctx);
        pk_logrec_free(&rec);
        if (status != 0)
            break;
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}
