/*++
/* NAME
/*	authdb-postkontor 3h
/* SUMMARY
/*	the database handle the passdb and userdb share in one process
/* SYNOPSIS
/*	#include "authdb-postkontor.h"
/* DESCRIPTION
/*	pk_dovecot_db_get() returns a reference to the handle of a database
/*	directory, shared by every passdb and userdb naming the same one
/*	(LMDB allows one environment per file and process).
/*	pk_dovecot_db_unref() drops it and closes the database with the
/*	last reference.
/*
/*	pk_dovecot_db_read() starts a read transaction. It opens the
/*	database read-only on first use, again in a child that inherited it
/*	through fork(), and again when the data file was replaced (a
/*	restored backup; noticed within a second); a failed open is tried
/*	again at the next call.
/*	The status is a core status; error_r says what failed.
/*--*/

#ifndef PK_AUTHDB_POSTKONTOR_H
#define PK_AUTHDB_POSTKONTOR_H

#include "../common/store.h"

struct pk_dovecot_db;

extern struct pk_dovecot_db *pk_dovecot_db_get(const char *);
extern void pk_dovecot_db_unref(struct pk_dovecot_db **);
extern int pk_dovecot_db_read(struct pk_dovecot_db *, struct pk_txn **,
                              const char **);

/* Entry points Dovecot looks up by name. */
extern void authdb_postkontor_init(void);
extern void authdb_postkontor_deinit(void);
extern const char *authdb_postkontor_version;

#endif
