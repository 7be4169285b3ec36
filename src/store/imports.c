/* sqlite_imports.c: the mapping of objects imported from other archives (eFiction) to the
 * local ids they became, which makes imports idempotent and resumable. */
#include "store/store_int.h"

#include <string.h>

int store_import_map_get(struct store *s, const char *source, const char *kind, int64_t src_id,
                         int64_t *local_id)
{
    *local_id = 0;
    struct dbst *st = sq_prep(s, "SELECT local_id FROM import_map WHERE source = ?1 AND "
                                 "kind = ?2 AND src_id = ?3");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, source);
    sq_bind_text(st, 2, kind);
    db_bind_int(st, 3, src_id);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc)
        *local_id = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

int store_import_map_put(struct store *s, const char *source, const char *kind, int64_t src_id,
                         int64_t local_id)
{
    if (!source || !*source || !kind || !*kind || local_id <= 0)
        return sq_failf(s, FICD_EINVAL, "bad import mapping");
    struct dbst *st = sq_prep(s, "INSERT INTO import_map (source, kind, src_id, local_id, "
                                 "imported) VALUES (?1, ?2, ?3, ?4, ?5) "
                                 "ON CONFLICT (source, kind, src_id) DO UPDATE SET "
                                 "local_id = excluded.local_id, imported = excluded.imported");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, source);
    sq_bind_text(st, 2, kind);
    db_bind_int(st, 3, src_id);
    db_bind_int(st, 4, local_id);
    db_bind_int(st, 5, sq_now());
    return sq_run(s, st);
}

int store_import_map_count(struct store *s, const char *source, const char *kind, int64_t *n)
{
    *n = 0;
    struct dbst *st = sq_prep(s, "SELECT count(*) FROM import_map WHERE source = ?1 AND kind = ?2");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, source);
    sq_bind_text(st, 2, kind);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc)
        *n = db_col_int(st, 0);
    db_reset(st);
    return 0;
}
