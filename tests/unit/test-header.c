/*++
/* NAME
/*	test-header 1
/* SUMMARY
/*	unit tests of the From header rules (common/header.c)
/* SYNOPSIS
/*	test-header
/* DESCRIPTION
/*	Exactly one From field with exactly one mailbox is accepted, with
/*	or without a display name; several addresses, group syntax, an
/*	address shown in the display name (clear, quoted, commented or
/*	RFC 2047 encoded), a missing or repeated From field, malformed
/*	syntax and oversized input are refused.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <string.h>

#include "header.h"
#include "test.h"

static char got[PK_ADDR_MAX + 1];
static const char *why;

/* from - parse one value; its address in got, or the error in why */

static int from(const char *value)
{
    struct pk_addr addr;
    int status;

    why = "";
    got[0] = 0;
    status = pk_header_from_value(value, strlen(value), &addr, &why);
    if (status == PK_OK)
        pk_addr_format(&addr, got);
    return status;
}

/* message - parse a whole header section */

static int message(const char *hdr)
{
    struct pk_addr addr;
    int status;

    why = "";
    got[0] = 0;
    status = pk_header_from_message(hdr, strlen(hdr), &addr, &why);
    if (status == PK_OK)
        pk_addr_format(&addr, got);
    return status;
}

static void test_header_from_one_mailbox_forms(void)
{
    test_begin("header_from_one_mailbox_forms");
    test_assert_int(from(" alice@example.se"), PK_OK);
    test_assert_str(got, "alice@example.se");
    test_assert_int(from(" Alice <Alice@Example.SE>"), PK_OK);
    test_assert_str(got, "alice@example.se");
    test_assert_int(from("\"Alice Andersson\" <alice@example.se>"), PK_OK);
    test_assert_str(got, "alice@example.se");
    test_assert_int(from("<alice@example.se>"), PK_OK);
    test_assert_int(from("alice@example.se (Alice at home)"), PK_OK);
    test_assert_int(from("Alice\r\n <alice@example.se>"), PK_OK);
    test_assert_int(from("Alice\n\t<alice@example.se>"), PK_OK);
    test_assert_int(from("Alice < alice@example.se (work) >"), PK_OK);
    test_assert_str(got, "alice@example.se");
    test_assert_int(from("=?utf-8?q?Al=C3=ADce?= <alice@example.se>"), PK_OK);
    test_assert_int(from("\xc3\x85sa <asa@xn--exmple-cua.se>"), PK_OK);
    test_assert_int(from("Bob <bob@ex\xc3\xa4mple.se>"), PK_OK);
    test_assert_str(got, "bob@xn--exmple-cua.se");
    test_end();
}

static void test_header_from_own_address_as_display_name(void)
{
    test_begin("header_from_own_address_as_display_name");
    test_assert_int(from("\"alice@example.se\" <alice@example.se>"), PK_OK);
    test_assert_int(from("ALICE@example.se <alice@example.se>"), PK_OK);
    test_assert_int(from("alice@example.se (alice@example.se)"), PK_OK);
    test_end();
}

static void test_header_from_several_addresses_refused(void)
{
    test_begin("header_from_several_addresses_refused");
    test_assert_int(from("alice@example.se, bob@example.se"), PK_EINVAL);
    test_assert(strstr(why, "more than one address") != NULL);
    test_assert_int(from("<alice@example.se> <bob@example.se>"), PK_EINVAL);
    test_assert_int(from("A <alice@example.se>, B <bob@example.se>"),
                    PK_EINVAL);
    test_assert_int(from("alice@example.se bob@example.se"), PK_EINVAL);
    test_assert_int(from("alice@example.se,"), PK_EINVAL);
    test_end();
}

static void test_header_from_group_refused(void)
{
    test_begin("header_from_group_refused");
    test_assert_int(from("friends: alice@example.se;"), PK_EINVAL);
    test_assert(strstr(why, "group") != NULL);
    test_assert_int(from("undisclosed:;"), PK_EINVAL);
    test_assert_int(from("<@relay.example:alice@example.se>"), PK_EINVAL);
    test_assert(strstr(why, "source route") != NULL);
    test_end();
}

