/*++
/* NAME
/*	test-import 1
/* SUMMARY
/*	unit tests for import and export (common/import*.c, export.c)
/* SYNOPSIS
/*	tests/unit/test-import
/* DESCRIPTION
/*	The parsers are tested on their own: each format's good forms
/*	give the expected items, each malformed form is refused with the
/*	number of its line. The database side is tested on private
/*	databases: a bad line anywhere, or a reference that does not
/*	hold, changes nothing; an export imported into an empty database
/*	exports the same bytes.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "changelog.h"
#include "check.h"
#include "dkim.h"
#include "fixture.h"
#include "import.h"
#include "resolve.h"

#define HASH_SHA256                                                            \
    "$5$xQF6NZ2TX87x1F/K$.GTC.furrQt1rtzUCR4zGOICIccTCpkgjcL/RC7ZVH3"
#define HASH_SHA512                                                            \
    "$6$9Jam6yySh6v0Nv/N$8Nx9CgJmz8utsUZT9kIzqeTXUu/"                          \
    "bEG.BJgISV0hzMq2kXb3ndwR2lVJW8r9GUd6pjXOkxmXKwauV/I0YrU/eA1"
#define HASH_MD5 "$1$sdpk4QGV$SxDX66/Zx5Cd67NtOC11c0"
#define HASH_BLF "$2y$12$OnZ8KgI32k1uVUYbmPFY/e3ohKNQ5W6oLQSXv7y5sFHnB15T.LMrW"
#define HASH_YES                                                               \
    "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$"                                           \
    "GmcwIgvdUC9qLWcKCi6gklUa1dM3ziD43YxYNURLKy0"

/* The JSON form of FX_HASH. */
#define JHASH "\"" FX_HASH "\""

/* A summary of parsed items, one line each. */
struct items {
    char text[8192];
    size_t count;
    uint64_t created[16];
};

/* join - a list as "a,b,c" */

static void join(const struct pk_strlist *list, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = 0;
    for (size_t i = 0; i < list->count && used < size; i++)
        used += snprintf(buf + used, size - used, "%s%s", i ? "," : "",
                         list->items[i]);
}

/* record_item - summarize an item (the parse callback) */

static int record_item(const struct pk_item *item, size_t line, void *ctx,
                       const char **error_r)
{
    struct items *it = ctx;
    const struct pk_account *acc = &item->entry.u.account;
    char buf[1024], list[512], quota[32];
    size_t used = strlen(it->text);

    switch (item->type) {
    case PK_ITEM_DOMAIN:
        snprintf(buf, sizeof(buf), "%zu domain %s quota=%llu", line, item->name,
                 (unsigned long long)item->domain.default_quota);
        break;
    case PK_ITEM_DOMAIN_ALIAS:
        snprintf(buf, sizeof(buf), "%zu domain_alias %s -> %s", line,
                 item->name, item->domain.target);
        break;
    case PK_ITEM_ACCOUNT:
        join(&acc->forward, list, sizeof(list));
        if (acc->quota == PK_QUOTA_DOMAIN)
            snprintf(quota, sizeof(quota), "default");
        else
            snprintf(quota, sizeof(quota), "%llu",
                     (unsigned long long)acc->quota);
        snprintf(buf, sizeof(buf),
                 "%zu account %s %s quota=%s fwd=%s keep=%d "
                 "pw=%.*s",
                 line, item->name, pk_state_name(acc->state), quota, list,
                 acc->keep_copy,
                 (int)(strchr(acc->password, '}') - acc->password + 1),
                 acc->password);
        break;
    case PK_ITEM_ALIAS:
        join(&item->entry.u.alias.dest, list, sizeof(list));
        snprintf(buf, sizeof(buf), "%zu alias %s -> %s", line, item->name,
                 list);
        break;
    case PK_ITEM_SENDAS:
        snprintf(buf, sizeof(buf), "%zu sendas %s -> %s", line, item->name,
                 item->target);
        break;
    case PK_ITEM_DKIM:
        snprintf(buf, sizeof(buf), "%zu dkim %s %s %s active=%d", line,
                 item->name, item->target, pk_dkim_alg_name(item->dkim.alg),
                 item->dkim.active);
        break;
    case PK_ITEM_RATELIMIT:
        snprintf(buf, sizeof(buf), "%zu ratelimit %s %s %u/%u/%u", line,
                 pk_ratelimit_scope_name(item->scope),
                 item->name[0] ? item->name : "(default)", item->limit.messages,
                 item->limit.recipients, item->limit.window);
        break;
    }
    if (it->count < 16)
        it->created[it->count] = item->type == PK_ITEM_ACCOUNT ? acc->created
                                 : item->type == PK_ITEM_ALIAS
                                     ? item->entry.u.alias.created
                                     : item->domain.created;
    it->count++;
    snprintf(it->text + used, sizeof(it->text) - used, "%s\n", buf);
    return PK_OK;
}

/* parse - run a parser over a string; the summary goes to it */

static int parse(enum pk_format format, const char *data, struct items *it,
                 const char **error_r)
{
    memset(it, 0, sizeof(*it));
    *error_r = "";
    return pk_import_parse(format, data, strlen(data), record_item, it,
                           error_r);
}

/* starts - does a message start with a prefix */

static int starts(const char *msg, const char *prefix)
{
    return strncmp(msg, prefix, strlen(prefix)) == 0;
}

/* Each bad input is refused with "line N:" at its line. */
struct bad {
    const char *input;
    const char *line;  /* "line N: " */
    const char *words; /* part of the message */
};

/* check_bad - every bad input refused with its line number */

static void check_bad(enum pk_format format, const struct bad *bad, size_t n)
{
    static struct items it;
    const char *error;

    for (size_t i = 0; i < n; i++) {
        int status = parse(format, bad[i].input, &it, &error);

        if (status != PK_EINVAL || !starts(error, bad[i].line) ||
            strstr(error, bad[i].words) == NULL) {
            printf("  bad input %zu: status %d, message \"%s\"\n", i, status,
                   error);
            test_failed_now = 1;
        }
    }
}

/* test_jsonl_parses_every_item_type - good JSON lines give their items */

static void test_jsonl_parses_every_item_type(void)
{
    static const char input[] =
        "{\"type\":\"domain\",\"domain\":\"Example.SE\",\"quota\":1024,"
        "\"created\":100}\n"
        "\n"
        "   \n"
        "{\"type\":\"domain\",\"domain\":\"exämple.se\"}\n"
        "{\"type\":\"domain_alias\",\"domain\":\"example.nu\",\"target\":"
        "\"example.se\",\"created\":101}\n"
        "{\"type\":\"account\",\"address\":\"Alice@Example.se\","
        "\"password\":" JHASH ",\"state\":\"suspended\","
        "\"quota\":5000,\"forward\":[\"a@elsewhere.org\",\"A@ELSEWHERE.ORG\","
        "\"b@exämple.se\"],\"keep_copy\":true,\"created\":102,\"changed\":103}"
        "\r\n"
        "{\"type\":\"account\",\"address\":\"bob@example.se\","
        "\"password\":" JHASH ",\"quota\":null,\"keep_copy\":true}\n"
        "{\"type\":\"alias\",\"address\":\"info@example.se\",\"to\":[\"alice@"
        "example.se\",\"bob@example.se\"],\"created\":104,\"changed\":105}\n"
        "{\"type\":\"alias\",\"address\":\"@example.se\",\"to\":[\"info@"
        "example.se\"]}\n"
        "{\"type\":\"sendas\",\"login\":\"bob@example.se\",\"address\":\"@"
        "Example.nu\"}";
    static const char want[] =
        "1 domain example.se quota=1024\n"
        "4 domain xn--exmple-cua.se quota=0\n"
        "5 domain_alias example.nu -> example.se\n"
        "6 account alice@example.se suspended quota=5000 "
        "fwd=a@elsewhere.org,b@xn--exmple-cua.se keep=1 pw={SHA512-CRYPT}\n"
        "7 account bob@example.se active quota=default fwd= keep=0 "
        "pw={SHA512-CRYPT}\n"
        "8 alias info@example.se -> alice@example.se,bob@example.se\n"
        "9 alias @example.se -> info@example.se\n"
        "10 sendas bob@example.se -> @example.nu\n";
    static struct items it;
    const char *error;
    uint64_t now = time(NULL);

    test_begin("jsonl: every item type parses, normalized, with defaults");
    test_assert_int(parse(PK_FORMAT_JSONL, input, &it, &error), PK_OK);
    test_assert_str(it.text, want);
    test_assert_int(it.created[0], 100);
    test_assert(it.created[1] >= now && it.created[1] <= now + 5);
    test_assert_int(it.created[3], 102);
    test_assert(it.created[4] >= now && it.created[4] <= now + 5);
    test_end();
}

