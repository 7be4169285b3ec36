/* works.c: works and chapters in the store: reading them in batches, insert, update, delete,
 * publish, and the chapter operations. Listing, the full scan for index builds and counting
 * are in works_list.c. */
#include "core/buf.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Works are read in batches of up to BATCH ids: one query per table for the whole batch
 * (ids bound to a fixed IN list, unused slots bound to 0, which no work has). A single work
 * uses the "= ?1" form of each query ([0]), which needs no temporary index for the list. */
#define BATCH        SQ_WORK_BATCH
#define BATCH_BODIES SQ_WORK_BATCH_BODIES
#define IN_IDS                                                                                     \
    "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,"     \
    "?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35,?36,?37,?38,?39,?40,?41,?42,?43,?44,?45,?46,"     \
    "?47,?48,?49,?50,?51,?52,?53,?54,?55,?56,?57,?58,?59,?60,?61,?62,?63,?64)"

/* The three forms of each batch query: [0] one work, [1] the IN list, [2] a range of ids
 * (RANGE below). */
#define W_ONE   "= ?1"
#define W_IN    "IN " IN_IDS
#define W_RANGE "BETWEEN ?1 AND ?2"
#define FORMS(M)                                                                                   \
    {                                                                                              \
        M(W_ONE), M(W_IN), M(W_RANGE)                                                              \
    }

#define SQL_WORKS(W)                                                                               \
    "SELECT id, title, summary, notes_begin, notes_end, language, rating, rating_declared, "       \
    "warnings, categories, expected_chapters, published, updated, draft, restricted, series, "     \
    "series_position, content_hash, user_id, kudos, hits, comments, bookmarks, "                   \
    "subscriptions, comment_policy, moderate_comments, hidden, "                                   \
    "(SELECT series_id FROM series_works sw WHERE sw.work_id = works.id) "                         \
    "FROM works WHERE id " W
static const char *const sql_load_works[3] = FORMS(SQL_WORKS);

/* A batch's creators, beta readers, suggestions and tags in one query (one round trip on
 * PostgreSQL): work id, list (0 creators, 1 beta, 2 suggestions, 3 tags), tag type, name.
 * On PostgreSQL a page's tags are looked up by key (a nested loop), never by hashing the
 * whole tags table, which its planner would otherwise choose for a few dozen works; a range
 * (thousands of works) lets the planner choose. */
#define SQL_LISTS_T(W, TAGS)                                                                       \
    "SELECT work_id, 0, 0, name, position FROM work_creators WHERE work_id " W                     \
    " UNION ALL SELECT work_id, 1, 0, name, position FROM work_beta WHERE work_id " W              \
    " UNION ALL SELECT work_id, 2, kind, name, position FROM work_suggestions WHERE work_id " W    \
    " UNION ALL SELECT wt.work_id, 3, t.type, t.name, wt.position FROM work_tags wt " TAGS         \
    " WHERE wt.work_id " W " ORDER BY 1, 2, 3, 5"
#define TAGS_JOIN "JOIN tags t ON t.id = wt.tag_id"
#define TAGS_LATERAL                                                                               \
    "CROSS JOIN LATERAL (SELECT type, CAST(name AS TEXT) AS name FROM tags WHERE tags.id = "       \
    "wt.tag_id OFFSET 0) t"
#define SQL_LISTS(W)    SQL_LISTS_T(W, TAGS_JOIN)
#define SQL_LISTS_PG(W) SQL_LISTS_T(W, TAGS_LATERAL)
static const char *const sql_load_lists[3] = FORMS(SQL_LISTS);
static const char *const sql_load_lists_pg[3] = {SQL_LISTS_PG(W_ONE), SQL_LISTS_PG(W_IN),
                                                 SQL_LISTS(W_RANGE)};

/* The same with each tag as its id (last column), for scans that hold every tag's name in a
 * struct sq_tag_names: no join with tags at all. */
#define SQL_LISTS_IDS(W)                                                                           \
    "SELECT work_id, 0, 0, name, position, 0 FROM work_creators WHERE work_id " W                  \
    " UNION ALL SELECT work_id, 1, 0, name, position, 0 FROM work_beta WHERE work_id " W           \
    " UNION ALL SELECT work_id, 2, kind, name, position, 0 FROM work_suggestions WHERE work_id " W \
    " UNION ALL SELECT work_id, 3, 0, CAST(NULL AS TEXT), position, tag_id FROM work_tags "        \
    "WHERE work_id " W " ORDER BY 1, 2, 3, 5"
static const char *const sql_load_lists_ids[3] = FORMS(SQL_LISTS_IDS);

