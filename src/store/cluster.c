/* cluster.c: what several nodes on one database share beyond the data itself: change-log rows
 * of their own (CHANGE_SITE), waiting for the next change, a setting agreed on at first start
 * and the rate-limit counters. See store.h, "several nodes". */
#include "store/sqlite_int.h"

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
    sqlite3_stmt *st = sq_prep(s, "INSERT INTO settings (key, value) VALUES (?1, ?2) "
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

/* TEMPORARY until the store conversion lands: the table is created on first use here; it
 * moves into a migration on both backends then. */
static int rate_table(struct store *s)
{
    char *msg = NULL;
    int e = sqlite3_exec(s->db,
                         "CREATE TABLE IF NOT EXISTS rate_limits (key TEXT PRIMARY KEY, "
                         "count INTEGER NOT NULL, expires INTEGER NOT NULL)",
                         NULL, NULL, &msg);
    sqlite3_free(msg);
    return e == SQLITE_OK ? 0 : sq_fail(s, e);
}

static sqlite3_stmt *rate_prep(struct store *s, const char *sql)
{
    sqlite3_stmt *st = sq_prep(s, sql);
    if (!st && strstr(store_errmsg(s), "no such table") && rate_table(s) == 0)
        st = sq_prep(s, sql);
    return st;
}

int store_rate_count(struct store *s, const char *key, int64_t now, int window, int64_t *count,
                     int64_t *expires)
{
    *count = 0;
    *expires = 0;
    if (!key || window <= 0)
        return sq_failf(s, FICD_EINVAL, "no rate-limit key or window");
    /* one statement: the window restarts when it ended, else the count grows */
    sqlite3_stmt *st = rate_prep(
        s, "INSERT INTO rate_limits (key, count, expires) VALUES (?1, 1, ?2 + ?3) "
           "ON CONFLICT (key) DO UPDATE SET "
           "count = CASE WHEN rate_limits.expires <= ?2 THEN 1 ELSE rate_limits.count + 1 END, "
           "expires = CASE WHEN rate_limits.expires <= ?2 THEN ?2 + ?3 "
           "ELSE rate_limits.expires END "
           "RETURNING count, expires");
    if (!st)
        return FICD_EDB;
    int rc = sq_tx_begin(s);
    if (rc) {
        sqlite3_reset(st);
        return rc;
    }
    sq_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, window);
    rc = sq_row(s, st);
    if (rc == 1) {
        *count = sqlite3_column_int64(st, 0);
        *expires = sqlite3_column_int64(st, 1);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sq_fail(s, sqlite3_errcode(s->db));
        sqlite3_reset(st);
    } else if (rc == 0) {
        rc = sq_failf(s, FICD_EDB, "the rate-limit counter returned nothing");
    }
    return sq_tx_end(s, rc);
}

int store_rate_peek(struct store *s, const char *key, int64_t now, int64_t *count, int64_t *expires)
{
    *count = 0;
    *expires = 0;
    sqlite3_stmt *st =
        rate_prep(s, "SELECT count, expires FROM rate_limits WHERE key = ?1 AND expires > ?2");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, now);
    int rc = sq_row(s, st);
    if (rc == 1) {
        *count = sqlite3_column_int64(st, 0);
        *expires = sqlite3_column_int64(st, 1);
        sqlite3_reset(st);
    }
    return rc < 0 ? rc : 0;
}

int store_rate_uncount(struct store *s, const char *key)
{
    sqlite3_stmt *st =
        rate_prep(s, "UPDATE rate_limits SET count = count - 1 WHERE key = ?1 AND count > 0");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    return sq_run(s, st);
}

int store_rate_clear(struct store *s, const char *key)
{
    sqlite3_stmt *st = rate_prep(s, "DELETE FROM rate_limits WHERE key = ?1");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    return sq_run(s, st);
}

int store_rate_purge(struct store *s, int64_t now)
{
    sqlite3_stmt *st = rate_prep(s, "DELETE FROM rate_limits WHERE expires <= ?1");
    if (!st)
        return FICD_EDB;
    sqlite3_bind_int64(st, 1, now);
    return sq_run(s, st);
}
