/*++
/* NAME
/*	password 3
/* SUMMARY
/*	Dovecot-compatible password hashes
/* SYNOPSIS
/*	#include "password.h"
/*
/*	int	pk_password_check_new(const char *plain, const char **error_r)
/*
/*	int	pk_password_hash(const char *plain, char out[PK_HASH_MAX + 1],
/*				const char **error_r)
/*
/*	int	pk_password_verify(const char *plain, const char *stored,
/*				const char **error_r)
/*
/*	void	pk_password_verify_dummy(const char *plain)
/*
/*	int	pk_password_check_hash(const char *stored, const char **error_r)
/* DESCRIPTION
/*	This module reads and writes Dovecot's password scheme strings,
/*	"{SCHEME}hash", so that Dovecot verifies what we store and we
/*	verify what Dovecot made.
/*
/*	pk_password_check_new() accepts a new plaintext of 1 to
/*	PK_PASSWORD_MAX bytes with no control character: a CR or LF
/*	would split a line of a passwd-file, an import or a protocol.
/*	A C string cannot hold a NUL, so a caller that reads a counted
/*	buffer must refuse an embedded NUL itself.
/*
/*	pk_password_hash() checks the plaintext as above and writes
/*	"{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$salt$hash" to out: a
/*	16-byte salt from getrandom(2) and a 32-byte hash, the parameters
/*	of Dovecot's own ARGON2ID and the OWASP floor. It returns
/*	PK_EINVAL for a refused plaintext, PK_ETEMP when getrandom(2)
/*	fails and PK_ENOMEM when Argon2 gets no memory; out is then empty.
/*
/*	pk_password_verify() answers PK_OK when plain matches stored,
/*	PK_NOTFOUND when it does not, PK_EINVAL when stored is not a hash
/*	that pk_password_check_hash() accepts, and PK_ENOMEM when the hash
/*	function cannot get its memory. A plaintext longer than
/*	PK_PASSWORD_MAX never matches and costs a dummy verification:
/*	SHA-crypt time grows with the length of its input.
/*
/*	pk_password_verify_dummy() verifies plain against a fixed hash
/*	made the way pk_password_hash() makes one, and ignores the answer.
/*
/*	pk_password_check_hash() accepts these schemes, in any case:
/*	ARGON2ID and ARGON2I (the encoded string must name the same
/*	algorithm), BLF-CRYPT ($2a$, $2b$, $2y$), SHA512-CRYPT ($6$),
/*	SHA256-CRYPT ($5$), MD5-CRYPT ($1$), DES-CRYPT, CRYPT (any method
/*	libxcrypt knows: yescrypt, scrypt, the above) and SSHA512 (base64,
/*	or hex with Dovecot's ".HEX" suffix). An Argon2 hash that asks
/*	for more than 1 GiB of memory is refused: every login would have
/*	to allocate it. Plaintext schemes ({PLAIN}, {CLEAR}, ...) are
/*	refused, and so is a string over PK_HASH_MAX bytes or with
/*	whitespace, ':' or a control character, which would break a line
/*	of a Dovecot passwd-file.
/* DIAGNOSTICS
/*	Functions that take error_r set it, on any answer but PK_OK, to a
/*	message from pk_error(). A message may name the scheme; it never
/*	holds the plaintext or the hash.
/* SECURITY
/*	A stored hash comes from the database or from an import file, so
/*	every field is parsed with bounds before a hash function sees it.
/*	The final comparison is constant-time (CRYPTO_memcmp()). Argon2
/*	is recomputed here with argon2_hash() rather than argon2_verify(),
/*	which frees its copy of the derived hash without wiping it. Every
/*	buffer this module fills with the plaintext or a derived hash is
/*	wiped before it is released.
/*--*/

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "password.h"

/* A new hash: the parameters of Dovecot's ARGON2ID. */
#define PK_ARGON2_T_COST 3
#define PK_ARGON2_M_COST 65536 /* KiB */
#define PK_ARGON2_LANES 1
#define PK_ARGON2_SALT_LEN 16
#define PK_ARGON2_HASH_LEN 32

