/* sqlite_feedback.c: feedback in SQLite: kudos, threaded comments, batched hits, the inbox,
 * reports, the moderators' audit log, suspensions and bans, password reset tokens. Counter
 * changes share the transaction of the feedback that causes them and log a CHANGE_WORK. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* Prepares sql for one call (not cached), so that a callback run while it is open may use
 * the store's cached statements. */
static struct dbst *prep_once(struct store *s, const char *sql)
{
    struct dbst *st = NULL;
    int rc = db_prepare(s, sql, &st);
    if (rc != DB_OK) {
        sq_fail(s, rc);
        db_finalize(st);
        return NULL;
    }
    return st;
}

static const char *col_text(struct dbst *st, int i)
{
    return db_col_text(st, i);
}

/* Runs a one-integer query with up to two integer parameters; *out = 0 when no row. */
static int query_int(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *out)
{
    *out = 0;
    struct dbst *st = sq_prep(s, sql);
    if (!st)
        return FICD_EDB;
    if (db_param_count(st) >= 1)
        db_bind_int(st, 1, a);
    if (db_param_count(st) >= 2)
        db_bind_int(st, 2, b);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *out = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

/* Counts *total for a list query (sql with ?1 = a); NULL total does nothing. */
static int count_into(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *total)
{
    if (!total)
        return 0;
    return query_int(s, sql, a, b, total);
}

/* The owner and title of a work (title copied into title[n]); FICD_ENOTFOUND. */
static int work_owner(struct store *s, int64_t work_id, int64_t *owner, char *title, size_t n)
{
    struct dbst *st = sq_prep(s, "SELECT user_id, title FROM works WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)work_id);
    *owner = db_col_int(st, 0);
    const char *t = col_text(st, 1);
    snprintf(title, n, "%s", t && *t ? t : "Untitled");
    db_reset(st);
    return 0;
}

/* Recounts a work's visible comments and logs the change. */
static int recount_comments(struct store *s, int64_t work_id)
{
    struct dbst *st =
        sq_prep(s, "UPDATE works SET comments = (SELECT count(*) FROM comments WHERE work_id = ?1 "
                   "AND deleted = 0 AND unreviewed = 0) WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    int rc = sq_run(s, st);
    return rc ? rc : sq_log_change(s, CHANGE_WORK, work_id);
}

/* ---- inbox ---- */

/* Whether user_id wants items of kind: 1 yes, 0 turned off; FICD_ENOTFOUND. */
static int inbox_wanted(struct store *s, int64_t user_id, enum inbox_kind kind)
{
    struct dbst *st = sq_prep(s, "SELECT inbox_off FROM users WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sq_failf(s, FICD_ENOTFOUND, "no user %lld", (long long)user_id);
    unsigned off = (unsigned)db_col_int(st, 0);
    db_reset(st);
    return (off & (1u << kind)) ? 0 : 1;
}

static int inbox_insert(struct store *s, int64_t user_id, enum inbox_kind kind, const char *text,
                        const char *url)
{
    struct dbst *st = sq_prep(s, "INSERT INTO inbox (user_id, kind, text, url, created) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, (int)kind);
    sq_bind_text(st, 3, text);
    sq_bind_text(st, 4, url);
    db_bind_int(st, 5, sq_now());
    return sq_run(s, st);
}

int store_inbox_add(struct store *s, int64_t user_id, enum inbox_kind kind, const char *text,
                    const char *url)
{
    if ((int)kind < INBOX_COMMENT || (int)kind >= INBOX__COUNT)
        return sq_failf(s, FICD_EINVAL, "unknown inbox kind %d", (int)kind);
    if (!text || !*text)
        return sq_failf(s, FICD_EINVAL, "an inbox item needs a text");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int want = inbox_wanted(s, user_id, kind);
    rc = want < 0 ? want : want ? inbox_insert(s, user_id, kind, text, url) : 0;
    return sq_tx_end(s, rc);
}

/* The kudos summary: while the owner has an unread kudos item for the work, it grows
 * ("a, b and 3 others left kudos on Title") instead of a new item per kudos. */
static int inbox_kudos(struct store *s, int64_t owner, const char *giver, const char *title,
                       const char *url)
{
    int want = inbox_wanted(s, owner, INBOX_KUDOS);
    if (want <= 0)
        return want;
    int64_t id = 0, count = 0;
    struct dbst *st = sq_prep(s, "SELECT id, count FROM inbox WHERE user_id = ?1 AND kind = 3 "
                                 "AND url = ?2 AND read = 0 ORDER BY id DESC LIMIT 1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, owner);
    sq_bind_text(st, 2, url);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        id = db_col_int(st, 0);
        count = db_col_int(st, 1);
        db_reset(st);
    }
    char text[600];
    if (!id) {
        snprintf(text, sizeof(text), "%s left kudos on %s.", giver, title);
        return inbox_insert(s, owner, INBOX_KUDOS, text, url);
    }
    count++;
    snprintf(text, sizeof(text), "%s and %lld other%s left kudos on %s.", giver,
             (long long)(count - 1), count - 1 == 1 ? "" : "s", title);
    st = sq_prep(s, "UPDATE inbox SET text = ?2, count = ?3, created = ?4 WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    sq_bind_text(st, 2, text);
    db_bind_int(st, 3, count);
    db_bind_int(st, 4, sq_now());
    return sq_run(s, st);
}

int store_inbox_list(struct store *s, int64_t user_id, int kind, int unread_only, int offset,
                     int limit, store_inbox_cb cb, void *ctx, int64_t *total)
{
    static const char *const sql_count = "SELECT count(*) FROM inbox WHERE user_id = ?1 AND "
                                         "(?2 = 0 OR kind = ?2) AND (?3 = 0 OR read = 0)";
    if (total) {
        struct dbst *c = sq_prep(s, sql_count);
        if (!c)
            return FICD_EDB;
        db_bind_int(c, 1, user_id);
        db_bind_int(c, 2, kind);
        db_bind_int(c, 3, unread_only ? 1 : 0);
        int rc = sq_row(s, c);
        if (rc < 0)
            return rc;
        *total = rc ? db_col_int(c, 0) : 0;
        db_reset(c);
    }
    struct dbst *st = prep_once(
        s, "SELECT id, kind, text, url, created, read, count FROM inbox WHERE user_id = ?1 AND "
           "(?2 = 0 OR kind = ?2) AND (?3 = 0 OR read = 0) ORDER BY created DESC, id DESC "
           "LIMIT ?4 OFFSET ?5");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, kind);
    db_bind_int(st, 3, unread_only ? 1 : 0);
    db_bind_int(st, 4, limit > 0 ? limit : INT64_MAX);
    db_bind_int(st, 5, offset > 0 ? offset : 0);
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        struct inbox_item it = {.id = db_col_int(st, 0),
                                .kind = (enum inbox_kind)(int)db_col_int(st, 1),
                                .text = col_text(st, 2),
                                .url = col_text(st, 3),
                                .created = db_col_int(st, 4),
                                .read = (int)db_col_int(st, 5),
                                .count = db_col_int(st, 6)};
        if (cb(&it, ctx))
            break;
    }
    if (e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_inbox_unread(struct store *s, int64_t user_id, int64_t *n)
{
    return query_int(s, "SELECT count(*) FROM inbox WHERE user_id = ?1 AND read = 0", user_id, 0,
                     n);
}

int store_inbox_mark(struct store *s, int64_t user_id, int64_t id, int read)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st =
        sq_prep(s, "UPDATE inbox SET read = ?3 WHERE user_id = ?1 AND (?2 = 0 OR id = ?2)");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, user_id);
        db_bind_int(st, 2, id);
        db_bind_int(st, 3, read ? 1 : 0);
        rc = sq_run(s, st);
        if (!rc && id && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no inbox item %lld", (long long)id);
    }
    return sq_tx_end(s, rc);
}

int store_inbox_delete(struct store *s, int64_t user_id, int64_t id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "DELETE FROM inbox WHERE user_id = ?1 AND id = ?2");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, user_id);
        db_bind_int(st, 2, id);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no inbox item %lld", (long long)id);
    }
    return sq_tx_end(s, rc);
}

/* One UPDATE of a users row with one integer value, in its own unit of work. */
static int user_set_int(struct store *s, const char *sql, int64_t id, int64_t v)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, sql);
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, v);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no user %lld", (long long)id);
    }
    return sq_tx_end(s, rc);
}

