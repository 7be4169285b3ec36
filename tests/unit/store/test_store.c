/* test_store.c: the SQLite store's works, chapters, tags, change log and transactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/work.h"
#include "store/store.h"
#include "store_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s)
{
    char *c = strdup(s);
    assert_non_null(c);
    return c;
}

static void add_all(struct strlist *l, const char *const *names)
{
    for (; *names; names++)
        assert_int_equal(strlist_add(l, *names), 0);
}

/* A work with every field set, three chapters and non-ASCII text. */
static void rich_work(struct work *w)
{
    work_init(w);
    w->title = xstrdup("Ljósið í Höfninni — 灯台");
    add_all(&w->creators, (const char *const[]){"Quillfeather", "Ænid", NULL});
    w->summary = xstrdup("First paragraph.\n\nSecond — with “quotes” and ümlauts.");
    w->notes_begin = xstrdup("Begin notes ✨");
    w->notes_end = xstrdup("End notes");
    w->language = xstrdup("Íslenska");
    w->rating = RATING_MATURE;
    w->rating_declared = 1;
    w->warnings = WARN_VIOLENCE | WARN_MCD;
    w->categories = CAT_FF | CAT_GEN;
    add_all(&w->fandoms, (const char *const[]){"Tidewatch Chronicles", "Harbour Lights", NULL});
    add_all(&w->relationships, (const char *const[]){"Iselle/Corvan", NULL});
    add_all(&w->characters, (const char *const[]){"Iselle", "Corvan", "Ménard", NULL});
    add_all(&w->freeforms, (const char *const[]){"Slow Burn", "Angst", "Happy Ending", NULL});
    add_all(&w->beta, (const char *const[]){"Marrow", "Lin", NULL});
    add_all(&w->sugg_characters, (const char *const[]){"Old Tam", NULL});
    add_all(&w->sugg_relationships, (const char *const[]){"Tam & Iselle", NULL});
    add_all(&w->sugg_fandoms, (const char *const[]){"Sea Stories", "Lighthouses", NULL});
    w->expected_chapters = 4;
    w->published = 1700000000;
    w->draft = 0;
    w->restricted = 1;
    w->series = xstrdup("The Bay Cycle");
    w->series_position = 2;
    snprintf(w->content_hash, sizeof(w->content_hash), "%064d", 7);
    w->kudos = 11;
    w->hits = 222;
    w->comments = 3;
    w->bookmarks = 4;
    static const char *const titles[] = {"The Harbour", NULL, "Ψ — the end"};
    for (int i = 0; i < 3; i++) {
        struct chapter *c = work_add_chapter(w);
        assert_non_null(c);
        if (titles[i])
            c->title = xstrdup(titles[i]);
        char buf[128];
        snprintf(buf, sizeof(buf), "<p>Chapter %d body, naïve café 日本語</p>", i + 1);
        c->html = xstrdup(buf);
        snprintf(buf, sizeof(buf), "summary %d", i + 1);
        c->summary = xstrdup(buf);
        if (i == 1) {
            c->notes_begin = xstrdup("chapter notes ✎");
            c->notes_end = xstrdup("see you");
        }
        c->words = 100 * (i + 1);
    }
}

