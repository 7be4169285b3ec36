/* test_efiction.c: eFiction's classifications on AO3's model (the defaults, and a mapping
 * file's overrides and its errors by line), story bodies (HTML kept and sanitized, plain
 * text as paragraphs, inline markup with line ends), notes as plain text, dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/work.h"
#include "text/efiction.h"
#include "text/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void defaults(void **state)
{
    (void)state;
    struct efmap m;
    char err[256] = "";
    assert_int_equal(efmap_load(&m, NULL, err, sizeof(err)), 0);
    struct work w;
    static const struct {
        const char *name;
        enum rating r;
    } ratings[] = {{"All Ages", RATING_GENERAL}, {"Pre-Teen", RATING_GENERAL},
                   {"PG-13", RATING_TEEN},       {"Teen", RATING_TEEN},
                   {"R", RATING_MATURE},         {"Mature", RATING_MATURE},
                   {"NC-17", RATING_EXPLICIT},   {"Adult", RATING_EXPLICIT}};
    for (size_t i = 0; i < sizeof(ratings) / sizeof(ratings[0]); i++) {
        work_init(&w);
        efmap_rating(&m, ratings[i].name, &w);
        assert_int_equal(w.rating, ratings[i].r);
        assert_int_equal(w.rating_declared, 1);
        work_free(&w);
    }
    work_init(&w);
    efmap_rating(&m, "Spicy", &w);
    assert_int_equal(w.rating_declared, 0);
    efmap_class(&m, "warnings", "Character Death", &w);
    efmap_class(&m, "warnings", "Non-Consensual Sex Acts", &w);
    efmap_class(&m, "warnings", "Language", &w);
    efmap_class(&m, "genres", "Angst", &w);
    efmap_class(&m, "pairings", "Ada/Kell", &w);
    efmap_class(&m, "something", "Crossover", &w);
    efmap_category(&m, "Starfall", &w);
    efmap_character(&m, "Ada Voss", &w);
    efmap_finish(&w);
    assert_int_equal(w.warnings, WARN_MCD | WARN_NONCON);
    assert_int_equal(w.freeforms.n, 3);
    assert_string_equal(w.freeforms.v[0], "Language");
    assert_string_equal(w.freeforms.v[1], "Angst");
    assert_string_equal(w.freeforms.v[2], "Crossover");
    assert_string_equal(w.relationships.v[0], "Ada/Kell");
    assert_string_equal(w.fandoms.v[0], "Starfall");
    assert_string_equal(w.characters.v[0], "Ada Voss");
    work_free(&w);
    work_init(&w);
    efmap_finish(&w);
    assert_int_equal(w.warnings, WARN_CHOSE_NOT);
    work_free(&w);
    efmap_free(&m);
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/ficd-efmap-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void mapping_file(void **state)
{
    (void)state;
    char *path = write_tmp("# overrides\n"
                           "rating Adult = Mature\n"
                           "class Language = drop\n"
                           "class \"Dub-Con\" = warning: Rape/Non-Con\n"
                           "class Slash = category: M/M\n"
                           "classtype genres = relationship\n"
                           "category Starfall = fandom: Starfall (Books)\n"
                           "character Other = drop\n");
    struct efmap m;
    char err[256] = "";
    assert_int_equal(efmap_load(&m, path, err, sizeof(err)), 0);
    unlink(path);
    struct work w;
    work_init(&w);
    efmap_rating(&m, "adult", &w);
    assert_int_equal(w.rating, RATING_MATURE);
    efmap_class(&m, "warnings", "Language", &w);
    efmap_class(&m, "warnings", "Dub-Con", &w);
    efmap_class(&m, "categories", "Slash", &w);
    efmap_class(&m, "genres", "Ada/Kell", &w);
    efmap_category(&m, "Starfall", &w);
    efmap_character(&m, "Other", &w);
    assert_int_equal(w.freeforms.n, 0);
    assert_int_equal(w.warnings, WARN_NONCON);
    assert_int_equal(w.categories, CAT_MM);
    assert_string_equal(w.relationships.v[0], "Ada/Kell");
    assert_string_equal(w.fandoms.v[0], "Starfall (Books)");
    assert_int_equal(w.characters.n, 0);
    work_free(&w);
    efmap_free(&m);

    static const struct {
        const char *text, *want;
    } bad[] = {{"rating Adult = Spicy\n", ":1: 'Spicy' is not a rating"},
               {"\nclass X = warning: Sad Ending\n", ":2: 'Sad Ending' is not one of AO3's"},
               {"class X = category: Romance\n", ":1: 'Romance' is not a category"},
               {"class X = elsewhere\n", ":1: unknown target 'elsewhere'"},
               {"genre X = freeform\n", ":1: expected 'KIND NAME = TARGET'"},
               {"class = freeform\n", ":1: no eFiction name before '='"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        path = write_tmp(bad[i].text);
        err[0] = '\0';
        assert_int_equal(efmap_load(&m, path, err, sizeof(err)), -1);
        if (!strstr(err, bad[i].want))
            fprintf(stderr, "got '%s', want '%s'\n", err, bad[i].want);
        assert_non_null(strstr(err, bad[i].want));
        assert_non_null(strstr(err, path));
        efmap_free(&m);
        unlink(path);
    }
    assert_int_equal(efmap_load(&m, "/nonexistent/map.txt", err, sizeof(err)), -1);
    efmap_free(&m);
}

static void bodies(void **state)
{
    (void)state;
    char *h = efmap_body("<p>One <em>two</em></p><script>x()</script>");
    assert_string_equal(h, "<p>One <em>two</em></p>");
    free(h);
    h = efmap_body("First line\nsecond line\r\n\r\nNew paragraph & <3\n");
    assert_string_equal(h, "<p>First line<br>second line</p>\n<p>New paragraph &amp; &lt;3</p>");
    free(h);
    h = efmap_body("Some <b>bold</b>\n\nand more");
    assert_string_equal(h, "<p>Some <b>bold</b></p>\n<p>and more</p>");
    free(h);
    char *t = efmap_plain("<p>Notes &amp; more.</p><p>Second.</p>");
    assert_string_equal(t, "Notes & more.\n\nSecond.");
    free(t);
    t = efmap_plain("Line one\nline two");
    assert_string_equal(t, "Line one\nline two");
    free(t);
    assert_null(efmap_plain(""));
    assert_null(efmap_plain(NULL));
    assert_true(efmap_datetime("2007-05-01 10:00:00") == 1178013600LL);
    assert_true(efmap_datetime("0000-00-00 00:00:00") == 0);
    assert_true(efmap_datetime(NULL) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(mapping_file),
        cmocka_unit_test(bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
