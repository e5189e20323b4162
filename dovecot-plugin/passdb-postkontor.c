/*++
/* NAME
/*	passdb-postkontor 3
/* SUMMARY
/*	the passdb half of the Dovecot auth module
/* SYNOPSIS
/*	passdb { driver = postkontor  args = [blocking=yes] DBDIR }
/* DESCRIPTION
/*	See authdb-postkontor.c. Dovecot verifies the stored hash itself;
/*	this file hands it over with its scheme, with the canonical name and,
/*	for a state that forbids login, "nologin" and a "reason".
/*
/*	Only Dovecot's own login processes (imap, pop3, submission, sieve)
/*	act on "nologin"; doveadm shows it. Any other client of the auth
/*	socket, Postfix's SMTP AUTH above all, takes a passdb success as a
/*	login, so for those services a state that forbids login fails the
/*	authentication (as a disabled user) once the password has matched.
/*--*/

#include "auth-common.h"
#include "passdb.h"
#include "password-scheme.h"

/* The core's auth.h, not Dovecot's: -I common comes first. */
#include "../common/auth.h"
#include "authdb-private.h"

struct postkontor_passdb_module {
    struct passdb_module module;
    struct pk_dovecot_db *db;
};

/* service_honours_nologin - does this service refuse a "nologin" login? */

static bool service_honours_nologin(const char *service)
{
    static const char *const services[] = {"imap", "pop3", "submission",
                                           "sieve", "doveadm"};

    if (service == NULL)
        return false;
    for (size_t i = 0; i < N_ELEMENTS(services); i++)
        if (strcmp(service, services[i]) == 0)
            return true;
    return false;
}

/* passdb_result_fields - canonical name and login refusal */

static void passdb_result_fields(struct auth_request *request,
                                 const struct pk_auth *auth)
{
    if (strcmp(request->fields.user, auth->address) != 0)
        auth_request_set_field(request, "user", auth->address, NULL);
    if (!auth->may_login) {
        auth_request_set_field(request, "nologin", "y", NULL);
        auth_request_set_field(request, "reason", auth->reason, NULL);
    }
}

/* login_refused - a login this service would let through, but must not */

static bool login_refused(struct auth_request *request,
                          const struct pk_auth *auth)
{
    return !auth->may_login &&
           !service_honours_nologin(request->fields.service);
}

/* postkontor_verify_plain - Dovecot verifies the stored hash */

static void postkontor_verify_plain(struct auth_request *request,
                                    const char *password,
                                    verify_plain_callback_t *callback)
{
    struct postkontor_passdb_module *module =
        (struct postkontor_passdb_module *)request->passdb->passdb;
    struct pk_auth auth;
    enum passdb_result result;
    const char *crypted, *scheme;
    bool refused;
    int ret;

    if ((result = auth_lookup(request, module->db, &auth)) !=
        PASSDB_RESULT_OK) {
        callback(result, request);
        return;
    }
    passdb_result_fields(request, &auth);
    refused = login_refused(request, &auth);
    crypted = t_strdup(auth.hash);
    pk_auth_wipe(&auth);
    scheme = password_get_scheme(&crypted);
    if (scheme == NULL) {
        e_error(authdb_event(request), "stored password has no scheme");
        callback(PASSDB_RESULT_INTERNAL_FAILURE, request);
        return;
    }
    ret = auth_request_password_verify(request, password, crypted, scheme,
                                       AUTH_SUBSYS_DB);
    callback(ret > 0 && refused ? PASSDB_RESULT_USER_DISABLED
             : ret > 0          ? PASSDB_RESULT_OK
             : ret < 0          ? PASSDB_RESULT_INTERNAL_FAILURE
                                : PASSDB_RESULT_PASSWORD_MISMATCH,
             request);
}

/* postkontor_lookup_credentials - the hash for non-plaintext mechanisms */

static void
postkontor_lookup_credentials(struct auth_request *request,
                              lookup_credentials_callback_t *callback)
{
    struct postkontor_passdb_module *module =
        (struct postkontor_passdb_module *)request->passdb->passdb;
    struct pk_auth auth;
    enum passdb_result result;
    const char *crypted, *scheme;

    if ((result = auth_lookup(request, module->db, &auth)) !=
        PASSDB_RESULT_OK) {
        callback(result, NULL, 0, request);
        return;
    }
    passdb_result_fields(request, &auth);
    if (login_refused(request, &auth)) {
        /* No password check follows here: refuse without the hash. */
        pk_auth_wipe(&auth);
        callback(PASSDB_RESULT_USER_DISABLED, NULL, 0, request);
        return;
    }
    crypted = t_strdup(auth.hash);
    pk_auth_wipe(&auth);
    scheme = password_get_scheme(&crypted);
    passdb_handle_credentials(PASSDB_RESULT_OK, crypted,
                              scheme != NULL ? scheme : "CRYPT", callback,
                              request);
}

/* postkontor_passdb_preinit - parse args */

static struct passdb_module *postkontor_passdb_preinit(pool_t pool,
                                                       const char *args)
{
    struct postkontor_passdb_module *module;
    const char *const *opts;
    const char *dir;

    module = p_new(pool, struct postkontor_passdb_module, 1);
    dir = args_split("passdb", args, &opts);
    for (; *opts != NULL; opts++) {
        if (strcmp(*opts, "blocking=yes") == 0)
            module->module.blocking = TRUE;
        else if (strcmp(*opts, "blocking=no") != 0)
            i_fatal("passdb postkontor: unknown option %s", *opts);
    }
    module->db = pk_dovecot_db_get(dir);
    /* No cache key: a change must be seen at the very next login. */
    module->module.default_cache_key = NULL;
    module->module.default_pass_scheme = "CRYPT";
    return &module->module;
}

/* postkontor_passdb_deinit - drop the database reference */

static void postkontor_passdb_deinit(struct passdb_module *_module)
{
    struct postkontor_passdb_module *module =
        (struct postkontor_passdb_module *)_module;

    pk_dovecot_db_unref(&module->db);
}

struct passdb_module_interface postkontor_passdb = {
    .name = "postkontor",
    .preinit = postkontor_passdb_preinit,
    .deinit = postkontor_passdb_deinit,
    .verify_plain = postkontor_verify_plain,
    .lookup_credentials = postkontor_lookup_credentials,
};
