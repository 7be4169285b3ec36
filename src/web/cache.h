/* cache.h: the page cache: finished responses to anonymous GET and HEAD requests, shared by
 * every worker thread and served without rendering again while nothing they show can have
 * changed.
 *
 * An entry is keyed by the request target (path and query as sent) and the variant (gzip or
 * not, TLS or not), and is valid while three things hold: the store's change log has no
 * entry newer than when it was rendered (works, tags, wrangling: every write enters it, from
 * this process, the CLI or another node; the server brings the search index up to that entry
 * before rendering, so listings are as fresh as work pages), this process has handled no POST
 * since (accounts, settings, anything a form changes), and it is younger than the configured
 * time to live (the bound on staleness for changes made elsewhere that are not in the change
 * log). Only complete 200 responses that carry nothing personal (no CSRF token, no cookie)
 * are stored; the server decides that, this module only keeps them.
 *
 * Responses are libmicrohttpd's own, reference-counted objects: a hit queues the stored
 * response on the connection, with no copy and no rendering. */
#ifndef FICD_WEB_CACHE_H
#define FICD_WEB_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;
struct MHD_Response;

/* Sizes the cache: at most budget bytes of bodies, entries live at most ttl_ms. budget 0
 * disables it (every call below then does nothing). Call once before serving. */
void page_cache_init(size_t budget, int ttl_ms);
/* Drops every entry (at shutdown). */
void page_cache_free(void);
int page_cache_enabled(void);

/* The process-local generation: page_cache_bump() after every request that may have
 * written (every POST), so that nothing rendered before it is served again. */
uint64_t page_cache_gen(void);
void page_cache_bump(void);

/* What an entry is valid for: the store's last change-log sequence and the local
 * generation, both read before rendering. */
struct page_cache_stamp {
    int64_t seq;
    uint64_t gen;
};

/* Queues the stored response for key (variant gz) on c when there is a valid one: returns
 * 1 and its body length in *len, else 0. */
int page_cache_serve(struct MHD_Connection *c, const char *key, int gz,
                     const struct page_cache_stamp *st, size_t *len);

/* Offers a response already queued for key: the cache takes over the caller's reference
 * (it destroys resp itself when it does not keep it). */
void page_cache_put(const char *key, int gz, const struct page_cache_stamp *st,
                    struct MHD_Response *resp, size_t len);

/* Counters for tests and the access log. */
struct page_cache_stats {
    uint64_t hits, misses, stores, evictions;
    size_t bytes, entries;
};
void page_cache_get_stats(struct page_cache_stats *st);

#endif
