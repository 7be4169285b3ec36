/* sqlite_creators.c: the creators' side of the readers' tools in SQLite: statistics per work
 * and over time (hits per day from the trigger on works.hits, kudos, comments, public
 * bookmarks and subscriptions by their creation time), gifts, co-creator invitations and
 * removal, orphaning, and inspired-by links. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Works credited to the account (owned, or under one of its pseuds), not drafts. */
#define USER_WORKS                                                                                 \
    "SELECT w.id FROM works w WHERE w.draft = 0 AND (w.user_id = ?1 OR w.id IN (SELECT "           \
    "wc.work_id FROM work_creators wc JOIN pseuds p ON p.name = wc.name WHERE p.user_id = ?1))"

int store_user_work_stats(struct store *s, int64_t user_id, store_work_stat_cb cb, void *ctx)
{
    struct dbst *st;
    int e = db_prepare(s,
                       "SELECT w.id, w.title, w.hits, w.kudos, w.comments, w.bookmarks, "
                       "w.subscriptions, (SELECT coalesce(sum(words), 0) FROM chapters c "
                       "WHERE c.work_id = w.id) FROM works w WHERE w.id IN (" USER_WORKS
                       ") ORDER BY w.id",
                       &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, user_id);
    while ((e = db_step(st)) == DB_ROW) {
        struct work_stat ws = {
            .work_id = db_col_int(st, 0),
            .title = db_col_text(st, 1),
            .hits = db_col_int(st, 2),
            .kudos = db_col_int(st, 3),
            .comments = db_col_int(st, 4),
            .bookmarks = db_col_int(st, 5),
            .subscriptions = db_col_int(st, 6),
            .words = db_col_int(st, 7),
        };
        if (cb(&ws, ctx))
            break;
    }
    int rc = e == DB_DONE || e == DB_ROW ? 0 : sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_user_stats_over_time(struct store *s, int64_t user_id, int64_t work_id,
                               enum stats_period period, store_stats_point_cb cb, void *ctx)
{
    static const char *const fmt[] = {"%Y-%m-%d", "%Y-%m", "%Y"};
    static const char *const pg_fmt[] = {"YYYY-MM-DD", "YYYY-MM", "YYYY"};
    if ((unsigned)period > STATS_YEAR)
        return sq_failf(s, FICD_EINVAL, "unknown period %d", (int)period);
/* The period (?3, a format) of a unix time x, in each dialect. */
#define PERIOD_SQ(x) "strftime(?3, " x ", 'unixepoch')"
#define PERIOD_PG(x) "to_char(to_timestamp(" x ") AT TIME ZONE 'UTC', ?3)"
#define STATS_SQL(P)                                                                               \
    "WITH w(id) AS (" USER_WORKS " AND (?2 = 0 OR w.id = ?2)), "                                   \
    "ev(p, h, k, c, b, u) AS ("                                                                    \
    "SELECT " P(                                                                                   \
        "day * 86400") ", hits, 0, 0, 0, 0 FROM work_hits_daily "                                  \
                       "WHERE work_id IN (SELECT id FROM w) "                                      \
                       "UNION ALL SELECT " P(                                                      \
                           "created") ", 0, 1, 0, 0, 0 FROM kudos WHERE "                          \
                                      "work_id IN (SELECT id FROM w) "                             \
                                      "UNION ALL SELECT " P(                                       \
                                          "created") ", 0, 0, 1, 0, 0 FROM comments WHERE "        \
                                                     "work_id IN (SELECT id FROM w) AND deleted "  \
                                                     "= 0 AND unreviewed = 0 "                     \
                                                     "UNION ALL SELECT " P(                        \
                                                         "created") ", 0, 0, 0, 1, 0 FROM "        \
                                                                    "bookmarks WHERE "             \
                                                                    "work_id IN (SELECT id FROM "  \
                                                                    "w) AND private = 0 "          \
                                                                    "UNION ALL SELECT " P(         \
                                                                        "created") ", 0, 0, 0, "   \
                                                                                   "0, 1 FROM "    \
                                                                                   "subscriptions" \
                                                                                   " "             \
                                                                                   "WHERE kind = " \
                                                                                   "1 AND "        \
                                                                                   "target_id IN " \
                                                                                   "(SELECT id "   \
                                                                                   "FROM w)) "     \
                                                                                   "SELECT p, "    \
                                                                                   "sum(h), "      \
                                                                                   "sum(k), "      \
                                                                                   "sum(c), "      \
                                                                                   "sum(b), "      \
                                                                                   "sum(u) FROM "  \
                                                                                   "ev GROUP BY "  \
                                                                                   "p ORDER BY p"
    struct dbst *st;
    const char *sql = db_sql(s, STATS_SQL(PERIOD_SQ), STATS_SQL(PERIOD_PG));
    int e = db_prepare(s, sql, &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, work_id);
    db_bind_text(st, 3, db_sql(s, fmt[period], pg_fmt[period]));
    while ((e = db_step(st)) == DB_ROW) {
        struct stats_point pt = {
            .period = db_col_text(st, 0),
            .hits = db_col_int(st, 1),
            .kudos = db_col_int(st, 2),
            .comments = db_col_int(st, 3),
            .bookmarks = db_col_int(st, 4),
            .subscriptions = db_col_int(st, 5),
        };
        if (pt.period && cb(&pt, ctx))
            break;
    }
    int rc = e == DB_DONE || e == DB_ROW ? 0 : sq_fail(s, e);
    db_finalize(st);
    return rc;
}

/* ---- helpers ---- */

static int64_t scalar(struct store *s, struct dbst *st, int *found, int *rc)
{
    int r = sq_row(s, st);
    *found = r == 1;
    if (r < 0)
        *rc = r;
    if (r != 1)
        return 0;
    int64_t v = db_col_int(st, 0);
    db_reset(st);
    return v;
}

static int push_id(int64_t **v, size_t *n, int64_t x)
{
    int64_t *nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv)
        return FICD_ENOMEM;
    nv[(*n)++] = x;
    *v = nv;
    return 0;
}

