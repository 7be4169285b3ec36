/* sqlite_tags.c: tags in SQLite: find, get, ensure, canonical flag, listing by use, and
 * adding/removing one tag on a work. tags.uses is maintained by triggers on work_tags. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_COLS "id, type, name, canonical, synonym_of, uses"

static int valid_name(struct store *s, const char *name)
{
    if (!name || !*name)
        return sq_failf(s, FICD_EINVAL, "empty tag name");
    return 0;
}

/* Copies the TAG_COLS row into out (name duplicated); FICD_ENOMEM. */
static int read_tag(struct dbst *st, struct tag *out)
{
    memset(out, 0, sizeof(*out));
    out->id = db_col_int(st, 0);
    out->type = (enum tag_type)(int)db_col_int(st, 1);
    out->canonical = (int)db_col_int(st, 3);
    out->synonym_of = db_col_int(st, 4);
    out->uses = db_col_int(st, 5);
    return sq_col_dup(st, 2, &out->name);
}

/* Reads the single row of a TAG_COLS query into out, or FICD_ENOTFOUND. */
static int one_tag(struct store *s, struct dbst *st, struct tag *out, const char *what)
{
    memset(out, 0, sizeof(*out));
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sq_failf(s, FICD_ENOTFOUND, "no tag %s", what);
    rc = read_tag(st, out);
    db_reset(st);
    return rc;
}

/* The id of the tag (type, name), case-insensitively; *id = 0 when there is none. */
static int tag_lookup(struct store *s, int type, const char *name, int64_t *id)
{
    *id = 0;
    struct dbst *st = sq_prep(s, "SELECT id FROM tags WHERE type = ?1 AND name = ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, type);
    sq_bind_text(st, 2, name);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *id = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

int sq_tag_ensure(struct store *s, enum tag_type type, const char *name, int64_t *id)
{
    if ((int)type < 0 || type >= TAG__COUNT)
        return sq_failf(s, FICD_EINVAL, "bad tag type %d", (int)type);
    int rc = valid_name(s, name);
    if (!rc)
        rc = tag_lookup(s, (int)type, name, id);
    if (rc || *id)
        return rc;
    struct dbst *st =
        sq_prep(s, "INSERT INTO tags (type, name, canonical, created) VALUES (?1, ?2, 0, ?3)");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, (int)type);
    sq_bind_text(st, 2, name);
    db_bind_int(st, 3, sq_now());
    if ((rc = sq_run(s, st)))
        return rc;
    *id = db_last_id(s);
    return sq_log_change(s, CHANGE_TAG, *id);
}

int store_tag_ensure(struct store *s, enum tag_type type, const char *name, int64_t *id)
{
    *id = 0;
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t got = 0;
    rc = sq_tx_end(s, sq_tag_ensure(s, type, name, &got));
    if (!rc)
        *id = got;
    return rc;
}

/* With type < 0 the same name may exist in several types: the canonical, most used one wins. */
int store_tag_find(struct store *s, int type, const char *name, struct tag *out)
{
    memset(out, 0, sizeof(*out));
    int rc = valid_name(s, name);
    if (rc)
        return rc;
    struct dbst *st =
        type >= 0 ? sq_prep(s, "SELECT " TAG_COLS " FROM tags WHERE type = ?1 AND name = ?2")
                  : sq_prep(s, "SELECT " TAG_COLS " FROM tags WHERE name = ?2 "
                               "ORDER BY canonical DESC, uses DESC, id LIMIT 1");
    if (!st)
        return FICD_EDB;
    if (type >= 0)
        db_bind_int(st, 1, type);
    sq_bind_text(st, 2, name);
    return one_tag(s, st, out, name);
}

int store_tag_get(struct store *s, int64_t id, struct tag *out)
{
    struct dbst *st = sq_prep(s, "SELECT " TAG_COLS " FROM tags WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    char what[32];
    snprintf(what, sizeof(what), "%lld", (long long)id);
    return one_tag(s, st, out, what);
}

int store_tag_set_canonical(struct store *s, int64_t id, int canonical)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    /* refuses changes that would break synonyms, meta/sub or parent links */
    rc = sq_tag_canonical_check(s, id, canonical);
    struct dbst *st = rc ? NULL : sq_prep(s, "UPDATE tags SET canonical = ?2 WHERE id = ?1");
    if (!rc && !st) {
        rc = FICD_EDB;
    } else if (!rc) {
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, canonical ? 1 : 0);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no tag %lld", (long long)id);
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_TAG, id);
    return sq_tx_end(s, rc);
}

/* The statement is prepared for this call alone, so cb may use the store. The prefix becomes
 * a LIKE pattern with its own % _ and \ escaped; LIKE ignores ASCII case. */
