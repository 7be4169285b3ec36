/* migrate.c: `ficd migrate`: a SQLite archive copied into PostgreSQL table by table, in
 * foreign-key order, in id-ordered transactions of a few thousand rows through COPY, each
 * table then verified (row count and SHA-256 of its rows in key order, on both sides); the
 * identity sequences set past the copied ids. Resumable: each table's completion is recorded
 * in the target (table ficd_migrate), and an interrupted table continues after the largest
 * key already in the target (transactions commit in key order).
 *
 * The copy speaks SQLite and libpq directly rather than through store.h: it moves rows, not
 * works, and COPY is what makes it fast. Rows travel in COPY's text format, which is also
 * what is hashed: the source rows are encoded as PostgreSQL's COPY TO prints them, so equal
 * tables give equal digests. Columns referencing their own table (tags.synonym_of,
 * comments.parent_id) are copied as NULL and set in a second pass, as a row may point at a
 * later one; user triggers (tags.uses counting) are off while rows arrive, the counters being
 * copied as they are. */
#include "store/migrate.h"
#include "store/pg_schema.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/progress.h"

#include <libpq-fe.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
};

/* A growable byte buffer for COPY text. */
struct mg_buf {
    char *p;
    size_t n, cap;
    int oom;
};

static void mb_put(struct mg_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->n + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* SHA-256 over a byte stream in fixed 64 KB blocks: state = H(state || block), and at the end
 * H(state || rest || total length). The same bytes give the same digest however they arrive
 * (row by row from COPY TO, or a chunk at a time). */
struct mg_hash {
    unsigned char state[HASH_SHA256_BYTES];
    unsigned char block[HASH_SHA256_BYTES + 65536];
    size_t n;
    uint64_t total;
};

static void mh_init(struct mg_hash *h)
{
    memset(h->state, 0, sizeof(h->state));
    h->n = 0;
    h->total = 0;
}

static void mh_feed(struct mg_hash *h, const char *p, size_t n)
{
    h->total += n;
    while (n) {
        size_t room = 65536 - h->n;
        size_t k = n < room ? n : room;
        memcpy(h->block + HASH_SHA256_BYTES + h->n, p, k);
        h->n += k;
        p += k;
        n -= k;
        if (h->n == 65536) {
            memcpy(h->block, h->state, HASH_SHA256_BYTES);
            hash_sha256(h->block, sizeof(h->block), h->state);
            h->n = 0;
        }
    }
}

static void mh_hex(struct mg_hash *h, char out[HASH_SHA256_HEX])
{
    char len[32];
    int k = snprintf(len, sizeof(len), "#%llu", (unsigned long long)h->total);
    memcpy(h->block, h->state, HASH_SHA256_BYTES);
    memcpy(h->block + HASH_SHA256_BYTES + h->n, len, (size_t)k);
    hash_sha256_hex(h->block, HASH_SHA256_BYTES + h->n + (size_t)k, out);
}

static int fail(struct mg *m, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct mg *m, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err, m->errlen, fmt, ap);
    va_end(ap);
    return code;
}

static int fail_pg(struct mg *m, const char *what)
{
    const char *msg = PQerrorMessage(m->pg);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        n--;
    return fail(m, FICD_EDB, "PostgreSQL: %s: %.*s", what, (int)n, msg);
}

static int fail_sq(struct mg *m, const char *what)
{
    return fail(m, FICD_EDB, "SQLite: %s: %s", what, sqlite3_errmsg(m->sq));
}

static void report(struct mg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct mg *m, const char *fmt, ...)
{
    if (!m->o->report)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (m->bar.tty)
        fputs("\r\033[K", stderr); /* the report line replaces the bar; it is drawn again */
    m->o->report(m->o->ctx, line);
}

static void advance(struct mg *m, uint64_t n)
{
    m->done += n;
    progress_update(&m->bar, m->done);
}

/* Appends "name" (a double-quoted identifier) to b. */
static void put_ident(struct mg_buf *b, const char *name)
{
    mb_put(b, "\"", 1);
    for (const char *p = name; *p; p++)
        mb_put(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    mb_put(b, "\"", 1);
}

static void put_str(struct mg_buf *b, const char *s)
{
    mb_put(b, s, strlen(s));
}

/* Runs a command (no rows) on the target; 0 or an error. */
static int pg_cmd(struct mg *m, const char *sql)
{
    PGresult *r = PQexec(m->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return fail_pg(m, sql);
    return 0;
}

/* Runs a query with text parameters; the result (caller clears) or NULL after fail(). */
static PGresult *pg_query(struct mg *m, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(m->pg, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_pg(m, sql);
        PQclear(r);
        return NULL;
    }
    return r;
}

/* Appends one SQLite value in COPY text format, escaping as COPY TO does. Text with a NUL
 * byte cannot go into PostgreSQL: FICD_EINVAL. */
static int put_value(struct mg_buf *b, sqlite3_stmt *st, int i)
{
    char num[64];
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        mb_put(b, "\\N", 2);
        return 0;
    case SQLITE_INTEGER:
        mb_put(b, num,
               (size_t)snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, i)));
        return 0;
    case SQLITE_FLOAT:
        mb_put(b, num, (size_t)snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(st, i)));
        return 0;
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i);
        static const char hex[] = "0123456789abcdef";
        mb_put(b, "\\\\x", 3);
        for (int k = 0; k < n; k++) {
            char h[2] = {hex[p[k] >> 4], hex[p[k] & 15]};
            mb_put(b, h, 2);
        }
        return 0;
    }
    default: {
        const char *p = (const char *)sqlite3_column_text(st, i);
        int n = sqlite3_column_bytes(st, i);
        int start = 0;
        for (int k = 0; k < n; k++) {
            unsigned char c = (unsigned char)p[k];
            const char *esc = NULL;
            switch (c) {
            case 0:
                return FICD_EINVAL;
            case '\\':
                esc = "\\\\";
                break;
            case '\b':
                esc = "\\b";
                break;
            case '\f':
                esc = "\\f";
                break;
            case '\n':
                esc = "\\n";
                break;
            case '\r':
                esc = "\\r";
                break;
            case '\t':
                esc = "\\t";
                break;
            case '\v':
                esc = "\\v";
                break;
            }
            if (esc) {
                mb_put(b, p + start, (size_t)(k - start));
                mb_put(b, esc, 2);
                start = k + 1;
            }
        }
        mb_put(b, p + start, (size_t)(n - start));
        return 0;
    }
    }
}

