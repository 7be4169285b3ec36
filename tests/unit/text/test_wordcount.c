/* test_wordcount.c: AO3-style word counts of plain text and of HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "text/manuscript.h"
#include "text/sanitize.h"
#include "text/wordcount.h"

#include <dirent.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wc_case {
    const char *text;
    int words;
};

static void run_text_cases(const struct wc_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int got = wordcount_text(c[i].text, strlen(c[i].text));
        if (got != c[i].words)
            fprintf(stderr, "text [%s]: want %d, got %d\n", c[i].text, c[i].words, got);
        assert_int_equal(got, c[i].words);
    }
}

/* Asserts that wordcount_html counts html the same as html behind an empty comment: gumbo
 * drops the comment, and the comment keeps the gumbo-free fast path away, so this compares
 * the fast path (where it applies) with the gumbo walk. */
static void check_same_as_gumbo(const char *html)
{
    size_t n = strlen(html);
    char *pre = malloc(n + 8);
    assert_non_null(pre);
    memcpy(pre, "<!---->", 7);
    memcpy(pre + 7, html, n + 1);
    int fast = wordcount_html(html), slow = wordcount_html(pre);
    if (fast != slow)
        fprintf(stderr, "fast path differs on [%s]: %d, gumbo %d\n", html, fast, slow);
    assert_int_equal(fast, slow);
    free(pre);
}

static void run_html_cases(const struct wc_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        check_same_as_gumbo(c[i].text);
        int got = wordcount_html(c[i].text);
        if (got != c[i].words)
            fprintf(stderr, "html [%s]: want %d, got %d\n", c[i].text, c[i].words, got);
        assert_int_equal(got, c[i].words);
    }
}

#define RUN(kind, cases) run_##kind##_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_basic(void **state)
{
    (void)state;
    static const struct wc_case cases[] = {
        {"", 0},
        {"   \n\t  ", 0},
        {"one", 1},
        {"one two three", 3},
        {"  leading and trailing  ", 3},
        {"line\nbreaks\r\nand\ttabs", 4},
        {"Hello, world!", 2},
        {"\"Quoted,\" she said.", 3},
    };
    RUN(text, cases);
}

static void test_punctuation(void **state)
{
    (void)state;
    static const struct wc_case cases[] = {
        {"...", 0},
        {"* * *", 0},
        {"!?!", 0},
        {"\xe2\x80\x94", 0}, /* a lone em dash */
        {"Wait... what?", 2},
        {"word\xe2\x80\x94word", 2}, /* em dash separates */
        {"word \xe2\x80\x94 word", 2},
        {"word\xe2\x80\x93word", 2}, /* so does an en dash */
        {"one--two", 2},             /* -- is read as a dash */
        {"one---two", 2},
        {"one - two", 2},
        {"well-known", 1}, /* hyphens join */
        {"mother-in-law's", 1},
        {"-prefix suffix-", 2},
        {"don't", 1},            /* apostrophes join */
        {"don\xe2\x80\x99t", 1}, /* ’ */
        {"\xe2\x80\x98tis", 1},  /* ‘ */
        {"'quoted'", 1},
        {"rock 'n' roll", 3},
        {"and/or", 2}, /* other punctuation separates */
        {"word...word", 2},
        {"e.g.", 2},
        {"snake_case", 1}, /* _ is a word character */
        {"____", 1},
    };
    RUN(text, cases);
}

static void test_numbers(void **state)
{
    (void)state;
    static const struct wc_case cases[] = {
        {"42", 1},
        {"in 1999 we", 3},
        {"#1 fan", 2},
        {"100%", 1},
        {"3.14", 2},
        {"1,000", 2},
        {"chapter 2b", 2},
        {"\xc2\xbd", 0},         /* ½ */
        {"\xd9\xa3\xd9\xa4", 1}, /* ٣٤ */
    };
    RUN(text, cases);
}

