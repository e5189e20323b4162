/*++
/* NAME
/*	maildir 3h
/* SUMMARY
/*	Maildir and Maildir++ storage of the reference server
/* SYNOPSIS
/*	#include "maildir.h"
/* DESCRIPTION
/*	A mailbox lives in <root>/<domain>/<local>/Maildir, with the
/*	domain as its A-label and the local part lowercase: the layout
/*	of Dovecot's "mail_location = maildir:<root>/%d/%n/Maildir", so
/*	Dovecot reads what this server delivers and the other way round.
/*	Folders are Maildir++: "Maildir/.Name" ("." separates levels);
/*	INBOX is the Maildir itself.
/*
/*	ref_maildir_path() builds a mailbox path; a local part with "/"
/*	is refused (PK_EINVAL). ref_maildir_create() makes cur/, new/ and
/*	tmp/ (mode 0700) and the directories above.
/*
/*	ref_maildir_store() writes head and body into tmp/, fsyncs, and
/*	renames it into new/ (flags NULL) or into cur/ with ":2,flags";
/*	the directory is fsynced too, so the message is on disk when it
/*	returns PK_OK. Names are "secs.MusecPpidQn.host,S=size".
/*
/*	ref_maildir_scan() lists the messages of new/ and cur/ of a
/*	folder; with move_new, messages in new/ move to cur/ first and
/*	are marked recent (IMAP). With uids, UIDs are assigned and kept in
/*	the folder's "refserver-uidlist" file (UIDVALIDITY, next UID, and
/*	one "uid name" line per message) and the list is sorted by UID.
/*	ref_maildir_msgs_free() releases the list.
/*
/*	ref_maildir_file() is the current path of a message.
/*	ref_maildir_read() reads a whole message (at most max bytes).
/*--*/

#ifndef REF_MAILDIR_H
#define REF_MAILDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pk.h"

#define REF_PATH_MAX 4096

struct ref_msg {
    char *name;     /* base name, without ":2," */
    char flags[32]; /* Maildir info letters, sorted: 5 system, 26 keywords */
    bool in_new;
    bool recent;
    size_t size;
    time_t mtime;
    uint32_t uid;
};

struct ref_folder {
    struct ref_msg *msgs;
    size_t count;
    uint32_t uidvalidity;
    uint32_t uidnext;
};

extern int ref_maildir_path(const char *, const char *, char *, size_t);
extern int ref_maildir_create(const char *, const char **);
extern int ref_maildir_store(const char *, const char *, size_t, const char *,
                             size_t, const char *, char *, size_t,
                             const char **);
extern int ref_maildir_scan(const char *, bool, bool, struct ref_folder *,
                            const char **);
extern void ref_maildir_msgs_free(struct ref_folder *);
extern void ref_maildir_file(const char *, const struct ref_msg *, char *,
                             size_t);
extern int ref_maildir_read(const char *, size_t, char **, size_t *,
                            const char **);
extern int ref_maildir_set_flags(const char *, struct ref_msg *, const char *,
                                 const char **);

/* ref_maildir_crlf - a message with every bare LF made CRLF (malloc'd) */
extern int ref_maildir_crlf(const char *, size_t, char **, size_t *);

#endif
