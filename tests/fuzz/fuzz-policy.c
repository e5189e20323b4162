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
/*	PK_POLICYREQ_ATTRS_MAX lines are accepted. pk_policyreq_take(),
/*	the one-pass form the daemon uses, must answer exactly what the
/*	two answer (the same length, the same fields, the same refusal),
/*	and leave an incomplete request unchanged. Any other outcome
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

/* same_field - the two parsers found the same value */

static void same_field(const char *a, const char *b)
{
    check(strcmp(a, b) == 0);
}

/* same_take - pk_policyreq_take() agrees with end and parse */

static void same_take(const char *in, size_t left, size_t end, int parsed,
                      const struct pk_policyreq *req)
{
    struct pk_policyreq took;
    char *copy;
    long n;

    if ((copy = malloc(left ? left : 1)) == NULL)
        abort();
    memcpy(copy, in, left);
    n = pk_policyreq_take(copy, left, &took);
    if (end == 0) {
        check(n == 0);
        check(memcmp(copy, in, left) == 0);
    } else if (parsed != PK_OK) {
        check(n == -1);
    } else {
        check(n == (long)end);
        check(took.attrs == req->attrs);
        check(took.size == req->size);
        check(took.recipient_count == req->recipient_count);
        same_field(took.request, req->request);
        same_field(took.protocol_state, req->protocol_state);
        same_field(took.protocol_name, req->protocol_name);
        same_field(took.instance, req->instance);
        same_field(took.sasl_username, req->sasl_username);
        same_field(took.sender, req->sender);
        same_field(took.recipient, req->recipient);
        same_field(took.client_address, req->client_address);
        same_field(took.policy_context, req->policy_context);
        same_field(took.queue_id, req->queue_id);
        check_field(took.sender, copy, end);
        check_field(took.recipient, copy, end);
        /* What follows the request is left as it came. */
        check(memcmp(copy + end, in + end, left - end) == 0);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct pk_policyreq req;
    size_t done = 0, end;
    char *copy;
    int parsed;

    if (size > PK_POLICYREQ_MAX)
        return 0;
    for (;;) {
        end = pk_policyreq_end(in + done, size - done);
        if (end == 0) {
            same_take(in + done, size - done, 0, PK_EINVAL, NULL);
            break;
        }
        check(end <= size - done);
        check(in[done + end - 1] == '\n');
        check(end == 1 || in[done + end - 2] == '\n');
        if ((copy = malloc(end)) == NULL)
            abort();
        memcpy(copy, in + done, end);
        parsed = pk_policyreq_parse(copy, end, &req);
        if (parsed == PK_OK) {
            check(strcmp(req.request, "smtpd_access_policy") == 0);
            check(req.attrs >= 1 && req.attrs <= PK_POLICYREQ_ATTRS_MAX);
            check_field(req.protocol_state, copy, end);
            check_field(req.sender, copy, end);
            check_field(req.recipient, copy, end);
            check_field(req.sasl_username, copy, end);
            check_field(req.instance, copy, end);
            check_field(req.policy_context, copy, end);
        }
        same_take(in + done, size - done, end, parsed, &req);
        free(copy);
        done += end;
    }
    return 0;
}
