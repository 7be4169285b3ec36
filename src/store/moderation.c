/* moderation.c: moderation in the store: reports and their resolution, the moderators' audit
 * log, listing accounts, suspensions and bans, password reset tokens (split from feedback.c). */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reports ---- */

int store_report_add(struct store *s, enum report_kind kind, int64_t object_id, int64_t reporter_id,
                     const char *ip, const char *reason, int64_t *id)
{
    if (kind < REPORT_WORK || kind > REPORT_USER)
        return sq_failf(s, FICD_EINVAL, "unknown report kind %d", (int)kind);
    if (!reason || !*reason)
        return sq_failf(s, FICD_EINVAL, "a report needs a reason");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "INSERT INTO reports (kind, object_id, reporter_id, ip, reason, "
                                 "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, (int)kind);
        db_bind_int(st, 2, object_id);
        sq_bind_id(st, 3, reporter_id > 0 ? reporter_id : 0);
        sq_bind_text(st, 4, ip);
        sq_bind_text(st, 5, reason);
        db_bind_int(st, 6, sq_now());
        rc = sq_run(s, st);
        if (!rc && id)
            *id = db_last_id(s);
    }
    return sq_tx_end(s, rc);
}

#define REPORT_SELECT                                                                              \
    "SELECT r.id, r.kind, r.object_id, coalesce(r.reporter_id, 0), u.name, r.ip, r.reason, "       \
    "r.created, r.resolved, b.name, r.resolution FROM reports r LEFT JOIN users u ON u.id = "      \
    "r.reporter_id LEFT JOIN users b ON b.id = r.resolved_by "

static int report_rows(struct store *s, struct dbst *st, store_report_cb cb, void *ctx)
{
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        struct report rep = {.id = db_col_int(st, 0),
                             .kind = (enum report_kind)(int)db_col_int(st, 1),
                             .object_id = db_col_int(st, 2),
                             .reporter_id = db_col_int(st, 3),
                             .reporter = db_col_text(st, 4),
                             .ip = db_col_text(st, 5),
                             .reason = db_col_text(st, 6),
                             .created = db_col_int(st, 7),
                             .resolved = (int)db_col_int(st, 8),
                             .resolved_by = db_col_text(st, 9),
                             .resolution = db_col_text(st, 10)};
        if (cb(&rep, ctx))
            break;
    }
    if (e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_report_list(struct store *s, int resolved, int offset, int limit, store_report_cb cb,
                      void *ctx, int64_t *total)
{
    int rc = sq_count_into(s, "SELECT count(*) FROM reports WHERE resolved = ?1", resolved ? 1 : 0,
                           0, total);
    if (rc)
        return rc;
    struct dbst *st = sq_prep_once(
        s, resolved ? REPORT_SELECT "WHERE r.resolved = 1 ORDER BY r.id DESC LIMIT ?1 OFFSET ?2"
                    : REPORT_SELECT "WHERE r.resolved = 0 ORDER BY r.id LIMIT ?1 OFFSET ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, limit > 0 ? limit : INT64_MAX);
    db_bind_int(st, 2, offset > 0 ? offset : 0);
    return report_rows(s, st, cb, ctx);
}

static int found_cb(const struct report *rep, void *ctx)
{
    (void)rep;
    *(int *)ctx = 1;
    return 0;
}

struct report_get_ctx {
    store_report_cb cb;
    void *ctx;
    int found;
};

static int report_get_cb(const struct report *rep, void *ctx)
{
    struct report_get_ctx *g = ctx;
    found_cb(rep, &g->found);
    return g->cb(rep, g->ctx);
}

int store_report_get(struct store *s, int64_t id, store_report_cb cb, void *ctx)
{
    struct dbst *st = sq_prep_once(s, REPORT_SELECT "WHERE r.id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    struct report_get_ctx g = {cb, ctx, 0};
    int rc = report_rows(s, st, report_get_cb, &g);
    if (!rc && !g.found)
        rc = sq_failf(s, FICD_ENOTFOUND, "no report %lld", (long long)id);
    return rc;
}

int store_report_resolve(struct store *s, int64_t id, int64_t by_user, const char *resolution)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t resolved = -1;
    struct dbst *st = sq_prep(s, "SELECT resolved FROM reports WHERE id = ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        rc = sq_row(s, st);
        if (rc == 1) {
            resolved = db_col_int(st, 0);
            db_reset(st);
            rc = 0;
        } else if (rc == 0) {
            rc = sq_failf(s, FICD_ENOTFOUND, "no report %lld", (long long)id);
        }
    }
    if (!rc && resolved)
        rc = sq_failf(s, FICD_EEXISTS, "report %lld is already closed", (long long)id);
    if (!rc) {
        st = sq_prep(s, "UPDATE reports SET resolved = 1, resolved_by = ?2, resolution = ?3 "
                        "WHERE id = ?1");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, id);
            sq_bind_id(st, 2, by_user > 0 ? by_user : 0);
            sq_bind_text(st, 3, resolution && *resolution ? resolution : "dismissed");
            rc = sq_run(s, st);
        }
    }
    return sq_tx_end(s, rc);
}

