/* snapshot.c: the index on local disk, for fast restarts. idx_snapshot_save writes the whole
 * index (docs, pools, tags and their docs, filter bitmaps in CRoaring's portable format, sort
 * orders, creators, full-text postings) to a file, stamped with the change-log position it
 * reflects, the change at that position, the store's schema version and archive id, and a
 * checksum; idx_snapshot_load reads it back into an empty index after checking all of that
 * against the store, then applies the change log after its position. Anything that does not
 * match (another archive, a restored backup, another schema or format, a truncated or
 * corrupted file) is refused with a reason, and the caller builds from the store instead.
 *
 * Loading reads the file twice: once to check the checksum (64 KB at a time), once into the
 * index's own arrays (each allocated at its final size and read into directly), so that
 * memory peaks at the index plus one buffer and the largest single bitmap. Caches (facet
 * counts, readers' exclusions, stemmers) are not saved; the popularity lists and the meta/sub
 * tag trees are rebuilt (the latter from the store's relations). */
#include "index/snapshot_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- checksum: four 64-bit lanes over 8-byte little-endian words, the tail byte-wise ---- */

void snap_csum_init(struct csum *c)
{
    c->lane[0] = 0x9e3779b97f4a7c15ull;
    c->lane[1] = 0xc2b2ae3d27d4eb4full;
    c->lane[2] = 0x165667b19e3779f9ull;
    c->lane[3] = 0x27d4eb2f165667c5ull;
    c->total = 0;
}

static inline uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v * 0xff51afd7ed558ccdull;
    h = (h << 31) | (h >> 33);
    return h * 0xc4ceb9fe1a85ec53ull;
}

/* Adds n bytes; every call but the last must pass a multiple of 32 bytes. */
void snap_csum_add(struct csum *c, const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; k++) {
            uint64_t v;
            memcpy(&v, p + i + (size_t)k * 8, 8);
            c->lane[k] = mix(c->lane[k], v);
        }
    for (; i < n; i++)
        c->lane[i & 3] = mix(c->lane[i & 3], p[i] + 0x100ull);
    c->total += n;
}

uint64_t snap_csum_final(const struct csum *c)
{
    uint64_t h = c->total;
    for (int k = 0; k < 4; k++)
        h = mix(h, c->lane[k]);
    return h ^ (h >> 29);
}

/* ---- writing ---- */

struct wr {
    int fd;
    uint8_t *buf;
    size_t n;
    struct csum cs;
    int err;
};

static void wr_flush(struct wr *w)
{
    if (!w->n || w->err)
        return;
    snap_csum_add(&w->cs, w->buf, w->n);
    size_t off = 0;
    while (off < w->n) {
        ssize_t k = write(w->fd, w->buf + off, w->n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            w->err = FICD_EIO;
            return;
        }
        off += (size_t)k;
    }
    w->n = 0;
}

static void w_bytes(struct wr *w, const void *p, uint64_t n)
{
    const uint8_t *s = p;
    while (n && !w->err) {
        size_t k = SNAP_CHUNK - w->n;
        if (k > n)
            k = (size_t)n;
        memcpy(w->buf + w->n, s, k);
        w->n += k;
        s += k;
        n -= k;
        if (w->n == SNAP_CHUNK)
            wr_flush(w);
    }
}

static void w_u64(struct wr *w, uint64_t v)
{
    w_bytes(w, &v, 8);
}

static void w_u32(struct wr *w, uint32_t v)
{
    w_bytes(w, &v, 4);
}

static void w_f64(struct wr *w, double v)
{
    w_bytes(w, &v, 8);
}

/* A string with its length (NULL as length UINT32_MAX). */
static void w_str(struct wr *w, const char *s)
{
    if (!s) {
        w_u32(w, UINT32_MAX);
        return;
    }
    size_t n = strlen(s);
    w_u32(w, (uint32_t)n);
    w_bytes(w, s, n);
}

/* An array of n elements of sz bytes. */
static void w_arr(struct wr *w, const void *p, uint64_t n, size_t sz)
{
    w_u64(w, n);
    if (n)
        w_bytes(w, p, n * sz);
}

/* A bitmap in CRoaring's portable format (NULL as size 0). */
static void w_bm(struct wr *w, const roaring_bitmap_t *b)
{
    if (!b) {
        w_u64(w, 0);
        return;
    }
    size_t n = roaring_bitmap_portable_size_in_bytes(b);
    char *tmp = malloc(n);
    if (!tmp) {
        w->err = FICD_ENOMEM;
        return;
    }
    size_t k = roaring_bitmap_portable_serialize(b, tmp);
    w_u64(w, k);
    w_bytes(w, tmp, k);
    free(tmp);
}

static void w_smap(struct wr *w, const struct smap *m)
{
    w_u64(w, m->cap);
    w_u64(w, m->n);
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            w_u64(w, i);
            w_str(w, m->keys[i]);
            w_u32(w, m->vals[i]);
        }
}

static void w_imap(struct wr *w, const struct imap *m)
{
    w_u64(w, m->n);
    w_arr(w, m->keys, m->cap, sizeof(*m->keys));
    w_arr(w, m->vals, m->cap, sizeof(*m->vals));
}

