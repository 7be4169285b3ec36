/* filter.c: the filter benchmark: mixed tag/rating queries with top-20 by kudos and exact
 * counts against ficd's index, and the same queries as SQL on SQLite (junction table) and
 * PostgreSQL 15 (int[] with GIN), on one generated AO3-like archive. */
/*
 * Usage: bench_filter [--works N] [--queries Q] [--sql-queries M] [--sql-budget SEC]
 *                     [--sqlite] [--pg] [--seed S] [--tmp DIR] [--dump-urls FILE]
 *
 * Each query: one fandom plus 0-2 tags taken from a work of that fandom, 2 excluded
 * freeforms (popular ones, Zipf), 1-3 ratings; first page of 20 sorted by kudos (ties by
 * id), the exact total, and facets: every rating/warning/category count and the exact top
 * 10 of each tag type. SQL engines run the first M queries (or as many as fit in SEC
 * seconds) and must return the same total and page as the index (checked). --dump-urls FILE
 * also writes the queries as JSON API requests, with the expected answers (bench/api.sh).
 * --mute runs the queries again as a reader who muted 100 creators and blocked 50 freeforms
 * (Zipf-popular ones) would, and checks that no hit is by a muted creator or carries a
 * blocked tag and that no total grew.
 */
#include "gen_meta.h"
#include "index/index.h"
#include "index/index_int.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct bq {
    uint32_t fandom, tags[2], ntags, ex[2];
    int first_tag; /* 1: `fandom` holds any tag, filtered as tag= (the AO3 mix) */
    unsigned ratings;
    uint64_t total;
    int64_t page[20];
    int npage;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Resident memory in KB: all of it, or (anon = 1) without mapped files (with --store, SQLite
 * maps the database: its pages are file cache, not the index). */
static long rss_kind_kb(int anon)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = 0;
    const char *key = anon ? "RssAnon:" : "VmRSS:";
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, key, strlen(key)))
            v = atol(line + strlen(key));
    if (f)
        fclose(f);
    return v;
}

static long rss_kb(void)
{
    return rss_kind_kb(0);
}

/* Bytes the allocator has handed out and not taken back (in-use heap chunks with their
 * headers and rounding, plus mmapped blocks), and bytes it holds free in its heap: the
 * difference before and after building is what the index really costs, whatever the
 * per-part accounting below leaves out (malloc headers, CRoaring's internal structures). */
static void heap_bytes(uint64_t *used, uint64_t *held_free)
{
    struct mallinfo2 mi = mallinfo2();
    *used = mi.uordblks + mi.hblkhd;
    *held_free = mi.fordblks;
}

/* The index's memory by part, from its own accounting (idx_mem_usage: array capacities,
 * pooled strings and tag numbers, tag doc lists with an estimated 16-byte malloc header
 * each, bitmaps at their serialized size: CRoaring's internal structures are not counted
 * there; the allocator's figure printed after this one counts everything). */
static void mem_report(const struct idx *idx)
{
    struct idx_mem m;
    idx_mem_usage(idx, &m);
    uint64_t total = m.docs + m.dfts + m.tagpool + m.strs + m.orders + m.tags + m.names + m.maps +
                     m.tag_docs + m.bitmaps + m.pop + m.fcache + m.creators;
    printf(
        "memory     doc records %.1f MB (%zu B x %u), doc tag numbers %.1f MB, titles and sort "
        "strings %.1f MB, sort orders %.1f MB, tag table %.1f MB, tag names %.1f MB, hash "
        "tables %.1f MB, tag docs (lists and bitmaps) %.1f MB, other bitmaps %.1f MB, "
        "popularity lists %.1f MB, fandom facet counts %.1f MB, creators' docs (muting) %.1f MB: "
        "total %.1f MB (own "
        "accounting)\n",
        m.docs / 1e6, sizeof(struct idx_doc), idx->docs_cap, m.tagpool / 1e6, m.strs / 1e6,
        m.orders / 1e6, m.tags / 1e6, m.names / 1e6, m.maps / 1e6, m.tag_docs / 1e6,
        m.bitmaps / 1e6, m.pop / 1e6, m.fcache / 1e6, m.creators / 1e6, total / 1e6);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, double *t, int n, double base_p50, double base_p99)
{
    if (!n) {
        printf("%-10s no queries run\n", name);
        return;
    }
    qsort(t, (size_t)n, sizeof(double), cmp_d);
    double p50 = t[n / 2], p90 = t[(int)(n * 0.9)], p99 = t[(int)(n * 0.99)], mx = t[n - 1];
    printf("%-10s n=%-5d p50 %9.3f ms  p90 %9.3f ms  p99 %9.3f ms  max %9.3f ms", name, n, p50, p90,
           p99, mx);
    if (base_p50 > 0)
        printf("  (x%.0f p50, x%.0f p99 vs index)", p50 / base_p50, p99 / base_p99);
    printf("\n");
}

/* Per-work tag numbers, kept for queries and the SQL loads. */
struct meta {
    uint32_t *off, *tags;
    uint8_t *rating;
    int64_t *kudos; /* the sort key: kudos (classic mix) or the posting date (AO3 mix) */
};

static enum gm_shape shape = GM_SHAPE_CLASSIC;

static int nofacets; /* run queries without facets (for --slow) */
/* When set, run_index also stores each query's CPU time (this thread's: waiting for a core on
 * a shared machine is left out), first run and best run. */
static double *cpu_first, *cpu_best;

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
/* --mute: a signed-in reader's muted creators and blocked tags added to every query */
static const char *const *mute_names, *const *block_names;
static size_t nmute_names, nblock_names;

/* --check-facets N: the first N queries' tag facets (top 10 of each type, with counts) and
 * total are checked against a brute-force count over the generator's works (every work
 * tested against the query, every tag of every match counted). */
static const struct meta *check_meta;
static const struct gm *check_g;
static uint32_t check_nworks;
static int check_n;
static uint64_t checked;

struct bf_tag {
    uint32_t tag, count;
    int type;
    char name[96];
};

