/* test_wjcache.c: the works' JSON cache (web/wjcache.h) and the API's text form of a result
 * (works_json_result_text): the text is the same document as works_json_result's (plus
 * "next"), from the store or from the cache; a work changed in the store is read again once
 * the cache follows the change log; a tag change empties it; a work read before a change
 * the cache followed meanwhile is not kept; the slots bound what is held. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/work.h"
#include "index/index.h"
#include "store/store.h"
#include "web/json_works.h"
#include "web/wjcache.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t insert(struct store *s, const char *title, const char *fandom)
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
    c->html = strdup("<p>A dragon by the river.</p>");
    c->words = 5;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

static int64_t last_seq(struct store *s)
{
    int64_t seq;
    assert_int_equal(store_last_change(s, &seq), 0);
    return seq;
}

/* The API's text for a search of everything, parsed back. */
static json_t *result_text(struct idx *idx, struct store *s, const char *next)
{
    assert_int_equal(idx_apply_changes(idx, s) < 0, 0);
    assert_int_equal(wjc_follow(s, idx_seq(idx)), 0);
    struct idx_query q = {0};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    struct buf b = BUF_INIT;
    assert_int_equal(works_json_result_text(&r, s, next, &b), 0);
    /* the same document as the jansson form */
    json_t *want = works_json_result(&r, s);
    json_object_set_new(want, "next", next ? json_string(next) : json_null());
    char *w = json_dumps(want, JSON_COMPACT);
    assert_string_equal(buf_str(&b), w);
    free(w);
    json_decref(want);
    idx_result_free(&r);
    json_error_t e;
    json_t *j = json_loads(buf_str(&b), 0, &e);
    assert_non_null(j);
    buf_free(&b);
    return j;
}

static const char *title_of(json_t *j, int64_t id)
{
    json_t *works = json_object_get(j, "works");
    for (size_t i = 0; i < json_array_size(works); i++) {
        json_t *w = json_array_get(works, i);
        if (json_integer_value(json_object_get(w, "id")) == id)
            return json_string_value(json_object_get(w, "title"));
    }
    return NULL;
}

static void test_cache(void **state)
{
    (void)state;
    char dir[256], cmd[300];
    snprintf(dir, sizeof(dir), "/tmp/ficd-wjc-test-%d", (int)getpid());
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    int64_t a = insert(s, "Alpha", "Harry Potter");
    int64_t b = insert(s, "Beta", "Star Wars");
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    assert_int_equal(idx_build(idx, s, 0), 0);
    wjc_configure(64);

    uint64_t h0, m0, h1, m1;
    size_t held;
    wjc_stats(&h0, &m0, &held);
    json_t *j = result_text(idx, s, "/api/v1/works?page=2");
    assert_string_equal(title_of(j, a), "Alpha");
    assert_string_equal(json_string_value(json_object_get(j, "next")), "/api/v1/works?page=2");
    json_decref(j);
    wjc_stats(&h1, &m1, &held);
    assert_int_equal(held, 2); /* both kept */
    assert_true(m1 - m0 >= 2);

    /* the second time from the cache, the same document */
    j = result_text(idx, s, NULL);
    assert_true(json_is_null(json_object_get(j, "next")));
    json_decref(j);
    uint64_t h2, m2;
    wjc_stats(&h2, &m2, &held);
    assert_int_equal(h2 - h1, 2);

    /* a change to Alpha: read again after the cache follows the log; Beta still cached */
    struct work w;
    assert_int_equal(store_work_get(s, a, 1, &w), 0);
    free(w.title);
    w.title = strdup("Alpha Renamed");
    assert_int_equal(store_work_update(s, &w), 0);
    work_free(&w);
    j = result_text(idx, s, NULL);
    assert_string_equal(title_of(j, a), "Alpha Renamed");
    assert_string_equal(title_of(j, b), "Beta");
    json_decref(j);

    /* a work read before a change that the cache followed meanwhile is not kept */
    uint64_t gen = wjc_generation();
    int64_t before = last_seq(s);
    assert_int_equal(store_work_get(s, b, 1, &w), 0);
    free(w.title);
    w.title = strdup("Beta Two");
    assert_int_equal(store_work_update(s, &w), 0);
    work_free(&w);
    assert_true(last_seq(s) > before);
    assert_int_equal(wjc_follow(s, last_seq(s)), 0);
    wjc_put(b, "{\"id\":2,\"title\":\"stale\"}", 24, gen);
    struct buf out = BUF_INIT;
    assert_int_equal(wjc_get(b, &out), 0);
    buf_free(&out);
    j = result_text(idx, s, NULL);
    assert_string_equal(title_of(j, b), "Beta Two");
    json_decref(j);

    /* a tag change empties the cache */
    wjc_stats(&h1, &m1, &held);
    assert_true(held > 0);
    struct tag tag;
    assert_int_equal(store_tag_find(s, TAG_FREEFORM, "Fluff", &tag), 0);
    assert_int_equal(store_tag_set_canonical(s, tag.id, 1), 0);
    tag_free(&tag);
    assert_int_equal(wjc_follow(s, last_seq(s)), 0);
    wjc_stats(&h1, &m1, &held);
    assert_int_equal(held, 0);

    /* one slot: a second work replaces the first */
    wjc_configure(1);
    assert_int_equal(wjc_follow(s, last_seq(s)), 0);
    wjc_put(a, "{\"id\":1}", 8, wjc_generation());
    wjc_put(b, "{\"id\":2}", 8, wjc_generation());
    wjc_stats(&h1, &m1, &held);
    assert_int_equal(held, 1);
    wjc_configure(0);

    idx_free(idx);
    store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
