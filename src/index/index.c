/* index.c: the index's lifecycle and its docs: creating and freeing it, adding, replacing
 * and removing works (their tags, filter bitmaps and keys), compacting the pools, trimming,
 * and the memory and size figures. Tags live in tags.c, the derived sort orders and
 * popularity lists in orders.c, building from the store and following its change log in
 * sync.c. Readers and the writer are separated by a rwlock (search.c takes the read side).
 *
 * Memory: doc records are small fixed-size structs in one array; their tag numbers and
 * strings live in two pools (offsets in the record), compacted when dead docs' parts make up
 * half of them; a tag's docs are a sorted array while it has few, a bitmap after (a build
 * sizes them from the store's counts of uses). Hash tables, arrays and tag lists are shrunk
 * to what they hold after a build and whenever the sort orders are rebuilt. */
#include "index/index_int.h"

#include <libstemmer.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

int idx_new(int fulltext, struct idx **out)
{
    struct idx *idx = calloc(1, sizeof(*idx));
    if (!idx)
        return FICD_ENOMEM;
    pthread_rwlock_init(&idx->lock, NULL);
    pthread_mutex_init(&idx->apply_mu, NULL);
    pthread_mutex_init(&idx->excl_lock, NULL);
    idx->fulltext = fulltext;
    idx->live = roaring_bitmap_create();
    idx->restricted = roaring_bitmap_create();
    idx->complete = roaring_bitmap_create();
    idx->crossover = roaring_bitmap_create();
    int ok = idx->live && idx->restricted && idx->complete && idx->crossover;
    for (int i = 0; i < RATING__COUNT; i++)
        ok = ok && (idx->rating[i] = roaring_bitmap_create());
    for (int i = 0; i < WARN__COUNT; i++)
        ok = ok && (idx->warning[i] = roaring_bitmap_create());
    for (int i = 0; i < CAT__COUNT; i++)
        ok = ok && (idx->category[i] = roaring_bitmap_create());
    idx->lang_names[0] = strdup("");
    ok = ok && idx->lang_names[0] && (idx->lang[0] = roaring_bitmap_create());
    idx->nlangs = 1;
    idx->pop_dirty = 1;
    /* Dead docs point at offset 0: three empty strings. */
    idx->strs = calloc(1, 64);
    idx->strs_cap = 64;
    idx->strs_len = 3;
    ok = ok && idx->strs;
    if (!ok) {
        idx_free(idx);
        return FICD_ENOMEM;
    }
    *out = idx;
    return 0;
}

void idx_bm_free(roaring_bitmap_t *b)
{
    if (b)
        roaring_bitmap_free(b);
}

static void tag_docs_free(struct idx_tag *t)
{
    if (t->n == IDX_TAG_BIG)
        idx_bm_free(t->d.bm);
    else if (t->cap)
        free(t->d.list);
    t->n = t->cap = 0;
}

static void syn_free(struct idx_syn *s)
{
    if (!s)
        return;
    free(s->v);
    idx_bm_free(s->expanded);
    free(s);
}

