/*++
/* NAME
/*	smtp 3
/* SUMMARY
/*	SMTP roles of the reference server
/* DESCRIPTION
/*	See smtp.h. Commands are handled as they arrive, so pipelined
/*	commands are answered in order in one write (RFC 2920).
/*
/*	The decisions are the core's, as the Postfix daemon and the milter
/*	make them: MAIL asks pk_sendas_may(); RCPT asks pk_policy_decide()
/*	(sender ownership, account states, full mailboxes, recipient cap,
/*	rate limits) and then pk_resolve() for the final mailboxes; an
/*	authenticated message must have one header From the login may send
/*	as (pk_header_from_message(), pk_sendas_may()); a delivered
/*	message is counted with pk_policy_decide() at END-OF-MESSAGE.
/*	Delivery writes one Maildir file per final mailbox before the 250
/*	reply to the final dot.
/*--*/

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "header.h"
#include "linebuf.h"
#include "maildir.h"
#include "policy.h"
#include "refauth.h"
#include "resolve.h"
#include "sendas.h"
#include "smtp-int.h"
#include "smtp.h"
#include "smtpparse.h"

#define CMD_MAX (REF_SASL_MAX + 64)
#define RCPT_MAX 1000

static unsigned smtp_instances;

/* smtp_reset - forget the mail transaction */

void smtp_reset(struct smtp *s)
{
    s->have_from = false;
    s->in_data = false;
    free(s->boxes);
    s->boxes = NULL;
    s->box_count = s->rcpt_count = 0;
    free(s->data);
    s->data = NULL;
    s->data_len = 0;
}

/* smtp_map_status - the one place a core error becomes an SMTP reply */

void smtp_map_status(struct ref_conn *c, int status, const char *error)
{
    switch (status) {
    case PK_EINVAL:
        ref_conn_printf(c, "501 5.1.3 Bad address syntax\r\n");
        break;
    case PK_ELIMIT:
        ref_conn_printf(c, "550 5.4.6 Alias expansion limit reached\r\n");
        break;
    default:
        pk_log(PK_LOG_WARNING, "%s: %s", c->peer,
               error ? error : pk_strstatus(status));
        ref_conn_printf(c, "451 4.3.0 Temporary lookup failure\r\n");
    }
}

bool smtp_is_submission(const struct ref_conn *c)
{
    return (c->lst->role != REF_ROLE_SMTP);
}

/* smtp_policy - ask the core's SMTP policy, as Postfix would */

int smtp_policy(struct ref_conn *c, struct smtp *s, const char *state,
                const char *rcpt, struct pk_verdict *v, const char **error)
{
    struct pk_policyreq req = {
        .request = "smtpd_access_policy",
        .protocol_state = state,
        .protocol_name = "ESMTP",
        .instance = s->instance,
        .sasl_username = s->login,
        .sender = s->from,
        .recipient = rcpt ? rcpt : "",
        .client_address = c->peer,
        .policy_context = smtp_is_submission(c) ? "submission" : "",
        .queue_id = "",
        .recipient_count = s->rcpt_count,
        .size = s->size_hint,
    };

    return (pk_policy_decide(c->srv->policy, &s->policy, &req,
                             (uint64_t)time(NULL), v, error));
}

/* smtp_start - greet */

static void smtp_start(struct ref_conn *c)
{
    struct smtp *s;

    if ((c->proto_data = s = calloc(1, sizeof(struct smtp))) == NULL) {
        ref_conn_printf(c, "421 4.3.0 Out of memory\r\n");
        ref_conn_close(c);
        return;
    }
    pk_policy_session_init(&s->policy);
    ref_conn_printf(c, "220 %s ESMTP postkontor-refserver\r\n",
                    c->srv->cfg.hostname);
}

/* smtp_tls_ready - after STARTTLS: forget everything (RFC 3207 4.2) */

static void smtp_tls_ready(struct ref_conn *c)
{
    struct smtp *s = c->proto_data;

    smtp_reset(s);
    s->greeted = false;
    s->login[0] = 0;
    s->auth_step = AUTH_NONE;
}

static void smtp_free(struct ref_conn *c)
{
    struct smtp *s = c->proto_data;

    if (s) {
        smtp_reset(s);
        free(s);
    }
}

/* smtp_ehlo - greeting and extensions */

static void smtp_ehlo(struct ref_conn *c, struct smtp *s, const char *arg,
                      bool extended)
{
    if (*arg == 0) {
        ref_conn_printf(c, "501 5.5.4 Syntax: %s hostname\r\n",
                        extended ? "EHLO" : "HELO");
        return;
    }
    smtp_reset(s);
    snprintf(s->helo, sizeof(s->helo), "%s", arg);
    s->greeted = true;
    if (!extended) {
        ref_conn_printf(c, "250 %s\r\n", c->srv->cfg.hostname);
        return;
    }
    ref_conn_printf(c,
                    "250-%s\r\n250-PIPELINING\r\n250-SIZE %zu\r\n"
                    "250-8BITMIME\r\n",
                    c->srv->cfg.hostname, c->srv->cfg.max_size);
    if (!ref_conn_secure(c))
        ref_conn_printf(c, "250-STARTTLS\r\n");
    if (smtp_is_submission(c) && ref_conn_may_login(c) && s->login[0] == 0)
        ref_conn_printf(c, "250-AUTH PLAIN LOGIN\r\n");
    ref_conn_printf(c, "250 ENHANCEDSTATUSCODES\r\n");
}

