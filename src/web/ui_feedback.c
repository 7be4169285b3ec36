/* ui_feedback.c: kudos, the feedback part of work and chapter pages (kudos line, comments,
 * the comment form), and what the feedback pages share: rendering comment threads, the
 * comment form, and who may comment or moderate. Comment text is user HTML (or Markdown, or
 * plain text): it reaches a page only through the sanitizer. Comment pages are
 * ui_comments.c, reports ui_reports.c. */
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

/* ---- small helpers ---- */

int web_user_suspended(const struct web_req *r)
{
    return r->user.id > 0 && r->user.suspended_until > (int64_t)time(NULL);
}

int ui_suspended(struct web_req *r)
{
    struct buf d = BUF_INIT;
    page_date(&d, r->user.suspended_until);
    const char *msg = web_sprintf(r,
                                  "Your account is suspended until %s: you can read the archive "
                                  "but not post, comment or leave kudos.",
                                  buf_str(&d));
    buf_free(&d);
    return ui_error(r, 403, msg);
}

/* Characters (UTF-8 code points) in s. */
size_t fb_utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}

/* A copy of s without leading and trailing white space (arena). */
char *fb_trimmed(struct web_req *r, const char *s)
{
    if (!s)
        return web_strdup(r, "");
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return web_strndup(r, s, n);
}

/* Sanitized HTML for comment text in format "html" (plain text without tags becomes
 * paragraphs) or "markdown"; malloc'd, NULL on allocation failure. */
char *fb_comment_html(const char *content, const char *format)
{
    if (format && !strcmp(format, "markdown"))
        return markdown_to_html(content, strlen(content));
    if (strchr(content, '<'))
        return sanitize_html(content, strlen(content));
    struct buf b = BUF_INIT;
    html_paragraphs(&b, content);
    char *out = b.err ? NULL : sanitize_html(buf_str(&b), b.len);
    buf_free(&b);
    return out;
}

/* 1 when sanitized html shows nothing: no text but white space and no image. */
int fb_html_blank(const char *html)
{
    int in_tag = 0;
    for (const char *p = html; *p; p++) {
        if (*p == '<') {
            in_tag = 1;
            if (!strncmp(p, "<img", 4))
                return 0;
        } else if (*p == '>') {
            in_tag = 0;
        } else if (!in_tag && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') {
            if (!strncmp(p, "&nbsp;", 6)) {
                p += 5;
                continue;
            }
            return 0;
        }
    }
    return 1;
}

/* Links in sanitized html: each <a> element, plus each "://" or "www." in text outside one. */
int fb_count_links(const char *html)
{
    int n = 0, in_tag = 0, in_a = 0;
    for (const char *p = html; *p; p++) {
        if (*p == '<') {
            in_tag = 1;
            if (!strncmp(p, "<a ", 3) || !strncmp(p, "<a>", 3)) {
                n++;
                in_a = 1;
            } else if (!strncmp(p, "</a>", 4)) {
                in_a = 0;
            }
        } else if (*p == '>') {
            in_tag = 0;
        } else if (!in_tag && !in_a && (!strncmp(p, "://", 3) || !strncasecmp(p, "www.", 4))) {
            n++;
        }
    }
    return n;
}

/* The form posting to action that a signed-in user uses for a one-button action. */
static void button_form(struct web_req *r, const char *action, const char *id, const char *label,
                        const char *field, const char *value)
{
    struct buf *b = &r->out;
    html_lit(b, "<form method=\"post\" class=\"inline\" action=\"");
    html_attr(b, action);
    html_lit(b, "\">");
    page_csrf_field(r);
    if (field) {
        html_lit(b, "<input type=\"hidden\" name=\"");
        html_attr(b, field);
        html_lit(b, "\" value=\"");
        html_attr(b, value);
        html_lit(b, "\">");
    }
    html_lit(b, "<button type=\"submit\"");
    if (id) {
        html_lit(b, " id=\"");
        html_attr(b, id);
        html_lit(b, "\"");
    }
    html_lit(b, ">");
    html_text(b, label);
    html_lit(b, "</button></form>");
}

