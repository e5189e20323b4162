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
