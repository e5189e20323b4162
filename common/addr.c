/*++
/* NAME
/*	addr 3
/* SUMMARY
/*	mail address rules: parse, normalize, key
/* SYNOPSIS
/*	#include "addr.h"
/*
/*	int	pk_addr_parse(const char *in, unsigned flags,
/*			struct pk_addr *addr_r, const char **error_r)
/*
/*	int	pk_addr_parse_domain(const char *in,
/*			char out[PK_DOMAIN_MAX + 1], const char **error_r)
/*
/*	void	pk_addr_format(const struct pk_addr *addr,
/*			char out[PK_ADDR_MAX + 1])
/*
/*	size_t	pk_addr_key(const struct pk_addr *addr, char key[PK_KEY_MAX])
/*
/*	int	pk_addr_from_key(const void *key, size_t len,
/*			struct pk_addr *addr_r)
/*
/*	bool	pk_addr_subaddress_base(const struct pk_addr *addr,
/*			char delimiter, struct pk_addr *base_r)
/*
/*	void	pk_addr_domain_unicode(const char *domain, char *out,
/*			size_t size)
/* DESCRIPTION
/*	pk_addr_parse() splits "local@domain" at the last '@', checks the
/*	local part against the dot-atom syntax of RFC 5322 section 3.2.3
/*	and stores it in lowercase, and normalizes the domain with
/*	pk_addr_parse_domain(). With PK_ADDR_CATCHALL in flags it also
/*	accepts "@domain", which has an empty local part. addr_r is
/*	written only on success.
/*
/*	pk_addr_parse_domain() converts a domain to its lowercase IDNA
/*	A-label form (IDNA2008 with the UTS #46 non-transitional mapping,
/*	NFC input; libidn2), so that a U-label and its A-label give the
/*	same result and an existing A-label comes out unchanged. The result
/*	must be a host name: LDH labels of 1 to 63 octets that neither
/*	begin nor end with a hyphen (RFC 1035 section 2.3.1, RFC 5890
/*	section 2.3.1), at least two labels, 253 octets in all, and a
/*	top-level label that is not all digits.
/*
/*	pk_addr_format() writes "local@domain", or "@domain" for a
/*	catch-all.
/*
/*	pk_addr_key() writes the database key, the domain, a NUL byte and
/*	the local part (no terminating NUL), and returns its length.
/*
/*	pk_addr_from_key() is the strict inverse of pk_addr_key(): it
/*	accepts exactly what pk_addr_key() can produce from a parsed
/*	address and re-validates both parts, so a damaged key never turns
/*	into an address.
/*
/*	pk_addr_subaddress_base() strips the extension of a subaddress,
/*	from the first delimiter in the local part: "a+b+c" gives "a".
/*	It returns false and leaves base_r alone for a catch-all, when the
/*	local part has no delimiter, when the delimiter is its first
/*	character, or when what is left would end with a dot. base_r may
/*	be addr.
/*
/*	pk_addr_domain_unicode() writes the U-label form of a domain for
/*	display, or "" when the domain has no A-label, does not convert
/*	cleanly in both directions, or does not fit in size octets. It
/*	always NUL-terminates when size is not zero.
/* DIAGNOSTICS
/*	pk_addr_parse() and pk_addr_parse_domain() return PK_OK, PK_EINVAL
/*	with a message in error_r (see pk_error()), or PK_ENOMEM.
/*	pk_addr_from_key() returns PK_OK, PK_ECORRUPT or PK_ENOMEM.
/* SECURITY
/*	The input is untrusted: it arrives from logins, SMTP envelopes and
/*	import files. Input longer than ADDR_INPUT_MAX octets is refused
/*	before anything else looks at it. Error messages quote at most
/*	ADDR_QUOTE_MAX octets of the input. Control characters, white
/*	space, invalid UTF-8, invisible and bidirectional formatting
/*	characters, quotes and backslashes are escaped, so that a message
/*	is safe to write to a log and shows what was typed. No character
/*	class depends on the locale.
/*--*/

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <idn2.h>

#include "addr.h"

/* Longest input looked at. A domain whose A-label fits in 253 octets
 * can take more octets as UTF-8 (up to 59 code points of 4 octets per
 * label), so this is well above PK_ADDR_MAX, but bounded. */
