/* test_fts.c: full-text search: stemming, diacritics, phrases, prefixes, NOT, field
 * qualifiers, BM25 order, snippets, malformed queries, and text after edits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "index/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(struct idx *idx, int64_t id, const char *title, const char *creator,
                const char *summary, const char *tag, const char *body, const char *lang)
{
    struct work w;
    work_init(&w);
    w.id = id;
    w.title = strdup(title);
    strlist_add(&w.creators, creator);
    if (summary)
        w.summary = strdup(summary);
    if (tag)
        strlist_add(&w.freeforms, tag);
    if (lang)
        w.language = strdup(lang);
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup(body);
    c->words = 10;
    assert_int_equal(idx_put_work(idx, &w), 0);
    work_free(&w);
}

static struct idx *corpus(void)
{
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    add(idx, 1, "The Running Man", "ann", "A chase.", "Action",
        "<p>He was <em>running</em> through the caf&#233; and the night.</p>", NULL);
    add(idx, 2, "Quiet Evening", "bob", "Tea and books.", "Fluff",
        "<p>They drank tea at the café by the river.</p><p>She runs home.</p>", NULL);
    add(idx, 3, "Dragons", "runa", "Dragons everywhere.", "Angst",
        "<p>The dragon slept. The dragon woke. A dragon flew over the river and the dragon "
        "roared.</p>",
        NULL);
    add(idx, 4, "River Song", "cat", "A river story.", "River",
        "<p>Night fell on the water, night after night.</p>", NULL);
    add(idx, 5, "Le Chat", "dan", "Une histoire.", NULL,
        "<p>Les chats mangeaient des souris dans la maison.</p>", "Français");
    return idx;
}

/* Ids of the hits of text (best match first), as a string "1,3". */
static int search(struct idx *idx, const char *text, const char *lang, char *out)
{
    struct idx_query q = {.text = text, .language = lang, .per_page = 50};
    struct idx_result r;
    int rc = idx_search(idx, &q, &r);
    out[0] = 0;
    for (size_t i = 0; !rc && i < r.nhits; i++)
        sprintf(out + strlen(out), "%s%lld", i ? "," : "", (long long)r.hits[i].id);
    if (!rc)
        assert_int_equal(r.total, r.nhits);
    idx_result_free(&r);
    return rc;
}

static void expect(struct idx *idx, const char *text, const char *ids)
{
    char got[256];
    assert_int_equal(search(idx, text, NULL, got), 0);
    if (strcmp(got, ids))
        fail_msg("query [%s]: got [%s], want [%s]", text, got, ids);
}

/* Same, ignoring order. */
static void expect_set(struct idx *idx, const char *text, const char *ids)
{
    struct idx_query q = {.text = text, .per_page = 50, .sort = IDX_SORT_TITLE};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    int64_t got[50];
    size_t n = r.nhits;
    for (size_t i = 0; i < n; i++)
        got[i] = r.hits[i].id;
    idx_result_free(&r);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && got[j - 1] > got[j]; j--) {
            int64_t t = got[j];
            got[j] = got[j - 1];
            got[j - 1] = t;
        }
    char s[256] = "";
    for (size_t i = 0; i < n; i++)
        sprintf(s + strlen(s), "%s%lld", i ? "," : "", (long long)got[i]);
    if (strcmp(s, ids))
        fail_msg("query [%s]: got {%s}, want {%s}", text, s, ids);
}

