/*++
/* NAME
/*	userdb-postkontor 3
/* SUMMARY
/*	the userdb half of the Dovecot auth module
/* SYNOPSIS
/*	userdb { driver = postkontor  args = DBDIR [uid=N] [gid=N]
/*		 [home=TEMPLATE] [mail=LOCATION] }
/* DESCRIPTION
/*	See authdb-postkontor.c: uid, gid, home, mail and quota_rule for an
/*	account, and iteration over every account.
/*--*/

#include "auth-common.h"
#include "passdb.h"
#include "userdb.h"
#include "str.h"
#include "strnum.h"

/* The core's auth.h, not Dovecot's: -I common comes first. */
#include "../common/auth.h"
#include "authdb-private.h"

#define PK_DEFAULT_HOME "/var/vmail/%d/%n"
#define PK_DEFAULT_MAIL "maildir:~/Maildir"

struct postkontor_userdb_module {
    struct userdb_module module;
    struct pk_dovecot_db *db;
    const char *uid, *gid, *home, *mail;
};

struct postkontor_iterate_context {
    struct userdb_iterate_context ctx;
    ARRAY_TYPE(const_string) names;
    pool_t pool;
    unsigned int next;
};

/* home_expand - the home directory of a canonical address */

static const char *home_expand(const char *template, const char *address)
{
    const char *at = strrchr(address, '@');
    string_t *str = t_str_new(128);

    for (const char *p = template; *p != '\0'; p++) {
        if (*p != '%' || p[1] == '\0') {
            str_append_c(str, *p);
            continue;
        }
        switch (*++p) {
        case 'd':
            str_append(str, at + 1);
            break;
        case 'n':
            str_append_data(str, address, at - address);
            break;
        case 'u':
            str_append(str, address);
            break;
        default:
            str_append_c(str, *p);
            break;
        }
    }
    return str_c(str);
}

/* userdb_status - the passdb answer as a userdb answer */

static enum userdb_result userdb_status(enum passdb_result result)
{
    switch (result) {
    case PASSDB_RESULT_OK:
        return USERDB_RESULT_OK;
    case PASSDB_RESULT_USER_UNKNOWN:
        return USERDB_RESULT_USER_UNKNOWN;
    default:
        return USERDB_RESULT_INTERNAL_FAILURE;
    }
}

/* postkontor_userdb_lookup - uid, gid, home, mail and quota */

static void postkontor_userdb_lookup(struct auth_request *request,
                                     userdb_callback_t *callback)
{
    struct postkontor_userdb_module *module =
        (struct postkontor_userdb_module *)request->userdb->userdb;
    struct pk_auth auth;
    enum passdb_result result;

    if ((result = auth_lookup(request, module->db, &auth)) !=
        PASSDB_RESULT_OK) {
        callback(userdb_status(result), request);
        return;
    }
    pk_auth_wipe(&auth);
    if (strcmp(request->fields.user, auth.address) != 0)
        auth_request_set_userdb_field(request, "user", auth.address);
    if (module->uid != NULL)
        auth_request_set_userdb_field(request, "uid", module->uid);
    if (module->gid != NULL)
        auth_request_set_userdb_field(request, "gid", module->gid);
    auth_request_set_userdb_field(request, "home",
                                  home_expand(module->home, auth.address));
    auth_request_set_userdb_field(request, "mail", module->mail);
    auth_request_set_userdb_field(
        request, "quota_rule",
        t_strconcat("*:bytes=", dec2str(auth.quota), NULL));
    callback(USERDB_RESULT_OK, request);
}

/* iterate_collect - remember one account name */

static int iterate_collect(const char *address, void *ctx)
{
    struct postkontor_iterate_context *it = ctx;
    const char *name = p_strdup(it->pool, address);

    array_push_back(&it->names, &name);
    return 0;
}

/* postkontor_iterate_init - every account, read in one transaction */

