/*++
/* NAME
/*	account 3h
/* SUMMARY
/*	mail accounts: create, change, remove, read
/* SYNOPSIS
/*	#include "account.h"
/* DESCRIPTION
/*	An account is an address with a mailbox and a password. Its domain
/*	must be a hosted domain (not an alias domain) and the address must
/*	not be an alias already.
/*
/*	pk_account_add() stores an account with an already made scheme
/*	string (pk_password_hash() or an import); pk_account_set_password()
/*	replaces it. Both refuse a string pk_password_check_hash() refuses.
/*
/*	pk_account_set_forward() replaces the forwarding destinations (an
/*	empty list turns forwarding off); keep_copy also delivers to the
/*	account itself. Local destinations must exist.
/*
/*	pk_account_del() refuses while an alias or a forward still delivers
/*	to the account, in any form that resolves to it (a subaddress, an
/*	alias domain); the account's own send-as grants go with it.
/*
/*	pk_account_get() answers PK_OK, PK_NOTFOUND (no account at that
/*	exact address), or an error; the caller frees with pk_entry_free().
/*
/*	pk_account_state() answers as pk_account_get() does, with only
/*	the account's state: it reads the record in place, without a copy,
/*	for the checks made on every login and message.
/*
/*	pk_account_quota(txn, domain, account) is the quota in effect for an
/*	account of that (normalized) domain: its own, or the domain default.
/*
/*	The may_* functions are the one place that says what a state
/*	allows; adapters ask them instead of comparing states.
/*--*/

#ifndef PK_ACCOUNT_H
#define PK_ACCOUNT_H

#include <stdbool.h>

#include "addr.h"
#include "record.h"
#include "store.h"

typedef int pk_entry_iter_fn(const char *, const struct pk_entry *, void *);

extern int pk_account_add(struct pk_txn *, const char *, const char *,
                          const char **);
extern int pk_account_set_password(struct pk_txn *, const char *, const char *,
                                   const char **);
extern int pk_account_set_state(struct pk_txn *, const char *,
                                enum pk_account_state, const char **);
extern int pk_account_set_quota(struct pk_txn *, const char *, uint64_t,
                                const char **);
extern int pk_account_set_forward(struct pk_txn *, const char *,
                                  const struct pk_strlist *, bool,
                                  const char **);
extern int pk_account_del(struct pk_txn *, const char *, const char **);
extern int pk_account_get(struct pk_txn *, const char *, struct pk_entry *,
                          const char **);
extern int pk_account_state(struct pk_txn *, const char *,
                            enum pk_account_state *, const char **);
extern uint64_t pk_account_quota(struct pk_txn *, const char *,
                                 const struct pk_account *);

/* pk_entry_iter - walk accounts and aliases, of one domain or all */
extern int pk_entry_iter(struct pk_txn *, const char *, pk_entry_iter_fn *,
                         void *, const char **);

/* pk_entry_get - the raw entry at an exact address (account or alias) */
extern int pk_entry_get(struct pk_txn *, const char *, struct pk_entry *,
                        const char **);
/* pk_entry_put - store an entry (pk_txn_put() flags); an alias gets fresh
 * destination hints, and aliases that hint a changed account are revised
 * (refs.h) */
extern int pk_entry_put(struct pk_txn *, const char *, const struct pk_entry *,
                        unsigned, const char **);

/* pk_entry_del - remove the entry at a database key (PK_NOTFOUND if none);
 * aliases that hint it are revised (refs.h). No reference check, no change
 * log: the callers' business */
extern int pk_entry_del(struct pk_txn *, const void *, size_t, const char **);

/* pk_entry_lookup - the entry of a parsed address; no parsing cost */
extern int pk_entry_lookup(struct pk_txn *, const struct pk_addr *,
                           struct pk_entry *, const char **);

extern bool pk_state_may_login(enum pk_account_state);
extern bool pk_state_may_send(enum pk_account_state);
extern bool pk_state_may_receive(enum pk_account_state);

#endif
