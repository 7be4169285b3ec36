/* test_html_fast.c: the gumbo-free tree of plain HTML manuscripts (ms_html_fast.c) against
 * gumbo's tree, on random documents made of what writers' and converters' HTML holds and of
 * what the fast path must leave to gumbo: wherever the fast path takes a document, its body
 * (elements, attributes, text) and title must be gumbo's, and the importer's blocks the same
 * as when gumbo builds the tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "text/ms_int.h"

#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rnd_state = 0xD1B54A32D192ED03ULL;
static unsigned rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned)(rnd_state % n);
}

/* A canonical dump of a node: elements with their attributes in order, text as it is. */
static void dump(struct buf *b, const GumboNode *n)
{
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE) {
        buf_printf(b, "T[%s]", n->v.text.text);
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT) {
        buf_printf(b, "N%d", (int)n->type);
        return;
    }
    const GumboElement *e = &n->v.element;
    buf_printf(b, "<%s", gumbo_normalized_tagname(e->tag));
    for (unsigned i = 0; i < e->attributes.length; i++) {
        const GumboAttribute *a = e->attributes.data[i];
        buf_printf(b, " %s=[%s]", a->name, a->value);
    }
    buf_putc(b, '>');
    for (unsigned i = 0; i < e->children.length; i++)
        dump(b, e->children.data[i]);
    buf_printf(b, "</%s>", gumbo_normalized_tagname(e->tag));
}

static const GumboNode *child(const GumboNode *n, GumboTag tag)
{
    for (unsigned i = 0; n && i < n->v.element.children.length; i++) {
        const GumboNode *k = n->v.element.children.data[i];
        if (k->type == GUMBO_NODE_ELEMENT && k->v.element.tag == tag)
            return k;
    }
    return NULL;
}

/* The head's first title and the body's content of the tree at root (the importer reads
 * nothing else: not the body's own attributes, nor the rest of the head). */
static void dump_doc(struct buf *b, const GumboNode *root)
{
    const GumboNode *title = child(child(root, GUMBO_TAG_HEAD), GUMBO_TAG_TITLE);
    if (title)
        dump(b, title);
    const GumboNode *body = child(root, GUMBO_TAG_BODY);
    assert_non_null(body);
    for (unsigned i = 0; i < body->v.element.children.length; i++)
        dump(b, body->v.element.children.data[i]);
}

static void blocks_dump(struct buf *b, const char *s, size_t n)
{
    struct ms_doc d;
    memset(&d, 0, sizeof(d));
    d.fmt = MS_HTML;
    char *title = NULL;
    assert_int_equal(ms_blocks_html(&d, s, n, &title), 0);
    buf_printf(b, "title[%s]\n", title ? title : "(none)");
    for (size_t i = 0; i < d.n; i++)
        buf_printf(b, "%d %d %d %d [%s] [%s]\n", (int)d.b[i].kind, d.b[i].hlevel, d.b[i].nlines,
                   d.b[i].line, d.b[i].text, d.b[i].raw ? d.b[i].raw : "");
    free(title);
    ms_doc_free(&d);
}

static int taken;

/* Compares the fast tree of doc with gumbo's, and the blocks with those gumbo's tree gives
 * (a comment in front keeps the fast path away and changes nothing in gumbo's tree). */
static void check(const char *doc, size_t n)
{
    struct ms_hfast *mem = NULL;
    const GumboNode *fast = ms_html_fast(doc, n, &mem);
    if (!fast)
        return;
    taken++;
    GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, doc, n);
    assert_non_null(g);
    struct buf a = BUF_INIT, b = BUF_INIT;
    dump_doc(&a, fast);
    dump_doc(&b, g->root);
    if (strcmp(buf_str(&a), buf_str(&b)))
        fprintf(stderr, "fast tree differs for:\n%.*s\n  fast:  %s\n  gumbo: %s\n", (int)n, doc,
                buf_str(&a), buf_str(&b));
    assert_string_equal(buf_str(&a), buf_str(&b));
    gumbo_destroy_output(&kGumboDefaultOptions, g);
    ms_html_fast_free(mem);
    buf_reset(&a);
    buf_reset(&b);
    char *pre = malloc(n + 8);
    assert_non_null(pre);
    memcpy(pre, "<!---->", 7);
    memcpy(pre + 7, doc, n);
    pre[n + 7] = '\0';
    blocks_dump(&a, doc, n);
    blocks_dump(&b, pre, n + 7);
    assert_string_equal(buf_str(&a), buf_str(&b));
    free(pre);
    buf_free(&a);
    buf_free(&b);
}

