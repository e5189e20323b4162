/*++
/* NAME
/*	import-int 3h
/* SUMMARY
/*	what the import parsers share (private to common/import*.c)
/* SYNOPSIS
/*	#include "import-int.h"
/* DESCRIPTION
/*	One parser state serves every format. The item handed to the
/*	caller lives here, and so do its destinations: a fixed pool of
/*	PK_DEST_MAX slots reused for every line, so a parse allocates
/*	nothing per line beyond what jansson needs.
/*--*/

#ifndef PK_IMPORT_INT_H
#define PK_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import.h"

/* The longest physical or logical line we read. */
#define IMPORT_LINE_MAX	(1 << 20)
/* Octets of untrusted text quoted in a message. */
#define IMPORT_QUOTE_MAX	64
#define IMPORT_QUOTE_BUF	(IMPORT_QUOTE_MAX + 4)

struct import_virtual;

struct import_parser {
    const char *data;
    size_t  len;
    size_t  pos;			/* next unread octet */
    size_t  line;			/* number of the last line read */
    size_t  item_line;			/* where the current item started */
    pk_item_fn *fn;
    void   *ctx;
    const char **error_r;
    uint64_t now;
    struct pk_item item;
    char    (*dest_pool)[PK_ADDR_MAX + 1];
    char  **dest_ptrs;
    char   *text;			/* a line, NUL-terminated */
    size_t  text_len;
    size_t  text_size;
    struct import_virtual *virtual;	/* Postfix virtual state */
};

/* import.c */
extern const char *pk_format_name(enum pk_format);
extern int import_fail(struct import_parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
extern const char *import_sanitize(const char *, size_t,
				           char[IMPORT_QUOTE_BUF]);
extern int import_addr(struct import_parser *, const char *, const char *,
		               unsigned, char[PK_ADDR_MAX + 1]);
extern int import_domain(struct import_parser *, const char *, const char *,
			         char[PK_DOMAIN_MAX + 1]);
extern int import_hash(struct import_parser *, const char *,
		               char[PK_HASH_MAX + 1]);
extern int import_dest(struct import_parser *, const char *, const char *,
		               struct pk_strlist *, bool *);
extern int import_text_add(struct import_parser *, const char *, size_t);
extern void import_item_reset(struct import_parser *, enum pk_item_type);
extern int import_emit(struct import_parser *);
extern bool import_next_line(struct import_parser *, const char **, size_t *);
extern size_t import_indent(const char *, size_t);
extern bool import_blank(const char *, size_t);

/* import-text.c */
extern int import_dovecot_parse(struct import_parser *);
extern int import_virtual_parse(struct import_parser *);
extern void import_virtual_free(struct import_parser *);

#endif
