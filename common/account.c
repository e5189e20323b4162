/*++
/* NAME
/*	account 3
/* SUMMARY
/*	mail accounts and the entries of the addresses database
/* SYNOPSIS
/*	#include "account.h"
/* DESCRIPTION
/*	See account.h. Every change is written together with its change log
/*	entry in the caller's transaction.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "alias.h"
#include "changelog.h"
#include "domain.h"
#include "password.h"
#include "refs.h"
#include "resolve.h"

/* pk_entry_lookup - read the entry of a parsed address */

int pk_entry_lookup(struct pk_txn *txn, const struct pk_addr *addr,
                    struct pk_entry *ent, const char **error_r)
{
    char key[PK_KEY_MAX], text[PK_ADDR_MAX + 1];
    const void *val;
    size_t klen, vlen;
    int status;

    memset(ent, 0, sizeof(*ent));
    klen = pk_addr_key(addr, key);
    status = pk_txn_get(txn, PK_DB_ADDRESSES, key, klen, &val, &vlen, error_r);
    if (status != PK_OK)
        return status;
    if ((status = pk_record_decode_entry(val, vlen, ent)) != PK_OK) {
        pk_addr_format(addr, text);
        *error_r =
            pk_error("the record of %s is %s", text, pk_strstatus(status));
    }
    return status;
}

/* pk_entry_get - read the entry at an exact address */

int pk_entry_get(struct pk_txn *txn, const char *input, struct pk_entry *ent,
                 const char **error_r)
{
    struct pk_addr addr;
    int status;

    if ((status = pk_addr_parse(input, PK_ADDR_CATCHALL, &addr, error_r)) !=
        PK_OK)
        return status;
    return pk_entry_lookup(txn, &addr, ent, error_r);
}

/* final_hint - the hint an entry gives of itself (record.h) */

static unsigned char final_hint(const struct pk_entry_view *view)
{
    return view->type == PK_REC_ACCOUNT && view->count == 0 ? PK_HINT_MAILBOX
                                                            : PK_HINT_NONE;
}

/* hint_breaks - would this write falsify hints that aliases hold */

static bool hint_breaks(struct pk_txn *txn, const char *key, size_t klen,
                        const struct pk_entry *ent)
{
    struct pk_entry_view old;
    const void *val;
    const char *error;
    size_t vlen;
    unsigned char was, now = PK_HINT_NONE;

    if (pk_txn_get(txn, PK_DB_ADDRESSES, key, klen, &val, &vlen, &error) !=
            PK_OK ||
        pk_record_view_entry(val, vlen, &old) != PK_OK ||
        (was = final_hint(&old)) == PK_HINT_NONE)
        return false;
    if (ent->type == PK_REC_ACCOUNT && ent->u.account.forward.count == 0)
        now = PK_HINT_MAILBOX;
    return now != was;
}

/* pk_entry_put - store an entry at an address */

int pk_entry_put(struct pk_txn *txn, const char *input,
                 const struct pk_entry *ent, unsigned flags,
                 const char **error_r)
{
    struct pk_addr addr;
    struct pk_entry copy = *ent;
    struct pk_buf buf = {0};
    char key[PK_KEY_MAX], text[PK_ADDR_MAX + 1];
    unsigned char *hints = NULL;
    bool rehint = false;
    size_t klen;
    int status;

    if ((status = pk_addr_parse(input, PK_ADDR_CATCHALL, &addr, error_r)) !=
        PK_OK)
        return status;
    klen = pk_addr_key(&addr, key);
    /* Hints are made here, never taken from the caller. */
    if (ent->type == PK_REC_ALIAS && ent->u.alias.dest.count > 0) {
        if ((hints = malloc(ent->u.alias.dest.count)) == NULL)
            return PK_ENOMEM;
        pk_refs_hints(txn, &ent->u.alias.dest, hints);
        copy.u.alias.hints = hints;
    } else if (ent->type == PK_REC_ALIAS) {
        copy.u.alias.hints = NULL;
    }
    rehint = !(flags & PK_PUT_NOOVERWRITE) && hint_breaks(txn, key, klen, ent);
    if ((status = pk_record_encode_entry(&copy, &buf)) == PK_OK)
        status = pk_txn_put(txn, PK_DB_ADDRESSES, key, klen, buf.data, buf.len,
                            flags, error_r);
    if (status == PK_EEXIST)
        *error_r = pk_error("%s exists already", input);
    pk_buf_free(&buf);
    free(hints);
    if (status == PK_OK && rehint) {
        pk_addr_format(&addr, text);
        status = pk_refs_rehint(txn, text, error_r);
    }
    if (status == PK_OK && addr.local[0] == 0)
        status = pk_domain_note_catchall(txn, addr.domain, error_r);
    return status;
}

