/*++
/* NAME
/*	imapbox 3
/* SUMMARY
/*	IMAP mailbox commands of the reference server
/* DESCRIPTION
/*	See imapbox.h. Folders are the directories ".Name" beside cur/,
/*	new/ and tmp/ of the account's Maildir, as Dovecot's Maildir++
/*	layout has them.
/*--*/

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imapbox.h"

#define BOX_NAME_MAX 200
#define SUBSCRIPTIONS "refserver-subscriptions"

/* box_name_ok - a folder name we can map to a directory */

static bool box_name_ok(const char *name)
{
    const char *p;

    if (*name == 0 || strlen(name) > BOX_NAME_MAX || *name == '.' ||
        name[strlen(name) - 1] == '.' || strstr(name, ".."))
        return (false);
    for (p = name; *p; p++)
        if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7f ||
            strchr("/\\*%\"", *p))
            return (false);
    return (true);
}

static bool is_inbox(const char *name)
{
    return (strcasecmp(name, "INBOX") == 0);
}

/* imap_box_dir - the directory of a mailbox name */

bool imap_box_dir(const struct imap *im, const struct ref_imap_arg *arg,
                  char *out, size_t outsz)
{
    char name[BOX_NAME_MAX + 1];
    int n;

    if (!ref_imap_cstr(arg, name, sizeof(name)))
        return (false);
    if (is_inbox(name))
        n = snprintf(out, outsz, "%s", im->root);
    else if (box_name_ok(name))
        n = snprintf(out, outsz, "%s/.%s", im->root, name);
    else
        return (false);
    return (n > 0 && (size_t)n < outsz);
}

/* glob_match - IMAP LIST wildcards: "*" anything, "%" no hierarchy */

static bool glob_match(const char *pat, const char *name)
{
    for (; *pat; pat++, name++) {
        if (*pat == '*' || *pat == '%') {
            for (;; name++) {
                if (glob_match(pat + 1, name))
                    return (true);
                if (*name == 0 || (*pat == '%' && *name == '.'))
                    return (false);
            }
        }
        if (*name == 0 || *pat != *name)
            return (false);
    }
    return (*name == 0);
}

/* sub_has - is a name in the subscriptions file */

static bool sub_has(const struct imap *im, const char *name)
{
    char path[REF_PATH_MAX], line[BOX_NAME_MAX + 2];
    bool found = false;
    FILE *fp;

    if (snprintf(path, sizeof(path), "%s/%s", im->root, SUBSCRIPTIONS) >=
            (int)sizeof(path) ||
        (fp = fopen(path, "re")) == NULL)
        return (false);
    while (!found && fgets(line, sizeof(line), fp)) {
        line[strcspn(line, "\n")] = 0;
        found = strcmp(line, name) == 0;
    }
    fclose(fp);
    return (found);
}

/* sub_set - add or remove a subscription */

static bool sub_set(const struct imap *im, const char *name, bool add)
{
    char path[REF_PATH_MAX], tmp[REF_PATH_MAX], line[BOX_NAME_MAX + 2];
    FILE *in, *out;
    bool ok;

    if (snprintf(path, sizeof(path), "%s/%s", im->root, SUBSCRIPTIONS) >=
            (int)sizeof(path) ||
        snprintf(tmp, sizeof(tmp), "%s/tmp/%s", im->root, SUBSCRIPTIONS) >=
            (int)sizeof(tmp) ||
        (out = fopen(tmp, "we")) == NULL)
        return (false);
    if ((in = fopen(path, "re")) != NULL) {
        while (fgets(line, sizeof(line), in)) {
            line[strcspn(line, "\n")] = 0;
            if (strcmp(line, name) != 0)
                fprintf(out, "%s\n", line);
        }
        fclose(in);
    }
    if (add)
        fprintf(out, "%s\n", name);
    ok = fflush(out) == 0 && fsync(fileno(out)) == 0;
    ok = (fclose(out) == 0) && ok && rename(tmp, path) == 0;
    return (ok);
}

/* box_list - LIST and LSUB */