#define SQL_CHAPTERS(W)                                                                            \
    "SELECT work_id, id, position, title, summary, notes_begin, notes_end, words, NULL "           \
    "FROM chapters WHERE work_id " W " ORDER BY work_id, position"
#define SQL_CHAPTERS_BODIES(W)                                                                     \
    "SELECT work_id, id, position, title, summary, notes_begin, notes_end, words, html "           \
    "FROM chapters WHERE work_id " W " ORDER BY work_id, position"
static const char *const sql_load_chapters[3] = FORMS(SQL_CHAPTERS);
static const char *const sql_load_chapters_bodies[3] = FORMS(SQL_CHAPTERS_BODIES);

enum list_kind { LIST_CREATORS, LIST_BETA, LIST_SUGG, LIST_TAGS };

struct batch {
    const int64_t *ids;
    size_t n;
    struct work *w; /* n works, in the order of ids */
    int *found;     /* found[i]: ids[i] exists */
    int range;      /* ids ascending, and every work with an id between the first and the last
                       is among them: loaded with the range form, any n */
    const struct sq_tag_names *tn; /* every tag's type and name, or NULL: join with tags */
};

/* Prepares the single-id, the IN-list or the range form of a query and binds the batch's
 * ids. */
static struct dbst *prep_ids(struct store *s, const char *const sql[3], const struct batch *b)
{
    struct dbst *st = sq_prep(s, sql[b->range ? 2 : b->n > 1]);
    if (!st)
        return NULL;
    if (b->range) {
        db_bind_int(st, 1, b->ids[0]);
        db_bind_int(st, 2, b->ids[b->n - 1]);
        return st;
    }
    int np = db_param_count(st);
    for (int i = 0; i < np; i++)
        db_bind_int(st, i + 1, (size_t)i < b->n ? b->ids[i] : 0);
    return st;
}

/* The slot of work id in the batch, or -1; rows come grouped by work, so the previous
 * slot is tried first, then (a range's ids are sorted) a binary search. */
static int slot_of(const struct batch *b, int64_t id, int *last)
{
    if (*last >= 0 && b->ids[*last] == id)
        return *last;
    if (b->range) {
        size_t lo = 0, hi = b->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (b->ids[mid] < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < b->n && b->ids[lo] == id)
            return *last = (int)lo;
        return -1;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->ids[i] == id) {
            *last = (int)i;
            return (int)i;
        }
    }
    return -1;
}

static int read_work_row(struct dbst *st, struct work *w)
{
    int rc = 0;
    w->id = db_col_int(st, 0);
    rc |= sq_col_dup(st, 1, &w->title);
    rc |= sq_col_dup(st, 2, &w->summary);
    rc |= sq_col_dup(st, 3, &w->notes_begin);
    rc |= sq_col_dup(st, 4, &w->notes_end);
    rc |= sq_col_dup(st, 5, &w->language);
    w->rating = (enum rating)(int)db_col_int(st, 6);
    w->rating_declared = (int)db_col_int(st, 7);
    w->warnings = (unsigned)db_col_int(st, 8);
    w->categories = (unsigned)db_col_int(st, 9);
    w->expected_chapters = (int)db_col_int(st, 10);
    w->published = db_col_int(st, 11);
    w->updated = db_col_int(st, 12);
    w->draft = (int)db_col_int(st, 13);
    w->restricted = (int)db_col_int(st, 14);
    rc |= sq_col_dup(st, 15, &w->series);
    w->series_position = (int)db_col_int(st, 16);
    const char *h = db_col_text(st, 17);
    snprintf(w->content_hash, sizeof(w->content_hash), "%s", h ? h : "");
    w->user_id = db_col_int(st, 18);
    w->kudos = db_col_int(st, 19);
    w->hits = db_col_int(st, 20);
    w->comments = db_col_int(st, 21);
    w->bookmarks = db_col_int(st, 22);
    w->subscriptions = db_col_int(st, 23);
    w->comment_policy = (int)db_col_int(st, 24);
    w->moderate_comments = (int)db_col_int(st, 25);
    w->hidden = (int)db_col_int(st, 26);
    w->series_id = db_col_int(st, 27);
    return rc ? FICD_ENOMEM : 0;
}

