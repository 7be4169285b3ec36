/* ui_admin.c: moderation and roles: the reports queue (/admin/reports: hide or unhide a work,
 * delete a comment, suspend or ban an account, dismiss), hiding a work from its page, the
 * audit log (/admin/log), accounts and roles (/admin/users, admins only), and the page that
 * consumes a one-time password reset link (/password_reset/TOKEN). Every moderator action
 * and its audit log entry are one transaction. */
#include "core/account.h"
#include "core/html.h"
#include "store/store.h"
#include "web/page.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ADMIN_PER_PAGE 50
#define REASON_MAX     2000

static int need_moderator(struct web_req *r)
{
    return ui_need(r, web_is_moderator(r), "Only the archive's moderators and admins can do that.");
}

static int need_admin(struct web_req *r)
{
    return ui_need(r, web_is_admin(r), "Only the archive's admins can do that.");
}

static void user_href(struct buf *b, const char *name)
{
    html_lit(b, "/users/");
    html_url_path(b, name);
}

/* The reason typed for an action (trimmed), or an error message in *err. */
static const char *action_reason(struct web_req *r, const char **err)
{
    const char *s = web_field(r, "reason");
    if (!s)
        s = "";
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        n--;
    if (n > REASON_MAX)
        *err = "The reason is too long (at most 2,000 characters).";
    return web_strndup(r, s, n);
}

/* Whether the signed-in moderator may suspend or ban u: not themselves, not an admin, and a
 * moderator only by an admin. NULL when allowed, else why not. */
static const char *may_sanction(const struct web_req *r, const struct user *u)
{
    if (u->id == r->user.id)
        return "You cannot suspend or ban your own account.";
    if (u->role == ROLE_ADMIN)
        return "Admins cannot be suspended or banned; another admin must change their role first.";
    if (u->role == ROLE_MODERATOR && !web_is_admin(r))
        return "Only admins can suspend or ban a moderator.";
    return NULL;
}

/* Suspends (days > 0), lifts a suspension (days 0), bans (ban 1) or lifts a ban (ban 0,
 * days < 0) inside the caller's transaction; fills *what for the log. */
static int sanction(struct web_req *r, const struct user *u, int ban, int days, const char **what)
{
    if (ban == 1) {
        *what = "ban user";
        return store_user_ban(r->store, u->id, 1);
    }
    if (ban == 0) {
        *what = "unban user";
        return store_user_ban(r->store, u->id, 0);
    }
    if (days > 0) {
        *what = web_sprintf(r, "suspend user for %d day%s", days, days == 1 ? "" : "s");
        return store_user_suspend(r->store, u->id, (int64_t)time(NULL) + (int64_t)days * 86400);
    }
    *what = "lift suspension";
    return store_user_suspend(r->store, u->id, 0);
}

/* Days from the form's `days` field: 1..3650, default 7; -1 when invalid. */
static int form_days(struct web_req *r)
{
    const char *d = web_field(r, "days");
    if (!d || !*d)
        return 7;
    int64_t v = web_parse_id(d);
    return v >= 1 && v <= 3650 ? (int)v : -1;
}

/* ---- reports ---- */

struct report_copy {
    int64_t id, object_id, reporter_id;
    enum report_kind kind;
    int resolved;
    char reason[REASON_MAX * 2 + 1];
};

static int copy_report(const struct report *rep, void *ctx)
{
    struct report_copy *c = ctx;
    c->id = rep->id;
    c->object_id = rep->object_id;
    c->reporter_id = rep->reporter_id;
    c->kind = rep->kind;
    c->resolved = rep->resolved;
    snprintf(c->reason, sizeof(c->reason), "%s", rep->reason ? rep->reason : "");
    return 0;
}

/* The account a report is about, directly or as the writer of the work or comment;
 * out->id == 0 when there is none (a guest's comment, a CLI import). */
