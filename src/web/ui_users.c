/* ui_users.c: a user's profile (/users/NAME), their works (/users/NAME/works) and one's own
 * dashboard of drafts and works. */
#include "core/html.h"
#include "web/page.h"

#include <string.h>

static int skip_cb(const struct work *w, void *ctx)
{
    (void)w;
    (void)ctx;
    return 0;
}

int web_find_user(struct web_req *r, struct user *u)
{
    memset(u, 0, sizeof(*u));
    int rc = store_user_get_by_name(r->store, r->params[0], u);
    if (rc != FICD_ENOTFOUND)
        return rc;
    int64_t uid = 0;
    rc = store_pseud_owner(r->store, r->params[0], &uid);
    if (rc)
        return rc;
    return store_user_get(r->store, uid, u);
}

int web_load_user(struct web_req *r, int pseuds, struct user *u)
{
    int rc = pseuds ? web_find_user(r, u) : store_user_get_by_name(r->store, r->params[0], u);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no user by that name.");
    if (rc)
        return ui_error(r, 500, "The user could not be read.");
    return 0;
}

int web_own_user(struct web_req *r, int pseuds, const char *why)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct user u;
    int st = web_load_user(r, pseuds, &u);
    if (st)
        return st;
    int64_t uid = u.id;
    user_free(&u);
    return uid == r->user.id ? 0 : ui_error(r, 403, why);
}

/* Lists works for a query with a heading and pagination. */
static int work_list(struct web_req *r, struct store_work_query *q, const char *title,
                     const char *base)
{
    int page = page_parse(web_arg(r, "page"));
    if (page < 0)
        return ui_error(r, 400, "The page number must be a whole number from 1 up.");
    int64_t total = 0;
    struct store_work_query cq = *q;
    cq.limit = 1;
    /* a creator the signed-in reader muted: nothing of theirs is listed */
    int muted = q->user_id > 0 && web_user_muted(r, q->user_id);
    if (!muted && store_work_list(r->store, &cq, skip_cb, NULL, &total))
        return ui_error(r, 500, "The list of works could not be read.");
    int npages = page_count(total, WORKS_PER_PAGE);
    if (page > npages)
        return ui_error(r, 404, "There is no such page of works.");
    q->offset = page_offset(page, WORKS_PER_PAGE);
    q->limit = WORKS_PER_PAGE;
    struct buf *b = &r->out;
    page_begin(r, title);
    html_lit(b, "<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<p class=\"count\">");
    html_int(b, total);
    if (total == 1)
        html_lit(b, " work");
    else
        html_lit(b, " works");
    html_lit(b, "</p>\n");
    if (muted)
        html_lit(b, "<p class=\"notice\" id=\"muted-notice\">You have muted this creator: their "
                    "works are left out of what you see.</p>\n");
    html_lit(b, "<h2 class=\"landmark\">List of works</h2>\n<ol class=\"works index\" "
                "id=\"works\">\n");
    if (!muted && store_work_list(r->store, q, page_work_blurb_cb, r, NULL))
        return ui_error(r, 500, "The list of works could not be read.");
    html_lit(b, "</ol>\n");
    page_pagination(r, base, page, npages);
    page_end(r);
    return 200;
}

