/*++
/* NAME
/*	usage 3
/* SUMMARY
/*	mailbox usage and last login, in their own LMDB environment
/* SYNOPSIS
/*	#include "usage.h"
/*
/*	const char *pk_usage_dir(const char *dbdir, char *buf, size_t len)
/*
/*	int	pk_usage_open(const char *dir, unsigned flags,
/*			struct pk_usage_store **store_r, const char **error_r)
/*
/*	void	pk_usage_close(struct pk_usage_store **storep)
/*
/*	int	pk_usage_get(struct pk_usage_store *store, const char *address,
/*			struct pk_usage *usage_r, const char **error_r)
/*
/*	int	pk_usage_set_quota(struct pk_usage_store *store,
/*			const char *address, uint64_t bytes, uint64_t messages,
/*			const char **error_r)
/*
/*	int	pk_usage_set_login(struct pk_usage_store *store,
/*			const char *address, uint64_t when, const char **error_r)
/*
/*	int	pk_usage_apply(struct pk_usage_store *store,
/*			const struct pk_usage_update *updates, size_t count,
/*			const char **error_r)
/*
/*	uint64_t pk_usage_now_us(void)
/* DESCRIPTION
/*	See usage.h for the record layout. This environment is apart from
/*	the account database on purpose: it is the one place mail
/*	processes may write, so it is its own LMDB environment (one unnamed
/*	database) with its own files, and this module is the only one that
/*	opens it.
/*
/*	pk_usage_dir() returns buf, or NULL when "<dbdir>/usage" does not
/*	fit in len bytes.
/*
/*	pk_usage_open() takes PK_STORE_READONLY for readers (the command,
/*	the Postfix daemon) or PK_STORE_CREATE for writers (the Dovecot
/*	mail plugin), which creates the directory (mode 0770) and the files
/*	(mode 0660: the mail processes' group writes them) when missing.
/*	Without PK_STORE_CREATE, a directory with no environment yet answers
/*	PK_NOTFOUND: nothing was ever recorded. A directory accessible by
/*	other users is refused (PK_ECONFIG). A handle is tied to the process
/*	that opened it; used after fork() it answers PK_ECONFIG.
/*
/*	pk_usage_apply() writes count updates in one write transaction,
/*	each keeping the fields of its record that it does not name; one
/*	commit for many deliveries is what keeps recording cheap (a commit
/*	syncs the data file once). An update whose address
/*	pk_addr_parse() refuses is skipped: the others are written and
/*	PK_EINVAL is returned. On any other error nothing is written.
/*
/*	Writers that gather updates commit them late, so two processes
/*	may commit counts of one mailbox in the other order than they
/*	took them. Each update therefore carries when its counts were
/*	taken (taken_us, pk_usage_now_us(); 0 means now), kept beside the
/*	record under the key "\1" + address key (no address key starts
/*	with that byte; readers never see it), and counts older than the
/*	stored ones are not written. A stored time later than the clock
/*	(the clock was set back) does not hold newer counts off.
/*	pk_usage_set_quota() and pk_usage_set_login() are one-update
/*	forms. The environment commits without syncing its meta page
/*	(MDB_NOMETASYNC): a system crash may lose the last commit, which
/*	is only counted again, but never the database. It does not use
/*	MDB_NOSYNC: with no sync at all a system crash may leave the
/*	database itself damaged, and its readers (the Postfix daemon)
/*	would then fail instead of counting again.
/* DIAGNOSTICS
/*	PK_EINVAL for an address pk_addr_parse() refuses; PK_ECORRUPT for a
/*	record of the wrong size or type; PK_EVERSION for a newer record
/*	version; PK_ETEMP for LMDB failures at run time.
/* SECURITY
/*	A mail process that writes here can change usage figures and
/*	nothing else: the account database is another environment that it
/*	need not even be able to read.
/*--*/

#include <errno.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "store.h"
#include "usage.h"

#define PK_USAGE_VERSION 1
#define PK_USAGE_LEN (2 + 4 * 8)
#define PK_USAGE_MAP_INITIAL ((size_t)64 << 20)
#define PK_USAGE_MAP_LIMIT ((size_t)16 << 30)
#define PK_USAGE_MAX_READERS 1024
/* First byte of the key that holds when a record's counts were taken
 * ("\1" + address key): no address key starts with it. */
