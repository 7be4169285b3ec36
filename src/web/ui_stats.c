/* ui_stats.c: a creator's statistics (/users/NAME/stats, owner only): per work and in total
 * hits, kudos, comments, bookmarks and subscriptions in a sortable table, and over time (per
 * day, month or year, for all works or one) as SVG line charts drawn here, each with a title
 * and a description for screen readers and the numbers in a table beside them; ?format=csv
 * downloads the same data. */
#include "core/html.h"
#include "web/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { M_HITS = 0, M_KUDOS, M_COMMENTS, M_BOOKMARKS, M_SUBSCRIPTIONS, M__COUNT };
static const char *const metric_key[M__COUNT] = {"hits", "kudos", "comments", "bookmarks",
                                                 "subscriptions"};
static const char *const metric_name[M__COUNT] = {"Hits", "Kudos", "Comments", "Bookmarks",
                                                  "Subscriptions"};
static const char *const period_key[] = {"day", "month", "year"};
static const char *const period_name[] = {"day", "month", "year"};

#define MAX_POINTS 400

struct wrow {
    int64_t id;
    char *title;
    int64_t words, v[M__COUNT];
};

struct rows {
    struct web_req *r;
    struct wrow *v;
    size_t n, cap;
};

static int row_cb(const struct work_stat *st, void *ctx)
{
    struct rows *x = ctx;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 32;
        struct wrow *nv = web_alloc(x->r, cap * sizeof(*nv));
        if (x->n)
            memcpy(nv, x->v, x->n * sizeof(*nv));
        x->v = nv;
        x->cap = cap;
    }
    struct wrow *w = &x->v[x->n++];
    w->id = st->work_id;
    w->title = web_strdup(x->r, st->title && *st->title ? st->title : "Untitled");
    w->words = st->words;
    w->v[M_HITS] = st->hits;
    w->v[M_KUDOS] = st->kudos;
    w->v[M_COMMENTS] = st->comments;
    w->v[M_BOOKMARKS] = st->bookmarks;
    w->v[M_SUBSCRIPTIONS] = st->subscriptions;
    return 0;
}

struct sortspec {
    int key; /* -1 title, -2 words, else a metric */
    int desc;
};

static int cmp_rows(const void *a, const void *b, void *ctx)
{
    const struct wrow *x = a, *y = b;
    const struct sortspec *s = ctx;
    int c;
    if (s->key == -1)
        c = strcmp(x->title, y->title);
    else {
        int64_t p = s->key == -2 ? x->words : x->v[s->key];
        int64_t q = s->key == -2 ? y->words : y->v[s->key];
        c = (p > q) - (p < q);
    }
    if (s->desc)
        c = -c;
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* ---- points over time, with the empty periods between filled in ---- */

struct series_pts {
    struct web_req *r;
    char **label;
    int64_t (*v)[M__COUNT];
    size_t n, cap;
};

static void pts_push(struct series_pts *p, const char *label, const int64_t *v)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        char **nl = web_alloc(p->r, cap * sizeof(*nl));
        int64_t(*nv)[M__COUNT] = web_alloc(p->r, cap * sizeof(*nv));
        if (p->n) {
            memcpy(nl, p->label, p->n * sizeof(*nl));
            memcpy(nv, p->v, p->n * sizeof(*nv));
        }
        p->label = nl;
        p->v = nv;
        p->cap = cap;
    }
    p->label[p->n] = web_strdup(p->r, label);
    for (int m = 0; m < M__COUNT; m++)
        p->v[p->n][m] = v ? v[m] : 0;
    p->n++;
}

static int point_cb(const struct stats_point *pt, void *ctx)
{
    int64_t v[M__COUNT] = {pt->hits, pt->kudos, pt->comments, pt->bookmarks, pt->subscriptions};
    pts_push(ctx, pt->period, v);
    return 0;
}

