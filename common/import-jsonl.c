/*++
/* NAME
/*	import-jsonl 3
/* SUMMARY
/*	parse JSON lines, as pk_export() writes them
/* SYNOPSIS
/*	#include "import-int.h"
/*
/*	int	import_jsonl_parse(struct import_parser *p)
/* DESCRIPTION
/*	import_jsonl_parse() reads one JSON object per line. The keys and
/*	their types are the ones import.h lists for each "type"; unknown
/*	keys, duplicate keys, wrong types, overlong strings and NUL
/*	characters are refused.
/*
/*	Every line is first reduced to a table of the known keys and their
/*	values, and one builder turns the table into an item, so that every
/*	rule and every message is the same however the table was made.
/*	Two readers make it. jansson (json_loadb(), JSON_REJECT_DUPLICATES)
/*	reads any line and is the only one that refuses a line. In front
/*	of it, a strict scanner takes the canonical form pk_export() writes
/*	(compact, known keys once each, printable ASCII strings without
/*	escapes, integers without sign, lists of strings) and gives up on
/*	anything else, which then goes to jansson: a million lines of an
/*	export parse in a fraction of jansson's time (it allocates every
/*	key and value), and a line the scanner reads is one jansson reads
/*	the same way. tests/fuzz/fuzz-import-jsonl.c checks that on every
/*	input, through a copy that only jansson reads.
/* DIAGNOSTICS
/*	PK_EINVAL with "line N: what is wrong"; PK_ENOMEM.
/* SECURITY
/*	jansson's syntax messages end with an excerpt of the input, which
/*	may be part of a password hash: it is cut off.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "addr.h"
#include "dkim.h"
#include "import-int.h"

/* Raw text of one address: U-labels take more octets than A-labels. */
#define JSONL_TEXT_MAX 1024

enum jkey {
    JK_TYPE,
    JK_DOMAIN,
    JK_TARGET,
    JK_QUOTA,
    JK_ADDRESS,
    JK_PASSWORD,
    JK_STATE,
    JK_FORWARD,
    JK_KEEP_COPY,
    JK_TO,
    JK_LOGIN,
    JK_CREATED,
    JK_CHANGED,
    JK_SELECTOR,
    JK_ALGORITHM,
    JK_ACTIVE,
    JK_KEY,
    JK_SCOPE,
    JK_SUBJECT,
    JK_MESSAGES,
    JK_RECIPIENTS,
    JK_WINDOW,
    JK_COUNT,
};

static const char *const jkey_names[JK_COUNT] = {
    "type",    "domain",   "target",     "quota",  "address", "password",
    "state",   "forward",  "keep_copy",  "to",     "login",   "created",
    "changed", "selector", "algorithm",  "active", "key",     "scope",
    "subject", "messages", "recipients", "window",
};

enum jkind {
    JV_NONE,
    JV_STRING,
    JV_INT,
    JV_TRUE,
    JV_FALSE,
    JV_NULL,
    JV_ARRAY,
    JV_OTHER, /* a real number, an object */
};

struct jvalue {
    enum jkind kind;
    const char *str; /* NUL-terminated */
    size_t len;
    long long num;
    size_t first; /* arrays: into the element table */
    size_t count;
    size_t bad; /* arrays: 1 + a non-string element */
};

/* One line as a table of its known keys. */
struct jline {
    struct jvalue v[JK_COUNT];
    unsigned seen;       /* bit (1 << enum jkey): v[k] was set */
    const char *foreign; /* a key we do not know */
    const char **elems;  /* strings of all arrays */
    size_t nelems;
    size_t elems_size;
};

