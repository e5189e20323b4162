/*++
/* NAME
/*	imapfetch 3
/* SUMMARY
/*	IMAP FETCH of the reference server: items, ENVELOPE, BODYSTRUCTURE
/* DESCRIPTION
/*	imap_fetch() answers FETCH and UID FETCH (RFC 3501 section 6.4.5)
/*	for FLAGS, UID, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY,
/*	BODYSTRUCTURE, BODY[section]<partial>, BODY.PEEK[...], RFC822,
/*	RFC822.HEADER, RFC822.TEXT and the macros ALL, FAST, FULL.
/*	Sections: HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME and
/*	part numbers of multipart messages (RFC 2046 boundaries). Messages
/*	are served in their network form (CRLF line ends); sizes count it.
/*	Fetching a body without PEEK sets \Seen on a read-write mailbox.
/*--*/

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap-int.h"

#define MIME_DEPTH_MAX 8

struct part {
    const char *hdr; /* header block, blank line included */
    size_t hdr_len;
    const char *body;
    size_t body_len;
};

/* imap_write_string - quoted when safe, else a literal; NIL for NULL */

void imap_write_string(struct ref_conn *c, const char *s, size_t len)
{
    size_t i;

    if (s == NULL) {
        ref_conn_printf(c, "NIL");
        return;
    }
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] >= 0x7f ||
            s[i] == '"' || s[i] == '\\')
            break;
    if (i == len && len < 1000) {
        ref_conn_write(c, "\"", 1);
        ref_conn_write(c, s, len);
        ref_conn_write(c, "\"", 1);
    } else {
        ref_conn_printf(c, "{%zu}\r\n", len);
        ref_conn_write(c, s, len);
    }
}

/* imap_write_flags - a flag list from Maildir letters and keywords */

void imap_write_flags(struct ref_conn *c, const struct ref_keywords *kw,
                      const char *letters, bool recent)
{
    static const char map[] = "DFRST";
    static const char *const names[] = {"\\Draft", "\\Flagged", "\\Answered",
                                        "\\Seen", "\\Deleted"};
    const char *sp = "", *name;
    int i;

    ref_conn_write(c, "(", 1);
    for (i = 0; i < 5; i++)
        if (strchr(letters, map[i])) {
            ref_conn_printf(c, "%s%s", sp, names[i]);
            sp = " ";
        }
    if (recent) {
        ref_conn_printf(c, "%s\\Recent", sp);
        sp = " ";
    }
    /* A letter no keyword file line names is not shown (as in Dovecot). */
    for (; *letters; letters++)
        if ((name = ref_keywords_name(kw, *letters)) != NULL) {
            ref_conn_printf(c, "%s%s", sp, name);
            sp = " ";
        }
    ref_conn_write(c, ")", 1);
}

/* imap_header_end - length of the header block, blank line included */

size_t imap_header_end(const char *msg, size_t len)
{
    size_t i;

    if (len >= 2 && msg[0] == '\r' && msg[1] == '\n')
        return (2);
    for (i = 0; i + 3 < len; i++)
        if (msg[i] == '\r' && msg[i + 1] == '\n' && msg[i + 2] == '\r' &&
            msg[i + 3] == '\n')
            return (i + 4);
    return (len);
}

/* imap_load - a message in network form (malloc'd) */

bool imap_load(struct ref_conn *c, struct imap *im, size_t i, char **buf_r,
               size_t *len_r)
{
    char path[REF_PATH_MAX];
    const char *error = NULL;
    char *raw;
    size_t len;
    int status;

    ref_maildir_file(im->seldir, &im->folder.msgs[i], path, sizeof(path));
    if (ref_maildir_read(path, c->srv->cfg.max_size * 2, &raw, &len, &error) !=
        PK_OK)
        return (false);
    status = ref_maildir_crlf(raw, len, buf_r, len_r);
    free(raw);
    return (status == PK_OK);
}

/* header_get - an unfolded header field value; false if absent */

