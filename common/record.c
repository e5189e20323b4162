/*++
/* NAME
/*	record 3
/* SUMMARY
/*	encode and decode stored values
/* SYNOPSIS
/*	#include "record.h"
/* DESCRIPTION
/*	The encoding is specified in record.h. Encoders append to a
/*	pk_buf; decoders read through a bounds-checked cursor and refuse
/*	anything that is not exactly what an encoder of a known version
/*	writes.
/* DIAGNOSTICS
/*	PK_ECORRUPT for a malformed value, PK_EVERSION for a newer record
/*	version, PK_ENOMEM when memory runs out.
/* SECURITY
/*	Values are read from a file other processes may have written; every
/*	length is checked against what remains before it is used.
/*--*/

#include <stdlib.h>
#include <string.h>

#include "record.h"

#define PK_REC_VERSION 1
#define PK_ALIAS_VERSION 2  /* hints */
#define PK_DOMAIN_VERSION 2 /* flags */

/* A read cursor over one value. */
struct pk_rbuf {
    const unsigned char *p;
    size_t left;
    int status; /* PK_OK until something fails */
};

/* pk_buf_reserve - make room for len more bytes */

static bool pk_buf_reserve(struct pk_buf *buf, size_t len)
{
    size_t size;
    unsigned char *data;

    if (buf->failed)
        return false;
    if (buf->len + len <= buf->size)
        return true;
    size = buf->size ? buf->size : 256;
    while (size < buf->len + len)
        size *= 2;
    if ((data = realloc(buf->data, size)) == NULL) {
        buf->failed = true;
        return false;
    }
    buf->data = data;
    buf->size = size;
    return true;
}

/* pk_buf_put - append bytes */

static void pk_buf_put(struct pk_buf *buf, const void *data, size_t len)
{
    if (len > 0 && pk_buf_reserve(buf, len)) {
        memcpy(buf->data + buf->len, data, len);
        buf->len += len;
    }
}

/* pk_buf_free - release a buffer */

void pk_buf_free(struct pk_buf *buf)
{
    free(buf->data);
    memset(buf, 0, sizeof(*buf));
}

/* put_uint - append a little-endian integer of n bytes */

static void put_uint(struct pk_buf *buf, uint64_t val, int n)
{
    unsigned char b[8];

    for (int i = 0; i < n; i++)
        b[i] = (unsigned char)(val >> (8 * i));
    pk_buf_put(buf, b, n);
}

/* put_str - append a length-prefixed string */

static void put_str(struct pk_buf *buf, const char *str)
{
    size_t len = str ? strlen(str) : 0;

    if (len > UINT16_MAX) {
        buf->failed = true;
        return;
    }
    put_uint(buf, len, 2);
    pk_buf_put(buf, str, len);
}

/* put_list - append a counted list of strings */

static void put_list(struct pk_buf *buf, const struct pk_strlist *list)
{
    if (list->count > UINT16_MAX) {
        buf->failed = true;
        return;
    }
    put_uint(buf, list->count, 2);
    for (size_t i = 0; i < list->count; i++)
        put_str(buf, list->items[i]);
}

/* put_header - record type and version */

static void put_header(struct pk_buf *buf, int type, int version)
{
    buf->len = 0;
    buf->failed = false;
    put_uint(buf, type, 1);
    put_uint(buf, version, 1);
}

/* put_hints - a count, then one octet per destination */

static void put_hints(struct pk_buf *buf, const struct pk_alias *ali)
{
    put_uint(buf, ali->dest.count, 2);
    pk_buf_put(buf, ali->hints, ali->dest.count);
}

/* encode_status - the status of an encoder */

static int encode_status(const struct pk_buf *buf)
{
    return buf->failed ? PK_ENOMEM : PK_OK;
}

/* get_uint - read a little-endian integer of n bytes */

static uint64_t get_uint(struct pk_rbuf *rb, int n)
{
    uint64_t val = 0;

    /* Keep the first failure: a newer version stays PK_EVERSION. */
    if (rb->status != PK_OK)
        return 0;
    if (rb->left < (size_t)n) {
        rb->status = PK_ECORRUPT;
        return 0;
    }
    for (int i = 0; i < n; i++)
        val |= (uint64_t)rb->p[i] << (8 * i);
    rb->p += n;
    rb->left -= n;
    return val;
}

/* get_str_into - read a string into a fixed buffer */

