/* test_upgrade.c: upgrades. For every earlier schema version v, a data directory is made
 * the way the release with v migrations made it (its migrations, applied in order as
 * sq_migrations holds them verbatim: released migrations are never edited) and filled with
 * accounts, pseuds, settings, works with chapters and credits, tags and (from v2) tag
 * wrangling links, through plain SQL of that schema. store_open must bring it to the
 * current version with everything there. A migration that fails (its last statement meets
 * a conflicting object) leaves the old database untouched: same version, same schema, same
 * rows, nothing of the failed migration's earlier statements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store_int.h"
#include "store/store.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/ficd-upgrade.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The data of an archive at version 1 (valid SQL for every later version: migrations only
 * add), plus the version-2 wrangling links when v >= 2. */
static const char fixture_v1[] =
    "INSERT INTO users (id, name, email, pwhash, role, created) VALUES\n"
    "  (1, 'alice', 'a@example.org', '$argon2id$v=19$m=19456,t=2,p=1$x$y', 3, 1600000000),\n"
    "  (2, 'bob', NULL, '$argon2id$v=19$m=19456,t=2,p=1$x$z', 0, 1600000100);\n"
    "INSERT INTO pseuds (user_id, name, created) VALUES (1, 'alice', 1600000000),\n"
    "  (2, 'bob', 1600000100), (2, 'Bobby', 1600000200);\n"
    "INSERT INTO settings (key, value) VALUES ('archive_name', 'Old Archive'),\n"
    "  ('signup_mode', 'invite');\n"
    "INSERT INTO invites (code, created_by, created) VALUES ('INVITE1', 1, 1600000300);\n"
    "INSERT INTO works (id, title, summary, language, rating, warnings, categories,\n"
    "  expected_chapters, published, updated, draft, restricted, user_id, kudos, hits)\n"
    "VALUES (1, 'Old Work One', 'An old summary.', 'English', 2, 8, 1, 2, 1600001000,\n"
    "        1600002000, 0, 0, 1, 5, 40),\n"
    "       (2, 'Old Draft', NULL, 'English', 1, 0, 0, 0, 0, 1600003000, 1, 0, 2, 0, 0),\n"
    "       (3, 'Old Restricted', 'Members only.', 'Deutsch', 3, 0, 4, 1, 1600004000,\n"
    "        1600004000, 0, 1, 2, 0, 0);\n"
    "INSERT INTO chapters (work_id, position, title, html, words) VALUES\n"
    "  (1, 1, 'Beginning', '<p>Sakura walked into the rain.</p>', 6),\n"
    "  (1, 2, 'End', '<p>The rain stopped.</p>', 3),\n"
    "  (2, 1, NULL, '<p>A draft in progress.</p>', 4),\n"
    "  (3, 1, 'Eins', '<p>Nur für Mitglieder.</p>', 3);\n"
    "INSERT INTO work_creators (work_id, position, name) VALUES (1, 0, 'alice'),\n"
    "  (2, 0, 'Bobby'), (3, 0, 'bob');\n"
    "INSERT INTO tags (id, type, name, canonical, synonym_of, created) VALUES\n"
    "  (1, 0, 'Naruto', 1, NULL, 1600000000),\n"
    "  (2, 2, 'Haruno Sakura', 1, NULL, 1600000000),\n"
    "  (3, 2, 'Sakura', 0, 2, 1600000000),\n"
    "  (4, 3, 'Fluff', 1, NULL, 1600000000),\n"
    "  (5, 1, 'Haruno Sakura/Uchiha Sasuke', 0, NULL, 1600000000);\n"
    "INSERT INTO work_tags (work_id, tag_id, position) VALUES (1, 1, 0), (1, 2, 1),\n"
    "  (1, 4, 2), (1, 5, 3), (2, 1, 0), (3, 4, 0);\n"
    "INSERT INTO change_log (kind, object_id, at) VALUES (1, 1, 1600001000),\n"
    "  (1, 2, 1600003000), (1, 3, 1600004000);\n";

