/* sqlite_readers.c: the readers' tools in SQLite: series and their parts, bookmarks (with the
 * exact public bookmark count of each work), muted creators and blocked tags, subscriptions,
 * reading history and marked-for-later, the private feed token. */
#include "core/buf.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static int64_t one_int(struct store *s, struct dbst *st, int *found, int *rc)
{
    int r = sq_row(s, st);
    *found = r == 1;
    if (r < 0) {
        *rc = r;
        return 0;
    }
    if (r == 0)
        return 0;
    int64_t v = db_col_int(st, 0);
    db_reset(st);
    return v;
}

static int ids_push(int64_t **v, size_t *n, size_t *cap, int64_t x)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        int64_t *nv = realloc(*v, c * sizeof(*nv));
        if (!nv)
            return FICD_ENOMEM;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return 0;
}

/* Steps st collecting column 0 of every row as text into out. */
static int collect_names(struct store *s, struct dbst *st, struct strlist *out)
{
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        const char *v = db_col_text(st, 0);
        if (v && strlist_add(out, v)) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    return rc;
}

/* ---- series ---- */

void series_free(struct series *se)
{
    if (!se)
        return;
    free(se->title);
    free(se->description);
    free(se->notes);
    free(se->owner);
    memset(se, 0, sizeof(*se));
}

#define SERIES_COLS                                                                                \
    "se.id, coalesce(se.user_id, 0), se.title, se.description, se.notes, se.complete, "            \
    "se.created, "                                                                                 \
    "se.updated, u.name"

static int read_series(struct dbst *st, struct series *out)
{
    memset(out, 0, sizeof(*out));
    out->id = db_col_int(st, 0);
    out->user_id = db_col_int(st, 1);
    out->complete = (int)db_col_int(st, 5);
    out->created = db_col_int(st, 6);
    out->updated = db_col_int(st, 7);
    int rc = sq_col_dup(st, 2, &out->title);
    rc |= sq_col_dup(st, 3, &out->description);
    rc |= sq_col_dup(st, 4, &out->notes);
    rc |= sq_col_dup(st, 8, &out->owner);
    if (rc) {
        series_free(out);
        return FICD_ENOMEM;
    }
    return 0;
}

int store_series_get(struct store *s, int64_t id, struct series *out)
{
    memset(out, 0, sizeof(*out));
    struct dbst *st = sq_prep(s, "SELECT " SERIES_COLS " FROM series se LEFT JOIN users u ON "
                                 "u.id = se.user_id WHERE se.id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sq_failf(s, FICD_ENOTFOUND, "no series %lld", (long long)id);
    rc = read_series(st, out);
    db_reset(st);
    return rc ? sq_failf(s, rc, "out of memory") : 0;
}

int store_series_update(struct store *s, const struct series *se)
{
    if (!se->title || !*se->title)
        return sq_failf(s, FICD_EINVAL, "a series needs a title");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "UPDATE series SET title = ?2, description = ?3, notes = ?4, "
                                 "complete = ?5, updated = ?6 WHERE id = ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, se->id);
        sq_bind_text(st, 2, se->title);
        sq_bind_text(st, 3, se->description && *se->description ? se->description : NULL);
        sq_bind_text(st, 4, se->notes && *se->notes ? se->notes : NULL);
        db_bind_int(st, 5, se->complete ? 1 : 0);
        db_bind_int(st, 6, sq_now());
        rc = sq_run(s, st);
        if (rc == FICD_EEXISTS)
            sq_failf(s, rc, "you already have a series called '%s'", se->title);
        else if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no series %lld", (long long)se->id);
    }
    /* the parts carry the title in works.series and are listed by the index with it */
    struct dbst *up = rc ? NULL
                         : sq_prep(s, "UPDATE works SET series = ?2 WHERE id IN (SELECT work_id "
                                      "FROM series_works WHERE series_id = ?1)");
    if (!rc && !up)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(up, 1, se->id);
        sq_bind_text(up, 2, se->title);
        rc = sq_run(s, up);
    }
    if (!rc) {
        int64_t *ids = NULL;
        int *pos = NULL;
        size_t n = 0;
        rc = store_series_parts(s, se->id, &ids, &pos, &n);
        for (size_t i = 0; !rc && i < n; i++)
            rc = sq_log_change(s, CHANGE_WORK, ids[i]);
        free(ids);
        free(pos);
    }
    return sq_tx_end(s, rc);
}

