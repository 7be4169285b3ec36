/* test_accounts.c: the SQLite store's users, pseuds, sessions, invitations and settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/work.h"
#include "store/store.h"
#include "store_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t new_user(struct store *s, const char *name)
{
    struct user u = {.name = (char *)name, .email = "x@example.org", .pwhash = "$argon2id$h"};
    assert_int_equal(store_user_create(s, &u), 0);
    assert_true(u.id > 0);
    assert_true(u.created > 0);
    return u.id;
}

static void test_users(void **state)
{
    struct fixture *f = *state;
    int64_t n = -1;
    assert_int_equal(store_user_count(f->s, &n), 0);
    assert_int_equal(n, 0);
    struct user u = {.name = "Iselle",
                     .email = "iselle@example.org",
                     .pwhash = "$argon2id$a",
                     .role = ROLE_WRANGLER,
                     .created = 1600000000};
    assert_int_equal(store_user_create(f->s, &u), 0);
    int64_t id = u.id;

    struct user dup = {.name = "ISELLE"};
    assert_int_equal(store_user_create(f->s, &dup), FICD_EEXISTS);
    assert_int_equal(dup.id, 0);
    struct user empty = {.name = ""};
    assert_int_equal(store_user_create(f->s, &empty), FICD_EINVAL);
    struct user badrole = {.name = "r", .role = (enum user_role)9};
    assert_int_equal(store_user_create(f->s, &badrole), FICD_EINVAL);
    assert_int_equal(store_user_count(f->s, &n), 0);
    assert_int_equal(n, 1);

    struct user got;
    assert_int_equal(store_user_get(f->s, id, &got), 0);
    assert_string_equal(got.name, "Iselle");
    assert_string_equal(got.email, "iselle@example.org");
    assert_string_equal(got.pwhash, "$argon2id$a");
    assert_int_equal(got.role, ROLE_WRANGLER);
    assert_int_equal(got.created, 1600000000);
    user_free(&got);
    assert_int_equal(store_user_get_by_name(f->s, "iSELLE", &got), 0);
    assert_int_equal(got.id, id);
    user_free(&got);
    assert_int_equal(store_user_get_by_name(f->s, "nobody", &got), FICD_ENOTFOUND);
    assert_null(got.name);
    assert_int_equal(store_user_get(f->s, id + 1, &got), FICD_ENOTFOUND);

    assert_int_equal(store_user_set_password(f->s, id, "$argon2id$b"), 0);
    assert_int_equal(store_user_set_role(f->s, id, ROLE_ADMIN), 0);
    assert_int_equal(store_user_get(f->s, id, &got), 0);
    assert_string_equal(got.pwhash, "$argon2id$b");
    assert_int_equal(got.role, ROLE_ADMIN);
    user_free(&got);
    assert_int_equal(store_user_set_password(f->s, id + 1, "$x"), FICD_ENOTFOUND);
    assert_int_equal(store_user_set_role(f->s, id + 1, ROLE_USER), FICD_ENOTFOUND);
    assert_int_equal(store_user_set_role(f->s, id, (enum user_role)7), FICD_EINVAL);

    /* A user without email or password hash (set later). */
    struct user bare = {.name = "bare"};
    assert_int_equal(store_user_create(f->s, &bare), 0);
    assert_int_equal(store_user_get(f->s, bare.id, &got), 0);
    assert_null(got.email);
    assert_null(got.pwhash);
    user_free(&got);
}

