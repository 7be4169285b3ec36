/* fts.c: full-text postings (per term: a doc bitmap, per-doc weighted frequencies and
 * positions), their evaluation against a parsed query (terms, phrases, prefixes, fields,
 * boolean operators) and field-weighted BM25 scoring. */
#include "index/index_int.h"

#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Field weights for BM25: title x3, tags and summary x2, the rest x1. */
static const uint32_t field_weight[F__COUNT] = {3, 1, 2, 2, 1, 1};

struct occ {
    uint32_t term, pos;
    uint8_t field;
};

struct occs {
    struct occ *v;
    size_t n, cap;
};

struct fts_ctx {
    struct idx *idx;
    struct sb_stemmer *stem;
    struct occs o;
    uint32_t pos;
    int err;
};

static int term_get(struct idx *idx, const char *s, size_t n, uint32_t *out)
{
    if (smap_get(&idx->term_by_s, s, n, out))
        return 0;
    if (idx->nterms == idx->terms_cap) {
        uint32_t nc = idx->terms_cap ? idx->terms_cap * 2 : 1024;
        struct idx_term *nt = realloc(idx->terms, nc * sizeof(*nt));
        if (!nt)
            return FICD_ENOMEM;
        idx->terms = nt;
        idx->terms_cap = nc;
    }
    struct idx_term *t = &idx->terms[idx->nterms];
    memset(t, 0, sizeof(*t));
    t->s = strndup(s, n);
    t->docs = roaring_bitmap_create();
    if (!t->s || !t->docs || smap_put(&idx->term_by_s, s, n, idx->nterms)) {
        free(t->s);
        if (t->docs)
            roaring_bitmap_free(t->docs);
        return FICD_ENOMEM;
    }
    *out = idx->nterms++;
    return 0;
}

/* Tokenizes one field value, appending occurrences; values are separated by a position gap
 * so that phrases never span two values or fields. */
static void add_text(struct fts_ctx *c, const char *s, size_t n, enum fts_field f)
{
    if (!s || !n || c->err)
        return;
    struct tokenizer tz;
    struct tok tk;
    tok_init(&tz, s, n, c->stem);
    while (tok_next(&tz, &tk)) {
        uint32_t term;
        if (term_get(c->idx, tk.norm, tk.nlen, &term)) {
            c->err = FICD_ENOMEM;
            return;
        }
        if (c->o.n == c->o.cap) {
            size_t nc = c->o.cap ? c->o.cap * 2 : 1024;
            struct occ *nv = realloc(c->o.v, nc * sizeof(*nv));
            if (!nv) {
                c->err = FICD_ENOMEM;
                return;
            }
            c->o.v = nv;
            c->o.cap = nc;
        }
        c->o.v[c->o.n++] = (struct occ){term, c->pos++, (uint8_t)f};
    }
    c->pos++;
}

static void add_str(struct fts_ctx *c, const char *s, enum fts_field f)
{
    if (s)
        add_text(c, s, strlen(s), f);
}

