/* page_work.c: how a work is shown, for page.h: its blurb in listings (with a search
 * snippet), its preface (tags, dates, counts, summary and notes), and its chapters' text with
 * chapter navigation, the owner's actions and downloads. Every byte of user data goes
 * through the escaping writer; chapter text is already sanitized. */
#include "core/html.h"
#include "text/export.h"
#include "text/sanitize.h"
#include "web/convert.h"
#include "web/page.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void page_chapter_count(struct buf *b, const struct work *w)
{
    html_int(b, (long long)w->nchapters);
    html_lit(b, "/");
    if (w->expected_chapters > 0)
        html_int(b, w->expected_chapters);
    else
        html_lit(b, "?");
}

static void byline(struct web_req *r, const struct work *w)
{
    if (!w->creators.n) {
        html_lit(&r->out, "Anonymous");
        return;
    }
    for (size_t i = 0; i < w->creators.n; i++) {
        if (i)
            html_lit(&r->out, ", ");
        page_user_link(r, w->creators.v[i]);
    }
}

/* The names of the bits set in mask, through name_of. */
static size_t bit_names(unsigned mask, int count, const char *(*name_of)(unsigned),
                        const char **out)
{
    size_t n = 0;
    for (int i = 0; i < count; i++)
        if (mask & (1u << i))
            out[n++] = name_of(1u << i);
    return n;
}

static void tag_list(struct web_req *r, const char **names, size_t n, const char *cls)
{
    struct buf *b = &r->out;
    html_lit(b, "<ul class=\"commas\">");
    for (size_t i = 0; i < n; i++) {
        html_lit(b, "<li>");
        page_tag_link(r, names[i], cls);
        html_lit(b, "</li>");
    }
    html_lit(b, "</ul>");
}

static void meta_tags(struct web_req *r, const char *cls, const char *label, const char **names,
                      size_t n)
{
    if (!n)
        return;
    struct buf *b = &r->out;
    html_lit(b, "<dt class=\"");
    html_attr(b, cls);
    html_lit(b, " tags\">");
    html_text(b, label);
    html_lit(b, "</dt>\n<dd class=\"");
    html_attr(b, cls);
    html_lit(b, " tags\">");
    tag_list(r, names, n, cls);
    html_lit(b, "</dd>\n");
}

void page_work_blurb(struct web_req *r, const struct work *w)
{
    page_work_blurb_snippet(r, w, (struct html_safe){NULL});
}

int page_work_blurb_cb(const struct work *w, void *ctx)
{
    page_work_blurb(ctx, w);
    return 0;
}

