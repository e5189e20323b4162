/*++
/* NAME
/*	pop3 3
/* SUMMARY
/*	POP3 roles of the reference server
/* DESCRIPTION
/*	See pop3.h. Sizes are the sizes on the wire (CRLF line ends), so
/*	a Maildir file written by Dovecot with LF line ends is counted and
/*	sent the way a client sees it.
/*
/*	A maildrop in a POP3 transaction is locked (RFC 1939 4, RFC 2449
/*	IN-USE): flock() on the file "refserver-pop3.lock" in the Maildir.
/*	The lock belongs to the open file, so a second session of this
/*	process is refused as well as one of another process, and it goes
/*	with the connection however that ends.
/*--*/

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "linebuf.h"
#include "maildir.h"
#include "pop3.h"
#include "pop3parse.h"
#include "refauth.h"

#define CMD_MAX (REF_SASL_MAX + 64)

struct pop3 {
    bool auth_plain; /* waiting for an AUTH PLAIN response */
    bool in_transaction;
    int lock_fd; /* the maildrop lock, -1 if none */
    char user[PK_ADDR_MAX + 1];
    char login[PK_ADDR_MAX + 1];
    char dir[REF_PATH_MAX];
    struct ref_folder folder;
    size_t *sizes; /* wire sizes */
    bool *deleted;
};

static void pop3_start(struct ref_conn *c)
{
    struct pop3 *p;

    if ((c->proto_data = p = calloc(1, sizeof(struct pop3))) == NULL) {
        ref_conn_printf(c, "-ERR [SYS/TEMP] Out of memory\r\n");
        ref_conn_close(c);
        return;
    }
    p->lock_fd = -1;
    ref_conn_printf(c, "+OK postkontor-refserver ready.\r\n");
}

/* pop3_tls_ready - after STLS nothing from before counts */

static void pop3_tls_ready(struct ref_conn *c)
{
    struct pop3 *p = c->proto_data;

    p->user[0] = 0;
    p->auth_plain = false;
}

static void pop3_free(struct ref_conn *c)
{
    struct pop3 *p = c->proto_data;

    if (p) {
        if (p->lock_fd >= 0)
            (void)close(p->lock_fd);
        ref_maildir_msgs_free(&p->folder);
        free(p->sizes);
        free(p->deleted);
        free(p);
    }
}

/* pop3_lock - take the maildrop lock; REF_POP3_BUSY if another has it */

#define REF_POP3_BUSY 1

static int pop3_lock(struct ref_conn *c, struct pop3 *p)
{
    char path[REF_PATH_MAX];
    int fd, n;

    n = snprintf(path, sizeof(path), "%s/refserver-pop3.lock", p->dir);
    if (n < 0 || (size_t)n >= sizeof(path))
        return (-1);
    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) <
        0) {
        pk_log(PK_LOG_WARNING, "%s: pop3 lock %s: %s", c->peer, path,
               strerror(errno));
        return (-1);
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        n = errno;
        (void)close(fd);
        if (n == EWOULDBLOCK)
            return (REF_POP3_BUSY);
        pk_log(PK_LOG_WARNING, "%s: pop3 lock %s: %s", c->peer, path,
               strerror(n));
        return (-1);
    }
    p->lock_fd = fd;
    return (0);
}

/* pop3_open - the maildrop of a fresh login */

static int pop3_open(struct ref_conn *c, struct pop3 *p)
{
    const char *error = NULL;
    char path[REF_PATH_MAX];
    char *buf, *wire;
    size_t i, len, wlen;
    int r;

    if (ref_maildir_path(c->srv->cfg.maildir, p->login, p->dir,
                         sizeof(p->dir)) != PK_OK ||
        ref_maildir_create(p->dir, &error) != PK_OK)
        return (-1);
    if ((r = pop3_lock(c, p)) != 0)
        return (r);
    if (ref_maildir_scan(p->dir, false, false, &p->folder, &error) != PK_OK ||
        (p->sizes = calloc(p->folder.count + 1, sizeof(*p->sizes))) == NULL ||
        (p->deleted = calloc(p->folder.count + 1, sizeof(*p->deleted))) ==
            NULL) {
        pk_log(PK_LOG_WARNING, "%s: pop3 maildrop %s: %s", c->peer, p->login,
               error ? error : "unusable");
        return (-1);
    }
    for (i = 0; i < p->folder.count; i++) {
        ref_maildir_file(p->dir, &p->folder.msgs[i], path, sizeof(path));
        if (ref_maildir_read(path, c->srv->cfg.max_size * 2, &buf, &len,
                             &error) != PK_OK)
            return (-1);
        if (ref_maildir_crlf(buf, len, &wire, &wlen) != PK_OK) {
            free(buf);
            return (-1);
        }
        p->sizes[i] = wlen;
        free(buf);
        free(wire);
    }
    return (0);
}

