/* creators.c: the docs of each creator (pseud) name, for readers who mute creators: a
 * query's muted creators are taken out of the result before anything is counted. Docs are
 * numbered in the order they are added, so a creator's list only grows at its end; dead docs
 * stay in it (a result holds live docs only) until idx_creators_prune() drops them when the
 * orders are rebuilt. Names match case-insensitively (ASCII, as the store's NOCASE). */
#include "index/index_int.h"

#include <stdlib.h>
#include <string.h>

static size_t creator_key(const char *name, char *out, size_t outsz)
{
    size_t n = 0;
    for (; name[n] && n + 1 < outsz; n++)
        out[n] = name[n] >= 'A' && name[n] <= 'Z' ? (char)(name[n] - 'A' + 'a') : name[n];
    out[n] = 0;
    return n;
}

static int creator_find(const struct idx *idx, const char *name, uint32_t *c)
{
    char key[512];
    size_t n = creator_key(name, key, sizeof(key));
    return n && smap_get(&idx->creator_by_name, key, n, c);
}

int idx_creator_add_doc(struct idx *idx, const char *name, uint32_t d)
{
    char key[512];
    size_t n = creator_key(name, key, sizeof(key));
    if (!n)
        return 0;
    uint32_t c;
    if (!smap_get(&idx->creator_by_name, key, n, &c)) {
        if (idx->ncreators == idx->creators_cap) {
            uint32_t cap = idx->creators_cap ? idx->creators_cap * 2 : 256;
            struct idx_creator *v = realloc(idx->creators, cap * sizeof(*v));
            if (!v)
                return FICD_ENOMEM;
            idx->creators = v;
            idx->creators_cap = cap;
        }
        c = idx->ncreators;
        memset(&idx->creators[c], 0, sizeof(idx->creators[c]));
        if (smap_put(&idx->creator_by_name, key, n, c))
            return FICD_ENOMEM;
        idx->ncreators++;
    }
    struct idx_creator *cr = &idx->creators[c];
    if (cr->bm) {
        roaring_bitmap_add(cr->bm, d);
        return 0;
    }
    if (cr->n && cr->v[cr->n - 1] == d)
        return 0; /* the same name credited twice on one work */
    if (cr->n + 1 >= IDX_TAG_LIST_MAX) {
        roaring_bitmap_t *b = roaring_bitmap_of_ptr(cr->n, cr->v);
        if (!b)
            return FICD_ENOMEM;
        roaring_bitmap_add(b, d);
        free(cr->v);
        cr->v = NULL;
        cr->n = cr->cap = 0;
        cr->bm = b;
        return 0;
    }
    if (cr->n == cr->cap) {
        uint32_t cap = cr->cap ? cr->cap * 2 : 2;
        uint32_t *v = realloc(cr->v, cap * sizeof(*v));
        if (!v)
            return FICD_ENOMEM;
        cr->v = v;
        cr->cap = cap;
    }
    cr->v[cr->n++] = d;
    return 0;
}

void idx_creators_prune(struct idx *idx)
{
    for (uint32_t c = 0; c < idx->ncreators; c++) {
        struct idx_creator *cr = &idx->creators[c];
        if (cr->bm) {
            roaring_bitmap_and_inplace(cr->bm, idx->live);
            roaring_bitmap_shrink_to_fit(cr->bm);
            continue;
        }
        uint32_t k = 0;
        for (uint32_t i = 0; i < cr->n; i++)
            if (roaring_bitmap_contains(idx->live, cr->v[i]))
                cr->v[k++] = cr->v[i];
        cr->n = k;
        if (k < cr->cap) {
            uint32_t *v = k ? realloc(cr->v, k * sizeof(*v)) : NULL;
            if (!k) {
                free(cr->v);
                cr->v = NULL;
                cr->cap = 0;
            } else if (v) {
                cr->v = v;
                cr->cap = k;
            }
        }
    }
}

void idx_creators_free(struct idx *idx)
{
    for (uint32_t c = 0; c < idx->ncreators; c++) {
        if (idx->creators[c].bm)
            roaring_bitmap_free(idx->creators[c].bm);
        free(idx->creators[c].v);
    }
    free(idx->creators);
    idx->creators = NULL;
    idx->ncreators = idx->creators_cap = 0;
    smap_free(&idx->creator_by_name);
}

uint64_t idx_creators_bytes(const struct idx *idx)
{
    uint64_t b = (uint64_t)idx->creators_cap * sizeof(struct idx_creator) +
                 idx->creator_by_name.cap * (sizeof(char *) + 4);
    for (uint32_t c = 0; c < idx->ncreators; c++) {
        const struct idx_creator *cr = &idx->creators[c];
        b += cr->bm ? roaring_bitmap_size_in_bytes(cr->bm) : (uint64_t)cr->cap * 4;
    }
    return b;
}

void idx_creator_docs_or(const struct idx *idx, const char *name, roaring_bitmap_t *bm)
{
    uint32_t c;
    if (!creator_find(idx, name, &c))
        return;
    const struct idx_creator *cr = &idx->creators[c];
    if (cr->bm)
        roaring_bitmap_or_inplace(bm, cr->bm);
    else
        roaring_bitmap_add_many(bm, cr->n, cr->v);
}
