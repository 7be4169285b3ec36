/* ui_readings.c: reading history and marked for later: the button on work pages and
 * /users/NAME/readings. */
#include "core/account.h"
#include "core/html.h"
#include "index/index.h"
#include "text/sanitize.h"
#include "web/page.h"
#include "web/readers_int.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ui_mark_for_later(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct work w;
    int st = web_load_work(r, 0, 0, &w);
    if (st)
        return st;
    int64_t id = w.id;
    work_free(&w);
    const char *v = web_field(r, "later");
    int later = !v || strcmp(v, "0");
    if (store_reading_mark_later(r->store, r->user.id, id, later))
        return ui_error(r, 500, "The work could not be marked.");
    return readers_back(r, web_sprintf(r, "/works/%lld", (long long)id));
}

struct rd_page {
    struct web_req *r;
    struct reading *v;
    size_t n, cap;
};

static int rd_collect(const struct reading *rd, void *ctx)
{
    struct rd_page *p = ctx;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        struct reading *nv = web_alloc(p->r, cap * sizeof(*nv));
        if (p->n)
            memcpy(nv, p->v, p->n * sizeof(*nv));
        p->v = nv;
        p->cap = cap;
    }
    p->v[p->n++] = *rd;
    return 0;
}

static int rd_work_cb(const struct work *w, void *ctx)
{
    struct rd_page *p = ctx;
    struct web_req *r = p->r;
    const struct reading *rd = NULL;
    for (size_t i = 0; i < p->n && !rd; i++)
        if (p->v[i].work_id == w->id)
            rd = &p->v[i];
    if (!rd || web_work_hidden(r, w->id))
        return 0;
    struct buf *b = &r->out;
    html_lit(b, "<li class=\"reading\"><ol class=\"works\">");
    page_work_blurb(r, w);
    html_lit(b, "</ol><p class=\"viewed\">");
    if (rd->visits) {
        html_lit(b, "Last visited: ");
        page_date(b, rd->last_visit);
        html_lit(b, ", visited ");
        html_int(b, rd->visits);
        buf_puts(b, rd->visits == 1 ? " time" : " times");
        if (rd->last_chapter > 0) {
            html_lit(b, ", last read chapter ");
            html_int(b, rd->last_chapter);
        }
        html_lit(b, ".");
    }
    if (rd->later)
        html_lit(b, " <span class=\"later\">(Marked for Later)</span>");
    html_lit(b, "</p>");
    readers_post_button(r, web_sprintf(r, "/works/%lld/mark_for_later", (long long)w->id),
                        rd->later ? "unmark-later" : "mark-later",
                        rd->later ? "Mark as Read" : "Mark for Later");
    html_lit(b, "</li>\n");
    return 0;
}

int ui_user_readings(struct web_req *r)
{
    int st = web_own_user(r, 1, "Only you can see your reading history.");
    if (st)
        return st;
    int page = page_parse(web_arg(r, "page"));
    if (page < 0)
        return ui_error(r, 400, "The page number must be a whole number from 1 up.");
    const char *show = web_arg(r, "show");
    int later = show && !strcmp(show, "to-read");
    struct rd_page p = {r, NULL, 0, 0};
    int64_t total = 0;
    if (store_reading_list(r->store, r->user.id, later, page_offset(page, WORKS_PER_PAGE),
                           WORKS_PER_PAGE, rd_collect, &p, &total))
        return ui_error(r, 500, "The history could not be read.");
    int off = 0;
    if (store_history_off(r->store, r->user.id, &off))
        return ui_error(r, 500, "The history could not be read.");
    struct buf *b = &r->out;
    const char *title = later ? "Marked for Later" : "History";
    page_begin(r, title);
    html_lit(b, "<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<nav aria-label=\"History views\"><ul><li><a href=\"");
    html_attr(b, page_user_path(r, r->user.name, "/readings"));
    html_lit(b, "\">Full History</a></li><li><a id=\"marked-for-later\" href=\"");
    html_attr(b, page_user_path(r, r->user.name, "/readings?show=to-read"));
    html_lit(b, "\">Marked for Later</a></li></ul></nav>\n");
    if (off && !later)
        html_lit(b, "<p class=\"notice\" id=\"history-off\">Your history is turned off (in <a "
                    "href=\"/settings#history\">settings</a>).</p>\n");
    html_lit(b, "<p class=\"count\">");
    html_int(b, total);
    buf_puts(b, total == 1 ? " work" : " works");
    html_lit(b, "</p>\n<ol class=\"readings index\" id=\"readings\">\n");
    int64_t *ids = web_alloc(r, (p.n + 1) * sizeof(*ids));
    for (size_t i = 0; i < p.n; i++)
        ids[i] = p.v[i].work_id;
    if (p.n && store_work_get_many(r->store, ids, p.n, 0, rd_work_cb, &p))
        html_lit(b, "<li>The works could not be read.</li>\n");
    html_lit(b, "</ol>\n");
    page_pagination_query(r, page_user_path(r, r->user.name, "/readings"),
                          later ? "show=to-read" : "", page, page_count(total, WORKS_PER_PAGE));
    page_end(r);
    return 200;
}
