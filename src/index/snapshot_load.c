/* snapshot_load.c: reading an index snapshot back (split from snapshot.c, which writes it):
 * the checksum pass over the whole file, the stamp checked against the store, then every part
 * read straight into the index's own arrays; anything that does not match is refused with a
 * reason (see snapshot.c's top comment). */
#include "index/snapshot_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading ---- */

struct rd {
    FILE *f;
    uint64_t left; /* bytes before the checksum */
    int bad;       /* the file does not hold what it should */
    int oom;
};

static void r_bytes(struct rd *r, void *p, uint64_t n)
{
    if (r->bad || r->oom)
        return;
    if (n > r->left || (n && fread(p, 1, (size_t)n, r->f) != n)) {
        r->bad = 1;
        if (p && n)
            memset(p, 0, (size_t)n);
        return;
    }
    r->left -= n;
}

static uint64_t r_u64(struct rd *r)
{
    uint64_t v = 0;
    r_bytes(r, &v, 8);
    return r->bad ? 0 : v;
}

static uint32_t r_u32(struct rd *r)
{
    uint32_t v = 0;
    r_bytes(r, &v, 4);
    return r->bad ? 0 : v;
}

static double r_f64(struct rd *r)
{
    double v = 0;
    r_bytes(r, &v, 8);
    return r->bad ? 0 : v;
}

/* A count that must not exceed max (elements of sz bytes must fit the rest of the file). */
static uint64_t r_count(struct rd *r, uint64_t max, size_t sz)
{
    uint64_t n = r_u64(r);
    if (n > max || (sz && n > r->left / sz))
        r->bad = 1;
    return r->bad ? 0 : n;
}

/* An array written by w_arr into a new allocation of at least min(1) element (NULL when the
 * count is 0 and alloc_empty is 0); *n is its count. */
static void *r_arr(struct rd *r, uint64_t *n, uint64_t max, size_t sz, int alloc_empty)
{
    *n = r_count(r, max, sz);
    if (r->bad || (!*n && !alloc_empty))
        return NULL;
    void *p = malloc((*n ? *n : 1) * sz);
    if (!p) {
        r->oom = 1;
        return NULL;
    }
    r_bytes(r, p, *n * sz);
    return p;
}

static char *r_str(struct rd *r)
{
    uint32_t n = r_u32(r);
    if (n == UINT32_MAX || r->bad)
        return NULL;
    if (n > r->left) {
        r->bad = 1;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        r->oom = 1;
        return NULL;
    }
    r_bytes(r, s, n);
    s[n] = 0;
    return s;
}

static roaring_bitmap_t *r_bm(struct rd *r)
{
    uint64_t n = r_count(r, UINT32_MAX, 1);
    if (!n || r->bad)
        return NULL;
    char *tmp = malloc((size_t)n);
    if (!tmp) {
        r->oom = 1;
        return NULL;
    }
    r_bytes(r, tmp, n);
    roaring_bitmap_t *b = r->bad ? NULL : roaring_bitmap_portable_deserialize_safe(tmp, (size_t)n);
    free(tmp);
    if (!b && !r->bad)
        r->bad = 1;
    return b;
}

/* A bitmap that must be there (an empty one when the file is bad, so the index stays whole). */
static roaring_bitmap_t *r_bm_req(struct rd *r, roaring_bitmap_t *old)
{
    roaring_bitmap_t *b = r_bm(r);
    if (!b) {
        if (!r->oom)
            r->bad = 1;
        return old;
    }
    idx_bm_free(old);
    return b;
}

static void r_smap(struct rd *r, struct smap *m)
{
    uint64_t cap = r_u64(r), n = r_u64(r);
    if (r->bad || cap & (cap - 1) || n >= cap || cap > ((uint64_t)1 << 34) || n > r->left / 16) {
        if (cap || n)
            r->bad = 1;
        return;
    }
    m->keys = calloc(cap, sizeof(*m->keys));
    m->vals = calloc(cap, sizeof(*m->vals));
    if (!m->keys || !m->vals) {
        free(m->keys);
        free(m->vals);
        m->keys = NULL;
        m->vals = NULL;
        r->oom = 1;
        return;
    }
    m->cap = cap;
    for (uint64_t k = 0; k < n && !r->bad && !r->oom; k++) {
        uint64_t i = r_u64(r);
        char *key = r_str(r);
        uint32_t v = r_u32(r);
        if (!key || i >= cap || m->keys[i]) {
            free(key);
            r->bad = r->bad || !r->oom;
            return;
        }
        m->keys[i] = key;
        m->vals[i] = v;
        m->n++;
    }
}