/* test_jsonl_scanner_reads_like_jansson - the fast path changes nothing */

static void test_jsonl_scanner_reads_like_jansson(void)
{
    static const char input[] =
        "{\"type\":\"domain\",\"domain\":\"example.se\",\"quota\":1024,"
        "\"created\":100}\n"
        "{\"type\":\"domain_alias\",\"domain\":\"example.nu\",\"target\":"
        "\"example.se\",\"created\":1}\n"
        "{\"type\":\"account\",\"address\":\"a@example.se\",\"password\":" JHASH
        ",\"state\":\"disabled\","
        "\"quota\":null,\"forward\":[\"x@y.org\",\"b@example.se\"],\"keep_"
        "copy\":true,\"created\":7,\"changed\":8}\n"
        "{\"type\":\"alias\",\"address\":\"@example.se\",\"to\":[\"a@example."
        "se\"],\"created\":0,\"changed\":123456789012345678}\n"
        "{\"type\":\"sendas\",\"login\":\"a@example.se\",\"address\":\"@"
        "example.nu\"}\n";
    static struct items fast, slow;
    char tabbed[sizeof(input) * 2];
    const char *error;
    size_t n = 0;

    test_begin("jsonl: the canonical-form scanner reads what jansson reads");
    /* A tab in front of each line: only jansson takes such a line. */
    tabbed[n++] = '\t';
    for (const char *c = input; *c; c++) {
        tabbed[n++] = *c;
        if (*c == '\n' && c[1] != 0)
            tabbed[n++] = '\t';
    }
    tabbed[n] = 0;
    test_assert_int(parse(PK_FORMAT_JSONL, input, &fast, &error), PK_OK);
    test_assert_int(parse(PK_FORMAT_JSONL, tabbed, &slow, &error), PK_OK);
    test_assert_int(fast.count, 5);
    test_assert_str(fast.text, slow.text);
    test_assert(memcmp(fast.created, slow.created, sizeof(fast.created)) == 0);
    /* What the scanner leaves to jansson: escapes, -0, 19 digits, space. */
    test_assert_int(parse(PK_FORMAT_JSONL,
                          "{\"type\":\"domain\",\"domain\":"
                          "\"\\u0061.se\",\"quota\":-0,\"created\":"
                          "1234567890123456789 }",
                          &slow, &error),
                    PK_OK);
    test_assert_str(slow.text, "1 domain a.se quota=0\n");
    test_assert_int(slow.created[0], 1234567890123456789LL);
    test_assert_int(parse(PK_FORMAT_JSONL,
                          "{\"type\":\"domain\",\"domain\":"
                          "\"a.se\",\"quota\":01}",
                          &slow, &error),
                    PK_EINVAL);
    test_assert(starts(error, "line 1: invalid JSON"));
    test_end();
}

/* test_jsonl_refuses_malformed_lines - each with its line number */

static void test_jsonl_refuses_malformed_lines(void)
{
#define OK1 "{\"type\":\"domain\",\"domain\":\"example.se\"}\n\n"
    static const struct bad bad[] = {
        {OK1 "{\"type\":\"domain\",", "line 3: ", "invalid JSON"},
        {OK1 "[1,2]", "line 3: ", "not a JSON object"},
        {OK1 "{\"domain\":\"example.se\"}", "line 3: ", "\"type\" is missing"},
        {OK1 "{\"type\":\"mailbox\"}", "line 3: ", "unknown \"type\""},
        {OK1 "{\"type\":7}", "line 3: ", "\"type\" must be a string"},
        {OK1 "{\"type\":\"domain\",\"domain\":\"a.se\",\"color\":1}",
         "line 3: ", "unknown key \"color\""},
        {OK1 "{\"type\":\"domain\",\"domain\":\"a.se\",\"quota\":\"1G\"}",
         "line 3: ", "\"quota\" must be a non-negative integer"},
        {OK1 "{\"type\":\"domain\",\"domain\":\"a.se\",\"quota\":-1}",
         "line 3: ", "non-negative"},
        {OK1 "{\"type\":\"domain\",\"domain\":\"a.se\",\"created\":1.5}",
         "line 3: ", "non-negative integer"},
        {OK1 "{\"type\":\"domain\",\"domain\":\"a.se\",\"domain\":\"b.se\"}",
         "line 3: ", "invalid JSON"},
        {OK1 "{\"type\":\"domain\",\"domain\":\"a\\u0000.se\"}",
         "line 3: ", "invalid JSON"},
        {OK1 "{\"type\":\"domain\",\"domain\":\"a..se\"}",
         "line 3: ", "domain"},
        {OK1 "{\"type\":\"domain_alias\",\"domain\":\"a.se\"}",
         "line 3: ", "\"target\" is missing"},
        {OK1
         "{\"type\":\"domain_alias\",\"domain\":\"a.se\",\"target\":\"A.se\"}",
         "line 3: ", "alias of itself"},
        {OK1 "{\"type\":\"account\",\"address\":\"a@a.se\"}",
         "line 3: ", "\"password\" is missing"},
        {OK1 "{\"type\":\"account\",\"address\":\"a@a.se\",\"password\":\"{"
             "PLAIN}secret\"}",
         "line 3: ", "password"},
        {OK1
         "{\"type\":\"account\",\"address\":\"a@a.se\",\"password\":\"$6$x\"}",
         "line 3: ", "password"},
        {OK1 "{\"type\":\"account\",\"address\":\"a@a.se\",\"password\":" JHASH
             ",\"state\":\"asleep\"}",
         "line 3: ", "\"state\""},
        {OK1 "{\"type\":\"account\",\"address\":\"a@a.se\",\"password\":" JHASH
             ",\"keep_copy\":1}",
         "line 3: ", "\"keep_copy\""},
        {OK1 "{\"type\":\"account\",\"address\":\"a@a.se\",\"password\":" JHASH
             ",\"forward\":\"b@a.se\"}",
         "line 3: ", "list"},
        {OK1 "{\"type\":\"account\",\"address\":\"a@a.se\",\"password\":" JHASH
             ",\"forward\":[\"A@a.se\"]}",
         "line 3: ", "itself"},
        {OK1 "{\"type\":\"account\",\"address\":\"@a.se\",\"password\":" JHASH
             "}",
         "line 3: ", "address"},
        {OK1 "{\"type\":\"alias\",\"address\":\"a@a.se\",\"to\":[]}",
         "line 3: ", "\"to\" is empty"},
        {OK1 "{\"type\":\"alias\",\"address\":\"a@a.se\",\"to\":[\"b\"]}",
         "line 3: ", "destination"},
        {OK1
         "{\"type\":\"alias\",\"address\":\"a@a.se\",\"to\":[\"b@a.se\",7]}",
         "line 3: ", "item 2"},
        {OK1
         "{\"type\":\"alias\",\"address\":\"a b@a.se\",\"to\":[\"b@a.se\"]}",
         "line 3: ", "address"},
        {OK1 "{\"type\":\"sendas\",\"login\":\"a@a.se\"}",
         "line 3: ", "\"address\" is missing"},
        {OK1 "{\"type\":\"sendas\",\"login\":\"@a.se\",\"address\":\"b@a.se\"}",
         "line 3: ", "login"},
    };
    char longline[1200];
    static struct items it;
    const char *error;

    test_begin("jsonl: each malformed line is refused with its line number");
    check_bad(PK_FORMAT_JSONL, bad, sizeof(bad) / sizeof(bad[0]));
    /* Overlong strings, and NUL bytes in the raw line. */
    snprintf(longline, sizeof(longline),
             "{\"type\":\"domain\",\"domain\":\"%0*d.se\"}", 1100, 0);
    test_assert_int(parse(PK_FORMAT_JSONL, longline, &it, &error), PK_EINVAL);
    test_assert(strstr(error, "longer than") != NULL);
    test_assert_int(pk_import_parse(PK_FORMAT_JSONL, OK1 "{\"type\"\0:1}",
                                    sizeof(OK1) + 10, record_item, &it, &error),
                    PK_EINVAL);
    test_assert_str(error, "line 3: NUL byte in the line");
    test_end();
}

