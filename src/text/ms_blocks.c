/* ms_blocks.c: plain text and Markdown into blocks; chapter headings, end markers; plain text
 * paragraphs (hard-wrapped or not) and *emphasis* rendered through the escaping writer. */
#include "text/ms_int.h"
#include "core/swar.h"
#include "core/err.h"
#include "core/html.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ms_doc_free(struct ms_doc *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->b[i].text);
        free(d->b[i].raw);
        free(d->b[i].chtitle);
    }
    free(d->b);
    memset(d, 0, sizeof(*d));
}

struct ms_block *ms_doc_add(struct ms_doc *d)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        struct ms_block *b = realloc(d->b, cap * sizeof(*b));
        if (!b)
            return NULL;
        d->b = b;
        d->cap = cap;
    }
    struct ms_block *b = &d->b[d->n++];
    memset(b, 0, sizeof(*b));
    return b;
}

/* One line of the input: where it starts, its trimmed form and its length in characters. */
struct ms_line {
    const char *p;
    size_t n;
    const char *t; /* trimmed, whitespace collapsed, NUL-terminated (in the lines' arena) */
    size_t tn;     /* bytes of t */
    size_t chars;
    int indented;
    int rule; /* ms_is_rule_line(t); -1 until asked */
};

/* The lines of s (n bytes): one array and one arena holding every trimmed line, so a line
 * costs no allocation of its own. Free with free_lines. */
struct ms_lines {
    struct ms_line *v;
    size_t k;
    char *arena;
};

static int split_lines(const char *s, size_t n, struct ms_lines *out)
{
    size_t nl = 0;
    for (const char *q = s; (q = memchr(q, '\n', n - (size_t)(q - s))) != NULL; q++)
        nl++;
    /* at most nl + 1 lines, each trimmed into no more than its own bytes plus a NUL */
    struct ms_line *v = malloc((nl + 1) * sizeof(*v));
    char *arena = malloc(n + nl + 1);
    if (!v || !arena) {
        free(v);
        free(arena);
        return FICD_ENOMEM;
    }
    size_t k = 0;
    char *d = arena;
    for (size_t i = 0; i <= n;) {
        const char *nlp = i < n ? memchr(s + i, '\n', n - i) : NULL;
        size_t e = nlp ? (size_t)(nlp - s) : n;
        if (i == n && e == n && k > 0)
            break;
        struct ms_line *l = &v[k++];
        l->p = s + i;
        l->n = e - i;
        l->t = d;
        l->tn = ms_collapse_into(d, s + i, e - i);
        d[l->tn] = '\0';
        d += l->tn + 1;
        l->chars = ms_chars(l->t, l->tn);
        l->indented = e > i && (s[i] == ' ' || s[i] == '\t');
        l->rule = -1;
        i = e + 1;
        if (!nlp)
            break;
    }
    out->v = v;
    out->k = k;
    out->arena = arena;
    return 0;
}

static void free_lines(struct ms_lines *ls)
{
    free(ls->v);
    free(ls->arena);
}

static int line_rule(struct ms_line *l)
{
    if (l->rule < 0)
        l->rule = ms_is_rule_line(l->t);
    return l->rule;
}

/* Adds a block made of lines [a, b) (text joined with '\n'; raw source kept when keep_raw). */
static int add_block(struct ms_doc *d, struct ms_line *L, size_t a, size_t b, int keep_raw)
{
    size_t len = b - a - 1;
    for (size_t i = a; i < b; i++)
        len += L[i].tn;
    char *text = malloc(len + 1);
    /* the source lines are consecutive, '\n' between them: the raw block is one span */
    size_t rawlen = (size_t)(L[b - 1].p + L[b - 1].n - L[a].p);
    char *raw = keep_raw ? malloc(rawlen + 1) : NULL;
    struct ms_block *blk = text && (raw || !keep_raw) ? ms_doc_add(d) : NULL;
    if (!blk) {
        free(text);
        free(raw);
        return FICD_ENOMEM;
    }
    char *t = text;
    for (size_t i = a; i < b; i++) {
        if (i > a)
            *t++ = '\n';
        memcpy(t, L[i].t, L[i].tn);
        t += L[i].tn;
    }
    *t = '\0';
    if (raw) {
        memcpy(raw, L[a].p, rawlen);
        raw[rawlen] = '\0';
    }
    blk->text = text;
    blk->raw = raw;
    blk->line = (int)a + 1;
    blk->nlines = (int)(b - a);
    if (b - a == 1 && line_rule(&L[a]))
        blk->kind = MSB_BREAK;
    return 0;
}

