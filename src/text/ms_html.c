/* ms_html.c: HTML manuscripts into blocks (gumbo, or ms_html_fast.c's tree for plain
 * documents): the body's block-level elements with their text for the detectors and their
 * markup for the body; page chrome (nav, footer, scripts, forms) left out; <title> kept as a
 * fallback title. */
#include "text/ms_int.h"
#include "core/err.h"
#include "core/html.h"

#include <gumbo.h>
#include <stdlib.h>
#include <string.h>

static int skipped(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_META:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
        return 1;
    default:
        return 0;
    }
}

static int container(GumboTag t)
{
    return t == GUMBO_TAG_DIV || t == GUMBO_TAG_SECTION || t == GUMBO_TAG_ARTICLE ||
           t == GUMBO_TAG_MAIN || t == GUMBO_TAG_BODY || t == GUMBO_TAG_CENTER ||
           t == GUMBO_TAG_HEADER || t == GUMBO_TAG_HTML;
}

static int block_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_ADDRESS:
        return 1;
    default:
        return container(t) || skipped(t);
    }
}

static int void_tag(GumboTag t)
{
    return t == GUMBO_TAG_BR || t == GUMBO_TAG_HR || t == GUMBO_TAG_IMG || t == GUMBO_TAG_WBR ||
           t == GUMBO_TAG_COL || t == GUMBO_TAG_AREA || t == GUMBO_TAG_SOURCE;
}

/* Serialises a node back to HTML (escaped text, quoted attributes); the sanitizer decides
 * later what may stay. Comments and chrome are left out. */
static void serialise(struct buf *b, const GumboNode *n)
{
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
        html_text(b, n->v.text.text);
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT)
        return;
    const GumboElement *e = &n->v.element;
    if (skipped(e->tag))
        return;
    const char *name = e->tag == GUMBO_TAG_UNKNOWN ? NULL : gumbo_normalized_tagname(e->tag);
    if (name) {
        buf_putc(b, '<');
        buf_puts(b, name);
        for (unsigned i = 0; i < e->attributes.length; i++) {
            const GumboAttribute *a = e->attributes.data[i];
            buf_putc(b, ' ');
            html_text(b, a->name);
            html_lit(b, "=\"");
            html_attr(b, a->value);
            buf_putc(b, '"');
        }
        buf_putc(b, '>');
    }
    if (name && void_tag(e->tag))
        return;
    for (unsigned i = 0; i < e->children.length; i++)
        serialise(b, e->children.data[i]);
    if (name) {
        html_lit(b, "</");
        buf_puts(b, name);
        buf_putc(b, '>');
    }
}

/* The text of a node: <br> and block boundaries as newlines. */
static void text_of(struct buf *b, const GumboNode *n)
{
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
        buf_puts(b, n->v.text.text);
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT || skipped(n->v.element.tag))
        return;
    if (n->v.element.tag == GUMBO_TAG_BR) {
        buf_putc(b, '\n');
        return;
    }
    int blk = block_tag(n->v.element.tag) || n->v.element.tag == GUMBO_TAG_LI;
    if (blk && b->len)
        buf_putc(b, '\n');
    for (unsigned i = 0; i < n->v.element.children.length; i++)
        text_of(b, n->v.element.children.data[i]);
    if (blk)
        buf_putc(b, '\n');
}

/* Text with each line trimmed and collapsed, empty lines dropped. */
static char *clean_lines(const char *s, int *nlines)
{
    struct buf b = BUF_INIT;
    *nlines = 0;
    while (*s) {
        size_t n = strcspn(s, "\n");
        char *l = ms_strndup_trim(s, n);
        if (l && *l) {
            if (b.len)
                buf_putc(&b, '\n');
            buf_puts(&b, l);
            (*nlines)++;
        }
        free(l);
        s += n;
        if (*s)
            s++;
    }
    return buf_take(&b);
}

static int add_html_block(struct ms_doc *d, struct buf *text, struct buf *raw, int hlevel,
                          enum msb_kind kind)
{
    int nl = 0;
    char *t = clean_lines(text->data ? text->data : "", &nl);
    if (!t)
        return FICD_ENOMEM;
    if (!*t && kind != MSB_BREAK && kind != MSB_OPAQUE) {
        free(t);
        return 0;
    }
    struct ms_block *b = ms_doc_add(d);
    if (!b) {
        free(t);
        return FICD_ENOMEM;
    }
    b->text = t;
    b->nlines = nl;
    b->raw = buf_take(raw);
    b->hlevel = hlevel;
    b->kind = kind;
    if (kind == MSB_PARA && nl == 1 && !hlevel && ms_is_rule_line(t))
        b->kind = MSB_BREAK;
    return b->raw ? 0 : FICD_ENOMEM;
}

