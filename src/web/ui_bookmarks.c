/* ui_bookmarks.c: bookmarks: a work's bookmark form, /works/ID/bookmarks,
 * /users/NAME/bookmarks, /bookmarks with filters and facets, edit and delete, and the JSON
 * list (/api/v1/users/NAME/bookmarks). */
#include "core/account.h"
#include "core/html.h"
#include "index/index.h"
#include "text/sanitize.h"
#include "web/json_works.h"
#include "web/page.h"
#include "web/readers_int.h"
#include "web/session.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BOOKMARKS_PER_PAGE 20
#define MAX_BOOKMARK_TAGS  50
#define MAX_NOTES          20000

/* Reads the bookmark form into b (notes sanitized); returns an error message or NULL. */
static const char *bookmark_form(struct web_req *r, struct bookmark *b)
{
    const char *notes = web_field(r, "notes"), *tags = web_field(r, "tags");
    if (notes && strlen(notes) > MAX_NOTES)
        return "Bookmark notes must be at most 20000 characters.";
    if (tags && strlen(tags) > 5000)
        return "The bookmark's tags are too long.";
    free(b->notes);
    b->notes = NULL;
    if (notes && *notes) {
        b->notes = sanitize_html(notes, strlen(notes));
        if (!b->notes)
            return "Out of memory.";
    }
    strlist_free(&b->tags);
    readers_split_commas(tags, &b->tags, MAX_BOOKMARK_TAGS);
    const char *p = web_field(r, "private"), *rec = web_field(r, "rec");
    b->is_private = p && !strcmp(p, "1");
    b->rec = rec && !strcmp(rec, "1");
    return NULL;
}

void readers_bookmark_fields(struct web_req *r, const struct bookmark *bm)
{
    struct buf *b = &r->out;
    page_csrf_field(r);
    page_textarea(r, "notes", "Notes", bm ? bm->notes : NULL, 4,
                  "Simple HTML is allowed; it is cleaned before it is saved.");
    page_input(r, "text", "tags", "Your tags", bm ? web_join(r, &bm->tags) : NULL,
               "Comma-separated; they are yours, not the work's.");
    html_lit(b, "<p class=\"field\"><label><input type=\"checkbox\" name=\"private\" value=\"1\" "
                "id=\"private\"");
    if (bm && bm->is_private)
        html_lit(b, " checked");
    html_lit(b, "> Private bookmark</label></p>\n<p class=\"field\"><label><input "
                "type=\"checkbox\" name=\"rec\" value=\"1\" id=\"rec\"");
    if (bm && bm->rec)
        html_lit(b, " checked");
    html_lit(b, "> Recommendation</label></p>\n");
}

int ui_bookmark_create(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct work w;
    int st = web_load_work(r, 0, 0, &w);
    if (st)
        return st;
    if (w.draft) {
        work_free(&w);
        return ui_error(r, 422, "Drafts cannot be bookmarked.");
    }
    struct bookmark bm;
    int rc = store_bookmark_find(r->store, r->user.id, w.id, &bm);
    if (rc == FICD_ENOTFOUND) {
        memset(&bm, 0, sizeof(bm));
        bm.user_id = r->user.id;
        bm.work_id = w.id;
    } else if (rc) {
        work_free(&w);
        return ui_error(r, 500, "The bookmark could not be read.");
    }
    const char *e = bookmark_form(r, &bm);
    if (e) {
        bookmark_free(&bm);
        work_free(&w);
        return ui_error(r, 422, e);
    }
    rc = store_bookmark_save(r->store, &bm);
    bookmark_free(&bm);
    int64_t id = w.id;
    work_free(&w);
    if (rc)
        return ui_error(r, 500, "The bookmark could not be saved.");
    return web_redirect(r, web_sprintf(r, "/works/%lld#bookmark-form", (long long)id));
}

/* The bookmark of route parameter 0, when it is the signed-in reader's. */
static int own_bookmark(struct web_req *r, struct bookmark *bm)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    int64_t id = web_param_id(r, 0);
    int rc = id ? store_bookmark_get(r->store, id, bm) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no such bookmark.");
    if (rc)
        return ui_error(r, 500, "The bookmark could not be read.");
    if (bm->user_id != r->user.id) {
        bookmark_free(bm);
        return ui_error(r, 403, "Only the bookmarker may change a bookmark.");
    }
    return 0;
}

