/* ui_chapters.c: a work's chapters: add, edit, delete, and reorder (/works/ID/chapters/...).
 * Bad values re-render the form with what was typed and a list of problems. */
#include "core/html.h"
#include "text/sanitize.h"
#include "web/page.h"
#include "web/post_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The chapter form (title, summary, notes, text, format), values as typed. */
static int chapter_form_page(struct web_req *r, int status, const struct work *w, const char *title,
                             const char *action, const struct errs *e,
                             const struct chapter *preview, int preview_pos)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, title);
    html_lit(b, "<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<p>Work: <a href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "\">");
    html_text(b, w->title);
    html_lit(b, "</a></p>\n");
    if (e)
        page_errors(r, e->v, e->n);
    if (preview) {
        html_lit(b, "<section class=\"preview\" id=\"preview\" aria-label=\"Preview\">\n"
                    "<p class=\"notice\" id=\"preview-notice\">Preview: not saved yet.</p>\n"
                    "<h2 class=\"title heading\">Chapter ");
        html_int(b, preview_pos);
        if (preview->title && *preview->title) {
            html_lit(b, ": ");
            html_text(b, preview->title);
        }
        html_lit(b, "</h2>\n<div class=\"userstuff\">\n");
        html_safe_put(b, html_sanitized(preview->html));
        html_lit(b, "\n</div>\n</section>\n");
    }
    html_lit(b, "<form method=\"post\" action=\"");
    html_attr(b, action);
    html_lit(b, "\" id=\"chapter-form\">\n");
    page_csrf_field(r);
    page_input(r, "text", "chapter_title", "Chapter title", post_field_or(r, "chapter_title", ""),
               "Optional.");
    page_textarea(r, "chapter_summary", "Chapter summary", post_field_or(r, "chapter_summary", ""),
                  3, NULL);
    page_textarea(r, "chapter_notes_begin", "Notes at the beginning",
                  post_field_or(r, "chapter_notes_begin", ""), 3, NULL);
    page_textarea(r, "chapter_notes_end", "Notes at the end",
                  post_field_or(r, "chapter_notes_end", ""), 3, NULL);
    post_format_radios(r, post_field_or(r, "format", "html"));
    page_textarea(r, "chapter_text", "Chapter text", post_field_or(r, "chapter_text", ""), 20,
                  "HTML (limited to safe tags) or Markdown, as chosen above.");
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" name=\"commit\" value=\"preview\" "
                "id=\"preview-button\">Preview</button>\n<button type=\"submit\" name=\"commit\" "
                "value=\"post\" id=\"post-button\">Post</button></p>\n</form>\n");
    page_end(r);
    return status;
}

/* Reads the chapter form into c; problems into e. */
static void chapter_from_request(struct web_req *r, struct chapter *c, struct errs *e)
{
    const char *title = post_field_or(r, "chapter_title", "");
    const char *text = post_field_or(r, "chapter_text", "");
    const char *format = post_field_or(r, "format", "html");
    const char *sum = post_field_or(r, "chapter_summary", "");
    const char *nb = post_field_or(r, "chapter_notes_begin", "");
    const char *ne = post_field_or(r, "chapter_notes_end", "");
    if (strlen(title) > TITLE_MAX)
        post_err_add(e, "The chapter title can be at most 255 characters.");
    if (strlen(sum) > SUMMARY_MAX)
        post_err_add(e, "The chapter summary can be at most 1250 characters.");
    if (strlen(nb) > NOTES_MAX || strlen(ne) > NOTES_MAX)
        post_err_add(e, "Notes can be at most 5000 characters each.");
    if (strcmp(format, "html") != 0 && strcmp(format, "markdown") != 0)
        post_err_add(e, "Choose HTML or Markdown as the text format.");
    if (post_is_blank(text))
        post_err_add(e, "The chapter needs some text.");
    if (e->n)
        return;
    int rc = post_replace(&c->title, title) | post_replace(&c->summary, sum) |
             post_replace(&c->notes_begin, nb) | post_replace(&c->notes_end, ne) |
             post_set_body(c, text, format);
    if (rc)
        post_err_add(e, "Out of memory.");
    else if (post_is_blank(c->html))
        post_err_add(e, "The chapter needs some text (nothing was left after removing disallowed "
                        "HTML).");
}

static void chapter_clear(struct chapter *c)
{
    free(c->title);
    free(c->summary);
    free(c->notes_begin);
    free(c->notes_end);
    free(c->html);
    memset(c, 0, sizeof(*c));
}

