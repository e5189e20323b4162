/*++
/* NAME
/*	test-usage 1
/* SUMMARY
/*	unit tests of the usage environment (common/usage.c)
/* SYNOPSIS
/*	test-usage
/* DESCRIPTION
/*	Recording and reading usage and last login, each keeping the
/*	other; addresses normalized like everywhere; a reader of a
/*	directory with nothing recorded; the record layout of usage.h;
/*	refusals (bad address, unsafe directory, use after fork, a newer
/*	record version), a damaged record replaced by the next update, and
/*	pk_usage_apply(): many updates in one commit, a bad address skipped,
/*	and counts taken earlier never overwriting later ones.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <lmdb.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "store.h"
#include "test.h"
#include "usage.h"

static char *dir_of(const char *base)
{
    static char buf[4096];

    test_assert(pk_usage_dir(base, buf, sizeof(buf)) == buf);
    return buf;
}

/* raw_put - write a value at an address key behind the module's back */

static void raw_put(const char *dir, const char *address, const void *val,
                    size_t len)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k, v;
    struct pk_addr a;
    char key[PK_KEY_MAX];
    const char *error;

    if (pk_addr_parse(address, 0, &a, &error) != PK_OK)
        abort();
    k.mv_size = pk_addr_key(&a, key);
    k.mv_data = key;
    v.mv_size = len;
    v.mv_data = (void *)val;
    if (mdb_env_create(&env) || mdb_env_open(env, dir, 0, 0660) ||
        mdb_txn_begin(env, NULL, 0, &txn) || mdb_dbi_open(txn, NULL, 0, &dbi) ||
        mdb_put(txn, dbi, &k, &v, 0) || mdb_txn_commit(txn))
        abort();
    mdb_env_close(env);
}

static void test_usage_dir_name(void)
{
    char small[8];

    test_begin(
        "the usage directory is <db>/usage, and a short buffer is refused");
    test_assert_str(dir_of("/var/lib/postkontor"), "/var/lib/postkontor/usage");
    test_assert(pk_usage_dir("/var/lib/postkontor", small, sizeof(small)) ==
                NULL);
    test_end();
}

static void test_usage_nothing_recorded(const char *base)
{
    struct pk_usage_store *us;
    const char *error;

    test_begin("a reader of a directory with nothing recorded gets not found");
    test_assert_int(pk_usage_open(dir_of(base), PK_STORE_READONLY, &us, &error),
                    PK_NOTFOUND);
    test_assert(us == NULL);
    test_end();
}

static void test_usage_set_and_get(const char *base)
{
    struct pk_usage_store *us, *ro;
    struct pk_usage u;
    const char *error;
    struct stat st;
    char path[4200];

    test_begin(
        "quota counts and last login are recorded apart and kept together");
    test_assert_int(pk_usage_open(dir_of(base), PK_STORE_CREATE, &us, &error),
                    PK_OK);
    snprintf(path, sizeof(path), "%s/data.mdb", dir_of(base));
    test_assert(stat(path, &st) == 0 && (st.st_mode & 0777) == 0660);
    test_assert_int(pk_usage_get(us, "alice@example.se", &u, &error),
                    PK_NOTFOUND);
    test_assert_int(
        pk_usage_set_quota(us, "Alice@Example.SE", 12345, 6, &error), PK_OK);
    test_assert_int(
        pk_usage_set_login(us, "alice@example.se", 1700000000, &error), PK_OK);
    test_assert_int(pk_usage_get(us, "ALICE@example.se", &u, &error), PK_OK);
    test_assert_int(u.bytes, 12345);
    test_assert_int(u.messages, 6);
    test_assert_int(u.last_login, 1700000000);
    test_assert(u.updated >= 1700000000);
    test_assert_int(pk_usage_set_quota(us, "alice@example.se", 100, 1, &error),
                    PK_OK);
    test_assert_int(pk_usage_get(us, "alice@example.se", &u, &error), PK_OK);
    test_assert_int(u.bytes, 100);
    test_assert_int(u.last_login, 1700000000);
    test_assert_int(pk_usage_set_login(us, "carol@exämple.se", 42, &error),
                    PK_OK);
    pk_usage_close(&us);
    test_assert(us == NULL);

    test_assert_int(pk_usage_open(dir_of(base), PK_STORE_READONLY, &ro, &error),
                    PK_OK);
    test_assert_int(pk_usage_get(ro, "carol@xn--exmple-cua.se", &u, &error),
                    PK_OK);
    test_assert_int(u.last_login, 42);
    test_assert_int(u.bytes, 0);
    test_assert_int(u.updated, 0);
    test_assert(pk_usage_set_quota(ro, "carol@exämple.se", 1, 1, &error) < 0);
    pk_usage_close(&ro);
    test_end();
}

