/*++
/* NAME
/*	test-record 1
/* SUMMARY
/*	unit tests of the stored value encoding (common/record.c)
/* SYNOPSIS
/*	test-record
/* DESCRIPTION
/*	Every record type round-trips; the documented byte layout is pinned;
/*	every malformed value (truncated, trailing bytes, newer version,
/*	NUL inside a string, wrong type, absurd list count, out-of-range
/*	field) is refused; string lists and state names behave.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <stdbool.h>
#include <string.h>

#include "record.h"
#include "test.h"

/* sample_account - an account with every field set */

static void sample_account(struct pk_entry *ent)
{
    memset(ent, 0, sizeof(*ent));
    ent->type = PK_REC_ACCOUNT;
    ent->u.account.state = PK_STATE_SEND_BLOCKED;
    ent->u.account.quota = 2ULL << 30;
    strcpy(ent->u.account.password, "{SHA512-CRYPT}$6$salt$hash");
    pk_strlist_add(&ent->u.account.forward, "a@elsewhere.org");
    pk_strlist_add(&ent->u.account.forward, "b@example.se");
    ent->u.account.keep_copy = true;
    ent->u.account.created = 1700000000;
    ent->u.account.changed = 1700000001;
}

/* sample_alias - an alias with two destinations */

static void sample_alias(struct pk_entry *ent)
{
    memset(ent, 0, sizeof(*ent));
    ent->type = PK_REC_ALIAS;
    pk_strlist_add(&ent->u.alias.dest, "alice@example.se");
    pk_strlist_add(&ent->u.alias.dest, "bob@elsewhere.org");
    ent->u.alias.created = 42;
    ent->u.alias.changed = UINT64_MAX - 1;
}

/* encode_entry - encode into a fresh buffer */

static struct pk_buf encode_entry(const struct pk_entry *ent)
{
    struct pk_buf buf = {0};

    if (pk_record_encode_entry(ent, &buf) != PK_OK)
        buf.failed = true;
    return buf;
}

/* entry_status - decode and free; the status only */

static int entry_status(const void *data, size_t len)
{
    struct pk_entry ent;
    struct pk_entry_view view;
    int status = pk_record_decode_entry(data, len, &ent);
    int vstatus = pk_record_view_entry(data, len, &view);

    /* The lookup view refuses exactly what the decoder refuses. */
    if (vstatus != status && !(status == PK_ENOMEM)) {
        printf("  view answers %d where decode answers %d\n", vstatus, status);
        test_failed_now = 1;
    }
    if (status == PK_OK)
        pk_entry_free(&ent);
    return status;
}

/* all_prefixes_refused - every truncation of a value is PK_ECORRUPT */

static bool all_prefixes_refused(const struct pk_buf *buf,
                                 int (*decode)(const void *, size_t))
{
    for (size_t n = 0; n < buf->len; n++) {
        if (decode(buf->data, n) != PK_ECORRUPT) {
            printf("  a prefix of %zu of %zu bytes was not refused\n", n,
                   buf->len);
            return false;
        }
    }
    return true;
}

static int domain_status(const void *data, size_t len)
{
    struct pk_domain dom;

    return pk_record_decode_domain(data, len, &dom);
}

static int log_status(const void *data, size_t len)
{
    struct pk_logrec rec;
    int status = pk_record_decode_log(data, len, &rec);

    if (status == PK_OK)
        pk_logrec_free(&rec);
    return status;
}

static void test_record_domain_round_trips(void)
{
    struct pk_domain in = {.kind = PK_DOMAIN_HOSTED,
                           .default_quota = 1 << 30,
                           .created = 1234},
                     out;
    struct pk_buf buf = {0};

    test_begin("record: hosted and alias domains round-trip");
    test_assert_int(pk_record_encode_domain(&in, &buf), PK_OK);
    test_assert_int(pk_record_decode_domain(buf.data, buf.len, &out), PK_OK);
    test_assert_int(out.kind, PK_DOMAIN_HOSTED);
    test_assert_str(out.target, "");
    test_assert(out.default_quota == in.default_quota);
    test_assert(out.created == 1234);

    in.kind = PK_DOMAIN_ALIAS;
    strcpy(in.target, "example.se");
    in.default_quota = 0;
    test_assert_int(pk_record_encode_domain(&in, &buf), PK_OK);
    test_assert_int(pk_record_decode_domain(buf.data, buf.len, &out), PK_OK);
    test_assert_int(out.kind, PK_DOMAIN_ALIAS);
    test_assert_str(out.target, "example.se");
    pk_buf_free(&buf);
    test_end();
}