/* test_jsonl_error_never_quotes_a_hash - jansson's excerpt is cut */

static void test_jsonl_error_never_quotes_a_hash(void)
{
    static struct items it;
    const char *error;

    test_begin("jsonl: a broken line's message does not quote its hash");
    test_assert_int(parse(PK_FORMAT_JSONL,
                          "{\"type\":\"account\",\"password\":\"$6$"
                          "SECRETSALT$xyz\"x}",
                          &it, &error),
                    PK_EINVAL);
    test_assert(starts(error, "line 1: invalid JSON at column"));
    test_assert(strstr(error, "SECRETSALT") == NULL);
    test_assert_int(
        parse(PK_FORMAT_JSONL,
              "{\"type\":\"account\",\"address\":"
              "\"a@a.se\",\"password\":\"{SHA512-CRYPT}$6$SECRETSALT$"
              "xyz\"}",
              &it, &error),
        PK_EINVAL);
    test_assert(strstr(error, "SECRETSALT") == NULL);
    test_end();
}

/* test_dovecot_parses_good_forms - passwd-file lines and hashes */

static void test_dovecot_parses_good_forms(void)
{
    static const char input[] =
        "# Dovecot users\n"
        "alice@Example.se:" FX_HASH
        ":1000:1000::/home/alice::userdb_quota_rule=*:storage=1G\n"
        "\n"
        "  # indented comment\n"
        "bob@example.se:" HASH_SHA512 "\n"
        "carol@example.se:" HASH_BLF
        ":::::: userdb_quota_rule=*:bytes=12345 nologin\n"
        "dave@example.se:" HASH_YES "::::::userdb_quota_rule=*:storage=2048\n"
        "eve@example.se:" HASH_SHA256
        ":1:2:Eve:/h:/bin/sh:userdb_quota_rule=Trash:storage=+10M\n"
        "frank@example.se:" HASH_MD5 ":::::";
    static const char want[] =
        "2 account alice@example.se active quota=1073741824 fwd= keep=0 "
        "pw={SHA512-CRYPT}\n"
        "5 account bob@example.se active quota=default fwd= keep=0 "
        "pw={SHA512-CRYPT}\n"
        "6 account carol@example.se active quota=12345 fwd= keep=0 "
        "pw={BLF-CRYPT}\n"
        "7 account dave@example.se active quota=2097152 fwd= keep=0 "
        "pw={CRYPT}\n"
        "8 account eve@example.se active quota=default fwd= keep=0 "
        "pw={SHA256-CRYPT}\n"
        "9 account frank@example.se active quota=default fwd= keep=0 "
        "pw={MD5-CRYPT}\n";
    static struct items it;
    const char *error;

    test_begin("dovecot-passwd: good lines, bare crypt hashes and quota rules");
    test_assert_int(parse(PK_FORMAT_DOVECOT_PASSWD, input, &it, &error), PK_OK);
    test_assert_str(it.text, want);
    test_end();
}

/* test_dovecot_refuses_malformed_lines - each with its line number */

static void test_dovecot_refuses_malformed_lines(void)
{
#define OK2 "# users\nok@example.se:" FX_HASH "\n"
    static const struct bad bad[] = {
        {OK2 "alice:" FX_HASH, "line 3: ", "not a full address"},
        {OK2 "alice@example.se", "line 3: ", "no password field"},
        {OK2 "alice@example.se::1000", "line 3: ", "password field is empty"},
        {OK2 "alice@example.se:secret", "line 3: ", "plaintext is refused"},
        {OK2 "alice@example.se:{PLAIN}secret", "line 3: ", "password"},
        {OK2 "alice@example.se:$6$broken", "line 3: ", "password"},
        {OK2 "alice@example.se:" FX_HASH "::::::userdb_quota_rule=*:storage=1X",
         "line 3: ", "unknown unit"},
        {OK2 "alice@example.se:" FX_HASH
             "::::::userdb_quota_rule=*:storage=10%",
         "line 3: ", "percent"},
        {OK2 "alice@example.se:" FX_HASH "::::::userdb_quota_rule=*:bytes=",
         "line 3: ", "not a number"},
        {OK2 "alice@example.se:" FX_HASH "::::::userdb_quota_rule=*:bytes="
             "99999999999999999999",
         "line 3: ", "too large"},
        {OK2 "al ice@example.se:" FX_HASH, "line 3: ", "user"},
    };
    static struct items it;
    const char *error;

    test_begin(
        "dovecot-passwd: each malformed line is refused with its line number");
    check_bad(PK_FORMAT_DOVECOT_PASSWD, bad, sizeof(bad) / sizeof(bad[0]));
    test_assert_int(pk_import_parse(PK_FORMAT_DOVECOT_PASSWD, OK2 "a@b.se:\0x",
                                    sizeof(OK2) + 8, record_item, &it, &error),
                    PK_EINVAL);
    test_assert_str(error, "line 3: NUL byte in the line");
    test_end();
}

/* test_virtual_parses_good_forms - virtual(5) lines */

static void test_virtual_parses_good_forms(void)
{
    static const char input[] =
        "# virtual alias table\n"
        "example.se          anything\n"
        "info@Example.se     alice@example.se, bob@example.se\n"
        "sales@example.se    alice@example.se,bob@example.se "
        "carol@elsewhere.org\n"
        "team@example.se     alice@example.se,\n"
        "   # a comment inside does not end the logical line\n"
        "\n"
        "\tbob@example.se\n"
        "  dave@example.se\n"
        "@example.se         info@example.se\n"
        "@example.nu         @example.se\n"
        "postmaster@example.se postmaster@example.se\n"
        "admin@exämple.se    root@example.se\n";
    static const char want[] =
        "3 alias info@example.se -> alice@example.se,bob@example.se\n"
        "4 alias sales@example.se -> "
        "alice@example.se,bob@example.se,carol@elsewhere.org\n"
        "5 alias team@example.se -> "
        "alice@example.se,bob@example.se,dave@example.se\n"
        "10 alias @example.se -> info@example.se\n"
        "11 domain_alias example.nu -> example.se\n"
        "13 alias admin@xn--exmple-cua.se -> root@example.se\n";
    static struct items it;
    const char *error;

    test_begin(
        "postfix-virtual: aliases, catch-all, alias domain, continuations");
    test_assert_int(parse(PK_FORMAT_POSTFIX_VIRTUAL, input, &it, &error),
                    PK_OK);
    test_assert_str(it.text, want);
    test_end();
}

/* test_virtual_refuses_malformed_lines - each with its line number */

