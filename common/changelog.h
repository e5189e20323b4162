/*++
/* NAME
/*	changelog 3h
/* SUMMARY
/*	the append-only change log
/* SYNOPSIS
/*	#include "changelog.h"
/* DESCRIPTION
/*	pk_changelog_append() records one change inside the transaction
/*	that makes it, so the log and the data can never disagree. The
/*	actor is the transaction's (pk_store_set_actor()). A detail never
/*	holds a password or a hash.
/*
/*	pk_changelog_iter() walks entries from sequence number "since"
/*	(0: the first) in order; a non-zero return from the function stops
/*	the walk and is returned.
/*--*/

#ifndef PK_CHANGELOG_H
#define PK_CHANGELOG_H

#include <stdint.h>

#include "record.h"
#include "store.h"

typedef int pk_changelog_iter_fn(uint64_t, const struct pk_logrec *, void *);

extern int pk_changelog_append(struct pk_txn *, const char *, const char *,
                               const char *, const char **);
extern int pk_changelog_iter(struct pk_txn *, uint64_t, pk_changelog_iter_fn *,
                             void *, const char **);
extern int pk_changelog_last(struct pk_txn *, uint64_t *, const char **);

#endif
