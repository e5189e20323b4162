/*++
/* NAME
/*	dkim 3h
/* SUMMARY
/*	DKIM keys of hosted domains, and signing with them
/* SYNOPSIS
/*	#include "dkim.h"
/* DESCRIPTION
/*	Keys. Each hosted domain may have DKIM keys, stored in the "dkim"
/*	database under "domain" NUL "selector" (record.h). At most one key
/*	of a domain is active: it signs new mail. During a rotation the
/*	previous key stays published (inactive) until it is removed, so
/*	two selectors are live.
/*
/*	pk_dkim_generate() makes a new private key (rsa-sha256: RSA of
/*	"bits" bits, 2048 to 4096; ed25519-sha256: Ed25519, RFC 8463) as
/*	PEM text, outside any transaction, because pk_store_write() may
/*	run its function twice. The caller wipes and frees it with
/*	pk_dkim_pem_free().
/*
/*	Inside a write transaction, each with a change log entry:
/*	pk_dkim_keygen() stores the first key of a domain, active;
/*	pk_dkim_rotate() stores a new active key and makes the active one
/*	inactive (refused while an inactive key is still there: remove it
/*	first); pk_dkim_remove() deletes a key (not the active one while
/*	another key exists). A NULL selector picks "sYYYYMMDD" of the
/*	current day, with a letter appended if that is taken; the chosen
/*	one is written to selector_r. The domain must be hosted.
/*
/*	pk_dkim_list() calls a function for each key of a domain (all
/*	domains when domain is NULL), in key order. pk_dkim_dns_txt()
/*	makes the text of the DNS TXT record that publishes a key at
/*	"selector._domainkey.domain": "v=DKIM1; k=rsa; p=..." (the
/*	SubjectPublicKeyInfo for RSA, the raw 32-octet key for Ed25519 as
/*	RFC 8463 section 4 says). pk_dkim_dns_record() adds the owner name
/*	and splits the text into quoted strings of at most 255 octets, as
/*	a zone file needs it.
/*
/*	Signing. A pk_dkim_cache holds parsed private keys, shared by all
/*	threads: pk_dkim_find() looks up the active key of a domain in a
/*	read transaction and returns a handle to its parsed key, parsing
/*	the PEM only when the stored key is not the one cached. It answers
/*	PK_NOTFOUND when the domain has no active key.
/*
/*	pk_dkim_sign_begin() starts one message (the key is needed only
/*	at the end, so a milter may start before it knows the author's
/*	domain); pk_dkim_sign_header() takes each header field in order
/*	(name without colon, value as received, folding included) and
/*	keeps those it signs; pk_dkim_sign_body() takes the body in
/*	pieces of any size and hashes it as it comes, in bounded memory;
/*	pk_dkim_sign_end() signs with a key from pk_dkim_find() and
/*	returns the value of the DKIM-Signature field to add above the
/*	message, folded with "eol" (e.g. "\r\n" or "\n") and a tab.
/*
/*	The signature is RFC 6376 relaxed/relaxed. It covers From, once
/*	more than it appears (over-signing, so no From can be added), and
/*	each of the usual fields (PK_DKIM_SIGNED_HEADERS) that is present,
/*	every instance of it; fields absent are not listed, so a Date or
/*	Message-ID an MTA adds later does not break it.
/*
/*	Postfix breaks body lines longer than its smtp_line_length_limit
/*	(and lmtp_line_length_limit), 998 by default, on the way out: after
/*	998 octets it sends CRLF and a space, and goes on in pieces of 997
/*	octets. A signature over the body as received would not survive
/*	that, so pk_dkim_sign_fold() (pk_dkim_body_fold()) makes the hash
/*	see the lines broken the same way; 0 turns it off.
/*
/*	pk_dkim_canon_header() and the pk_dkim_body functions are the
/*	canonicalization on its own (RFC 6376 sections 3.4.2 and 3.4.4).
/* DIAGNOSTICS
/*	PK_OK; PK_NOTFOUND; PK_EINVAL (bad domain, selector or key);
/*	PK_EEXIST; PK_ELIMIT (signed header fields beyond
/*	PK_DKIM_HEADER_MAX octets or PK_DKIM_HEADER_COUNT fields);
/*	PK_ETEMP/PK_ECORRUPT from the store; PK_ENOMEM.
/* SECURITY
/*	Private keys never appear in an error, a log entry or the change
/*	log; decoded copies are wiped before they are freed. Header and
/*	body input is untrusted and bounded.
/*--*/

#ifndef PK_DKIM_H
#define PK_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "record.h"
#include "store.h"

#define PK_DKIM_SELECTOR_MAX 63
#define PK_DKIM_HEADER_MAX (64 * 1024)
#define PK_DKIM_HEADER_COUNT 256
#define PK_DKIM_RSA_BITS 2048

/* The fields signed when present, besides From. */
#define PK_DKIM_SIGNED_HEADERS                                                 \
    "reply-to", "subject", "date", "to", "cc", "message-id", "in-reply-to",    \
        "references", "sender", "mime-version", "content-type",                \
        "content-transfer-encoding", "content-id", "content-description",      \
        "resent-date", "resent-from", "resent-sender", "resent-to",            \
        "resent-cc", "resent-message-id", "list-id", "list-help",              \
        "list-unsubscribe", "list-unsubscribe-post", "list-subscribe",         \
        "list-post", "list-owner", "list-archive"

