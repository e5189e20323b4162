/*++
/* NAME
/*	postfix-null 1
/* SUMMARY
/*	do-nothing socketmap and policy servers: the transport's ceiling
/* SYNOPSIS
/*	postfix-null socketmap|policy PATH
/*
/*	postfix-null socketmap|policy PATH DBDIR
/* DESCRIPTION
/*	A benchmark peer, never installed. It listens on a unix socket and
/*	answers every socketmap request with "OK x" or every policy request
/*	with "action=DUNNO", deciding nothing, so that a comparison
/*	measures what the real daemon adds per request.
/*
/*	To be a fair ceiling it does what any server of the protocol must
/*	do and no more, the way postkontor-postfix does it: one
/*	level-triggered epoll set of non-blocking sockets, one read per
/*	readiness into a per-connection buffer, every complete request in
/*	it answered, the answers sent with one write. A socketmap request
/*	is a checked netstring split into a table name and a key; a policy
/*	request is split into its name=value lines, and must carry
/*	request=smtpd_access_policy. Runs until killed.
/*
/*	With DBDIR (a postkontor database), each request also makes the
/*	one LMDB read any server of this database must make: the record in
/*	the "addresses" table of a socketmap request's key, or of a policy
/*	request's sasl_username (when it has one), its key built without
/*	any check (lower case, domain, NUL, local part), the value touched,
/*	and the same answer given all the same. Like
/*	postkontor-postfix it keeps its read transaction while no commit
/*	has been made since, and renews it otherwise. This is the floor of
/*	a socketmap server backed by this database on this machine: what
/*	one random B-tree search costs, with nothing of ours around it.
/*	It calls LMDB directly because it stands for LMDB, as mdb_load
/*	does in the import benchmark.
/*--*/

#include <ctype.h>
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUFSZ 20000
#define OUTSZ 70000

struct conn {
    int fd;
    size_t len;
    char buf[BUFSZ];
};

static int policy;

/* The database of the lookup floor; env NULL: no lookups. */
static MDB_env *env;
static MDB_dbi dbi;
static MDB_txn *txn;
static size_t txn_id;
volatile unsigned char postfix_null_sink; /* the value is read */

/* db_open - the environment and its addresses table, read-only */

static int db_open(const char *dir)
{
    int rc;

    if ((rc = mdb_env_create(&env)) != 0 ||
        (rc = mdb_env_set_maxdbs(env, 16)) != 0 ||
        (rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0)) != 0 ||
        (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0 ||
        (rc = mdb_dbi_open(txn, "addresses", 0, &dbi)) != 0) {
        fprintf(stderr, "postfix-null: %s: %s\n", dir, mdb_strerror(rc));
        return -1;
    }
    txn_id = mdb_txn_id(txn);
    return 0;
}

/* db_get - the one read: the record of "local@domain" */

static void db_get(const char *key, size_t n)
{
    char k[600];
    const char *at = NULL;
    size_t dlen, llen;
    MDB_envinfo info;
    MDB_val kv, vv;

    for (size_t i = 0; i < n; i++)
        if (key[i] == '@')
            at = key + i;
    if (at == NULL || n >= sizeof(k))
        return;
    llen = (size_t)(at - key);
    dlen = n - llen - 1;
    for (size_t i = 0; i < dlen; i++)
        k[i] = (char)tolower((unsigned char)at[1 + i]);
    k[dlen] = 0;
    for (size_t i = 0; i < llen; i++)
        k[dlen + 1 + i] = (char)tolower((unsigned char)key[i]);
    mdb_env_info(env, &info);
    if (info.me_last_txnid != txn_id) {
        mdb_txn_reset(txn);
        if (mdb_txn_renew(txn) != 0)
            return;
        txn_id = mdb_txn_id(txn);
    }
    kv.mv_data = k;
    kv.mv_size = dlen + 1 + llen;
    if (mdb_get(txn, dbi, &kv, &vv) == 0 && vv.mv_size > 0)
        postfix_null_sink = *(const unsigned char *)vv.mv_data;
}

/* socketmap_one - one netstring "name key"; bytes used, 0, or -1 */

