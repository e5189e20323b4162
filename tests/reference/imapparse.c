/*++
/* NAME
/*	imapparse 3
/* SUMMARY
/*	IMAP4rev1 command parser of the reference server
/* DESCRIPTION
/*	See imapparse.h. A list's elements are parsed into a scratch
/*	array on the stack of the recursion and then copied into the
/*	command's pool in one piece, so that a list's elements are
/*	adjacent; the pool bounds the total, the depth bounds the stack.
/*--*/

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "imapparse.h"

struct parser {
    char *p;
    char *end;
    struct ref_imap_cmd *cmd;
    const char *error;
};

#define LIST_SCRATCH 128

static int parse_list(struct parser *, struct ref_imap_arg *, int, char);

/* atom_char - RFC 3501 ATOM-CHAR, plus "]" handled by the caller */

static bool atom_char(unsigned char ch)
{
    return (ch > ' ' && ch < 0x7f && ch != '(' && ch != ')' && ch != '{' &&
            ch != '"' && ch != ']');
}

/* parse_atom - an atom, with a bracketed section and partial if any */

static int parse_atom(struct parser *ps, struct ref_imap_arg *arg)
{
    char *start = ps->p;
    int depth = 0;

    while (ps->p < ps->end) {
        unsigned char ch = *ps->p;

        if (ch == '[') {
            depth++;
        } else if (ch == ']') {
            if (depth-- == 0)
                break;
        } else if (depth > 0) {
            if (ch < ' ' || ch >= 0x7f || ch == '{' || ch == '"')
                break;
        } else if (ch == '<' && ps->p > start && ps->p[-1] == ']') {
            /* partial "<n.m>" after a section */
            while (ps->p < ps->end && *ps->p != '>')
                ps->p++;
            if (ps->p == ps->end) {
                ps->error = "unterminated partial";
                return (-1);
            }
        } else if (!atom_char(ch)) {
            break;
        }
        ps->p++;
    }
    if (depth != 0 || ps->p == start) {
        ps->error = depth ? "unbalanced brackets" : "bad atom";
        return (-1);
    }
    arg->str = start;
    arg->len = ps->p - start;
    arg->type = (arg->len == 3 && strncasecmp(start, "NIL", 3) == 0)
                    ? REF_IMAP_NIL
                    : REF_IMAP_ATOM;
    return (0);
}

/* parse_quoted - a quoted string, unescaped in place */

static int parse_quoted(struct parser *ps, struct ref_imap_arg *arg)
{
    char *out = ++ps->p;

    arg->type = REF_IMAP_STRING;
    arg->str = out;
    while (ps->p < ps->end && *ps->p != '"') {
        if (*ps->p == '\\') {
            if (++ps->p == ps->end || (*ps->p != '\\' && *ps->p != '"')) {
                ps->error = "bad escape in quoted string";
                return (-1);
            }
        }
        if (*ps->p == '\0' || *ps->p == '\r' || *ps->p == '\n') {
            ps->error = "NUL, CR or LF in quoted string";
            return (-1);
        }
        *out++ = *ps->p++;
    }
    if (ps->p == ps->end) {
        ps->error = "unterminated quoted string";
        return (-1);
    }
    ps->p++;
    arg->len = out - arg->str;
    return (0);
}

/* parse_literal - "{N}" or "{N+}", CRLF, N bytes */

static int parse_literal(struct parser *ps, struct ref_imap_arg *arg)
{
    uint64_t n = 0;
    char *p = ps->p + 1;

    if (p >= ps->end || !isdigit((unsigned char)*p)) {
        ps->error = "bad literal";
        return (-1);
    }
    while (p < ps->end && isdigit((unsigned char)*p)) {
        if (n > (UINT64_MAX - 9) / 10) {
            ps->error = "literal size out of range";
            return (-1);
        }
        n = n * 10 + (*p++ - '0');
    }
    if (p < ps->end && *p == '+')
        p++;
    if (ps->end - p < 3 || p[0] != '}' || p[1] != '\r' || p[2] != '\n' ||
        n > (uint64_t)(ps->end - (p + 3))) {
        ps->error = "bad or truncated literal";
        return (-1);
    }
    arg->type = REF_IMAP_STRING;
    arg->str = p + 3;
    arg->len = n;
    ps->p = p + 3 + n;
    return (0);
}

/* parse_one - one argument of any kind */

static int parse_one(struct parser *ps, struct ref_imap_arg *arg, int depth)
{
    memset(arg, 0, sizeof(*arg));
    switch (*ps->p) {
    case '"':
        return (parse_quoted(ps, arg));
    case '{':
        return (parse_literal(ps, arg));
    case '(':
        return (parse_list(ps, arg, depth + 1, ')'));
    default:
        return (parse_atom(ps, arg));
    }
}