void page_work_blurb_snippet(struct web_req *r, const struct work *w, struct html_safe snippet)
{
    struct buf *b = &r->out;
    const char *names[WARN__COUNT + CAT__COUNT];
    html_lit(b, "<li class=\"work blurb\" id=\"work_");
    html_int(b, w->id);
    if (w->restricted && r->user.id <= 0) {
        /* counted like the others, but nothing about it is shown to anonymous visitors */
        html_lit(b, "\">\n<p class=\"restricted\">This work is only available to registered "
                    "users of the archive. <a href=\"/login\">Log in</a> to read it.</p>\n</li>\n");
        return;
    }
    html_lit(b, "\">\n<div class=\"header\">\n<h3 class=\"heading\"><a href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "\">");
    html_text(b, w->title && *w->title ? w->title : "Untitled");
    html_lit(b, "</a> by ");
    byline(r, w);
    if (w->draft)
        html_lit(b, " <span class=\"draft\">(Draft)</span>");
    html_lit(b, "</h3>\n<p class=\"fandoms\"><span class=\"landmark\">Fandoms:</span> ");
    for (size_t i = 0; i < w->fandoms.n; i++) {
        if (i)
            html_lit(b, ", ");
        page_tag_link(r, w->fandoms.v[i], "fandom");
    }
    html_lit(b, "</p>\n<ul class=\"required-tags\">\n<li class=\"rating\" title=\"Rating\">");
    html_text(b, rating_name(w->rating));
    html_lit(b, "</li>\n");
    size_t n = bit_names(w->warnings, WARN__COUNT, warning_name, names);
    for (size_t i = 0; i < n; i++) {
        html_lit(b, "<li class=\"warning\" title=\"Archive Warning\">");
        html_text(b, names[i]);
        html_lit(b, "</li>\n");
    }
    n = bit_names(w->categories, CAT__COUNT, category_name, names);
    for (size_t i = 0; i < n; i++) {
        html_lit(b, "<li class=\"category\" title=\"Category\">");
        html_text(b, names[i]);
        html_lit(b, "</li>\n");
    }
    if (work_is_complete(w))
        html_lit(b, "<li class=\"complete\">Complete Work</li>\n");
    else
        html_lit(b, "<li class=\"wip\">Work in Progress</li>\n");
    html_lit(b, "</ul>\n<p class=\"datetime\">");
    page_date(b, w->updated ? w->updated : w->published);
    html_lit(b, "</p>\n</div>\n");
    if (w->relationships.n + w->characters.n + w->freeforms.n) {
        html_lit(b, "<ul class=\"tags commas\">\n");
        const struct strlist *lists[] = {&w->relationships, &w->characters, &w->freeforms};
        const char *cls[] = {"relationships", "characters", "freeforms"};
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < lists[k]->n; i++) {
                html_lit(b, "<li class=\"");
                html_attr(b, cls[k]);
                html_lit(b, "\">");
                page_tag_link(r, lists[k]->v[i], NULL);
                html_lit(b, "</li>"); /* no whitespace: the CSS adds the commas */
            }
        html_lit(b, "\n</ul>\n");
    }
    if (w->summary && *w->summary) {
        html_lit(b, "<blockquote class=\"userstuff summary\">");
        html_paragraphs(b, w->summary);
        html_lit(b, "</blockquote>\n");
    }
    if (snippet.html && *snippet.html) {
        html_lit(b, "<p class=\"snippet\"><span class=\"landmark\">Match:</span> ");
        html_safe_put(b, snippet);
        html_lit(b, "</p>\n");
    }
    if (w->hidden)
        html_lit(b, "<p class=\"notice hidden-work\">Hidden by a moderator: only you can see "
                    "it.</p>\n");
    if (w->series_id > 0 && w->series && *w->series) {
        html_lit(b, "<p class=\"series\">Part ");
        html_int(b, w->series_position);
        html_lit(b, " of <a href=\"/series/");
        html_int(b, w->series_id);
        html_lit(b, "\">");
        html_text(b, w->series);
        html_lit(b, "</a></p>\n");
    }
    html_lit(b, "<dl class=\"stats\">\n<dt>Language:</dt><dd>");
    html_text(b, w->language && *w->language ? w->language : "English");
    html_lit(b, "</dd>\n<dt>Words:</dt><dd>");
    html_int(b, work_words(w));
    html_lit(b, "</dd>\n<dt>Chapters:</dt><dd>");
    page_chapter_count(b, w);
    html_lit(b, "</dd>\n");
    /* the counts a listing can be sorted by, as AO3 shows them: only when there are some */
    const struct {
        const char *label;
        int64_t n;
    } counts[] = {{"Comments:", w->comments},
                  {"Kudos:", w->kudos},
                  {"Bookmarks:", w->bookmarks},
                  {"Hits:", w->hits}};
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        if (counts[i].n <= 0)
            continue;
        html_lit(b, "<dt>");
        html_text(b, counts[i].label);
        html_lit(b, "</dt><dd>");
        html_int(b, counts[i].n);
        html_lit(b, "</dd>\n");
    }
    html_lit(b, "</dl>\n</li>\n");
}