static void get_str_into(struct pk_rbuf *rb, char *out, size_t size)
{
    size_t len = get_uint(rb, 2);

    if (rb->status != PK_OK)
        return;
    if (len >= size || len > rb->left || memchr(rb->p, 0, len) != NULL) {
        rb->status = PK_ECORRUPT;
        return;
    }
    memcpy(out, rb->p, len);
    out[len] = 0;
    rb->p += len;
    rb->left -= len;
}

/* get_str - read a string into new memory */

static char *get_str(struct pk_rbuf *rb)
{
    size_t len = get_uint(rb, 2);
    char *str;

    if (rb->status != PK_OK)
        return NULL;
    if (len > rb->left || memchr(rb->p, 0, len) != NULL) {
        rb->status = PK_ECORRUPT;
        return NULL;
    }
    if ((str = malloc(len + 1)) == NULL) {
        rb->status = PK_ENOMEM;
        return NULL;
    }
    memcpy(str, rb->p, len);
    str[len] = 0;
    rb->p += len;
    rb->left -= len;
    return str;
}

/* get_list - read a counted list of strings */

static void get_list(struct pk_rbuf *rb, struct pk_strlist *list)
{
    size_t count = get_uint(rb, 2);

    memset(list, 0, sizeof(*list));
    if (rb->status != PK_OK)
        return;
    /* Each string needs at least its two length bytes. */
    if (count > rb->left / 2) {
        rb->status = PK_ECORRUPT;
        return;
    }
    if (count > 0 && (list->items = calloc(count, sizeof(char *))) == NULL) {
        rb->status = PK_ENOMEM;
        return;
    }
    for (size_t i = 0; i < count && rb->status == PK_OK; i++) {
        if ((list->items[i] = get_str(rb)) != NULL)
            list->count++;
    }
}

/* get_header - check record type and version */

static void get_header(struct pk_rbuf *rb, const void *data, size_t len,
                       int type)
{
    uint64_t got_type, version;
    uint64_t newest = type == PK_REC_ALIAS    ? PK_ALIAS_VERSION
                      : type == PK_REC_DOMAIN ? PK_DOMAIN_VERSION
                                              : PK_REC_VERSION;

    rb->p = data;
    rb->left = len;
    rb->status = PK_OK;
    got_type = get_uint(rb, 1);
    version = get_uint(rb, 1);
    if (rb->status != PK_OK)
        return;
    if (got_type != (uint64_t)type)
        rb->status = PK_ECORRUPT;
    else if (version > newest)
        rb->status = PK_EVERSION;
    else if (version == 0)
        rb->status = PK_ECORRUPT;
}

/* decode_status - final verdict: all bytes consumed, nothing failed */

static int decode_status(const struct pk_rbuf *rb)
{
    if (rb->status != PK_OK)
        return rb->status;
    return rb->left == 0 ? PK_OK : PK_ECORRUPT;
}

/* pk_record_encode_domain - encode a domain record */

int pk_record_encode_domain(const struct pk_domain *dom, struct pk_buf *buf)
{
    bool known = dom->catchall != PK_CATCHALL_UNKNOWN;

    /* What was read is what is written back: a version 1 record knows
     * nothing of its catch-all. */
    put_header(buf, PK_REC_DOMAIN, known ? PK_DOMAIN_VERSION : 1);
    put_uint(buf, dom->kind, 1);
    put_str(buf, dom->target);
    put_uint(buf, dom->default_quota, 8);
    put_uint(buf, dom->created, 8);
    if (known)
        put_uint(
            buf,
            dom->catchall == PK_CATCHALL_PRESENT ? PK_DOMAIN_F_CATCHALL : 0, 1);
    return encode_status(buf);
}

/* pk_record_decode_domain - decode a domain record */