static void assert_str_eq(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_list_eq(const struct strlist *a, const struct strlist *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_string_equal(a->v[i], b->v[i]);
}

/* Every field of got equals want (stats included); bodies compared when with_bodies. */
static void assert_work_eq(const struct work *got, const struct work *want, int with_bodies)
{
    assert_int_equal(got->id, want->id);
    assert_str_eq(got->title, want->title);
    assert_list_eq(&got->creators, &want->creators);
    assert_str_eq(got->summary, want->summary);
    assert_str_eq(got->notes_begin, want->notes_begin);
    assert_str_eq(got->notes_end, want->notes_end);
    assert_str_eq(got->language, want->language);
    assert_int_equal(got->rating, want->rating);
    assert_int_equal(got->rating_declared, want->rating_declared);
    assert_int_equal(got->warnings, want->warnings);
    assert_int_equal(got->categories, want->categories);
    assert_list_eq(&got->fandoms, &want->fandoms);
    assert_list_eq(&got->relationships, &want->relationships);
    assert_list_eq(&got->characters, &want->characters);
    assert_list_eq(&got->freeforms, &want->freeforms);
    assert_list_eq(&got->beta, &want->beta);
    assert_list_eq(&got->sugg_characters, &want->sugg_characters);
    assert_list_eq(&got->sugg_relationships, &want->sugg_relationships);
    assert_list_eq(&got->sugg_fandoms, &want->sugg_fandoms);
    assert_int_equal(got->expected_chapters, want->expected_chapters);
    assert_int_equal(got->published, want->published);
    assert_int_equal(got->updated, want->updated);
    assert_int_equal(got->draft, want->draft);
    assert_int_equal(got->restricted, want->restricted);
    assert_str_eq(got->series, want->series);
    assert_int_equal(got->series_position, want->series_position);
    assert_string_equal(got->content_hash, want->content_hash);
    assert_int_equal(got->user_id, want->user_id);
    assert_int_equal(got->kudos, want->kudos);
    assert_int_equal(got->hits, want->hits);
    assert_int_equal(got->comments, want->comments);
    assert_int_equal(got->bookmarks, want->bookmarks);
    assert_int_equal(got->nchapters, want->nchapters);
    for (size_t i = 0; i < got->nchapters; i++) {
        const struct chapter *g = &got->chapters[i], *e = &want->chapters[i];
        assert_int_equal(g->id, e->id);
        assert_int_equal(g->position, (int)i + 1);
        assert_str_eq(g->title, e->title);
        assert_str_eq(g->summary, e->summary);
        assert_str_eq(g->notes_begin, e->notes_begin);
        assert_str_eq(g->notes_end, e->notes_end);
        assert_int_equal(g->words, e->words);
        if (with_bodies)
            assert_str_eq(g->html, e->html);
        else
            assert_null(g->html);
    }
}

/* A small published work with the given title, creator and freeform tags. */
static int64_t add_simple(struct store *s, const char *title, const char *creator, int draft,
                          const char *const *freeforms)
{
    struct work w;
    work_init(&w);
    w.title = xstrdup(title);
    if (creator)
        assert_int_equal(strlist_add(&w.creators, creator), 0);
    if (freeforms)
        add_all(&w.freeforms, freeforms);
    w.draft = draft;
    struct chapter *c = work_add_chapter(&w);
    c->html = xstrdup("<p>x</p>");
    c->words = 1;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

static int64_t count_works(struct store *s)
{
    int64_t n = -1;
    assert_int_equal(store_work_count(s, 1, &n), 0);
    return n;
}

/* ---- open and migrate ---- */

static void test_open_migrate_reopen(void **state)
{
    struct fixture *f = *state;
    int v = store_schema_version(f->s);
    assert_true(v >= 1);
    assert_int_equal(raw_int(f->dir, test_on_pg() ? "SELECT max(version) FROM schema_migrations"
                                                  : "PRAGMA user_version"),
                     v);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM schema_migrations"), v);
    if (!test_on_pg())
        assert_int_equal(raw_int(f->dir, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"),
                         1);
    int64_t id = add_simple(f->s, "kept", "a", 0, NULL);

    /* Reopening applies nothing again and keeps the data. */
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->dir, &f->s), 0);
    assert_int_equal(store_schema_version(f->s), v);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM schema_migrations"), v);
    struct work w;
    assert_int_equal(store_work_get(f->s, id, 1, &w), 0);
    assert_string_equal(w.title, "kept");
    work_free(&w);

    /* A nested directory that does not exist yet is created. */
    char nested[96];
    snprintf(nested, sizeof(nested), "%s/a/b/c", f->dir);
    assert_int_equal(test_use_dir(nested), 0); /* on PostgreSQL: a database of its own */
    struct store *s2;
    assert_int_equal(store_open(nested, &s2), 0);
    assert_int_equal(store_schema_version(s2), v);
    store_close(s2);

    /* An archive from a newer ficd is refused, not damaged. */
    char sql[128];
    if (test_on_pg())
        snprintf(sql, sizeof(sql),
                 "INSERT INTO schema_migrations (version, applied) VALUES (%d, 0)", v + 1);
    else
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
    assert_int_equal(raw_exec(nested, sql), 0);
    s2 = (struct store *)1;
    assert_int_equal(store_open(nested, &s2), FICD_EDB);
    assert_null(s2);
}

/* ---- works ---- */

static void test_rich_round_trip(void **state)
{
    struct fixture *f = *state;
    struct work w, got;
    rich_work(&w);
    assert_int_equal(store_work_insert(f->s, &w), 0);
    assert_true(w.id > 0);
    assert_true(w.updated > 0);
    assert_int_equal(w.published, 1700000000);
    for (size_t i = 0; i < 3; i++) {
        assert_true(w.chapters[i].id > 0);
        assert_int_equal(w.chapters[i].position, (int)i + 1);
    }
    assert_int_equal(store_work_get(f->s, w.id, 1, &got), 0);
    assert_work_eq(&got, &w, 1);
    work_free(&got);
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), 0);
    assert_work_eq(&got, &w, 0);
    assert_string_equal(got.chapters[2].title, "Ψ — the end");
    assert_int_equal(work_words(&got), 600);
    work_free(&got);
    assert_int_equal(store_work_get(f->s, w.id + 1, 1, &got), FICD_ENOTFOUND);
    work_free(&w);
}

