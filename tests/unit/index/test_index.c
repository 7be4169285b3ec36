/* test_index.c: the index's filters, synonyms, sort orders and pagination, exact facet counts
 * (against brute force over random works) and incremental updates, on in-memory works. */
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

/* Builds a work: tags given as "f:Fandom", "r:A/B", "c:Char", "t:Freeform", NULL-terminated. */
static void mk(struct work *w, int64_t id, const char *title, const char *creator, enum rating r,
               unsigned warn, unsigned cat, const char *const *tags)
{
    work_init(w);
    w->id = id;
    w->title = strdup(title);
    strlist_add(&w->creators, creator);
    w->rating = r;
    w->warnings = warn;
    w->categories = cat;
    for (size_t i = 0; tags && tags[i]; i++) {
        struct strlist *l = tags[i][0] == 'f'   ? &w->fandoms
                            : tags[i][0] == 'r' ? &w->relationships
                            : tags[i][0] == 'c' ? &w->characters
                                                : &w->freeforms;
        strlist_add(l, tags[i] + 2);
    }
    struct chapter *c = work_add_chapter(w);
    c->words = 1000;
    c->html = strdup("<p>Some words.</p>");
    w->expected_chapters = 1;
    w->published = 1000 + id;
    w->updated = 2000 + id;
}

static void put(struct idx *idx, struct work *w)
{
    assert_int_equal(idx_put_work(idx, w), 0);
    work_free(w);
}

static uint64_t count(struct idx *idx, const struct idx_query *q)
{
    struct idx_result r;
    assert_int_equal(idx_search(idx, q, &r), 0);
    uint64_t t = r.total;
    idx_result_free(&r);
    return t;
}

static int has(struct idx *idx, const struct idx_query *q, int64_t id)
{
    struct idx_query qq = *q;
    qq.per_page = 1000;
    struct idx_result r;
    assert_int_equal(idx_search(idx, &qq, &r), 0);
    int found = 0;
    for (size_t i = 0; i < r.nhits; i++)
        found |= r.hits[i].id == id;
    idx_result_free(&r);
    return found;
}

static struct idx *small_index(void)
{
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    struct work w;
    mk(&w, 1, "Alpha", "ann", RATING_GENERAL, WARN_NONE, CAT_GEN,
       (const char *[]){"f:Harry Potter", "c:Harry", "t:Fluff", NULL});
    w.language = strdup("English");
    put(idx, &w);
    mk(&w, 2, "Beta", "bob", RATING_EXPLICIT, WARN_VIOLENCE | WARN_MCD, CAT_MM,
       (const char *[]){"f:Harry Potter", "r:Harry/Draco", "c:Harry", "c:Draco", "t:Angst", NULL});
    w.language = strdup("English");
    w.expected_chapters = 0; /* WIP */
    w.kudos = 50;
    put(idx, &w);
    mk(&w, 3, "Gamma", "cat", RATING_TEEN, WARN_CHOSE_NOT, CAT_FF | CAT_GEN,
       (const char *[]){"f:Harry Potter", "f:Star Wars", "t:Fluff", "t:Angst", NULL});
    w.language = strdup("Français");
    w.restricted = 1;
    w.kudos = 5;
    put(idx, &w);
    mk(&w, 4, "Delta", "dan", RATING_MATURE, WARN_NONE, CAT_FM,
       (const char *[]){"f:Star Wars", "c:Rey", NULL});
    w.draft = 1; /* never searchable */
    put(idx, &w);
    mk(&w, 5, "Epsilon", "eve", RATING_NOT_RATED, 0, 0,
       (const char *[]){"f:star wars", "c:Rey", "t:fluff", NULL});
    w.kudos = 500;
    put(idx, &w);
    return idx;
}

