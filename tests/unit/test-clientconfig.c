/*++
/* NAME
/*	test-clientconfig 1
/* SUMMARY
/*	unit tests of client settings and documents (common/clientconfig*.c)
/* SYNOPSIS
/*	test-clientconfig
/* DESCRIPTION
/*	Settings: defaults, storage round trip with host names stored as
/*	A-labels, removal back to the default, alias domains reading their
/*	target's settings, validation of every kind of value, corrupt and
/*	newer records refused. Documents: implicit TLS ranked first, left
/*	out services, escaping, the address checked against the domain,
/*	stable profile identifiers, both languages. Signing: a profile
/*	signed with a fresh certificate verifies and carries the profile;
/*	a key of another certificate and garbage are refused.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "changelog.h"
#include "clientconfig.h"
#include "fixture.h"
#include "test.h"

struct set_call {
    const char *domain, *name, *value;
};

/* set_fn - transaction: one pk_clientconfig_set() */

static int set_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct set_call *c = ctx;

    return pk_clientconfig_set(txn, c->domain, c->name, c->value, error_r);
}

static int set(struct fixture *fx, const char *domain, const char *name,
               const char *value)
{
    struct set_call c = {domain, name, value};

    return pk_store_write(fx->store, set_fn, &c, &fx->error);
}

static int get(struct fixture *fx, const char *domain,
               struct pk_clientconfig *cc)
{
    struct pk_txn *txn = fx_read(fx);
    int status = pk_clientconfig_get(txn, domain, cc, &fx->error);

    pk_txn_end(&txn);
    return status;
}

/* raw_fn - transaction: store a raw meta value */

static int raw_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    const char **kv = ctx;

    return pk_txn_put(txn, PK_DB_META, kv[0], strlen(kv[0]), kv[1],
                      (size_t)kv[2][0], 0, error_r);
}