int sq_tag_rows(struct store *s, struct dbst *st, store_tag_cb cb, void *ctx)
{
    int rc = 0, e;
    while ((e = db_step(st)) == DB_ROW) {
        struct tag t = {
            .id = db_col_int(st, 0),
            .type = (enum tag_type)(int)db_col_int(st, 1),
            .name = (char *)db_col_text(st, 2),
            .canonical = (int)db_col_int(st, 3),
            .synonym_of = db_col_int(st, 4),
            .uses = db_col_int(st, 5),
        };
        if (!t.name) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
        if (cb(&t, ctx))
            break;
    }
    if (!rc && e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    return rc;
}

int store_tag_list_canonical(struct store *s, enum tag_type type, store_tag_cb cb, void *ctx)
{
    struct dbst *st = sq_prep(s, "SELECT " TAG_COLS " FROM tags INDEXED BY tags_canonical "
                                 "WHERE canonical = 1 AND type = ?1 "
                                 "ORDER BY uses DESC, name, id");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, (int)type);
    int rc = sq_tag_rows(s, st, cb, ctx);
    db_reset(st);
    return rc;
}

int store_tag_list(struct store *s, int type, const char *prefix, int limit, store_tag_cb cb,
                   void *ctx)
{
    char *pattern = NULL;
    if (prefix && *prefix) {
        size_t n = strlen(prefix);
        pattern = malloc(2 * n + 2);
        if (!pattern)
            return sq_failf(s, FICD_ENOMEM, "out of memory");
        char *p = pattern;
        for (size_t i = 0; i < n; i++) {
            if (prefix[i] == '%' || prefix[i] == '_' || prefix[i] == '\\')
                *p++ = '\\';
            *p++ = prefix[i];
        }
        *p++ = '%';
        *p = 0;
    }
    char sql[256], like[64] = "";
    if (pattern)
        snprintf(like, sizeof(like), " AND name %s ?2 ESCAPE '\\'", db_like(s));
    snprintf(sql, sizeof(sql),
             "SELECT " TAG_COLS " FROM tags WHERE 1 = 1%s%s "
             "ORDER BY uses DESC, name, id LIMIT ?3",
             type >= 0 ? " AND type = ?1" : "", like);
    struct dbst *st = NULL;
    int rc = 0, e = db_prepare(s, sql, &st);
    if (e != DB_OK) {
        free(pattern);
        return sq_fail(s, e);
    }
    if (type >= 0)
        db_bind_int(st, 1, type);
    if (pattern)
        sq_bind_text(st, 2, pattern);
    db_bind_int(st, 3, limit > 0 ? limit : INT64_MAX);
    rc = sq_tag_rows(s, st, cb, ctx);
    db_finalize(st);
    free(pattern);
    return rc;
}

/* LIKE pattern: before, then term with %, _ and \ escaped, then '%'. NULL on OOM. */
static char *like_pattern(const char *before, const char *term)
{
    size_t n = strlen(term), bn = strlen(before);
    char *pat = malloc(bn + 2 * n + 2);
    if (!pat)
        return NULL;
    memcpy(pat, before, bn);
    char *p = pat + bn;
    for (size_t i = 0; i < n; i++) {
        if (term[i] == '%' || term[i] == '_' || term[i] == '\\')
            *p++ = '\\';
        *p++ = term[i];
    }
    *p++ = '%';
    *p = 0;
    return pat;
}

struct suggest {
    int64_t *seen; /* canonical ids already given */
    int n, limit;
    store_tag_suggest_cb cb;
    void *ctx;
    int stop;
};

/* One pass: the tags matching any of the patterns (NULL-terminated), resolved through
 * synonyms, in suggestion order, skipping those already given. */
