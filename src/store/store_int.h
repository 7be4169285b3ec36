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
    void *conn;        /* the driver's connection (sqlite3 *, or db_pg.c's struct) */
    int depth;         /* nesting of store_begin(); 0 when the caller holds no transaction */
    int tx_lost;       /* the database rolled the caller's transaction back on its own */
    int version;       /* schema version after migrations */
    int fk_violation;  /* the last failure was a foreign key violation */
    char err[512];     /* detail of the last failure */
    int code;          /* FICD_E* code of the last failure (store_errcode) */
    int64_t logged_at; /* db_total_changes right after this connection's last change-log row
                        * (0: none yet); see store_changes_logged */
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

/* Works are read in batches of up to SQ_WORK_BATCH ids (SQ_WORK_BATCH_BODIES with their
 * chapters' bodies). sq_emit_works loads ids[0..n) so and calls cb for each work still
 * present, in that order; *stopped is set when cb asked to stop. No statement is in use while
 * cb runs, so cb may call the store (works.c). */
#define SQ_WORK_BATCH        64
#define SQ_WORK_BATCH_BODIES 16
int sq_emit_works(struct store *s, const int64_t *ids, size_t n, int with_bodies, store_work_cb cb,
                  void *ctx, int *stopped);
/* The same for a run of ids as "SELECT id FROM works ... ORDER BY id" gives them (ascending,
 * no work between the first and the last left out), any number at once: each table is read
 * by id range in one query, which lets PostgreSQL join a whole run at once instead of probing
 * per row. Used by full scans (index builds), SQ_WORK_RANGE works at a time
 * (SQ_WORK_RANGE_BODIES with bodies). */
#define SQ_WORK_RANGE        2048
#define SQ_WORK_RANGE_BODIES 128
struct sq_tag_names;
int sq_emit_range(struct store *s, const int64_t *ids, size_t n, int with_bodies,
                  const struct sq_tag_names *tn, store_work_cb cb, void *ctx, int *stopped);
/* Every tag's type and name by id, read once for a full scan so that its batches need no
 * join with tags (millions of lookups at a million works). type[id] is -1 for no such tag;
 * a table with type == NULL (ids too sparse) means "join" (works.c). */
struct sq_tag_names {
    int64_t max;
    int8_t *type;
    uint32_t *off; /* into pool */
    char *pool;
};
int sq_tag_names_load(struct store *s, struct sq_tag_names *tn);
void sq_tag_names_free(struct sq_tag_names *tn);

/* Small helpers the store's files share (conn.c). */
/* Prepares sql for one call (not cached: free it with db_finalize), so that a callback run
 * while it is open may use the store's cached statements; NULL after recording the error. */
struct dbst *sq_prep_once(struct store *s, const char *sql);
/* Runs a one-integer query (cached) with up to two integer parameters; *out = 0 when no row. */
int sq_query_int(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *out);
/* sq_query_int into *total for a list's count; a NULL total does nothing. */
int sq_count_into(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *total);
/* One UPDATE of a users row (?1 = id) with one integer value (?2), in its own unit of work;
 * FICD_ENOTFOUND when there is no such user. */
int sq_user_set_int(struct store *s, const char *sql, int64_t id, int64_t v);
/* Runs the cached statement sql with ?1 = a and ?2 = b (those it has), in the caller's unit
 * of work; when what is not NULL and no row changed, FICD_ENOTFOUND "no WHAT WHAT_ID". */
int sq_run_ii(struct store *s, const char *sql, int64_t a, int64_t b, const char *what,
              int64_t what_id);
/* sq_run_ii in a unit of work of its own. */
int sq_unit_ii(struct store *s, const char *sql, int64_t a, int64_t b, const char *what,
               int64_t what_id);
/* Column 0 of st's one row as an integer; *found = 0 (and 0 returned) when there is none; a
 * failure is stored in *rc. st is reset. */
int64_t sq_one_int(struct store *s, struct dbst *st, int *found, int *rc);
/* Steps st collecting column 0 of every row as text into out; st is reset. */
int sq_collect_names(struct store *s, struct dbst *st, struct strlist *out);

#endif
