/*++
/* NAME
/*	ldap-sync-writer 1
/* SUMMARY
/*	paced LDAP writes round-robin over providers, with ack times
/* SYNOPSIS
/*	ldap-sync-writer RATE SECONDS BASE BINDDN PWFILE ROUND URI...
/* DESCRIPTION
/*	A benchmark client, never installed. It binds once to each
/*	provider and then writes RATE changes per second for SECONDS,
/*	write i going to provider i mod N, each one sent at its scheduled
/*	time (start + i / RATE) and waited for. Even writes add an account
/*	r<ROUND>w<i>@d<i mod 100>.example; odd writes set the state of the
/*	existing account user<i>@d<i mod 100>.example (suspended in odd
/*	rounds, active in even ones). Each acknowledged write prints
/*	"ADDRESS ACK-MICROSECONDS" (realtime clock) on stdout, so that a
/*	consumer's trace ("applied ADDRESS MICROSECONDS") gives the
/*	delay until the change was visible there.
/* DIAGNOSTICS
/*	Failed writes are reported on stderr and counted; exit 1 if any.
/*--*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldap.h>

#define MAX_URIS 8

static const char hash[] = "{SHA512-CRYPT}$6$9Jam6yySh6v0Nv/N$8Nx9CgJmz8utsUZT9"
                           "kIzqeTXUu/bEG.BJgISV0hzMq2kXb3ndwR2lVJW8r9GUd6pjXOk"
                           "xmXKwauV/I0YrU/eA1";

/* now_us - realtime microseconds */

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* connect_one - an LDAPv3 connection bound as binddn */

static LDAP *connect_one(const char *uri, const char *binddn, char *pw)
{
    LDAP *ld;
    int version = LDAP_VERSION3;
    struct berval cred = {strlen(pw), pw};

    if (ldap_initialize(&ld, uri) != LDAP_SUCCESS)
        return NULL;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    if (ldap_sasl_bind_s(ld, binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
                         NULL) != LDAP_SUCCESS) {
        ldap_unbind_ext_s(ld, NULL, NULL);
        return NULL;
    }
    return ld;
}

/* write_one - write number i; LDAP result code */

static int write_one(LDAP *ld, long i, long round, const char *base, char *addr,
                     size_t size)
{
    char dn[512], dom[64];
    char *oc[] = {"pkAccount", NULL}, *ad[] = {addr, NULL};
    char *pw[] = {(char *)hash, NULL};
    char *st[] = {round % 2 ? "suspended" : "active", NULL};
    LDAPMod m_oc = {LDAP_MOD_ADD, "objectClass", {oc}};
    LDAPMod m_ad = {LDAP_MOD_ADD, "pkAddress", {ad}};
    LDAPMod m_pw = {LDAP_MOD_ADD, "pkPasswordHash", {pw}};
    LDAPMod m_st = {LDAP_MOD_REPLACE, "pkState", {st}};
    LDAPMod *add[] = {&m_oc, &m_ad, &m_pw, NULL}, *mod[] = {&m_st, NULL};

    snprintf(dom, sizeof(dom), "d%ld.example", i % 100);
    if (i % 2)
        snprintf(addr, size, "user%ld@%s", i, dom);
    else
        snprintf(addr, size, "r%ldw%ld@%s", round, i, dom);
    snprintf(dn, sizeof(dn), "pkAddress=%s,pkDomainName=%s,%s", addr, dom,
             base);
    if (i % 2 == 0)
        return ldap_add_ext_s(ld, dn, add, NULL, NULL);
    return ldap_modify_ext_s(ld, dn, mod, NULL, NULL);
}

int main(int argc, char **argv)
{
    LDAP *ld[MAX_URIS];
    char pw[256], addr[128];
    FILE *fp;
    long rate, seconds, round, n, failed = 0;
    int nuris;
    uint64_t start;

    if (argc < 8 || argc - 7 > MAX_URIS) {
        fprintf(stderr, "usage: ldap-sync-writer RATE SECONDS BASE BINDDN "
                        "PWFILE ROUND URI...\n");
        return 1;
    }
    rate = strtol(argv[1], NULL, 10);
    seconds = strtol(argv[2], NULL, 10);
    round = strtol(argv[6], NULL, 10);
    if (rate < 1 || rate > 100000 || seconds < 1 || seconds > 3600 ||
        round < 1 || round > 1000)
        return 1;
    if ((fp = fopen(argv[5], "r")) == NULL || fgets(pw, sizeof(pw), fp) == NULL)
        return 1;
    fclose(fp);
    pw[strcspn(pw, "\r\n")] = 0;
    nuris = argc - 7;
    for (int u = 0; u < nuris; u++) {
        if ((ld[u] = connect_one(argv[7 + u], argv[4], pw)) == NULL) {
            fprintf(stderr, "ldap-sync-writer: %s: cannot bind\n", argv[7 + u]);
            return 1;
        }
    }
    n = rate * seconds;
    start = now_us();
    for (long i = 0; i < n; i++) {
        uint64_t due = start + (uint64_t)i * 1000000 / rate, t = now_us();
        int rc;

        if (due > t) {
            struct timespec ts = {(due - t) / 1000000,
                                  ((due - t) % 1000000) * 1000};
            nanosleep(&ts, NULL);
        }
        rc = write_one(ld[i % nuris], i, round, argv[3], addr, sizeof(addr));
        t = now_us();
        if (rc != LDAP_SUCCESS) {
            fprintf(stderr, "ldap-sync-writer: %s: %s\n", addr,
                    ldap_err2string(rc));
            failed++;
            continue;
        }
        printf("%s %llu\n", addr, (unsigned long long)t);
    }
    for (int u = 0; u < nuris; u++)
        ldap_unbind_ext_s(ld[u], NULL, NULL);
    return failed ? 1 : 0;
}
