/* epub.c: the EPUB 3 writer (OPF package, navigation document, NCX for EPUB 2 readers, title
 * page, a chapter per XHTML file, afterword) zipped in memory with libzip, and the HTML to
 * XHTML conversion its content documents need. */
#include "core/err.h"
#include "core/hash.h"
#include "core/html.h"
#include "core/utf8.h"
#include "text/export.h"
#include "text/export_int.h"
#include "text/html_convert_int.h"

#include <ctype.h>
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zip.h>

#define XHTML_MAX_DEPTH 200
/* DOS times in zip headers start in 1980. */
#define ZIP_MIN_TIME 315619200

/* ---- XML text ---- */

/* Characters that may appear in an XHTML content document: XML's Char production without
 * the controls and noncharacters HTML forbids. */
static int xml_char_ok(unsigned c)
{
    if (c < 0x20)
        return c == '\t' || c == '\n';
    if (c >= 0x7F && c <= 0x9F)
        return 0;
    if ((c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
        return 0;
    return 1;
}

/* Escapes s (n bytes) through the escaping writer, dropping characters XML does not allow
 * and replacing malformed UTF-8 with U+FFFD. */
static void xml_textn(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = 0, i = 0;
    while (i < n) {
        uint32_t c = 0;
        size_t len = utf8_decode(p + i, n - i, &c);
        if (len && xml_char_ok(c)) {
            i += len;
            continue;
        }
        html_textn(b, s + start, i - start);
        if (!len) {
            buf_puts(b, "\xEF\xBF\xBD");
            len = 1;
        }
        i += len;
        start = i;
    }
    html_textn(b, s + start, n - start);
}

static void xml_text(struct buf *b, const char *s)
{
    if (s)
        xml_textn(b, s, strlen(s));
}

/* ---- HTML to XHTML ---- */

struct xs {
    struct buf *out;
    struct strlist ids;     /* anchor names usable as id (first of each, valid NCName) */
    struct strlist emitted; /* ids written so far */
    int in_link;
};

static int is_ncname(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return 0;
    return 1;
}

static int collect_ids(struct xs *x, const GumboNode *n, int depth)
{
    if (n->type != GUMBO_NODE_ELEMENT || depth > XHTML_MAX_DEPTH)
        return 0;
    const GumboElement *el = &n->v.element;
    const GumboAttribute *a = gumbo_get_attribute(&el->attributes, "name");
    if (el->tag == GUMBO_TAG_A && a && is_ncname(a->value) &&
        !strlist_contains(&x->ids, a->value) && strlist_add(&x->ids, a->value))
        return FICD_ENOMEM;
    for (unsigned i = 0; i < el->children.length; i++)
        if (collect_ids(x, el->children.data[i], depth + 1))
            return FICD_ENOMEM;
    return 0;
}

/* A URL for an href or cite: http(s) and mailto kept (blanks, controls and characters URLs
 * may not hold percent-encoded), in-document "#name" kept when the anchor exists; NULL for
 * anything else (relative links point at nothing inside the book). */
static int url_keep(const struct xs *x, const char *u)
{
    if (u[0] == '#')
        return is_ncname(u + 1) && strlist_contains(&x->ids, u + 1);
    return !strncasecmp(u, "http://", 7) || !strncasecmp(u, "https://", 8) ||
           !strncasecmp(u, "mailto:", 7);
}

static void put_url(struct buf *b, const char *u)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
        if (*p <= ' ' || *p == 0x7F || strchr("\"<>\\^`{|}", *p)) {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_put(b, e, 3);
        } else if (*p == '&') {
            buf_puts(b, "&amp;");
        } else if (*p == '%' && !(isxdigit(p[1]) && isxdigit(p[2]))) {
            buf_puts(b, "%25");
        } else {
            buf_putc(b, (char)*p);
        }
    }
}

static void x_attr(struct buf *b, const char *name, const char *value)
{
    buf_putc(b, ' ');
    buf_puts(b, name);
    buf_puts(b, "=\"");
    xml_text(b, value);
    buf_putc(b, '"');
}

static void xs_node(struct xs *x, const GumboNode *n, const GumboNode *parent, int depth);

