/* cmd_list.c: `ficd list` and `ficd show`: works in the archive, and one work's metadata. */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void list_usage(FILE *f)
{
    fprintf(f, "usage: ficd list [--drafts | --all] [--limit N] [--offset N] [--format json]\n"
               "                 [--data DIR]\n\n"
               "Lists published works, most recently updated first: id, title, creators,\n"
               "words, chapters (2/? for a work in progress) and status.\n\n"
               "options:\n"
               "  --drafts       list drafts only\n"
               "  --all          list published works and drafts\n"
               "  --limit N      at most N works (default: all)\n"
               "  --offset N     skip the first N works\n"
               "  --format FMT   text (default) or json (one object per work and line)\n"
               "  --data DIR     data directory (default ./ficd-data or $FICD_DATA)\n"
               "  -h, --help     show this help\n");
}

static void print_chapters(FILE *f, const struct work *w)
{
    if (w->expected_chapters > 0)
        fprintf(f, "%zu/%d", w->nchapters, w->expected_chapters);
    else
        fprintf(f, "%zu/?", w->nchapters);
}

static json_t *meta_json(const struct work *w)
{
    json_t *j = cli_work_json(w);
    char ch[32];
    if (w->expected_chapters > 0)
        snprintf(ch, sizeof(ch), "%zu/%d", w->nchapters, w->expected_chapters);
    else
        snprintf(ch, sizeof(ch), "%zu/?", w->nchapters);
    json_object_set_new(j, "chapter_count", json_string(ch));
    json_object_set_new(j, "complete", json_boolean(work_is_complete(w)));
    json_object_set_new(j, "draft", json_boolean(w->draft));
    json_object_set_new(j, "published", json_integer(w->published));
    json_object_set_new(j, "updated", json_integer(w->updated));
    json_object_set_new(j, "series", w->series ? json_string(w->series) : json_null());
    json_object_set_new(j, "series_position",
                        w->series && w->series_position > 0 ? json_integer(w->series_position)
                                                            : json_null());
    return j;
}

struct list_ctx {
    int json;
};

static int list_one(const struct work *w, void *ctx)
{
    struct list_ctx *lc = ctx;
    if (lc->json) {
        json_t *j = meta_json(w);
        json_object_del(j, "chapters");
        cli_print_json(stdout, j);
        json_decref(j);
        return 0;
    }
    printf("%6lld  %s", (long long)w->id, w->title ? w->title : "(untitled)");
    if (w->creators.n) {
        printf(" by ");
        for (size_t i = 0; i < w->creators.n; i++)
            printf("%s%s", i ? ", " : "", w->creators.v[i]);
    }
    printf("  [%d words, ", work_words(w));
    print_chapters(stdout, w);
    printf(" chapters%s]\n", w->draft ? ", draft" : "");
    return 0;
}

static int run_list(int argc, char **argv)
{
    const char *data = NULL;
    struct store_work_query q = {0};
    struct list_ctx lc = {0};
    static const struct option opts[] = {
        {"drafts", no_argument, 0, 'D'},       {"all", no_argument, 0, 'A'},
        {"limit", required_argument, 0, 'l'},  {"offset", required_argument, 0, 'o'},
        {"format", required_argument, 0, 'f'}, {"data", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'D':
            q.drafts_only = 1;
            q.include_drafts = 1;
            break;
        case 'A':
            q.include_drafts = 1;
            break;
        case 'l':
        case 'o': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 1000000000) {
                fprintf(stderr, "ficd list: --%s wants a number, not '%s'\n",
                        c == 'l' ? "limit" : "offset", optarg);
                return CLI_USAGE;
            }
            if (c == 'l')
                q.limit = (int)v;
            else
                q.offset = (int)v;
            break;
        }
        case 'f':
            if (cli_parse_format("list", optarg, &lc.json))
                return CLI_USAGE;
            break;
        case 'd':
            data = optarg;
            break;
        case 'h':
            list_usage(stdout);
            return CLI_OK;
        default:
            list_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ficd list: unexpected argument '%s'\n", argv[optind]);
        return CLI_USAGE;
    }
    struct store *s;
    if (cli_open_store(cli_data_dir(data), &s))
        return CLI_FAIL;
    int64_t total = 0;
    int rc = store_work_list(s, &q, list_one, &lc, &total);
    if (rc)
        fprintf(stderr, "ficd list: %s\n", store_errmsg(s));
    else if (!lc.json)
        fprintf(stderr, "%lld work%s\n", (long long)total, total == 1 ? "" : "s");
    store_close(s);
    return rc ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_list = {"list", "list works", run_list};