static int cmp_occ(const void *a, const void *b)
{
    const struct occ *x = a, *y = b;
    if (x->term != y->term)
        return x->term < y->term ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int grow_bytes(uint8_t **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc = nc + nc / 2 + 16;
    uint8_t *np = realloc(*p, nc);
    if (!np)
        return FICD_ENOMEM;
    *p = np;
    *cap = nc;
    return 0;
}

/* Appends doc d's postings for one term: the record to post, the positions to pos. */
/* Records a skip entry when the term's next posting starts a block (df a multiple of
 * FTS_SKIP_EVERY). Offsets past 4 GB are not recorded: seeking then decodes from the last. */
static int add_skip(struct idx_term *t)
{
    if (t->df % FTS_SKIP_EVERY || t->df == 0 || t->plen > UINT32_MAX || t->poslen > UINT32_MAX)
        return 0;
    if (t->nskip == t->skipcap) {
        uint32_t nc = t->skipcap ? t->skipcap * 2 : 4;
        struct fts_skip *ns = realloc(t->skip, nc * sizeof(*ns));
        if (!ns)
            return FICD_ENOMEM;
        t->skip = ns;
        t->skipcap = nc;
    }
    t->skip[t->nskip++] = (struct fts_skip){t->last_doc, (uint32_t)t->plen, (uint32_t)t->poslen};
    return 0;
}

static int append_posting(struct idx_term *t, uint32_t d, const struct occ *o, size_t n)
{
    if (add_skip(t))
        return FICD_ENOMEM;
    uint32_t wtf = 0;
    for (size_t i = 0; i < n; i++)
        wtf += field_weight[o[i].field];
    if (grow_bytes(&t->pos, &t->poscap, t->poslen + 5 * (n + 1)))
        return FICD_ENOMEM;
    size_t start = t->poslen;
    t->poslen += vput(t->pos + t->poslen, (uint32_t)n);
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        t->poslen += vput(t->pos + t->poslen, o[i].pos - prev);
        prev = o[i].pos;
    }
    if (grow_bytes(&t->post, &t->pcap, t->plen + 15))
        return FICD_ENOMEM;
    t->plen += vput(t->post + t->plen, d - t->last_doc);
    t->plen += vput(t->post + t->plen, wtf);
    t->plen += vput(t->post + t->plen, (uint32_t)(t->poslen - start));
    t->last_doc = d;
    t->df++;
    roaring_bitmap_add(t->docs, d);
    return 0;
}

int fts_index_doc(struct idx *idx, uint32_t d, const struct work *w)
{
    struct idx_doc *doc = &idx->docs[d];
    struct idx_dfts *ft = &idx->dfts[d];
    if (!idx->stem_tried[doc->lang]) {
        idx->stemmers[doc->lang] = tok_stemmer_for(w->language);
        idx->stem_tried[doc->lang] = 1;
    }
    struct fts_ctx c = {.idx = idx, .stem = idx->stemmers[doc->lang]};
    const struct strlist *tl[4] = {&w->fandoms, &w->relationships, &w->characters, &w->freeforms};
    ft->fstart[F_TITLE] = c.pos;
    add_str(&c, w->title, F_TITLE);
    ft->fstart[F_CREATOR] = c.pos;
    for (size_t i = 0; i < w->creators.n; i++)
        add_str(&c, w->creators.v[i], F_CREATOR);
    ft->fstart[F_TAG] = c.pos;
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < tl[k]->n; i++)
            add_str(&c, tl[k]->v[i], F_TAG);
    ft->fstart[F_SUMMARY] = c.pos;
    add_str(&c, w->summary, F_SUMMARY);
    ft->fstart[F_NOTES] = c.pos;
    add_str(&c, w->notes_begin, F_NOTES);
    add_str(&c, w->notes_end, F_NOTES);
    for (size_t i = 0; i < w->nchapters; i++) {
        add_str(&c, w->chapters[i].summary, F_NOTES);
        add_str(&c, w->chapters[i].notes_begin, F_NOTES);
        add_str(&c, w->chapters[i].notes_end, F_NOTES);
    }
    ft->fstart[F_BODY] = c.pos;
    struct buf text = BUF_INIT;
    for (size_t i = 0; i < w->nchapters; i++) {
        add_str(&c, w->chapters[i].title, F_BODY);
        if (!w->chapters[i].html)
            continue;
        buf_reset(&text);
        html_strip(w->chapters[i].html, &text);
        if (text.err)
            c.err = text.err;
        add_text(&c, text.data, text.len, F_BODY);
    }
    buf_free(&text);
    ft->fstart[F__COUNT] = c.pos;
    int rc = c.err;
    if (!rc) {
        qsort(c.o.v, c.o.n, sizeof(*c.o.v), cmp_occ);
        double len = 0;
        for (size_t i = 0; i < c.o.n && !rc;) {
            size_t j = i;
            while (j < c.o.n && c.o.v[j].term == c.o.v[i].term)
                j++;
            rc = append_posting(&idx->terms[c.o.v[i].term], d, c.o.v + i, j - i);
            for (size_t k = i; k < j; k++)
                len += field_weight[c.o.v[k].field];
            i = j;
        }
        ft->len = (float)len;
        idx->total_len += len;
        idx->fts_docs++;
    }
    free(c.o.v);
    return rc;
}

