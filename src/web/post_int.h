/* post_int.h: what the posting pages (ui_post.c, ui_import.c, ui_chapters.c) share: the work
 * form's values (post_form.c) and a few form helpers. */
#ifndef FICD_WEB_POST_INT_H
#define FICD_WEB_POST_INT_H

#include "core/work.h"
#include "web/server.h"

#define MAX_ERRS    16
#define TITLE_MAX   255
#define SUMMARY_MAX 1250
#define NOTES_MAX   5000
#define TAG_MAX     100
#define TAGS_MAX    75

/* What the work form holds, as typed (strings) or chosen (numbers). */
struct post_form {
    const char *title, *summary, *notes_begin, *notes_end, *language;
    const char *tags[4]; /* fandoms, relationships, characters, freeforms: comma-separated */
    const char *expected, *chapter_title, *chapter_text, *format;
    int rating;
    unsigned warnings, categories;
    int restricted;
    struct strlist pseuds;
    /* readers' fields (see the readers' block below): series title and position, gift
     * recipients, co-creators to invite, the inspiring work's address, as typed */
    const char *series, *series_position, *gift_to, *co_creators, *inspired_by;
    /* ---- feedback (issue #11): who may comment, hold comments for approval ---- */
    int feedback_given; /* the form carried the feedback block (else the stored values stay) */
    int comment_policy; /* enum comment_policy */
    int moderate_comments;
    /* ---- end of feedback ---- */
};

/* The problems found in a form, shown above it. */
struct errs {
    const char *v[MAX_ERRS];
    size_t n;
};

/* Which work form this is: a new work, a draft's, or a posted work's (no "save draft"). */
enum form_mode { FORM_NEW, FORM_EDIT_DRAFT, FORM_EDIT_POSTED };

/* Adds a problem (kept up to MAX_ERRS). */
void post_err_add(struct errs *e, const char *msg);

/* The four tag fields of the form: field names, labels, and tag types. */
extern const char *const post_tag_field[4];
extern const char *const post_tag_label[4];
extern const enum tag_type post_tag_types[4];

/* The form field key, or def when the request has none. */
const char *post_field_or(struct web_req *r, const char *key, const char *def);

/* Reads the work form from the request. */
void post_form_from_request(struct web_req *r, struct post_form *f);

/* Fills the form from a stored work (its first chapter's text, as HTML). */
void post_form_from_work(struct web_req *r, const struct work *w, struct post_form *f);

/* Sanitizes text in the chosen format into c->html and counts its words. */
int post_set_body(struct chapter *c, const char *text, const char *format);

/* 1 when s is NULL or only spaces, tabs and line breaks. */
int post_is_blank(const char *s);

/* Replaces *dst with a copy of s (NULL when s is empty). */
int post_replace(char **dst, const char *s);

/* Validates the form and writes its values into w (metadata and chapter 1, which is created
 * when w has none). Problems are added to e; w is only meaningful when e->n == 0. */
void post_form_to_work(struct web_req *r, const struct post_form *f, struct work *w,
                       const struct work *old, struct errs *e);

/* The HTML / Markdown choice of the text format. */
void post_format_radios(struct web_req *r, const char *format);

/* A full page: heading, errors, optional preview, the form. */
int post_work_form_page(struct web_req *r, int status, const char *title, const char *action,
                        enum form_mode mode, const struct post_form *f, const struct errs *e,
                        const struct work *preview, const struct work *sugg, const char *notice,
                        const struct work *stored);

/* Which submit button sent the form: "preview", "draft" or "post". */
const char *post_commit_of(struct web_req *r);

/* A confirmation page with one POST button. */
int post_confirm_page(struct web_req *r, const char *title, const char *question,
                      const char *action, const char *button, const char *cancel);

#endif
