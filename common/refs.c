/*++
/* NAME
/*	refs 3
/* SUMMARY
/*	who delivers to an entry
/* SYNOPSIS
/*	#include "refs.h"
/* DESCRIPTION
/*	See refs.h. A scan looks at each destination of each alias and
/*	forwarding account. A cheap textual test (same local part, or the
/*	same before the subaddress delimiter; same domain or an alias domain
/*	of it) picks candidates; resolving the candidate without expansion
/*	confirms that it lands on the target.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem() */
#endif

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "domain.h"
#include "refs.h"
#include "resolve.h"

struct target {
    struct pk_addr addr;
    char text[PK_ADDR_MAX + 1];
    struct pk_strlist domains; /* its domain and alias domains */
};

typedef int refs_fn(const char *, const struct pk_entry *, void *);

/* add_alias_domain - collect a domain that is an alias of the target's */

static int add_alias_domain(const char *name, const struct pk_domain *dom,
                            void *ctx)
{
    struct target *t = ctx;

    if (dom->kind != PK_DOMAIN_ALIAS ||
        strcmp(dom->target, t->addr.domain) != 0)
        return PK_OK;
    return pk_strlist_add(&t->domains, name);
}

/* collect_alias_domains - the domain and every alias domain of it */

static int collect_alias_domains(struct pk_txn *txn, struct target *t,
                                 const char **error_r)
{
    int status;

    if ((status = pk_strlist_add(&t->domains, t->addr.domain)) != PK_OK)
        return status;
    return pk_domain_iter(txn, add_alias_domain, t, error_r);
}

/* may_reach - the textual test: could this destination land on t */

static bool may_reach(const char *dest, const struct target *t, char delim)
{
    const char *at = strrchr(dest, '@');
    size_t llen, tlen = strlen(t->addr.local);

    if (at == NULL || !pk_strlist_has(&t->domains, at + 1))
        return false;
    if (tlen == 0) /* "@domain": any local part */
        return true;
    llen = at - dest;
    if (llen == tlen && memcmp(dest, t->addr.local, tlen) == 0)
        return true;
    return llen > tlen && dest[tlen] == delim &&
           memcmp(dest, t->addr.local, tlen) == 0;
}

/* reaches - does the destination resolve onto the target */

static int reaches(struct pk_txn *txn, const char *dest, const struct target *t,
                   const char **error_r)
{
    struct pk_resolution res;
    int status;

    if (!may_reach(dest, t, pk_txn_delimiter(txn)))
        return PK_NOTFOUND;
    if (t->addr.local[0] == 0) /* a domain target */
        return PK_OK;
    status = pk_resolve(txn, dest, PK_RESOLVE_TOP_ONLY | PK_RESOLVE_NO_CATCHALL,
                        &res, error_r);
    if (status != PK_OK)
        return status;
    status = strcmp(res.matched, t->text) == 0 ? PK_OK : PK_NOTFOUND;
    pk_resolve_free(&res);
    return status;
}

/* entry_reaches - does any destination of an entry reach a target */

static int entry_reaches(struct pk_txn *txn, const struct pk_entry *ent,
                         struct target *targets, size_t count,
                         const char **error_r)
{
    const struct pk_strlist *list = ent->type == PK_REC_ALIAS
                                        ? &ent->u.alias.dest
                                        : &ent->u.account.forward;
    int status;

    for (size_t i = 0; i < list->count; i++) {
        for (size_t j = 0; j < count; j++) {
            if ((status = reaches(txn, list->items[i], &targets[j], error_r)) !=
                PK_NOTFOUND)
                return status;
        }
    }
    return PK_NOTFOUND;
}

/* scan - call fn for each entry that reaches one of the targets */

