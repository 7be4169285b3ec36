/* sync.c: the index from the store: the full build (tags, then works, then the orders) and
 * following the store's change log (idx_apply_changes, idx_poll). Split from index.c. */
#include "index/index_int.h"
#include "core/progress.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

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

/* The full build; bodies = 0 reads the works without their chapters (deferred full text). */
int idx_build_from(struct idx *idx, struct store *s, int progress, int bodies)
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
    rc = store_work_foreach(s, bodies, build_work, &bc);
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

int idx_build(struct idx *idx, struct store *s, int progress)
{
    return idx_build_from(idx, s, progress, idx->fulltext);
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

static int is_work_change(enum change_kind k)
{
    return k == CHANGE_WORK || k == CHANGE_WORK_DELETED;
}

int idx_apply_changes(struct idx *idx, struct store *s)
{
    pthread_mutex_lock(&idx->apply_mu);
    struct change_list l = {0};
    int rc = store_changes_since(s, idx->last_seq, collect_change, &l);
    if (!rc && l.n && !l.v)
        rc = FICD_ENOMEM;
    /* Only the last change of each work matters: mark earlier ones as done. (Tag changes
     * are each applied; CHANGE_SITE and kinds this index does not know are passed over.) */
    struct imap last = {0};
    for (size_t i = 0; !rc && i < l.n; i++)
        if (is_work_change(l.v[i].kind) && imap_put(&last, l.v[i].id, (uint32_t)i))
            rc = FICD_ENOMEM;
    int applied = 0, tags_changed = 0;
    /* Meta/sub trees are rebuilt once, after every tag change and the store's relations. */
    pthread_rwlock_wrlock(&idx->lock);
    idx_meta_defer(idx, 1);
    pthread_rwlock_unlock(&idx->lock);
    for (size_t i = 0; !rc && i < l.n; i++) {
        uint32_t li;
        if (is_work_change(l.v[i].kind) && imap_get(&last, l.v[i].id, &li) && li != i)
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
