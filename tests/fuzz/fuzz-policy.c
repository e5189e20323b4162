/*++
/* NAME
/*	fuzz-policy 1
/* SUMMARY
/*	libFuzzer target for the policy request parser (common/policyreq.c)
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds] policy
/* DESCRIPTION
/*	Treats each input as a stream of policy requests, as the daemon
/*	does: pk_policyreq_end() finds each request, pk_policyreq_parse()
/*	parses a copy in place. Invariants: an end lies within the input
/*	and is an empty line or the buffer start; a parse that succeeds
/*	has "request=smtpd_access_policy", and every field is a string
/*	inside the request's buffer without a newline; at most
/*	PK_POLICYREQ_ATTRS_MAX lines are accepted. Any other outcome
/*	aborts.
/*--*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policyreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* check - abort on a broken invariant */

static void check(int ok)
{
    if (!ok)
        abort();
}

/* check_field - a field is "" or a string inside the buffer */

static void check_field(const char *f, const char *buf, size_t len)
{
    check(f != NULL);
    if (*f == 0)
        return;
    check(f >= buf && f + strlen(f) < buf + len);
    check(strchr(f, '\n') == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct pk_policyreq req;
    size_t done = 0, end;
    char *copy;

    if (size > PK_POLICYREQ_MAX)
        return 0;
    while ((end = pk_policyreq_end(in + done, size - done)) > 0) {
        check(end <= size - done);
        check(in[done + end - 1] == '\n');
        check(end == 1 || in[done + end - 2] == '\n');
        if ((copy = malloc(end)) == NULL)
            abort();
        memcpy(copy, in + done, end);
        if (pk_policyreq_parse(copy, end, &req) == PK_OK) {
            check(strcmp(req.request, "smtpd_access_policy") == 0);
            check(req.attrs >= 1 && req.attrs <= PK_POLICYREQ_ATTRS_MAX);
            check_field(req.protocol_state, copy, end);
            check_field(req.sender, copy, end);
            check_field(req.recipient, copy, end);
            check_field(req.sasl_username, copy, end);
            check_field(req.instance, copy, end);
            check_field(req.policy_context, copy, end);
        }
        free(copy);
        done += end;
    }
    return 0;
}
