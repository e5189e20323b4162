/*++
/* NAME
/*	fuzz-addr 1
/* SUMMARY
/*	libFuzzer target for the address rules (common/addr.c)
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds]
/* DESCRIPTION
/*	Feeds each input, NUL-terminated, to pk_addr_parse() with and
/*	without PK_ADDR_CATCHALL, and to pk_addr_parse_domain(). Whatever
/*	is accepted must keep the invariants of addr.h, or the target
/*	aborts:
/* .IP \(bu
/*	the parts fit their limits, the local part is lowercase;
/* .IP \(bu
/*	formatting and parsing again gives the same address;
/* .IP \(bu
/*	the database key decodes to the same address;
/* .IP \(bu
/*	a subaddress base is a valid, shorter address;
/* .IP \(bu
/*	a domain with an A-label has a display form, and that form
/*	maps back to the domain.
/* .PP
/*	The raw bytes are also given to pk_addr_from_key(), whose answer
/*	must be an address that encodes to exactly those bytes.
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check - abort on a broken invariant, so that libFuzzer keeps the input */

static void check(int ok)
{
    if (!ok)
        abort();
}

/* check_lowercase - no ASCII upper-case letter */

static void check_lowercase(const char *s)
{
    for (; *s != 0; s++)
        check(!(*s >= 'A' && *s <= 'Z'));
}

/* has_alabel - a label of the domain starts with "xn--" */

static int has_alabel(const char *domain)
{
    const char *p;

    if (strncmp(domain, "xn--", 4) == 0)
        return 1;
    for (p = domain; (p = strchr(p, '.')) != NULL; p++)
        if (strncmp(p + 1, "xn--", 4) == 0)
            return 1;
    return 0;
}

/* check_addr - the invariants of an address pk_addr_parse() accepted */

static void check_addr(const struct pk_addr *addr, unsigned flags)
{
    struct pk_addr again, base;
    char text[PK_ADDR_MAX + 1], key[PK_KEY_MAX];
    char display[PK_DOMAIN_MAX * 4 + 1], domain[PK_DOMAIN_MAX + 1];
    const char *error;
    size_t local_len = strlen(addr->local);
    size_t domain_len = strlen(addr->domain);
    size_t key_len;

    check(local_len <= PK_LOCAL_MAX);
    check(domain_len >= 3 && domain_len <= PK_DOMAIN_MAX);
    check(local_len + 1 + domain_len <= PK_ADDR_MAX);
    check(local_len > 0 || (flags & PK_ADDR_CATCHALL));
    check_lowercase(addr->local);
    check_lowercase(addr->domain);

    /* The normal form is a fixed point. */
    pk_addr_format(addr, text);
    check(strlen(text) == local_len + 1 + domain_len);
    check(pk_addr_parse(text, flags, &again, &error) == PK_OK);
    check(strcmp(again.local, addr->local) == 0);
    check(strcmp(again.domain, addr->domain) == 0);
    check(pk_addr_parse_domain(addr->domain, domain, &error) == PK_OK);
    check(strcmp(domain, addr->domain) == 0);

    /* The key is "domain" NUL "local" and decodes to the same address. */
    key_len = pk_addr_key(addr, key);
    check(key_len == domain_len + 1 + local_len && key_len <= PK_KEY_MAX);
    check(memcmp(key, addr->domain, domain_len) == 0 && key[domain_len] == 0);
    memset(&again, 0, sizeof(again));
    check(pk_addr_from_key(key, key_len, &again) == PK_OK);
    check(strcmp(again.local, addr->local) == 0);
    check(strcmp(again.domain, addr->domain) == 0);

    /* A subaddress base is itself an address, in the same domain. */
    if (pk_addr_subaddress_base(addr, '+', &base)) {
        check(strlen(base.local) > 0 && strlen(base.local) < local_len);
        check(strcmp(base.domain, addr->domain) == 0);
        pk_addr_format(&base, text);
        check(pk_addr_parse(text, 0, &again, &error) == PK_OK);
        check(strcmp(again.local, base.local) == 0);
    }

    /* The display form, if any, is the same domain. */
    pk_addr_domain_unicode(addr->domain, display, sizeof(display));
    check(display[0] != 0 || !has_alabel(addr->domain));
    if (display[0] != 0) {
        check(pk_addr_parse_domain(display, domain, &error) == PK_OK);
        check(strcmp(domain, addr->domain) == 0);
    }
}

/* check_key - what pk_addr_from_key() accepts encodes back to the bytes */

static void check_key(const uint8_t *data, size_t size)
{
    struct pk_addr addr;
    char key[PK_KEY_MAX];
    size_t key_len;
    int rc = pk_addr_from_key(data, size, &addr);

    check(rc == PK_OK || rc == PK_ECORRUPT || rc == PK_ENOMEM);
    if (rc != PK_OK)
        return;
    key_len = pk_addr_key(&addr, key);
    check(key_len == size && memcmp(key, data, size) == 0);
    check_lowercase(addr.local);
    check_lowercase(addr.domain);
}

/* LLVMFuzzerTestOneInput - one input, every entry point */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned flags[] = {0, PK_ADDR_CATCHALL};
    struct pk_addr addr;
    char domain[PK_DOMAIN_MAX + 1];
    const char *error;
    char *in;
    size_t i;
    int rc;

    check_key(data, size);

    /* Bytes after an embedded NUL are never seen: that is the C API. */
    if ((in = malloc(size + 1)) == NULL)
        return 0;
    memcpy(in, data, size);
    in[size] = 0;
    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        error = NULL;
        rc = pk_addr_parse(in, flags[i], &addr, &error);
        if (rc == PK_OK)
            check_addr(&addr, flags[i]);
        else
            check((rc == PK_EINVAL || rc == PK_ENOMEM) && error != NULL);
    }
    error = NULL;
    rc = pk_addr_parse_domain(in, domain, &error);
    if (rc == PK_OK) {
        check(strlen(domain) <= PK_DOMAIN_MAX);
        check_lowercase(domain);
    } else {
        check((rc == PK_EINVAL || rc == PK_ENOMEM) && error != NULL);
    }
    free(in);
    return 0;
}
