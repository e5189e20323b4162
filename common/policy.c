/*++
/* NAME
/*	policy 3
/* SUMMARY
/*	SMTP policy decisions: sender ownership, states, quotas, limits
/* SYNOPSIS
/*	#include "policy.h"
/* DESCRIPTION
/*	See policy.h for the order of the checks. Every check is a call
/*	into the module that owns the decision: pk_sendas_may(),
/*	pk_state_may_send/receive(), pk_resolve(), pk_account_quota(),
/*	pk_usage_get() and the rate limit module. This file only orders
/*	them and words the answer.
/* DIAGNOSTICS
/*	Store, usage and counter errors are returned unchanged, for the
/*	adapter to answer with a temporary failure.
/*--*/

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "policy.h"
#include "resolve.h"
#include "sendas.h"

/* verdict - fill in a verdict; PK_OK */

static int verdict(struct pk_verdict *v, enum pk_verdict_kind kind, int code,
                   const char *dsn, const char *fmt, ...)
{
    va_list ap;

    v->kind = kind;
    v->code = code;
    snprintf(v->dsn, sizeof(v->dsn), "%s", dsn);
    va_start(ap, fmt);
    vsnprintf(v->text, sizeof(v->text), fmt, ap);
    va_end(ap);
    return PK_OK;
}

/* copy_str - a bounded copy, truncated; per request, so no formatting */

static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);

    memcpy(dst, src, n);
    dst[n] = 0;
}

/* pk_policy_open - the stores a policy service reads */

int pk_policy_open(const char *dbdir, unsigned max_recipients,
                   struct pk_policy **pol_r, const char **error_r)
{
    struct pk_policy *pol;
    char dir[4096];
    int status;

    *pol_r = NULL;
    if ((pol = calloc(1, sizeof(*pol))) == NULL)
        return PK_ENOMEM;
    pol->max_recipients = max_recipients;
    if (pk_usage_dir(dbdir, dir, sizeof(dir)) == NULL ||
        (pol->usage_dir = strdup(dir)) == NULL) {
        free(pol);
        return PK_ENOMEM;
    }
    status = pk_store_open(dbdir, PK_STORE_READONLY | PK_STORE_KEEPSNAPSHOT,
                           &pol->store, error_r);
    if (status == PK_OK)
        status = pk_ratelimit_open(pk_ratelimit_dir(dbdir, dir, sizeof(dir)),
                                   &pol->limits, error_r);
    if (status == PK_OK) {
        status = pk_usage_open(pol->usage_dir, PK_STORE_READONLY, &pol->usage,
                               error_r);
        if (status == PK_NOTFOUND)
            status = PK_OK; /* opened when it appears */
    }
    if (status != PK_OK) {
        pk_policy_close(&pol);
        return status;
    }
    *pol_r = pol;
    return PK_OK;
}

/* pk_policy_close - close what pk_policy_open() opened */

void pk_policy_close(struct pk_policy **polp)
{
    struct pk_policy *pol = *polp;

    if (pol == NULL)
        return;
    pk_store_close(&pol->store);
    pk_usage_close(&pol->usage);
    pk_ratelimit_close(&pol->limits);
    free(pol->usage_dir);
    free(pol);
    *polp = NULL;
}

/* pk_policy_flush - store the pending rate limit counts */

int pk_policy_flush(struct pk_policy *pol, const char **error_r)
{
    return pk_ratelimit_flush(pol->limits, error_r);
}

/* pk_policy_idle - let go of the database snapshot kept between requests */

void pk_policy_idle(struct pk_policy *pol)
{
    pk_store_idle(pol->store);
}

/* pk_policy_session_init - a fresh connection */

void pk_policy_session_init(struct pk_policy_session *sess)
{
    memset(sess, 0, sizeof(*sess));
}

/* check_login - the SASL login may send, and may send as the sender */

static int check_login(struct pk_txn *txn, const struct pk_policyreq *req,
                       struct pk_verdict *v, const char **error_r)
{
    enum pk_account_state state;
    int status;