static void test_filters(void **state)
{
    (void)state;
    struct idx *idx = small_index();
    struct idx_query q = {0};
    assert_int_equal(count(idx, &q), 3); /* 1, 2, 5: draft and restricted hidden */
    q.include_restricted = 1;
    assert_int_equal(count(idx, &q), 4);
    assert_true(has(idx, &q, 3));
    assert_false(has(idx, &q, 4));

    /* include tags (any type, case-insensitive), all must match */
    const char *fluff[] = {"FLUFF"};
    q.tags = fluff;
    q.ntags = 1;
    assert_int_equal(count(idx, &q), 3); /* 1, 3, 5 */
    const char *two[] = {"fluff", "angst"};
    q.tags = two;
    q.ntags = 2;
    assert_int_equal(count(idx, &q), 1);
    assert_true(has(idx, &q, 3));
    const char *unknown[] = {"No Such Tag"};
    q.tags = unknown;
    q.ntags = 1;
    assert_int_equal(count(idx, &q), 0);
    q.tags = NULL;
    q.ntags = 0;

    /* exclude: any one excludes; unknown exclude tags are ignored */
    const char *ex[] = {"Angst", "Never Heard Of It"};
    q.exclude_tags = ex;
    q.nexclude_tags = 2;
    assert_int_equal(count(idx, &q), 2); /* 1, 5 */
    q.exclude_tags = NULL;
    q.nexclude_tags = 0;

    /* fandoms: any of */
    const char *fd[] = {"Star Wars"};
    q.fandoms = fd;
    q.nfandoms = 1;
    assert_int_equal(count(idx, &q), 2); /* 3, 5 */
    const char *fd2[] = {"Star Wars", "harry potter"};
    q.fandoms = fd2;
    q.nfandoms = 2;
    assert_int_equal(count(idx, &q), 4);
    q.fandoms = NULL;
    q.nfandoms = 0;

    /* ratings: any of */
    q.ratings = (1u << RATING_GENERAL) | (1u << RATING_EXPLICIT);
    assert_int_equal(count(idx, &q), 2);
    q.ratings = 0;

    /* warnings: include all / exclude any */
    q.warnings = WARN_VIOLENCE | WARN_MCD;
    assert_int_equal(count(idx, &q), 1);
    q.warnings = WARN_VIOLENCE | WARN_NONE;
    assert_int_equal(count(idx, &q), 0);
    q.warnings = 0;
    q.exclude_warnings = WARN_MCD | WARN_CHOSE_NOT;
    assert_int_equal(count(idx, &q), 2); /* 1, 5 */
    q.exclude_warnings = 0;

    /* categories */
    q.categories = CAT_GEN;
    assert_int_equal(count(idx, &q), 2); /* 1, 3 */
    q.exclude_categories = CAT_FF;
    assert_int_equal(count(idx, &q), 1);
    q.categories = q.exclude_categories = 0;

    /* language (case and diacritics insensitive) */
    q.language = "francais";
    assert_int_equal(count(idx, &q), 1);
    q.language = "Klingon";
    assert_int_equal(count(idx, &q), 0);
    q.language = NULL;

    /* complete / WIP */
    q.complete = IDX_COMPLETE_ONLY;
    assert_int_equal(count(idx, &q), 3);
    q.complete = IDX_WIP_ONLY;
    assert_int_equal(count(idx, &q), 1);
    assert_true(has(idx, &q, 2));
    q.complete = IDX_COMPLETE_ANY;

    /* crossovers: only 3 has two fandoms */
    q.crossover = IDX_CROSSOVER_ONLY;
    assert_int_equal(count(idx, &q), 1);
    q.crossover = IDX_CROSSOVER_EXCLUDE;
    assert_int_equal(count(idx, &q), 3);
    q.crossover = IDX_CROSSOVER_ANY;

    /* ranges */
    q.kudos.min = 10;
    assert_int_equal(count(idx, &q), 2); /* 2 (50), 5 (500) */
    q.kudos.max = 100;
    assert_int_equal(count(idx, &q), 1);
    q.kudos.min = q.kudos.max = 0;
    q.published.min = 1003;
    assert_int_equal(count(idx, &q), 2); /* 3, 5 */
    q.published.min = 0;
    q.words.min = 1001;
    assert_int_equal(count(idx, &q), 0);
    q.words.min = 0;

    /* bad parameters */
    struct idx_result r;
    q.per_page = 5000;
    assert_int_equal(idx_search(idx, &q, &r), FICD_EINVAL);
    assert_true(strlen(r.err) > 0);
    idx_result_free(&r);
    idx_free(idx);
}

