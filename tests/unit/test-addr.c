/*++
/* NAME
/*	test-addr 1
/* SUMMARY
/*	unit tests of the address rules (common/addr.c)
/* SYNOPSIS
/*	test-addr
/* DESCRIPTION
/*	One test per behaviour of pk_addr_*: normalization, IDNA, the
/*	RFC 5321 limits exactly at and one over, every refused form, the
/*	catch-all, database keys and their strict inverse, subaddresses
/*	and the display form of IDNA domains.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <stdbool.h>
#include <string.h>

#include "addr.h"
#include "test.h"

/* make_label - a string of n copies of c */

static char *make_label(char *buf, size_t n, char c)
{
    memset(buf, c, n);
    buf[n] = 0;
    return buf;
}

/* make_domain - a valid ASCII domain of exactly len octets (len >= 6) */

static char *make_domain(char *buf, size_t len)
{
    /* Labels of 50 letters; the TLD is "com" or "se", whichever keeps
     * the part before it from ending with a dot. */
    const char *tld = (len - 4) % 51 == 0 ? "se" : "com";
    size_t head = len - strlen(tld) - 1;
    size_t i;

    for (i = 0; i < head; i++)
        buf[i] = (i + 1) % 51 == 0 ? '.' : 'a';
    buf[head] = '.';
    strcpy(buf + head + 1, tld);
    return buf;
}

/* parse_ok - parse and expect success */

static bool parse_ok(const char *in, unsigned flags, struct pk_addr *addr)
{
    const char *error = NULL;
    int rc = pk_addr_parse(in, flags, addr, &error);

    if (rc != PK_OK)
        printf("  unexpected refusal of \"%s\": %s\n", in, error);
    return rc == PK_OK;
}

/* refused - parse and expect PK_EINVAL with a message containing want */

static bool refused(const char *in, unsigned flags, const char *want)
{
    struct pk_addr addr;
    const char *error = NULL;
    int rc = pk_addr_parse(in, flags, &addr, &error);

    if (rc != PK_EINVAL) {
        printf("  \"%s\" gave %d, expected PK_EINVAL\n", in ? in : "(null)",
               rc);
        return false;
    }
    if (error == NULL || strstr(error, want) == NULL) {
        printf("  \"%s\": message \"%s\" does not say \"%s\"\n",
               in ? in : "(null)", error ? error : "(null)", want);
        return false;
    }
    return true;
}

/* domain_refused - parse a domain and expect PK_EINVAL */

static bool domain_refused(const char *in, const char *want)
{
    char out[PK_DOMAIN_MAX + 1];
    const char *error = NULL;
    int rc = pk_addr_parse_domain(in, out, &error);

    if (rc != PK_EINVAL) {
        printf("  domain \"%s\" gave %d, expected PK_EINVAL\n", in, rc);
        return false;
    }
    if (error == NULL || strstr(error, want) == NULL) {
        printf("  domain \"%s\": message \"%s\" does not say \"%s\"\n", in,
               error ? error : "(null)", want);
        return false;
    }
    return true;
}

/* key_corrupt - pk_addr_from_key() must refuse these bytes */

static bool key_corrupt(const void *key, size_t len)
{
    struct pk_addr addr;

    return pk_addr_from_key(key, len, &addr) == PK_ECORRUPT;
}

static void test_addr_local_part_is_folded_to_lowercase(void)
{
    struct pk_addr addr;
    char out[PK_ADDR_MAX + 1];

    test_begin("addr local part and domain are folded to lowercase");
    test_assert(parse_ok("John.DOE+Tag@Example.COM", 0, &addr));
    test_assert_str(addr.local, "john.doe+tag");
    test_assert_str(addr.domain, "example.com");
    pk_addr_format(&addr, out);
    test_assert_str(out, "john.doe+tag@example.com");
    test_end();
}

static void test_addr_atext_is_accepted(void)
{
    struct pk_addr addr;

    test_begin("addr every RFC 5322 atext character is accepted");
    test_assert(parse_ok("a!#$%&'*+-/=?^_`{|}~.9@example.com", 0, &addr));
    test_assert_str(addr.local, "a!#$%&'*+-/=?^_`{|}~.9");
    test_assert(parse_ok("x@sub.example-1.co.uk", 0, &addr));
    test_assert_str(addr.domain, "sub.example-1.co.uk");
    test_end();
}