static bool header_get(const struct part *p, const char *name, char *out,
                       size_t outsz)
{
    size_t nlen = strlen(name), i = 0, o = 0;
    const char *h = p->hdr, *end = p->hdr + p->hdr_len;

    while (h < end) {
        const char *eol = memchr(h, '\n', end - h);

        eol = eol ? eol + 1 : end;
        if ((size_t)(eol - h) > nlen && strncasecmp(h, name, nlen) == 0 &&
            h[nlen] == ':') {
            for (h += nlen + 1; h < end; h++) {
                if (*h == '\r' || *h == '\n') {
                    if (h + 1 < end && *h == '\r' && h[1] == '\n' &&
                        h + 2 < end && (h[2] == ' ' || h[2] == '\t')) {
                        h += 1;
                        continue;
                    }
                    break;
                }
                if (o == 0 && (*h == ' ' || *h == '\t'))
                    continue;
                if (o + 1 < outsz)
                    out[o++] = *h;
            }
            while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
                o--;
            out[o] = 0;
            return (true);
        }
        h = eol;
        (void)i;
    }
    return (false);
}

/* write_hstring - a header value as an nstring */

static void write_hstring(struct ref_conn *c, const struct part *p,
                          const char *name)
{
    char v[1024];

    if (header_get(p, name, v, sizeof(v)) && v[0])
        imap_write_string(c, v, strlen(v));
    else
        ref_conn_printf(c, "NIL");
}

/* write_addresses - an ENVELOPE address list (RFC 3501 7.4.2) */

static void write_addresses(struct ref_conn *c, const struct part *p,
                            const char *name, const char *fallback)
{
    char v[2048], *item, *save = NULL, *lt, *gt, *at, *dn;
    bool any = false;

    if ((!header_get(p, name, v, sizeof(v)) || v[0] == 0) &&
        (fallback == NULL || !header_get(p, fallback, v, sizeof(v)) ||
         v[0] == 0)) {
        ref_conn_printf(c, "NIL");
        return;
    }
    for (item = strtok_r(v, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        dn = NULL;
        if ((lt = strchr(item, '<')) != NULL &&
            (gt = strchr(lt, '>')) != NULL) {
            *gt = 0;
            *lt = 0;
            dn = item;
            item = lt + 1;
            while (*dn == ' ' || *dn == '"')
                dn++;
            for (gt = dn + strlen(dn);
                 gt > dn && (gt[-1] == ' ' || gt[-1] == '"');)
                *--gt = 0;
        }
        for (gt = item + strlen(item); gt > item && gt[-1] == ' ';)
            *--gt = 0;
        if ((at = strrchr(item, '@')) == NULL)
            continue;
        *at = 0;
        ref_conn_printf(c, any ? "(" : "((");
        imap_write_string(c, dn && *dn ? dn : NULL, dn ? strlen(dn) : 0);
        ref_conn_printf(c, " NIL ");
        imap_write_string(c, item, strlen(item));
        ref_conn_printf(c, " ");
        imap_write_string(c, at + 1, strlen(at + 1));
        ref_conn_printf(c, ")");
        any = true;
    }
    ref_conn_printf(c, any ? ")" : "NIL");
}

/* write_envelope - ENVELOPE */

static void write_envelope(struct ref_conn *c, const struct part *p)
{
    ref_conn_printf(c, "(");
    write_hstring(c, p, "Date");
    ref_conn_printf(c, " ");
    write_hstring(c, p, "Subject");
    ref_conn_printf(c, " ");
    write_addresses(c, p, "From", NULL);
    ref_conn_printf(c, " ");
    write_addresses(c, p, "Sender", "From");
    ref_conn_printf(c, " ");
    write_addresses(c, p, "Reply-To", "From");
    ref_conn_printf(c, " ");
    write_addresses(c, p, "To", NULL);
    ref_conn_printf(c, " ");
    write_addresses(c, p, "Cc", NULL);
    ref_conn_printf(c, " ");
    write_addresses(c, p, "Bcc", NULL);
    ref_conn_printf(c, " ");
    write_hstring(c, p, "In-Reply-To");
    ref_conn_printf(c, " ");
    write_hstring(c, p, "Message-ID");
    ref_conn_printf(c, ")");
}

/* content_type - type, subtype and one parameter of Content-Type */

static void content_type(const struct part *p, char *type, char *sub,
                         const char *param, char *value, size_t vsz)
{
    char v[1024], *s, *q;
    size_t plen = strlen(param);

    strcpy(type, "text");
    strcpy(sub, "plain");
    value[0] = 0;
    if (!header_get(p, "Content-Type", v, sizeof(v)))
        return;
    if ((s = strchr(v, ';')) != NULL)
        *s++ = 0;
    if ((q = strchr(v, '/')) != NULL && q > v && q[1]) {
        *q = 0;
        snprintf(type, 64, "%.63s", v);
        snprintf(sub, 64, "%.63s", q + 1);
        sub[strcspn(sub, " \t")] = 0;
    }
    for (; s && *s; s = strchr(s, ';') ? strchr(s, ';') + 1 : NULL) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (strncasecmp(s, param, plen) == 0 && s[plen] == '=') {
            s += plen + 1;
            if (*s == '"') {
                s++;
                s[strcspn(s, "\"")] = 0;
            } else
                s[strcspn(s, "; \t")] = 0;
            snprintf(value, vsz, "%s", s);
            return;
        }
    }
}

