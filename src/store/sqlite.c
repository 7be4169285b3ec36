/* sqlite.c: the SQLite store's connection: open and migrate, errors, the statement cache,
 * transactions, the change log and settings. Works, tags and accounts live in
 * sqlite_works.c, sqlite_tags.c and sqlite_accounts.c. */
#include "store/sqlite_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int64_t sq_now(void)
{
    return (int64_t)time(NULL);
}

int sq_failf(struct store *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
    s->code = code;
    return code;
}

/* The FICD_E* code for SQLite result rc (a full disk is FICD_ENOSPC however SQLite saw it:
 * SQLITE_FULL, or a write or sync that failed with ENOSPC). */
static int sq_code(struct store *s, int rc)
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
        return s->db && sqlite3_system_errno(s->db) == ENOSPC ? FICD_ENOSPC : FICD_EDB;
    default:
        return FICD_EDB;
    }
}

int sq_fail(struct store *s, int rc)
{
    snprintf(s->err, sizeof(s->err), "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    s->code = sq_code(s, rc);
    return s->code;
}

const char *store_errmsg(struct store *s)
{
    if (!s)
        return "no store";
    return s->err[0] ? s->err : "no error";
}

int store_schema_version(struct store *s)
{
    return s->version;
}

sqlite3_stmt *sq_prep(struct store *s, const char *sql)
{
    for (size_t i = 0; i < s->ncache; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_stmt *st = s->cache[i].st;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    if (s->ncache == s->cache_cap) {
        size_t cap = s->cache_cap ? s->cache_cap * 2 : 64;
        struct sq_cached *c = realloc(s->cache, cap * sizeof(*c));
        if (!c) {
            sq_failf(s, FICD_ENOMEM, "out of memory");
            return NULL;
        }
        s->cache = c;
        s->cache_cap = cap;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        sq_fail(s, rc);
        sqlite3_finalize(st);
        return NULL;
    }
    s->cache[s->ncache].sql = sql;
    s->cache[s->ncache].st = st;
    s->ncache++;
    return st;
}

int sq_run(struct store *s, sqlite3_stmt *st)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    int e = rc == SQLITE_DONE ? 0 : sq_fail(s, rc);
    sqlite3_reset(st);
    return e;
}

int sq_row(struct store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    int e = rc == SQLITE_DONE ? 0 : sq_fail(s, rc);
    sqlite3_reset(st);
    return e;
}

int sq_changes(struct store *s)
{
    return sqlite3_changes(s->db);
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void sq_bind_id(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

int sq_col_dup(sqlite3_stmt *st, int i, char **out)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t) {
        *out = NULL;
        return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : FICD_ENOMEM;
    }
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    char *c = malloc(n + 1);
    if (!c)
        return FICD_ENOMEM;
    memcpy(c, t, n);
    c[n] = 0;
    *out = c;
    return 0;
}

/* Runs one fixed statement (transaction control) through the cache. */
static int exec_fixed(struct store *s, const char *sql)
{
    sqlite3_stmt *st = sq_prep(s, sql);
    return st ? sq_run(s, st) : FICD_EDB;
}

/* Runs a statement while unwinding after an error: its own failure must not replace the
 * message of the error being reported. */
static void exec_quiet(struct store *s, const char *sql)
{
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

int sq_tx_begin(struct store *s)
{
    if (s->tx_lost)
        return sq_failf(s, FICD_EDB, "the transaction was rolled back after an error");
    return exec_fixed(s, s->depth ? "SAVEPOINT ficd_op" : "BEGIN IMMEDIATE");
}

int sq_tx_end(struct store *s, int rc)
{
    if (rc == 0) {
        rc = exec_fixed(s, s->depth ? "RELEASE ficd_op" : "COMMIT");
        if (rc == 0)
            return 0;
    }
    if (s->depth) {
        if (sqlite3_get_autocommit(s->db)) {
            s->tx_lost = 1; /* SQLite ended the caller's transaction itself */
        } else {
            exec_quiet(s, "ROLLBACK TO ficd_op");
            exec_quiet(s, "RELEASE ficd_op");
        }
    } else if (!sqlite3_get_autocommit(s->db)) {
        exec_quiet(s, "ROLLBACK");
    }
    return rc;
}

int store_begin(struct store *s)
{
    if (s->depth == 0)
        s->tx_lost = 0;
    int rc = s->tx_lost ? sq_failf(s, FICD_EDB, "the transaction was rolled back after an error")
                        : exec_fixed(s, s->depth ? "SAVEPOINT ficd_tx" : "BEGIN IMMEDIATE");
    if (rc)
        return rc;
    s->depth++;
    return 0;
}

int store_commit(struct store *s)
{
    if (s->depth == 0)
        return sq_failf(s, FICD_EINVAL, "commit without a transaction");
    if (s->tx_lost) {
        if (--s->depth == 0)
            s->tx_lost = 0;
        return sq_failf(s, FICD_EDB, "the transaction was rolled back after an error");
    }
    if (s->depth > 1) {
        int rc = exec_fixed(s, "RELEASE ficd_tx");
        if (rc)
            return rc;
        s->depth--;
        return 0;
    }
    int rc = exec_fixed(s, "COMMIT");
    if (rc && !sqlite3_get_autocommit(s->db))
        exec_quiet(s, "ROLLBACK");
    s->depth = 0;
    return rc;
}

void store_rollback(struct store *s)
{
    if (s->depth == 0)
        return;
    if (s->tx_lost) {
        if (--s->depth == 0)
            s->tx_lost = 0;
        return;
    }
    if (s->depth > 1) {
        exec_quiet(s, "ROLLBACK TO ficd_tx");
        exec_quiet(s, "RELEASE ficd_tx");
    } else {
        exec_quiet(s, "ROLLBACK");
    }
    s->depth--;
}

/* mkdir -p: creates each missing component of dir. */
static int make_dirs(const char *dir)
{
    char *p = strdup(dir);
    if (!p)
        return FICD_ENOMEM;
    int rc = 0;
    for (char *c = p + 1;; c++) {
        if (*c == '/' || *c == 0) {
            char save = *c;
            *c = 0;
            if (mkdir(p, 0700) != 0 && errno != EEXIST) {
                rc = FICD_EIO;
                break;
            }
            *c = save;
            if (!save)
                break;
        }
    }
    free(p);
    if (rc == 0) {
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = FICD_EIO;
    }
    return rc;
}

int sq_make_dirs(const char *dir)
{
    return make_dirs(dir);
}

static int read_version(struct store *s, int *v)
{
    sqlite3_stmt *st = sq_prep(s, "PRAGMA user_version");
    if (!st)
        return FICD_EDB;
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    *v = rc ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
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
            char *msg = NULL;
            int e = sqlite3_exec(s->db, sq_migrations[v], NULL, NULL, &msg);
            if (e != SQLITE_OK) {
                rc = sq_failf(s, FICD_EDB, "migration %d: %s", v + 1, msg ? msg : "failed");
                sqlite3_free(msg);
            } else {
                char sql[64];
                snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
                sqlite3_stmt *st =
                    sq_prep(s, "INSERT INTO schema_migrations (version, applied) VALUES (?1, ?2)");
                if (!st)
                    rc = FICD_EDB;
                else {
                    sqlite3_bind_int(st, 1, v + 1);
                    sqlite3_bind_int64(st, 2, sq_now());
                    rc = sq_run(s, st);
                }
                if (!rc && (e = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
                    rc = sq_fail(s, e);
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
    sqlite3_extended_result_codes(s->db, 1);
    for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
        int rc = sqlite3_exec(s->db, pragmas[i], NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return sq_fail(s, rc);
    }
    return 0;
}

/* Process-wide SQLite settings, before the first connection: no memory statistics (they
 * take one global mutex on every allocation, shared by all the server's threads). */
static pthread_once_t sq_global_once = PTHREAD_ONCE_INIT;

static void sq_global_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE if already initialised */
}

int store_open(const char *dir, struct store **out)
{
    *out = NULL;
    if (!dir || !*dir)
        return FICD_EINVAL;
    int rc = make_dirs(dir);
    if (rc)
        return rc;
    struct store *s = calloc(1, sizeof(*s));
    size_t n = strlen(dir) + sizeof("/ficd.db");
    char *path = malloc(n);
    if (!s || !path) {
        free(s);
        free(path);
        return FICD_ENOMEM;
    }
    snprintf(path, n, "%s/ficd.db", dir);
    pthread_once(&sq_global_once, sq_global_init);
    /* one thread per connection (store.h): SQLite's per-connection mutex is not needed */
    int e = sqlite3_open_v2(path, &s->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    free(path);
    rc = e != SQLITE_OK ? sq_fail(s, e) : configure(s);
    if (rc == 0)
        rc = migrate(s);
    if (rc) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ncache; i++)
        sqlite3_finalize(s->cache[i].st);
    free(s->cache);
    sqlite3_close_v2(s->db); /* rolls back an open transaction */
    free(s);
}

/* ---- change log ---- */

int sq_log_change(struct store *s, enum change_kind kind, int64_t object_id)
{
    sqlite3_stmt *st =
        sq_prep(s, "INSERT INTO change_log (kind, object_id, at) VALUES (?1, ?2, ?3)");
    if (!st)
        return FICD_EDB;
    sqlite3_bind_int(st, 1, (int)kind);
    sqlite3_bind_int64(st, 2, object_id);
    sqlite3_bind_int64(st, 3, sq_now());
    return sq_run(s, st);
}

/* The statement is prepared for this call alone, so cb may use the store. */
int store_changes_since(struct store *s, int64_t after, store_change_cb cb, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int e = sqlite3_prepare_v2(
        s->db, "SELECT seq, kind, object_id FROM change_log WHERE seq > ?1 ORDER BY seq", -1, &st,
        NULL);
    if (e != SQLITE_OK)
        return sq_fail(s, e);
    sqlite3_bind_int64(st, 1, after);
    int rc = 0;
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        if (cb(sqlite3_column_int64(st, 0), (enum change_kind)sqlite3_column_int(st, 1),
               sqlite3_column_int64(st, 2), ctx))
            break;
    }
    if (e != SQLITE_ROW && e != SQLITE_DONE)
        rc = sq_fail(s, e);
    sqlite3_finalize(st);
    return rc;
}

int store_last_change(struct store *s, int64_t *seq)
{
    *seq = 0;
    sqlite3_stmt *st = sq_prep(s, "SELECT coalesce(max(seq), 0) FROM change_log");
    if (!st)
        return FICD_EDB;
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc)
        *seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

/* ---- settings ---- */

int store_setting_get(struct store *s, const char *key, char **value)
{
    *value = NULL;
    if (!key)
        return sq_failf(s, FICD_EINVAL, "no setting key");
    sqlite3_stmt *st = sq_prep(s, "SELECT value FROM settings WHERE key = ?1");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    rc = sq_col_dup(st, 0, value);
    sqlite3_reset(st);
    return rc;
}

/* Sets (inserts or replaces) a setting; a NULL value removes it. */
int store_setting_set(struct store *s, const char *key, const char *value)
{
    if (!key)
        return sq_failf(s, FICD_EINVAL, "no setting key");
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    sqlite3_stmt *st = value ? sq_prep(s, "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                             : sq_prep(s, "DELETE FROM settings WHERE key = ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        sq_bind_text(st, 1, key);
        if (value)
            sq_bind_text(st, 2, value);
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}
