/*++
/* NAME
/*	password 3h
/* SUMMARY
/*	Dovecot-compatible password hashes
/* SYNOPSIS
/*	#include "password.h"
/* DESCRIPTION
/*	Passwords are stored as Dovecot scheme strings ("{SCHEME}hash") so
/*	that Dovecot can verify them itself and hashes from an existing
/*	Dovecot passwd-file import unchanged.
/*
/*	pk_password_hash() makes a new {ARGON2ID} hash (libargon2, at or
/*	above the OWASP floor: 64 MiB, t=3, p=1) with a random salt. It
/*	returns PK_EINVAL for a plaintext pk_password_check_new() refuses,
/*	PK_ETEMP when the kernel gives no random bytes, PK_ENOMEM when
/*	Argon2 cannot get its memory; out is then the empty string.
/*
/*	pk_password_verify() checks a plaintext against a stored scheme
/*	string: ARGON2ID and ARGON2I (libargon2), BLF-CRYPT, SHA512-CRYPT,
/*	SHA256-CRYPT, MD5-CRYPT and CRYPT (libxcrypt: yescrypt and the
/*	rest), SSHA512 (OpenSSL). The final comparison is constant-time.
/*	PK_OK means the password matches, PK_NOTFOUND that it does not,
/*	PK_EINVAL that the stored string is not a hash we can verify,
/*	PK_ENOMEM that the hash function could not get its memory.
/*	A plaintext longer than PK_PASSWORD_MAX never matches.
/*
/*	pk_password_verify_dummy() costs what verifying a fresh hash
/*	costs, so that an unknown user takes as long as a wrong password.
/*
/*	pk_password_check_hash() says whether a scheme string from outside
/*	(an import) is one we accept: a known scheme and a well-formed hash.
/*	Plaintext schemes ({PLAIN}, {CLEAR}, ...) are refused.
/*
/*	pk_password_check_new() refuses an empty or overlong plaintext
/*	and one with a control character (CR, LF, TAB, ...); a caller
/*	that reads a counted buffer must refuse an embedded NUL itself.
/*	pk_password_hash() applies the same check.
/*
/*	Functions with error_r set it, on any status but PK_OK, to a
/*	message from pk_error() that never holds a password or a hash.
/* SECURITY
/*	Plaintext passwords are never logged, never copied into an error
/*	message, and the buffers this module fills are wiped after use.
/*--*/

#ifndef PK_PASSWORD_H
#define PK_PASSWORD_H

#include <stddef.h>

#include "pk.h"

/* The longest plaintext we accept. */
#define PK_PASSWORD_MAX 1024

extern int pk_password_check_new(const char *, const char **);
extern int pk_password_hash(const char *, char[PK_HASH_MAX + 1], const char **);
extern int pk_password_verify(const char *, const char *, const char **);
extern void pk_password_verify_dummy(const char *);
extern int pk_password_check_hash(const char *, const char **);

#endif
