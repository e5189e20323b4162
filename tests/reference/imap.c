/*++
/* NAME
/*	imap 3
/* SUMMARY
/*	IMAP4rev1 roles of the reference server: session and commands
/* DESCRIPTION
/*	See imap.h. This file assembles commands (lines and literals),
/*	parses them with imapparse.c, and runs the session commands:
/*	CAPABILITY, NOOP, LOGOUT, STARTTLS, LOGIN, AUTHENTICATE, SELECT,
/*	EXAMINE, CHECK, CLOSE, EXPUNGE, STORE, UID, IDLE. Mailbox
/*	commands are in imapbox.c, FETCH in imapfetch.c, SEARCH in
/*	imapsearch.c.
/*--*/

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imap-int.h"
#include "imap.h"
#include "imapbox.h"
#include "linebuf.h"
#include "refauth.h"

#define LINE_MAX_IMAP REF_IN_MAX
#define LITERALS_MAX 64
#define IDLE_TIMEOUT_MS (30 * 60 * 1000)

/* imap_capability - the capability list for the session's state */

static void imap_capability(struct ref_conn *c, struct imap *im)
{
    ref_conn_printf(c, "IMAP4rev1 SASL-IR LITERAL+ IDLE UIDPLUS");
    if (im->state == IMAP_NOTAUTH) {
        if (!ref_conn_secure(c))
            ref_conn_printf(c, " STARTTLS");
        if (ref_conn_may_login(c))
            ref_conn_printf(c, " AUTH=PLAIN");
        else
            ref_conn_printf(c, " LOGINDISABLED");
    }
}

static void imap_start(struct ref_conn *c)
{
    struct imap *im;

    if ((im = calloc(1, sizeof(*im))) == NULL) {
        ref_conn_printf(c, "* BYE Out of memory\r\n");
        ref_conn_close(c);
        return;
    }
    c->proto_data = im;
    ref_conn_printf(c, "* OK [CAPABILITY ");
    imap_capability(c, im);
    ref_conn_printf(c, "] postkontor-refserver ready.\r\n");
}

static void imap_tls_ready(struct ref_conn *c)
{
    struct imap *im = c->proto_data;

    im->cmd_len = 0;
    im->lit_left = 0;
    im->auth_pending = false;
}

static void imap_free(struct ref_conn *c)
{
    struct imap *im = c->proto_data;

    if (im) {
        ref_maildir_msgs_free(&im->folder);
        ref_keywords_free(&im->kw);
        free(im->cmd);
        free(im);
    }
}

/* imap_flag_letter - the Maildir letter of a system flag, 0 if none */

static char imap_flag_letter(const struct ref_imap_arg *a)
{
    static const char *const names[] = {"\\Draft", "\\Flagged", "\\Answered",
                                        "\\Seen", "\\Deleted"};
    static const char letters[] = "DFRST";
    int i;

    for (i = 0; i < 5; i++)
        if (ref_imap_is(a, names[i]))
            return (letters[i]);
    return (0);
}

/* imap_flags_sorted - Maildir wants the letters in ASCII order */

static void imap_flags_sorted(const bool set[128], char *out)
{
    int ch, n = 0;

    for (ch = 'A'; ch <= 'z'; ch++)
        if (set[ch])
            out[n++] = (char)ch;
    out[n] = 0;
}

/* imap_keywords - (re)read the selected folder's keywords; true if
/* they changed */

static bool imap_keywords(struct ref_conn *c, struct imap *im)
{
    const char *error = NULL;
    struct ref_keywords now;
    bool changed = false;
    int i;

    if (ref_keywords_load(im->seldir, &now, &error) != PK_OK) {
        pk_log(PK_LOG_WARNING, "%s: keywords: %s", c->peer, error);
        return (false);
    }
    for (i = 0; i < REF_KEYWORDS_MAX; i++)
        changed = changed ||
                  (now.name[i] == NULL) != (im->kw.name[i] == NULL) ||
                  (now.name[i] && strcmp(now.name[i], im->kw.name[i]) != 0);
    ref_keywords_free(&im->kw);
    im->kw = now;
    return (changed);
}

