/* ms_util.c: small string helpers of the manuscript importer (trimming, case, UTF-8 steps). */
#include "text/ms_int.h"
#include "core/swar.h"
#include "core/err.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Steps over the UTF-8 character at *i (of s, n bytes) and returns its code point (a lone
 * byte when malformed; decode.c guarantees well-formed input). */
int ms_utf8_next(const char *s, size_t n, size_t *i)
{
    return ms_utf8_step(s, n, i);
}

/* Whitespace for the importer: ASCII space/tab/newline and the no-break spaces. */
static size_t ws_len(const char *s, size_t n)
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

/* Bytes that may start whitespace: 1 for the ASCII ones (always whitespace), 2 for the lead
 * bytes of the no-break spaces (whitespace when ws_len says so). */
static const unsigned char ws_lead[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, [0xC2] = 2, [0xE2] = 2, [0xE3] = 2, [0xEF] = 2,
};

#if SWAR_LE

/* Whether the eight bytes at s, following a character just written, are copied as they are:
 * ASCII without tab or newline, no two spaces in a row, not ending in a space (so every
 * space among them is a single one followed by a character). */
static inline int plain8(const char *s)
{
    uint64_t x = swar_load(s);
    uint64_t sp = swar_eq(x, ' ');
    return !((x & SWAR_HIGHS) | swar_eq(x, '\t') | swar_eq(x, '\n') | (sp & (sp << 8)) |
             (sp >> 63));
}
#endif

size_t ms_collapse_into(char *dst, const char *s, size_t n)
{
    char *d = dst;
    int pending = 0, any = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        unsigned k = ws_lead[c];
        if (k) {
            size_t w = k == 1 ? 1 : ws_len(s + i, n - i);
            if (w) {
                pending = 1;
                i += w;
                continue;
            }
        }
        if (pending && any)
            *d++ = ' ';
        pending = 0;
        any = 1;
        *d++ = (char)c;
        i++;
#if SWAR_LE
        for (; i + 8 <= n && plain8(s + i); i += 8, d += 8)
            memcpy(d, s + i, 8);
#endif
        /* the rest of the run up to a byte that may start whitespace */
        for (; i < n && !ws_lead[(unsigned char)s[i]]; i++)
            *d++ = s[i];
    }
    return (size_t)(d - dst);
}

/* Appends s (n bytes) with runs of whitespace (no-break spaces included) as one space and no
 * leading or trailing whitespace. */
void ms_collapse_ws(struct buf *out, const char *s, size_t n)
{
    if (buf_grow(out, n)) /* the result is never longer than s */
        return;
    out->len += ms_collapse_into(out->data + out->len, s, n);
    out->data[out->len] = '\0';
}

char *ms_strndup_trim(const char *s, size_t n)
{
    char *t = malloc(n + 1);
    if (!t)
        return NULL;
    t[ms_collapse_into(t, s, n)] = '\0';
    return t;
}

int ms_starts_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* ASCII lower-casing, as tolower does it in the C locale ficd runs in. */
static inline unsigned char fold_ascii(unsigned char c)
{
    return (unsigned char)((unsigned)c - 'A' < 26u ? c + 32 : c);
}

/* strcasestr in the C locale (ASCII letters folded, other bytes compared as they are), without
 * its per-call set-up: the needles are short phrases and the haystacks paragraphs. */
const char *ms_find_ci(const char *hay, const char *needle)
{
    unsigned char c0 = fold_ascii((unsigned char)needle[0]);
    if (!c0)
        return hay;
    int letter = (unsigned)c0 - 'a' < 26u;
    for (const unsigned char *p = (const unsigned char *)hay; *p; p++) {
        if (letter ? (*p | 0x20u) != c0 : *p != c0)
            continue;
        size_t i = 1;
        while (needle[i] && fold_ascii(p[i]) == fold_ascii((unsigned char)needle[i]))
            i++;
        if (!needle[i])
            return (const char *)p;
    }
    return NULL;
}

