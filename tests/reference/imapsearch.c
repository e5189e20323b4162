/*++
/* NAME
/*	imapsearch 3
/* SUMMARY
/*	IMAP sequence sets and SEARCH of the reference server
/* DESCRIPTION
/*	imap_set_valid() checks a sequence set (RFC 3501 section 9,
/*	sequence-set); imap_set_has() says whether it holds a number, "*"
/*	being max. imap_search() answers SEARCH and UID SEARCH for ALL,
/*	the flag keys (ANSWERED ... UNSEEN, NEW, OLD, RECENT), LARGER,
/*	SMALLER, UID, sequence sets, NOT, OR, parenthesized lists,
/*	SUBJECT, FROM, TO, CC, BCC, HEADER, BODY, TEXT (case-insensitive
/*	substring), BEFORE, ON, SINCE (internal date), SENTBEFORE,
/*	SENTON, SENTSINCE (the day written in the Date: header, time and
/*	zone disregarded; a message without a usable Date: matches none),
/*	KEYWORD, UNKEYWORD, and CHARSET US-ASCII or UTF-8. Another key is
/*	a BAD.
/*--*/

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap-int.h"

/* set_number - one nz-number or "*"; NULL on error */

static const char *set_number(const char *p, const char *end, uint32_t max,
                              uint32_t *v)
{
    uint64_t n = 0;

    if (p < end && *p == '*') {
        *v = max;
        return (p + 1);
    }
    if (p == end || *p < '1' || *p > '9')
        return (NULL);
    while (p < end && isdigit((unsigned char)*p)) {
        n = n * 10 + (*p++ - '0');
        if (n > UINT32_MAX)
            return (NULL);
    }
    *v = (uint32_t)n;
    return (p);
}

/* imap_set_has - is value in the set */

bool imap_set_has(const char *set, size_t len, uint32_t value, uint32_t max)
{
    const char *p = set, *end = set + len;
    uint32_t a, b, t;

    while (p && p < end) {
        if ((p = set_number(p, end, max, &a)) == NULL)
            return (false);
        b = a;
        if (p < end && *p == ':' &&
            (p = set_number(p + 1, end, max, &b)) == NULL)
            return (false);
        if (a > b) {
            t = a;
            a = b;
            b = t;
        }
        if (value >= a && value <= b)
            return (true);
        if (p < end && *p == ',')
            p++;
    }
    return (false);
}

/* imap_set_valid - the syntax of a set */

bool imap_set_valid(const char *set, size_t len)
{
    const char *p = set, *end = set + len;
    uint32_t v;

    while (p < end) {
        if ((p = set_number(p, end, 1, &v)) == NULL)
            return (false);
        if (p < end && *p == ':' && (p = set_number(p + 1, end, 1, &v)) == NULL)
            return (false);
        if (p < end && (*p != ',' || p + 1 == end))
            return (false);
        if (p < end)
            p++;
    }
    return (len > 0);
}

struct search {
    struct ref_conn *c;
    struct imap *im;
    size_t i;  /* message index */
    char *msg; /* loaded on demand */
    size_t len;
    bool failed;
};

/* has_text - case-insensitive substring of a region */

static bool has_text(const char *hay, size_t hlen, const struct ref_imap_arg *s)
{
    size_t i;

    if (s->len == 0)
        return (true);
    for (i = 0; i + s->len <= hlen; i++)
        if (strncasecmp(hay + i, s->str, s->len) == 0)
            return (true);
    return (false);
}

/* header_has - a header field whose value contains a string */

static bool header_has(const char *hdr, size_t hlen, const char *name,
                       size_t nlen, const struct ref_imap_arg *s)
{
    const char *h = hdr, *end = hdr + hlen, *eol, *fend;

    while (h < end) {
        eol = memchr(h, '\n', end - h);
        eol = eol ? eol + 1 : end;
        if ((size_t)(eol - h) > nlen && strncasecmp(h, name, nlen) == 0 &&
            h[nlen] == ':') {
            for (fend = eol; fend < end && (*fend == ' ' || *fend == '\t');) {
                const char *n2 = memchr(fend, '\n', end - fend);

                fend = n2 ? n2 + 1 : end;
            }
            if (has_text(h + nlen + 1, fend - h - nlen - 1, s))
                return (true);
        }
        h = eol;
    }
    return (false);
}

