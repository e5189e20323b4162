/*++
/* NAME
/*	ldapmap 3
/* SUMMARY
/*	postkontor objects as LDAP entries
/* SYNOPSIS
/*	#include "ldapmap.h"
/* DESCRIPTION
/*	See ldapmap.h. The attribute and class names are those of
/*	doc/postkontor.schema; a change there needs a change here.
/* DIAGNOSTICS
/*	PK_OK; PK_NOTFOUND (not a postkontor entry); PK_EINVAL naming the
/*	attribute; PK_ELIMIT (DN too long); PK_ENOMEM.
/* SECURITY
/*	Entries are untrusted network input: values are bounded
/*	(PK_LDAP_VALUE_MAX), may not hold a NUL, and pass the same checks
/*	as any other input to the core before anything is copied.
/*--*/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "alias.h"
#include "ldapmap.h"
#include "password.h"

/* The structural classes of the schema, and what they map to. */
static const struct {
    const char *name;
    enum pk_ldap_kind kind;
} classes[] = {
    {"pkDomain", PK_LDAP_DOMAIN},   {"pkAliasDomain", PK_LDAP_DOMAIN_ALIAS},
    {"pkAccount", PK_LDAP_ACCOUNT}, {"pkAlias", PK_LDAP_ALIAS},
    {"pkDkimKey", PK_LDAP_DKIM},    {"pkHeartbeat", PK_LDAP_HEARTBEAT},
};

#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

/* pk_ldapmap_kind_name - the object class of a kind */

const char *pk_ldapmap_kind_name(enum pk_ldap_kind kind)
{
    for (size_t i = 0; i < NCLASSES; i++)
        if (classes[i].kind == kind)
            return classes[i].name;
    return "unknown";
}

/* find_attr - an attribute by name; NULL if absent */

static const struct pk_ldap_attr *find_attr(const struct pk_ldap_entry *e,
                                            const char *name)
{
    for (size_t i = 0; i < e->count; i++)
        if (e->attrs[i].name != NULL && strcasecmp(e->attrs[i].name, name) == 0)
            return &e->attrs[i];
    return NULL;
}

/* value_text - a bounded, NUL-free value as a C string in buf */

static int value_text(const char *attr, const struct pk_ldap_value *v,
                      char *buf, size_t size, const char **error_r)
{
    if (v->data == NULL || v->len >= size || memchr(v->data, 0, v->len)) {
        *error_r = pk_error("%s: value is too long or holds a NUL", attr);
        return PK_EINVAL;
    }
    memcpy(buf, v->data, v->len);
    buf[v->len] = 0;
    return PK_OK;
}

/* single - the one value of a SINGLE-VALUE attribute; PK_NOTFOUND if absent */

static int single(const struct pk_ldap_entry *e, const char *name, char *buf,
                  size_t size, const char **error_r)
{
    const struct pk_ldap_attr *a = find_attr(e, name);

    if (a == NULL || a->count == 0)
        return PK_NOTFOUND;
    if (a->count != 1) {
        *error_r = pk_error("%s: more than one value", name);
        return PK_EINVAL;
    }
    return value_text(name, &a->values[0], buf, size, error_r);
}

/* required - single() that refuses an absent attribute */

static int required(const struct pk_ldap_entry *e, const char *name, char *buf,
                    size_t size, const char **error_r)
{
    int status = single(e, name, buf, size, error_r);

    if (status == PK_NOTFOUND) {
        *error_r = pk_error("%s is missing", name);
        return PK_EINVAL;
    }
    return status;
}

/* pk_ldapmap_uint - RFC 4517 INTEGER, non-negative, fits in 64 bits */

int pk_ldapmap_uint(const char *s, size_t len, uint64_t *value_r)
{
    uint64_t v = 0;

    /* No sign, no leading zero except "0" itself, no white space. */
    if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
        return PK_EINVAL;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';

        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return PK_EINVAL;
        v = v * 10 + d;
    }
    *value_r = v;
    return PK_OK;
}

