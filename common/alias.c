/*++
/* NAME
/*	alias 3
/* SUMMARY
/*	aliases and catch-alls
/* SYNOPSIS
/*	#include "alias.h"
/* DESCRIPTION
/*	See alias.h. A change is validated by resolving the changed alias
/*	in the same write transaction with PK_RESOLVE_STRICT: a loop, a
/*	limit or an unknown local destination aborts the transaction, so
/*	the database is never left with an alias resolution cannot follow.
/*--*/

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "alias.h"
#include "changelog.h"
#include "domain.h"
#include "refs.h"
#include "resolve.h"

/* pk_dest_normalize - a destination in canonical form */

int pk_dest_normalize(const char *input, char out[PK_ADDR_MAX + 1],
                      const char **error_r)
{
    struct pk_addr addr;
    int status;

    if ((status = pk_addr_parse(input, 0, &addr, error_r)) != PK_OK)
        return status;
    pk_addr_format(&addr, out);
    return PK_OK;
}

/* detail_of - a short change log detail naming destinations */

static void detail_of(const struct pk_strlist *list, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = 0;
    for (size_t i = 0; i < list->count && used + 1 < size; i++)
        used += snprintf(buf + used, size - used, "%s%s", i ? " " : "",
                         list->items[i]);
}

/* check_alias_domain - the alias's domain must be ours */

static int check_alias_domain(struct pk_txn *txn, const struct pk_addr *addr,
                              const char **error_r)
{
    struct pk_domain dom;
    int status;

    status = pk_domain_lookup(txn, addr->domain, &dom, error_r);
    if (status == PK_NOTFOUND) {
        *error_r = pk_error("domain %s is not hosted here (add it first)",
                            addr->domain);
        return PK_EINVAL;
    }
    if (status == PK_OK && dom.kind == PK_DOMAIN_ALIAS && addr->local[0] == 0) {
        *error_r =
            pk_error("%s is an alias domain of %s: its mail already goes "
                     "there, so it cannot have a catch-all",
                     addr->domain, dom.target);
        return PK_EINVAL;
    }
    return status;
}

/* add_dests - normalize and append new destinations */

static int add_dests(struct pk_strlist *list, const char *self,
                     const struct pk_strlist *dests, const char **error_r)
{
    char norm[PK_ADDR_MAX + 1];
    int status;

    for (size_t i = 0; i < dests->count; i++) {
        if ((status = pk_dest_normalize(dests->items[i], norm, error_r)) !=
            PK_OK)
            return status;
        if (strcmp(norm, self) == 0) {
            *error_r = pk_error("%s cannot deliver to itself", self);
            return PK_EINVAL;
        }
        if (!pk_strlist_has(list, norm) &&
            (status = pk_strlist_add(list, norm)) != PK_OK)
            return status;
    }
    if (list->count > PK_DEST_MAX) {
        *error_r = pk_error("more than %d destinations", PK_DEST_MAX);
        return PK_EINVAL;
    }
    return PK_OK;
}

/* pk_alias_add - create an alias or add destinations to it */

