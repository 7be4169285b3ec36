/* wjcache.h: the JSON of works as search results list them, kept in memory per process so
 * that a page of results costs no store access and no JSON building for works already seen.
 * An entry is dropped when the store's change log names its work (or any tag changes);
 * the cache follows the log up to the index's position, so it is never older than the
 * index that chose the works. Bounded: a fixed number of slots, each holding at most one
 * work (a new one replaces what its slot held). */
#ifndef FICD_WEB_WJCACHE_H
#define FICD_WEB_WJCACHE_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct store;

/* Sets the number of slots (rounded up to a power of two; 0 turns the cache off). Call
 * before the first lookup. */
void wjc_configure(size_t slots);
/* Brings the cache up to the change log's position seq (the index's idx_seq): drops the
 * works changed since the last call. 0 or a store error (the cache is then emptied). */
int wjc_follow(struct store *s, int64_t seq);
/* Appends to out the JSON of work id when the cache holds it; returns 1 if it did, 0 if not. */
int wjc_get(int64_t id, struct buf *out);
/* The generation to pass to wjc_put: taken before reading the work from the store, so that
 * a work read before a change that wjc_follow dropped meanwhile is not kept. */
uint64_t wjc_generation(void);
/* Keeps json (len bytes, copied) as work id's JSON, unless the cache moved past gen. */
void wjc_put(int64_t id, const char *json, size_t len, uint64_t gen);
/* Drops everything (tests, and after a failure to follow the log). */
void wjc_clear(void);
/* Counters for /healthz details: lookups that hit and missed, entries held. */
void wjc_stats(uint64_t *hits, uint64_t *misses, size_t *held);

#endif
