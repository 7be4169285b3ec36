/* store_test_util.h: helpers shared by the store tests: a temporary data directory per
 * test, removed afterwards, and direct SQL counts through a separate connection. Run by
 * tests/pg/with_db.sh (FICD_TEST_PG_PREFIX set), each data directory gets a PostgreSQL
 * database of its own, made on first use and named after the directory, and the direct SQL
 * goes there. */
#ifndef FICD_STORE_TEST_UTIL_H
#define FICD_STORE_TEST_UTIL_H

#include "store/store.h"

#include <ftw.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdint.h>
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

/* On PostgreSQL (FICD_TEST_PG_PREFIX and FICD_TEST_PG_URL set by tests/pg/with_db.sh): the
 * connection URL of dir's database (PREFIX__HASH, created when missing) in url, and 1; 0 on
 * SQLite; -1 on error. */
static inline int test_pg_url(const char *dir, char *url, size_t n)
{
    const char *prefix = getenv("FICD_TEST_PG_PREFIX"), *base = getenv("FICD_TEST_PG_URL");
    if (!prefix || !*prefix || !base)
        return 0;
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (const char *p = dir; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    char db[128], admin[512], sql[256];
    snprintf(db, sizeof(db), "%s__%012llx", prefix, (unsigned long long)(h & 0xffffffffffffull));
    snprintf(admin, sizeof(admin), "%spostgres", base);
    PGconn *c = PQconnectdb(admin);
    int rc = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", db);
        PGresult *r = PQexec(c, sql);
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (PQresultStatus(r) == PGRES_COMMAND_OK || (state && !strcmp(state, "42P04")))
            rc = 1; /* created, or there already */
        else
            fprintf(stderr, "test_pg_url: %s", PQerrorMessage(c));
        PQclear(r);
    } else {
        fprintf(stderr, "test_pg_url: %s", PQerrorMessage(c));
    }
    PQfinish(c);
    if (rc == 1)
        snprintf(url, n, "%s%s", base, db);
    return rc;
}

/* Points FICD_DATABASE at dir's PostgreSQL database when the tests run on PostgreSQL (see
 * test_pg_url), so the next store_open(dir) opens it; 0, or -1 on error. */
static inline int test_use_dir(const char *dir)
{
    char url[640];
    int rc = test_pg_url(dir, url, sizeof(url));
    if (rc == 1)
        return setenv("FICD_DATABASE", url, 1);
    return rc;
}

/* 1 when the tests run on PostgreSQL. */
static inline int test_on_pg(void)
{
    const char *p = getenv("FICD_TEST_PG_PREFIX");
    return p && *p;
}

static inline int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/ficd-store-XXXXXX");
    if (!mkdtemp(f->dir) || test_use_dir(f->dir) != 0 || store_open(f->dir, &f->s) != 0) {
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

/* Runs sql on dir's PostgreSQL database through a connection of its own: the first column of
 * its first row in *v when v is not NULL; 0, or -1 on error. */
static inline int raw_pg(const char *dir, const char *sql, long long *v)
{
    char url[640];
    if (test_pg_url(dir, url, sizeof(url)) != 1)
        return -1;
    PGconn *c = PQconnectdb(url);
    int rc = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            rc = 0;
            if (v)
                *v = st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)
                         ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
                         : -1;
        } else {
            fprintf(stderr, "raw_pg: %s: %s", sql, PQerrorMessage(c));
        }
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

/* Runs a one-integer query on DIR/ficd.db (on PostgreSQL: dir's database) through a
 * connection of its own; -1 on error. */
static inline long long raw_int(const char *dir, const char *sql)
{
    if (test_on_pg()) {
        long long v = -1;
        return raw_pg(dir, sql, &v) == 0 ? v : -1;
    }
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

/* Runs a statement on DIR/ficd.db (on PostgreSQL: dir's database) through a connection of
 * its own; 0 on success. */
static inline int raw_exec(const char *dir, const char *sql)
{
    if (test_on_pg())
        return raw_pg(dir, sql, NULL);
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