static int report_subject(struct web_req *r, enum report_kind kind, int64_t object_id,
                          struct user *out, char *label, size_t n)
{
    memset(out, 0, sizeof(*out));
    int64_t uid = 0;
    int rc = 0;
    if (kind == REPORT_USER) {
        uid = object_id;
        snprintf(label, n, "user %lld", (long long)object_id);
    } else if (kind == REPORT_WORK) {
        struct work w;
        rc = store_work_get(r->store, object_id, 0, &w);
        if (!rc) {
            uid = w.user_id;
            snprintf(label, n, "work %lld \"%s\"", (long long)w.id, w.title ? w.title : "");
            work_free(&w);
        } else {
            snprintf(label, n, "work %lld (deleted)", (long long)object_id);
        }
    } else {
        struct comment c;
        rc = store_comment_get(r->store, object_id, &c);
        if (!rc) {
            uid = c.user_id;
            snprintf(label, n, "comment %lld by %s on work %lld", (long long)c.id, c.name,
                     (long long)c.work_id);
            comment_free(&c);
        } else {
            snprintf(label, n, "comment %lld (deleted)", (long long)object_id);
        }
    }
    if (rc && rc != FICD_ENOTFOUND)
        return rc;
    if (uid > 0) {
        rc = store_user_get(r->store, uid, out);
        if (rc == FICD_ENOTFOUND) {
            memset(out, 0, sizeof(*out));
            rc = 0;
        }
        if (!rc && kind == REPORT_USER)
            snprintf(label, n, "user %s", out->name);
        return rc;
    }
    return 0;
}

struct reports_ctx {
    struct web_req *r;
    int n;
};

static void action_button(struct buf *b, const char *value, const char *label, long long id)
{
    html_lit(b, "<button type=\"submit\" name=\"action\" value=\"");
    html_attr(b, value);
    html_lit(b, "\" id=\"");
    html_attr(b, value);
    html_lit(b, "-");
    html_int(b, id);
    html_lit(b, "\">");
    html_text(b, label);
    html_lit(b, "</button> ");
}

static int report_row(const struct report *rep, void *ctx)
{
    struct reports_ctx *x = ctx;
    struct web_req *r = x->r;
    struct buf *b = &r->out;
    x->n++;
    struct user subj;
    char label[600];
    int rc = report_subject(r, rep->kind, rep->object_id, &subj, label, sizeof(label));
    if (rc)
        return rc;
    html_lit(b, "<li class=\"report\" id=\"report-");
    html_int(b, rep->id);
    html_lit(b, "\">\n<h3 class=\"heading\">Report ");
    html_int(b, rep->id);
    html_lit(b, ": <a href=\"");
    if (rep->kind == REPORT_WORK) {
        html_lit(b, "/works/");
        html_int(b, rep->object_id);
    } else if (rep->kind == REPORT_COMMENT) {
        html_lit(b, "/comments/");
        html_int(b, rep->object_id);
    } else if (subj.id > 0) {
        user_href(b, subj.name);
    }
    html_lit(b, "\">");
    html_text(b, label);
    html_lit(b, "</a></h3>\n<p class=\"meta\">Reported by ");
    if (rep->reporter)
        html_text(b, rep->reporter);
    else
        html_lit(b, "a guest");
    if (rep->ip) {
        html_lit(b, " (");
        html_text(b, rep->ip);
        html_lit(b, ")");
    }
    html_lit(b, " on ");
    page_date(b, rep->created);
    html_lit(b, "</p>\n<blockquote class=\"reason\">");
    html_paragraphs(b, rep->reason);
    html_lit(b, "</blockquote>\n");
    if (rep->resolved) {
        html_lit(b, "<p class=\"resolution\">Closed by ");
        html_text(b, rep->resolved_by ? rep->resolved_by : "someone");
        html_lit(b, ": ");
        html_text(b, rep->resolution ? rep->resolution : "");
        html_lit(b, "</p>\n</li>\n");
        user_free(&subj);
        return 0;
    }
    html_lit(b, "<form method=\"post\" class=\"report-actions\" action=\"/admin/reports/");
    html_int(b, rep->id);
    html_lit(b, "\">\n");
    page_csrf_field(r);
    html_lit(b, "<p class=\"field\"><label for=\"reason-");
    html_int(b, rep->id);
    html_lit(b, "\">Reason (for the audit log)</label> <input type=\"text\" name=\"reason\" "
                "id=\"reason-");
    html_int(b, rep->id);
    html_lit(b, "\"></p>\n<p class=\"field\"><label for=\"days-");
    html_int(b, rep->id);
    html_lit(b, "\">Suspension (days)</label> <input type=\"number\" min=\"1\" max=\"3650\" "
                "name=\"days\" value=\"7\" id=\"days-");
    html_int(b, rep->id);
    html_lit(b, "\"></p>\n<p class=\"actions\">");
    long long id = rep->id;
    if (rep->kind == REPORT_WORK) {
        action_button(b, "hide", "Hide Work", id);
        action_button(b, "unhide", "Unhide Work", id);
    } else if (rep->kind == REPORT_COMMENT) {
        action_button(b, "delete_comment", "Delete Comment", id);
    }
    if (subj.id > 0) {
        action_button(b, "suspend", "Suspend User", id);
        action_button(b, "ban", "Ban User", id);
    }
    action_button(b, "dismiss", "Dismiss", id);
    html_lit(b, "</p>\n</form>\n</li>\n");
    user_free(&subj);
    return 0;
}