static const char fixture_v2[] = "INSERT INTO tag_parents (child_id, parent_id) VALUES (2, 1);\n";

/* Makes DIR/ficd.db as the release with v migrations left it, with the fixture data. */
static void make_archive(int v, const char *extra_sql)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/ficd.db", dir);
    unlink(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_ok(db, "PRAGMA journal_mode = WAL");
    for (int i = 0; i < v; i++) {
        exec_ok(db, "BEGIN");
        exec_ok(db, sq_migrations[i]);
        char sql[128];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO schema_migrations (version, applied) VALUES (%d, 1600000000);"
                 "PRAGMA user_version = %d;",
                 i + 1, i + 1);
        exec_ok(db, sql);
        exec_ok(db, "COMMIT");
    }
    exec_ok(db, fixture_v1);
    if (v >= 2)
        exec_ok(db, fixture_v2);
    if (extra_sql)
        exec_ok(db, extra_sql);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int has(const struct strlist *l, const char *s)
{
    return strlist_contains(l, s);
}

static int parent_cb(const struct tag_rel *rel, void *ctx)
{
    (void)rel;
    (*(int *)ctx)++;
    return 0;
}

/* Everything the fixture holds, read through the store at the current version. */
static void check_everything(struct store *s, int v)
{
    assert_int_equal(store_schema_version(s), (int)sq_nmigrations);
    struct work w;
    assert_int_equal(store_work_get(s, 1, 1, &w), 0);
    assert_string_equal(w.title, "Old Work One");
    assert_string_equal(w.summary, "An old summary.");
    assert_int_equal(w.nchapters, 2);
    assert_string_equal(w.chapters[0].html, "<p>Sakura walked into the rain.</p>");
    assert_string_equal(w.chapters[1].title, "End");
    assert_int_equal(w.expected_chapters, 2);
    assert_int_equal(w.kudos, 5);
    assert_true(has(&w.creators, "alice"));
    assert_true(has(&w.fandoms, "Naruto"));
    assert_true(has(&w.characters, "Haruno Sakura"));
    assert_true(has(&w.freeforms, "Fluff"));
    assert_true(has(&w.relationships, "Haruno Sakura/Uchiha Sasuke"));
    work_free(&w);
    assert_int_equal(store_work_get(s, 2, 1, &w), 0);
    assert_int_equal(w.draft, 1);
    assert_true(has(&w.creators, "Bobby"));
    work_free(&w);
    assert_int_equal(store_work_get(s, 3, 1, &w), 0);
    assert_int_equal(w.restricted, 1);
    assert_string_equal(w.chapters[0].html, "<p>Nur für Mitglieder.</p>");
    work_free(&w);
    int64_t n = 0;
    assert_int_equal(store_work_count(s, 1, &n), 0);
    assert_int_equal(n, 3);

    struct user u;
    assert_int_equal(store_user_get_by_name(s, "ALICE", &u), 0);
    assert_int_equal(u.role, ROLE_ADMIN);
    assert_string_equal(u.email, "a@example.org");
    user_free(&u);
    struct strlist ps;
    strlist_init(&ps);
    assert_int_equal(store_pseud_list(s, 2, &ps), 0);
    assert_true(has(&ps, "Bobby") && has(&ps, "bob"));
    strlist_free(&ps);
    char *name = NULL;
    assert_int_equal(store_setting_get(s, "archive_name", &name), 0);
    assert_string_equal(name, "Old Archive");
    free(name);

    struct tag t;
    assert_int_equal(store_tag_find(s, 0, "naruto", &t), 0);
    assert_int_equal(t.canonical, 1);
    assert_int_equal(t.uses, 2); /* the triggers counted the old rows */
    tag_free(&t);
    assert_int_equal(store_tag_find(s, 2, "Sakura", &t), 0);
    assert_int_equal(t.synonym_of, 2);
    tag_free(&t);
    int rels = 0;
    assert_int_equal(store_tag_relations(s, parent_cb, &rels), 0);
    assert_int_equal(rels, v >= 2 ? 2 : 1); /* the synonym, and from v2 the parent fandom */
    int64_t seq = 0;
    assert_int_equal(store_last_change(s, &seq), 0);
    assert_true(seq >= 3);

    /* and the upgraded archive takes new writes */
    work_init(&w);
    w.title = strdup("New Work After Upgrade");
    assert_int_equal(strlist_add(&w.fandoms, "Naruto"), 0);
    struct chapter *c = work_add_chapter(&w);
    assert_non_null(c);
    c->html = strdup("<p>New.</p>");
    assert_int_equal(store_work_insert(s, &w), 0);
    work_free(&w);
}

