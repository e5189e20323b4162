/*++
/* NAME
/*	syncconn 3
/* SUMMARY
/*	one RFC 4533 refreshAndPersist session with one provider
/* SYNOPSIS
/*	#include "syncconn.h"
/* DESCRIPTION
/*	See syncconn.h. Raw controls rather than libldap's ldap_sync_*
/*	helpers: those cannot tell a refreshDelete from a refreshPresent
/*	once refreshDone is set, which decides whether entries not sent
/*	must be deleted (RFC 4533 section 3.4.2).
/* SECURITY
/*	Provider input is untrusted; see syncconn.h.
/*--*/

#include <stdlib.h>
#include <string.h>

#include <lber.h>
#include <ldap.h>

#include "syncconn.h"

#define ATTR_MAX 64       /* attributes of one entry we look at */
#define IDSET_MAX 1000000 /* UUIDs in one syncIdSet */

struct syncconn {
    LDAP *ld;
    int msgid;
    LDAPMessage *msg; /* the message of the last event */
    struct berval **vals[ATTR_MAX];
    char *names[ATTR_MAX];
    struct pk_ldap_value *values[ATTR_MAX];
    struct pk_ldap_attr attrs[ATTR_MAX];
    size_t nattrs;
    unsigned char (*uuids)[PK_SYNC_UUID_LEN];
};

/* release - free what the last event pointed into */

static void release(struct syncconn *c)
{
    for (size_t i = 0; i < c->nattrs; i++) {
        ldap_value_free_len(c->vals[i]);
        ldap_memfree(c->names[i]);
        free(c->values[i]);
    }
    c->nattrs = 0;
    free(c->uuids);
    c->uuids = NULL;
    if (c->msg != NULL)
        ldap_msgfree(c->msg);
    c->msg = NULL;
}

/* syncconn_close - end the session */

void syncconn_close(struct syncconn **cp)
{
    struct syncconn *c = *cp;

    if (c == NULL)
        return;
    release(c);
    if (c->ld != NULL)
        ldap_unbind_ext_s(c->ld, NULL, NULL);
    free(c);
    *cp = NULL;
}

/* request_control - syncRequestValue (RFC 4533 section 2.2) */

static int request_control(const char *cookie, LDAPControl *ctrl)
{
    BerElement *ber = ber_alloc_t(LBER_USE_DER);
    struct berval cb;
    int rc;

    if (ber == NULL)
        return -1;
    if (cookie != NULL && *cookie) {
        cb.bv_val = (char *)cookie;
        cb.bv_len = strlen(cookie);
        rc = ber_printf(ber, "{eO}", (ber_int_t)LDAP_SYNC_REFRESH_AND_PERSIST,
                        &cb);
    } else {
        rc = ber_printf(ber, "{e}", (ber_int_t)LDAP_SYNC_REFRESH_AND_PERSIST);
    }
    if (rc == -1 || ber_flatten2(ber, &ctrl->ldctl_value, 1) == -1) {
        ber_free(ber, 1);
        return -1;
    }
    ber_free(ber, 1);
    ctrl->ldctl_oid = (char *)LDAP_CONTROL_SYNC;
    ctrl->ldctl_iscritical = 1;
    return 0;
}

/* syncconn_open - connect, bind and start the sync search */

