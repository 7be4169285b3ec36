/* db_sqlite.c: the SQLite driver of the statement layer (db.h): opening DIR/ficd.db with its
 * pragmas and migrations (migrations.c), statements, error codes, write transactions
 * (BEGIN IMMEDIATE) and online backups with VACUUM INTO. */
#include "store/store_int.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq_stmt {
    struct dbst base;
    sqlite3_stmt *st;
};

#define DB(s) ((sqlite3 *)(s)->conn)
#define ST(x) (((struct sq_stmt *)(x))->st)

/* The FICD_E* code for SQLite result rc (a full disk is FICD_ENOSPC however SQLite saw it:
 * SQLITE_FULL, or a write or sync that failed with ENOSPC). */
static int sl_code(struct store *s, int rc)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return FICD_EEXISTS;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return FICD_EBUSY;
    case SQLITE_NOMEM:
        return FICD_ENOMEM;
    case SQLITE_FULL:
        return FICD_ENOSPC;
    case SQLITE_IOERR:
        return DB(s) && sqlite3_system_errno(DB(s)) == ENOSPC ? FICD_ENOSPC : FICD_EDB;
    default:
        return FICD_EDB;
    }
}

/* Records SQLite's message for rc and returns the matching FICD_E* code. */
static int sl_fail(struct store *s, int rc)
{
    snprintf(s->err, sizeof(s->err), "%s", DB(s) ? sqlite3_errmsg(DB(s)) : sqlite3_errstr(rc));
    s->fk_violation = rc == SQLITE_CONSTRAINT_FOREIGNKEY;
    s->code = sl_code(s, rc);
    return s->code;
}

static const struct db_driver *self(void)
{
    return &db_sqlite_driver;
}

static int sl_prepare(struct store *s, const char *sql, struct dbst **out)
{
    struct sq_stmt *x = calloc(1, sizeof(*x));
    if (!x)
        return sq_failf(s, FICD_ENOMEM, "out of memory");
    int rc = sqlite3_prepare_v3(DB(s), sql, -1, SQLITE_PREPARE_PERSISTENT, &x->st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(x->st);
        free(x);
        return sl_fail(s, rc);
    }
    x->base.drv = self();
    x->base.s = s;
    *out = &x->base;
    return 0;
}

static void sl_finalize(struct dbst *st)
{
    sqlite3_finalize(ST(st));
    free(st);
}

static void sl_reset(struct dbst *st)
{
    sqlite3_reset(ST(st));
    sqlite3_clear_bindings(ST(st));
}

static void sl_bind_int(struct dbst *st, int i, int64_t v)
{
    sqlite3_bind_int64(ST(st), i, v);
}