/* The period after label (same format), into out. */
static void next_period(const char *label, enum stats_period period, char *out, size_t n)
{
    int y = 0, m = 1, d = 1;
    sscanf(label, "%d-%d-%d", &y, &m, &d);
    y = y < 0 ? 0 : y > 9998 ? 9998 : y;
    m = m < 1 ? 1 : m > 12 ? 12 : m;
    d = d < 1 ? 1 : d > 31 ? 31 : d;
    if (period == STATS_YEAR) {
        snprintf(out, n, "%04d", y + 1);
    } else if (period == STATS_MONTH) {
        m++;
        if (m > 12) {
            m = 1;
            y++;
        }
        snprintf(out, n, "%04d-%02d", y, m);
    } else {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1, .tm_hour = 12};
        time_t t = timegm(&tm);
        gmtime_r(&t, &tm);
        strftime(out, n, "%Y-%m-%d", &tm);
    }
}

/* Every period from the first to the last with data (the last MAX_POINTS of them). */
static void fill_gaps(struct series_pts *in, enum stats_period period, struct series_pts *out)
{
    memset(out, 0, sizeof(*out));
    out->r = in->r;
    if (!in->n)
        return;
    char cur[32];
    snprintf(cur, sizeof(cur), "%s", in->label[0]);
    size_t i = 0;
    for (int guard = 0; guard < 100000 && i < in->n; guard++) {
        if (!strcmp(cur, in->label[i])) {
            pts_push(out, cur, in->v[i]);
            i++;
        } else if (strcmp(cur, in->label[i]) < 0) {
            pts_push(out, cur, NULL);
        } else {
            i++; /* cannot happen with sorted labels; never loop on it */
            continue;
        }
        next_period(cur, period, cur, sizeof(cur));
    }
    if (out->n > MAX_POINTS) {
        size_t drop = out->n - MAX_POINTS;
        out->label += drop;
        out->v += drop;
        out->n = MAX_POINTS;
    }
}

/* ---- the chart ---- */

static void line_chart(struct web_req *r, const struct series_pts *p, int m, const char *pname)
{
    struct buf *b = &r->out;
    const int W = 640, H = 220, L = 56, R = 16, T = 16, B = 36;
    int64_t max = 0, total = 0;
    size_t at_max = 0;
    for (size_t i = 0; i < p->n; i++) {
        total += p->v[i][m];
        if (p->v[i][m] > max) {
            max = p->v[i][m];
            at_max = i;
        }
    }
    const char *id = web_sprintf(r, "chart-%s", metric_key[m]);
    html_lit(b, "<figure class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                "width=\"640\" height=\"220\" viewBox=\"0 0 640 220\" id=\"");
    html_attr(b, id);
    html_lit(b, "\" aria-labelledby=\"");
    html_attr(b, id);
    html_lit(b, "-title ");
    html_attr(b, id);
    html_lit(b, "-desc\"><title id=\"");
    html_attr(b, id);
    html_lit(b, "-title\">");
    html_text(b, web_sprintf(r, "%s per %s", metric_name[m], pname));
    html_lit(b, "</title><desc id=\"");
    html_attr(b, id);
    html_lit(b, "-desc\">");
    if (!p->n)
        html_text(b, "No data yet.");
    else
        html_text(b, web_sprintf(r, "%s per %s from %s to %s: %lld in all, at most %lld (%s).",
                                 metric_name[m], pname, p->label[0], p->label[p->n - 1],
                                 (long long)total, (long long)max, p->label[at_max]));
    html_lit(b, "</desc>");
    /* axes and the y scale: 0, half, max */
    buf_printf(b,
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>"
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>",
               L, T, L, H - B, L, H - B, W - R, H - B);
    int64_t ymax = max > 0 ? max : 1;
    for (int k = 0; k <= 2; k++) {
        if (k == 1 && ymax < 2)
            continue; /* no half steps on a scale of one */
        int y = H - B - (H - B - T) * k / 2;
        buf_printf(b,
                   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\" "
                   "fill=\"#333\">%g</text>",
                   L + 1, y, W - R, y, L - 6, y + 4, (double)ymax * k / 2);
    }
    if (p->n) {
        buf_printf(b, "<polyline fill=\"none\" stroke=\"#900\" stroke-width=\"2\" points=\"");
        for (size_t i = 0; i < p->n; i++) {
            double x = p->n == 1 ? (L + W - R) / 2.0
                                 : L + (double)(W - R - L) * (double)i / (double)(p->n - 1);
            double y = H - B - (double)(H - B - T) * (double)p->v[i][m] / (double)ymax;
            buf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
        }
        html_lit(b, "\"/>");
        if (p->n <= 60)
            for (size_t i = 0; i < p->n; i++) {
                double x = p->n == 1 ? (L + W - R) / 2.0
                                     : L + (double)(W - R - L) * (double)i / (double)(p->n - 1);
                double y = H - B - (double)(H - B - T) * (double)p->v[i][m] / (double)ymax;
                buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#900\"/>", x, y);
            }
        if (p->n == 1) {
            html_lit(b, "<text x=\"340\" y=\"208\" font-size=\"12\" text-anchor=\"middle\" "
                        "fill=\"#333\">");
            html_text(b, p->label[0]);
            html_lit(b, "</text>");
        } else {
            html_lit(b, "<text x=\"56\" y=\"208\" font-size=\"12\" fill=\"#333\">");
            html_text(b, p->label[0]);
            html_lit(b, "</text><text x=\"624\" y=\"208\" font-size=\"12\" "
                        "text-anchor=\"end\" fill=\"#333\">");
            html_text(b, p->label[p->n - 1]);
            html_lit(b, "</text>");
        }
    }
    html_lit(b, "</svg>\n<figcaption>");
    html_text(b, web_sprintf(r, "%s per %s (numbers in the table below)", metric_name[m], pname));
    html_lit(b, "</figcaption>\n</figure>\n");
}

