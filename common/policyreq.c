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

#include <stdbool.h>
#include <string.h>

#include "policyreq.h"

#define TAKE_FIELDS_MAX 32 /* string fields kept before the slower way */

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

/* parse_number - a decimal number of len digits, or 0 */

static uint64_t parse_number(const char *s, size_t len)
{
    uint64_t n = 0;

    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || n > (UINT64_MAX - 9) / 10)
            return 0;
        n = n * 10 + (uint64_t)(s[i] - '0');
    }
    return n;
}

/* set_attr - store a known attribute; ignore the others. True if the
 * value was kept as a string, which the caller must then terminate. */

static bool set_attr(struct pk_policyreq *req, const char *name, size_t nlen,
                     const char *value, size_t vlen)
{
    const char **field = NULL;

#define IS(lit) (nlen == sizeof(lit) - 1 && memcmp(name, lit, nlen) == 0)
    /* Postfix sends some 30 attributes: one length test sorts out most. */
    switch (nlen) {
    case 4:
        if (IS("size"))
            req->size = parse_number(value, vlen);
        return false;
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
            req->recipient_count = parse_number(value, vlen);
        return false;
    default:
        return false;
    }
#undef IS
    if (field == NULL)
        return false;
    *field = value;
    return true;
}

/* init - an empty request: every field "" */

static void init(struct pk_policyreq *req)
{
    memset(req, 0, sizeof(*req));
    req->request = req->protocol_state = req->protocol_name = "";
    req->instance = req->sasl_username = req->sender = req->recipient = "";
    req->client_address = req->policy_context = req->queue_id = "";
}

/* pk_policyreq_parse - one complete request, parsed in place */

int pk_policyreq_parse(char *buf, size_t len, struct pk_policyreq *req)
{
    char *line = buf, *end = buf + len, *nl, *eq;

    init(req);
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
        set_attr(req, line, (size_t)(eq - line), eq + 1, (size_t)(nl - eq - 1));
        line = nl + 1;
    }
    if (strcmp(req->request, "smtpd_access_policy") != 0)
        return PK_EINVAL;
    return PK_OK;
}

/* take_slowly - pk_policyreq_take() as two passes */

static long take_slowly(char *buf, size_t len, struct pk_policyreq *req)
{
    size_t end = pk_policyreq_end(buf, len);

    if (end == 0)
        return 0;
    return pk_policyreq_parse(buf, end, req) == PK_OK ? (long)end : -1;
}

/* pk_policyreq_take - end and parse in one pass over the request */

long pk_policyreq_take(char *buf, size_t len, struct pk_policyreq *req)
{
    char *line = buf, *end = buf + len, *nl, *eq;
    char *ends[TAKE_FIELDS_MAX];
    size_t nends = 0;
    bool bad = false;

    /* Nothing is written until the request is known to be complete:
     * an incomplete one is left as it came, to be read again. */
    init(req);
    while ((nl = memchr(line, '\n', (size_t)(end - line))) != NULL) {
        if (nl == line) {
            /* The empty line: as pk_policyreq_end() and then
             * pk_policyreq_parse() would answer. */
            if (bad || memchr(buf, 0, (size_t)(nl - buf)) != NULL)
                return -1;
            for (size_t i = 0; i < nends; i++)
                *ends[i] = 0;
            return strcmp(req->request, "smtpd_access_policy") == 0
                       ? (long)(nl + 1 - buf)
                       : -1;
        }
        if (!bad && (++req->attrs > PK_POLICYREQ_ATTRS_MAX ||
                     (eq = memchr(line, '=', (size_t)(nl - line))) == NULL ||
                     eq == line))
            bad = true;
        if (!bad && set_attr(req, line, (size_t)(eq - line), eq + 1,
                             (size_t)(nl - eq - 1))) {
            /* A known field repeated too often: the slower way. */
            if (nends == TAKE_FIELDS_MAX)
                return take_slowly(buf, len, req);
            ends[nends++] = nl;
        }
        line = nl + 1;
    }
    return 0;
}
