/*++
/* NAME
/*	filter 3h
/* SUMMARY
/*	the milter's decisions, without libmilter
/* SYNOPSIS
/*	#include "filter.h"
/* DESCRIPTION
/*	The test seam of postkontor-milter: a per-message state machine
/*	fed the events an MTA sends (client, login, header fields, end
/*	of header, body pieces, end of message) and answering with a
/*	filter_reply. milter.c only moves libmilter's callbacks into it;
/*	tests feed it directly.
/*
/*	filter_init() sets up the shared part (configuration, database,
/*	key cache). The database is opened on first use and again after
/*	a failure, so a milter started before the database exists, or
/*	while it cannot be read, answers "temporary failure" (or, with
/*	db_tempfail off, lets mail through unchecked and unsigned) until
/*	it can.
/*
/*	Per message: filter_msg_new() with whether the client is internal
/*	(its address is in the internal networks) and the SASL login or
/*	NULL. Then:
/* .IP \(bu
/*	a login's mail must have exactly one From field whose address the
/*	login may send as (pk_sendas_may()); else 550 5.7.1 with why;
/* .IP \(bu
/*	a login's mail, and mail from an internal client, is signed
/*	with the active DKIM key of the From address's domain, if it has
/*	one; other mail is left alone;
/* .IP \(bu
/*	a database error is 451 4.3.0 (or, with db_tempfail off, the
/*	message passes unchecked and unsigned, with a warning).
/* .PP
/*	filter_end() returns the DKIM-Signature value to insert, if any.
/*	Memory per message is bounded: the From field and the signed
/*	fields are limited (header.h, dkim.h); the body is hashed as it
/*	arrives.
/*--*/

#ifndef PK_FILTER_H
#define PK_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dkim.h"
#include "header.h"
#include "store.h"

enum filter_action {
    FILTER_CONTINUE, /* keep sending events */
    FILTER_ACCEPT,   /* nothing more to do for this message */
    FILTER_REJECT,   /* 5xx */
    FILTER_TEMPFAIL, /* 4xx */
};

struct filter_reply {
    enum filter_action action;
    const char *rcode; /* "550" */
    const char *xcode; /* "5.7.1" */
    char text[300];
};

struct filter_config {
    const char *db_dir;
    bool db_tempfail;  /* fail closed when the database cannot be read */
    bool sign;         /* DKIM-sign */
    bool check_from;   /* header From ownership */
    const char *eol;   /* line break in inserted fields */
    size_t line_limit; /* the MTA breaks longer body lines; 0: it does not */
};

struct filter_msg;

/* filter_init - the shared state; fails only when memory runs out */
extern int filter_init(const struct filter_config *, const char **);

/* filter_deinit - close the database and free the key cache */
extern void filter_deinit(void);

/* filter_msg_new - start a message */
extern struct filter_msg *filter_msg_new(bool, const char *);

/* filter_header - one header field */
extern void filter_header(struct filter_msg *, const char *, const char *,
                          struct filter_reply *);

/* filter_eoh - the end of the header: decide From, find the key */
extern void filter_eoh(struct filter_msg *, struct filter_reply *);

/* filter_body - one piece of the body */
extern void filter_body(struct filter_msg *, const void *, size_t,
                        struct filter_reply *);

/* filter_end - the end of the message; *dkim_r is malloc'd or NULL */
extern void filter_end(struct filter_msg *, time_t, char **,
                       struct filter_reply *);

/* filter_msg_free - end a message */
extern void filter_msg_free(struct filter_msg **);

#endif
