/*++
/* NAME
/*	fuzz-import-jsonl 1
/* SUMMARY
/*	libFuzzer target for the JSON lines import parser
/* SYNOPSIS
/*	tests/fuzz/run.sh [seconds] import-jsonl
/* DESCRIPTION
/*	Feeds each input to pk_import_parse() as PK_FORMAT_JSONL and checks
/*	every item and every refusal as fuzz-import.h describes.
/*
/*	It also parses a copy with a tab in front of every line. jansson
/*	skips the tab, while the parser's canonical-form scanner gives up
/*	on it, so the copy is read by jansson alone: both runs must give
/*	the same items and the same answer (syntax messages may differ in
/*	their column only).
/*--*/

#include <time.h>

#include "fuzz-import.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Timestamps from here on are "now": the two runs may straddle a second. */
static uint64_t fuzz_now;

/* A summary of a run. */
struct run {
    struct fuzz_state st;
    char *text;
    size_t len;
    size_t size;
};

/* put - append to a summary */

static void put(struct run *r, const char *s, size_t len)
{
    if (r->len + len + 1 > r->size) {
        r->size = (r->len + len + 1) * 2;
        fuzz_check((r->text = realloc(r->text, r->size)) != NULL);
    }
    memcpy(r->text + r->len, s, len);
    r->len += len;
    r->text[r->len] = 0;
}

/* when - a timestamp, or "now" */

static unsigned long long when(uint64_t t)
{
    return t >= fuzz_now ? 0 : (unsigned long long)t;
}

/* put_list - append a destination list */

static void put_list(struct run *r, const struct pk_strlist *list)
{
    for (size_t i = 0; i < list->count; i++) {
        put(r, ",", 1);
        put(r, list->items[i], strlen(list->items[i]));
    }
}

/* summarize - check an item, then write down all it holds */

static int summarize(const struct pk_item *item, size_t line, void *ctx,
                     const char **error_r)
{
    struct run *r = ctx;
    const struct pk_account *acc = &item->entry.u.account;
    const struct pk_alias *ali = &item->entry.u.alias;
    char buf[1024];
    int n;

    fuzz_item(item, line, &r->st, error_r);
    n = snprintf(buf, sizeof(buf), "%zu %d %s %s %d %s %llu %llu|", line,
                 (int)item->type, item->name, item->target,
                 (int)item->domain.kind, item->domain.target,
                 (unsigned long long)item->domain.default_quota,
                 when(item->domain.created));
    put(r, buf, (size_t)n);
    if (item->type == PK_ITEM_ACCOUNT) {
        n = snprintf(buf, sizeof(buf), "%d %llu %s %d %llu %llu",
                     (int)acc->state, (unsigned long long)acc->quota,
                     acc->password, acc->keep_copy, when(acc->created),
                     when(acc->changed));
        put(r, buf, (size_t)n);
        put_list(r, &acc->forward);
    } else if (item->type == PK_ITEM_ALIAS) {
        n = snprintf(buf, sizeof(buf), "%llu %llu", when(ali->created),
                     when(ali->changed));
        put(r, buf, (size_t)n);
        put_list(r, &ali->dest);
    }
    put(r, "\n", 1);
    return PK_OK;
}

/* mask_column - "column 17" and "column 18" are the same here */

static void mask_column(char *msg)
{
    char *c = strstr(msg, "at column "), *end;

    if (c == NULL)
        return;
    for (end = c += 10; *end >= '0' && *end <= '9'; end++)
        /* void */;
    *c = '#';
    memmove(c + 1, end, strlen(end) + 1);
}

/* run - one parse, summarized */

static int run(const uint8_t *data, size_t size, struct run *r, char *error,
               size_t error_size)
{
    const char *msg = "";
    int status;

    r->st.lines = 1;
    for (size_t i = 0; i < size; i++)
        r->st.lines += data[i] == '\n';
    put(r, "", 0);
    status = pk_import_parse(PK_FORMAT_JSONL, (const char *)data, size,
                             summarize, r, &msg);
    snprintf(error, error_size, "%s", status == PK_OK ? "" : msg);
    mask_column(error);
    return status;
}

/* LLVMFuzzerTestOneInput - one input, read both ways */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct run a = {{0}}, b = {{0}};
    char ea[512], eb[512];
    uint8_t *tabbed;
    size_t n = 0;
    int sa, sb;

    fuzz_now = (uint64_t)time(NULL);
    fuzz_import(PK_FORMAT_JSONL, data, size);
    fuzz_check((tabbed = malloc(2 * size + 1)) != NULL);
    tabbed[n++] = '\t';
    for (size_t i = 0; i < size; i++) {
        tabbed[n++] = data[i];
        if (data[i] == '\n')
            tabbed[n++] = '\t';
    }
    sa = run(data, size, &a, ea, sizeof(ea));
    sb = run(tabbed, n, &b, eb, sizeof(eb));
    fuzz_check(sa == sb);
    fuzz_check(strcmp(a.text, b.text) == 0);
    /* A line of a megabyte and one octet more is not this target's job. */
    fuzz_check(strcmp(ea, eb) == 0 || strstr(eb, "longer than") != NULL);
    free(tabbed);
    free(a.text);
    free(b.text);
    return 0;
}
