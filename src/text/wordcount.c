/* wordcount.c: word counts the way AO3 counts them (docs/wordcount.md has the rules). */
#include "core/utf8.h"
#include "text/wordcount.h"
#include "core/swar.h"
#include "core/err.h"

#include <gumbo.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The counter's state between pieces of text: the count, whether the last character was
 * part of a word, and whether one hyphen is pending (a second one makes a dash). */
struct wc {
    long long words;
    int in_word;
    int hyphen;
};

/* A code point range of a script written without spaces between words. */
struct wc_range {
    int32_t lo, hi;
};

/* Han, Hiragana, Katakana and Thai, the scripts AO3 counts one word per character, sorted. */
static const struct wc_range cjk_ranges[] = {
    {0x0E01, 0x0E3A},   {0x0E40, 0x0E5B},   /* Thai */
    {0x2E80, 0x2E99},   {0x2E9B, 0x2EF3},   /* CJK radicals supplement */
    {0x2F00, 0x2FD5},                       /* Kangxi radicals */
    {0x3005, 0x3005},   {0x3007, 0x3007},   /* ideographic iteration mark, number zero */
    {0x3021, 0x3029},   {0x3038, 0x303B},   /* Hangzhou numerals, ... */
    {0x3041, 0x3096},   {0x309D, 0x309F},   /* Hiragana */
    {0x30A1, 0x30FA},   {0x30FD, 0x30FF},   /* Katakana (not the Common ー and ・) */
    {0x31F0, 0x31FF},                       /* Katakana phonetic extensions */
    {0x32D0, 0x32FE},   {0x3300, 0x3357},   /* circled and squared Katakana */
    {0x3400, 0x4DBF},                       /* CJK extension A */
    {0x4E00, 0x9FFF},                       /* CJK unified ideographs */
    {0xF900, 0xFA6D},   {0xFA70, 0xFAD9},   /* CJK compatibility ideographs */
    {0xFF66, 0xFF6F},   {0xFF71, 0xFF9D},   /* halfwidth Katakana */
    {0x1AFF0, 0x1AFFE}, {0x1B000, 0x1B000}, /* Kana extended-B, Katakana letter archaic e */
    {0x1B001, 0x1B11F},                     /* Hentaigana */
    {0x1B120, 0x1B122}, {0x1B132, 0x1B132}, {0x1B150, 0x1B152}, {0x1B155, 0x1B155},
    {0x1B164, 0x1B167}, {0x1F200, 0x1F200}, /* small kana, square hiragana hoka */
    {0x20000, 0x2A6DF}, {0x2A700, 0x2EBEF}, /* CJK extensions B-F, I */
    {0x2F800, 0x2FA1D},                     /* CJK compatibility supplement */
    {0x30000, 0x323AF},                     /* CJK extensions G, H */
};

