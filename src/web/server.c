/* server.c: the route table and web_dispatch, which runs one parsed request through it
 * (404/405, the site settings and the session, the rate limit of POSTs, first-run setup, the
 * CSRF check, the handler, then the index and page cache for what a POST changed), and one
 * store per worker thread. Starting and stopping the server is in serve.c, libmicrohttpd's
 * request intake and responses in conn.c. */
#include "index/index.h"
#include "web/cache.h"
#include "web/follow.h"
#include "web/page.h"
#include "web/ratelimit.h"
#include "web/router.h"
#include "web/server_int.h"
#include "web/session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the route table ---- */

static const struct route routes[] = {
    {"GET", "/", ui_home, 0},
    {"GET", "/healthz", ui_healthz, ROUTE_PUBLIC},
    {"GET", "/static/:file", ui_static, ROUTE_PUBLIC},
    {"GET", "/works", ui_works_index, 0},
    {"POST", "/works", ui_work_create, 0},
    {"GET", "/works/new", ui_work_new, 0},
    {"GET", "/works/import", ui_work_import_form, 0},
    {"POST", "/works/import", ui_work_import, 0},
    {"GET", "/works/:id", ui_work_show, 0},
    {"GET", "/works/:id/edit", ui_work_edit, 0},
    {"POST", "/works/:id/edit", ui_work_update, 0},
    {"GET", "/works/:id/delete", ui_work_delete_confirm, 0},
    {"POST", "/works/:id/delete", ui_work_delete, 0},
    {"POST", "/works/:id/publish", ui_work_publish, 0},
    {"GET", "/works/:id/chapters/new", ui_chapter_new, 0},
    {"POST", "/works/:id/chapters/new", ui_chapter_create, 0},
    {"GET", "/works/:id/chapters/manage", ui_chapters_manage, 0},
    {"POST", "/works/:id/chapters/manage", ui_chapters_reorder, 0},
    {"GET", "/works/:id/chapters/:cid", ui_chapter_show, 0},
    {"GET", "/works/:id/chapters/:cid/edit", ui_chapter_edit, 0},
    {"POST", "/works/:id/chapters/:cid/edit", ui_chapter_update, 0},
    {"GET", "/works/:id/chapters/:cid/delete", ui_chapter_delete_confirm, 0},
    {"POST", "/works/:id/chapters/:cid/delete", ui_chapter_delete, 0},
    {"GET", "/tags/:name/works", ui_tag_works, 0},
    {"GET", "/api/v1/tags/autocomplete", ui_tag_autocomplete, 0},
    {"GET", "/users/:name", ui_user_show, 0},
    {"GET", "/users/:name/works", ui_user_works, 0},
    {"GET", "/dashboard", ui_dashboard, 0},
    {"GET", "/login", ui_login_form, 0},
    {"POST", "/login", ui_login, 0},
    {"POST", "/logout", ui_logout, 0},
    {"GET", "/signup", ui_signup_form, 0},
    {"POST", "/signup", ui_signup, 0},
    {"GET", "/setup", ui_setup_form, ROUTE_PUBLIC},
    {"POST", "/setup", ui_setup, ROUTE_PUBLIC},
    {"GET", "/settings", ui_settings, 0},
    {"POST", "/settings/password", ui_settings_password, 0},
    {"POST", "/settings/pseuds", ui_settings_pseud, 0},
    {"POST", "/settings/sign_out_everywhere", ui_settings_signout_everywhere, 0},
    {"POST", "/settings/archive", ui_settings_archive, 0},
    {"GET", "/admin/invites", ui_invites, 0},
    {"POST", "/admin/invites", ui_invite_create, 0},
    {"GET", "/downloads/:id/:file", ui_download, 0},
    {"GET", "/api/v1/works", api_works, 0},
    {"GET", "/tags/:name", ui_tag_show, 0},
    {"GET", "/tags/:name/edit", ui_tag_edit, 0},
    {"POST", "/tags/:name/edit", ui_tag_wrangle, 0},
    {"GET", "/tag_wranglings", ui_tag_wranglings, 0},
    /* readers' tools (ui_readers.c, ui_feeds.c) */
    {"POST", "/works/:id/bookmarks", ui_bookmark_create, 0},
    {"GET", "/works/:id/bookmarks", ui_work_bookmarks, 0},
    {"GET", "/bookmarks", ui_bookmarks_index, 0},
    {"GET", "/bookmarks/:id/edit", ui_bookmark_edit, 0},
    {"POST", "/bookmarks/:id/edit", ui_bookmark_update, 0},
    {"POST", "/bookmarks/:id/delete", ui_bookmark_delete, 0},
    {"GET", "/users/:name/bookmarks", ui_user_bookmarks, 0},
    {"GET", "/api/v1/users/:name/bookmarks", api_user_bookmarks, 0},
    {"POST", "/users/:name/mute", ui_user_mute, 0},
    {"POST", "/users/:name/unmute", ui_user_unmute, 0},
    {"POST", "/settings/filters", ui_settings_filters, 0},
    {"POST", "/settings/history", ui_settings_history, 0},
    {"POST", "/settings/feed_token", ui_settings_feed_token, 0},
    {"POST", "/works/:id/subscription", ui_work_subscribe, 0},
    {"POST", "/works/:id/subscription/delete", ui_work_unsubscribe, 0},
    {"POST", "/users/:name/subscription", ui_user_subscribe, 0},
    {"POST", "/users/:name/subscription/delete", ui_user_unsubscribe, 0},
    {"POST", "/series/:id/subscription", ui_series_subscribe, 0},
    {"POST", "/series/:id/subscription/delete", ui_series_unsubscribe, 0},
    {"GET", "/users/:name/subscriptions", ui_user_subscriptions, 0},
    {"GET", "/series/:id", ui_series_show, 0},
    {"GET", "/series/:id/edit", ui_series_edit, 0},
    {"POST", "/series/:id/edit", ui_series_update, 0},
    {"GET", "/users/:name/series", ui_user_series, 0},
    {"POST", "/works/:id/mark_for_later", ui_mark_for_later, 0},
    {"GET", "/users/:name/readings", ui_user_readings, 0},
    {"GET", "/tags/:name/feed.atom", ui_feed_tag, 0},
    {"GET", "/users/:name/works.atom", ui_feed_user_works, 0},
    {"GET", "/series/:id/feed.atom", ui_feed_series, 0},
    {"GET", "/users/:name/inbox.atom", ui_feed_inbox, 0},
    {"GET", "/users/:name/stats", ui_user_stats, 0},
    {"GET", "/users/:name/gifts", ui_user_gifts, 0},
    {"POST", "/gifts/:id/refuse", ui_gift_refuse, 0},
    {"POST", "/gifts/:id/accept", ui_gift_accept, 0},
    {"GET", "/works/:id/co_creator", ui_co_creator_invitation, 0},
    {"POST", "/works/:id/co_creator", ui_co_creator_answer, 0},
    {"POST", "/works/:id/remove_me", ui_work_remove_me, 0},
    {"POST", "/works/:id/orphan", ui_work_orphan, 0},
    {"GET", "/works/:id/inspirations", ui_work_inspirations, 0},
    {"POST", "/works/:id/inspirations/:cid/approve", ui_inspiration_approve, 0},
    {"POST", "/works/:id/inspirations/:cid/reject", ui_inspiration_reject, 0},
    /* feedback: kudos, comments, reports, inbox, moderation and roles */
    {"POST", "/works/:id/kudos", ui_kudos_create, 0},
    {"GET", "/works/:id/comments", ui_comments_index, 0},
    {"POST", "/works/:id/comments", ui_comment_create, 0},
    {"GET", "/works/:id/comments/unreviewed", ui_comments_unreviewed, 0},
    {"GET", "/comments/:cid", ui_comment_show, 0},
    {"POST", "/comments/:cid/comments", ui_comment_reply, 0},
    {"GET", "/comments/:cid/edit", ui_comment_edit_form, 0},
    {"POST", "/comments/:cid/edit", ui_comment_edit, 0},
    {"POST", "/comments/:cid/delete", ui_comment_delete, 0},
    {"POST", "/comments/:cid/freeze", ui_comment_freeze, 0},
    {"POST", "/comments/:cid/unfreeze", ui_comment_unfreeze, 0},
    {"POST", "/comments/:cid/approve", ui_comment_approve, 0},
    {"GET", "/works/:id/report", ui_report_work_form, 0},
    {"POST", "/works/:id/report", ui_report_work, 0},
    {"GET", "/comments/:cid/report", ui_report_comment_form, 0},
    {"POST", "/comments/:cid/report", ui_report_comment, 0},
    {"GET", "/users/:name/report", ui_report_user_form, 0},
    {"POST", "/users/:name/report", ui_report_user, 0},
    {"GET", "/users/:name/inbox", ui_inbox, 0},
    {"POST", "/users/:name/inbox", ui_inbox_update, 0},
    {"POST", "/settings/inbox", ui_settings_inbox, 0},
    {"GET", "/admin/reports", ui_admin_reports, 0},
    {"POST", "/admin/reports/:rid", ui_admin_report_act, 0},
    {"POST", "/admin/works/:id", ui_admin_work_act, 0},
    {"GET", "/admin/log", ui_admin_log, 0},
    {"GET", "/admin/users", ui_admin_users, 0},
    {"POST", "/admin/users/:name", ui_admin_user_act, 0},
    {"GET", "/password_reset/:token", ui_password_reset_form, 0},
    {"POST", "/password_reset/:token", ui_password_reset, 0},
    {"GET", "/api/v1/works/:id", api_work_show, 0},
    {"GET", "/api/v1/works/:id/comments", api_work_comments, 0},
};

