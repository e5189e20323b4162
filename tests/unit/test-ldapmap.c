/*++
/* NAME
/*	test-ldapmap 1
/* SUMMARY
/*	unit tests of LDAP entries as core objects (common/ldapmap.c)
/* SYNOPSIS
/*	test-ldapmap
/* DESCRIPTION
/*	Each object class of doc/postkontor.schema maps to the core's
/*	item with names normalized by the core's rules; entries that are
/*	not ours are "not found"; bad, ambiguous, oversized or NUL-holding
/*	values are refused with the attribute named; DNs are escaped.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "ldapmap.h"
#include "test.h"

#define FX_HASH                                                                \
    "{SHA512-CRYPT}$6$9Jam6yySh6v0Nv/N$8Nx9CgJmz8utsUZT9kIzqeTXUu/"            \
    "bEG.BJgISV0hzMq2kXb3ndwR2lVJW8r9GUd6pjXOkxmXKwauV/I0YrU/eA1"

/* An entry built from "name", "value", ... pairs, NULL-ended; a name
 * that repeats the previous one adds a value to it. */
#define MAXA 16
#define MAXV 8
struct tentry {
    struct pk_ldap_attr attrs[MAXA];
    struct pk_ldap_value values[MAXA][MAXV];
    struct pk_ldap_entry e;
};

static void build(struct tentry *t, const char *const *pairs)
{
    size_t n = 0;

    memset(t, 0, sizeof(*t));
    for (size_t i = 0; pairs[i] != NULL; i += 2) {
        if (n == 0 || strcmp(t->attrs[n - 1].name, pairs[i]) != 0) {
            t->attrs[n].name = pairs[i];
            t->attrs[n].values = t->values[n];
            n++;
        }
        struct pk_ldap_attr *a = &t->attrs[n - 1];

        t->values[n - 1][a->count].data = pairs[i + 1];
        t->values[n - 1][a->count].len = strlen(pairs[i + 1]);
        a->count++;
    }
    t->e.dn = "test";
    t->e.attrs = t->attrs;
    t->e.count = n;
}

static int map(const char *const *pairs, struct pk_ldapobj *obj,
               const char **error_r)
{
    struct tentry t;

    build(&t, pairs);
    return pk_ldapmap_from_entry(&t.e, obj, error_r);
}

static void test_domain_maps_to_item(void)
{
    struct pk_ldapobj obj;
    const char *err = NULL;
    const char *const e[] = {"objectClass",
                             "top",
                             "objectClass",
                             "PKDOMAIN",
                             "pkDomainName",
                             "Exämple.ORG",
                             "pkDefaultQuota",
                             "1000",
                             "pkCreated",
                             "1700000000",
                             "entryUUID",
                             "x",
                             NULL};

    test_begin("a pkDomain entry is a hosted domain with its A-label");
    test_assert_int(map(e, &obj, &err), PK_OK);
    test_assert_int(obj.kind, PK_LDAP_DOMAIN);
    test_assert_int(obj.item.type, PK_ITEM_DOMAIN);
    test_assert_str(obj.item.name, "xn--exmple-cua.org");
    test_assert_int(obj.item.domain.kind, PK_DOMAIN_HOSTED);
    test_assert_int(obj.item.domain.default_quota, 1000);
    test_assert_int(obj.item.domain.created, 1700000000);
    pk_ldapobj_free(&obj);
    test_end();
}

static void test_alias_domain_maps(void)
{
    struct pk_ldapobj obj;
    const char *err = NULL;
    const char *const e[] = {"objectClass", "pkAliasDomain",  "pkDomainName",
                             "example.nu",  "pkTargetDomain", "Example.SE",
                             NULL};
    const char *const self[] = {"objectClass", "pkAliasDomain",  "pkDomainName",
                                "example.nu",  "pkTargetDomain", "example.nu",
                                NULL};
    const char *const none[] = {"objectClass", "pkAliasDomain", "pkDomainName",
                                "example.nu", NULL};

    test_begin("a pkAliasDomain entry names its target; not itself");
    test_assert_int(map(e, &obj, &err), PK_OK);
    test_assert_int(obj.item.type, PK_ITEM_DOMAIN_ALIAS);
    test_assert_str(obj.item.target, "example.se");
    test_assert_str(obj.item.domain.target, "example.se");
    pk_ldapobj_free(&obj);
    test_assert_int(map(self, &obj, &err), PK_EINVAL);
    test_assert_int(map(none, &obj, &err), PK_EINVAL);
    test_assert(strstr(err, "pkTargetDomain") != NULL);
    test_end();
}