int store_user_set_inbox_off(struct store *s, int64_t user_id, unsigned mask)
{
    return user_set_int(s, "UPDATE users SET inbox_off = ?2 WHERE id = ?1", user_id,
                        (int64_t)(mask & ((1u << INBOX__COUNT) - 1)));
}

/* ---- kudos ---- */

int store_kudos_add(struct store *s, int64_t work_id, int64_t user_id, const char *ip)
{
    if (user_id <= 0 && (!ip || !*ip))
        return sq_failf(s, FICD_EINVAL, "a guest's kudos need an address");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t owner = 0;
    char title[400], giver[200] = "A guest";
    rc = work_owner(s, work_id, &owner, title, sizeof(title));
    if (!rc && user_id > 0 && owner == user_id)
        rc = sq_failf(s, FICD_EINVAL, "creators cannot leave kudos on their own work");
    if (!rc && user_id > 0) {
        struct dbst *st = sq_prep(s, "SELECT name FROM users WHERE id = ?1");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, user_id);
            rc = sq_row(s, st);
            if (rc == 1) {
                snprintf(giver, sizeof(giver), "%s", col_text(st, 0));
                db_reset(st);
                rc = 0;
            } else if (rc == 0) {
                rc = sq_failf(s, FICD_ENOTFOUND, "no user %lld", (long long)user_id);
            }
        }
    }
    if (!rc) {
        struct dbst *st = sq_prep(
            s,
            "INSERT INTO kudos (work_id, user_id, name, ip, created) VALUES (?1, ?2, ?3, ?4, ?5)");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, work_id);
            sq_bind_id(st, 2, user_id > 0 ? user_id : 0);
            sq_bind_text(st, 3, user_id > 0 ? giver : NULL);
            sq_bind_text(st, 4, ip);
            db_bind_int(st, 5, sq_now());
            rc = sq_run(s, st);
            if (rc == FICD_EEXISTS)
                sq_failf(s, rc, "You have already left kudos here");
        }
    }
    if (!rc) {
        struct dbst *st = sq_prep(s, "UPDATE works SET kudos = kudos + 1 WHERE id = ?1");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, work_id);
            rc = sq_run(s, st);
        }
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, work_id);
    if (!rc && owner > 0) {
        char url[64];
        snprintf(url, sizeof(url), "/works/%lld", (long long)work_id);
        rc = inbox_kudos(s, owner, giver, title, url);
    }
    return sq_tx_end(s, rc);
}