/* parse_date - "1-Feb-1994" as a UTC day start; -1 if bad */

static time_t parse_date(const struct ref_imap_arg *a)
{
    char buf[32];
    struct tm tm = {0};
    char *end;

    if (!ref_imap_cstr(a, buf, sizeof(buf)) ||
        (end = strptime(buf, "%d-%b-%Y", &tm)) == NULL || *end)
        return (-1);
    return (timegm(&tm));
}

/* header_value - the first field of a name, unfolded, bounded */

static bool header_value(const char *hdr, size_t hlen, const char *name,
                         char *out, size_t outsz)
{
    const char *h = hdr, *end = hdr + hlen, *eol;
    size_t nlen = strlen(name), o = 0;

    while (h < end) {
        eol = memchr(h, '\n', end - h);
        eol = eol ? eol + 1 : end;
        if ((size_t)(eol - h) > nlen && strncasecmp(h, name, nlen) == 0 &&
            h[nlen] == ':') {
            for (h += nlen + 1; h < end && o + 1 < outsz; h++) {
                if (*h == '\n' &&
                    (h + 1 == end || (h[1] != ' ' && h[1] != '\t')))
                    break;
                out[o++] = (*h == '\r' || *h == '\n' || *h == '\t') ? ' ' : *h;
            }
            out[o] = 0;
            return (true);
        }
        h = eol;
    }
    return (false);
}

/* sent_day - the UTC day start of the date a Date: field names
/* (RFC 5322 3.3, obsolete two-digit years included); -1 if none */

static time_t sent_day(const char *hdr, size_t hlen)
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char value[256], mon[4];
    const char *p, *comma;
    struct tm tm = {0};
    int day, year, i;

    if (!header_value(hdr, hlen, "Date", value, sizeof(value)))
        return (-1);
    p = value;
    if ((comma = strchr(p, ',')) != NULL && comma - p < 16)
        p = comma + 1;
    if (sscanf(p, "%2d %3s %4d", &day, mon, &year) != 3 || day < 1 ||
        day > 31 || year < 0)
        return (-1);
    for (i = 0; i < 12 && strncasecmp(mon, months + 3 * i, 3) != 0; i++)
        ;
    if (i == 12 || strlen(mon) != 3)
        return (-1);
    if (year < 50)
        year += 2000;
    else if (year < 1000)
        year += 1900;
    tm.tm_mday = day;
    tm.tm_mon = i;
    tm.tm_year = year - 1900;
    return (timegm(&tm));
}

static int key(struct search *, const struct ref_imap_arg *, size_t, size_t *);

/* key_flag - the flag keys; -1 if not one */

static int key_flag(struct ref_msg *m, const struct ref_imap_arg *a)
{
    static const struct {
        const char *name;
        char letter;
        bool want;
    } flags[] = {
        {"ANSWERED", 'R', true},   {"DELETED", 'T', true},
        {"DRAFT", 'D', true},      {"FLAGGED", 'F', true},
        {"SEEN", 'S', true},       {"UNANSWERED", 'R', false},
        {"UNDELETED", 'T', false}, {"UNDRAFT", 'D', false},
        {"UNFLAGGED", 'F', false}, {"UNSEEN", 'S', false},
    };
    size_t k;

    for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
        if (ref_imap_is(a, flags[k].name))
            return ((strchr(m->flags, flags[k].letter) != NULL) ==
                    flags[k].want);
    if (ref_imap_is(a, "RECENT"))
        return (m->recent);
    if (ref_imap_is(a, "OLD"))
        return (!m->recent);
    if (ref_imap_is(a, "NEW"))
        return (m->recent && !strchr(m->flags, 'S'));
    if (ref_imap_is(a, "ALL"))
        return (1);
    return (-1);
}

