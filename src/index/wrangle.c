/* wrangle.c: meta/sub tag expansion for the index. A search for a canonical tag matches its
 * works, its synonyms' and, transitively, those of its sub tags (and their synonyms): per
 * canonical tag with sub tags a "tree" bitmap holds that union. The meta edges come from the
 * store (store_tag_relations) by store tag id; they are resolved to tag numbers (through
 * synonyms, to canonicals) whenever they or the synonyms change, cycles are dropped, and the
 * trees rebuilt. Works added or removed afterwards update the trees of their tags' ancestors
 * directly. Facet counts do not use the trees: a work counts under the tags it carries (and
 * their canonicals), not under their meta tags. Everything here runs under the write lock,
 * except idx_tag_query_docs (read lock). */
#include "index/index_int.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

struct meta_node {
    uint32_t *subs, nsubs, subs_cap;
    uint32_t *metas, nmetas, metas_cap;
    roaring_bitmap_t *tree; /* NULL when the tag has no sub tags */
};

struct idx_meta {
    struct tag_rel *edges; /* TAG_REL_META only, sorted by (from, to): from is the sub */
    size_t nedges;
    struct imap sids;       /* store ids named by an edge */
    struct meta_node *node; /* per tag number, for tags [0, nnode) */
    uint32_t nnode;
    int dirty; /* the trees must be rebuilt */
    int defer; /* > 0: idx_apply_changes rebuilds once at the end */
};

static struct idx_meta *meta_get(struct idx *idx)
{
    if (!idx->meta)
        idx->meta = calloc(1, sizeof(*idx->meta));
    return idx->meta;
}

static void nodes_free(struct idx_meta *m)
{
    for (uint32_t i = 0; i < m->nnode; i++) {
        free(m->node[i].subs);
        free(m->node[i].metas);
        if (m->node[i].tree)
            roaring_bitmap_free(m->node[i].tree);
    }
    free(m->node);
    m->node = NULL;
    m->nnode = 0;
}

void idx_meta_free(struct idx *idx)
{
    struct idx_meta *m = idx->meta;
    if (!m)
        return;
    nodes_free(m);
    free(m->edges);
    imap_free(&m->sids);
    free(m);
    idx->meta = NULL;
}

static int push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
    for (uint32_t i = 0; i < *n; i++)
        if ((*v)[i] == x)
            return 0;
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 4;
        uint32_t *nv = realloc(*v, nc * sizeof(*nv));
        if (!nv)
            return FICD_ENOMEM;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = x;
    return 0;
}

static void drop(uint32_t *v, uint32_t *n, uint32_t x)
{
    for (uint32_t i = 0; i < *n; i++)
        if (v[i] == x) {
            v[i] = v[--*n];
            return;
        }
}

enum { UNSEEN = 0, ON_PATH, DONE };

/* Builds the tree of canonical t (depth first; a sub tag found on the current path closes a
 * cycle and its edge is dropped). */
static int tree_build(struct idx *idx, struct meta_node *node, uint8_t *state, uint32_t t)
{
    struct meta_node *n = &node[t];
    state[t] = ON_PATH;
    int rc = 0;
    for (uint32_t i = 0; !rc && i < n->nsubs; i++) {
        uint32_t u = n->subs[i];
        if (state[u] == ON_PATH) {
            drop(node[u].metas, &node[u].nmetas, t);
            n->subs[i--] = n->subs[--n->nsubs];
        } else if (state[u] == UNSEEN && node[u].nsubs) {
            rc = tree_build(idx, node, state, u);
        }
    }
    if (!rc && n->nsubs) {
        struct idx_docset b;
        idx_tag_docs(idx, t, &b);
        n->tree = b.bm ? roaring_bitmap_copy(b.bm) : roaring_bitmap_of_ptr(b.n, b.v);
        if (!n->tree)
            rc = FICD_ENOMEM;
        for (uint32_t i = 0; !rc && i < n->nsubs; i++) {
            const struct meta_node *s = &node[n->subs[i]];
            if (s->tree) {
                roaring_bitmap_or_inplace(n->tree, s->tree);
                continue;
            }
            idx_tag_docs(idx, n->subs[i], &b);
            if (b.bm)
                roaring_bitmap_or_inplace(n->tree, b.bm);
            else
                roaring_bitmap_add_many(n->tree, b.n, b.v);
        }
    }
    state[t] = DONE;
    return rc;
}

/* Resolves the edges to canonical tag numbers and rebuilds every tree. */
static int rebuild(struct idx *idx)
{
    struct idx_meta *m = idx->meta;
    nodes_free(m);
    m->dirty = 0;
    if (!m->nedges || !idx->ntags)
        return 0;
    m->node = calloc(idx->ntags, sizeof(*m->node));
    uint8_t *state = calloc(idx->ntags, 1);
    int rc = m->node && state ? 0 : FICD_ENOMEM;
    if (m->node)
        m->nnode = idx->ntags;
    for (size_t i = 0; !rc && i < m->nedges; i++) {
        uint32_t sub, meta;
        if (!idx_tag_by_sid(idx, m->edges[i].from, &sub) ||
            !idx_tag_by_sid(idx, m->edges[i].to, &meta))
            continue; /* named tags not known yet: resolved when they are */
        sub = idx->canon_of[sub];
        meta = idx->canon_of[meta];
        if (sub == meta || idx->type_of[sub] != idx->type_of[meta])
            continue;
        struct meta_node *s = &m->node[sub], *t = &m->node[meta];
        rc = push(&t->subs, &t->nsubs, &t->subs_cap, sub);
        if (!rc)
            rc = push(&s->metas, &s->nmetas, &s->metas_cap, meta);
    }
    for (uint32_t t = 0; !rc && t < m->nnode; t++)
        if (state[t] == UNSEEN && m->node[t].nsubs)
            rc = tree_build(idx, m->node, state, t);
    free(state);
    if (rc) {
        nodes_free(m);
        m->dirty = 1; /* try again on the next change */
    }
    return rc;
}

