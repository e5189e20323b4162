/*++
/* NAME
/*	import-text 3
/* SUMMARY
/*	parse a Dovecot passwd-file or a Postfix virtual(5) table
/* SYNOPSIS
/*	#include "import-int.h"
/*
/*	int	import_dovecot_parse(struct import_parser *p)
/*
/*	int	import_virtual_parse(struct import_parser *p)
/*
/*	void	import_virtual_free(struct import_parser *p)
/* DESCRIPTION
/*	import_dovecot_parse() reads a Dovecot passwd-file, as Dovecot's
/*	db-passwd-file does: "user:password:uid:gid:gecos:home:shell:extra",
/*	where everything after the seventh ':' is the extra fields, a list
/*	separated by spaces (a field may hold ':' itself). Lines whose first
/*	non-blank character is '#' are comments. The user must be a full
/*	address. The password must be a scheme string; a bare crypt hash is
/*	what default_pass_scheme=CRYPT makes of it, so "$6$..." becomes
/*	"{SHA512-CRYPT}$6$...", "$5$" SHA256-CRYPT, "$2y$" (2a, 2b)
/*	BLF-CRYPT, "$1$" MD5-CRYPT and any other "$id$" CRYPT (yescrypt is
/*	"$y$"). Plaintext is refused. The extra field
/*	"userdb_quota_rule=*:storage=N" (kilobytes without a unit, as
/*	Dovecot reads it) or "*:bytes=N" sets the quota; units b, k, M, G,
/*	T. Other fields are ignored.
/*
/*	import_virtual_parse() reads a Postfix virtual(5) table: a logical
/*	line is "pattern result, result ..." with results separated by
/*	commas and/or white space; a line that starts with white space
/*	continues the logical line before it; blank lines and lines whose
/*	first non-blank character is '#' are ignored. "user@domain" and
/*	"@domain" (a catch-all) become aliases. "@domain @target", with
/*	exactly that one result, makes an alias domain. A bare "domain"
/*	pattern declares a virtual alias domain and is skipped. A pattern
/*	or result with no domain (a local name that Postfix would complete
/*	with $myorigin) is refused, and so is a pattern seen before. An
/*	address that maps to itself and nothing else ("a@x a@x", which in
/*	Postfix keeps a catch-all from capturing an address) is skipped:
/*	our catch-all never captures an address that exists.
/* DIAGNOSTICS
/*	PK_EINVAL with "line N: what is wrong"; PK_ENOMEM.
/* SECURITY
/*	Fields are bounded before use; messages never quote a password
/*	field.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "import-int.h"

/* Postfix virtual: patterns seen, for duplicates. */
struct virtual_slot {
    size_t off; /* into names, plus one; 0: empty */
    size_t line;
};

struct import_virtual {
    char *names; /* NUL-terminated patterns */
    size_t names_len;
    size_t names_size;
    struct virtual_slot *slots;
    size_t slot_count; /* a power of two */
    size_t used;
};

#define DOVECOT_FIELDS 7 /* before the extra fields */

static const struct {
    const char *prefix;
    const char *scheme;
} dovecot_crypt[] = {
    {"$6$", "SHA512-CRYPT"}, {"$5$", "SHA256-CRYPT"}, {"$2y$", "BLF-CRYPT"},
    {"$2a$", "BLF-CRYPT"},   {"$2b$", "BLF-CRYPT"},   {"$1$", "MD5-CRYPT"},
};

/* dovecot_password - the scheme string of a password field */

static int dovecot_password(struct import_parser *p, const char *field,
                            char out[PK_HASH_MAX + 1])
{
    char buf[PK_HASH_MAX + 2];
    const char *scheme = NULL;
    size_t len = strlen(field);

    if (len == 0)
        return import_fail(p, "the password field is empty");
    if (field[0] == '{')
        return import_hash(p, field, out);
    for (size_t i = 0; i < sizeof(dovecot_crypt) / sizeof(dovecot_crypt[0]);
         i++)
        if (strncmp(field, dovecot_crypt[i].prefix,
                    strlen(dovecot_crypt[i].prefix)) == 0)
            scheme = dovecot_crypt[i].scheme;
    /* Any other modular crypt "$id$...": libxcrypt decides (CRYPT). */
    if (scheme == NULL && field[0] == '$' && len > 2 && strchr(field + 1, '$'))
        scheme = "CRYPT";
    if (scheme == NULL)
        return import_fail(p,
                           "the password has no {SCHEME} prefix and is not a "
                           "crypt hash (plaintext is refused)");
    if (strlen(scheme) + 2 + len > PK_HASH_MAX ||
        snprintf(buf, sizeof(buf), "{%s}%s", scheme, field) >= (int)sizeof(buf))
        return import_fail(p, "the password hash is longer than %d octets",
                           PK_HASH_MAX);
    return import_hash(p, buf, out);
}