/* Hard wrapping: most lines that continue a paragraph are 45-85 characters long and few are
 * longer, as when an editor wrapped the text at a fixed column. */
static int detect_wrapped(struct ms_line *L, size_t k)
{
    size_t cont = 0, mid = 0, longer = 0;
    for (size_t i = 0; i + 1 < k; i++) {
        if (!*L[i].t || !*L[i + 1].t)
            continue;
        cont++;
        if (L[i].chars >= 45 && L[i].chars <= 85)
            mid++;
        else if (L[i].chars > 90)
            longer++;
    }
    return cont >= 3 && mid * 10 >= cont * 6 && longer * 10 <= cont;
}

/* Plain text into blocks. Paragraphs are separated by blank lines; a run of long unwrapped
 * lines with no blank lines between them is one paragraph per line; in hard-wrapped text an
 * indented line, or the line after a short sentence-ending line, starts a paragraph; a
 * scene-break line always stands alone. */
int ms_blocks_text(struct ms_doc *d, const char *s, size_t n)
{
    struct ms_lines ls;
    int rc = split_lines(s, n, &ls);
    if (rc)
        return rc;
    struct ms_line *L = ls.v;
    size_t k = ls.k;
    d->wrapped = detect_wrapped(L, k);
    for (size_t i = 0; i < k && rc == 0;) {
        if (!*L[i].t) {
            i++;
            continue;
        }
        size_t e = i;
        size_t maxlen = 0;
        while (e < k && *L[e].t) {
            if (e + 1 < k && *L[e + 1].t && L[e].chars > maxlen)
                maxlen = L[e].chars;
            e++;
        }
        int per_line = !d->wrapped && e - i >= 2 && maxlen > 100;
        size_t a = i;
        for (size_t j = i; j < e && rc == 0; j++) {
            int rule = line_rule(&L[j]);
            int cut_before =
                j > a && (per_line || rule || line_rule(&L[j - 1]) ||
                          (d->wrapped && (L[j].indented ||
                                          (L[j - 1].chars < 40 && ms_ends_sentence(L[j - 1].t)))));
            if (cut_before) {
                rc = add_block(d, L, a, j, 0);
                a = j;
            }
        }
        if (rc == 0)
            rc = add_block(d, L, a, e, 0);
        i = e;
    }
    free_lines(&ls);
    return rc;
}

static int md_fence(const char *t)
{
    return strncmp(t, "```", 3) == 0 || strncmp(t, "~~~", 3) == 0;
}

static int md_heading(const char *t)
{
    int h = 0;
    while (t[h] == '#')
        h++;
    return h >= 1 && h <= 6 && (t[h] == ' ' || t[h] == '\0') ? h : 0;
}

/* Markdown into blocks: blank-line separated, fenced code kept whole (opaque), ATX headings
 * and setext headings as their own blocks with hlevel set and text without the markers.
 * first_line is the line number of s in the file. */
int ms_blocks_markdown(struct ms_doc *d, const char *s, size_t n, int first_line)
{
    struct ms_lines ls;
    int rc = split_lines(s, n, &ls);
    if (rc)
        return rc;
    struct ms_line *L = ls.v;
    size_t k = ls.k;
    size_t start = d->n;
    for (size_t i = 0; i < k && rc == 0;) {
        if (!*L[i].t) {
            i++;
            continue;
        }
        if (md_fence(L[i].t)) {
            size_t e = i + 1;
            while (e < k && !md_fence(L[e].t))
                e++;
            e = e < k ? e + 1 : k;
            rc = add_block(d, L, i, e, 1);
            if (rc == 0)
                d->b[d->n - 1].kind = MSB_OPAQUE;
            i = e;
            continue;
        }
        int h = md_heading(L[i].t);
        if (h) {
            rc = add_block(d, L, i, i + 1, 1);
            if (rc == 0) {
                struct ms_block *b = &d->b[d->n - 1];
                char *t = b->text + h;
                size_t tl = strlen(t);
                while (tl > 0 && (t[tl - 1] == '#' || t[tl - 1] == ' '))
                    tl--;
                char *nt = ms_strndup_trim(t, tl);
                if (!nt) {
                    rc = FICD_ENOMEM;
                    break;
                }
                free(b->text);
                b->text = nt;
                b->hlevel = h;
                b->kind = MSB_PARA;
            }
            i++;
            continue;
        }
        size_t e = i;
        while (e < k && *L[e].t && !md_heading(L[e].t) && !md_fence(L[e].t))
            e++;
        /* setext heading: text lines underlined with === or --- */
        size_t last = e - 1;
        if (e - i >= 2 && strspn(L[last].t, "=") == strlen(L[last].t)) {
            rc = add_block(d, L, i, last, 1);
            if (rc == 0)
                d->b[d->n - 1].hlevel = 1;
        } else {
            rc = add_block(d, L, i, e, 1);
        }
        i = e;
    }
    for (size_t j = start; j < d->n; j++)
        d->b[j].line += first_line - 1;
    free_lines(&ls);
    return rc;
}

