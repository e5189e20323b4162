/*++
/* NAME
/*	import-check 3
/* SUMMARY
/*	the final check of an import
/* SYNOPSIS
/*	#include "import.h"
/*
/*	int	pk_import_finish(struct pk_import *imp,
/*			struct pk_import_stats *stats_r, const char **error_r)
/* DESCRIPTION
/*	pk_import_finish() applies the rules of the interactive commands
/*	and of pk_check() to what the import stored, once every item is
/*	in place:
/* .IP \(bu
/*	an alias domain's target is a hosted domain;
/* .IP \(bu
/*	an entry's domain exists, and no account or catch-all lives in an
/*	alias domain (an alias may);
/* .IP \(bu
/*	every alias and forwarding account resolves with
/*	PK_RESOLVE_STRICT: no loop, no limit exceeded, no destination that
/*	is unknown here or that only a catch-all would take;
/* .IP \(bu
/*	a send-as login is an account;
/* .IP \(bu
/*	a DKIM key's domain is hosted, its key parses as a key of its
/*	algorithm, and its domain has at most one active key;
/* .IP \(bu
/*	rate limits are stored last, through pk_ratelimit_set(), which
/*	wants a window in range and an existing subject; one that is set
/*	already is refused;
/* .IP \(bu
/*	in a database that had entries before, an alias or forwarding
/*	account with a destination in a domain the import touched still
/*	resolves: a new entry may now catch what went to a subaddress, an
/*	alias domain or outside before.
/* .PP
/*	Then it appends one change log entry for the whole import and
/*	hands back the counts.
/*
/*	Speed: a destination proved final without resolving it (outside,
/*	or an account that does not forward: the alias's hints, made when
/*	it was stored, else the import's own bucket tables, else LMDB)
/*	needs no resolution, so an alias whose destinations are all like
/*	that is never resolved.
/* DIAGNOSTICS
/*	PK_EINVAL, PK_ELIMIT with a message that names the line of the
/*	item at fault; PK_ETEMP, PK_ECORRUPT, PK_ENOMEM.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "changelog.h"
#include "dkim.h"
#include "domain.h"
#include "import-int.h"
#include "resolve.h"

/* check_domains - alias domains point at hosted domains */

static int check_domains(struct pk_import *imp, const char **error_r)
{
    struct arena_rd rd = {imp->domains.data,
                          imp->domains.data + imp->domains.len};
    struct import_dom *d, *target;
    int status;

    while (rd.p < rd.end) {
        size_t line = rd_size(&rd), len;
        const char *name;

        (void)rd_take(&rd, 2);
        name = rd_str(&rd, &len);
        /* What the domain ended up as: a later item may have replaced it. */
        if ((status = import_domain_find(imp, name, len, &d, error_r)) != PK_OK)
            return status;
        if (d->kind != PK_DOMAIN_ALIAS)
            continue;
        status = import_domain_find(imp, d->target, strlen(d->target), &target,
                                    error_r);
        if (status == PK_NOTFOUND ||
            (status == PK_OK && target->kind != PK_DOMAIN_HOSTED))
            return import_error(error_r, line, PK_EINVAL,
                                "alias domain %s: "
                                "target %s is not a hosted domain",
                                d->name, d->target);
        if (status != PK_OK)
            return status;
    }
    return PK_OK;
}

/* import_find_ref - an entry of this import, by its key, or NULL */

const struct import_slot *import_find_ref(struct pk_import *imp,
                                          const struct import_dom *d,
                                          const char *key, size_t klen)
{
    size_t dlen = strlen(key), j;
    struct import_ref probe = {.llen = (uint16_t)(klen - dlen - 1)};
    struct import_rec rec;

    if (d->slots == NULL)
        return NULL; /* no entry of ours there */
    import_local_prefix(key + dlen + 1, probe.llen, probe.prefix);
    for (j = import_ref_hash(&probe) & d->slot_mask; d->slots[j].index != 0;
         j = (j + 1) & d->slot_mask) {
        const struct import_slot *r = &d->slots[j];

        if (r->prefix[0] != probe.prefix[0] ||
            r->prefix[1] != probe.prefix[1] || r->llen != probe.llen)
            continue;
        if (probe.llen <= 16)
            return r;
        /* A long local part: the prefix is not all of it. */
        rec_at(imp, d->refs[r->index - 1].off, &rec);
        if (rec.klen == klen && memcmp(rec.key, key, klen) == 0)
            return r;
    }
    return NULL;
}

