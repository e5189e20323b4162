/*++
/* NAME
/*	maildir 3
/* SUMMARY
/*	Maildir and Maildir++ storage of the reference server
/* DESCRIPTION
/*	See maildir.h. The server is one process, so the uidlist needs no
/*	lock of its own; it is replaced with write, fsync and rename so a
/*	crash leaves the old or the new list, never half of one.
/* DIAGNOSTICS
/*	File system errors are PK_ETEMP with a message.
/*--*/

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "maildir.h"

#define UIDLIST "refserver-uidlist"

static unsigned store_counter;

/* ref_maildir_path - <root>/<domain>/<local>/Maildir of an address */

int ref_maildir_path(const char *root, const char *address, char *out,
                     size_t outsz)
{
    const char *at = strrchr(address, '@');
    int n;

    if (at == NULL || at == address || strchr(address, '/') != NULL ||
        at[1] == '.' || address[0] == '.')
        return (PK_EINVAL);
    n = snprintf(out, outsz, "%s/%s/%.*s/Maildir", root, at + 1,
                 (int)(at - address), address);
    return (n > 0 && (size_t)n < outsz ? PK_OK : PK_EINVAL);
}

/* mkdirs - mkdir -p with mode 0700 */

static int mkdirs(const char *path, const char **error_r)
{
    char buf[REF_PATH_MAX];
    char *p;

    snprintf(buf, sizeof(buf), "%s", path);
    for (p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
            *error_r = pk_error("mkdir %s: %s", buf, strerror(errno));
            return (PK_ETEMP);
        }
        *p = '/';
    }
    if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
        *error_r = pk_error("mkdir %s: %s", buf, strerror(errno));
        return (PK_ETEMP);
    }
    return (PK_OK);
}

/* ref_maildir_create - make a Maildir and its parents */

int ref_maildir_create(const char *dir, const char **error_r)
{
    static const char *const sub[] = {"cur", "new", "tmp"};
    char path[REF_PATH_MAX];
    int i, status;

    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
        if ((status = mkdirs(path, error_r)) != PK_OK)
            return (status);
    }
    return (PK_OK);
}

/* write_all - write a buffer completely */

static bool write_all(int fd, const char *buf, size_t len)
{
    ssize_t n;

    while (len > 0) {
        if ((n = write(fd, buf, len)) < 0) {
            if (errno == EINTR)
                continue;
            return (false);
        }
        buf += n;
        len -= n;
    }
    return (true);
}

/* fsync_dir - make a rename durable */

static bool fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok;

    if (fd < 0)
        return (false);
    ok = fsync(fd) == 0;
    close(fd);
    return (ok);
}

/* ref_maildir_store - deliver one message durably */

int ref_maildir_store(const char *dir, const char *head, size_t head_len,
                      const char *body, size_t body_len, const char *flags,
                      char *name_r, size_t name_sz, const char **error_r)
{
    char host[256], name[512], tmp[REF_PATH_MAX], dst[REF_PATH_MAX];
    struct timeval tv;
    int fd, status;
    char *p;

    if ((status = ref_maildir_create(dir, error_r)) != PK_OK)
        return (status);
    if (gethostname(host, sizeof(host)) != 0)
        strcpy(host, "localhost");
    host[sizeof(host) - 1] = 0;
    for (p = host; *p; p++)
        if (*p == '/' || *p == ':')
            *p = '_';
    gettimeofday(&tv, NULL);
    snprintf(name, sizeof(name), "%lld.M%06ldP%dQ%u.%s,S=%zu",
             (long long)tv.tv_sec, (long)tv.tv_usec, (int)getpid(),
             ++store_counter, host, head_len + body_len);
    snprintf(tmp, sizeof(tmp), "%s/tmp/%s", dir, name);
    if (flags)
        snprintf(dst, sizeof(dst), "%s/cur/%s:2,%s", dir, name, flags);
    else
        snprintf(dst, sizeof(dst), "%s/new/%s", dir, name);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error_r = pk_error("create %s: %s", tmp, strerror(errno));
        return (PK_ETEMP);
    }
    if (!write_all(fd, head, head_len) || !write_all(fd, body, body_len) ||
        fsync(fd) != 0) {
        *error_r = pk_error("write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return (PK_ETEMP);
    }
    close(fd);
    if (rename(tmp, dst) != 0) {
        *error_r = pk_error("rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return (PK_ETEMP);
    }
    snprintf(tmp, sizeof(tmp), "%s/%s", dir, flags ? "cur" : "new");
    if (!fsync_dir(tmp)) {
        *error_r = pk_error("fsync %s: %s", tmp, strerror(errno));
        return (PK_ETEMP);
    }
    if (name_r)
        snprintf(name_r, name_sz, "%s", name);
    return (PK_OK);
}

/* msg_add - append one directory entry to a folder list */

static int msg_add(struct ref_folder *f, size_t *cap, const char *dir,
                   const char *sub, const char *ent, bool in_new)
{
    char path[REF_PATH_MAX];
    struct stat st;
    struct ref_msg *m;
    const char *info;
    size_t base_len;

    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, ent);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return (PK_OK);
    if (f->count == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        if ((m = realloc(f->msgs, *cap * sizeof(*m))) == NULL)
            return (PK_ENOMEM);
        f->msgs = m;
    }
    m = &f->msgs[f->count];
    memset(m, 0, sizeof(*m));
    info = strstr(ent, ":2,");
    base_len = info ? (size_t)(info - ent) : strlen(ent);
    if ((m->name = strndup(ent, base_len)) == NULL)
        return (PK_ENOMEM);
    if (info)
        snprintf(m->flags, sizeof(m->flags), "%s", info + 3);
    m->in_new = in_new;
    m->size = st.st_size;
    m->mtime = st.st_mtime;
    f->count++;
    return (PK_OK);
}