/* part_split - header and body of a part */

static void part_split(const char *data, size_t len, struct part *p)
{
    p->hdr = data;
    p->hdr_len = imap_header_end(data, len);
    p->body = data + p->hdr_len;
    p->body_len = len - p->hdr_len;
}

/* part_child - the n-th (from 1) part of a multipart body */

static bool part_child(const struct part *p, const char *boundary, size_t n,
                       struct part *child)
{
    size_t blen = strlen(boundary), k = 0;
    const char *s = p->body, *end = p->body + p->body_len, *start = NULL;

    while (s < end) {
        const char *eol = memchr(s, '\n', end - s);

        eol = eol ? eol + 1 : end;
        if (eol - s >= (long)blen + 2 && s[0] == '-' && s[1] == '-' &&
            strncmp(s + 2, boundary, blen) == 0) {
            if (start && k == n) {
                part_split(start, (s - start) >= 2 ? (s - start) - 2 : 0,
                           child);
                return (true);
            }
            if (s[blen + 2] == '-' && s[blen + 3] == '-')
                return (false);
            k++;
            start = eol;
        }
        s = eol;
    }
    return (false);
}

/* count_lines - lines of a text body */

static size_t count_lines(const char *s, size_t len)
{
    size_t n = 0, i;

    for (i = 0; i < len; i++)
        n += s[i] == '\n';
    return (n);
}

/* write_structure - BODY or BODYSTRUCTURE of a part */

static void write_structure(struct ref_conn *c, const struct part *p, int depth)
{
    char type[64], sub[64], param[256], enc[64];
    struct part child;
    size_t n;

    content_type(p, type, sub, "boundary", param, sizeof(param));
    if (strcasecmp(type, "multipart") == 0 && param[0] &&
        depth < MIME_DEPTH_MAX) {
        ref_conn_printf(c, "(");
        for (n = 1; part_child(p, param, n, &child); n++)
            write_structure(c, &child, depth + 1);
        if (n == 1)
            ref_conn_printf(c, "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)");
        ref_conn_printf(c, " ");
        imap_write_string(c, sub, strlen(sub));
        ref_conn_printf(c, ")");
        return;
    }
    content_type(p, type, sub, "charset", param, sizeof(param));
    if (strcasecmp(type, "message") == 0 ||
        strcasecmp(type, "multipart") == 0) {
        /* Served as an opaque part: no nested envelope. */
        strcpy(type, "application");
        strcpy(sub, "octet-stream");
        param[0] = 0;
    }
    if (!header_get(p, "Content-Transfer-Encoding", enc, sizeof(enc)) ||
        !enc[0])
        strcpy(enc, "7bit");
    ref_conn_printf(c, "(");
    imap_write_string(c, type, strlen(type));
    ref_conn_printf(c, " ");
    imap_write_string(c, sub, strlen(sub));
    if (param[0]) {
        ref_conn_printf(c, " (\"charset\" ");
        imap_write_string(c, param, strlen(param));
        ref_conn_printf(c, ")");
    } else
        ref_conn_printf(c, " NIL");
    ref_conn_printf(c, " NIL NIL ");
    imap_write_string(c, enc, strlen(enc));
    ref_conn_printf(c, " %zu", p->body_len);
    if (strcasecmp(type, "text") == 0)
        ref_conn_printf(c, " %zu", count_lines(p->body, p->body_len));
    ref_conn_printf(c, ")");
}