/* What a stored Argon2 hash may ask of a login. */
#define PK_ARGON2_M_COST_MAX (1024 * 1024) /* KiB: 1 GiB */
#define PK_ARGON2_T_COST_MAX 100
#define PK_ARGON2_LANES_MAX 16
#define PK_ARGON2_SALT_MIN 8
#define PK_ARGON2_SALT_MAX 64
#define PK_ARGON2_HASH_MIN 16
#define PK_ARGON2_HASH_MAX 64

#define PK_SHA512_LEN 64
#define PK_SCHEME_NAME_MAX 32

/*
 * Made once with "doveadm pw -s ARGON2ID" from a random password that
 * was thrown away; same parameters as PK_ARGON2_* above.
 */
static const char pk_password_dummy_hash[] =
    "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$9cUTGz8cdp56Y4YMim+QOA$"
    "fcKmGRHJiO4wxH5P1PcQiX5D6M8xFDhzns+a/ZPu/Tg";

enum pk_password_encoding {
    PK_PASSWORD_ENC_BASE64,
    PK_PASSWORD_ENC_HEX,
};

struct pk_password_stored;

struct pk_password_scheme {
    const char *name;
    int (*check)(const struct pk_password_stored *, const char **);
    int (*verify)(const struct pk_password_stored *, const char *,
                  const char **);
    argon2_type argon2; /* ARGON2*: the algorithm */
    const char *prefix; /* *-CRYPT: what the hash starts with */
    const char *what;   /* *-CRYPT: for messages */
    int encodings;      /* a ".B64"/".HEX" suffix is understood */
};

/* A stored scheme string, split. */
struct pk_password_stored {
    const struct pk_password_scheme *scheme;
    const char *hash; /* after the "}" */
    enum pk_password_encoding encoding;
};

/* A stored Argon2 hash, decoded. */
struct pk_password_argon2 {
    uint32_t version;
    uint32_t m_cost;
    uint32_t t_cost;
    uint32_t lanes;
    unsigned char salt[PK_ARGON2_SALT_MAX];
    size_t salt_len;
    unsigned char hash[PK_ARGON2_HASH_MAX];
    size_t hash_len;
};

/* crypt(3) methods whose hash, after the last '$', has a fixed length. */
static const struct pk_password_crypt_method {
    const char *prefix;
    size_t tail_len;
} pk_password_crypt_methods[] = {
    {"$1$", 22}, {"$5$", 43},  {"$6$", 86},
    {"$y$", 43}, {"$gy$", 43}, {"$7$", 43},
};

/* Dovecot's plaintext schemes: refused with their own message. */
static const char *const pk_password_plaintext[] = {
    "PLAIN",
    "CLEAR",
    "CLEARTEXT",
    "PLAIN-TRUNC",
};

#define PK_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* pk_password_refuse - set the error message, return the status */

__attribute__((format(printf, 3, 4))) static int
pk_password_refuse(const char **error_r, int status, const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    va_start(ap, fmt);
    msg = pk_verror(fmt, ap);
    va_end(ap);
    if (error_r != NULL)
        *error_r = msg;
    return status;
}

/* pk_password_is_crypt64 - is c in the alphabet of crypt(3) hashes? */

static int pk_password_is_crypt64(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '/';
}

/* pk_password_crypt64_all - is all of s in the crypt(3) alphabet? */

static int pk_password_crypt64_all(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (!pk_password_is_crypt64((unsigned char)s[i]))
            return 0;
    return len == strlen(s);
}

/* pk_password_b64_decode - decode base64, with or without padding */

