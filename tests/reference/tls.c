/*++
/* NAME
/*	tls 3
/* SUMMARY
/*	OpenSSL server context of the reference server
/* DESCRIPTION
/*	See tls.h.
/* DIAGNOSTICS
/*	ref_tls_init() returns NULL and a message when the certificate or
/*	key cannot be loaded or do not match.
/*--*/

#include <openssl/err.h>

#include "pk.h"
#include "tls.h"

/* ref_tls_init - make the server context */

SSL_CTX *ref_tls_init(const char *cert, const char *key, const char **error_r)
{
    SSL_CTX *ctx;
    char buf[256];

    if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
        *error_r = pk_error("SSL_CTX_new failed");
        return (NULL);
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_ENABLE_PARTIAL_WRITE);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
        *error_r = pk_error("TLS certificate %s / key %s: %s", cert, key, buf);
        SSL_CTX_free(ctx);
        return (NULL);
    }
    return (ctx);
}

/* ref_tls_io - classify a non-blocking OpenSSL result */

int ref_tls_io(SSL *ssl, int ret)
{
    if (ret > 0)
        return (REF_TLS_OK);
    switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        return (REF_TLS_WANT_READ);
    case SSL_ERROR_WANT_WRITE:
        return (REF_TLS_WANT_WRITE);
    default:
        ERR_clear_error();
        return (REF_TLS_FAIL);
    }
}
