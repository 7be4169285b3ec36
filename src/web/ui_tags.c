/* ui_tags.c: the works carrying a tag (/tags/NAME/works: the filterable works listing with
 * the tag as an include filter) and the tag autocomplete JSON. */
#include "core/html.h"
#include "web/page.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int ui_tag_works(struct web_req *r)
{
    char *name = r->params[0];
    page_tag_unsegment(name);
    struct tag t;
    memset(&t, 0, sizeof(t));
    int rc = store_tag_find(r->store, -1, name, &t);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, web_sprintf(r, "There is no tag named \"%s\".", name));
    if (rc)
        return ui_error(r, 500, "The tag could not be read.");
    /* the listing filters by the tag through the index, which resolves synonyms */
    const char *tag = web_strdup(r, t.name);
    tag_free(&t);
    struct buf base = BUF_INIT;
    html_lit(&base, "/tags/");
    page_tag_segment(&base, tag);
    html_lit(&base, "/works");
    const char *b = base.err ? NULL : web_strdup(r, buf_str(&base));
    buf_free(&base);
    if (!b)
        return ui_error(r, 500, NULL);
    return ui_search_works(r, b, tag);
}

struct ac_ctx {
    json_t *arr;
};

/* One suggestion: the tag to use (a synonym's canonical), and the name typed when that was
 * a synonym. */
static int ac_cb(const struct tag *t, const char *matched, void *ctx)
{
    struct ac_ctx *a = ctx;
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:I,s:b}", "id", (json_int_t)t->id, "name", t->name, "type",
                  tag_type_name(t->type), "uses", (json_int_t)t->uses, "canonical", t->canonical);
    if (o && strcmp(matched, t->name) && json_object_set_new(o, "synonym", json_string(matched))) {
        json_decref(o);
        return 1;
    }
    if (!o || json_array_append_new(a->arr, o))
        return 1;
    return 0;
}

int ui_tag_autocomplete(struct web_req *r)
{
    const char *type = web_arg(r, "type");
    const char *term = web_arg(r, "term");
    int tt = -1;
    if (type && *type && (tt = tag_type_from_name(type)) < 0)
        return ui_error(r, 400, "Unknown tag type.");
    struct ac_ctx a = {json_array()};
    if (!a.arr)
        return 500;
    if (term && *term && store_tag_suggest(r->store, tt, term, 10, ac_cb, &a)) {
        json_decref(a.arr);
        return ui_error(r, 500, "The tags could not be read.");
    }
    char *s = json_dumps(a.arr, JSON_COMPACT);
    json_decref(a.arr);
    if (!s)
        return 500;
    r->content_type = "application/json; charset=utf-8";
    buf_puts(&r->out, s); /* JSON from the escaping serializer, not HTML */
    free(s);
    return 200;
}
