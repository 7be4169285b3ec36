/* ui_search.c: the works index with AO3's filter sidebar (/works, /tags/NAME/works): runs
 * the search the query string asks for through the shared index and renders the hits with
 * their snippets, pagination that keeps the filters, and a GET form whose checkboxes carry
 * the result's exact facet counts. The parameters are parsed by index/params.h. */
#include "core/html.h"
#include "index/index.h"
#include "index/params.h"
#include "web/page.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_PER_PAGE_WEB 100
#define POLL_MS          200

int web_search(struct web_req *r, const char *tag, struct idx_result *res)
{
    memset(res, 0, sizeof(*res));
    struct idx *idx = r->site ? r->site->idx : NULL;
    if (!idx) {
        snprintf(res->err, sizeof(res->err), "Search is not available on this server.");
        return 503;
    }
    struct idx_param *p = web_alloc(r, (r->args.n + 1) * sizeof(*p));
    for (size_t i = 0; i < r->args.n; i++) {
        p[i].key = r->args.v[i].key;
        p[i].value = r->args.v[i].value;
    }
    struct idx_qparams qp;
    int rc = idx_query_from_params(p, r->args.n, &qp);
    if (!rc && tag) {
        if (qp.q.ntags == IDX_PARAM_MAX_LIST) {
            snprintf(qp.err, sizeof(qp.err), "too many tag values (at most %d)",
                     IDX_PARAM_MAX_LIST);
            rc = FICD_EINVAL;
        } else {
            qp.tags[qp.q.ntags++] = tag; /* the tag page's own tag: not split at commas */
        }
    }
    if (!rc && qp.q.per_page > MAX_PER_PAGE_WEB) {
        snprintf(qp.err, sizeof(qp.err), "per_page must be at most %d", MAX_PER_PAGE_WEB);
        rc = FICD_EINVAL;
    }
    if (rc) {
        snprintf(res->err, sizeof(res->err), "%s", rc == FICD_EINVAL ? qp.err : ficd_strerror(rc));
        idx_qparams_free(&qp);
        return rc == FICD_EINVAL ? 400 : 500;
    }
    qp.q.include_restricted = r->user.id > 0;
    web_reader_filters(r, &qp.q); /* muted creators and blocked tags, before counting */
    /* writes by other processes (a CLI import) become visible within POLL_MS */
    int prc = idx_poll(idx, r->store, POLL_MS);
    if (prc < 0)
        fprintf(stderr, "ficd: the search index could not follow the change log: %s\n",
                prc == FICD_EDB || prc == FICD_EIO ? store_errmsg(r->store) : ficd_strerror(prc));
    rc = idx_search(idx, &qp.q, res);
    idx_qparams_free(&qp);
    if (rc == FICD_ESYNTAX || rc == FICD_EINVAL)
        return 400;
    if (rc == FICD_EBUSY) { /* full text still being built after a restart: res->err says so */
        web_header(r, "Retry-After", web_sprintf(r, "%d", idx_fulltext_wait(idx)));
        return 503;
    }
    if (rc) {
        snprintf(res->err, sizeof(res->err), "%s", ficd_strerror(rc));
        return 500;
    }
    if (idx_result_snippets(res, r->store)) {
        snprintf(res->err, sizeof(res->err), "The snippets could not be read.");
        return 500;
    }
    return 200;
}

/* ---- reading what was asked ---- */

/* One parameter alone through the shared parser (for the state of selects and radios);
 * 0 when it parses. */
static int parse_one(const char *key, const char *value, struct idx_query *q)
{
    struct idx_param p = {key, value};
    struct idx_qparams qp;
    int rc = idx_query_from_params(&p, 1, &qp);
    *q = qp.q;
    idx_qparams_free(&qp);
    q->tags = q->exclude_tags = q->fandoms = NULL;
    return rc;
}

/* The names given for a tag-list key (split at commas like the parser does), each with a
 * flag set once a checkbox shows it. */
struct names {
    const char *v[IDX_PARAM_MAX_LIST];
    int shown[IDX_PARAM_MAX_LIST];
    size_t n;
};

static void names_collect(struct web_req *r, const char *key, struct names *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < r->args.n; i++) {
        if (strcmp(r->args.v[i].key, key))
            continue;
        const char *p = r->args.v[i].value;
        while (*p && out->n < IDX_PARAM_MAX_LIST) {
            size_t len = strcspn(p, ",");
            const char *s = p, *e = p + len;
            p = *e ? e + 1 : e;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (s < e)
                out->v[out->n++] = web_strndup(r, s, (size_t)(e - s));
        }
    }
}