static void test_record_domain_layout_is_as_documented(void)
{
    /* clang-format off */
    static const unsigned char want[] = {
        PK_REC_DOMAIN, 2,           /* type, version */
        1,                          /* hosted */
        0, 0,                       /* empty target */
        5, 0, 0, 0, 0, 0, 0, 0,     /* quota, little-endian */
        7, 0, 0, 0, 0, 0, 0, 0,     /* created */
        1,                          /* flags: has a catch-all */
    };
    /* clang-format on */
    struct pk_domain in = {.kind = PK_DOMAIN_HOSTED,
                           .default_quota = 5,
                           .created = 7,
                           .catchall = PK_CATCHALL_PRESENT};
    struct pk_buf buf = {0};

    test_begin("record: a domain is encoded byte for byte as record.h says");
    test_assert_int(pk_record_encode_domain(&in, &buf), PK_OK);
    test_assert_int(buf.len, sizeof(want));
    test_assert(buf.len == sizeof(want) &&
                memcmp(buf.data, want, sizeof(want)) == 0);
    pk_buf_free(&buf);
    test_end();
}

static void test_record_domain_catchall_flag(void)
{
    /* clang-format off */
    static const unsigned char v1[] = {
        PK_REC_DOMAIN, 1, 1, 0, 0,
        5, 0, 0, 0, 0, 0, 0, 0,
        7, 0, 0, 0, 0, 0, 0, 0,
    };
    /* clang-format on */
    struct pk_domain in = {.kind = PK_DOMAIN_HOSTED,
                           .catchall = PK_CATCHALL_NONE},
                     out;
    struct pk_buf buf = {0};

    test_begin("record: a domain's catch-all flag; version 1 may have one");
    test_assert_int(pk_record_encode_domain(&in, &buf), PK_OK);
    test_assert_int(buf.data[1], 2);
    test_assert_int(pk_record_decode_domain(buf.data, buf.len, &out), PK_OK);
    test_assert_int(out.catchall, PK_CATCHALL_NONE);
    /* A flag this version does not know is corrupt, not ignored. */
    buf.data[buf.len - 1] = 2;
    test_assert_int(domain_status(buf.data, buf.len), PK_ECORRUPT);
    /* Without its flags octet a version 2 record is short. */
    test_assert_int(domain_status(buf.data, buf.len - 1), PK_ECORRUPT);
    /* An old record says nothing: a lookup must try the catch-all. */
    test_assert_int(pk_record_decode_domain(v1, sizeof(v1), &out), PK_OK);
    test_assert_int(out.catchall, PK_CATCHALL_UNKNOWN);
    test_assert(out.default_quota == 5 && out.created == 7);
    test_assert_int(domain_status(v1, sizeof(v1) - 1), PK_ECORRUPT);
    /* What was read is written back, byte for byte. */
    test_assert_int(pk_record_encode_domain(&out, &buf), PK_OK);
    test_assert(buf.len == sizeof(v1) && memcmp(buf.data, v1, sizeof(v1)) == 0);
    pk_buf_free(&buf);
    test_end();
}

