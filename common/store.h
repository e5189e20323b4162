/*++
/* NAME
/*	store 3h
/* SUMMARY
/*	the LMDB environment, its transactions and raw records
/* SYNOPSIS
/*	#include "store.h"
/* DESCRIPTION
/*	pk_store_dir() picks the database directory: the --db option if
/*	given, else $POSTKONTOR_DB, else /var/lib/postkontor.
/*
/*	pk_store_check_dir() is the check every LMDB directory of ours
/*	passes (this one, usage, rate-limit counters): it exists or, with
/*	PK_STORE_CREATE, is made with the given mode; it is a directory not
/*	accessible by other users; PK_NOTFOUND when it or its data.mdb is
/*	missing and PK_STORE_CREATE was not given.
/*
/*	pk_store_open() opens (PK_STORE_CREATE: creates) the environment.
/*	The directory must exist, be a directory and not be writable or
/*	readable by others; a database written by a newer schema is refused
/*	with PK_EVERSION. A reader process opens with PK_STORE_READONLY.
/*	PK_STORE_NOMETASYNC (MDB_NOMETASYNC) skips the sync of the meta
/*	page at each commit: a system crash may lose the last transaction,
/*	never the file's integrity. Only a writer that can redo its last
/*	transaction (a sync consumer, whose cookie is in that same
/*	transaction) should ask for it.
/*	A created database has data.mdb mode 0640 and lock.mdb mode 0660, so
/*	that a database group gets read access (readers need to write their
/*	slot in the lock file).
/*	An environment is tied to the process that opened it: used after
/*	fork() it answers PK_ECONFIG.
/*
/*	pk_store_read() starts a short read transaction (MDB_NOTLS, so any
/*	thread may use its own); pk_txn_end() ends it. A store keeps one
/*	reader slot to renew, so the common single-threaded case costs no
/*	allocation. A store opened with PK_STORE_KEEPSNAPSHOT keeps that
/*	transaction's snapshot after pk_txn_end() and reads from it again
/*	while no write has been committed since (by any process), which
/*	saves LMDB the renewal; every read still sees the newest commit.
/*	Such a snapshot keeps the pages of its version from being reused
/*	by writers until the next read or pk_store_idle(), so a process
/*	that asks for it must call pk_store_idle() when it has had nothing
/*	to do for a while (a daemon: on its event loop's timeout).
/*	pk_txn_id() is the ID of the snapshot a transaction reads: equal
/*	IDs, equal data, so a process may key a cache on it.
/*
/*	pk_store_write() runs a function inside one write transaction and
/*	commits if it returns PK_OK, aborts otherwise. When the map is full
/*	it grows the map and runs the function again, so the function must
/*	be safe to repeat: it must not keep state outside the transaction.
/*	The function's changes and their change log entries commit together.
/*	The map cannot grow while the same process holds a read
/*	transaction (LMDB forbids it); such a write fails with PK_ETEMP.
/*
/*	pk_store_dryrun() runs a function exactly as pk_store_write()
/*	does, but never commits: when the function returns PK_OK it calls
/*	a capture function with the still-open transaction, which shows
/*	every change, and with each key the function wrote or deleted, once,
/*	in key order per database, together with the value the key had
/*	before the function first changed it (old NULL: it was absent; for
/*	the MDB_DUPSORT send-as database, old is only the first value).
/*	Then it aborts and returns what the capture function returned. The
/*	cluster writer ("postkontor --ldap") learns through it what a
/*	command would change, after the core validated it, without
/*	changing the local copy.
/*
/*	pk_store_reserve() makes room for that many more bytes before a bulk
/*	write (an import), so the map is grown once up front instead of the
/*	write being run again after each doubling.
/*
/*	pk_txn_get/put/del are the raw record calls the other core modules
/*	build on; nothing outside common/ calls LMDB.
/*--*/

#ifndef PK_STORE_H
#define PK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pk.h"

#define PK_STORE_DEFAULT_DIR "/var/lib/postkontor"
#define PK_STORE_ENV "POSTKONTOR_DB"