static int pk_password_b64_decode(const char *in, size_t len,
                                  unsigned char *out, size_t out_max,
                                  size_t *out_len_r)
{
    unsigned char quad[PK_HASH_MAX + 4];
    unsigned char raw[(PK_HASH_MAX + 4) / 4 * 3];
    size_t pad = 0;
    int n;

    /* Argon2 leaves the padding out; Dovecot's SSHA512 keeps it. */
    if (len == 0 || len > PK_HASH_MAX || len % 4 == 1)
        return -1;
    memcpy(quad, in, len);
    while (len % 4 != 0)
        quad[len++] = '=';
    while (pad < 3 && quad[len - 1 - pad] == '=')
        pad++;
    /* EVP_DecodeBlock() takes a '=' anywhere; padding is only at the end. */
    if (pad > 2 || memchr(quad, '=', len - pad) != NULL)
        return -1;
    n = EVP_DecodeBlock(raw, quad, (int)len);
    if (n < 0 || (size_t)n - pad > out_max) {
        pk_wipe(raw, sizeof(raw));
        return -1;
    }
    *out_len_r = (size_t)n - pad;
    memcpy(out, raw, *out_len_r);
    pk_wipe(raw, sizeof(raw));
    return 0;
}

/* pk_password_hex_decode - decode an even number of hex digits */

static int pk_password_hex_decode(const char *in, unsigned char *out,
                                  size_t out_max, size_t *out_len_r)
{
    size_t len = strlen(in);

    /* Checked first: OPENSSL_hexstr2buf_ex() reports into the error queue. */
    if (len == 0 || len % 2 != 0 || len / 2 > out_max ||
        strspn(in, "0123456789abcdefABCDEF") != len)
        return -1;
    return OPENSSL_hexstr2buf_ex(out, out_max, out_len_r, in, '\0') == 1 ? 0
                                                                         : -1;
}

/* pk_password_argon2_number - read "key=decimal" */

static const char *pk_password_argon2_number(const char *p, const char *key,
                                             uint32_t *value_r)
{
    size_t key_len = strlen(key);
    uint64_t value = 0;
    const char *start;

    if (strncmp(p, key, key_len) != 0)
        return NULL;
    for (start = p += key_len; *p >= '0' && *p <= '9'; p++) {
        value = value * 10 + (uint64_t)(*p - '0');
        if (value > UINT32_MAX)
            return NULL;
    }
    if (p == start)
        return NULL;
    *value_r = (uint32_t)value;
    return p;
}

/* pk_password_argon2_fields - decode "[v=N$]m=N,t=N,p=N$salt$hash" */

static int pk_password_argon2_fields(const char *p,
                                     struct pk_password_argon2 *a)
{
    const char *dollar;

    a->version = ARGON2_VERSION_10; /* what an encoding without v= means */
    if (strncmp(p, "v=", 2) == 0 &&
        ((p = pk_password_argon2_number(p, "v=", &a->version)) == NULL ||
         *p++ != '$'))
        return -1;
    if ((p = pk_password_argon2_number(p, "m=", &a->m_cost)) == NULL ||
        *p++ != ',' ||
        (p = pk_password_argon2_number(p, "t=", &a->t_cost)) == NULL ||
        *p++ != ',' ||
        (p = pk_password_argon2_number(p, "p=", &a->lanes)) == NULL ||
        *p++ != '$' || (dollar = strchr(p, '$')) == NULL)
        return -1;
    if (pk_password_b64_decode(p, (size_t)(dollar - p), a->salt,
                               sizeof(a->salt), &a->salt_len) < 0 ||
        pk_password_b64_decode(dollar + 1, strlen(dollar + 1), a->hash,
                               sizeof(a->hash), &a->hash_len) < 0)
        return -1;
    return 0;
}

/* pk_password_argon2_parse - decode a stored Argon2 hash and bound it */