static void test_synonyms(void **state)
{
    (void)state;
    struct idx *idx = small_index();
    /* "Star Wars" (id 11, canonical) and "SW" (id 12, synonym of 11); a synonym registered
     * before its canonical must resolve once the canonical arrives. */
    struct work w;
    mk(&w, 6, "Zeta", "zed", RATING_GENERAL, WARN_NONE, CAT_GEN,
       (const char *[]){"f:SW", "f:Harry Potter", NULL});
    put(idx, &w);
    struct tag syn = {.id = 12, .type = TAG_FANDOM, .name = "SW", .synonym_of = 11};
    struct tag can = {.id = 11, .type = TAG_FANDOM, .name = "Star Wars", .canonical = 1};
    assert_int_equal(idx_tag_update(idx, &syn), 0);
    assert_int_equal(idx_tag_update(idx, &can), 0);

    struct idx_query q = {.include_restricted = 1};
    const char *sw[] = {"star wars"};
    q.tags = sw;
    q.ntags = 1;
    assert_int_equal(count(idx, &q), 3); /* 3, 5, 6 */
    const char *swsyn[] = {"sw"};
    q.tags = swsyn;
    assert_int_equal(count(idx, &q), 3); /* querying a synonym queries the canonical */
    q.tags = NULL;
    q.ntags = 0;
    q.fandoms = swsyn;
    q.nfandoms = 1;
    assert_int_equal(count(idx, &q), 3);
    q.fandoms = NULL;
    q.nfandoms = 0;
    q.exclude_tags = swsyn;
    q.nexclude_tags = 1;
    assert_int_equal(count(idx, &q), 2); /* 1, 2 */
    q.exclude_tags = NULL;
    q.nexclude_tags = 0;

    /* 6 is now a crossover (SW = Star Wars + Harry Potter) */
    q.crossover = IDX_CROSSOVER_ONLY;
    assert_int_equal(count(idx, &q), 2);
    assert_true(has(idx, &q, 6));
    q.crossover = IDX_CROSSOVER_ANY;

    /* facets count the synonym's works under the canonical name */
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    int found = 0;
    for (size_t i = 0; i < r.facets[IDX_FACET_FANDOMS].n; i++) {
        struct idx_facet *f = &r.facets[IDX_FACET_FANDOMS].v[i];
        assert_string_not_equal(f->name, "SW");
        if (!strcmp(f->name, "Star Wars")) {
            assert_int_equal(f->count, 3);
            found = 1;
        }
    }
    assert_true(found);
    idx_result_free(&r);

    /* unlinking the synonym splits them again */
    syn.synonym_of = 0;
    assert_int_equal(idx_tag_update(idx, &syn), 0);
    q.tags = sw;
    q.ntags = 1;
    assert_int_equal(count(idx, &q), 2);
    q.crossover = IDX_CROSSOVER_ONLY;
    q.tags = NULL;
    q.ntags = 0;
    assert_int_equal(count(idx, &q), 2); /* 3 and 6 (SW + Harry Potter) */
    idx_free(idx);
}

/* ---- random archives, checked against brute force ---- */

#define NW    400
#define NTAGS 40

struct rw {
    int64_t id;
    int tags[12];
    int ntags;
    enum rating rating;
    unsigned warn, cat;
    int64_t kudos, words, updated;
    int complete;
    char title[16], author[16];
};

static const char *tag_name(int t, char *buf)
{
    static const char type_ch[] = "frct";
    sprintf(buf, "%c:Tag %d", type_ch[t % 4], t);
    return buf;
}

