/*++
/* NAME
/*	fuzz-import 3h
/* SUMMARY
/*	what every import parser must guarantee, for the fuzz targets
/* SYNOPSIS
/*	#include "fuzz-import.h"
/*
/*	int	fuzz_import(enum pk_format format, const uint8_t *data,
/*			size_t size)
/* DESCRIPTION
/*	fuzz_import() runs pk_import_parse() over the input and checks
/*	each item it hands out, aborting (so libFuzzer keeps the input) on
/*	a broken invariant:
/* .IP \(bu
/*	line numbers start at 1, never go back, and name a line of the
/*	input;
/* .IP \(bu
/*	every name is canonical: parsing it again gives the same text;
/* .IP \(bu
/*	an account's hash passes pk_password_check_hash(), its state is
/*	known, keep_copy implies forwarding;
/* .IP \(bu
/*	destination lists are canonical, bounded, free of duplicates and
/*	of the entry itself; an alias has at least one;
/* .IP \(bu
/*	the entry encodes, and decodes to the same record.
/* .PP
/*	A refused input must say "line N: " with N a line of the input.
/*--*/

#ifndef FUZZ_IMPORT_H
#define FUZZ_IMPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dkim.h"
#include "import.h"
#include "password.h"
#include "record.h"

struct fuzz_state {
    size_t lines; /* physical lines in the input */
    size_t last;  /* line of the previous item */
};

/* fuzz_check - abort on a broken invariant */

static void fuzz_check(int ok)
{
    if (!ok)
        abort();
}

/* fuzz_canonical - a name parses back to itself */

static void fuzz_canonical(const char *text, int domain, unsigned flags)
{
    struct pk_addr addr;
    char norm[PK_ADDR_MAX + 1];
    const char *error;

    fuzz_check(memchr(text, 0, PK_ADDR_MAX + 1) != NULL);
    if (domain) {
        fuzz_check(pk_addr_parse_domain(text, norm, &error) == PK_OK);
    } else {
        fuzz_check(pk_addr_parse(text, flags, &addr, &error) == PK_OK);
        pk_addr_format(&addr, norm);
    }
    fuzz_check(strcmp(norm, text) == 0);
}

/* fuzz_list - destinations: canonical, unique, bounded, not self */

static void fuzz_list(const struct pk_strlist *list, const char *self)
{
    fuzz_check(list->count <= PK_DEST_MAX);
    for (size_t i = 0; i < list->count; i++) {
        fuzz_canonical(list->items[i], 0, 0);
        fuzz_check(strcmp(list->items[i], self) != 0);
        for (size_t j = 0; j < i; j++)
            fuzz_check(strcmp(list->items[i], list->items[j]) != 0);
    }
}

/* fuzz_same_list - two lists hold the same strings in order */

static void fuzz_same_list(const struct pk_strlist *a,
                           const struct pk_strlist *b)
{
    fuzz_check(a->count == b->count);
    for (size_t i = 0; i < a->count; i++)
        fuzz_check(strcmp(a->items[i], b->items[i]) == 0);
}

/* fuzz_roundtrip - the entry encodes and decodes to itself */

static void fuzz_roundtrip(const struct pk_entry *ent)
{
    struct pk_buf buf = {0};
    struct pk_entry back;

    fuzz_check(pk_record_encode_entry(ent, &buf) == PK_OK);
    fuzz_check(pk_record_decode_entry(buf.data, buf.len, &back) == PK_OK);
    fuzz_check(back.type == ent->type);
    if (ent->type == PK_REC_ACCOUNT) {
        fuzz_check(back.u.account.state == ent->u.account.state);
        fuzz_check(back.u.account.quota == ent->u.account.quota);
        fuzz_check(strcmp(back.u.account.password, ent->u.account.password) ==
                   0);
        fuzz_same_list(&back.u.account.forward, &ent->u.account.forward);
    } else {
        fuzz_same_list(&back.u.alias.dest, &ent->u.alias.dest);
    }
    pk_entry_free(&back);
    pk_buf_free(&buf);
}

