/* index_int.h: private to src/index/: the index's data structures, the hash maps, the
 * tokenizer, the full-text query tree and the functions the index files share. */
#ifndef FICD_INDEX_INT_H
#define FICD_INDEX_INT_H

#include "index/index.h"

#include <pthread.h>
#include <roaring/roaring.h>
#include <stdint.h>
#include <string.h>

/* ---- hash maps (hmap.c) ---- */

/* String key -> uint32 value, open addressing. Keys are copied. */
struct smap {
    char **keys;
    uint32_t *vals;
    size_t cap, n;
};
int smap_put(struct smap *m, const char *key, size_t klen, uint32_t val);
/* Returns 1 and sets *val when found. */
int smap_get(const struct smap *m, const char *key, size_t klen, uint32_t *val);
void smap_del(struct smap *m, const char *key, size_t klen);
void smap_free(struct smap *m);

/* int64 key (> 0) -> uint32 value. */
struct imap {
    int64_t *keys;
    uint32_t *vals;
    size_t cap, n;
};
int imap_put(struct imap *m, int64_t key, uint32_t val);
int imap_get(const struct imap *m, int64_t key, uint32_t *val);
void imap_del(struct imap *m, int64_t key);
void imap_free(struct imap *m);

/* uint32 values whose keys live in the records they number (the map stores no keys): 4
 * bytes a slot. key_of(ctx, v) gives value v's int64 key; a value's key must not change
 * while it is in the map. */
typedef int64_t (*vmap_key_fn)(const void *ctx, uint32_t val);
struct vmap {
    uint32_t *slot; /* value + 1; 0 = empty */
    size_t cap, n;
};
int vmap_put(struct vmap *m, int64_t key, uint32_t val, vmap_key_fn key_of, const void *ctx);
int vmap_get(const struct vmap *m, int64_t key, uint32_t *val, vmap_key_fn key_of, const void *ctx);
void vmap_del(struct vmap *m, int64_t key, vmap_key_fn key_of, const void *ctx);
void vmap_free(struct vmap *m);
/* Makes room for n values in all, so that none of them grows the table. */
int vmap_reserve(struct vmap *m, size_t n, vmap_key_fn key_of, const void *ctx);
/* Shrinks the table to what it holds (load 0.7) when it is much bigger. */
int vmap_fit(struct vmap *m, vmap_key_fn key_of, const void *ctx);

/* String-keyed uint32 values whose keys are derived from the records they number: a slot
 * holds the key's 32-bit hash and the value (8 bytes), eq(ctx, v, key, klen) says whether
 * value v's key is key. */
typedef int (*kmap_eq_fn)(const void *ctx, uint32_t val, const char *key, size_t klen);
struct kmap {
    uint64_t *slot; /* hash << 32 | (value + 1); 0 = empty */
    size_t cap, n;
};
uint32_t kmap_hash(const char *key, size_t klen);
int kmap_put(struct kmap *m, const char *key, size_t klen, uint32_t val, kmap_eq_fn eq,
             const void *ctx);
int kmap_get(const struct kmap *m, const char *key, size_t klen, uint32_t *val, kmap_eq_fn eq,
             const void *ctx);
void kmap_del(struct kmap *m, const char *key, size_t klen, kmap_eq_fn eq, const void *ctx);
void kmap_free(struct kmap *m);
int kmap_fit(struct kmap *m); /* as vmap_fit */

/* ---- tokenizer (tokenize.c) ---- */

struct sb_stemmer;

/* One token of a text: byte offset and length in the input, and its normalised form
 * (case-folded, diacritics stripped, stemmed when a stemmer is given) in norm/nlen, valid
 * until the next call. */
struct tok {
    size_t off, len;
    char norm[256];
    size_t nlen;
};

struct tokenizer {
    const char *s;
    size_t n, pos;
    struct sb_stemmer *stem; /* may be NULL */
};

void tok_init(struct tokenizer *t, const char *s, size_t n, struct sb_stemmer *stem);
/* Next token; 0 at the end. Tokens are runs of letters, digits and marks (apostrophes and
 * other punctuation split words). */