static void test_account_maps(void)
{
    struct pk_ldapobj obj;
    const char *err = NULL;
    const char *const e[] = {"objectClass",
                             "pkAccount",
                             "pkAddress",
                             "Anna@Example.org",
                             "pkPasswordHash",
                             FX_HASH,
                             "pkState",
                             "suspended",
                             "pkQuota",
                             "0",
                             "pkKeepCopy",
                             "TRUE",
                             "pkForward",
                             "b@elsewhere.example",
                             "pkForward",
                             "B@ELSEWHERE.example",
                             "pkSendAs",
                             "@Example.org",
                             "pkSendAs",
                             "info@example.org",
                             "pkCreated",
                             "1",
                             "pkChanged",
                             "2",
                             NULL};
    const char *const bare[] = {
        "objectclass",    "pkaccount", "pkaddress", "bo@example.org",
        "PKPASSWORDHASH", FX_HASH,     NULL};

    test_begin("a pkAccount entry is an account with grants");
    test_assert_int(map(e, &obj, &err), PK_OK);
    test_assert_int(obj.item.type, PK_ITEM_ACCOUNT);
    test_assert_int(obj.item.entry.type, PK_REC_ACCOUNT);
    test_assert_str(obj.item.name, "anna@example.org");
    test_assert_int(obj.item.entry.u.account.state, PK_STATE_SUSPENDED);
    test_assert_int(obj.item.entry.u.account.quota, 0);
    test_assert(obj.quota_set);
    test_assert(obj.item.entry.u.account.keep_copy);
    /* Two spellings of one destination are one destination. */
    test_assert_int(obj.item.entry.u.account.forward.count, 1);
    test_assert_int(obj.sendas.count, 2);
    test_assert_str(obj.sendas.items[0], "@example.org");
    test_assert_int(obj.item.entry.u.account.created, 1);
    test_assert_int(obj.item.entry.u.account.changed, 2);
    pk_ldapobj_free(&obj);

    test_assert_int(map(bare, &obj, &err), PK_OK);
    test_assert_int(obj.item.entry.u.account.state, PK_STATE_ACTIVE);
    test_assert(obj.item.entry.u.account.quota == PK_QUOTA_DOMAIN);
    test_assert(!obj.quota_set);
    test_assert(!obj.item.entry.u.account.keep_copy);
    pk_ldapobj_free(&obj);
    test_end();
}

static void test_account_refusals(void)
{
    struct pk_ldapobj obj;
    const char *err = NULL;
    const char *const plain[] = {
        "objectClass",    "pkAccount", "pkAddress", "a@example.org",
        "pkPasswordHash", "secret",    NULL};
    const char *const state[] = {"objectClass",   "pkAccount",      "pkAddress",
                                 "a@example.org", "pkPasswordHash", FX_HASH,
                                 "pkState",       "sleeping",       NULL};
    const char *const twice[] = {"objectClass",    "pkAccount", "pkAddress",
                                 "a@example.org",  "pkAddress", "b@example.org",
                                 "pkPasswordHash", FX_HASH,     NULL};
    const char *const catchall[] = {
        "objectClass",    "pkAccount", "pkAddress", "@example.org",
        "pkPasswordHash", FX_HASH,     NULL};
    const char *const odd[] = {
        "objectClass",    "pkAccount", "pkAddress", "a%b@example.org",
        "pkPasswordHash", FX_HASH,     NULL};
    const char *const quota[] = {"objectClass",
                                 "pkAccount",
                                 "pkAddress",
                                 "a@example.org",
                                 "pkPasswordHash",
                                 FX_HASH,
                                 "pkQuota",
                                 "-1",
                                 NULL};
    const char *const boolean[] = {"objectClass",
                                   "pkAccount",
                                   "pkAddress",
                                   "a@example.org",
                                   "pkPasswordHash",
                                   FX_HASH,
                                   "pkKeepCopy",
                                   "yes",
                                   NULL};
    const char *const nohash[] = {"objectClass", "pkAccount", "pkAddress",
                                  "a@example.org", NULL};

    test_begin("a bad account entry is refused, naming the attribute");
    test_assert_int(map(plain, &obj, &err), PK_EINVAL);
    test_assert(strstr(err, "pkPasswordHash") != NULL);
    test_assert(strstr(err, "secret") == NULL);
    test_assert_int(map(state, &obj, &err), PK_EINVAL);
    test_assert(strstr(err, "pkState") != NULL);
    test_assert_int(map(twice, &obj, &err), PK_EINVAL);
    test_assert(strstr(err, "pkAddress") != NULL);
    test_assert_int(map(catchall, &obj, &err), PK_EINVAL);
    test_assert_int(map(odd, &obj, &err), PK_EINVAL);
    test_assert_int(map(quota, &obj, &err), PK_EINVAL);
    test_assert(strstr(err, "pkQuota") != NULL);
    test_assert_int(map(boolean, &obj, &err), PK_EINVAL);
    test_assert(strstr(err, "pkKeepCopy") != NULL);
    test_assert_int(map(nohash, &obj, &err), PK_EINVAL);
    test_end();
}

