/*++
/* NAME
/*	linebuf 3h
/* SUMMARY
/*	bounded CRLF line reader for the reference server
/* SYNOPSIS
/*	#include "linebuf.h"
/*
/*	int	ref_line_get(const char *buf, size_t len, size_t max,
/*				size_t *line_len_r, size_t *used_r)
/* DESCRIPTION
/*	ref_line_get() looks for one command line at the start of buf.
/*	A line ends with CRLF and nothing else (RFC 5321 section 2.3.8,
/*	RFC 3501 section 2.2, RFC 1939 section 3). It answers:
/*
/*	REF_LINE_OK: *line_len_r bytes of line (without CRLF) and
/*	*used_r bytes to consume, CRLF included.
/*	REF_LINE_MORE: no complete line yet and fewer than max bytes.
/*	REF_LINE_LONG: max bytes or more without a line end.
/*	REF_LINE_BARE: a CR not followed by LF, or an LF not preceded
/*	by CR, before the line end; *used_r is up to and including it.
/*	REF_LINE_NUL: a NUL byte in the line; *used_r as for BARE.
/* SECURITY
/*	A bare CR or LF is never taken as a line end, so a command cannot
/*	hide inside another one (command injection, SMTP smuggling).
/*--*/

#ifndef REF_LINEBUF_H
#define REF_LINEBUF_H

#include <stddef.h>

#define REF_LINE_OK 0
#define REF_LINE_MORE 1
#define REF_LINE_LONG 2
#define REF_LINE_BARE 3
#define REF_LINE_NUL 4

extern int ref_line_get(const char *, size_t, size_t, size_t *, size_t *);

/* ref_line_skip - bytes up to and including the next LF, 0 if none */
extern size_t ref_line_skip(const char *, size_t);

#endif
