/* maint.c: safety and maintenance for the store: the last failure's code (a
 * full disk told apart), the connection's change counter (did a request write anything),
 * ending an account's sessions, the per-account duplicate lookup for imports, and online
 * backups (SQLite: the driver's VACUUM INTO). */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int store_errcode(struct store *s)
{
    return s ? s->code : 0;
}

void store_clear_error(struct store *s)
{
    if (s) {
        s->code = 0;
        s->err[0] = 0;
    }
}

int64_t store_total_changes(struct store *s)
{
    return (int64_t)db_total_changes(s);
}

int store_session_delete_user(struct store *s, int64_t user_id, const char *keep, int64_t *ended)
{
    if (ended)
        *ended = 0;
    struct dbst *st =
        sq_prep(s, "DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS DISTINCT FROM ?2");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    sq_bind_text(st, 2, keep);
    int rc = sq_run(s, st);
    if (!rc && ended)
        *ended = sq_changes(s);
    return rc;
}

int store_work_find_hash_user(struct store *s, const char *hash, int64_t user_id, int64_t *id)
{
    *id = 0;
    if (!hash || !*hash || user_id <= 0)
        return 0;
    struct dbst *st = sq_prep(s, "SELECT id FROM works WHERE content_hash = ?1 AND "
                                 "user_id = ?2 ORDER BY id LIMIT 1");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, hash);
    db_bind_int(st, 2, user_id);
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *id = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

/* fsyncs path (a file or a directory); 0 or -1. */
static int sync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int store_backup(struct store *s, const char *out_dir)
{
    if (!out_dir || !*out_dir)
        return sq_failf(s, FICD_EINVAL, "no backup directory given");
    int rc = sq_make_dirs(out_dir);
    if (rc)
        return sq_failf(s, FICD_EIO, "cannot create %s: %s", out_dir, strerror(errno));
    size_t n = strlen(out_dir) + 32;
    char *db = malloc(n), *tmp = malloc(n);
    if (!db || !tmp) {
        free(db);
        free(tmp);
        return sq_failf(s, FICD_ENOMEM, "out of memory");
    }
    snprintf(db, n, "%s/ficd.db", out_dir);
    snprintf(tmp, n, "%s/ficd.db.backup-tmp", out_dir);
    struct stat stt;
    if (stat(db, &stt) == 0) {
        rc = sq_failf(s, FICD_EEXISTS, "%s already holds an archive (ficd.db)", out_dir);
        goto out;
    }
    unlink(tmp); /* a copy left over by a backup that was interrupted */
    if (!s->drv->backup) {
        rc = sq_failf(s, FICD_EINVAL,
                      "ficd backup copies SQLite archives; back up PostgreSQL with pg_dump "
                      "(docs/operations.md)");
        goto out;
    }
    rc = s->drv->backup(s, tmp);
    if (rc) {
        unlink(tmp);
        goto out;
    }
    if (sync_path(tmp, 0) || rename(tmp, db) || sync_path(out_dir, 1)) {
        rc = sq_failf(s, errno == ENOSPC ? FICD_ENOSPC : FICD_EIO, "cannot finish %s: %s", db,
                      strerror(errno));
        unlink(tmp);
    }
out:
    free(db);
    free(tmp);
    return rc;
}
