/*++
/* NAME
/*	policyreq 3
/* SUMMARY
/*	the Postfix policy delegation request parser
/* SYNOPSIS
/*	#include "policyreq.h"
/* DESCRIPTION
/*	See policyreq.h.
/* DIAGNOSTICS
/*	PK_EINVAL for a request that is not a policy request.
/* SECURITY
/*	Network input: the parser works within the given length only, and
/*	refuses NUL bytes so that every field is a proper C string.
/*--*/

#include <string.h>

#include "policyreq.h"

/* pk_policyreq_end - length of the first complete request, or 0 */

size_t pk_policyreq_end(const char *buf, size_t len)
{
    const char *p;

    if (len > 0 && buf[0] == '\n')
        return 1; /* an empty request */
    for (p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))) != NULL; p++)
        if ((size_t)(p - buf) + 1 < len && p[1] == '\n')
            return (size_t)(p - buf) + 2;
    return 0;
}

/* parse_number - a decimal number, or 0 */

static uint64_t parse_number(const char *s)
{
    uint64_t n = 0;

    if (*s == 0)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
            return 0;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    return n;
}

/* set_attr - store a known attribute; ignore the others */

static void set_attr(struct pk_policyreq *req, const char *name, size_t nlen,
                     const char *value)
{
    const char **field = NULL;

#define IS(lit) (nlen == sizeof(lit) - 1 && memcmp(name, lit, nlen) == 0)
    /* Postfix sends some 30 attributes: one length test sorts out most. */
    switch (nlen) {
    case 4:
        if (IS("size"))
            req->size = parse_number(value);
        return;
    case 6:
        field = IS("sender") ? &req->sender : NULL;
        break;
    case 7:
        field = IS("request") ? &req->request : NULL;
        break;
    case 8:
        field = IS("instance")   ? &req->instance
                : IS("queue_id") ? &req->queue_id
                                 : NULL;
        break;
    case 9:
        field = IS("recipient") ? &req->recipient : NULL;
        break;
    case 13:
        field = IS("sasl_username")   ? &req->sasl_username
                : IS("protocol_name") ? &req->protocol_name
                                      : NULL;
        break;
    case 14:
        field = IS("protocol_state")   ? &req->protocol_state
                : IS("client_address") ? &req->client_address
                : IS("policy_context") ? &req->policy_context
                                       : NULL;
        break;
    case 15:
        if (IS("recipient_count"))
            req->recipient_count = parse_number(value);
        return;
    default:
        return;
    }
#undef IS
    if (field != NULL)
        *field = value;
}

/* pk_policyreq_parse - one complete request, parsed in place */

int pk_policyreq_parse(char *buf, size_t len, struct pk_policyreq *req)
{
    char *line = buf, *end = buf + len, *nl, *eq;

    memset(req, 0, sizeof(*req));
    req->request = req->protocol_state = req->protocol_name = "";
    req->instance = req->sasl_username = req->sender = req->recipient = "";
    req->client_address = req->policy_context = req->queue_id = "";
    if (memchr(buf, 0, len) != NULL)
        return PK_EINVAL;
    while (line < end &&
           (nl = memchr(line, '\n', (size_t)(end - line))) != NULL) {
        if (nl == line)
            break; /* the empty line ends it */
        *nl = 0;
        if (++req->attrs > PK_POLICYREQ_ATTRS_MAX)
            return PK_EINVAL;
        if ((eq = memchr(line, '=', (size_t)(nl - line))) == NULL || eq == line)
            return PK_EINVAL;
        *eq = 0;
        set_attr(req, line, (size_t)(eq - line), eq + 1);
        line = nl + 1;
    }
    if (strcmp(req->request, "smtpd_access_policy") != 0)
        return PK_EINVAL;
    return PK_OK;
}