/* The account a name stands for (a user name or one of its pseuds); 0 when none. */
static int64_t account_of(struct store *s, const char *name, int *rc)
{
    struct dbst *st = sq_prep(s, "SELECT id FROM users WHERE name = ?1 UNION ALL SELECT user_id "
                                 "FROM pseuds WHERE name = ?1 LIMIT 1");
    if (!st) {
        *rc = FICD_EDB;
        return 0;
    }
    sq_bind_text(st, 1, name);
    int found = 0;
    return scalar(s, st, &found, rc);
}

int store_account_by_name(struct store *s, const char *name, int64_t *user_id)
{
    int rc = 0;
    *user_id = account_of(s, name, &rc);
    return rc;
}

/* ---- gifts ---- */

int store_gifts_set(struct store *s, int64_t work_id, const struct strlist *recipients,
                    int64_t **new_users, size_t *n_new)
{
    *new_users = NULL;
    *n_new = 0;
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    /* recipients no longer named go; kept ones keep their refusal */
    struct dbst *st = sq_prep(s, "SELECT id, recipient FROM gifts WHERE work_id = ?1");
    int64_t *drop = NULL;
    size_t ndrop = 0;
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, work_id);
        int e;
        while ((e = db_step(st)) == DB_ROW)
            if (!strlist_contains(recipients, db_col_text(st, 1)) &&
                push_id(&drop, &ndrop, db_col_int(st, 0))) {
                rc = sq_failf(s, FICD_ENOMEM, "out of memory");
                break;
            }
        if (!rc && e != DB_DONE)
            rc = sq_fail(s, e);
        db_reset(st);
    }
    for (size_t i = 0; !rc && i < ndrop; i++) {
        st = sq_prep(s, "DELETE FROM gifts WHERE id = ?1");
        if (!st) {
            rc = FICD_EDB;
            break;
        }
        db_bind_int(st, 1, drop[i]);
        rc = sq_run(s, st);
    }
    free(drop);
    for (size_t i = 0; !rc && i < recipients->n; i++) {
        const char *name = recipients->v[i];
        if (!name || !*name)
            continue;
        int64_t uid = account_of(s, name, &rc);
        if (rc)
            break;
        st = sq_prep(s, "INSERT INTO gifts (work_id, recipient, user_id, created) "
                        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
        if (!st) {
            rc = FICD_EDB;
            break;
        }
        db_bind_int(st, 1, work_id);
        sq_bind_text(st, 2, name);
        sq_bind_id(st, 3, uid);
        db_bind_int(st, 4, sq_now());
        rc = sq_run(s, st);
        if (!rc && uid && sq_changes(s) > 0)
            rc = push_id(new_users, n_new, uid);
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, work_id);
    rc = sq_tx_end(s, rc);
    if (rc) {
        free(*new_users);
        *new_users = NULL;
        *n_new = 0;
    }
    return rc;
}

