/* test_ms_random.c: the manuscript importer's fast paths against byte-by-byte references on
 * random text: whitespace collapsing eight bytes at a time, character counts, the scene-break
 * test's early exits, inline emphasis (skipping eight bytes at a time), word counts (eight
 * bytes at a time), the language scan that rides on the name tokenizer, and the name
 * suggestions (ASCII tokenizer, hashed word table, candidate order rebuilt from it) against
 * the straightforward implementation they replaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/html.h"
#include "core/work.h"
#include "text/ms_int.h"
#include "text/wordcount.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

static uint64_t rnd_state = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned)(rnd_state % n);
}

/* Random text from pieces; returns its length (at most cap - 1, NUL-terminated). */
static size_t random_text(char *out, size_t cap, const char *const *pieces, size_t np, size_t len)
{
    size_t n = 0;
    while (n < len) {
        const char *p = pieces[rnd((unsigned)np)];
        size_t pl = strlen(p);
        if (n + pl + 1 > cap)
            break;
        memcpy(out + n, p, pl);
        n += pl;
    }
    out[n] = '\0';
    return n;
}

/* ---- whitespace collapsing and character counts ---- */

static size_t ref_ws_len(const char *s, size_t n)
{
    if (n >= 1 && (*s == ' ' || *s == '\t' || *s == '\n'))
        return 1;
    if (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
        return 2;
    if (n >= 3 && (memcmp(s, "\xE2\x80\xAF", 3) == 0 || memcmp(s, "\xE3\x80\x80", 3) == 0 ||
                   memcmp(s, "\xEF\xBB\xBF", 3) == 0 || memcmp(s, "\xE2\x80\x8B", 3) == 0))
        return 3;
    return 0;
}

static size_t ref_collapse(char *d, const char *s, size_t n)
{
    size_t o = 0;
    int pending = 0, any = 0;
    for (size_t i = 0; i < n;) {
        size_t w = ref_ws_len(s + i, n - i);
        if (w) {
            pending = 1;
            i += w;
            continue;
        }
        if (pending && any)
            d[o++] = ' ';
        pending = 0;
        any = 1;
        d[o++] = s[i++];
    }
    return o;
}

static void test_collapse_and_chars(void **state)
{
    (void)state;
    static const char *const pieces[] = {"word",
                                         "a",
                                         " ",
                                         "  ",
                                         "\t",
                                         "\n",
                                         "\xC2\xA0",
                                         "\xE2\x80\xAF",
                                         "\xE3\x80\x80",
                                         "\xEF\xBB\xBF",
                                         "\xE2\x80\x8B",
                                         "\xC2",
                                         "\xE2\x80",
                                         "\xE2\x80\x99",
                                         "\xC3\xA9",
                                         "The quick brown fox jumps over",
                                         "x y z w",
                                         ".",
                                         "-",
                                         "\xEF\xBC\x81",
                                         "\xE3\x81\x82",
                                         "\xF0\x9F\x98\x80"};
    char in[1024], want[1024], got[1024];
    for (int round = 0; round < 40000; round++) {
        size_t n = random_text(in, sizeof(in), pieces, sizeof(pieces) / sizeof(pieces[0]),
                               rnd(round % 10 ? 80 : 1000));
        /* also cut anywhere, even inside a character */
        if (round % 3 == 0 && n)
            n = rnd((unsigned)n + 1);
        size_t wl = ref_collapse(want, in, n);
        memset(got, 0x55, sizeof(got));
        size_t gl = ms_collapse_into(got, in, n);
        assert_int_equal(gl, wl);
        assert_memory_equal(got, want, wl);
        size_t chars = 0;
        for (size_t i = 0; i < n; i++)
            chars += ((unsigned char)in[i] & 0xC0) != 0x80;
        assert_int_equal(ms_chars(in, n), chars);
        char *t = ms_strndup_trim(in, n);
        assert_non_null(t);
        assert_int_equal(strlen(t), wl);
        assert_memory_equal(t, want, wl);
        free(t);
    }
}

/* ---- scene-break lines: the early exits against the rule as it was ---- */

static int ref_rule_line(const char *s)
{
    size_t n = strlen(s), sym = 0, orn = 0, lower = 0, upper = 0, zero = 0, other = 0;
    if (n == 0 || ms_chars(s, n) > 40)
        return 0;
    if (strchr(s, '"') || strchr(s, '\'') || strstr(s, "\xE2\x80\x9C") ||
        strstr(s, "\xE2\x80\x9D") || strstr(s, "\xE2\x80\x98") || strstr(s, "\xE2\x80\x99"))
        return 0;
    for (size_t i = 0; i < n;) {
        int cp = ms_utf8_next(s, n, &i);
        if (cp == ' ' || cp == '\t')
            continue;
        if (cp == 'o' || cp == 'x')
            orn++, lower++;
        else if (cp == 'O' || cp == 'X')
            orn++, upper++;
        else if (cp == '0')
            orn++, zero++;
        else if (cp == '.' || cp == '?' || cp == '!' || cp == 0x2026)
            other++;
        else if (cp < 0x80 ? ispunct(cp)
                           : (cp >= 0x2010 && cp <= 0x2BFF) || cp == 0xA7 || cp == 0xB7 ||
                                 cp == 0xB0 || cp == 0x2E3A || (cp >= 0x2E00 && cp <= 0x2E7F) ||
                                 (cp >= 0x1F300 && cp <= 0x1FAFF))
            sym++;
        else
            return 0;
    }
    if (orn)
        return orn + sym + other >= 3 && (zero || (lower && upper)) && !(zero && !lower && !upper);
    return sym != 0;
}

static void test_rule_lines(void **state)
{
    (void)state;
    static const char *const pieces[] = {"*",
                                         " ",
                                         "\t",
                                         "~",
                                         "-",
                                         "o",
                                         "O",
                                         "x",
                                         "X",
                                         "0",
                                         "1",
                                         "a",
                                         "Z",
                                         ".",
                                         "!",
                                         "#",
                                         "\xE2\x80\xA2",
                                         "\xC2\xA7",
                                         "\xE2\x80\x94",
                                         "\"",
                                         "'",
                                         "\xE2\x80\x9C",
                                         "\xF0\x9F\x8C\xB8",
                                         "\xC3\xA9",
                                         "+",
                                         "=",
                                         "_",
                                         "Chapter"};
    char in[256];
    int rules = 0;
    for (int round = 0; round < 60000; round++) {
        random_text(in, sizeof(in), pieces, sizeof(pieces) / sizeof(pieces[0]),
                    rnd(round % 20 ? 12 : 200));
        int want = ref_rule_line(in);
        rules += want;
        assert_int_equal(ms_is_rule_line(in), want);
    }
    assert_true(rules > 1000);
}

/* ---- inline emphasis: the renderer as it was, one byte at a time ---- */

static int ref_alnum_byte(const char *s, size_t n, size_t i)
{
    return i < n && isalnum((unsigned char)s[i]);
}

static int ref_space_byte(const char *s, size_t n, size_t i)
{
    return i >= n || s[i] == ' ' || s[i] == '\n' || s[i] == '\t';
}

/* Finds the closing delimiter (dl bytes of ch) for an opener ending at i; -1 if none. */
static long ref_find_closer(const char *s, size_t n, size_t i, char ch, size_t dl)
{
    for (size_t j = i + 1; j + dl <= n; j++) {
        if (s[j] == '\n' && j + 1 < n && s[j + 1] == '\n')
            return -1;
        if (s[j] != ch)
            continue;
        size_t run = 0;
        while (j + run < n && s[j + run] == ch)
            run++;
        if (run == dl && !ref_space_byte(s, n, j - 1) && !ref_alnum_byte(s, n, j + dl))
            return (long)j;
        j += run - 1;
    }
    return -1;
}

/* Plain text with emphasis to HTML: **strong**, *em*, _em_ (an opener follows a non-word
 * character and precedes a non-space; the closer mirrors it, so snake_case, "5 * 3" and lone
 * asterisks stay as typed). Newlines become <br>. Everything else is escaped. */
static void ref_inline(struct buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '\n') {
            html_textn(out, s + run, i - run);
            html_lit(out, "<br>\n"); /* as CommonMark renders a hard break */
            run = ++i;
            continue;
        }
        if (c == '*' || c == '_') {
            size_t dl = (i + 1 < n && s[i + 1] == c) ? 2 : 1;
            if (dl == 2 && i + 2 < n && s[i + 2] == c)
                dl = 0; /* *** and longer: left as typed */
            int opener = dl && (i == 0 || !ref_alnum_byte(s, n, i - 1)) &&
                         (i == 0 || s[i - 1] != c) && !ref_space_byte(s, n, i + dl);
            long j = opener ? ref_find_closer(s, n, i + dl - 1, c, dl) : -1;
            if (j > (long)(i + dl)) {
                html_textn(out, s + run, i - run);
                if (dl == 2)
                    html_lit(out, "<strong>");
                else
                    html_lit(out, "<em>");
                ref_inline(out, s + i + dl, (size_t)j - i - dl);
                if (dl == 2)
                    html_lit(out, "</strong>");
                else
                    html_lit(out, "</em>");
                i = (size_t)j + dl;
                run = i;
                continue;
            }
            i += dl ? dl : 3;
            continue;
        }
        i++;
    }
    html_textn(out, s + run, n - run);
}