/* imap_flag_lists - FLAGS and PERMANENTFLAGS with the folder's keywords */

static void imap_flag_lists(struct ref_conn *c, struct imap *im)
{
    static const char sys[] = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
    int i;

    ref_conn_printf(c, "* FLAGS (%s", sys);
    for (i = 0; i < REF_KEYWORDS_MAX; i++)
        if (im->kw.name[i])
            ref_conn_printf(c, " %s", im->kw.name[i]);
    ref_conn_printf(c, ")\r\n* OK [PERMANENTFLAGS (");
    if (!im->readonly) {
        /* RFC 3501 7.1: "\*" - new keywords may be created. */
        ref_conn_printf(c, "%s", sys);
        for (i = 0; i < REF_KEYWORDS_MAX; i++)
            if (im->kw.name[i])
                ref_conn_printf(c, " %s", im->kw.name[i]);
        ref_conn_printf(c, " \\*");
    }
    ref_conn_printf(c, ")] Flags permitted.\r\n");
}

/* imap_sync - rescan the selected folder; report what changed */

void imap_sync(struct ref_conn *c, struct imap *im, bool expunges)
{
    struct ref_folder now;
    const char *error = NULL;
    size_t i, j, recent = 0;
    bool grew;

    if (im->state != IMAP_SELECTED)
        return;
    if (ref_maildir_scan(im->seldir, !im->readonly, true, &now, &error) !=
        PK_OK) {
        pk_log(PK_LOG_WARNING, "%s: rescan: %s", c->peer, error);
        return;
    }
    if (imap_keywords(c, im)) /* another session added some */
        imap_flag_lists(c, im);
    /* Both lists are sorted by UID: walk them together. */
    for (i = 0, j = 0; i < im->folder.count;) {
        struct ref_msg *old = &im->folder.msgs[i];

        while (j < now.count && now.msgs[j].uid < old->uid)
            j++;
        if (j < now.count && now.msgs[j].uid == old->uid) {
            now.msgs[j].recent = now.msgs[j].recent || old->recent;
            if (strcmp(now.msgs[j].flags, old->flags) != 0) {
                ref_conn_printf(c, "* %zu FETCH (FLAGS ", i + 1);
                imap_write_flags(c, &im->kw, now.msgs[j].flags,
                                 now.msgs[j].recent);
                ref_conn_printf(c, ")\r\n");
            }
            i++;
            continue;
        }
        if (!expunges) {
            i++;
            continue;
        }
        ref_conn_printf(c, "* %zu EXPUNGE\r\n", i + 1);
        free(old->name);
        memmove(old, old + 1, (im->folder.count - i - 1) * sizeof(*old));
        im->folder.count--;
    }
    grew = now.count > im->folder.count;
    if (!expunges && now.count < im->folder.count) {
        /* Expunges cannot be announced now: keep the old list. */
        ref_maildir_msgs_free(&now);
        return;
    }
    ref_maildir_msgs_free(&im->folder);
    im->folder = now;
    if (grew) {
        for (i = 0; i < now.count; i++)
            recent += now.msgs[i].recent;
        ref_conn_printf(c, "* %zu EXISTS\r\n* %zu RECENT\r\n", now.count,
                        recent);
    }
}

/* imap_login - the core's verdict on a login */

