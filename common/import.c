/*++
/* NAME
/*	import 3
/* SUMMARY
/*	parse import files: JSON lines, Dovecot passwd-file, Postfix virtual
/* SYNOPSIS
/*	#include "import.h"
/*
/*	int	pk_format_parse(const char *name, enum pk_format *format_r)
/*
/*	int	pk_import_parse(enum pk_format format, const char *data,
/*			size_t len, pk_item_fn *fn, void *ctx,
/*			const char **error_r)
/*
/*	void	pk_item_free(struct pk_item *item)
/* DESCRIPTION
/*	pk_format_parse() knows the names "jsonl" (also "json"),
/*	"dovecot-passwd" and "postfix-virtual".
/*
/*	pk_import_parse() splits the input into items and calls fn once
/*	per item with the number of the line the item started on. It
/*	touches no database. Every address and domain is normalized with
/*	pk_addr_parse() and every destination with pk_dest_normalize(), so
/*	fn sees canonical names only; every hash has passed
/*	pk_password_check_hash(). Timestamps the input does not give are
/*	the time of the parse. The item and its lists belong to the parser
/*	and are valid during the call only: fn must copy what it keeps and
/*	must not free them. A non-zero answer from fn stops the parse and
/*	is returned, with fn's message.
/*
/*	Blank lines are skipped in every format. JSON lines: one object per
/*	line (jansson, duplicate keys refused); the keys and types are the
/*	ones import.h lists, unknown keys are refused. Dovecot passwd-file
/*	and Postfix virtual: see import-text.c.
/*
/*	pk_item_free() releases the lists of an item a caller built itself
/*	with pk_strlist_add(), for pk_import_apply().
/* DIAGNOSTICS
/*	PK_EINVAL with "line N: what is wrong"; PK_ENOMEM.
/* SECURITY
/*	The input is untrusted. A line is bounded (IMPORT_LINE_MAX), a NUL
/*	byte anywhere is refused, every string is bounded before it is
/*	copied, and messages quote at most a sanitized excerpt of a name,
/*	never a password hash (jansson's "near '...'" excerpt is cut off).
/*--*/

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "addr.h"
#include "alias.h"
#include "import-int.h"
#include "password.h"

/* Raw text of one address: U-labels take more octets than A-labels. */
#define IMPORT_TEXT_MAX	1024

static const struct {
    const char *name;
    enum pk_format format;
} import_formats[] = {
    {"jsonl", PK_FORMAT_JSONL},
    {"json", PK_FORMAT_JSONL},
    {"dovecot-passwd", PK_FORMAT_DOVECOT_PASSWD},
    {"postfix-virtual", PK_FORMAT_POSTFIX_VIRTUAL},
};

/* pk_format_parse - a format by name */

int     pk_format_parse(const char *name, enum pk_format *format_r)
{
    for (size_t i = 0; i < sizeof(import_formats) / sizeof(import_formats[0]); i++) {
	if (strcmp(name, import_formats[i].name) == 0) {
	    *format_r = import_formats[i].format;
	    return PK_OK;
	}
    }
    return PK_EINVAL;
}

/* pk_format_name - the canonical name of a format */

const char *pk_format_name(enum pk_format format)
{
    switch (format) {
    case PK_FORMAT_JSONL:
	return "jsonl";
    case PK_FORMAT_DOVECOT_PASSWD:
	return "dovecot-passwd";
    case PK_FORMAT_POSTFIX_VIRTUAL:
	return "postfix-virtual";
    }
    return "unknown";
}

/* pk_item_free - release the lists of a caller-built item */

void    pk_item_free(struct pk_item *item)
{
    pk_entry_free(&item->entry);
}

/* import_fail - "line N: ..." into error_r */