static void test_words(void **state)
{
    (void)state;
    struct idx *idx = corpus();
    expect_set(idx, "run", "1,2");     /* running, runs -> run */
    expect_set(idx, "RUNNING", "1,2"); /* and the query is stemmed alike */
    expect_set(idx, "cafe", "1,2");    /* café (entity-encoded in 1) = cafe */
    expect_set(idx, "Café", "1,2");
    expect_set(idx, "river", "2,3,4");
    expect_set(idx, "river night", "4");
    expect_set(idx, "river AND night", "4");
    expect_set(idx, "river OR tea", "2,3,4");
    expect_set(idx, "river -dragon", "2,4");
    expect_set(idx, "river NOT dragon", "2,4");
    expect_set(idx, "(tea OR dragon) river", "2,3");
    expect_set(idx, "-river", "1,5");
    expect_set(idx, "zebra", "");
    expect_set(idx, "!!!", "1,2,3,4,5"); /* no word characters: no text condition */
    idx_free(idx);
}

static void test_phrases_prefixes_fields(void **state)
{
    (void)state;
    struct idx *idx = corpus();
    expect_set(idx, "\"the river\"", "2,3");
    expect_set(idx, "\"river the\"", "");
    expect_set(idx, "\"dragon roared\"", "3");
    expect_set(idx, "\"running man\"", "1"); /* title */
    expect_set(idx, "\"man he\"", "");       /* never across fields */
    expect_set(idx, "drag*", "3");
    expect_set(idx, "ru*", "1,2,3"); /* run (stems), runa (creator) */
    expect_set(idx, "title:river", "4");
    expect_set(idx, "summary:river", "4");
    expect_set(idx, "tag:river", "4");
    expect_set(idx, "creator:runa", "3");
    expect_set(idx, "title:(river OR dragons)", "3,4");
    expect_set(idx, "title:\"running man\"", "1");
    expect_set(idx, "summary:\"river story\"", "4");
    expect_set(idx, "title:ru*", "1");
    idx_free(idx);
}

static void test_bm25_order(void **state)
{
    (void)state;
    struct idx *idx = corpus();
    /* 3 says dragon four times and in its title: first; 4 has river in title, summary, tag
     * and body and so ranks above 2 and 3. */
    expect(idx, "dragon", "3");
    char got[256];
    assert_int_equal(search(idx, "river", NULL, got), 0);
    assert_int_equal(got[0], '4');
    /* a title match outweighs a body match */
    add(idx, 6, "Night", "eve", NULL, NULL, "<p>Nothing here.</p>", NULL);
    add(idx, 7, "Nothing", "eve", NULL, NULL, "<p>One night, nothing.</p>", NULL);
    assert_int_equal(search(idx, "night -river -running", NULL, got), 0);
    assert_string_equal(got, "6,7");
    idx_free(idx);
}

static void test_languages(void **state)
{
    (void)state;
    struct idx *idx = corpus();
    char got[64];
    /* French stemming for a French work when the query names the language */
    assert_int_equal(search(idx, "chat", "Français", got), 0);
    assert_string_equal(got, "5");
    assert_int_equal(search(idx, "souri", "FRANÇAIS", got), 0);
    assert_string_equal(got, "5");
    idx_free(idx);
}

static void test_malformed(void **state)
{
    (void)state;
    struct idx *idx = corpus();
    const char *bad[] = {"\"unclosed phrase",
                         "(river",
                         "river)",
                         "NOT",
                         "river NOT",
                         "river OR",
                         "OR river",
                         "AND river",
                         "river AND",
                         "a\x01"
                         "b",
                         "-",
                         "*",
                         "title:",
                         "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("
                         "(((((x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct idx_query q = {.text = bad[i]};
        struct idx_result r;
        int rc = idx_search(idx, &q, &r);
        if (!strcmp(bad[i], "-")) { /* a lone dash is punctuation, not an operator */
            assert_int_equal(rc, 0);
        } else {
            if (rc != FICD_ESYNTAX)
                fail_msg("query [%s]: rc %d", bad[i], rc);
            assert_true(strlen(r.err) > 5);
        }
        idx_result_free(&r);
    }
    /* more than 1000 terms */
    struct buf b = BUF_INIT;
    for (int i = 0; i < 1001; i++)
        buf_puts(&b, "w ");
    struct idx_query q = {.text = buf_str(&b)};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), FICD_ESYNTAX);
    assert_non_null(strstr(r.err, "1000"));
    idx_result_free(&r);
    buf_free(&b);
    /* invalid UTF-8 */
    q.text = "caf\xc3";
    assert_int_equal(idx_search(idx, &q, &r), FICD_ESYNTAX);
    idx_result_free(&r);
    idx_free(idx);
}

