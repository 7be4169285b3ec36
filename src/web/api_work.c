/* api_work.c: one work in the JSON API: GET /api/v1/works/ID (its metadata, chapters and
 * "stats") and GET /api/v1/works/ID/comments (its visible comments in thread order). The
 * same visibility as the work page: drafts and hidden works only for their creators,
 * restricted works only for signed-in readers. Errors are {"error": "..."} (docs/api.md). */
#include "store/store.h"
#include "web/json_works.h"
#include "web/page.h"
#include "web/session.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* Loads the work of route parameter 0 as the work page would show it; 0 or a status with
 * the JSON error already written. */
static int load(struct web_req *r, struct work *w)
{
    int64_t id = web_param_id(r, 0);
    int rc = id ? store_work_get(r->store, id, 0, w) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return web_json_error(r, 404, "There is no work with that id.");
    if (rc)
        return web_json_error(r, 500, "The work could not be read.");
    int editor = web_can_edit(r, w);
    int status = 0;
    if ((w->draft && !editor) || (w->hidden && !editor && !web_is_moderator(r)))
        status = web_json_error(r, 404, "There is no work with that id.");
    else if (w->restricted && r->user.id <= 0)
        status = web_json_error(r, 401, "This work is visible to logged-in users only.");
    if (status)
        work_free(w);
    return status;
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int api_work_show(struct web_req *r)
{
    struct work w;
    int status = load(r, &w);
    if (status)
        return status;
    json_t *chapters = json_array();
    for (size_t i = 0; chapters && i < w.nchapters; i++) {
        const struct chapter *c = &w.chapters[i];
        json_array_append_new(chapters, json_pack("{s:I,s:i,s:o,s:i}", "id", (json_int_t)c->id,
                                                  "position", c->position, "title",
                                                  text_or_null(c->title), "words", c->words));
    }
    /* the listing's keys (web/json_works.c, "stats" included), and what a work page adds */
    json_t *j = works_json_work(&w);
    if (j && chapters) {
        json_object_set_new(j, "chapter_list", chapters);
        json_object_set_new(j, "notes", text_or_null(w.notes_begin));
        json_object_set_new(j, "end_notes", text_or_null(w.notes_end));
        json_object_set_new(j, "series", works_json_series(r->store, &w));
        json_object_set_new(j, "restricted", json_boolean(w.restricted));
    } else {
        json_decref(j);
        json_decref(chapters);
        j = NULL;
    }
    work_free(&w);
    return j ? web_json_reply(r, 200, j) : web_json_error(r, 500, "out of memory");
}

struct comments_out {
    struct web_req *r;
    json_t *a;
};

static int comment_json(const struct comment *c, void *ctx)
{
    struct comments_out *co = ctx;
    if (c->deleted)
        return 0; /* placeholders are not comments; their replies keep their parent_id */
    if (c->user_id > 0 && web_user_muted(co->r, c->user_id))
        return 0; /* readers' muting: nor are comments by someone the caller muted */
    json_t *a = co->a;
    json_t *o = json_object();
    if (!o)
        return 1;
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "parent_id", c->parent_id ? json_integer(c->parent_id) : json_null());
    json_object_set_new(o, "chapter_id", c->chapter_id ? json_integer(c->chapter_id) : json_null());
    json_object_set_new(o, "author", json_string(c->name));
    json_object_set_new(o, "guest", json_boolean(c->user_id <= 0));
    json_object_set_new(o, "html", json_string(c->html));
    json_object_set_new(o, "created", json_integer(c->created));
    json_object_set_new(o, "edited", c->edited ? json_integer(c->edited) : json_null());
    json_object_set_new(o, "depth", json_integer(c->depth));
    return json_array_append_new(a, o) ? 1 : 0;
}

int api_work_comments(struct web_req *r)
{
    struct work w;
    int status = load(r, &w);
    if (status)
        return status;
    json_t *a = json_array();
    struct comment_query q = {.work_id = w.id};
    struct comments_out co = {r, a};
    int rc = a ? store_comment_list(r->store, &q, comment_json, &co) : FICD_ENOMEM;
    work_free(&w);
    if (rc) {
        json_decref(a);
        return web_json_error(r, 500, "The comments could not be read.");
    }
    return web_json_reply(r, 200, a);
}
