/* migrate.h: copying a SQLite archive into PostgreSQL (`ficd migrate`), table by table,
 * verified and resumable (migrate.c). */
#ifndef FICD_MIGRATE_H
#define FICD_MIGRATE_H

#include <stddef.h>

#define MIGRATE_BATCH 10000 /* rows per transaction by default */

struct migrate_opts {
    int force; /* replace what a non-empty target holds (else it is refused) */
    int batch; /* rows per transaction (0: MIGRATE_BATCH) */
    /* one line of news per table ("works: 1000 rows copied, verified"); may be NULL */
    void (*report)(void *ctx, const char *line);
    void *ctx;
};

/* Copies every table of the SQLite archive in dir (dir/ficd.db, read in one read transaction,
 * never written) into the PostgreSQL database at url, in foreign-key order, in transactions
 * of o->batch rows; then checks each table's row count and a SHA-256 of its rows in key
 * order on both sides, and sets the identity sequences past the copied ids. A database
 * without ficd's schema gets it first; one with the schema must be at the archive's schema
 * version and empty (or o->force: its contents are deleted first). Progress is recorded in the
 * target (table ficd_migrate, dropped at the end): after an interruption the same command
 * resumes where the last committed transaction ended. A progress bar is drawn on stderr when
 * it is a terminal. Returns 0, FICD_EINVAL for what the user can fix (no archive, version
 * differs, non-empty target, another migration's leftovers), or another FICD_E* code; err gets
 * the message. */
int store_migrate(const char *dir, const char *url, const struct migrate_opts *o, char *err,
                  size_t errlen);

#endif
