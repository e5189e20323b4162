/*++
/* NAME
/*	clientconfig 3h
/* SUMMARY
/*	mail client settings per domain, and the files clients read
/* SYNOPSIS
/*	#include "clientconfig.h"
/* DESCRIPTION
/*	What a mail client must know to use an account: the server host
/*	names and ports of IMAP, POP3 and submission, per hosted domain.
/*	Settings live in the meta table of the account database:
/*
/*	"client:" A-label ":" name	one setting of one domain
/*
/*	Names: imap-host, pop3-host, smtp-host (host names; default
/*	"mail." domain), imaps-port (993), imap-port (143), pop3s-port
/*	(995), pop3-port (110), submissions-port (465), submission-port
/*	(587) (0: the service is not offered), and name (the provider's
/*	display name; default the domain). Each value is a type byte
/*	(PK_REC_CLIENTCONFIG), a version byte (1) and one str (record.h).
/*
/*	pk_clientconfig_set() stores one setting of a hosted domain after
/*	validating it (a host name is stored as its A-label) and logs the
/*	change; an empty value removes the setting, so the default applies
/*	again. pk_clientconfig_get() answers the settings in force for a
/*	domain (an alias domain answers its target's), defaults filled in.
/*
/*	The generators are pure functions of the settings and the login
/*	address (which must be an address of the domain). Each returns a
/*	malloc()ed, NUL-terminated document the caller frees. Implicit TLS
/*	comes first wherever a format can rank (RFC 8314); a service whose
/*	ports are all 0 is left out (or, in SRV records, announced as not
/*	offered with target ".", RFC 6186 section 3.4).
/*
/*	pk_clientconfig_thunderbird	Mozilla autoconfig XML
(clientConfig 1.1)
/*	pk_clientconfig_autodiscover	Outlook autodiscover (POX) response XML
/*	pk_clientconfig_mobileconfig	Apple configuration profile (XML plist);
/*					identifiers and UUIDs derived from the
/*					address, so the same input gives the
same
/*					profile
/*	pk_clientconfig_srv		RFC 6186/8314 SRV records, zone file
lines
/*	pk_clientconfig_text		setup text for a person (PK_CC_EN,
PK_CC_SV)
/*
/*	pk_clientconfig_sign() signs a document as CMS SignedData (DER),
/*	the form of a signed .mobileconfig, with a certificate, its key
/*	and optional chain certificates, all PEM text in memory.
/* DIAGNOSTICS
/*	PK_EINVAL for a bad domain, setting name or value, an address of
/*	another domain, or a certificate or key that does not load or does
/*	not match; PK_NOTFOUND for a domain that is not hosted; PK_ENOMEM.
/*	Database errors as from pk_txn_get/put/del.
/*--*/

#ifndef PK_CLIENTCONFIG_H
#define PK_CLIENTCONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "pk.h"
#include "store.h"

#define PK_REC_CLIENTCONFIG 8
#define PK_CLIENTCONFIG_NAME_MAX 64 /* display name, bytes */

struct pk_clientconfig {
    char domain[PK_DOMAIN_MAX + 1]; /* A-label */
    char name[PK_CLIENTCONFIG_NAME_MAX + 1];
    char imap_host[PK_DOMAIN_MAX + 1];
    char pop3_host[PK_DOMAIN_MAX + 1];
    char smtp_host[PK_DOMAIN_MAX + 1];
    uint16_t imaps_port, imap_port;
    uint16_t pop3s_port, pop3_port;
    uint16_t submissions_port, submission_port;
};

enum pk_cc_lang {
    PK_CC_EN,
    PK_CC_SV,
};

/* pk_clientconfig_defaults - the settings of a domain with nothing stored */
extern void pk_clientconfig_defaults(const char *, struct pk_clientconfig *);

/* pk_clientconfig_set - store (empty value: remove) one setting */
extern int pk_clientconfig_set(struct pk_txn *, const char *, const char *,
                               const char *, const char **);

/* pk_clientconfig_get - the settings in force for a hosted domain */
extern int pk_clientconfig_get(struct pk_txn *, const char *,
                               struct pk_clientconfig *, const char **);

/* The documents; the address is the login (a full address). */
extern int pk_clientconfig_thunderbird(const struct pk_clientconfig *,
                                       const char *, char **, const char **);
extern int pk_clientconfig_autodiscover(const struct pk_clientconfig *,
                                        const char *, char **, const char **);
extern int pk_clientconfig_mobileconfig(const struct pk_clientconfig *,
                                        const char *, enum pk_cc_lang, char **,
                                        const char **);
extern int pk_clientconfig_srv(const struct pk_clientconfig *, char **,
                               const char **);
extern int pk_clientconfig_text(const struct pk_clientconfig *, const char *,
                                enum pk_cc_lang, char **, const char **);

/* pk_clientconfig_sign - CMS SignedData (DER) of data; chain may be NULL */
extern int pk_clientconfig_sign(const char *, const char *, const char *,
                                const void *, size_t, unsigned char **,
                                size_t *, const char **);

#endif
