/* test_wrangle.c: the index's tag wrangling: meta/sub expansion (transitive, through
 * synonyms, cycles ignored, edges resolved late), kept up as works come and go, facets that
 * count synonyms under the canonical but not subs under the meta tag; then against a real
 * store, merges and meta links picked up by idx_apply_changes and by a fresh idx_build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/index.h"
#include "store/store.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A work with freeforms (and one character when chr is not NULL). */
static void put(struct idx *idx, int64_t id, const char *chr, const char *const *freeforms)
{
    struct work w;
    work_init(&w);
    w.id = id;
    w.title = strdup("T");
    strlist_add(&w.creators, "ann");
    strlist_add(&w.fandoms, "Naruto");
    if (chr)
        strlist_add(&w.characters, chr);
    for (size_t i = 0; freeforms && freeforms[i]; i++)
        strlist_add(&w.freeforms, freeforms[i]);
    w.rating = RATING_GENERAL;
    w.updated = 1000 + id;
    assert_int_equal(idx_put_work(idx, &w), 0);
    work_free(&w);
}

static uint64_t count_tag(struct idx *idx, const char *tag, const char *exclude)
{
    struct idx_query q = {.tags = tag ? &tag : NULL,
                          .ntags = tag ? 1 : 0,
                          .exclude_tags = exclude ? &exclude : NULL,
                          .nexclude_tags = exclude ? 1 : 0};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    uint64_t t = r.total;
    idx_result_free(&r);
    return t;
}

/* The count of facet name in group g of a search for tag; -1 when not listed. */
static long long facet(struct idx *idx, const char *tag, enum idx_facet_group g, const char *name)
{
    struct idx_query q = {.tags = &tag, .ntags = 1, .facet_limit = 50};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    long long c = -1;
    for (size_t i = 0; i < r.facets[g].n; i++)
        if (!strcmp(r.facets[g].v[i].name, name))
            c = (long long)r.facets[g].v[i].count;
    idx_result_free(&r);
    return c;
}

static void reg(struct idx *idx, int64_t id, enum tag_type type, const char *name,
                int64_t synonym_of)
{
    struct tag t = {.id = id,
                    .type = type,
                    .name = (char *)name,
                    .canonical = !synonym_of,
                    .synonym_of = synonym_of};
    assert_int_equal(idx_tag_update(idx, &t), 0);
}

#define META(sub, meta)                                                                            \
    {                                                                                              \
        .kind = TAG_REL_META, .from = (sub), .to = (meta)                                          \
    }