static void test_publish_rules(void **state)
{
    struct fixture *f = *state;
    int64_t draft = add_simple(f->s, "draft", "a", 1, NULL);
    int64_t pub = add_simple(f->s, "pub", "a", 0, NULL);
    struct work w;
    assert_int_equal(store_work_get(f->s, draft, 0, &w), 0);
    assert_int_equal(w.published, 0);
    assert_int_equal(w.draft, 1);
    work_free(&w);
    assert_int_equal(store_work_get(f->s, pub, 0, &w), 0);
    assert_true(w.published > 0); /* published = now when not a draft */
    work_free(&w);
    int64_t n;
    assert_int_equal(store_work_count(f->s, 0, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_work_publish(f->s, draft), 0);
    assert_int_equal(store_work_count(f->s, 0, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_work_get(f->s, draft, 0, &w), 0);
    assert_int_equal(w.draft, 0);
    assert_true(w.published > 0);
    work_free(&w);
    assert_int_equal(store_work_publish(f->s, 999), FICD_ENOTFOUND);
}

static void test_update_chapters_and_metadata(void **state)
{
    struct fixture *f = *state;
    struct work w, got;
    rich_work(&w);
    assert_int_equal(store_work_insert(f->s, &w), 0);
    int64_t c1 = w.chapters[0].id, c2 = w.chapters[1].id, c3 = w.chapters[2].id;

    /* New order: chapter 3, a new chapter, chapter 1; chapter 2 is dropped. */
    struct work u;
    assert_int_equal(work_copy(&u, &w), 0);
    free(u.title);
    u.title = xstrdup("Renamed");
    u.rating = RATING_GENERAL;
    u.warnings = WARN_NONE;
    strlist_free(&u.freeforms);
    add_all(&u.freeforms, (const char *const[]){"Fluff", "slow burn", NULL});
    strlist_free(&u.creators);
    add_all(&u.creators, (const char *const[]){"Ænid", NULL});
    strlist_free(&u.sugg_fandoms);
    struct chapter keep1 = u.chapters[0], drop2 = u.chapters[1], keep3 = u.chapters[2];
    u.chapters[0] = keep3;
    u.chapters[1] = (struct chapter){0};
    u.chapters[1].title = xstrdup("Interlude");
    u.chapters[1].html = xstrdup("<p>new</p>");
    u.chapters[1].words = 7;
    u.chapters[2] = keep1;
    free(u.chapters[2].title);
    u.chapters[2].title = xstrdup("The Harbour, revised");
    free(drop2.title);
    free(drop2.summary);
    free(drop2.notes_begin);
    free(drop2.notes_end);
    free(drop2.html);
    assert_int_equal(store_work_update(f->s, &u), 0);
    assert_true(u.chapters[1].id > 0);
    assert_int_equal(u.chapters[0].id, c3);
    assert_int_equal(u.chapters[2].id, c1);

    assert_int_equal(store_work_get(f->s, w.id, 1, &got), 0);
    assert_string_equal(got.freeforms.v[1], "Slow Burn"); /* an existing tag keeps its name */
    free(u.freeforms.v[1]);
    u.freeforms.v[1] = xstrdup("Slow Burn");
    assert_work_eq(&got, &u, 1); /* stats untouched; everything else replaced */
    work_free(&got);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM chapters"), 3);
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM chapters WHERE id = %lld", (long long)c2);
    assert_int_equal(raw_int(f->dir, sql), 0);

    /* A chapter id of another work is refused and changes nothing. */
    struct work other;
    rich_work(&other);
    assert_int_equal(store_work_insert(f->s, &other), 0);
    struct work bad;
    assert_int_equal(work_copy(&bad, &u), 0);
    free(bad.title);
    bad.title = xstrdup("must not be stored");
    bad.chapters[1].id = other.chapters[0].id;
    assert_int_equal(store_work_update(f->s, &bad), FICD_EINVAL);
    assert_int_equal(bad.chapters[1].id, other.chapters[0].id);
    assert_int_equal(store_work_get(f->s, w.id, 1, &got), 0);
    assert_work_eq(&got, &u, 1);
    work_free(&got);

    /* Written back without bodies (html NULL), the stored bodies are kept. */
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), 0);
    assert_int_equal(store_work_update(f->s, &got), 0);
    work_free(&got);
    assert_int_equal(store_work_get(f->s, w.id, 1, &got), 0);
    assert_string_equal(got.chapters[1].html, "<p>new</p>");
    work_free(&got);

    bad.id = 424242;
    assert_int_equal(store_work_update(f->s, &bad), FICD_ENOTFOUND);
    work_free(&bad);
    work_free(&other);
    work_free(&u);
    work_free(&w);
}

static void test_delete_cascades(void **state)
{
    struct fixture *f = *state;
    struct work w, got;
    rich_work(&w);
    assert_int_equal(store_work_insert(f->s, &w), 0);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM chapters"), 3);
    assert_int_equal(raw_int(f->dir, "SELECT sum(uses) FROM tags"), 9);
    assert_int_equal(store_work_delete(f->s, w.id), 0);
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), FICD_ENOTFOUND);
    static const char *const tables[] = {"chapters", "work_creators", "work_beta",
                                         "work_suggestions", "work_tags"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
        assert_int_equal(raw_int(f->dir, sql), 0);
    }
    /* Tags stay, unused. */
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM tags"), 9);
    assert_int_equal(raw_int(f->dir, "SELECT sum(uses) FROM tags"), 0);
    assert_int_equal(store_work_delete(f->s, w.id), FICD_ENOTFOUND);
    work_free(&w);
}

static void test_find_hash(void **state)
{
    struct fixture *f = *state;
    struct work a, b;
    rich_work(&a);
    rich_work(&b);
    assert_int_equal(store_work_insert(f->s, &a), 0);
    assert_int_equal(store_work_insert(f->s, &b), 0); /* the importer may allow duplicates */
    int64_t id = -1;
    assert_int_equal(store_work_find_hash(f->s, a.content_hash, &id), 0);
    assert_int_equal(id, a.id);
    assert_int_equal(store_work_find_hash(f->s, "ffff", &id), 0);
    assert_int_equal(id, 0);
    int64_t plain = add_simple(f->s, "form post", "a", 0, NULL);
    assert_true(plain > 0);
    id = -1;
    assert_int_equal(store_work_find_hash(f->s, "", &id), 0); /* form posts have no hash */
    assert_int_equal(id, 0);
    work_free(&a);
    work_free(&b);
}

struct collect {
    int64_t ids[256];
    int n;
    int stop_after; /* 0 = never */
    int bodies_seen;
};

