/* cmd_migrate.c: `ficd migrate --from DIR --to postgres://...`: moves an archive from SQLite
 * to PostgreSQL (store/migrate.h does the copying and checking). */
#include "cli/cli.h"
#include "core/err.h"
#include "store/migrate.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void migrate_usage(FILE *f)
{
    fprintf(f,
            "usage: ficd migrate --from DIR --to postgres://USER@HOST/DB [--force] [--batch N]\n\n"
            "Copies the SQLite archive in DIR (DIR/ficd.db) into a PostgreSQL database: every\n"
            "table (accounts, sessions, works, chapters, tags and wrangling, feedback, readers'\n"
            "tools, import records, settings, the change log), in foreign-key order, in\n"
            "transactions of N rows. Each table is then checked: the same number of rows and\n"
            "the same SHA-256 of its rows on both sides. Identity sequences are set past the\n"
            "copied ids. DIR is only read (one read transaction); stop the server, or at least\n"
            "writes to it, for the duration: rows written during the copy fail the check.\n\n"
            "A database without ficd's tables gets them first. The database must be empty\n"
            "(only the schema): one holding rows is refused unless --force, which DELETES\n"
            "everything in it first. An interrupted migration (Ctrl-C, a lost connection, a\n"
            "crash) resumes where it stopped when the same command is run again: finished\n"
            "tables are skipped and a table half done continues after its last copied row.\n"
            "A progress bar is shown on stderr when it is a terminal; one line per table is\n"
            "printed on stdout. Afterwards serve the archive with `database = URL` in the\n"
            "configuration or FICD_DATABASE=URL (docs/operations.md).\n\n"
            "options:\n"
            "  --from DIR     the SQLite data directory (default ./ficd-data or $FICD_DATA)\n"
            "  --to URL       the PostgreSQL connection URL (libpq's syntax; also a\n"
            "                 \"host=... dbname=...\" string)\n"
            "  --force        replace what the target database holds\n"
            "  --batch N      rows per transaction (1-1000000, default 10000)\n"
            "  -h, --help     show this help\n\n"
            "exit status: 0 copied and verified; 1 the copy or a check failed (run it again\n"
            "to resume); 2 bad usage, no archive in DIR, schema versions differ, or the\n"
            "target is not empty\n");
}

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
    fflush(stdout);
}

static int run_migrate(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    struct migrate_opts o = {.batch = MIGRATE_BATCH, .report = print_line};
    static const struct option opts[] = {
        {"from", required_argument, 0, 'f'}, {"to", required_argument, 0, 't'},
        {"force", no_argument, 0, 'F'},      {"batch", required_argument, 0, 'b'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            from = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'F':
            o.force = 1;
            break;
        case 'b': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 1000000) {
                fprintf(stderr,
                        "ficd migrate: --batch wants a number from 1 to 1000000, not '%s'\n",
                        optarg);
                return CLI_USAGE;
            }
            o.batch = (int)n;
            break;
        }
        case 'h':
            migrate_usage(stdout);
            return CLI_OK;
        default:
            migrate_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "ficd migrate: unexpected argument '%s'\n", argv[optind]);
        migrate_usage(stderr);
        return CLI_USAGE;
    }
    if (!to || !*to) {
        fprintf(stderr, "ficd migrate: --to postgres://... is required\n");
        migrate_usage(stderr);
        return CLI_USAGE;
    }
    if (strncmp(to, "postgres://", 11) && strncmp(to, "postgresql://", 13) && !strchr(to, '=')) {
        fprintf(stderr,
                "ficd migrate: --to wants a PostgreSQL URL (postgres://USER@HOST/DB), not '%s'\n",
                to);
        return CLI_USAGE;
    }
    const char *dir = cli_data_dir(from);
    char err[1024];
    int rc = store_migrate(dir, to, &o, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "ficd migrate: %s\n", err[0] ? err : ficd_strerror(rc));
        return rc == FICD_EINVAL ? CLI_USAGE : CLI_FAIL;
    }
    printf("migrated %s to PostgreSQL; every table verified\n", dir);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_migrate = {"migrate", "copy a SQLite archive into PostgreSQL",
                                        run_migrate};