static const char *const num_ones[] = {"zero",    "one",     "two",       "three",    "four",
                                       "five",    "six",     "seven",     "eight",    "nine",
                                       "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                                       "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
static const char *const num_tens[] = {"twenty", "thirty",  "forty",  "fifty",
                                       "sixty",  "seventy", "eighty", "ninety"};

/* Length of a word-number at s ("seven", "Twenty-One", "forty two"), 0 if none. */
static size_t number_word(const char *s)
{
    for (int t = 0; t < 8; t++) {
        size_t l = strlen(num_tens[t]);
        if (strncasecmp(s, num_tens[t], l) == 0 && !isalpha((unsigned char)s[l])) {
            if (s[l] == '-' || s[l] == ' ')
                for (int o = 1; o < 10; o++) {
                    size_t m = strlen(num_ones[o]);
                    if (strncasecmp(s + l + 1, num_ones[o], m) == 0 &&
                        !isalpha((unsigned char)s[l + 1 + m]))
                        return l + 1 + m;
                }
            return l;
        }
    }
    for (int o = 19; o >= 1; o--) {
        size_t l = strlen(num_ones[o]);
        if (strncasecmp(s, num_ones[o], l) == 0 && !isalpha((unsigned char)s[l]))
            return l;
    }
    return 0;
}

/* Length of a Roman numeral at s (I to MMM..., validated by re-encoding), 0 if none. */
static size_t roman(const char *s)
{
    static const char *const syms[] = {"M",  "CM", "D",  "CD", "C",  "XC", "L",
                                       "XL", "X",  "IX", "V",  "IV", "I"};
    size_t l = strspn(s, "IVXLCDMivxlcdm");
    if (l == 0 || l > 12 || isalnum((unsigned char)s[l]))
        return 0;
    /* must use one case throughout */
    int up = !!isupper((unsigned char)s[0]);
    for (size_t i = 0; i < l; i++)
        if (!!isupper((unsigned char)s[i]) != up)
            return 0;
    static const int vals[] = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
    int v = 0;
    for (size_t i = 0; i < l; i++) {
        int c = toupper((unsigned char)s[i]);
        int a = c == 'I'   ? 1
                : c == 'V' ? 5
                : c == 'X' ? 10
                : c == 'L' ? 50
                : c == 'C' ? 100
                : c == 'D' ? 500
                           : 1000;
        int nx = 0;
        if (i + 1 < l) {
            int d = toupper((unsigned char)s[i + 1]);
            nx = d == 'I'   ? 1
                 : d == 'V' ? 5
                 : d == 'X' ? 10
                 : d == 'L' ? 50
                 : d == 'C' ? 100
                 : d == 'D' ? 500
                            : 1000;
        }
        v += a < nx ? -a : a;
    }
    if (v <= 0 || v > 3999)
        return 0;
    char enc[32] = "";
    for (int i = 0; i < 13; i++)
        while (v >= vals[i]) {
            strcat(enc, syms[i]);
            v -= vals[i];
        }
    return strlen(enc) == l && strncasecmp(enc, s, l) == 0 ? l : 0;
}

/* Strips decoration around a heading: ~ * = _ # [ ] < > | • and spaces. */
static char *strip_decor(const char *line)
{
    static const char dec[] = " ~*=_#[]<>|";
    size_t a = 0, b = strlen(line);
    for (;;) {
        if (a < b && strchr(dec, line[a]))
            a++;
        else if (a + 2 < b && memcmp(line + a, "\xE2\x80\xA2", 3) == 0)
            a += 3;
        else
            break;
    }
    for (;;) {
        if (b > a && strchr(dec, line[b - 1]))
            b--;
        else if (b >= a + 3 && memcmp(line + b - 3, "\xE2\x80\xA2", 3) == 0)
            b -= 3;
        else
            break;
    }
    /* "- Chapter 2 -": a dash with a space on the inner side */
    if (b - a > 4 && line[a] == '-' && line[a + 1] == ' ' && line[b - 1] == '-' &&
        line[b - 2] == ' ') {
        a += 2;
        b -= 2;
    }
    return ms_strndup_trim(line + a, b - a);
}

/* Separator after a chapter number: ':' '.' '-' '–' '—' '|' '~' ','; returns its length. */
static size_t heading_sep(const char *s)
{
    if (*s == ':' || *s == '.' || *s == '-' || *s == '|' || *s == '~' || *s == ',')
        return s[0] == '-' && s[1] == '-' ? 2 : 1;
    if (strncmp(s, "\xE2\x80\x93", 3) == 0 || strncmp(s, "\xE2\x80\x94", 3) == 0)
        return 3;
    return 0;
}

/* A chapter heading line: "Chapter 1", "Chapter 1: Title", "Chapter One - Title",
 * "CHAPTER II", "Ch. 3", "Chap 4", "Part 2: Title", "Prologue", "Epilogue: Title",
 * "Interlude". Returns 1 and the chapter's title in *title (NULL when untitled; "Prologue",
 * "Epilogue", "Interlude" are titles themselves), 0 when the line is not a heading. */
int ms_chapter_heading(const char *line, char **title)
{
    *title = NULL;
    size_t len = strlen(line);
    /* more than 480 bytes is more than 120 characters */
    if (len > 480 || ms_chars(line, len) > 120 || ms_words(line) > 16 || ms_is_quote_start(line))
        return 0;
    char *t = strip_decor(line);
    if (!t)
        return 0;
    static const char *const named[] = {"prologue", "epilogue", "interlude", "afterword",
                                        "prolog",   "epilog",   NULL};
    for (int i = 0; named[i]; i++) {
        size_t l = strlen(named[i]);
        if (strncasecmp(t, named[i], l) == 0 && !isalpha((unsigned char)t[l])) {
            const char *r = t + l;
            while (*r == ' ')
                r++;
            size_t sl = heading_sep(r);
            if (*r && !sl) {
                free(t);
                return 0;
            }
            r += sl;
            while (*r == ' ')
                r++;
            struct buf b = BUF_INIT;
            buf_putc(&b, (char)toupper((unsigned char)t[0]));
            for (size_t k = 1; k < l; k++)
                buf_putc(&b, (char)tolower((unsigned char)t[k]));
            if (*r) {
                buf_puts(&b, ": ");
                buf_puts(&b, r);
            }
            free(t);
            *title = buf_take(&b);
            return 1;
        }
    }
    static const char *const kw[] = {"chapter", "chap.", "chap", "ch.", "ch", "part", NULL};
    const char *p = NULL;
    for (int i = 0; kw[i]; i++) {
        size_t l = strlen(kw[i]);
        if (strncasecmp(t, kw[i], l) == 0 &&
            (t[l] == ' ' || (t[l - 1] == '.' && t[l]) || isdigit((unsigned char)t[l]))) {
            p = t + l;
            break;
        }
    }
    if (!p) {
        free(t);
        return 0;
    }
    while (*p == ' ')
        p++;
    if (*p == '#')
        p++;
    size_t nl = strspn(p, "0123456789");
    if (nl == 0 || nl > 5)
        nl = number_word(p);
    if (nl == 0)
        nl = roman(p);
    if (nl == 0 || isalnum((unsigned char)p[nl])) {
        free(t);
        return 0;
    }
    const char *r = p + nl;
    while (*r == ' ')
        r++;
    int ok = 1;
    const char *ts = NULL;
    size_t tl = 0;
    if (*r) {
        size_t sl = heading_sep(r);
        if (sl) {
            ts = r + sl;
        } else if (*r == '(') {
            ts = r + 1;
            tl = strlen(ts);
            if (tl && ts[tl - 1] == ')')
                tl--;
        } else if (r > p + nl &&
                   (isupper((unsigned char)*r) || (unsigned char)*r >= 0x80 || *r == '"') &&
                   !ms_ends_sentence(r) && ms_words(r) <= 10) {
            ts = r;
        } else {
            ok = 0;
        }
    }
    if (ok && ts) {
        while (*ts == ' ')
            ts++;
        if (!tl)
            tl = strlen(ts);
        char *tt = ms_strndup_trim(ts, tl);
        if (tt && *tt) {
            *title = tt;
        } else {
            free(tt);
            if (!tt)
                ok = 0;
        }
    }
    free(t);
    return ok;
}

/* A closing marker line: 1 for "The End." / "Fin" / "END" (with any decoration), 2 for "To be
 * continued" / "TBC", 3 for "End of chapter ...", 0 otherwise. */
int ms_end_marker(const char *s)
{
    if (strchr(s, '\n') || ms_chars(s, strlen(s)) > 40)
        return 0;
    char k[48];
    size_t j = 0;
    for (const char *p = s; *p && j + 1 < sizeof(k); p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c))
            k[j++] = (char)tolower(c);
        else if ((c == ' ' || c == '-') && j > 0 && k[j - 1] != ' ')
            k[j++] = ' ';
    }
    while (j > 0 && k[j - 1] == ' ')
        j--;
    k[j] = '\0';
    if (!strcmp(k, "the end") || !strcmp(k, "fin") || !strcmp(k, "end") || !strcmp(k, "finis") ||
        !strcmp(k, "the very end"))
        return 1;
    if (!strcmp(k, "to be continued") || !strcmp(k, "tbc") || !strcmp(k, "continued"))
        return 2;
    if (!strncmp(k, "end of chapter", 14) || !strncmp(k, "end chapter", 11) ||
        !strncmp(k, "end of part", 11))
        return 3;
    return 0;
}

