/* fulltext.c: the full-text benchmark: ranked top-20 plus the exact match count for words,
 * AND pairs, AND NOT pairs and phrases over generated prose, each with a rating filter and
 * some with a fandom, ficd's index against SQLite FTS5 and Xapian (bench/xapian_peer.py, run
 * with the same corpus and queries). */
/*
 * Usage: bench_fulltext [--works N] [--words W] [--queries Q] [--repeat R] [--fts5]
 *                       [--fts5-repeat R] [--xapian] [--xapian-script PATH] [--cache DIR] [--dump K]
 *                       [--keep-corpus] [--seed S] [--tmp DIR]
 *
 * Generates N works (default 100000) with one body of about W words (default 900, Zipf
 * vocabulary of 30000 words with English function words on top; 8 % of the works are
 * labelled Español), indexes them in memory (and, in a second pass over the same works, into
 * an FTS5 table with the porter unicode61 tokenizer plus a works table and a work_fandoms
 * table when --fts5), then runs Q queries (default 1000): 30 % one word (common, middling
 * or rare), 25 % two words ANDed, 20 % one word AND NOT another, 25 % two-word phrases taken
 * from the bodies; every query has a filter of 1-3 ratings and 30 % also a fandom. Each
 * query returns the top 20 by BM25 and the exact number of matches. Every engine runs the
 * whole query list R times (default 3; FTS5 --fts5-repeat times, default 1: it is slow); the
 * figures are the first run and the best of the R runs per query (which leaves out time lost
 * to other jobs on a shared machine).
 *
 * With --xapian the corpus and the queries are written to DIR (default: bench-cache/ beside
 * this executable) and PATH (default bench/xapian_peer.py) is run with /usr/bin/python3
 * (which has python3-xapian), in the same run; its Xapian database is kept in DIR and reused
 * by later runs with the same corpus (keyed by N, W, S and a hash of the corpus). The peer
 * compares its counts and top-20 sets with ficd's; --dump K also hands it ficd's full match
 * sets of the first K queries so that it lists the works found by one engine only;
 * --keep-corpus leaves DIR/.../corpus.tsv and queries.tsv for running the peer by hand.
 */
#include "gen_meta.h"
#include "index/index.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* The 1-minute load average (the machine is shared: every figure is printed with it). */
static double load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct pct {
    double p50, p90, p99, max;
};

static struct pct pcts(const double *t, int n)
{
    double *s = malloc((size_t)n * sizeof(double));
    memcpy(s, t, (size_t)n * sizeof(double));
    qsort(s, (size_t)n, sizeof(double), cmp_d);
    struct pct p = {s[n / 2], s[(int)(n * 0.9)], s[(int)(n * 0.99)], s[n - 1]};
    free(s);
    return p;
}

/* Prints percentiles of the first run and of the best of the runs per query, with ratios to
 * base (ficd's best-of p50/p99) when given; returns the best-of percentiles. */
static struct pct report(const char *name, const double *first, const double *best, int n, int runs,
                         const struct pct *base)
{
    struct pct f = pcts(first, n), b = pcts(best, n);
    printf("%-8s n=%-5d first run: p50 %8.3f ms  p90 %8.3f ms  p99 %8.3f ms  max %8.3f ms\n", name,
           n, f.p50, f.p90, f.p99, f.max);
    if (runs > 1) {
        printf("%-8s n=%-5d best of %d: p50 %8.3f ms  p90 %8.3f ms  p99 %8.3f ms  max %8.3f ms",
               name, n, runs, b.p50, b.p90, b.p99, b.max);
        if (base)
            printf("  (x%.1f p50, x%.1f p99 vs index)", b.p50 / base->p50, b.p99 / base->p99);
        printf("\n");
    } else if (base)
        printf("%-8s (x%.1f p50, x%.1f p99 vs index)\n", name, f.p50 / base->p50,
               f.p99 / base->p99);
    printf("%-8s load average %.2f\n", name, load1());
    return runs > 1 ? b : f;
}

