/*++
/* NAME
/*	netstring 3
/* SUMMARY
/*	netstring framing for the socketmap protocol
/* SYNOPSIS
/*	#include "netstring.h"
/* DESCRIPTION
/*	See netstring.h.
/* DIAGNOSTICS
/*	PK_EINVAL for malformed input, PK_ELIMIT for a length over the
/*	caller's maximum.
/* SECURITY
/*	Network input: lengths are checked before use; at most 10 digits
/*	are read, so the length fits a size_t on every platform we build.
/*--*/

#include <string.h>

#include "netstring.h"

#define NETSTRING_DIGITS_MAX 10

/* pk_netstring_parse - find one complete netstring at the buffer start */

int pk_netstring_parse(const char *buf, size_t len, size_t max,
                       const char **payload_r, size_t *payload_len_r,
                       size_t *used_r)
{
    size_t n = 0, i;

    for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
        if (i == NETSTRING_DIGITS_MAX)
            return PK_ELIMIT;
        if (i == 1 && buf[0] == '0')
            return PK_EINVAL; /* "01:" is not canonical */
        n = n * 10 + (size_t)(buf[i] - '0');
        if (n > max)
            return PK_ELIMIT;
    }
    if (i == len)
        return i > NETSTRING_DIGITS_MAX ? PK_ELIMIT : PK_NOTFOUND;
    if (i == 0 || buf[i] != ':')
        return PK_EINVAL;
    /* i + 1 + n + 1 cannot overflow: n <= max and i <= 10. */
    if (len - i - 1 < n + 1)
        return PK_NOTFOUND;
    if (buf[i + 1 + n] != ',')
        return PK_EINVAL;
    *payload_r = buf + i + 1;
    *payload_len_r = n;
    *used_r = i + 1 + n + 1;
    return PK_OK;
}

/* pk_netstring_head - write "<len>:"; its length */

size_t pk_netstring_head(char *out, size_t len)
{
    char digits[24];
    size_t nd = 0, v = len;

    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (size_t i = 0; i < nd; i++)
        out[i] = digits[nd - 1 - i];
    out[nd] = ':';
    return nd + 1;
}

/* pk_netstring_format - write one netstring; 0 if it does not fit */

size_t pk_netstring_format(char *out, size_t size, const char *data, size_t len)
{
    size_t nd = 0, v = len, head;

    do {
        nd++;
        v /= 10;
    } while (v > 0);
    if (len > size || size - len < nd + 2)
        return 0;
    head = pk_netstring_head(out, len);
    memmove(out + head, data, len);
    out[head + len] = ',';
    return head + len + 1;
}

/* name_char - may this byte appear in a map name */

static int name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* pk_socketmap_split - "<name> <key>" into two bounded strings */

int pk_socketmap_split(const char *payload, size_t len,
                       char name[PK_SOCKETMAP_NAME_MAX + 1],
                       char key[PK_SOCKETMAP_KEY_MAX + 1])
{
    const char *sp = memchr(payload, ' ', len);
    size_t nlen, klen;

    if (sp == NULL)
        return PK_EINVAL;
    nlen = (size_t)(sp - payload);
    klen = len - nlen - 1;
    if (nlen == 0 || nlen > PK_SOCKETMAP_NAME_MAX || klen == 0 ||
        klen > PK_SOCKETMAP_KEY_MAX)
        return PK_EINVAL;
    for (size_t i = 0; i < nlen; i++)
        if (!name_char((unsigned char)payload[i]))
            return PK_EINVAL;
    for (size_t i = 0; i < klen; i++)
        if (sp[1 + i] == 0 || sp[1 + i] == '\r' || sp[1 + i] == '\n')
            return PK_EINVAL;
    memcpy(name, payload, nlen);
    name[nlen] = 0;
    memcpy(key, sp + 1, klen);
    key[klen] = 0;
    return PK_OK;
}