int pk_record_decode_domain(const void *data, size_t len, struct pk_domain *dom)
{
    struct pk_rbuf rb;
    uint64_t flags = 0;
    bool known = false;

    memset(dom, 0, sizeof(*dom));
    get_header(&rb, data, len, PK_REC_DOMAIN);
    dom->kind = get_uint(&rb, 1);
    get_str_into(&rb, dom->target, sizeof(dom->target));
    dom->default_quota = get_uint(&rb, 8);
    dom->created = get_uint(&rb, 8);
    /* Version 1 has no flags: it may have a catch-all. */
    if (rb.status == PK_OK && ((const unsigned char *)data)[1] >= 2) {
        flags = get_uint(&rb, 1);
        known = true;
    }
    if (rb.status == PK_OK && (flags & ~(uint64_t)PK_DOMAIN_F_CATCHALL) != 0)
        rb.status = PK_ECORRUPT;
    dom->catchall = !known                           ? PK_CATCHALL_UNKNOWN
                    : (flags & PK_DOMAIN_F_CATCHALL) ? PK_CATCHALL_PRESENT
                                                     : PK_CATCHALL_NONE;
    if (rb.status == PK_OK && dom->kind != PK_DOMAIN_HOSTED &&
        dom->kind != PK_DOMAIN_ALIAS)
        rb.status = PK_ECORRUPT;
    if (rb.status == PK_OK &&
        (dom->kind == PK_DOMAIN_ALIAS) != (dom->target[0] != 0))
        rb.status = PK_ECORRUPT;
    return decode_status(&rb);
}

/* pk_record_encode_entry - encode an account or alias */

int pk_record_encode_entry(const struct pk_entry *ent, struct pk_buf *buf)
{
    const struct pk_account *acc = &ent->u.account;
    const struct pk_alias *ali = &ent->u.alias;

    /* An alias without hints keeps version 1: what was read is what is
     * written back. */
    put_header(buf, ent->type,
               ent->type == PK_REC_ALIAS && ali->hints != NULL
                   ? PK_ALIAS_VERSION
                   : PK_REC_VERSION);
    if (ent->type == PK_REC_ACCOUNT) {
        put_uint(buf, acc->state, 1);
        put_uint(buf, acc->quota, 8);
        put_str(buf, acc->password);
        put_list(buf, &acc->forward);
        put_uint(buf, acc->keep_copy, 1);
        put_uint(buf, acc->created, 8);
        put_uint(buf, acc->changed, 8);
    } else if (ent->type == PK_REC_ALIAS) {
        put_list(buf, &ali->dest);
        put_uint(buf, ali->created, 8);
        put_uint(buf, ali->changed, 8);
        if (ali->hints != NULL)
            put_hints(buf, ali);
    } else {
        return PK_EINVAL;
    }
    return encode_status(buf);
}

/* decode_account - the account fields */

static void decode_account(struct pk_rbuf *rb, struct pk_account *acc)
{
    uint64_t keep;

    acc->state = get_uint(rb, 1);
    acc->quota = get_uint(rb, 8);
    get_str_into(rb, acc->password, sizeof(acc->password));
    get_list(rb, &acc->forward);
    keep = get_uint(rb, 1);
    acc->created = get_uint(rb, 8);
    acc->changed = get_uint(rb, 8);
    if (rb->status == PK_OK && (acc->state > PK_STATE_DISABLED || keep > 1))
        rb->status = PK_ECORRUPT;
    acc->keep_copy = keep;
}

/* hints_valid - a count of hint octets, each no hint or a state */

static const unsigned char *hints_valid(struct pk_rbuf *rb, size_t count)
{
    const unsigned char *hints;

    if (get_uint(rb, 2) != count || rb->status != PK_OK || rb->left < count) {
        if (rb->status == PK_OK)
            rb->status = PK_ECORRUPT;
        return NULL;
    }
    hints = rb->p;
    for (size_t i = 0; i < count; i++)
        if (hints[i] > PK_HINT_MAILBOX)
            rb->status = PK_ECORRUPT;
    rb->p += count;
    rb->left -= count;
    return rb->status == PK_OK ? hints : NULL;
}

/* get_hints - an alias's hints, copied */

static void get_hints(struct pk_rbuf *rb, struct pk_alias *ali)
{
    const unsigned char *hints = hints_valid(rb, ali->dest.count);

    if (hints == NULL)
        return;
    if ((ali->hints = malloc(ali->dest.count)) == NULL) {
        rb->status = PK_ENOMEM;
        return;
    }
    memcpy(ali->hints, hints, ali->dest.count);
}

/* view_list - check a counted list of strings in place */

static const unsigned char *view_list(struct pk_rbuf *rb, size_t *count_r)
{
    const unsigned char *start;
    size_t count = get_uint(rb, 2), len;

    *count_r = count;
    start = rb->p;
    for (size_t i = 0; i < count && rb->status == PK_OK; i++) {
        len = get_uint(rb, 2);
        if (rb->status != PK_OK)
            break;
        if (len > rb->left || memchr(rb->p, 0, len) != NULL) {
            rb->status = PK_ECORRUPT;
            break;
        }
        rb->p += len;
        rb->left -= len;
    }
    return start;
}

