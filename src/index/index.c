/* index.c: the index's lifecycle and writes: docs, tags and synonyms, the filter bitmaps,
 * sort orders and tag popularity lists; building from the store and following its change
 * log. Readers and the writer are separated by a rwlock (search.c takes the read side). */
#include "index/index_int.h"
#include "core/progress.h"
#include "store/store.h"

#include <ctype.h>
#include <libstemmer.h>
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

void idx_free(struct idx *idx)
{
    if (!idx)
        return;
    for (uint32_t i = 0; i < idx->ndocs; i++) {
        free(idx->docs[i].title);
        free(idx->docs[i].title_key);
        free(idx->docs[i].author_key);
        free(idx->docs[i].tags);
    }
    free(idx->docs);
    imap_free(&idx->id2doc);
    for (uint32_t i = 0; i < idx->ntags; i++) {
        free(idx->tags[i].name);
        free(idx->tags[i].syns);
        free_bm(idx->tags[i].direct);
        free_bm(idx->tags[i].expanded);
    }
    free(idx->tags);
    free(idx->canon_of);
    free(idx->type_of);
    smap_free(&idx->tag_by_key);
    imap_free(&idx->tag_by_sid);
    free_bm(idx->live);
    free_bm(idx->restricted);
    free_bm(idx->complete);
    free_bm(idx->crossover);
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
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)n, &m,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    size_t len = 2;
    if (k > 0) {
        size_t c = (size_t)k < outsz - 3 ? (size_t)k : outsz - 3;
        memcpy(out + 2, m, c);
        len += c;
    } else { /* not valid UTF-8: ASCII lower-case the bytes */
        size_t c = n < outsz - 3 ? n : outsz - 3;
        for (size_t i = 0; i < c; i++)
            out[2 + i] = (char)tolower((unsigned char)name[i]);
        len += c;
    }
    free(m);
    out[len] = 0;
    return len;
}

int idx_tag_lookup(const struct idx *idx, int type, const char *name, uint32_t *out)
{
    char key[1024];
    size_t n = tag_key(type, name, key, sizeof(key));
    return smap_get(&idx->tag_by_key, key, n, out);
}