/* Marks and reports whether name is among the given names. */
static int names_take(struct names *l, const char *name)
{
    int found = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!strcasecmp(l->v[i], name)) {
            l->shown[i] = 1;
            found = 1;
        }
    return found;
}

/* The names no checkbox showed, joined by ", " (for the "other tags" text field). */
static const char *names_rest(struct web_req *r, const struct names *l)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < l->n; i++) {
        if (l->shown[i])
            continue;
        if (b.len)
            buf_puts(&b, ", ");
        buf_puts(&b, l->v[i]);
    }
    const char *s = web_strdup(r, buf_str(&b));
    buf_free(&b);
    return s;
}

static int arg_matches(struct web_req *r, const char *key, int (*same)(const char *, unsigned),
                       unsigned what)
{
    for (size_t i = 0; i < r->args.n; i++)
        if (!strcmp(r->args.v[i].key, key) && same(r->args.v[i].value, what))
            return 1;
    return 0;
}

static int same_rating(const char *v, unsigned rating)
{
    return rating_parse(v) == (int)rating;
}

static int same_warning(const char *v, unsigned bit)
{
    return warning_parse(v) == bit;
}

static int same_category(const char *v, unsigned bit)
{
    return category_parse(v) == bit;
}

/* 1 when the request has a filter or a query (any non-empty argument but page and sort). */
static int has_filters(const struct web_req *r)
{
    for (size_t i = 0; i < r->args.n; i++) {
        const struct web_kv *kv = &r->args.v[i];
        if (*kv->value && strcmp(kv->key, "page") && strcmp(kv->key, "sort") &&
            strcmp(kv->key, "dir"))
            return 1;
    }
    return 0;
}

/* ---- the sidebar ---- */

static uint64_t facet_count(const struct idx_result *res, enum idx_facet_group g, const char *name,
                            int *known)
{
    const struct idx_facets *f = &res->facets[g];
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->v[i].name, name)) {
            *known = 1;
            return f->v[i].count;
        }
    *known = 0;
    return 0;
}

/* <li><input type=checkbox name=NAME value=VALUE id=ID><label for=ID>LABEL (COUNT)</label></li> */
static void checkbox(struct web_req *r, const char *name, const char *value, const char *id,
                     const char *label, int checked, int has_count, uint64_t count)
{
    struct buf *b = &r->out;
    html_lit(b, "<li><input type=\"checkbox\" name=\"");
    html_attr(b, name);
    html_lit(b, "\" value=\"");
    html_attr(b, value);
    html_lit(b, "\" id=\"");
    html_attr(b, id);
    html_lit(b, "\"");
    if (checked)
        html_lit(b, " checked");
    html_lit(b, "> <label for=\"");
    html_attr(b, id);
    html_lit(b, "\">");
    html_text(b, label);
    if (has_count) {
        html_lit(b, " <span class=\"count\">(");
        html_int(b, (long long)count);
        html_lit(b, ")</span>");
    }
    html_lit(b, "</label></li>\n");
}

static void group_begin(struct web_req *r, const char *legend)
{
    html_lit(&r->out, "<fieldset class=\"facet\">\n<legend>");
    html_text(&r->out, legend);
    html_lit(&r->out, "</legend>\n<ul>\n");
}

static void group_end(struct web_req *r)
{
    html_lit(&r->out, "</ul>\n</fieldset>\n");
}

/* Ratings, warnings or categories (every value, with its count when there is a result). */
static void fixed_group(struct web_req *r, const struct idx_result *res, int have,
                        enum idx_facet_group g, const char *key, const char *legend)
{
    group_begin(r, legend);
    int n = g == IDX_FACET_RATINGS    ? RATING__COUNT
            : g == IDX_FACET_WARNINGS ? WARN__COUNT
                                      : CAT__COUNT;
    for (int i = 0; i < n; i++) {
        const char *name, *value;
        int checked;
        if (g == IDX_FACET_RATINGS) {
            /* AO3's order: General, Teen, Mature, Explicit, Not Rated */
            unsigned rt = (unsigned)((i + 1) % RATING__COUNT);
            name = rating_name((enum rating)rt);
            value = rating_short((enum rating)rt);
            checked = arg_matches(r, key, same_rating, rt);
        } else if (g == IDX_FACET_WARNINGS) {
            name = value = warning_name(1u << i);
            checked = arg_matches(r, key, same_warning, 1u << i);
        } else {
            name = value = category_name(1u << i);
            checked = arg_matches(r, key, same_category, 1u << i);
        }
        int known = 0;
        uint64_t count = have ? facet_count(res, g, name, &known) : 0;
        checkbox(r, key, value, web_sprintf(r, "%s_%d", key, i), name, checked, known, count);
    }
    group_end(r);
}

