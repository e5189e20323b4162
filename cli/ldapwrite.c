/*++
/* NAME
/*	ldapwrite 3
/* SUMMARY
/*	postkontor in cluster mode: changes go to the OpenLDAP cluster
/* SYNOPSIS
/*	#include "cli.h"
/*
/*	int	cli_ldap_write(struct cli *cli, pk_write_fn *fn, void *ctx)
/*
/*	int	cli_ldap_heartbeat(struct cli *cli, const char *name,
/*			unsigned every)
/* DESCRIPTION
/*	On a host of a cluster the local database is a copy that
/*	postkontor-sync keeps equal to the directory; the directory is the
/*	authority. cli_ldap_write() is cli_write() for that case:
/*
/*	1. The command's core call runs on the local copy in a dry run
/*	   (pk_store_dryrun()): the core validates the change against the
/*	   current data exactly as on one machine, so a bad input fails
/*	   with the same message and exit status, and the directory is not
/*	   touched. Nothing is committed locally.
/*	2. What the dry run changed becomes a plan of LDAP add, modify and
/*	   delete operations, one per changed object (pk_ldapplan_capture()),
/*	   put in an order in which each intermediate state is valid
/*	   (pk_ldapplan_order()): no host, applying the changes one by one
/*	   as they replicate, sees an alias pointing at an account that is
/*	   not there yet, or an account without its domain.
/*	3. The plan goes to the first provider of the --ldap list that
/*	   accepts a connection and the bind; entries are named with
/*	   pk_ldapmap_dn(). A modify sends only what the command changed
/*	   (pk_ldapmap_mods(): a value added or removed, an attribute
/*	   replaced), with the permissive modify control, so a change made
/*	   meanwhile through another host to something else is kept even
/*	   when this host's copy has not seen it yet. A delete of an entry
/*	   that is gone already succeeds.
/*	4. With --wait, it polls the local copy until it shows every
/*	   operation (pk_ldapplan_shown()), at most --wait seconds.
/*
/*	The copy may be a little behind the directory; a change made at
/*	the same moment through another host can therefore pass the dry
/*	run and then be refused by the directory (an entry that already
/*	exists or is gone): the command then fails and says how many of
/*	its operations were written.
/*
/*	cli_ldap_heartbeat() writes the pkHeartbeatTime (microseconds) of
/*	the entry cn=NAME below the base, adding it the first time: once,
/*	or every "every" seconds until SIGTERM or SIGINT. A provider's
/*	heartbeat tells each consumer that its stream is alive.
/* DIAGNOSTICS
/*	The core's message for a refused change; "directory: ..." with
/*	the LDAP result for a provider that cannot be reached, refuses the
/*	bind or refuses an operation.
/* SECURITY
/*	The bind password is read from a file (mode not checked: the
/*	administrator's choice), never from argv or the environment, and
/*	wiped after the bind. Values sent include password hashes and
/*	DKIM private keys; use ldaps:// or ldapi:// off the local host.
/*--*/

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>

#include "cli.h"
#include "ldapmap.h"
#include "ldapplan.h"

#define LDAPW_PASSWORD_MAX 1024
#define LDAPW_DN_MAX 2048
#define LDAPW_URIS_MAX 16
#define LDAPW_POLL_US 20000

/* now_us - wall clock in microseconds */

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* settings - the cluster settings every operation needs */

static int settings(const struct cli *cli)
{
    if (cli->ldap_base == NULL)
        return cli_failf("cluster mode needs --ldap-base DN "
                         "(or POSTKONTOR_LDAP_BASE)");
    if (cli->ldap_binddn == NULL || cli->ldap_pwfile == NULL)
        return cli_failf("cluster mode needs --ldap-bind-dn DN and "
                         "--ldap-password-file FILE (or "
                         "POSTKONTOR_LDAP_BIND_DN and "
                         "POSTKONTOR_LDAP_PASSWORD_FILE)");
    return CLI_EXIT_OK;
}

/* read_password - the first line of the password file */