static void put(struct buf *b, const char *const *v, size_t nv)
{
    buf_puts(b, v[rnd((unsigned)nv)]);
}
#define PUT(b, v) put(b, v, sizeof(v) / sizeof(v[0]))

static void test_random_documents(void **state)
{
    (void)state;
    static const char *const starts[] = {"",
                                         "<!DOCTYPE html>\n",
                                         "<!doctype html>",
                                         "\n <!DOCTYPE html>\r\n",
                                         "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\">\n",
                                         "x"};
    static const char *const htmls[] = {"<html>", "<html lang=\"en\">", "<html>\n", "<HTML>", ""};
    static const char *const heads[] = {
        "<meta charset=\"utf-8\">",
        "\n",
        "<meta name=\"a\" content=\"b\"/>",
        "<title>A Star &amp; a Moon</title>",
        "<title>Caf\xC3\xA9 &ldquo;Noir&rdquo; &#8212; &lt;b&gt; 1 < 2</title>",
        "<title></title>",
        "<title>x</TITLE>",
        "<style>p.MsoNormal { margin: 0; font-family: \"T\"; }</style>",
        "<style>a</b>c</style>",
        "<link rel=\"stylesheet\" href=\"s.css\">",
        "<script>var x;</script>",
        "<!-- c -->",
        "<base href=\"x\">"};
    static const char *const tags[] = {
        "p",      "em",   "strong", "h2",  "blockquote", "ul",  "ol",   "li", "div", "span",
        "del",    "code", "b",      "i",   "h1",         "sub", "a",    "q",  "u",   "small",
        "center", "s",    "tt",     "pre", "table",      "dl",  "font", "P"};
    static const char *const attrs[] = {" class=\"MsoNormal\"",
                                        " class=\"center\"",
                                        " align=\"center\"",
                                        " title=\"a &amp; b &quot;q&quot; &#39;s &lt;\"",
                                        " title=\"caf\xC3\xA9 &eacute; &rsquo;\"",
                                        " href=\"http://example.com/?a=1&amp;b=2\"",
                                        " href=\"?a=1& b\"",
                                        " id=\"x\"",
                                        " style=\"color:red\"",
                                        " class=\"a\" class=\"b\"",
                                        " data-x=\"1\"",
                                        " title=\"\"",
                                        " class='x'",
                                        " class=x",
                                        " title=\"&copy\"",
                                        " title=\"&bogus;\"",
                                        "  class=\"x\""};
    /* texts before SAFE_TEXTS are all of the kind the fast path takes */
    static const char *const texts[] = {
        "word", " ", "\n", "\t", "Elenan didn&rsquo;t look&mdash;she couldn&rsquo;t.",
        "&ldquo;Stay,&rdquo; he said&hellip;", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;",
        "&nbsp;", "&eacute;", "&copy;", "&trade;", "&laquo;x&raquo;", "&#39;", "&#8212;",
        "&#x2019;", "&#x27;", "&#9;", "&#10;", "& ", "a & b", "<3", "a < b", "1 <= 2", ">", "\"",
        "'", "caf\xC3\xA9", "\xE2\x80\x94", "\xF0\x9F\x98\x80", "<br>", "<br/>", "<br />", "<hr>",
        "<hr class=\"x\">", "\xC2\xA0", "&sbquo;&bdquo;&iexcl;&iquest;&ntilde;",
        "&egrave;&aacute;&agrave;&ccedil;&ouml;&uuml;&auml;&szlig;&middot;&bull;&deg;&reg;",
        "&lsquo;&ndash;",
        /* left to gumbo */
        "&#0;", "&#128;", "&#x110000;", "&#55296;", "&", "AT&T", "&amp", "&bogus;", "&copy2",
        "\xC2\x85", "\xEF\xBF\xBE", "</br>", "<!-- c -->", "<?x?>", "</ x>", "<p/>", "\x01"};
#define SAFE_TEXTS 42
    static const char *const ends[] = {"</body>\n</html>\n",
                                       "</body></html>",
                                       "</body>\n\n</html>",
                                       "</body>\n</html>\n\n  ",
                                       "</body>x</html>",
                                       "</body>",
                                       "</html>",
                                       "</body>\n</html>\nx",
                                       "</body>\n<!-- c -->\n</html>"};
    struct buf doc = BUF_INIT;
    const char *st[64];
    for (int round = 0; round < 6000; round++) {
        buf_reset(&doc);
        int clean = round % 4 != 3;
        if (clean) {
            buf_puts(&doc, starts[rnd(3)]);
            buf_puts(&doc, htmls[rnd(3)]);
        } else {
            PUT(&doc, starts);
            PUT(&doc, htmls);
        }
        buf_puts(&doc, rnd(8) ? "<head>" : "<head lang=\"en\">\n");
        for (unsigned k = rnd(6); k > 0; k--)
            put(&doc, heads, clean ? 10 : sizeof(heads) / sizeof(heads[0]));
        buf_puts(&doc, "</head>");
        buf_puts(&doc, rnd(2) ? "\n" : "");
        buf_puts(&doc, rnd(6) ? "<body>" : "<body class=\"x\">");
        size_t depth = 0;
        int soup = round % 5 == 4;
        for (int k = 0, steps = 1 + (int)rnd(clean ? 24 : 60); k < steps; k++) {
            unsigned r = rnd(10);
            if (r < 3 && depth < 64) {
                const char *t = tags[rnd(clean ? 23 : sizeof(tags) / sizeof(tags[0]))];
                buf_printf(&doc, "<%s", t);
                for (unsigned a = rnd(3); a > 0; a--)
                    put(&doc, attrs, clean ? 12 : sizeof(attrs) / sizeof(attrs[0]));
                buf_putc(&doc, '>');
                st[depth++] = t;
            } else if (r < 5 && depth > 0) {
                size_t d = soup ? rnd((unsigned)depth) : depth - 1;
                buf_printf(&doc, "</%s>", st[d]);
                st[d] = st[--depth];
            } else {
                put(&doc, texts, clean ? SAFE_TEXTS : sizeof(texts) / sizeof(texts[0]));
            }
        }
        while (depth > 0 && !soup)
            buf_printf(&doc, "</%s>", st[--depth]);
        put(&doc, ends, clean ? 4 : sizeof(ends) / sizeof(ends[0]));
        check(buf_str(&doc), doc.len);
    }
    buf_free(&doc);
    fprintf(stderr, "fast path took %d of 6000 documents\n", taken);
    assert_true(taken > 1000);
}

