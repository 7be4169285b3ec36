/* test_html_convert.c: sanitized HTML to Markdown (round trip through markdown_to_html) and
 * to plain text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "text/export.h"
#include "text/sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Markdown of html, as a malloc'd string. */
static char *to_md(const char *html)
{
    struct buf b = BUF_INIT;
    assert_int_equal(html_to_markdown(html, &b), 0);
    return buf_take(&b);
}

static char *to_text(const char *html)
{
    struct buf b = BUF_INIT;
    assert_int_equal(html_to_text(html, &b), 0);
    return buf_take(&b);
}

/* Asserts markdown_to_html(html_to_markdown(h)) == h; returns the Markdown. */
static char *round_trip(const char *h)
{
    char *md = to_md(h);
    char *back = markdown_to_html(md, strlen(md));
    assert_non_null(back);
    if (strcmp(back, h))
        fprintf(stderr, "HTML:\n%s\nMarkdown:\n%s\nBack:\n%s\n", h, md, back);
    assert_string_equal(back, h);
    free(back);
    return md;
}

/* True when md holds a raw HTML tag (a '<' not escaped, followed by a letter or '/'). */
static int has_raw_html(const char *md)
{
    for (const char *p = md; (p = strchr(p, '<')); p++)
        if ((p == md || p[-1] != '\\') && (p[1] == '/' || (p[1] >= 'a' && p[1] <= 'z')))
            return 1;
    return 0;
}

/* Markdown written the way a writer would, rendered to the HTML the importer stores; the
 * exporter's Markdown of it must render back to the same HTML, in plain Markdown (no raw
 * HTML) for everything Markdown can say. */
static void test_round_trip_manuscripts(void **state)
{
    (void)state;
    static const char *const sources[] = {
        "Hello *world* and **bold** text.\n\nSecond paragraph\nwith a soft break.",
        "“Curly quotes” — an em dash… and café, naïve, Ça, 日本語, emoji 🎉.",
        "> A quotation\n> over lines\n>\n> and a second paragraph.",
        "Scene one.\n\n* * *\n\nScene two.",
        "- apples\n- pears\n  - nested\n- plums",
        "1. first\n2. second\n3. third",
        "3. starts at three\n4. four",
        "- loose item\n\n- another loose item",
        "## Part One\n\n### A *small* heading\n\nText.",
        "Line one\\\nline two\\\nline three",
        "Some `inline code` and ``code with ` tick``.",
        "```\nint main(void)\n{\n\n    return 0;\n}\n```",
        "A [link](https://example.com/a?b=c&d=e) and [titled](http://x.org \"The Title\").",
        "An image ![alt text](https://example.com/pic.png) inline.",
        "~~struck~~ text and *emphasis with **strong** inside*.",
        "Text with \\* asterisks \\*, \\_underscores\\_, \\[brackets\\] and \\`ticks\\`.",
        "Not a list:\\\n\\- dash\\\n1\\. number\\\n\\# hash\\\n\\> quote",
        "Ampersands & entities: \\&copy; R&D, AT&T, 5 < 6 > 4.",
        "A backslash \\\\ and a tilde \\~ and pipes | here.",
        "snake_case and __dunder__ and intra*word*emphasis.",
        "Visit www\\.example.com or http\\://example.org today.",
        "*“Quoted,”* she said, and *he* **left**.",
        "> - a list in a quote\n> - second\n\nAfter.",
        "- item with\n\n  two paragraphs\n\n- next",
        "Mixed <u>underline</u>, <sup>sup</sup>, <sub>sub</sub> and <small>small</small>.",
        "1986\\. What a year.\n\n2) Not a list either.",
    };
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        char *h = markdown_to_html(sources[i], strlen(sources[i]));
        assert_non_null(h);
        char *md = round_trip(h);
        if (!strstr(sources[i], "<u>"))
            assert_false(has_raw_html(md));
        free(md);
        free(h);
    }
}

