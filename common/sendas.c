/*++
/* NAME
/*	sendas 3
/* SUMMARY
/*	who may send as which address
/* SYNOPSIS
/*	#include "sendas.h"
/* DESCRIPTION
/*	See sendas.h. Grants live in a duplicate-sorted database: the key
/*	is the login's address key, each value an address key ("domain"
/*	NUL "local", or "domain" NUL for a whole domain).
/*--*/

#include <string.h>

#include "account.h"
#include "changelog.h"
#include "resolve.h"
#include "sendas.h"

/* login_account - the login must be an account; its state is returned */

static int login_account(struct pk_txn *txn, const char *input,
                         struct pk_addr *addr, enum pk_account_state *state,
                         const char **error_r)
{
    struct pk_entry ent;
    int status;

    if ((status = pk_addr_parse(input, 0, addr, error_r)) != PK_OK)
        return status;
    status = pk_entry_lookup(txn, addr, &ent, error_r);
    if (status == PK_OK && ent.type != PK_REC_ACCOUNT)
        status = PK_NOTFOUND;
    else if (status == PK_OK)
        *state = ent.u.account.state;
    if (status == PK_OK || status == PK_NOTFOUND)
        pk_entry_free(&ent);
    if (status == PK_NOTFOUND)
        *error_r =
            pk_error("%s@%s is not an account", addr->local, addr->domain);
    return status;
}

/* granted - is there an explicit grant for the address or its domain */

static int granted(struct pk_txn *txn, const struct pk_addr *login,
                   const struct pk_addr *addr, const char **error_r)
{
    struct pk_addr dom = *addr;
    char lkey[PK_KEY_MAX], akey[PK_KEY_MAX];
    size_t llen = pk_addr_key(login, lkey), alen;
    int status;

    alen = pk_addr_key(addr, akey);
    status =
        pk_txn_has_pair(txn, PK_DB_SENDAS, lkey, llen, akey, alen, error_r);
    if (status != PK_NOTFOUND)
        return status;
    dom.local[0] = 0;
    alen = pk_addr_key(&dom, akey);
    return pk_txn_has_pair(txn, PK_DB_SENDAS, lkey, llen, akey, alen, error_r);
}

/* delivers_to - does the address reach the login, not by catch-all */

/*
 * Forwarding is not followed: an alias that delivers to the login counts
 * even when the login forwards its mail on, and another account's
 * forwarding to the login grants nothing.
 */

static int delivers_to(struct pk_txn *txn, const char *login,
                       const char *address, const char **error_r)
{
    struct pk_resolution res;
    int status;

    status =
        pk_resolve(txn, address, PK_RESOLVE_NO_CATCHALL | PK_RESOLVE_NO_FORWARD,
                   &res, error_r);
    if (status != PK_OK)
        return status == PK_ELIMIT ? PK_NOTFOUND : status;
    status = PK_NOTFOUND;
    if (res.kind == PK_KIND_ACCOUNT) {
        if (strcmp(res.matched, login) == 0)
            status = PK_OK;
    } else if (res.kind == PK_KIND_ALIAS) {
        for (size_t i = 0; i < res.dest_count; i++)
            if (res.dest[i].mailbox && strcmp(res.dest[i].address, login) == 0)
                status = PK_OK;
    }
    pk_resolve_free(&res);
    return status;
}

/* pk_sendas_may - may the login send as the address */

int pk_sendas_may(struct pk_txn *txn, const char *login_input,
                  const char *address_input, const char **error_r)
{
    struct pk_addr login, addr;
    enum pk_account_state state;
    char ltext[PK_ADDR_MAX + 1], atext[PK_ADDR_MAX + 1];
    int status;

    if ((status = login_account(txn, login_input, &login, &state, error_r)) !=
        PK_OK)
        return status;
    if (!pk_state_may_send(state)) {
        *error_r = pk_error("account %s@%s may not send (%s)", login.local,
                            login.domain, pk_state_name(state));
        return PK_NOTFOUND;
    }
    if ((status = pk_addr_parse(address_input, 0, &addr, error_r)) != PK_OK)
        return status;
    pk_addr_format(&login, ltext);
    pk_addr_format(&addr, atext);
    if (strcmp(ltext, atext) == 0)
        return PK_OK;
    if ((status = granted(txn, &login, &addr, error_r)) != PK_NOTFOUND)
        return status;
    status = delivers_to(txn, ltext, atext, error_r);
    if (status == PK_NOTFOUND)
        *error_r = pk_error("%s may not send as %s", ltext, atext);
    return status;
}

