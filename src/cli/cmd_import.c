/* cmd_import.c: `ficd import`: read manuscripts, AO3 downloads and EPUBs, show what the
 * importer understood (--dry-run), or store them, many works to a transaction (--batch). */
#include "cli/cli.h"
#include "core/progress.h"
#include "store/store.h"
#include "text/import.h"
#include "text/manuscript.h"
#include "web/import_known.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void import_usage(FILE *f)
{
    fprintf(f,
            "usage: ficd import [OPTIONS] FILE...\n\n"
            "Imports works from files:\n"
            "  - manuscripts (plain text, Markdown, HTML; UTF-8, UTF-16 with BOM,\n"
            "    Windows-1252 or Latin-1): title lines (\"Title - A/B\"), Key: value header\n"
            "    blocks and YAML front matter, warnings, author's notes, beta and song\n"
            "    credits, chapter headings and scene breaks;\n"
            "  - AO3 downloads (HTML and EPUB): every tag, series and part, the published\n"
            "    date, summary, notes, chapter titles, chapter notes and end notes;\n"
            "  - EPUB 2 and 3 (calibre, FanFicFare, ficd): title, creators, language,\n"
            "    subjects as additional tags, description as summary, the spine as chapters\n"
            "    titled from the table of contents, FanFicFare's title page fields.\n"
            "What a file is comes from its content (a zip with the EPUB mimetype, AO3's\n"
            "preface), not only its name. Hostile archives (zip bombs, unsafe paths, files\n"
            "missing from the package, more than 2000 spine documents, malformed XML or XML\n"
            "entities) are refused. See docs/import.md for what is carried over.\n"
            "Works are stored as drafts unless --publish. Many files are grouped into few\n"
            "transactions (--batch): each file is stored whole or not at all, and its id is\n"
            "printed on stdout, one per line, only once its transaction has committed, so\n"
            "an interrupted import loses at most the batch it had not acknowledged yet.\n"
            "Messages and the summary go to stderr. Suggestions (characters named in the\n"
            "prose, a relationship, fandoms) use the archive's wrangled tags: canonical names\n"
            "and synonyms, and the parent fandoms of characters and relationships.\n\n"
            "options:\n"
            "  --dry-run          parse only; store nothing\n"
            "  --format FMT       output: text (default) or json (one object per file and line;\n"
            "                     with --dry-run: the importer's view of the work, with\n"
            "                     \"source\", \"series\" and \"published\")\n"
            "  --publish          publish the imported works instead of keeping drafts\n"
            "  --allow-duplicate  import a file even if the same bytes were imported before\n"
            "  --as FORMAT        treat input as a txt, md or html manuscript (default: detect\n"
            "                     from the content: EPUB, AO3 download or manuscript)\n"
            "  --max-size MB      refuse files larger than MB megabytes (default 50)\n"
            "  --files-from FILE  also import the files named in FILE, one path per line\n"
            "                     (- reads the list from stdin): a million files in one call\n"
            "  --batch N          files per transaction (default 5000; a batch also ends after\n"
            "                     a second or 64 MB); 1 commits each file on its own\n"
            "  --data DIR         data directory (default ./ficd-data or $FICD_DATA)\n"
            "  -h, --help         show this help\n\n"
            "exit status: 0 all imported, 1 storage failure, 2 a file was refused (bad input,\n"
            "duplicate) or bad usage; refused files store nothing.\n");
}

struct import_opts {
    int dry_run, json, publish, allow_dup, batch;
    enum ms_format as;
    size_t max_bytes;
    struct ms_known *known; /* the archive's wrangled tags, for suggestions (may be NULL) */
};

/* Reads a whole file, refusing it before reading when it is over the limit. */
static int read_file(const char *path, size_t max, unsigned char **out, size_t *n, char *err,
                     size_t errsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsz, "cannot open: %s", strerror(errno));
        return FICD_EIO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
        fclose(f);
        snprintf(err, errsz, "not a regular file");
        return FICD_EINVAL;
    }
    if ((size_t)st.st_size > max) {
        fclose(f);
        snprintf(err, errsz, "file is %.1f MB; the limit is %.0f MB (see --max-size)",
                 (double)st.st_size / 1e6, (double)max / 1e6);
        return FICD_ETOOBIG;
    }
    unsigned char *p = malloc((size_t)st.st_size + 1);
    if (!p) {
        fclose(f);
        snprintf(err, errsz, "out of memory");
        return FICD_ENOMEM;
    }
    size_t got = fread(p, 1, (size_t)st.st_size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        snprintf(err, errsz, "read error");
        return FICD_EIO;
    }
    *out = p;
    *n = got;
    return 0;
}