static void test_inline(void **state)
{
    (void)state;
    static const char *const pieces[] = {"word",
                                         " ",
                                         "\n",
                                         "*",
                                         "**",
                                         "***",
                                         "_",
                                         "__",
                                         "a*b",
                                         "x_y",
                                         "5 * 3",
                                         "<",
                                         "&",
                                         "\"",
                                         "'",
                                         "\n\n",
                                         "The quick brown fox jumps over the lazy dog. ",
                                         "\xE2\x80\x99"};
    char in[512];
    for (int round = 0; round < 30000; round++) {
        size_t n = random_text(in, sizeof(in), pieces, sizeof(pieces) / sizeof(pieces[0]),
                               rnd(round % 10 ? 60 : 500));
        struct buf a = BUF_INIT, b = BUF_INIT;
        ms_inline(&a, in, n);
        ref_inline(&b, in, n);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(buf_str(&a), buf_str(&b), a.len);
        buf_free(&a);
        buf_free(&b);
    }
}

/* ---- word counts ---- */

static int ref_is_cjk(int32_t cp)
{
    /* the ranges of wordcount.c, checked one by one */
    static const int32_t r[][2] = {
        {0x0E01, 0x0E3A},   {0x0E40, 0x0E5B},   {0x2E80, 0x2E99},   {0x2E9B, 0x2EF3},
        {0x2F00, 0x2FD5},   {0x3005, 0x3005},   {0x3007, 0x3007},   {0x3021, 0x3029},
        {0x3038, 0x303B},   {0x3041, 0x3096},   {0x309D, 0x309F},   {0x30A1, 0x30FA},
        {0x30FD, 0x30FF},   {0x31F0, 0x31FF},   {0x32D0, 0x32FE},   {0x3300, 0x3357},
        {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xF900, 0xFA6D},   {0xFA70, 0xFAD9},
        {0xFF66, 0xFF6F},   {0xFF71, 0xFF9D},   {0x1AFF0, 0x1AFFE}, {0x1B000, 0x1B000},
        {0x1B001, 0x1B11F}, {0x1B120, 0x1B122}, {0x1B132, 0x1B132}, {0x1B150, 0x1B152},
        {0x1B155, 0x1B155}, {0x1B164, 0x1B167}, {0x1F200, 0x1F200}, {0x20000, 0x2A6DF},
        {0x2A700, 0x2EBEF}, {0x2F800, 0x2FA1D}, {0x30000, 0x323AF}};
    for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return 1;
    return 0;
}