/* ---- compaction ---- */

void fts_doc_killed(struct idx *idx, uint32_t d)
{
    idx->fts_dead++;
    idx->fts_dead_len += idx->dfts[d].len;
}

/* Rewrites one term's postings without the dead docs' entries, in exact-size buffers. */
static int compact_term(const struct idx *idx, struct idx_term *t)
{
    if (!t->plen) { /* nothing left since an earlier compaction (post is NULL) */
        roaring_bitmap_and_inplace(t->docs, idx->live);
        return 0;
    }
    uint8_t *np = NULL, *npos = NULL;
    size_t nl = 0, nposl = 0;
    if (t->plen && !(np = malloc(t->plen)))
        return FICD_ENOMEM;
    if (t->poslen && !(npos = malloc(t->poslen))) {
        free(np);
        return FICD_ENOMEM;
    }
    const uint8_t *p = t->post, *end = t->post + t->plen, *pp = t->pos;
    uint32_t doc = 0, last = 0, df = 0, nskip = 0;
    while (p < end) {
        doc += vget(&p);
        uint32_t wtf = vget(&p), plen = vget(&p);
        if (idx->docs[doc].live) {
            if (df && df % FTS_SKIP_EVERY == 0 && nskip < t->nskip) /* fewer blocks now */
                t->skip[nskip++] = (struct fts_skip){last, (uint32_t)nl, (uint32_t)nposl};
            nl += vput(np + nl, doc - last);
            nl += vput(np + nl, wtf);
            nl += vput(np + nl, plen);
            if (plen)
                memcpy(npos + nposl, pp, plen);
            nposl += plen;
            last = doc;
            df++;
        }
        pp += plen;
    }
    free(t->post);
    free(t->pos);
    /* shrink to what is kept (a failed shrink keeps the larger block) */
    t->post = nl ? realloc(np, nl) : (free(np), NULL);
    if (nl && !t->post)
        t->post = np;
    t->pos = nposl ? realloc(npos, nposl) : (free(npos), NULL);
    if (nposl && !t->pos)
        t->pos = npos;
    t->plen = t->pcap = nl;
    t->poslen = t->poscap = nposl;
    t->last_doc = last;
    t->df = df;
    t->nskip = nskip;
    roaring_bitmap_and_inplace(t->docs, idx->live);
    roaring_bitmap_shrink_to_fit(t->docs);
    return 0;
}

int fts_maybe_compact(struct idx *idx, int force)
{
    if (!idx->fulltext || !idx->fts_dead)
        return 0;
    if (!force && (idx->fts_dead < FTS_COMPACT_MIN || idx->fts_dead * 4 < idx->fts_docs))
        return 0;
    for (uint32_t i = 0; i < idx->nterms; i++) {
        int rc = compact_term(idx, &idx->terms[i]);
        if (rc)
            return rc; /* the terms done so far are consistent; the rest keep dead entries */
    }
    idx->fts_docs -= idx->fts_dead;
    idx->total_len -= idx->fts_dead_len;
    if (idx->total_len < 0)
        idx->total_len = 0;
    idx->fts_dead = 0;
    idx->fts_dead_len = 0;
    idx->fts_compactions++;
    return 0;
}

/* ---- reading postings ---- */

struct pcur {
    const struct idx_term *t;
    const uint8_t *p, *end, *pp;
    uint32_t doc, wtf;
    const uint8_t *posp; /* this doc's positions */
    int started;
};

static void pcur_init(struct pcur *c, const struct idx_term *t)
{
    c->t = t;
    c->p = t->post;
    c->end = t->post + t->plen;
    c->pp = t->pos;
    c->doc = 0;
    c->started = 0;
}

static int pcur_next(struct pcur *c)
{
    if (c->p >= c->end)
        return 0;
    c->doc += vget(&c->p);
    c->wtf = vget(&c->p);
    uint32_t plen = vget(&c->p);
    c->posp = c->pp;
    c->pp += plen;
    c->started = 1;
    return 1;
}

