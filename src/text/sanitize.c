/* sanitize.c: the allow-list HTML sanitizer: gumbo parses, an allow-list walk re-serialises. */
#include "text/sanitize.h"
#include "text/sanitize_int.h"
#include "core/err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Kept elements nested deeper than this are unwrapped (their text stays). */
#define SAN_MAX_DEPTH 100
/* Re-parsing the output can rearrange a tree the first pass changed (an unwrapped element
 * leaves <h2> directly inside <h1>, say); passes repeat until the output is stable. Real
 * documents settle in one or two; mis-nested links around lists can take a pass per level,
 * and input still unsettled after this many is reduced to its text. */
#define SAN_MAX_PASSES 8

/* What happens to an element: dropped with everything inside, unwrapped (children kept),
 * kept, or kept under another name (semantic blocks become <div>, menu/dir become <ul>). */

/* Attributes in the fixed order they are written. */
enum san_attr {
    AT_HREF,
    AT_NAME,
    AT_SRC,
    AT_ALT,
    AT_TITLE,
    AT_CITE,
    AT_WIDTH,
    AT_HEIGHT,
    AT_COLSPAN,
    AT_ROWSPAN,
    AT_SPAN,
    AT_START,
    AT_TYPE,
    AT_SCOPE,
    AT_ABBR,
    AT_SUMMARY,
    AT_ALIGN,
    AT_DIR,
    AT_LANG,
    AT_CLASS,
    AT_COUNT
};

static const char *const attr_names[AT_COUNT] = {
    "href", "name",  "src",  "alt",   "title", "cite",    "width", "height", "colspan", "rowspan",
    "span", "start", "type", "scope", "abbr",  "summary", "align", "dir",    "lang",    "class",
};

#define BIT(a)       (1u << (a))
#define GLOBAL_ATTRS (BIT(AT_TITLE) | BIT(AT_ALIGN) | BIT(AT_DIR) | BIT(AT_LANG) | BIT(AT_CLASS))

/* The class names writers may use; the site stylesheet gives them their look. */
static const char *const allowed_classes[] = {
    "center", "left", "right", "justify", "indent", "noindent", "smallcaps", "footnote",
};

/* Decides the fate of an HTML-namespace element and, for kept ones, which attributes
 * beyond the global set it may carry. */
enum san_action san_classify(GumboTag tag, unsigned *attrs)
{
    *attrs = GLOBAL_ATTRS;
    switch (tag) {
    case GUMBO_TAG_A:
        *attrs |= BIT(AT_HREF) | BIT(AT_NAME);
        return SAN_KEEP;
    case GUMBO_TAG_IMG:
        *attrs |= BIT(AT_SRC) | BIT(AT_ALT) | BIT(AT_WIDTH) | BIT(AT_HEIGHT);
        return SAN_KEEP;
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_INS:
        *attrs |= BIT(AT_CITE);
        return SAN_KEEP;
    case GUMBO_TAG_OL:
        *attrs |= BIT(AT_START) | BIT(AT_TYPE);
        return SAN_KEEP;
    case GUMBO_TAG_UL:
        *attrs |= BIT(AT_TYPE);
        return SAN_KEEP;
    case GUMBO_TAG_TD:
        *attrs |= BIT(AT_COLSPAN) | BIT(AT_ROWSPAN) | BIT(AT_ABBR) | BIT(AT_WIDTH);
        return SAN_KEEP;
    case GUMBO_TAG_TH:
        *attrs |= BIT(AT_COLSPAN) | BIT(AT_ROWSPAN) | BIT(AT_ABBR) | BIT(AT_WIDTH) | BIT(AT_SCOPE);
        return SAN_KEEP;
    case GUMBO_TAG_COL:
    case GUMBO_TAG_COLGROUP:
        *attrs |= BIT(AT_SPAN) | BIT(AT_WIDTH);
        return SAN_KEEP;
    case GUMBO_TAG_TABLE:
        *attrs |= BIT(AT_SUMMARY) | BIT(AT_WIDTH);
        return SAN_KEEP;
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_ACRONYM:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_I:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_VAR:
        return SAN_KEEP;
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_LEGEND:
        return SAN_AS_DIV;
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_DIR:
        *attrs |= BIT(AT_TYPE);
        return SAN_AS_UL;
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IMAGE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_DATALIST:
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_OUTPUT:
    case GUMBO_TAG_MENUITEM:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_BGSOUND:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_ISINDEX:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_BASEFONT:
    case GUMBO_TAG_SPACER:
        return SAN_DROP;
    default:
        /* html, body, font, nobr, mark, ruby, label, xmp, unknown tags, ...: harmless
         * wrappers whose text is worth keeping. */
        return SAN_UNWRAP;
    }
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Writes s (n bytes) escaped for element content (attr = 0) or a "..." attribute value.
 * CR is written as a reference because a parser would turn a literal one into LF. */
static void put_escaped(struct buf *b, const char *s, size_t n, int attr)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '\r':
            rep = "&#13;";
            break;
        case '"':
            if (!attr)
                continue;
            rep = "&quot;";
            break;
        default:
            continue;
        }
        buf_put(b, s + start, i - start);
        buf_puts(b, rep);
        start = i + 1;
    }
    buf_put(b, s + start, n - start);
}

