/* test_sanitize.c: the allow-list HTML sanitizer: exact output, XSS vectors, idempotence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "text/sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Asserts that sanitize_html gives the same for in (n bytes) as for in behind an empty
 * comment. gumbo drops the comment, so both mean the same document; the comment keeps the
 * gumbo-free fast path away, so this compares the fast path (where it applies) with gumbo. */
static void check_same_as_gumbo(const char *in, size_t n)
{
    char *pre = malloc(n + 8);
    assert_non_null(pre);
    memcpy(pre, "<!---->", 7);
    memcpy(pre + 7, in, n);
    pre[n + 7] = '\0';
    char *fast = sanitize_html(in, n);
    char *slow = sanitize_html(pre, n + 7);
    assert_non_null(fast);
    assert_non_null(slow);
    if (strcmp(fast, slow))
        fprintf(stderr, "fast path differs:\n  input: %.*s\n  fast:  %s\n  gumbo: %s\n", (int)n, in,
                fast, slow);
    assert_string_equal(fast, slow);
    free(pre);
    free(fast);
    free(slow);
}

/* Sanitizes s and checks the result against want. */
static void check(const char *in, const char *want)
{
    check_same_as_gumbo(in, strlen(in));
    char *got = sanitize_html(in, strlen(in));
    assert_non_null(got);
    if (strcmp(got, want))
        fprintf(stderr, "input: %s\nwant:  %s\ngot:   %s\n", in, want, got);
    assert_string_equal(got, want);
    free(got);
}

/* Asserts sanitize(sanitize(in)) == sanitize(in). */
static void check_idempotent(const char *in, size_t n)
{
    check_same_as_gumbo(in, n);
    char *once = sanitize_html(in, n);
    assert_non_null(once);
    check_same_as_gumbo(once, strlen(once));
    char *twice = sanitize_html(once, strlen(once));
    assert_non_null(twice);
    if (strcmp(once, twice))
        fprintf(stderr, "not idempotent:\n  once:  %s\n  twice: %s\n", once, twice);
    assert_string_equal(once, twice);
    free(once);
    free(twice);
}

/* Documents a writer might really post; all of them must be stable under re-sanitizing. */
static const char *const fixtures[] = {
    "<p>First <em>line</em> of the chapter.</p>\n<p>Second &amp; last.</p>",
    "<p>She said, &ldquo;Don&rsquo;t.&rdquo;</p><p>* * *</p><hr><p>Later&hellip;</p>",
    "<p align=\"center\"><strong>Chapter One</strong></p><blockquote><p>a quote</p></blockquote>",
    ("<table summary=\"s\"><caption>c</caption><colgroup span=2><col width=\"50%\"></colgroup>"
     "<tr><th scope=col>h</th><td colspan=2 rowspan=1 align=right>d</td></tr></table>"),
    "<ol start=\"3\" type=\"i\"><li>one<ul type=square><li>two</ul></li></ol><dl><dt>t<dd>d</dl>",
    "<pre>\n\ncode\n  indented</pre><pre><span>\nkeep</span></pre>",
    "<h1><font><h2>x</h2></font></h1><p>a<marquee><p>b</p></marquee></p>",
    "<li><section><li>c</section></li>",
    "<b><i><u>x<p>y</b>z</i><a href=/a><div>q</a><table><tr><td>1<td>2<tr><td>3",
    "<p>a<br>b<br/>c</p><p>&#13;carriage&#13;</p><p>tab\there</p>",
    "<center><big>B</big><tt>t</tt><strike>s</strike><s>s</s><ins>i</ins><del>d</del></center>",
    "<p><a name=\"fn1\">1</a> and <a href=\"#fn1\">back</a></p>",
    "<section><article><header>h</header><p>body</p><footer>f</footer></article></section>",
    "<p>unicode: caf\xc3\xa9 \xe6\xbc\xa2\xe5\xad\x97 \xf0\x9f\x98\x80 &nbsp; &copy;</p>",
    "<p>bad utf-8: \xff\xfe \xc3</p>",
    "<a href=x><table><a href=y>z</table></a>",
    "<p>x</p><!-- comment --><!DOCTYPE html><p>y</p>",
    "<ruby>\xe6\xbc\xa2<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>",
    "<menu><li>m</menu><dir><li>d</dir>",
    "<span dir=RTL lang=ar>\xd8\xb9</span><p class=\"center bogus indent center\">c</p>",
};