int pk_alias_add(struct pk_txn *txn, const char *input,
                 const struct pk_strlist *dests, const char **error_r)
{
    struct pk_entry ent;
    struct pk_addr addr;
    struct pk_resolution res;
    char text[PK_ADDR_MAX + 1], detail[512];
    int status;

    if (dests->count == 0) {
        *error_r = pk_error("an alias needs at least one destination");
        return PK_EINVAL;
    }
    if ((status = pk_addr_parse(input, PK_ADDR_CATCHALL, &addr, error_r)) !=
            PK_OK ||
        (status = pk_addr_check_hosted(&addr, error_r)) != PK_OK ||
        (status = check_alias_domain(txn, &addr, error_r)) != PK_OK)
        return status;
    pk_addr_format(&addr, text);
    status = pk_entry_lookup(txn, &addr, &ent, error_r);
    if (status == PK_OK && ent.type == PK_REC_ACCOUNT) {
        pk_entry_free(&ent);
        *error_r =
            pk_error("%s is an account; an address cannot be both", text);
        return PK_EEXIST;
    }
    if (status == PK_NOTFOUND) {
        memset(&ent, 0, sizeof(ent));
        ent.type = PK_REC_ALIAS;
        ent.u.alias.created = time(NULL);
    } else if (status != PK_OK) {
        return status;
    }
    ent.u.alias.changed = time(NULL);
    if ((status = add_dests(&ent.u.alias.dest, text, dests, error_r)) == PK_OK)
        status = pk_entry_put(txn, text, &ent, 0, error_r);
    pk_entry_free(&ent);
    if (status != PK_OK)
        return status;
    if ((status = pk_resolve(txn, text, PK_RESOLVE_STRICT, &res, error_r)) !=
        PK_OK)
        return status;
    pk_resolve_free(&res);
    if ((status = pk_refs_revalidate(txn, text, error_r)) != PK_OK)
        return status;
    detail_of(dests, detail, sizeof(detail));
    return pk_changelog_append(txn, "alias.add", text, detail, error_r);
}

/* delete_alias - remove an alias nothing refers to */

static int delete_alias(struct pk_txn *txn, const struct pk_addr *addr,
                        const char *text, const char **error_r)
{
    char key[PK_KEY_MAX];
    int status;

    if ((status = pk_refs_unreferenced(txn, text, error_r)) != PK_OK ||
        (status = pk_txn_del(txn, PK_DB_ADDRESSES, key, pk_addr_key(addr, key),
                             NULL, 0, error_r)) != PK_OK)
        return status;
    if (addr->local[0] == 0)
        return pk_domain_note_catchall(txn, addr->domain, error_r);
    return PK_OK;
}

/* pk_alias_remove - remove destinations, or the whole alias */

int pk_alias_remove(struct pk_txn *txn, const char *input,
                    const struct pk_strlist *dests, const char **error_r)
{
    struct pk_entry ent;
    struct pk_addr addr;
    char text[PK_ADDR_MAX + 1], norm[PK_ADDR_MAX + 1], detail[512];
    int status = PK_OK;

    if ((status = pk_addr_parse(input, PK_ADDR_CATCHALL, &addr, error_r)) !=
        PK_OK)
        return status;
    pk_addr_format(&addr, text);
    status = pk_entry_lookup(txn, &addr, &ent, error_r);
    if (status == PK_NOTFOUND ||
        (status == PK_OK && ent.type != PK_REC_ALIAS)) {
        if (status == PK_OK)
            pk_entry_free(&ent);
        *error_r = pk_error("no alias %s", text);
        return PK_NOTFOUND;
    }
    if (status != PK_OK)
        return status;
    for (size_t i = 0; i < dests->count && status == PK_OK; i++) {
        if ((status = pk_dest_normalize(dests->items[i], norm, error_r)) !=
            PK_OK)
            break;
        if (!pk_strlist_remove(&ent.u.alias.dest, norm)) {
            *error_r = pk_error("%s does not deliver to %s", text, norm);
            status = PK_EINVAL;
        }
    }
    if (status == PK_OK && (dests->count == 0 || ent.u.alias.dest.count == 0)) {
        status = delete_alias(txn, &addr, text, error_r);
        snprintf(detail, sizeof(detail), "removed");
    } else if (status == PK_OK) {
        ent.u.alias.changed = time(NULL);
        status = pk_entry_put(txn, text, &ent, 0, error_r);
        detail_of(dests, detail, sizeof(detail));
    }
    pk_entry_free(&ent);
    if (status != PK_OK)
        return status;
    return pk_changelog_append(txn, "alias.remove", text, detail, error_r);
}

/* pk_alias_get - read an alias; PK_NOTFOUND if there is none */

int pk_alias_get(struct pk_txn *txn, const char *input, struct pk_entry *ent,
                 const char **error_r)
{
    int status = pk_entry_get(txn, input, ent, error_r);

    if (status == PK_OK && ent->type != PK_REC_ALIAS) {
        pk_entry_free(ent);
        return PK_NOTFOUND;
    }
    return status;
}