static int ref_is_word(int32_t cp)
{
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

/* AO3's rules one code point at a time (docs/wordcount.md). */
static int ref_wordcount(const char *s, size_t n)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    int words = 0, in_word = 0, hyphen = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len <= 0) {
            len = 1;
            cp = -1;
        }
        i += (size_t)len;
        if (cp == '-') {
            if (hyphen)
                in_word = 0;
            hyphen = !hyphen;
            continue;
        }
        hyphen = 0;
        if (cp == '\'' || cp == 0x2018 || cp == 0x2019)
            continue;
        if (cp >= 0 && ref_is_cjk(cp)) {
            words++;
            in_word = 0;
        } else if (cp >= 0 && ref_is_word(cp)) {
            if (!in_word)
                words++;
            in_word = 1;
        } else {
            in_word = 0;
        }
    }
    return words;
}

static void test_wordcount(void **state)
{
    (void)state;
    static const char *const pieces[] = {"word",
                                         "a",
                                         " ",
                                         "  ",
                                         "\n",
                                         "\t",
                                         "-",
                                         "--",
                                         "'",
                                         "\xE2\x80\x99",
                                         "\xE2\x80\x98",
                                         "don't",
                                         "well-known",
                                         "x_y",
                                         "_",
                                         "42",
                                         "3.14",
                                         "a,b",
                                         "The quick brown fox ",
                                         ".",
                                         "\xE2\x80\x94",
                                         "\xE6\x97\xA5\xE6\x9C\xAC",
                                         "\xE0\xB8\x81",
                                         "caf\xC3\xA9",
                                         "\xC3\xA9",
                                         "\xCC\x81",
                                         "\xFF",
                                         "\xC3",
                                         "\xF0\x9F\x98\x80",
                                         "ABCdef123",
                                         "(x)",
                                         "\"",
                                         "&",
                                         "@"};
    char in[2048];
    for (int round = 0; round < 40000; round++) {
        size_t n = random_text(in, sizeof(in), pieces, sizeof(pieces) / sizeof(pieces[0]),
                               rnd(round % 10 ? 100 : 2000));
        int want = ref_wordcount(in, n);
        assert_int_equal(wordcount_text(in, n), want);
        /* the same text as an HTML paragraph, escaped, goes through the tag stripper */
        static char html[8192];
        size_t h = (size_t)snprintf(html, sizeof(html), "<p>");
        for (size_t i = 0; i < n; i++) {
            const char *rep = in[i] == '&' ? "&amp;" : in[i] == '<' ? "&lt;" : NULL;
            h += (size_t)snprintf(html + h, sizeof(html) - h, "%s", rep ? rep : (char[]){in[i], 0});
        }
        snprintf(html + h, sizeof(html) - h, "</p>");
        assert_int_equal(wordcount_html(html), want);
    }
}