static int reports_page(struct web_req *r, int status, const char *notice, const char *err)
{
    int page = page_parse(web_arg(r, "page"));
    if (page < 0)
        return ui_error(r, 400, "The page number must be a positive whole number.");
    const char *rs = web_arg(r, "resolved");
    int resolved = rs && !strcmp(rs, "1");
    buf_reset(&r->out);
    page_begin(r, "Reports");
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Reports</h1>\n<nav aria-label=\"Moderation\"><ul>"
                "<li><a href=\"/admin/reports\">Open reports</a></li>"
                "<li><a href=\"/admin/reports?resolved=1\" id=\"closed-reports\">Closed reports"
                "</a></li><li><a href=\"/admin/log\" id=\"audit-log-link\">Audit log</a></li>");
    if (web_is_admin(r))
        html_lit(b, "<li><a href=\"/admin/users\" id=\"admin-users-link\">Users and roles</a>"
                    "</li>");
    html_lit(b, "</ul></nav>\n");
    if (notice) {
        html_lit(b, "<p class=\"notice\" role=\"status\" id=\"notice\">");
        html_text(b, notice);
        html_lit(b, "</p>\n");
    }
    if (err)
        page_errors(r, &err, 1);
    html_lit(b, "<ol class=\"reports\" id=\"reports\">\n");
    struct reports_ctx x = {.r = r};
    int64_t total = 0;
    if (store_report_list(r->store, resolved, page_offset(page, ADMIN_PER_PAGE), ADMIN_PER_PAGE,
                          report_row, &x, &total))
        return ui_error(r, 500, "The reports could not be read.");
    html_lit(b, "</ol>\n");
    if (!x.n)
        html_lit(b, "<p class=\"empty\" id=\"no-reports\">No reports.</p>\n");
    html_lit(b, "<p class=\"count\"><span id=\"open-count\">");
    html_int(b, total);
    if (resolved)
        html_lit(b, "</span> closed reports.</p>\n");
    else
        html_lit(b, "</span> open reports.</p>\n");
    page_pagination_query(r, "/admin/reports", resolved ? "resolved=1" : NULL, page,
                          page_count(total, ADMIN_PER_PAGE));
    page_end(r);
    return status;
}

int ui_admin_reports(struct web_req *r)
{
    int status = need_moderator(r);
    return status ? status : reports_page(r, 200, NULL, NULL);
}

/* Hides or unhides work id inside the caller's transaction; *target names it for the log. */
static int set_hidden(struct web_req *r, int64_t id, int hidden, const char **target)
{
    struct work w;
    int rc = store_work_get(r->store, id, 0, &w);
    if (rc)
        return rc;
    *target = web_sprintf(r, "work %lld \"%s\"", (long long)id, w.title ? w.title : "");
    int64_t owner = w.user_id;
    const char *title = web_strdup(r, w.title && *w.title ? w.title : "Untitled");
    work_free(&w);
    rc = store_work_set_hidden(r->store, id, hidden);
    if (!rc && owner > 0)
        rc = store_inbox_add(r->store, owner, INBOX_SYSTEM,
                             web_sprintf(r,
                                         hidden ? "A moderator hid your work %s: it is left out "
                                                  "of every listing until a moderator unhides it."
                                                : "A moderator made your work %s visible again.",
                                         title),
                             web_sprintf(r, "/works/%lld", (long long)id));
    return rc;
}

