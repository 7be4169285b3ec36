/* html_convert.c: what the converters of sanitized chapter HTML to Markdown (html_markdown.c)
 * and to plain text (html_text.c) share: gumbo tree helpers, the serialiser that writes
 * elements as the sanitizer does, and the writer of prefixed lines (html_convert_int.h). */
#include "core/utf8.h"
#include "text/html_convert_int.h"
#include "text/html_tok.h"

#include <stdlib.h>
#include <string.h>

GumboOutput *hc_parse_fragment(const char *html, GumboOptions *opt)
{
    *opt = kGumboDefaultOptions;
    opt->fragment_context = GUMBO_TAG_BODY;
    opt->max_errors = 0;
    return gumbo_parse_with_options(opt, html ? html : "", html ? strlen(html) : 0);
}

const GumboVector *hc_root_kids(const GumboOutput *g)
{
    return g->root->type == GUMBO_NODE_ELEMENT ? &g->root->v.element.children : NULL;
}

int hc_is_text(const GumboNode *n)
{
    return n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
           n->type == GUMBO_NODE_CDATA;
}

int hc_is_elem(const GumboNode *n)
{
    return n->type == GUMBO_NODE_ELEMENT && n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

int hc_is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* True for a text node holding only whitespace, and for nodes that produce nothing. */
int hc_is_blank(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_COMMENT)
        return 1;
    if (!hc_is_text(n))
        return 0;
    for (const char *p = n->v.text.text; *p; p++)
        if (!hc_is_ws(*p))
            return 0;
    return 1;
}

int hc_is_block_tag(GumboTag t)
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
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_COLGROUP:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_ADDRESS:
        return 1;
    default:
        return 0;
    }
}

int hc_is_block(const GumboNode *n)
{
    return hc_is_elem(n) && hc_is_block_tag(n->v.element.tag);
}

const char *hc_attr(const GumboElement *el, const char *name)
{
    const GumboAttribute *a = gumbo_get_attribute(&el->attributes, name);
    return a ? a->value : NULL;
}

/* True when every attribute of el is one of the NULL-terminated names. */
int hc_attrs_within(const GumboElement *el, const char *const *names)
{
    for (unsigned i = 0; i < el->attributes.length; i++) {
        const GumboAttribute *a = el->attributes.data[i];
        const char *const *n = names;
        while (*n && strcmp(*n, a->name))
            n++;
        if (!*n)
            return 0;
    }
    return 1;
}

/* ---- HTML serialisation, the way the sanitizer writes it ---- */

static void ser_text(struct ser *s, const char *t, size_t n, int in_attr)
{
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        switch (c) {
        case '&':
            buf_puts(s->out, "&amp;");
            break;
        case '<':
            buf_puts(s->out, "&lt;");
            break;
        case '>':
            buf_puts(s->out, "&gt;");
            break;
        case '\r':
            buf_puts(s->out, "&#13;");
            break;
        case '"':
            buf_puts(s->out, in_attr ? "&quot;" : "\"");
            break;
        case '\n':
            if (in_attr || (s->guard && s->blank)) {
                buf_puts(s->out, "&#10;");
            } else {
                buf_putc(s->out, '\n');
                s->blank = 1;
            }
            continue;
        default:
            buf_putc(s->out, c);
            if (c == ' ' || c == '\t')
                continue;
        }
        s->blank = 0;
    }
}

void hc_ser_open(struct ser *s, const GumboElement *el)
{
    buf_putc(s->out, '<');
    buf_puts(s->out, gumbo_normalized_tagname(el->tag));
    for (unsigned i = 0; i < el->attributes.length; i++) {
        const GumboAttribute *a = el->attributes.data[i];
        buf_putc(s->out, ' ');
        buf_puts(s->out, a->name);
        buf_puts(s->out, "=\"");
        ser_text(s, a->value, strlen(a->value), 1);
        buf_putc(s->out, '"');
    }
    buf_putc(s->out, '>');
    s->blank = 0;
}