static const struct jsonl_type {
    const char *name;
    enum pk_item_type type;
    unsigned keys; /* bit (1 << enum jkey) */
} jsonl_types[] = {
#define K(k) (1u << (k))
    {"domain", PK_ITEM_DOMAIN,
     K(JK_TYPE) | K(JK_DOMAIN) | K(JK_QUOTA) | K(JK_CREATED)},
    {"domain_alias", PK_ITEM_DOMAIN_ALIAS,
     K(JK_TYPE) | K(JK_DOMAIN) | K(JK_TARGET) | K(JK_CREATED)},
    {"account", PK_ITEM_ACCOUNT,
     K(JK_TYPE) | K(JK_ADDRESS) | K(JK_PASSWORD) | K(JK_STATE) | K(JK_QUOTA) |
         K(JK_FORWARD) | K(JK_KEEP_COPY) | K(JK_CREATED) | K(JK_CHANGED)},
    {"alias", PK_ITEM_ALIAS,
     K(JK_TYPE) | K(JK_ADDRESS) | K(JK_TO) | K(JK_CREATED) | K(JK_CHANGED)},
    {"sendas", PK_ITEM_SENDAS, K(JK_TYPE) | K(JK_LOGIN) | K(JK_ADDRESS)},
    {"dkim", PK_ITEM_DKIM,
     K(JK_TYPE) | K(JK_DOMAIN) | K(JK_SELECTOR) | K(JK_ALGORITHM) |
         K(JK_ACTIVE) | K(JK_KEY) | K(JK_CREATED)},
    {"ratelimit", PK_ITEM_RATELIMIT,
     K(JK_TYPE) | K(JK_SCOPE) | K(JK_SUBJECT) | K(JK_MESSAGES) |
         K(JK_RECIPIENTS) | K(JK_WINDOW)},
#undef K
};

/* Keys by first letter: a count, then the keys. */
static const unsigned char jkey_by_letter[26][5] = {
    ['a' - 'a'] = {3, JK_ADDRESS, JK_ALGORITHM, JK_ACTIVE},
    ['c' - 'a'] = {2, JK_CREATED, JK_CHANGED},
    ['d' - 'a'] = {1, JK_DOMAIN},
    ['f' - 'a'] = {1, JK_FORWARD},
    ['k' - 'a'] = {2, JK_KEEP_COPY, JK_KEY},
    ['l' - 'a'] = {1, JK_LOGIN},
    ['m' - 'a'] = {1, JK_MESSAGES},
    ['p' - 'a'] = {1, JK_PASSWORD},
    ['q' - 'a'] = {1, JK_QUOTA},
    ['r' - 'a'] = {1, JK_RECIPIENTS},
    ['s' - 'a'] = {4, JK_STATE, JK_SELECTOR, JK_SCOPE, JK_SUBJECT},
    ['t' - 'a'] = {3, JK_TYPE, JK_TARGET, JK_TO},
    ['w' - 'a'] = {1, JK_WINDOW},
};

/* jkey_find - a key by name, or JK_COUNT */

static enum jkey jkey_find(const char *name, size_t len)
{
    const unsigned char *cand;

    if (name[0] < 'a' || name[0] > 'z')
        return JK_COUNT;
    cand = jkey_by_letter[name[0] - 'a'];
    for (int i = 1; i <= cand[0]; i++)
        if (strncmp(jkey_names[cand[i]], name, len) == 0 &&
            jkey_names[cand[i]][len] == 0)
            return cand[i];
    return JK_COUNT;
}

/* jline_elem - add a string to the element table */

static int jline_elem(struct jline *jl, const char *str)
{
    const char **elems;
    size_t size;

    if (jl->nelems == jl->elems_size) {
        size = jl->elems_size ? jl->elems_size * 2 : 64;
        if ((elems = realloc(jl->elems, size * sizeof(*elems))) == NULL)
            return PK_ENOMEM;
        jl->elems = elems;
        jl->elems_size = size;
    }
    jl->elems[jl->nelems++] = str;
    return PK_OK;
}

/* jline_reset - an empty table, keeping the element memory */

static void jline_reset(struct jline *jl)
{
    /* A line holds a few of the keys: clear only those. */
    for (unsigned seen = jl->seen; seen != 0; seen &= seen - 1)
        memset(&jl->v[__builtin_ctz(seen)], 0, sizeof(jl->v[0]));
    jl->seen = 0;
    jl->foreign = NULL;
    jl->nelems = 0;
}

