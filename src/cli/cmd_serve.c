/* cmd_serve.c: `ficd serve`: run the web archive (settings: flags > env > file > defaults). */
#include "cli/cli.h"
#include "web/config.h"
#include "web/server.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: ficd serve [--listen ADDR:PORT] [--data DIR] [--config FILE]\n\n"
            "Serves the archive over HTTP until SIGTERM or SIGINT, then finishes the\n"
            "requests in flight and stops. On first run, open the site to create the\n"
            "admin account.\n\n"
            "options:\n"
            "  --listen ADDR:PORT  where to listen (default 127.0.0.1:8080; [::1]:8080 for IPv6)\n"
            "  --data DIR          data directory (default ./ficd-data)\n"
            "  --config FILE       a file of `key = value` settings (also $FICD_CONFIG)\n"
            "  -h, --help          show this help\n\n"
            "Every setting can also come from the environment: FICD_LISTEN, FICD_DATA,\n"
            "FICD_MAX_BODY, FICD_THREADS, ... (see docs/configuration.md).\n\n"
            "The archive lives in SQLite in DIR unless the setting `database` (or\n"
            "$FICD_DATABASE) names a PostgreSQL database, postgres://user@host/db: then\n"
            "several nodes can serve one archive (docs/operations.md); DIR still holds\n"
            "local files such as the index snapshot.\n\n"
            "The search index is loaded from DIR/index.snap when it matches the store\n"
            "(written after a build, every 10 minutes when changed and at a clean stop;\n"
            "deleting it is safe), else built from the store: with 20000 works or more\n"
            "($FICD_INDEX_DEFER_MIN), listings are served first and full-text searches\n"
            "answer 503 until full text is built in the background.\n");
}

static const char *env_get(const char *name)
{
    return getenv(name);
}

static int run_serve(int argc, char **argv)
{
    const char *listen = NULL, *data = NULL, *config = NULL;
    static const struct option opts[] = {{"listen", required_argument, 0, 'l'},
                                         {"data", required_argument, 0, 'd'},
                                         {"config", required_argument, 0, 'c'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            listen = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'h':
            serve_usage(stdout);
            return CLI_OK;
        default:
            serve_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "ficd serve: unexpected argument '%s'\n", argv[optind]);
        return CLI_USAGE;
    }
    struct web_config cfg;
    char err[512];
    web_config_defaults(&cfg);
    if (!config)
        config = getenv("FICD_CONFIG");
    if (config && *config && web_config_load_file(&cfg, config, err, sizeof(err))) {
        fprintf(stderr, "ficd serve: %s\n", err);
        return CLI_USAGE;
    }
    if (web_config_load_env(&cfg, env_get, err, sizeof(err))) {
        fprintf(stderr, "ficd serve: %s\n", err);
        return CLI_USAGE;
    }
    if ((listen && web_config_set(&cfg, "listen", listen, err, sizeof(err))) ||
        (data && web_config_set(&cfg, "data", data, err, sizeof(err)))) {
        fprintf(stderr, "ficd serve: %s\n", err);
        return CLI_USAGE;
    }
    return web_serve(&cfg) ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_serve = {"serve", "run the web archive", run_serve};
