/* db_pg.c: the PostgreSQL driver of the statement layer (db.h), on libpq: connecting and
 * creating the schema (pg_schema.c), statements written with ?N placeholders sent as $N,
 * prepared once per connection, parameters and results in text form, SQLSTATEs mapped to
 * FICD_E* codes, write transactions that take turns (an advisory lock, so change-log rows
 * commit in order and a node following the log never skips one), and one reconnect when the
 * server dropped the connection outside a transaction. */
#include "store/pg_schema.h"
#include "store/store_int.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Key of the advisory lock every write transaction takes ("ficd" in ASCII). */
#define PG_WRITE_LOCK "1718183780"

#define INT8OID 20
#define TEXTOID 25

struct pg_conn {
    PGconn *c;
    unsigned epoch;     /* bumped at each reconnect: named statements must be prepared again */
    unsigned next_name; /* for naming prepared statements */
    int changes;        /* rows changed by the last statement */
    int64_t total;      /* rows changed since the connection opened */
};

struct pg_param {
    const char *val; /* NULL: SQL NULL */
    int used;        /* the SQL refers to it (an unused one is sent as text) */
    unsigned type;   /* INT8OID for integers, 0 (let the server infer) otherwise */
    char ibuf[24];
};

struct pg_stmt {
    struct dbst base;
    char *sql; /* with $N placeholders */
    int nparams;
    struct pg_param *p;
    char name[24];
    unsigned epoch; /* the connection epoch it was prepared in; 0: not prepared */
    PGresult *res;
    int row, nrows;
};

#define PC(s) ((struct pg_conn *)(s)->conn)
#define PS(x) ((struct pg_stmt *)(x))

/* The FICD_E* code for a failed result (SQLSTATE classes), recorded in the store. */
static int pg_fail(struct store *s, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(PC(s)->c);
    snprintf(s->err, sizeof(s->err), "%s", msg && *msg ? msg : "PostgreSQL error");
    size_t n = strlen(s->err);
    while (n && (s->err[n - 1] == '\n' || s->err[n - 1] == ' '))
        s->err[--n] = 0;
    s->fk_violation = state && !strcmp(state, "23503");
    int code = FICD_EDB;
    if (state) {
        if (!strcmp(state, "23505"))
            code = FICD_EEXISTS;
        else if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
                 !strcmp(state, "57014"))
            code = FICD_EBUSY;
        else if (!strcmp(state, "53100"))
            code = FICD_ENOSPC;
        else if (!strcmp(state, "53200"))
            code = FICD_ENOMEM;
    }
    s->code = code;
    return code;
}

