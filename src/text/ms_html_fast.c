/* ms_html_fast.c: the tree of a plain, well-formed HTML manuscript built without gumbo, for
 * ms_blocks_html. It takes only documents whose gumbo tree is exactly the tree their tags
 * spell out, and builds that tree from gumbo's own node structs, so the block walk reads both
 * the same way; anything else (and real-world HTML often is) goes to gumbo.
 *
 * Taken: an optional <!DOCTYPE html>; <html>, <head> holding only <meta>, <link>, <title> and
 * <style>, </head>, <body> ... </body>, </html>, each explicit, with only whitespace between
 * and after them. In the body: lower-case tags from the table below with name="value"
 * attributes (one space before each), strictly nested and all closed; no block start while a
 * <p> or a heading is open, no <li> start that would close an open <li>, no <a> inside <a>
 * (gumbo would close or move elements in all of these); text in valid UTF-8 without C1
 * controls or noncharacters; '<' only in those tags or before a character that cannot start
 * one; '&' only before a character that cannot start a reference, or in the references of
 * the table below or a numeric one for a plain character. No comments, scripts, forms,
 * tables. Whitespace after </body> and </html> belongs to the body, as in gumbo. */
#include "text/ms_int.h"
#include "text/html_tok.h"

#include <gumbo.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- memory: everything of one tree in chunks freed together ---- */

#define HF_CHUNK 65536

