/*++
/* NAME
/*	refs 3h
/* SUMMARY
/*	who delivers to an entry: reference checks for changes
/* SYNOPSIS
/*	#include "refs.h"
/* DESCRIPTION
/*	A destination reaches an entry not only by its exact text but
/*	through a subaddress ("alice+tag") or an alias domain
/*	("alice@example.nu"). These checks follow resolution, so what they
/*	protect is exactly what pk_resolve() would follow.
/*
/*	pk_refs_unreferenced() answers PK_OK when no alias or forward
/*	reaches the entry at the address (one of ours, normalized), and
/*	PK_EINVAL naming the first one that does. With an "@domain" input
/*	it asks whether any destination is in that (alias) domain.
/*
/*	pk_refs_revalidate() is called after an entry changed: it resolves,
/*	with PK_RESOLVE_STRICT, every alias and forwarding account that
/*	reaches the entry, then those that reach them, up to the nesting
/*	limit, so that a change deep in a chain cannot push an alias above
/*	it over the depth or fan-out limits.
/*
/*	Both scan the addresses table once per level: the cost of an
/*	administrative change grows with the database, a lookup's does not.
/*
/*	Alias destination hints (record.h) are kept true here.
/*	pk_refs_hint() answers the hint of one stored destination:
/*	PK_HINT_MAILBOX if exactly that address is an account that does
/*	not forward, else PK_HINT_NONE. pk_refs_hints() fills in the hints
/*	of a list of destinations (count octets). pk_entry_put() uses them
/*	for every alias it writes, and calls pk_refs_rehint() when an
/*	account starts forwarding or is replaced by an alias: that
/*	rewrites every alias that hints the address, with fresh hints (one
/*	scan of the table). A state change needs none of that (the state
/*	is kept apart, record.h). A caller that removes an account with
/*	pk_txn_del() must call it too, and delete its "state:" record.
/*--*/

#ifndef PK_REFS_H
#define PK_REFS_H

#include "record.h"
#include "store.h"

extern int pk_refs_unreferenced(struct pk_txn *, const char *, const char **);
extern int pk_refs_revalidate(struct pk_txn *, const char *, const char **);
extern unsigned char pk_refs_hint(struct pk_txn *, const char *, size_t);
extern void pk_refs_hints(struct pk_txn *, const struct pk_strlist *,
                          unsigned char *);
extern int pk_refs_rehint(struct pk_txn *, const char *, const char **);

#endif
