/* test_manuscript.c: ms_import / ms_parse on invented fixtures (tests/fixtures/manuscripts and
 * inline), every convention and trap of the importer, and the shared real samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/buf.h"
#include "text/manuscript.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIX FICD_SOURCE_DIR "/tests/fixtures/manuscripts/"

static struct text_err te;

/* Imports s (n bytes) as if from a file called name; asserts success. */
static void imp_n(const char *s, size_t n, const char *name, struct work *w)
{
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    o.filename = name;
    int rc = ms_import((const unsigned char *)s, n, &o, w, &te);
    if (rc)
        fail_msg("import of %s failed: %d %s (line %d)", name, rc, te.msg, te.line);
}

static void imp(const char *s, const char *name, struct work *w)
{
    imp_n(s, strlen(s), name, w);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *d = malloc((size_t)len + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)len, f), (size_t)len);
    d[len] = '\0';
    fclose(f);
    *n = (size_t)len;
    return d;
}

static void imp_file(const char *name, struct work *w)
{
    char path[512];
    snprintf(path, sizeof(path), FIX "%s", name);
    size_t n;
    char *d = slurp(path, &n);
    assert_non_null(d);
    imp_n(d, n, path, w);
    free(d);
}

static int has(const struct strlist *l, const char *s)
{
    return strlist_contains(l, s);
}

static const char *body(const struct work *w)
{
    return w->nchapters ? w->chapters[0].html : "";
}

static void test_header_block_every_key(void **state)
{
    (void)state;
    struct work w;
    imp("Title: Moss and Mortar\n"
        "Author: Fenwick Dray, Ilo & Pell and Quint\n"
        "Fandom: Stonecutters; Old Roads\n"
        "Series: The Quarry Songs\n"
        "Pairing: Ada x Bram, Cel & Dov\n"
        "Characters: Ada, Bram, Cel\n"
        "Rated: PG-13\n"
        "Warnings: graphic violence, mentions of drowning\n"
        "Category: F/M, Gen\n"
        "Genre: Angst/Romance\n"
        "Language: english\n"
        "Status: Complete\n"
        "Summary: A wall falls down.\n"
        "Someone builds it again.\n"
        "Disclaimer: I don't own Stonecutters.\n"
        "Tags: slow burn, masonry\n"
        "Beta'd by: Lintel\n"
        "Timeline: after the quarry closed\n"
        "Word count: 99\n"
        "\n"
        "The mortar was still wet when Ada set the last stone, and she pressed her thumb into "
        "it to leave a mark that nobody would ever see. Bram laughed at her for it.\n",
        "x.txt", &w);
    assert_string_equal(w.title, "Moss and Mortar");
    assert_int_equal(w.creators.n, 4);
    assert_true(has(&w.creators, "Fenwick Dray") && has(&w.creators, "Ilo") &&
                has(&w.creators, "Pell") && has(&w.creators, "Quint"));
    assert_true(has(&w.fandoms, "Stonecutters") && has(&w.fandoms, "Old Roads"));
    assert_string_equal(w.series, "The Quarry Songs");
    assert_true(has(&w.relationships, "Ada/Bram") && has(&w.relationships, "Cel & Dov"));
    assert_int_equal(w.characters.n, 3);
    assert_int_equal(w.rating, RATING_TEEN);
    assert_int_equal(w.rating_declared, 1);
    assert_int_equal(w.warnings, WARN_VIOLENCE);
    assert_true(has(&w.freeforms, "Mentions of Drowning"));
    assert_int_equal(w.categories, CAT_FM | CAT_GEN);
    assert_true(has(&w.freeforms, "Angst") && has(&w.freeforms, "Romance"));
    assert_string_equal(w.language, "English");
    assert_int_equal(w.expected_chapters, 1);
    assert_string_equal(w.summary, "A wall falls down.\nSomeone builds it again.");
    assert_non_null(strstr(w.notes_begin, "Disclaimer: I don't own Stonecutters."));
    assert_non_null(strstr(w.notes_begin, "Timeline: after the quarry closed"));
    assert_null(strstr(w.notes_begin, "99"));
    assert_true(has(&w.freeforms, "slow burn") && has(&w.freeforms, "masonry"));
    assert_true(has(&w.beta, "Lintel"));
    assert_int_equal(w.nchapters, 1);
    assert_non_null(strstr(body(&w), "<p>The mortar was still wet"));
    assert_null(strstr(body(&w), "Title:"));
    assert_int_equal(w.draft, 1);
    work_free(&w);
}

static void test_ratings(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        enum rating r;
    } cases[] = {
        {"Rating: K", RATING_GENERAL},
        {"Rating: K+",
         RATING_GENERAL}, /* FanFiction.net K+ is General Audiences, as AO3 imports it */
        {"Rating: PG-13", RATING_TEEN},
        {"Rating: NC-17", RATING_EXPLICIT},
        {"Rating: MA", RATING_EXPLICIT},
        {"Rated T", RATING_TEEN},
        {"Rating: M for violence", RATING_MATURE},
        {"Rating: Teen And Up Audiences", RATING_TEEN},
        {"Rating: General Audiences", RATING_GENERAL},
        {"Rating: E", RATING_EXPLICIT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char doc[512];
        snprintf(doc, sizeof(doc),
                 "Little Fires\n\n%s\nAuthor: Ember\n\nThe match flared and went out, and the "
                 "dark came back twice as thick as before. Rook struck another.\n",
                 cases[i].line);
        struct work w;
        imp(doc, "r.txt", &w);
        if (w.rating != cases[i].r || !w.rating_declared)
            fail_msg("%s: rating %d", cases[i].line, w.rating);
        assert_string_equal(w.title, "Little Fires");
        work_free(&w);
    }
    struct work w;
    imp("Just prose here, and it runs on for a good while without any header at all, which "
        "is how a lot of people write.\n",
        "plain.txt", &w);
    assert_int_equal(w.rating_declared, 0);
    assert_int_equal(w.rating, RATING_NOT_RATED);
    work_free(&w);
}

