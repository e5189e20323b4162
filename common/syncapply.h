/*++
/* NAME
/*	syncapply 3h
/* SUMMARY
/*	apply directory changes to the local copy, with their sync cookie
/* SYNOPSIS
/*	#include "syncapply.h"
/* DESCRIPTION
/*	A host's LMDB copy of a replicated directory (postkontor-sync)
/*	changes only through pk_syncapply(): one batch of changes, the
/*	sync cookie that covers them and, at the end of a refresh with a
/*	present phase, the set of entries that are still there, all in ONE
/*	pk_store_write() transaction. A crash therefore leaves the copy at
/*	the end of some batch with exactly that batch's cookie, and a
/*	restart resumes from it.
/*
/*	Objects are written as they are in the directory (the directory,
/*	where "postkontor --ldap" validated them, is the authority); the
/*	cross-reference checks of the CLI are not repeated, because during
/*	a refresh a consumer sees entries in no useful order.
/*
/*	Entries are identified by their entryUUID (RFC 4533 deletes and
/*	present sets carry nothing else), so the meta database keeps a map
/*	both ways (record.h):
/*	"sync:uuid:" UUID(16)	-> space(1) name [NUL selector]
/*	"sync:obj:" space name [NUL selector] -> UUID(16)
/*	with space 'd' domains, 'a' addresses, 'k' DKIM keys, 'h'
/*	heartbeats. A put whose UUID held another name (a rename) removes
/*	the old object; a put over a name another UUID held forgets that
/*	UUID, so its later deletion cannot remove the new object.
/*	"sync:cookie:SID" -> the newest CSN seen from server ID SID (three
/*	hex digits, as in the CSN), so a cookie from any provider of the
/*	cluster only ever moves each server's position forward.
/*	"sync:heartbeat:CN" -> u64 pkHeartbeatTime, u64 time applied (both
/*	microseconds, little-endian).
/*
/*	pk_sync_cookie_parse() splits an OpenLDAP cookie
/*	("rid=R,sid=S,csn=CSN;CSN...") into its CSNs and calls a function
/*	with each one's server ID; pk_sync_csn_ok() checks one CSN
/*	("YYYYmmddHHMMSS.uuuuuuZ#cccccc#sss#mmmmmm"). pk_sync_cookie()
/*	rebuilds "csn=CSN;..." from what is stored (empty when nothing is:
/*	a full refresh). pk_sync_csn_time() is a CSN's time in microseconds.
/*	pk_sync_state() reports the stored positions and heartbeats.
/* DIAGNOSTICS
/*	PK_OK; PK_EINVAL (a bad cookie, nothing applied); store errors.
/*--*/

#ifndef PK_SYNCAPPLY_H
#define PK_SYNCAPPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ldapmap.h"
#include "store.h"

#define PK_SYNC_UUID_LEN 16
#define PK_SYNC_CSN_LEN 40
/* CSNs in one cookie: one per server ID of the cluster. */
#define PK_SYNC_CSN_MAX 64
#define PK_SYNC_COOKIE_MAX (PK_SYNC_CSN_MAX * (PK_SYNC_CSN_LEN + 1) + 16)

enum pk_sync_op {
    PK_SYNC_PUT,    /* add or modify: obj is set */
    PK_SYNC_DELETE, /* by UUID only */
};

struct pk_sync_change {
    enum pk_sync_op op;
    unsigned char uuid[PK_SYNC_UUID_LEN];
    struct pk_ldapobj obj;
};

struct pk_sync_batch {
    const struct pk_sync_change *changes;
    size_t count;
    const char *cookie; /* NULL: no new cookie */
    /* End of a present phase: every mapped UUID not in this sorted set
     * (memcmp order) is deleted. */
    bool present_end;
    const unsigned char (*present)[PK_SYNC_UUID_LEN];
    size_t npresent;
};

struct pk_sync_stats {
    size_t put;
    size_t deleted; /* deletes and present-phase removals */
    size_t unknown; /* deletes of UUIDs we never had */
};

struct pk_sync_position {
    unsigned sid;
    char csn[PK_SYNC_CSN_LEN + 1];
};

struct pk_sync_heartbeat {
    char name[PK_ADDR_MAX + 1];
    uint64_t written_us; /* by the provider */
    uint64_t applied_us; /* here */
};

typedef int pk_sync_csn_fn(unsigned, const char *, void *);

extern int pk_syncapply(struct pk_store *, const struct pk_sync_batch *,
                        struct pk_sync_stats *, const char **);
extern bool pk_sync_csn_ok(const char *, size_t);
extern int pk_sync_csn_time(const char *, uint64_t *);
extern int pk_sync_cookie_parse(const char *, pk_sync_csn_fn *, void *,
                                const char **);
extern int pk_sync_cookie(struct pk_txn *, char *, size_t, const char **);
extern int pk_sync_state(struct pk_txn *, struct pk_sync_position *, size_t,
                         size_t *, struct pk_sync_heartbeat *, size_t, size_t *,
                         const char **);

#endif