/* fuzz_item - the parser's callback: check one item */

static int fuzz_item(const struct pk_item *item, size_t line, void *ctx,
                     const char **error_r)
{
    struct fuzz_state *st = ctx;
    const struct pk_account *acc = &item->entry.u.account;
    const char *error;

    (void)error_r;
    fuzz_check(line >= 1 && line >= st->last && line <= st->lines);
    st->last = line;
    switch (item->type) {
    case PK_ITEM_DOMAIN:
    case PK_ITEM_DOMAIN_ALIAS:
        fuzz_canonical(item->name, 1, 0);
        if (item->type == PK_ITEM_DOMAIN_ALIAS) {
            fuzz_check(item->domain.kind == PK_DOMAIN_ALIAS);
            fuzz_canonical(item->domain.target, 1, 0);
            fuzz_check(strcmp(item->name, item->domain.target) != 0);
        }
        break;
    case PK_ITEM_ACCOUNT:
        fuzz_check(item->entry.type == PK_REC_ACCOUNT);
        fuzz_canonical(item->name, 0, 0);
        fuzz_check(pk_password_check_hash(acc->password, &error) == PK_OK);
        fuzz_check((unsigned)acc->state <= PK_STATE_DISABLED);
        fuzz_check(!acc->keep_copy || acc->forward.count > 0);
        fuzz_list(&acc->forward, item->name);
        fuzz_roundtrip(&item->entry);
        break;
    case PK_ITEM_ALIAS:
        fuzz_check(item->entry.type == PK_REC_ALIAS);
        fuzz_canonical(item->name, 0, PK_ADDR_CATCHALL);
        fuzz_check(item->entry.u.alias.dest.count >= 1);
        fuzz_list(&item->entry.u.alias.dest, item->name);
        fuzz_roundtrip(&item->entry);
        break;
    case PK_ITEM_SENDAS:
        fuzz_canonical(item->name, 0, 0);
        fuzz_canonical(item->target, 0, PK_ADDR_CATCHALL);
        break;
    case PK_ITEM_DKIM:
        fuzz_canonical(item->name, 1, 0);
        fuzz_check(pk_dkim_selector_ok(item->target));
        fuzz_check(item->dkim.key != NULL && item->dkim.key[0] != 0);
        fuzz_check(item->dkim.alg == PK_DKIM_RSA_SHA256 ||
                   item->dkim.alg == PK_DKIM_ED25519_SHA256);
        break;
    case PK_ITEM_RATELIMIT:
        fuzz_check(item->scope == PK_RATELIMIT_ACCOUNT ||
                   item->scope == PK_RATELIMIT_DOMAIN);
        if (item->name[0] != 0)
            fuzz_canonical(item->name, item->scope == PK_RATELIMIT_DOMAIN, 0);
        fuzz_check(item->limit.window >= 1 &&
                   item->limit.window <= PK_RATELIMIT_WINDOW_MAX);
        break;
    default:
        fuzz_check(0);
    }
    return PK_OK;
}

/* fuzz_import - parse one input and check what comes out */

static int fuzz_import(enum pk_format format, const uint8_t *data, size_t size)
{
    struct fuzz_state st = {1, 0};
    const char *error = NULL;
    size_t n;
    int status;

    for (size_t i = 0; i < size; i++)
        st.lines += data[i] == '\n';
    status = pk_import_parse(format, (const char *)data, size, fuzz_item, &st,
                             &error);
    if (status == PK_EINVAL) {
        fuzz_check(error != NULL && sscanf(error, "line %zu: ", &n) == 1);
        fuzz_check(n >= 1 && n <= st.lines);
    } else {
        fuzz_check(status == PK_OK || status == PK_ENOMEM);
    }
    return 0;
}

#endif
