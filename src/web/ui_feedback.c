/* ui_feedback.c: kudos, comments (threads, replies, edit, delete, freeze, held comments),
 * reports, and the feedback part of work and chapter pages. Comment text is user HTML (or
 * Markdown, or plain text): it reaches a page only through the sanitizer. */
#include "core/html.h"
#include "store/store.h"
#include "text/sanitize.h"
#include "web/page.h"
#include "web/ratelimit.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define COMMENT_MAX_CHARS 10000
#define COMMENT_MAX_DEPTH 5 /* deeper replies are shown at this indentation */
#define REPORT_MAX_CHARS  4000
#define GUEST_NAME_MAX    100
#define GUEST_EMAIL_MAX   254

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
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}

/* A copy of s without leading and trailing white space (arena). */
static char *trimmed(struct web_req *r, const char *s)
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
static char *comment_html(const char *content, const char *format)
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
static int html_blank(const char *html)
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
static int count_links(const char *html)
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
static int can_moderate(const struct web_req *r, const struct work *w)
{
    return web_can_edit(r, w) || web_is_moderator(r);
}

/* Who may comment: 0 when the visitor may, else the reason (a sentence). */
static const char *comment_refusal(const struct web_req *r, const struct work *w)
{
    if (w->comment_policy == COMMENTS_NOBODY && !web_can_edit(r, w))
        return "The creator has turned comments off for this work.";
    if (w->comment_policy == COMMENTS_REGISTERED && r->user.id <= 0)
        return "Only registered users can comment on this work: log in to comment.";
    return NULL;
}

/* ---- rendering comments ---- */