static int read_password(const char *path, char *buf, size_t size)
{
    FILE *fp;
    size_t len;

    if ((fp = fopen(path, "r")) == NULL)
        return cli_failf("directory: cannot open %s: %s", path,
                         strerror(errno));
    if (fgets(buf, (int)size, fp) == NULL)
        buf[0] = '\0';
    fclose(fp);
    len = strcspn(buf, "\r\n");
    buf[len] = '\0';
    if (len == 0)
        return cli_failf("directory: %s holds no password", path);
    return CLI_EXIT_OK;
}

/* ld_error - an LDAP result with the server's diagnostic, if any */

static const char *ld_error(LDAP *ld, int rc, char *buf, size_t size)
{
    char *diag = NULL;

    if (ld != NULL)
        ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
    snprintf(buf, size, "%s%s%s", ldap_err2string(rc),
             diag != NULL && *diag ? ": " : "", diag != NULL ? diag : "");
    ldap_memfree(diag);
    return buf;
}

/* connect_one - connect to and bind at one provider */

static int connect_one(const char *uri, const char *binddn, char *password,
                       LDAP **ld_r, char *why, size_t size)
{
    struct timeval tv = {3, 0};
    struct berval cred = {strlen(password), password};
    int version = LDAP_VERSION3, rc;
    LDAP *ld = NULL;

    *ld_r = NULL;
    if ((rc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS) {
        snprintf(why, size, "%s: %s", uri, ldap_err2string(rc));
        return -1;
    }
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
    tv.tv_sec = 10;
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    rc =
        ldap_sasl_bind_s(ld, binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    if (rc != LDAP_SUCCESS) {
        char err[512];

        snprintf(why, size, "%s: %s", uri, ld_error(ld, rc, err, sizeof(err)));
        ldap_unbind_ext_s(ld, NULL, NULL);
        return -1;
    }
    *ld_r = ld;
    return 0;
}

/* ld_connect - the first provider of the list that takes our bind */

static int ld_connect(const struct cli *cli, LDAP **ld_r)
{
    char list[4096], password[LDAPW_PASSWORD_MAX], why[1024] = "no URI";
    char *save = NULL, *uri;
    int rc, tried = 0;

    *ld_r = NULL;
    if ((rc = settings(cli)) != CLI_EXIT_OK)
        return rc;
    if (strlen(cli->ldap_uris) >= sizeof(list))
        return cli_failf("directory: the --ldap list is too long");
    snprintf(list, sizeof(list), "%s", cli->ldap_uris);
    if ((rc = read_password(cli->ldap_pwfile, password, sizeof(password))) !=
        CLI_EXIT_OK) {
        pk_wipe(password, sizeof(password));
        return rc;
    }
    for (uri = strtok_r(list, ", \t", &save);
         uri != NULL && tried < LDAPW_URIS_MAX;
         uri = strtok_r(NULL, ", \t", &save), tried++)
        if (connect_one(uri, cli->ldap_binddn, password, ld_r, why,
                        sizeof(why)) == 0)
            break;
    pk_wipe(password, sizeof(password));
    if (*ld_r == NULL)
        return cli_failf("directory: no provider accepted the connection "
                         "(last: %s)",
                         why);
    return CLI_EXIT_OK;
}

/* mods_free - release an LDAPMod array made by make_mods() */

static void mods_free(LDAPMod **mods)
{
    for (size_t i = 0; mods != NULL && mods[i] != NULL; i++) {
        free(mods[i]->mod_values);
        free(mods[i]);
    }
    free(mods);
}

/* make_mods - libldap's form of the modifications; values not copied */

static LDAPMod **make_mods(const struct pk_ldapmods *pm)
{
    LDAPMod **mods = calloc(pm->count + 1, sizeof(*mods));

    if (mods == NULL)
        return NULL;
    for (size_t i = 0; i < pm->count; i++) {
        const struct pk_strlist *v = &pm->mods[i].values;
        LDAPMod *m;

        if ((m = calloc(1, sizeof(*m))) == NULL ||
            (m->mod_values = calloc(v->count + 1, sizeof(char *))) == NULL) {
            free(m);
            mods_free(mods);
            return NULL;
        }
        mods[i] = m;
        m->mod_op = pm->mods[i].op == PK_LDAPMOD_ADD      ? LDAP_MOD_ADD
                    : pm->mods[i].op == PK_LDAPMOD_DELETE ? LDAP_MOD_DELETE
                                                          : LDAP_MOD_REPLACE;
        m->mod_type = (char *)pm->mods[i].name;
        for (size_t j = 0; j < v->count; j++)
            m->mod_values[j] = v->items[j];
    }
    return mods;
}

/* send_change - an add or a modify */

static int send_change(LDAP *ld, const char *dn, const struct pk_ldapop *op,
                       char *why, size_t size)
{
    /* Permissive modify (the directory's extension, 1.2.840.113556.1.4.
     * 1413): adding a value that is there or deleting one that is gone
     * is no error, since another host may have made the same change. */
    LDAPControl permissive = {(char *)"1.2.840.113556.1.4.1413", {0, NULL}, 0};
    LDAPControl *ctrls[] = {&permissive, NULL};
    struct pk_ldapmods pm;
    LDAPMod **mods;
    const char *error = NULL;
    bool add = op->type == PK_LDAPOP_ADD;
    int rc;

    if (pk_ldapmap_mods(op->has_old ? &op->old : NULL, &op->obj, add, &pm,
                        &error) != PK_OK) {
        snprintf(why, size, "%s", error);
        return -1;
    }
    if (pm.count == 0) {
        pk_ldapmods_free(&pm);
        return 0; /* the entry does not change */
    }
    if ((mods = make_mods(&pm)) == NULL)
        rc = LDAP_NO_MEMORY;
    else if (add)
        rc = ldap_add_ext_s(ld, dn, mods, NULL, NULL);
    else
        rc = ldap_modify_ext_s(ld, dn, mods, ctrls, NULL);
    mods_free(mods);
    pk_ldapmods_free(&pm);
    if (rc != LDAP_SUCCESS) {
        ld_error(ld, rc, why, size);
        return -1;
    }
    return 0;
}

/* send_op - one operation of the plan */

static int send_op(LDAP *ld, const char *base, const struct pk_ldapop *op,
                   char *dn, char *why, size_t size)
{
    const char *error = NULL;
    int rc;

    if (pk_ldapmap_dn(op->obj.kind, op->obj.item.name, op->obj.selector, base,
                      dn, LDAPW_DN_MAX, &error) != PK_OK) {
        snprintf(why, size, "%s", error);
        return -1;
    }
    if (op->type != PK_LDAPOP_DELETE)
        return send_change(ld, dn, op, why, size);
    /* Gone already (removed through another host meanwhile): done. */
    rc = ldap_delete_ext_s(ld, dn, NULL, NULL);
    if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) {
        ld_error(ld, rc, why, size);
        return -1;
    }
    return 0;
}

struct capture_ctx {
    struct pk_store *store;
    struct pk_ldapplan plan;
};

/* capture - the dry run's changes as an ordered plan */

static int capture(struct pk_txn *txn, const struct pk_store_touch *t, size_t n,
                   void *vctx, const char **error_r)
{
    struct capture_ctx *ctx = vctx;
    struct pk_txn *before = NULL;
    int status;

    /* A grown map runs the write again: start from an empty plan. */
    pk_ldapplan_free(&ctx->plan);
    /* The write lock is ours: a reader sees exactly the state before. */
    if ((status = pk_store_read(ctx->store, &before, error_r)) != PK_OK)
        return status;
    status = pk_ldapplan_capture(txn, before, t, n, &ctx->plan, error_r);
    pk_txn_end(&before);
    if (status != PK_OK)
        return status;
    return pk_ldapplan_order(&ctx->plan, error_r);
}

/* wait_shown - poll the local copy until it shows every operation */

static int wait_shown(struct cli *cli, const struct pk_ldapplan *plan)
{
    uint64_t deadline = now_us() + (uint64_t)cli->wait_s * 1000000;
    size_t done = 0;
    struct pk_txn *txn;
    const char *error = NULL;
    int status;

    for (;;) {
        if ((status = pk_store_read(cli->store, &txn, &error)) != PK_OK)
            return cli_fail(status, error);
        while (done < plan->count &&
               (status = pk_ldapplan_shown(txn, &plan->ops[done], &error)) ==
                   PK_OK)
            done++;
        pk_txn_end(&txn);
        if (status != PK_OK && status != PK_NOTFOUND)
            return cli_fail(status, error);
        if (done == plan->count)
            return CLI_EXIT_OK;
        if (now_us() >= deadline)
            return cli_failf("the directory has the change, but this host's "
                             "copy does not show it after %d s (is "
                             "postkontor-sync running?)",
                             cli->wait_s);
        usleep(LDAPW_POLL_US);
    }
}

/* cli_ldap_write - validate on the copy, then write to the directory */

int cli_ldap_write(struct cli *cli, pk_write_fn *fn, void *ctx)
{
    struct capture_ctx cap = {0};
    struct pk_ldapplan *plan = &cap.plan;
    char dn[LDAPW_DN_MAX], why[1024];
    const char *error = NULL;
    LDAP *ld = NULL;
    size_t i;
    int rc, status;

    if ((rc = settings(cli)) != CLI_EXIT_OK || (rc = cli_open(cli, 0)) != 0)
        return rc;
    cap.store = cli->store;
    status = pk_store_dryrun(cli->store, fn, ctx, capture, &cap, &error);
    if (status != PK_OK) {
        pk_ldapplan_free(plan);
        return cli_fail(status, error);
    }
    if (plan->count > 0 && (rc = ld_connect(cli, &ld)) != CLI_EXIT_OK) {
        pk_ldapplan_free(plan);
        return rc;
    }
    for (i = 0; i < plan->count; i++) {
        if (send_op(ld, cli->ldap_base, &plan->ops[i], dn, why, sizeof(why)) <
            0) {
            rc = cli_failf("directory: %s of %s refused: %s (%zu of %zu "
                           "changes written)",
                           pk_ldapplan_type_name(plan->ops[i].type), dn, why, i,
                           plan->count);
            break;
        }
    }
    if (ld != NULL)
        ldap_unbind_ext_s(ld, NULL, NULL);
    if (rc == CLI_EXIT_OK && cli->wait_s > 0)
        rc = wait_shown(cli, plan);
    pk_ldapplan_free(plan);
    return rc;
}

static volatile sig_atomic_t hb_stop;

/* hb_signal - stop the heartbeat loop */

static void hb_signal(int sig)
{
    (void)sig;
    hb_stop = 1;
}

/* hb_write - set the heartbeat entry's time, adding the entry if needed */

static int hb_write(LDAP *ld, const char *base, const char *name, char *why,
                    size_t size)
{
    struct pk_ldapop op = {.type = PK_LDAPOP_MODIFY};
    char dn[LDAPW_DN_MAX];
    int rc;

    op.obj.kind = PK_LDAP_HEARTBEAT;
    snprintf(op.obj.item.name, sizeof(op.obj.item.name), "%s", name);
    op.obj.heartbeat_us = now_us();
    if ((rc = send_op(ld, base, &op, dn, why, size)) == 0)
        return 0;
    op.type = PK_LDAPOP_ADD;
    return send_op(ld, base, &op, dn, why, size);
}

/* cli_ldap_heartbeat - write a provider heartbeat, once or periodically */

int cli_ldap_heartbeat(struct cli *cli, const char *name, unsigned every)
{
    struct sigaction sa = {0};
    char why[1024];
    LDAP *ld = NULL;
    int rc;

    if ((rc = ld_connect(cli, &ld)) != CLI_EXIT_OK)
        return rc;
    if (every == 0) {
        rc = hb_write(ld, cli->ldap_base, name, why, sizeof(why)) == 0
                 ? CLI_EXIT_OK
                 : cli_failf("directory: heartbeat %s: %s", name, why);
        ldap_unbind_ext_s(ld, NULL, NULL);
        return rc;
    }
    sa.sa_handler = hb_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    while (!hb_stop) {
        if (ld == NULL && ld_connect(cli, &ld) != CLI_EXIT_OK)
            ld = NULL; /* said why on stderr; try again next time */
        if (ld != NULL &&
            hb_write(ld, cli->ldap_base, name, why, sizeof(why)) != 0) {
            fprintf(stderr, "postkontor: directory: heartbeat %s: %s\n", name,
                    why);
            ldap_unbind_ext_s(ld, NULL, NULL);
            ld = NULL;
        }
        /* sleep() returns early on a signal */
        for (unsigned s = 0; s < every && !hb_stop; s++)
            sleep(1);
    }
    if (ld != NULL)
        ldap_unbind_ext_s(ld, NULL, NULL);
    return CLI_EXIT_OK;
}
