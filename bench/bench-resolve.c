/*++
/* NAME
/*	bench-resolve 1
/* SUMMARY
/*	pk_resolve() lookups per second, in-process
/* SYNOPSIS
/*	bench-resolve --db DIR [--expect hit|miss] [--output FILE] KEYFILE...
/*
/*	bench-resolve --db DIR [--expect hit|miss] --seconds S KEYFILE
/*
/*	bench-resolve --db DIR [--expect hit|miss] KEYFILE -- COMMAND [ARG...]
/* DESCRIPTION
/*	Opens the database read-only and resolves the keys of each key
/*	file (one address a line) in file order, each lookup in its own
/*	short read transaction, as postkontor-postfix does: the store
/*	opened with PK_STORE_KEEPSNAPSHOT and let go once a second
/*	(pk_store_idle()), pk_store_read(),
/*	pk_resolve() with full alias expansion and PK_RESOLVE_NO_STATE
/*	(addresses only, as a Postfix virtual alias map wants them),
/*	pk_txn_end(), then the
/*	answer as "postmap -q -" prints it (the key, a TAB, the
/*	destinations joined by commas, a newline) on a stdio stream to
/*	--output (default /dev/null), and pk_resolve_free(). Like postmap,
/*	it reads the keys through stdio as it goes; that loop, reading
/*	included, is what is timed.
/*
/*	The first form makes one pass over each file. With --seconds it
/*	cycles through the keys until that much time has passed. With a
/*	COMMAND it starts the command first (before opening the database,
/*	so no environment crosses fork()) and cycles through the keys until
/*	the command exits: the rate of a reader while, say, an import runs.
/*
/*	One line per key file on stdout:
/*
/*	FILE lookups=N seconds=T cpu=C rate=R account=A alias=B
/*	catchall=C unknown=U external=E errors=X
/*
/*	where T is wall-clock time, C the CPU time this process had (less
/*	than T when other processes took the core), R = N / T; with a
/*	COMMAND also "status=S", its exit status.
/*
/*	--expect hit fails the run if a key resolved to neither an account
/*	nor an alias; --expect miss if one did. A benchmark over the wrong
/*	answers measures nothing.
/* DIAGNOSTICS
/*	Exit status 0 on success; 1 if the database cannot be opened, a
/*	lookup failed, an answer was not the expected kind or the command
/*	failed; 2 for a usage error.
/*--*/

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pk.h"
#include "resolve.h"
#include "store.h"

/* How many lookups between two looks at the clock or the command. */
#define CHECK_EVERY 1024

enum expect {
    EXPECT_ANY,
    EXPECT_HIT,
    EXPECT_MISS,
};

struct keyfile {
    const char *name;
    FILE *fp;
    char *line; /* getline()'s buffer, reused */
    size_t size;
};

struct tally {
    size_t lookups;
    size_t kind[PK_KIND_EXTERNAL + 1];
    size_t errors;
    size_t unexpected;
    double seconds;
    double cpu;       /* CPU seconds of this process */
    time_t last_idle; /* CLOCK_MONOTONIC second of the last pk_store_idle() */
};

/* log_stderr - the core's log sink for this program */

static void log_stderr(enum pk_log_level level, const char *msg, void *ctx)
{
    if (level >= PK_LOG_WARNING)
        fprintf(stderr, "bench-resolve: %s\n", msg);
}

/* seconds_of - a clock's reading in seconds */