/* dovecot_size - a quota size with an optional unit */

static int dovecot_size(struct import_parser *p, const char *s, uint64_t unit,
                        uint64_t *size_r)
{
    uint64_t val = 0;
    const char *c = s;

    if (*c < '0' || *c > '9')
        return import_fail(p, "quota \"%.32s\" is not a number", s);
    for (; *c >= '0' && *c <= '9'; c++) {
        if (val > (UINT64_MAX - 9) / 10)
            return import_fail(p, "quota is too large");
        val = val * 10 + (uint64_t)(*c - '0');
    }
    if (*c != 0) {
        const char *units = "bkmgt", *u = strchr(units, *c | 0x20);

        if (*c == '%')
            return import_fail(p, "a quota in percent is not supported");
        if (u == NULL || c[1] != 0)
            return import_fail(p, "quota \"%.32s\" has an unknown unit", s);
        unit = (uint64_t)1 << (10 * (u - units));
    }
    /* Never PK_QUOTA_DOMAIN by accident. */
    if (val != 0 && val > (UINT64_MAX - 1) / unit)
        return import_fail(p, "quota is too large");
    *size_r = val * unit;
    return PK_OK;
}

/* dovecot_quota - "*:storage=N" or "*:bytes=N" of a quota rule */

static int dovecot_quota(struct import_parser *p, char *rule, uint64_t *quota)
{
    char *part, *save = NULL;
    int status;

    /* Rules for one mailbox ("Trash:storage=+10M") do not set the quota. */
    if (strncmp(rule, "*:", 2) != 0)
        return PK_OK;
    for (part = strtok_r(rule + 2, ":", &save); part != NULL;
         part = strtok_r(NULL, ":", &save)) {
        if (strncmp(part, "storage=", 8) == 0)
            status = dovecot_size(p, part + 8, 1024, quota);
        else if (strncmp(part, "bytes=", 6) == 0)
            status = dovecot_size(p, part + 6, 1, quota);
        else
            status = PK_OK;
        if (status != PK_OK)
            return status;
    }
    return PK_OK;
}

/* dovecot_line - one line: an account */

static int dovecot_line(struct import_parser *p, char *line)
{
    struct pk_account *acc = &p->item.entry.u.account;
    char *field[DOVECOT_FIELDS + 1] = {0}, *extra = NULL, *tok, *save;
    char quoted[IMPORT_QUOTE_BUF];
    int n = 0, status;

    for (field[n++] = line; n <= DOVECOT_FIELDS; n++) {
        if ((field[n] = strchr(field[n - 1], ':')) == NULL)
            break;
        *field[n]++ = 0;
    }
    if (n > DOVECOT_FIELDS)
        extra = field[DOVECOT_FIELDS];
    if (field[1] == NULL)
        return import_fail(p, "no password field (expected user:password:...)");
    if (strchr(field[0], '@') == NULL)
        return import_fail(p, "user \"%s\" is not a full address (user@domain)",
                           import_sanitize(field[0], strlen(field[0]), quoted));
    import_item_reset(p, PK_ITEM_ACCOUNT);
    if ((status = import_addr(p, "user", field[0], IMPORT_HOSTED,
                              p->item.name)) != PK_OK ||
        (status = dovecot_password(p, field[1], acc->password)) != PK_OK)
        return status;
    for (tok = extra ? strtok_r(extra, " \t", &save) : NULL; tok != NULL;
         tok = strtok_r(NULL, " \t", &save)) {
        if (strncmp(tok, "userdb_quota_rule=", 18) == 0 &&
            (status = dovecot_quota(p, tok + 18, &acc->quota)) != PK_OK)
            return status;
    }
    return import_emit(p);
}

/* import_dovecot_parse - PK_FORMAT_DOVECOT_PASSWD */

