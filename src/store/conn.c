/* conn.c: the store's connection whatever the backend: choosing the database (FICD_DATABASE,
 * store_set_database, or DIR/ficd.db), errors, the statement cache, transactions, the change
 * log and settings. The backends are db_sqlite.c and db_pg.c; works, tags, accounts and the
 * rest live in works.c, tags.c, accounts.c and their neighbours. */
#include "store/store_int.h"

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

int sq_fail(struct store *s, int code)
{
    if (code >= 0) /* a driver status that is not an error: should not happen */
        return sq_failf(s, FICD_EDB, "unexpected database status %d", code);
    if (!s->code)
        s->code = code;
    return code;
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

const char *store_backend(struct store *s)
{
    return s->drv->name;
}

const struct db_driver *store_driver(struct store *s)
{
    return s->drv;
}

int db_prepare(struct store *s, const char *sql, struct dbst **out)
{
    *out = NULL;
    return s->drv->prepare(s, sql, out);
}

int db_exec(struct store *s, const char *sql)
{
    return s->drv->exec(s, sql);
}

const char *db_like(struct store *s)
{
    return s->drv->like;
}

int db_in_tx(struct store *s)
{
    return s->drv->in_tx(s);
}

int64_t db_last_id(struct store *s)
{
    return s->drv->last_id(s);
}

int64_t db_total_changes(struct store *s)
{
    return s->drv->total_changes(s);
}

const char *db_sql(struct store *s, const char *sqlite_sql, const char *pg_sql)
{
    return s->drv == &db_pg_driver ? pg_sql : sqlite_sql;
}

struct dbst *sq_prep(struct store *s, const char *sql)
{
    for (size_t i = 0; i < s->ncache; i++) {
        if (s->cache[i].sql == sql) {
            struct dbst *st = s->cache[i].st;
            db_reset(st);
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
    struct dbst *st = NULL;
    if (s->drv->prepare(s, sql, &st))
        return NULL;
    st->persistent = 1;
    s->cache[s->ncache].sql = sql;
    s->cache[s->ncache].st = st;
    s->ncache++;
    return st;
}

int sq_run(struct store *s, struct dbst *st)
{
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        ;
    int e = rc == DB_DONE ? 0 : sq_fail(s, rc);
    db_reset(st);
    return e;
}

int sq_row(struct store *s, struct dbst *st)
{
    int rc = db_step(st);
    if (rc == DB_ROW)
        return 1;
    int e = rc == DB_DONE ? 0 : sq_fail(s, rc);
    db_reset(st);
    return e;
}

int sq_changes(struct store *s)
{
    return s->drv->changes(s);
}

void sq_bind_text(struct dbst *st, int i, const char *v)
{
    if (v)
        db_bind_text(st, i, v);
    else
        db_bind_null(st, i);
}

void sq_bind_id(struct dbst *st, int i, int64_t v)
{
    if (v)
        db_bind_int(st, i, v);
    else
        db_bind_null(st, i);
}

int sq_col_dup(struct dbst *st, int i, char **out)
{
    const char *t = db_col_text(st, i);
    if (!t) {
        *out = NULL;
        return 0;
    }
    size_t n = (size_t)db_col_bytes(st, i);
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
    struct dbst *st = sq_prep(s, sql);
    return st ? sq_run(s, st) : FICD_EDB;
}

/* Runs a statement while unwinding after an error: its own failure must not replace the
 * message of the error being reported. */
static void exec_quiet(struct store *s, const char *sql)
{
    char err[sizeof(s->err)];
    int code = s->code, fk = s->fk_violation;
    memcpy(err, s->err, sizeof(err));
    s->drv->exec(s, sql);
    memcpy(s->err, err, sizeof(err));
    s->code = code;
    s->fk_violation = fk;
}

int sq_tx_begin(struct store *s)
{
    if (s->tx_lost)
        return sq_failf(s, FICD_EDB, "the transaction was rolled back after an error");
    return s->depth ? exec_fixed(s, "SAVEPOINT ficd_op") : s->drv->begin(s);
}

int sq_tx_end(struct store *s, int rc)
{
    if (rc == 0) {
        rc = exec_fixed(s, s->depth ? "RELEASE ficd_op" : "COMMIT");
        if (rc == 0)
            return 0;
    }
    if (s->depth) {
        if (!db_in_tx(s)) {
            s->tx_lost = 1; /* the database ended the caller's transaction itself */
        } else {
            exec_quiet(s, "ROLLBACK TO ficd_op");
            exec_quiet(s, "RELEASE ficd_op");
        }
    } else if (db_in_tx(s)) {
        exec_quiet(s, "ROLLBACK");
    }
    return rc;
}

int store_begin(struct store *s)
{
    if (s->depth == 0)
        s->tx_lost = 0;
    int rc = s->tx_lost ? sq_failf(s, FICD_EDB, "the transaction was rolled back after an error")
             : s->depth ? exec_fixed(s, "SAVEPOINT ficd_tx")
                        : s->drv->begin(s);
    if (rc)
        return rc;
    s->depth++;
    return 0;
}

int store_bulk_load(struct store *s)
{
    if (s->drv != &db_sqlite_driver)
        return 0;
    return s->drv->exec(s, "PRAGMA cache_size = -262144; PRAGMA wal_autocheckpoint = 16384");
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
    if (rc && db_in_tx(s))
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
int sq_make_dirs(const char *dir)
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

/* The database store_set_database chose for this process (NULL: none). */
static char *g_database;
static pthread_mutex_t g_database_lock = PTHREAD_MUTEX_INITIALIZER;

int store_set_database(const char *url)
{
    char *c = url && *url ? strdup(url) : NULL;
    if (url && *url && !c)
        return FICD_ENOMEM;
    pthread_mutex_lock(&g_database_lock);
    free(g_database);
    g_database = c;
    pthread_mutex_unlock(&g_database_lock);
    return 0;
}

/* Why the last store_open on this thread failed. */
static _Thread_local char open_err[512];

const char *store_open_error(void)
{
    return open_err[0] ? open_err : "no error";
}

static int is_pg_url(const char *u)
{
    return !strncmp(u, "postgres://", 11) || !strncmp(u, "postgresql://", 13);
}

int store_open(const char *dir, struct store **out)
{
    *out = NULL;
    open_err[0] = 0;
    if (!dir || !*dir)
        return FICD_EINVAL;
    int rc = sq_make_dirs(dir);
    if (rc) {
        snprintf(open_err, sizeof(open_err), "cannot create %s: %s", dir, strerror(errno));
        return rc;
    }
    struct store *s = calloc(1, sizeof(*s));
    if (!s)
        return FICD_ENOMEM;
    const char *env = getenv("FICD_DATABASE");
    char *where = NULL;
    pthread_mutex_lock(&g_database_lock);
    if (env && *env)
        where = strdup(env);
    else if (g_database)
        where = strdup(g_database);
    pthread_mutex_unlock(&g_database_lock);
    if (!where && (where = malloc(strlen(dir) + sizeof("/ficd.db"))))
        sprintf(where, "%s/ficd.db", dir);
    if (!where) {
        free(s);
        return FICD_ENOMEM;
    }
    if (is_pg_url(where)) {
        s->drv = &db_pg_driver;
    } else if (!strncmp(where, "sqlite:", 7) || strstr(where, "://")) {
        /* sqlite:PATH names a file; any other scheme is a mistake worth saying */
        if (strncmp(where, "sqlite:", 7)) {
            snprintf(open_err, sizeof(open_err),
                     "unknown database '%s' (postgres://... or sqlite:PATH)", where);
            free(where);
            free(s);
            return FICD_EINVAL;
        }
        memmove(where, where + 7, strlen(where + 7) + 1);
        s->drv = &db_sqlite_driver;
    } else {
        s->drv = &db_sqlite_driver;
    }
    rc = s->drv->open(s, where);
    free(where);
    if (rc) {
        snprintf(open_err, sizeof(open_err), "%s", s->err[0] ? s->err : ficd_strerror(rc));
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
        db_finalize(s->cache[i].st);
    free(s->cache);
    s->drv->close(s); /* rolls back an open transaction */
    free(s);
}

/* ---- change log ---- */

int sq_log_change(struct store *s, enum change_kind kind, int64_t object_id)
{
    struct dbst *st =
        sq_prep(s, "INSERT INTO change_log (kind, object_id, at) VALUES (?1, ?2, ?3)");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, (int)kind);
    db_bind_int(st, 2, object_id);
    db_bind_int(st, 3, sq_now());
    int rc = sq_run(s, st);
    if (!rc && s->drv->wait_notify) {
        /* wakes every node LISTENing (store_wait_change) when this transaction commits;
         * several in one transaction are delivered as one */
        st = sq_prep(s, "SELECT pg_notify('ficd_changes', '')");
        if (!st)
            return FICD_EDB;
        rc = sq_row(s, st);
        db_reset(st);
        rc = rc < 0 ? rc : 0;
    }
    if (!rc)
        s->logged_at = db_total_changes(s);
    return rc;
}

/* The statement is prepared for this call alone, so cb may use the store. */
int store_changes_since(struct store *s, int64_t after, store_change_cb cb, void *ctx)
{
    struct dbst *st = NULL;
    int e = db_prepare(s, "SELECT seq, kind, object_id FROM change_log WHERE seq > ?1 ORDER BY seq",
                       &st);
    if (e != DB_OK)
        return sq_fail(s, e);
    db_bind_int(st, 1, after);
    int rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        if (cb(db_col_int(st, 0), (enum change_kind)(int)db_col_int(st, 1), db_col_int(st, 2), ctx))
            break;
    }
    if (e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    db_finalize(st);
    return rc;
}

int store_last_change(struct store *s, int64_t *seq)
{
    *seq = 0;
    struct dbst *st = sq_prep(s, "SELECT coalesce(max(seq), 0) FROM change_log");
    if (!st)
        return FICD_EDB;
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc)
        *seq = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

/* ---- settings ---- */

int store_setting_get(struct store *s, const char *key, char **value)
{
    *value = NULL;
    if (!key)
        return sq_failf(s, FICD_EINVAL, "no setting key");
    struct dbst *st = sq_prep(s, "SELECT value FROM settings WHERE key = ?1");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, key);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    rc = sq_col_dup(st, 0, value);
    db_reset(st);
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
    struct dbst *st = value ? sq_prep(s, "INSERT INTO settings (key, value) VALUES (?1, ?2) "
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

/* ---- small helpers the store's files share ---- */

/* Prepares sql for one call (not cached), so that a callback run while it is open may use
 * the store's cached statements. */
struct dbst *sq_prep_once(struct store *s, const char *sql)
{
    struct dbst *st = NULL;
    int rc = db_prepare(s, sql, &st);
    if (rc != DB_OK) {
        sq_fail(s, rc);
        db_finalize(st);
        return NULL;
    }
    return st;
}

/* Runs a one-integer query with up to two integer parameters; *out = 0 when no row. */
int sq_query_int(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *out)
{
    *out = 0;
    struct dbst *st = sq_prep(s, sql);
    if (!st)
        return FICD_EDB;
    if (db_param_count(st) >= 1)
        db_bind_int(st, 1, a);
    if (db_param_count(st) >= 2)
        db_bind_int(st, 2, b);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *out = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

/* Counts *total for a list query (sql with ?1 = a); NULL total does nothing. */
int sq_count_into(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *total)
{
    if (!total)
        return 0;
    return sq_query_int(s, sql, a, b, total);
}

/* One UPDATE of a users row with one integer value, in its own unit of work. */
int sq_run_ii(struct store *s, const char *sql, int64_t a, int64_t b, const char *what,
              int64_t what_id)
{
    struct dbst *st = sq_prep(s, sql);
    if (!st)
        return FICD_EDB;
    int np = db_param_count(st);
    if (np >= 1)
        db_bind_int(st, 1, a);
    if (np >= 2)
        db_bind_int(st, 2, b);
    int rc = sq_run(s, st);
    if (!rc && what && sq_changes(s) == 0)
        rc = sq_failf(s, FICD_ENOTFOUND, "no %s %lld", what, (long long)what_id);
    return rc;
}

int sq_unit_ii(struct store *s, const char *sql, int64_t a, int64_t b, const char *what,
               int64_t what_id)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    return sq_tx_end(s, sq_run_ii(s, sql, a, b, what, what_id));
}

int sq_user_set_int(struct store *s, const char *sql, int64_t id, int64_t v)
{
    return sq_unit_ii(s, sql, id, v, "user", id);
}

/* Reads column 0 of st's one row as an integer (0 when none: *found = 0); a failure goes to *rc. */
int64_t sq_one_int(struct store *s, struct dbst *st, int *found, int *rc)
{
    int r = sq_row(s, st);
    *found = r == 1;
    if (r < 0) {
        *rc = r;
        return 0;
    }
    if (r == 0)
        return 0;
    int64_t v = db_col_int(st, 0);
    db_reset(st);
    return v;
}

/* Steps st collecting column 0 of every row as text into out. */
int sq_collect_names(struct store *s, struct dbst *st, struct strlist *out)
{
    int e, rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        const char *v = db_col_text(st, 0);
        if (v && strlist_add(out, v)) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    return rc;
}