/* Finds or creates the tag (type, name); *out gets its number. */
static int tag_ensure(struct idx *idx, enum tag_type type, const char *name, uint32_t *out)
{
    char key[1024];
    size_t n = tag_key(type, name, key, sizeof(key));
    if (smap_get(&idx->tag_by_key, key, n, out))
        return 0;
    if (idx->ntags == idx->tags_cap) {
        uint32_t nc = idx->tags_cap ? idx->tags_cap * 2 : 256;
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
    t->type = type;
    t->name = strdup(name);
    t->direct = roaring_bitmap_create();
    t->canon = idx->ntags;
    if (!t->name || !t->direct || smap_put(&idx->tag_by_key, key, n, idx->ntags)) {
        free(t->name);
        free_bm(t->direct);
        return FICD_ENOMEM;
    }
    idx->canon_of[idx->ntags] = idx->ntags;
    idx->type_of[idx->ntags] = (uint8_t)type;
    *out = idx->ntags++;
    idx->pop_dirty = 1;
    return 0;
}

const roaring_bitmap_t *idx_tag_docs(const struct idx *idx, uint32_t t)
{
    const struct idx_tag *c = &idx->tags[idx->tags[t].canon];
    return c->expanded ? c->expanded : c->direct;
}

/* Recomputes tag c's expanded bitmap (its docs plus those of its synonyms). */
static int tag_reexpand(struct idx *idx, uint32_t c)
{
    struct idx_tag *t = &idx->tags[c];
    free_bm(t->expanded);
    t->expanded = NULL;
    if (!t->nsyns)
        return 0;
    t->expanded = roaring_bitmap_copy(t->direct);
    if (!t->expanded)
        return FICD_ENOMEM;
    for (uint32_t i = 0; i < t->nsyns; i++)
        roaring_bitmap_or_inplace(t->expanded, idx->tags[t->syns[i]].direct);
    return 0;
}

/* A doc is a crossover when its fandoms map to more than one canonical fandom. */
static int doc_is_crossover(const struct idx *idx, const struct idx_doc *d)
{
    uint32_t first = UINT32_MAX;
    for (uint32_t i = 0; i < d->ntags; i++) {
        const struct idx_tag *t = &idx->tags[d->tags[i]];
        if (t->type != TAG_FANDOM)
            continue;
        if (first == UINT32_MAX)
            first = t->canon;
        else if (t->canon != first)
            return 1;
    }
    return 0;
}

static void refresh_crossover(struct idx *idx, uint32_t t)
{
    if (idx->tags[t].type != TAG_FANDOM)
        return;
    roaring_uint32_iterator_t it;
    roaring_init_iterator(idx->tags[t].direct, &it);
    for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
        const struct idx_doc *d = &idx->docs[it.current_value];
        if (doc_is_crossover(idx, d))
            roaring_bitmap_add(idx->crossover, it.current_value);
        else
            roaring_bitmap_remove(idx->crossover, it.current_value);
    }
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
        for (int hop = 0; hop < 8 && sid && imap_get(&idx->tag_by_sid, sid, &c); hop++) {
            target = c;
            sid = idx->tags[c].synonym_of_sid;
        }
        if (target == tn || idx->tags[target].type != t->type)
            target = tn;
    }
    /* A tag that has synonyms of its own cannot become one: keep the structure flat. */
    if (target != tn && t->nsyns)
        target = tn;
    uint32_t old = t->canon;
    if (old == target)
        return 0;
    if (old != tn) {
        struct idx_tag *o = &idx->tags[old];
        for (uint32_t i = 0; i < o->nsyns; i++)
            if (o->syns[i] == tn) {
                o->syns[i] = o->syns[--o->nsyns];
                break;
            }
        if (tag_reexpand(idx, old))
            return FICD_ENOMEM;
    }
    t->canon = target;
    idx_meta_canon_changed(idx);
    idx->canon_of[tn] = target;
    if (target != tn) {
        struct idx_tag *c = &idx->tags[target];
        if (c->nsyns == c->syns_cap) {
            uint32_t nc = c->syns_cap ? c->syns_cap * 2 : 4;
            uint32_t *ns = realloc(c->syns, nc * sizeof(*ns));
            if (!ns)
                return FICD_ENOMEM;
            c->syns = ns;
            c->syns_cap = nc;
        }
        c->syns[c->nsyns++] = tn;
        if (tag_reexpand(idx, target))
            return FICD_ENOMEM;
    }
    refresh_crossover(idx, tn);
    idx->pop_dirty = 1;
    return 0;
}