/* stored_final - an entry from before: an account that does not forward */

static int stored_final(struct pk_import *imp, const char *key, size_t klen,
                        const char **error_r)
{
    struct pk_entry ent;
    const void *val;
    size_t vlen;
    int status;

    status =
        pk_txn_get(imp->txn, PK_DB_ADDRESSES, key, klen, &val, &vlen, error_r);
    if (status != PK_OK || vlen == 0 ||
        *(const unsigned char *)val != PK_REC_ACCOUNT)
        return status == PK_OK ? PK_NOTFOUND : status;
    if (pk_record_decode_entry(val, vlen, &ent) != PK_OK)
        return PK_NOTFOUND; /* let resolution explain */
    status = ent.u.account.forward.count == 0 ? PK_OK : PK_NOTFOUND;
    pk_entry_free(&ent);
    return status;
}

/* dest_final - is a destination proved final without resolving it */

static int dest_final(struct pk_import *imp, const char *dest, size_t len,
                      const char **error_r)
{
    struct import_dom *d;
    const struct import_slot *ref;
    char key[PK_KEY_MAX];
    size_t dlen;
    int status;

    if (!pk_addr_text_key(dest, len, key, &dlen))
        return PK_NOTFOUND; /* not ours: let resolution say */
    status = import_domain_find(imp, key, dlen, &d, error_r);
    if (status == PK_NOTFOUND)
        return PK_OK; /* delivered outside */
    if (status != PK_OK || d->kind != PK_DOMAIN_HOSTED)
        return status == PK_OK ? PK_NOTFOUND : status;
    if ((ref = import_find_ref(imp, d, key, len)) != NULL)
        return ref->final ? PK_OK : PK_NOTFOUND;
    /* Into an empty table, nothing but this import's entries is there. */
    return imp->entries_before > 0 ? stored_final(imp, key, len, error_r)
                                   : PK_NOTFOUND;
}

/* check_resolves - resolve an entry strictly */

static int check_resolves(struct pk_import *imp, size_t line, const char *text,
                          const char **error_r)
{
    struct pk_resolution res;
    int status;

    status = pk_resolve(imp->txn, text, PK_RESOLVE_STRICT, &res, error_r);
    if (status == PK_OK)
        pk_resolve_free(&res);
    else if (status == PK_EINVAL || status == PK_ELIMIT)
        return import_error(error_r, line, status, "%s: %s", text, *error_r);
    return status;
}

/* check_entry - one imported account or alias */

static int check_entry(struct pk_import *imp, const struct import_rec *rec,
                       const char **error_r)
{
    struct import_dom *d;
    struct arena_rd rd = rec->dests;
    size_t dlen = strlen(rec->key), len;
    const char *dest;
    const unsigned char *hints;
    char text[PK_ADDR_MAX + 1];
    bool resolve = false;
    int status;

    status = import_domain_find(imp, rec->key, dlen, &d, error_r);
    /* The address as text, for messages and resolution only. */
    if (status != PK_OK || d->kind != PK_DOMAIN_HOSTED)
        import_key_text(rec->key, rec->klen, text);
    if (status == PK_NOTFOUND)
        return import_error(error_r, rec->line, PK_EINVAL,
                            "%s: domain %s does "
                            "not exist (add it first, or let the import create "
                            "domains)",
                            text, d->name);
    if (status != PK_OK)
        return status;
    /* An alias may live in an alias domain; the catch-all may not. */
    if (d->kind != PK_DOMAIN_HOSTED &&
        (rec->type == PK_REC_ACCOUNT || rec->klen == dlen + 1))
        return import_error(error_r, rec->line, PK_EINVAL,
                            "%s: %s is an alias "
                            "domain of %s; %s cannot live there",
                            text, d->name, d->target,
                            rec->type == PK_REC_ACCOUNT ? "an account"
                                                        : "a catch-all");
    /* An alias's hints, made when it was stored, already prove some
     * destinations final. */
    hints =
        rec->type == PK_REC_ALIAS && ((const unsigned char *)rec->val)[1] >= 2
            ? (const unsigned char *)rec->val + rec->vlen - rec->ndest
            : NULL;
    for (uint16_t i = 0; i < rec->ndest && !resolve; i++) {
        dest = rd_str(&rd, &len);
        if (hints != NULL && hints[i] != PK_HINT_NONE)
            continue;
        if ((status = dest_final(imp, dest, len, error_r)) == PK_NOTFOUND)
            resolve = true;
        else if (status != PK_OK)
            return status;
    }
    if (!resolve)
        return PK_OK;
    import_key_text(rec->key, rec->klen, text);
    return check_resolves(imp, rec->line, text, error_r);
}

