/*++
/* NAME
/*	addr 3h
/* SUMMARY
/*	mail address rules: parse, normalize, key
/* SYNOPSIS
/*	#include "addr.h"
/* DESCRIPTION
/*	The one place that decides what an address is. Every address that
/*	enters postkontor, from a command line, a Dovecot login, a Postfix
/*	lookup or an import file, goes through pk_addr_parse() first.
/*
/*	Rules: the domain is stored as a lowercase IDNA A-label (libidn2,
/*	non-transitional, NFC input), so "exämple.se" and
/*	"xn--exmple-cua.se" are the same domain. The local part is a
/*	dot-atom (RFC 5322 section 3.2.3) compared case-insensitively
/*	(stored lowercase). Quoted local parts, address literals, non-ASCII
/*	local parts, control characters and white space are refused. Length
/*	limits follow RFC 5321 section 4.5.3.1.
/*
/*	Our own addresses (accounts and aliases) follow a stricter rule,
/*	pk_addr_check_hosted(): the local part holds only letters, digits
/*	and ". _ - + =". Characters such as "%", "/" and "*" are valid in
/*	RFC 5322 but expand or escape in Dovecot templates, file names and
/*	shell-like contexts, so they are refused for hosted addresses, while
/*	an outside destination may still use them.
/*
/*	A database key is the domain, a NUL byte and the local part, so
/*	that all entries of a domain are adjacent and "@domain" (a
/*	catch-all) has the key "domain" NUL.
/*--*/

#ifndef PK_ADDR_H
#define PK_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "pk.h"

struct pk_addr {
    char local[PK_LOCAL_MAX + 1];   /* lowercase; "" for "@domain" */
    char domain[PK_DOMAIN_MAX + 1]; /* lowercase A-label */
};

/* pk_addr_parse() flags */
#define PK_ADDR_CATCHALL (1 << 0) /* accept "@domain" */

/* pk_addr_parse - validate and normalize one address */
extern int pk_addr_parse(const char *, unsigned, struct pk_addr *,
                         const char **);

/* pk_addr_parse_domain - validate and normalize a domain to its A-label */
extern int pk_addr_parse_domain(const char *, char[PK_DOMAIN_MAX + 1],
                                const char **);

/* pk_addr_check_hosted - the stricter rule for our own addresses */
extern int pk_addr_check_hosted(const struct pk_addr *, const char **);

/* pk_addr_format - "local@domain", or "@domain" for a catch-all */
extern void pk_addr_format(const struct pk_addr *, char[PK_ADDR_MAX + 1]);

/* pk_addr_key - the database key; returns its length */
extern size_t pk_addr_key(const struct pk_addr *, char[PK_KEY_MAX]);

/* pk_addr_text_key - the key of a canonical "local@domain" of LEN octets
 * (split at its last '@'; "@domain" is a catch-all); its length is LEN.
 * Returns false for text with no '@' or longer than PK_ADDR_MAX. The
 * domain's length goes to *dlen_r: it is the key's first part. */
extern bool pk_addr_text_key(const char *, size_t, char[PK_KEY_MAX], size_t *);

/* pk_addr_from_key - the address of a database key; PK_ECORRUPT if bad */
extern int pk_addr_from_key(const void *, size_t, struct pk_addr *);

/* pk_addr_subaddress_base - strip "+ext" (delimiter given); false if none */
extern bool pk_addr_subaddress_base(const struct pk_addr *, char,
                                    struct pk_addr *);

/* pk_addr_domain_unicode - U-label form for display; "" if not IDNA */
extern void pk_addr_domain_unicode(const char *, char *, size_t);

#endif
