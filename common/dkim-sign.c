/*++
/* NAME
/*	dkim-sign 3
/* SUMMARY
/*	DKIM signing: relaxed canonicalization, rsa-sha256, ed25519-sha256
/* SYNOPSIS
/*	#include "dkim.h"
/* DESCRIPTION
/*	See dkim.h. Canonicalization follows RFC 6376 section 3.4.2
/*	(relaxed header) and 3.4.4 (relaxed body, with erratum 3192 for
/*	the empty body: nothing is hashed). The body is hashed as it
/*	arrives; only the canonical text of the signed header fields is
/*	kept, up to PK_DKIM_HEADER_MAX octets.
/*
/*	rsa-sha256 is RSASSA-PKCS1-v1_5 with SHA-256 over the header data
/*	(RFC 6376 section 3.3.1). ed25519-sha256 is PureEdDSA Ed25519 over
/*	the SHA-256 hash of the same data (RFC 8463 section 3).
/* DIAGNOSTICS
/*	See dkim.h.
/* SECURITY
/*	Header and body octets are untrusted; every length is bounded.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "dkim-int.h"

static const char *const signed_names[] = {"from", PK_DKIM_SIGNED_HEADERS};

#define NSIGNED (sizeof(signed_names) / sizeof(signed_names[0]))

/* One kept header field: its name and canonical text in the buffer. */
struct kept {
    unsigned name;
    size_t off, len;
};

struct pk_dkim_sign {
    struct pk_buf hdrs;
    struct kept kept[PK_DKIM_HEADER_COUNT];
    size_t nkept;
    EVP_MD_CTX *body_md;
    struct pk_dkim_body body;
};

/* buf_put - append bytes to a pk_buf; false when memory runs out */

static bool buf_put(struct pk_buf *buf, const void *data, size_t len)
{
    unsigned char *grown;
    size_t size;

    if (buf->failed)
        return false;
    if (buf->len + len > buf->size) {
        for (size = buf->size ? buf->size : 512; size < buf->len + len;)
            size *= 2;
        if ((grown = realloc(buf->data, size)) == NULL) {
            buf->failed = true;
            return false;
        }
        buf->data = grown;
        buf->size = size;
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    return true;
}

/* is_wsp - RFC 5234 WSP */

static bool is_wsp(int c)
{
    return c == ' ' || c == '\t';
}

/* pk_dkim_canon_header - "name:value" CRLF, relaxed (RFC 6376 3.4.2) */

int pk_dkim_canon_header(const char *name, const char *value, size_t len,
                         struct pk_buf *out)
{
    size_t nlen = strlen(name), i;
    bool wsp = false, any = false;
    char c;

    while (nlen > 0 && is_wsp(name[nlen - 1]))
        nlen--;
    for (i = 0; i < nlen; i++) {
        c = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
        buf_put(out, &c, 1);
    }
    buf_put(out, ":", 1);
    for (i = 0; i < len; i++) {
        c = value[i];
        if (c == '\r' || c == '\n')
            continue; /* unfold */
        if (is_wsp(c)) {
            wsp = true;
            continue;
        }
        if (wsp && any)
            buf_put(out, " ", 1);
        wsp = false;
        any = true;
        buf_put(out, &c, 1);
    }
    buf_put(out, "\r\n", 2);
    return out->failed ? PK_ENOMEM : PK_OK;
}

/* pk_dkim_body_init - start relaxed body canonicalization */

void pk_dkim_body_init(struct pk_dkim_body *body, pk_dkim_out_fn *out,
                       void *context)
{
    memset(body, 0, sizeof(*body));
    body->out = out;
    body->context = context;
}

/* emit - buffer canonical output */

static void emit(struct pk_dkim_body *body, const void *data, size_t len)
{
    if (body->len + len > sizeof(body->buf)) {
        body->out(body->buf, body->len, body->context);
        body->len = 0;
    }
    if (len > sizeof(body->buf)) {
        body->out(data, len, body->context);
        return;
    }
    memcpy(body->buf + body->len, data, len);
    body->len += len;
}

/* content - one octet of line content, after held-back line ends */

static void content(struct pk_dkim_body *body, unsigned char c)
{
    for (; body->blank_lines > 0; body->blank_lines--)
        emit(body, "\r\n", 2);
    if (body->wsp)
        emit(body, " ", 1);
    body->wsp = false;
    body->content = true;
    body->any = true;
    emit(body, &c, 1);
}

/* line_end - trailing white space is dropped; the CRLF is held back */

static void line_end(struct pk_dkim_body *body)
{
    body->wsp = false;
    body->content = false;
    body->blank_lines++;
    body->space_left = body->fold;
}

/* in_line - count one octet of a line; break it where the MTA will */

static void in_line(struct pk_dkim_body *body)
{
    if (body->fold == 0)
        return;
    if (body->space_left == 0) {
        /* CRLF, then a space that starts the continuation. */
        line_end(body);
        body->wsp = true;
        body->space_left = body->fold - 1;
    }
    body->space_left--;
}

/* pk_dkim_body_fold - break lines after limit octets, as Postfix does */

void pk_dkim_body_fold(struct pk_dkim_body *body, size_t limit)
{
    body->fold = limit > 1 ? limit : 0;
    body->space_left = body->fold;
}

/* pk_dkim_body_feed - canonicalize a piece of the body */

void pk_dkim_body_feed(struct pk_dkim_body *body, const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];

        if (body->cr) {
            body->cr = false;
            if (c == '\n') {
                line_end(body);
                continue;
            }
            in_line(body);
            content(body, '\r');
        }
        if (c == '\r') {
            body->cr = true;
        } else if (c == '\n') {
            line_end(body);
        } else if (is_wsp(c)) {
            in_line(body);
            body->wsp = true;
        } else {
            in_line(body);
            content(body, c);
        }
    }
}

