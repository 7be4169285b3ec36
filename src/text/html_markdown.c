/* html_markdown.c: sanitized chapter HTML to Markdown that markdown_to_html turns back into
 * the same HTML (html_to_markdown), by walking gumbo's tree; blocks that would not round trip
 * are kept as raw HTML. The walking helpers and the line writer are in html_convert.c. */
#include "core/utf8.h"
#include "core/err.h"
#include "text/sanitize.h"
#include "text/export.h"
#include "text/html_convert_int.h"
#include "text/html_tok.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- Markdown ---- */

/* What the characters around an emphasis delimiter are, in CommonMark's terms. */
enum cclass { CC_WS, CC_PUNCT, CC_OTHER, CC_DELIM };

static enum cclass char_class(int32_t c)
{
    if (c == 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
        return CC_WS;
    if (c < 128)
        return ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
                (c >= '{' && c <= '~'))
                   ? CC_PUNCT
                   : CC_OTHER;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_ZS:
        return CC_WS;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        return CC_PUNCT;
    default:
        return CC_OTHER;
    }
}

static int32_t first_char(const char *s)
{
    uint32_t c = 0;
    if (!*s)
        return 0;
    if (!utf8_decode(s, strnlen(s, 4), &c))
        return '?';
    return (int32_t)c;
}

/* The Markdown delimiter an element would be written with, or NULL. */
static const char *delim_of(const GumboNode *n)
{
    if (!hc_is_elem(n) || n->v.element.attributes.length)
        return NULL;
    switch (n->v.element.tag) {
    case GUMBO_TAG_EM:
        return "*";
    case GUMBO_TAG_STRONG:
        return "**";
    case GUMBO_TAG_DEL:
        return "~~";
    default:
        return NULL;
    }
}

/* Class of the first (edge = 0) or last (edge = 1) character an element's content starts or
 * ends with in Markdown: every inline construct begins and ends with punctuation. */
static enum cclass edge_class(const GumboElement *el, int edge)
{
    unsigned n = el->children.length;
    for (unsigned k = 0; k < n; k++) {
        const GumboNode *c = el->children.data[edge ? n - 1 - k : k];
        if (hc_is_text(c)) {
            const char *t = c->v.text.text;
            if (!*t)
                continue;
            return char_class(edge ? hc_last_char(t, strlen(t)) : first_char(t));
        }
        if (hc_is_elem(c))
            return CC_PUNCT;
    }
    return CC_WS;
}

/* Class of what follows node n in the Markdown of its block: CC_DELIM when it is another
 * emphasis delimiter made of the same character (the runs would merge). */
static enum cclass next_class(const GumboNode *n, char dch)
{
    const GumboNode *p = n->parent;
    if (!p || p->type != GUMBO_NODE_ELEMENT)
        return CC_WS;
    const GumboVector *kids = &p->v.element.children;
    for (unsigned i = (unsigned)n->index_within_parent + 1; i < kids->length; i++) {
        const GumboNode *k = kids->data[i];
        if (hc_is_text(k)) {
            if (!k->v.text.text[0])
                continue;
            return char_class(first_char(k->v.text.text));
        }
        if (hc_is_elem(k)) {
            const char *d = delim_of(k);
            return d && d[0] == dch ? CC_DELIM : CC_PUNCT;
        }
    }
    if (hc_is_block(p) || p->type != GUMBO_NODE_ELEMENT || !p->parent ||
        p->parent->type == GUMBO_NODE_DOCUMENT)
        return CC_WS;
    const char *d = delim_of(p);
    return d && d[0] == dch ? CC_DELIM : CC_PUNCT;
}

struct md {
    struct lw w;
    int heading;   /* inside an ATX heading: one line, '#' escaped, <br> as raw HTML */
    GumboTag prev; /* the block written last at this level (for list marker alternation) */
    int prev_alt;  /* that list used the alternative marker ('*' or ')') */
    int depth;
};

static void md_blocks(struct md *m, const GumboVector *kids, unsigned from, unsigned to, int tight);
static void md_inline_kids(struct md *m, const GumboElement *el);