static void gen(struct rw *v, unsigned seed)
{
    srand(seed);
    for (int i = 0; i < NW; i++) {
        struct rw *x = &v[i];
        x->id = i * 3 + 1;
        x->ntags = rand() % 12;
        for (int k = 0; k < x->ntags; k++) {
            int r = rand() % 100;
            x->tags[k] = r < 50 ? r % 6 : rand() % NTAGS; /* a few popular tags */
            for (int j = 0; j < k; j++)
                if (x->tags[j] == x->tags[k]) {
                    k--;
                    x->ntags--;
                    break;
                }
        }
        x->rating = (enum rating)(rand() % RATING__COUNT);
        x->warn = (unsigned)(rand() % 64);
        x->cat = (unsigned)(rand() % 64);
        x->kudos = rand() % 30; /* many ties */
        x->words = 100 + rand() % 5;
        x->updated = rand() % 50;
        x->complete = rand() % 2;
        sprintf(x->title, "T%02d", rand() % 60);
        sprintf(x->author, "a%d", rand() % 20);
    }
}

static void put_rw(struct idx *idx, const struct rw *x)
{
    struct work w;
    work_init(&w);
    w.id = x->id;
    w.title = strdup(x->title);
    strlist_add(&w.creators, x->author);
    char b[32];
    for (int k = 0; k < x->ntags; k++) {
        tag_name(x->tags[k], b);
        struct strlist *l = b[0] == 'f'   ? &w.fandoms
                            : b[0] == 'r' ? &w.relationships
                            : b[0] == 'c' ? &w.characters
                                          : &w.freeforms;
        strlist_add(l, b + 2);
    }
    w.rating = x->rating;
    w.warnings = x->warn;
    w.categories = x->cat;
    w.kudos = x->kudos;
    w.updated = x->updated;
    struct chapter *c = work_add_chapter(&w);
    c->words = (int)x->words;
    w.expected_chapters = x->complete ? 1 : 0;
    assert_int_equal(idx_put_work(idx, &w), 0);
    work_free(&w);
}

static int rw_has(const struct rw *x, int t)
{
    for (int k = 0; k < x->ntags; k++)
        if (x->tags[k] == t)
            return 1;
    return 0;
}