static int is_cjk(int32_t cp)
{
    size_t lo = 0, hi = sizeof(cjk_ranges) / sizeof(cjk_ranges[0]);
    if (cp < 0x0E01)
        return 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < cjk_ranges[mid].lo)
            hi = mid;
        else if (cp > cjk_ranges[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Ruby's [[:word:]]: letters, marks, decimal digits and connector punctuation (_). ASCII
 * is answered without utf8proc: its letters, digits and '_' are the only word characters. */
static int is_word(int32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_PC:
        return 1;
    default:
        return 0;
    }
}

/* Ends the current word: the boundary between two block elements. */
static void wc_break(struct wc *w)
{
    w->in_word = 0;
    w->hyphen = 0;
}

/* What an ASCII character is to the counter, by code: W a word character, A the apostrophe,
 * H the hyphen, '.' a separator. */
static const char wc_cls[129] = "................"  /* 0x00 */
                                "................"  /* 0x10 */
                                ".......A.....H.."  /* 0x20: ' - */
                                "WWWWWWWWWW......"  /* 0x30: 0-9 */
                                ".WWWWWWWWWWWWWWW"  /* 0x40: A-O */
                                "WWWWWWWWWWW....W"  /* 0x50: P-Z _ */
                                ".WWWWWWWWWWWWWWW"  /* 0x60: a-o */
                                "WWWWWWWWWWW....."; /* 0x70: p-z */

#if SWAR_LE
/* Bit 7 of each byte of x that is a word character: a letter, a digit or '_'. */
static inline uint64_t wc_wordbytes(uint64_t x)
{
    return swar_letters(x) | swar_range(x, '0', '9') | swar_eq(x, '_');
}
#endif

/* Feeds n bytes of UTF-8 text. Hyphens and apostrophes (' ‘ ’) are removed before counting,
 * so they join what is around them, except that two hyphens in a row are a dash and
 * separate words. A character of a space-less script is a word by itself; any other run of
 * word characters is one word; everything else separates. Invalid bytes separate too. ASCII
 * goes by a table, and eight bytes at once when they hold no hyphen or apostrophe: then
 * every word character that follows a non-word character starts a word. */
static void wc_feed(struct wc *w, const char *s, size_t n)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    long long words = w->words;
    int in_word = w->in_word, hyphen = w->hyphen;
    size_t i = 0;
    while (i < n) {
#if SWAR_LE
        while (i + 8 <= n) {
            uint64_t x = swar_load(p + i);
            if ((x & SWAR_HIGHS) || ((swar_eq(x, '\'') | swar_eq(x, '-'))))
                break;
            uint64_t wb = wc_wordbytes(x);
            uint64_t starts = wb & ~((wb << 8) | (in_word ? 0x80u : 0u));
            words += (long long)((((starts >> 7) * SWAR_ONES) >> 56) & 0xFF);
            in_word = (int)(wb >> 63);
            hyphen = 0;
            i += 8;
        }
        if (i >= n)
            break;
#endif
        utf8proc_int32_t cp = p[i];
        if (cp < 0x80) {
            i++;
            switch (wc_cls[cp]) {
            case 'W':
                words += !in_word;
                in_word = 1;
                hyphen = 0;
                while (i < n && p[i] < 0x80 && wc_cls[p[i]] == 'W')
                    i++;
                continue;
            case 'A':
                hyphen = 0;
                continue;
            case 'H':
                if (hyphen)
                    in_word = 0;
                hyphen = !hyphen;
                continue;
            default:
                in_word = 0;
                hyphen = 0;
                continue;
            }
        }
        uint32_t u;
        size_t len = utf8_decode(p + i, n - i, &u);
        cp = len ? (utf8proc_int32_t)u : -1;
        i += len ? len : 1;
        hyphen = 0;
        if (cp == 0x2018 || cp == 0x2019)
            continue;
        if (cp >= 0 && is_cjk(cp)) {
            words++;
            in_word = 0;
        } else if (cp >= 0 && is_word(cp)) {
            words += !in_word;
            in_word = 1;
        } else {
            in_word = 0;
        }
    }
    w->words = words;
    w->in_word = in_word;
    w->hyphen = hyphen;
}

static int wc_result(const struct wc *w)
{
    return w->words > INT_MAX ? INT_MAX : (int)w->words;
}

int wordcount_text(const char *utf8, size_t n)
{
    struct wc w = {0, 0, 0};
    if (utf8)
        wc_feed(&w, utf8, n);
    return wc_result(&w);
}

/* Elements whose text is not shown (skipped), and inline elements, which do not separate
 * the words on either side; every other element does (p, div, br, li, td, img, ...). */
static int is_hidden(GumboTag tag)
{
    return tag == GUMBO_TAG_HEAD || tag == GUMBO_TAG_TITLE || tag == GUMBO_TAG_STYLE ||
           tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_NOSCRIPT || tag == GUMBO_TAG_TEMPLATE;
}

