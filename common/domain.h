/*++
/* NAME
/*	domain 3h
/* SUMMARY
/*	hosted domains and alias domains
/* SYNOPSIS
/*	#include "domain.h"
/* DESCRIPTION
/*	pk_domain_add() adds a hosted domain; pk_domain_add_alias() makes
/*	an alias domain whose addresses map to the same local part in a
/*	hosted target domain (example.nu -> example.se). An alias domain
/*	cannot point at another alias domain, and a domain that still has
/*	accounts, aliases or alias domains pointing at it cannot be removed.
/*
/*	pk_domain_get() answers PK_OK with the record, PK_NOTFOUND if the
/*	domain is not ours. Names are normalized by pk_addr_parse_domain(),
/*	so a U-label finds the same entry.
/*
/*	pk_domain_put() stores a record as given, except its catch-all
/*	flag (record.h), which it sets from the addresses database in the
/*	same transaction. pk_domain_note_catchall() writes the record of
/*	a domain again after its catch-all was added or removed: every
/*	writer of a catch-all entry calls it (pk_entry_put(),
/*	pk_entry_del(), the import), so the flag is always true.
/*
/*	pk_domain_iter() calls a function for each domain in key order;
/*	a non-zero return from the function stops the walk and is returned.
/*--*/

#ifndef PK_DOMAIN_H
#define PK_DOMAIN_H

#include "record.h"
#include "store.h"

typedef int pk_domain_iter_fn(const char *, const struct pk_domain *, void *);

extern int pk_domain_add(struct pk_txn *, const char *, const char **);
extern int pk_domain_add_alias(struct pk_txn *, const char *, const char *,
                               const char **);
extern int pk_domain_del(struct pk_txn *, const char *, const char **);
extern int pk_domain_set_quota(struct pk_txn *, const char *, uint64_t,
                               const char **);
extern int pk_domain_get(struct pk_txn *, const char *, struct pk_domain *,
                         const char **);
/* pk_domain_lookup - pk_domain_get for a name already normalized */
extern int pk_domain_lookup(struct pk_txn *, const char *, struct pk_domain *,
                            const char **);
extern int pk_domain_put(struct pk_txn *, const char *,
                         const struct pk_domain *, const char **);
/* pk_domain_note_catchall - revise the catch-all flag after a change */
extern int pk_domain_note_catchall(struct pk_txn *, const char *,
                                   const char **);
extern int pk_domain_iter(struct pk_txn *, pk_domain_iter_fn *, void *,
                          const char **);

#endif
