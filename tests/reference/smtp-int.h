/*++
/* NAME
/*	smtp-int 3h
/* SUMMARY
/*	SMTP session shared by smtp.c, smtpauth.c and smtpdata.c
/* DESCRIPTION
/*	The session of one SMTP connection and the helpers the three files
/*	share: smtp_reset() forgets the mail transaction,
/*	smtp_map_status() is the one place a core error becomes a reply,
/*	smtp_is_submission() tells the 587/465 roles from inbound SMTP,
/*	smtp_policy() asks the core's policy as Postfix would.
/*--*/

#ifndef REF_SMTP_INT_H
#define REF_SMTP_INT_H

#include <stdbool.h>

#include "loop.h"
#include "pk.h"
#include "policy.h"

enum smtp_auth_step {
    AUTH_NONE,
    AUTH_PLAIN,
    AUTH_LOGIN_USER,
    AUTH_LOGIN_PASS,
};

struct smtp {
    bool greeted; /* HELO or EHLO seen */
    bool in_data;
    bool data_line_start;
    bool data_bare;
    bool data_big;
    enum smtp_auth_step auth_step;
    char helo[256];
    char login[PK_ADDR_MAX + 1];
    char auth_user[PK_ADDR_MAX + 1];
    bool have_from;
    char from[PK_ADDR_MAX + 1];
    char (*boxes)[PK_ADDR_MAX + 1]; /* final mailboxes, no duplicates */
    size_t box_count;
    size_t rcpt_count;
    char *data;
    size_t data_len;
    unsigned long long size_hint; /* MAIL SIZE= */
    char instance[64];            /* the transaction, for the policy */
    struct pk_policy_session policy;
};

/* smtp.c */
extern void smtp_reset(struct smtp *);
extern void smtp_map_status(struct ref_conn *, int, const char *);
extern bool smtp_is_submission(const struct ref_conn *);
extern int smtp_policy(struct ref_conn *, struct smtp *, const char *,
                       const char *, struct pk_verdict *, const char **);

/* smtpauth.c */
extern void smtp_auth(struct ref_conn *, struct smtp *, char *);
extern void smtp_auth_data(struct ref_conn *, struct smtp *, const char *);

/* smtpdata.c */
extern void smtp_data_input(struct ref_conn *, struct smtp *);

#endif