void ms_phrases_build(struct ms_phrases *ps, const char *const *list)
{
    size_t n = 0;
    while (list[n])
        n++;
    ps->list = list;
    ps->n = n;
    /* the phrases' numbers bucketed by their folded first byte, in list order */
    size_t count[256] = {0};
    for (size_t i = 0; i < n; i++)
        count[fold_ascii((unsigned char)list[i][0])]++;
    unsigned short at = 0;
    for (int b = 0; b < 256; b++) {
        ps->start[b] = at;
        at = (unsigned short)(at + count[b]);
    }
    ps->start[256] = at;
    unsigned short fill[256];
    memcpy(fill, ps->start, sizeof(fill));
    for (size_t i = 0; i < n && i < MS_PHRASES_MAX; i++)
        ps->idx[fill[fold_ascii((unsigned char)list[i][0])]++] = (unsigned char)i;
}

int ms_phrases_in(const char *s, const struct ms_phrases *ps)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned b = fold_ascii(*p);
        for (unsigned k = ps->start[b]; k < ps->start[b + 1]; k++) {
            const char *ph = ps->list[ps->idx[k]];
            size_t i = 1;
            while (ph[i] && fold_ascii(p[i]) == fold_ascii((unsigned char)ph[i]))
                i++;
            if (!ph[i])
                return 1;
        }
    }
    return 0;
}

int ms_words(const char *s)
{
    int n = 0, in = 0;
    for (; *s; s++) {
        int sp = *s == ' ' || *s == '\t' || *s == '\n';
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

size_t ms_chars(const char *s, size_t n)
{
    /* n minus the continuation bytes (10xxxxxx), eight bytes at a time */
    size_t cont = 0, i = 0;
    for (; i + 8 <= n; i += 8)
        cont += swar_count(swar_utf8_cont(swar_load(s + i)));
    for (; i < n; i++)
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    return n - cont;
}

/* True when s starts with a quotation mark (straight, curly, guillemet, CJK bracket) or a
 * dialogue dash: such a line is speech, never a header or a note. */
int ms_is_quote_start(const char *s)
{
    static const char *const q[] = {
        "\"",          "'",        "\xE2\x80\x9C", "\xE2\x80\x98", "\xE2\x80\x9E",
        "\xC2\xAB",    "\xC2\xBB", "\xE3\x80\x8C", "\xE2\x80\x94", "\xE2\x80\x9D",
        "\xE2\x80\x99"};
    for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
        if (strncmp(s, q[i], strlen(q[i])) == 0)
            return 1;
    return 0;
}

/* True when s ends with sentence punctuation (possibly followed by closing quotes). */
int ms_ends_sentence(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        unsigned char c = (unsigned char)s[n - 1];
        if (c == '"' || c == '\'' || c == ')' || c == ' ')
            n--;
        else if (n >= 3 && (memcmp(s + n - 3, "\xE2\x80\x9D", 3) == 0 ||
                            memcmp(s + n - 3, "\xE2\x80\x99", 3) == 0))
            n -= 3;
        else
            break;
    }
    if (n == 0)
        return 0;
    char c = s[n - 1];
    if (c == '.' || c == '!' || c == '?' || c == ',' || c == ';')
        return 1;
    return n >= 3 && memcmp(s + n - 3, "\xE2\x80\xA6", 3) == 0; /* … */
}

/* A scene-break or separator line: only symbols and punctuation (no letters or digits, no
 * quotation marks, not just dots or ?!), or the traditional oOo / o0o / xXx ornaments.
 * Examples: "* * *", "***", "~*~", "-----", "___", "###", "+++", "§", "oOo", "xXx". */
int ms_is_rule_line(const char *s)
{
    size_t n = strlen(s), sym = 0, orn = 0, lower = 0, upper = 0, zero = 0, other = 0;
    /* more than 160 bytes is more than 40 characters; a first character that is an ASCII
     * letter or digit other than the ornaments' o, x, 0 makes any line prose */
    if (n == 0 || n > 160)
        return 0;
    size_t f = strspn(s, " \t");
    if (isalnum((unsigned char)s[f]) && !strchr("oxOX0", s[f]))
        return 0;
    if (ms_chars(s, n) > 40)
        return 0;
    if (strchr(s, '"') || strchr(s, '\'') || strstr(s, "\xE2\x80\x9C") ||
        strstr(s, "\xE2\x80\x9D") || strstr(s, "\xE2\x80\x98") || strstr(s, "\xE2\x80\x99"))
        return 0;
    for (size_t i = 0; i < n;) {
        size_t at = i;
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
        (void)at;
    }
    if (orn) /* ornaments need mixed case or a zero: "oOo", "o0o", "xXx", "~oOo~" */
        return orn + sym + other >= 3 && (zero || (lower && upper)) && !(zero && !lower && !upper);
    if (sym == 0)
        return 0;
    return 1;
}

static const char *const small_words[] = {"a",   "an",   "and", "as",   "at",  "but", "by",
                                          "for", "from", "in",  "into", "nor", "of",  "on",
                                          "or",  "the",  "to",  "with", "vs",  NULL};

/* AO3-style title case in place: each word (and each part of a hyphenated word) starts with a
 * capital, small words other than the first stay lower-case. Only ASCII letters change. */
void ms_title_case(char *s)
{
    int first = 1;
    char *p = s;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t len = (size_t)(p - w);
        int small = 0;
        for (int i = 0; small_words[i]; i++)
            if (strlen(small_words[i]) == len && strncasecmp(w, small_words[i], len) == 0)
                small = 1;
        for (char *q = w; q < p; q++) {
            if (q == w || q[-1] == '-' || q[-1] == '/' || q[-1] == '(')
                *q = (char)((small && !first && q == w) ? tolower((unsigned char)*q)
                                                        : toupper((unsigned char)*q));
        }
        first = 0;
    }
}