/* 1 when the visitor may moderate comments on w: its creator, an admin or a moderator. */
int fb_can_moderate(const struct web_req *r, const struct work *w)
{
    return web_can_edit(r, w) || web_is_moderator(r);
}

/* Who may comment: 0 when the visitor may, else the reason (a sentence). */
const char *fb_comment_refusal(const struct web_req *r, const struct work *w)
{
    if (w->comment_policy == COMMENTS_NOBODY && !web_can_edit(r, w))
        return "The creator has turned comments off for this work.";
    if (w->comment_policy == COMMENTS_REGISTERED && r->user.id <= 0)
        return "Only registered users can comment on this work: log in to comment.";
    return NULL;
}

/* ---- rendering comments ---- */

static void comment_byline(struct web_req *r, const struct work *w, const struct comment *c)
{
    struct buf *b = &r->out;
    html_lit(b, "<h4 class=\"heading byline\">");
    if (c->user_id > 0) {
        page_user_link(r, c->name);
    } else {
        html_lit(b, "<span class=\"guest-name\">");
        html_text(b, c->name);
        html_lit(b, "</span> <span class=\"role\">(Guest)</span>");
    }
    for (size_t i = 0; c->chapter_id && i < w->nchapters; i++) {
        if (w->chapters[i].id != c->chapter_id || w->nchapters < 2)
            continue;
        html_lit(b, " <span class=\"parent\">on Chapter ");
        html_int(b, (long long)i + 1);
        html_lit(b, "</span>");
    }
    html_lit(b, " <span class=\"datetime\">");
    page_date(b, c->created);
    html_lit(b, "</span>");
    if (c->edited)
        html_lit(b, " <span class=\"edited\">(edited)</span>");
    if (c->frozen)
        html_lit(b, " <span class=\"frozen\">(thread frozen)</span>");
    html_lit(b, "</h4>\n");
}

static void comment_actions(struct render_ctx *x, const struct comment *c)
{
    struct web_req *r = x->r;
    struct buf *b = &r->out;
    const char *base = web_sprintf(r, "/comments/%lld", (long long)c->id);
    html_lit(b, "<ul class=\"actions comment-actions\">\n");
    if (x->held) {
        html_lit(b, "<li>");
        button_form(r, web_sprintf(r, "%s/approve", base),
                    web_sprintf(r, "approve-%lld", (long long)c->id), "Approve", NULL, NULL);
        html_lit(b, "</li>\n<li>");
        button_form(r, web_sprintf(r, "%s/delete", base),
                    web_sprintf(r, "delete-%lld", (long long)c->id), "Delete", NULL, NULL);
        html_lit(b, "</li>\n</ul>\n");
        return;
    }
    html_lit(b, "<li><a href=\"");
    html_attr(b, base);
    html_lit(b, "\">Thread</a></li>\n");
    if (!c->frozen && !fb_comment_refusal(r, x->w)) {
        html_lit(b, "<li><a href=\"");
        html_attr(b, base);
        html_lit(b, "#reply\">Reply</a></li>\n");
    }
    int own = r->user.id > 0 && c->user_id == r->user.id;
    if (own) {
        html_lit(b, "<li><a href=\"");
        html_attr(b, base);
        html_lit(b, "/edit\">Edit</a></li>\n");
    }
    if (own || x->can_mod) {
        html_lit(b, "<li>");
        button_form(r, web_sprintf(r, "%s/delete", base),
                    web_sprintf(r, "delete-%lld", (long long)c->id), "Delete", NULL, NULL);
        html_lit(b, "</li>\n");
    }
    if (x->can_mod) {
        html_lit(b, "<li>");
        if (c->frozen)
            button_form(r, web_sprintf(r, "%s/unfreeze", base),
                        web_sprintf(r, "unfreeze-%lld", (long long)c->id), "Unfreeze Thread", NULL,
                        NULL);
        else
            button_form(r, web_sprintf(r, "%s/freeze", base),
                        web_sprintf(r, "freeze-%lld", (long long)c->id), "Freeze Thread", NULL,
                        NULL);
        html_lit(b, "</li>\n");
    }
    html_lit(b, "<li><a href=\"");
    html_attr(b, base);
    html_lit(b, "/report\">Report</a></li>\n</ul>\n");
}

