/*++
/* NAME
/*	dkim 3
/* SUMMARY
/*	DKIM keys: generate, store, rotate, publish, cache
/* SYNOPSIS
/*	#include "dkim.h"
/* DESCRIPTION
/*	See dkim.h; signing itself is in dkim-sign.c. Keys are generated
/*	and parsed with OpenSSL 3's EVP interface. The cache maps a domain
/*	to the parsed key of its active record; an entry is used only
/*	while the stored PEM is the same text, so a rotation or a removal
/*	is seen at the next message without any signal to the milter.
/* DIAGNOSTICS
/*	See dkim.h.
/* SECURITY
/*	The PEM text is a secret: copies are wiped before they are freed,
/*	and no error message or change log entry contains it.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "addr.h"
#include "changelog.h"
#include "dkim-int.h"
#include "dkim.h"
#include "domain.h"

#define DKIM_KEY_MAX (PK_DOMAIN_MAX + 1 + PK_DKIM_SELECTOR_MAX)
#define DKIM_CACHE_SIZE 4096
#define DKIM_FOUND 100 /* stops a list walk; not a status */

/* One parsed key, as the stored record had it. */
struct cache_entry {
    char domain[PK_DOMAIN_MAX + 1];
    char *pem;
    struct pk_dkim_signkey *key;
};

struct pk_dkim_cache {
    pthread_mutex_t lock;
    struct cache_entry *entries;
    size_t count;
};

/* pk_dkim_alg_name - "rsa-sha256" or "ed25519-sha256" */

const char *pk_dkim_alg_name(enum pk_dkim_alg alg)
{
    return alg == PK_DKIM_ED25519_SHA256 ? "ed25519-sha256" : "rsa-sha256";
}

/* pk_dkim_alg_parse - an algorithm by name */

int pk_dkim_alg_parse(const char *name, enum pk_dkim_alg *alg_r)
{
    if (strcmp(name, "rsa-sha256") == 0)
        *alg_r = PK_DKIM_RSA_SHA256;
    else if (strcmp(name, "ed25519-sha256") == 0)
        *alg_r = PK_DKIM_ED25519_SHA256;
    else
        return PK_EINVAL;
    return PK_OK;
}

/* pk_dkim_selector_ok - labels of letters, digits and inner hyphens */

bool pk_dkim_selector_ok(const char *sel)
{
    size_t len = strlen(sel), label = 0;

    if (len == 0 || len > PK_DKIM_SELECTOR_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (sel[i] == '.') {
            if (label == 0 || sel[i - 1] == '-')
                return false;
            label = 0;
        } else if ((sel[i] >= 'a' && sel[i] <= 'z') ||
                   (sel[i] >= '0' && sel[i] <= '9') ||
                   (sel[i] == '-' && label > 0)) {
            label++;
        } else {
            return false;
        }
    }
    return label > 0 && sel[len - 1] != '-';
}

/* pk_dkim_generate - a new private key as PEM */

int pk_dkim_generate(enum pk_dkim_alg alg, unsigned bits, char **pem_r,
                     const char **error_r)
{
    EVP_PKEY *pkey;
    BIO *bio;
    char *data;
    long len;
    int status = PK_ENOMEM;

    if (alg == PK_DKIM_RSA_SHA256 && (bits < 2048 || bits > 4096)) {
        *error_r = pk_error("an RSA key must have 2048 to 4096 bits");
        return PK_EINVAL;
    }
    pkey = alg == PK_DKIM_RSA_SHA256 ? EVP_RSA_gen(bits)
                                     : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (pkey == NULL) {
        *error_r = pk_error("cannot generate a %s key", pk_dkim_alg_name(alg));
        return PK_ENOMEM;
    }
    if ((bio = BIO_new(BIO_s_secmem())) != NULL &&
        PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1 &&
        (len = BIO_get_mem_data(bio, &data)) > 0 &&
        (*pem_r = malloc(len + 1)) != NULL) {
        memcpy(*pem_r, data, len);
        (*pem_r)[len] = 0;
        status = PK_OK;
    } else {
        *error_r = pk_error("cannot write the new key");
    }
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return status;
}

