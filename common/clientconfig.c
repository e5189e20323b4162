/*++
/* NAME
/*	clientconfig 3
/* SUMMARY
/*	mail client settings per domain: storage and signing
/* SYNOPSIS
/*	#include "clientconfig.h"
/* DESCRIPTION
/*	The settings half of clientconfig.h: defaults, validation, the
/*	meta table records, and CMS signing of a profile. The documents
/*	are made in clientconfig-format.c.
/* SECURITY
/*	Every value is validated before it is stored and again when it is
/*	read back, so the generators only ever see A-label host names,
/*	port numbers and a display name without control characters.
/*--*/

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "addr.h"
#include "changelog.h"
#include "clientconfig.h"
#include "domain.h"
#include "record.h"

#define CC_PREFIX "client:"
#define CC_KEY_MAX (sizeof(CC_PREFIX) + PK_DOMAIN_MAX + 1 + 32)
#define CC_VALUE_MAX PK_DOMAIN_MAX

enum cc_kind {
    CC_HOST,
    CC_PORT,
    CC_NAME,
};

struct cc_setting {
    const char *name;
    enum cc_kind kind;
    size_t offset; /* into struct pk_clientconfig */
};

#define CC_OFF(f) offsetof(struct pk_clientconfig, f)

static const struct cc_setting cc_settings[] = {
    {"imap-host", CC_HOST, CC_OFF(imap_host)},
    {"pop3-host", CC_HOST, CC_OFF(pop3_host)},
    {"smtp-host", CC_HOST, CC_OFF(smtp_host)},
    {"imaps-port", CC_PORT, CC_OFF(imaps_port)},
    {"imap-port", CC_PORT, CC_OFF(imap_port)},
    {"pop3s-port", CC_PORT, CC_OFF(pop3s_port)},
    {"pop3-port", CC_PORT, CC_OFF(pop3_port)},
    {"submissions-port", CC_PORT, CC_OFF(submissions_port)},
    {"submission-port", CC_PORT, CC_OFF(submission_port)},
    {"name", CC_NAME, CC_OFF(name)},
};

#define CC_NSETTINGS (sizeof(cc_settings) / sizeof(cc_settings[0]))

/* pk_clientconfig_defaults - the settings of a domain with nothing stored */

void pk_clientconfig_defaults(const char *domain, struct pk_clientconfig *cc)
{
    memset(cc, 0, sizeof(*cc));
    snprintf(cc->domain, sizeof(cc->domain), "%s", domain);
    snprintf(cc->name, sizeof(cc->name), "%.*s", PK_CLIENTCONFIG_NAME_MAX,
             domain);
    /* "mail." plus a 253-octet name would not be a DNS name. */
    if (strlen(domain) + 5 <= PK_DOMAIN_MAX)
        snprintf(cc->imap_host, sizeof(cc->imap_host), "mail.%s", domain);
    else
        snprintf(cc->imap_host, sizeof(cc->imap_host), "%s", domain);
    memcpy(cc->pop3_host, cc->imap_host, sizeof(cc->pop3_host));
    memcpy(cc->smtp_host, cc->imap_host, sizeof(cc->smtp_host));
    cc->imaps_port = 993;
    cc->imap_port = 143;
    cc->pop3s_port = 995;
    cc->pop3_port = 110;
    cc->submissions_port = 465;
    cc->submission_port = 587;
}

/* cc_find - the setting called name, or NULL */

static const struct cc_setting *cc_find(const char *name, size_t len)
{
    for (size_t i = 0; i < CC_NSETTINGS; i++)
        if (strlen(cc_settings[i].name) == len &&
            memcmp(cc_settings[i].name, name, len) == 0)
            return &cc_settings[i];
    return NULL;
}

/* cc_utf8_ok - valid UTF-8 without control characters */

static bool cc_utf8_ok(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;

        if (c < 0x20 || c == 0x7f)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07;
        else
            return false;
        if (i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
            return false;
        i += n + 1;
    }
    return true;
}

/* cc_apply - validate one value and set it in cc */

static int cc_apply(struct pk_clientconfig *cc, const struct cc_setting *st,
                    const char *value, size_t len, const char **error_r)
{
    char *field = (char *)cc + st->offset;
    char buf[CC_VALUE_MAX + 1];
    int status;

    if (len > CC_VALUE_MAX || memchr(value, 0, len) != NULL) {
        *error_r = pk_error("%s: value too long or not text", st->name);
        return PK_EINVAL;
    }
    memcpy(buf, value, len);
    buf[len] = 0;
    switch (st->kind) {
    case CC_HOST:
        if ((status = pk_addr_parse_domain(buf, field, error_r)) != PK_OK) {
            *error_r = pk_error("%s: %s", st->name, *error_r);
            return status;
        }
        return PK_OK;
    case CC_PORT: {
        unsigned long n = 0;

        if (len == 0 || len > 5 || strspn(buf, "0123456789") != len ||
            (n = strtoul(buf, NULL, 10)) > 65535) {
            *error_r = pk_error("%s: \"%s\" is not a port number (0 to 65535; "
                                "0: not offered)",
                                st->name, buf);
            return PK_EINVAL;
        }
        *(uint16_t *)(void *)field = (uint16_t)n;
        return PK_OK;
    }
    case CC_NAME:
        if (len == 0 || len > PK_CLIENTCONFIG_NAME_MAX ||
            !cc_utf8_ok((const unsigned char *)buf, len)) {
            *error_r = pk_error("name: 1 to %d bytes of UTF-8 text without "
                                "control characters",
                                PK_CLIENTCONFIG_NAME_MAX);
            return PK_EINVAL;
        }
        memcpy(field, buf, len + 1);
        return PK_OK;
    }
    return PK_EINVAL;
}