#define ADDR_INPUT_MAX 1024
/* Octets of input quoted in an error message. */
#define ADDR_QUOTE_MAX 64
/* Enough to hold ADDR_QUOTE_MAX octets escaped as \xHH, "..." and NUL. */
#define ADDR_QUOTE_BUF (ADDR_QUOTE_MAX * 4 + 4)
/* Room for a formatted reason. */
#define ADDR_WHY_BUF 128

/* addr_is_alpha - ASCII letter, whatever the locale */

static bool addr_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* addr_is_digit - ASCII digit, whatever the locale */

static bool addr_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* addr_is_upper - ASCII upper-case letter */

static bool addr_is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

/* addr_lower - ASCII lower case; other octets unchanged */

static char addr_lower(unsigned char c)
{
    return (char)(addr_is_upper(c) ? c - 'A' + 'a' : c);
}

/* addr_is_ctl_or_space - a control character, DEL or the space */

static bool addr_is_ctl_or_space(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* addr_is_atext - RFC 5322 section 3.2.3 atext */

static bool addr_is_atext(unsigned char c)
{
    return addr_is_alpha(c) || addr_is_digit(c) ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* addr_is_ldh - letter, digit or hyphen (RFC 1035 section 2.3.1) */

static bool addr_is_ldh(unsigned char c)
{
    return addr_is_alpha(c) || addr_is_digit(c) || c == '-';
}

/* addr_utf8_len - octets of one visible UTF-8 character at s, or 0 */

static size_t addr_utf8_len(const unsigned char *s, size_t avail)
{
    unsigned long cp;
    size_t n, i;

    /* RFC 3629 section 4, without overlong forms and surrogates. */
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n > avail)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    /* C1 controls, invisible spaces, joiners, bidi controls, line and
     * paragraph separators: they hide or reorder text in a log line. */
    if (cp <= 0xa0 || cp == 0xad || cp == 0x1680 ||
        (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
        (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff ||
        (cp >= 0xfff9 && cp <= 0xfffb))
        return 0;
    return n;
}

/* addr_quote - a log-safe excerpt of untrusted input */

static const char *addr_quote(const char *in, size_t len, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)in;
    size_t n = len < ADDR_QUOTE_MAX ? len : ADDR_QUOTE_MAX;
    char *p = buf;
    size_t i, seq;

    for (i = 0; i < n; i++) {
        if (u[i] == '"' || u[i] == '\\') {
            *p++ = '\\';
            *p++ = (char)u[i];
        } else if (u[i] > 0x20 && u[i] < 0x7f) {
            *p++ = (char)u[i];
        } else if ((seq = addr_utf8_len(u + i, n - i)) > 0) {
            memcpy(p, u + i, seq);
            p += seq;
            i += seq - 1;
        } else {
            /* Space too: trailing white space would be invisible. */
            *p++ = '\\';
            *p++ = 'x';
            *p++ = hex[u[i] >> 4];
            *p++ = hex[u[i] & 0xf];
        }
    }
    if (n < len) {
        memcpy(p, "...", 3);
        p += 3;
    }
    *p = 0;
    return buf;
}

/* addr_fail - report invalid input, quoting a safe excerpt of it */

static int __attribute__((format(printf, 5, 6)))
addr_fail(const char **error_r, const char *what, const char *in, size_t len,
          const char *fmt, ...)
{
    char quoted[ADDR_QUOTE_BUF];
    char why[ADDR_WHY_BUF];
    va_list ap;

    /* pk_addr_from_key() has no use for the words: skip formatting. */
    if (error_r == NULL)
        return PK_EINVAL;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    *error_r = pk_error("invalid %s \"%s\": %s", what,
                        addr_quote(in, len, quoted), why);
    return PK_EINVAL;
}

/* addr_find_ctl_or_space - the first control character or space, or NULL */

static const char *addr_find_ctl_or_space(const char *in, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (addr_is_ctl_or_space((unsigned char)in[i]))
            return in + i;
    return NULL;
}

/* addr_local_problem - why a local part is no dot-atom, or NULL */

static const char *addr_local_problem(const char *s, size_t len, char *why,
                                      size_t size)
{
    size_t i;

    /* RFC 5321 section 4.1.2 allows a quoted string; we store none. */
    if (len > 0 && s[0] == '"')
        return "quoted local parts are not supported";
    /* RFC 5321 section 4.5.3.1.1. */
    if (len > PK_LOCAL_MAX) {
        snprintf(why, size, "local part is too long (%zu octets, at most %d)",
                 len, PK_LOCAL_MAX);
        return why;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80)
            return "non-ASCII local parts are not supported";
        if (c == '@')
            return "'@' in the local part";
        if (c != '.' && !addr_is_atext(c)) {
            if (c > 0x20 && c < 0x7f)
                snprintf(why, size,
                         "character '%c' is not allowed in a local part", c);
            else
                snprintf(why, size,
                         "character 0x%02x is not allowed in a local part", c);
            return why;
        }
    }
    /* RFC 5322 section 3.2.3: dot-atom-text = 1*atext *("." 1*atext) */
    if (len > 0 && s[0] == '.')
        return "local part begins with a dot";
    if (len > 0 && s[len - 1] == '.')
        return "local part ends with a dot";
    for (i = 1; i < len; i++)
        if (s[i] == '.' && s[i - 1] == '.')
            return "two dots in a row in the local part";
    return NULL;
}

/* addr_domain_problem - why a domain is no host name, or NULL */

static const char *addr_domain_problem(const char *d, size_t len, char *why,
                                       size_t size)
{
    size_t start, i, labels = 0;
    bool all_digits = true;

    if (len == 0)
        return "empty domain";
    if (len > PK_DOMAIN_MAX) {
        snprintf(why, size, "domain is too long (%zu octets, at most %d)", len,
                 PK_DOMAIN_MAX);
        return why;
    }
    /* Strict: a root dot is DNS syntax, not part of a mail domain. */
    if (d[len - 1] == '.')
        return "domain ends with a dot";
    for (start = 0; start <= len; start = i + 1) {
        for (i = start; i < len && d[i] != '.'; i++)
            ;
        labels++;
        if (i == start)
            return "empty label in domain (a dot too many)";
        /* RFC 1035 section 2.3.4. */
        if (i - start > 63) {
            snprintf(why, size,
                     "domain label is too long (%zu octets, at most 63)",
                     i - start);
            return why;
        }
        /* RFC 1035 section 2.3.1, RFC 5890 section 2.3.1 (LDH label). */
        if (d[start] == '-' || d[i - 1] == '-')
            return "domain label begins or ends with a hyphen";
        all_digits = true;
        for (size_t j = start; j < i; j++) {
            unsigned char c = (unsigned char)d[j];

            if (!addr_is_ldh(c)) {
                if (c > 0x20 && c < 0x7f)
                    snprintf(why, size,
                             "character '%c' is not allowed in a domain", c);
                else
                    snprintf(why, size,
                             "character 0x%02x is not allowed in a domain", c);
                return why;
            }
            if (!addr_is_digit(c))
                all_digits = false;
        }
    }
    if (labels < 2)
        return "domain has a single label (no dot)";
    /* RFC 3696 section 2: a top-level domain is not all-numeric. */
    if (all_digits)
        return "top-level label is all digits (an IP address?)";
    return NULL;
}

/* addr_is_ascii - no octet above 0x7f */

static bool addr_is_ascii(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* addr_has_alabel - a label begins with the ACE prefix "xn--" */

static bool addr_has_alabel(const char *d)
{
    const char *p = d;

    /* RFC 5890 section 2.3.2.1: the prefix is case-insensitive. */
    for (;;) {
        if (addr_lower((unsigned char)p[0]) == 'x' &&
            addr_lower((unsigned char)p[1]) == 'n' && p[2] == '-' &&
            p[3] == '-')
            return true;
        if ((p = strchr(p, '.')) == NULL)
            return false;
        p++;
    }
}

/* addr_has_hyphens34 - a label has "--" in positions 3 and 4 */

static bool addr_has_hyphens34(const char *d)
{
    const char *p = d;

    /* RFC 5891 section 4.2.3.1: reserved for A-labels and the like. */
    for (;;) {
        if (p[0] != 0 && p[0] != '.' && p[1] != 0 && p[1] != '.' &&
            p[2] == '-' && p[3] == '-')
            return true;
        if ((p = strchr(p, '.')) == NULL)
            return false;
        p++;
    }
}

/* addr_equal_nocase - ASCII case-insensitive string equality */

static bool addr_equal_nocase(const char *a, const char *b)
{
    for (; *a != 0 && *b != 0; a++, b++)
        if (addr_lower((unsigned char)*a) != addr_lower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* addr_idna_round_trip - the A-labels decode and encode back unchanged */

static int addr_idna_round_trip(const char *ace)
{
    char *unicode = NULL, *again = NULL;
    int rc;

    rc = idn2_to_unicode_8z8z(ace, &unicode, 0);
    if (rc == IDN2_OK)
        rc = idn2_to_ascii_8z(unicode, &again,
                              IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc == IDN2_OK && !addr_equal_nocase(again, ace))
        rc = IDN2_ENCODING_ERROR;
    idn2_free(unicode);
    idn2_free(again);
    return rc == IDN2_OK ? PK_OK : rc == IDN2_MALLOC ? PK_ENOMEM : PK_EINVAL;
}

/* addr_nomem - report that libidn2 ran out of memory */

static int addr_nomem(const char **error_r)
{
    if (error_r != NULL)
        *error_r = pk_error("out of memory converting a domain");
    return PK_ENOMEM;
}

/* addr_domain_to_ace - the checked, lowercase A-label form of a domain */

static int addr_domain_to_ace(const char *in, size_t len,
                              char out[PK_DOMAIN_MAX + 1], const char **error_r)
{
    char why[ADDR_WHY_BUF];
    const char *problem;
    char *ace = NULL;
    size_t ace_len, i;
    int rc;

    /* RFC 5891 section 5 via UTS #46; also checks existing A-labels. */
    rc = idn2_to_ascii_8z(in, &ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
        rc = rc == IDN2_MALLOC ? addr_nomem(error_r)
                               : addr_fail(error_r, "domain", in, len, "%s",
                                           idn2_strerror(rc));
        goto done;
    }

    /* The mapping can create dots (U+3002) and spaces (U+00A0): re-check. */
    ace_len = strlen(ace);
    for (i = 0; i < ace_len; i++)
        ace[i] = addr_lower((unsigned char)ace[i]);
    problem = addr_domain_problem(ace, ace_len, why, sizeof(why));
    if (problem != NULL) {
        rc = addr_fail(error_r, "domain", in, len, "%s (after IDNA mapping)",
                       problem);
        goto done;
    }

    /* libidn2 accepts an A-label whose U-label is not in mapped form
     * ("xn--znk" is U+323A, which UTS #46 maps to "(U+547C)"), so no
     * user could type it. RFC 5891 section 5.4 wants an A-label that
     * decodes to a valid U-label: insist that it converts back. */
    if (addr_has_alabel(ace) && (rc = addr_idna_round_trip(ace)) != PK_OK) {
        rc = rc == PK_ENOMEM
                 ? addr_nomem(error_r)
                 : addr_fail(error_r, "domain", in, len,
                             "A-label does not decode to a valid U-label");
        goto done;
    }
    memcpy(out, ace, ace_len + 1);
    rc = PK_OK;
done:
    idn2_free(ace);
    return rc;
}

/* addr_fast_local - atext or a dot, lowered; 0 for anything else */

static unsigned char addr_fast_local(unsigned char c)
{
    unsigned char l = c | 0x20; /* lower case, if c is a letter */

    if ((unsigned char)(l - 'a') < 26)
        return l;
    if ((unsigned char)(c - '0') < 10 || c == '.')
        return c;
    /* RFC 5322 section 3.2.3 atext other than letters and digits. */
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '/':
    case '=':
    case '?':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
        return c;
    default:
        return 0;
    }
}

/* addr_fast_domain - a plain lowercase LDH host name, in one pass */

static bool addr_fast_domain(const unsigned char *s,
                             char out[PK_DOMAIN_MAX + 1], size_t *len_r)
{
    size_t j, start = 0, labels = 0;
    unsigned char c, l;

    /* Only what the full rules accept unchanged, without libidn2: LDH
     * labels of 1 to 63 octets, no hyphen at either end, no "??--"
     * (A-labels and reserved forms), two labels or more, a top-level
     * label that is not all digits, 253 octets. Anything else takes
     * the full path, which also words the error. */
    for (j = 0;; j++) {
        c = s[j];
        l = c | 0x20; /* lower case, if c is a letter */
        if ((unsigned char)(l - 'a') < 26 || (unsigned char)(c - '0') < 10 ||
            c == '-') {
            if (j >= PK_DOMAIN_MAX)
                return false;
            out[j] = (char)((unsigned char)(l - 'a') < 26 ? l : c);
            continue;
        }
        if (c != '.' && c != 0)
            return false;
        if (j == start || j - start > 63 || s[start] == '-' ||
            s[j - 1] == '-' ||
            (j - start >= 4 && s[start + 2] == '-' && s[start + 3] == '-'))
            return false;
        labels++;
        if (c == 0)
            break;
        out[j] = '.';
        start = j + 1;
    }
    if (labels < 2)
        return false;
    /* RFC 3696 section 2: the top-level label is not all digits. */
    for (l = 1; start < j && l; start++)
        l = (unsigned char)(s[start] - '0') < 10;
    if (l)
        return false;
    out[j] = 0;
    *len_r = j;
    return true;
}

/* addr_fast_parse - the common address in one pass; false: full rules */

static bool addr_fast_parse(const char *in, unsigned flags,
                            struct pk_addr *addr)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i, domain_len;
    unsigned char c;

    /* The same checks as addr_local_problem(), fused with lowering. A
     * quote, a control character, white space, non-ASCII or a second
     * '@' is not accepted here, so it gets the full path's words. */
    for (i = 0; s[i] != '@'; i++) {
        if (i >= PK_LOCAL_MAX || (c = addr_fast_local(s[i])) == 0)
            return false;
        if (c == '.' && (i == 0 || s[i - 1] == '.'))
            return false;
        addr->local[i] = (char)c;
    }
    if (i == 0 ? !(flags & PK_ADDR_CATCHALL) : s[i - 1] == '.')
        return false;
    addr->local[i] = 0;
    if (!addr_fast_domain(s + i + 1, addr->domain, &domain_len))
        return false;
    /* RFC 5321 section 4.5.3.1.3. */
    return i + 1 + domain_len <= PK_ADDR_MAX;
}

/* pk_addr_parse_domain - validate and normalize a domain to its A-label */

int pk_addr_parse_domain(const char *in, char out[PK_DOMAIN_MAX + 1],
                         const char **error_r)
{
    char fast[PK_DOMAIN_MAX + 1];
    char why[ADDR_WHY_BUF];
    const char *problem;
    size_t len;

    if (in == NULL || *in == 0) {
        if (error_r != NULL)
            *error_r = pk_error("empty domain");
        return PK_EINVAL;
    }
    /* A copy: out is written only on success. */
    if (addr_fast_domain((const unsigned char *)in, fast, &len)) {
        memcpy(out, fast, len + 1);
        return PK_OK;
    }
    len = strnlen(in, ADDR_INPUT_MAX + 1);
    if (len > ADDR_INPUT_MAX)
        return addr_fail(error_r, "domain", in, len,
                         "domain is too long (more than %d octets)",
                         ADDR_INPUT_MAX);
    if (addr_find_ctl_or_space(in, len) != NULL)
        return addr_fail(error_r, "domain", in, len,
                         "white space or a control character in the domain");
    /* RFC 5321 section 4.1.3. */
    if (in[0] == '[')
        return addr_fail(error_r, "domain", in, len,
                         "address literals are not supported");

    /* ASCII input: our own words first, they say more than libidn2's. */
    if (addr_is_ascii(in, len)) {
        if ((problem = addr_domain_problem(in, len, why, sizeof(why))) != NULL)
            return addr_fail(error_r, "domain", in, len, "%s", problem);
        /* A valid LDH name without A-labels (or other "??--" labels)
         * maps to itself in lowercase (UTS #46 section 4): skip libidn2
         * on the lookup hot path. */
        if (!addr_has_hyphens34(in)) {
            for (size_t i = 0; i <= len; i++)
                out[i] = addr_lower((unsigned char)in[i]);
            return PK_OK;
        }
    }
    return addr_domain_to_ace(in, len, out, error_r);
}

/* pk_addr_parse - validate and normalize one address */

int pk_addr_parse(const char *in, unsigned flags, struct pk_addr *addr_r,
                  const char **error_r)
{
    struct pk_addr addr;
    char why[ADDR_WHY_BUF];
    const char *at, *problem;
    size_t len, local_len, domain_len, i;
    int rc;

    if (in == NULL || *in == 0) {
        if (error_r != NULL)
            *error_r = pk_error("empty address");
        return PK_EINVAL;
    }
    /* Most addresses are plain ASCII: no copies, no libidn2. */
    if (addr_fast_parse(in, flags, &addr)) {
        *addr_r = addr;
        return PK_OK;
    }
    len = strnlen(in, ADDR_INPUT_MAX + 1);
    if (len > ADDR_INPUT_MAX)
        return addr_fail(error_r, "address", in, len,
                         "address is too long (more than %d octets)",
                         ADDR_INPUT_MAX);
    /* Before the white space check: "a b"@x is usually quoted. */
    if (in[0] == '"')
        return addr_fail(error_r, "address", in, len,
                         "quoted local parts are not supported");
    if (addr_find_ctl_or_space(in, len) != NULL)
        return addr_fail(error_r, "address", in, len,
                         "white space or a control character in the address");

    /* The last '@': a domain never contains one (RFC 5321 section 4.1.2). */
    at = strrchr(in, '@');
    if (at == NULL)
        return addr_fail(error_r, "address", in, len,
                         "no '@' (expected local@domain)");
    local_len = (size_t)(at - in);
    if (at[1] == 0)
        return addr_fail(error_r, "address", in, len,
                         "empty domain after the '@'");
    if (local_len == 0 && !(flags & PK_ADDR_CATCHALL))
        return addr_fail(error_r, "address", in, len, "empty local part");
    problem = addr_local_problem(in, local_len, why, sizeof(why));
    if (problem != NULL)
        return addr_fail(error_r, "address", in, len, "%s", problem);

    rc = pk_addr_parse_domain(at + 1, addr.domain, error_r);
    if (rc != PK_OK)
        return rc;

    /* RFC 5321 section 4.5.3.1.3: a path of 256 octets with its angle
     * brackets leaves 254 for the address, counted in its A-label form. */
    domain_len = strlen(addr.domain);
    if (local_len + 1 + domain_len > PK_ADDR_MAX)
        return addr_fail(error_r, "address", in, len,
                         "address is too long (%zu octets, at most %d)",
                         local_len + 1 + domain_len, PK_ADDR_MAX);

    /* RFC 5321 section 2.4 lets a server treat the local part as
     * case-sensitive; we choose not to, and store it lowercase. */
    for (i = 0; i < local_len; i++)
        addr.local[i] = addr_lower((unsigned char)in[i]);
    addr.local[local_len] = 0;
    *addr_r = addr;
    return PK_OK;
}

/* pk_addr_check_hosted - only safe characters in our own local parts */

int pk_addr_check_hosted(const struct pk_addr *addr, const char **error_r)
{
    for (const char *p = addr->local; *p != 0; p++) {
        unsigned char c = (unsigned char)*p;

        if (addr_is_alpha(c) || addr_is_digit(c) || strchr("._-+=", c) != NULL)
            continue;
        if (error_r != NULL)
            *error_r = pk_error("character '%c' is not allowed in a hosted "
                                "address (only letters, digits and . _ - + =)",
                                c);
        return PK_EINVAL;
    }
    return PK_OK;
}

/* pk_addr_format - "local@domain", or "@domain" for a catch-all */

void pk_addr_format(const struct pk_addr *addr, char out[PK_ADDR_MAX + 1])
{
    size_t local_len = strnlen(addr->local, PK_LOCAL_MAX);
    size_t domain_len = strnlen(addr->domain, PK_DOMAIN_MAX);

    /* On every lookup's path: plain copies, no format parsing. */
    if (local_len + 1 + domain_len > PK_ADDR_MAX)
        domain_len = PK_ADDR_MAX - 1 - local_len;
    memcpy(out, addr->local, local_len);
    out[local_len] = '@';
    memcpy(out + local_len + 1, addr->domain, domain_len);
    out[local_len + 1 + domain_len] = 0;
}

/* pk_addr_key - the database key; returns its length */

size_t pk_addr_key(const struct pk_addr *addr, char key[PK_KEY_MAX])
{
    size_t domain_len = strnlen(addr->domain, PK_DOMAIN_MAX);
    size_t local_len = strnlen(addr->local, PK_LOCAL_MAX);

    /* Domain first, so that a cursor walks one domain's entries. */
    memcpy(key, addr->domain, domain_len);
    key[domain_len] = 0;
    memcpy(key + domain_len + 1, addr->local, local_len);
    return domain_len + 1 + local_len;
}

/* pk_addr_text_key - the key of a canonical "local@domain" */

bool pk_addr_text_key(const char *text, size_t len, char key[PK_KEY_MAX],
                      size_t *dlen_r)
{
    const char *at = NULL;
    size_t dlen;

    if (len > PK_ADDR_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '@')
            at = text + i;
    if (at == NULL)
        return false;
    /* Domain first, so that a cursor walks one domain's entries. */
    dlen = text + len - at - 1;
    memcpy(key, at + 1, dlen);
    key[dlen] = 0;
    memcpy(key + dlen + 1, text, at - text);
    *dlen_r = dlen;
    return true;
}

/* pk_addr_from_key - the address of a database key; PK_ECORRUPT if bad */

int pk_addr_from_key(const void *key, size_t len, struct pk_addr *addr_r)
{
    struct pk_addr addr;
    char canon[PK_DOMAIN_MAX + 1];
    char why[ADDR_WHY_BUF];
    const char *k = key, *nul;
    size_t domain_len, local_len, i;
    int rc;

    if (k == NULL || len == 0 || len > PK_KEY_MAX)
        return PK_ECORRUPT;
    if ((nul = memchr(k, 0, len)) == NULL)
        return PK_ECORRUPT;
    domain_len = (size_t)(nul - k);
    local_len = len - domain_len - 1;
    if (domain_len == 0 || domain_len > PK_DOMAIN_MAX ||
        local_len > PK_LOCAL_MAX || memchr(nul + 1, 0, local_len) != NULL)
        return PK_ECORRUPT;

    /* The stored domain must be exactly what normalization gives. */
    memcpy(addr.domain, k, domain_len);
    addr.domain[domain_len] = 0;
    rc = pk_addr_parse_domain(addr.domain, canon, NULL);
    if (rc == PK_ENOMEM)
        return rc;
    if (rc != PK_OK || strcmp(canon, addr.domain) != 0)
        return PK_ECORRUPT;

    memcpy(addr.local, nul + 1, local_len);
    addr.local[local_len] = 0;
    if (local_len > 0) {
        if (addr_local_problem(addr.local, local_len, why, sizeof(why)))
            return PK_ECORRUPT;
        for (i = 0; i < local_len; i++)
            if (addr_is_upper((unsigned char)addr.local[i]))
                return PK_ECORRUPT;
        if (local_len + 1 + domain_len > PK_ADDR_MAX)
            return PK_ECORRUPT;
    }
    *addr_r = addr;
    return PK_OK;
}

/* pk_addr_subaddress_base - strip "+ext" (delimiter given); false if none */

bool pk_addr_subaddress_base(const struct pk_addr *addr, char delimiter,
                             struct pk_addr *base_r)
{
    struct pk_addr base;
    size_t local_len = strnlen(addr->local, PK_LOCAL_MAX);
    const char *delim;
    size_t base_len;

    if (delimiter == 0 || local_len == 0)
        return false;
    /* The first one: "a+b+c" is "a" with the extension "b+c". */
    delim = memchr(addr->local, delimiter, local_len);
    if (delim == NULL || delim == addr->local)
        return false;
    base_len = (size_t)(delim - addr->local);
    /* "a.+x" would leave "a.", which is no dot-atom. */
    if (addr->local[base_len - 1] == '.')
        return false;
    memcpy(base.local, addr->local, base_len);
    base.local[base_len] = 0;
    memcpy(base.domain, addr->domain, sizeof(base.domain));
    *base_r = base;
    return true;
}

/* pk_addr_domain_unicode - U-label form for display; "" if not IDNA */

void pk_addr_domain_unicode(const char *domain, char *out, size_t size)
{
    char why[ADDR_WHY_BUF];
    char *unicode = NULL, *ace = NULL;
    size_t len;

    if (out == NULL || size == 0)
        return;
    out[0] = 0;
    if (domain == NULL)
        return;
    len = strnlen(domain, PK_DOMAIN_MAX + 1);
    if (addr_domain_problem(domain, len, why, sizeof(why)) != NULL ||
        !addr_has_alabel(domain))
        return;
    if (idn2_to_unicode_8z8z(domain, &unicode, 0) != IDN2_OK)
        goto done;
    /* idn2_to_unicode_8z8z() decodes Punycode without checking what it
     * decodes to; only show a U-label that maps back to this domain. */
    if (idn2_to_ascii_8z(unicode, &ace,
                         IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK ||
        !addr_equal_nocase(ace, domain))
        goto done;
    /* A truncated domain would name a different one: all or nothing. */
    len = strlen(unicode);
    if (len < size)
        memcpy(out, unicode, len + 1);
done:
    idn2_free(unicode);
    idn2_free(ace);
}
