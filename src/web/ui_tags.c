/* ui_tags.c: the works carrying a tag (/tags/NAME/works) and the tag autocomplete JSON. */
#include "core/html.h"
#include "web/page.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int blurb_cb(const struct work *w, void *ctx)
{
    page_work_blurb(ctx, w);
    return 0;
}

static int skip_cb(const struct work *w, void *ctx)
{
    (void)w;
    (void)ctx;
    return 0;
}

int ui_tag_works(struct web_req *r)
{
    char *name = r->params[0];
    page_tag_unsegment(name);
    int page = page_parse(web_arg(r, "page"));
    if (page < 0)
        return ui_error(r, 400, "The page number must be a whole number from 1 up.");
    struct tag t;
    memset(&t, 0, sizeof(t));
    int rc = store_tag_find(r->store, -1, name, &t);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, web_sprintf(r, "There is no tag named \"%s\".", name));
    if (rc)
        return ui_error(r, 500, "The tag could not be read.");
    struct buf *b = &r->out;
    struct store_work_query q = {0};
    q.tag = t.name;
    q.order = STORE_ORDER_UPDATED_DESC;
    q.offset = page_offset(page, WORKS_PER_PAGE);
    q.limit = WORKS_PER_PAGE;
    int64_t total = 0;
    /* count first so the heading can say how many */
    struct store_work_query cq = q;
    cq.limit = 1;
    cq.offset = 0;
    if (store_work_list(r->store, &cq, skip_cb, NULL, &total)) {
        tag_free(&t);
        return ui_error(r, 500, "The list of works could not be read.");
    }
    int npages = page_count(total, WORKS_PER_PAGE);
    if (page > npages) {
        tag_free(&t);
        return ui_error(r, 404, "There is no such page of works.");
    }
    page_begin(r, web_sprintf(r, "Works in %s", t.name));
    html_lit(b, "<h1 id=\"tag-heading\">");
    html_int(b, total);
    if (total == 1)
        html_lit(b, " Work in ");
    else
        html_lit(b, " Works in ");
    html_text(b, t.name);
    html_lit(b, "</h1>\n<p class=\"tag-type\">");
    html_text(b, tag_type_name(t.type));
    html_lit(b, " tag</p>\n<h2 class=\"landmark\">List of works</h2>\n<ol class=\"works index\" "
                "id=\"works\">\n");
    rc = store_work_list(r->store, &q, blurb_cb, r, NULL);
    html_lit(b, "</ol>\n");
    struct buf base = BUF_INIT;
    html_lit(&base, "/tags/");
    page_tag_segment(&base, t.name);
    html_lit(&base, "/works");
    page_pagination(r, buf_str(&base), page, npages);
    buf_free(&base);
    tag_free(&t);
    if (rc)
        return ui_error(r, 500, "The list of works could not be read.");
    page_end(r);
    return 200;
}

struct ac_ctx {
    json_t *arr;
};

static int ac_cb(const struct tag *t, void *ctx)
{
    struct ac_ctx *a = ctx;
    json_t *o = json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)t->id, "name", t->name, "type",
                          tag_type_name(t->type), "uses", (json_int_t)t->uses);
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
    if (term && *term && store_tag_list(r->store, tt, term, 10, ac_cb, &a)) {
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