int store_series_list_user(struct store *s, int64_t user_id, store_series_cb cb, void *ctx)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT " SERIES_COLS " FROM series se LEFT JOIN users u ON u.id = se.user_id "
             "WHERE se.user_id = ?1 ORDER BY se.title, se.id");
    struct dbst *st;
    int e = db_prepare(s, sql, &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, user_id);
    int rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        struct series se;
        if ((rc = read_series(st, &se))) {
            rc = sq_failf(s, rc, "out of memory");
            break;
        }
        int stop = cb(&se, ctx);
        series_free(&se);
        if (stop)
            break;
    }
    if (!rc && e != DB_DONE && e != DB_ROW)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_series_parts(struct store *s, int64_t id, int64_t **ids, int **pos, size_t *n)
{
    *ids = NULL;
    *pos = NULL;
    *n = 0;
    struct dbst *st = sq_prep(s, "SELECT work_id, position FROM series_works WHERE series_id = ?1 "
                                 "ORDER BY position, work_id");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    size_t cap = 0, pcap = 0;
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        if (ids_push(ids, n, &cap, db_col_int(st, 0))) {
            rc = FICD_ENOMEM;
            break;
        }
        if (*n > pcap) {
            pcap = cap;
            int *np = realloc(*pos, pcap * sizeof(*np));
            if (!np) {
                rc = FICD_ENOMEM;
                break;
            }
            *pos = np;
        }
        (*pos)[*n - 1] = (int)db_col_int(st, 1);
    }
    if (rc)
        rc = sq_failf(s, rc, "out of memory");
    else if (e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    if (rc) {
        free(*ids);
        free(*pos);
        *ids = NULL;
        *pos = NULL;
        *n = 0;
    }
    return rc;
}

