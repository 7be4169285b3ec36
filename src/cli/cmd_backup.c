/* cmd_backup.c: `ficd backup [--data DIR] OUT`: a consistent online copy of an archive into
 * a new data directory (SQLite's VACUUM INTO through store_backup), safe while the server
 * and other commands keep writing. */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void backup_usage(FILE *f)
{
    fprintf(f, "usage: ficd backup [--data DIR] OUT\n\n"
               "Copies the archive in DIR (default ./ficd-data or $FICD_DATA) into the new data\n"
               "directory OUT while it is in use: the server and other commands may keep\n"
               "reading and writing, and the copy is the whole archive as of one moment (a\n"
               "single read transaction). OUT is created when missing and must not already\n"
               "hold an archive. The copy is written to OUT/ficd.db.backup-tmp, synced to disk\n"
               "and then renamed to OUT/ficd.db, so an interrupted backup never leaves a\n"
               "half-written archive behind.\n\n"
               "OUT is itself a complete data directory: 'ficd list --data OUT' and\n"
               "'ficd serve --data OUT' work on it as is. To restore, serve from OUT, or stop\n"
               "the server and copy OUT/ficd.db over DIR/ficd.db (removing DIR/ficd.db-wal and\n"
               "DIR/ficd.db-shm).\n\n"
               "options:\n"
               "  --data DIR   the archive to back up\n"
               "  -h, --help   show this help\n\n"
               "exit status: 0 done; 1 the copy failed (disk full, I/O error; nothing is left\n"
               "in OUT); 2 bad usage, no archive in DIR, or OUT already holds one\n");
}

static int run_backup(int argc, char **argv)
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
            backup_usage(stdout);
            return CLI_OK;
        default:
            backup_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "ficd backup: give exactly one destination directory OUT\n");
        backup_usage(stderr);
        return CLI_USAGE;
    }
    const char *dir = cli_data_dir(data);
    const char *out = argv[optind];
    char db[4096];
    struct stat st;
    snprintf(db, sizeof(db), "%s/ficd.db", dir);
    if (stat(db, &st) != 0) {
        fprintf(stderr, "ficd backup: there is no archive in %s (no ficd.db)\n", dir);
        return CLI_USAGE;
    }
    snprintf(db, sizeof(db), "%s/ficd.db", out);
    if (stat(db, &st) == 0) {
        fprintf(stderr, "ficd backup: %s already holds an archive; choose a new directory\n", out);
        return CLI_USAGE;
    }
    struct store *s;
    if (cli_open_store(dir, &s))
        return CLI_FAIL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = store_backup(s, out);
    if (rc) {
        fprintf(stderr, "ficd backup: cannot back up %s to %s: %s\n", dir, out, store_errmsg(s));
        store_close(s);
        return rc == FICD_EEXISTS ? CLI_USAGE : CLI_FAIL;
    }
    store_close(s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* open the copy the way every command will: it must be a working archive */
    struct store *copy;
    if (cli_open_store(out, &copy))
        return CLI_FAIL;
    int64_t works = 0;
    if (store_work_count(copy, 1, &works)) {
        fprintf(stderr, "ficd backup: the copy in %s cannot be read: %s\n", out,
                store_errmsg(copy));
        store_close(copy);
        return CLI_FAIL;
    }
    int version = store_schema_version(copy);
    store_close(copy);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    stat(db, &st);
    printf("backed up %s to %s: %lld works, schema version %d, %.1f MB in %.2f s\n", dir, out,
           (long long)works, version, (double)st.st_size / 1048576.0, secs);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_backup = {"backup", "make a consistent copy of a running archive",
                                       run_backup};
