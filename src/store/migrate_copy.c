/* migrate_copy.c: `ficd migrate` for one table: the rows after the target's last key in
 * batches through COPY, the self-references set afterwards, and the digests of both sides. */
#include "store/migrate_int.h"
#include "store/pg_schema.h"
#include "core/err.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Sends buf to COPY t FROM STDIN in one transaction (user triggers off while it runs, unless
 * the whole session runs as a replica, where none fires). */
static int copy_in(struct mg *m, struct mg_table *t, const struct mg_buf *buf, int triggers)
{
    struct mg_buf sql = {0};
    int rc = mg_pg_cmd(m, "BEGIN");
    triggers = triggers && !m->replica;
    if (!rc && triggers) {
        mg_put_str(&sql, "ALTER TABLE ");
        mg_put_ident(&sql, t->name);
        mg_buf_put(&sql, " DISABLE TRIGGER USER", sizeof(" DISABLE TRIGGER USER"));
        rc = sql.oom ? mg_fail(m, FICD_ENOMEM, "out of memory") : mg_pg_cmd(m, sql.p);
        sql.n = 0;
    }
    if (!rc) {
        mg_put_str(&sql, "COPY ");
        mg_put_ident(&sql, t->name);
        mg_put_str(&sql, " (");
        mg_put_cols(&sql, t);
        mg_buf_put(&sql, ") FROM STDIN", sizeof(") FROM STDIN"));
        PGresult *r = sql.oom ? NULL : PQexec(m->pg, sql.p);
        if (PQresultStatus(r) != PGRES_COPY_IN)
            rc = mg_fail_pg(m, "COPY");
        PQclear(r);
        sql.n = 0;
    }
    if (!rc) {
        if (PQputCopyData(m->pg, buf->p, (int)buf->n) != 1 || PQputCopyEnd(m->pg, NULL) != 1)
            rc = mg_fail_pg(m, "COPY");
        PGresult *r;
        while ((r = PQgetResult(m->pg))) {
            if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK) {
                char what[160];
                snprintf(what, sizeof(what), "copying into %s", t->name);
                rc = mg_fail_pg(m, what);
            }
            PQclear(r);
        }
    }
    if (!rc && triggers) {
        mg_put_str(&sql, "ALTER TABLE ");
        mg_put_ident(&sql, t->name);
        mg_buf_put(&sql, " ENABLE TRIGGER USER", sizeof(" ENABLE TRIGGER USER"));
        rc = sql.oom ? mg_fail(m, FICD_ENOMEM, "out of memory") : mg_pg_cmd(m, sql.p);
    }
    free(sql.p);
    if (!rc)
        return mg_pg_cmd(m, "COMMIT");
    PQclear(PQexec(m->pg, "ROLLBACK"));
    return rc;
}

/* The largest key already in the target (text values in keys[]), 1 if any, 0 if the table is
 * empty there. */