/* cc_hosted - the A-label of a hosted domain (an alias domain's target) */

static int cc_hosted(struct pk_txn *txn, const char *domain, bool follow,
                     char out[PK_DOMAIN_MAX + 1], const char **error_r)
{
    struct pk_domain d;
    int status;

    if ((status = pk_addr_parse_domain(domain, out, error_r)) != PK_OK)
        return status;
    if ((status = pk_domain_lookup(txn, out, &d, error_r)) == PK_NOTFOUND) {
        *error_r = pk_error("%s is not a domain of this host", out);
        return PK_NOTFOUND;
    }
    if (status != PK_OK)
        return status;
    if (d.kind == PK_DOMAIN_ALIAS) {
        if (!follow) {
            *error_r =
                pk_error("%s is an alias domain of %s: set the settings of %s",
                         out, d.target, d.target);
            return PK_EINVAL;
        }
        snprintf(out, PK_DOMAIN_MAX + 1, "%s", d.target);
    }
    return PK_OK;
}

/* pk_clientconfig_set - store (empty value: remove) one setting */

int pk_clientconfig_set(struct pk_txn *txn, const char *domain,
                        const char *name, const char *value,
                        const char **error_r)
{
    const struct cc_setting *st;
    struct pk_clientconfig cc;
    char norm[PK_DOMAIN_MAX + 1], key[CC_KEY_MAX], detail[CC_VALUE_MAX + 40];
    unsigned char rec[2 + 2 + CC_VALUE_MAX];
    const char *stored;
    size_t klen, vlen = strlen(value);
    int status;

    if ((st = cc_find(name, strlen(name))) == NULL) {
        *error_r =
            pk_error("unknown client setting \"%.40s\" (imap-host, pop3-host, "
                     "smtp-host, imaps-port, imap-port, pop3s-port, pop3-port, "
                     "submissions-port, submission-port, name)",
                     name);
        return PK_EINVAL;
    }
    if ((status = cc_hosted(txn, domain, false, norm, error_r)) != PK_OK)
        return status;
    klen =
        (size_t)snprintf(key, sizeof(key), CC_PREFIX "%s:%s", norm, st->name);
    if (vlen == 0) {
        status = pk_txn_del(txn, PK_DB_META, key, klen, NULL, 0, error_r);
        if (status == PK_NOTFOUND)
            return PK_OK;
        if (status != PK_OK)
            return status;
        return pk_changelog_append(txn, "clientconfig.set",
                                   key + sizeof(CC_PREFIX) - 1, "default",
                                   error_r);
    }
    pk_clientconfig_defaults(norm, &cc);
    if ((status = cc_apply(&cc, st, value, vlen, error_r)) != PK_OK)
        return status;
    /* Store the normalized form: an A-label for a host name. */
    stored = st->kind == CC_HOST ? (const char *)&cc + st->offset : value;
    vlen = strlen(stored);
    rec[0] = PK_REC_CLIENTCONFIG;
    rec[1] = 1;
    rec[2] = (unsigned char)(vlen & 0xff);
    rec[3] = (unsigned char)(vlen >> 8);
    memcpy(rec + 4, stored, vlen);
    if ((status = pk_txn_put(txn, PK_DB_META, key, klen, rec, 4 + vlen, 0,
                             error_r)) != PK_OK)
        return status;
    snprintf(detail, sizeof(detail), "%s", stored);
    return pk_changelog_append(txn, "clientconfig.set",
                               key + sizeof(CC_PREFIX) - 1, detail, error_r);
}

/* pk_clientconfig_get - the settings in force for a hosted domain */

int pk_clientconfig_get(struct pk_txn *txn, const char *domain,
                        struct pk_clientconfig *cc, const char **error_r)
{
    char norm[PK_DOMAIN_MAX + 1], prefix[CC_KEY_MAX];
    struct pk_cursor *cur;
    const void *key, *val;
    size_t klen, vlen, plen;
    int status;