int store_kudos_given(struct store *s, int64_t work_id, int64_t user_id, const char *ip, int *given)
{
    int64_t n = 0;
    int rc;
    *given = 0;
    if (user_id > 0) {
        rc = query_int(s, "SELECT count(*) FROM kudos WHERE work_id = ?1 AND user_id = ?2", work_id,
                       user_id, &n);
    } else {
        struct dbst *st = sq_prep(s, "SELECT count(*) FROM kudos WHERE work_id = ?1 AND "
                                     "user_id IS NULL AND name IS NULL AND ip = ?2");
        if (!st)
            return FICD_EDB;
        db_bind_int(st, 1, work_id);
        sq_bind_text(st, 2, ip ? ip : "");
        rc = sq_row(s, st);
        if (rc == 1) {
            n = db_col_int(st, 0);
            db_reset(st);
            rc = 0;
        }
    }
    if (!rc)
        *given = n > 0;
    return rc;
}

int store_kudos_list(struct store *s, int64_t work_id, struct strlist *names, int64_t *guests)
{
    int rc = query_int(s, "SELECT count(*) FROM kudos WHERE work_id = ?1 AND name IS NULL", work_id,
                       0, guests);
    if (rc)
        return rc;
    struct dbst *st =
        sq_prep(s, "SELECT name FROM kudos WHERE work_id = ?1 AND name IS NOT NULL ORDER BY id");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    int e;
    while ((e = db_step(st)) == DB_ROW)
        if (strlist_add(names, col_text(st, 0))) {
            db_reset(st);
            return sq_failf(s, FICD_ENOMEM, "out of memory");
        }
    rc = e == DB_DONE ? 0 : sq_fail(s, e);
    db_reset(st);
    return rc;
}

