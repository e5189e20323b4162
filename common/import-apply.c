/*++
/* NAME
/*	import-apply 3
/* SUMMARY
/*	store imported items, then check what they refer to
/* SYNOPSIS
/*	#include "import.h"
/*
/*	struct pk_import *pk_import_begin(struct pk_txn *txn, unsigned flags)
/*
/*	int	pk_import_apply(struct pk_import *imp,
/*			const struct pk_item *item, const char **error_r)
/*
/*	int	pk_import_finish(struct pk_import *imp,
/*			struct pk_import_stats *stats_r, const char **error_r)
/*
/*	void	pk_import_free(struct pk_import **impp)
/*
/*	int	pk_import(struct pk_txn *txn, enum pk_format format,
/*			const char *data, size_t len, unsigned flags,
/*			struct pk_import_stats *stats_r, const char **error_r)
/* DESCRIPTION
/*	See import.h for the contract. pk_import_apply() stores an item as
/*	it is, timestamps included, and refuses a domain, address or grant
/*	that exists (PK_EEXIST); an entry whose domain is missing is stored
/*	anyway, its domain added as a hosted domain with
/*	PK_IMPORT_CREATE_DOMAINS. Names must be canonical, as
/*	pk_import_parse() makes them; other callers' items are checked.
/*
/*	pk_import_finish() applies the rules of the interactive commands
/*	and of pk_check() to what the import touched: an alias domain's
/*	target is hosted; an entry's domain exists, and no account or
/*	catch-all lives in an alias domain; every alias and forwarding
/*	account resolves strictly (no loop, no limit, no unknown local
/*	destination); a send-as login is an account; an entry from before
/*	with a destination in a new domain still resolves. Then one change
/*	log entry records the whole import.
/*
/*	pk_import() keeps no state outside the caller's transaction, so
/*	pk_store_write() may run it again after growing the map.
/* DIAGNOSTICS
/*	PK_EINVAL, PK_EEXIST, PK_ELIMIT with a message that names the line
/*	of the item at fault; PK_ETEMP, PK_ECORRUPT, PK_ENOMEM.
/* BUGS
/*	For speed, an alias whose destinations are all mailboxes without
/*	forwarding, or outside addresses, is proved by one direct lookup
/*	per destination instead of a resolution.
/*--*/

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "addr.h"
#include "alias.h"
#include "changelog.h"
#include "domain.h"
#include "import-int.h"
#include "password.h"
#include "resolve.h"

#define DOMAIN_CACHE	16		/* a power of two */

/* Append-only memory of what the import touched: addresses only. */
struct arena {
    unsigned char *data;
    size_t  len;
    size_t  size;
};

struct domain_cache {
    char    name[PK_DOMAIN_MAX + 1];
    int     status;			/* PK_OK or PK_NOTFOUND */
    struct pk_domain dom;
};

struct pk_import {
    struct pk_txn *txn;
    unsigned flags;
    const char *format;
    size_t  line;			/* of the item being applied */
    size_t  entries_before;
    uint64_t now;
    struct pk_import_stats stats;
    struct arena domains;		/* line, auto, kind, name NUL */
    struct arena entries;		/* line, type, key, destinations */
    struct arena grants;		/* line, login key, address key */
    struct pk_buf buf;
    struct domain_cache cache[DOMAIN_CACHE];
};

/* A reader over one of the arenas. */
struct arena_rd {
    const unsigned char *p;
    const unsigned char *end;
};

/* fail - a message, prefixed with the line of the item when known */

static int fail(const char **error_r, size_t line, int status,
		        const char *fmt,...)
{
    char    buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    *error_r = line ? pk_error("line %zu: %s", line, buf) : pk_error("%s", buf);
    return status;
}

/* arena_add - append bytes */

