/*++
/* NAME
/*	usage 3h
/* SUMMARY
/*	mailbox usage and last login, in their own LMDB environment
/* SYNOPSIS
/*	#include "usage.h"
/* DESCRIPTION
/*	Mail processes (the Dovecot mail plugin) record each account's
/*	mailbox usage, as Dovecot's quota plugin counts it, and its last
/*	login here. This is a separate LMDB environment, by default the
/*	directory "usage" inside the account database directory
/*	(pk_usage_dir()), so that mail processes can be given write access
/*	to it and nothing else: the account database stays read-only to
/*	them. Losing it only means usage is counted again.
/*
/*	Keys are address keys (pk_addr_key()); values are a type byte
/*	(PK_REC_USAGE), a version byte, then u64 bytes, u64 messages,
/*	u64 last login (seconds), u64 updated (seconds: when the counts
/*	were taken), little-endian. Beside each record that has counts,
/*	the key "\1" + address key holds that time in microseconds (u64),
/*	so that counts taken earlier never overwrite later ones.
/*
/*	pk_usage_open() opens or (PK_STORE_CREATE) creates the environment.
/*	pk_usage_get() answers PK_OK, PK_NOTFOUND (nothing recorded) or an
/*	error. pk_usage_set_quota() stores the bytes and messages counts,
/*	pk_usage_set_login() the last login time; each is one short write
/*	transaction. pk_usage_apply() writes many updates (struct
/*	pk_usage_update: an address and which fields to set) in one
/*	transaction, for writers that gather updates and commit them
/*	together. pk_usage_dir() writes "<dbdir>/usage" into a buffer.
/*--*/

#ifndef PK_USAGE_H
#define PK_USAGE_H

#include <stddef.h>
#include <stdint.h>

#include "pk.h"

#define PK_REC_USAGE 5

struct pk_usage_store;

struct pk_usage {
    uint64_t bytes;
    uint64_t messages;
    uint64_t last_login;
    uint64_t updated;
};

/* What a struct pk_usage_update sets; the other fields are kept. */
#define PK_USAGE_QUOTA (1u << 0) /* bytes and messages (and updated) */
#define PK_USAGE_LOGIN (1u << 1) /* last_login */

struct pk_usage_update {
    const char *address;
    unsigned fields; /* PK_USAGE_QUOTA | PK_USAGE_LOGIN */
    uint64_t bytes;
    uint64_t messages;
    uint64_t last_login;
    uint64_t taken_us; /* when bytes and messages were counted; 0: now */
};

extern const char *pk_usage_dir(const char *, char *, size_t);
extern int pk_usage_open(const char *, unsigned, struct pk_usage_store **,
                         const char **);
extern void pk_usage_close(struct pk_usage_store **);
extern int pk_usage_get(struct pk_usage_store *, const char *,
                        struct pk_usage *, const char **);
extern int pk_usage_set_quota(struct pk_usage_store *, const char *, uint64_t,
                              uint64_t, const char **);
extern int pk_usage_set_login(struct pk_usage_store *, const char *, uint64_t,
                              const char **);
extern uint64_t pk_usage_now_us(void);
extern int pk_usage_apply(struct pk_usage_store *,
                          const struct pk_usage_update *, size_t,
                          const char **);

#endif