/* Appends the class names in v (space-separated) to cls, each at most once. */
static void add_classes(struct buf *cls, const char *v)
{
    while (*v) {
        while (*v == ' ' || *v == '\t' || *v == '\n')
            v++;
        size_t n = strcspn(v, " \t\n");
        if (!n)
            break;
        int dup = 0;
        for (const char *p = buf_str(cls); *p && !dup;) {
            size_t m = strcspn(p, " ");
            dup = m == n && !strncmp(p, v, n);
            p += m + (p[m] == ' ');
        }
        if (!dup) {
            if (cls->len)
                buf_putc(cls, ' ');
            buf_put(cls, v, n);
        }
        v += n;
    }
}

static void xs_kids(struct xs *x, const GumboElement *el, int depth)
{
    for (unsigned i = 0; i < el->children.length; i++)
        xs_node(x, el->children.data[i], NULL, depth + 1);
}

/* An image cannot be remote in an EPUB and the exporter fetches nothing: it becomes a link to
 * its address labelled with its alt text. */
static void xs_img(struct xs *x, const GumboElement *el)
{
    const GumboAttribute *src = gumbo_get_attribute(&el->attributes, "src");
    const GumboAttribute *alt = gumbo_get_attribute(&el->attributes, "alt");
    int link = !x->in_link && src && url_keep(x, src->value) && src->value[0] != '#';
    if (link) {
        html_lit(x->out, "<a class=\"image\" href=\"");
        put_url(x->out, src->value);
        html_lit(x->out, "\">");
    } else {
        html_lit(x->out, "<span class=\"image\">");
    }
    html_lit(x->out, "[image");
    if (alt && alt->value[0]) {
        html_lit(x->out, ": ");
        xml_text(x->out, alt->value);
    }
    html_lit(x->out, "]");
    if (link)
        html_lit(x->out, "</a>");
    else
        html_lit(x->out, "</span>");
}

static int list_tag(GumboTag t)
{
    return t == GUMBO_TAG_UL || t == GUMBO_TAG_OL;
}

/* Writes one node as XHTML. Elements HTML5 made obsolete get their current form (center ->
 * div.center, big -> span.big, tt -> span.tt, acronym -> abbr, strike -> s), attributes are
 * kept only where HTML5 allows them (align becomes a class), anchors become ids, stray list
 * items and loose text inside lists are wrapped so lists hold only <li>. */
