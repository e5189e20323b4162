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
    static const struct {
        const char *name;
        size_t len;
        size_t offset;
    } fields[] = {
#define FIELD(n) {#n, sizeof(#n) - 1, offsetof(struct pk_policyreq, n)}
        FIELD(request),   FIELD(protocol_state), FIELD(protocol_name),
        FIELD(instance),  FIELD(sasl_username),  FIELD(sender),
        FIELD(recipient), FIELD(client_address), FIELD(policy_context),
        FIELD(queue_id),
#undef FIELD
    };

    /* Postfix sends some 30 attributes: compare lengths before bytes. */
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (nlen == fields[i].len && name[0] == fields[i].name[0] &&
            memcmp(name, fields[i].name, nlen) == 0) {
            *(const char **)((char *)req + fields[i].offset) = value;
            return;
        }
    if (nlen == 15 && memcmp(name, "recipient_count", 15) == 0)
        req->recipient_count = parse_number(value);
    else if (nlen == 4 && memcmp(name, "size", 4) == 0)
        req->size = parse_number(value);
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
