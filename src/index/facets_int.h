/* facets_int.h: what facets.c (the counting) and facet_cache.c (the per-fandom counts it
 * reads) share inside the index. */
#ifndef FICD_INDEX_FACETS_INT_H
#define FICD_INDEX_FACETS_INT_H

#include "index/index_int.h"

/* Per big fandom F, taken under the write lock and read under the read lock: F's works
 * numbered locally (their rank among F's docs), and for each tag carried by at least `keep`
 * (per type) of them (as canonicals), its count and its works as local numbers: a bitset over F
 * when dense, else a sorted list (of 16-bit numbers when F has at most 65536 works). Tags per type
 * by descending count; a tag not listed has fewer than `keep` works in F. A result inside F, mapped
 * to a bitset over F (a few KB), then meets a tag in ~|F|/64 word operations or |list| bit tests,
 * instead of an intersection over the whole archive. The entries are kept in idx->fcache by
 * ascending fandom tag number. */
struct idx_fcache {
    uint64_t gen;     /* idx->tag_gen when counted */
    uint32_t fandom;  /* F's tag number */
    uint32_t upto;    /* docs numbered below this were counted */
    uint32_t ndocs;   /* works counted (F's docs then) */
    uint32_t nwords;  /* 64-bit words of a bitset over F */
    uint32_t keep[4]; /* tags of type t with fewer works in F than keep[t] are not listed */
    uint32_t *docs;   /* [ndocs] F's docs, ascending */
    uint32_t off[5];  /* entries of tag type t are [off[t], off[t + 1]) */
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

/* The counts of canonical tag f when they are valid and tight enough to use (read lock), with
 * the works added to f since they were taken in *slack; NULL when there are none. */
const struct idx_fcache *idx_fcache_get(const struct idx *idx, uint32_t f, uint64_t *slack);
/* Notes that a big result inside non-fandom tag f was counted without counts of its own, so
 * that they are built if f is asked for again. */
void idx_fcache_seen(uint32_t f);
/* Walking docs[0..n) in order: prefetches the records and tag numbers of the works some
 * positions after k (call before reading docs[k]); _start before the first. */
void idx_walk_prefetch(const struct idx *idx, const uint32_t *docs, uint32_t k, uint32_t n);
void idx_walk_prefetch_start(const struct idx *idx, const uint32_t *docs, uint32_t n);

#endif