static void xs_node(struct xs *x, const GumboNode *n, const GumboNode *parent, int depth)
{
    struct buf *b = x->out;
    if (hc_is_text(n)) {
        xml_text(b, n->v.text.text);
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT || depth > XHTML_MAX_DEPTH ||
        n->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return;
    const GumboElement *el = &n->v.element;
    GumboTag tag = el->tag;
    const GumboNode *up = parent ? parent : n->parent;
    GumboTag uptag = up && up->type == GUMBO_NODE_ELEMENT ? up->v.element.tag : GUMBO_TAG_BODY;
    if (tag == GUMBO_TAG_UNKNOWN) {
        xs_kids(x, el, depth);
        return;
    }
    if (tag == GUMBO_TAG_IMG) {
        xs_img(x, el);
        return;
    }
    const char *name = gumbo_normalized_tagname(tag);
    const char *cls_extra = NULL;
    switch (tag) {
    case GUMBO_TAG_CENTER:
        name = "div";
        cls_extra = "center";
        break;
    case GUMBO_TAG_BIG:
        name = "span";
        cls_extra = "big";
        break;
    case GUMBO_TAG_TT:
        name = "span";
        cls_extra = "tt";
        break;
    case GUMBO_TAG_ACRONYM:
        name = "abbr";
        break;
    case GUMBO_TAG_STRIKE:
        name = "s";
        break;
    case GUMBO_TAG_LI:
        if (!list_tag(uptag))
            name = "div";
        break;
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
        if (uptag != GUMBO_TAG_DL)
            name = "div";
        break;
    default:
        break;
    }
    int is_link = tag == GUMBO_TAG_A;
    buf_putc(b, '<');
    buf_puts(b, name);
    struct buf cls = BUF_INIT;
    if (cls_extra)
        add_classes(&cls, cls_extra);
    for (unsigned i = 0; i < el->attributes.length; i++) {
        const GumboAttribute *a = el->attributes.data[i];
        const char *k = a->name, *v = a->value;
        if (!strcmp(k, "href") && is_link) {
            if (url_keep(x, v)) {
                buf_puts(b, " href=\"");
                put_url(b, v);
                buf_putc(b, '"');
            }
        } else if (!strcmp(k, "cite") && (tag == GUMBO_TAG_BLOCKQUOTE || tag == GUMBO_TAG_Q ||
                                          tag == GUMBO_TAG_DEL || tag == GUMBO_TAG_INS)) {
            if (url_keep(x, v) && v[0] != '#') {
                buf_puts(b, " cite=\"");
                put_url(b, v);
                buf_putc(b, '"');
            }
        } else if (!strcmp(k, "name") && is_link) {
            if (strlist_contains(&x->ids, v) && !strlist_contains(&x->emitted, v)) {
                if (strlist_add(&x->emitted, v))
                    b->err = FICD_ENOMEM;
                x_attr(b, "id", v);
            }
        } else if (!strcmp(k, "rel") && is_link) {
            x_attr(b, "rel", v);
        } else if (!strcmp(k, "title") || !strcmp(k, "dir")) {
            x_attr(b, k, v);
        } else if (!strcmp(k, "lang")) {
            x_attr(b, "lang", v);
            x_attr(b, "xml:lang", v);
        } else if (!strcmp(k, "class")) {
            add_classes(&cls, v);
        } else if (!strcmp(k, "align")) {
            static const char *const aligns[] = {"left", "center", "right", "justify"};
            for (size_t j = 0; j < sizeof(aligns) / sizeof(aligns[0]); j++)
                if (!strcasecmp(v, aligns[j]))
                    add_classes(&cls, aligns[j]);
        } else if ((!strcmp(k, "colspan") || !strcmp(k, "rowspan")) &&
                   (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH)) {
            x_attr(b, k, v);
        } else if ((!strcmp(k, "scope") || !strcmp(k, "abbr")) && tag == GUMBO_TAG_TH) {
            x_attr(b, k, v);
        } else if (!strcmp(k, "span") && (tag == GUMBO_TAG_COL || tag == GUMBO_TAG_COLGROUP)) {
            x_attr(b, k, v);
        } else if ((!strcmp(k, "start") || !strcmp(k, "type")) && tag == GUMBO_TAG_OL) {
            x_attr(b, k, v);
        }
    }
    if (cls.len)
        x_attr(b, "class", buf_str(&cls));
    if (cls.err)
        b->err = cls.err;
    buf_free(&cls);
    if (tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_COL ||
        tag == GUMBO_TAG_WBR) {
        buf_puts(b, "/>");
        return;
    }
    buf_putc(b, '>');
    int was = x->in_link;
    x->in_link |= is_link;
    for (unsigned i = 0; i < el->children.length; i++) {
        const GumboNode *k = el->children.data[i];
        int wrap =
            list_tag(tag) && !(k->type == GUMBO_NODE_WHITESPACE || k->type == GUMBO_NODE_COMMENT ||
                               (k->type == GUMBO_NODE_ELEMENT && k->v.element.tag == GUMBO_TAG_LI));
        if (wrap)
            html_lit(b, "<li>");
        xs_node(x, k, wrap ? NULL : n, depth + 1);
        if (wrap)
            html_lit(b, "</li>");
    }
    x->in_link = was;
    buf_puts(b, "</");
    buf_puts(b, name);
    buf_putc(b, '>');
}

int html_to_xhtml(const char *html, struct buf *out)
{
    GumboOptions opt = kGumboDefaultOptions;
    opt.fragment_context = GUMBO_TAG_BODY;
    opt.max_errors = 0;
    GumboOutput *g = gumbo_parse_with_options(&opt, html ? html : "", html ? strlen(html) : 0);
    if (!g)
        return FICD_ENOMEM;
    struct xs x;
    memset(&x, 0, sizeof(x));
    x.out = out;
    int rc = collect_ids(&x, g->root, 0);
    if (!rc && g->root->type == GUMBO_NODE_ELEMENT) {
        const GumboVector *kids = &g->root->v.element.children;
        for (unsigned i = 0; i < kids->length; i++)
            xs_node(&x, kids->data[i], NULL, 1);
    }
    strlist_free(&x.ids);
    strlist_free(&x.emitted);
    gumbo_destroy_output(&opt, g);
    return rc ? rc : out->err;
}

/* ---- the package ---- */

struct epub {
    const struct work *w;
    const char *lang;
    char uuid[48];     /* urn:uuid:... */
    char modified[32]; /* CCYY-MM-DDThh:mm:ssZ */
    time_t mtime;
    int afterword;
};

/* A name-based UUID (version 5 layout, SHA-256 instead of SHA-1) from the work's id, title
 * and creators, so the same work always gets the same identifier. */
static void epub_uuid(const struct work *w, char *out, size_t outsz)
{
    unsigned char h[HASH_SHA256_BYTES];
    struct buf in = BUF_INIT;
    buf_printf(&in, "ficd-work:%lld:", (long long)w->id);
    if (w->title)
        buf_puts(&in, w->title);
    for (size_t i = 0; i < w->creators.n; i++) {
        buf_putc(&in, '\n');
        buf_puts(&in, w->creators.v[i]);
    }
    hash_sha256(in.data ? in.data : "", in.len, h);
    buf_free(&in);
    h[6] = (unsigned char)((h[6] & 0x0F) | 0x50);
    h[8] = (unsigned char)((h[8] & 0x3F) | 0x80);
    snprintf(out, outsz,
             "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0],
             h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13],
             h[14], h[15]);
}