static struct strlist *list_for(struct work *w, enum list_kind kind, int type)
{
    switch (kind) {
    case LIST_CREATORS:
        return &w->creators;
    case LIST_BETA:
        return &w->beta;
    case LIST_SUGG:
        return type == TAG_FANDOM         ? &w->sugg_fandoms
               : type == TAG_RELATIONSHIP ? &w->sugg_relationships
               : type == TAG_CHARACTER    ? &w->sugg_characters
                                          : NULL;
    case LIST_TAGS:
        return type == TAG_FANDOM         ? &w->fandoms
               : type == TAG_RELATIONSHIP ? &w->relationships
               : type == TAG_CHARACTER    ? &w->characters
               : type == TAG_FREEFORM     ? &w->freeforms
                                          : NULL;
    }
    return NULL;
}

/* Runs the batch's list query and hands each row to the list of the work it belongs to. */
static int load_lists(struct store *s, struct batch *b)
{
    struct dbst *st = prep_ids(s,
                               b->tn                     ? sql_load_lists_ids
                               : s->drv == &db_pg_driver ? sql_load_lists_pg
                                                         : sql_load_lists,
                               b);
    if (!st)
        return FICD_EDB;
    int rc = 0, e, last = -1;
    while ((e = db_step(st)) == DB_ROW) {
        int i = slot_of(b, db_col_int(st, 0), &last);
        int kind = (int)db_col_int(st, 1), type = (int)db_col_int(st, 2);
        const char *name = db_col_text(st, 3);
        if (b->tn && kind == LIST_TAGS) {
            int64_t id = db_col_int(st, 5);
            const struct sq_tag_names *tn = b->tn;
            if (id <= 0 || id > tn->max || tn->type[id] < 0)
                continue; /* a tag made after the names were read: not this scan's */
            type = tn->type[id];
            name = tn->pool + tn->off[id];
        }
        struct strlist *l = i < 0 || kind < LIST_CREATORS || kind > LIST_TAGS
                                ? NULL
                                : list_for(&b->w[i], (enum list_kind)kind, type);
        if (l && name && (rc = strlist_add(l, name)))
            break;
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    return rc;
}

static int load_chapters(struct store *s, struct batch *b, int with_bodies)
{
    struct dbst *st = prep_ids(s, with_bodies ? sql_load_chapters_bodies : sql_load_chapters, b);
    if (!st)
        return FICD_EDB;
    int rc = 0, e, last = -1;
    while ((e = db_step(st)) == DB_ROW) {
        int i = slot_of(b, db_col_int(st, 0), &last);
        if (i < 0)
            continue;
        struct chapter *c = work_add_chapter(&b->w[i]);
        if (!c) {
            rc = FICD_ENOMEM;
            break;
        }
        c->id = db_col_int(st, 1);
        c->position = (int)db_col_int(st, 2);
        c->words = (int)db_col_int(st, 7);
        if (sq_col_dup(st, 3, &c->title) || sq_col_dup(st, 4, &c->summary) ||
            sq_col_dup(st, 5, &c->notes_begin) || sq_col_dup(st, 6, &c->notes_end) ||
            sq_col_dup(st, 8, &c->html)) {
            rc = FICD_ENOMEM;
            break;
        }
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    return rc;
}

/* Fills b->w[i] (work_init'ed here) for each of the b->n ids, with about six queries for the
 * whole batch; b->found[i] tells whether ids[i] exists. On failure the caller still frees
 * the n works. */
static int load_batch_queries(struct store *s, struct batch *b, int with_bodies)
{
    struct dbst *st = prep_ids(s, sql_load_works, b);
    if (!st)
        return FICD_EDB;
    int rc = 0, e, last = -1;
    while ((e = db_step(st)) == DB_ROW) {
        int i = slot_of(b, db_col_int(st, 0), &last);
        if (i < 0)
            continue;
        b->found[i] = 1;
        if ((rc = read_work_row(st, &b->w[i])))
            break;
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    if (!rc)
        rc = load_lists(s, b);
    if (!rc)
        rc = load_chapters(s, b, with_bodies);
    return rc;
}

/* Runs the batch's queries in one read transaction (when the caller holds none), so they
 * see one snapshot and take the database's shared lock once rather than once per query. */
static int load_batch(struct store *s, struct batch *b, int with_bodies)
{
    for (size_t i = 0; i < b->n; i++) {
        work_init(&b->w[i]);
        b->found[i] = 0;
    }
    int own = !db_in_tx(s);
    if (own) {
        struct dbst *begin = sq_prep(s, "BEGIN");
        if (!begin || sq_run(s, begin))
            return FICD_EDB;
    }
    int rc = load_batch_queries(s, b, with_bodies);
    if (own) {
        struct dbst *end = sq_prep(s, "COMMIT");
        if (!end || sq_run(s, end)) {
            db_exec(s, "ROLLBACK");
            if (!rc)
                rc = FICD_EDB;
        }
    }
    return rc;
}

static void free_batch(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        work_free(&b->w[i]);
}

int store_work_get(struct store *s, int64_t id, int with_bodies, struct work *out)
{
    int found = 0;
    struct batch b = {&id, 1, out, &found, 0, NULL};
    int rc = load_batch(s, &b, with_bodies);
    if (!rc && !found)
        rc = sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)id);
    if (rc)
        work_free(out);
    return rc;
}

/* Loads ids[0..n) in batches and calls cb for each work still present, in that order.
 * *stopped is set when cb asked to stop. No statement is in use while cb runs, so cb may
 * call the store. */
int sq_emit_works(struct store *s, const int64_t *ids, size_t n, int with_bodies, store_work_cb cb,
                  void *ctx, int *stopped)
{
    struct work w[BATCH];
    int found[BATCH];
    size_t step = with_bodies ? BATCH_BODIES : BATCH;
    for (size_t off = 0; off < n && !*stopped; off += step) {
        struct batch b = {ids + off, n - off < step ? n - off : step, w, found, 0, NULL};
        int rc = load_batch(s, &b, with_bodies);
        for (size_t i = 0; !rc && i < b.n && !*stopped; i++)
            if (found[i] && cb(&w[i], ctx))
                *stopped = 1;
        free_batch(&b);
        if (rc)
            return rc;
    }
    return 0;
}

int sq_tag_names_load(struct store *s, struct sq_tag_names *tn)
{
    memset(tn, 0, sizeof(*tn));
    int64_t count = 0, max = 0;
    struct dbst *st = sq_prep(s, "SELECT count(*), coalesce(max(id), 0) FROM tags");
    if (!st)
        return FICD_EDB;
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc > 0) {
        count = db_col_int(st, 0);
        max = db_col_int(st, 1);
        db_reset(st);
    }
    if (max > 4 * count + 1000000) /* ids too sparse for a table: the caller joins */
        return 0;
    tn->type = malloc((size_t)(max + 1));
    tn->off = malloc((size_t)(max + 1) * sizeof(*tn->off));
    if (!tn->type || !tn->off) {
        sq_tag_names_free(tn);
        return FICD_ENOMEM;
    }
    memset(tn->type, -1, (size_t)(max + 1));
    tn->max = max;
    struct buf pool = BUF_INIT;
    st = sq_prep(s, "SELECT id, type, name FROM tags WHERE id <= ?1");
    if (!st) {
        sq_tag_names_free(tn);
        return FICD_EDB;
    }
    db_bind_int(st, 1, max);
    int e;
    rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        int64_t id = db_col_int(st, 0);
        const char *name = db_col_text(st, 2);
        if (id <= 0 || id > max || !name)
            continue;
        tn->type[id] = (int8_t)db_col_int(st, 1);
        tn->off[id] = (uint32_t)pool.len;
        buf_put(&pool, name, strlen(name) + 1);
        if (pool.err || pool.len > UINT32_MAX) {
            rc = FICD_ENOMEM;
            break;
        }
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    tn->pool = buf_take(&pool);
    if (rc)
        sq_tag_names_free(tn);
    return rc;
}

