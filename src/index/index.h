/* index.h: the search index: in-memory state derived from the store (tag, rating, warning,
 * category, language and status bitmaps, per-sort orderings, full-text postings with BM25),
 * kept fresh by following the store's change log. Many readers, one writer: every function
 * here may be called from several threads at once.
 *
 * Works are numbered densely ("docs") in the order they are added; an edited work gets a new
 * doc number and its old one is dropped from every filter bitmap (full-text postings of dead
 * docs are masked out, and dropped once dead docs are a quarter of the indexed ones). Drafts are
 * never indexed. Tags are matched by (type, name) case-insensitively; a synonym's works count as
 * its canonical's, and querying a synonym queries its canonical. */
#ifndef FICD_INDEX_H
#define FICD_INDEX_H

#include "core/buf.h"
#include "core/err.h"
#include "core/work.h"

#include <stddef.h>
#include <stdint.h>

struct idx;
struct store;
struct tag;
struct tag_rel;

/* Sort orders. IDX_SORT_BEST is BM25 relevance when the query has text, else it falls back
 * to IDX_SORT_UPDATED. Ties are always broken by work id, so pages are stable. */
enum idx_sort {
    IDX_SORT_BEST = 0,
    IDX_SORT_AUTHOR,
    IDX_SORT_TITLE,
    IDX_SORT_POSTED,
    IDX_SORT_UPDATED,
    IDX_SORT_WORDS,
    IDX_SORT_KUDOS,
    IDX_SORT_HITS,
    IDX_SORT_COMMENTS,
    IDX_SORT_BOOKMARKS,
    IDX_SORT__COUNT
};

/* Direction: IDX_DIR_DEFAULT is ascending for author and title, descending otherwise. */
enum idx_dir { IDX_DIR_DEFAULT = 0, IDX_DIR_ASC, IDX_DIR_DESC };

enum idx_complete { IDX_COMPLETE_ANY = 0, IDX_COMPLETE_ONLY, IDX_WIP_ONLY };

/* A crossover is a work with more than one fandom after canonicalisation. */
enum idx_crossover { IDX_CROSSOVER_ANY = 0, IDX_CROSSOVER_EXCLUDE, IDX_CROSSOVER_ONLY };

/* An inclusive range; 0 at either end means unbounded on that side. */
struct idx_range {
    int64_t min, max;
};

/* A search. Every name is user input (any case; tags may be synonyms); unknown include tags
 * or fandoms make the result empty, unknown exclude tags are ignored. Zero-initialise and set
 * what you need. */
struct idx_query {
    const char *text;        /* full-text query (see docs/search.md), NULL or "" for none */
    const char *const *tags; /* include: the work must carry every one (any type) */
    size_t ntags;
    const char *const *exclude_tags; /* exclude: any one excludes the work */
    size_t nexclude_tags;
    const char *const *fandoms; /* include: the work must carry at least one of them */
    size_t nfandoms;
    unsigned ratings;            /* bit set of (1u << enum rating); 0 = any */
    unsigned warnings;           /* enum warning bits the work must all carry */
    unsigned exclude_warnings;   /* enum warning bits: any one excludes */
    unsigned categories;         /* enum category bits the work must all carry */
    unsigned exclude_categories; /* enum category bits: any one excludes */
    const char *language;        /* NULL = any; matched case-insensitively */
    enum idx_complete complete;
    enum idx_crossover crossover;
    struct idx_range words, updated, published, kudos, hits, comments, bookmarks;
    enum idx_sort sort;
    enum idx_dir dir;
    int page;               /* 1-based; 0 means 1 */
    int per_page;           /* 0 means 20; at most IDX_MAX_PER_PAGE */
    int include_restricted; /* 1 for logged-in readers */
    /* A signed-in reader's muting: works credited to any of these creator (pseud) names, and
     * works carrying any of these tags (synonyms and sub tags included, any number of them),
     * are taken out before the total, the page and the facets are computed. */
    const char *const *mute_creators;
    size_t nmute_creators;
    const char *const *block_tags;
    size_t nblock_tags;
    int facet_limit; /* top-N per tag group; 0 means 10, negative means no facets */
};

#define IDX_MAX_PER_PAGE  1000
#define IDX_MAX_TERMS     1000
#define IDX_MAX_QUERY_LEN 8192

