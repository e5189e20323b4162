/*++
/* NAME
/*	store 3
/* SUMMARY
/*	the LMDB environment and its transactions
/* SYNOPSIS
/*	#include "store.h"
/* DESCRIPTION
/*	The only file that calls LMDB. See store.h for the contract.
/*
/*	Readers: MDB_NOTLS, so a read transaction is not tied to a thread;
/*	the store keeps one reset transaction to renew, which keeps its
/*	reader slot and costs no allocation. Stale slots left by crashed
/*	processes are cleared at open and when the table is full.
/*
/*	With PK_STORE_KEEPSNAPSHOT that transaction is not reset at its
/*	end but parked with its snapshot's transaction ID. The next read
/*	compares that ID with the newest commit's (read from the meta
/*	pages, no lock): equal, the parked transaction is still the newest
/*	snapshot and is used as it is; LMDB then need not look up each
/*	named database in the main database again, which a renewed
/*	transaction must do on the first use of each. Otherwise it is
/*	renewed as usual. A parked snapshot pins its pages until the next
/*	read or pk_store_idle(); anything that resizes the map lets it go
/*	first, since LMDB allows no live transaction then.
/*
/*	Writers: LMDB serializes them. When the map is full the write is
/*	aborted, the map doubled, and the write function run again. Other
/*	processes see MDB_MAP_RESIZED at their next transaction and adopt
/*	the new size.
/*
/*	Dry runs: a transaction with a touch list records, in every put
/*	and delete, the key and (first time) its old value; the capture
/*	sees them sorted and deduplicated, then everything is aborted.
/* DIAGNOSTICS
/*	PK_ECONFIG for a directory that is missing, unsafe or not a
/*	postkontor database; PK_EVERSION for a newer schema; PK_ETEMP for
/*	LMDB errors at run time.
/* SECURITY
/*	The directory must not be accessible by other users; the data file
/*	is created mode 0640 so a database group can be given read access.
/*--*/

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "store.h"

#define PK_MAP_INITIAL ((size_t)256 << 20)
#define PK_MAP_LIMIT ((size_t)1 << 40)
#define PK_MAX_READERS 1024
#define PK_WRITE_TRIES 12

/* What a dry run changed: each touch owns a copy of key and old value;
 * seq keeps the order of recording through the sort. */
struct pk_touch_rec {
    struct pk_store_touch t;
    size_t seq;
};

struct pk_touches {
    struct pk_touch_rec *list;
    size_t count, size;
    bool failed; /* out of memory: the dry run fails */
};

struct pk_txn {
    struct pk_store *store;
    MDB_txn *txn;
    bool write;
    bool cached; /* the store's own reader */
    bool parked; /* cached, ended, still on snapshot parked_id */
    bool map_full;
    size_t parked_id;
    struct pk_touches *touches;      /* dry runs only */
    MDB_cursor *append[PK_DB_COUNT]; /* PK_PUT_APPEND: kept at the end */
};

struct pk_store {
    MDB_env *env;
    MDB_dbi dbi[PK_DB_COUNT];
    pid_t pid;
    unsigned fork_gen; /* pk_fork_gen when opened */
    unsigned flags;
    char delimiter;
    char actor[128];
    struct pk_txn reader; /* reset between uses */
    atomic_bool reader_busy;
    atomic_int active; /* live read transactions */
};

struct pk_cursor {
    MDB_cursor *cur;
    MDB_val prefix;
    bool started;
};

static const char *const pk_db_names[PK_DB_COUNT] = {
    [PK_DB_META] = "meta",           [PK_DB_DOMAINS] = "domains",
    [PK_DB_ADDRESSES] = "addresses", [PK_DB_SENDAS] = "sendas",
    [PK_DB_DKIM] = "dkim",           [PK_DB_LOG] = "log",
};

static atomic_uint pk_fork_gen;
static pthread_once_t pk_fork_once = PTHREAD_ONCE_INIT;

/* pk_fork_child - a child of fork(): no environment of the parent is ours */

static void pk_fork_child(void)
{
    atomic_fetch_add(&pk_fork_gen, 1);
}

/* pk_fork_register - watch for fork() once per process */

static void pk_fork_register(void)
{
    pthread_atfork(NULL, NULL, pk_fork_child);
}

