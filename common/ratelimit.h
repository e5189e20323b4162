/*++
/* NAME
/*	ratelimit 3h
/* SUMMARY
/*	per-account and per-domain sending limits and their counters
/* SYNOPSIS
/*	#include "ratelimit.h"
/* DESCRIPTION
/*	A limit is a number of messages and a number of recipients per
/*	window of seconds; 0 messages or recipients means no limit of that
/*	kind. Limits apply to authenticated senders: each account counts on
/*	its own, and every account of a domain counts towards the domain.
/*
/*	Settings live in the account database, in the meta table, so that
/*	they are changed with the rest of the configuration and seen at the
/*	next lookup:
/*
/*	"ratelimit:account"		the default for every account
/*	"ratelimit:account:" address	one account's override
/*	"ratelimit:domain"		the default for every domain
/*	"ratelimit:domain:" A-label	one domain's override
/*
/*	Each value is a type byte (PK_REC_RATELIMIT), a version byte (1),
/*	then u32 messages, u32 recipients, u32 window, little-endian.
/*
/*	pk_ratelimit_set() stores a setting (subject NULL: the default) and
/*	logs the change; an override needs an existing account or hosted
/*	domain. pk_ratelimit_clear() removes one (PK_NOTFOUND if none).
/*	pk_ratelimit_get() reads one setting exactly (PK_NOTFOUND if none);
/*	pk_ratelimit_effective() answers the limit in force for a subject:
/*	its override, else the default, else none (all zero, PK_OK).
/*	pk_ratelimit_list() calls a function for each setting.
/*
/*	Counters live in a small LMDB environment of their own, owned by
/*	the process that enforces the limits (by default "ratelimit" inside
/*	the account database directory, pk_ratelimit_dir()), so that they
/*	survive a restart without making the account database writable to
/*	it. Keys are "a:" address or "d:" domain; values a type byte
/*	(PK_REC_RATECOUNT), a version byte (1), u64 window start (seconds),
/*	u32 messages, u32 recipients. A window begins with the first message
/*	counted in it and lasts the limit's window; then counting starts
/*	again.
/*
/*	Durability: pk_ratelimit_add() counts in memory; the counts reach
/*	the counter environment at pk_ratelimit_flush(), which writes every
/*	counter changed since the last flush in one transaction, and at
/*	pk_ratelimit_close(). A daemon calls pk_ratelimit_flush() about
/*	once a second, so a clean stop or restart loses nothing, a daemon
/*	that is killed or crashes loses at most the counts since its last
/*	flush, and a crash of the machine may in addition lose what the
/*	kernel had not yet written back (the environment is not synced at
/*	each commit). Counters read are kept in memory too until the next
/*	flush, so that checking a message and then counting it reads the
/*	database once. pk_ratelimit_pending() tells how many counters are
/*	held; more than PK_RATELIMIT_PENDING_MAX flushes at once (a busy
/*	domain's counter is then written once for many of its messages). A
/*	flush adds
/*	what another process counted meanwhile in the same window, so two
/*	processes may count in one environment; each sees the other's
/*	counts after its next flush.
/*
/*	pk_ratelimit_check() answers, in *count_r, what has been counted in
/*	the current window (zero once it has passed) and whether adding
/*	messages and recipients would go over the limit. pk_ratelimit_add()
/*	counts them.
/*
/*	pk_ratelimit_subject() does the work a subject needs once per
/*	message: it normalizes the subject into its counter key and reads
/*	the limit in force (as pk_ratelimit_effective());
/*	pk_ratelimit_subject_domain() makes the subject of an account's
/*	domain from the account's subject without parsing again; the _subject
/*	variants of check and add then take that instead of a subject and
/*	a limit. pk_ratelimit_key_hash() is the hash of a counter key that
/*	a subject carries, computed once with its key.
/*
/*	Both may be given a struct pk_ratelimit_cache (zeroed before its
/*	first use; NULL: none), which holds the two defaults and whether
/*	any override of each scope exists, as read from one snapshot of
/*	the account database (pk_txn_id()). While later transactions read
/*	that same snapshot, the defaults come from the cache and the
/*	database is asked for a subject's override only when its scope has
/*	any; a new snapshot reads them again, so a changed limit applies
/*	exactly as without the cache. A write transaction never uses it.
/*--*/

#ifndef PK_RATELIMIT_H
#define PK_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pk.h"
#include "store.h"