static int pk_password_argon2_parse(const struct pk_password_stored *st,
                                    struct pk_password_argon2 *a,
                                    const char **error_r)
{
    const char *name = st->scheme->name;
    const char *tag =
        st->scheme->argon2 == Argon2_id ? "$argon2id$" : "$argon2i$";

    if (strncmp(st->hash, tag, strlen(tag)) != 0)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "%s hash does not start with %s", name, tag);
    if (pk_password_argon2_fields(st->hash + strlen(tag), a) < 0)
        return pk_password_refuse(error_r, PK_EINVAL, "%s hash is malformed",
                                  name);
    if (a->m_cost > PK_ARGON2_M_COST_MAX)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "%s hash asks for more than 1 GiB of memory",
                                  name);
    if ((a->version != ARGON2_VERSION_10 && a->version != ARGON2_VERSION_13) ||
        a->lanes < 1 || a->lanes > PK_ARGON2_LANES_MAX || a->t_cost < 1 ||
        a->t_cost > PK_ARGON2_T_COST_MAX || a->m_cost < 8 * a->lanes ||
        a->salt_len < PK_ARGON2_SALT_MIN || a->hash_len < PK_ARGON2_HASH_MIN)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "%s hash has parameters out of range", name);
    return PK_OK;
}

/* pk_password_argon2_check - is a stored Argon2 hash well formed? */

static int pk_password_argon2_check(const struct pk_password_stored *st,
                                    const char **error_r)
{
    struct pk_password_argon2 a;
    int status;

    status = pk_password_argon2_parse(st, &a, error_r);
    pk_wipe(&a, sizeof(a));
    return status;
}

/*
 * Argon2's work area (64 MiB for our hashes) is kept per thread between
 * verifications: mapping it afresh costs a page fault per 4 KiB, a third of
 * a login's time in a server that verifies passwords itself. libargon2
 * wipes the area before it hands it back (clear_internal_memory).
 */
static _Thread_local uint8_t *pk_argon2_area;
static _Thread_local size_t pk_argon2_area_size;

/* pk_password_argon2_alloc - the thread's work area, grown if needed */

static int pk_password_argon2_alloc(uint8_t **memory, size_t size)
{
    if (size > pk_argon2_area_size) {
        free(pk_argon2_area);
        pk_argon2_area_size = 0;
        if ((pk_argon2_area = malloc(size)) == NULL)
            return ARGON2_MEMORY_ALLOCATION_ERROR;
        pk_argon2_area_size = size;
    }
    *memory = pk_argon2_area;
    return ARGON2_OK;
}

/* pk_password_argon2_free - keep the work area for the next verification */

static void pk_password_argon2_free(uint8_t *memory, size_t size)
{
    (void)memory;
    (void)size;
}

/* pk_password_argon2_verify - recompute an Argon2 hash and compare */

static int pk_password_argon2_verify(const struct pk_password_stored *st,
                                     const char *plain, const char **error_r)
{
    struct pk_password_argon2 a;
    unsigned char out[PK_ARGON2_HASH_MAX];
    int status, rc;

    if ((status = pk_password_argon2_parse(st, &a, error_r)) != PK_OK) {
        pk_wipe(&a, sizeof(a));
        return status;
    }
    argon2_context ctx = {
        .out = out,
        .outlen = a.hash_len,
        /* Not written: ARGON2_FLAG_CLEAR_PASSWORD is not set. */
        .pwd = (uint8_t *)(uintptr_t)plain,
        .pwdlen = (uint32_t)strlen(plain),
        .salt = a.salt,
        .saltlen = a.salt_len,
        .t_cost = a.t_cost,
        .m_cost = a.m_cost,
        .lanes = a.lanes,
        .threads = a.lanes,
        .version = a.version,
        .allocate_cbk = pk_password_argon2_alloc,
        .free_cbk = pk_password_argon2_free,
        .flags = ARGON2_DEFAULT_FLAGS,
    };

    rc = argon2_ctx(&ctx, st->scheme->argon2);
    if (rc != ARGON2_OK)
        status = pk_password_refuse(
            error_r,
            rc == ARGON2_MEMORY_ALLOCATION_ERROR ? PK_ENOMEM : PK_EINVAL,
            "%s verification failed: %s", st->scheme->name,
            argon2_error_message(rc));
    else if (CRYPTO_memcmp(out, a.hash, a.hash_len) == 0)
        status = PK_OK;
    else
        status =
            pk_password_refuse(error_r, PK_NOTFOUND, "password does not match");
    pk_wipe(out, sizeof(out));
    pk_wipe(&a, sizeof(a));
    return status;
}

/* pk_password_bcrypt_shape - "$2b$NN$" and 53 characters? */