int store_series_of_work(struct store *s, int64_t work_id, int64_t *series_id, int *position)
{
    *series_id = 0;
    if (position)
        *position = 0;
    struct dbst *st = sq_prep(s, "SELECT series_id, position FROM series_works WHERE work_id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *series_id = db_col_int(st, 0);
    if (position)
        *position = (int)db_col_int(st, 1);
    db_reset(st);
    return 0;
}

/* Inside store_work_insert/update's unit of work: puts w in its owner's series named
 * w->series (created when missing) or takes it out of any; w->series_position gets the
 * position used. */
int sq_series_sync(struct store *s, struct work *w)
{
    const char *title = w->series;
    while (title && (*title == ' ' || *title == '\t'))
        title++;
    if (!title || !*title) {
        w->series_id = 0;
        struct dbst *st = sq_prep(s, "DELETE FROM series_works WHERE work_id = ?1");
        if (!st)
            return FICD_EDB;
        db_bind_int(st, 1, w->id);
        return sq_run(s, st);
    }
    int found = 0, rc = 0;
    struct dbst *st = sq_prep(s, "SELECT id FROM series WHERE coalesce(user_id, 0) = ?1 AND "
                                 "title = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, w->user_id > 0 ? w->user_id : 0);
    sq_bind_text(st, 2, title);
    int64_t sid = one_int(s, st, &found, &rc);
    if (rc)
        return rc;
    int64_t now = sq_now();
    if (!found) {
        st = sq_prep(s, "INSERT INTO series (user_id, title, created, updated) VALUES (?1, ?2, "
                        "?3, ?3)");
        if (!st)
            return FICD_EDB;
        sq_bind_id(st, 1, w->user_id > 0 ? w->user_id : 0);
        sq_bind_text(st, 2, title);
        db_bind_int(st, 3, now);
        if ((rc = sq_run(s, st)))
            return rc;
        sid = db_last_id(s);
    }
    int64_t cur_sid = 0;
    int cur_pos = 0;
    if ((rc = store_series_of_work(s, w->id, &cur_sid, &cur_pos)))
        return rc;
    int pos = w->series_position;
    if (pos <= 0 && cur_sid == sid)
        pos = cur_pos;
    if (pos <= 0) {
        st = sq_prep(s, "SELECT coalesce(max(position), 0) + 1 FROM series_works WHERE "
                        "series_id = ?1 AND work_id <> ?2");
        if (!st)
            return FICD_EDB;
        db_bind_int(st, 1, sid);
        db_bind_int(st, 2, w->id);
        pos = (int)one_int(s, st, &found, &rc);
        if (rc)
            return rc;
    }
    st = sq_prep(s, "INSERT INTO series_works (work_id, series_id, position) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (work_id) DO UPDATE SET series_id = ?2, position = ?3");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, w->id);
    db_bind_int(st, 2, sid);
    db_bind_int(st, 3, pos);
    if ((rc = sq_run(s, st)))
        return rc;
    st = sq_prep(s, "UPDATE works SET series = (SELECT title FROM series WHERE id = ?2), "
                    "series_position = ?3 WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, w->id);
    db_bind_int(st, 2, sid);
    db_bind_int(st, 3, pos);
    if ((rc = sq_run(s, st)))
        return rc;
    st = sq_prep(s, "UPDATE series SET updated = ?2 WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, sid);
    db_bind_int(st, 2, now);
    if ((rc = sq_run(s, st)))
        return rc;
    w->series_position = pos;
    w->series_id = sid;
    return 0;
}

/* ---- bookmarks ---- */

void bookmark_free(struct bookmark *b)
{
    if (!b)
        return;
    free(b->user_name);
    free(b->notes);
    strlist_free(&b->tags);
    memset(b, 0, sizeof(*b));
}

/* Sets works.bookmarks to the number of public bookmarks of the work and logs the change. */
static int recount_bookmarks(struct store *s, int64_t work_id)
{
    struct dbst *st =
        sq_prep(s, "UPDATE works SET bookmarks = (SELECT count(*) FROM bookmarks WHERE work_id = "
                   "?1 AND private = 0) WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    int rc = sq_run(s, st);
    return rc ? rc : sq_log_change(s, CHANGE_WORK, work_id);
}

static int write_bookmark_tags(struct store *s, const struct bookmark *b)
{
    struct dbst *st = sq_prep(s, "DELETE FROM bookmark_tags WHERE bookmark_id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, b->id);
    int rc = sq_run(s, st);
    int pos = 0;
    for (size_t i = 0; !rc && i < b->tags.n; i++) {
        const char *t = b->tags.v[i];
        if (!t || !*t)
            continue;
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = b->tags.v[j] && !strcasecmp(b->tags.v[j], t);
        if (dup)
            continue;
        st = sq_prep(s, "INSERT INTO bookmark_tags (bookmark_id, position, name) VALUES (?1, ?2, "
                        "?3)");
        if (!st)
            return FICD_EDB;
        db_bind_int(st, 1, b->id);
        db_bind_int(st, 2, ++pos);
        sq_bind_text(st, 3, t);
        rc = sq_run(s, st);
    }
    return rc;
}

int store_bookmark_save(struct store *s, struct bookmark *b)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t now = sq_now();
    int64_t id = b->id, work_id = b->work_id;
    struct dbst *st;
    if (!id) {
        st = sq_prep(s, "SELECT 1 FROM works WHERE id = ?1");
        int found = 0;
        if (!st)
            rc = FICD_EDB;
        else {
            db_bind_int(st, 1, b->work_id);
            one_int(s, st, &found, &rc);
            if (!rc && !found)
                rc = sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)b->work_id);
        }
        st = rc ? NULL
                : sq_prep(s, "INSERT INTO bookmarks (user_id, work_id, notes, private, rec, "
                             "created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
        if (!rc && !st)
            rc = FICD_EDB;
        if (!rc) {
            db_bind_int(st, 1, b->user_id);
            db_bind_int(st, 2, b->work_id);
            sq_bind_text(st, 3, b->notes && *b->notes ? b->notes : NULL);
            db_bind_int(st, 4, b->is_private ? 1 : 0);
            db_bind_int(st, 5, b->rec ? 1 : 0);
            db_bind_int(st, 6, now);
            rc = sq_run(s, st);
            if (rc == FICD_EEXISTS)
                sq_failf(s, rc, "you have already bookmarked this work");
            id = db_last_id(s);
        }
    } else {
        st = sq_prep(s, "SELECT work_id FROM bookmarks WHERE id = ?1");
        int found = 0;
        if (!st)
            rc = FICD_EDB;
        else {
            db_bind_int(st, 1, id);
            work_id = one_int(s, st, &found, &rc);
            if (!rc && !found)
                rc = sq_failf(s, FICD_ENOTFOUND, "no bookmark %lld", (long long)id);
        }
        st = rc ? NULL
                : sq_prep(s, "UPDATE bookmarks SET notes = ?2, private = ?3, rec = ?4, updated = "
                             "?5 WHERE id = ?1");
        if (!rc && !st)
            rc = FICD_EDB;
        if (!rc) {
            db_bind_int(st, 1, id);
            sq_bind_text(st, 2, b->notes && *b->notes ? b->notes : NULL);
            db_bind_int(st, 3, b->is_private ? 1 : 0);
            db_bind_int(st, 4, b->rec ? 1 : 0);
            db_bind_int(st, 5, now);
            rc = sq_run(s, st);
        }
    }
    int64_t old_id = b->id;
    b->id = id;
    if (!rc)
        rc = write_bookmark_tags(s, b);
    if (!rc)
        rc = recount_bookmarks(s, work_id);
    rc = sq_tx_end(s, rc);
    if (rc) {
        b->id = old_id;
        return rc;
    }
    b->work_id = work_id;
    if (!old_id)
        b->created = now;
    b->updated = now;
    return 0;
}

#define BOOKMARK_COLS                                                                              \
    "b.id, b.user_id, b.work_id, u.name, b.notes, b.private, b.rec, b.created, b.updated"

static int read_bookmark(struct store *s, struct dbst *st, struct bookmark *out)
{
    memset(out, 0, sizeof(*out));
    out->id = db_col_int(st, 0);
    out->user_id = db_col_int(st, 1);
    out->work_id = db_col_int(st, 2);
    out->is_private = (int)db_col_int(st, 5);
    out->rec = (int)db_col_int(st, 6);
    out->created = db_col_int(st, 7);
    out->updated = db_col_int(st, 8);
    if (sq_col_dup(st, 3, &out->user_name) || sq_col_dup(st, 4, &out->notes)) {
        bookmark_free(out);
        return sq_failf(s, FICD_ENOMEM, "out of memory");
    }
    return 0;
}

static int load_bookmark_tags(struct store *s, struct bookmark *b)
{
    struct dbst *st =
        sq_prep(s, "SELECT name FROM bookmark_tags WHERE bookmark_id = ?1 ORDER BY position");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, b->id);
    return collect_names(s, st, &b->tags);
}

static int one_bookmark(struct store *s, struct dbst *st, struct bookmark *out)
{
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sq_failf(s, FICD_ENOTFOUND, "no such bookmark");
    rc = read_bookmark(s, st, out);
    db_reset(st);
    if (!rc && (rc = load_bookmark_tags(s, out)))
        bookmark_free(out);
    return rc;
}

int store_bookmark_get(struct store *s, int64_t id, struct bookmark *out)
{
    memset(out, 0, sizeof(*out));
    struct dbst *st = sq_prep(s, "SELECT " BOOKMARK_COLS " FROM bookmarks b JOIN users u ON "
                                 "u.id = b.user_id WHERE b.id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    return one_bookmark(s, st, out);
}

int store_bookmark_find(struct store *s, int64_t user_id, int64_t work_id, struct bookmark *out)
{
    memset(out, 0, sizeof(*out));
    struct dbst *st = sq_prep(s, "SELECT " BOOKMARK_COLS " FROM bookmarks b JOIN users u ON "
                                 "u.id = b.user_id WHERE b.user_id = ?1 AND b.work_id = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, work_id);
    return one_bookmark(s, st, out);
}

int store_bookmark_delete(struct store *s, int64_t id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int found = 0;
    int64_t work_id = 0;
    struct dbst *st = sq_prep(s, "SELECT work_id FROM bookmarks WHERE id = ?1");
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, id);
        work_id = one_int(s, st, &found, &rc);
        if (!rc && !found)
            rc = sq_failf(s, FICD_ENOTFOUND, "no bookmark %lld", (long long)id);
    }
    st = rc ? NULL : sq_prep(s, "DELETE FROM bookmarks WHERE id = ?1");
    if (!rc && !st)
        rc = FICD_EDB;
    if (!rc) {
        db_bind_int(st, 1, id);
        rc = sq_run(s, st);
    }
    if (!rc)
        rc = recount_bookmarks(s, work_id);
    return sq_tx_end(s, rc);
}

/* What a viewer (?1) does not want to see: the tags they blocked with their synonyms and sub
 * tags, transitively (blk), and the pseuds of the creators they muted (mp). */
#define HIDE_CTE                                                                                   \
    "WITH RECURSIVE "                                                                              \
    "b0(id) AS (SELECT coalesce(t.synonym_of, t.id) FROM blocked_tags bt JOIN tags t ON t.name = " \
    "bt.name WHERE bt.user_id = ?1), "                                                             \
    "b1(id) AS (SELECT id FROM b0 UNION SELECT m.sub_id FROM tag_meta m JOIN b1 ON m.meta_id = "   \
    "b1.id), "                                                                                     \
    "blk(id) AS (SELECT id FROM b1 UNION SELECT t.id FROM tags t JOIN b1 ON t.synonym_of = "       \
    "b1.id), "                                                                                     \
    "mp(name) AS (SELECT p.name FROM mutes m JOIN pseuds p ON p.user_id = m.muted_id WHERE "       \
    "m.user_id = ?1) "

#define HIDE_WORK(X)                                                                               \
    " AND NOT EXISTS (SELECT 1 FROM work_creators wc WHERE wc.work_id = " X                        \
    " AND wc.name IN (SELECT name FROM mp)) AND NOT EXISTS (SELECT 1 FROM work_tags wt WHERE "     \
    "wt.work_id = " X " AND wt.tag_id IN (SELECT id FROM blk))"

int store_work_hidden_for(struct store *s, int64_t viewer_id, int64_t work_id, int *hidden)
{
    *hidden = 0;
    if (viewer_id <= 0)
        return 0;
    struct dbst *st = sq_prep(s, HIDE_CTE "SELECT 1 WHERE 1 = 1" HIDE_WORK("?2"));
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, viewer_id);
    db_bind_int(st, 2, work_id);
    int found = 0, rc = 0;
    one_int(s, st, &found, &rc);
    if (!rc)
        *hidden = !found;
    return rc;
}

void store_bookmark_result_free(struct store_bookmark_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        bookmark_free(&r->v[i]);
    free(r->v);
    for (size_t i = 0; i < r->ntag_facets; i++)
        free(r->tag_facets[i].name);
    free(r->tag_facets);
    for (size_t i = 0; i < r->nwork_tag_facets; i++)
        free(r->work_tag_facets[i].name);
    free(r->work_tag_facets);
    memset(r, 0, sizeof(*r));
}

#define BQ_TAGS 10 /* first parameter number of the tag lists */

/* The WHERE part of a bookmark listing over "bookmarks b JOIN works w". Parameters: ?1 viewer,
 * ?2 bookmarker, ?3 work, then the tags and the work tags from ?BQ_TAGS on. */
static void bq_where(struct buf *b, const struct store_bookmark_query *q)
{
    buf_puts(b, " WHERE w.draft = 0 AND w.hidden = 0");
    if (q->user_id > 0)
        buf_puts(b, " AND b.user_id = ?2");
    if (q->work_id > 0)
        buf_puts(b, " AND b.work_id = ?3");
    if (q->user_id <= 0 || q->user_id != q->viewer_id)
        buf_puts(b, " AND b.private = 0");
    if (!q->include_restricted)
        buf_puts(b, " AND w.restricted = 0");
    if (q->rec_only)
        buf_puts(b, " AND b.rec = 1");
    if (q->viewer_id > 0)
        buf_puts(b,
                 " AND b.user_id NOT IN (SELECT muted_id FROM mutes WHERE user_id = ?1)" HIDE_WORK(
                     "b.work_id"));
    int p = BQ_TAGS;
    for (size_t i = 0; i < q->ntags; i++)
        buf_printf(b,
                   " AND EXISTS (SELECT 1 FROM bookmark_tags x WHERE x.bookmark_id = b.id AND "
                   "x.name = ?%d)",
                   p++);
    for (size_t i = 0; i < q->nwork_tags; i++)
        buf_printf(b,
                   " AND EXISTS (SELECT 1 FROM work_tags y WHERE y.work_id = b.work_id AND "
                   "y.tag_id IN (WITH RECURSIVE c0(id) AS (SELECT coalesce(synonym_of, id) FROM "
                   "tags WHERE name = ?%d), c1(id) AS (SELECT id FROM c0 UNION SELECT m.sub_id "
                   "FROM tag_meta m JOIN c1 ON m.meta_id = c1.id) SELECT id FROM c1 UNION SELECT "
                   "t.id FROM tags t JOIN c1 ON t.synonym_of = c1.id))",
                   p++);
}

static int bq_prepare(struct store *s, const char *sql, const struct store_bookmark_query *q,
                      struct dbst **st)
{
    int e = db_prepare(s, sql, st);
    if (e != DB_OK)
        return sq_fail(s, e);
    int np = db_param_count(*st);
    if (np >= 1)
        db_bind_int(*st, 1, q->viewer_id);
    if (np >= 2)
        db_bind_int(*st, 2, q->user_id);
    if (np >= 3)
        db_bind_int(*st, 3, q->work_id);
    int p = BQ_TAGS;
    for (size_t i = 0; i < q->ntags; i++)
        sq_bind_text(*st, p++, q->tags[i]);
    for (size_t i = 0; i < q->nwork_tags; i++)
        sq_bind_text(*st, p++, q->work_tags[i]);
    return 0;
}

static int facet_rows(struct store *s, const char *sql, const struct store_bookmark_query *q,
                      struct store_facet **v, size_t *n)
{
    struct dbst *st;
    int rc = bq_prepare(s, sql, q, &st);
    if (rc)
        return rc;
    db_bind_int(st, 4, q->facet_limit);
    size_t cap = 0;
    int e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            struct store_facet *nv = realloc(*v, cap * sizeof(*nv));
            if (!nv) {
                rc = sq_failf(s, FICD_ENOMEM, "out of memory");
                break;
            }
            *v = nv;
        }
        struct store_facet *f = &(*v)[*n];
        f->count = db_col_int(st, 1);
        if ((rc = sq_col_dup(st, 0, &f->name))) {
            rc = sq_failf(s, rc, "out of memory");
            break;
        }
        (*n)++;
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_bookmark_list(struct store *s, const struct store_bookmark_query *q,
                        struct store_bookmark_result *out)
{
    memset(out, 0, sizeof(*out));
    struct buf where = BUF_INIT, sql = BUF_INIT;
    bq_where(&where, q);
    const char *cte = q->viewer_id > 0 ? HIDE_CTE : "";
    /* ?1..?3 are always present in the statement so that numbering holds */
    const char *pin = " AND ?1 IS NOT NULL AND ?2 IS NOT NULL AND ?3 IS NOT NULL";
    int rc = 0;
    struct dbst *st = NULL;
    buf_printf(&sql, "%sSELECT count(*) FROM bookmarks b JOIN works w ON w.id = b.work_id%s%s", cte,
               buf_str(&where), pin);
    if (sql.err || where.err)
        rc = sq_failf(s, FICD_ENOMEM, "out of memory");
    if (!rc)
        rc = bq_prepare(s, buf_str(&sql), q, &st);
    if (!rc) {
        int e = db_step(st);
        if (e == DB_ROW)
            out->total = db_col_int(st, 0);
        else
            rc = sq_fail(s, e);
        db_finalize(st);
    }
    buf_reset(&sql);
    buf_printf(&sql,
               "%sSELECT " BOOKMARK_COLS " FROM bookmarks b JOIN works w ON w.id = b.work_id "
               "JOIN users u ON u.id = b.user_id%s%s ORDER BY b.created DESC, b.id DESC "
               "LIMIT ?4 OFFSET ?5",
               cte, buf_str(&where), pin);
    if (!rc && sql.err)
        rc = sq_failf(s, FICD_ENOMEM, "out of memory");
    if (!rc)
        rc = bq_prepare(s, buf_str(&sql), q, &st);
    if (!rc) {
        db_bind_int(st, 4, q->limit > 0 ? q->limit : INT64_MAX);
        db_bind_int(st, 5, q->offset > 0 ? q->offset : 0);
        size_t cap = 0;
        int e;
        while ((e = db_step(st)) == DB_ROW) {
            if (out->n == cap) {
                cap = cap ? cap * 2 : 16;
                struct bookmark *nv = realloc(out->v, cap * sizeof(*nv));
                if (!nv) {
                    rc = sq_failf(s, FICD_ENOMEM, "out of memory");
                    break;
                }
                out->v = nv;
            }
            if ((rc = read_bookmark(s, st, &out->v[out->n])))
                break;
            out->n++;
        }
        if (!rc && e != DB_DONE)
            rc = sq_fail(s, e);
        db_finalize(st);
    }
    for (size_t i = 0; !rc && i < out->n; i++)
        rc = load_bookmark_tags(s, &out->v[i]);
    if (!rc && q->facet_limit > 0) {
        buf_reset(&sql);
        buf_printf(&sql,
                   "%s, sel(id) AS (SELECT b.id FROM bookmarks b JOIN works w ON w.id = "
                   "b.work_id%s%s) SELECT min(x.name), count(*) FROM bookmark_tags x WHERE "
                   "x.bookmark_id IN (SELECT id FROM sel) GROUP BY x.name ORDER BY 2 DESC, 1 "
                   "LIMIT ?4",
                   q->viewer_id > 0 ? HIDE_CTE : "WITH RECURSIVE z(id) AS (SELECT 0)",
                   buf_str(&where), pin);
        rc = sql.err ? sq_failf(s, FICD_ENOMEM, "out of memory")
                     : facet_rows(s, buf_str(&sql), q, &out->tag_facets, &out->ntag_facets);
    }
    if (!rc && q->facet_limit > 0) {
        buf_reset(&sql);
        buf_printf(&sql,
                   "%s, sel(id, work_id) AS (SELECT b.id, b.work_id FROM bookmarks b JOIN works "
                   "w ON w.id = b.work_id%s%s), tw(bid, cid) AS (SELECT DISTINCT sel.id, "
                   "coalesce(t.synonym_of, t.id) FROM sel JOIN work_tags wt ON wt.work_id = "
                   "sel.work_id JOIN tags t ON t.id = wt.tag_id WHERE t.type <= 3) SELECT "
                   "c.name, count(*) FROM tw JOIN tags c ON c.id = tw.cid GROUP BY tw.cid "
                   "ORDER BY 2 DESC, 1 LIMIT ?4",
                   q->viewer_id > 0 ? HIDE_CTE : "WITH RECURSIVE z(id) AS (SELECT 0)",
                   buf_str(&where), pin);
        rc = sql.err
                 ? sq_failf(s, FICD_ENOMEM, "out of memory")
                 : facet_rows(s, buf_str(&sql), q, &out->work_tag_facets, &out->nwork_tag_facets);
    }
    buf_free(&sql);
    buf_free(&where);
    if (rc)
        store_bookmark_result_free(out);
    return rc;
}

/* ---- muting and blocking ---- */

int store_mute(struct store *s, int64_t user_id, int64_t muted_id, int on)
{
    if (on && user_id == muted_id)
        return sq_failf(s, FICD_EINVAL, "you cannot mute yourself");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, on ? "INSERT INTO mutes (user_id, muted_id, created) "
                                      "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"
                                    : "DELETE FROM mutes WHERE user_id = ?1 AND muted_id = ?2 "
                                      "AND ?3 IS NOT NULL");
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, user_id);
        db_bind_int(st, 2, muted_id);
        db_bind_int(st, 3, sq_now());
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}