static void xhtml_start(const struct epub *e, struct buf *b, const char *title)
{
    html_lit(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
                "<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                "xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"");
    xml_text(b, e->lang);
    html_lit(b, "\" xml:lang=\"");
    xml_text(b, e->lang);
    html_lit(b, "\"");
    if (export_lang_rtl(e->lang))
        html_lit(b, " dir=\"rtl\"");
    html_lit(b, ">\n<head>\n<title>");
    xml_text(b, title);
    html_lit(b, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n"
                "</head>\n<body>\n");
}

static void xhtml_end(struct buf *b)
{
    html_lit(b, "</body>\n</html>\n");
}

/* Plain text (summary, notes) as XHTML paragraphs. */
static int xhtml_paragraphs(struct buf *b, const char *s)
{
    struct buf tmp = BUF_INIT;
    html_paragraphs(&tmp, s);
    int rc = tmp.err ? tmp.err : html_to_xhtml(buf_str(&tmp), b);
    buf_free(&tmp);
    return rc;
}

static int xhtml_notes(struct buf *b, const char *cls, const char *heading, const char *s)
{
    if (!export_nonblank(s))
        return 0;
    html_lit(b, "<div class=\"");
    xml_text(b, cls);
    html_lit(b, "\">\n<h3>");
    xml_text(b, heading);
    html_lit(b, "</h3>\n<blockquote class=\"userstuff\">\n");
    int rc = xhtml_paragraphs(b, s);
    html_lit(b, "</blockquote>\n</div>\n");
    return rc;
}

static void meta_row(void *ctx, const char *label, const char *value)
{
    struct buf *b = ctx;
    html_lit(b, "<dt>");
    xml_text(b, label);
    html_lit(b, ":</dt>\n<dd>");
    xml_text(b, value);
    html_lit(b, "</dd>\n");
}