int tok_next(struct tokenizer *t, struct tok *out);
/* Case-folds and strips diacritics of s[0..n) into out (NUL-terminated, at most outsz-1
 * bytes); returns the length. */
size_t tok_fold(const char *s, size_t n, char *out, size_t outsz);
/* The Snowball stemmer for a work's language (a name such as "English"/"Français" or a
 * code such as "en"/"fr"); NULL language means English; NULL when the language has no
 * stemmer. The caller deletes it with sb_stemmer_delete. */
struct sb_stemmer *tok_stemmer_for(const char *language);
/* Appends the plain text of sanitized HTML to out (tags removed, block elements as spaces,
 * entities decoded). */
void html_strip(const char *html, struct buf *out);

/* ---- the index ---- */

/* Full-text fields, in the order their tokens are numbered within a doc. */
enum fts_field { F_TITLE = 0, F_CREATOR, F_TAG, F_SUMMARY, F_NOTES, F_BODY, F__COUNT };
#define FIELD_ALL ((1u << F__COUNT) - 1)

/* Numeric sort keys, indexes into idx_doc.keys. */
enum { K_POSTED = 0, K_UPDATED, K_WORDS, K_KUDOS, K_HITS, K_COMMENTS, K_BOOKMARKS, K__COUNT };

/* A doc's record: 60 bytes, kept small and in one array (its strings, tags and full-text
 * fields live elsewhere). */
#define IDX_KEY_BIG UINT32_MAX /* the key does not fit 32 bits: see idx->bigkeys */
struct idx_doc {
    uint32_t id_lo, id_hi;   /* work id (idx_doc_id) */
    uint32_t keys[K__COUNT]; /* sort keys 0..UINT32_MAX-1, else IDX_KEY_BIG (idx_doc_key) */
    uint32_t tags;           /* byte offset in idx->tagpool of the tag numbers the work carries
                                directly (3 bytes each, 4 with IDX_DOC_WIDE), grouped by type in
                                the order fandom, relationship, character, freeform */
    uint32_t str;            /* offset in idx->strs of title_key (unless IDX_DOC_TKEY_ASCII),
                                author_key and title, each NUL-terminated: folded for sorting,
                                and for display */
    uint16_t type_end[4];    /* tags of type t are [t ? type_end[t - 1] : 0 .. type_end[t]);
                                type_end[3] is their number */
    uint16_t akey;           /* author_key is at strs + str + akey */
    uint8_t rating;
    uint8_t warnings, categories;
    uint8_t lang; /* language number */
    uint8_t live;
    uint8_t flags; /* IDX_DOC_* */
};
#define IDX_DOC_WIDE       1 /* a tag number needs 4 bytes: all are stored in 4 */
#define IDX_DOC_TKEY_ASCII 2 /* the title is ASCII: title_key is it lower-cased, not stored */
#define IDX_DOC_FTS        4 /* full-text indexed (not yet, while full text is built after) */

/* Full-text fields of a doc (idx->dfts, only in a full-text index). */
struct idx_dfts {
    uint32_t fstart[F__COUNT + 1]; /* first token position of each field; [F__COUNT] = end */
    float len;                     /* field-weighted length, for BM25 */
};

/* Tags carried by fewer works than this keep them in a sorted array, not a bitmap (a
 * CRoaring bitmap costs ~70 bytes of mallocs per 64k-doc block it touches). */
#define IDX_TAG_LIST_MAX 256

/* A tag's synonyms, only for tags that have some. */
struct idx_syn {
    uint32_t *v;
    uint32_t n, cap;
    roaring_bitmap_t *expanded; /* direct plus synonyms' direct; NULL when n == 0 */
};

struct idx_tag {
    int64_t store_id;       /* 0 when only seen on works; the first when several */
    int64_t synonym_of_sid; /* store id of the canonical, 0 when none */
    union {
        roaring_bitmap_t *bm; /* n == IDX_TAG_BIG: the live docs carrying this exact tag */
        uint32_t *list;       /* else, when cap > 0: those docs, ascending, list[0..n) */
        uint32_t one;         /* else, when n == 1: that doc */
    } d;
    struct idx_syn *syn; /* NULL when the tag has no synonyms */
    uint32_t name;       /* offset in idx->names */
    uint16_t n, cap;     /* lists hold fewer than IDX_TAG_LIST_MAX docs: 16 bits do (40 bytes) */
};
#define IDX_TAG_BIG UINT16_MAX
_Static_assert(IDX_TAG_LIST_MAX * 2 < IDX_TAG_BIG, "a tag's list capacity must fit idx_tag.cap");

