/*++
/* NAME
/*	imap 3h
/* SUMMARY
/*	IMAP4rev1 roles of the reference server
/* SYNOPSIS
/*	#include "imap.h"
/*
/*	extern const struct ref_proto ref_imap_proto;
/* DESCRIPTION
/*	ref_imap_proto serves IMAP4rev1 (RFC 3501) with IDLE (RFC 2177),
/*	UIDPLUS (RFC 4315), LITERAL+ (RFC 7888) and SASL-IR (RFC 4959) on
/*	the 143 role (STARTTLS; LOGINDISABLED before TLS except from
/*	loopback when configured) and the 993 role (implicit TLS).
/*	Folders are Maildir++ folders of the account's Maildir; flags are
/*	the Maildir info flags; UIDs persist in a per-folder list.
/* SECURITY
/*	Commands are assembled in a bounded buffer: a literal larger than
/*	the configured limit is refused before its bytes are read (a
/*	non-synchronizing one closes the connection), lines are bounded,
/*	bare CR or LF outside a literal closes the connection, and the
/*	parser bounds nesting and argument counts. Input after STARTTLS is
/*	discarded.
/*--*/

#ifndef REF_IMAP_H
#define REF_IMAP_H

#include "loop.h"

extern const struct ref_proto ref_imap_proto;

#endif