static void test_addr_ulabel_equals_alabel(void)
{
    struct pk_addr a, b, c;
    char out[PK_DOMAIN_MAX + 1];
    const char *error;

    test_begin("addr U-label and A-label give the same domain");
    test_assert(parse_ok("user@exämple.se", 0, &a));
    test_assert(parse_ok("user@xn--exmple-cua.se", 0, &b));
    test_assert(parse_ok("USER@XN--EXMPLE-CUA.SE", 0, &c));
    test_assert_str(a.domain, "xn--exmple-cua.se");
    test_assert_str(b.domain, a.domain);
    test_assert_str(c.domain, a.domain);
    /* Upper-case U-label, NFD input (a + U+0308), ideographic full stop. */
    test_assert_int(pk_addr_parse_domain("EXÄMPLE.SE", out, &error), PK_OK);
    test_assert_str(out, "xn--exmple-cua.se");
    test_assert_int(pk_addr_parse_domain("exa\xcc\x88mple.se", out, &error),
                    PK_OK);
    test_assert_str(out, "xn--exmple-cua.se");
    test_assert_int(pk_addr_parse_domain("例え。テスト", out, &error), PK_OK);
    test_assert_str(out, "xn--r8jz45g.xn--zckzah");
    /* Non-transitional: sharp s is kept, not mapped to "ss". */
    test_assert_int(pk_addr_parse_domain("faß.de", out, &error), PK_OK);
    test_assert_str(out, "xn--fa-hia.de");
    test_end();
}

static void test_addr_bogus_punycode_is_refused(void)
{
    test_begin("addr bogus punycode in an A-label is refused");
    test_assert(domain_refused("xn--zz-zzzzz.se", "invalid domain"));
    test_assert(domain_refused("xn--abc.com", "invalid domain"));
    test_assert(domain_refused("xn--.com", "invalid domain"));
    test_assert(domain_refused("xn--ls8h.la", "disallowed"));
    test_assert(domain_refused("💩.la", "disallowed"));
    test_assert(refused("a@xn--zz-zzzzz.se", 0, "invalid domain"));
    /* Found by fuzz-addr: libidn2 takes it, but U+323A is not in mapped
     * form, so the label cannot come from anything a user types. */
    test_assert(domain_refused("xn--znk.se", "not decode to a valid U-label"));
    test_assert(domain_refused("xn--znK.se", "not decode to a valid U-label"));
    test_end();
}

static void test_addr_local_part_limit(void)
{
    struct pk_addr addr;
    char local[PK_LOCAL_MAX + 2];
    char in[PK_LOCAL_MAX + 32];

    test_begin("addr local part of 64 octets accepted, 65 refused");
    snprintf(in, sizeof(in), "%s@example.com", make_label(local, 64, 'x'));
    test_assert(parse_ok(in, 0, &addr));
    test_assert_int(strlen(addr.local), 64);
    snprintf(in, sizeof(in), "%s@example.com", make_label(local, 65, 'x'));
    test_assert(refused(in, 0, "local part is too long (65 octets"));
    test_end();
}

static void test_addr_address_limit(void)
{
    struct pk_addr addr;
    char local[PK_LOCAL_MAX + 1], domain[PK_DOMAIN_MAX + 2];
    char in[PK_ADDR_MAX + 8], out[PK_ADDR_MAX + 1];

    test_begin("addr address of 254 octets accepted, 255 refused");
    make_label(local, 64, 'x');
    snprintf(in, sizeof(in), "%s@%s", local, make_domain(domain, 189));
    test_assert_int(strlen(in), 254);
    test_assert(parse_ok(in, 0, &addr));
    pk_addr_format(&addr, out);
    test_assert_str(out, in);
    snprintf(in, sizeof(in), "%s@%s", local, make_domain(domain, 190));
    test_assert_int(strlen(in), 255);
    test_assert(refused(in, 0, "address is too long (255 octets"));
    test_end();
}

static void test_addr_label_limit(void)
{
    char label[70], in[80], out[PK_DOMAIN_MAX + 1];
    const char *error;

    test_begin("addr domain label of 63 octets accepted, 64 refused");
    snprintf(in, sizeof(in), "%s.com", make_label(label, 63, 'b'));
    test_assert_int(pk_addr_parse_domain(in, out, &error), PK_OK);
    test_assert_str(out, in);
    snprintf(in, sizeof(in), "%s.com", make_label(label, 64, 'b'));
    test_assert(domain_refused(in, "label is too long (64 octets"));
    test_end();
}