int store_is_muted(struct store *s, int64_t user_id, int64_t muted_id, int *muted)
{
    *muted = 0;
    struct dbst *st = sq_prep(s, "SELECT 1 FROM mutes WHERE user_id = ?1 AND muted_id = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, muted_id);
    int rc = 0;
    one_int(s, st, muted, &rc);
    return rc;
}

int store_muted_pseuds(struct store *s, int64_t user_id, struct strlist *out)
{
    struct dbst *st = sq_prep(s, "SELECT p.name FROM mutes m JOIN pseuds p ON p.user_id = "
                                 "m.muted_id WHERE m.user_id = ?1 ORDER BY p.name");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    return collect_names(s, st, out);
}

int store_muted_users(struct store *s, int64_t user_id, struct strlist *out)
{
    struct dbst *st = sq_prep(s, "SELECT u.name FROM mutes m JOIN users u ON u.id = m.muted_id "
                                 "WHERE m.user_id = ?1 ORDER BY u.name");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    return collect_names(s, st, out);
}

int store_blocked_tags_set(struct store *s, int64_t user_id, const struct strlist *names)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "DELETE FROM blocked_tags WHERE user_id = ?1");
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, user_id);
        rc = sq_run(s, st);
    }
    for (size_t i = 0; !rc && i < names->n; i++) {
        if (!names->v[i] || !*names->v[i])
            continue;
        st = sq_prep(s, "INSERT INTO blocked_tags (user_id, name) VALUES (?1, ?2) "
                        "ON CONFLICT DO NOTHING");
        if (!st) {
            rc = FICD_EDB;
            break;
        }
        db_bind_int(st, 1, user_id);
        sq_bind_text(st, 2, names->v[i]);
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}

