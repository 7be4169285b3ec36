/* test_cluster.c: what several nodes share through the store (cluster.c): change-log rows of
 * their own, waiting for the next change (woken by another connection's commit, on SQLite by
 * polling, on PostgreSQL by NOTIFY), a setting agreed on by the first writer, and the
 * rate-limit counters (windows, taking a count back, clearing, purging, and two connections
 * counting one key), and hits counted once per visit whichever connection counts it. Runs on
 * PostgreSQL too when FICD_DATABASE names one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "store/store.h"
#include "store_test_util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t ms_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void test_log_and_wait(void **state)
{
    struct fixture *f = *state;
    int64_t seq = 0, seq2 = 0;
    assert_int_equal(store_last_change(f->s, &seq), 0);
    /* nothing new: the wait times out, and a zero timeout does not wait */
    int64_t t0 = ms_now();
    assert_int_equal(store_wait_change(f->s, seq, 60, NULL), 0);
    assert_true(ms_now() - t0 >= 50);
    assert_int_equal(store_wait_change(f->s, seq, 0, NULL), 0);
    assert_int_equal(store_log_change(f->s, CHANGE_SITE, 0), 0);
    assert_int_equal(store_last_change(f->s, &seq2), 0);
    assert_true(seq2 > seq);
    assert_int_equal(store_changes_logged(f->s), 1); /* its own row covers what it wrote */
    assert_int_equal(store_setting_set(f->s, "archive_name", "X"), 0);
    assert_int_equal(store_changes_logged(f->s), 0); /* a setting is not in the log */
    assert_int_equal(store_log_change(f->s, CHANGE_SITE, 0), 0);
    assert_int_equal(store_changes_logged(f->s), 1);
    /* already there: at once */
    t0 = ms_now();
    int64_t seen = 0;
    assert_int_equal(store_wait_change(f->s, seq, 5000, &seen), 1);
    assert_true(seen >= seq2);
    assert_true(ms_now() - t0 < 1000);
}

struct waiter {
    const char *dir;
    int64_t after;
    int rc;
    int64_t done_ms;
};

static void *wait_main(void *arg)
{
    struct waiter *w = arg;
    struct store *s;
    if (store_open(w->dir, &s)) {
        w->rc = -1000;
        return NULL;
    }
    w->rc = store_wait_change(s, w->after, 10000, NULL);
    w->done_ms = ms_now();
    store_close(s);
    return NULL;
}

/* A connection waiting wakes when another commits a change (not at its 10 s timeout). */
static void test_wait_wakes(void **state)
{
    struct fixture *f = *state;
    struct waiter w = {.dir = f->dir};
    assert_int_equal(store_last_change(f->s, &w.after), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_main, &w), 0);
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    int64_t t0 = ms_now();
    assert_int_equal(store_log_change(f->s, CHANGE_SITE, 0), 0);
    pthread_join(t, NULL);
    assert_int_equal(w.rc, 1);
    assert_true(w.done_ms - t0 < 1000);
    /* the kind reads back for whoever follows the log */
    int64_t seq = 0;
    assert_int_equal(store_last_change(f->s, &seq), 0);
    assert_true(seq > w.after);
}

static void test_setting_init(void **state)
{
    struct fixture *f = *state;
    char *v = NULL;
    assert_int_equal(store_setting_init(f->s, "cluster_test", "first", &v), 0);
    assert_string_equal(v, "first");
    free(v);
    assert_int_equal(store_setting_init(f->s, "cluster_test", "second", &v), 0);
    assert_string_equal(v, "first"); /* the first value holds */
    free(v);
    assert_int_equal(store_setting_get(f->s, "cluster_test", &v), 0);
    assert_string_equal(v, "first");
    free(v);
    /* another connection (another node) gets the same */
    struct store *s2;
    assert_int_equal(store_open(f->dir, &s2), 0);
    assert_int_equal(store_setting_init(s2, "cluster_test", "third", &v), 0);
    assert_string_equal(v, "first");
    free(v);
    store_close(s2);
}