/* Trims ASCII whitespace from both ends of v; sets *len. */
static const char *trim(const char *v, size_t *len)
{
    size_t n = strlen(v);
    while (n && is_space(*v)) {
        v++;
        n--;
    }
    while (n && is_space(v[n - 1]))
        n--;
    *len = n;
    return v;
}

/* Returns the canonical (lowercase) spelling of v when it is one of the words in list,
 * compared case-insensitively after trimming; NULL otherwise. */
static const char *one_of(const char *v, const char *const *list)
{
    size_t n;
    v = trim(v, &n);
    for (; *list; list++)
        if (strlen(*list) == n && !strncasecmp(v, *list, n))
            return *list;
    return NULL;
}

/* True when v, trimmed, is 1 to maxdigits ASCII digits (with an optional leading minus
 * when sign is set, an optional trailing % when pct is set); the trimmed value goes to out. */
static int numeric(const char *v, int maxdigits, int sign, int pct, struct buf *out)
{
    size_t n, i = 0, digits = 0;
    v = trim(v, &n);
    if (sign && i < n && v[i] == '-')
        i++;
    while (i < n && v[i] >= '0' && v[i] <= '9') {
        i++;
        digits++;
    }
    if (pct && i < n && v[i] == '%')
        i++;
    if (i != n || digits == 0 || digits > (size_t)maxdigits)
        return 0;
    buf_put(out, v, n);
    return 1;
}

/* Cleans a URL the way browsers read one (leading and trailing controls and spaces dropped,
 * tabs and newlines removed anywhere, character references already decoded by the parser)
 * into out, and says whether it may be kept: an http or https URL, or when links is set
 * also mailto and scheme-less relative references (paths, fragments, queries). Anything
 * else with a scheme (javascript:, data:, vbscript:, obfuscated spellings) is refused, and
 * so is any URL with "script:" anywhere in it. */
static int url_ok(const char *v, int links, struct buf *out)
{
    size_t n = strlen(v);
    while (n && (unsigned char)*v <= ' ') {
        v++;
        n--;
    }
    while (n && (unsigned char)v[n - 1] <= ' ')
        n--;
    size_t start = out->len;
    for (size_t i = 0; i < n; i++)
        if (v[i] != '\t' && v[i] != '\n' && v[i] != '\r')
            buf_putc(out, v[i]);
    if (out->err)
        return 0;
    const char *u = out->data ? out->data + start : "";
    size_t len = out->len - start;
    size_t k = 0;
    if (strcasestr(u, "script:"))
        return 0; /* harmless inside a path or fragment, but never worth the risk */
    while (k < len && u[k] != ':' && u[k] != '/' && u[k] != '?' && u[k] != '#')
        k++;
    if (k == len || u[k] != ':')
        return links; /* no scheme: a relative reference */
    if ((k == 4 && !strncasecmp(u, "http", 4)) || (k == 5 && !strncasecmp(u, "https", 5)))
        return 1;
    return links && k == 6 && !strncasecmp(u, "mailto", 6);
}