static void test_sentence_warnings(void **state)
{
    (void)state;
    struct work w;
    imp("Ash Season\n\nWarnings are character death, mentions of self-harm.\n\nThe smoke "
        "came over the ridge at noon and by evening the whole valley tasted of it.\n",
        "a.txt", &w);
    assert_int_equal(w.warnings, WARN_MCD);
    assert_true(has(&w.freeforms, "Mentions of Self-Harm"));
    assert_null(strstr(body(&w), "Warnings"));
    work_free(&w);

    imp("Ash Season\n\nWarning: contains major character death and violence\n\nThe smoke "
        "came over the ridge at noon and by evening the whole valley tasted of it.\n",
        "a.txt", &w);
    assert_int_equal(w.warnings, WARN_MCD | WARN_VIOLENCE);
    assert_int_equal(w.freeforms.n, 0);
    work_free(&w);

    imp("WARNING: rape/non-con, underage, gore\n\nThe smoke came over the ridge at noon and "
        "by evening the whole valley tasted of it.\n",
        "a.txt", &w);
    assert_int_equal(w.warnings, WARN_NONCON | WARN_UNDERAGE | WARN_VIOLENCE);
    work_free(&w);

    imp("Ash Season\nWarnings: none\n\nThe smoke came over the ridge at noon.\n", "a.txt", &w);
    assert_int_equal(w.warnings, WARN_NONE);
    work_free(&w);
}

static void test_dialogue_traps(void **state)
{
    (void)state;
    struct work w;
    imp("\"Warning: the bridge is out,\" she said, and nobody listened to her, which was how "
        "most of her days went.\n\n"
        "Rating: this is what the sign said, but it was rusted through.\n\n"
        "\"The end of the line,\" the driver called. The end of something, anyway.\n\n"
        "The End\n",
        "trap.txt", &w);
    assert_int_equal(w.warnings, 0);
    assert_int_equal(w.rating_declared, 0);
    assert_string_equal(w.title, "Trap");
    assert_non_null(strstr(body(&w), "Warning: the bridge is out,"));
    assert_non_null(strstr(body(&w), "Rating: this is what the sign said"));
    assert_non_null(strstr(body(&w), "The end of the line,"));
    assert_null(strstr(body(&w), "<p>The End</p>"));
    assert_null(w.notes_begin);
    work_free(&w);
}

static void test_title_pairing_and_end_notes(void **state)
{
    (void)state;
    struct work w;
    imp_file("title-pairing.txt", &w);
    assert_string_equal(w.title, "Salt and Embers");
    assert_int_equal(w.relationships.n, 1);
    assert_string_equal(w.relationships.v[0], "Maris/Tobin");
    assert_int_equal(w.characters.n, 0);
    assert_true(has(&w.sugg_characters, "Maris") && has(&w.sugg_characters, "Tobin"));
    assert_true(has(&w.sugg_fandoms, "Harbourlight Saga"));
    assert_int_equal(w.fandoms.n, 0);
    assert_int_equal(w.warnings, WARN_MCD);
    assert_true(has(&w.freeforms, "Mentions of Self-Harm"));
    assert_true(has(&w.freeforms, "Songfic"));
    assert_true(has(&w.beta, "Quenby"));
    assert_int_equal(w.beta.n, 1);
    assert_non_null(strstr(w.notes_end, "Thanks for reading!"));
    assert_non_null(strstr(w.notes_end, "Lantern Song"));
    assert_null(strstr(w.notes_end, "A/N"));
    assert_non_null(strstr(w.notes_begin, "I don't own Harbourlight Saga"));
    const char *b = body(&w);
    assert_non_null(strstr(b, "Warning: the bridge is out,"));
    assert_non_null(strstr(b, "the end of the line for the old pier"));
    assert_non_null(strstr(b, "<hr>"));
    assert_null(strstr(b, "Fin."));
    assert_null(strstr(b, "Quenby"));
    assert_int_equal(w.expected_chapters, 1);
    assert_true(w.chapters[0].words > 100);
    work_free(&w);
}

