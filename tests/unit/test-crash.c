/*++
/* NAME
/*	test-crash 1
/* SUMMARY
/*	readers against a writer that is killed with SIGKILL, hundreds of times
/* SYNOPSIS
/*	test-crash
/* DESCRIPTION
/*	Reader processes check invariants in every snapshot they see while
/*	a writer process is killed with SIGKILL over and over: at random
/*	moments, right after it acknowledged a commit, and inside its write
/*	transaction. A new writer takes over after each kill; now and then a
/*	reader is killed too, holding its reader slot. Afterwards the
/*	database must hold every acknowledged write, nothing else but what
/*	was committed, a change log that matches the data, and pass check.
/*
/*	Transaction n of the writer adds the account "un" and the alias
/*	"aliasn" -> "un". Every TEMP_EVERY-th transaction also adds a
/*	temporary account "tn" (every BIG_EVERY-th with BIG_FORWARDS outside
/*	forwards, so records span overflow pages) and "taliasn" -> "tn";
/*	transaction n + TEMP_LIFE deletes them again, so pages are freed and
/*	reused. Transactions commit one after the other and a new writer
/*	skips a transaction its killed predecessor committed without
/*	acknowledging, so every state the database can be in is fixed by
/*	one number, the highest n committed. A reader finds that number and
/*	checks the whole state it implies: the pairs below it present and
/*	resolving, the temporary pairs alive exactly inside their window,
/*	the change log exactly as long as those transactions made it. A
/*	torn transaction, a lost commit or a corrupt page breaks one of
/*	these.
/* ENVIRONMENT
/*	PK_CRASH_KILLS	writer kills by the parent to reach (default 300)
/*	PK_CRASH_SEED	seed of the parent's random choices (default: time)
/* BUGS
/*	The map never fills here (store.c starts at 256 MiB), so growing the
/*	map under a crash is not covered.
/*--*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* asprintf() in test.h */
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "changelog.h"
#include "check.h"
#include "fixture.h"
#include "resolve.h"

#define DOMAIN "crash.example"
#define OUTSIDE "elsewhere.example"
#define READERS 6
#define TEMP_EVERY 3     /* transaction n adds a temporary pair */
#define TEMP_LIFE 30     /* and transaction n + TEMP_LIFE deletes it */
#define BIG_EVERY 9      /* a temporary account with many forwards */
#define BIG_FORWARDS 400 /* about 10 KB: several overflow pages */
#define SAMPLES 6        /* random pairs checked per snapshot */
#define CHECK_EVERY 200  /* snapshots between full pk_check runs */
#define REPORT_EVERY 100 /* snapshots between progress reports */
#define KILL_MODES 8 /* of 8 rounds: 1 self-kill, 2 after an ack, 5 random */
#define KILL_DELAY_US 20000
#define READER_KILL_EVERY 8 /* writer rounds */
#define STALE_READERS 1100  /* more than the 1024 slots store.c asks for */
#define STUCK_MS 5000       /* a writer without progress this long hangs */
#define DEADLINE_S 240      /* the whole test, whatever happens */
#define WRITER_MAX_TXNS 100000
#define READER_MAX_SNAPSHOTS 100000000L
#define SHOW_MAX 5 /* violation messages shown per process */

enum report_type { REPORT_PROGRESS, REPORT_VIOLATION };

/* What a reader sends the parent; one write() below PIPE_BUF each. */
struct report {
    int type;
    long snapshots;
    long checks;
    char text[200];
};

/* Everything the parent counts. */
struct run {
    const char *dir;
    uint64_t base_seq;
    int report_rd, report_wr;
    int ack_rd; /* the current writer's, or -1 */
    unsigned char ackbuf[sizeof(long)];
    size_t acklen;
    unsigned char repbuf[sizeof(struct report)];
    size_t replen;
    long max_ack, acks, acks_now, unacked, last_unacked, ack_disorder;
    long rounds, kills_random, kills_after_ack, self_kills, reader_kills;
    long writer_failures, stuck, reader_failures;
    long snapshots, checks, violations;
    long stale_killed, stale_failed;
};

/* A set of checks on one snapshot. */
struct checker {
    struct pk_txn *txn;
    long violations;
    int report_fd; /* a reader's; -1 in the parent */
};

/* Children to kill when the deadline strikes: readers, then one more. */
static volatile pid_t children[READERS + 1];
static volatile sig_atomic_t reader_stop;
static pid_t parent_pid; /* a child whose parent is gone stops */
static uint64_t rng_state = 88172645463325252ULL;

/* rng_below - a pseudo-random number in [0, n) (xorshift64) */

static long rng_below(long n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n > 0 ? (long)(rng_state % (uint64_t)n) : 0;
}

