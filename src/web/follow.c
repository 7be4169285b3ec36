/* follow.c: the change follower (see follow.h): one thread, one store, wait and apply. */
#include "web/follow.h"
#include "core/progress.h"
#include "index/index.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_t thread;
static int running;
static atomic_int stopping;
static atomic_ullong applied;
static struct store *fs;
static struct idx *fidx;
static int fwait_ms;
/* The change log's last entry as the thread last read it, and whether that is current: set
 * only while the thread sleeps in a wait the database ends at the next commit (PostgreSQL's
 * NOTIFY), cleared as soon as it wakes and while it applies changes. */
static _Atomic int64_t known_seq;
static atomic_int vouch;
static int push;

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *follow_main(void *arg)
{
    (void)arg;
    int64_t last_purge = 0, last_complaint = 0;
    while (!atomic_load(&stopping)) {
        /* what is there now (notifications already received are taken) */
        int64_t seq = 0;
        int rc = store_wait_change(fs, idx_seq(fidx), 0, &seq);
        if (rc == 0) {
            /* nothing to apply: sleep until the next commit, vouching for seq meanwhile */
            atomic_store(&known_seq, seq);
            atomic_store(&vouch, push);
            rc = store_wait_change(fs, seq, fwait_ms, &seq);
            atomic_store(&vouch, 0);
        }
        if (rc > 0) {
            atomic_store(&known_seq, seq);
            rc = idx_apply_changes(fidx, fs);
            if (rc > 0)
                atomic_fetch_add(&applied, (unsigned long long)rc);
        }
        int64_t now = progress_now_ms();
        if (rc < 0) {
            /* the database is away (a restart, a dropped connection): say so once a minute,
             * try again shortly; requests catch the index up themselves meanwhile */
            if (now - last_complaint > 60000) {
                fprintf(stderr, "ficd: the change follower cannot read the change log: %s\n",
                        rc == FICD_EDB || rc == FICD_EIO ? store_errmsg(fs) : ficd_strerror(rc));
                last_complaint = now;
            }
            store_clear_error(fs);
            pause_ms(fwait_ms < 1000 ? fwait_ms : 1000);
            continue;
        }
        if (now - last_purge > 60000) {
            if (store_rate_purge(fs, (int64_t)time(NULL)))
                store_clear_error(fs);
            last_purge = now;
        }
    }
    return NULL;
}

int web_follow_start(const char *data_dir, struct idx *idx, int wait_ms)
{
    if (running)
        return FICD_EINVAL;
    int rc = store_open(data_dir, &fs);
    if (rc)
        return rc;
    fidx = idx;
    fwait_ms = wait_ms > 0 ? wait_ms : 250;
    push = store_change_push(fs);
    atomic_store(&vouch, 0);
    atomic_store(&stopping, 0);
    if (pthread_create(&thread, NULL, follow_main, NULL)) {
        store_close(fs);
        fs = NULL;
        return FICD_ENOMEM;
    }
    running = 1;
    return 0;
}

void web_follow_stop(void)
{
    if (!running)
        return;
    atomic_store(&stopping, 1);
    pthread_join(thread, NULL);
    atomic_store(&vouch, 0);
    running = 0;
    store_close(fs);
    fs = NULL;
    fidx = NULL;
}

int web_follow_last_change(int64_t *seq)
{
    if (!atomic_load(&vouch))
        return 0;
    *seq = atomic_load(&known_seq);
    /* it may have woken meanwhile: then the value may be old, so do not vouch */
    return atomic_load(&vouch);
}

unsigned long long web_follow_applied(void)
{
    return atomic_load(&applied);
}
