/*++
/* NAME
/*	linebuf 3
/* SUMMARY
/*	bounded CRLF line reader for the reference server
/* SYNOPSIS
/*	#include "linebuf.h"
/* DESCRIPTION
/*	See linebuf.h. The reader never allocates: a caller keeps a
/*	fixed input buffer and consumes what ref_line_get() reports.
/*--*/

#include <string.h>

#include "linebuf.h"

/* ref_line_get - find one CRLF-terminated line */

int ref_line_get(const char *buf, size_t len, size_t max, size_t *line_len_r,
                 size_t *used_r)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (buf[i] == '\0') {
            *used_r = i + 1;
            return (REF_LINE_NUL);
        }
        if (buf[i] == '\n') {
            *used_r = i + 1;
            return (REF_LINE_BARE);
        }
        if (buf[i] == '\r') {
            if (i + 1 == len)
                break;
            if (buf[i + 1] != '\n') {
                *used_r = i + 1;
                return (REF_LINE_BARE);
            }
            *line_len_r = i;
            *used_r = i + 2;
            return (REF_LINE_OK);
        }
        if (i + 1 >= max)
            return (REF_LINE_LONG);
    }
    return (len >= max ? REF_LINE_LONG : REF_LINE_MORE);
}

/* ref_line_skip - resynchronize after a refused line */

size_t ref_line_skip(const char *buf, size_t len)
{
    const char *nl = memchr(buf, '\n', len);

    return (nl ? (size_t)(nl - buf) + 1 : 0);
}