#define PK_USAGE_STAMP '\1'

struct pk_usage_store {
    MDB_env *env;
    MDB_dbi dbi;
    pid_t pid;
};

/* usage_lmdb - map an LMDB error to a status and message */

static int usage_lmdb(int rc, const char *what, const char **error_r)
{
    *error_r = pk_error("usage database %s failed: %s", what, mdb_strerror(rc));
    return rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND ? PK_ECORRUPT
                                                          : PK_ETEMP;
}

/* pk_usage_dir - "<dbdir>/usage" */

const char *pk_usage_dir(const char *dbdir, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/usage", dbdir);

    return n < 0 || (size_t)n >= len ? NULL : buf;
}

/* usage_check_dir - the store's directory rule, with usage's wording */

static int usage_check_dir(const char *dir, unsigned flags,
                           const char **error_r)
{
    int status = pk_store_check_dir(dir, flags, 0770, error_r);

    if (status == PK_NOTFOUND)
        *error_r = pk_error("no usage recorded in %s", dir);
    return status;
}

/* pk_usage_open - open or create the usage environment */

int pk_usage_open(const char *dir, unsigned flags,
                  struct pk_usage_store **store_r, const char **error_r)
{
    struct pk_usage_store *store;
    unsigned envflags = MDB_NOTLS | MDB_NOMETASYNC;
    MDB_txn *txn;
    int dead, rc, status;
    mode_t old_mask;

    *store_r = NULL;
    if ((status = usage_check_dir(dir, flags, error_r)) != PK_OK)
        return status;
    if ((store = calloc(1, sizeof(*store))) == NULL)
        return PK_ENOMEM;
    store->pid = getpid();
    if (flags & PK_STORE_READONLY)
        envflags |= MDB_RDONLY;
    if ((rc = mdb_env_create(&store->env)) != 0 ||
        (rc = mdb_env_set_maxreaders(store->env, PK_USAGE_MAX_READERS)) != 0 ||
        (rc = mdb_env_set_mapsize(store->env, PK_USAGE_MAP_INITIAL)) != 0) {
        status = usage_lmdb(rc, "setup", error_r);
        pk_usage_close(&store);
        return status;
    }
    /* Group-writable files, whatever the mail process's umask. */
    old_mask = umask(007);
    rc = mdb_env_open(store->env, dir, envflags, 0660);
    umask(old_mask);
    if (rc != 0) {
        *error_r = pk_error("cannot open the usage database in %s: %s", dir,
                            mdb_strerror(rc));
        pk_usage_close(&store);
        return rc == EACCES ? PK_ECONFIG : PK_ETEMP;
    }
    if (mdb_reader_check(store->env, &dead) == 0 && dead > 0)
        pk_log(PK_LOG_INFO, "cleared %d stale reader slots in %s", dead, dir);
    if ((rc = mdb_txn_begin(store->env, NULL, envflags & MDB_RDONLY, &txn)) !=
            0 ||
        (rc = mdb_dbi_open(txn, NULL, 0, &store->dbi)) != 0 ||
        (rc = mdb_txn_commit(txn)) != 0) {
        status = usage_lmdb(rc, "open", error_r);
        pk_usage_close(&store);
        return status;
    }
    *store_r = store;
    return PK_OK;
}

/* pk_usage_close - close the environment */

void pk_usage_close(struct pk_usage_store **storep)
{
    struct pk_usage_store *store = *storep;

    if (store == NULL)
        return;
    /* After fork() the parent owns the environment; only forget it. */
    if (store->env != NULL && store->pid == getpid())
        mdb_env_close(store->env);
    free(store);
    *storep = NULL;
}

/* usage_begin - a transaction in this process, adopting a grown map */

static int usage_begin(struct pk_usage_store *store, unsigned flags,
                       MDB_txn **txn_r, const char **error_r)
{
    int rc;

    if (store->pid != getpid()) {
        *error_r = pk_error("usage database handle used after fork(); "
                            "open it again");
        return PK_ECONFIG;
    }
    rc = mdb_txn_begin(store->env, NULL, flags, txn_r);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(store->env, 0);
        rc = mdb_txn_begin(store->env, NULL, flags, txn_r);
    } else if (rc == MDB_READERS_FULL) {
        int dead;

        mdb_reader_check(store->env, &dead);
        rc = mdb_txn_begin(store->env, NULL, flags, txn_r);
    }
    return rc == 0 ? PK_OK : usage_lmdb(rc, "transaction", error_r);
}