static int gift_rows(struct store *s, struct dbst *st, store_gift_cb cb, void *ctx)
{
    int e;
    while ((e = db_step(st)) == DB_ROW) {
        struct gift g = {
            .id = db_col_int(st, 0),
            .work_id = db_col_int(st, 1),
            .user_id = db_col_int(st, 2),
            .recipient = db_col_text(st, 3),
            .refused = (int)db_col_int(st, 4),
            .created = db_col_int(st, 5),
            .work_title = db_col_text(st, 6),
        };
        if (cb(&g, ctx))
            break;
    }
    int rc = e == DB_DONE || e == DB_ROW ? 0 : sq_fail(s, e);
    db_finalize(st);
    return rc;
}

#define GIFT_COLS                                                                                  \
    "g.id, g.work_id, coalesce(g.user_id, 0), g.recipient, g.refused, g.created, w.title"

int store_gifts_of_work(struct store *s, int64_t work_id, int include_refused, store_gift_cb cb,
                        void *ctx)
{
    struct dbst *st;
    int e = db_prepare(s,
                       "SELECT " GIFT_COLS " FROM gifts g JOIN works w ON w.id = "
                       "g.work_id WHERE g.work_id = ?1 AND (?2 <> 0 OR g.refused = 0) ORDER "
                       "BY g.id",
                       &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, work_id);
    db_bind_int(st, 2, include_refused ? 1 : 0);
    return gift_rows(s, st, cb, ctx);
}

int store_gifts_for_user(struct store *s, int64_t user_id, int include_refused,
                         int include_restricted, store_gift_cb cb, void *ctx)
{
    struct dbst *st;
    int e = db_prepare(s,
                       "SELECT " GIFT_COLS " FROM gifts g JOIN works w ON w.id = "
                       "g.work_id WHERE g.user_id = ?1 AND (?2 <> 0 OR g.refused = 0) AND "
                       "w.draft = 0 AND w.hidden = 0 AND (?3 <> 0 OR w.restricted = 0) ORDER "
                       "BY g.created DESC, g.id DESC",
                       &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, include_refused ? 1 : 0);
    db_bind_int(st, 3, include_restricted ? 1 : 0);
    return gift_rows(s, st, cb, ctx);
}

int store_gift_refuse(struct store *s, int64_t gift_id, int64_t user_id, int refused)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int found = 0;
    struct dbst *st = sq_prep(s, "SELECT work_id FROM gifts WHERE id = ?1 AND user_id = ?2");
    int64_t work_id = 0;
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, gift_id);
        db_bind_int(st, 2, user_id);
        work_id = scalar(s, st, &found, &rc);
        if (!rc && !found)
            rc = sq_failf(s, FICD_ENOTFOUND, "no such gift to you");
    }
    st = rc ? NULL : sq_prep(s, "UPDATE gifts SET refused = ?2 WHERE id = ?1");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, gift_id);
        db_bind_int(st, 2, refused ? 1 : 0);
        rc = sq_run(s, st);
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, work_id);
    return sq_tx_end(s, rc);
}

/* ---- co-creators ---- */

int store_creator_invite(struct store *s, int64_t work_id, int64_t user_id, int64_t inviter_id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "INSERT INTO creator_invites (work_id, user_id, inviter_id, "
                                 "created) VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, user_id);
        sq_bind_id(st, 3, inviter_id);
        db_bind_int(st, 4, sq_now());
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}

int store_creator_invites_of_work(struct store *s, int64_t work_id, struct strlist *names)
{
    struct dbst *st = sq_prep(s, "SELECT u.name FROM creator_invites i JOIN users u ON u.id = "
                                 "i.user_id WHERE i.work_id = ?1 ORDER BY i.created, u.name");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW)
        if (strlist_add(names, db_col_text(st, 0))) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    return rc;
}

