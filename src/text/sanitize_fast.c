/* sanitize_fast.c: the sanitizer's gumbo-free fast path (see the comment below) for markup
 * the importer and cmark write: one scan that recognises it and writes its canonical form,
 * the form the gumbo path would give. It takes 6x off the import (docs/BENCHMARKS.md, "HTML
 * fast paths"); the tokenizer is html_tok.c, shared with ms_html_fast.c. */
#include "core/swar.h"
#include "core/utf8.h"
#include "text/html_tok.h"
#include "text/sanitize_int.h"

#include <stdlib.h>
#include <string.h>

/* The fast path: markup that the importer and cmark generate (and the sanitizer writes) from
 * a small tag set, recognised and canonicalised in one scan without gumbo. It accepts only
 * input whose gumbo tree is exactly the tree the tags spell out, so that the result equals
 * what a gumbo pass would serialise: start and end tags of html_tok.h (the tokenizer and
 * nesting rules shared with ms_html_fast.c; not <a> or <center>), strictly nested
 * and all closed; no block start while a <p> or a heading is open (gumbo would close the <p>
 * or the heading) and no <li> start that would close an open <li>; no more than
 * FAST_MAX_DEPTH levels; text in valid UTF-8 without the characters gumbo replaces or drops
 * (controls other than tab and newline, CR, DEL, C1, noncharacters); '<' only in those tags;
 * '&' only in &amp; &lt; &gt; &quot; &#39;. Start tags may carry lower-case attributes as the
 * importer re-serialises them (name="value", one space before each, values held to the same
 * rules as text), decoded and put through the allow-list of the gumbo path. Anything else,
 * however harmless, goes to the gumbo path. */
#define FAST_MAX_DEPTH 64

/* Eight bytes at a time: nonzero when one of the bytes is one the text scan must look at
 * (below 0x20, DEL, 0x80 and up, '<', '>', '&'). Exact about whether there is one. */
static inline uint64_t fast_special(const unsigned char *p)
{
    uint64_t x = swar_load(p);
    return swar_below(x, 0x20) | (x & SWAR_HIGHS) | swar_zero(x ^ (SWAR_ONES * 0x7F)) |
           swar_zero(x ^ (SWAR_ONES * '<')) | swar_zero(x ^ (SWAR_ONES * '>')) |
           swar_zero(x ^ (SWAR_ONES * '&'));
}

/* The attributes of one start tag on the fast path: names in the input, values decoded into
 * vals (offsets until the tag is complete). */
#define FAST_MAX_ATTRS 16

struct fast_attrs {
    size_t n;
    struct {
        const char *name;
        size_t nlen, val;
    } a[FAST_MAX_ATTRS];
    const struct buf *vals;
};

static const char *fast_attr(const void *ctx, const char *name)
{
    const struct fast_attrs *fa = ctx;
    size_t nl = strlen(name);
    for (size_t i = 0; i < fa->n; i++)
        if (fa->a[i].nlen == nl && !memcmp(fa->a[i].name, name, nl))
            return fa->vals->data + fa->a[i].val;
    return NULL;
}

/* Parses the attributes of a start tag at s[*e] (after the name) into fa, values decoded into
 * vals; leaves *e at what follows them. Returns 0 when they are not of the kind the fast path
 * takes. */
static int fast_attrs_parse(const unsigned char *s, size_t n, size_t *e, struct fast_attrs *fa,
                            struct buf *vals)
{
    size_t p = *e;
    buf_reset(vals);
    fa->n = 0;
    fa->vals = vals;
    struct ht_attr at;
    int r;
    while ((r = ht_attr_next((const char *)s, n, &p, &at)) > 0) {
        if (fa->n == FAST_MAX_ATTRS)
            return 0;
        fa->a[fa->n].name = at.name;
        fa->a[fa->n].nlen = at.nlen;
        fa->a[fa->n].val = vals->len;
        const unsigned char *v = (const unsigned char *)at.value;
        size_t i = 0, run = 0, vn = at.vlen;
        while (i < vn) {
            unsigned c = v[i];
            if (c >= 0x80) {
                size_t l = utf8_html_kept(v + i, vn - i);
                if (!l)
                    return 0;
                i += l;
                continue;
            }
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
                return 0;
            if (c != '&') {
                i++;
                continue;
            }
            buf_put(vals, v + run, i - run);
            const char *rf = (const char *)v + i;
            size_t left = vn - i;
            if (left >= 5 && !memcmp(rf, "&amp;", 5)) {
                buf_putc(vals, '&');
                i += 5;
            } else if (left >= 4 && !memcmp(rf, "&lt;", 4)) {
                buf_putc(vals, '<');
                i += 4;
            } else if (left >= 4 && !memcmp(rf, "&gt;", 4)) {
                buf_putc(vals, '>');
                i += 4;
            } else if (left >= 6 && !memcmp(rf, "&quot;", 6)) {
                buf_putc(vals, '"');
                i += 6;
            } else if (left >= 5 && !memcmp(rf, "&#39;", 5)) {
                buf_putc(vals, '\'');
                i += 5;
            } else {
                return 0;
            }
            run = i;
        }
        buf_put(vals, v + run, vn - run);
        buf_putc(vals, '\0');
        fa->n++;
    }
    *e = p;
    return r == 0 && !vals->err;
}

