/* ms_known.c: what the archive's wrangled tags tell the manuscript importer (struct ms_known
 * of manuscript.h): canonical characters, relationships and fandoms, their synonyms and the
 * parent fandoms of characters and relationships, handed in tag by tag and edge by edge from
 * the store and turned, on first use, into the lists the suggestions are matched against. */
#include "text/ms_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct kn_tag {
    int64_t id, synonym_of;
    int type, canonical;
    char *name;
};

struct kn_edge {
    int64_t child, parent;
};

struct ms_known {
    struct kn_tag *t;
    size_t nt, tcap;
    struct kn_edge *e;
    size_t ne, ecap;
    pthread_mutex_t mu;
    int built;
    struct ms_kview view;
};

struct ms_known *ms_known_new(void)
{
    struct ms_known *k = calloc(1, sizeof(*k));
    if (k)
        pthread_mutex_init(&k->mu, NULL);
    return k;
}

int ms_known_tag(struct ms_known *k, int64_t id, enum tag_type type, const char *name,
                 int canonical, int64_t synonym_of)
{
    if (type != TAG_CHARACTER && type != TAG_RELATIONSHIP && type != TAG_FANDOM)
        return 0;
    if (!canonical && !synonym_of)
        return 0; /* unwrangled: says nothing */
    if (k->nt == k->tcap) {
        size_t cap = k->tcap ? k->tcap * 2 : 256;
        struct kn_tag *nv = realloc(k->t, cap * sizeof(*nv));
        if (!nv)
            return -1;
        k->t = nv;
        k->tcap = cap;
    }
    struct kn_tag *x = &k->t[k->nt];
    x->name = strdup(name);
    if (!x->name)
        return -1;
    x->id = id;
    x->type = type;
    x->canonical = canonical;
    x->synonym_of = synonym_of;
    k->nt++;
    k->built = 0;
    return 0;
}

int ms_known_parent(struct ms_known *k, int64_t child_id, int64_t parent_id)
{
    if (k->ne == k->ecap) {
        size_t cap = k->ecap ? k->ecap * 2 : 256;
        struct kn_edge *nv = realloc(k->e, cap * sizeof(*nv));
        if (!nv)
            return -1;
        k->e = nv;
        k->ecap = cap;
    }
    k->e[k->ne].child = child_id;
    k->e[k->ne].parent = parent_id;
    k->ne++;
    k->built = 0;
    return 0;
}

void ms_klist_free(struct ms_klist *l)
{
    for (size_t i = 0; i < l->names.n && l->parents; i++)
        strlist_free(&l->parents[i]);
    free(l->parents);
    strlist_free(&l->names);
    strlist_free(&l->syn);
    free(l->syn_to);
    free(l->full);
    free(l->words);
    memset(l, 0, sizeof(*l));
    strlist_init(&l->names);
    strlist_init(&l->syn);
}

static void view_free(struct ms_kview *v)
{
    for (int i = 0; i < 3; i++)
        ms_klist_free(&v->l[i]);
}

void ms_known_free(struct ms_known *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->nt; i++)
        free(k->t[i].name);
    free(k->t);
    free(k->e);
    view_free(&k->view);
    pthread_mutex_destroy(&k->mu);
    free(k);
}

static int id_cmp(const void *a, const void *b)
{
    const struct kn_tag *const *x = a, *const *y = b;
    return (*x)->id < (*y)->id ? -1 : (*x)->id > (*y)->id;
}