static struct userdb_iterate_context *
postkontor_iterate_init(struct auth_request *request,
                        userdb_iter_callback_t *callback, void *context)
{
    struct postkontor_userdb_module *module =
        (struct postkontor_userdb_module *)request->userdb->userdb;
    struct postkontor_iterate_context *it;
    struct pk_txn *txn;
    const char *error = "";
    pool_t pool;
    int status;

    pool = pool_alloconly_create("postkontor iterate", 4096);
    it = p_new(pool, struct postkontor_iterate_context, 1);
    it->pool = pool;
    it->ctx.auth_request = request;
    it->ctx.callback = callback;
    it->ctx.context = context;
    p_array_init(&it->names, pool, 64);
    if ((status = pk_dovecot_db_read(module->db, &txn, &error)) == PK_OK) {
        status = pk_auth_iter(txn, iterate_collect, it, &error);
        pk_txn_end(&txn);
    }
    if (status != PK_OK) {
        e_error(authdb_event(request), "user iteration failed: %s", error);
        it->ctx.failed = TRUE;
    }
    return &it->ctx;
}

/* postkontor_iterate_next - one name; the callback may re-enter */

static void postkontor_iterate_next(struct userdb_iterate_context *_ctx)
{
    struct postkontor_iterate_context *it =
        (struct postkontor_iterate_context *)_ctx;
    const char *name = NULL;

    if (!_ctx->failed && it->next < array_count(&it->names))
        name = array_idx_elem(&it->names, it->next);
    it->next++; /* before the callback re-enters */
    _ctx->callback(name, _ctx->context);
}

/* postkontor_iterate_deinit - free the list */

static int postkontor_iterate_deinit(struct userdb_iterate_context *_ctx)
{
    struct postkontor_iterate_context *it =
        (struct postkontor_iterate_context *)_ctx;
    int ret = _ctx->failed ? -1 : 0;

    pool_unref(&it->pool);
    return ret;
}

/* postkontor_userdb_preinit - parse args */

static struct userdb_module *postkontor_userdb_preinit(pool_t pool,
                                                       const char *args)
{
    struct postkontor_userdb_module *module;
    const char *const *opts;
    const char *dir, *value;

    module = p_new(pool, struct postkontor_userdb_module, 1);
    module->home = PK_DEFAULT_HOME;
    module->mail = PK_DEFAULT_MAIL;
    dir = args_split("userdb", args, &opts);
    for (; *opts != NULL; opts++) {
        value = strchr(*opts, '=') + 1;
        if (str_begins(*opts, "uid=") && str_is_numeric(value, '\0') &&
            strcmp(value, "0") != 0)
            module->uid = p_strdup(pool, value);
        else if (str_begins(*opts, "gid=") && str_is_numeric(value, '\0') &&
                 strcmp(value, "0") != 0)
            module->gid = p_strdup(pool, value);
        else if (str_begins(*opts, "home=") && value[0] == '/')
            module->home = p_strdup(pool, value);
        else if (str_begins(*opts, "mail="))
            module->mail = p_strdup(pool, value);
        else
            i_fatal("userdb postkontor: bad option %s (uid= and gid= take "
                    "a number other than 0, home= an absolute path)",
                    *opts);
    }
    module->db = pk_dovecot_db_get(dir);
    return &module->module;
}

/* postkontor_userdb_deinit - drop the database reference */

static void postkontor_userdb_deinit(struct userdb_module *_module)
{
    struct postkontor_userdb_module *module =
        (struct postkontor_userdb_module *)_module;

    pk_dovecot_db_unref(&module->db);
}

struct userdb_module_interface postkontor_userdb = {
    .name = "postkontor",
    .preinit = postkontor_userdb_preinit,
    .deinit = postkontor_userdb_deinit,
    .lookup = postkontor_userdb_lookup,
    .iterate_init = postkontor_iterate_init,
    .iterate_next = postkontor_iterate_next,
    .iterate_deinit = postkontor_iterate_deinit,
};