/* Classic XSS vectors: nothing executable may survive any of them. */
static const char *const vectors[] = {
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\" &#14;  javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
    "<a href=\"jav&#x0D;ascript:alert(1)\">x</a>",
    "<a href=\"jav\tascript:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>",
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
    "&#0000116&#0000058alert(1)\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"java&NewLine;script:alert(1)\">x</a>",
    "<a href=\"java&Tab;script:alert(1)\">x</a>",
    "<a href=\"\x01javascript:alert(1)\">x</a>",
    "<a href=\"  java script:alert(1)\">x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<a href=\"livescript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=javascript:alert(1)>x</a>",
    "<a href=\"/path#javascript:alert(1)\">x</a>",
    "<a href=\"#\" onclick=\"alert(1)\">x</a>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">",
    "<IMG SRC=`javascript:alert(1)`>",
    "<img src=http://ok.example/a.png onerror=\"alert(1)\" onload=alert(2)>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<math><a href=\"javascript:alert(1)\">x</a></math>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>x</button><input onfocus=alert(1) autofocus>"
    "</form>",
    "<details open ontoggle=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<p style=\"color:red\">x</p>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<script\n>alert(1)</script\n>",
    "<script>alert(1)",
    "<img src=x onerror=alert(1)",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<noscript><style></noscript><img src=x onerror=alert(1)>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<div onmouseover=\"alert(1)\">x",
    "<a href=\"http://ok.example/\" onmouseover=alert(1)>x",
    "<b <script>alert(1)</script>>x</b>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<isindex action=javascript:alert(1) type=image>",
    "<table background=\"javascript:alert(1)\"><tr><td onmouseover=alert(1)>x</td></tr></table>",
    "<blockquote cite=\"javascript:alert(1)\">q</blockquote>",
};

/* True when some tag of the sanitized s (each '<' it holds starts a tag) has an attribute
 * whose name starts with "on"; attribute values are quoted and hold no raw quote. */
static int has_event_attr(const char *s)
{
    for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
        int quoted = 0;
        for (const char *q = p; *q && (quoted || *q != '>'); q++) {
            if (*q == '"')
                quoted = !quoted;
            else if (!quoted && !strncasecmp(q, " on", 3))
                return 1;
        }
    }
    return 0;
}

static void test_xss_vectors(void **state)
{
    (void)state;
    static const char *const banned[] = {
        "<script",   "javascript", "vbscript", "livescript", "data:",      "onerror",    "onload",
        "onclick",   "onfocus",    "ontoggle", "onstart",    "style",      "expression", "<svg",
        "<math",     "<iframe",    "<object",  "<embed",     "<form",      "<input",     "<button",
        "<textarea", "<link",      "<meta",    "<base",      "<video",     "<audio",     "<title",
        "<template", "<noscript",  "srcdoc",   "xlink",      "background",
    };
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        char *out = sanitize_html(vectors[i], strlen(vectors[i]));
        assert_non_null(out);
        for (size_t j = 0; j < sizeof(banned) / sizeof(banned[0]); j++) {
            if (strcasestr(out, banned[j]))
                fprintf(stderr, "vector %zu: %s\noutput: %s\nholds %s\n", i, vectors[i], out,
                        banned[j]);
            assert_null(strcasestr(out, banned[j]));
        }
        assert_false(has_event_attr(out));
        free(out);
        check_idempotent(vectors[i], strlen(vectors[i]));
    }
}

