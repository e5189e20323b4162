/*++
/* NAME
/*	resolve 3h
/* SUMMARY
/*	where mail for an address goes
/* SYNOPSIS
/*	#include "resolve.h"
/* DESCRIPTION
/*	pk_resolve() is the one function that says where mail for an
/*	address goes. For the address itself, in this order:
/*
/*	1. an account at the exact address;
/*	2. an alias at the exact address;
/*	3. the domain is an alias domain: the same local part in the target
/*	   domain, resolved from step 1;
/*	4. the local part has a subaddress ("user+ext"): steps 1-3 for
/*	   "user";
/*	5. the domain's catch-all "@domain".
/*
/*	A catch-all therefore never captures an address that exists. An
/*	address in a domain that is not ours is PK_KIND_EXTERNAL and is
/*	delivered to as it is. Aliases and forwards are expanded
/*	recursively, with loop detection, depth PK_RESOLVE_MAX_DEPTH and at
/*	most PK_RESOLVE_MAX_DEST final destinations (PK_ELIMIT beyond).
/*	Duplicate destinations are listed once. A local destination that
/*	matches nothing is skipped (and explained), or with
/*	PK_RESOLVE_STRICT refused with PK_EINVAL, as is a destination that
/*	only a catch-all would take: that is how alias and forward changes
/*	are validated. An input of "@domain" expands the
/*	catch-all itself. An account that is reached again through its own
/*	forwarding is delivered to its mailbox.
/*
/*	PK_RESOLVE_NO_STATE is for callers that want addresses only (a
/*	Postfix virtual alias map): an alias destination that the alias's
/*	record hints as a final mailbox (record.h) is then listed without
/*	reading its account, so its state is not known (state_unknown is
/*	set and state must not be used). The destinations are the same as
/*	without the flag. PK_RESOLVE_STRICT and PK_RESOLVE_EXPLAIN read
/*	every entry regardless.
/*
/*	The answer is PK_OK with res->kind set (PK_KIND_UNKNOWN when nothing
/*	matched), or an error: a corrupt record is PK_ECORRUPT, never
/*	"unknown". With PK_RESOLVE_EXPLAIN each step is recorded in
/*	res->steps as a sentence.
/*
/*	pk_resolve_free() releases what pk_resolve() allocated. The first
/*	few destinations are kept inside the resolution itself, so a
/*	resolution must not be copied, only used where pk_resolve() filled
/*	it in.
/*--*/

#ifndef PK_RESOLVE_H
#define PK_RESOLVE_H

#include <stdbool.h>

#include "record.h"
#include "store.h"

enum pk_kind {
    PK_KIND_UNKNOWN = 0,
    PK_KIND_ACCOUNT,
    PK_KIND_ALIAS,
    PK_KIND_CATCHALL,
    PK_KIND_EXTERNAL,
};

/* pk_resolve() flags */
#define PK_RESOLVE_EXPLAIN (1 << 0)     /* fill in steps */
#define PK_RESOLVE_NO_CATCHALL (1 << 1) /* skip step 5 */
#define PK_RESOLVE_TOP_ONLY (1 << 2)    /* match, do not expand */
#define PK_RESOLVE_STRICT (1 << 3)      /* unknown local destination: error */
#define PK_RESOLVE_NO_FORWARD (1 << 4)  /* an account is final */
#define PK_RESOLVE_NO_STATE (1 << 5)    /* states not wanted: see above */

struct pk_dest {
    char address[PK_ADDR_MAX + 1];
    bool mailbox;                /* an account of ours */
    enum pk_account_state state; /* mailboxes only, unless state_unknown */
    bool state_unknown;          /* PK_RESOLVE_NO_STATE: not read */
};

#define PK_RESOLVE_INLINE_DEST 4 /* kept without an allocation */

struct pk_resolution {
    char address[PK_ADDR_MAX + 1]; /* the input, normalized */
    enum pk_kind kind;
    char matched[PK_ADDR_MAX + 1]; /* the entry that matched */
    struct pk_dest *dest;
    size_t dest_count;
    struct pk_strlist steps;
    struct pk_dest inline_dest[PK_RESOLVE_INLINE_DEST]; /* dest, at first */
};

extern int pk_resolve(struct pk_txn *, const char *, unsigned,
                      struct pk_resolution *, const char **);
extern void pk_resolve_free(struct pk_resolution *);
extern const char *pk_kind_name(enum pk_kind);

#endif