static int pk_password_bcrypt_shape(const char *h)
{
    int cost;

    if (strncmp(h, "$2", 2) != 0 ||
        (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') || h[3] != '$' ||
        h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' || h[6] != '$')
        return -1;
    cost = (h[4] - '0') * 10 + (h[5] - '0');
    if (cost < 4 || cost > 31)
        return -1;
    /* 22 characters of salt, then 31 of hash. */
    return pk_password_crypt64_all(h + 7, 53) ? 0 : -1;
}

/* pk_password_crypt_shape - does a crypt(3) hash look complete? */

static int pk_password_crypt_shape(const char *h)
{
    const struct pk_password_crypt_method *m;
    const char *tail;
    int cs;

    if (strncmp(h, "$2", 2) == 0)
        return pk_password_bcrypt_shape(h);
    /* Traditional DES: two characters of salt, eleven of hash. */
    if (h[0] != '$' && h[0] != '_')
        return pk_password_crypt64_all(h, 13) ? 0 : -1;
    cs = crypt_checksalt(h);
    if (cs != CRYPT_SALT_OK && cs != CRYPT_SALT_METHOD_LEGACY)
        return -1;
    /* BSDi extended DES: "_", four of count, four of salt, eleven of hash. */
    if (h[0] == '_')
        return pk_password_crypt64_all(h + 1, 19) ? 0 : -1;
    tail = strrchr(h, '$') + 1;
    if (*tail == 0 || !pk_password_crypt64_all(tail, strlen(tail)))
        return -1;
    for (m = pk_password_crypt_methods;
         m < pk_password_crypt_methods + PK_NELEM(pk_password_crypt_methods);
         m++)
        if (strncmp(h, m->prefix, strlen(m->prefix)) == 0)
            return strlen(tail) == m->tail_len ? 0 : -1;
    return 0;
}

/* pk_password_crypt_check - is a stored crypt(3) hash well formed? */

static int pk_password_crypt_check(const struct pk_password_stored *st,
                                   const char **error_r)
{
    const char *prefix = st->scheme->prefix;
    int ok;

    if (prefix == NULL)
        ok = 1;
    else if (*prefix == 0) /* DES-CRYPT */
        ok = st->hash[0] != '$' && st->hash[0] != '_';
    else
        ok = strncmp(st->hash, prefix, strlen(prefix)) == 0;
    if (!ok || pk_password_crypt_shape(st->hash) < 0)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "%s hash is not a well-formed %s hash",
                                  st->scheme->name, st->scheme->what);
    return PK_OK;
}

/* pk_password_crypt_verify - run crypt(3) and compare */

static int pk_password_crypt_verify(const struct pk_password_stored *st,
                                    const char *plain, const char **error_r)
{
    struct crypt_data *data;
    const char *out;
    size_t len = strlen(st->hash);
    int status;

    /* About 32 KiB: too big for the stack of a milter thread. */
    if ((data = calloc(1, sizeof(*data))) == NULL)
        return pk_password_refuse(error_r, PK_ENOMEM, "out of memory");
    out = crypt_rn(plain, st->hash, data, (int)sizeof(*data));
    if (out == NULL)
        status = pk_password_refuse(
            error_r, errno == ENOMEM ? PK_ENOMEM : PK_EINVAL,
            "%s hash is not usable by crypt(3)", st->scheme->name);
    else if (strlen(out) == len && CRYPTO_memcmp(out, st->hash, len) == 0)
        status = PK_OK;
    else
        status =
            pk_password_refuse(error_r, PK_NOTFOUND, "password does not match");
    pk_wipe(data, sizeof(*data));
    free(data);
    return status;
}

/* pk_password_ssha512_decode - the digest and salt of a stored SSHA512 */

static int pk_password_ssha512_decode(const struct pk_password_stored *st,
                                      unsigned char *raw, size_t raw_max,
                                      size_t *len_r)
{
    int rc;

    if (st->encoding == PK_PASSWORD_ENC_HEX)
        rc = pk_password_hex_decode(st->hash, raw, raw_max, len_r);
    else
        rc = pk_password_b64_decode(st->hash, strlen(st->hash), raw, raw_max,
                                    len_r);
    /* Dovecot's layout: sha512(plain || salt) || salt, salt not empty. */
    return rc == 0 && *len_r > PK_SHA512_LEN ? 0 : -1;
}

/* pk_password_ssha512_check - is a stored SSHA512 hash well formed? */

static int pk_password_ssha512_check(const struct pk_password_stored *st,
                                     const char **error_r)
{
    unsigned char raw[PK_HASH_MAX];
    size_t len;
    int rc;

    rc = pk_password_ssha512_decode(st, raw, sizeof(raw), &len);
    pk_wipe(raw, sizeof(raw));
    if (rc < 0)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "SSHA512 hash is malformed");
    return PK_OK;
}