void idx_free(struct idx *idx)
{
    if (!idx)
        return;
    free(idx->docs);
    free(idx->dfts);
    free(idx->tagpool);
    free(idx->strs);
    free(idx->bigv);
    imap_free(&idx->bigkeys);
    vmap_free(&idx->id2doc);
    for (uint32_t i = 0; i < idx->ntags; i++) {
        tag_docs_free(&idx->tags[i]);
        syn_free(idx->tags[i].syn);
    }
    free(idx->tags);
    free(idx->canon_of);
    free(idx->type_of);
    free(idx->names);
    kmap_free(&idx->tag_by_key);
    vmap_free(&idx->tag_by_sid);
    imap_free(&idx->sid_extra);
    idx_bm_free(idx->live);
    idx_bm_free(idx->restricted);
    idx_bm_free(idx->complete);
    idx_bm_free(idx->crossover);
    for (int i = 0; i < IDX_FIXED_N; i++)
        free(idx->fixed_bits[i]);
    for (int i = 0; i < RATING__COUNT; i++)
        idx_bm_free(idx->rating[i]);
    for (int i = 0; i < WARN__COUNT; i++)
        idx_bm_free(idx->warning[i]);
    for (int i = 0; i < CAT__COUNT; i++)
        idx_bm_free(idx->category[i]);
    for (uint32_t i = 0; i < idx->nlangs; i++) {
        free(idx->lang_names[i]);
        idx_bm_free(idx->lang[i]);
    }
    for (int i = 0; i < IDX_SORT__COUNT; i++)
        free(idx->order[i]);
    for (int i = 0; i < 4; i++)
        free(idx->pop[i]);
    idx_facet_cache_free(idx);
    idx_exclude_free(idx);
    idx_meta_free(idx);
    idx_creators_free(idx);
    for (uint32_t i = 0; i < idx->nterms; i++) {
        free(idx->terms[i].s);
        idx_bm_free(idx->terms[i].docs);
        free(idx->terms[i].post);
        free(idx->terms[i].pos);
        free(idx->terms[i].skip);
    }
    free(idx->terms);
    smap_free(&idx->term_by_s);
    for (int i = 0; i <= IDX_MAX_LANGS; i++)
        if (idx->stemmers[i])
            sb_stemmer_delete(idx->stemmers[i]);
    pthread_rwlock_destroy(&idx->lock);
    pthread_mutex_destroy(&idx->apply_mu);
    free(idx);
}

/* Grows *p (elements of size sz, capacity *cap) to hold at least need: by a quarter (big
 * arrays are remapped, not copied, so growing often is cheap and the slack stays small). */
int idx_grow(void **p, uint64_t *cap, uint64_t need, size_t sz, uint64_t max)
{
    if (need <= *cap)
        return 0;
    if (need > max)
        return FICD_ETOOBIG;
    uint64_t nc = *cap + *cap / 4 + 1024;
    if (nc < need)
        nc = need;
    if (nc > max)
        nc = max;
    void *np = realloc(*p, nc * sz);
    if (!np)
        return FICD_ENOMEM;
    *p = np;
    *cap = nc;
    return 0;
}

/* ---- docs ---- */

static uint64_t doc_tag_bytes(const struct idx_doc *d)
{
    return (uint64_t)idx_doc_ntags(d) * (d->flags & IDX_DOC_WIDE ? 4 : 3);
}

/* Bytes of doc d's strings. */
static size_t doc_str_bytes(const struct idx *idx, const struct idx_doc *d)
{
    const char *s = idx->strs + d->str;
    size_t n = d->akey;
    n += strlen(s + n) + 1;
    return n + strlen(s + n) + 1;
}

const char *idx_doc_title(const struct idx *idx, const struct idx_doc *d)
{
    const char *a = idx_doc_author_key(idx, d);
    return a + strlen(a) + 1;
}

int64_t idx_doc_key(const struct idx *idx, uint32_t dn, int k)
{
    uint32_t v = idx->docs[dn].keys[k], i;
    if (v != IDX_KEY_BIG)
        return v;
    if (imap_get(&idx->bigkeys, (int64_t)dn * K__COUNT + k + 1, &i))
        return idx->bigv[i];
    return 0; /* cannot happen */
}

static int set_key(struct idx *idx, uint32_t dn, int k, int64_t v)
{
    if (v >= 0 && v < (int64_t)IDX_KEY_BIG) {
        idx->docs[dn].keys[k] = (uint32_t)v;
        return 0;
    }
    idx->docs[dn].keys[k] = IDX_KEY_BIG;
    if (idx->nbigv == idx->bigv_cap) {
        uint32_t nc = idx->bigv_cap ? idx->bigv_cap * 2 : 16;
        int64_t *nv = realloc(idx->bigv, nc * sizeof(*nv));
        if (!nv)
            return FICD_ENOMEM;
        idx->bigv = nv;
        idx->bigv_cap = nc;
    }
    idx->bigv[idx->nbigv] = v;
    if (imap_put(&idx->bigkeys, (int64_t)dn * K__COUNT + k + 1, idx->nbigv))
        return FICD_ENOMEM;
    idx->nbigv++;
    return 0;
}

