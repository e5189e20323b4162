/*++
/* NAME
/*	consumer 3h
/* SUMMARY
/*	RFC 4533 events folded into batches for pk_syncapply()
/* SYNOPSIS
/*	#include "consumer.h"
/* DESCRIPTION
/*	consumer_event() takes one event of a session (syncconn.h) and
/*	queues what it means: an entry mapped with pk_ldapmap_from_entry()
/*	(PK_SYNC_PUT), a deletion (PK_SYNC_DELETE), a UUID that is present,
/*	a new cookie. At the end of a present phase (RFC 4533 section
/*	3.4.2), or of a refresh that began without a cookie, everything not
/*	present is to be deleted. consumer_flush() applies what is queued in
/*	one transaction; a cookie is held back while a refresh is still
/*	running, so that a crash never stores a position ahead of the data.
/*	consumer_start() resets the per-session state; consumer_drop()
/*	forgets what is queued (a session that failed); consumer_free()
/*	releases everything.
/*
/*	Counts: "stored" and "deleted" add up what the session applied
/*	("refresh done" reports them, so a restart's resend can be
/*	measured). With "debug" each batch is logged with its counts;
/*	with "trace" each applied change is logged with the time of its
/*	commit (microseconds since the epoch), for latency measurements.
/*--*/

#ifndef CONSUMER_H
#define CONSUMER_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"
#include "syncapply.h"
#include "syncconn.h"

/* The consumer's state across events of one session. */
struct consumer {
    struct pk_store *store;
    struct pk_sync_change *changes;
    size_t nchanges, size;
    unsigned char (*present)[PK_SYNC_UUID_LEN];
    size_t npresent, psize;
    bool refreshing;  /* before refreshDone */
    bool full;        /* a refresh without a cookie */
    bool present_end; /* apply the present set at flush */
    char cookie[PK_SYNC_COOKIE_MAX + 1];
    bool cookie_new;
    size_t stored, deleted; /* this session */
    bool debug, trace;
};

extern void consumer_start(struct consumer *, bool);
extern int consumer_event(struct consumer *, const struct sync_event *,
                          const char **);
extern int consumer_flush(struct consumer *, const char **);
extern void consumer_drop(struct consumer *);
extern void consumer_free(struct consumer *);

#endif