static void box_list(struct ref_conn *c, struct imap *im, const char *tag,
                     const struct ref_imap_arg *a, size_t argc, bool lsub)
{
    char ref[BOX_NAME_MAX + 1], pat[2 * BOX_NAME_MAX + 2];
    const char *verb = lsub ? "LSUB" : "LIST";
    struct dirent *de;
    DIR *d;

    if (argc != 2 || !ref_imap_cstr(&a[0], ref, sizeof(ref)) ||
        !ref_imap_cstr(&a[1], pat, BOX_NAME_MAX + 1)) {
        ref_conn_printf(c, "%s BAD %s needs a reference and a pattern\r\n", tag,
                        verb);
        return;
    }
    if (pat[0] == 0 && !lsub) {
        ref_conn_printf(
            c, "* LIST (\\Noselect) \".\" \"\"\r\n%s OK List completed\r\n",
            tag);
        return;
    }
    if (ref[0]) {
        char joined[sizeof(pat)];

        if (snprintf(joined, sizeof(joined), "%s%s", ref, pat) >=
                (int)sizeof(joined) ||
            snprintf(pat, sizeof(pat), "%s", joined) >= (int)sizeof(pat)) {
            ref_conn_printf(c, "%s BAD Pattern too long\r\n", tag);
            return;
        }
    }
    if ((glob_match(pat, "INBOX") ||
         (strncasecmp(pat, "INBOX", 5) == 0 && glob_match(pat + 5, ""))) &&
        (!lsub || sub_has(im, "INBOX")))
        ref_conn_printf(c, "* %s (\\HasNoChildren) \".\" INBOX\r\n", verb);
    if ((d = opendir(im->root)) != NULL) {
        while ((de = readdir(d)) != NULL) {
            const char *name = de->d_name + 1;

            if (de->d_name[0] != '.' || !box_name_ok(name) ||
                !glob_match(pat, name) || (lsub && !sub_has(im, name)))
                continue;
            ref_conn_printf(c, "* %s () \".\" ", verb);
            imap_write_string(c, name, strlen(name));
            ref_conn_printf(c, "\r\n");
        }
        closedir(d);
    }
    ref_conn_printf(c, "%s OK %s completed\r\n", tag, lsub ? "Lsub" : "List");
}

/* rm_entry - nftw callback of box_delete */

static int rm_entry(const char *path, const struct stat *st, int type,
                    struct FTW *ftw)
{
    return (remove(path) == 0 ? 0 : -1);
}

/* box_rename_children - "Old.x" follows "Old" to "New.x" */

static void box_rename_children(const struct imap *im, const char *from,
                                const char *to)
{
    char a[REF_PATH_MAX], b[REF_PATH_MAX];
    size_t flen = strlen(from);
    struct dirent *de;
    DIR *d;

    if ((d = opendir(im->root)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.' || strncmp(de->d_name + 1, from, flen) != 0 ||
            de->d_name[flen + 1] != '.')
            continue;
        if (snprintf(a, sizeof(a), "%s/%s", im->root, de->d_name) <
                (int)sizeof(a) &&
            snprintf(b, sizeof(b), "%s/.%s%s", im->root, to,
                     de->d_name + 1 + flen) < (int)sizeof(b))
            (void)rename(a, b);
    }
    closedir(d);
}

/* box_status - STATUS mailbox (items) */

static void box_status(struct ref_conn *c, struct imap *im, const char *tag,
                       const struct ref_imap_arg *a, size_t argc)
{
    struct ref_folder f;
    char dir[REF_PATH_MAX], name[BOX_NAME_MAX + 1];
    const char *error = NULL;
    size_t i, k, unseen = 0;

    if (argc != 2 || a[1].type != REF_IMAP_LIST ||
        !ref_imap_cstr(&a[0], name, sizeof(name)) ||
        !imap_box_dir(im, &a[0], dir, sizeof(dir))) {
        ref_conn_printf(c, "%s BAD STATUS needs a mailbox and a list\r\n", tag);
        return;
    }
    if (access(dir, F_OK) != 0) {
        ref_conn_printf(c, "%s NO [NONEXISTENT] Mailbox doesn't exist\r\n",
                        tag);
        return;
    }
    if (ref_maildir_scan(dir, false, true, &f, &error) != PK_OK) {
        ref_conn_printf(c, "%s NO [UNAVAILABLE] Mailbox unavailable\r\n", tag);
        return;
    }
    for (i = 0; i < f.count; i++)
        unseen += strchr(f.msgs[i].flags, 'S') == NULL;
    ref_conn_printf(c, "* STATUS ");
    imap_write_string(c, name, strlen(name));
    ref_conn_printf(c, " (");
    for (k = 0; k < a[1].count; k++) {
        const struct ref_imap_arg *it = &a[1].list[k];
        const char *sp = k ? " " : "";

        if (ref_imap_is(it, "MESSAGES"))
            ref_conn_printf(c, "%sMESSAGES %zu", sp, f.count);
        else if (ref_imap_is(it, "RECENT"))
            ref_conn_printf(c, "%sRECENT %zu", sp, (size_t)0);
        else if (ref_imap_is(it, "UIDNEXT"))
            ref_conn_printf(c, "%sUIDNEXT %lu", sp, (unsigned long)f.uidnext);
        else if (ref_imap_is(it, "UIDVALIDITY"))
            ref_conn_printf(c, "%sUIDVALIDITY %lu", sp,
                            (unsigned long)f.uidvalidity);
        else if (ref_imap_is(it, "UNSEEN"))
            ref_conn_printf(c, "%sUNSEEN %zu", sp, unseen);
    }
    ref_conn_printf(c, ")\r\n%s OK Status completed\r\n", tag);
    ref_maildir_msgs_free(&f);
}

