/* ui_comments.c: the comment pages: a work's comments, posting, a thread, replies, editing,
 * deleting, freezing, and the comments held for the creator's approval. */
#include "core/html.h"
#include "store/store.h"
#include "text/sanitize.h"
#include "web/feedback_int.h"
#include "web/page.h"
#include "web/ratelimit.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int ui_comments_index(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 0, &w);
    if (status)
        return status;
    status =
        web_redirect(r, web_sprintf(r, "/works/%lld?show_comments=true#comments", (long long)w.id));
    work_free(&w);
    return status;
}

/* The comment form again, with the reasons it was refused (status 422). */
static int comment_form_page(struct web_req *r, const struct work *w, const char *action,
                             const char *heading, const struct comment_fields *f,
                             const char *const *errs, size_t nerr, int status)
{
    buf_reset(&r->out);
    page_begin(r, heading);
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">");
    html_text(b, heading);
    html_lit(b, "</h1>\n<p>On <a href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "\">");
    html_text(b, w->title && *w->title ? w->title : "Untitled");
    html_lit(b, "</a></p>\n");
    page_errors(r, errs, nerr);
    fb_comment_form(r, w, action, "comment-form", heading, f);
    page_end(r);
    return status;
}

/* The shared part of a new comment and a reply: checks, sanitizes, holds for approval when
 * needed, stores, and answers (redirect, held notice, or the form with the reasons). */
static int post_comment(struct web_req *r, const struct work *w, int64_t parent_id,
                        const char *action, const char *heading)
{
    const char *no = fb_comment_refusal(r, w);
    if (no)
        return ui_error(r, 403, no);
    if (web_user_suspended(r))
        return ui_suspended(r);
    struct comment_fields f = {.content = web_field(r, "content"),
                               .name = fb_trimmed(r, web_field(r, "name")),
                               .email = fb_trimmed(r, web_field(r, "email")),
                               .format = web_field(r, "format")};
    if (!f.content)
        f.content = "";
    const char *errs[6];
    size_t nerr = 0;
    const char *ch = web_field(r, "chapter_id");
    if (parent_id == 0 && ch && *ch) {
        char *end;
        long long cid = strtoll(ch, &end, 10);
        for (size_t i = 0; !*end && i < w->nchapters; i++)
            if (w->chapters[i].id == cid)
                f.chapter_id = cid;
        if (!f.chapter_id)
            errs[nerr++] = "The chapter you are commenting on is not part of this work.";
    }
    if (f.format && strcmp(f.format, "html") != 0 && strcmp(f.format, "markdown") != 0)
        errs[nerr++] = "Choose plain text/HTML or Markdown as the comment's format.";
    size_t chars = fb_utf8_chars(f.content);
    char *body = fb_trimmed(r, f.content);
    if (!*body)
        errs[nerr++] = "Please enter a comment: it cannot be empty.";
    else if (chars > COMMENT_MAX_CHARS)
        errs[nerr++] = web_sprintf(r,
                                   "Your comment is too long: at most 10,000 characters (it has "
                                   "%zu).",
                                   chars);
    if (r->user.id <= 0) {
        if (!*f.name)
            errs[nerr++] = "Please enter your name.";
        else if (fb_utf8_chars(f.name) > GUEST_NAME_MAX)
            errs[nerr++] = "Your name is too long (at most 100 characters).";
        const char *at = strchr(f.email, '@');
        if (!*f.email || !at || at == f.email || !strchr(at, '.') ||
            strlen(f.email) > GUEST_EMAIL_MAX || strchr(f.email, ' '))
            errs[nerr++] = "Please enter a valid email address (it is never shown).";
    }
    char *html = NULL;
    if (!nerr) {
        html = fb_comment_html(body, f.format);
        if (!html)
            return ui_error(r, 500, "Your comment could not be processed.");
        if (fb_html_blank(html))
            errs[nerr++] = "Your comment has nothing left once unsafe HTML is removed.";
    }
    if (nerr) {
        free(html);
        return comment_form_page(r, w, action, heading, &f, errs, nerr, 422);
    }
    /* hold for approval: the creator asks for it, or a guest trips the spam limits */
    const char *held = NULL;
    if (w->moderate_comments && !web_can_edit(r, w))
        held = "The creator reviews comments on this work: yours will appear once approved.";
    if (r->user.id <= 0 && !held) {
        int links = fb_count_links(html);
        if (links > r->cfg->guest_comment_links)
            held = web_sprintf(r,
                               "Your comment holds %d links (guests may post %d without review): "
                               "it will appear once the creator approves it.",
                               links, r->cfg->guest_comment_links);
        else if (ratelimit_test(r, RL_COMMENT) > 0)
            held = "You have posted many comments in a short time: this one will appear once "
                   "the creator approves it.";
    }
    struct comment c = {.work_id = w->id,
                        .chapter_id = f.chapter_id,
                        .parent_id = parent_id,
                        .user_id = r->user.id > 0 ? r->user.id : 0,
                        .name = r->user.id > 0 ? r->user.name : (char *)f.name,
                        .email = r->user.id > 0 ? NULL : (char *)f.email,
                        .ip = r->remote_ip,
                        .html = html,
                        .unreviewed = held != NULL};
    int rc = store_comment_add(r->store, &c);
    free(html);
    if (rc == FICD_EINVAL) {
        const char *msg = web_strdup(r, store_errmsg(r->store));
        const char *e1[] = {web_sprintf(r, "Your comment could not be posted: %s.", msg)};
        return comment_form_page(r, w, action, heading, &f, e1, 1, 422);
    }
    if (rc)
        return ui_error(r, 500, "Your comment could not be saved; try again.");
    if (held) {
        page_begin(r, "Comment received");
        struct buf *b = &r->out;
        html_lit(b, "<h1 class=\"heading\">Comment received</h1>\n<p class=\"notice\" "
                    "id=\"comment-held\" role=\"status\">");
        html_text(b, held);
        html_lit(b, "</p>\n<p><a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "\">Back to the work</a></p>\n");
        page_end(r);
        return 202;
    }
    if (c.chapter_id > 0 && w->nchapters > 1)
        return web_redirect(r, web_sprintf(r, "/works/%lld/chapters/%lld#comment_%lld",
                                           (long long)w->id, (long long)c.chapter_id,
                                           (long long)c.id));
    return web_redirect(r, web_sprintf(r, "/works/%lld?show_comments=true#comment_%lld",
                                       (long long)w->id, (long long)c.id));
}