/* Sanitized HTML in the shape markdown_to_html gives it, written by hand. */
static void test_round_trip_html(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "<p>plain</p>",
        "<p>a <em>b</em> <strong>c</strong> <del>d</del></p>\n<hr>\n<p>e</p>",
        "<p><i>italic</i> <b>bold</b> <s>struck</s> <u>under</u></p>",
        "<p class=\"center\">A centred line.</p>",
        "<p align=\"right\">Right.</p>\n<p>Then <span class=\"smallcaps\">caps</span>.</p>",
        "<h1>Top heading</h1>\n<p>text</p>",
        ("<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
         "<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"),
        "<div class=\"center\">\n<p>In a div.</p>\n</div>",
        "<pre>preformatted\n\n  with a blank line</pre>",
        "<ul>\n<li>a</li>\n</ul>\n<ul>\n<li>b</li>\n</ul>",
        "<ol>\n<li>x</li>\n</ol>\n<ol>\n<li>y</li>\n</ol>",
        "<blockquote>\n<p>one</p>\n</blockquote>\n<blockquote>\n<p>two</p>\n</blockquote>",
        "<p>Contact me@example.com or @handle.</p>",
        "<p><a name=\"top\">anchor</a> and <a href=\"#top\" rel=\"nofollow\">back</a></p>",
        "<p><em> spaced </em>word<em>x</em><strong>y</strong></p>",
        "<p>tab\there and  two spaces</p>",
        "<p>\u00a0non-breaking spaces\u00a0</p>",
        "<p><code>a &lt; b</code> &amp;&amp; <code>` x `</code></p>",
        "<p>a<br>\nb<br>\n- c</p>",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        free(round_trip(cases[i]));
}

static void test_markdown_forms(void **state)
{
    (void)state;
    static const struct {
        const char *html, *md;
    } cases[] = {
        {"<p>a</p><p>b</p>", "a\n\nb\n"},
        {"<p>x <em>y</em> <strong>z</strong></p>", "x *y* **z**\n"},
        {"<hr>", "* * *\n"},
        {"<p>a<br>b</p>", "a\\\nb\n"},
        {"<blockquote><p>q</p><p>r</p></blockquote>", "> q\n>\n> r\n"},
        {"<ul><li>a</li><li>b</li></ul>", "- a\n- b\n"},
        {"<ol><li>a</li><li>b</li></ol>", "1. a\n2. b\n"},
        {"<h2>Two</h2><h4>Four</h4>", "## Two\n\n#### Four\n"},
        {"<h1>One</h1>", "<h1>One</h1>\n"},
        {"<p><a href=\"http://a.b/\" rel=\"nofollow\">t</a></p>", "[t](http://a.b/)\n"},
        {"<p><del>gone</del></p>", "~~gone~~\n"},
        {"<p><s>gone</s></p>", "<s>gone</s>\n"},
        {"<p>*not* [a] link_</p>", "\\*not\\* \\[a\\] link\\_\n"},
        {"<p>1. not a list</p>", "1\\. not a list\n"},
        {"<p># not a heading</p>", "\\# not a heading\n"},
        {"<p>— “typography” … é</p>", "— “typography” … é\n"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *md = to_md(cases[i].html);
        assert_string_equal(md, cases[i].md);
        free(md);
    }
}

static void test_text(void **state)
{
    (void)state;
    static const struct {
        const char *html, *text;
    } cases[] = {
        {"<p>One.</p>\n<p>Two\nlines.</p>", "One.\n\nTwo lines.\n"},
        {"<p>a<br>b</p>", "a\nb\n"},
        {"<p><em>it</em> <i>i</i> <strong>bo</strong> <b>b</b></p>", "*it* *i* **bo** **b**\n"},
        {"<p>x</p><hr><p>y</p>", "x\n\n                                 * * *\n\ny\n"},
        {"<ul><li>a</li><li>b</li></ul>", "- a\n- b\n"},
        {"<ol start=\"2\"><li>a</li><li>b</li></ol>", "2. a\n3. b\n"},
        {"<blockquote><p>q</p><p>r</p></blockquote>", "> q\n>\n> r\n"},
        {"<p>See <a href=\"https://x.org/\">this</a>.</p>", "See this (https://x.org/).\n"},
        {"<p>&lt;tag&gt; &amp; “quotes”</p>", "<tag> & “quotes”\n"},
        {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
         "a | b\nc | d\n"},
        {"<pre>  code\n    more</pre>", "  code\n    more\n"},
        {"<p><img src=\"http://x/y.png\" alt=\"A cat\"></p>", "[image: A cat]\n"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *t = to_text(cases[i].html);
        assert_string_equal(t, cases[i].text);
        free(t);
    }
}

/* Deeply nested input converts without exhausting anything and still round-trips. */
static void test_deep_nesting(void **state)
{
    (void)state;
    struct buf src = BUF_INIT;
    for (int i = 0; i < 300; i++)
        buf_puts(&src, "<blockquote>");
    buf_puts(&src, "deep");
    char *h = sanitize_html(buf_str(&src), src.len);
    assert_non_null(h);
    char *md = to_md(h);
    char *t = to_text(h);
    assert_non_null(strstr(md, "deep"));
    assert_non_null(strstr(t, "deep"));
    free(md);
    free(t);
    free(h);
    buf_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_manuscripts), cmocka_unit_test(test_round_trip_html),
        cmocka_unit_test(test_markdown_forms),         cmocka_unit_test(test_text),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
