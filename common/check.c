/*++
/* NAME
/*	check 3
/* SUMMARY
/*	verify every record and every invariant
/* SYNOPSIS
/*	#include "check.h"
/* DESCRIPTION
/*	See check.h. Each table is walked once with a raw cursor, so that a
/*	record that does not decode is reported and the walk goes on.
/*--*/

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "check.h"
#include "dkim.h"
#include "domain.h"
#include "password.h"
#include "ratelimit.h"
#include "refs.h"
#include "resolve.h"

struct check {
    struct pk_txn *txn;
    pk_check_report_fn *report;
    void *ctx;
    size_t problems;
    char dkim_domain[PK_DOMAIN_MAX + 1]; /* of the last DKIM key seen */
    size_t dkim_active;                  /* its active keys so far */
};

/* problem - report one finding */

static void problem(struct check *c, const char *object, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    c->problems++;
    c->report(object, buf, c->ctx);
}

/* check_domain - one domain record */

static void check_domain(struct check *c, const char *name, const void *val,
                         size_t vlen)
{
    struct pk_domain dom, target;
    char norm[PK_DOMAIN_MAX + 1];
    const char *error;
    const void *cval;
    size_t cvlen;
    int status;

    if (pk_addr_parse_domain(name, norm, &error) != PK_OK ||
        strcmp(norm, name) != 0)
        problem(c, name, "the domain key is not a normalized domain name");
    if ((status = pk_record_decode_domain(val, vlen, &dom)) != PK_OK) {
        problem(c, name, "the domain record is %s", pk_strstatus(status));
        return;
    }
    /* A flag that says "no catch-all" while there is one would make
     * lookups skip it; a flag set without one only costs a lookup. */
    if (dom.catchall == PK_CATCHALL_NONE && strlen(name) <= PK_DOMAIN_MAX &&
        pk_txn_get(c->txn, PK_DB_ADDRESSES, name, strlen(name) + 1, &cval,
                   &cvlen, &error) == PK_OK)
        problem(c, name,
                "the domain record says it has no catch-all, but @%s exists",
                name);
    if (dom.kind != PK_DOMAIN_ALIAS)
        return;
    status = pk_domain_lookup(c->txn, dom.target, &target, &error);
    if (status != PK_OK || target.kind != PK_DOMAIN_HOSTED)
        problem(c, name, "alias domain target %s is not a hosted domain",
                dom.target);
}

/* check_resolves - an alias or forwarding account resolves strictly */

static void check_resolves(struct check *c, const char *text)
{
    struct pk_resolution res;
    const char *error;

    if (pk_resolve(c->txn, text, PK_RESOLVE_STRICT, &res, &error) != PK_OK)
        problem(c, text, "%s", error);
    else
        pk_resolve_free(&res);
}

/* check_hints - an alias's destination hints say what is there */

static void check_hints(struct check *c, const char *text,
                        const struct pk_alias *ali)
{
    const char *dest;
    unsigned char now;

    for (size_t i = 0; ali->hints != NULL && i < ali->dest.count; i++) {
        if (ali->hints[i] == PK_HINT_NONE)
            continue;
        dest = ali->dest.items[i];
        if ((now = pk_refs_hint(c->txn, dest, strlen(dest))) != ali->hints[i])
            problem(c, text,
                    "the record says %s is a mailbox, but it is not an "
                    "account that keeps its mail",
                    dest);
    }
}

/* check_entry - one account or alias */

static void check_entry(struct check *c, const void *key, size_t klen,
                        const void *val, size_t vlen)
{
    struct pk_addr addr;
    struct pk_entry ent;
    struct pk_domain dom;
    char text[PK_ADDR_MAX + 1];
    const char *error;
    int status;

    if (pk_addr_from_key(key, klen, &addr) != PK_OK) {
        problem(c, "(addresses)", "a key of %zu bytes is not a valid address",
                klen);
        return;
    }
    pk_addr_format(&addr, text);
    if ((status = pk_record_decode_entry(val, vlen, &ent)) != PK_OK) {
        problem(c, text, "the record is %s", pk_strstatus(status));
        return;
    }
    status = pk_domain_lookup(c->txn, addr.domain, &dom, &error);
    if (status != PK_OK)
        problem(c, text, "domain %s is not hosted here", addr.domain);
    else if (dom.kind != PK_DOMAIN_HOSTED &&
             (ent.type == PK_REC_ACCOUNT || addr.local[0] == 0))
        problem(c, text, "an %s cannot live in alias domain %s",
                ent.type == PK_REC_ACCOUNT ? "account" : "catch-all",
                addr.domain);
    if (ent.type == PK_REC_ACCOUNT &&
        pk_password_check_hash(ent.u.account.password, &error) != PK_OK)
        problem(c, text, "the password hash is not usable: %s", error);
    if (ent.type == PK_REC_ALIAS || ent.u.account.forward.count > 0)
        check_resolves(c, text);
    if (ent.type == PK_REC_ALIAS)
        check_hints(c, text, &ent.u.alias);
    pk_entry_free(&ent);
}

