/*++
/* NAME
/*	ldapmap 3h
/* SUMMARY
/*	postkontor objects as LDAP entries (doc/postkontor.schema)
/* SYNOPSIS
/*	#include "ldapmap.h"
/* DESCRIPTION
/*	The one place that knows how an object of the core (a domain, an
/*	alias domain, an account, an alias, a DKIM key) is written as an
/*	entry of the directory described in doc/postkontor.schema, and
/*	back. Pure functions: no LDAP library, no database.
/*
/*	pk_ldapmap_from_entry() turns an entry, as a sync consumer
/*	received it, into a struct pk_ldapobj: a struct pk_item (import.h)
/*	for the four record kinds, plus the account's send-as grants, or
/*	a DKIM key, or a provider heartbeat. The kind comes from the one
/*	postkontor structural object class the entry has; the names that
/*	identify the object come from its attributes, never from the DN.
/*	Every value is validated and normalized with the core's own rules
/*	(pk_addr_parse, pk_dest_normalize, pk_password_check_hash,
/*	pk_state_parse) exactly as an import is. It answers PK_OK,
/*	PK_NOTFOUND for an entry that is not a postkontor object (the
/*	suffix entry, an organizational unit), PK_EINVAL with a message
/*	naming the attribute for anything else. Attribute names compare
/*	case-insensitively; attributes the schema does not define for the
/*	class (operational ones such as entryUUID, entryCSN) are ignored.
/*	The caller frees the result with pk_ldapobj_free().
/*
/*	pk_ldapmap_to_entry() is the other direction, for a writer
/*	("postkontor --ldap"): the object class and attributes of an
/*	object, as owned strings in a struct pk_ldapgen, ready for an LDAP
/*	add or a modify that replaces every attribute; an attribute the
/*	object does not set is listed with no values (a replace with no
/*	values deletes it). Mapping the result back gives the same object.
/*	The caller frees it with pk_ldapgen_free().
/*
/*	pk_ldapmap_mods() is what a writer sends for an object: with add
/*	set, every attribute that has values, as an LDAP add; else the
/*	modifications that take the entry from old to obj and touch
/*	nothing else, so a change made meanwhile through another host to
/*	another attribute, or to another value of a multi-valued one, is
/*	kept: a single-valued attribute that changed is replaced (with no
/*	value: deleted); a multi-valued one (pk_ldapmap_multi()) loses the
/*	values that went and gains the new ones; the object class is never
/*	modified. Without old, every attribute but the class is replaced.
/*	An empty result means the entry does not change. The caller frees
/*	it with pk_ldapmods_free().
/*
/*	pk_ldapmap_dn() makes the DN of an object below a suffix, with
/*	attribute values escaped as RFC 4514 section 2.4 requires; it
/*	answers PK_ELIMIT when the DN does not fit the buffer.
/*
/*	pk_ldapmap_uint() and pk_ldapmap_bool() parse the INTEGER (RFC 4517
/*	section 3.3.16, non-negative, at most 2^64-1) and BOOLEAN (section
/*	3.3.3, "TRUE" or "FALSE") syntaxes.
/* SECURITY
/*	Entries come from the network: every value is bounded, must hold
/*	no NUL, and is checked before it is copied.
/*--*/

#ifndef PK_LDAPMAP_H
#define PK_LDAPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import.h"
#include "dkim.h"
#include "record.h"

/* Longest value we accept for any attribute (a PEM RSA-4096 key fits). */
#define PK_LDAP_VALUE_MAX 16384
/* Values of one multi-valued attribute. */
#define PK_LDAP_VALUES_MAX PK_DEST_MAX

/* One value as the wire gave it: not NUL-terminated, may hold a NUL. */
struct pk_ldap_value {
    const char *data;
    size_t len;
};

struct pk_ldap_attr {
    const char *name; /* attribute description */
    const struct pk_ldap_value *values;
    size_t count;
};

struct pk_ldap_entry {
    const char *dn; /* informational only */
    const struct pk_ldap_attr *attrs;
    size_t count;
};

enum pk_ldap_kind {
    PK_LDAP_DOMAIN,       /* item: PK_ITEM_DOMAIN */
    PK_LDAP_DOMAIN_ALIAS, /* item: PK_ITEM_DOMAIN_ALIAS */
    PK_LDAP_ACCOUNT,      /* item: PK_ITEM_ACCOUNT; sendas */
    PK_LDAP_ALIAS,        /* item: PK_ITEM_ALIAS */
    PK_LDAP_DKIM,         /* item.name: domain; selector; dkim */
    PK_LDAP_HEARTBEAT,    /* item.name: cn; heartbeat_us */
};

struct pk_ldapobj {
    enum pk_ldap_kind kind;
    struct pk_item item;
    bool quota_set;           /* account: pkQuota was present */
    struct pk_strlist sendas; /* account: granted addresses */
    char selector[PK_DKIM_SELECTOR_MAX + 1];
    struct pk_dkimkey dkim; /* key owned, wiped on free */
    uint64_t heartbeat_us;
};

/* An entry made from an object; every string is owned. */
#define PK_LDAPGEN_MAX 12
struct pk_ldapgen {
    size_t count;
    struct {
        const char *name; /* static */
        struct pk_strlist values;
    } attrs[PK_LDAPGEN_MAX];
};

enum pk_ldapmod_op {
    PK_LDAPMOD_ADD,
    PK_LDAPMOD_DELETE,
    PK_LDAPMOD_REPLACE,
};

/* Modifications of one entry; every string is owned. */
struct pk_ldapmods {
    size_t count;
    struct {
        enum pk_ldapmod_op op;
        const char *name; /* static */
        struct pk_strlist values;
    } mods[2 * PK_LDAPGEN_MAX];
};

extern int pk_ldapmap_mods(const struct pk_ldapobj *, const struct pk_ldapobj *,
                           bool, struct pk_ldapmods *, const char **);
extern void pk_ldapmods_free(struct pk_ldapmods *);
extern bool pk_ldapmap_multi(const char *);
extern int pk_ldapmap_to_entry(const struct pk_ldapobj *, struct pk_ldapgen *,
                               const char **);
extern void pk_ldapgen_free(struct pk_ldapgen *);
extern int pk_ldapmap_from_entry(const struct pk_ldap_entry *,
                                 struct pk_ldapobj *, const char **);
extern void pk_ldapobj_free(struct pk_ldapobj *);
extern int pk_ldapmap_dn(enum pk_ldap_kind, const char *, const char *,
                         const char *, char *, size_t, const char **);
extern const char *pk_ldapmap_kind_name(enum pk_ldap_kind);
extern int pk_ldapmap_uint(const char *, size_t, uint64_t *);
extern int pk_ldapmap_bool(const char *, size_t, bool *);

#endif