int ui_chapter_new(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    status = chapter_form_page(r, 200, &w, "Add Chapter",
                               web_sprintf(r, "/works/%lld/chapters/new", (long long)w.id), NULL,
                               NULL, 0);
    work_free(&w);
    return status;
}

int ui_chapter_create(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    struct chapter c;
    memset(&c, 0, sizeof(c));
    struct errs e = {{0}, 0};
    chapter_from_request(r, &c, &e);
    const char *action = web_sprintf(r, "/works/%lld/chapters/new", (long long)w.id);
    if (e.n) {
        status = chapter_form_page(r, 422, &w, "Add Chapter", action, &e, NULL, 0);
    } else if (!strcmp(post_commit_of(r), "preview")) {
        status =
            chapter_form_page(r, 200, &w, "Add Chapter", action, NULL, &c, (int)w.nchapters + 1);
    } else {
        int rc = store_chapter_add(r->store, w.id, &c);
        if (!rc && w.expected_chapters > 0 && (size_t)w.expected_chapters < w.nchapters + 1) {
            /* more chapters than announced: the announced count grows with them */
            struct work fresh;
            rc = store_work_get(r->store, w.id, 1, &fresh);
            if (!rc) {
                fresh.expected_chapters = (int)fresh.nchapters;
                rc = store_work_update(r->store, &fresh);
                work_free(&fresh);
            }
        }
        if (!rc)
            readers_notify_chapter_posted(r, w.id, c.id); /* readers: subscribers' inboxes */
        if (rc)
            status = ui_error(r, 500, "The chapter could not be saved.");
        else
            status = web_redirect(
                r, web_sprintf(r, "/works/%lld/chapters/%lld", (long long)w.id, (long long)c.id));
    }
    chapter_clear(&c);
    work_free(&w);
    return status;
}

/* Puts a stored chapter's values into the form fields (for the edit form's first view). */
static void chapter_to_fields(struct web_req *r, const struct chapter *c)
{
    if (kvs_add(&r->form, "chapter_title", c->title ? c->title : "",
                c->title ? strlen(c->title) : 0) ||
        kvs_add(&r->form, "chapter_summary", c->summary ? c->summary : "",
                c->summary ? strlen(c->summary) : 0) ||
        kvs_add(&r->form, "chapter_notes_begin", c->notes_begin ? c->notes_begin : "",
                c->notes_begin ? strlen(c->notes_begin) : 0) ||
        kvs_add(&r->form, "chapter_notes_end", c->notes_end ? c->notes_end : "",
                c->notes_end ? strlen(c->notes_end) : 0) ||
        kvs_add(&r->form, "chapter_text", c->html ? c->html : "", c->html ? strlen(c->html) : 0) ||
        kvs_add(&r->form, "format", "html", 4))
        r->out.err = FICD_ENOMEM;
}

int ui_chapter_edit(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 1, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0) {
        work_free(&w);
        return ui_error(r, 404, "The work has no such chapter.");
    }
    chapter_to_fields(r, &w.chapters[ci]);
    status = chapter_form_page(r, 200, &w, web_sprintf(r, "Edit Chapter %d", ci + 1),
                               web_sprintf(r, "/works/%lld/chapters/%lld/edit", (long long)w.id,
                                           (long long)w.chapters[ci].id),
                               NULL, NULL, 0);
    work_free(&w);
    return status;
}

int ui_chapter_update(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 1, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0) {
        work_free(&w);
        return ui_error(r, 404, "The work has no such chapter.");
    }
    struct chapter *c = &w.chapters[ci];
    struct errs e = {{0}, 0};
    chapter_from_request(r, c, &e);
    const char *title = web_sprintf(r, "Edit Chapter %d", ci + 1);
    const char *action =
        web_sprintf(r, "/works/%lld/chapters/%lld/edit", (long long)w.id, (long long)c->id);
    if (e.n)
        status = chapter_form_page(r, 422, &w, title, action, &e, NULL, 0);
    else if (!strcmp(post_commit_of(r), "preview"))
        status = chapter_form_page(r, 200, &w, title, action, NULL, c, ci + 1);
    else if (store_chapter_update(r->store, w.id, c))
        status = ui_error(r, 500, "The chapter could not be saved.");
    else
        status = web_redirect(
            r, web_sprintf(r, "/works/%lld/chapters/%lld", (long long)w.id, (long long)c->id));
    work_free(&w);
    return status;
}