/* ---- the language scan riding on the tokenizer ---- */

static void check_lang(const char *text, size_t n)
{
    size_t a[12], b[12];
    ms_lang_counts(text, n, 0, a);
    ms_lang_counts(text, n, 1, b);
    if (memcmp(a, b, sizeof(a))) {
        fprintf(stderr, "language counts differ on [%.*s]:\n", (int)(n < 300 ? n : 300), text);
        for (int i = 0; i < 12; i++)
            fprintf(stderr, "  %d: %zu %zu\n", i, a[i], b[i]);
    }
    assert_memory_equal(a, b, sizeof(a));
}

static const char *const lang_pieces[] = {"the ",
                                          "and ",
                                          "was ",
                                          "she ",
                                          "de ",
                                          "la ",
                                          "que ",
                                          "el ",
                                          "et ",
                                          "est ",
                                          "und ",
                                          "der ",
                                          "die ",
                                          "nicht ",
                                          "il ",
                                          "che ",
                                          "non ",
                                          "o ",
                                          "não ",
                                          "você ",
                                          "était ",
                                          "él ",
                                          "è ",
                                          "Harry ",
                                          "Mira-chan ",
                                          "O'Neil ",
                                          "don't ",
                                          "well-known ",
                                          "I'm ",
                                          "\xE2\x80\x99",
                                          "’s ",
                                          "Zo\xC3\xAB ",
                                          "\xC3\x89lodie ",
                                          "\xC3\x97",
                                          "\xC3\xB7",
                                          "caf\xC3\xA9 ",
                                          "\xD0\x9F\xD1\x80\xD0\xB8 ",
                                          "\xE3\x81\x93\xE3\x82\x93",
                                          "\xE6\x97\xA5\xE6\x9C\xAC",
                                          "\xED\x95\x9C ",
                                          "\xE1\xB8\x80",
                                          ". ",
                                          "! ",
                                          "? ",
                                          "\xE2\x80\xA6 ",
                                          "\xE2\x80\x9C",
                                          "\xE2\x80\x9D",
                                          ": ",
                                          "\n",
                                          "\n\n",
                                          "\"",
                                          "-",
                                          "--",
                                          "'",
                                          "12 ",
                                          "x",
                                          "ab",
                                          "abcdefgh",
                                          "abcdefghijklmnopqrstuvwxyzabcdefghijk ",
                                          "ABCDEFG ",
                                          "\xC3",
                                          "\xE2\x80",
                                          "\t",
                                          "_"};

static void test_language_fused(void **state)
{
    (void)state;
    char in[4096];
    for (int round = 0; round < 20000; round++) {
        size_t n =
            random_text(in, sizeof(in), lang_pieces, sizeof(lang_pieces) / sizeof(lang_pieces[0]),
                        rnd(round % 10 ? 200 : 4000));
        check_lang(in, n);
        if (n && round % 4 == 0)
            check_lang(in, rnd((unsigned)n)); /* cut anywhere, even inside a character */
    }
    /* past the word limit: the scans stop at the same character */
    size_t big = (size_t)1 << 20;
    char *t = malloc(big + 1);
    assert_non_null(t);
    for (int round = 0; round < 4; round++) {
        size_t n = random_text(t, big + 1, lang_pieces,
                               sizeof(lang_pieces) / sizeof(lang_pieces[0]), big - 64);
        check_lang(t, n);
    }
    free(t);
}

/* ---- name suggestions: the implementation they replaced ---- */