static int collect_cb(const struct work *w, void *ctx)
{
    struct collect *c = ctx;
    c->ids[c->n++] = w->id;
    if (w->nchapters && w->chapters[0].html)
        c->bodies_seen++;
    return c->stop_after && c->n >= c->stop_after;
}

static void list_ids(struct store *s, const struct store_work_query *q, struct collect *c,
                     int64_t *total)
{
    memset(c, 0, sizeof(*c));
    assert_int_equal(store_work_list(s, q, collect_cb, c, total), 0);
}

static void test_list_filters(void **state)
{
    struct fixture *f = *state;
    struct user u = {.name = "owner"};
    assert_int_equal(store_user_create(f->s, &u), 0);
    int64_t a = add_simple(f->s, "A", "Alpha", 0, (const char *const[]){"Fluff", NULL});
    int64_t b = add_simple(f->s, "B", "beta", 0, (const char *const[]){"Angst", NULL});
    int64_t c = add_simple(f->s, "C", "ALPHA", 1, (const char *const[]){"fluff", NULL});
    int64_t d = add_simple(f->s, "D", "gamma", 0, NULL);
    struct work w;
    rich_work(&w);
    w.user_id = u.id;
    assert_int_equal(store_work_insert(f->s, &w), 0);
    int64_t e = w.id;
    work_free(&w);
    /* Distinct update times: d newest, then a, e, b; c is a draft. */
    char sql[160];
    snprintf(sql, sizeof(sql),
             "UPDATE works SET updated = CASE id WHEN %lld THEN 50 WHEN %lld THEN 40 "
             "WHEN %lld THEN 30 WHEN %lld THEN 20 ELSE 10 END",
             (long long)d, (long long)a, (long long)e, (long long)b);
    assert_int_equal(raw_exec(f->dir, sql), 0);

    struct collect r;
    int64_t total;
    struct store_work_query q = {0};
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 4);
    assert_int_equal(r.n, 4);
    int64_t want[] = {d, a, e, b};
    for (int i = 0; i < 4; i++)
        assert_int_equal(r.ids[i], want[i]);
    assert_int_equal(r.bodies_seen, 0); /* metadata only */

    q.include_drafts = 1;
    q.order = STORE_ORDER_ID_ASC;
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 5);
    assert_int_equal(r.ids[0], a);
    assert_int_equal(r.ids[2], c);

    q.drafts_only = 1;
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 1);
    assert_int_equal(r.ids[0], c);

    /* Creator and tag filters ignore case; the tag matches any type. */
    q = (struct store_work_query){.include_drafts = 1, .creator = "alpha"};
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 2);
    q = (struct store_work_query){.include_drafts = 1, .tag = "FLUFF"};
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 2);
    q.tag = "tidewatch chronicles";
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 1);
    assert_int_equal(r.ids[0], e);
    q = (struct store_work_query){.tag = "Fluff", .creator = "Alpha"};
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 1);
    assert_int_equal(r.ids[0], a);
    q = (struct store_work_query){.user_id = u.id};
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 1);
    assert_int_equal(r.ids[0], e);
    q = (struct store_work_query){.tag = "no such tag"};
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 0);
    assert_int_equal(r.n, 0);

    /* Pages: total ignores offset and limit. */
    q = (struct store_work_query){
        .include_drafts = 1, .order = STORE_ORDER_ID_DESC, .offset = 1, .limit = 2};
    list_ids(f->s, &q, &r, &total);
    assert_int_equal(total, 5);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.ids[0], d);
    assert_int_equal(r.ids[1], c);
    q.offset = 4;
    list_ids(f->s, &q, &r, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ids[0], a);

    /* The callback stops the walk. */
    q = (struct store_work_query){.include_drafts = 1};
    memset(&r, 0, sizeof(r));
    r.stop_after = 2;
    assert_int_equal(store_work_list(f->s, &q, collect_cb, &r, NULL), 0);
    assert_int_equal(r.n, 2);
}

struct walk {
    int64_t last_id;
    int n, with_bodies, stop_at, bad;
    struct store *s; /* set: every work must equal what store_work_get reads */
};

static int same_list(const struct strlist *a, const struct strlist *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]))
            return 0;
    return 1;
}

/* Checks each work against what test_foreach inserted: id order, tags, chapters. */
static int walk_cb(const struct work *w, void *ctx)
{
    struct walk *k = ctx;
    if (w->id <= k->last_id)
        k->bad++;
    k->last_id = w->id;
    int i = atoi(w->title + 1);
    if (w->title[0] != 'w' || w->freeforms.n != 2 || strcmp(w->fandoms.v[0], "Shared Fandom") ||
        w->nchapters != (size_t)(i % 3 + 1) || w->creators.n != 1)
        k->bad++;
    char tag[32];
    snprintf(tag, sizeof(tag), "tag %d", i % 10);
    if (strcmp(w->freeforms.v[0], tag) || strcmp(w->freeforms.v[1], "common"))
        k->bad++;
    for (size_t c = 0; c < w->nchapters; c++)
        if (w->chapters[c].position != (int)c + 1 || !w->chapters[c].html != !k->with_bodies)
            k->bad++;
    struct work g;
    if (k->s && store_work_get(k->s, w->id, 0, &g) == 0) {
        /* a scan reads tags by id from a table of names, a single read joins: the same */
        if (!same_list(&g.fandoms, &w->fandoms) ||
            !same_list(&g.relationships, &w->relationships) ||
            !same_list(&g.characters, &w->characters) || !same_list(&g.freeforms, &w->freeforms) ||
            !same_list(&g.creators, &w->creators) || strcmp(g.title, w->title))
            k->bad++;
        work_free(&g);
    } else if (k->s) {
        k->bad++;
    }
    return ++k->n == k->stop_at;
}