static void imap_login(struct ref_conn *c, struct imap *im, const char *tag,
                       const char *user, char *pass)
{
    const char *error = NULL;
    int status;

    status = ref_auth_login(c->srv->store, user, pass, im->login, &error);
    pk_wipe(pass, strlen(pass));
    if (status == PK_NOTFOUND) {
        pk_log(PK_LOG_INFO, "%s: imap login failed", c->peer);
        ref_conn_pause(c, ref_auth_failed(c->peer));
        ref_conn_printf(
            c, "%s NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", tag);
    } else if (status != PK_OK) {
        pk_log(PK_LOG_WARNING, "%s: login: %s", c->peer, error);
        ref_conn_printf(
            c, "%s NO [UNAVAILABLE] Temporary authentication failure.\r\n",
            tag);
    } else if (ref_maildir_path(c->srv->cfg.maildir, im->login, im->root,
                                sizeof(im->root)) != PK_OK ||
               ref_maildir_create(im->root, &error) != PK_OK) {
        pk_log(PK_LOG_WARNING, "%s: Maildir of %s: %s", c->peer, im->login,
               error ? error : "bad path");
        ref_conn_printf(c, "%s NO [UNAVAILABLE] Mailbox unavailable.\r\n", tag);
    } else {
        pk_log(PK_LOG_INFO, "%s: imap login %s", c->peer, im->login);
        im->state = IMAP_AUTH;
        ref_conn_printf(c, "%s OK [CAPABILITY ", tag);
        imap_capability(c, im);
        ref_conn_printf(c, "] Logged in\r\n");
    }
}

/* imap_plain - one SASL PLAIN message */

static void imap_plain(struct ref_conn *c, struct imap *im, const char *tag,
                       const char *b64, size_t len)
{
    char buf[REF_SASL_MAX], user[PK_ADDR_MAX + 1], pass[PK_PASSWORD_MAX + 1];
    size_t n;
    int r;

    if (len == 1 && b64[0] == '*')
        ref_conn_printf(c, "%s BAD Authentication aborted\r\n", tag);
    else if (!ref_b64_decode(b64, len, buf, sizeof(buf), &n))
        ref_conn_printf(c, "%s BAD Invalid base64 data\r\n", tag);
    else if ((r = ref_sasl_plain(buf, n, user, pass)) == REF_SASL_AUTHZ)
        ref_conn_printf(
            c, "%s NO [AUTHORIZATIONFAILED] Authorization identity refused\r\n",
            tag);
    else if (r != REF_SASL_OK)
        ref_conn_printf(c, "%s BAD Malformed PLAIN message\r\n", tag);
    else
        imap_login(c, im, tag, user, pass);
    pk_wipe(buf, sizeof(buf));
    pk_wipe(pass, sizeof(pass));
}

/* imap_select - SELECT and EXAMINE */

static void imap_select(struct ref_conn *c, struct imap *im, const char *tag,
                        const struct ref_imap_arg *args, size_t argc,
                        bool readonly)
{
    const char *error = NULL;
    size_t i, recent = 0, unseen = 0;

    ref_maildir_msgs_free(&im->folder);
    im->state = IMAP_AUTH;
    if (argc != 1 ||
        !imap_box_dir(im, &args[0], im->seldir, sizeof(im->seldir))) {
        ref_conn_printf(c, "%s NO [NONEXISTENT] Mailbox doesn't exist\r\n",
                        tag);
        return;
    }
    if (access(im->seldir, F_OK) != 0) {
        ref_conn_printf(c, "%s NO [NONEXISTENT] Mailbox doesn't exist\r\n",
                        tag);
        return;
    }
    if (ref_maildir_scan(im->seldir, true, true, &im->folder, &error) !=
        PK_OK) {
        pk_log(PK_LOG_WARNING, "%s: select: %s", c->peer, error);
        ref_conn_printf(c, "%s NO [UNAVAILABLE] Mailbox unavailable\r\n", tag);
        return;
    }
    im->state = IMAP_SELECTED;
    im->readonly = readonly;
    for (i = 0; i < im->folder.count; i++) {
        recent += im->folder.msgs[i].recent;
        if (unseen == 0 && !strchr(im->folder.msgs[i].flags, 'S'))
            unseen = i + 1;
    }
    (void)imap_keywords(c, im);
    imap_flag_lists(c, im);
    ref_conn_printf(c, "* %zu EXISTS\r\n* %zu RECENT\r\n", im->folder.count,
                    recent);
    if (unseen)
        ref_conn_printf(c, "* OK [UNSEEN %zu] First unseen.\r\n", unseen);
    ref_conn_printf(c,
                    "* OK [UIDVALIDITY %lu] UIDs valid\r\n"
                    "* OK [UIDNEXT %lu] Predicted next UID\r\n"
                    "%s OK [%s] %s completed\r\n",
                    (unsigned long)im->folder.uidvalidity,
                    (unsigned long)im->folder.uidnext, tag,
                    readonly ? "READ-ONLY" : "READ-WRITE",
                    readonly ? "EXAMINE" : "SELECT");
}