static void test_scripts(void **state)
{
    (void)state;
    static const struct wc_case cases[] = {
        {"caf\xc3\xa9", 1},  /* café, precomposed */
        {"cafe\xcc\x81", 1}, /* combining accent */
        {"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80", 2},
        {"\xce\xb1\xce\xb2\xce\xb3 \xce\xb4", 2},                                 /* Greek */
        {"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d", 2}, /* Hebrew */
        {"\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a\x94 \xec\x84\xb8\xea\xb3\x84",
         2},                                                     /* Korean uses spaces */
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3},             /* 日本語: one per character */
        {"\xe3\x81\xb2\xe3\x82\x89\xe3\x81\x8c\xe3\x81\xaa", 4}, /* ひらがな */
        {"\xe3\x82\xab\xe3\x82\xbf\xe3\x82\xab\xe3\x83\x8a", 4}, /* カタカナ */
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9"
         "\xe3\x83\x88",
         8}, /* 日本語のテキスト */
        {"\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96\xe7\x95\x8c\xe3\x80\x82",
         4},                                   /* 你好，世界。 */
        {"Hello \xe4\xb8\x96\xe7\x95\x8c", 3}, /* mixed: 1 + 2 */
        {"abc\xe4\xb8\x96"
         "def",
         3}, /* Han splits a run */
        {"\xe0\xb8\xaa\xe0\xb8\xa7\xe0\xb8\xb1\xe0\xb8\xaa\xe0\xb8\x94\xe0\xb8\xb5", 6}, /* สวัสดี */
        /* ラーメン: ー is not Katakana but a word character of its own (as on AO3) */
        {"\xe3\x83\xa9\xe3\x83\xbc\xe3\x83\xa1\xe3\x83\xb3", 4},
        {"\xf0\x9f\x98\x80 \xe2\x9d\xa4", 0}, /* emoji are not words */
        {"\xf0\xa0\x80\x80", 1},              /* CJK extension B */
    };
    RUN(text, cases);
}

static void test_text_edge_cases(void **state)
{
    (void)state;
    assert_int_equal(wordcount_text(NULL, 0), 0);
    assert_int_equal(wordcount_text("one two three", 3), 1); /* n bounds the input */
    assert_int_equal(wordcount_text("a\xff"
                                    "b",
                                    3),
                     2); /* invalid bytes separate */
    assert_int_equal(wordcount_text("a\0b", 3), 2);
    assert_int_equal(wordcount_text("\xe6\x97", 2), 0); /* truncated sequence */
}

static void test_html(void **state)
{
    (void)state;
    static const struct wc_case cases[] = {
        {"", 0},
        {"<p></p>", 0},
        {"<p>one</p><p>two</p>", 2},
        {"<p>one</p>\n<p>two three</p>", 3},
        {"<p>one<br>two</p>", 2},
        {"<p>one<br/>two<hr>three</p>", 3},
        {"<div>a</div><div>b</div>", 2},
        {"<ul><li>one</li><li>two</li></ul>", 2},
        {"<table><tr><td>a</td><td>b</td></tr></table>", 2},
        {"<h1>Title</h1><p>Body</p>", 2},
        {"<blockquote>q</blockquote>x", 2},
        {"<p>in<em>line</em> <strong>bold</strong>er</p>", 2}, /* inline tags join */
        {"<p>a <a href=\"#\">link</a>.</p>", 2},
        {"<p>a &amp; b</p>", 2},
        {"<p>don&rsquo;t stop&mdash;ever</p>", 3},
        {"<p>one-<em>-two</em></p>", 2},
        {"<p>one-</p><p>-two</p>", 2},
        {"<p>well-</p><p>known</p>", 2},
        {"<!-- three more words --><p>x</p>", 1},
        {"<script>var a = 1;</script><style>p { x: y }</style><p>hi</p>", 1},
        {"<title>a b c</title><p>d</p>", 1},
        {"<p>\xe6\x97\xa5\xe6\x9c\xac</p><p>text</p>", 3},
        {"plain text, no tags", 4},
        {"<p>a<img src=\"http://e/x.png\">b</p>", 2},
        {"<p>unclosed <b>bold", 2},
    };
    RUN(html, cases);
    assert_int_equal(wordcount_html(NULL), 0);
}

static void test_html_matches_text(void **state)
{
    (void)state;
    /* the text of a single paragraph counts the same either way */
    const char *t = "It was the best of times -- it was the worst of times... wasn't it?";
    char html[256];
    snprintf(html, sizeof(html), "<p>%s</p>", t);
    assert_int_equal(wordcount_text(t, strlen(t)), 14);
    assert_int_equal(wordcount_html(html), 14);
}

static void test_html_deep_and_large(void **state)
{
    (void)state;
    enum { LEVELS = 20000 };
    char *in = malloc(LEVELS * 4 + 16);
    assert_non_null(in);
    size_t n = 0;
    for (int i = 0; i < LEVELS; i++) {
        memcpy(in + n, "<i>", 3);
        n += 3;
    }
    memcpy(in + n, "x y", 4);
    assert_int_equal(wordcount_html(in), 2);
    free(in);

    const char *para = "<p>Five words in this paragraph.</p>\n";
    size_t plen = strlen(para), reps = 10000;
    char *big = malloc(plen * reps + 1);
    assert_non_null(big);
    for (size_t i = 0; i < reps; i++)
        memcpy(big + i * plen, para, plen);
    big[plen * reps] = '\0';
    assert_int_equal(wordcount_html(big), 5 * (int)reps);
    free(big);
}

static uint64_t rnd_state = 0x2545F4914F6CDD1DULL;
static unsigned rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned)(rnd_state % n);
}

