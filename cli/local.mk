# cli/local.mk: postkontor, the admin command (an adapter over libpostkontor)
bin_PROGRAMS += cli/postkontor
cli_postkontor_SOURCES = \
	cli/cli.h \
	cli/postkontor.c \
	cli/args.c \
	cli/output.c \
	cli/password-input.c \
	cli/cmd-domain.c \
	cli/cmd-account.c \
	cli/cmd-account-show.c \
	cli/cmd-alias.c \
	cli/cmd-sendas.c \
	cli/cmd-resolve.c \
	cli/cmd-admin.c
cli_postkontor_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
cli_postkontor_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
cli_postkontor_LDADD = common/libpostkontor.la $(JANSSON_LIBS)
dist_man_MANS += doc/postkontor.8
cli_postkontor_SOURCES += cli/cmd-dkim.c
cli_postkontor_SOURCES += cli/cmd-ratelimit.c
cli_postkontor_SOURCES += cli/cmd-clientconfig.c

# Cluster mode: writes through LDAP (libldap where installed), the
# heartbeat writer and "status" of a host's copy.
cli_postkontor_SOURCES += cli/cmd-status.c
if HAVE_LDAP
cli_postkontor_SOURCES += cli/ldapwrite.c
cli_postkontor_LDADD += $(LDAP_LIBS)
else
cli_postkontor_SOURCES += cli/ldapwrite-none.c
endif
EXTRA_DIST += cli/ldapwrite.c cli/ldapwrite-none.c doc/postkontor-heartbeat.service

# The order of directory writes (common/ldapplan.c).
check_PROGRAMS += tests/unit/test-ldapplan
TESTS += tests/unit/test-ldapplan
tests_unit_test_ldapplan_LDADD = common/libpostkontor.la
tests_unit_test_ldapplan_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
if HAVE_LDAP
TESTS += tests/integration/t-cli-ldap.sh
endif
EXTRA_DIST += tests/integration/t-cli-ldap.sh