int store_blocked_tags(struct store *s, int64_t user_id, struct strlist *out)
{
    struct dbst *st = sq_prep(s, "SELECT name FROM blocked_tags WHERE user_id = ?1 ORDER BY name");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    return collect_names(s, st, out);
}

/* ---- subscriptions ---- */

int store_subscribe(struct store *s, int64_t user_id, enum sub_kind kind, int64_t target_id, int on)
{
    if (kind < SUB_WORK || kind > SUB_SERIES)
        return sq_failf(s, FICD_EINVAL, "unknown subscription kind %d", (int)kind);
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st =
        sq_prep(s, on ? "INSERT INTO subscriptions (user_id, kind, target_id, created) "
                        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"
                      : "DELETE FROM subscriptions WHERE user_id = ?1 AND kind = ?2 AND "
                        "target_id = ?3 AND ?4 IS NOT NULL");
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, user_id);
        db_bind_int(st, 2, (int)kind);
        db_bind_int(st, 3, target_id);
        db_bind_int(st, 4, sq_now());
        rc = sq_run(s, st);
    }
    /* works.subscriptions stays the exact number of the work's subscribers */
    if (!rc && kind == SUB_WORK) {
        st = sq_prep(s, "UPDATE works SET subscriptions = (SELECT count(*) FROM subscriptions "
                        "WHERE kind = 1 AND target_id = ?1) WHERE id = ?1");
        if (!st)
            rc = FICD_EDB;
        else {
            db_bind_int(st, 1, target_id);
            rc = sq_run(s, st);
        }
        if (!rc)
            rc = sq_log_change(s, CHANGE_WORK, target_id);
    }
    return sq_tx_end(s, rc);
}