int     import_fail(struct import_parser *p, const char *fmt, ...)
{
    char    buf[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    *p->error_r = pk_error("line %zu: %s", p->line, buf);
    return PK_EINVAL;
}

/* import_sanitize - a short, printable excerpt of untrusted text */

const char *import_sanitize(const char *in, size_t len, char out[IMPORT_QUOTE_BUF])
{
    size_t  n = len < IMPORT_QUOTE_MAX ? len : IMPORT_QUOTE_MAX, i;

    for (i = 0; i < n; i++) {
	unsigned char c = in[i];

	out[i] = c > 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?';
    }
    if (n < len)
	memcpy(out + i, "...", 3), i += 3;
    out[i] = 0;
    return out;
}

/* import_addr - normalize an address from the input */

int     import_addr(struct import_parser *p, const char *what,
		            const char *text, unsigned flags,
		            char out[PK_ADDR_MAX + 1])
{
    struct pk_addr addr;
    const char *error;
    int     status;

    if ((status = pk_addr_parse(text, flags, &addr, &error)) != PK_OK) {
	if (status == PK_ENOMEM)
	    return status;
	return import_fail(p, "%s: %s", what, error);
    }
    pk_addr_format(&addr, out);
    return PK_OK;
}

/* import_domain - normalize a domain from the input */

int     import_domain(struct import_parser *p, const char *what,
		              const char *text, char out[PK_DOMAIN_MAX + 1])
{
    const char *error;
    int     status;

    if ((status = pk_addr_parse_domain(text, out, &error)) != PK_OK) {
	if (status == PK_ENOMEM)
	    return status;
	return import_fail(p, "%s: %s", what, error);
    }
    return PK_OK;
}

/* import_hash - check a password scheme string, never quoting it */

int     import_hash(struct import_parser *p, const char *hash,
		            char out[PK_HASH_MAX + 1])
{
    const char *error;
    size_t  len = strlen(hash);
    int     status;

    if (len == 0)
	return import_fail(p, "the password is empty");
    if (len > PK_HASH_MAX)
	return import_fail(p, "the password hash is longer than %d octets",
			   PK_HASH_MAX);
    /* The checker's messages name at most the scheme, never the hash. */
    if ((status = pk_password_check_hash(hash, &error)) != PK_OK) {
	if (status == PK_ENOMEM)
	    return status;
	return import_fail(p, "password: %s", error);
    }
    memcpy(out, hash, len + 1);
    return PK_OK;
}

/* import_dest - normalize a destination and add it to a list, once */

int     import_dest(struct import_parser *p, const char *self,
		            const char *text, struct pk_strlist *list,
		            bool *self_r)
{
    char    norm[PK_ADDR_MAX + 1];
    const char *error;
    int     status;

    if ((status = pk_dest_normalize(text, norm, &error)) != PK_OK) {
	if (status == PK_ENOMEM)
	    return status;
	return import_fail(p, "destination: %s", error);
    }
    if (strcmp(norm, self) == 0) {
	if (self_r == NULL)
	    return import_fail(p, "%s cannot deliver to itself", self);
	*self_r = true;
	return PK_OK;
    }
    /* Like pk_alias_add(): a repeated destination is listed once. */
    if (pk_strlist_has(list, norm))
	return PK_OK;
    if (list->count >= PK_DEST_MAX)
	return import_fail(p, "more than %d destinations", PK_DEST_MAX);
    list->items = p->dest_ptrs;
    memcpy(p->dest_pool[list->count], norm, sizeof(norm));
    list->items[list->count] = p->dest_pool[list->count];
    list->count++;
    return PK_OK;
}

/* import_item_reset - an empty item of a type, timestamps "now" */

void    import_item_reset(struct import_parser *p, enum pk_item_type type)
{
    struct pk_item *item = &p->item;

    memset(item, 0, sizeof(*item));
    item->type = type;
    item->domain.created = p->now;
    if (type == PK_ITEM_ACCOUNT) {
	item->entry.type = PK_REC_ACCOUNT;
	item->entry.u.account.state = PK_STATE_ACTIVE;
	item->entry.u.account.quota = PK_QUOTA_DOMAIN;
	item->entry.u.account.created = p->now;
	item->entry.u.account.changed = p->now;
    } else if (type == PK_ITEM_ALIAS) {
	item->entry.type = PK_REC_ALIAS;
	item->entry.u.alias.created = p->now;
	item->entry.u.alias.changed = p->now;
    }
}

/* import_emit - hand the current item to the caller */

int     import_emit(struct import_parser *p)
{
    int     status;

    status = p->fn(&p->item, p->item_line, p->ctx, p->error_r);
    /* The parser's lists are not the caller's to keep. */
    memset(&p->item.entry, 0, sizeof(p->item.entry));
    return status;
}

/* import_next_line - the next physical line; false at the end */

bool    import_next_line(struct import_parser *p, const char **line_r,
			         size_t *len_r)
{
    const char *start, *nl;
    size_t  len;

    if (p->pos >= p->len)
	return false;
    start = p->data + p->pos;
    nl = memchr(start, '\n', p->len - p->pos);
    len = nl ? (size_t) (nl - start) : p->len - p->pos;
    p->pos += len + (nl != NULL);
    p->line++;
    if (len > 0 && start[len - 1] == '\r')
	len--;
    *line_r = start;
    *len_r = len;
    return true;
}

/* import_text_add - append to the line buffer, NUL-terminated */

int     import_text_add(struct import_parser *p, const char *s, size_t len)
{
    size_t  size;
    char   *text;

    if (p->text_len + len > IMPORT_LINE_MAX)
	return import_fail(p, "the line is longer than %d octets", IMPORT_LINE_MAX);
    if (p->text_len + len + 1 > p->text_size) {
	for (size = p->text_size ? p->text_size : 1024; size < p->text_len + len + 1;)
	    size *= 2;
	if ((text = realloc(p->text, size)) == NULL)
	    return PK_ENOMEM;
	p->text = text;
	p->text_size = size;
    }
    memcpy(p->text + p->text_len, s, len);
    p->text_len += len;
    p->text[p->text_len] = 0;
    return PK_OK;
}

/* import_indent - octets of leading blanks (the line has no NUL) */

size_t  import_indent(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
	 /* void */ ;
    return i;
}

/* import_blank - only white space */

bool    import_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
	if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
	    return false;
    return true;
}

