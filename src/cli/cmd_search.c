/* cmd_search.c: `ficd search`: filter and full-text search over the archive through the
 * index (built from the store at start), printed as a list or as the API's JSON. */
#include "cli/cli.h"
#include "index/index.h"
#include "index/params.h"
#include "store/store.h"
#include "web/json_works.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void search_usage(FILE *f)
{
    fprintf(f, "usage: ficd search [QUERY] [--tag T]... [--exclude-tag T]... [--rating R]...\n"
               "                   [--warning W]... [--exclude-warning W]... [--category C]...\n"
               "                   [--fandom F]... [--complete] [--words MIN-MAX] [--language L]\n"
               "                   [--sort FIELD] [--page N] [--format json] [--data DIR]\n\n"
               "Searches published works. QUERY is full text: words, \"phrases\", prefix*,\n"
               "AND / OR / NOT (or -word), parentheses, and title:, summary:, creator:, tag:\n"
               "qualifiers (see docs/search.md). Filters combine with AND; tag names may be\n"
               "synonyms. Counts (total and facets) are exact over the whole result.\n\n"
               "options:\n"
               "  --tag T              works carrying tag T (repeat: all of them)\n"
               "  --exclude-tag T      leave out works carrying tag T\n"
               "  --rating R           G, T, M, E, NR or the AO3 name (repeat: any of them)\n"
               "  --warning W          works carrying archive warning W (repeat: all of them)\n"
               "  --exclude-warning W  leave out works carrying warning W\n"
               "  --category C         F/F, F/M, Gen, M/M, Multi, Other (repeat: all of them)\n"
               "  --fandom F           works in fandom F (repeat: any of them)\n"
               "  --complete           complete works only\n"
               "  --words MIN-MAX      word count range (MIN- or -MAX for one side)\n"
               "  --language L         works in language L\n"
               "  --sort FIELD         best, author, title, posted, updated, words, kudos,\n"
               "                       hits, comments, bookmarks (default: best with QUERY,\n"
               "                       else updated)\n"
               "  --page N             page N of 20 works (default 1)\n"
               "  --format FMT         text (default) or json\n"
               "  --data DIR           data directory (default ./ficd-data or $FICD_DATA)\n"
               "  -h, --help           show this help\n");
}

/* Prints snippet HTML for a terminal: <mark> as *, entities decoded. */
static void print_snippet(const char *h)
{
    static const struct {
        const char *from, *to;
    } rep[] = {{"<mark>", "*"}, {"</mark>", "*"}, {"&amp;", "&"}, {"&lt;", "<"},
               {"&gt;", ">"},   {"&quot;", "\""}, {"&#39;", "'"}};
    printf("      ");
    while (*h) {
        size_t i;
        for (i = 0; i < sizeof(rep) / sizeof(rep[0]); i++)
            if (!strncmp(h, rep[i].from, strlen(rep[i].from)))
                break;
        if (i < sizeof(rep) / sizeof(rep[0])) {
            fputs(rep[i].to, stdout);
            h += strlen(rep[i].from);
        } else
            putchar(*h++);
    }
    putchar('\n');
}

static void print_list(const char *label, const struct strlist *l)
{
    if (!l->n)
        return;
    printf("      %s: ", label);
    cli_print_joined(l);
}

static void print_text(const struct idx_result *r, struct store *s)
{
    uint64_t pages = (r->total + (uint64_t)r->per_page - 1) / (uint64_t)r->per_page;
    printf("%llu work%s found", (unsigned long long)r->total, r->total == 1 ? "" : "s");
    if (pages > 1)
        printf(" (page %d of %llu)", r->page, (unsigned long long)pages);
    printf("\n");
    for (size_t i = 0; i < r->nhits; i++) {
        struct work w;
        if (store_work_get(s, r->hits[i].id, 0, &w)) {
            printf("\n%6lld  %s\n", (long long)r->hits[i].id, r->hits[i].title);
            continue;
        }
        printf("\n%6lld  %s", (long long)w.id, w.title && *w.title ? w.title : "(untitled)");
        if (w.creators.n) {
            printf(" by ");
            for (size_t k = 0; k < w.creators.n; k++)
                printf("%s%s", k ? ", " : "", w.creators.v[k]);
        }
        printf("\n      %s, %d words, ", rating_name(w.rating), work_words(&w));
        if (w.expected_chapters > 0)
            printf("%zu/%d chapters", w.nchapters, w.expected_chapters);
        else
            printf("%zu/? chapters", w.nchapters);
        printf(", %lld kudos, %lld hits\n", (long long)w.kudos, (long long)w.hits);
        print_list("Fandoms", &w.fandoms);
        print_list("Relationships", &w.relationships);
        if (r->hits[i].snippet)
            print_snippet(r->hits[i].snippet);
        work_free(&w);
    }
    if (!r->total)
        return;
    printf("\n");
    for (int g = 0; g < IDX_FACET__COUNT; g++) {
        const struct idx_facets *f = &r->facets[g];
        int any = 0;
        for (size_t i = 0; i < f->n; i++) {
            if (!f->v[i].count)
                continue;
            if (!any)
                printf("%-14s", idx_facet_group_name((enum idx_facet_group)g));
            printf("%s%s (%llu)", any ? ", " : "", f->v[i].name, (unsigned long long)f->v[i].count);
            any = 1;
        }
        if (any)
            printf("\n");
    }
}

