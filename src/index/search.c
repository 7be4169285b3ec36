/* search.c: answering a query under the read lock: the filter bitmaps combined smallest
 * first, full-text matching and BM25, the page by sort order (precomputed orderings scanned
 * for big results, a sort of the matches for small ones); exact facet counts are facets.c's. */
#include "index/index_int.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANDS 64

static void set_err(struct idx_result *r, const char *msg)
{
    snprintf(r->err, sizeof(r->err), "%s", msg);
}

/* ---- filters ---- */

struct bmlist {
    const roaring_bitmap_t *v[MAX_ANDS];
    size_t n;
    roaring_bitmap_t *owned[MAX_ANDS];
    size_t nowned;
};

static void bml_free(struct bmlist *l)
{
    for (size_t i = 0; i < l->nowned; i++)
        roaring_bitmap_free(l->owned[i]);
    l->n = l->nowned = 0;
}

/* Appends b (owned when own = 1); 0, or FICD_EINVAL when the list is full. */
static int bml_add(struct bmlist *l, const roaring_bitmap_t *b, int own)
{
    if (l->n == MAX_ANDS || (own && l->nowned == MAX_ANDS)) {
        if (own)
            roaring_bitmap_free((roaring_bitmap_t *)b);
        return FICD_EINVAL;
    }
    l->v[l->n++] = b;
    if (own)
        l->owned[l->nowned++] = (roaring_bitmap_t *)b;
    return 0;
}

/* The docs counting as carrying the tag called name (types 0..3 when type < 0, else that
 * type), through synonyms. Adds one bitmap to l and returns 1, or returns 0 when no such tag
 * is known. */
static int tag_name_docs(const struct idx *idx, const char *name, int type, struct bmlist *l,
                         int *rc)
{
    const roaring_bitmap_t *found[4];
    roaring_bitmap_t *owned[4];
    size_t nf = 0;
    for (int ty = type < 0 ? 0 : type; ty <= (type < 0 ? TAG_FREEFORM : type); ty++) {
        uint32_t t;
        if (!idx_tag_lookup(idx, ty, name, &t))
            continue;
        struct idx_docset s;
        idx_tag_query_docs(idx, t, &s); /* synonyms and sub tags included */
        found[nf] = idx_docset_bitmap(&s, &owned[nf]);
        if (!found[nf]) {
            for (size_t i = 0; i < nf; i++)
                if (owned[i])
                    roaring_bitmap_free(owned[i]);
            *rc = FICD_ENOMEM;
            return 1;
        }
        nf++;
    }
    if (!nf)
        return 0;
    if (nf == 1)
        *rc = bml_add(l, found[0], owned[0] != NULL);
    else {
        roaring_bitmap_t *u = roaring_bitmap_or_many(nf, found);
        for (size_t i = 0; i < nf; i++)
            if (owned[i])
                roaring_bitmap_free(owned[i]);
        *rc = u ? bml_add(l, u, 1) : FICD_ENOMEM;
    }
    return 1;
}

static int cmp_card(const void *a, const void *b)
{
    uint64_t x = roaring_bitmap_get_cardinality(*(const roaring_bitmap_t *const *)a);
    uint64_t y = roaring_bitmap_get_cardinality(*(const roaring_bitmap_t *const *)b);
    return (x > y) - (x < y);
}

static int in_range(int64_t v, const struct idx_range *r)
{
    return (!r->min || v >= r->min) && (!r->max || v <= r->max);
}