static int cmp_bf(const void *a, const void *b)
{
    const struct bf_tag *x = a, *y = b;
    if (x->type != y->type)
        return x->type - y->type;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int check_facets(int qi, const struct bq *b, const struct idx_result *r)
{
    const struct meta *m = check_meta;
    uint32_t nt = gm_ntags(check_g);
    uint32_t *cnt = calloc(nt, sizeof(uint32_t));
    uint32_t *touched = malloc(nt * sizeof(uint32_t));
    uint64_t total = 0;
    size_t ntouched = 0;
    for (uint32_t w = 0; w < check_nworks; w++) {
        if (!(b->ratings & (1u << m->rating[w])))
            continue;
        uint32_t need = 1 + b->ntags, have = 0, bad = 0;
        for (uint32_t k = m->off[w]; k < m->off[w + 1]; k++) {
            uint32_t t = m->tags[k];
            have += t == b->fandom;
            for (uint32_t j = 0; j < b->ntags; j++)
                have += t == b->tags[j] && (j == 0 || b->tags[1] != b->tags[0]);
            bad |= t == b->ex[0] || t == b->ex[1];
        }
        if (bad || have < need)
            continue;
        total++;
        for (uint32_t k = m->off[w]; k < m->off[w + 1]; k++)
            if (!cnt[m->tags[k]]++)
                touched[ntouched++] = m->tags[k];
    }
    struct bf_tag *v = malloc((ntouched ? ntouched : 1) * sizeof(*v));
    for (size_t i = 0; i < ntouched; i++) {
        v[i].tag = touched[i];
        v[i].count = cnt[touched[i]];
        v[i].type = (int)gm_tag_name(check_g, touched[i], v[i].name, sizeof(v[i].name));
    }
    qsort(v, ntouched, sizeof(*v), cmp_bf);
    int bad = total != r->total;
    if (bad)
        fprintf(stderr, "check: query %d: total %llu, brute force %llu\n", qi,
                (unsigned long long)r->total, (unsigned long long)total);
    size_t i = 0;
    for (int ty = 0; ty < 4 && !bad; ty++) {
        const struct idx_facets *f = &r->facets[IDX_FACET_FANDOMS + ty];
        size_t n = 0;
        while (i < ntouched && v[i].type < ty)
            i++;
        for (; i < ntouched && v[i].type == ty; i++) {
            if (n < 10) {
                if (n >= f->n || strcmp(f->v[n].name, v[i].name) || f->v[n].count != v[i].count) {
                    fprintf(
                        stderr, "check: query %d: %s facet %zu is %s (%llu), brute force %s (%u)\n",
                        qi, idx_facet_group_name(IDX_FACET_FANDOMS + ty), n,
                        n < f->n ? f->v[n].name : "(none)",
                        n < f->n ? (unsigned long long)f->v[n].count : 0ull, v[i].name, v[i].count);
                    bad = 1;
                    break;
                }
            }
            n++;
        }
        if (!bad && f->n != (n < 10 ? n : 10)) {
            fprintf(stderr, "check: query %d: %zu %s facets, brute force %zu\n", qi, f->n,
                    idx_facet_group_name(IDX_FACET_FANDOMS + ty), n < 10 ? n : 10);
            bad = 1;
        }
    }
    free(v);
    free(cnt);
    free(touched);
    checked++;
    return bad ? -1 : 0;
}

/* Runs the queries: t[i] the wall time of the first run, tb[i] the best of `repeat` runs
 * (on a machine shared with other jobs, the best of a few runs leaves out time spent waiting
 * for a core or refilling caches after another job ran). */
static int run_index(struct idx *idx, const struct gm *g, struct bq *qs, int nq, double *t,
                     double *tb, int repeat)
{
    char names[4][96];
    for (int i = 0; i < nq; i++) {
        struct bq *b = &qs[i];
        const char *tags[3], *ex[2];
        gm_tag_name(g, b->fandom, names[0], 96);
        tags[0] = names[0];
        for (uint32_t k = 0; k < b->ntags; k++) {
            gm_tag_name(g, b->tags[k], names[1 + k], 96);
            tags[1 + k] = names[1 + k];
        }
        char exn[2][96];
        for (int k = 0; k < 2; k++) {
            gm_tag_name(g, b->ex[k], exn[k], 96);
            ex[k] = exn[k];
        }
        struct idx_query q = {.tags = tags,
                              .ntags = 1 + b->ntags,
                              .exclude_tags = ex,
                              .nexclude_tags = 2,
                              .ratings = b->ratings,
                              .sort = shape == GM_SHAPE_AO3 ? IDX_SORT_POSTED : IDX_SORT_KUDOS,
                              .per_page = 20,
                              .include_restricted = 1,
                              .mute_creators = mute_names,
                              .nmute_creators = nmute_names,
                              .block_tags = block_names,
                              .nblock_tags = nblock_names,
                              .facet_limit = nofacets ? -1 : 0};
        struct idx_result r;
        double c0 = cpu_ms(), t0 = now_ms();
        int rc = idx_search(idx, &q, &r);
        t[i] = tb[i] = now_ms() - t0;
        double cbest = cpu_ms() - c0;
        if (cpu_first)
            cpu_first[i] = cbest;
        if (rc) {
            fprintf(stderr, "index query %d failed: %d %s\n", i, rc, r.err);
            return -1;
        }
        if (check_meta && !nofacets && i < check_n && check_facets(i, b, &r)) {
            idx_result_free(&r);
            return -1;
        }
        for (int k = 1; k < repeat; k++) {
            struct idx_result r2;
            c0 = cpu_ms();
            t0 = now_ms();
            rc = idx_search(idx, &q, &r2);
            double dt = now_ms() - t0, dc = cpu_ms() - c0;
            tb[i] = dt < tb[i] ? dt : tb[i];
            cbest = dc < cbest ? dc : cbest;
            idx_result_free(&r2);
            if (rc)
                return -1;
        }
        if (cpu_best)
            cpu_best[i] = cbest;
        b->total = r.total;
        b->npage = (int)r.nhits;
        for (size_t k = 0; k < r.nhits; k++)
            b->page[k] = r.hits[k].id;
        idx_result_free(&r);
    }
    return 0;
}

/* --dump-urls: query string escaping (everything but unreserved characters as %XX). */
static void url_put(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

/* --dump-urls FILE: the queries as JSON API requests (docs/api.md), one path and query per
 * line: fandom=, tag= for each further tag, exclude_tag= twice, rating= per rating (G, T, M,
 * E, NR), sort=kudos (descending, ties by id), first page of 20 (the defaults). Tag names are
 * the generator's, which bench_gen_store stores as they are. FILE.expected gets, per line,
 * the index's total and the ids of the page ("total id,id,..."), for checking the answers
 * of a server holding the same archive (bench_gen_store gives work i the id i + 1, as here). */
static int dump_urls(const char *path, const struct gm *g, const struct bq *qs, int nq)
{
    char exp_path[4096];
    snprintf(exp_path, sizeof(exp_path), "%s.expected", path);
    FILE *f = fopen(path, "w"), *e = fopen(exp_path, "w");
    if (!f || !e) {
        fprintf(stderr, "bench_filter: cannot write %s\n", f ? exp_path : path);
        if (f)
            fclose(f);
        if (e)
            fclose(e);
        return -1;
    }
    char name[96];
    for (int i = 0; i < nq; i++) {
        const struct bq *b = &qs[i];
        gm_tag_name(g, b->fandom, name, sizeof(name));
        fputs(b->first_tag ? "/api/v1/works?tag=" : "/api/v1/works?fandom=", f);
        url_put(f, name);
        for (uint32_t k = 0; k < b->ntags; k++) {
            gm_tag_name(g, b->tags[k], name, sizeof(name));
            fputs("&tag=", f);
            url_put(f, name);
        }
        for (int k = 0; k < 2; k++) {
            gm_tag_name(g, b->ex[k], name, sizeof(name));
            fputs("&exclude_tag=", f);
            url_put(f, name);
        }
        for (int r = 0; r < RATING__COUNT; r++)
            if (b->ratings & (1u << r))
                fprintf(f, "&rating=%s", rating_short((enum rating)r));
        fputs(shape == GM_SHAPE_AO3 ? "&sort=posted\n" : "&sort=kudos\n", f);
        fprintf(e, "%llu ", (unsigned long long)b->total);
        for (int k = 0; k < b->npage; k++)
            fprintf(e, "%s%lld", k ? "," : "", (long long)b->page[k]);
        fputs(b->npage ? "\n" : "-\n", e);
    }
    int bad = ferror(f) | ferror(e);
    bad |= fclose(f) | fclose(e);
    if (bad)
        fprintf(stderr, "bench_filter: writing %s failed\n", path);
    else
        printf("urls       %d queries written to %s (expected totals and pages in %s)\n", nq, path,
               exp_path);
    return bad ? -1 : 0;
}

/* The WHERE clause of query b for both SQL dialects. */
static void sql_where(const struct bq *b, char *out, size_t n, int pg)
{
    char rat[64] = "";
    for (int r = 0; r < RATING__COUNT; r++)
        if (b->ratings & (1u << r))
            sprintf(rat + strlen(rat), "%s%d", rat[0] ? "," : "", r);
    if (pg) {
        char inc[64];
        sprintf(inc, "%u", b->fandom);
        for (uint32_t k = 0; k < b->ntags; k++)
            sprintf(inc + strlen(inc), ",%u", b->tags[k]);
        snprintf(out, n,
                 "tags @> ARRAY[%s]::int[] AND NOT (tags && ARRAY[%u,%u]::int[]) AND rating IN "
                 "(%s)",
                 inc, b->ex[0], b->ex[1], rat);
        return;
    }
    int len = snprintf(out, n,
                       "w.rating IN (%s) AND w.id IN (SELECT work_id FROM work_tags WHERE tag_id "
                       "= %u)",
                       rat, b->fandom);
    for (uint32_t k = 0; k < b->ntags; k++)
        len +=
            snprintf(out + len, n - (size_t)len,
                     " AND w.id IN (SELECT work_id FROM work_tags WHERE tag_id = %u)", b->tags[k]);
    snprintf(out + len, n - (size_t)len,
             " AND w.id NOT IN (SELECT work_id FROM work_tags WHERE tag_id IN (%u,%u))", b->ex[0],
             b->ex[1]);
}

static int check(const char *engine, int i, const struct bq *b, uint64_t total, const int64_t *page,
                 int npage)
{
    if (total != b->total || npage != b->npage || memcmp(page, b->page, npage * sizeof(int64_t))) {
        fprintf(stderr, "%s query %d disagrees with the index: total %llu vs %llu\n", engine, i,
                (unsigned long long)total, (unsigned long long)b->total);
        return -1;
    }
    return 0;
}

static int run_sqlite(const char *path, const struct meta *m, uint32_t nworks, struct bq *qs,
                      int nq, double budget_s, double *t, int *done)
{
    sqlite3 *db;
    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    sqlite3_exec(db,
                 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;"
                 "CREATE TABLE works(id INTEGER PRIMARY KEY, rating INT, kudos INT);"
                 "CREATE TABLE work_tags(work_id INT, tag_id INT, PRIMARY KEY(work_id, tag_id))"
                 " WITHOUT ROWID;",
                 NULL, NULL, NULL);
    double t0 = now_ms();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *w, *wt;
    sqlite3_prepare_v2(db, "INSERT INTO works VALUES (?,?,?)", -1, &w, NULL);
    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO work_tags VALUES (?,?)", -1, &wt, NULL);
    for (uint32_t i = 0; i < nworks; i++) {
        sqlite3_bind_int64(w, 1, i + 1);
        sqlite3_bind_int(w, 2, m->rating[i]);
        sqlite3_bind_int64(w, 3, m->kudos[i]);
        sqlite3_step(w);
        sqlite3_reset(w);
        for (uint32_t k = m->off[i]; k < m->off[i + 1]; k++) {
            sqlite3_bind_int64(wt, 1, i + 1);
            sqlite3_bind_int(wt, 2, (int)m->tags[k]);
            sqlite3_step(wt);
            sqlite3_reset(wt);
        }
    }
    sqlite3_finalize(w);
    sqlite3_finalize(wt);
    sqlite3_exec(db,
                 "COMMIT; CREATE INDEX work_tags_tag ON work_tags(tag_id, work_id);"
                 "CREATE INDEX works_kudos ON works(kudos, id); ANALYZE;",
                 NULL, NULL, NULL);
    printf("sqlite     loaded in %.1f s\n", (now_ms() - t0) / 1e3);
    double start = now_ms();
    *done = 0;
    for (int i = 0; i < nq && now_ms() - start < budget_s * 1e3; i++) {
        char where[1024], sql[2048];
        sql_where(&qs[i], where, sizeof(where), 0);
        double q0 = now_ms();
        int64_t page[20];
        int np = 0;
        uint64_t total = 0;
        sqlite3_stmt *st;
        snprintf(sql, sizeof(sql),
                 "SELECT w.id FROM works w WHERE %s ORDER BY w.kudos DESC, w.id DESC LIMIT 20",
                 where);
        sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        while (sqlite3_step(st) == SQLITE_ROW)
            page[np++] = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM works w WHERE %s", where);
        sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (sqlite3_step(st) == SQLITE_ROW)
            total = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        snprintf(sql, sizeof(sql),
                 "SELECT tag_id, count(*) FROM work_tags WHERE work_id IN (SELECT w.id FROM "
                 "works w WHERE %s) GROUP BY tag_id",
                 where);
        sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        uint64_t sum = 0;
        while (sqlite3_step(st) == SQLITE_ROW)
            sum += (uint64_t)sqlite3_column_int64(st, 1);
        sqlite3_finalize(st);
        t[i] = now_ms() - q0;
        (*done)++;
        if (check("sqlite", i, &qs[i], total, page, np))
            return -1;
        (void)sum;
    }
    sqlite3_close(db);
    unlink(path);
    return 0;
}

static int sh(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int run_pg(const char *tmp, const struct meta *m, uint32_t nworks, struct bq *qs, int nq,
                  double budget_s, double *t, int *done)
{
    const char *bin = "/usr/lib/postgresql/15/bin";
    char dir[256], cmd[4096];
    snprintf(dir, sizeof(dir), "%s/ficd-bench-pg-%d", tmp, (int)getpid());
    int port = 20000 + (int)(getpid() % 20000);
    /* initdb refuses to run as root: run the server as the postgres account then. */
    const char *as = geteuid() == 0 ? "runuser -u postgres -- " : "";
    char chown_cmd[300];
    snprintf(chown_cmd, sizeof(chown_cmd),
             geteuid() == 0 ? "chown postgres: %.200s" : "true %.200s", dir);
    snprintf(cmd, sizeof(cmd),
             "rm -rf %.200s && mkdir -p %.200s && %s && %s%s/initdb -D %s/data -A trust -U bench "
             "--no-sync >/dev/null && %s%s/pg_ctl -D %s/data -l %s/log -w -o \"-p %d -k %s -c "
             "listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c "
             "shared_buffers=512MB -c work_mem=64MB -c max_wal_size=4GB\" start >/dev/null",
             dir, dir, chown_cmd, as, bin, dir, as, bin, dir, dir, port, dir);
    if (sh(cmd)) {
        fprintf(stderr, "postgres: cannot start a server (%s)\n", cmd);
        return -1;
    }
    char conninfo[700];
    snprintf(conninfo, sizeof(conninfo), "host=%s port=%d user=bench dbname=postgres", dir, port);
    PGconn *c = PQconnectdb(conninfo);
    int rc = -1;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "postgres: %s", PQerrorMessage(c));
        goto out;
    }
    PQclear(PQexec(c, "CREATE TABLE works(id int PRIMARY KEY, rating int, kudos int, tags "
                      "int[])"));
    double t0 = now_ms();
    PQclear(PQexec(c, "COPY works FROM STDIN"));
    char line[4096];
    for (uint32_t i = 0; i < nworks; i++) {
        int len = snprintf(line, sizeof(line), "%u\t%d\t%lld\t{", i + 1, m->rating[i],
                           (long long)m->kudos[i]);
        for (uint32_t k = m->off[i]; k < m->off[i + 1]; k++)
            len += snprintf(line + len, sizeof(line) - (size_t)len, "%s%u",
                            k > m->off[i] ? "," : "", m->tags[k]);
        len += snprintf(line + len, sizeof(line) - (size_t)len, "}\n");
        PQputCopyData(c, line, len);
    }
    PQputCopyEnd(c, NULL);
    PQclear(PQgetResult(c));
    PQclear(PQexec(c, "CREATE INDEX works_tags ON works USING gin(tags)"));
    PQclear(PQexec(c, "CREATE INDEX works_kudos ON works(kudos, id)"));
    PQclear(PQexec(c, "VACUUM ANALYZE works"));
    printf("postgres   loaded in %.1f s\n", (now_ms() - t0) / 1e3);
    double start = now_ms();
    *done = 0;
    for (int i = 0; i < nq && now_ms() - start < budget_s * 1e3; i++) {
        char where[1024], sql[2048];
        sql_where(&qs[i], where, sizeof(where), 1);
        double q0 = now_ms();
        int64_t page[20];
        int np = 0;
        snprintf(sql, sizeof(sql),
                 "SELECT id FROM works WHERE %s ORDER BY kudos DESC, id DESC LIMIT 20", where);
        PGresult *r = PQexec(c, sql);
        for (int k = 0; k < PQntuples(r) && k < 20; k++)
            page[np++] = atoll(PQgetvalue(r, k, 0));
        PQclear(r);
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM works WHERE %s", where);
        r = PQexec(c, sql);
        uint64_t total = PQntuples(r) ? (uint64_t)atoll(PQgetvalue(r, 0, 0)) : 0;
        PQclear(r);
        snprintf(sql, sizeof(sql),
                 "SELECT t, count(*) FROM works, unnest(tags) t WHERE %s GROUP BY t", where);
        r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fprintf(stderr, "postgres: %s", PQerrorMessage(c));
        PQclear(r);
        t[i] = now_ms() - q0;
        (*done)++;
        if (check("postgres", i, &qs[i], total, page, np))
            goto out;
    }
    rc = 0;
out:
    PQfinish(c);
    snprintf(cmd, sizeof(cmd), "%s%s/pg_ctl -D %s/data -m immediate stop >/dev/null; rm -rf %s", as,
             bin, dir, dir);
    sh(cmd);
    return rc;
}

/* --mute: the same queries with 100 muted creators and 50 blocked freeforms; every hit of
 * the first 100 queries is regenerated and checked against both lists. */
static int run_muted(struct idx *idx, struct gm *g, uint64_t seed, uint32_t nworks, struct bq *qs,
                     int nq, int repeat, double p50, double p99, double p50b, double p99b)
{
    static char mbuf[100][32], bbuf[50][96];
    static const char *mv[100], *bv[50];
    struct gm_rng r = {seed ^ 0x5eed};
    for (int i = 0; i < 100; i++) {
        snprintf(mbuf[i], sizeof(mbuf[i]), "writer%u", (uint32_t)(gm_next(&r) % (nworks / 4 + 1)));
        mv[i] = mbuf[i];
    }
    for (int i = 0; i < 50; i++) {
        gm_tag_name(g, gm_tag_free(g, gm_zipf(&g->zfree, &r) + 5), bbuf[i], sizeof(bbuf[i]));
        bv[i] = bbuf[i];
    }
    uint64_t *plain = malloc(nq * sizeof(uint64_t));
    double *tm = malloc(nq * sizeof(double)), *tmb = malloc(nq * sizeof(double));
    for (int i = 0; i < nq; i++)
        plain[i] = qs[i].total;
    mute_names = mv;
    nmute_names = 100;
    block_names = bv;
    nblock_names = 50;
    size_t nm = nmute_names, nb = nblock_names;
    int rc = run_index(idx, g, qs, nq, tm, tmb, repeat);
    mute_names = block_names = NULL;
    nmute_names = nblock_names = 0;
    uint64_t fewer = 0;
    for (int i = 0; !rc && i < nq; i++) {
        if (qs[i].total > plain[i]) {
            fprintf(stderr, "muted query %d: total grew (%llu > %llu)\n", i,
                    (unsigned long long)qs[i].total, (unsigned long long)plain[i]);
            rc = -1;
        }
        fewer += plain[i] - qs[i].total;
        for (int k = 0; !rc && i < 100 && k < qs[i].npage; k++) {
            struct work w;
            gm_work(g, seed, (uint32_t)(qs[i].page[k] - 1), &w);
            for (size_t j = 0; j < nm; j++)
                if (strlist_contains(&w.creators, mv[j]))
                    rc = -1;
            for (size_t j = 0; j < nb; j++)
                if (strlist_contains(&w.freeforms, bv[j]))
                    rc = -1;
            if (rc)
                fprintf(stderr, "muted query %d: work %lld should have been left out\n", i,
                        (long long)qs[i].page[k]);
            work_free(&w);
        }
    }
    if (!rc) {
        report("muted", tm, nq, p50, p99);
        report("muted best", tmb, nq, p50b, p99b);
        printf("(muted = the same queries with 100 muted creators and 50 blocked freeforms: %llu "
               "works fewer over all totals; x = muted / index)\n",
               (unsigned long long)fewer);
    }
    free(plain);
    free(tm);
    free(tmb);
    return rc;
}

int main(int argc, char **argv)
{
    uint32_t nworks = 100000;
    int nq = 1000, nsql = 200, do_sqlite = 0, do_pg = 0, do_baseline = 0, nslow = 0, repeat = 3,
        do_mute = 0, only = -1, do_ab = 0;
    double budget = 300;
    uint64_t seed = 1;
    const char *tmp = "/tmp", *dump_path = NULL, *store_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--works") && i + 1 < argc)
            nworks = (uint32_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            nq = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--sql-queries") && i + 1 < argc)
            nsql = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--sql-budget") && i + 1 < argc)
            budget = atof(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (uint64_t)atoll(argv[++i]);
        else if (!strcmp(argv[i], "--tmp") && i + 1 < argc)
            tmp = argv[++i];
        else if (!strcmp(argv[i], "--walk-max") && i + 1 < argc)
            idx_facet_walk_max = atoi(argv[++i]); /* facet strategy thresholds, for tuning */
        else if (!strcmp(argv[i], "--total-budget") && i + 1 < argc)
            idx_facet_total_budget = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--fandom-min") && i + 1 < argc)
            idx_facet_fandom_min = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--other-max") && i + 1 < argc)
            idx_facet_other_max = atoll(argv[++i]); /* bytes of non-fandom tag counts */
        else if (!strcmp(argv[i], "--bound-min") && i + 1 < argc)
            idx_facet_bound_min = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--sqlite"))
            do_sqlite = 1;
        else if (!strcmp(argv[i], "--pg"))
            do_pg = 1;
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--slow") && i + 1 < argc)
            nslow = atoi(argv[++i]); /* describe the N slowest queries */
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = atoi(argv[++i]); /* run query I alone, --repeat times, and stop: for perf */
        else if (!strcmp(argv[i], "--ab"))
            do_ab = 1; /* with --only: every other run without the walk's prefetching */
        else if (!strcmp(argv[i], "--check-facets") && i + 1 < argc)
            check_n = atoi(argv[++i]); /* brute-force check of the first N queries' facets */
        else if (!strcmp(argv[i], "--mute"))
            do_mute = 1; /* also run the queries with 100 muted creators and 50 blocked tags */
        else if (!strcmp(argv[i], "--baseline"))
            do_baseline = 1; /* also run the queries without fandom bounds */
        else if (!strcmp(argv[i], "--store") && i + 1 < argc)
            store_dir = argv[++i]; /* build with idx_build from this bench_gen_store archive */
        else if (!strcmp(argv[i], "--dump-urls") && i + 1 < argc)
            dump_path = argv[++i]; /* the queries as API requests, for bench/api.sh */
        else if (!strcmp(argv[i], "--shape") && i + 1 < argc && gm_shape_parse(argv[i + 1]) >= 0)
            shape = (enum gm_shape)gm_shape_parse(argv[++i]); /* corpus and query mix */
        else {
            fprintf(stderr,
                    "usage: bench_filter [--works N] [--queries Q] [--sql-queries M] "
                    "[--sql-budget SEC] [--sqlite] [--pg] [--seed S] [--tmp DIR] "
                    "[--walk-max N] [--total-budget N] [--fandom-min N] [--bound-min N] "
                    "[--other-max BYTES] "
                    "[--baseline] [--repeat K] [--slow N] [--dump-urls FILE] [--store DIR] "
                    "[--shape classic|ao3] [--mute] [--only I [--ab]] [--check-facets N]\n");
            return 2;
        }
    }
    if (nworks < 1000 || nq < 1 || repeat < 1) {
        fprintf(stderr, "bench_filter: --works must be >= 1000 and --queries >= 1\n");
        return 2;
    }
    struct gm g;
    gm_init_shape(&g, nworks, 0, shape);
    struct idx *idx;
    if (idx_new(0, &idx))
        return 1;
    struct meta m;
    m.off = malloc((nworks + 1) * sizeof(uint32_t));
    size_t tcap = (size_t)nworks * 20, tn = 0;
    m.tags = malloc(tcap * sizeof(uint32_t));
    m.rating = malloc(nworks);
    m.kudos = malloc(nworks * sizeof(int64_t));
    /* Touch the benchmark's own arrays now so that the RSS growth below is the index's (not
     * with zeros: the compiler would turn malloc + memset 0 into calloc, which touches
     * nothing). */
    memset(m.off, 0xff, (nworks + 1) * sizeof(uint32_t));
    memset(m.tags, 0xff, tcap * sizeof(uint32_t));
    memset(m.rating, 0xff, nworks);
    memset(m.kudos, 0xff, nworks * sizeof(int64_t));
    long rss0 = rss_kb(), anon0 = rss_kind_kb(1);
    uint64_t heap0, heapfree0;
    heap_bytes(&heap0, &heapfree0);
    double build = 0;
    for (uint32_t i = 0; i < nworks; i++) {
        struct work w;
        gm_work(&g, seed, i, &w);
        double t0 = now_ms();
        if (!store_dir && idx_put_work(idx, &w)) {
            fprintf(stderr, "idx_put_work failed\n");
            return 1;
        }
        build += now_ms() - t0;
        m.off[i] = (uint32_t)tn;
        const struct strlist *ls[4] = {&w.fandoms, &w.relationships, &w.characters, &w.freeforms};
        for (int ty = 0; ty < 4; ty++)
            for (size_t k = 0; k < ls[ty]->n; k++) {
                if (tn == tcap)
                    m.tags = realloc(m.tags, (tcap *= 2) * sizeof(uint32_t));
                m.tags[tn++] = gm_tag_num(&g, (enum tag_type)ty, ls[ty]->v[k]);
            }
        m.rating[i] = (uint8_t)w.rating;
        m.kudos[i] = shape == GM_SHAPE_AO3 ? w.published : w.kudos;
        work_free(&w);
    }
    m.off[nworks] = (uint32_t)tn;
    if (store_dir) {
        /* The server's path: idx_build reads every tag and work from the store (the same works:
         * bench_gen_store writes this generator's archive). Memory is measured from here. */
        struct store *s;
        if (store_open(store_dir, &s)) {
            fprintf(stderr, "bench_filter: cannot open the store in %s\n", store_dir);
            return 1;
        }
        rss0 = rss_kb();
        anon0 = rss_kind_kb(1);
        heap_bytes(&heap0, &heapfree0);
        double t0 = now_ms();
        int rc = idx_build(idx, s, 0);
        build = now_ms() - t0;
        if (rc) {
            fprintf(stderr, "bench_filter: idx_build failed: %s\n", ficd_strerror(rc));
            return 1;
        }
        printf("store      idx_build from %s: %.2f s\n", store_dir, build / 1e3);
        store_close(s);
    }
    /* The first query builds the sort orders and tag popularity lists: part of the build. */
    double t0 = now_ms();
    struct idx_query warm = {.sort = IDX_SORT_KUDOS};
    struct idx_result wr;
    if (idx_search(idx, &warm, &wr))
        return 1;
    idx_result_free(&wr);
    build += now_ms() - t0;
    struct idx_stats st;
    idx_get_stats(idx, &st);
    printf("archive    %u works, %llu distinct tags, %zu work-tag pairs (%.1f per work)\n", nworks,
           (unsigned long long)st.tags, tn, (double)tn / nworks);
    printf("index      built in %.2f s; bitmaps %.1f MB, forward+sort keys %.1f MB, fandom facet "
           "counts %.1f MB; process RSS +%.0f MB\n",
           build / 1e3, st.bitmap_bytes / 1e6, st.forward_bytes / 1e6,
           idx_facet_cache_bytes(idx) / 1e6, (rss_kb() - rss0) / 1024.0);

    mem_report(idx);
    uint64_t heap1, heapfree1;
    heap_bytes(&heap1, &heapfree1);
    printf(
        "memory     allocator: %.1f MB in use by the index (malloc headers and rounding, CRoaring "
        "internals and mmapped blocks included), %.1f MB more held free in the heap; process "
        "RSS +%.1f MB (MB = 10^6 bytes)\n",
        ((double)heap1 - (double)heap0) / 1e6, ((double)heapfree1 - (double)heapfree0) / 1e6,
        (rss_kb() - rss0) * 1024.0 / 1e6);
    /* Freed memory glibc keeps mapped (the first query's scratch arrays among it) is not the
     * index's: give it back and measure again. */
    malloc_trim(0);
    printf("memory     process RSS +%.1f MB after malloc_trim(0); anonymous RSS +%.1f MB\n",
           (rss_kb() - rss0) * 1024.0 / 1e6, (rss_kind_kb(1) - anon0) * 1024.0 / 1e6);

    /* Queries. */
    struct bq *qs = calloc((size_t)nq, sizeof(*qs));
    struct gm_rng r = {seed ^ 0xabcdef};
    for (int i = 0; i < nq; i++) {
        struct bq *b = &qs[i];
        uint32_t w = (uint32_t)(gm_next(&r) % nworks);
        uint32_t n = m.off[w + 1] - m.off[w];
        if (shape == GM_SHAPE_AO3) {
            /* The performance issue's mix: a fandom (70 %) or another tag of a random work
             * (so both weighted by popularity), 0-2 more of its tags, 2 excluded tags among
             * the popular characters, relationships and freeforms, 1-3 ratings, sorted by
             * posting date, 20 a page, all facets. */
            uint32_t first = 0;
            if (gm_unif(&r) >= 0.7)
                first = 1 + (uint32_t)(gm_next(&r) % (n - 1));
            b->first_tag = first != 0;
            b->fandom = m.tags[m.off[w] + first];
            b->ntags = (uint32_t)(gm_next(&r) % 3);
            for (uint32_t k = 0; k < b->ntags; k++) {
                uint32_t pick;
                do
                    pick = 1 + (uint32_t)(gm_next(&r) % (n - 1));
                while (pick == first);
                b->tags[k] = m.tags[m.off[w] + pick];
            }
            if (b->ntags == 2 && b->tags[0] == b->tags[1])
                b->ntags = 1;
            for (int k = 0; k < 2; k++) {
                for (;;) {
                    double u = gm_unif(&r);
                    uint32_t f0 = gm_zipf(&g.zf, &r);
                    uint32_t t = u < 0.4   ? gm_tag_free(&g, gm_zipf(&g.zfree, &r))
                                 : u < 0.7 ? gm_tag_char(&g, f0, gm_zipf(&g.zchar, &r))
                                           : gm_tag_rel(&g, f0, gm_zipf(&g.zrel, &r));
                    int clash = t == b->fandom || (k == 1 && t == b->ex[0]);
                    for (uint32_t j = 0; j < b->ntags; j++)
                        clash |= t == b->tags[j];
                    if (!clash) {
                        b->ex[k] = t;
                        break;
                    }
                }
            }
        } else {
            b->fandom = m.tags[m.off[w]];
            b->ntags = (uint32_t)(gm_next(&r) % 3);
            for (uint32_t k = 0; k < b->ntags; k++)
                b->tags[k] = m.tags[m.off[w] + 1 + (uint32_t)(gm_next(&r) % (n - 1))];
            if (b->ntags == 2 && b->tags[0] == b->tags[1])
                b->ntags = 1;
            for (int k = 0; k < 2; k++) {
                do
                    b->ex[k] = gm_tag_free(&g, gm_zipf(&g.zfree, &r) + 5);
                while (b->ex[k] >= gm_ntags(&g) || b->ex[k] == b->tags[0] ||
                       (b->ntags == 2 && b->ex[k] == b->tags[1]) ||
                       (k == 1 && b->ex[1] == b->ex[0]));
            }
        }
        int nr = 1 + (int)(gm_next(&r) % 3);
        for (int k = 0; k < nr; k++)
            b->ratings |= 1u << (gm_next(&r) % RATING__COUNT);
    }
    double *ti = malloc(nq * sizeof(double)), *tc = malloc(nq * sizeof(double));
    if (only >= 0 && only < nq) {
        /* The first run may build cached counts: it is left out of the figures. */
        /* --ab: every other run with the walk's prefetching off, the two compared on the
         * same machine load. */
        double t1, c1, sum[2] = {0, 0}, best[2] = {1e9, 1e9};
        run_index(idx, &g, &qs[only], 1, &t1, &c1, 1);
        for (int k = 0; k < repeat; k++) {
            int b = do_ab && k % 2;
            idx_walk_prefetch_on = !b;
            run_index(idx, &g, &qs[only], 1, &t1, &c1, 1);
            sum[b] += t1;
            best[b] = t1 < best[b] ? t1 : best[b];
        }
        idx_walk_prefetch_on = 1;
        int na = do_ab ? (repeat + 1) / 2 : repeat;
        printf("only       q%d: %llu results, %d runs, mean %.3f ms, best %.3f ms\n", only,
               (unsigned long long)qs[only].total, na, sum[0] / na, best[0]);
        if (do_ab)
            printf("only       q%d without prefetching: %d runs, mean %.3f ms, best %.3f ms\n",
                   only, repeat / 2, sum[1] / (repeat / 2), best[1]);
        return 0;
    }
    uint64_t fs_fandom = idx_facet_stats.fandom_path, fs_isect = idx_facet_stats.isect,
             fs_walked = idx_facet_stats.walked;
    check_meta = check_n > 0 ? &m : NULL;
    check_g = &g;
    check_nworks = nworks;
    cpu_first = malloc(nq * sizeof(double));
    cpu_best = malloc(nq * sizeof(double));
    if (run_index(idx, &g, qs, nq, ti, tc, repeat))
        return 1;
    double *cf = cpu_first, *cb = cpu_best;
    cpu_first = cpu_best = NULL;
    if (check_meta) {
        printf("check      facets and totals of the first %llu queries equal a brute-force count "
               "over the generated works\n",
               (unsigned long long)checked);
        check_meta = NULL;
    }
    if (dump_path && dump_urls(dump_path, &g, qs, nq))
        return 1;
    uint64_t big = 0;
    for (int i = 0; i < nq; i++)
        big += qs[i].total >= 20000;
    printf("queries    %d; %llu with 20k+ results\n", nq, (unsigned long long)big);
    double *sorted = malloc(nq * sizeof(double));
    memcpy(sorted, ti, nq * sizeof(double));
    report("index", sorted, nq, 0, 0);
    memcpy(sorted, tc, nq * sizeof(double));
    report("index best", sorted, nq, 0, 0);
    printf("(index = first run of each query; index best = best of %d runs of each query)\n",
           repeat);
    report("cpu", cf, nq, 0, 0);
    report("cpu best", cb, nq, 0, 0);
    printf("(cpu = the same in CPU time of the querying thread: time spent waiting for a core on "
           "a loaded machine left out)\n");
    free(cf);
    free(cb);
    printf("facets     per run of the %d queries: %llu results counted inside one fandom, %llu "
           "tag counts there, %llu works walked\n",
           nq, (unsigned long long)(idx_facet_stats.fandom_path - fs_fandom) / repeat,
           (unsigned long long)(idx_facet_stats.isect - fs_isect) / repeat,
           (unsigned long long)(idx_facet_stats.walked - fs_walked) / repeat);
    double p50b = sorted[nq / 2], p99b = sorted[(int)(nq * 0.99)];
    memcpy(sorted, ti, nq * sizeof(double));
    qsort(sorted, nq, sizeof(double), cmp_d);
    double p50 = sorted[nq / 2], p99 = sorted[(int)(nq * 0.99)];
    for (int k = 0; k < nslow && k < nq; k++) {
        int worst = 0;
        for (int i = 1; i < nq; i++)
            if (tc[i] > tc[worst])
                worst = i;
        double t1, c1, t2, c2;
        nofacets = 1;
        run_index(idx, &g, &qs[worst], 1, &t1, &c1, repeat);
        nofacets = 0;
        uint64_t s_isect = idx_facet_stats.isect, s_walked = idx_facet_stats.walked,
                 s_fandom = idx_facet_stats.fandom_path;
        uint64_t s_fail[2][4], s_fail_cost[2];
        for (int a = 0; a < 2; a++) {
            s_fail_cost[a] = idx_facet_stats.fail_cost[a];
            for (int ty = 0; ty < 4; ty++)
                s_fail[a][ty] = idx_facet_stats.fail[a][ty];
        }
        run_index(idx, &g, &qs[worst], 1, &t2, &c2, repeat);
        /* which types the bounds did not settle (then walked): in a tag's counts (t), by
         * totals (T); letters f r c x = fandoms, relationships, characters, freeforms, and
         * $ when the budget ran out */
        char fails[32], *fp = fails;
        for (int a = 0; a < 2; a++) {
            *fp++ = a ? 'T' : 't';
            *fp++ = ':';
            for (int ty = 0; ty < 4; ty++)
                if (idx_facet_stats.fail[a][ty] != s_fail[a][ty])
                    *fp++ = "frcx"[ty];
            if (idx_facet_stats.fail_cost[a] != s_fail_cost[a])
                *fp++ = '$';
            *fp++ = ' ';
        }
        fp[-1] = 0;
        char tname[96];
        uint32_t itag;
        enum tag_type tty = gm_tag_name(&g, qs[worst].fandom, tname, sizeof(tname));
        uint64_t tcard = idx_tag_lookup(idx, tty, tname, &itag) ? idx_tag_card(idx, itag) : 0;
        uint32_t fsz = 0;
        for (uint32_t w = 0; w < nworks; w++)
            fsz += m.tags[m.off[w]] == qs[worst].fandom;
        printf("slow       q%d: best %.3f ms (again %.3f, %.3f without facets), %llu results, "
               "%s %u (%u works as first fandom, %llu in all), %u tags; per run: %llu inside "
               "a tag, %llu tag counts, %llu works walked; unsettled %s\n",
               worst, tc[worst], c2, c1, (unsigned long long)qs[worst].total,
               qs[worst].first_tag ? "tag" : "fandom", qs[worst].fandom, fsz,
               (unsigned long long)tcard, qs[worst].ntags,
               (unsigned long long)(idx_facet_stats.fandom_path - s_fandom) / repeat,
               (unsigned long long)(idx_facet_stats.isect - s_isect) / repeat,
               (unsigned long long)(idx_facet_stats.walked - s_walked) / repeat, fails);
        tc[worst] = -tc[worst];
    }
    for (int i = 0; i < nq; i++)
        tc[i] = tc[i] < 0 ? -tc[i] : tc[i];
    if (do_baseline) {
        /* The same queries counting facets as before fandom bounds (walking the matches'
         * tags), in the same process: the before/after comparison on the same machine load. */
        int saved = idx_facet_bound_min;
        idx_facet_bound_min = 2000000000;
        double *tb = malloc(nq * sizeof(double)), *tbc = malloc(nq * sizeof(double));
        uint64_t *totals = malloc(nq * sizeof(uint64_t));
        for (int i = 0; i < nq; i++)
            totals[i] = qs[i].total;
        if (run_index(idx, &g, qs, nq, tb, tbc, repeat))
            return 1;
        for (int i = 0; i < nq; i++)
            if (totals[i] != qs[i].total) {
                fprintf(stderr, "baseline query %d: total differs\n", i);
                return 1;
            }
        report("walk", tb, nq, p50, p99);
        report("walk best", tbc, nq, p50b, p99b);
        printf("(walk = the same queries with facets counted by walking every match's tags, as "
               "before fandom bounds; x = walk / index)\n");
        free(tb);
        free(tbc);
        free(totals);
        idx_facet_bound_min = saved;
    }
    if (do_mute && run_muted(idx, &g, seed, nworks, qs, nq, repeat, p50, p99, p50b, p99b))
        return 1;
    if (do_sqlite || do_pg) {
        int ns = nsql < nq ? nsql : nq;
        double *ts = malloc(ns * sizeof(double));
        int done = 0;
        if (do_sqlite) {
            char path[512];
            snprintf(path, sizeof(path), "%s/ficd-bench-filter-%d.db", tmp, (int)getpid());
            if (run_sqlite(path, &m, nworks, qs, ns, budget, ts, &done))
                return 1;
            /* compare with the index on the same queries */
            memcpy(sorted, ti, done * sizeof(double));
            qsort(sorted, done, sizeof(double), cmp_d);
            report("index*", sorted, done, 0, 0);
            report("sqlite", ts, done, done ? sorted[done / 2] : 0,
                   done ? sorted[(int)(done * 0.99)] : 0);
        }
        if (do_pg) {
            if (run_pg(tmp, &m, nworks, qs, ns, budget, ts, &done))
                return 1;
            memcpy(sorted, ti, done * sizeof(double));
            qsort(sorted, done, sizeof(double), cmp_d);
            report("index*", sorted, done, 0, 0);
            report("postgres", ts, done, done ? sorted[done / 2] : 0,
                   done ? sorted[(int)(done * 0.99)] : 0);
        }
        free(ts);
        printf("(index* = the index on the same queries the SQL engine ran; every SQL result "
               "matched the index's total and page)\n");
    }
    (void)p50;
    (void)p99;
    free(ti);
    free(tc);
    free(sorted);
    free(qs);
    idx_free(idx);
    return 0;
}