/* parse_list - elements up to the closing character */

static int parse_list(struct parser *ps, struct ref_imap_arg *arg, int depth,
                      char close)
{
    struct ref_imap_arg scratch[LIST_SCRATCH];
    struct ref_imap_cmd *cmd = ps->cmd;
    size_t n = 0;

    if (depth > REF_IMAP_DEPTH_MAX) {
        ps->error = "lists nested too deeply";
        return (-1);
    }
    if (close)
        ps->p++;
    while (ps->p < ps->end && *ps->p != close) {
        if (n > 0 || !close) {
            if (n > 0 && *ps->p != ' ') {
                ps->error = "missing space between arguments";
                return (-1);
            }
            if (*ps->p == ' ')
                ps->p++;
            if (ps->p == ps->end)
                break;
        }
        if (n == LIST_SCRATCH) {
            ps->error = "list too long";
            return (-1);
        }
        if (parse_one(ps, &scratch[n], depth) < 0)
            return (-1);
        n++;
    }
    if (close) {
        if (ps->p == ps->end) {
            ps->error = "unbalanced parentheses";
            return (-1);
        }
        ps->p++;
    }
    if (cmd->used + n > REF_IMAP_ARGS_MAX) {
        ps->error = "too many arguments";
        return (-1);
    }
    arg->type = REF_IMAP_LIST;
    arg->list = cmd->pool + cmd->used;
    arg->count = n;
    memcpy(arg->list, scratch, n * sizeof(*scratch));
    cmd->used += n;
    return (0);
}

/* ref_imap_parse - tag, command, arguments */

int ref_imap_parse(char *buf, size_t len, struct ref_imap_cmd *cmd,
                   const char **error_r)
{
    struct parser ps = {.p = buf, .end = buf + len, .cmd = cmd};
    struct ref_imap_arg top;
    size_t n;
    char *sp;

    cmd->tag[0] = cmd->name[0] = 0;
    cmd->used = 0;
    cmd->argc = 0;
    cmd->args = NULL;
    for (n = 0; n < len && n <= REF_IMAP_TAG_MAX && atom_char(buf[n]) &&
                !strchr("*%+[\\", buf[n]);
         n++)
        ;
    if (n == 0 || n > REF_IMAP_TAG_MAX || n == len || buf[n] != ' ') {
        *error_r = "bad tag";
        return (-1);
    }
    memcpy(cmd->tag, buf, n);
    cmd->tag[n] = 0;
    ps.p = buf + n + 1;
    for (sp = ps.p; sp < ps.end && isalpha((unsigned char)*sp); sp++)
        ;
    if (sp == ps.p || sp - ps.p >= (long)sizeof(cmd->name) ||
        (sp < ps.end && *sp != ' ')) {
        *error_r = "bad command name";
        return (-1);
    }
    for (n = 0; ps.p < sp; n++)
        cmd->name[n] = toupper((unsigned char)*ps.p++);
    cmd->name[n] = 0;
    if (parse_list(&ps, &top, 0, 0) < 0) {
        *error_r = ps.error;
        return (-1);
    }
    cmd->args = top.list;
    cmd->argc = top.count;
    return (0);
}

/* ref_imap_literal - a literal announced at the end of a line */

int ref_imap_literal(const char *line, size_t len, uint64_t *size_r,
                     bool *nonsync_r)
{
    const char *p;
    uint64_t n = 0, mult = 1;

    if (len < 3 || line[len - 1] != '}')
        return (0);
    p = line + len - 2;
    *nonsync_r = (*p == '+');
    if (*nonsync_r)
        p--;
    if (p < line || !isdigit((unsigned char)*p))
        return (0);
    while (p >= line && isdigit((unsigned char)*p)) {
        if (mult > UINT64_MAX / 10 ||
            (uint64_t)(*p - '0') > (INT64_MAX - n) / mult)
            return (-1);
        n += (*p - '0') * mult;
        mult *= 10;
        p--;
    }
    if (p < line || *p != '{')
        return (0);
    *size_r = n;
    return (1);
}

/* ref_imap_cstr - an atom or string as a C string */

bool ref_imap_cstr(const struct ref_imap_arg *arg, char *buf, size_t size)
{
    if ((arg->type != REF_IMAP_ATOM && arg->type != REF_IMAP_STRING) ||
        arg->len >= size || memchr(arg->str, 0, arg->len))
        return (false);
    memcpy(buf, arg->str, arg->len);
    buf[arg->len] = 0;
    return (true);
}

/* ref_imap_is - an atom equal to a word, ignoring case */

bool ref_imap_is(const struct ref_imap_arg *arg, const char *word)
{
    return (arg->type == REF_IMAP_ATOM && arg->len == strlen(word) &&
            strncasecmp(arg->str, word, arg->len) == 0);
}