/* pk_ldapmap_bool - RFC 4517 BOOLEAN */

int pk_ldapmap_bool(const char *s, size_t len, bool *value_r)
{
    if (len == 4 && memcmp(s, "TRUE", 4) == 0)
        *value_r = true;
    else if (len == 5 && memcmp(s, "FALSE", 5) == 0)
        *value_r = false;
    else
        return PK_EINVAL;
    return PK_OK;
}

/* get_uint - an optional INTEGER attribute; *set_r says if it was there */

static int get_uint(const struct pk_ldap_entry *e, const char *name,
                    uint64_t *value_r, bool *set_r, const char **error_r)
{
    char buf[32];
    int status = single(e, name, buf, sizeof(buf), error_r);

    if (set_r != NULL)
        *set_r = status == PK_OK;
    if (status == PK_NOTFOUND)
        return PK_OK;
    if (status != PK_OK)
        return status;
    if (pk_ldapmap_uint(buf, strlen(buf), value_r) != PK_OK) {
        *error_r = pk_error("%s: not a non-negative integer", name);
        return PK_EINVAL;
    }
    return PK_OK;
}

/* get_bool - an optional BOOLEAN attribute; absent is FALSE */

static int get_bool(const struct pk_ldap_entry *e, const char *name,
                    bool *value_r, const char **error_r)
{
    char buf[8];
    int status = single(e, name, buf, sizeof(buf), error_r);

    *value_r = false;
    if (status == PK_NOTFOUND)
        return PK_OK;
    if (status != PK_OK)
        return status;
    if (pk_ldapmap_bool(buf, strlen(buf), value_r) != PK_OK) {
        *error_r = pk_error("%s: not TRUE or FALSE", name);
        return PK_EINVAL;
    }
    return PK_OK;
}

/* get_domain - a required domain attribute, normalized */

static int get_domain(const struct pk_ldap_entry *e, const char *name,
                      char out[PK_DOMAIN_MAX + 1], const char **error_r)
{
    char buf[PK_DOMAIN_MAX + 1];
    int status;

    if ((status = required(e, name, buf, sizeof(buf), error_r)) != PK_OK)
        return status;
    if ((status = pk_addr_parse_domain(buf, out, error_r)) != PK_OK)
        *error_r = pk_error("%s: %s", name, *error_r);
    return status;
}

/* get_address - the pkAddress of an account or alias, normalized */

static int get_address(const struct pk_ldap_entry *e, bool catchall,
                       char out[PK_ADDR_MAX + 1], const char **error_r)
{
    char buf[PK_ADDR_MAX + 1];
    struct pk_addr addr;
    int status;

    if ((status = required(e, "pkAddress", buf, sizeof(buf), error_r)) != PK_OK)
        return status;
    if ((status = pk_addr_parse(buf, catchall ? PK_ADDR_CATCHALL : 0, &addr,
                                error_r)) != PK_OK ||
        (status = pk_addr_check_hosted(&addr, error_r)) != PK_OK) {
        *error_r = pk_error("pkAddress: %s", *error_r);
        return status;
    }
    pk_addr_format(&addr, out);
    return PK_OK;
}

/* get_list - a multi-valued attribute, each value normalized */

static int get_list(const struct pk_ldap_entry *e, const char *name, bool grant,
                    struct pk_strlist *list, const char **error_r)
{
    const struct pk_ldap_attr *a = find_attr(e, name);
    char buf[PK_ADDR_MAX + 1], norm[PK_ADDR_MAX + 1];
    struct pk_addr addr;
    int status;

