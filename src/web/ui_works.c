/* ui_works.c: the works index, newest first, WORKS_PER_PAGE to a page (?page=N). */
#include "core/html.h"
#include "web/page.h"

static int blurb_cb(const struct work *w, void *ctx)
{
    page_work_blurb(ctx, w);
    return 0;
}

int ui_works_index(struct web_req *r)
{
    int page = page_parse(web_arg(r, "page"));
    if (page < 0)
        return ui_error(r, 400, "The page number must be a whole number from 1 up.");
    struct store_work_query q = {0};
    q.order = STORE_ORDER_UPDATED_DESC;
    q.offset = page_offset(page, WORKS_PER_PAGE);
    q.limit = WORKS_PER_PAGE;
    struct buf *b = &r->out;
    page_begin(r, page > 1 ? web_sprintf(r, "Works - Page %d", page) : "Works");
    size_t mark = b->len;
    html_lit(
        b, "<h2 class=\"landmark\">List of works</h2>\n<ol class=\"works index\" id=\"works\">\n");
    int64_t total = 0;
    if (store_work_list(r->store, &q, blurb_cb, r, &total))
        return ui_error(r, 500, "The list of works could not be read.");
    int npages = page_count(total, WORKS_PER_PAGE);
    if (page > npages)
        return ui_error(r, 404, "There is no such page of works.");
    html_lit(b, "</ol>\n");
    /* the heading goes before the list: render it and move the list after it */
    struct buf list = BUF_INIT;
    buf_put(&list, b->data + mark, b->len - mark);
    b->len = mark;
    html_lit(b, "<h1>Works</h1>\n<p class=\"count\" id=\"works-count\">");
    if (total == 0) {
        html_lit(b, "No works have been posted yet.");
    } else {
        int first = q.offset + 1;
        int64_t last = q.offset + WORKS_PER_PAGE < total ? q.offset + WORKS_PER_PAGE : total;
        html_int(b, first);
        html_lit(b, " - ");
        html_int(b, last);
        html_lit(b, " of ");
        html_int(b, total);
        html_lit(b, " Works");
    }
    html_lit(b, "</p>\n");
    buf_put(b, list.data, list.len);
    if (list.err)
        b->err = list.err;
    buf_free(&list);
    page_pagination(r, "/works", page, npages);
    page_end(r);
    return 200;
}
