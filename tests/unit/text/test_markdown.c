/* test_markdown.c: Markdown rendering (cmark-gfm with tables, strikethrough, autolinks),
 * always through the sanitizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "text/sanitize.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Renders md and checks the result against want. */
static void check(const char *md, const char *want)
{
    char *got = markdown_to_html(md, strlen(md));
    assert_non_null(got);
    if (strcmp(got, want))
        fprintf(stderr, "markdown: %s\nwant: %s\ngot:  %s\n", md, want, got);
    assert_string_equal(got, want);
    free(got);
}

static void test_paragraphs_and_emphasis(void **state)
{
    (void)state;
    check("Hello *world*.\n\nSecond **strong** and _em_ and __strong__.",
          "<p>Hello <em>world</em>.</p>\n<p>Second <strong>strong</strong> and <em>em</em> and "
          "<strong>strong</strong>.</p>");
    check("a ***both*** b", "<p>a <em><strong>both</strong></em> b</p>");
    check("", "");
    check("   \n\n  ", "");
}

static void test_scene_breaks(void **state)
{
    (void)state;
    check("one\n\n* * *\n\ntwo", "<p>one</p>\n<hr>\n<p>two</p>");
    check("one\n\n---\n\ntwo", "<p>one</p>\n<hr>\n<p>two</p>");
    check("one\n\n___\n\ntwo", "<p>one</p>\n<hr>\n<p>two</p>");
}

static void test_breaks(void **state)
{
    (void)state;
    /* two trailing spaces or a backslash make a hard break; a bare newline is soft */
    check("line one  \nline two\\\nline three\nsame paragraph",
          "<p>line one<br>\nline two<br>\nline three\nsame paragraph</p>");
}

static void test_blocks(void **state)
{
    (void)state;
    check("> quoted\n> text", "<blockquote>\n<p>quoted\ntext</p>\n</blockquote>");
    check("- a\n- b\n\n1. c\n2. d",
          "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol>\n<li>c</li>\n<li>d</li>\n</ol>");
    check("3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>");
    check("# Title\n\n## Sub", "<h1>Title</h1>\n<h2>Sub</h2>");
    check("`code <b>` and\n\n```c\nint x = 1 < 2;\n```",
          "<p><code>code &lt;b&gt;</code> and</p>\n<pre><code>int x = 1 &lt; 2;\n</code></pre>");
}

static void test_typography_kept(void **state)
{
    (void)state;
    /* no smart punctuation: straight quotes, -- and ... stay as typed, curly ones too */
    check("\"Don't\" -- she said... \xe2\x80\x9c"
          "curly\xe2\x80\x9d \xe2\x80\x94 dash",
          "<p>\"Don't\" -- she said... \xe2\x80\x9c"
          "curly\xe2\x80\x9d \xe2\x80\x94 dash</p>");
}

static void test_gfm_extensions(void **state)
{
    (void)state;
    check("~~gone~~ and ~one~", "<p><del>gone</del> and <del>one</del></p>");
    check("see https://example.org/x and www.example.com",
          "<p>see <a href=\"https://example.org/x\" rel=\"nofollow\">https://example.org/x</a> and "
          "<a href=\"http://www.example.com\" rel=\"nofollow\">www.example.com</a></p>");
    check("| a | b |\n|:--|:-:|\n| 1 | 2 |",
          "<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"center\">b</th>\n</tr>\n"
          "</thead>\n<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"center\">2</td>\n"
          "</tr>\n</tbody>\n</table>");
}

static void test_links_and_images(void **state)
{
    (void)state;
    check("[site](https://example.org \"T\")",
          "<p><a href=\"https://example.org\" title=\"T\" rel=\"nofollow\">site</a></p>");
    check("[x](javascript:alert(1))", "<p><a>x</a></p>");
    check("[x](JAVASCRIPT:alert(1)) [y](data:text/html,hi)", "<p><a>x</a> <a>y</a></p>");
    check("![alt](https://example.org/i.png)",
          "<p><img src=\"https://example.org/i.png\" alt=\"alt\"></p>");
    check("![alt](javascript:alert(1))", "<p></p>");
    check("<javascript:alert(1)>", "<p><a>javascript:alert(1)</a></p>");
}

static void test_inline_html_goes_through_sanitizer(void **state)
{
    (void)state;
    check("Some <em>inline</em> and <span class=\"smallcaps\">caps</span>.",
          "<p>Some <em>inline</em> and <span class=\"smallcaps\">caps</span>.</p>");
    check("x <script>alert(1)</script> y", "<p>x  y</p>");
    check("<div onclick=\"alert(1)\">\nblock\n</div>", "<div>\nblock\n</div>");
    check("a <img src=x onerror=alert(1)> b", "<p>a  b</p>");
    const char *evil[] = {
        "<svg onload=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "[a](jav&#x09;ascript:alert(1))",
        "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
        "<style>*{}</style>",
    };
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        char *out = markdown_to_html(evil[i], strlen(evil[i]));
        assert_non_null(out);
        assert_null(strcasestr(out, "javascript"));
        assert_null(strcasestr(out, "<script"));
        assert_null(strcasestr(out, "<svg"));
        assert_null(strcasestr(out, "<iframe"));
        assert_null(strcasestr(out, "<style"));
        assert_null(strcasestr(out, "onload"));
        free(out);
    }
}

static void test_output_is_sanitizer_fixed_point(void **state)
{
    (void)state;
    const char *md = "# T\n\n*a* **b** ~~c~~\n\n> q\n\n| x |\n|---|\n| y |\n\n"
                     "<b>raw</b> <font>f</font>\n\n- [l](/rel)\n";
    char *out = markdown_to_html(md, strlen(md));
    assert_non_null(out);
    char *again = sanitize_html(out, strlen(out));
    assert_non_null(again);
    assert_string_equal(out, again);
    free(again);
    free(out);
}

static void test_length_bounds_input(void **state)
{
    (void)state;
    char *out = markdown_to_html("*a* **never read**", 3);
    assert_non_null(out);
    assert_string_equal(out, "<p><em>a</em></p>");
    free(out);
    out = markdown_to_html(NULL, 0);
    assert_non_null(out);
    assert_string_equal(out, "");
    free(out);
    /* invalid UTF-8 is replaced, not passed through */
    out = markdown_to_html("a\xff"
                           "b",
                           3);
    assert_non_null(out);
    assert_string_equal(out, "<p>a\xef\xbf\xbd"
                             "b</p>");
    free(out);
}

static void *render_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        char *out = markdown_to_html("| a |\n|---|\n| ~~b~~ |", 21);
        if (!out || !strstr(out, "<del>b</del>")) {
            free(out);
            return (void *)1;
        }
        free(out);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, render_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *rc = (void *)1;
        assert_int_equal(pthread_join(t[i], &rc), 0);
        assert_null(rc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paragraphs_and_emphasis),
        cmocka_unit_test(test_scene_breaks),
        cmocka_unit_test(test_breaks),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_typography_kept),
        cmocka_unit_test(test_gfm_extensions),
        cmocka_unit_test(test_links_and_images),
        cmocka_unit_test(test_inline_html_goes_through_sanitizer),
        cmocka_unit_test(test_output_is_sanitizer_fixed_point),
        cmocka_unit_test(test_length_bounds_input),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
