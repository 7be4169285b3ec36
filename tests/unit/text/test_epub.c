/* test_epub.c: the EPUB exporter: zip layout (mimetype first and stored), package contents,
 * escaping, chapter order, determinism, and epubcheck with no errors and no warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/work.h"
#include "text/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#define EPUBCHECK "/usr/bin/epubcheck"

static void add_chapter(struct work *w, const char *title, const char *html)
{
    struct chapter *c = work_add_chapter(w);
    assert_non_null(c);
    c->title = title ? strdup(title) : NULL;
    c->html = strdup(html);
    c->words = 100;
}

/* One untitled chapter, nothing else: no creators, summary, language or dates. */
static void make_minimal(struct work *w)
{
    work_init(w);
    w->title = strdup("Short");
    add_chapter(w, NULL, "<p>Just one paragraph.</p>");
}

/* Several titled chapters with notes, a title full of punctuation, tags with slashes and
 * ampersands, a French work in progress in a series. */
static void make_chapters(struct work *w)
{
    work_init(w);
    w->title = strdup("Ça — “quoted” & <brackets>");
    assert_int_equal(strlist_add(&w->creators, "Zoë"), 0);
    assert_int_equal(strlist_add(&w->creators, "R&R Writer"), 0);
    assert_int_equal(strlist_add(&w->fandoms, "Les Misérables - Victor Hugo"), 0);
    assert_int_equal(strlist_add(&w->relationships, "Enjolras/Grantaire"), 0);
    assert_int_equal(strlist_add(&w->relationships, "Cosette & Éponine"), 0);
    assert_int_equal(strlist_add(&w->freeforms, "Hurt/Comfort"), 0);
    assert_int_equal(strlist_add(&w->freeforms, "Fluff & Angst"), 0);
    w->rating = RATING_GENERAL;
    w->warnings = WARN_CHOSE_NOT;
    w->categories = CAT_MM | CAT_FF;
    w->language = strdup("Français");
    w->summary = strdup("Une histoire.\n\nEn deux paragraphes <avec> & des signes.");
    w->notes_begin = strdup("Notes du début.");
    w->notes_end = strdup("Merci d'avoir lu !");
    w->series = strdup("Barricades & Co");
    w->series_position = 3;
    w->published = 1577923200;
    w->updated = 1583280000;
    static const char *const titles[] = {"Le début", "Au milieu: <b>?</b>", "La fin & après"};
    for (int i = 0; i < 3; i++) {
        char html[128];
        snprintf(html, sizeof(html), "<p>Texte du chapitre %d.</p>", i + 1);
        add_chapter(w, titles[i], html);
        w->chapters[i].notes_begin = strdup("Chapter notes.");
        w->chapters[i].summary = strdup("Chapter summary.");
        w->chapters[i].notes_end = strdup("Chapter end notes.");
    }
}

/* A body using everything the sanitizer lets through, a title with a script tag, characters
 * XML forbids, Hebrew (written right to left). */
static void make_rich(struct work *w)
{
    work_init(w);
    w->title = strdup("<script>alert(1)</script> \x01Title");
    assert_int_equal(strlist_add(&w->creators, "<b>Bold</b> Author"), 0);
    w->language = strdup("עברית");
    w->rating = RATING_EXPLICIT;
    w->rating_declared = 1;
    w->summary = strdup("Summary with <script>bad()</script> & \x02 control.");
    w->expected_chapters = 1;
    w->updated = 1600000000;
    add_chapter(
        w, "Everything",
        "<p>Line<br>break and <em>em</em> <strong>strong</strong> <i>i</i> <b>b</b> <u>u</u> "
        "<s>s</s> <strike>strike</strike> <del>del</del> <ins>ins</ins> <sup>1</sup> "
        "<sub>2</sub> <small>small</small> <big>big</big> <tt>tt</tt> <code>code</code> "
        "<acronym title=\"t\">ac</acronym> <abbr title=\"a\">ab</abbr> <q>q</q> "
        "<cite>cite</cite> <kbd>k</kbd> <var>v</var> <samp>s</samp> <dfn>d</dfn>"
        "&nbsp;&eacute;&#8212;</p>\n<hr>\n"
        "<p class=\"center\" align=\"center\">Centred</p>\n<center>old centre</center>\n"
        "<ul type=\"square\"><li>one</li><li>two<ol start=\"4\" type=\"i\"><li>n</li></ol>"
        "</li></ul>\n"
        "<blockquote cite=\"http://example.com/src\"><p>Quoted.</p></blockquote>\n"
        "<p><a href=\"https://example.com/a b?x=1&amp;y=2\" rel=\"nofollow\">link</a> "
        "<a name=\"here\">anchor</a> <a href=\"#here\">to anchor</a> "
        "<a href=\"#nowhere\">dangling</a> <a href=\"chapter2.html\">relative</a> "
        "<a href=\"mailto:a@example.com\">mail</a> "
        "<img src=\"http://example.com/pic.png\" alt=\"A picture\" width=\"10\"> "
        "<a href=\"http://example.com/\"><img src=\"https://example.com/in-link.png\"></a>"
        "</p>\n"
        "<table summary=\"s\" width=\"80%\"><caption>Cap</caption><tr><th scope=\"col\">H</th>"
        "<td width=\"5\" abbr=\"x\" colspan=\"2\">D</td></tr></table>\n"
        "<dl><dt>term</dt><dd>def</dd></dl>\n<pre>pre\n  formatted &lt;x&gt;</pre>\n"
        "<h1>h1</h1><h3 dir=\"rtl\" lang=\"he\">h3</h3>\n<div><p>in div</p></div>");
}

