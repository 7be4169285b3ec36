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
#include "store/migrate_int.h"
#include "store/pg_schema.h"
#include "core/err.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Reads the source's tables (all but SQLite's own and schema_migrations), their columns,
 * keys and references, and sorts them so that each comes after the tables it references. */
static int load_tables(struct mg *m)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(m->sq,
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                           "'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return mg_fail_sq(m, "reading the tables");
    int cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (m->nt == cap) {
            cap = cap ? cap * 2 : 64;
            struct mg_table *t = realloc(m->t, (size_t)cap * sizeof(*t));
            if (!t) {
                sqlite3_finalize(st);
                return mg_fail(m, FICD_ENOMEM, "out of memory");
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
            return mg_fail_sq(m, sql);
        int pkpos[64] = {0};
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (t->ncols == 64) {
                sqlite3_finalize(st);
                return mg_fail(m, FICD_EINVAL, "table %s has too many columns", t->name);
            }
            struct mg_col *c = realloc(t->cols, (size_t)(t->ncols + 1) * sizeof(*c));
            if (!c) {
                sqlite3_finalize(st);
                return mg_fail(m, FICD_ENOMEM, "out of memory");
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
            return mg_fail(m, FICD_EINVAL, "table %s has no primary key", t->name);
        snprintf(sql, sizeof(sql), "SELECT \"table\", \"from\" FROM pragma_foreign_key_list('%s')",
                 t->name);
        if (sqlite3_prepare_v2(m->sq, sql, -1, &st, NULL) != SQLITE_OK)
            return mg_fail_sq(m, sql);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *ref = (const char *)sqlite3_column_text(st, 0);
            const char *from = (const char *)sqlite3_column_text(st, 1);
            if (!strcmp(ref, t->name)) {
                for (int c = 0; c < t->ncols; c++)
                    if (!strcmp(t->cols[c].name, from))
                        t->cols[c].self_ref = 1;
            } else if (!mg_str_in(t->deps, t->ndeps, ref)) {
                char **d = realloc(t->deps, (size_t)(t->ndeps + 1) * sizeof(*d));
                if (!d) {
                    sqlite3_finalize(st);
                    return mg_fail(m, FICD_ENOMEM, "out of memory");
                }
                t->deps = d;
                t->deps[t->ndeps++] = strdup(ref);
            }
        }
        sqlite3_finalize(st);
        for (int c = 0; c < t->ncols; c++)
            if (t->cols[c].self_ref && (t->nkey != 1 || !t->cols[t->key[0]].is_int))
                return mg_fail(m, FICD_EINVAL, "table %s references itself without an integer key",
                               t->name);
    }
    /* topological order, alphabetical among equals */
    struct mg_table *sorted = malloc((size_t)(m->nt ? m->nt : 1) * sizeof(*sorted));
    char **placed = malloc((size_t)(m->nt ? m->nt : 1) * sizeof(*placed));
    if (!sorted || !placed) {
        free(sorted);
        free(placed);
        return mg_fail(m, FICD_ENOMEM, "out of memory");
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
                ready = mg_str_in(placed, n, t->deps[d]);
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
            return mg_fail(m, FICD_EINVAL, "the tables' foreign keys form a cycle");
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
        PGresult *r = mg_pg_query(m,
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
            return mg_fail(m, FICD_EINVAL,
                           "table %s has other columns in PostgreSQL than in the archive", t->name);
    }
    return 0;
}

/* The value of key in ficd_migrate (malloc'd), or NULL when none or on error (*rc set). */
static char *progress_get(struct mg *m, const char *key, int *rc)
{
    const char *p[1] = {key};
    PGresult *r = mg_pg_query(m, "SELECT value FROM ficd_migrate WHERE key = $1", 1, p);
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
    PGresult *r = mg_pg_query(m,
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
    PGresult *r = mg_pg_query(m, "SELECT to_regclass($1) IS NOT NULL", 1, p);
    if (!r)
        return FICD_EDB;
    *yes = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return 0;
}

/* Creates the schema on a database that has none, as the PostgreSQL store does. */
static int create_schema(struct mg *m)
{
    int rc = mg_pg_cmd(m, "BEGIN");
    if (!rc)
        rc = mg_pg_cmd(m, pg_schema_sql);
    for (size_t i = 0; !rc && i < pg_nmigrations; i++) {
        char v[32];
        snprintf(v, sizeof(v), "%d", pg_schema_version + 1 + (int)i);
        const char *p[1] = {v};
        PGresult *r;
        if (!(rc = mg_pg_cmd(m, pg_migrations[i])) &&
            (r = mg_pg_query(m,
                             "INSERT INTO schema_migrations (version, applied) VALUES ($1, "
                             "floor(extract(epoch FROM now()))::bigint)",
                             1, p)))
            PQclear(r);
        else if (!rc)
            rc = FICD_EDB;
    }
    if (!rc)
        rc = mg_pg_cmd(m, "COMMIT");
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
    PGresult *r =
        mg_pg_query(m, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0, NULL);
    if (!r)
        return FICD_EDB;
    int target_version = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (target_version != version)
        return mg_fail(m, FICD_EINVAL,
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
            rc = mg_fail(m, FICD_EINVAL,
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
            mg_put_str(&sql, "SELECT EXISTS (SELECT 1 FROM ");
            mg_put_ident(&sql, m->t[i].name);
            mg_buf_put(&sql, ")", 2);
            r = sql.oom ? NULL : mg_pg_query(m, sql.p, 0, NULL);
            free(sql.p);
            if (!r) {
                free(names.p);
                return FICD_EDB;
            }
            if (!strcmp(PQgetvalue(r, 0, 0), "t")) {
                if (n++ < 5) {
                    mg_put_str(&names, n > 1 ? ", " : "");
                    mg_put_str(&names, m->t[i].name);
                }
            }
            PQclear(r);
        }
        mg_buf_put(&names, "", 1);
        if (n && !m->o->force) {
            rc = mg_fail(m, FICD_EINVAL,
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
    mg_put_str(&sql, "TRUNCATE ");
    for (int i = 0; i < m->nt; i++) {
        if (i)
            mg_put_str(&sql, ", ");
        mg_put_ident(&sql, m->t[i].name);
    }
    mg_buf_put(&sql, " RESTART IDENTITY CASCADE", sizeof(" RESTART IDENTITY CASCADE"));
    if (sql.oom)
        return mg_fail(m, FICD_ENOMEM, "out of memory");
    rc = mg_pg_cmd(m, "BEGIN");
    if (!rc)
        rc = mg_pg_cmd(m, "DROP TABLE IF EXISTS ficd_migrate");
    if (!rc && m->nt)
        rc = mg_pg_cmd(m, sql.p);
    free(sql.p);
    if (!rc)
        rc = mg_pg_cmd(m,
                       "CREATE TABLE ficd_migrate (key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT "
                       "NOT NULL)");
    if (!rc)
        rc = progress_set(m, "source", source);
    if (!rc)
        rc = mg_pg_cmd(m, "COMMIT");
    else
        PQclear(PQexec(m->pg, "ROLLBACK"));
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
        mg_report(m, "%s: already copied and verified (%lld rows)", t->name, (long long)t->rows);
        free(done);
        mg_advance(m, 2 * (uint64_t)t->rows);
        return 0;
    }
    int64_t copied = 0;
    if ((rc = mg_copy_rows(m, t, &copied)))
        return rc;
    if ((rc = mg_fix_self_refs(m, t)))
        return rc;
    int64_t src_rows = 0, dst_rows = 0;
    char src_hex[HASH_SHA256_HEX], dst_hex[HASH_SHA256_HEX];
    if ((rc = mg_source_digest(m, t, &src_rows, src_hex)) ||
        (rc = mg_target_digest(m, t, &dst_rows, dst_hex)))
        return rc;
    if (src_rows != dst_rows)
        return mg_fail(m, FICD_EDB,
                       "table %s: %lld rows in the archive but %lld in PostgreSQL after the copy "
                       "(did something write to the archive meanwhile? --force starts over)",
                       t->name, (long long)src_rows, (long long)dst_rows);
    if (strcmp(src_hex, dst_hex))
        return mg_fail(
            m, FICD_EDB,
            "table %s: the rows differ between the archive (sha256 %.16s) and PostgreSQL "
            "(%.16s) after the copy (did something write to the archive meanwhile? "
            "--force starts over)",
            t->name, src_hex, dst_hex);
    char value[128];
    snprintf(value, sizeof(value), "%lld %s", (long long)src_rows, src_hex);
    if ((rc = progress_set(m, key, value)))
        return rc;
    mg_report(m, "%s: %lld rows copied, verified (sha256 %.16s)", t->name, (long long)src_rows,
              src_hex);
    return 0;
}

/* Every identity column's sequence continues after the largest id. */
static int advance_sequences(struct mg *m)
{
    PGresult *r =
        mg_pg_query(m,
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
        mg_put_str(&sql, "SELECT setval(pg_get_serial_sequence($1, $2), greatest(coalesce(max(");
        mg_put_ident(&sql, PQgetvalue(r, i, 1));
        mg_put_str(&sql, "), 0), $3::bigint) + 1, false) FROM ");
        mg_put_ident(&sql, PQgetvalue(r, i, 0));
        mg_buf_put(&sql, "", 1);
        struct mg_buf qt = {0};
        mg_put_ident(&qt, PQgetvalue(r, i, 0));
        mg_buf_put(&qt, "", 1);
        const char *p[3] = {qt.p, PQgetvalue(r, i, 1), floor};
        PGresult *s = sql.oom || qt.oom ? NULL : mg_pg_query(m, sql.p, 3, p);
        if (!s)
            rc = sql.oom || qt.oom ? mg_fail(m, FICD_ENOMEM, "out of memory") : FICD_EDB;
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
        return mg_fail(m, FICD_ENOMEM, "out of memory");
    snprintf(path, n, "%s/ficd.db", dir);
    struct stat st;
    if (stat(path, &st) != 0) {
        free(path);
        return mg_fail(m, FICD_EINVAL, "there is no archive in %s (no ficd.db)", dir);
    }
    int e = sqlite3_open_v2(path, &m->sq, SQLITE_OPEN_READONLY, NULL);
    free(path);
    if (e != SQLITE_OK)
        return mg_fail_sq(m, "opening the archive");
    sqlite3_busy_timeout(m->sq, 5000);
    /* one read transaction for the whole run: every table as of one moment */
    if (sqlite3_exec(m->sq, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return mg_fail_sq(m, "BEGIN");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(m->sq, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return mg_fail_sq(m, "reading the schema version");
    *version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    if (*version <= 0)
        return mg_fail(m, FICD_EINVAL, "%s/ficd.db is not a ficd archive", dir);
    return 0;
}

static int count_rows(struct mg *m, uint64_t *total)
{
    *total = 0;
    for (int i = 0; i < m->nt; i++) {
        struct mg_buf sql = {0};
        mg_put_str(&sql, "SELECT count(*) FROM ");
        mg_put_ident(&sql, m->t[i].name);
        sqlite3_stmt *st = mg_sq_prepare(m, &sql);
        free(sql.p);
        if (!st)
            return FICD_EDB;
        m->t[i].rows = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        *total += 2 * (uint64_t)m->t[i].rows; /* copied, then verified */
    }
    return 0;
}

/* Foreign keys checked row by row on the target cost most of a big migration (a lookup per
 * work-tag pair). When the source's keys are all sound (SQLite's foreign_key_check) and the
 * target lets this session run as a replica (a superuser, or one granted the setting), the
 * copy runs with no trigger or key check on the target: it receives exactly the source's
 * rows, which the digests verify. Otherwise every row is checked as it arrives. */
static int fast_keys(struct mg *m)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(m->sq, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return mg_fail_sq(m, "foreign_key_check");
    int e = sqlite3_step(st);
    sqlite3_finalize(st);
    if (e == SQLITE_ROW) {
        mg_report(m, "the source has rows whose foreign keys point nowhere: every row is "
                     "checked on the target, and the first such row stops the migration");
        return 0;
    }
    if (e != SQLITE_DONE)
        return mg_fail_sq(m, "foreign_key_check");
    PGresult *r = PQexec(m->pg, "SET session_replication_role = replica");
    m->replica = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
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
        rc = mg_fail(&m, FICD_EIO, "%s: cannot resolve the path", dir);
    if (!rc && version != pg_schema_version + (int)pg_nmigrations)
        rc = mg_fail(&m, FICD_EINVAL,
                     "the archive has schema version %d, this ficd's is %d: open it once with "
                     "this ficd (e.g. `ficd list --data %s`) to upgrade it first",
                     version, pg_schema_version + (int)pg_nmigrations, dir);
    if (!rc)
        rc = load_tables(&m);
    if (!rc) {
        m.pg = PQconnectdb(url);
        if (PQstatus(m.pg) != CONNECTION_OK)
            rc = mg_fail_pg(&m, "connecting");
        else
            PQclear(PQexec(m.pg, "SET client_min_messages = warning"));
    }
    if (!rc)
        rc = fast_keys(&m);
    if (!rc)
        rc = prepare_target(&m, source, version, &resuming);
    uint64_t total = 0;
    if (!rc)
        rc = count_rows(&m, &total);
    if (!rc) {
        if (resuming)
            mg_report(&m, "resuming the unfinished migration from %s", source);
        progress_start(&m.bar, "migrate", total);
    }
    for (int i = 0; !rc && i < m.nt; i++)
        rc = migrate_table(&m, &m.t[i]);
    if (!rc)
        rc = advance_sequences(&m);
    if (!rc)
        rc = mg_pg_cmd(&m, "DROP TABLE ficd_migrate");
    if (!rc)
        rc = mg_pg_cmd(&m, "ANALYZE");
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