/* ---- comments ---- */

#define COMMENT_COLS                                                                               \
    "id, work_id, chapter_id, parent_id, user_id, name, email, ip, html, created, edited, "        \
    "deleted, unreviewed, frozen"

static int read_comment(struct dbst *st, struct comment *c)
{
    memset(c, 0, sizeof(*c));
    c->id = db_col_int(st, 0);
    c->work_id = db_col_int(st, 1);
    c->chapter_id = db_col_int(st, 2);
    c->parent_id = db_col_int(st, 3);
    c->user_id = db_col_int(st, 4);
    int rc = sq_col_dup(st, 5, &c->name);
    rc |= sq_col_dup(st, 6, &c->email);
    rc |= sq_col_dup(st, 7, &c->ip);
    rc |= sq_col_dup(st, 8, &c->html);
    c->created = db_col_int(st, 9);
    c->edited = db_col_int(st, 10);
    c->deleted = (int)db_col_int(st, 11);
    c->unreviewed = (int)db_col_int(st, 12);
    c->frozen = (int)db_col_int(st, 13);
    if (rc) {
        comment_free(c);
        return FICD_ENOMEM;
    }
    return 0;
}

int store_comment_get(struct store *s, int64_t id, struct comment *out)
{
    memset(out, 0, sizeof(*out));
    struct dbst *st = sq_prep(s, "SELECT " COMMENT_COLS " FROM comments WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sq_failf(s, FICD_ENOTFOUND, "no comment %lld", (long long)id);
    rc = read_comment(st, out);
    db_reset(st);
    return rc ? sq_failf(s, rc, "out of memory") : 0;
}

/* Checks the parent of a new comment; fills *parent_user with its writer and
 * *parent_chapter with its chapter (a reply belongs to its parent's chapter). */
static int check_parent(struct store *s, const struct comment *c, int64_t *parent_user,
                        int64_t *parent_chapter)
{
    struct comment p;
    int rc = store_comment_get(s, c->parent_id, &p);
    if (rc == FICD_ENOTFOUND)
        return sq_failf(s, FICD_EINVAL, "the comment you are replying to does not exist");
    if (rc)
        return rc;
    if (p.work_id != c->work_id)
        rc = sq_failf(s, FICD_EINVAL, "the comment you are replying to is on another work");
    else if (p.deleted)
        rc = sq_failf(s, FICD_EINVAL, "the comment you are replying to was deleted");
    else if (p.unreviewed)
        rc = sq_failf(s, FICD_EINVAL, "the comment you are replying to awaits approval");
    else if (p.frozen)
        rc = sq_failf(s, FICD_EINVAL, "this thread is frozen: no more replies");
    *parent_user = p.user_id;
    *parent_chapter = p.chapter_id;
    comment_free(&p);
    return rc;
}

int store_comment_add(struct store *s, struct comment *c)
{
    if (!c->html || !*c->html)
        return sq_failf(s, FICD_EINVAL, "the comment is empty");
    if (!c->name || !*c->name)
        return sq_failf(s, FICD_EINVAL, "a comment needs its writer's name");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t owner = 0, parent_user = 0, parent_chapter = 0, n = 0;
    char title[400];
    rc = work_owner(s, c->work_id, &owner, title, sizeof(title));
    if (!rc && c->chapter_id > 0) {
        rc = query_int(s, "SELECT count(*) FROM chapters WHERE id = ?1 AND work_id = ?2",
                       c->chapter_id, c->work_id, &n);
        if (!rc && n == 0)
            rc = sq_failf(s, FICD_EINVAL, "chapter %lld is not part of work %lld",
                          (long long)c->chapter_id, (long long)c->work_id);
    }
    if (!rc && c->parent_id > 0) {
        rc = check_parent(s, c, &parent_user, &parent_chapter);
        if (!rc)
            c->chapter_id = parent_chapter;
    }
    int64_t created = c->created ? c->created : sq_now();
    int64_t id = 0;
    if (!rc) {
        struct dbst *st = sq_prep(
            s, "INSERT INTO comments (work_id, chapter_id, parent_id, user_id, name, email, ip, "
               "html, created, unreviewed, frozen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
               "?10, ?11)");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, c->work_id);
            sq_bind_id(st, 2, c->chapter_id > 0 ? c->chapter_id : 0);
            sq_bind_id(st, 3, c->parent_id > 0 ? c->parent_id : 0);
            sq_bind_id(st, 4, c->user_id > 0 ? c->user_id : 0);
            sq_bind_text(st, 5, c->name);
            sq_bind_text(st, 6, c->email && *c->email ? c->email : NULL);
            sq_bind_text(st, 7, c->ip);
            sq_bind_text(st, 8, c->html);
            db_bind_int(st, 9, created);
            db_bind_int(st, 10, c->unreviewed ? 1 : 0);
            db_bind_int(st, 11, c->frozen ? 1 : 0);
            rc = sq_run(s, st);
            id = db_last_id(s);
        }
    }
    if (!rc)
        rc = recount_comments(s, c->work_id);
    char text[700], url[64];
    snprintf(url, sizeof(url), "/comments/%lld", (long long)id);
    if (!rc && !c->quiet && owner > 0 && owner != c->user_id) {
        if (c->unreviewed) {
            snprintf(text, sizeof(text), "%s left a comment on %s that awaits your approval.",
                     c->name, title);
            snprintf(url, sizeof(url), "/works/%lld/comments/unreviewed", (long long)c->work_id);
        } else {
            snprintf(text, sizeof(text), "%s commented on %s.", c->name, title);
        }
        int want = inbox_wanted(s, owner, INBOX_COMMENT);
        rc = want < 0 ? want : want ? inbox_insert(s, owner, INBOX_COMMENT, text, url) : 0;
        snprintf(url, sizeof(url), "/comments/%lld", (long long)id);
    }
    if (!rc && !c->quiet && !c->unreviewed && parent_user > 0 && parent_user != c->user_id &&
        parent_user != owner) {
        snprintf(text, sizeof(text), "%s replied to your comment on %s.", c->name, title);
        int want = inbox_wanted(s, parent_user, INBOX_REPLY);
        rc = want < 0 ? want : want ? inbox_insert(s, parent_user, INBOX_REPLY, text, url) : 0;
    }
    rc = sq_tx_end(s, rc);
    if (!rc) {
        c->id = id;
        c->created = created;
    }
    return rc;
}