/* Writes s to f with tabs, newlines and '|' as spaces (the Xapian peer's TSV). */
static uint64_t tsv(FILE *f, const char *s, uint64_t h)
{
    for (; s && *s; s++) {
        char c = *s == '\t' || *s == '\n' || *s == '\r' || *s == '|' ? ' ' : *s;
        fputc(c, f);
        h = (h ^ (unsigned char)c) * 0x100000001b3ull;
    }
    return h;
}

static uint64_t tsv_sep(FILE *f, char c, uint64_t h)
{
    fputc(c, f);
    return (h ^ (unsigned char)c) * 0x100000001b3ull;
}

static uint64_t tsv_list(FILE *f, const struct strlist *const *ls, int n, uint64_t h)
{
    int first = 1;
    for (int k = 0; k < n; k++)
        for (size_t j = 0; j < ls[k]->n; j++) {
            if (!first)
                h = tsv_sep(f, '|', h);
            first = 0;
            h = tsv(f, ls[k]->v[j], h);
        }
    return h;
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

enum qkind { K_WORD, K_AND, K_NOT, K_PHRASE, K__COUNT };
static const char *const kind_name[K__COUNT] = {"word", "and", "and-not", "phrase"};

struct fq {
    enum qkind kind;
    char text[128]; /* ficd's syntax, also Xapian's */
    char fts[128];  /* FTS5's */
    unsigned ratings;
    char fandom[32]; /* "" for none */
    uint64_t total;
    int64_t top[20];
    int ntop;
};

static void query_setup(struct idx_query *q, const struct fq *f, const char **fd)
{
    memset(q, 0, sizeof(*q));
    q->text = f->text;
    q->per_page = 20;
    q->facet_limit = -1;
    q->include_restricted = 1;
    q->ratings = f->ratings;
    if (f->fandom[0]) {
        *fd = f->fandom;
        q->fandoms = fd;
        q->nfandoms = 1;
    }
}

/* Every matching work id of f, written comma-separated to out (for --dump). */
static int dump_all(struct idx *idx, const struct fq *f, FILE *out)
{
    const char *fd;
    struct idx_query q;
    query_setup(&q, f, &fd);
    q.per_page = 1000;
    q.sort = IDX_SORT_WORDS;
    uint64_t got = 0;
    for (int page = 1;; page++) {
        struct idx_result res;
        q.page = page;
        if (idx_search(idx, &q, &res)) {
            idx_result_free(&res);
            return 1;
        }
        for (size_t i = 0; i < res.nhits; i++)
            fprintf(out, "%s%lld", got + i ? "," : "", (long long)res.hits[i].id);
        got += res.nhits;
        int more = res.nhits && got < res.total;
        idx_result_free(&res);
        if (!more)
            break;
    }
    return 0;
}

static int mkdirs(const char *path)
{
    char p[1100];
    snprintf(p, sizeof(p), "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0755);
            *s = '/';
        }
    return mkdir(p, 0755) && access(p, W_OK) ? -1 : 0;
}

int main(int argc, char **argv)
{
    uint32_t nworks = 100000;
    int body = 900, nq = 1000, do_fts5 = 0, do_xapian = 0, runs = 3, fruns = 1, ndump = 0;
    int keep = 0;
    uint64_t seed = 1;
    const char *tmp = "/tmp", *xscript = "bench/xapian_peer.py", *cache = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--works") && i + 1 < argc)
            nworks = (uint32_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--words") && i + 1 < argc)
            body = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            nq = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--fts5-repeat") && i + 1 < argc)
            fruns = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            ndump = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (uint64_t)atoll(argv[++i]);
        else if (!strcmp(argv[i], "--tmp") && i + 1 < argc)
            tmp = argv[++i];
        else if (!strcmp(argv[i], "--cache") && i + 1 < argc)
            cache = argv[++i];
        else if (!strcmp(argv[i], "--fts5"))
            do_fts5 = 1;
        else if (!strcmp(argv[i], "--keep-corpus"))
            keep = 1;
        else if (!strcmp(argv[i], "--xapian"))
            do_xapian = 1;
        else if (!strcmp(argv[i], "--xapian-script") && i + 1 < argc)
            xscript = argv[++i];
        else {
            fprintf(stderr, "usage: bench_fulltext [--works N] [--words W] [--queries Q] "
                            "[--repeat R] [--fts5] [--fts5-repeat R] [--xapian] "
                            "[--xapian-script PATH] "
                            "[--cache DIR] [--dump K] [--keep-corpus] [--seed S] "
                            "[--tmp DIR]\n");
            return 2;
        }
    }
    if (nworks < 100 || body < 10 || nq < 1 || runs < 1 || fruns < 1) {
        fprintf(stderr, "bench_fulltext: --works >= 100, --words >= 10, --queries >= 1, "
                        "--repeat and --fts5-repeat >= 1\n");
        return 2;
    }
    char cachebuf[512];
    if (!cache) {
        /* bench-cache/ beside the executable (the build directory). */
        snprintf(cachebuf, sizeof(cachebuf), "%s", argv[0]);
        char *slash = strrchr(cachebuf, '/');
        if (slash)
            snprintf(slash + 1, sizeof(cachebuf) - (size_t)(slash + 1 - cachebuf), "bench-cache");
        else
            snprintf(cachebuf, sizeof(cachebuf), "bench-cache");
        cache = cachebuf;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("machine  load average %.2f at start\n", load1());
    struct gm g;
    gm_init(&g, nworks, body);
    struct idx *idx;
    if (idx_new(1, &idx))
        return 1;

    char xdir[1024], xcorpus[1100], xqueries[1100], xdb[1100];
    snprintf(xdir, sizeof(xdir), "%s/xapian-%u-%d-%llu", cache, nworks, body,
             (unsigned long long)seed);
    snprintf(xcorpus, sizeof(xcorpus), "%s/corpus.tsv", xdir);
    snprintf(xqueries, sizeof(xqueries), "%s/queries.tsv", xdir);
    snprintf(xdb, sizeof(xdb), "%s/db", xdir);
    FILE *xf = NULL;
    if (do_xapian) {
        if (mkdirs(xdir)) {
            perror(xdir);
            return 1;
        }
        if (!(xf = fopen(xcorpus, "w"))) {
            perror(xcorpus);
            return 1;
        }
    }
    uint64_t xhash = 0xcbf29ce484222325ull;

    /* Pass 1: ficd's index (and the Xapian peer's corpus). */
    int nbig = nq / 4 + 1, have_big = 0;
    char(*bigrams)[64] = calloc((size_t)nbig, 64);
    struct gm_rng br = {seed ^ 77};
    long rss0 = rss_kb();
    double t_idx = 0;
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
        if (xf) {
            /* id, rating, language, fandoms, title, creators, tags, summary, body: the
             * fields ficd indexes (notes and chapter titles are empty here). */
            char num[32];
            snprintf(num, sizeof(num), "%lld", (long long)w.id);
            xhash = tsv_sep(xf, '\t', tsv(xf, num, xhash));
            snprintf(num, sizeof(num), "%d", (int)w.rating);
            xhash = tsv_sep(xf, '\t', tsv(xf, num, xhash));
            xhash = tsv(xf, w.language, xhash);
            xhash = tsv_sep(xf, '\t', xhash);
            const struct strlist *fl[1] = {&w.fandoms};
            xhash = tsv_list(xf, fl, 1, xhash);
            xhash = tsv_sep(xf, '\t', xhash);
            xhash = tsv(xf, w.title, xhash);
            xhash = tsv_sep(xf, '\t', xhash);
            const struct strlist *cl[1] = {&w.creators};
            xhash = tsv_list(xf, cl, 1, xhash);
            xhash = tsv_sep(xf, '\t', xhash);
            const struct strlist *tl[4] = {&w.fandoms, &w.relationships, &w.characters,
                                           &w.freeforms};
            xhash = tsv_list(xf, tl, 4, xhash);
            xhash = tsv_sep(xf, '\t', xhash);
            xhash = tsv(xf, w.summary, xhash);
            xhash = tsv_sep(xf, '\t', xhash);
            xhash = tsv(xf, w.chapters[0].html, xhash);
            xhash = tsv_sep(xf, '\n', xhash);
        }
        work_free(&w);
    }
    struct idx_stats st;
    idx_get_stats(idx, &st);
    printf("corpus   %u works, %.0f MB of body HTML, %llu distinct terms\n", nworks, bytes / 1e6,
           (unsigned long long)st.terms);
    printf("index    built in %.1f s; postings %.0f MB; process RSS +%.0f MB; load average "
           "%.2f\n",
           t_idx / 1e3, st.postings_bytes / 1e6, (rss_kb() - rss0) / 1024.0, load1());
    double st_postings_mb = st.postings_bytes / 1e6;
    if (xf && fclose(xf)) {
        perror(xcorpus);
        return 1;
    }

    /* Pass 2: the same works into SQLite FTS5, the way a plain SQL user would store them: an
     * FTS5 table for the text, a works table for the rating and a work_fandoms table. */
    sqlite3 *db = NULL;
    char path[512];
    snprintf(path, sizeof(path), "%s/ficd-bench-fts-%d.db", tmp, (int)getpid());
    double t_fts = 0, fts_mb = 0;
    if (do_fts5) {
        unlink(path);
        sqlite3_stmt *ins, *insw, *insf;
        if (sqlite3_open(path, &db) ||
            sqlite3_exec(db,
                         "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA "
                         "cache_size=-1000000; CREATE VIRTUAL TABLE fts USING fts5(title, "
                         "creators, summary, tags, body, tokenize='porter unicode61'); CREATE "
                         "TABLE works(id INTEGER PRIMARY KEY, rating INTEGER NOT NULL); CREATE "
                         "TABLE work_fandoms(work_id INTEGER NOT NULL, fandom TEXT NOT NULL); "
                         "BEGIN",
                         NULL, NULL, NULL) ||
            sqlite3_prepare_v2(db,
                               "INSERT INTO fts(rowid, title, creators, summary, tags, body) "
                               "VALUES (?,?,?,?,?,?)",
                               -1, &ins, NULL) ||
            sqlite3_prepare_v2(db, "INSERT INTO works(id, rating) VALUES (?,?)", -1, &insw, NULL) ||
            sqlite3_prepare_v2(db, "INSERT INTO work_fandoms(work_id, fandom) VALUES (?,?)", -1,
                               &insf, NULL)) {
            fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        for (uint32_t i = 0; i < nworks; i++) {
            struct work w;
            gm_work(&g, seed, i, &w);
            char tags[2048] = "", creators[256] = "";
            const struct strlist *ls[4] = {&w.fandoms, &w.relationships, &w.characters,
                                           &w.freeforms};
            for (int k = 0; k < 4; k++)
                for (size_t j = 0; j < ls[k]->n; j++)
                    snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags), "%s; ", ls[k]->v[j]);
            for (size_t j = 0; j < w.creators.n; j++)
                snprintf(creators + strlen(creators), sizeof(creators) - strlen(creators), "%s; ",
                         w.creators.v[j]);
            double t0 = now_ms();
            sqlite3_bind_int64(ins, 1, w.id);
            sqlite3_bind_text(ins, 2, w.title, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 3, creators, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 4, w.summary, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 5, tags, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 6, w.chapters[0].html, -1, SQLITE_STATIC);
            sqlite3_step(ins);
            sqlite3_reset(ins);
            sqlite3_bind_int64(insw, 1, w.id);
            sqlite3_bind_int(insw, 2, (int)w.rating);
            sqlite3_step(insw);
            sqlite3_reset(insw);
            for (size_t j = 0; j < w.fandoms.n; j++) {
                sqlite3_bind_int64(insf, 1, w.id);
                sqlite3_bind_text(insf, 2, w.fandoms.v[j], -1, SQLITE_STATIC);
                sqlite3_step(insf);
                sqlite3_reset(insf);
            }
            t_fts += now_ms() - t0;
            work_free(&w);
        }
        double t0 = now_ms();
        sqlite3_finalize(ins);
        sqlite3_finalize(insw);
        sqlite3_finalize(insf);
        sqlite3_exec(db,
                     "CREATE INDEX work_fandoms_fandom ON work_fandoms(fandom, work_id); COMMIT; "
                     "INSERT INTO fts(fts) VALUES('optimize'); ANALYZE",
                     NULL, NULL, NULL);
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
        fts_mb = (double)(pages * psize) / 1e6;
        printf("fts5     built in %.1f s; database %.0f MB (text included); load average %.2f\n",
               t_fts / 1e3, fts_mb, load1());
    }

    /* The queries. */
    struct fq *qs = calloc((size_t)nq, sizeof(*qs));
    struct gm_rng r = {seed ^ 0x5eed};
    int nkind[K__COUNT] = {0};
    for (int i = 0; i < nq; i++) {
        struct fq *f = &qs[i];
        int roll = (int)(gm_next(&r) % 20);
        f->kind = roll < 6 ? K_WORD : roll < 11 ? K_AND : roll < 15 ? K_NOT : K_PHRASE;
        if (f->kind == K_PHRASE && !have_big)
            f->kind = K_WORD;
        uint32_t bands[3][2] = {{0, 70}, {70, 2000}, {2000, 30000}};
        uint32_t *b = bands[gm_next(&r) % 3];
        const char *w1 = g.vocab[b[0] + gm_next(&r) % (b[1] - b[0])];
        const char *w2 = g.vocab[gm_next(&r) % 2000];
        const char *w3 = g.vocab[70 + gm_next(&r) % 1930];
        switch (f->kind) {
        case K_WORD:
            snprintf(f->text, sizeof(f->text), "%s", w1);
            snprintf(f->fts, sizeof(f->fts), "%s", w1);
            break;
        case K_AND:
            snprintf(f->text, sizeof(f->text), "%s AND %s", w1, w2);
            snprintf(f->fts, sizeof(f->fts), "%s AND %s", w1, w2);
            break;
        case K_NOT:
            snprintf(f->text, sizeof(f->text), "%s AND NOT %s", w1, w3);
            snprintf(f->fts, sizeof(f->fts), "%s NOT %s", w1, w3);
            break;
        default: {
            const char *bg = bigrams[gm_next(&r) % (uint64_t)have_big];
            snprintf(f->text, sizeof(f->text), "\"%s\"", bg);
            snprintf(f->fts, sizeof(f->fts), "\"%s\"", bg);
        }
        }
        /* 1-3 distinct ratings. */
        int nr = 1 + (int)(gm_next(&r) % 3);
        while (__builtin_popcount(f->ratings) < nr)
            f->ratings |= 1u << (gm_next(&r) % RATING__COUNT);
        if (gm_next(&r) % 10 < 3)
            snprintf(f->fandom, sizeof(f->fandom), "Fandom %u", gm_zipf(&g.zf, &r));
        nkind[f->kind]++;
    }
    printf("queries  %d: %d one word, %d AND, %d AND NOT, %d phrases; each with 1-3 ratings, "
           "30 %% with a fandom\n",
           nq, nkind[K_WORD], nkind[K_AND], nkind[K_NOT], nkind[K_PHRASE]);

    double *first = malloc((size_t)nq * sizeof(double)),
           *best = malloc((size_t)nq * sizeof(double));
    uint64_t sum = 0;
    for (int rep = 0; rep < runs; rep++)
        for (int i = 0; i < nq; i++) {
            struct fq *f = &qs[i];
            const char *fd;
            struct idx_query q;
            query_setup(&q, f, &fd);
            struct idx_result res;
            double t0 = now_ms();
            int rc = idx_search(idx, &q, &res);
            double t = now_ms() - t0;
            if (rc) {
                fprintf(stderr, "query [%s]: %s\n", f->text, res.err);
                return 1;
            }
            if (!rep) {
                first[i] = best[i] = t;
                f->total = res.total;
                sum += res.total;
                f->ntop = (int)res.nhits;
                for (size_t k = 0; k < res.nhits && k < 20; k++)
                    f->top[k] = res.hits[k].id;
            } else if (t < best[i])
                best[i] = t;
            idx_result_free(&res);
        }
    printf("queries  mean %.0f matches each\n", (double)sum / nq);
    struct pct base = report("index", first, best, nq, runs, NULL);
    {
        /* Per kind, best of runs. */
        for (int k = 0; k < K__COUNT; k++) {
            double *v = malloc((size_t)nq * sizeof(double));
            int n = 0;
            uint64_t m = 0;
            for (int i = 0; i < nq; i++)
                if (qs[i].kind == (enum qkind)k) {
                    v[n++] = best[i];
                    m += qs[i].total;
                }
            if (n) {
                struct pct p = pcts(v, n);
                printf("index    %-8s n=%-4d p50 %8.3f ms  p99 %8.3f ms  mean %.0f matches\n",
                       kind_name[k], n, p.p50, p.p99, (double)m / n);
            }
            free(v);
        }
    }
    /* The same with facets (the web page's search shows them), one run. */
    for (int i = 0; i < nq; i++) {
        const char *fd;
        struct idx_query q;
        query_setup(&q, &qs[i], &fd);
        q.facet_limit = 0;
        struct idx_result res;
        double t0 = now_ms();
        if (idx_search(idx, &q, &res))
            return 1;
        first[i] = now_ms() - t0;
        idx_result_free(&res);
    }
    report("+facets", first, first, nq, 1, &base);

    if (do_fts5) {
        /* A plain SQL user's queries: MATCH joined with the works table for the ratings (an
         * IN list; unused slots are -1) and a sub-select on work_fandoms for the fandom. */
        static const char *const sql[2][2] = {
            {"SELECT fts.rowid FROM fts JOIN works w ON w.id = fts.rowid WHERE fts MATCH ?1 AND "
             "w.rating IN (?2, ?3, ?4) ORDER BY bm25(fts, 3.0, 1.0, 2.0, 2.0, 1.0) LIMIT 20",
             "SELECT count(*) FROM fts JOIN works w ON w.id = fts.rowid WHERE fts MATCH ?1 AND "
             "w.rating IN (?2, ?3, ?4)"},
            {"SELECT fts.rowid FROM fts JOIN works w ON w.id = fts.rowid WHERE fts MATCH ?1 AND "
             "w.rating IN (?2, ?3, ?4) AND fts.rowid IN (SELECT work_id FROM work_fandoms WHERE "
             "fandom = ?5) ORDER BY bm25(fts, 3.0, 1.0, 2.0, 2.0, 1.0) LIMIT 20",
             "SELECT count(*) FROM fts JOIN works w ON w.id = fts.rowid WHERE fts MATCH ?1 AND "
             "w.rating IN (?2, ?3, ?4) AND fts.rowid IN (SELECT work_id FROM work_fandoms WHERE "
             "fandom = ?5)"}};
        sqlite3_stmt *stm[2][2];
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                if (sqlite3_prepare_v2(db, sql[a][b], -1, &stm[a][b], NULL)) {
                    fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
                    return 1;
                }
        int agree = 0, agree_top = 0;
        for (int rep = 0; rep < fruns; rep++)
            for (int i = 0; i < nq; i++) {
                const struct fq *f = &qs[i];
                int fdm = f->fandom[0] != 0;
                int slot[3] = {-1, -1, -1}, ns = 0;
                for (int k = 0; k < RATING__COUNT; k++)
                    if (f->ratings & (1u << k))
                        slot[ns++] = k;
                int64_t top[20];
                int ntop = 0;
                int64_t count = 0;
                double t0 = now_ms();
                for (int b = 0; b < 2; b++) {
                    sqlite3_stmt *s = stm[fdm][b];
                    sqlite3_bind_text(s, 1, f->fts, -1, SQLITE_STATIC);
                    for (int k = 0; k < 3; k++)
                        sqlite3_bind_int(s, 2 + k, slot[k]);
                    if (fdm)
                        sqlite3_bind_text(s, 5, f->fandom, -1, SQLITE_STATIC);
                    while (sqlite3_step(s) == SQLITE_ROW)
                        if (b)
                            count = sqlite3_column_int64(s, 0);
                        else if (ntop < 20)
                            top[ntop++] = sqlite3_column_int64(s, 0);
                    sqlite3_reset(s);
                }
                double t = now_ms() - t0;
                if (!rep) {
                    first[i] = best[i] = t;
                    agree += (uint64_t)count == f->total;
                    int same = ntop == f->ntop;
                    for (int k = 0; same && k < ntop; k++) {
                        int hit = 0;
                        for (int j = 0; j < f->ntop; j++)
                            hit |= f->top[j] == top[k];
                        same = hit;
                    }
                    agree_top += same;
                } else if (t < best[i])
                    best[i] = t;
            }
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                sqlite3_finalize(stm[a][b]);
        report("fts5", first, best, nq, fruns, &base);
        printf("fts5     counts equal to ficd's on %d of %d queries, top-20 sets on %d "
               "(porter is not Snowball english; no per-language stemming)\n",
               agree, nq, agree_top);
        printf("fts5     vs index: build x%.1f; size x%.1f (vs postings)\n",
               t_fts / (t_idx > 0 ? t_idx : 1), fts_mb / (st_postings_mb > 0 ? st_postings_mb : 1));
        sqlite3_close(db);
        unlink(path);
    }
    if (do_xapian) {
        /* Xapian, through its python bindings, on the same corpus and queries. */
        FILE *qf = fopen(xqueries, "w");
        if (!qf) {
            perror(xqueries);
            return 1;
        }
        for (int i = 0; i < nq; i++) {
            const struct fq *f = &qs[i];
            fprintf(qf, "%s\t%s\t", kind_name[f->kind], f->text);
            for (int k = 0, n = 0; k < RATING__COUNT; k++)
                if (f->ratings & (1u << k))
                    fprintf(qf, "%s%d", n++ ? "," : "", k);
            fprintf(qf, "\t%s\t%llu\t", f->fandom, (unsigned long long)f->total);
            for (int k = 0; k < f->ntop; k++)
                fprintf(qf, "%s%lld", k ? "," : "", (long long)f->top[k]);
            fputc('\t', qf);
            if (i < ndump && dump_all(idx, f, qf))
                return 1;
            fputc('\n', qf);
        }
        if (fclose(qf)) {
            perror(xqueries);
            return 1;
        }
        char key[128], cmd[8192];
        snprintf(key, sizeof(key), "%u-%d-%llu-%016llx", nworks, body, (unsigned long long)seed,
                 (unsigned long long)xhash);
        snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s' '%s' '%s' --key '%s' --repeat %d",
                 xscript, xcorpus, xqueries, xdb, key, runs);
        fflush(stdout);
        FILE *p = popen(cmd, "r");
        char line[1024];
        double x[12] = {0};
        int got = 0;
        while (p && fgets(line, sizeof(line), p)) {
            if (!strncmp(line, "XAPIAN_RESULT ", 14))
                got = sscanf(line + 14, "%lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf", &x[0],
                             &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7], &x[8], &x[9], &x[10],
                             &x[11]) == 12;
            else
                fputs(line, stdout);
        }
        int prc = p ? pclose(p) : -1;
        if (!got || prc) {
            fprintf(stderr, "xapian peer failed (%s)\n", cmd);
            return 1;
        }
        /* x: n, first p50 p90 p99, best p50 p90 p99, build s, size MB, mean matches, equal
         * counts, equal top-20 sets. */
        printf("xapian   vs index (best of %d): x%.1f p50, x%.1f p99; build x%.1f; size x%.1f "
               "(vs postings)\n",
               runs, x[4] / base.p50, x[6] / base.p99, x[7] / (t_idx / 1e3),
               x[8] / (st_postings_mb > 0 ? st_postings_mb : 1));
        printf("xapian   counts equal to ficd's on %.0f of %.0f queries; top-20 sets equal on "
               "%.0f\n",
               x[10], x[0], x[11]);
        if (!keep)
            unlink(xcorpus);
    }
    printf("machine  load average %.2f at the end\n", load1());
    free(first);
    free(best);
    free(qs);
    free(bigrams);
    idx_free(idx);
    return 0;
}
