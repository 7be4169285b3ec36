/* test_get_many.c: loading several works at once, in the caller's order, single and batched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_test_util.h"

struct seen {
    int64_t ids[200];
    int words[200];
    int n, stop_after;
};

static int collect(const struct work *w, void *ctx)
{
    struct seen *s = ctx;
    s->ids[s->n] = w->id;
    s->words[s->n] = w->nchapters ? w->chapters[0].words : -1;
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

static int64_t add_work(struct store *s, int i)
{
    struct work w;
    work_init(&w);
    char title[32];
    snprintf(title, sizeof(title), "Work %d", i);
    w.title = strdup(title);
    strlist_add(&w.fandoms, i % 2 ? "Odd Fandom" : "Even Fandom");
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup("<p>text</p>");
    c->words = i;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

static void test_order_missing_and_stop(void **state)
{
    struct fixture *f = *state;
    int64_t ids[150];
    for (int i = 0; i < 150; i++)
        ids[i] = add_work(f->s, i + 1);
    /* Reverse order, with a missing id in the middle: results follow the caller's order. */
    int64_t ask[151];
    for (int i = 0; i < 150; i++)
        ask[i] = ids[149 - i];
    ask[150] = ask[75];
    ask[75] = 999999;
    struct seen s = {0};
    assert_int_equal(store_work_get_many(f->s, ask, 151, 1, collect, &s), 0);
    assert_int_equal(s.n, 150);
    assert_int_equal(s.ids[0], ids[149]);
    assert_int_equal(s.words[0], 150);
    assert_int_equal(s.ids[74], ids[75]);
    assert_int_equal(s.ids[75], ids[73]); /* 999999 skipped */
    assert_int_equal(s.ids[149], ids[74]);
    /* A single id takes the one-id queries and gives the same work. */
    struct seen one = {0};
    assert_int_equal(store_work_get_many(f->s, &ids[9], 1, 0, collect, &one), 0);
    assert_int_equal(one.n, 1);
    assert_int_equal(one.ids[0], ids[9]);
    assert_int_equal(one.words[0], 10);
    /* The callback can stop early. */
    struct seen st = {.stop_after = 3};
    assert_int_equal(store_work_get_many(f->s, ids, 150, 0, collect, &st), 0);
    assert_int_equal(st.n, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_missing_and_stop, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