static void test_alias_maps(void)
{
    struct pk_ldapobj obj;
    const char *err = NULL;
    const char *const e[] = {
        "objectClass",   "pkAlias",           "pkAddress",
        "@Example.org",  "pkDestination",     "anna@example.org",
        "pkDestination", "x@outside.example", NULL};
    const char *const empty[] = {"objectClass", "pkAlias", "pkAddress",
                                 "info@example.org", NULL};

    test_begin("a pkAlias entry is an alias; a catch-all is allowed");
    test_assert_int(map(e, &obj, &err), PK_OK);
    test_assert_int(obj.item.type, PK_ITEM_ALIAS);
    test_assert_str(obj.item.name, "@example.org");
    test_assert_int(obj.item.entry.u.alias.dest.count, 2);
    pk_ldapobj_free(&obj);
    test_assert_int(map(empty, &obj, &err), PK_EINVAL);
    test_assert(strstr(err, "pkDestination") != NULL);
    test_end();
}

static void test_dkim_maps(void)
{
    struct pk_ldapobj obj;
    const char *err = NULL;
    const char *pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n"
                      "-----END PRIVATE KEY-----\n";
    const char *const e[] = {"objectClass",
                             "pkDkimKey",
                             "pkDomainName",
                             "example.org",
                             "pkDkimSelector",
                             "S2026",
                             "pkDkimAlgorithm",
                             "ed25519-sha256",
                             "pkDkimActive",
                             "TRUE",
                             "pkDkimPrivateKey",
                             pem,
                             NULL};
    const char *const bad[] = {"objectClass",
                               "pkDkimKey",
                               "pkDomainName",
                               "example.org",
                               "pkDkimSelector",
                               "s1",
                               "pkDkimAlgorithm",
                               "ed25519-sha256",
                               "pkDkimPrivateKey",
                               "garbage",
                               NULL};
    const char *const sel[] = {"objectClass",
                               "pkDkimKey",
                               "pkDomainName",
                               "example.org",
                               "pkDkimSelector",
                               "-x",
                               "pkDkimAlgorithm",
                               "rsa-sha256",
                               "pkDkimPrivateKey",
                               pem,
                               NULL};

    test_begin("a pkDkimKey entry is a key; the secret is never quoted");
    test_assert_int(map(e, &obj, &err), PK_OK);
    test_assert_int(obj.kind, PK_LDAP_DKIM);
    test_assert_str(obj.item.name, "example.org");
    test_assert_str(obj.selector, "s2026");
    test_assert_int(obj.dkim.alg, PK_DKIM_ED25519_SHA256);
    test_assert(obj.dkim.active);
    test_assert_str(obj.dkim.key, pem);
    pk_ldapobj_free(&obj);
    test_assert_int(map(bad, &obj, &err), PK_EINVAL);
    test_assert(strstr(err, "garbage") == NULL);
    test_assert_int(map(sel, &obj, &err), PK_EINVAL);
    test_end();
}

static void test_heartbeat_and_foreign(void)
{
    struct pk_ldapobj obj;
    const char *err = NULL;
    const char *const hb[] = {
        "objectClass",     "pkHeartbeat",      "cn", "heartbeat-2",
        "pkHeartbeatTime", "1764136200123456", NULL};
    const char *const org[] = {
        "objectClass", "dcObject", "objectClass", "organization",
        "dc",          "example",  NULL};
    const char *const two[] = {"objectClass", "pkAlias",   "objectClass",
                               "pkAccount",   "pkAddress", "a@example.org",
                               NULL};

    test_begin(
        "heartbeats map; foreign entries are not found; two classes refused");
    test_assert_int(map(hb, &obj, &err), PK_OK);
    test_assert_int(obj.kind, PK_LDAP_HEARTBEAT);
    test_assert_str(obj.item.name, "heartbeat-2");
    test_assert(obj.heartbeat_us == 1764136200123456ULL);
    pk_ldapobj_free(&obj);
    test_assert_int(map(org, &obj, &err), PK_NOTFOUND);
    test_assert_int(map(two, &obj, &err), PK_EINVAL);
    test_end();
}

