/* page.c: the site layout and the shared rendering helpers (links, pagination, form fields);
 * how a work is shown (blurbs, preface, chapters) is in page_work.c. Every byte of user data
 * goes through the escaping writer. */
#include "web/page.h"
#include "core/html.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void page_begin(struct web_req *r, const char *title)
{
    struct buf *b = &r->out;
    html_lit(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
    if (title && *title) {
        html_text(b, title);
        html_lit(b, " - ");
    }
    html_text(b, r->archive_name ? r->archive_name : "ficd");
    html_lit(b, "</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
                "<script src=\"/static/ficd.js\" defer></script>\n</head>\n<body>\n"
                "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
                "<header class=\"site\" id=\"header\">\n<p class=\"brand\"><a href=\"/\">");
    html_text(b, r->archive_name ? r->archive_name : "ficd");
    html_lit(b, "</a></p>\n<nav aria-label=\"Site\" id=\"nav\">\n<ul>\n"
                "<li><a href=\"/works\">Works</a></li>\n");
    if (r->user.id > 0) {
        html_lit(b, "<li><a href=\"/works/new\">Post New</a></li>\n"
                    "<li><a href=\"/dashboard\">Dashboard</a></li>\n"
                    "<li><a href=\"/users/");
        html_url_path(b, r->user.name);
        html_lit(b, "\" id=\"nav-user\">");
        html_text(b, r->user.name);
        html_lit(b, "</a></li>\n<li><a href=\"/users/");
        html_url_path(b, r->user.name);
        html_lit(b, "/inbox\" id=\"nav-inbox\">Inbox");
        int64_t unread = 0;
        if (r->store && store_inbox_unread(r->store, r->user.id, &unread) == 0 && unread > 0) {
            html_lit(b, " <span class=\"count\" id=\"inbox-count\">(");
            html_int(b, unread);
            html_lit(b, "<span class=\"landmark\"> unread</span>)</span>");
        }
        html_lit(b, "</a></li>\n");
        if (r->user.role >= ROLE_MODERATOR)
            html_lit(b, "<li><a href=\"/admin/reports\" id=\"nav-admin\">Moderation</a></li>\n");
        html_lit(b, "<li><a href=\"/settings\">Settings</a></li>\n"
                    "<li><form method=\"post\" action=\"/logout\" class=\"inline\">");
        page_csrf_field(r);
        html_lit(b, "<button type=\"submit\" id=\"logout\">Log Out</button></form></li>\n");
    } else {
        html_lit(b, "<li><a href=\"/login\" id=\"nav-login\">Log In</a></li>\n"
                    "<li><a href=\"/signup\">Sign Up</a></li>\n");
    }
    html_lit(b, "</ul>\n</nav>\n<form class=\"site-search\" id=\"search-form\" role=\"search\" "
                "method=\"get\" action=\"/works\">\n<label for=\"site-search\" "
                "class=\"landmark\">Search works</label>\n<input type=\"search\" name=\"q\" "
                "id=\"site-search\" placeholder=\"Search works\"");
    /* on the works index the box shows the query it answers */
    const char *q = r->path && !strcmp(r->path, "/works") ? web_arg(r, "q") : NULL;
    if (q && *q) {
        html_lit(b, " value=\"");
        html_attr(b, q);
        html_lit(b, "\"");
    }
    html_lit(b, ">\n<button type=\"submit\" id=\"search-button\">Search</button>\n</form>\n"
                "</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

void page_end(struct web_req *r)
{
    struct buf *b = &r->out;
    html_lit(b, "</main>\n<footer class=\"site\">\n<p>");
    html_text(b, r->archive_name ? r->archive_name : "ficd");
    html_lit(b, " &middot; powered by ficd</p>\n</footer>\n</body>\n</html>\n");
}

void page_errors(struct web_req *r, const char *const *msgs, size_t n)
{
    if (!n)
        return;
    struct buf *b = &r->out;
    html_lit(b, "<div class=\"errors\" role=\"alert\" id=\"errors\">\n"
                "<p>We couldn't save this because:</p>\n<ul>\n");
    for (size_t i = 0; i < n; i++) {
        html_lit(b, "<li>");
        html_text(b, msgs[i]);
        html_lit(b, "</li>\n");
    }
    html_lit(b, "</ul>\n</div>\n");
}

/* ---- pagination ---- */

int page_count(int64_t total, int per_page)
{
    if (per_page <= 0 || total <= 0)
        return 1;
    int64_t n = (total + per_page - 1) / per_page;
    return n > 1000000000 ? 1000000000 : (int)n;
}

int page_parse(const char *s)
{
    if (!s)
        return 1;
    if (!*s)
        return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
        if (v > 1000000)
            return -1;
    }
    return v >= 1 ? (int)v : -1;
}

int page_offset(int page, int per_page)
{
    if (page < 1)
        page = 1;
    return (page - 1) * per_page;
}

static void page_link(struct buf *b, const char *base, const char *query, int page)
{
    html_lit(b, "<a href=\"");
    html_attr(b, base);
    html_lit(b, "?");
    if (query && *query) {
        html_attr(b, query);
        html_lit(b, "&amp;");
    }
    html_lit(b, "page=");
    html_int(b, page);
    html_lit(b, "\"");
}

void page_pagination(struct web_req *r, const char *base, int page, int npages)
{
    page_pagination_query(r, base, NULL, page, npages);
}

void page_pagination_query(struct web_req *r, const char *base, const char *query, int page,
                           int npages)
{
    if (npages <= 1)
        return;
    struct buf *b = &r->out;
    html_lit(b, "<nav class=\"pagination\" aria-label=\"Pages\">\n<ol>\n");
    if (page > 1) {
        html_lit(b, "<li>");
        page_link(b, base, query, page - 1);
        html_lit(b, " rel=\"prev\">&larr; Previous</a></li>\n");
    }
    int last_shown = 0;
    for (int p = 1; p <= npages; p++) {
        if (p != 1 && p != npages && (p < page - 2 || p > page + 2))
            continue;
        if (last_shown && p > last_shown + 1)
            html_lit(b, "<li class=\"gap\">&hellip;</li>\n");
        last_shown = p;
        if (p == page) {
            html_lit(b, "<li><span aria-current=\"page\">");
            html_int(b, p);
            html_lit(b, "</span></li>\n");
        } else {
            html_lit(b, "<li>");
            page_link(b, base, query, p);
            html_lit(b, ">");
            html_int(b, p);
            html_lit(b, "</a></li>\n");
        }
    }
    if (page < npages) {
        html_lit(b, "<li>");
        page_link(b, base, query, page + 1);
        html_lit(b, " rel=\"next\">Next &rarr;</a></li>\n");
    }
    html_lit(b, "</ol>\n</nav>\n");
}

const char *page_query_without_page(struct web_req *r)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < r->args.n; i++) {
        const struct web_kv *kv = &r->args.v[i];
        if (!strcmp(kv->key, "page") || !*kv->value)
            continue;
        if (b.len)
            buf_putc(&b, '&');
        html_url_arg(&b, kv->key);
        buf_putc(&b, '=');
        html_url_arg(&b, kv->value);
    }
    const char *s = web_strdup(r, buf_str(&b));
    buf_free(&b);
    return s;
}