static void test_settings(void)
{
    struct fixture fx;
    struct pk_clientconfig cc;
    char too_long[80];

    test_begin("defaults: mail.DOMAIN, the standard ports, the domain as name");
    pk_clientconfig_defaults("example.se", &cc);
    test_assert_str(cc.imap_host, "mail.example.se");
    test_assert_str(cc.smtp_host, "mail.example.se");
    test_assert_str(cc.name, "example.se");
    test_assert_int(cc.imaps_port, 993);
    test_assert_int(cc.imap_port, 143);
    test_assert_int(cc.pop3s_port, 995);
    test_assert_int(cc.pop3_port, 110);
    test_assert_int(cc.submissions_port, 465);
    test_assert_int(cc.submission_port, 587);
    test_end();

    fixture_open(&fx);
    test_assert_int(fx_domain(&fx, "example.se"), PK_OK);
    test_assert_int(fx_domain_alias(&fx, "example.nu", "example.se"), PK_OK);

    test_begin("set and get: host names as A-labels, ports, name");
    test_assert_int(set(&fx, "EXAMPLE.se", "imap-host", "Imap.Exämple.se"),
                    PK_OK);
    test_assert_int(set(&fx, "example.se", "submission-port", "2587"), PK_OK);
    test_assert_int(set(&fx, "example.se", "pop3-port", "0"), PK_OK);
    test_assert_int(set(&fx, "example.se", "name", "Exämple AB"), PK_OK);
    test_assert_int(get(&fx, "example.se", &cc), PK_OK);
    test_assert_str(cc.imap_host, "imap.xn--exmple-cua.se");
    test_assert_str(cc.pop3_host, "mail.example.se");
    test_assert_int(cc.submission_port, 2587);
    test_assert_int(cc.pop3_port, 0);
    test_assert_str(cc.name, "Exämple AB");
    test_end();

    test_begin("an alias domain reads its target's settings, cannot set");
    test_assert_int(get(&fx, "example.nu", &cc), PK_OK);
    test_assert_str(cc.domain, "example.se");
    test_assert_str(cc.imap_host, "imap.xn--exmple-cua.se");
    test_assert_int(set(&fx, "example.nu", "imap-host", "x.example.nu"),
                    PK_EINVAL);
    test_end();

    test_begin("an empty value restores the default; removing twice is fine");
    test_assert_int(set(&fx, "example.se", "imap-host", ""), PK_OK);
    test_assert_int(set(&fx, "example.se", "imap-host", ""), PK_OK);
    test_assert_int(get(&fx, "example.se", &cc), PK_OK);
    test_assert_str(cc.imap_host, "mail.example.se");
    test_end();

    test_begin("validation: name, port, host, display name, domain");
    memset(too_long, 'x', sizeof(too_long) - 1);
    too_long[sizeof(too_long) - 1] = 0;
    test_assert_int(set(&fx, "example.se", "imap-hostname", "a.se"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "imap-port", "65536"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "imap-port", "14a"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "imap-port", "-1"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "imap-port", "000143"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "smtp-host", "bad host"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "smtp-host", "a..se"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "name", "line\nbreak"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "name", "bad \xc3\x28 utf-8"),
                    PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "name", "\xed\xa0\x80"), PK_EINVAL);
    test_assert_int(set(&fx, "example.se", "name", too_long), PK_EINVAL);
    test_assert_int(set(&fx, "other.se", "imap-port", "143"), PK_NOTFOUND);
    test_assert_int(get(&fx, "other.se", &cc), PK_NOTFOUND);
    test_assert_int(get(&fx, "bad..domain", &cc), PK_EINVAL);
    test_assert_int(get(&fx, "example.se", &cc), PK_OK);
    test_assert_int(cc.imap_port, 143);
    test_end();

    test_begin("a set is logged");
    {
        struct pk_txn *txn = fx_read(&fx);
        uint64_t last = 0;

        test_assert_int(pk_changelog_last(txn, &last, &fx.error), PK_OK);
        test_assert(last >= 6);
        pk_txn_end(&txn);
    }
    test_end();

    test_begin("a corrupt or newer stored value is an error, not a default");
    {
        const char *bad[] = {"client:example.se:imap-port",
                             "\x08\x01\x05\x00"
                             "99999",
                             "\x09"};
        const char *newer[] = {"client:example.se:imap-port",
                               "\x08\x02\x03\x00"
                               "143",
                               "\x07"};
        const char *wrongtype[] = {"client:example.se:imap-port",
                                   "\x05\x01\x03\x00"
                                   "143",
                                   "\x07"};

        test_assert_int(pk_store_write(fx.store, raw_fn, bad, &fx.error),
                        PK_OK);
        test_assert_int(get(&fx, "example.se", &cc), PK_ECORRUPT);
        test_assert_int(pk_store_write(fx.store, raw_fn, newer, &fx.error),
                        PK_OK);
        test_assert_int(get(&fx, "example.se", &cc), PK_EVERSION);
        test_assert_int(pk_store_write(fx.store, raw_fn, wrongtype, &fx.error),
                        PK_OK);
        test_assert_int(get(&fx, "example.se", &cc), PK_ECORRUPT);
        test_assert_int(set(&fx, "example.se", "imap-port", ""), PK_OK);
        test_assert_int(get(&fx, "example.se", &cc), PK_OK);
    }
    test_end();
    fixture_close(&fx);
}

/* before - a occurs in doc, and before b */

static int before(const char *doc, const char *a, const char *b)
{
    const char *pa = strstr(doc, a), *pb = strstr(doc, b);

    return pa != NULL && pb != NULL && pa < pb;
}