static void test_record_account_round_trips(void)
{
    struct pk_entry in, out;
    struct pk_buf buf;

    test_begin("record: an account round-trips with every field");
    sample_account(&in);
    buf = encode_entry(&in);
    test_assert(!buf.failed);
    test_assert_int(pk_record_decode_entry(buf.data, buf.len, &out), PK_OK);
    test_assert_int(out.type, PK_REC_ACCOUNT);
    test_assert_int(out.u.account.state, PK_STATE_SEND_BLOCKED);
    test_assert(out.u.account.quota == 2ULL << 30);
    test_assert_str(out.u.account.password, in.u.account.password);
    test_assert_int(out.u.account.forward.count, 2);
    test_assert_str(out.u.account.forward.items[0], "a@elsewhere.org");
    test_assert_str(out.u.account.forward.items[1], "b@example.se");
    test_assert(out.u.account.keep_copy);
    test_assert(out.u.account.created == 1700000000);
    test_assert(out.u.account.changed == 1700000001);
    pk_entry_free(&out);

    /* No forwarding, the domain quota marker, each state. */
    pk_strlist_free(&in.u.account.forward);
    in.u.account.keep_copy = false;
    in.u.account.quota = PK_QUOTA_DOMAIN;
    for (int s = PK_STATE_ACTIVE; s <= PK_STATE_DISABLED; s++) {
        in.u.account.state = s;
        pk_buf_free(&buf);
        buf = encode_entry(&in);
        test_assert_int(pk_record_decode_entry(buf.data, buf.len, &out), PK_OK);
        test_assert_int(out.u.account.state, s);
        test_assert(out.u.account.quota == PK_QUOTA_DOMAIN);
        test_assert_int(out.u.account.forward.count, 0);
        test_assert(!out.u.account.keep_copy);
        pk_entry_free(&out);
    }
    pk_buf_free(&buf);
    pk_entry_free(&in);
    test_end();
}

static void test_record_alias_round_trips(void)
{
    struct pk_entry in, out;
    struct pk_buf buf;

    test_begin("record: an alias round-trips");
    sample_alias(&in);
    buf = encode_entry(&in);
    test_assert_int(pk_record_decode_entry(buf.data, buf.len, &out), PK_OK);
    test_assert_int(out.type, PK_REC_ALIAS);
    test_assert_int(out.u.alias.dest.count, 2);
    test_assert_str(out.u.alias.dest.items[0], "alice@example.se");
    test_assert_str(out.u.alias.dest.items[1], "bob@elsewhere.org");
    test_assert(out.u.alias.created == 42);
    test_assert(out.u.alias.changed == UINT64_MAX - 1);
    pk_entry_free(&out);
    pk_entry_free(&in);
    pk_buf_free(&buf);
    test_end();
}

static void test_record_log_round_trips(void)
{
    struct pk_logrec in = {.time_us = 1700000000123456ULL,
                           .actor = "root",
                           .op = "alias.add",
                           .subject = "info@example.se",
                           .detail = ""},
                     out;
    struct pk_buf buf = {0};

    test_begin("record: a change log record round-trips");
    test_assert_int(pk_record_encode_log(&in, &buf), PK_OK);
    test_assert_int(pk_record_decode_log(buf.data, buf.len, &out), PK_OK);
    test_assert(out.time_us == in.time_us);
    test_assert_str(out.actor, "root");
    test_assert_str(out.op, "alias.add");
    test_assert_str(out.subject, "info@example.se");
    test_assert_str(out.detail, "");
    pk_logrec_free(&out);
    pk_buf_free(&buf);
    test_end();
}

static void test_record_truncated_values_are_corrupt(void)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_ALIAS, .target = "example.se"};
    struct pk_logrec rec = {.actor = "a", .op = "b", .subject = "c"};
    struct pk_entry ent;
    struct pk_buf buf;

    test_begin("record: every truncation of every record type is corrupt");
    sample_account(&ent);
    buf = encode_entry(&ent);
    test_assert(all_prefixes_refused(&buf, entry_status));
    pk_entry_free(&ent);
    pk_buf_free(&buf);

    sample_alias(&ent);
    buf = encode_entry(&ent);
    test_assert(all_prefixes_refused(&buf, entry_status));
    pk_entry_free(&ent);

    test_assert_int(pk_record_encode_domain(&dom, &buf), PK_OK);
    test_assert(all_prefixes_refused(&buf, domain_status));
    test_assert_int(pk_record_encode_log(&rec, &buf), PK_OK);
    test_assert(all_prefixes_refused(&buf, log_status));
    pk_buf_free(&buf);
    test_end();
}