/* key_keyword - KEYWORD and UNKEYWORD; -1 if not one */

static int key_keyword(struct search *s, struct ref_msg *m,
                       const struct ref_imap_arg *a, size_t argc, size_t *pos)
{
    const struct ref_imap_arg *k = &a[*pos - 1];
    char letter;
    bool has;

    if (!ref_imap_is(k, "KEYWORD") && !ref_imap_is(k, "UNKEYWORD"))
        return (-1);
    if (*pos >= argc || a[*pos].type != REF_IMAP_ATOM)
        return (-2);
    letter = ref_keywords_find(&s->im->kw, a[*pos].str, a[*pos].len);
    (*pos)++;
    has = letter != 0 && strchr(m->flags, letter) != NULL;
    return (k->str[0] == 'K' || k->str[0] == 'k' ? has : !has);
}

/* key_text - keys that read the message */

static int key_text(struct search *s, const struct ref_imap_arg *a, size_t argc,
                    size_t *pos)
{
    static const char *const fields[] = {"SUBJECT", "FROM", "TO", "CC", "BCC"};
    const struct ref_imap_arg *k = &a[*pos - 1];
    size_t f, hl;
    time_t day, sent;

    if (*pos >= argc || a[*pos].type == REF_IMAP_LIST ||
        a[*pos].type == REF_IMAP_NIL)
        return (-1);
    if (s->msg == NULL && !imap_load(s->c, s->im, s->i, &s->msg, &s->len)) {
        s->failed = true;
        return (0);
    }
    hl = imap_header_end(s->msg, s->len);
    for (f = 0; f < 5; f++)
        if (ref_imap_is(k, fields[f]))
            return (header_has(s->msg, hl, fields[f], strlen(fields[f]),
                               &a[(*pos)++]));
    if (ref_imap_is(k, "HEADER")) {
        if (*pos + 1 >= argc || a[*pos].type == REF_IMAP_LIST)
            return (-1);
        *pos += 2;
        return (header_has(s->msg, hl, a[*pos - 2].str, a[*pos - 2].len,
                           &a[*pos - 1]));
    }
    if (ref_imap_is(k, "BODY"))
        return (has_text(s->msg + hl, s->len - hl, &a[(*pos)++]));
    if (ref_imap_is(k, "TEXT"))
        return (has_text(s->msg, s->len, &a[(*pos)++]));
    if (ref_imap_is(k, "SENTBEFORE") || ref_imap_is(k, "SENTON") ||
        ref_imap_is(k, "SENTSINCE")) {
        if ((day = parse_date(&a[(*pos)++])) < 0)
            return (-1);
        if ((sent = sent_day(s->msg, hl)) < 0)
            return (0);
        return (ref_imap_is(k, "SENTBEFORE") ? sent < day
                : ref_imap_is(k, "SENTON")   ? sent == day
                                             : sent >= day);
    }
    return (-1);
}

/* key - one search key at *pos; 1 match, 0 no match, -1 bad */

