# tests/reference/local.mk: postkontor-refserver, the in-tree reference
# SMTP/POP3/IMAP server (test infrastructure; never installed).
noinst_PROGRAMS += tests/reference/postkontor-refserver
tests_reference_postkontor_refserver_SOURCES = \
	tests/reference/refserver.c \
	tests/reference/loop.h tests/reference/loop.c \
	tests/reference/tls.h tests/reference/tls.c \
	tests/reference/linebuf.h tests/reference/linebuf.c \
	tests/reference/refauth.h tests/reference/refauth.c \
	tests/reference/maildir.h tests/reference/maildir.c \
	tests/reference/keywords.h tests/reference/keywords.c \
	tests/reference/smtp.h tests/reference/smtp-int.h tests/reference/smtp.c \
	tests/reference/smtpauth.c tests/reference/smtpdata.c \
	tests/reference/smtpparse.h tests/reference/smtpparse.c \
	tests/reference/pop3.h tests/reference/pop3.c \
	tests/reference/pop3parse.h tests/reference/pop3parse.c \
	tests/reference/imapparse.h tests/reference/imapparse.c \
	tests/reference/imap.h tests/reference/imap-int.h tests/reference/imap.c \
	tests/reference/imapbox.h tests/reference/imapbox.c \
	tests/reference/imapfetch.c tests/reference/imapsearch.c
tests_reference_postkontor_refserver_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/reference
tests_reference_postkontor_refserver_CFLAGS = $(AM_CFLAGS) $(SSL_CFLAGS) $(CRYPTO_CFLAGS)
tests_reference_postkontor_refserver_LDADD = common/libpostkontor.la \
	$(SSL_LIBS) $(CRYPTO_LIBS)

# Integration tests of the reference server, named by behaviour.
REF_TESTS = \
	tests/integration/t-ref-mail-path.sh \
	tests/integration/t-ref-starttls-injection.sh \
	tests/integration/t-ref-plaintext-login.sh \
	tests/integration/t-ref-smtp-smuggling.sh \
	tests/integration/t-ref-limits.sh \
	tests/integration/t-ref-auth-edge.sh \
	tests/integration/t-ref-login-slowdown.sh \
	tests/integration/t-ref-pop3-session.sh \
	tests/integration/t-ref-imap-session.sh \
	tests/integration/t-ref-imap-keywords.sh \
	tests/integration/t-ref-smtp-policy.sh \
	tests/integration/t-ref-lifecycle.sh \
	tests/integration/t-ref-dovecot-maildir.sh
TESTS += $(REF_TESTS)
EXTRA_DIST += $(REF_TESTS) tests/reference/reflib.sh tests/reference/rawtalk.py

# One scenario (both-stacks.py), the same expected outcomes on both
# stacks: this server, and Postfix + Dovecot with the module, the daemon
# and the milter (started by scripts/stack.sh).
BOTH_TESTS = \
	tests/integration/t-both-refserver.sh \
	tests/integration/t-both-postfix-dovecot.sh
TESTS += $(BOTH_TESTS)
EXTRA_DIST += $(BOTH_TESTS) tests/integration/both-stacks.py
# The server is not installed, so neither is its manual page.
EXTRA_DIST += doc/postkontor-refserver.8