/* jline_value - the entry of a key, noted as set */

static struct jvalue *jline_value(struct jline *jl, enum jkey k)
{
    jl->seen |= 1u << k;
    return &jl->v[k];
}

#define WORD_ONES 0x0101010101010101u
#define WORD_HIGHS 0x8080808080808080u

/* word_stops - non-zero if eight octets hold one that ends a canonical
 * string: a control character or NUL, '"', '\\', DEL, or a non-ASCII
 * octet. The tests for an octet below n have false positives only
 * above a true one, so the answer taken as a whole is exact. */

static inline uint64_t word_stops(uint64_t w)
{
    uint64_t q = w ^ (WORD_ONES * '"'), b = w ^ (WORD_ONES * '\\'),
             d = w ^ (WORD_ONES * 0x7f);

    return (((w - WORD_ONES * 0x20) & ~w) | ((q - WORD_ONES) & ~q) |
            ((b - WORD_ONES) & ~b) | ((d - WORD_ONES) & ~d) | w) &
           WORD_HIGHS;
}

/* scan_string - a canonical string: printable ASCII, no escapes */

static char *scan_string(char *s, struct jvalue *v)
{
    char *start = ++s;
    uint64_t w;

    /* Eight octets at a time: the line buffer has IMPORT_TEXT_PAD zeros
     * after its NUL, and a zero stops the words. */
    for (memcpy(&w, s, sizeof(w)); word_stops(w) == 0; memcpy(&w, s, sizeof(w)))
        s += sizeof(w);
    while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
        s++;
    if (*s != '"')
        return NULL;
    *s = 0;
    v->kind = JV_STRING;
    v->str = start;
    v->len = s - start;
    return s + 1;
}

/* scan_value - one canonical value */

static char *scan_value(char *s, struct jline *jl, struct jvalue *v)
{
    struct jvalue e;

    if (*s == '"')
        return scan_string(s, v);
    if (*s >= '0' && *s <= '9') {
        /* JSON has no leading zero; 18 digits cannot overflow. */
        if (*s == '0' && s[1] >= '0' && s[1] <= '9')
            return NULL;
        for (v->kind = JV_INT; *s >= '0' && *s <= '9' && v->len < 18; v->len++)
            v->num = v->num * 10 + (*s++ - '0');
        return *s >= '0' && *s <= '9' ? NULL : s;
    }
    if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0) {
        v->kind = *s == 't' ? JV_TRUE : JV_NULL;
        return s + 4;
    }
    if (strncmp(s, "false", 5) == 0) {
        v->kind = JV_FALSE;
        return s + 5;
    }
    if (*s++ != '[')
        return NULL;
    v->kind = JV_ARRAY;
    v->first = jl->nelems;
    for (int n = 0; *s != ']'; n++) {
        if ((n > 0 && *s++ != ',') || *s != '"' ||
            (s = scan_string(s, &e)) == NULL || jline_elem(jl, e.str) != PK_OK)
            return NULL;
        v->count++;
    }
    return s + 1;
}

/* jsonl_scan - the canonical form, in place; false: ask jansson */

static bool jsonl_scan(char *s, struct jline *jl)
{
    struct jvalue key;
    enum jkey k;

    if (*s++ != '{')
        return false;
    for (int n = 0; *s != '}'; n++) {
        if ((n > 0 && *s++ != ',') || *s != '"' ||
            (s = scan_string(s, &key)) == NULL || *s++ != ':' ||
            (k = jkey_find(key.str, key.len)) == JK_COUNT ||
            jl->v[k].kind != JV_NONE ||
            (s = scan_value(s, jl, jline_value(jl, k))) == NULL)
            return false;
    }
    while (*++s == ' ' || *s == '\t' || *s == '\r')
        /* void */;
    return *s == 0;
}

/* jline_from_json - the table of a jansson object */

