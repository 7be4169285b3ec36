/* test_readers.c: the SQLite store's readers' tools: series membership from struct work,
 * bookmarks and the exact public bookmark count, listings with filters, facets, muting and
 * blocking (synonyms and sub tags), subscriptions, reading history and the feed token. */
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

static int64_t new_user(struct store *s, const char *name)
{
    struct user u = {.name = (char *)name, .pwhash = "$argon2id$h"};
    assert_int_equal(store_user_create(s, &u), 0);
    return u.id;
}

/* A published one-chapter work by creator (an account's pseud) with tags. */
static int64_t new_work(struct store *s, int64_t owner, const char *creator, const char *title,
                        const char *fandom, const char *freeform, const char *series, int pos)
{
    struct work w;
    work_init(&w);
    w.title = strdup(title);
    strlist_add(&w.creators, creator);
    strlist_add(&w.fandoms, fandom);
    if (freeform)
        strlist_add(&w.freeforms, freeform);
    w.user_id = owner;
    w.draft = 0;
    if (series)
        w.series = strdup(series);
    w.series_position = pos;
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup("<p>Words here.</p>");
    c->words = 2;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

static void test_series(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "Corvina");
    int64_t a = new_work(f->s, u, "Corvina", "One", "Tidefall", NULL, "Salt Roads", 0);
    int64_t b = new_work(f->s, u, "Corvina", "Two", "Tidefall", NULL, "salt roads", 0);
    int64_t c = new_work(f->s, u, "Corvina", "Zero", "Tidefall", NULL, "Salt Roads", 0);
    int64_t sid = 0, sid2 = 0;
    int pos = 0;
    assert_int_equal(store_series_of_work(f->s, a, &sid, &pos), 0);
    assert_true(sid > 0);
    assert_int_equal(pos, 1);
    assert_int_equal(store_series_of_work(f->s, b, &sid2, &pos), 0);
    assert_int_equal(sid2, sid); /* same series, title matched ignoring case */
    assert_int_equal(pos, 2);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM series"), 1);

    /* moving c to position 1 via an update: parts listed by position, then id */
    struct work w;
    assert_int_equal(store_work_get(f->s, c, 0, &w), 0);
    assert_string_equal(w.series, "Salt Roads");
    assert_int_equal(w.series_position, 3);
    w.series_position = 1;
    assert_int_equal(store_work_update(f->s, &w), 0);
    work_free(&w);
    int64_t *ids;
    int *p;
    size_t n;
    assert_int_equal(store_series_parts(f->s, sid, &ids, &p, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[1], c);
    assert_int_equal(ids[2], b);
    free(ids);
    free(p);

    /* another user's series of the same name is another series */
    int64_t u2 = new_user(f->s, "Brisa");
    int64_t d = new_work(f->s, u2, "Brisa", "Other", "Tidefall", NULL, "Salt Roads", 0);
    assert_int_equal(store_series_of_work(f->s, d, &sid2, &pos), 0);
    assert_true(sid2 != sid);

    /* renaming the series renames the works' titles */
    struct series se;
    assert_int_equal(store_series_get(f->s, sid, &se), 0);
    assert_string_equal(se.owner, "Corvina");
    free(se.title);
    se.title = strdup("Salt Roads Home");
    se.complete = 1;
    assert_int_equal(store_series_update(f->s, &se), 0);
    series_free(&se);
    assert_int_equal(store_work_get(f->s, b, 0, &w), 0);
    assert_string_equal(w.series, "Salt Roads Home");
    /* leaving the series */
    free(w.series);
    w.series = NULL;
    assert_int_equal(store_work_update(f->s, &w), 0);
    work_free(&w);
    assert_int_equal(store_series_of_work(f->s, b, &sid2, &pos), 0);
    assert_int_equal(sid2, 0);
}

static void test_bookmarks(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "Corvina"), r1 = new_user(f->s, "Reader1"),
            r2 = new_user(f->s, "Reader2");
    int64_t a = new_work(f->s, u, "Corvina", "One", "Tidefall", "Fluff", NULL, 0);
    int64_t b = new_work(f->s, u, "Corvina", "Two", "Tidefall", "Angst", NULL, 0);

    struct bookmark bm = {.user_id = r1, .work_id = a, .notes = "<p>Lovely</p>", .rec = 1};
    strlist_add(&bm.tags, "comfort");
    strlist_add(&bm.tags, "reread");
    assert_int_equal(store_bookmark_save(f->s, &bm), 0);
    assert_true(bm.id > 0);
    int64_t bm1 = bm.id;
    strlist_free(&bm.tags);
    assert_int_equal(raw_int(f->dir, "SELECT bookmarks FROM works WHERE id = 1"), 1);
    struct bookmark again = {.user_id = r1, .work_id = a};
    assert_int_equal(store_bookmark_save(f->s, &again), FICD_EEXISTS);
    struct bookmark none = {.user_id = r1, .work_id = 999};
    assert_int_equal(store_bookmark_save(f->s, &none), FICD_ENOTFOUND);

    struct bookmark priv = {.user_id = r2, .work_id = a, .is_private = 1};
    strlist_add(&priv.tags, "comfort");
    assert_int_equal(store_bookmark_save(f->s, &priv), 0);
    strlist_free(&priv.tags);
    /* a private bookmark does not count */
    assert_int_equal(raw_int(f->dir, "SELECT bookmarks FROM works WHERE id = 1"), 1);
    struct bookmark pub2 = {.user_id = r2, .work_id = b};
    strlist_add(&pub2.tags, "comfort");
    assert_int_equal(store_bookmark_save(f->s, &pub2), 0);
    strlist_free(&pub2.tags);

    struct bookmark got;
    assert_int_equal(store_bookmark_find(f->s, r1, a, &got), 0);
    assert_int_equal(got.id, bm1);
    assert_string_equal(got.user_name, "Reader1");
    assert_int_equal(got.tags.n, 2);
    assert_string_equal(got.tags.v[1], "reread");
    /* edit: make it private, change tags */
    got.is_private = 1;
    strlist_free(&got.tags);
    strlist_add(&got.tags, "fav");
    assert_int_equal(store_bookmark_save(f->s, &got), 0);
    bookmark_free(&got);
    assert_int_equal(raw_int(f->dir, "SELECT bookmarks FROM works WHERE id = 1"), 0);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM bookmark_tags WHERE bookmark_id = 1"),
                     1);
    assert_int_equal(store_bookmark_get(f->s, bm1, &got), 0);
    got.is_private = 0;
    assert_int_equal(store_bookmark_save(f->s, &got), 0);
    bookmark_free(&got);

    /* listings: public for others, private for the owner */
    struct store_bookmark_query q = {.user_id = r2, .facet_limit = 10};
    struct store_bookmark_result res;
    assert_int_equal(store_bookmark_list(f->s, &q, &res), 0);
    assert_int_equal(res.total, 1);
    store_bookmark_result_free(&res);
    q.viewer_id = r2;
    assert_int_equal(store_bookmark_list(f->s, &q, &res), 0);
    assert_int_equal(res.total, 2);
    assert_int_equal(res.ntag_facets, 1);
    assert_string_equal(res.tag_facets[0].name, "comfort");
    assert_int_equal(res.tag_facets[0].count, 2);
    store_bookmark_result_free(&res);

    /* all public bookmarks, filtered by bookmarker's tag, the work's tag, rec */
    struct store_bookmark_query all = {.facet_limit = 10};
    assert_int_equal(store_bookmark_list(f->s, &all, &res), 0);
    assert_int_equal(res.total, 2);
    assert_int_equal(res.nwork_tag_facets, 3); /* Tidefall 2, Angst 1, Fluff 1 */
    assert_string_equal(res.work_tag_facets[0].name, "Tidefall");
    assert_int_equal(res.work_tag_facets[0].count, 2);
    store_bookmark_result_free(&res);
    const char *ft[] = {"fav"};
    all.tags = ft;
    all.ntags = 1;
    assert_int_equal(store_bookmark_list(f->s, &all, &res), 0);
    assert_int_equal(res.total, 1);
    assert_int_equal(res.v[0].work_id, a);
    store_bookmark_result_free(&res);
    all.ntags = 0;
    const char *wt[] = {"angst"};
    all.work_tags = wt;
    all.nwork_tags = 1;
    assert_int_equal(store_bookmark_list(f->s, &all, &res), 0);
    assert_int_equal(res.total, 1);
    assert_int_equal(res.v[0].work_id, b);
    store_bookmark_result_free(&res);
    all.nwork_tags = 0;
    all.rec_only = 1;
    assert_int_equal(store_bookmark_list(f->s, &all, &res), 0);
    assert_int_equal(res.total, 1);
    store_bookmark_result_free(&res);

    /* a synonym of the work's tag filters too */
    struct tag t;
    assert_int_equal(store_tag_find(f->s, TAG_FREEFORM, "Angst", &t), 0);
    assert_int_equal(store_tag_set_canonical(f->s, t.id, 1), 0);
    int64_t syn;
    assert_int_equal(store_tag_ensure(f->s, TAG_FREEFORM, "Hurt", &syn), 0);
    assert_int_equal(store_tag_set_synonym(f->s, syn, t.id), 0);
    tag_free(&t);
    const char *wt2[] = {"Hurt"};
    all.rec_only = 0;
    all.work_tags = wt2;
    all.nwork_tags = 1;
    assert_int_equal(store_bookmark_list(f->s, &all, &res), 0);
    assert_int_equal(res.total, 1);
    store_bookmark_result_free(&res);

    assert_int_equal(store_bookmark_delete(f->s, bm1), 0);
    assert_int_equal(store_bookmark_delete(f->s, bm1), FICD_ENOTFOUND);
    assert_int_equal(raw_int(f->dir, "SELECT bookmarks FROM works WHERE id = 1"), 0);
    assert_true(raw_int(f->dir, "SELECT count(*) FROM change_log WHERE object_id = 1") >= 4);
}

