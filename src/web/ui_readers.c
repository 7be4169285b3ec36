/* ui_readers.c: the readers' tools on the web: bookmarks (a work's form, /works/ID/bookmarks,
 * /users/NAME/bookmarks, /bookmarks with filters and facets, edit and delete, the JSON list),
 * muting creators and blocking tags (the reader's exclusions every listing applies), the
 * series pages, subscriptions, reading history and marked for later, and the pieces the work
 * page and the settings page show for them. */
#include "core/account.h"
#include "core/html.h"
#include "index/index.h"
#include "text/sanitize.h"
#include "web/page.h"
#include "web/session.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BOOKMARKS_PER_PAGE 20
#define MAX_BOOKMARK_TAGS  50
#define MAX_NOTES          20000

/* ---- shared helpers ---- */

/* The account named by route parameter i (or owning a pseud of that name). */
static int find_user(struct web_req *r, size_t i, struct user *u)
{
    memset(u, 0, sizeof(*u));
    int rc = store_user_get_by_name(r->store, r->params[i], u);
    if (rc != FICD_ENOTFOUND)
        return rc;
    int64_t uid = 0;
    rc = store_pseud_owner(r->store, r->params[i], &uid);
    if (rc)
        return rc;
    return store_user_get(r->store, uid, u);
}

static int user_or_error(struct web_req *r, struct user *u)
{
    int rc = find_user(r, 0, u);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no user by that name.");
    if (rc)
        return ui_error(r, 500, "The user could not be read.");
    return 0;
}

static const char *user_path(struct web_req *r, const char *name, const char *tail)
{
    struct buf b = BUF_INIT;
    html_lit(&b, "/users/");
    html_url_path(&b, name);
    buf_puts(&b, tail);
    const char *s = web_strdup(r, buf_str(&b));
    buf_free(&b);
    return s;
}

/* Splits a comma-separated list into trimmed, non-empty names (at most max). */
static void split_commas(const char *s, struct strlist *out, size_t max)
{
    while (s && *s && out->n < max) {
        size_t len = strcspn(s, ",");
        const char *a = s, *e = s + len;
        s = *e ? e + 1 : e;
        while (a < e && (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r'))
            a++;
        while (e > a && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            e--;
        if (e > a && (size_t)(e - a) <= 150) {
            char *t = strndup(a, (size_t)(e - a));
            if (t && !strlist_contains(out, t))
                strlist_add(out, t);
            free(t);
        }
    }
}

static const char *join(struct web_req *r, const struct strlist *l)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_puts(&b, ", ");
        buf_puts(&b, l->v[i]);
    }
    const char *s = web_strdup(r, buf_str(&b));
    buf_free(&b);
    return s;
}

static void post_button(struct web_req *r, const char *action, const char *id, const char *label)
{
    struct buf *b = &r->out;
    html_lit(b, "<form method=\"post\" class=\"inline\" action=\"");
    html_attr(b, action);
    html_lit(b, "\">");
    page_csrf_field(r);
    html_lit(b, "<button type=\"submit\" id=\"");
    html_attr(b, id);
    html_lit(b, "\">");
    html_text(b, label);
    html_lit(b, "</button></form>");
}

/* Where a form posted from a page goes back to: a local return_to, else fallback. */
static int back(struct web_req *r, const char *fallback)
{
    const char *to = web_field(r, "return_to");
    if (!to || to[0] != '/' || to[1] == '/' || to[1] == '\\' || strpbrk(to, "\r\n"))
        to = fallback;
    return web_redirect(r, to);
}

/* ---- muting: what the signed-in reader does not want to see ---- */

void web_reader_filters(struct web_req *r, struct idx_query *q)
{
    if (r->user.id <= 0)
        return;
    struct strlist *m = web_alloc(r, sizeof(*m)), *t = web_alloc(r, sizeof(*t));
    strlist_init(m);
    strlist_init(t);
    if (store_muted_pseuds(r->store, r->user.id, m) || store_blocked_tags(r->store, r->user.id, t))
        fprintf(stderr, "ficd: a reader's filters could not be read: %s\n", store_errmsg(r->store));
    /* arena copies: the lists live as long as the request */
    const char **mv = web_alloc(r, (m->n + 1) * sizeof(*mv));
    const char **tv = web_alloc(r, (t->n + 1) * sizeof(*tv));
    for (size_t i = 0; i < m->n; i++)
        mv[i] = web_strdup(r, m->v[i]);
    for (size_t i = 0; i < t->n; i++)
        tv[i] = web_strdup(r, t->v[i]);
    q->mute_creators = mv;
    q->nmute_creators = m->n;
    q->block_tags = tv;
    q->nblock_tags = t->n;
    strlist_free(m);
    strlist_free(t);
}

int web_work_hidden(struct web_req *r, int64_t work_id)
{
    int hidden = 0;
    if (r->user.id > 0 && store_work_hidden_for(r->store, r->user.id, work_id, &hidden))
        return 0;
    return hidden;
}

int web_user_muted(struct web_req *r, int64_t user_id)
{
    int muted = 0;
    if (r->user.id > 0 && store_is_muted(r->store, r->user.id, user_id, &muted))
        return 0;
    return muted;
}

static int mute_set(struct web_req *r, int on)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct user u;
    int st = user_or_error(r, &u);
    if (st)
        return st;
    if (u.id == r->user.id) {
        user_free(&u);
        return ui_error(r, 422, "You cannot mute yourself.");
    }
    int rc = store_mute(r->store, r->user.id, u.id, on);
    const char *path = user_path(r, u.name, "");
    user_free(&u);
    if (rc)
        return ui_error(r, 500, "The mute could not be saved.");
    return back(r, path);
}