/* pk_dkim_pem_free - wipe and free a PEM key */

void pk_dkim_pem_free(char **pem)
{
    if (*pem != NULL) {
        pk_wipe(*pem, strlen(*pem));
        free(*pem);
        *pem = NULL;
    }
}

/* dkim_parse_pem - the EVP key of a PEM text; NULL if it is none */

EVP_PKEY *dkim_parse_pem(const char *pem, enum pk_dkim_alg alg)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *pkey = NULL;
    int want = alg == PK_DKIM_RSA_SHA256 ? EVP_PKEY_RSA : EVP_PKEY_ED25519;

    if (bio != NULL)
        pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey != NULL && EVP_PKEY_get_base_id(pkey) != want) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

/* dkim_key - the database key: domain NUL selector */

static size_t dkim_key(const char *domain, const char *selector,
                       char key[DKIM_KEY_MAX])
{
    size_t dlen = strlen(domain), slen = strlen(selector);

    memcpy(key, domain, dlen + 1);
    memcpy(key + dlen + 1, selector, slen);
    return dlen + 1 + slen;
}

/* hosted_domain - normalize; the domain must be hosted here */

static int hosted_domain(struct pk_txn *txn, const char *input,
                         char domain[PK_DOMAIN_MAX + 1], const char **error_r)
{
    struct pk_domain dom;
    int status;

    if ((status = pk_domain_get(txn, input, &dom, error_r)) == PK_NOTFOUND)
        *error_r = pk_error("%s is not a hosted domain", input);
    if (status != PK_OK)
        return status;
    if (dom.kind != PK_DOMAIN_HOSTED) {
        *error_r =
            pk_error("%s is an alias domain: sign as %s", input, dom.target);
        return PK_EINVAL;
    }
    return pk_addr_parse_domain(input, domain, error_r);
}

/* Keys of one domain, as a list walk sees them. */
struct domain_keys {
    char active[PK_DKIM_SELECTOR_MAX + 1];
    char inactive[PK_DKIM_SELECTOR_MAX + 1];
    size_t count;
};

/* count_key - collect what a domain has */

static int count_key(const char *domain, const char *sel,
                     const struct pk_dkimkey *key, void *ctx)
{
    struct domain_keys *dk = ctx;

    snprintf(key->active ? dk->active : dk->inactive, PK_DKIM_SELECTOR_MAX + 1,
             "%s", sel);
    dk->count++;
    return 0;
}

/* exists - is a selector taken */

static int exists(struct pk_txn *txn, const char *domain, const char *sel,
                  const char **error_r)
{
    char key[DKIM_KEY_MAX];
    const void *val;
    size_t vlen, klen = dkim_key(domain, sel, key);

    return pk_txn_get(txn, PK_DB_DKIM, key, klen, &val, &vlen, error_r);
}

/* choose_selector - the given one, checked, or "sYYYYMMDD[a-z]" */

static int choose_selector(struct pk_txn *txn, const char *domain,
                           const char *given,
                           char sel_r[PK_DKIM_SELECTOR_MAX + 1],
                           const char **error_r)
{
    time_t now = time(NULL);
    struct tm tm;
    size_t len;
    int status;

    if (given != NULL) {
        for (len = 0; given[len] != 0 && len < PK_DKIM_SELECTOR_MAX; len++)
            sel_r[len] = (char)tolower((unsigned char)given[len]);
        sel_r[len] = 0;
        if (given[len] != 0 || !pk_dkim_selector_ok(sel_r)) {
            *error_r = pk_error("invalid selector: letters, digits, inner "
                                "hyphens and dots, at most %d characters",
                                PK_DKIM_SELECTOR_MAX);
            return PK_EINVAL;
        }
        status = exists(txn, domain, sel_r, error_r);
        if (status == PK_OK) {
            *error_r = pk_error("%s has a selector %s already", domain, sel_r);
            return PK_EEXIST;
        }
        return status == PK_NOTFOUND ? PK_OK : status;
    }
    gmtime_r(&now, &tm);
    len = strftime(sel_r, PK_DKIM_SELECTOR_MAX + 1, "s%Y%m%d", &tm);
    for (int c = 0; c <= 26; c++) {
        if (c > 0) {
            sel_r[len] = (char)('a' + c - 1);
            sel_r[len + 1] = 0;
        }
        if ((status = exists(txn, domain, sel_r, error_r)) != PK_OK)
            return status == PK_NOTFOUND ? PK_OK : status;
    }
    *error_r = pk_error("no free selector today for %s: name one", domain);
    return PK_EEXIST;
}

