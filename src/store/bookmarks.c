/* bookmarks.c: bookmarks in the store (split from readers.c): saving with their tags and the
 * exact public bookmark count of each work, reading, deleting, the hidden-for-a-viewer test,
 * and the bookmark listings with their facets. */
#include "core/buf.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
            sq_one_int(s, st, &found, &rc);
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
            work_id = sq_one_int(s, st, &found, &rc);
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
    return sq_collect_names(s, st, &b->tags);
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
        work_id = sq_one_int(s, st, &found, &rc);
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
    sq_one_int(s, st, &found, &rc);
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
                   "c.name, count(*) FROM tw JOIN tags c ON c.id = tw.cid GROUP BY tw.cid, c.name "
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
