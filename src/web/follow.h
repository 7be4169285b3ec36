/* follow.h: the change follower of `ficd serve`: a thread with a store of its own that waits
 * for the store's next change-log entry (PostgreSQL: LISTEN/NOTIFY; SQLite: a short poll) and
 * applies it to the search index at once, so that readers on this node find the index current
 * instead of catching it up themselves, whichever node or process wrote. The change log is
 * the truth: a missed notification or a node that was down only means more entries to apply
 * on the next wake. It also drops ended rate-limit windows once a minute. */
#ifndef FICD_WEB_FOLLOW_H
#define FICD_WEB_FOLLOW_H

#include <stdint.h>

struct idx;

/* Starts the thread for idx on the store of data_dir; 0, or a negative FICD_E* code (the
 * server then still works: requests catch the index up themselves). wait_ms bounds how long
 * one wait lasts (and so how long web_follow_stop can take). */
int web_follow_start(const char *data_dir, struct idx *idx, int wait_ms);
/* Stops and joins it (nothing when it is not running). */
void web_follow_stop(void);
/* 1 and the change log's last entry in *seq while the thread vouches that it is current:
 * it sleeps in a wait that the database ends at the next commit (PostgreSQL: LISTEN), so a
 * write on any node reaches it within the notification's delivery (milliseconds). 0 when it
 * cannot say (SQLite, which it polls; while it applies changes; the database away): ask the
 * store. Lets a cached page be served without a round trip to the database. */
int web_follow_last_change(int64_t *seq);
/* Changes applied by the thread so far (tests and the access log). */
unsigned long long web_follow_applied(void);

#endif