static void test_header_from_hidden_address_refused(void)
{
    test_begin("header_from_hidden_address_refused");
    test_assert_int(from("boss@example.se <mallory@evil.example>"), PK_EINVAL);
    test_assert(strstr(why, "display name") != NULL);
    test_assert_int(from("\"boss@example.se\" <mallory@evil.example>"),
                    PK_EINVAL);
    test_assert_int(from("\"Boss <boss@example.se>\" <mallory@evil.example>"),
                    PK_EINVAL);
    test_assert_int(from("Boss (boss@example.se) <mallory@evil.example>"),
                    PK_EINVAL);
    test_assert_int(from("mallory@evil.example (boss@example.se)"), PK_EINVAL);
    /* "boss@example.se" as encoded words, Q and B. */
    test_assert_int(
        from("=?utf-8?Q?boss=40example.se?= <mallory@evil.example>"),
        PK_EINVAL);
    test_assert_int(from("=?UTF-8?B?Ym9zc0BleGFtcGxlLnNl?= "
                         "<mallory@evil.example>"),
                    PK_EINVAL);
    /* The same in UTF-16: an at-sign only after conversion. */
    test_assert_int(from("=?UTF-16BE?B?AGIAbwBzAHMAQABlAHgALgBzAGU=?= "
                         "<mallory@evil.example>"),
                    PK_EINVAL);
    /* Full-width commercial at, raw and encoded. */
    test_assert_int(from("boss\xef\xbc\xa0"
                         "example.se <mallory@evil.example>"),
                    PK_EINVAL);
    test_assert_int(from("=?utf-8?B?Ym9zc++8oGV4YW1wbGUuc2U=?= "
                         "<mallory@evil.example>"),
                    PK_EINVAL);
    /* An at-sign alone is refused too: no guessing what it shows. */
    test_assert_int(from("Alice @ work <alice@example.se>"), PK_EINVAL);
    test_end();
}

static void test_header_from_bad_encoded_words_refused(void)
{
    test_begin("header_from_bad_encoded_words_refused");
    test_assert_int(from("=?x-no-such-charset?Q?a?= <alice@example.se>"),
                    PK_EINVAL);
    test_assert(strstr(why, "character set") != NULL);
    test_assert_int(from("=?utf-8?B?!!!?= <alice@example.se>"), PK_EINVAL);
    test_assert_int(from("=?utf-8?Q?=4?= <alice@example.se>"), PK_EINVAL);
    test_assert_int(from("=?utf-8?q?x?=@example.se"), PK_EINVAL);
    test_end();
}

static void test_header_from_malformed_refused(void)
{
    test_begin("header_from_malformed_refused");
    test_assert_int(from(""), PK_EINVAL);
    test_assert(strstr(why, "no address") != NULL);
    test_assert_int(from("   "), PK_EINVAL);
    test_assert_int(from("Alice"), PK_EINVAL);
    test_assert_int(from("Alice <>"), PK_EINVAL);
    test_assert_int(from("Alice <alice@example.se"), PK_EINVAL);
    test_assert_int(from("Alice alice@example.se>"), PK_EINVAL);
    test_assert_int(from("\"Alice <alice@example.se>"), PK_EINVAL);
    test_assert_int(from("(Alice <alice@example.se>"), PK_EINVAL);
    test_assert_int(from("<alice@example.se> Alice"), PK_EINVAL);
    test_assert_int(from("<\"a b\"@example.se>"), PK_EINVAL);
    test_assert_int(from("\"a b\"@example.se"), PK_EINVAL);
    test_assert_int(from("<alice @ example.se>"), PK_EINVAL);
    test_assert_int(from("<alice@[192.0.2.1]>"), PK_EINVAL);
    test_assert_int(from("<alice>"), PK_EINVAL);
    test_assert_int(from("Alice <alice@example.se>\r\nBcc: x@y.se"), PK_EINVAL);
    test_assert_int(from("Alice <alice@example.se>\rx"), PK_EINVAL);
    test_assert_int(from("Alice\x01 <alice@example.se>"), PK_EINVAL);
    test_end();
}

