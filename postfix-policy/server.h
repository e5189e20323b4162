/*++
/* NAME
/*	server 3h
/* SUMMARY
/*	the event loop of postkontor-postfix
/* SYNOPSIS
/*	#include "server.h"
/* DESCRIPTION
/*	One process, one epoll set, non-blocking sockets. Each listener
/*	has a protocol handler; each connection has a bounded input buffer
/*	and an output buffer. The handler is called whenever new input
/*	arrived; it consumes complete requests from the front of the input,
/*	appends replies with srv_reply() (or writes them into the room
/*	srv_reply_space() makes, then counts them with srv_reply_done(),
/*	which saves a copy), and answers how many bytes it
/*	consumed, or -1 to close the connection. A connection whose input
/*	fills its buffer without a complete request is closed, as is one
/*	idle for longer than the idle timeout.
/*
/*	srv_now() is the time as read once per turn of the loop (after
/*	each wait for events), which handlers use instead of reading the
/*	clock for every request.
/*
/*	srv_listen() parses "unix:PATH" or "inet:ADDR:PORT" and binds; it
/*	is called before privileges are dropped. srv_run() returns when
/*	srv_stop is set (by a signal handler); srv_reload is a flag the
/*	caller's tick function handles.
/*--*/

#ifndef PK_SERVER_H
#define PK_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct srv_conn;

typedef long srv_handler_fn(struct srv_conn *, char *, size_t, void *);
typedef void srv_tick_fn(void *);

struct srv_proto {
    const char *name;
    size_t in_max; /* input buffer bound */
    srv_handler_fn *handle;
    size_t state_size; /* per-connection state, zeroed */
};

extern volatile sig_atomic_t srv_stop;
extern volatile sig_atomic_t srv_reload;

extern int srv_listen(const char *, const struct srv_proto *, mode_t, uid_t,
                      gid_t, const char **);
extern int srv_run(int, int, srv_tick_fn *, void *);
extern void srv_close_all(void);
extern void *srv_state(struct srv_conn *);
extern time_t srv_now(void);
extern int srv_reply(struct srv_conn *, const char *, size_t);
extern char *srv_reply_space(struct srv_conn *, size_t);
extern void srv_reply_done(struct srv_conn *, size_t);

#endif