/* entry_del - remove an entry; revise the hints of others if asked */

static int entry_del(struct pk_txn *txn, const void *key, size_t klen,
                     bool revise, const char **error_r)
{
    struct pk_entry_view view;
    struct pk_addr addr;
    char text[PK_ADDR_MAX + 1];
    const void *val;
    size_t vlen;
    bool rehint;
    int status;

    status = pk_txn_get(txn, PK_DB_ADDRESSES, key, klen, &val, &vlen, error_r);
    if (status != PK_OK)
        return status;
    rehint = revise && pk_record_view_entry(val, vlen, &view) == PK_OK &&
             final_hint(&view) != PK_HINT_NONE &&
             pk_addr_from_key(key, klen, &addr) == PK_OK;
    if ((status = pk_txn_del(txn, PK_DB_ADDRESSES, key, klen, NULL, 0,
                             error_r)) != PK_OK)
        return status;
    /* A catch-all's key is the domain and a NUL (addr.h). */
    if (((const char *)key)[klen - 1] == 0 &&
        memchr(key, 0, klen) == (const char *)key + klen - 1 &&
        (status = pk_domain_note_catchall(txn, key, error_r)) != PK_OK)
        return status;
    if (!rehint)
        return status;
    pk_addr_format(&addr, text);
    return pk_refs_rehint(txn, text, error_r);
}

/* pk_entry_del - remove the entry at a database key, keeping hints true */

int pk_entry_del(struct pk_txn *txn, const void *key, size_t klen,
                 const char **error_r)
{
    return entry_del(txn, key, klen, true, error_r);
}

/* get_account - read an existing account, normalizing its address */

static int get_account(struct pk_txn *txn, const char *input,
                       struct pk_addr *addr, struct pk_entry *ent,
                       const char **error_r)
{
    char text[PK_ADDR_MAX + 1];
    int status;

    if ((status = pk_addr_parse(input, 0, addr, error_r)) != PK_OK)
        return status;
    pk_addr_format(addr, text);
    status = pk_entry_lookup(txn, addr, ent, error_r);
    if (status == PK_NOTFOUND) {
        *error_r = pk_error("no account %s", text);
        return PK_NOTFOUND;
    }
    if (status == PK_OK && ent->type != PK_REC_ACCOUNT) {
        *error_r = pk_error("%s is an alias, not an account", text);
        pk_entry_free(ent);
        return PK_EINVAL;
    }
    return status;
}

/* save_account - write back a changed account and log the change */

static int save_account(struct pk_txn *txn, const struct pk_addr *addr,
                        struct pk_entry *ent, const char *op,
                        const char *detail, const char **error_r)
{
    char text[PK_ADDR_MAX + 1];
    int status;

    pk_addr_format(addr, text);
    ent->u.account.changed = time(NULL);
    status = pk_entry_put(txn, text, ent, 0, error_r);
    if (status == PK_OK)
        status = pk_changelog_append(txn, op, text, detail, error_r);
    pk_entry_free(ent);
    return status;
}