static int target_last_key(struct mg *m, struct mg_table *t, char *keys[MG_MAX_KEY])
{
    struct mg_buf sql = {0};
    mg_put_str(&sql, "SELECT ");
    for (int k = 0; k < t->nkey; k++) {
        if (k)
            mg_put_str(&sql, ", ");
        mg_put_ident(&sql, t->cols[t->key[k]].name);
    }
    mg_put_str(&sql, " FROM ");
    mg_put_ident(&sql, t->name);
    mg_put_order(&sql, t, 0, 1);
    mg_buf_put(&sql, " LIMIT 1", sizeof(" LIMIT 1"));
    PGresult *r = sql.oom ? NULL : mg_pg_query(m, sql.p, 0, NULL);
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
    PGresult *r = mg_pg_query(m,
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
int mg_copy_rows(struct mg *m, struct mg_table *t, int64_t *copied)
{
    char *last[MG_MAX_KEY] = {0};
    int found = target_last_key(m, t, last);
    if (found < 0)
        return found;
    int triggers, rc = count_triggers(m, t, &triggers);
    if (rc)
        goto out;
    struct mg_buf sql = {0};
    mg_put_str(&sql, "SELECT ");
    mg_put_cols(&sql, t);
    mg_put_str(&sql, " FROM ");
    mg_put_ident(&sql, t->name);
    if (found) {
        mg_put_str(&sql, " WHERE (");
        for (int k = 0; k < t->nkey; k++) {
            if (k)
                mg_put_str(&sql, ", ");
            mg_put_ident(&sql, t->cols[t->key[k]].name);
            if (!t->cols[t->key[k]].is_int)
                mg_put_str(&sql, " COLLATE BINARY");
        }
        mg_put_str(&sql, ") > (");
        for (int k = 0; k < t->nkey; k++) {
            char ph[16];
            snprintf(ph, sizeof(ph), "%s?%d", k ? ", " : "", k + 1);
            mg_put_str(&sql, ph);
        }
        mg_put_str(&sql, ")");
    }
    mg_put_order(&sql, t, 1, 0);
    sqlite3_stmt *st = mg_sq_prepare(m, &sql);
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
        mg_put_str(&q, "SELECT count(*) FROM ");
        mg_put_ident(&q, t->name);
        mg_buf_put(&q, "", 1);
        PGresult *r = q.oom ? NULL : mg_pg_query(m, q.p, 0, NULL);
        free(q.p);
        if (!r) {
            sqlite3_finalize(st);
            rc = FICD_EDB;
            goto out;
        }
        int64_t there = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        mg_report(m, "%s: resuming after %lld rows", t->name, (long long)there);
        mg_advance(m, (uint64_t)there);
        *copied += there;
    }
    int batch = m->o->batch > 0 ? m->o->batch : MIGRATE_BATCH;
    struct mg_buf buf = {0};
    int n = 0, e;
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = mg_put_row(m, &buf, t, st, 1)))
            break;
        if (++n == batch || buf.n >= MG_FLUSH_BYTES) {
            if ((rc = copy_in(m, t, &buf, triggers)))
                break;
            *copied += n;
            mg_advance(m, (uint64_t)n);
            buf.n = 0;
            n = 0;
        }
    }
    if (!rc && e != SQLITE_DONE && e != SQLITE_ROW)
        rc = mg_fail_sq(m, t->name);
    if (!rc && n) {
        if (!(rc = copy_in(m, t, &buf, triggers))) {
            *copied += n;
            mg_advance(m, (uint64_t)n);
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
int mg_fix_self_refs(struct mg *m, struct mg_table *t)
{
    for (int c = 0; c < t->ncols; c++) {
        if (!t->cols[c].self_ref)
            continue;
        const char *id = t->cols[t->key[0]].name, *col = t->cols[c].name;
        struct mg_buf sql = {0};
        mg_put_str(&sql, "SELECT ");
        mg_put_ident(&sql, id);
        mg_put_str(&sql, ", ");
        mg_put_ident(&sql, col);
        mg_put_str(&sql, " FROM ");
        mg_put_ident(&sql, t->name);
        mg_put_str(&sql, " WHERE ");
        mg_put_ident(&sql, col);
        mg_put_str(&sql, " IS NOT NULL");
        sqlite3_stmt *st = mg_sq_prepare(m, &sql);
        free(sql.p);
        if (!st)
            return FICD_EDB;
        struct mg_buf buf = {0};
        while (sqlite3_step(st) == SQLITE_ROW) {
            char line[64];
            mg_buf_put(&buf, line,
                       (size_t)snprintf(line, sizeof(line), "%lld\t%lld\n",
                                        (long long)sqlite3_column_int64(st, 0),
                                        (long long)sqlite3_column_int64(st, 1)));
        }
        sqlite3_finalize(st);
        if (buf.oom) {
            free(buf.p);
            return mg_fail(m, FICD_ENOMEM, "out of memory");
        }
        int rc = mg_pg_cmd(m, "BEGIN");
        if (!rc)
            rc = mg_pg_cmd(m, "CREATE TEMP TABLE ficd_migrate_refs (id BIGINT PRIMARY KEY, ref "
                              "BIGINT NOT NULL) ON COMMIT DROP");
        if (!rc && buf.n) {
            PGresult *r = PQexec(m->pg, "COPY ficd_migrate_refs (id, ref) FROM STDIN");
            if (PQresultStatus(r) != PGRES_COPY_IN)
                rc = mg_fail_pg(m, "COPY");
            PQclear(r);
            if (!rc &&
                (PQputCopyData(m->pg, buf.p, (int)buf.n) != 1 || PQputCopyEnd(m->pg, NULL) != 1))
                rc = mg_fail_pg(m, "COPY");
            while (!rc && (r = PQgetResult(m->pg))) {
                if (PQresultStatus(r) != PGRES_COMMAND_OK)
                    rc = mg_fail_pg(m, "COPY");
                PQclear(r);
            }
        }
        free(buf.p);
        if (!rc) {
            sql = (struct mg_buf){0};
            mg_put_str(&sql, "UPDATE ");
            mg_put_ident(&sql, t->name);
            mg_put_str(&sql, " AS t SET ");
            mg_put_ident(&sql, col);
            mg_put_str(&sql, " = f.ref FROM ficd_migrate_refs f WHERE t.");
            mg_put_ident(&sql, id);
            mg_buf_put(&sql, " = f.id", sizeof(" = f.id"));
            rc = sql.oom ? mg_fail(m, FICD_ENOMEM, "out of memory") : mg_pg_cmd(m, sql.p);
            free(sql.p);
        }
        if (!rc)
            rc = mg_pg_cmd(m, "COMMIT");
        else
            PQclear(PQexec(m->pg, "ROLLBACK"));
        if (rc)
            return rc;
    }
    return 0;
}

/* Row count and digest of t in the source. */
int mg_source_digest(struct mg *m, struct mg_table *t, int64_t *rows, char hex[HASH_SHA256_HEX])
{
    struct mg_buf sql = {0};
    mg_put_str(&sql, "SELECT ");
    mg_put_cols(&sql, t);
    mg_put_str(&sql, " FROM ");
    mg_put_ident(&sql, t->name);
    mg_put_order(&sql, t, 1, 0);
    sqlite3_stmt *st = mg_sq_prepare(m, &sql);
    free(sql.p);
    if (!st)
        return FICD_EDB;
    struct mg_hash *h = malloc(sizeof(*h));
    if (!h) {
        sqlite3_finalize(st);
        return mg_fail(m, FICD_ENOMEM, "out of memory");
    }
    mg_hash_init(h);
    struct mg_buf line = {0};
    int rc = 0, e;
    *rows = 0;
    while ((e = sqlite3_step(st)) == SQLITE_ROW) {
        line.n = 0;
        if ((rc = mg_put_row(m, &line, t, st, 0)))
            break;
        mg_hash_feed(h, line.p, line.n);
        ++*rows;
        if ((*rows & 1023) == 0)
            mg_advance(m, 1024);
    }
    if (!rc && e != SQLITE_DONE)
        rc = mg_fail_sq(m, t->name);
    mg_advance(m, (uint64_t)(*rows & 1023));
    free(line.p);
    sqlite3_finalize(st);
    if (!rc)
        mg_hash_hex(h, hex);
    free(h);
    return rc;
}

/* Row count and digest of t in the target, from COPY (SELECT ... ORDER BY key) TO STDOUT. */
int mg_target_digest(struct mg *m, struct mg_table *t, int64_t *rows, char hex[HASH_SHA256_HEX])
{
    struct mg_buf sql = {0};
    mg_put_str(&sql, "COPY (SELECT ");
    mg_put_cols(&sql, t);
    mg_put_str(&sql, " FROM ");
    mg_put_ident(&sql, t->name);
    mg_put_order(&sql, t, 0, 0);
    mg_buf_put(&sql, ") TO STDOUT", sizeof(") TO STDOUT"));
    if (sql.oom)
        return mg_fail(m, FICD_ENOMEM, "out of memory");
    PGresult *r = PQexec(m->pg, sql.p);
    free(sql.p);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COPY_OUT)
        rc = mg_fail_pg(m, "COPY TO");
    PQclear(r);
    if (rc)
        return rc;
    struct mg_hash *h = malloc(sizeof(*h));
    if (!h)
        rc = mg_fail(m, FICD_ENOMEM, "out of memory");
    else
        mg_hash_init(h);
    *rows = 0;
    char *row;
    int n;
    while ((n = PQgetCopyData(m->pg, &row, 0)) > 0) {
        if (h)
            mg_hash_feed(h, row, (size_t)n);
        ++*rows;
        PQfreemem(row);
    }
    if (n == -2 && !rc)
        rc = mg_fail_pg(m, "COPY TO");
    while ((r = PQgetResult(m->pg))) {
        if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = mg_fail_pg(m, "COPY TO");
        PQclear(r);
    }
    if (!rc)
        mg_hash_hex(h, hex);
    free(h);
    return rc;
}
