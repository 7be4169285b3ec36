/* router.h: a table of method + path patterns ("/works/:id/chapters/:cid") matched
 * segment by segment against the raw request path. */
#ifndef FICD_WEB_ROUTER_H
#define FICD_WEB_ROUTER_H

#include <stddef.h>

struct web_req;

/* Route flags. */
enum {
    ROUTE_NO_CSRF = 1 << 0, /* POST handler that checks no CSRF token (none in the table) */
    ROUTE_PUBLIC = 1 << 1,  /* served even before first-run setup (static, healthz, setup) */
};

struct route {
    const char *method; /* "GET" (also answers HEAD) or "POST" */
    const char *pattern;
    int (*handler)(struct web_req *r); /* returns the HTTP status */
    int flags;
};

/* Where a parameter sits in the path: raw (still percent-encoded) bytes. */
struct route_param {
    const char *s;
    size_t n;
};

struct route_match {
    const struct route *route; /* NULL when nothing matched */
    struct route_param params[4];
    size_t nparams;
    int path_matched; /* 1 when some route had this path but another method (405) */
    char allow[64];   /* the methods allowed for the path, for the Allow header */
};

/* Matches method and path (no query string) against n routes. A pattern segment ":x"
 * matches any non-empty segment; other segments match exactly; a trailing slash in the path
 * is ignored. */
void router_match(const struct route *table, size_t n, const char *method, const char *path,
                  struct route_match *m);

#endif
