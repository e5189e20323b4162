/*++
/* NAME
/*	ldapwrite-none 3
/* SUMMARY
/*	cluster mode where postkontor was built without libldap
/* SYNOPSIS
/*	#include "cli.h"
/* DESCRIPTION
/*	The same functions as ldapwrite.c; each says that this build
/*	cannot write to a directory.
/* DIAGNOSTICS
/*	Always CLI_EXIT_FAIL with one line on stderr.
/*--*/

#include "cli.h"

/* cli_ldap_write - no cluster mode in this build */

int cli_ldap_write(struct cli *cli, pk_write_fn *fn, void *ctx)
{
    (void)cli, (void)fn, (void)ctx;
    return cli_failf("this postkontor was built without LDAP support; "
                     "cluster mode (--ldap) is not available");
}

/* cli_ldap_heartbeat - no cluster mode in this build */

int cli_ldap_heartbeat(struct cli *cli, const char *name, unsigned every)
{
    (void)cli, (void)name, (void)every;
    return cli_ldap_write(cli, NULL, NULL);
}