/* flags_valid - an APPEND flag list: atoms, keywords well-formed */

static bool flags_valid(const struct ref_imap_arg *list)
{
    size_t k;

    for (k = 0; k < list->count; k++)
        if (list->list[k].type != REF_IMAP_ATOM ||
            (list->list[k].str[0] != '\\' &&
             !ref_keywords_valid(list->list[k].str, list->list[k].len)))
            return (false);
    return (true);
}

/* flags_letters - system flags and keywords (the names of kw, taken
/* from the folder dir and added there if new) as sorted Maildir letters */

static int flags_letters(const char *dir, struct ref_keywords *kw,
                         const struct ref_imap_arg *flags, size_t nflags,
                         char *out, const char **error_r)
{
    static const char *const names[] = {"\\Draft", "\\Flagged", "\\Answered",
                                        "\\Seen", "\\Deleted"};
    static const char letters[] = "DFRST";
    bool has[128] = {0};
    size_t k;
    int i, n = 0, status;
    char letter;

    for (k = 0; k < nflags; k++) {
        for (i = 0; i < 5; i++)
            if (ref_imap_is(&flags[k], names[i]))
                has[(unsigned char)letters[i]] = true;
        if (flags[k].str[0] == '\\')
            continue;
        if ((status = ref_keywords_add(dir, kw, flags[k].str, flags[k].len,
                                       &letter, error_r)) != PK_OK)
            return (status);
        has[(unsigned char)letter] = true;
    }
    for (i = 'A'; i <= 'z'; i++)
        if (has[i])
            out[n++] = (char)i;
    out[n] = 0;
    return (PK_OK);
}

/* copy_letters - a message's letters for another folder: its system
/* flags, and its keywords by name in the target's keyword file */

static int copy_letters(const char *dir, const struct ref_keywords *from,
                        const char *in, char *out, const char **error_r)
{
    struct ref_imap_arg names[REF_KEYWORDS_MAX + 5];
    struct ref_keywords kw;
    size_t n = 0;
    const char *name;
    int status;

    for (; *in && n < sizeof(names) / sizeof(names[0]); in++) {
        static const char sys[] = "DFRST";
        static const char *const sysname[] = {
            "\\Draft", "\\Flagged", "\\Answered", "\\Seen", "\\Deleted"};
        const char *s = strchr(sys, *in);

        name = s ? sysname[s - sys] : ref_keywords_name(from, *in);
        if (name == NULL)
            continue; /* a letter no keyword names has no meaning there */
        names[n].type = REF_IMAP_ATOM;
        names[n].str = name;
        names[n].len = strlen(name);
        n++;
    }
    if ((status = ref_keywords_load(dir, &kw, error_r)) != PK_OK)
        return (status);
    status = flags_letters(dir, &kw, names, n, out, error_r);
    ref_keywords_free(&kw);
    return (status);
}

/* uid_of - the UID a folder gave a stored message name */

static uint32_t uid_of(const char *dir, const char *name, uint32_t *validity)
{
    struct ref_folder f;
    const char *error = NULL;
    uint32_t uid = 0;
    size_t i;

    if (ref_maildir_scan(dir, false, true, &f, &error) != PK_OK)
        return (0);
    for (i = 0; i < f.count; i++)
        if (strcmp(f.msgs[i].name, name) == 0)
            uid = f.msgs[i].uid;
    *validity = f.uidvalidity;
    ref_maildir_msgs_free(&f);
    return (uid);
}

/* box_append - APPEND mailbox [flags] [date] literal */