/* pk_password_ssha512_digest - sha512(plain || salt) */

static int pk_password_ssha512_digest(const char *plain,
                                      const unsigned char *salt,
                                      size_t salt_len, unsigned char *digest)
{
    EVP_MD_CTX *ctx;
    unsigned int len;
    int ok;

    if ((ctx = EVP_MD_CTX_new()) == NULL)
        return -1;
    ok = EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) &&
         EVP_DigestUpdate(ctx, plain, strlen(plain)) &&
         EVP_DigestUpdate(ctx, salt, salt_len) &&
         EVP_DigestFinal_ex(ctx, digest, &len) && len == PK_SHA512_LEN;
    /* Frees and cleanses the context, which saw the plaintext. */
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* pk_password_ssha512_verify - recompute an SSHA512 digest and compare */

static int pk_password_ssha512_verify(const struct pk_password_stored *st,
                                      const char *plain, const char **error_r)
{
    unsigned char raw[PK_HASH_MAX];
    unsigned char digest[EVP_MAX_MD_SIZE];
    size_t len;
    int status;

    if (pk_password_ssha512_decode(st, raw, sizeof(raw), &len) < 0)
        status =
            pk_password_refuse(error_r, PK_EINVAL, "SSHA512 hash is malformed");
    else if (pk_password_ssha512_digest(plain, raw + PK_SHA512_LEN,
                                        len - PK_SHA512_LEN, digest) < 0)
        status = pk_password_refuse(error_r, PK_ENOMEM,
                                    "OpenSSL could not compute SHA-512");
    else if (CRYPTO_memcmp(digest, raw, PK_SHA512_LEN) == 0)
        status = PK_OK;
    else
        status =
            pk_password_refuse(error_r, PK_NOTFOUND, "password does not match");
    pk_wipe(digest, sizeof(digest));
    pk_wipe(raw, sizeof(raw));
    return status;
}

/* The schemes we verify; Dovecot names them in any case. */

#define PK_ARGON2(n, t)                                                        \
    {                                                                          \
        .name = (n), .check = pk_password_argon2_check,                        \
        .verify = pk_password_argon2_verify, .argon2 = (t)                     \
    }
#define PK_CRYPT(n, p, w)                                                      \
    {                                                                          \
        .name = (n), .check = pk_password_crypt_check,                         \
        .verify = pk_password_crypt_verify, .prefix = (p), .what = (w)         \
    }

static const struct pk_password_scheme pk_password_schemes[] = {
    PK_ARGON2("ARGON2ID", Argon2_id),
    PK_ARGON2("ARGON2I", Argon2_i),
    PK_CRYPT("BLF-CRYPT", "$2", "bcrypt ($2a$, $2b$ or $2y$)"),
    PK_CRYPT("SHA512-CRYPT", "$6$", "SHA-512 crypt ($6$)"),
    PK_CRYPT("SHA256-CRYPT", "$5$", "SHA-256 crypt ($5$)"),
    PK_CRYPT("MD5-CRYPT", "$1$", "MD5 crypt ($1$)"),
    PK_CRYPT("DES-CRYPT", "", "traditional DES crypt"),
    PK_CRYPT("CRYPT", NULL, "crypt(3)"),
    {.name = "SSHA512",
     .check = pk_password_ssha512_check,
     .verify = pk_password_ssha512_verify,
     .encodings = 1},
};