/* A title from the file name when the manuscript has none: the base name without extension,
 * '-', '_' and '.' as spaces, in title case ("grief-at-the-gates.txt" -> "Grief at the
 * Gates"). "Untitled" when there is no usable name. */
char *ms_title_from_filename(const char *path)
{
    if (!path || !*path)
        return strdup("Untitled");
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        char ch = base[i];
        buf_putc(&b, ch == '-' || ch == '_' || ch == '.' ? ' ' : ch);
    }
    char *raw = buf_take(&b);
    char *t = raw ? ms_strndup_trim(raw, strlen(raw)) : NULL;
    free(raw);
    if (!t)
        return NULL;
    if (!*t) {
        free(t);
        return strdup("Untitled");
    }
    for (char *q = t; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    ms_title_case(t);
    return t;
}

/* Splits v on any byte in seps (and on " and " / " & " when split_and) and adds each trimmed,
 * non-empty item to l (unique, case-insensitive). Returns 0 or FICD_ENOMEM. */
int ms_split_add(struct strlist *l, const char *v, const char *seps, int split_and)
{
    const char *p = v;
    while (*p) {
        size_t n = strcspn(p, seps);
        const char *a = NULL, *amp = NULL;
        if (split_and) {
            a = ms_find_ci(p, " and ");
            amp = strstr(p, " & ");
            if (a && (size_t)(a - p) >= n)
                a = NULL;
            if (amp && (size_t)(amp - p) >= n)
                amp = NULL;
            if (amp && (!a || amp < a))
                a = amp;
        }
        size_t len = a ? (size_t)(a - p) : n;
        char *item = ms_strndup_trim(p, len);
        if (!item)
            return FICD_ENOMEM;
        size_t il = strlen(item);
        while (il > 0 && (item[il - 1] == '.' || item[il - 1] == '*' || item[il - 1] == '_'))
            item[--il] = '\0';
        int rc = *item ? strlist_add_unique(l, item) : 0;
        free(item);
        if (rc)
            return rc;
        if (a)
            p = a + (a[1] == '&' ? 3 : 5);
        else
            p += n + (p[n] ? 1 : 0);
    }
    return 0;
}

/* Appends a paragraph of note text to *dst (blank line between paragraphs). */
void ms_note_add(char **dst, const char *text)
{
    if (!text || !*text)
        return;
    struct buf b = BUF_INIT;
    if (*dst && **dst) {
        buf_puts(&b, *dst);
        buf_puts(&b, "\n\n");
    }
    buf_puts(&b, text);
    char *s = buf_take(&b);
    if (s) {
        free(*dst);
        *dst = s;
    }
}
