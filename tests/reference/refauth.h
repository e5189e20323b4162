/*++
/* NAME
/*	refauth 3h
/* SUMMARY
/*	logins, SASL PLAIN and the failed-login slowdown of the reference server
/* SYNOPSIS
/*	#include "refauth.h"
/* DESCRIPTION
/*	ref_auth_login() checks a user name and password with the core's
/*	pk_auth_verify() and answers PK_OK (login allowed; login_r is the normalized
/*	address), PK_NOTFOUND (unknown user, wrong password, or a state
/*	that may not log in: one answer, so that a client learns nothing
/*	about which) or an error (PK_ETEMP and friends: never reported as
/*	a wrong password). An unknown user costs what a wrong password
/*	costs.
/*
/*	ref_auth_failed() records a failed login from a source address
/*	and returns how long (ms) to hold the answer: 0.5 s for the first
/*	failure, doubling to 4 s for an address that keeps failing. The
/*	count is per source address and decays after 15 minutes; nothing
/*	ever locks the account, so its user logs in from elsewhere at once.
/*
/*	ref_sasl_plain() splits a decoded SASL PLAIN message (RFC 4616):
/*	exactly two NULs, an authorization identity that is empty or the
/*	authentication identity, bounded non-empty fields. It answers
/*	REF_SASL_OK, REF_SASL_BAD (malformed) or REF_SASL_AUTHZ (acting
/*	as someone else: not supported).
/*
/*	ref_b64_decode() decodes strict base64 (RFC 4648 section 4:
/*	padding only at the end, no white space) into at most outmax-1
/*	bytes and NUL-terminates; false on any error.
/* SECURITY
/*	Passwords are wiped by the callers after use and never logged.
/*--*/

#ifndef REF_REFAUTH_H
#define REF_REFAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "password.h"
#include "store.h"

#define REF_SASL_OK 0
#define REF_SASL_BAD 1
#define REF_SASL_AUTHZ 2

/* Longest base64 SASL message we take: a PLAIN message at its limits. */
#define REF_SASL_MAX (((PK_ADDR_MAX * 2 + PK_PASSWORD_MAX + 2) / 3 + 1) * 4)

extern int ref_auth_login(struct pk_store *, const char *, const char *, char *,
                          const char **);
extern int ref_auth_failed(const char *);
extern int ref_sasl_plain(const char *, size_t, char *, char *);
extern bool ref_b64_decode(const char *, size_t, char *, size_t, size_t *);

#endif