static void test_record_trailing_bytes_are_corrupt(void)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_HOSTED};
    struct pk_logrec rec = {.actor = "a", .op = "b", .subject = "c"};
    struct pk_entry ent;
    struct pk_buf buf;
    unsigned char *copy;

    test_begin("record: a value with trailing bytes is corrupt");
    sample_account(&ent);
    buf = encode_entry(&ent);
    copy = calloc(1, buf.len + 1);
    memcpy(copy, buf.data, buf.len);
    test_assert_int(entry_status(copy, buf.len), PK_OK);
    test_assert_int(entry_status(copy, buf.len + 1), PK_ECORRUPT);
    free(copy);
    pk_entry_free(&ent);

    test_assert_int(pk_record_encode_domain(&dom, &buf), PK_OK);
    copy = calloc(1, buf.len + 1);
    memcpy(copy, buf.data, buf.len);
    test_assert_int(domain_status(copy, buf.len + 1), PK_ECORRUPT);
    free(copy);

    test_assert_int(pk_record_encode_log(&rec, &buf), PK_OK);
    copy = calloc(1, buf.len + 1);
    memcpy(copy, buf.data, buf.len);
    test_assert_int(log_status(copy, buf.len + 1), PK_ECORRUPT);
    free(copy);
    pk_buf_free(&buf);
    test_end();
}

static void test_record_newer_version_is_refused(void)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_HOSTED};
    struct pk_logrec rec = {.actor = "a", .op = "b", .subject = "c"};
    struct pk_entry ent;
    struct pk_buf buf;

    test_begin("record: a newer record version is PK_EVERSION, 0 corrupt");
    sample_alias(&ent);
    buf = encode_entry(&ent);
    buf.data[1] = 2; /* no hints: version 1; as version 2 it is short */
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    buf.data[1] = 3; /* aliases are at version 2 */
    test_assert_int(entry_status(buf.data, buf.len), PK_EVERSION);
    buf.data[1] = 255;
    test_assert_int(entry_status(buf.data, buf.len), PK_EVERSION);
    buf.data[1] = 0;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    pk_entry_free(&ent);

    test_assert_int(pk_record_encode_domain(&dom, &buf), PK_OK);
    buf.data[1] = 3; /* domains are at version 2 */
    test_assert_int(domain_status(buf.data, buf.len), PK_EVERSION);
    test_assert_int(pk_record_encode_log(&rec, &buf), PK_OK);
    buf.data[1] = 2;
    test_assert_int(log_status(buf.data, buf.len), PK_EVERSION);
    pk_buf_free(&buf);
    test_end();
}

static void test_record_nul_inside_a_string_is_corrupt(void)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_ALIAS, .target = "example.se"};
    struct pk_logrec rec = {.actor = "a", .op = "b", .subject = "cc"};
    struct pk_entry ent;
    struct pk_buf buf;

    test_begin("record: a NUL inside a stored string is corrupt");
    /* The alias's first destination starts at offset 2 + 2 + 2. */
    sample_alias(&ent);
    buf = encode_entry(&ent);
    test_assert(buf.data[6] == 'a');
    buf.data[8] = 0;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    pk_entry_free(&ent);

    /* The account's password starts at 2 + 1 + 8 + 2. */
    sample_account(&ent);
    pk_buf_free(&buf);
    buf = encode_entry(&ent);
    test_assert(buf.data[13] == '{');
    buf.data[15] = 0;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    pk_entry_free(&ent);

    /* The domain target starts at 2 + 1 + 2. */
    test_assert_int(pk_record_encode_domain(&dom, &buf), PK_OK);
    buf.data[7] = 0;
    test_assert_int(domain_status(buf.data, buf.len), PK_ECORRUPT);

    /* The log subject is the last but one string. */
    test_assert_int(pk_record_encode_log(&rec, &buf), PK_OK);
    buf.data[buf.len - 3] = 0;
    test_assert_int(log_status(buf.data, buf.len), PK_ECORRUPT);
    pk_buf_free(&buf);
    test_end();
}

