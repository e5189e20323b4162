/*++
/* NAME
/*	header 3h
/* SUMMARY
/*	the one author address of a message: its From header field
/* SYNOPSIS
/*	#include "header.h"
/*
/*	int	pk_header_from_value(const char *value, size_t len,
/*			struct pk_addr *addr_r, const char **error_r)
/*
/*	void	pk_header_from_init(struct pk_header_from *from)
/*
/*	void	pk_header_from_field(struct pk_header_from *from,
/*			const char *name, const char *value, size_t len)
/*
/*	int	pk_header_from_result(const struct pk_header_from *from,
/*			struct pk_addr *addr_r, const char **error_r)
/*
/*	int	pk_header_from_message(const char *header, size_t len,
/*			struct pk_addr *addr_r, const char **error_r)
/* DESCRIPTION
/*	A message sent by a logged-in user must name exactly one author,
/*	and that author must be unambiguous to every mail reader. These
/*	functions decide what the author address is, or refuse the message.
/*	The milter and the reference SMTP server share them.
/*
/*	pk_header_from_value() parses the body of one From field (the text
/*	after the colon, folding included) as RFC 5322 section 3.6.2 and
/*	3.4 describe it, and accepts only one mailbox: a bare addr-spec or
/*	an optional display name and one angle-addr. It refuses:
/* .IP \(bu
/*	several addresses (a top-level comma, or a second angle-addr);
/* .IP \(bu
/*	group syntax (a top-level colon or semicolon) and source routes;
/* .IP \(bu
/*	a display name or comment that shows an address other than the
/*	real one, in clear text, in a quoted string or inside an RFC 2047
/*	encoded word ("=?utf-8?B?...?="), including the full-width and
/*	small commercial-at signs of Unicode;
/* .IP \(bu
/*	an address pk_addr_parse() refuses (quoted local parts, address
/*	literals, encoded words in the address itself);
/* .IP \(bu
/*	control characters, a NUL, a line break not followed by white
/*	space, unbalanced quotes, comments or brackets, and a value longer
/*	than PK_HEADER_FROM_MAX octets.
/* .PP
/*	The address is returned normalized (struct pk_addr).
/*
/*	pk_header_from_init(), pk_header_from_field() and
/*	pk_header_from_result() apply the rule "exactly one From field"
/*	to a stream of header fields, as a milter sees them: feed every
/*	field, then ask for the result. Fields not named From (case-
/*	insensitive) are ignored. The state is a fixed-size struct; it
/*	holds its own copy of the first error message.
/*
/*	pk_header_from_message() does the same for a whole header section
/*	as an SMTP server receives it: fields separated by CRLF or LF,
/*	continuation lines starting with white space, ending at the first
/*	empty line or the end of the input.
/* DIAGNOSTICS
/*	PK_OK with *addr_r set; PK_EINVAL with a message for the sender in
/*	*error_r (see pk_error()); PK_ENOMEM.
/* SECURITY
/*	All input is untrusted: it comes from whoever submits a message.
/*	Nothing is allocated in proportion to the input; nesting of
/*	comments is limited.
/*--*/

#ifndef PK_HEADER_H
#define PK_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "pk.h"

/* The longest From field value accepted, folding included. */
#define PK_HEADER_FROM_MAX 4096

/* The running verdict over the header fields of one message. */
struct pk_header_from {
    unsigned count;      /* From fields seen */
    int status;          /* of the first From field, or the first error */
    struct pk_addr addr; /* the address of the first From field */
    char error[256];     /* the message for a failure */
};

/* pk_header_from_value - the one mailbox of a From field value */
extern int pk_header_from_value(const char *, size_t, struct pk_addr *,
                                const char **);

/* pk_header_from_init - start a message */
extern void pk_header_from_init(struct pk_header_from *);

/* pk_header_from_field - feed one header field */
extern void pk_header_from_field(struct pk_header_from *, const char *,
                                 const char *, size_t);

/* pk_header_from_result - the author address, or why there is none */
extern int pk_header_from_result(const struct pk_header_from *,
                                 struct pk_addr *, const char **);

/* pk_header_from_message - the author address of a whole header section */
extern int pk_header_from_message(const char *, size_t, struct pk_addr *,
                                  const char **);

#endif