/* scan_sub - read new/ or cur/ */

static int scan_sub(struct ref_folder *f, size_t *cap, const char *dir,
                    const char *sub, bool move_new, const char **error_r)
{
    char path[REF_PATH_MAX], from[REF_PATH_MAX], to[REF_PATH_MAX];
    struct dirent *de;
    DIR *d;
    int status = PK_OK;
    bool in_new = strcmp(sub, "new") == 0;

    snprintf(path, sizeof(path), "%s/%s", dir, sub);
    if ((d = opendir(path)) == NULL) {
        if (errno == ENOENT)
            return (PK_OK);
        *error_r = pk_error("opendir %s: %s", path, strerror(errno));
        return (PK_ETEMP);
    }
    while ((de = readdir(d)) != NULL && status == PK_OK) {
        if (de->d_name[0] == '.')
            continue;
        if (in_new && move_new) {
            snprintf(from, sizeof(from), "%s/new/%s", dir, de->d_name);
            snprintf(to, sizeof(to), "%s/cur/%s:2,", dir, de->d_name);
            if (rename(from, to) != 0)
                continue;
            snprintf(to, sizeof(to), "%s:2,", de->d_name);
            status = msg_add(f, cap, dir, "cur", to, false);
            if (status == PK_OK && f->count > 0)
                f->msgs[f->count - 1].recent = true;
        } else {
            status = msg_add(f, cap, dir, sub, de->d_name, in_new);
        }
    }
    closedir(d);
    if (status == PK_ENOMEM)
        *error_r = pk_error("out of memory");
    return (status);
}

/* by_name - sort by file name: delivery time first */

static int by_name(const void *a, const void *b)
{
    return (strcmp(((const struct ref_msg *)a)->name,
                   ((const struct ref_msg *)b)->name));
}

/* by_uid - sort by UID */

static int by_uid(const void *a, const void *b)
{
    uint32_t x = ((const struct ref_msg *)a)->uid;
    uint32_t y = ((const struct ref_msg *)b)->uid;

    return (x < y ? -1 : x > y);
}

/* find_name - a message by base name in a name-sorted list */

static struct ref_msg *find_name(struct ref_folder *f, const char *name)
{
    struct ref_msg key = {.name = (char *)name};

    if (f->count == 0)
        return (NULL);
    return (bsearch(&key, f->msgs, f->count, sizeof(key), by_name));
}

/* uidlist_sync - read, extend and write the folder's UID list */

static int uidlist_sync(const char *dir, struct ref_folder *f,
                        const char **error_r)
{
    char path[REF_PATH_MAX], tmp[REF_PATH_MAX], line[1024], name[600];
    unsigned long uid, v, next;
    struct ref_msg *m;
    bool dirty = false;
    size_t i;
    FILE *fp;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, UIDLIST);
    f->uidvalidity = 0;
    f->uidnext = 1;
    if ((fp = fopen(path, "re")) != NULL) {
        if (fgets(line, sizeof(line), fp) &&
            sscanf(line, "V%lu N%lu", &v, &next) == 2 && v > 0 &&
            v <= UINT32_MAX && next > 0 && next <= UINT32_MAX) {
            f->uidvalidity = v;
            f->uidnext = next;
            while (fgets(line, sizeof(line), fp)) {
                if (sscanf(line, "%lu %599s", &uid, name) != 2 || uid == 0 ||
                    uid >= f->uidnext)
                    continue;
                if ((m = find_name(f, name)) != NULL && m->uid == 0)
                    m->uid = uid;
            }
        }
        fclose(fp);
    }
    if (f->uidvalidity == 0) {
        f->uidvalidity = (uint32_t)time(NULL);
        dirty = true;
    }
    for (i = 0; i < f->count; i++) {
        if (f->msgs[i].uid == 0) {
            if (f->uidnext == UINT32_MAX) {
                *error_r = pk_error("%s: UIDs exhausted", path);
                return (PK_ETEMP);
            }
            f->msgs[i].uid = f->uidnext++;
            dirty = true;
        }
    }
    if (f->count > 0)
        qsort(f->msgs, f->count, sizeof(*f->msgs), by_uid);
    if (!dirty)
        return (PK_OK);
    snprintf(tmp, sizeof(tmp), "%s/tmp/%s.%d", dir, UIDLIST, (int)getpid());
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
        (fp = fdopen(fd, "w")) == NULL) {
        *error_r = pk_error("create %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return (PK_ETEMP);
    }
    fprintf(fp, "V%lu N%lu\n", (unsigned long)f->uidvalidity,
            (unsigned long)f->uidnext);
    for (i = 0; i < f->count; i++)
        fprintf(fp, "%lu %s\n", (unsigned long)f->msgs[i].uid, f->msgs[i].name);
    if (fflush(fp) != 0 || fsync(fd) != 0 || fclose(fp) != 0 ||
        rename(tmp, path) != 0) {
        *error_r = pk_error("write %s: %s", path, strerror(errno));
        unlink(tmp);
        return (PK_ETEMP);
    }
    return (PK_OK);
}