static void test_foreach(void **state)
{
    struct fixture *f = *state;
    enum { N = 150 };
    assert_int_equal(store_begin(f->s), 0);
    for (int i = 0; i < N; i++) {
        struct work w;
        work_init(&w);
        char buf[32];
        snprintf(buf, sizeof(buf), "w%d", i);
        w.title = xstrdup(buf);
        w.draft = i % 4 == 0;
        assert_int_equal(strlist_add(&w.creators, "someone"), 0);
        assert_int_equal(strlist_add(&w.fandoms, "Shared Fandom"), 0);
        snprintf(buf, sizeof(buf), "tag %d", i % 10);
        assert_int_equal(strlist_add(&w.freeforms, buf), 0);
        assert_int_equal(strlist_add(&w.freeforms, "common"), 0);
        /* tags made in an order unlike their positions, of every type */
        snprintf(buf, sizeof(buf), "Char %d", (N - i) % 7);
        assert_int_equal(strlist_add(&w.characters, buf), 0);
        assert_int_equal(strlist_add(&w.characters, "Char Last"), 0);
        snprintf(buf, sizeof(buf), "A %d/B", i % 5);
        assert_int_equal(strlist_add(&w.relationships, buf), 0);
        for (int c = 0; c < i % 3 + 1; c++) {
            struct chapter *ch = work_add_chapter(&w);
            ch->html = xstrdup("<p>body</p>");
            ch->words = 1;
        }
        assert_int_equal(store_work_insert(f->s, &w), 0);
        work_free(&w);
    }
    assert_int_equal(store_commit(f->s), 0);
    for (int b = 0; b < 2; b++) {
        struct walk k = {.with_bodies = b, .s = f->s};
        assert_int_equal(store_work_foreach(f->s, b, walk_cb, &k), 0);
        assert_int_equal(k.n, N);
        assert_int_equal(k.bad, 0);
    }
    struct walk k = {.stop_at = 70};
    assert_int_equal(store_work_foreach(f->s, 0, walk_cb, &k), 0);
    assert_int_equal(k.n, 70);
    struct tag t;
    assert_int_equal(store_tag_find(f->s, TAG_FREEFORM, "COMMON", &t), 0);
    assert_int_equal(t.uses, N);
    tag_free(&t);
}

/* ---- chapters ---- */

static void test_chapter_ops(void **state)
{
    struct fixture *f = *state;
    struct work w, got;
    rich_work(&w);
    assert_int_equal(store_work_insert(f->s, &w), 0);
    struct chapter c = {.title = "Four", .html = "<p>four</p>", .words = 4};
    assert_int_equal(store_chapter_add(f->s, w.id, &c), 0);
    assert_int_equal(c.position, 4);
    assert_true(c.id > 0);
    assert_int_equal(store_chapter_add(f->s, 999, &c), FICD_ENOTFOUND);

    /* Update without a body keeps the body. */
    struct chapter u = {.id = c.id, .title = "Four (rev)", .words = 5};
    assert_int_equal(store_chapter_update(f->s, w.id, &u), 0);
    u.id = w.chapters[0].id;
    assert_int_equal(store_chapter_update(f->s, w.id + 100, &u), FICD_ENOTFOUND);
    u.id = 12345;
    assert_int_equal(store_chapter_update(f->s, w.id, &u), FICD_ENOTFOUND);
    assert_int_equal(store_work_get(f->s, w.id, 1, &got), 0);
    assert_int_equal(got.nchapters, 4);
    assert_string_equal(got.chapters[3].title, "Four (rev)");
    assert_string_equal(got.chapters[3].html, "<p>four</p>");
    assert_int_equal(got.chapters[3].words, 5);
    work_free(&got);

    /* Deleting chapter 2 renumbers the rest 1..3. */
    assert_int_equal(store_chapter_delete(f->s, w.id, w.chapters[1].id), 0);
    assert_int_equal(store_chapter_delete(f->s, w.id, w.chapters[1].id), FICD_ENOTFOUND);
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), 0);
    assert_int_equal(got.nchapters, 3);
    assert_int_equal(got.chapters[0].id, w.chapters[0].id);
    assert_int_equal(got.chapters[1].id, w.chapters[2].id);
    assert_int_equal(got.chapters[2].id, c.id);
    for (int i = 0; i < 3; i++)
        assert_int_equal(got.chapters[i].position, i + 1);
    work_free(&got);

    int64_t order[] = {c.id, w.chapters[0].id, w.chapters[2].id};
    assert_int_equal(store_chapter_reorder(f->s, w.id, order, 3), 0);
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(got.chapters[i].id, order[i]);
    work_free(&got);
    int64_t twice[] = {c.id, c.id, w.chapters[2].id};
    assert_int_equal(store_chapter_reorder(f->s, w.id, twice, 3), FICD_EINVAL);
    assert_int_equal(store_chapter_reorder(f->s, w.id, order, 2), FICD_EINVAL);
    int64_t foreign[] = {c.id, w.chapters[1].id, w.chapters[2].id};
    assert_int_equal(store_chapter_reorder(f->s, w.id, foreign, 3), FICD_EINVAL);
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(got.chapters[i].id, order[i]);
    work_free(&got);
    work_free(&w);
}

