/*++
/* NAME
/*	keywords 3
/* SUMMARY
/*	IMAP keywords of a Maildir folder, kept the way Dovecot keeps them
/* DESCRIPTION
/*	See keywords.h. Dovecot writes "dovecot-keywords" as one
/*	"%u %s\n" line per used index and replaces it through its dot
/*	lock file "dovecot-keywords.lock"; this file takes the same lock
/*	the same way, so the two never overwrite each other's additions.
/*--*/

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keywords.h"
#include "maildir.h"

#define KW_FILE "dovecot-keywords"
#define KW_LOCK "dovecot-keywords.lock"
#define KW_FILE_MAX 16384 /* far more than 26 names need */
#define KW_LOCK_TRIES 50  /* 10 ms apart */
#define KW_LOCK_STALE 30  /* seconds: an abandoned lock */

/* ref_keywords_valid - an atom that is not a system flag */

bool ref_keywords_valid(const char *name, size_t len)
{
    size_t i;

    if (len == 0 || len > REF_KEYWORD_MAX)
        return (false);
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];

        /* RFC 3501 9: ATOM-CHAR excludes atom-specials. */
        if (ch <= ' ' || ch >= 0x7f || strchr("(){%*\"\\]", ch) != NULL)
            return (false);
    }
    return (true);
}

/* ref_keywords_free - release the names */

void ref_keywords_free(struct ref_keywords *kw)
{
    int i;

    for (i = 0; i < REF_KEYWORDS_MAX; i++) {
        free(kw->name[i]);
        kw->name[i] = NULL;
    }
}

/* kw_parse - one "<index> <name>" line; false if unusable */

static bool kw_parse(char *line, struct ref_keywords *kw)
{
    char *sp, *end;
    unsigned long idx;

    line[strcspn(line, "\r\n")] = 0;
    if ((sp = strchr(line, ' ')) == NULL || line[0] < '0' || line[0] > '9')
        return (false);
    *sp = 0;
    idx = strtoul(line, &end, 10);
    if (*end || idx >= REF_KEYWORDS_MAX || kw->name[idx] != NULL ||
        !ref_keywords_valid(sp + 1, strlen(sp + 1)))
        return (false);
    return ((kw->name[idx] = strdup(sp + 1)) != NULL);
}

/* ref_keywords_load - read a folder's keyword file */

int ref_keywords_load(const char *dir, struct ref_keywords *kw,
                      const char **error_r)
{
    char path[REF_PATH_MAX], line[REF_KEYWORD_MAX + 16];
    size_t total = 0;
    FILE *fp;

    memset(kw, 0, sizeof(*kw));
    snprintf(path, sizeof(path), "%s/" KW_FILE, dir);
    if ((fp = fopen(path, "re")) == NULL) {
        if (errno == ENOENT)
            return (PK_OK);
        *error_r = pk_error("open %s: %s", path, strerror(errno));
        return (PK_ETEMP);
    }
    while (total < KW_FILE_MAX && fgets(line, sizeof(line), fp) != NULL) {
        size_t len = strlen(line);

        total += len;
        if (len > 0 && line[len - 1] != '\n' && !feof(fp)) {
            /* Too long for a keyword: skip the rest of the line. */
            int ch;

            while ((ch = getc(fp)) != EOF && ch != '\n')
                total++;
            continue;
        }
        (void)kw_parse(line, kw);
    }
    fclose(fp);
    return (PK_OK);
}

/* ref_keywords_name - the keyword of a Maildir letter */

const char *ref_keywords_name(const struct ref_keywords *kw, char letter)
{
    if (letter < 'a' || letter > 'z')
        return (NULL);
    return (kw->name[letter - 'a']);
}

/* ref_keywords_find - the letter of a keyword, 0 if none */

