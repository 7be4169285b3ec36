/* orders.c: the index's derived orders: each sort order's doc ranks and the tag popularity
 * lists, rebuilt after writes; sort names. Split from index.c. */
#include "index/index_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- derived orders ---- */

/* strcmp of the docs' title keys, an ASCII title's being the title lower-cased. */
static int title_key_cmp(const struct idx *idx, const struct idx_doc *x, const struct idx_doc *y)
{
    int lx = x->flags & IDX_DOC_TKEY_ASCII, ly = y->flags & IDX_DOC_TKEY_ASCII;
    const unsigned char *a =
        (const unsigned char *)(lx ? idx_doc_title(idx, x) : idx->strs + x->str);
    const unsigned char *b =
        (const unsigned char *)(ly ? idx_doc_title(idx, y) : idx->strs + y->str);
    if (!lx && !ly)
        return strcmp((const char *)a, (const char *)b);
    for (;; a++, b++) {
        int ca = lx ? tolower(*a) : *a, cb = ly ? tolower(*b) : *b;
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (!ca)
            return 0;
    }
}

static int cmp_doc_sort(const void *a, const void *b, void *ctx)
{
    const struct idx *idx = ((const void **)ctx)[0];
    int s = *(const int *)((const void **)ctx)[1];
    uint32_t xa = *(const uint32_t *)a, ya = *(const uint32_t *)b;
    const struct idx_doc *x = &idx->docs[xa];
    const struct idx_doc *y = &idx->docs[ya];
    int c = 0;
    switch (s) {
    case IDX_SORT_AUTHOR:
        c = strcmp(idx_doc_author_key(idx, x), idx_doc_author_key(idx, y));
        break;
    case IDX_SORT_TITLE:
        c = title_key_cmp(idx, x, y);
        break;
    default: {
        static const int key_of[IDX_SORT__COUNT] = {
            [IDX_SORT_POSTED] = K_POSTED,      [IDX_SORT_UPDATED] = K_UPDATED,
            [IDX_SORT_WORDS] = K_WORDS,        [IDX_SORT_KUDOS] = K_KUDOS,
            [IDX_SORT_HITS] = K_HITS,          [IDX_SORT_COMMENTS] = K_COMMENTS,
            [IDX_SORT_BOOKMARKS] = K_BOOKMARKS};
        int k = key_of[s];
        if (x->keys[k] != IDX_KEY_BIG && y->keys[k] != IDX_KEY_BIG) {
            c = (x->keys[k] > y->keys[k]) - (x->keys[k] < y->keys[k]);
        } else {
            int64_t kx = idx_doc_key(idx, xa, k), ky = idx_doc_key(idx, ya, k);
            c = (kx > ky) - (kx < ky);
        }
    }
    }
    if (c)
        return c;
    int64_t ix = idx_doc_id(x), iy = idx_doc_id(y);
    return (ix > iy) - (ix < iy);
}

/* Sorts docs[0..n) ascending by sort s's key, ties by id (the order scanned by search.c). */
void idx_sort_docs(const struct idx *idx, int s, uint32_t *docs, size_t n)
{
    const void *ctx[2] = {idx, &s};
    qsort_r(docs, n, sizeof(*docs), cmp_doc_sort, (void *)ctx);
}

int idx_doc_cmp(const struct idx *idx, int s, uint32_t a, uint32_t b)
{
    const void *ctx[2] = {idx, &s};
    return cmp_doc_sort(&a, &b, (void *)ctx);
}