/* check_grant - one send-as grant */

static void check_grant(struct check *c, const void *key, size_t klen,
                        const void *val, size_t vlen)
{
    struct pk_addr login, addr;
    struct pk_entry ent;
    char text[PK_ADDR_MAX + 1];
    const char *error;

    if (pk_addr_from_key(key, klen, &login) != PK_OK ||
        pk_addr_from_key(val, vlen, &addr) != PK_OK) {
        problem(c, "(sendas)", "a grant is not made of valid addresses");
        return;
    }
    pk_addr_format(&login, text);
    if (pk_entry_lookup(c->txn, &login, &ent, &error) != PK_OK ||
        ent.type != PK_REC_ACCOUNT)
        problem(c, text, "has send-as grants but is not an account");
    pk_entry_free(&ent);
}

/* check_dkim - one DKIM key: its key, record, domain, and usability */

static void check_dkim(struct check *c, const void *key, size_t klen,
                       const void *val, size_t vlen)
{
    const char *k = key, *nul = memchr(key, 0, klen);
    char domain[PK_DOMAIN_MAX + 1], sel[PK_DKIM_SELECTOR_MAX + 1];
    char object[PK_DOMAIN_MAX + PK_DKIM_SELECTOR_MAX + 16];
    struct pk_dkimkey rec;
    struct pk_domain dom;
    const char *error;
    char *txt;
    int status;

    if (nul == NULL || nul == k || nul - k > PK_DOMAIN_MAX ||
        klen - (nul - k) - 1 > PK_DKIM_SELECTOR_MAX) {
        problem(c, "(dkim)", "a key of %zu bytes is not domain NUL selector",
                klen);
        return;
    }
    memcpy(domain, k, nul - k + 1);
    memcpy(sel, nul + 1, klen - (nul - k) - 1);
    sel[klen - (nul - k) - 1] = 0;
    snprintf(object, sizeof(object), "%s._domainkey.%s", sel, domain);
    if (!pk_dkim_selector_ok(sel))
        problem(c, object, "the selector is not a valid DKIM selector");
    if ((status = pk_record_decode_dkim(val, vlen, &rec)) != PK_OK) {
        problem(c, object, "the DKIM key record is %s", pk_strstatus(status));
        return;
    }
    status = pk_domain_lookup(c->txn, domain, &dom, &error);
    if (status != PK_OK || dom.kind != PK_DOMAIN_HOSTED)
        problem(c, object, "domain %s is not hosted here", domain);
    if (pk_dkim_dns_txt(&rec, &txt, &error) != PK_OK)
        problem(c, object, "the private key is not a %s key",
                pk_dkim_alg_name(rec.alg));
    else
        free(txt);
    /* Keys of a domain are adjacent: count its active ones. */
    if (strcmp(c->dkim_domain, domain) != 0) {
        memcpy(c->dkim_domain, domain, sizeof(domain));
        c->dkim_active = 0;
    }
    if (rec.active && ++c->dkim_active == 2)
        problem(c, domain, "more than one active DKIM key");
    pk_dkimkey_free(&rec);
}

/* check_limit - one rate-limit setting: decodes, in range, subject */

