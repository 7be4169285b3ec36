/* hmap.c: the index's hash maps (string -> uint32, int64 -> uint32, and the same with keys read
 * from the records the values number), open addressing with linear probing and
 * backward-shift deletion. The two kinds without keys can be sized to what they hold. */
#include "index/index_int.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static uint64_t hash_i64(int64_t k)
{
    uint64_t x = (uint64_t)k;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static int smap_grow(struct smap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    char **nk = calloc(ncap, sizeof(*nk));
    uint32_t *nv = calloc(ncap, sizeof(*nv));
    if (!nk || !nv) {
        free(nk);
        free(nv);
        return FICD_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = hash_bytes(m->keys[i], strlen(m->keys[i])) & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    return 0;
}

static size_t smap_slot(const struct smap *m, const char *key, size_t klen)
{
    size_t j = hash_bytes(key, klen) & (m->cap - 1);
    while (m->keys[j] && (strncmp(m->keys[j], key, klen) || m->keys[j][klen]))
        j = (j + 1) & (m->cap - 1);
    return j;
}

int smap_put(struct smap *m, const char *key, size_t klen, uint32_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3 && smap_grow(m))
        return FICD_ENOMEM;
    size_t j = smap_slot(m, key, klen);
    if (!m->keys[j]) {
        char *k = malloc(klen + 1);
        if (!k)
            return FICD_ENOMEM;
        memcpy(k, key, klen);
        k[klen] = 0;
        m->keys[j] = k;
        m->n++;
    }
    m->vals[j] = val;
    return 0;
}

int smap_get(const struct smap *m, const char *key, size_t klen, uint32_t *val)
{
    if (!m->cap)
        return 0;
    size_t j = smap_slot(m, key, klen);
    if (!m->keys[j])
        return 0;
    *val = m->vals[j];
    return 1;
}

/* Deletes by backward shift so that probe sequences stay unbroken. */
void smap_del(struct smap *m, const char *key, size_t klen)
{
    if (!m->cap)
        return;
    size_t j = smap_slot(m, key, klen);
    if (!m->keys[j])
        return;
    free(m->keys[j]);
    m->keys[j] = NULL;
    m->n--;
    size_t i = j;
    for (;;) {
        i = (i + 1) & (m->cap - 1);
        if (!m->keys[i])
            break;
        size_t h = hash_bytes(m->keys[i], strlen(m->keys[i])) & (m->cap - 1);
        /* Move keys[i] to the hole j if its home h is not cyclically in (j, i]. */
        int in = (j < i) ? (h > j && h <= i) : (h > j || h <= i);
        if (!in) {
            m->keys[j] = m->keys[i];
            m->vals[j] = m->vals[i];
            m->keys[i] = NULL;
            j = i;
        }
    }
}

void smap_free(struct smap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static int imap_grow(struct imap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    int64_t *nk = calloc(ncap, sizeof(*nk));
    uint32_t *nv = calloc(ncap, sizeof(*nv));
    if (!nk || !nv) {
        free(nk);
        free(nv);
        return FICD_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = hash_i64(m->keys[i]) & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    return 0;
}

static size_t imap_slot(const struct imap *m, int64_t key)
{
    size_t j = hash_i64(key) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    return j;
}

int imap_put(struct imap *m, int64_t key, uint32_t val)
{
    if ((m->n + 1) * 4 > m->cap * 3 && imap_grow(m))
        return FICD_ENOMEM;
    size_t j = imap_slot(m, key);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->n++;
    }
    m->vals[j] = val;
    return 0;
}

int imap_get(const struct imap *m, int64_t key, uint32_t *val)
{
    if (!m->cap || !key)
        return 0;
    size_t j = imap_slot(m, key);
    if (!m->keys[j])
        return 0;
    *val = m->vals[j];
    return 1;
}

void imap_del(struct imap *m, int64_t key)
{
    if (!m->cap || !key)
        return;
    size_t j = imap_slot(m, key);
    if (!m->keys[j])
        return;
    m->keys[j] = 0;
    m->n--;
    size_t i = j;
    for (;;) {
        i = (i + 1) & (m->cap - 1);
        if (!m->keys[i])
            break;
        size_t h = hash_i64(m->keys[i]) & (m->cap - 1);
        int in = (j < i) ? (h > j && h <= i) : (h > j || h <= i);
        if (!in) {
            m->keys[j] = m->keys[i];
            m->vals[j] = m->vals[i];
            m->keys[i] = 0;
            j = i;
        }
    }
}

void imap_free(struct imap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* vmap and kmap tables have any capacity (so that they can be sized to what they hold): a
 * hash picks its home slot by multiplication, not by masking. */
static size_t home64(uint64_t h, size_t cap)
{
    return (size_t)((h >> 32) * (uint64_t)cap >> 32);
}

static size_t home32(uint32_t h, size_t cap)
{
    return (size_t)((uint64_t)h * cap >> 32);
}

static size_t next(size_t i, size_t cap)
{
    return i + 1 == cap ? 0 : i + 1;
}

/* The capacity that holds n values at a load of 0.7 (puts grow the table above 0.75). */
static size_t fit_cap(size_t n)
{
    return n + n * 3 / 7 + 64;
}

/* ---- vmap: keys found through the values ---- */

static int vmap_grow_to(struct vmap *m, size_t ncap, vmap_key_fn key_of, const void *ctx)
{
    uint32_t *ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return FICD_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slot[i])
            continue;
        size_t j = home64(hash_i64(key_of(ctx, m->slot[i] - 1)), ncap);
        while (ns[j])
            j = next(j, ncap);
        ns[j] = m->slot[i];
    }
    free(m->slot);
    m->slot = ns;
    m->cap = ncap;
    return 0;
}

static int vmap_grow(struct vmap *m, vmap_key_fn key_of, const void *ctx)
{
    return vmap_grow_to(m, m->cap ? m->cap * 2 : 64, key_of, ctx);
}

int vmap_reserve(struct vmap *m, size_t n, vmap_key_fn key_of, const void *ctx)
{
    size_t ncap = fit_cap(n);
    return ncap > m->cap ? vmap_grow_to(m, ncap, key_of, ctx) : 0;
}

int vmap_fit(struct vmap *m, vmap_key_fn key_of, const void *ctx)
{
    size_t ncap = fit_cap(m->n);
    return m->cap > ncap + ncap / 4 ? vmap_grow_to(m, ncap, key_of, ctx) : 0;
}

static size_t vmap_slot(const struct vmap *m, int64_t key, vmap_key_fn key_of, const void *ctx)
{
    size_t j = home64(hash_i64(key), m->cap);
    while (m->slot[j] && key_of(ctx, m->slot[j] - 1) != key)
        j = next(j, m->cap);
    return j;
}

int vmap_put(struct vmap *m, int64_t key, uint32_t val, vmap_key_fn key_of, const void *ctx)
{
    if (val == UINT32_MAX)
        return FICD_ETOOBIG;
    if ((m->n + 1) * 4 > m->cap * 3 && vmap_grow(m, key_of, ctx))
        return FICD_ENOMEM;
    size_t j = vmap_slot(m, key, key_of, ctx);
    if (!m->slot[j])
        m->n++;
    m->slot[j] = val + 1;
    return 0;
}

int vmap_get(const struct vmap *m, int64_t key, uint32_t *val, vmap_key_fn key_of, const void *ctx)
{
    if (!m->cap)
        return 0;
    size_t j = vmap_slot(m, key, key_of, ctx);
    if (!m->slot[j])
        return 0;
    *val = m->slot[j] - 1;
    return 1;
}

void vmap_del(struct vmap *m, int64_t key, vmap_key_fn key_of, const void *ctx)
{
    if (!m->cap)
        return;
    size_t j = vmap_slot(m, key, key_of, ctx);
    if (!m->slot[j])
        return;
    m->slot[j] = 0;
    m->n--;
    size_t i = j;
    for (;;) {
        i = next(i, m->cap);
        if (!m->slot[i])
            break;
        size_t h = home64(hash_i64(key_of(ctx, m->slot[i] - 1)), m->cap);
        int in = (j < i) ? (h > j && h <= i) : (h > j || h <= i);
        if (!in) {
            m->slot[j] = m->slot[i];
            m->slot[i] = 0;
            j = i;
        }
    }
}

/* Frees a table's slots and zeroes the table (size bytes at m): vmap_free, kmap_free. */
static void table_free(void *slot, void *m, size_t size)
{
    free(slot);
    memset(m, 0, size);
}

void vmap_free(struct vmap *m)
{
    table_free(m->slot, m, sizeof(*m));
}

/* ---- kmap: string keys derived from the values, with their hashes ---- */

uint32_t kmap_hash(const char *key, size_t klen)
{
    return (uint32_t)hash_bytes(key, klen);
}

static int kmap_grow_to(struct kmap *m, size_t ncap)
{
    uint64_t *ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return FICD_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slot[i])
            continue;
        size_t j = home32((uint32_t)(m->slot[i] >> 32), ncap);
        while (ns[j])
            j = next(j, ncap);
        ns[j] = m->slot[i];
    }
    free(m->slot);
    m->slot = ns;
    m->cap = ncap;
    return 0;
}