static void box_append(struct ref_conn *c, struct imap *im, const char *tag,
                       const struct ref_imap_arg *a, size_t argc)
{
    char dir[REF_PATH_MAX], flags[sizeof(im->folder.msgs->flags)] = "";
    char name[512];
    const struct ref_imap_arg *msg = &a[argc - 1];
    const char *error = NULL;
    struct ref_keywords kw;
    uint32_t validity = 0, uid;
    int status;

    if (argc < 2 || argc > 4 || msg->type != REF_IMAP_STRING ||
        (argc >= 3 && a[1].type == REF_IMAP_LIST && !flags_valid(&a[1]))) {
        ref_conn_printf(c, "%s BAD APPEND needs a mailbox and a literal\r\n",
                        tag);
        return;
    }
    if (!imap_box_dir(im, &a[0], dir, sizeof(dir)) || access(dir, F_OK) != 0) {
        ref_conn_printf(c, "%s NO [TRYCREATE] Mailbox doesn't exist\r\n", tag);
        return;
    }
    if (argc >= 3 && a[1].type == REF_IMAP_LIST) {
        if ((status = ref_keywords_load(dir, &kw, &error)) == PK_OK) {
            status =
                flags_letters(dir, &kw, a[1].list, a[1].count, flags, &error);
            ref_keywords_free(&kw);
        }
        if (status != PK_OK) {
            pk_log(PK_LOG_WARNING, "%s: append: %s", c->peer, error);
            ref_conn_printf(c, "%s NO %sKeywords not stored\r\n", tag,
                            status == PK_ELIMIT ? "[LIMIT] " : "");
            return;
        }
    }
    if (ref_maildir_store(dir, "", 0, msg->str, msg->len, flags, name,
                          sizeof(name), &error) != PK_OK) {
        pk_log(PK_LOG_WARNING, "%s: append: %s", c->peer, error);
        ref_conn_printf(c, "%s NO [UNAVAILABLE] Append failed\r\n", tag);
        return;
    }
    uid = uid_of(dir, name, &validity);
    ref_conn_printf(c, "%s OK [APPENDUID %lu %lu] Append completed\r\n", tag,
                    (unsigned long)validity, (unsigned long)uid);
}

/* imap_copy - COPY and UID COPY */

void imap_copy(struct ref_conn *c, struct imap *im, const char *tag,
               const struct ref_imap_arg *a, size_t argc, bool uid)
{
    char dir[REF_PATH_MAX], path[REF_PATH_MAX], name[512];
    char flags[sizeof(im->folder.msgs->flags)];
    char src[1024] = "", dst[1024] = "";
    uint32_t max = uid ? im->folder.uidnext - 1 : im->folder.count,
             validity = 0;
    const char *error = NULL;
    size_t i, len;
    char *buf;
    int status = PK_OK;

    if (argc != 2 || a[0].type != REF_IMAP_ATOM ||
        !imap_set_valid(a[0].str, a[0].len)) {
        ref_conn_printf(c, "%s BAD COPY needs a set and a mailbox\r\n", tag);
        return;
    }
    if (!imap_box_dir(im, &a[1], dir, sizeof(dir)) || access(dir, F_OK) != 0) {
        ref_conn_printf(c, "%s NO [TRYCREATE] Mailbox doesn't exist\r\n", tag);
        return;
    }
    for (i = 0; i < im->folder.count && status == PK_OK; i++) {
        struct ref_msg *m = &im->folder.msgs[i];

        if (!imap_set_has(a[0].str, a[0].len, uid ? m->uid : i + 1, max))
            continue;
        ref_maildir_file(im->seldir, m, path, sizeof(path));
        if ((status = ref_maildir_read(path, c->srv->cfg.max_size * 2, &buf,
                                       &len, &error)) != PK_OK)
            break;
        /* Keywords by name: the letters differ between folders. */
        if ((status = copy_letters(dir, &im->kw, m->flags, flags, &error)) ==
            PK_OK)
            status = ref_maildir_store(dir, "", 0, buf, len, flags, name,
                                       sizeof(name), &error);
        free(buf);
        if (status == PK_OK && strlen(src) < sizeof(src) - 24) {
            snprintf(src + strlen(src), sizeof(src) - strlen(src), "%s%lu",
                     src[0] ? "," : "", (unsigned long)m->uid);
            snprintf(dst + strlen(dst), sizeof(dst) - strlen(dst), "%s%lu",
                     dst[0] ? "," : "",
                     (unsigned long)uid_of(dir, name, &validity));
        }
    }
    if (status != PK_OK) {
        pk_log(PK_LOG_WARNING, "%s: copy: %s", c->peer, error);
        ref_conn_printf(c, "%s NO [UNAVAILABLE] Copy failed\r\n", tag);
    } else if (src[0] && strlen(src) < sizeof(src) - 24)
        ref_conn_printf(c, "%s OK [COPYUID %lu %s %s] Copy completed\r\n", tag,
                        (unsigned long)validity, src, dst);
    else
        ref_conn_printf(c, "%s OK Copy completed\r\n", tag);
}