    status = pk_account_state(txn, req->sasl_username, &state, error_r);
    if (status == PK_NOTFOUND || status == PK_EINVAL)
        return verdict(v, PK_VERDICT_REJECT, 554, "5.7.1",
                       "login %.254s is not an account here",
                       req->sasl_username);
    if (status != PK_OK)
        return status;
    if (!pk_state_may_send(state))
        return verdict(v, PK_VERDICT_REJECT, 554, "5.7.1",
                       "account %.254s may not send mail (%s)",
                       req->sasl_username, pk_state_name(state));
    /* An account may send as itself (sendas.h): the login was just
     * found to be an account that may send, so the very same text needs
     * no second lookup. */
    if (req->sender[0] == 0 || strcmp(req->sender, req->sasl_username) == 0)
        return PK_OK;
    status = pk_sendas_may(txn, req->sasl_username, req->sender, error_r);
    if (status == PK_NOTFOUND || status == PK_EINVAL)
        return verdict(v, PK_VERDICT_REJECT, 553, "5.7.1",
                       "%.254s may not send as %.254s", req->sasl_username,
                       req->sender);
    return status;
}

/* mailbox_full - does the message not fit the mailbox's quota */

static int mailbox_full(struct pk_policy *pol, struct pk_txn *txn,
                        const char *address, uint64_t size, int *full,
                        const char **error_r)
{
    struct pk_entry ent;
    struct pk_usage use;
    uint64_t quota;
    int status;

    *full = 0;
    if (pol->usage == NULL) {
        status = pk_usage_open(pol->usage_dir, PK_STORE_READONLY, &pol->usage,
                               error_r);
        if (status == PK_NOTFOUND)
            return PK_OK; /* nothing recorded yet */
        if (status != PK_OK)
            return status;
    }
    if ((status = pk_account_get(txn, address, &ent, error_r)) != PK_OK)
        return status;
    quota = pk_account_quota(txn, strrchr(address, '@') + 1, &ent.u.account);
    pk_entry_free(&ent);
    if (quota == 0)
        return PK_OK;
    status = pk_usage_get(pol->usage, address, &use, error_r);
    if (status == PK_NOTFOUND)
        return PK_OK;
    if (status != PK_OK)
        return status;
    *full = use.bytes >= quota || size > quota - use.bytes;
    return PK_OK;
}

/* outside_known - was the recipient's domain found outside already */

static bool outside_known(const struct pk_policy *pol, uint64_t snapshot,
                          const char *domain, size_t len)
{
    for (size_t i = 0; i < PK_POLICY_OUTSIDE_MAX; i++) {
        const struct pk_policy_outside *o = &pol->outside[i];

        if (o->len == len && o->snapshot == snapshot &&
            memcmp(o->domain, domain, len) == 0)
            return true;
    }
    return false;
}

/* outside_remember - a recipient domain that pk_resolve() found outside */

static void outside_remember(struct pk_policy *pol, uint64_t snapshot,
                             const char *domain, size_t len)
{
    struct pk_policy_outside *o = &pol->outside[pol->outside_next];

    if (len == 0 || len > PK_DOMAIN_MAX)
        return;
    o->snapshot = snapshot;
    o->len = len;
    memcpy(o->domain, domain, len);
    pol->outside_next = (pol->outside_next + 1) % PK_POLICY_OUTSIDE_MAX;
}

/* check_recipient - some destination of the recipient can take the mail */

