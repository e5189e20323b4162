/*++
/* NAME
/*	fuzz-from 1
/* SUMMARY
/*	libFuzzer target for the From header rules (common/header.c)
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds] from
/* DESCRIPTION
/*	Feeds each input to pk_header_from_value() as one field value and
/*	to pk_header_from_message() as a whole header section. Whatever is
/*	accepted must keep these invariants, or the target aborts:
/* .IP \(bu
/*	the answer is PK_OK, or PK_EINVAL/PK_ENOMEM with a message;
/* .IP \(bu
/*	an accepted address is a valid address (pk_addr_parse() takes its
/*	formatted form back unchanged);
/* .IP \(bu
/*	a value accepted alone is accepted as "From:" in a section, with
/*	the same address, and refused when the field appears twice.
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check - abort on a broken invariant, so that libFuzzer keeps the input */

static void check(int ok)
{
    if (!ok)
        abort();
}

/* check_status - an answer or a refusal with a reason */

static void check_status(int rc, const char *error)
{
    check(rc == PK_OK || ((rc == PK_EINVAL || rc == PK_ENOMEM) &&
                          error != NULL && *error != 0));
}

/* section - "From:" VALUE CRLF, once or twice; the caller frees */

static char *section(const uint8_t *data, size_t size, int times, size_t *len)
{
    char *buf = malloc(times * (size + 7) + 1);
    size_t n = 0;

    if (buf == NULL)
        return NULL;
    for (int i = 0; i < times; i++) {
        memcpy(buf + n, "From:", 5);
        memcpy(buf + n + 5, data, size);
        memcpy(buf + n + 5 + size, "\r\n", 2);
        n += size + 7;
    }
    *len = n;
    return buf;
}

/* LLVMFuzzerTestOneInput - one input, every entry point */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pk_addr addr, again, whole;
    char text[PK_ADDR_MAX + 1];
    const char *error = NULL;
    char *sec;
    size_t len;
    int rc, rc2;

    rc = pk_header_from_value((const char *)data, size, &addr, &error);
    check_status(rc, error);
    if (rc == PK_OK) {
        pk_addr_format(&addr, text);
        check(pk_addr_parse(text, 0, &again, &error) == PK_OK);
        check(strcmp(again.local, addr.local) == 0);
        check(strcmp(again.domain, addr.domain) == 0);
        check(addr.local[0] != 0);
    }

    error = NULL;
    rc2 = pk_header_from_message((const char *)data, size, &whole, &error);
    check_status(rc2, error);

    /* A value with no line break of its own is one field in a section. */
    if (rc == PK_OK && memchr(data, '\n', size) == NULL &&
        memchr(data, '\r', size) == NULL) {
        if ((sec = section(data, size, 1, &len)) != NULL) {
            error = NULL;
            check(pk_header_from_message(sec, len, &whole, &error) == PK_OK);
            check(strcmp(whole.local, addr.local) == 0);
            check(strcmp(whole.domain, addr.domain) == 0);
            free(sec);
        }
        if ((sec = section(data, size, 2, &len)) != NULL) {
            error = NULL;
            check(pk_header_from_message(sec, len, &whole, &error) ==
                  PK_EINVAL);
            free(sec);
        }
    }
    return 0;
}