/* Appends the current row of st (the table's columns in order) as one COPY line; self
 * references as NULL when nulls_for_self. */
static int put_row(struct mg *m, struct mg_buf *b, struct mg_table *t, sqlite3_stmt *st,
                   int nulls_for_self)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            mb_put(b, "\t", 1);
        if (nulls_for_self && t->cols[i].self_ref && sqlite3_column_type(st, i) != SQLITE_NULL) {
            mb_put(b, "\\N", 2);
            continue;
        }
        if (put_value(b, st, i))
            return fail(m, FICD_EINVAL,
                        "table %s, column %s: text with a NUL byte cannot be stored in PostgreSQL",
                        t->name, t->cols[i].name);
    }
    mb_put(b, "\n", 1);
    return b->oom ? fail(m, FICD_ENOMEM, "out of memory") : 0;
}

/* The column list "a", "b", ... of t. */
static void put_cols(struct mg_buf *b, const struct mg_table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            put_str(b, ", ");
        put_ident(b, t->cols[i].name);
    }
}

/* " ORDER BY k1, k2" (desc: DESC each), text keys bytewise on both sides (SQLite's COLLATE
 * BINARY, PostgreSQL's "C"), also where the column ignores case (NOCASE, citext). */
static void put_order(struct mg_buf *b, const struct mg_table *t, int sqlite, int desc)
{
    put_str(b, " ORDER BY ");
    for (int k = 0; k < t->nkey; k++) {
        if (k)
            put_str(b, ", ");
        put_ident(b, t->cols[t->key[k]].name);
        if (!t->cols[t->key[k]].is_int) /* citext columns too: bytewise, not folded */
            put_str(b, sqlite ? " COLLATE BINARY" : "::text COLLATE \"C\"");
        if (desc)
            put_str(b, " DESC");
    }
}

static sqlite3_stmt *sq_prepare(struct mg *m, struct mg_buf *sql)
{
    mb_put(sql, "", 1);
    if (sql->oom) {
        fail(m, FICD_ENOMEM, "out of memory");
        return NULL;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(m->sq, sql->p, -1, &st, NULL) != SQLITE_OK) {
        fail_sq(m, sql->p);
        return NULL;
    }
    return st;
}

static int str_in(char **list, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}

/* Reads the source's tables (all but SQLite's own and schema_migrations), their columns,
 * keys and references, and sorts them so that each comes after the tables it references. */
