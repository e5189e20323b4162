/*++
/* NAME
/*	export 3
/* SUMMARY
/*	write the whole database as JSON lines
/* SYNOPSIS
/*	#include "import.h"
/*
/*	int	pk_export(struct pk_txn *txn, pk_export_fn *fn, void *ctx,
/*			const char **error_r)
/* DESCRIPTION
/*	pk_export() calls fn once per line, newline included: hosted
/*	domains, alias domains, accounts, aliases, send-as grants, DKIM
/*	keys, rate-limit settings (defaults first), each in key order, in the forms import.h lists. Keys come in a fixed order
/*	and jansson writes compact JSON, so the same database always gives
/*	the same bytes, and pk_import() of an export into an empty database
/*	gives one whose export is identical. An account's quota is null
/*	when it follows the domain default (PK_QUOTA_DOMAIN).
/*
/*	The line passed to fn is valid during the call only. A non-zero
/*	answer from fn stops the export and is returned.
/* DIAGNOSTICS
/*	PK_ECORRUPT for a stored value that cannot be written (a number
/*	beyond 2^63 - 1, text that is not UTF-8); PK_ENOMEM; the store's
/*	errors.
/* SECURITY
/*	The output holds password hashes: the caller decides where it goes.
/*	The line buffer is wiped before it is released.
/*--*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "account.h"
#include "dkim.h"
#include "domain.h"
#include "import.h"
#include "sendas.h"

struct export
{
    pk_export_fn *fn;
    void *ctx;
    char *buf;
    size_t size;
    bool alias_pass; /* second pass of a table */
    int status;      /* why a walk stopped */
    char error[256];
};

/* export_fail - remember why the walk stops */

static int export_fail(struct export *ex, int status, const char *what,
                       const char *name)
{
    snprintf(ex->error, sizeof(ex->error), "cannot export %s: %s", name, what);
    ex->status = status;
    return status;
}

/* export_int - a stored number as JSON; NULL if it does not fit */

static json_t *export_int(uint64_t val)
{
    if (val > INT64_MAX)
        return NULL;
    return json_integer((json_int_t)val);
}

/* export_list - a string list as a JSON array */

