/* conn.c: libmicrohttpd's side of a request: intake (the raw URI, headers, client address,
 * bodies within the size cap, urlencoded and multipart forms, early 413/431/400 pages), the
 * page cache lookup, and the response (security headers, gzip with one deflate stream per
 * thread, the access log). */
#include "index/index.h"
#include "web/cache.h"
#include "web/hits.h"
#include "web/page.h"
#include "web/server_int.h"
#include "web/session.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <zlib.h>

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

/* MHD_OPTION_URI_LOG_CALLBACK: the first sight of a request, with its raw URI (before
 * libmicrohttpd decodes it, so %2F in a tag name stays distinct from '/'). */
void *srv_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct conn *k = calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &k->t0);
    k->cfg = srv_cfg;
    web_req_init(&k->req, srv_cfg, &srv_site);
    buf_init(&k->body, srv_cfg->max_body);
    const char *q = strchr(uri, '?');
    size_t pn = q ? (size_t)(q - uri) : strlen(uri);
    k->req.path = web_strndup(&k->req, uri, pn);
    k->req.query = web_strdup(&k->req, q ? q + 1 : "");
    atomic_fetch_add(&srv_active_requests, 1);
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
        idx_seq(srv_site.idx) >= k->cache_st.seq)
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
    return page_cache_enabled() && srv_site.idx && atomic_load(&srv_setup_state) &&
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
    if (idx_seq(srv_site.idx) < seq)
        srv_index_catch_up(r);
    k->cache_try = 1;
    return 0;
}

/* Renders an error for a request the handlers never see (body too large, bad body). */
static void early_error(struct conn *k, int status, const char *msg)
{
    struct web_req *r = &k->req;
    r->store = srv_thread_store();
    if (r->store)
        srv_load_site(r);
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

enum MHD_Result srv_on_request(void *cls, struct MHD_Connection *c, const char *url,
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
    r->store = srv_thread_store();
    if (r->store && cache_candidate(k) && cache_lookup(k, c))
        return MHD_YES;
    web_dispatch(r);
    return respond(k, c);
}

void srv_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
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
    atomic_fetch_sub(&srv_active_requests, 1);
}