/* ref_maildir_scan - the messages of a folder */

int ref_maildir_scan(const char *dir, bool move_new, bool uids,
                     struct ref_folder *f, const char **error_r)
{
    size_t cap = 0;
    int status;

    memset(f, 0, sizeof(*f));
    if ((status = scan_sub(f, &cap, dir, "cur", false, error_r)) != PK_OK ||
        (status = scan_sub(f, &cap, dir, "new", move_new, error_r)) != PK_OK) {
        ref_maildir_msgs_free(f);
        return (status);
    }
    if (f->count > 0)
        qsort(f->msgs, f->count, sizeof(*f->msgs), by_name);
    if (uids && (status = uidlist_sync(dir, f, error_r)) != PK_OK) {
        ref_maildir_msgs_free(f);
        return (status);
    }
    return (PK_OK);
}

/* ref_maildir_msgs_free - release a folder list */

void ref_maildir_msgs_free(struct ref_folder *f)
{
    size_t i;

    for (i = 0; i < f->count; i++)
        free(f->msgs[i].name);
    free(f->msgs);
    f->msgs = NULL;
    f->count = 0;
}

/* ref_maildir_file - the path of a message now */

void ref_maildir_file(const char *dir, const struct ref_msg *m, char *out,
                      size_t outsz)
{
    if (m->in_new)
        snprintf(out, outsz, "%s/new/%s", dir, m->name);
    else
        snprintf(out, outsz, "%s/cur/%s:2,%s", dir, m->name, m->flags);
}

/* ref_maildir_set_flags - rename a message to carry new flags */

int ref_maildir_set_flags(const char *dir, struct ref_msg *m, const char *flags,
                          const char **error_r)
{
    char from[REF_PATH_MAX], to[REF_PATH_MAX];

    ref_maildir_file(dir, m, from, sizeof(from));
    snprintf(to, sizeof(to), "%s/cur/%s:2,%s", dir, m->name, flags);
    if (strcmp(from, to) != 0 && rename(from, to) != 0) {
        *error_r = pk_error("rename %s: %s", from, strerror(errno));
        return (errno == ENOENT ? PK_NOTFOUND : PK_ETEMP);
    }
    m->in_new = false;
    snprintf(m->flags, sizeof(m->flags), "%s", flags);
    return (PK_OK);
}

/* ref_maildir_read - a whole message into memory */

int ref_maildir_read(const char *path, size_t max, char **buf_r, size_t *len_r,
                     const char **error_r)
{
    struct stat st;
    ssize_t n;
    size_t got = 0;
    char *buf;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        *error_r = pk_error("open %s: %s", path, strerror(errno));
        return (errno == ENOENT ? PK_NOTFOUND : PK_ETEMP);
    }
    if (fstat(fd, &st) != 0 || (size_t)st.st_size > max ||
        (buf = malloc(st.st_size + 1)) == NULL) {
        *error_r = pk_error("%s: unreadable or too large", path);
        close(fd);
        return (PK_ETEMP);
    }
    while (got < (size_t)st.st_size &&
           (n = read(fd, buf + got, st.st_size - got)) > 0)
        got += n;
    close(fd);
    buf[got] = 0;
    *buf_r = buf;
    *len_r = got;
    return (PK_OK);
}

/* ref_maildir_crlf - network form of a message (RFC 5322 lines) */

int ref_maildir_crlf(const char *in, size_t len, char **out_r, size_t *out_len)
{
    size_t i, extra = 0, o = 0;
    char *out;

    for (i = 0; i < len; i++)
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
            extra++;
    if ((out = malloc(len + extra + 1)) == NULL)
        return (PK_ENOMEM);
    for (i = 0; i < len; i++) {
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = in[i];
    }
    out[o] = 0;
    *out_r = out;
    *out_len = o;
    return (PK_OK);
}
