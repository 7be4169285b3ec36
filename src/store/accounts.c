/* sqlite_accounts.c: accounts in SQLite: users, pseuds, sessions (by token hash) and
 * invitations. */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#define USER_COLS "id, name, email, pwhash, role, created, suspended_until, banned, inbox_off"

static int need(struct store *s, const char *v, const char *what)
{
    if (!v || !*v)
        return sq_failf(s, FICD_EINVAL, "empty %s", what);
    return 0;
}

static int insert_pseud(struct store *s, int64_t user_id, const char *name)
{
    struct dbst *st = sq_prep(s, "INSERT INTO pseuds (user_id, name, created) VALUES (?1, ?2, ?3)");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    sq_bind_text(st, 2, name);
    db_bind_int(st, 3, sq_now());
    int rc = sq_run(s, st);
    if (rc == FICD_EEXISTS)
        sq_failf(s, rc, "the name '%s' is taken", name);
    return rc;
}

/* The account and its default pseud are created together; a name already used by any
 * account or pseud (ignoring case) gives FICD_EEXISTS and creates nothing. */
int store_user_create(struct store *s, struct user *u)
{
    int rc = need(s, u->name, "user name");
    if (rc)
        return rc;
    if ((int)u->role < ROLE_USER || u->role > ROLE_ADMIN)
        return sq_failf(s, FICD_EINVAL, "bad role %d", (int)u->role);
    int64_t created = u->created ? u->created : sq_now();
    if ((rc = sq_tx_begin(s)))
        return rc;
    int64_t id = 0;
    struct dbst *st = sq_prep(s, "INSERT INTO users (name, email, pwhash, role, created) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) {
        rc = FICD_EDB;
    } else {
        sq_bind_text(st, 1, u->name);
        sq_bind_text(st, 2, u->email);
        sq_bind_text(st, 3, u->pwhash);
        db_bind_int(st, 4, (int)u->role);
        db_bind_int(st, 5, created);
        rc = sq_run(s, st);
        if (rc == FICD_EEXISTS)
            sq_failf(s, rc, "the name '%s' is taken", u->name);
    }
    if (!rc) {
        id = db_last_id(s);
        rc = insert_pseud(s, id, u->name);
    }
    rc = sq_tx_end(s, rc);
    if (!rc) {
        u->id = id;
        u->created = created;
    }
    return rc;
}

static int one_user(struct store *s, struct dbst *st, struct user *out)
{
    memset(out, 0, sizeof(*out));
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sq_failf(s, FICD_ENOTFOUND, "no such user");
    out->id = db_col_int(st, 0);
    out->role = (enum user_role)(int)db_col_int(st, 4);
    out->created = db_col_int(st, 5);
    out->suspended_until = db_col_int(st, 6);
    out->banned = (int)db_col_int(st, 7);
    out->inbox_off = (unsigned)db_col_int(st, 8);
    rc = sq_col_dup(st, 1, &out->name);
    if (!rc)
        rc = sq_col_dup(st, 2, &out->email);
    if (!rc)
        rc = sq_col_dup(st, 3, &out->pwhash);
    db_reset(st);
    if (rc)
        user_free(out);
    return rc;
}

int store_user_get(struct store *s, int64_t id, struct user *out)
{
    struct dbst *st = sq_prep(s, "SELECT " USER_COLS " FROM users WHERE id = ?1");
    if (!st) {
        memset(out, 0, sizeof(*out));
        return FICD_EDB;
    }
    db_bind_int(st, 1, id);
    return one_user(s, st, out);
}

int store_user_get_by_name(struct store *s, const char *name, struct user *out)
{
    struct dbst *st = sq_prep(s, "SELECT " USER_COLS " FROM users WHERE name = ?1");
    if (!st) {
        memset(out, 0, sizeof(*out));
        return FICD_EDB;
    }
    sq_bind_text(st, 1, name);
    return one_user(s, st, out);
}

int store_user_count(struct store *s, int64_t *n)
{
    *n = 0;
    struct dbst *st = sq_prep(s, "SELECT count(*) FROM users");
    if (!st)
        return FICD_EDB;
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *n = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

/* Runs one UPDATE of a single user row in its own unit of work; FICD_ENOTFOUND when the
 * user does not exist. ?1 is the id, ?2 the value (text when text is non-NULL). */
static int update_user(struct store *s, const char *sql, int64_t id, const char *text, int num)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, sql);
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, id);
        if (text)
            sq_bind_text(st, 2, text);
        else
            db_bind_int(st, 2, num);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no user %lld", (long long)id);
    }
    return sq_tx_end(s, rc);
}

int store_user_set_password(struct store *s, int64_t id, const char *pwhash)
{
    int rc = need(s, pwhash, "password hash");
    if (rc)
        return rc;
    return update_user(s, "UPDATE users SET pwhash = ?2 WHERE id = ?1", id, pwhash, 0);
}

int store_user_set_role(struct store *s, int64_t id, enum user_role role)
{
    if ((int)role < ROLE_USER || role > ROLE_ADMIN)
        return sq_failf(s, FICD_EINVAL, "bad role %d", (int)role);
    return update_user(s, "UPDATE users SET role = ?2 WHERE id = ?1", id, NULL, (int)role);
}

static int user_exists(struct store *s, int64_t id)
{
    struct dbst *st = sq_prep(s, "SELECT 1 FROM users WHERE id = ?1");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, id);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    db_reset(st);
    return rc ? 0 : sq_failf(s, FICD_ENOTFOUND, "no user %lld", (long long)id);
}

