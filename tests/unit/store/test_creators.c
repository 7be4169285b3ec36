/* test_creators.c: the SQLite store's creators' side: statistics per work and over time
 * (hits per day through the trigger), gifts and refusing them, co-creator invitations,
 * removing oneself, orphaning, inspired-by links. */
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
#include <time.h>

static int64_t new_user(struct store *s, const char *name)
{
    struct user u = {.name = (char *)name, .pwhash = "$argon2id$h"};
    assert_int_equal(store_user_create(s, &u), 0);
    return u.id;
}

static int64_t new_work(struct store *s, int64_t owner, const char *creator, const char *title)
{
    struct work w;
    work_init(&w);
    w.title = strdup(title);
    strlist_add(&w.creators, creator);
    strlist_add(&w.fandoms, "Tidefall");
    w.user_id = owner;
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup("<p>Three words here.</p>");
    c->words = 3;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

struct acc {
    int n;
    int64_t hits, kudos, bookmarks, subs, words;
    char last[32];
};

static int stat_cb(const struct work_stat *st, void *ctx)
{
    struct acc *a = ctx;
    a->n++;
    a->hits += st->hits;
    a->bookmarks += st->bookmarks;
    a->subs += st->subscriptions;
    a->words += st->words;
    return 0;
}

static int point_cb(const struct stats_point *p, void *ctx)
{
    struct acc *a = ctx;
    a->n++;
    a->hits += p->hits;
    a->bookmarks += p->bookmarks;
    a->subs += p->subscriptions;
    snprintf(a->last, sizeof(a->last), "%s", p->period);
    return 0;
}

static void test_stats(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "Corvina"), rd = new_user(f->s, "Reader");
    int64_t a = new_work(f->s, u, "Corvina", "One"), b = new_work(f->s, u, "Corvina", "Two");
    int64_t ids[2] = {a, b}, n[2] = {3, 4};
    assert_int_equal(store_work_add_hits(f->s, ids, n, 2), 0);
    assert_int_equal(store_work_add_hits(f->s, ids, n, 1), 0);
    assert_int_equal(raw_int(f->dir, "SELECT sum(hits) FROM work_hits_daily"), 10);
    struct bookmark bm = {.user_id = rd, .work_id = a};
    assert_int_equal(store_bookmark_save(f->s, &bm), 0);
    assert_int_equal(store_subscribe(f->s, rd, SUB_WORK, b, 1), 0);

    struct acc x = {0};
    assert_int_equal(store_user_work_stats(f->s, u, stat_cb, &x), 0);
    assert_int_equal(x.n, 2);
    assert_int_equal(x.hits, 10);
    assert_int_equal(x.bookmarks, 1);
    assert_int_equal(x.subs, 1);
    assert_int_equal(x.words, 6);

    char today[16];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);
    memset(&x, 0, sizeof(x));
    assert_int_equal(store_user_stats_over_time(f->s, u, 0, STATS_DAY, point_cb, &x), 0);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.last, today);
    assert_int_equal(x.hits, 10);
    assert_int_equal(x.bookmarks, 1);
    assert_int_equal(x.subs, 1);
    memset(&x, 0, sizeof(x));
    assert_int_equal(store_user_stats_over_time(f->s, u, b, STATS_YEAR, point_cb, &x), 0);
    assert_int_equal(x.hits, 4); /* one work only */
    assert_int_equal(x.bookmarks, 0);
    assert_int_equal(strlen(x.last), 4);
    assert_int_equal(store_user_stats_over_time(f->s, u, 0, (enum stats_period)7, point_cb, &x),
                     FICD_EINVAL);
    /* nothing for a reader without works */
    memset(&x, 0, sizeof(x));
    assert_int_equal(store_user_work_stats(f->s, rd, stat_cb, &x), 0);
    assert_int_equal(x.n, 0);
}

static int gift_cb(const struct gift *g, void *ctx)
{
    struct acc *a = ctx;
    a->n++;
    if (g->user_id)
        a->hits++; /* gifts to accounts */
    return 0;
}

static void test_gifts(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "Corvina"), rd = new_user(f->s, "Reader");
    assert_int_equal(store_pseud_add(f->s, rd, "ReaderAlt"), 0);
    int64_t a = new_work(f->s, u, "Corvina", "One");
    struct strlist l;
    strlist_init(&l);
    strlist_add(&l, "readeralt");
    strlist_add(&l, "My Aunt Mae");
    int64_t *fresh;
    size_t nfresh;
    assert_int_equal(store_gifts_set(f->s, a, &l, &fresh, &nfresh), 0);
    assert_int_equal(nfresh, 1);
    assert_int_equal(fresh[0], rd);
    free(fresh);
    struct acc x = {0};
    assert_int_equal(store_gifts_of_work(f->s, a, 0, gift_cb, &x), 0);
    assert_int_equal(x.n, 2);
    assert_int_equal(x.hits, 1);
    /* the same list again: nobody new */
    assert_int_equal(store_gifts_set(f->s, a, &l, &fresh, &nfresh), 0);
    assert_int_equal(nfresh, 0);
    free(fresh);
    int64_t gid = raw_int(f->dir, "SELECT id FROM gifts WHERE user_id IS NOT NULL");
    assert_int_equal(store_gift_refuse(f->s, gid, u, 1), FICD_ENOTFOUND); /* not Corvina's */
    assert_int_equal(store_gift_refuse(f->s, gid, rd, 1), 0);
    memset(&x, 0, sizeof(x));
    assert_int_equal(store_gifts_for_user(f->s, rd, 0, 1, gift_cb, &x), 0);
    assert_int_equal(x.n, 0);
    assert_int_equal(store_gifts_for_user(f->s, rd, 1, 1, gift_cb, &x), 0);
    assert_int_equal(x.n, 1);
    /* kept recipients keep their refusal; dropped ones go */
    strlist_free(&l);
    strlist_add(&l, "ReaderAlt");
    assert_int_equal(store_gifts_set(f->s, a, &l, &fresh, &nfresh), 0);
    free(fresh);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM gifts"), 1);
    assert_int_equal(raw_int(f->dir, "SELECT refused FROM gifts"), 1);
    strlist_free(&l);
}