static void test_virtual_refuses_malformed_lines(void)
{
#define OK3 "a@example.se b@example.se\n# comment\n"
    static const struct bad bad[] = {
        {OK3 "info@example.se root", "line 3: ", "has no domain"},
        {OK3 "root alice@example.se",
         "line 3: ", "pattern \"root\" has no domain"},
        {OK3 "info@example.se", "line 3: ", "no result"},
        {OK3 "A@Example.se c@example.se", "line 3: ",
         "duplicate pattern a@example.se "
         "(first on line 1)"},
        {OK3 "x@example.se @example.nu", "line 3: ", "whole domain"},
        {OK3 "@example.nu @example.se @example.org",
         "line 3: ", "whole domain"},
        {OK3 "x@example.se x@example.se, y@example.se", "line 3: ", "itself"},
        {OK3 "bad..domain anything", "line 3: ", "domain"},
        {OK3 "@example.se @Example.se", "line 3: ", "alias of itself"},
        {OK3 "x@exa mple.se\n", "line 3: ", "pattern: invalid domain"},
        {"  x@example.se y@example.se\n", "line 1: ", "continuation"},
        {OK3 "x@example.se y@example.se,\n  root\n",
         "line 3: ", "has no domain"},
    };
    static struct items it;
    const char *error;

    test_begin(
        "postfix-virtual: each malformed line is refused with its line number");
    check_bad(PK_FORMAT_POSTFIX_VIRTUAL, bad, sizeof(bad) / sizeof(bad[0]));
    test_assert_int(pk_import_parse(PK_FORMAT_POSTFIX_VIRTUAL,
                                    OK3 "x@a.se\0 b@a.se", sizeof(OK3) + 14,
                                    record_item, &it, &error),
                    PK_EINVAL);
    test_assert_str(error, "line 3: NUL byte in the line");
    test_end();
}

/* test_format_names - the names the CLI passes */

static void test_format_names(void)
{
    enum pk_format f;

    test_begin("format names: jsonl, dovecot-passwd, postfix-virtual");
    test_assert(pk_format_parse("jsonl", &f) == PK_OK && f == PK_FORMAT_JSONL);
    test_assert(pk_format_parse("dovecot-passwd", &f) == PK_OK &&
                f == PK_FORMAT_DOVECOT_PASSWD);
    test_assert(pk_format_parse("postfix-virtual", &f) == PK_OK &&
                f == PK_FORMAT_POSTFIX_VIRTUAL);
    test_assert_int(pk_format_parse("csv", &f), PK_EINVAL);
    test_end();
}

/* An import in a write transaction. */
struct import_call {
    enum pk_format format;
    const char *data;
    size_t len;
    unsigned flags;
    struct pk_import_stats stats;
};

/* do_import - the write function */

static int do_import(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct import_call *c = ctx;

    return pk_import(txn, c->format, c->data, c->len, c->flags, &c->stats,
                     error_r);
}

/* import_text - import a string into a fixture */

static int import_text(struct fixture *fx, enum pk_format format,
                       const char *data, unsigned flags,
                       struct pk_import_stats *stats_r)
{
    struct import_call c = {format, data, strlen(data), flags, {0}};
    int status;

    fx->error = "";
    status = pk_store_write(fx->store, do_import, &c, &fx->error);
    if (stats_r != NULL)
        *stats_r = c.stats;
    return status;
}

/* collect - the export callback: append to a memory stream */

static int collect(const char *line, size_t len, void *ctx)
{
    return fwrite(line, 1, len, ctx) == len ? PK_OK : PK_ETEMP;
}

/* export_text - the whole export of a fixture; the caller frees */

static char *export_text(struct fixture *fx)
{
    struct pk_txn *txn = fx_read(fx);
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    int status = pk_export(txn, collect, fp, &fx->error);

    pk_txn_end(&txn);
    fclose(fp);
    if (status != PK_OK) {
        printf("  export failed: %s\n", fx->error);
        test_failed_now = 1;
    }
    return out;
}

/* count_log - entries in the change log */

static int count_entry(uint64_t seq, const struct pk_logrec *rec, void *ctx)
{
    struct pk_logrec *last = ctx;

    (void)seq;
    pk_logrec_free(last);
    last->op = strdup(rec->op);
    last->subject = strdup(rec->subject);
    last->detail = strdup(rec->detail);
    last->time_us++;
    return 0;
}

/* test_import_bad_line_changes_nothing - all or nothing */

static void test_import_bad_line_changes_nothing(void)
{
    static const char input[] =
        "{\"type\":\"domain\",\"domain\":\"new.se\"}\n"
        "{\"type\":\"account\",\"address\":\"x@new.se\",\"password\":" JHASH
        "}\n"
        "{\"type\":\"account\",\"address\":\"y@new.se\",\"password\":\"{PLAIN}"
        "y\"}\n"
        "{\"type\":\"alias\",\"address\":\"z@new.se\",\"to\":[\"x@new.se\"]}\n";
    static const char dangling[] =
        "{\"type\":\"domain\",\"domain\":\"new.se\"}\n"
        "{\"type\":\"account\",\"address\":\"x@new.se\",\"password\":" JHASH
        "}\n"
        "{\"type\":\"alias\",\"address\":\"z@new.se\",\"to\":[\"x@new.se\","
        "\"nobody@example.se\"]}\n"
        "{\"type\":\"account\",\"address\":\"w@new.se\",\"password\":" JHASH
        "}\n";
    struct fixture fx;
    struct pk_txn *txn;
    size_t before, after;
    char *dump;

    test_begin("import: a bad line in the middle changes nothing");
    fixture_open(&fx);
    fx_domain(&fx, "example.se");
    fx_account(&fx, "alice@example.se");
    txn = fx_read(&fx);
    pk_txn_count(txn, PK_DB_ADDRESSES, &before, &fx.error);
    pk_txn_end(&txn);
    dump = fx_dump(&fx);
    test_assert_int(import_text(&fx, PK_FORMAT_JSONL, input, 0, NULL),
                    PK_EINVAL);
    test_assert(starts(fx.error, "line 3: password"));
    txn = fx_read(&fx);
    pk_txn_count(txn, PK_DB_ADDRESSES, &after, &fx.error);
    pk_txn_end(&txn);
    test_assert_int(after, before);
    test_assert(fx_unchanged(&fx, dump));
    /* A reference that fails in the final check: the same. */
    dump = fx_dump(&fx);
    test_assert_int(import_text(&fx, PK_FORMAT_JSONL, dangling, 0, NULL),
                    PK_EINVAL);
    test_assert(starts(fx.error, "line 3: z@new.se: "));
    test_assert(strstr(fx.error, "nobody@example.se") != NULL);
    test_assert(fx_unchanged(&fx, dump));
    fixture_close(&fx);
    test_end();
}

/* build_everything - a database with every kind of record */

static void build_everything(struct fixture *fx)
{
    static const char *states[] = {"suspended", "send-blocked",
                                   "receive-blocked", "disabled"};
    int ok = 1;

    ok &= fx_domain(fx, "example.se") == PK_OK;
    ok &= fx_domain(fx, "exämple.se") == PK_OK;
    ok &= fx_domain(fx, "other.org") == PK_OK;
    ok &= fx_domain_alias(fx, "example.nu", "example.se") == PK_OK;
    ok &= fx_account(fx, "alice@example.se") == PK_OK;
    ok &= fx_account(fx, "bob@example.se") == PK_OK;
    ok &= fx_account(fx, "zoe@exämple.se") == PK_OK;
    for (int i = 0; i < 4; i++) {
        char addr[64];

        snprintf(addr, sizeof(addr), "%s@other.org", states[i]);
        ok &= fx_account(fx, addr) == PK_OK;
    }
    ok &= fx_forward(fx, "bob@example.se", "keep", "bob@gmail.com",
                     "zoe@exämple.se", NULL) == PK_OK;
    ok &= fx_forward(fx, "zoe@exämple.se", NULL, "zoe@outside.net", NULL) ==
          PK_OK;
    ok &= fx_alias(fx, "info@example.se", "alice@example.se", "bob@example.se",
                   NULL) == PK_OK;
    ok &= fx_alias(fx, "all@example.se", "info@example.se", "zoe@exämple.se",
                   "partner@outside.net", NULL) == PK_OK;
    ok &= fx_alias(fx, "@example.se", "alice@example.se", NULL) == PK_OK;
    ok &= fx_alias(fx, "sales@example.nu", "all@example.se", NULL) == PK_OK;
    ok &= fx_grant(fx, "alice@example.se", "billing@example.se") == PK_OK;
    ok &= fx_grant(fx, "alice@example.se", "@other.org") == PK_OK;
    ok &= fx_grant(fx, "zoe@exämple.se", "info@example.se") == PK_OK;
    if (!ok) {
        printf("  building the database failed: %s\n", fx->error);
        test_failed_now = 1;
    }
}