struct hf_chunk {
    struct hf_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

struct ms_hfast {
    struct hf_chunk *chunks;
};

static void *hf_alloc(struct ms_hfast *m, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct hf_chunk *c = m->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > HF_CHUNK ? n : HF_CHUNK;
        c = malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->next = m->chunks;
        c->used = 0;
        c->cap = cap;
        m->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

void ms_html_fast_free(struct ms_hfast *m)
{
    if (!m)
        return;
    while (m->chunks) {
        struct hf_chunk *c = m->chunks;
        m->chunks = c->next;
        free(c);
    }
    free(m);
}

static char *hf_strdup(struct ms_hfast *m, const char *s, size_t n)
{
    char *p = hf_alloc(m, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int hf_push(struct ms_hfast *m, GumboVector *v, void *item)
{
    if (v->length == v->capacity) {
        unsigned cap = v->capacity ? v->capacity * 2 : 4;
        void **d = hf_alloc(m, cap * sizeof(*d));
        if (!d)
            return 0;
        if (v->length)
            memcpy(d, v->data, v->length * sizeof(*d));
        v->data = d;
        v->capacity = cap;
    }
    v->data[v->length++] = item;
    return 1;
}

static GumboNode *hf_element(struct ms_hfast *m, GumboTag tag, GumboNode *parent)
{
    GumboNode *e = hf_alloc(m, sizeof(*e));
    if (!e)
        return NULL;
    memset(e, 0, sizeof(*e));
    e->type = GUMBO_NODE_ELEMENT;
    e->v.element.tag = tag;
    e->v.element.tag_namespace = GUMBO_NAMESPACE_HTML;
    if (parent) {
        e->parent = parent;
        e->index_within_parent = parent->v.element.children.length;
        if (!hf_push(m, &parent->v.element.children, e))
            return NULL;
    }
    return e;
}

static int hf_text(struct ms_hfast *m, GumboNode *parent, const char *s, size_t n)
{
    GumboNode *t = hf_alloc(m, sizeof(*t));
    if (!t)
        return 0;
    memset(t, 0, sizeof(*t));
    int ws = 1;
    for (size_t i = 0; i < n && ws; i++)
        ws = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r';
    t->type = ws ? GUMBO_NODE_WHITESPACE : GUMBO_NODE_TEXT;
    t->parent = parent;
    t->index_within_parent = parent->v.element.children.length;
    t->v.text.text = hf_strdup(m, s, n);
    return t->v.text.text && hf_push(m, &parent->v.element.children, t);
}

/* ---- characters and references ---- */

/* Named references the fast path decodes (with their ';'), as HTML5 defines them. */
static const struct {
    const char *name;
    uint32_t cp;
} hf_entities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},        {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"ldquo", 0x201C}, {"rdquo", 0x201D},  {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"copy", 0xA9},    {"reg", 0xAE},
    {"trade", 0x2122}, {"eacute", 0xE9},  {"egrave", 0xE8},   {"aacute", 0xE1},  {"agrave", 0xE0},
    {"ccedil", 0xE7},  {"ouml", 0xF6},    {"uuml", 0xFC},     {"auml", 0xE4},    {"szlig", 0xDF},
    {"laquo", 0xAB},   {"raquo", 0xBB},   {"middot", 0xB7},   {"bull", 0x2022},  {"deg", 0xB0},
    {"sbquo", 0x201A}, {"bdquo", 0x201E}, {"iexcl", 0xA1},    {"iquest", 0xBF},  {"ntilde", 0xF1},
};

static int hf_alnum(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The '&' at s[0] (n bytes left): appends what it stands for to out and returns the bytes it
 * takes; 0 when the fast path does not take it. A '&' that cannot start a reference is
 * itself. */
static size_t hf_ref(const char *s, size_t n, struct buf *out)
{
    unsigned c = n > 1 ? (unsigned char)s[1] : 0;
    if (n == 1 || (!hf_alnum(c) && c != '#')) {
        buf_putc(out, '&');
        return 1;
    }
    char enc[4];
    if (c == '#') {
        int hex = n > 2 && (s[2] == 'x' || s[2] == 'X');
        size_t i = 2 + (size_t)hex, digits = 0;
        uint32_t cp = 0;
        for (; i < n && digits < 7; i++, digits++) {
            unsigned d = (unsigned char)s[i];
            if (d >= '0' && d <= '9')
                d -= '0';
            else if (hex && (d | 0x20) >= 'a' && (d | 0x20) <= 'f')
                d = (d | 0x20) - 'a' + 10;
            else
                break;
            cp = cp * (hex ? 16 : 10) + d;
        }
        if (!digits || digits >= 7 || i >= n || s[i] != ';')
            return 0;
        if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp < 0xA0) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
            (cp & 0xFFFE) == 0xFFFE || cp > 0x10FFFF)
            return 0;
        buf_put(out, enc, utf8_encode(enc, cp));
        return i + 1;
    }
    size_t e = 1;
    while (e < n && e < 10 && hf_alnum((unsigned char)s[e]))
        e++;
    if (e >= n || s[e] != ';')
        return 0;
    for (size_t k = 0; k < sizeof(hf_entities) / sizeof(hf_entities[0]); k++)
        if (strlen(hf_entities[k].name) == e - 1 && !memcmp(hf_entities[k].name, s + 1, e - 1)) {
            buf_put(out, enc, utf8_encode(enc, hf_entities[k].cp));
            return e + 1;
        }
    return 0;
}

/* Text up to the next '<' (or the end): decoded into out. Returns the bytes taken, or
 * (size_t)-1 when the fast path does not take the text. In rcdata (the title) a '<' that
 * does not start "</title>" is text; otherwise '<' ends the text unless what follows cannot
 * start a tag (then it is text, as in gumbo). */
static size_t hf_textrun(const char *s, size_t n, struct buf *out, int rcdata)
{
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '<' && c != '&') {
            i++;
            continue;
        }
        if (c == '\t' || c == '\n') {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t l = utf8_html_kept(s + i, n - i);
            if (!l)
                return (size_t)-1;
            i += l;
            continue;
        }
        if (c == '<') {
            unsigned d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
            int tagish =
                ((d | 0x20) >= 'a' && (d | 0x20) <= 'z') || d == '/' || d == '!' || d == '?';
            if (rcdata ? (n - i >= 8 && !memcmp(s + i, "</title>", 8)) : (tagish || i + 1 >= n))
                break;
            if (rcdata && n - i >= 7 && !strncasecmp(s + i, "</title", 7))
                return (size_t)-1; /* another spelling of the end tag */
            i++;
            continue;
        }
        if (c != '&')
            return (size_t)-1; /* a control character */
        buf_put(out, s + run, i - run);
        size_t l = hf_ref(s + i, n - i, out);
        if (!l)
            return (size_t)-1;
        i += l;
        run = i;
    }
    buf_put(out, s + run, i - run);
    return out->err ? (size_t)-1 : i;
}

/* ---- tags ---- */

static int hf_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static size_t hf_skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && hf_ws(s[i]))
        i++;
    return i;
}

/* The parse in progress. */
#define HF_MAX_DEPTH HT_MAX_DEPTH

struct hf {
    const char *s;
    size_t n, i;
    struct ms_hfast *m;
    struct buf text, vals;          /* text being gathered; attribute values being decoded */
    GumboNode *stack[HF_MAX_DEPTH]; /* the body, then the elements open in nest */
    struct ht_nest nest;
};