/* now_ms - a monotonic clock in milliseconds */

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* child_exit - end a child; what it printed must not be lost */

static void child_exit(int code)
{
    fflush(stdout);
    _exit(code);
}

/* name_of - the address of kind ("u", "alias", "t", "talias") number n */

static char *name_of(char buf[PK_ADDR_MAX + 1], const char *kind, long n)
{
    snprintf(buf, PK_ADDR_MAX + 1, "%s%ld@" DOMAIN, kind, n);
    return buf;
}

static bool temp_added(long n)
{
    return n > 0 && n % TEMP_EVERY == 0;
}

static bool temp_big(long n)
{
    return n % BIG_EVERY == 0;
}

/* temp_deleted - the temporary pair transaction n deletes, or 0 */

static long temp_deleted(long n)
{
    return temp_added(n - TEMP_LIFE) ? n - TEMP_LIFE : 0;
}

/* temp_alive - is temporary pair m there when top is the last commit */

static bool temp_alive(long m, long top)
{
    return temp_added(m) && m <= top && m > top - TEMP_LIFE;
}

/* log_entries - change log entries transaction n appends */

static uint64_t log_entries(long n)
{
    uint64_t count = 2; /* account.add, alias.add */

    if (temp_added(n))
        count += 2 + temp_big(n); /* and account.forward */
    if (temp_deleted(n))
        count += 2; /* alias.remove, account.del */
    return count;
}

/*
 * The writer.
 */

struct plan {
    long n;
    int die_step; /* 0: commit; 1-3: SIGKILL at that point inside */
};

/* add_temp - the temporary pair of transaction n */

static int add_temp(struct pk_txn *txn, long n, const char **error_r)
{
    struct pk_strlist list = {0};
    char addr[PK_ADDR_MAX + 1], alias[PK_ADDR_MAX + 1], ext[64];
    int status;

    name_of(addr, "t", n);
    if ((status = pk_account_add(txn, addr, FX_HASH, error_r)) != PK_OK)
        return status;
    for (int i = 0; temp_big(n) && i < BIG_FORWARDS && status == PK_OK; i++) {
        snprintf(ext, sizeof(ext), "f%ld-%d@" OUTSIDE, n, i);
        status = pk_strlist_add(&list, ext);
    }
    if (status == PK_OK && list.count > 0)
        status = pk_account_set_forward(txn, addr, &list, true, error_r);
    pk_strlist_free(&list);
    if (status == PK_OK && (status = pk_strlist_add(&list, addr)) == PK_OK)
        status = pk_alias_add(txn, name_of(alias, "talias", n), &list, error_r);
    pk_strlist_free(&list);
    return status;
}

/* del_temp - delete the temporary pair of transaction m */

static int del_temp(struct pk_txn *txn, long m, const char **error_r)
{
    struct pk_strlist none = {0};
    char addr[PK_ADDR_MAX + 1];
    int status;

    status = pk_alias_remove(txn, name_of(addr, "talias", m), &none, error_r);
    if (status == PK_OK)
        status = pk_account_del(txn, name_of(addr, "t", m), error_r);
    return status;
}

/* write_one - transaction n: one pk_write_fn, safe to repeat */

static int write_one(struct pk_txn *txn, void *ctx, const char **error_r)
{
    const struct plan *p = ctx;
    struct pk_strlist list = {0};
    char addr[PK_ADDR_MAX + 1], alias[PK_ADDR_MAX + 1];
    long m;
    int status;

    name_of(addr, "u", p->n);
    if ((status = pk_account_add(txn, addr, FX_HASH, error_r)) != PK_OK)
        return status;
    if (p->die_step == 1)
        raise(SIGKILL);
    if ((status = pk_strlist_add(&list, addr)) == PK_OK)
        status =
            pk_alias_add(txn, name_of(alias, "alias", p->n), &list, error_r);
    pk_strlist_free(&list);
    if (status == PK_OK && temp_added(p->n))
        status = add_temp(txn, p->n, error_r);
    if (p->die_step == 2)
        raise(SIGKILL);
    if (status == PK_OK && (m = temp_deleted(p->n)) > 0)
        status = del_temp(txn, m, error_r);
    if (p->die_step == 3)
        raise(SIGKILL);
    return status;
}

/* send_long - one message on a pipe; a short write is a broken pipe */

static bool send_long(int fd, long value)
{
    return write(fd, &value, sizeof(value)) == (ssize_t)sizeof(value);
}

/* find_next - skip what a killed predecessor committed without an ack */