int ui_bookmark_edit(struct web_req *r)
{
    struct bookmark bm;
    int st = own_bookmark(r, &bm);
    if (st)
        return st;
    struct buf *b = &r->out;
    page_begin(r, "Edit Bookmark");
    html_lit(b, "<h1>Edit Bookmark</h1>\n<p>Of <a href=\"/works/");
    html_int(b, bm.work_id);
    html_lit(b, "\">this work</a>.</p>\n<form method=\"post\" action=\"/bookmarks/");
    html_int(b, bm.id);
    html_lit(b, "/edit\" id=\"bookmark-edit-form\">\n");
    readers_bookmark_fields(r, &bm);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\">Update Bookmark</button></p>\n"
                "</form>\n");
    readers_post_button(r, web_sprintf(r, "/bookmarks/%lld/delete", (long long)bm.id),
                        "delete-bookmark", "Delete Bookmark");
    page_end(r);
    bookmark_free(&bm);
    return 200;
}

int ui_bookmark_update(struct web_req *r)
{
    struct bookmark bm;
    int st = own_bookmark(r, &bm);
    if (st)
        return st;
    const char *e = bookmark_form(r, &bm);
    int rc = e ? 0 : store_bookmark_save(r->store, &bm);
    int64_t wid = bm.work_id;
    bookmark_free(&bm);
    if (e)
        return ui_error(r, 422, e);
    if (rc)
        return ui_error(r, 500, "The bookmark could not be saved.");
    return web_redirect(r, web_sprintf(r, "/works/%lld#bookmark-form", (long long)wid));
}

int ui_bookmark_delete(struct web_req *r)
{
    struct bookmark bm;
    int st = own_bookmark(r, &bm);
    if (st)
        return st;
    int rc = store_bookmark_delete(r->store, bm.id);
    const char *to = page_user_path(r, r->user.name, "/bookmarks");
    bookmark_free(&bm);
    if (rc)
        return ui_error(r, 500, "The bookmark could not be deleted.");
    return web_redirect(r, to);
}

static void bookmark_meta(struct web_req *r, const struct bookmark *bm)
{
    struct buf *b = &r->out;
    html_lit(b, "<div class=\"bookmark-meta\"><p class=\"byline\">Bookmarked by ");
    page_user_link(r, bm->user_name);
    html_lit(b, " on ");
    page_date(b, bm->created);
    if (bm->rec)
        html_lit(b, " <span class=\"rec\">(Recommended)</span>");
    if (bm->is_private)
        html_lit(b, " <span class=\"private\">(Private)</span>");
    html_lit(b, "</p>\n");
    if (bm->tags.n) {
        html_lit(b, "<ul class=\"tags commas bookmark-tags\" aria-label=\"Bookmarker's tags\">");
        for (size_t i = 0; i < bm->tags.n; i++) {
            html_lit(b, "<li><a class=\"tag\" href=\"/bookmarks?tag=");
            html_url_arg(b, bm->tags.v[i]);
            html_lit(b, "\">");
            html_text(b, bm->tags.v[i]);
            html_lit(b, "</a></li>");
        }
        html_lit(b, "</ul>\n");
    }
    if (bm->notes) {
        html_lit(b, "<blockquote class=\"userstuff notes\">");
        html_safe_put(b, html_sanitized(bm->notes)); /* sanitized when saved */
        html_lit(b, "</blockquote>\n");
    }
    if (r->user.id > 0 && bm->user_id == r->user.id) {
        html_lit(b, "<p><a class=\"edit-bookmark\" href=\"/bookmarks/");
        html_int(b, bm->id);
        html_lit(b, "/edit\">Edit bookmark</a></p>\n");
    }
    html_lit(b, "</div>\n");
}

/* The works of a page of bookmarks (several bookmarks may name one work). */
struct bm_works {
    struct work *v;
    size_t n;
};

static int bm_work_cb(const struct work *w, void *ctx)
{
    struct bm_works *ws = ctx;
    if (work_copy(&ws->v[ws->n], w) == 0)
        ws->n++;
    return 0;
}