/* put_key - store one key record */

static int put_key(struct pk_txn *txn, const char *domain, const char *sel,
                   const struct pk_dkimkey *rec, const char **error_r)
{
    struct pk_buf buf = {0};
    char key[DKIM_KEY_MAX];
    size_t klen = dkim_key(domain, sel, key);
    int status;

    if ((status = pk_record_encode_dkim(rec, &buf)) != PK_OK)
        *error_r = pk_error("out of memory");
    else
        status = pk_txn_put(txn, PK_DB_DKIM, key, klen, buf.data, buf.len, 0,
                            error_r);
    if (buf.data != NULL)
        pk_wipe(buf.data, buf.size);
    pk_buf_free(&buf);
    return status;
}

/* add_key - store a new active key after checks; log it */

static int add_key(struct pk_txn *txn, const char *input, const char *given,
                   enum pk_dkim_alg alg, const char *pem, bool rotate,
                   char sel_r[PK_DKIM_SELECTOR_MAX + 1], const char **error_r)
{
    char domain[PK_DOMAIN_MAX + 1], subject[PK_DOMAIN_MAX + 80];
    char detail[PK_DKIM_SELECTOR_MAX * 2 + 64];
    struct domain_keys dk = {"", "", 0};
    struct pk_dkimkey rec = {alg, true, (char *)pem, (uint64_t)time(NULL)};
    EVP_PKEY *pkey;
    int status;

    if ((status = hosted_domain(txn, input, domain, error_r)) != PK_OK)
        return status;
    if ((pkey = dkim_parse_pem(pem, alg)) == NULL) {
        *error_r =
            pk_error("the key is not a %s private key", pk_dkim_alg_name(alg));
        return PK_EINVAL;
    }
    EVP_PKEY_free(pkey);
    status = pk_dkim_list(txn, domain, count_key, &dk, error_r);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    if (!rotate && dk.count > 0) {
        *error_r = pk_error("%s has a DKIM key already: use rotate", domain);
        return PK_EEXIST;
    }
    if (rotate && dk.active[0] == 0) {
        *error_r = pk_error("%s has no active DKIM key: use keygen", domain);
        return PK_NOTFOUND;
    }
    if (rotate && dk.inactive[0] != 0) {
        *error_r = pk_error("%s still publishes the retired selector %s: "
                            "remove it first",
                            domain, dk.inactive);
        return PK_EEXIST;
    }
    if ((status = choose_selector(txn, domain, given, sel_r, error_r)) != PK_OK)
        return status;
    if (rotate) {
        struct pk_dkimkey old;
        char key[DKIM_KEY_MAX];
        const void *val;
        size_t vlen, klen = dkim_key(domain, dk.active, key);

        status = pk_txn_get(txn, PK_DB_DKIM, key, klen, &val, &vlen, error_r);
        if (status == PK_OK &&
            (status = pk_record_decode_dkim(val, vlen, &old)) == PK_OK) {
            old.active = false;
            status = put_key(txn, domain, dk.active, &old, error_r);
            pk_dkimkey_free(&old);
        } else if (status == PK_ECORRUPT || status == PK_EVERSION) {
            *error_r = pk_error("the DKIM key %s of %s does not decode",
                                dk.active, domain);
        }
        if (status != PK_OK)
            return status;
    }
    if ((status = put_key(txn, domain, sel_r, &rec, error_r)) != PK_OK)
        return status;
    snprintf(subject, sizeof(subject), "%s._domainkey.%s", sel_r, domain);
    snprintf(detail, sizeof(detail), "%s%s%s", pk_dkim_alg_name(alg),
             rotate ? ", retired " : "", rotate ? dk.active : "");
    return pk_changelog_append(txn, rotate ? "dkim.rotate" : "dkim.keygen",
                               subject, detail, error_r);
}