static void test_record_wrong_type_byte_is_corrupt(void)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_HOSTED};
    struct pk_logrec rec = {.actor = "a", .op = "b", .subject = "c"};
    struct pk_entry ent;
    struct pk_buf buf, dbuf = {0};

    test_begin("record: a value of another type is corrupt, not misread");
    sample_account(&ent);
    buf = encode_entry(&ent);
    test_assert_int(domain_status(buf.data, buf.len), PK_ECORRUPT);
    test_assert_int(log_status(buf.data, buf.len), PK_ECORRUPT);
    test_assert_int(pk_record_encode_domain(&dom, &dbuf), PK_OK);
    test_assert_int(entry_status(dbuf.data, dbuf.len), PK_ECORRUPT);
    test_assert_int(pk_record_encode_log(&rec, &dbuf), PK_OK);
    test_assert_int(entry_status(dbuf.data, dbuf.len), PK_ECORRUPT);
    buf.data[0] = 0;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    buf.data[0] = 99;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    test_assert_int(entry_status("", 0), PK_ECORRUPT);
    pk_entry_free(&ent);
    pk_buf_free(&buf);
    pk_buf_free(&dbuf);
    test_end();
}

static void test_record_absurd_list_count_is_corrupt(void)
{
    /* clang-format off */
    /* An alias claiming 65535 destinations, with one present. */
    static const unsigned char huge[] = {
        PK_REC_ALIAS, 1,            /* type, version */
        0xff, 0xff,                 /* 65535 destinations */
        1, 0, 'x',                  /* one of them */
        0, 0, 0, 0, 0, 0, 0, 0,     /* created */
        0, 0, 0, 0, 0, 0, 0, 0,     /* changed */
    };
    /* An alias with no destination at all. */
    static const unsigned char empty[] = {
        PK_REC_ALIAS, 1,            /* type, version */
        0, 0,                       /* no destinations */
        0, 0, 0, 0, 0, 0, 0, 0,     /* created */
        0, 0, 0, 0, 0, 0, 0, 0,     /* changed */
    };
    /* A string longer than what is left. */
    static const unsigned char longstr[] = {
        PK_REC_ALIAS, 1,            /* type, version */
        1, 0,                       /* one destination */
        0xff, 0x7f, 'x',            /* of 32767 bytes; one is there */
    };
    /* clang-format on */

    test_begin("record: absurd list counts and lengths are corrupt");
    test_assert_int(entry_status(huge, sizeof(huge)), PK_ECORRUPT);
    test_assert_int(entry_status(empty, sizeof(empty)), PK_ECORRUPT);
    test_assert_int(entry_status(longstr, sizeof(longstr)), PK_ECORRUPT);
    test_end();
}

static void test_record_out_of_range_fields_are_corrupt(void)
{
    struct pk_domain dom = {.kind = PK_DOMAIN_HOSTED};
    struct pk_entry ent;
    struct pk_buf buf, dbuf = {0};
    size_t keep_at;

    test_begin("record: unknown state, kind or keep-copy values are corrupt");
    sample_account(&ent);
    buf = encode_entry(&ent);
    buf.data[2] = PK_STATE_DISABLED + 1;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    buf.data[2] = PK_STATE_ACTIVE;
    test_assert_int(entry_status(buf.data, buf.len), PK_OK);
    keep_at = buf.len - 17; /* keep copy, then two u64 */
    test_assert(buf.data[keep_at] == 1);
    buf.data[keep_at] = 2;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    pk_entry_free(&ent);

    test_assert_int(pk_record_encode_domain(&dom, &dbuf), PK_OK);
    dbuf.data[2] = 3;
    test_assert_int(domain_status(dbuf.data, dbuf.len), PK_ECORRUPT);
    dbuf.data[2] = PK_DOMAIN_ALIAS; /* an alias domain without a target */
    test_assert_int(domain_status(dbuf.data, dbuf.len), PK_ECORRUPT);

    strcpy(dom.target, "example.se"); /* a hosted domain with a target */
    test_assert_int(pk_record_encode_domain(&dom, &dbuf), PK_OK);
    test_assert_int(domain_status(dbuf.data, dbuf.len), PK_ECORRUPT);
    pk_buf_free(&buf);
    pk_buf_free(&dbuf);
    test_end();
}

