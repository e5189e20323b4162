/*++
/* NAME
/*	auth 3
/* SUMMARY
/*	the login decision shared by Dovecot and the reference server
/* SYNOPSIS
/*	#include "auth.h"
/* DESCRIPTION
/*	See auth.h for the contract. The account is read in the caller's
/*	read transaction; everything handed back is a copy.
/* DIAGNOSTICS
/*	PK_NOTFOUND with a reason in error_r for an unknown or refused login
/*	name; store errors pass through unchanged.
/* SECURITY
/*	Login names are untrusted: bounded before parsing, and refused when
/*	they hold characters that would mean something to a host.
/*--*/

#include <string.h>

#include "account.h"
#include "addr.h"
#include "auth.h"
#include "password.h"

/* Characters an address may hold but a login name may not. */

/* auth_reason - what a client is told when the state forbids login */

static const char *auth_reason(enum pk_account_state state)
{
    switch (state) {
    case PK_STATE_SUSPENDED:
        return "account suspended";
    case PK_STATE_DISABLED:
        return "account disabled";
    default:
        return pk_state_may_login(state) ? "" : "account may not log in";
    }
}

/* auth_parse - a login name to a normalized address, or PK_NOTFOUND */

static int auth_parse(const char *name, struct pk_addr *addr,
                      const char **error_r)
{
    const char *parse_error;

    /* Bound before anything scans further: an address is at most
     * PK_ADDR_MAX octets, and a U-label form at most four times that. */
    if (strnlen(name, PK_ADDR_MAX * 4 + 1) > PK_ADDR_MAX * 4) {
        *error_r = pk_error("login name too long");
        return PK_NOTFOUND;
    }
    if (pk_addr_parse(name, 0, addr, &parse_error) != PK_OK ||
        pk_addr_check_hosted(addr, &parse_error) != PK_OK) {
        *error_r =
            pk_error("login name is not an address of ours: %s", parse_error);
        return PK_NOTFOUND;
    }
    return PK_OK;
}

/* pk_auth_lookup - the account behind a login name */

int pk_auth_lookup(struct pk_txn *txn, const char *name, struct pk_auth *auth_r,
                   const char **error_r)
{
    struct pk_addr addr;
    struct pk_entry ent;
    struct pk_account *acc;
    char text[PK_ADDR_MAX + 1];
    int status;

    if ((status = auth_parse(name, &addr, error_r)) != PK_OK)
        return status;
    pk_addr_format(&addr, text);
    status = pk_entry_lookup(txn, &addr, &ent, error_r);
    if (status == PK_NOTFOUND) {
        *error_r = pk_error("no account %s", text);
        return PK_NOTFOUND;
    }
    if (status != PK_OK)
        return status;
    if (ent.type != PK_REC_ACCOUNT) {
        pk_entry_free(&ent);
        *error_r = pk_error("%s is an alias, not an account", text);
        return PK_NOTFOUND;
    }
    acc = &ent.u.account;
    memcpy(auth_r->address, text, sizeof(text));
    memcpy(auth_r->hash, acc->password, sizeof(auth_r->hash));
    auth_r->state = acc->state;
    auth_r->may_login = pk_state_may_login(acc->state);
    auth_r->reason = auth_reason(acc->state);
    auth_r->quota = pk_account_quota(txn, addr.domain, acc);
    pk_entry_free(&ent); /* wipes the hash */
    return PK_OK;
}

/* pk_auth_verify - lookup plus password check */

int pk_auth_verify(struct pk_txn *txn, const char *name, const char *password,
                   struct pk_auth *auth_r, enum pk_auth_result *result_r,
                   const char **error_r)
{
    int status;

    status = pk_auth_lookup(txn, name, auth_r, error_r);
    if (status == PK_NOTFOUND) {
        pk_password_verify_dummy(password);
        *result_r = PK_AUTH_UNKNOWN;
        return PK_OK;
    }
    if (status != PK_OK)
        return status;
    status = pk_password_verify(password, auth_r->hash, error_r);
    if (status == PK_NOTFOUND) {
        *result_r = PK_AUTH_MISMATCH;
        return PK_OK;
    }
    if (status == PK_EINVAL) {
        *error_r = pk_error("the stored hash of %s cannot be verified: %s",
                            auth_r->address, *error_r);
        return PK_ECORRUPT;
    }
    if (status != PK_OK)
        return status;
    *result_r = auth_r->may_login ? PK_AUTH_OK : PK_AUTH_NOLOGIN;
    return PK_OK;
}

struct auth_iter {
    pk_auth_iter_fn *fn;
    void *ctx;
};

/* auth_iter_entry - pass accounts on, skip aliases */

static int auth_iter_entry(const char *address, const struct pk_entry *ent,
                           void *ctx)
{
    struct auth_iter *it = ctx;

    if (ent->type != PK_REC_ACCOUNT || *address == '@')
        return 0;
    return it->fn(address, it->ctx);
}

/* pk_auth_iter - every account's canonical address */

int pk_auth_iter(struct pk_txn *txn, pk_auth_iter_fn *fn, void *ctx,
                 const char **error_r)
{
    struct auth_iter it = {fn, ctx};

    return pk_entry_iter(txn, NULL, auth_iter_entry, &it, error_r);
}

/* pk_auth_wipe - clear the hash from a lookup result */

void pk_auth_wipe(struct pk_auth *auth)
{
    pk_wipe(auth->hash, strnlen(auth->hash, sizeof(auth->hash)));
}