static void test_documents(void)
{
    struct pk_clientconfig cc;
    const char *error = NULL;
    char *doc = NULL, *doc2 = NULL;

    pk_clientconfig_defaults("example.se", &cc);
    strcpy(cc.name, "A & B <mail>");

    test_begin("thunderbird: implicit TLS first, escaped name, full address");
    test_assert_int(
        pk_clientconfig_thunderbird(&cc, "Alice@Example.SE", &doc, &error),
        PK_OK);
    test_assert(before(doc, "<port>993</port>", "<port>143</port>"));
    test_assert(before(doc, "<port>143</port>", "<port>995</port>"));
    test_assert(before(doc, "<port>465</port>", "<port>587</port>"));
    test_assert(
        strstr(doc, "<displayName>A &amp; B &lt;mail&gt;</displayName>") !=
        NULL);
    test_assert(strstr(doc, "<username>alice@example.se</username>") != NULL);
    test_assert(strstr(doc, "A & B") == NULL);
    free(doc);
    test_end();

    test_begin("an address of another domain, or not hosted-safe, is refused");
    test_assert_int(
        pk_clientconfig_thunderbird(&cc, "alice@example.nu", &doc, &error),
        PK_EINVAL);
    test_assert_int(
        pk_clientconfig_text(&cc, "a%b@example.se", PK_CC_EN, &doc, &error),
        PK_EINVAL);
    test_assert_int(pk_clientconfig_mobileconfig(&cc, "not an address",
                                                 PK_CC_EN, &doc, &error),
                    PK_EINVAL);
    test_end();

    test_begin("autodiscover: one protocol each, the implicit TLS port");
    test_assert_int(
        pk_clientconfig_autodiscover(&cc, "alice@example.se", &doc, &error),
        PK_OK);
    test_assert(strstr(doc, "<Port>993</Port>") != NULL);
    test_assert(strstr(doc, "<Port>143</Port>") == NULL);
    test_assert(strstr(doc, "<Port>465</Port>") != NULL);
    test_assert(strstr(doc, "<Encryption>TLS</Encryption>") == NULL);
    free(doc);
    cc.imaps_port = 0;
    test_assert_int(
        pk_clientconfig_autodiscover(&cc, "alice@example.se", &doc, &error),
        PK_OK);
    test_assert(strstr(doc, "<Port>143</Port>") != NULL);
    test_assert(strstr(doc, "<Encryption>TLS</Encryption>") != NULL);
    free(doc);
    cc.imaps_port = 993;
    test_end();

    test_begin(
        "srv: RFC 6186 names, implicit TLS preferred, '.' when not offered");
    cc.pop3_port = 0;
    test_assert_int(pk_clientconfig_srv(&cc, &doc, &error), PK_OK);
    test_assert(
        strstr(
            doc,
            "_imaps._tcp.example.se. 3600 IN SRV 0 1 993 mail.example.se.\n") !=
        NULL);
    test_assert(
        strstr(
            doc,
            "_imap._tcp.example.se. 3600 IN SRV 10 1 143 mail.example.se.\n") !=
        NULL);
    test_assert(strstr(doc, "_pop3._tcp.example.se. 3600 IN SRV 0 0 0 .\n") !=
                NULL);
    test_assert(strstr(doc, "_submissions._tcp.example.se. 3600 IN SRV 0 1 465 "
                            "mail.example.se.\n") != NULL);
    test_assert(strstr(doc, "_submission._tcp.example.se. 3600 IN SRV 10 1 587 "
                            "mail.example.se.\n") != NULL);
    free(doc);
    cc.pop3_port = 110;
    test_end();

    test_begin(
        "mobileconfig: the same profile for the same input, IMAP over 993");
    test_assert_int(pk_clientconfig_mobileconfig(&cc, "alice@example.se",
                                                 PK_CC_EN, &doc, &error),
                    PK_OK);
    test_assert_int(pk_clientconfig_mobileconfig(&cc, "alice@example.se",
                                                 PK_CC_EN, &doc2, &error),
                    PK_OK);
    test_assert_str(doc, doc2);
    test_assert(strstr(doc, "<string>EmailTypeIMAP</string>") != NULL);
    test_assert(strstr(doc, "<key>IncomingMailServerPortNumber</"
                            "key>\n\t\t\t<integer>993</integer>") != NULL);
    test_assert(strstr(doc, "<string>se.example.postkontor.") != NULL);
    free(doc2);
    test_assert_int(pk_clientconfig_mobileconfig(&cc, "bob@example.se",
                                                 PK_CC_EN, &doc2, &error),
                    PK_OK);
    test_assert(strcmp(doc, doc2) != 0);
    free(doc);
    free(doc2);
    cc.imaps_port = cc.imap_port = 0;
    test_assert_int(pk_clientconfig_mobileconfig(&cc, "alice@example.se",
                                                 PK_CC_SV, &doc, &error),
                    PK_OK);
    test_assert(strstr(doc, "<string>EmailTypePOP</string>") != NULL);
    test_assert(strstr(doc, "E-postinställningar för alice@example.se") !=
                NULL);
    free(doc);
    cc.submissions_port = cc.submission_port = 0;
    test_assert_int(pk_clientconfig_mobileconfig(&cc, "alice@example.se",
                                                 PK_CC_EN, &doc, &error),
                    PK_EINVAL);
    pk_clientconfig_defaults("example.se", &cc);
    test_end();

    test_begin("text: English and Swedish, STARTTLS as the alternative");
    test_assert_int(
        pk_clientconfig_text(&cc, "alice@example.se", PK_CC_EN, &doc, &error),
        PK_OK);
    test_assert(before(doc, "Port:            993",
                       "Or:              port 143 with STARTTLS"));
    test_assert(strstr(doc, "Username:        alice@example.se") != NULL);
    free(doc);
    test_assert_int(
        pk_clientconfig_text(&cc, "alice@example.se", PK_CC_SV, &doc, &error),
        PK_OK);
    test_assert(strstr(doc, "Säkerhet:        SSL/TLS") != NULL);
    test_assert(strstr(doc, "Eller:           port 587 med STARTTLS") != NULL);
    free(doc);
    test_end();
}