static int load_tables(struct mg *m)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->sq,
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                           "'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return fail_sq(m, "reading the tables");
    int cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (m->nt == cap) {
            cap = cap ? cap * 2 : 64;
            struct mg_table *t = realloc(m->t, (size_t)cap * sizeof(*t));
            if (!t) {
                sqlite3_finalize(st);
                return fail(m, FICD_ENOMEM, "out of memory");
            }
            m->t = t;
        }
        struct mg_table *t = &m->t[m->nt++];
        memset(t, 0, sizeof(*t));
        t->name = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    for (int i = 0; i < m->nt; i++) {
        struct mg_table *t = &m->t[i];
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT name, type, pk FROM pragma_table_info('%s')", t->name);
        if (sqlite3_prepare_v2(m->sq, sql, -1, &st, NULL) != SQLITE_OK)
            return fail_sq(m, sql);
        int pkpos[64] = {0};
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (t->ncols == 64) {
                sqlite3_finalize(st);
                return fail(m, FICD_EINVAL, "table %s has too many columns", t->name);
            }
            struct mg_col *c = realloc(t->cols, (size_t)(t->ncols + 1) * sizeof(*c));
            if (!c) {
                sqlite3_finalize(st);
                return fail(m, FICD_ENOMEM, "out of memory");
            }
            t->cols = c;
            c = &t->cols[t->ncols];
            memset(c, 0, sizeof(*c));
            c->name = strdup((const char *)sqlite3_column_text(st, 0));
            const char *type = (const char *)sqlite3_column_text(st, 1);
            c->is_int = type && !strcasecmp(type, "INTEGER");
            pkpos[t->ncols++] = sqlite3_column_int(st, 2);
        }
        sqlite3_finalize(st);
        for (int k = 1; k <= t->ncols; k++)
            for (int c = 0; c < t->ncols; c++)
                if (pkpos[c] == k && t->nkey < MG_MAX_KEY)
                    t->key[t->nkey++] = c;
        if (!t->nkey)
            return fail(m, FICD_EINVAL, "table %s has no primary key", t->name);
        snprintf(sql, sizeof(sql), "SELECT \"table\", \"from\" FROM pragma_foreign_key_list('%s')",
                 t->name);
        if (sqlite3_prepare_v2(m->sq, sql, -1, &st, NULL) != SQLITE_OK)
            return fail_sq(m, sql);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *ref = (const char *)sqlite3_column_text(st, 0);
            const char *from = (const char *)sqlite3_column_text(st, 1);
            if (!strcmp(ref, t->name)) {
                for (int c = 0; c < t->ncols; c++)
                    if (!strcmp(t->cols[c].name, from))
                        t->cols[c].self_ref = 1;
            } else if (!str_in(t->deps, t->ndeps, ref)) {
                char **d = realloc(t->deps, (size_t)(t->ndeps + 1) * sizeof(*d));
                if (!d) {
                    sqlite3_finalize(st);
                    return fail(m, FICD_ENOMEM, "out of memory");
                }
                t->deps = d;
                t->deps[t->ndeps++] = strdup(ref);
            }
        }
        sqlite3_finalize(st);
        for (int c = 0; c < t->ncols; c++)
            if (t->cols[c].self_ref && (t->nkey != 1 || !t->cols[t->key[0]].is_int))
                return fail(m, FICD_EINVAL, "table %s references itself without an integer key",
                            t->name);
    }
    /* topological order, alphabetical among equals */
    struct mg_table *sorted = malloc((size_t)(m->nt ? m->nt : 1) * sizeof(*sorted));
    char **placed = malloc((size_t)(m->nt ? m->nt : 1) * sizeof(*placed));
    if (!sorted || !placed) {
        free(sorted);
        free(placed);
        return fail(m, FICD_ENOMEM, "out of memory");
    }
    int n = 0;
    while (n < m->nt) {
        int progress = 0;
        for (int i = 0; i < m->nt; i++) {
            struct mg_table *t = &m->t[i];
            if (t->placed)
                continue;
            int ready = 1;
            for (int d = 0; d < t->ndeps && ready; d++)
                ready = str_in(placed, n, t->deps[d]);
            if (ready) {
                t->placed = 1;
                placed[n] = t->name;
                sorted[n++] = *t;
                progress = 1;
            }
        }
        if (!progress) {
            free(sorted);
            free(placed);
            return fail(m, FICD_EINVAL, "the tables' foreign keys form a cycle");
        }
    }
    free(placed);
    free(m->t);
    m->t = sorted;
    return 0;
}

/* The target has the same columns in the same order for every table. */
static int check_target_tables(struct mg *m)
{
    for (int i = 0; i < m->nt; i++) {
        struct mg_table *t = &m->t[i];
        const char *p[1] = {t->name};
        PGresult *r = pg_query(m,
                               "SELECT column_name FROM information_schema.columns WHERE "
                               "table_schema = current_schema() AND table_name = $1 ORDER BY "
                               "ordinal_position",
                               1, p);
        if (!r)
            return FICD_EDB;
        int same = PQntuples(r) == t->ncols;
        for (int c = 0; same && c < t->ncols; c++)
            same = !strcmp(PQgetvalue(r, c, 0), t->cols[c].name);
        PQclear(r);
        if (!same)
            return fail(m, FICD_EINVAL,
                        "table %s has other columns in PostgreSQL than in the archive", t->name);
    }
    return 0;
}

/* The value of key in ficd_migrate (malloc'd), or NULL when none or on error (*rc set). */
static char *progress_get(struct mg *m, const char *key, int *rc)
{
    const char *p[1] = {key};
    PGresult *r = pg_query(m, "SELECT value FROM ficd_migrate WHERE key = $1", 1, p);
    if (!r) {
        *rc = FICD_EDB;
        return NULL;
    }
    char *v = PQntuples(r) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return v;
}