static void test_header_from_nul_and_size_limits(void)
{
    char big[PK_HEADER_FROM_MAX + 64];
    struct pk_addr addr;
    const char *error;

    test_begin("header_from_nul_and_size_limits");
    test_assert_int(pk_header_from_value("a@example.se\0x", 14, &addr, &error),
                    PK_EINVAL);
    memset(big, 'a', sizeof(big));
    memcpy(big + sizeof(big) - 20, " <alice@example.se>", 19);
    test_assert_int(pk_header_from_value(big, sizeof(big) - 1, &addr, &error),
                    PK_EINVAL);
    test_assert(strstr(error, "longer") != NULL);
    /* Deep comments are bounded too. */
    memset(big, '(', 100);
    memset(big + 100, ')', 100);
    strcpy(big + 200, " <alice@example.se>");
    test_assert_int(from(big), PK_EINVAL);
    test_assert(strstr(why, "nested") != NULL);
    test_end();
}

static void test_header_from_exactly_one_field(void)
{
    struct pk_header_from hf;
    struct pk_addr addr;
    const char *error;

    test_begin("header_from_exactly_one_field");
    pk_header_from_init(&hf);
    pk_header_from_field(&hf, "To", "bob@example.se", 14);
    test_assert_int(pk_header_from_result(&hf, &addr, &error), PK_EINVAL);
    test_assert(strstr(error, "no From") != NULL);
    pk_header_from_field(&hf, "FROM", " alice@example.se", 17);
    test_assert_int(pk_header_from_result(&hf, &addr, &error), PK_OK);
    test_assert_str(addr.local, "alice");
    pk_header_from_field(&hf, "from", " alice@example.se", 17);
    test_assert_int(pk_header_from_result(&hf, &addr, &error), PK_EINVAL);
    test_assert(strstr(error, "more than one From") != NULL);
    /* The first failure is the one reported. */
    pk_header_from_init(&hf);
    pk_header_from_field(&hf, "From", "a@b.se, c@d.se", 14);
    pk_header_from_field(&hf, "From", "a@b.se", 6);
    test_assert_int(pk_header_from_result(&hf, &addr, &error), PK_EINVAL);
    test_assert(strstr(error, "more than one address") != NULL);
    test_end();
}

static void test_header_from_whole_section(void)
{
    test_begin("header_from_whole_section");
    test_assert_int(message("Subject: hi\r\nFrom: Alice\r\n <alice@example.se>"
                            "\r\nTo: bob@example.se\r\n\r\nFrom: x@y.se\r\n"),
                    PK_OK);
    test_assert_str(got, "alice@example.se");
    test_assert_int(message("From : alice@example.se\nTo: b@c.se\n"), PK_OK);
    test_assert_int(message("From: a@example.se\r\nfrom: b@example.se\r\n"),
                    PK_EINVAL);
    test_assert(strstr(why, "more than one From") != NULL);
    test_assert_int(message("Subject: hi\r\n\r\nFrom: a@example.se\r\n"),
                    PK_EINVAL);
    test_assert(strstr(why, "no From") != NULL);
    test_assert_int(message("From a@example.se Mon Jan 1\r\nFrom: a@b.se\r\n"),
                    PK_EINVAL);
    test_assert_int(message(" From: a@example.se\r\n"), PK_EINVAL);
    test_assert_int(message(""), PK_EINVAL);
    test_end();
}

int main(void)
{
    test_header_from_one_mailbox_forms();
    test_header_from_own_address_as_display_name();
    test_header_from_several_addresses_refused();
    test_header_from_group_refused();
    test_header_from_hidden_address_refused();
    test_header_from_bad_encoded_words_refused();
    test_header_from_malformed_refused();
    test_header_from_nul_and_size_limits();
    test_header_from_exactly_one_field();
    test_header_from_whole_section();
    return test_exit();
}