int ui_user_mute(struct web_req *r)
{
    return mute_set(r, 1);
}

int ui_user_unmute(struct web_req *r)
{
    return mute_set(r, 0);
}

int ui_settings_filters(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    const char *v = web_field(r, "blocked_tags");
    if (v && strlen(v) > 20000)
        return ui_error(r, 422, "The list of blocked tags is too long.");
    struct strlist l;
    strlist_init(&l);
    split_commas(v, &l, 500);
    int rc = store_blocked_tags_set(r->store, r->user.id, &l);
    strlist_free(&l);
    if (rc)
        return ui_error(r, 500, "The blocked tags could not be saved.");
    return web_redirect(r, "/settings#filters");
}

int ui_settings_history(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    const char *v = web_field(r, "history");
    if (!v || (strcmp(v, "on") && strcmp(v, "off")))
        return ui_error(r, 422, "Choose whether your history is kept (history=on or off).");
    if (store_history_set(r->store, r->user.id, !strcmp(v, "off")))
        return ui_error(r, 500, "The setting could not be saved.");
    return web_redirect(r, "/settings#history");
}

int ui_settings_feed_token(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    char tok[65];
    token_new(tok);
    if (store_feed_token_set(r->store, r->user.id, tok))
        return ui_error(r, 500, "The feed address could not be renewed.");
    return web_redirect(r, "/settings#feeds");
}