static void bookmark_items(struct web_req *r, const struct store_bookmark_result *res)
{
    struct buf *b = &r->out;
    html_lit(b, "<ol class=\"bookmarks index\" id=\"bookmarks\">\n");
    int64_t *ids = web_alloc(r, (res->n + 1) * sizeof(*ids));
    size_t nids = 0;
    for (size_t i = 0; i < res->n; i++) {
        size_t k = 0;
        while (k < nids && ids[k] != res->v[i].work_id)
            k++;
        if (k == nids)
            ids[nids++] = res->v[i].work_id;
    }
    struct bm_works ws = {web_alloc(r, (nids + 1) * sizeof(struct work)), 0};
    if (nids && store_work_get_many(r->store, ids, nids, 0, bm_work_cb, &ws))
        html_lit(b, "<li>The bookmarked works could not be read.</li>\n");
    for (size_t i = 0; i < res->n; i++) {
        const struct work *w = NULL;
        for (size_t k = 0; k < ws.n && !w; k++)
            if (ws.v[k].id == res->v[i].work_id)
                w = &ws.v[k];
        if (!w)
            continue; /* deleted meanwhile */
        html_lit(b, "<li class=\"bookmark\" id=\"bookmark-");
        html_int(b, res->v[i].id);
        html_lit(b, "\"><ol class=\"works\">");
        page_work_blurb(r, w);
        html_lit(b, "</ol>\n");
        bookmark_meta(r, &res->v[i]);
        html_lit(b, "</li>\n");
    }
    for (size_t k = 0; k < ws.n; k++)
        work_free(&ws.v[k]);
    html_lit(b, "</ol>\n");
}

static void facet_list(struct web_req *r, const char *heading, const char *key,
                       const struct store_facet *v, size_t n)
{
    struct buf *b = &r->out;
    if (!n)
        return;
    html_lit(b, "<fieldset><legend>");
    html_text(b, heading);
    html_lit(b, "</legend>\n<ul>\n");
    for (size_t i = 0; i < n; i++) {
        const char *id = web_sprintf(r, "%s-%zu", key, i);
        html_lit(b, "<li><input type=\"checkbox\" name=\"");
        html_attr(b, key);
        html_lit(b, "\" value=\"");
        html_attr(b, v[i].name);
        html_lit(b, "\" id=\"");
        html_attr(b, id);
        html_lit(b, "\"");
        for (size_t k = 0; k < r->args.n; k++)
            if (!strcmp(r->args.v[k].key, key) && !strcasecmp(r->args.v[k].value, v[i].name))
                html_lit(b, " checked");
        html_lit(b, "> <label for=\"");
        html_attr(b, id);
        html_lit(b, "\">");
        html_text(b, v[i].name);
        html_lit(b, " <span class=\"count\">(");
        html_int(b, v[i].count);
        html_lit(b, ")</span></label></li>\n");
    }
    html_lit(b, "</ul>\n</fieldset>\n");
}

/* Reads the listing filters of the query string into q (arena lists); 0 or an HTTP status
 * after rendering the error. */
static int bookmark_query(struct web_req *r, struct store_bookmark_query *q, int *page)
{
    *page = page_parse(web_arg(r, "page"));
    if (*page < 0)
        return ui_error(r, 400, "The page number must be a whole number from 1 up.");
    const char **tags = web_alloc(r, (r->args.n + 1) * sizeof(*tags));
    const char **wtags = web_alloc(r, (r->args.n + 1) * sizeof(*wtags));
    size_t nt = 0, nw = 0;
    for (size_t i = 0; i < r->args.n; i++) {
        const struct web_kv *kv = &r->args.v[i];
        if (!*kv->value)
            continue;
        if (!strcmp(kv->key, "tag") && nt < 20)
            tags[nt++] = kv->value;
        else if (!strcmp(kv->key, "work_tag") && nw < 20)
            wtags[nw++] = kv->value;
        else if (!strcmp(kv->key, "rec") && !strcmp(kv->value, "1"))
            q->rec_only = 1;
    }
    q->tags = tags;
    q->ntags = nt;
    q->work_tags = wtags;
    q->nwork_tags = nw;
    q->viewer_id = r->user.id;
    q->include_restricted = r->user.id > 0;
    q->offset = page_offset(*page, BOOKMARKS_PER_PAGE);
    q->limit = BOOKMARKS_PER_PAGE;
    return 0;
}

