# sync/local.mk: postkontor-sync (a host's LMDB copy fed from an OpenLDAP
# cluster) and the tests of the core modules it brought (ldapmap,
# syncapply), the LDAP schema and the slapd example configuration.

# The consumer. libldap (and liblber) from libldap-dev: configure.ac is
# to detect them and AC_SUBST(LDAP_LIBS); until then they are named here.
sbin_PROGRAMS += sync/postkontor-sync
sync_postkontor_sync_SOURCES = sync/postkontor-sync.c \
	sync/consumer.h sync/consumer.c \
	sync/syncconn.h sync/syncconn.c
sync_postkontor_sync_LDADD = common/libpostkontor.la -lldap -llber
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
	tests/integration/t-sync-consumer.sh
TESTS += $(SYNC_INTEGRATION_TESTS)

EXTRA_DIST += $(SYNC_INTEGRATION_TESTS) tests/integration/slapd.sh \
	doc/postkontor.schema doc/postkontor.ldif \
	doc/slapd-multiprovider.conf.example \
	tests/fuzz/fuzz-ldapmap.c tests/fuzz/corpus/ldapmap