/* Random markup of the kind the sanitizer writes, well nested or not, with attributes,
 * references (named, numeric, remapped ones), hyphens and apostrophes at the tag boundaries
 * and bytes gumbo replaces: the fast path and gumbo must count each the same, and each
 * document's sanitized form too. */
static void test_fast_path_matches_gumbo(void **state)
{
    (void)state;
    static const char *const tags[] = {
        "p",    "em",  "strong", "h2", "blockquote", "ul", "ol",     "li",  "div",
        "span", "a",   "del",    "b",  "i",          "h1", "sub",    "img", "br",
        "hr",   "pre", "table",  "td", "P",          "dl", "center", "q"};
    static const char *const attrs[] = {"",
                                        " href=\"#x\" rel=\"nofollow\"",
                                        " class=\"center\"",
                                        " align=\"left\" title=\"a > b\"",
                                        " x",
                                        " />"};
    static const char *const texts[] = {"word",
                                        " ",
                                        "\n",
                                        "-",
                                        "--",
                                        "'",
                                        "don",
                                        "t",
                                        "&amp;",
                                        "&quot;",
                                        "&#39;",
                                        "&lt;",
                                        "&gt;",
                                        "&#x2019;",
                                        "&#8212;",
                                        "&#150;",
                                        "&#0;",
                                        "&rsquo;",
                                        "&",
                                        "<",
                                        "\r",
                                        "\xc2\x85",
                                        "\xff",
                                        "\xe2\x80\x99",
                                        "\xe6\x97\xa5",
                                        "&#x1F600;",
                                        "&#12354;",
                                        "\x01",
                                        "_",
                                        "&#55296;",
                                        "&#xD800;",
                                        "&nbsp"};
    struct {
        const char *name;
    } st[32];
    char doc[4096];
    for (int round = 0; round < 4000; round++) {
        size_t len = 0, depth = 0;
        int soup = round % 4 == 3;
        int clean = round % 4 < 2;
        int steps = 1 + (int)rnd(40);
        for (int k = 0; k < steps && len < sizeof(doc) - 96; k++) {
            unsigned r = rnd(10);
            char tmp[96];
            const char *piece = tmp;
            if (r < 3 && depth < 32) {
                const char *t = tags[rnd(clean ? 20 : sizeof(tags) / sizeof(tags[0]))];
                snprintf(tmp, sizeof(tmp), "<%s%s>", t, attrs[rnd(clean ? 4 : 6)]);
                if (strcmp(t, "img") && strcmp(t, "br") && strcmp(t, "hr"))
                    st[depth++].name = t;
            } else if (r < 5 && depth > 0) {
                size_t d = soup ? rnd((unsigned)depth) : depth - 1;
                snprintf(tmp, sizeof(tmp), "</%s>", st[d].name);
                st[d] = st[--depth];
            } else {
                piece = texts[rnd(clean ? 16 : sizeof(texts) / sizeof(texts[0]))];
            }
            size_t pl = strlen(piece);
            memcpy(doc + len, piece, pl);
            len += pl;
        }
        while (depth > 0 && !soup && len < sizeof(doc) - 16)
            len += (size_t)snprintf(doc + len, 16, "</%s>", st[--depth].name);
        doc[len] = '\0';
        check_same_as_gumbo(doc);
        char *san = sanitize_html(doc, len);
        assert_non_null(san);
        check_same_as_gumbo(san);
        free(san);
    }
}

/* The chapters of every manuscript fixture and shared sample count the same both ways. */
static void test_fixture_chapters_match_gumbo(void **state)
{
    (void)state;
    static const char *const dirs[] = {FICD_SOURCE_DIR "/tests/fixtures/manuscripts",
                                       FICD_SOURCE_DIR "/tests/fixtures/cli",
                                       FICD_SOURCE_DIR "/../shared/samples"};
    int files = 0;
    for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        for (struct dirent *e; (e = readdir(dir));) {
            if (e->d_name[0] == '.')
                continue;
            char path[1024];
            snprintf(path, sizeof(path), "%s/%s", dirs[d], e->d_name);
            FILE *f = fopen(path, "rb");
            if (!f)
                continue;
            static unsigned char data[1 << 20];
            size_t n = fread(data, 1, sizeof(data), f);
            fclose(f);
            struct ms_opts o = {0};
            o.filename = e->d_name;
            struct work w;
            struct text_err err;
            assert_int_equal(ms_import(data, n, &o, &w, &err), 0);
            for (size_t c = 0; c < w.nchapters; c++)
                check_same_as_gumbo(w.chapters[c].html);
            work_free(&w);
            files++;
        }
        closedir(dir);
    }
    assert_true(files >= 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_punctuation),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_text_edge_cases),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_html_matches_text),
        cmocka_unit_test(test_html_deep_and_large),
        cmocka_unit_test(test_fast_path_matches_gumbo),
        cmocka_unit_test(test_fixture_chapters_match_gumbo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