/* ---- links ---- */

void page_tag_segment(struct buf *b, const char *name)
{
    const char *p = name;
    while (p && *p) {
        size_t n = strcspn(p, "/&.?#");
        if (n) {
            char *part = strndup(p, n);
            if (!part) {
                b->err = FICD_ENOMEM;
                return;
            }
            html_url_path(b, part);
            free(part);
        }
        p += n;
        if (!*p)
            break;
        switch (*p) {
        case '/':
            html_lit(b, "*s*");
            break;
        case '&':
            html_lit(b, "*a*");
            break;
        case '.':
            html_lit(b, "*d*");
            break;
        case '?':
            html_lit(b, "*q*");
            break;
        default:
            html_lit(b, "*h*");
            break;
        }
        p++;
    }
}

void page_tag_unsegment(char *name)
{
    char *w = name;
    for (char *p = name; *p;) {
        if (p[0] == '*' && p[1] && p[2] == '*') {
            char c = 0;
            switch (p[1]) {
            case 's':
                c = '/';
                break;
            case 'a':
                c = '&';
                break;
            case 'd':
                c = '.';
                break;
            case 'q':
                c = '?';
                break;
            case 'h':
                c = '#';
                break;
            }
            if (c) {
                *w++ = c;
                p += 3;
                continue;
            }
        }
        *w++ = *p++;
    }
    *w = 0;
}