static int jline_from_json(json_t *obj, struct jline *jl)
{
    const char *name;
    json_t *val, *e;
    size_t i;
    enum jkey k;

    json_object_foreach(obj, name, val)
    {
        struct jvalue *v;

        if ((k = jkey_find(name, strlen(name))) == JK_COUNT) {
            if (jl->foreign == NULL)
                jl->foreign = name;
            continue;
        }
        v = jline_value(jl, k);
        switch (json_typeof(val)) {
        case JSON_STRING:
            v->kind = JV_STRING;
            v->str = json_string_value(val);
            v->len = json_string_length(val);
            break;
        case JSON_INTEGER:
            v->kind = JV_INT;
            v->num = json_integer_value(val);
            break;
        case JSON_TRUE:
        case JSON_FALSE:
        case JSON_NULL:
            v->kind = json_is_true(val)    ? JV_TRUE
                      : json_is_false(val) ? JV_FALSE
                                           : JV_NULL;
            break;
        case JSON_ARRAY:
            v->kind = JV_ARRAY;
            v->first = jl->nelems;
            json_array_foreach(val, i, e)
            {
                if (!json_is_string(e) ||
                    strlen(json_string_value(e)) != json_string_length(e)) {
                    v->bad = v->bad ? v->bad : i + 1;
                    continue;
                }
                if (jline_elem(jl, json_string_value(e)) != PK_OK)
                    return PK_ENOMEM;
                v->count++;
            }
            break;
        default:
            v->kind = JV_OTHER;
            break;
        }
    }
    return PK_OK;
}

/* jl_string - a string member, bounded; NULL if absent */

static int jl_string(struct import_parser *p, const struct jline *jl,
                     enum jkey k, size_t max, bool required,
                     const char **value_r)
{
    const struct jvalue *v = &jl->v[k];

    *value_r = NULL;
    if (v->kind == JV_NONE)
        return required ? import_fail(p, "\"%s\" is missing", jkey_names[k])
                        : PK_OK;
    if (v->kind != JV_STRING)
        return import_fail(p, "\"%s\" must be a string", jkey_names[k]);
    if (v->len > max)
        return import_fail(p, "\"%s\" is longer than %zu octets", jkey_names[k],
                           max);
    if (strlen(v->str) != v->len)
        return import_fail(p, "\"%s\" holds a NUL character", jkey_names[k]);
    *value_r = v->str;
    return PK_OK;
}

/* jl_uint - a non-negative integer member; absent keeps the default */

static int jl_uint(struct import_parser *p, const struct jline *jl, enum jkey k,
                   uint64_t *value_r)
{
    const struct jvalue *v = &jl->v[k];

    if (v->kind == JV_NONE)
        return PK_OK;
    if (v->kind != JV_INT || v->num < 0)
        return import_fail(p, "\"%s\" must be a non-negative integer",
                           jkey_names[k]);
    *value_r = (uint64_t)v->num;
    return PK_OK;
}

/* jl_address - a required address member, normalized */

static int jl_address(struct import_parser *p, const struct jline *jl,
                      enum jkey k, unsigned flags, char out[PK_ADDR_MAX + 1])
{
    const char *text;
    int status;

    if ((status = jl_string(p, jl, k, JSONL_TEXT_MAX, true, &text)) != PK_OK)
        return status;
    return import_addr(p, jkey_names[k], text, flags, out);
}

/* jl_dests - a list of destinations, normalized */

static int jl_dests(struct import_parser *p, const struct jline *jl,
                    enum jkey k, bool required, struct pk_strlist *list)
{
    const struct jvalue *v = &jl->v[k];
    const char *name = jkey_names[k];
    int status;

    if (v->kind == JV_NONE)
        return required ? import_fail(p, "\"%s\" is missing", name) : PK_OK;
    if (v->kind != JV_ARRAY)
        return import_fail(p, "\"%s\" must be a list of addresses", name);
    if (v->bad > 0)
        return import_fail(p, "\"%s\" item %zu is not an address string", name,
                           v->bad);
    if (required && v->count == 0)
        return import_fail(p, "\"%s\" is empty", name);
    for (size_t i = 0; i < v->count; i++) {
        const char *text = jl->elems[v->first + i];

        if (strlen(text) > JSONL_TEXT_MAX)
            return import_fail(p, "\"%s\" item %zu is not an address string",
                               name, i + 1);
        if ((status = import_dest(p, p->item.name, text, list, NULL)) != PK_OK)
            return status;
    }
    return PK_OK;
}