/* pk_password_scheme_name - copy the name from "{NAME}", find the hash */

static int pk_password_scheme_name(const char *stored, char *name,
                                   const char **hash_r)
{
    size_t i;
    int c;

    if (stored[0] != '{')
        return -1;
    for (i = 0; i < PK_SCHEME_NAME_MAX; i++) {
        c = (unsigned char)stored[i + 1];
        if (c == '}' && i > 0) {
            name[i] = 0;
            *hash_r = stored + i + 2;
            return 0;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
            return -1;
        name[i] = (char)c;
    }
    return -1;
}

/* pk_password_scheme_find - the scheme of a name, in any case */

static const struct pk_password_scheme *
pk_password_scheme_find(const char *name)
{
    size_t i;

    for (i = 0; i < PK_NELEM(pk_password_schemes); i++)
        if (strcasecmp(name, pk_password_schemes[i].name) == 0)
            return &pk_password_schemes[i];
    return NULL;
}

/* pk_password_is_plaintext - is this one of Dovecot's plaintext schemes? */

static int pk_password_is_plaintext(const char *name)
{
    size_t i;

    for (i = 0; i < PK_NELEM(pk_password_plaintext); i++)
        if (strcasecmp(name, pk_password_plaintext[i]) == 0)
            return 1;
    return 0;
}

/* pk_password_encoding - the encoding a ".B64"/".HEX" suffix asks for */

static int pk_password_encoding(struct pk_password_stored *st,
                                const char *suffix, const char **error_r)
{
    st->encoding = PK_PASSWORD_ENC_BASE64;
    if (suffix == NULL)
        return PK_OK;
    if (st->scheme->encodings &&
        (strcasecmp(suffix, "B64") == 0 || strcasecmp(suffix, "BASE64") == 0))
        return PK_OK;
    if (st->scheme->encodings && strcasecmp(suffix, "HEX") == 0) {
        st->encoding = PK_PASSWORD_ENC_HEX;
        return PK_OK;
    }
    return pk_password_refuse(error_r, PK_EINVAL,
                              "password scheme %s takes no encoding suffix "
                              "\".%s\"",
                              st->scheme->name, suffix);
}

/* pk_password_parse - split "{SCHEME}hash" and find the scheme */

static int pk_password_parse(const char *stored, struct pk_password_stored *st,
                             const char **error_r)
{
    char name[PK_SCHEME_NAME_MAX + 1];
    char *suffix;
    const unsigned char *p;

    if (stored == NULL || pk_password_scheme_name(stored, name, &st->hash) < 0)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "password hash does not start with a "
                                  "{SCHEME} prefix");
    if ((suffix = strchr(name, '.')) != NULL)
        *suffix++ = 0;
    if (pk_password_is_plaintext(name))
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "plaintext passwords are not stored: "
                                  "scheme {%s} refused",
                                  name);
    if ((st->scheme = pk_password_scheme_find(name)) == NULL)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "unsupported password scheme {%s}", name);
    if (pk_password_encoding(st, suffix, error_r) != PK_OK)
        return PK_EINVAL;
    if (strnlen(stored, PK_HASH_MAX + 1) > PK_HASH_MAX)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "password hash is longer than %d bytes",
                                  PK_HASH_MAX);
    for (p = (const unsigned char *)st->hash; *p != 0; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == ':')
            return pk_password_refuse(error_r, PK_EINVAL,
                                      "password hash contains whitespace, "
                                      "':', a control character or a "
                                      "non-ASCII byte");
    return PK_OK;
}

/* pk_password_load - parse a stored hash and check that it is well formed */

static int pk_password_load(const char *stored, struct pk_password_stored *st,
                            const char **error_r)
{
    int status;

    if ((status = pk_password_parse(stored, st, error_r)) != PK_OK)
        return status;
    return st->scheme->check(st, error_r);
}

/* pk_password_salt - fill a buffer from the kernel's random source */