static void test_dangerous_elements_dropped_with_content(void **state)
{
    (void)state;
    check("a<script>alert(1)</script>b", "ab");
    check("a<style>p{color:red}</style>b", "ab");
    check("a<iframe src=\"http://e.example/\">frame text</iframe>b", "ab");
    check("a<object>fallback</object>b", "ab");
    check("a<form>inside <b>form</b></form>b", "ab");
    check("a<select><option>o</option></select>b", "ab");
    check("a<textarea>t</textarea>b", "ab");
    check("a<button>press</button>b", "ab");
    check("a<svg><text>s</text></svg>b", "ab");
    check("a<math><mi>x</mi></math>b", "ab");
    check("a<template><p>t</p></template>b", "ab");
    check("a<noscript><p>n</p></noscript>b", "ab");
    check("a<title>t</title>b", "ab");
}

static void test_harmless_unknown_elements_unwrapped(void **state)
{
    (void)state;
    check("<font color=red face=x>red <b>bold</b></font>", "red <b>bold</b>");
    check("<p><custom-tag>kept</custom-tag> <mark>m</mark> <nobr>n</nobr></p>", "<p>kept m n</p>");
    check("<xmp><b>shown as text</b></xmp>", "&lt;b&gt;shown as text&lt;/b&gt;");
    check("<section><p>s</p></section><aside>a</aside>", "<div><p>s</p></div><div>a</div>");
    check("<menu><li>m</li></menu>", "<ul><li>m</li></ul>");
}

static void test_attributes(void **state)
{
    (void)state;
    /* fixed order, lowercase names and enumerated values, rel="nofollow" on links */
    check("<A TITLE=\"t\" HREF=\"https://e.example/a?b=1&amp;c=2\" REL=\"me\" TARGET=_blank>x</A>",
          "<a href=\"https://e.example/a?b=1&amp;c=2\" title=\"t\" rel=\"nofollow\">x</a>");
    check("<p CLASS=\"x center  center smallcaps\" align=CENTER dir=RTL lang=en-GB id=i "
          "style=\"color:red\" onclick=\"x()\">p</p>",
          "<p align=\"center\" dir=\"rtl\" lang=\"en-GB\" class=\"center smallcaps\">p</p>");
    check("<p class=\"bogus\" align=\"sideways\" dir=\"up\" lang=\"en gb\">p</p>", "<p>p</p>");
    check("<img alt=\"a &quot;b&quot;\" src=\" https://e.example/i.png \" width=10 height=\"x\">",
          "<img src=\"https://e.example/i.png\" alt=\"a &quot;b&quot;\" width=\"10\">");
    check("<img src=\"/relative.png\">", "");
    check("<img src=\"//e.example/i.png\">", "");
    check("<img src=\"http://e.example/i.png\" width=\"50%\">",
          "<img src=\"http://e.example/i.png\">");
    check("<a href=\"mailto:me@e.example\">m</a>",
          "<a href=\"mailto:me@e.example\" rel=\"nofollow\">m</a>");
    check("<a href=\"../ch2.html#top\">r</a><a href=\"?page=2\">q</a><a href=\"\">e</a>",
          "<a href=\"../ch2.html#top\" rel=\"nofollow\">r</a>"
          "<a href=\"?page=2\" rel=\"nofollow\">q</a><a href=\"\" rel=\"nofollow\">e</a>");
    check("<a href=\"ftp://e.example/\">f</a>", "<a>f</a>");
    check("<a href=\"htt\np://e.example/\">n</a>",
          "<a href=\"http://e.example/\" rel=\"nofollow\">n</a>");
    check("<a name=\"fn1\">1</a><a name=\"bad name\">2</a>", "<a name=\"fn1\">1</a><a>2</a>");
    check("<ol type=A start=-2 reversed><li>x</li></ol><ol type=Q><li>y</li></ol>",
          "<ol start=\"-2\" type=\"A\"><li>x</li></ol><ol><li>y</li></ol>");
    check("<ul type=\"Circle\"><li>x</li></ul>", "<ul type=\"circle\"><li>x</li></ul>");
    check("<table width=\"80%\" border=1><tr><th scope=ROW colspan=2 abbr=\"h\">h</th>"
          "<td rowspan=99999 valign=top>d</td></tr></table>",
          "<table width=\"80%\"><tbody><tr><th colspan=\"2\" scope=\"row\" abbr=\"h\">h</th>"
          "<td>d</td></tr></tbody></table>");
    check("<blockquote cite=\"https://e.example/q\">q</blockquote><q cite=\"/rel\">r</q>",
          "<blockquote cite=\"https://e.example/q\">q</blockquote><q>r</q>");
    check("<p title=\"x > y < z & w\">t</p>", "<p title=\"x &gt; y &lt; z &amp; w\">t</p>");
}

