/*++
/* NAME
/*	test-store 1
/* SUMMARY
/*	unit tests of the LMDB environment (common/store.c)
/* SYNOPSIS
/*	test-store
/* DESCRIPTION
/*	Opening: create and reopen, a missing, world-readable or foreign
/*	directory, a newer schema (written with raw LMDB calls, as another
/*	program would). Writing: a failed write leaves nothing behind, a
/*	full map grows and the write is repeated, a read-only store refuses.
/*	Reading: two read transactions at once, snapshot isolation, a
/*	kept snapshot (PK_STORE_KEEPSNAPSHOT) that still sees every commit
/*	of this and another process and lets go before the map grows, use
/*	after fork(). Backup: a copy that opens with the same entries, and
/*	no backup over an existing database.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <errno.h>
#include <lmdb.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fixture.h"
#include "store.h"
#include "test.h"

/* A key and value written by put_fn. */
struct kv {
    const char *key;
    const char *val;
    int fail_with; /* non-zero: return this after the put */
    int runs;
};

static int put_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct kv *kv = ctx;
    int status;

    kv->runs++;
    status = pk_txn_put(txn, PK_DB_META, kv->key, strlen(kv->key), kv->val,
                        strlen(kv->val), 0, error_r);
    if (status == PK_OK && kv->fail_with != 0) {
        *error_r = pk_error("refused on purpose");
        return kv->fail_with;
    }
    return status;
}

/* put_meta - one pair in the meta table, in its own write */

static int put_meta(struct pk_store *store, const char *key, const char *val)
{
    struct kv kv = {.key = key, .val = val};
    const char *error;

    return pk_store_write(store, put_fn, &kv, &error);
}

/* read_meta - PK_OK and the value compares equal; else the status; and
 * the ID of the snapshot read */

static int read_meta(struct pk_store *store, const char *key, const char *want,
                     uint64_t *id_r)
{
    struct pk_txn *txn;
    const void *val;
    size_t vlen;
    const char *error;
    int status;

    if ((status = pk_store_read(store, &txn, &error)) != PK_OK)
        return status;
    *id_r = pk_txn_id(txn);
    status = pk_txn_get(txn, PK_DB_META, key, strlen(key), &val, &vlen, &error);
    if (status == PK_OK &&
        (vlen != strlen(want) || memcmp(val, want, vlen) != 0))
        status = PK_ECORRUPT;
    pk_txn_end(&txn);
    return status;
}

/* get_meta - PK_OK and the value compares equal; else the status */

static int get_meta(struct pk_store *store, const char *key, const char *want)
{
    uint64_t id;

    return read_meta(store, key, want, &id);
}

static void test_store_create_then_reopen(void)
{
    struct pk_store *store;
    const char *error = "";
    char *dir = test_tmpdir();
    struct stat st;

    test_begin("store: a created database reopens with its data");
    test_assert_int(pk_store_open(dir, PK_STORE_CREATE, &store, &error), PK_OK);
    test_assert_int(put_meta(store, "k", "v"), PK_OK);
    pk_store_close(&store);
    test_assert(store == NULL);
    test_assert_int(pk_store_open(dir, 0, &store, &error), PK_OK);
    test_assert_int(get_meta(store, "k", "v"), PK_OK);
    pk_store_close(&store);
    test_assert_int(pk_store_open(dir, PK_STORE_READONLY, &store, &error),
                    PK_OK);
    test_assert_int(get_meta(store, "k", "v"), PK_OK);
    pk_store_close(&store);
    pk_store_close(&store); /* closing NULL is harmless */
    test_assert(stat(dir, &st) == 0 && (st.st_mode & S_IRWXO) == 0);
    test_rmtree(dir);
    free(dir);
    test_end();
}

static void test_store_create_makes_a_missing_directory(void)
{
    struct pk_store *store;
    const char *error = "";
    char *dir = test_tmpdir(), *sub;
    struct stat st;

    test_begin("store: PK_STORE_CREATE makes a private directory");
    if (asprintf(&sub, "%s/db", dir) < 0)
        abort();
    test_assert_int(pk_store_open(sub, PK_STORE_CREATE, &store, &error), PK_OK);
    test_assert(stat(sub, &st) == 0 && (st.st_mode & S_IRWXO) == 0);
    pk_store_close(&store);
    test_rmtree(dir);
    free(sub);
    free(dir);
    test_end();
}