static void test_usage_layout(const char *base)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k, v;
    const unsigned char *p;

    test_begin("the stored value is type, version, four little-endian u64");
    k.mv_data = "example.se\0alice";
    k.mv_size = 16;
    test_assert(mdb_env_create(&env) == 0);
    test_assert(mdb_env_open(env, dir_of(base), MDB_RDONLY, 0) == 0);
    test_assert(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0);
    test_assert(mdb_dbi_open(txn, NULL, 0, &dbi) == 0);
    test_assert(mdb_get(txn, dbi, &k, &v) == 0);
    test_assert_int(v.mv_size, 34);
    p = v.mv_data;
    test_assert_int(p[0], PK_REC_USAGE);
    test_assert_int(p[1], 1);
    test_assert_int(p[2], 100);
    test_assert_int(p[3], 0);
    test_assert_int(p[10], 1);
    test_assert_int(p[18] | p[19] << 8 | p[20] << 16 | p[21] << 24, 1700000000);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    test_end();
}

static void test_usage_refusals(const char *base)
{
    struct pk_usage_store *us;
    struct pk_usage u;
    const char *error;
    int status;
    pid_t pid;

    test_begin("bad addresses, use after fork and newer versions are refused");
    test_assert_int(pk_usage_open(dir_of(base), PK_STORE_CREATE, &us, &error),
                    PK_OK);
    test_assert_int(pk_usage_set_quota(us, "not an address", 1, 1, &error),
                    PK_EINVAL);
    test_assert_int(pk_usage_get(us, "a%b@", &u, &error), PK_EINVAL);
    fflush(stdout);
    if ((pid = fork()) == 0)
        _exit(pk_usage_set_login(us, "alice@example.se", 1, &error) ==
                      PK_ECONFIG
                  ? 0
                  : 1);
    test_assert(pid > 0 && waitpid(pid, &status, 0) == pid &&
                WIFEXITED(status) && WEXITSTATUS(status) == 0);
    pk_usage_close(&us);

    {
        static const unsigned char newer[34] = {PK_REC_USAGE, 2};
        static const unsigned char shortrec[5] = {PK_REC_USAGE, 1};

        raw_put(dir_of(base), "new@example.se", newer, sizeof(newer));
        raw_put(dir_of(base), "bad@example.se", shortrec, sizeof(shortrec));
    }
    test_assert_int(pk_usage_open(dir_of(base), PK_STORE_CREATE, &us, &error),
                    PK_OK);
    test_assert_int(pk_usage_get(us, "new@example.se", &u, &error),
                    PK_EVERSION);
    test_assert_int(pk_usage_get(us, "bad@example.se", &u, &error),
                    PK_ECORRUPT);
    test_assert_int(pk_usage_set_quota(us, "bad@example.se", 7, 1, &error),
                    PK_OK);
    test_assert_int(pk_usage_get(us, "bad@example.se", &u, &error), PK_OK);
    test_assert_int(u.bytes, 7);
    pk_usage_close(&us);
    test_end();
}

