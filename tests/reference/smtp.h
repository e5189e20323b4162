/*++
/* NAME
/*	smtp 3h
/* SUMMARY
/*	SMTP roles of the reference server
/* SYNOPSIS
/*	#include "smtp.h"
/*
/*	extern const struct ref_proto ref_smtp_proto;

/* DESCRIPTION
/*	ref_smtp_proto serves the three SMTP roles of a listener: inbound
/*	(mail for hosted domains, STARTTLS offered, no AUTH), submission
/*	(STARTTLS, then AUTH required before MAIL) and SMTPS (implicit
/*	TLS, AUTH required). Extensions: PIPELINING, SIZE, 8BITMIME,
/*	ENHANCEDSTATUSCODES, STARTTLS, AUTH PLAIN LOGIN.

/* SECURITY
/*	Only CRLF.CRLF ends message data: a bare CR or LF anywhere in the
/*	data makes the message be refused at its end (SMTP smuggling);
/*	a bare CR or LF in a command line closes the connection. Input
/*	after STARTTLS is discarded. Outside addresses are never relayed.
/*--*/

#ifndef REF_SMTP_H
#define REF_SMTP_H

#include <stddef.h>

#include "loop.h"

extern const struct ref_proto ref_smtp_proto;

#endif
