/*++
/* NAME
/*	keywords 3h
/* SUMMARY
/*	IMAP keywords of a Maildir folder, kept the way Dovecot keeps them
/* SYNOPSIS
/*	#include "keywords.h"
/* DESCRIPTION
/*	A keyword (a user-defined IMAP flag, RFC 3501 section 2.3.2) is
/*	stored as a lowercase letter in the Maildir info suffix
/*	(":2,Sa"), and the folder's "dovecot-keywords" file names the
/*	letters: one "<index> <keyword>" line each, index 0 for "a" up to
/*	25 for "z". This is Dovecot's format, so Dovecot shows keywords
/*	set here and the other way round. A folder has at most 26.
/*
/*	ref_keywords_load() reads the file of the folder directory dir
/*	(a missing file means no keywords); lines it cannot use are
/*	skipped, as Dovecot skips them. ref_keywords_free() releases
/*	the names.
/*
/*	ref_keywords_name() is the keyword of a letter, NULL if none.
/*	ref_keywords_find() is the letter of a keyword (compared without
/*	regard to case, RFC 3501 section 2.3.2), 0 if none.
/*
/*	ref_keywords_add() is ref_keywords_find() that adds a missing
/*	keyword to the file: it takes Dovecot's lock file
/*	"dovecot-keywords.lock" (created exclusively), rereads the file,
/*	writes the new list into the lock file, fsyncs it and renames it
/*	over "dovecot-keywords". PK_ELIMIT when all 26 letters are used,
/*	PK_ETEMP when the lock stays taken or a write fails.
/*
/*	ref_keywords_valid() says whether a flag name is a keyword: an
/*	IMAP atom (no "\", no list, quoting or wildcard characters), at
/*	most REF_KEYWORD_MAX bytes.
/* SECURITY
/*	The file is input: names are length-bounded and must be atoms,
/*	indexes must be 0..25, and the file is read up to a fixed size.
/*--*/

#ifndef REF_KEYWORDS_H
#define REF_KEYWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "pk.h"

#define REF_KEYWORDS_MAX 26
#define REF_KEYWORD_MAX 128

struct ref_keywords {
    char *name[REF_KEYWORDS_MAX]; /* name[i] is letter 'a' + i */
};

extern int ref_keywords_load(const char *, struct ref_keywords *,
                             const char **);
extern void ref_keywords_free(struct ref_keywords *);
extern const char *ref_keywords_name(const struct ref_keywords *, char);
extern char ref_keywords_find(const struct ref_keywords *, const char *,
                              size_t);
extern int ref_keywords_add(const char *, struct ref_keywords *, const char *,
                            size_t, char *, const char **);
extern bool ref_keywords_valid(const char *, size_t);

#endif
