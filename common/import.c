/*++
/* NAME
/*	import 3
/* SUMMARY
/*	parse import files: JSON lines, Dovecot passwd-file, Postfix virtual
/* SYNOPSIS
/*	#include "import.h"
/*
/*	int	pk_format_parse(const char *name, enum pk_format *format_r)
/*
/*	int	pk_import_parse(enum pk_format format, const char *data,
/*			size_t len, pk_item_fn *fn, void *ctx,
/*			const char **error_r)
/*
/*	void	pk_item_free(struct pk_item *item)
/* DESCRIPTION
/*	pk_format_parse() knows the names "jsonl" (also "json"),
/*	"dovecot-passwd" and "postfix-virtual".
/*
/*	pk_import_parse() splits the input into items and calls fn once
/*	per item with the number of the line the item started on. It
/*	touches no database. Every address and domain is normalized with
/*	pk_addr_parse() and every destination with pk_dest_normalize(), so
/*	fn sees canonical names only; every hash has passed
/*	pk_password_check_hash(). Timestamps the input does not give are
/*	the time of the parse. The item and its lists belong to the parser
/*	and are valid during the call only: fn must copy what it keeps and
/*	must not free them. A non-zero answer from fn stops the parse and
/*	is returned, with fn's message.
/*
/*	Blank lines are skipped in every format. The formats themselves:
/*	import-jsonl.c (JSON lines) and import-text.c (Dovecot passwd-file,
/*	Postfix virtual).
/*
/*	pk_item_free() releases the lists of an item a caller built itself
/*	with pk_strlist_add(), for pk_import_apply().
/* DIAGNOSTICS
/*	PK_EINVAL with "line N: what is wrong"; PK_ENOMEM.
/* SECURITY
/*	The input is untrusted. A line is bounded (IMPORT_LINE_MAX), a NUL
/*	byte anywhere is refused, every string is bounded before it is
/*	copied, and messages quote at most a sanitized excerpt of a name,
/*	never a password hash.
/*--*/

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "alias.h"
#include "import-int.h"
#include "password.h"

static const struct {
    const char *name;
    enum pk_format format;
} import_formats[] = {
    {"jsonl", PK_FORMAT_JSONL},
    {"json", PK_FORMAT_JSONL},
    {"dovecot-passwd", PK_FORMAT_DOVECOT_PASSWD},
    {"postfix-virtual", PK_FORMAT_POSTFIX_VIRTUAL},
};

/* pk_format_parse - a format by name */

int pk_format_parse(const char *name, enum pk_format *format_r)
{
    for (size_t i = 0; i < sizeof(import_formats) / sizeof(import_formats[0]);
         i++) {
        if (strcmp(name, import_formats[i].name) == 0) {
            *format_r = import_formats[i].format;
            return PK_OK;
        }
    }
    return PK_EINVAL;
}

/* pk_format_name - the canonical name of a format */

const char *pk_format_name(enum pk_format format)
{
    switch (format) {
    case PK_FORMAT_JSONL:
        return "jsonl";
    case PK_FORMAT_DOVECOT_PASSWD:
        return "dovecot-passwd";
    case PK_FORMAT_POSTFIX_VIRTUAL:
        return "postfix-virtual";
    }
    return "unknown";
}

/* pk_item_free - release the lists of a caller-built item */

void pk_item_free(struct pk_item *item)
{
    pk_entry_free(&item->entry);
}

/* import_fail - "line N: ..." into error_r */

