/* tokenize.c: the full-text tokenizer (words of letters, digits and marks; case folding and
 * diacritic stripping through utf8proc; Snowball stemming by the work's language) and the
 * HTML-to-text stripper used for chapter bodies and snippets. */
#include "core/utf8.h"
#include "index/index_int.h"

#include <ctype.h>
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define TOK_MAX_BYTES 100 /* longer runs are junk (URLs, keyboard mashing) and are skipped */

void tok_init(struct tokenizer *t, const char *s, size_t n, struct sb_stemmer *stem)
{
    t->s = s;
    t->n = n;
    t->pos = 0;
    t->stem = stem;
}

static int is_word_cp(utf8proc_int32_t c)
{
    if (c < 0x80)
        return isalnum(c);
    utf8proc_category_t cat = utf8proc_category(c);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
           (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) ||
           (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

/* Decodes one code point at s[i..n); *len gets its byte length (1 for an invalid byte, which
 * then reads as -1, a separator). */
static utf8proc_int32_t cp_at(const char *s, size_t i, size_t n, size_t *len)
{
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
        *len = 1;
        return b;
    }
    uint32_t c;
    size_t k = utf8_decode(s + i, n - i, &c);
    if (!k) {
        *len = 1;
        return -1;
    }
    *len = k;
    return (int32_t)c;
}

size_t tok_fold(const char *s, size_t n, char *out, size_t outsz)
{
    size_t i;
    for (i = 0; i < n && !((unsigned char)s[i] & 0x80); i++)
        ;
    if (i == n) { /* ASCII fast path */
        size_t m = n < outsz - 1 ? n : outsz - 1;
        for (i = 0; i < m; i++)
            out[i] = (char)tolower((unsigned char)s[i]);
        out[m] = 0;
        return m;
    }
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t k =
        utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &mapped,
                     UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (k < 0) {
        out[0] = 0;
        return 0;
    }
    size_t m = (size_t)k < outsz - 1 ? (size_t)k : outsz - 1;
    /* Never cut a code point in half. */
    while (m > 0 && m < (size_t)k && (mapped[m] & 0xC0) == 0x80)
        m--;
    memcpy(out, mapped, m);
    out[m] = 0;
    free(mapped);
    return m;
}

int tok_next(struct tokenizer *t, struct tok *out)
{
    while (t->pos < t->n) {
        size_t len;
        utf8proc_int32_t c = cp_at(t->s, t->pos, t->n, &len);
        if (c < 0 || !is_word_cp(c)) {
            t->pos += len;
            continue;
        }
        size_t start = t->pos;
        t->pos += len;
        while (t->pos < t->n) {
            c = cp_at(t->s, t->pos, t->n, &len);
            if (c < 0 || !is_word_cp(c))
                break;
            t->pos += len;
        }
        size_t tlen = t->pos - start;
        if (tlen > TOK_MAX_BYTES)
            continue;
        out->off = start;
        out->len = tlen;
        out->nlen = tok_fold(t->s + start, tlen, out->norm, sizeof(out->norm));
        if (!out->nlen)
            continue;
        if (t->stem) {
            const sb_symbol *st =
                sb_stemmer_stem(t->stem, (const sb_symbol *)out->norm, (int)out->nlen);
            int sl = st ? sb_stemmer_length(t->stem) : 0;
            if (st && sl > 0 && (size_t)sl < sizeof(out->norm)) {
                memcpy(out->norm, st, (size_t)sl);
                out->norm[sl] = 0;
                out->nlen = (size_t)sl;
            }
        }
        return 1;
    }
    return 0;
}

/* Native language names (folded) to Snowball algorithm names. */
static const char *const lang_alias[][2] = {
    {"francais", "french"},
    {"deutsch", "german"},
    {"espanol", "spanish"},
    {"castellano", "spanish"},
    {"italiano", "italian"},
    {"portugues", "portuguese"},
    {"portugues brasileiro", "portuguese"},
    {"nederlands", "dutch"},
    {"svenska", "swedish"},
    {"norsk", "norwegian"},
    {"dansk", "danish"},
    {"suomi", "finnish"},
    {"magyar", "hungarian"},
    {"turkce", "turkish"},
    {"romana", "romanian"},
    {"русскии", "russian"},
    {"русский", "russian"},
    {"ελληνικα", "greek"},
    {"bahasa indonesia", "indonesian"},
    {"gaeilge", "irish"},
    {"catala", "catalan"},
    {"lietuviu", "lithuanian"},
    {"српски", "serbian"},
    {"euskara", "basque"},
};

struct sb_stemmer *tok_stemmer_for(const char *language)
{
    if (!language || !*language)
        return sb_stemmer_new("english", "UTF_8");
    char key[128];
    tok_fold(language, strlen(language), key, sizeof(key));
    struct sb_stemmer *st = sb_stemmer_new(key, "UTF_8");
    if (st)
        return st;
    for (size_t i = 0; i < sizeof(lang_alias) / sizeof(lang_alias[0]); i++)
        if (!strcmp(key, lang_alias[i][0]))
            return sb_stemmer_new(lang_alias[i][1], "UTF_8");
    return NULL;
}

static const char *const inline_tags[] = {
    "a",      "abbr",   "acronym", "b",   "big", "cite", "code", "del",   "dfn",
    "em",     "i",      "ins",     "kbd", "q",   "s",    "samp", "small", "span",
    "strike", "strong", "sub",     "sup", "tt",  "u",    "var"};

static int is_inline_tag(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof(inline_tags) / sizeof(inline_tags[0]); i++)
        if (strlen(inline_tags[i]) == n && !strncasecmp(inline_tags[i], name, n))
            return 1;
    return 0;
}