static int arena_add(struct arena *a, const void *data, size_t len)
{
    unsigned char *mem;
    size_t  size;

    if (a->len + len > a->size) {
	for (size = a->size ? a->size : 65536; size < a->len + len;)
	    size *= 2;
	if ((mem = realloc(a->data, size)) == NULL)
	    return PK_ENOMEM;
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
    uint16_t n = (uint16_t) len;
    int     status;

    if ((status = arena_add(a, &n, sizeof(n))) != PK_OK)
	return status;
    return arena_add(a, data, len);
}

/* rd_take - read bytes */

static const void *rd_take(struct arena_rd *rd, size_t len)
{
    const void *p = rd->p;

    rd->p += len;
    return p;
}

/* rd_str - read a length-prefixed string */

static const char *rd_str(struct arena_rd *rd, size_t *len_r)
{
    uint16_t n;

    memcpy(&n, rd_take(rd, sizeof(n)), sizeof(n));
    *len_r = n;
    return rd_take(rd, n);
}

/* rd_size - read a size_t */

static size_t rd_size(struct arena_rd *rd)
{
    size_t  n;

    memcpy(&n, rd_take(rd, sizeof(n)), sizeof(n));
    return n;
}

/* key_of - the database key of a canonical "local@domain" */

static size_t key_of(const char *text, char key[PK_KEY_MAX])
{
    const char *at = strrchr(text, '@');
    size_t  llen = at - text, dlen = strlen(at + 1);

    memcpy(key, at + 1, dlen);
    key[dlen] = 0;
    memcpy(key + dlen + 1, text, llen);
    return dlen + 1 + llen;
}

/* text_of - "local@domain" of a database key */

static void text_of(const char *key, size_t klen, char text[PK_ADDR_MAX + 1])
{
    size_t  dlen = strlen(key), llen = klen - dlen - 1;

    /* Keys come from canonical addresses: they fit. */
    memcpy(text, key + dlen + 1, llen);
    text[llen] = '@';
    memcpy(text + llen + 1, key, dlen);
    text[llen + 1 + dlen] = 0;
}

/* cache_slot - where a domain's lookup is cached */

static struct domain_cache *cache_slot(struct pk_import *imp, const char *name,
				               size_t len)
{
    size_t  h = 2166136261u;

    for (size_t i = 0; i < len; i++)
	h = (h ^ (unsigned char) name[i]) * 16777619u;
    return &imp->cache[h & (DOMAIN_CACHE - 1)];
}

/* domain_find - a domain's record, through the cache */

static int domain_find(struct pk_import *imp, const char *name, size_t len,
		               const struct pk_domain **dom_r,
		               const char **error_r)
{
    struct domain_cache *c = cache_slot(imp, name, len);

    if (c->status == 0 && c->name[len] == 0 && memcmp(c->name, name, len) == 0) {
	*dom_r = &c->dom;
	return PK_OK;
    }
    if (c->status == PK_NOTFOUND && c->name[len] == 0
	&& memcmp(c->name, name, len) == 0)
	return PK_NOTFOUND;
    if (len > PK_DOMAIN_MAX)
	return PK_NOTFOUND;
    memcpy(c->name, name, len);
    c->name[len] = 0;
    c->status = pk_domain_lookup(imp->txn, c->name, &c->dom, error_r);
    if (c->status != PK_OK && c->status != PK_NOTFOUND) {
	int     status = c->status;

	c->name[0] = 0;
	c->status = PK_NOTFOUND;
	return status;
    }
    *dom_r = &c->dom;
    return c->status;
}

/* domain_forget - drop a domain from the cache after a change */

static void domain_forget(struct pk_import *imp, const char *name)
{
    struct domain_cache *c = cache_slot(imp, name, strlen(name));

    c->name[0] = 0;
    c->status = PK_NOTFOUND;
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
    imp->now = (uint64_t) time(NULL);
    for (int i = 0; i < DOMAIN_CACHE; i++)
	imp->cache[i].status = PK_NOTFOUND;
    /* Unknown: assume there were entries, which costs a scan at most. */
    if (pk_txn_count(txn, PK_DB_ADDRESSES, &imp->entries_before, &error) != PK_OK)
	imp->entries_before = SIZE_MAX;
    return imp;
}

/* created_here - was the domain created by this import's own rule */

static bool created_here(struct pk_import *imp, const char *name)
{
    struct arena_rd rd = {imp->domains.data, imp->domains.data + imp->domains.len};

    while (rd.p < rd.end) {
	size_t  len;
	const unsigned char *flags;
	const char *got;

	(void) rd_size(&rd);
	flags = rd_take(&rd, 2);
	got = rd_str(&rd, &len);
	if (flags[0] && strlen(name) == len && memcmp(got, name, len) == 0)
	    return true;
    }
    return false;
}

/* put_domain - store a domain record and remember it */

static int put_domain(struct pk_import *imp, const char *name,
		              const struct pk_domain *dom, bool automatic,
		              const char **error_r)
{
    unsigned char flags[2] = {automatic, dom->kind};
    int     status;

    domain_forget(imp, name);
    if ((status = pk_domain_put(imp->txn, name, dom, error_r)) != PK_OK
	|| (status = arena_add(&imp->domains, &imp->line, sizeof(imp->line))) != PK_OK
	|| (status = arena_add(&imp->domains, flags, 2)) != PK_OK
	|| (status = arena_str(&imp->domains, name, strlen(name))) != PK_OK)
	return status;
    return PK_OK;
}

/* apply_domain - a hosted domain or an alias domain */

static int apply_domain(struct pk_import *imp, const struct pk_item *item,
			        const char **error_r)
{
    const struct pk_domain *old;
    struct pk_domain dom = item->domain;
    size_t  len = strlen(item->name);
    int     status;

    status = domain_find(imp, item->name, len, &old, error_r);
    if (status == PK_OK && !created_here(imp, item->name))
	return fail(error_r, imp->line, PK_EEXIST, "domain %s already exists",
		    item->name);
    if (status != PK_OK && status != PK_NOTFOUND)
	return status;
    if (status == PK_NOTFOUND)
	imp->stats.domains++;
    dom.kind = item->type == PK_ITEM_DOMAIN ? PK_DOMAIN_HOSTED : PK_DOMAIN_ALIAS;
    if (dom.kind == PK_DOMAIN_HOSTED)
	dom.target[0] = 0;
    else
	dom.default_quota = 0;
    return put_domain(imp, item->name, &dom, false, error_r);
}

/* entry_domain - make sure the domain of a new entry is there if asked */

static int entry_domain(struct pk_import *imp, const char *key,
			        const char **error_r)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_HOSTED};
    const struct pk_domain *old;
    int     status;

    status = domain_find(imp, key, strlen(key), &old, error_r);
    if (status != PK_NOTFOUND || !(imp->flags & PK_IMPORT_CREATE_DOMAINS))
	return status == PK_NOTFOUND ? PK_OK : status;
    dom.created = imp->now;
    imp->stats.domains++;
    return put_domain(imp, key, &dom, true, error_r);
}

