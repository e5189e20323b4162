/*++
/* NAME
/*	cmd-clientconfig 3
/* SUMMARY
/*	postkontor clientconfig, postkontor domain set
/* SYNOPSIS
/*	postkontor clientconfig ADDRESS --format FORMAT [--lang en|sv]
/*		[--sign-cert FILE --sign-key FILE [--sign-chain FILE]]
/*	postkontor domain set DOMAIN NAME=VALUE...
/* DESCRIPTION
/*	clientconfig prints what a mail client needs to set up an account
/*	(clientconfig.h): FORMAT thunderbird (Mozilla autoconfig),
/*	autodiscover (Outlook), mobileconfig (Apple profile; with
/*	--sign-cert and --sign-key signed, DER on standard output), srv
/*	(DNS zone lines for the account's domain) or text (for a person,
/*	in English or Swedish). ADDRESS must be an account.
/*
/*	domain set stores client settings of a hosted domain (imap-host,
/*	smtp-host, imaps-port, ...); NAME= with no value restores the
/*	default. All pairs are validated and stored in one transaction.
/* DIAGNOSTICS
/*	The core's message; a signing file that cannot be read.
/*--*/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "addr.h"
#include "cli.h"
#include "clientconfig.h"

#define CC_PEM_MAX (1024 * 1024) /* a certificate, key or chain file */

/* cc_read_pem - a whole (small) text file, NUL-terminated; NULL on error */

static char *cc_read_pem(const char *path, int *rc_r)
{
    FILE *fp = fopen(path, "r");
    char *buf = NULL;
    size_t len;

    if (fp == NULL) {
        *rc_r = cli_failf("cannot read %s: %m", path);
        return NULL;
    }
    if ((buf = malloc(CC_PEM_MAX + 1)) == NULL) {
        fclose(fp);
        *rc_r = cli_failf("out of memory");
        return NULL;
    }
    len = fread(buf, 1, CC_PEM_MAX + 1, fp);
    if (ferror(fp) || len > CC_PEM_MAX || memchr(buf, 0, len) != NULL) {
        *rc_r = cli_failf("cannot read %s: %s", path,
                          ferror(fp) ? strerror(errno)
                                     : "not a PEM text file of at most 1 MiB");
        fclose(fp);
        free(buf);
        return NULL;
    }
    fclose(fp);
    buf[len] = 0;
    return buf;
}

/* cc_sign_write - sign the profile and write the DER to stdout */

static int cc_sign_write(struct cli *cli, const char *doc,
                         const char *cert_file, const char *key_file,
                         const char *chain_file)
{
    char *cert = NULL, *key = NULL, *chain = NULL;
    unsigned char *der = NULL;
    size_t der_len = 0;
    const char *error = NULL;
    int rc = CLI_EXIT_FAIL, status;

    if ((cert = cc_read_pem(cert_file, &rc)) == NULL ||
        (key = cc_read_pem(key_file, &rc)) == NULL ||
        (chain_file != NULL && (chain = cc_read_pem(chain_file, &rc)) == NULL))
        goto out;
    status = pk_clientconfig_sign(cert, key, chain, doc, strlen(doc), &der,
                                  &der_len, &error);
    if (status != PK_OK) {
        rc = cli_fail(status, error);
        goto out;
    }
    cli->raw = true;
    if (fwrite(der, 1, der_len, stdout) != der_len || fflush(stdout) != 0)
        rc = cli_failf("cannot write the profile: %m");
    else
        rc = CLI_EXIT_OK;
out:
    free(der);
    free(chain);
    free(key);
    free(cert);
    return rc;
}

/* cmd_clientconfig - postkontor clientconfig ADDRESS --format FORMAT */

