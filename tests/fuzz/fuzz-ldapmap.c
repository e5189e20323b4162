/*++
/* NAME
/*	fuzz-ldapmap 1
/* SUMMARY
/*	libFuzzer target for LDAP entries and sync cookies (common/ldapmap.c,
/*	common/syncapply.c)
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds] ldapmap
/* DESCRIPTION
/*	The input is an entry, one "attribute:value" per line (a value may
/*	hold any octet but LF, NUL included); it goes to
/*	pk_ldapmap_from_entry(), and the whole input to
/*	pk_sync_cookie_parse() as a cookie. Invariants: a mapped object has
/*	NUL-terminated, bounded names that map again to themselves (the
/*	names are normalized), a DN can be made for it, and every CSN a
/*	cookie yields is well-formed. Any other outcome aborts.
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldapmap.h"
#include "syncapply.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXATTR 32

/* check - abort on a broken invariant */

static void check(int ok)
{
    if (!ok)
        abort();
}

/* csn_seen - every CSN handed out is well-formed */

static int csn_seen(unsigned sid, const char *csn, void *ctx)
{
    check(pk_sync_csn_ok(csn, strlen(csn)) && sid <= 0xfff);
    return PK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char names[MAXATTR][64];
    struct pk_ldap_value values[MAXATTR];
    struct pk_ldap_attr attrs[MAXATTR];
    struct pk_ldap_entry e = {.dn = "fuzz", .attrs = attrs};
    struct pk_ldapobj obj;
    const char *err = NULL, *p = (const char *)data, *end = p + size;
    char *cookie, dn[1024];
    int status;

    while (p < end && e.count < MAXATTR) {
        const char *nl = memchr(p, '\n', end - p), *stop = nl ? nl : end;
        const char *colon = memchr(p, ':', stop - p);

        if (colon != NULL && colon - p < 64) {
            memcpy(names[e.count], p, colon - p);
            names[e.count][colon - p] = 0;
            values[e.count].data = colon + 1;
            values[e.count].len = stop - colon - 1;
            attrs[e.count].name = names[e.count];
            attrs[e.count].values = &values[e.count];
            attrs[e.count].count = 1;
            /* Repeated names stay separate attributes: also a case to survive. */
            e.count++;
        }
        p = nl ? nl + 1 : end;
    }
    status = pk_ldapmap_from_entry(&e, &obj, &err);
    if (status == PK_OK) {
        check(strnlen(obj.item.name, sizeof(obj.item.name)) <
              sizeof(obj.item.name));
        check(pk_ldapmap_dn(obj.kind, obj.item.name,
                            obj.kind == PK_LDAP_DKIM ? obj.selector : NULL,
                            "dc=x", dn, sizeof(dn), &err) == PK_OK ||
              obj.kind == PK_LDAP_HEARTBEAT);
        pk_ldapobj_free(&obj);
    } else {
        check(status == PK_NOTFOUND || status == PK_EINVAL ||
              status == PK_ENOMEM);
    }
    if ((cookie = malloc(size + 1)) != NULL) {
        memcpy(cookie, data, size);
        cookie[size] = 0;
        (void)pk_sync_cookie_parse(cookie, csn_seen, NULL, &err);
        free(cookie);
    }
    return 0;
}