    if (a == NULL)
        return PK_OK;
    if (a->count > PK_LDAP_VALUES_MAX) {
        *error_r =
            pk_error("%s: more than %d values", name, PK_LDAP_VALUES_MAX);
        return PK_EINVAL;
    }
    for (size_t i = 0; i < a->count; i++) {
        if ((status = value_text(name, &a->values[i], buf, sizeof(buf),
                                 error_r)) != PK_OK)
            return status;
        if (grant) {
            status = pk_addr_parse(buf, PK_ADDR_CATCHALL, &addr, error_r);
            if (status == PK_OK)
                pk_addr_format(&addr, norm);
        } else {
            status = pk_dest_normalize(buf, norm, error_r);
        }
        if (status != PK_OK) {
            *error_r = pk_error("%s: %s", name, *error_r);
            return status;
        }
        /* Values of an LDAP attribute are a set; keep it one here too. */
        if (!pk_strlist_has(list, norm) && pk_strlist_add(list, norm) != PK_OK)
            return PK_ENOMEM;
    }
    return PK_OK;
}

/* map_domain - pkDomain and pkAliasDomain */

static int map_domain(const struct pk_ldap_entry *e, struct pk_ldapobj *obj,
                      const char **error_r)
{
    struct pk_item *it = &obj->item;
    int status;

    if ((status = get_domain(e, "pkDomainName", it->name, error_r)) != PK_OK ||
        (status = get_uint(e, "pkCreated", &it->domain.created, NULL,
                           error_r)) != PK_OK)
        return status;
    if (obj->kind == PK_LDAP_DOMAIN) {
        it->type = PK_ITEM_DOMAIN;
        it->domain.kind = PK_DOMAIN_HOSTED;
        return get_uint(e, "pkDefaultQuota", &it->domain.default_quota, NULL,
                        error_r);
    }
    it->type = PK_ITEM_DOMAIN_ALIAS;
    it->domain.kind = PK_DOMAIN_ALIAS;
    if ((status = get_domain(e, "pkTargetDomain", it->target, error_r)) !=
        PK_OK)
        return status;
    if (strcmp(it->name, it->target) == 0) {
        *error_r = pk_error("pkTargetDomain: an alias domain of itself");
        return PK_EINVAL;
    }
    memcpy(it->domain.target, it->target, sizeof(it->domain.target));
    return PK_OK;
}

/* map_account - pkAccount */

static int map_account(const struct pk_ldap_entry *e, struct pk_ldapobj *obj,
                       const char **error_r)
{
    struct pk_account *acc = &obj->item.entry.u.account;
    char state[32];
    int status;

    obj->item.type = PK_ITEM_ACCOUNT;
    obj->item.entry.type = PK_REC_ACCOUNT;
    if ((status = get_address(e, false, obj->item.name, error_r)) != PK_OK ||
        (status = required(e, "pkPasswordHash", acc->password,
                           sizeof(acc->password), error_r)) != PK_OK)
        return status;
    if (pk_password_check_hash(acc->password, error_r) != PK_OK) {
        *error_r = pk_error("pkPasswordHash: %s", *error_r);
        return PK_EINVAL;
    }
    status = single(e, "pkState", state, sizeof(state), error_r);
    if (status == PK_NOTFOUND)
        acc->state = PK_STATE_ACTIVE;
    else if (status != PK_OK)
        return status;
    else if (pk_state_parse(state, &acc->state) != PK_OK) {
        *error_r = pk_error("pkState: unknown state");
        return PK_EINVAL;
    }
    acc->quota = PK_QUOTA_DOMAIN;
    if ((status = get_uint(e, "pkQuota", &acc->quota, &obj->quota_set,
                           error_r)) != PK_OK)
        return status;
    if (acc->quota == PK_QUOTA_DOMAIN && obj->quota_set) {
        *error_r = pk_error("pkQuota: out of range");
        return PK_EINVAL;
    }
    if ((status = get_bool(e, "pkKeepCopy", &acc->keep_copy, error_r)) !=
            PK_OK ||
        (status = get_list(e, "pkForward", false, &acc->forward, error_r)) !=
            PK_OK ||
        (status = get_list(e, "pkSendAs", true, &obj->sendas, error_r)) !=
            PK_OK ||
        (status = get_uint(e, "pkCreated", &acc->created, NULL, error_r)) !=
            PK_OK)
        return status;
    return get_uint(e, "pkChanged", &acc->changed, NULL, error_r);
}