/* pk_dkim_body_end - the final CRLF of a non-empty body; flush */

void pk_dkim_body_end(struct pk_dkim_body *body)
{
    if (body->cr)
        content(body, '\r');
    body->cr = false;
    /* An unterminated last line (never so through SMTP) keeps its
     * white space, as common verifiers canonicalize it. */
    if (body->content && body->wsp)
        emit(body, " ", 1);
    /* Empty lines at the end are ignored; one CRLF ends the last line. */
    if (body->any)
        emit(body, "\r\n", 2);
    body->blank_lines = 0;
    if (body->len > 0)
        body->out(body->buf, body->len, body->context);
    body->len = 0;
}

/* body_hash - canonical body octets into SHA-256 */

static void body_hash(const void *data, size_t len, void *context)
{
    EVP_DigestUpdate(context, data, len);
}

/* dkim_signkey_new - parse a stored key; one reference */

struct pk_dkim_signkey *dkim_signkey_new(const char *domain, const char *sel,
                                         const struct pk_dkimkey *rec)
{
    struct pk_dkim_signkey *key = calloc(1, sizeof(*key));

    if (key == NULL)
        return NULL;
    if ((key->pkey = dkim_parse_pem(rec->key, rec->alg)) == NULL) {
        free(key);
        return NULL;
    }
    atomic_init(&key->refs, 1);
    key->alg = rec->alg;
    snprintf(key->domain, sizeof(key->domain), "%s", domain);
    snprintf(key->selector, sizeof(key->selector), "%s", sel);
    return key;
}

/* dkim_signkey_ref - one more reference */

struct pk_dkim_signkey *dkim_signkey_ref(struct pk_dkim_signkey *key)
{
    atomic_fetch_add(&key->refs, 1);
    return key;
}

/* pk_dkim_signkey_release - drop a handle from pk_dkim_find() */

void pk_dkim_signkey_release(struct pk_dkim_signkey **key)
{
    if (*key != NULL && atomic_fetch_sub(&(*key)->refs, 1) == 1) {
        EVP_PKEY_free((*key)->pkey);
        free(*key);
    }
    *key = NULL;
}

/* pk_dkim_signkey_selector - the selector of a key handle */

const char *pk_dkim_signkey_selector(const struct pk_dkim_signkey *key)
{
    return key->selector;
}

/* pk_dkim_sign_begin - start one message */

