/* cache.c: the page cache (see cache.h): a set-associative table of libmicrohttpd responses
 * with one lock per set, a byte budget kept by a clock hand that evicts stale entries
 * first, and the process-local write generation. */
#include "web/cache.h"
#include "core/progress.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 4

struct entry {
    char *key; /* NULL: free */
    uint64_t hash;
    int gz;
    struct page_cache_stamp st;
    int64_t born_ms;
    struct MHD_Response *resp;
    size_t len;
};

struct set {
    pthread_mutex_t mu;
    struct entry e[WAYS];
};

static struct set *sets;
static size_t nsets; /* a power of two */
static size_t budget;
static int ttl_ms;
static atomic_size_t bytes, entries;
static atomic_uint_fast64_t gen = 1;
static atomic_uint_fast64_t hits, misses, stores, evictions;
static atomic_size_t hand;

/* FNV-1a, then the variant. */
static uint64_t key_hash(const char *key, int gz)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h ^ (uint64_t)(gz + 1) * 0x9e3779b97f4a7c15ull;
}

void page_cache_init(size_t budget_bytes, int ttl)
{
    page_cache_free();
    if (!budget_bytes || ttl <= 0)
        return;
    /* about one set per 64 KB of budget (a work page is 20-60 KB, gzip 8-20 KB) */
    size_t n = 64;
    while (n < budget_bytes / (64u << 10) && n < ((size_t)1 << 16))
        n <<= 1;
    sets = calloc(n, sizeof(*sets));
    if (!sets)
        return;
    for (size_t i = 0; i < n; i++)
        pthread_mutex_init(&sets[i].mu, NULL);
    nsets = n;
    budget = budget_bytes;
    ttl_ms = ttl;
}

static void drop(struct entry *e)
{
    if (!e->key)
        return;
    MHD_destroy_response(e->resp);
    free(e->key);
    atomic_fetch_sub(&bytes, e->len);
    atomic_fetch_sub(&entries, 1);
    memset(e, 0, sizeof(*e));
}

void page_cache_free(void)
{
    for (size_t i = 0; i < nsets; i++) {
        for (int w = 0; w < WAYS; w++)
            drop(&sets[i].e[w]);
        pthread_mutex_destroy(&sets[i].mu);
    }
    free(sets);
    sets = NULL;
    nsets = 0;
    budget = 0;
}

int page_cache_enabled(void)
{
    return nsets != 0;
}

uint64_t page_cache_gen(void)
{
    return atomic_load(&gen);
}

void page_cache_bump(void)
{
    atomic_fetch_add(&gen, 1);
}

static int fresh(const struct entry *e, const struct page_cache_stamp *st, int64_t now)
{
    return e->st.seq == st->seq && e->st.gen == st->gen && now - e->born_ms < ttl_ms;
}

int page_cache_serve(struct MHD_Connection *c, const char *key, int gz,
                     const struct page_cache_stamp *st, size_t *len)
{
    if (!nsets)
        return 0;
    uint64_t h = key_hash(key, gz);
    struct set *s = &sets[h & (nsets - 1)];
    int64_t now = progress_now_ms();
    int served = 0;
    pthread_mutex_lock(&s->mu);
    for (int w = 0; w < WAYS; w++) {
        struct entry *e = &s->e[w];
        if (!e->key || e->hash != h || e->gz != gz || strcmp(e->key, key))
            continue;
        if (!fresh(e, st, now)) {
            drop(e);
            atomic_fetch_add(&evictions, 1);
            break;
        }
        /* queueing takes a reference of the connection's own, so the entry may be evicted
         * while the body is still being sent */
        if (MHD_queue_response(c, MHD_HTTP_OK, e->resp) == MHD_YES) {
            *len = e->len;
            served = 1;
        }
        break;
    }
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(served ? &hits : &misses, 1);
    return served;
}

/* Frees room until len more bytes fit the budget: a clock hand walks the sets, dropping
 * stale entries on the first lap and any entry on the second. 0 when it fits. */
static int make_room(size_t len, const struct page_cache_stamp *st, struct set *mine)
{
    int64_t now = progress_now_ms();
    for (int lap = 0; lap < 2; lap++) {
        for (size_t n = 0; n < nsets && atomic_load(&bytes) + len > budget; n++) {
            struct set *s = &sets[atomic_fetch_add(&hand, 1) & (nsets - 1)];
            /* the caller holds its own set's lock; another thread making room may hold
             * this one's and wait for ours: never wait here */
            if (s == mine || pthread_mutex_trylock(&s->mu))
                continue;
            for (int w = 0; w < WAYS; w++) {
                struct entry *e = &s->e[w];
                if (e->key && (lap == 1 || !fresh(e, st, now))) {
                    drop(e);
                    atomic_fetch_add(&evictions, 1);
                }
            }
            pthread_mutex_unlock(&s->mu);
        }
    }
    return atomic_load(&bytes) + len > budget;
}

void page_cache_put(const char *key, int gz, const struct page_cache_stamp *st,
                    struct MHD_Response *resp, size_t len)
{
    if (!nsets || len > budget / 8) {
        MHD_destroy_response(resp);
        return;
    }
    char *k = strdup(key);
    if (!k) {
        MHD_destroy_response(resp);
        return;
    }
    uint64_t h = key_hash(key, gz);
    struct set *s = &sets[h & (nsets - 1)];
    int64_t now = progress_now_ms();
    pthread_mutex_lock(&s->mu);
    /* the way to use: this key's old entry, else a free one, else the oldest */
    struct entry *slot = NULL;
    for (int w = 0; w < WAYS && !slot; w++)
        if (s->e[w].key && s->e[w].hash == h && s->e[w].gz == gz && !strcmp(s->e[w].key, key))
            slot = &s->e[w];
    for (int w = 0; w < WAYS && !slot; w++)
        if (!s->e[w].key)
            slot = &s->e[w];
    if (!slot) {
        slot = &s->e[0];
        for (int w = 1; w < WAYS; w++)
            if (s->e[w].born_ms < slot->born_ms)
                slot = &s->e[w];
    }
    if (slot->key) {
        drop(slot);
        atomic_fetch_add(&evictions, 1);
    }
    if (atomic_load(&bytes) + len > budget && make_room(len, st, s)) {
        pthread_mutex_unlock(&s->mu);
        free(k);
        MHD_destroy_response(resp);
        return;
    }
    slot->key = k;
    slot->hash = h;
    slot->gz = gz;
    slot->st = *st;
    slot->born_ms = now;
    slot->resp = resp;
    slot->len = len;
    atomic_fetch_add(&bytes, len);
    atomic_fetch_add(&entries, 1);
    pthread_mutex_unlock(&s->mu);
    atomic_fetch_add(&stores, 1);
}

void page_cache_get_stats(struct page_cache_stats *st)
{
    st->hits = atomic_load(&hits);
    st->misses = atomic_load(&misses);
    st->stores = atomic_load(&stores);
    st->evictions = atomic_load(&evictions);
    st->bytes = atomic_load(&bytes);
    st->entries = atomic_load(&entries);
}