void sq_tag_names_free(struct sq_tag_names *tn)
{
    free(tn->type);
    free(tn->off);
    free(tn->pool);
    memset(tn, 0, sizeof(*tn));
}

int sq_emit_range(struct store *s, const int64_t *ids, size_t n, int with_bodies,
                  const struct sq_tag_names *tn, store_work_cb cb, void *ctx, int *stopped)
{
    struct work *w = malloc(n * sizeof(*w));
    int *found = malloc(n * sizeof(*found));
    int rc = w && found ? 0 : FICD_ENOMEM;
    if (!rc && n) {
        struct batch b = {ids, n, w, found, 1, tn && tn->type ? tn : NULL};
        rc = load_batch(s, &b, with_bodies);
        for (size_t i = 0; !rc && i < b.n && !*stopped; i++)
            if (found[i] && cb(&w[i], ctx))
                *stopped = 1;
        free_batch(&b);
    }
    free(w);
    free(found);
    return rc;
}

int store_work_get_many(struct store *s, const int64_t *ids, size_t n, int with_bodies,
                        store_work_cb cb, void *ctx)
{
    int stopped = 0;
    return sq_emit_works(s, ids, n, with_bodies, cb, ctx, &stopped);
}

/* ---- writing ---- */

/* Binds the metadata columns of w to ?1..?20, in the order of the INSERT and UPDATE below. */
static void bind_meta(struct dbst *st, const struct work *w, int64_t published, int64_t updated)
{
    sq_bind_text(st, 1, w->title);
    sq_bind_text(st, 2, w->summary);
    sq_bind_text(st, 3, w->notes_begin);
    sq_bind_text(st, 4, w->notes_end);
    sq_bind_text(st, 5, w->language);
    db_bind_int(st, 6, (int)w->rating);
    db_bind_int(st, 7, w->rating_declared ? 1 : 0);
    db_bind_int(st, 8, w->warnings);
    db_bind_int(st, 9, w->categories);
    db_bind_int(st, 10, w->expected_chapters);
    db_bind_int(st, 11, published);
    db_bind_int(st, 12, updated);
    db_bind_int(st, 13, w->draft ? 1 : 0);
    db_bind_int(st, 14, w->restricted ? 1 : 0);
    sq_bind_text(st, 15, w->series);
    db_bind_int(st, 16, w->series_position);
    sq_bind_text(st, 17, w->content_hash);
    sq_bind_id(st, 18, w->user_id);
    db_bind_int(st, 19,
                w->comment_policy >= COMMENTS_EVERYONE && w->comment_policy <= COMMENTS_NOBODY
                    ? w->comment_policy
                    : COMMENTS_EVERYONE);
    db_bind_int(st, 20, w->moderate_comments ? 1 : 0);
}