static void test_addr_domain_limit(void)
{
    char in[PK_DOMAIN_MAX + 2], out[PK_DOMAIN_MAX + 1];
    const char *error;

    test_begin("addr domain of 253 octets accepted, 254 refused");
    make_domain(in, 253);
    test_assert_int(strlen(in), 253);
    test_assert_int(pk_addr_parse_domain(in, out, &error), PK_OK);
    test_assert_str(out, in);
    make_domain(in, 254);
    test_assert_int(strlen(in), 254);
    test_assert(domain_refused(in, "domain is too long (254 octets"));
    test_end();
}

static void test_addr_oversized_input_is_refused_unread(void)
{
    char in[3000];

    test_begin("addr input of more than 1024 octets is refused");
    memset(in, 'a', sizeof(in) - 1);
    in[sizeof(in) - 1] = 0;
    in[10] = '@';
    test_assert(refused(in, 0, "more than 1024 octets"));
    test_assert(domain_refused(in + 11, "more than 1024 octets"));
    test_end();
}

static void test_addr_local_part_forms_are_refused(void)
{
    test_begin("addr malformed local parts are refused");
    test_assert(refused("", 0, "empty address"));
    test_assert(refused(NULL, 0, "empty address"));
    test_assert(refused("user", 0, "no '@'"));
    test_assert(refused("user@", 0, "empty domain"));
    test_assert(refused("@example.com", 0, "empty local part"));
    test_assert(refused("\"john doe\"@example.com", 0,
                        "quoted local parts are not supported"));
    test_assert(refused("\"john\"@example.com", 0,
                        "quoted local parts are not supported"));
    test_assert(refused("jöhn@example.com", 0, "non-ASCII local part"));
    test_assert(refused("a(b)@example.com", 0, "character '('"));
    test_assert(refused("a,b@example.com", 0, "character ','"));
    test_assert(refused("a\\b@example.com", 0, "character '\\'"));
    test_assert(refused("a\"b@example.com", 0, "character '\"'"));
    test_assert(refused("<a>@example.com", 0, "character '<'"));
    test_assert(refused(".a@example.com", 0, "begins with a dot"));
    test_assert(refused("a.@example.com", 0, "ends with a dot"));
    test_assert(refused(".@example.com", 0, "begins with a dot"));
    test_assert(refused("a..b@example.com", 0, "two dots in a row"));
    test_assert(refused("a@b@example.com", 0, "'@' in the local part"));
    test_assert(
        refused("@a@example.com", PK_ADDR_CATCHALL, "'@' in the local part"));
    test_end();
}

static void test_addr_space_and_controls_are_refused(void)
{
    test_begin("addr white space and control characters are refused");
    test_assert(refused("a b@example.com", 0, "white space"));
    test_assert(refused(" a@example.com", 0, "white space"));
    test_assert(refused("a@example.com ", 0, "white space"));
    test_assert(refused("a\t@example.com", 0, "control character"));
    test_assert(refused("a@example.com\r\n", 0, "control character"));
    test_assert(refused("a\x7f@example.com", 0, "control character"));
    test_assert(refused("a@exa mple.com", 0, "white space"));
    test_assert(domain_refused("exa\tmple.com", "control character"));
    /* U+00A0 is mapped to a space by UTS #46: caught after mapping. */
    test_assert(refused("a@exa\xc2\xa0mple.com", 0, "invalid domain"));
    test_end();
}

static void test_addr_domain_forms_are_refused(void)
{
    test_begin("addr malformed domains are refused");
    test_assert(refused("a@[1.2.3.4]", 0, "address literals"));
    test_assert(refused("a@[IPv6:2001:db8::1]", 0, "address literals"));
    test_assert(refused("a@example.com.", 0, "ends with a dot"));
    test_assert(refused("a@.example.com", 0, "empty label"));
    test_assert(refused("a@example..com", 0, "empty label"));
    test_assert(refused("a@localhost", 0, "single label"));
    test_assert(refused("a@1.2.3.4", 0, "all digits"));
    test_assert(refused("a@example.123", 0, "all digits"));
    test_assert(refused("a@-example.com", 0, "hyphen"));
    test_assert(refused("a@example-.com", 0, "hyphen"));
    test_assert(refused("a@ex_ample.com", 0, "character '_'"));
    test_assert(refused("a@exa,mple.com", 0, "character ','"));
    test_assert(refused("a@ab--cd.com", 0, "invalid domain"));
    /* A trailing ideographic full stop is a trailing dot after mapping. */
    test_assert(refused("a@例え。テスト。", 0, "ends with a dot"));
    test_assert(refused("a@例え。。テスト", 0, "empty label"));
    test_assert(domain_refused("", "empty domain"));
    test_assert(domain_refused("[::1]", "address literals"));
    test_assert(domain_refused("a.b\xff", "invalid domain"));
    test_end();
}