static void export_epub(const struct work *w, struct buf *b)
{
    buf_init(b, 0);
    assert_int_equal(export_work(w, EXPORT_EPUB, b), 0);
    assert_int_equal(b->err, 0);
    assert_true(b->len > 100);
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The OCF rules: the first local header is "mimetype", stored, with no extra field, holding
 * exactly "application/epub+zip". */
static void check_mimetype_first(const struct buf *b)
{
    const unsigned char *p = (const unsigned char *)b->data;
    assert_memory_equal(p, "PK\x03\x04", 4);
    assert_int_equal(le16(p + 8), 0);  /* compression: stored */
    assert_int_equal(le16(p + 26), 8); /* name length */
    assert_int_equal(le16(p + 28), 0); /* extra field length */
    assert_memory_equal(p + 30, "mimetype", 8);
    assert_memory_equal(p + 38, "application/epub+zip", 20);
}

/* Reads entry name of the archive in b into out (NUL-terminated); returns 0 when missing. */
static int read_entry(const struct buf *b, const char *name, struct buf *out)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(b->data, b->len, 0, &ze);
    assert_non_null(src);
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    assert_non_null(za);
    zip_error_fini(&ze);
    int found = 0;
    zip_file_t *f = zip_fopen(za, name, 0);
    if (f) {
        char tmp[4096];
        zip_int64_t n;
        while ((n = zip_fread(f, tmp, sizeof(tmp))) > 0)
            buf_put(out, tmp, (size_t)n);
        assert_true(n == 0);
        zip_fclose(f);
        found = 1;
        buf_puts(out, "");
    }
    zip_discard(za);
    return found;
}

static char *entry(const struct buf *b, const char *name)
{
    struct buf e = BUF_INIT;
    if (!read_entry(b, name, &e))
        fail_msg("entry %s missing", name);
    return buf_take(&e);
}

/* Names of all entries, in archive order, one per line. */
static char *entry_names(const struct buf *b)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(b->data, b->len, 0, &ze);
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    assert_non_null(za);
    zip_error_fini(&ze);
    struct buf names = BUF_INIT;
    zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        buf_puts(&names, zip_get_name(za, (zip_uint64_t)i, 0));
        buf_putc(&names, '\n');
    }
    zip_discard(za);
    return buf_take(&names);
}

/* Runs epubcheck on the book; asserts exit 0 and no warning or error in its report. Fails
 * when epubcheck is not installed: it is a declared test dependency (scripts/deps.sh test). */
static void run_epubcheck(const struct buf *b, const char *what)
{
    if (access(EPUBCHECK, R_OK) != 0)
        fail_msg("%s is not installed (scripts/deps.sh test installs it): %s not validated",
                 EPUBCHECK, what);
    char path[] = "/tmp/ficd_test_epub_XXXXXX.epub";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
    close(fd);
    /* the Debian package installs the jar itself as /usr/bin/epubcheck */
    char cmd[256];
    if (access("/usr/bin/java", X_OK) == 0)
        snprintf(cmd, sizeof(cmd), "java -jar %s %s 2>&1", EPUBCHECK, path);
    else
        snprintf(cmd, sizeof(cmd), "%s %s 2>&1", EPUBCHECK, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    struct buf out = BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), p)) > 0)
        buf_put(&out, tmp, n);
    int status = pclose(p);
    unlink(path);
    const char *report = buf_str(&out);
    if (status != 0 || strstr(report, "WARNING") || strstr(report, "ERROR") ||
        !strstr(report, "No errors or warnings detected"))
        fail_msg("epubcheck on %s (status %d):\n%s", what, status, report);
    buf_free(&out);
}