static int insert_names(struct store *s, const char *sql, int64_t work_id, int kind,
                        const struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct dbst *st = sq_prep(s, sql);
        if (!st)
            return FICD_EDB;
        db_bind_int(st, 1, work_id);
        db_bind_int(st, 2, (int)i + 1);
        sq_bind_text(st, 3, l->v[i]);
        if (kind >= 0)
            db_bind_int(st, 4, kind);
        int rc = sq_run(s, st);
        if (rc)
            return rc;
    }
    return 0;
}

/* Writes creators, beta credits, suggestions and declared tags of w (none may exist yet).
 * A tag named twice in one type is kept once, at its first position. */
static int write_credits_and_tags(struct store *s, const struct work *w)
{
    static const char ins_creator[] =
        "INSERT INTO work_creators (work_id, position, name) VALUES (?1, ?2, ?3)";
    static const char ins_beta[] =
        "INSERT INTO work_beta (work_id, position, name) VALUES (?1, ?2, ?3)";
    static const char ins_sugg[] =
        "INSERT INTO work_suggestions (work_id, position, name, kind) VALUES (?1, ?2, ?3, ?4)";
    int rc = insert_names(s, ins_creator, w->id, -1, &w->creators);
    if (!rc)
        rc = insert_names(s, ins_beta, w->id, -1, &w->beta);
    if (!rc)
        rc = insert_names(s, ins_sugg, w->id, TAG_FANDOM, &w->sugg_fandoms);
    if (!rc)
        rc = insert_names(s, ins_sugg, w->id, TAG_RELATIONSHIP, &w->sugg_relationships);
    if (!rc)
        rc = insert_names(s, ins_sugg, w->id, TAG_CHARACTER, &w->sugg_characters);
    const struct strlist *tags[] = {&w->fandoms, &w->relationships, &w->characters, &w->freeforms};
    int pos = 0;
    for (int t = 0; !rc && t < 4; t++) {
        for (size_t i = 0; !rc && i < tags[t]->n; i++) {
            int64_t tag_id;
            if ((rc = sq_tag_ensure(s, (enum tag_type)t, tags[t]->v[i], &tag_id)))
                break;
            struct dbst *st = sq_prep(s, "INSERT INTO work_tags (work_id, tag_id, position) "
                                         "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
            if (!st)
                return FICD_EDB;
            db_bind_int(st, 1, w->id);
            db_bind_int(st, 2, tag_id);
            db_bind_int(st, 3, ++pos);
            rc = sq_run(s, st);
        }
    }
    return rc;
}

static int delete_credits_and_tags(struct store *s, int64_t id)
{
    static const char *const sql[] = {
        "DELETE FROM work_creators WHERE work_id = ?1",
        "DELETE FROM work_beta WHERE work_id = ?1",
        "DELETE FROM work_suggestions WHERE work_id = ?1",
        "DELETE FROM work_tags WHERE work_id = ?1",
    };
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        struct dbst *st = sq_prep(s, sql[i]);
        if (!st)
            return FICD_EDB;
        db_bind_int(st, 1, id);
        int rc = sq_run(s, st);
        if (rc)
            return rc;
    }
    return 0;
}