static int is_inline(GumboTag tag)
{
    switch (tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_ACRONYM:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BDI:
    case GUMBO_TAG_BDO:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_BLINK:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_DATA:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_LABEL:
    case GUMBO_TAG_MARK:
    case GUMBO_TAG_NOBR:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_RB:
    case GUMBO_TAG_RP:
    case GUMBO_TAG_RT:
    case GUMBO_TAG_RTC:
    case GUMBO_TAG_RUBY:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_TIME:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_VAR:
    case GUMBO_TAG_WBR:
    case GUMBO_TAG_UNKNOWN:
        return 1;
    default:
        return 0;
    }
}

/* One level of the walk: the children being visited. */
struct wc_frame {
    const GumboVector *kids;
    unsigned next;
};

/* The fast path: a streaming tag stripper for the markup the sanitizer writes (and the
 * importer generates), without gumbo. It accepts only input whose gumbo tree is the tree the
 * tags spell out, so the text reaches the counter in the same order with the same breaks:
 * lowercase tags from the table below with double-quoted attributes, strictly nested and all
 * closed; no block start while a <p> or a heading is open (gumbo would close it), no <li>
 * start that would close an open <li>, no <a> inside <a>; references only &amp; &lt; &gt;
 * &quot; &#39; and numeric ones that gumbo does not remap (not 0, not 0x80-0x9F, not
 * surrogates, at most 0x10FFFF); '<' only in those tags. Bytes gumbo would replace (invalid
 * UTF-8, controls, noncharacters) separate words either way, so text is fed as it is. */
#define WC_FAST_MAX_DEPTH 256

enum wc_kind {
    WK_INLINE,  /* does not separate words */
    WK_A,       /* inline, but a second one inside would be closed by gumbo */
    WK_BLOCK,   /* separates; closes an open <p> in gumbo */
    WK_DIV,     /* a block that an <li> start looks through */
    WK_HEADING, /* a block that also closes a heading */
    WK_LI,      /* a block that closes an open <li> */
    WK_P,
    WK_VOID,       /* separates, closes nothing (br, img) */
    WK_VOID_BLOCK, /* separates, closes an open <p> (hr) */
};

struct wc_tag {
    const char *name;
    unsigned char len, kind;
};

static const struct wc_tag wc_tags[] = {
    {"a", 1, WK_A},           {"b", 1, WK_INLINE},
    {"i", 1, WK_INLINE},      {"p", 1, WK_P},
    {"q", 1, WK_INLINE},      {"s", 1, WK_INLINE},
    {"u", 1, WK_INLINE},      {"br", 2, WK_VOID},
    {"em", 2, WK_INLINE},     {"h1", 2, WK_HEADING},
    {"h2", 2, WK_HEADING},    {"h3", 2, WK_HEADING},
    {"h4", 2, WK_HEADING},    {"h5", 2, WK_HEADING},
    {"h6", 2, WK_HEADING},    {"hr", 2, WK_VOID_BLOCK},
    {"li", 2, WK_LI},         {"ol", 2, WK_BLOCK},
    {"tt", 2, WK_INLINE},     {"ul", 2, WK_BLOCK},
    {"big", 3, WK_INLINE},    {"del", 3, WK_INLINE},
    {"dfn", 3, WK_INLINE},    {"div", 3, WK_DIV},
    {"img", 3, WK_VOID},      {"ins", 3, WK_INLINE},
    {"kbd", 3, WK_INLINE},    {"sub", 3, WK_INLINE},
    {"sup", 3, WK_INLINE},    {"var", 3, WK_INLINE},
    {"abbr", 4, WK_INLINE},   {"cite", 4, WK_INLINE},
    {"code", 4, WK_INLINE},   {"samp", 4, WK_INLINE},
    {"span", 4, WK_INLINE},   {"small", 5, WK_INLINE},
    {"center", 6, WK_BLOCK},  {"strike", 6, WK_INLINE},
    {"strong", 6, WK_INLINE}, {"acronym", 7, WK_INLINE},
    {"address", 7, WK_BLOCK}, {"blockquote", 10, WK_BLOCK},
};