/* Keeps the allowed classes named in a class attribute, written in the order of
 * allowed_classes (so each appears once and the result does not depend on the input order). */
static int classes_ok(const char *v, struct buf *out)
{
    size_t start = out->len;
    for (size_t i = 0; i < sizeof(allowed_classes) / sizeof(allowed_classes[0]); i++) {
        size_t n = strlen(allowed_classes[i]);
        for (const char *p = v; *p;) {
            while (*p && is_space(*p))
                p++;
            const char *w = p;
            while (*p && !is_space(*p))
                p++;
            if ((size_t)(p - w) == n && !memcmp(w, allowed_classes[i], n)) {
                if (out->len > start)
                    buf_putc(out, ' ');
                buf_put(out, w, n);
                break;
            }
        }
    }
    return out->len > start;
}

/* True when v is a plausible language tag (letters, digits and hyphens, at most 35). */
static int lang_ok(const char *v, struct buf *out)
{
    size_t n;
    v = trim(v, &n);
    if (!n || n > 35)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return 0;
    }
    buf_put(out, v, n);
    return 1;
}

/* True when v is a usable anchor name: 1 to 64 of letters, digits, _ . - */
static int anchor_ok(const char *v, struct buf *out)
{
    size_t n;
    v = trim(v, &n);
    if (!n || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    buf_put(out, v, n);
    return 1;
}

/* Validates attribute a with value v on element tag, leaving the value to write in out
 * (escaping still to do). Returns 1 to keep it. */
static int attr_value(enum san_attr a, GumboTag tag, const char *v, struct buf *out)
{
    static const char *const aligns[] = {"left", "center", "right",  "justify",
                                         "top",  "middle", "bottom", NULL};
    static const char *const dirs[] = {"ltr", "rtl", "auto", NULL};
    static const char *const scopes[] = {"row", "col", "rowgroup", "colgroup", NULL};
    static const char *const ultypes[] = {"disc", "circle", "square", NULL};
    static const char *const oltypes[] = {"1", "a", "A", "i", "I", NULL};
    const char *w = NULL;
    size_t n;
    switch (a) {
    case AT_HREF:
        return url_ok(v, 1, out);
    case AT_SRC:
    case AT_CITE:
        return url_ok(v, 0, out);
    case AT_NAME:
        return anchor_ok(v, out);
    case AT_ALT:
    case AT_TITLE:
    case AT_ABBR:
    case AT_SUMMARY:
        buf_puts(out, v);
        return 1;
    case AT_WIDTH:
    case AT_HEIGHT:
        return numeric(v, 5, 0, tag != GUMBO_TAG_IMG, out);
    case AT_COLSPAN:
    case AT_ROWSPAN:
    case AT_SPAN:
        return numeric(v, 4, 0, 0, out);
    case AT_START:
        return numeric(v, 9, 1, 0, out);
    case AT_TYPE:
        if (tag != GUMBO_TAG_OL) {
            w = one_of(v, ultypes);
            break;
        }
        v = trim(v, &n); /* 1, a, A, i, I: case matters */
        for (const char *const *t = oltypes; *t && !w; t++)
            if (n == 1 && v[0] == **t)
                w = *t;
        break;
    case AT_SCOPE:
        w = one_of(v, scopes);
        break;
    case AT_ALIGN:
        w = one_of(v, aligns);
        break;
    case AT_DIR:
        w = one_of(v, dirs);
        break;
    case AT_LANG:
        return lang_ok(v, out);
    case AT_CLASS:
        return classes_ok(v, out);
    case AT_COUNT:
        break;
    }
    if (!w)
        return 0;
    buf_puts(out, w);
    return 1;
}

static const char *gumbo_attr(const void *ctx, const char *name)
{
    const GumboAttribute *at = gumbo_get_attribute(ctx, name);
    return at ? at->value : NULL;
}

/* Writes the start tag of a kept element tag under the name `name`, its allowed attributes
 * in the fixed order, and rel="nofollow" on links. Uses tmp as scratch. Returns 0 when the
 * element must go after all (an image without a usable src). */
int san_open_tag(struct buf *out, struct buf *tmp, GumboTag tag, const struct san_attrs *at,
                 const char *name, unsigned attrs)
{
    size_t mark = out->len;
    int has_href = 0;
    buf_putc(out, '<');
    buf_puts(out, name);
    for (int a = 0; a < AT_COUNT; a++) {
        if (!(attrs & BIT(a)))
            continue;
        const char *v = at->get(at->ctx, attr_names[a]);
        buf_reset(tmp);
        if (!v || !attr_value((enum san_attr)a, tag, v, tmp)) {
            if (a == AT_SRC && tag == GUMBO_TAG_IMG) {
                out->len = mark; /* an image without a usable src is dropped whole */
                if (out->data)
                    out->data[mark] = '\0';
                return 0;
            }
            continue;
        }
        if (a == AT_HREF)
            has_href = 1;
        buf_putc(out, ' ');
        buf_puts(out, attr_names[a]);
        buf_puts(out, "=\"");
        put_escaped(out, buf_str(tmp), tmp->len, 1);
        buf_putc(out, '"');
    }
    if (has_href)
        buf_puts(out, " rel=\"nofollow\"");
    buf_putc(out, '>');
    return 1;
}

static int is_void(GumboTag tag)
{
    return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG ||
           tag == GUMBO_TAG_COL;
}

/* Kept elements that sit inside a line of text; the others start and end a block. */
static int is_inline(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_ACRONYM:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_I:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_VAR:
        return 1;
    default:
        return 0;
    }
}