static const struct kn_tag *by_id(struct kn_tag **sorted, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sorted[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && sorted[lo]->id == id ? sorted[lo] : NULL;
}

/* Which list of the view holds tags of a type (-1: none). */
static int list_of(int type)
{
    return type == TAG_CHARACTER      ? MS_K_CHAR
           : type == TAG_RELATIONSHIP ? MS_K_REL
           : type == TAG_FANDOM       ? MS_K_FANDOM
                                      : -1;
}

/* The view from the tags and edges: each list's canonical names in the order given, the
 * synonyms pointing at them, and for characters and relationships their parent fandoms. */
static int view_build(struct ms_known *k)
{
    struct ms_kview *v = &k->view;
    view_free(v);
    struct kn_tag **s = malloc((k->nt ? k->nt : 1) * sizeof(*s));
    size_t *pos = malloc((k->nt ? k->nt : 1) * sizeof(*pos)); /* index in its list */
    if (!s || !pos) {
        free(s);
        free(pos);
        return -1;
    }
    for (size_t i = 0; i < k->nt; i++)
        s[i] = &k->t[i];
    qsort(s, k->nt, sizeof(*s), id_cmp);
    for (size_t i = 0; i < k->nt; i++) {
        struct kn_tag *t = &k->t[i];
        int l = list_of(t->type);
        if (l >= 0 && t->canonical) {
            pos[i] = v->l[l].names.n;
            strlist_add(&v->l[l].names, t->name);
        }
    }
    for (int l = 0; l < 3; l++) {
        size_t n = v->l[l].names.n;
        v->l[l].parents = calloc(n ? n : 1, sizeof(struct strlist));
        v->l[l].syn_to = malloc((k->nt ? k->nt : 1) * sizeof(size_t));
        if (!v->l[l].parents || !v->l[l].syn_to) {
            free(s);
            free(pos);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            strlist_init(&v->l[l].parents[i]);
    }
    for (size_t i = 0; i < k->nt; i++) {
        struct kn_tag *t = &k->t[i];
        int l = list_of(t->type);
        if (l < 0 || t->canonical || !t->synonym_of)
            continue;
        const struct kn_tag *c = by_id(s, k->nt, t->synonym_of);
        if (!c || !c->canonical || c->type != t->type)
            continue;
        v->l[l].syn_to[v->l[l].syn.n] = pos[c - k->t];
        strlist_add(&v->l[l].syn, t->name);
    }
    for (int l = 0; l < 3; l++)
        if (ms_klist_index(&v->l[l])) {
            free(s);
            free(pos);
            return -1;
        }
    for (size_t i = 0; i < k->ne; i++) {
        const struct kn_tag *c = by_id(s, k->nt, k->e[i].child);
        const struct kn_tag *p = by_id(s, k->nt, k->e[i].parent);
        if (!c || !p || !c->canonical || p->type != TAG_FANDOM)
            continue;
        int l = list_of(c->type);
        if (l == MS_K_CHAR || l == MS_K_REL)
            strlist_add_unique(&v->l[l].parents[pos[c - k->t]], p->name);
    }
    free(s);
    free(pos);
    return 0;
}

const struct ms_kview *ms_known_view(const struct ms_known *kc)
{
    struct ms_known *k = (struct ms_known *)kc; /* the view is a cache, built once */
    if (!k)
        return NULL;
    pthread_mutex_lock(&k->mu);
    if (!k->built)
        k->built = view_build(k) == 0 ? 1 : 0;
    int ok = k->built;
    pthread_mutex_unlock(&k->mu);
    return ok ? &k->view : NULL;
}

/* ---- lookups ---- */

static uint64_t hash_ci(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)tolower((unsigned char)s[i])) * 1099511628211ULL;
    return h;
}

static int kent_cmp(const void *a, const void *b)
{
    const struct ms_kent *x = a, *y = b;
    return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static int kent_add(struct ms_kent **v, size_t *n, size_t *cap, const char *key, size_t klen,
                    const char *tag, size_t idx)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        struct ms_kent *nv = realloc(*v, nc * sizeof(**v));
        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = (struct ms_kent){hash_ci(key, klen), key, klen, tag, idx};
    return 0;
}

int ms_klist_index(struct ms_klist *l)
{
    size_t fcap = 0, wcap = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        const struct strlist *names = pass ? &l->syn : &l->names;
        for (size_t i = 0; i < names->n; i++) {
            const char *k = names->v[i];
            size_t idx = pass ? l->syn_to[i] : i;
            if (kent_add(&l->full, &l->nfull, &fcap, k, strlen(k), k, idx))
                return -1;
            size_t kl = strcspn(k, "(");
            for (size_t a = 0; a < kl;) {
                while (a < kl && k[a] == ' ')
                    a++;
                size_t e = a;
                while (e < kl && k[e] != ' ')
                    e++;
                if (e > a && kent_add(&l->words, &l->nwords, &wcap, k + a, e - a, k, idx))
                    return -1;
                a = e;
            }
        }
    }
    if (l->nfull)
        qsort(l->full, l->nfull, sizeof(*l->full), kent_cmp);
    if (l->nwords)
        qsort(l->words, l->nwords, sizeof(*l->words), kent_cmp);
    return 0;
}

/* The first entry of v (n, sorted) with the hash h. */
static size_t kent_first(const struct ms_kent *v, size_t n, uint64_t h)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

long ms_klist_find(const struct ms_klist *l, const char *name)
{
    if (!l || !l->nfull)
        return -1;
    size_t n = strlen(name);
    uint64_t h = hash_ci(name, n);
    long found = -1;
    for (size_t i = kent_first(l->full, l->nfull, h); i < l->nfull && l->full[i].hash == h; i++)
        if (l->full[i].klen == n && strncasecmp(l->full[i].key, name, n) == 0) {
            /* a canonical name before a synonym that happens to be spelt the same */
            if (l->full[i].tag == l->names.v[l->full[i].idx])
                return (long)l->full[i].idx;
            if (found < 0)
                found = (long)l->full[i].idx;
        }
    return found;
}

void ms_klist_words(const struct ms_klist *l, const char *w,
                    int (*cb)(const char *tag, size_t idx, void *ctx), void *ctx)
{
    if (!l || !l->nwords)
        return;
    size_t n = strlen(w);
    uint64_t h = hash_ci(w, n);
    for (size_t i = kent_first(l->words, l->nwords, h); i < l->nwords && l->words[i].hash == h; i++)
        if (l->words[i].klen == n && strncasecmp(l->words[i].key, w, n) == 0 &&
            cb(l->words[i].tag, l->words[i].idx, ctx))
            return;
}
