/*++
/* NAME
/*	postkontor 8
/* SUMMARY
/*	mail account database administration
/* SYNOPSIS
/*	postkontor [--db DIR] [--json] COMMAND [ARGUMENTS]
/*
/*	postkontor --ldap URI[,URI...] --ldap-base DN --ldap-bind-dn DN
/*		--ldap-password-file FILE [--wait[=SECONDS]] COMMAND ...
/*
/*	postkontor --help | --version
/* DESCRIPTION
/*	The control panel of a postkontor mail host on the command line.
/*	This file holds main(): it takes the global options (before or
/*	after the command), finds the command in the dispatch table and
/*	runs its handler. The handlers live in cmd-*.c, one file per
/*	command group; doc/postkontor.8 describes every command.
/*
/*	The database directory is the --db option, else $POSTKONTOR_DB,
/*	else /var/lib/postkontor (pk_store_dir()).
/*
/*	Cluster mode: with --ldap (or $POSTKONTOR_LDAP) every change goes
/*	to the OpenLDAP cluster instead of the local database, which is
/*	then a copy kept by postkontor-sync (see ldapwrite.c); the other
/*	--ldap-* options have the environment variables
/*	POSTKONTOR_LDAP_BASE, POSTKONTOR_LDAP_BIND_DN and
/*	POSTKONTOR_LDAP_PASSWORD_FILE. Reads always use the local copy.
/* DIAGNOSTICS
/*	Exit status 0 on success, 1 when the command failed, 2 for a usage
/*	error; a failure prints exactly one line "postkontor: ..." on
/*	stderr and nothing on stdout.
/* SECURITY
/*	Passwords are never taken from the command line (see
/*	password-input.c). Every change is logged with the invoking user,
/*	and the sudo user behind it, as the actor.
/*--*/

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* cmd-dkim.c */

/* cmd-ratelimit.c */

static const struct cli_command cli_commands[] = {
    {"init", cmd_init, ""},
    {"domain add", cmd_domain_add, "DOMAIN"},
    {"domain del", cmd_domain_del, "DOMAIN"},
    {"domain alias", cmd_domain_alias, "ALIAS-DOMAIN TARGET-DOMAIN"},
    {"domain quota", cmd_domain_quota, "DOMAIN SIZE|unlimited"},
    {"domain set", cmd_domain_set, "DOMAIN NAME=VALUE..."},
    {"account add", cmd_account_add,
     "ADDRESS [--password-stdin] [--quota SIZE]"},
    {"account passwd", cmd_account_passwd, "ADDRESS [--password-stdin]"},
    {"account suspend", cmd_account_state, "ADDRESS"},
    {"account resume", cmd_account_state, "ADDRESS"},
    {"account disable", cmd_account_state, "ADDRESS"},
    {"account send-block", cmd_account_state, "ADDRESS"},
    {"account receive-block", cmd_account_state, "ADDRESS"},
    {"account quota", cmd_account_quota, "ADDRESS SIZE|default|unlimited"},
    {"account forward", cmd_account_forward,
     "ADDRESS DEST... [--keep-copy] | ADDRESS --off"},
    {"account del", cmd_account_del, "ADDRESS"},
    {"account show", cmd_account_show, "ADDRESS"},
    {"alias add", cmd_alias_add, "ADDRESS DEST..."},
    {"alias remove", cmd_alias_remove, "ADDRESS DEST..."},
    {"alias del", cmd_alias_del, "ADDRESS"},
    {"sendas grant", cmd_sendas_grant, "LOGIN ADDRESS"},
    {"sendas revoke", cmd_sendas_revoke, "LOGIN ADDRESS"},
    {"sendas list", cmd_sendas_list, "[LOGIN]"},
    {"dkim keygen", cmd_dkim_keygen,
     "DOMAIN [--selector S] [--algorithm rsa-sha256|ed25519-sha256] "
     "[--bits N]"},
    {"dkim rotate", cmd_dkim_rotate,
     "DOMAIN [--selector S] [--algorithm rsa-sha256|ed25519-sha256] "
     "[--bits N]"},
    {"dkim show", cmd_dkim_show, "[DOMAIN]"},
    {"dkim remove", cmd_dkim_remove, "DOMAIN SELECTOR"},
    {"ratelimit set", cmd_ratelimit_set,
     "accounts|domains|ADDRESS|DOMAIN [--messages N] [--recipients N] --per "
     "TIME"},
    {"ratelimit clear", cmd_ratelimit_clear, "accounts|domains|ADDRESS|DOMAIN"},
    {"ratelimit list", cmd_ratelimit_list, ""},
    {"clientconfig", cmd_clientconfig,
     "ADDRESS --format thunderbird|autodiscover|mobileconfig|srv|text "
     "[--lang en|sv] [--sign-cert FILE --sign-key FILE [--sign-chain FILE]]"},
    {"resolve", cmd_resolve, "ADDRESS [--explain]"},
    {"list", cmd_list, "[domains|accounts|aliases] [DOMAIN]"},
    {"export", cmd_export, ""},
    {"import", cmd_import,
     "[--format jsonl|dovecot-passwd|postfix-virtual] [--create-domains] "
     "FILE|-"},
    {"backup", cmd_backup, "DIR"},
    {"check", cmd_check, ""},
    {"log", cmd_log, "[--since N] [--limit N]"},
    {"status", cmd_status, ""},
    {"heartbeat", cmd_heartbeat, "[--name NAME] [--every SECONDS]"},
};