void readers_settings_sections(struct web_req *r)
{
    struct buf *b = &r->out;
    struct strlist blocked, muted;
    strlist_init(&blocked);
    strlist_init(&muted);
    int off = 0;
    char *tok = NULL;
    if (store_blocked_tags(r->store, r->user.id, &blocked) ||
        store_muted_users(r->store, r->user.id, &muted) ||
        store_history_off(r->store, r->user.id, &off) ||
        store_feed_token_get(r->store, r->user.id, &tok))
        fprintf(stderr, "ficd: reader settings could not be read: %s\n", store_errmsg(r->store));
    html_lit(b, "<section aria-labelledby=\"filters-heading\" id=\"filters\">\n<h2 "
                "id=\"filters-heading\">Muting and blocking</h2>\n<p>Works with a blocked tag (or "
                "one of its synonyms or sub tags) and everything by creators you muted are left "
                "out of every list, search, count and feed you see while signed in.</p>\n<form "
                "method=\"post\" action=\"/settings/filters\" id=\"filters-form\">\n");
    page_csrf_field(r);
    page_textarea(r, "blocked_tags", "Blocked tags", join(r, &blocked), 3,
                  "Tag names separated by commas.");
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"save-filters\">Save Blocked "
                "Tags</button></p>\n</form>\n<h3>Muted creators</h3>\n");
    if (!muted.n)
        html_lit(b, "<p id=\"muted-none\">You have not muted anyone.</p>\n");
    else {
        html_lit(b, "<ul id=\"muted-list\">\n");
        for (size_t i = 0; i < muted.n; i++) {
            html_lit(b, "<li>");
            page_user_link(r, muted.v[i]);
            html_lit(b, " ");
            post_button(r, user_path(r, muted.v[i], "/unmute"), "unmute", "Unmute");
            html_lit(b, "</li>\n");
        }
        html_lit(b, "</ul>\n");
    }
    html_lit(b, "</section>\n<section aria-labelledby=\"history-heading\" id=\"history\">\n<h2 "
                "id=\"history-heading\">History</h2>\n<form method=\"post\" "
                "action=\"/settings/history\" id=\"history-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<fieldset><legend>Keep a history of the works I read</legend>\n<p><input "
                "type=\"radio\" name=\"history\" id=\"history-on\" value=\"on\"");
    if (!off)
        html_lit(b, " checked");
    html_lit(b, "> <label for=\"history-on\">Yes</label></p>\n<p><input type=\"radio\" "
                "name=\"history\" id=\"history-off\" value=\"off\"");
    if (off)
        html_lit(b, " checked");
    html_lit(b, "> <label for=\"history-off\">No, and clear it</label></p>\n</fieldset>\n<p "
                "class=\"actions\"><button type=\"submit\">Save</button></p>\n</form>\n"
                "</section>\n<section aria-labelledby=\"feeds-heading\" id=\"feeds\">\n<h2 "
                "id=\"feeds-heading\">Private feed</h2>\n");
    if (tok) {
        html_lit(b, "<p>Your inbox as an Atom feed (keep this address to yourself): <code "
                    "id=\"inbox-feed\">");
        html_text(b, user_path(r, r->user.name, "/inbox.atom?token="));
        html_text(b, tok);
        html_lit(b, "</code></p>\n");
    } else {
        html_lit(b, "<p id=\"inbox-feed-none\">You have no private feed address yet.</p>\n");
    }
    post_button(r, "/settings/feed_token", "renew-feed-token",
                tok ? "Renew the feed address" : "Create a feed address");
    html_lit(b, "\n</section>\n");
    free(tok);
    strlist_free(&blocked);
    strlist_free(&muted);
}

/* ---- bookmarks ---- */

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
    split_commas(tags, &b->tags, MAX_BOOKMARK_TAGS);
    const char *p = web_field(r, "private"), *rec = web_field(r, "rec");
    b->is_private = p && !strcmp(p, "1");
    b->rec = rec && !strcmp(rec, "1");
    return NULL;
}

static void bookmark_fields(struct web_req *r, const struct bookmark *bm)
{
    struct buf *b = &r->out;
    page_csrf_field(r);
    page_textarea(r, "notes", "Notes", bm ? bm->notes : NULL, 4,
                  "Simple HTML is allowed; it is cleaned before it is saved.");
    page_input(r, "text", "tags", "Your tags", bm ? join(r, &bm->tags) : NULL,
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
    bookmark_fields(r, &bm);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\">Update Bookmark</button></p>\n"
                "</form>\n");
    post_button(r, web_sprintf(r, "/bookmarks/%lld/delete", (long long)bm.id), "delete-bookmark",
                "Delete Bookmark");
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
    const char *to = user_path(r, r->user.name, "/bookmarks");
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

/* The query string without page, for pagination links. */
static const char *query_without_page(struct web_req *r)
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
    page_pagination_query(r, base, query_without_page(r), page, npages);
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
    int st = user_or_error(r, &u);
    if (st)
        return st;
    struct store_bookmark_query q = {0};
    int page;
    st = bookmark_query(r, &q, &page);
    if (!st) {
        q.user_id = u.id;
        st = bookmark_listing(r, &q, web_sprintf(r, "Bookmarks by %s", u.name),
                              user_path(r, u.name, "/bookmarks"), page, 1);
    }
    user_free(&u);
    return st;
}

