/*++
/* NAME
/*	header 3
/* SUMMARY
/*	the one author address of a message: its From header field
/* SYNOPSIS
/*	#include "header.h"
/* DESCRIPTION
/*	See header.h. The parser walks the field once, left to right,
/*	following the mailbox grammar of RFC 5322 section 3.4 (with the
/*	folding of section 2.2.3 and the comments and quoted strings of
/*	section 3.2). Every piece of text a mail reader may show next to
/*	the address (display name words, quoted strings, comments, and
/*	RFC 2047 encoded words decoded to UTF-8) is collected in a bounded
/*	buffer; once the address is known, that text may contain an
/*	at-sign only as part of the same address.
/* DIAGNOSTICS
/*	PK_EINVAL with a message meant for the sender, PK_ENOMEM.
/* SECURITY
/*	The input comes from whoever submits mail. It is bounded by
/*	PK_HEADER_FROM_MAX; the collected text fits a buffer of twice
/*	that size with room to spare, since neither decoding nor
/*	conversion to UTF-8 from a charset is allowed to overflow it
/*	(conversion stops at the end of the buffer and the value is
/*	refused). Comment nesting is limited to PK_COMMENT_DEPTH.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem() */
#endif

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "header.h"

#define PK_COMMENT_DEPTH 16
#define PK_SHOWN_MAX (4 * PK_HEADER_FROM_MAX)

/* The parse of one field value. */
struct from_parse {
    const unsigned char *p;   /* next octet */
    const unsigned char *end; /* end of the value */
    const char *error;        /* first failure */
    char shown[PK_SHOWN_MAX]; /* text shown beside the address */
    size_t shown_len;
    char addr[PK_HEADER_FROM_MAX + 1]; /* the addr-spec, CFWS removed */
    size_t addr_len;
    int angles;       /* angle-addrs seen */
    int words;        /* top-level words and quoted strings */
    int at_words;     /* top-level words containing '@' */
    bool quoted;      /* a top-level quoted string */
    bool after_angle; /* a word or string after the angle-addr */
};

/* fail - remember the first failure; always false */

static bool fail(struct from_parse *fp, const char *why)
{
    if (fp->error == NULL)
        fp->error = why;
    return false;
}

/* is_wsp - white space, or a line break already checked to be folding */