/* Ends a line of text-only output unless one just ended. */
static void line_break(struct buf *out)
{
    if (out->len && out->data[out->len - 1] != '\n')
        buf_putc(out, '\n');
}

/* One level of the walk: the children being visited, when the element at this level was
 * written the name of its end tag, and in text-only mode whether it ends a block. */
struct san_frame {
    const GumboVector *kids;
    unsigned next;
    const char *close;
    int newline;
};

/* One sanitising pass: parses html (n bytes) as a fragment in <body> and writes the allowed
 * subset to out; with text_only set, writes only the text, a newline around each block. The
 * walk is iterative so deep input cannot exhaust the stack. Returns 0 or a negative FICD_E*
 * code. */
static int san_pass(const char *html, size_t n, int text_only, struct buf *out)
{
    GumboOptions opt = kGumboDefaultOptions;
    opt.fragment_context = GUMBO_TAG_BODY;
    opt.max_errors = 0; /* gumbo's error records copy the open-element stack: quadratic */
    GumboOutput *g = gumbo_parse_with_options(&opt, html, n);
    if (!g)
        return FICD_ENOMEM;
    struct buf tmp = BUF_INIT;
    size_t cap = 64, top = 0;
    int kept = 0;                 /* written elements currently open */
    size_t pre_mark = (size_t)-1; /* out->len just after a <pre> start tag */
    struct san_frame *st = malloc(cap * sizeof(*st));
    int rc = 0;
    if (!st) {
        gumbo_destroy_output(&opt, g);
        return FICD_ENOMEM;
    }
    st[0].kids = g->root->type == GUMBO_NODE_ELEMENT ? &g->root->v.element.children : NULL;
    st[0].next = 0;
    st[0].close = NULL;
    st[0].newline = 0;
    while (st[0].kids && !out->err) {
        struct san_frame *f = &st[top];
        if (f->next >= f->kids->length) {
            if (f->close) {
                buf_puts(out, "</");
                buf_puts(out, f->close);
                buf_putc(out, '>');
                kept--;
            }
            if (f->newline)
                line_break(out);
            if (top == 0)
                break;
            top--;
            continue;
        }
        const GumboNode *node = f->kids->data[f->next++];
        if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
            node->type == GUMBO_NODE_CDATA) {
            const char *t = node->v.text.text;
            if (out->len == pre_mark && t[0] == '\n')
                buf_putc(out, '\n'); /* a parser drops one newline right after <pre> */
            put_escaped(out, t, strlen(t), 0);
            continue;
        }
        if (node->type != GUMBO_NODE_ELEMENT)
            continue; /* comments, and templates (whose content is inert) */
        const GumboElement *el = &node->v.element;
        unsigned attrs;
        enum san_action act =
            el->tag_namespace == GUMBO_NAMESPACE_HTML ? san_classify(el->tag, &attrs) : SAN_DROP;
        if (act == SAN_DROP)
            continue;
        const char *name = NULL;
        int newline = text_only && act != SAN_UNWRAP && !is_inline(el->tag);
        if (newline)
            line_break(out);
        if (text_only) {
            if (is_void(el->tag))
                continue;
        } else if (act != SAN_UNWRAP && (kept < SAN_MAX_DEPTH || is_void(el->tag))) {
            name = act == SAN_AS_DIV  ? "div"
                   : act == SAN_AS_UL ? "ul"
                                      : gumbo_normalized_tagname(el->tag);
            struct san_attrs at = {gumbo_attr, &el->attributes};
            if (!san_open_tag(out, &tmp, el->tag, &at, name, attrs))
                continue;
            if (el->tag == GUMBO_TAG_PRE)
                pre_mark = out->len;
            if (is_void(el->tag))
                continue;
        } else if (is_void(el->tag)) {
            continue;
        }
        if (el->children.length == 0) {
            if (name) {
                buf_puts(out, "</");
                buf_puts(out, name);
                buf_putc(out, '>');
            }
            continue;
        }
        if (top + 1 == cap) {
            struct san_frame *ns = realloc(st, 2 * cap * sizeof(*st));
            if (!ns) {
                rc = FICD_ENOMEM;
                break;
            }
            st = ns;
            cap *= 2;
        }
        if (name)
            kept++;
        top++;
        st[top].kids = &el->children;
        st[top].next = 0;
        st[top].close = name;
        st[top].newline = newline;
    }
    if (!rc && (out->err || tmp.err))
        rc = out->err ? out->err : tmp.err;
    free(st);
    buf_free(&tmp);
    gumbo_destroy_output(&opt, g);
    return rc;
}