#define CLI_NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

/* cli_db_dir - the database directory this run uses */

const char *cli_db_dir(const struct cli *cli)
{
    return pk_store_dir(cli->db_opt);
}

/* cli_open - open the store once; the flags of the first call win */

int cli_open(struct cli *cli, unsigned flags)
{
    const char *error = NULL;
    int status;

    if (cli->store != NULL)
        return CLI_EXIT_OK;
    status = pk_store_open(cli_db_dir(cli), flags, &cli->store, &error);
    if (status != PK_OK)
        return cli_fail(status, error);
    return CLI_EXIT_OK;
}

/* cli_actor - "cli:LOGIN", plus "(sudo USER)" when run through sudo */

static void cli_actor(char *buf, size_t len)
{
    const struct passwd *pw = getpwuid(getuid());
    const char *sudo = getenv("SUDO_USER");
    char uid[32];
    const char *name;

    snprintf(uid, sizeof(uid), "%lu", (unsigned long)getuid());
    name = (pw != NULL && pw->pw_name != NULL) ? pw->pw_name : uid;
    if (sudo != NULL && *sudo != '\0')
        snprintf(buf, len, "cli:%s (sudo %s)", name, sudo);
    else
        snprintf(buf, len, "cli:%s", name);
}

/* cli_write - run one write transaction with the invoking user as actor */

int cli_write(struct cli *cli, pk_write_fn *fn, void *context)
{
    const char *error = NULL;
    char actor[256];
    int rc;
    int status;

    if (cli->ldap_uris != NULL)
        return cli_ldap_write(cli, fn, context);
    if ((rc = cli_open(cli, 0)) != CLI_EXIT_OK)
        return rc;
    cli_actor(actor, sizeof(actor));
    pk_store_set_actor(cli->store, actor);
    status = pk_store_write(cli->store, fn, context, &error);
    if (status != PK_OK)
        return cli_fail(status, error);
    return CLI_EXIT_OK;
}

/* cli_read - start a read transaction; the caller ends it */

int cli_read(struct cli *cli, struct pk_txn **txn_r)
{
    const char *error = NULL;
    int rc;
    int status;

    if ((rc = cli_open(cli, PK_STORE_READONLY)) != CLI_EXIT_OK)
        return rc;
    status = pk_store_read(cli->store, txn_r, &error);
    if (status != PK_OK)
        return cli_fail(status, error);
    return CLI_EXIT_OK;
}

/* cli_log_sink - core warnings go to stderr; errors come back as error_r */

static void cli_log_sink(enum pk_log_level level, const char *msg, void *ctx)
{
    if (level == PK_LOG_WARNING || getenv("POSTKONTOR_DEBUG") != NULL)
        fprintf(stderr, "postkontor: %s: %s\n",
                level == PK_LOG_WARNING ? "warning" : "log", msg);
}

/* cli_help - the usage lines of all commands, or of those that match */