/* lmdb_status - map an LMDB error to a status and message */

static int lmdb_status(int rc, const char *what, const char **error_r)
{
    *error_r = pk_error("database %s failed: %s", what, mdb_strerror(rc));
    return rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND ? PK_ECORRUPT
                                                          : PK_ETEMP;
}

/* pk_store_dir - the database directory to use */

const char *pk_store_dir(const char *option)
{
    const char *env;

    if (option != NULL && *option != 0)
        return option;
    if ((env = getenv(PK_STORE_ENV)) != NULL && *env != 0)
        return env;
    return PK_STORE_DEFAULT_DIR;
}

/* pk_store_check_dir - an LMDB directory exists (or is made) and is private */

int pk_store_check_dir(const char *dir, unsigned flags, unsigned mode,
                       const char **error_r)
{
    struct stat st;
    char path[4096];

    if (stat(dir, &st) < 0) {
        if (errno == ENOENT && (flags & PK_STORE_CREATE)) {
            if (mkdir(dir, mode) < 0 && errno != EEXIST) {
                *error_r =
                    pk_error("cannot create %s: %s", dir, strerror(errno));
                return PK_ECONFIG;
            }
            return PK_OK;
        }
        if (errno == ENOENT) {
            *error_r = pk_error("no database at %s", dir);
            return PK_NOTFOUND;
        }
        *error_r = pk_error("cannot access %s: %s", dir, strerror(errno));
        return PK_ECONFIG;
    }
    if (!S_ISDIR(st.st_mode)) {
        *error_r = pk_error("%s is not a directory", dir);
        return PK_ECONFIG;
    }
    if (st.st_mode & S_IRWXO) {
        *error_r = pk_error("%s is accessible by other users (mode %03o); "
                            "run chmod o-rwx on it",
                            dir, (unsigned)st.st_mode & 0777);
        return PK_ECONFIG;
    }
    if (snprintf(path, sizeof(path), "%s/data.mdb", dir) >= (int)sizeof(path)) {
        *error_r = pk_error("directory name too long: %.64s...", dir);
        return PK_ECONFIG;
    }
    if (!(flags & PK_STORE_CREATE) && access(path, F_OK) < 0) {
        *error_r = pk_error("no database at %s", dir);
        return PK_NOTFOUND;
    }
    if (access(path, R_OK) < 0 && errno != ENOENT) {
        *error_r = pk_error("cannot read %s: %s", path, strerror(errno));
        return PK_ECONFIG;
    }
    return PK_OK;
}

/* open_dbis - open the named databases and check the schema */

static int open_dbis(struct pk_store *store, const char **error_r)
{
    bool create = store->flags & PK_STORE_CREATE;
    MDB_txn *txn;
    MDB_val key = {6, "schema"}, val;
    unsigned char ver[4];
    uint32_t schema = 0;
    int rc;

    rc = mdb_txn_begin(store->env, NULL, create ? 0 : MDB_RDONLY, &txn);
    if (rc != 0)
        return lmdb_status(rc, "open", error_r);
    for (int i = 0; i < PK_DB_COUNT; i++) {
        unsigned fl =
            (create ? MDB_CREATE : 0) | (i == PK_DB_SENDAS ? MDB_DUPSORT : 0);

        if ((rc = mdb_dbi_open(txn, pk_db_names[i], fl, &store->dbi[i])) != 0) {
            mdb_txn_abort(txn);
            if (rc == MDB_NOTFOUND) {
                *error_r =
                    pk_error("not a postkontor database: no \"%s\" table",
                             pk_db_names[i]);
                return PK_ECONFIG;
            }
            return lmdb_status(rc, "open", error_r);
        }
    }
    rc = mdb_get(txn, store->dbi[PK_DB_META], &key, &val);
    if (rc == MDB_NOTFOUND && create) {
        for (int i = 0; i < 4; i++)
            ver[i] = (unsigned char)(PK_SCHEMA_VERSION >> (8 * i));
        val.mv_size = 4;
        val.mv_data = ver;
        rc = mdb_put(txn, store->dbi[PK_DB_META], &key, &val, 0);
        schema = PK_SCHEMA_VERSION;
    } else if (rc == 0 && val.mv_size == 4) {
        for (int i = 0; i < 4; i++)
            schema |= (uint32_t)((unsigned char *)val.mv_data)[i] << (8 * i);
    } else if (rc == 0 || rc == MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        *error_r = pk_error("not a postkontor database: no schema version");
        return PK_ECONFIG;
    }
    if (rc != 0) {
        mdb_txn_abort(txn);
        return lmdb_status(rc, "open", error_r);
    }
    if (schema > PK_SCHEMA_VERSION) {
        mdb_txn_abort(txn);
        *error_r =
            pk_error("the database has schema version %u, newer than "
                     "this postkontor understands (%u); upgrade postkontor",
                     schema, PK_SCHEMA_VERSION);
        return PK_EVERSION;
    }
    key.mv_size = 9;
    key.mv_data = "delimiter";
    if (mdb_get(txn, store->dbi[PK_DB_META], &key, &val) == 0 &&
        val.mv_size == 1)
        store->delimiter = *(char *)val.mv_data;
    if ((rc = mdb_txn_commit(txn)) != 0)
        return lmdb_status(rc, "open", error_r);
    return PK_OK;
}