void page_work_preface(struct web_req *r, const struct work *w)
{
    struct buf *b = &r->out;
    const char *names[WARN__COUNT + CAT__COUNT];
    html_lit(b, "<div class=\"wrapper\">\n<dl class=\"work meta group\" id=\"work-meta\">\n");
    const char *rating = rating_name(w->rating);
    meta_tags(r, "rating", "Rating:", &rating, 1);
    size_t n = bit_names(w->warnings, WARN__COUNT, warning_name, names);
    meta_tags(r, "warning", "Archive Warnings:", names, n);
    n = bit_names(w->categories, CAT__COUNT, category_name, names);
    meta_tags(r, "category", "Categories:", names, n);
    meta_tags(r, "fandom", w->fandoms.n == 1 ? "Fandom:" : "Fandoms:", (const char **)w->fandoms.v,
              w->fandoms.n);
    meta_tags(r, "relationship", w->relationships.n == 1 ? "Relationship:" : "Relationships:",
              (const char **)w->relationships.v, w->relationships.n);
    meta_tags(r, "character",
              w->characters.n == 1 ? "Character:" : "Characters:", (const char **)w->characters.v,
              w->characters.n);
    meta_tags(r, "freeform", "Additional Tags:", (const char **)w->freeforms.v, w->freeforms.n);
    html_lit(b, "<dt class=\"language\">Language:</dt>\n<dd class=\"language\">");
    html_text(b, w->language && *w->language ? w->language : "English");
    html_lit(b, "</dd>\n<dt class=\"stats\">Stats:</dt>\n<dd class=\"stats\"><dl class=\"stats\">"
                "<dt class=\"published\">Published:</dt><dd class=\"published\">");
    page_date(b, w->published);
    html_lit(b, "</dd>");
    if (w->updated && w->published && w->updated / 86400 != w->published / 86400) {
        html_lit(b, "<dt class=\"status\">Updated:</dt><dd class=\"status\">");
        page_date(b, w->updated);
        html_lit(b, "</dd>");
    }
    html_lit(b, "<dt class=\"words\">Words:</dt><dd class=\"words\">");
    html_int(b, work_words(w));
    html_lit(b, "</dd><dt class=\"chapters\">Chapters:</dt><dd class=\"chapters\">");
    page_chapter_count(b, w);
    html_lit(b, "</dd>");
    if (w->id > 0) { /* the feedback counts, as AO3's work pages show them */
        html_lit(b, "<dt class=\"comments\">Comments:</dt><dd class=\"comments\">");
        html_int(b, w->comments);
        html_lit(b, "</dd><dt class=\"kudos\">Kudos:</dt><dd class=\"kudos\">");
        html_int(b, w->kudos);
        html_lit(b, "</dd><dt class=\"bookmarks\">Bookmarks:</dt><dd class=\"bookmarks\">");
        html_int(b, w->bookmarks);
        html_lit(b, "</dd><dt class=\"hits\">Hits:</dt><dd class=\"hits\">");
        html_int(b, w->hits);
        html_lit(b, "</dd>");
    }
    html_lit(b, "</dl></dd>\n</dl>\n</div>\n<div class=\"preface group\">\n"
                "<h1 class=\"title heading\" id=\"work-title\">");
    html_text(b, w->title && *w->title ? w->title : "Untitled");
    html_lit(b, "</h1>\n<p class=\"byline heading\">by ");
    byline(r, w);
    html_lit(b, "</p>\n");
    if (w->summary && *w->summary) {
        html_lit(b, "<div class=\"summary module\">\n<h2 class=\"heading\">Summary:</h2>\n"
                    "<blockquote class=\"userstuff\">");
        html_paragraphs(b, w->summary);
        html_lit(b, "</blockquote>\n</div>\n");
    }
    if (w->notes_begin && *w->notes_begin) {
        html_lit(b, "<div class=\"notes module\">\n<h2 class=\"heading\">Notes:</h2>\n"
                    "<blockquote class=\"userstuff\">");
        html_paragraphs(b, w->notes_begin);
        html_lit(b, "</blockquote>\n</div>\n");
    }
    html_lit(b, "</div>\n");
}

static void chapter_href(struct buf *b, const struct work *w, const struct chapter *c)
{
    html_lit(b, "/works/");
    html_int(b, w->id);
    html_lit(b, "/chapters/");
    html_int(b, c->id);
}

/* "Chapter 2: Title" (or "Chapter 2"). */
static void chapter_label(struct buf *b, const struct chapter *c, int pos)
{
    html_lit(b, "Chapter ");
    html_int(b, pos);
    if (c->title && *c->title) {
        html_lit(b, ": ");
        html_text(b, c->title);
    }
}

/* Chapter navigation: at the top (bottom = 0) with the chapter select; at the bottom only
 * the links, with ids ending in "-bottom". */
