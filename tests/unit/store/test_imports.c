/* test_imports.c: the import mapping (migration 6): unmapped objects read as 0, a mapping
 * lands with the object in one transaction and is gone with a rolled back one, sources and
 * kinds are kept apart, a second put updates, counts, bad input refused; and an imported
 * work keeps its original update date (never a future one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/work.h"
#include "store/store.h"
#include "store_test_util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void mapping(void **state)
{
    struct store *s = ((struct fixture *)*state)->s;
    int64_t id = -1, n = -1;
    assert_int_equal(store_import_map_get(s, "efiction:h/db/p_", "story", 10, &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_import_map_put(s, "efiction:h/db/p_", "story", 10, 7), 0);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(store_import_map_get(s, "efiction:h/db/p_", "story", 10, &id), 0);
    assert_int_equal(id, 7);
    /* another kind, another source: apart */
    assert_int_equal(store_import_map_get(s, "efiction:h/db/p_", "author", 10, &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(store_import_map_get(s, "efiction:other/db/p_", "story", 10, &id), 0);
    assert_int_equal(id, 0);
    /* rolled back: not there */
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_import_map_put(s, "efiction:h/db/p_", "story", 11, 8), 0);
    store_rollback(s);
    assert_int_equal(store_import_map_get(s, "efiction:h/db/p_", "story", 11, &id), 0);
    assert_int_equal(id, 0);
    /* a second put updates */
    assert_int_equal(store_import_map_put(s, "efiction:h/db/p_", "story", 10, 9), 0);
    assert_int_equal(store_import_map_get(s, "efiction:h/db/p_", "story", 10, &id), 0);
    assert_int_equal(id, 9);
    assert_int_equal(store_import_map_put(s, "efiction:h/db/p_", "author", 1, 3), 0);
    assert_int_equal(store_import_map_count(s, "efiction:h/db/p_", "story", &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_import_map_count(s, "efiction:h/db/p_", "author", &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_import_map_put(s, "", "story", 1, 1), FICD_EINVAL);
    assert_int_equal(store_import_map_put(s, "x", "story", 1, 0), FICD_EINVAL);
}

static void kept_dates(void **state)
{
    struct store *s = ((struct fixture *)*state)->s;
    struct work w;
    work_init(&w);
    w.title = strdup("Old");
    w.draft = 0;
    w.published = 1180000000;
    w.updated = 1181000000;
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup("<p>x</p>");
    assert_int_equal(store_work_insert(s, &w), 0);
    struct work back;
    assert_int_equal(store_work_get(s, w.id, 0, &back), 0);
    assert_true(back.published == 1180000000);
    assert_true(back.updated == 1181000000);
    work_free(&back);
    work_free(&w);
    /* a date in the future is not kept */
    work_init(&w);
    w.title = strdup("Future");
    w.updated = (int64_t)time(NULL) + 86400 * 365;
    c = work_add_chapter(&w);
    c->html = strdup("<p>x</p>");
    assert_int_equal(store_work_insert(s, &w), 0);
    assert_true(w.updated <= (int64_t)time(NULL));
    work_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(mapping, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(kept_dates, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