/* ---- per-thread stores ---- */

static _Thread_local struct store *tls_store;
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store **stores;
static size_t nstores, stores_cap;
atomic_int srv_setup_state; /* 1 once an account exists */
atomic_int srv_active_requests;

void web_setup_done(void)
{
    atomic_store(&srv_setup_state, 1);
}

/* This thread's store, opened on first use and closed at shutdown. NULL on failure. */
struct store *srv_thread_store(void)
{
    if (tls_store)
        return tls_store;
    struct store *s;
    if (store_open(srv_cfg->data_dir, &s)) {
        fprintf(stderr, "ficd: cannot open the store in %s: %s\n", srv_cfg->data_dir,
                store_open_error());
        return NULL;
    }
    pthread_mutex_lock(&stores_lock);
    if (nstores == stores_cap) {
        size_t cap = stores_cap ? stores_cap * 2 : 8;
        struct store **v = realloc(stores, cap * sizeof(*v));
        if (!v) {
            pthread_mutex_unlock(&stores_lock);
            store_close(s);
            return NULL;
        }
        stores = v;
        stores_cap = cap;
    }
    stores[nstores++] = s;
    pthread_mutex_unlock(&stores_lock);
    tls_store = s;
    return s;
}

void srv_close_stores(void)
{
    pthread_mutex_lock(&stores_lock);
    for (size_t i = 0; i < nstores; i++)
        store_close(stores[i]);
    free(stores);
    stores = NULL;
    nstores = stores_cap = 0;
    pthread_mutex_unlock(&stores_lock);
}

