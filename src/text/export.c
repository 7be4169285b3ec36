/* export.c: a work out as plain text, Markdown with YAML front matter, or one HTML page; the
 * format names, MIME types and file-name slugs; the metadata rows every format shows. */
#include "text/export.h"
#include "core/err.h"
#include "core/html.h"
#include "text/export_int.h"
#include "text/sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <utf8proc.h>

#define SLUG_MAX 60

static const char *const format_names[] = {"txt", "md", "html", "epub"};
static const char *const format_mimes[] = {"text/plain; charset=utf-8",
                                           "text/markdown; charset=utf-8",
                                           "text/html; charset=utf-8", "application/epub+zip"};

int export_format_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < 4; i++)
        if (!strcasecmp(name, format_names[i]))
            return i;
    if (!strcasecmp(name, "markdown"))
        return EXPORT_MD;
    return -1;
}

const char *export_format_ext(enum export_format f)
{
    return (unsigned)f < 4 ? format_names[f] : "txt";
}

const char *export_format_mime(enum export_format f)
{
    return (unsigned)f < 4 ? format_mimes[f] : "application/octet-stream";
}

static int is_ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Builds the slug from the title with accents stripped (NFKD without marks, so "Ça" gives
 * "Ca"): ASCII letters and digits kept, every other run becomes one '_' between words; a
 * title too long is cut at a word boundary (mid-word only when the first word is too long). */
char *export_slug(const char *title)
{
    utf8proc_uint8_t *folded = NULL;
    const char *src = title ? title : "";
    if (utf8proc_map((const utf8proc_uint8_t *)src, 0, &folded,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                         UTF8PROC_STRIPMARK) >= 0)
        src = (const char *)folded;
    char *out = malloc(SLUG_MAX + 1);
    if (!out) {
        free(folded);
        return NULL;
    }
    size_t n = 0, last_sep = 0;
    int gap = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        if (!is_ascii_alnum(*p)) {
            gap = n > 0;
            continue;
        }
        if (n + gap + 1 > SLUG_MAX) {
            if (!gap && last_sep)
                n = last_sep; /* cut at the last word boundary */
            break;
        }
        if (gap) {
            last_sep = n;
            out[n++] = '_';
        }
        gap = 0;
        out[n++] = (char)*p;
    }
    if (!n) {
        memcpy(out, "work", 4);
        n = 4;
    }
    out[n] = '\0';
    free(folded);
    return out;
}

/* ---- shared metadata ---- */

int export_nonblank(const char *s)
{
    if (!s)
        return 0;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f')
            return 1;
    return 0;
}

const char *export_title(const struct work *w)
{
    return export_nonblank(w->title) ? w->title : "Untitled";
}

void export_chapters_str(const struct work *w, char *out, size_t outsz)
{
    if (w->expected_chapters > 0)
        snprintf(out, outsz, "%zu/%d", w->nchapters, w->expected_chapters);
    else
        snprintf(out, outsz, "%zu/?", w->nchapters);
}

void export_chapter_heading(const struct chapter *c, struct buf *out)
{
    buf_printf(out, "Chapter %d", c->position);
    if (export_nonblank(c->title)) {
        buf_puts(out, ": ");
        buf_puts(out, c->title);
    }
}

int export_has_headings(const struct work *w)
{
    return w->nchapters > 1 || (w->nchapters == 1 && export_nonblank(w->chapters[0].title));
}

static void put_date(struct buf *b, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    if (gmtime_r(&tt, &tm) && strftime(s, sizeof(s), "%Y-%m-%d", &tm))
        buf_puts(b, s);
}

static int same_day(int64_t a, int64_t b)
{
    return a / 86400 == b / 86400;
}

/* A count with thousands separated by commas, as AO3 shows it. */
static void put_count(struct buf *b, long long n)
{
    char s[32];
    int len = snprintf(s, sizeof(s), "%lld", n < 0 ? 0 : n);
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            buf_putc(b, ',');
        buf_putc(b, s[i]);
    }
}

