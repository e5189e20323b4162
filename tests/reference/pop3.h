/*++
/* NAME
/*	pop3 3h
/* SUMMARY
/*	POP3 roles of the reference server
/* SYNOPSIS
/*	#include "pop3.h"
/*
/*	extern const struct ref_proto ref_pop3_proto;

/* DESCRIPTION
/*	ref_pop3_proto serves POP3 (RFC 1939) with CAPA (RFC 2449), STLS
/*	(RFC 2595) and AUTH PLAIN (RFC 5034), on the 110 role (STLS
/*	offered; no login before TLS except from loopback when configured)
/*	and the 995 role (implicit TLS). The maildrop is the account's
/*	INBOX; DELE marks, and messages are removed only at QUIT.

/* SECURITY
/*	Bare CR or LF, NUL or an overlong line closes the connection;
/*	input after STLS is discarded.
/*--*/

#ifndef REF_POP3_H
#define REF_POP3_H

#include "loop.h"

extern const struct ref_proto ref_pop3_proto;

#endif
