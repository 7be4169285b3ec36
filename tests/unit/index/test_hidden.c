/* test_hidden.c: works hidden by a moderator are left out of the index like drafts: not
 * found, not counted, not in facets; unhidden, they come back; a build from the store skips
 * them too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "index/index.h"
#include "store/store.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void make(struct work *w, int64_t id, const char *title, int hidden)
{
    work_init(w);
    w->id = id;
    w->title = strdup(title);
    w->rating = RATING_GENERAL;
    w->hidden = hidden;
    w->published = w->updated = 1000 + id;
    assert_int_equal(strlist_add(&w->fandoms, "Harbour Tales"), 0);
    struct chapter *c = work_add_chapter(w);
    assert_non_null(c);
    c->html = strdup("<p>lanterns on the quay</p>");
    c->words = 4;
}

static uint64_t total(struct idx *idx, const char *text)
{
    struct idx_query q = {.text = text, .include_restricted = 1};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    uint64_t t = r.total;
    idx_result_free(&r);
    return t;
}

static void test_put(void **state)
{
    (void)state;
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    struct work a, b;
    make(&a, 1, "Seen", 0);
    make(&b, 2, "Hidden", 1);
    assert_int_equal(idx_put_work(idx, &a), 0);
    assert_int_equal(idx_put_work(idx, &b), 0);
    assert_int_equal(total(idx, NULL), 1);
    assert_int_equal(total(idx, "lanterns"), 1);
    b.hidden = 0; /* unhidden: back in */
    assert_int_equal(idx_put_work(idx, &b), 0);
    assert_int_equal(total(idx, "lanterns"), 2);
    a.hidden = 1; /* hidden later: out */
    assert_int_equal(idx_put_work(idx, &a), 0);
    assert_int_equal(total(idx, NULL), 1);
    work_free(&a);
    work_free(&b);
    idx_free(idx);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void test_build_and_follow(void **state)
{
    (void)state;
    char dir[] = "/tmp/ficd-hidden-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    struct work a, b;
    make(&a, 0, "One", 0);
    make(&b, 0, "Two", 0);
    assert_int_equal(store_work_insert(s, &a), 0);
    assert_int_equal(store_work_insert(s, &b), 0);
    assert_int_equal(store_work_set_hidden(s, b.id, 1), 0);
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    assert_int_equal(idx_build(idx, s, 0), 0);
    assert_int_equal(total(idx, NULL), 1);
    assert_int_equal(store_work_set_hidden(s, a.id, 1), 0); /* the change log carries it */
    assert_true(idx_apply_changes(idx, s) >= 0);
    assert_int_equal(total(idx, NULL), 0);
    assert_int_equal(store_work_set_hidden(s, b.id, 0), 0);
    assert_true(idx_apply_changes(idx, s) >= 0);
    assert_int_equal(total(idx, "lanterns"), 1);
    idx_free(idx);
    work_free(&a);
    work_free(&b);
    store_close(s);
    assert_int_equal(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put),
        cmocka_unit_test(test_build_and_follow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
