/* ui_post.c: posting: the new-work form (preview, save draft, post), editing, publishing and
 * deleting works. Bad values re-render the form with what was typed and a list of problems.
 * The form's values are read and checked in post_form.c; import is ui_import.c, chapters
 * ui_chapters.c. */
#include "core/html.h"
#include "web/page.h"
#include "web/post_int.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- feedback (issue #11): the work form's comment settings ---- */
static void feedback_fields(struct web_req *r, const struct post_form *f)
{
    struct buf *b = &r->out;
    static const char *const value[] = {"everyone", "registered", "nobody"};
    static const char *const label[] = {"Everyone, including guests", "Registered users only",
                                        "Nobody (comments off)"};
    int policy = f->feedback_given && f->comment_policy >= 0 ? f->comment_policy : 0;
    html_lit(b, "<fieldset id=\"feedback-fields\">\n<legend>Comments</legend>\n"
                "<input type=\"hidden\" name=\"feedback_fields\" value=\"1\">\n"
                "<fieldset id=\"comment-policy\">\n<legend>Who may comment</legend>\n");
    for (int i = 0; i < 3; i++) {
        html_lit(b, "<label><input type=\"radio\" name=\"comment_policy\" value=\"");
        html_attr(b, value[i]);
        html_lit(b, "\" id=\"comment_policy_");
        html_attr(b, value[i]);
        html_lit(b, "\"");
        if (policy == i)
            html_lit(b, " checked");
        html_lit(b, "> ");
        html_text(b, label[i]);
        html_lit(b, "</label>\n");
    }
    html_lit(b, "</fieldset>\n<p class=\"field\"><label><input type=\"checkbox\" "
                "name=\"moderate_comments\" id=\"moderate_comments\" value=\"1\"");
    if (f->feedback_given && f->moderate_comments)
        html_lit(b, " checked");
    html_lit(b, "> Hold comments for my approval before they appear</label></p>\n"
                "</fieldset>\n");
}
/* ---- end of feedback ---- */
static int readers_series_option(const struct series *se, void *ctx)
{
    struct web_req *r = ctx;
    html_lit(&r->out, "<option value=\"");
    html_attr(&r->out, se->title);
    html_lit(&r->out, "\"></option>");
    return 0;
}

static void readers_form_fields(struct web_req *r, const struct post_form *f)
{
    struct buf *b = &r->out;
    html_lit(b, "<fieldset id=\"series-fields\">\n<legend>Series</legend>\n");
    html_lit(b, "<p class=\"field\"><label for=\"series\">Series</label> <input type=\"text\" "
                "name=\"series\" id=\"series\" list=\"series-options\" "
                "aria-describedby=\"series-hint\" value=\"");
    html_attr(b, f->series);
    html_lit(b, "\"> <small class=\"hint\" id=\"series-hint\">One of your series, or a new "
                "title to start one; blank for none.</small></p>\n<datalist "
                "id=\"series-options\">");
    /* the choices are a convenience: without them the field still takes any title */
    if (r->user.id > 0)
        if (store_series_list_user(r->store, r->user.id, readers_series_option, r) != 0)
            html_lit(b, "<!-- your series could not be listed -->");
    html_lit(b, "</datalist>\n");
    page_input(r, "text", "series_position", "Part number", f->series_position,
               "Blank: after the last part.");
    html_lit(b, "</fieldset>\n<fieldset id=\"association-fields\">\n<legend>Associations"
                "</legend>\n");
    page_input(r, "text", "gift_to", "Gift this work to", f->gift_to,
               "Archive user names and/or other recipients, separated by commas.");
    page_input(r, "text", "co_creators", "Invite co-creators", f->co_creators,
               "Archive user names, separated by commas: each is credited once they accept.");
    page_input(r, "text", "inspired_by", "Inspired by", f->inspired_by,
               "The address of a work on this archive; its creator approves the link.");
    html_lit(b, "</fieldset>\n");
}

/* After a work was stored: the associations that need its id (gifts, invitations, the
 * inspired-by link). */
static void readers_form_saved(struct web_req *r, const struct post_form *f, int64_t work_id,
                               int was_posted)
{
    readers_work_saved(r, work_id, f->gift_to, f->co_creators, f->inspired_by, was_posted);
}

/* ---- end of the readers' block ---- */

/* ---- the work form ---- */

static void datalist(struct web_req *r, const char *id, enum tag_type type);