static int page_title(const struct epub *e, struct buf *b)
{
    const struct work *w = e->w;
    xhtml_start(e, b, export_title(w));
    html_lit(b, "<section epub:type=\"titlepage\" class=\"preface\">\n<h1 class=\"title\">");
    xml_text(b, export_title(w));
    html_lit(b, "</h1>\n");
    if (w->creators.n) {
        html_lit(b, "<p class=\"byline\">by ");
        for (size_t i = 0; i < w->creators.n; i++) {
            if (i)
                html_lit(b, ", ");
            xml_text(b, w->creators.v[i]);
        }
        html_lit(b, "</p>\n");
    }
    html_lit(b, "<dl class=\"tags\">\n");
    int rc = export_meta_each(w, meta_row, b);
    html_lit(b, "</dl>\n");
    if (!rc && export_nonblank(w->summary)) {
        html_lit(b, "<h2>Summary</h2>\n<blockquote class=\"userstuff\">\n");
        rc = xhtml_paragraphs(b, w->summary);
        html_lit(b, "</blockquote>\n");
    }
    if (!rc && export_nonblank(w->notes_begin)) {
        html_lit(b, "<h2>Notes</h2>\n<blockquote class=\"userstuff\">\n");
        rc = xhtml_paragraphs(b, w->notes_begin);
        html_lit(b, "</blockquote>\n");
    }
    html_lit(b, "</section>\n");
    xhtml_end(b);
    return rc;
}

/* The label of chapter i in the table of contents and on its page. */
static void chapter_label(const struct epub *e, size_t i, struct buf *b)
{
    if (export_has_headings(e->w))
        export_chapter_heading(&e->w->chapters[i], b);
    else
        buf_puts(b, export_title(e->w));
}

static int page_chapter(const struct epub *e, size_t i, struct buf *b)
{
    const struct chapter *c = &e->w->chapters[i];
    struct buf label = BUF_INIT;
    chapter_label(e, i, &label);
    xhtml_start(e, b, buf_str(&label));
    html_lit(b, "<section epub:type=\"chapter\" class=\"chapter\">\n<h2 class=\"heading\">");
    xml_text(b, buf_str(&label));
    html_lit(b, "</h2>\n");
    int rc = label.err;
    buf_free(&label);
    if (!rc)
        rc = xhtml_notes(b, "notes", "Chapter Summary", c->summary);
    if (!rc)
        rc = xhtml_notes(b, "notes", "Chapter Notes", c->notes_begin);
    html_lit(b, "<div class=\"userstuff\">\n");
    if (!rc)
        rc = html_to_xhtml(c->html, b);
    html_lit(b, "\n</div>\n");
    if (!rc)
        rc = xhtml_notes(b, "endnotes", "Chapter End Notes", c->notes_end);
    html_lit(b, "</section>\n");
    xhtml_end(b);
    return rc;
}

static int page_afterword(const struct epub *e, struct buf *b)
{
    xhtml_start(e, b, "Afterword");
    html_lit(b, "<section epub:type=\"afterword\" class=\"afterword\">\n<h2>Afterword</h2>\n"
                "<h3>End Notes</h3>\n<blockquote class=\"userstuff\">\n");
    int rc = xhtml_paragraphs(b, e->w->notes_end);
    html_lit(b, "</blockquote>\n</section>\n");
    xhtml_end(b);
    return rc;
}

static void nav_entry(struct buf *b, const char *href, const char *label)
{
    html_lit(b, "<li><a href=\"");
    buf_puts(b, href);
    html_lit(b, "\">");
    xml_text(b, label);
    html_lit(b, "</a></li>\n");
}

static int page_nav(const struct epub *e, struct buf *b)
{
    char href[48];
    struct buf label = BUF_INIT;
    xhtml_start(e, b, "Contents");
    html_lit(b, "<nav epub:type=\"toc\" id=\"toc\">\n<h1>Contents</h1>\n<ol>\n");
    nav_entry(b, "title.xhtml", "Preface");
    for (size_t i = 0; i < e->w->nchapters; i++) {
        snprintf(href, sizeof(href), "chapter%zu.xhtml", i + 1);
        buf_reset(&label);
        chapter_label(e, i, &label);
        nav_entry(b, href, buf_str(&label));
    }
    if (e->afterword)
        nav_entry(b, "afterword.xhtml", "Afterword");
    html_lit(b, "</ol>\n</nav>\n<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n"
                "<h1>Landmarks</h1>\n<ol>\n"
                "<li><a epub:type=\"titlepage\" href=\"title.xhtml\">Title Page</a></li>\n");
    if (e->w->nchapters)
        html_lit(b, "<li><a epub:type=\"bodymatter\" href=\"chapter1.xhtml\">Start of "
                    "Content</a></li>\n");
    html_lit(b, "</ol>\n</nav>\n");
    xhtml_end(b);
    int rc = label.err;
    buf_free(&label);
    return rc;
}