int64_t doc_id_of(const void *ctx, uint32_t d)
{
    return idx_doc_id(&((const struct idx *)ctx)->docs[d]);
}

/* Moves live docs' tag numbers and strings down over dead docs' (offsets only grow with the
 * doc number, so in place). */
static void compact_tags(struct idx *idx)
{
    uint64_t at = 0;
    for (uint32_t i = 0; i < idx->ndocs; i++) {
        struct idx_doc *d = &idx->docs[i];
        uint64_t n = doc_tag_bytes(d);
        if (!d->live || !n) {
            d->tags = 0;
            continue;
        }
        memmove(idx->tagpool + at, idx->tagpool + d->tags, n);
        d->tags = (uint32_t)at;
        at += n;
    }
    idx->tagpool_len = at;
    idx->tagpool_dead = 0;
}

static void compact_strs(struct idx *idx)
{
    uint64_t at = 3;
    for (uint32_t i = 0; i < idx->ndocs; i++) {
        struct idx_doc *d = &idx->docs[i];
        if (!d->live || !d->str)
            continue;
        size_t n = doc_str_bytes(idx, d);
        memmove(idx->strs + at, idx->strs + d->str, n);
        d->str = (uint32_t)at;
        at += n;
    }
    idx->strs_len = at;
    idx->strs_dead = 0;
}

/* Room in the dense fixed-facet sets for doc d (grown by half again, in whole words). */
static int fixed_reserve(struct idx *idx, uint32_t d)
{
    if (d / 64 < idx->fixed_words)
        return 0;
    uint64_t nw = (uint64_t)idx->fixed_words + idx->fixed_words / 2 + 1024;
    if (nw <= d / 64)
        nw = d / 64 + 1024;
    for (int i = 0; i < IDX_FIXED_N; i++) {
        uint64_t *nb = realloc(idx->fixed_bits[i], nw * sizeof(*nb));
        if (!nb)
            return FICD_ENOMEM; /* the arrays grown so far keep their content */
        memset(nb + idx->fixed_words, 0, (nw - idx->fixed_words) * sizeof(*nb));
        idx->fixed_bits[i] = nb;
    }
    idx->fixed_words = (uint32_t)nw;
    return 0;
}

/* Sets (on) or clears doc d's bits in the dense fixed-facet sets. */
static void fixed_mark(struct idx *idx, const struct idx_doc *doc, uint32_t d, int on)
{
    if (d / 64 >= idx->fixed_words)
        return;
    uint64_t bit = 1ull << (d % 64);
    unsigned sets[IDX_FIXED_N], n = 0;
    sets[n++] = doc->rating;
    for (int i = 0; i < WARN__COUNT; i++)
        if (doc->warnings & (1u << i))
            sets[n++] = RATING__COUNT + (unsigned)i;
    for (int i = 0; i < CAT__COUNT; i++)
        if (doc->categories & (1u << i))
            sets[n++] = RATING__COUNT + WARN__COUNT + (unsigned)i;
    for (unsigned k = 0; k < n; k++) {
        uint64_t *w = &idx->fixed_bits[sets[k]][d / 64];
        *w = on ? *w | bit : *w & ~bit;
    }
}

