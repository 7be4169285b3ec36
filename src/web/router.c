/* router.c: matches a method and a raw path against a table of route patterns. */
#include "web/router.h"

#include <stdio.h>
#include <string.h>

/* Next segment of path starting at *p (after skipping one '/'): sets s/n, advances *p.
 * Returns 0 at the end of the path. */
static int next_segment(const char **p, const char **s, size_t *n)
{
    const char *q = *p;
    if (*q == '/')
        q++;
    if (!*q)
        return 0;
    const char *e = strchr(q, '/');
    if (!e)
        e = q + strlen(q);
    *s = q;
    *n = (size_t)(e - q);
    *p = e;
    return 1;
}

/* Matches one pattern against the path; fills params on success. */
static int match_pattern(const char *pattern, const char *path, struct route_match *m)
{
    const char *pp = pattern, *sp = path;
    size_t np = 0;
    if (*path != '/')
        return 0;
    for (;;) {
        const char *ps, *ss;
        size_t pn, sn;
        int hp = next_segment(&pp, &ps, &pn);
        int hs = next_segment(&sp, &ss, &sn);
        if (hs && sn == 0)
            return 0; /* "//" in the path */
        if (!hp || !hs) {
            /* both ended; a single trailing slash in the path is allowed */
            m->nparams = np;
            return !hp && !hs && (*sp == 0 || (sp[0] == '/' && sp[1] == 0));
        }
        if (ps[0] == ':') {
            if (np >= sizeof(m->params) / sizeof(m->params[0]))
                return 0;
            m->params[np].s = ss;
            m->params[np].n = sn;
            np++;
        } else if (pn != sn || memcmp(ps, ss, sn) != 0) {
            return 0;
        }
    }
}

void router_match(const struct route *table, size_t n, const char *method, const char *path,
                  struct route_match *m)
{
    memset(m, 0, sizeof(*m));
    int is_head = !strcmp(method, "HEAD");
    size_t alen = 0;
    for (size_t i = 0; i < n; i++) {
        struct route_match tmp;
        memset(&tmp, 0, sizeof(tmp));
        if (!match_pattern(table[i].pattern, path, &tmp))
            continue;
        if (!strcmp(table[i].method, method) || (is_head && !strcmp(table[i].method, "GET"))) {
            if (!m->route) {
                memcpy(m->params, tmp.params, sizeof(m->params));
                m->nparams = tmp.nparams;
                m->route = &table[i];
            }
        } else {
            m->path_matched = 1;
        }
        const char *meth = table[i].method;
        if (!strstr(m->allow, meth) && alen + strlen(meth) + 8 < sizeof(m->allow)) {
            alen += (size_t)snprintf(m->allow + alen, sizeof(m->allow) - alen, "%s%s",
                                     alen ? ", " : "", meth);
            if (!strcmp(meth, "GET") && alen + 8 < sizeof(m->allow))
                alen += (size_t)snprintf(m->allow + alen, sizeof(m->allow) - alen, ", HEAD");
        }
    }
    if (m->route)
        m->path_matched = 0;
}