static void test_meta_expansion(void **state)
{
    (void)state;
    struct idx *idx;
    assert_int_equal(idx_new(0, &idx), 0);
    reg(idx, 1, TAG_FREEFORM, "Alternate Universe", 0);
    reg(idx, 2, TAG_FREEFORM, "Modern AU", 0);
    reg(idx, 3, TAG_FREEFORM, "Coffee Shop AU", 0);
    reg(idx, 4, TAG_FREEFORM, "coffee shop au!!", 3);
    reg(idx, 5, TAG_FREEFORM, "Fluff", 0);
    put(idx, 1, NULL, (const char *[]){"Alternate Universe", NULL});
    put(idx, 2, NULL, (const char *[]){"Modern AU", NULL});
    put(idx, 3, NULL, (const char *[]){"Coffee Shop AU", NULL});
    put(idx, 4, NULL, (const char *[]){"coffee shop au!!", NULL});
    put(idx, 5, NULL, (const char *[]){"Fluff", NULL});
    put(idx, 6, NULL, (const char *[]){"Modern AU", "Fluff", NULL});
    assert_int_equal(count_tag(idx, "alternate universe", NULL), 1);

    /* AU > Modern AU > Coffee Shop AU (with its synonym); parent and synonym edges are
     * ignored here */
    const struct tag_rel rels[] = {META(2, 1),
                                   META(3, 2),
                                   {.kind = TAG_REL_PARENT, .from = 5, .to = 1},
                                   {.kind = TAG_REL_SYNONYM, .from = 4, .to = 3}};
    assert_int_equal(idx_set_tag_relations(idx, rels, 4), 0);
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 5); /* 1 2 3 4 6 */
    assert_int_equal(count_tag(idx, "modern au", NULL), 4);          /* 2 3 4 6 */
    assert_int_equal(count_tag(idx, "COFFEE SHOP AU!!", NULL), 2);   /* via the canonical */
    assert_int_equal(count_tag(idx, NULL, "Alternate Universe"), 1); /* 5 */
    assert_int_equal(count_tag(idx, "Fluff", "Modern AU"), 1);       /* 5 */

    /* facets: synonyms under the canonical, subs not under the meta tag */
    assert_int_equal(facet(idx, "Alternate Universe", IDX_FACET_FREEFORMS, "Alternate Universe"),
                     1);
    assert_int_equal(facet(idx, "Alternate Universe", IDX_FACET_FREEFORMS, "Coffee Shop AU"), 2);
    assert_int_equal(facet(idx, "Alternate Universe", IDX_FACET_FREEFORMS, "coffee shop au!!"), -1);
    assert_int_equal(facet(idx, "Alternate Universe", IDX_FACET_FREEFORMS, "Modern AU"), 2);

    /* works added, edited and removed keep the expansion exact */
    put(idx, 7, NULL, (const char *[]){"coffee shop au!!", NULL});
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 6);
    put(idx, 6, NULL, (const char *[]){"Fluff", NULL});
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 5);
    assert_int_equal(count_tag(idx, "Modern AU", NULL), 4); /* 2 3 4 7 */
    assert_int_equal(idx_remove_work(idx, 3), 0);
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 4); /* 1 2 4 7 */
    assert_int_equal(count_tag(idx, "Coffee Shop AU", NULL), 2);

    /* an edge naming a tag not registered yet takes effect when it is */
    const struct tag_rel more[] = {META(2, 1), META(3, 2), META(8, 1)};
    assert_int_equal(idx_set_tag_relations(idx, more, 3), 0);
    put(idx, 8, NULL, (const char *[]){"Tea Shop AU", NULL});
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 4);
    reg(idx, 8, TAG_FREEFORM, "Tea Shop AU", 0);
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 5);

    /* a synonym change reaches the trees: Fluff becomes a synonym of Modern AU */
    reg(idx, 5, TAG_FREEFORM, "Fluff", 2);
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 7); /* + 5 6 */
    reg(idx, 5, TAG_FREEFORM, "Fluff", 0);
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 5);

    /* a cycle (which the store refuses) is broken, not followed forever */
    const struct tag_rel cyc[] = {META(2, 1), META(1, 2), META(3, 2)};
    assert_int_equal(idx_set_tag_relations(idx, cyc, 3), 0);
    uint64_t a = count_tag(idx, "Alternate Universe", NULL);
    uint64_t m = count_tag(idx, "Modern AU", NULL);
    assert_true(a >= 1 && a <= 4 && m >= 3 && m <= 4);
    put(idx, 9, NULL, (const char *[]){"Coffee Shop AU", NULL});
    assert_int_equal(count_tag(idx, "Modern AU", NULL), m + 1);

    /* no relations: back to synonyms only */
    assert_int_equal(idx_set_tag_relations(idx, NULL, 0), 0);
    assert_int_equal(count_tag(idx, "Alternate Universe", NULL), 1);
    assert_int_equal(count_tag(idx, "Coffee Shop AU", NULL), 3); /* 4 7 9 */
    idx_free(idx);
}

/* A diamond (D under B and C, both under A) counts each work once and survives removals. */
static void test_meta_diamond(void **state)
{
    (void)state;
    struct idx *idx;
    assert_int_equal(idx_new(0, &idx), 0);
    const char *names[] = {"", "A", "B", "C", "D"};
    for (int i = 1; i <= 4; i++)
        reg(idx, i, TAG_CHARACTER, names[i], 0);
    const struct tag_rel rels[] = {META(2, 1), META(3, 1), META(4, 2), META(4, 3)};
    assert_int_equal(idx_set_tag_relations(idx, rels, 4), 0);
    put(idx, 1, "D", NULL);
    put(idx, 2, "B", NULL);
    put(idx, 3, "C", NULL);
    assert_int_equal(count_tag(idx, "A", NULL), 3);
    assert_int_equal(count_tag(idx, "B", NULL), 2);
    assert_int_equal(count_tag(idx, "C", NULL), 2);
    assert_int_equal(idx_remove_work(idx, 1), 0);
    assert_int_equal(count_tag(idx, "A", NULL), 2);
    assert_int_equal(count_tag(idx, "B", NULL), 1);
    assert_int_equal(count_tag(idx, "C", NULL), 1);
    idx_free(idx);
}