/* smtp_mail - MAIL FROM */

static void smtp_mail(struct ref_conn *c, struct smtp *s, const char *arg)
{
    const char *params, *error = NULL;
    struct pk_txn *txn;
    char from[PK_ADDR_MAX + 1];
    unsigned long long size;
    int status;

    if (!s->greeted || s->have_from) {
        ref_conn_printf(c, "503 5.5.1 Bad sequence of commands\r\n");
        return;
    }
    if (smtp_is_submission(c) && s->login[0] == 0) {
        ref_conn_printf(c, "530 5.7.0 Authentication required\r\n");
        return;
    }
    if (ref_smtp_parse_path(arg, "FROM", from, sizeof(from), &params) < 0) {
        ref_conn_printf(c, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
        return;
    }
    size = 0;
    if (strncasecmp(params, "SIZE=", 5) == 0 &&
        sscanf(params + 5, "%19llu", &size) == 1 &&
        size > c->srv->cfg.max_size) {
        ref_conn_printf(c, "552 5.3.4 Message size exceeds fixed limit\r\n");
        return;
    }
    if (s->login[0]) {
        if (from[0] == 0) {
            ref_conn_printf(c, "553 5.7.1 Null sender not allowed here\r\n");
            return;
        }
        if ((status = pk_store_read(c->srv->store, &txn, &error)) == PK_OK) {
            status = pk_sendas_may(txn, s->login, from, &error);
            pk_txn_end(&txn);
        }
        if (status == PK_NOTFOUND) {
            pk_log(PK_LOG_INFO, "%s: %s may not send as %s", c->peer, s->login,
                   from);
            ref_conn_printf(
                c, "553 5.7.1 Sender address not owned by user %s: %s\r\n",
                s->login, error);
            return;
        }
        if (status != PK_OK) {
            smtp_map_status(c, status, error);
            return;
        }
    }
    snprintf(s->from, sizeof(s->from), "%s", from);
    snprintf(s->instance, sizeof(s->instance), "ref.%d.%u", (int)getpid(),
             ++smtp_instances);
    s->size_hint = size;
    s->have_from = true;
    ref_conn_printf(c, "250 2.1.0 Ok\r\n");
}

/* smtp_add_box - remember a final mailbox once */

static bool smtp_add_box(struct smtp *s, const char *box)
{
    void *p;
    size_t i;

    for (i = 0; i < s->box_count; i++)
        if (strcmp(s->boxes[i], box) == 0)
            return (true);
    if ((p = realloc(s->boxes, (s->box_count + 1) * sizeof(*s->boxes))) == NULL)
        return (false);
    s->boxes = p;
    snprintf(s->boxes[s->box_count++], PK_ADDR_MAX + 1, "%s", box);
    return (true);
}

/* smtp_rcpt - RCPT TO: resolve with the core */

static void smtp_rcpt(struct ref_conn *c, struct smtp *s, const char *arg)
{
    struct pk_resolution res;
    struct pk_verdict verdict;
    const char *params, *error = NULL;
    struct pk_txn *txn;
    char rcpt[PK_ADDR_MAX + 1];
    size_t i, boxes = 0, outside = 0;
    int status;

    if (!s->have_from) {
        ref_conn_printf(c, "503 5.5.1 Need MAIL before RCPT\r\n");
        return;
    }
    if (ref_smtp_parse_path(arg, "TO", rcpt, sizeof(rcpt), &params) < 0 ||
        rcpt[0] == 0) {
        ref_conn_printf(c, "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
        return;
    }
    if (s->rcpt_count >= RCPT_MAX) {
        ref_conn_printf(c, "452 4.5.3 Too many recipients\r\n");
        return;
    }
    if ((status = smtp_policy(c, s, "RCPT", rcpt, &verdict, &error)) != PK_OK) {
        smtp_map_status(c, status, error);
        return;
    }
    if (verdict.kind != PK_VERDICT_DUNNO) {
        ref_conn_printf(c, "%d %s <%s>: %s\r\n", verdict.code, verdict.dsn,
                        rcpt, verdict.text);
        return;
    }
    if ((status = pk_store_read(c->srv->store, &txn, &error)) == PK_OK) {
        status = pk_resolve(txn, rcpt, 0, &res, &error);
        pk_txn_end(&txn);
    }
    if (status != PK_OK) {
        smtp_map_status(c, status, error);
        return;
    }
    if (res.kind == PK_KIND_UNKNOWN) {
        ref_conn_printf(c,
                        "550 5.1.1 <%s>: Recipient address rejected: "
                        "User unknown\r\n",
                        rcpt);
    } else if (res.kind == PK_KIND_EXTERNAL) {
        pk_log(PK_LOG_INFO, "%s: refused outside recipient %s (never relayed)",
               c->peer, res.address);
        ref_conn_printf(c, "554 5.7.1 <%s>: Relay access denied\r\n", rcpt);
    } else {
        for (i = 0; i < res.dest_count; i++) {
            if (!res.dest[i].mailbox) {
                pk_log(PK_LOG_INFO,
                       "%s: outside destination %s of %s not relayed", c->peer,
                       res.dest[i].address, res.address);
                outside++;
            } else if (pk_state_may_receive(res.dest[i].state)) {
                if (!smtp_add_box(s, res.dest[i].address))
                    status = PK_ENOMEM;
                boxes++;
            }
        }
        if (status != PK_OK)
            ref_conn_printf(c, "452 4.3.0 Out of memory\r\n");
        else if (boxes > 0) {
            s->rcpt_count++;
            ref_conn_printf(c, "250 2.1.5 Ok\r\n");
        } else if (outside > 0)
            ref_conn_printf(c, "554 5.7.1 <%s>: Relay access denied\r\n", rcpt);
        else
            ref_conn_printf(c, "550 5.2.1 <%s>: Mailbox unavailable\r\n", rcpt);
    }
    pk_resolve_free(&res);
}

/* smtp_command - one command line */

static void smtp_command(struct ref_conn *c, struct smtp *s, char *line)
{
    char *arg = strchr(line, ' ');

    if (s->auth_step != AUTH_NONE) {
        smtp_auth_data(c, s, line);
        return;
    }
    if (arg)
        *arg++ = 0;
    else
        arg = line + strlen(line);
    if (strcasecmp(line, "EHLO") == 0 || strcasecmp(line, "HELO") == 0)
        smtp_ehlo(c, s, arg, toupper((unsigned char)line[0]) == 'E');
    else if (strcasecmp(line, "STARTTLS") == 0) {
        if (ref_conn_secure(c) || *arg)
            ref_conn_printf(c, "503 5.5.1 STARTTLS not available\r\n");
        else if (s->login[0])
            ref_conn_printf(c, "503 5.5.1 STARTTLS not allowed after AUTH\r\n");
        else {
            ref_conn_printf(c, "220 2.0.0 Ready to start TLS\r\n");
            ref_conn_starttls(c);
        }
    } else if (strcasecmp(line, "AUTH") == 0)
        smtp_auth(c, s, arg);
    else if (strcasecmp(line, "MAIL") == 0)
        smtp_mail(c, s, arg);
    else if (strcasecmp(line, "RCPT") == 0)
        smtp_rcpt(c, s, arg);
    else if (strcasecmp(line, "DATA") == 0) {
        if (*arg)
            ref_conn_printf(c, "501 5.5.4 Syntax: DATA\r\n");
        else if (!s->have_from || s->rcpt_count == 0)
            ref_conn_printf(c, "554 5.5.1 No valid recipients\r\n");
        else {
            s->in_data = true;
            s->data_line_start = true;
            s->data_bare = s->data_big = false;
            ref_conn_printf(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
        }
    } else if (strcasecmp(line, "RSET") == 0) {
        smtp_reset(s);
        ref_conn_printf(c, "250 2.0.0 Ok\r\n");
    } else if (strcasecmp(line, "NOOP") == 0)
        ref_conn_printf(c, "250 2.0.0 Ok\r\n");
    else if (strcasecmp(line, "VRFY") == 0)
        ref_conn_printf(c, "252 2.5.2 Cannot VRFY user\r\n");
    else if (strcasecmp(line, "QUIT") == 0) {
        ref_conn_printf(c, "221 2.0.0 Bye\r\n");
        ref_conn_close(c);
    } else
        ref_conn_printf(c, "500 5.5.2 Error: command not recognized\r\n");
}

/* smtp_input - handle every complete command in the buffer */

static void smtp_input(struct ref_conn *c)
{
    struct smtp *s = c->proto_data;
    char line[CMD_MAX];
    size_t len, used;
    int r;

    while (!c->closing && !c->starttls_pending &&
           c->pause_until <= ref_now_ms()) {
        if (s->in_data) {
            smtp_data_input(c, s);
            if (s->in_data)
                return;
            continue;
        }
        r = ref_line_get(c->in, c->in_len, sizeof(line), &len, &used);
        if (r == REF_LINE_MORE)
            return;
        if (r != REF_LINE_OK) {
            ref_conn_printf(
                c, r == REF_LINE_LONG
                       ? "500 5.5.2 Error: line too long\r\n"
                       : "500 5.5.2 Error: bare CR, LF or NUL in command\r\n");
            ref_conn_close(c);
            return;
        }
        memcpy(line, c->in, len);
        line[len] = 0;
        ref_conn_consume(c, used);
        smtp_command(c, s, line);
        pk_wipe(line, len);
    }
}

const struct ref_proto ref_smtp_proto = {
    .start = smtp_start,
    .input = smtp_input,
    .tls_ready = smtp_tls_ready,
    .free = smtp_free,
};