static void ncx_point(struct buf *b, int order, const char *src, const char *label)
{
    buf_printf(b, "<navPoint id=\"np%d\" playOrder=\"%d\">\n<navLabel><text>", order, order);
    xml_text(b, label);
    buf_printf(b, "</text></navLabel>\n<content src=\"%s\"/>\n</navPoint>\n", src);
}

static int page_ncx(const struct epub *e, struct buf *b)
{
    char src[48];
    struct buf label = BUF_INIT;
    int order = 1;
    html_lit(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" "
                "xml:lang=\"");
    xml_text(b, e->lang);
    html_lit(b, "\">\n<head>\n<meta name=\"dtb:uid\" content=\"");
    xml_text(b, e->uuid);
    html_lit(b, "\"/>\n<meta name=\"dtb:depth\" content=\"1\"/>\n"
                "<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n"
                "<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>");
    xml_text(b, export_title(e->w));
    html_lit(b, "</text></docTitle>\n<navMap>\n");
    ncx_point(b, order++, "title.xhtml", "Preface");
    for (size_t i = 0; i < e->w->nchapters; i++) {
        snprintf(src, sizeof(src), "chapter%zu.xhtml", i + 1);
        buf_reset(&label);
        chapter_label(e, i, &label);
        ncx_point(b, order++, src, buf_str(&label));
    }
    if (e->afterword)
        ncx_point(b, order++, "afterword.xhtml", "Afterword");
    html_lit(b, "</navMap>\n</ncx>\n");
    int rc = label.err;
    buf_free(&label);
    return rc;
}

static void opf_subjects(struct buf *b, const struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        html_lit(b, "<dc:subject>");
        xml_text(b, l->v[i]);
        html_lit(b, "</dc:subject>\n");
    }
}

static void opf_subject_bits(struct buf *b, unsigned bits, int count, const char *(*name)(unsigned))
{
    for (int i = 0; i < count; i++) {
        const char *s = (bits & (1u << i)) ? name(1u << i) : NULL;
        if (!s)
            continue;
        html_lit(b, "<dc:subject>");
        xml_text(b, s);
        html_lit(b, "</dc:subject>\n");
    }
}

