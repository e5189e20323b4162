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
/*	POP3 login, into the usage environment (pk_usage_apply()). That is
/*	all this plugin writes: the account database is not opened here.
/*
/*	A saved, copied or expunged mail marks the user changed; the new
/*	counts are taken when the session ends (before the quota plugin
/*	goes away) and, for long sessions, at most every
/*	POSTKONTOR_FLUSH_MSECS. Logins by LMTP or LDA, autocreated users
/*	(shared namespaces) and restored IMAP sessions are not logins.
/*
/*	Counts and logins are not written one by one: each process gathers
/*	them (the latest per address) and commits them together in one
/*	write transaction (pk_usage_apply()) POSTKONTOR_COMMIT_MSECS after
/*	the first one, at once when POSTKONTOR_PENDING_MAX addresses wait,
/*	and when the process ends. An LMTP process delivering to many
/*	users thus syncs the usage database once per interval instead of
/*	once per delivery. Each count carries when it was taken, so that
/*	of two processes delivering to one mailbox, the later count wins
/*	whichever commits last (see usage.c). What a killed process had
/*	not committed yet is lost; Dovecot's quota count stays right, and
/*	the next change of that mailbox records it again. A commit runs
/*	with the effective uid, gid and groups the updates were taken with
/*	(Dovecot's LMTP process drops to the mail user only while it
/*	delivers, and a timer may fire when it is root again).
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

#include <grp.h>
#include <unistd.h>

#include "../common/store.h"
#include "../common/usage.h"
#include "postkontor-plugin.h"

#define POSTKONTOR_FLUSH_MSECS (10 * 1000)
#define POSTKONTOR_COMMIT_MSECS 500
#define POSTKONTOR_PENDING_MAX 64

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

/* Updates waiting for the next commit, for the whole process, with the
 * identity of the mail user they were taken as: a commit may run later,
 * from a timer, when Dovecot (LMTP) is back to root, and must not write
 * with more privileges than the mail process had. */
struct postkontor_pending {
    pool_t pool; /* the addresses */
    ARRAY(struct pk_usage_update) updates;
    char *dir; /* the usage environment they go to */
    uid_t uid; /* effective ids when the updates were taken */
    gid_t gid;
    gid_t *groups;
    int ngroups;
    struct ioloop *ioloop;
    struct timeout *to_commit;
};

static struct postkontor_pending pending;

/* identity_get - the effective uid, gid and groups, groups allocated */

static bool identity_get(uid_t *uid_r, gid_t *gid_r, gid_t **groups_r,
                         int *ngroups_r)
{
    int n = getgroups(0, NULL);

    *uid_r = geteuid();
    *gid_r = getegid();
    *groups_r = i_new(gid_t, n > 0 ? n : 1);
    *ngroups_r = n > 0 ? getgroups(n, *groups_r) : 0;
    if (*ngroups_r < 0) {
        i_free(*groups_r);
        return FALSE;
    }
    return TRUE;
}

/* identity_set - become (uid, gid, groups); only root can */

static bool identity_set(uid_t uid, gid_t gid, const gid_t *groups, int ngroups)
{
    /* Groups and gid first: after seteuid() to a user they are fixed. */
    if (setgroups((size_t)ngroups, groups) < 0 || setegid(gid) < 0 ||
        seteuid(uid) < 0) {
        i_error("postkontor: cannot take the mail user's ids "
                "(uid %ld, gid %ld): %m",
                (long)uid, (long)gid);
        return FALSE;
    }
    return TRUE;
}

/* pending_write - pk_usage_apply() of what waits, as whom it was taken */

static void pending_write(void)
{
    struct pk_usage_store *store;
    uid_t uid;
    gid_t gid, *groups;
    int ngroups;
    bool become;
    const char *error = "";

    become = geteuid() != pending.uid || getegid() != pending.gid;
    if (become && geteuid() != 0) {
        i_error("postkontor: usage not recorded: running as uid %ld, "
                "taken as uid %ld",
                (long)geteuid(), (long)pending.uid);
        return;
    }
    if (become) {
        if (!identity_get(&uid, &gid, &groups, &ngroups)) {
            i_error("postkontor: usage not recorded: getgroups(): %m");
            return;
        }
        if (!identity_set(pending.uid, pending.gid, pending.groups,
                          pending.ngroups)) {
            /* Back to what we were, whatever part was changed. */
            if (seteuid(uid) < 0 || !identity_set(uid, gid, groups, ngroups))
                i_fatal("postkontor: cannot restore the process's ids: %m");
            i_free(groups);
            return;
        }
    }
    if ((store = usage_open(pending.dir)) != NULL &&
        pk_usage_apply(store, array_front(&pending.updates),
                       array_count(&pending.updates), &error) != PK_OK)
        i_error("postkontor: recording usage failed: %s", error);
    if (become) {
        if (seteuid(uid) < 0 || !identity_set(uid, gid, groups, ngroups))
            i_fatal("postkontor: cannot restore the process's ids: %m");
        i_free(groups);
    }
}