static int check_recipient(struct pk_policy *pol, struct pk_txn *txn,
                           const struct pk_policyreq *req, struct pk_verdict *v,
                           const char **error_r)
{
    struct pk_resolution res;
    const char *full_one = NULL;
    /* pk_addr_parse() takes the domain after the last '@' and nothing
     * else: the same text, the same domain. */
    const char *at = strrchr(req->recipient, '@');
    const char *domain = at ? at + 1 : "";
    size_t usable = 0, dlen = strlen(domain);
    uint64_t snapshot = pk_txn_id(txn);
    int status, full;

    if (dlen > 0 && outside_known(pol, snapshot, domain, dlen))
        return PK_OK; /* outside, as resolving would find again */
    status = pk_resolve(txn, req->recipient, 0, &res, error_r);
    if (status == PK_EINVAL)
        return PK_OK; /* not ours to judge */
    if (status == PK_ELIMIT)
        return verdict(v, PK_VERDICT_REJECT, 554, "5.4.6",
                       "mail for %.254s cannot be routed: %s", req->recipient,
                       *error_r);
    if (status != PK_OK)
        return status;
    if (res.kind == PK_KIND_EXTERNAL) {
        outside_remember(pol, snapshot, domain, dlen);
        pk_resolve_free(&res);
        return PK_OK;
    }
    if (res.kind == PK_KIND_UNKNOWN || res.dest_count == 0) {
        pk_resolve_free(&res);
        return verdict(v, PK_VERDICT_REJECT, 550, "5.1.1",
                       "%.254s: no such recipient here", req->recipient);
    }
    for (size_t i = 0; i < res.dest_count && status == PK_OK && usable == 0;
         i++) {
        struct pk_dest *d = &res.dest[i];

        if (!d->mailbox) {
            usable++;
        } else if (pk_state_may_receive(d->state)) {
            status =
                mailbox_full(pol, txn, d->address, req->size, &full, error_r);
            if (full && full_one == NULL)
                full_one = d->address;
            else if (!full)
                usable++;
        }
    }
    if (status == PK_OK && usable == 0) {
        if (full_one != NULL)
            verdict(v, PK_VERDICT_DEFER, 452, "4.2.2",
                    "%.254s: mailbox full (%.254s); try again later",
                    req->recipient, full_one);
        else
            verdict(v, PK_VERDICT_REJECT, 550, "5.2.1",
                    "%.254s: mailbox unavailable", req->recipient);
    }
    pk_resolve_free(&res);
    return status;
}

/* limit_subjects - the login's account and domain, once per message */

static int limit_subjects(struct pk_policy *pol, struct pk_txn *txn,
                          struct pk_policy_session *sess,
                          const struct pk_policyreq *req, const char **error_r)
{
    const char *at = strrchr(req->sasl_username, '@');
    int status;

    /* Without an instance, messages cannot be told apart: read anew. */
    if (sess->login[0] && req->instance[0] &&
        strcmp(sess->login, req->sasl_username) == 0)
        return PK_OK;
    sess->login[0] = 0;
    sess->nsubjects = 0;
    if (at == NULL)
        return PK_OK;
    if ((status = pk_ratelimit_subject(txn, &pol->limit_cache,
                                       PK_RATELIMIT_ACCOUNT, req->sasl_username,
                                       &sess->subjects[0], error_r)) != PK_OK ||
        (status = pk_ratelimit_subject_domain(
             txn, &pol->limit_cache, &sess->subjects[0], &sess->subjects[1],
             error_r)) != PK_OK)
        return status;
    sess->nsubjects = 2;
    copy_str(sess->login, sizeof(sess->login), req->sasl_username);
    return PK_OK;
}

/* check_limit - one rate limit, account or domain */

static int check_limit(struct pk_policy *pol, const struct pk_ratesubject *rsub,
                       enum pk_ratelimit_scope scope, uint32_t rcpts,
                       uint64_t now, struct pk_verdict *v, const char **error_r)
{
    const struct pk_ratelimit *lim = &rsub->lim;
    const char *subject = rsub->key + 2;
    struct pk_ratecount cnt;
    int status;

    if ((status = pk_ratelimit_check_subject(pol->limits, rsub, now, 1, rcpts,
                                             &cnt, error_r)) != PK_OK ||
        !cnt.over)
        return status;
    if (lim->messages && (uint64_t)cnt.messages + 1 > lim->messages)
        return verdict(v, PK_VERDICT_DEFER, 450, "4.7.1",
                       "rate limit: %s %.254s may send %u messages per %u s "
                       "(%u sent); try again in %llu s",
                       pk_ratelimit_scope_name(scope), subject, lim->messages,
                       lim->window, cnt.messages,
                       (unsigned long long)(cnt.start + lim->window - now));
    return verdict(v, PK_VERDICT_DEFER, 450, "4.7.1",
                   "rate limit: %s %.254s may send to %u recipients per %u s "
                   "(%u sent, %u in this message); try again in %llu s",
                   pk_ratelimit_scope_name(scope), subject, lim->recipients,
                   lim->window, cnt.recipients, rcpts,
                   (unsigned long long)(cnt.start + lim->window - now));
}

/* check_limits - the login's account and domain limits */