static void test_usage_unsafe_dir(const char *base)
{
    struct pk_usage_store *us;
    const char *error;

    test_begin("a usage directory other users can reach is refused");
    test_assert(chmod(dir_of(base), 0775) == 0);
    test_assert_int(pk_usage_open(dir_of(base), PK_STORE_READONLY, &us, &error),
                    PK_ECONFIG);
    test_assert(strstr(error, "other users") != NULL);
    test_assert(chmod(dir_of(base), 0770) == 0);
    test_end();
}

/* test_usage_apply - many updates in one commit; later counts win */

static void test_usage_apply(const char *base)
{
    struct pk_usage_store *us;
    struct pk_usage u;
    const char *error;
    uint64_t now = pk_usage_now_us();
    struct pk_usage_update batch[] = {
        {"dave@example.se", PK_USAGE_QUOTA, 10, 1, 0, now},
        {"not an address", PK_USAGE_QUOTA, 1, 1, 0, now},
        {"Erin@Example.SE", PK_USAGE_QUOTA | PK_USAGE_LOGIN, 20, 2, 77, now},
    };
    struct pk_usage_update older = {"dave@example.se", PK_USAGE_QUOTA, 5, 9, 0,
                                    now - 1000};
    struct pk_usage_update later = {
        "dave@example.se", PK_USAGE_QUOTA, 30, 3, 0, now + 1};
    struct pk_usage_update future = {
        "erin@example.se", PK_USAGE_QUOTA, 1, 1, 0, now + 3600000000ULL};
    struct pk_usage_update back = {
        "erin@example.se", PK_USAGE_QUOTA, 2, 2, 0, now};

    test_begin("several updates in one commit; counts taken earlier lose");
    test_assert_int(pk_usage_open(dir_of(base), PK_STORE_CREATE, &us, &error),
                    PK_OK);
    /* The bad address is skipped, the others are written. */
    test_assert_int(pk_usage_apply(us, batch, 3, &error), PK_EINVAL);
    test_assert_int(pk_usage_get(us, "dave@example.se", &u, &error), PK_OK);
    test_assert(u.bytes == 10 && u.messages == 1);
    test_assert_int(pk_usage_get(us, "erin@example.se", &u, &error), PK_OK);
    test_assert(u.bytes == 20 && u.messages == 2 && u.last_login == 77);
    test_assert(u.updated == now / 1000000);
    /* Another process committed later counts first: older ones stay out. */
    test_assert_int(pk_usage_apply(us, &later, 1, &error), PK_OK);
    test_assert_int(pk_usage_apply(us, &older, 1, &error), PK_OK);
    test_assert_int(pk_usage_get(us, "dave@example.se", &u, &error), PK_OK);
    test_assert(u.bytes == 30 && u.messages == 3);
    /* The one-update forms mean "counted now": they always write. */
    test_assert_int(pk_usage_set_quota(us, "dave@example.se", 40, 4, &error),
                    PK_OK);
    test_assert_int(pk_usage_get(us, "dave@example.se", &u, &error), PK_OK);
    test_assert(u.bytes == 40 && u.messages == 4);
    /* A stored time in the future (clock set back) holds nothing off. */
    test_assert_int(pk_usage_apply(us, &future, 1, &error), PK_OK);
    test_assert_int(pk_usage_apply(us, &back, 1, &error), PK_OK);
    test_assert_int(pk_usage_get(us, "erin@example.se", &u, &error), PK_OK);
    test_assert(u.bytes == 2 && u.messages == 2 && u.last_login == 77);
    /* Nothing valid: no transaction, still an answer. */
    test_assert_int(pk_usage_apply(us, &batch[1], 1, &error), PK_EINVAL);
    test_assert_int(pk_usage_apply(us, batch, 0, &error), PK_OK);
    pk_usage_close(&us);
    test_end();
}

int main(void)
{
    char *base = test_tmpdir();

    test_usage_dir_name();
    test_usage_nothing_recorded(base);
    test_usage_set_and_get(base);
    test_usage_layout(base);
    test_usage_refusals(base);
    test_usage_unsafe_dir(base);
    test_usage_apply(base);
    test_rmtree(base);
    free(base);
    return test_exit();
}