static int insert_chapter(struct store *s, int64_t work_id, int position, const struct chapter *c,
                          int64_t *id)
{
    struct dbst *st = sq_prep(s, "INSERT INTO chapters (work_id, position, title, summary, "
                                 "notes_begin, notes_end, html, words) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    db_bind_int(st, 2, position);
    sq_bind_text(st, 3, c->title);
    sq_bind_text(st, 4, c->summary);
    sq_bind_text(st, 5, c->notes_begin);
    sq_bind_text(st, 6, c->notes_end);
    sq_bind_text(st, 7, c->html);
    db_bind_int(st, 8, c->words);
    int rc = sq_run(s, st);
    if (!rc)
        *id = db_last_id(s);
    return rc;
}

/* Updates an existing chapter of work_id, and its position when position > 0 (the old
 * positions must have been negated first). A NULL html keeps the stored body, so a work read
 * without bodies can be written back. FICD_ENOTFOUND when the chapter is not the work's. */
static int update_chapter(struct store *s, int64_t work_id, int position, const struct chapter *c)
{
    struct dbst *st = sq_prep(
        s, "UPDATE chapters SET title = ?3, summary = ?4, notes_begin = ?5, notes_end = ?6, "
           "html = coalesce(?7, html), words = ?8, "
           "position = CASE WHEN ?9 > 0 THEN ?9 ELSE position END "
           "WHERE id = ?1 AND work_id = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, c->id);
    db_bind_int(st, 2, work_id);
    sq_bind_text(st, 3, c->title);
    sq_bind_text(st, 4, c->summary);
    sq_bind_text(st, 5, c->notes_begin);
    sq_bind_text(st, 6, c->notes_end);
    sq_bind_text(st, 7, c->html);
    db_bind_int(st, 8, c->words);
    db_bind_int(st, 9, position);
    int rc = sq_run(s, st);
    if (!rc && sq_changes(s) == 0)
        rc = sq_failf(s, FICD_ENOTFOUND, "work %lld has no chapter %lld", (long long)work_id,
                      (long long)c->id);
    return rc;
}

/* The ids of a work's chapters in position order; *ids is malloc'ed (NULL when none). */
static int chapter_ids(struct store *s, int64_t work_id, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    struct dbst *st =
        sq_prep(s, "SELECT id FROM chapters WHERE work_id = ?1 ORDER BY abs(position)");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    size_t cap = 0;
    int rc = 0, e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *v = realloc(*ids, cap * sizeof(*v));
            if (!v) {
                rc = FICD_ENOMEM;
                break;
            }
            *ids = v;
        }
        (*ids)[(*n)++] = db_col_int(st, 0);
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

/* Makes every position of the work negative, so that new positions 1..n can be assigned
 * one row at a time without tripping UNIQUE (work_id, position). */
static int negate_positions(struct store *s, int64_t work_id)
{
    struct dbst *st = sq_prep(
        s, "UPDATE chapters SET position = -abs(position) WHERE work_id = ?1 AND position > 0");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, work_id);
    return sq_run(s, st);
}

static int set_positions(struct store *s, int64_t work_id, const int64_t *ids, size_t n)
{
    int rc = negate_positions(s, work_id);
    for (size_t i = 0; !rc && i < n; i++) {
        struct dbst *st =
            sq_prep(s, "UPDATE chapters SET position = ?3 WHERE id = ?1 AND work_id = ?2");
        if (!st)
            return FICD_EDB;
        db_bind_int(st, 1, ids[i]);
        db_bind_int(st, 2, work_id);
        db_bind_int(st, 3, (int)i + 1);
        rc = sq_run(s, st);
    }
    return rc;
}

static int contains_id(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id)
            return 1;
    return 0;
}

/* Sets updated = now on a work and logs the change; FICD_ENOTFOUND when it does not exist.
 * Used by the chapter and tag operations, inside their unit of work. */
static int touch_work(struct store *s, int64_t id)
{
    struct dbst *st = sq_prep(s, "UPDATE works SET updated = ?2 WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, sq_now());
    int rc = sq_run(s, st);
    if (!rc && sq_changes(s) == 0)
        rc = sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)id);
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, id);
    return rc;
}