/* pk_store_open() flags */
#define PK_STORE_READONLY (1 << 0)
#define PK_STORE_CREATE (1 << 1)
#define PK_STORE_NOSYNC (1 << 2)       /* bulk loads; sync at close */
#define PK_STORE_NOMETASYNC (1 << 3)   /* flush data, not the meta page */
#define PK_STORE_KEEPSNAPSHOT (1 << 4) /* readers: keep an unchanged one */

enum pk_db {
    PK_DB_META,
    PK_DB_DOMAINS,
    PK_DB_ADDRESSES,
    PK_DB_SENDAS,
    PK_DB_DKIM,
    PK_DB_LOG,
    PK_DB_COUNT,
};

struct pk_store;
struct pk_txn;

typedef int pk_write_fn(struct pk_txn *, void *, const char **);

/* A key a dry run changed, and its value before (pk_store_dryrun()). */
struct pk_store_touch {
    enum pk_db db;
    const void *key;
    size_t klen;
    const void *old; /* NULL: the key was absent */
    size_t olen;
};

typedef int pk_capture_fn(struct pk_txn *, const struct pk_store_touch *,
                          size_t, void *, const char **);

extern const char *pk_store_dir(const char *);
extern int pk_store_check_dir(const char *, unsigned, unsigned, const char **);
extern int pk_store_open(const char *, unsigned, struct pk_store **,
                         const char **);
extern void pk_store_close(struct pk_store **);
extern void pk_store_set_actor(struct pk_store *, const char *);
extern int pk_store_read(struct pk_store *, struct pk_txn **, const char **);
extern int pk_store_write(struct pk_store *, pk_write_fn *, void *,
                          const char **);
extern int pk_store_dryrun(struct pk_store *, pk_write_fn *, void *,
                           pk_capture_fn *, void *, const char **);
extern void pk_txn_end(struct pk_txn **);
extern void pk_store_idle(struct pk_store *);
extern int pk_store_backup(struct pk_store *, const char *, const char **);
extern int pk_store_reserve(struct pk_store *, uint64_t, const char **);

/* Inside a transaction. */
extern bool pk_txn_writable(const struct pk_txn *);
extern uint64_t pk_txn_id(const struct pk_txn *);
extern const char *pk_txn_actor(const struct pk_txn *);
extern char pk_txn_delimiter(const struct pk_txn *);
extern int pk_txn_get(struct pk_txn *, enum pk_db, const void *, size_t,
                      const void **, size_t *, const char **);
extern int pk_txn_put(struct pk_txn *, enum pk_db, const void *, size_t,
                      const void *, size_t, unsigned, const char **);
extern int pk_txn_del(struct pk_txn *, enum pk_db, const void *, size_t,
                      const void *, size_t, const char **);

/* pk_txn_put() flags */
#define PK_PUT_NOOVERWRITE (1 << 0) /* PK_EEXIST if present */
#define PK_PUT_APPEND (1 << 1)      /* keys arrive in order */

/*
 * A cursor over one database, optionally restricted to keys that start
 * with a prefix. pk_cursor_next() answers PK_OK with the next pair,
 * PK_NOTFOUND at the end. Key and value point into LMDB and are valid
 * until the next cursor call or the end of the transaction.
 */
struct pk_cursor;

extern int pk_cursor_open(struct pk_txn *, enum pk_db, const void *, size_t,
                          struct pk_cursor **, const char **);
extern int pk_cursor_next(struct pk_cursor *, const void **, size_t *,
                          const void **, size_t *, const char **);
extern void pk_cursor_close(struct pk_cursor **);

/* pk_txn_has_pair - PK_OK if a MDB_DUPSORT key holds this value */
extern int pk_txn_has_pair(struct pk_txn *, enum pk_db, const void *, size_t,
                           const void *, size_t, const char **);

/* pk_txn_last - the last key of a database; PK_NOTFOUND if empty */
extern int pk_txn_last(struct pk_txn *, enum pk_db, const void **, size_t *,
                       const char **);

/* Statistics for "check" and benchmarks. */
extern int pk_txn_count(struct pk_txn *, enum pk_db, size_t *, const char **);

/* Raw file and map information. */
extern uint64_t pk_store_mapsize(struct pk_store *);

#endif