/* Advances to the first doc >= d; 0 when none. Jumps by the skip entries to the last block
 * that starts before d when that is ahead of the cursor. */
static int pcur_seek(struct pcur *c, uint32_t d)
{
    if (c->started && c->doc >= d)
        return 1;
    const struct idx_term *t = c->t;
    if (t->nskip && t->skip[0].doc_before < d) {
        uint32_t lo = 0, hi = t->nskip; /* last k with skip[k].doc_before < d */
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (t->skip[mid].doc_before < d)
                lo = mid;
            else
                hi = mid;
        }
        const struct fts_skip *k = &t->skip[lo];
        if (t->post + k->post_off > c->p) {
            c->p = t->post + k->post_off;
            c->pp = t->pos + k->pos_off;
            c->doc = k->doc_before;
        }
    }
    while (pcur_next(c))
        if (c->doc >= d)
            return 1;
    return 0;
}

/* Decodes the current doc's positions into *v (grown as needed); returns the count. */
static uint32_t pcur_positions(const struct pcur *c, uint32_t **v, uint32_t *cap)
{
    const uint8_t *p = c->posp;
    uint32_t n = vget(&p);
    if (n > *cap) {
        uint32_t *nv = realloc(*v, n * sizeof(**v));
        if (!nv)
            return 0;
        *v = nv;
        *cap = n;
    }
    uint32_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        pos += vget(&p);
        (*v)[i] = pos;
    }
    return n;
}

static int pos_in_fields(const struct idx_dfts *d, uint32_t pos, unsigned fields)
{
    for (int f = 0; f < F__COUNT; f++)
        if ((fields & (1u << f)) && pos >= d->fstart[f] && pos < d->fstart[f + 1])
            return 1;
    return 0;
}

static const struct idx_term *term_find(const struct idx *idx, const char *s)
{
    uint32_t t;
    if (!smap_get(&idx->term_by_s, s, strlen(s), &t))
        return NULL;
    return &idx->terms[t];
}

/* Docs of term t with at least one occurrence inside fields. */
static roaring_bitmap_t *term_docs_in_fields(const struct idx *idx, const struct idx_term *t,
                                             unsigned fields)
{
    if (fields == FIELD_ALL)
        return roaring_bitmap_copy(t->docs);
    roaring_bitmap_t *r = roaring_bitmap_create();
    struct pcur c;
    uint32_t *pv = NULL, cap = 0;
    pcur_init(&c, t);
    while (r && pcur_next(&c)) {
        const struct idx_doc *d = &idx->docs[c.doc];
        if (!d->live)
            continue;
        uint32_t n = pcur_positions(&c, &pv, &cap);
        for (uint32_t i = 0; i < n; i++)
            if (pos_in_fields(&idx->dfts[c.doc], pv[i], fields)) {
                roaring_bitmap_add(r, c.doc);
                break;
            }
    }
    free(pv);
    return r;
}