static int ref_is_letter(int cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 && cp < 0x2000) ||
           (cp >= 0x3040 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

static const char *const ref_not_names[] = {
    "I",        "I'm",      "I'll",      "I've",      "I'd",       "Mr",        "Mrs",
    "Ms",       "Miss",     "Dr",        "Sir",       "Madam",     "Lady",      "Lord",
    "God",      "OK",       "Okay",      "Oh",        "Ah",        "Um",        "Uh",
    "Hmm",      "Yes",      "No",        "Monday",    "Tuesday",   "Wednesday", "Thursday",
    "Friday",   "Saturday", "Sunday",    "January",   "February",  "March",     "April",
    "May",      "June",     "July",      "August",    "September", "October",   "November",
    "December", "English",  "Christmas", "Halloween", "TV",        "Captain",   "Professor",
    "Chapter",  "The",      "A",         "An",        "Prologue",  "Epilogue",  "Hokage",
    "Sensei",   "Shishou",  "Mom",       "Dad",       "Mum",       "Mother",    "Father",
    "Ano",      NULL};

static const char *const ref_honorifics[] = {
    "chan", "kun",     "san",     "sama",   "sensei",  "senpai",  "sempai",  "nee",
    "nii",  "chin",    "dono",    "hime",   "baachan", "baa",     "jiji",    "tan",
    "chi",  "neechan", "niichan", "neesan", "niisan",  "oneesan", "oniisan", "shishou",
    "teme", "dobe",    "no",      "hakase", "taichou", "sama's",  NULL};

static int in_list(const char *const *l, const char *w)
{
    for (; *l; l++)
        if (!strcmp(*l, w))
            return 1;
    return 0;
}

struct ref_ent {
    char *name;
    int count, mid, lower;
};

struct ref_tab {
    struct ref_ent *v;
    size_t n, cap;
};

static size_t ref_hash(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 1099511628211ULL;
    return h;
}

static struct ref_ent *ref_get(struct ref_tab *t, const char *w)
{
    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct ref_ent *v = calloc(cap, sizeof(*v));
        assert_non_null(v);
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].name)
                continue;
            size_t h = ref_hash(t->v[i].name) & (cap - 1);
            while (v[h].name)
                h = (h + 1) & (cap - 1);
            v[h] = t->v[i];
        }
        free(t->v);
        t->v = v;
        t->cap = cap;
    }
    size_t h = ref_hash(w) & (t->cap - 1);
    while (t->v[h].name) {
        if (strcasecmp(t->v[h].name, w) == 0)
            return &t->v[h];
        h = (h + 1) & (t->cap - 1);
    }
    t->v[h].name = strdup(w);
    assert_non_null(t->v[h].name);
    t->n++;
    return &t->v[h];
}

static struct ref_ent *ref_find(const struct ref_tab *t, const char *w)
{
    if (!t->cap)
        return NULL;
    for (size_t h = ref_hash(w) & (t->cap - 1); t->v[h].name; h = (h + 1) & (t->cap - 1))
        if (strcasecmp(t->v[h].name, w) == 0)
            return &t->v[h];
    return NULL;
}

static void ref_fold(char *w)
{
    size_t n = strlen(w);
    if (n > 2 && strcmp(w + n - 2, "'s") == 0)
        w[n -= 2] = '\0';
    else if (n > 4 && strcmp(w + n - 4, "\xE2\x80\x99s") == 0)
        w[n -= 4] = '\0';
    while (n > 0 && (w[n - 1] == '\'' || w[n - 1] == '-'))
        w[--n] = '\0';
    char *h = strchr(w, '-');
    if (h && islower((unsigned char)h[1])) {
        char part[32];
        size_t pl = strcspn(h + 1, "-");
        if (pl < sizeof(part)) {
            memcpy(part, h + 1, pl);
            part[pl] = '\0';
            if (in_list(ref_honorifics, part))
                *h = '\0';
        }
    }
}

static long ref_match_known(const struct strlist *known, const char *name, struct ref_tab *t)
{
    if (!known)
        return -1;
    long found = -1;
    int best = -1, tie = 0;
    for (size_t i = 0; i < known->n; i++) {
        const char *k = known->v[i];
        if (strcasecmp(k, name) == 0)
            return (long)i;
        size_t kl = strcspn(k, "(");
        int fits = 0, score = 0;
        size_t nl = strlen(name);
        for (size_t a = 0; a < kl;) {
            while (a < kl && k[a] == ' ')
                a++;
            size_t e = a;
            while (e < kl && k[e] != ' ')
                e++;
            if (e > a) {
                if (e - a == nl && strncasecmp(k + a, name, nl) == 0)
                    fits = 1;
                char word[64];
                if (e - a < sizeof(word)) {
                    memcpy(word, k + a, e - a);
                    word[e - a] = '\0';
                    const struct ref_ent *ent = ref_find(t, word);
                    if (ent)
                        score += ent->count;
                }
            }
            a = e;
        }
        if (!fits)
            continue;
        if (score > best) {
            best = score;
            found = (long)i;
            tie = 0;
        } else if (score == best) {
            tie = 1;
        }
    }
    return tie ? -2 : found;
}