static int bookmark_listing(struct web_req *r, struct store_bookmark_query *q, const char *title,
                            const char *base, int page, int filters)
{
    struct store_bookmark_result res;
    q->facet_limit = filters ? 10 : 0;
    if (store_bookmark_list(r->store, q, &res))
        return ui_error(r, 500, "The bookmarks could not be read.");
    int npages = page_count(res.total, BOOKMARKS_PER_PAGE);
    if (page > npages) {
        store_bookmark_result_free(&res);
        return ui_error(r, 404, "There is no such page of bookmarks.");
    }
    struct buf *b = &r->out;
    page_begin(r, title);
    html_lit(b, "<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<p class=\"count\" id=\"bookmark-count\">");
    html_int(b, res.total);
    buf_puts(b, res.total == 1 ? " bookmark" : " bookmarks");
    html_lit(b, "</p>\n");
    if (filters) {
        html_lit(b, "<form method=\"get\" action=\"");
        html_attr(b, base);
        html_lit(b, "\" id=\"bookmark-filters\" class=\"filters\" aria-label=\"Filter "
                    "bookmarks\">\n<h2>Filter bookmarks</h2>\n");
        facet_list(r, "Bookmarker's tags", "tag", res.tag_facets, res.ntag_facets);
        facet_list(r, "Work tags", "work_tag", res.work_tag_facets, res.nwork_tag_facets);
        html_lit(b, "<p><input type=\"checkbox\" name=\"rec\" value=\"1\" id=\"rec-only\"");
        if (q->rec_only)
            html_lit(b, " checked");
        html_lit(b, "> <label for=\"rec-only\">Recommendations only</label></p>\n<p "
                    "class=\"actions\"><button type=\"submit\">Sort and Filter</button></p>\n"
                    "</form>\n");
    }
    bookmark_items(r, &res);
    page_pagination_query(r, base, page_query_without_page(r), page, npages);
    page_end(r);
    store_bookmark_result_free(&res);
    return 200;
}

int ui_bookmarks_index(struct web_req *r)
{
    struct store_bookmark_query q = {0};
    int page;
    int st = bookmark_query(r, &q, &page);
    if (st)
        return st;
    return bookmark_listing(r, &q, "Bookmarks", "/bookmarks", page, 1);
}

int ui_work_bookmarks(struct web_req *r)
{
    struct work w;
    int st = web_load_work(r, 0, 0, &w);
    if (st)
        return st;
    struct store_bookmark_query q = {0};
    int page;
    st = bookmark_query(r, &q, &page);
    if (!st) {
        q.work_id = w.id;
        const char *title = web_sprintf(r, "Bookmarks of %s", w.title ? w.title : "Untitled");
        st = bookmark_listing(r, &q, title,
                              web_sprintf(r, "/works/%lld/bookmarks", (long long)w.id), page, 1);
    }
    work_free(&w);
    return st;
}

int ui_user_bookmarks(struct web_req *r)
{
    struct user u;
    int st = web_load_user(r, 1, &u);
    if (st)
        return st;
    struct store_bookmark_query q = {0};
    int page;
    st = bookmark_query(r, &q, &page);
    if (!st) {
        q.user_id = u.id;
        st = bookmark_listing(r, &q, web_sprintf(r, "Bookmarks by %s", u.name),
                              page_user_path(r, u.name, "/bookmarks"), page, 1);
    }
    user_free(&u);
    return st;
}

int api_user_bookmarks(struct web_req *r)
{
    struct user u;
    int rc = web_find_user(r, &u);
    if (rc == FICD_ENOTFOUND)
        return web_json_error(r, 404, "no such user");
    if (rc)
        return web_json_error(r, 500, "the user could not be read");
    int page = page_parse(web_arg(r, "page"));
    if (page < 0) {
        user_free(&u);
        return web_json_error(r, 400, "page must be a whole number >= 1");
    }
    struct store_bookmark_query q = {.user_id = u.id,
                                     .viewer_id = r->user.id,
                                     .include_restricted = r->user.id > 0,
                                     .offset = page_offset(page, 100),
                                     .limit = 100};
    user_free(&u);
    struct store_bookmark_result res;
    if (store_bookmark_list(r->store, &q, &res))
        return web_json_error(r, 500, "the bookmarks could not be read");
    json_t *list = json_array();
    for (size_t i = 0; list && i < res.n; i++) {
        const struct bookmark *bm = &res.v[i];
        json_t *tags = json_array();
        for (size_t k = 0; tags && k < bm->tags.n; k++)
            json_array_append_new(tags, json_string(bm->tags.v[k]));
        json_array_append_new(list, json_pack("{s:I,s:I,s:s?,s:o,s:b,s:b,s:I}", "id",
                                              (json_int_t)bm->id, "work_id",
                                              (json_int_t)bm->work_id, "notes", bm->notes, "tags",
                                              tags ? tags : json_array(), "rec", bm->rec, "private",
                                              bm->is_private, "created", (json_int_t)bm->created));
    }
    json_t *j = json_pack("{s:I,s:i,s:o}", "total", (json_int_t)res.total, "page", page,
                          "bookmarks", list ? list : json_array());
    store_bookmark_result_free(&res);
    return web_json_reply(r, 200, j);
}