/* section_part - walk part numbers "1.2." of a section spec */

static bool section_part(const char **spec, struct part *p)
{
    char type[64], sub[64], boundary[256];
    struct part child;
    unsigned long n;
    char *end;

    while (isdigit((unsigned char)**spec)) {
        n = strtoul(*spec, &end, 10);
        if (n == 0 || n > 10000)
            return (false);
        content_type(p, type, sub, "boundary", boundary, sizeof(boundary));
        if (strcasecmp(type, "multipart") == 0 && boundary[0]) {
            if (!part_child(p, boundary, n, &child))
                return (false);
            *p = child;
        } else if (n != 1)
            return (false);
        else if (*end != '.' && *end != ']') {
            return (false);
        } else {
            /* part 1 of a single-part message: its body, no header */
            p->hdr_len = 0;
            p->hdr = p->body;
        }
        *spec = *end == '.' ? end + 1 : end;
    }
    return (true);
}

/* header_fields - HEADER.FIELDS[.NOT] (names): the matching lines */

static void header_fields(struct ref_conn *c, const struct part *p,
                          const char *list, bool not, const char *label,
                          size_t origin, size_t count)
{
    const char *h = p->hdr, *end = p->hdr + p->hdr_len;
    char *out = malloc(p->hdr_len + 3);
    size_t o = 0, nlen;
    bool keep = false;

    if (out == NULL)
        return;
    while (h < end) {
        const char *eol = memchr(h, '\n', end - h);

        eol = eol ? eol + 1 : end;
        if (eol - h <= 2)
            break;
        if (*h != ' ' && *h != '\t') {
            const char *colon = memchr(h, ':', eol - h), *w;

            keep = not ;
            nlen = colon ? (size_t)(colon - h) : 0;
            for (w = list; colon && *w;) {
                size_t wl = strcspn(w, " )");

                if (wl == nlen && strncasecmp(w, h, nlen) == 0)
                    keep = !not ;
                w += wl;
                w += strspn(w, " )");
            }
        }
        if (keep) {
            memcpy(out + o, h, eol - h);
            o += eol - h;
        }
        h = eol;
    }
    memcpy(out + o, "\r\n", 2);
    o += 2;
    if (origin > o)
        origin = o;
    if (count > o - origin)
        count = o - origin;
    ref_conn_printf(c, "%s {%zu}\r\n", label, count);
    ref_conn_write(c, out + origin, count);
    free(out);
}

/* fetch_section - BODY[...]<o.n>; false if the spec is bad */

static bool fetch_section(struct ref_conn *c, const char *msg, size_t len,
                          const char *item, size_t item_len)
{
    char spec[512], label[600];
    const char *s, *close, *lt;
    struct part p;
    unsigned long o = 0, n = ~0UL;
    bool numbered;
    const char *data;
    size_t dlen;

    if (item_len >= sizeof(spec))
        return (false);
    memcpy(spec, item, item_len);
    spec[item_len] = 0;
    s = strchr(spec, '[') + 1;
    if ((close = strrchr(spec, ']')) == NULL)
        return (false);
    if ((lt = strchr(close, '<')) != NULL &&
        sscanf(lt, "<%lu.%lu>", &o, &n) != 2 && sscanf(lt, "<%lu>", &o) != 1)
        return (false);
    snprintf(label, sizeof(label), "BODY[%.*s]", (int)(close - s), s);
    if (lt)
        snprintf(label + strlen(label), sizeof(label) - strlen(label), "<%lu>",
                 o);
    part_split(msg, len, &p);
    numbered = isdigit((unsigned char)*s);
    if (!section_part(&s, &p))
        return (false);
    if (strncasecmp(s, "HEADER.FIELDS.NOT ", 18) == 0 && s[18] == '(') {
        header_fields(c, &p, s + 19, true, label, o, n);
        return (true);
    }
    if (strncasecmp(s, "HEADER.FIELDS ", 14) == 0 && s[14] == '(') {
        header_fields(c, &p, s + 15, false, label, o, n);
        return (true);
    }
    if (s[0] == ']' && numbered) {
        data = p.body;
        dlen = p.body_len;
    } else if (s[0] == ']') {
        data = p.hdr;
        dlen = p.hdr_len + p.body_len;
    } else if (strncasecmp(s, "HEADER]", 7) == 0 ||
               strncasecmp(s, "MIME]", 5) == 0) {
        data = p.hdr;
        dlen = p.hdr_len;
    } else if (strncasecmp(s, "TEXT]", 5) == 0) {
        data = p.body;
        dlen = p.body_len;
    } else
        return (false);
    if (o > dlen)
        o = dlen;
    if (n > dlen - o)
        n = dlen - o;
    ref_conn_printf(c, "%s {%lu}\r\n", label, n);
    ref_conn_write(c, data + o, n);
    return (true);
}