static void chapter_nav(struct web_req *r, const struct work *w, int ci, int bottom)
{
    struct buf *b = &r->out;
    if (bottom)
        html_lit(b, "<nav class=\"chapter-nav bottom\" aria-label=\"Chapters (bottom)\">\n<ul>\n");
    else
        html_lit(b, "<nav class=\"chapter-nav\" aria-label=\"Chapters\">\n<ul>\n");
    if (ci >= 0) {
        html_lit(b, "<li><a href=\"/works/");
        html_int(b, w->id);
        if (bottom)
            html_lit(b, "?view_full_work=true\" id=\"entire-work-bottom\">Entire Work</a></li>\n");
        else
            html_lit(b, "?view_full_work=true\" id=\"entire-work\">Entire Work</a></li>\n");
        if (ci > 0) {
            html_lit(b, "<li><a rel=\"prev\" href=\"");
            chapter_href(b, w, &w->chapters[ci - 1]);
            if (bottom)
                html_lit(b, "\" id=\"prev-chapter-bottom\">&larr; Previous Chapter</a></li>\n");
            else
                html_lit(b, "\" id=\"prev-chapter\">&larr; Previous Chapter</a></li>\n");
        }
        if ((size_t)ci + 1 < w->nchapters) {
            html_lit(b, "<li><a rel=\"next\" href=\"");
            chapter_href(b, w, &w->chapters[ci + 1]);
            if (bottom)
                html_lit(b, "\" id=\"next-chapter-bottom\">Next Chapter &rarr;</a></li>\n");
            else
                html_lit(b, "\" id=\"next-chapter\">Next Chapter &rarr;</a></li>\n");
        }
    } else {
        html_lit(b, "<li><a id=\"chapter-by-chapter\" href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/");
        html_int(b, w->chapters[0].id);
        html_lit(b, "\">Chapter by Chapter</a></li>\n");
    }
    if (bottom) {
        html_lit(b, "<li><a href=\"#main\">Top of page</a></li>\n</ul>\n</nav>\n");
        return;
    }
    html_lit(b, "<li><form method=\"get\" action=\"/works/");
    html_int(b, w->id);
    html_lit(b, "\" class=\"inline\"><label for=\"selected_id\">Chapter</label> "
                "<select name=\"chapter\" id=\"selected_id\">");
    for (size_t i = 0; i < w->nchapters; i++) {
        html_lit(b, "<option value=\"");
        html_int(b, w->chapters[i].id);
        html_lit(b, "\"");
        if ((int)i == ci)
            html_lit(b, " selected");
        html_lit(b, ">");
        html_int(b, (long long)i + 1);
        html_lit(b, ". ");
        html_text(b, w->chapters[i].title && *w->chapters[i].title ? w->chapters[i].title
                                                                   : "Untitled");
        html_lit(b, "</option>");
    }
    html_lit(b, "</select> <button type=\"submit\">Go</button></form></li>\n</ul>\n</nav>\n");
}

static void chapter_block(struct web_req *r, const struct work *w, size_t i, int multi)
{
    struct buf *b = &r->out;
    const struct chapter *c = &w->chapters[i];
    html_lit(b, "<div class=\"chapter\" id=\"chapter-");
    html_int(b, (long long)i + 1);
    html_lit(b, "\">\n");
    if (multi) {
        html_lit(b, "<div class=\"chapter preface group\">\n<h2 class=\"title heading\">");
        if (w->id > 0 && c->id > 0) {
            html_lit(b, "<a href=\"");
            chapter_href(b, w, c);
            html_lit(b, "\">");
            chapter_label(b, c, (int)i + 1);
            html_lit(b, "</a>");
        } else {
            chapter_label(b, c, (int)i + 1);
        }
        html_lit(b, "</h2>\n");
        if (c->summary && *c->summary) {
            html_lit(b, "<div class=\"summary module\"><h3 class=\"heading\">Summary:</h3>"
                        "<blockquote class=\"userstuff\">");
            html_paragraphs(b, c->summary);
            html_lit(b, "</blockquote></div>\n");
        }
        if (c->notes_begin && *c->notes_begin) {
            html_lit(b, "<div class=\"notes module\"><h3 class=\"heading\">Notes:</h3>"
                        "<blockquote class=\"userstuff\">");
            html_paragraphs(b, c->notes_begin);
            html_lit(b, "</blockquote></div>\n");
        }
        html_lit(b, "</div>\n<div class=\"userstuff module\">\n"
                    "<h3 class=\"landmark heading\">Chapter Text</h3>\n");
    } else {
        html_lit(b, "<div class=\"userstuff\">\n<h2 class=\"landmark heading\">Work Text:</h2>\n");
    }
    html_safe_put(b, html_sanitized(c->html));
    html_lit(b, "\n</div>\n");
    if (c->notes_end && *c->notes_end) {
        html_lit(b, "<div class=\"end notes module\"><h3 class=\"heading\">Notes:</h3>"
                    "<blockquote class=\"userstuff\">");
        html_paragraphs(b, c->notes_end);
        html_lit(b, "</blockquote></div>\n");
    }
    html_lit(b, "</div>\n");
}

