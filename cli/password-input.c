/*++
/* NAME
/*	password-input 3
/* SUMMARY
/*	read a new password from a no-echo prompt or standard input
/* SYNOPSIS
/*	#include "cli.h"
/*
/*	int	cli_password_read(bool from_stdin, const char *address,
/*			char *buf, size_t size, const char **error_r)
/* DESCRIPTION
/*	cli_password_read() fills buf with a NUL-terminated plaintext
/*	password. The caller validates it (pk_password_check_new()),
/*	hashes it and wipes buf with pk_wipe().
/*
/*	With from_stdin, one line is read from standard input and its
/*	final "\n" or "\r\n" removed. Otherwise standard input must be a
/*	terminal: the password is asked for twice on /dev/tty with echo
/*	off, and the two must match. A signal that ends the program while
/*	echo is off restores the terminal first.
/* DIAGNOSTICS
/*	PK_EINVAL with *error_r set: no terminal, no input, a password
/*	that is too long, or two entries that differ.
/* SECURITY
/*	The password is read with read(2) one byte at a time straight into
/*	the caller's buffer, so no stdio buffer keeps a copy; the second
/*	entry is wiped here. Nothing here prints or logs a password.
/*--*/

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "password.h"

static const int cli_tty_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

#define CLI_NSIGNALS (sizeof(cli_tty_signals) / sizeof(cli_tty_signals[0]))

static volatile sig_atomic_t cli_tty_fd = -1;
static struct termios cli_tty_saved;
static struct sigaction cli_tty_oldact[CLI_NSIGNALS];

/* cli_tty_signal - restore the terminal, then die of the signal */

static void cli_tty_signal(int sig)
{
    if (cli_tty_fd >= 0) {
        tcsetattr(cli_tty_fd, TCSAFLUSH, &cli_tty_saved);
        (void)!write(cli_tty_fd, "\n", 1);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* cli_tty_restore - echo back on, signal handlers back as they were */

static void cli_tty_restore(int fd)
{
    size_t n;

    tcsetattr(fd, TCSAFLUSH, &cli_tty_saved);
    cli_tty_fd = -1;
    for (n = 0; n < CLI_NSIGNALS; n++)
        sigaction(cli_tty_signals[n], &cli_tty_oldact[n], NULL);
}

/* cli_tty_echo_off - turn echo off; catch signals that would leave it so */

static int cli_tty_echo_off(int fd)
{
    struct termios noecho;
    struct sigaction act;
    size_t n;

    if (tcgetattr(fd, &cli_tty_saved) != 0)
        return -1;
    memset(&act, 0, sizeof(act));
    act.sa_handler = cli_tty_signal;
    sigemptyset(&act.sa_mask);
    cli_tty_fd = fd;
    for (n = 0; n < CLI_NSIGNALS; n++)
        sigaction(cli_tty_signals[n], &act, &cli_tty_oldact[n]);
    noecho = cli_tty_saved;
    noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
    if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0) {
        cli_tty_restore(fd);
        return -1;
    }
    return 0;
}

/* cli_read_line - one line from fd into buf, without its line end */

static int cli_read_line(int fd, char *buf, size_t size, const char **error_r)
{
    size_t len = 0;
    bool too_long = false;
    ssize_t got;
    char c;

    for (;;) {
        got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            *error_r = pk_error("cannot read the password: %m");
            return PK_EINVAL;
        }
        if (got == 0 || c == '\n')
            break;
        if (len + 1 < size)
            buf[len++] = c;
        else
            too_long = true;
    }
    c = 0;
    if (got == 0 && len == 0 && !too_long) {
        *error_r = pk_error("no password was given");
        return PK_EINVAL;
    }
    /* Strip "\r\n" as a whole, a final "\r" alone is a character. */
    if (got == 1 && len > 0 && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    if (too_long) {
        pk_wipe(buf, size);
        *error_r =
            pk_error("the password is longer than %d bytes", PK_PASSWORD_MAX);
        return PK_EINVAL;
    }
    return PK_OK;
}

/* cli_prompt - ask twice with echo off; both entries must match */

static int cli_prompt(int fd, const char *address, char *buf, size_t size,
                      const char **error_r)
{
    char again[PK_PASSWORD_MAX + 2];
    char prompt[PK_ADDR_MAX + 64];
    int status;

    snprintf(prompt, sizeof(prompt), "New password for %s: ", address);
    (void)!write(fd, prompt, strlen(prompt));
    status = cli_read_line(fd, buf, size, error_r);
    (void)!write(fd, "\n", 1);
    if (status != PK_OK)
        return status;
    snprintf(prompt, sizeof(prompt), "Retype new password for %s: ", address);
    (void)!write(fd, prompt, strlen(prompt));
    status = cli_read_line(fd, again, sizeof(again), error_r);
    (void)!write(fd, "\n", 1);
    if (status == PK_OK && strcmp(buf, again) != 0) {
        *error_r = pk_error("the passwords do not match; nothing was "
                            "changed");
        status = PK_EINVAL;
    }
    pk_wipe(again, sizeof(again));
    if (status != PK_OK)
        pk_wipe(buf, size);
    return status;
}

/* cli_password_read - a new password from the prompt or from stdin */

int cli_password_read(bool from_stdin, const char *address, char *buf,
                      size_t size, const char **error_r)
{
    int status;
    int fd;

    if (from_stdin)
        return cli_read_line(STDIN_FILENO, buf, size, error_r);
    if (!isatty(STDIN_FILENO)) {
        *error_r = pk_error("standard input is not a terminal; use "
                            "--password-stdin to read the password from it");
        return PK_EINVAL;
    }
    if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0) {
        *error_r = pk_error("cannot open /dev/tty: %m");
        return PK_EINVAL;
    }
    if (cli_tty_echo_off(fd) != 0) {
        *error_r = pk_error("cannot turn off echo on the terminal: %m");
        close(fd);
        return PK_EINVAL;
    }
    status = cli_prompt(fd, address, buf, size, error_r);
    cli_tty_restore(fd);
    close(fd);
    return status;
}