/* pk_account_add - create an account with a ready-made hash */

int pk_account_add(struct pk_txn *txn, const char *input, const char *hash,
                   const char **error_r)
{
    struct pk_entry ent = {.type = PK_REC_ACCOUNT};
    struct pk_domain dom;
    struct pk_addr addr;
    char text[PK_ADDR_MAX + 1];
    int status;

    if ((status = pk_addr_parse(input, 0, &addr, error_r)) != PK_OK ||
        (status = pk_addr_check_hosted(&addr, error_r)) != PK_OK ||
        (status = pk_password_check_hash(hash, error_r)) != PK_OK)
        return status;
    pk_addr_format(&addr, text);
    status = pk_domain_lookup(txn, addr.domain, &dom, error_r);
    if (status == PK_NOTFOUND) {
        *error_r = pk_error("domain %s is not hosted here (add it first)",
                            addr.domain);
        return PK_EINVAL;
    }
    if (status != PK_OK)
        return status;
    if (dom.kind != PK_DOMAIN_HOSTED) {
        *error_r =
            pk_error("%s is an alias domain of %s; add the account there",
                     addr.domain, dom.target);
        return PK_EINVAL;
    }
    status = pk_entry_lookup(txn, &addr, &ent, error_r);
    if (status == PK_OK) {
        *error_r = pk_error(ent.type == PK_REC_ALIAS
                                ? "%s is an alias; an address cannot be both"
                                : "account %s exists already",
                            text);
        pk_entry_free(&ent);
        return PK_EEXIST;
    }
    if (status != PK_NOTFOUND)
        return status;
    memset(&ent, 0, sizeof(ent));
    ent.type = PK_REC_ACCOUNT;
    ent.u.account.state = PK_STATE_ACTIVE;
    ent.u.account.quota = PK_QUOTA_DOMAIN;
    snprintf(ent.u.account.password, sizeof(ent.u.account.password), "%s",
             hash);
    ent.u.account.created = time(NULL);
    return save_account(txn, &addr, &ent, "account.add", NULL, error_r);
}

/* pk_account_set_password - replace the hash */

int pk_account_set_password(struct pk_txn *txn, const char *input,
                            const char *hash, const char **error_r)
{
    struct pk_entry ent;
    struct pk_addr addr;
    int status;

    if ((status = pk_password_check_hash(hash, error_r)) != PK_OK ||
        (status = get_account(txn, input, &addr, &ent, error_r)) != PK_OK)
        return status;
    snprintf(ent.u.account.password, sizeof(ent.u.account.password), "%s",
             hash);
    return save_account(txn, &addr, &ent, "account.passwd", NULL, error_r);
}

/* pk_account_set_state - suspend, block, disable or resume */

int pk_account_set_state(struct pk_txn *txn, const char *input,
                         enum pk_account_state state, const char **error_r)
{
    struct pk_entry ent;
    struct pk_addr addr;
    int status;

    if ((unsigned)state > PK_STATE_DISABLED) {
        *error_r = pk_error("invalid account state %d", (int)state);
        return PK_EINVAL;
    }
    if ((status = get_account(txn, input, &addr, &ent, error_r)) != PK_OK)
        return status;
    ent.u.account.state = state;
    return save_account(txn, &addr, &ent, "account.state", pk_state_name(state),
                        error_r);
}

/* pk_account_set_quota - bytes; 0 unlimited; PK_QUOTA_DOMAIN default */

int pk_account_set_quota(struct pk_txn *txn, const char *input, uint64_t quota,
                         const char **error_r)
{
    struct pk_entry ent;
    struct pk_addr addr;
    char detail[32];
    int status;

    if ((status = get_account(txn, input, &addr, &ent, error_r)) != PK_OK)
        return status;
    ent.u.account.quota = quota;
    if (quota == PK_QUOTA_DOMAIN)
        snprintf(detail, sizeof(detail), "default");
    else
        snprintf(detail, sizeof(detail), "%llu", (unsigned long long)quota);
    return save_account(txn, &addr, &ent, "account.quota", detail, error_r);
}

