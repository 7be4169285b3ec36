/* migrate_int.h: private to `ficd migrate` (migrate.c: the table list, the target, the run;
 * migrate_copy.c: copying and checking one table; migrate_util.c: COPY text, hashing, errors). */
#ifndef FICD_STORE_MIGRATE_INT_H
#define FICD_STORE_MIGRATE_INT_H

#include "store/migrate.h"
#include "core/hash.h"
#include "core/progress.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define MG_MAX_KEY     8
#define MG_FLUSH_BYTES (8u << 20) /* a transaction also ends after this much COPY text */

struct mg_col {
    char *name;
    int is_int;   /* declared INTEGER: keys bound as integers */
    int self_ref; /* references its own table's key: copied as NULL, then set */
};

struct mg_table {
    char *name;
    struct mg_col *cols;
    int ncols;
    int key[MG_MAX_KEY]; /* indexes into cols, in primary-key order */
    int nkey;
    char **deps; /* tables referenced (other than itself) */
    int ndeps;
    int placed;
    int64_t rows; /* in the source */
};

struct mg {
    sqlite3 *sq;
    PGconn *pg;
    const struct migrate_opts *o;
    char *err;
    size_t errlen;
    struct mg_table *t; /* in copy order once sorted */
    int nt;
    struct progress bar;
    char label[128];
    uint64_t done;
    int replica; /* session_replication_role = replica: no trigger or foreign-key check fires
                    on the target (the source's keys were checked once instead) */
};

/* A growable byte buffer for COPY text. */
struct mg_buf {
    char *p;
    size_t n, cap;
    int oom;
};

/* SHA-256 over a byte stream in fixed 64 KB blocks: state = H(state || block), and at the end
 * H(state || rest || total length). The same bytes give the same digest however they arrive
 * (row by row from COPY TO, or a chunk at a time). */
struct mg_hash {
    unsigned char state[HASH_SHA256_BYTES];
    unsigned char block[HASH_SHA256_BYTES + 65536];
    size_t n;
    uint64_t total;
};

void mg_buf_put(struct mg_buf *b, const char *s, size_t n);
void mg_hash_init(struct mg_hash *h);
void mg_hash_feed(struct mg_hash *h, const char *p, size_t n);
void mg_hash_hex(struct mg_hash *h, char out[HASH_SHA256_HEX]);
int mg_fail(struct mg *m, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int mg_fail_pg(struct mg *m, const char *what);
int mg_fail_sq(struct mg *m, const char *what);
void mg_report(struct mg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_advance(struct mg *m, uint64_t n);
void mg_put_ident(struct mg_buf *b, const char *name);
void mg_put_str(struct mg_buf *b, const char *s);
int mg_pg_cmd(struct mg *m, const char *sql);
PGresult *mg_pg_query(struct mg *m, const char *sql, int n, const char *const *params);
int mg_put_row(struct mg *m, struct mg_buf *b, struct mg_table *t, sqlite3_stmt *st,
               int nulls_for_self);
void mg_put_cols(struct mg_buf *b, const struct mg_table *t);
void mg_put_order(struct mg_buf *b, const struct mg_table *t, int sqlite, int desc);
sqlite3_stmt *mg_sq_prepare(struct mg *m, struct mg_buf *sql);
int mg_str_in(char **list, int n, const char *s);
int mg_copy_rows(struct mg *m, struct mg_table *t, int64_t *copied);
int mg_fix_self_refs(struct mg *m, struct mg_table *t);
int mg_source_digest(struct mg *m, struct mg_table *t, int64_t *rows, char hex[HASH_SHA256_HEX]);
int mg_target_digest(struct mg *m, struct mg_table *t, int64_t *rows, char hex[HASH_SHA256_HEX]);

#endif