static void test_snippets(void **state)
{
    (void)state;
    struct idx *idx = corpus();
    struct idx_query q = {.text = "running cafe"};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &q, &r), 0);
    struct work w;
    work_init(&w);
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup("<p>Intro &amp; <b>more</b>.</p><p>He was <em>running</em> through the "
                     "café &lt;fast&gt; and ran.</p>");
    struct buf b = BUF_INIT;
    assert_int_equal(idx_snippet(&r, &w, &b), 0);
    assert_string_equal(buf_str(&b), "Intro &amp; more. He was <mark>running</mark> through the "
                                     "<mark>café</mark> &lt;fast&gt; and ran.");
    (void)b;
    buf_free(&b);
    /* no match: nothing */
    free(c->html);
    c->html = strdup("<p>nothing relevant</p>");
    assert_int_equal(idx_snippet(&r, &w, &b), 0);
    assert_int_equal(b.len, 0);
    buf_free(&b);
    work_free(&w);
    idx_result_free(&r);
    idx_free(idx);
}

static void test_edits(void **state)
{
    (void)state;
    struct idx *idx = corpus();
    expect_set(idx, "dragon", "3");
    add(idx, 3, "Wyverns", "runa", NULL, NULL, "<p>No such beast here.</p>", NULL);
    expect_set(idx, "dragon", "");
    expect_set(idx, "wyvern", "3");
    assert_int_equal(idx_remove_work(idx, 3), 0);
    expect_set(idx, "wyvern", "");
    expect_set(idx, "-zzz", "1,2,4,5");
    idx_free(idx);
}

/* Edits leave dead docs' postings behind until they are a quarter of the indexed docs; then
 * they are dropped: memory returns to what the live works need, and every search answers as
 * before. */
static void test_compaction(void **state)
{
    (void)state;
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    char title[64], body[256], q[64];
    enum { N = 2000, EDITS = 3 };
    for (int v = 0; v <= EDITS; v++)
        for (int i = 1; i <= N; i++) {
            snprintf(title, sizeof(title), "Work %d", i);
            snprintf(body, sizeof(body),
                     "<p>The lantern keeper walked the quay. Version marker v%dx%d and "
                     "common words shared by every work of the archive.</p>",
                     v, i);
            add(idx, i, title, "ann", NULL, NULL, body, NULL);
            if (v == 0 && i == N) {
                struct idx_stats st;
                idx_get_stats(idx, &st);
                assert_int_equal(st.compactions, 0);
            }
        }
    struct idx_stats st;
    idx_get_stats(idx, &st);
    /* at least two: the second meets terms the first emptied (no postings left; found by
     * fuzz_http as pointer arithmetic on NULL under clang's UBSan) */
    assert_true(st.compactions >= 2);
    assert_int_equal(st.live, N);
    /* a fresh index of the final versions, for the memory it needs */
    struct idx *fresh;
    assert_int_equal(idx_new(1, &fresh), 0);
    for (int i = 1; i <= N; i++) {
        snprintf(title, sizeof(title), "Work %d", i);
        snprintf(body, sizeof(body),
                 "<p>The lantern keeper walked the quay. Version marker v%dx%d and "
                 "common words shared by every work of the archive.</p>",
                 EDITS, i);
        add(fresh, i, title, "ann", NULL, NULL, body, NULL);
    }
    struct idx_stats fs;
    idx_get_stats(fresh, &fs);
    /* what stays dead is under the compaction threshold (FTS_COMPACT_MIN docs here) */
    assert_true(st.postings_bytes < fs.postings_bytes * 2);
    /* old versions' words are gone, the last version's found, phrases still work */
    for (int i = 1; i <= N; i += 37) {
        snprintf(q, sizeof(q), "v0x%d", i);
        expect_set(idx, q, "");
        snprintf(q, sizeof(q), "v%dx%d", EDITS, i);
        char want[16];
        snprintf(want, sizeof(want), "%d", i);
        expect_set(idx, q, want);
    }
    struct idx_query qq = {.text = "\"lantern keeper\"", .per_page = 5};
    struct idx_result r, fr;
    assert_int_equal(idx_search(idx, &qq, &r), 0);
    assert_int_equal(idx_search(fresh, &qq, &fr), 0);
    assert_int_equal(r.total, N);
    assert_int_equal(fr.total, N);
    idx_result_free(&r);
    idx_result_free(&fr);
    idx_free(fresh);
    idx_free(idx);
}

