/*++
/* NAME
/*	check 3h
/* SUMMARY
/*	verify every record and every invariant
/* SYNOPSIS
/*	#include "check.h"
/* DESCRIPTION
/*	pk_check() reads the whole database in one read transaction and
/*	calls the report function once per problem found: a record that
/*	does not decode, a key that is not a valid address, an entry in a
/*	domain that is not hosted, an alias domain whose target is missing,
/*	a destination or grant that names a missing local address, an
/*	alias that loops or exceeds a limit, a hash of an unknown scheme,
/*	a DKIM key that does not parse as a key of its algorithm or lives
/*	in a domain that is not hosted, a domain with more than one active
/*	DKIM key, a rate-limit setting that does not decode, has a window
/*	out of range or names a missing account or hosted domain, an alias
/*	destination hint (record.h) that does not say what is there, a
/*	domain record whose catch-all flag says "none" while the domain
/*	has a catch-all.
/*	It answers PK_OK when it could read everything (problems or not)
/*	and stores the number of problems in *problems_r.
/*--*/

#ifndef PK_CHECK_H
#define PK_CHECK_H

#include <stddef.h>

#include "store.h"

typedef void pk_check_report_fn(const char *, const char *, void *);

extern int pk_check(struct pk_txn *, pk_check_report_fn *, void *, size_t *,
                    const char **);

#endif
