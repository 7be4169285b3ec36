/* sqlite_load.c: the bulk-import benchmark's peer: SQLite itself loading the rows that
 * `ficd import` stored, with nothing else to do. */
/*
 * Usage: bench_sqlite_load --from FICD_DB --to NEW_DB
 *
 * Creates NEW_DB with FICD_DB's schema (its tables, indexes and triggers, in the order
 * SQLite keeps them), in WAL mode with synchronous = NORMAL as ficd opens its store, then
 * copies every row of the archive's content tables (accounts, works, chapters, tags, work
 * tags and credits, the change log: whatever tables the schema has) in one transaction,
 * table by table in rowid order with INSERT ... SELECT from the attached source: no parsing,
 * no statements per row, no network. The schema's triggers fire as they do for ficd (tag use
 * counts, for instance), so both do the same index and trigger work per row. Prints the
 * rows copied and the wall and CPU seconds on stdout, as "rows N wall S cpu S".
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_sqlite_load: %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--from"))
            from = argv[i + 1];
        else if (!strcmp(argv[i], "--to"))
            to = argv[i + 1];
    }
    if (!from || !to) {
        fprintf(stderr, "usage: bench_sqlite_load --from FICD_DB --to NEW_DB\n");
        return 2;
    }
    remove(to);
    sqlite3 *db;
    if (sqlite3_open(to, &db) != SQLITE_OK)
        return 1;
    char *sql = sqlite3_mprintf("ATTACH %Q AS src", from);
    int rc = exec(db, sql);
    sqlite3_free(sql);
    if (rc || exec(db, "PRAGMA journal_mode = WAL") || exec(db, "PRAGMA synchronous = NORMAL") ||
        exec(db, "PRAGMA foreign_keys = OFF"))
        return 1;

    /* The schema: tables first, then indexes and triggers (sqlite_master's order keeps each
     * after what it depends on). Internal tables (sqlite_*) are SQLite's own. */
    sqlite3_stmt *st;
    const char *q = "SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL AND "
                    "name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, "
                    "rowid";
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
        return 1;
    size_t ntables = 0, cap = 64;
    char **tables = malloc(cap * sizeof(*tables));
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (exec(db, (const char *)sqlite3_column_text(st, 2)))
            return 1;
        if (!strcmp(type, "table")) {
            if (ntables == cap)
                tables = realloc(tables, (cap *= 2) * sizeof(*tables));
            tables[ntables++] = strdup(name);
        }
    }
    sqlite3_finalize(st);

    double t0 = now_s(), c0 = cpu_s();
    long long rows = 0;
    if (exec(db, "BEGIN"))
        return 1;
    for (size_t i = 0; i < ntables; i++) {
        /* Virtual or shadow tables cannot be copied row by row; ficd has none. */
        sql = sqlite3_mprintf("INSERT INTO main.%Q SELECT * FROM src.%Q", tables[i], tables[i]);
        rc = exec(db, sql);
        sqlite3_free(sql);
        if (rc)
            return 1;
        rows += sqlite3_changes(db);
    }
    if (exec(db, "COMMIT"))
        return 1;
    double wall = now_s() - t0, cpu = cpu_s() - c0;
    printf("rows %lld wall %.3f cpu %.3f\n", rows, wall, cpu);
    for (size_t i = 0; i < ntables; i++)
        free(tables[i]);
    free(tables);
    sqlite3_close(db);
    return 0;
}