int store_creator_invite_cancel(struct store *s, int64_t work_id, int64_t user_id)
{
    struct dbst *st = sq_prep(s, "DELETE FROM creator_invites WHERE work_id = ?1 AND user_id = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    db_bind_int(st, 2, user_id);
    return sq_run(s, st);
}

int store_creator_invited(struct store *s, int64_t work_id, int64_t user_id, int *invited)
{
    struct dbst *st =
        sq_prep(s, "SELECT 1 FROM creator_invites WHERE work_id = ?1 AND user_id = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    db_bind_int(st, 2, user_id);
    int rc = 0;
    scalar(s, st, invited, &rc);
    return rc;
}

/* Credits work_id to name too (after the last creator). */
static int add_credit(struct store *s, int64_t work_id, const char *name)
{
    struct dbst *st = sq_prep(s, "INSERT INTO work_creators (work_id, position, name) SELECT ?1, "
                                 "coalesce(max(position), 0) + 1, ?2 FROM work_creators WHERE "
                                 "work_id = ?1 AND NOT EXISTS (SELECT 1 FROM work_creators "
                                 "WHERE work_id = ?1 AND name = ?2)");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    sq_bind_text(st, 2, name);
    return sq_run(s, st);
}

int store_creator_invite_answer(struct store *s, int64_t work_id, int64_t user_id, int accept)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int invited = 0;
    rc = store_creator_invited(s, work_id, user_id, &invited);
    if (!rc && !invited)
        rc =
            sq_failf(s, FICD_ENOTFOUND, "no invitation to co-create work %lld", (long long)work_id);
    if (!rc)
        rc = store_creator_invite_cancel(s, work_id, user_id);
    if (!rc && accept) {
        struct dbst *st = sq_prep(s, "SELECT name FROM users WHERE id = ?1");
        char *name = NULL;
        if (!st)
            rc = FICD_EDB;
        else {
            db_bind_int(st, 1, user_id);
            int r = sq_row(s, st);
            if (r < 0)
                rc = r;
            else if (r == 0)
                rc = sq_failf(s, FICD_ENOTFOUND, "no such user");
            else {
                rc = sq_col_dup(st, 0, &name);
                db_reset(st);
            }
        }
        if (!rc)
            rc = add_credit(s, work_id, name);
        free(name);
        if (!rc)
            rc = sq_log_change(s, CHANGE_WORK, work_id);
    }
    return sq_tx_end(s, rc);
}

int store_work_remove_creator(struct store *s, int64_t work_id, int64_t user_id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int found = 0;
    struct dbst *st = sq_prep(s, "SELECT count(*) FROM work_creators WHERE work_id = ?1 AND "
                                 "name NOT IN (SELECT name FROM pseuds WHERE user_id = ?2)");
    int64_t others = 0, mine = 0;
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, user_id);
        others = scalar(s, st, &found, &rc);
    }
    st = rc ? NULL
            : sq_prep(s, "SELECT count(*) FROM work_creators WHERE work_id = ?1 AND name IN "
                         "(SELECT name FROM pseuds WHERE user_id = ?2)");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, user_id);
        mine = scalar(s, st, &found, &rc);
    }
    if (!rc && !mine)
        rc = sq_failf(s, FICD_ENOTFOUND, "you are not a creator of this work");
    if (!rc && !others)
        rc = sq_failf(s, FICD_EINVAL, "you are its only creator: orphan the work instead");
    /* the work's account passes to another creator's account when its owner leaves */
    int64_t heir = 0;
    st = rc ? NULL
            : sq_prep(s, "SELECT p.user_id FROM work_creators wc JOIN pseuds p ON p.name = "
                         "wc.name WHERE wc.work_id = ?1 AND p.user_id <> ?2 ORDER BY "
                         "wc.position LIMIT 1");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, user_id);
        heir = scalar(s, st, &found, &rc);
    }
    st = rc ? NULL : sq_prep(s, "UPDATE works SET user_id = ?3 WHERE id = ?1 AND user_id = ?2");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, user_id);
        sq_bind_id(st, 3, heir);
        rc = sq_run(s, st);
    }
    st = rc ? NULL
            : sq_prep(s, "DELETE FROM work_creators WHERE work_id = ?1 AND name IN (SELECT name "
                         "FROM pseuds WHERE user_id = ?2)");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, user_id);
        rc = sq_run(s, st);
    }
    /* positions keep their gaps: they only order the byline */
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, work_id);
    return sq_tx_end(s, rc);
}

#define ORPHAN_NAME "orphan_account"