static int is_alnum(int32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* True when the '.', ':' or '@' at s would let GFM's autolinker turn the text around it into
 * a link: "www." at the start of a word, "scheme://", or "name@domain.tld". */
static int md_autolink_at(const struct lw *w, const char *s, size_t n)
{
    const struct buf *o = w->out;
    const char *d = buf_str(o);
    size_t len = o->len, i = 1;
    if (w->empty)
        return 0;
    if (s[0] == '.') {
        return len >= 3 && !strncasecmp(d + len - 3, "www", 3) &&
               (len == 3 || !is_alnum((unsigned char)d[len - 4]));
    }
    if (s[0] == ':')
        return n >= 3 && s[1] == '/' && s[2] == '/' && len &&
               ((d[len - 1] | 0x20) >= 'a' && (d[len - 1] | 0x20) <= 'z');
    if (!len || !(is_alnum((unsigned char)d[len - 1]) || strchr("._+-", d[len - 1])))
        return 0;
    while (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
        i++;
    return i > 1 && i + 1 < n && s[i] == '.' && is_alnum((unsigned char)s[i + 1]);
}

/* Writes text escaped so that CommonMark reads it back as the same characters: the inline
 * punctuation always, block markers at the start of a line, blanks at the start and end of
 * lines dropped (CommonMark drops them too), newlines as soft breaks. */
static void md_text(struct md *m, const char *s, size_t n)
{
    struct lw *w = &m->w;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (hc_is_ws(c)) {
            size_t j = i;
            int nl = 0;
            while (j < n && hc_is_ws(s[j]))
                nl |= s[j++] == '\n';
            if (m->heading) {
                for (size_t k = i; k < j && !w->empty; k++)
                    hc_lw_put(w, s[k] == '\n' || s[k] == '\r' ? " " : s + k, 1);
            } else if (nl) {
                if (!w->empty)
                    hc_lw_nl(w, 0);
            } else if (!w->empty) {
                hc_lw_put(w, s + i, j - i);
            }
            i = j;
            continue;
        }
        if (w->empty) {
            if (strchr("#>-+=|", c)) {
                char e[2] = {'\\', c};
                hc_lw_put(w, e, 2);
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && j - i < 10 && s[j] >= '0' && s[j] <= '9')
                j++;
            if (j > i && j < n && (s[j] == '.' || s[j] == ')')) {
                hc_lw_put(w, s + i, j - i);
                char e[2] = {'\\', s[j]};
                hc_lw_put(w, e, 2);
                i = j + 1;
                continue;
            }
        }
        int esc = 0;
        switch (c) {
        case '\\':
        case '`':
        case '*':
        case '[':
        case ']':
        case '<':
        case '~':
            esc = 1;
            break;
        case '#':
            esc = m->heading;
            break;
        case '_': {
            int32_t prev = hc_lw_last_char(w);
            char next = i + 1 < n ? s[i + 1] : '\0';
            esc = !(prev < 128 && prev > 0 && char_class(prev) == CC_OTHER && next &&
                    char_class((unsigned char)next) == CC_OTHER && (unsigned char)next < 128);
            break;
        }
        case '&':
            esc = i + 1 < n && (s[i + 1] == '#' || char_class((unsigned char)s[i + 1]) == CC_OTHER);
            break;
        case '.':
        case ':':
        case '@':
            esc = md_autolink_at(w, s + i, n - i);
            break;
        default:
            break;
        }
        if (esc && c == '@')
            hc_lw_puts(w, "<!-- -->"); /* the sanitizer drops the comment; no e-mail autolink */
        else if (esc)
            hc_lw_put(w, "\\", 1);
        size_t j = i + 1;
        while (j < n && !hc_is_ws(s[j]) && !strchr("\\`*[]<~#_&.:@", s[j]))
            j++;
        hc_lw_put(w, s + i, j - i);
        i = j;
    }
}

/* Writes el as raw inline HTML: its start tag, its content as Markdown, its end tag. */
static void md_raw_inline(struct md *m, const GumboElement *el)
{
    struct buf tmp = BUF_INIT;
    struct ser s = {&tmp, 1, 0};
    hc_ser_open(&s, el);
    hc_lw_put(&m->w, buf_str(&tmp), tmp.len);
    if (tmp.err)
        m->w.out->err = tmp.err;
    buf_free(&tmp);
    if (ht_is_void_tag(el->tag))
        return;
    md_inline_kids(m, el);
    hc_lw_puts(&m->w, "</");
    hc_lw_puts(&m->w, gumbo_normalized_tagname(el->tag));
    hc_lw_puts(&m->w, ">");
}

/* Writes a whole node as raw HTML lines (for what Markdown cannot express). */
static void md_raw_lines(struct md *m, const GumboNode *n)
{
    struct buf tmp = BUF_INIT;
    struct ser s = {&tmp, 1, 0};
    hc_ser_node(&s, n, m->depth);
    const char *p = buf_str(&tmp);
    for (;;) {
        const char *e = strchr(p, '\n');
        hc_lw_put(&m->w, p, e ? (size_t)(e - p) : strlen(p));
        if (!e)
            break;
        hc_lw_nl(&m->w, 1);
        p = e + 1;
    }
    if (tmp.err)
        m->w.out->err = tmp.err;
    buf_free(&tmp);
}

/* A link destination that can be written bare: no blanks, controls, <, >, \, and balanced
 * parentheses. */
static int md_dest_ok(const char *u)
{
    int depth = 0;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
        if (*p <= ' ' || *p == '<' || *p == '>' || *p == '\\' || *p == 0x7f)
            return 0;
        if (*p == '(')
            depth++;
        if (*p == ')' && --depth < 0)
            return 0;
    }
    return depth == 0;
}