/* Drops doc d from every filter bitmap and frees what only live docs need. */
static void doc_kill(struct idx *idx, uint32_t d)
{
    struct idx_doc *doc = &idx->docs[d];
    if (!doc->live)
        return;
    for (uint32_t i = 0; i < idx_doc_ntags(doc); i++) {
        uint32_t tn = idx_doc_tag(idx, doc, i);
        tag_docs_remove(&idx->tags[tn], d);
        uint32_t c = idx->canon_of[tn];
        struct idx_syn *sy = idx->tags[c].syn;
        if (sy && sy->expanded)
            roaring_bitmap_remove(sy->expanded, d);
        idx_meta_doc(idx, c, d, 0);
    }
    roaring_bitmap_remove(idx->live, d);
    roaring_bitmap_remove(idx->restricted, d);
    roaring_bitmap_remove(idx->complete, d);
    roaring_bitmap_remove(idx->crossover, d);
    roaring_bitmap_remove(idx->rating[doc->rating], d);
    fixed_mark(idx, doc, d, 0);
    for (int i = 0; i < WARN__COUNT; i++)
        if (doc->warnings & (1u << i))
            roaring_bitmap_remove(idx->warning[i], d);
    for (int i = 0; i < CAT__COUNT; i++)
        if (doc->categories & (1u << i))
            roaring_bitmap_remove(idx->category[i], d);
    roaring_bitmap_remove(idx->lang[doc->lang], d);
    vmap_del(&idx->id2doc, idx_doc_id(doc), doc_id_of, idx);
    idx->tagpool_dead += doc_tag_bytes(doc);
    memset(doc->type_end, 0, sizeof(doc->type_end));
    if (doc->str) {
        idx->strs_dead += doc_str_bytes(idx, doc);
        doc->str = 0;
        doc->akey = 1;
        doc->flags &= (uint8_t)~IDX_DOC_TKEY_ASCII;
    }
    doc->live = 0;
    idx->pop_dirty = 1;
    if (idx->fulltext && (doc->flags & IDX_DOC_FTS))
        fts_doc_killed(idx, d);
}

/* Room for one more doc, n more tag numbers and m more string bytes. */
static int doc_reserve(struct idx *idx, uint64_t n, uint64_t m)
{
    if (idx->ndocs == UINT32_MAX - 1)
        return FICD_ETOOBIG;
    if (idx->ndocs == idx->docs_cap) {
        uint64_t cap = idx->docs_cap;
        int rc = idx_grow((void **)&idx->docs, &cap, (uint64_t)idx->ndocs + 1, sizeof(*idx->docs),
                          UINT32_MAX - 1);
        if (rc)
            return rc;
        if (idx->fulltext) {
            struct idx_dfts *nf = realloc(idx->dfts, cap * sizeof(*nf));
            if (!nf)
                return FICD_ENOMEM;
            idx->dfts = nf;
        }
        idx->docs_cap = (uint32_t)cap;
    }
    if (idx->tagpool_dead >= 65536 && idx->tagpool_dead * 2 > idx->tagpool_len)
        compact_tags(idx);
    if (idx->strs_dead >= 1 << 20 && idx->strs_dead * 2 > idx->strs_len)
        compact_strs(idx);
    int rc = idx_grow((void **)&idx->tagpool, &idx->tagpool_cap, idx->tagpool_len + n * 4, 1,
                      UINT32_MAX); /* 4 bytes a tag at most */
    if (!rc)
        rc = idx_grow((void **)&idx->strs, &idx->strs_cap, idx->strs_len + m, 1, UINT32_MAX);
    return rc;
}

