/*++
/* NAME
/*	loop 3h
/* SUMMARY
/*	event loop, listeners and connections of the reference server
/* SYNOPSIS
/*	#include "loop.h"
/* DESCRIPTION
/*	One process, one thread, poll(2). Every socket is non-blocking.
/*	A connection owns a fixed input buffer (REF_IN_MAX bytes) and an
/*	output buffer that may grow to REF_OUT_MAX; beyond that the
/*	connection is dropped. While the output holds more than
/*	REF_OUT_HIGH bytes no more input is read (backpressure).
/*
/*	A protocol is a struct ref_proto: start() sends the greeting
/*	(after the handshake on an implicit-TLS listener), input() consumes
/*	complete commands from c->in, tls_ready() runs after a STARTTLS
/*	handshake, tick() once a second, free() at the end.
/*
/*	ref_conn_starttls() is called by a protocol after it queued its
/*	"go ahead" reply: the input buffer is discarded at once (anything
/*	the client sent after the command is plaintext injection) and the
/*	handshake starts when the reply has been written. The protocol
/*	must return from input() without looking at c->in again.
/*
/*	ref_conn_pause() holds input and output of a connection for a
/*	time: the failed-login slowdown. ref_conn_close() closes after the
/*	queued output has been written.
/* SECURITY
/*	Bounded memory per connection and a limit on connections; idle
/*	connections are closed after the configured timeout.
/*--*/

#ifndef REF_LOOP_H
#define REF_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "store.h"

#define REF_IN_MAX 16384
#define REF_OUT_HIGH (256 * 1024)
#define REF_LISTEN_MAX 16
#define REF_CONN_MAX 1000

enum ref_role {
    REF_ROLE_SMTP,       /* 25: inbound, STARTTLS offered */
    REF_ROLE_SUBMISSION, /* 587: STARTTLS, then AUTH */
    REF_ROLE_SMTPS,      /* 465: implicit TLS, AUTH */
    REF_ROLE_POP3,       /* 110: STLS offered */
    REF_ROLE_POP3S,      /* 995: implicit TLS */
    REF_ROLE_IMAP,       /* 143: STARTTLS offered */
    REF_ROLE_IMAPS,      /* 993: implicit TLS */
};

struct ref_config {
    const char *maildir;     /* root of <domain>/<local>/Maildir */
    const char *hostname;    /* greeting and Received: */
    size_t max_size;         /* message size limit */
    int idle_timeout;        /* seconds */
    bool loopback_plaintext; /* logins before TLS from loopback */
    size_t max_literal;      /* IMAP literal limit */
};

struct ref_conn;

struct ref_proto {
    void (*start)(struct ref_conn *);
    void (*input)(struct ref_conn *);
    void (*tls_ready)(struct ref_conn *);
    void (*tick)(struct ref_conn *);
    void (*free)(struct ref_conn *);
};

struct ref_listener {
    int fd;
    enum ref_role role;
    bool implicit_tls;
    const struct ref_proto *proto;
};

struct pk_policy;

struct ref_server {
    struct pk_policy *policy; /* the core's SMTP policy */
    struct pk_store *store;   /* the policy's read-only store */
    SSL_CTX *tls;
    struct ref_config cfg;
    struct ref_listener listeners[REF_LISTEN_MAX];
    int listener_count;
    struct ref_conn *conns;
    unsigned conn_count;
    volatile sig_atomic_t stop;
};

struct ref_conn {
    struct ref_conn *next;
    struct ref_server *srv;
    const struct ref_listener *lst;
    int fd;
    SSL *ssl;
    char peer[64]; /* numeric source address */
    bool loopback;
    char in[REF_IN_MAX];
    size_t in_len;
    char *out;
    size_t out_len;
    size_t out_cap;
    bool handshaking;
    bool starttls_pending;
    bool closing;
    bool dead;
    bool input_pending;
    int64_t idle_deadline;
    int64_t pause_until;
    void *proto_data;
};

extern int64_t ref_now_ms(void);
extern int ref_listen_add(struct ref_server *, const char *, const char *,
                          enum ref_role, const struct ref_proto *,
                          const char **);
extern void ref_loop_run(struct ref_server *);

extern void ref_conn_write(struct ref_conn *, const void *, size_t);
extern void ref_conn_printf(struct ref_conn *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
extern void ref_conn_consume(struct ref_conn *, size_t);
extern void ref_conn_starttls(struct ref_conn *);
extern void ref_conn_pause(struct ref_conn *, int);
extern void ref_conn_close(struct ref_conn *);
extern bool ref_conn_secure(const struct ref_conn *);
extern bool ref_conn_may_login(const struct ref_conn *);

#endif