static void test_hostile_values(void)
{
    struct pk_ldapobj obj;
    struct tentry t;
    const char *err = NULL;
    static char big[PK_LDAP_VALUE_MAX + 10];
    const char *const e[] = {"objectClass", "pkDomain", "pkDomainName",
                             "example.org", NULL};

    test_begin("a NUL inside or an oversized value is refused");
    build(&t, e);
    t.values[1][0].data = "example.org\0evil";
    t.values[1][0].len = 16;
    test_assert_int(pk_ldapmap_from_entry(&t.e, &obj, &err), PK_EINVAL);
    memset(big, 'a', sizeof(big) - 1);
    t.values[1][0].data = big;
    t.values[1][0].len = sizeof(big) - 1;
    test_assert_int(pk_ldapmap_from_entry(&t.e, &obj, &err), PK_EINVAL);
    t.values[1][0].data = NULL;
    t.values[1][0].len = 0;
    test_assert_int(pk_ldapmap_from_entry(&t.e, &obj, &err), PK_EINVAL);
    test_end();
}

static void test_integer_and_boolean_syntax(void)
{
    uint64_t v;
    bool b;

    test_begin("INTEGER and BOOLEAN follow RFC 4517");
    test_assert_int(pk_ldapmap_uint("0", 1, &v), PK_OK);
    test_assert(v == 0);
    test_assert_int(pk_ldapmap_uint("18446744073709551615", 20, &v), PK_OK);
    test_assert(v == UINT64_MAX);
    test_assert_int(pk_ldapmap_uint("18446744073709551616", 20, &v), PK_EINVAL);
    test_assert_int(pk_ldapmap_uint("007", 3, &v), PK_EINVAL);
    test_assert_int(pk_ldapmap_uint("+7", 2, &v), PK_EINVAL);
    test_assert_int(pk_ldapmap_uint("", 0, &v), PK_EINVAL);
    test_assert_int(pk_ldapmap_uint("7 ", 2, &v), PK_EINVAL);
    test_assert_int(pk_ldapmap_bool("TRUE", 4, &b), PK_OK);
    test_assert(b);
    test_assert_int(pk_ldapmap_bool("FALSE", 5, &b), PK_OK);
    test_assert(!b);
    test_assert_int(pk_ldapmap_bool("true", 4, &b), PK_EINVAL);
    test_end();
}

static void test_dn_escaping(void)
{
    char dn[256], tiny[20];
    const char *err = NULL;

    test_begin("DNs place objects below their domain, escaped (RFC 4514)");
    test_assert_int(pk_ldapmap_dn(PK_LDAP_DOMAIN, "example.org", NULL,
                                  "dc=example,dc=net", dn, sizeof(dn), &err),
                    PK_OK);
    test_assert_str(dn, "pkDomainName=example.org,dc=example,dc=net");
    test_assert_int(pk_ldapmap_dn(PK_LDAP_ACCOUNT, "a+b=c@example.org", NULL,
                                  "dc=x", dn, sizeof(dn), &err),
                    PK_OK);
    test_assert_str(
        dn, "pkAddress=a\\+b\\=c@example.org,pkDomainName=example.org,dc=x");
    test_assert_int(pk_ldapmap_dn(PK_LDAP_ALIAS, "@example.org", NULL, "dc=x",
                                  dn, sizeof(dn), &err),
                    PK_OK);
    test_assert_str(dn, "pkAddress=@example.org,pkDomainName=example.org,dc=x");
    test_assert_int(pk_ldapmap_dn(PK_LDAP_DKIM, "example.org", "s1", "dc=x", dn,
                                  sizeof(dn), &err),
                    PK_OK);
    test_assert_str(dn, "pkDkimSelector=s1,pkDomainName=example.org,dc=x");
    test_assert_int(pk_ldapmap_dn(PK_LDAP_HEARTBEAT, "heartbeat-1", NULL,
                                  "dc=x", dn, sizeof(dn), &err),
                    PK_OK);
    test_assert_str(dn, "cn=heartbeat-1,dc=x");
    test_assert_int(pk_ldapmap_dn(PK_LDAP_DOMAIN, "example.org", NULL,
                                  "dc=example,dc=net", tiny, sizeof(tiny),
                                  &err),
                    PK_ELIMIT);
    test_assert_int(pk_ldapmap_dn(PK_LDAP_ACCOUNT, "noat", NULL, "dc=x", dn,
                                  sizeof(dn), &err),
                    PK_EINVAL);
    test_end();
}

/* round_trip - object -> entry -> object; the entry named values */