static int add_doc(struct idx *idx, const struct work *w)
{
    const struct strlist *lists[4] = {&w->fandoms, &w->relationships, &w->characters,
                                      &w->freeforms};
    size_t n = 0;
    for (int i = 0; i < 4; i++)
        n += lists[i]->n;
    if (n > UINT16_MAX)
        n = UINT16_MAX;
    char tkey[512], akey[512];
    size_t tl =
        tok_fold(w->title ? w->title : "", w->title ? strlen(w->title) : 0, tkey, sizeof(tkey));
    const char *author = w->creators.n ? w->creators.v[0] : "";
    size_t al = tok_fold(author, strlen(author), akey, sizeof(akey));
    const char *title = w->title ? w->title : "";
    size_t dl = strlen(title), j;
    /* An ASCII title's sort key is the title lower-cased (tok_fold): not stored. */
    for (j = 0; j < dl && !((unsigned char)title[j] & 0x80); j++)
        ;
    int ascii = j == dl && dl < sizeof(tkey);
    size_t kl = ascii ? 0 : tl + 1;
    int rc = doc_reserve(idx, n, kl + al + dl + 2);
    if (rc)
        return rc;
    uint32_t d = idx->ndocs;
    struct idx_doc *doc = &idx->docs[d];
    memset(doc, 0, sizeof(*doc));
    doc->id_lo = (uint32_t)(uint64_t)w->id;
    doc->id_hi = (uint32_t)((uint64_t)w->id >> 32);
    doc->str = (uint32_t)idx->strs_len;
    doc->akey = (uint16_t)kl;
    if (ascii)
        doc->flags |= IDX_DOC_TKEY_ASCII;
    char *s = idx->strs + idx->strs_len;
    memcpy(s, tkey, kl);
    memcpy(s + kl, akey, al + 1);
    memcpy(s + kl + al + 1, title, dl + 1);
    idx->strs_len += kl + al + dl + 2;
    doc->tags = (uint32_t)idx->tagpool_len;
    idx->ndocs++; /* from here on the doc is owned by the index */
    doc->live = 1;
    const int64_t keys[K__COUNT] = {
        [K_POSTED] = w->published,   [K_UPDATED] = w->updated, [K_WORDS] = work_words(w),
        [K_KUDOS] = w->kudos,        [K_HITS] = w->hits,       [K_COMMENTS] = w->comments,
        [K_BOOKMARKS] = w->bookmarks};
    for (int k = 0; k < K__COUNT; k++)
        if ((rc = set_key(idx, d, k, keys[k])))
            return rc;
    /* The tag numbers go into the pool 4 bytes each, then 3 when they all fit. */
    uint8_t *tags = idx->tagpool ? idx->tagpool + doc->tags : NULL; /* NULL: no tags yet */
    uint32_t nt = 0, big = 0;
    int err = 0;
    for (int ty = 0; ty < 4; ty++, doc->type_end[ty - 1] = (uint16_t)nt)
        for (j = 0; !err && j < lists[ty]->n && nt < n; j++) {
            uint32_t tn, x;
            if (!lists[ty]->v[j] || !*lists[ty]->v[j])
                continue;
            if (tag_ensure(idx, (enum tag_type)ty, lists[ty]->v[j], &tn)) {
                err = 1; /* the doc keeps the tags added so far */
                break;
            }
            int dup = 0;
            for (uint32_t k = 0; k < nt; k++) {
                memcpy(&x, tags + (size_t)k * 4, 4);
                dup |= x == tn;
            }
            if (dup)
                continue;
            memcpy(tags + (size_t)nt * 4, &tn, 4);
            nt++;
            big |= tn >> 24;
            if (tag_docs_add(&idx->tags[tn], d))
                err = 1;
            uint32_t c = idx->canon_of[tn];
            struct idx_syn *sy = idx->tags[c].syn;
            if (sy && sy->expanded)
                roaring_bitmap_add(sy->expanded, d);
            idx_meta_doc(idx, c, d, 1);
        }
    if (big) {
        doc->flags |= IDX_DOC_WIDE;
    } else {
        for (uint32_t k = 0; k < nt; k++) {
            uint32_t x;
            memcpy(&x, tags + (size_t)k * 4, 4);
            tags[k * 3] = (uint8_t)x;
            tags[k * 3 + 1] = (uint8_t)(x >> 8);
            tags[k * 3 + 2] = (uint8_t)(x >> 16);
        }
    }
    idx->tagpool_len += doc_tag_bytes(doc);
    if (err)
        return FICD_ENOMEM;
    doc->rating = (uint8_t)(w->rating < RATING__COUNT ? w->rating : RATING_NOT_RATED);
    doc->warnings = (uint8_t)(w->warnings & ((1u << WARN__COUNT) - 1));
    doc->categories = (uint8_t)(w->categories & ((1u << CAT__COUNT) - 1));
    if (fixed_reserve(idx, d))
        return FICD_ENOMEM;
    fixed_mark(idx, doc, d, 1);
    doc->lang = (uint8_t)lang_ensure(idx, w->language);
    roaring_bitmap_add(idx->live, d);
    roaring_bitmap_add(idx->rating[doc->rating], d);
    for (int i = 0; i < WARN__COUNT; i++)
        if (doc->warnings & (1u << i))
            roaring_bitmap_add(idx->warning[i], d);
    for (int i = 0; i < CAT__COUNT; i++)
        if (doc->categories & (1u << i))
            roaring_bitmap_add(idx->category[i], d);
    roaring_bitmap_add(idx->lang[doc->lang], d);
    if (work_is_complete(w))
        roaring_bitmap_add(idx->complete, d);
    if (w->restricted)
        roaring_bitmap_add(idx->restricted, d);
    if (doc_is_crossover(idx, doc))
        roaring_bitmap_add(idx->crossover, d);
    for (j = 0; j < w->creators.n; j++)
        if (w->creators.v[j] && idx_creator_add_doc(idx, w->creators.v[j], d))
            return FICD_ENOMEM;
    if (vmap_put(&idx->id2doc, w->id, d, doc_id_of, idx))
        return FICD_ENOMEM;
    idx->pop_dirty = 1;
    if (idx->fulltext) {
        memset(&idx->dfts[d], 0, sizeof(idx->dfts[d]));
        if (idx->fts_pending)
            return 0; /* the full-text builder gets to it (deferred.c) */
        doc->flags |= IDX_DOC_FTS;
        return fts_index_doc(idx, d, w);
    }
    return 0;
}

