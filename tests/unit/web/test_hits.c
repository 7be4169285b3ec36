/* test_hits.c: hit counting in memory (once per visitor per work per day), the paths that
 * name a work, and the batched flush into a real store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "store/store.h"
#include "web/hits.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void test_paths(void **state)
{
    (void)state;
    assert_int_equal(hits_work_of_path("/works/12"), 12);
    assert_int_equal(hits_work_of_path("/works/12/"), 12);
    assert_int_equal(hits_work_of_path("/works/12/chapters/34"), 12);
    assert_int_equal(hits_work_of_path("/works/12/chapters/34/"), 12);
    assert_int_equal(hits_work_of_path("/works/12/edit"), 0);
    assert_int_equal(hits_work_of_path("/works/12/chapters/new"), 0);
    assert_int_equal(hits_work_of_path("/works/12/chapters/34/edit"), 0);
    assert_int_equal(hits_work_of_path("/works/new"), 0);
    assert_int_equal(hits_work_of_path("/works"), 0);
    assert_int_equal(hits_work_of_path("/api/v1/works/12"), 0);
    assert_int_equal(hits_work_of_path("/works/12x"), 0);
}

static void test_once_a_day(void **state)
{
    (void)state;
    hits_free();
    hits_init(0);
    assert_int_equal(hits_record(1, "1.2.3.4", 86400 * 100), 0); /* off: nothing */
    assert_int_equal(hits_pending(0), 0);
    hits_init(1);
    int64_t day = 86400 * 100;
    assert_int_equal(hits_record(1, "1.2.3.4", day + 5), 1);
    assert_int_equal(hits_record(1, "1.2.3.4", day + 500), 0);   /* same visitor, same day */
    assert_int_equal(hits_record(2, "1.2.3.4", day + 500), 1);   /* another work */
    assert_int_equal(hits_record(1, "u:7", day + 600), 1);       /* another visitor */
    assert_int_equal(hits_record(1, "1.2.3.4", day + 86400), 1); /* the next day */
    assert_int_equal(hits_record(0, "1.2.3.4", day), 0);
    assert_int_equal(hits_record(3, NULL, day), 0);
    assert_int_equal(hits_pending(1), 3);
    assert_int_equal(hits_pending(2), 1);
    assert_int_equal(hits_pending(0), 4);
    /* many visitors and works: the tables grow */
    for (int i = 0; i < 20000; i++) {
        char v[32];
        snprintf(v, sizeof(v), "10.0.%d.%d", i / 250, i % 250);
        assert_int_equal(hits_record(100 + i % 300, v, day + 86400), 1);
    }
    assert_int_equal(hits_pending(0), 20004);
    hits_free();
    assert_int_equal(hits_pending(0), 0);
}

static void test_flush(void **state)
{
    (void)state;
    char dir[] = "/tmp/ficd-hits-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    struct work w;
    work_init(&w);
    w.title = strdup("Counted");
    w.draft = 0;
    assert_int_equal(store_work_insert(s, &w), 0);
    hits_free();
    hits_init(1);
    assert_int_equal(hits_flush(s), 0); /* nothing pending: no transaction */
    int64_t seq0 = 0, seq1 = 0;
    assert_int_equal(store_last_change(s, &seq0), 0);
    assert_int_equal(hits_record(w.id, "a", 1000), 1);
    assert_int_equal(hits_record(w.id, "b", 1000), 1);
    assert_int_equal(hits_record(w.id + 50, "a", 1000), 1); /* no such work: skipped */
    assert_int_equal(hits_flush(s), 2);
    assert_int_equal(hits_pending(0), 0);
    assert_int_equal(store_last_change(s, &seq1), 0);
    assert_int_equal(seq1, seq0 + 1); /* one change-log row for the existing work */
    struct work got;
    assert_int_equal(store_work_get(s, w.id, 0, &got), 0);
    assert_int_equal(got.hits, 2);
    work_free(&got);
    assert_int_equal(hits_record(w.id, "a", 1000), 0); /* still counted for today */
    hits_free();
    work_free(&w);
    store_close(s);
    assert_int_equal(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_once_a_day),
        cmocka_unit_test(test_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
