/* ui_error.c: error pages (400, 403, 404, 405, 413, 422, 429, 431, 500, 503) in the site
 * layout, and the redirect to the login page. A 5xx page is logged on stderr with its cause
 * (the store's last message) and the request id the page shows; a failure because the disk
 * is full becomes a 503 that says so. */
#include "core/html.h"
#include "store/store.h"
#include "web/page.h"

#include <stdio.h>
#include <string.h>

struct status_text {
    int status;
    const char *title;
    const char *explain;
};

static const struct status_text texts[] = {
    {400, "Bad Request", "The request could not be understood."},
    {403, "Forbidden", "You are not allowed to do that."},
    {404, "Page Not Found",
     "There is no page at this address. It may have been deleted, or "
     "the link may be wrong."},
    {405, "Method Not Allowed", "This address does not accept that kind of request."},
    {413, "Request Too Large", "The request is larger than this archive accepts."},
    {422, "Unprocessable Entity", "Some of the values sent cannot be used."},
    {429, "Too Many Requests", "Too many attempts. Wait a few minutes and try again."},
    {431, "Request Header Fields Too Large",
     "The request's headers are larger than this archive accepts. Clearing this site's "
     "cookies may help."},
    {500, "Internal Server Error", "Something went wrong on our side. Try again later."},
    {503, "Service Unavailable", "The archive is not available right now."},
};

int ui_error(struct web_req *r, int status, const char *msg)
{
    int code = r->store ? store_errcode(r->store) : 0;
    if (status == 500 && code == FICD_ENOSPC) {
        status = 503;
        msg = "The archive's disk is full, so nothing was saved. Reading works as usual; "
              "try again later.";
        web_header(r, "Retry-After", "300");
    }
    if (status >= 500) {
        const char *cause = code ? store_errmsg(r->store) : NULL;
        fprintf(stderr, "ficd: request %s: %d %s %s: %s%s%s\n", r->request_id, status,
                r->method ? r->method : "-", r->path ? r->path : "-", msg ? msg : "(no message)",
                cause ? "; store: " : "", cause ? cause : "");
    }
    const struct status_text *t = NULL;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (texts[i].status == status)
            t = &texts[i];
    buf_reset(&r->out);
    r->out.err = 0;
    r->content_type = NULL;
    char title[64];
    snprintf(title, sizeof(title), "%d %s", status, t ? t->title : "Error");
    page_begin(r, title);
    struct buf *b = &r->out;
    html_lit(b, "<div class=\"error-page\" id=\"error\">\n<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<p class=\"error-message\">");
    html_text(b, msg ? msg : t ? t->explain : "The request failed.");
    html_lit(b, "</p>\n");
    if (status >= 500) {
        html_lit(b, "<p class=\"request-id\">If you tell the archive's administrators, give "
                    "them this request ID: <code id=\"request-id\">");
        html_text(b, r->request_id);
        html_lit(b, "</code></p>\n");
    }
    html_lit(b, "<p><a href=\"/\">Go to the front page</a> or <a href=\"/works\">browse "
                "works</a>.</p>\n</div>\n");
    page_end(r);
    r->status = status;
    return status;
}

int ui_login_required(struct web_req *r)
{
    struct buf b = BUF_INIT;
    html_lit(&b, "/login?return_to=");
    html_url_arg(&b, r->path);
    if (r->query && *r->query) {
        html_url_arg(&b, "?");
        html_url_arg(&b, r->query);
    }
    if (b.err) {
        buf_free(&b);
        return web_redirect(r, "/login");
    }
    web_redirect(r, web_strdup(r, buf_str(&b)));
    buf_free(&b);
    return 303;
}

int ui_need(struct web_req *r, int allowed, const char *why)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    return allowed ? 0 : ui_error(r, 403, why);
}