/* build_domain - {"type":"domain"} and {"type":"domain_alias"} */

static int build_domain(struct import_parser *p, const struct jline *jl)
{
    struct pk_item *item = &p->item;
    bool alias = item->type == PK_ITEM_DOMAIN_ALIAS;
    const char *text;
    int status;

    item->domain.kind = alias ? PK_DOMAIN_ALIAS : PK_DOMAIN_HOSTED;
    if ((status = jl_string(p, jl, JK_DOMAIN, JSONL_TEXT_MAX, true, &text)) !=
            PK_OK ||
        (status = import_domain(p, "domain", text, item->name)) != PK_OK ||
        (status = jl_uint(p, jl, JK_CREATED, &item->domain.created)) != PK_OK)
        return status;
    if (!alias)
        return jl_uint(p, jl, JK_QUOTA, &item->domain.default_quota);
    if ((status = jl_string(p, jl, JK_TARGET, JSONL_TEXT_MAX, true, &text)) !=
            PK_OK ||
        (status = import_domain(p, "target", text, item->domain.target)) !=
            PK_OK)
        return status;
    if (strcmp(item->name, item->domain.target) == 0)
        return import_fail(p, "domain %s cannot be an alias of itself",
                           item->name);
    memcpy(item->target, item->domain.target, sizeof(item->domain.target));
    return PK_OK;
}

/* build_account - {"type":"account"} */

static int build_account(struct import_parser *p, const struct jline *jl)
{
    struct pk_account *acc = &p->item.entry.u.account;
    const struct jvalue *v;
    const char *text;
    int status;

    if ((status = jl_address(p, jl, JK_ADDRESS, IMPORT_HOSTED, p->item.name)) !=
            PK_OK ||
        (status = jl_string(p, jl, JK_PASSWORD, PK_HASH_MAX, true, &text)) !=
            PK_OK ||
        (status = import_hash(p, text, acc->password)) != PK_OK ||
        (status = jl_string(p, jl, JK_STATE, 32, false, &text)) != PK_OK)
        return status;
    if (text != NULL && pk_state_parse(text, &acc->state) != PK_OK)
        return import_fail(p, "\"state\" is not an account state");
    if (jl->v[JK_QUOTA].kind != JV_NULL &&
        (status = jl_uint(p, jl, JK_QUOTA, &acc->quota)) != PK_OK)
        return status;
    v = &jl->v[JK_KEEP_COPY];
    if (v->kind != JV_NONE && v->kind != JV_TRUE && v->kind != JV_FALSE)
        return import_fail(p, "\"keep_copy\" must be true or false");
    if ((status = jl_dests(p, jl, JK_FORWARD, false, &acc->forward)) != PK_OK ||
        (status = jl_uint(p, jl, JK_CREATED, &acc->created)) != PK_OK ||
        (status = jl_uint(p, jl, JK_CHANGED, &acc->changed)) != PK_OK)
        return status;
    /* Like pk_account_set_forward(): no copy to keep without forwarding. */
    acc->keep_copy = v->kind == JV_TRUE && acc->forward.count > 0;
    return PK_OK;
}

/* jl_u32 - a required integer member of at most 32 bits */

static int jl_u32(struct import_parser *p, const struct jline *jl, enum jkey k,
                  uint32_t *value_r)
{
    uint64_t val = UINT64_MAX;
    int status;

    if ((status = jl_uint(p, jl, k, &val)) != PK_OK)
        return status;
    if (val == UINT64_MAX)
        return import_fail(p, "\"%s\" is missing", jkey_names[k]);
    if (val > UINT32_MAX)
        return import_fail(p, "\"%s\" is larger than %u", jkey_names[k],
                           UINT32_MAX);
    *value_r = (uint32_t)val;
    return PK_OK;
}

/* build_dkim - {"type":"dkim"}; the key text is copied to the parser */