/* Nonzero when one of the eight bytes at p is a, b or c (the exact "has a zero byte" test on
 * x ^ a, x ^ b, x ^ c). */
static inline uint64_t any_of3(const char *p, char a, char b, char c)
{
    uint64_t x = swar_load(p);
    return swar_zero(x ^ (SWAR_ONES * (unsigned char)a)) |
           swar_zero(x ^ (SWAR_ONES * (unsigned char)b)) |
           swar_zero(x ^ (SWAR_ONES * (unsigned char)c));
}

static int is_alnum_byte(const char *s, size_t n, size_t i)
{
    return i < n && isalnum((unsigned char)s[i]);
}

static int is_space_byte(const char *s, size_t n, size_t i)
{
    return i >= n || s[i] == ' ' || s[i] == '\n' || s[i] == '\t';
}

/* Finds the closing delimiter (dl bytes of ch) for an opener ending at i; -1 if none. */
static long find_closer(const char *s, size_t n, size_t i, char ch, size_t dl)
{
    for (size_t j = i + 1; j + dl <= n; j++) {
        if (s[j] == '\n' && j + 1 < n && s[j + 1] == '\n')
            return -1;
        if (s[j] != ch)
            continue;
        size_t run = 0;
        while (j + run < n && s[j + run] == ch)
            run++;
        if (run == dl && !is_space_byte(s, n, j - 1) && !is_alnum_byte(s, n, j + dl))
            return (long)j;
        j += run - 1;
    }
    return -1;
}