static void md_title(struct md *m, const char *t)
{
    hc_lw_puts(&m->w, " \"");
    for (const char *p = t; *p; p++) {
        if (*p == '"' || *p == '\\')
            hc_lw_put(&m->w, "\\", 1);
        hc_lw_put(&m->w, p, 1);
    }
    hc_lw_puts(&m->w, "\"");
}

/* Only text children and no newline: can be a code span. */
static int code_span_ok(const GumboElement *el, struct buf *text)
{
    if (el->attributes.length || !el->children.length)
        return 0;
    for (unsigned i = 0; i < el->children.length; i++) {
        const GumboNode *k = el->children.data[i];
        if (!hc_is_text(k))
            return 0;
        buf_puts(text, k->v.text.text);
    }
    return text->len && !strchr(buf_str(text), '\n') && !strchr(buf_str(text), '\r');
}

static void md_code_span(struct md *m, const char *t)
{
    size_t n = strlen(t), k = 1;
    /* the shortest backtick run that does not occur in the text */
    for (;; k++) {
        int found = 0;
        for (size_t i = 0; i < n && !found;) {
            size_t j = i;
            while (j < n && t[j] == '`')
                j++;
            found = j - i == k;
            i = j > i ? j : i + 1;
        }
        if (!found)
            break;
    }
    int allsp = strspn(t, " ") == n;
    int pad = t[0] == '`' || t[n - 1] == '`' || (!allsp && t[0] == ' ' && t[n - 1] == ' ');
    for (size_t i = 0; i < k; i++)
        hc_lw_put(&m->w, "`", 1);
    if (pad)
        hc_lw_put(&m->w, " ", 1);
    hc_lw_put(&m->w, t, n);
    if (pad)
        hc_lw_put(&m->w, " ", 1);
    for (size_t i = 0; i < k; i++)
        hc_lw_put(&m->w, "`", 1);
}

/* Emphasis, strong emphasis and strikethrough as delimiter runs when CommonMark's flanking
 * rules let the runs open and close exactly here; raw HTML tags otherwise. */
