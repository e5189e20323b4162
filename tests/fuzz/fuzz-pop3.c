/*++
/* NAME
/*	fuzz-pop3 1
/* SUMMARY
/*	libFuzzer target for the reference server's POP3 command parser
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds [pop3]]
/* DESCRIPTION
/*	Splits each input into command lines with ref_line_get() and
/*	splits every line with ref_pop3_split(). Invariants, or the target
/*	aborts: the argument count matches the pointers returned, the
/*	arguments are non-empty, hold no space and lie inside the line;
/*	an AUTH response line decodes into a bounded buffer.
/*
/*	The parser lives in tests/reference/ and is built into this
/*	target from its source, since tests/fuzz/run.sh links only the
/*	core.
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../reference/linebuf.c"
#include "../reference/pop3parse.c"
#include "../reference/refauth.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void check(int ok)
{
    if (!ok)
        abort();
}

/* one_line - split one command line and check the pieces */

static void one_line(const char *line, size_t len)
{
    char buf[2048], dec[REF_SASL_MAX];
    char *a1, *a2;
    size_t n;
    int argc;

    if (len >= sizeof(buf))
        return;
    memcpy(buf, line, len);
    buf[len] = 0;
    argc = ref_pop3_split(buf, &a1, &a2);
    check(argc >= -1 && argc <= 2);
    if (argc >= 1) {
        check(a1 > buf && a1 <= buf + len && *a1 && !strchr(a1, ' '));
        check((argc == 2) == (a2 != NULL));
    }
    if (argc == 2)
        check(a2 > a1 && a2 <= buf + len && *a2 && !strchr(a2, ' '));
    if (argc == 0)
        check(a1 == NULL && a2 == NULL);
    if (ref_b64_decode(line, len, dec, sizeof(dec), &n))
        check(n < sizeof(dec) && dec[n] == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t len, used;
    int r;

    while (size > 0) {
        r = ref_line_get(p, size, 2048, &len, &used);
        if (r == REF_LINE_MORE || r == REF_LINE_LONG)
            break;
        check(used > 0 && used <= size);
        if (r == REF_LINE_OK)
            one_line(p, len);
        p += used;
        size -= used;
    }
    return (0);
}
