/* facet_cache.c: the per-fandom counts that make facets cheap inside one big tag (see
 * facets.c for how they are used): for each fandom of at least idx_facet_fandom_min works,
 * and for other big tags that queries include once they are asked for twice, the works
 * numbered locally and each tag's count and works among them; built under the write lock,
 * read under the read lock, non-fandom entries kept least recently used first within
 * idx_facet_other_max bytes. Also which tag bounds a query's result. */
#include "index/facets_int.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int idx_facet_fandom_min = 2048;
int idx_facet_keep_min = 2;
long long idx_facet_other_max = -1;

/* The budget of non-fandom counts: idx_facet_other_max, or by default 32 MB or 12 bytes per
 * work, whichever is more (at 10M works, 120 MB: the counts of a freeform carried by 1.5M
 * works fit; a result inside it is then counted in milliseconds instead of a walk or
 * thousands of intersections over the archive taking seconds). */
static uint64_t other_max(const struct idx *idx)
{
    if (idx_facet_other_max >= 0)
        return (uint64_t)idx_facet_other_max;
    uint64_t per_doc = (uint64_t)idx->ndocs * 12;
    return per_doc > (32ull << 20) ? per_doc : 32ull << 20;
}

/* Ticks of the counts' use, for evicting the least recently used non-fandom entry. */
static _Atomic uint64_t fc_clock;
/* Non-fandom tags whose big result was counted without cached counts, by hash (tag + 1 in its
 * slot): counts are built for a tag only when it is asked for again, so a query seen once
 * costs a walk, not a build over all of the tag's works. */
#define FC_SEEN_SLOTS 4096
static _Atomic uint32_t fc_seen[FC_SEEN_SLOTS];

static uint32_t fc_seen_slot(uint32_t tag)
{
    return (tag * 2654435761u) >> 20; /* 12 bits */
}

static void fc_entry_free(struct idx_fcache *e)
{
    if (!e)
        return;
    free(e->docs);
    free(e->tag);
    free(e->count);
    free(e->at);
    free(e->bits);
    free(e->ids);
    free(e->ids16);
    free(e);
}

/* ---- the per-fandom counts ---- */

struct fc_scratch {
    uint32_t *cnt, *last, *touched, *slot;
};

static int scratch_init(const struct idx *idx, struct fc_scratch *s)
{
    size_t n = idx->ntags ? idx->ntags : 1;
    s->cnt = calloc(n, sizeof(uint32_t));
    s->last = calloc(n, sizeof(uint32_t));
    s->touched = malloc(n * sizeof(uint32_t));
    s->slot = calloc(n, sizeof(uint32_t));
    if (s->cnt && s->last && s->touched && s->slot)
        return 0;
    free(s->cnt);
    free(s->last);
    free(s->touched);
    free(s->slot);
    return FICD_ENOMEM;
}

static void scratch_free(struct fc_scratch *s)
{
    free(s->cnt);
    free(s->last);
    free(s->touched);
    free(s->slot);
}

struct fc_sort {
    uint32_t tag, count;
};

static int cmp_entry(const void *a, const void *b)
{
    const struct fc_sort *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->tag > y->tag) - (x->tag < y->tag);
}

/* Calls fn for every (local number, canonical tag) of f's works, each tag once per work. */
#define FC_FOR_EACH(idx, e, s, BODY)                                                               \
    idx_walk_prefetch_start(idx, (e)->docs, (e)->ndocs);                                           \
    for (uint32_t li = 0; li < (e)->ndocs; li++) {                                                 \
        idx_walk_prefetch(idx, (e)->docs, li, (e)->ndocs);                                         \
        const struct idx_doc *d = &(idx)->docs[(e)->docs[li]];                                     \
        for (uint32_t i = 0; i < idx_doc_ntags(d); i++) {                                          \
            uint32_t c = (idx)->canon_of[idx_doc_tag(idx, d, i)];                                  \
            if ((s)->last[c] == li + 1)                                                            \
                continue;                                                                          \
            (s)->last[c] = li + 1;                                                                 \
            BODY                                                                                   \
        }                                                                                          \
    }