/* jsonl_string - a string member, bounded; NULL if absent */

static int jsonl_string(struct import_parser *p, json_t *obj, const char *key,
			        size_t max, bool required, const char **value_r)
{
    json_t *v = json_object_get(obj, key);

    *value_r = NULL;
    if (v == NULL)
	return required ? import_fail(p, "\"%s\" is missing", key) : PK_OK;
    if (!json_is_string(v))
	return import_fail(p, "\"%s\" must be a string", key);
    if (json_string_length(v) > max)
	return import_fail(p, "\"%s\" is longer than %zu octets", key, max);
    if (strlen(json_string_value(v)) != json_string_length(v))
	return import_fail(p, "\"%s\" holds a NUL character", key);
    *value_r = json_string_value(v);
    return PK_OK;
}

/* jsonl_uint - a non-negative integer member; absent keeps the default */

static int jsonl_uint(struct import_parser *p, json_t *obj, const char *key,
		              uint64_t *value_r)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL)
	return PK_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
	return import_fail(p, "\"%s\" must be a non-negative integer", key);
    *value_r = (uint64_t) json_integer_value(v);
    return PK_OK;
}

/* jsonl_address - a required address member, normalized */

static int jsonl_address(struct import_parser *p, json_t *obj, const char *key,
			         unsigned flags, char out[PK_ADDR_MAX + 1])
{
    const char *text;
    int     status;

    if ((status = jsonl_string(p, obj, key, IMPORT_TEXT_MAX, true, &text)) != PK_OK)
	return status;
    return import_addr(p, key, text, flags, out);
}

/* jsonl_dests - a list of destinations, normalized */

static int jsonl_dests(struct import_parser *p, json_t *obj, const char *key,
		               bool required, struct pk_strlist *list)
{
    json_t *v = json_object_get(obj, key), *d;
    size_t  i;
    int     status;

    if (v == NULL)
	return required ? import_fail(p, "\"%s\" is missing", key) : PK_OK;
    if (!json_is_array(v))
	return import_fail(p, "\"%s\" must be a list of addresses", key);
    if (required && json_array_size(v) == 0)
	return import_fail(p, "\"%s\" is empty", key);
    json_array_foreach(v, i, d) {
	if (!json_is_string(d) || json_string_length(d) > IMPORT_TEXT_MAX
	    || strlen(json_string_value(d)) != json_string_length(d))
	    return import_fail(p, "\"%s\" item %zu is not an address string",
			       key, i + 1);
	if ((status = import_dest(p, p->item.name, json_string_value(d), list,
				  NULL)) != PK_OK)
	    return status;
    }
    return PK_OK;
}

/* jsonl_domain - {"type":"domain"} and {"type":"domain_alias"} */

static int jsonl_domain(struct import_parser *p, json_t *obj, bool alias)
{
    struct pk_item *item = &p->item;
    const char *text;
    int     status;

    import_item_reset(p, alias ? PK_ITEM_DOMAIN_ALIAS : PK_ITEM_DOMAIN);
    item->domain.kind = alias ? PK_DOMAIN_ALIAS : PK_DOMAIN_HOSTED;
    if ((status = jsonl_string(p, obj, "domain", IMPORT_TEXT_MAX, true, &text)) != PK_OK
	|| (status = import_domain(p, "domain", text, item->name)) != PK_OK
	|| (status = jsonl_uint(p, obj, "created", &item->domain.created)) != PK_OK)
	return status;
    if (!alias)
	return jsonl_uint(p, obj, "quota", &item->domain.default_quota);
    if ((status = jsonl_string(p, obj, "target", IMPORT_TEXT_MAX, true, &text)) != PK_OK
	|| (status = import_domain(p, "target", text, item->domain.target)) != PK_OK)
	return status;
    if (strcmp(item->name, item->domain.target) == 0)
	return import_fail(p, "domain %s cannot be an alias of itself", item->name);
    memcpy(item->target, item->domain.target, sizeof(item->domain.target));
    return PK_OK;
}