static void test_chapters_and_status(void **state)
{
    (void)state;
    struct work w;
    imp_file("wip-chapters.txt", &w);
    assert_string_equal(w.title, "The Clockmaker's Daughter");
    assert_true(has(&w.creators, "Penwright") && has(&w.creators, "Ashgrove"));
    assert_int_equal(w.rating, RATING_GENERAL);
    assert_int_equal(w.expected_chapters, 5);
    assert_true(has(&w.freeforms, "Mystery") && has(&w.freeforms, "Hurt") &&
                has(&w.freeforms, "Comfort"));
    assert_string_equal(w.summary,
                        "Every clock in Veyle stops at midnight, except one.\nIt ticks on in a "
                        "locked attic.");
    assert_int_equal(w.nchapters, 2);
    assert_string_equal(w.chapters[0].title, "The Stopped Hours");
    assert_string_equal(w.chapters[1].title, "The Attic Key");
    assert_string_equal(w.chapters[0].notes_begin, "First chapter! Let me know what you think.");
    assert_string_equal(w.chapters[0].notes_end, "Thanks for reading, please review!");
    const char *c1 = w.chapters[0].html, *c2 = w.chapters[1].html;
    assert_non_null(strstr(c1, "<em>tick</em>"));
    assert_non_null(strstr(c1, "<strong>tock</strong>"));
    assert_non_null(strstr(c1, "snake_case_label"));
    assert_null(strstr(c1, "CHAPTER"));
    assert_null(strstr(c1, "please review"));
    assert_non_null(strstr(c2, "She climbed the stairs slowly.<br>\nThe door"));
    assert_null(strstr(c2, "continued"));
    assert_int_equal(w.chapters[0].position, 1);
    assert_int_equal(w.chapters[1].position, 2);
    work_free(&w);

    imp("Short\n\nTBC\n\nThe first part of something that is not done yet, and the writer "
        "knows it, so the last line says so.\n\nTo be continued\n",
        "t.txt", &w);
    assert_int_equal(w.expected_chapters, 0);
    work_free(&w);
    imp("Short\nStatus: WIP\n\nA story that has barely begun but has a status line.\n", "t.txt",
        &w);
    assert_int_equal(w.expected_chapters, 0);
    work_free(&w);
    imp("Short\nChapters: 3/?\n\nA story that has barely begun but has a count.\n", "t.txt", &w);
    assert_int_equal(w.expected_chapters, 0);
    work_free(&w);
}

static void test_heading_forms(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *title; /* NULL: untitled; "-" not a heading */
    } cases[] = {
        {"Chapter 1", NULL},
        {"Chapter 12: The Long Road", "The Long Road"},
        {"Chapter One - Title Here", "Title Here"},
        {"Chapter Twenty-Three", NULL},
        {"CHAPTER II", NULL},
        {"Chapter iv: Small", "Small"},
        {"Ch. 3", NULL},
        {"Part 2: Crossing", "Crossing"},
        {"Prologue", "Prologue"},
        {"EPILOGUE", "Epilogue"},
        {"~ Chapter 5 ~", NULL},
        {"**Chapter 6 \xE2\x80\x94 Ink**", "Ink"},
        {"Chapter 7 (Rain)", "Rain"},
        {"Chapter one of her life began badly.", "-"},
        {"Part of me wanted to stay.", "-"},
        {"\"Chapter 1,\" she read aloud.", "-"},
        {"Chapters", "-"},
        {"Chapter IIV", "-"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char doc[512];
        snprintf(doc, sizeof(doc),
                 "Heading Test\n\nAuthor: Tess\n\n%s\n\nThe first paragraph of the chapter, with "
                 "enough words in it to read as prose and not as a title line.\n\nChapter 99: "
                 "Last\n\nAnother paragraph of prose that closes the test document nicely.\n",
                 cases[i].line);
        struct work w;
        imp(doc, "h.txt", &w);
        if (strcmp(cases[i].title ? cases[i].title : "", "-") == 0) {
            if (w.nchapters != 2 || w.chapters[0].title)
                fail_msg("%s: taken as a heading", cases[i].line);
        } else {
            if (w.nchapters != 2)
                fail_msg("%s: %zu chapters", cases[i].line, w.nchapters);
            if (cases[i].title)
                assert_string_equal(w.chapters[0].title, cases[i].title);
            else if (w.chapters[0].title)
                fail_msg("%s: title %s", cases[i].line, w.chapters[0].title);
            assert_string_equal(w.chapters[1].title, "Last");
        }
        work_free(&w);
    }
}

static void test_scene_breaks(void **state)
{
    (void)state;
    static const char *const breaks[] = {
        "* * *", "***", "~*~", "~~~",   "-----",    "___", "oOo",   "o0o",
        "xXx",   "+++", "###", "=====", "\xC2\xA7", "*",   "~oOo~", "- - -"};
    for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
        char doc[512];
        snprintf(doc, sizeof(doc),
                 "Breaks\n\nThe first scene ends here, quietly, with a door closing.\n\n   %s  \n\n"
                 "The second scene begins somewhere else entirely.\n",
                 breaks[i]);
        struct work w;
        imp(doc, "b.txt", &w);
        if (!strstr(body(&w), "</p>\n<hr>\n<p>") && !strstr(body(&w), "</p><hr><p>"))
            fail_msg("%s: %s", breaks[i], body(&w));
        work_free(&w);
    }
    struct work w;
    imp("Not Breaks\n\nShe stared at him.\n\n\"...\"\n\n...\n\nHe stared back, and the "
        "silence went on.\n",
        "nb.txt", &w);
    assert_null(strstr(body(&w), "<hr>"));
    work_free(&w);
}

static void test_emphasis(void **state)
{
    (void)state;
    struct work w;
    imp("Marks\n\nShe was *very* sure, **absolutely** sure, and _quite_ done with the "
        "snake_case_names and the 5 * 3 sums and a lone * star, and <b>tags</b> & such.\n",
        "e.txt", &w);
    const char *b = body(&w);
    assert_non_null(strstr(b, "<em>very</em>"));
    assert_non_null(strstr(b, "<strong>absolutely</strong>"));
    assert_non_null(strstr(b, "<em>quite</em>"));
    assert_non_null(strstr(b, "snake_case_names"));
    assert_non_null(strstr(b, "5 * 3"));
    assert_non_null(strstr(b, "&lt;b&gt;tags&lt;/b&gt; &amp; such"));
    work_free(&w);
}

