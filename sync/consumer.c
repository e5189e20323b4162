/*++
/* NAME
/*	consumer 3
/* SUMMARY
/*	RFC 4533 events folded into batches for pk_syncapply()
/* SYNOPSIS
/*	#include "consumer.h"
/* DESCRIPTION
/*	See consumer.h.
/*--*/

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldap.h>

#include "consumer.h"
#include "ldapmap.h"

/* add_present - remember a UUID the provider says is there */

static int add_present(struct consumer *c, const unsigned char *uuid)
{
    if (c->npresent == c->psize) {
        size_t n = c->psize ? 2 * c->psize : 1024;
        void *p = realloc(c->present, n * PK_SYNC_UUID_LEN);

        if (p == NULL)
            return PK_ENOMEM;
        c->present = p;
        c->psize = n;
    }
    memcpy(c->present[c->npresent++], uuid, PK_SYNC_UUID_LEN);
    return PK_OK;
}

/* add_change - queue one change; obj is moved in */

static struct pk_sync_change *add_change(struct consumer *c, enum pk_sync_op op,
                                         const unsigned char *uuid)
{
    struct pk_sync_change *ch;

    if (c->nchanges == c->size) {
        size_t n = c->size ? 2 * c->size : 256;
        void *p = realloc(c->changes, n * sizeof(*ch));

        if (p == NULL)
            return NULL;
        c->changes = p;
        c->size = n;
    }
    ch = &c->changes[c->nchanges++];
    memset(ch, 0, sizeof(*ch));
    ch->op = op;
    memcpy(ch->uuid, uuid, PK_SYNC_UUID_LEN);
    return ch;
}

static int compare_uuid(const void *a, const void *b)
{
    return memcmp(a, b, PK_SYNC_UUID_LEN);
}

/* now_us - realtime microseconds */

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* trace_batch - each change of a committed batch, with the commit time */

static void trace_batch(const struct consumer *c, uint64_t t0)
{
    uint64_t us = now_us();
    char hex[2 * PK_SYNC_UUID_LEN + 1];

    pk_log(PK_LOG_INFO, "batch of %zu applied in %" PRIu64 " us", c->nchanges,
           us - t0);
    for (size_t i = 0; i < c->nchanges; i++) {
        const struct pk_sync_change *ch = &c->changes[i];

        if (ch->op == PK_SYNC_PUT) {
            pk_log(PK_LOG_INFO, "applied %s %" PRIu64, ch->obj.item.name, us);
            continue;
        }
        for (size_t j = 0; j < PK_SYNC_UUID_LEN; j++)
            snprintf(hex + 2 * j, 3, "%02x", ch->uuid[j]);
        pk_log(PK_LOG_INFO, "applied delete %s %" PRIu64, hex, us);
    }
}

/* consumer_flush - apply the queued changes and the cookie in one transaction */

int consumer_flush(struct consumer *c, const char **error_r)
{
    struct pk_sync_batch b = {.changes = c->changes, .count = c->nchanges};
    struct pk_sync_stats st;
    uint64_t t0 = 0;
    int status;

    /* A cookie inside a refresh would skip what the refresh has still
     * to send after a crash: keep it until the refresh is done. */
    if (c->cookie_new && !c->refreshing)
        b.cookie = c->cookie;
    if (c->present_end) {
        qsort(c->present, c->npresent, PK_SYNC_UUID_LEN, compare_uuid);
        b.present_end = true;
        b.present = (const unsigned char(*)[PK_SYNC_UUID_LEN])c->present;
        b.npresent = c->npresent;
    }
    if (b.count == 0 && b.cookie == NULL && !b.present_end)
        return PK_OK;
    if (c->trace)
        t0 = now_us();
    status = pk_syncapply(c->store, &b, &st, error_r);
    if (status == PK_OK && c->trace)
        trace_batch(c, t0);
    for (size_t i = 0; i < c->nchanges; i++)
        pk_ldapobj_free(&c->changes[i].obj);
    c->nchanges = 0;
    if (status != PK_OK)
        return status;
    c->stored += st.put;
    c->deleted += st.deleted;
    if (c->debug)
        pk_log(PK_LOG_DEBUG, "batch: %zu stored, %zu deleted, %zu unknown%s%s",
               st.put, st.deleted, st.unknown, b.cookie ? ", cookie" : "",
               b.present_end ? ", present set" : "");
    if (b.cookie != NULL)
        c->cookie_new = false;
    if (c->present_end) {
        c->present_end = false;
        c->npresent = 0;
    }
    return PK_OK;
}

