/* ui_reports.c: reporting a work, a comment or a user to the moderators (the form, then the
 * report filed and the moderators told in their inbox). */
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
    const char *reason = fb_trimmed(r, web_field(r, "reason"));
    const char *err = NULL;
    if (!*reason)
        err = "Please say why you are reporting this.";
    else if (fb_utf8_chars(reason) > REPORT_MAX_CHARS)
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
    int status = fb_load_comment(r, &c, &w);
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
    int status = fb_load_comment(r, &c, &w);
    if (status)
        return status;
    const char *url = web_sprintf(r, "/comments/%lld", (long long)c.id);
    status = file_report(r, REPORT_COMMENT, c.id, web_sprintf(r, "a comment by %s", c.name),
                         web_sprintf(r, "%s/report", url), url);
    comment_free(&c);
    work_free(&w);
    return status;
}

int ui_report_user_form(struct web_req *r)
{
    struct user u;
    int status = web_load_user(r, 0, &u);
    if (status)
        return status;
    status = report_form(r, web_sprintf(r, "the user %s", u.name),
                         page_user_path(r, u.name, "/report"), NULL, NULL, 0, 200);
    user_free(&u);
    return status;
}

int ui_report_user(struct web_req *r)
{
    struct user u;
    int status = web_load_user(r, 0, &u);
    if (status)
        return status;
    const char *url = page_user_path(r, u.name, "");
    status = file_report(r, REPORT_USER, u.id, web_sprintf(r, "the user %s", u.name),
                         web_sprintf(r, "%s/report", url), url);
    user_free(&u);
    return status;
}