/* account_with_hash - a hand-made account value with an n-byte hash */

static unsigned char *account_with_hash(size_t n, size_t *len_r)
{
    size_t len = 2 + 1 + 8 + 2 + n + 2 + 1 + 16;
    unsigned char *v = calloc(1, len);

    v[0] = PK_REC_ACCOUNT;
    v[1] = 1;
    v[11] = n & 0xff;
    v[12] = n >> 8;
    memset(v + 13, 'h', n);
    *len_r = len;
    return v;
}

static void test_record_overlong_fixed_strings_are_corrupt(void)
{
    unsigned char *v;
    size_t len;

    test_begin("record: a hash longer than PK_HASH_MAX is corrupt");
    v = account_with_hash(PK_HASH_MAX + 1, &len);
    test_assert_int(entry_status(v, len), PK_ECORRUPT);
    free(v);
    v = account_with_hash(PK_HASH_MAX, &len);
    test_assert_int(entry_status(v, len), PK_OK);
    free(v);
    test_end();
}

static void test_record_encoder_refuses_what_it_cannot_store(void)
{
    struct pk_entry ent = {.type = 99};
    struct pk_buf buf = {0};

    test_begin("record: encoding an unknown type or a 65536-item list fails");
    test_assert(pk_record_encode_entry(&ent, &buf) != PK_OK);
    memset(&ent, 0, sizeof(ent));
    ent.type = PK_REC_ALIAS;
    for (int i = 0; i <= UINT16_MAX; i++)
        pk_strlist_add(&ent.u.alias.dest, "a@b.se");
    test_assert(pk_record_encode_entry(&ent, &buf) != PK_OK);
    /* The buffer is usable again for the next record. */
    pk_strlist_free(&ent.u.alias.dest);
    pk_strlist_add(&ent.u.alias.dest, "a@b.se");
    test_assert_int(pk_record_encode_entry(&ent, &buf), PK_OK);
    test_assert_int(entry_status(buf.data, buf.len), PK_OK);
    pk_entry_free(&ent);
    pk_buf_free(&buf);
    test_end();
}

static void test_record_strlist_add_has_remove_free(void)
{
    struct pk_strlist list = {0};
    char word[] = "b";

    test_begin("record: string lists copy, find, remove in order, free");
    test_assert(!pk_strlist_has(&list, "a"));
    test_assert(!pk_strlist_remove(&list, "a"));
    test_assert_int(pk_strlist_add(&list, "a"), PK_OK);
    test_assert_int(pk_strlist_add(&list, word), PK_OK);
    test_assert_int(pk_strlist_add(&list, "c"), PK_OK);
    word[0] = 'x'; /* the list holds a copy */
    test_assert(pk_strlist_has(&list, "b"));
    test_assert(!pk_strlist_has(&list, "x"));
    test_assert(pk_strlist_remove(&list, "b"));
    test_assert(!pk_strlist_remove(&list, "b"));
    test_assert_int(list.count, 2);
    test_assert_str(list.items[0], "a");
    test_assert_str(list.items[1], "c");
    pk_strlist_free(&list);
    test_assert_int(list.count, 0);
    test_assert(list.items == NULL);
    pk_strlist_free(&list); /* twice is harmless */
    test_end();
}

static void test_record_state_names_round_trip(void)
{
    enum pk_account_state st;

    test_begin("record: state names parse back; unknown names are refused");
    for (int s = PK_STATE_ACTIVE; s <= PK_STATE_DISABLED; s++) {
        test_assert_int(pk_state_parse(pk_state_name(s), &st), PK_OK);
        test_assert_int(st, s);
    }
    test_assert_str(pk_state_name(PK_STATE_SEND_BLOCKED), "send-blocked");
    test_assert_str(pk_state_name(77), "invalid");
    test_assert_int(pk_state_parse("Active", &st), PK_EINVAL);
    test_assert_int(pk_state_parse("invalid", &st), PK_EINVAL);
    test_end();
}

