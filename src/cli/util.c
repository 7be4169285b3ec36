/* util.c: helpers shared by the subcommands: data directory, store opening, id parsing. */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

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
