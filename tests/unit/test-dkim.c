/*++
/* NAME
/*	test-dkim 1
/* SUMMARY
/*	unit tests of DKIM keys and signing (common/dkim.c, dkim-sign.c)
/* SYNOPSIS
/*	test-dkim
/* DESCRIPTION
/*	Relaxed canonicalization against the examples of RFC 6376 section
/*	3.4.5, in any chunking; known-answer signatures for rsa-sha256 and
/*	ed25519-sha256 (the Ed25519 key of RFC 8032 section 7.1 test 1, as
/*	RFC 8463 uses it; the expected values were checked with an
/*	independent verifier, python3-dkim); key storage: keygen, rotate
/*	with two live selectors, remove, change log, the record encoding,
/*	DNS text; the key cache parses once and follows a rotation.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "changelog.h"
#include "dkim-int.h"
#include "dkim.h"
#include "fixture.h"
#include "test.h"

/* The Ed25519 secret key of RFC 8032 section 7.1, test 1. */
static const unsigned char rfc8032_seed[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
    0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
    0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

/* A fixed RSA-2048 key made for this test only. */
static const char test_rsa_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDx2P7kCZzpvA2c\n"
    "oadv/TbJaZAv9ZF2A/klPbeoLmnPSbq5vDBvs1apFTzvhUsrEsITtMtQ/75u99gF\n"
    "E1xk2tGCFL59gHus6Ia3hZTpTWXTSL5QJFT2E37LyLksrd9f9pcfOxeEeKeMCn5G\n"
    "+u2f8JXfhSg3sh81usHWL7EU6vh/CYuxpYCw03+WPUxb3g26bJOkJGqRP06xE4Uq\n"
    "fNrjHsDWi7gRhaqGQhzNBy0E/zOq7KctOkYkLDm8GmwGkph9APYtkCqxToQnZTsB\n"
    "9k6sLKDyvPH3dJvoY4T901z2KbciOUr3FmylRIbBrDt9GyIC2MxhwyL45NDGsTR7\n"
    "Lkd0hM1pAgMBAAECggEAD+woLeXHH6laoREQh8I9SOnrDQlHJCSzUsUbMhaqLzRM\n"
    "t51A+B2vyy6DhkZ5kjKoNeltiF3qEP6+yWjCqL4yVHTerL8YhWQCuJLyIKEQnuY3\n"
    "Z2nY8SGL88k5jcw9vGDtBqiajgVujH0FXtF28xSBHYf0A6S1wtESoXIe38Bvj1d2\n"
    "BPs1RLdWcGKX3tImaMfZpVjxSPHsheAs21vMmKdPpZeCjHrOQZ9WkZ3AKJaRZIPa\n"
    "6kQNleiMK9xuaHBXGxrj4Z2onc2TzMpavHCHJeBSwa+VEEaUCm3cfyEe+HP6GSK4\n"
    "gUEzXLcpABbUXGxlXfwfPXZVJJ55oyGgaQ8oixgRgQKBgQD/yrzfe9bp3lVNDJlU\n"
    "H/jP9iAx7DtaeTW+lq+xjpzgMlrA/KMRL5cKUUu3p+DFrF0pW+y+FOEGBG6cejHI\n"
    "LPD1s/zGeMqLagOSWSjSeYXeElhdXMXFLzGbZb1cA8E9DfyjiBPilqdtF7b24Z/m\n"
    "aa7P+w5yrQ7Q3eCxCDtm4KsFQQKBgQDyC1q1iE+vHSNybrKyZg/iZtQUsksUUET4\n"
    "A2EuWK5MgvTW3YIJuzMbkFDtcfXc7JznjcGIejNzLYMQVMFQQ5pobFAUw3VEJJgU\n"
    "Na8llGqXYterJMxHK7XXFVAJ5swPwCU9Tl2Pvjfl1oapltLNsasjEL7EzE+dHcvt\n"
    "elxvvnV2KQKBgQD/Ndx0bi7jcD1TfrqMwMmTVFKS/MvLXRxOaDIrycqjthnuayKX\n"
    "xw+/75TITOtqzqq01U7D6DkLs+hYn2KEArL3svkFXQdZShD+N48PUMhL5ancnO+F\n"
    "6axpC31/DRAERqxGzUJp1T5/DiYy9LKBRfhw8mBb8mbR5k6E013RK1/3AQKBgQDn\n"
    "L6srexBJPXavBUbPmSaQ5BCr2ARYWbcWgPvgrbmFwQuk8xwSuWg+aqCxu0jQBHx1\n"
    "uvNgrP/Zgl4OSjX+uSORm+r9ehfWx3Eu1Hv/U/xfrnw6rsIjNH/R+TxiyLyeSrQH\n"
    "E4PQGSsA79/duf6Nk6bXrlXYWSGt+1jd8iK6ZNuCyQKBgQDfDwqZsVx+8Nl4oBHu\n"
    "qkOExlVKPrj8kTNjzvvr2lTg+JA5Y19Gga4wY1tOS4c5d/rnlCUz/Fv64aVBGxAS\n"
    "rJEIWdJIwuPJV+iEbTsg8PxISxrNWEf8SvWNBN3BcZVw9r8txX3gKbDopJVer84V\n"
    "2c8Z2bdmVQ3AlbGT1CVQybgRGg==\n"
    "-----END PRIVATE KEY-----\n";

/* The message of RFC 8463 appendix A, plus a field that is not signed. */
static const char *const kat_headers[][2] = {
    {"From", " Joe SixPack <joe@football.example.com>"},
    {"To", " Suzie Q <suzie@shopping.example.net>"},
    {"Subject", " Is dinner ready?"},
    {"X-Mailer", " not signed"},
    {"Date", " Fri, 11 Jul 2003 21:00:37 -0700 (PDT)"},
    {"Message-ID", " <20030712040037.46341.5F8J@football.example.com>"},
};
static const char kat_body[] =
    "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";
#define KAT_TIME 1528637909

static const char kat_ed25519[] =
    "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=football.example.com; "
    "s=brisbane;\r\n\tt=1528637909; h=from:from:subject:date:to:message-id;"
    "\r\n\tbh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;"
    "\r\n\tb=tiwZbCb21wONzUcNgmcUYdQXJZKM3dny6QP59LTFV5L3xImYIoMYVl+ce289oUwy"
    "\r\n\t49CWtSZqjSnXOQ+094oDAA==";
static const char kat_rsa[] =
    "v=1; a=rsa-sha256; c=relaxed/relaxed; d=football.example.com; "
    "s=test;\r\n\tt=1528637909; h=from:from:subject:date:to:message-id;"
    "\r\n\tbh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;"
    "\r\n\tb=PzKvkdOh5q18zbmx2ciZnZwmYTRR8470CYHHU25Ltp4MC73u9QpymVFdNJurR2eO"
    "\r\n\tEpvK5g5xzSPgMqvKmiUPH3gL+0I6TLdvQHk8VIQhuPKtdUhjQ3FCZXsROcD/st+W"
    "\r\n\tg5KjbQ+6U4aqN9sNyr5Pd4tDv3aBEXolY38QOwt2Dw8p72WKuGO1KNb0qeGS1ZJh"
    "\r\n\tbNK/AAzIEcOfves4xTsNfNnOr+BAt8zsWquBZOEadq/PRO+gGmwPNipVv6uQFdw6"
    "\r\n\t9HPTmYBAank4ms687Li4iGxztTL0jbYH5zHD8QpPBQgzdfaSL3TZJIzG4pQPa5f2"
    "\r\n\tIxEtb/3DigXHZwjM1Vg2sQ==";

/* ed25519_pem - the RFC 8032 key as PEM; the caller frees */

static char *ed25519_pem(void)
{
    EVP_PKEY *pkey =
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, rfc8032_seed, 32);
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *pem;
    long len;

    if (pkey == NULL || bio == NULL ||
        PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1)
        abort();
    len = BIO_get_mem_data(bio, &data);
    if ((pem = strndup(data, len)) == NULL)
        abort();
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return pem;
}