/* Computes the docs passing every filter of q into *out (a new bitmap). */
static int filter_docs(const struct idx *idx, const struct idx_query *q, roaring_bitmap_t **out,
                       struct idx_result *res)
{
    struct bmlist and = {0}, not = {0};
    int rc = 0, empty = 0;
    *out = NULL;
    bml_add(&and, idx->live, 0);
    for (size_t i = 0; !rc && !empty && i < q->ntags; i++)
        if (!tag_name_docs(idx, q->tags[i], -1, &and, &rc))
            empty = 1;
    if (!rc && !empty && q->nfandoms) {
        struct bmlist f = {0};
        for (size_t i = 0; !rc && i < q->nfandoms; i++)
            tag_name_docs(idx, q->fandoms[i], TAG_FANDOM, &f, &rc);
        if (!rc && !f.n)
            empty = 1;
        else if (!rc) {
            roaring_bitmap_t *u = roaring_bitmap_or_many(f.n, f.v);
            rc = u ? bml_add(&and, u, 1) : FICD_ENOMEM;
        }
        bml_free(&f);
    }
    unsigned all_ratings = (1u << RATING__COUNT) - 1;
    if (!rc && q->ratings && (q->ratings & all_ratings) != all_ratings) {
        const roaring_bitmap_t *rs[RATING__COUNT];
        size_t n = 0;
        for (int r = 0; r < RATING__COUNT; r++)
            if (q->ratings & (1u << r))
                rs[n++] = idx->rating[r];
        roaring_bitmap_t *u = roaring_bitmap_or_many(n, rs);
        rc = u ? bml_add(&and, u, 1) : FICD_ENOMEM;
    }
    for (int i = 0; !rc && i < WARN__COUNT; i++) {
        if (q->warnings & (1u << i))
            rc = bml_add(&and, idx->warning[i], 0);
        if (!rc && (q->exclude_warnings & (1u << i)))
            rc = bml_add(&not, idx->warning[i], 0);
    }
    for (int i = 0; !rc && i < CAT__COUNT; i++) {
        if (q->categories & (1u << i))
            rc = bml_add(&and, idx->category[i], 0);
        if (!rc && (q->exclude_categories & (1u << i)))
            rc = bml_add(&not, idx->category[i], 0);
    }
    if (!rc && q->language && *q->language) {
        uint32_t l = idx_lang_lookup(idx, q->language);
        if (!l)
            empty = 1;
        else
            rc = bml_add(&and, idx->lang[l], 0);
    }
    if (!rc && q->complete == IDX_COMPLETE_ONLY)
        rc = bml_add(&and, idx->complete, 0);
    else if (!rc && q->complete == IDX_WIP_ONLY)
        rc = bml_add(&not, idx->complete, 0);
    if (!rc && q->crossover == IDX_CROSSOVER_ONLY)
        rc = bml_add(&and, idx->crossover, 0);
    else if (!rc && q->crossover == IDX_CROSSOVER_EXCLUDE)
        rc = bml_add(&not, idx->crossover, 0);
    if (!rc && !q->include_restricted)
        rc = bml_add(&not, idx->restricted, 0);
    for (size_t i = 0; !rc && i < q->nexclude_tags; i++)
        tag_name_docs(idx, q->exclude_tags[i], -1, &not, &rc);
    if (rc == FICD_EINVAL)
        set_err(res, "too many filters in one query");
    roaring_bitmap_t *r = NULL;
    if (!rc && empty)
        r = roaring_bitmap_create();
    else if (!rc) {
        /* Intersect smallest first: every later step works on the smallest set so far. */
        qsort(and.v, and.n, sizeof(and.v[0]), cmp_card);
        r = and.n > 1 ? roaring_bitmap_and(and.v[0], and.v[1]) : roaring_bitmap_copy(and.v[0]);
        for (size_t i = 2; r && i < and.n && !roaring_bitmap_is_empty(r); i++)
            roaring_bitmap_and_inplace(r, and.v[i]);
        for (size_t i = 0; r && i < not .n && !roaring_bitmap_is_empty(r); i++)
            roaring_bitmap_andnot_inplace(r, not .v[i]);
    }
    bml_free(&and);
    bml_free(&not );
    if (rc)
        return rc;
    if (!r)
        return FICD_ENOMEM;
    const struct idx_range *ranges[K__COUNT] = {
        &q->published, &q->updated, &q->words, &q->kudos, &q->hits, &q->comments, &q->bookmarks};
    int any = 0;
    for (int k = 0; k < K__COUNT; k++)
        any |= ranges[k]->min || ranges[k]->max;
    if (any && !roaring_bitmap_is_empty(r)) {
        roaring_bitmap_t *keep = roaring_bitmap_create();
        if (!keep) {
            roaring_bitmap_free(r);
            return FICD_ENOMEM;
        }
        roaring_uint32_iterator_t it;
        roaring_init_iterator(r, &it);
        for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
            int ok = 1;
            for (int k = 0; ok && k < K__COUNT; k++)
                ok = in_range(idx_doc_key(idx, it.current_value, k), ranges[k]);
            if (ok)
                roaring_bitmap_add(keep, it.current_value);
        }
        roaring_bitmap_free(r);
        r = keep;
    }
    *out = r;
    return 0;
}

/* ---- the page ---- */