static int progress_set(struct mg *m, const char *key, const char *value)
{
    const char *p[2] = {key, value};
    PGresult *r = pg_query(m,
                           "INSERT INTO ficd_migrate (key, value) VALUES ($1, $2) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           2, p);
    if (!r)
        return FICD_EDB;
    PQclear(r);
    return 0;
}

static int pg_exists(struct mg *m, const char *table, int *yes)
{
    const char *p[1] = {table};
    PGresult *r = pg_query(m, "SELECT to_regclass($1) IS NOT NULL", 1, p);
    if (!r)
        return FICD_EDB;
    *yes = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return 0;
}

/* Creates the schema on a database that has none, as the PostgreSQL store does. */
static int create_schema(struct mg *m)
{
    int rc = pg_cmd(m, "BEGIN");
    if (!rc)
        rc = pg_cmd(m, pg_schema_sql);
    for (size_t i = 0; !rc && i < pg_nmigrations; i++) {
        char v[32];
        snprintf(v, sizeof(v), "%d", pg_schema_version + 1 + (int)i);
        const char *p[1] = {v};
        PGresult *r;
        if (!(rc = pg_cmd(m, pg_migrations[i])) &&
            (r = pg_query(m,
                          "INSERT INTO schema_migrations (version, applied) VALUES ($1, "
                          "floor(extract(epoch FROM now()))::bigint)",
                          1, p)))
            PQclear(r);
        else if (!rc)
            rc = FICD_EDB;
    }
    if (!rc)
        rc = pg_cmd(m, "COMMIT");
    else
        PQclear(PQexec(m->pg, "ROLLBACK"));
    return rc;
}

/* Brings the target to a state the copy can start or resume from; *resuming set. */
static int prepare_target(struct mg *m, const char *source, int version, int *resuming)
{
    int yes, rc;
    *resuming = 0;
    if ((rc = pg_exists(m, "schema_migrations", &yes)))
        return rc;
    if (!yes && (rc = create_schema(m)))
        return rc;
    PGresult *r = pg_query(m, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0, NULL);
    if (!r)
        return FICD_EDB;
    int target_version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (target_version != version)
        return fail(m, FICD_EINVAL,
                    "the archive has schema version %d and the PostgreSQL database %d: upgrade "
                    "the older one first (open it with this ficd, e.g. `ficd list`)",
                    version, target_version);
    if ((rc = check_target_tables(m)))
        return rc;
    if ((rc = pg_exists(m, "ficd_migrate", &yes)))
        return rc;
    if (yes && !m->o->force) {
        char *from = progress_get(m, "source", &rc);
        if (rc)
            return rc;
        if (!from || strcmp(from, source)) {
            rc = fail(m, FICD_EINVAL,
                      "the PostgreSQL database holds an unfinished migration from %s: run it "
                      "again with --from %s, or use --force to start over",
                      from ? from : "another archive", from ? from : "that archive");
            free(from);
            return rc;
        }
        free(from);
        *resuming = 1;
        return 0;
    }
    if (!yes) {
        struct mg_buf names = {0};
        int n = 0;
        for (int i = 0; i < m->nt; i++) {
            struct mg_buf sql = {0};
            put_str(&sql, "SELECT EXISTS (SELECT 1 FROM ");
            put_ident(&sql, m->t[i].name);
            mb_put(&sql, ")", 2);
            r = sql.oom ? NULL : pg_query(m, sql.p, 0, NULL);
            free(sql.p);
            if (!r) {
                free(names.p);
                return FICD_EDB;
            }
            if (!strcmp(PQgetvalue(r, 0, 0), "t")) {
                if (n++ < 5) {
                    put_str(&names, n > 1 ? ", " : "");
                    put_str(&names, m->t[i].name);
                }
            }
            PQclear(r);
        }
        mb_put(&names, "", 1);
        if (n && !m->o->force) {
            rc = fail(m, FICD_EINVAL,
                      "the PostgreSQL database is not empty (%d tables hold rows: %s%s); "
                      "--force deletes its contents first",
                      n, names.oom ? "" : names.p, n > 5 ? ", ..." : "");
            free(names.p);
            return rc;
        }
        free(names.p);
    }
    /* a fresh start: empty every table (with --force), record the source */
    struct mg_buf sql = {0};
    put_str(&sql, "TRUNCATE ");
    for (int i = 0; i < m->nt; i++) {
        if (i)
            put_str(&sql, ", ");
        put_ident(&sql, m->t[i].name);
    }
    mb_put(&sql, " RESTART IDENTITY CASCADE", sizeof(" RESTART IDENTITY CASCADE"));
    if (sql.oom)
        return fail(m, FICD_ENOMEM, "out of memory");
    rc = pg_cmd(m, "BEGIN");
    if (!rc)
        rc = pg_cmd(m, "DROP TABLE IF EXISTS ficd_migrate");
    if (!rc && m->nt)
        rc = pg_cmd(m, sql.p);
    free(sql.p);
    if (!rc)
        rc = pg_cmd(m, "CREATE TABLE ficd_migrate (key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT "
                       "NOT NULL)");
    if (!rc)
        rc = progress_set(m, "source", source);
    if (!rc)
        rc = pg_cmd(m, "COMMIT");
    else
        PQclear(PQexec(m->pg, "ROLLBACK"));
    return rc;
}

/* Sends buf to COPY t FROM STDIN in one transaction (user triggers off while it runs). */
static int copy_in(struct mg *m, struct mg_table *t, const struct mg_buf *buf, int triggers)
{
    struct mg_buf sql = {0};
    int rc = pg_cmd(m, "BEGIN");
    if (!rc && triggers) {
        put_str(&sql, "ALTER TABLE ");
        put_ident(&sql, t->name);
        mb_put(&sql, " DISABLE TRIGGER USER", sizeof(" DISABLE TRIGGER USER"));
        rc = sql.oom ? fail(m, FICD_ENOMEM, "out of memory") : pg_cmd(m, sql.p);
        sql.n = 0;
    }
    if (!rc) {
        put_str(&sql, "COPY ");
        put_ident(&sql, t->name);
        put_str(&sql, " (");
        put_cols(&sql, t);
        mb_put(&sql, ") FROM STDIN", sizeof(") FROM STDIN"));
        PGresult *r = sql.oom ? NULL : PQexec(m->pg, sql.p);
        if (PQresultStatus(r) != PGRES_COPY_IN)
            rc = fail_pg(m, "COPY");
        PQclear(r);
        sql.n = 0;
    }
    if (!rc) {
        if (PQputCopyData(m->pg, buf->p, (int)buf->n) != 1 || PQputCopyEnd(m->pg, NULL) != 1)
            rc = fail_pg(m, "COPY");
        PGresult *r;
        while ((r = PQgetResult(m->pg))) {
            if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK) {
                char what[160];
                snprintf(what, sizeof(what), "copying into %s", t->name);
                rc = fail_pg(m, what);
            }
            PQclear(r);
        }
    }
    if (!rc && triggers) {
        put_str(&sql, "ALTER TABLE ");
        put_ident(&sql, t->name);
        mb_put(&sql, " ENABLE TRIGGER USER", sizeof(" ENABLE TRIGGER USER"));
        rc = sql.oom ? fail(m, FICD_ENOMEM, "out of memory") : pg_cmd(m, sql.p);
    }
    free(sql.p);
    if (!rc)
        return pg_cmd(m, "COMMIT");
    PQclear(PQexec(m->pg, "ROLLBACK"));
    return rc;
}

