/*++
/* NAME
/*	smtpparse 3
/* SUMMARY
/*	SMTP command argument parser of the reference server
/* DESCRIPTION
/*	See smtpparse.h. Kept apart from smtp.c so that the fuzz target
/*	can build it without the event loop.
/*--*/

#include <string.h>
#include <strings.h>

#include "smtpparse.h"

/* ref_smtp_parse_path - "FROM:<addr> params" */

int ref_smtp_parse_path(const char *arg, const char *kw, char *addr,
                        size_t addr_sz, const char **params)
{
    size_t kwlen = strlen(kw), n;
    const char *p, *end;

    if (strncasecmp(arg, kw, kwlen) != 0 || arg[kwlen] != ':')
        return (-1);
    p = arg + kwlen + 1;
    if (*p == ' ')
        p++; /* common client laxness */
    if (*p != '<' || (end = strchr(p, '>')) == NULL)
        return (-1);
    n = end - p - 1;
    if (n >= addr_sz || memchr(p + 1, '<', n) || memchr(p + 1, ' ', n) ||
        memchr(p + 1, '"', n) || (n > 0 && p[1] == '@'))
        return (-1);
    memcpy(addr, p + 1, n);
    addr[n] = 0;
    p = end + 1;
    if (*p != 0 && *p != ' ')
        return (-1);
    while (*p == ' ')
        p++;
    *params = p;
    return (0);
}