static int build_dkim(struct import_parser *p, const struct jline *jl)
{
    struct pk_item *item = &p->item;
    const struct jvalue *v = &jl->v[JK_ACTIVE];
    const char *text;
    int status;

    if ((status = jl_string(p, jl, JK_DOMAIN, JSONL_TEXT_MAX, true, &text)) !=
            PK_OK ||
        (status = import_domain(p, "domain", text, item->name)) != PK_OK ||
        (status = jl_string(p, jl, JK_SELECTOR, PK_DKIM_SELECTOR_MAX, true,
                            &text)) != PK_OK)
        return status;
    if (!pk_dkim_selector_ok(text))
        return import_fail(p, "\"selector\" is not a DKIM selector");
    memcpy(item->target, text, strlen(text) + 1);
    if ((status = jl_string(p, jl, JK_ALGORITHM, 32, true, &text)) != PK_OK)
        return status;
    if (pk_dkim_alg_parse(text, &item->dkim.alg) != PK_OK)
        return import_fail(p, "\"algorithm\" must be rsa-sha256 or "
                              "ed25519-sha256");
    if (v->kind != JV_TRUE && v->kind != JV_FALSE)
        return import_fail(p, "\"active\" must be true or false");
    item->dkim.active = v->kind == JV_TRUE;
    /* Never quoted: it is a private key. */
    if ((status = jl_string(p, jl, JK_KEY, IMPORT_PEM_MAX, true, &text)) !=
        PK_OK)
        return status;
    if (*text == 0)
        return import_fail(p, "\"key\" is empty");
    if ((status = import_pem(p, text)) != PK_OK)
        return status;
    item->dkim.key = p->pem;
    return jl_uint(p, jl, JK_CREATED, &item->dkim.created);
}

/* build_ratelimit - {"type":"ratelimit"} */

static int build_ratelimit(struct import_parser *p, const struct jline *jl)
{
    struct pk_item *item = &p->item;
    const char *text;
    int status;

    if ((status = jl_string(p, jl, JK_SCOPE, 32, true, &text)) != PK_OK)
        return status;
    if (strcmp(text, "account") == 0)
        item->scope = PK_RATELIMIT_ACCOUNT;
    else if (strcmp(text, "domain") == 0)
        item->scope = PK_RATELIMIT_DOMAIN;
    else
        return import_fail(p, "\"scope\" must be account or domain");
    if ((status = jl_string(p, jl, JK_SUBJECT, JSONL_TEXT_MAX, false, &text)) !=
        PK_OK)
        return status;
    if (text != NULL &&
        (status = item->scope == PK_RATELIMIT_DOMAIN
                      ? import_domain(p, "subject", text, item->name)
                      : import_addr(p, "subject", text, IMPORT_HOSTED,
                                    item->name)) != PK_OK)
        return status;
    if ((status = jl_u32(p, jl, JK_MESSAGES, &item->limit.messages)) != PK_OK ||
        (status = jl_u32(p, jl, JK_RECIPIENTS, &item->limit.recipients)) !=
            PK_OK ||
        (status = jl_u32(p, jl, JK_WINDOW, &item->limit.window)) != PK_OK)
        return status;
    if (item->limit.window == 0 || item->limit.window > PK_RATELIMIT_WINDOW_MAX)
        return import_fail(p, "\"window\" must be 1 to %u seconds",
                           PK_RATELIMIT_WINDOW_MAX);
    return PK_OK;
}

/* build_item - the item of a table */