void page_tag_link(struct web_req *r, const char *name, const char *cls)
{
    struct buf *b = &r->out;
    html_lit(b, "<a class=\"tag");
    if (cls) {
        html_lit(b, " ");
        html_attr(b, cls);
    }
    html_lit(b, "\" href=\"/tags/");
    page_tag_segment(b, name);
    html_lit(b, "/works\">");
    html_text(b, name);
    html_lit(b, "</a>");
}

void page_user_link(struct web_req *r, const char *name)
{
    struct buf *b = &r->out;
    html_lit(b, "<a rel=\"author\" href=\"/users/");
    html_url_path(b, name);
    html_lit(b, "\">");
    html_text(b, name);
    html_lit(b, "</a>");
}

void page_date(struct buf *b, int64_t t)
{
    if (t <= 0) {
        html_lit(b, "&mdash;");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    buf_printf(b, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ---- forms ---- */

void page_form_token(struct web_req *r, const char *action)
{
    if (r->user.id > 0) {
        page_csrf_field(r);
        return;
    }
    char tok[65];
    session_guest_token(r, action, tok);
    html_lit(&r->out, "<input type=\"hidden\" name=\"" CSRF_FIELD "\" value=\"");
    html_attr(&r->out, tok);
    html_lit(&r->out, "\">");
}

void page_csrf_field(struct web_req *r)
{
    html_lit(&r->out, "<input type=\"hidden\" name=\"" CSRF_FIELD "\" value=\"");
    html_attr(&r->out, session_csrf(r));
    html_lit(&r->out, "\">");
}

static void hint(struct web_req *r, const char *name, const char *text)
{
    if (!text)
        return;
    html_lit(&r->out, "<small class=\"hint\" id=\"");
    html_attr(&r->out, name);
    html_lit(&r->out, "-hint\">");
    html_text(&r->out, text);
    html_lit(&r->out, "</small>");
}

void page_input(struct web_req *r, const char *type, const char *name, const char *label,
                const char *value, const char *extra_hint)
{
    struct buf *b = &r->out;
    html_lit(b, "<p class=\"field\"><label for=\"");
    html_attr(b, name);
    html_lit(b, "\">");
    html_text(b, label);
    html_lit(b, "</label> <input type=\"");
    html_attr(b, type);
    html_lit(b, "\" name=\"");
    html_attr(b, name);
    html_lit(b, "\" id=\"");
    html_attr(b, name);
    html_lit(b, "\"");
    if (value && strcmp(type, "password") != 0) {
        html_lit(b, " value=\"");
        html_attr(b, value);
        html_lit(b, "\"");
    }
    if (extra_hint) {
        html_lit(b, " aria-describedby=\"");
        html_attr(b, name);
        html_lit(b, "-hint\"");
    }
    html_lit(b, "> ");
    hint(r, name, extra_hint);
    html_lit(b, "</p>\n");
}

void page_textarea(struct web_req *r, const char *name, const char *label, const char *value,
                   int rows, const char *help)
{
    struct buf *b = &r->out;
    html_lit(b, "<p class=\"field\"><label for=\"");
    html_attr(b, name);
    html_lit(b, "\">");
    html_text(b, label);
    html_lit(b, "</label> ");
    hint(r, name, help);
    html_lit(b, "<textarea name=\"");
    html_attr(b, name);
    html_lit(b, "\" id=\"");
    html_attr(b, name);
    html_lit(b, "\" rows=\"");
    html_int(b, rows);
    html_lit(b, "\"");
    if (help) {
        html_lit(b, " aria-describedby=\"");
        html_attr(b, name);
        html_lit(b, "-hint\"");
    }
    html_lit(b, ">\n");
    html_text(b, value);
    html_lit(b, "</textarea></p>\n");
}

const char *page_user_path(struct web_req *r, const char *name, const char *tail)
{
    struct buf b = BUF_INIT;
    html_lit(&b, "/users/");
    html_url_path(&b, name);
    buf_puts(&b, tail);
    const char *s = web_strdup(r, buf_str(&b));
    buf_free(&b);
    return s;
}