/* Terms with thousands of postings: phrase and scoring cursors jump by the skip entries to
 * the few candidates; the answers are the brute-force ones, before and after edits. */
static void test_skips(void **state)
{
    (void)state;
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    char title[64], body[256];
    enum { N = 3000 };
    for (int round = 0; round < 2; round++) {
        for (int i = 1; i <= N; i++) {
            if (round == 1 && i % 5)
                continue; /* the second round edits every fifth work */
            snprintf(title, sizeof(title), "Work %d", i);
            snprintf(body, sizeof(body), "<p>alpha beta %s and more alpha words.</p>",
                     i % 97 == 0 ? "alpha gamma" : "beta alpha");
            add(idx, i, title, "ann", NULL, NULL, body, NULL);
        }
        char want[512] = "";
        int n = 0;
        for (int i = 97; i <= N; i += 97)
            sprintf(want + strlen(want), "%s%d", n++ ? "," : "", i);
        expect_set(idx, "\"alpha gamma\"", want);
        expect_set(idx, "alpha gamma", want);
        expect_set(idx, "alpha -\"beta beta\"", want);
        struct idx_query q = {.text = "alpha gamma", .per_page = 5};
        struct idx_result r;
        assert_int_equal(idx_search(idx, &q, &r), 0);
        assert_int_equal(r.total, n);
        idx_result_free(&r);
    }
    /* a phrase under a filter: only the filtered docs' positions are read, same answer */
    struct work w;
    work_init(&w);
    w.id = 194; /* one of the phrase's works, now rated Explicit */
    w.title = strdup("Work 194");
    strlist_add(&w.creators, "ann");
    w.rating = RATING_EXPLICIT;
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup("<p>alpha beta alpha gamma and more alpha words.</p>");
    assert_int_equal(idx_put_work(idx, &w), 0);
    work_free(&w);
    const char *texts[] = {"\"alpha gamma\"", "beta -\"beta beta\"", "\"alpha gamma\" OR zzz"};
    for (size_t k = 0; k < 3; k++) {
        struct idx_query q = {.text = texts[k], .per_page = 5, .ratings = 1u << RATING_EXPLICIT};
        struct idx_result r;
        assert_int_equal(idx_search(idx, &q, &r), 0);
        assert_int_equal(r.total, 1);
        assert_int_equal(r.hits[0].id, 194);
        idx_result_free(&r);
        q.ratings = ~(1u << RATING_EXPLICIT) & ((1u << RATING__COUNT) - 1);
        assert_int_equal(idx_search(idx, &q, &r), 0);
        assert_int_equal(r.total, N / 97 - 1);
        idx_result_free(&r);
    }
    idx_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),      cmocka_unit_test(test_phrases_prefixes_fields),
        cmocka_unit_test(test_bm25_order), cmocka_unit_test(test_languages),
        cmocka_unit_test(test_malformed),  cmocka_unit_test(test_snippets),
        cmocka_unit_test(test_edits),      cmocka_unit_test(test_compaction),
        cmocka_unit_test(test_skips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