/* check_grant - a send-as login is an account */

static int check_grant(struct pk_import *imp, struct arena_rd *rd,
                       const char **error_r)
{
    size_t line = rd_size(rd), klen, vlen;
    const char *key = rd_str(rd, &klen);
    const void *val;
    char text[PK_ADDR_MAX + 1];
    int status;

    status =
        pk_txn_get(imp->txn, PK_DB_ADDRESSES, key, klen, &val, &vlen, error_r);
    if (status == PK_OK && vlen > 0 &&
        *(const unsigned char *)val == PK_REC_ACCOUNT)
        return PK_OK;
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    import_key_text(key, klen, text);
    return import_error(error_r, line, PK_EINVAL,
                        "send-as login %s is not an account", text);
}

/* count_active - dkim iterator: count a domain's active keys */

static int count_active(const char *domain, const char *selector,
                        const struct pk_dkimkey *key, void *ctx)
{
    if (key->active)
        ++*(size_t *)ctx;
    return PK_OK;
}

/* check_dkim - an imported DKIM key: hosted domain, usable, one active */

static int check_dkim(struct pk_import *imp, struct arena_rd *rd,
                      const char **error_r)
{
    size_t line = rd_size(rd), klen, vlen, active = 0;
    const char *key = rd_str(rd, &klen), *sel = key + strlen(key) + 1;
    char selector[PK_DKIM_SELECTOR_MAX + 1];
    struct import_dom *d;
    struct pk_dkimkey rec;
    const void *val;
    char *txt;
    int status;

    snprintf(selector, sizeof(selector), "%.*s", (int)(key + klen - sel), sel);
    status = import_domain_find(imp, key, strlen(key), &d, error_r);
    if (status == PK_NOTFOUND ||
        (status == PK_OK && d->kind != PK_DOMAIN_HOSTED))
        return import_error(error_r, line, PK_EINVAL,
                            "DKIM key %s: %s is not a hosted domain", selector,
                            key);
    if (status != PK_OK || (status = pk_txn_get(imp->txn, PK_DB_DKIM, key, klen,
                                                &val, &vlen, error_r)) != PK_OK)
        return status;
    if ((status = pk_record_decode_dkim(val, vlen, &rec)) != PK_OK)
        return status == PK_ENOMEM ? status : PK_ECORRUPT;
    /* Parsing the key is what proves it usable; the text is not kept. */
    status = pk_dkim_dns_txt(&rec, &txt, error_r);
    pk_dkimkey_free(&rec);
    if (status == PK_ENOMEM)
        return status;
    free(txt);
    if (status != PK_OK)
        return import_error(error_r, line, PK_EINVAL,
                            "DKIM key %s of %s is not a private key of its "
                            "algorithm",
                            selector, key);
    if ((status = pk_dkim_list(imp->txn, key, count_active, &active,
                               error_r)) != PK_OK)
        return status;
    if (active > 1)
        return import_error(error_r, line, PK_EINVAL,
                            "DKIM key %s: %s would have %zu active keys "
                            "(at most one signs)",
                            selector, key, active);
    return PK_OK;
}

/* apply_limit - store an imported rate limit, now that subjects exist */

static int apply_limit(struct pk_import *imp, struct arena_rd *rd,
                       const char **error_r)
{
    size_t line = rd_size(rd), len;
    enum pk_ratelimit_scope scope = *(const unsigned char *)rd_take(rd, 1);
    struct pk_ratelimit lim, old;
    const char *name, *subject;
    char text[PK_ADDR_MAX + 1];
    int status;

    memcpy(&lim, rd_take(rd, sizeof(lim)), sizeof(lim));
    name = rd_str(rd, &len);
    snprintf(text, sizeof(text), "%.*s", (int)len, name);
    subject = len > 0 ? text : NULL;
    status = pk_ratelimit_get(imp->txn, scope, subject, &old, error_r);
    if (status == PK_OK)
        return import_error(error_r, line, PK_EEXIST,
                            "a rate limit for %s %s is already set",
                            subject ? pk_ratelimit_scope_name(scope) : "every",
                            subject ? subject : pk_ratelimit_scope_name(scope));
    if (status != PK_NOTFOUND)
        return status;
    status = pk_ratelimit_set(imp->txn, scope, subject, &lim, error_r);
    if (status == PK_EINVAL || status == PK_NOTFOUND)
        return import_error(error_r, line, PK_EINVAL, "rate limit: %s",
                            *error_r);
    return status;
}