int fb_render_comment_cb(const struct comment *c, void *ctx)
{
    struct render_ctx *x = ctx;
    struct buf *b = &x->r->out;
    int d = c->depth < COMMENT_MAX_DEPTH ? c->depth : COMMENT_MAX_DEPTH;
    if (x->level < 0) {
        html_lit(b, "<ol class=\"thread\">\n");
        x->level = 0;
    } else if (d > x->level) {
        html_lit(b, "\n<ol class=\"thread\">\n");
        x->level++;
    } else {
        html_lit(b, "</li>\n");
        for (; x->level > d; x->level--)
            html_lit(b, "</ol>\n</li>\n");
    }
    x->n++;
    html_lit(b, "<li class=\"comment");
    if (c->deleted)
        html_lit(b, " deleted");
    html_lit(b, "\" id=\"comment_");
    html_int(b, c->id);
    html_lit(b, "\">\n");
    if (c->deleted) {
        html_lit(b, "<p class=\"deleted-comment\">(Previous comment deleted.)</p>\n");
        return 0;
    }
    /* readers' muting: a comment by someone the reader muted keeps its place in the thread
     * but not its words */
    if (c->user_id > 0 && web_user_muted(x->r, c->user_id)) {
        html_lit(b, "<p class=\"muted-comment\">(A comment by someone you muted.)</p>\n");
        return 0;
    }
    comment_byline(x->r, x->w, c);
    html_lit(b, "<blockquote class=\"userstuff\">");
    html_safe_put(b, html_sanitized(c->html));
    html_lit(b, "</blockquote>\n");
    comment_actions(x, c);
    return 0;
}

void fb_render_end(struct render_ctx *x)
{
    struct buf *b = &x->r->out;
    if (x->level < 0)
        return;
    html_lit(b, "</li>\n");
    for (; x->level > 0; x->level--)
        html_lit(b, "</ol>\n</li>\n");
    html_lit(b, "</ol>\n");
}

/* Renders the comments q selects; returns how many, or -1 when the store failed. */
int fb_render_comments(struct web_req *r, const struct work *w, const struct comment_query *q)
{
    struct render_ctx x = {
        .r = r, .w = w, .level = -1, .can_mod = fb_can_moderate(r, w), .held = q->unreviewed};
    int rc = store_comment_list(r->store, q, fb_render_comment_cb, &x);
    fb_render_end(&x);
    return rc ? -1 : x.n;
}

/* ---- forms ---- */

/* The comment form posting to action (or the reason the visitor may not comment). */
void fb_comment_form(struct web_req *r, const struct work *w, const char *action, const char *id,
                     const char *heading, const struct comment_fields *f)
{
    struct buf *b = &r->out;
    const char *no = fb_comment_refusal(r, w);
    if (no) {
        html_lit(b, "<p class=\"notice\" id=\"comments-closed\">");
        html_text(b, no);
        if (r->user.id <= 0 && w->comment_policy == COMMENTS_REGISTERED) {
            html_lit(b, " <a href=\"/login?return_to=");
            html_url_arg(b, r->path);
            html_lit(b, "\">Log in</a>");
        }
        html_lit(b, "</p>\n");
        return;
    }
    if (web_user_suspended(r)) {
        html_lit(b, "<p class=\"notice\" id=\"comments-closed\">Your account is suspended: you "
                    "cannot comment for now.</p>\n");
        return;
    }
    html_lit(b, "<form method=\"post\" class=\"comment-form\" id=\"");
    html_attr(b, id);
    html_lit(b, "\" action=\"");
    html_attr(b, action);
    html_lit(b, "\">\n<fieldset>\n<legend>");
    html_text(b, heading);
    html_lit(b, "</legend>\n");
    page_form_token(r, action);
    if (f->chapter_id > 0) {
        html_lit(b, "<input type=\"hidden\" name=\"chapter_id\" value=\"");
        html_int(b, f->chapter_id);
        html_lit(b, "\">\n");
    }
    if (r->user.id <= 0) {
        page_input(r, "text", "name", "Guest name", f->name, NULL);
        page_input(r, "email", "email", "Guest email", f->email,
                   "Required; never shown to anyone.");
    } else {
        html_lit(b, "<p class=\"byline\">Commenting as ");
        html_text(b, r->user.name);
        html_lit(b, "</p>\n");
    }
    page_textarea(r, "content", "Comment", f->content, 6,
                  "Plain text, HTML (links, emphasis, lists, ...) or Markdown; at most 10,000 "
                  "characters.");
    html_lit(b, "<p class=\"field\"><label for=\"comment_format\">Format</label> <select "
                "name=\"format\" id=\"comment_format\"><option value=\"html\"");
    int md = f->format && !strcmp(f->format, "markdown");
    if (!md)
        html_lit(b, " selected");
    html_lit(b, ">Plain text or HTML</option><option value=\"markdown\"");
    if (md)
        html_lit(b, " selected");
    html_lit(b, ">Markdown</option></select></p>\n");
    if (w->moderate_comments && !web_can_edit(r, w))
        html_lit(b, "<p class=\"hint\">The creator reviews comments on this work before they "
                    "appear.</p>\n");
    html_lit(b, "<p class=\"submit\"><button type=\"submit\" id=\"comment-submit\">Comment"
                "</button></p>\n</fieldset>\n</form>\n");
}

