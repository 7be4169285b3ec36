/* html_text.c: sanitized chapter HTML to plain text (html_to_text), by walking gumbo's
 * tree: paragraphs, headings, lists, quotes, tables and scene breaks as a reader of a .txt
 * file expects them. The walking helpers and the line writer are in html_convert.c. */
#include "core/err.h"
#include "text/export.h"
#include "text/html_convert_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- plain text ---- */

struct tx {
    struct lw w;
    int space; /* a collapsed blank is owed before the next word */
    int depth;
};

static void tx_blocks(struct tx *t, const GumboVector *kids, int gap);

static void tx_text(struct tx *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (hc_is_ws(s[i])) {
            while (i < n && hc_is_ws(s[i]))
                i++;
            t->space = 1;
            continue;
        }
        size_t j = i;
        while (j < n && !hc_is_ws(s[j]))
            j++;
        if (t->space && !t->w.empty)
            hc_lw_put(&t->w, " ", 1);
        t->space = 0;
        hc_lw_put(&t->w, s + i, j - i);
        i = j;
    }
}

static void tx_word(struct tx *t, const char *s)
{
    if (t->space && !t->w.empty)
        hc_lw_put(&t->w, " ", 1);
    t->space = 0;
    hc_lw_puts(&t->w, s);
}

/* The text of an element's descendants, for comparing a link's text with its address. */
static void text_of(const GumboNode *n, struct buf *b, int depth)
{
    if (hc_is_text(n)) {
        buf_puts(b, n->v.text.text);
    } else if (hc_is_elem(n) && depth < CONV_MAX_DEPTH) {
        for (unsigned i = 0; i < n->v.element.children.length; i++)
            text_of(n->v.element.children.data[i], b, depth + 1);
    }
}

static void tx_inline(struct tx *t, const GumboNode *n)
{
    if (hc_is_text(n)) {
        tx_text(t, n->v.text.text, strlen(n->v.text.text));
        return;
    }
    if (!hc_is_elem(n) || t->depth > CONV_MAX_DEPTH)
        return;
    const GumboElement *el = &n->v.element;
    const char *mark = NULL;
    t->depth++;
    switch (el->tag) {
    case GUMBO_TAG_BR:
        hc_lw_nl(&t->w, 0);
        t->space = 0;
        break;
    case GUMBO_TAG_IMG: {
        const char *alt = hc_attr(el, "alt");
        tx_word(t, alt && *alt ? "[image: " : "[image]");
        if (alt && *alt) {
            tx_text(t, alt, strlen(alt));
            hc_lw_puts(&t->w, "]");
        }
        break;
    }
    case GUMBO_TAG_EM:
    case GUMBO_TAG_I:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_B:
        mark = el->tag == GUMBO_TAG_EM || el->tag == GUMBO_TAG_I ? "*" : "**";
        tx_word(t, mark);
        for (unsigned i = 0; i < el->children.length; i++)
            tx_inline(t, el->children.data[i]);
        hc_lw_puts(&t->w, mark);
        break;
    case GUMBO_TAG_A: {
        for (unsigned i = 0; i < el->children.length; i++)
            tx_inline(t, el->children.data[i]);
        const char *href = hc_attr(el, "href");
        struct buf label = BUF_INIT;
        text_of(n, &label, 0);
        if (href && (!strncmp(href, "http://", 7) || !strncmp(href, "https://", 8)) &&
            strcmp(buf_str(&label), href)) {
            hc_lw_puts(&t->w, " (");
            hc_lw_puts(&t->w, href);
            hc_lw_puts(&t->w, ")");
        }
        buf_free(&label);
        break;
    }
    default:
        if (hc_is_block_tag(el->tag)) {
            t->space = 1;
        }
        for (unsigned i = 0; i < el->children.length; i++)
            tx_inline(t, el->children.data[i]);
        break;
    }
    t->depth--;
}

static void tx_begin(struct tx *t)
{
    hc_lw_begin(&t->w);
    t->space = 0;
}

static void tx_row(struct tx *t, const GumboElement *tr, int gap)
{
    tx_begin(t);
    int first = 1;
    for (unsigned i = 0; i < tr->children.length; i++) {
        const GumboNode *c = tr->children.data[i];
        if (!hc_is_elem(c))
            continue;
        if (!first)
            hc_lw_puts(&t->w, " |");
        t->space = !first;
        first = 0;
        tx_inline(t, c);
    }
    t->w.sep = gap;
}

