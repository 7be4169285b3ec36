/* index_int.h: private to src/index/: the index's data structures, the hash maps, the
 * tokenizer, the full-text query tree and the functions the index files share. */
#ifndef FICD_INDEX_INT_H
#define FICD_INDEX_INT_H

#include "index/index.h"

#include <pthread.h>
#include <roaring/roaring.h>
#include <stdint.h>

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

struct idx_doc {
    int64_t id;
    int live;
    int64_t keys[K__COUNT];
    char *title;      /* display */
    char *title_key;  /* folded, for sorting */
    char *author_key; /* folded first creator */
    uint32_t *tags;   /* tag numbers the work carries directly, grouped by type in the order
                         fandom, relationship, character, freeform */
    uint32_t ntags;
    uint16_t type_end[4]; /* tags of type t are tags[t ? type_end[t - 1] : 0 .. type_end[t]) */
    uint8_t rating;
    uint8_t warnings, categories;
    uint8_t lang;                  /* language number */
    uint32_t fstart[F__COUNT + 1]; /* first token position of each field; [F__COUNT] = end */
    float len;                     /* field-weighted length, for BM25 */
};

struct idx_tag {
    enum tag_type type;
    char *name;
    int64_t store_id;       /* 0 when only seen on works */
    int64_t synonym_of_sid; /* store id of the canonical, 0 when none */
    uint32_t canon;         /* tag number whose works these count as (self when none) */
    uint32_t *syns;         /* tags that are synonyms of this one */
    uint32_t nsyns, syns_cap;
    roaring_bitmap_t *direct;   /* live docs carrying this exact tag */
    roaring_bitmap_t *expanded; /* direct plus synonyms' direct; NULL when no synonyms */
};

/* One full-text term: the docs containing it, and per doc (in doc order) a record
 * [doc delta, weighted tf, byte length of the positions] in post, the positions
 * (count, then deltas) in pos. */
struct idx_term {
    char *s;
    roaring_bitmap_t *docs;
    uint8_t *post, *pos;
    size_t plen, pcap, poslen, poscap;
    uint32_t last_doc;
    uint32_t df;
};

#define IDX_MAX_LANGS 255

struct idx {
    pthread_rwlock_t lock;
    pthread_mutex_t apply_mu; /* serialises idx_apply_changes */
    int fulltext;

    struct idx_doc *docs;
    uint32_t ndocs, docs_cap;
    struct imap id2doc; /* work id -> live doc */

    struct idx_tag *tags;
    uint32_t ntags, tags_cap;
    /* Compact copies of tags[t].canon and tags[t].type: the facet walk touches these for
     * every tag of every matching work, so they must stay small and cache-friendly. */
    uint32_t *canon_of;
    uint8_t *type_of;
    struct smap tag_by_key; /* "<type>\x1f<folded name>" -> tag number */
    struct imap tag_by_sid; /* store id -> tag number */

    roaring_bitmap_t *live;       /* searchable docs */
    roaring_bitmap_t *restricted; /* live docs visible to logged-in readers only */
    roaring_bitmap_t *complete;
    roaring_bitmap_t *crossover;
    roaring_bitmap_t *rating[RATING__COUNT];
    roaring_bitmap_t *warning[WARN__COUNT];
    roaring_bitmap_t *category[CAT__COUNT];
    char *lang_names[IDX_MAX_LANGS + 1]; /* folded; [0] = unknown */
    roaring_bitmap_t *lang[IDX_MAX_LANGS + 1];
    uint32_t nlangs;

    /* Sort orders over docs [0, order_n): ascending (key, id); docs added later are merged
     * in at query time until the orders are rebuilt. */
    uint32_t *order[IDX_SORT__COUNT];
    uint32_t order_n;   /* docs numbered below this are in the orders */
    uint64_t order_len; /* entries in each order */
    int orders_valid;

    /* Per tag type (fandom..freeform), eligible tags by descending number of works; for
     * exact top-N facets over large results with early termination. */
    uint32_t *pop[4];
    uint32_t npop[4];
    int pop_dirty;

    /* Per big fandom, its tags' counts among its works (facets.c), indexed by tag number.
     * tag_gen changes whenever a tag's canonical, type or docs expansion may have changed
     * other than by adding or removing works (idx_tag_update bumps it): counts taken under
     * another generation are not used. */
    struct idx_fcache **fcache;
    uint32_t fcache_cap;
    int fcache_init;
    uint64_t tag_gen;