/* The docs of a tag as readers see them: a bitmap, or a sorted array. */
struct idx_docset {
    const roaring_bitmap_t *bm; /* when not NULL */
    const uint32_t *v;          /* else v[0..n), ascending */
    uint32_t n;
};

/* One full-text term: the docs containing it, and per doc (in doc order) a record
 * [doc delta, weighted tf, byte length of the positions] in post, the positions
 * (count, then deltas) in pos. */
/* Every FTS_SKIP_EVERY postings a term records where the next block starts, so that a cursor
 * seeking a doc far ahead jumps instead of decoding every posting before it. */
#define FTS_SKIP_EVERY 128
struct fts_skip {
    uint32_t doc_before; /* the last doc before the block (the base of its first delta) */
    uint32_t post_off, pos_off;
};

struct idx_term {
    char *s;
    roaring_bitmap_t *docs;
    uint8_t *post, *pos;
    size_t plen, pcap, poslen, poscap;
    uint32_t last_doc;
    uint32_t df;
    struct fts_skip *skip; /* skip[k]: the block of postings k*FTS_SKIP_EVERY.. */
    uint32_t nskip, skipcap;
};

#define IDX_MAX_LANGS 255

/* A creator (pseud) name's docs (creators.c): a list while short, then a bitmap. */
struct idx_creator {
    uint32_t *v; /* docs ascending, v[0..n) (dead ones until pruned) */
    uint32_t n, cap;
    roaring_bitmap_t *bm; /* instead of v once the creator has IDX_TAG_LIST_MAX docs */
};

#define IDX_FIXED_N (RATING__COUNT + WARN__COUNT + CAT__COUNT)

struct idx {
    pthread_rwlock_t lock;
    pthread_mutex_t apply_mu; /* serialises idx_apply_changes */
    int fulltext;

    struct idx_doc *docs;
    uint32_t ndocs, docs_cap;
    struct idx_dfts *dfts; /* [docs_cap] when fulltext */
    struct vmap id2doc;    /* work id -> live doc */
    struct imap bigkeys;   /* doc * K__COUNT + key + 1 -> index in bigv (IDX_KEY_BIG) */
    int64_t *bigv;
    uint32_t nbigv, bigv_cap;
    /* Per-doc tag numbers (idx_doc.tags) and strings (idx_doc.str), pooled; dead docs' parts
     * are garbage (counted in *_dead) until the pool is compacted. */
    uint8_t *tagpool; /* bytes */
    uint64_t tagpool_len, tagpool_cap, tagpool_dead;
    char *strs;
    uint64_t strs_len, strs_cap, strs_dead;

    struct idx_tag *tags;
    uint32_t ntags, tags_cap;
    /* The canonical and the type of each tag: the facet walk touches these for every tag of
     * every matching work, so they must stay small and cache-friendly. */
    uint32_t *canon_of;
    uint8_t *type_of;
    char *names; /* tag names, NUL-terminated, at idx_tag.name */
    uint64_t names_len, names_cap;
    struct kmap tag_by_key; /* "<type>\x1f<folded name>" -> tag number (keys not stored) */
    struct vmap tag_by_sid; /* store id -> tag number, by idx_tag.store_id */
    struct imap sid_extra;  /* further store ids of a tag (two store tags with one key) */

    roaring_bitmap_t *live;       /* searchable docs */
    roaring_bitmap_t *restricted; /* live docs visible to logged-in readers only */
    roaring_bitmap_t *complete;
    roaring_bitmap_t *crossover;
    /* Dense copies of the rating, warning and category bitmaps (bit d = doc d, in that
     * order: IDX_FIXED_N sets), for counting a big result's fixed facets with word
     * operations instead of one bit test per matching doc (idx_fixed_facets). */
    uint64_t *fixed_bits[IDX_FIXED_N];
    uint32_t fixed_words;
    roaring_bitmap_t *rating[RATING__COUNT];
    roaring_bitmap_t *warning[WARN__COUNT];
    roaring_bitmap_t *category[CAT__COUNT];
    char *lang_names[IDX_MAX_LANGS + 1]; /* folded; [0] = unknown */
    roaring_bitmap_t *lang[IDX_MAX_LANGS + 1];
    uint32_t nlangs;