int store_is_subscribed(struct store *s, int64_t user_id, enum sub_kind kind, int64_t target_id,
                        int *on)
{
    *on = 0;
    struct dbst *st = sq_prep(s, "SELECT 1 FROM subscriptions WHERE user_id = ?1 AND kind = ?2 "
                                 "AND target_id = ?3");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, (int)kind);
    db_bind_int(st, 3, target_id);
    int rc = 0;
    one_int(s, st, on, &rc);
    return rc;
}

int store_subscription_list(struct store *s, int64_t user_id, store_subscription_cb cb, void *ctx)
{
    struct dbst *st;
    int e = db_prepare(
        s,
        "SELECT x.id, x.kind, x.target_id, x.created, CASE x.kind WHEN 1 THEN (SELECT title "
        "FROM works WHERE id = x.target_id) WHEN 2 THEN (SELECT name FROM users WHERE id = "
        "x.target_id) ELSE (SELECT title FROM series WHERE id = x.target_id) END FROM "
        "subscriptions x WHERE x.user_id = ?1 ORDER BY x.created DESC, x.id DESC",
        &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, user_id);
    while ((e = db_step(st)) == DB_ROW) {
        struct subscription sub = {
            .id = db_col_int(st, 0),
            .kind = (enum sub_kind)(int)db_col_int(st, 1),
            .target_id = db_col_int(st, 2),
            .created = db_col_int(st, 3),
            .name = db_col_text(st, 4),
        };
        if (cb(&sub, ctx))
            break;
    }
    int rc = e == DB_DONE || e == DB_ROW ? 0 : sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_subscribers(struct store *s, enum sub_kind kind, int64_t target_id, int64_t **ids,
                      size_t *n)
{
    *ids = NULL;
    *n = 0;
    struct dbst *st = sq_prep(s, "SELECT user_id FROM subscriptions WHERE kind = ?1 AND "
                                 "target_id = ?2 ORDER BY user_id");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, (int)kind);
    db_bind_int(st, 2, target_id);
    size_t cap = 0;
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW)
        if (ids_push(ids, n, &cap, db_col_int(st, 0))) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    if (rc) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- reading history ---- */