int ui_comment_create(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 0, &w);
    if (status)
        return status;
    if (w.draft) {
        work_free(&w);
        return ui_error(r, 422, "Drafts cannot receive comments.");
    }
    status = post_comment(r, &w, 0, web_sprintf(r, "/works/%lld/comments", (long long)w.id),
                          "Post Comment");
    work_free(&w);
    return status;
}

/* Loads the comment named by route parameter 0 and its work (readable by the visitor; held
 * comments only for the work's moderators and their writer). Returns 0 or the status of
 * the page rendered instead. */
int fb_load_comment(struct web_req *r, struct comment *c, struct work *w)
{
    int64_t id = web_param_id(r, 0);
    if (!id)
        return ui_error(r, 404, "There is no comment at this address.");
    int rc = store_comment_get(r->store, id, c);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no comment at this address.");
    if (rc)
        return ui_error(r, 500, "The comment could not be read.");
    int status = web_load_work_id(r, c->work_id, 0, 0, w);
    if (status) {
        comment_free(c);
        return status;
    }
    if (c->unreviewed && !fb_can_moderate(r, w) && !(r->user.id > 0 && c->user_id == r->user.id)) {
        comment_free(c);
        work_free(w);
        return ui_error(r, 404, "There is no comment at this address.");
    }
    return 0;
}

int ui_comment_show(struct web_req *r)
{
    struct comment c;
    struct work w;
    int status = fb_load_comment(r, &c, &w);
    if (status)
        return status;
    const char *title = w.title && *w.title ? w.title : "Untitled";
    page_begin(r, web_sprintf(r, "Comment on %s", title));
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Comment on <a href=\"/works/");
    html_int(b, w.id);
    html_lit(b, "\">");
    html_text(b, title);
    html_lit(b, "</a></h1>\n");
    if (c.parent_id > 0) {
        html_lit(b, "<p><a id=\"parent-comment\" href=\"/comments/");
        html_int(b, c.parent_id);
        html_lit(b, "\">Parent thread</a></p>\n");
    }
    if (c.unreviewed)
        html_lit(b, "<p class=\"notice\">This comment awaits the creator's approval.</p>\n");
    html_lit(b, "<section class=\"comments\" id=\"comments\">\n");
    struct comment_query q = {.work_id = w.id, .thread_id = c.id, .unreviewed = c.unreviewed};
    if (c.unreviewed) {
        struct render_ctx x = {.r = r, .w = &w, .level = -1};
        c.depth = 0;
        fb_render_comment_cb(&c, &x);
        fb_render_end(&x);
    } else {
        fb_render_comments(r, &w, &q);
    }
    html_lit(b, "</section>\n");
    if (!c.deleted && !c.unreviewed) {
        if (c.frozen) {
            html_lit(b, "<p class=\"notice\" id=\"thread-frozen\">This thread is frozen: it takes "
                        "no more replies.</p>\n");
        } else {
            struct comment_fields f = {0};
            html_lit(b, "<div id=\"reply\">\n");
            fb_comment_form(r, &w, web_sprintf(r, "/comments/%lld/comments", (long long)c.id),
                            "reply-form", "Reply", &f);
            html_lit(b, "</div>\n");
        }
    }
    page_end(r);
    comment_free(&c);
    work_free(&w);
    return 200;
}