static void test_serialization(void **state)
{
    (void)state;
    check("<P>Hello<BR/>world<HR/></P>", "<p>Hello<br>world</p><hr><p></p>");
    check("<p>a &amp; b &lt; c &gt; d \"quoted\" 'single'</p>",
          "<p>a &amp; b &lt; c &gt; d \"quoted\" 'single'</p>");
    check("<p>unclosed <b>bold <i>both</p>", "<p>unclosed <b>bold <i>both</i></b></p>");
    check("<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p><!-- c --></body>"
          "</html>",
          "<p>x</p>");
    check("  \n<p>x</p>\n\n", "<p>x</p>");
    check("<table><tr><td>1</td></tr></table>",
          "<table><tbody><tr><td>1</td></tr></tbody></table>");
    check("<p>a&#13;b</p>", "<p>a&#13;b</p>");
    check("<pre>\n\nx</pre>", "<pre>\n\nx</pre>");
    check("<pre>\nx</pre>", "<pre>x</pre>");
    check("&nbsp;", "\xc2\xa0");
}

static void test_empty_and_whitespace(void **state)
{
    (void)state;
    check("", "");
    check("   \n\t  \r\n ", "");
    check("<!-- only a comment -->", "");
    check("<script>x</script>  ", "");
    char *s = sanitize_html(NULL, 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    /* n bounds the input: bytes after it are not read */
    s = sanitize_html("<b>ab</b><script>", 9);
    assert_non_null(s);
    assert_string_equal(s, "<b>ab</b>");
    free(s);
}

static void test_depth_cap(void **state)
{
    (void)state;
    enum { LEVELS = 150 };
    char in[LEVELS * 12 + 16];
    size_t n = 0;
    for (int i = 0; i < LEVELS; i++)
        n += (size_t)snprintf(in + n, sizeof(in) - n, "<blockquote>");
    n += (size_t)snprintf(in + n, sizeof(in) - n, "deep text");
    char *out = sanitize_html(in, n);
    assert_non_null(out);
    int opened = 0;
    for (const char *p = strstr(out, "<blockquote>"); p; p = strstr(p + 1, "<blockquote>"))
        opened++;
    assert_int_equal(opened, 100);
    assert_non_null(strstr(out, "deep text"));
    free(out);
    check_idempotent(in, n);
}

static void test_deep_nesting_does_not_overflow(void **state)
{
    (void)state;
    /* far deeper than any recursion could survive with a small stack */
    enum { LEVELS = 20000 };
    size_t cap = LEVELS * 6 + 8;
    char *in = malloc(cap);
    assert_non_null(in);
    size_t n = 0;
    for (int i = 0; i < LEVELS; i++) {
        memcpy(in + n, i % 2 ? "<span>" : "<em>", i % 2 ? 6 : 4);
        n += i % 2 ? 6 : 4;
    }
    memcpy(in + n, "x", 1);
    n++;
    char *out = sanitize_html(in, n);
    assert_non_null(out);
    assert_non_null(strchr(out, 'x'));
    free(out);
    free(in);
}

static void test_large_input(void **state)
{
    (void)state;
    const char *para = "<p>Some <em>words</em> &amp; more words.</p>\n";
    size_t plen = strlen(para), reps = 20000;
    char *in = malloc(plen * reps + 1);
    assert_non_null(in);
    for (size_t i = 0; i < reps; i++)
        memcpy(in + i * plen, para, plen);
    char *out = sanitize_html(in, plen * reps);
    assert_non_null(out);
    /* the input is already in canonical form, less the final newline */
    assert_int_equal(strlen(out), plen * reps - 1);
    assert_memory_equal(out, in, plen * reps - 1);
    free(out);
    free(in);
}

/* Builds "<p>start</p><a><li>" + levels * "<ul><li>w" + "<ul><i><a>end": a link left open
 * around nested lists, which re-parsing rearranges one level at a time. */
static char *misnested_links(int levels)
{
    size_t cap = (size_t)levels * 10 + 64;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t n = (size_t)snprintf(s, cap, "<p>start</p><a><li>");
    for (int i = 0; i < levels; i++)
        n += (size_t)snprintf(s + n, cap - n, "<ul><li>w");
    snprintf(s + n, cap - n, "<ul><i><a>end");
    return s;
}

static void test_settles_in_several_passes(void **state)
{
    (void)state;
    /* twenty levels settle within the pass limit: markup is kept */
    char *in = misnested_links(20);
    char *out = sanitize_html(in, strlen(in));
    assert_non_null(out);
    assert_non_null(strstr(out, "<p>start</p>"));
    assert_non_null(strstr(out, "<ul><a></a><li><a>w</a>"));
    free(out);
    check_idempotent(in, strlen(in));
    free(in);
}

static void test_unsettled_input_reduced_to_text(void **state)
{
    (void)state;
    /* forty levels would need more passes than allowed: only the text is left, a line per
     * block, and that is a fixed point too */
    char *in = misnested_links(40);
    char *out = sanitize_html(in, strlen(in));
    assert_non_null(out);
    assert_null(strchr(out, '<'));
    assert_int_equal(strncmp(out, "start\n", 6), 0);
    int words = 0;
    for (const char *p = strchr(out, 'w'); p; p = strchr(p + 1, 'w'))
        words++;
    assert_int_equal(words, 40);
    assert_null(strstr(out, "\n\n"));
    assert_non_null(strstr(out, "\nend"));
    free(out);
    check_idempotent(in, strlen(in));
    free(in);
}

static void test_fixtures_idempotent(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
        check_idempotent(fixtures[i], strlen(fixtures[i]));
}

static void test_fixtures_keep_text(void **state)
{
    (void)state;
    /* spot checks that sanitizing the fixtures keeps what writers wrote */
    char *out = sanitize_html(fixtures[1], strlen(fixtures[1]));
    assert_non_null(out);
    assert_string_equal(out, "<p>She said, \xe2\x80\x9c"
                             "Don\xe2\x80\x99t.\xe2\x80\x9d</p>"
                             "<p>* * *</p><hr><p>Later\xe2\x80\xa6</p>");
    free(out);
    out = sanitize_html(fixtures[11], strlen(fixtures[11]));
    assert_non_null(out);
    assert_string_equal(out, "<p><a name=\"fn1\">1</a> and <a href=\"#fn1\" rel=\"nofollow\">"
                             "back</a></p>");
    free(out);
}

/* A small deterministic generator (xorshift) for the differential test. */
static uint64_t rnd_state = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned)(rnd_state % n);
}