struct render_ctx {
    struct web_req *r;
    const struct work *w;
    int level; /* open nested lists below the top one; -1 before the first comment */
    int can_mod;
    int n;
    int held; /* rendering the held comments (approve buttons, no replies) */
};

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
    if (!c->frozen && !comment_refusal(r, x->w)) {
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

static int render_comment_cb(const struct comment *c, void *ctx)
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

static void render_end(struct render_ctx *x)
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
static int render_comments(struct web_req *r, const struct work *w, const struct comment_query *q)
{
    struct render_ctx x = {
        .r = r, .w = w, .level = -1, .can_mod = can_moderate(r, w), .held = q->unreviewed};
    int rc = store_comment_list(r->store, q, render_comment_cb, &x);
    render_end(&x);
    return rc ? -1 : x.n;
}

/* ---- forms ---- */

struct comment_fields {
    const char *content, *name, *email, *format;
    int64_t chapter_id;
};

/* The comment form posting to action (or the reason the visitor may not comment). */
static void comment_form(struct web_req *r, const struct work *w, const char *action,
                         const char *id, const char *heading, const struct comment_fields *f)
{
    struct buf *b = &r->out;
    const char *no = comment_refusal(r, w);
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
        int n = render_comments(r, w, &q);
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
    comment_form(r, w, web_sprintf(r, "/works/%lld/comments", (long long)w->id), "comment-form",
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

/* ---- comments ---- */

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
    comment_form(r, w, action, "comment-form", heading, f);
    page_end(r);
    return status;
}

/* The shared part of a new comment and a reply: checks, sanitizes, holds for approval when
 * needed, stores, and answers (redirect, held notice, or the form with the reasons). */
static int post_comment(struct web_req *r, const struct work *w, int64_t parent_id,
                        const char *action, const char *heading)
{
    const char *no = comment_refusal(r, w);
    if (no)
        return ui_error(r, 403, no);
    if (web_user_suspended(r))
        return ui_suspended(r);
    struct comment_fields f = {.content = web_field(r, "content"),
                               .name = trimmed(r, web_field(r, "name")),
                               .email = trimmed(r, web_field(r, "email")),
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
    size_t chars = utf8_chars(f.content);
    char *body = trimmed(r, f.content);
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
        else if (utf8_chars(f.name) > GUEST_NAME_MAX)
            errs[nerr++] = "Your name is too long (at most 100 characters).";
        const char *at = strchr(f.email, '@');
        if (!*f.email || !at || at == f.email || !strchr(at, '.') ||
            strlen(f.email) > GUEST_EMAIL_MAX || strchr(f.email, ' '))
            errs[nerr++] = "Please enter a valid email address (it is never shown).";
    }
    char *html = NULL;
    if (!nerr) {
        html = comment_html(body, f.format);
        if (!html)
            return ui_error(r, 500, "Your comment could not be processed.");
        if (html_blank(html))
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
        int links = count_links(html);
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
static int load_comment(struct web_req *r, struct comment *c, struct work *w)
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
    if (c->unreviewed && !can_moderate(r, w) && !(r->user.id > 0 && c->user_id == r->user.id)) {
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
    int status = load_comment(r, &c, &w);
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
        render_comment_cb(&c, &x);
        render_end(&x);
    } else {
        render_comments(r, &w, &q);
    }
    html_lit(b, "</section>\n");
    if (!c.deleted && !c.unreviewed) {
        if (c.frozen) {
            html_lit(b, "<p class=\"notice\" id=\"thread-frozen\">This thread is frozen: it takes "
                        "no more replies.</p>\n");
        } else {
            struct comment_fields f = {0};
            html_lit(b, "<div id=\"reply\">\n");
            comment_form(r, &w, web_sprintf(r, "/comments/%lld/comments", (long long)c.id),
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
    int status = load_comment(r, &c, &w);
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
    int status = load_comment(r, c, w);
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
    char *body = trimmed(r, content);
    const char *err = NULL;
    char *html = NULL;
    if (!*body)
        err = "Please enter a comment: it cannot be empty.";
    else if (utf8_chars(content) > COMMENT_MAX_CHARS)
        err = web_sprintf(r, "Your comment is too long: at most 10,000 characters (it has %zu).",
                          utf8_chars(content));
    else if (!(html = comment_html(body, format)) || html_blank(html))
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
    int status = load_comment(r, &c, &w);
    if (status)
        return status;
    int own = c.user_id == r->user.id;
    if (!own && !can_moderate(r, &w)) {
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
    int status = load_comment(r, &c, &w);
    if (status)
        return status;
    if (!can_moderate(r, &w)) {
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
    int status = load_comment(r, &c, &w);
    if (status)
        return status;
    if (!can_moderate(r, &w))
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
    if (!can_moderate(r, &w)) {
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
    int n = render_comments(r, &w, &q);
    if (n == 0)
        html_lit(b, "<p class=\"empty\" id=\"no-unreviewed\">No comments are waiting for "
                    "approval.</p>\n");
    html_lit(b, "</section>\n");
    page_end(r);
    work_free(&w);
    return 200;
}

/* ---- reports ---- */

/* The report form for what (a phrase) posting to action. */
static int report_form(struct web_req *r, const char *what, const char *action, const char *reason,
                       const char *const *errs, size_t nerr, int status)
{
    buf_reset(&r->out);
    page_begin(r, web_sprintf(r, "Report %s", what));
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Report ");
    html_text(b, what);
    html_lit(b, "</h1>\n<p>Tell the archive's moderators what is wrong (spam, harassment, "
                "content against the rules, ...). They see your account name, or your address "
                "when you are not logged in.</p>\n");
    page_errors(r, errs, nerr);
    html_lit(b, "<form method=\"post\" id=\"report-form\" action=\"");
    html_attr(b, action);
    html_lit(b, "\">\n");
    page_csrf_field(r);
    page_textarea(r, "reason", "Reason", reason, 5, "At most 4,000 characters.");
    html_lit(b, "<p class=\"submit\"><button type=\"submit\" id=\"report-submit\">Send Report"
                "</button></p>\n</form>\n");
    page_end(r);
    return status;
}

/* Up to 64 moderators and admins (not banned), for report notices. */
struct mods {
    int64_t ids[64];
    int n;
};

static int collect_mods(const struct user *u, void *ctx)
{
    struct mods *m = ctx;
    if (u->role >= ROLE_MODERATOR && !u->banned && m->n < 64)
        m->ids[m->n++] = u->id;
    return 0;
}

/* Files a report on (kind, id) with the form's reason and tells the moderators. */
static int file_report(struct web_req *r, enum report_kind kind, int64_t id, const char *what,
                       const char *action, const char *url)
{
    const char *reason = trimmed(r, web_field(r, "reason"));
    const char *err = NULL;
    if (!*reason)
        err = "Please say why you are reporting this.";
    else if (utf8_chars(reason) > REPORT_MAX_CHARS)
        err = "The reason is too long (at most 4,000 characters).";
    if (err)
        return report_form(r, what, action, reason, &err, 1, 422);
    int64_t rid = 0;
    if (store_report_add(r->store, kind, id, r->user.id > 0 ? r->user.id : 0, r->remote_ip, reason,
                         &rid))
        return ui_error(r, 500, "The report could not be saved; try again.");
    /* every moderator hears of it in their inbox */
    struct mods m = {.n = 0};
    if (store_user_list(r->store, collect_mods, &m) == 0) {
        const char *text = web_sprintf(r, "New report on %s: %.200s", what, reason);
        for (int i = 0; i < m.n; i++)
            if (store_inbox_add(r->store, m.ids[i], INBOX_SYSTEM, text, "/admin/reports"))
                fprintf(stderr, "ficd: cannot notify moderator: %s\n", store_errmsg(r->store));
    }
    page_begin(r, "Report sent");
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Report sent</h1>\n<p class=\"notice\" id=\"report-sent\" "
                "role=\"status\">Thank you: the archive's moderators will review your report.</p>"
                "\n<p><a href=\"");
    html_attr(b, url);
    html_lit(b, "\">Back</a></p>\n");
    page_end(r);
    return 200;
}

int ui_report_work_form(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 0, &w);
    if (status)
        return status;
    const char *what =
        web_sprintf(r, "the work \"%s\"", w.title && *w.title ? w.title : "Untitled");
    status = report_form(r, what, web_sprintf(r, "/works/%lld/report", (long long)w.id), NULL, NULL,
                         0, 200);
    work_free(&w);
    return status;
}

int ui_report_work(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 0, &w);
    if (status)
        return status;
    const char *what =
        web_sprintf(r, "the work \"%s\"", w.title && *w.title ? w.title : "Untitled");
    const char *url = web_sprintf(r, "/works/%lld", (long long)w.id);
    status = file_report(r, REPORT_WORK, w.id, what, web_sprintf(r, "%s/report", url), url);
    work_free(&w);
    return status;
}

int ui_report_comment_form(struct web_req *r)
{
    struct comment c;
    struct work w;
    int status = load_comment(r, &c, &w);
    if (status)
        return status;
    status =
        report_form(r, web_sprintf(r, "a comment by %s", c.name),
                    web_sprintf(r, "/comments/%lld/report", (long long)c.id), NULL, NULL, 0, 200);
    comment_free(&c);
    work_free(&w);
    return status;
}

int ui_report_comment(struct web_req *r)
{
    struct comment c;
    struct work w;
    int status = load_comment(r, &c, &w);
    if (status)
        return status;
    const char *url = web_sprintf(r, "/comments/%lld", (long long)c.id);
    status = file_report(r, REPORT_COMMENT, c.id, web_sprintf(r, "a comment by %s", c.name),
                         web_sprintf(r, "%s/report", url), url);
    comment_free(&c);
    work_free(&w);
    return status;
}

/* Loads the account named by route parameter 0. */
static int load_user(struct web_req *r, struct user *u)
{
    int rc = store_user_get_by_name(r->store, r->params[0], u);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no user by that name.");
    if (rc)
        return ui_error(r, 500, "The account could not be read.");
    return 0;
}

int ui_report_user_form(struct web_req *r)
{
    struct user u;
    int status = load_user(r, &u);
    if (status)
        return status;
    struct buf p = BUF_INIT;
    html_lit(&p, "/users/");
    html_url_path(&p, u.name);
    html_lit(&p, "/report");
    status = report_form(r, web_sprintf(r, "the user %s", u.name), web_strdup(r, buf_str(&p)), NULL,
                         NULL, 0, 200);
    buf_free(&p);
    user_free(&u);
    return status;
}

int ui_report_user(struct web_req *r)
{
    struct user u;
    int status = load_user(r, &u);
    if (status)
        return status;
    struct buf p = BUF_INIT;
    html_lit(&p, "/users/");
    html_url_path(&p, u.name);
    const char *url = web_strdup(r, buf_str(&p));
    status = file_report(r, REPORT_USER, u.id, web_sprintf(r, "the user %s", u.name),
                         web_sprintf(r, "%s/report", url), url);
    buf_free(&p);
    user_free(&u);
    return status;
}