static void test_minimal(void **state)
{
    (void)state;
    struct work w;
    make_minimal(&w);
    struct buf b;
    export_epub(&w, &b);
    check_mimetype_first(&b);
    char *names = entry_names(&b);
    assert_string_equal(names, "mimetype\nMETA-INF/container.xml\nOEBPS/content.opf\n"
                               "OEBPS/nav.xhtml\nOEBPS/toc.ncx\nOEBPS/style.css\n"
                               "OEBPS/title.xhtml\nOEBPS/chapter1.xhtml\n");
    free(names);
    char *opf = entry(&b, "OEBPS/content.opf");
    assert_non_null(strstr(opf, "<dc:title>Short</dc:title>"));
    assert_non_null(strstr(opf, "<dc:language>en</dc:language>"));
    assert_non_null(strstr(opf, "<dc:identifier id=\"uid\">urn:uuid:"));
    assert_null(strstr(opf, "<dc:description>"));
    assert_non_null(strstr(opf, "<meta property=\"dcterms:modified\">"));
    free(opf);
    char *ch = entry(&b, "OEBPS/chapter1.xhtml");
    assert_non_null(strstr(ch, "<h2 class=\"heading\">Short</h2>"));
    assert_non_null(strstr(ch, "<p>Just one paragraph.</p>"));
    free(ch);
    run_epubcheck(&b, "a one-chapter work");
    buf_free(&b);
    work_free(&w);
}

static void test_chapters(void **state)
{
    (void)state;
    struct work w;
    make_chapters(&w);
    struct buf b, again;
    export_epub(&w, &b);
    check_mimetype_first(&b);
    /* the same work gives the same bytes */
    export_epub(&w, &again);
    assert_int_equal(b.len, again.len);
    assert_memory_equal(b.data, again.data, b.len);
    buf_free(&again);

    char *opf = entry(&b, "OEBPS/content.opf");
    static const char *const in_opf[] = {
        "<dc:title>Ça — “quoted” &amp; &lt;brackets&gt;</dc:title>",
        "<dc:creator id=\"creator1\">Zoë</dc:creator>",
        "<dc:creator id=\"creator2\">R&amp;R Writer</dc:creator>",
        "<dc:language>fr</dc:language>",
        "<dc:subject>Enjolras/Grantaire</dc:subject>",
        "<dc:subject>Fluff &amp; Angst</dc:subject>",
        "<dc:description>Une histoire.",
        "<meta property=\"dcterms:modified\">2020-03-04T00:00:00Z</meta>",
        "<meta property=\"belongs-to-collection\" id=\"series\">Barricades &amp; Co</meta>",
        ("<itemref idref=\"title\"/>\n<itemref idref=\"chapter1\"/>\n<itemref "
         "idref=\"chapter2\"/>\n"
         "<itemref idref=\"chapter3\"/>\n<itemref idref=\"afterword\"/>"),
    };
    for (size_t i = 0; i < sizeof(in_opf) / sizeof(in_opf[0]); i++)
        if (!strstr(opf, in_opf[i]))
            fail_msg("content.opf lacks %s:\n%s", in_opf[i], opf);
    free(opf);

    char *title = entry(&b, "OEBPS/title.xhtml");
    static const char *const in_title[] = {
        "lang=\"fr\" xml:lang=\"fr\"",
        "<h1 class=\"title\">Ça — “quoted” &amp; &lt;brackets&gt;</h1>",
        "<p class=\"byline\">by Zoë, R&amp;R Writer</p>",
        "<dt>Rating:</dt>\n<dd>General Audiences</dd>",
        "<dt>Archive Warning:</dt>\n<dd>Creator Chose Not To Use Archive Warnings</dd>",
        "<dt>Categories:</dt>\n<dd>F/F, M/M</dd>",
        "<dt>Relationships:</dt>\n<dd>Enjolras/Grantaire, Cosette &amp; Éponine</dd>",
        "<dt>Series:</dt>\n<dd>Part 3 of Barricades &amp; Co</dd>",
        "Chapters: 3/?</dd>",
        "<p>En deux paragraphes &lt;avec&gt; &amp; des signes.</p>",
        "<p>Notes du début.</p>",
    };
    for (size_t i = 0; i < sizeof(in_title) / sizeof(in_title[0]); i++)
        if (!strstr(title, in_title[i]))
            fail_msg("title.xhtml lacks %s:\n%s", in_title[i], title);
    free(title);

    static const char *const headings[] = {
        "<h2 class=\"heading\">Chapter 1: Le début</h2>",
        "<h2 class=\"heading\">Chapter 2: Au milieu: &lt;b&gt;?&lt;/b&gt;</h2>",
        "<h2 class=\"heading\">Chapter 3: La fin &amp; après</h2>",
    };
    for (int i = 0; i < 3; i++) {
        char name[64], text[64];
        snprintf(name, sizeof(name), "OEBPS/chapter%d.xhtml", i + 1);
        snprintf(text, sizeof(text), "<p>Texte du chapitre %d.</p>", i + 1);
        char *ch = entry(&b, name);
        const char *h = strstr(ch, headings[i]);
        assert_non_null(h);
        const char *notes = strstr(ch, "Chapter notes.");
        const char *body = strstr(ch, text);
        const char *end = strstr(ch, "Chapter end notes.");
        assert_true(notes && body && end && h < notes && notes < body && body < end);
        free(ch);
    }
    char *nav = entry(&b, "OEBPS/nav.xhtml");
    const char *c1 = strstr(nav, "chapter1.xhtml\">Chapter 1: Le début");
    const char *c3 = strstr(nav, "chapter3.xhtml\">Chapter 3: La fin &amp; après");
    assert_true(c1 && c3 && c1 < c3);
    assert_non_null(strstr(nav, "epub:type=\"landmarks\""));
    free(nav);
    char *after = entry(&b, "OEBPS/afterword.xhtml");
    assert_non_null(strstr(after, "Merci d&#39;avoir lu !"));
    free(after);
    run_epubcheck(&b, "a three-chapter work");
    buf_free(&b);
    work_free(&w);
}

