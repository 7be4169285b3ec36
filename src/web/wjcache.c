/* wjcache.c: the in-memory cache of works' result JSON (wjcache.h): a direct-mapped table of
 * slots under striped locks, and the change-log position it has followed. */
#include "web/wjcache.h"
#include "core/buf.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    int64_t id; /* 0: empty */
    char *json;
    size_t len;
};

#define STRIPES 64

static struct slot *slots;
static size_t nslots; /* a power of two, or 0: off */
static pthread_mutex_t stripe[STRIPES];
static pthread_once_t stripes_once = PTHREAD_ONCE_INIT;
/* follow: the log position reached and the generation (bumped whenever entries are dropped) */
static pthread_mutex_t follow_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int64_t followed = -1; /* -1: not started */
static _Atomic uint64_t generation;
static _Atomic uint64_t n_hits, n_misses;
static _Atomic size_t n_held;

static void stripes_init(void)
{
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&stripe[i], NULL);
}

void wjc_configure(size_t want)
{
    pthread_once(&stripes_once, stripes_init);
    wjc_clear();
    free(slots);
    slots = NULL;
    nslots = 0;
    if (!want)
        return;
    size_t n = 1;
    while (n < want)
        n <<= 1;
    slots = calloc(n, sizeof(*slots));
    if (slots)
        nslots = n;
}

static size_t slot_of(int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (nslots - 1);
}

static pthread_mutex_t *lock_of(size_t i)
{
    return &stripe[i & (STRIPES - 1)];
}

static void drop(size_t i)
{
    if (slots[i].id) {
        free(slots[i].json);
        slots[i] = (struct slot){0};
        atomic_fetch_sub(&n_held, 1);
    }
}

static void drop_id(int64_t id)
{
    size_t i = slot_of(id);
    pthread_mutex_lock(lock_of(i));
    if (slots[i].id == id)
        drop(i);
    pthread_mutex_unlock(lock_of(i));
}

void wjc_clear(void)
{
    pthread_once(&stripes_once, stripes_init);
    atomic_fetch_add(&generation, 1);
    for (size_t i = 0; i < nslots; i++) {
        pthread_mutex_lock(lock_of(i));
        drop(i);
        pthread_mutex_unlock(lock_of(i));
    }
}

struct follow_ctx {
    int64_t last;
    int all; /* a tag changed: every entry may name it */
};

static int follow_cb(int64_t seq, enum change_kind kind, int64_t object_id, void *ctx)
{
    struct follow_ctx *f = ctx;
    f->last = seq;
    if (kind == CHANGE_TAG)
        f->all = 1;
    else if (!f->all)
        drop_id(object_id);
    return 0;
}

int wjc_follow(struct store *s, int64_t seq)
{
    if (!nslots || atomic_load(&followed) >= seq)
        return 0;
    pthread_mutex_lock(&follow_lock);
    int rc = 0;
    int64_t from = atomic_load(&followed);
    if (from < seq) {
        /* bumped before anything is dropped: a work read before this point is not kept */
        atomic_fetch_add(&generation, 1);
        struct follow_ctx f = {from, 0};
        if (from < 0) {
            /* the first call: nothing is cached yet, start from the index's position */
            f.last = seq;
        } else {
            rc = store_changes_since(s, from, follow_cb, &f);
        }
        if (rc || f.all)
            wjc_clear();
        atomic_store(&followed, f.last > seq ? f.last : seq);
    }
    pthread_mutex_unlock(&follow_lock);
    return rc;
}

int wjc_get(int64_t id, struct buf *out)
{
    if (!nslots)
        return 0;
    size_t i = slot_of(id);
    int found = 0;
    pthread_mutex_lock(lock_of(i));
    if (slots[i].id == id) {
        buf_put(out, slots[i].json, slots[i].len);
        found = 1;
    }
    pthread_mutex_unlock(lock_of(i));
    atomic_fetch_add(found ? &n_hits : &n_misses, 1);
    return found;
}

uint64_t wjc_generation(void)
{
    return atomic_load(&generation);
}

void wjc_put(int64_t id, const char *json, size_t len, uint64_t gen)
{
    if (!nslots || id <= 0)
        return;
    char *c = malloc(len + 1);
    if (!c)
        return;
    memcpy(c, json, len);
    c[len] = 0;
    size_t i = slot_of(id);
    pthread_mutex_lock(lock_of(i));
    if (atomic_load(&generation) != gen) { /* the log moved while the work was read */
        pthread_mutex_unlock(lock_of(i));
        free(c);
        return;
    }
    drop(i);
    slots[i] = (struct slot){id, c, len};
    atomic_fetch_add(&n_held, 1);
    pthread_mutex_unlock(lock_of(i));
}

void wjc_stats(uint64_t *hits, uint64_t *misses, size_t *held)
{
    *hits = atomic_load(&n_hits);
    *misses = atomic_load(&n_misses);
    *held = atomic_load(&n_held);
}
