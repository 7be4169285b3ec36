/* sqlite_creators.c: the creators' side of the readers' tools in SQLite: statistics per work
 * and over time (hits per day from the trigger on works.hits, kudos, comments, public
 * bookmarks and subscriptions by their creation time), gifts, co-creator invitations and
 * removal, orphaning, and inspired-by links. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Works credited to the account (owned, or under one of its pseuds), not drafts. */
#define USER_WORKS                                                                                 \
    "SELECT w.id FROM works w WHERE w.draft = 0 AND (w.user_id = ?1 OR w.id IN (SELECT "           \
    "wc.work_id FROM work_creators wc JOIN pseuds p ON p.name = wc.name WHERE p.user_id = ?1))"

int store_user_work_stats(struct store *s, int64_t user_id, store_work_stat_cb cb, void *ctx)
{
    sqlite3_stmt *st;
    int e = sqlite3_prepare_v2(s->db,
                               "SELECT w.id, w.title, w.hits, w.kudos, w.comments, w.bookmarks, "
                               "w.subscriptions, (SELECT ifnull(sum(words), 0) FROM chapters c "
                               "WHERE c.work_id = w.id) FROM works w WHERE w.id IN (" USER_WORKS
                               ") ORDER BY w.id",
                               -1, &st, NULL);
    if (e != SQLITE_OK)
        return sq_fail(s, e);
    sqlite3_bind_int64(st, 1, user_id);
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        struct work_stat ws = {
            .work_id = sqlite3_column_int64(st, 0),
            .title = (const char *)sqlite3_column_text(st, 1),
            .hits = sqlite3_column_int64(st, 2),
            .kudos = sqlite3_column_int64(st, 3),
            .comments = sqlite3_column_int64(st, 4),
            .bookmarks = sqlite3_column_int64(st, 5),
            .subscriptions = sqlite3_column_int64(st, 6),
            .words = sqlite3_column_int64(st, 7),
        };
        if (cb(&ws, ctx))
            break;
    }
    int rc = e == SQLITE_DONE || e == SQLITE_ROW ? 0 : sq_fail(s, e);
    sqlite3_finalize(st);
    return rc;
}

int store_user_stats_over_time(struct store *s, int64_t user_id, int64_t work_id,
                               enum stats_period period, store_stats_point_cb cb, void *ctx)
{
    static const char *const fmt[] = {"%Y-%m-%d", "%Y-%m", "%Y"};
    if ((unsigned)period > STATS_YEAR)
        return sq_failf(s, FICD_EINVAL, "unknown period %d", (int)period);
    sqlite3_stmt *st;
    int e = sqlite3_prepare_v2(
        s->db,
        "WITH w(id) AS (" USER_WORKS " AND (?2 = 0 OR w.id = ?2)), "
        "ev(p, h, k, c, b, u) AS ("
        "SELECT strftime(?3, day * 86400, 'unixepoch'), hits, 0, 0, 0, 0 FROM work_hits_daily "
        "WHERE work_id IN w "
        "UNION ALL SELECT strftime(?3, created, 'unixepoch'), 0, 1, 0, 0, 0 FROM kudos WHERE "
        "work_id IN w "
        "UNION ALL SELECT strftime(?3, created, 'unixepoch'), 0, 0, 1, 0, 0 FROM comments WHERE "
        "work_id IN w AND deleted = 0 AND unreviewed = 0 "
        "UNION ALL SELECT strftime(?3, created, 'unixepoch'), 0, 0, 0, 1, 0 FROM bookmarks WHERE "
        "work_id IN w AND private = 0 "
        "UNION ALL SELECT strftime(?3, created, 'unixepoch'), 0, 0, 0, 0, 1 FROM subscriptions "
        "WHERE kind = 1 AND target_id IN w) "
        "SELECT p, sum(h), sum(k), sum(c), sum(b), sum(u) FROM ev GROUP BY p ORDER BY p",
        -1, &st, NULL);
    if (e != SQLITE_OK)
        return sq_fail(s, e);
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, work_id);
    sqlite3_bind_text(st, 3, fmt[period], -1, SQLITE_STATIC);
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        struct stats_point pt = {
            .period = (const char *)sqlite3_column_text(st, 0),
            .hits = sqlite3_column_int64(st, 1),
            .kudos = sqlite3_column_int64(st, 2),
            .comments = sqlite3_column_int64(st, 3),
            .bookmarks = sqlite3_column_int64(st, 4),
            .subscriptions = sqlite3_column_int64(st, 5),
        };
        if (pt.period && cb(&pt, ctx))
            break;
    }
    int rc = e == SQLITE_DONE || e == SQLITE_ROW ? 0 : sq_fail(s, e);
    sqlite3_finalize(st);
    return rc;
}