static void md_delimited(struct md *m, const GumboNode *n, const char *d)
{
    const GumboElement *el = &n->v.element;
    enum cclass first = edge_class(el, 0), last = edge_class(el, 1);
    int32_t pc = hc_lw_last_char(&m->w);
    enum cclass prev = char_class(pc);
    if (pc == d[0])
        prev = CC_DELIM;
    enum cclass next = next_class(n, d[0]);
    int ok = el->children.length && prev != CC_DELIM && next != CC_DELIM && first != CC_WS &&
             (first != CC_PUNCT || prev != CC_OTHER) && last != CC_WS &&
             (last != CC_PUNCT || next != CC_OTHER);
    if (!ok) {
        md_raw_inline(m, el);
        return;
    }
    hc_lw_puts(&m->w, d);
    md_inline_kids(m, el);
    hc_lw_puts(&m->w, d);
}

static void md_inline(struct md *m, const GumboNode *n)
{
    if (hc_is_text(n)) {
        md_text(m, n->v.text.text, strlen(n->v.text.text));
        return;
    }
    if (!hc_is_elem(n) || m->depth > CONV_MAX_DEPTH)
        return;
    const GumboElement *el = &n->v.element;
    static const char *const link_attrs[] = {"href", "rel", "title", NULL};
    static const char *const img_attrs[] = {"src", "alt", "title", NULL};
    const char *d = delim_of(n);
    struct buf tmp = BUF_INIT;
    m->depth++;
    if (d) {
        md_delimited(m, n, d);
    } else if (el->tag == GUMBO_TAG_BR) {
        if (m->heading) {
            hc_lw_puts(&m->w, "<br>");
        } else {
            hc_lw_put(&m->w, "\\", 1);
            hc_lw_nl(&m->w, 1);
        }
    } else if (el->tag == GUMBO_TAG_A && hc_attr(el, "href") && hc_attrs_within(el, link_attrs) &&
               md_dest_ok(hc_attr(el, "href"))) {
        hc_lw_puts(&m->w, "[");
        md_inline_kids(m, el);
        hc_lw_puts(&m->w, "](");
        hc_lw_puts(&m->w, hc_attr(el, "href"));
        if (hc_attr(el, "title"))
            md_title(m, hc_attr(el, "title"));
        hc_lw_puts(&m->w, ")");
    } else if (el->tag == GUMBO_TAG_IMG && hc_attr(el, "src") && hc_attrs_within(el, img_attrs) &&
               md_dest_ok(hc_attr(el, "src"))) {
        const char *alt = hc_attr(el, "alt");
        hc_lw_puts(&m->w, "![");
        if (alt)
            md_text(m, alt, strlen(alt));
        hc_lw_puts(&m->w, "](");
        hc_lw_puts(&m->w, hc_attr(el, "src"));
        if (hc_attr(el, "title"))
            md_title(m, hc_attr(el, "title"));
        hc_lw_puts(&m->w, ")");
    } else if (el->tag == GUMBO_TAG_CODE && code_span_ok(el, &tmp)) {
        md_code_span(m, buf_str(&tmp));
    } else if (el->tag == GUMBO_TAG_UNKNOWN) {
        md_inline_kids(m, el);
    } else if (hc_is_block_tag(el->tag)) {
        md_raw_lines(m, n);
    } else {
        md_raw_inline(m, el);
    }
    m->depth--;
    buf_free(&tmp);
}

static void md_inline_kids(struct md *m, const GumboElement *el)
{
    for (unsigned i = 0; i < el->children.length; i++)
        md_inline(m, el->children.data[i]);
}

/* Ends a block: the next one at this level comes after a blank line (one line end in a
 * tight list item). */
static void md_end(struct md *m, GumboTag tag, int tight)
{
    m->w.sep = tight ? 1 : 2;
    m->prev = tag;
}

static void md_raw_block(struct md *m, const GumboNode *n, int tight)
{
    hc_lw_begin(&m->w);
    md_raw_lines(m, n);
    md_end(m, GUMBO_TAG_UNKNOWN, tight);
}

/* A fenced code block for <pre><code>text\n</code></pre> (what CommonMark writes); NULL when
 * the pre is anything else. Returns the code text. */