/* ---- tags ---- */

struct tag_rows {
    char names[16][64];
    int64_t uses[16];
    int n;
};

static int tag_rows_cb(const struct tag *t, void *ctx)
{
    struct tag_rows *r = ctx;
    snprintf(r->names[r->n], sizeof(r->names[0]), "%s", t->name);
    r->uses[r->n++] = t->uses;
    return r->n == 16;
}

static void test_tags(void **state)
{
    struct fixture *f = *state;
    int64_t a, b, c;
    assert_int_equal(store_tag_ensure(f->s, TAG_FREEFORM, "Slow Burn", &a), 0);
    assert_int_equal(store_tag_ensure(f->s, TAG_FREEFORM, "slow burn", &b), 0);
    assert_int_equal(a, b);
    assert_int_equal(store_tag_ensure(f->s, TAG_CHARACTER, "Slow Burn", &c), 0);
    assert_true(c != a);
    assert_int_equal(store_tag_ensure(f->s, TAG_FREEFORM, "", &b), FICD_EINVAL);
    assert_int_equal(store_tag_ensure(f->s, (enum tag_type)42, "x", &b), FICD_EINVAL);

    struct tag t;
    assert_int_equal(store_tag_find(f->s, TAG_FREEFORM, "SLOW BURN", &t), 0);
    assert_int_equal(t.id, a);
    assert_string_equal(t.name, "Slow Burn");
    assert_int_equal(t.canonical, 0);
    assert_int_equal(t.uses, 0);
    assert_int_equal(t.synonym_of, 0);
    tag_free(&t);
    assert_int_equal(store_tag_find(f->s, TAG_FANDOM, "slow burn", &t), FICD_ENOTFOUND);
    assert_int_equal(store_tag_set_canonical(f->s, c, 1), 0);
    assert_int_equal(store_tag_find(f->s, -1, "slow BURN", &t), 0);
    assert_int_equal(t.id, c); /* any type: the canonical one first */
    assert_int_equal(t.canonical, 1);
    assert_int_equal(t.type, TAG_CHARACTER);
    tag_free(&t);
    assert_int_equal(store_tag_get(f->s, a, &t), 0);
    assert_string_equal(t.name, "Slow Burn");
    tag_free(&t);
    assert_int_equal(store_tag_get(f->s, 9999, &t), FICD_ENOTFOUND);
    assert_int_equal(store_tag_set_canonical(f->s, 9999, 1), FICD_ENOTFOUND);

    /* Uses follow the works carrying a tag; the list is most used first. */
    add_simple(f->s, "1", "x", 0, (const char *const[]){"Slow Burn", "Slowly", NULL});
    add_simple(f->s, "2", "x", 0, (const char *const[]){"slow burn", "Fluff", NULL});
    int64_t w3 = add_simple(f->s, "3", "x", 1, (const char *const[]){"Slowly", "SLOW burn", NULL});
    add_simple(f->s, "4", "x", 0, (const char *const[]){"100% Fluff", "Fluff", NULL});
    struct tag_rows r = {0};
    assert_int_equal(store_tag_list(f->s, TAG_FREEFORM, "sLoW", 0, tag_rows_cb, &r), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.names[0], "Slow Burn");
    assert_int_equal(r.uses[0], 3);
    assert_string_equal(r.names[1], "Slowly");
    assert_int_equal(r.uses[1], 2);
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_tag_list(f->s, -1, "slow", 0, tag_rows_cb, &r), 0);
    assert_int_equal(r.n, 3); /* the character tag too, unused */
    assert_int_equal(r.uses[2], 0);
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_tag_list(f->s, TAG_FREEFORM, NULL, 1, tag_rows_cb, &r), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.names[0], "Slow Burn");
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_tag_list(f->s, TAG_FREEFORM, "100%", 0, tag_rows_cb, &r), 0);
    assert_int_equal(r.n, 1); /* % in a prefix is a character, not a wildcard */
    assert_string_equal(r.names[0], "100% Fluff");
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_tag_list(f->s, TAG_FREEFORM, "1%", 0, tag_rows_cb, &r), 0);
    assert_int_equal(r.n, 0);
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_tag_list(f->s, TAG_FREEFORM, "", 0, tag_rows_cb, &r), 0);
    assert_int_equal(r.n, 4);

    assert_int_equal(store_work_delete(f->s, w3), 0);
    assert_int_equal(store_tag_find(f->s, TAG_FREEFORM, "slowly", &t), 0);
    assert_int_equal(t.uses, 1);
    tag_free(&t);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM tags t WHERE uses <> (SELECT count(*) "
                                     "FROM work_tags wt WHERE wt.tag_id = t.id)"),
                     0);
}

