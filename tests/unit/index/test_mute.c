/* test_mute.c: a reader's muted creators and blocked tags inside the index search: the
 * total, the page and every facet count are computed without the left-out works (checked
 * against the same search over an index that never held them), synonyms and sub tags of a
 * blocked tag are blocked too, edits keep a creator's docs right, and works added after a
 * reader's exclusions were cached are excluded as well. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/index.h"
#include "index/index_int.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const creators[] = {"Ana", "bo", "Cyd", "Dee"};
static const char *const fandoms[] = {"Tidefall", "Salt Roads"};
static const char *const frees[] = {"Fluff", "Angst", "Hurt", "Sad Ending", "Banter"};

/* Work i of a deterministic little archive. */
static void mkwork(struct work *w, int64_t id)
{
    work_init(w);
    w->id = id;
    char t[32];
    snprintf(t, sizeof(t), "Work %lld", (long long)id);
    w->title = strdup(t);
    strlist_add(&w->creators, creators[id % 4]);
    if (id % 7 == 0)
        strlist_add(&w->creators, "Eli");
    strlist_add(&w->fandoms, fandoms[id % 2]);
    strlist_add(&w->freeforms, frees[id % 5]);
    if (id % 3 == 0)
        strlist_add(&w->freeforms, frees[(id / 3) % 5]);
    w->rating = (enum rating)(id % RATING__COUNT);
    w->warnings = WARN_NONE;
    w->kudos = id * 3 % 17;
    struct chapter *c = work_add_chapter(w);
    c->words = 100 + (int)id;
    c->html = strdup("<p>words</p>");
    w->expected_chapters = 1;
    w->published = 1000 + id;
    w->updated = 2000 + id;
}

static int hidden(int64_t id, int mute_bo, int block_angst)
{
    if (mute_bo && (id % 4 == 1 || id % 7 == 0)) /* bo's works, and Eli is bo's other pseud */
        return 1;
    if (block_angst) { /* Angst, its synonym Hurt, its sub tag Sad Ending */
        const char *a = frees[id % 5], *b = id % 3 == 0 ? frees[(id / 3) % 5] : "";
        for (int k = 1; k <= 3; k++)
            if (!strcmp(a, frees[k]) || !strcmp(b, frees[k]))
                return 1;
    }
    return 0;
}

static void wrangle(struct idx *idx)
{
    /* Angst canonical (store id 2), Hurt its synonym (3), Sad Ending canonical (4) a sub tag */
    struct tag angst = {.id = 2, .type = TAG_FREEFORM, .name = "Angst", .canonical = 1};
    struct tag hurt = {.id = 3, .type = TAG_FREEFORM, .name = "Hurt", .synonym_of = 2};
    struct tag sad = {.id = 4, .type = TAG_FREEFORM, .name = "Sad Ending", .canonical = 1};
    assert_int_equal(idx_tag_update(idx, &angst), 0);
    assert_int_equal(idx_tag_update(idx, &hurt), 0);
    assert_int_equal(idx_tag_update(idx, &sad), 0);
    struct tag_rel rel = {TAG_REL_META, 4, 2};
    assert_int_equal(idx_set_tag_relations(idx, &rel, 1), 0);
}

static void same_result(struct idx *a, const struct idx_query *qa, struct idx *b,
                        const struct idx_query *qb)
{
    struct idx_result ra, rb;
    assert_int_equal(idx_search(a, qa, &ra), 0);
    assert_int_equal(idx_search(b, qb, &rb), 0);
    assert_int_equal(ra.total, rb.total);
    assert_int_equal(ra.nhits, rb.nhits);
    for (size_t i = 0; i < ra.nhits; i++)
        assert_int_equal(ra.hits[i].id, rb.hits[i].id);
    for (int g = 0; g < IDX_FACET__COUNT; g++) {
        assert_int_equal(ra.facets[g].n, rb.facets[g].n);
        for (size_t i = 0; i < ra.facets[g].n; i++) {
            assert_string_equal(ra.facets[g].v[i].name, rb.facets[g].v[i].name);
            assert_int_equal(ra.facets[g].v[i].count, rb.facets[g].v[i].count);
        }
    }
    idx_result_free(&ra);
    idx_result_free(&rb);
}

static void check(int mute_bo, int block_angst)
{
    struct idx *all, *visible;
    assert_int_equal(idx_new(0, &all), 0);
    assert_int_equal(idx_new(0, &visible), 0);
    wrangle(all);
    wrangle(visible);
    for (int64_t id = 1; id <= 300; id++) {
        struct work w;
        mkwork(&w, id);
        assert_int_equal(idx_put_work(all, &w), 0);
        if (!hidden(id, mute_bo, block_angst))
            assert_int_equal(idx_put_work(visible, &w), 0);
        work_free(&w);
    }
    /* edits give works new doc numbers: the creators' docs must follow */
    for (int64_t id = 1; id <= 300; id += 5) {
        struct work w;
        mkwork(&w, id);
        assert_int_equal(idx_put_work(all, &w), 0);
        work_free(&w);
    }
    const char *mute[] = {"BO", "eli"};
    const char *block[] = {"angst"};
    struct idx_query q = {.sort = IDX_SORT_KUDOS, .per_page = 30, .facet_limit = 10};
    if (mute_bo) {
        q.mute_creators = mute;
        q.nmute_creators = 2;
    }
    if (block_angst) {
        q.block_tags = block;
        q.nblock_tags = 1;
    }
    struct idx_query plain = {.sort = IDX_SORT_KUDOS, .per_page = 30, .facet_limit = 10};
    same_result(all, &q, visible, &plain);
    /* with other filters and the other pages */
    const char *fd[] = {"Tidefall"};
    q.tags = plain.tags = fd;
    q.ntags = plain.ntags = 1;
    q.page = plain.page = 2;
    q.per_page = plain.per_page = 10;
    same_result(all, &q, visible, &plain);
    /* works added after the reader's exclusions were built (and cached) are left out too */
    for (int64_t id = 301; id <= 360; id++) {
        struct work w;
        mkwork(&w, id);
        assert_int_equal(idx_put_work(all, &w), 0);
        if (!hidden(id, mute_bo, block_angst))
            assert_int_equal(idx_put_work(visible, &w), 0);
        work_free(&w);
    }
    same_result(all, &q, visible, &plain);
    q.tags = plain.tags = NULL;
    q.ntags = plain.ntags = 0;
    same_result(all, &q, visible, &plain);
    idx_free(all);
    idx_free(visible);
}

static void test_mute_creators(void **state)
{
    (void)state;
    check(1, 0);
}

static void test_block_tags(void **state)
{
    (void)state;
    check(0, 1);
}

static void test_both(void **state)
{
    (void)state;
    check(1, 1);
    /* without muting the totals are the whole archive's */
    check(0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mute_creators),
        cmocka_unit_test(test_block_tags),
        cmocka_unit_test(test_both),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
