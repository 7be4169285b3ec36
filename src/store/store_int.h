/* store_int.h: private to the store: the connection (struct store) whatever the backend,
 * its statement cache, transaction helpers and error mapping shared by the store's files.
 * The sq_ prefix marks these store-internal helpers; db.h is the statement layer. */
#ifndef FICD_STORE_INT_H
#define FICD_STORE_INT_H

#include "store/db.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* One cached prepared statement, keyed by the address of its SQL string literal. */
struct sq_cached {
    const char *sql;
    struct dbst *st;
};

/* One connection. Nothing in here is shared with another struct store, so each thread can
 * own one. */
struct store {
    const struct db_driver *drv;
    void *conn;       /* the driver's connection (sqlite3 *, or db_pg.c's struct) */
    int depth;        /* nesting of store_begin(); 0 when the caller holds no transaction */
    int tx_lost;      /* the database rolled the caller's transaction back on its own */
    int version;      /* schema version after migrations */
    int fk_violation; /* the last failure was a foreign key violation */
    char err[512];    /* detail of the last failure */
    int code;         /* FICD_E* code of the last failure (store_errcode) */
    struct sq_cached *cache;
    size_t ncache, cache_cap;
};

/* The SQLite schema, one SQL script per version (migrations.c). Version i+1 is
 * sq_migrations[i]. */
extern const char *const sq_migrations[];
extern const size_t sq_nmigrations;

/* Returns code after a driver recorded its failure (the drivers record their own messages;
 * kept so that call sites read "return sq_fail(s, e)"). */
int sq_fail(struct store *s, int code);
/* Records a message of our own and returns code. */
int sq_failf(struct store *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Returns the cached statement for the string literal sql (prepared on first use), reset and
 * with bindings cleared; NULL after recording the error. The caller must db_reset() it
 * when done reading so no read transaction stays open. */
struct dbst *sq_prep(struct store *s, const char *sql);
/* Steps st, a query of the tag columns (id, type, name, canonical, synonym_of, uses), handing
 * each row to cb until it returns non-zero; the caller resets or finalizes st. */
int sq_tag_rows(struct store *s, struct dbst *st, store_tag_cb cb, void *ctx);
/* Steps a statement that returns no rows to completion and resets it; 0 or FICD_E*. */
int sq_run(struct store *s, struct dbst *st);
/* Steps a statement expected to return at most one row: 1 when a row is ready to read,
 * 0 when none (the statement is reset), or a negative FICD_E* code. */
int sq_row(struct store *s, struct dbst *st);
/* Creates dir and its parents when missing; FICD_EIO when it cannot, or is not a directory. */
int sq_make_dirs(const char *dir);
/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int sq_changes(struct store *s);

void sq_bind_text(struct dbst *st, int i, const char *v); /* NULL binds NULL */
void sq_bind_id(struct dbst *st, int i, int64_t v);       /* 0 binds NULL */
/* Copies a text column (NULL stays NULL) into *out; FICD_ENOMEM. */
int sq_col_dup(struct dbst *st, int i, char **out);

/* Starts the unit of work of one mutating function: a write transaction, or a savepoint
 * inside the caller's transaction. sq_tx_end(s, rc) commits/releases when rc is 0 and
 * otherwise rolls back everything the function did; it returns rc, or the commit's failure. */
int sq_tx_begin(struct store *s);
int sq_tx_end(struct store *s, int rc);

/* Appends a change log row; call inside sq_tx_begin/sq_tx_end. */
int sq_log_change(struct store *s, enum change_kind kind, int64_t object_id);

/* Finds or creates (non-canonical) a tag; call inside a unit of work. */
int sq_tag_ensure(struct store *s, enum tag_type type, const char *name, int64_t *id);

/* Refuses (FICD_EINVAL, with a message) a canonical flag change that would break the
 * wrangling structure: a synonym made canonical, or a tag with synonyms, meta/sub tags or
 * child tags made non-canonical (wrangle.c). FICD_ENOTFOUND for an unknown id. */
int sq_tag_canonical_check(struct store *s, int64_t id, int canonical);

int64_t sq_now(void);

/* Puts w in its owner's series named w->series, or takes it out of any (readers.c);
 * call inside store_work_insert/update's unit of work. */
int sq_series_sync(struct store *s, struct work *w);

#endif
