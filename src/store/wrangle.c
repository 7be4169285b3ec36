/* sqlite_wrangle.c: tag wrangling in SQLite: synonyms and merges, parent fandoms, meta and
 * sub tags (kept acyclic), the edges for index builds, the tags linked to one tag and the
 * unwrangled queue. Every mutation is one unit of work logging CHANGE_TAG rows. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WR_COLS "t.id, t.type, t.name, t.canonical, t.synonym_of, t.uses"

/* The tags a mutation touched, each logged once when it ends. */
#define MAX_TOUCHED 64
struct touched {
    int64_t *v;
    size_t n, cap;
};

static int touch(struct store *s, struct touched *t, int64_t id)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i] == id)
            return 0;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : MAX_TOUCHED;
        int64_t *nv = realloc(t->v, nc * sizeof(*nv));
        if (!nv)
            return sq_failf(s, FICD_ENOMEM, "out of memory");
        t->v = nv;
        t->cap = nc;
    }
    t->v[t->n++] = id;
    return 0;
}

/* Logs a CHANGE_TAG for every touched tag (when rc is 0) and frees the list. */
static int touch_log(struct store *s, struct touched *t, int rc)
{
    for (size_t i = 0; !rc && i < t->n; i++)
        rc = sq_log_change(s, CHANGE_TAG, t->v[i]);
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
    return rc;
}

/* Loads tag id into out (tag_free it), FICD_ENOTFOUND with a message when missing. */
static int load(struct store *s, int64_t id, struct tag *out)
{
    memset(out, 0, sizeof(*out));
    if (id <= 0)
        return sq_failf(s, FICD_ENOTFOUND, "no tag %lld", (long long)id);
    return store_tag_get(s, id, out);
}

static int wrangled_type(struct store *s, const struct tag *t)
{
    if ((int)t->type < 0 || t->type > TAG_FREEFORM)
        return sq_failf(s, FICD_EINVAL,
                        "'%s' is a %s tag; only fandoms, relationships, characters and freeforms "
                        "are wrangled",
                        t->name, tag_type_name(t->type));
    return 0;
}

/* 1 when a query binding ?1 (and ?2) returns a row, 0 when not, or FICD_E*. */
static int exists(struct store *s, const char *sql, int64_t a, int64_t b)
{
    struct dbst *st = sq_prep(s, sql);
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, a);
    if (db_param_count(st) > 1)
        db_bind_int(st, 2, b);
    int rc = sq_row(s, st);
    if (rc > 0)
        db_reset(st);
    return rc;
}

static const char sql_has_synonyms[] = "SELECT 1 FROM tags WHERE synonym_of = ?1 LIMIT 1";

/* 1 when to can be reached from from by following sub links downwards (from itself counts). */
static int reaches_down(struct store *s, int64_t from, int64_t to)
{
    return exists(s,
                  "WITH RECURSIVE down(id) AS (SELECT ?1 UNION "
                  "SELECT m.sub_id FROM tag_meta m JOIN down d ON m.meta_id = d.id) "
                  "SELECT 1 FROM down WHERE id = ?2 LIMIT 1",
                  from, to);
}

/* Runs a statement binding ?1 and ?2; 0 or FICD_E*. */
static int run2(struct store *s, const char *sql, int64_t a, int64_t b)
{
    struct dbst *st = sq_prep(s, sql);
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, a);
    if (db_param_count(st) > 1)
        db_bind_int(st, 2, b);
    return sq_run(s, st);
}

/* Collects the ids a query binding ?1 returns into out (appending). */
static int collect(struct store *s, const char *sql, int64_t a, struct touched *out)
{
    struct dbst *st = sq_prep(s, sql);
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, a);
    int e = DB_DONE, rc = 0;
    while (!rc && (e = db_step(st)) == DB_ROW) {
        int64_t id = db_col_int(st, 0);
        if (out->n == out->cap) {
            size_t nc = out->cap ? out->cap * 2 : 16;
            int64_t *nv = realloc(out->v, nc * sizeof(*nv));
            if (!nv) {
                rc = sq_failf(s, FICD_ENOMEM, "out of memory");
                break;
            }
            out->v = nv;
            out->cap = nc;
        }
        out->v[out->n++] = id;
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    return rc;
}

