/* imp_epub.c: the EPUB reader (EPUB 2 and 3: calibre's, FanFicFare's, AO3's, ficd's own).
 * The archive, its XML, the package document and the navigation are read in
 * imp_epub_pkg.c. Content documents are HTML to gumbo: AO3 and ficd layouts through the
 * preface/chapter walker, FanFicFare's title page as "Label: value" lines, any other
 * document as one chapter titled from the navigation; subjects become tags. */
#include "core/err.h"
#include "text/imp_epub_int.h"
#include "text/wordcount.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

static int text_len_in_links(const GumboNode *n, int in_a, size_t *all, size_t *linked, int d)
{
    if (d > 200)
        return 0;
    if (n->type == GUMBO_NODE_TEXT) {
        size_t k = 0;
        for (const char *p = n->v.text.text; *p; p++)
            k += !isspace((unsigned char)*p);
        *all += k;
        if (in_a)
            *linked += k;
        return 0;
    }
    if (n->type != GUMBO_NODE_ELEMENT)
        return 0;
    const GumboVector *ch = &n->v.element.children;
    for (unsigned i = 0; i < ch->length; i++)
        text_len_in_links(ch->data[i], in_a || imp_is(n, GUMBO_TAG_A), all, linked, d + 1);
    return 0;
}

static int is_heading_tag(const GumboNode *n)
{
    return imp_is(n, GUMBO_TAG_H1) || imp_is(n, GUMBO_TAG_H2) || imp_is(n, GUMBO_TAG_H3);
}

/* The first element child of body that has text (descending through wrapper divs). */
static const GumboNode *first_text_element(const GumboNode *n, int depth)
{
    if (depth > 8 || n->type != GUMBO_NODE_ELEMENT)
        return NULL;
    const GumboVector *ch = &n->v.element.children;
    for (unsigned i = 0; i < ch->length; i++) {
        const GumboNode *c = ch->data[i];
        if (c->type == GUMBO_NODE_TEXT)
            return NULL;
        if (c->type != GUMBO_NODE_ELEMENT)
            continue;
        if (is_heading_tag(c))
            return c;
        if (imp_is(c, GUMBO_TAG_DIV) || imp_is(c, GUMBO_TAG_SECTION)) {
            char *t = imp_text_dup(c);
            int has = t != NULL;
            free(t);
            if (has)
                return first_text_element(c, depth + 1);
            continue;
        }
        char *t = imp_text_dup(c);
        int has = t != NULL;
        free(t);
        if (has)
            return NULL;
    }
    return NULL;
}

/* Serialises n without the skipped element and the elements the walker read as metadata,
 * unwrapping containers so that those may sit at any depth. */
static void html_skipping(const GumboNode *n, const GumboNode *skip, const struct imp_walk *st,
                          struct buf *out, int depth)
{
    if (depth > 300)
        return;
    if (n == skip || (st && imp_walk_used(st, n)))
        return;
    if (n->type == GUMBO_NODE_ELEMENT &&
        (imp_is(n, GUMBO_TAG_DIV) || imp_is(n, GUMBO_TAG_SECTION) || imp_is(n, GUMBO_TAG_BODY))) {
        const GumboVector *ch = &n->v.element.children;
        for (unsigned i = 0; i < ch->length; i++)
            html_skipping(ch->data[i], skip, st, out, depth + 1);
        return;
    }
    imp_outer_html(n, out);
}