int ui_comment_reply(struct web_req *r)
{
    struct comment c;
    struct work w;
    int status = fb_load_comment(r, &c, &w);
    if (status)
        return status;
    if (c.deleted || c.unreviewed)
        status = ui_error(r, 422, "You cannot reply to a deleted or unapproved comment.");
    else if (c.frozen)
        status = ui_error(r, 403, "This thread is frozen: it takes no more replies.");
    else
        status = post_comment(r, &w, c.id,
                              web_sprintf(r, "/comments/%lld/comments", (long long)c.id), "Reply");
    comment_free(&c);
    work_free(&w);
    return status;
}

/* The edit form for the writer of c; errs shown above it. */
static int edit_page(struct web_req *r, const struct comment *c, const char *content,
                     const char *const *errs, size_t nerr, int status)
{
    buf_reset(&r->out);
    page_begin(r, "Edit Comment");
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Edit Comment</h1>\n");
    page_errors(r, errs, nerr);
    const char *action = web_sprintf(r, "/comments/%lld/edit", (long long)c->id);
    html_lit(b, "<form method=\"post\" id=\"edit-comment\" action=\"");
    html_attr(b, action);
    html_lit(b, "\">\n");
    page_csrf_field(r);
    page_textarea(r, "content", "Comment", content, 8,
                  "Plain text, HTML or Markdown; at most 10,000 characters.");
    html_lit(b, "<p class=\"field\"><label for=\"comment_format\">Format</label> <select "
                "name=\"format\" id=\"comment_format\"><option value=\"html\" selected>Plain "
                "text or HTML</option><option value=\"markdown\">Markdown</option></select></p>\n"
                "<p class=\"submit\"><button type=\"submit\" id=\"comment-update\">Update"
                "</button> <a href=\"/comments/");
    html_int(b, c->id);
    html_lit(b, "\">Cancel</a></p>\n</form>\n");
    page_end(r);
    return status;
}

/* Loads the comment for its writer only (edit). */
static int load_own_comment(struct web_req *r, struct comment *c, struct work *w)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    int status = fb_load_comment(r, c, w);
    if (status)
        return status;
    if (c->user_id != r->user.id || c->deleted) {
        comment_free(c);
        work_free(w);
        return ui_error(r, 403, "Only the comment's writer can edit it.");
    }
    return 0;
}

int ui_comment_edit_form(struct web_req *r)
{
    struct comment c;
    struct work w;
    int status = load_own_comment(r, &c, &w);
    if (status)
        return status;
    status = edit_page(r, &c, c.html, NULL, 0, 200);
    comment_free(&c);
    work_free(&w);
    return status;
}

int ui_comment_edit(struct web_req *r)
{
    struct comment c;
    struct work w;
    int status = load_own_comment(r, &c, &w);
    if (status)
        return status;
    if (web_user_suspended(r)) {
        comment_free(&c);
        work_free(&w);
        return ui_suspended(r);
    }
    const char *content = web_field(r, "content");
    const char *format = web_field(r, "format");
    char *body = fb_trimmed(r, content);
    const char *err = NULL;
    char *html = NULL;
    if (!*body)
        err = "Please enter a comment: it cannot be empty.";
    else if (fb_utf8_chars(content) > COMMENT_MAX_CHARS)
        err = web_sprintf(r, "Your comment is too long: at most 10,000 characters (it has %zu).",
                          fb_utf8_chars(content));
    else if (!(html = fb_comment_html(body, format)) || fb_html_blank(html))
        err = "Your comment has nothing left once unsafe HTML is removed.";
    if (err) {
        free(html);
        status = edit_page(r, &c, content ? content : "", &err, 1, 422);
    } else {
        int rc = store_comment_edit(r->store, c.id, html);
        free(html);
        status = rc ? ui_error(r, 500, "The comment could not be saved.")
                    : web_redirect(r, web_sprintf(r, "/comments/%lld", (long long)c.id));
    }
    comment_free(&c);
    work_free(&w);
    return status;
}

