/*++
/* NAME
/*	maps 3h
/* SUMMARY
/*	lookup tables for Postfix: domain, mailbox, alias, sender
/* SYNOPSIS
/*	#include "maps.h"
/* DESCRIPTION
/*	pk_maps_lookup() answers one lookup of a named table the way
/*	Postfix expects it from virtual(5) tables. Postfix treats a
/*	socketmap as a pattern table and sends only the key as it has it
/*	(any case, a subaddress, an alias domain, a U-label): the lookup
/*	order of virtual(5) is done here, by pk_resolve().
/*
/*	domain	 (virtual_mailbox_domains) a hosted or alias domain:
/*		 PK_OK with its A-label.
/*	mailbox	 (virtual_mailbox_maps) an address that resolves to an
/*		 account that may receive: PK_OK with "domain/local/", the
/*		 layout the Dovecot module uses.
/*	alias	 (virtual_alias_maps) an address of ours that resolves to
/*		 anything but the account with exactly that key: PK_OK with
/*		 every final destination, comma-separated (alias expansion,
/*		 catch-all, alias domain, subaddress, case and forwarding are
/*		 all applied here, so Postfix's own recursion only sees final
/*		 addresses). PK_NOTFOUND for an account spelled exactly as
/*		 stored and not forwarding, so that Postfix goes on to
/*		 mailbox; for an address nothing matches; and for a domain
/*		 that is not ours.
/*	sender	 (smtpd_sender_login_maps) the logins that may send as the
/*		 address, comma-separated: the candidates (the account
/*		 itself, the mailboxes an alias delivers to, holders of an
/*		 explicit grant) each confirmed by pk_sendas_may(), so the
/*		 list says exactly what the policy service enforces. Postfix
/*		 compares the SASL login with each entry and refuses the
/*		 sender for any other login (reject_sender_login_mismatch);
/*		 PK_NOTFOUND means nobody here owns the address.
/*
/*	The value is written NUL-terminated into the caller's buffer. An
/*	answer that does not fit is PK_ELIMIT, never a truncated list. A
/*	key that is not a valid address or domain is PK_NOTFOUND: nothing
/*	of ours can be spelled that way. An unknown table name is
/*	PK_ECONFIG. Store errors pass through unchanged; the caller must
/*	never turn them into "not found".
/*--*/

#ifndef PK_MAPS_H
#define PK_MAPS_H

#include <stddef.h>

#include "store.h"

extern int pk_maps_lookup(struct pk_txn *, const char *, const char *, char *,
                          size_t, const char **);

#endif
