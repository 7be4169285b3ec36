/* works_list.c: many works at once from the store (split from works.c): the filtered and
 * paged listing with its total, the full scan in id order for index builds, and counting. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct idvec {
    int64_t *v;
    size_t n, cap;
};

static int idvec_push(struct idvec *a, int64_t id)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        int64_t *v = realloc(a->v, cap * sizeof(*v));
        if (!v)
            return FICD_ENOMEM;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = id;
    return 0;
}

/* Builds "<head> FROM works w WHERE ..." for the filters of q. Only fixed fragments go into
 * the SQL; the user's values are bound as ?1 (user), ?2 (creator), ?3 (tag). */
static void query_sql(char *sql, size_t size, const char *head, const struct store_work_query *q,
                      int page)
{
    int n = snprintf(sql, size, "%s FROM works w WHERE 1 = 1", head);
    if (q->drafts_only)
        n += snprintf(sql + n, size - (size_t)n, " AND w.draft = 1");
    else if (!q->include_drafts)
        n += snprintf(sql + n, size - (size_t)n, " AND w.draft = 0");
    if (!q->include_hidden)
        n += snprintf(sql + n, size - (size_t)n, " AND w.hidden = 0");
    if (q->user_id > 0)
        n += snprintf(sql + n, size - (size_t)n, " AND w.user_id = ?1");
    if (q->creator)
        n += snprintf(sql + n, size - (size_t)n,
                      " AND w.id IN (SELECT work_id FROM work_creators WHERE name = ?2)");
    if (q->tag)
        n += snprintf(sql + n, size - (size_t)n,
                      " AND w.id IN (SELECT wt.work_id FROM tags t JOIN work_tags wt "
                      "ON wt.tag_id = t.id WHERE t.name = ?3)");
    if (page) {
        const char *order = q->order == STORE_ORDER_ID_ASC    ? "w.id"
                            : q->order == STORE_ORDER_ID_DESC ? "w.id DESC"
                                                              : "w.updated DESC, w.id DESC";
        snprintf(sql + n, size - (size_t)n, " ORDER BY %s LIMIT ?4 OFFSET ?5", order);
    }
}

static int prepare_query(struct store *s, const char *sql, const struct store_work_query *q,
                         struct dbst **st)
{
    int e = db_prepare(s, sql, st);
    if (e != DB_OK)
        return sq_fail(s, e);
    if (q->user_id > 0)
        db_bind_int(*st, 1, q->user_id);
    if (q->creator)
        sq_bind_text(*st, 2, q->creator);
    if (q->tag)
        sq_bind_text(*st, 3, q->tag);
    return 0;
}

/* Collects the matching ids of the page first, then loads them in batches, so the callback
 * runs with no statement open. */
int store_work_list(struct store *s, const struct store_work_query *q, store_work_cb cb, void *ctx,
                    int64_t *total)
{
    static const struct store_work_query defaults = {0};
    if (!q)
        q = &defaults;
    char sql[1024];
    struct dbst *st;
    struct idvec ids = {0};
    if (total) {
        *total = 0;
        query_sql(sql, sizeof(sql), "SELECT count(*)", q, 0);
        int rc = prepare_query(s, sql, q, &st);
        if (rc)
            return rc;
        int e = db_step(st);
        if (e == DB_ROW)
            *total = db_col_int(st, 0);
        else
            rc = sq_fail(s, e);
        db_finalize(st);
        if (rc)
            return rc;
    }
    query_sql(sql, sizeof(sql), "SELECT w.id", q, 1);
    int rc = prepare_query(s, sql, q, &st);
    if (rc)
        return rc;
    db_bind_int(st, 4, q->limit > 0 ? q->limit : INT64_MAX);
    db_bind_int(st, 5, q->offset > 0 ? q->offset : 0);
    int e;
    while ((e = db_step(st)) == DB_ROW)
        if ((rc = idvec_push(&ids, db_col_int(st, 0))))
            break;
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    int stopped = 0;
    if (!rc)
        rc = sq_emit_works(s, ids.v, ids.n, 0, cb, ctx, &stopped);
    free(ids.v);
    return rc;
}

/* Walks every work in id order, one batch of ids at a time (an index range scan each), so
 * memory stays bounded and there are a handful of queries per batch, not per work. */
int store_work_foreach(struct store *s, int with_bodies, store_work_cb cb, void *ctx)
{
    /* runs of ids read by range, tags by id from a table read once: on PostgreSQL this
     * is what makes a scan of a million works take seconds rather than minutes (no join with
     * tags per batch), and it saves SQLite a fifth of its CPU */
    size_t step = with_bodies ? SQ_WORK_RANGE_BODIES : SQ_WORK_RANGE;
    struct sq_tag_names tn = {0};
    int rc = sq_tag_names_load(s, &tn);
    if (rc)
        return rc;
    int64_t *ids = malloc(step * sizeof(*ids)), after = 0;
    if (!ids) {
        sq_tag_names_free(&tn);
        return FICD_ENOMEM;
    }
    int stopped = 0;
    while (!rc && !stopped) {
        struct dbst *st = sq_prep(s, "SELECT id FROM works WHERE id > ?1 ORDER BY id LIMIT ?2");
        if (!st) {
            rc = FICD_EDB;
            break;
        }
        db_bind_int(st, 1, after);
        db_bind_int(st, 2, (int64_t)step);
        size_t n = 0;
        int e;
        while ((e = db_step(st)) == DB_ROW && n < step)
            ids[n++] = db_col_int(st, 0);
        if (e != DB_DONE && e != DB_ROW)
            rc = sq_fail(s, e);
        db_reset(st);
        if (rc || n == 0)
            break;
        after = ids[n - 1];
        rc = sq_emit_range(s, ids, n, with_bodies, &tn, cb, ctx, &stopped);
    }
    free(ids);
    sq_tag_names_free(&tn);
    return rc;
}

int store_work_count(struct store *s, int include_drafts, int64_t *n)
{
    *n = 0;
    struct dbst *st = include_drafts ? sq_prep(s, "SELECT count(*) FROM works")
                                     : sq_prep(s, "SELECT count(*) FROM works WHERE draft = 0");
    if (!st)
        return FICD_EDB;
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *n = db_col_int(st, 0);
    db_reset(st);
    return 0;
}