static int find_next(struct pk_txn *txn, void *ctx, const char **error_r)
{
    long *next = ctx;
    struct pk_entry ent;
    char addr[PK_ADDR_MAX + 1];
    int status;

    while ((status = pk_account_get(txn, name_of(addr, "u", *next), &ent,
                                    error_r)) == PK_OK) {
        pk_entry_free(&ent);
        ++*next;
    }
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* writer_main - commit transactions from next on, acknowledging each */

static void writer_main(const char *dir, long next, long die_after,
                        int die_step, int ack_fd)
{
    struct pk_store *store;
    struct plan plan;
    const char *error = "";
    long first = next;
    int status;

    if (pk_store_open(dir, 0, &store, &error) != PK_OK) {
        printf("  writer: cannot open the database: %s\n", error);
        child_exit(2);
    }
    pk_store_set_actor(store, "test-crash");

    /*
     * Look inside a write transaction, not a read one: a writer killed
     * after LMDB wrote its meta page but before it published the new
     * transaction id leaves a commit that readers see only once the
     * next writer has taken over the write lock.
     */
    if ((status = pk_store_write(store, find_next, &next, &error)) != PK_OK) {
        printf("  writer: looking for u%ld: %s\n", next, error);
        child_exit(2);
    }
    for (long n = first; n < next; n++)
        if (!send_long(ack_fd, -n))
            _exit(2);
    for (long i = 0; i < WRITER_MAX_TXNS && getppid() == parent_pid;
         i++, next++) {
        plan.n = next;
        plan.die_step = i == die_after ? die_step : 0;
        if ((status = pk_store_write(store, write_one, &plan, &error)) !=
            PK_OK) {
            printf("  writer: transaction %ld: %s: %s\n", next,
                   pk_strstatus(status), error);
            child_exit(2);
        }
        if (!send_long(ack_fd, next))
            _exit(2);
    }
    _exit(0);
}

/*
 * The checks, shared by readers (every snapshot) and the parent (once).
 */

/* violation - count and tell one broken invariant */

static void violation(struct checker *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void violation(struct checker *c, const char *fmt, ...)
{
    struct report rep = {.type = REPORT_VIOLATION};
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(rep.text, sizeof(rep.text), fmt, ap);
    va_end(ap);
    if (c->report_fd < 0) {
        if (c->violations < SHOW_MAX * 4)
            printf("  %s\n", rep.text);
    } else {
        if (c->violations >= SHOW_MAX)
            rep.text[0] = 0;
        if (write(c->report_fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
            _exit(1);
    }
    c->violations++;
}

/* present - 1 if address kind n exists, 0 if not, -1 on error */

static int present(struct checker *c, const char *kind, long n)
{
    struct pk_entry ent;
    char addr[PK_ADDR_MAX + 1];
    const char *error = "";
    int status;

    status = pk_entry_get(c->txn, name_of(addr, kind, n), &ent, &error);
    if (status == PK_OK) {
        pk_entry_free(&ent);
        return 1;
    }
    if (status == PK_NOTFOUND)
        return 0;
    violation(c, "%s: %s: %s", addr, pk_strstatus(status), error);
    return -1;
}

/* expect - name resolves as kind to the mailbox target and outside more */

static void expect(struct checker *c, const char *name, enum pk_kind kind,
                   const char *target, size_t outside)
{
    struct pk_resolution res;
    const char *error = "";
    size_t mailboxes = 0, others = 0;
    bool target_seen = false;
    int status;

    if ((status = pk_resolve(c->txn, name, 0, &res, &error)) != PK_OK) {
        violation(c, "resolve %s: %s: %s", name, pk_strstatus(status), error);
        return;
    }
    for (size_t i = 0; i < res.dest_count; i++) {
        if (res.dest[i].mailbox) {
            mailboxes++;
            target_seen |= strcmp(res.dest[i].address, target) == 0;
        } else {
            others++;
        }
    }
    if (res.kind != kind)
        violation(c, "%s resolves as %s, expected %s", name,
                  pk_kind_name(res.kind), pk_kind_name(kind));
    else if (kind != PK_KIND_UNKNOWN &&
             (mailboxes != 1 || !target_seen || others != outside))
        violation(c,
                  "%s delivers to %zu mailboxes and %zu outside, "
                  "expected %s and %zu outside",
                  name, mailboxes, others, target, outside);
    pk_resolve_free(&res);
}

/* check_pair - "un" and "aliasn" -> "un" are both there, or neither */

static void check_pair(struct checker *c, long n, bool there)
{
    char addr[PK_ADDR_MAX + 1], alias[PK_ADDR_MAX + 1];

    name_of(addr, "u", n);
    name_of(alias, "alias", n);
    expect(c, addr, there ? PK_KIND_ACCOUNT : PK_KIND_UNKNOWN, addr, 0);
    expect(c, alias, there ? PK_KIND_ALIAS : PK_KIND_UNKNOWN, addr, 0);
}

/* check_temp - temporary pair m is there exactly inside its window */

static void check_temp(struct checker *c, long m, long top)
{
    char addr[PK_ADDR_MAX + 1], alias[PK_ADDR_MAX + 1];
    bool alive = temp_alive(m, top);
    size_t outside = temp_big(m) ? BIG_FORWARDS : 0;

    name_of(addr, "t", m);
    name_of(alias, "talias", m);
    expect(c, addr, alive ? PK_KIND_ACCOUNT : PK_KIND_UNKNOWN, addr, outside);
    expect(c, alias, alive ? PK_KIND_ALIAS : PK_KIND_UNKNOWN, addr, outside);
}

/* find_top - the last committed transaction, searching up from known */

static long find_top(struct checker *c, long known)
{
    long top = known;

    while (top < known + WRITER_MAX_TXNS && present(c, "u", top + 1) == 1)
        top++;
    return top;
}

/* check_log - the change log is exactly as long as top transactions */

static void check_log(struct checker *c, uint64_t want)
{
    const char *error = "";
    uint64_t seq;
    int status;

    if ((status = pk_changelog_last(c->txn, &seq, &error)) != PK_OK)
        violation(c, "change log: %s: %s", pk_strstatus(status), error);
    else if (seq != want)
        violation(c, "the change log ends at %" PRIu64 ", expected %" PRIu64,
                  seq, want);
}

/* check_report - pk_check found a problem */

static void check_report(const char *object, const char *problem, void *ctx)
{
    violation(ctx, "check: %s: %s", object, problem);
}

/* run_check - the whole database passes pk_check */

static void run_check(struct checker *c)
{
    const char *error = "";
    size_t problems = 0;
    int status;

    if ((status = pk_check(c->txn, check_report, c, &problems, &error)) !=
        PK_OK)
        violation(c, "check: %s: %s", pk_strstatus(status), error);
}

/*
 * A reader.
 */

struct reader {
    long top;      /* last committed transaction seen */
    uint64_t want; /* change log length that top implies */
};

/* check_snapshot - every invariant of one committed state */

static void check_snapshot(struct checker *c, struct reader *r)
{
    long top, m;

    if (r->top > 0 && present(c, "u", r->top) != 1)
        violation(c, "u%ld, seen in an earlier snapshot, is gone", r->top);
    top = find_top(c, r->top);
    for (long n = r->top + 1; n <= top; n++)
        r->want += log_entries(n);
    r->top = top;
    check_log(c, r->want);
    check_pair(c, top + 1, false);
    if (top == 0)
        return;
    check_pair(c, top, true);
    for (int i = 0; i < SAMPLES; i++)
        check_pair(c, 1 + rng_below(top), true);
    m = top - rng_below(TEMP_LIFE + 2 * TEMP_EVERY);
    m -= m % TEMP_EVERY;
    if (m > 0)
        check_temp(c, m, top);
}

/* reader_stop_handler - finish the snapshot at hand, then stop */

static void reader_stop_handler(int sig)
{
    (void)sig;
    reader_stop = 1;
}

/* send_progress - tell the parent how much was checked */

static void send_progress(int fd, long *snapshots, long *checks)
{
    struct report rep = {.type = REPORT_PROGRESS};

    rep.snapshots = *snapshots;
    rep.checks = *checks;
    if (write(fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
        _exit(1);
    *snapshots = *checks = 0;
}

/* reader_main - check snapshots until told to stop */

static void reader_main(const char *dir, uint64_t base_seq, int report_fd,
                        const sigset_t *mask)
{
    struct sigaction sa = {.sa_handler = reader_stop_handler};
    struct checker c = {.report_fd = report_fd};
    struct reader r = {.want = base_seq};
    struct pk_store *store;
    const char *error = "";
    long done = 0, snapshots = 0, checks = 0, failed_reads = 0;
    int status;

    sigaction(SIGTERM, &sa, NULL);
    sigprocmask(SIG_SETMASK, mask, NULL);
    if ((status = pk_store_open(dir, PK_STORE_READONLY, &store, &error)) !=
        PK_OK) {
        violation(&c, "reader: open: %s: %s", pk_strstatus(status), error);
        _exit(1);
    }
    while (!reader_stop && done < READER_MAX_SNAPSHOTS &&
           getppid() == parent_pid) {
        if ((status = pk_store_read(store, &c.txn, &error)) != PK_OK) {
            violation(&c, "reader: read: %s: %s", pk_strstatus(status), error);
            if (++failed_reads > 100)
                _exit(1);
            usleep(1000);
            continue;
        }
        check_snapshot(&c, &r);
        if (++done % CHECK_EVERY == 0) {
            run_check(&c);
            checks++;
        }
        pk_txn_end(&c.txn);
        if (++snapshots == REPORT_EVERY)
            send_progress(report_fd, &snapshots, &checks);
    }
    send_progress(report_fd, &snapshots, &checks);
    pk_store_close(&store);
    _exit(0);
}

/*
 * The parent.
 */

/* kill_children - SIGKILL every child there is; async-signal-safe */

static void kill_children(void)
{
    for (int i = 0; i <= READERS; i++)
        if (children[i] > 0)
            kill(children[i], SIGKILL);
}

/* deadline_handler - the test hangs: kill every child and fail */

static void deadline_handler(int sig)
{
    static const char msg[] = "test-crash: deadline passed; killing children\n";

    (void)sig;
    kill_children();
    if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
        _exit(1);
    _exit(1);
}

/* abandon - the test cannot go on: kill every child and fail */

static void abandon(const char *what)
{
    printf("test-crash: %s: %s\n", what, strerror(errno));
    fflush(stdout);
    kill_children();
    exit(1);
}

/* take_ack - count what a writer acknowledged, or found unacknowledged */

static void take_ack(struct run *r, const void *msg)
{
    long v;

    memcpy(&v, msg, sizeof(v));
    if (v < 0 && -v > r->last_unacked) {
        r->last_unacked = -v;
        r->unacked++;
    } else if (v > 0 && v <= r->max_ack) {
        printf("  acknowledgement %ld after %ld\n", v, r->max_ack);
        r->ack_disorder++;
    } else if (v > 0) {
        r->max_ack = v;
        r->acks++;
        r->acks_now++;
    }
}

/* take_report - count one reader report */

static void take_report(struct run *r, const void *msg)
{
    struct report rep;

    memcpy(&rep, msg, sizeof(rep));
    if (rep.type == REPORT_PROGRESS) {
        r->snapshots += rep.snapshots;
        r->checks += rep.checks;
        return;
    }
    if (rep.text[0] != 0 && r->violations < SHOW_MAX * 4)
        printf("  reader: %s\n", rep.text);
    r->violations++;
}

/* drain - read messages of size bytes from a non-blocking pipe */

static void drain(struct run *r, int fd, unsigned char *buf, size_t *len,
                  size_t size, void (*take)(struct run *, const void *))
{
    ssize_t got;

    while (fd >= 0 && (got = read(fd, buf + *len, size - *len)) > 0) {
        if ((*len += (size_t)got) == size) {
            take(r, buf);
            *len = 0;
        }
    }
}

/* drain_acks - take what the writer acknowledged */

static void drain_acks(struct run *r)
{
    drain(r, r->ack_rd, r->ackbuf, &r->acklen, sizeof(long), take_ack);
}

/* drain_reports - take what the readers sent */

static void drain_reports(struct run *r)
{
    drain(r, r->report_rd, r->repbuf, &r->replen, sizeof(struct report),
          take_report);
}

/* pump - wait up to ms for acknowledgements or reports, and take them */

static void pump(struct run *r, int ms)
{
    struct pollfd pfd[2] = {{.fd = r->report_rd, .events = POLLIN},
                            {.fd = r->ack_rd, .events = POLLIN}};

    poll(pfd, r->ack_rd >= 0 ? 2 : 1, ms);
    drain_reports(r);
    drain_acks(r);
}

/* wait_child - reap pid within ms, taking messages meanwhile */

static bool wait_child(struct run *r, pid_t pid, long ms, int *wstatus)
{
    long until = now_ms() + ms;
    pid_t got;

    while ((got = waitpid(pid, wstatus, WNOHANG)) == 0 && now_ms() < until)
        pump(r, 1);
    if (got == 0) {
        kill(pid, SIGKILL);
        got = waitpid(pid, wstatus, 0);
        return false;
    }
    return got == pid;
}

/* killed - did the child die of SIGKILL */

static bool killed(int wstatus)
{
    return WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL;
}

/* spawn - fork a child that closes what it must not hold */

static pid_t spawn(struct run *r, int slot)
{
    pid_t pid;

    fflush(stdout);
    if ((pid = fork()) < 0)
        abandon("fork");
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(DEADLINE_S);
        rng_state ^= (uint64_t)getpid() << 32 | (uint64_t)getpid();
        close(r->report_rd);
        if (r->ack_rd >= 0)
            close(r->ack_rd);
        return 0;
    }
    children[slot] = pid;
    return pid;
}

/* spawn_reader - start reader number i */

static void spawn_reader(struct run *r, int i)
{
    sigset_t term, old;

    /* A SIGTERM before the reader's handler is in place must wait. */
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    if (spawn(r, i) == 0)
        reader_main(r->dir, r->base_seq, r->report_wr, &old);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* spawn_writer - start a writer at the transaction after the last ack */

static pid_t spawn_writer(struct run *r, long die_after, int die_step)
{
    int fds[2];
    pid_t pid;

    if (pipe(fds) < 0)
        abandon("pipe");
    if ((pid = spawn(r, READERS)) == 0) {
        close(fds[0]);
        close(r->report_wr);
        writer_main(r->dir, r->max_ack + 1, die_after, die_step, fds[1]);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    r->ack_rd = fds[0];
    r->acks_now = 0;
    return pid;
}

/* writer_round - start a writer and kill it one way or another */

static void writer_round(struct run *r)
{
    long mode = ++r->rounds % KILL_MODES, want, until;
    pid_t pid;
    int wstatus = 0;
    bool reaped;

    if (mode == 0) { /* it kills itself inside a transaction */
        pid = spawn_writer(r, rng_below(3), 1 + (int)rng_below(3));
        reaped = wait_child(r, pid, STUCK_MS, &wstatus);
        r->stuck += !reaped;
        r->self_kills += reaped && killed(wstatus);
    } else {
        pid = spawn_writer(r, -1, 0);
        if (mode <= 2) { /* right after its want-th acknowledgement */
            want = 1 + rng_below(3);
            until = now_ms() + STUCK_MS;
            while (r->acks_now < want && now_ms() < until)
                pump(r, 1);
            r->stuck += r->acks_now < want;
            r->kills_after_ack++;
        } else { /* at a random moment */
            usleep((useconds_t)rng_below(KILL_DELAY_US));
            r->kills_random++;
        }
        kill(pid, SIGKILL);
        reaped = wait_child(r, pid, STUCK_MS, &wstatus);
    }
    children[READERS] = 0;
    if (!reaped || !killed(wstatus)) {
        printf("  writer round %ld: %s %d\n", r->rounds,
               !reaped              ? "hung; killed"
               : WIFEXITED(wstatus) ? "exit"
                                    : "signal",
               WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
        r->writer_failures++;
    }
    drain_acks(r);
    close(r->ack_rd);
    r->ack_rd = -1;
    r->acklen = 0;
}

/* reader_round - kill one reader, or restart one that ended by itself */

static void reader_round(struct run *r, bool kill_one)
{
    int victim = kill_one ? (int)rng_below(READERS) : -1, wstatus = 0;

    for (int i = 0; i < READERS; i++) {
        if (i == victim) {
            kill(children[i], SIGKILL);
            if (wait_child(r, children[i], STUCK_MS, &wstatus) &&
                killed(wstatus))
                r->reader_kills++;
            else
                r->reader_failures++;
        } else if (waitpid(children[i], &wstatus, WNOHANG) == children[i]) {
            printf("  reader %d ended by itself (status %#x)\n", i, wstatus);
            r->reader_failures++;
        } else {
            continue;
        }
        spawn_reader(r, i);
    }
}

/* stop_readers - ask every reader to finish, and reap it */

static void stop_readers(struct run *r)
{
    int wstatus = 0;

    for (int i = 0; i < READERS; i++)
        kill(children[i], SIGTERM);
    for (int i = 0; i < READERS; i++) {
        if (!wait_child(r, children[i], STUCK_MS, &wstatus) ||
            !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
            printf("  reader %d did not stop cleanly (status %#x)\n", i,
                   wstatus);
            r->reader_failures++;
        }
        children[i] = 0;
    }
    drain_reports(r);
}

/*
 * stale_readers - readers die holding a read transaction, many times.
 * The live readers keep the environment open meanwhile: otherwise each
 * open would be the only one and LMDB would reset the reader table.
 */

static void stale_readers(struct run *r, int count)
{
    struct pk_store *store;
    struct pk_txn *txn;
    const char *error;
    pid_t pid;
    int wstatus = 0;

    for (int i = 0; i < count; i++) {
        fflush(stdout);
        if ((pid = fork()) == 0) {
            signal(SIGALRM, SIG_DFL);
            alarm(DEADLINE_S);
            if (pk_store_open(r->dir, PK_STORE_READONLY, &store, &error) !=
                    PK_OK ||
                pk_store_read(store, &txn, &error) != PK_OK) {
                if (r->stale_failed < SHOW_MAX)
                    printf("  stale reader %d: %s\n", i, error);
                child_exit(1);
            }
            raise(SIGKILL);
        }
        children[READERS] = pid;
        if (pid > 0 && wait_child(r, pid, STUCK_MS, &wstatus) &&
            killed(wstatus))
            r->stale_killed++;
        else
            r->stale_failed++;
        children[READERS] = 0;
    }
}

/* run_crashes - readers run while writers are killed, target times */

static void run_crashes(struct run *r, long target, long *crashed_r)
{
    int fds[2];

    if (pipe(fds) < 0)
        abandon("pipe");
    r->report_rd = fds[0];
    r->report_wr = fds[1];
    r->ack_rd = -1;
    fcntl(r->report_rd, F_SETFL, O_NONBLOCK);
    for (int i = 0; i < READERS; i++)
        spawn_reader(r, i);
    while (r->kills_random + r->kills_after_ack < target &&
           r->rounds < target * 4) {
        writer_round(r);
        reader_round(r, r->rounds % READER_KILL_EVERY == 0);
    }
    *crashed_r = now_ms();
    /* Paused, the readers still hold the environment open, but leave
     * the processor to the short-lived ones. */
    for (int i = 0; i < READERS; i++)
        kill(children[i], SIGSTOP);
    stale_readers(r, STALE_READERS);
    for (int i = 0; i < READERS; i++)
        kill(children[i], SIGCONT);
    stop_readers(r);
    close(r->report_rd);
    close(r->report_wr);
}

/*
 * The behaviours, judged on the database the run left.
 */

/* test_crash_no_acknowledged_write_is_lost - every ack is in the database */

static void test_crash_no_acknowledged_write_is_lost(struct run *r,
                                                     struct pk_store *store,
                                                     long target, long *top_r)
{
    struct checker c = {.report_fd = -1};
    const char *error = "";
    size_t entries = 0, want = 0;
    long top = 0;

    test_begin("crash no acknowledged write is lost across writer kills");
    test_assert(r->kills_random + r->kills_after_ack >= target);
    test_assert_int(r->writer_failures, 0);
    test_assert_int(r->stuck, 0);
    test_assert_int(r->ack_disorder, 0);
    test_assert(r->acks > 0);
    test_assert_int(r->self_kills, r->rounds / KILL_MODES);
    if (pk_store_read(store, &c.txn, &error) != PK_OK) {
        printf("  read: %s\n", error);
        test_assert(0);
        test_end();
        return;
    }
    for (long n = 1; n <= r->max_ack; n++)
        check_pair(&c, n, true);
    top = find_top(&c, r->max_ack);
    /* Only the last writer can have committed without acknowledging. */
    test_assert(top <= r->max_ack + 1);
    check_pair(&c, top + 1, false);
    for (long m = TEMP_EVERY; m <= top; m += TEMP_EVERY) {
        check_temp(&c, m, top);
        want += 2 * temp_alive(m, top);
    }
    test_assert(pk_txn_count(c.txn, PK_DB_ADDRESSES, &entries, &error) ==
                PK_OK);
    test_assert_int(entries, 2 * top + want);
    pk_txn_end(&c.txn);
    test_assert_int(c.violations, 0);
    *top_r = top;
    test_end();
}

/* test_crash_readers_see_whole_transactions - no reader saw a torn state */

static void test_crash_readers_see_whole_transactions(struct run *r)
{
    test_begin("crash readers see only whole transactions while writers die");
    test_assert(r->snapshots > 0);
    test_assert(r->checks > 0);
    test_assert_int(r->violations, 0);
    test_assert_int(r->reader_failures, 0);
    test_assert_int(r->reader_kills, r->rounds / READER_KILL_EVERY);
    test_end();
}

/* test_crash_database_checks_clean - pk_check finds nothing */

static void test_crash_database_checks_clean(struct pk_store *store)
{
    struct checker c = {.report_fd = -1};
    const char *error = "";

    test_begin("crash the database passes check after the kills");
    test_assert(pk_store_read(store, &c.txn, &error) == PK_OK);
    if (c.txn != NULL) {
        run_check(&c);
        pk_txn_end(&c.txn);
    }
    test_assert_int(c.violations, 0);
    test_end();
}

struct log_count {
    long top;
    unsigned char *seen; /* account.add of "un", by n */
    long entries, beyond;
};

/* count_log - one change log entry */

static int count_log(uint64_t seq, const struct pk_logrec *rec, void *ctx)
{
    struct log_count *lc = ctx;
    char tail[PK_ADDR_MAX + 1];
    long n;

    (void)seq;
    lc->entries++;
    if (strcmp(rec->op, "account.add") == 0 &&
        sscanf(rec->subject, "u%ld%254s", &n, tail) == 2 &&
        strcmp(tail, "@" DOMAIN) == 0) {
        if (n >= 1 && n <= lc->top)
            lc->seen[n] += lc->seen[n] < 255;
        else
            lc->beyond++;
    }
    return 0;
}

/* test_crash_change_log_matches_data - the log holds each commit once */

static void test_crash_change_log_matches_data(struct run *r,
                                               struct pk_store *store, long top)
{
    struct log_count lc = {.top = top};
    struct pk_txn *txn;
    const char *error = "";
    uint64_t want = r->base_seq;
    long once = 0;

    test_begin("crash the change log holds each committed change exactly once");
    lc.seen = calloc((size_t)top + 1, 1);
    test_assert(lc.seen != NULL);
    test_assert(pk_store_read(store, &txn, &error) == PK_OK);
    if (lc.seen != NULL && txn != NULL)
        test_assert(pk_changelog_iter(txn, 0, count_log, &lc, &error) == PK_OK);
    pk_txn_end(&txn);
    for (long n = 1; n <= top; n++) {
        want += log_entries(n);
        once += lc.seen != NULL && lc.seen[n] == 1;
    }
    test_assert_int(lc.entries, want);
    test_assert_int(once, top);
    test_assert_int(lc.beyond, 0);
    free(lc.seen);
    test_end();
}

/* test_crash_dead_readers_do_not_fill_reader_table - opens keep working */

static void
test_crash_dead_readers_do_not_fill_reader_table(struct run *r,
                                                 struct pk_store *store)
{
    struct pk_txn *txn;
    const char *error = "";

    test_begin("crash readers killed inside a read never lock out readers");
    test_assert_int(r->stale_killed, STALE_READERS);
    test_assert_int(r->stale_failed, 0);
    test_assert(pk_store_read(store, &txn, &error) == PK_OK);
    pk_txn_end(&txn);
    test_end();
}

/* env_long - a positive number from the environment, or a default */

static long env_long(const char *name, long fallback)
{
    const char *s = getenv(name);
    char *end;
    long v;

    if (s == NULL || *s == 0)
        return fallback;
    v = strtol(s, &end, 10);
    return *end == 0 && v > 0 ? v : fallback;
}

int main(void)
{
    struct fixture fx;
    struct run run = {0};
    struct pk_txn *txn;
    struct stat st;
    char path[4096];
    long target = env_long("PK_CRASH_KILLS", 300), top = 0, started, crashed;
    uint64_t seed = (uint64_t)env_long("PK_CRASH_SEED", (long)time(NULL));

    rng_state ^= seed;
    parent_pid = getpid();
    fixture_open(&fx);
    if (fx_domain(&fx, DOMAIN) != PK_OK ||
        pk_store_read(fx.store, &txn, &fx.error) != PK_OK ||
        pk_changelog_last(txn, &run.base_seq, &fx.error) != PK_OK) {
        printf("cannot set up: %s\n", fx.error);
        return 1;
    }
    pk_txn_end(&txn);
    /* Never carry an environment across fork(). */
    pk_store_close(&fx.store);
    run.dir = fx.dir;

    signal(SIGALRM, deadline_handler);
    signal(SIGPIPE, SIG_IGN);
    alarm(DEADLINE_S);
    started = now_ms();
    run_crashes(&run, target, &crashed);
    snprintf(path, sizeof(path), "%s/data.mdb", fx.dir);
    printf(
        "  seed %" PRIu64 ": %ld writer kills (%ld at random, %ld after "
        "an ack) and %ld inside a transaction; %ld acks, %ld commits "
        "unacknowledged; %ld reader kills, %ld snapshots checked, %ld "
        "full checks in %.1f s; %ld dead readers in %.1f s; %lld KiB of data\n",
        seed, run.kills_random + run.kills_after_ack, run.kills_random,
        run.kills_after_ack, run.self_kills, run.acks, run.unacked,
        run.reader_kills, run.snapshots, run.checks,
        (crashed - started) / 1000.0, run.stale_killed,
        (now_ms() - crashed) / 1000.0,
        stat(path, &st) == 0 ? (long long)st.st_size / 1024 : -1LL);
    fflush(stdout);

    if (pk_store_open(fx.dir, 0, &fx.store, &fx.error) != PK_OK) {
        printf("cannot open the database after the run: %s\n", fx.error);
        return 1;
    }
    test_crash_no_acknowledged_write_is_lost(&run, fx.store, target, &top);
    test_crash_readers_see_whole_transactions(&run);
    test_crash_database_checks_clean(fx.store);
    test_crash_change_log_matches_data(&run, fx.store, top);
    test_crash_dead_readers_do_not_fill_reader_table(&run, fx.store);
    alarm(0);
    fixture_close(&fx);
    return test_exit();
}