static int build_item(struct import_parser *p, const struct jline *jl)
{
    const struct jsonl_type *type = NULL;
    char quoted[IMPORT_QUOTE_BUF];
    const char *name, *unknown = jl->foreign;
    int status;

    if ((status = jl_string(p, jl, JK_TYPE, 32, true, &name)) != PK_OK)
        return status;
    for (size_t i = 0; i < sizeof(jsonl_types) / sizeof(jsonl_types[0]); i++)
        if (strcmp(jsonl_types[i].name, name) == 0)
            type = &jsonl_types[i];
    if (type == NULL)
        return import_fail(p, "unknown \"type\"");
    for (int k = 0; unknown == NULL && k < JK_COUNT; k++)
        if (jl->v[k].kind != JV_NONE && !(type->keys & (1u << k)))
            unknown = jkey_names[k];
    if (unknown != NULL)
        return import_fail(p, "unknown key \"%s\" in %s %s item",
                           import_sanitize(unknown, strlen(unknown), quoted),
                           type->name[0] == 'a' ? "an" : "a", type->name);
    import_item_reset(p, type->type);
    switch (type->type) {
    case PK_ITEM_DOMAIN:
    case PK_ITEM_DOMAIN_ALIAS:
        return build_domain(p, jl);
    case PK_ITEM_ACCOUNT:
        return build_account(p, jl);
    case PK_ITEM_DKIM:
        return build_dkim(p, jl);
    case PK_ITEM_RATELIMIT:
        return build_ratelimit(p, jl);
    case PK_ITEM_ALIAS:
        if ((status =
                 jl_address(p, jl, JK_ADDRESS, PK_ADDR_CATCHALL | IMPORT_HOSTED,
                            p->item.name)) != PK_OK ||
            (status = jl_dests(p, jl, JK_TO, true,
                               &p->item.entry.u.alias.dest)) != PK_OK ||
            (status = jl_uint(p, jl, JK_CREATED,
                              &p->item.entry.u.alias.created)) != PK_OK)
            return status;
        return jl_uint(p, jl, JK_CHANGED, &p->item.entry.u.alias.changed);
    default:
        if ((status = jl_address(p, jl, JK_LOGIN, IMPORT_HOSTED,
                                 p->item.name)) != PK_OK)
            return status;
        return jl_address(p, jl, JK_ADDRESS, PK_ADDR_CATCHALL, p->item.target);
    }
}

/* jsonl_syntax - jansson's message without its excerpt of the input */

static int jsonl_syntax(struct import_parser *p, const json_error_t *jerr)
{
    char text[JSON_ERROR_TEXT_LENGTH];
    char *near;

    /* The excerpt may be part of a password hash. */
    snprintf(text, sizeof(text), "%s", jerr->text);
    if ((near = strstr(text, " near ")) != NULL)
        *near = 0;
    return import_fail(p, "invalid JSON at column %d: %s", jerr->column, text);
}

/* jsonl_line - one line: the scanner, else jansson; then the builder */

static int jsonl_line(struct import_parser *p, struct jline *jl,
                      const char *line, size_t len)
{
    json_error_t jerr;
    json_t *obj = NULL;
    int status;

    jline_reset(jl);
    p->text_len = 0;
    if ((status = import_text_add(p, line, len)) != PK_OK)
        return status;
    if (!jsonl_scan(p->text, jl)) {
        jline_reset(jl);
        if ((obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr)) ==
            NULL)
            return jsonl_syntax(p, &jerr);
        if (!json_is_object(obj)) {
            json_decref(obj);
            return import_fail(p, "not a JSON object");
        }
        if ((status = jline_from_json(obj, jl)) != PK_OK) {
            json_decref(obj);
            return status;
        }
    }
    status = build_item(p, jl);
    json_decref(obj);
    return status == PK_OK ? import_emit(p) : status;
}

/* import_jsonl_parse - PK_FORMAT_JSONL */

int import_jsonl_parse(struct import_parser *p)
{
    struct jline jl = {0};
    const char *line;
    size_t len;
    int status = PK_OK;

    while (status == PK_OK && import_next_line(p, &line, &len)) {
        if (import_blank(line, len))
            continue;
        if (len > IMPORT_LINE_MAX)
            status = import_fail(p, "the line is longer than %d octets",
                                 IMPORT_LINE_MAX);
        else if (memchr(line, 0, len) != NULL)
            status = import_fail(p, "NUL byte in the line");
        else {
            p->item_line = p->line;
            status = jsonl_line(p, &jl, line, len);
        }
    }
    free(jl.elems);
    return status;
}