    /* Sort orders over docs [0, order_n): ascending (key, id); docs added later are merged
     * in at query time until the orders are rebuilt. */
    uint8_t *order[IDX_SORT__COUNT]; /* doc numbers, order_w bytes each (little-endian) */
    uint32_t order_w;                /* 3, or 4 when a doc number needs it */
    uint32_t order_n;                /* docs numbered below this are in the orders */
    uint64_t order_len;              /* entries in each order */
    int orders_valid;

    /* Per tag type (fandom..freeform), eligible tags by descending number of works; for
     * exact top-N facets over large results with early termination. */
    uint32_t *pop[4];
    uint32_t npop[4];
    int pop_dirty;

    /* Per big fandom, its tags' counts among its works (facets.c), found by its tag number.
     * tag_gen changes whenever a tag's canonical, type or docs expansion may have changed
     * other than by adding or removing works (idx_tag_update bumps it): counts taken under
     * another generation are not used. */
    struct idx_fcache **fcache; /* [fcache_n] by ascending fandom tag number */
    uint32_t fcache_n, fcache_cap;
    int fcache_init;
    uint64_t tag_gen;

    /* Full text. */
    struct idx_term *terms;
    uint32_t nterms, terms_cap;
    struct smap term_by_s;
    double total_len; /* sum of doc lengths, for avgdl */
    uint64_t fts_docs;
    uint64_t fts_dead;        /* docs killed since the last compaction, postings still held */
    double fts_dead_len;      /* their lengths (in total_len) */
    uint64_t fts_compactions; /* how many compactions ran (for tests and stats) */
    struct sb_stemmer *stemmers[IDX_MAX_LANGS + 1]; /* writer's, by language number */
    uint8_t stem_tried[IDX_MAX_LANGS + 1];
    /* Full text built after the rest (deferred.c): while fts_pending, new docs are not
     * full-text indexed and text queries answer FICD_EBUSY; the builder indexes the docs
     * below fts_bound in the store's order, then every live doc from fts_next on, in doc
     * order (postings grow at their ends), and clears fts_pending under the write lock once
     * none is left. Read without the lock: it only ever goes from 1 to 0. */
    _Atomic int fts_pending;
    _Atomic int fts_cancel; /* idx_fulltext_cancel: the builder returns early */
    uint32_t fts_next, fts_bound;
    _Atomic uint64_t fts_done; /* docs indexed by the builder so far, of fts_total */
    uint64_t fts_total;
    int64_t fts_start_ms;

    int64_t last_seq;
    int64_t last_poll_ms;

    struct idx_meta *meta; /* meta/sub tag expansion (wrangle.c); NULL until first needed */

    /* The last readers' exclusions as bitmaps (exclude.c), under their own lock: searches
     * run concurrently under the read lock. */
    pthread_mutex_t excl_lock;
    struct idx_excl *excl; /* [nexcl] */
    uint32_t nexcl;
    uint64_t excl_tick;

    /* Creator names -> their docs, for muting (creators.c). */
    struct smap creator_by_name; /* folded name -> creator number */
    struct idx_creator *creators;
    uint32_t ncreators, creators_cap;
};

static inline int64_t idx_doc_id(const struct idx_doc *d)
{
    return (int64_t)((uint64_t)d->id_hi << 32 | d->id_lo);
}
/* Tag i of doc d. */
static inline uint32_t idx_doc_tag(const struct idx *idx, const struct idx_doc *d, uint32_t i)
{
    const uint8_t *p = idx->tagpool + d->tags;
    if (d->flags & IDX_DOC_WIDE) {
        uint32_t v;
        memcpy(&v, p + (size_t)i * 4, 4);
        return v;
    }
    p += (size_t)i * 3;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}