static void test_work_tag_add_remove(void **state)
{
    struct fixture *f = *state;
    struct work w, got;
    rich_work(&w);
    assert_int_equal(store_work_insert(f->s, &w), 0);
    assert_int_equal(store_work_tag_add(f->s, w.id, TAG_CHARACTER, "Old Tam"), 0);
    assert_int_equal(store_work_tag_add(f->s, w.id, TAG_CHARACTER, "old tam"), 0); /* no-op */
    assert_int_equal(store_work_tag_add(f->s, w.id, TAG_FANDOM, "Another"), 0);
    assert_int_equal(store_work_tag_add(f->s, 9999, TAG_FANDOM, "Another"), FICD_ENOTFOUND);
    assert_int_equal(store_work_tag_add(f->s, w.id, TAG_RATING, "Explicit"), FICD_EINVAL);
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), 0);
    assert_int_equal(got.characters.n, 4);
    assert_string_equal(got.characters.v[3], "Old Tam");
    assert_int_equal(got.fandoms.n, 3);
    assert_string_equal(got.fandoms.v[0], "Tidewatch Chronicles");
    assert_string_equal(got.fandoms.v[2], "Another");
    assert_int_equal(got.sugg_characters.n, 1); /* suggestions are kept apart */
    work_free(&got);

    assert_int_equal(store_work_tag_remove(f->s, w.id, TAG_CHARACTER, "CORVAN"), 0);
    assert_int_equal(store_work_tag_remove(f->s, w.id, TAG_CHARACTER, "Corvan"), FICD_ENOTFOUND);
    assert_int_equal(store_work_tag_remove(f->s, w.id, TAG_FANDOM, "Corvan"), FICD_ENOTFOUND);
    assert_int_equal(store_work_tag_remove(f->s, w.id, TAG_FREEFORM, "Never Seen"), FICD_ENOTFOUND);
    assert_int_equal(store_work_tag_remove(f->s, 9999, TAG_CHARACTER, "Iselle"), FICD_ENOTFOUND);
    assert_int_equal(store_work_get(f->s, w.id, 0, &got), 0);
    assert_int_equal(got.characters.n, 3);
    assert_string_equal(got.characters.v[0], "Iselle");
    assert_string_equal(got.characters.v[1], "Ménard");
    work_free(&got);
    struct tag t;
    assert_int_equal(store_tag_find(f->s, TAG_CHARACTER, "corvan", &t), 0);
    assert_int_equal(t.uses, 0);
    tag_free(&t);
    work_free(&w);
}

/* ---- change log ---- */

struct changes {
    int64_t seq[32], obj[32];
    int kind[32];
    int n;
};

static int changes_cb(int64_t seq, enum change_kind kind, int64_t object_id, void *ctx)
{
    struct changes *c = ctx;
    c->seq[c->n] = seq;
    c->kind[c->n] = (int)kind;
    c->obj[c->n++] = object_id;
    return c->n == 32;
}

static void test_change_log(void **state)
{
    struct fixture *f = *state;
    int64_t last = -1;
    assert_int_equal(store_last_change(f->s, &last), 0);
    assert_int_equal(last, 0);
    int64_t w = add_simple(f->s, "w", "a", 1, (const char *const[]){"T", NULL}); /* TAG, WORK */
    assert_int_equal(store_work_publish(f->s, w), 0);                            /* WORK */
    int64_t tag;
    assert_int_equal(store_tag_ensure(f->s, TAG_FANDOM, "F", &tag), 0); /* TAG */
    assert_int_equal(store_tag_ensure(f->s, TAG_FANDOM, "f", &tag), 0); /* nothing */
    assert_int_equal(store_tag_set_canonical(f->s, tag, 1), 0);         /* TAG */
    assert_int_equal(store_work_tag_add(f->s, w, TAG_FANDOM, "F"), 0);  /* WORK */
    assert_int_equal(store_work_tag_add(f->s, w, TAG_FANDOM, "F"), 0);  /* nothing */
    assert_int_equal(store_work_delete(f->s, w), 0);                    /* WORK_DELETED */
    assert_int_equal(store_work_delete(f->s, w), FICD_ENOTFOUND);       /* nothing */

    struct changes c = {0};
    assert_int_equal(store_changes_since(f->s, 0, changes_cb, &c), 0);
    int want_kind[] = {CHANGE_TAG, CHANGE_WORK, CHANGE_WORK,        CHANGE_TAG,
                       CHANGE_TAG, CHANGE_WORK, CHANGE_WORK_DELETED};
    int64_t want_obj[] = {-1, w, w, tag, tag, w, w};
    assert_int_equal(c.n, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(c.kind[i], want_kind[i]);
        if (want_obj[i] > 0)
            assert_int_equal(c.obj[i], want_obj[i]);
        if (i)
            assert_true(c.seq[i] > c.seq[i - 1]);
    }
    assert_int_equal(store_last_change(f->s, &last), 0);
    assert_int_equal(last, c.seq[6]);
    struct changes tail = {0};
    assert_int_equal(store_changes_since(f->s, c.seq[4], changes_cb, &tail), 0);
    assert_int_equal(tail.n, 2);
    assert_int_equal(tail.kind[1], CHANGE_WORK_DELETED);
}

/* ---- transactions ---- */