/* pk_account_set_forward - replace forwarding, then prove it resolves */

int pk_account_set_forward(struct pk_txn *txn, const char *input,
                           const struct pk_strlist *dests, bool keep_copy,
                           const char **error_r)
{
    struct pk_entry ent;
    struct pk_addr addr;
    struct pk_resolution res;
    char text[PK_ADDR_MAX + 1], norm[PK_ADDR_MAX + 1];
    int status = PK_OK;

    if (dests->count > PK_DEST_MAX) {
        *error_r =
            pk_error("more than %d forwarding destinations", PK_DEST_MAX);
        return PK_EINVAL;
    }
    if ((status = get_account(txn, input, &addr, &ent, error_r)) != PK_OK)
        return status;
    pk_strlist_free(&ent.u.account.forward);
    for (size_t i = 0; i < dests->count && status == PK_OK; i++) {
        if ((status = pk_dest_normalize(dests->items[i], norm, error_r)) ==
                PK_OK &&
            !pk_strlist_has(&ent.u.account.forward, norm))
            status = pk_strlist_add(&ent.u.account.forward, norm);
    }
    if (status != PK_OK) {
        pk_entry_free(&ent);
        return status;
    }
    ent.u.account.keep_copy = keep_copy && dests->count > 0;
    pk_addr_format(&addr, text);
    snprintf(norm, sizeof(norm), "%zu destinations%s", dests->count,
             ent.u.account.keep_copy ? ", keep copy" : "");
    if ((status = save_account(txn, &addr, &ent, "account.forward", norm,
                               error_r)) != PK_OK)
        return status;
    if ((status = pk_resolve(txn, text, PK_RESOLVE_STRICT, &res, error_r)) !=
        PK_OK)
        return status;
    pk_resolve_free(&res);
    return pk_refs_revalidate(txn, text, error_r);
}

/* pk_account_del - remove an account nothing else refers to */

int pk_account_del(struct pk_txn *txn, const char *input, const char **error_r)
{
    struct pk_entry ent;
    struct pk_addr addr;
    char key[PK_KEY_MAX], text[PK_ADDR_MAX + 1];
    size_t klen;
    int status;

    if ((status = get_account(txn, input, &addr, &ent, error_r)) != PK_OK)
        return status;
    pk_entry_free(&ent);
    pk_addr_format(&addr, text);
    if ((status = pk_refs_unreferenced(txn, text, error_r)) != PK_OK)
        return status;
    klen = pk_addr_key(&addr, key);
    /* The account's own send-as grants go with it. */
    status = pk_txn_del(txn, PK_DB_SENDAS, key, klen, NULL, 0, error_r);
    if (status != PK_OK && status != PK_NOTFOUND)
        return status;
    /* Nothing delivers to it (checked above), so no alias hints it. */
    if ((status = entry_del(txn, key, klen, false, error_r)) != PK_OK)
        return status;
    return pk_changelog_append(txn, "account.del", text, NULL, error_r);
}

/* pk_account_get - read an account; PK_NOTFOUND if there is none */

int pk_account_get(struct pk_txn *txn, const char *input, struct pk_entry *ent,
                   const char **error_r)
{
    struct pk_addr addr;
    int status;

    if ((status = pk_addr_parse(input, 0, &addr, error_r)) != PK_OK)
        return status;
    status = pk_entry_lookup(txn, &addr, ent, error_r);
    if (status == PK_OK && ent->type != PK_REC_ACCOUNT) {
        pk_entry_free(ent);
        return PK_NOTFOUND;
    }
    return status;
}

/* pk_account_state - an account's state, read in place */