static void cli_help(FILE *fp, int argc, char **argv)
{
    size_t n;
    size_t len = 0;
    char prefix[64] = "";

    if (argc > 0)
        snprintf(prefix, sizeof(prefix), "%s%s%s", argv[0], argc > 1 ? " " : "",
                 argc > 1 ? argv[1] : "");
    for (n = 0; n < CLI_NCOMMANDS; n++)
        if (*prefix &&
            strncmp(cli_commands[n].name, prefix, strlen(prefix)) == 0)
            len++;
    if (len == 0 && argc > 1) {
        cli_help(fp, 1, argv);
        return;
    }
    if (len == 0)
        *prefix = '\0';
    fprintf(fp, "usage: postkontor [--db DIR] [--json] COMMAND ...\n");
    for (n = 0; n < CLI_NCOMMANDS; n++)
        if (strncmp(cli_commands[n].name, prefix, strlen(prefix)) == 0)
            fprintf(fp, "  postkontor %s%s%s\n", cli_commands[n].name,
                    *cli_commands[n].usage ? " " : "", cli_commands[n].usage);
    if (*prefix == '\0')
        fprintf(fp,
                "options: --db DIR (default $%s or %s), --json, "
                "--help, --version\n"
                "cluster mode: --ldap URI[,URI...] --ldap-base DN "
                "--ldap-bind-dn DN --ldap-password-file FILE "
                "[--wait[=SECONDS]]\n",
                PK_STORE_ENV, PK_STORE_DEFAULT_DIR);
}

/* cli_find - the command named by the first one or two words */

static const struct cli_command *cli_find(int argc, char **argv, int *words)
{
    char name[64];
    size_t n;

    for (*words = argc >= 2 ? 2 : 1; *words > 0; (*words)--) {
        snprintf(name, sizeof(name), "%s%s%s", argv[0], *words == 2 ? " " : "",
                 *words == 2 ? argv[1] : "");
        for (n = 0; n < CLI_NCOMMANDS; n++)
            if (strcmp(cli_commands[n].name, name) == 0)
                return &cli_commands[n];
    }
    return NULL;
}

/* cli_unknown - a usage error naming what the group accepts */

static int cli_unknown(struct cli *cli, int argc, char **argv)
{
    char subs[256] = "";
    size_t len = strlen(argv[0]);
    size_t n;

    for (n = 0; n < CLI_NCOMMANDS; n++) {
        const char *name = cli_commands[n].name;

        if (strncmp(name, argv[0], len) == 0 && name[len] == ' ')
            snprintf(subs + strlen(subs), sizeof(subs) - strlen(subs), "%s%s",
                     *subs ? ", " : "", name + len + 1);
    }
    if (*subs == '\0')
        return cli_usage(cli, "unknown command '%s' (see postkontor --help)",
                         argv[0]);
    if (argc < 2)
        return cli_usage(cli, "'%s' needs one of: %s", argv[0], subs);
    return cli_usage(cli, "unknown command '%s %s'; '%s' takes one of: %s",
                     argv[0], argv[1], argv[0], subs);
}

/* cli_value - a global option's value: "--opt=V" or "--opt V" */

static int cli_value(struct cli *cli, const char *opt, int argc, char **argv,
                     int *n, const char **value_r)
{
    size_t len = strlen(opt);
    const char *arg = argv[*n];

    if (strncmp(arg, opt, len) != 0)
        return 0;
    if (arg[len] == '=')
        *value_r = arg + len + 1;
    else if (arg[len] != '\0')
        return 0;
    else if (*n + 1 >= argc)
        return (void)cli_usage(cli, "%s needs a value", opt), -1;
    else
        *value_r = argv[++*n];
    if (**value_r == '\0')
        return (void)cli_usage(cli, "%s needs a value", opt), -1;
    return 1;
}

/* cli_wait_opt - --wait or --wait=SECONDS */

static int cli_wait_opt(struct cli *cli, const char *arg)
{
    uint64_t secs = CLI_WAIT_DEFAULT;
    const char *error;

    if (arg[6] == '=' && (cli_parse_u64(arg + 7, &secs, &error) != PK_OK ||
                          secs == 0 || secs > CLI_WAIT_MAX))
        return cli_usage(cli, "--wait takes 1 to %d seconds", CLI_WAIT_MAX);
    cli->wait_s = (int)secs;
    return CLI_EXIT_OK;
}