/* set_states - states and quotas, in one write */

static int set_states(struct pk_txn *txn, void *ctx, const char **error_r)
{
    static const char *addrs[] = {
        "suspended@other.org", "send-blocked@other.org",
        "receive-blocked@other.org", "disabled@other.org"};
    int status = PK_OK;

    (void)ctx;
    for (int i = 0; i < 4 && status == PK_OK; i++)
        status = pk_account_set_state(txn, addrs[i], i + 1, error_r);
    if (status == PK_OK)
        status =
            pk_account_set_quota(txn, "alice@example.se", 1 << 30, error_r);
    if (status == PK_OK)
        status = pk_account_set_quota(txn, "bob@example.se", 0, error_r);
    if (status == PK_OK)
        status = pk_domain_set_quota(txn, "other.org", 5 << 20, error_r);
    return status;
}

/* test_export_import_export_is_identical - the round trip */

static void test_export_import_export_is_identical(void)
{
    struct fixture a, b;
    struct pk_import_stats st;
    char *first, *second;
    struct pk_logrec last = {0};
    struct pk_txn *txn;

    test_begin("export, import into an empty database, export: same bytes");
    fixture_open(&a);
    build_everything(&a);
    test_assert_int(pk_store_write(a.store, set_states, NULL, &a.error), PK_OK);
    first = export_text(&a);
    fixture_open(&b);
    test_assert_int(import_text(&b, PK_FORMAT_JSONL, first, 0, &st), PK_OK);
    test_assert_int(st.domains, 4);
    test_assert_int(st.accounts, 7);
    test_assert_int(st.aliases, 4);
    test_assert_int(st.sendas, 3);
    second = export_text(&b);
    test_assert_str(second, first);
    test_assert(strstr(first,
                       "{\"type\":\"domain\",\"domain\":\"xn--exmple-cua.se\","
                       "\"quota\":0,\"created\":") != NULL);
    test_assert(
        strstr(first,
               "\"address\":\"disabled@other.org\",\"password\":\"" FX_HASH
               "\",\"state\":\"disabled\",\"quota\":null,\"forward\""
               ":[],\"keep_copy\":false,") != NULL);
    test_assert(strstr(first, "{\"type\":\"alias\",\"address\":\"@example.se\","
                              "\"to\":[\"alice@example.se\"],") != NULL);
    test_assert(strstr(first,
                       "{\"type\":\"sendas\",\"login\":\"alice@example.se\","
                       "\"address\":\"@other.org\"}\n") != NULL);
    /* One change log entry for the whole import. */
    txn = fx_read(&b);
    test_assert_int(pk_changelog_iter(txn, 0, count_entry, &last, &b.error),
                    PK_OK);
    pk_txn_end(&txn);
    test_assert_int(last.time_us, 1);
    test_assert_str(last.op, "import");
    test_assert_str(last.subject, "jsonl");
    test_assert_str(last.detail, "4 domains, 7 accounts, 4 aliases, 3 grants");
    pk_logrec_free(&last);
    free(first);
    free(second);
    fixture_close(&a);
    fixture_close(&b);
    test_end();
}

/* test_import_stores_in_key_order - buckets, sorting, duplicates */

static void test_import_stores_in_key_order(void)
{
#define LONG "averyveryverylonglocalpart"
    static const char input[] =
        "{\"type\":\"domain\",\"domain\":\"b.se\"}\n"
        "{\"type\":\"domain\",\"domain\":\"a.se\"}\n"
        "{\"type\":\"alias\",\"address\":\"" LONG "3@a.se\",\"to\":[\"" LONG
        "2@a.se\",\"" LONG "@a.se\"]}\n"
        "{\"type\":\"account\",\"address\":\"" LONG
        "2@a.se\",\"password\":" JHASH "}\n"
        "{\"type\":\"account\",\"address\":\"z@b.se\",\"password\":" JHASH "}\n"
        "{\"type\":\"account\",\"address\":\"" LONG
        "@a.se\",\"password\":" JHASH "}\n"
        "{\"type\":\"alias\",\"address\":\"@a.se\",\"to\":[\"z@b.se\"]}\n"
        "{\"type\":\"account\",\"address\":\"a@a.se\",\"password\":" JHASH
        "}\n";
    static const char *order[] = {"@a.se",       "a@a.se",      LONG "@a.se",
                                  LONG "2@a.se", LONG "3@a.se", "z@b.se"};
    struct fixture fx;
    struct pk_txn *txn;
    struct pk_cursor *cur;
    struct pk_addr addr;
    const void *k, *v;
    size_t klen, vlen, n = 0;
    char text[PK_ADDR_MAX + 1];

    test_begin("import: entries land in key order, long local parts included");
    fixture_open(&fx);
    test_assert_int(import_text(&fx, PK_FORMAT_JSONL, input, 0, NULL), PK_OK);
    txn = fx_read(&fx);
    test_assert_int(
        pk_cursor_open(txn, PK_DB_ADDRESSES, NULL, 0, &cur, &fx.error), PK_OK);
    while (pk_cursor_next(cur, &k, &klen, &v, &vlen, &fx.error) == PK_OK) {
        test_assert_int(pk_addr_from_key(k, klen, &addr), PK_OK);
        pk_addr_format(&addr, text);
        test_assert(n < 6 && strcmp(text, order[n]) == 0);
        n++;
    }
    test_assert_int(n, 6);
    pk_cursor_close(&cur);
    pk_txn_end(&txn);
    fixture_close(&fx);
    /* The same address twice: the second one is named. */
    fixture_open(&fx);
    test_assert_int(
        import_text(&fx, PK_FORMAT_JSONL,
                    "{\"type\":\"domain\",\"domain\":\"a.se\"}\n"
                    "{\"type\":\"account\",\"address\":\"" LONG
                    "@a.se\",\"password\":" JHASH "}\n"
                    "{\"type\":\"alias\",\"address\":\"x@a.se\",\"to\":[\"" LONG
                    "@a.se\"]}\n"
                    "{\"type\":\"alias\",\"address\":\"" LONG
                    "@A.se\",\"to\":[\"x@y.se\"]}\n",
                    0, NULL),
        PK_EEXIST);
    test_assert_str(fx.error, "line 4: " LONG "@a.se already exists");
    fixture_close(&fx);
    test_end();
}

/* test_import_refuses_existing_entries - nothing is overwritten */

