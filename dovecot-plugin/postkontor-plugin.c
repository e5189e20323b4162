/*++
/* NAME
/*	postkontor-plugin 3
/* SUMMARY
/*	Dovecot mail plugin: record mailbox usage and last login
/* SYNOPSIS
/*	mail_plugins = $mail_plugins quota postkontor
/*	plugin {
/*	  postkontor_db = /var/lib/postkontor
/*	  # postkontor_usage = /var/lib/postkontor/usage
/*	}
/* DESCRIPTION
/*	Records, for each account, the bytes and messages Dovecot's quota
/*	plugin counts (its first quota root), and the time of each IMAP or
/*	POP3 login, into the usage environment (pk_usage_set_quota(),
/*	pk_usage_set_login()). That is all this plugin writes: the account
/*	database is not opened here.
/*
/*	A saved, copied or expunged mail marks the user changed; the new
/*	counts are written when the session ends (before the quota plugin
/*	goes away) and, for long sessions, at most every
/*	POSTKONTOR_FLUSH_MSECS. Logins by LMTP or LDA, autocreated users
/*	(shared namespaces) and restored IMAP sessions are not logins.
/*
/*	The usage environment is opened on first use in each process, with
/*	PK_STORE_CREATE so that the first mail process creates its files.
/* DIAGNOSTICS
/*	Failures are logged and never fail a mail operation: losing usage
/*	figures only means they are counted again.
/*--*/

#include "lib.h"
#include "ioloop.h"
#include "module-context.h"
#include "mail-storage-private.h"
#include "mail-user.h"
#include "quota.h"

#include <unistd.h>

#include "../common/store.h"
#include "../common/usage.h"
#include "postkontor-plugin.h"

#define POSTKONTOR_FLUSH_MSECS (10 * 1000)

#define POSTKONTOR_USER_CONTEXT(obj) MODULE_CONTEXT(obj, postkontor_user_module)
#define POSTKONTOR_USER_CONTEXT_REQUIRE(obj)                                   \
    MODULE_CONTEXT_REQUIRE(obj, postkontor_user_module)
#define POSTKONTOR_BOX_CONTEXT(obj)                                            \
    MODULE_CONTEXT_REQUIRE(obj, postkontor_storage_module)