int ui_chapter_delete_confirm(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0)
        status = ui_error(r, 404, "The work has no such chapter.");
    else if (w.nchapters <= 1)
        status = ui_error(r, 422, "A work needs at least one chapter: delete the work instead.");
    else
        status = post_confirm_page(
            r, "Delete Chapter",
            web_sprintf(r,
                        "Are you sure you want to delete chapter %d of \"%s\"? This cannot be "
                        "undone.",
                        ci + 1, w.title ? w.title : "Untitled"),
            web_sprintf(r, "/works/%lld/chapters/%lld/delete", (long long)w.id,
                        (long long)w.chapters[ci].id),
            "Yes, Delete Chapter", web_sprintf(r, "/works/%lld", (long long)w.id));
    work_free(&w);
    return status;
}

int ui_chapter_delete(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0)
        status = ui_error(r, 404, "The work has no such chapter.");
    else if (w.nchapters <= 1)
        status = ui_error(r, 422, "A work needs at least one chapter: delete the work instead.");
    else if (store_chapter_delete(r->store, w.id, w.chapters[ci].id))
        status = ui_error(r, 500, "The chapter could not be deleted.");
    else
        status = web_redirect(r, web_sprintf(r, "/works/%lld", (long long)w.id));
    work_free(&w);
    return status;
}

static int manage_page(struct web_req *r, int status, const struct work *w, const char *error)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, "Manage Chapters");
    html_lit(b, "<h1>Manage Chapters</h1>\n<p>Work: <a href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "\">");
    html_text(b, w->title);
    html_lit(b, "</a></p>\n");
    if (error)
        page_errors(r, &error, 1);
    html_lit(b, "<p>Give each chapter its new position and save.</p>\n<form method=\"post\" "
                "action=\"/works/");
    html_int(b, w->id);
    html_lit(b, "/chapters/manage\" id=\"manage-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<ol class=\"chapters\">\n");
    for (size_t i = 0; i < w->nchapters; i++) {
        const struct chapter *c = &w->chapters[i];
        const char *name = web_sprintf(r, "position_%lld", (long long)c->id);
        html_lit(b, "<li><label for=\"");
        html_attr(b, name);
        html_lit(b, "\">");
        html_text(b, c->title && *c->title ? c->title : web_sprintf(r, "Chapter %zu", i + 1));
        html_lit(b, "</label> <input type=\"number\" min=\"1\" name=\"");
        html_attr(b, name);
        html_lit(b, "\" id=\"");
        html_attr(b, name);
        html_lit(b, "\" value=\"");
        html_int(b, (long long)i + 1);
        html_lit(b, "\"> <a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/");
        html_int(b, c->id);
        html_lit(b, "/edit\">Edit</a> <a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/");
        html_int(b, c->id);
        html_lit(b, "/delete\">Delete</a></li>\n");
    }
    html_lit(b, "</ol>\n<p class=\"actions\"><button type=\"submit\" id=\"reorder-button\">"
                "Update Positions</button></p>\n</form>\n");
    page_end(r);
    return status;
}

int ui_chapters_manage(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    status = manage_page(r, 200, &w, NULL);
    work_free(&w);
    return status;
}

struct slot {
    long pos;
    size_t old;
    int64_t id;
};

static int slot_cmp(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->old < y->old ? -1 : x->old > y->old;
}

int ui_chapters_reorder(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    struct slot *s = web_alloc(r, (w.nchapters + 1) * sizeof(*s));
    int64_t *ids = web_alloc(r, (w.nchapters + 1) * sizeof(*ids));
    const char *error = NULL;
    for (size_t i = 0; i < w.nchapters && !error; i++) {
        const char *v = web_field(r, web_sprintf(r, "position_%lld", (long long)w.chapters[i].id));
        char *end;
        long p = v ? strtol(v, &end, 10) : 0;
        if (!v || !*v || *end || p < 1 || p > 100000)
            error = "Every chapter needs a position: a whole number from 1 up.";
        s[i].pos = p;
        s[i].old = i;
        s[i].id = w.chapters[i].id;
    }
    if (error) {
        status = manage_page(r, 422, &w, error);
    } else {
        qsort(s, w.nchapters, sizeof(*s), slot_cmp);
        for (size_t i = 0; i < w.nchapters; i++)
            ids[i] = s[i].id;
        if (store_chapter_reorder(r->store, w.id, ids, w.nchapters))
            status = ui_error(r, 500, "The chapters could not be reordered.");
        else
            status = web_redirect(r, web_sprintf(r, "/works/%lld", (long long)w.id));
    }
    work_free(&w);
    return status;
}