/* Adds the meta link (meta, sub) unless it exists; refuses one that would close a cycle. */
static int link_meta(struct store *s, const struct tag *meta, const struct tag *sub,
                     struct touched *t)
{
    int rc = reaches_down(s, sub->id, meta->id);
    if (rc < 0)
        return rc;
    if (rc)
        return sq_failf(
            s, FICD_EINVAL,
            "'%s' is already a sub tag of '%s' (directly or through others); linking them "
            "the other way would make a cycle",
            meta->name, sub->name);
    rc = run2(s, "INSERT INTO tag_meta (meta_id, sub_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
              meta->id, sub->id);
    if (!rc && sq_changes(s) > 0 && !(rc = touch(s, t, meta->id)))
        rc = touch(s, t, sub->id);
    return rc;
}

/* Moves the parents, children, meta and sub tags of from onto into (a tag becoming a
 * synonym keeps no links of its own). */
static int move_links(struct store *s, const struct tag *from, const struct tag *into,
                      struct touched *t)
{
    struct touched ids = {0};
    /* parents: from's parents become into's; children of from (a fandom) become into's */
    int rc = collect(s, "SELECT parent_id FROM tag_parents WHERE child_id = ?1", from->id, &ids);
    if (!rc)
        rc = collect(s, "SELECT child_id FROM tag_parents WHERE parent_id = ?1", from->id, &ids);
    for (size_t i = 0; !rc && i < ids.n; i++)
        rc = touch(s, t, ids.v[i]);
    if (!rc)
        rc = run2(s,
                  "INSERT INTO tag_parents (child_id, parent_id) SELECT ?2, parent_id "
                  "FROM tag_parents WHERE child_id = ?1 AND parent_id <> ?2 ON CONFLICT DO NOTHING",
                  from->id, into->id);
    if (!rc)
        rc = run2(s,
                  "INSERT INTO tag_parents (child_id, parent_id) SELECT child_id, ?2 "
                  "FROM tag_parents WHERE parent_id = ?1 AND child_id <> ?2 ON CONFLICT DO NOTHING",
                  from->id, into->id);
    if (!rc)
        rc = run2(s, "DELETE FROM tag_parents WHERE child_id = ?1 OR parent_id = ?1", from->id, 0);
    /* meta and sub tags: unlink from, then link each to into (refusing cycles) */
    ids.n = 0;
    if (!rc)
        rc = collect(s, "SELECT meta_id FROM tag_meta WHERE sub_id = ?1", from->id, &ids);
    size_t nmetas = ids.n;
    if (!rc)
        rc = collect(s, "SELECT sub_id FROM tag_meta WHERE meta_id = ?1", from->id, &ids);
    if (!rc)
        rc = run2(s, "DELETE FROM tag_meta WHERE meta_id = ?1 OR sub_id = ?1", from->id, 0);
    for (size_t i = 0; !rc && i < ids.n; i++) {
        rc = touch(s, t, ids.v[i]);
        if (rc || ids.v[i] == into->id)
            continue;
        struct tag other;
        if ((rc = load(s, ids.v[i], &other)))
            break;
        rc = i < nmetas ? link_meta(s, &other, into, t) : link_meta(s, into, &other, t);
        tag_free(&other);
    }
    free(ids.v);
    return rc;
}