/* ---- dispatch ---- */

/* The archive name as last read, with the change-log entry and page-cache generation it was
 * read at: while the change follower vouches that the log has not moved (PostgreSQL's NOTIFY)
 * and no local write bumped the generation, requests take it from here instead of a query. */
static struct {
    pthread_mutex_t lock;
    char *name;
    int64_t seq;
    uint64_t gen;
} site_name = {PTHREAD_MUTEX_INITIALIZER, NULL, -1, 0};

static char *cached_site_name(struct web_req *r, int64_t seq, uint64_t gen)
{
    char *out = NULL;
    pthread_mutex_lock(&site_name.lock);
    if (site_name.name && site_name.seq == seq && site_name.gen == gen)
        out = web_strdup(r, site_name.name);
    pthread_mutex_unlock(&site_name.lock);
    return out;
}

/* Reads the archive name (and whether setup is done) for the layout. */
int srv_load_site(struct web_req *r)
{
    int64_t seq = 0;
    uint64_t gen = page_cache_gen();
    int vouched = web_follow_last_change(&seq);
    r->archive_name = vouched ? cached_site_name(r, seq, gen) : NULL;
    if (!r->archive_name) {
        char *name = NULL;
        if (store_setting_get(r->store, "archive_name", &name))
            return FICD_EDB;
        r->archive_name = web_strdup(r, name && *name ? name : "ficd");
        if (vouched) {
            pthread_mutex_lock(&site_name.lock);
            free(site_name.name);
            site_name.name = strdup(r->archive_name);
            site_name.seq = seq;
            site_name.gen = gen;
            pthread_mutex_unlock(&site_name.lock);
        }
        free(name);
    }
    if (!atomic_load(&srv_setup_state)) {
        int64_t n = 0;
        if (store_user_count(r->store, &n))
            return FICD_EDB;
        if (n > 0)
            web_setup_done();
    }
    return 0;
}

