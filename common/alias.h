/*++
/* NAME
/*	alias 3h
/* SUMMARY
/*	aliases and catch-alls
/* SYNOPSIS
/*	#include "alias.h"
/* DESCRIPTION
/*	An alias is an address with no mailbox that delivers to one or more
/*	destinations: accounts, other aliases, or outside addresses. The
/*	address "@domain" is the domain's catch-all.
/*
/*	pk_alias_add() creates the alias or adds destinations to it. Every
/*	local destination (its domain is ours) must resolve to something;
/*	the result must not loop or exceed the depth and fan-out limits.
/*	The check runs by resolving the alias inside the same transaction,
/*	so what is refused is exactly what resolution could not follow.
/*
/*	pk_alias_remove() removes destinations; the alias goes away with its
/*	last destination. An empty list removes the alias outright.
/*--*/

#ifndef PK_ALIAS_H
#define PK_ALIAS_H

#include "record.h"
#include "store.h"

extern int pk_alias_add(struct pk_txn *, const char *,
                        const struct pk_strlist *, const char **);
extern int pk_alias_remove(struct pk_txn *, const char *,
                           const struct pk_strlist *, const char **);
extern int pk_alias_get(struct pk_txn *, const char *, struct pk_entry *,
                        const char **);

/* pk_dest_normalize - parse a destination into its canonical text form */
extern int pk_dest_normalize(const char *, char[PK_ADDR_MAX + 1],
                             const char **);

#endif