static void tag_input(struct web_req *r, int i, const char *value)
{
    struct buf *b = &r->out;
    const char *name = post_tag_field[i];
    html_lit(b, "<p class=\"field\"><label for=\"");
    html_attr(b, name);
    html_lit(b, "\">");
    html_text(b, post_tag_label[i]);
    html_lit(b, "</label> <input type=\"text\" name=\"");
    html_attr(b, name);
    html_lit(b, "\" id=\"");
    html_attr(b, name);
    html_lit(b, "\" value=\"");
    html_attr(b, value);
    html_lit(b, "\" list=\"");
    html_attr(b, name);
    html_lit(b, "-list\" data-autocomplete=\"");
    html_attr(b, tag_type_name(post_tag_types[i]));
    html_lit(b, "\" autocomplete=\"off\" aria-describedby=\"");
    html_attr(b, name);
    html_lit(b, "-hint\"> <small class=\"hint\" id=\"");
    html_attr(b, name);
    html_lit(b, "-hint\">Separate tags with commas.</small></p>\n");
    datalist(r, web_sprintf(r, "%s-list", name), post_tag_types[i]);
}

struct dl_ctx {
    struct web_req *r;
};

static int datalist_cb(const struct tag *t, void *ctx)
{
    struct buf *b = &((struct dl_ctx *)ctx)->r->out;
    html_lit(b, "<option value=\"");
    html_attr(b, t->name);
    html_lit(b, "\"></option>");
    return 0;
}

/* The most used tags of a type, for browsers to suggest without the script. */
static void datalist(struct web_req *r, const char *id, enum tag_type type)
{
    struct buf *b = &r->out;
    struct dl_ctx c = {r};
    html_lit(b, "<datalist id=\"");
    html_attr(b, id);
    html_lit(b, "\">");
    if (store_tag_list(r->store, (int)type, NULL, 30, datalist_cb, &c))
        fprintf(stderr, "ficd: tag list: %s\n", store_errmsg(r->store));
    html_lit(b, "</datalist>\n");
}

static void checkboxes(struct web_req *r, const char *legend, const char *name, int count,
                       const char *(*label)(unsigned), unsigned chosen)
{
    struct buf *b = &r->out;
    html_lit(b, "<fieldset id=\"");
    html_attr(b, name);
    html_lit(b, "s\">\n<legend>");
    html_text(b, legend);
    html_lit(b, "</legend>\n");
    for (int i = 0; i < count; i++) {
        unsigned bit = 1u << i;
        html_lit(b, "<label><input type=\"checkbox\" name=\"");
        html_attr(b, name);
        html_lit(b, "\" value=\"");
        html_int(b, bit);
        html_lit(b, "\" id=\"");
        html_attr(b, name);
        html_lit(b, "_");
        html_int(b, bit);
        html_lit(b, "\"");
        if (chosen & bit)
            html_lit(b, " checked");
        html_lit(b, "> ");
        html_text(b, label(bit));
        html_lit(b, "</label>\n");
    }
    html_lit(b, "</fieldset>\n");
}

void post_format_radios(struct web_req *r, const char *format)
{
    struct buf *b = &r->out;
    int md = !strcmp(format, "markdown");
    html_lit(b, "<fieldset id=\"text-format\">\n<legend>Text format</legend>\n"
                "<label><input type=\"radio\" name=\"format\" value=\"html\" id=\"format_html\"");
    if (!md)
        html_lit(b, " checked");
    html_lit(b, "> HTML</label>\n<label><input type=\"radio\" name=\"format\" value=\"markdown\" "
                "id=\"format_markdown\"");
    if (md)
        html_lit(b, " checked");
    html_lit(b, "> Markdown</label>\n</fieldset>\n");
}

/* Importer suggestions, apart from the declared tags, each with an Add button for the
 * script (hidden without it). */
static void suggestions(struct web_req *r, const struct work *w)
{
    const struct strlist *l[3] = {&w->sugg_fandoms, &w->sugg_relationships, &w->sugg_characters};
    const char *field[3] = {"fandoms", "relationships", "characters"};
    const char *label[3] = {"Fandoms", "Relationships", "Characters"};
    if (!l[0]->n && !l[1]->n && !l[2]->n)
        return;
    struct buf *b = &r->out;
    html_lit(b, "<section class=\"suggested\" id=\"suggested\" aria-labelledby=\"sugg-heading\">"
                "\n<h2 id=\"sugg-heading\">Suggested</h2>\n<p>Found in your manuscript. They are "
                "not added unless you add them.</p>\n");
    for (int k = 0; k < 3; k++) {
        if (!l[k]->n)
            continue;
        html_lit(b, "<h3>");
        html_text(b, label[k]);
        html_lit(b, "</h3>\n<ul>\n");
        for (size_t i = 0; i < l[k]->n; i++) {
            html_lit(b, "<li>");
            html_text(b, l[k]->v[i]);
            html_lit(b, " <button type=\"button\" hidden data-field=\"");
            html_attr(b, field[k]);
            html_lit(b, "\" data-add-tag=\"");
            html_attr(b, l[k]->v[i]);
            html_lit(b, "\">Add</button></li>\n");
        }
        html_lit(b, "</ul>\n");
    }
    html_lit(b, "</section>\n");
}