static int page_opf(const struct epub *e, struct buf *b)
{
    const struct work *w = e->w;
    html_lit(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
                "unique-identifier=\"uid\" xml:lang=\"");
    xml_text(b, e->lang);
    html_lit(b, "\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                "<dc:identifier id=\"uid\">");
    xml_text(b, e->uuid);
    html_lit(b, "</dc:identifier>\n<dc:title>");
    xml_text(b, export_title(w));
    html_lit(b, "</dc:title>\n");
    for (size_t i = 0; i < w->creators.n; i++) {
        buf_printf(b, "<dc:creator id=\"creator%zu\">", i + 1);
        xml_text(b, w->creators.v[i]);
        html_lit(b, "</dc:creator>\n");
    }
    html_lit(b, "<dc:language>");
    xml_text(b, e->lang);
    html_lit(b, "</dc:language>\n");
    if (w->rating_declared || w->rating != RATING_NOT_RATED) {
        html_lit(b, "<dc:subject>");
        xml_text(b, rating_name(w->rating));
        html_lit(b, "</dc:subject>\n");
    }
    opf_subject_bits(b, w->warnings, WARN__COUNT, warning_name);
    opf_subject_bits(b, w->categories, CAT__COUNT, category_name);
    opf_subjects(b, &w->fandoms);
    opf_subjects(b, &w->relationships);
    opf_subjects(b, &w->characters);
    opf_subjects(b, &w->freeforms);
    if (export_nonblank(w->summary)) {
        html_lit(b, "<dc:description>");
        xml_text(b, w->summary);
        html_lit(b, "</dc:description>\n");
    }
    if (w->published > 0) {
        time_t t = (time_t)w->published;
        struct tm tm;
        char d[16];
        if (gmtime_r(&t, &tm) && strftime(d, sizeof(d), "%Y-%m-%d", &tm)) {
            html_lit(b, "<dc:date>");
            buf_puts(b, d);
            html_lit(b, "</dc:date>\n");
        }
    }
    if (export_nonblank(w->series)) {
        html_lit(b, "<meta property=\"belongs-to-collection\" id=\"series\">");
        xml_text(b, w->series);
        html_lit(b,
                 "</meta>\n<meta refines=\"#series\" property=\"collection-type\">series</meta>\n");
        if (w->series_position > 0)
            buf_printf(b, "<meta refines=\"#series\" property=\"group-position\">%d</meta>\n",
                       w->series_position);
    }
    html_lit(b, "<meta property=\"dcterms:modified\">");
    buf_puts(b, e->modified);
    html_lit(b, "</meta>\n</metadata>\n<manifest>\n"
                "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
                "properties=\"nav\"/>\n"
                "<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n"
                "<item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>\n"
                "<item id=\"title\" href=\"title.xhtml\" media-type=\"application/xhtml+xml\"/>\n");
    for (size_t i = 0; i < w->nchapters; i++)
        buf_printf(b,
                   "<item id=\"chapter%zu\" href=\"chapter%zu.xhtml\" "
                   "media-type=\"application/xhtml+xml\"/>\n",
                   i + 1, i + 1);
    if (e->afterword)
        html_lit(b, "<item id=\"afterword\" href=\"afterword.xhtml\" "
                    "media-type=\"application/xhtml+xml\"/>\n");
    html_lit(b, "</manifest>\n<spine toc=\"ncx\"");
    if (export_lang_rtl(e->lang))
        html_lit(b, " page-progression-direction=\"rtl\"");
    html_lit(b, ">\n<itemref idref=\"title\"/>\n");
    for (size_t i = 0; i < w->nchapters; i++)
        buf_printf(b, "<itemref idref=\"chapter%zu\"/>\n", i + 1);
    if (e->afterword)
        html_lit(b, "<itemref idref=\"afterword\"/>\n");
    html_lit(b, "</spine>\n</package>\n");
    return 0;
}

static const char container_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
    "<rootfiles>\n"
    "<rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/>\n"
    "</rootfiles>\n"
    "</container>\n";

static const char style_css[] =
    "body{font-family:serif;line-height:1.5;margin:0 2%}\n"
    "h1.title{text-align:center;margin-bottom:.3em}\n"
    "p.byline{text-align:center;margin-top:0}\n"
    "dl.tags{font-size:.9em;margin:1em 0}\n"
    "dl.tags dt{font-weight:bold;margin-top:.3em}\n"
    "dl.tags dd{margin-left:1.5em}\n"
    "blockquote.userstuff{margin:.5em 1.5em}\n"
    ".notes,.endnotes{border-left:2px solid #999;padding-left:.8em;margin:1em 0}\n"
    "h2.heading{text-align:center}\n"
    "hr{width:30%;margin:1.5em auto}\n"
    ".center{text-align:center}.right{text-align:right}.justify{text-align:justify}\n"
    ".left{text-align:left}.indent{text-indent:2em}.noindent{text-indent:0}\n"
    ".smallcaps{font-variant:small-caps}.big{font-size:larger}.tt{font-family:monospace}\n";

/* Adds one file to the archive; the archive takes the bytes (malloc'd) in every case. */
static int epub_add(zip_t *za, const char *name, char *data, size_t len, int store, time_t mtime)
{
    zip_source_t *s = zip_source_buffer(za, data, len, 1);
    if (!s) {
        free(data);
        return FICD_ENOMEM;
    }
    zip_int64_t idx = zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(s);
        return FICD_EINTERNAL;
    }
    if (zip_set_file_compression(za, (zip_uint64_t)idx, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                 store ? 0 : 9) < 0 ||
        zip_file_set_mtime(za, (zip_uint64_t)idx, mtime, 0) < 0)
        return FICD_EINTERNAL;
    return 0;
}