int store_comment_edit(struct store *s, int64_t id, const char *html)
{
    if (!html || !*html)
        return sq_failf(s, FICD_EINVAL, "the comment is empty");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st =
        sq_prep(s, "UPDATE comments SET html = ?2, edited = ?3 WHERE id = ?1 AND deleted = 0");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        sq_bind_text(st, 2, html);
        db_bind_int(st, 3, sq_now());
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no comment %lld", (long long)id);
    }
    return sq_tx_end(s, rc);
}

/* Removes comment id when it has no replies, then its parent if that is a placeholder left
 * without replies, and so on up; marks it deleted otherwise. */
static int delete_up(struct store *s, int64_t id)
{
    int first = 1;
    while (id > 0) {
        int64_t replies = 0, parent = 0, deleted = 0;
        int rc =
            query_int(s, "SELECT count(*) FROM comments WHERE parent_id = ?1", id, 0, &replies);
        if (!rc)
            rc = query_int(s, "SELECT coalesce(parent_id, 0) FROM comments WHERE id = ?1", id, 0,
                           &parent);
        if (!rc)
            rc = query_int(s, "SELECT deleted FROM comments WHERE id = ?1", id, 0, &deleted);
        if (rc)
            return rc;
        if (!first && !deleted)
            return 0; /* a live parent stays */
        struct dbst *st =
            replies ? sq_prep(s, "UPDATE comments SET deleted = 1, html = '' WHERE id = ?1")
                    : sq_prep(s, "DELETE FROM comments WHERE id = ?1");
        if (!st)
            return FICD_EDB;
        db_bind_int(st, 1, id);
        if ((rc = sq_run(s, st)))
            return rc;
        if (replies)
            return 0;
        first = 0;
        id = parent;
    }
    return 0;
}

