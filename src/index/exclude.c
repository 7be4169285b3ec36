/* exclude.c: a reader's muted creators and blocked tags (with their synonyms and sub tags)
 * as one bitmap of docs, subtracted from a search's matches before anything is counted.
 * Building it means one union per muted creator and per blocked tag; a reader sends many
 * queries with the same lists, so the last few readers' bitmaps are kept, each valid while
 * the index has the same documents and tags (the tag generation and the doc count it was
 * built under): a query then pays one subtraction. */
#include "index/index_int.h"

#include <stdlib.h>
#include <string.h>

#define EXCL_SLOTS 32

struct idx_excl {
    char *key;     /* the lists, as given: "c\x1fname\x1e...t\x1fname\x1e..." */
    uint64_t gen;  /* idx->tag_gen when built */
    uint32_t docs; /* idx->ndocs when built */
    uint64_t used; /* tick of the last use */
    roaring_bitmap_t *bm;
};

static char *excl_key(const struct idx_query *q)
{
    size_t n = 1;
    for (size_t i = 0; i < q->nmute_creators; i++)
        n += strlen(q->mute_creators[i]) + 3;
    for (size_t i = 0; i < q->nblock_tags; i++)
        n += strlen(q->block_tags[i]) + 3;
    char *k = malloc(n), *p = k;
    if (!k)
        return NULL;
    for (size_t i = 0; i < q->nmute_creators; i++)
        p += sprintf(p, "c\x1f%s\x1e", q->mute_creators[i]);
    for (size_t i = 0; i < q->nblock_tags; i++)
        p += sprintf(p, "t\x1f%s\x1e", q->block_tags[i]);
    *p = 0;
    return k;
}

/* The docs q's reader does not want to see, built from the index (read lock held). */
static roaring_bitmap_t *excl_build(const struct idx *idx, const struct idx_query *q)
{
    roaring_bitmap_t *bm = roaring_bitmap_create();
    if (!bm)
        return NULL;
    for (size_t i = 0; i < q->nmute_creators; i++)
        idx_creator_docs_or(idx, q->mute_creators[i], bm);
    for (size_t i = 0; i < q->nblock_tags; i++)
        for (int ty = TAG_FANDOM; ty <= TAG_FREEFORM; ty++) {
            uint32_t t;
            if (!idx_tag_lookup(idx, ty, q->block_tags[i], &t))
                continue;
            struct idx_docset s;
            idx_tag_query_docs(idx, t, &s); /* synonyms and sub tags included */
            if (s.bm)
                roaring_bitmap_or_inplace(bm, s.bm);
            else
                roaring_bitmap_add_many(bm, s.n, s.v);
        }
    roaring_bitmap_run_optimize(bm);
    return bm;
}

int idx_exclude_apply(struct idx *idx, const struct idx_query *q, roaring_bitmap_t *r)
{
    if (!q->nmute_creators && !q->nblock_tags)
        return 0;
    char *key = excl_key(q);
    if (!key)
        return FICD_ENOMEM;
    pthread_mutex_lock(&idx->excl_lock);
    uint64_t tick = ++idx->excl_tick;
    struct idx_excl *e = NULL, *lru = NULL;
    for (uint32_t i = 0; i < idx->nexcl; i++) {
        struct idx_excl *x = &idx->excl[i];
        if (!strcmp(x->key, key)) {
            e = x;
            break;
        }
        if (!lru || x->used < lru->used)
            lru = x;
    }
    if (e && (e->gen != idx->tag_gen || e->docs != idx->ndocs)) {
        roaring_bitmap_free(e->bm); /* stale: rebuilt below in place */
        e->bm = NULL;
    }
    if (!e) {
        if (!idx->excl)
            idx->excl = calloc(EXCL_SLOTS, sizeof(*idx->excl));
        if (!idx->excl) {
            pthread_mutex_unlock(&idx->excl_lock);
            free(key);
            return FICD_ENOMEM;
        }
        if (idx->nexcl < EXCL_SLOTS) {
            e = &idx->excl[idx->nexcl++];
        } else {
            e = lru;
            free(e->key);
            roaring_bitmap_free(e->bm);
        }
        e->key = key;
        e->bm = NULL;
        key = NULL;
    }
    if (!e->bm) {
        e->bm = excl_build(idx, q);
        e->gen = idx->tag_gen;
        e->docs = idx->ndocs;
    }
    int rc = 0;
    e->used = tick;
    if (e->bm)
        roaring_bitmap_andnot_inplace(r, e->bm);
    else
        rc = FICD_ENOMEM;
    pthread_mutex_unlock(&idx->excl_lock);
    free(key);
    return rc;
}

void idx_exclude_free(struct idx *idx)
{
    for (uint32_t i = 0; i < idx->nexcl; i++) {
        free(idx->excl[i].key);
        roaring_bitmap_free(idx->excl[i].bm);
    }
    free(idx->excl);
    idx->excl = NULL;
    idx->nexcl = 0;
}
