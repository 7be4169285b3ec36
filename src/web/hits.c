/* hits.c: hit counting in memory (a set of today's visits, a map of pending counts) and the
 * batched flush to the store. See hits.h. */
#include "web/hits.h"
#include "core/err.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Open addressing with linear probing; key 0 marks an empty slot. */
struct u64set {
    uint64_t *v;
    size_t cap, n;
};

struct pending {
    int64_t *ids, *counts;
    size_t cap, n; /* ids[i] == 0: empty slot */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int on;
static struct u64set seen;
static int64_t seen_day = -1;
static struct pending pend;

void hits_init(int enabled)
{
    atomic_store(&on, enabled ? 1 : 0);
}

int hits_enabled(void)
{
    return atomic_load(&on);
}

/* FNV-1a over the visitor, mixed with the work id (splitmix64 finaliser); never 0. */
static uint64_t visit_key(int64_t work_id, const char *visitor)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)visitor; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    h ^= (uint64_t)work_id + 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h ? h : 1;
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

static size_t slot_of(int64_t id, size_t cap)
{
    return ((uint64_t)id * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1);
}

static int pend_grow(struct pending *p)
{
    size_t cap = p->cap ? p->cap * 2 : 256;
    int64_t *ids = calloc(cap, sizeof(*ids)), *counts = calloc(cap, sizeof(*counts));
    if (!ids || !counts) {
        free(ids);
        free(counts);
        return -1;
    }
    for (size_t i = 0; i < p->cap; i++) {
        if (!p->ids[i])
            continue;
        size_t j = slot_of(p->ids[i], cap);
        while (ids[j])
            j = (j + 1) & (cap - 1);
        ids[j] = p->ids[i];
        counts[j] = p->counts[i];
    }
    free(p->ids);
    free(p->counts);
    p->ids = ids;
    p->counts = counts;
    p->cap = cap;
    return 0;
}

static int pend_add(struct pending *p, int64_t id, int64_t n)
{
    if ((p->n + 1) * 2 > p->cap && pend_grow(p))
        return -1;
    size_t i = slot_of(id, p->cap);
    while (p->ids[i] && p->ids[i] != id)
        i = (i + 1) & (p->cap - 1);
    if (!p->ids[i]) {
        p->ids[i] = id;
        p->n++;
    }
    p->counts[i] += n;
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
    int counted = set_add(&seen, k) == 1 && pend_add(&pend, work_id, 1) == 0;
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

int hits_flush(struct store *s)
{
    pthread_mutex_lock(&mu);
    struct pending taken = pend;
    memset(&pend, 0, sizeof(pend));
    pthread_mutex_unlock(&mu);
    if (!taken.n) {
        free(taken.ids);
        free(taken.counts);
        return 0;
    }
    /* compact the slots into arrays for the store */
    size_t n = 0;
    for (size_t i = 0; i < taken.cap; i++) {
        if (!taken.ids[i])
            continue;
        taken.ids[n] = taken.ids[i];
        taken.counts[n] = taken.counts[i];
        n++;
    }
    int rc = store_work_add_hits(s, taken.ids, taken.counts, n);
    if (rc) {
        /* put them back for the next flush */
        pthread_mutex_lock(&mu);
        for (size_t i = 0; i < n; i++)
            pend_add(&pend, taken.ids[i], taken.counts[i]);
        pthread_mutex_unlock(&mu);
    }
    free(taken.ids);
    free(taken.counts);
    return rc ? rc : (int)n;
}

int64_t hits_pending(int64_t work_id)
{
    int64_t total = 0;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < pend.cap; i++)
        if (pend.ids[i] && (work_id == 0 || pend.ids[i] == work_id))
            total += pend.counts[i];
    pthread_mutex_unlock(&mu);
    return total;
}

void hits_free(void)
{
    pthread_mutex_lock(&mu);
    free(seen.v);
    memset(&seen, 0, sizeof(seen));
    seen_day = -1;
    free(pend.ids);
    free(pend.counts);
    memset(&pend, 0, sizeof(pend));
    pthread_mutex_unlock(&mu);
}