/* imap_expunge - remove \Deleted messages (of a UID set, if given) */

static void imap_expunge(struct ref_conn *c, struct imap *im, const char *set,
                         size_t set_len, bool silent)
{
    char path[REF_PATH_MAX];
    uint32_t max_uid = im->folder.uidnext - 1;
    size_t i = im->folder.count;

    while (i-- > 0) {
        struct ref_msg *m = &im->folder.msgs[i];

        if (!strchr(m->flags, 'T') ||
            (set && !imap_set_has(set, set_len, m->uid, max_uid)))
            continue;
        ref_maildir_file(im->seldir, m, path, sizeof(path));
        if (unlink(path) != 0)
            continue;
        if (!silent)
            ref_conn_printf(c, "* %zu EXPUNGE\r\n", i + 1);
        free(m->name);
        memmove(m, m + 1, (im->folder.count - i - 1) * sizeof(*m));
        im->folder.count--;
    }
}

/* imap_store_letters - the Maildir letters a STORE names; false if
/* it was answered. A keyword new to the folder is added (not for
/* -FLAGS), and the new flag lists are announced (RFC 3501 7.2.6). */

static bool imap_store_letters(struct ref_conn *c, struct imap *im,
                               const char *tag,
                               const struct ref_imap_arg *flags, size_t nflags,
                               char op, bool change[128])
{
    const char *error = NULL;
    bool added = false, is_new;
    char letter;
    size_t k;
    int status;

    memset(change, 0, 128 * sizeof(*change));
    for (k = 0; k < nflags; k++) {
        if ((letter = imap_flag_letter(&flags[k])) != 0) {
            change[(unsigned char)letter] = true;
            continue;
        }
        if (flags[k].str[0] == '\\')
            continue; /* \Recent and unknown system flags: not settable */
        if (!ref_keywords_valid(flags[k].str, flags[k].len)) {
            ref_conn_printf(c, "%s BAD Invalid keyword\r\n", tag);
            return (false);
        }
        if (op == '-') {
            if ((letter = ref_keywords_find(&im->kw, flags[k].str,
                                            flags[k].len)) != 0)
                change[(unsigned char)letter] = true;
            continue;
        }
        is_new = !ref_keywords_find(&im->kw, flags[k].str, flags[k].len);
        status = ref_keywords_add(im->seldir, &im->kw, flags[k].str,
                                  flags[k].len, &letter, &error);
        if (status != PK_OK && added)
            imap_flag_lists(c, im); /* earlier ones of this STORE stay */
        if (status == PK_ELIMIT) {
            ref_conn_printf(c, "%s NO [LIMIT] Too many keywords\r\n", tag);
            return (false);
        }
        if (status != PK_OK) {
            pk_log(PK_LOG_WARNING, "%s: store: %s", c->peer, error);
            ref_conn_printf(c, "%s NO [SERVERBUG] Keyword not stored\r\n", tag);
            return (false);
        }
        change[(unsigned char)letter] = true;
        added = added || is_new;
    }
    if (added)
        imap_flag_lists(c, im);
    return (true);
}

/* imap_store - STORE set item flags */