/* store_tag_set_synonym and store_tag_merge; merge = 1 re-points from's synonyms. */
static int set_synonym(struct store *s, int64_t tag_id, int64_t canonical_id, int merge)
{
    struct tag t, c;
    memset(&c, 0, sizeof(c));
    int rc = load(s, tag_id, &t);
    if (rc)
        return rc;
    rc = wrangled_type(s, &t);
    if (!rc && canonical_id)
        rc = load(s, canonical_id, &c);
    if (!rc && canonical_id) {
        if (c.id == t.id)
            rc = sq_failf(s, FICD_EINVAL, "'%s' cannot be a synonym of itself", t.name);
        else if (c.type != t.type)
            rc = sq_failf(s, FICD_EINVAL,
                          "'%s' is a %s tag and '%s' a %s tag; synonyms must "
                          "have the same type",
                          t.name, tag_type_name(t.type), c.name, tag_type_name(c.type));
        else if (!c.canonical || c.synonym_of)
            rc = sq_failf(s, FICD_EINVAL, "'%s' is not canonical; make it canonical first", c.name);
    }
    if (!rc)
        rc = sq_tx_begin(s);
    if (rc) {
        tag_free(&t);
        tag_free(&c);
        return rc;
    }
    struct touched touched = {0};
    if (!canonical_id) {
        if (t.synonym_of) {
            rc = run2(s, "UPDATE tags SET synonym_of = NULL WHERE id = ?1", t.id, 0);
            if (!rc && !(rc = touch(s, &touched, t.id)))
                rc = touch(s, &touched, t.synonym_of);
        }
    } else if (t.synonym_of != c.id) {
        int has = exists(s, sql_has_synonyms, t.id, 0);
        if (has < 0) {
            rc = has;
        } else if (has && !merge) {
            rc =
                sq_failf(s, FICD_EINVAL, "'%s' has synonyms of its own; merge it into '%s' instead",
                         t.name, c.name);
        } else if (has) {
            struct touched syns = {0};
            rc = collect(s, "SELECT id FROM tags WHERE synonym_of = ?1", t.id, &syns);
            for (size_t i = 0; !rc && i < syns.n; i++)
                rc = touch(s, &touched, syns.v[i]);
            free(syns.v);
            if (!rc)
                rc = run2(s, "UPDATE tags SET synonym_of = ?2 WHERE synonym_of = ?1", t.id, c.id);
        }
        if (!rc)
            rc = move_links(s, &t, &c, &touched);
        if (!rc)
            rc =
                run2(s, "UPDATE tags SET synonym_of = ?2, canonical = 0 WHERE id = ?1", t.id, c.id);
        if (!rc && !(rc = touch(s, &touched, t.id)) && !(rc = touch(s, &touched, c.id)) &&
            t.synonym_of)
            rc = touch(s, &touched, t.synonym_of);
    }
    rc = touch_log(s, &touched, rc);
    tag_free(&t);
    tag_free(&c);
    return sq_tx_end(s, rc);
}

int store_tag_set_synonym(struct store *s, int64_t tag_id, int64_t canonical_id)
{
    return set_synonym(s, tag_id, canonical_id, 0);
}

int store_tag_merge(struct store *s, int64_t from_id, int64_t into_id)
{
    if (!into_id)
        return sq_failf(s, FICD_EINVAL, "merge needs a canonical tag to merge into");
    return set_synonym(s, from_id, into_id, 1);
}

/* Loads both tags of a link; the caller frees them (also on failure). */
static int load_pair(struct store *s, int64_t a_id, int64_t b_id, struct tag *a, struct tag *b)
{
    memset(b, 0, sizeof(*b));
    int rc = load(s, a_id, a);
    if (!rc)
        rc = load(s, b_id, b);
    if (!rc && a->id == b->id)
        rc = sq_failf(s, FICD_EINVAL, "'%s' cannot be linked to itself", a->name);
    return rc;
}

/* Runs one link insert/delete in a unit of work, logging both tags when a row changed;
 * must_change = 1 makes "nothing to delete" FICD_ENOTFOUND with message missing. */
static int link_edit(struct store *s, const char *sql, int64_t a, int64_t b, int must_change,
                     const char *missing)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    rc = run2(s, sql, a, b);
    if (!rc && sq_changes(s) > 0) {
        rc = sq_log_change(s, CHANGE_TAG, a);
        if (!rc)
            rc = sq_log_change(s, CHANGE_TAG, b);
    } else if (!rc && must_change) {
        rc = sq_failf(s, FICD_ENOTFOUND, "%s", missing);
    }
    return sq_tx_end(s, rc);
}

static int check_parent(struct store *s, const struct tag *child, const struct tag *parent)
{
    if (child->type != TAG_RELATIONSHIP && child->type != TAG_CHARACTER &&
        child->type != TAG_FREEFORM)
        return sq_failf(s, FICD_EINVAL,
                        "'%s' is a %s tag; only characters, relationships and freeforms have "
                        "parent fandoms",
                        child->name, tag_type_name(child->type));
    if (child->synonym_of)
        return sq_failf(s, FICD_EINVAL,
                        "'%s' is a synonym; give its canonical tag the parent fandom instead",
                        child->name);
    if (parent->type != TAG_FANDOM)
        return sq_failf(s, FICD_EINVAL, "'%s' is a %s tag; a parent must be a fandom", parent->name,
                        tag_type_name(parent->type));
    if (!parent->canonical)
        return sq_failf(s, FICD_EINVAL, "'%s' is not canonical; make it canonical first",
                        parent->name);
    return 0;
}