static void show_usage(FILE *f)
{
    fprintf(f, "usage: ficd show [--format json] [--data DIR] WORK_ID\n\n"
               "Shows a work's metadata as the archive's work page does: rating, archive\n"
               "warnings, categories, fandoms, relationships, characters, additional tags,\n"
               "language, stats, summary, notes and the chapter list.\n\n"
               "options:\n"
               "  --format FMT   text (default) or json (with chapter bodies)\n"
               "  --data DIR     data directory (default ./ficd-data or $FICD_DATA)\n"
               "  -h, --help     show this help\n");
}

static void show_list(const char *label, const struct strlist *l)
{
    if (!l->n)
        return;
    printf("%-20s", label);
    cli_print_joined(l);
}

static void show_bits(const char *label, unsigned bits, int count, const char *(*name)(unsigned))
{
    if (!bits)
        return;
    printf("%-20s", label);
    int first = 1;
    for (int i = 0; i < count; i++)
        if (bits & (1u << i)) {
            printf("%s%s", first ? "" : ", ", name(1u << i));
            first = 0;
        }
    printf("\n");
}

static void show_date(const char *label, int64_t t)
{
    if (!t)
        return;
    char d[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(d, sizeof(d), "%Y-%m-%d", &tm);
    printf("%-20s%s\n", label, d);
}

static void show_text(const char *label, const char *s)
{
    if (s && *s)
        printf("\n%s:\n%s\n", label, s);
}

static int run_show(int argc, char **argv)
{
    const char *data = NULL;
    int json = 0;
    static const struct option opts[] = {{"format", required_argument, 0, 'f'},
                                         {"data", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (cli_parse_format("show", optarg, &json))
                return CLI_USAGE;
            break;
        case 'd':
            data = optarg;
            break;
        case 'h':
            show_usage(stdout);
            return CLI_OK;
        default:
            show_usage(stderr);
            return CLI_USAGE;
        }
    }
    struct store *s;
    struct work w;
    int rc = cli_load_work("show", argc, argv, data, json, &s, &w);
    if (rc)
        return rc;
    if (json) {
        json_t *j = meta_json(&w);
        cli_print_json(stdout, j);
        json_decref(j);
    } else {
        printf("%s\n", w.title ? w.title : "(untitled)");
        show_list("by", &w.creators);
        printf("%-20s%s\n", "Rating:", rating_name(w.rating));
        show_bits("Archive Warnings:", w.warnings, WARN__COUNT, warning_name);
        show_bits("Categories:", w.categories, CAT__COUNT, category_name);
        show_list("Fandoms:", &w.fandoms);
        show_list("Relationships:", &w.relationships);
        show_list("Characters:", &w.characters);
        show_list("Additional Tags:", &w.freeforms);
        if (w.language)
            printf("%-20s%s\n", "Language:", w.language);
        show_list("Beta:", &w.beta);
        show_date("Published:", w.published);
        show_date("Updated:", w.updated);
        printf("%-20s%d\n%-20s", "Words:", work_words(&w), "Chapters:");
        print_chapters(stdout, &w);
        printf("\n%-20s%s\n", "Status:", w.draft ? "draft" : "published");
        show_list("Suggested characters:", &w.sugg_characters);
        show_text("Summary", w.summary);
        show_text("Notes", w.notes_begin);
        show_text("End notes", w.notes_end);
        if (w.nchapters > 1 || (w.nchapters == 1 && w.chapters[0].title)) {
            printf("\nChapters:\n");
            for (size_t i = 0; i < w.nchapters; i++)
                printf("  %d. %s (%d words)\n", w.chapters[i].position,
                       w.chapters[i].title ? w.chapters[i].title : "(untitled)",
                       w.chapters[i].words);
        }
    }
    work_free(&w);
    store_close(s);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_show = {"show", "show one work's metadata", run_show};