struct keyop {
    const char *domain, *selector, *pem;
    enum pk_dkim_alg alg;
    int op; /* 0 keygen, 1 rotate, 2 remove */
    char chosen[PK_DKIM_SELECTOR_MAX + 1];
};

static int keyop_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct keyop *k = ctx;

    if (k->op == 2)
        return pk_dkim_remove(txn, k->domain, k->selector, error_r);
    if (k->op == 1)
        return pk_dkim_rotate(txn, k->domain, k->selector, k->alg, k->pem,
                              k->chosen, error_r);
    return pk_dkim_keygen(txn, k->domain, k->selector, k->alg, k->pem,
                          k->chosen, error_r);
}

static char chosen[PK_DKIM_SELECTOR_MAX + 1];

/* keyop - one key operation in its own write transaction */

static int keyop(struct fixture *fx, int op, const char *domain,
                 const char *selector, enum pk_dkim_alg alg, const char *pem)
{
    struct keyop k = {domain, selector, pem, alg, op, ""};
    int status = pk_store_write(fx->store, keyop_fn, &k, &fx->error);

    if (status == PK_OK)
        memcpy(chosen, k.chosen, sizeof(chosen));
    return status;
}

/* sign_kat - sign the known-answer message with a domain's key */

static char *sign_kat(struct fixture *fx, struct pk_dkim_cache *cache,
                      const char *domain, const char *eol)
{
    struct pk_txn *txn = fx_read(fx);
    struct pk_dkim_signkey *key;
    struct pk_dkim_sign *sign;
    const char *error;
    char *value = NULL;
    size_t i;

    if (pk_dkim_find(cache, txn, domain, &key, &error) != PK_OK) {
        printf("  no key: %s\n", error);
        pk_txn_end(&txn);
        return NULL;
    }
    pk_txn_end(&txn);
    if (pk_dkim_sign_begin(&sign, &error) != PK_OK)
        abort();
    for (i = 0; i < sizeof(kat_headers) / sizeof(kat_headers[0]); i++)
        if (pk_dkim_sign_header(sign, kat_headers[i][0], kat_headers[i][1],
                                strlen(kat_headers[i][1]), &error) != PK_OK)
            abort();
    /* In pieces that split CRLF pairs and runs of spaces. */
    for (i = 0; i < sizeof(kat_body) - 1; i += 7)
        pk_dkim_sign_body(
            sign, kat_body + i,
            sizeof(kat_body) - 1 - i < 7 ? sizeof(kat_body) - 1 - i : 7,
            &error);
    if (pk_dkim_sign_end(sign, key, KAT_TIME, eol, &value, &error) != PK_OK)
        printf("  sign: %s\n", error);
    pk_dkim_sign_free(&sign);
    pk_dkim_signkey_release(&key);
    return value;
}