/* Below the chapter-1 fields of a stored work with several chapters: says that the form
 * edits chapter 1 only and links to the edit form of every other chapter. */
static void other_chapters(struct web_req *r, const struct work *w)
{
    struct buf *b = &r->out;
    html_lit(b, "<p id=\"other-chapters-note\">This form changes the work's details and "
                "chapter 1. Edit the other chapters on their own pages:</p>\n"
                "<ul id=\"other-chapters\">\n");
    for (size_t i = 1; i < w->nchapters; i++) {
        const struct chapter *c = &w->chapters[i];
        html_lit(b, "<li><a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/");
        html_int(b, c->id);
        html_lit(b, "/edit\">Edit chapter ");
        html_int(b, (long long)i + 1);
        if (c->title && *c->title) {
            html_lit(b, ": ");
            html_text(b, c->title);
        }
        html_lit(b, "</a></li>\n");
    }
    html_lit(b, "</ul>\n");
}

/* The whole work form. action is the POST target; stored is the work being edited (NULL
 * for a new one): when it has several chapters, the text fields are labelled as chapter 1's
 * and the other chapters are linked. */
static void work_form(struct web_req *r, const char *action, enum form_mode mode,
                      const struct post_form *f, const struct work *stored)
{
    int several = stored && stored->nchapters > 1;
    struct buf *b = &r->out;
    struct strlist mine;
    strlist_init(&mine);
    if (store_pseud_list(r->store, r->user.id, &mine))
        fprintf(stderr, "ficd: pseuds: %s\n", store_errmsg(r->store));
    for (size_t i = 0; i < f->pseuds.n; i++)
        if (strlist_add_unique(&mine, f->pseuds.v[i]))
            b->err = FICD_ENOMEM;
    html_lit(b, "<form method=\"post\" action=\"");
    html_attr(b, action);
    html_lit(b, "\" id=\"work-form\" class=\"post work\">\n");
    page_csrf_field(r);
    html_lit(b, "<fieldset>\n<legend>Tags</legend>\n<p class=\"field\"><label for=\"rating\">"
                "Rating</label> <select name=\"rating\" id=\"rating\">\n");
    for (int i = 0; i < RATING__COUNT; i++) {
        html_lit(b, "<option value=\"");
        html_int(b, i);
        html_lit(b, "\"");
        if (i == f->rating || (f->rating < 0 && i == 0))
            html_lit(b, " selected");
        html_lit(b, ">");
        html_text(b, rating_name((enum rating)i));
        html_lit(b, "</option>\n");
    }
    html_lit(b, "</select></p>\n");
    checkboxes(r, "Archive Warnings", "warning", WARN__COUNT, warning_name, f->warnings);
    checkboxes(r, "Categories", "category", CAT__COUNT, category_name, f->categories);
    for (int i = 0; i < 4; i++)
        tag_input(r, i, f->tags[i]);
    html_lit(b, "</fieldset>\n<fieldset>\n<legend>Preface</legend>\n");
    page_input(r, "text", "title", "Work Title", f->title, NULL);
    html_lit(b, "<p class=\"field\"><label for=\"pseud\">Creator/Pseud(s)</label> "
                "<select name=\"pseud\" id=\"pseud\" multiple size=\"");
    html_int(b, mine.n < 2 ? 2 : mine.n > 6 ? 6 : (long long)mine.n);
    html_lit(b, "\">\n");
    for (size_t i = 0; i < mine.n; i++) {
        html_lit(b, "<option value=\"");
        html_attr(b, mine.v[i]);
        html_lit(b, "\"");
        if (strlist_contains(&f->pseuds, mine.v[i]) ||
            (!f->pseuds.n && r->user.name && !strcmp(mine.v[i], r->user.name)))
            html_lit(b, " selected");
        html_lit(b, ">");
        html_text(b, mine.v[i]);
        html_lit(b, "</option>\n");
    }
    html_lit(b, "</select></p>\n");
    strlist_free(&mine);
    page_textarea(r, "summary", "Summary", f->summary, 5, "Plain text, at most 1250 characters.");
    page_textarea(r, "notes_begin", "Notes at the beginning", f->notes_begin, 4, NULL);
    page_textarea(r, "notes_end", "Notes at the end", f->notes_end, 4, NULL);
    page_input(r, "text", "language", "Language", f->language, NULL);
    html_lit(b, "<p class=\"field\"><label><input type=\"checkbox\" name=\"restricted\" "
                "id=\"restricted\" value=\"1\"");
    if (f->restricted)
        html_lit(b, " checked");
    html_lit(b, "> Only show this work to registered users</label></p>\n");
    page_input(r, "text", "expected_chapters", "Chapters expected", f->expected,
               "A number, or leave blank (or ?) when you don't know yet.");
    html_lit(b, "</fieldset>\n");
    readers_form_fields(r, f);
    html_lit(b, "<fieldset id=\"chapter-1-fields\">\n<legend>Chapter 1</legend>\n");
    page_input(r, "text", "chapter_title", several ? "Chapter 1 title" : "Chapter title",
               f->chapter_title, "Optional.");
    post_format_radios(r, f->format);
    page_textarea(r, "chapter_text", several ? "Chapter 1 text" : "Work text", f->chapter_text, 20,
                  "HTML (limited to safe tags) or Markdown, as chosen above.");
    if (several)
        other_chapters(r, stored);
    html_lit(b, "</fieldset>\n");
    feedback_fields(r, f);
    html_lit(b, "<p class=\"actions\">"
                "<button type=\"submit\" name=\"commit\" value=\"preview\" id=\"preview-button\">"
                "Preview</button>\n");
    if (mode != FORM_EDIT_POSTED)
        html_lit(b, "<button type=\"submit\" name=\"commit\" value=\"draft\" id=\"draft-button\">"
                    "Save Draft</button>\n");
    if (mode == FORM_EDIT_POSTED)
        html_lit(b, "<button type=\"submit\" name=\"commit\" value=\"post\" id=\"post-button\">"
                    "Update</button>\n");
    else
        html_lit(b, "<button type=\"submit\" name=\"commit\" value=\"post\" id=\"post-button\">"
                    "Post</button>\n");
    html_lit(b, "</p>\n</form>\n");
}

