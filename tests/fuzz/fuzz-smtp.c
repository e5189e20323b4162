/*++
/* NAME
/*	fuzz-smtp 1
/* SUMMARY
/*	libFuzzer target for the reference server's SMTP command parsers
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds [smtp]]
/* DESCRIPTION
/*	Splits each input into command lines with ref_line_get() (the
/*	reader the server uses for commands and for message data), and
/*	gives every line to ref_smtp_parse_path() as a MAIL and a RCPT
/*	argument, and to the SASL decoders (ref_b64_decode(),
/*	ref_sasl_plain()). Invariants, or the target aborts:
/* .IP \(bu
/*	a line never holds CR, LF or NUL, and never runs past the input;
/* .IP \(bu
/*	a parsed address fits its buffer and holds no '<', '>' or space;
/* .IP \(bu
/*	decoded base64 fits its buffer and is NUL-terminated; a PLAIN
/*	message that splits has non-empty bounded fields.
/* .PP
/*	The parsers live in tests/reference/ and are built into this
/*	target from their sources, since tests/fuzz/run.sh links only the
/*	core.
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../reference/linebuf.c"
#include "../reference/refauth.c"
#include "../reference/smtpparse.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check - abort on a broken invariant */

static void check(int ok)
{
    if (!ok)
        abort();
}

/* one_line - every parser on one command line */

static void one_line(const char *line, size_t len)
{
    char buf[2048], addr[PK_ADDR_MAX + 1], dec[REF_SASL_MAX];
    char user[PK_ADDR_MAX + 1], pass[PK_PASSWORD_MAX + 1];
    const char *params;
    size_t n;

    check(memchr(line, '\r', len) == NULL && memchr(line, '\n', len) == NULL &&
          memchr(line, '\0', len) == NULL);
    if (len >= sizeof(buf))
        return;
    memcpy(buf, line, len);
    buf[len] = 0;
    if (ref_smtp_parse_path(buf, "FROM", addr, sizeof(addr), &params) == 0 ||
        ref_smtp_parse_path(buf, "TO", addr, sizeof(addr), &params) == 0) {
        check(strlen(addr) < sizeof(addr));
        check(strpbrk(addr, "<> ") == NULL);
        check(params >= buf && params <= buf + len);
    }
    if (ref_b64_decode(buf, len, dec, sizeof(dec), &n)) {
        check(n < sizeof(dec) && dec[n] == 0);
        if (ref_sasl_plain(dec, n, user, pass) == REF_SASL_OK) {
            check(user[0] != 0 && strlen(user) <= PK_ADDR_MAX);
            check(pass[0] != 0 && strlen(pass) <= PK_PASSWORD_MAX);
        }
    }
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
        if (r == REF_LINE_OK) {
            check(len + 2 == used);
            one_line(p, len);
        }
        p += used;
        size -= used;
    }
    return (0);
}
