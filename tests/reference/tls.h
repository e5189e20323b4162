/*++
/* NAME
/*	tls 3h
/* SUMMARY
/*	OpenSSL server context of the reference server
/* SYNOPSIS
/*	#include "tls.h"
/*
/*	SSL_CTX *ref_tls_init(const char *cert, const char *key,
/*				const char **error_r)
/*
/*	int	ref_tls_io(SSL *ssl, int ret)
/* DESCRIPTION
/*	ref_tls_init() makes a server context from a PEM certificate chain
/*	and key: TLS 1.2 or newer, no compression, no renegotiation.
/*
/*	ref_tls_io() classifies the result of SSL_accept/SSL_read/
/*	SSL_write on a non-blocking socket: REF_TLS_OK, REF_TLS_WANT_READ,
/*	REF_TLS_WANT_WRITE or REF_TLS_FAIL (closed or broken).
/*--*/

#ifndef REF_TLS_H
#define REF_TLS_H

#include <openssl/ssl.h>

#define REF_TLS_OK 0
#define REF_TLS_WANT_READ 1
#define REF_TLS_WANT_WRITE 2
#define REF_TLS_FAIL 3

extern SSL_CTX *ref_tls_init(const char *, const char *, const char **);
extern int ref_tls_io(SSL *, int);

#endif
