/*++
/* NAME
/*	authdb-private 3h
/* SUMMARY
/*	what the passdb and userdb halves of the auth module share
/* SYNOPSIS
/*	#include "authdb-private.h"
/* DESCRIPTION
/*	auth_lookup() runs one pk_auth_lookup() for the request's user in
/*	one read transaction and maps the status in auth_status(), the one
/*	place a core status becomes a Dovecot answer. args_split() splits
/*	module arguments into "key=value" options and the database
/*	directory (default pk_store_dir(NULL)).
/*--*/

#ifndef PK_AUTHDB_PRIVATE_H
#define PK_AUTHDB_PRIVATE_H

#include "authdb-postkontor.h"

struct pk_auth;

extern enum passdb_result auth_lookup(struct auth_request *,
                                      struct pk_dovecot_db *, struct pk_auth *);
extern const char *args_split(const char *, const char *, const char *const **);

extern struct passdb_module_interface postkontor_passdb;
extern struct userdb_module_interface postkontor_userdb;

#endif