/* The largest key already in the target (text values in keys[]), 1 if any, 0 if the table is
 * empty there. */
static int target_last_key(struct mg *m, struct mg_table *t, char *keys[MG_MAX_KEY])
{
    struct mg_buf sql = {0};
    put_str(&sql, "SELECT ");
    for (int k = 0; k < t->nkey; k++) {
        if (k)
            put_str(&sql, ", ");
        put_ident(&sql, t->cols[t->key[k]].name);
    }
    put_str(&sql, " FROM ");
    put_ident(&sql, t->name);
    put_order(&sql, t, 0, 1);
    mb_put(&sql, " LIMIT 1", sizeof(" LIMIT 1"));
    PGresult *r = sql.oom ? NULL : pg_query(m, sql.p, 0, NULL);
    free(sql.p);
    if (!r)
        return FICD_EDB;
    int found = PQntuples(r) > 0;
    for (int k = 0; found && k < t->nkey; k++)
        keys[k] = strdup(PQgetvalue(r, 0, k));
    PQclear(r);
    return found;
}

static int count_triggers(struct mg *m, struct mg_table *t, int *n)
{
    const char *p[1] = {t->name};
    PGresult *r = pg_query(m,
                           "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass($1) AND "
                           "NOT tgisinternal",
                           1, p);
    if (!r)
        return FICD_EDB;
    *n = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

/* Copies the rows of t after the target's last key, batch by batch. */
static int copy_rows(struct mg *m, struct mg_table *t, int64_t *copied)
{
    char *last[MG_MAX_KEY] = {0};
    int found = target_last_key(m, t, last);
    if (found < 0)
        return found;
    int triggers, rc = count_triggers(m, t, &triggers);
    if (rc)
        goto out;
    struct mg_buf sql = {0};
    put_str(&sql, "SELECT ");
    put_cols(&sql, t);
    put_str(&sql, " FROM ");
    put_ident(&sql, t->name);
    if (found) {
        put_str(&sql, " WHERE (");
        for (int k = 0; k < t->nkey; k++) {
            if (k)
                put_str(&sql, ", ");
            put_ident(&sql, t->cols[t->key[k]].name);
            if (!t->cols[t->key[k]].is_int)
                put_str(&sql, " COLLATE BINARY");
        }
        put_str(&sql, ") > (");
        for (int k = 0; k < t->nkey; k++) {
            char ph[16];
            snprintf(ph, sizeof(ph), "%s?%d", k ? ", " : "", k + 1);
            put_str(&sql, ph);
        }
        put_str(&sql, ")");
    }
    put_order(&sql, t, 1, 0);
    sqlite3_stmt *st = sq_prepare(m, &sql);
    free(sql.p);
    if (!st) {
        rc = FICD_EDB;
        goto out;
    }
    for (int k = 0; found && k < t->nkey; k++) {
        if (t->cols[t->key[k]].is_int)
            sqlite3_bind_int64(st, k + 1, strtoll(last[k], NULL, 10));
        else
            sqlite3_bind_text(st, k + 1, last[k], -1, SQLITE_TRANSIENT);
    }
    if (found) {
        /* what is already there counts as done */
        struct mg_buf q = {0};
        put_str(&q, "SELECT count(*) FROM ");
        put_ident(&q, t->name);
        mb_put(&q, "", 1);
        PGresult *r = q.oom ? NULL : pg_query(m, q.p, 0, NULL);
        free(q.p);
        if (!r) {
            sqlite3_finalize(st);
            rc = FICD_EDB;
            goto out;
        }
        int64_t there = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        report(m, "%s: resuming after %lld rows", t->name, (long long)there);
        advance(m, (uint64_t)there);
        *copied += there;
    }
    int batch = m->o->batch > 0 ? m->o->batch : 1000;
    struct mg_buf buf = {0};
    int n = 0, e;
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = put_row(m, &buf, t, st, 1)))
            break;
        if (++n == batch || buf.n >= MG_FLUSH_BYTES) {
            if ((rc = copy_in(m, t, &buf, triggers)))
                break;
            *copied += n;
            advance(m, (uint64_t)n);
            buf.n = 0;
            n = 0;
        }
    }
    if (!rc && e != SQLITE_DONE && e != SQLITE_ROW)
        rc = fail_sq(m, t->name);
    if (!rc && n) {
        if (!(rc = copy_in(m, t, &buf, triggers))) {
            *copied += n;
            advance(m, (uint64_t)n);
        }
    }
    free(buf.p);
    sqlite3_finalize(st);