/* Attributes after a tag name at h->i (name="value", one space before each; the first of a
 * name counts, as in gumbo), onto el when it is not NULL; leaves h->i after the tag's '>'
 * (or "/>" when void). Returns 0 when the fast path does not take them. */
static int hf_attrs(struct hf *h, GumboNode *el, int isvoid)
{
    size_t p = h->i;
    struct ht_attr at;
    int r;
    while ((r = ht_attr_next(h->s, h->n, &p, &at)) > 0) {
        buf_reset(&h->vals);
        if (hf_textrun(at.value, at.vlen, &h->vals, 1) != at.vlen)
            return 0;
        if (el) {
            GumboVector *av = &el->v.element.attributes;
            int dup = 0;
            for (unsigned k = 0; k < av->length && !dup; k++) {
                const GumboAttribute *a = av->data[k];
                dup = strlen(a->name) == at.nlen && !memcmp(a->name, at.name, at.nlen);
            }
            if (!dup) {
                GumboAttribute *a = hf_alloc(h->m, sizeof(*a));
                if (!a)
                    return 0;
                memset(a, 0, sizeof(*a));
                a->attr_namespace = GUMBO_ATTR_NAMESPACE_NONE;
                a->name = hf_strdup(h->m, at.name, at.nlen);
                a->value = hf_strdup(h->m, h->vals.data ? h->vals.data : "", h->vals.len);
                if (!a->name || !a->value || !hf_push(h->m, av, a))
                    return 0;
            }
        }
    }
    if (r < 0 || !ht_tag_end(h->s, h->n, &p, isvoid))
        return 0;
    h->i = p;
    return 1;
}

/* An exact lower-case tag `lit` (e.g. "<head") at h->i, followed by attributes and '>'. */
static int hf_tag(struct hf *h, const char *lit, int isvoid)
{
    size_t l = strlen(lit);
    if (h->n - h->i < l || memcmp(h->s + h->i, lit, l))
        return 0;
    char c = h->i + l < h->n ? h->s[h->i + l] : '\0';
    if (c != ' ' && c != '>' && c != '/')
        return 0;
    h->i += l;
    return hf_attrs(h, NULL, isvoid);
}

static int hf_lit(struct hf *h, const char *lit)
{
    size_t l = strlen(lit);
    if (h->n - h->i < l || memcmp(h->s + h->i, lit, l))
        return 0;
    h->i += l;
    return 1;
}

/* The head's content up to and including </head>; the first <title>'s text under head. */
static int hf_head(struct hf *h, GumboNode *head)
{
    for (;;) {
        h->i = hf_skip_ws(h->s, h->n, h->i);
        if (hf_lit(h, "</head>"))
            return 1;
        if (hf_tag(h, "<meta", 1) || hf_tag(h, "<link", 1))
            continue;
        if (hf_tag(h, "<title", 0)) {
            buf_reset(&h->text);
            size_t l = hf_textrun(h->s + h->i, h->n - h->i, &h->text, 1);
            if (l == (size_t)-1)
                return 0;
            h->i += l;
            if (!hf_lit(h, "</title>"))
                return 0;
            GumboNode *t = hf_element(h->m, GUMBO_TAG_TITLE, head);
            if (!t || (h->text.len && !hf_text(h->m, t, h->text.data, h->text.len)))
                return 0;
            buf_reset(&h->text);
            continue;
        }
        if (hf_tag(h, "<style", 0)) {
            /* raw text up to </style>, which must be spelled so */
            const char *e = h->s + h->i;
            size_t left = h->n - h->i;
            for (;;) {
                const char *lt = memchr(e, '<', left);
                if (!lt || h->s + h->n - lt < 8)
                    return 0;
                if (lt[1] == '/' && !strncasecmp(lt, "</style", 7)) {
                    if (memcmp(lt, "</style>", 8))
                        return 0;
                    h->i = (size_t)(lt - h->s) + 8;
                    break;
                }
                left -= (size_t)(lt + 1 - e);
                e = lt + 1;
            }
            continue;
        }
        return 0;
    }
}

/* Gathered text into the current node; appended to its last child when that is text (as
 * gumbo does with the whitespace after </body>). */