/* pop3_drop - back to the AUTHORIZATION state without a maildrop */

static void pop3_drop(struct pop3 *p)
{
    if (p->lock_fd >= 0)
        (void)close(p->lock_fd);
    p->lock_fd = -1;
    ref_maildir_msgs_free(&p->folder);
    free(p->sizes);
    free(p->deleted);
    p->sizes = NULL;
    p->deleted = NULL;
    p->login[0] = 0;
}

/* pop3_login - the core's verdict, then the maildrop */

static void pop3_login(struct ref_conn *c, struct pop3 *p, const char *user,
                       char *pass)
{
    const char *error = NULL;
    int status, r;

    status = ref_auth_login(c->srv->store, user, pass, p->login, &error);
    pk_wipe(pass, strlen(pass));
    p->user[0] = 0;
    if (status == PK_NOTFOUND) {
        pk_log(PK_LOG_INFO, "%s: pop3 login failed", c->peer);
        ref_conn_pause(c, ref_auth_failed(c->peer));
        ref_conn_printf(c, "-ERR [AUTH] Authentication failed.\r\n");
    } else if (status != PK_OK) {
        pk_log(PK_LOG_WARNING, "%s: login: %s", c->peer, error);
        ref_conn_printf(
            c, "-ERR [SYS/TEMP] Temporary authentication failure.\r\n");
    } else if ((r = pop3_open(c, p)) == REF_POP3_BUSY) {
        /* RFC 2449 8.1.1: authenticated, but the maildrop is in use. */
        pk_log(PK_LOG_INFO, "%s: pop3 maildrop of %s in use", c->peer,
               p->login);
        pop3_drop(p);
        ref_conn_printf(c, "-ERR [IN-USE] Mailbox is locked by another "
                           "POP3 session.\r\n");
    } else if (r != 0) {
        ref_conn_printf(c, "-ERR [SYS/TEMP] Maildrop unavailable.\r\n");
        ref_conn_close(c);
    } else {
        pk_log(PK_LOG_INFO, "%s: pop3 login %s", c->peer, p->login);
        p->in_transaction = true;
        ref_conn_printf(c, "+OK Logged in.\r\n");
    }
}

/* pop3_plain - one AUTH PLAIN response */

static void pop3_plain(struct ref_conn *c, struct pop3 *p, const char *b64)
{
    char buf[REF_SASL_MAX], user[PK_ADDR_MAX + 1], pass[PK_PASSWORD_MAX + 1];
    size_t len;

    p->auth_plain = false;
    if (strcmp(b64, "*") == 0)
        ref_conn_printf(c, "-ERR Authentication aborted.\r\n");
    else if (!ref_b64_decode(b64, strlen(b64), buf, sizeof(buf), &len))
        ref_conn_printf(c, "-ERR Invalid base64 data.\r\n");
    else if (ref_sasl_plain(buf, len, user, pass) == REF_SASL_AUTHZ)
        ref_conn_printf(c, "-ERR [AUTH] Authorization identity refused.\r\n");
    else if (ref_sasl_plain(buf, len, user, pass) != REF_SASL_OK)
        ref_conn_printf(c, "-ERR Malformed PLAIN message.\r\n");
    else
        pop3_login(c, p, user, pass);
    pk_wipe(buf, sizeof(buf));
    pk_wipe(pass, sizeof(pass));
}

/* pop3_msgno - a message number argument; -1 if bad or deleted */

static long pop3_msgno(struct ref_conn *c, struct pop3 *p, const char *arg)
{
    char *end;
    long n;

    n = arg ? strtol(arg, &end, 10) : 0;
    if (arg == NULL || *end || arg[0] < '1' || arg[0] > '9' || n < 1 ||
        (size_t)n > p->folder.count) {
        ref_conn_printf(c, "-ERR There's no message %s.\r\n", arg ? arg : "");
        return (-1);
    }
    if (p->deleted[n - 1]) {
        ref_conn_printf(c, "-ERR Message is deleted.\r\n");
        return (-1);
    }
    return (n - 1);
}

/* pop3_send - RETR and TOP: byte-stuffed, CRLF lines (RFC 1939 3) */