static int round_trip(const struct pk_ldapobj *in, struct pk_ldapobj *out)
{
    struct pk_ldapgen g;
    struct pk_ldap_attr attrs[PK_LDAPGEN_MAX];
    struct pk_ldap_value vals[PK_LDAPGEN_MAX][8];
    struct pk_ldap_entry e = {.dn = "rt", .attrs = attrs};
    const char *err = NULL;
    int status;

    if ((status = pk_ldapmap_to_entry(in, &g, &err)) != PK_OK)
        return status;
    for (size_t i = 0; i < g.count; i++) {
        attrs[i].name = g.attrs[i].name;
        attrs[i].values = vals[i];
        attrs[i].count = g.attrs[i].values.count;
        for (size_t j = 0; j < attrs[i].count && j < 8; j++) {
            vals[i][j].data = g.attrs[i].values.items[j];
            vals[i][j].len = strlen(g.attrs[i].values.items[j]);
        }
    }
    e.count = g.count;
    status = pk_ldapmap_from_entry(&e, out, &err);
    pk_ldapgen_free(&g);
    return status;
}

static void test_objects_round_trip(void)
{
    struct pk_ldapobj obj, back;
    const char *err = NULL;
    const char *const acc[] = {"objectClass",
                               "pkAccount",
                               "pkAddress",
                               "anna@example.org",
                               "pkPasswordHash",
                               FX_HASH,
                               "pkState",
                               "send-blocked",
                               "pkQuota",
                               "5000",
                               "pkKeepCopy",
                               "TRUE",
                               "pkForward",
                               "b@else.example",
                               "pkSendAs",
                               "@example.org",
                               "pkCreated",
                               "7",
                               "pkChanged",
                               "9",
                               NULL};
    const char *const bare[] = {
        "objectClass",    "pkAccount", "pkAddress", "bo@example.org",
        "pkPasswordHash", FX_HASH,     NULL};
    const char *const dom[] = {"objectClass",
                               "pkAliasDomain",
                               "pkDomainName",
                               "example.nu",
                               "pkTargetDomain",
                               "example.se",
                               "pkCreated",
                               "3",
                               NULL};
    const char *const al[] = {
        "objectClass",   "pkAlias",           "pkAddress",
        "@example.org",  "pkDestination",     "anna@example.org",
        "pkDestination", "x@outside.example", NULL};

    test_begin("an object made into an entry maps back to the same object");
    test_assert_int(map(acc, &obj, &err), PK_OK);
    test_assert_int(round_trip(&obj, &back), PK_OK);
    test_assert_str(back.item.name, "anna@example.org");
    test_assert_int(back.item.entry.u.account.state, PK_STATE_SEND_BLOCKED);
    test_assert_int(back.item.entry.u.account.quota, 5000);
    test_assert(back.item.entry.u.account.keep_copy);
    test_assert_int(back.item.entry.u.account.forward.count, 1);
    test_assert_int(back.sendas.count, 1);
    test_assert_int(back.item.entry.u.account.created, 7);
    test_assert_int(back.item.entry.u.account.changed, 9);
    test_assert_str(back.item.entry.u.account.password, FX_HASH);
    pk_ldapobj_free(&obj);
    pk_ldapobj_free(&back);

    test_assert_int(map(bare, &obj, &err), PK_OK);
    test_assert_int(round_trip(&obj, &back), PK_OK);
    test_assert(back.item.entry.u.account.quota == PK_QUOTA_DOMAIN);
    test_assert(!back.quota_set);
    test_assert(!back.item.entry.u.account.keep_copy);
    pk_ldapobj_free(&obj);
    pk_ldapobj_free(&back);

    test_assert_int(map(dom, &obj, &err), PK_OK);
    test_assert_int(round_trip(&obj, &back), PK_OK);
    test_assert_str(back.item.target, "example.se");
    test_assert_int(back.item.domain.created, 3);
    pk_ldapobj_free(&obj);
    pk_ldapobj_free(&back);

    test_assert_int(map(al, &obj, &err), PK_OK);
    test_assert_int(round_trip(&obj, &back), PK_OK);
    test_assert_int(back.item.entry.u.alias.dest.count, 2);
    pk_ldapobj_free(&obj);
    pk_ldapobj_free(&back);
    test_end();
}

int main(void)
{
    test_objects_round_trip();
    test_domain_maps_to_item();
    test_alias_domain_maps();
    test_account_maps();
    test_account_refusals();
    test_alias_maps();
    test_dkim_maps();
    test_heartbeat_and_foreign();
    test_hostile_values();
    test_integer_and_boolean_syntax();
    test_dn_escaping();
    return test_exit();
}
