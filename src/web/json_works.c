/* json_works.c: works and search results as JSON, shared by GET /api/v1/works (web/api.c)
 * and the CLI (`ficd search --format json`, cli/json.c): total, page, the works with their
 * metadata, and exact facets; and the API's JSON responses (web_json_reply). */
#include "web/json_works.h"
#include "core/work.h"
#include "index/index.h"
#include "store/store.h"
#include "web/server.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

json_t *works_json_strlist(const struct strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

json_t *works_json_bits(unsigned bits, int count, const char *(*name)(unsigned))
{
    json_t *a = json_array();
    for (int i = 0; a && i < count; i++)
        if (bits & (1u << i))
            json_array_append_new(a, json_string(name(1u << i)));
    return a;
}

json_t *works_json_work(const struct work *w)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    char ch[48];
    if (w->expected_chapters > 0)
        snprintf(ch, sizeof(ch), "%zu/%d", w->nchapters, w->expected_chapters);
    else
        snprintf(ch, sizeof(ch), "%zu/?", w->nchapters);
    json_object_set_new(j, "id", json_integer(w->id));
    json_object_set_new(j, "title", json_string(w->title ? w->title : ""));
    json_object_set_new(j, "creators", works_json_strlist(&w->creators));
    json_object_set_new(j, "rating", json_string(rating_name(w->rating)));
    json_object_set_new(j, "warnings", works_json_bits(w->warnings, WARN__COUNT, warning_name));
    json_object_set_new(j, "categories", works_json_bits(w->categories, CAT__COUNT, category_name));
    json_object_set_new(j, "fandoms", works_json_strlist(&w->fandoms));
    json_object_set_new(j, "relationships", works_json_strlist(&w->relationships));
    json_object_set_new(j, "characters", works_json_strlist(&w->characters));
    json_object_set_new(j, "freeforms", works_json_strlist(&w->freeforms));
    json_object_set_new(j, "words", json_integer(work_words(w)));
    json_object_set_new(j, "chapters", json_string(ch));
    json_object_set_new(j, "complete", json_boolean(work_is_complete(w)));
    json_object_set_new(j, "language", w->language ? json_string(w->language) : json_null());
    json_object_set_new(j, "summary", w->summary ? json_string(w->summary) : json_null());
    json_object_set_new(j, "published", json_integer(w->published));
    json_object_set_new(j, "updated", json_integer(w->updated));
    json_object_set_new(j, "kudos", json_integer(w->kudos));
    json_object_set_new(j, "hits", json_integer(w->hits));
    json_object_set_new(j, "comments", json_integer(w->comments));
    json_object_set_new(j, "bookmarks", json_integer(w->bookmarks));
    /* the counters again, with subscriptions, as GET /api/v1/works/ID gives them */
    json_object_set_new(j, "stats",
                        json_pack("{s:I,s:I,s:I,s:I,s:I}", "hits", (json_int_t)w->hits, "kudos",
                                  (json_int_t)w->kudos, "comments", (json_int_t)w->comments,
                                  "bookmarks", (json_int_t)w->bookmarks, "subscriptions",
                                  (json_int_t)w->subscriptions));
    return j;
}

/* Collects the page's works as store_work_get_many delivers them, each at its hit's place. */
struct page_fill {
    const struct idx_result *r;
    json_t **objs;
    struct store *s;
};

json_t *works_json_series(struct store *s, const struct work *w)
{
    json_t *a = json_array();
    int64_t sid = w->series_id;
    int pos = w->series_position;
    /* a work read by the store knows its series; one built elsewhere is looked up */
    if (!sid && s && w->series && store_series_of_work(s, w->id, &sid, &pos) != 0)
        sid = 0;
    if (a && w->series && sid)
        json_array_append_new(a, json_pack("{s:I,s:s,s:i}", "id", (json_int_t)sid, "title",
                                           w->series, "position", pos));
    return a;
}

static int fill_cb(const struct work *w, void *ctx)
{
    struct page_fill *pf = ctx;
    for (size_t i = 0; i < pf->r->nhits; i++)
        if (pf->r->hits[i].id == w->id && !pf->objs[i]) {
            pf->objs[i] = works_json_work(w);
            if (pf->objs[i])
                json_object_set_new(pf->objs[i], "series", works_json_series(pf->s, w));
            break;
        }
    return 0;
}

json_t *works_json_result(const struct idx_result *r, struct store *s)
{
    json_t *j = json_object(), *works = json_array(), *facets = json_object();
    if (!j || !works || !facets) {
        json_decref(j);
        json_decref(works);
        json_decref(facets);
        return NULL;
    }
    json_object_set_new(j, "total", json_integer((json_int_t)r->total));
    json_object_set_new(j, "page", json_integer(r->page));
    json_object_set_new(j, "per_page", json_integer(r->per_page));
    /* the page's works in one batch of queries (not a round of queries per work) */
    json_t **objs = r->nhits ? calloc(r->nhits, sizeof(*objs)) : NULL;
    int64_t *ids = r->nhits ? malloc(r->nhits * sizeof(*ids)) : NULL;
    if (r->nhits && (!objs || !ids)) {
        free(objs);
        free(ids);
        json_decref(j);
        json_decref(works);
        json_decref(facets);
        return NULL;
    }
    for (size_t i = 0; i < r->nhits; i++)
        ids[i] = r->hits[i].id;
    struct page_fill pf = {r, objs, s};
    if (s && r->nhits && store_work_get_many(s, ids, r->nhits, 0, fill_cb, &pf))
        for (size_t i = 0; i < r->nhits; i++) { /* partial answers are not trusted */
            json_decref(objs[i]);
            objs[i] = NULL;
        }
    free(ids);
    for (size_t i = 0; i < r->nhits; i++) {
        const struct idx_hit *h = &r->hits[i];
        json_t *o = objs[i];
        if (!o) {
            o = json_object();
            json_object_set_new(o, "id", json_integer(h->id));
            json_object_set_new(o, "title", json_string(h->title ? h->title : ""));
        }
        if (h->snippet)
            json_object_set_new(o, "snippet", json_string(h->snippet));
        json_array_append_new(works, o);
    }
    free(objs);
    json_object_set_new(j, "works", works);
    for (int g = 0; g < IDX_FACET__COUNT; g++) {
        json_t *f = json_object();
        for (size_t i = 0; f && i < r->facets[g].n; i++)
            json_object_set_new(f, r->facets[g].v[i].name,
                                json_integer((json_int_t)r->facets[g].v[i].count));
        json_object_set_new(facets, idx_facet_group_name((enum idx_facet_group)g), f);
    }
    json_object_set_new(j, "facets", facets);
    return j;
}

int web_json_reply(struct web_req *r, int status, json_t *j)
{
    r->content_type = "application/json; charset=utf-8";
    buf_reset(&r->out);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s) {
        buf_puts(&r->out, "{\"error\":\"out of memory\"}\n");
        return 500;
    }
    buf_puts(&r->out, s);
    buf_putc(&r->out, '\n');
    free(s);
    return status;
}

int web_json_error(struct web_req *r, int status, const char *msg)
{
    return web_json_reply(r, status, json_pack("{s:s}", "error", msg));
}
