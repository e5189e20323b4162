/*++
/* NAME
/*	ldapplan 3h
/* SUMMARY
/*	what a change to the directory is, and in which order to send it
/* SYNOPSIS
/*	#include "ldapplan.h"
/* DESCRIPTION
/*	The writer of a cluster ("postkontor --ldap") runs a command's
/*	core call on the host's copy in a dry run (pk_store_dryrun()), so
/*	the core validates it exactly as on one machine, and turns what the
/*	dry run changed into directory operations.
/*
/*	pk_ldapplan_capture() is the capture function's work: from the
/*	touched keys of a dry run, the still-open transaction and,
/*	optionally, a read transaction that still sees the state before
/*	(for the old send-as grants of an account; without it an account's
/*	old grants count as none), it adds
/*	to a plan one operation per changed object (a domain or alias
/*	domain, an account with its send-as grants, an alias, a DKIM key):
/*	PK_LDAPOP_ADD when it is new, PK_LDAPOP_MODIFY when it changed,
/*	PK_LDAPOP_DELETE when it went; an object whose class changed (an
/*	account that became an alias) is a delete and an add. It answers
/*	PK_EINVAL for a change the directory does not hold (host settings
/*	in the meta database: rate limits, client settings).
/*
/*	pk_ldapplan_order() puts the operations in an order in which every
/*	intermediate state of the directory is one the core accepts, so no
/*	host, applying the changes as they arrive, sees a broken one:
/*	- an object is added before anything that refers to it is added
/*	  or changed to refer to it (a domain before its accounts, aliases
/*	  and keys; an alias domain's target before it; an alias's or a
/*	  forward's local destinations and send-as grants before it);
/*	- a reference is dropped (by a change or a delete) before what it
/*	  referred to is deleted (aliases before the accounts they point
/*	  at, every address before its domain);
/*	- an object's delete comes before its add under a new class.
/*	Operations the rules leave free go in a fixed order: adds and
/*	changes of domains, alias domains, accounts, keys, aliases, then
/*	deletes in the reverse order, each group in capture order. A
/*	reference counts also through a subaddress ("anna+x" refers to
/*	"anna"). Cost: O((n + r) log n) for n operations and r references.
/*
/*	pk_ldapplan_shown() answers PK_OK when a transaction (the host's
/*	copy) shows the result of an operation, PK_NOTFOUND while it does
/*	not yet ("--wait").
/*
/*	pk_ldapplan_add() appends an operation, taking ownership of the
/*	objects (tests build plans with it); pk_ldapplan_free() releases a
/*	plan and every object in it.
/* DIAGNOSTICS
/*	PK_OK; PK_EINVAL (a change outside the directory); PK_ECORRUPT (a
/*	stored record does not decode); PK_ENOMEM; store errors.
/*--*/

#ifndef PK_LDAPPLAN_H
#define PK_LDAPPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "ldapmap.h"
#include "store.h"

enum pk_ldapop_type {
    PK_LDAPOP_ADD,
    PK_LDAPOP_MODIFY,
    PK_LDAPOP_DELETE,
};

struct pk_ldapop {
    enum pk_ldapop_type type;
    struct pk_ldapobj obj; /* the new state; for a delete, the old one */
    struct pk_ldapobj old; /* a modify: the state before */
    bool has_old;
};

struct pk_ldapplan {
    struct pk_ldapop *ops;
    size_t count, size;
    char delimiter; /* subaddress delimiter of the copy */
};

extern int pk_ldapplan_capture(struct pk_txn *, struct pk_txn *,
                               const struct pk_store_touch *, size_t,
                               struct pk_ldapplan *, const char **);
extern int pk_ldapplan_order(struct pk_ldapplan *, const char **);
extern int pk_ldapplan_shown(struct pk_txn *, const struct pk_ldapop *,
                             const char **);
extern int pk_ldapplan_add(struct pk_ldapplan *, enum pk_ldapop_type,
                           struct pk_ldapobj *, struct pk_ldapobj *);
extern const char *pk_ldapplan_type_name(enum pk_ldapop_type);
extern void pk_ldapplan_free(struct pk_ldapplan *);

#endif
