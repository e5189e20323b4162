# bench/local.mk: benchmarks (see bench/README.md). Each one runs the peer
# it names on the same machine in the same run and prints the ratio.
# "make bench" runs them all; "make bench BENCH_FLAGS=--quick" is the
# short smoke run for CI.
noinst_PROGRAMS += bench/bench-resolve
bench_bench_resolve_SOURCES = bench/bench-resolve.c
bench_bench_resolve_LDADD = common/libpostkontor.la

EXTRA_DIST += bench/README.md bench/run.sh bench/lib.sh bench/import.sh \
	bench/resolve.sh bench/readers.sh bench/gen-data.py

BENCH_FLAGS =

bench: all
	bash $(top_srcdir)/bench/run.sh --builddir '$(abs_top_builddir)' \
		$(BENCH_FLAGS)

.PHONY: bench

# The adapters' benchmarks: each starts its own private servers.
EXTRA_DIST += bench/dovecot-auth.sh bench/dovecot-auth-client.py \
	bench/postfix-bench.sh bench/postfix-null.c bench/postfix-policy-client.c \
	bench/milter-throughput.sh
EXTRA_DIST += bench/dovecot-lmtp.sh bench/dovecot-lmtp-client.py \
	bench/refserver.sh bench/refserver-imap.py
# Scale-out: postkontor-sync fed by a 3-provider OpenLDAP cluster.
EXTRA_DIST += bench/ldap-sync.sh bench/ldap-sync-writer.c