/* collect - a body canonicalization sink into a pk_buf */

static void collect(const void *data, size_t len, void *ctx)
{
    struct pk_buf *buf = ctx;

    if (buf->len + len + 1 > buf->size) {
        buf->size = 2 * (buf->len + len + 1);
        if ((buf->data = realloc(buf->data, buf->size)) == NULL)
            abort();
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = 0;
}

/* canon_body - the relaxed canonical form, fed in pieces of step octets */

static char *canon_body(const char *in, size_t step)
{
    struct pk_buf out = {0};
    struct pk_dkim_body body;
    size_t len = strlen(in);

    collect("", 0, &out);
    pk_dkim_body_init(&body, collect, &out);
    for (size_t i = 0; i < len; i += step)
        pk_dkim_body_feed(&body, in + i, len - i < step ? len - i : step);
    pk_dkim_body_end(&body);
    return (char *)out.data;
}

static void test_dkim_canon_rfc6376_example(void)
{
    struct pk_buf out = {0};
    char *got;

    test_begin("dkim_canon_rfc6376_example");
    /* RFC 6376 section 3.4.5: "A: X" and "B : Y<TAB><CRLF><TAB>Z  ". */
    test_assert_int(pk_dkim_canon_header("A", " X", 2, &out), PK_OK);
    test_assert_int(pk_dkim_canon_header("B ", " Y\t\r\n\tZ  ", 9, &out),
                    PK_OK);
    test_assert(out.len == 12 && memcmp(out.data, "a:X\r\nb:Y Z\r\n", 12) == 0);
    pk_buf_free(&out);
    for (size_t step = 1; step <= 8; step++) {
        got = canon_body(" C \r\nD \t E\r\n\r\n\r\n", step);
        test_assert_str(got, " C\r\nD E\r\n");
        free(got);
    }
    test_end();
}

static void test_dkim_canon_body_edges(void)
{
    char *got;

    test_begin("dkim_canon_body_edges");
    /* An empty body hashes nothing (RFC 6376 erratum 3192). */
    got = canon_body("", 1);
    test_assert_str(got, "");
    free(got);
    got = canon_body("\r\n\r\n \t \r\n", 3);
    test_assert_str(got, "");
    free(got);
    got = canon_body("a", 1);
    test_assert_str(got, "a\r\n");
    free(got);
    got = canon_body("a\r\n\r\n\r\nb\r\n", 2);
    test_assert_str(got, "a\r\n\r\n\r\nb\r\n");
    free(got);
    got = canon_body("\xc3\xa5 \xc3\xa4\t\r\n", 1);
    test_assert_str(got, "\xc3\xa5 \xc3\xa4\r\n");
    free(got);
    got = canon_body("bare\rcr\r\n", 1);
    test_assert_str(got, "bare\rcr\r\n");
    free(got);
    test_end();
}

/* canon_folded - canonical form with lines broken after limit octets */

static char *canon_folded(const char *in, size_t limit, size_t step)
{
    struct pk_buf out = {0};
    struct pk_dkim_body body;
    size_t len = strlen(in);

    collect("", 0, &out);
    pk_dkim_body_init(&body, collect, &out);
    pk_dkim_body_fold(&body, limit);
    for (size_t i = 0; i < len; i += step)
        pk_dkim_body_feed(&body, in + i, len - i < step ? len - i : step);
    pk_dkim_body_end(&body);
    return (char *)out.data;
}

static void test_dkim_canon_breaks_long_lines_like_postfix(void)
{
    char *got;

    test_begin("dkim_canon_breaks_long_lines_like_postfix");
    /* Limit 4 for short examples; Postfix's default is 998. A line of
     * exactly the limit stays whole. */
    got = canon_folded("abcd\r\n", 4, 1);
    test_assert_str(got, "abcd\r\n");
    free(got);
    /* After 4 octets: CRLF, a space, then 3 octets per piece. */
    got = canon_folded("abcdefghij\r\nxy\r\n", 4, 3);
    test_assert_str(got, "abcd\r\n efg\r\n hij\r\nxy\r\n");
    free(got);
    /* White space at a break is trailing white space of the piece. */
    got = canon_folded("ab  cdef\r\n", 4, 1);
    test_assert_str(got, "ab\r\n cde\r\n f\r\n");
    free(got);
    got = canon_folded("abcdefghij\r\n", 0, 2);
    test_assert_str(got, "abcdefghij\r\n");
    free(got);
    test_end();
}

static void test_dkim_known_answer_ed25519(void)
{
    struct fixture fx;
    struct pk_dkim_cache *cache;
    const char *error;
    char *pem = ed25519_pem(), *got;

    test_begin("dkim_known_answer_ed25519");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "football.example.com"), PK_OK);
    test_assert_int(keyop(&fx, 0, "football.example.com", "brisbane",
                          PK_DKIM_ED25519_SHA256, pem),
                    PK_OK);
    test_assert_int(pk_dkim_cache_new(&cache, &error), PK_OK);
    got = sign_kat(&fx, cache, "football.example.com", "\r\n");
    test_assert_str(got, kat_ed25519);
    free(got);
    pk_dkim_cache_free(&cache);
    fixture_close(&fx);
    free(pem);
    test_end();
}