static void test_paragraph_shapes(void **state)
{
    (void)state;
    struct work w;
    imp_file("hardwrap.txt", &w);
    assert_string_equal(w.title, "Northbound");
    const char *b = body(&w);
    assert_null(strstr(b, "<br>"));
    assert_non_null(strstr(b, "watched the platform slide away"));
    int paras = 0;
    for (const char *p = b; (p = strstr(p, "<p>")) != NULL; p++)
        paras++;
    assert_int_equal(paras, 3);
    work_free(&w);

    /* verse keeps its line breaks */
    imp("Song of the Ferry\n\nRow me over, row me home,\nthe river's wide, the night is long,\n"
        "and I have nothing but this song.\n\nThe ferryman did not answer, but he rowed.\n",
        "v.txt", &w);
    assert_non_null(strstr(body(&w), "Row me over, row me home,<br>\nthe river"));
    work_free(&w);

    /* one long line per paragraph and no blank lines at all */
    imp("Quiet Rooms\n"
        "The house had eleven rooms and Wynn had slept in every one of them at least once, "
        "usually when something was wrong.\n"
        "The blue room was for fevers. The attic was for the nights when the wind made the "
        "chimney sing and she could not stand to be near it.\n"
        "Tonight she chose the kitchen, which was not a bedroom at all, and lay down on the "
        "warm stones by the stove.\n",
        "q.txt", &w);
    b = body(&w);
    assert_null(strstr(b, "<br>"));
    paras = 0;
    for (const char *p = b; (p = strstr(p, "<p>")) != NULL; p++)
        paras++;
    assert_int_equal(paras, 3);
    assert_string_equal(w.title, "Quiet Rooms");
    work_free(&w);

    /* indentation, runs of spaces and no-break spaces tidied */
    imp("Tidy\n\n    Indented   text\xC2\xA0\xC2\xA0with  gaps.   \n", "i.txt", &w);
    assert_non_null(strstr(body(&w), "<p>Indented text with gaps.</p>"));
    work_free(&w);
}

static void test_bracket_notes(void **state)
{
    (void)state;
    struct work w;
    imp_file("bracket-notes.txt", &w);
    assert_string_equal(w.notes_begin, "This started as a drabble and got out of hand.\n\nIt "
                                       "is set after the flood arc. Beta: Moth and Kestrel");
    assert_true(has(&w.beta, "Moth") && has(&w.beta, "Kestrel"));
    assert_non_null(strstr(w.notes_end, "prompt fill for Lark's prompt"));
    assert_non_null(strstr(w.notes_end, "Comments are appreciated."));
    assert_null(strstr(w.notes_end, "]"));
    const char *b = body(&w);
    assert_true(strncmp(b, "<p>Vell woke", 12) == 0);
    assert_null(strstr(b, "["));
    assert_null(strstr(b, "drabble"));
    assert_string_equal(w.title, "Bracket Notes");
    work_free(&w);
}

static void test_top_and_bottom_notes(void **state)
{
    (void)state;
    struct work w;
    imp("Paper Boats\n\nAuthor's Note: My first story here. Thanks to Juniper for betaing!\n\n"
        "Written for Moira's prompt: boats and bad weather.\n\n"
        "The boats were folded from the pages of an old atlas, so each one carried a little "
        "piece of somewhere else. Tam launched them one at a time.\n\n"
        "The last one sank at once, which seemed fair.\n\n"
        "Please review! R&R and let me know what you think.\n",
        "pb.txt", &w);
    assert_true(has(&w.beta, "Juniper"));
    assert_non_null(strstr(w.notes_begin, "My first story here."));
    assert_null(strstr(w.notes_begin, "Author's Note"));
    assert_non_null(strstr(w.notes_begin, "Moira's prompt"));
    assert_string_equal(w.notes_end, "Please review! R&R and let me know what you think.");
    assert_non_null(strstr(body(&w), "The last one sank at once"));
    assert_null(strstr(body(&w), "review"));
    assert_null(strstr(body(&w), "prompt"));
    work_free(&w);

    imp("Paper Boats\n\nA/N: short one today\n\nThe boats were folded from the pages of an "
        "old atlas.\n\nA/N: thanks to everyone who read this far.\n\nI mean it.\n",
        "pb.txt", &w);
    assert_string_equal(w.notes_begin, "short one today");
    assert_string_equal(w.notes_end, "thanks to everyone who read this far.\n\nI mean it.");
    assert_string_equal(body(&w), "<p>The boats were folded from the pages of an old atlas.</p>");
    work_free(&w);
}

static void test_title_from_filename(void **state)
{
    (void)state;
    struct work w;
    imp("The wind came off the sea in long cold breaths, and Halla, who had lived by it all her "
        "life, still flinched at every one of them as if it were the first.\n\nShe went in.\n",
        "/some/dir/songs-of-the_north.wind.txt", &w);
    assert_string_equal(w.title, "Songs of the North Wind");
    assert_true(strncmp(body(&w), "<p>The wind came off", 20) == 0);
    work_free(&w);
    imp("The wind came off the sea in long cold breaths and Halla flinched.\n", NULL, &w);
    assert_string_equal(w.title, "Untitled");
    work_free(&w);
}

static void test_size_limit(void **state)
{
    (void)state;
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    o.max_bytes = 2u << 20;
    struct work w;
    size_t n = (3u << 20) + 1000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'a', n);
    int rc = ms_import((const unsigned char *)big, n, &o, &w, &te);
    assert_int_equal(rc, FICD_ETOOBIG);
    assert_non_null(strstr(te.msg, "the limit is 2.0 MB"));
    assert_non_null(strstr(te.msg, "file is 3.0 MB"));
    free(big);

    /* the default limit, refused before any decoding */
    n = (size_t)60 << 20;
    big = malloc(n);
    assert_non_null(big);
    memset(big, 0, n);
    memset(&o, 0, sizeof(o));
    clock_t t0 = clock();
    rc = ms_import((const unsigned char *)big, n, &o, &w, &te);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(rc, FICD_ETOOBIG);
    assert_string_equal(te.msg, "file is 60 MB; the limit is 50 MB");
    assert_true(secs < 0.5);
    free(big);
}

