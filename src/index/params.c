/* params.c: struct idx_query from key/value parameters (web query strings, API, CLI). */
#include "index/params.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int fail(struct idx_qparams *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct idx_qparams *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->err, sizeof(out->err), fmt, ap);
    va_end(ap);
    return FICD_EINVAL;
}

/* A whole non-negative decimal number up to max; -1 when s is anything else. */
static int64_t parse_count(const char *s, int64_t max)
{
    int64_t v = 0;
    if (!*s)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
        if (v > max)
            return -1;
    }
    return v;
}

int64_t idx_parse_date(const char *s)
{
    int y, m, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return -1;
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    time_t t = timegm(&tm);
    /* timegm normalises 2023-02-30 to March: refuse dates that do not exist */
    struct tm back;
    if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != m - 1)
        return -1;
    return (int64_t)t;
}

/* Appends the comma-separated names of value to list (trimmed, empty ones skipped). */
static int add_names(struct idx_qparams *out, const char **list, size_t *n, const char *key,
                     const char *value)
{
    const char *p = value;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *s = p, *e = p + len;
        p = *e ? e + 1 : e;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (s == e)
            continue;
        if (*n == IDX_PARAM_MAX_LIST || out->nowned == sizeof(out->owned) / sizeof(out->owned[0]))
            return fail(out, "too many %s values (at most %d)", key, IDX_PARAM_MAX_LIST);
        char *copy = strndup(s, (size_t)(e - s));
        if (!copy)
            return FICD_ENOMEM;
        out->owned[out->nowned++] = copy;
        list[(*n)++] = copy;
    }
    return 0;
}

/* "MIN-MAX", "MIN-", "-MAX" or "N" (non-negative integers) into r. */
static int parse_range(const char *s, struct idx_range *r)
{
    const char *dash = strchr(s, '-');
    char tmp[32];
    if (!dash) {
        r->min = r->max = parse_count(s, INT32_MAX);
        return r->min < 0 ? -1 : 0;
    }
    if (dash == s && !dash[1])
        return -1;
    if (dash != s) {
        size_t n = (size_t)(dash - s);
        if (n >= sizeof(tmp))
            return -1;
        memcpy(tmp, s, n);
        tmp[n] = 0;
        if ((r->min = parse_count(tmp, INT32_MAX)) < 0)
            return -1;
    }
    if (dash[1] && (r->max = parse_count(dash + 1, INT32_MAX)) < 0)
        return -1;
    return r->max && r->min > r->max ? -1 : 0;
}

static int is_any(const char *v, const char *const *words)
{
    for (; *words; words++)
        if (!strcasecmp(v, *words))
            return 1;
    return 0;
}

static const char *const yes_words[] = {"t", "true", "1", "yes", "on", NULL};
static const char *const no_words[] = {"f", "false", "0", "no", "off", NULL};