static void test_addr_error_quotes_input_safely(void)
{
    struct pk_addr addr;
    char in[400];
    const char *error = NULL;

    test_begin("addr error messages escape and shorten the input");
    test_assert_int(pk_addr_parse("a\tb\x1b[2J@x.com", 0, &addr, &error),
                    PK_EINVAL);
    test_assert(error != NULL && strstr(error, "a\\x09b\\x1b[2J") != NULL);
    test_assert(error != NULL && strchr(error, '\t') == NULL);
    test_assert(error != NULL && strchr(error, '\x1b') == NULL);

    memset(in, 'q', sizeof(in) - 1);
    in[sizeof(in) - 1] = 0;
    test_assert_int(pk_addr_parse(in, 0, &addr, &error), PK_EINVAL);
    test_assert(error != NULL && strstr(error, "qqq...\"") != NULL);
    test_assert(error != NULL && strlen(error) < 160);
    test_end();
}

static void test_addr_catchall_needs_the_flag(void)
{
    struct pk_addr addr;
    char out[PK_ADDR_MAX + 1], key[PK_KEY_MAX];

    test_begin("addr catch-all \"@domain\" is accepted only with the flag");
    test_assert(refused("@example.com", 0, "empty local part"));
    test_assert(parse_ok("@Example.COM", PK_ADDR_CATCHALL, &addr));
    test_assert_str(addr.local, "");
    test_assert_str(addr.domain, "example.com");
    pk_addr_format(&addr, out);
    test_assert_str(out, "@example.com");
    test_assert_int(pk_addr_key(&addr, key), 12);
    test_assert(memcmp(key, "example.com\0", 12) == 0);
    test_assert(refused("@", PK_ADDR_CATCHALL, "empty domain"));
    /* The flag changes nothing for an ordinary address. */
    test_assert(parse_ok("a@example.com", PK_ADDR_CATCHALL, &addr));
    test_assert_str(addr.local, "a");
    test_end();
}

static void test_addr_key_round_trip(void)
{
    static const char *const inputs[] = {
        "john.doe@example.com",
        "@example.com",
        "user@exämple.se",
        "a!#$%&'*+-/=?^_`{|}~@x-1.example.org",
    };
    struct pk_addr addr, back;
    char key[PK_KEY_MAX];
    size_t i, len;

    test_begin("addr key round trip gives the same address");
    for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        test_assert(parse_ok(inputs[i], PK_ADDR_CATCHALL, &addr));
        len = pk_addr_key(&addr, key);
        test_assert_int(len, strlen(addr.domain) + 1 + strlen(addr.local));
        test_assert_int(pk_addr_from_key(key, len, &back), PK_OK);
        test_assert_str(back.local, addr.local);
        test_assert_str(back.domain, addr.domain);
    }
    test_assert(parse_ok("John@Example.com", 0, &addr));
    len = pk_addr_key(&addr, key);
    test_assert_int(len, 16);
    test_assert(memcmp(key, "example.com\0john", 16) == 0);
    test_end();
}

