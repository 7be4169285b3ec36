/* fulltext.c: the full-text benchmark: ranked top-20 plus the exact match count for words,
 * AND pairs, phrases and prefixes over generated prose, ficd's index against SQLite FTS5 and
 * Xapian (bench/xapian_peer.py, run with the same corpus and queries). */
/*
 * Usage: bench_fulltext [--works N] [--words W] [--queries Q] [--fts5] [--xapian]
 *                       [--xapian-script PATH] [--seed S] [--tmp DIR]
 *
 * Generates N works (default 100000) with one body of about W words (default 900, Zipf
 * vocabulary of 30000 words with English function words on top), indexes them in memory
 * (and into an FTS5 table with the porter unicode61 tokenizer when --fts5), then runs Q
 * queries (default 1000): 30% one word (common, middling or rare), 30% two words ANDed,
 * 20% two-word phrases taken from the bodies, 20% prefixes. Each query returns the top 20
 * by BM25 and the exact number of matches. With --xapian the corpus and the queries are
 * written to DIR and PATH (default bench/xapian_peer.py) is run with /usr/bin/python3 (which
 * has python3-xapian), in the same run; its figures are printed with ratios to ficd's.
 */
#include "gen_meta.h"
#include "index/index.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = 0;
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmRSS:", 6))
            v = atol(line + 6);
    if (f)
        fclose(f);
    return v;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prints percentiles of t (sorted in place), with ratios to base p50/p99 when given. */
static void report(const char *name, double *t, int n, const double *base)
{
    qsort(t, (size_t)n, sizeof(double), cmp_d);
    double p50 = t[n / 2], p99 = t[(int)(n * 0.99)];
    printf("%-8s n=%-5d p50 %9.3f ms  p90 %9.3f ms  p99 %9.3f ms  max %9.3f ms", name, n, p50,
           t[(int)(n * 0.9)], p99, t[n - 1]);
    if (base)
        printf("  (x%.1f p50, x%.1f p99 vs index)", p50 / base[0], p99 / base[1]);
    printf("\n");
}