static const char *fence_text(const GumboElement *pre)
{
    if (pre->attributes.length || pre->children.length != 1)
        return NULL;
    const GumboNode *c = pre->children.data[0];
    if (!hc_is_elem(c) || c->v.element.tag != GUMBO_TAG_CODE || c->v.element.attributes.length)
        return NULL;
    const GumboVector *k = &c->v.element.children;
    if (k->length == 0)
        return "";
    if (k->length != 1 || !hc_is_text(k->data[0]))
        return NULL;
    const char *t = ((const GumboNode *)k->data[0])->v.text.text;
    size_t n = strlen(t);
    return n && t[n - 1] == '\n' && !strchr(t, '\r') ? t : NULL;
}

static void md_fence(struct md *m, const char *t)
{
    size_t run = 0, best = 2;
    for (const char *p = t; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    char fence[64];
    size_t k = best + 1 < sizeof(fence) ? best + 1 : sizeof(fence) - 1;
    memset(fence, '`', k);
    hc_lw_begin(&m->w);
    hc_lw_put(&m->w, fence, k);
    hc_lw_nl(&m->w, 1);
    while (*t) {
        const char *e = strchr(t, '\n');
        size_t n = e ? (size_t)(e - t) : strlen(t);
        hc_lw_start_line(&m->w);
        buf_put(m->w.out, t, n);
        m->w.empty = 0;
        hc_lw_nl(&m->w, 1);
        t += n + (e ? 1 : 0);
    }
    hc_lw_put(&m->w, fence, k);
}

/* A list in Markdown; raw HTML when its attributes or children have no Markdown form. */
static void md_list(struct md *m, const GumboNode *n, int tight_outer)
{
    const GumboElement *el = &n->v.element;
    int ordered = el->tag == GUMBO_TAG_OL;
    long long num = 1;
    static const char *const ol_attrs[] = {"start", NULL};
    static const char *const none[] = {NULL};
    if (!hc_attrs_within(el, ordered ? ol_attrs : none))
        goto raw;
    if (ordered && hc_attr(el, "start")) {
        const char *s = hc_attr(el, "start");
        if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 8)
            goto raw;
        num = atoll(s);
    }
    int tight = 1;
    for (unsigned i = 0; i < el->children.length; i++) {
        const GumboNode *k = el->children.data[i];
        if (hc_is_blank(k))
            continue;
        if (!hc_is_elem(k) || k->v.element.tag != GUMBO_TAG_LI || k->v.element.attributes.length)
            goto raw;
        for (unsigned j = 0; j < k->v.element.children.length; j++) {
            const GumboNode *c = k->v.element.children.data[j];
            if (hc_is_elem(c) && c->v.element.tag == GUMBO_TAG_P)
                tight = 0;
        }
    }
    int alt = m->prev == el->tag && !m->prev_alt;
    hc_lw_begin(&m->w);
    int first = 1;
    for (unsigned i = 0; i < el->children.length; i++) {
        const GumboNode *k = el->children.data[i];
        if (hc_is_blank(k))
            continue;
        if (!first) {
            m->w.sep = tight ? 1 : 2;
            hc_lw_begin(&m->w);
        }
        first = 0;
        char marker[32];
        if (ordered)
            snprintf(marker, sizeof(marker), "%lld%c ", num++, alt ? ')' : '.');
        else
            snprintf(marker, sizeof(marker), "%c ", alt ? '*' : '-');
        hc_lw_marker(&m->w, marker);
        size_t plen = m->w.prefix.len;
        for (size_t j = 0; j < strlen(marker); j++)
            buf_putc(&m->w.prefix, ' ');
        GumboTag prev = m->prev;
        m->w.sep = 0;
        m->prev = GUMBO_TAG_UNKNOWN;
        md_blocks(m, &k->v.element.children, 0, k->v.element.children.length, tight);
        m->prev = prev;
        m->w.prefix.len = plen;
        if (m->w.prefix.data)
            m->w.prefix.data[plen] = '\0';
    }
    m->w.sep = 0;
    md_end(m, el->tag, tight_outer);
    m->prev_alt = alt;
    return;
raw:
    md_raw_block(m, n, tight_outer);
}