/* Writes the audit log entry for a moderator acting on someone else's work. */
static void log_moderation(struct web_req *r, const struct work *w, const char *action,
                           const char *target)
{
    if (web_can_edit(r, w) && !(web_is_admin(r) && w->user_id != r->user.id))
        return; /* the creator moderating their own work */
    if (store_modlog_add(r->store, r->user.id, r->user.name, action, target,
                         web_field(r, "reason")))
        fprintf(stderr, "ficd: cannot write the audit log: %s\n", store_errmsg(r->store));
}

int ui_comment_delete(struct web_req *r)
{
    struct comment c;
    struct work w;
    if (r->user.id <= 0)
        return ui_login_required(r);
    int status = fb_load_comment(r, &c, &w);
    if (status)
        return status;
    int own = c.user_id == r->user.id;
    if (!own && !fb_can_moderate(r, &w)) {
        status = ui_error(r, 403,
                          "Only the comment's writer, the work's creator and moderators "
                          "can delete a comment.");
    } else if (store_comment_delete(r->store, c.id)) {
        status = ui_error(r, 500, "The comment could not be deleted.");
    } else {
        if (!own)
            log_moderation(
                r, &w, "delete comment",
                web_sprintf(r, "comment %lld on work %lld", (long long)c.id, (long long)w.id));
        const char *back = web_field(r, "return_to");
        status = web_redirect(
            r, back && back[0] == '/' && back[1] != '/' && back[1] != '\\'
                   ? back
                   : web_sprintf(r, "/works/%lld?show_comments=true#comments", (long long)w.id));
    }
    comment_free(&c);
    work_free(&w);
    return status;
}

static int set_frozen(struct web_req *r, int frozen)
{
    struct comment c;
    struct work w;
    if (r->user.id <= 0)
        return ui_login_required(r);
    int status = fb_load_comment(r, &c, &w);
    if (status)
        return status;
    if (!fb_can_moderate(r, &w)) {
        status = ui_error(r, 403, "Only the work's creator and moderators can freeze threads.");
    } else if (store_comment_freeze(r->store, c.id, frozen)) {
        status = ui_error(r, 500, "The thread could not be changed.");
    } else {
        log_moderation(
            r, &w, frozen ? "freeze thread" : "unfreeze thread",
            web_sprintf(r, "comment %lld on work %lld", (long long)c.id, (long long)w.id));
        status = web_redirect(r, web_sprintf(r, "/comments/%lld", (long long)c.id));
    }
    comment_free(&c);
    work_free(&w);
    return status;
}

int ui_comment_freeze(struct web_req *r)
{
    return set_frozen(r, 1);
}

int ui_comment_unfreeze(struct web_req *r)
{
    return set_frozen(r, 0);
}

int ui_comment_approve(struct web_req *r)
{
    struct comment c;
    struct work w;
    if (r->user.id <= 0)
        return ui_login_required(r);
    int status = fb_load_comment(r, &c, &w);
    if (status)
        return status;
    if (!fb_can_moderate(r, &w))
        status = ui_error(r, 403, "Only the work's creator and moderators can approve comments.");
    else if (!c.unreviewed)
        status = ui_error(r, 422, "This comment is not waiting for approval.");
    else if (store_comment_approve(r->store, c.id))
        status = ui_error(r, 500, "The comment could not be approved.");
    else {
        log_moderation(
            r, &w, "approve comment",
            web_sprintf(r, "comment %lld on work %lld", (long long)c.id, (long long)w.id));
        status =
            web_redirect(r, web_sprintf(r, "/works/%lld/comments/unreviewed", (long long)w.id));
    }
    comment_free(&c);
    work_free(&w);
    return status;
}

int ui_comments_unreviewed(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct work w;
    int status = web_load_work(r, 0, 0, &w);
    if (status)
        return status;
    if (!fb_can_moderate(r, &w)) {
        work_free(&w);
        return ui_error(r, 403, "Only the work's creator and moderators can review its comments.");
    }
    const char *title = w.title && *w.title ? w.title : "Untitled";
    page_begin(r, web_sprintf(r, "Unreviewed comments on %s", title));
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Unreviewed comments on <a href=\"/works/");
    html_int(b, w.id);
    html_lit(b, "\">");
    html_text(b, title);
    html_lit(b, "</a></h1>\n<section class=\"comments\" id=\"unreviewed\">\n");
    struct comment_query q = {.work_id = w.id, .unreviewed = 1};
    int n = fb_render_comments(r, &w, &q);
    if (n == 0)
        html_lit(b, "<p class=\"empty\" id=\"no-unreviewed\">No comments are waiting for "
                    "approval.</p>\n");
    html_lit(b, "</section>\n");
    page_end(r);
    work_free(&w);
    return 200;
}
