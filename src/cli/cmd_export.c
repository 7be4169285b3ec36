/* cmd_export.c: `ficd export`: write a work as plain text, Markdown, HTML or EPUB. */
#include "cli/cli.h"
#include "store/store.h"
#include "text/export.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void export_usage(FILE *f)
{
    fprintf(f, "usage: ficd export --format txt|md|html|epub [-o FILE] [--data DIR] WORK_ID\n\n"
               "Writes work WORK_ID to stdout, or to FILE with -o (written to a temporary\n"
               "file first, then renamed, so FILE is never half-written).\n"
               "  txt   plain text with the metadata block and every chapter\n"
               "  md    Markdown with YAML front matter; `ficd import` reads it back\n"
               "  html  one self-contained HTML page\n"
               "  epub  EPUB 3 (title page, a file per chapter, navigation)\n\n"
               "options:\n"
               "  --format FMT   the format (required)\n"
               "  -o, --output FILE  write to FILE instead of stdout\n"
               "  --data DIR     data directory (default ./ficd-data or $FICD_DATA)\n"
               "  -h, --help     show this help\n");
}

/* Writes all of b to path via a temporary file and rename. */
static int write_atomic(const char *path, const struct buf *b)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp%d", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "ficd export: cannot write %s: %s\n", path, strerror(errno));
        free(tmp);
        return -1;
    }
    int bad = fwrite(b->data, 1, b->len, f) != b->len;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path)) {
        fprintf(stderr, "ficd export: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

static int run_export(int argc, char **argv)
{
    const char *data = NULL, *out = NULL;
    int fmt = -1;
    static const struct option opts[] = {{"format", required_argument, 0, 'f'},
                                         {"output", required_argument, 0, 'o'},
                                         {"data", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt = export_format_parse(optarg);
            if (fmt < 0) {
                fprintf(stderr, "ficd export: unknown format '%s' (txt, md, html, epub)\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'o':
            out = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'h':
            export_usage(stdout);
            return CLI_OK;
        default:
            export_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (fmt < 0) {
        fprintf(stderr, "ficd export: --format is required (txt, md, html, epub)\n");
        return CLI_USAGE;
    }
    struct store *s;
    struct work w;
    int rc = cli_load_work("export", argc, argv, data, 1, &s, &w);
    if (rc)
        return rc;
    long long id = w.id;
    struct buf b = BUF_INIT;
    rc = export_work(&w, (enum export_format)fmt, &b);
    int status = CLI_OK;
    if (rc || b.err) {
        fprintf(stderr, "ficd export: cannot export work %lld: %s\n", id,
                ficd_strerror(rc ? rc : b.err));
        status = CLI_FAIL;
    } else if (out) {
        if (write_atomic(out, &b))
            status = CLI_FAIL;
    } else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout)) {
        fprintf(stderr, "ficd export: write error: %s\n", strerror(errno));
        status = CLI_FAIL;
    }
    buf_free(&b);
    work_free(&w);
    store_close(s);
    return status;
}

const struct cli_cmd cli_cmd_export = {"export", "write a work as txt, md, html or epub",
                                       run_export};