static void pop3_send(struct ref_conn *c, struct pop3 *p, long i, long top)
{
    const char *error = NULL;
    char path[REF_PATH_MAX];
    char *buf, *wire, *line, *nl, *end;
    size_t len, wlen;
    bool in_body = false;

    ref_maildir_file(p->dir, &p->folder.msgs[i], path, sizeof(path));
    if (ref_maildir_read(path, c->srv->cfg.max_size * 2, &buf, &len, &error) !=
        PK_OK) {
        ref_conn_printf(c, "-ERR [SYS/TEMP] Message unavailable.\r\n");
        return;
    }
    if (ref_maildir_crlf(buf, len, &wire, &wlen) != PK_OK) {
        free(buf);
        ref_conn_printf(c, "-ERR [SYS/TEMP] Out of memory.\r\n");
        return;
    }
    free(buf);
    ref_conn_printf(c, "+OK %zu octets\r\n", wlen);
    end = wire + wlen;
    for (line = wire; line < end; line = nl) {
        nl = memchr(line, '\n', end - line);
        nl = nl ? nl + 1 : end;
        if (in_body && top >= 0 && top-- == 0)
            break;
        if (*line == '.')
            ref_conn_write(c, ".", 1);
        ref_conn_write(c, line, nl - line);
        if (!in_body && nl - line == 2 && line[0] == '\r')
            in_body = true;
    }
    if (wlen > 0 && wire[wlen - 1] != '\n' && line >= end)
        ref_conn_write(c, "\r\n", 2);
    ref_conn_write(c, ".\r\n", 3);
    free(wire);
}

/* pop3_list - LIST and UIDL, of one message or all */

static void pop3_list(struct ref_conn *c, struct pop3 *p, const char *arg,
                      bool uidl)
{
    size_t i;
    long n;

    if (arg) {
        if ((n = pop3_msgno(c, p, arg)) < 0)
            return;
        if (uidl)
            ref_conn_printf(c, "+OK %ld %s\r\n", n + 1, p->folder.msgs[n].name);
        else
            ref_conn_printf(c, "+OK %ld %zu\r\n", n + 1, p->sizes[n]);
        return;
    }
    ref_conn_printf(c, "+OK\r\n");
    for (i = 0; i < p->folder.count; i++) {
        if (p->deleted[i])
            continue;
        if (uidl)
            ref_conn_printf(c, "%zu %s\r\n", i + 1, p->folder.msgs[i].name);
        else
            ref_conn_printf(c, "%zu %zu\r\n", i + 1, p->sizes[i]);
    }
    ref_conn_printf(c, ".\r\n");
}

/* pop3_quit - UPDATE state: remove what was deleted (RFC 1939 6) */

static void pop3_quit(struct ref_conn *c, struct pop3 *p)
{
    char path[REF_PATH_MAX];
    size_t i, failed = 0;

    for (i = 0; p->in_transaction && i < p->folder.count; i++) {
        if (!p->deleted[i])
            continue;
        ref_maildir_file(p->dir, &p->folder.msgs[i], path, sizeof(path));
        if (unlink(path) != 0)
            failed++;
    }
    if (failed)
        ref_conn_printf(c, "-ERR [SYS/TEMP] %zu message(s) not removed.\r\n",
                        failed);
    else
        ref_conn_printf(c, "+OK Logging out.\r\n");
    ref_conn_close(c);
}

/* pop3_authorization - commands before login */

static void pop3_authorization(struct ref_conn *c, struct pop3 *p,
                               const char *cmd, char *arg1, int argc)
{
    if (strcasecmp(cmd, "STLS") == 0) {
        if (ref_conn_secure(c))
            ref_conn_printf(c, "-ERR TLS already active.\r\n");
        else {
            ref_conn_printf(c, "+OK Begin TLS negotiation now.\r\n");
            ref_conn_starttls(c);
        }
    } else if (strcasecmp(cmd, "USER") == 0 || strcasecmp(cmd, "PASS") == 0 ||
               strcasecmp(cmd, "AUTH") == 0) {
        if (!ref_conn_may_login(c)) {
            ref_conn_printf(c,
                            "-ERR [AUTH] Plaintext authentication disallowed "
                            "on non-secure (SSL/TLS) connections.\r\n");
        } else if (toupper((unsigned char)cmd[0]) == 'U') {
            if (argc != 1 || strlen(arg1) > PK_ADDR_MAX)
                ref_conn_printf(c, "-ERR Bad user name.\r\n");
            else {
                snprintf(p->user, sizeof(p->user), "%s", arg1);
                ref_conn_printf(c, "+OK\r\n");
            }
        } else if (toupper((unsigned char)cmd[0]) == 'P') {
            if (p->user[0] == 0 || arg1 == NULL ||
                strlen(arg1) > PK_PASSWORD_MAX)
                ref_conn_printf(c, "-ERR No USER given or bad password.\r\n");
            else
                pop3_login(c, p, p->user, arg1);
        } else if (argc == 0) {
            ref_conn_printf(c, "+OK\r\nPLAIN\r\n.\r\n");
        } else if (strcasecmp(arg1, "PLAIN") != 0) {
            ref_conn_printf(c,
                            "-ERR Unsupported authentication mechanism.\r\n");
        } else if (argc == 2) {
            pop3_plain(c, p, arg1 + strlen(arg1) + 1);
        } else {
            p->auth_plain = true;
            ref_conn_printf(c, "+ \r\n");
        }
    } else
        ref_conn_printf(c, "-ERR Unknown command.\r\n");
}

