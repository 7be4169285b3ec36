/* gen_store.c: writes the search benchmarks' generated archive (bench/gen_meta.h, the corpus
 * bench_filter indexes in process) into a real ficd data directory through the store API, so
 * that `ficd serve` can be measured on it (bench/api.sh). */
/*
 * Usage: bench_gen_store --out DIR [--works N] [--seed S] [--batch B] [--body-words W]
 *                        [--summary-words W] [--shape classic|ao3] [--cache-mb M] [--resume]
 *
 * DIR must not hold an archive yet (it is created), unless --resume: then DIR holds what an
 * earlier run of the same command left when it was stopped (every batch it committed), and
 * the works after the last stored one are added (a 10M-work load takes hours on a shared
 * 2-core machine: it can be stopped and resumed). Work i of the generator (seed S, the
 * same default as bench_filter: 1) is stored as work id i + 1, with its fandoms,
 * relationships, characters and freeforms (tags created by the store, non-canonical),
 * rating, warnings, categories, language, chapter count and per-chapter word counts,
 * expected chapters, published date, kudos, hits, comments and bookmarks. The store sets
 * `updated` to the time of the insert. Text that the metadata generator does not make is
 * added from a separate random stream (so the metadata stays bench_filter's): a summary of
 * about --summary-words words (default 20) and chapter bodies, about --body-words words for
 * the first chapter (default 30) and a sentence for each further one. Works are inserted B
 * at a time (default 50000) in one transaction each (store_begin/store_commit), and the
 * connection's page cache is raised for the load to --cache-mb MB (default 400 MB per
 * million works, at least 512 and at most 4096: the tag and work_tags indexes of a 10M-work
 * archive are about 3 GB and inserting into them is random, so a cache smaller than them
 * makes the load several times slower as it grows). An account "bench" (admin,
 * random password, printed) is created so that the site counts as set up.
 */
#include "gen_meta.h"
#include "core/buf.h"
#include "store/store.h"
#include "web/session.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

/* CPU time of this process (user + system), seconds. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run by SQLite on every connection this process opens (the store's one): a big page cache,
 * so that the tag and work_tags indexes stay in memory during the long transactions. */
static long cache_mb = 512;

static int bench_pragmas(sqlite3 *db, const char **err, const void *api)
{
    (void)err;
    (void)api;
    char sql[128];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%ld; PRAGMA temp_store = MEMORY",
             cache_mb * 1024);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    return SQLITE_OK;
}

/* Plain-text words from the generator's vocabulary: capitalised sentences of 6-14 words. */
static char *plain_words(struct gm *g, struct gm_rng *r, int words)
{
    struct buf b = BUF_INIT;
    int sent = 0;
    for (int i = 0; i < words; i++) {
        const char *w = g->vocab[gm_zipf(&g->zword, r)];
        if (sent == 0) {
            buf_putc(&b, (char)(w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0]));
            buf_puts(&b, w + 1);
        } else {
            buf_putc(&b, ' ');
            buf_puts(&b, w);
        }
        if (++sent >= 6 && (i == words - 1 || gm_unif(r) < 0.15)) {
            buf_putc(&b, '.');
            if (i < words - 1)
                buf_putc(&b, ' ');
            sent = 0;
        }
    }
    if (sent)
        buf_putc(&b, '.');
    return buf_take(&b);
}