/* Writes s to f with tabs and newlines as spaces (the Xapian peer's TSV). */
static void tsv(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

/* Two consecutive words of an HTML body (lower-cased), for phrase queries. */
static int bigram(const char *html, struct gm_rng *r, char *out, size_t n)
{
    size_t len = strlen(html);
    size_t at = (size_t)(gm_next(r) % (len > 200 ? len - 200 : 1));
    const char *p = html + at;
    while (*p && *p != ' ')
        p++;
    if (!*p)
        return 0;
    p++;
    size_t k = 0;
    int words = 0;
    while (*p && k + 1 < n && words < 2) {
        if (*p >= 'a' && *p <= 'z')
            out[k++] = *p;
        else if (*p >= 'A' && *p <= 'Z')
            out[k++] = (char)(*p + 32);
        else if (*p == ' ') {
            if (++words < 2)
                out[k++] = ' ';
        } else
            return 0; /* punctuation or markup: try another */
        p++;
    }
    out[k] = 0;
    return words == 2 && strchr(out, ' ') != NULL;
}

int main(int argc, char **argv)
{
    uint32_t nworks = 100000;
    int body = 900, nq = 1000, do_fts5 = 0, do_xapian = 0;
    uint64_t seed = 1;
    const char *tmp = "/tmp", *xscript = "bench/xapian_peer.py";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--works") && i + 1 < argc)
            nworks = (uint32_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--words") && i + 1 < argc)
            body = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            nq = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (uint64_t)atoll(argv[++i]);
        else if (!strcmp(argv[i], "--tmp") && i + 1 < argc)
            tmp = argv[++i];
        else if (!strcmp(argv[i], "--fts5"))
            do_fts5 = 1;
        else if (!strcmp(argv[i], "--xapian"))
            do_xapian = 1;
        else if (!strcmp(argv[i], "--xapian-script") && i + 1 < argc)
            xscript = argv[++i];
        else {
            fprintf(stderr, "usage: bench_fulltext [--works N] [--words W] [--queries Q] "
                            "[--fts5] [--xapian] [--xapian-script PATH] [--seed S] "
                            "[--tmp DIR]\n");
            return 2;
        }
    }
    if (nworks < 100 || body < 10 || nq < 1) {
        fprintf(stderr, "bench_fulltext: --works >= 100, --words >= 10, --queries >= 1\n");
        return 2;
    }
    struct gm g;
    gm_init(&g, nworks, body);
    struct idx *idx;
    if (idx_new(1, &idx))
        return 1;
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    char path[512];
    snprintf(path, sizeof(path), "%s/ficd-bench-fts-%d.db", tmp, (int)getpid());
    if (do_fts5) {
        unlink(path);
        sqlite3_open(path, &db);
        sqlite3_exec(db,
                     "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA "
                     "cache_size=-1000000; CREATE VIRTUAL TABLE fts USING fts5(title, summary, "
                     "tags, body, tokenize='porter unicode61'); BEGIN",
                     NULL, NULL, NULL);
        sqlite3_prepare_v2(db,
                           "INSERT INTO fts(rowid, title, summary, tags, body) VALUES "
                           "(?,?,?,?,?)",
                           -1, &ins, NULL);
    }
    char xcorpus[512], xqueries[512], xdb[512];
    snprintf(xcorpus, sizeof(xcorpus), "%s/ficd-bench-xapian-%d.tsv", tmp, (int)getpid());
    snprintf(xqueries, sizeof(xqueries), "%s/ficd-bench-xapian-%d.q", tmp, (int)getpid());
    snprintf(xdb, sizeof(xdb), "%s/ficd-bench-xapian-%d.db", tmp, (int)getpid());
    FILE *xf = NULL;
    if (do_xapian && !(xf = fopen(xcorpus, "w"))) {
        perror(xcorpus);
        return 1;
    }
    int nbig = nq / 5 + 1, have_big = 0;
    char(*bigrams)[64] = calloc((size_t)nbig, 64);
    struct gm_rng br = {seed ^ 77};
    long rss0 = rss_kb();
    double t_idx = 0, t_fts = 0;
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < nworks; i++) {
        struct work w;
        gm_work(&g, seed, i, &w);
        bytes += strlen(w.chapters[0].html);
        if (have_big < nbig && i % (nworks / nbig + 1) == 0)
            for (int tries = 0; tries < 10; tries++)
                if (bigram(w.chapters[0].html, &br, bigrams[have_big], 64)) {
                    have_big++;
                    break;
                }
        double t0 = now_ms();
        if (idx_put_work(idx, &w)) {
            fprintf(stderr, "idx_put_work failed\n");
            return 1;
        }
        t_idx += now_ms() - t0;
        char tags[2048] = "";
        const struct strlist *ls[4] = {&w.fandoms, &w.relationships, &w.characters, &w.freeforms};
        for (int k = 0; k < 4; k++)
            for (size_t j = 0; j < ls[k]->n; j++)
                snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags), "%s; ", ls[k]->v[j]);
        if (xf) {
            fprintf(xf, "%lld\t%d\t", (long long)w.id, (int)w.rating);
            for (size_t j = 0; j < w.fandoms.n; j++) {
                fputs(j ? "|" : "", xf);
                tsv(xf, w.fandoms.v[j]);
            }
            fputc('\t', xf);
            tsv(xf, w.title);
            fputc('\t', xf);
            tsv(xf, w.summary);
            fputc('\t', xf);
            tsv(xf, tags);
            fputc('\t', xf);
            tsv(xf, w.chapters[0].html);
            fputc('\n', xf);
        }
        if (do_fts5) {
            t0 = now_ms();
            sqlite3_bind_int64(ins, 1, w.id);
            sqlite3_bind_text(ins, 2, w.title, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 3, w.summary, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 4, tags, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 5, w.chapters[0].html, -1, SQLITE_STATIC);
            sqlite3_step(ins);
            sqlite3_reset(ins);
            t_fts += now_ms() - t0;
        }
        work_free(&w);
    }
    struct idx_stats st;
    idx_get_stats(idx, &st);
    printf("corpus   %u works, %.0f MB of body HTML, %llu distinct terms\n", nworks, bytes / 1e6,
           (unsigned long long)st.terms);
    printf("index    built in %.1f s; postings %.0f MB; process RSS +%.0f MB\n", t_idx / 1e3,
           st.postings_bytes / 1e6, (rss_kb() - rss0) / 1024.0);
    double st_postings_mb = st.postings_bytes / 1e6;
    if (do_fts5) {
        double t0 = now_ms();
        sqlite3_finalize(ins);
        sqlite3_exec(db, "COMMIT; INSERT INTO fts(fts) VALUES('optimize')", NULL, NULL, NULL);
        t_fts += now_ms() - t0;
        sqlite3_int64 pages = 0, psize = 0;
        sqlite3_stmt *st2;
        sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st2, NULL);
        if (sqlite3_step(st2) == SQLITE_ROW)
            pages = sqlite3_column_int64(st2, 0);
        sqlite3_finalize(st2);
        sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st2, NULL);
        if (sqlite3_step(st2) == SQLITE_ROW)
            psize = sqlite3_column_int64(st2, 0);
        sqlite3_finalize(st2);
        printf("fts5     built in %.1f s; database %.0f MB (text included)\n", t_fts / 1e3,
               (double)(pages * psize) / 1e6);
    }

    /* Queries, in both syntaxes. */
    char(*ours)[128] = calloc((size_t)nq, 128), (*theirs)[128] = calloc((size_t)nq, 128);
    struct gm_rng r = {seed ^ 0x5eed};
    for (int i = 0; i < nq; i++) {
        int kind = (int)(gm_next(&r) % 10);
        uint32_t bands[3][2] = {{0, 70}, {70, 2000}, {2000, 30000}};
        uint32_t *b = bands[gm_next(&r) % 3];
        const char *w1 = g.vocab[b[0] + gm_next(&r) % (b[1] - b[0])];
        const char *w2 = g.vocab[gm_next(&r) % 2000];
        if (kind < 3) {
            snprintf(ours[i], 128, "%s", w1);
            snprintf(theirs[i], 128, "%s", w1);
        } else if (kind < 6) {
            snprintf(ours[i], 128, "%s %s", w1, w2);
            snprintf(theirs[i], 128, "%s AND %s", w1, w2);
        } else if (kind < 8 && have_big) {
            const char *bg = bigrams[gm_next(&r) % (uint64_t)have_big];
            snprintf(ours[i], 128, "\"%s\"", bg);
            snprintf(theirs[i], 128, "\"%s\"", bg);
        } else {
            const char *p = g.vocab[70 + gm_next(&r) % 1930];
            snprintf(ours[i], 128, "%.4s*", p);
            snprintf(theirs[i], 128, "%.4s*", p);
        }
    }
    double *t = malloc(nq * sizeof(double));
    uint64_t sum = 0, *totals = calloc((size_t)nq, sizeof(uint64_t));
    for (int i = 0; i < nq; i++) {
        struct idx_query q = {
            .text = ours[i], .per_page = 20, .facet_limit = -1, .include_restricted = 1};
        struct idx_result res;
        double t0 = now_ms();
        int rc = idx_search(idx, &q, &res);
        t[i] = now_ms() - t0;
        if (rc) {
            fprintf(stderr, "query [%s]: %s\n", ours[i], res.err);
            return 1;
        }
        sum += res.total;
        totals[i] = res.total;
        idx_result_free(&res);
    }
    printf("queries  %d, mean %.0f matches each\n", nq, (double)sum / nq);
    report("index", t, nq, NULL);
    double base[2] = {t[nq / 2], t[(int)(nq * 0.99)]};
    /* The same with facets (the web page's search shows them). */
    for (int i = 0; i < nq; i++) {
        struct idx_query q = {.text = ours[i], .per_page = 20, .include_restricted = 1};
        struct idx_result res;
        double t0 = now_ms();
        if (idx_search(idx, &q, &res))
            return 1;
        t[i] = now_ms() - t0;
        idx_result_free(&res);
    }
    report("+facets", t, nq, base);
    if (do_fts5) {
        sqlite3_stmt *top, *cnt;
        sqlite3_prepare_v2(db,
                           "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 3.0, "
                           "2.0, 2.0, 1.0) LIMIT 20",
                           -1, &top, NULL);
        sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE fts MATCH ?", -1, &cnt, NULL);
        for (int i = 0; i < nq; i++) {
            double t0 = now_ms();
            sqlite3_bind_text(top, 1, theirs[i], -1, SQLITE_STATIC);
            while (sqlite3_step(top) == SQLITE_ROW)
                ;
            sqlite3_reset(top);
            sqlite3_bind_text(cnt, 1, theirs[i], -1, SQLITE_STATIC);
            while (sqlite3_step(cnt) == SQLITE_ROW)
                ;
            sqlite3_reset(cnt);
            t[i] = now_ms() - t0;
        }
        sqlite3_finalize(top);
        sqlite3_finalize(cnt);
        report("fts5", t, nq, base);
        sqlite3_close(db);
        unlink(path);
    }
    if (xf) {
        /* Xapian, through its python bindings, on the same corpus and queries. */
        fclose(xf);
        FILE *qf = fopen(xqueries, "w");
        if (!qf) {
            perror(xqueries);
            return 1;
        }
        for (int i = 0; i < nq; i++)
            fprintf(qf, "%s\t%llu\n", ours[i], (unsigned long long)totals[i]);
        fclose(qf);
        char cmd[2048];
        snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s' '%s' '%s'", xscript, xcorpus,
                 xqueries, xdb);
        fflush(stdout);
        FILE *p = popen(cmd, "r");
        char line[512];
        double x[9] = {0};
        int got = 0;
        while (p && fgets(line, sizeof(line), p)) {
            if (!strncmp(line, "XAPIAN_RESULT ", 14))
                got = sscanf(line + 14, "%lf %lf %lf %lf %lf %lf %lf %lf %lf", &x[0], &x[1], &x[2],
                             &x[3], &x[4], &x[5], &x[6], &x[7], &x[8]) == 9;
            else
                fputs(line, stdout);
        }
        int prc = p ? pclose(p) : -1;
        if (!got || prc) {
            fprintf(stderr, "xapian peer failed (%s)\n", cmd);
            return 1;
        }
        printf("xapian   vs index: x%.1f p50, x%.1f p99; build x%.1f; size x%.1f (vs postings)\n",
               x[1] / base[0], x[3] / base[1], x[5] / (t_idx / 1e3),
               x[6] / (st_postings_mb > 0 ? st_postings_mb : 1));
        unlink(xcorpus);
        unlink(xqueries);
    }
    free(totals);
    free(t);
    free(ours);
    free(theirs);
    free(bigrams);
    idx_free(idx);
    return 0;
}