/* pk_store_open - open or create the environment */

int pk_store_open(const char *dir, unsigned flags, struct pk_store **store_r,
                  const char **error_r)
{
    struct pk_store *store;
    unsigned envflags = MDB_NOTLS;
    int dead, rc, status;

    *store_r = NULL;
    status = pk_store_check_dir(dir, flags, 0750, error_r);
    if (status == PK_NOTFOUND) {
        *error_r = pk_error("no database at %s (run postkontor init)", dir);
        return PK_ECONFIG;
    }
    if (status != PK_OK)
        return status;
    if ((store = calloc(1, sizeof(*store))) == NULL)
        return PK_ENOMEM;
    pthread_once(&pk_fork_once, pk_fork_register);
    store->pid = getpid();
    store->fork_gen = atomic_load(&pk_fork_gen);
    store->flags = flags;
    store->delimiter = '+';
    snprintf(store->actor, sizeof(store->actor), "unknown");
    if (flags & PK_STORE_READONLY)
        envflags |= MDB_RDONLY;
    if (flags & PK_STORE_NOSYNC)
        envflags |= MDB_NOSYNC;
    if (flags & PK_STORE_NOMETASYNC)
        envflags |= MDB_NOMETASYNC;
    if ((rc = mdb_env_create(&store->env)) != 0 ||
        (rc = mdb_env_set_maxdbs(store->env, PK_DB_COUNT + 2)) != 0 ||
        (rc = mdb_env_set_maxreaders(store->env, PK_MAX_READERS)) != 0 ||
        (rc = mdb_env_set_mapsize(store->env, PK_MAP_INITIAL)) != 0 ||
        (rc = mdb_env_open(store->env, dir, envflags, 0640)) != 0) {
        *error_r = pk_error("cannot open the database in %s: %s", dir,
                            mdb_strerror(rc));
        pk_store_close(&store);
        return rc == EACCES ? PK_ECONFIG : PK_ETEMP;
    }
    /* Readers (Dovecot's auth, the Postfix daemon) take reader slots in
     * the lock file: a database group may read data.mdb but must write
     * lock.mdb. */
    if (flags & PK_STORE_CREATE) {
        char lock[4096];

        snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
        (void)chmod(lock, 0660);
    }
    if (mdb_reader_check(store->env, &dead) == 0 && dead > 0)
        pk_log(PK_LOG_INFO, "cleared %d stale reader slots in %s", dead, dir);
    if ((status = open_dbis(store, error_r)) != PK_OK) {
        pk_store_close(&store);
        return status;
    }
    *store_r = store;
    return PK_OK;
}

/* pk_store_close - close the environment */

void pk_store_close(struct pk_store **storep)
{
    struct pk_store *store = *storep;

    if (store == NULL)
        return;
    /* After fork() the parent owns the environment; only forget it. */
    if (store->pid == getpid()) {
        if (store->reader.txn != NULL)
            mdb_txn_abort(store->reader.txn);
        if (store->env != NULL) {
            if (store->flags & PK_STORE_NOSYNC)
                mdb_env_sync(store->env, 1);
            mdb_env_close(store->env);
        }
    }
    free(store);
    *storep = NULL;
}