static void imap_store(struct ref_conn *c, struct imap *im, const char *tag,
                       const struct ref_imap_arg *args, size_t argc, bool uid)
{
    const struct ref_imap_arg *flags;
    const char *item, *error = NULL;
    uint32_t max = uid ? im->folder.uidnext - 1 : im->folder.count;
    size_t i, nflags, k;
    bool silent, set[128], change[128];
    char op, out[sizeof(im->folder.msgs->flags)];

    if (argc < 3 || args[0].type != REF_IMAP_ATOM ||
        args[1].type != REF_IMAP_ATOM ||
        !imap_set_valid(args[0].str, args[0].len)) {
        ref_conn_printf(c, "%s BAD STORE needs a set, an item and flags\r\n",
                        tag);
        return;
    }
    item = args[1].str;
    op = (*item == '+' || *item == '-') ? *item++ : '=';
    if (strncasecmp(item, "FLAGS", 5) != 0 ||
        (args[1].len - (item - args[1].str) != 5 &&
         (args[1].len - (item - args[1].str) != 12 ||
          strncasecmp(item + 5, ".SILENT", 7) != 0))) {
        ref_conn_printf(c, "%s BAD Unknown STORE item\r\n", tag);
        return;
    }
    if (im->readonly) {
        ref_conn_printf(c, "%s NO Mailbox is read-only\r\n", tag);
        return;
    }
    silent = args[1].len - (item - args[1].str) == 12;
    flags = args[2].type == REF_IMAP_LIST ? args[2].list : &args[2];
    nflags = args[2].type == REF_IMAP_LIST ? args[2].count : argc - 2;
    for (k = 0; k < nflags; k++)
        if (flags[k].type != REF_IMAP_ATOM) {
            ref_conn_printf(c, "%s BAD Bad flag\r\n", tag);
            return;
        }
    if (!imap_store_letters(c, im, tag, flags, nflags, op, change))
        return;
    for (i = 0; i < im->folder.count; i++) {
        struct ref_msg *m = &im->folder.msgs[i];
        const char *p;

        if (!imap_set_has(args[0].str, args[0].len, uid ? m->uid : i + 1, max))
            continue;
        memset(set, 0, sizeof(set));
        for (p = m->flags; *p; p++)
            if ((unsigned char)*p < 128)
                set[(unsigned char)*p] = op != '=';
        for (k = 0; k < 128; k++)
            if (change[k])
                set[k] = op != '-';
        imap_flags_sorted(set, out);
        if (ref_maildir_set_flags(im->seldir, m, out, &error) != PK_OK)
            pk_log(PK_LOG_WARNING, "%s: store: %s", c->peer, error);
        else if (!silent) {
            ref_conn_printf(c, "* %zu FETCH (", i + 1);
            if (uid)
                ref_conn_printf(c, "UID %lu ", (unsigned long)m->uid);
            ref_conn_printf(c, "FLAGS ");
            imap_write_flags(c, &im->kw, m->flags, m->recent);
            ref_conn_printf(c, ")\r\n");
        }
    }
    ref_conn_printf(c, "%s OK Store completed\r\n", tag);
}

/* imap_selected - commands of the selected state, UID forms included */

static bool imap_selected(struct ref_conn *c, struct imap *im,
                          struct ref_imap_cmd *cmd, const char *name,
                          const struct ref_imap_arg *args, size_t argc,
                          bool uid)
{
    const char *tag = cmd->tag;

    if (strcmp(name, "FETCH") == 0)
        imap_fetch(c, im, tag, args, argc, uid);
    else if (strcmp(name, "STORE") == 0)
        imap_store(c, im, tag, args, argc, uid);
    else if (strcmp(name, "SEARCH") == 0)
        imap_search(c, im, tag, args, argc, uid);
    else if (strcmp(name, "COPY") == 0)
        imap_copy(c, im, tag, args, argc, uid);
    else if (strcmp(name, "EXPUNGE") == 0) {
        if (im->readonly)
            ref_conn_printf(c, "%s NO Mailbox is read-only\r\n", tag);
        else if (uid && (argc != 1 || args[0].type != REF_IMAP_ATOM ||
                         !imap_set_valid(args[0].str, args[0].len)))
            ref_conn_printf(c, "%s BAD UID EXPUNGE needs a UID set\r\n", tag);
        else {
            imap_expunge(c, im, uid ? args[0].str : NULL, uid ? args[0].len : 0,
                         false);
            ref_conn_printf(c, "%s OK Expunge completed\r\n", tag);
        }
    } else
        return (false);
    return (true);
}