static int plain_chapter(struct epub *e, struct imp_walk *st, const GumboNode *body,
                         const char *path)
{
    const char *tt = epubr_toc_title(e, path);
    const GumboNode *h = first_text_element(body, 0);
    char *htext = h ? imp_text_dup(h) : NULL;
    char *title = tt ? strdup(tt) : htext ? strdup(htext) : NULL;
    /* the heading opening the document repeats the chapter's title: not body text */
    const GumboNode *skip = NULL;
    if (h && htext &&
        (!tt || !strcasecmp(htext, tt) || strcasestr(tt, htext) || strcasestr(htext, tt)))
        skip = h;
    free(htext);
    struct buf b = BUF_INIT;
    html_skipping(body, skip, NULL, &b, 0);
    struct chapter *c = NULL;
    int rc = b.err;
    if (!rc) {
        c = work_add_chapter(e->opts ? st->w : st->w);
        if (!c)
            rc = FICD_ENOMEM;
    }
    if (!rc && (int)st->w->nchapters > st->max_chapters)
        rc = epubr_fail(e, FICD_ETOOBIG, "more than %d chapters; the limit is %d", st->max_chapters,
                        st->max_chapters);
    if (!rc)
        rc = imp_chapter_body(c, buf_str(&b), b.len);
    if (!rc) {
        char *ct = imp_chapter_title(title);
        /* a chapter titled with the work's title (one-shots) has no title of its own */
        if (ct && st->w->title && !strcmp(ct, st->w->title)) {
            free(ct);
            ct = NULL;
        }
        c->title = ct;
        st->cur = c;
    }
    free(title);
    buf_free(&b);
    return rc;
}

/* A title page is short: a chapter that opens with a header block stays a chapter. */
#define TITLE_PAGE_MAX_WORDS 600

/* How many known "Label: value" lines the text holds (the work is not touched). */
static int header_labels(const char *text)
{
    struct work tmp;
    work_init(&tmp);
    int n = imp_header_lines(&tmp, text);
    work_free(&tmp);
    return n;
}

static int content_doc(struct epub *e, struct imp_walk *st, const struct item *x)
{
    char *data;
    size_t n;
    int rc = epubr_read_entry(e, x->path, &data, &n);
    if (rc)
        return rc;
    GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, data, n);
    if (!g) {
        free(data);
        return FICD_ENOMEM;
    }
    const GumboNode *body = imp_find(g->root, GUMBO_TAG_BODY);
    if (!body)
        body = g->root;
    size_t nch = st->w->nchapters;
    int meta = st->meta, labels = st->labels, bodies = st->bodies, heads = st->headings,
        marks = st->marks;
    st->nused = 0;
    imp_walk(st, body);
    /* a chapter headed here whose text is not in a userstuff div (classes renamed by a
     * converter): the rest of the document is its text */
    if (!st->rc && st->w->nchapters > nch && st->cur && (!st->cur->html || !*st->cur->html)) {
        struct buf b = BUF_INIT;
        html_skipping(body, NULL, st, &b, 0);
        st->rc = b.err ? b.err : imp_chapter_body(st->cur, buf_str(&b), b.len);
        buf_free(&b);
        const char *tt = epubr_toc_title(e, x->path);
        if (!st->rc && !st->cur->title && tt) {
            st->cur->title = imp_chapter_title(tt);
            if (st->cur->title && st->w->title && !strcmp(st->cur->title, st->w->title)) {
                free(st->cur->title);
                st->cur->title = NULL;
            }
        }
    }
    rc = st->rc;
    if (rc)
        epubr_fail(e, rc, "%s", st->errmsg[0] ? st->errmsg : ficd_strerror(rc));
    int structured = st->meta != meta || st->labels != labels || st->bodies != bodies ||
                     st->headings != heads || st->marks != marks || st->w->nchapters != nch;
    if (!rc && !structured && !(x->props && strstr(x->props, "nav"))) {
        char *text = imp_text_dup(body);
        size_t all = 0, linked = 0;
        text_len_in_links(body, 0, &all, &linked, 0);
        if (!text) {
            /* a cover or an image page */
        } else if (wordcount_text(text, strlen(text)) <= TITLE_PAGE_MAX_WORDS &&
                   header_labels(text) >= 2) {
            imp_header_lines(st->w, text); /* FanFicFare's title page */
            st->meta++;
        } else if (all && linked * 2 >= all) {
            /* a table of contents page */
        } else {
            rc = plain_chapter(e, st, body, x->path);
        }
        free(text);
    }
    gumbo_destroy_output(&kGumboDefaultOptions, g);
    free(data);
    return rc;
}

