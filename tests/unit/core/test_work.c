/* test_work.c: the work model's names and parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/work.h"

static void test_rating_parse(void **state)
{
    (void)state;
    assert_int_equal(rating_parse("G"), RATING_GENERAL);
    assert_int_equal(rating_parse("K"), RATING_GENERAL);
    assert_int_equal(rating_parse("K+"), RATING_GENERAL);
    assert_int_equal(rating_parse("PG-13"), RATING_TEEN);
    assert_int_equal(rating_parse("pg13"), RATING_TEEN);
    assert_int_equal(rating_parse("Teen And Up Audiences"), RATING_TEEN);
    assert_int_equal(rating_parse("R"), RATING_MATURE);
    assert_int_equal(rating_parse("M"), RATING_MATURE);
    assert_int_equal(rating_parse("NC-17"), RATING_EXPLICIT);
    assert_int_equal(rating_parse("explicit"), RATING_EXPLICIT);
    assert_int_equal(rating_parse("Not Rated"), RATING_NOT_RATED);
    assert_int_equal(rating_parse("banana"), -1);
}

static void test_warning_category_parse(void **state)
{
    (void)state;
    assert_int_equal(warning_parse("Major Character Death"), WARN_MCD);
    assert_int_equal(warning_parse("character death"), WARN_MCD);
    assert_int_equal(warning_parse("Rape/Non-Con"), WARN_NONCON);
    assert_int_equal(warning_parse("No Archive Warnings Apply"), WARN_NONE);
    assert_int_equal(warning_parse("self-harm"), 0);
    assert_int_equal(category_parse("F/M"), CAT_FM);
    assert_int_equal(category_parse("slash"), CAT_MM);
    assert_int_equal(category_parse("Gen"), CAT_GEN);
    assert_string_equal(warning_name(WARN_MCD), "Major Character Death");
    assert_string_equal(category_name(CAT_MULTI), "Multi");
    assert_string_equal(rating_name(RATING_TEEN), "Teen And Up Audiences");
}

static void test_lists_and_copy(void **state)
{
    (void)state;
    struct work w, c;
    work_init(&w);
    strlist_add_unique(&w.characters, "Sakura");
    strlist_add_unique(&w.characters, "sakura");
    assert_int_equal(w.characters.n, 1);
    struct chapter *ch = work_add_chapter(&w);
    ch->words = 10;
    ch = work_add_chapter(&w);
    ch->words = 5;
    assert_int_equal(ch->position, 2);
    assert_int_equal(work_words(&w), 15);
    w.expected_chapters = 2;
    assert_true(work_is_complete(&w));
    assert_int_equal(work_copy(&c, &w), 0);
    assert_int_equal(c.nchapters, 2);
    assert_string_equal(c.characters.v[0], "Sakura");
    work_free(&w);
    work_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rating_parse),
        cmocka_unit_test(test_warning_category_parse),
        cmocka_unit_test(test_lists_and_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
