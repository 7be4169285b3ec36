/* test_export.c: format names and slugs; the plain-text, Markdown and HTML exports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/work.h"
#include "text/export.h"
#include "text/manuscript.h"

#include <stdlib.h>
#include <string.h>

static void add_chapter(struct work *w, const char *title, const char *html, int words)
{
    struct chapter *c = work_add_chapter(w);
    assert_non_null(c);
    c->title = title ? strdup(title) : NULL;
    c->html = strdup(html);
    c->words = words;
}

/* A two-chapter work in progress with every kind of metadata. */
static void make_wip(struct work *w)
{
    work_init(w);
    w->title = strdup("Under the <script>alert(1)</script> Sky");
    assert_int_equal(strlist_add(&w->creators, "Anna"), 0);
    assert_int_equal(strlist_add(&w->creators, "Bo & Co"), 0);
    assert_int_equal(strlist_add(&w->fandoms, "Star Trek"), 0);
    assert_int_equal(strlist_add(&w->fandoms, "Doctor Who"), 0);
    assert_int_equal(strlist_add(&w->relationships, "Kirk/Spock"), 0);
    assert_int_equal(strlist_add(&w->characters, "James T. Kirk"), 0);
    assert_int_equal(strlist_add(&w->freeforms, "Angst"), 0);
    assert_int_equal(strlist_add(&w->freeforms, "Hurt/Comfort"), 0);
    assert_int_equal(strlist_add(&w->beta, "Cleo"), 0);
    w->rating = RATING_TEEN;
    w->rating_declared = 1;
    w->warnings = WARN_NONE;
    w->categories = CAT_MM | CAT_GEN;
    w->language = strdup("English");
    w->summary = strdup("First line of the summary.\n\nSecond \"paragraph\".");
    w->notes_begin = strdup("Thanks to my beta.");
    w->notes_end = strdup("Comments welcome!");
    w->series = strdup("The Long Way");
    w->series_position = 2;
    w->published = 1577923200; /* 2020-01-02 */
    w->updated = 1583280000;   /* 2020-03-04 */
    add_chapter(w, "Beginning",
                "<p>It was a <em>dark</em> night.</p>\n<hr>\n<p>Then <strong>dawn</strong>.</p>",
                1200);
    add_chapter(w, "The End?", "<p>Second chapter text.</p>", 34);
    w->chapters[0].notes_begin = strdup("Chapter one notes.");
    w->chapters[1].notes_end = strdup("Chapter two end notes.");
}

static char *export(const struct work *w, enum export_format f)
{
    struct buf b = BUF_INIT;
    assert_int_equal(export_work(w, f, &b), 0);
    assert_int_equal(b.err, 0);
    return buf_take(&b);
}

/* Asserts that the needles occur in s in the given order. */
static void assert_in_order(const char *s, const char *const *needles, size_t n)
{
    const char *p = s;
    for (size_t i = 0; i < n; i++) {
        const char *q = strstr(p, needles[i]);
        if (!q)
            fail_msg("\"%s\" missing or out of order", needles[i]);
        p = q + strlen(needles[i]);
    }
}

static void test_formats(void **state)
{
    (void)state;
    assert_int_equal(export_format_parse("txt"), EXPORT_TXT);
    assert_int_equal(export_format_parse("md"), EXPORT_MD);
    assert_int_equal(export_format_parse("markdown"), EXPORT_MD);
    assert_int_equal(export_format_parse("html"), EXPORT_HTML);
    assert_int_equal(export_format_parse("EPUB"), EXPORT_EPUB);
    assert_int_equal(export_format_parse("pdf"), -1);
    assert_int_equal(export_format_parse(""), -1);
    assert_int_equal(export_format_parse(NULL), -1);
    assert_string_equal(export_format_ext(EXPORT_TXT), "txt");
    assert_string_equal(export_format_ext(EXPORT_MD), "md");
    assert_string_equal(export_format_ext(EXPORT_HTML), "html");
    assert_string_equal(export_format_ext(EXPORT_EPUB), "epub");
    assert_string_equal(export_format_mime(EXPORT_TXT), "text/plain; charset=utf-8");
    assert_string_equal(export_format_mime(EXPORT_MD), "text/markdown; charset=utf-8");
    assert_string_equal(export_format_mime(EXPORT_HTML), "text/html; charset=utf-8");
    assert_string_equal(export_format_mime(EXPORT_EPUB), "application/epub+zip");
}

