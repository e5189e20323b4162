/*++
/* NAME
/*	domain 3
/* SUMMARY
/*	hosted domains and alias domains
/* SYNOPSIS
/*	#include "domain.h"
/* DESCRIPTION
/*	See domain.h.
/*--*/

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "changelog.h"
#include "domain.h"
#include "refs.h"

/* pk_domain_lookup - read the record of a normalized domain name */

int pk_domain_lookup(struct pk_txn *txn, const char *name,
                     struct pk_domain *dom, const char **error_r)
{
    const void *val;
    size_t vlen;
    int status;

    status = pk_txn_get(txn, PK_DB_DOMAINS, name, strlen(name), &val, &vlen,
                        error_r);
    if (status != PK_OK)
        return status;
    if ((status = pk_record_decode_domain(val, vlen, dom)) != PK_OK)
        *error_r = pk_error("the record of domain %s is %s", name,
                            pk_strstatus(status));
    return status;
}

/* pk_domain_get - read the record of a domain given in any form */

int pk_domain_get(struct pk_txn *txn, const char *input, struct pk_domain *dom,
                  const char **error_r)
{
    char name[PK_DOMAIN_MAX + 1];
    int status;

    if ((status = pk_addr_parse_domain(input, name, error_r)) != PK_OK)
        return status;
    return pk_domain_lookup(txn, name, dom, error_r);
}

/* has_catchall - is the catch-all "@name" stored (PK_OK, PK_NOTFOUND) */

static int has_catchall(struct pk_txn *txn, const char *name,
                        const char **error_r)
{
    char key[PK_DOMAIN_MAX + 1];
    size_t len = strnlen(name, PK_DOMAIN_MAX + 1);
    const void *val;
    size_t vlen;

    if (len > PK_DOMAIN_MAX) {
        *error_r = pk_error("domain name of %zu octets is too long", len);
        return PK_EINVAL;
    }
    /* The key of "@name": the domain and a NUL (addr.h). */
    memcpy(key, name, len + 1);
    return pk_txn_get(txn, PK_DB_ADDRESSES, key, len + 1, &val, &vlen, error_r);
}

/* pk_domain_put - store a domain record; its catch-all flag from the data */

int pk_domain_put(struct pk_txn *txn, const char *name,
                  const struct pk_domain *dom, const char **error_r)
{
    struct pk_domain copy = *dom;
    struct pk_buf buf = {0};
    int status;

    /* The flag is never the caller's word: a sync or an import builds
     * records from outside data, and a flag left clear on a domain with
     * a catch-all would make lookups skip it. */
    status = has_catchall(txn, name, error_r);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    copy.catchall = status == PK_OK ? PK_CATCHALL_PRESENT : PK_CATCHALL_NONE;
    if ((status = pk_record_encode_domain(&copy, &buf)) == PK_OK)
        status = pk_txn_put(txn, PK_DB_DOMAINS, name, strlen(name), buf.data,
                            buf.len, 0, error_r);
    pk_buf_free(&buf);
    return status;
}

/* pk_domain_note_catchall - revise the flag after a catch-all changed */

int pk_domain_note_catchall(struct pk_txn *txn, const char *name,
                            const char **error_r)
{
    struct pk_domain dom;
    int status;

    /* No record: nothing to flag (an entry needs its domain, and
     * "check" reports an entry without one). */
    status = pk_domain_lookup(txn, name, &dom, error_r);
    if (status == PK_NOTFOUND)
        return PK_OK;
    if (status != PK_OK)
        return status;
    status = has_catchall(txn, name, error_r);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    if (dom.catchall ==
        (status == PK_OK ? PK_CATCHALL_PRESENT : PK_CATCHALL_NONE))
        return PK_OK;
    return pk_domain_put(txn, name, &dom, error_r);
}

/* add_new - store a new domain, refusing one that exists */

static int add_new(struct pk_txn *txn, const char *name,
                   const struct pk_domain *dom, const char **error_r)
{
    struct pk_domain old;
    int status;

    status = pk_domain_lookup(txn, name, &old, error_r);
    if (status == PK_OK) {
        *error_r = pk_error("domain %s exists already", name);
        return PK_EEXIST;
    }
    if (status != PK_NOTFOUND)
        return status;
    return pk_domain_put(txn, name, dom, error_r);
}

/* pk_domain_add - add a hosted domain */

int pk_domain_add(struct pk_txn *txn, const char *input, const char **error_r)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_HOSTED};
    char name[PK_DOMAIN_MAX + 1];
    int status;

    if ((status = pk_addr_parse_domain(input, name, error_r)) != PK_OK)
        return status;
    dom.created = time(NULL);
    if ((status = add_new(txn, name, &dom, error_r)) != PK_OK)
        return status;
    return pk_changelog_append(txn, "domain.add", name, NULL, error_r);
}

/* pk_domain_add_alias - map an alias domain onto a hosted domain */