/* A tag group: the top tags of the result with their counts. For fandoms (an any-of
 * filter) a fandom asked for but not among the top ones is listed too, checked, without a
 * count; other tags asked for go to the "other tags" text field. */
static void tag_group(struct web_req *r, const struct idx_result *res, int have,
                      enum idx_facet_group g, const char *key, const char *legend,
                      struct names *given)
{
    const struct idx_facets *f = &res->facets[g];
    size_t nf = have ? f->n : 0, extra = 0;
    int keep_given = !strcmp(key, "fandom");
    for (size_t i = 0; keep_given && i < given->n; i++) {
        size_t k = 0;
        while (k < nf && strcasecmp(f->v[k].name, given->v[i]))
            k++;
        extra += k == nf && !given->shown[i];
    }
    if (!nf && !extra)
        return;
    group_begin(r, legend);
    const char *gname = idx_facet_group_name(g);
    for (size_t i = 0; i < nf; i++) {
        int checked = names_take(given, f->v[i].name);
        checkbox(r, key, f->v[i].name, web_sprintf(r, "%s_%s_%zu", key, gname, i), f->v[i].name,
                 checked, 1, f->v[i].count);
    }
    for (size_t i = 0; keep_given && i < given->n; i++)
        if (!given->shown[i]) {
            given->shown[i] = 1;
            checkbox(r, key, given->v[i], web_sprintf(r, "%s_%s_x%zu", key, gname, i), given->v[i],
                     1, 0, 0);
        }
    group_end(r);
}

/* A form field showing value only when it is not empty. */
static void text_field(struct web_req *r, const char *type, const char *name, const char *label,
                       const char *value)
{
    page_input(r, type, name, label, value && *value ? value : NULL, NULL);
}

static void radio(struct web_req *r, const char *name, const char *value, const char *label,
                  int checked)
{
    struct buf *b = &r->out;
    const char *id = web_sprintf(r, "%s_%s", name, *value ? value : "any");
    html_lit(b, "<li><input type=\"radio\" name=\"");
    html_attr(b, name);
    html_lit(b, "\" value=\"");
    html_attr(b, value);
    html_lit(b, "\" id=\"");
    html_attr(b, id);
    html_lit(b, "\"");
    if (checked)
        html_lit(b, " checked");
    html_lit(b, "> <label for=\"");
    html_attr(b, id);
    html_lit(b, "\">");
    html_text(b, label);
    html_lit(b, "</label></li>\n");
}

static void sort_select(struct web_req *r)
{
    static const char *const labels[IDX_SORT__COUNT] = {
        "Best Match", "Creator", "Title", "Date Posted", "Date Updated",
        "Word Count", "Kudos",   "Hits",  "Comments",    "Bookmarks"};
    struct buf *b = &r->out;
    struct idx_query q;
    const char *s = web_arg(r, "sort");
    int cur = s && *s && !parse_one("sort", s, &q) ? (int)q.sort : IDX_SORT_BEST;
    html_lit(b, "<p class=\"field\"><label for=\"sort\">Sort by</label> "
                "<select name=\"sort\" id=\"sort\">\n");
    for (int i = 0; i < IDX_SORT__COUNT; i++) {
        html_lit(b, "<option value=\"");
        html_attr(b, idx_sort_name((enum idx_sort)i));
        html_lit(b, "\"");
        if (i == cur)
            html_lit(b, " selected");
        html_lit(b, ">");
        html_text(b, labels[i]);
        html_lit(b, "</option>\n");
    }
    html_lit(b, "</select></p>\n");
    const char *d = web_arg(r, "dir");
    int dir = d && *d && !parse_one("dir", d, &q) ? (int)q.dir : IDX_DIR_DEFAULT;
    html_lit(b, "<p class=\"field\"><label for=\"dir\">Direction</label> "
                "<select name=\"dir\" id=\"dir\">\n<option value=\"\"");
    if (dir == IDX_DIR_DEFAULT)
        html_lit(b, " selected");
    html_lit(b, ">Default</option>\n<option value=\"desc\"");
    if (dir == IDX_DIR_DESC)
        html_lit(b, " selected");
    html_lit(b, ">Descending</option>\n<option value=\"asc\"");
    if (dir == IDX_DIR_ASC)
        html_lit(b, " selected");
    html_lit(b, ">Ascending</option>\n</select></p>\n");
}

