# postfix-policy/local.mk: postkontor-postfix, the socketmap and policy
# daemon for Postfix, and the tests of the core modules it stands on.

# Unit tests of the core modules this directory's adapter uses.
PF_UNIT_TESTS = \
	tests/unit/test-netstring \
	tests/unit/test-policyreq \
	tests/unit/test-maps \
	tests/unit/test-ratelimit \
	tests/unit/test-policy
check_PROGRAMS += $(PF_UNIT_TESTS)
TESTS += $(PF_UNIT_TESTS)
tests_unit_test_netstring_LDADD = $(UNIT_LDADD)
tests_unit_test_netstring_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_policyreq_LDADD = $(UNIT_LDADD)
tests_unit_test_policyreq_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_maps_LDADD = $(UNIT_LDADD)
tests_unit_test_maps_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_ratelimit_LDADD = $(UNIT_LDADD) $(LMDB_LIBS)
tests_unit_test_ratelimit_CPPFLAGS = $(UNIT_CPPFLAGS) $(LMDB_CFLAGS)
tests_unit_test_policy_LDADD = $(UNIT_LDADD) $(LMDB_LIBS)
tests_unit_test_policy_CPPFLAGS = $(UNIT_CPPFLAGS) $(LMDB_CFLAGS)

# The daemon.
sbin_PROGRAMS += postfix-policy/postkontor-postfix
postfix_policy_postkontor_postfix_SOURCES = \
	postfix-policy/postkontor-postfix.c \
	postfix-policy/server.h postfix-policy/server.c
postfix_policy_postkontor_postfix_LDADD = common/libpostkontor.la
dist_man_MANS += doc/postkontor-postfix.8
EXTRA_DIST += doc/postkontor-postfix.service doc/postfix-main.cf.example \
	doc/postfix-master.cf.example

# Integration tests: the daemon with Postfix's own clients, hostile
# clients on its sockets, and a private Postfix delivering into an LMTP
# sink. They need the daemon, the command and postfix-policy/testlib.sh.
PF_INTEGRATION_TESTS = \
	tests/integration/t-postfix-maps.sh \
	tests/integration/t-postfix-bad-input.sh \
	tests/integration/t-postfix-policy.sh \
	tests/integration/t-postfix-smtp.sh \
	tests/integration/t-postfix-submission.sh
TESTS += $(PF_INTEGRATION_TESTS)
EXTRA_DIST += $(PF_INTEGRATION_TESTS) postfix-policy/testlib.sh

# Benchmarks (bench/README.md; run by hand: bash bench/postfix-bench.sh,
# bash bench/postfix-e2e.sh).
EXTRA_DIST += bench/postfix-bench.sh bench/postfix-null.c \
	bench/postfix-policy-client.c bench/postfix-e2e.sh