static bool is_wsp(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* is_special - RFC 5322 section 3.2.3 specials */

static bool is_special(int c)
{
    return strchr("()<>[]:;@\\,.\"", c) != NULL && c != 0;
}

/* shown_add - collect text a reader may show; false if it does not fit */

static bool shown_add(struct from_parse *fp, const void *text, size_t len)
{
    if (len > sizeof(fp->shown) - fp->shown_len - 1)
        return fail(fp, "the display name is too long");
    memcpy(fp->shown + fp->shown_len, text, len);
    fp->shown_len += len;
    fp->shown[fp->shown_len] = 0;
    return true;
}

/* check_octets - no NUL, no control, folding only as CRLF or LF + WSP */

static bool check_octets(struct from_parse *fp)
{
    const unsigned char *s;

    for (s = fp->p; s < fp->end; s++) {
        if (*s == '\r') {
            if (s + 1 >= fp->end || s[1] != '\n')
                return fail(fp, "a bare carriage return in the From field");
            continue;
        }
        if (*s == '\n') {
            if (s + 1 >= fp->end || (s[1] != ' ' && s[1] != '\t'))
                return fail(fp, "a line break in the From field");
            continue;
        }
        if ((*s < 0x20 && *s != '\t') || *s == 0x7f)
            return fail(fp, "a control character in the From field");
    }
    return true;
}

/* decode_b - RFC 2047 "B": base64; false if malformed */

static bool decode_b(const char *in, size_t len, char *out, size_t *out_len)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned acc = 0;
    int bits = 0;
    size_t n = 0, i;
    const char *pos;

    for (i = 0; i < len && in[i] != '='; i++) {
        if ((pos = strchr(b64, in[i])) == NULL || in[i] == 0)
            return false;
        acc = (acc << 6) | (unsigned)(pos - b64);
        if ((bits += 6) >= 8) {
            bits -= 8;
            out[n++] = (char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    for (; i < len; i++)
        if (in[i] != '=')
            return false;
    *out_len = n;
    return true;
}

/* hexval - one hex digit, or -1 */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* decode_q - RFC 2047 "Q": quoted-printable with "_" for space */

static bool decode_q(const char *in, size_t len, char *out, size_t *out_len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (in[i] == '_') {
            out[n++] = ' ';
        } else if (in[i] == '=') {
            if (i + 2 >= len || hexval(in[i + 1]) < 0 || hexval(in[i + 2]) < 0)
                return false;
            out[n++] = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
        } else {
            out[n++] = in[i];
        }
    }
    *out_len = n;
    return true;
}

/* to_utf8 - convert decoded text to UTF-8 and collect it */

static bool to_utf8(struct from_parse *fp, const char *charset, char *in,
                    size_t len)
{
    char *out = fp->shown + fp->shown_len;
    size_t room = sizeof(fp->shown) - fp->shown_len - 1;
    iconv_t cd;
    size_t rc;

    if ((cd = iconv_open("UTF-8", charset)) == (iconv_t)-1)
        return fail(fp, "an encoded word in an unknown character set");
    rc = iconv(cd, &in, &len, &out, &room);
    iconv_close(cd);
    if (rc == (size_t)-1 || len != 0)
        return fail(fp, "an encoded word that does not decode");
    fp->shown_len = out - fp->shown;
    fp->shown[fp->shown_len] = 0;
    return true;
}

/* encoded_words - decode every RFC 2047 encoded word in a piece of text */

static bool encoded_words(struct from_parse *fp, const char *text, size_t len)
{
    char charset[64], data[PK_HEADER_FROM_MAX];
    const char *s = text, *end = text + len, *q1, *q2, *q3;
    size_t dlen, clen;
    bool ok;

    while ((s = memmem(s, end - s, "=?", 2)) != NULL) {
        /* =?charset?enc?text?= ; a charset may carry "*language". */
        if ((q1 = memchr(s + 2, '?', end - s - 2)) == NULL || q1 + 2 >= end ||
            q1[2] != '?' ||
            (q3 = memmem(q1 + 3, end - q1 - 3, "?=", 2)) == NULL) {
            s += 2;
            continue;
        }
        q2 = q1 + 2;
        clen = q1 - (s + 2);
        if (clen == 0 || clen >= sizeof(charset))
            return fail(fp, "an encoded word with a bad character set");
        memcpy(charset, s + 2, clen);
        charset[clen] = 0;
        charset[strcspn(charset, "*")] = 0;
        if (strchr("Bb", q1[1]) != NULL)
            ok = decode_b(q2 + 1, q3 - q2 - 1, data, &dlen);
        else if (strchr("Qq", q1[1]) != NULL)
            ok = decode_q(q2 + 1, q3 - q2 - 1, data, &dlen);
        else
            ok = false;
        if (!ok)
            return fail(fp, "an encoded word that does not decode");
        if (!shown_add(fp, " ", 1) || !to_utf8(fp, charset, data, dlen))
            return false;
        s = q3 + 2;
    }
    return true;
}

/* shown_text - collect a piece of shown text, raw and decoded */

static bool shown_text(struct from_parse *fp, const char *text, size_t len)
{
    return shown_add(fp, " ", 1) && shown_add(fp, text, len) &&
           encoded_words(fp, text, len);
}

/* comment - skip a comment (RFC 5322 3.2.2), collecting its text */

static bool comment(struct from_parse *fp)
{
    char text[PK_HEADER_FROM_MAX];
    size_t n = 0;
    int depth = 0;

    do {
        if (fp->p >= fp->end)
            return fail(fp, "an unbalanced comment in the From field");
        if (*fp->p == '\\' && fp->p + 1 < fp->end) {
            text[n++] = (char)fp->p[1];
            fp->p += 2;
            continue;
        }
        if (*fp->p == '(' && ++depth > PK_COMMENT_DEPTH)
            return fail(fp, "comments nested too deeply in the From field");
        if (*fp->p == ')')
            depth--;
        text[n++] = is_wsp(*fp->p) ? ' ' : (char)*fp->p;
        fp->p++;
    } while (depth > 0);
    return shown_text(fp, text, n);
}

/* quoted_string - a quoted string (RFC 5322 3.2.4), collected as text */

static bool quoted_string(struct from_parse *fp)
{
    char text[PK_HEADER_FROM_MAX];
    size_t n = 0;

    for (fp->p++; fp->p < fp->end && *fp->p != '"'; fp->p++) {
        if (*fp->p == '\\' && fp->p + 1 < fp->end)
            fp->p++;
        text[n++] = is_wsp(*fp->p) ? ' ' : (char)*fp->p;
    }
    if (fp->p >= fp->end)
        return fail(fp, "an unbalanced quote in the From field");
    fp->p++;
    return shown_text(fp, text, n);
}

/* angle_addr - "<" addr-spec ">", with CFWS only at either end */

static bool angle_addr(struct from_parse *fp)
{
    bool seen = false, gap = false;

    if (++fp->angles > 1)
        return fail(fp, "more than one address in the From field");
    fp->addr_len = 0;
    for (fp->p++; fp->p < fp->end && *fp->p != '>';) {
        if (*fp->p == '(') {
            if (!comment(fp))
                return false;
            gap = seen;
        } else if (is_wsp(*fp->p)) {
            gap = seen;
            fp->p++;
        } else if (*fp->p == '"') {
            return fail(fp, "a quoted local part in the From address");
        } else if (strchr("<,;:[]\\", *fp->p) != NULL) {
            return fail(fp, *fp->p == ':' ? "a source route in the From address"
                                          : "a malformed From address");
        } else if (gap) {
            return fail(fp, "white space inside the From address");
        } else {
            fp->addr[fp->addr_len++] = (char)*fp->p++;
            seen = true;
        }
    }
    if (fp->p >= fp->end)
        return fail(fp, "an unbalanced angle bracket in the From field");
    fp->p++;
    if (fp->addr_len == 0)
        return fail(fp, "an empty address in the From field");
    return true;
}

/* word - an atom or run of atext and dots; a bare addr-spec is one word */

static bool word(struct from_parse *fp)
{
    const unsigned char *start = fp->p;
    bool at = false;

    while (fp->p < fp->end && !is_wsp(*fp->p) &&
           (!is_special(*fp->p) || *fp->p == '.' || *fp->p == '@')) {
        at |= *fp->p == '@';
        fp->p++;
    }
    fp->words++;
    if (at && fp->angles == 0) {
        fp->at_words++;
        /* Kept as the address in case there is no angle-addr. */
        memcpy(fp->addr, start, fp->p - start);
        fp->addr_len = fp->p - start;
    }
    return shown_text(fp, (const char *)start, fp->p - start);
}

/* top_level - walk the field: display name, one address, comments */

static bool top_level(struct from_parse *fp)
{
    while (fp->p < fp->end && fp->error == NULL) {
        int c = *fp->p;

        if (is_wsp(c)) {
            fp->p++;
        } else if (c == '(') {
            comment(fp);
        } else if (c == '"') {
            fp->quoted = true;
            fp->words++;
            fp->after_angle |= fp->angles > 0;
            quoted_string(fp);
        } else if (c == '<') {
            angle_addr(fp);
        } else if (c == ',') {
            return fail(fp, "more than one address in the From field");
        } else if (c == ':' || c == ';') {
            return fail(fp, "group syntax in the From field");
        } else if (is_special(c) && c != '.' && c != '@') {
            return fail(fp, "a malformed From field");
        } else {
            fp->after_angle |= fp->angles > 0;
            word(fp);
        }
    }
    return fp->error == NULL;
}

/* at_sign - the length of an at-sign at s (ASCII or Unicode), or 0 */

static size_t at_sign(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    if (*u == '@')
        return 1;
    /* U+FF20 FULLWIDTH and U+FE6B SMALL COMMERCIAL AT, in UTF-8. */
    if (u[0] == 0xef &&
        ((u[1] == 0xbc && u[2] == 0xa0) || (u[1] == 0xb9 && u[2] == 0xab)))
        return 3;
    return 0;
}

/* token_char - part of an address-like token in shown text */

static bool token_char(int c)
{
    return c != 0 && !is_wsp(c) && strchr("<>()\"',;:[]", c) == NULL;
}

/* shows_other - does the shown text show an address but this one */

static bool shows_other(const struct from_parse *fp, const struct pk_addr *addr)
{
    const char *s = fp->shown, *start, *end;
    char token[PK_SHOWN_MAX];
    struct pk_addr other;
    const char *error;
    size_t n;

    for (; *s != 0; s++) {
        if ((n = at_sign(s)) == 0)
            continue;
        if (n > 1)
            return true;
        for (start = s; start > fp->shown && token_char(start[-1]); start--)
            ;
        for (end = s + 1; token_char(*end); end++)
            ;
        memcpy(token, start, end - start);
        token[end - start] = 0;
        if (pk_addr_parse(token, 0, &other, &error) != PK_OK ||
            strcmp(other.local, addr->local) != 0 ||
            strcmp(other.domain, addr->domain) != 0)
            return true;
        s = end - 1;
    }
    return false;
}

/* pk_header_from_value - the one mailbox of a From field value */

int pk_header_from_value(const char *value, size_t len, struct pk_addr *addr_r,
                         const char **error_r)
{
    struct from_parse *fp;
    struct pk_addr addr;
    int status = PK_EINVAL;

    if (len > PK_HEADER_FROM_MAX) {
        *error_r = pk_error("the From field is longer than %d octets",
                            PK_HEADER_FROM_MAX);
        return PK_EINVAL;
    }
    /* Too large for a milter thread's stack. */
    if ((fp = calloc(1, sizeof(*fp))) == NULL) {
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    fp->p = (const unsigned char *)value;
    fp->end = fp->p + len;
    if (!check_octets(fp) || !top_level(fp)) {
        /* fp->error says why. */
    } else if (fp->angles == 0 && fp->words == 0) {
        fail(fp, "no address in the From field");
    } else if (fp->angles == 0 && (fp->words > 1 || fp->quoted)) {
        fail(fp, fp->at_words > 0 && fp->quoted && fp->words == 1
                     ? "a quoted local part in the From address"
                     : "a From display name without an <address>");
    } else if (fp->angles == 0 && fp->at_words == 0) {
        fail(fp, "no address in the From field");
    } else if (fp->after_angle) {
        fail(fp, "text after the address in the From field");
    } else if (memmem(fp->addr, fp->addr_len, "=?", 2) != NULL) {
        fail(fp, "an encoded word in the From address");
    } else {
        const char *error;

        fp->addr[fp->addr_len] = 0;
        if ((status = pk_addr_parse(fp->addr, 0, &addr, &error)) != PK_OK) {
            fp->error = status == PK_ENOMEM ? "out of memory"
                                            : "an invalid From address";
        } else if (shows_other(fp, &addr)) {
            fp->error = "the From display name shows another address";
            status = PK_EINVAL;
        } else {
            *addr_r = addr;
        }
    }
    if (fp->error != NULL) {
        if (status == PK_OK)
            status = PK_EINVAL;
        *error_r = pk_error("%s", fp->error);
    }
    free(fp);
    return status;
}

/* pk_header_from_init - start a message */

void pk_header_from_init(struct pk_header_from *from)
{
    memset(from, 0, sizeof(*from));
    from->status = PK_OK;
}

/* pk_header_from_field - feed one header field */

void pk_header_from_field(struct pk_header_from *from, const char *name,
                          const char *value, size_t len)
{
    const char *error = NULL;

    if (strcasecmp(name, "From") != 0)
        return;
    if (++from->count == 1) {
        from->status = pk_header_from_value(value, len, &from->addr, &error);
    } else if (from->status == PK_OK) {
        from->status = PK_EINVAL;
        error = "more than one From header field";
    }
    if (error != NULL && from->error[0] == 0)
        snprintf(from->error, sizeof(from->error), "%s", error);
}

/* pk_header_from_result - the author address, or why there is none */

int pk_header_from_result(const struct pk_header_from *from,
                          struct pk_addr *addr_r, const char **error_r)
{
    if (from->count == 0) {
        *error_r = pk_error("no From header field");
        return PK_EINVAL;
    }
    if (from->status != PK_OK) {
        *error_r = pk_error("%s", from->error);
        return from->status;
    }
    *addr_r = from->addr;
    return PK_OK;
}

/* field_name_ok - RFC 5322 section 3.6.8 ftext, before the colon */

static bool field_name_ok(const char *name, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 33 || (unsigned char)name[i] > 126)
            return false;
    return true;
}

/* pk_header_from_message - the author address of a whole header section */

int pk_header_from_message(const char *header, size_t len,
                           struct pk_addr *addr_r, const char **error_r)
{
    struct pk_header_from from;
    const char *s = header, *end = header + len, *colon, *eol, *fend;
    const char *nl;
    char name[64];
    size_t nlen;

    pk_header_from_init(&from);
    while (s < end && *s != '\n' &&
           !(*s == '\r' && s + 1 < end && s[1] == '\n')) {
        if (*s == ' ' || *s == '\t') {
            *error_r =
                pk_error("a header section that starts with white space");
            return PK_EINVAL;
        }
        /* The field runs to the last continuation line. */
        for (fend = s;; fend = nl + 1) {
            nl = memchr(fend, '\n', end - fend);
            if (nl == NULL || nl + 1 >= end || (nl[1] != ' ' && nl[1] != '\t'))
                break;
        }
        eol = nl != NULL ? nl : end;
        if (eol > s && eol[-1] == '\r' && nl != NULL)
            eol--;
        colon = memchr(s, ':', eol - s);
        nlen = colon != NULL ? (size_t)(colon - s) : 0;
        while (nlen > 0 && (s[nlen - 1] == ' ' || s[nlen - 1] == '\t'))
            nlen--;
        if (colon == NULL || !field_name_ok(s, nlen)) {
            *error_r = pk_error("a malformed header field");
            return PK_EINVAL;
        }
        if (nlen < sizeof(name)) {
            memcpy(name, s, nlen);
            name[nlen] = 0;
            pk_header_from_field(&from, name, colon + 1, eol - colon - 1);
        }
        s = nl != NULL ? nl + 1 : end;
    }
    return pk_header_from_result(&from, addr_r, error_r);
}