/* pk_dkim_keygen - store the first key of a domain */

int pk_dkim_keygen(struct pk_txn *txn, const char *domain, const char *sel,
                   enum pk_dkim_alg alg, const char *pem,
                   char sel_r[PK_DKIM_SELECTOR_MAX + 1], const char **error_r)
{
    return add_key(txn, domain, sel, alg, pem, false, sel_r, error_r);
}

/* pk_dkim_rotate - store a new active key; the old one stays published */

int pk_dkim_rotate(struct pk_txn *txn, const char *domain, const char *sel,
                   enum pk_dkim_alg alg, const char *pem,
                   char sel_r[PK_DKIM_SELECTOR_MAX + 1], const char **error_r)
{
    return add_key(txn, domain, sel, alg, pem, true, sel_r, error_r);
}

/* pk_dkim_remove - delete a key */

int pk_dkim_remove(struct pk_txn *txn, const char *input, const char *sel,
                   const char **error_r)
{
    char domain[PK_DOMAIN_MAX + 1], subject[PK_DOMAIN_MAX + 80];
    char key[DKIM_KEY_MAX];
    struct domain_keys dk = {"", "", 0};
    size_t klen;
    int status;

    if ((status = pk_addr_parse_domain(input, domain, error_r)) != PK_OK)
        return status;
    status = pk_dkim_list(txn, domain, count_key, &dk, error_r);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    if (strcmp(dk.active, sel) != 0 && strcmp(dk.inactive, sel) != 0) {
        *error_r = pk_error("%s has no DKIM selector %s", domain, sel);
        return PK_NOTFOUND;
    }
    if (strcmp(dk.active, sel) == 0 && dk.count > 1) {
        *error_r =
            pk_error("%s signs the mail of %s: rotate first", sel, domain);
        return PK_EINVAL;
    }
    klen = dkim_key(domain, sel, key);
    if ((status = pk_txn_del(txn, PK_DB_DKIM, key, klen, NULL, 0, error_r)) !=
        PK_OK)
        return status;
    snprintf(subject, sizeof(subject), "%s._domainkey.%s", sel, domain);
    return pk_changelog_append(txn, "dkim.remove", subject, NULL, error_r);
}

/* pk_dkim_list - each key of a domain, or of all domains */

int pk_dkim_list(struct pk_txn *txn, const char *input, pk_dkim_iter_fn *fn,
                 void *ctx, const char **error_r)
{
    char domain[PK_DOMAIN_MAX + 1], sel[PK_DKIM_SELECTOR_MAX + 1];
    struct pk_cursor *cur;
    struct pk_dkimkey rec;
    const void *k, *v;
    const char *nul;
    size_t klen, vlen, dlen = 0;
    int status, found = 0, rc = 0;

    if (input != NULL) {
        if ((status = pk_addr_parse_domain(input, domain, error_r)) != PK_OK)
            return status;
        dlen = strlen(domain) + 1;
    }
    status = pk_cursor_open(txn, PK_DB_DKIM, input ? domain : NULL, dlen, &cur,
                            error_r);
    if (status != PK_OK)
        return status;
    while (rc == 0 && (status = pk_cursor_next(cur, &k, &klen, &v, &vlen,
                                               error_r)) == PK_OK) {
        nul = memchr(k, 0, klen);
        if (nul == NULL || nul == k ||
            (size_t)(nul - (const char *)k) > PK_DOMAIN_MAX ||
            klen - (nul - (const char *)k) - 1 > PK_DKIM_SELECTOR_MAX) {
            status = PK_ECORRUPT;
            break;
        }
        memcpy(domain, k, nul - (const char *)k);
        domain[nul - (const char *)k] = 0;
        memcpy(sel, nul + 1, klen - (nul - (const char *)k) - 1);
        sel[klen - (nul - (const char *)k) - 1] = 0;
        if ((status = pk_record_decode_dkim(v, vlen, &rec)) != PK_OK)
            break;
        found++;
        rc = fn(domain, sel, &rec, ctx);
        pk_dkimkey_free(&rec);
    }
    pk_cursor_close(&cur);
    if (status == PK_ECORRUPT || status == PK_EVERSION)
        *error_r = pk_error("a DKIM key record of %s does not decode",
                            input ? input : "a domain");
    if (rc != 0)
        return rc;
    if (status != PK_NOTFOUND)
        return status;
    return found ? PK_OK : PK_NOTFOUND;
}