/* add_domain - remember a domain; entries come domain by domain */

static int add_domain(struct pk_strlist *list, const void *name, size_t len)
{
    char buf[PK_DOMAIN_MAX + 1];

    if (len > PK_DOMAIN_MAX)
        return PK_OK;
    memcpy(buf, name, len);
    buf[len] = 0;
    if (list->count > 0 && strcmp(list->items[list->count - 1], buf) == 0)
        return PK_OK;
    return pk_strlist_add(list, buf);
}

/* compare - the order of qsort() and bsearch() */

static int compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sort_unique - sort a list and drop repeats */

static void sort_unique(struct pk_strlist *list)
{
    size_t n = 0;

    if (list->count > 0)
        qsort(list->items, list->count, sizeof(char *), compare);
    for (size_t i = 0; i < list->count; i++) {
        if (n > 0 && strcmp(list->items[n - 1], list->items[i]) == 0)
            free(list->items[i]);
        else
            list->items[n++] = list->items[i];
    }
    list->count = n;
}

/* has_domain - is the domain of an address in a sorted list */

static bool has_domain(const struct pk_strlist *list, const char *address)
{
    const char *domain = strrchr(address, '@');

    return domain != NULL &&
           bsearch(&(const char *){domain + 1}, list->items, list->count,
                   sizeof(char *), compare) != NULL;
}

/* touched_domains - the domains of what the import stored */

static int touched_domains(struct pk_import *imp, struct pk_strlist *list)
{
    struct arena_rd rd = {imp->domains.data,
                          imp->domains.data + imp->domains.len};
    const char *name;
    size_t len;
    int status = PK_OK;

    while (status == PK_OK && rd.p < rd.end) {
        (void)rd_size(&rd);
        (void)rd_take(&rd, 2);
        name = rd_str(&rd, &len);
        status = add_domain(list, name, len);
    }
    for (size_t seg = 0; seg < (imp->nsegs ? imp->nsegs : 1); seg++) {
        struct import_seg at = rec_seg(imp, seg);
        struct import_rec rec;

        for (size_t off = 0; status == PK_OK && off < at.len;) {
            off = rec_read(&at, off, &rec);
            status = add_domain(list, rec.key, strlen(rec.key));
        }
    }
    sort_unique(list);
    return status;
}

/* alias_domains - add the alias domains of the domains in the list */