/* The fast path's scan: appends the canonical form of html (n bytes) to out and returns 1, or
 * returns 0 when the input is not of the kind it accepts (out then holds a partial copy).
 * vals and tmp are scratch buffers for attributes. */
static int san_fast_scan(const char *html, size_t n, struct buf *out, struct buf *vals,
                         struct buf *tmp)
{
    const unsigned char *s = (const unsigned char *)html;
    struct ht_nest nest;
    ht_nest_init(&nest, FAST_MAX_DEPTH);
    size_t run = 0, i = 0;
    while (i < n) {
        while (i + 8 <= n && !fast_special(s + i))
            i += 8;
        if (i >= n)
            break;
        unsigned c = s[i];
        if ((c >= 0x20 && c < 0x7F && c != '<' && c != '&' && c != '>') || c == '\n' || c == '\t') {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t l = utf8_html_kept(s + i, n - i);
            if (!l)
                return 0;
            i += l;
            continue;
        }
        buf_put(out, html + run, i - run);
        if (c == '>') {
            buf_put(out, "&gt;", 4);
            run = ++i;
            continue;
        }
        if (c == '&') {
            const char *p = html + i;
            size_t left = n - i;
            if (left >= 5 && !memcmp(p, "&amp;", 5)) {
                buf_put(out, p, 5);
                i += 5;
            } else if (left >= 4 && (!memcmp(p, "&lt;", 4) || !memcmp(p, "&gt;", 4))) {
                buf_put(out, p, 4);
                i += 4;
            } else if (left >= 6 && !memcmp(p, "&quot;", 6)) {
                buf_putc(out, '"');
                i += 6;
            } else if (left >= 5 && !memcmp(p, "&#39;", 5)) {
                buf_putc(out, '\'');
                i += 5;
            } else {
                return 0;
            }
            run = i;
            continue;
        }
        if (c != '<')
            return 0; /* a control character, DEL or NUL */
        int end = i + 1 < n && s[i + 1] == '/';
        size_t a = i + 1 + (size_t)end, e = ht_name_end(html, n, a);
        int t = ht_lookup(html + a, e - a);
        if (t < 0 || !ht_tags[t].sanitizer)
            return 0;
        int isvoid = ht_void(t);
        struct fast_attrs fa;
        fa.n = 0;
        if (!end && e < n && s[e] == ' ' && !fast_attrs_parse(s, n, &e, &fa, vals))
            return 0;
        if (!ht_tag_end(html, n, &e, isvoid && !end))
            return 0;
        if (end) {
            if (!ht_nest_end(&nest, t))
                return 0;
            buf_put(out, "</", 2);
        } else {
            if (!ht_nest_start(&nest, t))
                return 0;
            if (fa.n) {
                /* the allow-list of the gumbo path, on the decoded attributes */
                unsigned allowed;
                san_classify(ht_tags[t].tag, &allowed);
                struct san_attrs at = {fast_attr, &fa};
                if (!san_open_tag(out, tmp, ht_tags[t].tag, &at, ht_tags[t].name, allowed))
                    return 0;
                i = run = e;
                continue;
            }
            buf_putc(out, '<');
        }
        buf_put(out, ht_tags[t].name, ht_tags[t].len);
        buf_putc(out, '>');
        i = run = e;
    }
    if (nest.depth)
        return 0;
    buf_put(out, html + run, n - run);
    return 1;
}

int san_fast(const char *html, size_t n, struct buf *out)
{
    struct buf vals = BUF_INIT, tmp = BUF_INIT;
    int ok = san_fast_scan(html, n, out, &vals, &tmp) && !vals.err && !tmp.err;
    buf_free(&vals);
    buf_free(&tmp);
    return ok;
}