static void test_upgrade_each_version(void **state)
{
    (void)state;
    for (int v = 1; v < (int)sq_nmigrations; v++) {
        make_archive(v, NULL);
        struct store *s;
        int rc = store_open(dir, &s);
        if (rc)
            fail_msg("opening a version-%d archive: %s", v, ficd_strerror(rc));
        check_everything(s, v);
        store_close(s);
        /* opening again changes nothing */
        assert_int_equal(store_open(dir, &s), 0);
        assert_int_equal(store_schema_version(s), (int)sq_nmigrations);
        store_close(s);
    }
}

/* The name of the last object a migration script creates ("CREATE [UNIQUE] TABLE|INDEX|
 * TRIGGER name"). */
static void last_created(const char *sql, char *out, size_t n)
{
    out[0] = 0;
    for (const char *p = strstr(sql, "CREATE "); p; p = strstr(p + 1, "CREATE ")) {
        const char *q = p + 7;
        if (!strncmp(q, "UNIQUE ", 7))
            q += 7;
        q = strchr(q, ' ');
        if (!q)
            continue;
        q++;
        size_t k = 0;
        while (q[k] && (isalnum((unsigned char)q[k]) || q[k] == '_') && k + 1 < n)
            k++;
        memcpy(out, q, k);
        out[k] = 0;
    }
}

static char *dump(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    static const char *const qs[] = {
        "PRAGMA user_version",
        "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY 1",
        "SELECT version FROM schema_migrations ORDER BY 1",
        "SELECT id || title || draft FROM works ORDER BY id",
        "SELECT work_id || position || html FROM chapters ORDER BY 1",
        "SELECT name || role FROM users ORDER BY 1",
        "SELECT name || uses FROM tags ORDER BY 1",
    };
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, qs[i], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            int k = snprintf(out + len, cap - len, "%s\n", t ? t : "");
            assert_true(k > 0 && (size_t)k < cap - len);
            len += (size_t)k;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

static void test_failed_migration_leaves_old_database(void **state)
{
    (void)state;
    int v = (int)sq_nmigrations - 1;
    char name[128], sql[256];
    last_created(sq_migrations[v], name, sizeof(name));
    assert_true(name[0]);
    /* an object of that name makes the migration's last statement fail */
    snprintf(sql, sizeof(sql), "CREATE TABLE %s (x);", name);
    make_archive(v, sql);
    char path[128];
    snprintf(path, sizeof(path), "%s/ficd.db", dir);
    char *before = dump(path);
    struct store *s = NULL;
    int rc = store_open(dir, &s);
    assert_int_not_equal(rc, 0);
    assert_null(s);
    char *after = dump(path);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* removing the obstacle lets the upgrade go through with everything there */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    snprintf(sql, sizeof(sql), "DROP TABLE %s;", name);
    exec_ok(db, sql);
    sqlite3_close(db);
    assert_int_equal(store_open(dir, &s), 0);
    check_everything(s, v);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upgrade_each_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_migration_leaves_old_database, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