out:
    for (int k = 0; k < MG_MAX_KEY; k++)
        free(last[k]);
    return rc;
}

/* Sets the self-referencing columns of t from the source, in one transaction. */
static int fix_self_refs(struct mg *m, struct mg_table *t)
{
    for (int c = 0; c < t->ncols; c++) {
        if (!t->cols[c].self_ref)
            continue;
        const char *id = t->cols[t->key[0]].name, *col = t->cols[c].name;
        struct mg_buf sql = {0};
        put_str(&sql, "SELECT ");
        put_ident(&sql, id);
        put_str(&sql, ", ");
        put_ident(&sql, col);
        put_str(&sql, " FROM ");
        put_ident(&sql, t->name);
        put_str(&sql, " WHERE ");
        put_ident(&sql, col);
        put_str(&sql, " IS NOT NULL");
        sqlite3_stmt *st = sq_prepare(m, &sql);
        free(sql.p);
        if (!st)
            return FICD_EDB;
        struct mg_buf buf = {0};
        while (sqlite3_step(st) == SQLITE_ROW) {
            char line[64];
            mb_put(&buf, line,
                   (size_t)snprintf(line, sizeof(line), "%lld\t%lld\n",
                                    (long long)sqlite3_column_int64(st, 0),
                                    (long long)sqlite3_column_int64(st, 1)));
        }
        sqlite3_finalize(st);
        if (buf.oom) {
            free(buf.p);
            return fail(m, FICD_ENOMEM, "out of memory");
        }
        int rc = pg_cmd(m, "BEGIN");
        if (!rc)
            rc = pg_cmd(m, "CREATE TEMP TABLE ficd_migrate_refs (id BIGINT PRIMARY KEY, ref "
                           "BIGINT NOT NULL) ON COMMIT DROP");
        if (!rc && buf.n) {
            PGresult *r = PQexec(m->pg, "COPY ficd_migrate_refs (id, ref) FROM STDIN");
            if (PQresultStatus(r) != PGRES_COPY_IN)
                rc = fail_pg(m, "COPY");
            PQclear(r);
            if (!rc &&
                (PQputCopyData(m->pg, buf.p, (int)buf.n) != 1 || PQputCopyEnd(m->pg, NULL) != 1))
                rc = fail_pg(m, "COPY");
            while (!rc && (r = PQgetResult(m->pg))) {
                if (PQresultStatus(r) != PGRES_COMMAND_OK)
                    rc = fail_pg(m, "COPY");
                PQclear(r);
            }
        }
        free(buf.p);
        if (!rc) {
            sql = (struct mg_buf){0};
            put_str(&sql, "UPDATE ");
            put_ident(&sql, t->name);
            put_str(&sql, " AS t SET ");
            put_ident(&sql, col);
            put_str(&sql, " = f.ref FROM ficd_migrate_refs f WHERE t.");
            put_ident(&sql, id);
            mb_put(&sql, " = f.id", sizeof(" = f.id"));
            rc = sql.oom ? fail(m, FICD_ENOMEM, "out of memory") : pg_cmd(m, sql.p);
            free(sql.p);
        }
        if (!rc)
            rc = pg_cmd(m, "COMMIT");
        else
            PQclear(PQexec(m->pg, "ROLLBACK"));
        if (rc)
            return rc;
    }
    return 0;
}

/* Row count and digest of t in the source. */
static int source_digest(struct mg *m, struct mg_table *t, int64_t *rows, char hex[HASH_SHA256_HEX])
{
    struct mg_buf sql = {0};
    put_str(&sql, "SELECT ");
    put_cols(&sql, t);
    put_str(&sql, " FROM ");
    put_ident(&sql, t->name);
    put_order(&sql, t, 1, 0);
    sqlite3_stmt *st = sq_prepare(m, &sql);
    free(sql.p);
    if (!st)
        return FICD_EDB;
    struct mg_hash *h = malloc(sizeof(*h));
    if (!h) {
        sqlite3_finalize(st);
        return fail(m, FICD_ENOMEM, "out of memory");
    }
    mh_init(h);
    struct mg_buf line = {0};
    int rc = 0, e;
    *rows = 0;
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        line.n = 0;
        if ((rc = put_row(m, &line, t, st, 0)))
            break;
        mh_feed(h, line.p, line.n);
        ++*rows;
        if ((*rows & 1023) == 0)
            advance(m, 1024);
    }
    if (!rc && e != SQLITE_DONE)
        rc = fail_sq(m, t->name);
    advance(m, (uint64_t)(*rows & 1023));
    free(line.p);
    sqlite3_finalize(st);
    if (!rc)
        mh_hex(h, hex);
    free(h);
    return rc;
}