static void r_imap(struct rd *r, struct imap *m)
{
    uint64_t n = r_u64(r), cap, cap2;
    m->keys = r_arr(r, &cap, (uint64_t)1 << 34, sizeof(*m->keys), 0);
    m->vals = r_arr(r, &cap2, (uint64_t)1 << 34, sizeof(*m->vals), 0);
    if (cap != cap2 || (cap & (cap - 1)) || n >= (cap ? cap : 1))
        r->bad = 1;
    m->cap = cap;
    m->n = n;
}

static void r_vmap(struct rd *r, struct vmap *m)
{
    uint64_t n = r_u64(r), cap;
    m->slot = r_arr(r, &cap, (uint64_t)1 << 34, sizeof(*m->slot), 0);
    if (n > cap)
        r->bad = 1;
    m->cap = cap;
    m->n = n;
}

static void r_kmap(struct rd *r, struct kmap *m)
{
    uint64_t n = r_u64(r), cap;
    m->slot = r_arr(r, &cap, (uint64_t)1 << 34, sizeof(*m->slot), 0);
    if (n > cap)
        r->bad = 1;
    m->cap = cap;
    m->n = n;
}

static void r_tag(struct rd *r, struct idx_tag *t)
{
    memset(t, 0, sizeof(*t));
    t->store_id = (int64_t)r_u64(r);
    t->synonym_of_sid = (int64_t)r_u64(r);
    t->name = r_u32(r);
    uint32_t n = r_u32(r);
    if (n == IDX_TAG_BIG) {
        t->d.bm = r_bm(r);
        if (t->d.bm)
            t->n = IDX_TAG_BIG;
        else if (!r->oom)
            r->bad = 1;
    } else {
        uint64_t k;
        uint32_t *v = r_arr(r, &k, IDX_TAG_LIST_MAX, 4, 0);
        if (k != n)
            r->bad = 1;
        if (v && k == 1) {
            t->d.one = v[0];
            t->n = 1;
            free(v);
        } else if (v && k > 1 && k == n) {
            t->d.list = v;
            t->n = t->cap = (uint16_t)k;
        } else {
            free(v);
        }
    }
    if (r_u32(r)) {
        struct idx_syn *sy = calloc(1, sizeof(*sy));
        if (!sy) {
            r->oom = 1;
            return;
        }
        uint64_t k;
        sy->v = r_arr(r, &k, UINT32_MAX, 4, 0);
        sy->n = sy->cap = (uint32_t)k;
        sy->expanded = r_bm(r);
        t->syn = sy;
    }
}