struct syncconn *syncconn_open(const char *uri, const char *binddn,
                               const char *password, const char *base,
                               const char *cookie, int timeout_s,
                               const char **error_r)
{
    struct syncconn *c = calloc(1, sizeof(*c));
    struct timeval tv = {timeout_s, 0};
    struct berval cred;
    LDAPControl ctrl = {0}, *ctrls[2] = {&ctrl, NULL};
    int version = LDAP_VERSION3, rc;

    if (c == NULL) {
        *error_r = pk_error("out of memory");
        return NULL;
    }
    if ((rc = ldap_initialize(&c->ld, uri)) != LDAP_SUCCESS) {
        *error_r = pk_error("%s: %s", uri, ldap_err2string(rc));
        goto fail;
    }
    ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(c->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    ldap_set_option(c->ld, LDAP_OPT_TIMEOUT, &tv);
    ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    cred.bv_val = (char *)password;
    cred.bv_len = strlen(password);
    if ((rc = ldap_sasl_bind_s(c->ld, binddn, LDAP_SASL_SIMPLE, &cred, NULL,
                               NULL, NULL)) != LDAP_SUCCESS) {
        *error_r = pk_error("%s: bind: %s", uri, ldap_err2string(rc));
        goto fail;
    }
    if (request_control(cookie, &ctrl) != 0) {
        *error_r = pk_error("cannot encode the sync request");
        goto fail;
    }
    rc = ldap_search_ext(c->ld, base, LDAP_SCOPE_SUBTREE, "(objectClass=*)",
                         NULL, 0, ctrls, NULL, NULL, 0, &c->msgid);
    ber_memfree(ctrl.ldctl_value.bv_val);
    if (rc != LDAP_SUCCESS) {
        *error_r = pk_error("%s: search: %s", uri, ldap_err2string(rc));
        goto fail;
    }
    return c;
fail:
    syncconn_close(&c);
    return NULL;
}

/* take_cookie - a bounded, NUL-free cookie into the event */

static int take_cookie(const struct berval *bv, struct sync_event *ev,
                       const char **error_r)
{
    if (bv->bv_len > PK_SYNC_COOKIE_MAX || memchr(bv->bv_val, 0, bv->bv_len)) {
        *error_r = pk_error("provider sent a bad cookie");
        return -1;
    }
    memcpy(ev->cookie, bv->bv_val, bv->bv_len);
    ev->cookie[bv->bv_len] = 0;
    ev->has_cookie = true;
    return 0;
}

/* entry_event - a search entry with its syncStateValue (section 2.3) */

static int entry_event(struct syncconn *c, struct sync_event *ev,
                       const char **error_r)
{
    LDAPControl **ctrls = NULL, *st;
    BerElement *ber = NULL, *aber = NULL;
    struct berval uuid, cookie;
    ber_int_t state;
    ber_len_t len;
    char *a;
    int ret = -1;

    if (ldap_get_entry_controls(c->ld, c->msg, &ctrls) != LDAP_SUCCESS ||
        (st = ldap_control_find(LDAP_CONTROL_SYNC_STATE, ctrls, NULL)) ==
            NULL ||
        (ber = ber_init(&st->ldctl_value)) == NULL ||
        ber_scanf(ber, "{em", &state, &uuid) == LBER_ERROR ||
        state < LDAP_SYNC_PRESENT || state > LDAP_SYNC_DELETE ||
        uuid.bv_len != PK_SYNC_UUID_LEN) {
        *error_r = pk_error("entry without a valid sync state");
        goto done;
    }
    ev->type = SYNC_EV_ENTRY;
    ev->state = state;
    memcpy(ev->uuid, uuid.bv_val, PK_SYNC_UUID_LEN);
    if (ber_peek_tag(ber, &len) == LDAP_TAG_SYNC_COOKIE) {
        if (ber_scanf(ber, "m", &cookie) == LBER_ERROR ||
            take_cookie(&cookie, ev, error_r) != 0)
            goto done;
    }
    ev->entry.dn = NULL;
    ev->entry.attrs = c->attrs;
    ev->entry.count = 0;
    if (state == LDAP_SYNC_ADD || state == LDAP_SYNC_MODIFY) {
        for (a = ldap_first_attribute(c->ld, c->msg, &aber); a != NULL;
             a = ldap_next_attribute(c->ld, c->msg, aber)) {
            size_t i = c->nattrs, n;

            if (i == ATTR_MAX) {
                ldap_memfree(a);
                continue;
            }
            c->names[i] = a;
            c->vals[i] = ldap_get_values_len(c->ld, c->msg, a);
            n = ldap_count_values_len(c->vals[i]);
            c->values[i] = calloc(n ? n : 1, sizeof(struct pk_ldap_value));
            c->nattrs++;
            if (c->values[i] == NULL) {
                *error_r = pk_error("out of memory");
                goto done;
            }
            for (size_t j = 0; j < n; j++) {
                c->values[i][j].data = c->vals[i][j]->bv_val;
                c->values[i][j].len = c->vals[i][j]->bv_len;
            }
            c->attrs[i].name = a;
            c->attrs[i].values = c->values[i];
            c->attrs[i].count = n;
        }
        ev->entry.count = c->nattrs;
    }
    ret = 1;
done:
    if (aber != NULL)
        ber_free(aber, 0);
    if (ber != NULL)
        ber_free(ber, 1);
    ldap_controls_free(ctrls);
    return ret;
}

/* info_event - a syncInfoValue intermediate response (section 2.5) */

static int info_event(struct syncconn *c, struct sync_event *ev,
                      const char **error_r)
{
    char *oid = NULL;
    struct berval *data = NULL, cookie, *uuids = NULL;
    BerElement *ber = NULL;
    ber_tag_t tag;
    ber_len_t len;
    ber_int_t flag;
    int ret = -1;

    if (ldap_parse_intermediate(c->ld, c->msg, &oid, &data, NULL, 0) !=
            LDAP_SUCCESS ||
        oid == NULL || strcmp(oid, LDAP_SYNC_INFO) != 0 || data == NULL ||
        (ber = ber_init(data)) == NULL) {
        *error_r = pk_error("unexpected intermediate response");
        goto done;
    }
    tag = ber_peek_tag(ber, &len);
    if (tag == LDAP_TAG_SYNC_NEW_COOKIE) {
        ev->type = SYNC_EV_COOKIE;
        if (ber_scanf(ber, "m", &cookie) == LBER_ERROR ||
            take_cookie(&cookie, ev, error_r) != 0)
            goto done;
        ret = 1;
        goto done;
    }
    if (tag != LDAP_TAG_SYNC_REFRESH_DELETE &&
        tag != LDAP_TAG_SYNC_REFRESH_PRESENT && tag != LDAP_TAG_SYNC_ID_SET) {
        *error_r = pk_error("unknown syncInfo");
        goto done;
    }
    if (ber_scanf(ber, "{") == LBER_ERROR)
        goto bad;
    if (ber_peek_tag(ber, &len) == LDAP_TAG_SYNC_COOKIE) {
        if (ber_scanf(ber, "m", &cookie) == LBER_ERROR ||
            take_cookie(&cookie, ev, error_r) != 0)
            goto done;
    }
    flag = tag !=
           LDAP_TAG_SYNC_ID_SET; /* refreshDone TRUE, refreshDeletes FALSE */
    if (ber_peek_tag(ber, &len) == LBER_BOOLEAN &&
        ber_scanf(ber, "b", &flag) == LBER_ERROR)
        goto bad;
    if (tag != LDAP_TAG_SYNC_ID_SET) {
        ev->type = SYNC_EV_PHASE_END;
        ev->present_phase = tag == LDAP_TAG_SYNC_REFRESH_PRESENT;
        ev->refresh_done = flag != 0;
        ret = 1;
        goto done;
    }
    ev->type = SYNC_EV_IDSET;
    ev->deletes = flag != 0;
    if (ber_scanf(ber, "[W]", &uuids) == LBER_ERROR)
        goto bad;
    for (ev->nuuids = 0; uuids != NULL && uuids[ev->nuuids].bv_val != NULL;
         ev->nuuids++)
        if (ev->nuuids >= IDSET_MAX ||
            uuids[ev->nuuids].bv_len != PK_SYNC_UUID_LEN)
            goto bad;
    if ((c->uuids = malloc((ev->nuuids + 1) * PK_SYNC_UUID_LEN)) == NULL) {
        *error_r = pk_error("out of memory");
        goto done;
    }
    for (size_t i = 0; i < ev->nuuids; i++)
        memcpy(c->uuids[i], uuids[i].bv_val, PK_SYNC_UUID_LEN);
    ev->uuids = c->uuids;
    ret = 1;
    goto done;
bad:
    *error_r = pk_error("malformed syncInfo");
done:
    ber_bvarray_free(uuids);
    if (ber != NULL)
        ber_free(ber, 1);
    ber_bvfree(data);
    ldap_memfree(oid);
    return ret;
}

/* syncconn_next - the next event, waiting at most wait_ms */

int syncconn_next(struct syncconn *c, int wait_ms, struct sync_event *ev,
                  const char **error_r)
{
    struct timeval tv = {wait_ms / 1000, (wait_ms % 1000) * 1000};
    int rc, err;

    release(c);
    memset(ev, 0, sizeof(*ev));
    rc = ldap_result(c->ld, c->msgid, LDAP_MSG_ONE, &tv, &c->msg);
    if (rc == 0)
        return 0;
    if (rc < 0) {
        ldap_get_option(c->ld, LDAP_OPT_RESULT_CODE, &err);
        *error_r = pk_error("connection: %s", ldap_err2string(err));
        return -1;
    }
    switch (rc) {
    case LDAP_RES_SEARCH_ENTRY:
        return entry_event(c, ev, error_r);
    case LDAP_RES_INTERMEDIATE:
        return info_event(c, ev, error_r);
    case LDAP_RES_SEARCH_REFERENCE:
        return 0;
    case LDAP_RES_SEARCH_RESULT:
        ev->type = SYNC_EV_DONE;
        if (ldap_parse_result(c->ld, c->msg, &err, NULL, NULL, NULL, NULL, 0) !=
            LDAP_SUCCESS)
            err = LDAP_OTHER;
        ev->result = err;
        return 1;
    default:
        *error_r = pk_error("unexpected message type %d", rc);
        return -1;
    }
}