/* on_entry - an entry with its sync state */

static int on_entry(struct consumer *c, const struct sync_event *ev,
                    const char **error_r)
{
    struct pk_sync_change *ch;
    struct pk_ldapobj obj;
    int status;

    if (c->refreshing && ev->state != LDAP_SYNC_DELETE &&
        add_present(c, ev->uuid) != PK_OK)
        return PK_ENOMEM;
    if (ev->state == LDAP_SYNC_PRESENT)
        return PK_OK;
    if (ev->state == LDAP_SYNC_DELETE)
        return add_change(c, PK_SYNC_DELETE, ev->uuid) ? PK_OK : PK_ENOMEM;
    status = pk_ldapmap_from_entry(&ev->entry, &obj, error_r);
    if (status == PK_NOTFOUND)
        return PK_OK;
    if (status != PK_OK) {
        /* Never keep a stale version of an entry we cannot read. */
        pk_log(PK_LOG_WARNING, "entry skipped and removed here: %s", *error_r);
        return add_change(c, PK_SYNC_DELETE, ev->uuid) ? PK_OK : PK_ENOMEM;
    }
    if ((ch = add_change(c, PK_SYNC_PUT, ev->uuid)) == NULL) {
        pk_ldapobj_free(&obj);
        return PK_ENOMEM;
    }
    ch->obj = obj;
    return PK_OK;
}

/* consumer_event - fold one event into the consumer state */

int consumer_event(struct consumer *c, const struct sync_event *ev,
                   const char **error_r)
{
    int status = PK_OK;

    if (ev->has_cookie) {
        memcpy(c->cookie, ev->cookie, sizeof(c->cookie));
        c->cookie_new = true;
    }
    switch (ev->type) {
    case SYNC_EV_ENTRY:
        return on_entry(c, ev, error_r);
    case SYNC_EV_COOKIE:
    case SYNC_EV_DONE:
        return PK_OK;
    case SYNC_EV_IDSET:
        for (size_t i = 0; status == PK_OK && i < ev->nuuids; i++) {
            if (ev->deletes)
                status = add_change(c, PK_SYNC_DELETE, ev->uuids[i])
                             ? PK_OK
                             : PK_ENOMEM;
            else if (c->refreshing)
                status = add_present(c, ev->uuids[i]);
        }
        return status;
    case SYNC_EV_PHASE_END:
        /* RFC 4533 3.4.2: after a present phase, what was not present
	 * is gone. A delete phase said what is gone itself. */
        /* A refresh without a cookie (the first, or after "refresh
	 * required") sent everything there is, whatever its end says. */
        if (c->refreshing &&
            (ev->present_phase || (c->full && ev->refresh_done)))
            c->present_end = true;
        if (ev->refresh_done)
            c->refreshing = false;
        if ((status = consumer_flush(c, error_r)) == PK_OK && !c->refreshing)
            pk_log(PK_LOG_INFO, "refresh done: %zu stored, %zu deleted",
                   c->stored, c->deleted);
        return status;
    }
    return PK_OK;
}

/* consumer_start - a new session: refreshing, nothing present yet */

void consumer_start(struct consumer *c, bool full)
{
    c->refreshing = true;
    c->full = full;
    c->present_end = false;
    c->npresent = 0;
    c->cookie_new = false;
    c->stored = c->deleted = 0;
}

/* consumer_drop - forget the queued changes */

void consumer_drop(struct consumer *c)
{
    for (size_t i = 0; i < c->nchanges; i++)
        pk_ldapobj_free(&c->changes[i].obj);
    c->nchanges = 0;
}

/* consumer_free - release the queues */

void consumer_free(struct consumer *c)
{
    consumer_drop(c);
    free(c->changes);
    free(c->present);
    c->changes = NULL;
    c->present = NULL;
}