static double seconds_of(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* now - monotonic seconds */

static double now(void)
{
    return seconds_of(CLOCK_MONOTONIC);
}

/* keyfile_open - open a key file; keys are read as the lookups run */

static int keyfile_open(const char *name, struct keyfile *kf)
{
    memset(kf, 0, sizeof(*kf));
    kf->name = name;
    if ((kf->fp = fopen(name, "re")) == NULL) {
        fprintf(stderr, "bench-resolve: %s: %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* keyfile_next - the next key, its newline removed; NULL at the end */

static const char *keyfile_next(struct keyfile *kf)
{
    ssize_t n;

    while ((n = getline(&kf->line, &kf->size, kf->fp)) >= 0) {
        if (n > 0 && kf->line[n - 1] == '\n')
            kf->line[--n] = 0;
        if (n > 0)
            return kf->line;
    }
    return NULL;
}

/* keyfile_close - release a key file */

static void keyfile_close(struct keyfile *kf)
{
    if (kf->fp != NULL)
        fclose(kf->fp);
    free(kf->line);
}

/* put_result - what postmap -q prints for a found key: key TAB values */

static void put_result(FILE *out, const char *key,
                       const struct pk_resolution *res)
{
    fputs(key, out);
    for (size_t i = 0; i < res->dest_count; i++) {
        putc(i == 0 ? '\t' : ',', out);
        fputs(res->dest[i].address, out);
    }
    putc('\n', out);
}

/* lookup - one resolution in its own read transaction */

static void lookup(struct pk_store *store, const char *key, enum expect expect,
                   FILE *out, struct tally *t)
{
    struct pk_resolution res;
    struct pk_txn *txn;
    const char *error = "";
    int status;
    bool hit;

    /* As the daemon's tick does, about once a second. */
    if ((t->lookups++ & 1023) == 0) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        if (ts.tv_sec != t->last_idle) {
            t->last_idle = ts.tv_sec;
            pk_store_idle(store);
        }
    }
    if ((status = pk_store_read(store, &txn, &error)) == PK_OK) {
        status = pk_resolve(txn, key, PK_RESOLVE_NO_STATE, &res, &error);
        pk_txn_end(&txn);
    }
    if (status != PK_OK) {
        if (t->errors++ == 0)
            fprintf(stderr, "bench-resolve: %s: %s\n", key, error);
        return;
    }
    t->kind[res.kind]++;
    if (res.dest_count > 0 && res.kind != PK_KIND_EXTERNAL)
        put_result(out, key, &res);
    hit = res.kind == PK_KIND_ACCOUNT || res.kind == PK_KIND_ALIAS;
    if ((expect == EXPECT_HIT && !hit) || (expect == EXPECT_MISS && hit)) {
        if (t->unexpected++ == 0)
            fprintf(stderr, "bench-resolve: %s resolved as %s\n", key,
                    pk_kind_name(res.kind));
    }
    pk_resolve_free(&res);
}

/* command_done - has the background command exited; its status if so */

static bool command_done(pid_t pid, int *status_r)
{
    int ws;

    if (waitpid(pid, &ws, WNOHANG) != pid)
        return false;
    *status_r = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    return true;
}

/* run - resolve the keys: one pass, for a time, or while pid runs */

static int run(struct pk_store *store, struct keyfile *kf, enum expect expect,
               FILE *out, double seconds, pid_t pid, int *cmd_status_r,
               struct tally *t)
{
    double start, stop, cpu_start;
    const char *key;

    memset(t, 0, sizeof(*t));
    cpu_start = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
    start = now();
    stop = start + seconds;
    for (;;) {
        if ((key = keyfile_next(kf)) == NULL) {
            if (t->lookups == 0) {
                fprintf(stderr, "bench-resolve: %s holds no keys\n", kf->name);
                return -1;
            }
            if (seconds <= 0 && pid <= 0)
                break;
            rewind(kf->fp);
            continue;
        }
        lookup(store, key, expect, out, t);
        if (t->lookups % CHECK_EVERY != 0)
            continue;
        if (pid > 0 && command_done(pid, cmd_status_r))
            break;
        if (seconds > 0 && now() >= stop)
            break;
    }
    fflush(out);
    t->seconds = now() - start;
    t->cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    return 0;
}

/* report - one result line */

static void report(const char *name, const struct tally *t, pid_t pid,
                   int cmd_status)
{
    printf("%s lookups=%zu seconds=%.3f cpu=%.3f rate=%.0f account=%zu "
           "alias=%zu catchall=%zu unknown=%zu external=%zu errors=%zu",
           name, t->lookups, t->seconds, t->cpu, t->lookups / t->seconds,
           t->kind[PK_KIND_ACCOUNT], t->kind[PK_KIND_ALIAS],
           t->kind[PK_KIND_CATCHALL], t->kind[PK_KIND_UNKNOWN],
           t->kind[PK_KIND_EXTERNAL], t->errors);
    if (pid > 0)
        printf(" status=%d", cmd_status);
    printf("\n");
    fflush(stdout);
}

/* start_command - fork and exec the background command */

static pid_t start_command(char **argv)
{
    pid_t pid;

    fflush(NULL);
    if ((pid = fork()) < 0) {
        fprintf(stderr, "bench-resolve: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "bench-resolve: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* usage - say how to run this and exit */

static void usage(void)
{
    fprintf(stderr, "usage: bench-resolve --db DIR [--expect hit|miss] "
                    "[--output FILE] [--seconds S] KEYFILE... "
                    "[-- COMMAND [ARG...]]\n");
    exit(2);
}

/* main - parse the options, load the keys, run and report */

int main(int argc, char **argv)
{
    const char *dir = NULL, *error = "", *output = "/dev/null";
    FILE *out;
    enum expect expect = EXPECT_ANY;
    double seconds = 0;
    char **command = NULL;
    struct keyfile *files;
    struct pk_store *store;
    struct tally t;
    size_t nfiles = 0;
    pid_t pid = 0;
    int cmd_status = 0, bad = 0, i;

    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--db") == 0) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--output") == 0) {
            output = argv[++i];
        } else if (strcmp(argv[i], "--seconds") == 0) {
            seconds = atof(argv[++i]);
        } else if (strcmp(argv[i], "--expect") == 0) {
            i++;
            if (strcmp(argv[i], "hit") == 0)
                expect = EXPECT_HIT;
            else if (strcmp(argv[i], "miss") == 0)
                expect = EXPECT_MISS;
            else
                usage();
        } else {
            usage();
        }
    }
    if (dir == NULL || (files = calloc(argc, sizeof(*files))) == NULL)
        usage();
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            command = argv + i + 1;
            break;
        }
        if (keyfile_open(argv[i], &files[nfiles++]) < 0)
            return 1;
    }
    if (nfiles == 0 || (command != NULL && *command == NULL) ||
        ((seconds > 0 || command != NULL) && nfiles != 1) ||
        (seconds > 0 && command != NULL))
        usage();

    if ((out = fopen(output, "w")) == NULL) {
        fprintf(stderr, "bench-resolve: %s: %s\n", output, strerror(errno));
        return 1;
    }
    pk_log_set_sink(log_stderr, NULL);
    if (command != NULL && (pid = start_command(command)) < 0)
        return 1;
    if (pk_store_open(dir, PK_STORE_READONLY | PK_STORE_KEEPSNAPSHOT, &store,
                      &error) != PK_OK) {
        fprintf(stderr, "bench-resolve: %s\n", error);
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, NULL, 0);
        }
        return 1;
    }
    for (size_t f = 0; f < nfiles; f++) {
        if (run(store, &files[f], expect, out, seconds, pid, &cmd_status, &t) <
            0)
            bad = 1;
        else
            report(files[f].name, &t, pid, cmd_status);
        if (t.errors > 0 || t.unexpected > 0)
            bad = 1;
        keyfile_close(&files[f]);
    }
    if (fclose(out) != 0)
        bad = 1;
    pk_store_close(&store);
    free(files);
    if (pid > 0 && cmd_status != 0) {
        fprintf(stderr, "bench-resolve: %s exited with status %d\n", command[0],
                cmd_status);
        bad = 1;
    }
    return bad;
}