static void test_mute_block(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "Corvina"), other = new_user(f->s, "Brisa"),
            me = new_user(f->s, "Reader");
    assert_int_equal(store_pseud_add(f->s, u, "CorvinaAlt"), 0);
    int64_t a = new_work(f->s, u, "CorvinaAlt", "One", "Tidefall", "Fluff", NULL, 0);
    int64_t b = new_work(f->s, other, "Brisa", "Two", "Tidefall", "Angst", NULL, 0);
    int64_t c = new_work(f->s, other, "Brisa", "Three", "Tidefall", "Sad Ending", NULL, 0);
    for (int64_t w = a; w <= c; w++) {
        struct bookmark bm = {.user_id = other, .work_id = w};
        if (w == b)
            bm.user_id = u; /* Corvina bookmarks Brisa's work */
        assert_int_equal(store_bookmark_save(f->s, &bm), 0);
    }
    int hidden = -1;
    assert_int_equal(store_work_hidden_for(f->s, me, a, &hidden), 0);
    assert_int_equal(hidden, 0);
    assert_int_equal(store_mute(f->s, me, me, 1), FICD_EINVAL);
    assert_int_equal(store_mute(f->s, me, u, 1), 0);
    assert_int_equal(store_mute(f->s, me, u, 1), 0); /* twice is once */
    int muted = 0;
    assert_int_equal(store_is_muted(f->s, me, u, &muted), 0);
    assert_int_equal(muted, 1);
    struct strlist l;
    strlist_init(&l);
    assert_int_equal(store_muted_pseuds(f->s, me, &l), 0);
    assert_int_equal(l.n, 2);
    strlist_free(&l);
    assert_int_equal(store_work_hidden_for(f->s, me, a, &hidden), 0);
    assert_int_equal(hidden, 1);
    assert_int_equal(store_work_hidden_for(f->s, me, b, &hidden), 0);
    assert_int_equal(hidden, 0);

    /* blocked tags: "Angst" made the meta tag of "Sad Ending" blocks both */
    struct tag angst, sad;
    assert_int_equal(store_tag_find(f->s, TAG_FREEFORM, "Angst", &angst), 0);
    assert_int_equal(store_tag_find(f->s, TAG_FREEFORM, "Sad Ending", &sad), 0);
    assert_int_equal(store_tag_set_canonical(f->s, angst.id, 1), 0);
    assert_int_equal(store_tag_set_canonical(f->s, sad.id, 1), 0);
    assert_int_equal(store_tag_add_meta(f->s, angst.id, sad.id), 0);
    tag_free(&angst);
    tag_free(&sad);
    strlist_add(&l, "angst");
    assert_int_equal(store_blocked_tags_set(f->s, me, &l), 0);
    strlist_free(&l);
    assert_int_equal(store_blocked_tags(f->s, me, &l), 0);
    assert_int_equal(l.n, 1);
    strlist_free(&l);
    assert_int_equal(store_work_hidden_for(f->s, me, c, &hidden), 0);
    assert_int_equal(hidden, 1);

    /* the bookmark listing: a by muted creator, b bookmarked by the muted reader and
     * carrying a blocked tag, c a blocked sub tag: nothing left for me */
    struct store_bookmark_query q = {.viewer_id = me, .facet_limit = 5};
    struct store_bookmark_result res;
    assert_int_equal(store_bookmark_list(f->s, &q, &res), 0);
    assert_int_equal(res.total, 0);
    assert_int_equal(res.nwork_tag_facets, 0);
    store_bookmark_result_free(&res);
    struct store_bookmark_query anon = {.facet_limit = 5};
    assert_int_equal(store_bookmark_list(f->s, &anon, &res), 0);
    assert_int_equal(res.total, 3);
    store_bookmark_result_free(&res);
    assert_int_equal(store_mute(f->s, me, u, 0), 0);
    strlist_init(&l);
    assert_int_equal(store_blocked_tags_set(f->s, me, &l), 0);
    assert_int_equal(store_bookmark_list(f->s, &q, &res), 0);
    assert_int_equal(res.total, 3);
    store_bookmark_result_free(&res);
}