static int epub_add_buf(zip_t *za, const char *name, struct buf *b, time_t mtime)
{
    if (b->err)
        return b->err;
    size_t len = b->len;
    char *data = buf_take(b);
    if (!data)
        return FICD_ENOMEM;
    return epub_add(za, name, data, len, 0, mtime);
}

static int epub_add_str(zip_t *za, const char *name, const char *s, int store, time_t mtime)
{
    char *data = strdup(s);
    if (!data)
        return FICD_ENOMEM;
    return epub_add(za, name, data, strlen(s), store, mtime);
}

/* Writes every file of the book into za, mimetype first and stored. */
static int epub_files(const struct epub *e, zip_t *za)
{
    struct buf b = BUF_INIT;
    char name[64];
    int rc = epub_add_str(za, "mimetype", "application/epub+zip", 1, e->mtime);
    if (!rc)
        rc = epub_add_str(za, "META-INF/container.xml", container_xml, 0, e->mtime);
    if (!rc && !(rc = page_opf(e, &b)))
        rc = epub_add_buf(za, "OEBPS/content.opf", &b, e->mtime);
    if (!rc && !(rc = page_nav(e, &b)))
        rc = epub_add_buf(za, "OEBPS/nav.xhtml", &b, e->mtime);
    if (!rc && !(rc = page_ncx(e, &b)))
        rc = epub_add_buf(za, "OEBPS/toc.ncx", &b, e->mtime);
    if (!rc)
        rc = epub_add_str(za, "OEBPS/style.css", style_css, 0, e->mtime);
    if (!rc && !(rc = page_title(e, &b)))
        rc = epub_add_buf(za, "OEBPS/title.xhtml", &b, e->mtime);
    for (size_t i = 0; !rc && i < e->w->nchapters; i++) {
        snprintf(name, sizeof(name), "OEBPS/chapter%zu.xhtml", i + 1);
        if (!(rc = page_chapter(e, i, &b)))
            rc = epub_add_buf(za, name, &b, e->mtime);
    }
    if (!rc && e->afterword && !(rc = page_afterword(e, &b)))
        rc = epub_add_buf(za, "OEBPS/afterword.xhtml", &b, e->mtime);
    buf_free(&b);
    return rc;
}

/* Builds the EPUB in memory: libzip writes into a buffer source, whose bytes are then read
 * back and appended to out. dcterms:modified (and the zip entries' times) come from
 * w->updated, else w->published, else the current time. */
int export_epub(const struct work *w, struct buf *out)
{
    struct epub e;
    memset(&e, 0, sizeof(e));
    e.w = w;
    e.lang = export_lang_code(w->language);
    e.afterword = export_nonblank(w->notes_end);
    epub_uuid(w, e.uuid, sizeof(e.uuid));
    int64_t t = w->updated > 0 ? w->updated : w->published > 0 ? w->published : (int64_t)time(NULL);
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(e.modified, sizeof(e.modified), "%Y-%m-%dT%H:%M:%SZ", &tm))
        return FICD_EINVAL;
    e.mtime = tt < ZIP_MIN_TIME ? ZIP_MIN_TIME : tt;

    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return FICD_ENOMEM;
    }
    zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    zip_error_fini(&ze);
    if (!za) {
        zip_source_free(src);
        return FICD_EINTERNAL;
    }
    zip_source_keep(src);
    int rc = epub_files(&e, za);
    if (rc) {
        zip_discard(za);
        zip_source_free(src);
        return rc;
    }
    if (zip_close(za) < 0) {
        zip_discard(za);
        zip_source_free(src);
        return FICD_EINTERNAL;
    }
    rc = FICD_EINTERNAL;
    if (zip_source_open(src) == 0) {
        zip_int64_t len = -1;
        if (zip_source_seek(src, 0, SEEK_END) == 0)
            len = zip_source_tell(src);
        if (len >= 0 && zip_source_seek(src, 0, SEEK_SET) == 0 && buf_grow(out, (size_t)len) == 0) {
            zip_int64_t got = zip_source_read(src, out->data + out->len, (zip_uint64_t)len);
            if (got == len) {
                out->len += (size_t)len;
                out->data[out->len] = '\0';
                rc = 0;
            }
        } else if (out->err) {
            rc = out->err;
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    return rc;
}