static void test_pseuds(void **state)
{
    struct fixture *f = *state;
    int64_t a = new_user(f->s, "alice");
    int64_t b = new_user(f->s, "bob");
    assert_int_equal(store_pseud_add(f->s, a, "Quillfeather"), 0);
    assert_int_equal(store_pseud_add(f->s, a, "Ænid"), 0);
    assert_int_equal(store_pseud_add(f->s, b, "QUILLFEATHER"), FICD_EEXISTS);
    assert_int_equal(store_pseud_add(f->s, b, "Alice"), FICD_EEXISTS); /* a default pseud */
    assert_int_equal(store_pseud_add(f->s, 999, "orphan"), FICD_ENOTFOUND);
    assert_int_equal(store_pseud_add(f->s, a, ""), FICD_EINVAL);

    struct strlist l;
    assert_int_equal(store_pseud_list(f->s, a, &l), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0], "alice");
    assert_string_equal(l.v[1], "Quillfeather");
    assert_string_equal(l.v[2], "Ænid");
    strlist_free(&l);
    assert_int_equal(store_pseud_list(f->s, 999, &l), 0);
    assert_int_equal(l.n, 0);
    strlist_free(&l);

    int64_t owner = 0;
    assert_int_equal(store_pseud_owner(f->s, "quillfeather", &owner), 0);
    assert_int_equal(owner, a);
    assert_int_equal(store_pseud_owner(f->s, "BOB", &owner), 0);
    assert_int_equal(owner, b);
    assert_int_equal(store_pseud_owner(f->s, "nobody", &owner), FICD_ENOTFOUND);
    assert_int_equal(owner, 0);

    /* A new account whose name is someone's pseud is refused whole: no user row left. */
    struct user u = {.name = "quillFeather"};
    assert_int_equal(store_user_create(f->s, &u), FICD_EEXISTS);
    int64_t n;
    assert_int_equal(store_user_count(f->s, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM users WHERE name = 'quillFeather'"), 0);
}

static void test_sessions(void **state)
{
    struct fixture *f = *state;
    int64_t a = new_user(f->s, "alice");
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(store_session_create(f->s, "hash-live", a, now + 3600), 0);
    assert_int_equal(store_session_create(f->s, "hash-old", a, now - 10), 0);
    assert_int_equal(store_session_create(f->s, "hash-live", a, now + 10), FICD_EEXISTS);
    assert_int_equal(store_session_create(f->s, "hash-x", 999, now + 10), FICD_ENOTFOUND);
    int64_t uid = -1;
    assert_int_equal(store_session_get(f->s, "hash-live", &uid), 0);
    assert_int_equal(uid, a);
    uid = -1;
    assert_int_equal(store_session_get(f->s, "hash-old", &uid), 0);
    assert_int_equal(uid, 0); /* expired */
    uid = -1;
    assert_int_equal(store_session_get(f->s, "missing", &uid), 0);
    assert_int_equal(uid, 0);

    assert_int_equal(store_session_purge(f->s, now), 0);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM sessions"), 1);
    assert_int_equal(store_session_delete(f->s, "hash-live"), 0);
    assert_int_equal(store_session_get(f->s, "hash-live", &uid), 0);
    assert_int_equal(uid, 0);
    assert_int_equal(store_session_delete(f->s, "hash-live"), FICD_ENOTFOUND);
}

static void test_invites(void **state)
{
    struct fixture *f = *state;
    int64_t a = new_user(f->s, "alice");
    assert_int_equal(store_invite_create(f->s, "CODE-1", a), 0);
    assert_int_equal(store_invite_create(f->s, "CODE-2", 0), 0); /* made by the CLI */
    assert_int_equal(store_invite_create(f->s, "CODE-1", a), FICD_EEXISTS);
    assert_int_equal(store_invite_use(f->s, "CODE-1"), 0);
    assert_int_equal(store_invite_use(f->s, "CODE-1"), FICD_ENOTFOUND); /* single use */
    assert_int_equal(store_invite_use(f->s, "nope"), FICD_ENOTFOUND);
    assert_int_equal(store_invite_use(f->s, "CODE-2"), 0);
}

/* What store_invite_list reported, copied out of the callback. */
struct invite_seen {
    char code[4][16];
    char creator[4][16]; /* "" when NULL */
    int64_t created_by[4], created[4], used[4];
    int n;
    int stop_after; /* > 0: ask the store to stop after this many */
};

static int collect_invite(const struct invite *inv, void *ctx)
{
    struct invite_seen *v = ctx;
    assert_true(v->n < 4);
    snprintf(v->code[v->n], sizeof(v->code[0]), "%s", inv->code);
    snprintf(v->creator[v->n], sizeof(v->creator[0]), "%s", inv->creator ? inv->creator : "");
    v->created_by[v->n] = inv->created_by;
    v->created[v->n] = inv->created;
    v->used[v->n] = inv->used;
    v->n++;
    return v->stop_after > 0 && v->n >= v->stop_after;
}

static void test_invite_list(void **state)
{
    struct fixture *f = *state;
    struct invite_seen v;
    memset(&v, 0, sizeof(v));
    assert_int_equal(store_invite_list(f->s, collect_invite, &v), 0);
    assert_int_equal(v.n, 0);

    int64_t a = new_user(f->s, "alice");
    int64_t before = (int64_t)time(NULL);
    assert_int_equal(store_invite_create(f->s, "CODE-B", a), 0);
    assert_int_equal(store_invite_create(f->s, "CODE-A", 0), 0); /* made by the CLI */
    assert_int_equal(store_invite_create(f->s, "CODE-C", a), 0);
    /* make the order by time observable: CODE-C is the oldest */
    assert_int_equal(raw_exec(f->dir, "UPDATE invites SET created = created - 100 "
                                      "WHERE code = 'CODE-C'"),
                     0);
    assert_int_equal(store_invite_use(f->s, "CODE-B"), 0);

    assert_int_equal(store_invite_list(f->s, collect_invite, &v), 0);
    assert_int_equal(v.n, 3);
    /* newest first; CODE-A and CODE-B share a second, so by code */
    assert_string_equal(v.code[0], "CODE-A");
    assert_string_equal(v.code[1], "CODE-B");
    assert_string_equal(v.code[2], "CODE-C");
    assert_int_equal(v.created_by[0], 0);
    assert_string_equal(v.creator[0], "");
    assert_int_equal(v.created_by[1], a);
    assert_string_equal(v.creator[1], "alice");
    assert_true(v.created[1] >= before);
    assert_true(v.created[2] <= v.created[1] - 100);
    assert_int_equal(v.used[0], 0);
    assert_true(v.used[1] >= before);
    assert_int_equal(v.used[2], 0);

    /* a callback returning non-zero stops the listing */
    memset(&v, 0, sizeof(v));
    v.stop_after = 1;
    assert_int_equal(store_invite_list(f->s, collect_invite, &v), 0);
    assert_int_equal(v.n, 1);
}

static void test_settings(void **state)
{
    struct fixture *f = *state;
    char *v = (char *)1;
    assert_int_equal(store_setting_get(f->s, "site_name", &v), 0);
    assert_null(v);
    assert_int_equal(store_setting_set(f->s, "site_name", "Maren Bay Archive"), 0);
    assert_int_equal(store_setting_set(f->s, "site_name", "Tidewatch ✨"), 0); /* upsert */
    assert_int_equal(store_setting_get(f->s, "site_name", &v), 0);
    assert_string_equal(v, "Tidewatch ✨");
    free(v);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM settings"), 1);
    assert_int_equal(store_setting_set(f->s, "site_name", NULL), 0); /* removes */
    assert_int_equal(store_setting_get(f->s, "site_name", &v), 0);
    assert_null(v);
    assert_int_equal(store_setting_set(f->s, NULL, "x"), FICD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_pseuds, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sessions, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_invites, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_invite_list, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_settings, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