/* map_alias - pkAlias */

static int map_alias(const struct pk_ldap_entry *e, struct pk_ldapobj *obj,
                     const char **error_r)
{
    struct pk_alias *al = &obj->item.entry.u.alias;
    int status;

    obj->item.type = PK_ITEM_ALIAS;
    obj->item.entry.type = PK_REC_ALIAS;
    if ((status = get_address(e, true, obj->item.name, error_r)) != PK_OK ||
        (status = get_list(e, "pkDestination", false, &al->dest, error_r)) !=
            PK_OK ||
        (status = get_uint(e, "pkCreated", &al->created, NULL, error_r)) !=
            PK_OK ||
        (status = get_uint(e, "pkChanged", &al->changed, NULL, error_r)) !=
            PK_OK)
        return status;
    if (al->dest.count == 0) {
        *error_r = pk_error("pkDestination is missing");
        return PK_EINVAL;
    }
    return PK_OK;
}

/* map_dkim - pkDkimKey */

static int map_dkim(const struct pk_ldap_entry *e, struct pk_ldapobj *obj,
                    const char **error_r)
{
    const struct pk_ldap_attr *a;
    char buf[32];
    int status;

    if ((status = get_domain(e, "pkDomainName", obj->item.name, error_r)) !=
            PK_OK ||
        (status = required(e, "pkDkimSelector", obj->selector,
                           sizeof(obj->selector), error_r)) != PK_OK)
        return status;
    for (char *p = obj->selector; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p += 'a' - 'A';
    if (!pk_dkim_selector_ok(obj->selector)) {
        *error_r = pk_error("pkDkimSelector: not a valid selector");
        return PK_EINVAL;
    }
    if ((status = required(e, "pkDkimAlgorithm", buf, sizeof(buf), error_r)) !=
        PK_OK)
        return status;
    if (pk_dkim_alg_parse(buf, &obj->dkim.alg) != PK_OK) {
        *error_r = pk_error("pkDkimAlgorithm: unknown algorithm");
        return PK_EINVAL;
    }
    if ((status = get_bool(e, "pkDkimActive", &obj->dkim.active, error_r)) !=
            PK_OK ||
        (status = get_uint(e, "pkCreated", &obj->dkim.created, NULL,
                           error_r)) != PK_OK)
        return status;
    /* The key is a secret: no message quotes it, and it is checked as
     * text here; the signer parses it when it first signs. */
    if ((a = find_attr(e, "pkDkimPrivateKey")) == NULL || a->count != 1 ||
        a->values[0].data == NULL || a->values[0].len == 0 ||
        a->values[0].len >= PK_LDAP_VALUE_MAX ||
        memchr(a->values[0].data, 0, a->values[0].len) != NULL ||
        a->values[0].len < 11 ||
        memcmp(a->values[0].data, "-----BEGIN ", 11) != 0) {
        *error_r = pk_error("pkDkimPrivateKey: missing or not one PEM value");
        return PK_EINVAL;
    }
    if ((obj->dkim.key = strndup(a->values[0].data, a->values[0].len)) == NULL)
        return PK_ENOMEM;
    return PK_OK;
}

/* map_heartbeat - pkHeartbeat */

static int map_heartbeat(const struct pk_ldap_entry *e, struct pk_ldapobj *obj,
                         const char **error_r)
{
    bool set;
    int status;

    if ((status = required(e, "cn", obj->item.name, sizeof(obj->item.name),
                           error_r)) != PK_OK ||
        (status = get_uint(e, "pkHeartbeatTime", &obj->heartbeat_us, &set,
                           error_r)) != PK_OK)
        return status;
    if (!set) {
        *error_r = pk_error("pkHeartbeatTime is missing");
        return PK_EINVAL;
    }
    return PK_OK;
}

/* entry_kind - the kind of the one postkontor class an entry has */

static int entry_kind(const struct pk_ldap_entry *e, enum pk_ldap_kind *kind_r,
                      const char **error_r)
{
    const struct pk_ldap_attr *oc = find_attr(e, "objectClass");
    size_t found = 0;

    for (size_t i = 0; oc != NULL && i < oc->count; i++) {
        const struct pk_ldap_value *v = &oc->values[i];

        for (size_t c = 0; c < NCLASSES; c++) {
            if (v->data != NULL && v->len == strlen(classes[c].name) &&
                strncasecmp(v->data, classes[c].name, v->len) == 0) {
                *kind_r = classes[c].kind;
                found++;
            }
        }
    }
    if (found > 1) {
        *error_r = pk_error("more than one postkontor object class");
        return PK_EINVAL;
    }
    return found == 1 ? PK_OK : PK_NOTFOUND;
}

/* pk_ldapmap_from_entry - the core object an entry describes */

int pk_ldapmap_from_entry(const struct pk_ldap_entry *e, struct pk_ldapobj *obj,
                          const char **error_r)
{
    int status;

    memset(obj, 0, sizeof(*obj));
    if ((status = entry_kind(e, &obj->kind, error_r)) != PK_OK)
        return status;
    switch (obj->kind) {
    case PK_LDAP_DOMAIN:
    case PK_LDAP_DOMAIN_ALIAS:
        status = map_domain(e, obj, error_r);
        break;
    case PK_LDAP_ACCOUNT:
        status = map_account(e, obj, error_r);
        break;
    case PK_LDAP_ALIAS:
        status = map_alias(e, obj, error_r);
        break;
    case PK_LDAP_DKIM:
        status = map_dkim(e, obj, error_r);
        break;
    case PK_LDAP_HEARTBEAT:
        status = map_heartbeat(e, obj, error_r);
        break;
    }
    if (status != PK_OK)
        pk_ldapobj_free(obj);
    return status;
}

/* pk_ldapobj_free - release what an object owns */

void pk_ldapobj_free(struct pk_ldapobj *obj)
{
    if (obj->item.type == PK_ITEM_ACCOUNT || obj->item.type == PK_ITEM_ALIAS)
        pk_entry_free(&obj->item.entry);
    pk_strlist_free(&obj->sendas);
    pk_dkimkey_free(&obj->dkim);
    memset(obj, 0, sizeof(*obj));
}

/* gen_add - an attribute with zero or one value (NULL: none) */

static int gen_add(struct pk_ldapgen *g, const char *name, const char *value)
{
    if (g->count == PK_LDAPGEN_MAX)
        return PK_ELIMIT;
    g->attrs[g->count].name = name;
    memset(&g->attrs[g->count].values, 0, sizeof(g->attrs[g->count].values));
    g->count++;
    if (value != NULL)
        return pk_strlist_add(&g->attrs[g->count - 1].values, value);
    return PK_OK;
}

/* gen_uint - an INTEGER attribute */

static int gen_uint(struct pk_ldapgen *g, const char *name, uint64_t v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
    return gen_add(g, name, buf);
}

/* gen_list - a multi-valued attribute */

static int gen_list(struct pk_ldapgen *g, const char *name,
                    const struct pk_strlist *list)
{
    int status = gen_add(g, name, NULL);

    for (size_t i = 0; status == PK_OK && i < list->count; i++)
        status = pk_strlist_add(&g->attrs[g->count - 1].values, list->items[i]);
    return status;
}

/* gen_account - the attributes of pkAccount */

static int gen_account(const struct pk_ldapobj *obj, struct pk_ldapgen *g)
{
    const struct pk_account *acc = &obj->item.entry.u.account;
    int status;

    if ((status = gen_add(g, "pkAddress", obj->item.name)) != PK_OK ||
        (status = gen_add(g, "pkPasswordHash", acc->password)) != PK_OK ||
        (status = gen_add(g, "pkState", pk_state_name(acc->state))) != PK_OK)
        return status;
    status = acc->quota == PK_QUOTA_DOMAIN ? gen_add(g, "pkQuota", NULL)
                                           : gen_uint(g, "pkQuota", acc->quota);
    if (status != PK_OK ||
        (status = gen_add(g, "pkKeepCopy", acc->keep_copy ? "TRUE" : NULL)) !=
            PK_OK ||
        (status = gen_list(g, "pkForward", &acc->forward)) != PK_OK ||
        (status = gen_list(g, "pkSendAs", &obj->sendas)) != PK_OK ||
        (status = gen_uint(g, "pkCreated", acc->created)) != PK_OK)
        return status;
    return gen_uint(g, "pkChanged", acc->changed);
}

/* pk_ldapmap_to_entry - the class and attributes of an object */

int pk_ldapmap_to_entry(const struct pk_ldapobj *obj, struct pk_ldapgen *g,
                        const char **error_r)
{
    const struct pk_domain *dom = &obj->item.domain;
    const struct pk_alias *al = &obj->item.entry.u.alias;
    int status;

    memset(g, 0, sizeof(*g));
    if ((status = gen_add(g, "objectClass", pk_ldapmap_kind_name(obj->kind))) !=
        PK_OK)
        goto done;
    switch (obj->kind) {
    case PK_LDAP_DOMAIN:
        if ((status = gen_add(g, "pkDomainName", obj->item.name)) == PK_OK &&
            (status = gen_uint(g, "pkDefaultQuota", dom->default_quota)) ==
                PK_OK)
            status = gen_uint(g, "pkCreated", dom->created);
        break;
    case PK_LDAP_DOMAIN_ALIAS:
        if ((status = gen_add(g, "pkDomainName", obj->item.name)) == PK_OK &&
            (status = gen_add(g, "pkTargetDomain", obj->item.target)) == PK_OK)
            status = gen_uint(g, "pkCreated", dom->created);
        break;
    case PK_LDAP_ACCOUNT:
        status = gen_account(obj, g);
        break;
    case PK_LDAP_ALIAS:
        if ((status = gen_add(g, "pkAddress", obj->item.name)) == PK_OK &&
            (status = gen_list(g, "pkDestination", &al->dest)) == PK_OK &&
            (status = gen_uint(g, "pkCreated", al->created)) == PK_OK)
            status = gen_uint(g, "pkChanged", al->changed);
        break;
    case PK_LDAP_DKIM:
        if ((status = gen_add(g, "pkDomainName", obj->item.name)) == PK_OK &&
            (status = gen_add(g, "pkDkimSelector", obj->selector)) == PK_OK &&
            (status = gen_add(g, "pkDkimAlgorithm",
                              pk_dkim_alg_name(obj->dkim.alg))) == PK_OK &&
            (status = gen_add(g, "pkDkimActive",
                              obj->dkim.active ? "TRUE" : "FALSE")) == PK_OK &&
            (status = gen_add(g, "pkDkimPrivateKey", obj->dkim.key)) == PK_OK)
            status = gen_uint(g, "pkCreated", obj->dkim.created);
        break;
    case PK_LDAP_HEARTBEAT:
        if ((status = gen_add(g, "cn", obj->item.name)) == PK_OK)
            status = gen_uint(g, "pkHeartbeatTime", obj->heartbeat_us);
        break;
    }
done:
    if (status != PK_OK) {
        pk_ldapgen_free(g);
        *error_r = pk_error("cannot make the entry of %s", obj->item.name);
    }
    return status;
}

/* pk_ldapgen_free - release a made entry, wiping its values */

void pk_ldapgen_free(struct pk_ldapgen *g)
{
    for (size_t i = 0; i < g->count; i++) {
        struct pk_strlist *v = &g->attrs[i].values;

        /* Hashes and private keys are among them. */
        for (size_t j = 0; j < v->count; j++)
            pk_wipe(v->items[j], strlen(v->items[j]));
        pk_strlist_free(v);
    }
    memset(g, 0, sizeof(*g));
}

/* pk_ldapmap_multi - is an attribute multi-valued in the schema */

bool pk_ldapmap_multi(const char *name)
{
    static const char *const multi[] = {"objectClass", "pkForward",
                                        "pkDestination", "pkSendAs"};

    for (size_t i = 0; i < sizeof(multi) / sizeof(multi[0]); i++)
        if (strcasecmp(name, multi[i]) == 0)
            return true;
    return false;
}

/* mods_add - one modification with the values of a list not in another */

static int mods_add(struct pk_ldapmods *m, enum pk_ldapmod_op op,
                    const char *name, const struct pk_strlist *values,
                    const struct pk_strlist *except)
{
    struct pk_strlist *out;

    if (m->count == sizeof(m->mods) / sizeof(m->mods[0]))
        return PK_ELIMIT;
    m->mods[m->count].op = op;
    m->mods[m->count].name = name;
    out = &m->mods[m->count].values;
    memset(out, 0, sizeof(*out));
    m->count++;
    for (size_t i = 0; i < values->count; i++)
        if ((except == NULL || !pk_strlist_has(except, values->items[i])) &&
            pk_strlist_add(out, values->items[i]) != PK_OK)
            return PK_ENOMEM;
    return PK_OK;
}

/* same_values - two value lists hold the same set */

static bool same_values(const struct pk_strlist *a, const struct pk_strlist *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (!pk_strlist_has(b, a->items[i]))
            return false;
    return true;
}

/* mods_diff - the modifications of one attribute from old to new */

static int mods_diff(struct pk_ldapmods *m, const char *name,
                     const struct pk_strlist *old, const struct pk_strlist *v)
{
    int status = PK_OK;

    if (old == NULL)
        return mods_add(m, PK_LDAPMOD_REPLACE, name, v, NULL);
    if (same_values(old, v))
        return PK_OK;
    if (!pk_ldapmap_multi(name))
        return mods_add(m, PK_LDAPMOD_REPLACE, name, v, NULL);
    /* Value by value: a value added meanwhile elsewhere stays. */
    for (size_t i = 0; i < old->count; i++)
        if (!pk_strlist_has(v, old->items[i])) {
            status = mods_add(m, PK_LDAPMOD_DELETE, name, old, v);
            break;
        }
    for (size_t i = 0; status == PK_OK && i < v->count; i++)
        if (!pk_strlist_has(old, v->items[i])) {
            status = mods_add(m, PK_LDAPMOD_ADD, name, v, old);
            break;
        }
    return status;
}

/* pk_ldapmap_mods - what to send to make or change an object's entry */

int pk_ldapmap_mods(const struct pk_ldapobj *old, const struct pk_ldapobj *obj,
                    bool add, struct pk_ldapmods *m, const char **error_r)
{
    static const struct pk_strlist none;
    struct pk_ldapgen g, og = {0};
    int status;

    memset(m, 0, sizeof(*m));
    if ((status = pk_ldapmap_to_entry(obj, &g, error_r)) != PK_OK)
        return status;
    if (!add && old != NULL &&
        (status = pk_ldapmap_to_entry(old, &og, error_r)) != PK_OK) {
        pk_ldapgen_free(&g);
        return status;
    }
    for (size_t i = 0; status == PK_OK && i < g.count; i++) {
        const struct pk_strlist *prev = NULL;

        if (add) {
            if (g.attrs[i].values.count > 0)
                status = mods_add(m, PK_LDAPMOD_ADD, g.attrs[i].name,
                                  &g.attrs[i].values, NULL);
            continue;
        }
        if (strcasecmp(g.attrs[i].name, "objectClass") == 0)
            continue;
        for (size_t j = 0; old != NULL && j < og.count; j++)
            if (strcmp(og.attrs[j].name, g.attrs[i].name) == 0)
                prev = &og.attrs[j].values;
        /* An attribute the old object did not generate had no values. */
        status = mods_diff(m, g.attrs[i].name,
                           old != NULL && prev == NULL ? &none : prev,
                           &g.attrs[i].values);
    }
    pk_ldapgen_free(&g);
    pk_ldapgen_free(&og);
    if (status != PK_OK) {
        pk_ldapmods_free(m);
        *error_r = pk_error("cannot make the changes of %s", obj->item.name);
    }
    return status;
}

/* pk_ldapmods_free - release modifications, wiping their values */

void pk_ldapmods_free(struct pk_ldapmods *m)
{
    for (size_t i = 0; i < m->count; i++) {
        struct pk_strlist *v = &m->mods[i].values;

        for (size_t j = 0; j < v->count; j++)
            pk_wipe(v->items[j], strlen(v->items[j]));
        pk_strlist_free(v);
    }
    memset(m, 0, sizeof(*m));
}

/* dn_escape - append an RFC 4514 section 2.4 escaped attribute value */

static bool dn_escape(const char *v, char *out, size_t size, size_t *pos)
{
    size_t len = strlen(v);

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        bool esc = strchr("\"+,;<>\\=", c) != NULL ||
                   (i == 0 && (c == ' ' || c == '#')) ||
                   (i == len - 1 && c == ' ');

        if (c < 0x20 || c == 0x7f) {
            if (*pos + 3 >= size)
                return false;
            snprintf(out + *pos, 4, "\\%02x", c);
            *pos += 3;
            continue;
        }
        if (*pos + (esc ? 2 : 1) >= size)
            return false;
        if (esc)
            out[(*pos)++] = '\\';
        out[(*pos)++] = (char)c;
    }
    out[*pos] = 0;
    return true;
}