static json_t *export_list(const struct pk_strlist *list)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < list->count; i++) {
        if (json_array_append_new(arr, json_string(list->items[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* export_line - write one object as a line; takes the object */

static int export_line(struct export *ex, json_t *obj, const char *name)
{
    size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER, len;
    char *buf;
    int status;

    if (obj == NULL)
        return export_fail(ex, PK_ECORRUPT,
                           "a stored value is out of range or "
                           "not UTF-8 text (or memory ran out)",
                           name);
    len = json_dumpb(obj, ex->buf, ex->size, flags);
    if (len + 1 > ex->size) {
        if ((buf = realloc(ex->buf, len + 256)) == NULL) {
            json_decref(obj);
            return export_fail(ex, PK_ENOMEM, "out of memory", name);
        }
        ex->buf = buf;
        ex->size = len + 256;
        len = json_dumpb(obj, ex->buf, ex->size, flags);
    }
    json_decref(obj);
    if (len == 0)
        return export_fail(ex, PK_ENOMEM, "out of memory", name);
    ex->buf[len++] = '\n';
    if ((status = ex->fn(ex->buf, len, ex->ctx)) != 0)
        return export_fail(ex, status, "writing the output failed", name);
    return PK_OK;
}

/* export_domain - a hosted domain in the first pass, an alias in the second */

static int export_domain(const char *name, const struct pk_domain *dom,
                         void *ctx)
{
    struct export *ex = ctx;

    if ((dom->kind == PK_DOMAIN_ALIAS) != ex->alias_pass)
        return PK_OK;
    if (dom->kind == PK_DOMAIN_ALIAS)
        return export_line(ex,
                           json_pack("{s:s, s:s, s:s, s:o}", "type",
                                     "domain_alias", "domain", name, "target",
                                     dom->target, "created",
                                     export_int(dom->created)),
                           name);
    return export_line(ex,
                       json_pack("{s:s, s:s, s:o, s:o}", "type", "domain",
                                 "domain", name, "quota",
                                 export_int(dom->default_quota), "created",
                                 export_int(dom->created)),
                       name);
}

/* export_account - {"type":"account",...} */

static json_t *export_account(const char *address, const struct pk_account *acc)
{
    json_t *quota =
        acc->quota == PK_QUOTA_DOMAIN ? json_null() : export_int(acc->quota);

    /* As pk_import_parse() reads it: no copy to keep without forwarding. */
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:o, s:o}", "type",
                     "account", "address", address, "password", acc->password,
                     "state", pk_state_name(acc->state), "quota", quota,
                     "forward", export_list(&acc->forward), "keep_copy",
                     acc->keep_copy && acc->forward.count > 0, "created",
                     export_int(acc->created), "changed",
                     export_int(acc->changed));
}

/* export_entry - accounts in the first pass, aliases in the second */

static int export_entry(const char *address, const struct pk_entry *ent,
                        void *ctx)
{
    struct export *ex = ctx;
    const struct pk_alias *ali = &ent->u.alias;

    if ((ent->type == PK_REC_ALIAS) != ex->alias_pass)
        return PK_OK;
    if (ent->type == PK_REC_ACCOUNT)
        return export_line(ex, export_account(address, &ent->u.account),
                           address);
    return export_line(ex,
                       json_pack("{s:s, s:s, s:o, s:o, s:o}", "type", "alias",
                                 "address", address, "to",
                                 export_list(&ali->dest), "created",
                                 export_int(ali->created), "changed",
                                 export_int(ali->changed)),
                       address);
}

/* export_grant - {"type":"sendas",...} */

static int export_grant(const char *login, const char *address, void *ctx)
{
    return export_line(ctx,
                       json_pack("{s:s, s:s, s:s}", "type", "sendas", "login",
                                 login, "address", address),
                       login);
}

/* export_dkim - {"type":"dkim",...}; the line holds a private key */

static int export_dkim(const char *domain, const char *selector,
                       const struct pk_dkimkey *key, void *ctx)
{
    return export_line(ctx,
                       json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o}", "type",
                                 "dkim", "domain", domain, "selector", selector,
                                 "algorithm", pk_dkim_alg_name(key->alg),
                                 "active", key->active, "key", key->key,
                                 "created", export_int(key->created)),
                       domain);
}

/* export_limit - {"type":"ratelimit",...}; no subject for a default */

static int export_limit(enum pk_ratelimit_scope scope, const char *subject,
                        const struct pk_ratelimit *lim, void *ctx)
{
    json_t *obj = json_pack("{s:s, s:s}", "type", "ratelimit", "scope",
                            pk_ratelimit_scope_name(scope));

    if (obj != NULL && *subject != 0 &&
        json_object_set_new(obj, "subject", json_string(subject)) != 0) {
        json_decref(obj);
        obj = NULL;
    }
    if (obj != NULL &&
        (json_object_set_new(obj, "messages", json_integer(lim->messages)) !=
             0 ||
         json_object_set_new(obj, "recipients",
                             json_integer(lim->recipients)) != 0 ||
         json_object_set_new(obj, "window", json_integer(lim->window)) != 0)) {
        json_decref(obj);
        obj = NULL;
    }
    return export_line(ctx, obj, *subject ? subject : "a rate limit");
}

/* export_walks - the seven passes */

static int export_walks(struct pk_txn *txn, struct export *ex,
                        const char **error_r)
{
    int status;

    ex->alias_pass = false;
    if ((status = pk_domain_iter(txn, export_domain, ex, error_r)) != PK_OK)
        return status;
    ex->alias_pass = true;
    if ((status = pk_domain_iter(txn, export_domain, ex, error_r)) != PK_OK)
        return status;
    ex->alias_pass = false;
    if ((status = pk_entry_iter(txn, NULL, export_entry, ex, error_r)) != PK_OK)
        return status;
    ex->alias_pass = true;
    if ((status = pk_entry_iter(txn, NULL, export_entry, ex, error_r)) != PK_OK)
        return status;
    if ((status = pk_sendas_list(txn, NULL, export_grant, ex, error_r)) !=
            PK_OK ||
        ((status = pk_dkim_list(txn, NULL, export_dkim, ex, error_r)) !=
             PK_OK &&
         status != PK_NOTFOUND))
        return status;
    return pk_ratelimit_list(txn, export_limit, ex, error_r);
}

/* pk_export - write the whole database as JSON lines */

int pk_export(struct pk_txn *txn, pk_export_fn *fn, void *ctx,
              const char **error_r)
{
    struct export ex = {.fn = fn, .ctx = ctx};
    int status;

    if ((ex.buf = malloc(ex.size = 1024)) == NULL) {
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    status = export_walks(txn, &ex, error_r);
    /* A stop asked for by a callback carries our message, not the store's. */
    if (status != PK_OK && ex.status != PK_OK && status == ex.status)
        *error_r = pk_error("%s", ex.error);
    pk_wipe(ex.buf, ex.size);
    free(ex.buf);
    return status;
}