static void check_random_queries(struct idx *idx, const struct rw *v, unsigned seed)
{
    srand(seed);
    char b1[32], b2[32], b3[32];
    for (int round = 0; round < 150; round++) {
        int inc = rand() % 3 ? rand() % NTAGS : -1;
        int exc = rand() % 2 ? rand() % NTAGS : -1;
        unsigned ratings = rand() % 2 ? (unsigned)(rand() % 32) : 0;
        int complete = rand() % 3;
        const char *tags[1], *ex[1];
        struct idx_query q = {.facet_limit = 100, .sort = IDX_SORT_KUDOS, .per_page = 7};
        if (inc >= 0) {
            tags[0] = tag_name(inc, b1) + 2;
            q.tags = tags;
            q.ntags = 1;
        }
        if (exc >= 0) {
            ex[0] = tag_name(exc, b2) + 2;
            q.exclude_tags = ex;
            q.nexclude_tags = 1;
        }
        q.ratings = ratings;
        q.complete = (enum idx_complete)complete;
        /* brute force */
        uint64_t total = 0, cnt[NTAGS] = {0}, rc[RATING__COUNT] = {0}, wc[WARN__COUNT] = {0},
                 cc[CAT__COUNT] = {0};
        const struct rw *match[NW];
        for (int i = 0; i < NW; i++) {
            const struct rw *x = &v[i];
            if (inc >= 0 && !rw_has(x, inc))
                continue;
            if (exc >= 0 && rw_has(x, exc))
                continue;
            if (ratings && (ratings & ((1u << RATING__COUNT) - 1)) != 31 &&
                !(ratings & (1u << x->rating)))
                continue;
            if (complete == IDX_COMPLETE_ONLY && !x->complete)
                continue;
            if (complete == IDX_WIP_ONLY && x->complete)
                continue;
            match[total++] = x;
            for (int k = 0; k < x->ntags; k++)
                cnt[x->tags[k]]++;
            rc[x->rating]++;
            for (int k = 0; k < WARN__COUNT; k++)
                wc[k] += (x->warn >> k) & 1;
            for (int k = 0; k < CAT__COUNT; k++)
                cc[k] += (x->cat >> k) & 1;
        }
        /* sort brute-force matches by kudos desc, id desc */
        for (uint64_t i = 1; i < total; i++)
            for (uint64_t j = i; j > 0; j--) {
                const struct rw *a = match[j - 1], *b = match[j];
                if (a->kudos > b->kudos || (a->kudos == b->kudos && a->id > b->id))
                    break;
                match[j - 1] = b;
                match[j] = a;
            }
        int pages = (int)(total + 6) / 7;
        for (int p = 1; p <= pages && p <= 4; p++) {
            q.page = p;
            struct idx_result r;
            assert_int_equal(idx_search(idx, &q, &r), 0);
            assert_int_equal(r.total, total);
            for (size_t i = 0; i < r.nhits; i++)
                assert_int_equal(r.hits[i].id, match[(p - 1) * 7 + i]->id);
            if (p == 1) {
                /* ratings in AO3 order: G, T, M, E, NR */
                static const int ro[] = {1, 2, 3, 4, 0};
                for (int k = 0; k < 5; k++)
                    assert_int_equal(r.facets[IDX_FACET_RATINGS].v[k].count, rc[ro[k]]);
                for (int k = 0; k < WARN__COUNT; k++)
                    assert_int_equal(r.facets[IDX_FACET_WARNINGS].v[k].count, wc[k]);
                for (int k = 0; k < CAT__COUNT; k++)
                    assert_int_equal(r.facets[IDX_FACET_CATEGORIES].v[k].count, cc[k]);
                size_t nf = 0;
                for (int g = IDX_FACET_FANDOMS; g <= IDX_FACET_FREEFORMS; g++)
                    for (size_t i = 0; i < r.facets[g].n; i++) {
                        int t = atoi(r.facets[g].v[i].name + 4);
                        assert_int_equal(t % 4, g - IDX_FACET_FANDOMS);
                        assert_int_equal(r.facets[g].v[i].count, cnt[t]);
                        nf++;
                    }
                size_t expect = 0;
                for (int t = 0; t < NTAGS; t++)
                    expect += cnt[t] > 0;
                assert_int_equal(nf, expect);
                (void)b3;
            }
            idx_result_free(&r);
        }
    }
}

static void test_random_facets_and_pages(void **state)
{
    (void)state;
    static struct rw v[NW];
    gen(v, 7);
    struct idx *idx;
    assert_int_equal(idx_new(0, &idx), 0);
    for (int i = 0; i < NW; i++)
        put_rw(idx, &v[i]);
    int saved = idx_facet_walk_max, saved_dense = idx_fixed_dense_min,
        saved_budget = idx_facet_total_budget;
    idx_facet_walk_max = 1000000; /* walk every work's tags */
    check_random_queries(idx, v, 11);
    idx_facet_total_budget = 1; /* intersections until the budget runs out, then the walk */
    idx_facet_walk_max = 0;
    check_random_queries(idx, v, 15);
    idx_facet_total_budget = 0; /* bitmap intersections with early termination, no limit */
    idx_facet_walk_max = 0;
    idx_fixed_dense_min = 0; /* ratings, warnings, categories against the dense copies */
    check_random_queries(idx, v, 11);

    /* edits after the sort orders were built go through the fresh-docs merge; ratings,
     * warnings and categories change too (the dense copies must follow) */
    for (int i = 0; i < NW; i += 5) {
        v[i].kudos = rand() % 30;
        v[i].ntags = v[i].ntags > 2 ? 2 : v[i].ntags;
        v[i].rating = (enum rating)(rand() % RATING__COUNT);
        v[i].warn = (unsigned)(rand() % 64);
        v[i].cat = (unsigned)(rand() % 64);
        put_rw(idx, &v[i]);
    }
    check_random_queries(idx, v, 12);
    idx_fixed_dense_min = 1000000; /* CRoaring's counts */
    idx_facet_walk_max = 1000000;
    check_random_queries(idx, v, 13);
    idx_fixed_dense_min = 0;
    check_random_queries(idx, v, 14);
    idx_facet_walk_max = saved;
    idx_fixed_dense_min = saved_dense;
    idx_facet_total_budget = saved_budget;
    idx_free(idx);
}