static inline uint32_t idx_doc_ntags(const struct idx_doc *d)
{
    return d->type_end[3];
}
static inline const char *idx_doc_author_key(const struct idx *idx, const struct idx_doc *d)
{
    return idx->strs + d->str + d->akey;
}
const char *idx_doc_title(const struct idx *idx, const struct idx_doc *d);
/* Sort key k of doc dn. */
int64_t idx_doc_key(const struct idx *idx, uint32_t dn, int k);
/* Entry i of sort order s. */
static inline uint32_t idx_order_at(const struct idx *idx, int s, uint64_t i)
{
    const uint8_t *p = idx->order[s] + i * idx->order_w;
    if (idx->order_w == 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}
static inline const char *idx_tag_name(const struct idx *idx, uint32_t t)
{
    return idx->names + idx->tags[t].name;
}

/* index.c */
int idx_tag_lookup(const struct idx *idx, int type, const char *name, uint32_t *out);
/* The tag registered with store id sid: 1 and *out, or 0. */
int idx_tag_by_sid(const struct idx *idx, int64_t sid, uint32_t *out);
uint32_t idx_lang_lookup(const struct idx *idx, const char *name); /* 0 when unknown */
/* The docs counting as carrying tag t's canonical (borrowed views). */
void idx_tag_docs(const struct idx *idx, uint32_t t, struct idx_docset *out);
uint64_t idx_tag_card(const struct idx *idx, uint32_t t);
uint64_t idx_docset_card(const struct idx_docset *s);
/* |s ∩ [lo, hi)| and |r ∩ s|. */
uint64_t idx_docset_range_card(const struct idx_docset *s, uint32_t lo, uint32_t hi);
uint64_t idx_docset_and_card(const roaring_bitmap_t *r, const struct idx_docset *s);
/* s as a bitmap: s->bm itself, or a new one put in *owned for the caller to free (NULL when
 * out of memory). */
const roaring_bitmap_t *idx_docset_bitmap(const struct idx_docset *s, roaring_bitmap_t **owned);
/* Bytes the index holds (its own accounting, malloc overhead estimated): for benchmarks. */
struct idx_mem {
    uint64_t docs, dfts, tagpool, strs, orders, tags, names, maps, tag_docs, bitmaps, pop, fcache,
        creators;
};
void idx_mem_usage(const struct idx *idx, struct idx_mem *m);
/* Rebuilds sort orders / popularity lists; caller holds the write lock. */
void idx_rebuild_orders(struct idx *idx);
/* Sorts docs ascending by sort s's key, ties by id; idx_doc_cmp compares two docs so. */
void idx_sort_docs(const struct idx *idx, int s, uint32_t *docs, size_t n);
int idx_doc_cmp(const struct idx *idx, int s, uint32_t a, uint32_t b);
void idx_rebuild_pop(struct idx *idx);

/* facets.c. Variables so that tests and benchmarks can exercise every path:
 * results up to idx_facet_walk_max works that are not inside one cached fandom count facets
 * by walking each work's tags, larger ones by bitmap intersections over tags by total, reading
 * at most idx_facet_total_budget elements per work of the result (0: no limit) before walking
 * the types not settled;
 * fandoms of at least idx_facet_fandom_min works keep their tags' counts, and results of at
 * least idx_facet_bound_min works inside such a fandom use them as bounds. */
extern int idx_facet_walk_max;
extern int idx_facet_total_budget;
extern int idx_facet_fandom_min;
extern int idx_facet_bound_min;
/* A fandom lists the tags carried by at least max(this, its works / 4096) of its works. */
extern int idx_facet_keep_min;
/* Other big tags (characters, relationships, freeforms a query includes) get the same counts
 * on first use, kept least recently used first within this many bytes (fandoms' counts are
 * always kept and not part of it); -1 (the default): 32 MB or 12 bytes per work, whichever
 * is more. */
extern long long idx_facet_other_max;
/* Results of at least this many works count ratings, warnings and categories against the
 * dense copies; -1 (the default): a quarter of the dense sets' words. */
extern int idx_fixed_dense_min;
/* Counters for tests and benchmarks (relaxed atomics: readers count concurrently). */
struct idx_facet_stats {
    _Atomic uint64_t isect;        /* tag counts by bitmaps (fandom-local or archive-wide) */
    _Atomic uint64_t walked;       /* works whose tags were walked */
    _Atomic uint64_t fandom_path;  /* results counted inside one fandom */
    _Atomic uint64_t fail[2][4];   /* types walked after [0] counts inside a tag, [1] by totals:
                                      [.][ty] the bounds did not end, [.][ty] with cost: see
                                      fail_cost */
    _Atomic uint64_t fail_cost[2]; /* ... of which the budget ran out */
};
extern struct idx_facet_stats idx_facet_stats;
/* 0 turns off the prefetching of the facet walk (for benchmarks: A/B in one process). */
extern int idx_walk_prefetch_on;
/* The canonical tag bounding q's result (an include tag of any type, or the one canonical of
 * the fandoms list), the one with the fewest works when several; UINT32_MAX when none. */
uint32_t idx_facet_bound_fandom(const struct idx *idx, const struct idx_query *q);
/* Among q's include tags, the one with the fewest works that has usable cached counts (every
 * big fandom has), UINT32_MAX when none: a result whose smallest include tag has no counts of
 * its own is still counted inside it (read lock). */
uint32_t idx_facet_bound_alt(const struct idx *idx, const struct idx_query *q);
/* Whether facet counts for fandom f (UINT32_MAX: none) need no refresh (read lock), and the
 * refresh (write lock): on first use, every big fandom; later, f when stale. */
int idx_facet_cache_fresh(const struct idx *idx, uint32_t f);
int idx_facet_cache_refresh(struct idx *idx, uint32_t f);
void idx_facet_cache_free(struct idx *idx);
uint64_t idx_facet_cache_bytes(const struct idx *idx);
/* Exact facets of r: the top `limit` tags of each type; fandom from idx_facet_bound_fandom,
 * alt from idx_facet_bound_alt. */
int idx_tag_facets(const struct idx *idx, const roaring_bitmap_t *r, uint32_t fandom, uint32_t alt,
                   size_t limit, struct idx_result *res);
int idx_fixed_facets(const struct idx *idx, const roaring_bitmap_t *r, struct idx_result *res);

/* wrangle.c: meta/sub tags. The docs a query for tag t matches: its canonical's docs, its
 * synonyms' and every sub tag's, transitively (borrowed; read lock). */
void idx_tag_query_docs(const struct idx *idx, uint32_t t, struct idx_docset *out);
/* The rest runs under the write lock. Doc d was added to / removed from the docs of canonical
 * c: update the trees of c and its meta tags. */
void idx_meta_doc(struct idx *idx, uint32_t c, uint32_t d, int add);
/* A tag's canonical changed / a store tag was registered: the trees may need a rebuild. */
void idx_meta_canon_changed(struct idx *idx);
void idx_meta_tag_registered(struct idx *idx, int64_t sid);
/* Rebuilds the trees when needed and not deferred; defer(1)/defer(0) bracket a batch. */
int idx_meta_flush(struct idx *idx);
void idx_meta_defer(struct idx *idx, int on);
void idx_meta_free(struct idx *idx);
/* Reads the store's meta edges and applies them (idx_set_tag_relations); no lock held. */
int idx_load_tag_relations(struct idx *idx, struct store *s);

/* creators.c (write lock, but idx_creator_docs_or: read lock). */
int idx_creator_add_doc(struct idx *idx, const char *name, uint32_t d);
void idx_creators_prune(struct idx *idx); /* drops dead docs */
void idx_creators_free(struct idx *idx);
uint64_t idx_creators_bytes(const struct idx *idx);
/* Removes the docs credited to name from r. */
/* Adds the docs credited to creator name to bm. */
void idx_creator_docs_or(const struct idx *idx, const char *name, roaring_bitmap_t *bm);

/* exclude.c (read lock): removes from r the docs q's reader mutes or blocks (muted creators,
 * blocked tags with synonyms and sub tags), through a bitmap cached per lists. */
int idx_exclude_apply(struct idx *idx, const struct idx_query *q, roaring_bitmap_t *r);
void idx_exclude_free(struct idx *idx);

/* fts.c */
int fts_index_doc(struct idx *idx, uint32_t doc, const struct work *w);
/* Doc d (full-text indexed) was killed: its postings stay until the next compaction. */
void fts_doc_killed(struct idx *idx, uint32_t d);
/* Drops dead docs' postings once they are a quarter of the indexed docs (and at least
 * FTS_COMPACT_MIN), so that edits do not grow the index without bound; BM25's document
 * count, average length and term frequencies count live docs again. Caller holds the write
 * lock. force compacts whatever is dead. */
#define FTS_COMPACT_MIN 1024
int fts_maybe_compact(struct idx *idx, int force);

/* query.c: the full-text query tree. */
enum qnode_kind { Q_TERM, Q_PHRASE, Q_PREFIX, Q_AND, Q_OR, Q_NOT, Q_ALL };
struct qnode {
    enum qnode_kind kind;
    unsigned fields; /* enum fts_field mask, for leaves */
    char **words;    /* Q_TERM: 1 normalised term; Q_PHRASE: n; Q_PREFIX: 1 folded prefix */
    size_t nwords;
    struct qnode **kids; /* Q_AND / Q_OR: n kids; Q_NOT: 1 */
    size_t nkids;
};
/* Parses text into *out (NULL when the query has no terms). stem may be NULL. FICD_ESYNTAX
 * with a message in err. */
int query_parse(const char *text, struct sb_stemmer *stem, struct qnode **out, char *err,
                size_t errsz);
void qnode_free(struct qnode *n);

/* fts.c: evaluation. Returns a new bitmap of docs matching n (dead docs included). */
/* The docs matching n. Docs outside within (when not NULL) may be left out or kept at
 * will: the caller intersects the answer with within. */
roaring_bitmap_t *fts_eval(const struct idx *idx, const struct qnode *n,
                           const roaring_bitmap_t *within);
/* Adds BM25 scores of n's positive terms for docs in r into score[doc]. */
void fts_score(const struct idx *idx, const struct qnode *n, const roaring_bitmap_t *r,
               float *score);
/* Collects the positive terms of n (for highlighting) into r->terms. */
int fts_collect_terms(const struct qnode *n, struct idx_result *r);

/* ---- shared by index.c (lifecycle, docs), tags.c, orders.c and sync.c ---- */

/* Grows *p (elements of size sz, capacity *cap) to hold at least need (at most max). */
int idx_grow(void **p, uint64_t *cap, uint64_t need, size_t sz, uint64_t max);
void idx_bm_free(roaring_bitmap_t *b);
/* Shrinks tables, arrays and tag lists to what they hold (after a build, with the orders). */
void idx_trim(struct idx *idx);
int64_t doc_id_of(const void *ctx, uint32_t d); /* a doc's work id (hash table callback) */
/* sync.c: idx_build, reading bodies or not */
int idx_build_from(struct idx *idx, struct store *s, int progress, int bodies);
/* tags.c */
int tag_ensure(struct idx *idx, enum tag_type type, const char *name, uint32_t *out);
int tag_register(struct idx *idx, const struct tag *st, uint32_t *out);
int tag_link(struct idx *idx, uint32_t tn);
int64_t tag_sid_of(const void *ctx, uint32_t t); /* a tag's store id (hash table callback) */
int tag_docs_add(struct idx_tag *t, uint32_t d);
void tag_docs_remove(struct idx_tag *t, uint32_t d);
int tag_docs_reserve(struct idx_tag *t, int64_t uses);
void tag_docs_trim(struct idx_tag *t);
int doc_is_crossover(const struct idx *idx, const struct idx_doc *d);
uint32_t lang_ensure(struct idx *idx, const char *name);

/* varints */
static inline size_t vput(uint8_t *p, uint32_t v)
{
    size_t i = 0;
    while (v >= 0x80) {
        p[i++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[i++] = (uint8_t)v;
    return i;
}

static inline uint32_t vget(const uint8_t **pp)
{
    const uint8_t *p = *pp;
    uint32_t v = 0;
    int sh = 0;
    while (*p & 0x80) {
        v |= (uint32_t)(*p++ & 0x7f) << sh;
        sh += 7;
    }
    v |= (uint32_t)*p++ << sh;
    *pp = p;
    return v;
}

#endif