/* Reads the index's parts into idx (as idx_new made it). */
static void r_index(struct rd *r, struct idx *idx)
{
    uint64_t n;
    if (r_u32(r) != (uint32_t)idx->fulltext || r_u32(r) != sizeof(struct idx_doc) ||
        r_u32(r) != sizeof(struct idx_dfts) || r_u32(r) != sizeof(struct fts_skip)) {
        r->bad = 1;
        return;
    }
    idx->docs = r_arr(r, &n, UINT32_MAX - 2, sizeof(*idx->docs), 0);
    idx->ndocs = idx->docs_cap = (uint32_t)n;
    if (idx->fulltext) {
        uint64_t m;
        idx->dfts = r_arr(r, &m, UINT32_MAX - 2, sizeof(*idx->dfts), 0);
        if (m != n)
            r->bad = 1;
    }
    r_vmap(r, &idx->id2doc);
    r_imap(r, &idx->bigkeys);
    idx->bigv = r_arr(r, &n, UINT32_MAX, sizeof(*idx->bigv), 0);
    idx->nbigv = idx->bigv_cap = (uint32_t)n;
    idx->tagpool = r_arr(r, &idx->tagpool_len, UINT32_MAX, 1, 1);
    idx->tagpool_cap = idx->tagpool_len ? idx->tagpool_len : 1;
    idx->tagpool_dead = r_u64(r);
    free(idx->strs);
    idx->strs = r_arr(r, &idx->strs_len, UINT32_MAX, 1, 1);
    idx->strs_cap = idx->strs_len ? idx->strs_len : 1;
    idx->strs_dead = r_u64(r);
    if (idx->strs_len < 3)
        r->bad = 1;

    uint64_t nt = r_count(r, UINT32_MAX - 1, 16);
    if (r->bad)
        return;
    idx->tags = calloc(nt ? nt : 1, sizeof(*idx->tags));
    if (!idx->tags) {
        r->oom = 1;
        return;
    }
    idx->tags_cap = (uint32_t)(nt ? nt : 1);
    for (uint64_t i = 0; i < nt && !r->bad && !r->oom; i++) {
        r_tag(r, &idx->tags[i]);
        idx->ntags = (uint32_t)i + 1; /* owned by the index from here (freed with it) */
    }
    idx->canon_of = r_arr(r, &n, UINT32_MAX, 4, 1);
    if (n != nt)
        r->bad = 1;
    idx->type_of = r_arr(r, &n, UINT32_MAX, 1, 1);
    if (n != nt)
        r->bad = 1;
    idx->names = r_arr(r, &idx->names_len, UINT32_MAX, 1, 1);
    idx->names_cap = idx->names_len ? idx->names_len : 1;
    r_kmap(r, &idx->tag_by_key);
    r_vmap(r, &idx->tag_by_sid);
    r_imap(r, &idx->sid_extra);

    idx->live = r_bm_req(r, idx->live);
    idx->restricted = r_bm_req(r, idx->restricted);
    idx->complete = r_bm_req(r, idx->complete);
    idx->crossover = r_bm_req(r, idx->crossover);
    uint64_t fw = r_count(r, UINT32_MAX / 64 + 1, 8 * IDX_FIXED_N);
    for (int i = 0; i < IDX_FIXED_N && fw && !r->bad && !r->oom; i++) {
        if (!(idx->fixed_bits[i] = malloc(fw * 8))) {
            r->oom = 1;
            break;
        }
        idx->fixed_words = (uint32_t)fw; /* set once the first is there; see below */
        r_bytes(r, idx->fixed_bits[i], fw * 8);
    }
    for (int i = 0; i < IDX_FIXED_N; i++)
        if (!idx->fixed_bits[i])
            idx->fixed_words = 0; /* a partial read: fixed_mark must not touch them */
    for (int i = 0; i < RATING__COUNT; i++)
        idx->rating[i] = r_bm_req(r, idx->rating[i]);
    for (int i = 0; i < WARN__COUNT; i++)
        idx->warning[i] = r_bm_req(r, idx->warning[i]);
    for (int i = 0; i < CAT__COUNT; i++)
        idx->category[i] = r_bm_req(r, idx->category[i]);
    uint32_t nl = r_u32(r);
    if (nl < 1 || nl > IDX_MAX_LANGS + 1) {
        r->bad = 1;
        return;
    }
    for (uint32_t i = 0; i < nl && !r->bad && !r->oom; i++) {
        char *name = r_str(r);
        roaring_bitmap_t *b = r_bm(r);
        if (!name || !b) {
            free(name);
            idx_bm_free(b);
            r->bad = r->bad || !r->oom;
            return;
        }
        free(idx->lang_names[i]);
        idx_bm_free(idx->lang[i]);
        idx->lang_names[i] = name;
        idx->lang[i] = b;
        if (i >= idx->nlangs)
            idx->nlangs = i + 1;
    }

    idx->order_w = r_u32(r);
    idx->order_n = r_u32(r);
    idx->order_len = r_u64(r);
    idx->orders_valid = (int)r_u32(r);
    if (idx->order_w != 3 && idx->order_w != 4)
        r->bad = 1;
    for (int s = 0; s < IDX_SORT__COUNT && !r->bad; s++) {
        idx->order[s] = r_arr(r, &n, (uint64_t)UINT32_MAX * 4, 1, 0);
        if (n && n != idx->order_len * idx->order_w)
            r->bad = 1;
    }
    idx->tag_gen = r_u64(r);

    r_smap(r, &idx->creator_by_name);
    uint32_t nc = r_u32(r);
    if (nc > r->left / 16)
        r->bad = 1;
    if (!r->bad && nc) {
        idx->creators = calloc(nc, sizeof(*idx->creators));
        if (!idx->creators)
            r->oom = 1;
        else
            idx->creators_cap = nc;
    }
    for (uint32_t i = 0; i < nc && !r->bad && !r->oom; i++) {
        struct idx_creator *c = &idx->creators[i];
        idx->ncreators = i + 1;
        c->bm = r_bm(r);
        c->v = r_arr(r, &n, UINT32_MAX, 4, 0);
        c->n = c->cap = (uint32_t)n;
    }

    if (idx->fulltext && !r->bad && !r->oom) {
        uint32_t nterms = r_u32(r);
        if (nterms > r->left / 16) {
            r->bad = 1;
            return;
        }
        idx->terms = calloc(nterms ? nterms : 1, sizeof(*idx->terms));
        if (!idx->terms) {
            r->oom = 1;
            return;
        }
        idx->terms_cap = nterms ? nterms : 1;
        for (uint32_t i = 0; i < nterms && !r->bad && !r->oom; i++) {
            struct idx_term *t = &idx->terms[i];
            idx->nterms = i + 1;
            t->s = r_str(r);
            t->docs = r_bm(r);
            t->post = r_arr(r, &n, SIZE_MAX, 1, 0);
            t->plen = t->pcap = (size_t)n;
            t->pos = r_arr(r, &n, SIZE_MAX, 1, 0);
            t->poslen = t->poscap = (size_t)n;
            t->last_doc = r_u32(r);
            t->df = r_u32(r);
            t->skip = r_arr(r, &n, UINT32_MAX, sizeof(*t->skip), 0);
            t->nskip = t->skipcap = (uint32_t)n;
            if ((!t->s || !t->docs) && !r->oom)
                r->bad = 1;
        }
        r_smap(r, &idx->term_by_s);
        idx->total_len = r_f64(r);
        idx->fts_docs = r_u64(r);
        idx->fts_dead = r_u64(r);
        idx->fts_dead_len = r_f64(r);
        idx->fts_compactions = r_u64(r);
    }
    char end[4] = {0};
    r_bytes(r, end, 4);
    if (memcmp(end, "END\n", 4) || r->left)
        r->bad = 1;
}