int store_work_insert(struct store *s, struct work *w)
{
    int64_t now = sq_now();
    int64_t published = w->published == 0 && !w->draft ? now : w->published;
    /* works imported from other archives keep their last update (when not in the future) */
    int64_t updated = w->updated > 0 && w->updated <= now ? w->updated : now;
    int64_t *old = calloc(w->nchapters + 1, sizeof(*old));
    if (!old)
        return sq_failf(s, FICD_ENOMEM, "out of memory");
    for (size_t i = 0; i < w->nchapters; i++)
        old[i] = w->chapters[i].id;
    int64_t old_id = w->id;
    int rc = sq_tx_begin(s);
    if (rc) {
        free(old);
        return rc;
    }
    struct dbst *st = sq_prep(
        s, "INSERT INTO works (title, summary, notes_begin, notes_end, language, rating, "
           "rating_declared, warnings, categories, expected_chapters, published, updated, draft, "
           "restricted, series, series_position, content_hash, user_id, comment_policy, "
           "moderate_comments, kudos, hits, comments, bookmarks, subscriptions) VALUES (?1, ?2, "
           "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
           "?21, ?22, ?23, ?24, ?25)");
    if (!st) {
        rc = FICD_EDB;
    } else {
        bind_meta(st, w, published, updated);
        db_bind_int(st, 21, w->kudos);
        db_bind_int(st, 22, w->hits);
        db_bind_int(st, 23, w->comments);
        db_bind_int(st, 24, w->bookmarks);
        db_bind_int(st, 25, w->subscriptions);
        rc = sq_run(s, st);
    }
    if (!rc) {
        w->id = db_last_id(s);
        rc = write_credits_and_tags(s, w);
    }
    if (!rc)
        rc = sq_series_sync(s, w);
    for (size_t i = 0; !rc && i < w->nchapters; i++)
        rc = insert_chapter(s, w->id, (int)i + 1, &w->chapters[i], &w->chapters[i].id);
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, w->id);
    rc = sq_tx_end(s, rc);
    if (rc) {
        w->id = old_id;
        for (size_t i = 0; i < w->nchapters; i++)
            w->chapters[i].id = old[i];
    } else {
        w->published = published;
        w->updated = updated;
        for (size_t i = 0; i < w->nchapters; i++)
            w->chapters[i].position = (int)i + 1;
    }
    free(old);
    return rc;
}

/* The chapter part of store_work_update: checks that every given id is one of the work's
 * chapters (once), deletes the stored chapters not given, then updates or inserts each
 * given chapter at its array position. New ids are written into w. */
static int update_chapters(struct store *s, struct work *w)
{
    int64_t *have;
    size_t nhave;
    int rc = chapter_ids(s, w->id, &have, &nhave);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < w->nchapters; i++) {
        int64_t id = w->chapters[i].id;
        if (id && !contains_id(have, nhave, id))
            rc = sq_failf(s, FICD_EINVAL, "chapter %lld is not part of work %lld", (long long)id,
                          (long long)w->id);
        for (size_t j = 0; !rc && id && j < i; j++)
            if (w->chapters[j].id == id)
                rc = sq_failf(s, FICD_EINVAL, "chapter %lld given twice", (long long)id);
    }
    for (size_t i = 0; !rc && i < nhave; i++) {
        int found = 0;
        for (size_t j = 0; j < w->nchapters && !found; j++)
            found = w->chapters[j].id == have[i];
        if (found)
            continue;
        struct dbst *st = sq_prep(s, "DELETE FROM chapters WHERE id = ?1");
        if (!st) {
            rc = FICD_EDB;
            break;
        }
        db_bind_int(st, 1, have[i]);
        rc = sq_run(s, st);
    }
    free(have);
    if (!rc)
        rc = negate_positions(s, w->id);
    for (size_t i = 0; !rc && i < w->nchapters; i++) {
        struct chapter *c = &w->chapters[i];
        rc = c->id ? update_chapter(s, w->id, (int)i + 1, c)
                   : insert_chapter(s, w->id, (int)i + 1, c, &c->id);
    }
    return rc;
}

int store_work_update(struct store *s, struct work *w)
{
    int64_t now = sq_now();
    int64_t published = w->published == 0 && !w->draft ? now : w->published;
    int64_t *old = calloc(w->nchapters + 1, sizeof(*old));
    if (!old)
        return sq_failf(s, FICD_ENOMEM, "out of memory");
    for (size_t i = 0; i < w->nchapters; i++)
        old[i] = w->chapters[i].id;
    int rc = sq_tx_begin(s);
    if (rc) {
        free(old);
        return rc;
    }
    struct dbst *st = sq_prep(
        s, "UPDATE works SET title = ?1, summary = ?2, notes_begin = ?3, notes_end = ?4, "
           "language = ?5, rating = ?6, rating_declared = ?7, warnings = ?8, categories = ?9, "
           "expected_chapters = ?10, published = ?11, updated = ?12, draft = ?13, "
           "restricted = ?14, series = ?15, series_position = ?16, content_hash = ?17, "
           "user_id = ?18, comment_policy = ?19, moderate_comments = ?20 WHERE id = ?21");
    if (!st) {
        rc = FICD_EDB;
    } else {
        bind_meta(st, w, published, now);
        db_bind_int(st, 21, w->id);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)w->id);
    }
    if (!rc)
        rc = delete_credits_and_tags(s, w->id);
    if (!rc)
        rc = write_credits_and_tags(s, w);
    if (!rc)
        rc = update_chapters(s, w);
    if (!rc)
        rc = sq_series_sync(s, w);
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, w->id);
    rc = sq_tx_end(s, rc);
    for (size_t i = 0; i < w->nchapters; i++) {
        if (rc)
            w->chapters[i].id = old[i];
        else
            w->chapters[i].position = (int)i + 1;
    }
    if (!rc) {
        w->published = published;
        w->updated = now;
    }
    free(old);
    return rc;
}