/* Registers (or renames) a store tag without linking synonyms; *out gets its number. */
static int tag_register(struct idx *idx, const struct tag *st, uint32_t *out)
{
    if (!st->name || st->type < 0 || st->type > TAG_FREEFORM)
        return FICD_EINVAL;
    uint32_t tn;
    if (imap_get(&idx->tag_by_sid, st->id, &tn)) {
        struct idx_tag *t = &idx->tags[tn];
        if (t->type != st->type || strcmp(t->name, st->name)) {
            char key[1024];
            size_t n = tag_key(t->type, t->name, key, sizeof(key));
            uint32_t cur;
            if (smap_get(&idx->tag_by_key, key, n, &cur) && cur == tn)
                smap_del(&idx->tag_by_key, key, n);
            char *nn = strdup(st->name);
            if (!nn)
                return FICD_ENOMEM;
            free(t->name);
            t->name = nn;
            t->type = st->type;
            idx->type_of[tn] = (uint8_t)st->type;
            n = tag_key(t->type, t->name, key, sizeof(key));
            if (smap_put(&idx->tag_by_key, key, n, tn))
                return FICD_ENOMEM;
        }
    } else {
        int rc = tag_ensure(idx, st->type, st->name, &tn);
        if (rc)
            return rc;
        if (imap_put(&idx->tag_by_sid, st->id, tn))
            return FICD_ENOMEM;
        idx->tags[tn].store_id = st->id;
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
        if (idx->tags[i].synonym_of_sid == st->id && idx->tags[i].canon == i)
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

static char *fold_dup(const char *s)
{
    char tmp[512];
    size_t n = tok_fold(s ? s : "", s ? strlen(s) : 0, tmp, sizeof(tmp));
    char *r = malloc(n + 1);
    if (r)
        memcpy(r, tmp, n + 1);
    return r;
}

/* Drops doc d from every filter bitmap and frees what only live docs need. */
static void doc_kill(struct idx *idx, uint32_t d)
{
    struct idx_doc *doc = &idx->docs[d];
    if (!doc->live)
        return;
    for (uint32_t i = 0; i < doc->ntags; i++) {
        struct idx_tag *t = &idx->tags[doc->tags[i]];
        roaring_bitmap_remove(t->direct, d);
        struct idx_tag *c = &idx->tags[t->canon];
        if (c->expanded)
            roaring_bitmap_remove(c->expanded, d);
        idx_meta_doc(idx, t->canon, d, 0);
    }
    roaring_bitmap_remove(idx->live, d);
    roaring_bitmap_remove(idx->restricted, d);
    roaring_bitmap_remove(idx->complete, d);
    roaring_bitmap_remove(idx->crossover, d);
    roaring_bitmap_remove(idx->rating[doc->rating], d);
    for (int i = 0; i < WARN__COUNT; i++)
        if (doc->warnings & (1u << i))
            roaring_bitmap_remove(idx->warning[i], d);
    for (int i = 0; i < CAT__COUNT; i++)
        if (doc->categories & (1u << i))
            roaring_bitmap_remove(idx->category[i], d);
    roaring_bitmap_remove(idx->lang[doc->lang], d);
    imap_del(&idx->id2doc, doc->id);
    free(doc->tags);
    doc->tags = NULL;
    doc->ntags = 0;
    free(doc->title_key);
    free(doc->author_key);
    doc->title_key = doc->author_key = NULL;
    doc->live = 0;
    idx->pop_dirty = 1;
}

static int add_doc(struct idx *idx, const struct work *w)
{
    if (idx->ndocs == UINT32_MAX - 1)
        return FICD_ETOOBIG;
    if (idx->ndocs == idx->docs_cap) {
        uint32_t nc = idx->docs_cap ? idx->docs_cap * 2 : 1024;
        struct idx_doc *nd = realloc(idx->docs, (size_t)nc * sizeof(*nd));
        if (!nd)
            return FICD_ENOMEM;
        idx->docs = nd;
        idx->docs_cap = nc;
    }
    uint32_t d = idx->ndocs;
    struct idx_doc *doc = &idx->docs[d];
    memset(doc, 0, sizeof(*doc));
    doc->id = w->id;
    doc->keys[K_POSTED] = w->published;
    doc->keys[K_UPDATED] = w->updated;
    doc->keys[K_WORDS] = work_words(w);
    doc->keys[K_KUDOS] = w->kudos;
    doc->keys[K_HITS] = w->hits;
    doc->keys[K_COMMENTS] = w->comments;
    doc->keys[K_BOOKMARKS] = w->bookmarks;
    doc->title = strdup(w->title ? w->title : "");
    doc->title_key = fold_dup(w->title);
    doc->author_key = fold_dup(w->creators.n ? w->creators.v[0] : "");
    const struct strlist *lists[4] = {&w->fandoms, &w->relationships, &w->characters,
                                      &w->freeforms};
    size_t n = 0;
    for (int i = 0; i < 4; i++)
        n += lists[i]->n;
    doc->tags = malloc((n ? n : 1) * sizeof(*doc->tags));
    if (!doc->title || !doc->title_key || !doc->author_key || !doc->tags) {
        free(doc->title);
        free(doc->title_key);
        free(doc->author_key);
        free(doc->tags);
        return FICD_ENOMEM;
    }
    idx->ndocs++; /* from here on the doc is owned by the index */
    doc->live = 1;
    for (int ty = 0; ty < 4; ty++, doc->type_end[ty - 1] = (uint16_t)doc->ntags)
        for (size_t i = 0; i < lists[ty]->n && doc->ntags < UINT16_MAX; i++) {
            uint32_t tn;
            if (!lists[ty]->v[i] || !*lists[ty]->v[i])
                continue;
            if (tag_ensure(idx, (enum tag_type)ty, lists[ty]->v[i], &tn))
                return FICD_ENOMEM;
            int dup = 0;
            for (uint32_t k = 0; k < doc->ntags; k++)
                dup |= doc->tags[k] == tn;
            if (dup)
                continue;
            doc->tags[doc->ntags++] = tn;
            struct idx_tag *t = &idx->tags[tn];
            roaring_bitmap_add(t->direct, d);
            struct idx_tag *c = &idx->tags[t->canon];
            if (c->expanded)
                roaring_bitmap_add(c->expanded, d);
            idx_meta_doc(idx, t->canon, d, 1);
        }
    doc->rating = (uint8_t)(w->rating < RATING__COUNT ? w->rating : RATING_NOT_RATED);
    doc->warnings = (uint8_t)(w->warnings & ((1u << WARN__COUNT) - 1));
    doc->categories = (uint8_t)(w->categories & ((1u << CAT__COUNT) - 1));
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
    if (imap_put(&idx->id2doc, w->id, d))
        return FICD_ENOMEM;
    idx->pop_dirty = 1;
    if (idx->fulltext)
        return fts_index_doc(idx, d, w);
    return 0;
}

int idx_put_work(struct idx *idx, const struct work *w)
{
    if (w->id <= 0)
        return FICD_EINVAL;
    pthread_rwlock_wrlock(&idx->lock);
    uint32_t d;
    if (imap_get(&idx->id2doc, w->id, &d))
        doc_kill(idx, d);
    int rc = w->draft ? 0 : add_doc(idx, w);
    pthread_rwlock_unlock(&idx->lock);
    return rc;
}

int idx_remove_work(struct idx *idx, int64_t id)
{
    pthread_rwlock_wrlock(&idx->lock);
    uint32_t d;
    if (imap_get(&idx->id2doc, id, &d))
        doc_kill(idx, d);
    pthread_rwlock_unlock(&idx->lock);
    return 0;
}

/* ---- derived orders ---- */

static int cmp_doc_sort(const void *a, const void *b, void *ctx)
{
    const struct idx *idx = ((const void **)ctx)[0];
    int s = *(const int *)((const void **)ctx)[1];
    const struct idx_doc *x = &idx->docs[*(const uint32_t *)a];
    const struct idx_doc *y = &idx->docs[*(const uint32_t *)b];
    int c = 0;
    switch (s) {
    case IDX_SORT_AUTHOR:
        c = strcmp(x->author_key, y->author_key);
        break;
    case IDX_SORT_TITLE:
        c = strcmp(x->title_key, y->title_key);
        break;
    default: {
        static const int key_of[IDX_SORT__COUNT] = {
            [IDX_SORT_POSTED] = K_POSTED,      [IDX_SORT_UPDATED] = K_UPDATED,
            [IDX_SORT_WORDS] = K_WORDS,        [IDX_SORT_KUDOS] = K_KUDOS,
            [IDX_SORT_HITS] = K_HITS,          [IDX_SORT_COMMENTS] = K_COMMENTS,
            [IDX_SORT_BOOKMARKS] = K_BOOKMARKS};
        int64_t kx = x->keys[key_of[s]], ky = y->keys[key_of[s]];
        c = (kx > ky) - (kx < ky);
    }
    }
    if (c)
        return c;
    return (x->id > y->id) - (x->id < y->id);
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
    for (int s = IDX_SORT_AUTHOR; s < IDX_SORT__COUNT; s++) {
        free(idx->order[s]);
        idx->order[s] = malloc((n ? n : 1) * sizeof(uint32_t));
        if (!idx->order[s]) {
            idx->orders_valid = 0;
            return;
        }
        roaring_bitmap_to_uint32_array(idx->live, idx->order[s]);
        idx_sort_docs(idx, s, idx->order[s], n);
    }
    idx->order_n = idx->ndocs;
    idx->order_len = n;
    idx->orders_valid = 1;
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
        if (idx->tags[t].canon != t)
            continue;
        card[t] = roaring_bitmap_get_cardinality(idx_tag_docs(idx, t));
        if (card[t])
            cnt[idx->tags[t].type]++;
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
            idx->pop[idx->tags[t].type][idx->npop[idx->tags[t].type]++] = t;
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
    return bc->rc;
}

static int build_work(const struct work *w, void *ctx)
{
    struct build_ctx *bc = ctx;
    if (!w->draft) {
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
    idx_rebuild_orders(idx);
    idx_rebuild_pop(idx);
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

void idx_get_stats(struct idx *idx, struct idx_stats *st)
{
    pthread_rwlock_rdlock(&idx->lock);
    memset(st, 0, sizeof(*st));
    st->docs = idx->ndocs;
    st->live = roaring_bitmap_get_cardinality(idx->live);
    st->tags = idx->ntags;
    st->terms = idx->nterms;
    st->last_seq = idx->last_seq;
    uint64_t b =
        roaring_bitmap_size_in_bytes(idx->live) + roaring_bitmap_size_in_bytes(idx->restricted) +
        roaring_bitmap_size_in_bytes(idx->complete) + roaring_bitmap_size_in_bytes(idx->crossover);
    for (int i = 0; i < RATING__COUNT; i++)
        b += roaring_bitmap_size_in_bytes(idx->rating[i]);
    for (int i = 0; i < WARN__COUNT; i++)
        b += roaring_bitmap_size_in_bytes(idx->warning[i]);
    for (int i = 0; i < CAT__COUNT; i++)
        b += roaring_bitmap_size_in_bytes(idx->category[i]);
    for (uint32_t i = 0; i < idx->nlangs; i++)
        b += roaring_bitmap_size_in_bytes(idx->lang[i]);
    for (uint32_t i = 0; i < idx->ntags; i++) {
        b += roaring_bitmap_size_in_bytes(idx->tags[i].direct);
        if (idx->tags[i].expanded)
            b += roaring_bitmap_size_in_bytes(idx->tags[i].expanded);
    }
    st->bitmap_bytes = b;
    uint64_t f = (uint64_t)idx->docs_cap * sizeof(struct idx_doc);
    for (uint32_t i = 0; i < idx->ndocs; i++) {
        const struct idx_doc *d = &idx->docs[i];
        f += (uint64_t)d->ntags * sizeof(uint32_t) + strlen(d->title) + 1;
        if (d->live)
            f += strlen(d->title_key) + strlen(d->author_key) + 2;
    }
    for (int s = 0; s < IDX_SORT__COUNT; s++)
        if (idx->order[s])
            f += (uint64_t)idx->order_len * sizeof(uint32_t);
    st->forward_bytes = f;
    uint64_t p = 0;
    for (uint32_t i = 0; i < idx->nterms; i++)
        p += idx->terms[i].pcap + idx->terms[i].poscap +
             roaring_bitmap_size_in_bytes(idx->terms[i].docs) + strlen(idx->terms[i].s) + 1;
    st->postings_bytes = p;
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