static void put_cp(struct buf *out, unsigned long c)
{
    if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        c = 0xFFFD;
    buf_put_utf8(out, (uint32_t)c);
}

/* Decodes the entity at s (which starts with '&'); returns bytes consumed, 0 when it is not
 * one we know (the '&' is then copied as is). */
static size_t decode_entity(const char *s, struct buf *out)
{
    static const struct {
        const char *name;
        const char *text;
    } named[] = {{"amp;", "&"},
                 {"lt;", "<"},
                 {"gt;", ">"},
                 {"quot;", "\""},
                 {"apos;", "'"},
                 {"nbsp;", " "},
                 {"mdash;", "\xe2\x80\x94"},
                 {"ndash;", "\xe2\x80\x93"},
                 {"hellip;", "\xe2\x80\xa6"},
                 {"rsquo;", "\xe2\x80\x99"},
                 {"lsquo;", "\xe2\x80\x98"},
                 {"ldquo;", "\xe2\x80\x9c"},
                 {"rdquo;", "\xe2\x80\x9d"}};
    if (s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        const char *p = s + 2 + hex;
        char *end;
        unsigned long c = strtoul(p, &end, hex ? 16 : 10);
        if (end == p || *end != ';' || end - p > 8)
            return 0;
        put_cp(out, c);
        return (size_t)(end + 1 - s);
    }
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        size_t n = strlen(named[i].name);
        if (!strncmp(s + 1, named[i].name, n)) {
            buf_puts(out, named[i].text);
            return n + 1;
        }
    }
    return 0;
}

void html_strip(const char *html, struct buf *out)
{
    const char *p = html;
    while (*p) {
        if (*p == '<') {
            const char *q = p + 1;
            if (*q == '/')
                q++;
            const char *name = q;
            while (isalnum((unsigned char)*q))
                q++;
            size_t nlen = (size_t)(q - name);
            char quote = 0;
            while (*q && (quote || *q != '>')) {
                if (quote && *q == quote)
                    quote = 0;
                else if (!quote && (*q == '"' || *q == '\''))
                    quote = *q;
                q++;
            }
            if (!nlen || !is_inline_tag(name, nlen))
                buf_putc(out, ' ');
            p = *q ? q + 1 : q;
        } else if (*p == '&') {
            size_t k = decode_entity(p, out);
            if (!k) {
                buf_putc(out, '&');
                k = 1;
            }
            p += k;
        } else {
            const char *q = p;
            while (*q && *q != '<' && *q != '&')
                q++;
            buf_put(out, p, (size_t)(q - p));
            p = q;
        }
    }
}