/* pending_commit - write what waits, in one transaction */

static void pending_commit(void)
{
    timeout_remove(&pending.to_commit);
    pending.ioloop = NULL;
    if (pending.pool == NULL || array_count(&pending.updates) == 0)
        return;
    pending_write();
    array_clear(&pending.updates);
    p_clear(pending.pool);
    i_free(pending.groups);
    pending.ngroups = 0;
}

/* pending_timeout - the commit interval is over */

static void pending_timeout(void *context ATTR_UNUSED)
{
    pending_commit();
}

/* pending_add - remember an update of one address for the next commit */

static void pending_add(const char *dir, const struct pk_usage_update *up)
{
    struct pk_usage_update *old;

    /* One commit writes one environment as one user. */
    if (pending.pool != NULL && array_count(&pending.updates) > 0 &&
        (strcmp(pending.dir, dir) != 0 || geteuid() != pending.uid ||
         getegid() != pending.gid))
        pending_commit();
    if (pending.pool == NULL) {
        pending.pool = pool_alloconly_create("postkontor usage", 1024);
        i_array_init(&pending.updates, 16);
    }
    if (array_count(&pending.updates) == 0) {
        if (!identity_get(&pending.uid, &pending.gid, &pending.groups,
                          &pending.ngroups)) {
            i_error("postkontor: usage not recorded: getgroups(): %m");
            return;
        }
        i_free(pending.dir);
        pending.dir = i_strdup(dir);
    }
    array_foreach_modifiable(&pending.updates, old)
    {
        if (strcmp(old->address, up->address) != 0)
            continue;
        if (up->fields & PK_USAGE_QUOTA) {
            old->bytes = up->bytes;
            old->messages = up->messages;
            old->taken_us = up->taken_us;
        }
        if (up->fields & PK_USAGE_LOGIN)
            old->last_login = up->last_login;
        old->fields |= up->fields;
        return;
    }
    old = array_append_space(&pending.updates);
    *old = *up;
    old->address = p_strdup(pending.pool, up->address);
    if (array_count(&pending.updates) >= POSTKONTOR_PENDING_MAX ||
        current_ioloop == NULL)
        pending_commit();
    else if (pending.to_commit == NULL) {
        /* The root ioloop outlives the sessions that add updates. */
        pending.ioloop = io_loop_get_root();
        pending.to_commit = timeout_add_short_to(
            pending.ioloop, POSTKONTOR_COMMIT_MSECS, pending_timeout, NULL);
    }
}

/* pending_ioloop_destroyed - commit before the timer's ioloop goes */

static void pending_ioloop_destroyed(struct ioloop *ioloop)
{
    if (pending.to_commit != NULL && ioloop == pending.ioloop)
        pending_commit();
}

/* pending_deinit - the last commit; forget everything */

static void pending_deinit(void)
{
    pending_commit();
    if (pending.pool != NULL) {
        array_free(&pending.updates);
        pool_unref(&pending.pool);
    }
    i_free(pending.dir);
    i_free(pending.groups);
}

/* usage_flush - pass the first quota root's counts on for recording */

static void usage_flush(struct mail_user *user)
{
    struct postkontor_user *puser = POSTKONTOR_USER_CONTEXT_REQUIRE(user);
    struct quota_root_iter *iter;
    struct quota_root *root;
    struct pk_usage_update up = {0};
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
    up.address = user->username;
    up.fields = PK_USAGE_QUOTA;
    up.bytes = bytes;
    up.messages = messages;
    up.taken_us = pk_usage_now_us();
    pending_add(puser->usage_dir, &up);
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
    struct pk_usage_update up = {0};
    const char *db, *dir;
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

    if (is_login(user)) {
        up.address = user->username;
        up.fields = PK_USAGE_LOGIN;
        up.last_login = (uint64_t)ioloop_time;
        pending_add(puser->usage_dir, &up);
    }
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
    io_loop_add_destroy_callback(pending_ioloop_destroyed);
    mail_storage_hooks_add(module, &postkontor_mail_storage_hooks);
}

/* postkontor_plugin_deinit - unregister and close */

void postkontor_plugin_deinit(void)
{
    mail_storage_hooks_remove(&postkontor_mail_storage_hooks);
    pending_deinit();
    io_loop_remove_destroy_callback(pending_ioloop_destroyed);
    pk_usage_close(&usage_store);
    i_free(usage_store_dir);
    pk_log_set_sink(NULL, NULL);
}

const char *postkontor_plugin_dependencies[] = {"quota", NULL};
const char *postkontor_plugin_version = DOVECOT_ABI_VERSION;
