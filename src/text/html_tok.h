/* html_tok.h: the tokenizer the two gumbo-free HTML fast paths share: sanitize.c's (markup
 * the importer and cmark write, canonicalised without gumbo) and ms_html_fast.c's (plain,
 * well-formed HTML manuscripts, built into gumbo's own node structs). Both take only input
 * whose gumbo tree is exactly the tree its tags spell out, and hand everything else to
 * gumbo; they share the tags they take, how a tag's name, attributes and end are spelled,
 * and the nesting rules under which gumbo builds that same tree. How text and attribute
 * values are decoded stays with each path. Both are checked against gumbo by differential
 * tests (tests/unit/text/test_sanitize.c, test_html_fast.c); why they exist at all:
 * docs/BENCHMARKS.md, "HTML fast paths". */
#ifndef FICD_TEXT_HTML_TOK_H
#define FICD_TEXT_HTML_TOK_H

#include <gumbo.h>
#include <stddef.h>

enum ht_kind {
    HT_INLINE,  /* kept as is, never closes anything */
    HT_A,       /* inline, but an <a> inside an open <a> is refused */
    HT_BLOCK,   /* closes an open <p> in gumbo: refused inside <p> and headings */
    HT_HEADING, /* a block that also closes a heading */
    HT_DIV,     /* a block that an <li> start looks through for an open <li> */
    HT_LI,      /* a block that closes an open <li> */
    HT_P,
    HT_BR, /* void */
    HT_HR, /* void block */
};

struct ht_tag {
    const char *name;
    unsigned char len, kind;
    unsigned char sanitizer; /* sanitize.c's fast path takes it too (not <a>, <center>) */
    GumboTag tag;
};

extern const struct ht_tag ht_tags[];

/* The ht_tags index of the n-byte lower-case name at s, -1 when it is not there. */
int ht_lookup(const char *s, size_t n);
/* Where the tag name starting at s[i] ends (lower-case letters and digits). */
size_t ht_name_end(const char *s, size_t n, size_t i);

static inline int ht_void(int t)
{
    return ht_tags[t].kind == HT_BR || ht_tags[t].kind == HT_HR;
}

/* One attribute at s[*p] as the fast paths take them: a space, a name of lower-case letters,
 * digits and '-', '=', and a value in double quotes. Returns 1 with name/value spans set and
 * *p after the closing quote; 0 when there is no attribute there (*p unchanged); -1 when
 * there is one of another spelling (the fast path refuses the tag). */
struct ht_attr {
    const char *name, *value;
    size_t nlen, vlen;
};
int ht_attr_next(const char *s, size_t n, size_t *p, struct ht_attr *a);
/* The end of a tag at s[*p]: '>', or for a void element also " />" or "/>". Returns 1 and
 * moves *p past it, 0 when the tag does not end so. */
int ht_tag_end(const char *s, size_t n, size_t *p, int isvoid);

/* The elements open at a point of the input (ht_tags indexes), and whether a tag may start
 * or end there with gumbo building the tree the tags spell out. */
#define HT_MAX_DEPTH 256

struct ht_nest {
    unsigned char open[HT_MAX_DEPTH];
    size_t depth, max; /* max: the deepest nesting taken (at most HT_MAX_DEPTH) */
    int open_p, open_h, open_a;
};

void ht_nest_init(struct ht_nest *s, size_t max);
/* A start tag t: 0 when gumbo would close or move an element for it (a block start inside a
 * <p> or heading, an <li> closing an open <li>, an <a> inside an <a>) or it nests too
 * deep; else 1, and a non-void t is now open. */
int ht_nest_start(struct ht_nest *s, int t);
/* An end tag t: 1 when it closes the innermost open element, which it then does; else 0. */
int ht_nest_end(struct ht_nest *s, int t);

/* HTML's void elements (no content, no end tag), by gumbo tag; also used by the HTML
 * converters and the importer's walker. */
int ht_is_void_tag(GumboTag t);

#endif