/* jsonl_account - {"type":"account"} */

static int jsonl_account(struct import_parser *p, json_t *obj)
{
    struct pk_account *acc = &p->item.entry.u.account;
    json_t *v;
    const char *text;
    int     status;

    import_item_reset(p, PK_ITEM_ACCOUNT);
    if ((status = jsonl_address(p, obj, "address", 0, p->item.name)) != PK_OK
	|| (status = jsonl_string(p, obj, "password", PK_HASH_MAX, true, &text)) != PK_OK
	|| (status = import_hash(p, text, acc->password)) != PK_OK
	|| (status = jsonl_string(p, obj, "state", 32, false, &text)) != PK_OK)
	return status;
    if (text != NULL && pk_state_parse(text, &acc->state) != PK_OK)
	return import_fail(p, "\"state\" is not an account state");
    if ((v = json_object_get(obj, "quota")) != NULL && !json_is_null(v)
	&& (status = jsonl_uint(p, obj, "quota", &acc->quota)) != PK_OK)
	return status;
    if ((v = json_object_get(obj, "keep_copy")) != NULL) {
	if (!json_is_boolean(v))
	    return import_fail(p, "\"keep_copy\" must be true or false");
	acc->keep_copy = json_is_true(v);
    }
    if ((status = jsonl_dests(p, obj, "forward", false, &acc->forward)) != PK_OK
	|| (status = jsonl_uint(p, obj, "created", &acc->created)) != PK_OK
	|| (status = jsonl_uint(p, obj, "changed", &acc->changed)) != PK_OK)
	return status;
    /* Like pk_account_set_forward(): no copy to keep without forwarding. */
    acc->keep_copy = acc->keep_copy && acc->forward.count > 0;
    return PK_OK;
}

/* jsonl_alias - {"type":"alias"} */

static int jsonl_alias(struct import_parser *p, json_t *obj)
{
    struct pk_alias *ali = &p->item.entry.u.alias;
    int     status;

    import_item_reset(p, PK_ITEM_ALIAS);
    if ((status = jsonl_address(p, obj, "address", PK_ADDR_CATCHALL,
				p->item.name)) != PK_OK
	|| (status = jsonl_dests(p, obj, "to", true, &ali->dest)) != PK_OK
	|| (status = jsonl_uint(p, obj, "created", &ali->created)) != PK_OK)
	return status;
    return jsonl_uint(p, obj, "changed", &ali->changed);
}

/* jsonl_sendas - {"type":"sendas"} */

static int jsonl_sendas(struct import_parser *p, json_t *obj)
{
    int     status;

    import_item_reset(p, PK_ITEM_SENDAS);
    if ((status = jsonl_address(p, obj, "login", 0, p->item.name)) != PK_OK)
	return status;
    return jsonl_address(p, obj, "address", PK_ADDR_CATCHALL, p->item.target);
}

static const struct jsonl_type {
    const char *name;
    int     (*parse) (struct import_parser *, json_t *);
    const char *keys[10];
} jsonl_types[] = {
    {"domain", NULL, {"type", "domain", "quota", "created"}},
    {"domain_alias", NULL, {"type", "domain", "target", "created"}},
    {"account", jsonl_account, {"type", "address", "password", "state", "quota",
	"forward", "keep_copy", "created", "changed"}},
    {"alias", jsonl_alias, {"type", "address", "to", "created", "changed"}},
    {"sendas", jsonl_sendas, {"type", "login", "address"}},
};

/* jsonl_keys - refuse a key the type does not have */

static int jsonl_keys(struct import_parser *p, json_t *obj,
		              const struct jsonl_type *type)
{
    const char *key;
    json_t *v;
    char    quoted[IMPORT_QUOTE_BUF];
    size_t  known = 0, i;

    /* Cheap and usual: every key present is one of ours. */
    for (i = 0; type->keys[i] != NULL; i++)
	known += json_object_get(obj, type->keys[i]) != NULL;
    if (known == json_object_size(obj))
	return PK_OK;
    json_object_foreach(obj, key, v) {
	for (i = 0; type->keys[i] != NULL && strcmp(type->keys[i], key) != 0; i++)
	     /* void */ ;
	if (type->keys[i] == NULL)
	    break;
    }
    return import_fail(p, "unknown key \"%s\" in %s %s item",
		       import_sanitize(key, strlen(key), quoted),
		       type->name[0] == 'a' ? "an" : "a", type->name);
}