/* usage_key - the address key, or PK_EINVAL */

static int usage_key(const char *address, char key[PK_KEY_MAX], size_t *len_r,
                     const char **error_r)
{
    struct pk_addr addr;
    int status;

    if ((status = pk_addr_parse(address, 0, &addr, error_r)) != PK_OK)
        return status;
    *len_r = pk_addr_key(&addr, key);
    return PK_OK;
}

/* put_u64 - append a little-endian u64 */

static unsigned char *put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

/* get_u64 - read a little-endian u64 */

static const unsigned char *get_u64(const unsigned char *p, uint64_t *v)
{
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)p[i] << (8 * i);
    return p + 8;
}

/* usage_decode - one stored value to a struct */

static int usage_decode(const MDB_val *val, struct pk_usage *usage,
                        const char **error_r)
{
    const unsigned char *p = val->mv_data;

    if (val->mv_size < 2 || p[0] != PK_REC_USAGE) {
        *error_r = pk_error("a usage record is corrupt");
        return PK_ECORRUPT;
    }
    if (p[1] > PK_USAGE_VERSION) {
        *error_r = pk_error("a usage record has version %u, newer than this "
                            "postkontor understands",
                            p[1]);
        return PK_EVERSION;
    }
    if (p[1] != PK_USAGE_VERSION || val->mv_size != PK_USAGE_LEN) {
        *error_r = pk_error("a usage record is corrupt");
        return PK_ECORRUPT;
    }
    p = get_u64(p + 2, &usage->bytes);
    p = get_u64(p, &usage->messages);
    p = get_u64(p, &usage->last_login);
    get_u64(p, &usage->updated);
    return PK_OK;
}

/* pk_usage_get - what is recorded for an address */

int pk_usage_get(struct pk_usage_store *store, const char *address,
                 struct pk_usage *usage_r, const char **error_r)
{
    char key[PK_KEY_MAX];
    MDB_val k, v;
    MDB_txn *txn;
    size_t klen;
    int rc, status;

    if ((status = usage_key(address, key, &klen, error_r)) != PK_OK)
        return status;
    if ((status = usage_begin(store, MDB_RDONLY, &txn, error_r)) != PK_OK)
        return status;
    k.mv_size = klen;
    k.mv_data = key;
    rc = mdb_get(txn, store->dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
        *error_r = pk_error("no usage recorded for %s", address);
        status = PK_NOTFOUND;
    } else if (rc != 0) {
        status = usage_lmdb(rc, "read", error_r);
    } else {
        status = usage_decode(&v, usage_r, error_r);
    }
    mdb_txn_abort(txn);
    return status;
}

/* usage_encode - a record to its stored form */

static void usage_encode(const struct pk_usage *u,
                         unsigned char buf[PK_USAGE_LEN])
{
    unsigned char *p;

    buf[0] = PK_REC_USAGE;
    buf[1] = PK_USAGE_VERSION;
    p = put_u64(buf + 2, u->bytes);
    p = put_u64(p, u->messages);
    p = put_u64(p, u->last_login);
    put_u64(p, u->updated);
}

/* pk_usage_now_us - the wall clock in microseconds */

uint64_t pk_usage_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* usage_stamp - when the stored counts of a key were taken (0: unknown) */