int idx_put_work(struct idx *idx, const struct work *w)
{
    if (w->id <= 0)
        return FICD_EINVAL;
    pthread_rwlock_wrlock(&idx->lock);
    uint32_t d;
    if (vmap_get(&idx->id2doc, w->id, &d, doc_id_of, idx))
        doc_kill(idx, d);
    int rc = w->draft || w->hidden ? 0 : add_doc(idx, w); /* hidden works: like drafts */
    if (!rc)
        rc = fts_maybe_compact(idx, 0);
    pthread_rwlock_unlock(&idx->lock);
    return rc;
}

int idx_remove_work(struct idx *idx, int64_t id)
{
    pthread_rwlock_wrlock(&idx->lock);
    uint32_t d;
    if (vmap_get(&idx->id2doc, id, &d, doc_id_of, idx))
        doc_kill(idx, d);
    int rc = fts_maybe_compact(idx, 0);
    pthread_rwlock_unlock(&idx->lock);
    return rc;
}

/* Gives back the slack of the growable arrays (after a build, and when the orders are
 * rebuilt): what the index holds is then what it uses. */
void idx_trim(struct idx *idx)
{
#define TRIM(p, n, sz)                                                                             \
    do {                                                                                           \
        void *np_ = realloc((p), ((n) ? (n) : 1) * (sz));                                          \
        if (np_)                                                                                   \
            (p) = np_;                                                                             \
    } while (0)
    if (idx->docs_cap > idx->ndocs) {
        TRIM(idx->docs, idx->ndocs, sizeof(*idx->docs));
        if (idx->fulltext)
            TRIM(idx->dfts, idx->ndocs, sizeof(*idx->dfts));
        idx->docs_cap = idx->ndocs ? idx->ndocs : 1;
    }
    if (idx->tagpool_cap > idx->tagpool_len) {
        TRIM(idx->tagpool, idx->tagpool_len, 1);
        idx->tagpool_cap = idx->tagpool_len ? idx->tagpool_len : 1;
    }
    if (idx->strs_cap > idx->strs_len) {
        TRIM(idx->strs, idx->strs_len, 1);
        idx->strs_cap = idx->strs_len;
    }
    if (idx->names_cap > idx->names_len) {
        TRIM(idx->names, idx->names_len, 1);
        idx->names_cap = idx->names_len ? idx->names_len : 1;
    }
    if (idx->tags_cap > idx->ntags && idx->ntags) {
        TRIM(idx->tags, idx->ntags, sizeof(*idx->tags));
        TRIM(idx->canon_of, idx->ntags, sizeof(*idx->canon_of));
        TRIM(idx->type_of, idx->ntags, 1);
        idx->tags_cap = idx->ntags;
    }
#undef TRIM
    for (uint32_t t = 0; t < idx->ntags; t++)
        tag_docs_trim(&idx->tags[t]);
    idx_creators_prune(idx);
    /* Hash tables that grew by doubling (failing to shrink one only costs memory). */
    (void)kmap_fit(&idx->tag_by_key);
    (void)vmap_fit(&idx->tag_by_sid, tag_sid_of, idx);
    (void)vmap_fit(&idx->id2doc, doc_id_of, idx);
#ifdef __GLIBC__
    malloc_trim(0); /* the free pages left between shrunk arrays go back to the system */
#endif
}

