/*++
/* NAME
/*	test-netstring 1
/* SUMMARY
/*	unit tests for common/netstring.c
/*--*/

#include "netstring.h"
#include "test.h"

/* parse - pk_netstring_parse on a C string */

static int parse(const char *in, size_t max, const char **p, size_t *plen,
                 size_t *used)
{
    return pk_netstring_parse(in, strlen(in), max, p, plen, used);
}

static void test_netstring_complete_request_found(void)
{
    const char *p = NULL;
    size_t plen = 0, used = 0;

    test_begin("netstring: a complete netstring gives payload and length used");
    test_assert_int(parse("12:alias a@b.se,rest", 100, &p, &plen, &used),
                    PK_OK);
    test_assert_int(plen, 12);
    test_assert(memcmp(p, "alias a@b.se", 12) == 0);
    test_assert_int(used, 16);
    test_assert_int(parse("0:,", 100, &p, &plen, &used), PK_OK);
    test_assert_int(plen, 0);
    test_assert_int(used, 3);
    test_end();
}

static void test_netstring_partial_needs_more(void)
{
    const char *p;
    size_t plen, used;

    test_begin("netstring: every proper prefix of a netstring asks for more");
    test_assert_int(parse("", 100, &p, &plen, &used), PK_NOTFOUND);
    test_assert_int(parse("1", 100, &p, &plen, &used), PK_NOTFOUND);
    test_assert_int(parse("12", 100, &p, &plen, &used), PK_NOTFOUND);
    test_assert_int(parse("12:", 100, &p, &plen, &used), PK_NOTFOUND);
    test_assert_int(parse("12:alias a@b.se", 100, &p, &plen, &used),
                    PK_NOTFOUND);
    test_end();
}

static void test_netstring_malformed_refused(void)
{
    const char *p;
    size_t plen, used;

    test_begin("netstring: malformed input is refused, not waited for");
    test_assert_int(parse(":abc,", 100, &p, &plen, &used), PK_EINVAL);
    test_assert_int(parse("x3:abc,", 100, &p, &plen, &used), PK_EINVAL);
    test_assert_int(parse("3x:abc,", 100, &p, &plen, &used), PK_EINVAL);
    test_assert_int(parse("3:abc;", 100, &p, &plen, &used), PK_EINVAL);
    test_assert_int(parse("03:abc,", 100, &p, &plen, &used), PK_EINVAL);
    test_assert_int(parse("-3:abc,", 100, &p, &plen, &used), PK_EINVAL);
    test_end();
}

static void test_netstring_overlong_refused_early(void)
{
    const char *p;
    size_t plen, used;

    test_begin(
        "netstring: a length over the maximum is refused from its digits");
    test_assert_int(parse("10001", 10000, &p, &plen, &used), PK_ELIMIT);
    test_assert_int(parse("10000000", 10000, &p, &plen, &used), PK_ELIMIT);
    test_assert_int(
        parse("99999999999999999999999999:", 10000, &p, &plen, &used),
        PK_ELIMIT);
    test_assert_int(
        parse("18446744073709551617:", (size_t)-1, &p, &plen, &used),
        PK_ELIMIT);
    test_assert_int(parse("10000", 10000, &p, &plen, &used), PK_NOTFOUND);
    test_end();
}

static void test_netstring_format_round_trip(void)
{
    char out[32];
    const char *p;
    size_t n, plen, used;

    test_begin(
        "netstring: format writes what parse reads, refuses what does not fit");
    n = pk_netstring_format(out, sizeof(out), "OK a,b", 6);
    test_assert_int(n, 9);
    test_assert(memcmp(out, "6:OK a,b,", 9) == 0);
    test_assert_int(pk_netstring_parse(out, n, 100, &p, &plen, &used), PK_OK);
    test_assert_int(plen, 6);
    test_assert_int(pk_netstring_format(out, 8, "OK a,b", 6), 0);
    test_assert_int(pk_netstring_format(out, 9, "OK a,b", 6), 9);
    test_assert_int(pk_netstring_format(out, 12, "", 0), 3);
    test_assert(memcmp(out, "0:,", 3) == 0);
    /* The head alone, for a caller that writes the payload itself. */
    test_assert_int(pk_netstring_head(out, 0), 2);
    test_assert(memcmp(out, "0:", 2) == 0);
    test_assert_int(pk_netstring_head(out, 99999), 6);
    test_assert(memcmp(out, "99999:", 6) == 0);
    test_assert_int(pk_netstring_head(out, 10), 3);
    test_assert(memcmp(out, "10:", 3) == 0);
    test_end();
}

static void test_socketmap_split_bounds(void)
{
    char name[PK_SOCKETMAP_NAME_MAX + 1], key[PK_SOCKETMAP_KEY_MAX + 1];
    char big[PK_SOCKETMAP_KEY_MAX + 16];

    test_begin("socketmap: name and key split at the first space, bounded");
    test_assert_int(pk_socketmap_split("alias a b@c", 11, name, key), PK_OK);
    test_assert_str(name, "alias");
    test_assert_str(key, "a b@c");
    test_assert_int(pk_socketmap_split("alias", 5, name, key), PK_EINVAL);
    test_assert_int(pk_socketmap_split("alias ", 6, name, key), PK_EINVAL);
    test_assert_int(pk_socketmap_split(" a@b", 4, name, key), PK_EINVAL);
    test_assert_int(pk_socketmap_split("Alias a@b", 9, name, key), PK_EINVAL);
    test_assert_int(pk_socketmap_split("alias a\0b", 9, name, key), PK_EINVAL);
    test_assert_int(pk_socketmap_split("alias a\nb", 9, name, key), PK_EINVAL);
    memcpy(big, "alias ", 6);
    memset(big + 6, 'x', PK_SOCKETMAP_KEY_MAX + 1);
    test_assert_int(
        pk_socketmap_split(big, 6 + PK_SOCKETMAP_KEY_MAX + 1, name, key),
        PK_EINVAL);
    test_assert_int(
        pk_socketmap_split(big, 6 + PK_SOCKETMAP_KEY_MAX, name, key), PK_OK);
    test_assert_int(strlen(key), PK_SOCKETMAP_KEY_MAX);
    test_end();
}

int main(void)
{
    test_netstring_complete_request_found();
    test_netstring_partial_needs_more();
    test_netstring_malformed_refused();
    test_netstring_overlong_refused_early();
    test_netstring_format_round_trip();
    test_socketmap_split_bounds();
    return test_exit();
}
