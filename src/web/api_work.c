/* api_work.c: one work in the JSON API: GET /api/v1/works/ID (its metadata, chapters and
 * "stats") and GET /api/v1/works/ID/comments (its visible comments in thread order). The
 * same visibility as the work page: drafts and hidden works only for their creators,
 * restricted works only for signed-in readers. Errors are {"error": "..."} (docs/api.md). */
#include "store/store.h"
#include "web/page.h"
#include "web/session.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static int reply(struct web_req *r, int status, json_t *j)
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

static int error(struct web_req *r, int status, const char *msg)
{
    return reply(r, status, json_pack("{s:s}", "error", msg));
}

/* Loads the work of route parameter 0 as the work page would show it; 0 or a status with
 * the JSON error already written. */
static int load(struct web_req *r, struct work *w)
{
    int64_t id = web_param_id(r, 0);
    int rc = id ? store_work_get(r->store, id, 0, w) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return error(r, 404, "There is no work with that id.");
    if (rc)
        return error(r, 500, "The work could not be read.");
    int editor = web_can_edit(r, w);
    int status = 0;
    if ((w->draft && !editor) || (w->hidden && !editor && !web_is_moderator(r)))
        status = error(r, 404, "There is no work with that id.");
    else if (w->restricted && r->user.id <= 0)
        status = error(r, 401, "This work is visible to logged-in users only.");
    if (status)
        work_free(w);
    return status;
}

static json_t *strlist_json(const struct strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

static json_t *bits_json(unsigned bits, int count, const char *(*name)(unsigned))
{
    json_t *a = json_array();
    for (int i = 0; a && i < count; i++)
        if (bits & (1u << i))
            json_array_append_new(a, json_string(name(1u << i)));
    return a;
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
    char ch[48];
    if (w.expected_chapters > 0)
        snprintf(ch, sizeof(ch), "%zu/%d", w.nchapters, w.expected_chapters);
    else
        snprintf(ch, sizeof(ch), "%zu/?", w.nchapters);
    json_t *chapters = json_array();
    for (size_t i = 0; chapters && i < w.nchapters; i++) {
        const struct chapter *c = &w.chapters[i];
        json_array_append_new(chapters, json_pack("{s:I,s:i,s:o,s:i}", "id", (json_int_t)c->id,
                                                  "position", c->position, "title",
                                                  text_or_null(c->title), "words", c->words));
    }
    json_t *stats =
        json_pack("{s:I,s:I,s:I,s:I,s:I}", "hits", (json_int_t)w.hits, "kudos", (json_int_t)w.kudos,
                  "comments", (json_int_t)w.comments, "bookmarks", (json_int_t)w.bookmarks,
                  "subscriptions", (json_int_t)w.subscriptions);
    json_t *j = json_object();
    if (j && stats && chapters) {
        json_object_set_new(j, "id", json_integer(w.id));
        json_object_set_new(j, "title", json_string(w.title ? w.title : ""));
        json_object_set_new(j, "creators", strlist_json(&w.creators));
        json_object_set_new(j, "rating", json_string(rating_name(w.rating)));
        json_object_set_new(j, "warnings", bits_json(w.warnings, WARN__COUNT, warning_name));
        json_object_set_new(j, "categories", bits_json(w.categories, CAT__COUNT, category_name));
        json_object_set_new(j, "fandoms", strlist_json(&w.fandoms));
        json_object_set_new(j, "relationships", strlist_json(&w.relationships));
        json_object_set_new(j, "characters", strlist_json(&w.characters));
        json_object_set_new(j, "freeforms", strlist_json(&w.freeforms));
        json_object_set_new(j, "words", json_integer(work_words(&w)));
        json_object_set_new(j, "chapters", json_string(ch));
        json_object_set_new(j, "chapter_list", chapters);
        json_object_set_new(j, "complete", json_boolean(work_is_complete(&w)));
        json_object_set_new(j, "language", text_or_null(w.language));
        json_object_set_new(j, "summary", text_or_null(w.summary));
        json_object_set_new(j, "notes", text_or_null(w.notes_begin));
        json_object_set_new(j, "end_notes", text_or_null(w.notes_end));
        json_object_set_new(j, "series", text_or_null(w.series));
        json_object_set_new(j, "restricted", json_boolean(w.restricted));
        json_object_set_new(j, "published", json_integer(w.published));
        json_object_set_new(j, "updated", json_integer(w.updated));
        json_object_set_new(j, "kudos", json_integer(w.kudos));
        json_object_set_new(j, "hits", json_integer(w.hits));
        json_object_set_new(j, "comments", json_integer(w.comments));
        json_object_set_new(j, "bookmarks", json_integer(w.bookmarks));
        json_object_set_new(j, "stats", stats);
    } else {
        json_decref(j);
        json_decref(stats);
        json_decref(chapters);
        j = NULL;
    }
    work_free(&w);
    return j ? reply(r, 200, j) : error(r, 500, "out of memory");
}

static int comment_json(const struct comment *c, void *ctx)
{
    if (c->deleted)
        return 0; /* placeholders are not comments; their replies keep their parent_id */
    json_t *a = ctx;
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
    int rc = a ? store_comment_list(r->store, &q, comment_json, a) : FICD_ENOMEM;
    work_free(&w);
    if (rc) {
        json_decref(a);
        return error(r, 500, "The comments could not be read.");
    }
    return reply(r, 200, a);
}
