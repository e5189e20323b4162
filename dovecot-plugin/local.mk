# dovecot-plugin/local.mk: the Dovecot auth module and mail plugin, and the
# core modules they stand on (common/auth.c, common/usage.c).

# Unit tests of the core modules this directory's adapters use.
check_PROGRAMS += tests/unit/test-auth tests/unit/test-usage
TESTS += tests/unit/test-auth tests/unit/test-usage
tests_unit_test_auth_LDADD = $(UNIT_LDADD)
tests_unit_test_auth_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_usage_LDADD = $(UNIT_LDADD) $(LMDB_LIBS)
tests_unit_test_usage_CPPFLAGS = $(UNIT_CPPFLAGS) $(LMDB_CFLAGS)

if HAVE_DOVECOT
# The auth module (passdb + userdb "postkontor") and the mail plugin, as
# libtool modules with the core linked in as PIC code. No -ldovecot: the
# Dovecot symbols come from the process that loads them. Only the entry
# points Dovecot looks up are exported.
authmoduledir = $(DOVECOT_MODULEDIR)/auth
authmodule_LTLIBRARIES = dovecot-plugin/libauthdb_postkontor.la
dovecot_plugin_libauthdb_postkontor_la_SOURCES = \
	dovecot-plugin/authdb-postkontor.h \
	dovecot-plugin/authdb-private.h \
	dovecot-plugin/authdb-postkontor.c \
	dovecot-plugin/passdb-postkontor.c \
	dovecot-plugin/userdb-postkontor.c \
	dovecot-plugin/authdb-db.c
dovecot_plugin_libauthdb_postkontor_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(DOVECOT_INCDIR)
dovecot_plugin_libauthdb_postkontor_la_CFLAGS = $(AM_CFLAGS) \
	-Wno-missing-prototypes -Wno-strict-prototypes
dovecot_plugin_libauthdb_postkontor_la_LIBADD = common/libpostkontor.la
dovecot_plugin_libauthdb_postkontor_la_LDFLAGS = -module -avoid-version \
	-shared -export-symbols-regex '^authdb_postkontor_'

mailmoduledir = $(DOVECOT_MODULEDIR)
mailmodule_LTLIBRARIES = dovecot-plugin/lib20_postkontor_plugin.la
dovecot_plugin_lib20_postkontor_plugin_la_SOURCES = \
	dovecot-plugin/postkontor-plugin.h \
	dovecot-plugin/postkontor-plugin.c
dovecot_plugin_lib20_postkontor_plugin_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(DOVECOT_INCDIR)
dovecot_plugin_lib20_postkontor_plugin_la_CFLAGS = $(AM_CFLAGS) \
	-Wno-missing-prototypes -Wno-strict-prototypes
dovecot_plugin_lib20_postkontor_plugin_la_LIBADD = common/libpostkontor.la
dovecot_plugin_lib20_postkontor_plugin_la_LDFLAGS = -module -avoid-version \
	-shared -export-symbols-regex '^postkontor_plugin_'
endif

# Integration tests with a real Dovecot (run as root: they start Dovecot in
# a private mount namespace; see tests/integration/dovecot.sh).
DOVECOT_TESTS = \
	tests/integration/t-dovecot-auth-lookup.sh \
	tests/integration/t-dovecot-imap-pop3-login.sh \
	tests/integration/t-dovecot-lmtp-delivery.sh \
	tests/integration/t-dovecot-usage-quota.sh \
	tests/integration/t-dovecot-bad-database.sh \
	tests/integration/t-dovecot-usage-batch.sh
if HAVE_DOVECOT
TESTS += $(DOVECOT_TESTS)
endif
EXTRA_DIST += $(DOVECOT_TESTS) tests/integration/dovecot.sh \
	doc/dovecot-example.conf
dist_man_MANS += doc/libauthdb_postkontor.7
