/* feedback_int.h: what the feedback pages (ui_feedback.c, ui_comments.c, ui_reports.c) share:
 * limits, rendering comment threads, the comment form, and small text helpers. */
#ifndef FICD_WEB_FEEDBACK_INT_H
#define FICD_WEB_FEEDBACK_INT_H

#include "store/store.h"
#include "web/server.h"

#define COMMENT_MAX_CHARS 10000
#define COMMENT_MAX_DEPTH 5 /* deeper replies are shown at this indentation */
#define REPORT_MAX_CHARS  4000
#define GUEST_NAME_MAX    100
#define GUEST_EMAIL_MAX   254

/* Rendering a list of comments as nested lists (fb_render_comment_cb, then fb_render_end). */
struct render_ctx {
    struct web_req *r;
    const struct work *w;
    int level; /* open nested lists below the top one; -1 before the first comment */
    int can_mod;
    int n;
    int held; /* rendering the held comments (approve buttons, no replies) */
};

/* The comment form's values, as typed. */
struct comment_fields {
    const char *content, *name, *email, *format;
    int64_t chapter_id;
};

/* Characters (UTF-8 code points) in s. */
size_t fb_utf8_chars(const char *s);

/* A copy of s without leading and trailing white space (arena). */
char *fb_trimmed(struct web_req *r, const char *s);

/* Sanitized HTML for comment text in format "html" (plain text without tags becomes
 * paragraphs) or "markdown"; malloc'd, NULL on allocation failure. */
char *fb_comment_html(const char *content, const char *format);

/* 1 when sanitized html shows nothing: no text but white space and no image. */
int fb_html_blank(const char *html);

/* Links in sanitized html: each <a> element, plus each "://" or "www." in text outside one. */
int fb_count_links(const char *html);

/* 1 when the visitor may moderate comments on w: its creator, an admin or a moderator. */
int fb_can_moderate(const struct web_req *r, const struct work *w);

/* Who may comment: 0 when the visitor may, else the reason (a sentence). */
const char *fb_comment_refusal(const struct web_req *r, const struct work *w);

/* Renders one comment of a list (ctx: a struct render_ctx), opening or closing nested lists
 * for its depth; fb_render_end closes what is still open. */
int fb_render_comment_cb(const struct comment *c, void *ctx);
void fb_render_end(struct render_ctx *x);

/* Renders the comments q selects; returns how many, or -1 when the store failed. */
int fb_render_comments(struct web_req *r, const struct work *w, const struct comment_query *q);

/* The comment form posting to action (or the reason the visitor may not comment). */
void fb_comment_form(struct web_req *r, const struct work *w, const char *action, const char *id,
                     const char *heading, const struct comment_fields *f);

/* Loads the comment named by route parameter 0 and its work (readable by the visitor; held
 * comments only for the work's moderators and their writer). Returns 0 or the status of
 * the page rendered instead. */
int fb_load_comment(struct web_req *r, struct comment *c, struct work *w);

#endif