int ui_admin_report_act(struct web_req *r)
{
    int status = need_moderator(r);
    if (status)
        return status;
    int64_t rid = web_param_id(r, 0);
    struct report_copy rep = {0};
    int rc = rid ? store_report_get(r->store, rid, copy_report, &rep) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no such report.");
    if (rc)
        return ui_error(r, 500, "The report could not be read.");
    if (rep.resolved)
        return reports_page(r, 422, NULL, "This report is already closed.");
    const char *err = NULL;
    const char *reason = action_reason(r, &err);
    const char *action = web_field(r, "action");
    if (err)
        return reports_page(r, 422, NULL, err);
    if (!action)
        return reports_page(r, 422, NULL, "Choose what to do with the report.");
    struct user subj;
    char label[600];
    if (report_subject(r, rep.kind, rep.object_id, &subj, label, sizeof(label)))
        return ui_error(r, 500, "The report could not be read.");
    const char *what = NULL, *target = web_strdup(r, label);
    int days = form_days(r);
    if ((!strcmp(action, "hide") || !strcmp(action, "unhide")) && rep.kind != REPORT_WORK)
        err = "Only works can be hidden.";
    else if (!strcmp(action, "delete_comment") && rep.kind != REPORT_COMMENT)
        err = "This report is not about a comment.";
    else if ((!strcmp(action, "suspend") || !strcmp(action, "ban")) && subj.id <= 0)
        err = "There is no account to suspend or ban for this report.";
    else if ((!strcmp(action, "suspend") || !strcmp(action, "ban")))
        err = may_sanction(r, &subj);
    else if (strcmp(action, "hide") && strcmp(action, "unhide") &&
             strcmp(action, "delete_comment") && strcmp(action, "dismiss"))
        err = "Unknown action.";
    if (!err && !strcmp(action, "suspend") && days < 0)
        err = "The suspension must last between 1 and 3650 days.";
    if (err) {
        user_free(&subj);
        return reports_page(r, 422, NULL, err);
    }
    rc = store_begin(r->store);
    if (!rc) {
        if (!strcmp(action, "hide") || !strcmp(action, "unhide")) {
            what = !strcmp(action, "hide") ? "hide work" : "unhide work";
            rc = set_hidden(r, rep.object_id, !strcmp(action, "hide"), &target);
        } else if (!strcmp(action, "delete_comment")) {
            what = "delete comment";
            rc = store_comment_delete(r->store, rep.object_id);
        } else if (!strcmp(action, "suspend")) {
            rc = sanction(r, &subj, -1, days, &what);
            target = web_sprintf(r, "user %s", subj.name);
        } else if (!strcmp(action, "ban")) {
            rc = sanction(r, &subj, 1, 0, &what);
            target = web_sprintf(r, "user %s", subj.name);
        } else {
            what = "dismiss report";
            target = web_sprintf(r, "report %lld on %s", (long long)rep.id, label);
        }
        if (!rc)
            rc = store_modlog_add(r->store, r->user.id, r->user.name, what, target, reason);
        if (!rc)
            rc = store_report_resolve(r->store, rep.id, r->user.id,
                                      web_sprintf(r, "%s%s%s", what, *reason ? ": " : "", reason));
        if (!rc)
            rc = store_commit(r->store);
        else
            store_rollback(r->store);
    }
    user_free(&subj);
    if (rc == FICD_ENOTFOUND)
        return reports_page(r, 422, NULL, "What the report is about no longer exists: dismiss it.");
    if (rc)
        return ui_error(r, 500, "The action could not be saved.");
    return reports_page(r, 200, web_sprintf(r, "Done: %s (%s).", what, target), NULL);
}