    /* Full text. */
    struct idx_term *terms;
    uint32_t nterms, terms_cap;
    struct smap term_by_s;
    double total_len; /* sum of doc lengths, for avgdl */
    uint64_t fts_docs;
    struct sb_stemmer *stemmers[IDX_MAX_LANGS + 1]; /* writer's, by language number */
    uint8_t stem_tried[IDX_MAX_LANGS + 1];

    int64_t last_seq;
    int64_t last_poll_ms;

    struct idx_meta *meta; /* meta/sub tag expansion (wrangle.c); NULL until first needed */
};

/* index.c */
int idx_tag_lookup(const struct idx *idx, int type, const char *name, uint32_t *out);
uint32_t idx_lang_lookup(const struct idx *idx, const char *name); /* 0 when unknown */
/* The docs counting as carrying tag t's canonical: borrowed. */
const roaring_bitmap_t *idx_tag_docs(const struct idx *idx, uint32_t t);
/* Rebuilds sort orders / popularity lists; caller holds the write lock. */
void idx_rebuild_orders(struct idx *idx);
/* Sorts docs ascending by sort s's key, ties by id; idx_doc_cmp compares two docs so. */
void idx_sort_docs(const struct idx *idx, int s, uint32_t *docs, size_t n);
int idx_doc_cmp(const struct idx *idx, int s, uint32_t a, uint32_t b);
void idx_rebuild_pop(struct idx *idx);

/* facets.c. Variables so that tests and benchmarks can exercise every path:
 * results up to idx_facet_walk_max works that are not inside one cached fandom count facets
 * by walking each work's tags, larger ones by bitmap intersections over tags by total;
 * fandoms of at least idx_facet_fandom_min works keep their tags' counts, and results of at
 * least idx_facet_bound_min works inside such a fandom use them as bounds. */
extern int idx_facet_walk_max;
extern int idx_facet_fandom_min;
extern int idx_facet_bound_min;
/* A fandom lists the tags carried by at least max(this, its works / 4096) of its works. */
extern int idx_facet_keep_min;
/* Counters for tests and benchmarks (relaxed atomics: readers count concurrently). */
struct idx_facet_stats {
    _Atomic uint64_t isect;       /* tag counts by bitmaps (fandom-local or archive-wide) */
    _Atomic uint64_t walked;      /* works whose tags were walked */
    _Atomic uint64_t fandom_path; /* results counted inside one fandom */
};
extern struct idx_facet_stats idx_facet_stats;
/* The canonical fandom bounding q's result (an include tag that is a fandom, or the one
 * canonical of the fandoms list), the smallest when several; UINT32_MAX when none. */
uint32_t idx_facet_bound_fandom(const struct idx *idx, const struct idx_query *q);
/* Whether facet counts for fandom f (UINT32_MAX: none) need no refresh (read lock), and the
 * refresh (write lock): on first use, every big fandom; later, f when stale. */
int idx_facet_cache_fresh(const struct idx *idx, uint32_t f);
int idx_facet_cache_refresh(struct idx *idx, uint32_t f);
void idx_facet_cache_free(struct idx *idx);
uint64_t idx_facet_cache_bytes(const struct idx *idx);
/* Exact facets of r: the top `limit` tags of each type; fandom from idx_facet_bound_fandom. */
int idx_tag_facets(const struct idx *idx, const roaring_bitmap_t *r, uint32_t fandom, size_t limit,
                   struct idx_result *res);
int idx_fixed_facets(const struct idx *idx, const roaring_bitmap_t *r, struct idx_result *res);

/* wrangle.c: meta/sub tags. The docs a query for tag t matches: its canonical's docs, its
 * synonyms' and every sub tag's, transitively (borrowed; read lock). */
const roaring_bitmap_t *idx_tag_query_docs(const struct idx *idx, uint32_t t);
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

/* fts.c */
int fts_index_doc(struct idx *idx, uint32_t doc, const struct work *w);

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
roaring_bitmap_t *fts_eval(const struct idx *idx, const struct qnode *n);
/* Adds BM25 scores of n's positive terms for docs in r into score[doc]. */
void fts_score(const struct idx *idx, const struct qnode *n, const roaring_bitmap_t *r,
               float *score);
/* Collects the positive terms of n (for highlighting) into r->terms. */
int fts_collect_terms(const struct qnode *n, struct idx_result *r);

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
