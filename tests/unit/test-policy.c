/*++
/* NAME
/*	test-policy 1
/* SUMMARY
/*	unit tests for common/policy.c
/*--*/

#include <stdarg.h>

#include "fixture.h"
#include "policy.h"

static struct fixture fx;
static struct pk_policy *pol;

static int do_state(struct pk_txn *t, struct fx_call *c, const char **e)
{
    enum pk_account_state st;

    if (pk_state_parse(c->b, &st) != PK_OK)
        return PK_EINVAL;
    return pk_account_set_state(t, c->a, st, e);
}

static int do_quota(struct pk_txn *t, struct fx_call *c, const char **e)
{
    return pk_account_set_quota(t, c->a, strtoull(c->b, NULL, 10), e);
}

static int do_limit(struct pk_txn *t, void *ctx, const char **e)
{
    struct pk_ratelimit lim = {2, 3, 3600};

    if (pk_ratelimit_set(t, PK_RATELIMIT_ACCOUNT, "bob@example.se", &lim, e) !=
        PK_OK)
        return PK_EINVAL;
    lim.messages = 0;
    lim.recipients = 4;
    return pk_ratelimit_set(t, PK_RATELIMIT_DOMAIN, "example.nu", &lim, e) ==
                   PK_NOTFOUND
               ? PK_OK
               : PK_EINVAL;
}

static void setup(void)
{
    struct fx_call sue = {
        .fn = do_state, .a = "sue@example.se", .b = "suspended"};
    struct fx_call rob = {
        .fn = do_state, .a = "rob@example.se", .b = "receive-blocked"};
    struct fx_call quota = {
        .fn = do_quota, .a = "alice@example.se", .b = "1000"};
    struct pk_usage_store *us;
    char dir[4096];
    const char *e = "";

    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "alice@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "bob@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "sue@example.se"), PK_OK);
    test_assert_int(fx_account(&fx, "rob@example.se"), PK_OK);
    test_assert_int(fx_alias(&fx, "info@example.se", "alice@example.se",
                             "bob@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "ali@example.se", "alice@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_alias(&fx, "robs@example.se", "rob@example.se", NULL),
                    PK_OK);
    test_assert_int(fx_call_write(&fx, &sue), PK_OK);
    test_assert_int(fx_call_write(&fx, &rob), PK_OK);
    test_assert_int(fx_call_write(&fx, &quota), PK_OK);
    test_assert_int(pk_store_write(fx.store, do_limit, NULL, &fx.error), PK_OK);
    /* The policy opens before any usage is recorded, and sees it later. */
    test_assert_int(pk_policy_open(fx.dir, 5, &pol, &e), PK_OK);
    test_assert(pol->usage == NULL);
    test_assert_int(pk_usage_open(pk_usage_dir(fx.dir, dir, sizeof(dir)),
                                  PK_STORE_CREATE, &us, &e),
                    PK_OK);
    test_assert_int(pk_usage_set_quota(us, "alice@example.se", 990, 3, &e),
                    PK_OK);
    pk_usage_close(&us);
}

/* ask - one request from name=value pairs (NULL-terminated) */

static int ask(struct pk_policy_session *sess, struct pk_verdict *v, ...)
{
    char buf[4096];
    size_t len = 0;
    struct pk_policyreq req;
    const char *attr, *e = "";
    va_list ap;
    int status;

    len += (size_t)snprintf(buf, sizeof(buf), "request=smtpd_access_policy\n");
    va_start(ap, v);
    while ((attr = va_arg(ap, const char *)) != NULL)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n", attr);
    va_end(ap);
    buf[len++] = '\n';
    if (pk_policyreq_parse(buf, len, &req) != PK_OK)
        return PK_EINVAL;
    status = pk_policy_decide(pol, sess, &req, 100000, v, &e);
    return status;
}