/* remember_entry - line, type, key and destinations, for finish */

static int remember_entry(struct pk_import *imp, const char *key, size_t klen,
			          const struct pk_entry *ent)
{
    const struct pk_strlist *list = ent->type == PK_REC_ALIAS ?
    &ent->u.alias.dest : &ent->u.account.forward;
    unsigned char type = ent->type;
    uint16_t count = (uint16_t) list->count;
    int     status;

    if ((status = arena_add(&imp->entries, &imp->line, sizeof(imp->line))) != PK_OK
	|| (status = arena_add(&imp->entries, &type, 1)) != PK_OK
	|| (status = arena_str(&imp->entries, key, klen)) != PK_OK
	|| (status = arena_add(&imp->entries, &count, sizeof(count))) != PK_OK)
	return status;
    for (size_t i = 0; i < list->count; i++)
	if ((status = arena_str(&imp->entries, list->items[i],
				strlen(list->items[i]))) != PK_OK)
	    return status;
    return PK_OK;
}

/* apply_entry - an account or an alias */

static int apply_entry(struct pk_import *imp, const struct pk_item *item,
		               const char **error_r)
{
    char    key[PK_KEY_MAX];
    size_t  klen = key_of(item->name, key);
    int     status;

    if ((status = entry_domain(imp, key, error_r)) != PK_OK)
	return status;
    if ((status = pk_record_encode_entry(&item->entry, &imp->buf)) != PK_OK)
	return status;
    status = pk_txn_put(imp->txn, PK_DB_ADDRESSES, key, klen, imp->buf.data,
			imp->buf.len, PK_PUT_NOOVERWRITE, error_r);
    if (status == PK_EEXIST)
	return fail(error_r, imp->line, status, "%s already exists", item->name);
    if (status != PK_OK)
	return status;
    if (item->type == PK_ITEM_ACCOUNT)
	imp->stats.accounts++;
    else
	imp->stats.aliases++;
    return remember_entry(imp, key, klen, &item->entry);
}

/* apply_grant - a send-as grant */