int pk_domain_add_alias(struct pk_txn *txn, const char *input,
                        const char *target_input, const char **error_r)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_ALIAS}, target;
    char name[PK_DOMAIN_MAX + 1];
    int status;

    if ((status = pk_addr_parse_domain(input, name, error_r)) != PK_OK ||
        (status = pk_addr_parse_domain(target_input, dom.target, error_r)) !=
            PK_OK)
        return status;
    if (strcmp(name, dom.target) == 0) {
        *error_r = pk_error("a domain cannot be an alias of itself");
        return PK_EINVAL;
    }
    status = pk_domain_lookup(txn, dom.target, &target, error_r);
    if (status == PK_NOTFOUND ||
        (status == PK_OK && target.kind != PK_DOMAIN_HOSTED)) {
        *error_r = pk_error("target %s is not a hosted domain", dom.target);
        return PK_EINVAL;
    }
    if (status != PK_OK)
        return status;
    dom.created = time(NULL);
    if ((status = add_new(txn, name, &dom, error_r)) != PK_OK)
        return status;
    return pk_changelog_append(txn, "domain.alias", name, dom.target, error_r);
}

/* domain_in_use - refuse removal while anything refers to the domain */

static int domain_in_use(struct pk_txn *txn, const char *name,
                         const char **error_r)
{
    struct pk_cursor *cur;
    const void *key, *val;
    size_t klen, vlen, plen = strlen(name) + 1;
    int status;

    /* Entries of the domain: keys "name" NUL ... */
    if ((status = pk_cursor_open(txn, PK_DB_ADDRESSES, name, plen, &cur,
                                 error_r)) != PK_OK)
        return status;
    status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r);
    pk_cursor_close(&cur);
    if (status == PK_OK) {
        *error_r = pk_error("domain %s still has accounts or aliases; "
                            "remove them first",
                            name);
        return PK_EINVAL;
    }
    if (status != PK_NOTFOUND)
        return status;
    /* Alias domains that point here. */
    if ((status = pk_cursor_open(txn, PK_DB_DOMAINS, NULL, 0, &cur, error_r)) !=
        PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        struct pk_domain dom;

        if (pk_record_decode_domain(val, vlen, &dom) == PK_OK &&
            dom.kind == PK_DOMAIN_ALIAS && strcmp(dom.target, name) == 0) {
            *error_r =
                pk_error("alias domain %.*s points at %s; remove it first",
                         (int)klen, (const char *)key, name);
            status = PK_EINVAL;
            break;
        }
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* pk_domain_del - remove a domain nothing refers to */

int pk_domain_del(struct pk_txn *txn, const char *input, const char **error_r)
{
    struct pk_domain dom;
    char name[PK_DOMAIN_MAX + 1], catchall[PK_ADDR_MAX + 1];
    int status;

    if ((status = pk_addr_parse_domain(input, name, error_r)) != PK_OK)
        return status;
    status = pk_domain_lookup(txn, name, &dom, error_r);
    if (status == PK_NOTFOUND)
        *error_r = pk_error("domain %s does not exist", name);
    if (status != PK_OK)
        return status;
    if ((status = domain_in_use(txn, name, error_r)) != PK_OK)
        return status;
    /* Destinations in an alias domain would silently become outside mail. */
    snprintf(catchall, sizeof(catchall), "@%s", name);
    if (dom.kind == PK_DOMAIN_ALIAS &&
        (status = pk_refs_unreferenced(txn, catchall, error_r)) != PK_OK)
        return status;
    if ((status = pk_txn_del(txn, PK_DB_DOMAINS, name, strlen(name), NULL, 0,
                             error_r)) != PK_OK)
        return status;
    return pk_changelog_append(txn, "domain.del", name, NULL, error_r);
}

/* pk_domain_set_quota - the default quota of the domain's accounts */

int pk_domain_set_quota(struct pk_txn *txn, const char *input, uint64_t quota,
                        const char **error_r)
{
    struct pk_domain dom;
    char name[PK_DOMAIN_MAX + 1], detail[32];
    int status;

    if ((status = pk_addr_parse_domain(input, name, error_r)) != PK_OK)
        return status;
    status = pk_domain_lookup(txn, name, &dom, error_r);
    if (status == PK_NOTFOUND ||
        (status == PK_OK && dom.kind != PK_DOMAIN_HOSTED)) {
        *error_r = pk_error("%s is not a hosted domain", name);
        return PK_EINVAL;
    }
    if (status != PK_OK)
        return status;
    dom.default_quota = quota;
    if ((status = pk_domain_put(txn, name, &dom, error_r)) != PK_OK)
        return status;
    snprintf(detail, sizeof(detail), "%llu", (unsigned long long)quota);
    return pk_changelog_append(txn, "domain.quota", name, detail, error_r);
}

/* pk_domain_iter - call a function for each domain */

int pk_domain_iter(struct pk_txn *txn, pk_domain_iter_fn *fn, void *ctx,
                   const char **error_r)
{
    struct pk_cursor *cur;
    struct pk_domain dom;
    const void *key, *val;
    size_t klen, vlen;
    char name[PK_DOMAIN_MAX + 1];
    int status;

    if ((status = pk_cursor_open(txn, PK_DB_DOMAINS, NULL, 0, &cur, error_r)) !=
        PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        if (klen > PK_DOMAIN_MAX || memchr(key, 0, klen) != NULL) {
            *error_r = pk_error("a domain key of %zu bytes is corrupt", klen);
            status = PK_ECORRUPT;
            break;
        }
        memcpy(name, key, klen);
        name[klen] = 0;
        if ((status = pk_record_decode_domain(val, vlen, &dom)) != PK_OK) {
            *error_r = pk_error("the record of domain %s is %s", name,
                                pk_strstatus(status));
            break;
        }
        if ((status = fn(name, &dom, ctx)) != 0)
            break;
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}
