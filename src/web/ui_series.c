/* ui_series.c: the series pages: /series/ID (its works in order), editing a series, and
 * /users/NAME/series. */
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

struct series_page {
    struct web_req *r;
    int64_t words;
    int n;
    const int64_t *ids;
    const int *pos;
    size_t nparts;
    size_t i;
};

static int series_part_cb(const struct work *w, void *ctx)
{
    struct series_page *p = ctx;
    struct web_req *r = p->r;
    while (p->i < p->nparts && p->ids[p->i] != w->id)
        p->i++;
    int pos = p->i < p->nparts ? p->pos[p->i] : 0;
    if (((w->draft || w->hidden) && !web_can_edit(r, w)) || (w->restricted && r->user.id <= 0) ||
        web_work_hidden(r, w->id))
        return 0;
    struct buf *b = &r->out;
    html_lit(b, "<li class=\"series-part\"><h3 class=\"heading\">Part ");
    html_int(b, pos);
    html_lit(b, "</h3><ol class=\"works\">");
    page_work_blurb(r, w);
    html_lit(b, "</ol></li>\n");
    p->words += work_words(w);
    p->n++;
    return 0;
}

/* The series of route parameter 0: 0 with *se filled, or the status of the 404 or 500 page. */
static int get_series(struct web_req *r, struct series *se)
{
    int64_t id = web_param_id(r, 0);
    int rc = id ? store_series_get(r->store, id, se) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no such series.");
    if (rc)
        return ui_error(r, 500, "The series could not be read.");
    return 0;
}

int web_load_series(struct web_req *r, struct series *se, int64_t **ids, int **pos, size_t *n)
{
    int rc = get_series(r, se);
    if (rc)
        return rc;
    *ids = NULL;
    *pos = NULL;
    *n = 0;
    if (store_series_parts(r->store, web_param_id(r, 0), ids, pos, n)) {
        series_free(se);
        return ui_error(r, 500, "The series could not be read.");
    }
    return 0;
}

int ui_series_show(struct web_req *r)
{
    struct series se;
    int64_t *ids = NULL;
    int *pos = NULL;
    size_t n = 0;
    int rc = web_load_series(r, &se, &ids, &pos, &n);
    if (rc)
        return rc;
    struct buf *b = &r->out;
    page_begin(r, se.title);
    html_lit(b, "<h1 id=\"series-title\">");
    html_text(b, se.title);
    html_lit(b, "</h1>\n<dl class=\"series meta\">\n");
    if (se.owner) {
        html_lit(b, "<dt>Creator:</dt><dd>");
        page_user_link(r, se.owner);
        html_lit(b, "</dd>\n");
    }
    html_lit(b, "<dt>Series begun:</dt><dd>");
    page_date(b, se.created);
    html_lit(b, "</dd>\n<dt>Series updated:</dt><dd>");
    page_date(b, se.updated);
    html_lit(b, "</dd>\n");
    if (se.description && *se.description) {
        html_lit(b, "<dt>Description:</dt><dd class=\"userstuff\">");
        html_paragraphs(b, se.description);
        html_lit(b, "</dd>\n");
    }
    if (se.notes && *se.notes) {
        html_lit(b, "<dt>Notes:</dt><dd class=\"userstuff\">");
        html_paragraphs(b, se.notes);
        html_lit(b, "</dd>\n");
    }
    /* the parts first into a side buffer: the stats above them need their sum */
    struct buf parts_out = r->out;
    r->out = (struct buf)BUF_INIT;
    struct series_page p = {r, 0, 0, ids, pos, n, 0};
    rc = n ? store_work_get_many(r->store, ids, n, 0, series_part_cb, &p) : 0;
    struct buf list = r->out;
    r->out = parts_out;
    b = &r->out;
    html_lit(b, "<dt>Stats:</dt><dd><dl class=\"stats\"><dt>Words:</dt><dd id=\"series-words\">");
    html_int(b, p.words);
    html_lit(b, "</dd><dt>Works:</dt><dd id=\"series-works\">");
    html_int(b, p.n);
    html_lit(b, "</dd><dt>Complete:</dt><dd id=\"series-complete\">");
    html_text(b, se.complete ? "Yes" : "No");
    html_lit(b, "</dd></dl></dd>\n</dl>\n<p><a href=\"/series/");
    html_int(b, se.id);
    html_lit(b, "/feed.atom\" id=\"series-feed\" type=\"application/atom+xml\">Atom feed of this "
                "series</a></p>\n");
    if (r->user.id > 0) {
        readers_subscribe_button(r, web_sprintf(r, "/series/%lld", (long long)se.id), SUB_SERIES,
                                 se.id);
        if (se.user_id == r->user.id) {
            html_lit(b, " <a href=\"/series/");
            html_int(b, se.id);
            html_lit(b, "/edit\" id=\"edit-series\">Edit Series</a>");
        }
    }
    html_lit(b,
             "\n<h2>Works in this series</h2>\n<ol class=\"series index\" id=\"series-parts\">\n");
    buf_put(b, list.data ? list.data : "", list.len);
    buf_free(&list);
    html_lit(b, "</ol>\n");
    page_end(r);
    free(ids);
    free(pos);
    series_free(&se);
    return rc ? ui_error(r, 500, "The series could not be read.") : 200;
}

