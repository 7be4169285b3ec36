/* cluster.c: what several nodes on one database share beyond the data itself: change-log rows
 * of their own (CHANGE_SITE), waiting for the next change, a setting agreed on at first start,
 * the rate-limit counters and the visits hits were counted for. See store.h, "several
 * nodes". */
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

int store_changes_logged(struct store *s)
{
    return s->logged_at > 0 && s->logged_at == db_total_changes(s);
}

int store_change_push(struct store *s)
{
    return s->drv->wait_notify != NULL;
}

int store_wait_change(struct store *s, int64_t after, int timeout_ms, int64_t *last)
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
        if (last)
            *last = seq;
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

/* ---- hits counted once per visit across nodes ---- */

/* Adds n hits to work id (and logs the change when the work exists). */
static int add_hits(struct store *s, int64_t id, int64_t n)
{
    if (!n)
        return 0;
    struct dbst *st = sq_prep(s, "UPDATE works SET hits = hits + ?2 WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, n);
    int rc = sq_run(s, st);
    if (!rc && sq_changes(s) > 0)
        rc = sq_log_change(s, CHANGE_WORK, id);
    return rc;
}

int store_work_add_visits(struct store *s, const struct hit_visit *v, size_t n)
{
    if (!n)
        return 0;
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t first = v[0].day;
    for (size_t i = 1; i < n; i++)
        if (v[i].day < first)
            first = v[i].day;
    struct dbst *st = sq_prep(s, "DELETE FROM hit_visits WHERE day < ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, first - 1);
        rc = sq_run(s, st);
    }
    int64_t work = 0, count = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (v[i].work_id != work) {
            rc = add_hits(s, work, count);
            work = v[i].work_id;
            count = 0;
            if (rc)
                break;
        }
        st = sq_prep(s, "INSERT INTO hit_visits (day, key) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
        if (!st) {
            rc = FICD_EDB;
            break;
        }
        db_bind_int(st, 1, v[i].day);
        db_bind_int(st, 2, v[i].key);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) > 0)
            count++;
    }
    if (!rc)
        rc = add_hits(s, work, count);
    return sq_tx_end(s, rc);
}