static void ser_close(struct ser *s, const GumboElement *el)
{
    buf_puts(s->out, "</");
    buf_puts(s->out, gumbo_normalized_tagname(el->tag));
    buf_putc(s->out, '>');
    s->blank = 0;
}

void hc_ser_node(struct ser *s, const GumboNode *n, int depth)
{
    if (hc_is_text(n)) {
        ser_text(s, n->v.text.text, strlen(n->v.text.text), 0);
        return;
    }
    if (!hc_is_elem(n) || depth > CONV_MAX_DEPTH)
        return;
    const GumboElement *el = &n->v.element;
    int known = el->tag != GUMBO_TAG_UNKNOWN;
    if (known)
        hc_ser_open(s, el);
    if (known && ht_is_void_tag(el->tag))
        return;
    if (el->tag == GUMBO_TAG_PRE && el->children.length > 0) {
        const GumboNode *k = el->children.data[0];
        if (hc_is_text(k) && k->v.text.text[0] == '\n')
            ser_text(s, "\n", 1, 0); /* a parser drops one newline right after <pre> */
    }
    for (unsigned i = 0; i < el->children.length; i++)
        hc_ser_node(s, el->children.data[i], depth + 1);
    if (known)
        ser_close(s, el);
}

/* ---- a writer of prefixed lines, shared by Markdown and plain text ---- */

void hc_lw_init(struct lw *w, struct buf *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    buf_init(&w->prefix, 0);
    w->bol = 1;
    w->empty = 1;
}

void hc_lw_start_line(struct lw *w)
{
    if (w->bol) {
        buf_put(w->out, buf_str(&w->prefix), w->prefix.len);
        w->bol = 0;
    }
}

void hc_lw_put(struct lw *w, const char *s, size_t n)
{
    if (!n)
        return;
    hc_lw_start_line(w);
    buf_put(w->out, s, n);
    w->empty = 0;
}

void hc_lw_puts(struct lw *w, const char *s)
{
    hc_lw_put(w, s, strlen(s));
}

/* Writes a list or quote marker: content, but the line still counts as empty. */
void hc_lw_marker(struct lw *w, const char *s)
{
    hc_lw_start_line(w);
    buf_puts(w->out, s);
}

/* Ends the line. Trailing blanks go unless keep is set (code lines keep theirs); a line
 * with nothing but the prefix gets the prefix without trailing spaces (">" in a quote). */
void hc_lw_nl(struct lw *w, int keep)
{
    struct buf *o = w->out;
    if (w->bol) {
        size_t n = w->prefix.len;
        while (n && w->prefix.data[n - 1] == ' ')
            n--;
        buf_put(o, buf_str(&w->prefix), n);
    } else if (!keep) {
        while (o->len && (o->data[o->len - 1] == ' ' || o->data[o->len - 1] == '\t'))
            o->data[--o->len] = '\0';
    }
    buf_putc(o, '\n');
    w->bol = 1;
    w->empty = 1;
}

/* Pays the line ends owed before a block (one is paid already when the last block ended
 * with a line end). */
void hc_lw_begin(struct lw *w)
{
    if (w->bol && w->sep)
        w->sep--;
    for (; w->sep > 0; w->sep--)
        hc_lw_nl(w, 0);
}

/* The last character of s (n bytes): 0 when empty, '?' when it is not well-formed. */
int32_t hc_last_char(const char *s, size_t n)
{
    if (!n)
        return 0;
    size_t i = utf8_last_start(s, n);
    uint32_t c = 0;
    if (!utf8_decode(s + i, n - i, &c))
        return '?';
    return (int32_t)c;
}

/* The last character written, decoded (0 at the start of a line). */
int32_t hc_lw_last_char(const struct lw *w)
{
    const struct buf *o = w->out;
    if (w->empty || !o->len)
        return 0;
    return hc_last_char(o->data, o->len);
}