int store_history_off(struct store *s, int64_t user_id, int *off)
{
    *off = 0;
    struct dbst *st = sq_prep(s, "SELECT history_off FROM reader_prefs WHERE user_id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    int found = 0, rc = 0;
    *off = (int)one_int(s, st, &found, &rc);
    return rc;
}

int store_history_set(struct store *s, int64_t user_id, int off)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "INSERT INTO reader_prefs (user_id, history_off) VALUES (?1, "
                                 "?2) ON CONFLICT (user_id) DO UPDATE SET history_off = ?2");
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, user_id);
        db_bind_int(st, 2, off ? 1 : 0);
        rc = sq_run(s, st);
    }
    /* off clears the history; works marked for later stay on that list */
    st = !rc && off ? sq_prep(s, "DELETE FROM readings WHERE user_id = ?1 AND later = 0") : NULL;
    if (!rc && off && !st)
        rc = FICD_EDB;
    if (!rc && st) {
        db_bind_int(st, 1, user_id);
        rc = sq_run(s, st);
    }
    st = !rc && off ? sq_prep(s, "UPDATE readings SET visits = 0, last_chapter = 0 WHERE "
                                 "user_id = ?1")
                    : NULL;
    if (!rc && off && !st)
        rc = FICD_EDB;
    if (!rc && st) {
        db_bind_int(st, 1, user_id);
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}