static int hf_flush(struct hf *h)
{
    if (!h->text.len)
        return 1;
    GumboNode *cur = h->stack[h->nest.depth];
    GumboVector *kids = &cur->v.element.children;
    GumboNode *last = kids->length ? kids->data[kids->length - 1] : NULL;
    int ok;
    if (last && (last->type == GUMBO_NODE_TEXT || last->type == GUMBO_NODE_WHITESPACE)) {
        size_t ol = strlen(last->v.text.text);
        char *t = hf_alloc(h->m, ol + h->text.len + 1);
        if ((ok = t != NULL)) {
            memcpy(t, last->v.text.text, ol);
            memcpy(t + ol, h->text.data, h->text.len);
            t[ol + h->text.len] = '\0';
            last->v.text.text = t;
            int ws = 1;
            for (const char *p = t; *p && ws; p++)
                ws = hf_ws(*p);
            last->type = ws ? GUMBO_NODE_WHITESPACE : GUMBO_NODE_TEXT;
        }
    } else {
        ok = hf_text(h->m, cur, h->text.data, h->text.len);
    }
    buf_reset(&h->text);
    return ok;
}

/* The body's content after <body ...>, up to and including </body>. */
static int hf_body(struct hf *h)
{
    const char *s = h->s;
    size_t n = h->n;
    while (h->i < n) {
        size_t l = hf_textrun(s + h->i, n - h->i, &h->text, 0);
        if (l == (size_t)-1)
            return 0;
        h->i += l;
        if (h->i + 1 >= n)
            return 0; /* no </body> */
        if (!hf_flush(h))
            return 0;
        int end = s[h->i + 1] == '/';
        size_t a = h->i + 1 + (size_t)end, e = ht_name_end(s, n, a);
        if (end && e - a == 4 && !memcmp(s + a, "body", 4) && e < n && s[e] == '>') {
            if (h->nest.depth)
                return 0;
            h->i = e + 1;
            return 1;
        }
        int t = ht_lookup(s + a, e - a);
        if (t < 0)
            return 0;
        if (end) {
            if (e >= n || s[e] != '>' || !ht_nest_end(&h->nest, t))
                return 0;
            h->i = e + 1;
            continue;
        }
        if (!ht_nest_start(&h->nest, t))
            return 0;
        GumboNode *el = hf_element(h->m, ht_tags[t].tag, h->stack[h->nest.depth - !ht_void(t)]);
        if (!el)
            return 0;
        h->i = e;
        if (!hf_attrs(h, el, ht_void(t)))
            return 0;
        if (!ht_void(t))
            h->stack[h->nest.depth] = el;
    }
    return 0;
}

static GumboNode *hf_document(struct hf *h)
{
    h->i = hf_skip_ws(h->s, h->n, 0);
    if (h->n - h->i >= 15 && !strncasecmp(h->s + h->i, "<!doctype html>", 15))
        h->i = hf_skip_ws(h->s, h->n, h->i + 15);
    GumboNode *html = hf_element(h->m, GUMBO_TAG_HTML, NULL);
    if (!html || !hf_tag(h, "<html", 0))
        return NULL;
    h->i = hf_skip_ws(h->s, h->n, h->i);
    GumboNode *head = hf_element(h->m, GUMBO_TAG_HEAD, html);
    if (!head || !hf_tag(h, "<head", 0) || !hf_head(h, head))
        return NULL;
    h->i = hf_skip_ws(h->s, h->n, h->i);
    GumboNode *body = hf_element(h->m, GUMBO_TAG_BODY, html);
    if (!body || !hf_tag(h, "<body", 0))
        return NULL;
    h->stack[0] = body;
    ht_nest_init(&h->nest, HF_MAX_DEPTH - 1);
    if (!hf_body(h))
        return NULL;
    /* whitespace after </body> and after </html> goes into the body */
    size_t w = hf_skip_ws(h->s, h->n, h->i);
    buf_put(&h->text, h->s + h->i, w - h->i);
    h->i = w;
    if (!hf_lit(h, "</html>"))
        return NULL;
    w = hf_skip_ws(h->s, h->n, h->i);
    if (w != h->n)
        return NULL;
    buf_put(&h->text, h->s + h->i, w - h->i);
    if (h->text.err || !hf_flush(h))
        return NULL;
    return html;
}

struct GumboInternalNode *ms_html_fast(const char *s, size_t n, struct ms_hfast **mem)
{
    *mem = NULL;
    struct hf *h = calloc(1, sizeof(*h));
    struct ms_hfast *m = calloc(1, sizeof(*m));
    if (!h || !m) {
        free(h);
        free(m);
        return NULL;
    }
    h->s = s;
    h->n = n;
    h->m = m;
    GumboNode *root = hf_document(h);
    buf_free(&h->text);
    buf_free(&h->vals);
    free(h);
    if (!root) {
        ms_html_fast_free(m);
        return NULL;
    }
    *mem = m;
    return root;
}
