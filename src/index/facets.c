/* facets.c: exact top-N tag facets over a result, and the per-fandom structures that make
 * them cheap for the common query shape ("a fandom plus a few filters").
 *
 * Three ways to count, all exact:
 *  - walk: every tag of every matching work, one {count, last doc} pair per tag. Cheap for
 *    small results; for big ones it costs ~16 cache misses per work (its record, its tags,
 *    their counters), about 1 us per work at 1M works.
 *  - inside one fandom F (of at least idx_facet_fandom_min works): F keeps its works
 *    numbered locally and, per tag carried by its works, the count and the works (a bitset
 *    over F when dense, else a list of local numbers). The result is mapped onto a bitset
 *    over F (|F| / 8 bytes: 16 KB for the biggest fandom of 1M works), and F's tags are
 *    visited by descending count in F, each counted with |F| / 64 word operations or one bit
 *    test per listed work. A tag's count in the result never exceeds its count in F (plus
 *    the works added to F since F was counted), so once the N-th best count found beats the
 *    next tag's bound, no tag left can enter the top N. Characters and relationships are
 *    local to a fandom, so these bounds are tight where totals over the archive are not.
 *    The same counts are kept for other big tags that queries include (a popular freeform,
 *    character or relationship searched without a fandom): built on first use, kept least
 *    recently used first within idx_facet_other_max bytes.
 *  - big results not inside one counted tag: tags by total popularity with
 *    roaring_bitmap_and_cardinality, bounded by each tag's total (ends quickly only for tags
 *    popular across the archive).
 * A type that a bounded search does not settle within its budget is walked. */
#include "index/facets_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int idx_facet_walk_max = 32768;
int idx_facet_total_budget = 48;
int idx_fixed_dense_min = -1;
int idx_facet_bound_min = 2048;

/* ---- top N ---- */

struct topn {
    uint32_t *tag;
    uint64_t *count;
    size_t n, cap;
};

static int top_better(const struct idx *idx, uint64_t ca, uint32_t ta, uint64_t cb, uint32_t tb)
{
    if (ca != cb)
        return ca > cb;
    return strcmp(idx_tag_name(idx, ta), idx_tag_name(idx, tb)) < 0;
}

static void top_insert(const struct idx *idx, struct topn *t, uint32_t tag, uint64_t count)
{
    if (t->n == t->cap && !top_better(idx, count, tag, t->count[t->n - 1], t->tag[t->n - 1]))
        return;
    size_t i = t->n < t->cap ? t->n++ : t->cap - 1;
    while (i > 0 && top_better(idx, count, tag, t->count[i - 1], t->tag[i - 1])) {
        t->tag[i] = t->tag[i - 1];
        t->count[i] = t->count[i - 1];
        i--;
    }
    t->tag[i] = tag;
    t->count[i] = count;
}

/* Ends when no tag with at most `bound` works in the result can enter the top. */
static int top_closed(const struct topn *t, uint64_t bound)
{
    return t->n == t->cap && bound < t->count[t->n - 1];
}

static int facet_add(struct idx_facets *f, const char *name, uint64_t count)
{
    struct idx_facet *nv = realloc(f->v, (f->n + 1) * sizeof(*nv));
    if (!nv)
        return FICD_ENOMEM;
    f->v = nv;
    if (!(f->v[f->n].name = strdup(name)))
        return FICD_ENOMEM;
    f->v[f->n++].count = count;
    return 0;
}

struct idx_facet_stats idx_facet_stats;
#define STAT_ADD(field, n)                                                                         \
    atomic_fetch_add_explicit(&idx_facet_stats.field, (n), memory_order_relaxed)

/* A result inside fandom e, in e's local numbering: a bitset over e's docs, and the docs
 * numbered after e was taken (fresh). Fails (returns 0) when r is not inside e's docs. */
struct local {
    uint64_t *bits;
    roaring_bitmap_t *fresh; /* NULL when none */
    uint64_t nfresh;
};

