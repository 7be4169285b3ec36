/* manuscript.c: the manuscript importer's entry points: limits, hashing, decoding, format
 * choice, chapters, and the assembly of the struct work (see ms_*.c for the detectors). */
#include "text/manuscript.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/html.h"
#include "text/decode.h"
#include "text/ms_int.h"
#include "text/sanitize.h"
#include "text/wordcount.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "12 MB", "1.5 MB", "300 KB" or "12 bytes". */
static void size_str(char *out, size_t sz, size_t n)
{
    if (n >= ((size_t)10 << 20))
        snprintf(out, sz, "%zu MB", (n + (1 << 19)) >> 20);
    else if (n >= ((size_t)1 << 20))
        snprintf(out, sz, "%.1f MB", (double)n / (1 << 20));
    else if (n >= 1024)
        snprintf(out, sz, "%zu KB", (n + 512) >> 10);
    else
        snprintf(out, sz, "%zu bytes", n);
}

static int check_size(size_t n, const struct ms_opts *o, struct text_err *err)
{
    size_t max = o && o->max_bytes ? o->max_bytes : MS_MAX_BYTES_DEFAULT;
    if (n <= max)
        return 0;
    char a[32], b[32];
    size_str(a, sizeof(a), n);
    size_str(b, sizeof(b), max);
    text_err_set(err, 0, "file is %s; the limit is %s", a, b);
    return FICD_ETOOBIG;
}

/* The format from the file name's extension, MS_AUTO when it says nothing. */
static enum ms_format format_by_name(const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return MS_AUTO;
    dot++;
    if (!strcasecmp(dot, "txt") || !strcasecmp(dot, "text"))
        return MS_TEXT;
    if (!strcasecmp(dot, "md") || !strcasecmp(dot, "markdown") || !strcasecmp(dot, "mdown") ||
        !strcasecmp(dot, "mkd"))
        return MS_MARKDOWN;
    if (!strcasecmp(dot, "html") || !strcasecmp(dot, "htm") || !strcasecmp(dot, "xhtml"))
        return MS_HTML;
    return MS_AUTO;
}

/* The format from the content: front matter or '#' headings mean Markdown; <html>, <body>,
 * <p> near the top mean HTML; anything else is plain text. */
static enum ms_format format_by_content(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\n' || *s == '\t')) {
        s++;
        n--;
    }
    if (n >= 4 && !strncmp(s, "---", 3) && s[3] == '\n')
        return MS_MARKDOWN;
    size_t look = n < 4096 ? n : 4096;
    char *head = strndup(s, look);
    if (!head)
        return MS_TEXT;
    enum ms_format f = MS_TEXT;
    if (strcasestr(head, "<!doctype html") || strcasestr(head, "<html") ||
        strcasestr(head, "<body") || strcasestr(head, "<p>") || strcasestr(head, "<p "))
        f = MS_HTML;
    else
        for (char *l = head; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
            if (l[0] == '#' && (l[1] == ' ' || (l[1] == '#' && (l[2] == ' ' || l[2] == '#')))) {
                f = MS_MARKDOWN;
                break;
            }
    free(head);
    return f;
}

/* Is block i a chapter heading? Sets its chapter title. top is the highest heading level that
 * is used for two or more headings (Markdown/HTML), 0 when none. */
static int chapter_block(struct ms_block *b, int top)
{
    char *title = NULL;
    if (b->kind != MSB_PARA || b->role != MSR_BODY)
        return 0;
    if (b->hlevel) {
        if (b->hlevel <= 2 && ms_chapter_heading(b->text, &title)) {
            b->chtitle = title;
            return 1;
        }
        if (b->hlevel == top) {
            b->chtitle = strdup(b->text);
            return 1;
        }
        return 0;
    }
    if (b->nlines == 1)
        if (ms_chapter_heading(b->text, &title)) {
            b->chtitle = title;
            return 1;
        }
    if (b->nlines == 2) {
        /* "Chapter 1" with its title on the next line */
        char *nl = strchr(b->text, '\n');
        *nl = '\0';
        int h = ms_chapter_heading(b->text, &title);
        *nl = '\n';
        const char *second = nl + 1;
        if (h && !title && ms_words(second) <= 10 && !ms_ends_sentence(second) &&
            !ms_is_quote_start(second)) {
            b->chtitle = strdup(second);
            return 1;
        }
        free(title);
    }
    return 0;
}

/* The plain text of the body blocks, for language detection and suggestions. */
static char *body_text(struct ms_doc *d)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < d->n; i++) {
        if (d->b[i].role != MSR_BODY || d->b[i].kind == MSB_BREAK)
            continue;
        buf_puts(&b, d->b[i].text);
        buf_puts(&b, "\n\n");
    }
    return buf_take(&b);
}