static int has_pos(const uint32_t *v, uint32_t n, uint32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

/* Docs where the phrase's terms occur at consecutive positions (within fields). */
static roaring_bitmap_t *phrase_docs(const struct idx *idx, const struct qnode *n,
                                     const roaring_bitmap_t *within)
{
    size_t k = n->nwords;
    const struct idx_term **ts = calloc(k, sizeof(*ts));
    struct pcur *cs = calloc(k, sizeof(*cs));
    uint32_t **pv = calloc(k, sizeof(*pv));
    uint32_t *pn = calloc(k, sizeof(*pn)), *pcap = calloc(k, sizeof(*pcap));
    roaring_bitmap_t *r = roaring_bitmap_create();
    roaring_bitmap_t *cand = NULL;
    if (!ts || !cs || !pv || !pn || !pcap || !r)
        goto fail;
    for (size_t i = 0; i < k; i++) {
        ts[i] = term_find(idx, n->words[i]);
        if (!ts[i])
            goto done;
        pcur_init(&cs[i], ts[i]);
    }
    cand = roaring_bitmap_copy(ts[0]->docs);
    for (size_t i = 1; cand && i < k; i++)
        roaring_bitmap_and_inplace(cand, ts[i]->docs);
    roaring_bitmap_and_inplace(cand, idx->live);
    if (within) /* only docs the filters keep need their positions read */
        roaring_bitmap_and_inplace(cand, within);
    roaring_uint32_iterator_t it;
    roaring_init_iterator(cand, &it);
    for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
        uint32_t d = it.current_value;
        for (size_t i = 0; i < k; i++) {
            if (!pcur_seek(&cs[i], d) || cs[i].doc != d)
                goto fail; /* the bitmaps and postings disagree: cannot happen */
            pn[i] = pcur_positions(&cs[i], &pv[i], &pcap[i]);
        }
        const struct idx_dfts *doc = &idx->dfts[d];
        for (uint32_t j = 0; j < pn[0]; j++) {
            uint32_t p = pv[0][j];
            if (n->fields != FIELD_ALL && !pos_in_fields(doc, p, n->fields))
                continue;
            size_t i = 1;
            while (i < k && has_pos(pv[i], pn[i], p + (uint32_t)i))
                i++;
            if (i == k) {
                roaring_bitmap_add(r, d);
                break;
            }
        }
    }
    goto done;
fail:
    if (r)
        roaring_bitmap_free(r);
    r = NULL;
done:
    if (cand)
        roaring_bitmap_free(cand);
    for (size_t i = 0; pv && i < k; i++)
        free(pv[i]);
    free(ts);
    free(cs);
    free(pv);
    free(pn);
    free(pcap);
    return r;
}

static roaring_bitmap_t *all_docs(const struct idx *idx)
{
    roaring_bitmap_t *r = roaring_bitmap_create();
    if (r && idx->ndocs)
        roaring_bitmap_add_range_closed(r, 0, idx->ndocs - 1);
    return r;
}

roaring_bitmap_t *fts_eval(const struct idx *idx, const struct qnode *n,
                           const roaring_bitmap_t *within)
{
    switch (n->kind) {
    case Q_ALL:
        return all_docs(idx);
    case Q_TERM: {
        const struct idx_term *t = term_find(idx, n->words[0]);
        if (!t)
            return roaring_bitmap_create();
        return term_docs_in_fields(idx, t, n->fields);
    }
    case Q_PHRASE:
        return phrase_docs(idx, n, within);
    case Q_PREFIX: {
        roaring_bitmap_t *r = roaring_bitmap_create();
        size_t plen = strlen(n->words[0]);
        for (uint32_t i = 0; r && i < idx->nterms; i++) {
            const struct idx_term *t = &idx->terms[i];
            if (strncmp(t->s, n->words[0], plen))
                continue;
            roaring_bitmap_t *x = term_docs_in_fields(idx, t, n->fields);
            if (!x) {
                roaring_bitmap_free(r);
                return NULL;
            }
            roaring_bitmap_or_inplace(r, x);
            roaring_bitmap_free(x);
        }
        return r;
    }
    case Q_NOT: {
        roaring_bitmap_t *r = all_docs(idx), *x = fts_eval(idx, n->kids[0], within);
        if (!r || !x) {
            if (r)
                roaring_bitmap_free(r);
            if (x)
                roaring_bitmap_free(x);
            return NULL;
        }
        roaring_bitmap_andnot_inplace(r, x);
        roaring_bitmap_free(x);
        return r;
    }
    case Q_AND: {
        /* Positive operands first (smallest working set), then subtract negated ones. */
        roaring_bitmap_t *r = NULL;
        for (size_t i = 0; i < n->nkids; i++) {
            if (n->kids[i]->kind == Q_NOT)
                continue;
            roaring_bitmap_t *x = fts_eval(idx, n->kids[i], within);
            if (!x)
                goto and_fail;
            if (!r)
                r = x;
            else {
                roaring_bitmap_and_inplace(r, x);
                roaring_bitmap_free(x);
            }
        }
        if (!r && !(r = all_docs(idx)))
            return NULL;
        for (size_t i = 0; i < n->nkids; i++) {
            if (n->kids[i]->kind != Q_NOT || roaring_bitmap_is_empty(r))
                continue;
            roaring_bitmap_t *x = fts_eval(idx, n->kids[i]->kids[0], within);
            if (!x)
                goto and_fail;
            roaring_bitmap_andnot_inplace(r, x);
            roaring_bitmap_free(x);
        }
        return r;
    and_fail:
        if (r)
            roaring_bitmap_free(r);
        return NULL;
    }
    case Q_OR: {
        roaring_bitmap_t *r = roaring_bitmap_create();
        for (size_t i = 0; r && i < n->nkids; i++) {
            roaring_bitmap_t *x = fts_eval(idx, n->kids[i], within);
            if (!x) {
                roaring_bitmap_free(r);
                return NULL;
            }
            roaring_bitmap_or_inplace(r, x);
            roaring_bitmap_free(x);
        }
        return r;
    }
    }
    return NULL;
}