int store_orphan_account(struct store *s, int64_t *id)
{
    int rc = 0;
    *id = account_of(s, ORPHAN_NAME, &rc);
    if (rc || *id)
        return rc;
    /* an account nobody can log in to (no password hash) */
    struct user u = {.name = ORPHAN_NAME};
    rc = store_user_create(s, &u);
    if (!rc)
        *id = u.id;
    return rc;
}

int store_work_orphan(struct store *s, int64_t work_id)
{
    /* the account first, in its own unit of work (store_user_create has one) */
    int64_t orphan = 0;
    int rc = store_orphan_account(s, &orphan);
    if (rc || (rc = sq_tx_begin(s)))
        return rc;
    struct dbst *st = sq_prep(s, "DELETE FROM work_creators WHERE work_id = ?1");
    if (!st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, work_id);
        rc = sq_run(s, st);
    }
    st = rc ? NULL
            : sq_prep(s, "INSERT INTO work_creators (work_id, position, name) VALUES (?1, 1, "
                         "?2)");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, work_id);
        sq_bind_text(st, 2, ORPHAN_NAME);
        rc = sq_run(s, st);
    }
    st = rc ? NULL : sq_prep(s, "UPDATE works SET user_id = ?2 WHERE id = ?1");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, orphan);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)work_id);
    }
    /* pending co-creator invitations make no sense any more */
    st = rc ? NULL : sq_prep(s, "DELETE FROM creator_invites WHERE work_id = ?1");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, work_id);
        rc = sq_run(s, st);
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, work_id);
    return sq_tx_end(s, rc);
}

/* ---- inspired by ---- */

int store_inspiration_set(struct store *s, int64_t work_id, int64_t parent_id, int approved,
                          int *added)
{
    *added = 0;
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "DELETE FROM inspirations WHERE work_id = ?1 AND parent_id <> ?2");
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, parent_id);
        rc = sq_run(s, st);
    }
    if (!rc && parent_id > 0) {
        st = sq_prep(s, "INSERT INTO inspirations (work_id, parent_id, approved, "
                        "created) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
        if (!st)
            rc = FICD_EDB;
        else {
            db_bind_int(st, 1, work_id);
            db_bind_int(st, 2, parent_id);
            db_bind_int(st, 3, approved ? 1 : 0);
            db_bind_int(st, 4, sq_now());
            rc = sq_run(s, st);
            if (rc == FICD_EDB)
                sq_failf(s, rc, "work %lld cannot be its own inspiration", (long long)work_id);
            *added = !rc && sq_changes(s) > 0;
        }
    }
    return sq_tx_end(s, rc);
}

int store_inspiration_answer(struct store *s, int64_t parent_id, int64_t work_id, int approve)
{
    struct dbst *st = sq_prep(s, approve ? "UPDATE inspirations SET approved = 1 WHERE "
                                           "parent_id = ?1 AND work_id = ?2"
                                         : "DELETE FROM inspirations WHERE parent_id = ?1 AND "
                                           "work_id = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, parent_id);
    db_bind_int(st, 2, work_id);
    int rc = sq_run(s, st);
    if (!rc && sq_changes(s) == 0)
        rc = sq_failf(s, FICD_ENOTFOUND, "no such inspired-by link");
    return rc;
}

int store_inspirations(struct store *s, int64_t work_id, int children, store_inspiration_cb cb,
                       void *ctx)
{
    struct dbst *st;
    int e = db_prepare(s,
                       children
                           ? "SELECT work_id, parent_id, approved, created FROM inspirations WHERE "
                             "parent_id = ?1 ORDER BY created, work_id"
                           : "SELECT work_id, parent_id, approved, created FROM inspirations WHERE "
                             "work_id = ?1 ORDER BY created, parent_id",
                       &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, work_id);
    /* rows first: cb may read the works */
    struct inspiration *v = NULL;
    size_t n = 0;
    int rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        struct inspiration *nv = realloc(v, (n + 1) * sizeof(*nv));
        if (!nv) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
        v = nv;
        v[n++] = (struct inspiration){db_col_int(st, 0), db_col_int(st, 1), (int)db_col_int(st, 2),
                                      db_col_int(st, 3)};
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    for (size_t i = 0; !rc && i < n; i++)
        if (cb(&v[i], ctx))
            break;
    free(v);
    return rc;
}