static int check_limits(struct pk_policy *pol, struct pk_txn *txn,
                        struct pk_policy_session *sess,
                        const struct pk_policyreq *req, uint32_t rcpts,
                        uint64_t now, struct pk_verdict *v,
                        const char **error_r)
{
    static const enum pk_ratelimit_scope scopes[] = {
        PK_RATELIMIT_ACCOUNT,
        PK_RATELIMIT_DOMAIN,
    };
    int status;

    if ((status = limit_subjects(pol, txn, sess, req, error_r)) != PK_OK)
        return status;
    for (size_t i = 0;
         i < sess->nsubjects && status == PK_OK && v->kind == PK_VERDICT_DUNNO;
         i++)
        status = check_limit(pol, &sess->subjects[i], scopes[i], rcpts, now, v,
                             error_r);
    return status;
}

/* decide_rcpt - the checks at RCPT TO */

static int decide_rcpt(struct pk_policy *pol, struct pk_txn *txn,
                       struct pk_policy_session *sess,
                       const struct pk_policyreq *req, uint64_t now,
                       struct pk_verdict *v, const char **error_r)
{
    bool login = req->sasl_username[0] != 0;
    int status;

    if (!login && strcmp(req->policy_context, "submission") == 0)
        return verdict(v, PK_VERDICT_REJECT, 530, "5.7.0",
                       "authentication required on the submission service");
    if (login && ((status = check_login(txn, req, v, error_r)) != PK_OK ||
                  v->kind != PK_VERDICT_DUNNO))
        return status;
    if ((status = check_recipient(pol, txn, req, v, error_r)) != PK_OK ||
        v->kind != PK_VERDICT_DUNNO)
        return status;
    if (pol->max_recipients && sess->recipients + 1 > pol->max_recipients)
        return verdict(v, PK_VERDICT_REJECT, 452, "4.5.3",
                       "too many recipients: at most %u per message",
                       pol->max_recipients);
    if (login &&
        ((status = check_limits(pol, txn, sess, req, sess->recipients + 1, now,
                                v, error_r)) != PK_OK ||
         v->kind != PK_VERDICT_DUNNO))
        return status;
    sess->recipients++;
    return PK_OK;
}

/* count_message - count a finished message of a login */

static int count_message(struct pk_policy *pol, struct pk_txn *txn,
                         struct pk_policy_session *sess,
                         const struct pk_policyreq *req, uint64_t now,
                         const char **error_r)
{
    uint64_t rcpts =
        req->recipient_count ? req->recipient_count : sess->recipients;
    int status;

    sess->recipients = 0;
    if (req->sasl_username[0] == 0)
        return PK_OK;
    status = limit_subjects(pol, txn, sess, req, error_r);
    for (size_t i = 0; i < sess->nsubjects && status == PK_OK; i++)
        status = pk_ratelimit_add_subject(
            pol->limits, &sess->subjects[i], now, 1,
            rcpts > UINT32_MAX ? UINT32_MAX : (uint32_t)rcpts, error_r);
    sess->login[0] = 0; /* the message is done */
    return status == PK_EINVAL ? PK_OK : status;
}

/* pk_policy_decide - answer one policy request */

int pk_policy_decide(struct pk_policy *pol, struct pk_policy_session *sess,
                     const struct pk_policyreq *req, uint64_t now,
                     struct pk_verdict *v, const char **error_r)
{
    struct pk_txn *txn;
    int status;

    v->kind = PK_VERDICT_DUNNO; /* the common answer: no formatting */
    v->code = 0;
    v->dsn[0] = v->text[0] = 0;
    if (strcmp(sess->instance, req->instance) != 0) {
        copy_str(sess->instance, sizeof(sess->instance), req->instance);
        sess->recipients = 0;
        sess->login[0] = 0;
    }
    if ((status = pk_store_read(pol->store, &txn, error_r)) != PK_OK)
        return status;
    if (strcmp(req->protocol_state, "RCPT") == 0)
        status = decide_rcpt(pol, txn, sess, req, now, v, error_r);
    else if (strcmp(req->protocol_state, "END-OF-MESSAGE") == 0)
        status = count_message(pol, txn, sess, req, now, error_r);
    pk_txn_end(&txn);
    return status;
}
