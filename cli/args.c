/*++
/* NAME
/*	args 3
/* SUMMARY
/*	command-line arguments: options, counts, sizes, numbers
/* SYNOPSIS
/*	#include "cli.h"
/*
/*	int	cli_args(struct cli *cli, int *argc, char ***argv,
/*			const struct cli_opt *opts, int min, int max)
/*
/*	int	cli_parse_size(const char *text, uint64_t *bytes_r,
/*			const char **error_r)
/*
/*	const char *cli_format_size(uint64_t bytes, char *buf, size_t len)
/* DESCRIPTION
/*	cli_args() separates a command's own options from its positional
/*	arguments, which it moves to the front of argv (and *argc counts);
/*	an option the command does not know is a usage error, and so is a
/*	positional count outside min..max (max -1: no limit). "--opt value"
/*	and "--opt=value" both work; after "--" everything is positional.
/*
/*	cli_parse_size() reads a size in bytes: a decimal number with an
/*	optional binary unit K, M, G or T (1K = 1024), or "unlimited"
/*	(0). Overflow and trailing garbage are errors.
/*
/*	cli_format_size() and cli_format_time() make the human forms of
/*	sizes and timestamps; cli_domain_display() shows an A-label with
/*	its U-label when they differ.
/* DIAGNOSTICS
/*	cli_args() prints a usage error and return
/*	CLI_EXIT_USAGE; the parsers return PK_EINVAL with *error_r set.
/*--*/

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "cli.h"

/* cli_find_opt - the option an argument names, with its inline value */

static const struct cli_opt *
cli_find_opt(const struct cli_opt *opts, const char *arg, const char **inline_r)
{
    size_t len;

    *inline_r = NULL;
    for (; opts != NULL && opts->name != NULL; opts++) {
        len = strlen(opts->name);
        if (strncmp(arg, opts->name, len) != 0)
            continue;
        if (arg[len] == '\0')
            return opts;
        if (arg[len] == '=' && opts->value != NULL) {
            *inline_r = arg + len + 1;
            return opts;
        }
    }
    return NULL;
}

/* cli_args - take the command's options; check the positional count */

int cli_args(struct cli *cli, int *argc, char ***argv,
             const struct cli_opt *opts, int min, int max)
{
    const struct cli_opt *opt;
    const char *value;
    char **args = *argv;
    int npos = 0;
    int n;

    for (n = 0; n < *argc; n++) {
        if (strcmp(args[n], "--") == 0) {
            while (++n < *argc)
                args[npos++] = args[n];
            break;
        }
        if (strncmp(args[n], "--", 2) != 0) {
            args[npos++] = args[n];
            continue;
        }
        if ((opt = cli_find_opt(opts, args[n], &value)) == NULL)
            return cli_usage(cli, "'%s' does not take the option %s",
                             cli->cmd->name, args[n]);
        if (opt->value == NULL) {
            *opt->flag = true;
            continue;
        }
        if (value == NULL && n + 1 >= *argc)
            return cli_usage(cli, "%s needs a value", opt->name);
        *opt->value = value != NULL ? value : args[++n];
    }
    *argc = npos;
    if (npos < min || (max >= 0 && npos > max))
        return cli_usage(cli, "usage: postkontor %s %s", cli->cmd->name,
                         cli->cmd->usage);
    return CLI_EXIT_OK;
}

/* cli_parse_u64 - a plain decimal number */

int cli_parse_u64(const char *text, uint64_t *value_r, const char **error_r)
{
    unsigned long long value;
    char *end;

    if (*text < '0' || *text > '9') {
        *error_r = pk_error("'%s' is not a number", text);
        return PK_EINVAL;
    }
    errno = 0;
    value = strtoull(text, &end, 10);
    if (errno == ERANGE || value > UINT64_MAX) {
        *error_r = pk_error("'%s' is too large", text);
        return PK_EINVAL;
    }
    if (*end != '\0') {
        *error_r = pk_error("'%s' is not a number", text);
        return PK_EINVAL;
    }
    *value_r = value;
    return PK_OK;
}

/* cli_parse_size - bytes, with an optional binary unit */

int cli_parse_size(const char *text, uint64_t *bytes_r, const char **error_r)
{
    static const char units[] = "KMGT";
    const char *unit;
    char digits[32];
    uint64_t value;
    size_t len = strlen(text);
    unsigned shift = 0;

    if (strcasecmp(text, "unlimited") == 0) {
        *bytes_r = 0;
        return PK_OK;
    }
    if (len > 0 && isalpha((unsigned char)text[len - 1]) &&
        (unit = strchr(units, toupper((unsigned char)text[len - 1]))) != NULL) {
        shift = 10 * (unsigned)(unit - units + 1);
        len--;
    }
    if (len == 0 || strspn(text, "0123456789") < len) {
        *error_r = pk_error("'%s' is not a size (examples: 2G, 500M, "
                            "1024K, 123, unlimited)",
                            text);
        return PK_EINVAL;
    }
    value = UINT64_MAX;
    if (len < sizeof(digits)) {
        memcpy(digits, text, len);
        digits[len] = '\0';
        if (cli_parse_u64(digits, &value, error_r) != PK_OK)
            value = UINT64_MAX;
    }
    /* UINT64_MAX itself means "the domain default" in a record. */
    if (shift > 0 && value > (UINT64_MAX >> shift))
        value = UINT64_MAX;
    else
        value <<= shift;
    if (value == UINT64_MAX) {
        *error_r = pk_error("size '%s' is too large", text);
        return PK_EINVAL;
    }
    *bytes_r = value;
    return PK_OK;
}

/* cli_format_size - "2G", "500M", "1536K", "123" or "unlimited" */

const char *cli_format_size(uint64_t bytes, char *buf, size_t len)
{
    static const char units[] = "TGMK";
    unsigned n;

    if (bytes == 0) {
        snprintf(buf, len, "unlimited");
        return buf;
    }
    for (n = 0; n < 4; n++) {
        unsigned shift = 10 * (4 - n);

        if ((bytes & ((UINT64_C(1) << shift) - 1)) == 0) {
            snprintf(buf, len, "%" PRIu64 "%c", bytes >> shift, units[n]);
            return buf;
        }
    }
    snprintf(buf, len, "%" PRIu64, bytes);
    return buf;
}

/* cli_format_time - seconds since the epoch as ISO 8601 UTC */

const char *cli_format_time(uint64_t secs, char *buf, size_t len)
{
    time_t when = (time_t)secs;
    struct tm tm;

    if (secs == 0 || gmtime_r(&when, &tm) == NULL)
        snprintf(buf, len, "-");
    else
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* cli_domain_display - "A-label", or "A-label (U-label)" for IDNA */

const char *cli_domain_display(const char *domain, char *buf, size_t len)
{
    char ulabel[CLI_DOMAIN_BUF];

    pk_addr_domain_unicode(domain, ulabel, sizeof(ulabel));
    if (*ulabel != '\0' && strcmp(ulabel, domain) != 0)
        snprintf(buf, len, "%s (%s)", domain, ulabel);
    else
        snprintf(buf, len, "%s", domain);
    return buf;
}