void idx_rebuild_orders(struct idx *idx)
{
    uint64_t n = roaring_bitmap_get_cardinality(idx->live);
    uint32_t w = idx->ndocs <= (1u << 24) ? 3 : 4;
    uint32_t *tmp = malloc((n ? n : 1) * sizeof(uint32_t));
    for (int s = 0; s < IDX_SORT__COUNT; s++) {
        free(idx->order[s]);
        idx->order[s] = NULL;
    }
    idx->orders_valid = 0;
    if (!tmp)
        return;
    for (int s = IDX_SORT_AUTHOR; s < IDX_SORT__COUNT; s++) {
        uint8_t *o = malloc((n ? n : 1) * w);
        if (!o) {
            free(tmp);
            return;
        }
        roaring_bitmap_to_uint32_array(idx->live, tmp);
        idx_sort_docs(idx, s, tmp, n);
        for (uint64_t i = 0; i < n; i++) {
            if (w == 4) {
                memcpy(o + i * 4, &tmp[i], 4);
            } else {
                o[i * 3] = (uint8_t)tmp[i];
                o[i * 3 + 1] = (uint8_t)(tmp[i] >> 8);
                o[i * 3 + 2] = (uint8_t)(tmp[i] >> 16);
            }
        }
        idx->order[s] = o;
    }
    free(tmp);
    idx->order_w = w;
    idx->order_n = idx->ndocs;
    idx->order_len = n;
    idx->orders_valid = 1;
    idx_trim(idx);
}

static int cmp_pop(const void *a, const void *b, void *ctx)
{
    const uint64_t *card = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (card[x] != card[y])
        return card[x] > card[y] ? -1 : 1;
    return (x > y) - (x < y);
}

void idx_rebuild_pop(struct idx *idx)
{
    uint64_t *card = malloc((idx->ntags ? idx->ntags : 1) * sizeof(*card));
    if (!card)
        return;
    for (int ty = 0; ty < 4; ty++)
        idx->npop[ty] = 0;
    for (int ty = 0; ty < 4; ty++) {
        free(idx->pop[ty]);
        idx->pop[ty] = NULL;
    }
    uint32_t cnt[4] = {0};
    for (uint32_t t = 0; t < idx->ntags; t++) {
        card[t] = 0;
        if (idx->canon_of[t] != t)
            continue;
        card[t] = idx_tag_card(idx, t);
        if (card[t])
            cnt[idx->type_of[t]]++;
    }
    for (int ty = 0; ty < 4; ty++) {
        idx->pop[ty] = malloc((cnt[ty] ? cnt[ty] : 1) * sizeof(uint32_t));
        if (!idx->pop[ty]) {
            free(card);
            return;
        }
    }
    for (uint32_t t = 0; t < idx->ntags; t++)
        if (card[t])
            idx->pop[idx->type_of[t]][idx->npop[idx->type_of[t]]++] = t;
    for (int ty = 0; ty < 4; ty++)
        qsort_r(idx->pop[ty], idx->npop[ty], sizeof(uint32_t), cmp_pop, card);
    free(card);
    idx->pop_dirty = 0;
}

static const char *const sort_names[IDX_SORT__COUNT] = {"best",     "author",   "title", "posted",
                                                        "updated",  "words",    "kudos", "hits",
                                                        "comments", "bookmarks"};

const char *idx_sort_name(enum idx_sort s)
{
    return (unsigned)s < IDX_SORT__COUNT ? sort_names[s] : "best";
}

int idx_sort_parse(const char *s)
{
    static const struct {
        const char *name;
        int sort;
    } alias[] = {{"relevance", IDX_SORT_BEST},  {"best_match", IDX_SORT_BEST},
                 {"creator", IDX_SORT_AUTHOR},  {"published", IDX_SORT_POSTED},
                 {"created", IDX_SORT_POSTED},  {"date_posted", IDX_SORT_POSTED},
                 {"date", IDX_SORT_UPDATED},    {"date_updated", IDX_SORT_UPDATED},
                 {"revised", IDX_SORT_UPDATED}, {"word_count", IDX_SORT_WORDS},
                 {"wordcount", IDX_SORT_WORDS}};
    if (!s)
        return -1;
    for (int i = 0; i < IDX_SORT__COUNT; i++)
        if (!strcasecmp(s, sort_names[i]))
            return i;
    for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (!strcasecmp(s, alias[i].name))
            return alias[i].sort;
    return -1;
}