static void join_list(struct buf *b, const struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_puts(b, ", ");
        buf_puts(b, l->v[i]);
    }
}

/* Names of the set bits of a warning or category set, joined by ", "; the count. */
static int join_bits(struct buf *b, unsigned bits, int count, const char *(*name)(unsigned))
{
    int n = 0;
    for (int i = 0; i < count; i++) {
        const char *s = (bits & (1u << i)) ? name(1u << i) : NULL;
        if (!s)
            continue;
        if (n++)
            buf_puts(b, ", ");
        buf_puts(b, s);
    }
    return n;
}

int export_meta_each(const struct work *w,
                     void (*fn)(void *ctx, const char *label, const char *value), void *ctx)
{
    struct buf v = BUF_INIT;
    int n;
    fn(ctx, "Rating", rating_name(w->rating));
    if ((n = join_bits(&v, w->warnings, WARN__COUNT, warning_name)) > 0)
        fn(ctx, n > 1 ? "Archive Warnings" : "Archive Warning", buf_str(&v));
    buf_reset(&v);
    if ((n = join_bits(&v, w->categories, CAT__COUNT, category_name)) > 0)
        fn(ctx, n > 1 ? "Categories" : "Category", buf_str(&v));
    const struct {
        const struct strlist *l;
        const char *one, *many;
    } lists[] = {
        {&w->fandoms, "Fandom", "Fandoms"},
        {&w->relationships, "Relationship", "Relationships"},
        {&w->characters, "Character", "Characters"},
        {&w->freeforms, "Additional Tags", "Additional Tags"},
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        if (!lists[i].l->n)
            continue;
        buf_reset(&v);
        join_list(&v, lists[i].l);
        fn(ctx, lists[i].l->n > 1 ? lists[i].many : lists[i].one, buf_str(&v));
    }
    if (export_nonblank(w->language))
        fn(ctx, "Language", w->language);
    if (export_nonblank(w->series)) {
        buf_reset(&v);
        if (w->series_position > 0)
            buf_printf(&v, "Part %d of ", w->series_position);
        buf_puts(&v, w->series);
        fn(ctx, "Series", buf_str(&v));
    }
    buf_reset(&v);
    if (w->published) {
        buf_puts(&v, "Published: ");
        put_date(&v, w->published);
        buf_putc(&v, ' ');
    }
    if (w->updated && w->published && !same_day(w->updated, w->published)) {
        buf_puts(&v, work_is_complete(w) ? "Completed: " : "Updated: ");
        put_date(&v, w->updated);
        buf_putc(&v, ' ');
    }
    char ch[48];
    export_chapters_str(w, ch, sizeof(ch));
    buf_puts(&v, "Words: ");
    put_count(&v, work_words(w));
    buf_puts(&v, " Chapters: ");
    buf_puts(&v, ch);
    int rc = v.err;
    if (!rc)
        fn(ctx, "Stats", buf_str(&v));
    buf_free(&v);
    return rc;
}

