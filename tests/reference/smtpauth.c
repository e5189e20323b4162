/*++
/* NAME
/*	smtpauth 3
/* SUMMARY
/*	SMTP AUTH of the reference server
/* DESCRIPTION
/*	AUTH PLAIN and LOGIN (RFC 4954, RFC 4616), with an initial
/*	response or after "334", "*" to cancel. Only the submission roles
/*	offer it, only after TLS (or from loopback where configured), and
/*	once per session. The login decision is the core's (refauth.c); a
/*	failure is answered after the slowdown of ref_auth_failed().
/*--*/

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "refauth.h"
#include "smtp-int.h"

/* smtp_login - check credentials; answer, with the slowdown on failure */

static void smtp_login(struct ref_conn *c, struct smtp *s, const char *user,
                       char *pass)
{
    const char *error = NULL;
    int status;

    status = ref_auth_login(c->srv->store, user, pass, s->login, &error);
    pk_wipe(pass, strlen(pass));
    if (status == PK_OK) {
        pk_log(PK_LOG_INFO, "%s: smtp login %s", c->peer, s->login);
        ref_conn_printf(c, "235 2.7.0 Authentication successful\r\n");
        return;
    }
    s->login[0] = 0;
    if (status == PK_NOTFOUND) {
        pk_log(PK_LOG_INFO, "%s: smtp login failed", c->peer);
        ref_conn_pause(c, ref_auth_failed(c->peer));
        ref_conn_printf(c, "535 5.7.8 Authentication credentials invalid\r\n");
    } else {
        pk_log(PK_LOG_WARNING, "%s: login: %s", c->peer, error);
        ref_conn_printf(c, "454 4.7.0 Temporary authentication failure\r\n");
    }
}

/* smtp_auth_data - one base64 SASL message of the current step */

void smtp_auth_data(struct ref_conn *c, struct smtp *s, const char *b64)
{
    char buf[REF_SASL_MAX], user[PK_ADDR_MAX + 1], pass[PK_PASSWORD_MAX + 1];
    enum smtp_auth_step step = s->auth_step;
    size_t len;

    s->auth_step = AUTH_NONE;
    if (strcmp(b64, "*") == 0) {
        ref_conn_printf(c, "501 5.7.0 Authentication aborted\r\n");
        return;
    }
    if (!ref_b64_decode(b64, strlen(b64), buf, sizeof(buf), &len)) {
        ref_conn_printf(c, "501 5.5.2 Cannot decode response\r\n");
        return;
    }
    switch (step) {
    case AUTH_PLAIN:
        switch (ref_sasl_plain(buf, len, user, pass)) {
        case REF_SASL_OK:
            smtp_login(c, s, user, pass);
            break;
        case REF_SASL_AUTHZ:
            ref_conn_printf(c, "535 5.7.8 Authorization identity refused\r\n");
            break;
        default:
            ref_conn_printf(c, "501 5.5.2 Malformed PLAIN message\r\n");
        }
        break;
    case AUTH_LOGIN_USER:
        if (len == 0 || len > PK_ADDR_MAX || memchr(buf, 0, len)) {
            ref_conn_printf(c, "501 5.5.2 Bad user name\r\n");
            break;
        }
        memcpy(s->auth_user, buf, len + 1);
        s->auth_step = AUTH_LOGIN_PASS;
        ref_conn_printf(c, "334 UGFzc3dvcmQ6\r\n");
        break;
    case AUTH_LOGIN_PASS:
        if (len == 0 || len > PK_PASSWORD_MAX || memchr(buf, 0, len)) {
            ref_conn_printf(c, "501 5.5.2 Bad password\r\n");
            break;
        }
        memcpy(pass, buf, len + 1);
        smtp_login(c, s, s->auth_user, pass);
        break;
    default:
        break;
    }
    pk_wipe(buf, sizeof(buf));
    pk_wipe(pass, sizeof(pass));
}

/* smtp_auth - AUTH mechanism [initial-response] (RFC 4954) */

void smtp_auth(struct ref_conn *c, struct smtp *s, char *arg)
{
    char *initial = strchr(arg, ' ');

    if (!smtp_is_submission(c) || !s->greeted) {
        ref_conn_printf(c, "503 5.5.1 AUTH not available\r\n");
        return;
    }
    if (s->login[0]) {
        ref_conn_printf(c, "503 5.5.1 Already authenticated\r\n");
        return;
    }
    if (s->have_from) {
        ref_conn_printf(c, "503 5.5.1 AUTH not allowed in a transaction\r\n");
        return;
    }
    if (!ref_conn_may_login(c)) {
        ref_conn_printf(c, "538 5.7.11 Encryption required for requested "
                           "authentication mechanism\r\n");
        return;
    }
    if (initial)
        *initial++ = 0;
    if (strcasecmp(arg, "PLAIN") == 0) {
        s->auth_step = AUTH_PLAIN;
        if (initial == NULL)
            ref_conn_printf(c, "334 \r\n");
        else
            smtp_auth_data(c, s, strcmp(initial, "=") == 0 ? "" : initial);
    } else if (strcasecmp(arg, "LOGIN") == 0) {
        s->auth_step = AUTH_LOGIN_USER;
        if (initial == NULL)
            ref_conn_printf(c, "334 VXNlcm5hbWU6\r\n");
        else
            smtp_auth_data(c, s, initial);
    } else {
        ref_conn_printf(c, "504 5.5.4 Unrecognized authentication type\r\n");
    }
}
