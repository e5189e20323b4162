/*++
/* NAME
/*	pk 3h
/* SUMMARY
/*	status codes, limits, errors and the log sink of libpostkontor
/* SYNOPSIS
/*	#include "pk.h"
/*
/*	const char *pk_strstatus(int status)
/*
/*	const char *pk_error(const char *fmt, ...)
/*
/*	void	pk_log_set_sink(pk_log_sink_fn *sink, void *context)
/*
/*	void	pk_log(enum pk_log_level level, const char *fmt, ...)
/* DESCRIPTION
/*	Every core call returns an int status. PK_OK and PK_NOTFOUND are
/*	answers; negative values are errors. Adapters map a status to their
/*	protocol in exactly one function; a database error (PK_ETEMP,
/*	PK_ECORRUPT) is never reported as "unknown user".
/*
/*	pk_error() formats a message into a thread-local buffer and returns
/*	it. Core calls hand that pointer back through their error_r
/*	argument; it stays valid until the next core call in the same
/*	thread, so a caller that keeps it must copy it.
/*
/*	The core never prints and never exits. It reports through the sink
/*	the host installs with pk_log_set_sink(): Dovecot's log, syslog or
/*	stderr. Without a sink, messages are dropped.
/*--*/

#ifndef PK_H
#define PK_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Status codes. */
#define PK_OK 0          /* found / done */
#define PK_NOTFOUND 1    /* a definite "no such entry" */
#define PK_EINVAL (-1)   /* the input is wrong; nothing was changed */
#define PK_EEXIST (-2)   /* the entry exists already */
#define PK_ETEMP (-3)    /* the database failed; try again later */
#define PK_ECONFIG (-4)  /* the database or its directory is unusable */
#define PK_ECORRUPT (-5) /* a stored record does not decode */
#define PK_ENOMEM (-6)   /* out of memory */
#define PK_ELIMIT (-7)   /* a loop, depth or fan-out limit was hit */
#define PK_EVERSION (-8) /* written by a newer postkontor */

/* RFC 5321 section 4.5.3.1: local part 64, domain 255 (DNS: 253), path 256
 * including the angle brackets, so an address is at most 254 octets. */
#define PK_LOCAL_MAX 64
#define PK_DOMAIN_MAX 253
#define PK_ADDR_MAX 254
/* A database key is "domain" NUL "local". */
#define PK_KEY_MAX (PK_DOMAIN_MAX + 1 + PK_LOCAL_MAX)
/* A stored password hash, scheme prefix included. */
#define PK_HASH_MAX 511
/* Alias expansion limits: nesting depth and final destinations. */
#define PK_RESOLVE_MAX_DEPTH 16
#define PK_RESOLVE_MAX_DEST 1000
/* Destinations of one alias or forward, as stored. */
#define PK_DEST_MAX 1000

extern const char *pk_strstatus(int);
extern const char *pk_error(const char *, ...)
    __attribute__((format(printf, 1, 2)));
extern const char *pk_verror(const char *, va_list);

enum pk_log_level {
    PK_LOG_DEBUG,
    PK_LOG_INFO,
    PK_LOG_WARNING,
    PK_LOG_ERROR,
};

typedef void pk_log_sink_fn(enum pk_log_level, const char *, void *);

extern void pk_log_set_sink(pk_log_sink_fn *, void *);
extern void pk_log(enum pk_log_level, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Wipe a secret so that the compiler cannot drop the store. */
extern void pk_wipe(void *, size_t);

#endif