static void check_limit(struct check *c, const char *key, size_t klen)
{
    static const char prefix[] = "ratelimit:";
    enum pk_ratelimit_scope scope;
    struct pk_ratelimit lim;
    struct pk_domain dom;
    struct pk_entry ent;
    char text[PK_ADDR_MAX + 32], *subject = NULL;
    const char *error, *rest;
    struct pk_addr addr;
    int status;

    snprintf(text, sizeof(text), "%.*s", (int)klen, key);
    rest = text + sizeof(prefix) - 1;
    if (klen >= sizeof(text) || memchr(key, 0, klen) != NULL ||
        (strncmp(rest, "account", 7) != 0 && strncmp(rest, "domain", 6) != 0)) {
        problem(c, "(meta)", "a rate-limit key of %zu bytes names no scope",
                klen);
        return;
    }
    scope = *rest == 'a' ? PK_RATELIMIT_ACCOUNT : PK_RATELIMIT_DOMAIN;
    rest += scope == PK_RATELIMIT_ACCOUNT ? 7 : 6;
    if (*rest == ':')
        subject = (char *)rest + 1;
    else if (*rest != 0) {
        problem(c, text, "a rate-limit key that names no scope");
        return;
    }
    if ((status = pk_ratelimit_get(c->txn, scope, subject, &lim, &error)) !=
        PK_OK) {
        problem(c, text, "%s",
                status == PK_NOTFOUND ? "the subject is not a normalized name"
                                      : error);
        return;
    }
    if (lim.window == 0 || lim.window > PK_RATELIMIT_WINDOW_MAX)
        problem(c, text, "the window of %u seconds is out of range",
                lim.window);
    if (subject == NULL)
        return;
    if (scope == PK_RATELIMIT_DOMAIN) {
        status = pk_domain_lookup(c->txn, subject, &dom, &error);
        if (status != PK_OK || dom.kind != PK_DOMAIN_HOSTED)
            problem(c, text, "%s is not a hosted domain", subject);
        return;
    }
    if (pk_addr_parse(subject, 0, &addr, &error) != PK_OK ||
        pk_entry_lookup(c->txn, &addr, &ent, &error) != PK_OK) {
        problem(c, text, "%s is not an account", subject);
        return;
    }
    if (ent.type != PK_REC_ACCOUNT)
        problem(c, text, "%s is not an account", subject);
    pk_entry_free(&ent);
}

/* check_limits - every rate-limit setting in the meta table */

static int check_limits(struct check *c, const char **error_r)
{
    struct pk_cursor *cur;
    const void *key, *val;
    size_t klen, vlen;
    int status;

    if ((status = pk_cursor_open(c->txn, PK_DB_META, "ratelimit:", 10, &cur,
                                 error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK)
        check_limit(c, key, klen);
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* check_log - the change log keys are sequence numbers, records decode */

static void check_log(struct check *c, const void *key, size_t klen,
                      const void *val, size_t vlen)
{
    struct pk_logrec rec;

    if (klen != 8)
        problem(c, "(log)", "a change log key of %zu bytes", klen);
    else if (pk_record_decode_log(val, vlen, &rec) != PK_OK)
        problem(c, "(log)", "a change log record does not decode");
    else
        pk_logrec_free(&rec);
}

/* walk - run a checker over every pair of a table */

static int walk(struct check *c, enum pk_db db, const char **error_r)
{
    struct pk_cursor *cur;
    const void *key, *val;
    size_t klen, vlen;
    char name[PK_DOMAIN_MAX + 1];
    int status;

    if ((status = pk_cursor_open(c->txn, db, NULL, 0, &cur, error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        switch (db) {
        case PK_DB_DOMAINS:
            if (klen > PK_DOMAIN_MAX || memchr(key, 0, klen)) {
                problem(c, "(domains)", "a key of %zu bytes is not a domain",
                        klen);
                break;
            }
            memcpy(name, key, klen);
            name[klen] = 0;
            check_domain(c, name, val, vlen);
            break;
        case PK_DB_ADDRESSES:
            check_entry(c, key, klen, val, vlen);
            break;
        case PK_DB_SENDAS:
            check_grant(c, key, klen, val, vlen);
            break;
        case PK_DB_LOG:
            check_log(c, key, klen, val, vlen);
            break;
        case PK_DB_DKIM:
            check_dkim(c, key, klen, val, vlen);
            break;
        default:
            break;
        }
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* pk_check - verify the whole database */

int pk_check(struct pk_txn *txn, pk_check_report_fn *report, void *ctx,
             size_t *problems_r, const char **error_r)
{
    static const enum pk_db order[] = {
        PK_DB_DOMAINS, PK_DB_ADDRESSES, PK_DB_SENDAS, PK_DB_DKIM, PK_DB_LOG,
    };
    struct check c = {.txn = txn, .report = report, .ctx = ctx};
    int status = PK_OK;

    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && status == PK_OK;
         i++)
        status = walk(&c, order[i], error_r);
    if (status == PK_OK)
        status = check_limits(&c, error_r);
    *problems_r = c.problems;
    return status;
}
