/* html_tok.c: the tokenizer shared by the gumbo-free HTML fast paths (see html_tok.h): the
 * tags they take, tag names, attributes, tag ends, and the nesting gumbo keeps as written. */
#include "text/html_tok.h"

#include <string.h>

const struct ht_tag ht_tags[] = {
    {"a", 1, HT_A, 0, GUMBO_TAG_A},
    {"b", 1, HT_INLINE, 1, GUMBO_TAG_B},
    {"i", 1, HT_INLINE, 1, GUMBO_TAG_I},
    {"p", 1, HT_P, 1, GUMBO_TAG_P},
    {"q", 1, HT_INLINE, 1, GUMBO_TAG_Q},
    {"s", 1, HT_INLINE, 1, GUMBO_TAG_S},
    {"u", 1, HT_INLINE, 1, GUMBO_TAG_U},
    {"br", 2, HT_BR, 1, GUMBO_TAG_BR},
    {"em", 2, HT_INLINE, 1, GUMBO_TAG_EM},
    {"h1", 2, HT_HEADING, 1, GUMBO_TAG_H1},
    {"h2", 2, HT_HEADING, 1, GUMBO_TAG_H2},
    {"h3", 2, HT_HEADING, 1, GUMBO_TAG_H3},
    {"h4", 2, HT_HEADING, 1, GUMBO_TAG_H4},
    {"h5", 2, HT_HEADING, 1, GUMBO_TAG_H5},
    {"h6", 2, HT_HEADING, 1, GUMBO_TAG_H6},
    {"hr", 2, HT_HR, 1, GUMBO_TAG_HR},
    {"li", 2, HT_LI, 1, GUMBO_TAG_LI},
    {"ol", 2, HT_BLOCK, 1, GUMBO_TAG_OL},
    {"tt", 2, HT_INLINE, 1, GUMBO_TAG_TT},
    {"ul", 2, HT_BLOCK, 1, GUMBO_TAG_UL},
    {"big", 3, HT_INLINE, 1, GUMBO_TAG_BIG},
    {"del", 3, HT_INLINE, 1, GUMBO_TAG_DEL},
    {"div", 3, HT_DIV, 1, GUMBO_TAG_DIV},
    {"ins", 3, HT_INLINE, 1, GUMBO_TAG_INS},
    {"sub", 3, HT_INLINE, 1, GUMBO_TAG_SUB},
    {"sup", 3, HT_INLINE, 1, GUMBO_TAG_SUP},
    {"code", 4, HT_INLINE, 1, GUMBO_TAG_CODE},
    {"span", 4, HT_INLINE, 1, GUMBO_TAG_SPAN},
    {"cite", 4, HT_INLINE, 1, GUMBO_TAG_CITE},
    {"small", 5, HT_INLINE, 1, GUMBO_TAG_SMALL},
    {"center", 6, HT_BLOCK, 0, GUMBO_TAG_CENTER},
    {"strike", 6, HT_INLINE, 1, GUMBO_TAG_STRIKE},
    {"strong", 6, HT_INLINE, 1, GUMBO_TAG_STRONG},
    {"blockquote", 10, HT_BLOCK, 1, GUMBO_TAG_BLOCKQUOTE},
    {NULL, 0, 0, 0, GUMBO_TAG_UNKNOWN},
};

int ht_lookup(const char *s, size_t n)
{
    for (int i = 0; ht_tags[i].name; i++)
        if (ht_tags[i].len == n && !memcmp(ht_tags[i].name, s, n))
            return i;
    return -1;
}

size_t ht_name_end(const char *s, size_t n, size_t i)
{
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
        i++;
    return i;
}

int ht_attr_next(const char *s, size_t n, size_t *p, struct ht_attr *a)
{
    size_t i = *p;
    if (i >= n || s[i] != ' ')
        return 0;
    size_t ns = i + 1, q = ns;
    while (q < n && ((s[q] >= 'a' && s[q] <= 'z') || (s[q] >= '0' && s[q] <= '9') || s[q] == '-'))
        q++;
    if (q == ns)
        return 0; /* " />" */
    if (n - q < 2 || s[q] != '=' || s[q + 1] != '"')
        return -1;
    const char *close = memchr(s + q + 2, '"', n - q - 2);
    if (!close)
        return -1;
    a->name = s + ns;
    a->nlen = q - ns;
    a->value = s + q + 2;
    a->vlen = (size_t)(close - a->value);
    *p = (size_t)(close - s) + 1;
    return 1;
}

int ht_tag_end(const char *s, size_t n, size_t *p, int isvoid)
{
    size_t i = *p;
    if (i < n && s[i] == '>') {
        *p = i + 1;
        return 1;
    }
    if (isvoid && n - i >= 3 && !memcmp(s + i, " />", 3)) {
        *p = i + 3;
        return 1;
    }
    if (isvoid && n - i >= 2 && !memcmp(s + i, "/>", 2)) {
        *p = i + 2;
        return 1;
    }
    return 0;
}

void ht_nest_init(struct ht_nest *s, size_t max)
{
    memset(s, 0, sizeof(*s));
    s->max = max < HT_MAX_DEPTH ? max : HT_MAX_DEPTH;
}

int ht_nest_start(struct ht_nest *s, int t)
{
    int kind = ht_tags[t].kind;
    if (kind != HT_INLINE && kind != HT_A && kind != HT_BR && (s->open_p || s->open_h))
        return 0;
    if (kind == HT_A && s->open_a)
        return 0;
    if (kind == HT_LI)
        for (size_t k = s->depth; k > 0; k--) {
            int kk = ht_tags[s->open[k - 1]].kind;
            if (kk == HT_LI)
                return 0;
            if (kk != HT_INLINE && kk != HT_A && kk != HT_DIV)
                break;
        }
    if (ht_void(t))
        return 1;
    if (s->depth == s->max)
        return 0;
    s->open[s->depth++] = (unsigned char)t;
    s->open_p += kind == HT_P;
    s->open_h += kind == HT_HEADING;
    s->open_a += kind == HT_A;
    return 1;
}

int ht_nest_end(struct ht_nest *s, int t)
{
    if (ht_void(t) || !s->depth || s->open[s->depth - 1] != t)
        return 0;
    s->depth--;
    int kind = ht_tags[t].kind;
    s->open_p -= kind == HT_P;
    s->open_h -= kind == HT_HEADING;
    s->open_a -= kind == HT_A;
    return 1;
}

int ht_is_void_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_META:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_WBR:
        return 1;
    default:
        return 0;
    }
}