struct ref_sugg {
    char *name;
    int count;
};

static int ref_sugg_cmp(const void *a, const void *b)
{
    const struct ref_sugg *x = a, *y = b;
    return y->count - x->count;
}

/* The suggestions as the replaced code made them (no declared characters, title sides or
 * disclaimers): characters into chars, a relationship into rels. */
static void ref_suggest(const char *text, size_t n, const struct strlist *known,
                        const struct strlist *known_rels, struct strlist *chars,
                        struct strlist *rels)
{
    struct ref_tab t = {NULL, 0, 0};
    char tok[64];
    int initial = 1;
    for (size_t i = 0; i < n;) {
        size_t st = i;
        int cp = ms_utf8_next(text, n, &i);
        if (!ref_is_letter(cp)) {
            if (cp == '.' || cp == '!' || cp == '?' || cp == 0x2026 || cp == '\n' || cp == '"' ||
                cp == 0x201C || cp == ':')
                initial = 1;
            continue;
        }
        size_t e = i;
        for (;;) {
            size_t q = e;
            if (q >= n)
                break;
            int c2 = ms_utf8_next(text, n, &q);
            if (ref_is_letter(c2)) {
                e = q;
                continue;
            }
            if (c2 == '\'' || c2 == 0x2019 || c2 == '-') {
                size_t r = q;
                if (r < n && ref_is_letter(ms_utf8_next(text, n, &r))) {
                    e = q;
                    continue;
                }
            }
            break;
        }
        i = e;
        size_t len = e - st;
        int was_initial = initial;
        initial = 0;
        if (len >= sizeof(tok))
            continue;
        memcpy(tok, text + st, len);
        tok[len] = '\0';
        if (islower((unsigned char)tok[0])) {
            char up[64];
            memcpy(up, tok, len + 1);
            up[0] = (char)toupper((unsigned char)up[0]);
            ref_fold(up);
            if (len > 1)
                ref_get(&t, up)->lower = 1;
            continue;
        }
        if (!isupper((unsigned char)tok[0]) || len < 2)
            continue;
        int caps = 1;
        for (size_t k = 1; k < len; k++)
            if (islower((unsigned char)tok[k]))
                caps = 0;
        if (caps)
            continue;
        for (char *q = strstr(tok, "\xE2\x80\x99"); q; q = strstr(q, "\xE2\x80\x99")) {
            *q = '\'';
            memmove(q + 1, q + 3, strlen(q + 3) + 1);
        }
        ref_fold(tok);
        if (strlen(tok) < 2 || in_list(ref_not_names, tok) || (tok[0] == 'I' && tok[1] == '\''))
            continue;
        struct ref_ent *ent = ref_get(&t, tok);
        ent->count++;
        ent->mid += !was_initial;
    }
    struct ref_sugg *s = calloc(t.cap + 1, sizeof(*s));
    assert_non_null(s);
    size_t ns = 0;
    for (size_t i = 0; i < t.cap; i++) {
        struct ref_ent *e = &t.v[i];
        if (!e->name || e->lower || e->count < 3 || e->mid < 1)
            continue;
        long k = ref_match_known(known, e->name, &t);
        if (k == -2)
            continue;
        const char *name = k >= 0 ? known->v[k] : e->name;
        size_t j = 0;
        while (j < ns && strcasecmp(s[j].name, name) != 0)
            j++;
        if (j < ns) {
            s[j].count += e->count;
            continue;
        }
        s[ns].name = strdup(name);
        s[ns++].count = e->count;
    }
    if (ns > 1)
        qsort(s, ns, sizeof(*s), ref_sugg_cmp);
    const char *top[3] = {NULL, NULL, NULL};
    int topc[3] = {0, 0, 0}, ntop = 0;
    for (size_t i = 0; i < ns && chars->n < 10; i++) {
        if (ntop < 3) {
            top[ntop] = s[i].name;
            topc[ntop++] = s[i].count;
        }
        strlist_add_unique(chars, s[i].name);
    }
    if (ntop >= 2 && topc[1] >= 10 && topc[1] >= topc[2] * 2) {
        char rel[256], rev[256];
        snprintf(rel, sizeof(rel), "%s/%s", top[0], top[1]);
        snprintf(rev, sizeof(rev), "%s/%s", top[1], top[0]);
        const char *use = rel;
        for (size_t i = 0; known_rels && i < known_rels->n; i++)
            if (strcasecmp(known_rels->v[i], rel) == 0 || strcasecmp(known_rels->v[i], rev) == 0) {
                use = known_rels->v[i];
                break;
            }
        strlist_add_unique(rels, use);
    }
    for (size_t i = 0; i < ns; i++)
        free(s[i].name);
    free(s);
    for (size_t i = 0; i < t.cap; i++)
        free(t.v[i].name);
    free(t.v);
}

