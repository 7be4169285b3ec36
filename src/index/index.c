/* index.c: the index's lifecycle and writes: docs, tags and synonyms, the filter bitmaps,
 * sort orders and tag popularity lists; building from the store and following its change
 * log. Readers and the writer are separated by a rwlock (search.c takes the read side).
 *
 * Memory: doc records are small fixed-size structs in one array; their tag numbers and
 * strings live in two pools (offsets in the record), compacted when dead docs' parts make up
 * half of them; a tag's docs are a sorted array while it has few, a bitmap after (a build
 * sizes them from the store's counts of uses). Hash tables, arrays and tag lists are shrunk
 * to what they hold after a build and whenever the sort orders are rebuilt. */
#include "index/index_int.h"
#include "core/progress.h"
#include "store/store.h"

#include <ctype.h>
#include <libstemmer.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int idx_new(int fulltext, struct idx **out)
{
    struct idx *idx = calloc(1, sizeof(*idx));
    if (!idx)
        return FICD_ENOMEM;
    pthread_rwlock_init(&idx->lock, NULL);
    pthread_mutex_init(&idx->apply_mu, NULL);
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

static void free_bm(roaring_bitmap_t *b)
{
    if (b)
        roaring_bitmap_free(b);
}

static void tag_docs_free(struct idx_tag *t)
{
    if (t->n == IDX_TAG_BIG)
        free_bm(t->d.bm);
    else if (t->cap)
        free(t->d.list);
    t->n = t->cap = 0;
}

static void syn_free(struct idx_syn *s)
{
    if (!s)
        return;
    free(s->v);
    free_bm(s->expanded);
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
    free_bm(idx->live);
    free_bm(idx->restricted);
    free_bm(idx->complete);
    free_bm(idx->crossover);
    for (int i = 0; i < IDX_FIXED_N; i++)
        free(idx->fixed_bits[i]);
    for (int i = 0; i < RATING__COUNT; i++)
        free_bm(idx->rating[i]);
    for (int i = 0; i < WARN__COUNT; i++)
        free_bm(idx->warning[i]);
    for (int i = 0; i < CAT__COUNT; i++)
        free_bm(idx->category[i]);
    for (uint32_t i = 0; i < idx->nlangs; i++) {
        free(idx->lang_names[i]);
        free_bm(idx->lang[i]);
    }
    for (int i = 0; i < IDX_SORT__COUNT; i++)
        free(idx->order[i]);
    for (int i = 0; i < 4; i++)
        free(idx->pop[i]);
    idx_facet_cache_free(idx);
    idx_meta_free(idx);
    for (uint32_t i = 0; i < idx->nterms; i++) {
        free(idx->terms[i].s);
        free_bm(idx->terms[i].docs);
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
static int grow(void **p, uint64_t *cap, uint64_t need, size_t sz, uint64_t max)
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

/* ---- tags ---- */

/* The dictionary key of a tag: its type, a separator and its case-folded name (diacritics
 * kept: the store treats "Pokémon" and "Pokemon" as different tags). Returns the length. */
static size_t tag_key(int type, const char *name, char *out, size_t outsz)
{
    out[0] = (char)('0' + type);
    out[1] = '\x1f';
    size_t n = strlen(name);
    while (n && isspace((unsigned char)*name)) {
        name++;
        n--;
    }
    while (n && isspace((unsigned char)name[n - 1]))
        n--;
    size_t len = 2, i;
    for (i = 0; i < n && !((unsigned char)name[i] & 0x80); i++)
        ;
    if (i == n) { /* ASCII: case folding is lower-casing, composition changes nothing */
        size_t c = n < outsz - 3 ? n : outsz - 3;
        for (i = 0; i < c; i++)
            out[2 + i] = (char)tolower((unsigned char)name[i]);
        out[2 + c] = 0;
        return 2 + c;
    }
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)n, &m,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (k > 0) {
        size_t c = (size_t)k < outsz - 3 ? (size_t)k : outsz - 3;
        memcpy(out + 2, m, c);
        len += c;
    } else { /* not valid UTF-8: ASCII lower-case the bytes */
        size_t c = n < outsz - 3 ? n : outsz - 3;
        for (i = 0; i < c; i++)
            out[2 + i] = (char)tolower((unsigned char)name[i]);
        len += c;
    }
    free(m);
    out[len] = 0;
    return len;
}

/* tag_by_key stores no keys: a candidate tag's key is recomputed from its type and name
 * (skipped when the name is byte-for-byte the one looked up). */
struct key_ctx {
    const struct idx *idx;
    int type;
    const char *raw; /* the name looked up, or NULL */
};

static int tag_key_eq(const void *ctx, uint32_t t, const char *key, size_t klen)
{
    const struct key_ctx *kc = ctx;
    const char *name = idx_tag_name(kc->idx, t);
    if (kc->raw && kc->idx->type_of[t] == kc->type && !strcmp(name, kc->raw))
        return 1;
    char k[1024];
    size_t n = tag_key(kc->idx->type_of[t], name, k, sizeof(k));
    return n == klen && !memcmp(k, key, klen);
}

int idx_tag_lookup(const struct idx *idx, int type, const char *name, uint32_t *out)
{
    char key[1024];
    size_t n = tag_key(type, name, key, sizeof(key));
    struct key_ctx kc = {idx, type, name};
    return kmap_get(&idx->tag_by_key, key, n, out, tag_key_eq, &kc);
}

/* Appends name to the names pool; *off gets its offset. */
static int name_add(struct idx *idx, const char *name, uint32_t *off)
{
    size_t n = strlen(name) + 1;
    int rc = grow((void **)&idx->names, &idx->names_cap, idx->names_len + n, 1, UINT32_MAX);
    if (rc)
        return rc;
    memcpy(idx->names + idx->names_len, name, n);
    *off = (uint32_t)idx->names_len;
    idx->names_len += n;
    return 0;
}

/* Finds or creates the tag (type, name); *out gets its number. */
static int tag_ensure(struct idx *idx, enum tag_type type, const char *name, uint32_t *out)
{
    char key[1024];
    size_t n = tag_key(type, name, key, sizeof(key));
    struct key_ctx kc = {idx, type, name};
    if (kmap_get(&idx->tag_by_key, key, n, out, tag_key_eq, &kc))
        return 0;
    if (idx->ntags == UINT32_MAX - 1)
        return FICD_ETOOBIG;
    if (idx->ntags == idx->tags_cap) {
        uint32_t nc = idx->tags_cap ? idx->tags_cap + idx->tags_cap / 4 + 256 : 256;
        if (nc < idx->tags_cap || nc > UINT32_MAX - 1)
            nc = UINT32_MAX - 1;
        struct idx_tag *nt = realloc(idx->tags, nc * sizeof(*nt));
        if (!nt)
            return FICD_ENOMEM;
        idx->tags = nt;
        uint32_t *nco = realloc(idx->canon_of, nc * sizeof(*nco));
        if (!nco)
            return FICD_ENOMEM;
        idx->canon_of = nco;
        uint8_t *nty = realloc(idx->type_of, nc);
        if (!nty)
            return FICD_ENOMEM;
        idx->type_of = nty;
        idx->tags_cap = nc;
    }
    struct idx_tag *t = &idx->tags[idx->ntags];
    memset(t, 0, sizeof(*t));
    int rc = name_add(idx, name, &t->name);
    if (rc)
        return rc;
    idx->canon_of[idx->ntags] = idx->ntags;
    idx->type_of[idx->ntags] = (uint8_t)type;
    if ((rc = kmap_put(&idx->tag_by_key, key, n, idx->ntags, tag_key_eq, &kc)))
        return rc;
    *out = idx->ntags++;
    idx->pop_dirty = 1;
    return 0;
}

/* ---- a tag's docs ---- */

static void tag_direct(const struct idx_tag *t, struct idx_docset *out)
{
    if (t->n == IDX_TAG_BIG) {
        *out = (struct idx_docset){.bm = t->d.bm};
        return;
    }
    out->bm = NULL;
    out->v = t->cap ? t->d.list : &t->d.one;
    out->n = t->n;
}

/* First index of v[0..n) not below x. */
static uint32_t lower_bound(const uint32_t *v, uint32_t n, uint32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int tag_docs_add(struct idx_tag *t, uint32_t d)
{
    if (t->n == IDX_TAG_BIG) {
        roaring_bitmap_add(t->d.bm, d);
        return 0;
    }
    if (!t->cap && t->n == 0) {
        t->d.one = d;
        t->n = 1;
        return 0;
    }
    if (!t->cap) { /* one doc inline: move it to a list */
        uint32_t one = t->d.one;
        if (one == d)
            return 0;
        uint32_t *l = malloc(4 * sizeof(*l));
        if (!l)
            return FICD_ENOMEM;
        l[0] = one;
        t->d.list = l;
        t->cap = 4;
    }
    uint32_t *v = t->d.list;
    uint32_t at = t->n && v[t->n - 1] < d ? t->n : lower_bound(v, t->n, d);
    if (at < t->n && v[at] == d)
        return 0;
    if (t->n + 1 >= IDX_TAG_LIST_MAX) { /* many docs: a bitmap */
        roaring_bitmap_t *b = roaring_bitmap_of_ptr(t->n, v);
        if (!b)
            return FICD_ENOMEM;
        roaring_bitmap_add(b, d);
        free(v);
        t->d.bm = b;
        t->n = IDX_TAG_BIG;
        t->cap = 0;
        return 0;
    }
    if (t->n == t->cap) {
        uint32_t nc = t->cap * 2u;
        uint32_t *nv = realloc(v, nc * sizeof(*nv));
        if (!nv)
            return FICD_ENOMEM;
        t->d.list = v = nv;
        t->cap = (uint16_t)nc;
    }
    memmove(v + at + 1, v + at, (t->n - at) * sizeof(*v));
    v[at] = d;
    t->n++;
    return 0;
}

static void tag_docs_remove(struct idx_tag *t, uint32_t d)
{
    if (t->n == IDX_TAG_BIG) {
        roaring_bitmap_remove(t->d.bm, d);
        return;
    }
    if (!t->cap) {
        if (t->n == 1 && t->d.one == d)
            t->n = 0;
        return;
    }
    uint32_t *v = t->d.list;
    uint32_t at = lower_bound(v, t->n, d);
    if (at == t->n || v[at] != d)
        return;
    memmove(v + at, v + at + 1, (t->n - at - 1) * sizeof(*v));
    t->n--;
}

/* Room for `uses` docs in a tag that has none yet (the store's count, when building): the
 * list gets its final size at once, or the tag starts as a bitmap, instead of growing by
 * doubling and leaving the old lists and the trimmed tails free all over the heap. */
static int tag_docs_reserve(struct idx_tag *t, int64_t uses)
{
    if (t->n || t->cap || uses < 2)
        return 0;
    if (uses + 1 >= IDX_TAG_LIST_MAX) {
        if (!(t->d.bm = roaring_bitmap_create()))
            return FICD_ENOMEM;
        t->n = IDX_TAG_BIG;
        return 0;
    }
    if (!(t->d.list = malloc((size_t)uses * sizeof(uint32_t))))
        return FICD_ENOMEM;
    t->cap = (uint16_t)uses;
    return 0;
}

/* Shrinks t's storage to what it holds. */
static void tag_docs_trim(struct idx_tag *t)
{
    if (t->n == IDX_TAG_BIG) {
        roaring_bitmap_shrink_to_fit(t->d.bm);
        return;
    }
    if (!t->cap || t->cap == t->n)
        return;
    if (t->n <= 1) {
        uint32_t one = t->n ? t->d.list[0] : 0;
        free(t->d.list);
        t->d.one = one;
        t->cap = 0;
        return;
    }
    uint32_t *nv = realloc(t->d.list, t->n * sizeof(*nv));
    if (nv) {
        t->d.list = nv;
        t->cap = t->n;
    }
}

void idx_tag_docs(const struct idx *idx, uint32_t t, struct idx_docset *out)
{
    const struct idx_tag *c = &idx->tags[idx->canon_of[t]];
    if (c->syn && c->syn->expanded)
        *out = (struct idx_docset){.bm = c->syn->expanded};
    else
        tag_direct(c, out);
}

uint64_t idx_docset_card(const struct idx_docset *s)
{
    return s->bm ? roaring_bitmap_get_cardinality(s->bm) : s->n;
}

uint64_t idx_tag_card(const struct idx *idx, uint32_t t)
{
    struct idx_docset s;
    idx_tag_docs(idx, t, &s);
    return idx_docset_card(&s);
}

uint64_t idx_docset_range_card(const struct idx_docset *s, uint32_t lo, uint32_t hi)
{
    if (s->bm)
        return roaring_bitmap_range_cardinality(s->bm, lo, hi);
    if (lo >= hi)
        return 0;
    return lower_bound(s->v, s->n, hi) - lower_bound(s->v, s->n, lo);
}

uint64_t idx_docset_and_card(const roaring_bitmap_t *r, const struct idx_docset *s)
{
    if (s->bm)
        return roaring_bitmap_and_cardinality(r, s->bm);
    uint64_t c = 0;
    for (uint32_t i = 0; i < s->n; i++)
        c += roaring_bitmap_contains(r, s->v[i]);
    return c;
}

const roaring_bitmap_t *idx_docset_bitmap(const struct idx_docset *s, roaring_bitmap_t **owned)
{
    *owned = NULL;
    if (s->bm)
        return s->bm;
    *owned = roaring_bitmap_of_ptr(s->n, s->v);
    return *owned;
}

/* Adds (or) s's docs into b. */
static void docset_or_into(roaring_bitmap_t *b, const struct idx_docset *s)
{
    if (s->bm)
        roaring_bitmap_or_inplace(b, s->bm);
    else
        roaring_bitmap_add_many(b, s->n, s->v);
}

/* Recomputes tag c's expanded bitmap (its docs plus those of its synonyms). */
static int tag_reexpand(struct idx *idx, uint32_t c)
{
    struct idx_syn *sy = idx->tags[c].syn;
    if (!sy)
        return 0;
    free_bm(sy->expanded);
    sy->expanded = NULL;
    if (!sy->n)
        return 0;
    struct idx_docset s;
    tag_direct(&idx->tags[c], &s);
    sy->expanded = s.bm ? roaring_bitmap_copy(s.bm) : roaring_bitmap_of_ptr(s.n, s.v);
    if (!sy->expanded)
        return FICD_ENOMEM;
    for (uint32_t i = 0; i < sy->n; i++) {
        tag_direct(&idx->tags[sy->v[i]], &s);
        docset_or_into(sy->expanded, &s);
    }
    return 0;
}

/* A doc is a crossover when its fandoms map to more than one canonical fandom. */
static int doc_is_crossover(const struct idx *idx, const struct idx_doc *d)
{
    uint32_t first = UINT32_MAX;
    for (uint32_t i = 0; i < d->type_end[TAG_FANDOM]; i++) {
        uint32_t c = idx->canon_of[idx_doc_tag(idx, d, i)];
        if (first == UINT32_MAX)
            first = c;
        else if (c != first)
            return 1;
    }
    return 0;
}

static void crossover_one(struct idx *idx, uint32_t d)
{
    if (doc_is_crossover(idx, &idx->docs[d]))
        roaring_bitmap_add(idx->crossover, d);
    else
        roaring_bitmap_remove(idx->crossover, d);
}

static void refresh_crossover(struct idx *idx, uint32_t t)
{
    if (idx->type_of[t] != TAG_FANDOM)
        return;
    struct idx_docset s;
    tag_direct(&idx->tags[t], &s);
    if (!s.bm) {
        for (uint32_t i = 0; i < s.n; i++)
            crossover_one(idx, s.v[i]);
        return;
    }
    roaring_uint32_iterator_t it;
    roaring_init_iterator(s.bm, &it);
    for (; it.has_value; roaring_advance_uint32_iterator(&it))
        crossover_one(idx, it.current_value);
}

static uint32_t tag_nsyns(const struct idx_tag *t)
{
    return t->syn ? t->syn->n : 0;
}

/* Points tag tn at the canonical named by its synonym_of_sid (following at most a few
 * synonym hops), detaching it from its previous canonical. */
static int tag_link(struct idx *idx, uint32_t tn)
{
    struct idx_tag *t = &idx->tags[tn];
    uint32_t target = tn;
    if (t->synonym_of_sid) {
        uint32_t c;
        int64_t sid = t->synonym_of_sid;
        for (int hop = 0; hop < 8 && sid && idx_tag_by_sid(idx, sid, &c); hop++) {
            target = c;
            sid = idx->tags[c].synonym_of_sid;
        }
        if (target == tn || idx->type_of[target] != idx->type_of[tn])
            target = tn;
    }
    /* A tag that has synonyms of its own cannot become one: keep the structure flat. */
    if (target != tn && tag_nsyns(t))
        target = tn;
    uint32_t old = idx->canon_of[tn];
    if (old == target)
        return 0;
    if (old != tn) {
        struct idx_syn *o = idx->tags[old].syn;
        for (uint32_t i = 0; o && i < o->n; i++)
            if (o->v[i] == tn) {
                o->v[i] = o->v[--o->n];
                break;
            }
        if (tag_reexpand(idx, old))
            return FICD_ENOMEM;
    }
    idx->canon_of[tn] = target;
    idx_meta_canon_changed(idx);
    if (target != tn) {
        struct idx_tag *c = &idx->tags[target];
        if (!c->syn && !(c->syn = calloc(1, sizeof(*c->syn))))
            return FICD_ENOMEM;
        struct idx_syn *sy = c->syn;
        if (sy->n == sy->cap) {
            uint32_t nc = sy->cap ? sy->cap * 2 : 4;
            uint32_t *ns = realloc(sy->v, nc * sizeof(*ns));
            if (!ns)
                return FICD_ENOMEM;
            sy->v = ns;
            sy->cap = nc;
        }
        sy->v[sy->n++] = tn;
        if (tag_reexpand(idx, target))
            return FICD_ENOMEM;
    }
    refresh_crossover(idx, tn);
    idx->pop_dirty = 1;
    return 0;
}

static int64_t tag_sid_of(const void *ctx, uint32_t t)
{
    return ((const struct idx *)ctx)->tags[t].store_id;
}

int idx_tag_by_sid(const struct idx *idx, int64_t sid, uint32_t *out)
{
    return sid > 0 && (vmap_get(&idx->tag_by_sid, sid, out, tag_sid_of, idx) ||
                       imap_get(&idx->sid_extra, sid, out));
}

/* Registers (or renames) a store tag without linking synonyms; *out gets its number. */
static int tag_register(struct idx *idx, const struct tag *st, uint32_t *out)
{
    if (!st->name || st->type < 0 || st->type > TAG_FREEFORM)
        return FICD_EINVAL;
    uint32_t tn;
    if (idx_tag_by_sid(idx, st->id, &tn)) {
        if (idx->type_of[tn] != st->type || strcmp(idx_tag_name(idx, tn), st->name)) {
            char key[1024];
            size_t n = tag_key(idx->type_of[tn], idx_tag_name(idx, tn), key, sizeof(key));
            struct key_ctx kc = {idx, idx->type_of[tn], NULL};
            uint32_t cur;
            if (kmap_get(&idx->tag_by_key, key, n, &cur, tag_key_eq, &kc) && cur == tn)
                kmap_del(&idx->tag_by_key, key, n, tag_key_eq, &kc);
            uint32_t off;
            int rc = name_add(idx, st->name, &off);
            if (rc)
                return rc;
            idx->tags[tn].name = off;
            idx->type_of[tn] = (uint8_t)st->type;
            n = tag_key(st->type, st->name, key, sizeof(key));
            kc = (struct key_ctx){idx, st->type, NULL};
            if ((rc = kmap_put(&idx->tag_by_key, key, n, tn, tag_key_eq, &kc)))
                return rc;
        }
    } else {
        int rc = tag_ensure(idx, st->type, st->name, &tn);
        if (rc)
            return rc;
        if (!idx->tags[tn].store_id) {
            idx->tags[tn].store_id = st->id;
            if ((rc = vmap_put(&idx->tag_by_sid, st->id, tn, tag_sid_of, idx)))
                return rc;
        } else if (imap_put(&idx->sid_extra, st->id, tn)) {
            return FICD_ENOMEM;
        }
        idx_meta_tag_registered(idx, st->id);
    }
    idx->tags[tn].synonym_of_sid = st->synonym_of;
    *out = tn;
    return 0;
}

int idx_tag_update(struct idx *idx, const struct tag *st)
{
    if (st->id <= 0)
        return FICD_EINVAL;
    pthread_rwlock_wrlock(&idx->lock);
    idx->tag_gen++; /* facet counts taken before may no longer bound (facets.c) */
    uint32_t tn;
    int rc = tag_register(idx, st, &tn);
    if (!rc)
        rc = tag_link(idx, tn);
    /* Synonyms registered before their canonical now resolve. */
    for (uint32_t i = 0; !rc && i < idx->ntags; i++)
        if (idx->tags[i].synonym_of_sid == st->id && idx->canon_of[i] == i)
            rc = tag_link(idx, i);
    if (!rc)
        rc = idx_meta_flush(idx); /* meta/sub expansion through the new synonyms */
    pthread_rwlock_unlock(&idx->lock);
    return rc;
}

/* ---- languages ---- */

uint32_t idx_lang_lookup(const struct idx *idx, const char *name)
{
    if (!name || !*name)
        return 0;
    char key[128];
    tok_fold(name, strlen(name), key, sizeof(key));
    for (uint32_t i = 1; i < idx->nlangs; i++)
        if (!strcmp(idx->lang_names[i], key))
            return i;
    return 0;
}

static uint32_t lang_ensure(struct idx *idx, const char *name)
{
    uint32_t l = idx_lang_lookup(idx, name);
    if (l || !name || !*name || idx->nlangs > IDX_MAX_LANGS)
        return l;
    char key[128];
    tok_fold(name, strlen(name), key, sizeof(key));
    char *k = strdup(key);
    roaring_bitmap_t *b = roaring_bitmap_create();
    if (!k || !b) {
        free(k);
        free_bm(b);
        return 0;
    }
    idx->lang_names[idx->nlangs] = k;
    idx->lang[idx->nlangs] = b;
    return idx->nlangs++;
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

static int64_t doc_id_of(const void *ctx, uint32_t d)
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
    if (idx->fulltext)
        fts_doc_killed(idx, d);
}

/* Room for one more doc, n more tag numbers and m more string bytes. */
static int doc_reserve(struct idx *idx, uint64_t n, uint64_t m)
{
    if (idx->ndocs == UINT32_MAX - 1)
        return FICD_ETOOBIG;
    if (idx->ndocs == idx->docs_cap) {
        uint64_t cap = idx->docs_cap;
        int rc = grow((void **)&idx->docs, &cap, (uint64_t)idx->ndocs + 1, sizeof(*idx->docs),
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
    int rc = grow((void **)&idx->tagpool, &idx->tagpool_cap, idx->tagpool_len + n * 4, 1,
                  UINT32_MAX); /* 4 bytes a tag at most */
    if (!rc)
        rc = grow((void **)&idx->strs, &idx->strs_cap, idx->strs_len + m, 1, UINT32_MAX);
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
    uint8_t *tags = idx->tagpool + doc->tags;
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
    if (vmap_put(&idx->id2doc, w->id, d, doc_id_of, idx))
        return FICD_ENOMEM;
    idx->pop_dirty = 1;
    if (idx->fulltext) {
        memset(&idx->dfts[d], 0, sizeof(idx->dfts[d]));
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
static void idx_trim(struct idx *idx)
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
    /* Hash tables that grew by doubling (failing to shrink one only costs memory). */
    (void)kmap_fit(&idx->tag_by_key);
    (void)vmap_fit(&idx->tag_by_sid, tag_sid_of, idx);
    (void)vmap_fit(&idx->id2doc, doc_id_of, idx);
#ifdef __GLIBC__
    malloc_trim(0); /* the free pages left between shrunk arrays go back to the system */
#endif
}

/* ---- derived orders ---- */

/* strcmp of the docs' title keys, an ASCII title's being the title lower-cased. */
static int title_key_cmp(const struct idx *idx, const struct idx_doc *x, const struct idx_doc *y)
{
    int lx = x->flags & IDX_DOC_TKEY_ASCII, ly = y->flags & IDX_DOC_TKEY_ASCII;
    const unsigned char *a =
        (const unsigned char *)(lx ? idx_doc_title(idx, x) : idx->strs + x->str);
    const unsigned char *b =
        (const unsigned char *)(ly ? idx_doc_title(idx, y) : idx->strs + y->str);
    if (!lx && !ly)
        return strcmp((const char *)a, (const char *)b);
    for (;; a++, b++) {
        int ca = lx ? tolower(*a) : *a, cb = ly ? tolower(*b) : *b;
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (!ca)
            return 0;
    }
}

static int cmp_doc_sort(const void *a, const void *b, void *ctx)
{
    const struct idx *idx = ((const void **)ctx)[0];
    int s = *(const int *)((const void **)ctx)[1];
    uint32_t xa = *(const uint32_t *)a, ya = *(const uint32_t *)b;
    const struct idx_doc *x = &idx->docs[xa];
    const struct idx_doc *y = &idx->docs[ya];
    int c = 0;
    switch (s) {
    case IDX_SORT_AUTHOR:
        c = strcmp(idx_doc_author_key(idx, x), idx_doc_author_key(idx, y));
        break;
    case IDX_SORT_TITLE:
        c = title_key_cmp(idx, x, y);
        break;
    default: {
        static const int key_of[IDX_SORT__COUNT] = {
            [IDX_SORT_POSTED] = K_POSTED,      [IDX_SORT_UPDATED] = K_UPDATED,
            [IDX_SORT_WORDS] = K_WORDS,        [IDX_SORT_KUDOS] = K_KUDOS,
            [IDX_SORT_HITS] = K_HITS,          [IDX_SORT_COMMENTS] = K_COMMENTS,
            [IDX_SORT_BOOKMARKS] = K_BOOKMARKS};
        int k = key_of[s];
        if (x->keys[k] != IDX_KEY_BIG && y->keys[k] != IDX_KEY_BIG) {
            c = (x->keys[k] > y->keys[k]) - (x->keys[k] < y->keys[k]);
        } else {
            int64_t kx = idx_doc_key(idx, xa, k), ky = idx_doc_key(idx, ya, k);
            c = (kx > ky) - (kx < ky);
        }
    }
    }
    if (c)
        return c;
    int64_t ix = idx_doc_id(x), iy = idx_doc_id(y);
    return (ix > iy) - (ix < iy);
}

/* Sorts docs[0..n) ascending by sort s's key, ties by id (the order scanned by search.c). */
void idx_sort_docs(const struct idx *idx, int s, uint32_t *docs, size_t n)
{
    const void *ctx[2] = {idx, &s};
    qsort_r(docs, n, sizeof(*docs), cmp_doc_sort, (void *)ctx);
}

int idx_doc_cmp(const struct idx *idx, int s, uint32_t a, uint32_t b)
{
    const void *ctx[2] = {idx, &s};
    return cmp_doc_sort(&a, &b, (void *)ctx);
}

void idx_rebuild_orders(struct idx *idx)
{
    uint64_t n = roaring_bitmap_get_cardinality(idx->live);
    uint32_t w = idx->ndocs <= (1u << 24) ? 3 : 4;
    uint32_t *tmp = malloc((n ? n : 1) * sizeof(uint32_t));
    for (int s = 0; s < IDX_SORT__COUNT; s++) {
        free(idx->order[s]);
        idx->order[s] = NULL;
    }
    idx->orders_valid = 0;
    if (!tmp)
        return;
    for (int s = IDX_SORT_AUTHOR; s < IDX_SORT__COUNT; s++) {
        uint8_t *o = malloc((n ? n : 1) * w);
        if (!o) {
            free(tmp);
            return;
        }
        roaring_bitmap_to_uint32_array(idx->live, tmp);
        idx_sort_docs(idx, s, tmp, n);
        for (uint64_t i = 0; i < n; i++) {
            if (w == 4) {
                memcpy(o + i * 4, &tmp[i], 4);
            } else {
                o[i * 3] = (uint8_t)tmp[i];
                o[i * 3 + 1] = (uint8_t)(tmp[i] >> 8);
                o[i * 3 + 2] = (uint8_t)(tmp[i] >> 16);
            }
        }
        idx->order[s] = o;
    }
    free(tmp);
    idx->order_w = w;
    idx->order_n = idx->ndocs;
    idx->order_len = n;
    idx->orders_valid = 1;
    idx_trim(idx);
}

static int cmp_pop(const void *a, const void *b, void *ctx)
{
    const uint64_t *card = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (card[x] != card[y])
        return card[x] > card[y] ? -1 : 1;
    return (x > y) - (x < y);
}

void idx_rebuild_pop(struct idx *idx)
{
    uint64_t *card = malloc((idx->ntags ? idx->ntags : 1) * sizeof(*card));
    if (!card)
        return;
    for (int ty = 0; ty < 4; ty++)
        idx->npop[ty] = 0;
    for (int ty = 0; ty < 4; ty++) {
        free(idx->pop[ty]);
        idx->pop[ty] = NULL;
    }
    uint32_t cnt[4] = {0};
    for (uint32_t t = 0; t < idx->ntags; t++) {
        card[t] = 0;
        if (idx->canon_of[t] != t)
            continue;
        card[t] = idx_tag_card(idx, t);
        if (card[t])
            cnt[idx->type_of[t]]++;
    }
    for (int ty = 0; ty < 4; ty++) {
        idx->pop[ty] = malloc((cnt[ty] ? cnt[ty] : 1) * sizeof(uint32_t));
        if (!idx->pop[ty]) {
            free(card);
            return;
        }
    }
    for (uint32_t t = 0; t < idx->ntags; t++)
        if (card[t])
            idx->pop[idx->type_of[t]][idx->npop[idx->type_of[t]]++] = t;
    for (int ty = 0; ty < 4; ty++)
        qsort_r(idx->pop[ty], idx->npop[ty], sizeof(uint32_t), cmp_pop, card);
    free(card);
    idx->pop_dirty = 0;
}

/* ---- the store ---- */

struct build_ctx {
    struct idx *idx;
    struct progress pr;
    uint64_t n;
    int show;
    int rc;
};

static int build_tag(const struct tag *t, void *ctx)
{
    struct build_ctx *bc = ctx;
    uint32_t tn;
    if (t->type > TAG_FREEFORM)
        return 0;
    bc->rc = tag_register(bc->idx, t, &tn);
    if (!bc->rc)
        bc->rc = tag_docs_reserve(&bc->idx->tags[tn], t->uses);
    return bc->rc;
}

static int build_work(const struct work *w, void *ctx)
{
    struct build_ctx *bc = ctx;
    if (!w->draft && !w->hidden) {
        bc->rc = idx_put_work(bc->idx, w);
        if (bc->rc)
            return 1;
    }
    bc->n++;
    if (bc->show)
        progress_update(&bc->pr, bc->n);
    return 0;
}

int idx_build(struct idx *idx, struct store *s, int progress)
{
    struct build_ctx bc = {.idx = idx, .show = progress};
    int64_t seq = 0, total = 0;
    int rc = store_last_change(s, &seq);
    if (!rc)
        rc = store_work_count(s, 1, &total);
    if (rc)
        return rc;
    pthread_rwlock_wrlock(&idx->lock);
    rc = store_tag_list(s, -1, NULL, 0, build_tag, &bc);
    for (uint32_t i = 0; !rc && !bc.rc && i < idx->ntags; i++)
        if (idx->tags[i].synonym_of_sid)
            bc.rc = tag_link(idx, i);
    pthread_rwlock_unlock(&idx->lock);
    if (rc || bc.rc)
        return rc ? rc : bc.rc;
    /* Room for every work at once: the doc array then needs no slack. */
    pthread_rwlock_wrlock(&idx->lock);
    uint64_t want = (uint64_t)idx->ndocs + (uint64_t)total;
    if (want > idx->docs_cap && want < UINT32_MAX - 1) {
        struct idx_doc *nd = realloc(idx->docs, want * sizeof(*nd));
        if (nd) {
            idx->docs = nd;
            struct idx_dfts *nf = idx->fulltext ? realloc(idx->dfts, want * sizeof(*nf)) : NULL;
            if (nf)
                idx->dfts = nf;
            if (nf || !idx->fulltext)
                idx->docs_cap = (uint32_t)want;
        }
    }
    /* and in the work id map: no table left behind by doubling */
    if (vmap_reserve(&idx->id2doc, idx->id2doc.n + (size_t)total, doc_id_of, idx))
        rc = FICD_ENOMEM;
    pthread_rwlock_unlock(&idx->lock);
    if (rc)
        return rc;
    if (progress)
        progress_start(&bc.pr, "indexing", (uint64_t)total);
    rc = store_work_foreach(s, idx->fulltext, build_work, &bc);
    if (progress)
        progress_finish(&bc.pr);
    if (rc || bc.rc)
        return bc.rc ? bc.rc : rc;
    if ((rc = idx_load_tag_relations(idx, s)))
        return rc;
    pthread_rwlock_wrlock(&idx->lock);
    idx->last_seq = seq;
    idx_rebuild_pop(idx);
    idx_rebuild_orders(idx); /* and gives back the slack of every array, and free pages */
    pthread_rwlock_unlock(&idx->lock);
    return 0;
}

struct change {
    int64_t seq;
    enum change_kind kind;
    int64_t id;
};

struct change_list {
    struct change *v;
    size_t n, cap;
};

static int collect_change(int64_t seq, enum change_kind kind, int64_t id, void *ctx)
{
    struct change_list *l = ctx;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        struct change *nv = realloc(l->v, nc * sizeof(*nv));
        if (!nv)
            return 1;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = (struct change){seq, kind, id};
    return 0;
}

/* Applies one change read from the log: works are re-read (or removed), tags re-read. */
static int apply_one(struct idx *idx, struct store *s, const struct change *c)
{
    int rc;
    if (c->kind == CHANGE_WORK) {
        struct work w;
        rc = store_work_get(s, c->id, idx->fulltext, &w);
        if (rc == FICD_ENOTFOUND)
            return idx_remove_work(idx, c->id);
        if (rc)
            return rc;
        rc = idx_put_work(idx, &w);
        work_free(&w);
        return rc;
    }
    if (c->kind == CHANGE_WORK_DELETED)
        return idx_remove_work(idx, c->id);
    if (c->kind == CHANGE_TAG) {
        struct tag t;
        rc = store_tag_get(s, c->id, &t);
        if (rc == FICD_ENOTFOUND)
            return 0;
        if (rc)
            return rc;
        rc = t.type <= TAG_FREEFORM ? idx_tag_update(idx, &t) : 0;
        tag_free(&t);
        return rc;
    }
    return 0;
}

int idx_apply_changes(struct idx *idx, struct store *s)
{
    pthread_mutex_lock(&idx->apply_mu);
    struct change_list l = {0};
    int rc = store_changes_since(s, idx->last_seq, collect_change, &l);
    if (!rc && l.n && !l.v)
        rc = FICD_ENOMEM;
    /* Only the last change of each work matters: mark earlier ones as done. */
    struct imap last = {0};
    for (size_t i = 0; !rc && i < l.n; i++)
        if (l.v[i].kind != CHANGE_TAG && imap_put(&last, l.v[i].id, (uint32_t)i))
            rc = FICD_ENOMEM;
    int applied = 0, tags_changed = 0;
    /* Meta/sub trees are rebuilt once, after every tag change and the store's relations. */
    pthread_rwlock_wrlock(&idx->lock);
    idx_meta_defer(idx, 1);
    pthread_rwlock_unlock(&idx->lock);
    for (size_t i = 0; !rc && i < l.n; i++) {
        uint32_t li;
        if (l.v[i].kind != CHANGE_TAG && imap_get(&last, l.v[i].id, &li) && li != i)
            continue;
        rc = apply_one(idx, s, &l.v[i]);
        if (!rc) {
            applied++;
            tags_changed |= l.v[i].kind == CHANGE_TAG;
        }
    }
    if (!rc && tags_changed)
        rc = idx_load_tag_relations(idx, s);
    pthread_rwlock_wrlock(&idx->lock);
    idx_meta_defer(idx, 0);
    int mrc = idx_meta_flush(idx);
    pthread_rwlock_unlock(&idx->lock);
    if (!rc)
        rc = mrc;
    if (!rc && l.n) {
        pthread_rwlock_wrlock(&idx->lock);
        idx->last_seq = l.v[l.n - 1].seq;
        pthread_rwlock_unlock(&idx->lock);
    }
    imap_free(&last);
    free(l.v);
    pthread_mutex_unlock(&idx->apply_mu);
    return rc ? rc : applied;
}

int idx_poll(struct idx *idx, struct store *s, int min_interval_ms)
{
    int64_t now = progress_now_ms();
    pthread_mutex_lock(&idx->apply_mu);
    int due = now - idx->last_poll_ms >= min_interval_ms;
    if (due)
        idx->last_poll_ms = now;
    pthread_mutex_unlock(&idx->apply_mu);
    return due ? idx_apply_changes(idx, s) : 0;
}

int64_t idx_seq(struct idx *idx)
{
    pthread_rwlock_rdlock(&idx->lock);
    int64_t seq = idx->last_seq;
    pthread_rwlock_unlock(&idx->lock);
    return seq;
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

static const char *const sort_names[IDX_SORT__COUNT] = {"best",     "author",   "title", "posted",
                                                        "updated",  "words",    "kudos", "hits",
                                                        "comments", "bookmarks"};

const char *idx_sort_name(enum idx_sort s)
{
    return (unsigned)s < IDX_SORT__COUNT ? sort_names[s] : "best";
}

int idx_sort_parse(const char *s)
{
    static const struct {
        const char *name;
        int sort;
    } alias[] = {{"relevance", IDX_SORT_BEST},  {"best_match", IDX_SORT_BEST},
                 {"creator", IDX_SORT_AUTHOR},  {"published", IDX_SORT_POSTED},
                 {"created", IDX_SORT_POSTED},  {"date_posted", IDX_SORT_POSTED},
                 {"date", IDX_SORT_UPDATED},    {"date_updated", IDX_SORT_UPDATED},
                 {"revised", IDX_SORT_UPDATED}, {"word_count", IDX_SORT_WORDS},
                 {"wordcount", IDX_SORT_WORDS}};
    if (!s)
        return -1;
    for (int i = 0; i < IDX_SORT__COUNT; i++)
        if (!strcasecmp(s, sort_names[i]))
            return i;
    for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (!strcasecmp(s, alias[i].name))
            return alias[i].sort;
    return -1;
}
