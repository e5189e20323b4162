/*++
/* NAME
/*	imapparse 3h
/* SUMMARY
/*	IMAP4rev1 command parser of the reference server
/* SYNOPSIS
/*	#include "imapparse.h"
/*
/*	int	ref_imap_parse(char *buf, size_t len, struct ref_imap_cmd *cmd,
/*				const char **error_r)
/*
/*	int	ref_imap_literal(const char *line, size_t len, uint64_t *size_r,
/*				bool *nonsync_r)
/*
/*	bool	ref_imap_cstr(const struct ref_imap_arg *arg, char *buf,
/*				size_t size)
/* DESCRIPTION
/*	ref_imap_parse() parses one assembled command (RFC 3501 section 9):
/*	"tag SP command *(SP argument)", where literals appear as
/*	"{N}" CRLF and N bytes (or "{N+}", RFC 7888). Arguments are atoms,
/*	quoted strings, literals, NIL and parenthesized lists, nested at
/*	most REF_IMAP_DEPTH_MAX deep, at most REF_IMAP_ARGS_MAX in all.
/*	An atom may carry a fetch section: "BODY[HEADER.FIELDS (A B)]<0.9>"
/*	is one atom. Strings point into buf (quoted strings are unescaped
/*	in place) and are counted, not NUL-terminated. The command name is
/*	upper-cased. It answers 0, or -1 with a message.
/*
/*	ref_imap_literal() says whether a line ends with a literal
/*	announcement: 1 with its size (which it refuses beyond 2^63), 0 if
/*	none, -1 if malformed or absurd.
/*
/*	ref_imap_cstr() copies a string or atom into a C string; false if
/*	it does not fit or holds a NUL.
/* SECURITY
/*	Every size is checked before use; a NUL in a quoted string, a
/*	literal longer than the buffer, unbalanced or too deep lists are
/*	errors. The parser never allocates.
/*--*/

#ifndef REF_IMAPPARSE_H
#define REF_IMAPPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REF_IMAP_DEPTH_MAX 16
#define REF_IMAP_ARGS_MAX 1024
#define REF_IMAP_TAG_MAX 64

enum ref_imap_type {
    REF_IMAP_ATOM,
    REF_IMAP_STRING, /* quoted or literal */
    REF_IMAP_NIL,
    REF_IMAP_LIST,
};

struct ref_imap_arg {
    enum ref_imap_type type;
    const char *str; /* atoms and strings */
    size_t len;
    struct ref_imap_arg *list; /* lists: the first element */
    size_t count;              /* lists: the number of elements */
};

struct ref_imap_cmd {
    char tag[REF_IMAP_TAG_MAX + 1];
    char name[32];
    struct ref_imap_arg *args; /* the top-level arguments */
    size_t argc;
    struct ref_imap_arg pool[REF_IMAP_ARGS_MAX];
    size_t used;
};

extern int ref_imap_parse(char *, size_t, struct ref_imap_cmd *, const char **);
extern int ref_imap_literal(const char *, size_t, uint64_t *, bool *);
extern bool ref_imap_cstr(const struct ref_imap_arg *, char *, size_t);
extern bool ref_imap_is(const struct ref_imap_arg *, const char *);

#endif
