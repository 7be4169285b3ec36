/* store_test_util.h: helpers shared by the store tests: a temporary data directory per
 * test, removed afterwards, and direct SQL counts through a separate connection. */
#ifndef FICD_STORE_TEST_UTIL_H
#define FICD_STORE_TEST_UTIL_H

#include "store/store.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    struct store *s;
};

static inline int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/ficd-store-XXXXXX");
    if (!mkdtemp(f->dir) || store_open(f->dir, &f->s) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    int rc = nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return rc;
}

/* Runs a one-integer query on DIR/ficd.db through a connection of its own; -1 on error. */
static inline long long raw_int(const char *dir, const char *sql)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/ficd.db", dir);
    sqlite3 *db;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return v;
}

/* Runs a statement on DIR/ficd.db through a connection of its own; 0 on success. */
static inline int raw_exec(const char *dir, const char *sql)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/ficd.db", dir);
    sqlite3 *db;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return rc;
}

#endif