static void test_slug(void **state)
{
    (void)state;
    static const struct {
        const char *title, *slug;
    } cases[] = {
        {"The Title", "The_Title"},
        {"Ça — “quoted” & <brackets>", "Ca_quoted_brackets"},
        {"  leading and trailing!  ", "leading_and_trailing"},
        {"Café Naïve", "Cafe_Naive"},
        {"日本語", "work"},
        {"", "work"},
        {"!!!", "work"},
        {NULL, "work"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *s = export_slug(cases[i].title);
        assert_string_equal(s, cases[i].slug);
        free(s);
    }
    char *s = export_slug("Aaaaaaaaaa Bbbbbbbbbb Cccccccccc Dddddddddd Eeeeeeeeee Ffffffffff Gggg");
    assert_true(strlen(s) <= 60);
    assert_string_equal(s, "Aaaaaaaaaa_Bbbbbbbbbb_Cccccccccc_Dddddddddd_Eeeeeeeeee");
    free(s);
}

static void test_txt(void **state)
{
    (void)state;
    struct work w;
    make_wip(&w);
    char *t = export(&w, EXPORT_TXT);
    static const char *const order[] = {
        "Under the <script>alert(1)</script> Sky\nby Anna, Bo & Co\n",
        "Rating: Teen And Up Audiences\n",
        "Archive Warning: No Archive Warnings Apply\n",
        "Categories: Gen, M/M\n",
        "Fandoms: Star Trek, Doctor Who\n",
        "Relationship: Kirk/Spock\n",
        "Character: James T. Kirk\n",
        "Additional Tags: Angst, Hurt/Comfort\n",
        "Language: English\n",
        "Series: Part 2 of The Long Way\n",
        "Stats: Published: 2020-01-02 Updated: 2020-03-04 Words: 1,234 Chapters: 2/?\n",
        "Summary:\n\nFirst line of the summary.\n\nSecond \"paragraph\".\n",
        "Notes:\n\nThanks to my beta.\n",
        "Chapter 1: Beginning\n",
        "Chapter Notes:\n\nChapter one notes.\n",
        "It was a *dark* night.\n\n",
        "* * *\n\nThen **dawn**.\n",
        "Chapter 2: The End?\n",
        "Second chapter text.\n",
        "Chapter End Notes:\n\nChapter two end notes.\n",
        "End Notes:\n\nComments welcome!\n",
    };
    assert_in_order(t, order, sizeof(order) / sizeof(order[0]));
    free(t);
    work_free(&w);
}

static void test_md_contract(void **state)
{
    (void)state;
    struct work w;
    make_wip(&w);
    char *m = export(&w, EXPORT_MD);
    assert_string_equal(m, "---\n"
                           "title: \"Under the <script>alert(1)</script> Sky\"\n"
                           "creators: [\"Anna\", \"Bo & Co\"]\n"
                           "fandoms: [\"Star Trek\", \"Doctor Who\"]\n"
                           "rating: \"Teen And Up Audiences\"\n"
                           "warnings: [\"No Archive Warnings Apply\"]\n"
                           "categories: [\"Gen\", \"M/M\"]\n"
                           "relationships: [\"Kirk/Spock\"]\n"
                           "characters: [\"James T. Kirk\"]\n"
                           "freeforms: [\"Angst\", \"Hurt/Comfort\"]\n"
                           "language: \"English\"\n"
                           "beta: [\"Cleo\"]\n"
                           "chapters: \"2/?\"\n"
                           "series: \"The Long Way\"\n"
                           "series_position: 2\n"
                           "summary: |\n"
                           "  First line of the summary.\n"
                           "\n"
                           "  Second \"paragraph\".\n"
                           "notes_begin: |\n"
                           "  Thanks to my beta.\n"
                           "notes_end: |\n"
                           "  Comments welcome!\n"
                           "---\n"
                           "\n"
                           "# Chapter 1: Beginning\n"
                           "\n"
                           "It was a *dark* night.\n"
                           "\n"
                           "* * *\n"
                           "\n"
                           "Then **dawn**.\n"
                           "\n"
                           "# Chapter 2: The End?\n"
                           "\n"
                           "Second chapter text.\n");
    free(m);
    work_free(&w);
}

/* One untitled chapter: no heading; an undeclared rating, no language and no series are left
 * out; lists are written empty; strings are JSON-escaped. */
static void test_md_minimal(void **state)
{
    (void)state;
    struct work w;
    work_init(&w);
    w.title = strdup("Quote \" back\\slash\nnew\tline \x01 — é");
    w.expected_chapters = 1;
    add_chapter(&w, NULL, "<p>Only text.</p>", 2);
    char *m = export(&w, EXPORT_MD);
    assert_string_equal(m, "---\n"
                           "title: \"Quote \\\" back\\\\slash\\nnew\\tline \\u0001 — é\"\n"
                           "creators: []\n"
                           "fandoms: []\n"
                           "warnings: []\n"
                           "categories: []\n"
                           "relationships: []\n"
                           "characters: []\n"
                           "freeforms: []\n"
                           "beta: []\n"
                           "chapters: \"1/1\"\n"
                           "---\n"
                           "\n"
                           "Only text.\n");
    free(m);
    /* a declared "Not Rated" is written */
    w.rating_declared = 1;
    m = export(&w, EXPORT_MD);
    assert_non_null(strstr(m, "\nrating: \"Not Rated\"\n"));
    free(m);
    work_free(&w);
}

static void test_html(void **state)
{
    (void)state;
    struct work w;
    make_wip(&w);
    char *h = export(&w, EXPORT_HTML);
    assert_null(strstr(h, "<script>"));
    assert_non_null(strstr(h, "Under the &lt;script&gt;alert(1)&lt;/script&gt; Sky"));
    assert_null(strstr(h, "<link"));
    assert_null(strstr(h, " src="));
    static const char *const order[] = {
        "<!DOCTYPE html>\n<html lang=\"en\">",
        "<title>Under the &lt;script&gt;alert(1)&lt;/script&gt; Sky - Anna, Bo &amp; Co</title>",
        "<style>",
        "<dl class=\"tags\">",
        "<dt>Rating:</dt><dd>Teen And Up Audiences</dd>",
        "<dt>Archive Warning:</dt><dd>No Archive Warnings Apply</dd>",
        "<dt>Categories:</dt><dd>Gen, M/M</dd>",
        "<dt>Fandoms:</dt><dd>Star Trek, Doctor Who</dd>",
        "<dt>Relationship:</dt><dd>Kirk/Spock</dd>",
        "<dt>Character:</dt><dd>James T. Kirk</dd>",
        "<dt>Additional Tags:</dt><dd>Angst, Hurt/Comfort</dd>",
        "<dt>Language:</dt><dd>English</dd>",
        "<dt>Series:</dt><dd>Part 2 of The Long Way</dd>",
        "Words: 1,234 Chapters: 2/?</dd>",
        "</dl>",
        "<h1 class=\"title\">Under the &lt;script&gt;",
        "<p class=\"byline\">by Anna, Bo &amp; Co</p>",
        "<h2>Summary</h2>",
        "<p>First line of the summary.</p>",
        "<p>Second &quot;paragraph&quot;.</p>",
        "<h2>Notes</h2>",
        "<p>Thanks to my beta.</p>",
        "<h2 class=\"heading\">Chapter 1: Beginning</h2>",
        "Chapter one notes.",
        "<p>It was a <em>dark</em> night.</p>\n<hr>\n<p>Then <strong>dawn</strong>.</p>",
        "<h2 class=\"heading\">Chapter 2: The End?</h2>",
        "<p>Second chapter text.</p>",
        "Chapter two end notes.",
        "<h2>End Notes</h2>",
        "Comments welcome!",
        "</html>\n",
    };
    assert_in_order(h, order, sizeof(order) / sizeof(order[0]));
    free(h);
    work_free(&w);
}

/* A complete one-shot: "Completed" shows and "1/1"; a work without title is "Untitled". */
static void test_complete_and_untitled(void **state)
{
    (void)state;
    struct work w;
    work_init(&w);
    w.expected_chapters = 2;
    w.published = 1577923200;
    w.updated = 1583280000;
    add_chapter(&w, NULL, "<p>a</p>", 1);
    add_chapter(&w, NULL, "<p>b</p>", 1);
    char *t = export(&w, EXPORT_TXT);
    assert_non_null(strstr(t, "Untitled\n"));
    assert_non_null(strstr(t, "Completed: 2020-03-04 Words: 2 Chapters: 2/2\n"));
    assert_non_null(strstr(t, "Chapter 1\n"));
    assert_non_null(strstr(t, "Chapter 2\n"));
    free(t);
    char *h = export(&w, EXPORT_HTML);
    assert_non_null(strstr(h, "<title>Untitled</title>"));
    assert_non_null(strstr(h, "Chapters: 2/2"));
    free(h);
    char *m = export(&w, EXPORT_MD);
    assert_non_null(strstr(m, "title: \"\"\n"));
    assert_non_null(strstr(m, "\n# Chapter 1\n\na\n\n# Chapter 2\n\nb\n"));
    free(m);
    work_free(&w);
}

static void assert_lists_equal(const struct strlist *a, const struct strlist *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_string_equal(a->v[i], b->v[i]);
}

/* The Markdown contract: what the importer reads back from the export is the work. */
static void check_md_reimport(const struct work *w)
{
    char *m = export(w, EXPORT_MD);
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    o.format = MS_MARKDOWN;
    struct text_err e;
    memset(&e, 0, sizeof(e));
    struct work r;
    int rc = ms_parse(m, strlen(m), &o, &r, &e);
    if (rc)
        fail_msg("ms_parse: %d %s (line %d)\n%s", rc, e.msg, e.line, m);
    assert_string_equal(r.title, w->title);
    assert_lists_equal(&r.creators, &w->creators);
    assert_lists_equal(&r.fandoms, &w->fandoms);
    assert_lists_equal(&r.relationships, &w->relationships);
    assert_lists_equal(&r.characters, &w->characters);
    assert_lists_equal(&r.freeforms, &w->freeforms);
    assert_lists_equal(&r.beta, &w->beta);
    assert_int_equal(r.rating, w->rating);
    assert_int_equal(r.warnings, w->warnings);
    assert_int_equal(r.categories, w->categories);
    assert_int_equal(r.expected_chapters, w->expected_chapters);
    if (w->language)
        assert_string_equal(r.language, w->language);
    if (w->series) {
        assert_string_equal(r.series, w->series);
        assert_int_equal(r.series_position, w->series_position);
    }
    if (w->summary)
        assert_string_equal(r.summary, w->summary);
    if (w->notes_begin)
        assert_string_equal(r.notes_begin, w->notes_begin);
    if (w->notes_end)
        assert_string_equal(r.notes_end, w->notes_end);
    assert_int_equal(r.nchapters, w->nchapters);
    for (size_t i = 0; i < w->nchapters; i++) {
        if (w->chapters[i].title)
            assert_string_equal(r.chapters[i].title, w->chapters[i].title);
        assert_string_equal(r.chapters[i].html, w->chapters[i].html);
    }
    work_free(&r);
    free(m);
}

static void test_md_reimport(void **state)
{
    (void)state;
    struct work w;
    make_wip(&w);
    free(w.title);
    w.title = strdup("Ça — “quoted” & <brackets>");
    /* chapter bodies in the form the importer stores them */
    free(w.chapters[0].html);
    w.chapters[0].html = strdup("<p>It was a <em>dark</em> night.</p>\n<hr>\n<p>Then\n"
                                "<strong>dawn</strong>.<br>\n- not a list</p>\n<blockquote>\n"
                                "<p>Quoted “text” &amp; more.</p>\n</blockquote>\n<ul>\n"
                                "<li>one</li>\n<li>two</li>\n</ul>");
    check_md_reimport(&w);
    work_free(&w);

    work_init(&w);
    w.title = strdup("A one-shot");
    assert_int_equal(strlist_add(&w.creators, "Solo"), 0);
    w.expected_chapters = 1;
    add_chapter(&w, NULL, "<p>Only <em>one</em> chapter.</p>\n<p>Two paragraphs.</p>", 5);
    check_md_reimport(&w);
    work_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats),    cmocka_unit_test(test_slug),
        cmocka_unit_test(test_txt),        cmocka_unit_test(test_md_contract),
        cmocka_unit_test(test_md_minimal), cmocka_unit_test(test_md_reimport),
        cmocka_unit_test(test_html),       cmocka_unit_test(test_complete_and_untitled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
