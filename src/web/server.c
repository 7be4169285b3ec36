/* server.c: the libmicrohttpd server: request intake (headers, bodies within the size cap,
 * forms), the route table and dispatch, responses (security headers, gzip), the access log,
 * one store per worker thread, and graceful shutdown on SIGTERM/SIGINT. */
#include "web/server.h"
#include "core/html.h"
#include "core/progress.h"
#include "index/index.h"
#include "web/cache.h"
#include "web/page.h"
#include "web/hits.h"
#include "web/ratelimit.h"
#include "web/restart.h"
#include "web/router.h"
#include "web/session.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

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

static char g_data_dir[1024];
static _Thread_local struct store *tls_store;
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store **stores;
static size_t nstores, stores_cap;
static atomic_int setup_state; /* 1 once an account exists */
static atomic_int active_requests;

void web_setup_done(void)
{
    atomic_store(&setup_state, 1);
}

/* This thread's store, opened on first use and closed at shutdown. NULL on failure. */
static struct store *thread_store(void)
{
    if (tls_store)
        return tls_store;
    struct store *s;
    if (store_open(g_data_dir, &s)) {
        fprintf(stderr, "ficd: cannot open the store in %s\n", g_data_dir);
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

static void close_stores(void)
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

/* Reads the archive name (and whether setup is done) for the layout. */
static int load_site(struct web_req *r)
{
    char *name = NULL;
    if (store_setting_get(r->store, "archive_name", &name))
        return FICD_EDB;
    r->archive_name = web_strdup(r, name && *name ? name : "ficd");
    free(name);
    if (!atomic_load(&setup_state)) {
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
static void index_catch_up(struct web_req *r)
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
        if (r->store && load_site(r) == 0)
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
    if (!r->store || load_site(r) != 0) {
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
    if (!atomic_load(&setup_state) && !(m.route->flags & ROUTE_PUBLIC)) {
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
        index_catch_up(r);
        /* Only a real change invalidates cached pages: a POST that wrote nothing (a failed
         * login, a form sent back with errors) or only started or ended a session leaves
         * the cache warm. Changes the change log records also invalidate by its seq. */
        if (store_total_changes(r->store) - changes0 - r->session_writes > 0)
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

/* ---- connections ---- */

enum body_kind { BODY_NONE = 0, BODY_URLENCODED, BODY_MULTIPART, BODY_OTHER };

struct conn {
    struct web_req req;
    const struct web_config *cfg;
    int started;
    int too_big;
    int bad_body;
    enum body_kind kind;
    struct MHD_PostProcessor *pp;
    struct buf body;
    size_t received;
    size_t sent;
    struct timespec t0;
    /* page cache: the request may be answered by (and its response kept in) the cache */
    int cache_try, cache_gz;
    char *cache_key; /* arena */
    struct page_cache_stamp cache_st;
};

static struct web_site g_site;
static const struct web_config *g_cfg;

/* MHD_OPTION_URI_LOG_CALLBACK: the first sight of a request, with its raw URI (before
 * libmicrohttpd decodes it, so %2F in a tag name stays distinct from '/'). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct conn *k = calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &k->t0);
    k->cfg = g_cfg;
    web_req_init(&k->req, g_cfg, &g_site);
    buf_init(&k->body, g_cfg->max_body);
    const char *q = strchr(uri, '?');
    size_t pn = q ? (size_t)(q - uri) : strlen(uri);
    k->req.path = web_strndup(&k->req, uri, pn);
    k->req.query = web_strdup(&k->req, q ? q + 1 : "");
    atomic_fetch_add(&active_requests, 1);
    return k;
}

static void conn_free(struct conn *k)
{
    if (k->pp)
        MHD_destroy_post_processor(k->pp);
    buf_free(&k->body);
    web_req_free(&k->req);
    free(k);
}

/* Multipart fields arrive in pieces: off == 0 starts a field, later pieces append. */
static enum MHD_Result on_post_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *filename, const char *content_type,
                                     const char *transfer_encoding, const char *data, uint64_t off,
                                     size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    struct conn *k = cls;
    struct web_kvs *f = &k->req.form;
    if (off == 0 || !f->n || strcmp(f->v[f->n - 1].key, key) != 0) {
        if (kvs_add(f, key, data ? data : "", data ? size : 0))
            return MHD_NO;
        if (filename && !(f->v[f->n - 1].filename = strdup(filename)))
            return MHD_NO;
        return MHD_YES;
    }
    struct web_kv *kv = &f->v[f->n - 1];
    char *v = realloc(kv->value, kv->vlen + size + 1);
    if (!v)
        return MHD_NO;
    memcpy(v + kv->vlen, data, size);
    kv->vlen += size;
    v[kv->vlen] = 0;
    kv->value = v;
    return MHD_YES;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Copies the request headers the pages use into the request (arena strings). */
static void read_headers(struct conn *k, struct MHD_Connection *c, const char *method)
{
    struct web_req *r = &k->req;
    r->method = web_strdup(r, method);
    const char *v;
    if ((v = header(c, MHD_HTTP_HEADER_COOKIE)))
        r->cookie_header = web_strdup(r, v);
    if ((v = header(c, MHD_HTTP_HEADER_ACCEPT_ENCODING)))
        r->accept_encoding = web_strdup(r, v);
    if ((v = header(c, MHD_HTTP_HEADER_IF_NONE_MATCH)))
        r->if_none_match = web_strdup(r, v);
    if ((v = header(c, MHD_HTTP_HEADER_HOST)))
        r->host = web_strdup(r, v);
    if ((v = header(c, MHD_HTTP_HEADER_CONTENT_TYPE)))
        r->body_type = web_strdup(r, v);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      r->remote_ip, sizeof(r->remote_ip));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->remote_ip, sizeof(r->remote_ip));
    }
    if (k->cfg->trust_proxy) {
        if ((v = header(c, "X-Forwarded-Proto")) && !strcasecmp(v, "https"))
            r->tls = 1;
        if ((v = header(c, "X-Forwarded-For")) && *v) {
            size_t n = strcspn(v, ", ");
            if (n && n < sizeof(r->remote_ip)) {
                memcpy(r->remote_ip, v, n);
                r->remote_ip[n] = 0;
            }
        }
    }
    if (web_parse_urlencoded(&r->args, r->query, strlen(r->query)))
        k->bad_body = 1;
}

/* Each worker thread keeps one deflate stream and resets it per response: setting a stream
 * up allocates ~270 KB and clears its hash table, which cost as much as compressing a
 * 6 KB page. Freed when the thread ends. */
static pthread_key_t gz_key;
static pthread_once_t gz_once = PTHREAD_ONCE_INIT;

static void gz_stream_free(void *p)
{
    deflateEnd(p);
    free(p);
}

static void gz_key_init(void)
{
    if (pthread_key_create(&gz_key, gz_stream_free))
        abort();
}

static z_stream *thread_deflater(void)
{
    pthread_once(&gz_once, gz_key_init);
    z_stream *z = pthread_getspecific(gz_key);
    if (z)
        return deflateReset(z) == Z_OK ? z : NULL;
    z = calloc(1, sizeof(*z));
    /* Level 1 (as nginx's default gzip_comp_level): ~4x less CPU than level 6 for pages
     * about 15% larger; compression was most of a page's cost at level 6. */
    if (!z || deflateInit2(z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(z);
        return NULL;
    }
    if (pthread_setspecific(gz_key, z)) {
        gz_stream_free(z);
        return NULL;
    }
    return z;
}

/* Compresses in (n bytes) as gzip into a malloc'd buffer; NULL when it fails. */
static char *gzip(const char *in, size_t n, size_t *outlen)
{
    z_stream *z = thread_deflater();
    if (!z)
        return NULL;
    size_t cap = deflateBound(z, n) + 32;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)n;
    z->next_out = (Bytef *)out;
    z->avail_out = (uInt)cap;
    int rc = deflate(z, Z_FINISH);
    *outlen = z->total_out;
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* 1 when the Accept-Encoding header accepts gzip (and does not say gzip;q=0). */
static int accepts_gzip(const char *ae)
{
    if (!ae)
        return 0;
    const char *p = strcasestr(ae, "gzip");
    if (!p)
        return 0;
    const char *end = strchr(p, ',');
    const char *q = strstr(p, "q=");
    if (q && (!end || q < end)) {
        double v = strtod(q + 2, NULL);
        return v > 0;
    }
    return 1;
}

static const char *const security_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
     "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
};

/* Turns the finished request into a libmicrohttpd response and queues it. */
static enum MHD_Result respond(struct conn *k, struct MHD_Connection *c)
{
    struct web_req *r = &k->req;
    if (r->csrf_cookie_needed && !r->session_token[0])
        web_header(r, "Set-Cookie",
                   web_sprintf(r, CSRF_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax%s",
                               r->csrf_basis, r->tls ? "; Secure" : ""));
    const char *type = r->content_type ? r->content_type : "text/html; charset=utf-8";
    int is_html = !strncmp(type, "text/", 5) || !strncmp(type, "application/json", 16);
    size_t len = r->out.len;
    char *body = NULL;
    int gz = 0;
    if (r->status != 304 && is_html && len > 1024 && accepts_gzip(r->accept_encoding)) {
        size_t zl;
        body = gzip(r->out.data, len, &zl);
        if (body) {
            gz = 1;
            len = zl;
        }
    }
    if (!body) {
        body = len ? buf_take(&r->out) : NULL;
        if (len && !body)
            return MHD_NO;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
        MHD_add_response_header(resp, security_headers[i][0], security_headers[i][1]);
    if (r->status != 304)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (is_html)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (gz)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (!r->cacheable)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "private, no-cache");
    for (size_t i = 0; i < r->headers.n; i++)
        MHD_add_response_header(resp, r->headers.v[i].key, r->headers.v[i].value);
    k->sent = len;
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)r->status, resp);
    if (rc == MHD_YES && k->cache_try && r->status == 200 && !r->personal &&
        !r->csrf_cookie_needed && !kvs_get(&r->headers, "Set-Cookie") &&
        idx_seq(g_site.idx) >= k->cache_st.seq)
        page_cache_put(k->cache_key, k->cache_gz, &k->cache_st, resp, len);
    else
        MHD_destroy_response(resp);
    return rc;
}

/* Whether a complete request may be answered from the page cache: an anonymous GET or HEAD
 * without a body, once the archive is set up (cache.h says what is kept and for how long). */
static int cache_candidate(const struct conn *k)
{
    const struct web_req *r = &k->req;
    char tok[80];
    return page_cache_enabled() && g_site.idx && atomic_load(&setup_state) &&
           (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) && k->received == 0 &&
           cookie_get(r->cookie_header, SESSION_COOKIE, tok, sizeof(tok)) < 0;
}

/* Serves the request from the page cache when it holds a valid answer (returns 1), else
 * notes what a response rendered now would be valid for. The stamp is the store's own last
 * change, so a write from any process or node invalidates at once; the index is brought up
 * to that change before rendering, so listings rendered now show it too. */
static int cache_lookup(struct conn *k, struct MHD_Connection *c)
{
    struct web_req *r = &k->req;
    int64_t seq = 0;
    if (store_last_change(r->store, &seq))
        return 0;
    k->cache_st.seq = seq;
    k->cache_st.gen = page_cache_gen();
    k->cache_gz = accepts_gzip(r->accept_encoding);
    k->cache_key = web_sprintf(r, "%s?%s%s", r->path, r->query, r->tls ? "#tls" : "");
    size_t len = 0;
    if (page_cache_serve(c, k->cache_key, k->cache_gz, &k->cache_st, &len)) {
        r->status = 200;
        k->sent = len;
        /* a cached work page is still a read: counted in memory, no database access */
        int64_t work = hits_enabled() && r->method[0] == 'G' ? hits_work_of_path(r->path) : 0;
        if (work)
            hits_record(work, r->remote_ip, (int64_t)time(NULL));
        return 1;
    }
    if (idx_seq(g_site.idx) < seq)
        index_catch_up(r);
    k->cache_try = 1;
    return 0;
}

/* Renders an error for a request the handlers never see (body too large, bad body). */
static void early_error(struct conn *k, int status, const char *msg)
{
    struct web_req *r = &k->req;
    r->store = thread_store();
    if (r->store)
        load_site(r);
    buf_reset(&r->out);
    r->status = ui_error(r, status, msg);
}

static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

/* The size of the request head as the client sent it (near enough: the request line and
 * each header line with its separators). libmicrohttpd refuses heads that overflow its
 * per-connection memory on its own, with a bare 431 we cannot dress; the pool is sized well
 * above max_header (web_serve) so that the heads over max_header that it does accept get
 * ficd's 431 page, security headers included. */
static size_t head_size(struct conn *k, struct MHD_Connection *c, const char *version)
{
    const struct web_req *r = &k->req;
    size_t n = strlen(r->method) + 1 + strlen(r->path) + (*r->query ? 1 + strlen(r->query) : 0) +
               1 + strlen(version) + 2 + 2;
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_header_size, &n);
    return n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    struct conn *k = *con_cls;
    if (!k)
        return MHD_NO;
    struct web_req *r = &k->req;
    if (!k->started) {
        k->started = 1;
        read_headers(k, c, method);
        if (head_size(k, c, version) > k->cfg->max_header) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "The request's headers are larger than this archive accepts (at most %zu "
                     "KB). Clearing this site's cookies may help.",
                     k->cfg->max_header >> 10);
            early_error(k, 431, msg);
            web_header(r, "Connection", "close");
            return respond(k, c);
        }
        const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > k->cfg->max_body) {
            char msg[160];
            snprintf(msg, sizeof(msg),
                     "The request is larger than this archive accepts (at most %zu KB).",
                     k->cfg->max_body >> 10);
            early_error(k, 413, msg);
            web_header(r, "Connection", "close");
            return respond(k, c);
        }
        const char *ct = r->body_type;
        if (ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
            k->kind = BODY_URLENCODED;
        } else if (ct && !strncasecmp(ct, "multipart/form-data", 19)) {
            k->kind = BODY_MULTIPART;
            k->pp = MHD_create_post_processor(c, 65536, on_post_field, k);
            if (!k->pp)
                k->bad_body = 1;
        } else {
            k->kind = BODY_OTHER;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        k->received += n;
        if (k->received > k->cfg->max_body)
            k->too_big = 1;
        if (k->too_big || k->bad_body)
            return MHD_YES;
        if (k->kind == BODY_URLENCODED) {
            buf_put(&k->body, upload_data, n);
        } else if (k->kind == BODY_MULTIPART) {
            if (MHD_post_process(k->pp, upload_data, n) != MHD_YES)
                k->bad_body = 1;
        } else {
            k->bad_body = 1;
        }
        return MHD_YES;
    }
    /* the whole request is in */
    if (k->too_big) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "The request is larger than this archive accepts (at most %zu KB).",
                 k->cfg->max_body >> 10);
        early_error(k, 413, msg);
        return respond(k, c);
    }
    if (k->kind == BODY_URLENCODED && !k->bad_body &&
        web_parse_urlencoded(&r->form, k->body.data ? k->body.data : "", k->body.len))
        k->bad_body = 1;
    if (k->bad_body) {
        early_error(k, 400,
                    "The request could not be read: the form data or the address is malformed.");
        return respond(k, c);
    }
    r->store = thread_store();
    if (r->store && cache_candidate(k) && cache_lookup(k, c))
        return MHD_YES;
    web_dispatch(r);
    return respond(k, c);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn *k = *con_cls;
    if (!k)
        return;
    *con_cls = NULL;
    if (k->cfg->access_log && k->started) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms =
            (double)(t1.tv_sec - k->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - k->t0.tv_nsec) / 1e6;
        fprintf(stderr, "%s %s %s %d %zu %.3fms %s\n", k->req.remote_ip, k->req.method, k->req.path,
                k->req.status, k->sent, ms, k->req.request_id);
    }
    conn_free(k);
    atomic_fetch_sub(&active_requests, 1);
}

