/*++
/* NAME
/*	auth 3h
/* SUMMARY
/*	the login decision: who a login name is and whether it may log in
/* SYNOPSIS
/*	#include "auth.h"
/* DESCRIPTION
/*	One decision shared by every adapter that logs users in: the
/*	Dovecot passdb and userdb, and the reference server.
/*
/*	pk_auth_lookup() normalizes a login name with the core address
/*	rules (pk_addr_parse(): case, IDNA) and finds the account at that
/*	exact address. A login name is stricter than an address: it must
/*	not hold '%', '/' or '*', which Dovecot templates, file system
/*	paths and iteration patterns give a meaning (RFC 5322 allows them
/*	in a local part). An alias, a catch-all, a subaddress or an alias
/*	domain never logs in. It answers PK_OK and fills auth_r, or
/*	PK_NOTFOUND when no account has that name (a refused login name
/*	included: error_r says why), or an error from the store
/*	(PK_ETEMP, PK_ECORRUPT, ...), which is never "not found".
/*
/*	struct pk_auth holds the canonical address (the name every host
/*	must use from then on), the stored scheme-tagged hash, the state,
/*	may_login (pk_state_may_login()) with a reason a client may be
/*	shown when it is false, and the quota in effect in bytes (0:
/*	unlimited). auth_r is written only on PK_OK; pk_auth_wipe()
/*	clears the hash from it.
/*
/*	pk_auth_verify() is pk_auth_lookup() followed by the password
/*	check, for adapters that verify themselves (the reference server;
/*	Dovecot verifies the hash it gets from pk_auth_lookup()). It
/*	returns PK_OK when it reached a verdict, written to *result_r:
/*	PK_AUTH_OK, PK_AUTH_UNKNOWN (no such account: a dummy
/*	verification was run so that this costs what a wrong password
/*	costs), PK_AUTH_MISMATCH, or PK_AUTH_NOLOGIN (right password, but
/*	the state forbids login; auth_r->reason says why). The password
/*	is checked before the state, so the state of an account is told
/*	only to who knows its password. Any other return is an error
/*	(a stored hash we cannot verify is PK_ECORRUPT).
/*
/*	pk_auth_iter() calls fn with the canonical address of every
/*	account, in key order (aliases and catch-alls are skipped); a
/*	negative return from fn stops the walk and is returned.
/* SECURITY
/*	The login name comes from the network: it is bounded and parsed
/*	before any lookup. The password is never copied or logged.
/*--*/

#ifndef PK_AUTH_H
#define PK_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "store.h"

struct pk_auth {
    char address[PK_ADDR_MAX + 1]; /* canonical login name */
    char hash[PK_HASH_MAX + 1];    /* "{SCHEME}..." */
    enum pk_account_state state;
    bool may_login;
    const char *reason; /* static text; "" if may_login */
    uint64_t quota;     /* bytes; 0 unlimited */
};

enum pk_auth_result {
    PK_AUTH_OK,
    PK_AUTH_UNKNOWN,
    PK_AUTH_MISMATCH,
    PK_AUTH_NOLOGIN,
};

typedef int pk_auth_iter_fn(const char *, void *);

/* pk_auth_lookup - the account behind a login name */
extern int pk_auth_lookup(struct pk_txn *, const char *, struct pk_auth *,
                          const char **);

/* pk_auth_verify - lookup plus password check, constant cost when unknown */
extern int pk_auth_verify(struct pk_txn *, const char *, const char *,
                          struct pk_auth *, enum pk_auth_result *,
                          const char **);

/* pk_auth_iter - every account's canonical address */
extern int pk_auth_iter(struct pk_txn *, pk_auth_iter_fn *, void *,
                        const char **);

/* pk_auth_wipe - clear the hash from a lookup result */
extern void pk_auth_wipe(struct pk_auth *);

#endif
