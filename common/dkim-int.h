/*++
/* NAME
/*	dkim-int 3h
/* SUMMARY
/*	what dkim.c and dkim-sign.c share, and nothing else sees
/* SYNOPSIS
/*	#include "dkim-int.h"
/* DESCRIPTION
/*	A pk_dkim_signkey is a parsed private key with its domain and
/*	selector, reference-counted: the cache holds one reference and
/*	each message being signed another, so a rotation never frees a
/*	key under a signer. OpenSSL 3 allows one EVP_PKEY to sign in many
/*	threads at once.
/*--*/

#ifndef PK_DKIM_INT_H
#define PK_DKIM_INT_H

#include <stdatomic.h>

#include <openssl/evp.h>

#include "dkim.h"

struct pk_dkim_signkey {
    atomic_int refs;
    enum pk_dkim_alg alg;
    char domain[PK_DOMAIN_MAX + 1];
    char selector[PK_DKIM_SELECTOR_MAX + 1];
    EVP_PKEY *pkey;
};

/* dkim_parse_pem - the EVP key of a PEM text; NULL if it is none */
extern EVP_PKEY *dkim_parse_pem(const char *, enum pk_dkim_alg);

/* dkim_signkey_new - parse a stored key; one reference */
extern struct pk_dkim_signkey *dkim_signkey_new(const char *, const char *,
                                                const struct pk_dkimkey *);

/* dkim_signkey_ref - one more reference */
extern struct pk_dkim_signkey *dkim_signkey_ref(struct pk_dkim_signkey *);

#endif