static int json_out(struct web_req *r, int status, json_t *j)
{
    r->content_type = "application/json; charset=utf-8";
    buf_reset(&r->out);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s) {
        buf_puts(&r->out, "{\"error\":\"out of memory\"}\n");
        return 500;
    }
    buf_puts(&r->out, s);
    buf_putc(&r->out, '\n');
    free(s);
    return status;
}

int api_user_bookmarks(struct web_req *r)
{
    struct user u;
    int rc = find_user(r, 0, &u);
    if (rc == FICD_ENOTFOUND)
        return json_out(r, 404, json_pack("{s:s}", "error", "no such user"));
    if (rc)
        return json_out(r, 500, json_pack("{s:s}", "error", "the user could not be read"));
    int page = page_parse(web_arg(r, "page"));
    if (page < 0) {
        user_free(&u);
        return json_out(r, 400, json_pack("{s:s}", "error", "page must be a whole number >= 1"));
    }
    struct store_bookmark_query q = {.user_id = u.id,
                                     .viewer_id = r->user.id,
                                     .include_restricted = r->user.id > 0,
                                     .offset = page_offset(page, 100),
                                     .limit = 100};
    user_free(&u);
    struct store_bookmark_result res;
    if (store_bookmark_list(r->store, &q, &res))
        return json_out(r, 500, json_pack("{s:s}", "error", "the bookmarks could not be read"));
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
    return json_out(r, 200, j);
}

/* ---- subscriptions ---- */

static int subscription_set(struct web_req *r, enum sub_kind kind, int on)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    int64_t target = 0;
    const char *path = NULL;
    if (kind == SUB_USER) {
        struct user u;
        int st = user_or_error(r, &u);
        if (st)
            return st;
        if (u.id == r->user.id) {
            user_free(&u);
            return ui_error(r, 422, "You cannot subscribe to yourself.");
        }
        target = u.id;
        path = user_path(r, u.name, "");
        user_free(&u);
    } else if (kind == SUB_WORK) {
        struct work w;
        int st = web_load_work(r, 0, 0, &w);
        if (st)
            return st;
        target = w.id;
        path = web_sprintf(r, "/works/%lld", (long long)w.id);
        work_free(&w);
    } else {
        struct series se;
        target = web_param_id(r, 0);
        int rc = target ? store_series_get(r->store, target, &se) : FICD_ENOTFOUND;
        if (rc == FICD_ENOTFOUND)
            return ui_error(r, 404, "There is no such series.");
        if (rc)
            return ui_error(r, 500, "The series could not be read.");
        series_free(&se);
        path = web_sprintf(r, "/series/%lld", (long long)target);
    }
    if (store_subscribe(r->store, r->user.id, kind, target, on))
        return ui_error(r, 500, "The subscription could not be saved.");
    return back(r, path);
}

int ui_work_subscribe(struct web_req *r)
{
    return subscription_set(r, SUB_WORK, 1);
}
int ui_work_unsubscribe(struct web_req *r)
{
    return subscription_set(r, SUB_WORK, 0);
}
int ui_user_subscribe(struct web_req *r)
{
    return subscription_set(r, SUB_USER, 1);
}
int ui_user_unsubscribe(struct web_req *r)
{
    return subscription_set(r, SUB_USER, 0);
}
int ui_series_subscribe(struct web_req *r)
{
    return subscription_set(r, SUB_SERIES, 1);
}
int ui_series_unsubscribe(struct web_req *r)
{
    return subscription_set(r, SUB_SERIES, 0);
}

static void subscribe_button(struct web_req *r, const char *base, enum sub_kind kind, int64_t id)
{
    int on = 0;
    if (store_is_subscribed(r->store, r->user.id, kind, id, &on))
        return;
    post_button(r, web_sprintf(r, "%s/subscription%s", base, on ? "/delete" : ""),
                on ? "unsubscribe" : "subscribe", on ? "Unsubscribe" : "Subscribe");
}