struct scored {
    uint32_t doc;
    float score;
    int64_t id;
};

/* Better: higher score, then lower id. */
static int sc_better(const struct scored *a, const struct scored *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    return a->id < b->id;
}

static int cmp_scored(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    return sc_better(x, y) ? -1 : sc_better(y, x) ? 1 : 0;
}

/* A bounded heap keeping the `need` best; heap[0] is the worst kept. */
static void heap_push(struct scored *h, size_t *n, size_t need, struct scored x)
{
    if (*n < need) {
        size_t i = (*n)++;
        h[i] = x;
        while (i && sc_better(&h[(i - 1) / 2], &h[i])) {
            struct scored t = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
        return;
    }
    if (!sc_better(&x, &h[0]))
        return;
    h[0] = x;
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < *n && sc_better(&h[w], &h[l]))
            w = l;
        if (r < *n && sc_better(&h[w], &h[r]))
            w = r;
        if (w == i)
            break;
        struct scored t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

/* The best `need` docs of r by BM25 score into docs[], best first; returns the count. */
static int page_by_score(const struct idx *idx, const struct qnode *qn, const roaring_bitmap_t *r,
                         size_t need, uint32_t *docs, float *scores, size_t *count)
{
    float *score = calloc(idx->ndocs ? idx->ndocs : 1, sizeof(*score));
    struct scored *h = malloc((need ? need : 1) * sizeof(*h));
    if (!score || !h) {
        free(score);
        free(h);
        return FICD_ENOMEM;
    }
    fts_score(idx, qn, r, score);
    size_t n = 0;
    roaring_uint32_iterator_t it;
    roaring_init_iterator(r, &it);
    for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
        uint32_t d = it.current_value;
        struct scored x = {d, score[d], idx_doc_id(&idx->docs[d])};
        heap_push(h, &n, need, x);
    }
    qsort(h, n, sizeof(*h), cmp_scored);
    for (size_t i = 0; i < n; i++) {
        docs[i] = h[i].doc;
        scores[i] = h[i].score;
    }
    *count = n;
    free(score);
    free(h);
    return 0;
}

struct sort_ctx {
    const struct idx *idx;
    int sort, desc;
};

static int cmp_dir(const void *a, const void *b, void *ctx)
{
    const struct sort_ctx *c = ctx;
    int v = idx_doc_cmp(c->idx, c->sort, *(const uint32_t *)a, *(const uint32_t *)b);
    return c->desc ? -v : v;
}

/* The first `need` docs of r in sort order into docs[]; returns the count in *count. */
static int page_by_order(const struct idx *idx, const roaring_bitmap_t *r, int sort, int desc,
                         size_t need, uint32_t *docs, size_t *count)
{
    struct sort_ctx sc = {idx, sort, desc};
    uint64_t total = roaring_bitmap_get_cardinality(r);
    /* Docs numbered after the orders were built are merged in separately. */
    roaring_bitmap_t *fresh = NULL;
    uint64_t nfresh = 0;
    if (idx->order_n < idx->ndocs) {
        nfresh = roaring_bitmap_range_cardinality(r, idx->order_n, idx->ndocs);
        if (nfresh) {
            fresh = roaring_bitmap_copy(r);
            if (!fresh)
                return FICD_ENOMEM;
            if (idx->order_n)
                roaring_bitmap_remove_range(fresh, 0, idx->order_n);
        }
    }
    uint64_t nold = total - nfresh;
    double scan_cost = nold ? (double)need * (double)idx->order_len / (double)nold : 0;
    int scan = nold && scan_cost < 4.0 * (double)nold;
    if (!scan) {
        /* Small result: sort all matches. */
        uint32_t *all = malloc((total ? total : 1) * sizeof(*all));
        if (!all) {
            if (fresh)
                roaring_bitmap_free(fresh);
            return FICD_ENOMEM;
        }
        roaring_bitmap_to_uint32_array(r, all);
        qsort_r(all, total, sizeof(*all), cmp_dir, &sc);
        size_t n = total < need ? total : need;
        memcpy(docs, all, n * sizeof(*docs));
        free(all);
        *count = n;
        if (fresh)
            roaring_bitmap_free(fresh);
        return 0;
    }
    /* Big result: walk the precomputed order, keeping members of r. */
    size_t n = 0;
    for (uint64_t i = 0; n < need && i < idx->order_len; i++) {
        uint32_t d = idx_order_at(idx, sort, desc ? idx->order_len - 1 - i : i);
        if (roaring_bitmap_contains(r, d))
            docs[n++] = d;
    }
    if (fresh) {
        uint32_t *fv = malloc(nfresh * sizeof(*fv));
        uint32_t *merged = malloc((n + nfresh) * sizeof(*merged));
        if (!fv || !merged) {
            free(fv);
            free(merged);
            roaring_bitmap_free(fresh);
            return FICD_ENOMEM;
        }
        roaring_bitmap_to_uint32_array(fresh, fv);
        qsort_r(fv, nfresh, sizeof(*fv), cmp_dir, &sc);
        size_t i = 0, j = 0, m = 0;
        while (m < need && (i < n || j < nfresh)) {
            if (j >= nfresh || (i < n && cmp_dir(&docs[i], &fv[j], &sc) <= 0))
                merged[m++] = docs[i++];
            else
                merged[m++] = fv[j++];
        }
        memcpy(docs, merged, m * sizeof(*docs));
        n = m;
        free(fv);
        free(merged);
        roaring_bitmap_free(fresh);
    }
    *count = n;
    return 0;
}