/* jsonl_syntax - jansson's message without its excerpt of the input */

static int jsonl_syntax(struct import_parser *p, const json_error_t *jerr)
{
    char    text[JSON_ERROR_TEXT_LENGTH];
    char   *near;

    /* The excerpt may be part of a password hash. */
    snprintf(text, sizeof(text), "%s", jerr->text);
    if ((near = strstr(text, " near ")) != NULL)
	*near = 0;
    return import_fail(p, "invalid JSON at column %d: %s", jerr->column, text);
}

/* jsonl_line - one object */

static int jsonl_line(struct import_parser *p, const char *line, size_t len)
{
    const struct jsonl_type *type = NULL;
    json_error_t jerr;
    json_t *obj;
    const char *name;
    int     status;

    obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (obj == NULL)
	return jsonl_syntax(p, &jerr);
    if (!json_is_object(obj)) {
	json_decref(obj);
	return import_fail(p, "not a JSON object");
    }
    if ((status = jsonl_string(p, obj, "type", 32, true, &name)) == PK_OK) {
	for (size_t i = 0; i < sizeof(jsonl_types) / sizeof(jsonl_types[0]); i++)
	    if (strcmp(jsonl_types[i].name, name) == 0)
		type = &jsonl_types[i];
	if (type == NULL)
	    status = import_fail(p, "unknown \"type\"");
    }
    if (status == PK_OK)
	status = jsonl_keys(p, obj, type);
    if (status == PK_OK)
	status = type->parse ? type->parse(p, obj)
	    : jsonl_domain(p, obj, strcmp(type->name, "domain_alias") == 0);
    json_decref(obj);
    return status == PK_OK ? import_emit(p) : status;
}

/* jsonl_parse - PK_FORMAT_JSONL */

static int jsonl_parse(struct import_parser *p)
{
    const char *line;
    size_t  len;
    int     status;

    while (import_next_line(p, &line, &len)) {
	if (import_blank(line, len))
	    continue;
	if (len > IMPORT_LINE_MAX)
	    return import_fail(p, "the line is longer than %d octets", IMPORT_LINE_MAX);
	if (memchr(line, 0, len) != NULL)
	    return import_fail(p, "NUL byte in the line");
	p->item_line = p->line;
	if ((status = jsonl_line(p, line, len)) != PK_OK)
	    return status;
    }
    return PK_OK;
}

/* pk_import_parse - call fn for each item of the input */

int     pk_import_parse(enum pk_format format, const char *data, size_t len,
			        pk_item_fn *fn, void *ctx, const char **error_r)
{
    struct import_parser *p;
    int     status;

    if ((p = calloc(1, sizeof(*p))) == NULL
	|| (p->dest_pool = malloc(PK_DEST_MAX * sizeof(*p->dest_pool))) == NULL
	|| (p->dest_ptrs = malloc(PK_DEST_MAX * sizeof(*p->dest_ptrs))) == NULL) {
	if (p != NULL)
	    free(p->dest_pool);
	free(p);
	*error_r = pk_error("out of memory");
	return PK_ENOMEM;
    }
    p->data = data;
    p->len = len;
    p->fn = fn;
    p->ctx = ctx;
    p->error_r = error_r;
    p->now = (uint64_t) time(NULL);
    switch (format) {
    case PK_FORMAT_JSONL:
	status = jsonl_parse(p);
	break;
    case PK_FORMAT_DOVECOT_PASSWD:
	status = import_dovecot_parse(p);
	break;
    case PK_FORMAT_POSTFIX_VIRTUAL:
	status = import_virtual_parse(p);
	break;
    default:
	*error_r = pk_error("unknown import format %d", (int) format);
	status = PK_EINVAL;
	break;
    }
    if (status == PK_ENOMEM)
	*error_r = pk_error("out of memory");
    import_virtual_free(p);
    pk_wipe(&p->item, sizeof(p->item));
    if (p->text != NULL)
	pk_wipe(p->text, p->text_size);
    free(p->text);
    free(p->dest_pool);
    free(p->dest_ptrs);
    free(p);
    return status;
}