/* pk_record_view_entry - check an account or alias; copy nothing */

int pk_record_view_entry(const void *data, size_t len,
                         struct pk_entry_view *view)
{
    struct pk_rbuf rb;
    uint64_t state, keep, plen;

    memset(view, 0, sizeof(*view));
    view->type = len > 0 ? *(const unsigned char *)data : 0;
    if (view->type != PK_REC_ACCOUNT && view->type != PK_REC_ALIAS)
        return PK_ECORRUPT;
    get_header(&rb, data, len, view->type);
    if (view->type == PK_REC_ACCOUNT) {
        state = get_uint(&rb, 1);
        (void)get_uint(&rb, 8); /* quota */
        plen = get_uint(&rb, 2);
        if (rb.status == PK_OK && (plen > PK_HASH_MAX || plen > rb.left ||
                                   memchr(rb.p, 0, plen) != NULL))
            rb.status = PK_ECORRUPT;
        if (rb.status == PK_OK) {
            rb.p += plen;
            rb.left -= plen;
        }
        view->list = view_list(&rb, &view->count);
        keep = get_uint(&rb, 1);
        (void)get_uint(&rb, 8); /* created */
        (void)get_uint(&rb, 8); /* changed */
        if (rb.status == PK_OK && (state > PK_STATE_DISABLED || keep > 1))
            rb.status = PK_ECORRUPT;
        view->state = state;
        view->keep_copy = keep;
    } else {
        view->list = view_list(&rb, &view->count);
        (void)get_uint(&rb, 8);
        (void)get_uint(&rb, 8);
        if (rb.status == PK_OK && view->count == 0)
            rb.status = PK_ECORRUPT;
        if (rb.status == PK_OK && ((const unsigned char *)data)[1] >= 2)
            view->hints = hints_valid(&rb, view->count);
    }
    return decode_status(&rb);
}

/* pk_record_decode_entry - decode an account or alias */

int pk_record_decode_entry(const void *data, size_t len, struct pk_entry *ent)
{
    struct pk_rbuf rb;
    int status;

    memset(ent, 0, sizeof(*ent));
    ent->type = len > 0 ? *(const unsigned char *)data : 0;
    if (ent->type != PK_REC_ACCOUNT && ent->type != PK_REC_ALIAS)
        return PK_ECORRUPT;
    get_header(&rb, data, len, ent->type);
    if (ent->type == PK_REC_ACCOUNT) {
        decode_account(&rb, &ent->u.account);
    } else {
        get_list(&rb, &ent->u.alias.dest);
        ent->u.alias.created = get_uint(&rb, 8);
        ent->u.alias.changed = get_uint(&rb, 8);
        if (rb.status == PK_OK && ent->u.alias.dest.count == 0)
            rb.status = PK_ECORRUPT;
        if (len >= 2 && ((const unsigned char *)data)[1] >= 2)
            get_hints(&rb, &ent->u.alias);
    }
    if ((status = decode_status(&rb)) != PK_OK)
        pk_entry_free(ent);
    return status;
}

/* pk_entry_free - release the lists of an entry */

void pk_entry_free(struct pk_entry *ent)
{
    if (ent->type == PK_REC_ACCOUNT) {
        pk_strlist_free(&ent->u.account.forward);
        /* Only the bytes a hash can occupy: this runs on every lookup. */
        pk_wipe(
            ent->u.account.password,
            strnlen(ent->u.account.password, sizeof(ent->u.account.password)));
    } else if (ent->type == PK_REC_ALIAS) {
        pk_strlist_free(&ent->u.alias.dest);
        free(ent->u.alias.hints);
        ent->u.alias.hints = NULL;
    }
}

/* pk_record_encode_log - encode a change log record */

int pk_record_encode_log(const struct pk_logrec *rec, struct pk_buf *buf)
{
    put_header(buf, PK_REC_LOG, PK_REC_VERSION);
    put_uint(buf, rec->time_us, 8);
    put_str(buf, rec->actor);
    put_str(buf, rec->op);
    put_str(buf, rec->subject);
    put_str(buf, rec->detail);
    return encode_status(buf);
}

/* pk_record_decode_log - decode a change log record */

