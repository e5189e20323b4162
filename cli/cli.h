/*++
/* NAME
/*	cli 3h
/* SUMMARY
/*	shared declarations of the postkontor admin command
/* SYNOPSIS
/*	#include "cli.h"
/* DESCRIPTION
/*	The admin command is an adapter: it parses argv, makes core calls
/*	and maps their answer to output and an exit status. Every command
/*	handler has the type cli_handler_fn and returns the exit status:
/*	CLI_EXIT_OK, CLI_EXIT_FAIL (the core said no, or failed) or
/*	CLI_EXIT_USAGE (the command line is wrong).
/*
/*	Output is collected, never written as it is made: human text in a
/*	memory stream (cli_printf()), a JSON document with cli_json(). It
/*	reaches stdout only when the command succeeds, so a failure prints
/*	nothing but its one stderr line (cli_fail(), cli_usage()). Two
/*	exceptions: export streams to stdout itself (cli->raw), and check
/*	shows its problems although it then fails (cli->always).
/*
/*	In cluster mode (cli->ldap_uris set) cli_write() hands every write
/*	to cli_ldap_write() (ldapwrite.c): the core validates it on this
/*	host's copy in a dry run, and the directory receives the result.
/*--*/

#ifndef PK_CLI_H
#define PK_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "pk.h"
#include "record.h"
#include "store.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* A pk_*_iter callback returns this to stop a walk early (not an error). */
#define CLI_ITER_STOP 100

struct cli_command;

struct cli {
    const char *db_opt;            /* --db, or NULL */
    bool json;                     /* --json */
    const struct cli_command *cmd; /* the command being run */
    struct pk_store *store;        /* opened on demand */
    FILE *out;                     /* human output, collected */
    char *out_buf;
    size_t out_len;
    json_t *doc; /* JSON output, collected */
    bool raw;    /* the command wrote stdout itself */
    bool always; /* output even on failure (check) */
    /* Cluster mode (ldapwrite.c): --ldap and its settings. */
    const char *ldap_uris;   /* --ldap or $POSTKONTOR_LDAP; NULL: local */
    const char *ldap_binddn; /* --ldap-bind-dn */
    const char *ldap_pwfile; /* --ldap-password-file */
    const char *ldap_base;   /* --ldap-base */
    int wait_s;              /* --wait: seconds; 0: do not wait */
};

typedef int cli_handler_fn(struct cli *, int, char **);

struct cli_command {
    const char *name; /* "account add" */
    cli_handler_fn *handler;
    const char *usage; /* arguments after the name */
};

/* One command-specific option for cli_args(). */
struct cli_opt {
    const char *name;   /* "--quota" */
    const char **value; /* takes a value; NULL: a flag */
    bool *flag;         /* set when present (flags only) */
};

/* postkontor.c */
extern const char *cli_db_dir(const struct cli *);

/* args.c */
extern int cli_args(struct cli *, int *, char ***, const struct cli_opt *, int,
                    int);
extern int cli_parse_size(const char *, uint64_t *, const char **);
extern int cli_parse_u64(const char *, uint64_t *, const char **);
extern const char *cli_format_size(uint64_t, char *, size_t);
extern const char *cli_format_time(uint64_t, char *, size_t);
extern const char *cli_domain_display(const char *, char *, size_t);

#define CLI_SIZE_BUF 32
#define CLI_TIME_BUF 32
#define CLI_DOMAIN_BUF (PK_DOMAIN_MAX * 4 + 8)

/* output.c */
extern int cli_fail(int, const char *);
extern int cli_failf(const char *, ...) __attribute__((format(printf, 1, 2)));
extern int cli_usage(struct cli *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
extern void cli_printf(struct cli *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
extern void cli_json(struct cli *, json_t *);
extern int cli_done(struct cli *, json_t *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
extern int cli_output_begin(struct cli *);
extern int cli_output_end(struct cli *, int);
extern json_t *cli_json_strlist(const struct pk_strlist *);
extern const char *cli_domain_of(const char *);
extern char *cli_join(const struct pk_strlist *, const char *, const char *);
extern json_t *cli_json_domain(json_t *, const char *);
extern json_t *cli_json_entry(struct pk_txn *, const char *,
                              const struct pk_entry *);
extern const char *cli_quota_text(struct pk_txn *, const char *,
                                  const struct pk_account *, char *, size_t);
#define CLI_QUOTA_BUF 64

/* A table printed with aligned columns. */
#define CLI_TABLE_MAXCOLS 8

struct cli_table {
    size_t cols;
    size_t rows;
    size_t size;
    char **cells; /* rows * cols, owned */
    bool failed;
};

extern void cli_table_init(struct cli_table *, size_t);
extern void cli_table_add(struct cli_table *, ...);
extern int cli_table_print(struct cli *, struct cli_table *, const char *);
extern void cli_table_free(struct cli_table *);

/* A listing: table rows for people, a JSON array for --json. */
struct cli_rows {
    struct cli_table table;
    json_t *array;
};

extern int cli_rows_done(struct cli *, struct cli_rows *, int, const char *,
                         size_t, const char *);

/* store access (postkontor.c) */
extern int cli_open(struct cli *, unsigned);
extern int cli_write(struct cli *, pk_write_fn *, void *);
extern int cli_read(struct cli *, struct pk_txn **);

/* ldapwrite.c (ldapwrite-none.c without libldap): cluster mode */
#define CLI_WAIT_DEFAULT 10 /* --wait without a value, seconds */
#define CLI_WAIT_MAX 3600
extern int cli_ldap_write(struct cli *, pk_write_fn *, void *);
extern int cli_ldap_heartbeat(struct cli *, const char *, unsigned);

/* password-input.c */
extern int cli_password_read(bool, const char *, char *, size_t, const char **);

/* Command handlers, one file per group. */
extern cli_handler_fn cmd_domain_add, cmd_domain_del, cmd_domain_alias,
    cmd_domain_quota;
extern cli_handler_fn cmd_account_add, cmd_account_passwd, cmd_account_state,
    cmd_account_quota, cmd_account_forward, cmd_account_del, cmd_account_show;
extern cli_handler_fn cmd_alias_add, cmd_alias_remove, cmd_alias_del;
extern cli_handler_fn cmd_sendas_grant, cmd_sendas_revoke, cmd_sendas_list;
extern cli_handler_fn cmd_resolve, cmd_list;
extern cli_handler_fn cmd_init, cmd_import, cmd_export, cmd_backup, cmd_check,
    cmd_log;
extern cli_handler_fn cmd_dkim_keygen, cmd_dkim_rotate, cmd_dkim_show,
    cmd_dkim_remove;
extern cli_handler_fn cmd_ratelimit_set, cmd_ratelimit_clear,
    cmd_ratelimit_list;
extern cli_handler_fn cmd_clientconfig, cmd_domain_set;
extern cli_handler_fn cmd_status, cmd_heartbeat;

#endif