int import_fail(struct import_parser *p, const char *fmt, ...)
{
    char buf[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    *p->error_r = pk_error("line %zu: %s", p->line, buf);
    return PK_EINVAL;
}

/* import_sanitize - a short, printable excerpt of untrusted text */

const char *import_sanitize(const char *in, size_t len,
                            char out[IMPORT_QUOTE_BUF])
{
    size_t n = len < IMPORT_QUOTE_MAX ? len : IMPORT_QUOTE_MAX, i;

    for (i = 0; i < n; i++) {
        unsigned char c = in[i];

        out[i] = c > 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?';
    }
    if (n < len)
        memcpy(out + i, "...", 3), i += 3;
    out[i] = 0;
    return out;
}

/* import_addr - normalize an address from the input */

int import_addr(struct import_parser *p, const char *what, const char *text,
                unsigned flags, char out[PK_ADDR_MAX + 1])
{
    struct pk_addr addr;
    const char *error;
    int status;

    if ((status = pk_addr_parse(text, flags & ~IMPORT_HOSTED, &addr, &error)) !=
            PK_OK ||
        ((flags & IMPORT_HOSTED) &&
         (status = pk_addr_check_hosted(&addr, &error)) != PK_OK)) {
        if (status == PK_ENOMEM)
            return status;
        return import_fail(p, "%s: %s", what, error);
    }
    pk_addr_format(&addr, out);
    return PK_OK;
}

/* import_domain - normalize a domain from the input */

int import_domain(struct import_parser *p, const char *what, const char *text,
                  char out[PK_DOMAIN_MAX + 1])
{
    const char *error;
    int status;

    if ((status = pk_addr_parse_domain(text, out, &error)) != PK_OK) {
        if (status == PK_ENOMEM)
            return status;
        return import_fail(p, "%s: %s", what, error);
    }
    return PK_OK;
}

/* import_hash - check a password scheme string, never quoting it */

int import_hash(struct import_parser *p, const char *hash,
                char out[PK_HASH_MAX + 1])
{
    const char *error;
    size_t len = strlen(hash);
    int status;

    if (len == 0)
        return import_fail(p, "the password is empty");
    if (len > PK_HASH_MAX)
        return import_fail(p, "the password hash is longer than %d octets",
                           PK_HASH_MAX);
    /* The checker's messages name at most the scheme, never the hash. */
    if ((status = pk_password_check_hash(hash, &error)) != PK_OK) {
        if (status == PK_ENOMEM)
            return status;
        return import_fail(p, "password: %s", error);
    }
    memcpy(out, hash, len + 1);
    return PK_OK;
}

/* import_dest - normalize a destination and add it to a list, once */

int import_dest(struct import_parser *p, const char *self, const char *text,
                struct pk_strlist *list, bool *self_r)
{
    char norm[PK_ADDR_MAX + 1];
    const char *error;
    int status;

    if ((status = pk_dest_normalize(text, norm, &error)) != PK_OK) {
        if (status == PK_ENOMEM)
            return status;
        return import_fail(p, "destination: %s", error);
    }
    if (strcmp(norm, self) == 0) {
        if (self_r == NULL)
            return import_fail(p, "%s cannot deliver to itself", self);
        *self_r = true;
        return PK_OK;
    }
    /* Like pk_alias_add(): a repeated destination is listed once. */
    if (pk_strlist_has(list, norm))
        return PK_OK;
    if (list->count >= PK_DEST_MAX)
        return import_fail(p, "more than %d destinations", PK_DEST_MAX);
    list->items = p->dest_ptrs;
    memcpy(p->dest_pool[list->count], norm, sizeof(norm));
    list->items[list->count] = p->dest_pool[list->count];
    list->count++;
    return PK_OK;
}

/* import_item_reset - an empty item of a type, timestamps "now" */

void import_item_reset(struct import_parser *p, enum pk_item_type type)
{
    struct pk_item *item = &p->item;

    memset(item, 0, sizeof(*item));
    item->type = type;
    item->domain.created = p->now;
    item->dkim.created = p->now;
    if (type == PK_ITEM_ACCOUNT) {
        item->entry.type = PK_REC_ACCOUNT;
        item->entry.u.account.state = PK_STATE_ACTIVE;
        item->entry.u.account.quota = PK_QUOTA_DOMAIN;
        item->entry.u.account.created = p->now;
        item->entry.u.account.changed = p->now;
    } else if (type == PK_ITEM_ALIAS) {
        item->entry.type = PK_REC_ALIAS;
        item->entry.u.alias.created = p->now;
        item->entry.u.alias.changed = p->now;
    }
}

/* import_emit - hand the current item to the caller */

int import_emit(struct import_parser *p)
{
    return p->fn(&p->item, p->item_line, p->ctx, p->error_r);
}

/* import_next_line - the next physical line; false at the end */

bool import_next_line(struct import_parser *p, const char **line_r,
                      size_t *len_r)
{
    const char *start, *nl;
    size_t len;

    if (p->pos >= p->len)
        return false;
    start = p->data + p->pos;
    nl = memchr(start, '\n', p->len - p->pos);
    len = nl ? (size_t)(nl - start) : p->len - p->pos;
    p->pos += len + (nl != NULL);
    p->line++;
    if (len > 0 && start[len - 1] == '\r')
        len--;
    *line_r = start;
    *len_r = len;
    return true;
}

/* import_text_add - append to the line buffer, NUL-terminated */

int import_text_add(struct import_parser *p, const char *s, size_t len)
{
    size_t size;
    char *text;

    if (p->text_len + len > IMPORT_LINE_MAX)
        return import_fail(p, "the line is longer than %d octets",
                           IMPORT_LINE_MAX);
    if (p->text_len + len + 1 + IMPORT_TEXT_PAD > p->text_size) {
        for (size = p->text_size ? p->text_size : 1024;
             size < p->text_len + len + 1 + IMPORT_TEXT_PAD;)
            size *= 2;
        if ((text = realloc(p->text, size)) == NULL)
            return PK_ENOMEM;
        p->text = text;
        p->text_size = size;
    }
    memcpy(p->text + p->text_len, s, len);
    p->text_len += len;
    /* The NUL, then zeros that a scanner may read a word at a time. */
    memset(p->text + p->text_len, 0, 1 + IMPORT_TEXT_PAD);
    return PK_OK;
}

/* import_pem - keep a copy of a DKIM key's text for the item */

int import_pem(struct import_parser *p, const char *text)
{
    size_t len = strlen(text);
    char *pem;

    if (len + 1 > p->pem_size) {
        if ((pem = malloc(len + 1)) == NULL)
            return PK_ENOMEM;
        if (p->pem != NULL)
            pk_wipe(p->pem, p->pem_size);
        free(p->pem);
        p->pem = pem;
        p->pem_size = len + 1;
    }
    memcpy(p->pem, text, len + 1);
    return PK_OK;
}

/* import_indent - octets of leading blanks (the line has no NUL) */

size_t import_indent(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
        /* void */;
    return i;
}

/* import_blank - only white space */

bool import_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* import_parser_new - a parser over an input; NULL without memory */

struct import_parser *import_parser_new(const char *data, size_t len,
                                        pk_item_fn *fn, void *ctx,
                                        const char **error_r, uint64_t now)
{
    struct import_parser *p;

    if ((p = calloc(1, sizeof(*p))) == NULL ||
        (p->dest_pool = malloc(PK_DEST_MAX * sizeof(*p->dest_pool))) == NULL ||
        (p->dest_ptrs = malloc(PK_DEST_MAX * sizeof(*p->dest_ptrs))) == NULL) {
        if (p != NULL)
            free(p->dest_pool);
        free(p);
        return NULL;
    }
    p->data = data;
    p->len = len;
    p->fn = fn;
    p->ctx = ctx;
    p->error_r = error_r;
    p->now = now;
    return p;
}

/* import_parser_free - wipe and release a parser */

void import_parser_free(struct import_parser **pp)
{
    struct import_parser *p = *pp;

    if (p == NULL)
        return;
    import_virtual_free(p);
    pk_wipe(&p->item, sizeof(p->item));
    if (p->text != NULL)
        pk_wipe(p->text, p->text_size);
    free(p->text);
    if (p->pem != NULL)
        pk_wipe(p->pem, p->pem_size);
    free(p->pem);
    free(p->dest_pool);
    free(p->dest_ptrs);
    free(p);
    *pp = NULL;
}

/* import_parser_run - parse the parser's input in one format */

int import_parser_run(struct import_parser *p, enum pk_format format)
{
    int status;

    switch (format) {
    case PK_FORMAT_JSONL:
        status = import_jsonl_parse(p);
        break;
    case PK_FORMAT_DOVECOT_PASSWD:
        status = import_dovecot_parse(p);
        break;
    case PK_FORMAT_POSTFIX_VIRTUAL:
        status = import_virtual_parse(p);
        break;
    default:
        *p->error_r = pk_error("unknown import format %d", (int)format);
        status = PK_EINVAL;
        break;
    }
    if (status == PK_ENOMEM)
        *p->error_r = pk_error("out of memory");
    return status;
}

/* pk_import_parse - call fn for each item of the input */

int pk_import_parse(enum pk_format format, const char *data, size_t len,
                    pk_item_fn *fn, void *ctx, const char **error_r)
{
    struct import_parser *p;
    int status;

    if ((p = import_parser_new(data, len, fn, ctx, error_r,
                               (uint64_t)time(NULL))) == NULL) {
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    status = import_parser_run(p, format);
    import_parser_free(&p);
    return status;
}