static void test_chapter_limit(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_puts(&b, "Many\n\n");
    for (int i = 1; i <= 3000; i++)
        buf_printf(&b, "Chapter %d\n\nThe lamp flickered once and went out.\n\n", i);
    struct work w;
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    int rc = ms_import((const unsigned char *)b.data, b.len, &o, &w, &te);
    assert_int_equal(rc, FICD_EINVAL);
    assert_int_equal(te.line, 3 + 4 * 500);
    assert_non_null(strstr(te.msg, "3000"));
    assert_non_null(strstr(te.msg, "500"));
    o.max_chapters = 3000;
    rc = ms_import((const unsigned char *)b.data, b.len, &o, &w, &te);
    assert_int_equal(rc, 0);
    assert_int_equal(w.nchapters, 3000);
    assert_int_equal(w.expected_chapters, 3000);
    work_free(&w);
    buf_free(&b);
}

static void test_errors_through_import(void **state)
{
    (void)state;
    struct work w;
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    assert_int_equal(ms_import((const unsigned char *)"", 0, &o, &w, &te), FICD_EINVAL);
    assert_non_null(strstr(te.msg, "empty"));
    assert_int_equal(ms_import((const unsigned char *)" \n\t\n", 4, &o, &w, &te), FICD_EINVAL);
    assert_int_equal(ms_import((const unsigned char *)"\x89PNG\r\n\x1a\n\0\0", 10, &o, &w, &te),
                     FICD_EINVAL);
    assert_non_null(strstr(te.msg, "binary"));
    const char u[] = "Title\n\nShe said caf\xe9 \x81 and left.\n";
    assert_int_equal(ms_import((const unsigned char *)u, sizeof(u) - 1, &o, &w, &te),
                     FICD_EENCODING);
    assert_int_equal(te.line, 3);
}

static void test_hash_and_encodings(void **state)
{
    (void)state;
    struct work w;
    imp("Short Story\n\nThe kettle sang and nobody answered it.\n", "k.txt", &w);
    assert_string_equal(w.content_hash,
                        "e43bb3579807cbc9f0827e3b2bd8b263a52e82541954da7754124617a91b6a10");
    assert_string_equal(w.title, "Short Story");
    work_free(&w);

    /* UTF-16LE with BOM and CRLF */
    const char *src = "Kettle\r\n\r\nIt sang \xE2\x80\x94 nobody came.\r\n";
    struct buf b = BUF_INIT;
    buf_put(&b, "\xFF\xFE", 2);
    for (const char *p = src; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == 0xE2) { /* the em dash */
            buf_put(&b, "\x14\x20", 2);
            p += 2;
            continue;
        }
        buf_putc(&b, (char)c);
        buf_putc(&b, 0);
    }
    imp_n(b.data, b.len, "k.txt", &w);
    assert_string_equal(w.title, "Kettle");
    assert_string_equal(body(&w), "<p>It sang \xE2\x80\x94 nobody came.</p>");
    work_free(&w);
    buf_free(&b);

    /* Windows-1252 curly quotes */
    imp("Kettle\r\n\r\n\x93It sang,\x94 she said \x97 softly.\r\n", "k.txt", &w);
    assert_non_null(strstr(body(&w), "\xE2\x80\x9CIt sang,\xE2\x80\x9D she said \xE2\x80\x94"));
    work_free(&w);
}

static void test_yaml_export_contract(void **state)
{
    (void)state;
    struct work w;
    imp_file("yaml-export.md", &w);
    assert_string_equal(w.title, "The \"Glass\" Orchard");
    assert_int_equal(w.creators.n, 2);
    assert_string_equal(w.creators.v[1], "Oskar Flint");
    assert_string_equal(w.fandoms.v[0], "Orchard Tales");
    assert_int_equal(w.warnings, WARN_NONE);
    assert_true(has(&w.freeforms, "Mentions of Frost"));
    assert_int_equal(w.categories, CAT_FF | CAT_GEN);
    assert_string_equal(w.relationships.v[0], "Ilse/Marta");
    assert_string_equal(w.relationships.v[1], "Ilse & Pim");
    assert_int_equal(w.characters.n, 3);
    assert_true(has(&w.freeforms, "Caf\xC3\xA9s"));
    assert_true(has(&w.freeforms, "Rain \xF0\x9F\x8C\xA7"));
    assert_string_equal(w.beta.v[0], "Thimble");
    assert_int_equal(w.rating, RATING_TEEN);
    assert_int_equal(w.rating_declared, 1);
    assert_string_equal(w.language, "English");
    assert_int_equal(w.expected_chapters, 3);
    assert_string_equal(w.series, "Seasons of the Orchard");
    assert_int_equal(w.series_position, 2);
    assert_string_equal(w.summary, "Apples that ring like bells.\n\nIlse means to find out why.");
    assert_string_equal(w.notes_begin, "Written for a friend.");
    assert_string_equal(w.notes_end, "Thank you for reading.\n\nMore soon.");
    assert_int_equal(w.nchapters, 2);
    assert_string_equal(w.chapters[0].title, "Frost on the Boughs");
    assert_null(w.chapters[1].title);
    assert_non_null(strstr(w.chapters[0].html, "<em>bell</em>"));
    assert_non_null(strstr(w.chapters[0].html, "<h2>A smaller heading</h2>"));
    assert_non_null(strstr(w.chapters[1].html, "Untitled, but still here."));
    work_free(&w);
}