int ui_admin_work_act(struct web_req *r)
{
    int status = need_moderator(r);
    if (status)
        return status;
    int64_t id = web_param_id(r, 0);
    const char *action = web_field(r, "action");
    const char *err = NULL;
    const char *reason = action_reason(r, &err);
    if (!id)
        return ui_error(r, 404, "There is no work at this address.");
    if (err)
        return ui_error(r, 422, err);
    if (!action || (strcmp(action, "hide") && strcmp(action, "unhide")))
        return ui_error(r, 422, "Choose to hide or unhide the work.");
    const char *target = NULL;
    int hide = !strcmp(action, "hide");
    int rc = store_begin(r->store);
    if (!rc) {
        rc = set_hidden(r, id, hide, &target);
        if (!rc)
            rc = store_modlog_add(r->store, r->user.id, r->user.name,
                                  hide ? "hide work" : "unhide work", target, reason);
        if (!rc)
            rc = store_commit(r->store);
        else
            store_rollback(r->store);
    }
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no work at this address.");
    if (rc)
        return ui_error(r, 500, "The work could not be changed.");
    return web_redirect(r, web_sprintf(r, "/works/%lld", (long long)id));
}

/* ---- the audit log ---- */

static int log_row(const struct modlog_entry *e, void *ctx)
{
    struct web_req *r = ctx;
    struct buf *b = &r->out;
    html_lit(b, "<tr id=\"log-");
    html_int(b, e->id);
    html_lit(b, "\"><td>");
    struct tm tm;
    time_t t = (time_t)e->created;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
    html_text(b, when);
    html_lit(b, "</td><td>");
    html_text(b, e->actor);
    html_lit(b, "</td><td>");
    html_text(b, e->action);
    html_lit(b, "</td><td>");
    html_text(b, e->target);
    html_lit(b, "</td><td>");
    html_text(b, e->reason ? e->reason : "");
    html_lit(b, "</td></tr>\n");
    return 0;
}

int ui_admin_log(struct web_req *r)
{
    int status = need_moderator(r);
    if (status)
        return status;
    int page = page_parse(web_arg(r, "page"));
    if (page < 0)
        return ui_error(r, 400, "The page number must be a positive whole number.");
    page_begin(r, "Audit log");
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Audit log</h1>\n<p>Every moderator action: who, what, "
                "when and why. <a href=\"/admin/reports\">Reports</a></p>\n"
                "<table class=\"audit-log\" id=\"audit-log\">\n<thead><tr><th scope=\"col\">When"
                "</th><th scope=\"col\">Who</th><th scope=\"col\">What</th><th scope=\"col\">"
                "Target</th><th scope=\"col\">Why</th></tr></thead>\n<tbody>\n");
    int64_t total = 0;
    if (store_modlog_list(r->store, page_offset(page, ADMIN_PER_PAGE), ADMIN_PER_PAGE, log_row, r,
                          &total))
        return ui_error(r, 500, "The audit log could not be read.");
    html_lit(b, "</tbody>\n</table>\n");
    page_pagination(r, "/admin/log", page, page_count(total, ADMIN_PER_PAGE));
    page_end(r);
    return 200;
}

/* ---- accounts and roles ---- */

