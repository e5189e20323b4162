/*++
/* NAME
/*	fuzz-record 1
/* SUMMARY
/*	libFuzzer target for the record decoders (common/record.c)
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds] record
/* DESCRIPTION
/*	Feeds each input to pk_record_decode_entry(),
/*	pk_record_decode_domain() and pk_record_decode_log(). The
/*	decoders accept exactly what an encoder writes, so whatever one
/*	accepts must encode back to the very same bytes, and those bytes
/*	must decode to the same record again. A refusal must be
/*	PK_ECORRUPT, PK_EVERSION or PK_ENOMEM. Any other outcome aborts.
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check - abort on a broken invariant */

static void check(int ok)
{
    if (!ok)
        abort();
}

/* check_refusal - only the documented refusals */

static void check_refusal(int status)
{
    check(status == PK_ECORRUPT || status == PK_EVERSION ||
          status == PK_ENOMEM);
}

/* check_bytes - an encoding is exactly the input */

static void check_bytes(const struct pk_buf *buf, const uint8_t *data,
                        size_t size)
{
    check(buf->len == size &&
          (size == 0 || memcmp(buf->data, data, size) == 0));
}

/* same_list - two string lists hold the same strings */

static void same_list(const struct pk_strlist *a, const struct pk_strlist *b)
{
    check(a->count == b->count);
    for (size_t i = 0; i < a->count; i++)
        check(strcmp(a->items[i], b->items[i]) == 0);
}

/* fuzz_entry - accounts and aliases */

static void fuzz_entry(const uint8_t *data, size_t size)
{
    struct pk_entry ent, back;
    struct pk_buf buf = {0};
    int status = pk_record_decode_entry(data, size, &ent);

    if (status != PK_OK) {
        check_refusal(status);
        return;
    }
    check(pk_record_encode_entry(&ent, &buf) == PK_OK);
    check_bytes(&buf, data, size);
    check(pk_record_decode_entry(buf.data, buf.len, &back) == PK_OK);
    check(back.type == ent.type);
    if (ent.type == PK_REC_ACCOUNT) {
        check(back.u.account.state == ent.u.account.state);
        check(back.u.account.quota == ent.u.account.quota);
        check(strcmp(back.u.account.password, ent.u.account.password) == 0);
        check(back.u.account.keep_copy == ent.u.account.keep_copy);
        check(back.u.account.created == ent.u.account.created);
        check(back.u.account.changed == ent.u.account.changed);
        same_list(&back.u.account.forward, &ent.u.account.forward);
    } else {
        check(ent.type == PK_REC_ALIAS && ent.u.alias.dest.count > 0);
        check(back.u.alias.created == ent.u.alias.created);
        check(back.u.alias.changed == ent.u.alias.changed);
        same_list(&back.u.alias.dest, &ent.u.alias.dest);
    }
    pk_entry_free(&back);
    pk_entry_free(&ent);
    pk_buf_free(&buf);
}

/* fuzz_domain - domain records */

static void fuzz_domain(const uint8_t *data, size_t size)
{
    struct pk_domain dom, back;
    struct pk_buf buf = {0};
    int status = pk_record_decode_domain(data, size, &dom);

    if (status != PK_OK) {
        check_refusal(status);
        return;
    }
    check(dom.kind == PK_DOMAIN_HOSTED || dom.kind == PK_DOMAIN_ALIAS);
    check(pk_record_encode_domain(&dom, &buf) == PK_OK);
    check_bytes(&buf, data, size);
    check(pk_record_decode_domain(buf.data, buf.len, &back) == PK_OK);
    check(back.kind == dom.kind && strcmp(back.target, dom.target) == 0);
    check(back.default_quota == dom.default_quota &&
          back.created == dom.created);
    pk_buf_free(&buf);
}

/* fuzz_log - change log records */

static void fuzz_log(const uint8_t *data, size_t size)
{
    struct pk_logrec rec, back;
    struct pk_buf buf = {0};
    int status = pk_record_decode_log(data, size, &rec);

    if (status != PK_OK) {
        check_refusal(status);
        return;
    }
    check(pk_record_encode_log(&rec, &buf) == PK_OK);
    check_bytes(&buf, data, size);
    check(pk_record_decode_log(buf.data, buf.len, &back) == PK_OK);
    check(back.time_us == rec.time_us);
    check(strcmp(back.actor, rec.actor) == 0 && strcmp(back.op, rec.op) == 0);
    check(strcmp(back.subject, rec.subject) == 0);
    check(strcmp(back.detail, rec.detail) == 0);
    pk_logrec_free(&back);
    pk_logrec_free(&rec);
    pk_buf_free(&buf);
}

/* LLVMFuzzerTestOneInput - one input, every decoder */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_entry(data, size);
    fuzz_domain(data, size);
    fuzz_log(data, size);
    return 0;
}