static int sub_row(const struct subscription *sub, void *ctx)
{
    struct web_req *r = ctx;
    struct buf *b = &r->out;
    static const char *const kinds[] = {"", "Work", "Creator", "Series"};
    html_lit(b, "<tr><td>");
    html_text(b, kinds[sub->kind]);
    html_lit(b, "</td><td>");
    const char *name = sub->name ? sub->name : "(gone)";
    const char *base = sub->kind == SUB_USER ? user_path(r, name, "")
                       : sub->kind == SUB_WORK
                           ? web_sprintf(r, "/works/%lld", (long long)sub->target_id)
                           : web_sprintf(r, "/series/%lld", (long long)sub->target_id);
    html_lit(b, "<a href=\"");
    html_attr(b, base);
    html_lit(b, "\">");
    html_text(b, *name ? name : "Untitled");
    html_lit(b, "</a></td><td>");
    post_button(r, web_sprintf(r, "%s/subscription/delete", base), "unsubscribe", "Unsubscribe");
    html_lit(b, "</td></tr>\n");
    return 0;
}

int ui_user_subscriptions(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct user u;
    int st = user_or_error(r, &u);
    if (st)
        return st;
    int64_t uid = u.id;
    user_free(&u);
    if (uid != r->user.id)
        return ui_error(r, 403, "Only you can see your subscriptions.");
    struct buf *b = &r->out;
    page_begin(r, "Subscriptions");
    html_lit(b, "<h1>Subscriptions</h1>\n<p>New chapters, works and series parts of what you "
                "subscribe to arrive in your inbox.</p>\n<table id=\"subscriptions\">\n<caption>"
                "Your subscriptions</caption>\n<thead><tr><th scope=\"col\">Kind</th><th "
                "scope=\"col\">Name</th><th scope=\"col\">Action</th></tr></thead>\n<tbody>\n");
    if (store_subscription_list(r->store, uid, sub_row, r))
        return ui_error(r, 500, "The subscriptions could not be read.");
    html_lit(b, "</tbody>\n</table>\n");
    page_end(r);
    return 200;
}

/* ---- series ---- */

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

int ui_series_show(struct web_req *r)
{
    int64_t id = web_param_id(r, 0);
    struct series se;
    int rc = id ? store_series_get(r->store, id, &se) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no such series.");
    if (rc)
        return ui_error(r, 500, "The series could not be read.");
    int64_t *ids = NULL;
    int *pos = NULL;
    size_t n = 0;
    if (store_series_parts(r->store, id, &ids, &pos, &n)) {
        series_free(&se);
        return ui_error(r, 500, "The series could not be read.");
    }
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
        subscribe_button(r, web_sprintf(r, "/series/%lld", (long long)se.id), SUB_SERIES, se.id);
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
    int64_t id = web_param_id(r, 0);
    int rc = id ? store_series_get(r->store, id, se) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no such series.");
    if (rc)
        return ui_error(r, 500, "The series could not be read.");
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
    int st = user_or_error(r, &u);
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

/* ---- history and marked for later ---- */

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
    return back(r, web_sprintf(r, "/works/%lld", (long long)id));
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
    post_button(r, web_sprintf(r, "/works/%lld/mark_for_later", (long long)w->id),
                rd->later ? "unmark-later" : "mark-later",
                rd->later ? "Mark as Read" : "Mark for Later");
    html_lit(b, "</li>\n");
    return 0;
}

int ui_user_readings(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct user u;
    int st = user_or_error(r, &u);
    if (st)
        return st;
    int64_t uid = u.id;
    user_free(&u);
    if (uid != r->user.id)
        return ui_error(r, 403, "Only you can see your reading history.");
    int page = page_parse(web_arg(r, "page"));
    if (page < 0)
        return ui_error(r, 400, "The page number must be a whole number from 1 up.");
    const char *show = web_arg(r, "show");
    int later = show && !strcmp(show, "to-read");
    struct rd_page p = {r, NULL, 0, 0};
    int64_t total = 0;
    if (store_reading_list(r->store, uid, later, page_offset(page, WORKS_PER_PAGE), WORKS_PER_PAGE,
                           rd_collect, &p, &total))
        return ui_error(r, 500, "The history could not be read.");
    int off = 0;
    if (store_history_off(r->store, uid, &off))
        return ui_error(r, 500, "The history could not be read.");
    struct buf *b = &r->out;
    const char *title = later ? "Marked for Later" : "History";
    page_begin(r, title);
    html_lit(b, "<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<nav aria-label=\"History views\"><ul><li><a href=\"");
    html_attr(b, user_path(r, r->user.name, "/readings"));
    html_lit(b, "\">Full History</a></li><li><a id=\"marked-for-later\" href=\"");
    html_attr(b, user_path(r, r->user.name, "/readings?show=to-read"));
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
    page_pagination_query(r, user_path(r, r->user.name, "/readings"), later ? "show=to-read" : "",
                          page, page_count(total, WORKS_PER_PAGE));
    page_end(r);
    return 200;
}

