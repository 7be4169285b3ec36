/* test_maint.c: the store's safety and maintenance calls: ending an account's other
 * sessions, the per-account duplicate lookup, the change counter, the last failure's code,
 * and online backups (a complete archive in a new directory, refused over an existing one,
 * taken while another connection holds a write transaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_test_util.h"

static int64_t add_user(struct store *s, const char *name)
{
    struct user u;
    memset(&u, 0, sizeof(u));
    u.name = (char *)name;
    u.pwhash = (char *)"$argon2id$x";
    assert_int_equal(store_user_create(s, &u), 0);
    return u.id;
}

static int64_t add_work(struct store *s, int64_t uid, const char *title, const char *hash)
{
    struct work w;
    work_init(&w);
    w.title = strdup(title);
    w.user_id = uid;
    snprintf(w.content_hash, sizeof(w.content_hash), "%s", hash);
    assert_int_equal(strlist_add(&w.fandoms, "F"), 0);
    struct chapter *c = work_add_chapter(&w);
    assert_non_null(c);
    c->html = strdup("<p>Text.</p>");
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

static void test_sessions(void **state)
{
    struct fixture *f = *state;
    int64_t a = add_user(f->s, "alice"), b = add_user(f->s, "bob");
    assert_int_equal(store_session_create(f->s, "h1", a, 4000000000LL), 0);
    assert_int_equal(store_session_create(f->s, "h2", a, 4000000000LL), 0);
    assert_int_equal(store_session_create(f->s, "h3", a, 4000000000LL), 0);
    assert_int_equal(store_session_create(f->s, "hb", b, 4000000000LL), 0);
    int64_t ended = -1, uid = 0;
    assert_int_equal(store_session_delete_user(f->s, a, "h2", &ended), 0);
    assert_int_equal(ended, 2);
    assert_int_equal(store_session_get(f->s, "h2", &uid), 0);
    assert_int_equal(uid, a); /* the kept one */
    assert_int_equal(store_session_get(f->s, "h1", &uid), 0);
    assert_int_equal(uid, 0);
    assert_int_equal(store_session_get(f->s, "hb", &uid), 0);
    assert_int_equal(uid, b); /* another account's untouched */
    assert_int_equal(store_session_delete_user(f->s, a, NULL, &ended), 0);
    assert_int_equal(ended, 1);
    assert_int_equal(store_session_get(f->s, "h2", &uid), 0);
    assert_int_equal(uid, 0);
}

static void test_find_hash_user(void **state)
{
    struct fixture *f = *state;
    int64_t a = add_user(f->s, "alice"), b = add_user(f->s, "bob");
    char h[65];
    snprintf(h, sizeof(h), "%064d", 42);
    int64_t w = add_work(f->s, a, "Alice's", h);
    int64_t id = -1;
    assert_int_equal(store_work_find_hash_user(f->s, h, a, &id), 0);
    assert_int_equal(id, w);
    assert_int_equal(store_work_find_hash_user(f->s, h, b, &id), 0);
    assert_int_equal(id, 0); /* bob never sees alice's work */
    assert_int_equal(store_work_find_hash_user(f->s, "", a, &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(store_work_find_hash_user(f->s, h, 0, &id), 0);
    assert_int_equal(id, 0);
}

static void test_changes_and_errors(void **state)
{
    struct fixture *f = *state;
    int64_t c0 = store_total_changes(f->s);
    struct user u;
    assert_int_equal(store_user_get_by_name(f->s, "nobody", &u), FICD_ENOTFOUND);
    assert_int_equal(store_total_changes(f->s), c0); /* a read changes nothing */
    add_user(f->s, "carol");
    assert_true(store_total_changes(f->s) > c0);
    assert_int_equal(store_work_delete(f->s, 987654), FICD_ENOTFOUND);
    assert_int_equal(store_errcode(f->s), FICD_ENOTFOUND);
    assert_non_null(strstr(store_errmsg(f->s), "987654"));
    store_clear_error(f->s);
    assert_int_equal(store_errcode(f->s), 0);
}

static void test_backup(void **state)
{
    struct fixture *f = *state;
    if (test_on_pg()) {
        /* SQLite only (VACUUM INTO): PostgreSQL's archive is refused with the way to do it */
        char out[128];
        snprintf(out, sizeof(out), "%s/copy", f->dir);
        assert_int_equal(store_backup(f->s, out), FICD_EINVAL);
        assert_non_null(strstr(store_errmsg(f->s), "pg_dump"));
        return;
    }
    int64_t a = add_user(f->s, "alice");
    for (int i = 0; i < 20; i++) {
        char t[32];
        snprintf(t, sizeof(t), "Work %d", i);
        add_work(f->s, a, t, "");
    }
    /* another connection holds a write transaction: the backup reads its snapshot */
    struct store *w;
    assert_int_equal(store_open(f->dir, &w), 0);
    assert_int_equal(store_begin(w), 0);
    add_work(w, a, "Uncommitted", "");
    char out[128];
    snprintf(out, sizeof(out), "%s/copy/nested", f->dir);
    assert_int_equal(store_backup(f->s, out), 0);
    store_rollback(w);
    store_close(w);
    struct store *c;
    assert_int_equal(store_open(out, &c), 0);
    int64_t n = 0;
    assert_int_equal(store_work_count(c, 1, &n), 0);
    assert_int_equal(n, 20);
    struct user u;
    assert_int_equal(store_user_get_by_name(c, "alice", &u), 0);
    user_free(&u);
    store_close(c);
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s/ficd.db.backup-tmp", out);
    assert_int_not_equal(access(tmp, F_OK), 0);
    /* never over an archive */
    assert_int_equal(store_backup(f->s, out), FICD_EEXISTS);
    assert_non_null(strstr(store_errmsg(f->s), "already holds"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sessions, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_find_hash_user, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_changes_and_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_backup, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
