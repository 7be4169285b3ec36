/* test_params.c: struct idx_query from key/value parameters (index/params.h): every key,
 * comma-separated tags, blank values ignored, ranges and dates, and the error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/params.h"

#include <string.h>

#define P(k, v)                                                                                    \
    {                                                                                              \
        k, v                                                                                       \
    }
#define N(a) (sizeof(a) / sizeof(a[0]))

static void test_lists_and_bits(void **state)
{
    (void)state;
    struct idx_param p[] = {P("q", "dragon -fire"),
                            P("tag", "Fluff, Angst ,,"),
                            P("tag", "Maris/Tobin"),
                            P("exclude_tag", "Major Character Death"),
                            P("fandom", "Harbourlight Saga"),
                            P("rating", "G"),
                            P("rating", "Teen And Up Audiences"),
                            P("warning", "mcd"),
                            P("exclude_warning", "No Archive Warnings Apply"),
                            P("category", "F/F"),
                            P("exclude_category", "Gen"),
                            P("crossover", "only"),
                            P("complete", "F"),
                            P("language", "Français"),
                            P("sort", "words"),
                            P("dir", "asc"),
                            P("page", "3"),
                            P("per_page", "50"),
                            P("unknown", "ignored"),
                            P("words_from", "")};
    struct idx_qparams qp;
    assert_int_equal(idx_query_from_params(p, N(p), &qp), 0);
    const struct idx_query *q = &qp.q;
    assert_string_equal(q->text, "dragon -fire");
    assert_int_equal(q->ntags, 3);
    assert_string_equal(q->tags[0], "Fluff");
    assert_string_equal(q->tags[1], "Angst");
    assert_string_equal(q->tags[2], "Maris/Tobin");
    assert_int_equal(q->nexclude_tags, 1);
    assert_string_equal(q->exclude_tags[0], "Major Character Death");
    assert_int_equal(q->nfandoms, 1);
    assert_int_equal(q->ratings, (1u << RATING_GENERAL) | (1u << RATING_TEEN));
    assert_int_equal(q->warnings, WARN_MCD);
    assert_int_equal(q->exclude_warnings, WARN_NONE);
    assert_int_equal(q->categories, CAT_FF);
    assert_int_equal(q->exclude_categories, CAT_GEN);
    assert_int_equal(q->crossover, IDX_CROSSOVER_ONLY);
    assert_int_equal(q->complete, IDX_WIP_ONLY);
    assert_string_equal(q->language, "Français");
    assert_int_equal(q->sort, IDX_SORT_WORDS);
    assert_int_equal(q->dir, IDX_DIR_ASC);
    assert_int_equal(q->page, 3);
    assert_int_equal(q->per_page, 50);
    assert_int_equal(q->words.min, 0);
    assert_int_equal(q->include_restricted, 0);
    idx_qparams_free(&qp);
}

static void test_ranges_and_dates(void **state)
{
    (void)state;
    struct idx_qparams qp;
    struct idx_param a[] = {P("words_from", "100"), P("words_to", "2000"),
                            P("updated_from", "2024-02-29"), P("updated_to", "2024-03-01")};
    assert_int_equal(idx_query_from_params(a, N(a), &qp), 0);
    assert_int_equal(qp.q.words.min, 100);
    assert_int_equal(qp.q.words.max, 2000);
    assert_int_equal(qp.q.updated.min, 1709164800);         /* 2024-02-29T00:00:00Z */
    assert_int_equal(qp.q.updated.max, 1709251200 + 86399); /* end of 2024-03-01 */
    idx_qparams_free(&qp);

    struct idx_param b[] = {P("words", "-500")};
    assert_int_equal(idx_query_from_params(b, N(b), &qp), 0);
    assert_int_equal(qp.q.words.min, 0);
    assert_int_equal(qp.q.words.max, 500);
    idx_qparams_free(&qp);

    /* excluding ratings keeps the others */
    struct idx_param c[] = {P("exclude_rating", "E"), P("exclude_rating", "NR")};
    assert_int_equal(idx_query_from_params(c, N(c), &qp), 0);
    assert_int_equal(qp.q.ratings,
                     (1u << RATING_GENERAL) | (1u << RATING_TEEN) | (1u << RATING_MATURE));
    idx_qparams_free(&qp);

    assert_int_equal(idx_parse_date("2023-02-29"), -1);
    assert_int_equal(idx_parse_date("2023-2-28"), -1);
    assert_int_equal(idx_parse_date("1970-01-01"), 0);
    assert_int_equal(idx_parse_date("2023-12-31x"), -1);
}

static void expect_error(const char *key, const char *value, const char *words)
{
    struct idx_param p[] = {P(key, value)};
    struct idx_qparams qp;
    assert_int_equal(idx_query_from_params(p, 1, &qp), FICD_EINVAL);
    if (!strstr(qp.err, words))
        fail_msg("%s=%s: message '%s' lacks '%s'", key, value, qp.err, words);
    idx_qparams_free(&qp);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("rating", "Q", "unknown rating 'Q'");
    expect_error("warning", "spoilers", "unknown archive warning");
    expect_error("exclude_category", "Slashy", "unknown category");
    expect_error("crossover", "maybe", "crossover must be");
    expect_error("complete", "mostly", "complete must be");
    expect_error("words", "10-5", "words wants");
    expect_error("words_from", "-3", "words_from must be a whole number");
    expect_error("updated_to", "yesterday", "updated_to must be a date");
    expect_error("sort", "sideways", "unknown sort 'sideways'");
    expect_error("dir", "up", "dir must be asc or desc");
    expect_error("page", "0", "page number");
    expect_error("page", "1000001", "page number");
    expect_error("per_page", "1001", "per_page must be");

    struct idx_qparams qp;
    struct idx_param a[] = {P("words_from", "500"), P("words_to", "100")};
    assert_int_equal(idx_query_from_params(a, N(a), &qp), FICD_EINVAL);
    assert_non_null(strstr(qp.err, "more than words_to"));
    idx_qparams_free(&qp);
    struct idx_param b[] = {P("rating", "G"), P("exclude_rating", "G")};
    assert_int_equal(idx_query_from_params(b, N(b), &qp), FICD_EINVAL);
    assert_non_null(strstr(qp.err, "every rating is excluded"));
    idx_qparams_free(&qp);
    struct idx_param c[] = {P("q", "a"), P("q", "b")};
    assert_int_equal(idx_query_from_params(c, N(c), &qp), FICD_EINVAL);
    idx_qparams_free(&qp);

    /* at most IDX_PARAM_MAX_LIST tags */
    char many[IDX_PARAM_MAX_LIST * 3 + 8];
    size_t n = 0;
    for (int i = 0; i <= IDX_PARAM_MAX_LIST; i++) {
        many[n++] = 'a';
        many[n++] = ',';
    }
    many[n] = 0;
    struct idx_param d[] = {P("tag", many)};
    assert_int_equal(idx_query_from_params(d, N(d), &qp), FICD_EINVAL);
    assert_non_null(strstr(qp.err, "too many tag values"));
    idx_qparams_free(&qp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_and_bits),
        cmocka_unit_test(test_ranges_and_dates),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