static int suggest_pass(struct store *s, int type, char *const *pats, int npats, struct suggest *g)
{
    char sql[1024];
    int len = snprintf(sql, sizeof(sql),
                       "SELECT c.id, c.type, c.name, c.canonical, c.synonym_of, c.uses, t.name "
                       "FROM tags t JOIN tags c ON c.id = CASE WHEN t.synonym_of > 0 "
                       "THEN t.synonym_of ELSE t.id END WHERE (?1 < 0 OR t.type = ?1) AND (");
    for (int i = 0; i < npats; i++)
        len += snprintf(sql + len, sizeof(sql) - (size_t)len, "%st.name %s ?%d ESCAPE '\\'",
                        i ? " OR " : "", db_like(s), i + 3);
    snprintf(sql + len, sizeof(sql) - (size_t)len,
             ") ORDER BY c.canonical DESC, c.uses DESC, c.name, t.canonical DESC LIMIT ?2");
    struct dbst *st = NULL;
    int e = db_prepare(s, sql, &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, type);
    /* synonyms of one tag and tags already given take rows: ask for more than needed */
    db_bind_int(st, 2, (g->limit - g->n) * 4 + g->n + 8);
    for (int i = 0; i < npats; i++)
        sq_bind_text(st, i + 3, pats[i]);
    int rc = 0;
    while (!g->stop && g->n < g->limit && (e = db_step(st)) == DB_ROW) {
        int64_t id = db_col_int(st, 0);
        int dup = 0;
        for (int i = 0; i < g->n && !dup; i++)
            dup = g->seen[i] == id;
        if (dup)
            continue;
        struct tag t = {
            .id = id,
            .type = (enum tag_type)(int)db_col_int(st, 1),
            .name = (char *)db_col_text(st, 2),
            .canonical = (int)db_col_int(st, 3),
            .synonym_of = db_col_int(st, 4),
            .uses = db_col_int(st, 5),
        };
        const char *matched = db_col_text(st, 6);
        if (!t.name || !matched) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
        g->seen[g->n++] = id;
        if (g->cb(&t, matched, g->ctx))
            g->stop = 1;
    }
    if (!rc && !g->stop && g->n < g->limit && e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_tag_suggest(struct store *s, int type, const char *term, int limit,
                      store_tag_suggest_cb cb, void *ctx)
{
    if (!term || !*term || limit <= 0)
        return 0;
    struct suggest g = {.limit = limit, .cb = cb, .ctx = ctx};
    g.seen = calloc((size_t)limit, sizeof(*g.seen));
    char *pats[5] = {like_pattern("", term), like_pattern("% ", term), like_pattern("%/", term),
                     like_pattern("%(", term), like_pattern("%-", term)};
    int rc = 0;
    for (int i = 0; i < 5; i++)
        if (!pats[i])
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
    if (!g.seen)
        rc = sq_failf(s, FICD_ENOMEM, "out of memory");
    /* names starting with the term first (the name index serves them), then names with a
     * word starting with it (a scan, only when the first pass left room) */
    if (!rc)
        rc = suggest_pass(s, type, pats, 1, &g);
    if (!rc && !g.stop && g.n < g.limit)
        rc = suggest_pass(s, type, pats + 1, 4, &g);
    for (int i = 0; i < 5; i++)
        free(pats[i]);
    free(g.seen);
    return rc;
}

static int work_exists(struct store *s, int64_t id)
{
    struct dbst *st = sq_prep(s, "SELECT 1 FROM works WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    db_reset(st);
    return rc ? 0 : sq_failf(s, FICD_ENOTFOUND, "no work %lld", (long long)id);
}

static int check_work_tag_type(struct store *s, enum tag_type type)
{
    if ((int)type < 0 || type > TAG_FREEFORM)
        return sq_failf(s, FICD_EINVAL,
                        "only fandom, relationship, character and freeform tags are set by name");
    return 0;
}

/* Adds the tag after the work's other tags (creating it when new); adding a tag the work
 * already has changes nothing. */
int store_work_tag_add(struct store *s, int64_t work_id, enum tag_type type, const char *name)
{
    int rc = check_work_tag_type(s, type);
    if (!rc)
        rc = valid_name(s, name);
    if (!rc)
        rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t tag_id = 0;
    rc = work_exists(s, work_id);
    if (!rc)
        rc = sq_tag_ensure(s, type, name, &tag_id);
    if (!rc) {
        struct dbst *st =
            sq_prep(s, "INSERT INTO work_tags (work_id, tag_id, position) VALUES (?1, ?2, "
                       "(SELECT coalesce(max(position), 0) + 1 FROM work_tags WHERE work_id = ?1)) "
                       "ON CONFLICT DO NOTHING");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, work_id);
            db_bind_int(st, 2, tag_id);
            rc = sq_run(s, st);
            if (!rc && sq_changes(s) > 0)
                rc = sq_log_change(s, CHANGE_WORK, work_id);
        }
    }
    return sq_tx_end(s, rc);
}

int store_work_tag_remove(struct store *s, int64_t work_id, enum tag_type type, const char *name)
{
    int rc = check_work_tag_type(s, type);
    if (!rc)
        rc = valid_name(s, name);
    if (!rc)
        rc = sq_tx_begin(s);
    if (rc)
        return rc;
    int64_t tag_id = 0;
    rc = work_exists(s, work_id);
    if (!rc)
        rc = tag_lookup(s, (int)type, name, &tag_id);
    if (!rc) {
        struct dbst *st = sq_prep(s, "DELETE FROM work_tags WHERE work_id = ?1 AND tag_id = ?2");
        if (!st) {
            rc = FICD_EDB;
        } else {
            db_bind_int(st, 1, work_id);
            db_bind_int(st, 2, tag_id);
            rc = sq_run(s, st);
            if (!rc && sq_changes(s) == 0)
                rc = sq_failf(s, FICD_ENOTFOUND, "work %lld has no %s tag '%s'", (long long)work_id,
                              tag_type_name(type), name);
        }
    }
    if (!rc)
        rc = sq_log_change(s, CHANGE_WORK, work_id);
    return sq_tx_end(s, rc);
}