static int local_map(const struct idx_fcache *e, const roaring_bitmap_t *r, struct local *l)
{
    l->bits = calloc(e->nwords ? e->nwords : 1, sizeof(uint64_t));
    l->fresh = NULL;
    l->nfresh = 0;
    if (!l->bits)
        return 0;
    uint32_t buf[256], j = 0;
    roaring_uint32_iterator_t it;
    roaring_init_iterator(r, &it);
    while (it.has_value) {
        uint32_t got = roaring_read_uint32_iterator(&it, buf, 256);
        for (uint32_t k = 0; k < got; k++) {
            uint32_t x = buf[k];
            if (x >= e->upto) {
                if (!l->fresh && !(l->fresh = roaring_bitmap_create()))
                    return 0;
                roaring_bitmap_add(l->fresh, x);
                l->nfresh++;
                continue;
            }
            /* gallop to x in e->docs */
            uint32_t step = 1, lo = j, hi = j;
            while (hi < e->ndocs && e->docs[hi] < x) {
                lo = hi + 1;
                hi += step;
                step *= 2;
            }
            if (hi > e->ndocs)
                hi = e->ndocs;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (e->docs[mid] < x)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == e->ndocs || e->docs[lo] != x)
                return 0; /* not one of e's works */
            l->bits[lo / 64] |= 1ull << (lo % 64);
            j = lo + 1;
        }
    }
    return 1;
}

static void local_free(struct local *l)
{
    free(l->bits);
    if (l->fresh)
        roaring_bitmap_free(l->fresh);
}

/* Bits set in a & b over n words. The baseline x86-64 target has no POPCNT instruction, so
 * __builtin_popcountll is a libgcc call per word; where the CPU has it (every x86-64 CPU of
 * the last decade) a copy compiled for it is used instead: 3x faster counting. */
static uint64_t and_popcount_generic(const uint64_t *a, const uint64_t *b, uint32_t n)
{
    uint64_t c = 0;
    for (uint32_t w = 0; w < n; w++)
        c += (uint64_t)__builtin_popcountll(a[w] & b[w]);
    return c;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt"))) static uint64_t and_popcount_hw(const uint64_t *a,
                                                                  const uint64_t *b, uint32_t n)
{
    uint64_t c0 = 0, c1 = 0;
    uint32_t w = 0;
    for (; w + 2 <= n; w += 2) {
        c0 += (uint64_t)__builtin_popcountll(a[w] & b[w]);
        c1 += (uint64_t)__builtin_popcountll(a[w + 1] & b[w + 1]);
    }
    if (w < n)
        c0 += (uint64_t)__builtin_popcountll(a[w] & b[w]);
    return c0 + c1;
}
#endif

static uint64_t and_popcount(const uint64_t *a, const uint64_t *b, uint32_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("popcnt"))
        return and_popcount_hw(a, b, n);
#endif
    return and_popcount_generic(a, b, n);
}

/* |r ∩ tag k of e|, r given locally; *cost grows by the words or ids read. */
static uint64_t local_count(const struct idx *idx, const struct idx_fcache *e,
                            const struct local *l, uint32_t k, uint64_t *cost)
{
    uint64_t c = 0;
    if (e->at[k] & FC_DENSE) {
        c = and_popcount(e->bits + (e->at[k] & ~FC_DENSE), l->bits, e->nwords);
        *cost += e->nwords;
    } else if (e->ids) {
        const uint32_t *v = e->ids + e->at[k];
        for (uint32_t i = 0; i < e->count[k]; i++)
            c += (l->bits[v[i] / 64] >> (v[i] % 64)) & 1;
        *cost += e->count[k];
    } else {
        const uint16_t *v = e->ids16 + e->at[k];
        for (uint32_t i = 0; i < e->count[k]; i++)
            c += (l->bits[v[i] / 64] >> (v[i] % 64)) & 1;
        *cost += e->count[k];
    }
    if (l->fresh) {
        struct idx_docset b;
        idx_tag_docs(idx, e->tag[k], &b);
        c += idx_docset_and_card(l->fresh, &b);
    }
    return c;
}