/* base64 - the base64 text of bytes; the caller frees */

static char *base64(const unsigned char *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);

    if (out != NULL)
        EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

/* pk_dkim_dns_txt - "v=DKIM1; k=...; p=..."; the caller frees */

int pk_dkim_dns_txt(const struct pk_dkimkey *rec, char **txt_r,
                    const char **error_r)
{
    EVP_PKEY *pkey = dkim_parse_pem(rec->key, rec->alg);
    unsigned char raw[32], *der = NULL;
    char *b64 = NULL;
    size_t rlen = sizeof(raw);
    int len;

    *txt_r = NULL;
    if (pkey == NULL) {
        *error_r = pk_error("a stored DKIM key does not parse");
        return PK_ECORRUPT;
    }
    if (rec->alg == PK_DKIM_ED25519_SHA256) {
        if (EVP_PKEY_get_raw_public_key(pkey, raw, &rlen) == 1)
            b64 = base64(raw, rlen);
    } else if ((len = i2d_PUBKEY(pkey, &der)) > 0) {
        b64 = base64(der, len);
    }
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
    if (b64 == NULL ||
        asprintf(txt_r, "v=DKIM1; k=%s; p=%s",
                 rec->alg == PK_DKIM_ED25519_SHA256 ? "ed25519" : "rsa",
                 b64) < 0) {
        free(b64);
        *txt_r = NULL;
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    free(b64);
    return PK_OK;
}

/* pk_dkim_dns_record - the zone file line; the caller frees */

int pk_dkim_dns_record(const char *domain, const char *sel,
                       const struct pk_dkimkey *rec, char **line_r,
                       const char **error_r)
{
    char *txt, *line, *p;
    size_t len, n;
    int status;

    if ((status = pk_dkim_dns_txt(rec, &txt, error_r)) != PK_OK)
        return status;
    len = strlen(txt);
    /* Each 255-octet piece adds at most 3 octets: quotes and a space. */
    if ((line = malloc(strlen(sel) + strlen(domain) + len + len / 255 * 3 +
                       64)) == NULL) {
        free(txt);
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    p = line + sprintf(line, "%s._domainkey.%s. IN TXT (", sel, domain);
    for (size_t off = 0; off < len; off += n) {
        n = len - off > 255 ? 255 : len - off;
        p += sprintf(p, " \"%.*s\"", (int)n, txt + off);
    }
    strcpy(p, " )");
    free(txt);
    *line_r = line;
    return PK_OK;
}

/* pk_dkim_cache_new - an empty cache of parsed keys */

int pk_dkim_cache_new(struct pk_dkim_cache **cache_r, const char **error_r)
{
    struct pk_dkim_cache *cache = calloc(1, sizeof(*cache));

    if (cache == NULL ||
        (cache->entries = calloc(DKIM_CACHE_SIZE, sizeof(*cache->entries))) ==
            NULL) {
        free(cache);
        *error_r = pk_error("out of memory");
        return PK_ENOMEM;
    }
    pthread_mutex_init(&cache->lock, NULL);
    *cache_r = cache;
    return PK_OK;
}

/* cache_clear - drop every entry; the lock is held */

static void cache_clear(struct pk_dkim_cache *cache)
{
    for (size_t i = 0; i < cache->count; i++) {
        pk_dkim_pem_free(&cache->entries[i].pem);
        pk_dkim_signkey_release(&cache->entries[i].key);
    }
    cache->count = 0;
}

/* pk_dkim_cache_free - release a cache and every key in it */

void pk_dkim_cache_free(struct pk_dkim_cache **cache)
{
    if (*cache == NULL)
        return;
    cache_clear(*cache);
    pthread_mutex_destroy(&(*cache)->lock);
    free((*cache)->entries);
    free(*cache);
    *cache = NULL;
}

/* find_active - the selector and record of a domain's active key */

static int find_active(const char *domain, const char *sel,
                       const struct pk_dkimkey *rec, void *ctx)
{
    struct pk_dkimkey *out = ctx;

    if (!rec->active)
        return 0;
    if ((out->key = malloc(strlen(rec->key) + strlen(sel) + 2)) == NULL)
        return PK_ENOMEM;
    /* The selector rides after the PEM's NUL. */
    strcpy(out->key, rec->key);
    strcpy(out->key + strlen(rec->key) + 1, sel);
    out->alg = rec->alg;
    out->active = true;
    return DKIM_FOUND;
}

/* cache_lookup - the cached key for this record, or a newly parsed one */

static int cache_lookup(struct pk_dkim_cache *cache, const char *domain,
                        const struct pk_dkimkey *rec, const char *sel,
                        struct pk_dkim_signkey **key_r, const char **error_r)
{
    struct cache_entry *ent = NULL;
    struct pk_dkim_signkey *key;
    size_t i;

    pthread_mutex_lock(&cache->lock);
    for (i = 0; i < cache->count; i++)
        if (strcmp(cache->entries[i].domain, domain) == 0)
            break;
    if (i < cache->count) {
        ent = &cache->entries[i];
        if (strcmp(ent->pem, rec->key) == 0 &&
            strcmp(ent->key->selector, sel) == 0 && ent->key->alg == rec->alg) {
            *key_r = dkim_signkey_ref(ent->key);
            pthread_mutex_unlock(&cache->lock);
            return PK_OK;
        }
        pk_dkim_pem_free(&ent->pem);
        pk_dkim_signkey_release(&ent->key);
    } else {
        if (cache->count == DKIM_CACHE_SIZE)
            cache_clear(cache);
        ent = &cache->entries[cache->count];
    }
    if ((key = dkim_signkey_new(domain, sel, rec)) == NULL ||
        (ent->pem = strdup(rec->key)) == NULL) {
        pk_dkim_signkey_release(&key);
        /* The slot is empty now: move the last entry into it. */
        if (i < cache->count)
            *ent = cache->entries[--cache->count];
        pthread_mutex_unlock(&cache->lock);
        *error_r = pk_error("the DKIM key of %s does not parse", domain);
        return PK_ECORRUPT;
    }
    snprintf(ent->domain, sizeof(ent->domain), "%s", domain);
    ent->key = key;
    if (i == cache->count)
        cache->count++;
    *key_r = dkim_signkey_ref(key);
    pthread_mutex_unlock(&cache->lock);
    return PK_OK;
}

/* pk_dkim_find - the active key of a domain; PK_NOTFOUND if none */

int pk_dkim_find(struct pk_dkim_cache *cache, struct pk_txn *txn,
                 const char *domain, struct pk_dkim_signkey **key_r,
                 const char **error_r)
{
    struct pk_dkimkey active = {0};
    int status;

    *key_r = NULL;
    status = pk_dkim_list(txn, domain, find_active, &active, error_r);
    if (status == PK_OK || status == PK_NOTFOUND) {
        *error_r = pk_error("%s has no active DKIM key", domain);
        status = PK_NOTFOUND;
    } else if (status == DKIM_FOUND) {
        status =
            cache_lookup(cache, domain, &active,
                         active.key + strlen(active.key) + 1, key_r, error_r);
    } else if (status == PK_ENOMEM) {
        *error_r = pk_error("out of memory");
    }
    if (active.key != NULL) {
        pk_wipe(active.key, strlen(active.key));
        free(active.key);
    }
    return status;
}