    if ((status = cc_hosted(txn, domain, true, norm, error_r)) != PK_OK)
        return status;
    pk_clientconfig_defaults(norm, cc);
    plen = (size_t)snprintf(prefix, sizeof(prefix), CC_PREFIX "%s:", norm);
    if ((status = pk_cursor_open(txn, PK_DB_META, prefix, plen, &cur,
                                 error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        const struct cc_setting *st =
            cc_find((const char *)key + plen, klen - plen);
        const unsigned char *v = val;

        if (st == NULL)
            continue; /* a newer postkontor's setting */
        if (vlen < 4 || v[0] != PK_REC_CLIENTCONFIG) {
            *error_r = pk_error("client setting %.*s is corrupt", (int)klen,
                                (const char *)key);
            status = PK_ECORRUPT;
            break;
        }
        if (v[1] != 1) {
            *error_r = pk_error(
                "client setting %.*s has version %u, newer than this program",
                (int)klen, (const char *)key, v[1]);
            status = PK_EVERSION;
            break;
        }
        if ((size_t)(v[2] | v[3] << 8) != vlen - 4 ||
            cc_apply(cc, st, (const char *)v + 4, vlen - 4, error_r) != PK_OK) {
            *error_r = pk_error("client setting %.*s is corrupt", (int)klen,
                                (const char *)key);
            status = PK_ECORRUPT;
            break;
        }
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* cc_no_password - refuse to prompt for a key's pass phrase */

static int cc_no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0;
}

/* cc_ssl_error - the first OpenSSL error, as text, with a prefix */

static const char *cc_ssl_error(const char *what)
{
    char buf[256];
    unsigned long e = ERR_get_error();

    ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    return pk_error("%s: %s", what, e ? buf : "unknown error");
}

/* pk_clientconfig_sign - CMS SignedData (DER) of data; chain may be NULL */

int pk_clientconfig_sign(const char *cert_pem, const char *key_pem,
                         const char *chain_pem, const void *data, size_t len,
                         unsigned char **der_r, size_t *der_len_r,
                         const char **error_r)
{
    BIO *cb = NULL, *kb = NULL, *chb = NULL, *db = NULL;
    X509 *cert = NULL, *extra;
    EVP_PKEY *key = NULL;
    STACK_OF(X509) *chain = NULL;
    CMS_ContentInfo *cms = NULL;
    unsigned char *der = NULL;
    int n, status = PK_EINVAL;

    *der_r = NULL;
    *der_len_r = 0;
    ERR_clear_error();
    if ((cb = BIO_new_mem_buf(cert_pem, -1)) == NULL ||
        (kb = BIO_new_mem_buf(key_pem, -1)) == NULL ||
        (db = BIO_new_mem_buf(data, (int)len)) == NULL ||
        (chain = sk_X509_new_null()) == NULL) {
        *error_r = pk_error("out of memory");
        status = PK_ENOMEM;
        goto out;
    }
    if ((cert = PEM_read_bio_X509(cb, NULL, cc_no_password, NULL)) == NULL) {
        *error_r = cc_ssl_error("the signing certificate does not load");
        goto out;
    }
    if ((key = PEM_read_bio_PrivateKey(kb, NULL, cc_no_password, NULL)) ==
        NULL) {
        *error_r = cc_ssl_error(
            "the signing key does not load (it must not be encrypted)");
        goto out;
    }
    if (X509_check_private_key(cert, key) != 1) {
        ERR_clear_error();
        *error_r =
            pk_error("the signing key does not belong to the certificate");
        goto out;
    }
    if (chain_pem != NULL) {
        if ((chb = BIO_new_mem_buf(chain_pem, -1)) == NULL) {
            *error_r = pk_error("out of memory");
            status = PK_ENOMEM;
            goto out;
        }
        while ((extra = PEM_read_bio_X509(chb, NULL, cc_no_password, NULL)) !=
               NULL)
            if (!sk_X509_push(chain, extra)) {
                X509_free(extra);
                *error_r = pk_error("out of memory");
                status = PK_ENOMEM;
                goto out;
            }
        ERR_clear_error(); /* the end of the PEM text */
        if (sk_X509_num(chain) == 0) {
            *error_r = pk_error("the chain holds no certificate");
            goto out;
        }
    }
    if ((cms = CMS_sign(cert, key, chain, db, CMS_BINARY)) == NULL) {
        *error_r = cc_ssl_error("signing failed");
        goto out;
    }
    if ((n = i2d_CMS_ContentInfo(cms, &der)) <= 0) {
        *error_r = cc_ssl_error("signing failed");
        goto out;
    }
    *der_r = malloc((size_t)n);
    if (*der_r == NULL) {
        *error_r = pk_error("out of memory");
        status = PK_ENOMEM;
        goto out;
    }
    memcpy(*der_r, der, (size_t)n);
    *der_len_r = (size_t)n;
    status = PK_OK;
out:
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    X509_free(cert);
    BIO_free(db);
    BIO_free(chb);
    BIO_free(kb);
    BIO_free(cb);
    return status;
}
