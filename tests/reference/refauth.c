/*++
/* NAME
/*	refauth 3
/* SUMMARY
/*	logins, SASL PLAIN and the failed-login slowdown of the reference server
/* DESCRIPTION
/*	See refauth.h. The login decision is the core's pk_auth_verify():
/*	the same rules as the Dovecot passdb.
/*--*/

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "refauth.h"

#define FAIL_SLOTS 1024
#define FAIL_DECAY (15 * 60)

struct fail_slot {
    char peer[64];
    unsigned count;
    time_t last;
};

static struct fail_slot fail_table[FAIL_SLOTS];

/* ref_auth_login - the core's verdict on a user and password */

int ref_auth_login(struct pk_store *store, const char *user, const char *pass,
                   char *login_r, const char **error_r)
{
    enum pk_auth_result result;
    struct pk_auth auth;
    struct pk_txn *txn;
    int status;

    if ((status = pk_store_read(store, &txn, error_r)) != PK_OK)
        return (status);
    status = pk_auth_verify(txn, user, pass, &auth, &result, error_r);
    pk_txn_end(&txn);
    if (status != PK_OK)
        return (status);
    if (result == PK_AUTH_OK)
        snprintf(login_r, PK_ADDR_MAX + 1, "%s", auth.address);
    pk_auth_wipe(&auth);
    return (result == PK_AUTH_OK ? PK_OK : PK_NOTFOUND);
}

/* ref_auth_failed - count a failure; the answer delay in ms */

int ref_auth_failed(const char *peer)
{
    struct fail_slot *slot = NULL, *oldest = &fail_table[0];
    time_t now = time(NULL);
    unsigned i, n;

    for (i = 0; i < FAIL_SLOTS; i++) {
        if (strcmp(fail_table[i].peer, peer) == 0) {
            slot = &fail_table[i];
            break;
        }
        if (fail_table[i].last < oldest->last)
            oldest = &fail_table[i];
    }
    if (slot == NULL) {
        slot = oldest;
        snprintf(slot->peer, sizeof(slot->peer), "%s", peer);
        slot->count = 0;
    }
    if (now - slot->last > FAIL_DECAY)
        slot->count = 0;
    slot->last = now;
    n = ++slot->count;
    return (n >= 4 ? 4000 : 500 << (n - 1));
}

/* ref_sasl_plain - split authzid NUL authcid NUL passwd */

int ref_sasl_plain(const char *msg, size_t len, char *user, char *pass)
{
    const char *nul1, *nul2, *authc, *pw;
    size_t authz_len, authc_len, pw_len;

    if ((nul1 = memchr(msg, '\0', len)) == NULL ||
        (nul2 = memchr(nul1 + 1, '\0', len - (nul1 + 1 - msg))) == NULL ||
        memchr(nul2 + 1, '\0', len - (nul2 + 1 - msg)) != NULL)
        return (REF_SASL_BAD);
    authz_len = nul1 - msg;
    authc = nul1 + 1;
    authc_len = nul2 - authc;
    pw = nul2 + 1;
    pw_len = len - (pw - msg);
    if (authc_len == 0 || authc_len > PK_ADDR_MAX || pw_len == 0 ||
        pw_len > PK_PASSWORD_MAX)
        return (REF_SASL_BAD);
    if (authz_len != 0 &&
        (authz_len != authc_len || strncasecmp(msg, authc, authc_len) != 0))
        return (REF_SASL_AUTHZ);
    memcpy(user, authc, authc_len);
    user[authc_len] = 0;
    memcpy(pass, pw, pw_len);
    pass[pw_len] = 0;
    return (REF_SASL_OK);
}

/* b64_value - one base64 digit, -1 if none */

static int b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return (ch - 'A');
    if (ch >= 'a' && ch <= 'z')
        return (ch - 'a' + 26);
    if (ch >= '0' && ch <= '9')
        return (ch - '0' + 52);
    if (ch == '+')
        return (62);
    if (ch == '/')
        return (63);
    return (-1);
}

/* ref_b64_decode - strict base64 */

bool ref_b64_decode(const char *in, size_t len, char *out, size_t outmax,
                    size_t *out_len)
{
    size_t i, o = 0, pad = 0;
    unsigned acc = 0;
    int v;

    if (len % 4 != 0 || len / 4 * 3 >= outmax)
        return (false);
    for (i = 0; i < len; i++) {
        if (in[i] == '=') {
            if (i < len - 2 || (i == len - 2 && in[len - 1] != '='))
                return (false);
            pad++;
            acc <<= 6;
        } else {
            if (pad || (v = b64_value((unsigned char)in[i])) < 0)
                return (false);
            acc = (acc << 6) | (unsigned)v;
        }
        if (i % 4 == 3) {
            out[o++] = (char)(acc >> 16);
            out[o++] = (char)(acc >> 8);
            out[o++] = (char)acc;
            acc = 0;
        }
    }
    o -= pad;
    out[o] = 0;
    *out_len = o;
    return (true);
}