/* Sets a chapter's HTML from markup that is not yet canonical: sanitized, then counted. */
static int set_chapter_html(struct chapter *ch, const char *html, size_t n)
{
    ch->html = sanitize_html(html ? html : "", html ? n : 0);
    if (!ch->html)
        return FICD_ENOMEM;
    ch->words = wordcount_html(ch->html);
    return 0;
}

/* Renders body blocks [from, to) of a chapter in the document's format. */
static int render_chapter(struct ms_doc *d, size_t from, size_t to, struct chapter *ch)
{
    struct buf out = BUF_INIT;
    if (d->fmt == MS_MARKDOWN) {
        for (size_t i = from; i < to; i++) {
            struct ms_block *b = &d->b[i];
            if (b->role != MSR_BODY)
                continue;
            if (out.len)
                buf_puts(&out, "\n\n");
            buf_puts(&out, b->kind == MSB_BREAK ? "* * *" : b->raw);
        }
        char *html = markdown_to_html(out.data ? out.data : "", out.len);
        buf_free(&out);
        if (!html)
            return FICD_ENOMEM;
        int rc = set_chapter_html(ch, html, strlen(html));
        free(html);
        return rc;
    }
    for (size_t i = from; i < to; i++) {
        struct ms_block *b = &d->b[i];
        if (b->role != MSR_BODY)
            continue;
        if (d->fmt == MS_HTML) {
            if (b->kind == MSB_BREAK)
                html_lit(&out, "<hr>");
            else
                buf_puts(&out, b->raw);
            buf_putc(&out, '\n');
        } else {
            ms_render_text_block(&out, b, d->wrapped);
            buf_putc(&out, '\n');
        }
    }
    if (out.err) {
        int e = out.err;
        buf_free(&out);
        return e;
    }
    int rc = set_chapter_html(ch, out.data, out.len);
    buf_free(&out);
    return rc;
}

static int too_many_chapters(int count, int max, int line, struct text_err *err)
{
    if (line > 0)
        text_err_set(
            err, line,
            "too many chapters: %d chapter headings; the limit is %d (chapter %d starts at "
            "line %d)",
            count, max, max + 1, line);
    else
        text_err_set(err, 0, "too many chapters: %d chapter headings; the limit is %d", count, max);
    return FICD_EINVAL;
}

/* Chapters of a document in blocks, after its header: headings found, limits checked, notes
 * at the top and bottom of each chapter moved out, bodies rendered. */
static int build_chapters(struct ms_ctx *c, struct ms_doc *d, size_t pos)
{
    struct work *w = c->w;
    int max = c->o && c->o->max_chapters > 0 ? c->o->max_chapters : MS_MAX_CHAPTERS_DEFAULT;
    /* the top heading level used two or more times in the body (Markdown and HTML) */
    int top = 0, counts[3] = {0, 0, 0};
    for (size_t i = pos; i < d->n; i++)
        if (d->b[i].hlevel >= 1 && d->b[i].hlevel <= 2 && d->b[i].role == MSR_BODY)
            counts[d->b[i].hlevel]++;
    if (counts[1] >= 2)
        top = 1;
    else if (counts[1] == 0 && counts[2] >= 2)
        top = 2;
    size_t *heads = NULL, nh = 0, hcap = 0;
    int excess_line = 0;
    for (size_t i = pos; i < d->n; i++) {
        if (!chapter_block(&d->b[i], top))
            continue;
        if (nh == hcap) {
            hcap = hcap ? hcap * 2 : 16;
            size_t *nv = realloc(heads, hcap * sizeof(*heads));
            if (!nv) {
                free(heads);
                return FICD_ENOMEM;
            }
            heads = nv;
        }
        heads[nh++] = i;
        d->b[i].role = MSR_HEADING;
        if ((int)nh == max + 1)
            excess_line = d->b[i].line;
    }
    if ((int)nh > max) {
        free(heads);
        return too_many_chapters((int)nh, max, excess_line, c->err);
    }
    int rc = 0;
    /* story before the first heading (a prologue without one) is a chapter of its own */
    size_t first = nh ? heads[0] : d->n;
    int pre = 0;
    for (size_t i = pos; i < first; i++)
        if (d->b[i].role == MSR_BODY && d->b[i].kind != MSB_BREAK)
            pre = 1;
    size_t nseg = nh + (pre || nh == 0);
    for (size_t k = 0; k < nseg && rc == 0; k++) {
        size_t from, to;
        const char *title = NULL;
        if (pre || nh == 0) {
            from = k == 0 ? pos : heads[k - 1] + 1;
            to = k + 1 < nseg ? heads[k] : d->n;
            if (k > 0)
                title = d->b[heads[k - 1]].chtitle;
        } else {
            from = heads[k] + 1;
            to = k + 1 < nh ? heads[k + 1] : d->n;
            title = d->b[heads[k]].chtitle;
        }
        if ((int)w->nchapters >= max) {
            rc = too_many_chapters((int)nseg, max, 0, c->err);
            break;
        }
        struct chapter *ch = work_add_chapter(w);
        if (!ch) {
            rc = FICD_ENOMEM;
            break;
        }
        if (title && !(ch->title = strdup(title))) {
            rc = FICD_ENOMEM;
            break;
        }
        size_t lead = ms_leading_notes(d, from, to);
        if (lead > from)
            ms_collect_notes(c, d, from, lead, &ch->notes_begin);
        int ended = 0;
        size_t tail = ms_trailing_notes(d, lead, to, &ended);
        if (k + 1 == nseg) {
            if (tail < to)
                ms_collect_notes(c, d, tail, to, &w->notes_end);
            if (ended == 1 && c->status == MS_STATUS_UNKNOWN)
                c->status = MS_STATUS_COMPLETE;
            else if (ended == 2 && c->status == MS_STATUS_UNKNOWN)
                c->status = MS_STATUS_WIP;
        } else if (tail < to) {
            ms_collect_notes(c, d, tail, to, &ch->notes_end);
        }
        rc = render_chapter(d, lead, tail, ch);
    }
    free(heads);
    return rc;
}