/* After a handler that may have written (every POST): the index applies the change log now,
 * before the response (usually a redirect to what was written) goes out, so the writer's
 * next page already shows the change. A failure leaves the change for the next poll. */
void srv_index_catch_up(struct web_req *r)
{
    if (!r->site || !r->site->idx || !r->store)
        return;
    int rc = idx_apply_changes(r->site->idx, r->store);
    if (rc < 0)
        fprintf(stderr, "ficd: the search index could not apply changes: %s\n",
                rc == FICD_EDB || rc == FICD_EIO ? store_errmsg(r->store) : ficd_strerror(rc));
}

void web_dispatch(struct web_req *r)
{
    struct route_match m;
    router_match(routes, sizeof(routes) / sizeof(routes[0]), r->method, r->path, &m);
    int status;
    if (!m.route) {
        if (m.path_matched) {
            web_header(r, "Allow", m.allow);
            status = 405;
        } else {
            status = 404;
        }
        if (r->store && srv_load_site(r) == 0)
            session_load(r);
        ui_error(r, status, NULL);
        r->status = status;
        return;
    }
    if (m.route->handler == ui_static) {
        r->personal = 1;
        r->status = ui_static(r);
        return;
    }
    if (!r->store || srv_load_site(r) != 0) {
        r->status = ui_error(r, 500, "The archive's database is not available right now.");
        return;
    }
    if (session_load(r) != 0) {
        r->status = ui_error(r, 500, "The archive's database is not available right now.");
        return;
    }
    if (!strcmp(r->method, "POST")) {
        /* every POST counts against its category's limits, per address and per account */
        enum rl_category cat = ratelimit_classify(r->path);
        int wait = ratelimit_request(r, cat, (int64_t)time(NULL));
        if (wait > 0) {
            r->status = ratelimit_page(r, cat, wait);
            return;
        }
    }
    for (size_t i = 0; i < m.nparams; i++) {
        r->params[i] = web_url_decode(r, m.params[i].s, m.params[i].n, 0);
        if (!r->params[i]) {
            r->status = ui_error(r, 400, "The address holds an invalid %-escape.");
            return;
        }
    }
    r->nparams = m.nparams;
    if (!atomic_load(&srv_setup_state) && !(m.route->flags & ROUTE_PUBLIC)) {
        web_redirect(r, "/setup");
        return;
    }
    if (!strcmp(r->method, "POST") && !(m.route->flags & ROUTE_NO_CSRF) && !session_csrf_ok(r)) {
        r->status =
            ui_error(r, 403, "Your session expired or the form is stale; reload and try again.");
        return;
    }
    store_clear_error(r->store);
    int64_t changes0 = store_total_changes(r->store);
    if (!strcmp(r->method, "POST") && web_user_suspended(r)) {
        /* suspended accounts read, but do not post, comment, leave kudos or bookmark */
        enum rl_category cat = ratelimit_classify(r->path);
        if (cat == RL_POST || cat == RL_COMMENT || cat == RL_KUDOS || cat == RL_BOOKMARK) {
            r->status = ui_suspended(r);
            return;
        }
    }
    status = m.route->handler(r);
    if (!strcmp(r->method, "POST")) {
        /* Only a real change invalidates cached pages: a POST that wrote nothing (a failed
         * login, a form sent back with errors) or only started or ended a session leaves
         * the cache warm. Changes the change log records also invalidate by its seq; a
         * change-log row of its own (CHANGE_SITE) carries the rest (settings, accounts,
         * profiles) to every other node's cache, unless the handler's last write already
         * logged one (kudos, comments, works). */
        int changed = store_total_changes(r->store) - changes0 - r->session_writes > 0;
        if (changed && !store_changes_logged(r->store) &&
            store_log_change(r->store, CHANGE_SITE, 0))
            fprintf(stderr,
                    "ficd: cannot log a site change (other nodes' cached pages expire by their "
                    "TTL): %s\n",
                    store_errmsg(r->store));
        srv_index_catch_up(r);
        if (changed)
            page_cache_bump();
    }
    if (r->out.err) {
        buf_reset(&r->out);
        status = 500;
    }
    if (status >= 400 && r->out.len == 0)
        status = ui_error(r, status, NULL);
    r->status = status;
}