/* ---- the hits flusher ---- */

/* A thread that writes the hits counted in memory every cfg->hits_flush seconds, with a
 * store of its own; hits_stop() wakes it, and it flushes once more before it ends. */
static pthread_t hits_thread;
static int hits_thread_running;
static pthread_mutex_t hits_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hits_cv = PTHREAD_COND_INITIALIZER;
static int hits_stopping;

static void hits_flush_now(struct store *s)
{
    int rc = hits_flush(s);
    if (rc < 0)
        fprintf(stderr, "ficd: cannot write hits (kept for the next try): %s\n",
                rc == FICD_EDB || rc == FICD_EBUSY ? store_errmsg(s) : ficd_strerror(rc));
}

static void *hits_main(void *arg)
{
    (void)arg;
    struct store *s = NULL;
    if (store_open(g_data_dir, &s)) {
        fprintf(stderr, "ficd: cannot open the store for hits in %s\n", g_data_dir);
        return NULL;
    }
    pthread_mutex_lock(&hits_mu);
    while (!hits_stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += g_cfg->hits_flush;
        while (!hits_stopping && pthread_cond_timedwait(&hits_cv, &hits_mu, &until) == 0)
            ;
        pthread_mutex_unlock(&hits_mu);
        hits_flush_now(s);
        pthread_mutex_lock(&hits_mu);
    }
    pthread_mutex_unlock(&hits_mu);
    hits_flush_now(s); /* what came in while stopping */
    store_close(s);
    return NULL;
}