static int user_row(const struct user *u, void *ctx)
{
    struct web_req *r = ctx;
    struct buf *b = &r->out;
    int64_t now = (int64_t)time(NULL);
    struct buf path = BUF_INIT;
    html_lit(&path, "/admin/users/");
    html_url_path(&path, u->name);
    html_lit(b, "<tr id=\"user-");
    html_attr(b, u->name);
    html_lit(b, "\"><th scope=\"row\"><a href=\"");
    user_href(b, u->name);
    html_lit(b, "\">");
    html_text(b, u->name);
    html_lit(b, "</a></th><td class=\"role\">");
    html_text(b, user_role_name(u->role));
    html_lit(b, "</td><td class=\"status\">");
    if (u->banned) {
        html_lit(b, "banned");
    } else if (u->suspended_until > now) {
        html_lit(b, "suspended until ");
        page_date(b, u->suspended_until);
    } else {
        html_lit(b, "active");
    }
    html_lit(b, "</td><td><form method=\"post\" class=\"inline\" action=\"");
    html_attr(b, buf_str(&path));
    html_lit(b, "\">");
    page_csrf_field(r);
    html_lit(b, "<label for=\"role-");
    html_attr(b, u->name);
    html_lit(b, "\" class=\"landmark\">Role of ");
    html_text(b, u->name);
    html_lit(b, "</label><select name=\"role\" id=\"role-");
    html_attr(b, u->name);
    html_lit(b, "\">");
    for (int i = ROLE_USER; i <= ROLE_ADMIN; i++) {
        html_lit(b, "<option value=\"");
        html_text(b, user_role_name((enum user_role)i));
        html_lit(b, "\"");
        if ((int)u->role == i)
            html_lit(b, " selected");
        html_lit(b, ">");
        html_text(b, user_role_name((enum user_role)i));
        html_lit(b, "</option>");
    }
    html_lit(b, "</select> <button type=\"submit\" name=\"action\" value=\"role\">Set Role</button>"
                "</form></td><td><form method=\"post\" class=\"inline\" action=\"");
    html_attr(b, buf_str(&path));
    html_lit(b, "\">");
    page_csrf_field(r);
    html_lit(b,
             "<label>Days <input type=\"number\" name=\"days\" min=\"1\" max=\"3650\" "
             "value=\"7\"></label> <label>Reason <input type=\"text\" name=\"reason\"></label> ");
    if (u->suspended_until > now)
        html_lit(b, "<button type=\"submit\" name=\"action\" value=\"unsuspend\">Lift Suspension"
                    "</button> ");
    else
        html_lit(b, "<button type=\"submit\" name=\"action\" value=\"suspend\">Suspend</button> ");
    if (u->banned)
        html_lit(b, "<button type=\"submit\" name=\"action\" value=\"unban\">Lift Ban</button>");
    else
        html_lit(b, "<button type=\"submit\" name=\"action\" value=\"ban\">Ban</button>");
    html_lit(b, "</form></td></tr>\n");
    buf_free(&path);
    return 0;
}

static int users_page(struct web_req *r, int status, const char *notice, const char *err)
{
    buf_reset(&r->out);
    page_begin(r, "Users and roles");
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Users and roles</h1>\n<p>Wranglers wrangle tags; "
                "moderators handle reports, hide works and suspend or ban accounts; admins also "
                "grant roles and change the archive's settings.</p>\n");
    if (notice) {
        html_lit(b, "<p class=\"notice\" role=\"status\" id=\"notice\">");
        html_text(b, notice);
        html_lit(b, "</p>\n");
    }
    if (err)
        page_errors(r, &err, 1);
    html_lit(b, "<table class=\"users\" id=\"users\">\n<thead><tr><th scope=\"col\">Name</th>"
                "<th scope=\"col\">Role</th><th scope=\"col\">Status</th><th scope=\"col\">"
                "Change role</th><th scope=\"col\">Suspend or ban</th></tr></thead>\n<tbody>\n");
    if (store_user_list(r->store, user_row, r))
        return ui_error(r, 500, "The accounts could not be read.");
    html_lit(b, "</tbody>\n</table>\n");
    page_end(r);
    return status;
}

int ui_admin_users(struct web_req *r)
{
    int status = need_admin(r);
    return status ? status : users_page(r, 200, NULL, NULL);
}