/* AO3's language names (and English names) with their BCP-47 codes. */
static const struct {
    const char *name, *code;
} languages[] = {
    {"English", "en"},
    {"Español", "es"},
    {"Spanish", "es"},
    {"Français", "fr"},
    {"French", "fr"},
    {"Deutsch", "de"},
    {"German", "de"},
    {"日本語", "ja"},
    {"Japanese", "ja"},
    {"Italiano", "it"},
    {"Italian", "it"},
    {"Português brasileiro", "pt-BR"},
    {"Português europeu", "pt-PT"},
    {"Português", "pt"},
    {"Portuguese", "pt"},
    {"Русский", "ru"},
    {"Russian", "ru"},
    {"中文-普通话 國語", "zh"},
    {"中文-广东话 粵語", "yue"},
    {"中文", "zh"},
    {"Chinese", "zh"},
    {"한국어", "ko"},
    {"Korean", "ko"},
    {"Polski", "pl"},
    {"Polish", "pl"},
    {"Nederlands", "nl"},
    {"Dutch", "nl"},
    {"Svenska", "sv"},
    {"Swedish", "sv"},
    {"Dansk", "da"},
    {"Danish", "da"},
    {"Norsk", "no"},
    {"Norwegian", "no"},
    {"Suomi", "fi"},
    {"Finnish", "fi"},
    {"Türkçe", "tr"},
    {"Turkish", "tr"},
    {"Čeština", "cs"},
    {"Czech", "cs"},
    {"Magyar", "hu"},
    {"Hungarian", "hu"},
    {"Ελληνικά", "el"},
    {"Greek", "el"},
    {"עברית", "he"},
    {"Hebrew", "he"},
    {"العربية", "ar"},
    {"Arabic", "ar"},
    {"فارسی", "fa"},
    {"Persian", "fa"},
    {"Tiếng Việt", "vi"},
    {"Vietnamese", "vi"},
    {"Bahasa Indonesia", "id"},
    {"Indonesian", "id"},
    {"Bahasa Malaysia", "ms"},
    {"Català", "ca"},
    {"Catalan", "ca"},
    {"Українська", "uk"},
    {"Ukrainian", "uk"},
    {"ไทย", "th"},
    {"Thai", "th"},
    {"Română", "ro"},
    {"Romanian", "ro"},
    {"Filipino", "fil"},
    {"Esperanto", "eo"},
    {"Latina", "la"},
    {"Latin", "la"},
    {"Hrvatski", "hr"},
    {"Српски", "sr"},
    {"Български", "bg"},
    {"Slovenčina", "sk"},
    {"Lietuvių kalba", "lt"},
    {"Latviešu valoda", "lv"},
    {"Eesti", "et"},
    {"Íslenska", "is"},
    {"Gaeilge", "ga"},
    {"Cymraeg", "cy"},
    {"Euskara", "eu"},
    {"Galego", "gl"},
    {"हिन्दी", "hi"},
};

/* True when s looks like a language tag already: 2-3 letters, then "-" and 2-8 letters or
 * digits groups. */
static int looks_like_code(const char *s)
{
    size_t i = 0;
    while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))
        i++;
    if (i < 2 || i > 3)
        return 0;
    while (s[i] == '-') {
        size_t j = ++i;
        while (is_ascii_alnum((unsigned char)s[i]))
            i++;
        if (i - j < 2 || i - j > 8)
            return 0;
    }
    return s[i] == '\0';
}

const char *export_lang_code(const char *language)
{
    if (!language)
        return "en";
    for (size_t i = 0; i < sizeof(languages) / sizeof(languages[0]); i++)
        if (!strcasecmp(language, languages[i].name))
            return languages[i].code;
    return looks_like_code(language) ? language : "en";
}

int export_lang_rtl(const char *code)
{
    static const char *const rtl[] = {"ar", "fa", "he", "ur", "yi"};
    for (size_t i = 0; i < sizeof(rtl) / sizeof(rtl[0]); i++)
        if (!strncasecmp(code, rtl[i], 2) && (code[2] == '\0' || code[2] == '-'))
            return 1;
    return 0;
}

/* ---- plain text ---- */

/* Plain text given by the writer (summary, notes): as is, CRs dropped, blank lines at the ends
 * trimmed, ending with one newline. */