/* ---- what the work page shows ---- */

void readers_work_top(struct web_req *r, const struct work *w)
{
    if (w->id > 0)
        creators_work_top(r, w); /* gifts, inspired by, a co-creator invitation */
    int64_t sid = 0;
    int pos = 0;
    if (w->id <= 0 || store_series_of_work(r->store, w->id, &sid, &pos) || !sid)
        return;
    struct series se;
    int64_t *ids = NULL;
    int *poss = NULL;
    size_t n = 0;
    if (store_series_get(r->store, sid, &se))
        return;
    if (store_series_parts(r->store, sid, &ids, &poss, &n)) {
        series_free(&se);
        return;
    }
    size_t at = 0;
    while (at < n && ids[at] != w->id)
        at++;
    struct buf *b = &r->out;
    html_lit(b, "<nav class=\"series\" aria-label=\"Series\" id=\"series-nav\"><p>");
    if (at > 0 && at < n) {
        html_lit(b, "<a class=\"previous\" id=\"series-previous\" href=\"/works/");
        html_int(b, ids[at - 1]);
        html_lit(b, "\">← Previous Work</a> ");
    }
    html_lit(b, "<span class=\"position\">Part ");
    html_int(b, pos);
    html_lit(b, " of <a href=\"/series/");
    html_int(b, se.id);
    html_lit(b, "\">");
    html_text(b, se.title);
    html_lit(b, "</a></span>");
    if (at + 1 < n) {
        html_lit(b, " <a class=\"next\" id=\"series-next\" href=\"/works/");
        html_int(b, ids[at + 1]);
        html_lit(b, "\">Next Work →</a>");
    }
    html_lit(b, "</p></nav>\n");
    free(ids);
    free(poss);
    series_free(&se);
}

void readers_work_bottom(struct web_req *r, const struct work *w, int ci)
{
    struct buf *b = &r->out;
    if (w->id > 0)
        creators_work_bottom(r, w); /* inspired works, remove me, orphan */
    if (w->id <= 0 || w->draft)
        return;
    html_lit(b, "<section class=\"reader-actions\" aria-labelledby=\"reader-actions-heading\">\n"
                "<h2 id=\"reader-actions-heading\">Bookmarks and subscriptions</h2>\n<p><a "
                "id=\"work-bookmarks\" href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "/bookmarks\">Bookmarks (");
    html_int(b, w->bookmarks);
    html_lit(b, ")</a></p>\n");
    if (r->user.id <= 0) {
        html_lit(b, "<p><a href=\"/login?return_to=/works/");
        html_int(b, w->id);
        html_lit(b, "\">Log in</a> to bookmark or subscribe.</p>\n</section>\n");
        return;
    }
    /* history: continue where the reader stopped, then record this visit */
    struct reading rd;
    if (store_reading_get(r->store, r->user.id, w->id, &rd) == 0 && rd.last_chapter > 0 &&
        (size_t)rd.last_chapter <= w->nchapters && w->nchapters > 1 &&
        (ci < 0 || rd.last_chapter != ci + 1)) {
        const struct chapter *c = &w->chapters[rd.last_chapter - 1];
        html_lit(b, "<p id=\"continue\"><a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/");
        html_int(b, c->id);
        html_lit(b, "\">Continue from chapter ");
        html_int(b, rd.last_chapter);
        html_lit(b, "</a></p>\n");
    }
    int chapter = ci >= 0 ? ci + 1 : (int)w->nchapters;
    if (store_reading_visit(r->store, r->user.id, w->id, chapter))
        fprintf(stderr, "ficd: a visit could not be recorded: %s\n", store_errmsg(r->store));
    const char *base = web_sprintf(r, "/works/%lld", (long long)w->id);
    html_lit(b, "<p>");
    subscribe_button(r, base, SUB_WORK, w->id);
    html_lit(b, " ");
    int later = store_reading_get(r->store, r->user.id, w->id, &rd) == 0 && rd.later;
    html_lit(b, "<form method=\"post\" class=\"inline\" action=\"");
    html_attr(b, base);
    html_lit(b, "/mark_for_later\">");
    page_csrf_field(r);
    html_lit(b, "<input type=\"hidden\" name=\"later\" value=\"");
    buf_puts(b, later ? "0" : "1");
    html_lit(b, "\"><button type=\"submit\" id=\"mark-later\">");
    html_text(b, later ? "Mark as Read" : "Mark for Later");
    html_lit(b, "</button></form></p>\n");
    struct bookmark bm;
    int have = store_bookmark_find(r->store, r->user.id, w->id, &bm) == 0;
    html_lit(b, "<form method=\"post\" action=\"");
    html_attr(b, base);
    html_lit(b, "/bookmarks\" id=\"bookmark-form\">\n<h3>");
    html_text(b, have ? "Your bookmark" : "Bookmark this work");
    html_lit(b, "</h3>\n");
    bookmark_fields(r, have ? &bm : NULL);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"bookmark-submit\">");
    html_text(b, have ? "Update Bookmark" : "Create Bookmark");
    html_lit(b, "</button></p>\n</form>\n");
    if (have) {
        post_button(r, web_sprintf(r, "/bookmarks/%lld/delete", (long long)bm.id),
                    "delete-bookmark", "Delete Bookmark");
        bookmark_free(&bm);
    }
    html_lit(b, "</section>\n");
}