/* fetch_item - one item for one message; false if unknown */

static bool fetch_item(struct ref_conn *c, struct imap *im, size_t i,
                       const struct ref_imap_arg *it, char **msg, size_t *len,
                       bool *seen)
{
    struct ref_msg *m = &im->folder.msgs[i];
    char date[64];
    struct part p;

    if (ref_imap_is(it, "UID"))
        ref_conn_printf(c, "UID %lu", (unsigned long)m->uid);
    else if (ref_imap_is(it, "FLAGS")) {
        ref_conn_printf(c, "FLAGS ");
        imap_write_flags(c, &im->kw, m->flags, m->recent);
    } else if (ref_imap_is(it, "INTERNALDATE")) {
        strftime(date, sizeof(date), "%d-%b-%Y %H:%M:%S +0000",
                 gmtime(&m->mtime));
        ref_conn_printf(c, "INTERNALDATE \"%s\"", date);
    } else {
        if (*msg == NULL && !imap_load(c, im, i, msg, len))
            return (false);
        part_split(*msg, *len, &p);
        if (ref_imap_is(it, "RFC822.SIZE"))
            ref_conn_printf(c, "RFC822.SIZE %zu", *len);
        else if (ref_imap_is(it, "ENVELOPE")) {
            ref_conn_printf(c, "ENVELOPE ");
            write_envelope(c, &p);
        } else if (ref_imap_is(it, "BODYSTRUCTURE") ||
                   ref_imap_is(it, "BODY")) {
            ref_conn_printf(c, "%.*s ", (int)it->len, it->str);
            write_structure(c, &p, 0);
        } else if (ref_imap_is(it, "RFC822") ||
                   ref_imap_is(it, "RFC822.TEXT") ||
                   ref_imap_is(it, "RFC822.HEADER")) {
            const char *d = it->len == 6    ? *msg
                            : it->len == 11 ? p.body
                                            : p.hdr;
            size_t dl = it->len == 6    ? *len
                        : it->len == 11 ? p.body_len
                                        : p.hdr_len;

            ref_conn_printf(c, "%.*s {%zu}\r\n", (int)it->len, it->str, dl);
            ref_conn_write(c, d, dl);
            *seen |= it->len != 13;
        } else if (it->len > 5 && strncasecmp(it->str, "BODY[", 5) == 0) {
            *seen = true;
            return (fetch_section(c, *msg, *len, it->str, it->len));
        } else if (it->len > 10 &&
                   strncasecmp(it->str, "BODY.PEEK[", 10) == 0) {
            char buf[600];

            if (it->len - 5 >= sizeof(buf))
                return (false);
            snprintf(buf, sizeof(buf), "BODY%.*s", (int)it->len - 9,
                     it->str + 9);
            return (fetch_section(c, *msg, *len, buf, strlen(buf)));
        } else
            return (false);
    }
    return (true);
}

/* fetch_items - the item list, macros expanded */

static size_t fetch_items(const struct ref_imap_arg *arg,
                          struct ref_imap_arg *out, size_t max, bool uid)
{
    static const char *const all[] = {"FLAGS", "INTERNALDATE", "RFC822.SIZE",
                                      "ENVELOPE", "BODY"};
    size_t n = 0, k, count = 0;
    bool has_uid = false;