static void md_block(struct md *m, const GumboNode *n, int tight)
{
    const GumboElement *el = &n->v.element;
    struct lw *w = &m->w;
    if (m->depth > CONV_MAX_DEPTH)
        return;
    m->depth++;
    int plain = el->attributes.length == 0;
    switch (el->tag) {
    case GUMBO_TAG_P:
        if (!plain)
            goto raw;
        hc_lw_begin(w);
        md_inline_kids(m, el);
        md_end(m, el->tag, tight);
        break;
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6: {
        if (!plain)
            goto raw;
        static const char *const marks[] = {"## ", "### ", "#### ", "##### ", "###### "};
        hc_lw_begin(w);
        hc_lw_marker(w, marks[el->tag - GUMBO_TAG_H2]);
        m->heading = 1;
        md_inline_kids(m, el);
        m->heading = 0;
        md_end(m, el->tag, tight);
        break;
    }
    case GUMBO_TAG_HR:
        if (!plain)
            goto raw;
        hc_lw_begin(w);
        hc_lw_puts(w, "* * *");
        md_end(m, el->tag, tight);
        break;
    case GUMBO_TAG_BLOCKQUOTE: {
        if (!plain)
            goto raw;
        hc_lw_begin(w);
        hc_lw_marker(w, "> ");
        size_t plen = w->prefix.len;
        buf_puts(&w->prefix, "> ");
        GumboTag prev = m->prev;
        m->prev = GUMBO_TAG_UNKNOWN;
        md_blocks(m, &el->children, 0, el->children.length, 0);
        m->prev = prev;
        w->prefix.len = plen;
        if (w->prefix.data)
            w->prefix.data[plen] = '\0';
        w->sep = 0;
        md_end(m, el->tag, tight);
        break;
    }
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
        md_list(m, n, tight);
        break;
    case GUMBO_TAG_PRE: {
        const char *t = fence_text(el);
        if (!t)
            goto raw;
        md_fence(m, t);
        md_end(m, el->tag, tight);
        break;
    }
    default:
        goto raw;
    }
    m->depth--;
    return;
raw:
    md_raw_block(m, n, tight);
    m->depth--;
}

/* Writes kids[from, to) as blocks; runs of inline nodes between blocks form a paragraph
 * (the text of a tight list item). */
static void md_blocks(struct md *m, const GumboVector *kids, unsigned from, unsigned to, int tight)
{
    unsigned i = from;
    while (i < to) {
        const GumboNode *n = kids->data[i];
        if (hc_is_blank(n)) {
            i++;
            continue;
        }
        if (hc_is_block(n)) {
            md_block(m, n, tight);
            i++;
            continue;
        }
        unsigned j = i;
        while (j < to && !hc_is_block(kids->data[j]))
            j++;
        hc_lw_begin(&m->w);
        for (; i < j; i++)
            md_inline(m, kids->data[i]);
        md_end(m, GUMBO_TAG_UNKNOWN, tight);
    }
}

static void md_init(struct md *m, struct buf *out, GumboTag prev, int prev_alt)
{
    memset(m, 0, sizeof(*m));
    hc_lw_init(&m->w, out);
    m->prev = prev;
    m->prev_alt = prev_alt;
}

/* Block-level HTML tags around which whitespace does not show. */
static int norm_block_name(const char *s, size_t n)
{
    static const char *const names[] = {
        "p",  "br",      "h1", "h2",  "h3",    "h4",     "h5",      "h6",    "blockquote", "ul",
        "ol", "li",      "hr", "div", "table", "thead",  "tbody",   "tfoot", "tr",         "td",
        "th", "caption", "dl", "dt",  "dd",    "center", "address", "col",   "colgroup",   NULL};
    for (const char *const *p = names; *p; p++)
        if (strlen(*p) == n && !strncmp(*p, s, n))
            return 1;
    return 0;
}

/* Is there a block-level tag starting at s ("<p>", "</li>")? */
static int norm_tag_at(const char *s)
{
    if (*s != '<')
        return 0;
    s += s[1] == '/' ? 2 : 1;
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9'))
        n++;
    return n && norm_block_name(s, n);
}

/* HTML with each whitespace run as one space, and none next to block-level tags: two
 * fragments that normalise alike render alike (outside <pre>, which is compared exactly). */
