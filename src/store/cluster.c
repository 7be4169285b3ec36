/* cluster.c: what several nodes on one database share beyond the data itself: change-log rows
 * of their own (CHANGE_SITE), waiting for the next change, a setting agreed on at first start
 * and the rate-limit counters. See store.h, "several nodes". */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int store_log_change(struct store *s, enum change_kind kind, int64_t object_id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    return sq_tx_end(s, sq_log_change(s, kind, object_id));
}

int store_wait_change(struct store *s, int64_t after, int timeout_ms)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* listening before looking, so that a change committed in between still wakes us */
    int (*notify)(struct store *, const char *, int) = s->drv->wait_notify;
    if (notify) {
        int rc = notify(s, "ficd_changes", 0);
        if (rc < 0)
            return rc;
    }
    for (;;) {
        int64_t seq = 0;
        int rc = store_last_change(s, &seq);
        if (rc)
            return rc;
        if (seq > after)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t left = (int64_t)timeout_ms - ((int64_t)(now.tv_sec - t0.tv_sec) * 1000 +
                                              (now.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0)
            return 0;
        if (notify) {
            if ((rc = notify(s, "ficd_changes", (int)left)) < 0)
                return rc;
            continue;
        }
        int64_t ms = left < 25 ? left : 25;
        struct timespec ts = {0, (long)ms * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int store_setting_init(struct store *s, const char *key, const char *value, char **stored)
{
    *stored = NULL;
    if (!key || !value)
        return sq_failf(s, FICD_EINVAL, "no setting key or value");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                                 "ON CONFLICT (key) DO NOTHING");
    if (!st) {
        rc = FICD_EDB;
    } else {
        sq_bind_text(st, 1, key);
        sq_bind_text(st, 2, value);
        rc = sq_run(s, st);
    }
    if (!rc)
        rc = store_setting_get(s, key, stored);
    if (!rc && !*stored)
        rc = sq_failf(s, FICD_EDB, "setting %s vanished", key);
    rc = sq_tx_end(s, rc);
    if (rc) {
        free(*stored);
        *stored = NULL;
    }
    return rc;
}

/* ---- rate limits ---- */

int store_rate_count(struct store *s, const char *key, int64_t now, int window, int64_t *count,
                     int64_t *expires)
{
    *count = 0;
    *expires = 0;
    if (!key || window <= 0)
        return sq_failf(s, FICD_EINVAL, "no rate-limit key or window");
    /* one statement: the window restarts when it ended, else the count grows */
    struct dbst *st = sq_prep(
        s, "INSERT INTO rate_limits (key, count, expires) VALUES (?1, 1, ?2 + ?3) "
           "ON CONFLICT (key) DO UPDATE SET "
           "count = CASE WHEN rate_limits.expires <= ?2 THEN 1 ELSE rate_limits.count + 1 END, "
           "expires = CASE WHEN rate_limits.expires <= ?2 THEN ?2 + ?3 "
           "ELSE rate_limits.expires END "
           "RETURNING count, expires");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, window);
    /* atomic on its own, so no write transaction (on PostgreSQL that would queue behind
     * every writer's lock) */
    int rc = sq_row(s, st);
    if (rc == 1) {
        *count = db_col_int(st, 0);
        *expires = db_col_int(st, 1);
        rc = db_step(st);
        rc = rc == DB_DONE ? 0 : rc < 0 ? rc : sq_failf(s, FICD_EDB, "two rate-limit rows");
        db_reset(st);
    } else if (rc == 0) {
        rc = sq_failf(s, FICD_EDB, "the rate-limit counter returned nothing");
    }
    return rc;
}

int store_rate_peek(struct store *s, const char *key, int64_t now, int64_t *count, int64_t *expires)
{
    *count = 0;
    *expires = 0;
    struct dbst *st =
        sq_prep(s, "SELECT count, expires FROM rate_limits WHERE key = ?1 AND expires > ?2");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    db_bind_int(st, 2, now);
    int rc = sq_row(s, st);
    if (rc == 1) {
        *count = db_col_int(st, 0);
        *expires = db_col_int(st, 1);
        db_reset(st);
    }
    return rc < 0 ? rc : 0;
}

int store_rate_uncount(struct store *s, const char *key)
{
    struct dbst *st =
        sq_prep(s, "UPDATE rate_limits SET count = count - 1 WHERE key = ?1 AND count > 0");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    return sq_run(s, st);
}

int store_rate_clear(struct store *s, const char *key)
{
    struct dbst *st = sq_prep(s, "DELETE FROM rate_limits WHERE key = ?1");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    return sq_run(s, st);
}

int store_rate_purge(struct store *s, int64_t now)
{
    struct dbst *st = sq_prep(s, "DELETE FROM rate_limits WHERE expires <= ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, now);
    return sq_run(s, st);
}