/* Counts the tags (as canonicals) of fandom f's works and lists their works locally. */
static struct idx_fcache *fc_compute(const struct idx *idx, uint32_t f, struct fc_scratch *s)
{
    struct idx_docset b;
    idx_tag_docs(idx, f, &b);
    struct idx_fcache *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->gen = idx->tag_gen;
    e->fandom = f;
    e->other = idx->type_of[f] != TAG_FANDOM;
    e->upto = idx->ndocs;
    e->ndocs = (uint32_t)idx_docset_card(&b);
    e->nwords = (e->ndocs + 63) / 64;
    for (int ty = 0; ty < 4; ty++)
        e->keep[ty] = e->ndocs / 4096 > (uint32_t)idx_facet_keep_min ? e->ndocs / 4096
                                                                     : (uint32_t)idx_facet_keep_min;
    /* Fandoms are listed down to idx_facet_keep_min works: inside a fandom they are its
     * crossovers, a few per cent of its works, whose tenth best in a result is often below
     * |F| / 4096 (the bound of the unlisted ones then never closed: the type was walked). */
    e->keep[TAG_FANDOM] = (uint32_t)idx_facet_keep_min;
    e->docs = malloc((e->ndocs ? e->ndocs : 1) * sizeof(uint32_t));
    if (!e->docs) {
        fc_entry_free(e);
        return NULL;
    }
    if (b.bm)
        roaring_bitmap_to_uint32_array(b.bm, e->docs);
    else
        memcpy(e->docs, b.v, (size_t)b.n * sizeof(uint32_t));
    size_t nt = 0;
    FC_FOR_EACH(idx, e, s, if (!s->cnt[c]++) s->touched[nt++] = c;)
    for (size_t i = 0; i < nt; i++)
        s->last[s->touched[i]] = 0;
    /* Listed tags by type, by descending count. */
    struct fc_sort *v = malloc((nt ? nt : 1) * sizeof(*v));
    uint32_t per[4] = {0}, n = 0;
    for (size_t i = 0; v && i < nt; i++)
        if (s->cnt[s->touched[i]] >= e->keep[idx->type_of[s->touched[i]] & 3])
            per[idx->type_of[s->touched[i]] & 3]++;
    e->off[0] = 0;
    for (int ty = 0; ty < 4; ty++)
        e->off[ty + 1] = e->off[ty] + per[ty];
    n = e->off[4];
    e->tag = malloc((n ? n : 1) * sizeof(uint32_t));
    e->count = malloc((n ? n : 1) * sizeof(uint32_t));
    e->at = malloc((n ? n : 1) * sizeof(uint32_t));
    int ok = v && e->tag && e->count && e->at;
    if (ok) {
        uint32_t at[4] = {e->off[0], e->off[1], e->off[2], e->off[3]};
        for (size_t i = 0; i < nt; i++) {
            uint32_t c = s->touched[i];
            if (s->cnt[c] >= e->keep[idx->type_of[c] & 3])
                v[at[idx->type_of[c] & 3]++] = (struct fc_sort){c, s->cnt[c]};
        }
        for (int ty = 0; ty < 4; ty++)
            qsort(v + e->off[ty], e->off[ty + 1] - e->off[ty], sizeof(*v), cmp_entry);
        /* Dense tags as bitsets over F, the others as lists of local numbers. */
        for (uint32_t i = 0; i < n; i++) {
            e->tag[i] = v[i].tag;
            e->count[i] = v[i].count;
            if ((uint64_t)v[i].count * 32 >= (uint64_t)e->nwords * 64) {
                e->at[i] = FC_DENSE | (uint32_t)e->nbits;
                e->nbits += e->nwords;
            } else {
                e->at[i] = (uint32_t)e->nids;
                e->nids += v[i].count;
            }
            s->slot[v[i].tag] = i + 1;
        }
        e->bits = calloc(e->nbits ? e->nbits : 1, sizeof(uint64_t));
        if (e->ndocs > FC_IDS16_MAX)
            e->ids = malloc((e->nids ? e->nids : 1) * sizeof(uint32_t));
        else
            e->ids16 = malloc((e->nids ? e->nids : 1) * sizeof(uint16_t));
        ok = e->bits && (e->ids || e->ids16) && e->nbits < FC_DENSE && e->nids < FC_DENSE;
    }
    if (ok) {
        /* cnt[c] becomes the fill position of listed tag c. */
        for (uint32_t i = 0; i < n; i++)
            s->cnt[e->tag[i]] = e->at[i] & FC_DENSE ? 0 : e->at[i];
        FC_FOR_EACH(idx, e, s, {
            if (!s->slot[c])
                continue;
            uint32_t k = s->slot[c] - 1;
            if (e->at[k] & FC_DENSE)
                e->bits[(e->at[k] & ~FC_DENSE) + li / 64] |= 1ull << (li % 64);
            else if (e->ids)
                e->ids[s->cnt[c]++] = li;
            else
                e->ids16[s->cnt[c]++] = (uint16_t)li;
        })
    }
    for (size_t i = 0; i < nt; i++)
        s->cnt[s->touched[i]] = s->last[s->touched[i]] = s->slot[s->touched[i]] = 0;
    free(v);
    if (!ok) {
        fc_entry_free(e);
        return NULL;
    }
    return e;
}