static void test_rate(void **state)
{
    struct fixture *f = *state;
    int64_t n = -1, exp = -1, t = 1000000;
    assert_int_equal(store_rate_peek(f->s, "k", t, &n, &exp), 0);
    assert_int_equal(n, 0);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(store_rate_count(f->s, "k", t + i, 60, &n, &exp), 0);
        assert_int_equal(n, i);
        assert_int_equal(exp, t + 1 + 60); /* the window started with the first event */
    }
    assert_int_equal(store_rate_uncount(f->s, "k"), 0);
    assert_int_equal(store_rate_peek(f->s, "k", t + 10, &n, &exp), 0);
    assert_int_equal(n, 2);
    /* another key, another connection: separate and shared */
    struct store *s2;
    assert_int_equal(store_open(f->dir, &s2), 0);
    assert_int_equal(store_rate_count(s2, "k", t + 20, 60, &n, &exp), 0);
    assert_int_equal(n, 3);
    assert_int_equal(store_rate_count(s2, "other", t + 20, 60, &n, &exp), 0);
    assert_int_equal(n, 1);
    store_close(s2);
    /* the window ends: the next event starts a new one */
    assert_int_equal(store_rate_peek(f->s, "k", t + 61, &n, &exp), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_rate_count(f->s, "k", t + 61, 60, &n, &exp), 0);
    assert_int_equal(n, 1);
    assert_int_equal(exp, t + 121);
    /* clear and purge */
    assert_int_equal(store_rate_clear(f->s, "k"), 0);
    assert_int_equal(store_rate_peek(f->s, "k", t + 62, &n, &exp), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_rate_purge(f->s, t + 81), 0); /* "other" ended at t + 80 */
    assert_int_equal(store_rate_peek(f->s, "other", t + 20, &n, &exp), 0);
    assert_int_equal(n, 0);
    assert_int_not_equal(store_rate_count(f->s, NULL, t, 60, &n, &exp), 0);
    assert_int_not_equal(store_rate_count(f->s, "k", t, 0, &n, &exp), 0);
}

static int64_t hits_of(struct store *s, int64_t id)
{
    struct work w;
    assert_int_equal(store_work_get(s, id, 0, &w), 0);
    int64_t h = w.hits;
    work_free(&w);
    return h;
}

/* One visit counted by two connections (nodes) is one hit; another day counts again. */
static void test_visits(void **state)
{
    struct fixture *f = *state;
    struct work w;
    work_init(&w);
    w.title = strdup("Visited");
    w.draft = 0;
    assert_int_equal(store_work_insert(f->s, &w), 0);
    struct hit_visit a[] = {{w.id, 100, 11}, {w.id, 100, 12}, {w.id + 99, 100, 11}};
    assert_int_equal(store_work_add_visits(f->s, a, 2), 0);
    assert_int_equal(hits_of(f->s, w.id), 2);
    struct store *s2;
    assert_int_equal(store_open(f->dir, &s2), 0);
    struct hit_visit b[] = {{w.id, 100, 12}, {w.id, 100, 13}, {w.id, 101, 11}};
    assert_int_equal(store_work_add_visits(s2, b, 3), 0); /* 12 seen: +2 */
    assert_int_equal(hits_of(f->s, w.id), 4);
    assert_int_equal(store_work_add_visits(s2, a + 2, 1), 0); /* no such work: nothing */
    /* day 103 forgets days before 102: visit 11 of day 101 counts again on day 101 */
    struct hit_visit c[] = {{w.id, 103, 1}};
    assert_int_equal(store_work_add_visits(s2, c, 1), 0);
    assert_int_equal(store_work_add_visits(s2, b + 2, 1), 0);
    assert_int_equal(hits_of(f->s, w.id), 5 + 1);
    store_close(s2);
    work_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_log_and_wait, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_wait_wakes, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_setting_init, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rate, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_visits, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