/* The shapes of the generated benchmark corpus and of simple converter output. */
static void test_typical_documents(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>A Star for "
        "Ulren</title>\n<style>p.MsoNormal { margin: 0 0 10pt; font-family: \"Times New Roman\"; "
        "}</style>\n</head>\n<body>\n<h1>A Star for Ulren</h1>\n<p class=\"byline\">by "
        "smallribbon651</p>\n<div class=\"meta\">\n<p><b>Fandom:</b> Tides of the Ember (TV)</p>\n"
        "<p><b>Summary:</b> \nShe swallowed&mdash; and then she laughed "
        "again.</p>\n</div>\n<h2>Part "
        "1</h2>\n<p class=\"MsoNormal\">Elenan didn&rsquo;t look at Ulren&mdash;she "
        "couldn&rsquo;t, not yet. <i>carefully</i> break.</p>\n<hr>\n<p align=\"center\">* * "
        "*</p>\n<p class=\"MsoNormal\">A/N: Comments and kudos are love.</p>\n</body>\n</html>\n",
        "<html><head><title>T</title></head><body>text only</body></html>",
        "<html><head></head><body><p>a</p>tail text\n</body>\n</html>\n",
        ("<html><head></head><body><ul><li>one</li><li>two <b>2</b></li></ul><ol><li><div><p>x</p>"
         "</div></li></ol><blockquote><p>q</p></blockquote><center>c</center></body></html>"),
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        int before = taken;
        check(docs[i], strlen(docs[i]));
        assert_int_equal(taken, before + 1); /* each of them is taken */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typical_documents),
        cmocka_unit_test(test_random_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