static long socketmap_one(const char *p, size_t left)
{
    size_t n = 0, i;
    const char *sp;

    for (i = 0; i < left && i < 6 && p[i] >= '0' && p[i] <= '9'; i++)
        n = n * 10 + (size_t)(p[i] - '0');
    if (i == left || i + 1 + n + 1 > left)
        return i == 6 ? -1 : 0;
    if (i == 0 || p[i] != ':' || p[i + 1 + n] != ',')
        return -1;
    sp = memchr(p + i + 1, ' ', n);
    if (sp == NULL || sp == p + i + 1 || sp == p + i + n)
        return -1;
    if (env != NULL)
        db_get(sp + 1, (size_t)(p + i + 1 + n - sp - 1));
    return (long)(i + n + 2);
}

/* policy_one - one request of name=value lines; bytes used, 0, or -1 */

static long policy_one(const char *p, size_t left)
{
    const char *line = p, *end = p + left, *nl, *eq;
    int valid = 0;

    while ((nl = memchr(line, '\n', (size_t)(end - line))) != NULL) {
        if (nl == line)
            return valid ? (long)(nl + 1 - p) : -1;
        if ((eq = memchr(line, '=', (size_t)(nl - line))) == NULL || eq == line)
            return -1;
        if (eq - line == 7 && memcmp(line, "request", 7) == 0)
            valid = nl - eq - 1 == 19 &&
                    memcmp(eq + 1, "smtpd_access_policy", 19) == 0;
        if (env != NULL && eq - line == 13 &&
            memcmp(line, "sasl_username", 13) == 0 && nl > eq + 1)
            db_get(eq + 1, (size_t)(nl - eq - 1));
        line = nl + 1;
    }
    return 0;
}

/* consume - answer each complete request; bytes used or -1 */

static long consume(struct conn *c, char *out, size_t *outlen)
{
    size_t done = 0;
    long used;

    while (*outlen < OUTSZ - 64) {
        used = policy ? policy_one(c->buf + done, c->len - done)
                      : socketmap_one(c->buf + done, c->len - done);
        if (used < 0)
            return -1;
        if (used == 0)
            break;
        done += (size_t)used;
        if (policy) {
            memcpy(out + *outlen, "action=DUNNO\n\n", 14);
            *outlen += 14;
        } else {
            memcpy(out + *outlen, "4:OK x,", 7);
            *outlen += 7;
        }
    }
    return (long)done;
}

/* serve - one readiness of a connection; -1 to close it */

static int serve(struct conn *c)
{
    static char out[OUTSZ];
    size_t outlen = 0;
    ssize_t r;
    long used;

    r = read(c->fd, c->buf + c->len, BUFSZ - c->len);
    if (r < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (r <= 0)
        return -1;
    c->len += (size_t)r;
    if ((used = consume(c, out, &outlen)) < 0)
        return -1;
    memmove(c->buf, c->buf + used, c->len - (size_t)used);
    c->len -= (size_t)used;
    /* The benchmark's clients wait for each answer: it always fits. */
    return outlen == 0 || write(c->fd, out, outlen) == (ssize_t)outlen ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct epoll_event ev = {.events = EPOLLIN}, evs[64];
    int lfd, epfd, n;

    if (argc < 3 || argc > 4 || strlen(argv[2]) >= sizeof(sun.sun_path)) {
        fprintf(stderr, "usage: postfix-null socketmap|policy PATH [DBDIR]\n");
        return 2;
    }
    policy = strcmp(argv[1], "policy") == 0;
    if (argc == 4 && db_open(argv[3]) < 0)
        return 1;
    strcpy(sun.sun_path, argv[2]);
    unlink(argv[2]);
    if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0 ||
        bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(lfd, 128) < 0 || (epfd = epoll_create1(0)) < 0 ||
        epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0) {
        perror("postfix-null");
        return 1;
    }
    for (;;) {
        if ((n = epoll_wait(epfd, evs, 64, 1000)) < 0)
            continue;
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            int fd;

            if (c != NULL) {
                if (serve(c) < 0) {
                    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                    free(c);
                }
                continue;
            }
            while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                struct epoll_event cev = {.events = EPOLLIN};

                if ((c = calloc(1, sizeof(*c))) == NULL) {
                    close(fd);
                    continue;
                }
                c->fd = fd;
                cev.data.ptr = c;
                if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &cev) < 0) {
                    close(fd);
                    free(c);
                }
            }
        }
    }
}