static void same_list(const struct strlist *a, const struct strlist *b, const char *text)
{
    int same = a->n == b->n;
    for (size_t i = 0; same && i < a->n; i++)
        same = !strcmp(a->v[i], b->v[i]);
    if (!same) {
        fprintf(stderr, "suggestions differ on [%.300s]\n  got:", text);
        for (size_t i = 0; i < a->n; i++)
            fprintf(stderr, " [%s]", a->v[i]);
        fprintf(stderr, "\n  want:");
        for (size_t i = 0; i < b->n; i++)
            fprintf(stderr, " [%s]", b->v[i]);
        fprintf(stderr, "\n");
    }
    assert_true(same);
}

static void test_suggestions(void **state)
{
    (void)state;
    /* names, some also written in lower case, with possessives and honorifics; a vocabulary
     * large enough for the word table to grow several times */
    static const char *const names[] = {"Harry",      "Hermione",   "Ron",
                                        "Draco",      "Mira",       "Mira-chan",
                                        "Sasuke-kun", "Naruto",     "Jean-Luc",
                                        "O'Neil",     "Zo\xC3\xAB", "\xC3\x89lodie",
                                        "Kiran",      "Harry's",    "Harry\xE2\x80\x99s",
                                        "Draco-san",  "Vale",       "Nerissa",
                                        "Tom",        "Tomas",      "ALLCAPS",
                                        "I'm",        "Mr",         "The",
                                        "Rose",       "Will",       "Hope",
                                        "Mark",       "Amber",      "Lee",
                                        "Li",         "X",          "Ab",
                                        "Sakura",     "Haruno",     "Kakashi-sensei",
                                        "Anne-Marie", "Bo",         "Cy",
                                        "Dee"};
    static const char *const lower[] = {"rose",       "will", "hope", "mark", "amber", "the",
                                        "and",        "she",  "he",   "was",  "said",  "don't",
                                        "well-known", "x",    "a",    "its",  "harry"};
    static const char *const punct[] = {" ",
                                        " ",
                                        " ",
                                        ". ",
                                        ", ",
                                        "! ",
                                        "? ",
                                        "\n",
                                        "\n\n",
                                        "\xE2\x80\x9C",
                                        "\xE2\x80\x9D",
                                        "\xE2\x80\xA6 ",
                                        ": ",
                                        "\"",
                                        " - ",
                                        "'",
                                        "\xE2\x80\x99",
                                        "-",
                                        " \xE6\x97\xA5 "};
    struct strlist known, known_rels;
    strlist_init(&known);
    strlist_init(&known_rels);
    strlist_add(&known, "Harry Potter");
    strlist_add(&known, "Draco Malfoy (Harry Potter)");
    strlist_add(&known, "Mira");
    strlist_add(&known, "Haruno Sakura");
    strlist_add(&known, "Rose Tyler");
    strlist_add(&known, "Rose Weasley");
    strlist_add_unique(&known_rels, "Draco Malfoy (Harry Potter)/Harry Potter");
    static char text[1 << 17];
    for (int round = 0; round < 400; round++) {
        size_t vocab = round % 4 == 0 ? 4000 : round % 4 == 1 ? 600 : 100;
        size_t ntok = 50 + rnd(round % 5 == 0 ? 12000 : 2000);
        size_t n = 0;
        int nnames = 2 + (int)rnd(sizeof(names) / sizeof(names[0]) - 2);
        for (size_t k = 0; k < ntok && n + 80 < sizeof(text); k++) {
            unsigned r = rnd(100);
            if (r < 15) {
                n += (size_t)snprintf(text + n, 80, "%s", names[rnd((unsigned)nnames)]);
            } else if (r < 20) {
                n += (size_t)snprintf(text + n, 80, "%s",
                                      lower[rnd(sizeof(lower) / sizeof(lower[0]))]);
            } else if (r < 55) {
                /* a pseudo-word of the vocabulary, now and then capitalised */
                unsigned v = rnd((unsigned)vocab), cap = rnd(30) == 0;
                char w[16];
                size_t wl = 0;
                do {
                    w[wl++] = (char)('a' + v % 26);
                    v /= 26;
                } while (v && wl < 6);
                w[wl] = (char)('a' + wl % 5);
                wl++;
                if (cap)
                    w[0] = (char)toupper((unsigned char)w[0]);
                memcpy(text + n, w, wl);
                n += wl;
            } else {
                n += (size_t)snprintf(text + n, 80, "%s",
                                      punct[rnd(sizeof(punct) / sizeof(punct[0]))]);
            }
        }
        text[n] = '\0';
        int use_known = round % 3 == 0;
        struct work w;
        work_init(&w);
        struct ms_opts o;
        memset(&o, 0, sizeof(o));
        o.known_characters = &known;
        o.known_relationships = &known_rels;
        struct ms_ctx c;
        memset(&c, 0, sizeof(c));
        c.w = &w;
        c.o = use_known ? &o : NULL;
        assert_int_equal(ms_suggest_plain(&c, text, n, 1), 0);
        struct strlist chars, rels;
        strlist_init(&chars);
        strlist_init(&rels);
        ref_suggest(text, n, use_known ? &known : NULL, use_known ? &known_rels : NULL, &chars,
                    &rels);
        same_list(&w.sugg_characters, &chars, text);
        same_list(&w.sugg_relationships, &rels, text);
        char *lang = ms_detect_language(text, n);
        assert_true((!lang && !w.language) || (lang && w.language && !strcmp(lang, w.language)));
        free(lang);
        strlist_free(&chars);
        strlist_free(&rels);
        work_free(&w);
    }
    strlist_free(&known);
    strlist_free(&known_rels);
}