/* Works added to f's set since its counts were taken. */
static uint64_t fc_slack(const struct idx *idx, uint32_t f, const struct idx_fcache *e)
{
    if (e->upto >= idx->ndocs)
        return 0;
    struct idx_docset b;
    idx_tag_docs(idx, f, &b);
    return idx_docset_range_card(&b, e->upto, idx->ndocs);
}

/* The first position in idx->fcache whose fandom is not below f. */
static uint32_t fc_find(const struct idx *idx, uint32_t f)
{
    uint32_t lo = 0, hi = idx->fcache_n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (idx->fcache[mid]->fandom < f)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The cache entry of canonical fandom f when it is valid and tight enough to use. */
const struct idx_fcache *idx_fcache_get(const struct idx *idx, uint32_t f, uint64_t *slack)
{
    uint32_t i = fc_find(idx, f);
    if (i == idx->fcache_n || idx->fcache[i]->fandom != f)
        return NULL;
    const struct idx_fcache *e = idx->fcache[i];
    if (e->gen != idx->tag_gen)
        return NULL;
    uint64_t s = fc_slack(idx, f, e);
    if (s > e->ndocs / 8 + 256)
        return NULL;
    *slack = s;
    atomic_store_explicit(&idx->fcache[i]->used,
                          atomic_fetch_add_explicit(&fc_clock, 1, memory_order_relaxed),
                          memory_order_relaxed);
    return e;
}

uint32_t idx_facet_bound_fandom(const struct idx *idx, const struct idx_query *q)
{
    uint32_t best = UINT32_MAX;
    uint64_t best_card = UINT64_MAX;
    for (size_t i = 0; i < q->ntags; i++) {
        /* An include tag of any type: the result lies inside it (when it has sub tags, inside
         * it and them, which local_map notices and then counts another way). */
        for (int ty = TAG_FANDOM; ty <= TAG_FREEFORM; ty++) {
            uint32_t t;
            if (!idx_tag_lookup(idx, ty, q->tags[i], &t))
                continue;
            uint32_t c = idx->canon_of[t];
            uint64_t card = idx_tag_card(idx, c);
            if (card < best_card) {
                best = c;
                best_card = card;
            }
        }
    }
    /* Several fandoms (any of them) bound the result only when they are one canonical. */
    uint32_t any = UINT32_MAX;
    for (size_t i = 0; i < q->nfandoms; i++) {
        uint32_t t;
        if (!idx_tag_lookup(idx, TAG_FANDOM, q->fandoms[i], &t))
            continue;
        if (any != UINT32_MAX && any != idx->canon_of[t]) {
            any = UINT32_MAX;
            break;
        }
        any = idx->canon_of[t];
    }
    if (any != UINT32_MAX && idx_tag_card(idx, any) < best_card)
        best = any;
    return best;
}

uint32_t idx_facet_bound_alt(const struct idx *idx, const struct idx_query *q)
{
    uint32_t best = UINT32_MAX;
    uint64_t best_card = UINT64_MAX, slack;
    for (size_t i = 0; i < q->ntags + q->nfandoms; i++) {
        const char *name = i < q->ntags ? q->tags[i] : q->fandoms[i - q->ntags];
        if (i >= q->ntags && q->nfandoms > 1)
            break; /* several fandoms (any of them) do not bound the result */
        for (int ty = TAG_FANDOM; ty <= TAG_FREEFORM; ty++) {
            uint32_t t;
            if ((i >= q->ntags && ty != TAG_FANDOM) || !idx_tag_lookup(idx, ty, name, &t))
                continue;
            uint32_t c = idx->canon_of[t];
            uint64_t card = idx_tag_card(idx, c);
            if (card < best_card && idx_fcache_get(idx, c, &slack)) {
                best = c;
                best_card = card;
            }
        }
    }
    return best;
}

/* Whether fandom f wants counts (big enough) but has no usable ones. */
static int fc_wanted(const struct idx *idx, uint32_t f)
{
    uint64_t slack;
    if (f == UINT32_MAX)
        return 0;
    uint64_t card = idx_tag_card(idx, f);
    if (card < (uint64_t)idx_facet_fandom_min)
        return 0;
    /* A non-fandom entry costs about 40 bytes a work (measured at 1M AO3-shaped works): one
     * that would not fit the budget is not built (it would be evicted by the next). */
    if (idx->type_of[f] != TAG_FANDOM &&
        (card * 40 > other_max(idx) / 2 ||
         atomic_load_explicit(&fc_seen[fc_seen_slot(f)], memory_order_relaxed) != f + 1))
        return 0;
    return !idx_fcache_get(idx, f, &slack);
}

int idx_facet_cache_fresh(const struct idx *idx, uint32_t f)
{
    return idx->fcache_init && !fc_wanted(idx, f);
}

static uint64_t fc_entry_bytes(const struct idx_fcache *e)
{
    return sizeof(*e) + (uint64_t)e->ndocs * 4 + (uint64_t)e->off[4] * 12 + e->nbits * 8 +
           e->nids * (e->ids ? 4 : 2);
}

/* Drops least recently used non-fandom entries (never keep) until they fit the budget. */
static void fc_evict(struct idx *idx, const struct idx_fcache *keep)
{
    for (;;) {
        uint64_t total = 0;
        uint32_t lru = UINT32_MAX;
        for (uint32_t i = 0; i < idx->fcache_n; i++) {
            const struct idx_fcache *e = idx->fcache[i];
            if (!e->other)
                continue;
            total += fc_entry_bytes(e);
            if (e != keep &&
                (lru == UINT32_MAX || atomic_load(&e->used) < atomic_load(&idx->fcache[lru]->used)))
                lru = i;
        }
        if (total <= other_max(idx) || lru == UINT32_MAX)
            return;
        /* An evicted tag has to be asked for again before its counts are rebuilt. */
        uint32_t gone = idx->fcache[lru]->fandom, expect = gone + 1;
        atomic_compare_exchange_strong(&fc_seen[fc_seen_slot(gone)], &expect, 0);
        fc_entry_free(idx->fcache[lru]);
        memmove(idx->fcache + lru, idx->fcache + lru + 1,
                (idx->fcache_n - lru - 1) * sizeof(*idx->fcache));
        idx->fcache_n--;
    }
}

static int fc_set(struct idx *idx, uint32_t f, struct fc_scratch *s)
{
    uint32_t i = fc_find(idx, f);
    int found = i < idx->fcache_n && idx->fcache[i]->fandom == f;
    if (!found && idx->fcache_n == idx->fcache_cap) {
        uint32_t nc = idx->fcache_cap ? idx->fcache_cap * 2 : 16;
        struct idx_fcache **nv = realloc(idx->fcache, nc * sizeof(*nv));
        if (!nv)
            return FICD_ENOMEM;
        idx->fcache = nv;
        idx->fcache_cap = nc;
    }
    struct idx_fcache *e = fc_compute(idx, f, s);
    if (!e)
        return FICD_ENOMEM;
    if (found) {
        fc_entry_free(idx->fcache[i]);
    } else {
        memmove(idx->fcache + i + 1, idx->fcache + i, (idx->fcache_n - i) * sizeof(*idx->fcache));
        idx->fcache_n++;
    }
    idx->fcache[i] = e;
    atomic_store(&e->used, atomic_fetch_add(&fc_clock, 1));
    if (e->other)
        fc_evict(idx, e);
    return 0;
}

int idx_facet_cache_refresh(struct idx *idx, uint32_t f)
{
    if (idx->fcache_init && !fc_wanted(idx, f))
        return 0;
    struct fc_scratch s;
    int rc = scratch_init(idx, &s), first = !idx->fcache_init;
    if (rc)
        return rc;
    if (first) {
        /* First use: every big fandom, so that no reader pays for one later. */
        for (uint32_t t = 0; !rc && t < idx->ntags; t++)
            if (idx->type_of[t] == TAG_FANDOM && idx->canon_of[t] == t &&
                idx_tag_card(idx, t) >= (uint64_t)idx_facet_fandom_min)
                rc = fc_set(idx, t, &s);
        idx->fcache_init = !rc;
    }
    if (!rc && fc_wanted(idx, f))
        rc = fc_set(idx, f, &s);
    scratch_free(&s);
#ifdef __GLIBC__
    if (first)
        malloc_trim(0); /* the scratch counters (16 bytes a tag) go back to the system */
#endif
    return rc;
}

void idx_facet_cache_free(struct idx *idx)
{
    for (uint32_t i = 0; i < idx->fcache_n; i++)
        fc_entry_free(idx->fcache[i]);
    free(idx->fcache);
    idx->fcache = NULL;
    idx->fcache_n = idx->fcache_cap = 0;
    idx->fcache_init = 0;
}

uint64_t idx_facet_cache_bytes(const struct idx *idx)
{
    uint64_t b = (uint64_t)idx->fcache_cap * sizeof(idx->fcache[0]);
    for (uint32_t i = 0; i < idx->fcache_n; i++)
        b += fc_entry_bytes(idx->fcache[i]);
    return b;
}

void idx_fcache_seen(uint32_t f)
{
    atomic_store_explicit(&fc_seen[fc_seen_slot(f)], f + 1, memory_order_relaxed);
}