    if (arg->type == REF_IMAP_ATOM &&
        (ref_imap_is(arg, "ALL") || ref_imap_is(arg, "FAST") ||
         ref_imap_is(arg, "FULL"))) {
        count = ref_imap_is(arg, "FAST") ? 3 : ref_imap_is(arg, "ALL") ? 4 : 5;
        for (k = 0; k < count; k++) {
            out[n].type = REF_IMAP_ATOM;
            out[n].str = all[k];
            out[n++].len = strlen(all[k]);
        }
    } else if (arg->type == REF_IMAP_ATOM) {
        out[n++] = *arg;
    } else if (arg->type == REF_IMAP_LIST) {
        for (k = 0; k < arg->count && n < max - 1; k++)
            out[n++] = arg->list[k];
    }
    for (k = 0; k < n; k++)
        has_uid |= ref_imap_is(&out[k], "UID");
    if (uid && !has_uid && n > 0 && n < max) {
        memmove(out + 1, out, n * sizeof(*out));
        out[0].type = REF_IMAP_ATOM;
        out[0].str = "UID";
        out[0].len = 3;
        n++;
    }
    return (n);
}

/* fetch_known - an item fetch_item() serves */

static bool fetch_known(const struct ref_imap_arg *it)
{
    static const char *const names[] = {
        "UID",         "FLAGS",         "INTERNALDATE", "RFC822.SIZE",
        "ENVELOPE",    "BODYSTRUCTURE", "BODY",         "RFC822",
        "RFC822.TEXT", "RFC822.HEADER"};
    size_t k;

    if (it->type != REF_IMAP_ATOM)
        return (false);
    for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (ref_imap_is(it, names[k]))
            return (true);
    return ((it->len > 5 && strncasecmp(it->str, "BODY[", 5) == 0) ||
            (it->len > 10 && strncasecmp(it->str, "BODY.PEEK[", 10) == 0));
}

/* imap_fetch - FETCH and UID FETCH */

void imap_fetch(struct ref_conn *c, struct imap *im, const char *tag,
                const struct ref_imap_arg *a, size_t argc, bool uid)
{
    struct ref_imap_arg items[64];
    uint32_t max = uid ? im->folder.uidnext - 1 : im->folder.count;
    const char *error = NULL;
    size_t i, k, n;
    char *msg;
    size_t len;
    bool seen, ok = true;
    char flags[sizeof(im->folder.msgs->flags) + 1];

    if (argc != 2 || a[0].type != REF_IMAP_ATOM ||
        !imap_set_valid(a[0].str, a[0].len) ||
        (n = fetch_items(&a[1], items, 64, uid)) == 0) {
        ref_conn_printf(c, "%s BAD FETCH needs a set and items\r\n", tag);
        return;
    }
    for (k = 0; k < n; k++)
        if (!fetch_known(&items[k])) {
            ref_conn_printf(c, "%s BAD Unknown FETCH item\r\n", tag);
            return;
        }
    for (i = 0; i < im->folder.count && ok; i++) {
        struct ref_msg *m = &im->folder.msgs[i];

        if (!imap_set_has(a[0].str, a[0].len, uid ? m->uid : i + 1, max))
            continue;
        msg = NULL;
        seen = false;
        ref_conn_printf(c, "* %zu FETCH (", i + 1);
        for (k = 0; k < n && ok; k++) {
            if (k)
                ref_conn_write(c, " ", 1);
            ok = fetch_item(c, im, i, &items[k], &msg, &len, &seen);
        }
        if (ok && seen && !im->readonly && !strchr(m->flags, 'S')) {
            snprintf(flags, sizeof(flags), "%sS", m->flags);
            {
                /* Keep the Maildir letters in ASCII order. */
                size_t x, y, fl = strlen(flags);

                for (x = 1; x < fl; x++)
                    for (y = x; y > 0 && flags[y - 1] > flags[y]; y--) {
                        char t = flags[y];

                        flags[y] = flags[y - 1];
                        flags[y - 1] = t;
                    }
            }
            if (ref_maildir_set_flags(im->seldir, m, flags, &error) == PK_OK) {
                ref_conn_printf(c, " FLAGS ");
                imap_write_flags(c, &im->kw, m->flags, m->recent);
            }
        }
        ref_conn_printf(c, ")\r\n");
        free(msg);
    }
    if (ok)
        ref_conn_printf(c, "%s OK Fetch completed\r\n", tag);
    else {
        /* The response line is broken; the client must resynchronize. */
        ref_conn_printf(c,
                        "* BYE Fetch item unknown or message unreadable\r\n");
        ref_conn_close(c);
    }
}