static void test_addr_from_key_refuses_corrupt_keys(void)
{
    char big[PK_KEY_MAX + 8], local[PK_LOCAL_MAX + 2];
    char domain[PK_DOMAIN_MAX + 2];
    size_t n;

    test_begin("addr from_key refuses keys pk_addr_key cannot produce");
    test_assert(key_corrupt("", 0));
    test_assert(key_corrupt(NULL, 5));
    test_assert(key_corrupt("example.com", 11));       /* no NUL */
    test_assert(key_corrupt("\0a", 2));                /* no domain */
    test_assert(key_corrupt("Example.com\0a", 13));    /* upper-case */
    test_assert(key_corrupt("example.com\0A", 13));    /* upper-case */
    test_assert(key_corrupt("example.com\0a\0b", 15)); /* second NUL */
    test_assert(key_corrupt("example.com\0a b", 15));
    test_assert(key_corrupt("example.com\0.a", 14));
    test_assert(key_corrupt("example.com\0a.", 14));
    test_assert(key_corrupt("example.com\0a..b", 16));
    test_assert(key_corrupt("example.com\0a@b", 15));
    test_assert(key_corrupt("example.com\0\"a\"", 15));
    test_assert(key_corrupt("example.com\0\xc3\xa4", 14));
    test_assert(key_corrupt("example.com.\0a", 14));
    test_assert(key_corrupt("localhost\0a", 11));
    test_assert(key_corrupt("1.2.3.4\0a", 9));
    test_assert(key_corrupt("ex_ample.com\0a", 14));
    test_assert(key_corrupt("exämple.se\0a", 13)); /* U-label stored */
    test_assert(key_corrupt("xn--zz-zzzzz.se\0a", 17));
    test_assert(key_corrupt("xn--exmple-cua.SE\0a", 19));

    /* Overlong local part, address and key. */
    n = (size_t)snprintf(big, sizeof(big), "example.com%c%s", 0,
                         make_label(local, 65, 'a'));
    test_assert(key_corrupt(big, n));
    n = (size_t)snprintf(big, sizeof(big), "%s%c%s", make_domain(domain, 190),
                         0, make_label(local, 64, 'a'));
    test_assert_int(n, 255);
    test_assert(key_corrupt(big, n));
    n = (size_t)snprintf(big, sizeof(big), "%s%c%s", make_domain(domain, 189),
                         0, make_label(local, 64, 'a'));
    {
        struct pk_addr addr;

        test_assert_int(pk_addr_from_key(big, n, &addr), PK_OK);
    }
    memset(big, 'a', sizeof(big));
    test_assert(key_corrupt(big, PK_KEY_MAX + 1));
    test_end();
}

static void test_addr_subaddress_is_stripped_at_first_delimiter(void)
{
    struct pk_addr addr, base;

    test_begin("addr subaddress is stripped from the first delimiter");
    test_assert(parse_ok("a+b+c@example.com", 0, &addr));
    test_assert(pk_addr_subaddress_base(&addr, '+', &base));
    test_assert_str(base.local, "a");
    test_assert_str(base.domain, "example.com");

    test_assert(parse_ok("john-list@example.com", 0, &addr));
    test_assert(!pk_addr_subaddress_base(&addr, '+', &base));
    test_assert(pk_addr_subaddress_base(&addr, '-', &base));
    test_assert_str(base.local, "john");

    /* In place. */
    test_assert(parse_ok("x+y@example.com", 0, &addr));
    test_assert(pk_addr_subaddress_base(&addr, '+', &addr));
    test_assert_str(addr.local, "x");
    test_assert_str(addr.domain, "example.com");
    test_end();
}

static void test_addr_subaddress_without_base_is_none(void)
{
    struct pk_addr addr, base;

    test_begin("addr subaddress with nothing before the delimiter is none");
    memset(&base, 0x5a, sizeof(base));
    test_assert(parse_ok("+x@example.com", 0, &addr));
    test_assert(!pk_addr_subaddress_base(&addr, '+', &base));
    test_assert(parse_ok("plain@example.com", 0, &addr));
    test_assert(!pk_addr_subaddress_base(&addr, '+', &base));
    test_assert(!pk_addr_subaddress_base(&addr, 0, &base));
    test_assert(parse_ok("a.+x@example.com", 0, &addr));
    test_assert(!pk_addr_subaddress_base(&addr, '+', &base));
    test_assert(parse_ok("@example.com", PK_ADDR_CATCHALL, &addr));
    test_assert(!pk_addr_subaddress_base(&addr, '+', &base));
    /* base is left alone when there is no base. */
    test_assert(base.local[0] == 0x5a);
    test_end();
}

static void test_addr_domain_unicode_display(void)
{
    char out[PK_DOMAIN_MAX * 4 + 1], small[8];

    test_begin("addr IDNA domain is shown in its Unicode form");
    pk_addr_domain_unicode("xn--exmple-cua.se", out, sizeof(out));
    test_assert_str(out, "exämple.se");
    pk_addr_domain_unicode("xn--exmple-cua.xn--p1ai", out, sizeof(out));
    test_assert_str(out, "exämple.рф");
    pk_addr_domain_unicode("xn--r8jz45g.xn--zckzah", out, sizeof(out));
    test_assert_str(out, "例え.テスト");
    /* Not IDNA, bogus, or not a domain: "". */
    pk_addr_domain_unicode("example.com", out, sizeof(out));
    test_assert_str(out, "");
    pk_addr_domain_unicode("xn--zz-zzzzz.se", out, sizeof(out));
    test_assert_str(out, "");
    pk_addr_domain_unicode("xn--abc.com", out, sizeof(out));
    test_assert_str(out, "");
    pk_addr_domain_unicode("a b.xn--p1ai", out, sizeof(out));
    test_assert_str(out, "");
    pk_addr_domain_unicode(NULL, out, sizeof(out));
    test_assert_str(out, "");
    /* Too small: all or nothing, always terminated. */
    memset(small, 'z', sizeof(small));
    pk_addr_domain_unicode("xn--exmple-cua.se", small, sizeof(small));
    test_assert_str(small, "");
    memset(small, 'z', sizeof(small));
    pk_addr_domain_unicode("xn--exmple-cua.se", small, 1);
    test_assert(small[0] == 0 && small[1] == 'z');
    pk_addr_domain_unicode("xn--exmple-cua.se", small, 0);
    test_assert(small[1] == 'z');
    test_end();
}