int pk_record_decode_log(const void *data, size_t len, struct pk_logrec *rec)
{
    struct pk_rbuf rb;
    int status;

    memset(rec, 0, sizeof(*rec));
    get_header(&rb, data, len, PK_REC_LOG);
    rec->time_us = get_uint(&rb, 8);
    rec->actor = get_str(&rb);
    rec->op = get_str(&rb);
    rec->subject = get_str(&rb);
    rec->detail = get_str(&rb);
    if ((status = decode_status(&rb)) != PK_OK)
        pk_logrec_free(rec);
    return status;
}

/* pk_logrec_free - release a decoded log record */

void pk_logrec_free(struct pk_logrec *rec)
{
    free(rec->actor);
    free(rec->op);
    free(rec->subject);
    free(rec->detail);
    memset(rec, 0, sizeof(*rec));
}

/* pk_record_encode_dkim - encode a DKIM key record */

int pk_record_encode_dkim(const struct pk_dkimkey *key, struct pk_buf *buf)
{
    put_header(buf, PK_REC_DKIM, PK_REC_VERSION);
    put_uint(buf, key->alg, 1);
    put_uint(buf, key->active, 1);
    put_str(buf, key->key);
    put_uint(buf, key->created, 8);
    return encode_status(buf);
}

/* pk_record_decode_dkim - decode a DKIM key record */

int pk_record_decode_dkim(const void *data, size_t len, struct pk_dkimkey *key)
{
    struct pk_rbuf rb;
    uint64_t active;
    int status;

    memset(key, 0, sizeof(*key));
    get_header(&rb, data, len, PK_REC_DKIM);
    key->alg = get_uint(&rb, 1);
    active = get_uint(&rb, 1);
    key->key = get_str(&rb);
    key->created = get_uint(&rb, 8);
    if (rb.status == PK_OK && ((key->alg != PK_DKIM_RSA_SHA256 &&
                                key->alg != PK_DKIM_ED25519_SHA256) ||
                               active > 1 || key->key[0] == 0))
        rb.status = PK_ECORRUPT;
    key->active = active;
    if ((status = decode_status(&rb)) != PK_OK)
        pk_dkimkey_free(key);
    return status;
}

/* pk_dkimkey_free - wipe and release a decoded DKIM key */

void pk_dkimkey_free(struct pk_dkimkey *key)
{
    if (key->key != NULL) {
        pk_wipe(key->key, strlen(key->key));
        free(key->key);
    }
    memset(key, 0, sizeof(*key));
}

/* pk_strlist_add - append a copy of a string */

int pk_strlist_add(struct pk_strlist *list, const char *str)
{
    char **items;
    char *copy;

    if ((copy = strdup(str)) == NULL)
        return PK_ENOMEM;
    if ((items = realloc(list->items, (list->count + 1) * sizeof(char *))) ==
        NULL) {
        free(copy);
        return PK_ENOMEM;
    }
    items[list->count++] = copy;
    list->items = items;
    return PK_OK;
}

/* pk_strlist_has - is a string in the list */

bool pk_strlist_has(const struct pk_strlist *list, const char *str)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i], str) == 0)
            return true;
    return false;
}

/* pk_strlist_remove - remove a string; false if it was not there */

bool pk_strlist_remove(struct pk_strlist *list, const char *str)
{
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->items[i], str) == 0) {
            free(list->items[i]);
            memmove(list->items + i, list->items + i + 1,
                    (list->count - i - 1) * sizeof(char *));
            list->count--;
            return true;
        }
    }
    return false;
}

/* pk_strlist_free - release a list and its strings */

void pk_strlist_free(struct pk_strlist *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

static const char *const pk_state_names[] = {
    [PK_STATE_ACTIVE] = "active",
    [PK_STATE_SUSPENDED] = "suspended",
    [PK_STATE_SEND_BLOCKED] = "send-blocked",
    [PK_STATE_RECEIVE_BLOCKED] = "receive-blocked",
    [PK_STATE_DISABLED] = "disabled",
};

/* pk_state_name - the name of an account state */

const char *pk_state_name(enum pk_account_state state)
{
    if ((unsigned)state > PK_STATE_DISABLED)
        return "invalid";
    return pk_state_names[state];
}

/* pk_state_parse - an account state by name */

int pk_state_parse(const char *name, enum pk_account_state *state_r)
{
    for (unsigned i = 0; i <= PK_STATE_DISABLED; i++) {
        if (strcmp(name, pk_state_names[i]) == 0) {
            *state_r = i;
            return PK_OK;
        }
    }
    return PK_EINVAL;
}