/* Plain text with emphasis to HTML: **strong**, *em*, _em_ (an opener follows a non-word
 * character and precedes a non-space; the closer mirrors it, so snake_case, "5 * 3" and lone
 * asterisks stay as typed). Newlines become <br>. Everything else is escaped. */
void ms_inline(struct buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        /* eight bytes at a time past those that are none of '\n' '*' '_' */
        while (i + 8 <= n && !any_of3(s + i, '\n', '*', '_'))
            i += 8;
        if (i >= n)
            break;
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
            int opener = dl && (i == 0 || !is_alnum_byte(s, n, i - 1)) &&
                         (i == 0 || s[i - 1] != c) && !is_space_byte(s, n, i + dl);
            long j = opener ? find_closer(s, n, i + dl - 1, c, dl) : -1;
            if (j > (long)(i + dl)) {
                html_textn(out, s + run, i - run);
                if (dl == 2)
                    html_lit(out, "<strong>");
                else
                    html_lit(out, "<em>");
                ms_inline(out, s + i + dl, (size_t)j - i - dl);
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

/* One plain-text block as HTML: a scene break as <hr>; otherwise a paragraph whose lines are
 * joined with spaces when they were hard-wrapped (the document is, or this paragraph's lines
 * are all 55+ characters), else kept as lines with <br> (verse, lyrics, letters). */
void ms_render_text_block(struct buf *out, const struct ms_block *b, int wrapped)
{
    if (b->kind == MSB_BREAK) {
        html_lit(out, "<hr>");
        return;
    }
    const char *t = b->text;
    size_t n = strlen(t);
    int join = 0;
    if (b->nlines > 1) {
        size_t lines = 0, longish = 0, wide = 0;
        for (const char *p = t; *p;) {
            const char *e = strchr(p, '\n');
            if (!e)
                break; /* the last line does not count */
            size_t c = ms_chars(p, (size_t)(e - p));
            lines++;
            longish += c >= 45;
            wide += c >= 55;
            p = e + 1;
        }
        join = (wrapped && longish * 2 >= lines) || wide == lines;
    }
    html_lit(out, "<p>");
    if (join) {
        char *j = strdup(t);
        if (!j) {
            out->err = FICD_ENOMEM;
            return;
        }
        for (char *p = j; *p; p++)
            if (*p == '\n')
                *p = ' ';
        ms_inline(out, j, n);
        free(j);
    } else {
        ms_inline(out, t, n);
    }
    html_lit(out, "</p>");
}