static void test_addr_fast_path_edges_match_the_rules(void)
{
    struct pk_addr a;
    char out[PK_DOMAIN_MAX + 1] = "unchanged";

    /* The one-pass path for plain ASCII must give what the full rules
     * give: the same form for what it accepts, and for the rest the
     * full rules' words. */
    test_begin("addr: plain ASCII edges, accepted and refused as before");
    test_assert(parse_ok("A.B-C+D=E_F@Sub.EXAMPLE.se", 0, &a));
    test_assert_str(a.local, "a.b-c+d=e_f");
    test_assert_str(a.domain, "sub.example.se");
    test_assert(parse_ok("x@9example.s9", 0, &a));
    test_assert_str(a.domain, "9example.s9");
    test_assert(parse_ok("Z!#$%&'*/=?^`{|}~@a-b.se", 0, &a));
    test_assert_str(a.local, "z!#$%&'*/=?^`{|}~");
    test_assert(refused("a@example.99", 0, "all digits"));
    test_assert(refused("a@example", 0, "single label"));
    test_assert(refused("a..b@example.se", 0, "two dots in a row"));
    test_assert(refused(".a@example.se", 0, "begins with a dot"));
    test_assert(refused("a.@example.se", 0, "ends with a dot"));
    test_assert(refused("a@@example.se", 0, "'@' in the local part"));
    test_assert(refused("a@-x.se", 0, "begins or ends with a hyphen"));
    test_assert(refused("a@x-.se", 0, "begins or ends with a hyphen"));
    test_assert(refused("a@x.se.", 0, "ends with a dot"));
    test_assert(refused("a@x..se", 0, "empty label"));
    test_assert(refused("a@x_y.se", 0, "'_' is not allowed in a domain"));
    test_assert(refused("a(b@x.se", 0, "'(' is not allowed in a local part"));
    test_assert(refused("@x.se", 0, "empty local part"));
    test_assert(parse_ok("@X.se", PK_ADDR_CATCHALL, &a));
    test_assert_str(a.local, "");
    test_assert_str(a.domain, "x.se");
    /* An upper-case A-label takes the full path and comes out lower. */
    test_assert(parse_ok("a@XN--EXMPLE-CUA.se", 0, &a));
    test_assert_str(a.domain, "xn--exmple-cua.se");
    /* A refused domain leaves the output alone. */
    test_assert_int(pk_addr_parse_domain("x..se", out, NULL), PK_EINVAL);
    test_assert_str(out, "unchanged");
    test_assert_int(pk_addr_parse_domain("Mail.Example.SE", out, NULL), PK_OK);
    test_assert_str(out, "mail.example.se");
    test_end();
}

int main(void)
{
    test_addr_local_part_is_folded_to_lowercase();
    test_addr_atext_is_accepted();
    test_addr_ulabel_equals_alabel();
    test_addr_bogus_punycode_is_refused();
    test_addr_local_part_limit();
    test_addr_address_limit();
    test_addr_label_limit();
    test_addr_domain_limit();
    test_addr_oversized_input_is_refused_unread();
    test_addr_local_part_forms_are_refused();
    test_addr_space_and_controls_are_refused();
    test_addr_domain_forms_are_refused();
    test_addr_error_quotes_input_safely();
    test_addr_catchall_needs_the_flag();
    test_addr_key_round_trip();
    test_addr_from_key_refuses_corrupt_keys();
    test_addr_subaddress_is_stripped_at_first_delimiter();
    test_addr_subaddress_without_base_is_none();
    test_addr_domain_unicode_display();
    test_addr_fast_path_edges_match_the_rules();
    return test_exit();
}