/* Row count and digest of t in the target, from COPY (SELECT ... ORDER BY key) TO STDOUT. */
static int target_digest(struct mg *m, struct mg_table *t, int64_t *rows, char hex[HASH_SHA256_HEX])
{
    struct mg_buf sql = {0};
    put_str(&sql, "COPY (SELECT ");
    put_cols(&sql, t);
    put_str(&sql, " FROM ");
    put_ident(&sql, t->name);
    put_order(&sql, t, 0, 0);
    mb_put(&sql, ") TO STDOUT", sizeof(") TO STDOUT"));
    if (sql.oom)
        return fail(m, FICD_ENOMEM, "out of memory");
    PGresult *r = PQexec(m->pg, sql.p);
    free(sql.p);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COPY_OUT)
        rc = fail_pg(m, "COPY TO");
    PQclear(r);
    if (rc)
        return rc;
    struct mg_hash *h = malloc(sizeof(*h));
    if (!h)
        rc = fail(m, FICD_ENOMEM, "out of memory");
    else
        mh_init(h);
    *rows = 0;
    char *row;
    int n;
    while ((n = PQgetCopyData(m->pg, &row, 0)) > 0) {
        if (h)
            mh_feed(h, row, (size_t)n);
        ++*rows;
        PQfreemem(row);
    }
    if (n == -2 && !rc)
        rc = fail_pg(m, "COPY TO");
    while ((r = PQgetResult(m->pg))) {
        if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = fail_pg(m, "COPY TO");
        PQclear(r);
    }
    if (!rc)
        mh_hex(h, hex);
    free(h);
    return rc;
}

static int migrate_table(struct mg *m, struct mg_table *t)
{
    char key[160];
    snprintf(key, sizeof(key), "done:%s", t->name);
    int rc = 0;
    char *done = progress_get(m, key, &rc);
    if (rc)
        return rc;
    snprintf(m->label, sizeof(m->label), "migrate %s", t->name);
    m->bar.label = m->label;
    if (done) {
        report(m, "%s: already copied and verified (%lld rows)", t->name, (long long)t->rows);
        free(done);
        advance(m, 2 * (uint64_t)t->rows);
        return 0;
    }
    int64_t copied = 0;
    if ((rc = copy_rows(m, t, &copied)))
        return rc;
    if ((rc = fix_self_refs(m, t)))
        return rc;
    int64_t src_rows = 0, dst_rows = 0;
    char src_hex[HASH_SHA256_HEX], dst_hex[HASH_SHA256_HEX];
    if ((rc = source_digest(m, t, &src_rows, src_hex)) ||
        (rc = target_digest(m, t, &dst_rows, dst_hex)))
        return rc;
    if (src_rows != dst_rows)
        return fail(m, FICD_EDB,
                    "table %s: %lld rows in the archive but %lld in PostgreSQL after the copy "
                    "(did something write to the archive meanwhile? --force starts over)",
                    t->name, (long long)src_rows, (long long)dst_rows);
    if (strcmp(src_hex, dst_hex))
        return fail(m, FICD_EDB,
                    "table %s: the rows differ between the archive (sha256 %.16s) and PostgreSQL "
                    "(%.16s) after the copy (did something write to the archive meanwhile? "
                    "--force starts over)",
                    t->name, src_hex, dst_hex);
    char value[128];
    snprintf(value, sizeof(value), "%lld %s", (long long)src_rows, src_hex);
    if ((rc = progress_set(m, key, value)))
        return rc;
    report(m, "%s: %lld rows copied, verified (sha256 %.16s)", t->name, (long long)src_rows,
           src_hex);
    return 0;
}

/* Every identity column's sequence continues after the largest id. */
static int advance_sequences(struct mg *m)
{
    PGresult *r = pg_query(m,
                           "SELECT table_name, column_name FROM information_schema.columns WHERE "
                           "table_schema = current_schema() AND is_identity = 'YES'",
                           0, NULL);
    if (!r)
        return FICD_EDB;
    int rc = 0;
    sqlite3_stmt *seq = NULL; /* AUTOINCREMENT's high-water mark may be above the largest id */
    if (sqlite3_prepare_v2(m->sq, "SELECT seq FROM sqlite_sequence WHERE name = ?1", -1, &seq,
                           NULL) != SQLITE_OK)
        seq = NULL; /* no AUTOINCREMENT table */
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        char floor[32] = "0";
        if (seq) {
            sqlite3_reset(seq);
            sqlite3_bind_text(seq, 1, PQgetvalue(r, i, 0), -1, SQLITE_TRANSIENT);
            if (sqlite3_step(seq) == SQLITE_ROW)
                snprintf(floor, sizeof(floor), "%lld", (long long)sqlite3_column_int64(seq, 0));
        }
        struct mg_buf sql = {0};
        put_str(&sql, "SELECT setval(pg_get_serial_sequence($1, $2), greatest(coalesce(max(");
        put_ident(&sql, PQgetvalue(r, i, 1));
        put_str(&sql, "), 0), $3::bigint) + 1, false) FROM ");
        put_ident(&sql, PQgetvalue(r, i, 0));
        mb_put(&sql, "", 1);
        struct mg_buf qt = {0};
        put_ident(&qt, PQgetvalue(r, i, 0));
        mb_put(&qt, "", 1);
        const char *p[3] = {qt.p, PQgetvalue(r, i, 1), floor};
        PGresult *s = sql.oom || qt.oom ? NULL : pg_query(m, sql.p, 3, p);
        if (!s)
            rc = sql.oom || qt.oom ? fail(m, FICD_ENOMEM, "out of memory") : FICD_EDB;
        PQclear(s);
        free(sql.p);
        free(qt.p);
    }
    sqlite3_finalize(seq);
    PQclear(r);
    return rc;
}

