/* ui_feeds.c: Atom 1.0 feeds (RFC 4287) written with libxml2's xmlTextWriter: new works of
 * a tag (its synonyms and sub tags included, through the search index), a creator's works and
 * a series' parts. Feeds never list drafts or restricted works; a signed-in reader's muted
 * creators and blocked tags are left out of what they read. */
#include "index/index.h"
#include "web/page.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FEED_ENTRIES 20

struct feed {
    struct web_req *r;
    xmlBufferPtr xb;
    xmlTextWriterPtr w;
    const char *base; /* "http://host" */
    int n;
};

static void rfc3339(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The absolute base of links: the Host the client asked for when it looks like a host name,
 * else the listening address. */
static const char *site_base(struct web_req *r)
{
    const char *h = r->host;
    int ok = h && *h && strlen(h) < 200;
    for (const char *p = h; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             strchr(".-:[]", *p);
    if (!ok)
        h = web_sprintf(r, "%s:%d", r->cfg ? r->cfg->listen_host : "localhost",
                        r->cfg ? r->cfg->port : 80);
    return web_sprintf(r, "%s://%s", r->tls ? "https" : "http", h);
}

static const xmlChar *X(const char *s)
{
    return (const xmlChar *)s;
}

static void el(struct feed *f, const char *name, const char *text)
{
    xmlTextWriterWriteElement(f->w, X(name), X(text ? text : ""));
}

static void link_el(struct feed *f, const char *rel, const char *href, const char *type)
{
    xmlTextWriterStartElement(f->w, X("link"));
    xmlTextWriterWriteAttribute(f->w, X("rel"), X(rel));
    if (type)
        xmlTextWriterWriteAttribute(f->w, X("type"), X(type));
    xmlTextWriterWriteAttribute(f->w, X("href"), X(href));
    xmlTextWriterEndElement(f->w);
}

/* Opens the feed document: id and self link from path, title, updated. */
static int feed_begin(struct feed *f, struct web_req *r, const char *path, const char *title,
                      const char *alternate, int64_t updated)
{
    memset(f, 0, sizeof(*f));
    f->r = r;
    f->base = site_base(r);
    f->xb = xmlBufferCreate();
    f->w = f->xb ? xmlNewTextWriterMemory(f->xb, 0) : NULL;
    if (!f->w)
        return -1;
    xmlTextWriterSetIndent(f->w, 1);
    xmlTextWriterStartDocument(f->w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElementNS(f->w, NULL, X("feed"), X("http://www.w3.org/2005/Atom"));
    const char *self = web_sprintf(r, "%s%s", f->base, path);
    el(f, "id", self);
    el(f, "title", web_sprintf(r, "%s - %s", title, r->archive_name));
    char ts[32];
    rfc3339(ts, updated);
    el(f, "updated", ts);
    link_el(f, "self", self, "application/atom+xml");
    link_el(f, "alternate", web_sprintf(r, "%s%s", f->base, alternate), "text/html");
    xmlTextWriterStartElement(f->w, X("author"));
    el(f, "name", r->archive_name);
    xmlTextWriterEndElement(f->w);
    xmlTextWriterStartElement(f->w, X("generator"));
    xmlTextWriterWriteString(f->w, X("ficd"));
    xmlTextWriterEndElement(f->w);
    return 0;
}

static void feed_entry(struct feed *f, const struct work *w)
{
    struct web_req *r = f->r;
    char ts[32];
    xmlTextWriterStartElement(f->w, X("entry"));
    const char *url = web_sprintf(r, "%s/works/%lld", f->base, (long long)w->id);
    el(f, "id", url);
    el(f, "title", w->title && *w->title ? w->title : "Untitled");
    rfc3339(ts, w->updated);
    el(f, "updated", ts);
    rfc3339(ts, w->published ? w->published : w->updated);
    el(f, "published", ts);
    for (size_t i = 0; i < w->creators.n; i++) {
        xmlTextWriterStartElement(f->w, X("author"));
        el(f, "name", w->creators.v[i]);
        xmlTextWriterEndElement(f->w);
    }
    if (!w->creators.n) {
        xmlTextWriterStartElement(f->w, X("author"));
        el(f, "name", "Anonymous");
        xmlTextWriterEndElement(f->w);
    }
    link_el(f, "alternate", url, "text/html");
    const struct strlist *ls[4] = {&w->fandoms, &w->relationships, &w->characters, &w->freeforms};
    for (int t = 0; t < 4; t++)
        for (size_t i = 0; i < ls[t]->n; i++) {
            xmlTextWriterStartElement(f->w, X("category"));
            xmlTextWriterWriteAttribute(f->w, X("term"), X(ls[t]->v[i]));
            xmlTextWriterEndElement(f->w);
        }
    struct buf s = BUF_INIT;
    buf_printf(&s, "Rating: %s. Words: %d. Chapters: %zu/", rating_name(w->rating), work_words(w),
               w->nchapters);
    if (w->expected_chapters)
        buf_printf(&s, "%d.", w->expected_chapters);
    else
        buf_puts(&s, "?.");
    if (w->summary && *w->summary) {
        buf_puts(&s, "\n\n");
        buf_puts(&s, w->summary);
    }
    xmlTextWriterStartElement(f->w, X("summary"));
    xmlTextWriterWriteAttribute(f->w, X("type"), X("text"));
    xmlTextWriterWriteString(f->w, X(buf_str(&s)));
    xmlTextWriterEndElement(f->w);
    buf_free(&s);
    xmlTextWriterEndElement(f->w);
}

static int feed_end(struct feed *f)
{
    struct web_req *r = f->r;
    xmlTextWriterEndElement(f->w);
    int rc = xmlTextWriterEndDocument(f->w);
    xmlFreeTextWriter(f->w);
    f->w = NULL;
    if (rc < 0 || !f->xb) {
        if (f->xb)
            xmlBufferFree(f->xb);
        return ui_error(r, 500, "The feed could not be written.");
    }
    buf_reset(&r->out);
    buf_put(&r->out, (const char *)xmlBufferContent(f->xb), (size_t)xmlBufferLength(f->xb));
    xmlBufferFree(f->xb);
    r->content_type = "application/atom+xml; charset=utf-8";
    r->personal = 1; /* the links name the host asked for; muting depends on the reader */
    return 200;
}

static void feed_abort(struct feed *f)
{
    if (f->w)
        xmlFreeTextWriter(f->w);
    if (f->xb)
        xmlBufferFree(f->xb);
    f->w = NULL;
    f->xb = NULL;
}

/* The works a feed lists, in the order given, without drafts, restricted works and what the
 * signed-in reader muted or blocked. */
struct collected {
    struct web_req *r;
    struct work *v;
    size_t n;
};

static int collect(const struct work *w, void *ctx)
{
    struct collected *c = ctx;
    if (c->n >= FEED_ENTRIES || w->draft || w->restricted || w->hidden ||
        web_work_hidden(c->r, w->id))
        return 0;
    if (work_copy(&c->v[c->n], w) == 0)
        c->n++;
    return 0;
}

/* Writes the feed of the works ids[0..n) (at most FEED_ENTRIES listed); updated is the
 * newest entry's time. */
static int write_feed(struct web_req *r, const char *path, const char *title, const char *alternate,
                      const int64_t *ids, size_t n)
{
    struct collected c = {r, web_alloc(r, (FEED_ENTRIES + 1) * sizeof(struct work)), 0};
    if (n && store_work_get_many(r->store, ids, n, 0, collect, &c)) {
        for (size_t i = 0; i < c.n; i++)
            work_free(&c.v[i]);
        return ui_error(r, 500, "The feed could not be read.");
    }
    int64_t updated = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.v[i].updated > updated)
            updated = c.v[i].updated;
    if (!updated)
        updated = (int64_t)time(NULL);
    struct feed f;
    int st = 0;
    if (feed_begin(&f, r, path, title, alternate, updated)) {
        feed_abort(&f);
        st = ui_error(r, 500, "The feed could not be written.");
    }
    for (size_t i = 0; i < c.n; i++) {
        if (!st)
            feed_entry(&f, &c.v[i]);
        work_free(&c.v[i]);
    }
    return st ? st : feed_end(&f);
}

int ui_feed_tag(struct web_req *r)
{
    char *name = web_strdup(r, r->params[0]);
    page_tag_unsegment(name);
    struct idx *idx = r->site ? r->site->idx : NULL;
    if (!idx)
        return ui_error(r, 503, "Search is not available on this server.");
    if (idx_poll(idx, r->store, 200) < 0)
        fprintf(stderr, "ficd: the search index could not follow the change log\n");
    const char *tags[1] = {name};
    /* new works first; restricted works never (include_restricted stays 0) */
    struct idx_query q = {.tags = tags,
                          .ntags = 1,
                          .sort = IDX_SORT_POSTED,
                          .per_page = FEED_ENTRIES,
                          .facet_limit = -1};
    web_reader_filters(r, &q);
    struct idx_result res;
    if (idx_search(idx, &q, &res)) {
        idx_result_free(&res);
        return ui_error(r, 500, "The feed could not be read.");
    }
    int64_t *ids = web_alloc(r, (res.nhits + 1) * sizeof(*ids));
    for (size_t i = 0; i < res.nhits; i++)
        ids[i] = res.hits[i].id;
    size_t n = res.nhits;
    idx_result_free(&res);
    struct buf seg = BUF_INIT;
    page_tag_segment(&seg, name);
    const char *segs = web_strdup(r, buf_str(&seg));
    buf_free(&seg);
    return write_feed(r, web_sprintf(r, "/tags/%s/feed.atom", segs), name,
                      web_sprintf(r, "/tags/%s/works", segs), ids, n);
}

struct idlist {
    struct web_req *r;
    int64_t v[FEED_ENTRIES * 4];
    size_t n;
};

static int id_cb(const struct work *w, void *ctx)
{
    struct idlist *l = ctx;
    if (l->n < sizeof(l->v) / sizeof(l->v[0]))
        l->v[l->n++] = w->id;
    return 0;
}

int ui_feed_user_works(struct web_req *r)
{
    struct user u;
    int rc = web_load_user(r, 0, &u);
    if (rc)
        return rc;
    struct idlist *l = web_alloc(r, sizeof(*l));
    l->r = r;
    l->n = 0;
    struct store_work_query q = {0};
    q.user_id = u.id;
    q.order = STORE_ORDER_UPDATED_DESC;
    q.limit = FEED_ENTRIES * 4; /* restricted ones are skipped when writing */
    int muted = web_user_muted(r, u.id);
    if (!muted && store_work_list(r->store, &q, id_cb, l, NULL)) {
        user_free(&u);
        return ui_error(r, 500, "The feed could not be read.");
    }
    const char *path = page_user_path(r, u.name, "");
    const char *title = web_sprintf(r, "Works by %s", u.name);
    user_free(&u);
    return write_feed(r, web_sprintf(r, "%s/works.atom", path), title,
                      web_sprintf(r, "%s/works", path), l->v, l->n);
}

int ui_feed_series(struct web_req *r)
{
    struct series se;
    int64_t *ids = NULL;
    int *pos = NULL;
    size_t n = 0;
    int rc = web_load_series(r, &se, &ids, &pos, &n);
    if (rc)
        return rc;
    int64_t id = web_param_id(r, 0);
    /* newest parts first */
    for (size_t i = 0; i < n / 2; i++) {
        int64_t t = ids[i];
        ids[i] = ids[n - 1 - i];
        ids[n - 1 - i] = t;
    }
    int st = write_feed(r, web_sprintf(r, "/series/%lld/feed.atom", (long long)id), se.title,
                        web_sprintf(r, "/series/%lld", (long long)id), ids, n);
    free(ids);
    free(pos);
    series_free(&se);
    return st;
}

/* ---- the private inbox feed ---- */

struct inbox_feed {
    struct feed *f;
    const char *fallback; /* where an item without a link points */
};

static int inbox_entry(const struct inbox_item *it, void *ctx)
{
    struct inbox_feed *x = ctx;
    struct feed *f = x->f;
    struct web_req *r = f->r;
    char ts[32];
    xmlTextWriterStartElement(f->w, X("entry"));
    el(f, "id", web_sprintf(r, "%s/inbox/%lld", f->base, (long long)it->id));
    el(f, "title", it->text && *it->text ? it->text : inbox_kind_label(it->kind));
    rfc3339(ts, it->created);
    el(f, "updated", ts);
    xmlTextWriterStartElement(f->w, X("author"));
    el(f, "name", r->archive_name);
    xmlTextWriterEndElement(f->w);
    const char *url = it->url && it->url[0] == '/' ? it->url : x->fallback;
    link_el(f, "alternate", web_sprintf(r, "%s%s", f->base, url), "text/html");
    xmlTextWriterStartElement(f->w, X("category"));
    xmlTextWriterWriteAttribute(f->w, X("term"), X(inbox_kind_label(it->kind)));
    xmlTextWriterEndElement(f->w);
    xmlTextWriterEndElement(f->w);
    return 0;
}

static int newest_cb(const struct inbox_item *it, void *ctx)
{
    *(int64_t *)ctx = it->created;
    return 1;
}

int ui_feed_inbox(struct web_req *r)
{
    r->personal = 1;
    struct user u;
    int rc = web_load_user(r, 0, &u);
    if (rc)
        return rc;
    int64_t owner = 0;
    const char *tok = web_arg(r, "token");
    if (store_feed_token_user(r->store, tok, &owner)) {
        user_free(&u);
        return ui_error(r, 500, "The feed could not be read.");
    }
    if (!tok || !*tok || owner != u.id) {
        user_free(&u);
        return ui_error(r, 403, "This feed needs its private token (see your settings).");
    }
    const char *path = page_user_path(r, u.name, "");
    const char *title = web_sprintf(r, "Inbox of %s", u.name);
    int64_t uid = u.id;
    user_free(&u);
    int64_t updated = 0;
    if (store_inbox_list(r->store, uid, 0, 0, 0, 1, newest_cb, &updated, NULL))
        return ui_error(r, 500, "The feed could not be read.");
    struct feed f;
    /* the self link leaves the token out: it is a secret, not an identifier */
    if (feed_begin(&f, r, web_sprintf(r, "%s/inbox.atom", path), title, path,
                   updated ? updated : (int64_t)time(NULL))) {
        feed_abort(&f);
        return ui_error(r, 500, "The feed could not be written.");
    }
    struct inbox_feed x = {&f, path};
    if (store_inbox_list(r->store, uid, 0, 0, 0, 50, inbox_entry, &x, NULL)) {
        feed_abort(&f);
        return ui_error(r, 500, "The feed could not be read.");
    }
    return feed_end(&f);
}