int store_tag_add_parent(struct store *s, int64_t child_id, int64_t parent_id)
{
    struct tag c, p;
    int rc = load_pair(s, child_id, parent_id, &c, &p);
    if (!rc)
        rc = check_parent(s, &c, &p);
    if (!rc)
        rc = link_edit(s,
                       "INSERT INTO tag_parents (child_id, parent_id) VALUES (?1, ?2) "
                       "ON CONFLICT DO NOTHING",
                       c.id, p.id, 0, NULL);
    tag_free(&c);
    tag_free(&p);
    return rc;
}

int store_tag_remove_parent(struct store *s, int64_t child_id, int64_t parent_id)
{
    struct tag c, p;
    int rc = load_pair(s, child_id, parent_id, &c, &p);
    if (!rc) {
        size_t n = strlen(c.name) + strlen(p.name) + 32;
        char *msg = malloc(n);
        if (!msg) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
        } else {
            snprintf(msg, n, "'%s' has no parent '%s'", c.name, p.name);
            rc = link_edit(s, "DELETE FROM tag_parents WHERE child_id = ?1 AND parent_id = ?2",
                           c.id, p.id, 1, msg);
            free(msg);
        }
    }
    tag_free(&c);
    tag_free(&p);
    return rc;
}

int store_tag_add_meta(struct store *s, int64_t meta_id, int64_t sub_id)
{
    struct tag m, sub;
    int rc = load_pair(s, meta_id, sub_id, &m, &sub);
    if (!rc)
        rc = wrangled_type(s, &m);
    if (!rc && m.type != sub.type)
        rc = sq_failf(s, FICD_EINVAL,
                      "'%s' is a %s tag and '%s' a %s tag; meta and sub tags "
                      "must have the same type",
                      m.name, tag_type_name(m.type), sub.name, tag_type_name(sub.type));
    for (int i = 0; !rc && i < 2; i++) {
        const struct tag *x = i ? &sub : &m;
        if (!x->canonical)
            rc = sq_failf(s, FICD_EINVAL,
                          "'%s' is not canonical; meta and sub tags must both be canonical",
                          x->name);
    }
    if (!rc)
        rc = sq_tx_begin(s);
    if (!rc) {
        struct touched touched = {0};
        rc = touch_log(s, &touched, link_meta(s, &m, &sub, &touched));
        rc = sq_tx_end(s, rc);
    }
    tag_free(&m);
    tag_free(&sub);
    return rc;
}

int store_tag_remove_meta(struct store *s, int64_t meta_id, int64_t sub_id)
{
    struct tag m, sub;
    int rc = load_pair(s, meta_id, sub_id, &m, &sub);
    if (!rc) {
        size_t n = strlen(m.name) + strlen(sub.name) + 32;
        char *msg = malloc(n);
        if (!msg) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
        } else {
            snprintf(msg, n, "'%s' has no sub tag '%s'", m.name, sub.name);
            rc = link_edit(s, "DELETE FROM tag_meta WHERE meta_id = ?1 AND sub_id = ?2", m.id,
                           sub.id, 1, msg);
            free(msg);
        }
    }
    tag_free(&m);
    tag_free(&sub);
    return rc;
}

/* Steps st (prepared for this call alone, ?-bound by the caller) calling cb with each
 * WR_COLS row; finalizes st. */
static int each_tag(struct store *s, struct dbst *st, store_tag_cb cb, void *ctx)
{
    int rc = sq_tag_rows(s, st, cb, ctx);
    db_finalize(st);
    return rc;
}

static struct dbst *prepare(struct store *s, const char *sql, int *rc)
{
    struct dbst *st = NULL;
    int e = db_prepare(s, sql, &st);
    *rc = e == DB_OK ? 0 : sq_fail(s, e);
    return st;
}