typedef int pk_dkim_iter_fn(const char *, const char *,
                            const struct pk_dkimkey *, void *);

/* pk_dkim_alg_name - "rsa-sha256" or "ed25519-sha256" */
extern const char *pk_dkim_alg_name(enum pk_dkim_alg);

/* pk_dkim_alg_parse - an algorithm by name */
extern int pk_dkim_alg_parse(const char *, enum pk_dkim_alg *);

/* pk_dkim_selector_ok - is this a valid selector (RFC 6376 3.1) */
extern bool pk_dkim_selector_ok(const char *);

/* pk_dkim_generate - a new private key as PEM */
extern int pk_dkim_generate(enum pk_dkim_alg, unsigned, char **, const char **);

/* pk_dkim_pem_free - wipe and free a PEM key */
extern void pk_dkim_pem_free(char **);

/* pk_dkim_keygen - store the first key of a domain */
extern int pk_dkim_keygen(struct pk_txn *, const char *, const char *,
                          enum pk_dkim_alg, const char *,
                          char[PK_DKIM_SELECTOR_MAX + 1], const char **);

/* pk_dkim_rotate - store a new active key; the old one stays published */
extern int pk_dkim_rotate(struct pk_txn *, const char *, const char *,
                          enum pk_dkim_alg, const char *,
                          char[PK_DKIM_SELECTOR_MAX + 1], const char **);

/* pk_dkim_remove - delete a key */
extern int pk_dkim_remove(struct pk_txn *, const char *, const char *,
                          const char **);

/* pk_dkim_list - each key of a domain, or of all domains */
extern int pk_dkim_list(struct pk_txn *, const char *, pk_dkim_iter_fn *,
                        void *, const char **);

/* pk_dkim_dns_txt - "v=DKIM1; k=...; p=..."; the caller frees */
extern int pk_dkim_dns_txt(const struct pk_dkimkey *, char **, const char **);

/* pk_dkim_dns_record - the zone file line; the caller frees */
extern int pk_dkim_dns_record(const char *, const char *,
                              const struct pk_dkimkey *, char **,
                              const char **);

/* Parsed keys, shared by threads. */
struct pk_dkim_cache;
struct pk_dkim_signkey;

extern int pk_dkim_cache_new(struct pk_dkim_cache **, const char **);
extern void pk_dkim_cache_free(struct pk_dkim_cache **);

/* pk_dkim_find - the active key of a domain; PK_NOTFOUND if none */
extern int pk_dkim_find(struct pk_dkim_cache *, struct pk_txn *, const char *,
                        struct pk_dkim_signkey **, const char **);

/* pk_dkim_signkey_release - drop a handle from pk_dkim_find() */
extern void pk_dkim_signkey_release(struct pk_dkim_signkey **);

/* pk_dkim_signkey_selector - the selector of a key handle */
extern const char *pk_dkim_signkey_selector(const struct pk_dkim_signkey *);

/* One message being signed. */
struct pk_dkim_sign;

extern int pk_dkim_sign_begin(struct pk_dkim_sign **, const char **);
extern int pk_dkim_sign_header(struct pk_dkim_sign *, const char *,
                               const char *, size_t, const char **);
extern int pk_dkim_sign_body(struct pk_dkim_sign *, const void *, size_t,
                             const char **);
/* pk_dkim_sign_fold - hash lines as an MTA that breaks them will send them */
extern void pk_dkim_sign_fold(struct pk_dkim_sign *, size_t);
extern int pk_dkim_sign_end(struct pk_dkim_sign *, struct pk_dkim_signkey *,
                            time_t, const char *, char **, const char **);
extern void pk_dkim_sign_free(struct pk_dkim_sign **);

/* Canonicalization (relaxed), for the signer and for tests. */
extern int pk_dkim_canon_header(const char *, const char *, size_t,
                                struct pk_buf *);

typedef void pk_dkim_out_fn(const void *, size_t, void *);

/* The state of relaxed body canonicalization between pieces. */
struct pk_dkim_body {
    pk_dkim_out_fn *out;
    void *context;
    uint64_t blank_lines; /* CRLFs held back: they may end the body */
    bool wsp;             /* white space seen in this line */
    bool content;         /* this line has content */
    bool cr;              /* a CR seen, waiting for LF */
    bool any;             /* the body has content */
    size_t fold;          /* break lines as the MTA will; 0: never */
    size_t space_left;    /* octets until the next break */
    unsigned char buf[4096];
    size_t len;
};

extern void pk_dkim_body_init(struct pk_dkim_body *, pk_dkim_out_fn *, void *);
extern void pk_dkim_body_fold(struct pk_dkim_body *, size_t);
extern void pk_dkim_body_feed(struct pk_dkim_body *, const void *, size_t);
extern void pk_dkim_body_end(struct pk_dkim_body *);

#endif