struct known_ctx {
    struct import_opts *o;
    struct store *s;
};

/* The paths listed in the file named path ("-": stdin), one per line (a final '\r' dropped,
 * empty lines skipped), appended to *v (n entries, malloc'd). Returns 0, or CLI_USAGE after
 * saying why. */
static int read_list(const char *path, char ***v, int *n)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "ficd import: --files-from %s: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    char *line = NULL;
    size_t cap = 0, vcap = (size_t)*n;
    ssize_t len;
    int rc = 0;
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        if ((size_t)*n == vcap) {
            vcap = vcap ? 2 * vcap : 1024;
            char **nv = vcap < INT_MAX ? realloc(*v, vcap * sizeof(*nv)) : NULL;
            if (!nv) {
                rc = CLI_FAIL;
                break;
            }
            *v = nv;
        }
        if (!((*v)[*n] = strdup(line)))
            rc = CLI_FAIL;
        else
            (*n)++;
    }
    if (!rc && ferror(f)) {
        fprintf(stderr, "ficd import: --files-from %s: read error\n", path);
        rc = CLI_USAGE;
    } else if (rc) {
        fprintf(stderr, "ficd import: out of memory\n");
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

static void free_list(char **v, int n, int owned_from)
{
    for (int i = owned_from; i < n; i++)
        free(v[i]);
    free(v);
}

/* What a stored file prints once its batch has committed. */
struct acked {
    const char *path;
    char *line; /* the id, or the work as JSON with "file" */
};

/* One file read and parsed, by a worker thread ahead of the thread that stores in order. */
struct parsed {
    int done;  /* the worker has finished it */
    int rc;    /* CLI_OK, or CLI_USAGE / CLI_FAIL for a file that was refused or unreadable */
    char *err; /* what to say on stderr about it (malloc'd), NULL when nothing */
    size_t bytes;
    struct work w; /* filled when rc == CLI_OK */
    enum import_kind kind;
};

/* Reads and parses path into p (pure: no store, no output). */
static void parse_one(const struct import_opts *o, const char *path, struct parsed *p)
{
    unsigned char *data = NULL;
    size_t n = 0;
    char msg[300];
    p->err = NULL;
    p->bytes = 0;
    int rc = read_file(path, o->max_bytes, &data, &n, msg, sizeof(msg));
    if (rc) {
        if (asprintf(&p->err, "ficd: %s: %s\n", path, msg) < 0)
            p->err = NULL;
        p->rc = rc == FICD_EIO ? CLI_FAIL : CLI_USAGE;
        return;
    }
    p->bytes = n;
    struct ms_opts mo = {
        .format = o->as, .filename = path, .max_bytes = o->max_bytes, .known = o->known};
    struct text_err te = {0, ""};
    p->kind = IMPORT_MANUSCRIPT;
    rc = import_bytes(data, n, &mo, &p->w, &p->kind, &te);
    free(data);
    if (rc) {
        const char *m = te.msg[0] ? te.msg : ficd_strerror(rc);
        int k = te.line > 0 ? asprintf(&p->err, "ficd: %s:%d: %s\n", path, te.line, m)
                            : asprintf(&p->err, "ficd: %s: %s\n", path, m);
        if (k < 0)
            p->err = NULL;
        p->rc = CLI_USAGE;
        return;
    }
    p->rc = CLI_OK;
}

/* Stores (or, in a dry run, prints) one parsed file; returns 0, CLI_USAGE for a refused file,
 * CLI_FAIL for storage errors. When stored, *line gets what to print once the transaction
 * commits (malloc'd). Consumes p's work. */
static int store_one(struct store *s, struct import_opts *o, const char *path, struct parsed *p,
                     char **line)
{
    if (p->err)
        fputs(p->err, stderr);
    if (p->rc != CLI_OK)
        return p->rc;
    struct work w = p->w; /* ours from here on: freed below whatever happens */
    enum import_kind kind = p->kind;
    p->done = 2;
    int rc;
    int status = CLI_OK;
    if (o->dry_run) {
        if (o->json) {
            json_t *j = cli_work_json(&w);
            json_object_set_new(j, "source", json_string(import_kind_name(kind)));
            cli_print_json(stdout, j);
            json_decref(j);
        } else {
            printf("%s: \"%s\", %zu chapter%s, %d words\n", path, w.title ? w.title : "",
                   w.nchapters, w.nchapters == 1 ? "" : "s", work_words(&w));
        }
        work_free(&w);
        return CLI_OK;
    }
    int64_t dup = 0;
    if (!o->allow_dup) {
        if (store_work_find_hash(s, w.content_hash, &dup)) {
            fprintf(stderr, "ficd: %s: %s\n", path, store_errmsg(s));
            work_free(&w);
            return CLI_FAIL;
        }
        if (dup) {
            fprintf(stderr,
                    "ficd: %s: already imported as work %lld; not imported again "
                    "(use --allow-duplicate to import it anyway)\n",
                    path, (long long)dup);
            work_free(&w);
            return CLI_USAGE;
        }
    }
    w.draft = !o->publish;
    rc = store_work_insert(s, &w);
    if (rc) {
        fprintf(stderr, "ficd: %s: not stored: %s\n", path, store_errmsg(s));
        status = CLI_FAIL;
    } else if (o->json) {
        json_t *j = cli_work_json(&w);
        json_object_set_new(j, "file", json_string(path));
        *line = json_dumps(j, JSON_COMPACT);
        json_decref(j);
    } else if (asprintf(line, "%lld", (long long)w.id) < 0) {
        *line = NULL;
    }
    if (!status && !*line) {
        fprintf(stderr, "ficd: %s: out of memory\n", path);
        status = CLI_FAIL;
    }
    work_free(&w);
    return status;
}

/* Ends the open batch: commits it and prints what its files stored, or, when the commit
 * fails, says so for each of them (nothing of the batch is stored). Returns how many files
 * failed. */
static int batch_end(struct store *s, struct acked *v, size_t *n)
{
    int failed = 0;
    if (store_commit(s)) {
        for (size_t i = 0; i < *n; i++)
            fprintf(stderr, "ficd: %s: not stored: %s\n", v[i].path, store_errmsg(s));
        failed = (int)*n;
    } else {
        for (size_t i = 0; i < *n; i++)
            puts(v[i].line);
        fflush(stdout);
    }
    for (size_t i = 0; i < *n; i++)
        free(v[i].line);
    *n = 0;
    return failed;
}

/* ---- the parse-ahead pipeline ----
 * Workers take files in order and parse them into a window of slots; the storing thread
 * takes them back in the same order. A worker waits while it is a window ahead. */
#define PIPE_WINDOW 64

struct pipeline {
    const struct import_opts *o;
    char **paths;
    int n;
    struct parsed slot[PIPE_WINDOW];
    int next;     /* the next file a worker takes */
    int consumed; /* files handed back by pipeline_release */
    int stopping;
    pthread_mutex_t lock;
    pthread_cond_t ready, room;
    pthread_t threads[8];
    int nthreads;
};

static void *pipeline_worker(void *arg)
{
    struct pipeline *pl = arg;
    pthread_mutex_lock(&pl->lock);
    for (;;) {
        while (!pl->stopping && pl->next < pl->n && pl->next >= pl->consumed + PIPE_WINDOW)
            pthread_cond_wait(&pl->room, &pl->lock);
        if (pl->stopping || pl->next >= pl->n)
            break;
        int i = pl->next++;
        pthread_mutex_unlock(&pl->lock);
        struct parsed p = {0};
        parse_one(pl->o, pl->paths[i], &p);
        pthread_mutex_lock(&pl->lock);
        p.done = 1;
        pl->slot[i % PIPE_WINDOW] = p;
        pthread_cond_broadcast(&pl->ready);
    }
    pthread_mutex_unlock(&pl->lock);
    return NULL;
}

static int pipeline_start(struct pipeline *pl)
{
    pthread_mutex_init(&pl->lock, NULL);
    pthread_cond_init(&pl->ready, NULL);
    pthread_cond_init(&pl->room, NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = pl->n < 2 ? 0 : cores < 1 ? 1 : cores > 8 ? 8 : (int)cores;
    for (int t = 0; t < want; t++) {
        if (pthread_create(&pl->threads[t], NULL, pipeline_worker, pl))
            break;
        pl->nthreads++;
    }
    return 0;
}

/* The next file in order, parsed (by a worker, or here when there is none). */
static struct parsed *pipeline_next(struct pipeline *pl)
{
    struct parsed *p = &pl->slot[pl->consumed % PIPE_WINDOW];
    if (!pl->nthreads) {
        memset(p, 0, sizeof(*p));
        parse_one(pl->o, pl->paths[pl->consumed], p);
        return p;
    }
    pthread_mutex_lock(&pl->lock);
    while (!p->done)
        pthread_cond_wait(&pl->ready, &pl->lock);
    pthread_mutex_unlock(&pl->lock);
    return p;
}

/* Hands a slot back (its work already consumed or freed here). */
static void pipeline_release(struct pipeline *pl, struct parsed *p)
{
    free(p->err);
    if (p->rc == CLI_OK && p->done != 2)
        work_free(&p->w);
    pthread_mutex_lock(&pl->lock);
    memset(p, 0, sizeof(*p));
    pl->consumed++;
    pthread_cond_broadcast(&pl->room);
    pthread_mutex_unlock(&pl->lock);
}

static void pipeline_stop(struct pipeline *pl)
{
    pthread_mutex_lock(&pl->lock);
    pl->stopping = 1;
    pthread_cond_broadcast(&pl->room);
    pthread_mutex_unlock(&pl->lock);
    for (int t = 0; t < pl->nthreads; t++)
        pthread_join(pl->threads[t], NULL);
    /* Files parsed ahead but never taken (none unless the loop ended early). */
    for (int i = 0; i < PIPE_WINDOW; i++)
        if (pl->slot[i].done) {
            free(pl->slot[i].err);
            if (pl->slot[i].rc == CLI_OK)
                work_free(&pl->slot[i].w);
        }
    pthread_cond_destroy(&pl->ready);
    pthread_cond_destroy(&pl->room);
    pthread_mutex_destroy(&pl->lock);
}

static int run_files(struct import_opts *op, const char *data, char **paths, int nfiles);

static int run_import(int argc, char **argv)
{
    const char *data = NULL, *files_from = NULL;
    struct import_opts o = {.max_bytes = MS_MAX_BYTES_DEFAULT, .batch = 5000};
    static const struct option opts[] = {{"dry-run", no_argument, 0, 'n'},
                                         {"format", required_argument, 0, 'f'},
                                         {"publish", no_argument, 0, 'p'},
                                         {"allow-duplicate", no_argument, 0, 'D'},
                                         {"as", required_argument, 0, 'a'},
                                         {"max-size", required_argument, 0, 'm'},
                                         {"batch", required_argument, 0, 'b'},
                                         {"data", required_argument, 0, 'd'},
                                         {"files-from", required_argument, 0, 'F'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            o.dry_run = 1;
            break;
        case 'p':
            o.publish = 1;
            break;
        case 'D':
            o.allow_dup = 1;
            break;
        case 'd':
            data = optarg;
            break;
        case 'f':
            if (cli_parse_format("import", optarg, &o.json))
                return CLI_USAGE;
            break;
        case 'a':
            if (!strcmp(optarg, "txt") || !strcmp(optarg, "text"))
                o.as = MS_TEXT;
            else if (!strcmp(optarg, "md") || !strcmp(optarg, "markdown"))
                o.as = MS_MARKDOWN;
            else if (!strcmp(optarg, "html"))
                o.as = MS_HTML;
            else {
                fprintf(stderr, "ficd import: --as must be txt, md or html, not '%s'\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'm': {
            char *end;
            double mb = strtod(optarg, &end);
            if (*end || mb <= 0 || mb > 4096) {
                fprintf(stderr, "ficd import: --max-size wants megabytes (1-4096), not '%s'\n",
                        optarg);
                return CLI_USAGE;
            }
            o.max_bytes = (size_t)(mb * 1e6);
            break;
        }
        case 'b': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 100000) {
                fprintf(stderr,
                        "ficd import: --batch wants a number of files (1-100000), not '%s'\n",
                        optarg);
                return CLI_USAGE;
            }
            o.batch = (int)v;
            break;
        }
        case 'F':
            files_from = optarg;
            break;
        case 'h':
            import_usage(stdout);
            return CLI_OK;
        default:
            import_usage(stderr);
            return CLI_USAGE;
        }
    }
    /* the files: those named on the command line, then those listed in --files-from */
    int nfiles = argc - optind;
    char **paths = malloc(((size_t)nfiles + 1) * sizeof(*paths));
    if (!paths) {
        fprintf(stderr, "ficd import: out of memory\n");
        return CLI_FAIL;
    }
    memcpy(paths, argv + optind, (size_t)nfiles * sizeof(*paths));
    int nargs = nfiles;
    if (files_from) {
        int lrc = read_list(files_from, &paths, &nfiles);
        if (lrc) {
            free_list(paths, nfiles, nargs);
            return lrc;
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "ficd import: no files given (see 'ficd import --help')\n");
        free_list(paths, nfiles, nargs);
        return CLI_USAGE;
    }
    int rc_all = run_files(&o, data, paths, nfiles);
    free_list(paths, nfiles, nargs);
    return rc_all;
}

/* Imports (or, in a dry run, reads) the nfiles files of paths in order. */
static int run_files(struct import_opts *op, const char *data, char **paths, int nfiles)
{
    struct import_opts o = *op;
    const char *dir = cli_data_dir(data);
    struct store *s = NULL;
    struct stat st;
    /* A dry run reads the archive's canonical tags when there is one, and creates nothing. */
    if (!o.dry_run || stat(dir, &st) == 0) {
        if (cli_open_store(dir, &s))
            return CLI_FAIL;
        if (!(o.known = import_known_load(s)))
            fprintf(stderr, "ficd import: warning: cannot read tags: %s\n", store_errmsg(s));
        /* many works in big transactions: a bigger page cache, fewer checkpoints */
        if (!o.dry_run && store_bulk_load(s))
            fprintf(stderr, "ficd import: warning: %s\n", store_errmsg(s));
    }
    int ok = 0, refused = 0, failed = 0;
    size_t bytes = 0;
    struct progress pg;
    progress_start(&pg, "importing", (uint64_t)nfiles);
    if (nfiles < 2)
        pg.tty = 0;
    /* Batches: one transaction for up to o.batch files, a second or 64 MB of input; a file
     * that fails rolls back only its own savepoint inside it. */
    struct acked *pending = o.dry_run ? NULL : calloc((size_t)o.batch, sizeof(*pending));
    size_t npending = 0, batch_bytes = 0;
    int64_t batch_ms = 0, in_batch = 0;
    if (!o.dry_run && !pending) {
        fprintf(stderr, "ficd import: out of memory\n");
        return CLI_FAIL;
    }
    /* Reading and parsing run ahead on worker threads (one per core) while this thread
     * stores the files in order: parsing is most of an import's work. */
    struct pipeline pl = {.o = &o, .paths = paths, .n = nfiles};
    if (pipeline_start(&pl)) {
        fprintf(stderr, "ficd import: out of memory\n");
        free(pending);
        return CLI_FAIL;
    }
    for (int i = 0; i < nfiles; i++) {
        struct parsed *pr = pipeline_next(&pl);
        if (!o.dry_run && !in_batch) {
            if (store_begin(s)) {
                fprintf(stderr, "ficd: %s: not stored: %s\n", paths[i], store_errmsg(s));
                failed++;
                pipeline_release(&pl, pr);
                progress_update(&pg, (uint64_t)(i + 1));
                continue;
            }
            in_batch = 1;
            batch_ms = progress_now_ms();
            batch_bytes = bytes;
        }
        char *line = NULL;
        bytes += pr->bytes;
        int rc = store_one(s, &o, paths[i], pr, &line);
        pipeline_release(&pl, pr);
        if (rc == CLI_OK && line) {
            pending[npending].path = paths[i];
            pending[npending++].line = line;
        } else if (rc == CLI_OK) {
            ok++; /* a dry run */
        } else if (rc == CLI_USAGE) {
            refused++;
        } else {
            failed++;
        }
        if (in_batch &&
            ((int)npending >= o.batch || i + 1 == nfiles || progress_now_ms() - batch_ms >= 1000 ||
             bytes - batch_bytes >= (64u << 20))) {
            size_t n = npending;
            int lost = batch_end(s, pending, &npending);
            ok += (int)n - lost;
            failed += lost;
            in_batch = 0;
        }
        progress_update(&pg, (uint64_t)(i + 1));
    }
    pipeline_stop(&pl);
    free(pending);
    progress_finish(&pg);
    double secs = (double)(progress_now_ms() - pg.start_ms) / 1000.0;
    if (nfiles > 1 || !o.dry_run)
        fprintf(stderr, "%s %d of %d file%s (%.1f MB) in %.2f s; %d refused, %d failed\n",
                o.dry_run ? "parsed" : "imported", ok, nfiles, nfiles == 1 ? "" : "s",
                (double)bytes / 1e6, secs, refused, failed);
    ms_known_free(o.known);
    if (s)
        store_close(s);
    return failed ? CLI_FAIL : refused ? CLI_USAGE : CLI_OK;
}

const struct cli_cmd cli_cmd_import = {
    "import", "import manuscripts, AO3 downloads and EPUBs as works", run_import};