static int count_sub(const struct subscription *sub, void *ctx)
{
    int *n = ctx;
    if (sub->kind == SUB_USER)
        assert_string_equal(sub->name, "Corvina");
    (*n)++;
    return 0;
}

static int count_reading(const struct reading *rd, void *ctx)
{
    int *n = ctx;
    assert_true(rd->work_id > 0);
    (*n)++;
    return 0;
}

static void test_subscriptions_history(void **state)
{
    struct fixture *f = *state;
    int64_t u = new_user(f->s, "Corvina"), me = new_user(f->s, "Reader");
    int64_t a = new_work(f->s, u, "Corvina", "One", "Tidefall", NULL, "S", 0);
    assert_int_equal(store_subscribe(f->s, me, SUB_WORK, a, 1), 0);
    assert_int_equal(store_subscribe(f->s, me, SUB_USER, u, 1), 0);
    assert_int_equal(store_subscribe(f->s, me, SUB_USER, u, 1), 0);
    assert_int_equal(store_subscribe(f->s, me, (enum sub_kind)9, u, 1), FICD_EINVAL);
    int on = 0, n = 0;
    assert_int_equal(store_is_subscribed(f->s, me, SUB_WORK, a, &on), 0);
    assert_int_equal(on, 1);
    assert_int_equal(store_subscription_list(f->s, me, count_sub, &n), 0);
    assert_int_equal(n, 2);
    int64_t *ids;
    size_t nids;
    assert_int_equal(store_subscribers(f->s, SUB_USER, u, &ids, &nids), 0);
    assert_int_equal(nids, 1);
    assert_int_equal(ids[0], me);
    free(ids);
    assert_int_equal(store_subscribe(f->s, me, SUB_WORK, a, 0), 0);
    assert_int_equal(store_is_subscribed(f->s, me, SUB_WORK, a, &on), 0);
    assert_int_equal(on, 0);

    /* history */
    assert_int_equal(store_reading_visit(f->s, me, a, 1), 0);
    assert_int_equal(store_reading_visit(f->s, me, a, 0), 0);
    struct reading rd;
    assert_int_equal(store_reading_get(f->s, me, a, &rd), 0);
    assert_int_equal(rd.visits, 2);
    assert_int_equal(rd.last_chapter, 1);
    int64_t total = 0;
    n = 0;
    assert_int_equal(store_reading_list(f->s, me, 0, 0, 20, count_reading, &n, &total), 0);
    assert_int_equal(total, 1);
    assert_int_equal(n, 1);
    assert_int_equal(store_reading_mark_later(f->s, me, a, 1), 0);
    assert_int_equal(store_reading_list(f->s, me, 1, 0, 20, count_reading, &n, &total), 0);
    assert_int_equal(total, 1);
    /* turning history off clears it and stops recording; marked for later stays */
    assert_int_equal(store_history_set(f->s, me, 1), 0);
    int off = 0;
    assert_int_equal(store_history_off(f->s, me, &off), 0);
    assert_int_equal(off, 1);
    assert_int_equal(store_reading_visit(f->s, me, a, 1), 0);
    assert_int_equal(store_reading_list(f->s, me, 0, 0, 20, count_reading, &n, &total), 0);
    assert_int_equal(total, 0);
    assert_int_equal(store_reading_list(f->s, me, 1, 0, 20, count_reading, &n, &total), 0);
    assert_int_equal(total, 1);
    assert_int_equal(store_history_set(f->s, me, 0), 0);
    assert_int_equal(store_reading_visit(f->s, me, a, 1), 0);
    assert_int_equal(store_reading_get(f->s, me, a, &rd), 0);
    assert_int_equal(rd.visits, 1);

    /* feed token */
    char *tok = NULL;
    assert_int_equal(store_feed_token_get(f->s, me, &tok), 0);
    assert_null(tok);
    assert_int_equal(store_feed_token_set(f->s, me, "abc123"), 0);
    int64_t who = 0;
    assert_int_equal(store_feed_token_user(f->s, "abc123", &who), 0);
    assert_int_equal(who, me);
    assert_int_equal(store_feed_token_user(f->s, "nope", &who), 0);
    assert_int_equal(who, 0);
    assert_int_equal(store_feed_token_get(f->s, me, &tok), 0);
    assert_string_equal(tok, "abc123");
    free(tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_series, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bookmarks, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_mute_block, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_subscriptions_history, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