static void test_policy_sender_ownership(void)
{
    struct pk_policy_session s;
    struct pk_verdict v;

    test_begin(
        "policy: a login sends as itself and its aliases, not as others");
    pk_policy_session_init(&s);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT", "instance=1",
                        "sasl_username=alice@example.se",
                        "sender=ali@example.se",
                        "recipient=someone@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT", "instance=2",
                        "sasl_username=alice@example.se",
                        "sender=bob@example.se",
                        "recipient=someone@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_REJECT);
    test_assert_int(v.code, 553);
    test_assert_str(v.dsn, "5.7.1");
    test_assert(strstr(v.text, "may not send as bob@example.se") != NULL);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT", "instance=3",
                        "sasl_username=alice@example.se",
                        "sender=", "recipient=someone@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_end();
}

static void test_policy_account_states(void)
{
    struct pk_policy_session s;
    struct pk_verdict v;

    test_begin("policy: a suspended login cannot send; a blocked mailbox "
               "cannot receive");
    pk_policy_session_init(&s);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT",
                        "sasl_username=sue@example.se", "sender=sue@example.se",
                        "recipient=x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_REJECT);
    test_assert(strstr(v.text, "suspended") != NULL);
    test_assert_int(
        ask(&s, &v, "protocol_state=RCPT", "sasl_username=nobody@example.se",
            "sender=nobody@example.se", "recipient=x@elsewhere.org", NULL),
        PK_OK);
    test_assert_int(v.kind, PK_VERDICT_REJECT);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT", "sender=x@elsewhere.org",
                        "recipient=sue@example.se", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT", "sender=x@elsewhere.org",
                        "recipient=robs@example.se", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_REJECT);
    test_assert_int(v.code, 550);
    test_assert_str(v.dsn, "5.2.1");
    test_end();
}