static void w_vmap(struct wr *w, const struct vmap *m)
{
    w_u64(w, m->n);
    w_arr(w, m->slot, m->cap, sizeof(*m->slot));
}

static void w_kmap(struct wr *w, const struct kmap *m)
{
    w_u64(w, m->n);
    w_arr(w, m->slot, m->cap, sizeof(*m->slot));
}

/* ---- the stamp ---- */

struct first_change {
    int64_t seq, id;
    uint32_t kind;
    int found;
};

static int first_change_cb(int64_t seq, enum change_kind kind, int64_t id, void *ctx)
{
    struct first_change *f = ctx;
    f->seq = seq;
    f->kind = (uint32_t)kind;
    f->id = id;
    f->found = 1;
    return 1; /* stop */
}

/* The change logged at seq: its kind and object (0 when seq is 0 or no such row). */
int snap_change_at(struct store *s, int64_t seq, uint32_t *kind, int64_t *id)
{
    *kind = 0;
    *id = 0;
    if (seq <= 0)
        return 0;
    struct first_change f = {0};
    int rc = store_changes_since(s, seq - 1, first_change_cb, &f);
    if (rc && !f.found)
        return rc;
    if (f.found && f.seq == seq) {
        *kind = f.kind;
        *id = f.id;
    }
    return 0;
}

static int random_hex(char out[65])
{
    uint8_t r[16];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
        return FICD_EIO;
    for (int i = 0; i < 16; i++)
        snprintf(out + i * 2, 3, "%02x", r[i]);
    return 0;
}

/* The setting that holds the nonce of the snapshot at path on this host: one per node, so
 * that nodes sharing a store do not invalidate each other's snapshots. */
void snap_nonce_key(const char *path, char *out, size_t outsz)
{
    char host[256] = "", abs[4096];
    gethostname(host, sizeof(host) - 1);
    const char *p = realpath(path, abs) ? abs : path;
    uint64_t h = 1469598103934665603ull;
    for (const char *q = host; *q; q++)
        h = (h ^ (unsigned char)*q) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *q = p; *q; q++)
        h = (h ^ (unsigned char)*q) * 1099511628211ull;
    snprintf(out, outsz, "index_snapshot_%016llx", (unsigned long long)h);
}

int idx_archive_id(struct store *s, char out[65])
{
    char *v = NULL;
    int rc = store_setting_get(s, SNAP_SETTING, &v);
    if (rc)
        return rc;
    if (v && strlen(v) == 32) {
        memcpy(out, v, 33);
        free(v);
        return 0;
    }
    free(v);
    rc = random_hex(out);
    return rc ? rc : store_setting_set(s, SNAP_SETTING, out);
}

static void w_stamp(struct wr *w, const struct stamp *st)
{
    w_bytes(w, SNAP_MAGIC, 8);
    w_u32(w, SNAP_FORMAT);
    w_bytes(w, st->archive, 32);
    w_bytes(w, st->nonce, 32);
    w_u64(w, (uint64_t)st->schema);
    w_u64(w, (uint64_t)st->seq);
    w_u32(w, st->kind);
    w_u64(w, (uint64_t)st->id);
}

/* ---- the index's parts ---- */

static void w_tag(struct wr *w, const struct idx_tag *t)
{
    w_u64(w, (uint64_t)t->store_id);
    w_u64(w, (uint64_t)t->synonym_of_sid);
    w_u32(w, t->name);
    w_u32(w, t->n);
    if (t->n == IDX_TAG_BIG)
        w_bm(w, t->d.bm);
    else if (t->cap)
        w_arr(w, t->d.list, t->n, 4);
    else if (t->n == 1)
        w_arr(w, &t->d.one, 1, 4);
    else
        w_arr(w, NULL, 0, 4);
    w_u32(w, t->syn != NULL);
    if (t->syn) {
        w_arr(w, t->syn->v, t->syn->n, 4);
        w_bm(w, t->syn->expanded);
    }
}