/* pk_store_set_actor - who is making the changes, for the change log */

void pk_store_set_actor(struct pk_store *store, const char *actor)
{
    snprintf(store->actor, sizeof(store->actor), "%s", actor);
}

/* same_process - refuse an environment carried across fork() */

static int same_process(struct pk_store *store, const char **error_r)
{
    /* A counter bumped in every child, not getpid(): no system call
     * on each lookup. */
    if (store->fork_gen == atomic_load(&pk_fork_gen))
        return PK_OK;
    *error_r = pk_error("database handle used after fork(); open it again");
    return PK_ECONFIG;
}

/* park_release - let a parked snapshot go; caller holds reader_busy */

static void park_release(struct pk_store *store)
{
    struct pk_txn *t = &store->reader;

    if (t->parked) {
        mdb_txn_reset(t->txn);
        t->parked = false;
    }
}

/* unpark - let the parked snapshot go unless the reader is in use */

static void unpark(struct pk_store *store)
{
    if (!atomic_exchange(&store->reader_busy, true)) {
        park_release(store);
        atomic_store(&store->reader_busy, false);
    }
}

/* begin - start an LMDB transaction, adopting a grown map */

static int begin(struct pk_store *store, unsigned flags, MDB_txn **txn_r)
{
    int rc;

    for (int tries = 0; tries < 3; tries++) {
        rc = mdb_txn_begin(store->env, NULL, flags, txn_r);
        if (rc == MDB_MAP_RESIZED) {
            /* LMDB forbids resizing under a live transaction of ours. */
            if (atomic_load(&store->active) > 0)
                break;
            unpark(store);
            mdb_env_set_mapsize(store->env, 0);
        } else if (rc == MDB_READERS_FULL) {
            int dead;

            mdb_reader_check(store->env, &dead);
        } else {
            break;
        }
    }
    return rc;
}

/* pk_store_read - start a short read transaction */

int pk_store_read(struct pk_store *store, struct pk_txn **txn_r,
                  const char **error_r)
{
    struct pk_txn *t;
    int rc, status;

    *txn_r = NULL;
    if ((status = same_process(store, error_r)) != PK_OK)
        return status;
    if (!atomic_exchange(&store->reader_busy, true)) {
        t = &store->reader;
        if (t->parked) {
            MDB_envinfo info;

            t->parked = false;
            mdb_env_info(store->env, &info);
            if (info.me_last_txnid == t->parked_id) {
                atomic_fetch_add(&store->active, 1);
                *txn_r = t;
                return PK_OK;
            }
            mdb_txn_reset(t->txn);
        }
        if (t->txn != NULL && (rc = mdb_txn_renew(t->txn)) != 0) {
            mdb_txn_abort(t->txn);
            t->txn = NULL;
        }
        if (t->txn == NULL && (rc = begin(store, MDB_RDONLY, &t->txn)) != 0) {
            t->txn = NULL;
            atomic_store(&store->reader_busy, false);
            return lmdb_status(rc, "read", error_r);
        }
        t->store = store;
        t->cached = true;
        atomic_fetch_add(&store->active, 1);
        *txn_r = t;
        return PK_OK;
    }
    if ((t = calloc(1, sizeof(*t))) == NULL)
        return PK_ENOMEM;
    if ((rc = begin(store, MDB_RDONLY, &t->txn)) != 0) {
        free(t);
        return lmdb_status(rc, "read", error_r);
    }
    t->store = store;
    atomic_fetch_add(&store->active, 1);
    *txn_r = t;
    return PK_OK;
}

/* pk_txn_end - end a read transaction */

void pk_txn_end(struct pk_txn **txnp)
{
    struct pk_txn *t = *txnp;

    if (t == NULL)
        return;
    atomic_fetch_sub(&t->store->active, 1);
    if (t->cached) {
        if (t->store->flags & PK_STORE_KEEPSNAPSHOT) {
            t->parked = true;
            t->parked_id = mdb_txn_id(t->txn);
        } else {
            mdb_txn_reset(t->txn);
        }
        atomic_store(&t->store->reader_busy, false);
    } else {
        mdb_txn_abort(t->txn);
        free(t);
    }
    *txnp = NULL;
}