/* Bytes of a tag's docs, malloc's 16-byte header and rounding estimated for its list. */
static uint64_t tag_docs_bytes(const struct idx_tag *t)
{
    if (t->n == IDX_TAG_BIG)
        return roaring_bitmap_size_in_bytes(t->d.bm);
    return t->cap ? (uint64_t)t->cap * 4 + 16 : 0;
}

void idx_mem_usage(const struct idx *idx, struct idx_mem *m)
{
    memset(m, 0, sizeof(*m));
    m->docs =
        (uint64_t)idx->docs_cap * sizeof(struct idx_doc) + idx->nbigv * 8 + idx->bigkeys.cap * 12;
    if (idx->fulltext)
        m->dfts = (uint64_t)idx->docs_cap * sizeof(struct idx_dfts);
    m->tagpool = idx->tagpool_cap;
    m->strs = idx->strs_cap;
    for (int s = 0; s < IDX_SORT__COUNT; s++)
        if (idx->order[s])
            m->orders += idx->order_len * idx->order_w;
    m->tags = (uint64_t)idx->tags_cap * (sizeof(struct idx_tag) + 5);
    m->names = idx->names_cap;
    m->maps = idx->tag_by_key.cap * 8 + idx->tag_by_sid.cap * 4 + idx->sid_extra.cap * 12 +
              idx->id2doc.cap * 4;
    for (uint32_t i = 0; i < idx->ntags; i++) {
        const struct idx_tag *t = &idx->tags[i];
        m->tag_docs += tag_docs_bytes(t);
        if (t->syn) {
            m->tag_docs += sizeof(*t->syn) + t->syn->cap * 4;
            if (t->syn->expanded)
                m->tag_docs += roaring_bitmap_size_in_bytes(t->syn->expanded);
        }
    }
    const roaring_bitmap_t *fixed[] = {idx->live, idx->restricted, idx->complete, idx->crossover};
    for (size_t i = 0; i < 4; i++)
        m->bitmaps += roaring_bitmap_size_in_bytes(fixed[i]);
    for (int i = 0; i < RATING__COUNT; i++)
        m->bitmaps += roaring_bitmap_size_in_bytes(idx->rating[i]);
    m->bitmaps += (uint64_t)IDX_FIXED_N * idx->fixed_words * sizeof(uint64_t);
    for (int i = 0; i < WARN__COUNT; i++)
        m->bitmaps += roaring_bitmap_size_in_bytes(idx->warning[i]);
    for (int i = 0; i < CAT__COUNT; i++)
        m->bitmaps += roaring_bitmap_size_in_bytes(idx->category[i]);
    for (uint32_t i = 0; i < idx->nlangs; i++)
        m->bitmaps += roaring_bitmap_size_in_bytes(idx->lang[i]);
    for (int t = 0; t < 4; t++)
        m->pop += idx->npop[t] * 4;
    m->fcache = idx_facet_cache_bytes(idx);
    m->creators = idx_creators_bytes(idx);
}

void idx_get_stats(struct idx *idx, struct idx_stats *st)
{
    pthread_rwlock_rdlock(&idx->lock);
    memset(st, 0, sizeof(*st));
    st->docs = idx->ndocs;
    st->live = roaring_bitmap_get_cardinality(idx->live);
    st->tags = idx->ntags;
    st->terms = idx->nterms;
    st->last_seq = idx->last_seq;
    struct idx_mem m;
    idx_mem_usage(idx, &m);
    st->bitmap_bytes = m.bitmaps + m.tag_docs;
    st->forward_bytes = m.docs + m.tagpool + m.strs + m.orders;
    uint64_t p = m.dfts;
    for (uint32_t i = 0; i < idx->nterms; i++)
        p += idx->terms[i].pcap + idx->terms[i].poscap +
             idx->terms[i].skipcap * sizeof(struct fts_skip) +
             roaring_bitmap_size_in_bytes(idx->terms[i].docs) + strlen(idx->terms[i].s) + 1;
    st->postings_bytes = p;
    st->compactions = idx->fts_compactions;
    pthread_rwlock_unlock(&idx->lock);
}