static void norm_html(const char *s, struct buf *o)
{
    size_t last_tag = (size_t)-1; /* where in o the last tag started */
    while (*s) {
        if (hc_is_ws(*s)) {
            while (hc_is_ws(*s))
                s++;
            int drop = !o->len || !*s || norm_tag_at(s);
            if (!drop && o->data[o->len - 1] == '>' && last_tag != (size_t)-1)
                drop = norm_tag_at(o->data + last_tag);
            if (!drop)
                buf_putc(o, ' ');
            continue;
        }
        if (*s == '<')
            last_tag = o->len;
        buf_putc(o, *s++);
    }
}

/* 1 when markdown_to_html(md) gives back the HTML of node (orig, as serialised). */
static int md_round_trips(const char *md, const char *orig, int *nomem)
{
    char *back = markdown_to_html(md, strlen(md));
    if (!back) {
        *nomem = 1;
        return 0;
    }
    int same = !strcmp(back, orig);
    if (!same && !strstr(orig, "<pre")) {
        struct buf a = BUF_INIT, b = BUF_INIT;
        norm_html(back, &a);
        norm_html(orig, &b);
        same = !a.err && !b.err && !strcmp(buf_str(&a), buf_str(&b));
        *nomem |= a.err || b.err;
        buf_free(&a);
        buf_free(&b);
    }
    free(back);
    return same;
}

static void trim_end(struct buf *b)
{
    while (b->len && hc_is_ws(b->data[b->len - 1]))
        b->data[--b->len] = '\0';
}

/* Converts sanitized HTML to Markdown block by block. Each top-level block is checked: when
 * CommonMark would not render its Markdown back to the same HTML (an odd emphasis, a URL that
 * autolinking would turn into a link, ...), the block is written as raw HTML instead, which
 * the Markdown renderer passes through unchanged. Appends to out; 0 or FICD_ENOMEM. */
int html_to_markdown(const char *html, struct buf *out)
{
    GumboOptions opt;
    GumboOutput *g = hc_parse_fragment(html, &opt);
    if (!g)
        return FICD_ENOMEM;
    const GumboVector *kids = hc_root_kids(g);
    struct buf blk = BUF_INIT, orig = BUF_INIT;
    int nomem = 0, any = 0, prev_alt = 0;
    GumboTag prev = GUMBO_TAG_UNKNOWN;
    unsigned len = kids ? kids->length : 0;
    for (unsigned i = 0; i < len && !nomem;) {
        const GumboNode *n = kids->data[i];
        if (hc_is_blank(n)) {
            i++;
            continue;
        }
        struct md m;
        buf_reset(&blk);
        md_init(&m, &blk, prev, prev_alt);
        unsigned j = i + 1;
        if (hc_is_block(n)) {
            md_block(&m, n, 0);
            trim_end(&blk);
            buf_reset(&orig);
            struct ser s = {&orig, 0, 0};
            hc_ser_node(&s, n, 0);
            if (!blk.err && !orig.err && !md_round_trips(buf_str(&blk), buf_str(&orig), &nomem)) {
                buf_free(&m.w.prefix);
                buf_reset(&blk);
                md_init(&m, &blk, prev, prev_alt);
                md_raw_block(&m, n, 0);
            }
        } else {
            while (j < len && !hc_is_block(kids->data[j]))
                j++;
            md_blocks(&m, kids, i, j, 0);
        }
        trim_end(&blk);
        prev = m.prev;
        prev_alt = m.prev_alt;
        nomem |= blk.err || orig.err || m.w.prefix.err;
        buf_free(&m.w.prefix);
        if (blk.len) {
            if (any)
                buf_puts(out, "\n\n");
            buf_put(out, blk.data, blk.len);
            any = 1;
        }
        i = j;
    }
    if (any)
        buf_putc(out, '\n');
    buf_free(&blk);
    buf_free(&orig);
    gumbo_destroy_output(&opt, g);
    if (nomem)
        return FICD_ENOMEM;
    return out->err ? out->err : 0;
}
