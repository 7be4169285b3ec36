/* sanitize.c: the sanitizer micro-benchmark: sanitize_html with its gumbo-free fast path
 * (as ficd runs it) against gumbo alone, on two kinds of input taken from manuscript files:
 * the chapter HTML the importer produces (what every import and every re-saved chapter
 * passes through) and the raw bytes of the .html files (HTML as a writer pastes it). */
/*
 * Usage: bench_sanitize [--repeat R] FILE...
 *
 * Each FILE is imported (ms_import, untimed) and its chapters' HTML kept; .html files are
 * also kept as they are. Every input is then sanitized R times (default 5) as it is, and R
 * times behind an empty comment "<!---->": gumbo drops the comment, so the output is the
 * same, but the fast path refuses comments, so that run is gumbo alone (the differential
 * tests in tests/unit/text/test_sanitize.c use the same trick). The figures are the best of
 * the R runs, in MB of input per second of CPU time (one thread), and the share of inputs
 * whose output the fast path produced (the fast path's output is byte-identical to gumbo's,
 * which the run checks for every input).
 */
#include "core/buf.h"
#include "core/err.h"
#include "core/work.h"
#include "text/manuscript.h"
#include "text/sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct inputs {
    char **v;
    size_t *len;
    size_t n, cap, bytes;
};

static void add(struct inputs *in, const char *s, size_t n)
{
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 256;
        in->v = realloc(in->v, in->cap * sizeof(*in->v));
        in->len = realloc(in->len, in->cap * sizeof(*in->len));
        if (!in->v || !in->len) {
            fprintf(stderr, "bench_sanitize: out of memory\n");
            exit(1);
        }
    }
    /* the gumbo-only copy of an input is the same bytes behind "<!---->" */
    char *c = malloc(n + 8);
    if (!c) {
        fprintf(stderr, "bench_sanitize: out of memory\n");
        exit(1);
    }
    memcpy(c, "<!---->", 7);
    memcpy(c + 7, s, n);
    c[n + 7] = '\0';
    in->v[in->n] = c;
    in->len[in->n++] = n;
    in->bytes += n;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best CPU seconds of r runs over every input; gumbo: behind the comment. */
static double run(const struct inputs *in, int gumbo, int r)
{
    double best = 1e30;
    for (int k = 0; k < r; k++) {
        double t0 = cpu_s();
        for (size_t i = 0; i < in->n; i++) {
            char *o = gumbo ? sanitize_html(in->v[i], in->len[i] + 7)
                            : sanitize_html(in->v[i] + 7, in->len[i]);
            if (!o) {
                fprintf(stderr, "bench_sanitize: out of memory\n");
                exit(1);
            }
            free(o);
        }
        double t = cpu_s() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

/* Checks that both ways give the same output; returns how many inputs the fast path took
 * (a run of the input alone at least 3x faster than behind the comment is the fast path). */
static size_t check(const struct inputs *in)
{
    size_t fast = 0;
    for (size_t i = 0; i < in->n; i++) {
        double t0 = cpu_s();
        char *a = sanitize_html(in->v[i] + 7, in->len[i]);
        double t1 = cpu_s();
        char *b = sanitize_html(in->v[i], in->len[i] + 7);
        double t2 = cpu_s();
        if (!a || !b || strcmp(a, b)) {
            fprintf(stderr, "bench_sanitize: input %zu: fast path and gumbo differ\n", i);
            exit(1);
        }
        fast += (t1 - t0) * 3 < (t2 - t1);
        free(a);
        free(b);
    }
    return fast;
}

static void report(const char *what, const struct inputs *in, int r)
{
    if (!in->n)
        return;
    size_t fast = check(in);
    double tf = run(in, 0, r), tg = run(in, 1, r);
    double mb = in->bytes / 1e6;
    printf("| %s | %zu | %.1f | %.0f %% | %.1f | %.1f | %.2fx |\n", what, in->n, mb,
           100.0 * fast / in->n, mb / tf, mb / tg, tg / tf);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = BUF_INIT;
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_put(&b, chunk, k);
    fclose(f);
    *n = b.len;
    return b.err ? (buf_free(&b), NULL) : buf_take(&b);
}

int main(int argc, char **argv)
{
    int r = 5, first = 1;
    if (argc > 2 && !strcmp(argv[1], "--repeat")) {
        r = atoi(argv[2]);
        first = 3;
    }
    if (first >= argc || r < 1) {
        fprintf(stderr, "usage: bench_sanitize [--repeat R] FILE...\n");
        return 2;
    }
    struct inputs chapters = {0}, pasted = {0};
    for (int a = first; a < argc; a++) {
        size_t n;
        char *d = slurp(argv[a], &n);
        if (!d) {
            fprintf(stderr, "bench_sanitize: cannot read %s\n", argv[a]);
            return 1;
        }
        size_t l = strlen(argv[a]);
        if (l > 5 && !strcmp(argv[a] + l - 5, ".html"))
            add(&pasted, d, n);
        struct ms_opts o = {.filename = argv[a]};
        struct work w;
        struct text_err te;
        if (!ms_import((const unsigned char *)d, n, &o, &w, &te)) {
            for (size_t i = 0; i < w.nchapters; i++)
                if (w.chapters[i].html)
                    add(&chapters, w.chapters[i].html, strlen(w.chapters[i].html));
            work_free(&w);
        }
        free(d);
    }
    printf("| input | inputs | MB | fast path took | fast path + gumbo MB/s | gumbo alone MB/s | "
           "speed-up |\n|---|---:|---:|---:|---:|---:|---:|\n");
    report("importer's chapter HTML", &chapters, r);
    report("raw .html files", &pasted, r);
    return 0;
}