int ui_user_show(struct web_req *r)
{
    struct user u;
    int rc = web_find_user(r, &u);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no user by that name.");
    if (rc)
        return ui_error(r, 500, "The user could not be read.");
    struct strlist pseuds;
    strlist_init(&pseuds);
    if (store_pseud_list(r->store, u.id, &pseuds)) {
        user_free(&u);
        return ui_error(r, 500, "The user could not be read.");
    }
    struct buf *b = &r->out;
    page_begin(r, u.name);
    html_lit(b, "<h1 id=\"user-name\">");
    html_text(b, u.name);
    html_lit(b, "</h1>\n<dl class=\"meta\">\n<dt>Joined:</dt><dd>");
    page_date(b, u.created);
    html_lit(b, "</dd>\n<dt>Pseuds:</dt><dd><ul class=\"commas\" id=\"pseuds\">");
    for (size_t i = 0; i < pseuds.n; i++) {
        html_lit(b, "<li>");
        html_text(b, pseuds.v[i]);
        html_lit(b, "</li>");
    }
    html_lit(b, "</ul></dd>\n</dl>\n");
    readers_user_actions(r, &u);
    int muted = web_user_muted(r, u.id);
    html_lit(b, "<h2>Recent works</h2>\n<ol class=\"works index\">\n");
    struct store_work_query q = {0};
    q.user_id = u.id;
    q.order = STORE_ORDER_UPDATED_DESC;
    q.limit = 5;
    int64_t total = 0;
    rc = muted ? 0 : store_work_list(r->store, &q, page_work_blurb_cb, r, &total);
    html_lit(b, "</ol>\n<p><a id=\"all-works\" href=\"");
    html_attr(b, page_user_path(r, u.name, "/works"));
    html_lit(b, "\">All works (");
    html_int(b, total);
    html_lit(b, ")</a></p>\n");
    page_end(r);
    strlist_free(&pseuds);
    user_free(&u);
    if (rc)
        return ui_error(r, 500, "The list of works could not be read.");
    return 200;
}

int ui_user_works(struct web_req *r)
{
    struct user u;
    int rc = web_find_user(r, &u);
    struct store_work_query q = {0};
    q.order = STORE_ORDER_UPDATED_DESC;
    if (rc == FICD_ENOTFOUND) {
        /* works imported on the command line are credited to pseuds without accounts */
        int64_t total = 0;
        struct store_work_query cq = {0};
        cq.creator = r->params[0];
        cq.limit = 1;
        if (store_work_list(r->store, &cq, skip_cb, NULL, &total))
            return ui_error(r, 500, "The list of works could not be read.");
        if (!total)
            return ui_error(r, 404, "There is no user by that name.");
        q.creator = r->params[0];
        return work_list(r, &q, web_sprintf(r, "Works by %s", r->params[0]),
                         page_user_path(r, r->params[0], "/works"));
    }
    if (rc)
        return ui_error(r, 500, "The user could not be read.");
    q.user_id = u.id;
    q.include_hidden = r->user.id == u.id; /* hidden works stay listed for their creator */
    rc = work_list(r, &q, web_sprintf(r, "Works by %s", u.name),
                   page_user_path(r, u.name, "/works"));
    user_free(&u);
    return rc;
}

int ui_dashboard(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct buf *b = &r->out;
    page_begin(r, "Dashboard");
    html_lit(b, "<h1>");
    html_text(b, r->user.name);
    html_lit(b,
             "'s Dashboard</h1>\n<p class=\"actions\"><a href=\"/works/new\">Post a new "
             "work</a> <a href=\"/works/import\">Import a manuscript</a></p>\n"
             "<section aria-labelledby=\"drafts-heading\">\n"
             "<h2 id=\"drafts-heading\">Drafts</h2>\n<ol class=\"works index\" id=\"drafts\">\n");
    struct store_work_query q = {0};
    q.user_id = r->user.id;
    q.drafts_only = 1;
    q.include_drafts = 1;
    q.order = STORE_ORDER_UPDATED_DESC;
    int64_t ndrafts = 0, nworks = 0;
    if (store_work_list(r->store, &q, page_work_blurb_cb, r, &ndrafts))
        return ui_error(r, 500, "The list of works could not be read.");
    html_lit(b, "</ol>\n");
    if (!ndrafts)
        html_lit(b, "<p>No drafts.</p>\n");
    html_lit(b, "</section>\n<section aria-labelledby=\"works-heading\">\n"
                "<h2 id=\"works-heading\">Posted works</h2>\n"
                "<ol class=\"works index\" id=\"my-works\">\n");
    q.drafts_only = 0;
    q.include_drafts = 0;
    q.include_hidden = 1; /* hidden by a moderator: still the creator's */
    if (store_work_list(r->store, &q, page_work_blurb_cb, r, &nworks))
        return ui_error(r, 500, "The list of works could not be read.");
    html_lit(b, "</ol>\n");
    if (!nworks)
        html_lit(b, "<p>You have not posted any works yet.</p>\n");
    html_lit(b, "</section>\n");
    page_end(r);
    return 200;
}
