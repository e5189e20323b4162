/*++
/* NAME
/*	fuzz-netstring 1
/* SUMMARY
/*	libFuzzer target for the socketmap framing (common/netstring.c)
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds] netstring
/* DESCRIPTION
/*	Feeds each input to pk_netstring_parse() as a stream, the way the
/*	daemon does: complete netstrings are taken off the front, each
/*	payload is split with pk_socketmap_split(). Invariants: a parse
/*	never claims more bytes than it was given; a payload lies inside
/*	the input and within the maximum; formatting the payload again
/*	gives exactly the bytes consumed; split names and keys are
/*	NUL-terminated, bounded and free of NUL, CR and LF. Every prefix
/*	of a complete netstring must ask for more, never fail. Any other
/*	outcome aborts.
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check - abort on a broken invariant */

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char frame[PK_SOCKETMAP_REQUEST_MAX + 32];
    const char *buf = (const char *)data, *payload;
    char name[PK_SOCKETMAP_NAME_MAX + 1], key[PK_SOCKETMAP_KEY_MAX + 1];
    size_t done = 0, plen, used, n;
    int status;

    while ((status = pk_netstring_parse(buf + done, size - done,
                                        PK_SOCKETMAP_REQUEST_MAX, &payload,
                                        &plen, &used)) == PK_OK) {
        check(used <= size - done && used > plen);
        check(payload > buf + done && payload + plen < buf + done + used);
        check(plen <= PK_SOCKETMAP_REQUEST_MAX);
        n = pk_netstring_format(frame, sizeof(frame), payload, plen);
        check(n == used && memcmp(frame, buf + done, used) == 0);
        for (size_t cut = 0; cut < used; cut++) {
            const char *p2;
            size_t l2, u2;

            check(pk_netstring_parse(buf + done, cut, PK_SOCKETMAP_REQUEST_MAX,
                                     &p2, &l2, &u2) == PK_NOTFOUND);
        }
        if (pk_socketmap_split(payload, plen, name, key) == PK_OK) {
            check(strlen(name) >= 1 && strlen(name) <= PK_SOCKETMAP_NAME_MAX);
            check(strlen(key) >= 1 && strlen(key) <= PK_SOCKETMAP_KEY_MAX);
            check(strlen(name) + 1 + strlen(key) == plen);
            check(strpbrk(key, "\r\n") == NULL);
        }
        done += used;
    }
    check(status == PK_NOTFOUND || status == PK_EINVAL || status == PK_ELIMIT);
    return 0;
}
