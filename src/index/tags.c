/* tags.c: the index's tags: their dictionary (type and case-folded name), each tag's docs
 * (a sorted array while few, a bitmap after), synonyms and canonical links, the crossover
 * flags that follow fandom links, and the languages. Split from index.c. */
#include "index/index_int.h"
#include "store/store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

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
    int rc = idx_grow((void **)&idx->names, &idx->names_cap, idx->names_len + n, 1, UINT32_MAX);
    if (rc)
        return rc;
    memcpy(idx->names + idx->names_len, name, n);
    *off = (uint32_t)idx->names_len;
    idx->names_len += n;
    return 0;
}

/* Finds or creates the tag (type, name); *out gets its number. */
int tag_ensure(struct idx *idx, enum tag_type type, const char *name, uint32_t *out)
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

int tag_docs_add(struct idx_tag *t, uint32_t d)
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

void tag_docs_remove(struct idx_tag *t, uint32_t d)
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
int tag_docs_reserve(struct idx_tag *t, int64_t uses)
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
void tag_docs_trim(struct idx_tag *t)
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
    idx_bm_free(sy->expanded);
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
int doc_is_crossover(const struct idx *idx, const struct idx_doc *d)
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
int tag_link(struct idx *idx, uint32_t tn)
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

int64_t tag_sid_of(const void *ctx, uint32_t t)
{
    return ((const struct idx *)ctx)->tags[t].store_id;
}

int idx_tag_by_sid(const struct idx *idx, int64_t sid, uint32_t *out)
{
    return sid > 0 && (vmap_get(&idx->tag_by_sid, sid, out, tag_sid_of, idx) ||
                       imap_get(&idx->sid_extra, sid, out));
}

/* Registers (or renames) a store tag without linking synonyms; *out gets its number. */
int tag_register(struct idx *idx, const struct tag *st, uint32_t *out)
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

uint32_t lang_ensure(struct idx *idx, const char *name)
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
        idx_bm_free(b);
        return 0;
    }
    idx->lang_names[idx->nlangs] = k;
    idx->lang[idx->nlangs] = b;
    return idx->nlangs++;
}