/* Applies the completion status: declared counts and words, closing markers; a manuscript that
 * says nothing is taken as complete (expected = chapters found): writers upload finished
 * one-shots far more often than partial works, and "WIP", "TBC", "3/?" say otherwise. */
static void finish_status(struct ms_ctx *c)
{
    struct work *w = c->w;
    if (c->status == MS_STATUS_WIP)
        w->expected_chapters = 0;
    else if (c->status > 0)
        w->expected_chapters = c->status < (int)w->nchapters ? (int)w->nchapters : c->status;
    else
        w->expected_chapters = (int)w->nchapters;
}

/* Title, language and suggestions once the body is known. */
static int finish(struct ms_ctx *c, const char *fallback_title, const char *text, size_t n)
{
    struct work *w = c->w;
    if (!w->title || !*w->title) {
        free(w->title);
        char *ct = NULL;
        if (fallback_title && *fallback_title && !ms_chapter_heading(fallback_title, &ct))
            w->title = strdup(fallback_title);
        else
            w->title = ms_title_from_filename(c->o ? c->o->filename : NULL);
        free(ct);
        if (!w->title)
            return FICD_ENOMEM;
    }
    int language = !w->language;
    finish_status(c);
    return ms_suggest(c, text, n, language);
}

/* The title of a chapter from its exported heading text: "Chapter N: Title" gives Title,
 * "Chapter N" none, anything else is the title as written. */
static int structured_title(struct chapter *ch, const char *s, size_t n)
{
    char *t = ms_strndup_trim(s, n);
    if (!t)
        return FICD_ENOMEM;
    const char *ti = t;
    if (ms_starts_ci(t, "chapter ")) {
        const char *p = t + 8;
        size_t dn = strspn(p, "0123456789");
        if (dn && p[dn] == '\0')
            ti = NULL;
        else if (dn && p[dn] == ':')
            ti = p + dn + 1 + (p[dn + 1] == ' ');
    }
    if (ti && *ti && !(ch->title = strdup(ti))) {
        free(t);
        return FICD_ENOMEM;
    }
    free(t);
    return 0;
}

static int structured_chapter(struct work *w, const char *s, size_t n, const char *title, size_t tn)
{
    struct chapter *ch = work_add_chapter(w);
    if (!ch)
        return FICD_ENOMEM;
    int rc = title ? structured_title(ch, title, tn) : 0;
    if (rc)
        return rc;
    char *html = markdown_to_html(s, n);
    if (!html)
        return FICD_ENOMEM;
    rc = set_chapter_html(ch, html, strlen(html));
    free(html);
    return rc;
}

/* A Markdown file written by ficd's own export: the front matter holds all metadata; each
 * level-1 heading starts a chapter ("# Chapter N: Title", "# Chapter N" untitled; a single
 * untitled chapter has none); nothing in the body is taken for metadata. */