static void test_explicit_rollback(void **state)
{
    struct fixture *f = *state;
    int64_t before, after;
    assert_int_equal(store_last_change(f->s, &before), 0);
    assert_int_equal(store_begin(f->s), 0);
    struct work w;
    rich_work(&w);
    assert_int_equal(store_work_insert(f->s, &w), 0);
    int64_t tag;
    assert_int_equal(store_tag_ensure(f->s, TAG_FANDOM, "Rolled Back", &tag), 0);
    assert_int_equal(store_setting_set(f->s, "k", "v"), 0);
    assert_int_equal(count_works(f->s), 1); /* visible inside the transaction */
    store_rollback(f->s);
    assert_int_equal(count_works(f->s), 0);
    struct tag t;
    assert_int_equal(store_tag_find(f->s, -1, "Rolled Back", &t), FICD_ENOTFOUND);
    assert_int_equal(store_tag_find(f->s, -1, "Iselle", &t), FICD_ENOTFOUND);
    char *v = (char *)1;
    assert_int_equal(store_setting_get(f->s, "k", &v), 0);
    assert_null(v);
    assert_int_equal(store_last_change(f->s, &after), 0);
    assert_int_equal(after, before);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM chapters"), 0);

    /* Nested: the inner rollback keeps the outer work; commit makes it durable. */
    assert_int_equal(store_begin(f->s), 0);
    w.id = 0;
    assert_int_equal(store_work_insert(f->s, &w), 0);
    assert_int_equal(store_begin(f->s), 0);
    assert_true(add_simple(f->s, "inner", "x", 0, NULL) > 0);
    assert_int_equal(count_works(f->s), 2);
    store_rollback(f->s);
    assert_int_equal(count_works(f->s), 1);
    assert_int_equal(store_commit(f->s), 0);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM works"), 1);
    assert_int_equal(store_commit(f->s), FICD_EINVAL); /* no transaction */
    store_rollback(f->s);                              /* harmless */
    work_free(&w);
}

static void test_failed_insert_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    int64_t before, after;
    assert_int_equal(store_last_change(f->s, &before), 0);
    struct work w;
    rich_work(&w);
    w.chapters[1].words = -1; /* violates CHECK (words >= 0) after the first chapter is in */
    int rc = store_work_insert(f->s, &w);
    assert_int_equal(rc, FICD_EDB);
    assert_non_null(strcasestr(store_errmsg(f->s), "CHECK"));
    assert_int_equal(w.id, 0);
    for (size_t i = 0; i < w.nchapters; i++)
        assert_int_equal(w.chapters[i].id, 0);
    assert_int_equal(count_works(f->s), 0);
    static const char *const tables[] = {
        "works", "chapters", "work_creators", "work_beta", "work_suggestions", "work_tags", "tags"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
        assert_int_equal(raw_int(f->dir, sql), 0);
    }
    assert_int_equal(store_last_change(f->s, &after), 0);
    assert_int_equal(after, before);

    /* Inside the caller's transaction only the failed insert is undone. */
    assert_int_equal(store_begin(f->s), 0);
    int64_t good = add_simple(f->s, "good", "x", 0, (const char *const[]){"Kept", NULL});
    assert_int_equal(store_work_insert(f->s, &w), FICD_EDB);
    assert_int_equal(store_commit(f->s), 0);
    assert_int_equal(count_works(f->s), 1);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM tags"), 1);
    struct work got;
    assert_int_equal(store_work_get(f->s, good, 0, &got), 0);
    work_free(&got);

    /* A failed update leaves the previous version whole. */
    w.chapters[1].words = 5;
    assert_int_equal(store_work_insert(f->s, &w), 0);
    struct work u;
    assert_int_equal(work_copy(&u, &w), 0);
    free(u.title);
    u.title = xstrdup("half");
    strlist_free(&u.fandoms);
    add_all(&u.fandoms, (const char *const[]){"New Fandom", NULL});
    u.chapters[2].words = -5;
    assert_int_equal(store_work_update(f->s, &u), FICD_EDB);
    assert_int_equal(store_work_get(f->s, w.id, 1, &got), 0);
    assert_work_eq(&got, &w, 1);
    work_free(&got);
    struct tag t;
    assert_int_equal(store_tag_find(f->s, TAG_FANDOM, "New Fandom", &t), FICD_ENOTFOUND);
    work_free(&u);
    work_free(&w);
}

/* ---- two connections ---- */

static void test_two_handles(void **state)
{
    struct fixture *f = *state;
    struct store *s2;
    assert_int_equal(store_open(f->dir, &s2), 0);
    int64_t id = add_simple(f->s, "seen by both", "x", 0, NULL);
    struct work w;
    assert_int_equal(store_work_get(s2, id, 0, &w), 0);
    assert_string_equal(w.title, "seen by both");
    work_free(&w);
    assert_int_equal(store_setting_set(s2, "site_name", "Tidewatch"), 0);
    char *v = NULL;
    assert_int_equal(store_setting_get(f->s, "site_name", &v), 0);
    assert_string_equal(v, "Tidewatch");
    free(v);

    /* A transaction on one handle is invisible to the other until it commits. */
    assert_int_equal(store_begin(s2), 0);
    int64_t id2 = add_simple(s2, "pending", "x", 0, NULL);
    assert_int_equal(store_work_get(f->s, id2, 0, &w), FICD_ENOTFOUND);
    assert_int_equal(count_works(f->s), 1);
    assert_int_equal(store_commit(s2), 0);
    assert_int_equal(count_works(f->s), 2);
    store_close(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_migrate_reopen, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rich_round_trip, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_publish_rules, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_update_chapters_and_metadata, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_delete_cascades, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_find_hash, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_list_filters, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_foreach, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_chapter_ops, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_tags, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_work_tag_add_remove, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_change_log, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_explicit_rollback, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_failed_insert_leaves_nothing, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_handles, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