/* pk_store_idle - let a parked snapshot go */

void pk_store_idle(struct pk_store *store)
{
    if (store != NULL && store->pid == getpid())
        unpark(store);
}

/* pk_txn_id - the snapshot a transaction reads */

uint64_t pk_txn_id(const struct pk_txn *t)
{
    return mdb_txn_id(t->txn);
}

/* grow_map - double the map after MDB_MAP_FULL */

static int grow_map(struct pk_store *store, const char **error_r)
{
    MDB_envinfo info;
    size_t size;
    int rc;

    if (atomic_load(&store->active) > 0) {
        *error_r = pk_error("the database is full and cannot grow while this "
                            "process holds a read transaction");
        return PK_ETEMP;
    }
    unpark(store);
    mdb_env_info(store->env, &info);
    size = info.me_mapsize * 2;
    if (size > PK_MAP_LIMIT) {
        *error_r = pk_error("the database would grow beyond %zu GiB",
                            (size_t)(PK_MAP_LIMIT >> 30));
        return PK_ETEMP;
    }
    if ((rc = mdb_env_set_mapsize(store->env, size)) != 0)
        return lmdb_status(rc, "resize", error_r);
    pk_log(PK_LOG_INFO, "database map grown to %zu MiB", size >> 20);
    return PK_OK;
}

/* pk_store_reserve - grow the map ahead of a bulk write */

int pk_store_reserve(struct pk_store *store, uint64_t bytes,
                     const char **error_r)
{
    MDB_envinfo info;
    MDB_stat st;
    uint64_t used, want;
    int rc, status;

    if ((status = same_process(store, error_r)) != PK_OK)
        return status;
    if (atomic_load(&store->active) > 0) {
        *error_r = pk_error("cannot grow the map under a read transaction");
        return PK_ETEMP;
    }
    mdb_env_info(store->env, &info);
    mdb_env_stat(store->env, &st);
    used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
    want = used + bytes;
    if (want <= info.me_mapsize)
        return PK_OK;
    if (want > PK_MAP_LIMIT) {
        *error_r = pk_error("the database would grow beyond %zu GiB",
                            (size_t)(PK_MAP_LIMIT >> 30));
        return PK_ETEMP;
    }
    /* Whole MiB, so the size is a multiple of any page size. */
    want = (want + (1 << 20) - 1) & ~(uint64_t)((1 << 20) - 1);
    if ((rc = mdb_env_set_mapsize(store->env, want)) != 0)
        return lmdb_status(rc, "resize", error_r);
    return PK_OK;
}

/* touches_free - forget what a dry run recorded */

static void touches_free(struct pk_touches *tl)
{
    for (size_t i = 0; i < tl->count; i++) {
        free((void *)tl->list[i].t.key);
        free((void *)tl->list[i].t.old);
    }
    free(tl->list);
    memset(tl, 0, sizeof(*tl));
}

/* touch - record a key before a dry run changes it */

static void touch(struct pk_txn *t, enum pk_db db, const MDB_val *k)
{
    struct pk_touches *tl = t->touches;
    struct pk_touch_rec *grown, *r;
    MDB_val k2 = *k, v;

    if (tl->count == tl->size) {
        size_t size = tl->size ? 2 * tl->size : 16;

        if ((grown = realloc(tl->list, size * sizeof(*grown))) == NULL) {
            tl->failed = true;
            return;
        }
        tl->list = grown;
        tl->size = size;
    }
    r = &tl->list[tl->count];
    memset(r, 0, sizeof(*r));
    r->seq = tl->count;
    r->t.db = db;
    r->t.klen = k->mv_size;
    if ((r->t.key = malloc(k->mv_size)) == NULL) {
        tl->failed = true;
        return;
    }
    memcpy((void *)r->t.key, k->mv_data, k->mv_size);
    tl->count++;
    /* Only the first touch of a key counts (touches_capture()). */
    if (mdb_get(t->txn, t->store->dbi[db], &k2, &v) == 0) {
        if ((r->t.old = malloc(v.mv_size ? v.mv_size : 1)) == NULL) {
            tl->failed = true;
            return;
        }
        memcpy((void *)r->t.old, v.mv_data, v.mv_size);
        r->t.olen = v.mv_size;
    }
}

