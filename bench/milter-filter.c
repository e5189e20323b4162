/*++
/* NAME
/*	milter-filter 1
/* SUMMARY
/*	the milter's own work per message, without libmilter or an MTA
/* SYNOPSIS
/*	milter-filter DBDIR LOGIN MESSAGES [sign|nosign]
/* DESCRIPTION
/*	A benchmark helper, never installed. It drives postkontor-milter's
/*	filter (milter/filter.c, the test seam) with the benchmark's 2 KiB
/*	message MESSAGES times in one thread, as LOGIN from an outside
/*	client: From check, key lookup, header and body canonicalization,
/*	signature. It prints one line:
/* .sp
/*	filter_us=N
/* .sp
/*	N is the CPU time per message of the whole filter path, to set
/*	against one signature as "openssl speed" measures it. With
/*	"nosign" the filter checks From and nothing else.
/*
/*	Each message must be signed (or, with nosign, accepted): any other
/*	outcome is an error, so the number measures the real path.
/* DIAGNOSTICS
/*	Exit status 1 and a message on stderr when a message is not
/*	signed or the database cannot be read.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter.h"

static const char *const headers[][2] = {
    {"From", " Alice <alice@example.se>"},
    {"To", " Bob <bob@elsewhere.example>"},
    {"Subject", " benchmark message"},
    {"Date", " Thu, 26 Nov 2026 10:00:00 +0000"},
    {"Message-ID", " <bench@example.se>"},
    {"MIME-Version", " 1.0"},
    {"Content-Type", " text/plain; charset=utf-8"},
};

/* cpu_now - CPU seconds of this process */

static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* one_message - the filter path once; false unless it ends as expected */

static bool one_message(const char *login, const char *body, size_t blen,
                        bool sign)
{
    struct filter_msg *msg = filter_msg_new(false, login);
    struct filter_reply r;
    char *dkim = NULL;
    bool ok;

    if (msg == NULL)
        return false;
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
        filter_header(msg, headers[i][0], headers[i][1], &r);
    filter_eoh(msg, &r);
    ok = r.action == FILTER_CONTINUE;
    if (ok) {
        filter_body(msg, body, blen, &r);
        filter_end(msg, time(NULL), &dkim, &r);
        ok = r.action == FILTER_ACCEPT && dkim != NULL;
    } else if (!sign) {
        ok = r.action == FILTER_ACCEPT;
    }
    if (!ok)
        fprintf(stderr, "milter-filter: unexpected reply %d %s\n", r.action,
                r.text);
    free(dkim);
    filter_msg_free(&msg);
    return ok;
}

int main(int argc, char **argv)
{
    struct filter_config cfg = {NULL, true, true, true, "\r\n", 998};
    char body[4096];
    size_t blen = 0;
    const char *error;
    long n;
    double t0, per;
    bool sign;

    if (argc != 5 || (n = atol(argv[3])) <= 0) {
        fprintf(stderr, "usage: milter-filter DBDIR LOGIN MESSAGES "
                        "sign|nosign\n");
        return 2;
    }
    sign = strcmp(argv[4], "sign") == 0;
    cfg.db_dir = argv[1];
    cfg.sign = sign;
    if (filter_init(&cfg, &error) != PK_OK) {
        fprintf(stderr, "milter-filter: %s\n", error);
        return 1;
    }
    for (int i = 1; i <= 28; i++)
        blen += snprintf(body + blen, sizeof(body) - blen,
                         "Line %02d of the benchmark body, some words to "
                         "hash.   \r\n",
                         i);
    /* One message first: the database opened, the key parsed. */
    if (!one_message(argv[2], body, blen, sign))
        return 1;
    t0 = cpu_now();
    for (long i = 0; i < n; i++)
        if (!one_message(argv[2], body, blen, sign))
            return 1;
    per = (cpu_now() - t0) / n;
    printf("filter_us=%.1f\n", per * 1e6);
    filter_deinit();
    return 0;
}
