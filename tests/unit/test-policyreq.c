/*++
/* NAME
/*	test-policyreq 1
/* SUMMARY
/*	unit tests for common/policyreq.c
/*--*/

#include "policyreq.h"
#include "test.h"

#define REQ                                                                    \
    "request=smtpd_access_policy\nprotocol_state=RCPT\n"                       \
    "protocol_name=ESMTP\nsender=a@example.se\nrecipient=b@example.se\n"       \
    "sasl_username=a@example.se\ninstance=12.34.5\nsize=1234\n"                \
    "policy_context=submission\nfuture_attribute=x=y\n\n"

static void test_policyreq_end_found(void)
{
    test_begin("policyreq: the end is the first empty line");
    test_assert_int(pk_policyreq_end(REQ, strlen(REQ)), strlen(REQ));
    test_assert_int(pk_policyreq_end(REQ "request=", strlen(REQ) + 8),
                    strlen(REQ));
    test_assert_int(pk_policyreq_end(REQ, strlen(REQ) - 1), 0);
    test_assert_int(pk_policyreq_end("a=b\n", 4), 0);
    test_assert_int(pk_policyreq_end("", 0), 0);
    test_assert_int(pk_policyreq_end("\n", 1), 1);
    test_end();
}

static void test_policyreq_parse_known_and_unknown(void)
{
    char buf[] = REQ;
    struct pk_policyreq req;

    test_begin("policyreq: known attributes are read, unknown ones skipped");
    test_assert_int(pk_policyreq_parse(buf, strlen(buf), &req), PK_OK);
    test_assert_str(req.protocol_state, "RCPT");
    test_assert_str(req.sender, "a@example.se");
    test_assert_str(req.recipient, "b@example.se");
    test_assert_str(req.sasl_username, "a@example.se");
    test_assert_str(req.instance, "12.34.5");
    test_assert_str(req.policy_context, "submission");
    test_assert_str(req.client_address, "");
    test_assert_int(req.size, 1234);
    test_assert_int(req.recipient_count, 0);
    test_assert_int(req.attrs, 10);
    test_end();
}

static void test_policyreq_every_known_attribute(void)
{
    /* Each known name, and unknown names of the same lengths. */
    char buf[] = "request=smtpd_access_policy\nprotocol_state=RCPT\n"
                 "protocol_name=SMTP\ninstance=1.2\nsasl_username=u@x.se\n"
                 "sender=s@x.se\nrecipient=r@x.se\nclient_address=::1\n"
                 "policy_context=p\nqueue_id=Q1\nrecipient_count=3\n"
                 "size=7\nsizz=9\nsenderr=x\nsendex=y\nrequesT=z\n"
                 "instancx=w\nrecipiend=v\nsasl_usernamx=t\n"
                 "client_addresx=q\nrecipient_counx=5\n\n";
    struct pk_policyreq req;

    test_begin("policyreq: every known attribute, look-alikes skipped");
    test_assert_int(pk_policyreq_parse(buf, strlen(buf), &req), PK_OK);
    test_assert_str(req.request, "smtpd_access_policy");
    test_assert_str(req.protocol_state, "RCPT");
    test_assert_str(req.protocol_name, "SMTP");
    test_assert_str(req.instance, "1.2");
    test_assert_str(req.sasl_username, "u@x.se");
    test_assert_str(req.sender, "s@x.se");
    test_assert_str(req.recipient, "r@x.se");
    test_assert_str(req.client_address, "::1");
    test_assert_str(req.policy_context, "p");
    test_assert_str(req.queue_id, "Q1");
    test_assert_int(req.recipient_count, 3);
    test_assert_int(req.size, 7);
    test_assert_int(req.attrs, 21);
    test_end();
}

static void test_policyreq_malformed_refused(void)
{
    char noeq[] = "request=smtpd_access_policy\nbogus\n\n";
    char noname[] = "request=smtpd_access_policy\n=x\n\n";
    char notpolicy[] = "request=other\n\n";
    char empty[] = "\n";
    char nul[] = "request=smtpd_access_policy\nsender=a\0b\n\n";
    struct pk_policyreq req;

    test_begin(
        "policyreq: lines without '=', NUL bytes and other requests refused");
    test_assert_int(pk_policyreq_parse(noeq, strlen(noeq), &req), PK_EINVAL);
    test_assert_int(pk_policyreq_parse(noname, strlen(noname), &req),
                    PK_EINVAL);
    test_assert_int(pk_policyreq_parse(notpolicy, strlen(notpolicy), &req),
                    PK_EINVAL);
    test_assert_int(pk_policyreq_parse(empty, 1, &req), PK_EINVAL);
    test_assert_int(pk_policyreq_parse(nul, sizeof(nul) - 1, &req), PK_EINVAL);
    test_end();
}

static void test_policyreq_numbers_bounded(void)
{
    char big[] = "request=smtpd_access_policy\nsize=99999999999999999999999\n"
                 "recipient_count=12x\n\n";
    struct pk_policyreq req;

    test_begin(
        "policyreq: a number that overflows or is not decimal reads as 0");
    test_assert_int(pk_policyreq_parse(big, strlen(big), &req), PK_OK);
    test_assert_int(req.size, 0);
    test_assert_int(req.recipient_count, 0);
    test_end();
}

static void test_policyreq_too_many_lines(void)
{
    size_t n = PK_POLICYREQ_ATTRS_MAX + 2, len = 0;
    char *buf = malloc(n * 4 + 64);
    struct pk_policyreq req;

    test_begin("policyreq: more lines than the limit are refused");
    len += (size_t)sprintf(buf, "request=smtpd_access_policy\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(buf + len, "a=\n");
    buf[len++] = '\n';
    test_assert_int(pk_policyreq_parse(buf, len, &req), PK_EINVAL);
    free(buf);
    test_end();
}

int main(void)
{
    test_policyreq_end_found();
    test_policyreq_parse_known_and_unknown();
    test_policyreq_every_known_attribute();
    test_policyreq_malformed_refused();
    test_policyreq_numbers_bounded();
    test_policyreq_too_many_lines();
    return test_exit();
}
