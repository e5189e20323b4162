/*++
/* NAME
/*	policy 3h
/* SUMMARY
/*	SMTP policy decisions: sender ownership, states, quotas, limits
/* SYNOPSIS
/*	#include "policy.h"
/* DESCRIPTION
/*	pk_policy_decide() answers one policy request (policyreq.h) with a
/*	verdict: DUNNO (no objection; the MTA's other rules decide),
/*	REJECT or DEFER, with an SMTP reply code, an enhanced status code
/*	(RFC 3463) and a sentence a human understands. Any adapter that
/*	speaks a policy protocol maps the verdict to its protocol.
/*
/*	At RCPT, in this order:
/*
/*	1. policy_context "submission" without a SASL login: REJECT 530
/*	   5.7.0 (a configuration that forgot permit_sasl_authenticated
/*	   must not become an open relay).
/*	2. With a SASL login: the login must be an account whose state may
/*	   send (pk_state_may_send), else REJECT 554 5.7.1; a non-null
/*	   envelope sender must be an address the login may send as
/*	   (pk_sendas_may), else REJECT 553 5.7.1.
/*	3. The recipient, resolved with pk_resolve(): an address in a
/*	   domain of ours that nothing matches is REJECT 550 5.1.1. Each
/*	   final destination is checked: a mailbox whose state may not
/*	   receive is unavailable; a mailbox whose recorded usage
/*	   (usage.h) plus the message size (when the client announced it)
/*	   exceeds its quota (pk_account_quota) is full. If no destination
/*	   can take the message (an alias whose every mailbox is full or
/*	   blocked), the verdict is DEFER 452 4.2.2 when one of them is
/*	   full, else REJECT 550 5.2.1. A destination that can take it
/*	   wins, so one full mailbox does not hold back mail for the
/*	   others of an alias: its copy waits in the queue.
/*	4. The recipient cap: more than max_recipients recipients in one
/*	   message (counted per "instance") is REJECT 452 4.5.3.
/*	5. Rate limits of a SASL login, the account's and its domain's
/*	   (ratelimit.h): one more message, or one more recipient in the
/*	   current message, beyond a limit is DEFER 450 4.7.1, naming the
/*	   limit and when the window ends.
/*
/*	At END-OF-MESSAGE (or DATA, if the policy is called there only)
/*	the message of a SASL login is counted: one message and its
/*	recipients, for the account and for its domain. Any other state
/*	answers DUNNO.
/*
/*	A session (one per connection) holds the message instance, its
/*	recipient count and, for a SASL login, the rate limits in force
/*	(read at the message's first request, so a changed limit applies
/*	from the next message on) between requests;
/*	pk_policy_session_init() starts one. pk_policy_open() opens the
/*	account database read-only, the
/*	usage environment if there is one (it is opened later when it
/*	appears) and the rate limit counters; pk_policy_close() closes all.
/*	pk_policy_flush() stores the rate limit counts counted since the
/*	last flush (see ratelimit.h for what that means for durability): a
/*	daemon calls it about once a second.
/*
/*	The account database is opened with PK_STORE_KEEPSNAPSHOT, so
/*	requests read from one snapshot while nothing changes;
/*	pk_policy_idle() lets it go (store.h): a daemon calls it about once
/*	a second too, also when no request came. Two things are kept per
/*	snapshot (pk_txn_id()), so that they never outlive a change: the
/*	rate limit defaults (ratelimit.h), and the last few recipient
/*	domains, as the requests spelled them, that pk_resolve() found
/*	outside (not a domain of ours): another recipient in such a domain
/*	is outside too, since entries exist only in domains of ours, and
/*	is not resolved again while the snapshot lasts.
/*
/*	pk_policy_decide() answers PK_OK with a verdict, or an error
/*	(PK_ETEMP, PK_ECORRUPT, ...): the adapter must then answer with a
/*	temporary failure, never with a rejection or an acceptance.
/*--*/

#ifndef PK_POLICY_H
#define PK_POLICY_H

#include <stdint.h>

#include "policyreq.h"
#include "ratelimit.h"
#include "store.h"
#include "usage.h"

#define PK_POLICY_TEXT_MAX 400

enum pk_verdict_kind {
    PK_VERDICT_DUNNO,
    PK_VERDICT_REJECT,
    PK_VERDICT_DEFER,
};

struct pk_verdict {
    enum pk_verdict_kind kind;
    int code;     /* 4xx or 5xx; 0 for DUNNO */
    char dsn[10]; /* "5.7.1" */
    char text[PK_POLICY_TEXT_MAX];
};

/* A recipient domain found outside, as of one snapshot. */
#define PK_POLICY_OUTSIDE_MAX 8
struct pk_policy_outside {
    uint64_t snapshot;              /* pk_txn_id() it was found in */
    size_t len;                     /* 0: an empty entry */
    char domain[PK_DOMAIN_MAX + 1]; /* as the request spelled it */
};

struct pk_policy {
    struct pk_store *store;
    struct pk_usage_store *usage; /* NULL until usage is recorded */
    struct pk_ratelimit_store *limits;
    struct pk_ratelimit_cache limit_cache; /* the snapshot's defaults */
    char *usage_dir;
    unsigned max_recipients; /* per message; 0: no cap */
    struct pk_policy_outside outside[PK_POLICY_OUTSIDE_MAX];
    unsigned outside_next; /* the entry to replace next */
};

struct pk_policy_session {
    char instance[64];
    unsigned recipients; /* accepted in this message */
    /* The login's rate limit subjects for this message (instance). */
    char login[PK_ADDR_MAX + 1];       /* "": none read yet */
    struct pk_ratesubject subjects[2]; /* account, domain */
    size_t nsubjects;
};

extern int pk_policy_open(const char *, unsigned, struct pk_policy **,
                          const char **);
extern void pk_policy_close(struct pk_policy **);
extern void pk_policy_session_init(struct pk_policy_session *);
extern int pk_policy_flush(struct pk_policy *, const char **);
extern void pk_policy_idle(struct pk_policy *);
extern int pk_policy_decide(struct pk_policy *, struct pk_policy_session *,
                            const struct pk_policyreq *, uint64_t,
                            struct pk_verdict *, const char **);

#endif