static int apply_grant(struct pk_import *imp, const struct pk_item *item,
		               const char **error_r)
{
    char    lkey[PK_KEY_MAX], akey[PK_KEY_MAX];
    size_t  llen = key_of(item->name, lkey), alen = key_of(item->target, akey);
    int     status;

    status = pk_txn_put(imp->txn, PK_DB_SENDAS, lkey, llen, akey, alen,
			PK_PUT_NOOVERWRITE, error_r);
    if (status == PK_EEXIST)
	return fail(error_r, imp->line, status, "%s may already send as %s",
		    item->name, item->target);
    if (status != PK_OK)
	return status;
    imp->stats.sendas++;
    if ((status = arena_add(&imp->grants, &imp->line, sizeof(imp->line))) != PK_OK
	|| (status = arena_str(&imp->grants, lkey, llen)) != PK_OK)
	return status;
    return PK_OK;
}

/* canonical - is a name exactly what normalization gives */

static bool canonical(const char *text, bool domain, unsigned flags)
{
    struct pk_addr addr;
    char    norm[PK_ADDR_MAX + 1];
    const char *error;

    if (domain)
	return pk_addr_parse_domain(text, norm, &error) == PK_OK
	    && strcmp(norm, text) == 0;
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
    bool    ok;

    switch (item->type) {
    case PK_ITEM_DOMAIN:
    case PK_ITEM_DOMAIN_ALIAS:
	ok = canonical(item->name, true, 0) && (item->type == PK_ITEM_DOMAIN
			  || canonical(item->domain.target, true, 0));
	break;
    case PK_ITEM_ACCOUNT:
	ok = ent->type == PK_REC_ACCOUNT && canonical(item->name, false, 0)
	    && (unsigned) ent->u.account.state <= PK_STATE_DISABLED
	    && pk_password_check_hash(ent->u.account.password, error_r) == PK_OK
	    && check_list(&ent->u.account.forward);
	break;
    case PK_ITEM_ALIAS:
	ok = ent->type == PK_REC_ALIAS
	    && canonical(item->name, false, PK_ADDR_CATCHALL)
	    && ent->u.alias.dest.count > 0 && check_list(&ent->u.alias.dest);
	break;
    case PK_ITEM_SENDAS:
	ok = canonical(item->name, false, 0)
	    && canonical(item->target, false, PK_ADDR_CATCHALL);
	break;
    default:
	ok = false;
	break;
    }
    if (!ok)
	*error_r = pk_error("an import item of type %d is not in canonical form",
			    (int) item->type);
    return ok ? PK_OK : PK_EINVAL;
}

/* apply_item - store one item; trusted items come from our parser */

static int apply_item(struct pk_import *imp, const struct pk_item *item,
		              bool trusted, const char **error_r)
{
    int     status;

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
    default:
	status = apply_grant(imp, item, error_r);
	break;
    }
    if (status == PK_ENOMEM)
	*error_r = pk_error("out of memory");
    return status;
}

/* pk_import_apply - store one item, references unchecked */

int     pk_import_apply(struct pk_import *imp, const struct pk_item *item,
			        const char **error_r)
{
    return apply_item(imp, item, false, error_r);
}

/* check_domains - alias domains point at hosted domains */

static int check_domains(struct pk_import *imp, const char **error_r)
{
    struct arena_rd rd = {imp->domains.data, imp->domains.data + imp->domains.len};
    struct pk_domain dom;
    const struct pk_domain *target;
    char    name[PK_DOMAIN_MAX + 1];
    int     status;

    while (rd.p < rd.end) {
	size_t  line = rd_size(&rd), len;
	const unsigned char *flags = rd_take(&rd, 2);
	const char *got = rd_str(&rd, &len);

	if (flags[1] != PK_DOMAIN_ALIAS)
	    continue;
	memcpy(name, got, len);
	name[len] = 0;
	/* The record as it ended up: a later item may have replaced it. */
	if ((status = pk_domain_lookup(imp->txn, name, &dom, error_r)) != PK_OK)
	    return status;
	status = domain_find(imp, dom.target, strlen(dom.target), &target, error_r);
	if (status == PK_NOTFOUND || (status == PK_OK && target->kind != PK_DOMAIN_HOSTED))
	    return fail(error_r, line, PK_EINVAL, "alias domain %s: target %s is "
			"not a hosted domain", name, dom.target);
	if (status != PK_OK)
	    return status;
    }
    return PK_OK;
}

/* dest_final - is a destination proved final by one direct lookup */