static int usage_stamp(struct pk_usage_store *store, MDB_txn *txn,
                       MDB_val *skey, uint64_t *taken_r)
{
    MDB_val v;
    int rc;

    *taken_r = 0;
    rc = mdb_get(txn, store->dbi, skey, &v);
    if (rc == 0 && v.mv_size == 8)
        get_u64(v.mv_data, taken_r);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* usage_put - one update inside a write transaction; an LMDB code */

static int usage_put(struct pk_usage_store *store, MDB_txn *txn,
                     const char *key, size_t klen,
                     const struct pk_usage_update *up, uint64_t now_us)
{
    struct pk_usage u = {0};
    unsigned char buf[PK_USAGE_LEN], sbuf[8];
    char stamp_key[1 + PK_KEY_MAX];
    const char *ignored;
    uint64_t taken, stored_taken;
    MDB_val k, v, sk;
    int rc;

    k.mv_size = klen;
    k.mv_data = (void *)key;
    rc = mdb_get(txn, store->dbi, &k, &v);
    /* A damaged record is replaced: it is only counted again. */
    if (rc == 0 && usage_decode(&v, &u, &ignored) != PK_OK)
        memset(&u, 0, sizeof(u));
    else if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    if (up->fields & PK_USAGE_QUOTA) {
        stamp_key[0] = PK_USAGE_STAMP;
        memcpy(stamp_key + 1, key, klen);
        sk.mv_size = klen + 1;
        sk.mv_data = stamp_key;
        if ((rc = usage_stamp(store, txn, &sk, &stored_taken)) != 0)
            return rc;
        taken = up->taken_us != 0 ? up->taken_us : now_us;
        /* Counts taken later by another process were committed first:
         * keep them. A stamp from the future means the clock was set
         * back; then the stamp proves nothing. */
        if (stored_taken > taken && stored_taken <= now_us)
            return 0;
        u.bytes = up->bytes;
        u.messages = up->messages;
        u.updated = taken / 1000000;
        put_u64(sbuf, taken);
        v.mv_size = sizeof(sbuf);
        v.mv_data = sbuf;
        if ((rc = mdb_put(txn, store->dbi, &sk, &v, 0)) != 0)
            return rc;
    }
    if (up->fields & PK_USAGE_LOGIN)
        u.last_login = up->last_login;
    usage_encode(&u, buf);
    v.mv_size = sizeof(buf);
    v.mv_data = buf;
    return mdb_put(txn, store->dbi, &k, &v, 0);
}

/* usage_grow - double the map after MDB_MAP_FULL; false at the limit */

static bool usage_grow(struct pk_usage_store *store)
{
    MDB_envinfo info;

    mdb_env_info(store->env, &info);
    return info.me_mapsize * 2 <= PK_USAGE_MAP_LIMIT &&
           mdb_env_set_mapsize(store->env, info.me_mapsize * 2) == 0;
}

/* pk_usage_apply - several updates in one write transaction */

int pk_usage_apply(struct pk_usage_store *store,
                   const struct pk_usage_update *updates, size_t count,
                   const char **error_r)
{
    char key[PK_KEY_MAX];
    const char *parse_error = "";
    bool bad = false;
    uint64_t now_us = pk_usage_now_us();
    MDB_txn *txn;
    size_t klen, i;
    int rc, status;

    for (;;) {
        txn = NULL;
        for (i = 0, rc = 0; i < count && rc == 0; i++) {
            if (usage_key(updates[i].address, key, &klen, &parse_error) !=
                PK_OK) {
                bad = true;
                continue;
            }
            /* Begun at the first valid address: none, no transaction. */
            if (txn == NULL &&
                (status = usage_begin(store, 0, &txn, error_r)) != PK_OK)
                return status;
            rc = usage_put(store, txn, key, klen, &updates[i], now_us);
        }
        if (txn == NULL)
            break;
        if (rc != 0)
            mdb_txn_abort(txn);
        else if ((rc = mdb_txn_commit(txn)) == 0) /* frees txn either way */
            break;
        if (rc != MDB_MAP_FULL || !usage_grow(store))
            return usage_lmdb(rc, "write", error_r);
    }
    if (bad) {
        *error_r = pk_error("%s", parse_error);
        return PK_EINVAL;
    }
    return PK_OK;
}

/* pk_usage_set_quota - record the bytes and messages counts */

int pk_usage_set_quota(struct pk_usage_store *store, const char *address,
                       uint64_t bytes, uint64_t messages, const char **error_r)
{
    struct pk_usage_update up = {address, PK_USAGE_QUOTA, bytes, messages, 0,
                                 0};

    return pk_usage_apply(store, &up, 1, error_r);
}

/* pk_usage_set_login - record the last login time */

int pk_usage_set_login(struct pk_usage_store *store, const char *address,
                       uint64_t when, const char **error_r)
{
    struct pk_usage_update up = {address, PK_USAGE_LOGIN, 0, 0, when, 0};

    return pk_usage_apply(store, &up, 1, error_r);
}