/* Top 3 of each tag type for each fandom (every tag with all_types; and with an excluded
 * tag), against brute force: listed counts exact, no tag left out with a higher count. */
static void check_tag_top(struct idx *idx, const struct rw *v, int all_types)
{
    char b1[32], b2[32];
    for (int f = 0; f < NTAGS; f += all_types ? 1 : 4)
        for (int exc = -1; exc < NTAGS; exc += 13) {
            const char *tags[] = {tag_name(f, b1) + 2};
            const char *ex[] = {tag_name(exc < 0 ? 1 : exc, b2) + 2};
            struct idx_query q = {.tags = tags, .ntags = 1, .facet_limit = 3};
            if (exc >= 0) {
                q.exclude_tags = ex;
                q.nexclude_tags = 1;
            }
            uint64_t cnt[NTAGS] = {0};
            for (int i = 0; i < NW; i++)
                if (rw_has(&v[i], f) && !(exc >= 0 && rw_has(&v[i], exc)))
                    for (int k = 0; k < v[i].ntags; k++)
                        cnt[v[i].tags[k]]++;
            struct idx_result r;
            assert_int_equal(idx_search(idx, &q, &r), 0);
            for (int g = IDX_FACET_FANDOMS; g <= IDX_FACET_FREEFORMS; g++) {
                int shown[NTAGS] = {0};
                uint64_t last = UINT64_MAX;
                for (size_t i = 0; i < r.facets[g].n; i++) {
                    int t = atoi(r.facets[g].v[i].name + 4);
                    assert_int_equal(r.facets[g].v[i].count, cnt[t]);
                    shown[t] = 1;
                    last = cnt[t];
                }
                for (int t = g - IDX_FACET_FANDOMS; t < NTAGS; t += 4)
                    if (!shown[t] && cnt[t])
                        assert_true(r.facets[g].n == 3 && cnt[t] <= last);
            }
            idx_result_free(&r);
        }
}

static void check_fandom_top(struct idx *idx, const struct rw *v)
{
    check_tag_top(idx, v, 0);
}

/* Facets inside one fandom from its precomputed tag counts (bounds, with works added since
 * as slack, and synonyms linked afterwards) equal brute force. */