static void test_yaml_value_forms(void **state)
{
    (void)state;
    struct work w;
    imp("---\n"
        "title: 'It''s Raining'\n"
        "author: Dell Mare\n"
        "fandom: [Weatherworks, \"Cloud, Inc.\"]\n"
        "tags:\n"
        "  - puddles\n"
        "  - 'wet socks'\n"
        "rating: M # a comment\n"
        "summary: >\n"
        "  Folded lines\n"
        "  become one.\n"
        "\n"
        "  New paragraph.\n"
        "notes: \"Line one\\nLine two \\\"quoted\\\" \\\\ \\u00e9\"\n"
        "complete: no\n"
        "---\n"
        "\n"
        "Rain fell on the tin roof all night and nobody minded.\n",
        "r.md", &w);
    assert_string_equal(w.title, "It's Raining");
    assert_true(has(&w.creators, "Dell Mare"));
    assert_true(has(&w.fandoms, "Weatherworks") && has(&w.fandoms, "Cloud, Inc."));
    assert_true(has(&w.freeforms, "puddles") && has(&w.freeforms, "wet socks"));
    assert_int_equal(w.rating, RATING_MATURE);
    assert_string_equal(w.summary, "Folded lines become one.\nNew paragraph.");
    assert_string_equal(w.notes_begin, "Line one\nLine two \"quoted\" \\ \xC3\xA9");
    assert_int_equal(w.expected_chapters, 0);
    assert_true(strncmp(body(&w), "<p>Rain fell on the tin roof all night and nobody minded.</p>",
                        61) == 0);
    work_free(&w);
}

/* What libyaml reads beyond the old subset: anchors and aliases, flow sequences over several
 * lines with comments, \U and \x escapes, quoted keys, nested mappings (ignored); and the
 * lenient reading of front matter that is not YAML as a whole (a second ": " in a title). */
static void test_yaml_full(void **state)
{
    (void)state;
    struct work w;
    imp("---\n"
        "# written by hand\n"
        "\"title\": \"Star \\U0001F31F and \\x41\"\n"
        "fandom: &f Lanternworks\n"
        "tags: [\n"
        "  'lanterns',   # the main one\n"
        "  \"oil, and wicks\"\n"
        "]\n"
        "characters:\n"
        "- Ada\n"
        "- *f\n"
        "extra:\n"
        "  nested: ignored\n"
        "summary: |-\n"
        "  Kept\n"
        "    indented\n"
        "...\n"
        "\n"
        "The lamps were lit one by one along the quay.\n",
        "l.md", &w);
    assert_string_equal(w.title, "Star \xF0\x9F\x8C\x9F and A");
    assert_true(has(&w.fandoms, "Lanternworks"));
    assert_true(has(&w.freeforms, "lanterns") && has(&w.freeforms, "oil, and wicks"));
    assert_true(has(&w.characters, "Ada") && has(&w.characters, "Lanternworks"));
    assert_string_equal(w.summary, "Kept\n  indented");
    work_free(&w);

    imp("---\n"
        "title: Part 1: The Start\n"
        "author: Wren\n"
        "---\n"
        "\n"
        "Morning came early to the harbour that day.\n",
        "p.md", &w);
    assert_string_equal(w.title, "Part 1: The Start");
    assert_true(has(&w.creators, "Wren"));
    work_free(&w);
}

static void test_markdown_without_front_matter(void **state)
{
    (void)state;
    struct work w;
    imp("# Tin Roof\n\n**Rating:** T\n**Pairing:** Rue/Sol\n\n# Chapter 1: Drip\n\nRain on "
        "*tin*.\n\n~*~\n\nMore rain.\n\n# Chapter 2: Drop\n\n## Interlude heading\n\nStill "
        "raining.\n",
        "notes", &w);
    assert_string_equal(w.title, "Tin Roof");
    assert_int_equal(w.rating, RATING_TEEN);
    assert_true(has(&w.relationships, "Rue/Sol"));
    assert_int_equal(w.nchapters, 2);
    assert_string_equal(w.chapters[0].title, "Drip");
    assert_non_null(strstr(w.chapters[0].html, "<em>tin</em>"));
    assert_non_null(strstr(w.chapters[0].html, "<hr>"));
    assert_non_null(strstr(w.chapters[1].html, "<h2>Interlude heading</h2>"));
    work_free(&w);
}

static void test_html_input(void **state)
{
    (void)state;
    struct work w;
    imp_file("story.html", &w);
    assert_string_equal(w.title, "Lamplighter's Round");
    assert_true(has(&w.creators, "Corrigan Hale"));
    assert_int_equal(w.rating, RATING_MATURE);
    assert_true(has(&w.relationships, "Hesper/Quill"));
    assert_string_equal(w.notes_begin, "This one is for the autumn swap.");
    assert_int_equal(w.nchapters, 2);
    assert_string_equal(w.chapters[0].title, "Wicks");
    assert_string_equal(w.chapters[1].title, "Oil");
    const char *b = w.chapters[0].html;
    assert_non_null(strstr(b, "<em>exactly</em>"));
    assert_non_null(strstr(b, "<hr>"));
    assert_null(strstr(b, "onclick"));
    assert_null(strstr(b, "alert"));
    assert_null(strstr(b, "Home"));
    assert_null(strstr(w.chapters[1].html, "Copyright"));
    assert_true(w.chapters[1].words == 20);
    work_free(&w);

    /* sniffed without an extension */
    imp("<html><body><p>The ferry left at dawn and the gulls followed it out past the "
        "breakwater.</p></body></html>",
        "upload", &w);
    assert_string_equal(body(&w), "<p>The ferry left at dawn and the gulls followed it out "
                                  "past the breakwater.</p>");
    work_free(&w);
}

