/*++
/* NAME
/*	smtpparse 3h
/* SUMMARY
/*	SMTP command argument parser of the reference server
/* SYNOPSIS
/*	#include "smtpparse.h"
/*
/*	int	ref_smtp_parse_path(const char *arg, const char *keyword,
/*				char *addr, size_t addr_sz, const char **params)
/* DESCRIPTION
/*	ref_smtp_parse_path() parses "FROM:<addr> params" or "TO:<addr>
/*	params" (RFC 5321 section 4.1.2, without source routes or quoted
/*	local parts, which no hosted address has): it answers 0, the
/*	address (possibly empty, for the null sender) NUL-terminated in
/*	addr, and a pointer to the parameters; or -1 for a syntax error
/*	or an address that does not fit.
/* SECURITY
/*	The argument comes from the network; nothing is read beyond its
/*	NUL and nothing is written beyond addr_sz bytes.
/*--*/

#ifndef REF_SMTPPARSE_H
#define REF_SMTPPARSE_H

#include <stddef.h>

extern int ref_smtp_parse_path(const char *, const char *, char *, size_t,
                               const char **);

#endif