static void tx_block(struct tx *t, const GumboNode *n, int gap)
{
    const GumboElement *el = &n->v.element;
    struct lw *w = &t->w;
    if (t->depth > CONV_MAX_DEPTH)
        return;
    t->depth++;
    switch (el->tag) {
    case GUMBO_TAG_HR: {
        char line[TEXT_WIDTH];
        size_t pad = (TEXT_WIDTH - 5) / 2;
        memset(line, ' ', pad);
        memcpy(line + pad, "* * *", 5);
        tx_begin(t);
        hc_lw_put(w, line, pad + 5);
        w->sep = gap;
        break;
    }
    case GUMBO_TAG_BLOCKQUOTE: {
        tx_begin(t);
        hc_lw_marker(w, "> ");
        size_t plen = w->prefix.len;
        buf_puts(&w->prefix, "> ");
        tx_blocks(t, &el->children, 2);
        w->prefix.len = plen;
        if (w->prefix.data)
            w->prefix.data[plen] = '\0';
        w->sep = gap;
        break;
    }
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: {
        long long num = 1;
        const char *start = hc_attr(el, "start");
        if (start)
            num = atoll(start);
        tx_begin(t);
        for (unsigned i = 0; i < el->children.length; i++) {
            const GumboNode *k = el->children.data[i];
            if (hc_is_blank(k))
                continue;
            if (!hc_is_elem(k) || k->v.element.tag != GUMBO_TAG_LI) {
                if (hc_is_block(k)) {
                    tx_block(t, k, 1);
                } else {
                    tx_begin(t);
                    tx_inline(t, k);
                    w->sep = 1;
                }
                continue;
            }
            char marker[32];
            if (el->tag == GUMBO_TAG_OL)
                snprintf(marker, sizeof(marker), "%lld. ", num++);
            else
                snprintf(marker, sizeof(marker), "- ");
            tx_begin(t);
            hc_lw_marker(w, marker);
            size_t plen = w->prefix.len;
            for (size_t j = 0; j < strlen(marker); j++)
                buf_putc(&w->prefix, ' ');
            tx_blocks(t, &k->v.element.children, 1);
            w->prefix.len = plen;
            if (w->prefix.data)
                w->prefix.data[plen] = '\0';
            w->sep = 1;
        }
        w->sep = gap;
        break;
    }
    case GUMBO_TAG_PRE: {
        struct buf code = BUF_INIT;
        text_of(n, &code, 0);
        tx_begin(t);
        const char *p = buf_str(&code);
        while (*p) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len) {
                hc_lw_start_line(w);
                buf_put(w->out, p, len);
                w->empty = 0;
            }
            if (!e)
                break;
            if (e[1])
                hc_lw_nl(w, 1);
            p = e + 1;
        }
        buf_free(&code);
        w->sep = gap;
        break;
    }
    case GUMBO_TAG_TR:
        tx_row(t, el, 1);
        break;
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_COLGROUP:
    case GUMBO_TAG_DL:
        tx_blocks(t, &el->children, 1);
        w->sep = gap;
        break;
    case GUMBO_TAG_COL:
        break;
    default:
        tx_blocks(t, &el->children, gap);
        break;
    }
    t->depth--;
}

/* Blocks of kids separated by gap line ends (2: a blank line); inline runs are paragraphs. */
static void tx_blocks(struct tx *t, const GumboVector *kids, int gap)
{
    unsigned i = 0;
    while (i < kids->length) {
        const GumboNode *n = kids->data[i];
        if (hc_is_blank(n)) {
            i++;
            continue;
        }
        if (hc_is_block(n)) {
            tx_block(t, n, gap);
            i++;
            continue;
        }
        tx_begin(t);
        for (; i < kids->length && !hc_is_block(kids->data[i]); i++)
            tx_inline(t, kids->data[i]);
        t->w.sep = gap;
    }
}

/* Converts sanitized HTML to plain text: paragraphs separated by blank lines, <br> as a line
 * end, <hr> as a centred "* * *", emphasis as *word* and **word**, list items as "- " or
 * "1. ", quotations prefixed "> ", tables as rows of cells separated by " | ". Appends to out
 * (ending with a newline unless empty). 0 or a FICD_E* code. */
int html_to_text(const char *html, struct buf *out)
{
    GumboOptions opt;
    GumboOutput *g = hc_parse_fragment(html, &opt);
    if (!g)
        return FICD_ENOMEM;
    struct tx t;
    memset(&t, 0, sizeof(t));
    hc_lw_init(&t.w, out);
    size_t start = out->len;
    const GumboVector *kids = hc_root_kids(g);
    if (kids)
        tx_blocks(&t, kids, 2);
    if (out->len > start)
        hc_lw_nl(&t.w, 0);
    int rc = t.w.prefix.err ? t.w.prefix.err : out->err;
    buf_free(&t.w.prefix);
    gumbo_destroy_output(&opt, g);
    return rc;
}