static void test_policy_unknown_recipient_rejected(void)
{
    struct pk_policy_session s;
    struct pk_verdict v;

    test_begin("policy: an unknown recipient of ours is 550 5.1.1, an outside "
               "one DUNNO");
    pk_policy_session_init(&s);
    test_assert_int(
        ask(&s, &v, "protocol_state=RCPT", "recipient=nobody@example.nu", NULL),
        PK_OK);
    test_assert_int(v.code, 550);
    test_assert_str(v.dsn, "5.1.1");
    test_assert_int(
        ask(&s, &v, "protocol_state=RCPT", "recipient=x@elsewhere.org", NULL),
        PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT",
                        "recipient=\"odd one\"@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_end();
}

static void test_policy_full_mailbox_deferred(void)
{
    struct pk_policy_session s;
    struct pk_verdict v;

    test_begin(
        "policy: a full mailbox defers 452 4.2.2, also through an alias");
    pk_policy_session_init(&s);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT",
                        "recipient=alice@example.se", "size=5", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT",
                        "recipient=Alice@example.se", "size=11", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DEFER);
    test_assert_int(v.code, 452);
    test_assert_str(v.dsn, "4.2.2");
    test_assert_int(ask(&s, &v, "protocol_state=RCPT",
                        "recipient=ali@example.nu", "size=100", NULL),
                    PK_OK);
    test_assert_int(v.code, 452);
    /* One full mailbox of an alias does not hold back the others. */
    test_assert_int(ask(&s, &v, "protocol_state=RCPT",
                        "recipient=info@example.se", "size=100", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_end();
}

static void test_policy_submission_needs_login(void)
{
    struct pk_policy_session s;
    struct pk_verdict v;

    test_begin("policy: the submission context without a login is refused");
    pk_policy_session_init(&s);
    test_assert_int(ask(&s, &v, "protocol_state=RCPT",
                        "policy_context=submission", "sender=alice@example.se",
                        "recipient=x@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(v.code, 530);
    test_end();
}

static void test_policy_recipient_cap(void)
{
    struct pk_policy_session s;
    struct pk_verdict v;
    char rcpt[64];

    test_begin(
        "policy: more recipients than the cap in one message are refused");
    pk_policy_session_init(&s);
    for (int i = 0; i < 5; i++) {
        snprintf(rcpt, sizeof(rcpt), "recipient=r%d@elsewhere.org", i);
        test_assert_int(
            ask(&s, &v, "protocol_state=RCPT", "instance=cap", rcpt, NULL),
            PK_OK);
        test_assert_int(v.kind, PK_VERDICT_DUNNO);
    }
    test_assert_int(ask(&s, &v, "protocol_state=RCPT", "instance=cap",
                        "recipient=r5@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(v.code, 452);
    test_assert_str(v.dsn, "4.5.3");
    test_assert_int(ask(&s, &v, "protocol_state=RCPT", "instance=next",
                        "recipient=r5@elsewhere.org", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_end();
}

/* send - one message of bob with n recipients; the last verdict */

static void send_msg(const char *instance, int n, struct pk_verdict *v)
{
    struct pk_policy_session s;
    char inst[64];

    pk_policy_session_init(&s);
    snprintf(inst, sizeof(inst), "instance=%s", instance);
    for (int i = 0; i < n; i++) {
        test_assert_int(ask(&s, v, "protocol_state=RCPT", inst,
                            "sasl_username=bob@example.se",
                            "sender=bob@example.se",
                            "recipient=x@elsewhere.org", NULL),
                        PK_OK);
        if (v->kind != PK_VERDICT_DUNNO)
            return;
    }
    test_assert_int(ask(&s, v, "protocol_state=END-OF-MESSAGE", inst,
                        "sasl_username=bob@example.se", "sender=bob@example.se",
                        NULL),
                    PK_OK);
}

static void test_policy_rate_limit_deferred(void)
{
    struct pk_verdict v;

    test_begin(
        "policy: past the account's limit, RCPT is deferred with the reason");
    send_msg("m1", 1, &v);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    send_msg("m2", 3, &v);
    test_assert_int(v.kind, PK_VERDICT_DEFER);
    test_assert_int(v.code, 450);
    test_assert(strstr(v.text, "may send to 3 recipients per 3600 s (1 sent, 3 "
                               "in this message)") != NULL);
    send_msg("m3", 2, &v);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    send_msg("m4", 1, &v);
    test_assert_int(v.kind, PK_VERDICT_DEFER);
    test_assert_str(v.dsn, "4.7.1");
    test_assert(strstr(v.text, "may send 2 messages per 3600 s (2 sent)") !=
                NULL);
    test_end();
}

static int do_alice_limit(struct pk_txn *t, void *ctx, const char **e)
{
    struct pk_ratelimit lim = {1, 0, 3600};

    (void)ctx;
    return pk_ratelimit_set(t, PK_RATELIMIT_ACCOUNT, "alice@example.se", &lim,
                            e);
}

/* alice_rcpt - one RCPT of alice in a message; the verdict's kind */

static int alice_rcpt(struct pk_policy_session *s, const char *inst)
{
    struct pk_verdict v;

    test_assert_int(ask(s, &v, "protocol_state=RCPT", inst,
                        "sasl_username=alice@example.se",
                        "sender=alice@example.se", "recipient=y@elsewhere.org",
                        NULL),
                    PK_OK);
    return (int)v.kind;
}

static void test_policy_limit_change_applies_next_message(void)
{
    struct pk_policy_session s;
    struct pk_verdict v;

    test_begin("policy: a limit set during a message applies from the next "
               "message on one connection");
    pk_policy_session_init(&s);
    test_assert_int(alice_rcpt(&s, "instance=a1"), PK_VERDICT_DUNNO);
    test_assert_int(ask(&s, &v, "protocol_state=END-OF-MESSAGE", "instance=a1",
                        "sasl_username=alice@example.se", NULL),
                    PK_OK);
    test_assert_int(alice_rcpt(&s, "instance=a2"), PK_VERDICT_DUNNO);
    test_assert_int(pk_store_write(fx.store, do_alice_limit, NULL, &fx.error),
                    PK_OK);
    /* The message under way keeps the limit it started with ... */
    test_assert_int(alice_rcpt(&s, "instance=a2"), PK_VERDICT_DUNNO);
    test_assert_int(ask(&s, &v, "protocol_state=END-OF-MESSAGE", "instance=a2",
                        "sasl_username=alice@example.se", NULL),
                    PK_OK);
    /* ... the next one sees it (alice sent no message under it yet). */
    test_assert_int(alice_rcpt(&s, "instance=a3"), PK_VERDICT_DUNNO);
    test_assert_int(ask(&s, &v, "protocol_state=END-OF-MESSAGE", "instance=a3",
                        "sasl_username=alice@example.se", NULL),
                    PK_OK);
    test_assert_int(alice_rcpt(&s, "instance=a4"), PK_VERDICT_DEFER);
    /* Without an instance nothing is kept between requests. */
    test_assert_int(alice_rcpt(&s, "instance="), PK_VERDICT_DEFER);
    test_end();
}

/* ask_one - a recipient of a message of its own, below the cap */

static int ask_one(struct pk_verdict *v, const char *state, const char *rcpt,
                   void *end)
{
    struct pk_policy_session s;

    pk_policy_session_init(&s);
    return ask(&s, v, state, rcpt, end);
}

static void test_policy_outside_domain_until_it_is_ours(void)
{
    struct pk_verdict v;

    test_begin("policy: a domain found outside is checked again once it is "
               "ours");
    for (int i = 0; i < 3; i++) {
        test_assert_int(ask_one(&v, "protocol_state=RCPT",
                                "recipient=someone@later.example", NULL),
                        PK_OK);
        test_assert_int(v.kind, PK_VERDICT_DUNNO);
    }
    /* Remembered by its text only: any local part, outside alike. */
    test_assert_int(ask_one(&v, "protocol_state=RCPT",
                            "recipient=other@later.example", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_assert_int(ask_one(&v, "protocol_state=RCPT",
                            "recipient=bad..local@later.example", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    /* More outside domains than are remembered: still right. */
    for (int i = 0; i < 2 * PK_POLICY_OUTSIDE_MAX; i++) {
        char rcpt[64];

        snprintf(rcpt, sizeof(rcpt), "recipient=x@out%d.example", i);
        test_assert_int(ask_one(&v, "protocol_state=RCPT", rcpt, NULL), PK_OK);
        test_assert_int(v.kind, PK_VERDICT_DUNNO);
    }
    test_assert_int(ask_one(&v, "protocol_state=RCPT",
                            "recipient=someone@later.example", NULL),
                    PK_OK);
    /* The domain becomes ours: its unknown recipients are refused at
     * once, its accounts accepted, without a restart. */
    test_assert_int(fx_domain(&fx, "later.example"), PK_OK);
    test_assert_int(fx_account(&fx, "known@later.example"), PK_OK);
    test_assert_int(ask_one(&v, "protocol_state=RCPT",
                            "recipient=someone@later.example", NULL),
                    PK_OK);
    test_assert_int(v.code, 550);
    test_assert_str(v.dsn, "5.1.1");
    test_assert_int(ask_one(&v, "protocol_state=RCPT",
                            "recipient=known@LATER.example", NULL),
                    PK_OK);
    test_assert_int(v.kind, PK_VERDICT_DUNNO);
    test_end();
}

int main(void)
{
    test_begin("policy: fixture");
    setup();
    test_end();
    test_policy_sender_ownership();
    test_policy_account_states();
    test_policy_unknown_recipient_rejected();
    test_policy_full_mailbox_deferred();
    test_policy_submission_needs_login();
    test_policy_recipient_cap();
    test_policy_rate_limit_deferred();
    test_policy_limit_change_applies_next_message();
    test_policy_outside_domain_until_it_is_ours();
    pk_policy_close(&pol);
    fixture_close(&fx);
    return test_exit();
}