static int alias_domains(struct pk_import *imp, struct pk_strlist *list,
                         const char **error_r)
{
    struct pk_strlist more = {0};
    struct pk_cursor *cur;
    struct pk_domain dom;
    const void *key, *val;
    size_t klen, vlen;
    int status;

    if ((status = pk_cursor_open(imp->txn, PK_DB_DOMAINS, NULL, 0, &cur,
                                 error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK)
        if (pk_record_decode_domain(val, vlen, &dom) == PK_OK &&
            dom.kind == PK_DOMAIN_ALIAS &&
            bsearch(&(const char *){dom.target}, list->items, list->count,
                    sizeof(char *), compare) != NULL &&
            (status = add_domain(&more, key, klen)) != PK_OK)
            break;
    pk_cursor_close(&cur);
    for (size_t i = 0; status == PK_NOTFOUND && i < more.count; i++)
        if (pk_strlist_add(list, more.items[i]) != PK_OK)
            status = PK_ENOMEM;
    pk_strlist_free(&more);
    sort_unique(list);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* needs_resolving - an old entry with a destination the import affects */

static int needs_resolving(struct pk_import *imp,
                           const struct pk_strlist *touched,
                           const struct pk_entry *ent, const char **error_r)
{
    const struct pk_strlist *list = ent->type == PK_REC_ALIAS
                                        ? &ent->u.alias.dest
                                        : &ent->u.account.forward;
    bool hit = false;
    int status;

    for (size_t i = 0; i < list->count && !hit; i++)
        hit = has_domain(touched, list->items[i]);
    for (size_t i = 0; hit && i < list->count; i++)
        if ((status = dest_final(imp, list->items[i], strlen(list->items[i]),
                                 error_r)) != PK_OK)
            return status;
    return PK_OK;
}

/* check_existing - entries from before still resolve */

static int check_existing(struct pk_import *imp, const char **error_r)
{
    struct pk_strlist touched = {0};
    struct pk_cursor *cur = NULL;
    struct pk_entry ent;
    const void *key, *val;
    char text[PK_ADDR_MAX + 1];
    size_t klen, vlen;
    int status;

    if ((status = touched_domains(imp, &touched)) != PK_OK ||
        touched.count == 0 ||
        (status = alias_domains(imp, &touched, error_r)) != PK_OK ||
        (status = pk_cursor_open(imp->txn, PK_DB_ADDRESSES, NULL, 0, &cur,
                                 error_r)) != PK_OK)
        goto out;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        if (klen > PK_ADDR_MAX || memchr(key, 0, klen) == NULL ||
            pk_record_decode_entry(val, vlen, &ent) != PK_OK)
            continue; /* pk_check() reports those */
        status = needs_resolving(imp, &touched, &ent, error_r);
        pk_entry_free(&ent);
        if (status == PK_OK)
            continue;
        if (status != PK_NOTFOUND)
            break;
        import_key_text(key, klen, text);
        if ((status = check_resolves(imp, 0, text, error_r)) != PK_OK) {
            *error_r = pk_error("after this import, %s", *error_r);
            break;
        }
    }
    if (status == PK_NOTFOUND)
        status = PK_OK;
out:
    pk_cursor_close(&cur);
    pk_strlist_free(&touched);
    if (status == PK_ENOMEM)
        *error_r = pk_error("out of memory");
    return status;
}

/* pk_import_finish - check what the import touched; log it */

int pk_import_finish(struct pk_import *imp, struct pk_import_stats *stats_r,
                     const char **error_r)
{
    struct import_rec rec;
    struct arena_rd rd;
    char detail[200];
    size_t len;
    int status;

    if ((status = import_flush(imp, error_r)) != PK_OK ||
        (status = check_domains(imp, error_r)) != PK_OK)
        return status;
    /* In input order: the first entry at fault is the one named. */
    for (size_t seg = 0; seg < (imp->nsegs ? imp->nsegs : 1); seg++) {
        struct import_seg at = rec_seg(imp, seg);

        for (size_t off = 0; off < at.len;) {
            off = rec_read(&at, off, &rec);
            if ((status = check_entry(imp, &rec, error_r)) != PK_OK)
                return status;
        }
    }
    rd =
        (struct arena_rd){imp->grants.data, imp->grants.data + imp->grants.len};
    while (rd.p < rd.end)
        if ((status = check_grant(imp, &rd, error_r)) != PK_OK)
            return status;
    rd = (struct arena_rd){imp->dkim.data, imp->dkim.data + imp->dkim.len};
    while (rd.p < rd.end)
        if ((status = check_dkim(imp, &rd, error_r)) != PK_OK)
            return status;
    rd =
        (struct arena_rd){imp->limits.data, imp->limits.data + imp->limits.len};
    while (rd.p < rd.end)
        if ((status = apply_limit(imp, &rd, error_r)) != PK_OK)
            return status;
    if (imp->entries_before > 0 &&
        (status = check_existing(imp, error_r)) != PK_OK)
        return status;
    len = snprintf(detail, sizeof(detail),
                   "%zu domains, %zu accounts, %zu aliases, %zu grants",
                   imp->stats.domains, imp->stats.accounts, imp->stats.aliases,
                   imp->stats.sendas);
    if (imp->stats.dkim + imp->stats.ratelimits > 0 && len < sizeof(detail))
        snprintf(detail + len, sizeof(detail) - len,
                 ", %zu DKIM keys, %zu rate limits", imp->stats.dkim,
                 imp->stats.ratelimits);
    if ((status = pk_changelog_append(imp->txn, "import", imp->format, detail,
                                      error_r)) != PK_OK)
        return status;
    if (stats_r != NULL)
        *stats_r = imp->stats;
    return PK_OK;
}