static int run_search(int argc, char **argv)
{
    const char *data = NULL;
    int json = 0;
    enum {
        O_TAG = 256,
        O_EXTAG,
        O_RATING,
        O_WARN,
        O_EXWARN,
        O_CAT,
        O_FANDOM,
        O_COMPLETE,
        O_WORDS,
        O_LANG,
        O_SORT,
        O_PAGE,
        O_FORMAT,
        O_DATA
    };
    static const struct option opts[] = {{"tag", required_argument, 0, O_TAG},
                                         {"exclude-tag", required_argument, 0, O_EXTAG},
                                         {"rating", required_argument, 0, O_RATING},
                                         {"warning", required_argument, 0, O_WARN},
                                         {"exclude-warning", required_argument, 0, O_EXWARN},
                                         {"category", required_argument, 0, O_CAT},
                                         {"fandom", required_argument, 0, O_FANDOM},
                                         {"complete", no_argument, 0, O_COMPLETE},
                                         {"words", required_argument, 0, O_WORDS},
                                         {"language", required_argument, 0, O_LANG},
                                         {"sort", required_argument, 0, O_SORT},
                                         {"page", required_argument, 0, O_PAGE},
                                         {"format", required_argument, 0, O_FORMAT},
                                         {"data", required_argument, 0, O_DATA},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    /* The flags become the same key/value pairs the web's query strings give, so the CLI,
     * the pages and the API build their queries in one place (index/params.h). */
    static const char *const keys[] = {[O_TAG - O_TAG] = "tag",
                                       [O_EXTAG - O_TAG] = "exclude_tag",
                                       [O_RATING - O_TAG] = "rating",
                                       [O_WARN - O_TAG] = "warning",
                                       [O_EXWARN - O_TAG] = "exclude_warning",
                                       [O_CAT - O_TAG] = "category",
                                       [O_FANDOM - O_TAG] = "fandom",
                                       [O_COMPLETE - O_TAG] = "complete",
                                       [O_WORDS - O_TAG] = "words",
                                       [O_LANG - O_TAG] = "language",
                                       [O_SORT - O_TAG] = "sort",
                                       [O_PAGE - O_TAG] = "page"};
    struct idx_param *params = calloc((size_t)argc + 1, sizeof(*params));
    size_t nparams = 0;
    if (!params) {
        fprintf(stderr, "ficd search: out of memory\n");
        return CLI_FAIL;
    }
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_FORMAT:
            if (cli_parse_format("search", optarg, &json)) {
                free(params);
                return CLI_USAGE;
            }
            break;
        case O_DATA:
            data = optarg;
            break;
        case 'h':
            search_usage(stdout);
            free(params);
            return CLI_OK;
        default:
            if (c < O_TAG || c > O_PAGE) {
                search_usage(stderr);
                free(params);
                return CLI_USAGE;
            }
            params[nparams].key = keys[c - O_TAG];
            params[nparams++].value = c == O_COMPLETE ? "T" : optarg;
            break;
        }
    }
    /* The query is the remaining arguments joined by spaces. */
    struct buf text = BUF_INIT;
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            buf_putc(&text, ' ');
        buf_puts(&text, argv[i]);
    }
    if (text.len) {
        params[nparams].key = "q";
        params[nparams++].value = buf_str(&text);
    }
    struct idx_qparams qp;
    int rc = idx_query_from_params(params, nparams, &qp);
    free(params);
    if (rc) {
        fprintf(stderr, "ficd search: %s\n", rc == FICD_EINVAL ? qp.err : ficd_strerror(rc));
        idx_qparams_free(&qp);
        buf_free(&text);
        return rc == FICD_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    struct idx_query *q = &qp.q;
    q->include_restricted = 1; /* the archive's owner at the command line sees everything */

    struct idx *idx;
    struct idx_result r;
    struct store *s;
    int status = CLI_OK;
    if (idx_new(q->text != NULL, &idx)) {
        fprintf(stderr, "ficd search: out of memory\n");
        idx_qparams_free(&qp);
        buf_free(&text);
        return CLI_FAIL;
    }
    /* Check the query's syntax before reading the archive. */
    if (q->text) {
        rc = idx_search(idx, q, &r);
        if (rc == FICD_ESYNTAX || rc == FICD_EINVAL) {
            fprintf(stderr, "ficd search: %s\n", r.err);
            status = CLI_USAGE;
        }
        idx_result_free(&r);
        if (status) {
            idx_free(idx);
            idx_qparams_free(&qp);
            buf_free(&text);
            return status;
        }
    }
    if (cli_open_store(cli_data_dir(data), &s)) {
        idx_free(idx);
        idx_qparams_free(&qp);
        buf_free(&text);
        return CLI_FAIL;
    }
    rc = idx_build(idx, s, isatty(STDERR_FILENO));
    if (rc) {
        fprintf(stderr, "ficd search: cannot build the index: %s\n",
                rc == FICD_EDB || rc == FICD_EIO ? store_errmsg(s) : ficd_strerror(rc));
        status = CLI_FAIL;
    } else {
        rc = idx_search(idx, q, &r);
        if (rc) {
            fprintf(stderr, "ficd search: %s\n", r.err[0] ? r.err : ficd_strerror(rc));
            status = rc == FICD_ESYNTAX || rc == FICD_EINVAL ? CLI_USAGE : CLI_FAIL;
        } else if ((rc = idx_result_snippets(&r, s))) {
            fprintf(stderr, "ficd search: %s\n", store_errmsg(s));
            status = CLI_FAIL;
        } else if (json) {
            json_t *j = works_json_result(&r, s);
            if (!j) {
                fprintf(stderr, "ficd search: out of memory\n");
                status = CLI_FAIL;
            } else {
                cli_print_json(stdout, j);
                json_decref(j);
            }
        } else
            print_text(&r, s);
        idx_result_free(&r);
    }
    store_close(s);
    idx_free(idx);
    idx_qparams_free(&qp);
    buf_free(&text);
    return status;
}

const struct cli_cmd cli_cmd_search = {"search", "search works by tags, filters and full text",
                                       run_search};