static void sidebar(struct web_req *r, const char *base, const struct idx_result *res, int have)
{
    struct buf *b = &r->out;
    struct names tags, ex_tags, fandoms;
    names_collect(r, "tag", &tags);
    names_collect(r, "exclude_tag", &ex_tags);
    names_collect(r, "fandom", &fandoms);
    struct idx_query q;
    const char *v;

    html_lit(b, "<form class=\"filters\" id=\"work-filters\" method=\"get\" action=\"");
    html_attr(b, base);
    html_lit(b, "\" aria-labelledby=\"filters-heading\">\n"
                "<h2 id=\"filters-heading\">Filter results</h2>\n"
                "<p class=\"actions\"><button type=\"submit\" id=\"filter-submit\">Sort and "
                "Filter</button></p>\n");
    sort_select(r);

    html_lit(b, "<fieldset class=\"include\">\n<legend>Include</legend>\n");
    fixed_group(r, res, have, IDX_FACET_RATINGS, "rating", "Ratings");
    fixed_group(r, res, have, IDX_FACET_WARNINGS, "warning", "Warnings");
    fixed_group(r, res, have, IDX_FACET_CATEGORIES, "category", "Categories");
    tag_group(r, res, have, IDX_FACET_FANDOMS, "fandom", "Fandoms", &fandoms);
    tag_group(r, res, have, IDX_FACET_RELATIONSHIPS, "tag", "Relationships", &tags);
    tag_group(r, res, have, IDX_FACET_CHARACTERS, "tag", "Characters", &tags);
    tag_group(r, res, have, IDX_FACET_FREEFORMS, "tag", "Additional Tags", &tags);
    text_field(r, "text", "tag", "Other tags to include", names_rest(r, &tags));
    html_lit(b, "</fieldset>\n");

    html_lit(b, "<fieldset class=\"exclude\">\n<legend>Exclude</legend>\n");
    fixed_group(r, res, have, IDX_FACET_RATINGS, "exclude_rating", "Ratings");
    fixed_group(r, res, have, IDX_FACET_WARNINGS, "exclude_warning", "Warnings");
    fixed_group(r, res, have, IDX_FACET_CATEGORIES, "exclude_category", "Categories");
    tag_group(r, res, have, IDX_FACET_FANDOMS, "exclude_tag", "Fandoms", &ex_tags);
    tag_group(r, res, have, IDX_FACET_RELATIONSHIPS, "exclude_tag", "Relationships", &ex_tags);
    tag_group(r, res, have, IDX_FACET_CHARACTERS, "exclude_tag", "Characters", &ex_tags);
    tag_group(r, res, have, IDX_FACET_FREEFORMS, "exclude_tag", "Additional Tags", &ex_tags);
    text_field(r, "text", "exclude_tag", "Other tags to exclude", names_rest(r, &ex_tags));
    html_lit(b, "</fieldset>\n");

    html_lit(b, "<fieldset class=\"more\">\n<legend>More options</legend>\n");
    v = web_arg(r, "crossover");
    int cross = v && *v && !parse_one("crossover", v, &q) ? (int)q.crossover : IDX_CROSSOVER_ANY;
    html_lit(b, "<fieldset>\n<legend>Crossovers</legend>\n<ul>\n");
    radio(r, "crossover", "", "Include crossovers", cross == IDX_CROSSOVER_ANY);
    radio(r, "crossover", "exclude", "Exclude crossovers", cross == IDX_CROSSOVER_EXCLUDE);
    radio(r, "crossover", "only", "Only crossovers", cross == IDX_CROSSOVER_ONLY);
    html_lit(b, "</ul>\n</fieldset>\n");
    v = web_arg(r, "complete");
    int comp = v && *v && !parse_one("complete", v, &q) ? (int)q.complete : IDX_COMPLETE_ANY;
    html_lit(b, "<fieldset>\n<legend>Completion status</legend>\n<ul>\n");
    radio(r, "complete", "", "All works", comp == IDX_COMPLETE_ANY);
    radio(r, "complete", "T", "Complete works only", comp == IDX_COMPLETE_ONLY);
    radio(r, "complete", "F", "Works in progress only", comp == IDX_WIP_ONLY);
    html_lit(b, "</ul>\n</fieldset>\n");
    html_lit(b, "<fieldset>\n<legend>Word count</legend>\n");
    text_field(r, "number", "words_from", "From", web_arg(r, "words_from"));
    text_field(r, "number", "words_to", "To", web_arg(r, "words_to"));
    html_lit(b, "</fieldset>\n<fieldset>\n<legend>Date updated</legend>\n");
    text_field(r, "date", "updated_from", "From", web_arg(r, "updated_from"));
    text_field(r, "date", "updated_to", "To", web_arg(r, "updated_to"));
    html_lit(b, "</fieldset>\n");
    text_field(r, "text", "language", "Language", web_arg(r, "language"));
    html_lit(b, "</fieldset>\n");

    text_field(r, "search", "q", "Search within results", web_arg(r, "q"));
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"filter-submit-bottom\">Sort "
                "and Filter</button> <a href=\"");
    html_attr(b, base);
    html_lit(b, "\" id=\"clear-filters\">Clear Filters</a></p>\n</form>\n");
}