int store_work_delete(struct store *s, int64_t id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "DELETE FROM works WHERE id = ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)id);
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK_DELETED, id);
    return sq_tx_end(s, rc);
}

int store_work_find_hash(struct store *s, const char *hash, int64_t *id)
{
    *id = 0;
    if (!hash || !*hash)
        return 0;
    struct dbst *st =
        sq_prep(s, "SELECT id FROM works WHERE content_hash = ?1 ORDER BY id LIMIT 1");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, hash);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *id = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

int store_work_publish(struct store *s, int64_t id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "UPDATE works SET draft = 0, updated = ?2, "
                                 "published = CASE WHEN published = 0 THEN ?2 ELSE published END "
                                 "WHERE id = ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, sq_now());
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)id);
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, id);
    return sq_tx_end(s, rc);
}

/* ---- chapters ---- */

int store_chapter_add(struct store *s, int64_t work_id, struct chapter *c)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int position = 0;
    int64_t id = 0;
    rc = touch_work(s, work_id);
    if (!rc) {
        struct dbst *st =
            sq_prep(s, "SELECT coalesce(max(abs(position)), 0) FROM chapters WHERE work_id = ?1");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, work_id);
            rc = sq_row(s, st);
            if (rc == 1) {
                position = (int)db_col_int(st, 0) + 1;
                db_reset(st);
                rc = 0;
            } else if (rc == 0) {
                rc = sq_failf(s, FICD_EDB, "no chapter count");
            }
        }
    }
    if (!rc)
        rc = insert_chapter(s, work_id, position, c, &id);
    rc = sq_tx_end(s, rc);
    if (!rc) {
        c->id = id;
        c->position = position;
    }
    return rc;
}

int store_chapter_update(struct store *s, int64_t work_id, const struct chapter *c)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    rc = touch_work(s, work_id);
    if (!rc)
        rc = update_chapter(s, work_id, 0, c);
    return sq_tx_end(s, rc);
}

int store_chapter_delete(struct store *s, int64_t work_id, int64_t chapter_id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    rc = touch_work(s, work_id);
    if (!rc) {
        struct dbst *st = sq_prep(s, "DELETE FROM chapters WHERE id = ?1 AND work_id = ?2");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, chapter_id);
            db_bind_int(st, 2, work_id);
            rc = sq_run(s, st);
            if (!rc && sq_changes(s) == 0)
                rc = sq_failf(s, FICD_ENOTFOUND, "work %lld has no chapter %lld",
                              (long long)work_id, (long long)chapter_id);
        }
    }
    /* Close the gap: the remaining chapters keep their order, numbered 1..n. */
    int64_t *ids = NULL;
    size_t n = 0;
    if (!rc)
        rc = chapter_ids(s, work_id, &ids, &n);
    if (!rc)
        rc = set_positions(s, work_id, ids, n);
    free(ids);
    return sq_tx_end(s, rc);
}

int store_chapter_reorder(struct store *s, int64_t work_id, const int64_t *ids, size_t n)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    rc = touch_work(s, work_id);
    int64_t *have = NULL;
    size_t nhave = 0;
    if (!rc)
        rc = chapter_ids(s, work_id, &have, &nhave);
    if (!rc && n != nhave)
        rc = sq_failf(s, FICD_EINVAL, "work %lld has %zu chapters, not %zu", (long long)work_id,
                      nhave, n);
    for (size_t i = 0; !rc && i < n; i++) {
        if (!contains_id(have, nhave, ids[i]) || contains_id(ids, i, ids[i]))
            rc = sq_failf(s, FICD_EINVAL, "chapter %lld is not part of work %lld or given twice",
                          (long long)ids[i], (long long)work_id);
    }
    free(have);
    if (!rc)
        rc = set_positions(s, work_id, ids, n);
    return sq_tx_end(s, rc);
}