static int scan(struct pk_txn *txn, struct target *targets, size_t count,
                refs_fn *fn, void *ctx, const char **error_r)
{
    struct pk_cursor *cur;
    struct pk_entry ent;
    struct pk_addr who;
    char text[PK_ADDR_MAX + 1];
    const void *key, *val;
    size_t klen, vlen;
    int status;

    if ((status = pk_cursor_open(txn, PK_DB_ADDRESSES, NULL, 0, &cur,
                                 error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        if (pk_record_decode_entry(val, vlen, &ent) != PK_OK ||
            pk_addr_from_key(key, klen, &who) != PK_OK)
            continue; /* "check" reports these */
        pk_addr_format(&who, text);
        status = entry_reaches(txn, &ent, targets, count, error_r);
        if (status == PK_OK)
            status = fn(text, &ent, ctx);
        else if (status == PK_NOTFOUND)
            status = PK_OK;
        pk_entry_free(&ent);
        if (status != PK_OK)
            break;
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* target_init - parse a target and find the domains that lead to it */

static int target_init(struct pk_txn *txn, const char *text, struct target *t,
                       const char **error_r)
{
    int status;

    memset(t, 0, sizeof(*t));
    if ((status = pk_addr_parse(text, PK_ADDR_CATCHALL, &t->addr, error_r)) !=
        PK_OK)
        return status;
    pk_addr_format(&t->addr, t->text);
    if (t->addr.local[0] == 0) /* a domain: only itself */
        return pk_strlist_add(&t->domains, t->addr.domain);
    return collect_alias_domains(txn, t, error_r);
}

struct refuse {
    const char *target;
    const char **error_r;
};

/* refuse_one - the first referrer (not the entry itself) stops the scan */

static int refuse_one(const char *who, const struct pk_entry *ent, void *ctx)
{
    struct refuse *r = ctx;

    if (strcmp(who, r->target) == 0)
        return PK_OK;
    *r->error_r = pk_error("%s %s still delivers to %s; change it first",
                           ent->type == PK_REC_ALIAS ? "alias" : "account", who,
                           r->target);
    return PK_EINVAL;
}

/* pk_refs_unreferenced - nothing delivers to the entry */

int pk_refs_unreferenced(struct pk_txn *txn, const char *text,
                         const char **error_r)
{
    struct target t;
    struct refuse r = {.error_r = error_r};
    int status;

    if ((status = target_init(txn, text, &t, error_r)) == PK_OK) {
        r.target = t.text;
        status = scan(txn, &t, 1, refuse_one, &r, error_r);
    }
    pk_strlist_free(&t.domains);
    return status;
}

struct level {
    struct pk_txn *txn;
    struct pk_strlist *visited;
    struct pk_strlist next;
    const char **error_r;
};

/* revalidate_one - resolve one referrer strictly; queue it for the next level */

static int revalidate_one(const char *who, const struct pk_entry *ent,
                          void *ctx)
{
    struct level *lv = ctx;
    struct pk_resolution res;
    int status;

    if (pk_strlist_has(lv->visited, who))
        return PK_OK;
    if ((status = pk_resolve(lv->txn, who, PK_RESOLVE_STRICT, &res,
                             lv->error_r)) != PK_OK)
        return status;
    pk_resolve_free(&res);
    if ((status = pk_strlist_add(lv->visited, who)) != PK_OK)
        return status;
    return pk_strlist_add(&lv->next, who);
}

/* pk_refs_revalidate - re-check everything that reaches a changed entry */

int pk_refs_revalidate(struct pk_txn *txn, const char *text,
                       const char **error_r)
{
    struct pk_strlist visited = {0}, frontier = {0};
    struct target *targets = NULL;
    struct level lv = {.txn = txn, .visited = &visited, .error_r = error_r};
    int status;

    if ((status = pk_strlist_add(&frontier, text)) != PK_OK ||
        (status = pk_strlist_add(&visited, text)) != PK_OK)
        goto done;
    for (int depth = 0; frontier.count > 0 && depth <= PK_RESOLVE_MAX_DEPTH;
         depth++) {
        if ((targets = calloc(frontier.count, sizeof(*targets))) == NULL) {
            status = PK_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < frontier.count && status == PK_OK; i++)
            status = target_init(txn, frontier.items[i], &targets[i], error_r);
        if (status == PK_OK)
            status = scan(txn, targets, frontier.count, revalidate_one, &lv,
                          error_r);
        for (size_t i = 0; i < frontier.count; i++)
            pk_strlist_free(&targets[i].domains);
        free(targets);
        targets = NULL;
        pk_strlist_free(&frontier);
        frontier = lv.next;
        memset(&lv.next, 0, sizeof(lv.next));
        if (status != PK_OK)
            break;
    }
done:
    pk_strlist_free(&frontier);
    pk_strlist_free(&lv.next);
    pk_strlist_free(&visited);
    return status;
}

/* pk_refs_hint - the hint for one stored destination */

unsigned char pk_refs_hint(struct pk_txn *txn, const char *dest, size_t len)
{
    struct pk_entry_view view;
    const char *error;
    char key[PK_KEY_MAX];
    const void *val;
    size_t vlen, dlen;

    if (!pk_addr_text_key(dest, len, key, &dlen))
        return PK_HINT_NONE;
    if (pk_txn_get(txn, PK_DB_ADDRESSES, key, len, &val, &vlen, &error) !=
            PK_OK ||
        pk_record_view_entry(val, vlen, &view) != PK_OK ||
        view.type != PK_REC_ACCOUNT || view.count != 0)
        return PK_HINT_NONE;
    return PK_HINT_MAILBOX;
}

/* pk_refs_hints - the hints of a list of destinations */

void pk_refs_hints(struct pk_txn *txn, const struct pk_strlist *dests,
                   unsigned char *hints)
{
    for (size_t i = 0; i < dests->count; i++)
        hints[i] = pk_refs_hint(txn, dests->items[i], strlen(dests->items[i]));
}

/* hints_address - does an alias hint this address */

static bool hints_address(const struct pk_entry *ent, const char *text)
{
    const struct pk_alias *ali = &ent->u.alias;

    if (ent->type != PK_REC_ALIAS || ali->hints == NULL)
        return false;
    for (size_t i = 0; i < ali->dest.count; i++)
        if (ali->hints[i] != PK_HINT_NONE &&
            strcmp(ali->dest.items[i], text) == 0)
            return true;
    return false;
}

/* rehint_one - write an alias again; pk_entry_put() makes its hints */

static int rehint_one(struct pk_txn *txn, const char *who, const char *text,
                      const char **error_r)
{
    struct pk_entry ent;
    int status;

    if ((status = pk_entry_get(txn, who, &ent, error_r)) != PK_OK)
        return status == PK_NOTFOUND ? PK_OK : status;
    if (hints_address(&ent, text))
        status = pk_entry_put(txn, who, &ent, 0, error_r);
    pk_entry_free(&ent);
    return status;
}

/* pk_refs_rehint - revise the aliases that hint an address */

int pk_refs_rehint(struct pk_txn *txn, const char *text, const char **error_r)
{
    struct pk_strlist who = {0};
    struct pk_cursor *cur;
    struct pk_addr addr;
    char name[PK_ADDR_MAX + 1];
    const void *key, *val;
    size_t klen, vlen, tlen = strlen(text);
    int status;

    if ((status = pk_cursor_open(txn, PK_DB_ADDRESSES, NULL, 0, &cur,
                                 error_r)) != PK_OK)
        return status;
    /* Candidates first: the table must not change under the cursor. */
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        const unsigned char *v = val;

        if (vlen < 2 || v[0] != PK_REC_ALIAS || v[1] < 2 ||
            memmem(val, vlen, text, tlen) == NULL ||
            pk_addr_from_key(key, klen, &addr) != PK_OK)
            continue;
        pk_addr_format(&addr, name);
        if ((status = pk_strlist_add(&who, name)) != PK_OK)
            break;
    }
    pk_cursor_close(&cur);
    if (status == PK_NOTFOUND)
        status = PK_OK;
    for (size_t i = 0; i < who.count && status == PK_OK; i++)
        status = rehint_one(txn, who.items[i], text, error_r);
    pk_strlist_free(&who);
    return status;
}