static void hits_start(void)
{
    hits_init(g_cfg->hits);
    hits_stopping = 0;
    if (!g_cfg->hits)
        return;
    hits_thread_running = pthread_create(&hits_thread, NULL, hits_main, NULL) == 0;
    if (!hits_thread_running)
        fprintf(stderr, "ficd: cannot start the hits writer; hits are not counted\n");
    if (!hits_thread_running)
        hits_init(0);
}

static void hits_stop(void)
{
    if (hits_thread_running) {
        pthread_mutex_lock(&hits_mu);
        hits_stopping = 1;
        pthread_cond_broadcast(&hits_cv);
        pthread_mutex_unlock(&hits_mu);
        pthread_join(hits_thread, NULL);
        hits_thread_running = 0;
    }
    hits_free();
}

/* ---- start and stop ---- */

/* Reads the CSRF secret from the settings, creating it on first run; drops expired
 * sessions; notes whether first-run setup is done. */
static int prepare_site(struct store *s)
{
    char *hex = NULL;
    if (store_setting_get(s, "csrf_secret", &hex))
        return FICD_EDB;
    size_t n = 0;
    if (!hex ||
        sodium_hex2bin(g_site.secret, sizeof(g_site.secret), hex, strlen(hex), NULL, &n, NULL) !=
            0 ||
        n != sizeof(g_site.secret)) {
        char fresh[65];
        randombytes_buf(g_site.secret, sizeof(g_site.secret));
        sodium_bin2hex(fresh, sizeof(fresh), g_site.secret, sizeof(g_site.secret));
        free(hex);
        hex = NULL;
        if (store_setting_set(s, "csrf_secret", fresh))
            return FICD_EDB;
    }
    free(hex);
    int64_t users = 0;
    if (store_user_count(s, &users) || store_session_purge(s, (int64_t)time(NULL)))
        return FICD_EDB;
    atomic_store(&setup_state, users > 0);
    return 0;
}

