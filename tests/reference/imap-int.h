/*++
/* NAME
/*	imap-int 3h
/* SUMMARY
/*	IMAP session shared by imap.c, imapfetch.c and imapsearch.c
/* DESCRIPTION
/*	A session: its state, the selected folder, and the command being
/*	assembled. Message sequence numbers are positions in folder.msgs
/*	plus one; the list is sorted by UID.
/*--*/

#ifndef REF_IMAP_INT_H
#define REF_IMAP_INT_H

#include "imapparse.h"
#include "keywords.h"
#include "loop.h"
#include "maildir.h"

enum imap_state {
    IMAP_NOTAUTH,
    IMAP_AUTH,
    IMAP_SELECTED,
};

struct imap {
    enum imap_state state;
    char login[PK_ADDR_MAX + 1];
    char root[REF_PATH_MAX];   /* the account's Maildir */
    char seldir[REF_PATH_MAX]; /* the selected folder */
    bool readonly;
    struct ref_folder folder;
    struct ref_keywords kw; /* the selected folder's keywords */
    bool idling;
    bool auth_pending; /* AUTHENTICATE waits for data */
    char pending_tag[REF_IMAP_TAG_MAX + 1];
    char *cmd; /* the command being assembled */
    size_t cmd_len;
    size_t cmd_cap;
    uint64_t lit_left; /* literal bytes still to come */
    unsigned literals;
};

/* imapfetch.c */
extern void imap_fetch(struct ref_conn *, struct imap *, const char *,
                       const struct ref_imap_arg *, size_t, bool);
extern void imap_write_flags(struct ref_conn *, const struct ref_keywords *,
                             const char *, bool);
extern void imap_write_string(struct ref_conn *, const char *, size_t);
extern bool imap_load(struct ref_conn *, struct imap *, size_t, char **,
                      size_t *);
extern size_t imap_header_end(const char *, size_t);

/* imapsearch.c */
extern bool imap_set_valid(const char *, size_t);
extern bool imap_set_has(const char *, size_t, uint32_t, uint32_t);
extern void imap_search(struct ref_conn *, struct imap *, const char *,
                        const struct ref_imap_arg *, size_t, bool);

#endif