int cmd_clientconfig(struct cli *cli, int argc, char **argv)
{
    const char *format = NULL, *lang_opt = NULL, *cert_file = NULL;
    const char *key_file = NULL, *chain_file = NULL, *error = NULL;
    const struct cli_opt opts[] = {
        {"--format", &format, NULL},         {"--lang", &lang_opt, NULL},
        {"--sign-cert", &cert_file, NULL},   {"--sign-key", &key_file, NULL},
        {"--sign-chain", &chain_file, NULL}, {NULL, NULL, NULL},
    };
    struct pk_clientconfig cc;
    struct pk_addr addr;
    struct pk_entry entry;
    char login[PK_ADDR_MAX + 1], *doc = NULL;
    enum pk_cc_lang lang = PK_CC_EN;
    struct pk_txn *txn;
    int status, rc;

    if ((rc = cli_args(cli, &argc, &argv, opts, 1, 1)) != 0)
        return rc;
    if (format == NULL)
        return cli_usage(
            cli, "--format thunderbird|autodiscover|mobileconfig|srv|text is "
                 "required");
    if (lang_opt != NULL && strcmp(lang_opt, "sv") == 0)
        lang = PK_CC_SV;
    else if (lang_opt != NULL && strcmp(lang_opt, "en") != 0)
        return cli_usage(cli, "--lang must be en or sv");
    if ((cert_file == NULL) != (key_file == NULL) || (chain_file && !cert_file))
        return cli_usage(cli, "signing needs both --sign-cert and --sign-key");
    if (cert_file != NULL && strcmp(format, "mobileconfig") != 0)
        return cli_usage(cli, "only --format mobileconfig can be signed");
    if ((status = pk_addr_parse(argv[0], 0, &addr, &error)) != PK_OK)
        return cli_fail(status, error);
    pk_addr_format(&addr, login);
    if ((rc = cli_read(cli, &txn)) != 0)
        return rc;
    status = pk_account_get(txn, login, &entry, &error);
    if (status == PK_OK) {
        pk_entry_free(&entry);
        status = pk_clientconfig_get(txn, addr.domain, &cc, &error);
    } else if (status == PK_NOTFOUND) {
        error = pk_error("%s is not an account", login);
    }
    pk_txn_end(&txn);
    if (status != PK_OK)
        return cli_fail(status, error);

    if (strcmp(format, "thunderbird") == 0)
        status = pk_clientconfig_thunderbird(&cc, login, &doc, &error);
    else if (strcmp(format, "autodiscover") == 0)
        status = pk_clientconfig_autodiscover(&cc, login, &doc, &error);
    else if (strcmp(format, "mobileconfig") == 0)
        status = pk_clientconfig_mobileconfig(&cc, login, lang, &doc, &error);
    else if (strcmp(format, "srv") == 0)
        status = pk_clientconfig_srv(&cc, &doc, &error);
    else if (strcmp(format, "text") == 0)
        status = pk_clientconfig_text(&cc, login, lang, &doc, &error);
    else
        return cli_usage(cli,
                         "unknown format \"%.40s\" (thunderbird, autodiscover, "
                         "mobileconfig, srv, text)",
                         format);
    if (status != PK_OK)
        return cli_fail(status, error);
    if (cert_file != NULL)
        rc = cc_sign_write(cli, doc, cert_file, key_file, chain_file);
    else if (cli->json)
        rc = cli_done(cli,
                      json_pack("{s:s,s:s,s:s}", "address", login, "format",
                                format, "document", doc),
                      "%s", doc);
    else
        cli_printf(cli, "%s", doc);
    free(doc);
    return rc;
}

struct domain_set_op {
    const char *domain;
    int argc;
    char **argv; /* NAME=VALUE */
};

/* domain_set_fn - transaction: every pair, or none */

static int domain_set_fn(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct domain_set_op *op = ctx;
    char name[40];
    const char *eq;
    int status;

    for (int i = 0; i < op->argc; i++) {
        eq = strchr(op->argv[i], '=');
        if (eq == NULL || eq == op->argv[i] ||
            (size_t)(eq - op->argv[i]) >= sizeof(name)) {
            *error_r = pk_error("\"%.60s\" is not NAME=VALUE", op->argv[i]);
            return PK_EINVAL;
        }
        memcpy(name, op->argv[i], (size_t)(eq - op->argv[i]));
        name[eq - op->argv[i]] = 0;
        if ((status = pk_clientconfig_set(txn, op->domain, name, eq + 1,
                                          error_r)) != PK_OK)
            return status;
    }
    return PK_OK;
}

/* cmd_domain_set - postkontor domain set DOMAIN NAME=VALUE... */

int cmd_domain_set(struct cli *cli, int argc, char **argv)
{
    struct domain_set_op op;
    int rc;

    if ((rc = cli_args(cli, &argc, &argv, NULL, 2, -1)) != 0)
        return rc;
    op.domain = argv[0];
    op.argc = argc - 1;
    op.argv = argv + 1;
    if ((rc = cli_write(cli, domain_set_fn, &op)) != 0)
        return rc;
    return cli_done(cli, json_pack("{s:s}", "domain", argv[0]),
                    "client settings of %s stored", argv[0]);
}
