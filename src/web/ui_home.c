/* ui_home.c: the front page (the most recently updated works) and /healthz. */
#include "core/html.h"
#include "index/index.h"
#include "web/cache.h"
#include "web/page.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>

/* A signed-in reader's front page comes from the index, so that their muted creators and
 * blocked tags are left out of the list and the count (readers' tools). 1 when done. */
static int recent_for_reader(struct web_req *r, int64_t *total)
{
    struct idx *idx = r->site ? r->site->idx : NULL;
    if (r->user.id <= 0 || !idx)
        return 0;
    struct idx_query q = {
        .sort = IDX_SORT_UPDATED, .per_page = 10, .include_restricted = 1, .facet_limit = -1};
    web_reader_filters(r, &q);
    if (!q.nmute_creators && !q.nblock_tags)
        return 0; /* nothing to leave out: the usual list */
    struct idx_result res;
    if (idx_poll(idx, r->store, 200) < 0 || idx_search(idx, &q, &res)) {
        idx_result_free(&res);
        return 0;
    }
    int64_t *ids = web_alloc(r, (res.nhits + 1) * sizeof(*ids));
    for (size_t i = 0; i < res.nhits; i++)
        ids[i] = res.hits[i].id;
    size_t n = res.nhits;
    *total = (int64_t)res.total;
    idx_result_free(&res);
    if (n && store_work_get_many(r->store, ids, n, 0, page_work_blurb_cb, r))
        return -1;
    return 1;
}

int ui_home(struct web_req *r)
{
    struct buf *b = &r->out;
    struct store_work_query q = {0};
    q.order = STORE_ORDER_UPDATED_DESC;
    q.limit = 10;
    page_begin(r, NULL);
    html_lit(b, "<h1>");
    html_text(b, r->archive_name);
    html_lit(b, "</h1>\n<section aria-labelledby=\"recent-heading\">\n"
                "<h2 id=\"recent-heading\">Recently updated works</h2>\n"
                "<ol class=\"works index\" id=\"recent-works\">\n");
    int64_t total = 0;
    int done = recent_for_reader(r, &total);
    if (done < 0 || (!done && store_work_list(r->store, &q, page_work_blurb_cb, r, &total)))
        return ui_error(r, 500, "The list of works could not be read.");
    html_lit(b, "</ol>\n");
    if (total == 0)
        html_lit(b, "<p>No works have been posted yet.</p>\n");
    else {
        html_lit(b, "<p><a href=\"/works\">All ");
        html_int(b, total);
        if (total == 1)
            html_lit(b, " work");
        else
            html_lit(b, " works");
        html_lit(b, "</a></p>\n");
    }
    html_lit(b, "</section>\n");
    page_end(r);
    return 200;
}

int ui_healthz(struct web_req *r)
{
    int64_t n = 0, seq = 0;
    r->personal = 1; /* it checks the database each time: never from the page cache */
    r->content_type = "text/plain; charset=utf-8";
    buf_reset(&r->out);
    /* everyone learns that it answers and the schema version; admins also get the figures */
    int admin = web_is_admin(r);
    if (store_last_change(r->store, &seq) || (admin && store_work_count(r->store, 1, &n))) {
        html_lit(&r->out, "database error\n");
        return 503;
    }
    buf_printf(&r->out, "ok\nschema %d\n", store_schema_version(r->store));
    if (!admin)
        return 200;
    struct page_cache_stats st;
    page_cache_get_stats(&st);
    buf_printf(&r->out,
               "works %lld\nchange_seq %lld\npage_cache_hits %llu\npage_cache_misses %llu\n"
               "page_cache_entries %zu\npage_cache_bytes %zu\n",
               (long long)n, (long long)seq, (unsigned long long)st.hits,
               (unsigned long long)st.misses, st.entries, st.bytes);
    return 200;
}