int store_comment_delete(struct store *s, int64_t id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t work_id = 0;
    rc = query_int(s, "SELECT work_id FROM comments WHERE id = ?1", id, 0, &work_id);
    if (!rc && !work_id)
        rc = sq_failf(s, FICD_ENOTFOUND, "no comment %lld", (long long)id);
    if (!rc)
        rc = delete_up(s, id);
    if (!rc)
        rc = recount_comments(s, work_id);
    return sq_tx_end(s, rc);
}

int store_comment_approve(struct store *s, int64_t id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t work_id = 0;
    rc = query_int(s, "SELECT work_id FROM comments WHERE id = ?1", id, 0, &work_id);
    if (!rc && !work_id)
        rc = sq_failf(s, FICD_ENOTFOUND, "no comment %lld", (long long)id);
    if (!rc) {
        struct dbst *st = sq_prep(s, "UPDATE comments SET unreviewed = 0 WHERE id = ?1");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, id);
            rc = sq_run(s, st);
        }
    }
    if (!rc)
        rc = recount_comments(s, work_id);
    return sq_tx_end(s, rc);
}

int store_comment_freeze(struct store *s, int64_t id, int frozen)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st =
        sq_prep(s, "WITH RECURSIVE t(id) AS (SELECT id FROM comments WHERE id = ?1 UNION ALL "
                   "SELECT c.id FROM comments c JOIN t ON c.parent_id = t.id) "
                   "UPDATE comments SET frozen = ?2 WHERE id IN (SELECT id FROM t)");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, frozen ? 1 : 0);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no comment %lld", (long long)id);
    }
    return sq_tx_end(s, rc);
}

struct cvec {
    struct comment *v;
    size_t n, cap;
};

static void cvec_free(struct cvec *a)
{
    for (size_t i = 0; i < a->n; i++)
        comment_free(&a->v[i]);
    free(a->v);
}

/* Emits a->v[i] and its replies depth-first; children of a comment come after it in id
 * order, so a scan from i + 1 finds them in order. */
static int emit_thread(struct cvec *a, size_t i, int depth, int *done, store_comment_cb cb,
                       void *ctx, int *stopped)
{
    if (*stopped || depth > 1000)
        return 0;
    a->v[i].depth = depth;
    done[i] = 1;
    if (cb(&a->v[i], ctx)) {
        *stopped = 1;
        return 0;
    }
    for (size_t j = i + 1; j < a->n && !*stopped; j++)
        if (!done[j] && a->v[j].parent_id == a->v[i].id)
            emit_thread(a, j, depth + 1, done, cb, ctx, stopped);
    return 0;
}