static int key(struct search *s, const struct ref_imap_arg *a, size_t argc,
               size_t *pos)
{
    struct ref_msg *m = &s->im->folder.msgs[s->i];
    const struct ref_imap_arg *k = &a[(*pos)++];
    size_t sub = 0;
    int r, r2;
    time_t day, mday;
    char *end;
    unsigned long n;

    if (k->type == REF_IMAP_LIST) {
        for (r = 1; sub < k->count;)
            if ((r2 = key(s, k->list, k->count, &sub)) < 0)
                return (-1);
            else
                r &= r2;
        return (r);
    }
    if (k->type != REF_IMAP_ATOM)
        return (-1);
    if ((r = key_flag(m, k)) >= 0)
        return (r);
    if ((r = key_keyword(s, m, a, argc, pos)) != -1)
        return (r < 0 ? -1 : r);
    if (ref_imap_is(k, "NOT")) {
        if (*pos >= argc || (r = key(s, a, argc, pos)) < 0)
            return (-1);
        return (!r);
    }
    if (ref_imap_is(k, "OR")) {
        if (*pos >= argc || (r = key(s, a, argc, pos)) < 0 || *pos >= argc ||
            (r2 = key(s, a, argc, pos)) < 0)
            return (-1);
        return (r || r2);
    }
    if (ref_imap_is(k, "LARGER") || ref_imap_is(k, "SMALLER")) {
        if (*pos >= argc || a[*pos].type != REF_IMAP_ATOM ||
            !isdigit((unsigned char)a[*pos].str[0]))
            return (-1);
        n = strtoul(a[(*pos)++].str, &end, 10);
        return (k->str[0] == 'L' || k->str[0] == 'l' ? m->size > n
                                                     : m->size < n);
    }
    if (ref_imap_is(k, "UID")) {
        if (*pos >= argc || a[*pos].type != REF_IMAP_ATOM ||
            !imap_set_valid(a[*pos].str, a[*pos].len))
            return (-1);
        (*pos)++;
        return (imap_set_has(a[*pos - 1].str, a[*pos - 1].len, m->uid,
                             s->im->folder.uidnext - 1));
    }
    if (ref_imap_is(k, "BEFORE") || ref_imap_is(k, "ON") ||
        ref_imap_is(k, "SINCE")) {
        if (*pos >= argc || (day = parse_date(&a[(*pos)++])) < 0)
            return (-1);
        mday = m->mtime - m->mtime % 86400;
        return (ref_imap_is(k, "BEFORE") ? mday < day
                : ref_imap_is(k, "ON")   ? mday == day
                                         : mday >= day);
    }
    if (imap_set_valid(k->str, k->len))
        return (imap_set_has(k->str, k->len, s->i + 1, s->im->folder.count));
    return (key_text(s, a, argc, pos));
}

/* imap_search - SEARCH and UID SEARCH */

void imap_search(struct ref_conn *c, struct imap *im, const char *tag,
                 const struct ref_imap_arg *a, size_t argc, bool uid)
{
    struct search s = {.c = c, .im = im};
    char *hits = NULL;
    size_t hits_len = 0, pos, start = 0;
    char num[16];
    int r = 1;
    FILE *fp;

    if (argc >= 2 && ref_imap_is(&a[0], "CHARSET")) {
        if (!ref_imap_is(&a[1], "US-ASCII") && !ref_imap_is(&a[1], "UTF-8")) {
            ref_conn_printf(
                c,
                "%s NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset\r\n",
                tag);
            return;
        }
        start = 2;
    }
    if (argc <= start || (fp = open_memstream(&hits, &hits_len)) == NULL) {
        ref_conn_printf(c, "%s BAD SEARCH needs a key\r\n", tag);
        return;
    }
    for (s.i = 0; s.i < im->folder.count && r >= 0; s.i++) {
        s.msg = NULL;
        for (pos = start, r = 1; pos < argc && r == 1;)
            r = key(&s, a, argc, &pos);
        /* A key list that stopped early on a mismatch is still checked. */
        while (r == 0 && pos < argc) {
            int r2 = key(&s, a, argc, &pos);

            if (r2 < 0)
                r = -1;
        }
        free(s.msg);
        if (r == 1) {
            snprintf(num, sizeof(num), " %lu",
                     uid ? (unsigned long)im->folder.msgs[s.i].uid
                         : (unsigned long)s.i + 1);
            fputs(num, fp);
        }
    }
    fclose(fp);
    if (r < 0) {
        ref_conn_printf(c, "%s BAD Unknown or malformed SEARCH key\r\n", tag);
    } else if (im->folder.count == 0 && argc > start) {
        ref_conn_printf(c, "* SEARCH\r\n%s OK Search completed\r\n", tag);
    } else {
        ref_conn_printf(c, "* SEARCH");
        ref_conn_write(c, hits, hits_len);
        ref_conn_printf(c, "\r\n%s OK Search completed%s\r\n", tag,
                        s.failed ? " (some messages unreadable)" : "");
    }
    free(hits);
}
