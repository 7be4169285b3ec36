/* migrate_util.c: `ficd migrate`'s helpers: COPY text (values encoded as COPY TO prints
 * them), the stream digest, errors and progress, identifiers, running SQL on either side. */
#include "store/migrate_int.h"
#include "store/pg_schema.h"
#include "core/err.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void mg_buf_put(struct mg_buf *b, const char *s, size_t n)
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

void mg_hash_init(struct mg_hash *h)
{
    memset(h->state, 0, sizeof(h->state));
    h->n = 0;
    h->total = 0;
}

void mg_hash_feed(struct mg_hash *h, const char *p, size_t n)
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

void mg_hash_hex(struct mg_hash *h, char out[HASH_SHA256_HEX])
{
    char len[32];
    int k = snprintf(len, sizeof(len), "#%llu", (unsigned long long)h->total);
    memcpy(h->block, h->state, HASH_SHA256_BYTES);
    memcpy(h->block + HASH_SHA256_BYTES + h->n, len, (size_t)k);
    hash_sha256_hex(h->block, HASH_SHA256_BYTES + h->n + (size_t)k, out);
}

int mg_fail(struct mg *m, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int mg_fail(struct mg *m, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err, m->errlen, fmt, ap);
    va_end(ap);
    return code;
}

int mg_fail_pg(struct mg *m, const char *what)
{
    const char *msg = PQerrorMessage(m->pg);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        n--;
    return mg_fail(m, FICD_EDB, "PostgreSQL: %s: %.*s", what, (int)n, msg);
}

int mg_fail_sq(struct mg *m, const char *what)
{
    return mg_fail(m, FICD_EDB, "SQLite: %s: %s", what, sqlite3_errmsg(m->sq));
}

void mg_report(struct mg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void mg_report(struct mg *m, const char *fmt, ...)
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

void mg_advance(struct mg *m, uint64_t n)
{
    m->done += n;
    progress_update(&m->bar, m->done);
}

/* Appends "name" (a double-quoted identifier) to b. */
void mg_put_ident(struct mg_buf *b, const char *name)
{
    mg_buf_put(b, "\"", 1);
    for (const char *p = name; *p; p++)
        mg_buf_put(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
    mg_buf_put(b, "\"", 1);
}

void mg_put_str(struct mg_buf *b, const char *s)
{
    mg_buf_put(b, s, strlen(s));
}

/* Runs a command (no rows) on the target; 0 or an error. */
int mg_pg_cmd(struct mg *m, const char *sql)
{
    PGresult *r = PQexec(m->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        return mg_fail_pg(m, sql);
    return 0;
}

/* Runs a query with text parameters; the result (caller clears) or NULL after mg_fail(). */
PGresult *mg_pg_query(struct mg *m, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(m->pg, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        mg_fail_pg(m, sql);
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
        mg_buf_put(b, "\\N", 2);
        return 0;
    case SQLITE_INTEGER:
        mg_buf_put(
            b, num,
            (size_t)snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, i)));
        return 0;
    case SQLITE_FLOAT:
        mg_buf_put(b, num,
                   (size_t)snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(st, i)));
        return 0;
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i);
        static const char hex[] = "0123456789abcdef";
        mg_buf_put(b, "\\\\x", 3);
        for (int k = 0; k < n; k++) {
            char h[2] = {hex[p[k] >> 4], hex[p[k] & 15]};
            mg_buf_put(b, h, 2);
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
                mg_buf_put(b, p + start, (size_t)(k - start));
                mg_buf_put(b, esc, 2);
                start = k + 1;
            }
        }
        mg_buf_put(b, p + start, (size_t)(n - start));
        return 0;
    }
    }
}

/* Appends the current row of st (the table's columns in order) as one COPY line; self
 * references as NULL when nulls_for_self. */
int mg_put_row(struct mg *m, struct mg_buf *b, struct mg_table *t, sqlite3_stmt *st,
               int nulls_for_self)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            mg_buf_put(b, "\t", 1);
        if (nulls_for_self && t->cols[i].self_ref && sqlite3_column_type(st, i) != SQLITE_NULL) {
            mg_buf_put(b, "\\N", 2);
            continue;
        }
        if (put_value(b, st, i))
            return mg_fail(
                m, FICD_EINVAL,
                "table %s, column %s: text with a NUL byte cannot be stored in PostgreSQL", t->name,
                t->cols[i].name);
    }
    mg_buf_put(b, "\n", 1);
    return b->oom ? mg_fail(m, FICD_ENOMEM, "out of memory") : 0;
}

/* The column list "a", "b", ... of t. */
void mg_put_cols(struct mg_buf *b, const struct mg_table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            mg_put_str(b, ", ");
        mg_put_ident(b, t->cols[i].name);
    }
}

/* " ORDER BY k1, k2" (desc: DESC each), text keys bytewise on both sides (SQLite's COLLATE
 * BINARY, PostgreSQL's "C"), also where the column ignores case (NOCASE, citext). */
void mg_put_order(struct mg_buf *b, const struct mg_table *t, int sqlite, int desc)
{
    mg_put_str(b, " ORDER BY ");
    for (int k = 0; k < t->nkey; k++) {
        if (k)
            mg_put_str(b, ", ");
        mg_put_ident(b, t->cols[t->key[k]].name);
        if (!t->cols[t->key[k]].is_int) /* citext columns too: bytewise, not folded */
            mg_put_str(b, sqlite ? " COLLATE BINARY" : "::text COLLATE \"C\"");
        if (desc)
            mg_put_str(b, " DESC");
    }
}

sqlite3_stmt *mg_sq_prepare(struct mg *m, struct mg_buf *sql)
{
    mg_buf_put(sql, "", 1);
    if (sql->oom) {
        mg_fail(m, FICD_ENOMEM, "out of memory");
        return NULL;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(m->sq, sql->p, -1, &st, NULL) != SQLITE_OK) {
        mg_fail_sq(m, sql->p);
        return NULL;
    }
    return st;
}

int mg_str_in(char **list, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}