/* cli_ldap_env - cluster settings not given as options */

static void cli_ldap_env(struct cli *cli)
{
    const struct {
        const char *env;
        const char **slot;
    } vars[] = {
        {"POSTKONTOR_LDAP", &cli->ldap_uris},
        {"POSTKONTOR_LDAP_BASE", &cli->ldap_base},
        {"POSTKONTOR_LDAP_BIND_DN", &cli->ldap_binddn},
        {"POSTKONTOR_LDAP_PASSWORD_FILE", &cli->ldap_pwfile},
    };

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i].env);

        if (*vars[i].slot == NULL && v != NULL && *v != '\0')
            *vars[i].slot = v;
    }
}

/* cli_globals - take the global options out of argv, wherever they are */

static int cli_globals(struct cli *cli, int argc, char **argv, int *argc_r,
                       bool *help, bool *version)
{
    const struct {
        const char *name;
        const char **slot;
    } strs[] = {
        {"--ldap", &cli->ldap_uris},
        {"--ldap-base", &cli->ldap_base},
        {"--ldap-bind-dn", &cli->ldap_binddn},
        {"--ldap-password-file", &cli->ldap_pwfile},
    };
    int out = 0;
    int n, rc;

    for (n = 0; n < argc; n++) {
        const char *arg = argv[n];
        size_t s;

        if (strcmp(arg, "--") == 0) {
            while (n < argc)
                argv[out++] = argv[n++];
            break;
        } else if (strcmp(arg, "--json") == 0) {
            cli->json = true;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = true;
        } else if (strcmp(arg, "--version") == 0) {
            *version = true;
        } else if (strncmp(arg, "--db=", 5) == 0) {
            cli->db_opt = arg + 5;
        } else if (strcmp(arg, "--db") == 0) {
            if (n + 1 >= argc)
                return cli_usage(cli, "--db needs a directory");
            cli->db_opt = argv[++n];
        } else if (strcmp(arg, "--wait") == 0 ||
                   strncmp(arg, "--wait=", 7) == 0) {
            if ((rc = cli_wait_opt(cli, arg)) != CLI_EXIT_OK)
                return rc;
        } else {
            for (s = 0, rc = 0; s < sizeof(strs) / sizeof(strs[0]); s++)
                if ((rc = cli_value(cli, strs[s].name, argc, argv, &n,
                                    strs[s].slot)) != 0)
                    break;
            if (rc < 0)
                return CLI_EXIT_USAGE;
            if (rc == 0)
                argv[out++] = argv[n];
        }
    }
    if (cli->db_opt != NULL && *cli->db_opt == '\0')
        return cli_usage(cli, "--db needs a directory");
    cli_ldap_env(cli);
    if (cli->wait_s > 0 && cli->ldap_uris == NULL)
        return cli_usage(cli, "--wait needs cluster mode (--ldap)");
    *argc_r = out;
    return CLI_EXIT_OK;
}

/* main - global options, dispatch, output, exit status */

int main(int argc, char **argv)
{
    struct cli cli = {0};
    bool help = false;
    bool version = false;
    int words = 0;
    int rc;

    pk_log_set_sink(cli_log_sink, NULL);
    argc--, argv++;
    if ((rc = cli_globals(&cli, argc, argv, &argc, &help, &version)) != 0)
        return rc;
    if (version) {
        printf("postkontor %s\n", PACKAGE_VERSION);
        return CLI_EXIT_OK;
    }
    if (help) {
        cli_help(stdout, argc, argv);
        return CLI_EXIT_OK;
    }
    if (argc == 0)
        return cli_usage(&cli, "no command given (see postkontor --help)");
    if ((cli.cmd = cli_find(argc, argv, &words)) == NULL)
        return cli_unknown(&cli, argc, argv);
    if ((rc = cli_output_begin(&cli)) != CLI_EXIT_OK)
        return rc;
    rc = cli.cmd->handler(&cli, argc - words, argv + words);
    if (cli.store != NULL)
        pk_store_close(&cli.store);
    return cli_output_end(&cli, rc);
}
