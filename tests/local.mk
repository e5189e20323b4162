# Unit tests: one program per core module, linked with libpostkontor.
UNIT_TESTS = \
	tests/unit/test-addr \
	tests/unit/test-password \
	tests/unit/test-record \
	tests/unit/test-store \
	tests/unit/test-domain \
	tests/unit/test-account \
	tests/unit/test-alias \
	tests/unit/test-resolve \
	tests/unit/test-sendas \
	tests/unit/test-changelog \
	tests/unit/test-check \
	tests/unit/test-import \
	tests/unit/test-crash

check_PROGRAMS += $(UNIT_TESTS)
# Under valgrind: all but the crash test, whose hundreds of forks and
# kills would take minutes there and which ASan covers.
# Every directory's unit tests are in TESTS under tests/unit/.
VALGRIND_TESTS = $(filter-out tests/unit/test-crash,$(filter tests/unit/%,$(TESTS)))
print-valgrind-tests:
	@echo $(VALGRIND_TESTS)

# Under ASan: every test but those that load our module into Debian's
# Dovecot, which is not built with the sanitizer runtime and refuses a
# module that is. Those run in the normal build.
print-sanitizer-tests:
	@for t in $(TESTS); do \
	    case $$t in *.sh) grep -qE 'dovecot\.sh|stack\.sh' $(srcdir)/$$t && continue;; esac; \
	    echo $$t; \
	done
EXTRA_DIST += tests/unit/valgrind-run
UNIT_LDADD = common/libpostkontor.la
UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_addr_LDADD = $(UNIT_LDADD)
tests_unit_test_addr_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_password_LDADD = $(UNIT_LDADD)
tests_unit_test_password_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_record_LDADD = $(UNIT_LDADD)
tests_unit_test_record_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_store_LDADD = $(UNIT_LDADD) $(LMDB_LIBS)
tests_unit_test_store_CPPFLAGS = $(UNIT_CPPFLAGS) $(LMDB_CFLAGS)
tests_unit_test_domain_LDADD = $(UNIT_LDADD)
tests_unit_test_domain_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_account_LDADD = $(UNIT_LDADD)
tests_unit_test_account_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_alias_LDADD = $(UNIT_LDADD)
tests_unit_test_alias_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_resolve_LDADD = $(UNIT_LDADD)
tests_unit_test_resolve_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_sendas_LDADD = $(UNIT_LDADD)
tests_unit_test_sendas_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_changelog_LDADD = $(UNIT_LDADD)
tests_unit_test_changelog_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_check_LDADD = $(UNIT_LDADD) $(LMDB_LIBS)
tests_unit_test_check_CPPFLAGS = $(UNIT_CPPFLAGS) $(LMDB_CFLAGS)
tests_unit_test_import_LDADD = $(UNIT_LDADD)
tests_unit_test_import_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_crash_LDADD = $(UNIT_LDADD)
tests_unit_test_crash_CPPFLAGS = $(UNIT_CPPFLAGS)
EXTRA_DIST += tests/unit/test.h tests/unit/fixture.h

# Test-only helper for tests/integration/t-password-doveadm.sh; never installed.
check_PROGRAMS += tests/integration/pwtool
tests_integration_pwtool_SOURCES = tests/integration/pwtool.c
tests_integration_pwtool_LDADD = common/libpostkontor.la

# Integration tests: shell scripts driving the installed-layout programs
# with real clients. Each prints what it checks; exit 77 (skip) is turned
# into a failure under CI by tests/run-integration.
INTEGRATION_TESTS = \
	tests/integration/t-cli-accounts.sh \
	tests/integration/t-cli-bad-input.sh \
	tests/integration/t-cli-import-export.sh \
	tests/integration/t-cli-backup-check.sh \
	tests/integration/t-password-doveadm.sh

TESTS += $(UNIT_TESTS) $(INTEGRATION_TESTS)
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/integration/run-one
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	PK_BIN='$(abs_top_builddir)/cli/postkontor'; \
	export top_srcdir top_builddir PK_BIN;
EXTRA_DIST += $(INTEGRATION_TESTS) tests/integration/run-one \
	tests/integration/lib.sh

# Client setup and the whole stack.
UNIT_TESTS += tests/unit/test-clientconfig
tests_unit_test_clientconfig_LDADD = $(UNIT_LDADD)
tests_unit_test_clientconfig_CPPFLAGS = $(UNIT_CPPFLAGS)
INTEGRATION_TESTS += tests/integration/t-cli-clientconfig.sh tests/integration/t-stack.sh
EXTRA_DIST += tests/integration/stacklib.sh
EXTRA_DIST += scripts/stack.sh scripts/demo.sh scripts/deps.sh scripts/build.sh scripts/test.sh