char ref_keywords_find(const struct ref_keywords *kw, const char *name,
                       size_t len)
{
    int i;

    for (i = 0; i < REF_KEYWORDS_MAX; i++)
        if (kw->name[i] && strlen(kw->name[i]) == len &&
            strncasecmp(kw->name[i], name, len) == 0)
            return ((char)('a' + i));
    return (0);
}

/* kw_lock - Dovecot's dot lock: create the lock file exclusively */

static int kw_lock(const char *lock, const char **error_r)
{
    struct stat st;
    int fd, tries, err = 0;

    for (tries = 0; tries < KW_LOCK_TRIES; tries++) {
        fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0600);
        if (fd >= 0 || (err = errno) != EEXIST)
            break;
        if (lstat(lock, &st) == 0 && st.st_mtime + KW_LOCK_STALE < time(NULL))
            (void)unlink(lock); /* its writer is gone */
        else
            (void)nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    if (fd < 0)
        *error_r = pk_error("lock %s: %s", lock,
                            err == EEXIST ? "taken" : strerror(err));
    return (fd);
}

/* kw_write - the whole list into the lock file */

static bool kw_write(int fd, const struct ref_keywords *kw)
{
    char buf[REF_KEYWORDS_MAX * (REF_KEYWORD_MAX + 8)];
    size_t len = 0, off = 0;
    ssize_t n;
    int i;

    for (i = 0; i < REF_KEYWORDS_MAX; i++)
        if (kw->name[i])
            len += snprintf(buf + len, sizeof(buf) - len, "%d %s\n", i,
                            kw->name[i]);
    while (off < len) {
        if ((n = write(fd, buf + off, len - off)) <= 0)
            return (false);
        off += (size_t)n;
    }
    return (fsync(fd) == 0);
}

/* ref_keywords_add - the letter of a keyword, added if new */

int ref_keywords_add(const char *dir, struct ref_keywords *kw, const char *name,
                     size_t len, char *letter_r, const char **error_r)
{
    char lock[REF_PATH_MAX], path[REF_PATH_MAX];
    struct ref_keywords now;
    int fd, i, status;

    if ((*letter_r = ref_keywords_find(kw, name, len)) != 0)
        return (PK_OK);
    if (!ref_keywords_valid(name, len)) {
        *error_r = "not a keyword";
        return (PK_EINVAL);
    }
    snprintf(lock, sizeof(lock), "%s/" KW_LOCK, dir);
    snprintf(path, sizeof(path), "%s/" KW_FILE, dir);
    if ((fd = kw_lock(lock, error_r)) < 0)
        return (PK_ETEMP);
    /* Under the lock: another writer may have added it, or others. */
    if ((status = ref_keywords_load(dir, &now, error_r)) != PK_OK) {
        close(fd);
        (void)unlink(lock);
        return (status);
    }
    ref_keywords_free(kw);
    *kw = now;
    if ((*letter_r = ref_keywords_find(kw, name, len)) != 0) {
        close(fd);
        (void)unlink(lock);
        return (PK_OK);
    }
    for (i = 0; i < REF_KEYWORDS_MAX && kw->name[i]; i++)
        ;
    if (i == REF_KEYWORDS_MAX) {
        close(fd);
        (void)unlink(lock);
        *error_r = "all 26 keyword letters are used";
        return (PK_ELIMIT);
    }
    if ((kw->name[i] = strndup(name, len)) == NULL) {
        close(fd);
        (void)unlink(lock);
        return (PK_ENOMEM);
    }
    status = kw_write(fd, kw) ? PK_OK : PK_ETEMP;
    if (close(fd) != 0 || (status == PK_OK && rename(lock, path) != 0))
        status = PK_ETEMP;
    if (status != PK_OK) {
        *error_r = pk_error("write %s: %s", path, strerror(errno));
        (void)unlink(lock);
        free(kw->name[i]);
        kw->name[i] = NULL;
        return (PK_ETEMP);
    }
    *letter_r = (char)('a' + i);
    return (PK_OK);
}
