/*++
/* NAME
/*	authdb-postkontor 3
/* SUMMARY
/*	Dovecot 2.3 passdb and userdb "postkontor"
/* SYNOPSIS
/*	passdb {
/*	  driver = postkontor
/*	  args = [blocking=yes] DBDIR
/*	}
/*	userdb {
/*	  driver = postkontor
/*	  args = DBDIR [uid=N] [gid=N] [home=TEMPLATE] [mail=LOCATION]
/*	}
/* DESCRIPTION
/*	A thin adapter: every lookup is one pk_auth_lookup() in one short
/*	read transaction, and auth_status() maps its status to Dovecot's
/*	answer. Nothing is cached, so a change made with postkontor(8) is
/*	in effect at the next login.
/*
/*	passdb hands Dovecot the stored scheme-tagged hash and Dovecot
/*	verifies it, so every mechanism the scheme allows works. It sets
/*	"user" to the canonical address; a state that forbids login adds
/*	"nologin" and a "reason" the client sees. A database error is an
/*	internal failure, never an unknown user or a password mismatch.
/*
/*	userdb returns uid and gid (when given), home (TEMPLATE with %d the
/*	A-label domain, %n the local part, %u the address, %% a percent
/*	sign; default /var/vmail/%d/%n), mail (default maildir:~/Maildir)
/*	and quota_rule "*:bytes=N" from the quota in effect (0: none).
/*	Iteration ("doveadm user '*'", "doveadm -A") lists every account.
/*
/*	The database is opened read-only on first use in each process and
/*	opened again in a process that inherited it through fork(); a
/*	database that cannot be opened is tried again at the next lookup.
/* DIAGNOSTICS
/*	Bad arguments are fatal at start-up. Lookup errors are logged
/*	through Dovecot's auth log with the login name.
/* SECURITY
/*	Login names go through the core's address rules before any lookup
/*	(pk_auth_lookup()); home paths are built here from the canonical
/*	address, never from the name the client typed, and no template
/*	Dovecot would expand ever holds client input.
/*--*/

#include "auth-common.h"
#include "passdb.h"
#include "userdb.h"

/* The core's auth.h, not Dovecot's: -I common comes first. */
#include "../common/auth.h"
#include "authdb-private.h"

/* auth_log_sink - core messages go to the auth log */

static void auth_log_sink(enum pk_log_level level, const char *msg, void *ctx)
{
    if (level >= PK_LOG_ERROR)
        i_error("postkontor: %s", msg);
    else if (level == PK_LOG_WARNING)
        i_warning("postkontor: %s", msg);
    else
        i_info("postkontor: %s", msg);
}

/* auth_status - the one mapping of a core status to Dovecot's answer */

static enum passdb_result auth_status(struct auth_request *request, int status,
                                      const char *error)
{
    switch (status) {
    case PK_OK:
        return PASSDB_RESULT_OK;
    case PK_NOTFOUND:
        e_debug(authdb_event(request), "%s", error);
        return PASSDB_RESULT_USER_UNKNOWN;
    default:
        e_error(authdb_event(request), "%s (%s)", error, pk_strstatus(status));
        return PASSDB_RESULT_INTERNAL_FAILURE;
    }
}

/* auth_lookup - one core lookup in one read transaction */

enum passdb_result auth_lookup(struct auth_request *request,
                               struct pk_dovecot_db *db, struct pk_auth *auth)
{
    struct pk_txn *txn;
    const char *error = "";
    int status;

    if ((status = pk_dovecot_db_read(db, &txn, &error)) == PK_OK) {
        status = pk_auth_lookup(txn, request->fields.user, auth, &error);
        pk_txn_end(&txn);
    }
    return auth_status(request, status, error);
}
/* args_split - "key=value" options and the one database directory */

const char *args_split(const char *driver, const char *args,
                       const char *const **opts_r)
{
    const char *const *tokens = t_strsplit_spaces(args, " ");
    ARRAY_TYPE(const_string) opts;
    const char *dir = NULL;

    t_array_init(&opts, 8);
    for (; *tokens != NULL; tokens++) {
        if (strchr(*tokens, '=') != NULL)
            array_push_back(&opts, tokens);
        else if (dir == NULL)
            dir = *tokens;
        else
            i_fatal("%s postkontor: more than one database directory in args",
                    driver);
    }
    if (dir == NULL)
        dir = pk_store_dir(NULL);
    array_append_zero(&opts);
    *opts_r = array_front(&opts);
    return dir;
}

/* authdb_postkontor_init - register the drivers when auth loads us */

void authdb_postkontor_init(void)
{
    pk_log_set_sink(auth_log_sink, NULL);
    passdb_register_module(&postkontor_passdb);
    userdb_register_module(&postkontor_userdb);
}

/* authdb_postkontor_deinit - unregister and close */

void authdb_postkontor_deinit(void)
{
    passdb_unregister_module(&postkontor_passdb);
    userdb_unregister_module(&postkontor_userdb);
    pk_log_set_sink(NULL, NULL);
}

const char *authdb_postkontor_version = DOVECOT_ABI_VERSION;
