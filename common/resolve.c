/*++
/* NAME
/*	resolve 3
/* SUMMARY
/*	where mail for an address goes
/* SYNOPSIS
/*	#include "resolve.h"
/* DESCRIPTION
/*	See resolve.h for the order of the rules. The walk keeps the path
/*	of aliases it is inside, so a loop is found where it closes, while
/*	two aliases that share a destination (a diamond) are fine; a visit
/*	budget bounds the work of any shape of alias graph.
/*
/*	Speed: entries are read as views into LMDB's memory (nothing is
/*	copied or allocated per entry), and an alias destination that the
/*	record hints as a final mailbox (record.h) is taken as it is
/*	under PK_RESOLVE_NO_STATE, without reading it, except under PK_RESOLVE_STRICT (which checks the
/*	truth) and PK_RESOLVE_EXPLAIN (which tells each step).
/* DIAGNOSTICS
/*	PK_ELIMIT for a loop, too deep a nesting or too many destinations;
/*	PK_EINVAL for an unknown local destination under PK_RESOLVE_STRICT;
/*	PK_ECORRUPT or PK_ETEMP from the store.
/*--*/

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "domain.h"
#include "resolve.h"

#define PK_RESOLVE_MAX_VISITS (10 * PK_RESOLVE_MAX_DEST)

struct walk {
    struct pk_txn *txn;
    unsigned flags;
    struct pk_resolution *res;
    const char *path[PK_RESOLVE_MAX_DEPTH + 2];
    int depth;
    size_t visits;
    size_t dest_alloc;
    const char **error_r;
};

/* A match points into the value LMDB holds: nothing to free. The
 * address it matched is the caller's or one of the match's own
 * rewritten forms, so nothing is copied on the common path. */
struct match {
    enum pk_kind kind;
    const struct pk_addr *addr; /* the entry that matched */
    struct pk_entry_view ent;
    struct pk_addr alt, base; /* alias domain, subaddress or catch-all */
};

static int expand(struct walk *, const struct pk_addr *);

/* explain - record one step when asked to */

static void explain(struct walk *w, const char *fmt, ...)
{
    char buf[PK_ADDR_MAX * 3];
    va_list ap;

    if (!(w->flags & PK_RESOLVE_EXPLAIN))
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    pk_strlist_add(&w->res->steps, buf);
}

/* addr_from_stored - split a stored, already normalized destination */

static int addr_from_stored(const char *text, size_t len, struct pk_addr *addr,
                            const char **error_r)
{
    const char *at = NULL;
    size_t llen, dlen;

    for (size_t i = 0; i < len; i++)
        if (text[i] == '@')
            at = text + i;
    if (at == NULL || (llen = at - text) > PK_LOCAL_MAX ||
        (dlen = text + len - at - 1) == 0 || dlen > PK_DOMAIN_MAX) {
        *error_r = pk_error("a stored destination \"%.*s\" is corrupt",
                            (int)(len < 64 ? len : 64), text);
        return PK_ECORRUPT;
    }
    memcpy(addr->local, text, llen);
    addr->local[llen] = 0;
    memcpy(addr->domain, at + 1, dlen);
    addr->domain[dlen] = 0;
    return PK_OK;
}

/* try_entry - one exact lookup; PK_OK with the match filled in */

static int try_entry(struct walk *w, const struct pk_addr *addr,
                     struct match *m, enum pk_kind alias_kind)
{
    char key[PK_KEY_MAX], text[PK_ADDR_MAX + 1];
    const void *val;
    size_t klen = pk_addr_key(addr, key), vlen;
    int status;

    status =
        pk_txn_get(w->txn, PK_DB_ADDRESSES, key, klen, &val, &vlen, w->error_r);
    if (status != PK_OK)
        return status;
    if ((status = pk_record_view_entry(val, vlen, &m->ent)) != PK_OK) {
        pk_addr_format(addr, text);
        *w->error_r =
            pk_error("the record of %s is %s", text, pk_strstatus(status));
        return status;
    }
    m->addr = addr;
    m->kind = m->ent.type == PK_REC_ACCOUNT ? PK_KIND_ACCOUNT : alias_kind;
    return PK_OK;
}

