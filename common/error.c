/*++
/* NAME
/*	error 3
/* SUMMARY
/*	status names, error messages, the log sink
/* SYNOPSIS
/*	#include "pk.h"
/* DESCRIPTION
/*	See pk.h. The error buffer is thread-local, so the milter's
/*	threads do not overwrite each other's messages.
/*--*/

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pk.h"

static _Thread_local char pk_error_buf[512];
static pk_log_sink_fn *pk_log_sink;
static void *pk_log_context;

/* pk_strstatus - the name of a status code */

const char *pk_strstatus(int status)
{
    switch (status) {
    case PK_OK:
        return "ok";
    case PK_NOTFOUND:
        return "not found";
    case PK_EINVAL:
        return "invalid input";
    case PK_EEXIST:
        return "already exists";
    case PK_ETEMP:
        return "temporary database error";
    case PK_ECONFIG:
        return "configuration error";
    case PK_ECORRUPT:
        return "corrupt";
    case PK_ENOMEM:
        return "out of memory";
    case PK_ELIMIT:
        return "limit exceeded";
    case PK_EVERSION:
        return "written by a newer postkontor";
    default:
        return "unknown status";
    }
}

/* pk_verror - format an error message into the thread's buffer */

const char *pk_verror(const char *fmt, va_list ap)
{
    char tmp[sizeof(pk_error_buf)];

    /* Format into a copy: an argument may be the previous message. */
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    memcpy(pk_error_buf, tmp, sizeof(tmp));
    return pk_error_buf;
}

/* pk_error - format an error message into the thread's buffer */

const char *pk_error(const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    va_start(ap, fmt);
    msg = pk_verror(fmt, ap);
    va_end(ap);
    return msg;
}

/* pk_log_set_sink - install the host's log function */

void pk_log_set_sink(pk_log_sink_fn *sink, void *context)
{
    pk_log_sink = sink;
    pk_log_context = context;
}

/* pk_log - report through the host's sink, if any */

void pk_log(enum pk_log_level level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (pk_log_sink == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    pk_log_sink(level, buf, pk_log_context);
}

/* pk_wipe - clear a secret in a way the optimizer keeps */

void pk_wipe(void *ptr, size_t len)
{
    explicit_bzero(ptr, len);
}