static int parse_structured(struct ms_ctx *c, const char *s, size_t n, int line0)
{
    struct work *w = c->w;
    int max = c->o && c->o->max_chapters > 0 ? c->o->max_chapters : MS_MAX_CHAPTERS_DEFAULT;
    size_t *hs = NULL, nh = 0, cap = 0; /* heading line starts */
    int fence = 0, line = line0, excess_line = 0, rc = 0;
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n;
        if (!strncmp(s + i, "```", 3) || !strncmp(s + i, "~~~", 3)) {
            fence = !fence;
        } else if (!fence && e - i >= 2 && s[i] == '#' && s[i + 1] == ' ') {
            if (nh == cap) {
                cap = cap ? cap * 2 : 16;
                size_t *nv = realloc(hs, cap * sizeof(*hs));
                if (!nv) {
                    free(hs);
                    return FICD_ENOMEM;
                }
                hs = nv;
            }
            hs[nh++] = i;
            if ((int)nh == max + 1)
                excess_line = line;
        }
        line++;
        i = e + 1;
    }
    size_t first = nh ? hs[0] : n;
    int pre = 0;
    for (size_t q = 0; q < first; q++)
        if (s[q] != ' ' && s[q] != '\n' && s[q] != '\t')
            pre = 1;
    if ((int)(nh + (size_t)pre) > max) {
        free(hs);
        return too_many_chapters((int)(nh + (size_t)pre), max, excess_line, c->err);
    }
    if (pre || nh == 0)
        rc = structured_chapter(w, s, first, NULL, 0);
    for (size_t k = 0; k < nh && rc == 0; k++) {
        const char *h = s + hs[k];
        const char *nl = memchr(h, '\n', n - hs[k]);
        size_t he = nl ? (size_t)(nl - s) : n;
        size_t bs = nl ? he + 1 : n;
        size_t be = k + 1 < nh ? hs[k + 1] : n;
        rc = structured_chapter(w, s + bs, be - bs, h + 2, he - hs[k] - 2);
    }
    free(hs);
    if (rc == 0)
        rc = finish(c, NULL, s, n);
    return rc;
}

int ms_parse(const char *utf8, size_t n, const struct ms_opts *opts, struct work *out,
             struct text_err *err)
{
    work_init(out);
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    int rc = check_size(n, opts, err);
    if (rc)
        return rc;
    struct ms_ctx c;
    memset(&c, 0, sizeof(c));
    c.w = out;
    c.o = opts;
    c.err = err;
    c.status = MS_STATUS_UNKNOWN;
    enum ms_format f = opts ? opts->format : MS_AUTO;
    if (f == MS_AUTO)
        f = format_by_name(opts ? opts->filename : NULL);
    if (f == MS_AUTO)
        f = format_by_content(utf8, n);
    struct ms_doc d;
    memset(&d, 0, sizeof(d));
    d.fmt = f;
    char *html_title = NULL;
    if (f == MS_HTML) {
        rc = ms_blocks_html(&d, utf8, n, &html_title);
    } else if (f == MS_MARKDOWN) {
        int structured = 0, line0 = 1;
        size_t fm = ms_front_matter(&c, utf8, n, &structured, &line0);
        if (structured) {
            rc = parse_structured(&c, utf8 + fm, n - fm, line0);
            goto done;
        }
        rc = ms_blocks_markdown(&d, utf8 + fm, n - fm, line0);
    } else {
        rc = ms_blocks_text(&d, utf8, n);
    }
    if (rc == 0 && d.n == 0) {
        text_err_set(err, 0, "no text in the manuscript");
        rc = FICD_EINVAL;
    }
    if (rc == 0) {
        size_t pos = 0;
        ms_scan_header(&c, &d, &pos);
        rc = build_chapters(&c, &d, pos);
    }
    if (rc == 0) {
        char *text = body_text(&d);
        rc = text ? finish(&c, html_title, text, strlen(text)) : FICD_ENOMEM;
        free(text);
    }
done:
    free(html_title);
    ms_doc_free(&d);
    strlist_free(&c.title_sides);
    strlist_free(&c.disclaimed);
    if (rc) {
        if (err && !err->msg[0])
            snprintf(err->msg, sizeof(err->msg), "%s", ficd_strerror(rc));
        work_free(out);
        return rc;
    }
    out->draft = 1;
    return 0;
}

int ms_import(const unsigned char *bytes, size_t n, const struct ms_opts *opts, struct work *out,
              struct text_err *err)
{
    work_init(out);
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    int rc = check_size(n, opts, err);
    if (rc)
        return rc;
    char hash[HASH_SHA256_HEX];
    hash_sha256_hex(bytes, n, hash);
    char *text = NULL;
    size_t len = 0;
    rc = decode_text(bytes, n, &text, &len, NULL, err);
    if (rc)
        return rc;
    rc = ms_parse(text, len, opts, out, err);
    free(text);
    if (rc)
        return rc;
    memcpy(out->content_hash, hash, sizeof(hash));
    out->draft = 1;
    return 0;
}