/* ---- the audit log ---- */

int store_modlog_add(struct store *s, int64_t actor_id, const char *actor, const char *action,
                     const char *target, const char *reason)
{
    if (!actor || !*actor || !action || !*action || !target || !*target)
        return sq_failf(s, FICD_EINVAL, "an audit log entry needs an actor, action and target");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "INSERT INTO mod_log (actor_id, actor, action, target, reason, "
                                 "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) {
        rc = FICD_EDB;
    } else {
        sq_bind_id(st, 1, actor_id > 0 ? actor_id : 0);
        sq_bind_text(st, 2, actor);
        sq_bind_text(st, 3, action);
        sq_bind_text(st, 4, target);
        sq_bind_text(st, 5, reason && *reason ? reason : NULL);
        db_bind_int(st, 6, sq_now());
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}

int store_modlog_list(struct store *s, int offset, int limit, store_modlog_cb cb, void *ctx,
                      int64_t *total)
{
    int rc = sq_count_into(s, "SELECT count(*) FROM mod_log", 0, 0, total);
    if (rc)
        return rc;
    struct dbst *st = sq_prep_once(s, "SELECT id, actor, action, target, reason, created FROM "
                                      "mod_log ORDER BY id DESC LIMIT ?1 OFFSET ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, limit > 0 ? limit : INT64_MAX);
    db_bind_int(st, 2, offset > 0 ? offset : 0);
    int e;
    while ((e = db_step(st)) == DB_ROW) {
        struct modlog_entry en = {.id = db_col_int(st, 0),
                                  .actor = db_col_text(st, 1),
                                  .action = db_col_text(st, 2),
                                  .target = db_col_text(st, 3),
                                  .reason = db_col_text(st, 4),
                                  .created = db_col_int(st, 5)};
        if (cb(&en, ctx))
            break;
    }
    if (e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

/* ---- accounts: listing, suspension, bans, password resets ---- */

int store_user_list(struct store *s, store_user_cb cb, void *ctx)
{
    struct dbst *st = sq_prep_once(s, "SELECT id, name, email, role, created, suspended_until, "
                                      "banned, inbox_off FROM users ORDER BY name");
    if (!st)
        return FICD_EDB;
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        struct user u = {.id = db_col_int(st, 0),
                         .name = (char *)db_col_text(st, 1),
                         .email = (char *)db_col_text(st, 2),
                         .role = (enum user_role)(int)db_col_int(st, 3),
                         .created = db_col_int(st, 4),
                         .suspended_until = db_col_int(st, 5),
                         .banned = (int)db_col_int(st, 6),
                         .inbox_off = (unsigned)db_col_int(st, 7)};
        if (cb(&u, ctx))
            break;
    }
    if (e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_user_suspend(struct store *s, int64_t id, int64_t until)
{
    return sq_user_set_int(s, "UPDATE users SET suspended_until = ?2 WHERE id = ?1", id,
                           until > 0 ? until : 0);
}

int store_user_ban(struct store *s, int64_t id, int banned)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "UPDATE users SET banned = ?2 WHERE id = ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, banned ? 1 : 0);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no user %lld", (long long)id);
    }
    if (!rc && banned) {
        st = sq_prep(s, "DELETE FROM sessions WHERE user_id = ?1");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, id);
            rc = sq_run(s, st);
        }
    }
    return sq_tx_end(s, rc);
}

int store_reset_create(struct store *s, const char *token_hash, int64_t user_id, int64_t expires)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "INSERT INTO password_resets (token_hash, user_id, expires) "
                                 "VALUES (?1, ?2, ?3)");
    if (!st) {
        rc = FICD_EDB;
    } else {
        sq_bind_text(st, 1, token_hash);
        db_bind_int(st, 2, user_id);
        db_bind_int(st, 3, expires);
        rc = sq_run(s, st);
        if (rc == FICD_EDB && s->fk_violation)
            rc = sq_failf(s, FICD_ENOTFOUND, "no user %lld", (long long)user_id);
    }
    return sq_tx_end(s, rc);
}

int store_reset_check(struct store *s, const char *token_hash, int64_t now, int64_t *user_id)
{
    *user_id = 0;
    struct dbst *st =
        sq_prep(s, "SELECT user_id FROM password_resets WHERE token_hash = ?1 AND expires > ?2");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, token_hash);
    db_bind_int(st, 2, now);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *user_id = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

int store_reset_use(struct store *s, const char *token_hash, int64_t now, int64_t *user_id)
{
    *user_id = 0;
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t uid = 0;
    rc = store_reset_check(s, token_hash, now, &uid);
    if (!rc) {
        struct dbst *st =
            sq_prep(s, "DELETE FROM password_resets WHERE token_hash = ?1 OR expires <= ?2");
        if (!st) {
            rc = FICD_EDB;
        } else {
            sq_bind_text(st, 1, token_hash);
            db_bind_int(st, 2, now);
            rc = sq_run(s, st);
        }
    }
    rc = sq_tx_end(s, rc);
    if (!rc)
        *user_id = uid;
    return rc;
}