#define PK_REC_RATELIMIT 6
#define PK_REC_RATECOUNT 7

#define PK_RATELIMIT_WINDOW_MAX (366U * 86400U) /* one year */
#define PK_RATELIMIT_PENDING_MAX 4096 /* counters held; a power of two */

enum pk_ratelimit_scope {
    PK_RATELIMIT_ACCOUNT,
    PK_RATELIMIT_DOMAIN,
};

struct pk_ratelimit {
    uint32_t messages;   /* per window; 0: no limit */
    uint32_t recipients; /* per window; 0: no limit */
    uint32_t window;     /* seconds */
};

struct pk_ratecount {
    uint64_t start; /* window start, seconds */
    uint32_t messages;
    uint32_t recipients;
    bool over; /* adding would exceed the limit */
};

/* A subject resolved once: its counter key and the limit in force. */
#define PK_RATESUBJECT_KEY_MAX (PK_ADDR_MAX + 3)
struct pk_ratesubject {
    char key[PK_RATESUBJECT_KEY_MAX]; /* "a:" address or "d:" domain */
    size_t klen;                      /* 0: not resolved */
    uint32_t hash;                    /* of key, for the counter table */
    struct pk_ratelimit lim;
};

/* The settings every subject starts from, as of one snapshot. */
struct pk_ratelimit_cache {
    uint64_t snapshot;          /* pk_txn_id() they were read from */
    bool loaded;                /* false: read them at the next use */
    struct pk_ratelimit def[2]; /* by scope; all zero: no default */
    bool overrides[2];          /* by scope: some override exists */
};

typedef int pk_ratelimit_iter_fn(enum pk_ratelimit_scope, const char *,
                                 const struct pk_ratelimit *, void *);

/* Settings, in the account database. */
extern int pk_ratelimit_set(struct pk_txn *, enum pk_ratelimit_scope,
                            const char *, const struct pk_ratelimit *,
                            const char **);
extern int pk_ratelimit_clear(struct pk_txn *, enum pk_ratelimit_scope,
                              const char *, const char **);
extern int pk_ratelimit_get(struct pk_txn *, enum pk_ratelimit_scope,
                            const char *, struct pk_ratelimit *, const char **);
extern int pk_ratelimit_effective(struct pk_txn *, enum pk_ratelimit_scope,
                                  const char *, struct pk_ratelimit *,
                                  const char **);
extern int pk_ratelimit_list(struct pk_txn *, pk_ratelimit_iter_fn *, void *,
                             const char **);
extern const char *pk_ratelimit_scope_name(enum pk_ratelimit_scope);

/* Counters, in their own environment. */
struct pk_ratelimit_store;

extern const char *pk_ratelimit_dir(const char *, char *, size_t);
extern int pk_ratelimit_open(const char *, struct pk_ratelimit_store **,
                             const char **);
extern void pk_ratelimit_close(struct pk_ratelimit_store **);
extern int pk_ratelimit_subject(struct pk_txn *, struct pk_ratelimit_cache *,
                                enum pk_ratelimit_scope, const char *,
                                struct pk_ratesubject *, const char **);
extern int pk_ratelimit_subject_domain(struct pk_txn *,
                                       struct pk_ratelimit_cache *,
                                       const struct pk_ratesubject *,
                                       struct pk_ratesubject *, const char **);
extern int pk_ratelimit_check_subject(struct pk_ratelimit_store *,
                                      const struct pk_ratesubject *, uint64_t,
                                      uint32_t, uint32_t, struct pk_ratecount *,
                                      const char **);
extern int pk_ratelimit_add_subject(struct pk_ratelimit_store *,
                                    const struct pk_ratesubject *, uint64_t,
                                    uint32_t, uint32_t, const char **);
extern uint32_t pk_ratelimit_key_hash(const char *, size_t);
extern int pk_ratelimit_flush(struct pk_ratelimit_store *, const char **);
extern size_t pk_ratelimit_pending(const struct pk_ratelimit_store *);
extern int pk_ratelimit_check(struct pk_ratelimit_store *,
                              enum pk_ratelimit_scope, const char *,
                              const struct pk_ratelimit *, uint64_t, uint32_t,
                              uint32_t, struct pk_ratecount *, const char **);
extern int pk_ratelimit_add(struct pk_ratelimit_store *,
                            enum pk_ratelimit_scope, const char *,
                            const struct pk_ratelimit *, uint64_t, uint32_t,
                            uint32_t, const char **);

#endif