int store_pseud_add(struct store *s, int64_t user_id, const char *name)
{
    int rc = need(s, name, "pseud");
    if (!rc)
        rc = sq_tx_begin(s);
    if (rc)
        return rc;
    rc = user_exists(s, user_id);
    if (!rc)
        rc = insert_pseud(s, user_id, name);
    return sq_tx_end(s, rc);
}

/* The user's pseuds, the default one (created with the account) first. */
int store_pseud_list(struct store *s, int64_t user_id, struct strlist *out)
{
    strlist_init(out);
    struct dbst *st = sq_prep(s, "SELECT name FROM pseuds WHERE user_id = ?1 ORDER BY id");
    if (!st)
        return FICD_EDB;
    db_bind_int(st, 1, user_id);
    int rc = 0, e;
    while ((e = db_step(st)) == DB_ROW) {
        const char *name = db_col_text(st, 0);
        if (!name || (rc = strlist_add(out, name))) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    if (rc)
        strlist_free(out);
    return rc;
}

int store_pseud_owner(struct store *s, const char *pseud, int64_t *user_id)
{
    *user_id = 0;
    struct dbst *st = sq_prep(s, "SELECT user_id FROM pseuds WHERE name = ?1");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, pseud);
    int rc = sq_row(s, st);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sq_failf(s, FICD_ENOTFOUND, "no pseud '%s'", pseud ? pseud : "");
    *user_id = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

/* ---- sessions ---- */

int store_session_create(struct store *s, const char *token_hash, int64_t user_id, int64_t expires)
{
    int rc = need(s, token_hash, "session token hash");
    if (!rc)
        rc = sq_tx_begin(s);
    if (rc)
        return rc;
    rc = user_exists(s, user_id);
    if (!rc) {
        struct dbst *st = sq_prep(s, "INSERT INTO sessions (token_hash, user_id, expires, "
                                     "created) VALUES (?1, ?2, ?3, ?4)");
        if (!st) {
            rc = FICD_EDB;
        } else {
            sq_bind_text(st, 1, token_hash);
            db_bind_int(st, 2, user_id);
            db_bind_int(st, 3, expires);
            db_bind_int(st, 4, sq_now());
            rc = sq_run(s, st);
        }
    }
    return sq_tx_end(s, rc);
}

int store_session_get(struct store *s, const char *token_hash, int64_t *user_id)
{
    *user_id = 0;
    struct dbst *st =
        sq_prep(s, "SELECT user_id FROM sessions WHERE token_hash = ?1 AND expires > ?2");
    if (!st)
        return FICD_EDB;
    sq_bind_text(st, 1, token_hash);
    db_bind_int(st, 2, sq_now());
    int rc = sq_row(s, st);
    if (rc <= 0)
        return rc;
    *user_id = db_col_int(st, 0);
    db_reset(st);
    return 0;
}

int store_session_delete(struct store *s, const char *token_hash)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "DELETE FROM sessions WHERE token_hash = ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        sq_bind_text(st, 1, token_hash);
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "no such session");
    }
    return sq_tx_end(s, rc);
}

/* Deletes every session that has expired at time now. */
int store_session_purge(struct store *s, int64_t now)
{
    int rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "DELETE FROM sessions WHERE expires <= ?1");
    if (!st) {
        rc = FICD_EDB;
    } else {
        db_bind_int(st, 1, now);
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}

/* ---- invitations ---- */

int store_invite_create(struct store *s, const char *code, int64_t created_by)
{
    int rc = need(s, code, "invitation code");
    if (!rc)
        rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st =
        sq_prep(s, "INSERT INTO invites (code, created_by, created) VALUES (?1, ?2, ?3)");
    if (!st) {
        rc = FICD_EDB;
    } else {
        sq_bind_text(st, 1, code);
        sq_bind_id(st, 2, created_by);
        db_bind_int(st, 3, sq_now());
        rc = sq_run(s, st);
    }
    return sq_tx_end(s, rc);
}

int store_invite_use(struct store *s, const char *code)
{
    int rc = need(s, code, "invitation code");
    if (!rc)
        rc = sq_tx_begin(s);
    if (rc)
        return rc;
    struct dbst *st = sq_prep(s, "UPDATE invites SET used = ?2 WHERE code = ?1 AND used IS NULL");
    if (!st) {
        rc = FICD_EDB;
    } else {
        sq_bind_text(st, 1, code);
        db_bind_int(st, 2, sq_now());
        rc = sq_run(s, st);
        if (!rc && sq_changes(s) == 0)
            rc = sq_failf(s, FICD_ENOTFOUND, "unknown or used invitation");
    }
    return sq_tx_end(s, rc);
}

int store_invite_list(struct store *s, store_invite_cb cb, void *ctx)
{
    struct dbst *st = sq_prep(s, "SELECT i.code, i.created_by, u.name, i.created, i.used "
                                 "FROM invites i LEFT JOIN users u ON u.id = i.created_by "
                                 "ORDER BY i.created DESC, i.code");
    if (!st)
        return FICD_EDB;
    int rc = 0, e;
    while ((e = db_step(st)) == DB_ROW) {
        struct invite inv;
        inv.code = db_col_text(st, 0);
        inv.created_by = db_col_int(st, 1);
        inv.creator = inv.created_by ? db_col_text(st, 2) : NULL;
        inv.created = db_col_int(st, 3);
        inv.used = db_col_int(st, 4);
        if (!inv.code) {
            rc = sq_failf(s, FICD_ENOMEM, "out of memory");
            break;
        }
        if (cb(&inv, ctx))
            break;
    }
    if (!rc && e != DB_ROW && e != DB_DONE)
        rc = sq_fail(s, e);
    db_reset(st);
    return rc;
}
