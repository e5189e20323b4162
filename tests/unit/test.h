/*++
/* NAME
/*	test 3h
/* SUMMARY
/*	the unit test harness
/* SYNOPSIS
/*	#include "test.h"
/*
/*	test_begin("what the behaviour is");
/*	test_assert(expr);
/*	test_assert_int(expr, expected);
/*	test_assert_str(expr, expected);
/*	test_end();
/*	return test_exit();
/* DESCRIPTION
/*	Dovecot's style: a test is a named behaviour with assertions; a
/*	failed assertion prints where and what, and test_end() prints
/*	"ok" or "FAILED" for the behaviour. test_exit() prints the count
/*	and returns the exit status automake expects. test_tmpdir() makes
/*	a fresh mode 0700 directory under $TMPDIR for a test database.
/*--*/

#ifndef PK_TEST_H
#define PK_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *test_name;
static int test_failed_now, test_count, test_failures;

#define test_assert(expr)                                                      \
    do {                                                                       \
        if (!(expr)) {                                                         \
            printf("  %s:%d: assertion failed: %s\n", __FILE__, __LINE__,      \
                   #expr);                                                     \
            test_failed_now = 1;                                               \
        }                                                                      \
    } while (0)

#define test_assert_int(expr, want)                                            \
    do {                                                                       \
        long long test_got_ = (long long)(expr),                               \
                  test_want_ = (long long)(want);                              \
        if (test_got_ != test_want_) {                                         \
            printf("  %s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, \
                   #expr, test_got_, test_want_);                              \
            test_failed_now = 1;                                               \
        }                                                                      \
    } while (0)

#define test_assert_str(expr, want)                                            \
    do {                                                                       \
        const char *test_gs_ = (expr), *test_ws_ = (want);                     \
        if (test_gs_ == NULL || strcmp(test_gs_, test_ws_) != 0) {             \
            printf("  %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,       \
                   __LINE__, #expr, test_gs_ ? test_gs_ : "(null)", test_ws_); \
            test_failed_now = 1;                                               \
        }                                                                      \
    } while (0)

static inline void test_begin(const char *name)
{
    test_name = name;
    test_failed_now = 0;
}

static inline void test_end(void)
{
    test_count++;
    if (test_failed_now)
        test_failures++;
    printf("%s %s\n", test_failed_now ? "FAILED" : "ok    ", test_name);
    fflush(stdout);
}

static inline int test_exit(void)
{
    printf("%d tests, %d failed\n", test_count, test_failures);
    return test_failures ? 1 : 0;
}

/* test_tmpdir - a fresh private directory; the caller removes it */
static inline char *test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *path;

    if (base == NULL || *base == 0)
        base = "/tmp";
    if (asprintf(&path, "%s/pk-test-XXXXXX", base) < 0)
        abort();
    if (mkdtemp(path) == NULL)
        abort();
    return path;
}

/* test_rmtree - remove a test directory made by test_tmpdir() */
static inline void test_rmtree(const char *path)
{
    char *cmd;

    if (asprintf(&cmd, "rm -rf '%s'", path) < 0)
        abort();
    if (system(cmd) != 0)
        printf("  could not remove %s\n", path);
    free(cmd);
}

#endif