static int kmap_grow(struct kmap *m)
{
    return kmap_grow_to(m, m->cap ? m->cap * 2 : 64);
}

int kmap_fit(struct kmap *m)
{
    size_t ncap = fit_cap(m->n);
    return m->cap > ncap + ncap / 4 ? kmap_grow_to(m, ncap) : 0;
}

static size_t kmap_slot(const struct kmap *m, const char *key, size_t klen, uint32_t h,
                        kmap_eq_fn eq, const void *ctx)
{
    size_t j = home32(h, m->cap);
    while (m->slot[j] &&
           ((uint32_t)(m->slot[j] >> 32) != h || !eq(ctx, (uint32_t)m->slot[j] - 1, key, klen)))
        j = next(j, m->cap);
    return j;
}

int kmap_put(struct kmap *m, const char *key, size_t klen, uint32_t val, kmap_eq_fn eq,
             const void *ctx)
{
    if (val == UINT32_MAX)
        return FICD_ETOOBIG;
    if ((m->n + 1) * 4 > m->cap * 3 && kmap_grow(m))
        return FICD_ENOMEM;
    uint32_t h = kmap_hash(key, klen);
    size_t j = kmap_slot(m, key, klen, h, eq, ctx);
    if (!m->slot[j])
        m->n++;
    m->slot[j] = (uint64_t)h << 32 | (val + 1);
    return 0;
}

int kmap_get(const struct kmap *m, const char *key, size_t klen, uint32_t *val, kmap_eq_fn eq,
             const void *ctx)
{
    if (!m->cap)
        return 0;
    size_t j = kmap_slot(m, key, klen, kmap_hash(key, klen), eq, ctx);
    if (!m->slot[j])
        return 0;
    *val = (uint32_t)m->slot[j] - 1;
    return 1;
}

void kmap_del(struct kmap *m, const char *key, size_t klen, kmap_eq_fn eq, const void *ctx)
{
    if (!m->cap)
        return;
    size_t j = kmap_slot(m, key, klen, kmap_hash(key, klen), eq, ctx);
    if (!m->slot[j])
        return;
    m->slot[j] = 0;
    m->n--;
    size_t i = j;
    for (;;) {
        i = next(i, m->cap);
        if (!m->slot[i])
            break;
        size_t h = home32((uint32_t)(m->slot[i] >> 32), m->cap);
        int in = (j < i) ? (h > j && h <= i) : (h > j || h <= i);
        if (!in) {
            m->slot[j] = m->slot[i];
            m->slot[i] = 0;
            j = i;
        }
    }
}

void kmap_free(struct kmap *m)
{
    table_free(m->slot, m, sizeof(*m));
}