static int open_source(struct mg *m, const char *dir, int *version)
{
    size_t n = strlen(dir) + sizeof("/ficd.db");
    char *path = malloc(n);
    if (!path)
        return fail(m, FICD_ENOMEM, "out of memory");
    snprintf(path, n, "%s/ficd.db", dir);
    struct stat st;
    if (stat(path, &st) != 0) {
        free(path);
        return fail(m, FICD_EINVAL, "there is no archive in %s (no ficd.db)", dir);
    }
    int e = sqlite3_open_v2(path, &m->sq, SQLITE_OPEN_READONLY, NULL);
    free(path);
    if (e != SQLITE_OK)
        return fail_sq(m, "opening the archive");
    sqlite3_busy_timeout(m->sq, 5000);
    /* one read transaction for the whole run: every table as of one moment */
    if (sqlite3_exec(m->sq, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return fail_sq(m, "BEGIN");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(m->sq, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return fail_sq(m, "reading the schema version");
    *version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    if (*version <= 0)
        return fail(m, FICD_EINVAL, "%s/ficd.db is not a ficd archive", dir);
    return 0;
}

static int count_rows(struct mg *m, uint64_t *total)
{
    *total = 0;
    for (int i = 0; i < m->nt; i++) {
        struct mg_buf sql = {0};
        put_str(&sql, "SELECT count(*) FROM ");
        put_ident(&sql, m->t[i].name);
        sqlite3_stmt *st = sq_prepare(m, &sql);
        free(sql.p);
        if (!st)
            return FICD_EDB;
        m->t[i].rows = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        *total += 2 * (uint64_t)m->t[i].rows; /* copied, then verified */
    }
    return 0;
}

int store_migrate(const char *dir, const char *url, const struct migrate_opts *o, char *err,
                  size_t errlen)
{
    struct mg m = {.o = o, .err = err, .errlen = errlen};
    err[0] = 0;
    char source[PATH_MAX];
    int version = 0, resuming = 0;
    int rc = open_source(&m, dir, &version);
    if (!rc && !realpath(dir, source))
        rc = fail(&m, FICD_EIO, "%s: cannot resolve the path", dir);
    if (!rc && version != pg_schema_version + (int)pg_nmigrations)
        rc = fail(&m, FICD_EINVAL,
                  "the archive has schema version %d, this ficd's is %d: open it once with "
                  "this ficd (e.g. `ficd list --data %s`) to upgrade it first",
                  version, pg_schema_version + (int)pg_nmigrations, dir);
    if (!rc)
        rc = load_tables(&m);
    if (!rc) {
        m.pg = PQconnectdb(url);
        if (PQstatus(m.pg) != CONNECTION_OK)
            rc = fail_pg(&m, "connecting");
        else
            PQclear(PQexec(m.pg, "SET client_min_messages = warning"));
    }
    if (!rc)
        rc = prepare_target(&m, source, version, &resuming);
    uint64_t total = 0;
    if (!rc)
        rc = count_rows(&m, &total);
    if (!rc) {
        if (resuming)
            report(&m, "resuming the unfinished migration from %s", source);
        progress_start(&m.bar, "migrate", total);
    }
    for (int i = 0; !rc && i < m.nt; i++)
        rc = migrate_table(&m, &m.t[i]);
    if (!rc)
        rc = advance_sequences(&m);
    if (!rc)
        rc = pg_cmd(&m, "DROP TABLE ficd_migrate");
    if (!rc)
        rc = pg_cmd(&m, "ANALYZE");
    if (!rc) {
        m.bar.label = "migrate";
        progress_finish(&m.bar);
    } else if (m.bar.tty) {
        fputs("\n", stderr);
    }
    if (m.pg)
        PQfinish(m.pg);
    if (m.sq) {
        sqlite3_exec(m.sq, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(m.sq);
    }
    for (int i = 0; i < m.nt; i++) {
        for (int c = 0; c < m.t[i].ncols; c++)
            free(m.t[i].cols[c].name);
        for (int d = 0; d < m.t[i].ndeps; d++)
            free(m.t[i].deps[d]);
        free(m.t[i].cols);
        free(m.t[i].deps);
        free(m.t[i].name);
    }
    free(m.t);
    return rc;
}
