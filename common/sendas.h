/*++
/* NAME
/*	sendas 3h
/* SUMMARY
/*	who may send as which address
/* SYNOPSIS
/*	#include "sendas.h"
/* DESCRIPTION
/*	pk_sendas_may() is the one decision used by the Postfix daemon
/*	(envelope sender), the milter (header From) and the reference
/*	server. A login may send as:
/*
/*	- itself, also with a subaddress or through an alias domain;
/*	- an alias that delivers to it (a catch-all does not count);
/*	- an address, or a whole "@domain", it was granted explicitly.
/*
/*	It answers PK_OK (allowed), PK_NOTFOUND (not allowed) or an error.
/*	The login must be an account that may send (its state).
/*
/*	pk_sendas_grant() and pk_sendas_revoke() manage explicit grants;
/*	pk_sendas_list() calls a function for each grant of a login (or all
/*	logins when login is NULL).
/*--*/

#ifndef PK_SENDAS_H
#define PK_SENDAS_H

#include "store.h"

typedef int pk_sendas_iter_fn(const char *, const char *, void *);

extern int pk_sendas_may(struct pk_txn *, const char *, const char *,
                         const char **);
extern int pk_sendas_grant(struct pk_txn *, const char *, const char *,
                           const char **);
extern int pk_sendas_revoke(struct pk_txn *, const char *, const char *,
                            const char **);
extern int pk_sendas_list(struct pk_txn *, const char *, pk_sendas_iter_fn *,
                          void *, const char **);

#endif
