/*++
/* NAME
/*	pwtool 1
/* SUMMARY
/*	test-only front end to common/password.c
/* SYNOPSIS
/*	pwtool hash <password
/*
/*	pwtool verify HASH <password
/* DESCRIPTION
/*	This program is test infrastructure, built as a check program and
/*	never installed. It lets tests/integration/t-password-doveadm.sh
/*	compare the core's password code with Dovecot's doveadm without
/*	the postkontor command.
/*
/*	The password is read from standard input, never from argv; one
/*	trailing newline is removed.
/*
/*	"pwtool hash" prints a new {ARGON2ID} hash from pk_password_hash().
/*
/*	"pwtool verify HASH" runs pk_password_verify().
/* DIAGNOSTICS
/*	Exit status 0 on success or match, 1 on mismatch, 2 on any error,
/*	with one line on standard error.
/* SECURITY
/*	The buffer that held the password is wiped before exit.
/*--*/

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "password.h"

#define PWTOOL_OK 0
#define PWTOOL_MISMATCH 1
#define PWTOOL_ERROR 2

/* pwtool_read - the password from stdin, without one trailing newline */

static int pwtool_read(char *buf, size_t size)
{
    size_t len = 0;
    ssize_t n;

    /* read(2), not stdio: no copy of the password in a FILE buffer. */
    while (len < size - 1 && (n = read(0, buf + len, size - 1 - len)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "pwtool: cannot read the password: %m\n");
            return -1;
        }
        len += (size_t)n;
    }
    if (len == size - 1) {
        fprintf(stderr, "pwtool: password is too long\n");
        return -1;
    }
    buf[len] = 0;
    if (memchr(buf, 0, len) != NULL) {
        fprintf(stderr, "pwtool: password contains a NUL byte\n");
        return -1;
    }
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = 0;
    return 0;
}

/* pwtool_hash - print a new hash of the password */

static int pwtool_hash(const char *plain)
{
    char hash[PK_HASH_MAX + 1];
    const char *error;

    if (pk_password_hash(plain, hash, &error) != PK_OK) {
        fprintf(stderr, "pwtool: %s\n", error);
        return PWTOOL_ERROR;
    }
    printf("%s\n", hash);
    return fflush(stdout) == 0 ? PWTOOL_OK : PWTOOL_ERROR;
}

/* pwtool_verify - does the password match the hash? */

static int pwtool_verify(const char *plain, const char *stored)
{
    const char *error;

    switch (pk_password_verify(plain, stored, &error)) {
    case PK_OK:
        return PWTOOL_OK;
    case PK_NOTFOUND:
        return PWTOOL_MISMATCH;
    default:
        fprintf(stderr, "pwtool: %s\n", error);
        return PWTOOL_ERROR;
    }
}

int main(int argc, char **argv)
{
    /* The longest password, a newline, a NUL; filling it means too long. */
    char plain[PK_PASSWORD_MAX + 3];
    int status;

    if (!((argc == 2 && strcmp(argv[1], "hash") == 0) ||
          (argc == 3 && strcmp(argv[1], "verify") == 0))) {
        fprintf(stderr, "usage: pwtool hash | pwtool verify HASH "
                        "(password on stdin)\n");
        return PWTOOL_ERROR;
    }
    if (pwtool_read(plain, sizeof(plain)) < 0)
        status = PWTOOL_ERROR;
    else if (argc == 2)
        status = pwtool_hash(plain);
    else
        status = pwtool_verify(plain, argv[2]);
    pk_wipe(plain, sizeof(plain));
    return status;
}
