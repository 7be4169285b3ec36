/* server.h: the HTTP server (libmicrohttpd) and the request every page handler receives:
 * parsed input (path, query, form fields, cookies), the signed-in user, a per-request arena
 * and the response being built. Handlers never see libmicrohttpd. */
#ifndef FICD_WEB_SERVER_H
#define FICD_WEB_SERVER_H

#include "core/buf.h"
#include "store/store.h"
#include "web/config.h"

#include <stddef.h>
#include <stdint.h>

struct idx;

#define WEB_MAX_PARAMS 4

/* One name/value pair: a query argument, a form field, a response header. value is
 * NUL-terminated and may also hold NUL bytes (uploads): vlen is its length. filename is set
 * for file fields of a multipart form. */
struct web_kv {
    char *key;
    char *value;
    size_t vlen;
    char *filename;
};

struct web_kvs {
    struct web_kv *v;
    size_t n, cap;
};

/* A bump allocator: everything allocated while serving one request, freed all at once. */
struct web_arena_chunk;
struct web_arena {
    struct web_arena_chunk *head;
};

/* Archive-wide state shared by every request: settings read at start, updated by /setup. */
struct web_site {
    unsigned char secret[32]; /* server secret for CSRF tokens (kept in settings) */
    struct idx *idx; /* the search index, shared by every worker (it has its own lock); NULL
                        when there is none (list and search pages then answer 503) */
};

struct web_req {
    /* ---- input ---- */
    const char *method;  /* "GET", "HEAD", "POST", ... */
    char *path;          /* raw (still percent-encoded) path, no query */
    char *query;         /* raw query string without '?', "" when none */
    struct web_kvs args; /* decoded query arguments */
    struct web_kvs form; /* decoded POST fields (urlencoded or multipart) */
    const char *cookie_header, *accept_encoding, *if_none_match, *body_type;
    const char *host; /* the Host header (feeds' absolute links), NULL when none */
    char remote_ip[64];
    int tls; /* 1 when the client connection is HTTPS (X-Forwarded-Proto with trust_proxy) */
    char *params[WEB_MAX_PARAMS]; /* decoded :params of the matched route */
    size_t nparams;
    const struct web_config *cfg;
    struct web_site *site;
    struct store *store; /* this worker thread's store */

    /* ---- who is asking ---- */
    struct user user;       /* user.id == 0 when anonymous */
    char session_token[65]; /* the ficd_session cookie when it names a live session */
    char csrf_basis[65];    /* session token, or the anonymous ficd_csrf cookie */
    int csrf_cookie_needed; /* set the ficd_csrf cookie on the response */
    char *archive_name;     /* arena copy of the setting, never NULL */
    int rate_category;      /* 1 + the rate-limit category dispatch counted this POST in */
    char request_id[20];    /* shown on 5xx pages, logged with their cause and in the access log */
    int64_t session_writes; /* store rows changed only for sign-in/sign-out (not page content) */

    /* ---- output ---- */
    int status;
    struct buf out;
    const char *content_type; /* default text/html; charset=utf-8 */
    struct web_kvs headers;   /* extra response headers */
    int cacheable;            /* 1: do not add Cache-Control: no-store */
    int personal; /* 1: the body is for this client only (it holds a CSRF token) or must not
                     come from the page cache (static files): never shared */

    struct web_arena arena;
};

/* The arena: memory valid until the request ends. web_alloc aborts the process on OOM
 * (like Redis's zmalloc): a request cannot continue without its memory. */
void *web_alloc(struct web_req *r, size_t n);
char *web_strdup(struct web_req *r, const char *s);
char *web_strndup(struct web_req *r, const char *s, size_t n);
char *web_sprintf(struct web_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The strings of l joined with ", " (a tag field's value), in the arena. */
const char *web_join(struct web_req *r, const struct strlist *l);
void web_arena_free(struct web_arena *a);

/* A new request id ("1a2b3c4d-5f": a random prefix per process and a counter). */
void web_request_id(char out[20]);

/* Request setup/teardown without a network connection (used by the server and by tests). */
void web_req_init(struct web_req *r, const struct web_config *cfg, struct web_site *site);
void web_req_free(struct web_req *r);

/* Lists of pairs. kvs_add copies key and n bytes of value (malloc, freed by kvs_free). */
int kvs_add(struct web_kvs *l, const char *key, const char *value, size_t n);
void kvs_free(struct web_kvs *l);
/* First value for key, or NULL. */
const char *kvs_get(const struct web_kvs *l, const char *key);
const struct web_kv *kvs_find(const struct web_kvs *l, const char *key);

/* Decodes a query string or x-www-form-urlencoded body (a=1&b=x+y%21) into l. */
int web_parse_urlencoded(struct web_kvs *l, const char *s, size_t n);
/* Percent-decodes n bytes of s into a new arena string; plus_space turns '+' into ' '.
 * Returns NULL when the result would hold a NUL byte or invalid escape. */
char *web_url_decode(struct web_req *r, const char *s, size_t n, int plus_space);

/* Query argument / form field lookups (NULL when missing). */
const char *web_arg(const struct web_req *r, const char *key);
const char *web_field(const struct web_req *r, const char *key);

/* Adds a response header (name and value copied into the arena). */
void web_header(struct web_req *r, const char *name, const char *value);
/* 303 See Other to a local path; returns 303. */
int web_redirect(struct web_req *r, const char *location);

/* Routes, authenticates and renders one request into r->status/out/headers. Error statuses
 * without a body get the error page. Used by the server and by tests with a real store. */
void web_dispatch(struct web_req *r);

/* Marks first-run setup done (after /setup created the admin). */
void web_setup_done(void);

/* Opens/creates the data directory, prepares the site secret and runs the server until
 * SIGTERM or SIGINT; then stops gracefully. Returns 0 or a FICD_E* code. */
int web_serve(const struct web_config *cfg);

#endif
