/* test_sync.c: the index against a real store: building from it, following its change log
 * after inserts, edits, tag changes and deletes, and snippets read from it
 * (the JSON shape is tested in tests/unit/web/test_json_works.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/index.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static int64_t insert(struct store *s, const char *title, const char *fandom, const char *body,
                      int draft)
{
    struct work w;
    work_init(&w);
    w.title = strdup(title);
    strlist_add(&w.creators, "ann");
    strlist_add(&w.fandoms, fandom);
    strlist_add(&w.freeforms, "Fluff");
    w.rating = RATING_TEEN;
    w.warnings = WARN_NONE;
    w.draft = draft;
    w.language = strdup("English");
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup(body);
    c->words = 5;
    w.expected_chapters = 0;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

static uint64_t total(struct idx *idx, const char *text, const char *fandom)
{
    const char *f[1] = {fandom};
    struct idx_query q = {.text = text, .fandoms = fandom ? f : NULL, .nfandoms = fandom ? 1 : 0};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    uint64_t t = r.total;
    idx_result_free(&r);
    return t;
}

static void test_build_and_follow(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/ficd-idx-test-%d", (int)getpid());
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    int64_t a = insert(s, "Running Late", "Star Wars", "<p>The dragons were running.</p>", 0);
    insert(s, "Quiet", "Star Wars", "<p>Tea by the river.</p>", 0);
    insert(s, "Secret Draft", "Star Wars", "<p>Dragons unseen.</p>", 1);

    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    assert_int_equal(idx_build(idx, s, 0), 0);
    assert_int_equal(total(idx, NULL, "star wars"), 2);
    assert_int_equal(total(idx, "dragon", NULL), 1);
    assert_int_equal(idx_apply_changes(idx, s), 0); /* nothing new */

    /* insert, edit, tag change, delete: all seen after idx_apply_changes */
    int64_t c = insert(s, "New Dragon", "Harry Potter", "<p>A dragon again.</p>", 0);
    assert_int_equal(total(idx, "dragon", NULL), 1);
    assert_true(idx_apply_changes(idx, s) > 0);
    assert_int_equal(total(idx, "dragon", NULL), 2);
    assert_int_equal(store_work_tag_add(s, c, TAG_FANDOM, "Star Wars"), 0);
    assert_true(idx_apply_changes(idx, s) > 0);
    assert_int_equal(total(idx, NULL, "Star Wars"), 3);
    struct idx_query cq = {.crossover = IDX_CROSSOVER_ONLY};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &cq, &r), 0);
    assert_int_equal(r.total, 1);
    idx_result_free(&r);
    assert_int_equal(store_work_delete(s, a), 0);
    assert_true(idx_apply_changes(idx, s) > 0);
    assert_int_equal(total(idx, "dragon", NULL), 1);
    assert_int_equal(total(idx, NULL, "star wars"), 2);

    /* snippets come from the store's bodies */
    struct idx_query q = {.text = "dragon"};
    assert_int_equal(idx_search(idx, &q, &r), 0);
    assert_int_equal(idx_result_snippets(&r, s), 0);
    assert_non_null(r.hits[0].snippet);
    assert_non_null(strstr(r.hits[0].snippet, "<mark>dragon</mark>"));
    idx_result_free(&r);

    struct idx_stats st;
    idx_get_stats(idx, &st);
    assert_int_equal(st.live, 2);
    assert_true(st.last_seq > 0);
    idx_free(idx);
    store_close(s);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_and_follow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