int import_dovecot_parse(struct import_parser *p)
{
    const char *line;
    size_t len, skip;
    int status;

    while (import_next_line(p, &line, &len)) {
        skip = import_indent(line, len);
        if (import_blank(line, len) || (skip < len && line[skip] == '#'))
            continue;
        if (memchr(line, 0, len) != NULL)
            return import_fail(p, "NUL byte in the line");
        p->text_len = 0;
        if ((status = import_text_add(p, line, len)) != PK_OK)
            return status;
        p->item_line = p->line;
        if ((status = dovecot_line(p, p->text)) != PK_OK)
            return status;
    }
    return PK_OK;
}

/* virtual_hash - FNV-1a */

static size_t virtual_hash(const char *s)
{
    size_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* virtual_grow - double the pattern table */

static int virtual_grow(struct import_virtual *v)
{
    size_t count = v->slot_count ? v->slot_count * 2 : 1024;
    struct virtual_slot *slots = calloc(count, sizeof(*slots));

    if (slots == NULL)
        return PK_ENOMEM;
    for (size_t i = 0; i < v->slot_count; i++) {
        size_t j;

        if (v->slots[i].off == 0)
            continue;
        j = virtual_hash(v->names + v->slots[i].off - 1) & (count - 1);
        while (slots[j].off != 0)
            j = (j + 1) & (count - 1);
        slots[j] = v->slots[i];
    }
    free(v->slots);
    v->slots = slots;
    v->slot_count = count;
    return PK_OK;
}

/* virtual_seen - remember a pattern; refuse one seen before */

static int virtual_seen(struct import_parser *p, const char *name)
{
    struct import_virtual *v = p->virtual;
    size_t len = strlen(name) + 1, j, size;
    char *names;

    if (v->used * 2 >= v->slot_count && virtual_grow(v) != PK_OK)
        return PK_ENOMEM;
    for (j = virtual_hash(name) & (v->slot_count - 1); v->slots[j].off != 0;
         j = (j + 1) & (v->slot_count - 1))
        if (strcmp(v->names + v->slots[j].off - 1, name) == 0)
            return import_fail(p, "duplicate pattern %s (first on line %zu)",
                               name, v->slots[j].line);
    if (v->names_len + len > v->names_size) {
        for (size = v->names_size ? v->names_size : 65536;
             size < v->names_len + len;)
            size *= 2;
        if ((names = realloc(v->names, size)) == NULL)
            return PK_ENOMEM;
        v->names = names;
        v->names_size = size;
    }
    memcpy(v->names + v->names_len, name, len);
    v->slots[j].off = v->names_len + 1;
    v->slots[j].line = p->item_line;
    v->names_len += len;
    v->used++;
    return PK_OK;
}

/* virtual_domain_alias - "@domain @target" */

static int virtual_domain_alias(struct import_parser *p, const char *pattern,
                                const char *result)
{
    struct pk_item *item = &p->item;
    char key[PK_ADDR_MAX + 2];
    int status;

    import_item_reset(p, PK_ITEM_DOMAIN_ALIAS);
    item->domain.kind = PK_DOMAIN_ALIAS;
    if ((status = import_domain(p, "pattern", pattern + 1, item->name)) !=
            PK_OK ||
        (status = import_domain(p, "result", result + 1,
                                item->domain.target)) != PK_OK)
        return status;
    if (strcmp(item->name, item->domain.target) == 0)
        return import_fail(p, "domain %s cannot be an alias of itself",
                           item->name);
    memcpy(item->target, item->domain.target, sizeof(item->target));
    snprintf(key, sizeof(key), "@%s", item->name);
    if ((status = virtual_seen(p, key)) != PK_OK)
        return status;
    return import_emit(p);
}

/* virtual_result - check the shape of one result before normalizing */

static int virtual_result(struct import_parser *p, const char *result)
{
    char quoted[IMPORT_QUOTE_BUF];

    if (result[0] == '@')
        return import_fail(p,
                           "result \"%s\" is a whole domain; only "
                           "\"@domain @target\" maps a domain",
                           import_sanitize(result, strlen(result), quoted));
    if (strchr(result, '@') == NULL)
        return import_fail(p,
                           "result \"%s\" has no domain (local names are "
                           "not supported)",
                           import_sanitize(result, strlen(result), quoted));
    return PK_OK;
}

/* virtual_alias - "user@domain result..." or "@domain result..." */

static int virtual_alias(struct import_parser *p, const char *pattern,
                         char **results, size_t count)
{
    struct pk_alias *ali = &p->item.entry.u.alias;
    bool self = false;
    int status;

    import_item_reset(p, PK_ITEM_ALIAS);
    if ((status = import_addr(p, "pattern", pattern,
                              PK_ADDR_CATCHALL | IMPORT_HOSTED,
                              p->item.name)) != PK_OK ||
        (status = virtual_seen(p, p->item.name)) != PK_OK)
        return status;
    for (size_t i = 0; i < count; i++)
        if ((status = virtual_result(p, results[i])) != PK_OK ||
            (status = import_dest(p, p->item.name, results[i], &ali->dest,
                                  &self)) != PK_OK)
            return status;
    if (self && ali->dest.count == 0)
        return PK_OK;
    if (self)
        return import_fail(p,
                           "%s maps to itself and to other addresses; import "
                           "it as an account with forwarding",
                           p->item.name);
    return import_emit(p);
}

/* virtual_logical - one logical line */

static int virtual_logical(struct import_parser *p, char *line)
{
    char *results[PK_DEST_MAX + 1], *pattern, *rest, *tok, *save;
    char quoted[IMPORT_QUOTE_BUF], domain[PK_DOMAIN_MAX + 1];
    size_t count = 0;

    pattern = line;
    rest = pattern + strcspn(pattern, " \t");
    if (*rest != 0)
        *rest++ = 0;
    for (tok = strtok_r(rest, " \t,", &save); tok != NULL;
         tok = strtok_r(NULL, " \t,", &save)) {
        if (count == PK_DEST_MAX)
            return import_fail(p, "more than %d results", PK_DEST_MAX);
        results[count++] = tok;
    }
    if (strchr(pattern, '@') == NULL) {
        /* "example.com  anything": a virtual alias domain declaration. */
        if (strchr(pattern, '.') != NULL)
            return import_domain(p, "pattern", pattern, domain);
        return import_fail(p,
                           "pattern \"%s\" has no domain (local names are "
                           "not supported)",
                           import_sanitize(pattern, strlen(pattern), quoted));
    }
    if (count == 0)
        return import_fail(p, "pattern %s has no result",
                           import_sanitize(pattern, strlen(pattern), quoted));
    if (pattern[0] == '@' && count == 1 && results[0][0] == '@')
        return virtual_domain_alias(p, pattern, results[0]);
    return virtual_alias(p, pattern, results, count);
}

/* virtual_flush - process the logical line collected so far */

static int virtual_flush(struct import_parser *p)
{
    size_t line = p->line;
    int status = PK_OK;

    /* Messages name the line where the logical line started. */
    p->line = p->item_line;
    if (p->text_len > 0)
        status = virtual_logical(p, p->text);
    p->text_len = 0;
    p->line = line;
    return status;
}

/* import_virtual_parse - PK_FORMAT_POSTFIX_VIRTUAL */

int import_virtual_parse(struct import_parser *p)
{
    const char *line;
    size_t len, skip;
    int status;

    if ((p->virtual = calloc(1, sizeof(*p->virtual))) == NULL)
        return PK_ENOMEM;
    while (import_next_line(p, &line, &len)) {
        skip = import_indent(line, len);
        if (import_blank(line, len) || (skip < len && line[skip] == '#'))
            continue;
        if (memchr(line, 0, len) != NULL)
            return import_fail(p, "NUL byte in the line");
        if (skip == 0) {
            if ((status = virtual_flush(p)) != PK_OK)
                return status;
            p->item_line = p->line;
        } else if (p->text_len == 0) {
            return import_fail(p, "a continuation line (it starts with white "
                                  "space) with no line before it");
        } else if ((status = import_text_add(p, " ", 1)) != PK_OK) {
            return status;
        }
        if ((status = import_text_add(p, line, len)) != PK_OK)
            return status;
    }
    return virtual_flush(p);
}

/* import_virtual_free - release the pattern table */

void import_virtual_free(struct import_parser *p)
{
    if (p->virtual == NULL)
        return;
    free(p->virtual->names);
    free(p->virtual->slots);
    free(p->virtual);
    p->virtual = NULL;
}