/* ---- CSV ---- */

static void csv_field(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        buf_putc(b, '\''); /* a spreadsheet must not take a title for a formula */
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static int csv_out(struct web_req *r, const struct rows *rows, const int64_t *tot,
                   const struct series_pts *p, const char *pname)
{
    struct buf *b = &r->out;
    buf_reset(b);
    buf_puts(b, "scope,period,work_id,title,words,hits,kudos,comments,bookmarks,subscriptions\r\n");
    for (size_t i = 0; i < rows->n; i++) {
        const struct wrow *w = &rows->v[i];
        buf_printf(b, "work,all,%lld,", (long long)w->id);
        csv_field(b, w->title);
        buf_printf(b, ",%lld", (long long)w->words);
        for (int m = 0; m < M__COUNT; m++)
            buf_printf(b, ",%lld", (long long)w->v[m]);
        buf_puts(b, "\r\n");
    }
    buf_puts(b, "total,all,,,");
    buf_printf(b, "%lld", (long long)tot[M__COUNT]);
    for (int m = 0; m < M__COUNT; m++)
        buf_printf(b, ",%lld", (long long)tot[m]);
    buf_puts(b, "\r\n");
    for (size_t i = 0; i < p->n; i++) {
        buf_printf(b, "%s,%s,,,", pname, p->label[i]);
        for (int m = 0; m < M__COUNT; m++)
            buf_printf(b, ",%lld", (long long)p->v[i][m]);
        buf_puts(b, "\r\n");
    }
    r->content_type = "text/csv; charset=utf-8";
    web_header(r, "Content-Disposition", "attachment; filename=\"stats.csv\"");
    r->personal = 1;
    return 200;
}

/* ---- the page ---- */

static void sort_header(struct web_req *r, const char *key, const char *label,
                        const struct sortspec *cur, int this_key, const char *base,
                        const char *keep)
{
    struct buf *b = &r->out;
    int active = cur->key == this_key;
    html_lit(b, "<th scope=\"col\"");
    if (active)
        buf_puts(b, cur->desc ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"");
    html_lit(b, "><a href=\"");
    html_attr(b, base);
    html_lit(b, "?sort=");
    html_attr(b, key);
    html_lit(b, "&amp;dir=");
    /* a second click on the sorted column turns the order round */
    html_attr(b, active && cur->desc ? "asc" : active ? "desc" : this_key == -1 ? "asc" : "desc");
    html_lit(b, "&amp;");
    html_attr(b, keep);
    html_lit(b, "\">");
    html_text(b, label);
    html_lit(b, "</a></th>");
}

int ui_user_stats(struct web_req *r)
{
    int rc = web_own_user(r, 0, "Only you can see your statistics.");
    if (rc)
        return rc;
    int64_t uid = r->user.id;
    const char *name = r->user.name;

    const char *ps = web_arg(r, "period"), *sort = web_arg(r, "sort"), *dir = web_arg(r, "dir");
    const char *fmt = web_arg(r, "format"), *wk = web_arg(r, "work");
    enum stats_period period = STATS_MONTH;
    if (ps && *ps) {
        int found = 0;
        for (int i = 0; i < 3; i++)
            if (!strcmp(ps, period_key[i])) {
                period = (enum stats_period)i;
                found = 1;
            }
        if (!found)
            return ui_error(r, 400, "period must be day, month or year.");
    }
    struct sortspec ss = {M_HITS, 1};
    if (sort && *sort) {
        if (!strcmp(sort, "title"))
            ss.key = -1;
        else if (!strcmp(sort, "words"))
            ss.key = -2;
        else {
            ss.key = -3;
            for (int m = 0; m < M__COUNT; m++)
                if (!strcmp(sort, metric_key[m]))
                    ss.key = m;
            if (ss.key == -3)
                return ui_error(r, 400,
                                "sort must be title, words, hits, kudos, comments, "
                                "bookmarks or subscriptions.");
        }
        ss.desc = ss.key != -1;
    }
    if (dir && *dir) {
        if (strcmp(dir, "asc") && strcmp(dir, "desc"))
            return ui_error(r, 400, "dir must be asc or desc.");
        ss.desc = !strcmp(dir, "desc");
    }
    if (fmt && *fmt && strcmp(fmt, "csv") && strcmp(fmt, "html"))
        return ui_error(r, 400, "format must be html or csv.");
    int64_t work_id = 0;
    if (wk && *wk) {
        char *end;
        long long v = strtoll(wk, &end, 10);
        if (*end || v <= 0)
            return ui_error(r, 400, "work must be a work id.");
        work_id = v;
    }

    struct rows rows = {r, NULL, 0, 0};
    if (store_user_work_stats(r->store, uid, row_cb, &rows))
        return ui_error(r, 500, "The statistics could not be read.");
    const char *work_title = NULL;
    for (size_t i = 0; i < rows.n; i++)
        if (rows.v[i].id == work_id)
            work_title = rows.v[i].title;
    if (work_id && !work_title)
        return ui_error(r, 404, "You have no such posted work.");
    if (rows.n)
        qsort_r(rows.v, rows.n, sizeof(*rows.v), cmp_rows, &ss);
    int64_t tot[M__COUNT + 1] = {0};
    for (size_t i = 0; i < rows.n; i++) {
        for (int m = 0; m < M__COUNT; m++)
            tot[m] += rows.v[i].v[m];
        tot[M__COUNT] += rows.v[i].words;
    }
    struct series_pts raw = {r, NULL, NULL, 0, 0}, pts;
    if (store_user_stats_over_time(r->store, uid, work_id, period, point_cb, &raw))
        return ui_error(r, 500, "The statistics could not be read.");
    fill_gaps(&raw, period, &pts);
    const char *pname = period_name[period];
    if (fmt && !strcmp(fmt, "csv"))
        return csv_out(r, &rows, tot, &pts, pname);

    struct buf *b = &r->out;
    const char *basep = page_user_path(r, name, "/stats");
    const char *keep = web_sprintf(r, "period=%s%s", period_key[period],
                                   work_id ? web_sprintf(r, "&work=%lld", (long long)work_id) : "");
    page_begin(r, "Statistics");
    html_lit(b, "<h1>Statistics</h1>\n<p>Your posted works' hits, kudos, comments, public "
                "bookmarks and subscriptions. <a id=\"stats-csv\" href=\"");
    html_attr(b, basep);
    html_lit(b, "?format=csv&amp;");
    html_attr(b, keep);
    html_lit(b, "\">Download as CSV</a></p>\n<h2>Per work</h2>\n<table id=\"stats-works\">\n"
                "<caption>Your works (select a column heading to sort)</caption>\n<thead><tr>");
    sort_header(r, "title", "Work", &ss, -1, basep, keep);
    sort_header(r, "words", "Words", &ss, -2, basep, keep);
    for (int m = 0; m < M__COUNT; m++)
        sort_header(r, metric_key[m], metric_name[m], &ss, m, basep, keep);
    html_lit(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < rows.n; i++) {
        const struct wrow *w = &rows.v[i];
        html_lit(b, "<tr><th scope=\"row\"><a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "\">");
        html_text(b, w->title);
        html_lit(b, "</a> <a class=\"chart-link\" href=\"");
        html_attr(b, basep);
        html_lit(b, "?period=");
        html_attr(b, period_key[period]);
        html_lit(b, "&amp;work=");
        html_int(b, w->id);
        html_lit(b, "\">(over time)</a></th><td>");
        html_int(b, w->words);
        html_lit(b, "</td>");
        for (int m = 0; m < M__COUNT; m++) {
            html_lit(b, "<td>");
            html_int(b, w->v[m]);
            html_lit(b, "</td>");
        }
        html_lit(b, "</tr>\n");
    }
    html_lit(b, "</tbody>\n<tfoot><tr id=\"stats-total\"><th scope=\"row\">Total</th><td>");
    html_int(b, tot[M__COUNT]);
    html_lit(b, "</td>");
    for (int m = 0; m < M__COUNT; m++) {
        html_lit(b, "<td>");
        html_int(b, tot[m]);
        html_lit(b, "</td>");
    }
    html_lit(b, "</tr></tfoot>\n</table>\n<h2>Over time</h2>\n");
    if (work_title) {
        html_lit(b, "<p id=\"stats-work\">For ");
        html_text(b, work_title);
        html_lit(b, " only. <a href=\"");
        html_attr(b, basep);
        html_lit(b, "?period=");
        html_attr(b, period_key[period]);
        html_lit(b, "\">All works</a></p>\n");
    }
    html_lit(b, "<nav aria-label=\"Period\"><ul class=\"commas\">");
    for (int i = 0; i < 3; i++) {
        html_lit(b, "<li>");
        if (i == (int)period) {
            html_lit(b, "<strong aria-current=\"page\">Per ");
            html_text(b, period_name[i]);
            html_lit(b, "</strong>");
        } else {
            html_lit(b, "<a href=\"");
            html_attr(b, basep);
            html_lit(b, "?period=");
            html_attr(b, period_key[i]);
            if (work_id) {
                html_lit(b, "&amp;work=");
                html_int(b, work_id);
            }
            html_lit(b, "\">Per ");
            html_text(b, period_name[i]);
            html_lit(b, "</a>");
        }
        html_lit(b, "</li>");
    }
    html_lit(b, "</ul></nav>\n<div class=\"charts\">\n");
    for (int m = 0; m < M__COUNT; m++)
        line_chart(r, &pts, m, pname);
    html_lit(b, "</div>\n<table id=\"stats-time\">\n<caption>");
    html_text(b, web_sprintf(r, "Per %s", pname));
    html_lit(b, "</caption>\n<thead><tr><th scope=\"col\">Period</th>");
    for (int m = 0; m < M__COUNT; m++) {
        html_lit(b, "<th scope=\"col\">");
        html_text(b, metric_name[m]);
        html_lit(b, "</th>");
    }
    html_lit(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < pts.n; i++) {
        html_lit(b, "<tr><th scope=\"row\">");
        html_text(b, pts.label[i]);
        html_lit(b, "</th>");
        for (int m = 0; m < M__COUNT; m++) {
            html_lit(b, "<td>");
            html_int(b, pts.v[i][m]);
            html_lit(b, "</td>");
        }
        html_lit(b, "</tr>\n");
    }
    html_lit(b, "</tbody>\n</table>\n");
    page_end(r);
    return 200;
}
