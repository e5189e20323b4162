/*++
/* NAME
/*	filter 3
/* SUMMARY
/*	the milter's decisions, without libmilter
/* SYNOPSIS
/*	#include "filter.h"
/* DESCRIPTION
/*	See filter.h. Every decision is a core call (header.h, sendas.h,
/*	dkim.h); filter_status() is the one place that maps a core status
/*	to an SMTP reply.
/* DIAGNOSTICS
/*	Database failures are logged through the core's log sink.
/* SECURITY
/*	Header and body octets come from the client; the core bounds
/*	them. The login comes from the MTA's SASL layer and is copied
/*	with a bound.
/*--*/

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "sendas.h"

/* The state all messages share. */
static struct {
    struct filter_config cfg;
    pthread_mutex_t lock;
    struct pk_store *store;
    struct pk_dkim_cache *cache;
} fs = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct filter_msg {
    bool internal;
    bool has_login;
    char login[PK_ADDR_MAX + 1];
    bool login_too_long;
    struct pk_header_from from;
    struct pk_dkim_sign *sign;
    bool sign_limit;
    struct pk_dkim_signkey *key;
};

/* filter_init - the shared state; fails only when memory runs out */

int filter_init(const struct filter_config *cfg, const char **error_r)
{
    fs.cfg = *cfg;
    if (fs.cfg.eol == NULL)
        fs.cfg.eol = "\r\n";
    return pk_dkim_cache_new(&fs.cache, error_r);
}

/* filter_deinit - close the database and free the key cache */

void filter_deinit(void)
{
    pk_store_close(&fs.store);
    pk_dkim_cache_free(&fs.cache);
}

/* filter_read - a read transaction; the database is opened on demand */

static int filter_read(struct pk_txn **txn_r, const char **error_r)
{
    int status = PK_OK;

    pthread_mutex_lock(&fs.lock);
    if (fs.store == NULL)
        status = pk_store_open(pk_store_dir(fs.cfg.db_dir), PK_STORE_READONLY,
                               &fs.store, error_r);
    pthread_mutex_unlock(&fs.lock);
    if (status == PK_OK)
        status = pk_store_read(fs.store, txn_r, error_r);
    /* Any failure to read is temporary for the mail that waits. */
    return status == PK_OK ? PK_OK : PK_ETEMP;
}

/* filter_status - the one map from a core status to a reply */

static void filter_status(int status, const char *what, const char *error,
                          struct filter_reply *r)
{
    memset(r, 0, sizeof(*r));
    switch (status) {
    case PK_OK:
        r->action = FILTER_CONTINUE;
        return;
    case PK_NOTFOUND:
    case PK_EINVAL:
        r->action = FILTER_REJECT;
        r->rcode = "550";
        r->xcode = "5.7.1";
        break;
    case PK_ELIMIT:
        r->action = FILTER_REJECT;
        r->rcode = "552";
        r->xcode = "5.3.4";
        break;
    default:
        /* A database or internal failure is never a verdict on the mail. */
        pk_log(PK_LOG_WARNING, "%s: %s", what, error ? error : "failed");
        if (!fs.cfg.db_tempfail) {
            r->action = FILTER_ACCEPT;
            return;
        }
        r->action = FILTER_TEMPFAIL;
        r->rcode = "451";
        r->xcode = "4.3.0";
        snprintf(r->text, sizeof(r->text), "%s: temporary failure, try later",
                 what);
        return;
    }
    snprintf(r->text, sizeof(r->text), "%s: %s", what,
             error ? error : pk_strstatus(status));
}

/* filter_msg_new - start a message */

struct filter_msg *filter_msg_new(bool internal, const char *login)
{
    struct filter_msg *msg = calloc(1, sizeof(*msg));
    const char *error;

    if (msg == NULL)
        return NULL;
    msg->internal = internal;
    if (login != NULL && *login != 0) {
        msg->has_login = true;
        if (strlen(login) >= sizeof(msg->login))
            msg->login_too_long = true;
        else
            strcpy(msg->login, login);
    }
    pk_header_from_init(&msg->from);
    if (fs.cfg.sign && (msg->has_login || internal) &&
        pk_dkim_sign_begin(&msg->sign, &error) != PK_OK) {
        free(msg);
        return NULL;
    }
    if (msg->sign != NULL)
        pk_dkim_sign_fold(msg->sign, fs.cfg.line_limit);
    return msg;
}