int pk_account_state(struct pk_txn *txn, const char *input,
                     enum pk_account_state *state_r, const char **error_r)
{
    struct pk_entry_view view;
    struct pk_addr addr;
    char key[PK_KEY_MAX], text[PK_ADDR_MAX + 1];
    const void *val;
    size_t klen, vlen;
    int status;

    if ((status = pk_addr_parse(input, 0, &addr, error_r)) != PK_OK)
        return status;
    klen = pk_addr_key(&addr, key);
    status = pk_txn_get(txn, PK_DB_ADDRESSES, key, klen, &val, &vlen, error_r);
    if (status != PK_OK)
        return status;
    /* A view checks the record as a decode does, and copies nothing. */
    if ((status = pk_record_view_entry(val, vlen, &view)) != PK_OK) {
        pk_addr_format(&addr, text);
        *error_r =
            pk_error("the record of %s is %s", text, pk_strstatus(status));
        return status;
    }
    if (view.type != PK_REC_ACCOUNT)
        return PK_NOTFOUND;
    *state_r = view.state;
    return PK_OK;
}

/* pk_account_quota - the quota in effect, after the domain default */

uint64_t pk_account_quota(struct pk_txn *txn, const char *domain,
                          const struct pk_account *acc)
{
    struct pk_domain dom;
    const char *error;

    if (acc->quota != PK_QUOTA_DOMAIN)
        return acc->quota;
    if (pk_domain_lookup(txn, domain, &dom, &error) != PK_OK)
        return 0;
    return dom.default_quota;
}

/* pk_entry_iter - walk the entries of one domain, or of all */

int pk_entry_iter(struct pk_txn *txn, const char *domain, pk_entry_iter_fn *fn,
                  void *ctx, const char **error_r)
{
    struct pk_cursor *cur;
    struct pk_entry ent;
    struct pk_addr addr;
    char prefix[PK_DOMAIN_MAX + 1], text[PK_ADDR_MAX + 1];
    const void *key, *val;
    size_t klen, vlen, plen = 0;
    int status;

    if (domain != NULL) {
        if ((status = pk_addr_parse_domain(domain, prefix, error_r)) != PK_OK)
            return status;
        plen = strlen(prefix) + 1; /* the NUL separator too */
    }
    if ((status = pk_cursor_open(txn, PK_DB_ADDRESSES, plen ? prefix : NULL,
                                 plen, &cur, error_r)) != PK_OK)
        return status;
    while ((status = pk_cursor_next(cur, &key, &klen, &val, &vlen, error_r)) ==
           PK_OK) {
        if ((status = pk_addr_from_key(key, klen, &addr)) != PK_OK) {
            *error_r = pk_error("an address key is corrupt");
            break;
        }
        pk_addr_format(&addr, text);
        if ((status = pk_record_decode_entry(val, vlen, &ent)) != PK_OK) {
            *error_r =
                pk_error("the record of %s is %s", text, pk_strstatus(status));
            break;
        }
        status = fn(text, &ent, ctx);
        pk_entry_free(&ent);
        if (status != 0)
            break;
    }
    pk_cursor_close(&cur);
    return status == PK_NOTFOUND ? PK_OK : status;
}

/* pk_state_may_login - may the account log in (IMAP, POP3, SMTP AUTH) */

bool pk_state_may_login(enum pk_account_state state)
{
    return state == PK_STATE_ACTIVE || state == PK_STATE_SEND_BLOCKED ||
           state == PK_STATE_RECEIVE_BLOCKED;
}

/* pk_state_may_send - may the account submit mail */

bool pk_state_may_send(enum pk_account_state state)
{
    return state == PK_STATE_ACTIVE || state == PK_STATE_RECEIVE_BLOCKED;
}

/* pk_state_may_receive - may mail be delivered to the account */

bool pk_state_may_receive(enum pk_account_state state)
{
    return state == PK_STATE_ACTIVE || state == PK_STATE_SUSPENDED ||
           state == PK_STATE_SEND_BLOCKED;
}