static void test_store_missing_directory_is_a_config_error(void)
{
    struct pk_store *store = (struct pk_store *)1;
    const char *error = "";
    char *dir = test_tmpdir(), *sub;

    test_begin("store: no database without PK_STORE_CREATE is PK_ECONFIG");
    if (asprintf(&sub, "%s/missing", dir) < 0)
        abort();
    test_assert_int(pk_store_open(sub, 0, &store, &error), PK_ECONFIG);
    test_assert(strstr(error, "no database") != NULL);
    test_assert(store == NULL);
    /* An empty directory is no database either. */
    test_assert_int(pk_store_open(dir, 0, &store, &error), PK_ECONFIG);
    test_assert(strstr(error, "no database") != NULL);
    test_assert_int(pk_store_open(dir, PK_STORE_READONLY, &store, &error),
                    PK_ECONFIG);
    test_rmtree(dir);
    free(sub);
    free(dir);
    test_end();
}

static void test_store_world_accessible_directory_is_refused(void)
{
    struct pk_store *store;
    const char *error = "";
    char *dir = test_tmpdir(), *file;

    test_begin("store: a directory others can read or enter is PK_ECONFIG");
    test_assert_int(pk_store_open(dir, PK_STORE_CREATE, &store, &error), PK_OK);
    pk_store_close(&store);
    chmod(dir, 0755);
    test_assert_int(pk_store_open(dir, 0, &store, &error), PK_ECONFIG);
    test_assert(strstr(error, "other users") != NULL);
    test_assert_int(pk_store_open(dir, PK_STORE_CREATE, &store, &error),
                    PK_ECONFIG);
    chmod(dir, 0701);
    test_assert_int(pk_store_open(dir, 0, &store, &error), PK_ECONFIG);
    chmod(dir, 0750);
    test_assert_int(pk_store_open(dir, 0, &store, &error), PK_OK);
    pk_store_close(&store);

    /* A file is not a database directory. */
    if (asprintf(&file, "%s/data.mdb", dir) < 0)
        abort();
    test_assert_int(pk_store_open(file, PK_STORE_CREATE, &store, &error),
                    PK_ECONFIG);
    test_rmtree(dir);
    free(file);
    free(dir);
    test_end();
}

/* raw_meta_put - write a meta pair the way another program would */

