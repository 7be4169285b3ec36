/* api.c: the JSON API's search (GET /api/v1/works): the parameters of the works index,
 * answered with works_json_result()'s shape plus a "next" link; errors as {"error": "..."}
 * (docs/api.md). */
#include "index/index.h"
#include "web/json_works.h"
#include "web/page.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The address of the next page: this request's query with page replaced. */
static json_t *next_link(struct web_req *r, int page)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "/api/v1/works?");
    for (size_t i = 0; i < r->args.n; i++) {
        const struct web_kv *kv = &r->args.v[i];
        if (!strcmp(kv->key, "page") || !*kv->value)
            continue;
        html_url_arg(&b, kv->key);
        buf_putc(&b, '=');
        html_url_arg(&b, kv->value);
        buf_putc(&b, '&');
    }
    buf_printf(&b, "page=%d", page);
    json_t *j = b.err ? NULL : json_string(buf_str(&b));
    buf_free(&b);
    return j;
}

int api_works(struct web_req *r)
{
    struct idx_result res;
    int status = web_search(r, NULL, &res);
    if (status != 200) {
        int st = web_json_error(r, status, res.err[0] ? res.err : "The search failed.");
        idx_result_free(&res);
        return st;
    }
    json_t *j = works_json_result(&res, r->store);
    int more = (uint64_t)res.page * (uint64_t)res.per_page < res.total;
    json_t *next = more ? next_link(r, res.page + 1) : json_null();
    idx_result_free(&res);
    if (!j || !next || json_object_set_new(j, "next", next)) {
        json_decref(j);
        return web_json_error(r, 500, "out of memory");
    }
    return web_json_reply(r, 200, j);
}