static MODULE_CONTEXT_DEFINE_INIT(postkontor_user_module,
                                  &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(postkontor_storage_module,
                                  &mail_storage_module_register);

struct postkontor_user {
    union mail_user_module_context module_ctx;
    const char *usage_dir;
    struct timeout *to_flush;
    bool changed;
};

/* One usage environment per process: LMDB allows one per file. */
static struct pk_usage_store *usage_store;
static char *usage_store_dir;
static pid_t usage_store_pid;

/* usage_open - the process's usage environment, opened on first use */

static struct pk_usage_store *usage_open(const char *dir)
{
    const char *error = "";
    int status;

    if (usage_store != NULL && usage_store_pid == getpid() &&
        strcmp(usage_store_dir, dir) == 0)
        return usage_store;
    pk_usage_close(&usage_store);
    i_free(usage_store_dir);
    status = pk_usage_open(dir, PK_STORE_CREATE, &usage_store, &error);
    if (status != PK_OK) {
        i_error("postkontor: cannot open usage database %s: %s", dir, error);
        return NULL;
    }
    usage_store_dir = i_strdup(dir);
    usage_store_pid = getpid();
    return usage_store;
}

/* usage_flush - write the first quota root's counts */

static void usage_flush(struct mail_user *user)
{
    struct postkontor_user *puser = POSTKONTOR_USER_CONTEXT_REQUIRE(user);
    struct quota_root_iter *iter;
    struct quota_root *root;
    struct pk_usage_store *store;
    uint64_t bytes, messages, limit;
    enum quota_get_result bres, mres;
    const char *error;

    timeout_remove(&puser->to_flush);
    if (!puser->changed)
        return;
    puser->changed = FALSE;
    iter = quota_root_iter_init_user(user);
    root = quota_root_iter_next(iter);
    quota_root_iter_deinit(&iter);
    if (root == NULL)
        return;
    bres = quota_get_resource(root, "", QUOTA_NAME_STORAGE_BYTES, &bytes,
                              &limit, &error);
    if (bres == QUOTA_GET_RESULT_INTERNAL_ERROR ||
        bres == QUOTA_GET_RESULT_UNKNOWN_RESOURCE) {
        if (bres == QUOTA_GET_RESULT_INTERNAL_ERROR)
            e_error(user->event, "postkontor: quota storage: %s", error);
        return;
    }
    mres = quota_get_resource(root, "", QUOTA_NAME_MESSAGES, &messages, &limit,
                              &error);
    if (mres != QUOTA_GET_RESULT_LIMITED && mres != QUOTA_GET_RESULT_UNLIMITED)
        messages = 0;
    if (bres == QUOTA_GET_RESULT_BACKGROUND_CALC) {
        puser->changed = TRUE; /* try again at the end */
        return;
    }
    if ((store = usage_open(puser->usage_dir)) == NULL)
        return;
    if (pk_usage_set_quota(store, user->username, bytes, messages, &error) !=
        PK_OK)
        e_error(user->event, "postkontor: recording usage failed: %s", error);
}

/* usage_changed - a mailbox of the user changed size */

static void usage_changed(struct mailbox *box)
{
    struct mail_namespace *ns = mailbox_list_get_namespace(box->list);
    struct mail_user *user = ns->owner != NULL ? ns->owner : ns->user;
    struct postkontor_user *puser = POSTKONTOR_USER_CONTEXT(user);

    if (puser == NULL)
        return;
    puser->changed = TRUE;
    if (puser->to_flush == NULL)
        puser->to_flush =
            timeout_add(POSTKONTOR_FLUSH_MSECS, usage_flush, user);
}

static int postkontor_save_finish(struct mail_save_context *ctx)
{
    union mailbox_module_context *pbox =
        POSTKONTOR_BOX_CONTEXT(ctx->transaction->box);

    usage_changed(ctx->transaction->box);
    return pbox->super.save_finish(ctx);
}

static int postkontor_copy(struct mail_save_context *ctx, struct mail *mail)
{
    union mailbox_module_context *pbox =
        POSTKONTOR_BOX_CONTEXT(ctx->transaction->box);

    usage_changed(ctx->transaction->box);
    return pbox->super.copy(ctx, mail);
}

static void postkontor_sync_notify(struct mailbox *box, uint32_t uid,
                                   enum mailbox_sync_type sync_type)
{
    union mailbox_module_context *pbox = POSTKONTOR_BOX_CONTEXT(box);

    if (pbox->super.sync_notify != NULL)
        pbox->super.sync_notify(box, uid, sync_type);
    if (sync_type == MAILBOX_SYNC_TYPE_EXPUNGE)
        usage_changed(box);
}

/* postkontor_mailbox_allocated - watch saves, copies and expunges */

static void postkontor_mailbox_allocated(struct mailbox *box)
{
    struct mailbox_vfuncs *v = box->vlast;
    union mailbox_module_context *pbox;

    if (POSTKONTOR_USER_CONTEXT(box->storage->user) == NULL)
        return;
    pbox = p_new(box->pool, union mailbox_module_context, 1);
    pbox->super = *v;
    box->vlast = &pbox->super;
    v->save_finish = postkontor_save_finish;
    v->copy = postkontor_copy;
    v->sync_notify = postkontor_sync_notify;
    MODULE_CONTEXT_SET_SELF(box, postkontor_storage_module, pbox);
}

/* postkontor_user_deinit_pre - the last flush, while quota still exists */

static void postkontor_user_deinit_pre(struct mail_user *user)
{
    struct postkontor_user *puser = POSTKONTOR_USER_CONTEXT_REQUIRE(user);

    usage_flush(user);
    puser->module_ctx.super.deinit_pre(user);
}

/* is_login - does this session count as the user logging in */

static bool is_login(struct mail_user *user)
{
    return !user->autocreated && !user->session_restored &&
           user->service != NULL &&
           (strcmp(user->service, "imap") == 0 ||
            strcmp(user->service, "pop3") == 0);
}

/* postkontor_user_created - set up recording for one user */

static void postkontor_user_created(struct mail_user *user)
{
    struct mail_user_vfuncs *v = user->vlast;
    struct postkontor_user *puser;
    struct pk_usage_store *store;
    const char *db, *dir, *error;
    char buf[4096];

    if (user->autocreated)
        return;
    dir = mail_user_plugin_getenv(user, "postkontor_usage");
    if (dir == NULL || *dir == '\0') {
        db = mail_user_plugin_getenv(user, "postkontor_db");
        if (db == NULL || *db == '\0') {
            e_debug(user->event, "postkontor: postkontor_db is not set");
            return;
        }
        if ((dir = pk_usage_dir(db, buf, sizeof(buf))) == NULL) {
            e_error(user->event, "postkontor: postkontor_db is too long");
            return;
        }
    }
    puser = p_new(user->pool, struct postkontor_user, 1);
    puser->usage_dir = p_strdup(user->pool, dir);
    puser->module_ctx.super = *v;
    user->vlast = &puser->module_ctx.super;
    v->deinit_pre = postkontor_user_deinit_pre;
    MODULE_CONTEXT_SET(user, postkontor_user_module, puser);

    if (is_login(user) && (store = usage_open(puser->usage_dir)) != NULL &&
        pk_usage_set_login(store, user->username, (uint64_t)ioloop_time,
                           &error) != PK_OK)
        e_error(user->event, "postkontor: recording login failed: %s", error);
}

static struct mail_storage_hooks postkontor_mail_storage_hooks = {
    .mail_user_created = postkontor_user_created,
    .mailbox_allocated = postkontor_mailbox_allocated,
};

/* plugin_log_sink - core messages go to the mail log */

static void plugin_log_sink(enum pk_log_level level, const char *msg, void *ctx)
{
    if (level >= PK_LOG_ERROR)
        i_error("postkontor: %s", msg);
    else if (level == PK_LOG_WARNING)
        i_warning("postkontor: %s", msg);
    else
        i_info("postkontor: %s", msg);
}

/* postkontor_plugin_init - register the hooks */

void postkontor_plugin_init(struct module *module)
{
    pk_log_set_sink(plugin_log_sink, NULL);
    mail_storage_hooks_add(module, &postkontor_mail_storage_hooks);
}

/* postkontor_plugin_deinit - unregister and close */

void postkontor_plugin_deinit(void)
{
    mail_storage_hooks_remove(&postkontor_mail_storage_hooks);
    pk_usage_close(&usage_store);
    i_free(usage_store_dir);
    pk_log_set_sink(NULL, NULL);
}

const char *postkontor_plugin_dependencies[] = {"quota", NULL};
const char *postkontor_plugin_version = DOVECOT_ABI_VERSION;
