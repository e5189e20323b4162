# libpostkontor: the core every program links. A libtool convenience
# library, so that the Dovecot module can take it as PIC code.
noinst_LTLIBRARIES += common/libpostkontor.la
common_libpostkontor_la_SOURCES = \
	common/pk.h common/error.c \
	common/addr.h common/addr.c \
	common/password.h common/password.c \
	common/record.h common/record.c \
	common/store.h common/store.c \
	common/changelog.h common/changelog.c \
	common/domain.h common/domain.c \
	common/account.h common/account.c \
	common/alias.h common/alias.c \
	common/sendas.h common/sendas.c \
	common/resolve.h common/resolve.c \
	common/refs.h common/refs.c \
	common/check.h common/check.c \
	common/import.h common/import-int.h common/import.c common/import-text.c \
	common/import-apply.c common/export.c
common_libpostkontor_la_CFLAGS = $(AM_CFLAGS) $(LMDB_CFLAGS) $(IDN2_CFLAGS) \
	$(ARGON2_CFLAGS) $(XCRYPT_CFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
common_libpostkontor_la_LIBADD = $(LMDB_LIBS) $(IDN2_LIBS) $(ARGON2_LIBS) \
	$(XCRYPT_LIBS) $(CRYPTO_LIBS) $(JANSSON_LIBS)
common_libpostkontor_la_SOURCES += common/auth.h common/auth.c
common_libpostkontor_la_SOURCES += common/usage.h common/usage.c
common_libpostkontor_la_SOURCES += common/header.h common/header.c
common_libpostkontor_la_SOURCES += common/netstring.h common/netstring.c
common_libpostkontor_la_SOURCES += common/policyreq.h common/policyreq.c
common_libpostkontor_la_SOURCES += common/maps.h common/maps.c
common_libpostkontor_la_SOURCES += common/ratelimit.h common/ratelimit.c
common_libpostkontor_la_SOURCES += common/policy.h common/policy.c
common_libpostkontor_la_SOURCES += common/dkim.h common/dkim-int.h common/dkim.c common/dkim-sign.c
common_libpostkontor_la_SOURCES += common/import-check.c
common_libpostkontor_la_SOURCES += common/import-jsonl.c
common_libpostkontor_la_SOURCES += common/clientconfig.h common/clientconfig.c common/clientconfig-format.c
common_libpostkontor_la_SOURCES += common/ldapmap.h common/ldapmap.c
common_libpostkontor_la_SOURCES += common/syncapply.h common/syncapply.c
common_libpostkontor_la_SOURCES += common/ldapplan.h common/ldapplan.c common/ldapplan-order.c
common_libpostkontor_la_SOURCES += common/ratelimit-count.c common/ratelimit-int.h
common_libpostkontor_la_SOURCES += common/import-parallel.c
common_libpostkontor_la_SOURCES += common/import-flush.c