static void sl_bind_text(struct dbst *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(ST(st), i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(ST(st), i);
}

static void sl_bind_null(struct dbst *st, int i)
{
    sqlite3_bind_null(ST(st), i);
}

static int sl_param_count(struct dbst *st)
{
    return sqlite3_bind_parameter_count(ST(st));
}

static int sl_step(struct dbst *st)
{
    int rc = sqlite3_step(ST(st));
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return sl_fail(st->s, rc);
}

static int64_t sl_col_int(struct dbst *st, int i)
{
    return sqlite3_column_int64(ST(st), i);
}

static const char *sl_col_text(struct dbst *st, int i)
{
    return (const char *)sqlite3_column_text(ST(st), i);
}

static int sl_col_bytes(struct dbst *st, int i)
{
    return sqlite3_column_bytes(ST(st), i);
}

static int sl_col_null(struct dbst *st, int i)
{
    return sqlite3_column_type(ST(st), i) == SQLITE_NULL;
}

static int sl_exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(DB(s), sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    int code = sl_fail(s, rc);
    if (msg)
        snprintf(s->err, sizeof(s->err), "%s", msg);
    sqlite3_free(msg);
    return code;
}

static int sl_begin(struct store *s)
{
    struct dbst *st = sq_prep(s, "BEGIN IMMEDIATE");
    return st ? sq_run(s, st) : FICD_EDB;
}

static int sl_in_tx(struct store *s)
{
    return !sqlite3_get_autocommit(DB(s));
}

static int64_t sl_last_id(struct store *s)
{
    return sqlite3_last_insert_rowid(DB(s));
}

static int sl_changes(struct store *s)
{
    return sqlite3_changes(DB(s));
}

static int64_t sl_total_changes(struct store *s)
{
    return (int64_t)sqlite3_total_changes64(DB(s));
}

/* VACUUM INTO reads the archive in one read transaction: a consistent snapshot while other
 * connections keep writing (WAL). */
static int sl_backup(struct store *s, const char *path)
{
    sqlite3_stmt *st;
    int e = sqlite3_prepare_v2(DB(s), "VACUUM INTO ?1", -1, &st, NULL);
    if (e != SQLITE_OK)
        return sl_fail(s, e);
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    e = sqlite3_step(st);
    int rc = e == SQLITE_DONE ? 0 : sl_fail(s, e);
    sqlite3_finalize(st);
    return rc;
}

static int read_version(struct store *s, int *v)
{
    struct dbst *st = sq_prep(s, "PRAGMA user_version");
    if (!st)
        return FICD_EDB;
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    *v = rc ? (int)db_col_int(st, 0) : 0;
    db_reset(st);
    return 0;
}

/* Applies the migrations newer than PRAGMA user_version, each in its own transaction. The
 * version is read again under the write lock, so two processes opening a new archive at
 * once apply each migration exactly once. */
static int migrate(struct store *s)
{
    for (;;) {
        int v, rc = read_version(s, &v);
        if (rc)
            return rc;
        if (v > (int)sq_nmigrations)
            return sq_failf(s, FICD_EDB, "the archive has schema version %d, newer than %zu", v,
                            sq_nmigrations);
        if (v == (int)sq_nmigrations) {
            s->version = v;
            return 0;
        }
        if ((rc = sq_tx_begin(s)))
            return rc;
        if ((rc = read_version(s, &v)) == 0 && v < (int)sq_nmigrations) {
            if ((rc = sl_exec(s, sq_migrations[v]))) {
                char msg[sizeof(s->err)];
                snprintf(msg, sizeof(msg), "%s", s->err);
                rc = sq_failf(s, FICD_EDB, "migration %d: %s", v + 1, msg);
            } else {
                char sql[64];
                snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
                struct dbst *st =
                    sq_prep(s, "INSERT INTO schema_migrations (version, applied) VALUES (?1, ?2)");
                if (!st)
                    rc = FICD_EDB;
                else {
                    db_bind_int(st, 1, v + 1);
                    db_bind_int(st, 2, sq_now());
                    rc = sq_run(s, st);
                }
                if (!rc)
                    rc = sl_exec(s, sql);
            }
        }
        if ((rc = sq_tx_end(s, rc)))
            return rc;
    }
}

/* Connection settings: extended error codes, then the pragmas. */
static int configure(struct store *s)
{
    static const char *const pragmas[] = {
        "PRAGMA busy_timeout = 5000",
        "PRAGMA journal_mode = WAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
        /* Reads through a memory map (up to 2 GB of the file; SQLite clamps to its build's
         * limit) instead of a pread per page missing from the 2 MB page cache: the API's
         * p50 at 1M works went from 1.17 to 0.78 ms (docs/BENCHMARKS.md). Writes still go
         * through the WAL. */
        "PRAGMA mmap_size = 2147483648",
    };
    sqlite3_extended_result_codes(DB(s), 1);
    for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
        int rc = sl_exec(s, pragmas[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* Process-wide SQLite settings, before the first connection: no memory statistics (they
 * take one global mutex on every allocation, shared by all the server's threads). */
static pthread_once_t sl_global_once = PTHREAD_ONCE_INIT;

static void sl_global_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE if already initialised */
}

static int sl_open(struct store *s, const char *path)
{
    pthread_once(&sl_global_once, sl_global_init);
    sqlite3 *db = NULL;
    /* one thread per connection (store.h): SQLite's per-connection mutex is not needed */
    int e = sqlite3_open_v2(path, &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    s->conn = db;
    if (e != SQLITE_OK)
        return sl_fail(s, e);
    int rc = configure(s);
    return rc ? rc : migrate(s);
}

static void sl_close(struct store *s)
{
    sqlite3_close_v2(DB(s)); /* rolls back an open transaction */
    s->conn = NULL;
}

const struct db_driver db_sqlite_driver = {
    .like = "LIKE",
    .name = "sqlite",
    .open = sl_open,
    .close = sl_close,
    .prepare = sl_prepare,
    .finalize = sl_finalize,
    .reset = sl_reset,
    .bind_int = sl_bind_int,
    .bind_text = sl_bind_text,
    .bind_null = sl_bind_null,
    .param_count = sl_param_count,
    .step = sl_step,
    .col_int = sl_col_int,
    .col_text = sl_col_text,
    .col_bytes = sl_col_bytes,
    .col_null = sl_col_null,
    .exec = sl_exec,
    .begin = sl_begin,
    .in_tx = sl_in_tx,
    .last_id = sl_last_id,
    .changes = sl_changes,
    .total_changes = sl_total_changes,
    .backup = sl_backup,
};