static void test_rich_body(void **state)
{
    (void)state;
    struct work w;
    make_rich(&w);
    struct buf b;
    export_epub(&w, &b);
    check_mimetype_first(&b);
    static const char *const files[] = {"OEBPS/content.opf", "OEBPS/nav.xhtml", "OEBPS/toc.ncx",
                                        "OEBPS/title.xhtml", "OEBPS/chapter1.xhtml"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *s = entry(&b, files[i]);
        assert_null(strstr(s, "<script"));
        assert_null(strstr(s, "<b>Bold"));
        assert_null(strchr(s, '\x01'));
        assert_null(strchr(s, '\x02'));
        free(s);
    }
    char *ch = entry(&b, "OEBPS/chapter1.xhtml");
    static const char *const in_chapter[] = {
        "lang=\"he\" xml:lang=\"he\" dir=\"rtl\"",
        "Line<br/>break",
        "<hr/>",
        "\xC2\xA0\xC3\xA9\xE2\x80\x94", /* &nbsp;&eacute;&#8212; as UTF-8 */
        "<p class=\"center\">Centred</p>",
        "<div class=\"center\">old centre</div>",
        "<s>strike</s>",
        "<span class=\"big\">big</span>",
        "<span class=\"tt\">tt</span>",
        "<abbr title=\"t\">ac</abbr>",
        "<ol start=\"4\" type=\"i\">",
        "<blockquote cite=\"http://example.com/src\">",
        "href=\"https://example.com/a%20b?x=1&amp;y=2\"",
        "<a id=\"here\">anchor</a>",
        "<a href=\"#here\">to anchor</a>",
        "<a>dangling</a>",
        "<a>relative</a>",
        "<a href=\"mailto:a@example.com\">mail</a>",
        "<a class=\"image\" href=\"http://example.com/pic.png\">[image: A picture]</a>",
        "<span class=\"image\">[image]</span>",
        "<td colspan=\"2\">D</td>",
        "<th scope=\"col\">H</th>",
        "formatted &lt;x&gt;</pre>",
        "<h3 dir=\"rtl\" lang=\"he\" xml:lang=\"he\">h3</h3>",
    };
    for (size_t i = 0; i < sizeof(in_chapter) / sizeof(in_chapter[0]); i++)
        if (!strstr(ch, in_chapter[i]))
            fail_msg("chapter1.xhtml lacks %s:\n%s", in_chapter[i], ch);
    assert_null(strstr(ch, "<img"));
    assert_null(strstr(ch, "width="));
    assert_null(strstr(ch, "<center"));
    assert_null(strstr(ch, "<br>"));
    free(ch);
    char *opf = entry(&b, "OEBPS/content.opf");
    assert_non_null(strstr(opf, "page-progression-direction=\"rtl\""));
    assert_non_null(
        strstr(opf, "<dc:title>&lt;script&gt;alert(1)&lt;/script&gt; Title</dc:title>"));
    assert_non_null(strstr(opf, "<dc:subject>Explicit</dc:subject>"));
    free(opf);
    run_epubcheck(&b, "a work using every allowed element");
    buf_free(&b);
    work_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_chapters),
        cmocka_unit_test(test_rich_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
