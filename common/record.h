/*++
/* NAME
/*	record 3h
/* SUMMARY
/*	the stored value encoding: one header to read
/* SYNOPSIS
/*	#include "record.h"
/* DESCRIPTION
/*	This header is the contract for every value postkontor stores in
/*	LMDB. Named databases and their keys:
/*
/*	meta	   "schema" -> u32 schema version (PK_SCHEMA_VERSION);
/*		   "delimiter" -> the subaddress delimiter (one byte);
/*		   "client:" domain ":" name -> a mail client setting of
/*		   a hosted domain (clientconfig.h).
/*		   A directory copy (syncapply.h): "sync:cookie:" server
/*		   ID -> the newest CSN applied from that LDAP server;
/*		   "sync:uuid:", "sync:obj:" and "sync:heartbeat:" keys.
/*	domains	   A-label -> domain record.
/*	addresses  domain NUL local -> account or alias record; a catch-all
/*		   is domain NUL (empty local part). One database for both,
/*		   so an address is an account or an alias, never both, and
/*		   one lookup answers either.
/*	sendas	   login key -> granted address keys (MDB_DUPSORT).
/*	dkim	   domain NUL selector -> DKIM key record.
/*	log	   u64 sequence, big-endian -> change log record.
/*
/*	Every value begins with two bytes: the record type and the record
/*	version. Then fields follow in a fixed order for that version:
/*
/*	u8, u32, u64	little-endian integers
/*	str		u16 length, then that many bytes (no NUL; a NUL
/*			inside is corrupt)
/*	list		u16 count, then that many str
/*
/*	Domain, version 2:	u8 kind (1 hosted, 2 alias), str target
/*				(alias domains, else empty), u64 default
/*				quota (bytes, 0 unlimited), u64 created,
/*				u8 flags: bit 0 (PK_DOMAIN_F_CATCHALL) set
/*				when the addresses database holds the
/*				domain's catch-all. pk_domain_put() sets it
/*				from that database, never from the caller,
/*				and every write of a catch-all entry
/*				revises it, so a lookup that finds it clear
/*				needs no catch-all lookup. "check" verifies
/*				it.
/*	Domain, version 1:	as version 2 without flags: read as "may
/*				have a catch-all" (PK_CATCHALL_UNKNOWN), and
/*				written as version 1 again when its struct
/*				says so. pk_domain_put() always knows, so
/*				it writes version 2.
/*	Account, version 1:	u8 state, u64 quota (bytes; 0 unlimited;
/*				PK_QUOTA_DOMAIN: the domain default), str
/*				password hash, list forward, u8 keep copy,
/*				u64 created, u64 changed.
/*	Alias, version 2:	list destinations, u64 created, u64 changed,
/*				hints: u16 count (as many as destinations),
/*				then one octet per destination: 0 no hint;
/*				1 (PK_HINT_MAILBOX): the destination is, at
/*				exactly that address, an account of ours
/*				that does not forward. Writers keep hints
/*				true (pk_entry_put() computes them and
/*				revises the aliases that hint an account
/*				that starts forwarding or stops being an
/*				account), so a lookup that needs no account
/*				state (PK_RESOLVE_NO_STATE) may take a
/*				hinted destination as a final mailbox
/*				without reading it. "check" verifies them.
/*	Alias, version 1:	as version 2 without hints: read, resolved
/*				in full, and written as version 1 again
/*				when its struct holds no hints.
/*	Log, version 1:		u64 time (microseconds), str actor, str
/*				operation, str subject, str detail.
/*	DKIM key, version 1:	u8 algorithm (1 rsa-sha256, 2
/*				ed25519-sha256), u8 active (1: signs new
/*				mail; 0: still published, as during a
/*				rotation), str private key (PEM, PKCS #8),
/*				u64 created.
/*
/*	Times "created" and "changed" are seconds since the epoch (UTC); a
/*	log record's time is in microseconds. Quotas are bytes.
/*
/*	A decoder refuses a version newer than it knows (PK_EVERSION) and
/*	any value with missing or trailing bytes (PK_ECORRUPT): it never
/*	guesses. Decoded values are copies; nothing points into LMDB.
/*--*/

#ifndef PK_RECORD_H
#define PK_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pk.h"

#define PK_SCHEMA_VERSION 1

#define PK_REC_DOMAIN 1
#define PK_REC_ACCOUNT 2
#define PK_REC_ALIAS 3
#define PK_REC_LOG 4
#define PK_REC_DKIM 5

#define PK_QUOTA_DOMAIN UINT64_MAX /* use the domain's default */

/* A list of strings, owned by the struct that holds it. */
struct pk_strlist {
    size_t count;
    char **items;
};

enum pk_domain_kind {
    PK_DOMAIN_HOSTED = 1,
    PK_DOMAIN_ALIAS = 2,
};