static void txt_block(struct buf *b, const char *s)
{
    while (*s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r')
            buf_putc(b, s[i]);
    buf_putc(b, '\n');
}

static void txt_section(struct buf *b, const char *label, const char *s)
{
    if (!export_nonblank(s))
        return;
    buf_printf(b, "\n%s:\n\n", label);
    txt_block(b, s);
}

static void txt_meta_row(void *ctx, const char *label, const char *value)
{
    buf_printf(ctx, "%s: %s\n", label, value);
}

static int export_txt(const struct work *w, struct buf *b)
{
    buf_puts(b, export_title(w));
    buf_putc(b, '\n');
    if (w->creators.n) {
        buf_puts(b, "by ");
        join_list(b, &w->creators);
        buf_putc(b, '\n');
    }
    buf_putc(b, '\n');
    int rc = export_meta_each(w, txt_meta_row, b);
    if (rc)
        return rc;
    txt_section(b, "Summary", w->summary);
    txt_section(b, "Notes", w->notes_begin);
    int headings = export_has_headings(w);
    for (size_t i = 0; i < w->nchapters; i++) {
        const struct chapter *c = &w->chapters[i];
        buf_puts(b, "\n\n");
        if (headings) {
            export_chapter_heading(c, b);
            buf_puts(b, "\n");
        }
        txt_section(b, "Chapter Summary", c->summary);
        txt_section(b, "Chapter Notes", c->notes_begin);
        if (headings || export_nonblank(c->summary) || export_nonblank(c->notes_begin))
            buf_putc(b, '\n');
        rc = html_to_text(c->html, b);
        if (rc)
            return rc;
        txt_section(b, "Chapter End Notes", c->notes_end);
    }
    if (export_nonblank(w->notes_end)) {
        buf_putc(b, '\n');
        txt_section(b, "End Notes", w->notes_end);
    }
    return b->err;
}

/* ---- Markdown ---- */

/* A JSON string: ", \ and control characters escaped, other UTF-8 kept as is (U+2028 and
 * U+2029 escaped, since YAML reads them as line breaks). */
static void md_json(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\b':
            buf_puts(b, "\\b");
            break;
        case '\f':
            buf_puts(b, "\\f");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                buf_printf(b, "\\u%04x", *p);
            } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                buf_printf(b, "\\u%04x", p[2] == 0xA8 ? 0x2028 : 0x2029);
                p += 2;
            } else {
                buf_putc(b, (char)*p);
            }
        }
    }
    buf_putc(b, '"');
}

static void md_key_str(struct buf *b, const char *key, const char *s)
{
    buf_puts(b, key);
    buf_puts(b, ": ");
    md_json(b, s);
    buf_putc(b, '\n');
}

static void md_key_list(struct buf *b, const char *key, const struct strlist *l)
{
    buf_puts(b, key);
    buf_puts(b, ": [");
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_puts(b, ", ");
        md_json(b, l->v[i]);
    }
    buf_puts(b, "]\n");
}

static void md_key_bits(struct buf *b, const char *key, unsigned bits, int count,
                        const char *(*name)(unsigned))
{
    buf_puts(b, key);
    buf_puts(b, ": [");
    int n = 0;
    for (int i = 0; i < count; i++) {
        const char *s = (bits & (1u << i)) ? name(1u << i) : NULL;
        if (!s)
            continue;
        if (n++)
            buf_puts(b, ", ");
        md_json(b, s);
    }
    buf_puts(b, "]\n");
}

/* A YAML literal block scalar: "key: |" then each line indented two spaces, blank lines
 * kept empty; omitted when s is NULL or blank. */
static void md_key_block(struct buf *b, const char *key, const char *s)
{
    if (!export_nonblank(s))
        return;
    while (*s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    buf_puts(b, key);
    buf_puts(b, ": |\n");
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '\n')
            j++;
        size_t e = j;
        while (e > i && (s[e - 1] == '\r' || s[e - 1] == ' ' || s[e - 1] == '\t'))
            e--;
        if (e > i) {
            buf_puts(b, "  ");
            buf_put(b, s + i, e - i);
        }
        buf_putc(b, '\n');
        i = j + 1;
    }
}

/* The Markdown contract with ms_import: YAML front matter (see export.h and the importer),
 * then the chapters. A single untitled chapter has no heading; otherwise each chapter starts
 * with "# Chapter N" or "# Chapter N: Title". Chapter summaries and notes are not part of the
 * contract (the importer reads none back) and are written as nothing. */