/* Word tables that end exactly half full (512, 1024, 2048 distinct words) with or without
 * a lookup after the last new word: the replaced table grew on that lookup, which reorders
 * the candidates; and equal counts everywhere, so the order is all there is to compare. */
static void test_suggestions_at_growth(void **state)
{
    (void)state;
    static const char *const names[] = {"Alder",  "Birch", "Cedar", "Dogwood", "Elm",   "Fir",
                                        "Ginkgo", "Hazel", "Ivy",   "Juniper", "Kapok", "Larch"};
    size_t nn = sizeof(names) / sizeof(names[0]);
    static char text[1 << 16];
    for (size_t target = 500; target <= 2060; target++) {
        if (!((target >= 508 && target <= 516) || (target >= 1020 && target <= 1028) ||
              (target >= 2044 && target <= 2052)))
            continue;
        for (int tail = 0; tail < 3; tail++) {
            size_t n = 0, distinct = 0;
            /* the names, each three times mid-sentence: "and Alder said" */
            for (int rep = 0; rep < 3; rep++)
                for (size_t k = 0; k < nn; k++)
                    n += (size_t)snprintf(text + n, 64, "and %s said. ", names[k]);
            distinct = nn + 2; /* "and", "said" */
            for (unsigned v = 0; distinct < target; v++, distinct++) {
                char w[16];
                size_t wl = 0;
                unsigned x = v;
                do {
                    w[wl++] = (char)('a' + x % 26);
                    x /= 26;
                } while (x);
                memcpy(w + wl, "qz ", 3);
                memcpy(text + n, w, wl + 3);
                n += wl + 3;
            }
            if (tail == 1)
                n += (size_t)snprintf(text + n, 64, "and"); /* a lookup last */
            else if (tail == 2)
                n += (size_t)snprintf(text + n, 64, "%s", names[0]); /* a name lookup last */
            text[n] = '\0';
            struct work w;
            work_init(&w);
            struct ms_ctx c;
            memset(&c, 0, sizeof(c));
            c.w = &w;
            assert_int_equal(ms_suggest_plain(&c, text, n, 0), 0);
            struct strlist chars, rels;
            strlist_init(&chars);
            strlist_init(&rels);
            ref_suggest(text, n, NULL, NULL, &chars, &rels);
            assert_int_equal(chars.n, 10);
            same_list(&w.sugg_characters, &chars, text);
            same_list(&w.sugg_relationships, &rels, text);
            strlist_free(&chars);
            strlist_free(&rels);
            work_free(&w);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collapse_and_chars),
        cmocka_unit_test(test_rule_lines),
        cmocka_unit_test(test_inline),
        cmocka_unit_test(test_wordcount),
        cmocka_unit_test(test_language_fused),
        cmocka_unit_test(test_suggestions),
        cmocka_unit_test(test_suggestions_at_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
