/*++
/* NAME
/*	import 3h
/* SUMMARY
/*	import and export: JSON lines, Dovecot passwd-file, Postfix virtual
/* SYNOPSIS
/*	#include "import.h"
/* DESCRIPTION
/*	pk_import_parse() reads a whole input in one of three formats and
/*	calls a function once per item it holds, with the line number the
/*	item started on. It changes nothing; a parse error names the line
/*	and what is wrong with it, and stops the parse.
/*
/*	PK_FORMAT_JSONL	one JSON object per line, as pk_export() writes:
/*		{"type":"domain","domain":D,"quota":N,"created":T}
/*		{"type":"domain_alias","domain":D,"target":D2,"created":T}
/*		{"type":"account","address":A,"password":"{SCHEME}...",
/*		 "state":S,"quota":N|null,"forward":[...],"keep_copy":B,
/*		 "created":T,"changed":T}
/*		{"type":"alias","address":A,"to":[...],"created":T,
/*		 "changed":T}
/*		{"type":"sendas","login":A,"address":A2}
/*		{"type":"dkim","domain":D,"selector":S,"algorithm":
/*		 "rsa-sha256"|"ed25519-sha256","active":B,"key":PEM,
/*		 "created":T}
/*		{"type":"ratelimit","scope":"account"|"domain",
/*		 "subject":A|D,"messages":N,"recipients":N,"window":N}
/*		(a rate limit without "subject" is the scope's default)
/*		Only "type" and the names needed to identify the item and
/*		its content are required; unknown keys are refused.
/*	PK_FORMAT_DOVECOT_PASSWD  Dovecot passwd-file: user:password:uid:
/*		gid:gecos:home:shell:extra. The user is the full address;
/*		the hash is kept as it is; "userdb_quota_rule=*:storage=N"
/*		in the extra fields sets the quota; plaintext is refused.
/*	PK_FORMAT_POSTFIX_VIRTUAL  Postfix virtual(5): "pattern result,
/*		result ...", # comments, continuation lines that start with
/*		white space. "user@domain" and "@domain" become aliases,
/*		"@domain @target" an alias domain; a bare "domain" line (a
/*		virtual alias domain declaration) is skipped; a pattern or
/*		result without a domain is refused.
/*
/*	pk_import_apply() stores one item in a write transaction without
/*	checking cross references, which may be satisfied by a later item
/*	(accounts and aliases are kept in memory and written, in key order,
/*	when pk_import_finish() starts); pk_import_finish() then checks
/*	every reference and invariant the import touched. pk_import() does all three: in one transaction, so
/*	a bad line anywhere changes nothing. It parses a large input in a
/*	line-based format (JSON lines, Dovecot passwd-file) on worker
/*	threads; only the calling thread uses the transaction, and the
/*	database and every message are those of a serial parse.
/*
/*	DKIM keys and rate-limit settings are checked like the rest when
/*	the import finishes: a key's domain is hosted, its PEM text parses
/*	as a key of its algorithm, a domain has at most one active key; a
/*	rate limit's window is 1 to PK_RATELIMIT_WINDOW_MAX seconds and its
/*	subject an account or a hosted domain. A key or setting that
/*	exists already is refused, as a domain or grant is.
/*
/*	pk_export() writes the whole database as JSON lines, stored hashes
/*	and DKIM private keys included, in an order pk_import() accepts;
/*	importing an export into an empty database gives one that exports
/*	identically.
/*--*/

#ifndef PK_IMPORT_H
#define PK_IMPORT_H

#include <stddef.h>

#include "ratelimit.h"
#include "record.h"
#include "store.h"

enum pk_format {
    PK_FORMAT_JSONL,
    PK_FORMAT_DOVECOT_PASSWD,
    PK_FORMAT_POSTFIX_VIRTUAL,
};

enum pk_item_type {
    PK_ITEM_DOMAIN,
    PK_ITEM_DOMAIN_ALIAS,
    PK_ITEM_ACCOUNT,
    PK_ITEM_ALIAS,
    PK_ITEM_SENDAS,
    PK_ITEM_DKIM,
    PK_ITEM_RATELIMIT,
};

struct pk_item {
    enum pk_item_type type;
    char name[PK_ADDR_MAX + 1];   /* domain, address or login */
    char target[PK_ADDR_MAX + 1]; /* alias domain target, send-as */
    struct pk_domain domain;      /* PK_ITEM_DOMAIN(_ALIAS) */
    struct pk_entry entry;        /* PK_ITEM_ACCOUNT, PK_ITEM_ALIAS */
    /* PK_ITEM_DKIM: name is the domain, target the selector; the key
     * text belongs to whoever made the item. */
    struct pk_dkimkey dkim;
    /* PK_ITEM_RATELIMIT: name is the subject, "" for the default. */
    enum pk_ratelimit_scope scope;
    struct pk_ratelimit limit;
};

/* pk_import() flags */
#define PK_IMPORT_CREATE_DOMAINS (1 << 0) /* add missing domains */

struct pk_import_stats {
    size_t domains;
    size_t accounts;
    size_t aliases;
    size_t sendas;
    size_t dkim;
    size_t ratelimits;
};

typedef int pk_item_fn(const struct pk_item *, size_t, void *, const char **);
typedef int pk_export_fn(const char *, size_t, void *);

extern int pk_format_parse(const char *, enum pk_format *);
extern int pk_import_parse(enum pk_format, const char *, size_t, pk_item_fn *,
                           void *, const char **);
extern void pk_item_free(struct pk_item *);

struct pk_import;

extern struct pk_import *pk_import_begin(struct pk_txn *, unsigned);
extern int pk_import_apply(struct pk_import *, const struct pk_item *,
                           const char **);
extern int pk_import_finish(struct pk_import *, struct pk_import_stats *,
                            const char **);
extern void pk_import_free(struct pk_import **);

extern int pk_import(struct pk_txn *, enum pk_format, const char *, size_t,
                     unsigned, struct pk_import_stats *, const char **);
extern int pk_export(struct pk_txn *, pk_export_fn *, void *, const char **);

#endif