static void test_fandom_bound_facets(void **state)
{
    (void)state;
    static struct rw v[NW];
    gen(v, 9);
    struct idx *idx;
    assert_int_equal(idx_new(0, &idx), 0);
    for (int i = 0; i < NW; i++)
        put_rw(idx, &v[i]);
    int saved_min = idx_facet_fandom_min, saved_bound = idx_facet_bound_min,
        saved_keep = idx_facet_keep_min;
    idx_facet_fandom_min = 1; /* every fandom keeps counts */
    idx_facet_bound_min = 0;  /* every result inside a fandom uses them */
    idx_facet_keep_min = 1;   /* and lists every tag */
    uint64_t before = idx_facet_stats.fandom_path;
    check_random_queries(idx, v, 21);
    assert_true(idx_facet_stats.fandom_path > before);
    check_fandom_top(idx, v);
    idx_facet_keep_min = 2; /* tags on one work of a fandom are not listed */
    check_fandom_top(idx, v);
    check_random_queries(idx, v, 23);
    /* works added after the counts were taken: slack on the bounds */
    for (int i = 0; i < NW; i += 7) {
        v[i].kudos = rand() % 30;
        if (v[i].ntags < 12 && !rw_has(&v[i], 39))
            v[i].tags[v[i].ntags++] = 39; /* a freeform, maybe new in the fandom */
        put_rw(idx, &v[i]);
    }
    check_random_queries(idx, v, 22);
    check_fandom_top(idx, v);

    /* Other tags than fandoms bound a result too: counts are built on the second query for a
     * tag, kept within idx_facet_other_max bytes (a tiny budget evicts all the time). */
    long long saved_other = idx_facet_other_max;
    check_tag_top(idx, v, 1);
    check_tag_top(idx, v, 1);
    idx_facet_other_max = 4096;
    check_tag_top(idx, v, 1);
    check_tag_top(idx, v, 1);
    idx_facet_other_max = saved_other;

    /* a synonym linked after the counts were taken: "Tag 2" becomes "Tag 6" (characters) */
    struct tag can = {.id = 100, .type = TAG_CHARACTER, .name = "Tag 6", .canonical = 1};
    struct tag syn = {.id = 101, .type = TAG_CHARACTER, .name = "Tag 2", .synonym_of = 100};
    assert_int_equal(idx_tag_update(idx, &can), 0);
    assert_int_equal(idx_tag_update(idx, &syn), 0);
    const char *fandom[] = {"Tag 0"};
    struct idx_query q = {.tags = fandom, .ntags = 1, .facet_limit = 100};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    uint64_t want = 0;
    for (int i = 0; i < NW; i++)
        want += rw_has(&v[i], 0) && (rw_has(&v[i], 2) || rw_has(&v[i], 6));
    uint64_t got = 0;
    for (size_t i = 0; i < r.facets[IDX_FACET_CHARACTERS].n; i++) {
        assert_string_not_equal(r.facets[IDX_FACET_CHARACTERS].v[i].name, "Tag 2");
        if (!strcmp(r.facets[IDX_FACET_CHARACTERS].v[i].name, "Tag 6"))
            got = r.facets[IDX_FACET_CHARACTERS].v[i].count;
    }
    assert_true(want > 0);
    assert_int_equal(got, want);
    idx_result_free(&r);
    /* the same counted by walking each work's tags: a work with both counts once */
    int saved_walk = idx_facet_walk_max;
    idx_facet_walk_max = 1000000;
    idx_facet_fandom_min = 1000000;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    got = 0;
    for (size_t i = 0; i < r.facets[IDX_FACET_CHARACTERS].n; i++)
        if (!strcmp(r.facets[IDX_FACET_CHARACTERS].v[i].name, "Tag 6"))
            got = r.facets[IDX_FACET_CHARACTERS].v[i].count;
    assert_int_equal(got, want);
    idx_result_free(&r);
    idx_facet_walk_max = saved_walk;
    idx_facet_fandom_min = saved_min;
    idx_facet_bound_min = saved_bound;
    idx_facet_keep_min = saved_keep;
    idx_free(idx);
}