static int one_param(struct idx_qparams *out, const char *k, const char *v, unsigned *ex_ratings)
{
    struct idx_query *q = &out->q;
    if (!strcmp(k, "q") || !strcmp(k, "query")) {
        if (q->text)
            return fail(out, "q is given twice");
        q->text = v;
    } else if (!strcmp(k, "tag") || !strcmp(k, "tags")) {
        return add_names(out, out->tags, &q->ntags, "tag", v);
    } else if (!strcmp(k, "exclude_tag") || !strcmp(k, "exclude_tags")) {
        return add_names(out, out->exclude_tags, &q->nexclude_tags, "exclude_tag", v);
    } else if (!strcmp(k, "fandom") || !strcmp(k, "fandoms")) {
        return add_names(out, out->fandoms, &q->nfandoms, "fandom", v);
    } else if (!strcmp(k, "rating") || !strcmp(k, "exclude_rating")) {
        int r = rating_parse(v);
        if (r < 0)
            return fail(out, "%s: unknown rating '%s' (G, T, M, E, NR or the full name)", k, v);
        if (k[0] == 'r')
            q->ratings |= 1u << r;
        else
            *ex_ratings |= 1u << r;
    } else if (!strcmp(k, "warning") || !strcmp(k, "exclude_warning")) {
        unsigned w = warning_parse(v);
        if (!w)
            return fail(out, "%s: unknown archive warning '%s'", k, v);
        if (k[0] == 'w')
            q->warnings |= w;
        else
            q->exclude_warnings |= w;
    } else if (!strcmp(k, "category") || !strcmp(k, "exclude_category")) {
        unsigned c = category_parse(v);
        if (!c)
            return fail(out, "%s: unknown category '%s' (F/F, F/M, Gen, M/M, Multi, Other)", k, v);
        if (k[0] == 'c')
            q->categories |= c;
        else
            q->exclude_categories |= c;
    } else if (!strcmp(k, "crossover")) {
        static const char *const any[] = {"any", "include", "all", NULL};
        static const char *const exclude[] = {"exclude", "f", "false", "no", "0", NULL};
        static const char *const only[] = {"only", "t", "true", "yes", "1", NULL};
        if (is_any(v, any))
            q->crossover = IDX_CROSSOVER_ANY;
        else if (is_any(v, exclude))
            q->crossover = IDX_CROSSOVER_EXCLUDE;
        else if (is_any(v, only))
            q->crossover = IDX_CROSSOVER_ONLY;
        else
            return fail(out, "crossover must be include, exclude or only, not '%s'", v);
    } else if (!strcmp(k, "complete")) {
        static const char *const any[] = {"any", "all", NULL};
        static const char *const wip[] = {"wip", "incomplete", "in_progress", NULL};
        if (is_any(v, any))
            q->complete = IDX_COMPLETE_ANY;
        else if (is_any(v, yes_words) || !strcasecmp(v, "complete"))
            q->complete = IDX_COMPLETE_ONLY;
        else if (is_any(v, no_words) || is_any(v, wip))
            q->complete = IDX_WIP_ONLY;
        else
            return fail(out,
                        "complete must be T (complete works), F (works in progress) "
                        "or any, not '%s'",
                        v);
    } else if (!strcmp(k, "words")) {
        if (parse_range(v, &q->words))
            return fail(out, "words wants MIN-MAX, MIN- or -MAX, not '%s'", v);
    } else if (!strcmp(k, "words_from") || !strcmp(k, "words_to")) {
        int64_t n = parse_count(v, INT32_MAX);
        if (n < 0)
            return fail(out, "%s must be a whole number of words, not '%s'", k, v);
        if (k[6] == 'f')
            q->words.min = n;
        else
            q->words.max = n;
    } else if (!strcmp(k, "updated_from") || !strcmp(k, "updated_to")) {
        int64_t t = idx_parse_date(v);
        if (t < 0)
            return fail(out, "%s must be a date written YYYY-MM-DD, not '%s'", k, v);
        if (k[8] == 'f')
            q->updated.min = t ? t : 1;
        else
            q->updated.max = t + 86399;
    } else if (!strcmp(k, "language")) {
        q->language = v;
    } else if (!strcmp(k, "sort") || !strcmp(k, "sort_column")) {
        int s = idx_sort_parse(v);
        if (s < 0)
            return fail(out,
                        "unknown sort '%s' (best, author, title, posted, updated, words, "
                        "kudos, hits, comments, bookmarks)",
                        v);
        q->sort = (enum idx_sort)s;
    } else if (!strcmp(k, "dir") || !strcmp(k, "sort_direction")) {
        if (!strcasecmp(v, "asc"))
            q->dir = IDX_DIR_ASC;
        else if (!strcasecmp(v, "desc"))
            q->dir = IDX_DIR_DESC;
        else
            return fail(out, "dir must be asc or desc, not '%s'", v);
    } else if (!strcmp(k, "page")) {
        int64_t n = parse_count(v, 1000000);
        if (n < 1)
            return fail(out,
                        "page: the page number must be a whole number from 1 to 1000000, "
                        "not '%s'",
                        v);
        q->page = (int)n;
    } else if (!strcmp(k, "per_page")) {
        int64_t n = parse_count(v, IDX_MAX_PER_PAGE);
        if (n < 1)
            return fail(out, "per_page must be a whole number from 1 to %d, not '%s'",
                        IDX_MAX_PER_PAGE, v);
        q->per_page = (int)n;
    }
    return 0;
}

int idx_query_from_params(const struct idx_param *p, size_t n, struct idx_qparams *out)
{
    memset(out, 0, sizeof(*out));
    out->q.tags = out->tags;
    out->q.exclude_tags = out->exclude_tags;
    out->q.fandoms = out->fandoms;
    unsigned ex_ratings = 0;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].key || !p[i].value || !*p[i].value)
            continue;
        int rc = one_param(out, p[i].key, p[i].value, &ex_ratings);
        if (rc)
            return rc;
    }
    if (out->q.words.max && out->q.words.min > out->q.words.max)
        return fail(out, "words_from (%lld) is more than words_to (%lld)",
                    (long long)out->q.words.min, (long long)out->q.words.max);
    if (out->q.updated.max && out->q.updated.min > out->q.updated.max)
        return fail(out, "updated_from is after updated_to");
    if (ex_ratings) {
        unsigned all = (1u << RATING__COUNT) - 1;
        unsigned keep = (out->q.ratings ? out->q.ratings : all) & ~ex_ratings;
        if (!keep)
            return fail(out, "every rating is excluded, so no work can match");
        out->q.ratings = keep;
    }
    return 0;
}

void idx_qparams_free(struct idx_qparams *qp)
{
    for (size_t i = 0; i < qp->nowned; i++)
        free(qp->owned[i]);
    qp->nowned = 0;
    qp->q.ntags = qp->q.nexclude_tags = qp->q.nfandoms = 0;
}
