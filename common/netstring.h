/*++
/* NAME
/*	netstring 3h
/* SUMMARY
/*	netstring framing for the socketmap protocol
/* SYNOPSIS
/*	#include "netstring.h"
/* DESCRIPTION
/*	A netstring is "<length>:<bytes>," with the length in decimal
/*	ASCII (D. J. Bernstein, "Netstrings", 1997). Postfix's socketmap
/*	client (dict_sockmap) sends one request per netstring and reads
/*	one reply per netstring.
/*
/*	pk_netstring_parse() looks at the bytes received so far. It answers
/*	PK_OK with the payload (a pointer into the input, not terminated)
/*	and the number of bytes the whole netstring took; PK_NOTFOUND when
/*	the bytes so far are a valid beginning that needs more input; or
/*	PK_EINVAL (not a netstring: a non-digit, a leading zero, a missing
/*	":" or ",") or PK_ELIMIT (the length exceeds max). A caller can
/*	therefore reject an oversized request after reading at most its
/*	length prefix, never buffering the payload.
/*
/*	pk_netstring_format() writes a netstring into a buffer and returns
/*	its length, or 0 when it does not fit. pk_netstring_head() writes
/*	only the "<length>:" that starts one, at most PK_NETSTRING_HEAD_MAX
/*	bytes, and returns its length: a caller that writes the payload
/*	and the "," itself saves copying the payload.
/*
/*	pk_socketmap_split() splits a socketmap request payload "<name>
/*	<key>" at the first space. The name is 1 to PK_SOCKETMAP_NAME_MAX
/*	lowercase letters, digits, "-" or "_"; the key is 1 to
/*	PK_SOCKETMAP_KEY_MAX bytes with no NUL, CR or LF. Both are copied,
/*	NUL-terminated, into the caller's buffers. PK_EINVAL otherwise.
/* SECURITY
/*	The input comes from a socket: every length is checked before it
/*	is used, and the digit count is bounded so that it cannot
/*	overflow.
/*--*/

#ifndef PK_NETSTRING_H
#define PK_NETSTRING_H

#include <stddef.h>

#include "pk.h"

/* Postfix's limits (dict_sockmap.c): requests and replies. */
#define PK_NETSTRING_HEAD_MAX 21 /* 20 digits of a 64-bit length and ":" */
#define PK_SOCKETMAP_REQUEST_MAX 10000
#define PK_SOCKETMAP_REPLY_MAX 100000
#define PK_SOCKETMAP_NAME_MAX 32
#define PK_SOCKETMAP_KEY_MAX 1024

extern int pk_netstring_parse(const char *, size_t, size_t, const char **,
                              size_t *, size_t *);
extern size_t pk_netstring_format(char *, size_t, const char *, size_t);
extern size_t pk_netstring_head(char *, size_t);
extern int pk_socketmap_split(const char *, size_t,
                              char[PK_SOCKETMAP_NAME_MAX + 1],
                              char[PK_SOCKETMAP_KEY_MAX + 1]);

#endif