/* match - steps 1 to 5 for one address */

static int match(struct walk *w, const struct pk_addr *in, struct match *m)
{
    struct pk_domain dom;
    const struct pk_addr *cur = in;
    char delim = pk_txn_delimiter(w->txn);
    int status;

    m->kind = PK_KIND_UNKNOWN;
    /* Step 1-2 first: an entry exists only in a domain of ours, so a hit
     * needs one lookup, and the domain is read only on the slower paths. */
    if (in->local[0] != 0 &&
        (status = try_entry(w, in, m, PK_KIND_ALIAS)) != PK_NOTFOUND)
        return status;
    status = pk_domain_lookup(w->txn, in->domain, &dom, w->error_r);
    if (status == PK_NOTFOUND) {
        m->kind = PK_KIND_EXTERNAL;
        return PK_OK;
    }
    if (status != PK_OK)
        return status;
    if (in->local[0] == 0) /* "@domain" itself */
        return (status = try_entry(w, in, m, PK_KIND_CATCHALL)) == PK_NOTFOUND
                   ? PK_OK
                   : status;
    if (dom.kind == PK_DOMAIN_ALIAS) {
        m->alt = *in;
        snprintf(m->alt.domain, sizeof(m->alt.domain), "%s", dom.target);
        cur = &m->alt;
        explain(w, "%s is an alias domain of %s", in->domain, dom.target);
        if ((status = try_entry(w, cur, m, PK_KIND_ALIAS)) != PK_NOTFOUND)
            return status;
    }
    if (pk_addr_subaddress_base(cur, delim, &m->base)) {
        explain(w, "%s@%s has a subaddress; trying %s@%s", cur->local,
                cur->domain, m->base.local, m->base.domain);
        if ((status = try_entry(w, &m->base, m, PK_KIND_ALIAS)) != PK_NOTFOUND)
            return status;
    }
    /* The flag is kept true by every writer (record.h); an alias
     * domain's record says nothing about its target's catch-all. */
    if ((w->flags & PK_RESOLVE_NO_CATCHALL) ||
        (dom.kind == PK_DOMAIN_HOSTED && dom.catchall == PK_CATCHALL_NONE))
        return PK_OK;
    m->base = *cur;
    m->base.local[0] = 0;
    status = try_entry(w, &m->base, m, PK_KIND_CATCHALL);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* add_dest - append a final destination, once */

static int add_dest(struct walk *w, const char *text, size_t len, bool mailbox,
                    enum pk_account_state state)
{
    struct pk_resolution *res = w->res;
    struct pk_dest *d;

    if (len > PK_ADDR_MAX) {
        *w->error_r = pk_error("a destination of %zu octets is corrupt", len);
        return PK_ECORRUPT;
    }
    for (size_t i = 0; i < res->dest_count; i++)
        if (strncmp(res->dest[i].address, text, len) == 0 &&
            res->dest[i].address[len] == 0)
            return PK_OK;
    if (res->dest_count >= PK_RESOLVE_MAX_DEST) {
        *w->error_r = pk_error("%s expands to more than %d destinations",
                               res->address, PK_RESOLVE_MAX_DEST);
        return PK_ELIMIT;
    }
    if (res->dest_count == w->dest_alloc) {
        size_t n = w->dest_alloc * 2;

        /* The inline array first; then the heap, leaving it behind. */
        if (res->dest == res->inline_dest) {
            if ((d = malloc(n * sizeof(*d))) == NULL)
                return PK_ENOMEM;
            memcpy(d, res->dest, res->dest_count * sizeof(*d));
        } else if ((d = realloc(res->dest, n * sizeof(*d))) == NULL) {
            return PK_ENOMEM;
        }
        res->dest = d;
        w->dest_alloc = n;
    }
    d = &res->dest[res->dest_count++];
    memcpy(d->address, text, len);
    d->address[len] = 0;
    d->mailbox = mailbox;
    d->state = state;
    d->state_unknown = false;
    return PK_OK;
}

/* on_path - is an entry already being expanded above us */

static bool on_path(const struct walk *w, const char *text)
{
    for (int i = 0; i < w->depth; i++)
        if (strcmp(w->path[i], text) == 0)
            return true;
    return false;
}

/* visit - count one more entry the walk goes through */

static int visit(struct walk *w)
{
    if (++w->visits > PK_RESOLVE_MAX_VISITS) {
        *w->error_r = pk_error("%s expands through more than %d entries",
                               w->res->address, PK_RESOLVE_MAX_VISITS);
        return PK_ELIMIT;
    }
    return PK_OK;
}

/* hinted - a destination the record says is a final mailbox; no lookup */

static int hinted(struct walk *w, const char *text, size_t len)
{
    size_t before = w->res->dest_count;
    int status;

    if ((status = visit(w)) != PK_OK ||
        (status = add_dest(w, text, len, true, PK_STATE_ACTIVE)) != PK_OK)
        return status;
    /* Listed before (then with its state, if it was read): leave it. */
    if (w->res->dest_count > before)
        w->res->dest[before].state_unknown = true;
    return PK_OK;
}

/* expand_list - expand each destination of an alias or forward */

static int expand_list(struct walk *w, const char *self,
                       const struct pk_entry_view *view)
{
    const unsigned char *pos = view->list;
    /* Hints are the truth the writers keep; a check or an explanation
     * reads every entry instead. */
    bool use_hints = view->hints != NULL && (w->flags & PK_RESOLVE_NO_STATE) &&
                     !(w->flags & (PK_RESOLVE_EXPLAIN | PK_RESOLVE_STRICT));
    struct pk_addr next;
    const char *dest;
    size_t len;
    int status = PK_OK;

    if (w->depth >= PK_RESOLVE_MAX_DEPTH) {
        *w->error_r = pk_error("aliases nest deeper than %d levels at %s",
                               PK_RESOLVE_MAX_DEPTH, self);
        return PK_ELIMIT;
    }
    w->path[w->depth++] = self;
    for (size_t i = 0; i < view->count && status == PK_OK; i++) {
        dest = pk_view_next(&pos, &len);
        explain(w, "%s delivers to %.*s", self, (int)len, dest);
        if (use_hints && view->hints[i] != PK_HINT_NONE)
            status = hinted(w, dest, len);
        else if ((status = addr_from_stored(dest, len, &next, w->error_r)) ==
                 PK_OK)
            status = expand(w, &next);
    }
    w->depth--;
    return status;
}

/* expand_account - a mailbox, or where its forwarding sends mail */

static int expand_account(struct walk *w, const char *text,
                          const struct pk_entry_view *acc)
{
    int status;

    if (acc->count == 0 || on_path(w, text) ||
        (w->flags & PK_RESOLVE_NO_FORWARD)) {
        explain(w, "%s is a mailbox (%s)", text, pk_state_name(acc->state));
        return add_dest(w, text, strlen(text), true, acc->state);
    }
    explain(w, "%s forwards%s", text, acc->keep_copy ? ", keeping a copy" : "");
    if ((status = expand_list(w, text, acc)) != PK_OK)
        return status;
    if (acc->keep_copy)
        return add_dest(w, text, strlen(text), true, acc->state);
    return PK_OK;
}

/* expand_match - follow a match to its final destinations; mtext is
 * the matched entry's address when the caller has it, else NULL */

static int expand_match(struct walk *w, const char *text, struct match *m,
                        const char *mtext)
{
    char buf[PK_ADDR_MAX + 1];
    int status;

    if (m->kind == PK_KIND_EXTERNAL) {
        explain(w, "%s is outside: delivered as it is", text);
        return add_dest(w, text, strlen(text), false, PK_STATE_ACTIVE);
    }
    /* A destination that only the catch-all takes is a typo in waiting. */
    if (m->kind == PK_KIND_CATCHALL && w->depth > 0 &&
        (w->flags & PK_RESOLVE_STRICT)) {
        *w->error_r = pk_error("%s is not an account or alias here "
                               "(only the catch-all would take it)",
                               text);
        return PK_EINVAL;
    }
    if (m->kind == PK_KIND_UNKNOWN) {
        explain(w, "nothing matches %s", text);
        if (!(w->flags & PK_RESOLVE_STRICT))
            return PK_OK;
        *w->error_r = pk_error("%s is not an account or alias here", text);
        return PK_EINVAL;
    }
    if (mtext == NULL) {
        pk_addr_format(m->addr, buf);
        mtext = buf;
    }
    if (m->kind == PK_KIND_ACCOUNT) {
        status = expand_account(w, mtext, &m->ent);
    } else if (on_path(w, mtext)) {
        *w->error_r = pk_error("alias loop: %s leads back to itself", mtext);
        status = PK_ELIMIT;
    } else {
        explain(w, "%s is %s", mtext,
                m->kind == PK_KIND_CATCHALL ? "the catch-all" : "an alias");
        status = expand_list(w, mtext, &m->ent);
    }
    return status;
}

/* expand - follow one address to its final destinations */

static int expand(struct walk *w, const struct pk_addr *in)
{
    struct match m;
    char text[PK_ADDR_MAX + 1];
    int status;

    if ((status = visit(w)) != PK_OK)
        return status;
    pk_addr_format(in, text);
    if ((status = match(w, in, &m)) != PK_OK)
        return status;
    return expand_match(w, text, &m, NULL);
}

/* pk_resolve - where mail for an address goes */

int pk_resolve(struct pk_txn *txn, const char *input, unsigned flags,
               struct pk_resolution *res, const char **error_r)
{
    struct walk w = {.txn = txn,
                     .flags = flags,
                     .res = res,
                     .dest_alloc = PK_RESOLVE_INLINE_DEST,
                     .error_r = error_r};
    struct pk_addr addr;
    struct match m;
    int status;

    /* Not the inline destinations: filled in as they are added. */
    memset(res, 0, offsetof(struct pk_resolution, inline_dest));
    res->dest = res->inline_dest;
    if ((status = pk_addr_parse(input, PK_ADDR_CATCHALL, &addr, error_r)) !=
        PK_OK)
        return status;
    pk_addr_format(&addr, res->address);
    if ((status = match(&w, &addr, &m)) != PK_OK) {
        pk_resolve_free(res);
        return status;
    }
    res->kind = m.kind;
    if (m.kind != PK_KIND_UNKNOWN && m.kind != PK_KIND_EXTERNAL) {
        if (m.addr == &addr)
            memcpy(res->matched, res->address, sizeof(res->matched));
        else
            pk_addr_format(m.addr, res->matched);
    }
    if (!(flags & PK_RESOLVE_TOP_ONLY)) {
        w.visits = 1;
        status = expand_match(&w, res->address, &m, res->matched);
    }
    if (status != PK_OK)
        pk_resolve_free(res);
    return status;
}

/* pk_resolve_free - release a resolution */

void pk_resolve_free(struct pk_resolution *res)
{
    if (res->dest != res->inline_dest)
        free(res->dest);
    res->dest = NULL;
    res->dest_count = 0;
    pk_strlist_free(&res->steps);
}

/* pk_kind_name - the name of a resolution kind */

const char *pk_kind_name(enum pk_kind kind)
{
    switch (kind) {
    case PK_KIND_ACCOUNT:
        return "account";
    case PK_KIND_ALIAS:
        return "alias";
    case PK_KIND_CATCHALL:
        return "catchall";
    case PK_KIND_EXTERNAL:
        return "external";
    default:
        return "unknown";
    }
}
