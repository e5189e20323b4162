/*++
/* NAME
/*	policyreq 3h
/* SUMMARY
/*	the Postfix policy delegation request parser
/* SYNOPSIS
/*	#include "policyreq.h"
/* DESCRIPTION
/*	A policy request (Postfix SMTPD_POLICY_README, "Protocol
/*	description") is a series of "name=value" lines, each ended by a
/*	newline, and ended itself by an empty line. Postfix sends many
/*	requests on one connection.
/*
/*	pk_policyreq_end() answers how many bytes the first complete
/*	request in the buffer takes, the empty line included, or 0 when
/*	the request has not ended yet.
/*
/*	pk_policyreq_parse() parses one complete request in place: it
/*	replaces each newline with NUL, and the fields of the result point
/*	into the buffer, so they live as long as it does. Attributes it
/*	does not know are skipped, as the protocol requires (Postfix adds
/*	attributes over time); a repeated known attribute keeps its last
/*	value. A field absent from the request is "". It answers PK_OK, or
/*	PK_EINVAL when a line has no "=", holds a NUL byte, a name is
/*	empty, there are more than PK_POLICYREQ_ATTRS_MAX lines, or the
/*	request is not "request=smtpd_access_policy".
/*
/*	Numeric attributes (recipient_count, size) are parsed into
/*	numbers; a value that is not a decimal number reads as 0.
/* SECURITY
/*	The input comes from a socket. The caller bounds the request size
/*	(PK_POLICYREQ_MAX) before calling; the parser never reads past the
/*	length it is given.
/*--*/

#ifndef PK_POLICYREQ_H
#define PK_POLICYREQ_H

#include <stddef.h>
#include <stdint.h>

#include "pk.h"

#define PK_POLICYREQ_MAX 65536      /* bytes in one request */
#define PK_POLICYREQ_ATTRS_MAX 1000 /* lines in one request */

struct pk_policyreq {
    const char *request;        /* "smtpd_access_policy" */
    const char *protocol_state; /* RCPT, DATA, END-OF-MESSAGE, ... */
    const char *protocol_name;  /* SMTP, ESMTP */
    const char *instance;       /* unique per message */
    const char *sasl_username;  /* "" unless authenticated */
    const char *sender;         /* "" for the null sender */
    const char *recipient;
    const char *client_address;
    const char *policy_context; /* from master.cf / main.cf */
    const char *queue_id;
    uint64_t recipient_count;
    uint64_t size;
    size_t attrs; /* lines, known or not */
};

extern size_t pk_policyreq_end(const char *, size_t);
extern int pk_policyreq_parse(char *, size_t, struct pk_policyreq *);

#endif