int store_reading_visit(struct store *s, int64_t user_id, int64_t work_id, int chapter)
{
    /* One statement, no explicit transaction: the cheapest write SQLite does. */
    struct dbst *st = sq_prep(
        s, "INSERT INTO readings (user_id, work_id, last_visit, visits, last_chapter) SELECT ?1, "
           "?2, ?3, 1, ?4 WHERE NOT EXISTS (SELECT 1 FROM reader_prefs WHERE user_id = ?1 AND "
           "history_off = 1) ON CONFLICT (user_id, work_id) DO UPDATE SET last_visit = ?3, "
           "visits = visits + 1, last_chapter = CASE WHEN ?4 > 0 THEN ?4 ELSE last_chapter END");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, work_id);
    db_bind_int(st, 3, sq_now());
    db_bind_int(st, 4, chapter > 0 ? chapter : 0);
    return sq_run(s, st);
}

int store_reading_get(struct store *s, int64_t user_id, int64_t work_id, struct reading *out)
{
    memset(out, 0, sizeof(*out));
    struct dbst *st = sq_prep(s, "SELECT last_visit, visits, last_chapter, later FROM readings "
                                 "WHERE user_id = ?1 AND work_id = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, work_id);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return FICD_ENOTFOUND;
    out->work_id = work_id;
    out->last_visit = db_col_int(st, 0);
    out->visits = db_col_int(st, 1);
    out->last_chapter = (int)db_col_int(st, 2);
    out->later = (int)db_col_int(st, 3);
    db_reset(st);
    return 0;
}

int store_reading_mark_later(struct store *s, int64_t user_id, int64_t work_id, int later)
{
    struct dbst *st = sq_prep(
        s, "INSERT INTO readings (user_id, work_id, last_visit, visits, later) VALUES (?1, ?2, "
           "?3, 0, ?4) ON CONFLICT (user_id, work_id) DO UPDATE SET later = ?4");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, work_id);
    db_bind_int(st, 3, sq_now());
    db_bind_int(st, 4, later ? 1 : 0);
    return sq_run(s, st);
}

int store_reading_list(struct store *s, int64_t user_id, int later_only, int offset, int limit,
                       store_reading_cb cb, void *ctx, int64_t *total)
{
    const char *cond = later_only ? " AND r.later = 1" : " AND r.visits > 0";
    char sql[512];
    struct dbst *st;
    int rc = 0;
    if (total) {
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM readings r JOIN works w ON w.id = r.work_id WHERE "
                 "r.user_id = ?1 AND w.draft = 0 AND w.hidden = 0%s",
                 cond);
        int e = db_prepare(s, sql, &st);
        if (e != DB_OK)
            return sq_fail(s, e);
        db_bind_int(st, 1, user_id);
        e = db_step(st);
        *total = e == DB_ROW ? db_col_int(st, 0) : 0;
        if (e != DB_ROW)
            rc = sq_fail(s, e);
        db_finalize(st);
        if (rc)
            return rc;
    }
    snprintf(
        sql, sizeof(sql),
        "SELECT r.work_id, r.last_visit, r.visits, r.last_chapter, r.later FROM readings r "
        "JOIN works w ON w.id = r.work_id WHERE r.user_id = ?1 AND w.draft = 0 AND w.hidden = 0%s "
        "ORDER BY "
        "r.last_visit DESC, r.work_id DESC LIMIT ?2 OFFSET ?3",
        cond);
    int e = db_prepare(s, sql, &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, user_id);
    db_bind_int(st, 2, limit > 0 ? limit : INT64_MAX);
    db_bind_int(st, 3, offset > 0 ? offset : 0);
    /* rows first, callbacks after: cb may use the store */
    struct reading *v = NULL;
    size_t n = 0, cap = 0;
    while ((e = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            struct reading *nv = realloc(v, cap * sizeof(*nv));
            if (!nv) {
                rc = sq_failf(s, FICD_ENOMEM, "out of memory");
                break;
            }
            v = nv;
        }
        v[n++] = (struct reading){db_col_int(st, 0), db_col_int(st, 1), db_col_int(st, 2),
                                  (int)db_col_int(st, 3), (int)db_col_int(st, 4)};
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

/* ---- the private feed token ---- */

int store_feed_token_set(struct store *s, int64_t user_id, const char *token)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "INSERT INTO reader_prefs (user_id, feed_token) VALUES (?1, ?2) "
                                 "ON CONFLICT (user_id) DO UPDATE SET feed_token = ?2");
    if (!st)
        rc = FICD_EDB;
    else {
        db_bind_int(st, 1, user_id);
        sq_bind_text(st, 2, token);
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}

int store_feed_token_user(struct store *s, const char *token, int64_t *user_id)
{
    *user_id = 0;
    if (!token || !*token)
        return 0;
    struct dbst *st = sq_prep(s, "SELECT user_id FROM reader_prefs WHERE feed_token = ?1");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, token);
    int found = 0, rc = 0;
    *user_id = one_int(s, st, &found, &rc);
    return rc;
}

int store_feed_token_get(struct store *s, int64_t user_id, char **token)
{
    *token = NULL;
    struct dbst *st = sq_prep(s, "SELECT feed_token FROM reader_prefs WHERE user_id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    rc = sq_col_dup(st, 0, token);
    db_reset(st);
    return rc ? sq_failf(s, rc, "out of memory") : 0;
}