/* Random documents made of the markup the importer and cmark generate, nested the way they
 * nest it or mis-nested, with the text and references that come near the fast path's edges
 * (controls, C1, noncharacters, invalid UTF-8, bare & and <, CR, self-closed voids, upper
 * case, attributes): the fast path and gumbo must agree on every one. */
static void test_fast_path_matches_gumbo(void **state)
{
    (void)state;
    static const char *const tags[] = {"p",  "em", "strong", "h2",   "blockquote", "ul",
                                       "ol", "li", "div",    "span", "del",        "code",
                                       "b",  "i",  "h1",     "sub",  "a",          "pre",
                                       "P",  "td", "table",  "q",    "u",          "small"};
    static const char *const texts[] = {"word",
                                        " ",
                                        "\n",
                                        "\t",
                                        "&amp;",
                                        "&quot;",
                                        "&#39;",
                                        "&lt;",
                                        "&gt;",
                                        ">",
                                        "\"",
                                        "'",
                                        "caf\xc3\xa9",
                                        "\xe6\x97\xa5",
                                        "-",
                                        "don't",
                                        "&",
                                        "<",
                                        "&nbsp;",
                                        "\r",
                                        "\f",
                                        "\xc2\x85",
                                        "\xef\xbf\xbe",
                                        "\xff",
                                        "<br>",
                                        "<br />",
                                        "<hr>",
                                        "<hr/>",
                                        "</br>",
                                        "<!-- c -->",
                                        "&#x27;",
                                        "<p class=\"x\">",
                                        "\x7f",
                                        "\xf0\x9f\x98\x80",
                                        "\xed\xa0\x80",
                                        "\x01"};
    struct {
        const char *name;
    } st[32];
    char doc[4096];
    for (int round = 0; round < 4000; round++) {
        size_t len = 0, depth = 0;
        int soup = round % 4 == 3; /* closes in any order, or never */
        int clean = round % 4 < 2; /* text the fast path accepts */
        int steps = 1 + (int)rnd(40);
        for (int k = 0; k < steps && len < sizeof(doc) - 64; k++) {
            unsigned r = rnd(10);
            const char *piece;
            char tmp[64];
            if (r < 3 && depth < 32) {
                const char *t = tags[rnd(clean ? 16 : sizeof(tags) / sizeof(tags[0]))];
                snprintf(tmp, sizeof(tmp), "<%s>", t);
                st[depth++].name = t;
                piece = tmp;
            } else if (r < 5 && depth > 0) {
                size_t d = soup ? rnd((unsigned)depth) : depth - 1;
                snprintf(tmp, sizeof(tmp), "</%s>", st[d].name);
                st[d] = st[--depth];
                piece = tmp;
            } else {
                piece = texts[rnd(clean ? 12 : sizeof(texts) / sizeof(texts[0]))];
            }
            size_t pl = strlen(piece);
            memcpy(doc + len, piece, pl);
            len += pl;
        }
        while (depth > 0 && !soup && len < sizeof(doc) - 16) {
            len += (size_t)snprintf(doc + len, 16, "</%s>", st[--depth].name);
        }
        doc[len] = '\0';
        check_same_as_gumbo(doc, len);
    }
}