static void test_import_refuses_existing_entries(void)
{
    struct fixture fx;
    char *dump;

    test_begin("import: an existing domain, address or grant is refused");
    fixture_open(&fx);
    build_everything(&fx);
    dump = fx_dump(&fx);
    test_assert_int(
        import_text(&fx, PK_FORMAT_JSONL,
                    "\n{\"type\":\"account\",\"address\":\"Alice@example.se\","
                    "\"password\":" JHASH "}",
                    0, NULL),
        PK_EEXIST);
    test_assert_str(fx.error, "line 2: alice@example.se already exists");
    test_assert_int(import_text(&fx, PK_FORMAT_POSTFIX_VIRTUAL,
                                "alice@example.se bob@example.se\n", 0, NULL),
                    PK_EEXIST);
    test_assert_int(
        import_text(&fx, PK_FORMAT_JSONL,
                    "{\"type\":\"domain\",\"domain\":\"example.se\"}", 0, NULL),
        PK_EEXIST);
    test_assert_str(fx.error, "line 1: domain example.se already exists");
    test_assert_int(
        import_text(&fx, PK_FORMAT_JSONL,
                    "{\"type\":\"sendas\",\"login\":\"alice@example.se\","
                    "\"address\":\"billing@example.se\"}",
                    0, NULL),
        PK_EEXIST);
    test_assert(fx_unchanged(&fx, dump));
    fixture_close(&fx);
    test_end();
}

/* test_import_create_domains - missing domains: refused, or added */

static void test_import_create_domains(void)
{
    static const char users[] = "alice@new.se:" HASH_SHA512 "\n"
                                "bob@new.se:" HASH_SHA512 "\n"
                                "carol@newer.se:" HASH_SHA512 "\n";
    struct fixture fx;
    struct pk_import_stats st;
    struct pk_domain dom;
    struct pk_txn *txn;
    char *dump;

    test_begin("import: a missing domain is refused, or created when asked");
    fixture_open(&fx);
    dump = fx_dump(&fx);
    test_assert_int(import_text(&fx, PK_FORMAT_DOVECOT_PASSWD, users, 0, NULL),
                    PK_EINVAL);
    test_assert(
        starts(fx.error, "line 1: alice@new.se: domain new.se does not exist"));
    test_assert(fx_unchanged(&fx, dump));
    test_assert_int(import_text(&fx, PK_FORMAT_DOVECOT_PASSWD, users,
                                PK_IMPORT_CREATE_DOMAINS, &st),
                    PK_OK);
    test_assert_int(st.domains, 2);
    test_assert_int(st.accounts, 3);
    txn = fx_read(&fx);
    test_assert_int(pk_domain_get(txn, "newer.se", &dom, &fx.error), PK_OK);
    test_assert_int(dom.kind, PK_DOMAIN_HOSTED);
    pk_txn_end(&txn);
    /* A virtual table: its alias domain replaces a domain it created. */
    test_assert_int(import_text(&fx, PK_FORMAT_POSTFIX_VIRTUAL,
                                "sales@old.se alice@new.se\n@old.se @new.se\n",
                                PK_IMPORT_CREATE_DOMAINS, &st),
                    PK_OK);
    txn = fx_read(&fx);
    test_assert_int(pk_domain_get(txn, "old.se", &dom, &fx.error), PK_OK);
    test_assert_int(dom.kind, PK_DOMAIN_ALIAS);
    test_assert_str(dom.target, "new.se");
    pk_txn_end(&txn);
    fixture_close(&fx);
    test_end();
}

/* test_import_refuses_loops - an alias cycle made by an import */

static void test_import_refuses_loops(void)
{
    static const char chain[] = "{\"type\":\"alias\",\"address\":\"a@example."
                                "se\",\"to\":[\"b@example.se\"]}\n"
                                "{\"type\":\"alias\",\"address\":\"b@example."
                                "se\",\"to\":[\"c@example.se\"]}\n"
                                "{\"type\":\"alias\",\"address\":\"c@example."
                                "se\",\"to\":[\"info@example.se\"]}\n";
    struct fixture fx;
    char *dump;

    test_begin(
        "import: an alias loop is refused, also through an alias domain");
    fixture_open(&fx);
    fx_domain(&fx, "example.se");
    fx_domain_alias(&fx, "example.nu", "example.se");
    fx_account(&fx, "alice@example.se");
    fx_alias(&fx, "info@example.se", "alice@example.se", NULL);
    /* A chain that ends in an existing alias is no loop. */
    test_assert_int(import_text(&fx, PK_FORMAT_JSONL, chain, 0, NULL), PK_OK);
    dump = fx_dump(&fx);
    test_assert_int(import_text(&fx, PK_FORMAT_POSTFIX_VIRTUAL,
                                "d@example.se e@example.se\n"
                                "e@example.se a@example.se, d@example.se\n",
                                0, NULL),
                    PK_ELIMIT);
    test_assert(strstr(fx.error, "loop") != NULL);
    test_assert(starts(fx.error, "line 1: d@example.se: "));
    /* d@example.nu is d@example.se through the alias domain. */
    test_assert_int(import_text(&fx, PK_FORMAT_POSTFIX_VIRTUAL,
                                "d@example.se d@example.nu\n", 0, NULL),
                    PK_ELIMIT);
    test_assert(strstr(fx.error, "loop") != NULL);
    test_assert(fx_unchanged(&fx, dump));
    fixture_close(&fx);
    test_end();
}

/* test_import_checks_references - domains, logins, destinations */

static void test_import_checks_references(void)
{
    static const struct {
        enum pk_format format;
        const char *input;
        int status;
        const char *words;
    } cases[] = {
        {PK_FORMAT_JSONL,
         "{\"type\":\"domain_alias\",\"domain\":\"a.nu\",\"target\":"
         "\"missing.se\"}",
         PK_EINVAL, "line 1: alias domain a.nu: target missing.se"},
        {PK_FORMAT_JSONL,
         "{\"type\":\"domain_alias\",\"domain\":\"a.nu\",\"target\":"
         "\"example.nu\"}",
         PK_EINVAL, "target example.nu is not a hosted domain"},
        {PK_FORMAT_JSONL,
         "{\"type\":\"account\",\"address\":\"x@example.nu\","
         "\"password\":" JHASH "}",
         PK_EINVAL, "an account cannot live there"},
        {PK_FORMAT_POSTFIX_VIRTUAL, "@example.nu alice@example.se", PK_EINVAL,
         "a catch-all cannot live there"},
        {PK_FORMAT_JSONL,
         "{\"type\":\"sendas\",\"login\":\"info@example.se\","
         "\"address\":\"x@example.se\"}",
         PK_EINVAL, "line 1: send-as login info@example.se is not an account"},
        {PK_FORMAT_POSTFIX_VIRTUAL, "x@example.se nobody@example.se", PK_EINVAL,
         "nobody@example.se is not an account or alias here"},
        {PK_FORMAT_POSTFIX_VIRTUAL,
         "@example.se alice@example.se\n"
         "x@example.se nobody@example.se",
         PK_EINVAL, "only the catch-all"},
        {PK_FORMAT_JSONL,
         "{\"type\":\"account\",\"address\":\"x@example.se\","
         "\"password\":" JHASH ",\"forward\":[\"nobody@example.nu\"]}",
         PK_EINVAL, "nobody@example.nu"},
        /* A new domain turns an outside destination into an unknown one. */
        {PK_FORMAT_JSONL, "{\"type\":\"domain\",\"domain\":\"partner.org\"}",
         PK_EINVAL, "info@example.se: bob@partner.org is not an account"},
    };
    struct fixture fx;
    char *dump;

    test_begin("import: references are checked when the import ends");
    fixture_open(&fx);
    fx_domain(&fx, "example.se");
    fx_domain_alias(&fx, "example.nu", "example.se");
    fx_account(&fx, "alice@example.se");
    fx_alias(&fx, "info@example.se", "alice@example.se", "bob@partner.org",
             NULL);
    dump = fx_dump(&fx);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int status = import_text(&fx, cases[i].format, cases[i].input, 0, NULL);

        if (status != cases[i].status ||
            strstr(fx.error, cases[i].words) == NULL) {
            printf("  case %zu: status %d, message \"%s\"\n", i, status,
                   fx.error);
            test_failed_now = 1;
        }
    }
    test_assert(fx_unchanged(&fx, dump));
    /* Allowed: an alias in an alias domain, a subaddress, a catch-all. */
    test_assert_int(import_text(&fx, PK_FORMAT_POSTFIX_VIRTUAL,
                                "sales@example.nu alice+sales@example.se\n"
                                "@example.se alice@example.se\n",
                                0, NULL),
                    PK_OK);
    fixture_close(&fx);
    test_end();
}