static void w_index(struct wr *w, const struct idx *idx)
{
    w_u32(w, (uint32_t)idx->fulltext);
    w_u32(w, (uint32_t)sizeof(struct idx_doc));
    w_u32(w, (uint32_t)sizeof(struct idx_dfts));
    w_u32(w, (uint32_t)sizeof(struct fts_skip));
    w_arr(w, idx->docs, idx->ndocs, sizeof(*idx->docs));
    if (idx->fulltext)
        w_arr(w, idx->dfts, idx->ndocs, sizeof(*idx->dfts));
    w_vmap(w, &idx->id2doc);
    w_imap(w, &idx->bigkeys);
    w_arr(w, idx->bigv, idx->nbigv, sizeof(*idx->bigv));
    w_arr(w, idx->tagpool, idx->tagpool_len, 1);
    w_u64(w, idx->tagpool_dead);
    w_arr(w, idx->strs, idx->strs_len, 1);
    w_u64(w, idx->strs_dead);

    w_u64(w, idx->ntags);
    for (uint32_t i = 0; i < idx->ntags; i++)
        w_tag(w, &idx->tags[i]);
    w_arr(w, idx->canon_of, idx->ntags, 4);
    w_arr(w, idx->type_of, idx->ntags, 1);
    w_arr(w, idx->names, idx->names_len, 1);
    w_kmap(w, &idx->tag_by_key);
    w_vmap(w, &idx->tag_by_sid);
    w_imap(w, &idx->sid_extra);

    w_bm(w, idx->live);
    w_bm(w, idx->restricted);
    w_bm(w, idx->complete);
    w_bm(w, idx->crossover);
    w_u64(w, idx->fixed_words);
    for (int i = 0; i < IDX_FIXED_N; i++)
        w_bytes(w, idx->fixed_bits[i], (uint64_t)idx->fixed_words * 8);
    for (int i = 0; i < RATING__COUNT; i++)
        w_bm(w, idx->rating[i]);
    for (int i = 0; i < WARN__COUNT; i++)
        w_bm(w, idx->warning[i]);
    for (int i = 0; i < CAT__COUNT; i++)
        w_bm(w, idx->category[i]);
    w_u32(w, idx->nlangs);
    for (uint32_t i = 0; i < idx->nlangs; i++) {
        w_str(w, idx->lang_names[i]);
        w_bm(w, idx->lang[i]);
    }

    w_u32(w, idx->order_w);
    w_u32(w, idx->order_n);
    w_u64(w, idx->order_len);
    w_u32(w, (uint32_t)idx->orders_valid);
    for (int s = 0; s < IDX_SORT__COUNT; s++)
        w_arr(w, idx->order[s], idx->order[s] ? idx->order_len * idx->order_w : 0, 1);
    w_u64(w, idx->tag_gen);

    w_smap(w, &idx->creator_by_name);
    w_u32(w, idx->ncreators);
    for (uint32_t i = 0; i < idx->ncreators; i++) {
        const struct idx_creator *c = &idx->creators[i];
        w_bm(w, c->bm);
        w_arr(w, c->v, c->bm ? 0 : c->n, 4);
    }

    if (idx->fulltext) {
        w_u32(w, idx->nterms);
        for (uint32_t i = 0; i < idx->nterms; i++) {
            const struct idx_term *t = &idx->terms[i];
            w_str(w, t->s);
            w_bm(w, t->docs);
            w_arr(w, t->post, t->plen, 1);
            w_arr(w, t->pos, t->poslen, 1);
            w_u32(w, t->last_doc);
            w_u32(w, t->df);
            w_arr(w, t->skip, t->nskip, sizeof(*t->skip));
        }
        w_smap(w, &idx->term_by_s);
        w_f64(w, idx->total_len);
        w_u64(w, idx->fts_docs);
        w_u64(w, idx->fts_dead);
        w_f64(w, idx->fts_dead_len);
        w_u64(w, idx->fts_compactions);
    }
    w_bytes(w, "END\n", 4);
}

int idx_snapshot_save(struct idx *idx, struct store *s, const char *path)
{
    if (idx->fts_pending)
        return FICD_EBUSY; /* full text is not there yet: nothing worth saving */
    struct stamp st;
    memset(&st, 0, sizeof(st));
    int rc = idx_archive_id(s, st.archive);
    if (rc)
        return rc;
    st.schema = store_schema_version(s);
    char tmp[4096], key[64];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return FICD_EINVAL;
    /* A fresh nonce, in the store first: a store restored from a backup taken before this
     * point lacks it and refuses the file (one taken after holds every change the file
     * reflects, so the file stays good for it). A crash before the rename leaves the previous
     * file, which the new nonce then refuses: a full build, never a wrong index. */
    snap_nonce_key(path, key, sizeof(key));
    if ((rc = random_hex(st.nonce)) || (rc = store_setting_set(s, key, st.nonce)))
        return rc;
    struct wr w = {.fd = -1};
    w.buf = malloc(SNAP_CHUNK);
    if (!w.buf)
        return FICD_ENOMEM;
    snap_csum_init(&w.cs);
    w.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (w.fd < 0) {
        free(w.buf);
        return FICD_EIO;
    }
    /* The read lock: searches go on, changes wait until the index is written. */
    pthread_rwlock_rdlock(&idx->lock);
    st.seq = idx->last_seq;
    rc = snap_change_at(s, st.seq, &st.kind, &st.id);
    if (!rc) {
        w_stamp(&w, &st);
        w_index(&w, idx);
    }
    pthread_rwlock_unlock(&idx->lock);
    wr_flush(&w);
    if (!rc)
        rc = w.err;
    if (!rc) {
        uint64_t h = snap_csum_final(&w.cs);
        if (write(w.fd, &h, 8) != 8)
            rc = FICD_EIO;
    }
    if (!rc && fsync(w.fd))
        rc = FICD_EIO;
    if (close(w.fd) && !rc)
        rc = FICD_EIO;
    free(w.buf);
    if (!rc && rename(tmp, path))
        rc = FICD_EIO;
    if (rc)
        unlink(tmp);
    return rc;
}
