/*++
/* NAME
/*	fuzz-imap 1
/* SUMMARY
/*	libFuzzer target for the reference server's IMAP command parser
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds [imap]]
/* DESCRIPTION
/*	Gives each input, as one assembled command (literals included),
/*	to ref_imap_parse(), and its first line to ref_imap_literal().
/*	Invariants, or the target aborts:
/* .IP \(bu
/*	every argument, at any depth, lies inside the input; lists are
/*	nested at most REF_IMAP_DEPTH_MAX deep and the pool is not
/*	overrun;
/* .IP \(bu
/*	the tag and command name are bounded and non-empty, the command
/*	name upper case;
/* .IP \(bu
/*	ref_imap_cstr() refuses a string holding a NUL and returns a
/*	NUL-terminated copy otherwise.
/* .PP
/*	The parser lives in tests/reference/ and is built into this
/*	target from its source, since tests/fuzz/run.sh links only the
/*	core.
/*--*/

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../reference/imapparse.c"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void check(int ok)
{
    if (!ok)
        abort();
}

/* walk - check every argument of a list, recursively */

static void walk(const struct ref_imap_arg *args, size_t count, int depth,
                 const char *lo, const char *hi, const struct ref_imap_cmd *cmd)
{
    char buf[64];
    size_t i;

    check(depth <= REF_IMAP_DEPTH_MAX + 1);
    check(count == 0 ||
          (args >= cmd->pool && args + count <= cmd->pool + REF_IMAP_ARGS_MAX));
    for (i = 0; i < count; i++) {
        const struct ref_imap_arg *a = &args[i];

        if (a->type == REF_IMAP_LIST) {
            walk(a->list, a->count, depth + 1, lo, hi, cmd);
            continue;
        }
        check(a->str >= lo && a->str + a->len <= hi);
        if (ref_imap_cstr(a, buf, sizeof(buf)))
            check(strlen(buf) == a->len);
        else
            check(a->len >= sizeof(buf) || memchr(a->str, 0, a->len) ||
                  a->type == REF_IMAP_NIL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ref_imap_cmd cmd;
    const char *error = NULL;
    const char *nl;
    uint64_t lit;
    bool nonsync;
    char *buf;
    size_t i;

    if ((buf = malloc(size + 1)) == NULL)
        return (0);
    memcpy(buf, data, size);
    buf[size] = 0;
    nl = memchr(buf, '\r', size);
    (void)ref_imap_literal(buf, nl ? (size_t)(nl - buf) : size, &lit, &nonsync);
    if (ref_imap_parse(buf, size, &cmd, &error) == 0) {
        check(cmd.tag[0] != 0 && strlen(cmd.tag) <= REF_IMAP_TAG_MAX);
        check(cmd.name[0] != 0);
        for (i = 0; cmd.name[i]; i++)
            check(isupper((unsigned char)cmd.name[i]));
        check(cmd.used <= REF_IMAP_ARGS_MAX);
        walk(cmd.args, cmd.argc, 0, buf, buf + size, &cmd);
    } else {
        check(error != NULL);
    }
    free(buf);
    return (0);
}