/* Subjects are additional tags, unless a structured field already holds them. */
static void merge_subjects(struct epub *e, struct work *w, int structured)
{
    for (size_t i = 0; i < e->subjects.n; i++) {
        const char *s = e->subjects.v[i];
        if (strlist_contains(&w->fandoms, s) || strlist_contains(&w->relationships, s) ||
            strlist_contains(&w->characters, s) || strlist_contains(&w->freeforms, s))
            continue;
        int r = rating_parse(s);
        unsigned wb = warning_parse(s), cb = category_parse(s);
        if (r >= 0 && (!strcasecmp(s, rating_name((enum rating)r)))) {
            if (!w->rating_declared && !structured) {
                w->rating = (enum rating)r;
                w->rating_declared = 1;
            }
            continue;
        }
        if (wb && !strcasecmp(s, warning_name(wb))) {
            if (!structured)
                w->warnings |= wb;
            continue;
        }
        if (cb && !strcasecmp(s, category_name(cb))) {
            if (!structured)
                w->categories |= cb;
            continue;
        }
        /* AO3's and FanFicFare's bookkeeping subjects */
        if (!strcasecmp(s, "Fanworks") || !strcasecmp(s, "Completed") ||
            !strcasecmp(s, "In-Progress") || (structured && !strcasecmp(s, "Fanfiction")))
            continue;
        strlist_add_unique(&w->freeforms, s);
    }
}

static void epub_free(struct epub *e)
{
    for (size_t i = 0; i < e->nitems; i++) {
        free(e->items[i].id);
        free(e->items[i].path);
        free(e->items[i].type);
        free(e->items[i].props);
    }
    free(e->items);
    free(e->spine);
    for (size_t i = 0; i < e->ntoc; i++) {
        free(e->toc[i].path);
        free(e->toc[i].title);
    }
    free(e->toc);
    free(e->opf_path);
    free(e->opf_dir);
    free(e->series_id);
    strlist_free(&e->subjects);
    if (e->za)
        zip_discard(e->za);
}

int import_epub(const unsigned char *b, size_t n, const struct ms_opts *opts, struct work *out,
                struct text_err *err)
{
    work_init(out);
    out->draft = 1;
    struct epub e;
    memset(&e, 0, sizeof(e));
    e.err = err;
    e.opts = opts;
    strlist_init(&e.subjects);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(b, n, 0, &ze);
    int rc = 0;
    if (!src) {
        rc = FICD_ENOMEM;
    } else if (!(e.za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze))) {
        zip_source_free(src);
        rc = epubr_fail(&e, FICD_EINVAL, "not a readable zip archive: %s", zip_error_strerror(&ze));
    }
    zip_error_fini(&ze);
    char *ncx_path = NULL, *nav_path = NULL;
    if (!rc)
        rc = epubr_check_archive(&e);
    if (!rc)
        rc = epubr_container(&e);
    if (!rc)
        rc = epubr_package(&e, out, &ncx_path, &nav_path);
    if (!rc && nav_path)
        rc = epubr_nav(&e, nav_path);
    if (!rc && ncx_path)
        rc = epubr_ncx(&e, ncx_path);
    free(ncx_path);
    free(nav_path);
    struct imp_walk st;
    imp_walk_init(&st, out, opts ? opts->max_chapters : 0);
    st.heading_text_rule = 1; /* "Chapter N: Title" headings whatever their class */
    for (size_t i = 0; !rc && i < e.nspine; i++)
        rc = content_doc(&e, &st, &e.items[e.spine[i]]);
    if (!rc) {
        if (!imp_drop_empty_chapters(out))
            rc = epubr_fail(&e, FICD_EINVAL, "the EPUB holds no chapter text");
    }
    if (!rc) {
        merge_subjects(&e, out, st.meta > 0);
        if (!out->title && !(out->title = strdup("Untitled")))
            rc = FICD_ENOMEM;
        if (out->expected_chapters < 0)
            out->expected_chapters = (int)out->nchapters;
    }
    epub_free(&e);
    if (rc) {
        if (!err->msg[0])
            snprintf(err->msg, sizeof(err->msg), "%s", ficd_strerror(rc));
        work_free(out);
    }
    return rc;
}