/* pop3_transaction - commands after login */

static void pop3_transaction(struct ref_conn *c, struct pop3 *p,
                             const char *cmd, char *arg1, char *arg2, int argc)
{
    char *end;
    size_t i, n = 0, total = 0;
    long m, lines;

    if (strcasecmp(cmd, "STAT") == 0) {
        for (i = 0; i < p->folder.count; i++)
            if (!p->deleted[i]) {
                n++;
                total += p->sizes[i];
            }
        ref_conn_printf(c, "+OK %zu %zu\r\n", n, total);
    } else if (strcasecmp(cmd, "LIST") == 0 && argc <= 1)
        pop3_list(c, p, arg1, false);
    else if (strcasecmp(cmd, "UIDL") == 0 && argc <= 1)
        pop3_list(c, p, arg1, true);
    else if (strcasecmp(cmd, "RETR") == 0 && argc == 1) {
        if ((m = pop3_msgno(c, p, arg1)) >= 0)
            pop3_send(c, p, m, -1);
    } else if (strcasecmp(cmd, "TOP") == 0 && argc == 2) {
        lines = strtol(arg2, &end, 10);
        if (*end || arg2[0] < '0' || arg2[0] > '9' || lines < 0)
            ref_conn_printf(c, "-ERR Invalid line count.\r\n");
        else if ((m = pop3_msgno(c, p, arg1)) >= 0)
            pop3_send(c, p, m, lines);
    } else if (strcasecmp(cmd, "DELE") == 0 && argc == 1) {
        if ((m = pop3_msgno(c, p, arg1)) >= 0) {
            p->deleted[m] = true;
            ref_conn_printf(c, "+OK Marked to be deleted.\r\n");
        }
    } else if (strcasecmp(cmd, "RSET") == 0 && argc == 0) {
        memset(p->deleted, 0, p->folder.count * sizeof(*p->deleted));
        ref_conn_printf(c, "+OK\r\n");
    } else if (strcasecmp(cmd, "NOOP") == 0 && argc == 0)
        ref_conn_printf(c, "+OK\r\n");
    else
        ref_conn_printf(c, "-ERR Unknown command or bad arguments.\r\n");
}

/* pop3_command - one line */

static void pop3_command(struct ref_conn *c, struct pop3 *p, char *line)
{
    char *arg1, *arg2;
    int argc;

    if (p->auth_plain) {
        pop3_plain(c, p, line);
        return;
    }
    if (strncasecmp(line, "PASS ", 5) == 0 && !p->in_transaction) {
        /* RFC 1939 7: a password may hold spaces; it is the rest of the line. */
        line[4] = 0;
        pop3_authorization(c, p, line, line + 5, 1);
        return;
    }
    if ((argc = ref_pop3_split(line, &arg1, &arg2)) < 0) {
        ref_conn_printf(c, "-ERR Bad arguments.\r\n");
        return;
    }
    if (strcasecmp(line, "CAPA") == 0) {
        ref_conn_printf(c, "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n"
                           "PIPELINING\r\nAUTH-RESP-CODE\r\n");
        if (!p->in_transaction && ref_conn_may_login(c))
            ref_conn_printf(c, "USER\r\nSASL PLAIN\r\n");
        if (!p->in_transaction && !ref_conn_secure(c))
            ref_conn_printf(c, "STLS\r\n");
        ref_conn_printf(c, ".\r\n");
    } else if (strcasecmp(line, "QUIT") == 0)
        pop3_quit(c, p);
    else if (p->in_transaction)
        pop3_transaction(c, p, line, arg1, arg2, argc);
    else
        pop3_authorization(c, p, line, arg1, argc);
}

static void pop3_input(struct ref_conn *c)
{
    struct pop3 *p = c->proto_data;
    char line[CMD_MAX];
    size_t len, used;
    int r;

    while (!c->closing && !c->starttls_pending &&
           c->pause_until <= ref_now_ms()) {
        r = ref_line_get(c->in, c->in_len, sizeof(line), &len, &used);
        if (r == REF_LINE_MORE)
            return;
        if (r != REF_LINE_OK) {
            ref_conn_printf(c, "-ERR %s\r\n",
                            r == REF_LINE_LONG
                                ? "Line too long."
                                : "Bare CR, LF or NUL in command.");
            ref_conn_close(c);
            return;
        }
        memcpy(line, c->in, len);
        line[len] = 0;
        ref_conn_consume(c, used);
        pop3_command(c, p, line);
        pk_wipe(line, len);
    }
}

const struct ref_proto ref_pop3_proto = {
    .start = pop3_start,
    .input = pop3_input,
    .tls_ready = pop3_tls_ready,
    .free = pop3_free,
};
