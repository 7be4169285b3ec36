/* hmap.c: the index's two hash maps (string -> uint32, int64 -> uint32), open addressing
 * with linear probing and backward-shift deletion. */
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