/* ---- what the user page shows ---- */

void readers_user_actions(struct web_req *r, const struct user *u)
{
    struct buf *b = &r->out;
    html_lit(b, "<ul class=\"navigation actions\" id=\"user-links\"><li><a href=\"");
    html_attr(b, user_path(r, u->name, "/bookmarks"));
    html_lit(b, "\">Bookmarks</a></li><li><a href=\"");
    html_attr(b, user_path(r, u->name, "/series"));
    html_lit(b, "\">Series</a></li><li><a href=\"");
    html_attr(b, user_path(r, u->name, "/works.atom"));
    html_lit(b, "\" type=\"application/atom+xml\" id=\"user-feed\">Atom feed of works</a></li>");
    if (r->user.id > 0 && r->user.id == u->id) {
        html_lit(b, "<li><a href=\"");
        html_attr(b, user_path(r, u->name, "/readings"));
        html_lit(b, "\" id=\"history-link\">History</a></li><li><a href=\"");
        html_attr(b, user_path(r, u->name, "/subscriptions"));
        html_lit(b, "\" id=\"subscriptions-link\">Subscriptions</a></li><li><a href=\"");
        html_attr(b, user_path(r, u->name, "/stats"));
        html_lit(b, "\" id=\"stats-link\">Statistics</a></li>");
    }
    html_lit(b, "</ul>\n");
    if (r->user.id <= 0 || r->user.id == u->id)
        return;
    int muted = 0;
    if (store_is_muted(r->store, r->user.id, u->id, &muted))
        return;
    html_lit(b, "<p class=\"actions\">");
    subscribe_button(r, user_path(r, u->name, ""), SUB_USER, u->id);
    html_lit(b, " ");
    post_button(r, user_path(r, u->name, muted ? "/unmute" : "/mute"), muted ? "unmute" : "mute",
                muted ? "Unmute" : "Mute");
    html_lit(b, "</p>\n");
    if (muted)
        html_lit(b, "<p class=\"notice\" id=\"muted-notice\">You have muted this creator: their "
                    "works, bookmarks and comments are left out of what you see.</p>\n");
}

/* ---- subscription updates in the inbox ---- */

/* Delivers text/url to the subscribers of (kind, target) who may read the work and have not
 * muted its creators or blocked its tags; each reader once (seen collects who got it). */
