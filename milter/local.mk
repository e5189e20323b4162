# milter/local.mk: postkontor-milter (header From ownership, DKIM signing)
# and the tests of the core modules it brought (header, dkim).

# Unit tests, built and run like those in tests/local.mk.
MILTER_UNIT_TESTS = tests/unit/test-header tests/unit/test-dkim
check_PROGRAMS += $(MILTER_UNIT_TESTS)
TESTS += $(MILTER_UNIT_TESTS)
tests_unit_test_header_LDADD = common/libpostkontor.la
tests_unit_test_header_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_dkim_LDADD = common/libpostkontor.la $(CRYPTO_LIBS)
tests_unit_test_dkim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit \
	$(CRYPTO_CFLAGS)

EXTRA_DIST += doc/postkontor-milter.service doc/postfix-milter.example \
	tests/integration/t-milter-rules.sh tests/integration/t-milter-postfix.sh \
	tests/milter/lib.lua tests/milter/dkim-verify.py tests/milter/lmtp-sink.py \
	tests/milter/sign-own-address-rsa.lua \
	tests/milter/sign-own-address-ed25519.lua \
	tests/milter/sign-body-edge-cases.lua \
	tests/milter/from-alias-allowed.lua \
	tests/milter/from-granted-allowed.lua \
	tests/milter/from-other-account-refused.lua \
	tests/milter/from-multiple-fields-refused.lua \
	tests/milter/from-several-addresses-refused.lua \
	tests/milter/from-group-syntax-refused.lua \
	tests/milter/from-address-in-display-name-refused.lua \
	tests/milter/from-missing-refused.lua \
	tests/milter/from-send-blocked-login-refused.lua \
	tests/milter/unauthenticated-external-left-alone.lua \
	tests/milter/unauthenticated-internal-signed.lua \
	tests/milter/domain-without-key-not-signed.lua \
	tests/milter/huge-header-refused.lua \
	tests/milter/several-messages-one-connection.lua \
	tests/milter/negotiates-only-needed-steps.lua \
	tests/milter/database-unreadable-tempfails.lua \
	tests/milter/database-unreadable-accept-configured.lua \
	tests/milter/key-rotation-seen-without-restart.lua \
	bench/milter-throughput.sh

if HAVE_MILTER
sbin_PROGRAMS += milter/postkontor-milter
milter_postkontor_milter_SOURCES = milter/milter.c milter/filter.h \
	milter/filter.c milter/netlist.h milter/netlist.c
milter_postkontor_milter_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/milter
milter_postkontor_milter_LDADD = common/libpostkontor.la $(MILTER_LIBS)
dist_man_MANS += doc/postkontor-milter.8

# Integration: every rule through libmilter with miltertest; and inside a
# real Postfix with SASL through the Dovecot module.
TESTS += tests/integration/t-milter-rules.sh
if HAVE_DOVECOT
TESTS += tests/integration/t-milter-postfix.sh
endif
endif

# The milter's own work per message, for bench/milter-throughput.sh.
noinst_PROGRAMS += bench/milter-filter
bench_milter_filter_SOURCES = bench/milter-filter.c milter/filter.h \
	milter/filter.c
bench_milter_filter_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/milter
bench_milter_filter_LDADD = common/libpostkontor.la