/* "<p>words</p>" */
static char *html_words(struct gm *g, struct gm_rng *r, int words)
{
    char *t = plain_words(g, r, words);
    if (!t)
        return NULL;
    size_t n = strlen(t);
    char *h = malloc(n + 8);
    if (h) {
        memcpy(h, "<p>", 3);
        memcpy(h + 3, t, n);
        memcpy(h + 3 + n, "</p>", 5);
    }
    free(t);
    return h;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_gen_store --out DIR [--works N] [--seed S] [--batch B] "
                    "[--body-words W] [--summary-words W] [--shape classic|ao3] [--cache-mb M] "
                    "[--resume]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    uint32_t nworks = 100000, batch = 50000;
    uint64_t seed = 1;
    int body_words = 30, summary_words = 20;
    enum gm_shape shape = GM_SHAPE_CLASSIC;
    long cache_arg = 0;
    int resume = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--works") && i + 1 < argc)
            nworks = (uint32_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (uint64_t)atoll(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            batch = (uint32_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--body-words") && i + 1 < argc)
            body_words = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--summary-words") && i + 1 < argc)
            summary_words = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--resume"))
            resume = 1;
        else if (!strcmp(argv[i], "--cache-mb") && i + 1 < argc)
            cache_arg = atol(argv[++i]);
        else if (!strcmp(argv[i], "--shape") && i + 1 < argc && gm_shape_parse(argv[i + 1]) >= 0)
            shape = (enum gm_shape)gm_shape_parse(argv[++i]);
        else
            return usage();
    }
    if (!out || nworks < 1000 || batch < 1 || body_words < 1 || summary_words < 0 || cache_arg < 0)
        return usage();
    cache_mb = cache_arg ? cache_arg : (long)((uint64_t)nworks * 400 / 1000000);
    if (!cache_arg && cache_mb < 512)
        cache_mb = 512;
    if (!cache_arg && cache_mb > 4096)
        cache_mb = 4096;
    char dbpath[4096];
    snprintf(dbpath, sizeof(dbpath), "%s/ficd.db", out);
    struct stat sb;
    int exists = stat(dbpath, &sb) == 0;
    if (exists && !resume) {
        fprintf(stderr, "bench_gen_store: %s already holds an archive\n", out);
        return 1;
    }
    if (sodium_init() < 0)
        return 1;
    sqlite3_auto_extension((void (*)(void))bench_pragmas);

    double t0 = now_s();
    struct store *s;
    int rc = store_open(out, &s);
    if (rc) {
        fprintf(stderr, "bench_gen_store: cannot open %s: %s\n", out, ficd_strerror(rc));
        return 1;
    }
    uint32_t start = 0;
    int64_t users = 0;
    if (exists) {
        int64_t have = 0;
        if (store_work_count(s, 1, &have) || store_user_count(s, &users) || have > nworks) {
            fprintf(stderr, "bench_gen_store: %s: cannot resume: %s\n", out,
                    have > nworks ? "it holds more works than --works" : store_errmsg(s));
            store_close(s);
            return 1;
        }
        start = (uint32_t)have;
        printf("resumed    at work %u of %u\n", start + 1, nworks);
    }
    /* The account that makes the site "set up" (the API redirects to /setup before). */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char pw[17], hash[128];
    for (size_t i = 0; i < 16; i++)
        pw[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    pw[16] = 0;
    struct user u = {.name = "bench", .pwhash = hash, .role = ROLE_ADMIN};
    if (!users && (password_hash(pw, hash) || store_user_create(s, &u) ||
                   store_user_set_role(s, u.id, ROLE_ADMIN) ||
                   store_setting_set(s, "archive_name", "ficd benchmark archive"))) {
        fprintf(stderr, "bench_gen_store: cannot create the account: %s\n", store_errmsg(s));
        store_close(s);
        return 1;
    }
    if (!users)
        printf("account    \"bench\", password %s\n", pw);

    struct gm g;
    gm_init_shape(&g, nworks, 0, shape); /* exactly bench_filter's generator: no bodies */
    gm_vocab_init(&g, 30000);
    uint64_t chapters = 0, tagrefs = 0, words_text = 0;
    rc = store_begin(s);
    for (uint32_t i = start; !rc && i < nworks; i++) {
        struct work w;
        gm_work(&g, seed, i, &w);
        struct gm_rng tr = {(seed * 1000003ull + i) ^ 0x7465787421ull};
        if (summary_words > 0)
            w.summary = plain_words(
                &g, &tr, summary_words / 2 + (int)(gm_next(&tr) % (uint64_t)summary_words));
        for (size_t c = 0; c < w.nchapters; c++) {
            int n = c == 0 ? body_words / 2 + (int)(gm_next(&tr) % (uint64_t)body_words)
                           : 6 + (int)(gm_next(&tr) % 8);
            w.chapters[c].html = html_words(&g, &tr, n);
            words_text += (uint64_t)n;
        }
        words_text += (uint64_t)summary_words;
        chapters += w.nchapters;
        tagrefs += w.fandoms.n + w.relationships.n + w.characters.n + w.freeforms.n;
        w.id = 0;
        w.draft = 0;
        w.rating_declared = 1;
        rc = store_work_insert(s, &w);
        if (!rc && w.id != (int64_t)i + 1) {
            fprintf(stderr,
                    "bench_gen_store: work %u got id %lld (expected %u): the ids must match "
                    "bench_filter's\n",
                    i, (long long)w.id, i + 1);
            rc = FICD_EINTERNAL;
        }
        work_free(&w);
        if (!rc && ((i + 1) % batch == 0 || i + 1 == nworks)) {
            rc = store_commit(s);
            if (!rc && i + 1 < nworks)
                rc = store_begin(s);
        }
        if (!rc && (i + 1) % 100000 == 0)
            fprintf(stderr, "bench_gen_store: %u works, %.0f s, CPU %.0f s\n", i + 1, now_s() - t0,
                    cpu_s());
    }
    if (rc) {
        fprintf(stderr, "bench_gen_store: %s: %s\n", ficd_strerror(rc), store_errmsg(s));
        store_rollback(s);
        store_close(s);
        return 1;
    }
    store_close(s);
    stat(dbpath, &sb);
    printf("archive    %u works%s, %llu chapters, %llu work-tag pairs, about %llu words of text\n",
           nworks, start ? " (resumed: the figures are this run's)" : "",
           (unsigned long long)chapters, (unsigned long long)tagrefs,
           (unsigned long long)words_text);
    printf("store      %s: %.1f MB, %u works written in %.1f s (%.0f works/s)\n", dbpath,
           sb.st_size / 1e6, nworks - start, now_s() - t0, (nworks - start) / (now_s() - t0));
    return 0;
}