/* grant_keys - normalize both sides of a grant into keys */

static int grant_keys(struct pk_txn *txn, const char *login_input,
                      const char *address_input, char *lkey, size_t *llen,
                      char *akey, size_t *alen, char *detail,
                      const char **error_r)
{
    struct pk_addr login, addr;
    enum pk_account_state state;
    int status;

    if ((status = login_account(txn, login_input, &login, &state, error_r)) !=
            PK_OK ||
        (status = pk_addr_parse(address_input, PK_ADDR_CATCHALL, &addr,
                                error_r)) != PK_OK)
        return status;
    *llen = pk_addr_key(&login, lkey);
    *alen = pk_addr_key(&addr, akey);
    pk_addr_format(&addr, detail);
    return PK_OK;
}

/* pk_sendas_grant - let a login send as an address or a whole domain */

int pk_sendas_grant(struct pk_txn *txn, const char *login_input,
                    const char *address_input, const char **error_r)
{
    char lkey[PK_KEY_MAX], akey[PK_KEY_MAX], atext[PK_ADDR_MAX + 1];
    char ltext[PK_ADDR_MAX + 1];
    size_t llen, alen;
    struct pk_addr login;
    int status;

    if ((status = grant_keys(txn, login_input, address_input, lkey, &llen, akey,
                             &alen, atext, error_r)) != PK_OK)
        return status;
    status = pk_txn_put(txn, PK_DB_SENDAS, lkey, llen, akey, alen,
                        PK_PUT_NOOVERWRITE, error_r);
    pk_addr_from_key(lkey, llen, &login);
    pk_addr_format(&login, ltext);
    if (status == PK_EEXIST)
        *error_r = pk_error("%s may already send as %s", ltext, atext);
    if (status != PK_OK)
        return status;
    return pk_changelog_append(txn, "sendas.grant", ltext, atext, error_r);
}

/* pk_sendas_revoke - take a grant back */

int pk_sendas_revoke(struct pk_txn *txn, const char *login_input,
                     const char *address_input, const char **error_r)
{
    char lkey[PK_KEY_MAX], akey[PK_KEY_MAX], atext[PK_ADDR_MAX + 1];
    char ltext[PK_ADDR_MAX + 1];
    size_t llen, alen;
    struct pk_addr login;
    int status;

    if ((status = grant_keys(txn, login_input, address_input, lkey, &llen, akey,
                             &alen, atext, error_r)) != PK_OK)
        return status;
    pk_addr_from_key(lkey, llen, &login);
    pk_addr_format(&login, ltext);
    status = pk_txn_del(txn, PK_DB_SENDAS, lkey, llen, akey, alen, error_r);
    if (status == PK_NOTFOUND)
        *error_r = pk_error("%s has no grant to send as %s", ltext, atext);
    if (status != PK_OK)
        return status;
    return pk_changelog_append(txn, "sendas.revoke", ltext, atext, error_r);
}

/* pk_sendas_list - each explicit grant, of one login or of all */

int pk_sendas_list(struct pk_txn *txn, const char *login_input,
                   pk_sendas_iter_fn *fn, void *ctx, const char **error_r)
{
    struct pk_cursor *cur;
    struct pk_addr login, addr;
    char lkey[PK_KEY_MAX], ltext[PK_ADDR_MAX + 1], atext[PK_ADDR_MAX + 1];
    const void *key, *val;
    size_t klen, vlen, llen = 0;
    int status;

    if (login_input != NULL) {
        if ((status = pk_addr_parse(login_input, 0, &login, error_r)) != PK_OK)
            return status;
        llen = pk_addr_key(&login, lkey);
    }
    if ((status = pk_cursor_open(txn, PK_DB_SENDAS, llen ? lkey : NULL, llen,
                                 &cur, error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        if (llen && klen != llen)
            continue; /* a longer local part */
        if (pk_addr_from_key(key, klen, &login) != PK_OK ||
            pk_addr_from_key(val, vlen, &addr) != PK_OK) {
            *error_r = pk_error("a send-as grant is corrupt");
            status = PK_ECORRUPT;
            break;
        }
        pk_addr_format(&login, ltext);
        pk_addr_format(&addr, atext);
        if ((status = fn(ltext, atext, ctx)) != 0)
            break;
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}