static int wc_lookup(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(wc_tags) / sizeof(wc_tags[0]); i++)
        if (wc_tags[i].len == n && !memcmp(wc_tags[i].name, s, n))
            return (int)i;
    return -1;
}

/* Feeds the reference at s (n bytes left) to w; returns its length, 0 when the fast path
 * does not take it. */
static size_t wc_ref(struct wc *w, const char *s, size_t n)
{
    static const struct {
        const char *ref;
        size_t len;
        const char *text;
    } named[] = {{"&amp;", 5, "&"},
                 {"&lt;", 4, "<"},
                 {"&gt;", 4, ">"},
                 {"&quot;", 6, "\""},
                 {"&#39;", 5, "'"}};
    for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
        if (n >= named[k].len && !memcmp(s, named[k].ref, named[k].len)) {
            wc_feed(w, named[k].text, 1);
            return named[k].len;
        }
    if (n < 4 || s[1] != '#')
        return 0;
    int hex = s[2] == 'x' || s[2] == 'X';
    size_t i = 2 + (size_t)hex, digits = 0;
    long cp = 0;
    for (; i < n && digits < 8; i++, digits++) {
        int c = (unsigned char)s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            break;
        cp = cp * (hex ? 16 : 10) + d;
    }
    if (!digits || digits >= 8 || i >= n || s[i] != ';' || cp == 0 || cp > 0x10FFFF ||
        (cp >= 0x80 && cp <= 0x9F) || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    char enc[4];
    wc_feed(w, enc, utf8_encode(enc, (uint32_t)cp));
    return i + 1;
}

/* Counts html (n bytes) into w by the fast path; 0 on success, -1 when it does not apply. */
static int wc_fast(struct wc *w, const char *html, size_t n)
{
    const unsigned char *s = (const unsigned char *)html;
    unsigned char stack[WC_FAST_MAX_DEPTH];
    size_t depth = 0, run = 0, i = 0;
    int open_p = 0, open_h = 0, open_a = 0;
    while (i < n) {
        const unsigned char *lt = memchr(s + i, '<', n - i);
        const unsigned char *amp = memchr(s + i, '&', (size_t)((lt ? lt : s + n) - (s + i)));
        size_t at = amp ? (size_t)(amp - s) : lt ? (size_t)(lt - s) : n;
        wc_feed(w, html + run, at - run);
        i = run = at;
        if (i == n)
            break;
        if (s[i] == '&') {
            size_t l = wc_ref(w, html + i, n - i);
            if (!l)
                return -1;
            i = run = i + l;
            continue;
        }
        int end = i + 1 < n && s[i + 1] == '/';
        size_t a = i + 1 + (size_t)end, e = a;
        while (e < n && ((s[e] >= 'a' && s[e] <= 'z') || (s[e] >= '1' && s[e] <= '6')))
            e++;
        int t = wc_lookup(html + a, e - a);
        if (t < 0)
            return -1;
        int kind = wc_tags[t].kind;
        int isvoid = kind == WK_VOID || kind == WK_VOID_BLOCK;
        if (end) {
            if (e >= n || s[e] != '>' || isvoid || depth == 0 || stack[depth - 1] != t)
                return -1;
            e++;
            depth--;
            open_p -= kind == WK_P;
            open_h -= kind == WK_HEADING;
            open_a -= kind == WK_A;
        } else {
            /* attributes: name="value", then '>' (or " />" and "/>" on void elements) */
            while (e < n && s[e] == ' ') {
                size_t q = e + 1;
                while (q < n && ((s[q] >= 'a' && s[q] <= 'z') || s[q] == '-'))
                    q++;
                if (q == e + 1 || q + 1 >= n || s[q] != '=' || s[q + 1] != '"')
                    break;
                const unsigned char *close = memchr(s + q + 2, '"', n - q - 2);
                if (!close)
                    return -1;
                e = (size_t)(close - s) + 1;
            }
            if (e < n && s[e] == '>')
                e++;
            else if (isvoid && n - e >= 3 && !memcmp(html + e, " />", 3))
                e += 3;
            else if (isvoid && n - e >= 2 && !memcmp(html + e, "/>", 2))
                e += 2;
            else
                return -1;
            if (kind != WK_INLINE && kind != WK_A && kind != WK_VOID && (open_p || open_h))
                return -1;
            if (kind == WK_A && open_a)
                return -1;
            if (kind == WK_LI)
                for (size_t k = depth; k > 0; k--) {
                    int kk = wc_tags[stack[k - 1]].kind;
                    if (kk == WK_LI)
                        return -1;
                    if (kk != WK_INLINE && kk != WK_A && kk != WK_DIV)
                        break;
                }
            if (!isvoid) {
                if (depth == WC_FAST_MAX_DEPTH)
                    return -1;
                stack[depth++] = (unsigned char)t;
                open_p += kind == WK_P;
                open_h += kind == WK_HEADING;
                open_a += kind == WK_A;
            }
        }
        if (kind != WK_INLINE && kind != WK_A)
            wc_break(w);
        i = run = e;
    }
    return depth ? -1 : 0;
}

/* Counts the words of the text of html (NUL-terminated), parsed as a <body> fragment: text
 * nodes are fed in document order, block elements break words on entry and exit. The walk
 * is iterative so deep nesting cannot exhaust the stack. Returns FICD_ENOMEM when memory
 * runs out. Markup the fast path understands is counted without building a tree. */
int wordcount_html(const char *html)
{
    if (!html || !*html)
        return 0;
    struct wc fw = {0, 0, 0};
    if (wc_fast(&fw, html, strlen(html)) == 0)
        return wc_result(&fw);
    GumboOptions opt = kGumboDefaultOptions;
    opt.fragment_context = GUMBO_TAG_BODY;
    opt.max_errors = 0; /* gumbo's error records copy the open-element stack: quadratic */
    GumboOutput *g = gumbo_parse_with_options(&opt, html, strlen(html));
    if (!g)
        return FICD_ENOMEM;
    struct wc w = {0, 0, 0};
    size_t cap = 64, top = 0;
    struct wc_frame *st = malloc(cap * sizeof(*st));
    int rc = 0;
    if (!st || g->root->type != GUMBO_NODE_ELEMENT) {
        rc = st ? 0 : FICD_ENOMEM;
        goto done;
    }
    st[0].kids = &g->root->v.element.children;
    st[0].next = 0;
    for (;;) {
        struct wc_frame *f = &st[top];
        if (f->next >= f->kids->length) {
            if (top == 0)
                break;
            top--;
            const GumboNode *parent = st[top].kids->data[st[top].next - 1];
            if (!is_inline(parent->v.element.tag))
                wc_break(&w);
            continue;
        }
        const GumboNode *node = f->kids->data[f->next++];
        if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
            node->type == GUMBO_NODE_CDATA) {
            wc_feed(&w, node->v.text.text, strlen(node->v.text.text));
            continue;
        }
        if (node->type != GUMBO_NODE_ELEMENT || is_hidden(node->v.element.tag))
            continue;
        if (!is_inline(node->v.element.tag))
            wc_break(&w);
        if (node->v.element.children.length == 0)
            continue;
        if (top + 1 == cap) {
            struct wc_frame *ns = realloc(st, 2 * cap * sizeof(*st));
            if (!ns) {
                rc = FICD_ENOMEM;
                goto done;
            }
            st = ns;
            cap *= 2;
        }
        top++;
        st[top].kids = &node->v.element.children;
        st[top].next = 0;
    }
    rc = wc_result(&w);
done:
    free(st);
    gumbo_destroy_output(&opt, g);
    return rc;
}
