/* hits.h: hit counting off the read path. A hit is one visitor (an account, or a guest's
 * address) reading a work, counted at most once per visitor per work per UTC day, on however
 * many nodes they read. Visits are checked against an in-memory set and kept in memory (a
 * mutex, a hash and a lookup, no database access); hits_flush writes the visits gathered
 * since the last flush in one transaction (the server does it every few seconds and at
 * shutdown), where the store drops those another node already counted
 * (store_work_add_visits: a visit is a keyed hash of visitor and work, never the address). The set
 * is cleared when the day changes; it holds at most HITS_MAX_SEEN visits a day, after which new
 * visitors are not counted until the next day (a flood cannot grow memory without bound). */
#ifndef FICD_WEB_HITS_H
#define FICD_WEB_HITS_H

#include <stddef.h>
#include <stdint.h>

struct store;

#define HITS_MAX_SEEN (4u << 20)

/* enabled = 0 makes hits_record do nothing. */
void hits_init(int enabled);
/* The key visits are hashed with; every node of an archive must use the same (the server
 * derives it from the archive's secret). Up to 16 bytes of key are used. Call it before
 * hits_record is called from other threads. */
void hits_set_key(const unsigned char *key, size_t len);
int hits_enabled(void);
/* Counts a visit of visitor (e.g. "u:12" or an address) to work_id at unix time now; returns
 * 1 when it was counted, 0 when the visitor was already counted today (or counting is off). */
int hits_record(int64_t work_id, const char *visitor, int64_t now);
/* The work a reading path names ("/works/12", "/works/12/chapters/34"), or 0. */
int64_t hits_work_of_path(const char *path);
/* Writes the pending visits in one transaction; on failure they stay pending. Returns the
 * number of works they named, or a negative FICD_E* code. */
int hits_flush(struct store *s);
/* Hits counted but not yet written, for work_id (0: every work). */
int64_t hits_pending(int64_t work_id);
/* Forgets everything (tests, shutdown). */
void hits_free(void);

#endif