int store_tag_linked(struct store *s, int64_t id, enum tag_link which, int limit, store_tag_cb cb,
                     void *ctx)
{
    static const char *const sql[] = {
        [TAG_LINK_SYNONYMS] = "SELECT " WR_COLS " FROM tags t WHERE t.synonym_of = ?1 "
                              "ORDER BY t.type, t.name, t.id LIMIT ?2",
        [TAG_LINK_PARENTS] = "SELECT " WR_COLS " FROM tag_parents p JOIN tags t ON t.id = "
                             "p.parent_id WHERE p.child_id = ?1 "
                             "ORDER BY t.type, t.name, t.id LIMIT ?2",
        [TAG_LINK_CHILDREN] = "SELECT " WR_COLS " FROM tag_parents p JOIN tags t ON t.id = "
                              "p.child_id WHERE p.parent_id = ?1 "
                              "ORDER BY t.type, t.name, t.id LIMIT ?2",
        [TAG_LINK_METAS] = "SELECT " WR_COLS " FROM tag_meta m JOIN tags t ON t.id = m.meta_id "
                           "WHERE m.sub_id = ?1 ORDER BY t.type, t.name, t.id LIMIT ?2",
        [TAG_LINK_SUBS] = "SELECT " WR_COLS " FROM tag_meta m JOIN tags t ON t.id = m.sub_id "
                          "WHERE m.meta_id = ?1 ORDER BY t.type, t.name, t.id LIMIT ?2",
    };
    if ((unsigned)which > TAG_LINK_SUBS)
        return sq_failf(s, FICD_EINVAL, "unknown tag link %d", (int)which);
    int rc;
    struct dbst *st = prepare(s, sql[which], &rc);
    if (rc)
        return rc;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, limit > 0 ? limit : INT64_MAX);
    return each_tag(s, st, cb, ctx);
}

int store_tag_unwrangled(struct store *s, int type, int limit, store_tag_cb cb, void *ctx)
{
    if (type > TAG_FREEFORM)
        return sq_failf(s, FICD_EINVAL,
                        "only fandom, relationship, character and freeform "
                        "tags are wrangled");
    int rc;
    struct dbst *st = prepare(s,
                              "SELECT " WR_COLS " FROM tags t WHERE t.type BETWEEN 0 AND 3 "
                              "AND (?1 < 0 OR t.type = ?1) AND ("
                              "(t.canonical = 0 AND t.synonym_of IS NULL) OR "
                              "(t.canonical = 1 AND t.type IN (1, 2) AND NOT EXISTS "
                              "(SELECT 1 FROM tag_parents p WHERE p.child_id = t.id))) "
                              "ORDER BY t.uses DESC, t.name, t.id LIMIT ?2",
                              &rc);
    if (rc)
        return rc;
    db_bind_int(st, 1, type < 0 ? -1 : type);
    db_bind_int(st, 2, limit > 0 ? limit : INT64_MAX);
    return each_tag(s, st, cb, ctx);
}

int store_tag_relations(struct store *s, store_tag_rel_cb cb, void *ctx)
{
    int rc;
    struct dbst *st = prepare(s,
                              "SELECT 0, id, synonym_of FROM tags WHERE synonym_of IS NOT NULL "
                              "UNION ALL SELECT 1, child_id, parent_id FROM tag_parents "
                              "UNION ALL SELECT 2, sub_id, meta_id FROM tag_meta",
                              &rc);
    if (rc)
        return rc;
    int e;
    while ((e = db_step(st)) == DB_ROW) {
        struct tag_rel rel = {.kind = (enum tag_rel_kind)(int)db_col_int(st, 0),
                              .from = db_col_int(st, 1),
                              .to = db_col_int(st, 2)};
        if (cb(&rel, ctx))
            break;
    }
    if (e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int sq_tag_canonical_check(struct store *s, int64_t id, int canonical)
{
    struct tag t;
    int rc = load(s, id, &t);
    if (rc)
        return rc;
    if (canonical && t.synonym_of) {
        rc = sq_failf(s, FICD_EINVAL,
                      "'%s' is a synonym; make it a synonym of nothing before making it canonical",
                      t.name);
    } else if (!canonical && t.canonical) {
        static const char *const checks[][2] = {
            {"SELECT 1 FROM tags WHERE synonym_of = ?1 LIMIT 1", "synonyms"},
            {"SELECT 1 FROM tag_meta WHERE meta_id = ?1 OR sub_id = ?1 LIMIT 1",
             "meta or sub tags"},
            {"SELECT 1 FROM tag_parents WHERE parent_id = ?1 LIMIT 1", "child tags"},
        };
        for (size_t i = 0; !rc && i < sizeof(checks) / sizeof(checks[0]); i++) {
            int has = exists(s, checks[i][0], id, 0);
            if (has < 0)
                rc = has;
            else if (has)
                rc = sq_failf(s, FICD_EINVAL,
                              "'%s' has %s; unlink them (or merge it into another canonical tag) "
                              "before it stops being canonical",
                              t.name, checks[i][1]);
        }
    }
    tag_free(&t);
    return rc;
}
