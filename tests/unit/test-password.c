/*++
/* NAME
/*	test-password 1
/* SUMMARY
/*	unit tests for common/password.c
/* DESCRIPTION
/*	The fixed hashes below were made once with Dovecot 2.3's
/*	"doveadm pw -s SCHEME -p PASSWORD" (yescrypt, gost-yescrypt and
/*	scrypt with libxcrypt, then checked with "doveadm pw -t"), so
/*	that every scheme is proven against hashes we did not make.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf() in test.h */
#endif
#include <time.h>

#include "password.h"
#include "test.h"

#define PASS "correct horse battery staple"
/* Differs in the first byte: DES-CRYPT reads only eight. */
#define WRONG "Correct horse battery staple"

struct known_hash {
    const char *hash;
    const char *plain;
};

static const struct known_hash known_hashes[] = {
    {"{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$e1AfJd9TYLJP89IUy5Qglw$"
     "wW6kPK1f1ROjxkdel01J0CCfysmB4C4ZkSQLTMv/htQ",
     PASS},
    {"{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$6R++832NXMmWrBw5DmjfuA$"
     "5L1buULIn7xS/MTCeBYL/tnPLJOk2vJwSqMzZ6dvCG0",
     PASS},
    {"{BLF-CRYPT}$2y$05$eWZwL/sBPVbbn5ta6zPRNeVhW9axTETJ3yTpm9.7ozwjiw3qaEQDO",
     PASS},
    {"{SHA512-CRYPT}$6$P.8/hOwLQe4eX/b0$7TMZiFrkObeE6xuHGN3QZoWkoBR04WkZTaQrbV"
     "ACdkC.fidTYcPKWRzK4D2T7WFNa1NMg1mu.v.tiRIq0Rhyy/",
     PASS},
    {"{SHA256-CRYPT}$5$s0knaCrRofv0KRA8$kxv4j9P2VKRcJAyZszdrDiQTV5eiHGZ6NLtE/"
     "fenCBB",
     PASS},
    {"{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0", PASS},
    {"{CRYPT}$2y$05$RsgSy8CMovpfslI6V/ReeuNU9sYM4LUsJQiS46JfOve8FJWbhrJJO",
     PASS},
    {"{CRYPT}$y$j9T$dpJKcYzTF2fL37qzWRZju1$yVowXPfoopYl5BLcrLWFVJOgSuf1XVUJxEe"
     "BSevJ7t8",
     PASS},
    {"{CRYPT}$gy$j9T$6xVaY42.QZMKoyRmkel0C0$wWHz3sv5Cv.wzBWbrXAZs7tEYEVukZ5qfG"
     "25HpkWAK5",
     PASS},
    {"{CRYPT}$7$CU..../....ayWgVN58SkkRQ6l3Q1/KM1$ajSFAF4YA7Qf2wVbNs.QSXCQbXwli"
     "YkH/X1AF/YTDk3",
     PASS},
    {"{DES-CRYPT}K6R7hCV9zK.hY", PASS},
    {"{SSHA512}G7E5OIdB3EN3wJ8T4oVU1LJem1WCJS1SpnzflddVtw1oxUn/kE/eZtYBvzjXCHRg"
     "Bh5ZL4aGzzctCv4z5FrkIPk3ZlU=",
     PASS},
    {"{SSHA512.HEX}db81ce34735a48be2c84e21b0304dfc8a6f8823da4fa23bede009ebd2976"
     "3d941089274b61b80150b7426a3ae1ff08cb1b8b8c1abdf1f3922750b57a7d24ade7154e"
     "35d1",
     PASS},
    {"{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$f/NQbJTCUH0NK3OP18pBDg$ItQlN/9D"
     "3NaLzmqcJZMoDs55+RUvD3OC/Ko2gYzVtwI",
     "Gr\xc3\xbc\xc3\x9f"
     "e, \xe4\xb8\x96\xe7\x95\x8c"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define SHA512_CRYPT_HASH (known_hashes[3].hash)

/* hash_part - what follows the "}" of a scheme string */

static const char *hash_part(const char *stored)
{
    const char *p = strchr(stored, '}');

    return p != NULL ? p + 1 : stored;
}

/* no_secret - an error message holds neither the hash nor the plaintext */

static int no_secret(const char *error, const char *stored, const char *plain)
{
    /* Shorter pieces, like "{" or "$", may well be in any message. */
    if (error == NULL)
        return 0;
    if (stored != NULL && strlen(hash_part(stored)) >= 4 &&
        strstr(error, hash_part(stored)) != NULL)
        return 0;
    return plain == NULL || *plain == 0 || strstr(error, plain) == NULL;
}

/* test_password_hash_verifies - a new hash verifies with its password */

static void test_password_hash_verifies(void)
{
    char hash[PK_HASH_MAX + 1];
    const char *error = NULL;
    const char *prefix = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$";

    test_begin("password hash verifies with its password");
    test_assert_int(pk_password_hash(PASS, hash, &error), PK_OK);
    test_assert(strncmp(hash, prefix, strlen(prefix)) == 0);
    /* 16 bytes of salt and 32 of hash in unpadded base64: 22 and 43. */
    test_assert_int(strlen(hash), strlen(prefix) + 22 + 1 + 43);
    test_assert_int(pk_password_check_hash(hash, &error), PK_OK);
    test_assert_int(pk_password_verify(PASS, hash, &error), PK_OK);
    test_end();
}

/* test_password_hash_salts_differ - the same password hashes differently */

static void test_password_hash_salts_differ(void)
{
    char one[PK_HASH_MAX + 1], two[PK_HASH_MAX + 1];
    const char *error;

    test_begin("password hash of the same password differs each time");
    test_assert_int(pk_password_hash(PASS, one, &error), PK_OK);
    test_assert_int(pk_password_hash(PASS, two, &error), PK_OK);
    test_assert(strcmp(one, two) != 0);
    test_end();
}

/* test_password_wrong_password_is_notfound - a mismatch is an answer */

static void test_password_wrong_password_is_notfound(void)
{
    char hash[PK_HASH_MAX + 1];
    const char *error = NULL;

    test_begin("password wrong password is PK_NOTFOUND");
    test_assert_int(pk_password_hash(PASS, hash, &error), PK_OK);
    test_assert_int(pk_password_verify(WRONG, hash, &error), PK_NOTFOUND);
    test_assert(no_secret(error, hash, WRONG));
    test_assert_int(pk_password_verify("", hash, &error), PK_NOTFOUND);
    test_end();
}

/* test_password_dovecot_hashes_verify - every scheme, made by doveadm */

static void test_password_dovecot_hashes_verify(void)
{
    const char *error = NULL;
    size_t i;

    test_begin("password hashes made by doveadm verify, wrong ones do not");
    for (i = 0; i < NELEM(known_hashes); i++) {
        const struct known_hash *k = &known_hashes[i];

        test_assert_int(pk_password_check_hash(k->hash, &error), PK_OK);
        test_assert_int(pk_password_verify(k->plain, k->hash, &error), PK_OK);
        test_assert_int(pk_password_verify(WRONG, k->hash, &error),
                        PK_NOTFOUND);
        test_assert(no_secret(error, k->hash, WRONG));
        if (test_failed_now) {
            printf("  at %s\n", k->hash);
            break;
        }
    }
    test_end();
}

/* test_password_scheme_names_ignore_case - as Dovecot reads them */

static void test_password_scheme_names_ignore_case(void)
{
    const char *error;

    test_begin("password scheme names are case-insensitive");
    test_assert_int(
        pk_password_verify(PASS,
                           "{sha256-crypt}$5$s0knaCrRofv0KRA8$kxv4j9P2VKRcJAyZ"
                           "szdrDiQTV5eiHGZ6NLtE/fenCBB",
                           &error),
        PK_OK);
    test_assert_int(pk_password_verify(PASS,
                                       "{Md5-Crypt}$1$vIw1QMC2$ULd2YqlK99nSGL"
                                       "vKL./nQ0",
                                       &error),
                    PK_OK);
    test_assert_int(pk_password_check_hash(
                        "{ssha512.b64}G7E5OIdB3EN3wJ8T4oVU1LJem1WCJS1SpnzflddV"
                        "tw1oxUn/kE/eZtYBvzjXCHRgBh5ZL4aGzzctCv4z5FrkIPk3ZlU=",
                        &error),
                    PK_OK);
    test_end();
}

/* test_password_argon2_tag_must_match_scheme - no algorithm swap */

static void test_password_argon2_tag_must_match_scheme(void)
{
    const char *error = NULL;
    const char *id_as_i = "{ARGON2I}$argon2id$v=19$m=65536,t=3,p=1$e1AfJd9TYLJ"
                          "P89IUy5Qglw$wW6kPK1f1ROjxkdel01J0CCfysmB4C4ZkSQLTMv/"
                          "htQ";
    const char *i_as_id = "{ARGON2ID}$argon2i$v=19$m=32768,t=4,p=1$6R++832NXMm"
                          "WrBw5DmjfuA$5L1buULIn7xS/MTCeBYL/tnPLJOk2vJwSqMzZ6dv"
                          "CG0";

    test_begin("password argon2 scheme tag must match the encoded algorithm");
    test_assert_int(pk_password_check_hash(id_as_i, &error), PK_EINVAL);
    test_assert_int(pk_password_verify(PASS, id_as_i, &error), PK_EINVAL);
    test_assert_int(pk_password_check_hash(i_as_id, &error), PK_EINVAL);
    test_assert_int(pk_password_verify(PASS, i_as_id, &error), PK_EINVAL);
    test_assert(no_secret(error, i_as_id, PASS));
    test_end();
}

/* test_password_check_hash_refuses_plaintext - never stored in clear */

static void test_password_check_hash_refuses_plaintext(void)
{
    static const char *const plain[] = {
        "{PLAIN}" PASS,
        "{CLEAR}secret",
        "{CLEARTEXT}secret",
        "{plain}secret",
        "{PLAIN-TRUNC}6-secret",
        "{PLAIN.B64}c2VjcmV0",
        "{Cleartext.hex}736563726574",
    };
    const char *error;
    size_t i;

    test_begin("password check_hash refuses plaintext schemes");
    for (i = 0; i < NELEM(plain); i++) {
        error = NULL;
        test_assert_int(pk_password_check_hash(plain[i], &error), PK_EINVAL);
        test_assert(error != NULL && strstr(error, "plaintext") != NULL);
        test_assert(no_secret(error, plain[i], "secret"));
        test_assert_int(pk_password_verify("secret", plain[i], &error),
                        PK_EINVAL);
    }
    test_end();
}

/* test_password_check_hash_refuses_unknown_scheme - and names it */

static void test_password_check_hash_refuses_unknown_scheme(void)
{
    const char *error = NULL;

    test_begin("password check_hash refuses an unknown scheme by name");
    test_assert_int(
        pk_password_check_hash("{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", &error),
        PK_EINVAL);
    test_assert(error != NULL && strstr(error, "MD5") != NULL);
    test_assert(no_secret(error, "{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", NULL));
    test_assert_int(pk_password_check_hash("{NOPE}abc", &error), PK_EINVAL);
    test_assert(error != NULL && strstr(error, "NOPE") != NULL);
    test_assert_int(pk_password_verify(PASS, "{SCRAM-SHA-256}4096,abc", &error),
                    PK_EINVAL);
    test_end();
}

/* test_password_check_hash_refuses_garbage - malformed hashes */

static void test_password_check_hash_refuses_garbage(void)
{
    static const char *const bad[] = {
        "",
        "$6$P.8/hOwLQe4eX/b0$abc",
        "{",
        "{}abc",
        "{SHA512-CRYPT",
        "{SHA512-CRYPT}",
        /* a $5$ hash under the $6$ scheme */
        "{SHA512-CRYPT}$5$s0knaCrRofv0KRA8$kxv4j9P2VKRcJAyZszdrDiQTV5eiHGZ6NLt"
        "E/fenCBB",
        /* one character short */
        "{SHA256-CRYPT}$5$s0knaCrRofv0KRA8$kxv4j9P2VKRcJAyZszdrDiQTV5eiHGZ6NLt"
        "E/fenCB",
        "{BLF-CRYPT}$2y$05$eWZwL/"
        "sBPVbbn5ta6zPRNeVhW9axTETJ3yTpm9.7ozwjiw3qaEQD",
        "{BLF-CRYPT}$2x$05$eWZwL/"
        "sBPVbbn5ta6zPRNeVhW9axTETJ3yTpm9.7ozwjiw3qaEQDO",
        "{BLF-CRYPT}$2y$99$eWZwL/"
        "sBPVbbn5ta6zPRNeVhW9axTETJ3yTpm9.7ozwjiw3qaEQDO",
        "{BLF-CRYPT}$6$P.8/hOwLQe4eX/b0$7TMZiFrkObeE6xuHGN3QZoWkoBR04WkZTaQrbV",
        "{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL*/nQ0",
        "{DES-CRYPT}K6R7hCV9zK.h",
        "{DES-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0",
        "{CRYPT}$zz$abc$def",
        "{CRYPT}*",
        "{CRYPT}!locked",
        "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$e1AfJd9TYLJP89IUy5Qglw",
        "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$e1AfJd9TYLJP89IUy5Qglw$"
        "wW6kPK1f1ROjxkdel01J0CCfy!mB4C4ZkSQLTMv/htQ",
        "{ARGON2ID}$argon2id$v=19$m=65536,t=3$e1AfJd9TYLJP89IUy5Qglw$"
        "wW6kPK1f1ROjxkdel01J0CCfysmB4C4ZkSQLTMv/htQ",
        "{ARGON2ID}$argon2id$v=18$m=65536,t=3,p=1$e1AfJd9TYLJP89IUy5Qglw$"
        "wW6kPK1f1ROjxkdel01J0CCfysmB4C4ZkSQLTMv/htQ",
        /* 4 TiB of memory for every login */
        "{ARGON2ID}$argon2id$v=19$m=4294967295,t=3,p=1$e1AfJd9TYLJP89IUy5Qglw$"
        "wW6kPK1f1ROjxkdel01J0CCfysmB4C4ZkSQLTMv/htQ",
        "{ARGON2ID}$argon2id$v=19$m=99999999999,t=3,p=1$e1AfJd9TYLJP89IUy5Qglw$"
        "wW6kPK1f1ROjxkdel01J0CCfysmB4C4ZkSQLTMv/htQ",
        /* four-byte salt */
        "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$e1AfJd$"
        "wW6kPK1f1ROjxkdel01J0CCfysmB4C4ZkSQLTMv/htQ",
        /* 64 bytes: a digest with no salt */
        "{SSHA512}G7E5OIdB3EN3wJ8T4oVU1LJem1WCJS1SpnzflddVtw1oxUn/kE/eZtYBvzjX"
        "CHRgBh5ZL4aGzzctCv4z5FrkIA==",
        "{SSHA512}G7E5OIdB3EN3wJ8T4o=U1LJem1WCJS1SpnzflddVtw1oxUn/kE/eZtYBvzjX"
        "CHRgBh5ZL4aGzzctCv4z5FrkIPk3ZlU=",
        "{SSHA512.HEX}db81ce34735a48be2c84e21b0304dfc8a6f8823da4fa23bede009ebd"
        "29763d941089274b61b80150b7426a3ae1ff08cb1b8b8c1abdf1f3922750b57a7d24"
        "ade7154e35d",
        "{SHA512-CRYPT.HEX}$6$P.8/hOwLQe4eX/b0$7TMZiFrkObeE6xuHGN3QZoWkoBR04Wk"
        "ZTaQrbVACdkC.fidTYcPKWRzK4D2T7WFNa1NMg1mu.v.tiRIq0Rhyy/",
    };
    const char *error;
    size_t i;

    test_begin("password check_hash and verify refuse malformed hashes");
    for (i = 0; i < NELEM(bad); i++) {
        error = NULL;
        test_assert_int(pk_password_check_hash(bad[i], &error), PK_EINVAL);
        test_assert(no_secret(error, bad[i], NULL));
        test_assert_int(pk_password_verify(PASS, bad[i], &error), PK_EINVAL);
        if (test_failed_now) {
            printf("  at \"%s\"\n", bad[i]);
            break;
        }
    }
    test_assert_int(pk_password_check_hash(NULL, &error), PK_EINVAL);
    test_end();
}

/* test_password_check_hash_refuses_overlong - PK_HASH_MAX is the bound */

static void test_password_check_hash_refuses_overlong(void)
{
    char hash[PK_HASH_MAX + 2];
    const char *error = NULL;
    size_t len;

    test_begin("password check_hash refuses a hash over PK_HASH_MAX");
    /* A well-formed SSHA512 with a long salt, just at the limit. */
    memcpy(hash, "{SSHA512}", 9);
    len = 9 + (PK_HASH_MAX - 9) / 4 * 4;
    memset(hash + 9, 'A', len - 9);
    hash[len] = 0;
    test_assert_int(pk_password_check_hash(hash, &error), PK_OK);
    memset(hash + 9, 'A', PK_HASH_MAX + 1 - 9);
    hash[PK_HASH_MAX + 1] = 0;
    test_assert_int(pk_password_check_hash(hash, &error), PK_EINVAL);
    test_assert(error != NULL && strstr(error, "longer") != NULL);
    test_assert(no_secret(error, hash, NULL));
    test_end();
}

/* test_password_check_hash_refuses_separators - no ':', space, control */

static void test_password_check_hash_refuses_separators(void)
{
    static const char *const bad[] = {
        "{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0:",
        "{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nS:LvKL./nQ0",
        "{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0 ",
        "{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0\n",
        "{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0\r",
        "{MD5-CRYPT}$1$vIw1QMC2\t$ULd2YqlK99nSGLvKL./nQ0",
        "{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0\x7f",
        "{MD5-CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ\xc3\xa9",
        "{MD5-CRYPT }$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0",
        "{MD5:CRYPT}$1$vIw1QMC2$ULd2YqlK99nSGLvKL./nQ0",
    };
    const char *error;
    size_t i;

    test_begin("password check_hash refuses ':', whitespace and control "
               "characters");
    for (i = 0; i < NELEM(bad); i++) {
        error = NULL;
        test_assert_int(pk_password_check_hash(bad[i], &error), PK_EINVAL);
        test_assert(no_secret(error, bad[i], NULL));
    }
    test_end();
}

/* test_password_check_new_refuses_bad_input - empty, control, overlong */

static void test_password_check_new_refuses_bad_input(void)
{
    static const char *const bad[] = {
        "", "\r", "\n", "pass\r\nword", "pass\tword", "pass\x7f", "\x1b[2J",
    };
    char long_pw[PK_PASSWORD_MAX + 2];
    const char *error;
    size_t i;

    test_begin("password check_new refuses empty, control characters and "
               "overlong");
    for (i = 0; i < NELEM(bad); i++) {
        error = NULL;
        test_assert_int(pk_password_check_new(bad[i], &error), PK_EINVAL);
        test_assert(error != NULL);
    }
    test_assert_int(pk_password_check_new(NULL, &error), PK_EINVAL);
    test_assert(strstr(error, "empty") != NULL);
    memset(long_pw, 'x', PK_PASSWORD_MAX);
    long_pw[PK_PASSWORD_MAX] = 0;
    test_assert_int(pk_password_check_new(long_pw, &error), PK_OK);
    long_pw[PK_PASSWORD_MAX] = 'x';
    long_pw[PK_PASSWORD_MAX + 1] = 0;
    test_assert_int(pk_password_check_new(long_pw, &error), PK_EINVAL);
    test_assert(strstr(error, "longer") != NULL);
    test_assert_int(pk_password_check_new(PASS, &error), PK_OK);
    test_assert_int(pk_password_check_new("Gr\xc3\xbc\xc3\x9f"
                                          "e",
                                          &error),
                    PK_OK);
    test_end();
}

/* test_password_hash_refuses_bad_plaintext - it checks like check_new */

static void test_password_hash_refuses_bad_plaintext(void)
{
    char hash[PK_HASH_MAX + 1];
    const char *error = NULL;

    test_begin("password hash refuses what check_new refuses");
    test_assert_int(pk_password_hash("pass\nword", hash, &error), PK_EINVAL);
    test_assert_int(hash[0], 0);
    test_assert(no_secret(error, NULL, "pass\nword"));
    test_assert_int(pk_password_hash("", hash, &error), PK_EINVAL);
    test_end();
}

/* test_password_overlong_plaintext_never_matches - bounded work */

static void test_password_overlong_plaintext_never_matches(void)
{
    static char huge[64 * 1024];
    const char *error;

    test_begin("password over PK_PASSWORD_MAX never matches");
    memset(huge, 'x', sizeof(huge) - 1);
    test_assert_int(pk_password_verify(huge, SHA512_CRYPT_HASH, &error),
                    PK_NOTFOUND);
    test_assert_int(pk_password_verify(PASS, SHA512_CRYPT_HASH, &error), PK_OK);
    test_end();
}

/* now - seconds on the monotonic clock */

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* min_verify_time - the fastest of three verifications */

static double min_verify_time(const char *stored, int dummy)
{
    double best = 1e9, start, t;
    const char *error;
    int i;

    for (i = 0; i < 3; i++) {
        start = now();
        if (dummy)
            pk_password_verify_dummy(WRONG);
        else
            (void)pk_password_verify(WRONG, stored, &error);
        t = now() - start;
        if (t < best)
            best = t;
    }
    return best;
}

/* test_password_dummy_costs_like_verify - unknown user == wrong password */

static void test_password_dummy_costs_like_verify(void)
{
    char hash[PK_HASH_MAX + 1];
    const char *error;
    double real, dummy, sha512crypt;

    test_begin("password dummy verification costs what a real one costs");
    test_assert_int(pk_password_hash(PASS, hash, &error), PK_OK);
    real = min_verify_time(hash, 0);
    dummy = min_verify_time(NULL, 1);
    sha512crypt = min_verify_time(SHA512_CRYPT_HASH, 0);
    printf("  ARGON2ID verify %.1f ms, dummy %.1f ms (%.2fx), "
           "SHA512-CRYPT %.2f ms: ARGON2ID/SHA512-CRYPT = %.0fx\n",
           real * 1e3, dummy * 1e3, dummy / real, sha512crypt * 1e3,
           real / sha512crypt);
    test_assert(dummy > 0.3 * real && dummy < 3 * real);
    test_end();
}

int main(void)
{
    test_password_hash_verifies();
    test_password_hash_salts_differ();
    test_password_wrong_password_is_notfound();
    test_password_dovecot_hashes_verify();
    test_password_scheme_names_ignore_case();
    test_password_argon2_tag_must_match_scheme();
    test_password_check_hash_refuses_plaintext();
    test_password_check_hash_refuses_unknown_scheme();
    test_password_check_hash_refuses_garbage();
    test_password_check_hash_refuses_overlong();
    test_password_check_hash_refuses_separators();
    test_password_check_new_refuses_bad_input();
    test_password_hash_refuses_bad_plaintext();
    test_password_overlong_plaintext_never_matches();
    test_password_dummy_costs_like_verify();
    return test_exit();
}