static int pk_password_salt(unsigned char *buf, size_t len,
                            const char **error_r)
{
    size_t done = 0;
    ssize_t n;

    while (done < len) {
        if ((n = getrandom(buf + done, len - done, 0)) < 0) {
            if (errno == EINTR)
                continue;
            return pk_password_refuse(error_r, PK_ETEMP,
                                      "cannot get random bytes: %m");
        }
        done += (size_t)n;
    }
    return PK_OK;
}

/* pk_password_check_new - may this plaintext become a password? */

int pk_password_check_new(const char *plain, const char **error_r)
{
    const unsigned char *p;

    if (plain == NULL || *plain == 0)
        return pk_password_refuse(error_r, PK_EINVAL, "password is empty");
    if (strnlen(plain, PK_PASSWORD_MAX + 1) > PK_PASSWORD_MAX)
        return pk_password_refuse(error_r, PK_EINVAL,
                                  "password is longer than %d bytes",
                                  PK_PASSWORD_MAX);
    for (p = (const unsigned char *)plain; *p != 0; p++)
        if (*p < ' ' || *p == 0x7f)
            return pk_password_refuse(error_r, PK_EINVAL,
                                      "password contains a control "
                                      "character (CR, LF, TAB, ...)");
    return PK_OK;
}

/* pk_password_hash - make a new {ARGON2ID} hash */

int pk_password_hash(const char *plain, char out[PK_HASH_MAX + 1],
                     const char **error_r)
{
    static const char tag[] = "{ARGON2ID}";
    unsigned char salt[PK_ARGON2_SALT_LEN];
    int status, rc;

    out[0] = 0;
    if ((status = pk_password_check_new(plain, error_r)) != PK_OK ||
        (status = pk_password_salt(salt, sizeof(salt), error_r)) != PK_OK)
        return status;
    memcpy(out, tag, sizeof(tag) - 1);
    rc = argon2id_hash_encoded(
        PK_ARGON2_T_COST, PK_ARGON2_M_COST, PK_ARGON2_LANES, plain,
        strlen(plain), salt, sizeof(salt), PK_ARGON2_HASH_LEN,
        out + sizeof(tag) - 1, PK_HASH_MAX + 1 - (sizeof(tag) - 1));
    pk_wipe(salt, sizeof(salt));
    if (rc != ARGON2_OK) {
        pk_wipe(out, PK_HASH_MAX + 1);
        return pk_password_refuse(
            error_r,
            rc == ARGON2_MEMORY_ALLOCATION_ERROR ? PK_ENOMEM : PK_ETEMP,
            "cannot make an ARGON2ID hash: %s", argon2_error_message(rc));
    }
    return PK_OK;
}

/* pk_password_verify - does a plaintext match a stored hash? */

int pk_password_verify(const char *plain, const char *stored,
                       const char **error_r)
{
    struct pk_password_stored st;
    int status;

    if ((status = pk_password_load(stored, &st, error_r)) != PK_OK)
        return status;
    if (plain == NULL)
        return pk_password_refuse(error_r, PK_EINVAL, "no password given");
    if (strnlen(plain, PK_PASSWORD_MAX + 1) > PK_PASSWORD_MAX) {
        pk_password_verify_dummy(plain);
        return pk_password_refuse(error_r, PK_NOTFOUND,
                                  "password does not match");
    }
    return st.scheme->verify(&st, plain, error_r);
}

/* pk_password_verify_dummy - spend what verifying a fresh hash costs */

void pk_password_verify_dummy(const char *plain)
{
    struct pk_password_stored st;
    const char *error;

    /* Not through pk_password_verify(): it calls us for long input. */
    if (pk_password_load(pk_password_dummy_hash, &st, &error) == PK_OK)
        (void)st.scheme->verify(&st, plain != NULL ? plain : "", &error);
}

/* pk_password_check_hash - is a scheme string one we accept? */

int pk_password_check_hash(const char *stored, const char **error_r)
{
    struct pk_password_stored st;

    return pk_password_load(stored, &st, error_r);
}