/* Facet groups of a result. */
enum idx_facet_group {
    IDX_FACET_RATINGS = 0,
    IDX_FACET_WARNINGS,
    IDX_FACET_CATEGORIES,
    IDX_FACET_FANDOMS,
    IDX_FACET_RELATIONSHIPS,
    IDX_FACET_CHARACTERS,
    IDX_FACET_FREEFORMS,
    IDX_FACET__COUNT
};

struct idx_facet {
    char *name;     /* display name (the canonical's for tags) */
    uint64_t count; /* exact number of works in the whole result carrying it */
};

/* Ratings, warnings and categories list every value (count may be 0), in AO3's order; tag
 * groups list the top facet_limit tags by count (ties by name). */
struct idx_facets {
    struct idx_facet *v;
    size_t n;
};

struct idx_hit {
    int64_t id;
    char *title;   /* copy of the work's title ("" when untitled) */
    double score;  /* BM25 when the query has text, else 0 */
    char *snippet; /* HTML with <mark>, set by idx_result_snippets(); NULL when none */
};

struct idx_result {
    uint64_t total; /* exact number of matching works */
    int page, per_page;
    struct idx_hit *hits;
    size_t nhits;
    struct idx_facets facets[IDX_FACET__COUNT];
    char *language; /* the query's language filter (for snippet stemming), or NULL */
    char **terms;   /* normalised positive terms of the text query, for highlighting */
    size_t nterms;
    unsigned char *term_prefix; /* parallel to terms: 1 when the term is a prefix */
    char err[256];              /* message when idx_search returns FICD_ESYNTAX / FICD_EINVAL */
};

/* Memory and size figures. */
struct idx_stats {
    uint64_t docs;          /* doc numbers allocated (live + dead) */
    uint64_t live;          /* searchable works */
    uint64_t tags;          /* distinct tags known */
    uint64_t terms;         /* distinct full-text terms */
    uint64_t bitmap_bytes;  /* filter bitmaps */
    uint64_t forward_bytes; /* per-doc tag arrays and sort keys */
    uint64_t postings_bytes;
    uint64_t compactions; /* full-text compactions run (dead docs' postings dropped) */
    int64_t last_seq;     /* last change-log sequence applied */
};

/* Creates an empty index. fulltext = 0 skips full-text postings (metadata-only index; text
 * queries then fail with FICD_EINVAL). */
int idx_new(int fulltext, struct idx **out) FICD_MUST_CHECK;
void idx_free(struct idx *idx);

/* Loads every tag and every published work from the store (bodies included when the index
 * does full text), remembering the change-log position first so that idx_apply_changes()
 * picks up writes made meanwhile. progress = 1 draws a bar on stderr when it is a TTY. */
int idx_build(struct idx *idx, struct store *s, int progress) FICD_MUST_CHECK;

/* The index on local disk, for fast restarts (snapshot.c). idx_snapshot_save writes idx to
 * path (through path.tmp and a rename, so a crash leaves the previous file whole), stamped
 * with the change-log position it reflects, the change logged there, the store's schema
 * version and archive id (idx_archive_id) and a checksum; changes wait while it is written,
 * searches do not. idx_snapshot_load fills idx, which must be fresh from idx_new with the same
 * fulltext flag, from such a file, then applies the change log after its position. It
 * refuses a file of another archive, schema or format, one that the change log does not
 * confirm (a restored store), and a truncated or corrupted one. Returns the number of
 * changes applied after loading (>= 0), or FICD_ENOTFOUND when there is no file, another
 * FICD_E* otherwise, with the reason in why; idx is then partly filled and must be freed
 * (build a new one with idx_build). */
int idx_snapshot_save(struct idx *idx, struct store *s, const char *path) FICD_MUST_CHECK;
int idx_snapshot_load(struct idx *idx, struct store *s, const char *path, char *why,
                      size_t whysz) FICD_MUST_CHECK;
/* The archive's random identity (32 hex digits, the setting "archive_id"), created on first
 * use: a snapshot is only ever loaded into the archive that wrote it. */
int idx_archive_id(struct store *s, char out[65]) FICD_MUST_CHECK;