static void test_dkim_known_answer_rsa(void)
{
    struct fixture fx;
    struct pk_dkim_cache *cache;
    const char *error;
    char *got;

    test_begin("dkim_known_answer_rsa");
    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "football.example.com"), PK_OK);
    test_assert_int(keyop(&fx, 0, "football.example.com", "test",
                          PK_DKIM_RSA_SHA256, test_rsa_pem),
                    PK_OK);
    test_assert_int(pk_dkim_cache_new(&cache, &error), PK_OK);
    got = sign_kat(&fx, cache, "football.example.com", "\r\n");
    test_assert_str(got, kat_rsa);
    free(got);
    pk_dkim_cache_free(&cache);
    fixture_close(&fx);
    test_end();
}

static void test_dkim_dns_text(void)
{
    struct pk_dkimkey ed = {PK_DKIM_ED25519_SHA256, true, NULL, 0};
    struct pk_dkimkey rsa = {PK_DKIM_RSA_SHA256, true, (char *)test_rsa_pem, 0};
    const char *error, *q;
    char *txt, *line;
    size_t pieces = 0;

    test_begin("dkim_dns_text");
    ed.key = ed25519_pem();
    /* RFC 8463 appendix A.2 publishes this public key. */
    test_assert_int(pk_dkim_dns_txt(&ed, &txt, &error), PK_OK);
    test_assert_str(txt, "v=DKIM1; k=ed25519; "
                         "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    free(txt);
    free(ed.key);
    test_assert_int(pk_dkim_dns_record("example.se", "s1", &rsa, &line, &error),
                    PK_OK);
    test_assert(strncmp(line,
                        "s1._domainkey.example.se. IN TXT ( \"v=DKIM1; "
                        "k=rsa; p=MIIB",
                        49) == 0);
    /* Quoted strings of at most 255 octets. */
    for (q = strchr(line, '"'); q != NULL; q = strchr(q + 1, '"')) {
        const char *end = strchr(q + 1, '"');

        test_assert(end != NULL && end - q - 1 <= 255);
        pieces++;
        q = end;
    }
    test_assert_int(pieces, 2);
    free(line);
    test_end();
}

/* log_dkim - count change log entries of DKIM operations */

static int log_dkim(uint64_t seq, const struct pk_logrec *rec, void *ctx)
{
    if (strncmp(rec->op, "dkim.", 5) == 0) {
        (*(int *)ctx)++;
        if (strstr(rec->detail ? rec->detail : "", "PRIVATE") != NULL)
            return -100;
    }
    return 0;
}

struct listed {
    char text[512];
};

static int list_fn(const char *domain, const char *sel,
                   const struct pk_dkimkey *key, void *ctx)
{
    struct listed *l = ctx;
    size_t len = strlen(l->text);

    snprintf(l->text + len, sizeof(l->text) - len, "%s%s/%s/%s", len ? " " : "",
             domain, sel, key->active ? "active" : "retired");
    return 0;
}

/* listing - the keys of a domain as text */

static const char *listing(struct fixture *fx, const char *domain)
{
    static struct listed l;
    struct pk_txn *txn = fx_read(fx);
    const char *error;

    l.text[0] = 0;
    pk_dkim_list(txn, domain, list_fn, &l, &error);
    pk_txn_end(&txn);
    return l.text;
}

static void test_dkim_keygen_rotate_remove(void)
{
    struct fixture fx;
    struct pk_txn *txn;
    char *pem = ed25519_pem();
    int entries = 0;

    test_begin("dkim_keygen_rotate_remove");
    fixture_open(&fx);
    fx_domain(&fx, "example.se");
    fx_domain_alias(&fx, "example.nu", "example.se");
    test_assert_int(
        keyop(&fx, 0, "nowhere.example", "a", PK_DKIM_ED25519_SHA256, pem),
        PK_NOTFOUND);
    test_assert_int(
        keyop(&fx, 0, "example.nu", "a", PK_DKIM_ED25519_SHA256, pem),
        PK_EINVAL);
    test_assert_int(
        keyop(&fx, 0, "example.se", "-bad", PK_DKIM_ED25519_SHA256, pem),
        PK_EINVAL);
    test_assert_int(keyop(&fx, 0, "example.se", "a", PK_DKIM_RSA_SHA256, pem),
                    PK_EINVAL);
    test_assert_int(
        keyop(&fx, 1, "example.se", "a", PK_DKIM_ED25519_SHA256, pem),
        PK_NOTFOUND);
    test_assert_int(
        keyop(&fx, 0, "EXAMPLE.se", "S1", PK_DKIM_ED25519_SHA256, pem), PK_OK);
    test_assert_str(chosen, "s1");
    test_assert_int(
        keyop(&fx, 0, "example.se", "s2", PK_DKIM_ED25519_SHA256, pem),
        PK_EEXIST);
    /* A rotation keeps the old selector published. */
    test_assert_int(
        keyop(&fx, 1, "example.se", NULL, PK_DKIM_RSA_SHA256, test_rsa_pem),
        PK_OK);
    test_assert(chosen[0] == 's' && strlen(chosen) == 9);
    test_assert(strstr(listing(&fx, "example.se"), "example.se/s1/retired") !=
                NULL);
    test_assert(strstr(listing(&fx, "example.se"), "/active") != NULL);
    /* Not a third live selector, not the signing one removed. */
    test_assert_int(
        keyop(&fx, 1, "example.se", "s3", PK_DKIM_ED25519_SHA256, pem),
        PK_EEXIST);
    test_assert_int(keyop(&fx, 2, "example.se", chosen, 0, NULL), PK_EINVAL);
    test_assert_int(keyop(&fx, 2, "example.se", "s1", 0, NULL), PK_OK);
    test_assert_int(keyop(&fx, 2, "example.se", "s1", 0, NULL), PK_NOTFOUND);
    test_assert_int(
        keyop(&fx, 1, "example.se", "s3", PK_DKIM_ED25519_SHA256, pem), PK_OK);
    test_assert_int(keyop(&fx, 2, "example.se", chosen, 0, NULL), PK_EINVAL);
    txn = fx_read(&fx);
    test_assert_int(pk_changelog_iter(txn, 0, log_dkim, &entries, &fx.error),
                    PK_OK);
    pk_txn_end(&txn);
    test_assert_int(entries, 4);
    fixture_close(&fx);
    free(pem);
    test_end();
}

static void test_dkim_cache_parses_once_and_follows_rotation(void)
{
    struct fixture fx;
    struct pk_dkim_cache *cache;
    struct pk_dkim_signkey *k1, *k2, *k3;
    struct pk_txn *txn;
    const char *error;
    char *pem = ed25519_pem();

    test_begin("dkim_cache_parses_once_and_follows_rotation");
    fixture_open(&fx);
    fx_domain(&fx, "example.se");
    pk_dkim_cache_new(&cache, &error);
    txn = fx_read(&fx);
    test_assert_int(pk_dkim_find(cache, txn, "example.se", &k1, &error),
                    PK_NOTFOUND);
    pk_txn_end(&txn);
    keyop(&fx, 0, "example.se", "s1", PK_DKIM_ED25519_SHA256, pem);
    txn = fx_read(&fx);
    test_assert_int(pk_dkim_find(cache, txn, "example.se", &k1, &error), PK_OK);
    test_assert_int(pk_dkim_find(cache, txn, "example.se", &k2, &error), PK_OK);
    pk_txn_end(&txn);
    test_assert(k1 == k2 && k1->pkey == k2->pkey);
    keyop(&fx, 1, "example.se", "s2", PK_DKIM_RSA_SHA256, test_rsa_pem);
    txn = fx_read(&fx);
    test_assert_int(pk_dkim_find(cache, txn, "example.se", &k3, &error), PK_OK);
    pk_txn_end(&txn);
    test_assert_str(pk_dkim_signkey_selector(k3), "s2");
    test_assert(k3->alg == PK_DKIM_RSA_SHA256);
    /* The old handle stays usable by a message still being signed. */
    test_assert_str(pk_dkim_signkey_selector(k1), "s1");
    pk_dkim_signkey_release(&k1);
    pk_dkim_signkey_release(&k2);
    pk_dkim_signkey_release(&k3);
    test_assert(k1 == NULL);
    pk_dkim_cache_free(&cache);
    fixture_close(&fx);
    free(pem);
    test_end();
}

static void test_dkim_record_encoding(void)
{
    struct pk_dkimkey in = {PK_DKIM_RSA_SHA256, true, (char *)"PEM", 42}, out;
    struct pk_buf buf = {0};

    test_begin("dkim_record_encoding");
    test_assert_int(pk_record_encode_dkim(&in, &buf), PK_OK);
    test_assert_int(pk_record_decode_dkim(buf.data, buf.len, &out), PK_OK);
    test_assert(out.alg == PK_DKIM_RSA_SHA256 && out.active &&
                out.created == 42);
    test_assert_str(out.key, "PEM");
    pk_dkimkey_free(&out);
    test_assert_int(pk_record_decode_dkim(buf.data, buf.len - 1, &out),
                    PK_ECORRUPT);
    buf.data[1] = 2;
    test_assert_int(pk_record_decode_dkim(buf.data, buf.len, &out),
                    PK_EVERSION);
    buf.data[1] = 1;
    buf.data[2] = 9;
    test_assert_int(pk_record_decode_dkim(buf.data, buf.len, &out),
                    PK_ECORRUPT);
    pk_buf_free(&buf);
    test_end();
}

static void test_dkim_signed_headers_bounded(void)
{
    struct pk_dkimkey rec = {PK_DKIM_RSA_SHA256, true, (char *)test_rsa_pem, 0};
    struct pk_dkim_signkey *key = dkim_signkey_new("example.se", "s", &rec);
    struct pk_dkim_sign *sign;
    const char *error;
    char big[1024];
    int status = PK_OK, n;

    test_begin("dkim_signed_headers_bounded");
    test_assert(key != NULL);
    pk_dkim_sign_begin(&sign, &error);
    memset(big, 'x', sizeof(big));
    for (n = 0; n < 100000 && status == PK_OK; n++)
        status = pk_dkim_sign_header(sign, "To", big, sizeof(big), &error);
    test_assert_int(status, PK_ELIMIT);
    test_assert(n <= PK_DKIM_HEADER_MAX / (int)sizeof(big) + 1);
    /* Unsigned fields cost nothing. */
    test_assert_int(
        pk_dkim_sign_header(sign, "X-Big", big, sizeof(big), &error), PK_OK);
    pk_dkim_sign_free(&sign);
    pk_dkim_signkey_release(&key);
    test_end();
}

int main(void)
{
    test_dkim_canon_rfc6376_example();
    test_dkim_canon_body_edges();
    test_dkim_canon_breaks_long_lines_like_postfix();
    test_dkim_known_answer_ed25519();
    test_dkim_known_answer_rsa();
    test_dkim_dns_text();
    test_dkim_keygen_rotate_remove();
    test_dkim_cache_parses_once_and_follows_rotation();
    test_dkim_record_encoding();
    test_dkim_signed_headers_bounded();
    return test_exit();
}
