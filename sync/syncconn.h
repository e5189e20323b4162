/*++
/* NAME
/*	syncconn 3h
/* SUMMARY
/*	one RFC 4533 refreshAndPersist session with one provider
/* SYNOPSIS
/*	#include "syncconn.h"
/* DESCRIPTION
/*	syncconn_open() connects to a provider (ldap:// URI), binds with
/*	a DN and password and starts a refreshAndPersist search of a base
/*	with a cookie (NULL or empty: a full refresh). Connect, bind and
/*	each network operation are bounded by a timeout.
/*
/*	syncconn_next() waits up to "wait_ms" for the next message and
/*	turns it into a struct sync_event (RFC 4533 section 3.4): an entry
/*	with its sync state and UUID, a syncInfo (new cookie, end of a
/*	refreshDelete or refreshPresent phase, a syncIdSet of UUIDs), or
/*	the end of the search. It answers 1 with an event, 0 when nothing
/*	came in time, -1 when the session is broken. An event's memory
/*	lives until the next syncconn_next() call.
/* SECURITY
/*	Everything from the provider is untrusted: control values are
/*	decoded with bounds, UUIDs must be 16 octets, cookies bounded and
/*	free of NUL.
/*--*/

#ifndef SYNCCONN_H
#define SYNCCONN_H

#include <stdbool.h>
#include <stddef.h>

#include "ldapmap.h"
#include "syncapply.h"

enum sync_event_type {
    SYNC_EV_ENTRY,     /* state, uuid, entry (add/modify) */
    SYNC_EV_COOKIE,    /* a new cookie only */
    SYNC_EV_PHASE_END, /* refreshDelete/refreshPresent */
    SYNC_EV_IDSET,     /* uuids, deletes */
    SYNC_EV_DONE,      /* the search ended: result */
};

struct sync_event {
    enum sync_event_type type;
    int state; /* LDAP_SYNC_PRESENT .. _DELETE */
    unsigned char uuid[PK_SYNC_UUID_LEN];
    struct pk_ldap_entry entry; /* SYNC_EV_ENTRY, add/modify */
    bool has_cookie;
    char cookie[PK_SYNC_COOKIE_MAX + 1];
    bool present_phase;                       /* PHASE_END: refreshPresent */
    bool refresh_done;                        /* PHASE_END */
    bool deletes;                             /* IDSET: refreshDeletes */
    unsigned char (*uuids)[PK_SYNC_UUID_LEN]; /* IDSET */
    size_t nuuids;
    int result; /* DONE: LDAP result code */
};

struct syncconn;

extern struct syncconn *syncconn_open(const char *, const char *, const char *,
                                      const char *, const char *, int,
                                      const char **);
extern int syncconn_next(struct syncconn *, int, struct sync_event *,
                         const char **);
extern void syncconn_close(struct syncconn **);

#endif
