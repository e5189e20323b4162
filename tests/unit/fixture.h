/*++
/* NAME
/*	fixture 3h
/* SUMMARY
/*	a private database for core unit tests
/* SYNOPSIS
/*	#include "fixture.h"
/*
/*	struct fixture fx;
/*	fixture_open(&fx);
/*	fx_write(&fx, fn, ctx)	run fn in one write transaction
/*	fx_domain(&fx, "example.se"); fx_account(&fx, "a@example.se");
/*	fx_alias(&fx, "info@example.se", "a@example.se", NULL);
/*	fixture_close(&fx);
/* DESCRIPTION
/*	Each fixture is a fresh database in a private temporary directory.
/*	The fx_* helpers run one core call each in its own write
/*	transaction and return its status; fx.error holds the message.
/*	FX_HASH is a valid {SHA512-CRYPT} hash of "secret", so tests do not
/*	pay for Argon2 on every account.
/*--*/

#ifndef PK_FIXTURE_H
#define PK_FIXTURE_H

#include <stdarg.h>

#include "account.h"
#include "alias.h"
#include "domain.h"
#include "sendas.h"
#include "store.h"
#include "test.h"

#define FX_HASH                                                                \
    "{SHA512-CRYPT}$6$9Jam6yySh6v0Nv/N$8Nx9CgJmz8utsUZT9kIzqeTXUu/"            \
    "bEG.BJgISV0hzMq2kXb3ndwR2lVJW8r9GUd6pjXOkxmXKwauV/I0YrU/eA1"

struct fixture {
    char *dir;
    struct pk_store *store;
    const char *error;
};

struct fx_call {
    int (*fn)(struct pk_txn *, struct fx_call *, const char **);
    const char *a, *b;
    struct pk_strlist list;
};

static inline void fixture_open(struct fixture *fx)
{
    fx->dir = test_tmpdir();
    fx->error = "";
    if (pk_store_open(fx->dir, PK_STORE_CREATE, &fx->store, &fx->error) !=
        PK_OK) {
        printf("cannot open a test database: %s\n", fx->error);
        exit(1);
    }
    pk_store_set_actor(fx->store, "unit-test");
}

static inline void fixture_close(struct fixture *fx)
{
    pk_store_close(&fx->store);
    test_rmtree(fx->dir);
    free(fx->dir);
}

static inline int fx_run(struct pk_txn *txn, void *ctx, const char **error_r)
{
    struct fx_call *call = ctx;

    return call->fn(txn, call, error_r);
}

/* fx_call_write - run one call in its own write transaction */
static inline int fx_call_write(struct fixture *fx, struct fx_call *call)
{
    int status = pk_store_write(fx->store, fx_run, call, &fx->error);

    pk_strlist_free(&call->list);
    return status;
}

static inline int fx_do_domain(struct pk_txn *t, struct fx_call *c,
                               const char **e)
{
    return c->b ? pk_domain_add_alias(t, c->a, c->b, e)
                : pk_domain_add(t, c->a, e);
}

static inline int fx_do_account(struct pk_txn *t, struct fx_call *c,
                                const char **e)
{
    return pk_account_add(t, c->a, c->b, e);
}

static inline int fx_do_alias(struct pk_txn *t, struct fx_call *c,
                              const char **e)
{
    return pk_alias_add(t, c->a, &c->list, e);
}

static inline int fx_do_unalias(struct pk_txn *t, struct fx_call *c,
                                const char **e)
{
    return pk_alias_remove(t, c->a, &c->list, e);
}

static inline int fx_do_forward(struct pk_txn *t, struct fx_call *c,
                                const char **e)
{
    return pk_account_set_forward(t, c->a, &c->list, c->b != NULL, e);
}

static inline int fx_do_grant(struct pk_txn *t, struct fx_call *c,
                              const char **e)
{
    return pk_sendas_grant(t, c->a, c->b, e);
}

/* fx_domain - add a hosted domain */
static inline int fx_domain(struct fixture *fx, const char *name)
{
    struct fx_call c = {.fn = fx_do_domain, .a = name};

    return fx_call_write(fx, &c);
}

/* fx_domain_alias - add an alias domain */
static inline int fx_domain_alias(struct fixture *fx, const char *name,
                                  const char *target)
{
    struct fx_call c = {.fn = fx_do_domain, .a = name, .b = target};

    return fx_call_write(fx, &c);
}

/* fx_account - add an account with FX_HASH */
static inline int fx_account(struct fixture *fx, const char *addr)
{
    struct fx_call c = {.fn = fx_do_account, .a = addr, .b = FX_HASH};

    return fx_call_write(fx, &c);
}

