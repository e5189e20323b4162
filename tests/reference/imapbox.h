/*++
/* NAME
/*	imapbox 3h
/* SUMMARY
/*	IMAP mailbox commands of the reference server
/* SYNOPSIS
/*	#include "imapbox.h"
/* DESCRIPTION
/*	imap_box_dir() maps a mailbox name to its Maildir++ directory:
/*	INBOX (any case) is the account's Maildir, "A.B" is "Maildir/.A.B".
/*	A name with "/", a leading, trailing or double ".", a wildcard, a
/*	control or 8-bit character, or longer than 200 bytes is refused.
/*
/*	imap_box_command() runs LIST, LSUB, CREATE, DELETE, RENAME,
/*	SUBSCRIBE, UNSUBSCRIBE, STATUS and APPEND and answers true, or
/*	false for another command. imap_copy() runs COPY and UID COPY,
/*	with COPYUID (RFC 4315). Subscriptions are kept in the Maildir's
/*	"refserver-subscriptions" file.
/*--*/

#ifndef REF_IMAPBOX_H
#define REF_IMAPBOX_H

#include "imap-int.h"

extern bool imap_box_dir(const struct imap *, const struct ref_imap_arg *,
                         char *, size_t);
extern bool imap_box_command(struct ref_conn *, struct imap *, const char *,
                             const char *, const struct ref_imap_arg *, size_t);
extern void imap_copy(struct ref_conn *, struct imap *, const char *,
                      const struct ref_imap_arg *, size_t, bool);
extern void imap_sync(struct ref_conn *, struct imap *, bool);

#endif
