/* test_session.c: cookie parsing, session tokens, CSRF tokens and their check on a request,
 * password hashing and rules, login rate limiting, form decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/server.h"
#include "web/session.h"

#include <sodium.h>
#include <string.h>

static void test_cookie_get(void **state)
{
    (void)state;
    char v[80];
    const char *h = "theme=dark; ficd_session=abc123;ficd_csrf=\"q\" ; x=1";
    assert_int_equal(cookie_get(h, "ficd_session", v, sizeof(v)), 6);
    assert_string_equal(v, "abc123");
    assert_int_equal(cookie_get(h, "ficd_csrf", v, sizeof(v)), 1);
    assert_string_equal(v, "q");
    assert_int_equal(cookie_get(h, "x", v, sizeof(v)), 1);
    assert_string_equal(v, "1");
    assert_int_equal(cookie_get(h, "ficd", v, sizeof(v)), -1);    /* no prefix matches */
    assert_int_equal(cookie_get(h, "session", v, sizeof(v)), -1); /* no suffix matches */
    assert_int_equal(cookie_get(NULL, "x", v, sizeof(v)), -1);
    assert_int_equal(cookie_get("a=", "a", v, sizeof(v)), 0);
    assert_string_equal(v, "");
    assert_int_equal(cookie_get("a=toolong", "a", v, 4), -1);
    assert_int_equal(cookie_get("noequals; a=2", "a", v, sizeof(v)), 1);
    assert_string_equal(v, "2");
}

static void test_tokens(void **state)
{
    (void)state;
    char a[65], b[65], h[65];
    token_new(a);
    token_new(b);
    assert_int_equal(strlen(a), 64);
    assert_string_not_equal(a, b);
    token_hash("abc", h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_csrf(void **state)
{
    (void)state;
    unsigned char k1[32], k2[32];
    memset(k1, 1, sizeof(k1));
    memset(k2, 2, sizeof(k2));
    char t[65];
    csrf_token(k1, "session-a", t);
    assert_int_equal(strlen(t), 64);
    assert_true(csrf_verify(k1, "session-a", t));
    assert_false(csrf_verify(k1, "session-b", t)); /* another session's token */
    assert_false(csrf_verify(k2, "session-a", t)); /* another server secret */
    assert_false(csrf_verify(k1, "session-a", NULL));
    assert_false(csrf_verify(k1, "session-a", ""));
    assert_false(csrf_verify(k1, "", t));
    char bad[65];
    memcpy(bad, t, 65);
    bad[10] = bad[10] == '0' ? '1' : '0';
    assert_false(csrf_verify(k1, "session-a", bad));
    bad[63] = 0;
    assert_false(csrf_verify(k1, "session-a", bad));
}

/* The request-level check: the hidden field must match the request's basis. */
static void test_csrf_on_request(void **state)
{
    (void)state;
    struct web_config cfg;
    web_config_defaults(&cfg);
    struct web_site site;
    memset(site.secret, 7, sizeof(site.secret));
    struct web_req r;
    web_req_init(&r, &cfg, &site);
    assert_false(session_csrf_ok(&r));  /* no basis, no field */
    const char *tok = session_csrf(&r); /* anonymous: makes a cookie basis */
    assert_true(r.csrf_cookie_needed);
    assert_int_equal(strlen(r.csrf_basis), 64);
    assert_false(session_csrf_ok(&r));
    assert_int_equal(kvs_add(&r.form, CSRF_FIELD, tok, strlen(tok)), 0);
    assert_true(session_csrf_ok(&r));
    /* a new basis (say, after login) invalidates the old form */
    token_new(r.csrf_basis);
    assert_false(session_csrf_ok(&r));
    web_req_free(&r);
}

static void test_passwords(void **state)
{
    (void)state;
    char h[128];
    assert_int_equal(password_hash("correct horse", h), 0);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_non_null(strstr(h, "m=19456,t=2"));
    assert_true(password_verify(h, "correct horse"));
    assert_false(password_verify(h, "correct horsE"));
    assert_false(password_verify("", "x"));
    assert_false(password_verify(NULL, "x"));
    assert_non_null(password_problem("short", NULL));
    assert_non_null(password_problem("", NULL));
    assert_non_null(password_problem("longenough", "different1"));
    assert_null(password_problem("longenough", "longenough"));
    assert_null(password_problem("12345678", NULL));
    assert_null(name_problem("alice_b-2"));
    assert_non_null(name_problem("a"));
    assert_non_null(name_problem("has space"));
    assert_non_null(name_problem("<script>"));
    assert_non_null(name_problem(NULL));
    assert_non_null(name_problem("abcdefghijabcdefghijabcdefghijabcdefghijX"));
}

static void test_ratelimit(void **state)
{
    (void)state;
    const char *k = "ip:192.0.2.1";
    ratelimit_clear(NULL, k);
    int64_t t = 1000000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ratelimit_check(NULL, k, t + i, 5, 300), 0);
        ratelimit_fail(NULL, k, t + i, 300);
    }
    int wait = ratelimit_check(NULL, k, t + 10, 5, 300);
    assert_int_equal(wait, 290);
    assert_int_equal(ratelimit_check(NULL, "ip:192.0.2.2", t + 10, 5, 300),
                     0);                                            /* other keys free */
    assert_int_equal(ratelimit_check(NULL, k, t + 300, 5, 300), 0); /* window over */
    ratelimit_fail(NULL, k, t + 301, 300); /* a new window starts at one failure */
    assert_int_equal(ratelimit_check(NULL, k, t + 302, 5, 300), 0);
    ratelimit_clear(NULL, k);
    assert_int_equal(ratelimit_check(NULL, k, t + 10, 1, 300), 0);
}

static void test_form_decoding(void **state)
{
    (void)state;
    struct web_kvs l = {0};
    const char *body = "title=%3Cscript%3E+hi&empty=&flag&a=1&a=2&bad";
    assert_int_equal(web_parse_urlencoded(&l, body, strlen(body)), 0);
    assert_string_equal(kvs_get(&l, "title"), "<script> hi");
    assert_string_equal(kvs_get(&l, "empty"), "");
    assert_string_equal(kvs_get(&l, "flag"), "");
    assert_string_equal(kvs_get(&l, "a"), "1");
    assert_int_equal(l.n, 6);
    assert_null(kvs_get(&l, "missing"));
    kvs_free(&l);
    assert_int_equal(web_parse_urlencoded(&l, "x=%zz", 5), FICD_EINVAL);
    kvs_free(&l);
    assert_int_equal(web_parse_urlencoded(&l, "x=%0", 4), FICD_EINVAL);
    kvs_free(&l);
    assert_int_equal(web_parse_urlencoded(&l, "x=%00", 5), FICD_EINVAL);
    kvs_free(&l);

    struct web_config cfg;
    web_config_defaults(&cfg);
    struct web_req r;
    web_req_init(&r, &cfg, NULL);
    assert_string_equal(web_url_decode(&r, "a%2Fb+c", 7, 0), "a/b+c");
    assert_string_equal(web_url_decode(&r, "a%2Fb+c", 7, 1), "a/b c");
    assert_null(web_url_decode(&r, "%", 1, 0));
    web_req_free(&r);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_get),    cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_csrf),          cmocka_unit_test(test_csrf_on_request),
        cmocka_unit_test(test_passwords),     cmocka_unit_test(test_ratelimit),
        cmocka_unit_test(test_form_decoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