/* filter_header - one header field */

void filter_header(struct filter_msg *msg, const char *name, const char *value,
                   struct filter_reply *r)
{
    const char *error;

    filter_status(PK_OK, NULL, NULL, r);
    if (!msg->has_login && !msg->internal)
        return;
    pk_header_from_field(&msg->from, name, value, strlen(value));
    if (msg->sign != NULL &&
        pk_dkim_sign_header(msg->sign, name, value, strlen(value), &error) ==
            PK_ELIMIT) {
        msg->sign_limit = true;
        pk_dkim_sign_free(&msg->sign);
    }
}

/* check_from - the login's right to the From address */

static int check_from(struct filter_msg *msg, struct pk_txn *txn,
                      const char *from, const char **error_r)
{
    int status;

    if (msg->login_too_long) {
        *error_r = pk_error("the login name is too long");
        return PK_EINVAL;
    }
    status = pk_sendas_may(txn, msg->login, from, error_r);
    if (status == PK_NOTFOUND)
        *error_r = pk_error("%s may not send as %s", msg->login, from);
    return status;
}

/* filter_eoh - the end of the header: decide From, find the key */

void filter_eoh(struct filter_msg *msg, struct filter_reply *r)
{
    struct pk_txn *txn = NULL;
    struct pk_addr addr;
    char from[PK_ADDR_MAX + 1];
    const char *error = NULL;
    int status;

    filter_status(PK_OK, NULL, NULL, r);
    if (!msg->has_login && !msg->internal) {
        r->action = FILTER_ACCEPT;
        return;
    }
    status = pk_header_from_result(&msg->from, &addr, &error);
    if (status != PK_OK) {
        /* Only a login's mail is held to the From rules. */
        if (msg->has_login && fs.cfg.check_from)
            filter_status(status, "From header", error, r);
        else
            r->action = FILTER_ACCEPT;
        return;
    }
    pk_addr_format(&addr, from);
    if (msg->has_login && fs.cfg.check_from && msg->sign_limit) {
        filter_status(PK_ELIMIT, "header", "too many header fields", r);
        return;
    }
    if ((status = filter_read(&txn, &error)) != PK_OK) {
        filter_status(status, "database", error, r);
        return;
    }
    if (msg->has_login && fs.cfg.check_from &&
        (status = check_from(msg, txn, from, &error)) != PK_OK) {
        filter_status(status, "From header", error, r);
    } else if (msg->sign != NULL) {
        status = pk_dkim_find(fs.cache, txn, addr.domain, &msg->key, &error);
        if (status == PK_NOTFOUND)
            r->action = FILTER_ACCEPT;
        else
            filter_status(status, "DKIM key", error, r);
    } else {
        r->action = FILTER_ACCEPT;
    }
    pk_txn_end(&txn);
}

/* filter_body - one piece of the body */

void filter_body(struct filter_msg *msg, const void *data, size_t len,
                 struct filter_reply *r)
{
    const char *error;

    filter_status(PK_OK, NULL, NULL, r);
    if (msg->sign != NULL && msg->key != NULL)
        pk_dkim_sign_body(msg->sign, data, len, &error);
}

/* filter_end - the end of the message; *dkim_r is malloc'd or NULL */

void filter_end(struct filter_msg *msg, time_t now, char **dkim_r,
                struct filter_reply *r)
{
    const char *error = NULL;
    int status = PK_OK;

    *dkim_r = NULL;
    if (msg->sign != NULL && msg->key != NULL)
        status = pk_dkim_sign_end(msg->sign, msg->key, now, fs.cfg.eol, dkim_r,
                                  &error);
    filter_status(status, "DKIM signature", error, r);
    if (r->action == FILTER_CONTINUE)
        r->action = FILTER_ACCEPT;
}

/* filter_msg_free - end a message */

void filter_msg_free(struct filter_msg **msg)
{
    if (*msg == NULL)
        return;
    pk_dkim_sign_free(&(*msg)->sign);
    pk_dkim_signkey_release(&(*msg)->key);
    free(*msg);
    *msg = NULL;
}
