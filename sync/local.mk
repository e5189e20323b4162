# sync/local.mk: postkontor-sync (a host's LMDB copy fed from an OpenLDAP
# cluster) and the tests of the core modules it brought (ldapmap,
# syncapply), the LDAP schema and the slapd example configuration.

# The consumer, built where libldap-dev is installed.
if HAVE_LDAP
sbin_PROGRAMS += sync/postkontor-sync
sync_postkontor_sync_SOURCES = sync/postkontor-sync.c \
	sync/consumer.h sync/consumer.c \
	sync/syncconn.h sync/syncconn.c
sync_postkontor_sync_LDADD = common/libpostkontor.la $(LDAP_LIBS)
endif
dist_man_MANS += doc/postkontor-sync.8

SYNC_UNIT_TESTS = tests/unit/test-ldapmap tests/unit/test-syncapply
check_PROGRAMS += $(SYNC_UNIT_TESTS)
TESTS += $(SYNC_UNIT_TESTS)
tests_unit_test_ldapmap_LDADD = common/libpostkontor.la
tests_unit_test_ldapmap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_syncapply_LDADD = common/libpostkontor.la
tests_unit_test_syncapply_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit

# Integration: real slapd providers started by the test (slapd.sh).
SYNC_INTEGRATION_TESTS = tests/integration/t-sync-slapd-cluster.sh \
	tests/integration/t-sync-consumer.sh \
	tests/integration/t-sync-refresh-required.sh \
	tests/integration/t-sync-crash.sh \
	tests/integration/t-sync-provider-stall.sh
if HAVE_LDAP
TESTS += $(SYNC_INTEGRATION_TESTS)
# With the Dovecot module: a host keeps serving while its daemon is down.
if HAVE_DOVECOT
TESTS += tests/integration/t-sync-host-offline.sh
endif
endif

EXTRA_DIST += $(SYNC_INTEGRATION_TESTS) tests/integration/slapd.sh \
	tests/integration/t-sync-host-offline.sh \
	doc/postkontor.schema doc/postkontor.ldif \
	doc/slapd-multiprovider.conf.example \
	tests/fuzz/fuzz-ldapmap.c tests/fuzz/corpus/ldapmap
