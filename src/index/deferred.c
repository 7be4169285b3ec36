/* deferred.c: full text built after the rest of the index, so that a server answers
 * listings and filters while the works' bodies are still being read and tokenized: the
 * build proper skips full text (idx_build_deferred), then idx_build_fulltext, in a background
 * thread, reads every work again with its bodies and indexes the docs the build made, in the
 * store's order (which is their doc order), then the docs that changes added meanwhile, in doc
 * order, each under the write lock for just that work. Postings only ever grow at their ends,
 * so a doc is never indexed after a higher one. Text queries answer FICD_EBUSY until the last
 * doc is in; from then on new docs are indexed as they are added. */
#include "index/index_int.h"
#include "core/progress.h"
#include "store/store.h"

#include <stdatomic.h>
#include <string.h>

int idx_build_deferred(struct idx *idx, struct store *s, int progress)
{
    if (!idx->fulltext)
        return idx_build(idx, s, progress);
    pthread_rwlock_wrlock(&idx->lock);
    atomic_store(&idx->fts_pending, 1);
    pthread_rwlock_unlock(&idx->lock);
    int rc = idx_build_from(idx, s, progress, 0);
    pthread_rwlock_wrlock(&idx->lock);
    idx->fts_bound = idx->ndocs;
    idx->fts_next = 0;
    idx->fts_total = roaring_bitmap_get_cardinality(idx->live);
    atomic_store(&idx->fts_done, 0);
    idx->fts_start_ms = progress_now_ms();
    pthread_rwlock_unlock(&idx->lock);
    return rc;
}

/* Indexes doc d with w (the work it numbers): caller holds the write lock. */
static int index_one(struct idx *idx, uint32_t d, const struct work *w)
{
    idx->docs[d].flags |= IDX_DOC_FTS;
    idx->fts_next = d + 1;
    atomic_fetch_add(&idx->fts_done, 1);
    return fts_index_doc(idx, d, w);
}

static int bulk_work(const struct work *w, void *ctx)
{
    struct idx *idx = ((void **)ctx)[0];
    int *rc = ((void **)ctx)[1];
    if (atomic_load(&idx->fts_cancel)) {
        *rc = FICD_EBUSY;
        return 1;
    }
    if (w->draft || w->hidden)
        return 0;
    pthread_rwlock_wrlock(&idx->lock);
    uint32_t d;
    if (vmap_get(&idx->id2doc, w->id, &d, doc_id_of, idx) && d >= idx->fts_next &&
        d < idx->fts_bound && idx->docs[d].live)
        *rc = index_one(idx, d, w);
    pthread_rwlock_unlock(&idx->lock);
    return *rc ? 1 : 0;
}

int idx_build_fulltext(struct idx *idx, struct store *s)
{
    if (!atomic_load(&idx->fts_pending))
        return 0;
    int brc = 0;
    void *ctx[2] = {idx, &brc};
    int rc = store_work_foreach(s, 1, bulk_work, ctx);
    if (brc || rc)
        return brc ? brc : rc;
    /* The docs added since the build (edits, new works), then nothing left: ready. */
    for (;;) {
        if (atomic_load(&idx->fts_cancel))
            return FICD_EBUSY;
        pthread_rwlock_wrlock(&idx->lock);
        uint32_t d = idx->fts_next;
        while (d < idx->ndocs && (!idx->docs[d].live || idx->docs[d].flags & IDX_DOC_FTS))
            d++;
        if (d == idx->ndocs) {
            idx->fts_next = d;
            atomic_store(&idx->fts_pending, 0);
            pthread_rwlock_unlock(&idx->lock);
            return 0;
        }
        int64_t id = idx_doc_id(&idx->docs[d]);
        pthread_rwlock_unlock(&idx->lock);
        struct work w;
        rc = store_work_get(s, id, 1, &w);
        if (rc && rc != FICD_ENOTFOUND)
            return rc;
        pthread_rwlock_wrlock(&idx->lock);
        if (!rc && d >= idx->fts_next && idx->docs[d].live && idx_doc_id(&idx->docs[d]) == id)
            rc = index_one(idx, d, &w);
        else if (idx->fts_next <= d) /* gone from the store: its removal is on its way */
            idx->fts_next = d + 1;
        pthread_rwlock_unlock(&idx->lock);
        if (rc != FICD_ENOTFOUND)
            work_free(&w);
        if (rc && rc != FICD_ENOTFOUND)
            return rc;
    }
}

void idx_fulltext_cancel(struct idx *idx)
{
    atomic_store(&idx->fts_cancel, 1);
}

int idx_fulltext_wait(struct idx *idx)
{
    if (!atomic_load(&idx->fts_pending))
        return 0;
    uint64_t done = atomic_load(&idx->fts_done), total = idx->fts_total;
    int64_t ms = progress_now_ms() - idx->fts_start_ms;
    if (done < 100 || ms < 500)
        return 30;
    double left = (double)(total > done ? total - done : 0) * (double)ms / (double)done / 1e3;
    return left < 1 ? 1 : left > 3600 ? 3600 : (int)left + 1;
}