static int has_block_child(const GumboNode *n)
{
    const GumboVector *c = &n->v.element.children;
    for (unsigned i = 0; i < c->length; i++) {
        const GumboNode *k = c->data[i];
        if (k->type == GUMBO_NODE_ELEMENT && block_tag(k->v.element.tag))
            return 1;
    }
    return 0;
}

/* Walks a container: block elements become blocks, runs of inline content between them become
 * paragraphs. */
static int walk(struct ms_doc *d, const GumboNode *n)
{
    const GumboVector *c = &n->v.element.children;
    struct buf run = BUF_INIT, runtext = BUF_INIT;
    int rc = 0;
    for (unsigned i = 0; i <= c->length && rc == 0; i++) {
        const GumboNode *k = i < c->length ? c->data[i] : NULL;
        int is_block = k && k->type == GUMBO_NODE_ELEMENT && block_tag(k->v.element.tag);
        int is_inline = k && !is_block &&
                        (k->type == GUMBO_NODE_TEXT || k->type == GUMBO_NODE_WHITESPACE ||
                         k->type == GUMBO_NODE_CDATA || k->type == GUMBO_NODE_ELEMENT);
        if (is_inline) {
            serialise(&run, k);
            text_of(&runtext, k);
            continue;
        }
        if (run.len) {
            struct buf p = BUF_INIT;
            html_lit(&p, "<p>");
            buf_put(&p, run.data, run.len);
            html_lit(&p, "</p>");
            rc = add_html_block(d, &runtext, &p, 0, MSB_PARA);
            buf_free(&p);
            buf_reset(&run);
            buf_reset(&runtext);
        }
        if (!k || rc || !is_block)
            continue;
        GumboTag t = k->v.element.tag;
        if (skipped(t))
            continue;
        if (container(t) && has_block_child(k)) {
            rc = walk(d, k);
            continue;
        }
        struct buf raw = BUF_INIT, text = BUF_INIT;
        serialise(&raw, k);
        text_of(&text, k);
        int h = t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6 ? (int)(t - GUMBO_TAG_H1) + 1 : 0;
        enum msb_kind kind = MSB_PARA;
        if (t == GUMBO_TAG_HR)
            kind = MSB_BREAK;
        else if (t == GUMBO_TAG_PRE || t == GUMBO_TAG_UL || t == GUMBO_TAG_OL ||
                 t == GUMBO_TAG_DL || t == GUMBO_TAG_TABLE || t == GUMBO_TAG_FIGURE ||
                 t == GUMBO_TAG_BLOCKQUOTE)
            kind = MSB_OPAQUE;
        rc = add_html_block(d, &text, &raw, h, kind);
        buf_free(&raw);
        buf_free(&text);
    }
    buf_free(&run);
    buf_free(&runtext);
    return rc;
}

static const GumboNode *find_tag(const GumboNode *n, GumboTag tag)
{
    if (n->type != GUMBO_NODE_ELEMENT)
        return NULL;
    if (n->v.element.tag == tag)
        return n;
    for (unsigned i = 0; i < n->v.element.children.length; i++) {
        const GumboNode *r = find_tag(n->v.element.children.data[i], tag);
        if (r)
            return r;
    }
    return NULL;
}

int ms_blocks_html(struct ms_doc *d, const char *s, size_t n, char **title)
{
    *title = NULL;
    /* plain, well-formed documents get their tree without gumbo (the same tree) */
    struct ms_hfast *fast = NULL;
    GumboOutput *g = NULL;
    const GumboNode *root = ms_html_fast(s, n, &fast);
    if (!root) {
        g = gumbo_parse_with_options(&kGumboDefaultOptions, s, n);
        if (!g)
            return FICD_ENOMEM;
        root = g->root;
    }
    int rc = 0;
    const GumboNode *t = find_tag(root, GUMBO_TAG_TITLE);
    if (t) {
        struct buf b = BUF_INIT;
        text_of(&b, t);
        *title = ms_strndup_trim(b.data ? b.data : "", b.len);
        buf_free(&b);
        if (*title && !**title) {
            free(*title);
            *title = NULL;
        }
    }
    const GumboNode *body = find_tag(root, GUMBO_TAG_BODY);
    if (body)
        rc = walk(d, body);
    if (g)
        gumbo_destroy_output(&kGumboDefaultOptions, g);
    ms_html_fast_free(fast);
    return rc;
}
