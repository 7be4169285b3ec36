/* util.c: helpers shared by the subcommands: data directory, store opening, id and --format
 * parsing, reading the work a command names. */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_data_dir(const char *flag)
{
    if (flag && *flag)
        return flag;
    const char *env = getenv("FICD_DATA");
    if (env && *env)
        return env;
    return "./ficd-data";
}

int cli_open_store(const char *dir, struct store **out)
{
    int rc = store_open(dir, out);
    if (rc) {
        fprintf(stderr, "ficd: cannot open data directory %s: %s\n", dir, store_open_error());
        return rc;
    }
    return 0;
}

long long cli_parse_id(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0) {
        fprintf(stderr, "ficd: '%s' is not a work id (a positive number)\n", s);
        return 0;
    }
    return v;
}

int cli_parse_format(const char *cmd, const char *arg, int *json)
{
    if (!strcmp(arg, "json") || !strcmp(arg, "text")) {
        *json = arg[0] == 'j';
        return CLI_OK;
    }
    fprintf(stderr, "ficd %s: --format must be text or json, not '%s'\n", cmd, arg);
    return CLI_USAGE;
}

int cli_load_work(const char *cmd, int argc, char **argv, const char *data, int with_bodies,
                  struct store **s, struct work *w)
{
    if (optind != argc - 1) {
        fprintf(stderr, "ficd %s: give exactly one WORK_ID (see 'ficd %s --help')\n", cmd, cmd);
        return CLI_USAGE;
    }
    long long id = cli_parse_id(argv[optind]);
    if (!id)
        return CLI_USAGE;
    if (cli_open_store(cli_data_dir(data), s))
        return CLI_FAIL;
    int rc = store_work_get(*s, id, with_bodies, w);
    if (rc) {
        if (rc == FICD_ENOTFOUND)
            fprintf(stderr, "ficd %s: no work with id %lld\n", cmd, id);
        else
            fprintf(stderr, "ficd %s: %s\n", cmd, store_errmsg(*s));
        store_close(*s);
        return rc == FICD_ENOTFOUND ? CLI_USAGE : CLI_FAIL;
    }
    return CLI_OK;
}

void cli_print_joined(const struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        printf("%s%s", i ? ", " : "", l->v[i]);
    printf("\n");
}