/* Top N of type ty over r (inside fandom e, mapped to l) with e's counts as bounds; 1 when
 * exact, 0 when the cost budget ran out first or an unlisted tag could still enter. */
static int top_by_fandom(const struct idx *idx, const struct idx_fcache *e, const struct local *l,
                         int ty, uint64_t *cost, uint64_t budget, struct topn *t)
{
    for (uint32_t k = e->off[ty]; k < e->off[ty + 1]; k++) {
        if (top_closed(t, (uint64_t)e->count[k] + l->nfresh))
            return 1;
        if (*cost > budget)
            return 0;
        STAT_ADD(isect, 1);
        uint64_t c = local_count(idx, e, l, k, cost);
        if (c)
            top_insert(idx, t, e->tag[k], c);
    }
    /* Tags not listed have fewer than e->keep[ty] works in the fandom (plus fresh ones). */
    uint64_t rest = (uint64_t)e->keep[ty] - 1 + l->nfresh;
    return !rest || top_closed(t, rest);
}

/* Top N of type ty over r (card works) from the tags' totals; 1 when exact, 0 when *cost (the
 * elements the intersections read, about min(|r|, |tag|) each) went past budget first. */
static int top_by_total(const struct idx *idx, const roaring_bitmap_t *r, uint64_t card, int ty,
                        uint64_t *cost, uint64_t budget, struct topn *t)
{
    for (uint32_t i = 0; i < idx->npop[ty]; i++) {
        uint32_t tag = idx->pop[ty][i];
        struct idx_docset b;
        idx_tag_docs(idx, tag, &b);
        uint64_t n = idx_docset_card(&b);
        if (top_closed(t, n))
            return 1;
        if (budget && *cost > budget)
            return 0;
        *cost += (n < card ? n : card) + 64;
        STAT_ADD(isect, 1);
        uint64_t c = idx_docset_and_card(r, &b);
        if (c)
            top_insert(idx, t, tag, c);
    }
    return 1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Per-thread counters for walk_counts, reused across queries: a count per tag (zero between
 * uses: only the touched entries are reset) and the list of touched tags. Allocating and
 * clearing them per query cost as much as walking a few thousand works. Freed when the
 * thread ends. */
struct walk_scratch {
    uint32_t *cnt, *touched;
    size_t cap;
};
static pthread_key_t walk_key;
static pthread_once_t walk_once = PTHREAD_ONCE_INIT;

static void walk_scratch_free(void *p)
{
    struct walk_scratch *w = p;
    if (w) {
        free(w->cnt);
        free(w->touched);
        free(w);
    }
}

static void walk_key_init(void)
{
    if (pthread_key_create(&walk_key, walk_scratch_free))
        abort();
}

/* This thread's counters for n tags; NULL when out of memory. */
static struct walk_scratch *walk_scratch(size_t n)
{
    pthread_once(&walk_once, walk_key_init);
    struct walk_scratch *w = pthread_getspecific(walk_key);
    if (!w) {
        if (!(w = calloc(1, sizeof(*w))) || pthread_setspecific(walk_key, w)) {
            free(w);
            return NULL;
        }
    }
    if (w->cap < n) {
        free(w->cnt);
        free(w->touched);
        w->cnt = calloc(n, sizeof(*w->cnt));
        w->touched = malloc(n * sizeof(*w->touched));
        w->cap = w->cnt && w->touched ? n : 0;
        if (!w->cap)
            return NULL;
    }
    return w;
}

/* Software prefetch of doc docs[i]'s record (60 bytes: up to two cache lines) and, once that
 * has arrived, of its tag numbers. A walk reads works in ascending doc order but far apart, so
 * each record and each tag list is a cache miss (a TLB miss too in a big archive); perf puts
 * most of the walk's samples on those two loads. Asked for some works ahead, the misses
 * overlap; measured, it saves only ~5 % of a walk-bound query at 1M works (bench_filter
 * --only 44 --ab): the per-tag counters cost about as much. */
#define WALK_PF_DOC 12 /* records this many works ahead */
#define WALK_PF_TAG 6  /* tag numbers this many works ahead (their record came in before) */

static inline void prefetch_doc(const struct idx *idx, uint32_t d)
{
    const char *p = (const char *)&idx->docs[d];
    __builtin_prefetch(p);
    __builtin_prefetch(p + sizeof(struct idx_doc) - 1);
}

static inline void prefetch_doc_tags(const struct idx *idx, uint32_t d)
{
    const struct idx_doc *doc = &idx->docs[d];
    if (!idx->tagpool)
        return; /* no tags yet */
    const uint8_t *p = idx->tagpool + doc->tags;
    size_t len = (size_t)doc->type_end[3] * (doc->flags & IDX_DOC_WIDE ? 4 : 3);
    __builtin_prefetch(p);
    if (len > 1)
        __builtin_prefetch(p + len - 1);
}

int idx_walk_prefetch_on = 1;

void idx_walk_prefetch(const struct idx *idx, const uint32_t *docs, uint32_t k, uint32_t n)
{
    if (!idx_walk_prefetch_on)
        return;
    if (k + WALK_PF_DOC < n)
        prefetch_doc(idx, docs[k + WALK_PF_DOC]);
    if (k + WALK_PF_TAG < n)
        prefetch_doc_tags(idx, docs[k + WALK_PF_TAG]);
}

void idx_walk_prefetch_start(const struct idx *idx, const uint32_t *docs, uint32_t n)
{
    if (!idx_walk_prefetch_on)
        return;
    for (uint32_t k = 0; k < n && k < WALK_PF_DOC; k++)
        prefetch_doc(idx, docs[k]);
    for (uint32_t k = 0; k < n && k < WALK_PF_TAG; k++)
        prefetch_doc_tags(idx, docs[k]);
}

/* Counts the tags of the types with walk[ty] set over every work of r. */
static int walk_counts(const struct idx *idx, const roaring_bitmap_t *r, const int walk[4],
                       struct topn top[4])
{
    struct walk_scratch *ws = walk_scratch(idx->ntags ? idx->ntags : 1);
    if (!ws)
        return FICD_ENOMEM;
    uint32_t *counts = ws->cnt, *touched = ws->touched;
    size_t ntouched = 0;
    STAT_ADD(walked, roaring_bitmap_get_cardinality(r));
    const uint32_t *canon_of = idx->canon_of;
    uint32_t buf[256];
    roaring_uint32_iterator_t it;
    roaring_init_iterator(r, &it);
    while (it.has_value) {
        uint32_t got = roaring_read_uint32_iterator(&it, buf, 256);
        idx_walk_prefetch_start(idx, buf, got);
        for (uint32_t k = 0; k < got; k++) {
            idx_walk_prefetch(idx, buf, k, got);
            const struct idx_doc *d = &idx->docs[buf[k]];
            /* A work's tag numbers are distinct, so its tags count once each, unless a
             * synonym and its canonical (or two synonyms of one tag) meet on one work: only
             * then are the canonicals compared. */
            uint32_t local[512], *tc = local;
            uint32_t n = 0, want = d->type_end[3];
            int syn = 0;
            if (want > 512 && !(tc = malloc(want * sizeof(*tc)))) {
                for (size_t i = 0; i < ntouched; i++)
                    counts[touched[i]] = 0;
                return FICD_ENOMEM;
            }
            const uint8_t *p = idx->tagpool ? idx->tagpool + d->tags : NULL; /* no tags yet */
            int wide = d->flags & IDX_DOC_WIDE;
            for (int ty = 0; ty < 4; ty++) {
                if (!walk[ty])
                    continue;
                for (uint32_t i = ty ? d->type_end[ty - 1] : 0; i < d->type_end[ty]; i++) {
                    uint32_t tn;
                    if (wide)
                        memcpy(&tn, p + (size_t)i * 4, 4);
                    else
                        tn = (uint32_t)p[i * 3] | (uint32_t)p[i * 3 + 1] << 8 |
                             (uint32_t)p[i * 3 + 2] << 16;
                    uint32_t c = canon_of[tn];
                    syn |= c != tn;
                    tc[n++] = c;
                }
            }
            if (syn && n > 64)
                qsort(tc, n, sizeof(*tc), cmp_u32); /* equal canonicals side by side */
            for (uint32_t i = 0; i < n; i++) {
                uint32_t c = tc[i];
                if (syn && n > 64 && i && tc[i - 1] == c)
                    continue;
                if (syn && n <= 64) {
                    uint32_t j = 0;
                    while (j < i && tc[j] != c)
                        j++;
                    if (j < i)
                        continue;
                }
                if (!counts[c]++)
                    touched[ntouched++] = c;
            }
            if (tc != local)
                free(tc);
        }
    }
    for (size_t i = 0; i < ntouched; i++) {
        uint32_t c = touched[i];
        top_insert(idx, &top[idx->type_of[c] & 3], c, counts[c]);
        counts[c] = 0;
    }
    return 0;
}

int idx_tag_facets(const struct idx *idx, const roaring_bitmap_t *r, uint32_t fandom, uint32_t alt,
                   size_t limit, struct idx_result *res)
{
    struct topn top[4];
    int rc = 0;
    for (int ty = 0; ty < 4; ty++) {
        top[ty].tag = malloc(limit * sizeof(uint32_t));
        top[ty].count = malloc(limit * sizeof(uint64_t));
        top[ty].n = 0;
        top[ty].cap = limit;
        if (!top[ty].tag || !top[ty].count)
            rc = FICD_ENOMEM;
    }
    uint64_t card = roaring_bitmap_get_cardinality(r);
    int walk[4] = {1, 1, 1, 1};
    const struct idx_fcache *e = NULL;
    uint64_t slack = 0;
    struct local l = {0};
    int local = 0;
    if (!rc && card >= (uint64_t)idx_facet_bound_min && fandom != UINT32_MAX) {
        if ((e = idx_fcache_get(idx, fandom, &slack))) {
            local = local_map(e, r, &l);
        } else {
            if (idx->type_of[fandom] != TAG_FANDOM && card * 4 >= idx_tag_card(idx, fandom))
                /* Worth counts of its own only when results are a good part of the tag: a
                 * smaller result is walked for less than building the tag's counts costs. */
                idx_fcache_seen(fandom);
            /* Else inside a bigger include tag that has counts (a fandom, most often): looser
             * bounds, which the cost budget below turns into a walk when they do not end. */
            if (alt != UINT32_MAX && alt != fandom && (e = idx_fcache_get(idx, alt, &slack)))
                local = local_map(e, r, &l);
        }
    }
    if (!rc && local) {
        /* Inside one fandom. The budget keeps loose bounds (a result that is a small part of
         * the fandom) from costing more than walking would: walking a work misses the cache
         * ~16 times (its record, its tags, their counters: ~1 us at 1M works), a word or id
         * here is one sequential read (measured with bench_filter at 1M works). */
        uint64_t cost = 0, budget = card * 128 + 65536;
        for (int ty = 0; ty < 4; ty++) {
            if (top_by_fandom(idx, e, &l, ty, &cost, budget, &top[ty])) {
                walk[ty] = 0;
            } else {
                top[ty].n = 0;
                STAT_ADD(fail[0][ty], 1);
                if (cost > budget)
                    STAT_ADD(fail_cost[0], 1);
            }
        }
        STAT_ADD(fandom_path, 1);
    } else if (!rc && card > (uint64_t)idx_facet_walk_max) {
        /* Big result across fandoms: totals as bounds end quickly for tags popular across
         * the archive (freeforms; any type when the result is a big part of the archive).
         * Walking costs a few cache misses per work, whatever the number of types walked:
         * the intersections may read up to idx_facet_total_budget elements per work of the
         * result in all (about as long as the walk would take), and once one type does not
         * end within that, the rest are walked with it. */
        uint64_t cost = 0, budget = card * (uint64_t)idx_facet_total_budget;
        static const int order[4] = {TAG_FREEFORM, TAG_FANDOM, TAG_CHARACTER, TAG_RELATIONSHIP};
        for (int k = 0; k < 4; k++) {
            int ty = order[k];
            if (top_by_total(idx, r, card, ty, &cost, budget, &top[ty])) {
                walk[ty] = 0;
            } else {
                top[ty].n = 0;
                STAT_ADD(fail[1][ty], 1);
                if (budget && cost > budget)
                    STAT_ADD(fail_cost[1], 1);
                break;
            }
        }
    }
    if (e)
        local_free(&l);
    if (!rc && (walk[0] || walk[1] || walk[2] || walk[3]))
        rc = walk_counts(idx, r, walk, top);
    for (int ty = 0; ty < 4; ty++) {
        for (size_t i = 0; !rc && i < top[ty].n; i++)
            rc = facet_add(&res->facets[IDX_FACET_FANDOMS + ty], idx_tag_name(idx, top[ty].tag[i]),
                           top[ty].count[i]);
        free(top[ty].tag);
        free(top[ty].count);
    }
    return rc;
}

/* The result as a dense bitset over the fixed sets' words; NULL when out of memory. */
static uint64_t *dense_result(const struct idx *idx, const roaring_bitmap_t *r)
{
    uint64_t *b = calloc(idx->fixed_words, sizeof(*b));
    if (!b)
        return NULL;
    uint32_t buf[256];
    roaring_uint32_iterator_t it;
    roaring_init_iterator(r, &it);
    while (it.has_value) {
        uint32_t got = roaring_read_uint32_iterator(&it, buf, 256);
        for (uint32_t k = 0; k < got; k++)
            if (buf[k] / 64 < idx->fixed_words)
                b[buf[k] / 64] |= 1ull << (buf[k] % 64);
    }
    return b;
}

int idx_fixed_facets(const struct idx *idx, const roaring_bitmap_t *r, struct idx_result *res)
{
    static const enum rating order[] = {RATING_GENERAL, RATING_TEEN, RATING_MATURE, RATING_EXPLICIT,
                                        RATING_NOT_RATED};
    uint64_t n[IDX_FIXED_N];
    /* A big result is counted against the dense copies, a word at a time (~16k words per set
     * at 1M works); a small one by CRoaring, one bit test per matching doc. */
    uint64_t card = roaring_bitmap_get_cardinality(r);
    uint64_t min =
        idx_fixed_dense_min >= 0 ? (uint64_t)idx_fixed_dense_min : (uint64_t)idx->fixed_words / 4;
    uint64_t *dense = idx->fixed_words && card >= min ? dense_result(idx, r) : NULL;
    for (int k = 0; k < IDX_FIXED_N; k++) {
        if (dense) {
            n[k] = and_popcount(dense, idx->fixed_bits[k], idx->fixed_words);
            continue;
        }
        const roaring_bitmap_t *set = k < RATING__COUNT ? idx->rating[k]
                                      : k < RATING__COUNT + WARN__COUNT
                                          ? idx->warning[k - RATING__COUNT]
                                          : idx->category[k - RATING__COUNT - WARN__COUNT];
        n[k] = roaring_bitmap_and_cardinality(r, set);
    }
    free(dense);
    int rc = 0;
    for (size_t i = 0; !rc && i < 5; i++)
        rc = facet_add(&res->facets[IDX_FACET_RATINGS], rating_name(order[i]), n[order[i]]);
    for (int i = 0; !rc && i < WARN__COUNT; i++)
        rc = facet_add(&res->facets[IDX_FACET_WARNINGS], warning_name(1u << i),
                       n[RATING__COUNT + i]);
    for (int i = 0; !rc && i < CAT__COUNT; i++)
        rc = facet_add(&res->facets[IDX_FACET_CATEGORIES], category_name(1u << i),
                       n[RATING__COUNT + WARN__COUNT + i]);
    return rc;
}

static const char *const group_names[IDX_FACET__COUNT] = {
    "ratings", "warnings", "categories", "fandoms", "relationships", "characters", "freeforms"};

const char *idx_facet_group_name(enum idx_facet_group g)
{
    return (unsigned)g < IDX_FACET__COUNT ? group_names[g] : "";
}