/* imap_dispatch - run one parsed command */

static void imap_dispatch(struct ref_conn *c, struct imap *im,
                          struct ref_imap_cmd *cmd)
{
    const struct ref_imap_arg *a = cmd->args;
    const char *n = cmd->name, *tag = cmd->tag;
    char user[PK_ADDR_MAX + 1], pass[PK_PASSWORD_MAX + 1], sub[16];

    if (strcmp(n, "CAPABILITY") == 0) {
        ref_conn_printf(c, "* CAPABILITY ");
        imap_capability(c, im);
        ref_conn_printf(c, "\r\n%s OK Capability completed\r\n", tag);
    } else if (strcmp(n, "NOOP") == 0 ||
               (strcmp(n, "CHECK") == 0 && im->state == IMAP_SELECTED)) {
        imap_sync(c, im, true);
        ref_conn_printf(c, "%s OK %s completed\r\n", tag, n);
    } else if (strcmp(n, "LOGOUT") == 0) {
        ref_conn_printf(c, "* BYE Logging out\r\n%s OK Logout completed\r\n",
                        tag);
        ref_conn_close(c);
    } else if (im->state == IMAP_NOTAUTH) {
        if (strcmp(n, "STARTTLS") == 0) {
            if (ref_conn_secure(c))
                ref_conn_printf(c, "%s BAD TLS is already active\r\n", tag);
            else {
                ref_conn_printf(c, "%s OK Begin TLS negotiation now\r\n", tag);
                ref_conn_starttls(c);
            }
        } else if (strcmp(n, "LOGIN") == 0 || strcmp(n, "AUTHENTICATE") == 0) {
            if (!ref_conn_may_login(c))
                ref_conn_printf(
                    c,
                    "%s NO [PRIVACYREQUIRED] Plaintext authentication "
                    "disallowed on non-secure connections\r\n",
                    tag);
            else if (n[0] == 'L') {
                if (cmd->argc != 2 ||
                    !ref_imap_cstr(&a[0], user, sizeof(user)) ||
                    !ref_imap_cstr(&a[1], pass, sizeof(pass)))
                    ref_conn_printf(
                        c, "%s BAD LOGIN needs a user name and a password\r\n",
                        tag);
                else
                    imap_login(c, im, tag, user, pass);
                pk_wipe(pass, sizeof(pass));
            } else if (cmd->argc < 1 || cmd->argc > 2 ||
                       !ref_imap_is(&a[0], "PLAIN"))
                ref_conn_printf(
                    c, "%s NO Unsupported authentication mechanism\r\n", tag);
            else if (cmd->argc == 2 && a[1].type == REF_IMAP_ATOM)
                imap_plain(c, im, tag,
                           a[1].len == 1 && a[1].str[0] == '=' ? "" : a[1].str,
                           a[1].len == 1 && a[1].str[0] == '=' ? 0 : a[1].len);
            else if (cmd->argc == 2)
                ref_conn_printf(c, "%s BAD Bad initial response\r\n", tag);
            else {
                im->auth_pending = true;
                snprintf(im->pending_tag, sizeof(im->pending_tag), "%s", tag);
                ref_conn_printf(c, "+ \r\n");
            }
        } else
            ref_conn_printf(
                c, "%s BAD Command unknown or not allowed before login\r\n",
                tag);
    } else if (strcmp(n, "STARTTLS") == 0 || strcmp(n, "LOGIN") == 0 ||
               strcmp(n, "AUTHENTICATE") == 0) {
        ref_conn_printf(c, "%s BAD Already logged in\r\n", tag);
    } else if (strcmp(n, "SELECT") == 0 || strcmp(n, "EXAMINE") == 0) {
        imap_select(c, im, tag, a, cmd->argc, n[0] == 'E');
    } else if (strcmp(n, "IDLE") == 0) {
        im->idling = true;
        snprintf(im->pending_tag, sizeof(im->pending_tag), "%s", tag);
        /* RFC 2177: a client re-issues IDLE at least every 29 minutes. */
        c->idle_deadline = ref_now_ms() + IDLE_TIMEOUT_MS;
        ref_conn_printf(c, "+ idling\r\n");
    } else if (imap_box_command(c, im, tag, n, a, cmd->argc)) {
        /* handled */
    } else if (im->state != IMAP_SELECTED) {
        ref_conn_printf(c, "%s BAD Command unknown or no mailbox selected\r\n",
                        tag);
    } else if (strcmp(n, "CLOSE") == 0) {
        if (!im->readonly)
            imap_expunge(c, im, NULL, 0, true);
        ref_maildir_msgs_free(&im->folder);
        im->state = IMAP_AUTH;
        ref_conn_printf(c, "%s OK Close completed\r\n", tag);
    } else if (strcmp(n, "UID") == 0 && cmd->argc >= 1 &&
               a[0].type == REF_IMAP_ATOM &&
               ref_imap_cstr(&a[0], sub, sizeof(sub))) {
        for (char *p = sub; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        if (!imap_selected(c, im, cmd, sub, a + 1, cmd->argc - 1, true))
            ref_conn_printf(c, "%s BAD Unknown UID command\r\n", tag);
    } else if (!imap_selected(c, im, cmd, n, a, cmd->argc, false)) {
        ref_conn_printf(c, "%s BAD Command unknown\r\n", tag);
    }
}

/* imap_execute - parse and run the assembled command */

static void imap_execute(struct ref_conn *c, struct imap *im)
{
    struct ref_imap_cmd *cmd;
    const char *error = NULL;
    char tag[REF_IMAP_TAG_MAX + 1];
    size_t n;

    if ((cmd = malloc(sizeof(*cmd))) == NULL) {
        ref_conn_printf(c, "* BYE Out of memory\r\n");
        ref_conn_close(c);
        return;
    }
    if (ref_imap_parse(im->cmd, im->cmd_len, cmd, &error) < 0) {
        for (n = 0;
             n < im->cmd_len && n < REF_IMAP_TAG_MAX && im->cmd[n] > ' ' &&
             im->cmd[n] < 0x7f && !strchr("(){\"%*+]", im->cmd[n]);
             n++)
            tag[n] = im->cmd[n];
        tag[n] = 0;
        ref_conn_printf(
            c, "%s BAD Error in IMAP command: %s\r\n",
            n > 0 && n < im->cmd_len && im->cmd[n] == ' ' ? tag : "*", error);
    } else {
        imap_dispatch(c, im, cmd);
        if (im->state == IMAP_SELECTED && !im->idling &&
            strcmp(cmd->name, "FETCH") && strcmp(cmd->name, "STORE") &&
            strcmp(cmd->name, "SEARCH") && strcmp(cmd->name, "UID"))
            imap_sync(c, im, true);
    }
    pk_wipe(im->cmd, im->cmd_len);
    im->cmd_len = 0;
    im->literals = 0;
    free(cmd);
}

/* imap_append_cmd - add bytes to the command being assembled */

static bool imap_append_cmd(struct ref_conn *c, struct imap *im, const char *p,
                            size_t n)
{
    size_t limit = c->srv->cfg.max_literal + 65536, cap;
    char *q;

    if (im->cmd_len + n > limit)
        return (false);
    if (im->cmd_len + n + 1 > im->cmd_cap) {
        for (cap = im->cmd_cap ? im->cmd_cap : 1024; cap < im->cmd_len + n + 1;)
            cap *= 2;
        if ((q = realloc(im->cmd, cap)) == NULL)
            return (false);
        im->cmd = q;
        im->cmd_cap = cap;
    }
    memcpy(im->cmd + im->cmd_len, p, n);
    im->cmd_len += n;
    return (true);
}

/* imap_line - one line: IDLE's DONE, a SASL response, or command text */

static void imap_line(struct ref_conn *c, struct imap *im, char *line,
                      size_t len)
{
    uint64_t size;
    bool nonsync = false;
    int r;

    if (im->idling) {
        im->idling = false;
        if (len == 4 && strncasecmp(line, "DONE", 4) == 0)
            ref_conn_printf(c, "%s OK Idle completed\r\n", im->pending_tag);
        else
            ref_conn_printf(c, "%s BAD Expected DONE\r\n", im->pending_tag);
        return;
    }
    if (im->auth_pending) {
        im->auth_pending = false;
        imap_plain(c, im, im->pending_tag, line, len);
        return;
    }
    if (!imap_append_cmd(c, im, line, len)) {
        ref_conn_printf(c, "* BYE Command too long\r\n");
        ref_conn_close(c);
        return;
    }
    r = ref_imap_literal(line, len, &size, &nonsync);
    if (r == 0) {
        imap_execute(c, im);
        return;
    }
    if (r < 0 || size > c->srv->cfg.max_literal ||
        ++im->literals > LITERALS_MAX || !imap_append_cmd(c, im, "\r\n", 2) ||
        im->cmd_len + size > c->srv->cfg.max_literal + 65536) {
        if (nonsync || r < 0) {
            ref_conn_printf(c, "* BYE [TOOBIG] Literal too big\r\n");
            ref_conn_close(c);
        } else {
            /* The client waits for "+": it will not send the literal. */
            im->cmd[strcspn(im->cmd, " ")] = 0;
            ref_conn_printf(c, "%s NO [TOOBIG] Literal too big\r\n", im->cmd);
        }
        im->cmd_len = 0;
        im->literals = 0;
        return;
    }
    im->lit_left = size;
    if (!nonsync)
        ref_conn_printf(c, "+ Ready for literal data\r\n");
}

static void imap_input(struct ref_conn *c)
{
    struct imap *im = c->proto_data;
    char line[LINE_MAX_IMAP];
    size_t len, used, n;
    int r;

    while (!c->closing && !c->starttls_pending &&
           c->pause_until <= ref_now_ms() && c->out_len < REF_OUT_HIGH) {
        if (im->lit_left > 0) {
            if (c->in_len == 0)
                return;
            n = im->lit_left < c->in_len ? im->lit_left : c->in_len;
            if (!imap_append_cmd(c, im, c->in, n)) {
                ref_conn_printf(c, "* BYE Out of memory\r\n");
                ref_conn_close(c);
                return;
            }
            ref_conn_consume(c, n);
            im->lit_left -= n;
            continue;
        }
        r = ref_line_get(c->in, c->in_len, sizeof(line), &len, &used);
        if (r == REF_LINE_MORE)
            return;
        if (r != REF_LINE_OK) {
            ref_conn_printf(c, "* BYE %s\r\n",
                            r == REF_LINE_LONG
                                ? "Line too long"
                                : "Bare CR, LF or NUL in command");
            ref_conn_close(c);
            return;
        }
        memcpy(line, c->in, len);
        line[len] = 0;
        ref_conn_consume(c, used);
        imap_line(c, im, line, len);
        pk_wipe(line, len);
    }
}

/* imap_tick - IDLE: announce new and expunged mail */

static void imap_tick(struct ref_conn *c)
{
    struct imap *im = c->proto_data;

    if (im && im->idling)
        imap_sync(c, im, true);
}

const struct ref_proto ref_imap_proto = {
    .start = imap_start,
    .input = imap_input,
    .tls_ready = imap_tls_ready,
    .tick = imap_tick,
    .free = imap_free,
};
