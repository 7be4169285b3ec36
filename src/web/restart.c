/* restart.c: the search index across restarts (restart.h): loading the snapshot or building
 * from the store, and the background thread that completes full text and keeps the snapshot
 * fresh. */
#include "web/restart.h"
#include "core/progress.h"
#include "index/index.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char snap_path[1100], store_dir[1024];
static pthread_t bg_thread;
static int bg_running;
static pthread_mutex_t bg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bg_cv = PTHREAD_COND_INITIALIZER;
static int bg_stop;
static int64_t saved_seq = -1; /* the index position of the snapshot on disk, -1: none known */

/* Writes the snapshot when the index moved since the last one; logs the outcome. */
static void save(struct idx *idx, struct store *s, const char *why)
{
    int64_t seq = idx_seq(idx);
    if (seq == saved_seq || idx_fulltext_wait(idx))
        return;
    int64_t t0 = progress_now_ms();
    int rc = idx_snapshot_save(idx, s, snap_path);
    if (rc) {
        fprintf(stderr, "ficd: cannot write the index snapshot %s: %s\n", snap_path,
                rc == FICD_EDB ? store_errmsg(s) : ficd_strerror(rc));
        return;
    }
    saved_seq = seq;
    fprintf(stderr, "ficd: index snapshot written (%s) in %.2f s\n", why,
            (double)(progress_now_ms() - t0) / 1e3);
}

static void *background(void *arg)
{
    struct idx *idx = arg;
    struct store *s;
    if (store_open(store_dir, &s)) {
        fprintf(stderr, "ficd: the index's background thread cannot open the store\n");
        return NULL;
    }
    if (idx_fulltext_wait(idx)) {
        int64_t t0 = progress_now_ms();
        int rc = idx_build_fulltext(idx, s);
        if (rc == FICD_EBUSY) {
            store_close(s);
            return NULL; /* shutting down */
        }
        if (rc)
            fprintf(stderr, "ficd: full-text indexing failed: %s; text searches stay off\n",
                    rc == FICD_EDB || rc == FICD_EIO ? store_errmsg(s) : ficd_strerror(rc));
        else
            fprintf(stderr, "ficd: full text ready in %.2f s\n",
                    (double)(progress_now_ms() - t0) / 1e3);
        if (!rc)
            save(idx, s, "after the build");
    }
    pthread_mutex_lock(&bg_mu);
    while (!bg_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += INDEX_SNAPSHOT_EVERY;
        pthread_cond_timedwait(&bg_cv, &bg_mu, &ts);
        if (bg_stop)
            break;
        pthread_mutex_unlock(&bg_mu);
        save(idx, s, "periodic");
        pthread_mutex_lock(&bg_mu);
    }
    pthread_mutex_unlock(&bg_mu);
    store_close(s);
    return NULL;
}

int index_start(const char *data_dir, struct store *s, struct idx **out)
{
    snprintf(store_dir, sizeof(store_dir), "%s", data_dir);
    snprintf(snap_path, sizeof(snap_path), "%s/%s", data_dir, INDEX_SNAPSHOT_FILE);
    int64_t t0 = progress_now_ms();
    struct idx *idx;
    int rc = idx_new(1, &idx);
    if (rc)
        return rc;
    char why[300] = "";
    rc = idx_snapshot_load(idx, s, snap_path, why, sizeof(why));
    if (rc >= 0) {
        /* the file on disk is the index, unless changes were applied on top */
        saved_seq = rc == 0 ? idx_seq(idx) : -1;
        rc = 0;
        struct idx_stats st;
        idx_get_stats(idx, &st);
        fprintf(stderr,
                "ficd: indexed %llu works from the snapshot %s (%llu tags, %llu terms) in "
                "%.2f s\n",
                (unsigned long long)st.live, snap_path, (unsigned long long)st.tags,
                (unsigned long long)st.terms, (double)(progress_now_ms() - t0) / 1e3);
    } else {
        if (rc != FICD_ENOTFOUND)
            fprintf(stderr, "ficd: %s not used: %s; building the index from the store\n", snap_path,
                    why);
        idx_free(idx);
        if ((rc = idx_new(1, &idx)))
            return rc;
        /* Small archives are built whole (a second or two); big ones serve listings first. */
        int64_t works = 0;
        const char *env = getenv("FICD_INDEX_DEFER_MIN");
        long defer_min = env && *env ? strtol(env, NULL, 10) : INDEX_DEFER_MIN;
        int defer = store_work_count(s, 0, &works) || works >= defer_min;
        rc = defer ? idx_build_deferred(idx, s, isatty(STDERR_FILENO))
                   : idx_build(idx, s, isatty(STDERR_FILENO));
        if (rc) {
            fprintf(stderr, "ficd serve: cannot build the search index: %s\n",
                    rc == FICD_EDB || rc == FICD_EIO ? store_errmsg(s) : ficd_strerror(rc));
            idx_free(idx);
            return rc;
        }
        struct idx_stats st;
        idx_get_stats(idx, &st);
        if (defer)
            fprintf(stderr,
                    "ficd: indexed %llu works (%llu tags) in %.2f s; full text is being built in "
                    "the background\n",
                    (unsigned long long)st.live, (unsigned long long)st.tags,
                    (double)(progress_now_ms() - t0) / 1e3);
        else
            fprintf(stderr, "ficd: indexed %llu works (%llu tags, %llu terms) in %.2f s\n",
                    (unsigned long long)st.live, (unsigned long long)st.tags,
                    (unsigned long long)st.terms, (double)(progress_now_ms() - t0) / 1e3);
    }
    bg_stop = 0;
    if (pthread_create(&bg_thread, NULL, background, idx)) {
        idx_free(idx);
        return FICD_ENOMEM;
    }
    bg_running = 1;
    *out = idx;
    return 0;
}

void index_stop(struct idx *idx)
{
    if (!idx)
        return;
    if (bg_running) {
        idx_fulltext_cancel(idx);
        pthread_mutex_lock(&bg_mu);
        bg_stop = 1;
        pthread_cond_broadcast(&bg_cv);
        pthread_mutex_unlock(&bg_mu);
        pthread_join(bg_thread, NULL);
        bg_running = 0;
    }
    struct store *s;
    if (!store_open(store_dir, &s)) {
        save(idx, s, "at shutdown");
        store_close(s);
    }
    idx_free(idx);
}