static void test_co_creators_orphan(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "Corvina"), c = new_user(f->s, "Brisa");
    int64_t a = new_work(f->s, u, "Corvina", "One");
    int invited = 0;
    assert_int_equal(store_creator_invite(f->s, a, c, u), 0);
    assert_int_equal(store_creator_invite(f->s, a, c, u), FICD_EEXISTS);
    assert_int_equal(store_creator_invited(f->s, a, c, &invited), 0);
    assert_int_equal(invited, 1);
    struct work w;
    assert_int_equal(store_work_get(f->s, a, 0, &w), 0);
    assert_int_equal(w.creators.n, 1); /* not credited before accepting */
    work_free(&w);
    assert_int_equal(store_creator_invite_answer(f->s, a, u, 1), FICD_ENOTFOUND);
    assert_int_equal(store_creator_invite_answer(f->s, a, c, 1), 0);
    assert_int_equal(store_work_get(f->s, a, 0, &w), 0);
    assert_int_equal(w.creators.n, 2);
    assert_string_equal(w.creators.v[1], "Brisa");
    work_free(&w);
    assert_int_equal(store_creator_invited(f->s, a, c, &invited), 0);
    assert_int_equal(invited, 0);
    /* the owner leaves: Brisa's account gets the work */
    assert_int_equal(store_work_remove_creator(f->s, a, u), 0);
    assert_int_equal(store_work_get(f->s, a, 0, &w), 0);
    assert_int_equal(w.creators.n, 1);
    assert_string_equal(w.creators.v[0], "Brisa");
    assert_int_equal(w.user_id, c);
    work_free(&w);
    assert_int_equal(store_work_remove_creator(f->s, a, c), FICD_EINVAL); /* last creator */
    assert_int_equal(store_work_remove_creator(f->s, a, u), FICD_ENOTFOUND);
    /* orphaning */
    assert_int_equal(store_work_orphan(f->s, a), 0);
    assert_int_equal(store_work_get(f->s, a, 0, &w), 0);
    assert_int_equal(w.creators.n, 1);
    assert_string_equal(w.creators.v[0], "orphan_account");
    int64_t orphan = 0;
    assert_int_equal(store_orphan_account(f->s, &orphan), 0);
    assert_int_equal(w.user_id, orphan);
    work_free(&w);
    int64_t b = new_work(f->s, u, "Corvina", "Two");
    assert_int_equal(store_work_orphan(f->s, b), 0); /* the account exists now */
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM users WHERE name = 'orphan_account'"),
                     1);
}

static int insp_cb(const struct inspiration *in, void *ctx)
{
    struct acc *a = ctx;
    a->n++;
    a->hits += in->approved;
    return 0;
}

static void test_inspirations(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "Corvina"), c = new_user(f->s, "Brisa");
    int64_t p = new_work(f->s, u, "Corvina", "Parent"), k = new_work(f->s, c, "Brisa", "Child");
    int added = 0;
    assert_int_equal(store_inspiration_set(f->s, k, p, 0, &added), 0);
    assert_int_equal(added, 1);
    assert_int_equal(store_inspiration_set(f->s, k, p, 0, &added), 0);
    assert_int_equal(added, 0);
    struct acc x = {0};
    assert_int_equal(store_inspirations(f->s, p, 1, insp_cb, &x), 0);
    assert_int_equal(x.n, 1);
    assert_int_equal(x.hits, 0);
    assert_int_equal(store_inspiration_answer(f->s, p, k, 1), 0);
    memset(&x, 0, sizeof(x));
    assert_int_equal(store_inspirations(f->s, k, 0, insp_cb, &x), 0);
    assert_int_equal(x.hits, 1);
    assert_int_equal(store_inspiration_answer(f->s, p, k, 0), 0); /* removed */
    assert_int_equal(store_inspiration_answer(f->s, p, k, 0), FICD_ENOTFOUND);
    assert_int_equal(store_inspiration_set(f->s, k, p, 1, &added), 0);
    assert_int_equal(store_inspiration_set(f->s, k, 0, 0, &added), 0); /* cleared */
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM inspirations"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stats, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_gifts, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_co_creators_orphan, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_inspirations, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