static void test_language(void **state)
{
    (void)state;
    struct work w;
    imp("La casa\n\nElla abrió la puerta y vio que no había nadie en la cocina. El perro dormía "
        "en el suelo, y por la ventana se veía la lluvia que caía sobre los campos.\n",
        "es.txt", &w);
    assert_string_equal(w.language, "Espa\xC3\xB1ol");
    work_free(&w);
    imp("La maison\n\nElle a ouvert la porte et il n'y avait personne dans la cuisine. Le chien "
        "dormait sur le sol, et par la fenêtre on voyait la pluie qui tombait sur les champs.\n",
        "fr.txt", &w);
    assert_string_equal(w.language, "Fran\xC3\xA7"
                                    "ais");
    work_free(&w);
    imp("Дом\n\nОна открыла дверь и увидела, что на кухне никого нет. Собака спала на полу.\n",
        "ru.txt", &w);
    assert_string_equal(w.language, "Русский");
    work_free(&w);
    imp("Home\n\nShe opened the door and saw that there was nobody in the kitchen. The dog was "
        "asleep on the floor and the rain fell on the fields.\n",
        "en.txt", &w);
    assert_string_equal(w.language, "English");
    work_free(&w);
}

static void test_suggestions(void **state)
{
    (void)state;
    struct strlist known, fandoms, rels;
    strlist_init(&known);
    strlist_init(&fandoms);
    strlist_init(&rels);
    strlist_add(&known, "Tamsin Reed");
    strlist_add(&fandoms, "Reedwater (Novels)");
    strlist_add(&known, "Odo Vane");
    strlist_add(&fandoms, "");
    strlist_add(&rels, "Odo Vane/Tamsin Reed");
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    o.filename = "s.txt";
    o.known_characters = &known;
    o.known_character_fandoms = &fandoms;
    o.known_relationships = &rels;
    struct buf b = BUF_INIT;
    buf_puts(&b, "Reeds\n\n");
    for (int i = 0; i < 12; i++)
        buf_puts(&b, "Tamsin-chan waited by the water, and then Odo-kun came. The boat was "
                     "late again, said Tamsin to Odo, and Odo's hat blew off. Once Pell "
                     "waved.\n\n");
    struct work w;
    int rc = ms_import((const unsigned char *)b.data, b.len, &o, &w, &te);
    assert_int_equal(rc, 0);
    assert_true(w.sugg_characters.n >= 2);
    /* Odo is named three times a paragraph (Odo-kun, Odo, Odo's), Tamsin twice */
    assert_string_equal(w.sugg_characters.v[0], "Odo Vane");
    assert_string_equal(w.sugg_characters.v[1], "Tamsin Reed");
    assert_true(has(&w.sugg_characters, "Pell"));
    assert_false(has(&w.sugg_characters, "The"));
    assert_false(has(&w.sugg_characters, "Once"));
    assert_true(has(&w.sugg_fandoms, "Reedwater (Novels)"));
    assert_int_equal(w.sugg_relationships.n, 1);
    assert_string_equal(w.sugg_relationships.v[0], "Odo Vane/Tamsin Reed");
    assert_int_equal(w.characters.n, 0);
    work_free(&w);
    buf_free(&b);
    strlist_free(&known);
    strlist_free(&fandoms);
    strlist_free(&rels);
}

/* The real manuscripts writers sent (read only; not copied into the repository). */
static void test_shared_samples(void **state)
{
    (void)state;
    const char *dir = FICD_SOURCE_DIR "/../shared/samples";
    DIR *d = opendir(dir);
    if (!d) /* the worktree sits beside ../shared, as in CI */
        fail_msg("shared samples not found at %s", dir);
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        size_t n;
        char *data = slurp(path, &n);
        assert_non_null(data);
        struct work w;
        imp_n(data, n, path, &w);
        /* the body keeps most of the words and no notes (wordcount.c splits "word...word",
         * so the count may pass the whitespace-separated tokens by a little) */
        int words = 0, in = 0;
        for (size_t i = 0; i < n; i++) {
            int sp = data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r';
            words += !sp && !in;
            in = !sp;
        }
        int got = work_words(&w);
        if (!(got > words * 8 / 10 && got <= words * 102 / 100))
            fail_msg("%s: %d words of %d", e->d_name, got, words);
        assert_true(w.title && *w.title);
        assert_int_equal(w.nchapters, 1);
        assert_string_equal(w.language, "English");
        assert_true(has(&w.sugg_characters, "Sakura"));
        assert_null(strstr(w.chapters[0].html, "Author Note"));
        if (!strcmp(e->d_name, "when-theres-nothing-left.txt")) {
            assert_string_equal(w.title, "When There's Nothing Left");
            assert_non_null(w.notes_end);
            assert_non_null(strstr(w.notes_end, "request fill by Temarilyn"));
            assert_non_null(strstr(w.notes_end, "Hope you enjoyed!"));
            assert_null(strstr(w.notes_end, "Author Note"));
            assert_int_equal(w.beta.n, 1);
            assert_string_equal(w.beta.v[0], "CelestialCircumference");
            assert_null(strstr(w.chapters[0].html, "The End."));
            assert_null(strstr(w.chapters[0].html, "Temarilyn"));
            assert_int_equal(w.expected_chapters, 1);
            /* "Hatake Kakashi" is written once: one suggestion with the family name */
            assert_true(has(&w.sugg_characters, "Hatake Kakashi"));
            assert_false(has(&w.sugg_characters, "Kakashi"));
            assert_false(has(&w.sugg_characters, "Hatake"));
            /* the village and "the Land of Waves" are places, "Team Seven" a team */
            assert_false(has(&w.sugg_characters, "Konoha"));
            assert_false(has(&w.sugg_characters, "Waves"));
            assert_false(has(&w.sugg_characters, "Seven"));
        } else if (!strcmp(e->d_name, "grief-at-the-gates.txt")) {
            assert_string_equal(w.title, "Grief at the Gates");
            assert_true(has(&w.sugg_characters, "Naruto"));
            assert_false(has(&w.sugg_characters, "Sakura-chan"));
        } else if (!strcmp(e->d_name, "the-apprentice.txt")) {
            assert_string_equal(w.title, "The Apprentice");
            assert_true(has(&w.sugg_characters, "Uchiha Sasuke"));
            /* the clan alone, and the family name only ever used with "-san" */
            assert_false(has(&w.sugg_characters, "Uchiha"));
            assert_false(has(&w.sugg_characters, "Haruno"));
            assert_false(has(&w.sugg_characters, "Sasuke"));
        }
        assert_null(w.notes_begin);
        free(data);
        work_free(&w);
        seen++;
    }
    closedir(d);
    assert_true(seen >= 1);
}

