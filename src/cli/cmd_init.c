/* cmd_init.c: `ficd init [DIR]`: create and migrate a data directory. */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void init_usage(FILE *f)
{
    fprintf(f, "usage: ficd init [--data DIR] [DIR]\n\n"
               "Creates the data directory DIR (default ./ficd-data or $FICD_DATA) with an\n"
               "empty archive database, or brings an existing one up to the current schema.\n\n"
               "options:\n"
               "  --data DIR   the data directory (same as the positional DIR)\n"
               "  -h, --help   show this help\n");
}

static int run_init(int argc, char **argv)
{
    const char *data = NULL;
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'h':
            init_usage(stdout);
            return 0;
        default:
            init_usage(stderr);
            return 2;
        }
    }
    if (optind < argc)
        data = argv[optind];
    const char *dir = cli_data_dir(data);
    struct store *s;
    if (cli_open_store(dir, &s))
        return 1;
    printf("initialised %s (schema version %d)\n", dir, store_schema_version(s));
    store_close(s);
    return 0;
}

const struct cli_cmd cli_cmd_init = {"init", "create or upgrade a data directory", run_init};