static inline void fx_list(struct fx_call *c, va_list ap)
{
    const char *s;

    while ((s = va_arg(ap, const char *)) != NULL)
        pk_strlist_add(&c->list, s);
}

/* fx_alias - add destinations (NULL-terminated) to an alias */
static inline int fx_alias(struct fixture *fx, const char *addr, ...)
{
    struct fx_call c = {.fn = fx_do_alias, .a = addr};
    va_list ap;

    va_start(ap, addr);
    fx_list(&c, ap);
    va_end(ap);
    return fx_call_write(fx, &c);
}

/* fx_unalias - remove destinations (NULL-terminated; none: all) */
static inline int fx_unalias(struct fixture *fx, const char *addr, ...)
{
    struct fx_call c = {.fn = fx_do_unalias, .a = addr};
    va_list ap;

    va_start(ap, addr);
    fx_list(&c, ap);
    va_end(ap);
    return fx_call_write(fx, &c);
}

/* fx_forward - set forwarding (NULL-terminated); keep is non-NULL to keep */
static inline int fx_forward(struct fixture *fx, const char *addr,
                             const char *keep, ...)
{
    struct fx_call c = {.fn = fx_do_forward, .a = addr, .b = keep};
    va_list ap;

    va_start(ap, keep);
    fx_list(&c, ap);
    va_end(ap);
    return fx_call_write(fx, &c);
}

/* fx_grant - an explicit send-as grant */
static inline int fx_grant(struct fixture *fx, const char *login,
                           const char *addr)
{
    struct fx_call c = {.fn = fx_do_grant, .a = login, .b = addr};

    return fx_call_write(fx, &c);
}

/* fx_read - a read transaction; a test that cannot read stops */
static inline struct pk_txn *fx_read(struct fixture *fx)
{
    struct pk_txn *txn;

    if (pk_store_read(fx->store, &txn, &fx->error) != PK_OK) {
        printf("cannot read the test database: %s\n", fx->error);
        exit(1);
    }
    return txn;
}

struct fx_raw {
    enum pk_db db;
    const void *key, *val;
    size_t klen, vlen;
};

static inline int fx_do_raw(struct pk_txn *t, void *ctx, const char **e)
{
    struct fx_raw *r = ctx;

    return pk_txn_put(t, r->db, r->key, r->klen, r->val, r->vlen, 0, e);
}

/* fx_raw_put - store bytes as they are, bypassing every check */
static inline int fx_raw_put(struct fixture *fx, enum pk_db db, const void *key,
                             size_t klen, const void *val, size_t vlen)
{
    struct fx_raw r = {db, key, val, klen, vlen};

    return pk_store_write(fx->store, fx_do_raw, &r, &fx->error);
}

/* fx_stale_alias - store stale@example.se, an alias of bob@example.se
 * whose destination hint says bob keeps his mail, bypassing the writers
 * that keep hints true (record.h: alias record version 2) */
static inline int fx_stale_alias(struct fixture *fx)
{
    static const char rec[] =
        "\x03\x02\x01\x00\x0e\x00"
        "bob@example.se"
        "\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00"
        "\x01\x00\x01";
    static const char key[] = "example.se\0stale";

    return fx_raw_put(fx, PK_DB_ADDRESSES, key, sizeof(key) - 1, rec,
                      sizeof(rec) - 1);
}

/* fx_dump - every pair of every table as hex text; the caller frees */
static inline char *fx_dump(struct fixture *fx)
{
    struct pk_txn *txn = fx_read(fx);
    struct pk_cursor *cur;
    const void *k, *v;
    size_t klen, vlen, len = 0;
    char *out = NULL;
    FILE *fp = open_memstream(&out, &len);

    for (int db = 0; db < PK_DB_COUNT; db++) {
        if (pk_cursor_open(txn, db, NULL, 0, &cur, &fx->error) != PK_OK)
            abort();
        fprintf(fp, "[%d]\n", db);
        while (pk_cursor_next(cur, &k, &klen, &v, &vlen, &fx->error) == PK_OK) {
            for (size_t i = 0; i < klen; i++)
                fprintf(fp, "%02x", ((const unsigned char *)k)[i]);
            fputc('=', fp);
            for (size_t i = 0; i < vlen; i++)
                fprintf(fp, "%02x", ((const unsigned char *)v)[i]);
            fputc('\n', fp);
        }
        pk_cursor_close(&cur);
    }
    pk_txn_end(&txn);
    fclose(fp);
    return out;
}

/* fx_unchanged - compare a dump with now; frees the dump */
static inline int fx_unchanged(struct fixture *fx, char *before)
{
    char *after = fx_dump(fx);
    int same = strcmp(before, after) == 0;

    free(before);
    free(after);
    return same;
}

#endif