static void test_record_alias_hints_and_version_1(void)
{
    static const unsigned char v1[] = {
        PK_REC_ALIAS,
        1,
        1,
        0, /* type, version 1, one destination */
        3,
        0,
        'a',
        '@',
        'b', /* "a@b" */
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0, /* created */
        2,
        0,
        0,
        0,
        0,
        0,
        0,
        0, /* changed */
    };
    unsigned char hints[2] = {PK_HINT_MAILBOX, PK_HINT_NONE};
    struct pk_entry ent, out;
    struct pk_entry_view view;
    const unsigned char *pos;
    const char *s;
    size_t len;
    struct pk_buf buf;

    test_begin("record: alias hints round-trip; version 1 has none");
    test_assert_int(pk_record_decode_entry(v1, sizeof(v1), &out), PK_OK);
    test_assert(out.u.alias.hints == NULL && out.u.alias.dest.count == 1);
    test_assert_str(out.u.alias.dest.items[0], "a@b");
    pk_entry_free(&out);
    test_assert_int(pk_record_view_entry(v1, sizeof(v1), &view), PK_OK);
    test_assert(view.hints == NULL && view.count == 1);
    pos = view.list;
    s = pk_view_next(&pos, &len);
    test_assert(len == 3 && memcmp(s, "a@b", 3) == 0);

    sample_alias(&ent);
    buf = encode_entry(&ent);
    /* Without hints: version 1, as it was read. */
    test_assert(buf.len > 2 && buf.data[1] == 1);
    test_assert_int(pk_record_decode_entry(buf.data, buf.len, &out), PK_OK);
    test_assert(out.u.alias.hints == NULL);
    pk_entry_free(&out);
    ent.u.alias.hints = hints;
    pk_buf_free(&buf);
    buf = encode_entry(&ent);
    ent.u.alias.hints = NULL;
    test_assert(buf.data[1] == 2 && buf.data[buf.len - 4] == 2 &&
                buf.data[buf.len - 3] == 0);
    test_assert_int(pk_record_decode_entry(buf.data, buf.len, &out), PK_OK);
    test_assert(out.u.alias.hints != NULL &&
                memcmp(out.u.alias.hints, hints, 2) == 0);
    pk_entry_free(&out);
    test_assert_int(pk_record_view_entry(buf.data, buf.len, &view), PK_OK);
    test_assert(view.hints != NULL && memcmp(view.hints, hints, 2) == 0);
    /* A hint of an unknown kind, and a count that does not match. */
    buf.data[buf.len - 2] = PK_HINT_MAILBOX + 1;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    buf.data[buf.len - 2] = 0;
    buf.data[buf.len - 4] = 1;
    test_assert_int(entry_status(buf.data, buf.len), PK_ECORRUPT);
    pk_buf_free(&buf);
    pk_entry_free(&ent);
    test_end();
}

int main(void)
{
    test_record_domain_round_trips();
    test_record_domain_layout_is_as_documented();
    test_record_domain_catchall_flag();
    test_record_account_round_trips();
    test_record_alias_round_trips();
    test_record_alias_hints_and_version_1();
    test_record_log_round_trips();
    test_record_truncated_values_are_corrupt();
    test_record_trailing_bytes_are_corrupt();
    test_record_newer_version_is_refused();
    test_record_nul_inside_a_string_is_corrupt();
    test_record_wrong_type_byte_is_corrupt();
    test_record_absurd_list_count_is_corrupt();
    test_record_out_of_range_fields_are_corrupt();
    test_record_overlong_fixed_strings_are_corrupt();
    test_record_encoder_refuses_what_it_cannot_store();
    test_record_strlist_add_has_remove_free();
    test_record_state_names_round_trip();
    return test_exit();
}