static int dest_final(struct pk_import *imp, const char *dest, size_t len,
		              const char **error_r)
{
    const struct pk_domain *dom;
    const char *at = memchr(dest, '@', len), *next;
    struct pk_entry ent;
    const void *val;
    char    key[PK_KEY_MAX];
    size_t  vlen, dlen;
    int     status;

    /* The last '@' of a canonical address. */
    while (at != NULL && (next = memchr(at + 1, '@', dest + len - at - 1)) != NULL)
	at = next;
    if (at == NULL)
	return PK_NOTFOUND;
    dlen = dest + len - at - 1;
    status = domain_find(imp, at + 1, dlen, &dom, error_r);
    if (status == PK_NOTFOUND)
	return PK_OK;				/* delivered outside */
    if (status != PK_OK || dom->kind != PK_DOMAIN_HOSTED)
	return status == PK_OK ? PK_NOTFOUND : status;
    memcpy(key, at + 1, dlen);
    key[dlen] = 0;
    memcpy(key + dlen + 1, dest, at - dest);
    status = pk_txn_get(imp->txn, PK_DB_ADDRESSES, key, len, &val, &vlen, error_r);
    if (status != PK_OK || vlen == 0 || *(const unsigned char *) val != PK_REC_ACCOUNT)
	return status == PK_OK ? PK_NOTFOUND : status;
    if (pk_record_decode_entry(val, vlen, &ent) != PK_OK)
	return PK_NOTFOUND;			/* let resolution explain */
    status = ent.u.account.forward.count == 0 ? PK_OK : PK_NOTFOUND;
    pk_entry_free(&ent);
    return status;
}

/* check_resolves - resolve an entry strictly */

static int check_resolves(struct pk_import *imp, size_t line, const char *text,
			          const char **error_r)
{
    struct pk_resolution res;
    int     status;

    status = pk_resolve(imp->txn, text, PK_RESOLVE_STRICT, &res, error_r);
    if (status == PK_OK)
	pk_resolve_free(&res);
    else if (status == PK_EINVAL || status == PK_ELIMIT)
	return fail(error_r, line, status, "%s: %s", text, *error_r);
    return status;
}

/* check_entry - one imported account or alias */

static int check_entry(struct pk_import *imp, struct arena_rd *rd,
		               const char **error_r)
{
    const struct pk_domain *dom;
    size_t  line = rd_size(rd), klen, len, dlen;
    int     type = *(const unsigned char *) rd_take(rd, 1), status;
    const char *key = rd_str(rd, &klen), *dest;
    char    text[PK_ADDR_MAX + 1];
    uint16_t count;
    bool    resolve = false;

    memcpy(&count, rd_take(rd, sizeof(count)), sizeof(count));
    dlen = strlen(key);
    text_of(key, klen, text);
    status = domain_find(imp, key, dlen, &dom, error_r);
    if (status == PK_NOTFOUND)
	return fail(error_r, line, PK_EINVAL, "%s: domain %s does not exist "
		    "(add it first, or let the import create domains)", text, key);
    if (status != PK_OK)
	return status;
    if (dom->kind != PK_DOMAIN_HOSTED && (type == PK_REC_ACCOUNT || klen == dlen + 1))
	return fail(error_r, line, PK_EINVAL, "%s: %s is an alias domain of %s; "
		    "%s cannot live there", text, key, dom->target,
		    type == PK_REC_ACCOUNT ? "an account" : "a catch-all");
    for (uint16_t i = 0; i < count; i++) {
	dest = rd_str(rd, &len);
	if (!resolve && (status = dest_final(imp, dest, len, error_r)) != PK_OK) {
	    if (status != PK_NOTFOUND)
		return status;
	    resolve = true;
	}
    }
    return resolve ? check_resolves(imp, line, text, error_r) : PK_OK;
}

/* check_grant - a send-as login is an account */

static int check_grant(struct pk_import *imp, struct arena_rd *rd,
		               const char **error_r)
{
    size_t  line = rd_size(rd), klen, vlen;
    const char *key = rd_str(rd, &klen);
    const void *val;
    char    text[PK_ADDR_MAX + 1];
    int     status;

    status = pk_txn_get(imp->txn, PK_DB_ADDRESSES, key, klen, &val, &vlen, error_r);
    if (status == PK_OK && vlen > 0 && *(const unsigned char *) val == PK_REC_ACCOUNT)
	return PK_OK;
    if (status != PK_OK && status != PK_NOTFOUND)
	return status;
    text_of(key, klen, text);
    return fail(error_r, line, PK_EINVAL, "send-as login %s is not an account",
		text);
}

/* in_new_domain - does a destination name a domain this import added */