/* Edit/delete/publish links for the owner (and admins). */
static void owner_actions(struct web_req *r, const struct work *w)
{
    struct buf *b = &r->out;
    html_lit(b, "<nav class=\"work-actions\" aria-label=\"Work actions\">\n<ul>\n");
    html_lit(b, "<li><a id=\"edit-work\" href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "/edit\">Edit</a></li>\n<li><a id=\"add-chapter\" href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "/chapters/new\">Add Chapter</a></li>\n");
    if (w->nchapters > 1) {
        html_lit(b, "<li><a id=\"manage-chapters\" href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/manage\">Manage Chapters</a></li>\n");
    }
    html_lit(b, "<li><a id=\"delete-work\" href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "/delete\">Delete</a></li>\n");
    if (w->draft) {
        html_lit(b, "<li><form method=\"post\" class=\"inline\" action=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/publish\">");
        page_csrf_field(r);
        html_lit(b, "<button type=\"submit\" id=\"publish\">Post Draft</button></form></li>\n");
    }
    html_lit(b, "</ul>\n</nav>\n");
}

void page_work_body(struct web_req *r, const struct work *w, int ci, int preview)
{
    struct buf *b = &r->out;
    if (preview)
        html_lit(b, "<p class=\"notice\" id=\"preview-notice\">Preview: this is what your work "
                    "will look like. It has not been saved yet.</p>\n");
    else if (w->draft)
        html_lit(b, "<p class=\"notice\">This work is a draft and is visible only to you.</p>\n");
    if (!preview && web_can_edit(r, w))
        owner_actions(r, w);
    html_lit(b, "<article class=\"work\" id=\"workskin\">\n");
    page_work_preface(r, w);
    int multi = w->nchapters > 1;
    if (multi && !preview && w->id > 0)
        chapter_nav(r, w, ci, 0);
    html_lit(b, "<div id=\"chapters\">\n");
    if (ci >= 0 && (size_t)ci < w->nchapters)
        chapter_block(r, w, (size_t)ci, multi);
    else
        for (size_t i = 0; i < w->nchapters; i++)
            chapter_block(r, w, i, multi);
    html_lit(b, "</div>\n");
    int last = ci < 0 || (size_t)ci + 1 == w->nchapters;
    if (last && w->notes_end && *w->notes_end) {
        html_lit(b, "<div id=\"work_endnotes\" class=\"end notes module\">\n"
                    "<h2 class=\"heading\">Notes:</h2>\n<blockquote class=\"userstuff\">");
        html_paragraphs(b, w->notes_end);
        html_lit(b, "</blockquote>\n</div>\n");
    }
    html_lit(b, "</article>\n");
    if (multi && !preview && w->id > 0 && ci >= 0)
        chapter_nav(r, w, ci, 1);
    if (!preview && w->id > 0) {
        char *slug = export_slug(w->title);
        static const char *const fmts[][2] = {
            {"epub", "EPUB"}, {"html", "HTML"}, {"md", "Markdown"}, {"txt", "Plain text"}};
        html_lit(b, "<section class=\"download\" aria-labelledby=\"download-heading\">\n"
                    "<h2 id=\"download-heading\">Download</h2>\n<ul>\n");
        /* EPUB, then AZW3, MOBI and PDF when calibre can make them (web/convert.h), then
         * the rest */
        const char *items[4 + CONVERT__COUNT][2];
        size_t n = 0;
        items[n][0] = fmts[0][0];
        items[n++][1] = fmts[0][1];
        for (int c = 0; c < CONVERT__COUNT && convert_available(r->cfg); c++) {
            items[n][0] = convert_ext((enum convert_format)c);
            items[n++][1] = convert_label((enum convert_format)c);
        }
        for (size_t i = 1; i < 4; i++) {
            items[n][0] = fmts[i][0];
            items[n++][1] = fmts[i][1];
        }
        for (size_t i = 0; i < n; i++) {
            const char *ext = items[i][0], *label = items[i][1];
            html_lit(b, "<li><a href=\"/downloads/");
            html_int(b, w->id);
            html_lit(b, "/");
            html_url_path(b, slug ? slug : "work");
            html_lit(b, ".");
            html_attr(b, ext);
            html_lit(b, "\" id=\"download-");
            html_attr(b, ext);
            html_lit(b, "\">");
            html_text(b, label);
            html_lit(b, "</a></li>\n");
        }
        html_lit(b, "</ul>\n</section>\n");
        free(slug);
    }
}
