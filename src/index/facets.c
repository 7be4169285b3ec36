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
#include "index/index_int.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int idx_facet_walk_max = 150000;
int idx_fixed_dense_min = -1;
int idx_facet_fandom_min = 2048;
int idx_facet_bound_min = 2048;
int idx_facet_keep_min = 2;
long long idx_facet_other_max = 32ll << 20;

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

/* Per big fandom F, taken under the write lock and read under the read lock: F's works
 * numbered locally (their rank among F's docs), and for each tag carried by at least `keep`
 * of them (as canonicals), its count and its works as local numbers: a bitset over F when
 * dense, else a sorted list (of 16-bit numbers when F has at most 65536 works). Tags per
 * type by descending count; a tag not listed has fewer than `keep` works in F. A result
 * inside F, mapped to a bitset over F (a few KB), then meets a tag in ~|F|/64 word
 * operations or |list| bit tests, instead of an intersection over the whole archive. The
 * entries are kept in idx->fcache by ascending fandom tag number. */
struct idx_fcache {
    uint64_t gen;    /* idx->tag_gen when counted */
    uint32_t fandom; /* F's tag number */
    uint32_t upto;   /* docs numbered below this were counted */
    uint32_t ndocs;  /* works counted (F's docs then) */
    uint32_t nwords; /* 64-bit words of a bitset over F */
    uint32_t keep;   /* tags with fewer works in F are not listed */
    uint32_t *docs;  /* [ndocs] F's docs, ascending */
    uint32_t off[5]; /* entries of tag type t are [off[t], off[t + 1]) */
    uint32_t *tag, *count,
        *at; /* per entry; at: FC_DENSE | word offset in bits, or offset in ids */
    uint64_t *bits;
    uint32_t *ids;   /* when ndocs > FC_IDS16_MAX */
    uint16_t *ids16; /* else */
    size_t nbits, nids;
    int other;             /* not a fandom: counted in idx_facet_other_max, evictable */
    _Atomic uint64_t used; /* fc_clock at the last use (readers update it concurrently) */
};
#define FC_IDS16_MAX 65536u
#define FC_DENSE     0x80000000u

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
    for (uint32_t li = 0; li < (e)->ndocs; li++) {                                                 \
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
    e->keep = e->ndocs / 4096 > (uint32_t)idx_facet_keep_min ? e->ndocs / 4096
                                                             : (uint32_t)idx_facet_keep_min;
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
        if (s->cnt[s->touched[i]] >= e->keep)
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
            if (s->cnt[c] >= e->keep)
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

/* The cache entry of canonical fandom f when it is valid and tight enough to use. */
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

static const struct idx_fcache *fc_get(const struct idx *idx, uint32_t f, uint64_t *slack)
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
        (card * 40 > (uint64_t)idx_facet_other_max / 2 ||
         atomic_load_explicit(&fc_seen[fc_seen_slot(f)], memory_order_relaxed) != f + 1))
        return 0;
    return !fc_get(idx, f, &slack);
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
        if (total <= (uint64_t)idx_facet_other_max || lru == UINT32_MAX)
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
    /* Tags not listed have fewer than e->keep works in the fandom (plus fresh ones). */
    uint64_t rest = (uint64_t)e->keep - 1 + l->nfresh;
    return !rest || top_closed(t, rest);
}

/* Top N of type ty over r from the tags' totals; 1 when exact. */
static int top_by_total(const struct idx *idx, const roaring_bitmap_t *r, int ty, uint32_t budget,
                        struct topn *t)
{
    for (uint32_t i = 0; i < idx->npop[ty]; i++) {
        uint32_t tag = idx->pop[ty][i];
        struct idx_docset b;
        idx_tag_docs(idx, tag, &b);
        if (top_closed(t, idx_docset_card(&b)))
            return 1;
        if (i == budget)
            return 0;
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
        for (uint32_t k = 0; k < got; k++) {
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
            const uint8_t *p = idx->tagpool + d->tags;
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

int idx_tag_facets(const struct idx *idx, const roaring_bitmap_t *r, uint32_t fandom, size_t limit,
                   struct idx_result *res)
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
        if ((e = fc_get(idx, fandom, &slack)))
            local = local_map(e, r, &l);
        else if (idx->type_of[fandom] != TAG_FANDOM && card * 4 >= idx_tag_card(idx, fandom))
            /* Worth counts of its own only when results are a good part of the tag: a
             * smaller result is walked for less than building the tag's counts costs. */
            atomic_store_explicit(&fc_seen[fc_seen_slot(fandom)], fandom + 1, memory_order_relaxed);
    }
    if (!rc && local) {
        /* Inside one fandom. The budget keeps loose bounds (a result that is a small part of
         * the fandom) from costing more than walking would: walking a work misses the cache
         * ~16 times (its record, its tags, their counters: ~1 us at 1M works), a word or id
         * here is one sequential read (measured with bench_filter at 1M works). */
        uint64_t cost = 0, budget = card * 128 + 65536;
        for (int ty = 0; ty < 4; ty++) {
            if (top_by_fandom(idx, e, &l, ty, &cost, budget, &top[ty]))
                walk[ty] = 0;
            else
                top[ty].n = 0;
        }
        STAT_ADD(fandom_path, 1);
    } else if (!rc && card > (uint64_t)idx_facet_walk_max) {
        /* Big result across fandoms: totals as bounds end quickly for tags popular across
         * the archive; types whose top tags are local to the result are walked instead. */
        for (int ty = 0; ty < 4; ty++) {
            if (top_by_total(idx, r, ty, 64, &top[ty]))
                walk[ty] = 0;
            else
                top[ty].n = 0;
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
