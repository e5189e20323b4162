/*++
/* NAME
/*	smtpdata 3
/* SUMMARY
/*	SMTP message data and delivery of the reference server
/* DESCRIPTION
/*	smtp_data_input() reads message data after DATA: only CRLF "."
/*	CRLF ends it (RFC 5321 section 4.1.1.4); a bare CR or LF anywhere
/*	is kept as data and makes the message be refused at its end, so
/*	no variant of a line end can smuggle a second transaction. Lines
/*	are dot-unstuffed; the size limit is enforced while reading.
/*
/*	At the end, an authenticated message must name one header From
/*	the login may send as (pk_header_from_message(), pk_sendas_may()),
/*	then the message is written durably into each final mailbox
/*	(maildir.c) and counted by the core's policy.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "header.h"
#include "linebuf.h"
#include "maildir.h"
#include "sendas.h"
#include "smtp-int.h"

/* smtp_header_from - a login's message names one author it may send as */

static bool smtp_header_from(struct ref_conn *c, struct smtp *s)
{
    const char *error = NULL;
    struct pk_addr addr;
    struct pk_txn *txn;
    char from[PK_ADDR_MAX + 1];
    int status;

    if (s->login[0] == 0)
        return (true);
    if ((status = pk_header_from_message(s->data ? s->data : "", s->data_len,
                                         &addr, &error)) == PK_EINVAL) {
        ref_conn_printf(c, "550 5.7.1 Header From refused: %s\r\n", error);
        return (false);
    }
    if (status == PK_OK &&
        (status = pk_store_read(c->srv->store, &txn, &error)) == PK_OK) {
        pk_addr_format(&addr, from);
        status = pk_sendas_may(txn, s->login, from, &error);
        pk_txn_end(&txn);
        if (status == PK_NOTFOUND) {
            pk_log(PK_LOG_INFO, "%s: %s may not send as header From %s",
                   c->peer, s->login, from);
            ref_conn_printf(
                c, "550 5.7.1 Header From <%s> not owned by user %s\r\n", from,
                s->login);
            return (false);
        }
    }
    if (status != PK_OK) {
        smtp_map_status(c, status, error);
        return (false);
    }
    return (true);
}

/* smtp_deliver - write the message into every mailbox */

static void smtp_deliver(struct ref_conn *c, struct smtp *s)
{
    char head[1024], date[64], dir[REF_PATH_MAX];
    struct pk_verdict verdict;
    const char *error = NULL;
    time_t now = time(NULL);
    size_t i, done = 0;
    int n, status = PK_OK;

    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", gmtime(&now));
    n = snprintf(
        head, sizeof(head),
        "Return-Path: <%s>\r\n"
        "Received: from %.200s ([%s])\r\n\tby %s (postkontor-refserver)"
        " with ESMTP%s%s;\r\n\t%s\r\n",
        s->from, s->helo, c->peer, c->srv->cfg.hostname,
        ref_conn_secure(c) ? "S" : "", s->login[0] ? "A" : "", date);
    for (i = 0; i < s->box_count && status == PK_OK; i++) {
        if (ref_maildir_path(c->srv->cfg.maildir, s->boxes[i], dir,
                             sizeof(dir)) != PK_OK) {
            pk_log(PK_LOG_WARNING, "%s: no Maildir path for %s", c->peer,
                   s->boxes[i]);
            continue;
        }
        status = ref_maildir_store(dir, head, n, s->data ? s->data : "",
                                   s->data_len, NULL, NULL, 0, &error);
        if (status == PK_OK)
            done++;
    }
    if (status != PK_OK) {
        pk_log(PK_LOG_ERROR, "%s: delivery failed: %s", c->peer, error);
        ref_conn_printf(c, "451 4.3.0 Local delivery failed\r\n");
    } else if (done == 0) {
        ref_conn_printf(c, "554 5.3.0 No mailbox could take the message\r\n");
    } else {
        pk_log(PK_LOG_INFO,
               "%s: from=<%s> delivered to %zu mailbox(es), %zu bytes", c->peer,
               s->from, done, s->data_len);
        ref_conn_printf(c, "250 2.0.0 Ok: delivered to %zu mailbox(es)\r\n",
                        done);
        /* Count the message for the rate limits, as Postfix's policy would. */
        if (smtp_policy(c, s, "END-OF-MESSAGE", NULL, &verdict, &error) !=
            PK_OK)
            pk_log(PK_LOG_WARNING, "%s: policy count: %s", c->peer, error);
    }
}

/* smtp_data_append - keep message bytes within the size limit */

static void smtp_data_append(struct ref_conn *c, struct smtp *s, const char *p,
                             size_t n)
{
    char *q;

    if (s->data_big || s->data_len + n > c->srv->cfg.max_size) {
        s->data_big = true;
        return;
    }
    if ((q = realloc(s->data, s->data_len + n + 1)) == NULL) {
        s->data_big = true;
        return;
    }
    s->data = q;
    memcpy(s->data + s->data_len, p, n);
    s->data_len += n;
}

/* smtp_data_input - message data; only CRLF.CRLF ends it */

void smtp_data_input(struct ref_conn *c, struct smtp *s)
{
    size_t len, used;
    int r;

    while (s->in_data) {
        r = ref_line_get(c->in, c->in_len, sizeof(c->in), &len, &used);
        if (r == REF_LINE_MORE)
            return;
        if (r == REF_LINE_OK && s->data_line_start && len == 1 &&
            c->in[0] == '.') {
            ref_conn_consume(c, used);
            s->in_data = false;
            if (s->data_bare)
                ref_conn_printf(c, "550 5.6.0 Bare CR or LF in message data "
                                   "refused\r\n");
            else if (s->data_big)
                ref_conn_printf(c, "552 5.3.4 Message size exceeds fixed "
                                   "limit\r\n");
            else if (smtp_header_from(c, s))
                smtp_deliver(c, s);
            smtp_reset(s);
            return;
        }
        if (r == REF_LINE_OK) {
            size_t skip = (s->data_line_start && c->in[0] == '.') ? 1 : 0;

            smtp_data_append(c, s, c->in + skip, used - skip);
            s->data_line_start = true;
        } else {
            /* A bare CR or LF, a NUL, or a long line: data, never an end. */
            if (r == REF_LINE_LONG)
                used = c->in_len - (c->in[c->in_len - 1] == '\r');
            if (r == REF_LINE_BARE)
                s->data_bare = true;
            smtp_data_append(c, s, c->in, used);
            s->data_line_start = false;
        }
        ref_conn_consume(c, used);
    }
}
