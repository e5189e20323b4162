/*++
/* NAME
/*	ldapplan-order 3
/* SUMMARY
/*	the order of directory writes in which every step is valid
/* SYNOPSIS
/*	#include "ldapplan.h"
/* DESCRIPTION
/*	pk_ldapplan_order(); the rules are in ldapplan.h. Each object has
/*	an identity (a space letter and its name); each operation's
/*	references, old and new, become "must come before" edges to the
/*	operations on the objects they name, and a topological sort
/*	(Kahn) with a priority queue puts the operations in order, so that
/*	operations left free keep a fixed order. The core never stores a
/*	reference cycle; should the old and new states together form one,
/*	the operation of lowest priority goes first.
/* DIAGNOSTICS
/*	PK_OK; PK_ENOMEM.
/*--*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldapplan.h"

/* An object's identity: space letter, name, and " selector" for keys. */
#define ID_MAX (1 + PK_ADDR_MAX + 1 + PK_DKIM_SELECTOR_MAX + 1)

/* obj_id - the identity of an object */

static void obj_id(const struct pk_ldapobj *o, char id[ID_MAX])
{
    char space = o->kind == PK_LDAP_DOMAIN || o->kind == PK_LDAP_DOMAIN_ALIAS
                     ? 'd'
                 : o->kind == PK_LDAP_DKIM      ? 'k'
                 : o->kind == PK_LDAP_HEARTBEAT ? 'h'
                                                : 'a';

    if (space == 'k')
        snprintf(id, ID_MAX, "k%s %s", o->item.name, o->selector);
    else
        snprintf(id, ID_MAX, "%c%s", space, o->item.name);
}

typedef void ref_fn(const char *, void *);

/* domain_ref - the domain of an address refers to it */

static void domain_ref(const char *address, ref_fn *fn, void *ctx)
{
    const char *at = strrchr(address, '@');
    char id[ID_MAX];

    if (at != NULL) {
        snprintf(id, sizeof(id), "d%s", at + 1);
        fn(id, ctx);
    }
}

/* address_refs - a local address, its subaddress base, and its domain */

static void address_refs(const char *address, char delim, ref_fn *fn, void *ctx)
{
    const char *at = strrchr(address, '@');
    const char *plus;
    char id[ID_MAX];

    snprintf(id, sizeof(id), "a%s", address);
    fn(id, ctx);
    if (at != NULL && delim != 0 &&
        (plus = memchr(address, delim, at - address)) != NULL &&
        plus > address) {
        snprintf(id, sizeof(id), "a%.*s%s", (int)(plus - address), address, at);
        fn(id, ctx);
    }
    domain_ref(address, fn, ctx);
}

/* obj_refs - every object an object refers to */

static void obj_refs(const struct pk_ldapobj *o, char delim, ref_fn *fn,
                     void *ctx)
{
    const struct pk_strlist *list = NULL;
    char id[ID_MAX];

    switch (o->kind) {
    case PK_LDAP_DOMAIN_ALIAS:
        snprintf(id, sizeof(id), "d%s", o->item.target);
        fn(id, ctx);
        return;
    case PK_LDAP_DKIM:
        snprintf(id, sizeof(id), "d%s", o->item.name);
        fn(id, ctx);
        return;
    case PK_LDAP_ACCOUNT:
        list = &o->item.entry.u.account.forward;
        for (size_t i = 0; i < o->sendas.count; i++)
            address_refs(o->sendas.items[i], delim, fn, ctx);
        break;
    case PK_LDAP_ALIAS:
        list = &o->item.entry.u.alias.dest;
        break;
    default:
        return;
    }
    domain_ref(o->item.name, fn, ctx);
    for (size_t i = 0; i < list->count; i++)
        address_refs(list->items[i], delim, fn, ctx);
}

struct idx {
    char *id;
    size_t op;
};

struct edge {
    size_t from, to;
};