static int export_md(const struct work *w, struct buf *b)
{
    char ch[48];
    buf_puts(b, "---\n");
    md_key_str(b, "title", w->title ? w->title : "");
    md_key_list(b, "creators", &w->creators);
    md_key_list(b, "fandoms", &w->fandoms);
    if (w->rating_declared || w->rating != RATING_NOT_RATED)
        md_key_str(b, "rating", rating_name(w->rating));
    md_key_bits(b, "warnings", w->warnings, WARN__COUNT, warning_name);
    md_key_bits(b, "categories", w->categories, CAT__COUNT, category_name);
    md_key_list(b, "relationships", &w->relationships);
    md_key_list(b, "characters", &w->characters);
    md_key_list(b, "freeforms", &w->freeforms);
    if (w->language)
        md_key_str(b, "language", w->language);
    md_key_list(b, "beta", &w->beta);
    export_chapters_str(w, ch, sizeof(ch));
    md_key_str(b, "chapters", ch);
    if (w->series) {
        md_key_str(b, "series", w->series);
        buf_printf(b, "series_position: %d\n", w->series_position);
    }
    md_key_block(b, "summary", w->summary);
    md_key_block(b, "notes_begin", w->notes_begin);
    md_key_block(b, "notes_end", w->notes_end);
    buf_puts(b, "---\n");
    int headings = export_has_headings(w);
    for (size_t i = 0; i < w->nchapters; i++) {
        const struct chapter *c = &w->chapters[i];
        buf_putc(b, '\n');
        if (headings) {
            buf_printf(b, "# Chapter %d", c->position);
            if (export_nonblank(c->title)) {
                buf_puts(b, ": ");
                for (const char *p = c->title; *p; p++)
                    buf_putc(b, *p == '\n' || *p == '\r' ? ' ' : *p);
            }
            buf_puts(b, "\n\n");
        }
        int rc = html_to_markdown(c->html, b);
        if (rc)
            return rc;
    }
    return b->err;
}

/* ---- HTML ---- */

/* The page's own stylesheet (a downloaded file loads nothing from elsewhere). */
#define HTML_CSS                                                                                   \
    "body{max-width:42em;margin:2em auto;padding:0 1em;font:1.05em/1.6 Georgia,serif;"             \
    "color:#222;background:#fff}\n"                                                                \
    "dl.tags{border:1px solid #ddd;padding:.5em 1em;font-size:.9em}\n"                             \
    "dl.tags dt{font-weight:bold;float:left;clear:left;margin-right:.5em}\n"                       \
    "dl.tags dd{margin:0 0 .3em 0}\n"                                                              \
    "h1.title{text-align:center;margin-bottom:.2em}\n"                                             \
    "p.byline{text-align:center;margin-top:0}\n"                                                   \
    "blockquote.userstuff{margin:.5em 1.5em}\n"                                                    \
    ".notes,.endnotes{border-left:3px solid #ccc;padding-left:1em;margin:1em 0}\n"                 \
    "hr{width:30%;margin:2em auto}\n"                                                              \
    ".center{text-align:center}.right{text-align:right}.justify{text-align:justify}\n"             \
    ".smallcaps{font-variant:small-caps}.noindent{text-indent:0}.indent{text-indent:2em}\n"        \
    "nav.toc ol{padding-left:1.5em}\n"

static void html_meta_row(void *ctx, const char *label, const char *value)
{
    struct buf *b = ctx;
    html_lit(b, "<dt>");
    html_text(b, label);
    html_lit(b, ":</dt><dd>");
    html_text(b, value);
    html_lit(b, "</dd>\n");
}

static void html_notes(struct buf *b, const char *cls, const char *heading, const char *s)
{
    if (!export_nonblank(s))
        return;
    html_lit(b, "<div class=\"");
    html_attr(b, cls);
    html_lit(b, "\"><h3>");
    html_text(b, heading);
    html_lit(b, "</h3>\n<blockquote class=\"userstuff\">\n");
    html_paragraphs(b, s);
    html_lit(b, "</blockquote></div>\n");
}