/* The same with attributes on the start tags: the kinds the importer writes when it
 * re-serialises an HTML manuscript (name="value", references escaped) with values the
 * allow-list keeps, changes or drops, next to spellings the fast path leaves to gumbo
 * (upper case, other quoting, doubled spaces, bare names, other references, controls). */
static void test_fast_path_attributes_match_gumbo(void **state)
{
    (void)state;
    static const char *const tags[] = {"p",  "em",  "strong", "h2",  "blockquote", "ul",  "ol",
                                       "li", "div", "span",   "del", "code",       "b",   "i",
                                       "h1", "sub", "q",      "ins", "small",      "big", "u"};
    static const char *const attrs[] = {
        " class=\"MsoNormal\"", " class=\"center\"", " class=\"center indent x\"",
        " class=\" indent\tcenter \"", " class=\"\"", " align=\"left\"", " align=\"CENTER\"",
        " align=\" justify \"", " align=\"middle\"", " align=\"nowhere\"",
        " title=\"a &amp; b &lt;c&gt; &quot;q&quot; &#39;s&#39;\"",
        " title=\"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80\"", " title=\"x\ny\tz\"",
        " title=\"<b>x</b> > y\"", " title=\"\"", " dir=\"rtl\"", " dir=\"sideways\"",
        " lang=\"en-GB\"", " lang=\"e n\"", " style=\"color:red\"", " id=\"x\"",
        " onclick=\"alert(1)\"", " cite=\"http://example.com/a?b=1&amp;c=2\"",
        " cite=\"javascript:alert(1)\"", " cite=\"  https://e.org/ \"", " start=\"3\"",
        " start=\"-2\"", " start=\"x\"", " type=\"a\"", " type=\"I\"", " type=\"disc\"",
        " type=\" SQUARE\"", " data-x=\"1\"", " href=\"http://example.com/\"", " width=\"10\"",
        " summary=\"s\"", " class=\"a\" class=\"center\"", " class=\"center\" class=\"left\"",
        /* left to gumbo */
        " CLASS=\"center\"", " class='center'", " class=center", "  class=\"center\"", " hidden",
        " title=\"&nbsp;\"", " title=\"&amp\"", " title=\"\r\"", " title=\"\x01\"",
        " title=\"\xc2\x85\"", " title=\"\xff\"", " title=\"unterminated", " x:y=\"1\""};
    static const char *const texts[] = {"word",
                                        " ",
                                        "\n",
                                        "&amp;",
                                        "&quot;",
                                        "&#39;",
                                        "&lt;",
                                        "caf\xc3\xa9",
                                        "-",
                                        "don't",
                                        "<br>",
                                        "<br class=\"x\">",
                                        "<hr />",
                                        "<hr class=\"center\"/>",
                                        "<br title=\"t\" />"};
    const char *st[32];
    char doc[8192];
    for (int round = 0; round < 4000; round++) {
        size_t len = 0, depth = 0;
        int clean = round % 3 != 2; /* attributes the fast path takes */
        size_t nattrs = sizeof(attrs) / sizeof(attrs[0]);
        int steps = 1 + (int)rnd(40);
        for (int k = 0; k < steps && len < sizeof(doc) - 512; k++) {
            unsigned r = rnd(10);
            char tmp[512];
            const char *piece = tmp;
            if (r < 3 && depth < 32) {
                const char *t = tags[rnd(sizeof(tags) / sizeof(tags[0]))];
                size_t tl = (size_t)snprintf(tmp, sizeof(tmp), "<%s", t);
                for (unsigned a = rnd(4); a > 0; a--) {
                    const char *at = attrs[rnd(clean ? (unsigned)nattrs - 13 : (unsigned)nattrs)];
                    tl += (size_t)snprintf(tmp + tl, sizeof(tmp) - tl, "%s", at);
                }
                snprintf(tmp + tl, sizeof(tmp) - tl, ">");
                st[depth++] = t;
            } else if (r < 5 && depth > 0) {
                snprintf(tmp, sizeof(tmp), "</%s>", st[--depth]);
            } else {
                piece = texts[rnd(sizeof(texts) / sizeof(texts[0]))];
            }
            size_t pl = strlen(piece);
            memcpy(doc + len, piece, pl);
            len += pl;
        }
        while (depth > 0 && len < sizeof(doc) - 16)
            len += (size_t)snprintf(doc + len, 16, "</%s>", st[--depth]);
        doc[len] = '\0';
        check_same_as_gumbo(doc, len);
    }
}

static void test_html_sanitized_marks_safe(void **state)
{
    (void)state;
    char *out = sanitize_html("<b>x</b>", 8);
    assert_non_null(out);
    struct html_safe h = html_sanitized(out);
    assert_ptr_equal(h.html, out);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xss_vectors),
        cmocka_unit_test(test_dangerous_elements_dropped_with_content),
        cmocka_unit_test(test_harmless_unknown_elements_unwrapped),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_serialization),
        cmocka_unit_test(test_empty_and_whitespace),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_deep_nesting_does_not_overflow),
        cmocka_unit_test(test_large_input),
        cmocka_unit_test(test_settles_in_several_passes),
        cmocka_unit_test(test_unsettled_input_reduced_to_text),
        cmocka_unit_test(test_fixtures_idempotent),
        cmocka_unit_test(test_fixtures_keep_text),
        cmocka_unit_test(test_html_sanitized_marks_safe),
        cmocka_unit_test(test_fast_path_matches_gumbo),
        cmocka_unit_test(test_fast_path_attributes_match_gumbo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
