/* ui_subscriptions.c: subscribing to a work, a creator or a series, /users/NAME/subscriptions,
 * and the inbox messages subscribers (and gift recipients) get when a work or a chapter is
 * posted. */
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

static int subscription_set(struct web_req *r, enum sub_kind kind, int on)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    int64_t target = 0;
    const char *path = NULL;
    if (kind == SUB_USER) {
        struct user u;
        int st = web_load_user(r, 1, &u);
        if (st)
            return st;
        if (u.id == r->user.id) {
            user_free(&u);
            return ui_error(r, 422, "You cannot subscribe to yourself.");
        }
        target = u.id;
        path = page_user_path(r, u.name, "");
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
    return readers_back(r, path);
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

void readers_subscribe_button(struct web_req *r, const char *base, enum sub_kind kind, int64_t id)
{
    int on = 0;
    if (store_is_subscribed(r->store, r->user.id, kind, id, &on))
        return;
    readers_post_button(r, web_sprintf(r, "%s/subscription%s", base, on ? "/delete" : ""),
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
    const char *base = sub->kind == SUB_USER ? page_user_path(r, name, "")
                       : sub->kind == SUB_WORK
                           ? web_sprintf(r, "/works/%lld", (long long)sub->target_id)
                           : web_sprintf(r, "/series/%lld", (long long)sub->target_id);
    html_lit(b, "<a href=\"");
    html_attr(b, base);
    html_lit(b, "\">");
    html_text(b, *name ? name : "Untitled");
    html_lit(b, "</a></td><td>");
    readers_post_button(r, web_sprintf(r, "%s/subscription/delete", base), "unsubscribe",
                        "Unsubscribe");
    html_lit(b, "</td></tr>\n");
    return 0;
}

int ui_user_subscriptions(struct web_req *r)
{
    int st = web_own_user(r, 1, "Only you can see your subscriptions.");
    if (st)
        return st;
    struct buf *b = &r->out;
    page_begin(r, "Subscriptions");
    html_lit(b, "<h1>Subscriptions</h1>\n<p>New chapters, works and series parts of what you "
                "subscribe to arrive in your inbox.</p>\n<table id=\"subscriptions\">\n<caption>"
                "Your subscriptions</caption>\n<thead><tr><th scope=\"col\">Kind</th><th "
                "scope=\"col\">Name</th><th scope=\"col\">Action</th></tr></thead>\n<tbody>\n");
    if (store_subscription_list(r->store, r->user.id, sub_row, r))
        return ui_error(r, 500, "The subscriptions could not be read.");
    html_lit(b, "</tbody>\n</table>\n");
    page_end(r);
    return 200;
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