static int export_html(const struct work *w, struct buf *b)
{
    const char *lang = export_lang_code(w->language);
    struct buf tmp = BUF_INIT;
    html_lit(b, "<!DOCTYPE html>\n<html lang=\"");
    html_attr(b, lang);
    html_lit(b, "\"");
    if (export_lang_rtl(lang))
        html_lit(b, " dir=\"rtl\"");
    html_lit(b, ">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
    html_text(b, export_title(w));
    if (w->creators.n) {
        html_lit(b, " - ");
        join_list(&tmp, &w->creators);
        html_text(b, buf_str(&tmp));
    }
    html_lit(b, "</title>\n<style>\n");
    html_lit(b, HTML_CSS);
    html_lit(b, "</style>\n</head>\n<body>\n<div id=\"preface\">\n<dl class=\"tags\">\n");
    int rc = export_meta_each(w, html_meta_row, b);
    html_lit(b, "</dl>\n<h1 class=\"title\">");
    html_text(b, export_title(w));
    html_lit(b, "</h1>\n");
    if (w->creators.n) {
        html_lit(b, "<p class=\"byline\">by ");
        html_text(b, buf_str(&tmp));
        html_lit(b, "</p>\n");
    }
    buf_free(&tmp);
    if (export_nonblank(w->summary)) {
        html_lit(b, "<h2>Summary</h2>\n<blockquote class=\"userstuff\">\n");
        html_paragraphs(b, w->summary);
        html_lit(b, "</blockquote>\n");
    }
    if (export_nonblank(w->notes_begin)) {
        html_lit(b, "<h2>Notes</h2>\n<blockquote class=\"userstuff\">\n");
        html_paragraphs(b, w->notes_begin);
        html_lit(b, "</blockquote>\n");
    }
    int headings = export_has_headings(w);
    if (w->nchapters > 1) {
        html_lit(b, "<nav class=\"toc\"><h2>Contents</h2>\n<ol>\n");
        for (size_t i = 0; i < w->nchapters; i++) {
            html_lit(b, "<li><a href=\"#chapter-");
            html_int(b, (long long)i + 1);
            html_lit(b, "\">");
            struct buf h = BUF_INIT;
            export_chapter_heading(&w->chapters[i], &h);
            html_text(b, buf_str(&h));
            buf_free(&h);
            html_lit(b, "</a></li>\n");
        }
        html_lit(b, "</ol></nav>\n");
    }
    html_lit(b, "</div>\n<div id=\"chapters\">\n");
    for (size_t i = 0; i < w->nchapters; i++) {
        const struct chapter *c = &w->chapters[i];
        html_lit(b, "<div class=\"chapter\" id=\"chapter-");
        html_int(b, (long long)i + 1);
        html_lit(b, "\">\n");
        if (headings) {
            struct buf h = BUF_INIT;
            export_chapter_heading(c, &h);
            html_lit(b, "<h2 class=\"heading\">");
            html_text(b, buf_str(&h));
            html_lit(b, "</h2>\n");
            buf_free(&h);
        }
        html_notes(b, "notes", "Chapter Summary", c->summary);
        html_notes(b, "notes", "Chapter Notes", c->notes_begin);
        html_lit(b, "<div class=\"userstuff\">\n");
        html_safe_put(b, html_sanitized(c->html));
        html_lit(b, "\n</div>\n");
        html_notes(b, "endnotes", "Chapter End Notes", c->notes_end);
        html_lit(b, "</div>\n");
    }
    html_lit(b, "</div>\n");
    if (export_nonblank(w->notes_end)) {
        html_lit(b,
                 "<div id=\"afterword\">\n<h2>End Notes</h2>\n<blockquote class=\"userstuff\">\n");
        html_paragraphs(b, w->notes_end);
        html_lit(b, "</blockquote>\n</div>\n");
    }
    html_lit(b, "</body>\n</html>\n");
    return rc ? rc : b->err;
}

int export_work(const struct work *w, enum export_format f, struct buf *out)
{
    if (!w || !out)
        return FICD_EINVAL;
    switch (f) {
    case EXPORT_TXT:
        return export_txt(w, out);
    case EXPORT_MD:
        return export_md(w, out);
    case EXPORT_HTML:
        return export_html(w, out);
    case EXPORT_EPUB:
        return export_epub(w, out);
    }
    return FICD_EINVAL;
}