/* ---- the query ---- */

static int fresh_enough(const struct idx *idx, int facets)
{
    if (facets && idx->pop_dirty)
        return 0;
    uint64_t live = roaring_bitmap_get_cardinality(idx->live);
    if (!idx->orders_valid)
        return 0;
    return idx->ndocs - idx->order_n <= 4096 + live / 16;
}

int idx_search(struct idx *idx, const struct idx_query *q, struct idx_result *out)
{
    memset(out, 0, sizeof(*out));
    int page = q->page ? q->page : 1;
    int per_page = q->per_page ? q->per_page : 20;
    if (page < 1 || page > 1000000) {
        set_err(out, "page must be between 1 and 1000000");
        return FICD_EINVAL;
    }
    if (per_page < 1 || per_page > IDX_MAX_PER_PAGE) {
        set_err(out, "per_page must be between 1 and 1000");
        return FICD_EINVAL;
    }
    if ((unsigned)q->sort >= IDX_SORT__COUNT || (unsigned)q->dir > IDX_DIR_DESC) {
        set_err(out, "unknown sort order");
        return FICD_EINVAL;
    }
    if (q->ratings >> RATING__COUNT || q->warnings >> WARN__COUNT ||
        q->exclude_warnings >> WARN__COUNT || q->categories >> CAT__COUNT ||
        q->exclude_categories >> CAT__COUNT) {
        set_err(out, "unknown rating, warning or category");
        return FICD_EINVAL;
    }
    out->page = page;
    out->per_page = per_page;
    size_t facet_limit = q->facet_limit < 0 ? 0 : q->facet_limit ? (size_t)q->facet_limit : 10;
    int want_facets = q->facet_limit >= 0;

    struct qnode *qn = NULL;
    int rc = 0;
    if (q->text && *q->text) {
        if (!idx->fulltext) {
            set_err(out, "full-text search is not enabled in this index");
            return FICD_EINVAL;
        }
        struct sb_stemmer *stem = tok_stemmer_for(q->language);
        rc = query_parse(q->text, stem, &qn, out->err, sizeof(out->err));
        if (stem)
            sb_stemmer_delete(stem);
        if (rc)
            return rc;
        if (qn && idx->fts_pending) {
            qnode_free(qn);
            snprintf(out->err, sizeof(out->err),
                     "Full-text search is still being prepared after a restart; try again in "
                     "about %d s (filters without search words work now).",
                     idx_fulltext_wait(idx));
            return FICD_EBUSY;
        }
        if (qn && (rc = fts_collect_terms(qn, out))) {
            qnode_free(qn);
            return rc;
        }
    }
    if (q->language && !(out->language = strdup(q->language))) {
        qnode_free(qn);
        return FICD_ENOMEM;
    }

    /* Refresh derived orders and facet counts under the write lock when writes made them
     * stale. */
    uint32_t fandom = UINT32_MAX;
    for (;;) {
        pthread_rwlock_rdlock(&idx->lock);
        if (want_facets && facet_limit)
            fandom = idx_facet_bound_fandom(idx, q);
        if (fresh_enough(idx, want_facets) &&
            (!want_facets || !facet_limit || idx_facet_cache_fresh(idx, fandom)))
            break;
        pthread_rwlock_unlock(&idx->lock);
        pthread_rwlock_wrlock(&idx->lock);
        if (want_facets && idx->pop_dirty)
            idx_rebuild_pop(idx);
        if (!fresh_enough(idx, 0))
            idx_rebuild_orders(idx);
        int ok = fresh_enough(idx, want_facets);
        if (ok && want_facets && facet_limit) {
            fandom = idx_facet_bound_fandom(idx, q);
            ok = !idx_facet_cache_refresh(idx, fandom);
        }
        pthread_rwlock_unlock(&idx->lock);
        if (!ok) {
            qnode_free(qn);
            return FICD_ENOMEM;
        }
    }

    roaring_bitmap_t *r = NULL;
    rc = filter_docs(idx, q, &r, out);
    /* A reader's muted creators and blocked tags, before anything is counted. */
    if (!rc && !roaring_bitmap_is_empty(r))
        rc = idx_exclude_apply(idx, q, r);
    if (!rc && qn && !roaring_bitmap_is_empty(r)) {
        roaring_bitmap_t *t = fts_eval(idx, qn, r);
        if (!t)
            rc = FICD_ENOMEM;
        else {
            roaring_bitmap_and_inplace(r, t);
            roaring_bitmap_free(t);
        }
    }
    uint32_t *docs = NULL;
    float *scores = NULL;
    size_t n = 0;
    if (!rc) {
        out->total = roaring_bitmap_get_cardinality(r);
        uint64_t offset = (uint64_t)(page - 1) * (uint64_t)per_page;
        size_t need = offset < out->total ? (size_t)(offset + (uint64_t)per_page) : 0;
        if (need > out->total)
            need = (size_t)out->total;
        docs = malloc((need ? need : 1) * sizeof(*docs));
        scores = calloc(need ? need : 1, sizeof(*scores));
        if (!docs || !scores)
            rc = FICD_ENOMEM;
        else if (need && qn && q->sort == IDX_SORT_BEST)
            rc = page_by_score(idx, qn, r, need, docs, scores, &n);
        else if (need) {
            int s = q->sort == IDX_SORT_BEST ? IDX_SORT_UPDATED : (int)q->sort;
            int desc = q->dir == IDX_DIR_DESC ||
                       (q->dir == IDX_DIR_DEFAULT && s != IDX_SORT_AUTHOR && s != IDX_SORT_TITLE);
            rc = page_by_order(idx, r, s, desc, need, docs, &n);
        }
        if (!rc && n > offset) {
            out->nhits = n - (size_t)offset;
            out->hits = calloc(out->nhits, sizeof(*out->hits));
            if (!out->hits)
                rc = FICD_ENOMEM;
            for (size_t i = 0; !rc && i < out->nhits; i++) {
                const struct idx_doc *d = &idx->docs[docs[offset + i]];
                out->hits[i].id = idx_doc_id(d);
                out->hits[i].score = scores[offset + i];
                if (!(out->hits[i].title = strdup(idx_doc_title(idx, d))))
                    rc = FICD_ENOMEM;
            }
        }
    }
    if (!rc && want_facets)
        rc = idx_fixed_facets(idx, r, out);
    if (!rc && want_facets && facet_limit)
        rc = idx_tag_facets(idx, r, fandom, idx_facet_bound_alt(idx, q), facet_limit, out);
    pthread_rwlock_unlock(&idx->lock);
    free(docs);
    free(scores);
    if (r)
        roaring_bitmap_free(r);
    qnode_free(qn);
    return rc;
}

void idx_result_free(struct idx_result *r)
{
    for (size_t i = 0; i < r->nhits; i++) {
        free(r->hits[i].title);
        free(r->hits[i].snippet);
    }
    free(r->hits);
    for (int g = 0; g < IDX_FACET__COUNT; g++) {
        for (size_t i = 0; i < r->facets[g].n; i++)
            free(r->facets[g].v[i].name);
        free(r->facets[g].v);
    }
    for (size_t i = 0; i < r->nterms; i++)
        free(r->terms[i]);
    free(r->terms);
    free(r->term_prefix);
    free(r->language);
    r->hits = NULL;
    r->nhits = 0;
    r->terms = NULL;
    r->nterms = 0;
    r->term_prefix = NULL;
    r->language = NULL;
    for (int g = 0; g < IDX_FACET__COUNT; g++) {
        r->facets[g].v = NULL;
        r->facets[g].n = 0;
    }
}