/* ---- the feedback section of work pages ---- */

static void kudos_line(struct web_req *r, const struct work *w)
{
    struct buf *b = &r->out;
    struct strlist names;
    strlist_init(&names);
    int64_t guests = 0;
    if (store_kudos_list(r->store, w->id, &names, &guests) || (names.n == 0 && guests == 0)) {
        strlist_free(&names);
        return;
    }
    html_lit(b, "<p class=\"kudos\" id=\"kudos\">");
    for (size_t i = 0; i < names.n; i++) {
        if (i > 0) {
            if (i + 1 == names.n && !guests)
                html_lit(b, " and ");
            else
                html_lit(b, ", ");
        }
        page_user_link(r, names.v[i]);
    }
    if (guests) {
        if (names.n)
            html_lit(b, " and ");
        html_int(b, guests);
        if (guests == 1)
            html_lit(b, " guest");
        else
            html_lit(b, " guests");
    }
    html_lit(b, " left kudos on this work!</p>\n");
    strlist_free(&names);
}

static int count_visible(const struct comment *c, void *ctx)
{
    *(int64_t *)ctx += !c->deleted;
    return 0;
}

void page_work_feedback(struct web_req *r, const struct work *w, int64_t chapter_id)
{
    struct buf *b = &r->out;
    if (w->id <= 0 || w->draft)
        return;
    html_lit(b, "<section class=\"feedback\" id=\"feedback\" aria-labelledby=\"feedback-heading\">"
                "\n<h2 class=\"landmark heading\" id=\"feedback-heading\">Kudos and comments</h2>"
                "\n");
    const char *kaction = web_sprintf(r, "/works/%lld/kudos", (long long)w->id);
    if (!(r->user.id > 0 && r->user.id == w->user_id)) {
        html_lit(b, "<form method=\"post\" class=\"kudos\" id=\"new_kudo\" action=\"");
        html_attr(b, kaction);
        html_lit(b, "\">");
        page_form_token(r, kaction);
        if (chapter_id > 0) {
            html_lit(b, "<input type=\"hidden\" name=\"chapter_id\" value=\"");
            html_int(b, chapter_id);
            html_lit(b, "\">");
        }
        html_lit(b, "<button type=\"submit\" id=\"kudo-submit\">Kudos &#9829;</button></form>\n");
    }
    kudos_line(r, w);

    const char *sc = web_arg(r, "show_comments");
    int show = chapter_id > 0 || (sc && !strcmp(sc, "true"));
    /* a chapter page counts its chapter's comments, the work page all of them */
    int64_t shown = w->comments;
    if (chapter_id > 0) {
        struct comment_query cq = {.work_id = w->id, .chapter_id = chapter_id};
        shown = 0;
        if (store_comment_list(r->store, &cq, count_visible, &shown))
            shown = 0;
    }
    html_lit(b, "<section class=\"comments\" id=\"comments\" aria-labelledby=\"comments-heading\">"
                "\n<h3 class=\"heading\" id=\"comments-heading\">Comments (");
    html_int(b, shown);
    if (chapter_id > 0)
        html_lit(b, " on this chapter");
    html_lit(b, ")</h3>\n");
    if (show) {
        struct comment_query q = {.work_id = w->id, .chapter_id = chapter_id};
        int n = fb_render_comments(r, w, &q);
        if (n == 0)
            html_lit(b, "<p class=\"empty\">No comments yet.</p>\n");
    } else if (w->comments > 0) {
        html_lit(b, "<p><a id=\"show-comments\" href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "?show_comments=true#comments\">Show comments</a></p>\n");
    }
    if (web_can_edit(r, w) || web_is_moderator(r)) {
        html_lit(b, "<p><a id=\"unreviewed-comments\" href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/comments/unreviewed\">Comments awaiting approval</a></p>\n");
    }
    struct comment_fields f = {.chapter_id = chapter_id};
    fb_comment_form(r, w, web_sprintf(r, "/works/%lld/comments", (long long)w->id), "comment-form",
                    "Post Comment", &f);
    html_lit(b, "</section>\n<p class=\"report\"><a id=\"report-work\" href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "/report\">Report this work</a></p>\n");
    if (web_is_moderator(r)) {
        const char *action = web_sprintf(r, "/admin/works/%lld", (long long)w->id);
        html_lit(b, "<form method=\"post\" class=\"moderate\" id=\"moderate-work\" action=\"");
        html_attr(b, action);
        html_lit(b, "\"><fieldset><legend>Moderation</legend>");
        page_csrf_field(r);
        html_lit(b, "<input type=\"hidden\" name=\"action\" value=\"");
        html_attr(b, w->hidden ? "unhide" : "hide");
        html_lit(b, "\">");
        page_input(r, "text", "reason", "Reason (for the audit log)", NULL, NULL);
        html_lit(b, "<button type=\"submit\" id=\"moderate-submit\">");
        html_text(b, w->hidden ? "Unhide Work" : "Hide Work");
        html_lit(b, "</button></fieldset></form>\n");
    }
    html_lit(b, "</section>\n");
}

/* ---- kudos ---- */

int ui_kudos_create(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 0, &w);
    if (status)
        return status;
    const char *back = web_sprintf(r, "/works/%lld", (long long)w.id);
    const char *ch = web_field(r, "chapter_id");
    if (ch && *ch) {
        char *end;
        long long cid = strtoll(ch, &end, 10);
        for (size_t i = 0; !*end && i < w.nchapters; i++)
            if (w.chapters[i].id == cid)
                back = web_sprintf(r, "/works/%lld/chapters/%lld", (long long)w.id, cid);
    }
    if (w.draft) {
        work_free(&w);
        return ui_error(r, 422, "Drafts cannot receive kudos.");
    }
    if (r->user.id > 0 && r->user.id == w.user_id) {
        work_free(&w);
        return ui_error(r, 403, "You can't leave kudos on your own work.");
    }
    if (web_user_suspended(r)) {
        work_free(&w);
        return ui_suspended(r);
    }
    int rc = store_kudos_add(r->store, w.id, r->user.id > 0 ? r->user.id : 0, r->remote_ip);
    if (rc == FICD_EEXISTS) {
        page_begin(r, w.title && *w.title ? w.title : "Untitled");
        html_lit(&r->out, "<h1 class=\"heading\">Kudos</h1>\n<p class=\"notice\" "
                          "id=\"kudos-notice\" role=\"status\">You have already left kudos "
                          "here. :)</p>\n<p><a href=\"");
        html_attr(&r->out, back);
        html_lit(&r->out, "\">Back to the work</a></p>\n");
        page_end(r);
        work_free(&w);
        return 200;
    }
    work_free(&w);
    if (rc == FICD_EINVAL)
        return ui_error(r, 403, "You can't leave kudos on your own work.");
    if (rc)
        return ui_error(r, 500, "Your kudos could not be saved; try again.");
    return web_redirect(r, web_sprintf(r, "%s#kudos", back));
}