/* ---- the page ---- */

/* Renders the page's works as the store hands them over (in hit order; works deleted since
 * the search are skipped), each with its hit's snippet. */
struct blurbs {
    struct web_req *r;
    const struct idx_result *res;
    size_t next; /* the hit to look at first */
};

static int blurb_cb(const struct work *w, void *ctx)
{
    struct blurbs *bl = ctx;
    const char *snippet = NULL;
    for (size_t i = bl->next; i < bl->res->nhits; i++)
        if (bl->res->hits[i].id == w->id) {
            snippet = bl->res->hits[i].snippet;
            bl->next = i + 1;
            break;
        }
    page_work_blurb_snippet(bl->r, w, (struct html_safe){snippet});
    return 0;
}

int ui_search_works(struct web_req *r, const char *base, const char *tag)
{
    struct idx_result res;
    int status = web_search(r, tag, &res);
    if (status != 200 && status != 400) {
        int st = ui_error(r, status, res.err[0] ? res.err : NULL);
        idx_result_free(&res);
        return st;
    }
    int have = status == 200;
    int npages = have ? page_count((int64_t)res.total, res.per_page) : 1;
    if (have && res.page > npages) {
        idx_result_free(&res);
        return ui_error(r, 404, "There is no such page of works.");
    }
    struct buf *b = &r->out;
    const char *title = tag ? web_sprintf(r, "Works in %s", tag) : "Works";
    if (have && res.page > 1)
        title = web_sprintf(r, "%s - Page %d", title, res.page);
    page_begin(r, title);
    html_lit(b, "<div class=\"works-search\">\n<div class=\"works-results\">\n");
    if (tag) {
        html_lit(b, "<h1 id=\"tag-heading\">");
        if (have) {
            html_int(b, (long long)res.total);
            if (res.total == 1)
                html_lit(b, " Work in ");
            else
                html_lit(b, " Works in ");
        } else {
            html_lit(b, "Works in ");
        }
        html_text(b, tag);
        html_lit(b, "</h1>\n");
    } else {
        html_lit(b, "<h1>Works</h1>\n");
    }
    if (!have) {
        const char *msg = res.err;
        page_errors(r, &msg, 1);
    } else {
        html_lit(b, "<p class=\"count\" id=\"works-count\">");
        if (res.total == 0) {
            if (has_filters(r))
                html_lit(b, "No works match these filters.");
            else
                html_lit(b, "No works have been posted yet.");
        } else {
            int64_t first = (int64_t)(res.page - 1) * res.per_page + 1;
            int64_t last = first + (int64_t)res.nhits - 1;
            html_int(b, first);
            html_lit(b, " - ");
            html_int(b, last);
            html_lit(b, " of ");
            html_int(b, (long long)res.total);
            html_lit(b, " Works");
        }
        html_lit(b, "</p>\n<h2 class=\"landmark\">List of works</h2>\n"
                    "<ol class=\"works index\" id=\"works\">\n");
        int64_t *ids = web_alloc(r, (res.nhits + 1) * sizeof(*ids));
        for (size_t i = 0; i < res.nhits; i++)
            ids[i] = res.hits[i].id;
        struct blurbs bl = {r, &res, 0};
        if (store_work_get_many(r->store, ids, res.nhits, 0, blurb_cb, &bl)) {
            idx_result_free(&res);
            buf_reset(b);
            return ui_error(r, 500, "The list of works could not be read.");
        }
        html_lit(b, "</ol>\n");
        page_pagination_query(r, base, page_query_without_page(r), res.page, npages);
    }
    html_lit(b, "</div>\n");
    sidebar(r, base, &res, have);
    html_lit(b, "</div>\n");
    idx_result_free(&res);
    page_end(r);
    return have ? 200 : 400;
}