int pk_dkim_sign_begin(struct pk_dkim_sign **sign_r, const char **error_r)
{
    struct pk_dkim_sign *sign = calloc(1, sizeof(*sign));

    if (sign == NULL || (sign->body_md = EVP_MD_CTX_new()) == NULL ||
        EVP_DigestInit_ex(sign->body_md, EVP_sha256(), NULL) != 1) {
        if (sign != NULL)
            EVP_MD_CTX_free(sign->body_md);
        free(sign);
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    pk_dkim_body_init(&sign->body, body_hash, sign->body_md);
    *sign_r = sign;
    return PK_OK;
}

/* pk_dkim_sign_header - keep a field if it is signed */

int pk_dkim_sign_header(struct pk_dkim_sign *sign, const char *name,
                        const char *value, size_t len, const char **error_r)
{
    struct kept *k;
    unsigned n;

    for (n = 0; n < NSIGNED; n++)
        if (strcasecmp(name, signed_names[n]) == 0)
            break;
    if (n == NSIGNED)
        return PK_OK;
    if (sign->nkept == PK_DKIM_HEADER_COUNT ||
        len > PK_DKIM_HEADER_MAX - sign->hdrs.len) {
        *error_r = pk_error("too many header fields to sign");
        return PK_ELIMIT;
    }
    k = &sign->kept[sign->nkept];
    k->name = n;
    k->off = sign->hdrs.len;
    if (pk_dkim_canon_header(name, value, len, &sign->hdrs) != PK_OK) {
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    k->len = sign->hdrs.len - k->off;
    sign->nkept++;
    return PK_OK;
}

/* pk_dkim_sign_fold - hash lines as an MTA that breaks them will send them */

void pk_dkim_sign_fold(struct pk_dkim_sign *sign, size_t limit)
{
    pk_dkim_body_fold(&sign->body, limit);
}

/* pk_dkim_sign_body - hash a piece of the body */

int pk_dkim_sign_body(struct pk_dkim_sign *sign, const void *data, size_t len,
                      const char **error_r)
{
    pk_dkim_body_feed(&sign->body, data, len);
    return PK_OK;
}

/* base64 - the base64 text of bytes, in a fixed buffer */

static void base64(const unsigned char *data, size_t len, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
}

/* header_data - the signed fields, bottom-up per name; h= as it goes */

static bool header_data(struct pk_dkim_sign *sign, struct pk_buf *data,
                        struct pk_buf *h, const char *eol)
{
    size_t line = 0;

    for (unsigned n = 0; n < NSIGNED; n++) {
        size_t count = 0;

        for (size_t i = sign->nkept; i-- > 0;) {
            if (sign->kept[i].name != n)
                continue;
            buf_put(data, sign->hdrs.data + sign->kept[i].off,
                    sign->kept[i].len);
            count++;
        }
        /* From once more than it appears: no From can be added. */
        if (n == 0)
            count++;
        for (; count > 0; count--) {
            size_t len = strlen(signed_names[n]);

            if (h->len > 0) {
                buf_put(h, ":", 1);
                if (line + len > 60) {
                    buf_put(h, eol, strlen(eol));
                    buf_put(h, "\t", 1);
                    line = 0;
                }
            }
            buf_put(h, signed_names[n], len);
            line += len + 1;
        }
    }
    return !data->failed && !h->failed;
}

/* sign_data - the signature of the header data, base64 */

static bool sign_data(struct pk_dkim_signkey *key, const struct pk_buf *data,
                      char *b64)
{
    unsigned char sig[1024], hash[EVP_MAX_MD_SIZE];
    size_t siglen = sizeof(sig);
    unsigned hlen;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok;

    if (md == NULL)
        return false;
    if (key->alg == PK_DKIM_RSA_SHA256)
        ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
             EVP_DigestSign(md, sig, &siglen, data->data, data->len) == 1;
    else
        ok = EVP_Digest(data->data, data->len, hash, &hlen, EVP_sha256(),
                        NULL) == 1 &&
             EVP_DigestSignInit(md, NULL, NULL, NULL, key->pkey) == 1 &&
             EVP_DigestSign(md, sig, &siglen, hash, hlen) == 1;
    EVP_MD_CTX_free(md);
    if (ok)
        base64(sig, siglen, b64);
    return ok;
}

/* fold_b - the signature in lines of at most 64 octets */

static bool fold_b(struct pk_buf *out, const char *b64, const char *eol)
{
    size_t len = strlen(b64);

    for (size_t off = 0; off < len; off += 64) {
        if (off > 0) {
            buf_put(out, eol, strlen(eol));
            buf_put(out, "\t", 1);
        }
        buf_put(out, b64 + off, len - off > 64 ? 64 : len - off);
    }
    return !out->failed;
}

/* pk_dkim_sign_end - the DKIM-Signature field value; the caller frees */

int pk_dkim_sign_end(struct pk_dkim_sign *sign, struct pk_dkim_signkey *key,
                     time_t now, const char *eol, char **value_r,
                     const char **error_r)
{
    struct pk_buf data = {0}, h = {0}, val = {0};
    unsigned char bh[EVP_MAX_MD_SIZE];
    char bh64[64], b64[1400], *text = NULL;
    unsigned bhlen;
    int len = -1, status = PK_ENOMEM;

    pk_dkim_body_end(&sign->body);
    if (EVP_DigestFinal_ex(sign->body_md, bh, &bhlen) != 1)
        goto out;
    base64(bh, bhlen, bh64);
    if (!header_data(sign, &data, &h, eol) || !buf_put(&h, "", 1))
        goto out;
    len = asprintf(&text,
                   "v=1; a=%s; c=relaxed/relaxed; d=%s; s=%s;%s\t"
                   "t=%lld; h=%s;%s\tbh=%s;%s\tb=",
                   pk_dkim_alg_name(key->alg), key->domain, key->selector, eol,
                   (long long)now, (const char *)h.data, eol, bh64, eol);
    if (len < 0) {
        text = NULL;
        goto out;
    }
    /* The field itself is signed with b= empty and no final CRLF. */
    if (pk_dkim_canon_header("DKIM-Signature", text, len, &data) != PK_OK)
        goto out;
    data.len -= 2;
    if (!sign_data(key, &data, b64)) {
        *error_r = pk_error("the DKIM signature failed");
        status = PK_ECONFIG;
        goto out;
    }
    if (!buf_put(&val, text, len) || !fold_b(&val, b64, eol) ||
        !buf_put(&val, "", 1))
        goto out;
    *value_r = (char *)val.data;
    val.data = NULL;
    status = PK_OK;
out:
    if (status == PK_ENOMEM)
        *error_r = pk_error("out of memory");
    free(text);
    pk_buf_free(&data);
    pk_buf_free(&h);
    pk_buf_free(&val);
    return status;
}

/* pk_dkim_sign_free - end a message */

void pk_dkim_sign_free(struct pk_dkim_sign **sign)
{
    if (*sign == NULL)
        return;
    EVP_MD_CTX_free((*sign)->body_md);
    pk_buf_free(&(*sign)->hdrs);
    free(*sign);
    *sign = NULL;
}