/* test_import_rechecks_entries_from_before - a new entry shadows */

static void test_import_rechecks_entries_from_before(void)
{
    struct fixture fx;
    char from[64], to[64], *dump;

    test_begin(
        "import: an older alias that a new entry pushes too deep is refused");
    fixture_open(&fx);
    fx_domain(&fx, "example.se");
    fx_account(&fx, "bob@example.se");
    /* a15 -> bob+t, which reaches bob through the subaddress. */
    fx_alias(&fx, "a15@example.se", "bob+t@example.se", NULL);
    for (int i = 14; i >= 1; i--) {
        snprintf(from, sizeof(from), "a%d@example.se", i);
        snprintf(to, sizeof(to), "a%d@example.se", i + 1);
        test_assert_int(fx_alias(&fx, from, to, NULL), PK_OK);
    }
    dump = fx_dump(&fx);
    /* bob+t itself resolves in three steps; a1 now needs eighteen. */
    test_assert_int(import_text(&fx, PK_FORMAT_POSTFIX_VIRTUAL,
                                "bob+t@example.se c1@example.se\n"
                                "c1@example.se c2@example.se\n"
                                "c2@example.se bob@example.se\n",
                                0, NULL),
                    PK_ELIMIT);
    test_assert(starts(fx.error, "after this import, a1@example.se: "));
    test_assert(fx_unchanged(&fx, dump));
    /* Two levels fewer fit. */
    test_assert_int(import_text(&fx, PK_FORMAT_POSTFIX_VIRTUAL,
                                "bob+t@example.se bob@example.se\n", 0, NULL),
                    PK_OK);
    fixture_close(&fx);
    test_end();
}

/* apply_one - the begin/apply/finish calls with an item of our own */

static int apply_one(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct pk_item *item = ctx;
    struct pk_import *imp = pk_import_begin(txn, PK_IMPORT_CREATE_DOMAINS);
    struct pk_import_stats st;
    int status;

    if ((status = pk_import_apply(imp, item, error_r)) == PK_OK)
        status = pk_import_finish(imp, &st, error_r);
    pk_import_free(&imp);
    return status;
}

/* test_import_apply_wants_canonical_items - the API for other callers */

static void test_import_apply_wants_canonical_items(void)
{
    struct fixture fx;
    struct pk_item *item = calloc(1, sizeof(*item));

    test_begin("import apply: an item of another caller must be canonical");
    fixture_open(&fx);
    item->type = PK_ITEM_ALIAS;
    item->entry.type = PK_REC_ALIAS;
    snprintf(item->name, sizeof(item->name), "Info@Example.se");
    pk_strlist_add(&item->entry.u.alias.dest, "someone@outside.net");
    test_assert_int(pk_store_write(fx.store, apply_one, item, &fx.error),
                    PK_EINVAL);
    test_assert(strstr(fx.error, "canonical") != NULL);
    snprintf(item->name, sizeof(item->name), "info@example.se");
    test_assert_int(pk_store_write(fx.store, apply_one, item, &fx.error),
                    PK_OK);
    pk_item_free(item);
    free(item);
    fixture_close(&fx);
    test_end();
}

/* keys_and_limits - two DKIM keys (one rotated out) and four limits */

struct keys_and_limits {
    char *pem[2];
};

static int add_keys_and_limits(struct pk_txn *txn, void *ctx,
                               const char **error_r)
{
    struct keys_and_limits *k = ctx;
    struct pk_ratelimit lim = {100, 500, 3600};
    char sel[PK_DKIM_SELECTOR_MAX + 1];
    int status;

    if ((status =
             pk_dkim_keygen(txn, "example.se", "s1", PK_DKIM_ED25519_SHA256,
                            k->pem[0], sel, error_r)) != PK_OK ||
        (status =
             pk_dkim_rotate(txn, "example.se", "s2", PK_DKIM_ED25519_SHA256,
                            k->pem[1], sel, error_r)) != PK_OK ||
        (status = pk_ratelimit_set(txn, PK_RATELIMIT_ACCOUNT, NULL, &lim,
                                   error_r)) != PK_OK ||
        (status = pk_ratelimit_set(txn, PK_RATELIMIT_DOMAIN, NULL, &lim,
                                   error_r)) != PK_OK)
        return status;
    lim.messages = 7;
    if ((status = pk_ratelimit_set(txn, PK_RATELIMIT_ACCOUNT,
                                   "alice@example.se", &lim, error_r)) != PK_OK)
        return status;
    lim.recipients = 0;
    return pk_ratelimit_set(txn, PK_RATELIMIT_DOMAIN, "other.org", &lim,
                            error_r);
}

/* check_report - pk_check()'s report function: count */

static void check_report(const char *object, const char *msg, void *ctx)
{
    printf("  check: %s: %s\n", object, msg);
}

/* problems - what pk_check() finds in a fixture */

static size_t problems(struct fixture *fx)
{
    struct pk_txn *txn = fx_read(fx);
    size_t n = 0;

    if (pk_check(txn, check_report, NULL, &n, &fx->error) != PK_OK)
        n = 1000;
    pk_txn_end(&txn);
    return n;
}

/* test_export_import_carries_keys_and_limits - DKIM and rate limits */

static void test_export_import_carries_keys_and_limits(void)
{
    struct keys_and_limits k = {{NULL, NULL}};
    struct fixture a, b;
    struct pk_import_stats st;
    char *first = NULL, *second = NULL;
    struct pk_ratelimit lim;
    struct pk_txn *txn;

    test_begin("export and import carry DKIM keys and rate limits");
    fixture_open(&a);
    build_everything(&a);
    test_assert_int(
        pk_dkim_generate(PK_DKIM_ED25519_SHA256, 0, &k.pem[0], &a.error),
        PK_OK);
    test_assert_int(
        pk_dkim_generate(PK_DKIM_ED25519_SHA256, 0, &k.pem[1], &a.error),
        PK_OK);
    test_assert_int(pk_store_write(a.store, add_keys_and_limits, &k, &a.error),
                    PK_OK);
    first = export_text(&a);
    test_assert(first != NULL &&
                strstr(first, "{\"type\":\"dkim\",\"domain\":\"example.se\","
                              "\"selector\":\"s1\",\"algorithm\":"
                              "\"ed25519-sha256\",\"active\":false,\"key\":"
                              "\"-----BEGIN PRIVATE KEY-----\\n") != NULL);
    test_assert(first != NULL &&
                strstr(first, "\"selector\":\"s2\",\"algorithm\":"
                              "\"ed25519-sha256\",\"active\":true,") != NULL);
    test_assert(first != NULL &&
                strstr(first, "{\"type\":\"ratelimit\",\"scope\":\"account\","
                              "\"messages\":100,\"recipients\":500,"
                              "\"window\":3600}\n") != NULL);
    test_assert(first != NULL &&
                strstr(first, "{\"type\":\"ratelimit\",\"scope\":\"domain\","
                              "\"subject\":\"other.org\",\"messages\":7,"
                              "\"recipients\":0,\"window\":3600}\n") != NULL);
    fixture_open(&b);
    test_assert_int(
        import_text(&b, PK_FORMAT_JSONL, first ? first : "", 0, &st), PK_OK);
    test_assert_int(st.dkim, 2);
    test_assert_int(st.ratelimits, 4);
    second = export_text(&b);
    test_assert(first != NULL && second != NULL && strcmp(first, second) == 0);
    txn = fx_read(&b);
    test_assert_int(pk_ratelimit_get(txn, PK_RATELIMIT_ACCOUNT,
                                     "alice@example.se", &lim, &b.error),
                    PK_OK);
    test_assert_int(lim.messages, 7);
    pk_txn_end(&txn);
    test_assert_int(problems(&b), 0);
    /* The same keys and limits again: each exists already. */
    test_assert_int(
        import_text(&b, PK_FORMAT_JSONL,
                    strstr(first ? first : "", "{\"type\":\"dkim\""), 0, NULL),
        PK_EEXIST);
    test_assert(strstr(b.error, "DKIM key s1 of example.se already exists") !=
                NULL);
    pk_dkim_pem_free(&k.pem[0]);
    pk_dkim_pem_free(&k.pem[1]);
    free(first);
    free(second);
    fixture_close(&a);
    fixture_close(&b);
    test_end();
}