static int ok_status(PGresult *res)
{
    ExecStatusType t = PQresultStatus(res);
    return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

/* Rewrites ?N as $N and a bare ? as the next number, outside quotes; *np gets the highest,
 * and used[k-1] is set for each $k that appears (used: at least strlen(sql) entries). */
static char *translate(const char *sql, int *np, char *used)
{
    size_t n = strlen(sql);
    char *out = malloc(n * 2 + 16), *o = out;
    if (!out)
        return NULL;
    int next = 0, max = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p;
        } else if (*p == '?') {
            int k;
            if (p[1] >= '0' && p[1] <= '9') {
                k = (int)strtol(p + 1, (char **)&p, 10);
                p--;
            } else {
                k = ++next;
            }
            if (k > max)
                max = k;
            if (k >= 1 && (size_t)k <= n)
                used[k - 1] = 1;
            o += sprintf(o, "$%d", k);
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    *np = max;
    return out;
}

static int pg_prepare(struct store *s, const char *sql, struct dbst **out)
{
    struct pg_stmt *x = calloc(1, sizeof(*x));
    if (!x)
        return sq_failf(s, FICD_ENOMEM, "out of memory");
    char *used = calloc(strlen(sql) + 1, 1);
    x->sql = used ? translate(sql, &x->nparams, used) : NULL;
    x->p = calloc((size_t)x->nparams + 1, sizeof(*x->p));
    for (int i = 0; x->p && used && i < x->nparams; i++)
        x->p[i].used = used[i];
    free(used);
    if (!x->sql || !x->p) {
        free(x->sql);
        free(x->p);
        free(x);
        return sq_failf(s, FICD_ENOMEM, "out of memory");
    }
    snprintf(x->name, sizeof(x->name), "f%u", ++PC(s)->next_name);
    x->base.drv = &db_pg_driver;
    x->base.s = s;
    *out = &x->base;
    return 0;
}

static void pg_clear(struct pg_stmt *x)
{
    PQclear(x->res);
    x->res = NULL;
    x->row = x->nrows = 0;
}

static void pg_finalize(struct dbst *st)
{
    struct pg_stmt *x = PS(st);
    pg_clear(x);
    /* a named statement lives as long as the connection: deallocate it with the statement */
    if (x->epoch && x->epoch == PC(st->s)->epoch && PC(st->s)->c) {
        char sql[48];
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", x->name);
        PQclear(PQexec(PC(st->s)->c, sql));
    }
    free(x->sql);
    free(x->p);
    free(x);
}

static void pg_reset(struct dbst *st)
{
    struct pg_stmt *x = PS(st);
    pg_clear(x);
    for (int i = 0; i < x->nparams; i++) {
        x->p[i].val = NULL;
        x->p[i].type = 0;
    }
}

static struct pg_param *param(struct dbst *st, int i)
{
    struct pg_stmt *x = PS(st);
    return i >= 1 && i <= x->nparams ? &x->p[i - 1] : NULL;
}

static void pg_bind_int(struct dbst *st, int i, int64_t v)
{
    struct pg_param *p = param(st, i);
    if (!p)
        return;
    snprintf(p->ibuf, sizeof(p->ibuf), "%lld", (long long)v);
    p->val = p->ibuf;
    p->type = INT8OID;
}

static void pg_bind_text(struct dbst *st, int i, const char *v)
{
    struct pg_param *p = param(st, i);
    if (!p)
        return;
    p->val = v;
    p->type = 0;
}

static void pg_bind_null(struct dbst *st, int i)
{
    struct pg_param *p = param(st, i);
    if (p)
        p->val = NULL;
}

static int pg_param_count(struct dbst *st)
{
    return PS(st)->nparams;
}

/* Sends the statement: prepared under its name once per connection (with the parameter
 * types of its first execution), then executed. */
static PGresult *send(struct store *s, struct pg_stmt *x)
{
    struct pg_conn *pc = PC(s);
    int n = x->nparams;
    const char *vals[n ? n : 1];
    for (int i = 0; i < n; i++)
        vals[i] = x->p[i].val;
    if (x->epoch != pc->epoch) {
        Oid types[n ? n : 1];
        for (int i = 0; i < n; i++)
            types[i] = x->p[i].used ? x->p[i].type : TEXTOID;
        PGresult *r = PQprepare(pc->c, x->name, x->sql, n, types);
        if (!ok_status(r))
            return r;
        PQclear(r);
        x->epoch = pc->epoch;
    }
    return PQexecPrepared(pc->c, x->name, n, vals, NULL, NULL, 0);
}

/* After a failure with the connection gone: reconnects, and says whether the statement may be
 * sent again (not inside a transaction, whose work the server has already thrown away). */
static int reconnect(struct store *s)
{
    struct pg_conn *pc = PC(s);
    if (PQstatus(pc->c) != CONNECTION_BAD)
        return 0;
    PQreset(pc->c);
    if (PQstatus(pc->c) != CONNECTION_OK)
        return 0;
    pc->epoch++;
    return s->depth == 0;
}

static int pg_step(struct dbst *st)
{
    struct pg_stmt *x = PS(st);
    struct store *s = st->s;
    if (!x->res) {
        PGresult *r = send(s, x);
        if (!ok_status(r) && PQstatus(PC(s)->c) == CONNECTION_BAD) {
            PQclear(r);
            r = reconnect(s) ? send(s, x) : NULL;
        }
        if (!r || !ok_status(r)) {
            int code = pg_fail(s, r);
            PQclear(r);
            return code;
        }
        x->res = r;
        x->nrows = PQntuples(r);
        x->row = -1;
        const char *ct = PQcmdTuples(r);
        PC(s)->changes = ct && *ct ? atoi(ct) : 0;
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            PC(s)->total += PC(s)->changes;
    }
    if (x->row + 1 < x->nrows) {
        x->row++;
        return DB_ROW;
    }
    x->row = x->nrows;
    return DB_DONE;
}

static int64_t pg_col_int(struct dbst *st, int i)
{
    struct pg_stmt *x = PS(st);
    if (!x->res || x->row < 0 || x->row >= x->nrows || PQgetisnull(x->res, x->row, i))
        return 0;
    const char *v = PQgetvalue(x->res, x->row, i);
    if (v[0] == 't' && !v[1])
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct dbst *st, int i)
{
    struct pg_stmt *x = PS(st);
    if (!x->res || x->row < 0 || x->row >= x->nrows || PQgetisnull(x->res, x->row, i))
        return NULL;
    return PQgetvalue(x->res, x->row, i);
}

static int pg_col_bytes(struct dbst *st, int i)
{
    struct pg_stmt *x = PS(st);
    if (!x->res || x->row < 0 || x->row >= x->nrows)
        return 0;
    return PQgetlength(x->res, x->row, i);
}

static int pg_col_null(struct dbst *st, int i)
{
    struct pg_stmt *x = PS(st);
    return !x->res || x->row < 0 || x->row >= x->nrows || PQgetisnull(x->res, x->row, i);
}

static int pg_exec(struct store *s, const char *sql)
{
    PGresult *r = PQexec(PC(s)->c, sql);
    if (!ok_status(r) && PQstatus(PC(s)->c) == CONNECTION_BAD) {
        PQclear(r);
        r = reconnect(s) ? PQexec(PC(s)->c, sql) : NULL;
    }
    int rc = r && ok_status(r) ? 0 : pg_fail(s, r);
    PQclear(r);
    return rc;
}

static int pg_begin(struct store *s)
{
    return pg_exec(s, "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")");
}

static int pg_in_tx(struct store *s)
{
    PGTransactionStatusType t = PQtransactionStatus(PC(s)->c);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int64_t pg_last_id(struct store *s)
{
    PGresult *r = PQexec(PC(s)->c, "SELECT lastval()");
    int64_t id = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return id;
}

static int pg_changes(struct store *s)
{
    return PC(s)->changes;
}

static int64_t pg_total_changes(struct store *s)
{
    return PC(s)->total;
}

/* The schema version: the highest applied migration, 0 for an empty database. */
static int read_version(struct store *s, int *v)
{
    *v = 0;
    PGresult *r = PQexec(PC(s)->c, "SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pg_fail(s, r);
        PQclear(r);
        return rc;
    }
    int exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (!exists)
        return 0;
    r = PQexec(PC(s)->c, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = pg_fail(s, r);
        PQclear(r);
        return rc;
    }
    *v = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

/* Creates the schema in an empty database (at pg_schema_version in one go), then applies
 * the later migrations, each in one transaction under the write lock, so two nodes starting
 * at once apply each exactly once. */
static int migrate(struct store *s)
{
    for (;;) {
        int v, rc = read_version(s, &v);
        if (rc)
            return rc;
        int last = pg_schema_version + (int)pg_nmigrations;
        if (v > last)
            return sq_failf(s, FICD_EDB, "the archive has schema version %d, newer than %d", v,
                            last);
        if (v == last) {
            s->version = v;
            return 0;
        }
        if ((rc = pg_begin(s)))
            return rc;
        if ((rc = read_version(s, &v)) == 0 && v < last) {
            const char *sql =
                v < pg_schema_version ? pg_schema_sql : pg_migrations[v - pg_schema_version];
            int to = v < pg_schema_version ? pg_schema_version : v + 1;
            if ((rc = pg_exec(s, sql))) {
                char msg[sizeof(s->err)];
                snprintf(msg, sizeof(msg), "%s", s->err);
                rc = sq_failf(s, FICD_EDB, "schema version %d: %s", to, msg);
            }
            /* pg_schema_sql records its own versions; a migration records itself here */
            for (int k = v < pg_schema_version ? to + 1 : to; !rc && k <= to; k++) {
                char ins[128];
                snprintf(ins, sizeof(ins),
                         "INSERT INTO schema_migrations (version, applied) VALUES (%d, %lld)", k,
                         (long long)sq_now());
                rc = pg_exec(s, ins);
            }
        }
        rc = rc ? rc : pg_exec(s, "COMMIT");
        if (rc) {
            PQclear(PQexec(PC(s)->c, "ROLLBACK"));
            return rc;
        }
    }
}

static int pg_open(struct store *s, const char *url)
{
    struct pg_conn *pc = calloc(1, sizeof(*pc));
    if (!pc)
        return sq_failf(s, FICD_ENOMEM, "out of memory");
    s->conn = pc;
    pc->epoch = 1;
    pc->c = PQconnectdb(url);
    if (!pc->c || PQstatus(pc->c) != CONNECTION_OK) {
        const char *m = pc->c ? PQerrorMessage(pc->c) : "out of memory";
        snprintf(s->err, sizeof(s->err), "cannot connect to PostgreSQL: %s", m);
        size_t n = strlen(s->err);
        while (n && s->err[n - 1] == '\n')
            s->err[--n] = 0;
        return s->code = FICD_EDB;
    }
    int rc = pg_exec(s, "SET client_min_messages = warning");
    return rc ? rc : migrate(s);
}

static void pg_close(struct store *s)
{
    struct pg_conn *pc = PC(s);
    if (!pc)
        return;
    PQfinish(pc->c); /* the server rolls back an open transaction */
    free(pc);
    s->conn = NULL;
}

const struct db_driver db_pg_driver = {
    .like = "ILIKE",
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .param_count = pg_param_count,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_bytes = pg_col_bytes,
    .col_null = pg_col_null,
    .exec = pg_exec,
    .begin = pg_begin,
    .in_tx = pg_in_tx,
    .last_id = pg_last_id,
    .changes = pg_changes,
    .total_changes = pg_total_changes,
    .backup = NULL,
};