/* idx_build, but full text later: works are read without their bodies and not full-text
 * indexed, so that the index answers everything but text queries sooner; these fail with
 * FICD_EBUSY (a message in idx_result.err) until idx_build_fulltext, typically in a background
 * thread while the index is in use, has indexed every work. idx_build_fulltext reads every
 * work again with its bodies (s must not be used by another thread meanwhile); changes
 * applied meanwhile are picked up. Returns 0 once full text is complete. */
int idx_build_deferred(struct idx *idx, struct store *s, int progress) FICD_MUST_CHECK;
int idx_build_fulltext(struct idx *idx, struct store *s) FICD_MUST_CHECK;
/* Makes a running idx_build_fulltext return FICD_EBUSY soon (full text stays incomplete, text
 * queries keep failing): for a server shutting down. */
void idx_fulltext_cancel(struct idx *idx);
/* Seconds until full text is expected to be ready (0 when it is; at least 1 while not). */
int idx_fulltext_wait(struct idx *idx);

/* Follows the store's change log from the last applied sequence: re-reads changed works and
 * tags and applies them. Returns the number of changes applied (>= 0) or FICD_E*. Safe to call
 * from several threads (calls are serialised); readers are blocked only while a change is
 * being applied, not while the store is read. */
int idx_apply_changes(struct idx *idx, struct store *s) FICD_MUST_CHECK;
/* idx_apply_changes() at most once per min_interval_ms (for writes by other processes);
 * returns 0 without reading the store when called sooner. */
int idx_poll(struct idx *idx, struct store *s, int min_interval_ms) FICD_MUST_CHECK;
/* The last change-log sequence the index has applied (cheap: for cache validation). */
int64_t idx_seq(struct idx *idx);

/* In-memory updates (what idx_apply_changes uses; also for tests and benchmarks).
 * idx_put_work adds w, or replaces the work with the same id; a draft or a work hidden by a
 * moderator is removed instead. w->id must be > 0. Chapter html, when present, is indexed for full
 * text. */
int idx_put_work(struct idx *idx, const struct work *w) FICD_MUST_CHECK;
int idx_remove_work(struct idx *idx, int64_t id) FICD_MUST_CHECK;
/* Registers or updates a tag from the store (by t->id): its name, type and synonym_of.
 * Works already indexed under that (type, name) are attached to it. A synonym_of that names
 * an id not yet registered takes effect when that id is registered. */
int idx_tag_update(struct idx *idx, const struct tag *t) FICD_MUST_CHECK;
/* Replaces the meta/sub tag links (the TAG_REL_META edges of rels, as store_tag_relations
 * gives them, by store tag id; other kinds are ignored: synonyms come with each tag). A
 * query for a tag then also matches its sub tags' works, transitively, through synonyms;
 * edges naming ids not registered yet take effect when they are; an edge closing a cycle is
 * ignored. idx_build and idx_apply_changes load them from the store themselves. */
int idx_set_tag_relations(struct idx *idx, const struct tag_rel *rels, size_t n) FICD_MUST_CHECK;

/* Runs q. out is filled (zeroed first) and must be released with idx_result_free() whatever
 * the return. Returns 0, FICD_ESYNTAX for a malformed text query or FICD_EINVAL for bad
 * parameters (message in out->err), FICD_ENOMEM. */
int idx_search(struct idx *idx, const struct idx_query *q, struct idx_result *out) FICD_MUST_CHECK;
void idx_result_free(struct idx_result *r);

/* Builds the snippet of a hit: about 30 words around the first match of the result's terms
 * in the chapter bodies of w (or else its summary), HTML-escaped, matched words wrapped in
 * <mark>. Appends nothing when no term matches. */
int idx_snippet(const struct idx_result *r, const struct work *w, struct buf *out);
/* Fills r->hits[i].snippet for a text query, reading each hit's bodies from the store. */
int idx_result_snippets(struct idx_result *r, struct store *s) FICD_MUST_CHECK;

/* "best"/"relevance", "author", "title", "posted"/"published"/"created", "updated"/"date",
 * "words"/"word_count", "kudos", "hits", "comments", "bookmarks"; -1 when unknown. */
int idx_sort_parse(const char *s);
const char *idx_sort_name(enum idx_sort s);
const char *idx_facet_group_name(enum idx_facet_group g); /* "ratings", "warnings", ... */

void idx_get_stats(struct idx *idx, struct idx_stats *st);

#endif