/* ---- against a real store ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int64_t insert(struct store *s, const char *chr, const char *freeform)
{
    struct work w;
    work_init(&w);
    w.title = strdup("Work");
    strlist_add(&w.creators, "ann");
    strlist_add(&w.fandoms, "Naruto");
    strlist_add(&w.characters, chr);
    strlist_add(&w.freeforms, freeform);
    w.rating = RATING_TEEN;
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup("<p>Words.</p>");
    c->words = 1;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

static int64_t tag_id(struct store *s, enum tag_type type, const char *name)
{
    struct tag t;
    assert_int_equal(store_tag_find(s, type, name, &t), 0);
    int64_t id = t.id;
    tag_free(&t);
    return id;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Applies the log and checks it took well under the second the web pages allow. */
static void apply(struct idx *idx, struct store *s)
{
    double t0 = now_s();
    assert_true(idx_apply_changes(idx, s) > 0);
    assert_true(now_s() - t0 < 1.0);
}

static void test_store_follow(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/ficd-wrangle-XXXXXX");
    assert_non_null(mkdtemp(dir));
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    insert(s, "Sakura Haruno", "Angst");
    insert(s, "Haruno Sakura", "Emotional Hurt");
    insert(s, "Hinata Hyuuga", "Fluff");
    struct idx *idx;
    assert_int_equal(idx_new(0, &idx), 0);
    assert_int_equal(idx_build(idx, s, 0), 0);
    assert_int_equal(count_tag(idx, "Sakura Haruno", NULL), 1);

    /* canonical + merge: both works under the canonical, in filters and facets */
    int64_t sakura = tag_id(s, TAG_CHARACTER, "Sakura Haruno");
    int64_t haruno = tag_id(s, TAG_CHARACTER, "Haruno Sakura");
    assert_int_equal(store_tag_set_canonical(s, sakura, 1), 0);
    assert_int_equal(store_tag_merge(s, haruno, sakura), 0);
    apply(idx, s);
    assert_int_equal(count_tag(idx, "Sakura Haruno", NULL), 2);
    assert_int_equal(count_tag(idx, "haruno sakura", NULL), 2);
    assert_int_equal(facet(idx, "Sakura Haruno", IDX_FACET_CHARACTERS, "Sakura Haruno"), 2);
    assert_int_equal(facet(idx, "Sakura Haruno", IDX_FACET_CHARACTERS, "Haruno Sakura"), -1);

    /* meta/sub through the log */
    int64_t angst = tag_id(s, TAG_FREEFORM, "Angst");
    int64_t hurt = tag_id(s, TAG_FREEFORM, "Emotional Hurt");
    assert_int_equal(store_tag_set_canonical(s, angst, 1), 0);
    assert_int_equal(store_tag_set_canonical(s, hurt, 1), 0);
    assert_int_equal(store_tag_add_meta(s, angst, hurt), 0);
    apply(idx, s);
    assert_int_equal(count_tag(idx, "Angst", NULL), 2);
    assert_int_equal(count_tag(idx, "Emotional Hurt", NULL), 1);

    /* new works under a sub tag count for the meta tag at once */
    insert(s, "Hinata Hyuuga", "Emotional Hurt");
    apply(idx, s);
    assert_int_equal(count_tag(idx, "Angst", NULL), 3);

    /* a fresh build sees the same */
    struct idx *fresh;
    assert_int_equal(idx_new(0, &fresh), 0);
    assert_int_equal(idx_build(fresh, s, 0), 0);
    assert_int_equal(count_tag(fresh, "Angst", NULL), 3);
    assert_int_equal(count_tag(fresh, "Haruno Sakura", NULL), 2);
    idx_free(fresh);

    /* unlinking through the log */
    assert_int_equal(store_tag_remove_meta(s, angst, hurt), 0);
    apply(idx, s);
    assert_int_equal(count_tag(idx, "Angst", NULL), 1);
    assert_int_equal(store_tag_set_synonym(s, haruno, 0), 0);
    apply(idx, s);
    assert_int_equal(count_tag(idx, "Sakura Haruno", NULL), 1);

    idx_free(idx);
    store_close(s);
    assert_int_equal(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_expansion),
        cmocka_unit_test(test_meta_diamond),
        cmocka_unit_test(test_store_follow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
