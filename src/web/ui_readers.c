/* ui_readers.c: the readers' tools on the web that are not pages of their own: muting
 * creators and blocking tags (the reader's exclusions every listing applies), the readers'
 * sections of the settings page, and the pieces the work page and the user page show for
 * bookmarks, subscriptions, series and history; plus the helpers the readers' pages share
 * (readers_int.h). The pages: ui_bookmarks.c, ui_subscriptions.c, ui_series.c,
 * ui_readings.c. */
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

/* ---- shared helpers ---- */

/* Splits a comma-separated list into trimmed, non-empty names (at most max). */
void readers_split_commas(const char *s, struct strlist *out, size_t max)
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

void readers_post_button(struct web_req *r, const char *action, const char *id, const char *label)
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
int readers_back(struct web_req *r, const char *fallback)
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
    int st = web_load_user(r, 1, &u);
    if (st)
        return st;
    if (u.id == r->user.id) {
        user_free(&u);
        return ui_error(r, 422, "You cannot mute yourself.");
    }
    int rc = store_mute(r->store, r->user.id, u.id, on);
    const char *path = page_user_path(r, u.name, "");
    user_free(&u);
    if (rc)
        return ui_error(r, 500, "The mute could not be saved.");
    return readers_back(r, path);
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
    readers_split_commas(v, &l, 500);
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
    page_textarea(r, "blocked_tags", "Blocked tags", web_join(r, &blocked), 3,
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
            readers_post_button(r, page_user_path(r, muted.v[i], "/unmute"), "unmute", "Unmute");
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
        html_text(b, page_user_path(r, r->user.name, "/inbox.atom?token="));
        html_text(b, tok);
        html_lit(b, "</code></p>\n");
    } else {
        html_lit(b, "<p id=\"inbox-feed-none\">You have no private feed address yet.</p>\n");
    }
    readers_post_button(r, "/settings/feed_token", "renew-feed-token",
                        tok ? "Renew the feed address" : "Create a feed address");
    html_lit(b, "\n</section>\n");
    free(tok);
    strlist_free(&blocked);
    strlist_free(&muted);
}

/* ---- what the work page shows ---- */

void readers_work_top(struct web_req *r, const struct work *w)
{
    if (w->id > 0)
        creators_work_top(r, w); /* gifts, inspired by, a co-creator invitation */
    int64_t sid = w->series_id;  /* the store filled it when it read the work */
    int pos = w->series_position;
    if (w->id <= 0 || !sid)
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
    if (strcmp(r->method, "HEAD") != 0 && /* a HEAD request reads nothing */
        store_reading_visit(r->store, r->user.id, w->id, chapter))
        fprintf(stderr, "ficd: a visit could not be recorded: %s\n", store_errmsg(r->store));
    const char *base = web_sprintf(r, "/works/%lld", (long long)w->id);
    html_lit(b, "<p>");
    readers_subscribe_button(r, base, SUB_WORK, w->id);
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
    readers_bookmark_fields(r, have ? &bm : NULL);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"bookmark-submit\">");
    html_text(b, have ? "Update Bookmark" : "Create Bookmark");
    html_lit(b, "</button></p>\n</form>\n");
    if (have) {
        readers_post_button(r, web_sprintf(r, "/bookmarks/%lld/delete", (long long)bm.id),
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
    html_attr(b, page_user_path(r, u->name, "/bookmarks"));
    html_lit(b, "\">Bookmarks</a></li><li><a href=\"");
    html_attr(b, page_user_path(r, u->name, "/series"));
    html_lit(b, "\">Series</a></li><li><a href=\"");
    html_attr(b, page_user_path(r, u->name, "/works.atom"));
    html_lit(b, "\" type=\"application/atom+xml\" id=\"user-feed\">Atom feed of works</a></li>");
    if (r->user.id > 0 && r->user.id == u->id) {
        html_lit(b, "<li><a href=\"");
        html_attr(b, page_user_path(r, u->name, "/readings"));
        html_lit(b, "\" id=\"history-link\">History</a></li><li><a href=\"");
        html_attr(b, page_user_path(r, u->name, "/subscriptions"));
        html_lit(b, "\" id=\"subscriptions-link\">Subscriptions</a></li><li><a href=\"");
        html_attr(b, page_user_path(r, u->name, "/stats"));
        html_lit(b, "\" id=\"stats-link\">Statistics</a></li>");
    }
    html_lit(b, "</ul>\n");
    if (r->user.id <= 0 || r->user.id == u->id)
        return;
    int muted = 0;
    if (store_is_muted(r->store, r->user.id, u->id, &muted))
        return;
    html_lit(b, "<p class=\"actions\">");
    readers_subscribe_button(r, page_user_path(r, u->name, ""), SUB_USER, u->id);
    html_lit(b, " ");
    readers_post_button(r, page_user_path(r, u->name, muted ? "/unmute" : "/mute"),
                        muted ? "unmute" : "mute", muted ? "Unmute" : "Mute");
    html_lit(b, "</p>\n");
    if (muted)
        html_lit(b, "<p class=\"notice\" id=\"muted-notice\">You have muted this creator: their "
                    "works, bookmarks and comments are left out of what you see.</p>\n");
}
