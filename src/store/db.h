/* db.h: the statement layer under the store, private to src/store/. One struct store is one
 * connection to one database through a driver: SQLite (db_sqlite.c, the default) or
 * PostgreSQL (db_pg.c, libpq). The store's SQL is written once, with ?N placeholders, in the
 * dialect both accept; the drivers bind parameters, step through rows and read columns.
 *
 * Lifetimes follow SQLite's: a text bound with db_bind_text must stay valid until the
 * statement is reset; a column's text is valid until the next step or reset. */
#ifndef FICD_STORE_DB_H
#define FICD_STORE_DB_H

#include <stdint.h>

struct store;

enum { DB_OK = 0, DB_ROW = 100, DB_DONE = 101 };

struct db_driver;

/* The part of a statement every driver shares; each driver's statement begins with it. */
struct dbst {
    const struct db_driver *drv;
    struct store *s;
};

struct db_driver {
    const char *name; /* "sqlite" or "postgresql" */
    const char *like; /* the operator of LIKE ignoring ASCII case: LIKE, or ILIKE */
    /* Connects to where (a file path or a postgres:// URL) and brings the schema up to date. */
    int (*open)(struct store *s, const char *where);
    void (*close)(struct store *s);
    /* Prepares sql; 0, or a FICD_E* code with the failure recorded in the store. */
    int (*prepare)(struct store *s, const char *sql, struct dbst **out);
    void (*finalize)(struct dbst *st);
    void (*reset)(struct dbst *st); /* also clears the bindings */
    void (*bind_int)(struct dbst *st, int i, int64_t v);
    void (*bind_text)(struct dbst *st, int i, const char *v); /* NULL binds NULL */
    void (*bind_null)(struct dbst *st, int i);
    int (*param_count)(struct dbst *st);
    /* DB_ROW, DB_DONE, or a FICD_E* code with the failure recorded in the store. */
    int (*step)(struct dbst *st);
    int64_t (*col_int)(struct dbst *st, int i);      /* NULL reads 0; a boolean 1 or 0 */
    const char *(*col_text)(struct dbst *st, int i); /* NULL for NULL */
    int (*col_bytes)(struct dbst *st, int i);
    int (*col_null)(struct dbst *st, int i);
    /* Runs sql (one or more statements, no parameters). */
    int (*exec)(struct store *s, const char *sql);
    /* Starts a write transaction: writers take turns, so change-log rows commit in order. */
    int (*begin)(struct store *s);
    int (*in_tx)(struct store *s);       /* 1 inside a transaction */
    int64_t (*last_id)(struct store *s); /* id given to the last inserted row */
    int (*changes)(struct store *s);     /* rows changed by the last statement */
    int64_t (*total_changes)(struct store *s);
    /* A consistent copy of the archive into the new file path (NULL: not supported). */
    int (*backup)(struct store *s, const char *path);
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

/* Uncached statements (dynamic SQL, or statements that must outlive a callback that uses the
 * store); free them with db_finalize. */
int db_prepare(struct store *s, const char *sql, struct dbst **out);
static inline void db_finalize(struct dbst *st)
{
    if (st)
        st->drv->finalize(st);
}
static inline void db_reset(struct dbst *st)
{
    st->drv->reset(st);
}
static inline void db_bind_int(struct dbst *st, int i, int64_t v)
{
    st->drv->bind_int(st, i, v);
}
static inline void db_bind_text(struct dbst *st, int i, const char *v)
{
    st->drv->bind_text(st, i, v);
}
static inline void db_bind_null(struct dbst *st, int i)
{
    st->drv->bind_null(st, i);
}
static inline int db_param_count(struct dbst *st)
{
    return st->drv->param_count(st);
}
static inline int db_step(struct dbst *st)
{
    return st->drv->step(st);
}
static inline int64_t db_col_int(struct dbst *st, int i)
{
    return st->drv->col_int(st, i);
}
static inline const char *db_col_text(struct dbst *st, int i)
{
    return st->drv->col_text(st, i);
}
static inline int db_col_bytes(struct dbst *st, int i)
{
    return st->drv->col_bytes(st, i);
}
static inline int db_col_null(struct dbst *st, int i)
{
    return st->drv->col_null(st, i);
}

int db_exec(struct store *s, const char *sql);
/* The operator that matches a LIKE pattern ignoring ASCII case, for dynamic SQL. */
const char *db_like(struct store *s);
int db_in_tx(struct store *s);
int64_t db_last_id(struct store *s);
int64_t db_total_changes(struct store *s);
/* The SQL for this store's backend: sqlite_sql, or pg_sql on PostgreSQL. Both must be string
 * literals (the statement cache is keyed by their address). */
const char *db_sql(struct store *s, const char *sqlite_sql, const char *pg_sql);

#endif