/* A full page: heading, errors, optional preview, the form. */
int post_work_form_page(struct web_req *r, int status, const char *title, const char *action,
                        enum form_mode mode, const struct post_form *f, const struct errs *e,
                        const struct work *preview, const struct work *sugg, const char *notice,
                        const struct work *stored)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, title);
    if (!preview) { /* a preview's work title is the page's h1 */
        html_lit(b, "<h1>");
        html_text(b, title);
        html_lit(b, "</h1>\n");
    }
    if (notice) {
        html_lit(b, "<p class=\"notice\" role=\"status\" id=\"notice\">");
        html_text(b, notice);
        html_lit(b, "</p>\n");
    }
    if (e)
        page_errors(r, e->v, e->n);
    if (preview) {
        html_lit(b, "<section class=\"preview\" id=\"preview\" aria-label=\"Preview\">\n");
        page_work_body(r, preview, -1, 1);
        html_lit(b, "</section>\n");
    }
    if (sugg)
        suggestions(r, sugg);
    work_form(r, action, mode, f, stored);
    page_end(r);
    return status;
}

const char *post_commit_of(struct web_req *r)
{
    const char *c = web_field(r, "commit");
    if (c && (!strcmp(c, "preview") || !strcmp(c, "draft")))
        return c;
    return "post";
}

int ui_work_new(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct post_form f;
    memset(&f, 0, sizeof(f));
    f.title = f.summary = f.notes_begin = f.notes_end = f.expected = f.chapter_title = "";
    f.chapter_text = "";
    f.language = "English";
    f.format = "html";
    f.rating = 0;
    for (int i = 0; i < 4; i++)
        f.tags[i] = "";
    strlist_init(&f.pseuds);
    post_work_form_page(r, 200, "Post New Work", "/works", FORM_NEW, &f, NULL, NULL, NULL,
                        "You can also import a manuscript file instead.", NULL);
    return 200;
}

int ui_work_create(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct post_form f;
    post_form_from_request(r, &f);
    struct errs e = {{0}, 0};
    struct work w;
    work_init(&w);
    post_form_to_work(r, &f, &w, NULL, &e);
    const char *commit = post_commit_of(r);
    int status;
    if (e.n) {
        status = post_work_form_page(r, 422, "Post New Work", "/works", FORM_NEW, &f, &e, NULL,
                                     NULL, NULL, NULL);
    } else if (!strcmp(commit, "preview")) {
        status = post_work_form_page(r, 200, "Preview Work", "/works", FORM_NEW, &f, NULL, &w, NULL,
                                     NULL, NULL);
    } else {
        w.draft = !strcmp(commit, "draft");
        w.user_id = r->user.id;
        if (store_work_insert(r->store, &w))
            status = ui_error(r, 500, "The work could not be saved.");
        else {
            readers_form_saved(r, &f, w.id, 0); /* readers: gifts, co-creators, inspired by */
            if (!w.draft)
                readers_notify_work_posted(r, w.id); /* readers: subscribers' inboxes */
            status = web_redirect(r, web_sprintf(r, "/works/%lld", (long long)w.id));
        }
    }
    strlist_free(&f.pseuds);
    work_free(&w);
    return status;
}