/* One pass producing a trimmed malloc'd string, or NULL on failure. */
static char *san_once(const char *html, size_t n, int text_only)
{
    struct buf out = BUF_INIT;
    if (san_pass(html, n, text_only, &out)) {
        buf_free(&out);
        return NULL;
    }
    char *s = buf_take(&out);
    if (!s)
        return NULL;
    size_t len = strlen(s), lead = 0;
    while (lead < len && is_space(s[lead]))
        lead++;
    while (len > lead && is_space(s[len - 1]))
        len--;
    memmove(s, s + lead, len - lead);
    s[len - lead] = '\0';
    return s;
}

/* Sanitises html (n bytes, need not be NUL-terminated): passes repeat until re-parsing the
 * output changes nothing, so the result is a fixed point of the sanitizer. Input that does
 * not settle is reduced to its text, which is a fixed point too. Input the fast path accepts
 * is already such a fixed point once canonicalised. */
char *sanitize_html(const char *html, size_t n)
{
    if (html) {
        struct buf fast = BUF_INIT;
        if (!buf_grow(&fast, n + n / 16 + 16) && san_fast(html, n, &fast) && !fast.err) {
            size_t len = fast.len, lead = 0;
            char *s = buf_take(&fast);
            if (!s)
                return NULL;
            while (lead < len && is_space(s[lead]))
                lead++;
            while (len > lead && is_space(s[len - 1]))
                len--;
            memmove(s, s + lead, len - lead);
            s[len - lead] = '\0';
            return s;
        }
        buf_free(&fast);
    }
    char *cur = san_once(html ? html : "", html ? n : 0, 0);
    for (int pass = 1; cur && pass < SAN_MAX_PASSES; pass++) {
        char *next = san_once(cur, strlen(cur), 0);
        if (!next || !strcmp(next, cur)) {
            free(cur);
            return next;
        }
        free(cur);
        cur = next;
    }
    if (!cur)
        return NULL;
    char *flat = san_once(cur, strlen(cur), 1);
    free(cur);
    return flat;
}