static void notify(struct web_req *r, const struct work *w, enum sub_kind kind, int64_t target,
                   const char *text, const char *url, int64_t **seen, size_t *nseen)
{
    int64_t *ids = NULL;
    size_t n = 0;
    if (store_subscribers(r->store, kind, target, &ids, &n)) {
        fprintf(stderr, "ficd: subscribers could not be read: %s\n", store_errmsg(r->store));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int dup = ids[i] == r->user.id, hidden = 0;
        for (size_t k = 0; k < *nseen && !dup; k++)
            dup = (*seen)[k] == ids[i];
        if (dup || store_work_hidden_for(r->store, ids[i], w->id, &hidden) || hidden)
            continue;
        int64_t *nv = realloc(*seen, (*nseen + 1) * sizeof(*nv));
        if (!nv)
            break;
        *seen = nv;
        (*seen)[(*nseen)++] = ids[i];
        if (store_inbox_add(r->store, ids[i], INBOX_SUBSCRIPTION, text, url))
            fprintf(stderr, "ficd: an update could not be delivered: %s\n", store_errmsg(r->store));
    }
    free(ids);
}

static const char *byline_of(struct web_req *r, const struct work *w)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < w->creators.n; i++) {
        if (i)
            buf_puts(&b, i + 1 == w->creators.n ? " and " : ", ");
        buf_puts(&b, w->creators.v[i]);
    }
    const char *s = web_strdup(r, b.len ? buf_str(&b) : "Anonymous");
    buf_free(&b);
    return s;
}

/* A posted work's recipient accounts hear of their gift. */
struct gift_tell {
    struct web_req *r;
    const char *text, *url;
};

static int gift_tell_cb(const struct gift *g, void *ctx)
{
    struct gift_tell *gt = ctx;
    if (g->user_id > 0 && g->user_id != gt->r->user.id &&
        store_inbox_add(gt->r->store, g->user_id, INBOX_GIFT, gt->text, gt->url))
        fprintf(stderr, "ficd: a gift could not be announced: %s\n", store_errmsg(gt->r->store));
    return 0;
}

void readers_notify_work_posted(struct web_req *r, int64_t work_id)
{
    struct work w;
    if (store_work_get(r->store, work_id, 0, &w))
        return;
    if (w.draft || w.hidden) {
        work_free(&w);
        return;
    }
    const char *title = w.title && *w.title ? w.title : "Untitled";
    const char *url = web_sprintf(r, "/works/%lld", (long long)w.id);
    int64_t *seen = NULL;
    size_t nseen = 0;
    int64_t sid = 0;
    int pos = 0;
    if (store_series_of_work(r->store, w.id, &sid, &pos) == 0 && sid)
        notify(r, &w, SUB_SERIES, sid,
               web_sprintf(r, "%s posted part %d of the series %s: %s", byline_of(r, &w), pos,
                           w.series ? w.series : "", title),
               url, &seen, &nseen);
    if (w.user_id > 0)
        notify(r, &w, SUB_USER, w.user_id,
               web_sprintf(r, "%s posted a new work: %s", byline_of(r, &w), title), url, &seen,
               &nseen);
    free(seen);
    struct gift_tell gt = {r, web_sprintf(r, "%s gave you a gift: %s", byline_of(r, &w), title),
                           url};
    if (store_gifts_of_work(r->store, w.id, 0, gift_tell_cb, &gt))
        fprintf(stderr, "ficd: gifts could not be read: %s\n", store_errmsg(r->store));
    work_free(&w);
}

void readers_notify_chapter_posted(struct web_req *r, int64_t work_id, int64_t chapter_id)
{
    struct work w;
    if (store_work_get(r->store, work_id, 0, &w))
        return;
    int pos = 0;
    for (size_t i = 0; i < w.nchapters; i++)
        if (w.chapters[i].id == chapter_id)
            pos = (int)i + 1;
    if (!w.draft && !w.hidden && pos) {
        int64_t *seen = NULL;
        size_t nseen = 0;
        notify(r, &w, SUB_WORK, w.id,
               web_sprintf(r, "%s posted chapter %d of %s", byline_of(r, &w), pos,
                           w.title && *w.title ? w.title : "Untitled"),
               web_sprintf(r, "/works/%lld/chapters/%lld", (long long)w.id, (long long)chapter_id),
               &seen, &nseen);
        free(seen);
    }
    work_free(&w);
}