int ui_work_edit(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 1, &w);
    if (status)
        return status;
    struct post_form f;
    post_form_from_work(r, &w, &f);
    status = post_work_form_page(r, 200, web_sprintf(r, "Edit %s", w.title ? w.title : "Work"),
                                 web_sprintf(r, "/works/%lld/edit", (long long)w.id),
                                 w.draft ? FORM_EDIT_DRAFT : FORM_EDIT_POSTED, &f, NULL, NULL, NULL,
                                 NULL, &w);
    strlist_free(&f.pseuds);
    work_free(&w);
    return status;
}

int ui_work_update(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 1, &w);
    if (status)
        return status;
    struct work old;
    if (work_copy(&old, &w)) {
        work_free(&w);
        return ui_error(r, 500, "Out of memory.");
    }
    struct post_form f;
    post_form_from_request(r, &f);
    struct errs e = {{0}, 0};
    post_form_to_work(r, &f, &w, &old, &e);
    const char *commit = post_commit_of(r);
    const char *action = web_sprintf(r, "/works/%lld/edit", (long long)w.id);
    const char *title = web_sprintf(r, "Edit %s", old.title ? old.title : "Work");
    enum form_mode mode = old.draft ? FORM_EDIT_DRAFT : FORM_EDIT_POSTED;
    if (e.n) {
        status = post_work_form_page(r, 422, title, action, mode, &f, &e, NULL, NULL, NULL, &old);
    } else if (!strcmp(commit, "preview")) {
        status = post_work_form_page(r, 200, title, action, mode, &f, NULL, &w, NULL, NULL, &old);
    } else {
        int rc = store_work_update(r->store, &w);
        if (!rc)
            readers_form_saved(r, &f, w.id, !old.draft); /* readers: gifts, co-creators, ... */
        if (!rc && old.draft && !strcmp(commit, "post")) {
            rc = store_work_publish(r->store, w.id);
            if (!rc)
                readers_notify_work_posted(r, w.id); /* readers: subscribers' inboxes */
        }
        if (rc)
            status = ui_error(r, 500, "The work could not be saved.");
        else
            status = web_redirect(r, web_sprintf(r, "/works/%lld", (long long)w.id));
    }
    strlist_free(&f.pseuds);
    work_free(&old);
    work_free(&w);
    return status;
}

int ui_work_publish(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    int64_t id = w.id;
    int draft = w.draft;
    work_free(&w);
    if (draft && store_work_publish(r->store, id))
        return ui_error(r, 500, "The work could not be posted.");
    if (draft)
        readers_notify_work_posted(r, id); /* readers: subscribers' inboxes */
    return web_redirect(r, web_sprintf(r, "/works/%lld", (long long)id));
}

/* A confirmation page with one POST button. */
int post_confirm_page(struct web_req *r, const char *title, const char *question,
                      const char *action, const char *button, const char *cancel)
{
    struct buf *b = &r->out;
    page_begin(r, title);
    html_lit(b, "<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<p>");
    html_text(b, question);
    html_lit(b, "</p>\n<form method=\"post\" action=\"");
    html_attr(b, action);
    html_lit(b, "\" id=\"confirm-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"confirm-button\">");
    html_text(b, button);
    html_lit(b, "</button> <a href=\"");
    html_attr(b, cancel);
    html_lit(b, "\">Cancel</a></p>\n</form>\n");
    page_end(r);
    return 200;
}

int ui_work_delete_confirm(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    status = post_confirm_page(
        r, "Delete Work",
        web_sprintf(r, "Are you sure you want to delete \"%s\"? This cannot be undone.",
                    w.title ? w.title : "Untitled"),
        web_sprintf(r, "/works/%lld/delete", (long long)w.id), "Yes, Delete Work",
        web_sprintf(r, "/works/%lld", (long long)w.id));
    work_free(&w);
    return status;
}

int ui_work_delete(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    int64_t id = w.id;
    work_free(&w);
    if (store_work_delete(r->store, id))
        return ui_error(r, 500, "The work could not be deleted.");
    return web_redirect(r, "/dashboard");
}