struct order {
    struct pk_ldapplan *plan;
    struct idx *idx; /* sorted by id, then op */
    struct edge *edges;
    size_t nedges, size;
    size_t self;    /* the operation whose references are walked */
    bool old_state; /* walking what self referred to before */
    bool failed;
};

/* idx_cmp - id, then operation */

static int idx_cmp(const void *va, const void *vb)
{
    const struct idx *a = va, *b = vb;
    int c = strcmp(a->id, b->id);

    return c ? c : (a->op > b->op) - (a->op < b->op);
}

/* first_of - the first index entry with an id, or plan->count */

static size_t first_of(const struct order *o, const char *id)
{
    size_t lo = 0, hi = o->plan->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(o->idx[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* edge - "from" must come before "to" */

static void edge(struct order *o, size_t from, size_t to)
{
    struct edge *grown;

    if (from == to)
        return;
    if (o->nedges == o->size) {
        size_t size = o->size ? 2 * o->size : 16;

        if ((grown = realloc(o->edges, size * sizeof(*grown))) == NULL) {
            o->failed = true;
            return;
        }
        o->edges = grown;
        o->size = size;
    }
    o->edges[o->nedges].from = from;
    o->edges[o->nedges].to = to;
    o->nedges++;
}

/* on_ref - one reference of self: which operations it orders against */

static void on_ref(const char *id, void *ctx)
{
    struct order *o = ctx;
    const struct pk_ldapop *ops = o->plan->ops;

    for (size_t i = first_of(o, id);
         i < o->plan->count && strcmp(o->idx[i].id, id) == 0; i++) {
        size_t other = o->idx[i].op;

        /* A new reference waits for its target to be added; a dropped
         * one goes before its target is deleted. */
        if (!o->old_state && ops[other].type == PK_LDAPOP_ADD)
            edge(o, other, o->self);
        else if (o->old_state && ops[other].type == PK_LDAPOP_DELETE)
            edge(o, o->self, other);
    }
}

/* build_edges - every "must come before" of a plan */

static void build_edges(struct order *o)
{
    const struct pk_ldapplan *plan = o->plan;
    char id[ID_MAX];

    for (size_t b = 0; b < plan->count && !o->failed; b++) {
        const struct pk_ldapop *op = &plan->ops[b];

        o->self = b;
        o->old_state = false;
        if (op->type != PK_LDAPOP_DELETE)
            obj_refs(&op->obj, plan->delimiter, on_ref, o);
        o->old_state = true;
        if (op->type == PK_LDAPOP_DELETE)
            obj_refs(&op->obj, plan->delimiter, on_ref, o);
        else if (op->has_old)
            obj_refs(&op->old, plan->delimiter, on_ref, o);
        /* A class change: the delete of the same name goes first. */
        if (op->type == PK_LDAPOP_ADD) {
            obj_id(&op->obj, id);
            for (size_t i = first_of(o, id);
                 i < plan->count && strcmp(o->idx[i].id, id) == 0; i++)
                if (plan->ops[o->idx[i].op].type == PK_LDAPOP_DELETE)
                    edge(o, o->idx[i].op, b);
        }
    }
}

/* rank - the fixed order of operations the rules leave free */

static size_t rank(const struct pk_ldapop *op)
{
    static const size_t up[] = {
        [PK_LDAP_DOMAIN] = 0,  [PK_LDAP_DOMAIN_ALIAS] = 1,
        [PK_LDAP_ACCOUNT] = 2, [PK_LDAP_DKIM] = 3,
        [PK_LDAP_ALIAS] = 4,   [PK_LDAP_HEARTBEAT] = 5,
    };

    return op->type == PK_LDAPOP_DELETE ? 11 - up[op->obj.kind]
                                        : up[op->obj.kind];
}

/* heap_push, heap_pop - a min-heap of keys rank * n + capture index */

static void heap_push(size_t *heap, size_t *len, size_t key)
{
    size_t i = (*len)++;

    while (i > 0 && heap[(i - 1) / 2] > key) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = key;
}

static size_t heap_pop(size_t *heap, size_t *len)
{
    size_t top = heap[0], last = heap[--(*len)], i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= *len)
            break;
        if (c + 1 < *len && heap[c + 1] < heap[c])
            c++;
        if (heap[c] >= last)
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (*len > 0)
        heap[i] = last;
    return top;
}

/* edge_cmp - by "from", for adjacency lists */

static int edge_cmp(const void *va, const void *vb)
{
    const struct edge *a = va, *b = vb;

    return (a->from > b->from) - (a->from < b->from);
}

/* kahn - the order; out[] gets operation indices */

static int kahn(struct order *o, size_t *out)
{
    size_t n = o->plan->count, *indeg, *start, *heap, hlen = 0, done = 0;
    bool *placed;
    int status = PK_ENOMEM;

    indeg = calloc(n + 1, sizeof(*indeg));
    start = calloc(n + 2, sizeof(*start));
    heap = calloc(n + 1, sizeof(*heap));
    placed = calloc(n + 1, sizeof(*placed));
    if (indeg == NULL || start == NULL || heap == NULL || placed == NULL)
        goto done;
    qsort(o->edges, o->nedges, sizeof(*o->edges), edge_cmp);
    for (size_t e = 0; e < o->nedges; e++) {
        indeg[o->edges[e].to]++;
        start[o->edges[e].from + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    for (size_t i = 0; i < n; i++)
        if (indeg[i] == 0)
            heap_push(heap, &hlen, rank(&o->plan->ops[i]) * n + i);
    while (done < n) {
        size_t v;

        if (hlen == 0) {
            /* A cycle: the unplaced operation of lowest key goes. */
            size_t best = SIZE_MAX;

            for (size_t i = 0; i < n; i++)
                if (!placed[i] && rank(&o->plan->ops[i]) * n + i < best)
                    best = rank(&o->plan->ops[i]) * n + i;
            heap_push(heap, &hlen, best);
        }
        v = heap_pop(heap, &hlen) % n;
        if (placed[v])
            continue;
        placed[v] = true;
        out[done++] = v;
        for (size_t e = start[v]; e < start[v + 1]; e++) {
            size_t w = o->edges[e].to;

            if (indeg[w] > 0 && --indeg[w] == 0 && !placed[w])
                heap_push(heap, &hlen, rank(&o->plan->ops[w]) * n + w);
        }
    }
    status = PK_OK;
done:
    free(indeg);
    free(start);
    free(heap);
    free(placed);
    return status;
}

/* pk_ldapplan_order - an order in which every step is a valid state */

int pk_ldapplan_order(struct pk_ldapplan *plan, const char **error_r)
{
    struct order o = {.plan = plan};
    struct pk_ldapop *sorted = NULL;
    size_t n = plan->count, *seq = NULL;
    char id[ID_MAX];
    int status = PK_ENOMEM;

    if (n < 2)
        return PK_OK;
    if ((o.idx = calloc(n, sizeof(*o.idx))) == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        obj_id(&plan->ops[i].obj, id);
        o.idx[i].op = i;
        if ((o.idx[i].id = strdup(id)) == NULL)
            goto done;
    }
    qsort(o.idx, n, sizeof(*o.idx), idx_cmp);
    build_edges(&o);
    if (o.failed || (seq = calloc(n, sizeof(*seq))) == NULL ||
        (sorted = calloc(n, sizeof(*sorted))) == NULL ||
        (status = kahn(&o, seq)) != PK_OK)
        goto done;
    for (size_t i = 0; i < n; i++)
        sorted[i] = plan->ops[seq[i]];
    memcpy(plan->ops, sorted, n * sizeof(*sorted));
done:
    for (size_t i = 0; o.idx != NULL && i < n; i++)
        free(o.idx[i].id);
    free(o.idx);
    free(o.edges);
    free(seq);
    free(sorted);
    if (status != PK_OK)
        *error_r = pk_error("out of memory while ordering directory changes");
    return status;
}