/* Every sort order and direction, paged, equals a full sort of the same works. */
static void test_sort_orders(void **state)
{
    (void)state;
    static struct rw v[NW];
    gen(v, 21);
    struct idx *idx;
    assert_int_equal(idx_new(0, &idx), 0);
    for (int i = 0; i < NW; i++)
        put_rw(idx, &v[i]);
    for (int s = IDX_SORT_AUTHOR; s < IDX_SORT__COUNT; s++)
        for (int dir = IDX_DIR_ASC; dir <= IDX_DIR_DESC; dir++) {
            /* collect every page */
            int64_t seen[NW];
            size_t n = 0;
            for (int p = 1;; p++) {
                struct idx_query q = {.sort = (enum idx_sort)s,
                                      .dir = (enum idx_dir)dir,
                                      .page = p,
                                      .per_page = 33,
                                      .facet_limit = -1};
                struct idx_result r;
                assert_int_equal(idx_search(idx, &q, &r), 0);
                assert_int_equal(r.total, NW);
                for (size_t i = 0; i < r.nhits; i++)
                    seen[n++] = r.hits[i].id;
                size_t nh = r.nhits;
                idx_result_free(&r);
                if (!nh)
                    break;
            }
            assert_int_equal(n, NW);
            for (size_t i = 1; i < n; i++) {
                const struct rw *a = &v[(seen[i - 1] - 1) / 3], *b = &v[(seen[i] - 1) / 3];
                int c = 0;
                switch (s) {
                case IDX_SORT_AUTHOR:
                    c = strcmp(a->author, b->author);
                    break;
                case IDX_SORT_TITLE:
                    c = strcmp(a->title, b->title);
                    break;
                case IDX_SORT_UPDATED:
                    c = (a->updated > b->updated) - (a->updated < b->updated);
                    break;
                case IDX_SORT_WORDS:
                    c = (a->words > b->words) - (a->words < b->words);
                    break;
                case IDX_SORT_KUDOS:
                    c = (a->kudos > b->kudos) - (a->kudos < b->kudos);
                    break;
                default:
                    c = 0;
                    break; /* posted/hits/comments/bookmarks: all 0, ties by id */
                }
                if (!c)
                    c = (a->id > b->id) - (a->id < b->id);
                if (dir == IDX_DIR_ASC)
                    assert_true(c < 0);
                else
                    assert_true(c > 0);
            }
        }
    /* default directions: title ascending, kudos descending */
    struct idx_query q = {.sort = IDX_SORT_TITLE, .per_page = 2, .facet_limit = -1};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    assert_true(strcmp(r.hits[0].title, r.hits[1].title) <= 0);
    idx_result_free(&r);
    idx_free(idx);
}

static void test_incremental(void **state)
{
    (void)state;
    struct idx *idx = small_index();
    struct idx_query q = {0};
    const char *hp[] = {"Harry Potter"};
    q.fandoms = hp;
    q.nfandoms = 1;
    assert_int_equal(count(idx, &q), 2);
    /* edit: work 1 moves to Star Wars */
    struct work w;
    mk(&w, 1, "Alpha 2", "ann", RATING_GENERAL, WARN_NONE, CAT_GEN,
       (const char *[]){"f:Star Wars", NULL});
    put(idx, &w);
    assert_int_equal(count(idx, &q), 1);
    const char *sw[] = {"Star Wars"};
    q.fandoms = sw;
    assert_int_equal(count(idx, &q), 2);
    /* the new title is what hits show */
    struct idx_result r;
    q.sort = IDX_SORT_TITLE;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    assert_string_equal(r.hits[0].title, "Alpha 2");
    idx_result_free(&r);
    /* delete */
    assert_int_equal(idx_remove_work(idx, 5), 0);
    assert_int_equal(count(idx, &q), 1);
    /* republished as a draft: gone */
    mk(&w, 1, "Alpha 3", "ann", RATING_GENERAL, WARN_NONE, CAT_GEN,
       (const char *[]){"f:Star Wars", NULL});
    w.draft = 1;
    put(idx, &w);
    assert_int_equal(count(idx, &q), 0);
    /* a new work */
    mk(&w, 99, "Omega", "ann", RATING_GENERAL, WARN_NONE, CAT_GEN,
       (const char *[]){"f:star wars", NULL});
    put(idx, &w);
    assert_int_equal(count(idx, &q), 1);
    struct idx_stats st;
    idx_get_stats(idx, &st);
    assert_int_equal(st.live, 3); /* 2, 3, 99 */
    idx_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_synonyms),
        cmocka_unit_test(test_random_facets_and_pages),
        cmocka_unit_test(test_fandom_bound_facets),
        cmocka_unit_test(test_sort_orders),
        cmocka_unit_test(test_incremental),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