/* make_cert - a self-signed P-256 certificate and its key, as PEM text */

static void make_cert(const char *cn, char **cert_r, char **key_r)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name;
    BIO *b;
    char *p;
    long n;

    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, key, EVP_sha256());
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    n = BIO_get_mem_data(b, &p);
    *cert_r = strndup(p, (size_t)n);
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
    n = BIO_get_mem_data(b, &p);
    *key_r = strndup(p, (size_t)n);
    BIO_free(b);
    X509_free(x);
    EVP_PKEY_free(key);
}

static void test_sign(void)
{
    char *cert, *key, *cert2, *key2;
    const char *error = NULL, *data = "<plist>profile</plist>\n";
    unsigned char *der = NULL;
    size_t der_len = 0;

    make_cert("signer", &cert, &key);
    make_cert("other", &cert2, &key2);

    test_begin("sign: the signature verifies and carries the profile");
    test_assert_int(pk_clientconfig_sign(cert, key, cert2, data, strlen(data),
                                         &der, &der_len, &error),
                    PK_OK);
    {
        const unsigned char *p = der;
        CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
        BIO *cb = BIO_new_mem_buf(cert, -1), *out = BIO_new(BIO_s_mem());
        X509 *x = PEM_read_bio_X509(cb, NULL, NULL, NULL);
        STACK_OF(X509) *certs = sk_X509_new_null();
        char *content;
        long n;

        sk_X509_push(certs, x);
        test_assert(cms != NULL);
        test_assert_int(CMS_verify(cms, certs, NULL, NULL, out,
                                   CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY),
                        1);
        n = BIO_get_mem_data(out, &content);
        test_assert_int(n, (long)strlen(data));
        test_assert(memcmp(content, data, strlen(data)) == 0);
        {
            STACK_OF(X509) *inside = CMS_get1_certs(cms);

            test_assert_int(sk_X509_num(inside), 2); /* signer and chain */
            sk_X509_pop_free(inside, X509_free);
        }
        sk_X509_pop_free(certs, X509_free);
        BIO_free(out);
        BIO_free(cb);
        CMS_ContentInfo_free(cms);
    }
    free(der);
    test_end();

    test_begin("sign: a key of another certificate, garbage, an empty chain");
    test_assert_int(pk_clientconfig_sign(cert, key2, NULL, data, strlen(data),
                                         &der, &der_len, &error),
                    PK_EINVAL);
    test_assert(der == NULL);
    test_assert_int(pk_clientconfig_sign("garbage", key, NULL, data,
                                         strlen(data), &der, &der_len, &error),
                    PK_EINVAL);
    test_assert_int(pk_clientconfig_sign(cert, "garbage", NULL, data,
                                         strlen(data), &der, &der_len, &error),
                    PK_EINVAL);
    test_assert_int(pk_clientconfig_sign(cert, key, "no certificate", data,
                                         strlen(data), &der, &der_len, &error),
                    PK_EINVAL);
    test_end();
    free(cert);
    free(key);
    free(cert2);
    free(key2);
}

int main(void)
{
    test_settings();
    test_documents();
    test_sign();
    return test_exit();
}