int ui_admin_user_act(struct web_req *r)
{
    int status = need_admin(r);
    if (status)
        return status;
    struct user u;
    int rc = web_load_user(r, 0, &u);
    if (rc)
        return rc;
    const char *action = web_field(r, "action");
    const char *err = NULL;
    const char *reason = action_reason(r, &err);
    const char *what = NULL;
    int role = -1, days = form_days(r);
    if (!err && !action)
        err = "Choose what to change.";
    if (!err && !strcmp(action, "role")) {
        role = user_role_parse(web_field(r, "role"));
        if (role < 0)
            err = "Choose a role: user, wrangler, moderator or admin.";
        else if (u.id == r->user.id && role != ROLE_ADMIN)
            err = "You cannot take away your own admin role (ask another admin).";
    } else if (!err && (!strcmp(action, "suspend") || !strcmp(action, "ban"))) {
        err = may_sanction(r, &u);
        if (!err && !strcmp(action, "suspend") && days < 0)
            err = "The suspension must last between 1 and 3650 days.";
    } else if (!err && strcmp(action, "unsuspend") && strcmp(action, "unban")) {
        err = "Unknown action.";
    }
    if (err) {
        user_free(&u);
        return users_page(r, 422, NULL, err);
    }
    rc = store_begin(r->store);
    if (!rc) {
        if (role >= 0) {
            what = web_sprintf(r, "set role %s", user_role_name((enum user_role)role));
            rc = store_user_set_role(r->store, u.id, (enum user_role)role);
        } else if (!strcmp(action, "suspend")) {
            rc = sanction(r, &u, -1, days, &what);
        } else if (!strcmp(action, "unsuspend")) {
            rc = sanction(r, &u, -1, 0, &what);
        } else {
            rc = sanction(r, &u, !strcmp(action, "ban") ? 1 : 0, 0, &what);
        }
        if (!rc)
            rc = store_modlog_add(r->store, r->user.id, r->user.name, what,
                                  web_sprintf(r, "user %s", u.name), reason);
        if (!rc)
            rc = store_commit(r->store);
        else
            store_rollback(r->store);
    }
    const char *name = web_strdup(r, u.name);
    user_free(&u);
    if (rc)
        return ui_error(r, 500, "The account could not be changed.");
    return users_page(r, 200, web_sprintf(r, "Done: %s for %s.", what, name), NULL);
}

/* ---- password reset links ---- */

static int reset_page(struct web_req *r, int status, const char *err)
{
    buf_reset(&r->out);
    page_begin(r, "Reset password");
    struct buf *b = &r->out;
    html_lit(b, "<h1 class=\"heading\">Choose a new password</h1>\n");
    if (err)
        page_errors(r, &err, 1);
    html_lit(b, "<form method=\"post\" id=\"reset-form\" action=\"/password_reset/");
    html_url_path(b, r->params[0]);
    html_lit(b, "\">\n");
    page_csrf_field(r);
    page_input(r, "password", "new_password", "New password", NULL, "At least 8 characters.");
    page_input(r, "password", "new_password_confirm", "Confirm new password", NULL, NULL);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"reset-submit\">Set Password"
                "</button></p>\n</form>\n");
    page_end(r);
    return status;
}

static const char *const reset_gone =
    "This password reset link is unknown, was already used, or has expired. Ask an admin for "
    "a new one.";

int ui_password_reset_form(struct web_req *r)
{
    char h[65];
    int64_t uid = 0;
    token_hash(r->params[0], h);
    if (store_reset_check(r->store, h, (int64_t)time(NULL), &uid))
        return ui_error(r, 500, "The link could not be checked.");
    if (!uid)
        return ui_error(r, 404, reset_gone);
    return reset_page(r, 200, NULL);
}

int ui_password_reset(struct web_req *r)
{
    char h[65];
    int64_t uid = 0;
    token_hash(r->params[0], h);
    if (store_reset_check(r->store, h, (int64_t)time(NULL), &uid))
        return ui_error(r, 500, "The link could not be checked.");
    if (!uid)
        return ui_error(r, 404, reset_gone);
    const char *pw = web_field(r, "new_password");
    const char *e = password_problem(pw, web_field(r, "new_password_confirm"));
    if (e)
        return reset_page(r, 422, e);
    char hash[128];
    if (password_hash(pw, hash))
        return ui_error(r, 500, "The password could not be changed.");
    int rc = store_begin(r->store);
    if (!rc) {
        rc = store_reset_use(r->store, h, (int64_t)time(NULL), &uid);
        if (!rc && !uid)
            rc = FICD_ENOTFOUND;
        if (!rc)
            rc = store_user_set_password(r->store, uid, hash);
        if (!rc)
            rc = store_commit(r->store);
        else
            store_rollback(r->store);
    }
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, reset_gone);
    if (rc)
        return ui_error(r, 500, "The password could not be changed.");
    page_begin(r, "Password changed");
    html_lit(&r->out, "<h1 class=\"heading\">Password changed</h1>\n<p class=\"notice\" "
                      "id=\"reset-done\" role=\"status\">Your password was changed. <a "
                      "href=\"/login\">Log in</a> with it.</p>\n");
    page_end(r);
    return 200;
}