static bool in_new_domain(struct pk_import *imp, const char *dest)
{
    struct arena_rd rd = {imp->domains.data, imp->domains.data + imp->domains.len};
    const char *domain = strrchr(dest, '@');
    size_t  dlen, len;

    if (domain == NULL)
	return false;
    dlen = strlen(++domain);
    while (rd.p < rd.end) {
	const char *got;

	(void) rd_size(&rd);
	(void) rd_take(&rd, 2);
	got = rd_str(&rd, &len);
	if (len == dlen && memcmp(got, domain, len) == 0)
	    return true;
    }
    return false;
}

/* check_existing - entries that delivered outside may now be local */

static int check_existing(struct pk_import *imp, const char **error_r)
{
    struct pk_cursor *cur;
    struct pk_entry ent;
    const struct pk_strlist *list;
    const void *key, *val;
    char    text[PK_ADDR_MAX + 1];
    size_t  klen, vlen;
    bool    hit;
    int     status;

    if ((status = pk_cursor_open(imp->txn, PK_DB_ADDRESSES, NULL, 0, &cur,
				 error_r)) != PK_OK)
	return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) == PK_OK) {
	if (klen > PK_ADDR_MAX || memchr(key, 0, klen) == NULL
	    || pk_record_decode_entry(val, vlen, &ent) != PK_OK)
	    continue;				/* pk_check() reports those */
	list = ent.type == PK_REC_ALIAS ? &ent.u.alias.dest : &ent.u.account.forward;
	hit = false;
	for (size_t i = 0; i < list->count && !hit; i++)
	    hit = in_new_domain(imp, list->items[i]);
	pk_entry_free(&ent);
	if (!hit)
	    continue;
	text_of(key, klen, text);
	if ((status = check_resolves(imp, 0, text, error_r)) != PK_OK)
	    break;
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* pk_import_finish - check what the import touched; log it */

int     pk_import_finish(struct pk_import *imp, struct pk_import_stats *stats_r,
			         const char **error_r)
{
    struct arena_rd rd;
    char    detail[160];
    int     status;

    if ((status = check_domains(imp, error_r)) != PK_OK)
	return status;
    rd = (struct arena_rd) {imp->entries.data, imp->entries.data + imp->entries.len};
    while (rd.p < rd.end)
	if ((status = check_entry(imp, &rd, error_r)) != PK_OK)
	    return status;
    rd = (struct arena_rd) {imp->grants.data, imp->grants.data + imp->grants.len};
    while (rd.p < rd.end)
	if ((status = check_grant(imp, &rd, error_r)) != PK_OK)
	    return status;
    if (imp->stats.domains > 0 && imp->entries_before > 0
	&& (status = check_existing(imp, error_r)) != PK_OK)
	return status;
    snprintf(detail, sizeof(detail), "%zu domains, %zu accounts, %zu aliases, "
	     "%zu grants", imp->stats.domains, imp->stats.accounts,
	     imp->stats.aliases, imp->stats.sendas);
    if ((status = pk_changelog_append(imp->txn, "import", imp->format, detail,
				      error_r)) != PK_OK)
	return status;
    if (stats_r != NULL)
	*stats_r = imp->stats;
    return PK_OK;
}

/* pk_import_free - release an import */

void    pk_import_free(struct pk_import **impp)
{
    struct pk_import *imp = *impp;

    if (imp == NULL)
	return;
    free(imp->domains.data);
    free(imp->entries.data);
    free(imp->grants.data);
    pk_buf_free(&imp->buf);
    free(imp);
    *impp = NULL;
}

/* import_item - the parser's callback: apply with the line known */

static int import_item(const struct pk_item *item, size_t line, void *ctx,
		               const char **error_r)
{
    struct pk_import *imp = ctx;

    imp->line = line;
    return apply_item(imp, item, true, error_r);
}

/* pk_import - parse, apply and check a whole input in one transaction */

int     pk_import(struct pk_txn *txn, enum pk_format format, const char *data,
		          size_t len, unsigned flags, struct pk_import_stats *stats_r,
		          const char **error_r)
{
    struct pk_import *imp;
    int     status;

    if ((imp = pk_import_begin(txn, flags)) == NULL) {
	*error_r = pk_error("out of memory");
	return PK_ENOMEM;
    }
    imp->format = pk_format_name(format);
    status = pk_import_parse(format, data, len, import_item, imp, error_r);
    if (status == PK_OK)
	status = pk_import_finish(imp, stats_r, error_r);
    pk_import_free(&imp);
    return status;
}