/* touch_cmp - database, key, then order of recording */

static int touch_cmp(const void *va, const void *vb)
{
    const struct pk_touch_rec *a = va, *b = vb;
    size_t n = a->t.klen < b->t.klen ? a->t.klen : b->t.klen;
    int c;

    if (a->t.db != b->t.db)
        return a->t.db < b->t.db ? -1 : 1;
    if ((c = memcmp(a->t.key, b->t.key, n)) != 0)
        return c;
    if (a->t.klen != b->t.klen)
        return a->t.klen < b->t.klen ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* touches_capture - each key once, in key order, to the capture function */

static int touches_capture(struct pk_txn *t, pk_capture_fn *capture,
                           void *capctx, const char **error_r)
{
    struct pk_touches *tl = t->touches;
    struct pk_store_touch *out;
    size_t n = 0;
    int status;

    if (tl->failed)
        return PK_ENOMEM;
    qsort(tl->list, tl->count, sizeof(*tl->list), touch_cmp);
    if ((out = calloc(tl->count + 1, sizeof(*out))) == NULL)
        return PK_ENOMEM;
    for (size_t i = 0; i < tl->count; i++) {
        if (n > 0 && out[n - 1].db == tl->list[i].t.db &&
            out[n - 1].klen == tl->list[i].t.klen &&
            memcmp(out[n - 1].key, tl->list[i].t.key, out[n - 1].klen) == 0)
            continue;
        out[n++] = tl->list[i].t;
    }
    status = capture(t, out, n, capctx, error_r);
    free(out);
    return status;
}

/* store_write - one write transaction; a dry run captures and aborts */

static int store_write(struct pk_store *store, pk_write_fn *fn, void *ctx,
                       pk_capture_fn *capture, void *capctx,
                       const char **error_r)
{
    struct pk_touches touches = {0};
    struct pk_txn t;
    int rc, status;

    if ((status = same_process(store, error_r)) != PK_OK)
        return status;
    if (store->flags & PK_STORE_READONLY) {
        *error_r = pk_error("the database was opened read-only");
        return PK_ECONFIG;
    }
    for (int tries = 0; tries < PK_WRITE_TRIES; tries++) {
        memset(&t, 0, sizeof(t));
        t.store = store;
        t.write = true;
        t.touches = capture != NULL ? &touches : NULL;
        if ((rc = begin(store, 0, &t.txn)) != 0)
            return lmdb_status(rc, "write", error_r);
        status = fn(&t, ctx, error_r);
        if (status == PK_OK && !t.map_full && capture != NULL) {
            status = touches_capture(&t, capture, capctx, error_r);
            mdb_txn_abort(t.txn);
            touches_free(&touches);
            return status;
        }
        if (status == PK_OK && !t.map_full) {
            rc = mdb_txn_commit(t.txn);
            if (rc == 0)
                return PK_OK;
            if (rc != MDB_MAP_FULL)
                return lmdb_status(rc, "commit", error_r);
            t.map_full = true;
        } else {
            mdb_txn_abort(t.txn);
        }
        touches_free(&touches);
        if (!t.map_full)
            return status;
        if ((status = grow_map(store, error_r)) != PK_OK)
            return status;
    }
    *error_r = pk_error("the database kept running out of space");
    return PK_ETEMP;
}

/* pk_store_write - run a function in one write transaction */

int pk_store_write(struct pk_store *store, pk_write_fn *fn, void *ctx,
                   const char **error_r)
{
    return store_write(store, fn, ctx, NULL, NULL, error_r);
}

/* pk_store_dryrun - run a write, show its changes, throw them away */

int pk_store_dryrun(struct pk_store *store, pk_write_fn *fn, void *ctx,
                    pk_capture_fn *capture, void *capctx, const char **error_r)
{
    return store_write(store, fn, ctx, capture, capctx, error_r);
}

/* pk_store_backup - hot, compacted copy into a new directory */

int pk_store_backup(struct pk_store *store, const char *dir,
                    const char **error_r)
{
    struct stat st;
    char path[4096];
    int rc, status;

    if ((status = same_process(store, error_r)) != PK_OK)
        return status;
    if (stat(dir, &st) < 0) {
        if (errno != ENOENT || mkdir(dir, 0750) < 0) {
            *error_r = pk_error("cannot create %s: %s", dir, strerror(errno));
            return PK_ECONFIG;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        *error_r = pk_error("%s is not a directory", dir);
        return PK_ECONFIG;
    }
    snprintf(path, sizeof(path), "%s/data.mdb", dir);
    if (access(path, F_OK) == 0) {
        *error_r = pk_error("%s already holds a database; "
                            "back up into a new directory",
                            dir);
        return PK_EEXIST;
    }
    if ((rc = mdb_env_copy2(store->env, dir, MDB_CP_COMPACT)) != 0)
        return lmdb_status(rc, "backup", error_r);
    return PK_OK;
}

/* pk_txn_writable - is this a write transaction */

bool pk_txn_writable(const struct pk_txn *t)
{
    return t->write;
}

/* pk_txn_actor - who makes the changes of this transaction */

const char *pk_txn_actor(const struct pk_txn *t)
{
    return t->store->actor;
}

/* pk_txn_delimiter - the subaddress delimiter */

char pk_txn_delimiter(const struct pk_txn *t)
{
    return t->store->delimiter;
}

/* pk_txn_get - look up one key */

int pk_txn_get(struct pk_txn *t, enum pk_db db, const void *key, size_t klen,
               const void **val_r, size_t *vlen_r, const char **error_r)
{
    MDB_val k = {klen, (void *)key}, v;
    int rc;

    if (klen == 0 || klen > 511) {
        *error_r = pk_error("invalid database key length %zu", klen);
        return PK_EINVAL;
    }
    rc = mdb_get(t->txn, t->store->dbi[db], &k, &v);
    if (rc == MDB_NOTFOUND)
        return PK_NOTFOUND;
    if (rc != 0)
        return lmdb_status(rc, "lookup", error_r);
    *val_r = v.mv_data;
    *vlen_r = v.mv_size;
    return PK_OK;
}

/* pk_txn_put - store one pair */

int pk_txn_put(struct pk_txn *t, enum pk_db db, const void *key, size_t klen,
               const void *val, size_t vlen, unsigned flags,
               const char **error_r)
{
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    unsigned mflags = 0;
    int rc;

    if (!t->write) {
        *error_r = pk_error("write in a read transaction");
        return PK_ECONFIG;
    }
    if (flags & PK_PUT_NOOVERWRITE)
        mflags |= (db == PK_DB_SENDAS ? MDB_NODUPDATA : MDB_NOOVERWRITE);
    if (flags & PK_PUT_APPEND)
        mflags |= MDB_APPEND;
    if (t->touches != NULL)
        touch(t, db, &k);
    if (flags & PK_PUT_APPEND) {
        /* A cursor left at the table's end appends without a descent
         * from the root per pair; LMDB closes it with the transaction. */
        if (t->append[db] == NULL &&
            (rc = mdb_cursor_open(t->txn, t->store->dbi[db], &t->append[db])) !=
                0)
            return lmdb_status(rc, "update", error_r);
        rc = mdb_cursor_put(t->append[db], &k, &v, mflags);
    } else {
        rc = mdb_put(t->txn, t->store->dbi[db], &k, &v, mflags);
    }
    if (rc == MDB_KEYEXIST)
        return PK_EEXIST;
    if (rc == MDB_MAP_FULL)
        t->map_full = true;
    if (rc != 0)
        return lmdb_status(rc, "update", error_r);
    return PK_OK;
}

/* pk_txn_del - delete a key (or one duplicate value of it) */

int pk_txn_del(struct pk_txn *t, enum pk_db db, const void *key, size_t klen,
               const void *val, size_t vlen, const char **error_r)
{
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int rc;

    if (!t->write) {
        *error_r = pk_error("write in a read transaction");
        return PK_ECONFIG;
    }
    if (t->touches != NULL)
        touch(t, db, &k);
    rc = mdb_del(t->txn, t->store->dbi[db], &k, val ? &v : NULL);
    if (rc == MDB_NOTFOUND)
        return PK_NOTFOUND;
    if (rc == MDB_MAP_FULL)
        t->map_full = true;
    if (rc != 0)
        return lmdb_status(rc, "delete", error_r);
    return PK_OK;
}

/* pk_cursor_open - iterate a database, optionally under a key prefix */

int pk_cursor_open(struct pk_txn *t, enum pk_db db, const void *prefix,
                   size_t plen, struct pk_cursor **cur_r, const char **error_r)
{
    struct pk_cursor *c;
    int rc;

    if ((c = calloc(1, sizeof(*c))) == NULL)
        return PK_ENOMEM;
    if ((rc = mdb_cursor_open(t->txn, t->store->dbi[db], &c->cur)) != 0) {
        free(c);
        return lmdb_status(rc, "cursor", error_r);
    }
    c->prefix.mv_data = (void *)prefix;
    c->prefix.mv_size = prefix ? plen : 0;
    *cur_r = c;
    return PK_OK;
}

/* pk_cursor_next - the next pair under the prefix */

int pk_cursor_next(struct pk_cursor *c, const void **key_r, size_t *klen_r,
                   const void **val_r, size_t *vlen_r, const char **error_r)
{
    MDB_val k, v;
    int rc;

    if (!c->started && c->prefix.mv_size > 0) {
        k = c->prefix;
        rc = mdb_cursor_get(c->cur, &k, &v, MDB_SET_RANGE);
    } else {
        rc = mdb_cursor_get(c->cur, &k, &v, c->started ? MDB_NEXT : MDB_FIRST);
    }
    c->started = true;
    if (rc == MDB_NOTFOUND)
        return PK_NOTFOUND;
    if (rc != 0)
        return lmdb_status(rc, "scan", error_r);
    if (c->prefix.mv_size > 0 &&
        (k.mv_size < c->prefix.mv_size ||
         memcmp(k.mv_data, c->prefix.mv_data, c->prefix.mv_size) != 0))
        return PK_NOTFOUND;
    *key_r = k.mv_data;
    *klen_r = k.mv_size;
    *val_r = v.mv_data;
    *vlen_r = v.mv_size;
    return PK_OK;
}

/* pk_cursor_close - release a cursor */

void pk_cursor_close(struct pk_cursor **cp)
{
    if (*cp == NULL)
        return;
    mdb_cursor_close((*cp)->cur);
    free(*cp);
    *cp = NULL;
}

/* pk_txn_has_pair - does a duplicate-sorted key hold this value */

int pk_txn_has_pair(struct pk_txn *t, enum pk_db db, const void *key,
                    size_t klen, const void *val, size_t vlen,
                    const char **error_r)
{
    MDB_cursor *cur;
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int rc;

    if ((rc = mdb_cursor_open(t->txn, t->store->dbi[db], &cur)) != 0)
        return lmdb_status(rc, "cursor", error_r);
    rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH);
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        return PK_NOTFOUND;
    if (rc != 0)
        return lmdb_status(rc, "lookup", error_r);
    return PK_OK;
}

/* pk_txn_last - the last key of a database */

int pk_txn_last(struct pk_txn *t, enum pk_db db, const void **key_r,
                size_t *klen_r, const char **error_r)
{
    MDB_cursor *cur;
    MDB_val k, v;
    int rc;

    if ((rc = mdb_cursor_open(t->txn, t->store->dbi[db], &cur)) != 0)
        return lmdb_status(rc, "cursor", error_r);
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    if (rc == MDB_NOTFOUND)
        return PK_NOTFOUND;
    if (rc != 0)
        return lmdb_status(rc, "scan", error_r);
    *key_r = k.mv_data;
    *klen_r = k.mv_size;
    return PK_OK;
}

/* pk_txn_count - number of entries in a database */

int pk_txn_count(struct pk_txn *t, enum pk_db db, size_t *count_r,
                 const char **error_r)
{
    MDB_stat st;
    int rc;

    if ((rc = mdb_stat(t->txn, t->store->dbi[db], &st)) != 0)
        return lmdb_status(rc, "stat", error_r);
    *count_r = st.ms_entries;
    return PK_OK;
}

/* pk_store_mapsize - the current map size in bytes */

uint64_t pk_store_mapsize(struct pk_store *store)
{
    MDB_envinfo info;

    mdb_env_info(store->env, &info);
    return info.me_mapsize;
}