int web_serve(const struct web_config *cfg)
{
    if (sodium_init() < 0)
        return FICD_EINTERNAL;
    g_cfg = cfg;
    snprintf(g_data_dir, sizeof(g_data_dir), "%s", cfg->data_dir);
    struct store *main_store;
    int rc = store_open(cfg->data_dir, &main_store);
    if (rc) {
        fprintf(stderr, "ficd serve: cannot open data directory %s: %s\n", cfg->data_dir,
                ficd_strerror(rc));
        return rc;
    }
    rc = prepare_site(main_store);
    if (rc) {
        fprintf(stderr, "ficd serve: %s\n", store_errmsg(main_store));
        store_close(main_store);
        return rc;
    }
    rc = index_start(cfg->data_dir, main_store, &g_site.idx); /* web/restart.c */
    store_close(main_store);
    if (rc)
        return rc;

    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[16];
    snprintf(port, sizeof(port), "%d", cfg->port);
    int gai = getaddrinfo(cfg->listen_host, port, &hints, &ai);
    if (gai) {
        fprintf(stderr, "ficd serve: cannot resolve %s: %s\n", cfg->listen_host, gai_strerror(gai));
        index_stop(g_site.idx);
        g_site.idx = NULL;
        return FICD_EINVAL;
    }

    /* Worker threads inherit this mask, so the signals reach only sigwait below. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* room for a head over max_header to arrive whole (so it gets ficd's 431 page) and for
     * the response headers */
    size_t pool = cfg->connection_memory;
    if (pool < cfg->max_header + ((size_t)16 << 10))
        pool = cfg->max_header + ((size_t)16 << 10);
    unsigned threads =
        cfg->threads > 0 ? (unsigned)cfg->threads : (unsigned)(cores > 0 ? cores : 1);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    page_cache_init(cfg->page_cache, cfg->page_cache_ttl * 1000);
    hits_start(); /* before the first request, so none goes uncounted */
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->connection_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->per_ip_limit, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        fprintf(stderr, "ficd serve: cannot listen on %s:%d (in use, or not permitted)\n",
                cfg->listen_host, cfg->port);
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        hits_stop();
        page_cache_free();
        index_stop(g_site.idx);
        g_site.idx = NULL;
        return FICD_EIO;
    }
    fprintf(stderr, "ficd: serving http://%s:%d/ from %s with %u threads\n", cfg->listen_host,
            cfg->port, cfg->data_dir, threads);

    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "ficd: %s received, finishing requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    for (int i = 0; i < 100 && atomic_load(&active_requests) > 0; i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    hits_stop(); /* after the last request: every hit counted is written */
    page_cache_free();
    close_stores();
    index_stop(g_site.idx); /* writes the index snapshot for the next start */
    g_site.idx = NULL;
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    fprintf(stderr, "ficd: stopped\n");
    return 0;
}