/* FanFiction.net habits: K+ is General Audiences (as AO3's importer maps it), "None" in a field
 * declares it empty, a beta thanked as "my beta, NAME", non-con named with other words sets the
 * warning (the words stay a tag), mentions do not, dub-con never. */
static void test_ffn_header(void **state)
{
    (void)state;
    struct work w;
    imp_file("ffn-header.txt", &w);
    assert_string_equal(w.title, "Lanterns Over Quillon Harbour");
    assert_int_equal(w.rating, RATING_GENERAL);
    assert_int_equal(w.relationships.n, 0);
    assert_int_equal(w.characters.n, 0);
    assert_int_equal(w.warnings, WARN_NONCON);
    assert_true(has(&w.freeforms, "Non-Con Elements") && has(&w.freeforms, "Dub-Con") &&
                has(&w.freeforms, "Mentions of Rape"));
    assert_int_equal(w.beta.n, 1);
    assert_string_equal(w.beta.v[0], "Marigold Fen");
    assert_non_null(w.notes_begin);
    assert_non_null(strstr(w.notes_begin, "my beta"));
    assert_int_equal(w.nchapters, 1);
    assert_null(strstr(w.chapters[0].html, "beta"));
    assert_non_null(strstr(w.chapters[0].html, "forty small moons"));
    work_free(&w);

    imp("Warnings: implied non-con, past rape/non-con\n\nShe walked home alone through the "
        "rain and did not look back once.\n",
        "soft.txt", &w);
    assert_int_equal(w.warnings, 0);
    assert_true(has(&w.freeforms, "Implied Non-Con"));
    work_free(&w);
}

/* A manuscript that opens on its first chapter heading, the work's header under it: in the
 * same paragraph or in blocks of their own, the header lines are the work's, not story. */
static void test_heading_first(void **state)
{
    (void)state;
    struct work w;
    imp_file("heading-first.txt", &w);
    assert_int_equal(w.nchapters, 2);
    assert_string_equal(w.chapters[0].title, "The Quiet Orchard");
    assert_string_equal(w.chapters[1].title, "The Answer");
    assert_string_equal(w.summary, "A gardener finds a letter buried under the oldest apple tree.");
    assert_non_null(w.notes_begin);
    assert_non_null(strstr(w.notes_begin, "Disclaimer:"));
    assert_null(strstr(w.chapters[0].html, "Summary"));
    assert_null(strstr(w.chapters[0].html, "Chapter One"));
    assert_non_null(strstr(w.chapters[0].html, "The orchard was quiet"));
    work_free(&w);

    imp_file("heading-first-blocks.txt", &w);
    assert_int_equal(w.nchapters, 1);
    assert_string_equal(w.chapters[0].title, "First Frost");
    assert_string_equal(w.summary, "Snow comes early to the valley and nobody is ready.");
    assert_int_equal(w.rating, RATING_TEEN);
    assert_null(strstr(w.chapters[0].html, "Summary"));
    assert_non_null(strstr(w.chapters[0].html, "The snow came early"));
    work_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_block_every_key),
        cmocka_unit_test(test_ratings),
        cmocka_unit_test(test_sentence_warnings),
        cmocka_unit_test(test_dialogue_traps),
        cmocka_unit_test(test_title_pairing_and_end_notes),
        cmocka_unit_test(test_chapters_and_status),
        cmocka_unit_test(test_heading_forms),
        cmocka_unit_test(test_scene_breaks),
        cmocka_unit_test(test_emphasis),
        cmocka_unit_test(test_paragraph_shapes),
        cmocka_unit_test(test_bracket_notes),
        cmocka_unit_test(test_top_and_bottom_notes),
        cmocka_unit_test(test_title_from_filename),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_chapter_limit),
        cmocka_unit_test(test_errors_through_import),
        cmocka_unit_test(test_hash_and_encodings),
        cmocka_unit_test(test_yaml_export_contract),
        cmocka_unit_test(test_yaml_value_forms),
        cmocka_unit_test(test_yaml_full),
        cmocka_unit_test(test_markdown_without_front_matter),
        cmocka_unit_test(test_html_input),
        cmocka_unit_test(test_language),
        cmocka_unit_test(test_suggestions),
        cmocka_unit_test(test_shared_samples),
        cmocka_unit_test(test_ffn_header),
        cmocka_unit_test(test_heading_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
