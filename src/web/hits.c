/* hits.c: hit counting in memory (a set of today's visits, the visits not yet written) and the
 * batched flush to the store, which counts each visit once across nodes. See hits.h. */
#include "web/hits.h"
#include "core/err.h"
#include "store/store.h"

#include <sodium.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Open addressing with linear probing; key 0 marks an empty slot. */
struct u64set {
    uint64_t *v;
    size_t cap, n;
};

/* The visits counted here since the last flush, in arrival order. */
struct pending {
    struct hit_visit *v;
    size_t n, cap;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int on;
static struct u64set seen;
static int64_t seen_day = -1;
static struct pending pend;
static unsigned char visit_salt[crypto_shorthash_KEYBYTES];

void hits_init(int enabled)
{
    atomic_store(&on, enabled ? 1 : 0);
}

int hits_enabled(void)
{
    return atomic_load(&on);
}

void hits_set_key(const unsigned char *key, size_t len)
{
    pthread_mutex_lock(&mu);
    memset(visit_salt, 0, sizeof(visit_salt));
    memcpy(visit_salt, key, len < sizeof(visit_salt) ? len : sizeof(visit_salt));
    pthread_mutex_unlock(&mu);
}

/* SipHash of the work id and the visitor under the archive's key (the same on every node, so
 * the store can tell one visit from another without learning who visited); never 0. The key
 * is set before serving starts (hits_set_key), so it is read without the lock. */
static uint64_t visit_key(int64_t work_id, const char *visitor)
{
    unsigned char in[8 + 256];
    size_t n = strlen(visitor);
    if (n > 256)
        n = 256;
    uint64_t w = (uint64_t)work_id;
    memcpy(in, &w, 8);
    memcpy(in + 8, visitor, n);
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, in, 8 + n, visit_salt);
    uint64_t k;
    memcpy(&k, h, sizeof(k));
    return k ? k : 1;
}

static int set_grow(struct u64set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 4096;
    uint64_t *v = calloc(cap, sizeof(*v));
    if (!v)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->v[i])
            continue;
        size_t j = s->v[i] & (cap - 1);
        while (v[j])
            j = (j + 1) & (cap - 1);
        v[j] = s->v[i];
    }
    free(s->v);
    s->v = v;
    s->cap = cap;
    return 0;
}

/* Adds k; 1 when new, 0 when present, -1 when full or out of memory. */
static int set_add(struct u64set *s, uint64_t k)
{
    if ((s->n + 1) * 2 > s->cap) {
        if (s->n >= HITS_MAX_SEEN || set_grow(s))
            return -1;
    }
    size_t i = k & (s->cap - 1);
    while (s->v[i]) {
        if (s->v[i] == k)
            return 0;
        i = (i + 1) & (s->cap - 1);
    }
    s->v[i] = k;
    s->n++;
    return 1;
}

static int pend_add(struct pending *p, int64_t work_id, int64_t day, uint64_t key)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        struct hit_visit *v = realloc(p->v, cap * sizeof(*v));
        if (!v)
            return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (struct hit_visit){work_id, day, (int64_t)key};
    return 0;
}

int hits_record(int64_t work_id, const char *visitor, int64_t now)
{
    if (!atomic_load_explicit(&on, memory_order_relaxed) || work_id <= 0 || !visitor)
        return 0;
    uint64_t k = visit_key(work_id, visitor);
    int64_t day = now / 86400;
    pthread_mutex_lock(&mu);
    if (day != seen_day) {
        free(seen.v);
        memset(&seen, 0, sizeof(seen));
        seen_day = day;
    }
    int counted = set_add(&seen, k) == 1 && pend_add(&pend, work_id, day, k) == 0;
    pthread_mutex_unlock(&mu);
    return counted;
}

int64_t hits_work_of_path(const char *path)
{
    if (strncmp(path, "/works/", 7) != 0)
        return 0;
    const char *p = path + 7;
    int64_t v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 18) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (!digits)
        return 0;
    if (*p == 0 || (*p == '/' && p[1] == 0))
        return v;
    if (strncmp(p, "/chapters/", 10) != 0)
        return 0;
    p += 10;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return *p == 0 || (*p == '/' && p[1] == 0) ? v : 0;
}

static int by_work(const void *a, const void *b)
{
    const struct hit_visit *x = a, *y = b;
    return (x->work_id > y->work_id) - (x->work_id < y->work_id);
}

int hits_flush(struct store *s)
{
    pthread_mutex_lock(&mu);
    struct pending taken = pend;
    memset(&pend, 0, sizeof(pend));
    pthread_mutex_unlock(&mu);
    if (!taken.n) {
        free(taken.v);
        return 0;
    }
    /* the store counts each visit once across every node (a visitor whose reads land on two
     * nodes is one hit), and wants them by work */
    qsort(taken.v, taken.n, sizeof(*taken.v), by_work);
    int works = 0;
    for (size_t i = 0; i < taken.n; i++)
        works += i == 0 || taken.v[i].work_id != taken.v[i - 1].work_id;
    int rc = store_work_add_visits(s, taken.v, taken.n);
    if (rc) {
        /* put them back for the next flush */
        pthread_mutex_lock(&mu);
        for (size_t i = 0; i < taken.n; i++)
            pend_add(&pend, taken.v[i].work_id, taken.v[i].day, (uint64_t)taken.v[i].key);
        pthread_mutex_unlock(&mu);
    }
    free(taken.v);
    return rc ? rc : works;
}

int64_t hits_pending(int64_t work_id)
{
    int64_t total = 0;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < pend.n; i++)
        total += work_id == 0 || pend.v[i].work_id == work_id;
    pthread_mutex_unlock(&mu);
    return total;
}

void hits_free(void)
{
    pthread_mutex_lock(&mu);
    free(seen.v);
    memset(&seen, 0, sizeof(seen));
    seen_day = -1;
    free(pend.v);
    memset(&pend, 0, sizeof(pend));
    pthread_mutex_unlock(&mu);
}
