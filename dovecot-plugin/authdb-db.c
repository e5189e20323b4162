/*++
/* NAME
/*	authdb-db 3
/* SUMMARY
/*	one read-only database handle per directory and process
/* SYNOPSIS
/*	#include "authdb-postkontor.h"
/* DESCRIPTION
/*	See authdb-postkontor.h. The handle remembers the process that
/*	opened it and the identity (device, inode) of the data file, so a
/*	fork or a replaced file leads to a fresh open instead of a stale or
/*	shared LMDB environment. The file's identity is looked at no more
/*	than once a second (PK_DB_RECHECK): a stat() per lookup would cost
/*	more than the lookup; a fork is seen at once, by the store itself.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authdb-postkontor.h"

struct pk_dovecot_db {
    struct pk_dovecot_db *next;
    char *dir;
    char *data_path; /* dir/data.mdb */
    int refcount;
    struct pk_store *store;
    dev_t dev;
    ino_t ino;
    time_t checked; /* CLOCK_MONOTONIC_COARSE seconds */
};

#define PK_DB_RECHECK 1 /* seconds between file checks */

static struct pk_dovecot_db *pk_dovecot_dbs;

/* pk_dovecot_db_get - a reference to the handle of one directory */

struct pk_dovecot_db *pk_dovecot_db_get(const char *dir)
{
    struct pk_dovecot_db *db;

    for (db = pk_dovecot_dbs; db != NULL; db = db->next) {
        if (strcmp(db->dir, dir) == 0) {
            db->refcount++;
            return db;
        }
    }
    if ((db = calloc(1, sizeof(*db))) == NULL ||
        (db->dir = strdup(dir)) == NULL ||
        asprintf(&db->data_path, "%s/data.mdb", dir) < 0)
        abort(); /* start-up only */
    db->refcount = 1;
    db->next = pk_dovecot_dbs;
    pk_dovecot_dbs = db;
    return db;
}

/* pk_dovecot_db_unref - drop a reference; the last one closes */

void pk_dovecot_db_unref(struct pk_dovecot_db **dbp)
{
    struct pk_dovecot_db *db = *dbp, **pp;

    *dbp = NULL;
    if (db == NULL || --db->refcount > 0)
        return;
    for (pp = &pk_dovecot_dbs; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == db) {
            *pp = db->next;
            break;
        }
    }
    pk_store_close(&db->store);
    free(db->dir);
    free(db->data_path);
    free(db);
}

/* db_stat - the identity of the data file; false if there is none */

static bool db_stat(struct pk_dovecot_db *db, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    return stat(db->data_path, st) == 0;
}

/* db_replaced - was the data file replaced since we opened it */

static bool db_replaced(struct pk_dovecot_db *db)
{
    struct timespec now;
    struct stat st;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    if (now.tv_sec - db->checked < PK_DB_RECHECK)
        return false;
    db->checked = now.tv_sec;
    return !db_stat(db, &st) || st.st_dev != db->dev || st.st_ino != db->ino;
}

/* db_open - open read-only and remember which file was mapped */

static int db_open(struct pk_dovecot_db *db, const char **error_r)
{
    struct timespec now;
    struct stat st;
    int status;

    /* After fork() this only forgets the parent's environment. */
    pk_store_close(&db->store);
    status = pk_store_open(db->dir, PK_STORE_READONLY, &db->store, error_r);
    if (status != PK_OK)
        return status;
    /* The file just mapped; a replacement in between is seen next time. */
    db_stat(db, &st);
    db->dev = st.st_dev;
    db->ino = st.st_ino;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    db->checked = now.tv_sec;
    return PK_OK;
}

/* pk_dovecot_db_read - a read transaction, opening as needed */

int pk_dovecot_db_read(struct pk_dovecot_db *db, struct pk_txn **txn_r,
                       const char **error_r)
{
    int status;

    if ((db->store == NULL || db_replaced(db)) &&
        (status = db_open(db, error_r)) != PK_OK)
        return status;
    status = pk_store_read(db->store, txn_r, error_r);
    /* The store refuses an environment inherited through fork(). */
    if (status == PK_ECONFIG && (status = db_open(db, error_r)) == PK_OK)
        status = pk_store_read(db->store, txn_r, error_r);
    return status;
}