static int own_series(struct web_req *r, struct series *se)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    int rc = get_series(r, se);
    if (rc)
        return rc;
    if (se->user_id != r->user.id && !web_is_admin(r)) {
        series_free(se);
        return ui_error(r, 403, "Only the series' creator may change it.");
    }
    return 0;
}

static int series_form(struct web_req *r, struct series *se, int status, const char *err)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, "Edit Series");
    html_lit(b, "<h1>Edit Series</h1>\n");
    if (err)
        page_errors(r, &err, 1);
    html_lit(b, "<form method=\"post\" action=\"/series/");
    html_int(b, se->id);
    html_lit(b, "/edit\" id=\"series-form\">\n");
    page_csrf_field(r);
    page_input(r, "text", "title", "Series title", se->title, NULL);
    page_textarea(r, "description", "Description", se->description, 4, NULL);
    page_textarea(r, "notes", "Notes", se->notes, 4, NULL);
    html_lit(b, "<p class=\"field\"><label><input type=\"checkbox\" name=\"complete\" "
                "value=\"1\" id=\"complete\"");
    if (se->complete)
        html_lit(b, " checked");
    html_lit(b, "> This series is complete</label></p>\n<p "
                "class=\"actions\"><button type=\"submit\">Update</button></p>\n</form>\n");
    page_end(r);
    return status;
}

int ui_series_edit(struct web_req *r)
{
    struct series se;
    int st = own_series(r, &se);
    if (st)
        return st;
    st = series_form(r, &se, 200, NULL);
    series_free(&se);
    return st;
}

int ui_series_update(struct web_req *r)
{
    struct series se;
    int st = own_series(r, &se);
    if (st)
        return st;
    const char *t = web_field(r, "title"), *d = web_field(r, "description"),
               *n = web_field(r, "notes"), *c = web_field(r, "complete");
    free(se.title);
    free(se.description);
    free(se.notes);
    se.title = strdup(t ? t : "");
    se.description = d ? strdup(d) : NULL;
    se.notes = n ? strdup(n) : NULL;
    se.complete = c && !strcmp(c, "1");
    const char *err = NULL;
    if (!se.title || !*se.title || strlen(se.title) > 255)
        err = "Give the series a title of at most 255 characters.";
    else if ((d && strlen(d) > 5000) || (n && strlen(n) > 5000))
        err = "The description and notes must be at most 5000 characters each.";
    int rc = err ? 0 : store_series_update(r->store, &se);
    if (rc == FICD_EEXISTS)
        err = "You already have a series with that title.";
    else if (rc) {
        series_free(&se);
        return ui_error(r, 500, "The series could not be saved.");
    }
    if (err) {
        st = series_form(r, &se, 422, err);
        series_free(&se);
        return st;
    }
    const char *to = web_sprintf(r, "/series/%lld", (long long)se.id);
    series_free(&se);
    return web_redirect(r, to);
}

static int series_row(const struct series *se, void *ctx)
{
    struct web_req *r = ctx;
    struct buf *b = &r->out;
    html_lit(b, "<li><a href=\"/series/");
    html_int(b, se->id);
    html_lit(b, "\">");
    html_text(b, se->title);
    html_lit(b, "</a>");
    if (se->complete)
        html_lit(b, " <span class=\"complete\">(Complete)</span>");
    html_lit(b, "</li>\n");
    return 0;
}

int ui_user_series(struct web_req *r)
{
    struct user u;
    int st = web_load_user(r, 1, &u);
    if (st)
        return st;
    struct buf *b = &r->out;
    page_begin(r, web_sprintf(r, "Series by %s", u.name));
    html_lit(b, "<h1>Series by ");
    html_text(b, u.name);
    html_lit(b, "</h1>\n<ul class=\"series index\" id=\"series-list\">\n");
    int rc = store_series_list_user(r->store, u.id, series_row, r);
    html_lit(b, "</ul>\n");
    page_end(r);
    user_free(&u);
    return rc ? ui_error(r, 500, "The series could not be read.") : 200;
}