/* dn_append - append literal text */

static bool dn_append(const char *s, char *out, size_t size, size_t *pos)
{
    size_t len = strlen(s);

    if (*pos + len >= size)
        return false;
    memcpy(out + *pos, s, len + 1);
    *pos += len;
    return true;
}

/* pk_ldapmap_dn - the DN of an object below a suffix */

int pk_ldapmap_dn(enum pk_ldap_kind kind, const char *name,
                  const char *selector, const char *suffix, char *out,
                  size_t size, const char **error_r)
{
    const char *domain = name, *at;
    size_t pos = 0;
    bool ok = size > 0;

    if (ok)
        out[0] = 0;
    switch (kind) {
    case PK_LDAP_ACCOUNT:
    case PK_LDAP_ALIAS:
        if ((at = strrchr(name, '@')) == NULL) {
            *error_r = pk_error("%s: not an address", name);
            return PK_EINVAL;
        }
        domain = at + 1;
        ok = ok && dn_append("pkAddress=", out, size, &pos) &&
             dn_escape(name, out, size, &pos) &&
             dn_append(",", out, size, &pos);
        break;
    case PK_LDAP_DKIM:
        if (selector == NULL) {
            *error_r = pk_error("a DKIM key needs a selector");
            return PK_EINVAL;
        }
        ok = ok && dn_append("pkDkimSelector=", out, size, &pos) &&
             dn_escape(selector, out, size, &pos) &&
             dn_append(",", out, size, &pos);
        break;
    case PK_LDAP_HEARTBEAT:
        ok = ok && dn_append("cn=", out, size, &pos) &&
             dn_escape(name, out, size, &pos) &&
             dn_append(",", out, size, &pos) &&
             dn_append(suffix, out, size, &pos);
        goto done;
    default:
        break;
    }
    ok = ok && dn_append("pkDomainName=", out, size, &pos) &&
         dn_escape(domain, out, size, &pos) &&
         dn_append(",", out, size, &pos) && dn_append(suffix, out, size, &pos);
done:
    if (!ok) {
        *error_r = pk_error("DN of %s is too long", name);
        return PK_ELIMIT;
    }
    return PK_OK;
}
