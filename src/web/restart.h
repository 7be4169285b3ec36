/* restart.h: the search index across restarts of `ficd serve`: at start, the snapshot in the
 * data directory (index.snap) when it is valid, else a build from the store that serves
 * listings first and builds full text in the background; snapshots written after that build,
 * every few minutes when the index changed, and at a clean shutdown. */
#ifndef FICD_WEB_RESTART_H
#define FICD_WEB_RESTART_H

#include "store/store.h"

struct idx;

/* The snapshot's file name in the data directory. */
#define INDEX_SNAPSHOT_FILE "index.snap"
/* Archives of fewer works are indexed whole before serving (full text in the background for
 * bigger ones); the environment variable FICD_INDEX_DEFER_MIN overrides it. */
#define INDEX_DEFER_MIN 20000
/* How often a changed index is written again (seconds). */
#define INDEX_SNAPSHOT_EVERY 600

/* Makes the index for data_dir (s is open on it; used during the call only) and starts the
 * background thread (full text when it is still missing, then snapshots). Logs what it did
 * and how long it took on stderr. */
int index_start(const char *data_dir, struct store *s, struct idx **out);
/* Stops the background thread (an unfinished full-text build is abandoned), writes a last
 * snapshot when the index has changed since the last one and is complete, and frees idx. */
void index_stop(struct idx *idx);

#endif