/* Checks the file's checksum: 0, or why not. */
static int check_sum(FILE *f, uint64_t size, const char **why)
{
    if (fseek(f, 0, SEEK_SET))
        return FICD_EIO;
    uint8_t *buf = malloc(SNAP_CHUNK);
    if (!buf)
        return FICD_ENOMEM;
    struct csum cs;
    snap_csum_init(&cs);
    uint64_t left = size - 8;
    while (left) {
        size_t k = left < SNAP_CHUNK ? (size_t)left : SNAP_CHUNK;
        if (fread(buf, 1, k, f) != k) {
            free(buf);
            *why = "cannot be read";
            return FICD_EIO;
        }
        snap_csum_add(&cs, buf, k);
        left -= k;
    }
    uint64_t h = 0;
    int ok = fread(&h, 1, 8, f) == 8 && h == snap_csum_final(&cs);
    free(buf);
    if (!ok) {
        *why = "is corrupted (checksum mismatch)";
        return FICD_EINVAL;
    }
    return fseek(f, 0, SEEK_SET) ? FICD_EIO : 0;
}

int idx_snapshot_load(struct idx *idx, struct store *s, const char *path, char *why, size_t whysz)
{
    const char *reason = NULL;
    char msg[160] = "";
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whysz, "%s", errno == ENOENT ? "no snapshot" : "snapshot cannot be opened");
        return errno == ENOENT ? FICD_ENOTFOUND : FICD_EIO;
    }
    struct stat sb;
    int rc = fstat(fileno(f), &sb) ? FICD_EIO : 0;
    uint64_t size = rc ? 0 : (uint64_t)sb.st_size;
    if (!rc && size < 8 + 4 + 32 + 32 + 8 + 8 + 4 + 8 + 8) {
        reason = "is truncated";
        rc = FICD_EINVAL;
    }
    struct rd r = {.f = f, .left = size >= 8 ? size - 8 : 0};
    struct stamp st;
    memset(&st, 0, sizeof(st));
    char magic[8] = {0};
    if (!rc) {
        r_bytes(&r, magic, 8);
        uint32_t fmt = r_u32(&r);
        r_bytes(&r, st.archive, 32);
        r_bytes(&r, st.nonce, 32);
        st.schema = (int64_t)r_u64(&r);
        st.seq = (int64_t)r_u64(&r);
        st.kind = r_u32(&r);
        st.id = (int64_t)r_u64(&r);
        if (memcmp(magic, SNAP_MAGIC, 8)) {
            reason = "is not an index snapshot";
            rc = FICD_EINVAL;
        } else if (fmt != SNAP_FORMAT) {
            snprintf(msg, sizeof(msg), "has format %u, this ficd writes %u", fmt, SNAP_FORMAT);
            rc = FICD_EINVAL;
        }
    }
    char archive[65];
    if (!rc && (rc = idx_archive_id(s, archive)) != 0)
        reason = "cannot be checked: the store's archive id cannot be read";
    if (!rc && memcmp(archive, st.archive, 32)) {
        reason = "belongs to another archive";
        rc = FICD_EINVAL;
    }
    char key[64], *nonce = NULL;
    snap_nonce_key(path, key, sizeof(key));
    if (!rc && store_setting_get(s, key, &nonce)) {
        reason = "cannot be checked: the store's settings cannot be read";
        rc = FICD_EDB;
    }
    if (!rc && (!nonce || strlen(nonce) != 32 || memcmp(nonce, st.nonce, 32))) {
        reason = "is not the one this store last recorded (the store was restored from a "
                 "backup, or the file copied from elsewhere)";
        rc = FICD_EINVAL;
    }
    free(nonce);
    if (!rc && st.schema != store_schema_version(s)) {
        snprintf(msg, sizeof(msg), "was taken at schema version %lld, the store is at %d",
                 (long long)st.schema, store_schema_version(s));
        rc = FICD_EINVAL;
    }
    int64_t last = 0;
    if (!rc && store_last_change(s, &last)) {
        reason = "cannot be checked: the change log cannot be read";
        rc = FICD_EDB;
    }
    if (!rc && st.seq > last) {
        snprintf(msg, sizeof(msg),
                 "is ahead of the change log (%lld > %lld): the store was restored from a backup",
                 (long long)st.seq, (long long)last);
        rc = FICD_EINVAL;
    }
    uint32_t kind;
    int64_t id;
    if (!rc && (rc = snap_change_at(s, st.seq, &kind, &id)) != 0)
        reason = "cannot be checked: the change log cannot be read";
    if (!rc && (kind != st.kind || id != st.id)) {
        snprintf(msg, sizeof(msg),
                 "does not match the change log at %lld (the store was restored, or its log "
                 "trimmed)",
                 (long long)st.seq);
        rc = FICD_EINVAL;
    }
    if (!rc) {
        rc = check_sum(f, size, &reason);
        r.left = size - 8;
    }
    if (!rc) {
        r_bytes(&r, magic, 8); /* past the stamp, read above */
        r_u32(&r);
        r_bytes(&r, st.archive, 32);
        r_bytes(&r, st.nonce, 32);
        r_u64(&r);
        r_u64(&r);
        r_u32(&r);
        r_u64(&r);
        pthread_rwlock_wrlock(&idx->lock);
        r_index(&r, idx);
        idx->last_seq = st.seq;
        idx->pop_dirty = 1;
        if (!r.bad && !r.oom)
            idx_rebuild_pop(idx);
        pthread_rwlock_unlock(&idx->lock);
        if (r.oom)
            rc = FICD_ENOMEM;
        else if (r.bad) {
            reason = "does not hold a whole index";
            rc = FICD_EINVAL;
        }
    }
    fclose(f);
    if (!rc)
        rc = idx_load_tag_relations(idx, s);
    int applied = 0;
    if (!rc) {
        applied = idx_apply_changes(idx, s);
        if (applied < 0)
            rc = applied;
    }
    if (rc) {
        if (!reason && !msg[0])
            reason = ficd_strerror(rc);
        snprintf(why, whysz, "snapshot %s", reason ? reason : msg);
    }
    return rc ? rc : applied;
}