/* imap_box_command - the mailbox commands */

bool imap_box_command(struct ref_conn *c, struct imap *im, const char *tag,
                      const char *n, const struct ref_imap_arg *a, size_t argc)
{
    char dir[REF_PATH_MAX], to[REF_PATH_MAX], name[BOX_NAME_MAX + 1];
    char newname[BOX_NAME_MAX + 1];
    const char *error = NULL;

    if (strcmp(n, "LIST") == 0 || strcmp(n, "LSUB") == 0) {
        box_list(c, im, tag, a, argc, n[1] == 'S');
        return (true);
    }
    if (strcmp(n, "STATUS") == 0) {
        box_status(c, im, tag, a, argc);
        return (true);
    }
    if (strcmp(n, "APPEND") == 0) {
        box_append(c, im, tag, a, argc);
        return (true);
    }
    if (strcmp(n, "CREATE") && strcmp(n, "DELETE") && strcmp(n, "RENAME") &&
        strcmp(n, "SUBSCRIBE") && strcmp(n, "UNSUBSCRIBE"))
        return (false);
    if (argc != (strcmp(n, "RENAME") == 0 ? 2u : 1u) ||
        !ref_imap_cstr(&a[0], name, sizeof(name)) ||
        !imap_box_dir(im, &a[0], dir, sizeof(dir))) {
        ref_conn_printf(c, "%s NO Bad mailbox name\r\n", tag);
        return (true);
    }
    if (n[0] == 'S' || n[0] == 'U') {
        if (sub_set(im, is_inbox(name) ? "INBOX" : name, n[0] == 'S'))
            ref_conn_printf(c, "%s OK %s completed\r\n", tag, n);
        else
            ref_conn_printf(
                c, "%s NO [UNAVAILABLE] Cannot write subscriptions\r\n", tag);
    } else if (is_inbox(name)) {
        ref_conn_printf(c, "%s NO INBOX cannot be %s\r\n", tag,
                        n[0] == 'C'   ? "created"
                        : n[0] == 'D' ? "deleted"
                                      : "renamed");
    } else if (n[0] == 'C') {
        if (access(dir, F_OK) == 0)
            ref_conn_printf(
                c, "%s NO [ALREADYEXISTS] Mailbox already exists\r\n", tag);
        else if (ref_maildir_create(dir, &error) != PK_OK)
            ref_conn_printf(c, "%s NO [UNAVAILABLE] Cannot create mailbox\r\n",
                            tag);
        else
            ref_conn_printf(c, "%s OK Create completed\r\n", tag);
    } else if (n[0] == 'D') {
        if (access(dir, F_OK) != 0)
            ref_conn_printf(c, "%s NO [NONEXISTENT] Mailbox doesn't exist\r\n",
                            tag);
        else if (im->state == IMAP_SELECTED && strcmp(dir, im->seldir) == 0)
            ref_conn_printf(c, "%s NO Mailbox is selected\r\n", tag);
        else if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
            ref_conn_printf(c, "%s NO [UNAVAILABLE] Cannot delete mailbox\r\n",
                            tag);
        else
            ref_conn_printf(c, "%s OK Delete completed\r\n", tag);
    } else {
        if (!ref_imap_cstr(&a[1], newname, sizeof(newname)) ||
            !imap_box_dir(im, &a[1], to, sizeof(to)) || is_inbox(newname))
            ref_conn_printf(c, "%s NO Bad new mailbox name\r\n", tag);
        else if (access(dir, F_OK) != 0)
            ref_conn_printf(c, "%s NO [NONEXISTENT] Mailbox doesn't exist\r\n",
                            tag);
        else if (access(to, F_OK) == 0)
            ref_conn_printf(
                c, "%s NO [ALREADYEXISTS] Target mailbox exists\r\n", tag);
        else if (rename(dir, to) != 0)
            ref_conn_printf(c, "%s NO [UNAVAILABLE] Cannot rename mailbox\r\n",
                            tag);
        else {
            box_rename_children(im, name, newname);
            ref_conn_printf(c, "%s OK Rename completed\r\n", tag);
        }
    }
    return (true);
}