int store_comment_list(struct store *s, const struct comment_query *q, store_comment_cb cb,
                       void *ctx)
{
    struct dbst *st = sq_prep(s, "SELECT " COMMENT_COLS " FROM comments WHERE work_id = ?1 "
                                 "AND unreviewed = ?2 ORDER BY id");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, q->work_id);
    db_bind_int(st, 2, q->unreviewed ? 1 : 0);
    struct cvec a = {0};
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        if (a.n == a.cap) {
            size_t cap = a.cap ? a.cap * 2 : 32;
            struct comment *v = realloc(a.v, cap * sizeof(*v));
            if (!v) {
                rc = sq_failf(s, FICD_ENOMEM, "out of memory");
                break;
            }
            a.v = v;
            a.cap = cap;
        }
        if ((rc = read_comment(st, &a.v[a.n])))
            break;
        a.n++;
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    int *done = a.n ? calloc(a.n, sizeof(*done)) : NULL;
    if (!rc && a.n && !done)
        rc = sq_failf(s, FICD_ENOMEM, "out of memory");
    int stopped = 0;
    for (size_t i = 0; !rc && i < a.n && !stopped; i++) {
        const struct comment *c = &a.v[i];
        if (q->unreviewed) {
            if (cb(c, ctx))
                stopped = 1;
            continue;
        }
        int start = q->thread_id > 0 ? c->id == q->thread_id : c->parent_id == 0;
        if (!start || done[i])
            continue;
        if (q->chapter_id > 0 && q->thread_id <= 0 && c->chapter_id != q->chapter_id)
            continue;
        emit_thread(&a, i, 0, done, cb, ctx, &stopped);
    }
    free(done);
    cvec_free(&a);
    return rc;
}

/* ---- hits and hiding ---- */

int store_work_add_hits(struct store *s, const int64_t *ids, const int64_t *n, size_t count)
{
    if (!count)
        return 0;
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < count; i++) {
        struct dbst *st = sq_prep(s, "UPDATE works SET hits = hits + ?2 WHERE id = ?1");
        if (!st) {
            rc = FICD_EDB;
            break;
        }
        db_bind_int(st, 1, ids[i]);
        db_bind_int(st, 2, n[i]);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) > 0)
            rc = sq_log_change(s, CHANGE_WORK, ids[i]);
    }
    return sq_tx_end(s, rc);
}

int store_work_set_hidden(struct store *s, int64_t id, int hidden)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "UPDATE works SET hidden = ?2 WHERE id = ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, hidden ? 1 : 0);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)id);
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, id);
    return sq_tx_end(s, rc);
}

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
                             .reporter = col_text(st, 4),
                             .ip = col_text(st, 5),
                             .reason = col_text(st, 6),
                             .created = db_col_int(st, 7),
                             .resolved = (int)db_col_int(st, 8),
                             .resolved_by = col_text(st, 9),
                             .resolution = col_text(st, 10)};
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
    int rc = count_into(s, "SELECT count(*) FROM reports WHERE resolved = ?1", resolved ? 1 : 0, 0,
                        total);
    if (rc)
        return rc;
    struct dbst *st = prep_once(
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
    struct dbst *st = prep_once(s, REPORT_SELECT "WHERE r.id = ?1");
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
    int rc = count_into(s, "SELECT count(*) FROM mod_log", 0, 0, total);
    if (rc)
        return rc;
    struct dbst *st = prep_once(s, "SELECT id, actor, action, target, reason, created FROM "
                                   "mod_log ORDER BY id DESC LIMIT ?1 OFFSET ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, limit > 0 ? limit : INT64_MAX);
    db_bind_int(st, 2, offset > 0 ? offset : 0);
    int e;
    while ((e = db_step(st)) == DB_ROW) {
        struct modlog_entry en = {.id = db_col_int(st, 0),
                                  .actor = col_text(st, 1),
                                  .action = col_text(st, 2),
                                  .target = col_text(st, 3),
                                  .reason = col_text(st, 4),
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
    struct dbst *st = prep_once(s, "SELECT id, name, email, role, created, suspended_until, "
                                   "banned, inbox_off FROM users ORDER BY name");
    if (!st)
        return FICD_EDB;
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        struct user u = {.id = db_col_int(st, 0),
                         .name = (char *)col_text(st, 1),
                         .email = (char *)col_text(st, 2),
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
    return user_set_int(s, "UPDATE users SET suspended_until = ?2 WHERE id = ?1", id,
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