static int raw_meta_put(const char *dir, const char *dbname, const char *key,
                        const void *val, size_t vlen)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    char kbuf[64], vbuf[64];
    MDB_val k = {strlen(key), kbuf}, v = {vlen, vbuf};
    int rc;

    /* LMDB takes non-const pointers; hand it copies. */
    if (k.mv_size > sizeof(kbuf) || vlen > sizeof(vbuf))
        return EINVAL;
    memcpy(kbuf, key, k.mv_size);
    memcpy(vbuf, val, vlen);
    if ((rc = mdb_env_create(&env)) != 0)
        return rc;
    if ((rc = mdb_env_set_maxdbs(env, 16)) == 0 &&
        (rc = mdb_env_open(env, dir, 0, 0640)) == 0 &&
        (rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
        if ((rc = mdb_dbi_open(txn, dbname, MDB_CREATE, &dbi)) == 0 &&
            (rc = mdb_put(txn, dbi, &k, &v, 0)) == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    mdb_env_close(env);
    return rc;
}

static void test_store_newer_schema_is_refused(void)
{
    static const unsigned char v99[4] = {99, 0, 0, 0};
    static const unsigned char v1[4] = {PK_SCHEMA_VERSION, 0, 0, 0};
    struct pk_store *store;
    const char *error = "";
    char *dir = test_tmpdir();

    test_begin("store: a database of a newer schema is PK_EVERSION");
    test_assert_int(pk_store_open(dir, PK_STORE_CREATE, &store, &error), PK_OK);
    pk_store_close(&store);
    test_assert_int(raw_meta_put(dir, "meta", "schema", v99, 4), 0);
    test_assert_int(pk_store_open(dir, 0, &store, &error), PK_EVERSION);
    test_assert(strstr(error, "99") != NULL);
    test_assert(store == NULL);
    test_assert_int(pk_store_open(dir, PK_STORE_READONLY, &store, &error),
                    PK_EVERSION);
    test_assert_int(pk_store_open(dir, PK_STORE_CREATE, &store, &error),
                    PK_EVERSION);
    /* Back to our version, it opens again. */
    test_assert_int(raw_meta_put(dir, "meta", "schema", v1, 4), 0);
    test_assert_int(pk_store_open(dir, 0, &store, &error), PK_OK);
    pk_store_close(&store);
    test_rmtree(dir);
    free(dir);
    test_end();
}

static void test_store_foreign_lmdb_is_not_a_postkontor_database(void)
{
    struct pk_store *store;
    const char *error = "";
    char *dir = test_tmpdir();

    test_begin("store: an LMDB environment of another program is PK_ECONFIG");
    test_assert_int(raw_meta_put(dir, "other", "k", "v", 1), 0);
    test_assert_int(pk_store_open(dir, 0, &store, &error), PK_ECONFIG);
    test_assert(strstr(error, "not a postkontor database") != NULL);
    test_rmtree(dir);
    free(dir);
    test_end();
}

static void test_store_failed_write_leaves_nothing(void)
{
    struct fixture fx;
    struct kv kv = {.key = "gone", .val = "v", .fail_with = PK_EINVAL};
    const char *error = "";

    test_begin("store: a write function that fails leaves nothing behind");
    fixture_open(&fx);
    test_assert_int(pk_store_write(fx.store, put_fn, &kv, &error), PK_EINVAL);
    test_assert_str(error, "refused on purpose");
    test_assert_int(kv.runs, 1);
    test_assert_int(get_meta(fx.store, "gone", "v"), PK_NOTFOUND);
    kv.fail_with = PK_NOTFOUND; /* an answer that is not PK_OK aborts too */
    test_assert_int(pk_store_write(fx.store, put_fn, &kv, &error), PK_NOTFOUND);
    test_assert_int(get_meta(fx.store, "gone", "v"), PK_NOTFOUND);
    kv.fail_with = 0;
    test_assert_int(pk_store_write(fx.store, put_fn, &kv, &error), PK_OK);
    test_assert_int(get_meta(fx.store, "gone", "v"), PK_OK);
    fixture_close(&fx);
    test_end();
}

/* Many large values in one write: more than the initial map holds. */
#define BIG_VALUE (1 << 20)
#define BIG_COUNT 320

struct big {
    unsigned char *value;
    int runs;
};

static int big_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct big *big = ctx;
    char key[16];
    int status = PK_OK;

    big->runs++;
    for (int i = 0; i < BIG_COUNT && status == PK_OK; i++) {
        snprintf(key, sizeof(key), "big%05d", i);
        big->value[0] = (unsigned char)i;
        status = pk_txn_put(txn, PK_DB_DKIM, key, strlen(key), big->value,
                            BIG_VALUE, 0, error_r);
    }
    return status;
}

static void test_store_full_map_grows_and_write_repeats(void)
{
    struct fixture fx;
    struct big big = {.value = calloc(1, BIG_VALUE)};
    struct pk_txn *txn;
    const void *val;
    size_t vlen, count = 0;
    uint64_t before;
    const char *error = "";

    test_begin("store: a write larger than the map grows it and succeeds");
    fixture_open(&fx);
    before = pk_store_mapsize(fx.store);
    test_assert((uint64_t)BIG_COUNT * BIG_VALUE > before);
    test_assert_int(pk_store_write(fx.store, big_fn, &big, &error), PK_OK);
    test_assert(big.runs >= 2);
    test_assert(pk_store_mapsize(fx.store) > before);
    test_assert_int(pk_store_read(fx.store, &txn, &error), PK_OK);
    test_assert_int(pk_txn_count(txn, PK_DB_DKIM, &count, &error), PK_OK);
    test_assert_int(count, BIG_COUNT);
    test_assert_int(
        pk_txn_get(txn, PK_DB_DKIM, "big00319", 8, &val, &vlen, &error), PK_OK);
    test_assert(vlen == BIG_VALUE && *(const unsigned char *)val == 319 % 256);
    pk_txn_end(&txn);

    /* Reopened, the file is larger than the initial map and still works. */
    pk_store_close(&fx.store);
    test_assert_int(pk_store_open(fx.dir, 0, &fx.store, &error), PK_OK);
    test_assert(pk_store_mapsize(fx.store) >= (uint64_t)BIG_COUNT * BIG_VALUE);
    test_assert_int(put_meta(fx.store, "after", "grow"), PK_OK);
    test_assert_int(get_meta(fx.store, "after", "grow"), PK_OK);
    fixture_close(&fx);
    free(big.value);
    test_end();
}

static void test_store_kept_snapshot_sees_every_commit(void)
{
    struct fixture fx;
    struct big big = {.value = calloc(1, BIG_VALUE)};
    uint64_t id1 = 0, id2 = 0, id3 = 0, before;
    const char *error = "";
    pid_t pid;
    int wstatus = -1;

    test_begin("store: a kept snapshot is used only while nothing committed");
    fixture_open(&fx);
    pk_store_close(&fx.store);
    test_assert_int(
        pk_store_open(fx.dir, PK_STORE_KEEPSNAPSHOT, &fx.store, &error), PK_OK);
    test_assert_int(put_meta(fx.store, "k", "v1"), PK_OK);
    test_assert_int(read_meta(fx.store, "k", "v1", &id1), PK_OK);
    test_assert_int(read_meta(fx.store, "k", "v1", &id2), PK_OK);
    test_assert(id2 == id1);

    /* A commit of this process, with the snapshot parked. */
    test_assert_int(put_meta(fx.store, "k", "v2"), PK_OK);
    test_assert_int(read_meta(fx.store, "k", "v2", &id2), PK_OK);
    test_assert(id2 > id1);

    /* A commit of another process. */
    fflush(stdout);
    if ((pid = fork()) == 0) {
        struct pk_store *other;
        int bad;

        bad = pk_store_open(fx.dir, 0, &other, &error) != PK_OK ||
              put_meta(other, "k", "v3") != PK_OK;
        execl("/bin/sh", "sh", "-c", bad ? "exit 1" : "exit 0", (char *)NULL);
        _exit(2);
    }
    test_assert(pid > 0);
    test_assert(waitpid(pid, &wstatus, 0) == pid);
    test_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
    test_assert_int(read_meta(fx.store, "k", "v3", &id3), PK_OK);
    test_assert(id3 > id2);

    /* The map grows under a parked snapshot: it is let go first. */
    before = pk_store_mapsize(fx.store);
    test_assert_int(pk_store_write(fx.store, big_fn, &big, &error), PK_OK);
    test_assert(pk_store_mapsize(fx.store) > before);
    test_assert_int(read_meta(fx.store, "k", "v3", &id1), PK_OK);
    test_assert(id1 > id3);

    /* pk_store_idle() lets it go; reading again works. */
    pk_store_idle(fx.store);
    test_assert_int(read_meta(fx.store, "k", "v3", &id2), PK_OK);
    test_assert(id2 == id1);
    fixture_close(&fx);
    free(big.value);
    test_end();
}

static void test_store_read_only_refuses_writes(void)
{
    struct fixture fx;
    struct pk_store *ro;
    struct pk_txn *txn;
    const char *error = "";

    test_begin("store: a read-only store or read transaction refuses writes");
    fixture_open(&fx);
    test_assert_int(pk_store_open(fx.dir, PK_STORE_READONLY, &ro, &error),
                    PK_OK);
    test_assert_int(put_meta(ro, "k", "v"), PK_ECONFIG);
    test_assert_int(pk_store_read(fx.store, &txn, &error), PK_OK);
    test_assert(!pk_txn_writable(txn));
    test_assert_int(pk_txn_put(txn, PK_DB_META, "k", 1, "v", 1, 0, &error),
                    PK_ECONFIG);
    test_assert_int(pk_txn_del(txn, PK_DB_META, "k", 1, NULL, 0, &error),
                    PK_ECONFIG);
    pk_txn_end(&txn);
    test_assert(txn == NULL);
    pk_store_close(&ro);
    fixture_close(&fx);
    test_end();
}

static void test_store_two_readers_at_once(void)
{
    struct fixture fx;
    struct pk_txn *r1, *r2, *r3;
    const void *val;
    size_t vlen;
    const char *error = "";

    test_begin("store: two read transactions at once both read; snapshots");
    fixture_open(&fx);
    test_assert_int(put_meta(fx.store, "k", "old"), PK_OK);
    test_assert_int(pk_store_read(fx.store, &r1, &error), PK_OK);
    test_assert_int(pk_store_read(fx.store, &r2, &error), PK_OK);
    test_assert(r1 != r2);
    test_assert_int(pk_txn_get(r1, PK_DB_META, "k", 1, &val, &vlen, &error),
                    PK_OK);
    test_assert(vlen == 3 && memcmp(val, "old", 3) == 0);
    test_assert_int(pk_txn_get(r2, PK_DB_META, "k", 1, &val, &vlen, &error),
                    PK_OK);
    test_assert(vlen == 3 && memcmp(val, "old", 3) == 0);

    /* A write while both are open: they keep their snapshot. */
    test_assert_int(put_meta(fx.store, "k", "new"), PK_OK);
    test_assert_int(pk_txn_get(r2, PK_DB_META, "k", 1, &val, &vlen, &error),
                    PK_OK);
    test_assert(vlen == 3 && memcmp(val, "old", 3) == 0);
    pk_txn_end(&r1);
    pk_txn_end(&r2);

    /* The cached reader is renewed and sees the new value. */
    test_assert_int(pk_store_read(fx.store, &r3, &error), PK_OK);
    test_assert_int(pk_txn_get(r3, PK_DB_META, "k", 1, &val, &vlen, &error),
                    PK_OK);
    test_assert(vlen == 3 && memcmp(val, "new", 3) == 0);
    pk_txn_end(&r3);
    for (int i = 0; i < 100; i++)
        test_assert_int(get_meta(fx.store, "k", "new"), PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_store_use_after_fork_is_a_config_error(void)
{
    struct fixture fx;
    struct pk_txn *txn;
    const char *error = "";
    pid_t pid;
    int wstatus = -1;

    test_begin("store: a store used in a child after fork() is PK_ECONFIG");
    fixture_open(&fx);
    test_assert_int(put_meta(fx.store, "k", "v"), PK_OK);
    fflush(stdout);
    if ((pid = fork()) == 0) {
        int bad = 0;

        bad |= pk_store_read(fx.store, &txn, &error) != PK_ECONFIG;
        bad |= txn != NULL;
        bad |= strstr(error, "fork") == NULL;
        bad |= put_meta(fx.store, "k", "child") != PK_ECONFIG;
        bad |=
            pk_store_backup(fx.store, "/nonexistent/x", &error) != PK_ECONFIG;
        /* Leave by exec: the child's copy of the environment is the
         * parent's, and valgrind would count it as the child's leak. */
        execl("/bin/sh", "sh", "-c", bad ? "exit 1" : "exit 0", (char *)NULL);
        _exit(2);
    }
    test_assert(pid > 0);
    test_assert(waitpid(pid, &wstatus, 0) == pid);
    test_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
    /* The parent's handle is untouched. */
    test_assert_int(get_meta(fx.store, "k", "v"), PK_OK);
    test_assert_int(put_meta(fx.store, "k2", "v2"), PK_OK);
    fixture_close(&fx);
    test_end();
}

static void test_store_backup_copies_into_a_new_directory(void)
{
    struct fixture fx;
    struct pk_store *copy;
    struct pk_txn *a, *b;
    size_t na, nb;
    char *dest;
    const char *error = "";

    test_begin("store: a backup opens and holds the same entries");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(put_meta(fx.store, "k", "v"), PK_OK);
    if (asprintf(&dest, "%s/backup", fx.dir) < 0)
        abort();
    test_assert_int(pk_store_backup(fx.store, dest, &error), PK_OK);
    test_assert_int(pk_store_open(dest, 0, &copy, &error), PK_OK);
    test_assert_int(get_meta(copy, "k", "v"), PK_OK);
    test_assert_int(pk_store_read(fx.store, &a, &error), PK_OK);
    test_assert_int(pk_store_read(copy, &b, &error), PK_OK);
    for (int db = PK_DB_DOMAINS; db < PK_DB_COUNT; db++) {
        test_assert_int(pk_txn_count(a, db, &na, &error), PK_OK);
        test_assert_int(pk_txn_count(b, db, &nb, &error), PK_OK);
        test_assert_int(nb, na);
    }
    test_assert_int(pk_txn_count(b, PK_DB_ADDRESSES, &nb, &error), PK_OK);
    test_assert_int(nb, 1);
    pk_txn_end(&a);
    pk_txn_end(&b);
    pk_store_close(&copy);

    /* Not over a database: neither the backup nor the original. */
    test_assert_int(pk_store_backup(fx.store, dest, &error), PK_EEXIST);
    test_assert(strstr(error, "already holds a database") != NULL);
    test_assert_int(pk_store_backup(fx.store, fx.dir, &error), PK_EEXIST);
    fixture_close(&fx);
    free(dest);
    test_end();
}

/* Cursor, duplicate and bookkeeping calls the other modules build on. */

static int raw_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    static const char *keys[] = {"a.se\0x", "a.se\0y", "ab.se\0x", "b.se\0z"};
    int status = PK_OK;

    for (int i = 0; i < 4 && status == PK_OK; i++)
        status = pk_txn_put(txn, PK_DB_DKIM, keys[i], strlen(keys[i]) + 2, "v",
                            1, PK_PUT_NOOVERWRITE, error_r);
    if (status == PK_OK)
        status = pk_txn_put(txn, PK_DB_SENDAS, "l", 1, "one", 3, 0, error_r);
    if (status == PK_OK)
        status = pk_txn_put(txn, PK_DB_SENDAS, "l", 1, "two", 3, 0, error_r);
    return status;
}

static void test_store_cursor_prefix_and_duplicates(void)
{
    struct fixture fx;
    struct pk_txn *txn;
    struct pk_cursor *cur;
    const void *key, *val;
    size_t klen, vlen, n = 0;
    const char *error = "";

    test_begin(
        "store: prefix cursors, duplicate pairs, last key, no-overwrite");
    fixture_open(&fx);
    test_assert_int(pk_store_write(fx.store, raw_fn, NULL, &error), PK_OK);
    /* Running it again trips PK_PUT_NOOVERWRITE and changes nothing. */
    test_assert_int(pk_store_write(fx.store, raw_fn, NULL, &error), PK_EEXIST);
    test_assert_int(pk_store_read(fx.store, &txn, &error), PK_OK);
    test_assert_int(pk_cursor_open(txn, PK_DB_DKIM, "a.se", 5, &cur, &error),
                    PK_OK);
    while (pk_cursor_next(cur, &key, &klen, &val, &vlen, &error) == PK_OK) {
        test_assert(klen == 6 && memcmp(key, "a.se", 5) == 0);
        n++;
    }
    pk_cursor_close(&cur);
    test_assert(cur == NULL);
    test_assert_int(n, 2);
    test_assert_int(
        pk_txn_has_pair(txn, PK_DB_SENDAS, "l", 1, "two", 3, &error), PK_OK);
    test_assert_int(
        pk_txn_has_pair(txn, PK_DB_SENDAS, "l", 1, "six", 3, &error),
        PK_NOTFOUND);
    test_assert_int(pk_txn_last(txn, PK_DB_DKIM, &key, &klen, &error), PK_OK);
    test_assert(klen == 6 && memcmp(key, "b.se", 5) == 0);
    test_assert_int(pk_txn_last(txn, PK_DB_LOG, &key, &klen, &error),
                    PK_NOTFOUND);
    test_assert_int(pk_txn_get(txn, PK_DB_META, "", 0, &val, &vlen, &error),
                    PK_EINVAL);
    test_assert_int(pk_txn_delimiter(txn), '+');
    pk_txn_end(&txn);
    fixture_close(&fx);
    test_end();
}

static void test_store_dir_option_then_environment_then_default(void)
{
    test_begin(
        "store: the directory is --db, else $POSTKONTOR_DB, else default");
    unsetenv(PK_STORE_ENV);
    test_assert_str(pk_store_dir(NULL), PK_STORE_DEFAULT_DIR);
    test_assert_str(pk_store_dir(""), PK_STORE_DEFAULT_DIR);
    setenv(PK_STORE_ENV, "/srv/pk", 1);
    test_assert_str(pk_store_dir(NULL), "/srv/pk");
    test_assert_str(pk_store_dir("/opt/pk"), "/opt/pk");
    setenv(PK_STORE_ENV, "", 1);
    test_assert_str(pk_store_dir(NULL), PK_STORE_DEFAULT_DIR);
    unsetenv(PK_STORE_ENV);
    test_end();
}

int main(void)
{
    test_store_create_then_reopen();
    test_store_create_makes_a_missing_directory();
    test_store_missing_directory_is_a_config_error();
    test_store_world_accessible_directory_is_refused();
    test_store_newer_schema_is_refused();
    test_store_foreign_lmdb_is_not_a_postkontor_database();
    test_store_failed_write_leaves_nothing();
    test_store_full_map_grows_and_write_repeats();
    test_store_kept_snapshot_sees_every_commit();
    test_store_read_only_refuses_writes();
    test_store_two_readers_at_once();
    test_store_use_after_fork_is_a_config_error();
    test_store_backup_copies_into_a_new_directory();
    test_store_cursor_prefix_and_duplicates();
    test_store_dir_option_then_environment_then_default();
    return test_exit();
}