int idx_meta_flush(struct idx *idx)
{
    if (!idx->meta || !idx->meta->dirty || idx->meta->defer)
        return 0;
    return rebuild(idx);
}

void idx_meta_canon_changed(struct idx *idx)
{
    struct idx_meta *m = idx->meta;
    if (m && m->nedges)
        m->dirty = 1;
}

void idx_meta_tag_registered(struct idx *idx, int64_t sid)
{
    struct idx_meta *m = idx->meta;
    uint32_t v;
    if (m && m->nedges && imap_get(&m->sids, sid, &v))
        m->dirty = 1;
}

void idx_meta_defer(struct idx *idx, int on)
{
    struct idx_meta *m = meta_get(idx);
    if (m)
        m->defer += on ? 1 : -1;
}

/* d was added to (add = 1) or dropped from the docs of canonical c: the same for the trees
 * of c and its ancestors. A tree holding d means every ancestor's holds it too (and, for
 * removal, a tree without d has had its ancestors visited already), so the walk stops there. */
static void tree_walk(struct meta_node *node, uint32_t c, uint32_t d, int add)
{
    struct meta_node *n = &node[c];
    if (n->tree) {
        if (roaring_bitmap_contains(n->tree, d) == (add != 0))
            return;
        if (add)
            roaring_bitmap_add(n->tree, d);
        else
            roaring_bitmap_remove(n->tree, d);
    }
    for (uint32_t i = 0; i < n->nmetas; i++)
        tree_walk(node, n->metas[i], d, add);
}

void idx_meta_doc(struct idx *idx, uint32_t c, uint32_t d, int add)
{
    struct idx_meta *m = idx->meta;
    if (m && c < m->nnode)
        tree_walk(m->node, c, d, add);
}

void idx_tag_query_docs(const struct idx *idx, uint32_t t, struct idx_docset *out)
{
    const struct idx_meta *m = idx->meta;
    uint32_t c = idx->canon_of[t];
    if (m && c < m->nnode && m->node[c].tree)
        *out = (struct idx_docset){.bm = m->node[c].tree};
    else
        idx_tag_docs(idx, t, out);
}

static int cmp_edge(const void *a, const void *b)
{
    const struct tag_rel *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

int idx_set_tag_relations(struct idx *idx, const struct tag_rel *rels, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += rels[i].kind == TAG_REL_META && rels[i].from > 0 && rels[i].to > 0;
    struct tag_rel *edges = malloc((k ? k : 1) * sizeof(*edges));
    if (!edges)
        return FICD_ENOMEM;
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (rels[i].kind == TAG_REL_META && rels[i].from > 0 && rels[i].to > 0)
            edges[k++] = rels[i];
    qsort(edges, k, sizeof(*edges), cmp_edge);
    pthread_rwlock_wrlock(&idx->lock);
    struct idx_meta *m = meta_get(idx);
    int rc = m ? 0 : FICD_ENOMEM;
    if (!rc && (k != m->nedges || (k && memcmp(edges, m->edges, k * sizeof(*edges))))) {
        struct imap sids = {0};
        for (size_t i = 0; !rc && i < k; i++)
            if (imap_put(&sids, edges[i].from, 1) || imap_put(&sids, edges[i].to, 1))
                rc = FICD_ENOMEM;
        if (!rc) {
            free(m->edges);
            imap_free(&m->sids);
            m->edges = edges;
            m->nedges = k;
            m->sids = sids;
            edges = NULL;
            m->dirty = 1;
        } else {
            imap_free(&sids);
        }
    }
    if (!rc)
        rc = idx_meta_flush(idx);
    pthread_rwlock_unlock(&idx->lock);
    free(edges);
    return rc;
}

struct rel_list {
    struct tag_rel *v;
    size_t n, cap;
    int oom;
};

static int collect_rel(const struct tag_rel *r, void *ctx)
{
    struct rel_list *l = ctx;
    if (r->kind != TAG_REL_META)
        return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        struct tag_rel *nv = realloc(l->v, nc * sizeof(*nv));
        if (!nv) {
            l->oom = 1;
            return 1;
        }
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = *r;
    return 0;
}

int idx_load_tag_relations(struct idx *idx, struct store *s)
{
    struct rel_list l = {0};
    int rc = store_tag_relations(s, collect_rel, &l);
    if (!rc && l.oom)
        rc = FICD_ENOMEM;
    if (!rc)
        rc = idx_set_tag_relations(idx, l.v, l.n);
    free(l.v);
    return rc;
}
