/* test_json_works.c: the API's JSON for works and search results (web/json_works.h) over a
 * real store and index: keys, chapter counts, rating names, snippets, facets, the id/title
 * fallback without a store, and the shared list/bit helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/work.h"
#include "index/index.h"
#include "store/store.h"
#include "web/json_works.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t insert(struct store *s, const char *title, const char *fandom, const char *body)
{
    struct work w;
    work_init(&w);
    w.title = strdup(title);
    strlist_add(&w.creators, "ann");
    strlist_add(&w.fandoms, fandom);
    strlist_add(&w.freeforms, "Fluff");
    w.rating = RATING_TEEN;
    w.warnings = WARN_NONE;
    w.language = strdup("English");
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup(body);
    c->words = 5;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

static void test_helpers(void **state)
{
    (void)state;
    struct strlist l = {0};
    strlist_add(&l, "a");
    strlist_add(&l, "b \"q\"");
    json_t *a = works_json_strlist(&l);
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(json_string_value(json_array_get(a, 1)), "b \"q\"");
    json_decref(a);
    strlist_free(&l);
    json_t *b = works_json_bits(CAT_FM | CAT_GEN, CAT__COUNT, category_name);
    assert_int_equal(json_array_size(b), 2);
    assert_string_equal(json_string_value(json_array_get(b, 0)), category_name(CAT_FM));
    json_decref(b);
}

static void test_result(void **state)
{
    (void)state;
    char dir[256], cmd[300];
    snprintf(dir, sizeof(dir), "/tmp/ficd-json-test-%d", (int)getpid());
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    int64_t id = insert(s, "New Dragon", "Harry Potter", "<p>A dragon again.</p>");
    insert(s, "Quiet", "Star Wars", "<p>Tea by the river.</p>");
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    assert_int_equal(idx_build(idx, s, 0), 0);

    struct idx_query q = {.text = "dragon"};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    assert_int_equal(idx_result_snippets(&r, s), 0);
    json_t *j = works_json_result(&r, s);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "page")), 1);
    assert_true(json_integer_value(json_object_get(j, "per_page")) > 0);
    json_t *w0 = json_array_get(json_object_get(j, "works"), 0);
    assert_int_equal(json_integer_value(json_object_get(w0, "id")), id);
    assert_string_equal(json_string_value(json_object_get(w0, "title")), "New Dragon");
    assert_string_equal(json_string_value(json_object_get(w0, "chapters")), "1/?");
    assert_string_equal(json_string_value(json_object_get(w0, "rating")), "Teen And Up Audiences");
    assert_string_equal(json_string_value(json_object_get(w0, "language")), "English");
    assert_true(json_is_false(json_object_get(w0, "complete")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(w0, "creators"), 0)),
                        "ann");
    assert_non_null(strstr(json_string_value(json_object_get(w0, "snippet")), "<mark>"));
    json_t *ff = json_object_get(json_object_get(j, "facets"), "freeforms");
    assert_int_equal(json_integer_value(json_object_get(ff, "Fluff")), 1);
    json_t *facets = json_object_get(j, "facets");
    assert_int_equal(json_object_size(facets), IDX_FACET__COUNT);
    json_decref(j);

    /* without a store: id and title only */
    j = works_json_result(&r, NULL);
    w0 = json_array_get(json_object_get(j, "works"), 0);
    assert_string_equal(json_string_value(json_object_get(w0, "title")), "New Dragon");
    assert_null(json_object_get(w0, "rating"));
    json_decref(j);
    idx_result_free(&r);

    /* no text: both works, two fandoms in the facets */
    struct idx_query all = {0};
    assert_int_equal(idx_search(idx, &all, &r), 0);
    j = works_json_result(&r, s);
    assert_int_equal(json_array_size(json_object_get(j, "works")), 2);
    json_t *fd = json_object_get(json_object_get(j, "facets"), "fandoms");
    assert_int_equal(json_object_size(fd), 2);
    json_decref(j);
    idx_result_free(&r);

    idx_free(idx);
    store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