/* Adds term t's BM25 contribution to the docs of r. */
static void score_term(const struct idx *idx, const struct idx_term *t, const roaring_bitmap_t *r,
                       float *score)
{
    const double k1 = 1.2, b = 0.75;
    double N = (double)idx->fts_docs;
    double avgdl = idx->fts_docs ? idx->total_len / (double)idx->fts_docs : 1;
    if (avgdl <= 0)
        avgdl = 1;
    double idf = log(1.0 + (N - t->df + 0.5) / (t->df + 0.5));
    struct pcur c;
    pcur_init(&c, t);
    uint64_t rc = roaring_bitmap_get_cardinality(r);
    if (rc * 8 < t->df) {
        /* Few docs to score: seek each one instead of testing every posting. */
        roaring_uint32_iterator_t it;
        roaring_init_iterator(r, &it);
        for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
            if (!pcur_seek(&c, it.current_value))
                break;
            if (c.doc != it.current_value)
                continue;
            double tf = c.wtf, dl = idx->dfts[c.doc].len;
            score[c.doc] += (float)(idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)));
        }
        return;
    }
    while (pcur_next(&c)) {
        if (!roaring_bitmap_contains(r, c.doc))
            continue;
        double tf = c.wtf, dl = idx->dfts[c.doc].len;
        score[c.doc] += (float)(idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)));
    }
}

void fts_score(const struct idx *idx, const struct qnode *n, const roaring_bitmap_t *r,
               float *score)
{
    switch (n->kind) {
    case Q_TERM:
    case Q_PHRASE:
        for (size_t i = 0; i < n->nwords; i++) {
            const struct idx_term *t = term_find(idx, n->words[i]);
            if (t)
                score_term(idx, t, r, score);
        }
        break;
    case Q_AND:
    case Q_OR:
        for (size_t i = 0; i < n->nkids; i++)
            fts_score(idx, n->kids[i], r, score);
        break;
    default:
        break; /* NOT, prefix and match-all do not rank */
    }
}

static int add_term(struct idx_result *r, const char *s, int prefix)
{
    for (size_t i = 0; i < r->nterms; i++)
        if (!strcmp(r->terms[i], s) && r->term_prefix[i] == prefix)
            return 0;
    char **nt = realloc(r->terms, (r->nterms + 1) * sizeof(*nt));
    if (!nt)
        return FICD_ENOMEM;
    r->terms = nt;
    unsigned char *np = realloc(r->term_prefix, r->nterms + 1);
    if (!np)
        return FICD_ENOMEM;
    r->term_prefix = np;
    if (!(r->terms[r->nterms] = strdup(s)))
        return FICD_ENOMEM;
    r->term_prefix[r->nterms++] = (unsigned char)prefix;
    return 0;
}

int fts_collect_terms(const struct qnode *n, struct idx_result *r)
{
    int rc = 0;
    switch (n->kind) {
    case Q_TERM:
    case Q_PHRASE:
    case Q_PREFIX:
        for (size_t i = 0; !rc && i < n->nwords; i++)
            rc = add_term(r, n->words[i], n->kind == Q_PREFIX);
        break;
    case Q_AND:
    case Q_OR:
        for (size_t i = 0; !rc && i < n->nkids; i++)
            rc = fts_collect_terms(n->kids[i], r);
        break;
    default:
        break;
    }
    return rc;
}