/* expand_pem - a template with each "@PEM@" replaced by the key text */

static void expand_pem(const char *tmpl, const char *pem, char *out,
                       size_t size)
{
    size_t used = 0, plen = strlen(pem);
    const char *mark;

    while ((mark = strstr(tmpl, "@PEM@")) != NULL &&
           used + (mark - tmpl) + plen < size) {
        memcpy(out + used, tmpl, mark - tmpl);
        used += mark - tmpl;
        memcpy(out + used, pem, plen);
        used += plen;
        tmpl = mark + 5;
    }
    snprintf(out + used, size - used, "%s", tmpl);
}

/* test_import_refuses_bad_keys_and_limits - each broken rule, one line */

static void test_import_refuses_bad_keys_and_limits(void)
{
    static const struct {
        const char *line;
        int status;
        const char *message;
    } cases[] = {
        {"{\"type\":\"dkim\",\"domain\":\"nowhere.se\",\"selector\":\"s\","
         "\"algorithm\":\"ed25519-sha256\",\"active\":true,\"key\":\"@PEM@\"}",
         PK_EINVAL, "line 2: DKIM key s: nowhere.se is not a hosted domain"},
        {"{\"type\":\"dkim\",\"domain\":\"example.se\",\"selector\":\"s\","
         "\"algorithm\":\"rsa-sha256\",\"active\":true,\"key\":\"@PEM@\"}",
         PK_EINVAL, "line 2: DKIM key s of example.se is not a private key"},
        {"{\"type\":\"dkim\",\"domain\":\"example.se\",\"selector\":\"s\","
         "\"algorithm\":\"ed25519-sha256\",\"active\":true,\"key\":\"x\"}",
         PK_EINVAL, "line 2: DKIM key s of example.se is not a private key"},
        {"{\"type\":\"dkim\",\"domain\":\"example.se\",\"selector\":\"s\","
         "\"algorithm\":\"ed25519-sha256\",\"active\":true,\"key\":\"@PEM@\"}\n"
         "{\"type\":\"dkim\",\"domain\":\"example.se\",\"selector\":\"t\","
         "\"algorithm\":\"ed25519-sha256\",\"active\":true,\"key\":\"@PEM@\"}",
         PK_EINVAL, "at most one signs"},
        {"{\"type\":\"dkim\",\"domain\":\"example.se\",\"selector\":\"a_b\","
         "\"algorithm\":\"ed25519-sha256\",\"active\":true,\"key\":\"k\"}",
         PK_EINVAL, "line 2: \"selector\" is not a DKIM selector"},
        {"{\"type\":\"dkim\",\"domain\":\"example.se\",\"selector\":\"s\","
         "\"algorithm\":\"ed25519-sha256\",\"key\":\"k\"}",
         PK_EINVAL, "line 2: \"active\" must be true or false"},
        {"{\"type\":\"ratelimit\",\"scope\":\"account\",\"subject\":"
         "\"nobody@example.se\",\"messages\":1,\"recipients\":1,\"window\":60}",
         PK_EINVAL, "line 2: rate limit: nobody@example.se is not an account"},
        {"{\"type\":\"ratelimit\",\"scope\":\"domain\",\"subject\":"
         "\"nowhere.se\",\"messages\":1,\"recipients\":1,\"window\":60}",
         PK_EINVAL, "line 2: rate limit: nowhere.se is not a hosted domain"},
        {"{\"type\":\"ratelimit\",\"scope\":\"account\",\"messages\":1,"
         "\"recipients\":1,\"window\":0}",
         PK_EINVAL, "line 2: \"window\" must be 1 to"},
        {"{\"type\":\"ratelimit\",\"scope\":\"account\",\"messages\":"
         "4294967296,\"recipients\":1,\"window\":60}",
         PK_EINVAL, "line 2: \"messages\" is larger than"},
        {"{\"type\":\"ratelimit\",\"scope\":\"host\",\"messages\":1,"
         "\"recipients\":1,\"window\":60}",
         PK_EINVAL, "line 2: \"scope\" must be account or domain"},
        {"{\"type\":\"ratelimit\",\"scope\":\"account\",\"recipients\":1,"
         "\"window\":60}",
         PK_EINVAL, "line 2: \"messages\" is missing"},
        {"{\"type\":\"ratelimit\",\"scope\":\"account\",\"messages\":1,"
         "\"recipients\":1,\"window\":60}\n"
         "{\"type\":\"ratelimit\",\"scope\":\"account\",\"messages\":2,"
         "\"recipients\":1,\"window\":60}",
         PK_EEXIST, "line 3: a rate limit for every account is already set"},
    };
    struct fixture fx;
    char *pem = NULL, *dump, input[8192], json[4096];
    size_t j = 0;

    test_begin("import: bad DKIM keys and rate limits are refused by line");
    fixture_open(&fx);
    fx_domain(&fx, "example.se");
    fx_account(&fx, "alice@example.se");
    test_assert_int(
        pk_dkim_generate(PK_DKIM_ED25519_SHA256, 0, &pem, &fx.error), PK_OK);
    /* The PEM as a JSON string: newlines escaped. */
    for (const char *c = pem ? pem : ""; *c && j + 3 < sizeof(json); c++) {
        if (*c == '\n') {
            json[j++] = '\\';
            json[j++] = 'n';
        } else {
            json[j++] = *c;
        }
    }
    json[j] = 0;
    dump = fx_dump(&fx);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = snprintf(input, sizeof(input),
                         "{\"type\":\"domain\",\"domain\":\"fresh.se\"}\n");

        expand_pem(cases[i].line, json, input + n, sizeof(input) - n);
        if (import_text(&fx, PK_FORMAT_JSONL, input, 0, NULL) !=
                cases[i].status ||
            strstr(fx.error, cases[i].message) == NULL) {
            printf("  case %zu: %s\n", i, fx.error);
            test_failed_now = 1;
        }
        /* A private key is never quoted in a message. */
        test_assert(strstr(fx.error, "PRIVATE") == NULL);
    }
    test_assert(fx_unchanged(&fx, dump));
    pk_dkim_pem_free(&pem);
    fixture_close(&fx);
    test_end();
}

int main(void)
{
    test_jsonl_parses_every_item_type();
    test_jsonl_scanner_reads_like_jansson();
    test_jsonl_refuses_malformed_lines();
    test_jsonl_error_never_quotes_a_hash();
    test_dovecot_parses_good_forms();
    test_dovecot_refuses_malformed_lines();
    test_virtual_parses_good_forms();
    test_virtual_refuses_malformed_lines();
    test_format_names();
    test_import_bad_line_changes_nothing();
    test_export_import_export_is_identical();
    test_export_import_carries_keys_and_limits();
    test_import_refuses_bad_keys_and_limits();
    test_import_refuses_existing_entries();
    test_import_stores_in_key_order();
    test_import_create_domains();
    test_import_refuses_loops();
    test_import_checks_references();
    test_import_rechecks_entries_from_before();
    test_import_apply_wants_canonical_items();
    return test_exit();
}