/* What a domain record says of the domain's catch-all. */
enum pk_domain_catchall {
    PK_CATCHALL_UNKNOWN = 0, /* a version 1 record: it may have one */
    PK_CATCHALL_NONE = 1,
    PK_CATCHALL_PRESENT = 2,
};

struct pk_domain {
    enum pk_domain_kind kind;
    char target[PK_DOMAIN_MAX + 1];
    uint64_t default_quota;
    uint64_t created;
    enum pk_domain_catchall catchall; /* set by pk_domain_put() */
};

#define PK_DOMAIN_F_CATCHALL (1 << 0) /* domain record flags */

enum pk_account_state {
    PK_STATE_ACTIVE = 0,
    PK_STATE_SUSPENDED = 1,       /* no login; mail still received */
    PK_STATE_SEND_BLOCKED = 2,    /* login and receive; no sending */
    PK_STATE_RECEIVE_BLOCKED = 3, /* login and send; no receiving */
    PK_STATE_DISABLED = 4,        /* nothing */
};

struct pk_account {
    enum pk_account_state state;
    uint64_t quota;
    char password[PK_HASH_MAX + 1];
    struct pk_strlist forward;
    bool keep_copy;
    uint64_t created;
    uint64_t changed;
};

struct pk_alias {
    struct pk_strlist dest;
    uint64_t created;
    uint64_t changed;
    unsigned char *hints; /* dest.count octets; NULL: none, version 1 */
};

/* An alias destination hint: none, or a final mailbox. */
#define PK_HINT_NONE 0
#define PK_HINT_MAILBOX 1

/* An entry of the addresses database: an account or an alias. */
struct pk_entry {
    int type; /* PK_REC_ACCOUNT or PK_REC_ALIAS */
    union {
        struct pk_account account;
        struct pk_alias alias;
    } u;
};

struct pk_logrec {
    uint64_t time_us;
    char *actor;
    char *op;
    char *subject;
    char *detail;
};

enum pk_dkim_alg {
    PK_DKIM_RSA_SHA256 = 1,
    PK_DKIM_ED25519_SHA256 = 2,
};

/* A DKIM key as stored; the private key is owned and wiped on free. */
struct pk_dkimkey {
    enum pk_dkim_alg alg;
    bool active;
    char *key;
    uint64_t created;
};

/* A growable output buffer. */
struct pk_buf {
    unsigned char *data;
    size_t len;
    size_t size;
    bool failed; /* an allocation failed */
};

extern void pk_buf_free(struct pk_buf *);

extern int pk_record_encode_domain(const struct pk_domain *, struct pk_buf *);
extern int pk_record_decode_domain(const void *, size_t, struct pk_domain *);
extern int pk_record_encode_entry(const struct pk_entry *, struct pk_buf *);
extern int pk_record_decode_entry(const void *, size_t, struct pk_entry *);
extern void pk_entry_free(struct pk_entry *);

/*
 * A view of an encoded account or alias, for lookups: it is checked
 * exactly as pk_record_decode_entry() checks, but copies nothing; its
 * pointers are into the value and valid as long as the value is (for a
 * value read from LMDB: until the transaction ends). The list holds
 * "count" strings, each a u16 length and its octets, read one after
 * the other with pk_view_next(); hints is NULL or count octets.
 */
struct pk_entry_view {
    int type;                    /* PK_REC_ACCOUNT or PK_REC_ALIAS */
    enum pk_account_state state; /* accounts */
    bool keep_copy;              /* accounts */
    size_t count;                /* forwards or destinations */
    const unsigned char *list;
    const unsigned char *hints; /* aliases */
};

extern int pk_record_view_entry(const void *, size_t, struct pk_entry_view *);

/* pk_view_next - the next string of a view's list; advances *pos */
static inline const char *pk_view_next(const unsigned char **pos, size_t *len_r)
{
    const unsigned char *p = *pos;

    *len_r = (size_t)p[0] | (size_t)p[1] << 8;
    *pos = p + 2 + *len_r;
    return (const char *)p + 2;
}
extern int pk_record_encode_log(const struct pk_logrec *, struct pk_buf *);
extern int pk_record_decode_log(const void *, size_t, struct pk_logrec *);
extern void pk_logrec_free(struct pk_logrec *);
extern int pk_record_encode_dkim(const struct pk_dkimkey *, struct pk_buf *);
extern int pk_record_decode_dkim(const void *, size_t, struct pk_dkimkey *);
extern void pk_dkimkey_free(struct pk_dkimkey *);

/* String lists: add a copy, find, remove, free. */
extern int pk_strlist_add(struct pk_strlist *, const char *);
extern bool pk_strlist_has(const struct pk_strlist *, const char *);
extern bool pk_strlist_remove(struct pk_strlist *, const char *);
extern void pk_strlist_free(struct pk_strlist *);

extern const char *pk_state_name(enum pk_account_state);
extern int pk_state_parse(const char *, enum pk_account_state *);

#endif
