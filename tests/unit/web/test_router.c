/* test_router.c: route matching: literals, :params, methods (HEAD as GET, 405), slashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/router.h"

#include <string.h>

static int h_home(struct web_req *r)
{
    (void)r;
    return 200;
}
static int h_new(struct web_req *r)
{
    (void)r;
    return 201;
}
static int h_work(struct web_req *r)
{
    (void)r;
    return 202;
}
static int h_chapter(struct web_req *r)
{
    (void)r;
    return 203;
}
static int h_create(struct web_req *r)
{
    (void)r;
    return 204;
}

static const struct route table[] = {
    {"GET", "/", h_home, 0},
    {"GET", "/works/new", h_new, 0},
    {"POST", "/works", h_create, 0},
    {"GET", "/works/:id", h_work, 0},
    {"GET", "/works/:id/chapters/:cid", h_chapter, 0},
    {"POST", "/works/:id/chapters/:cid", h_create, 0},
};
#define N (sizeof(table) / sizeof(table[0]))

static void param_is(const struct route_match *m, size_t i, const char *want)
{
    assert_true(i < m->nparams);
    assert_int_equal(m->params[i].n, strlen(want));
    assert_memory_equal(m->params[i].s, want, strlen(want));
}

static void test_literals_and_params(void **state)
{
    (void)state;
    struct route_match m;
    router_match(table, N, "GET", "/", &m);
    assert_ptr_equal(m.route, &table[0]);
    assert_int_equal(m.nparams, 0);

    router_match(table, N, "GET", "/works/new", &m);
    assert_ptr_equal(m.route, &table[1]); /* earlier literal wins over :id */

    router_match(table, N, "GET", "/works/42", &m);
    assert_ptr_equal(m.route, &table[3]);
    param_is(&m, 0, "42");

    router_match(table, N, "GET", "/works/42/chapters/7", &m);
    assert_ptr_equal(m.route, &table[4]);
    assert_int_equal(m.nparams, 2);
    param_is(&m, 0, "42");
    param_is(&m, 1, "7");

    router_match(table, N, "GET", "/works/a%2Fb/chapters/x", &m);
    param_is(&m, 0, "a%2Fb"); /* raw: decoding is the caller's */
}

static void test_trailing_slash_and_misses(void **state)
{
    (void)state;
    struct route_match m;
    router_match(table, N, "GET", "/works/42/", &m);
    assert_ptr_equal(m.route, &table[3]);
    router_match(table, N, "GET", "/works/42//", &m);
    assert_null(m.route);
    router_match(table, N, "GET", "//works/42", &m);
    assert_null(m.route);
    router_match(table, N, "GET", "/works/42/chapters", &m);
    assert_null(m.route);
    assert_int_equal(m.path_matched, 0);
    router_match(table, N, "GET", "/nothing", &m);
    assert_null(m.route);
    router_match(table, N, "GET", "works", &m);
    assert_null(m.route);
    router_match(table, N, "GET", "/works/42/chapters/7/extra", &m);
    assert_null(m.route);
}

static void test_methods(void **state)
{
    (void)state;
    struct route_match m;
    router_match(table, N, "HEAD", "/works/9", &m);
    assert_ptr_equal(m.route, &table[3]);

    router_match(table, N, "POST", "/works", &m);
    assert_ptr_equal(m.route, &table[2]);

    router_match(table, N, "DELETE", "/works/9", &m);
    assert_null(m.route);
    assert_int_equal(m.path_matched, 1);
    assert_string_equal(m.allow, "GET, HEAD");

    router_match(table, N, "PUT", "/works/9/chapters/3", &m);
    assert_null(m.route);
    assert_int_equal(m.path_matched, 1);
    assert_non_null(strstr(m.allow, "GET"));
    assert_non_null(strstr(m.allow, "POST"));

    router_match(table, N, "POST", "/works/9/chapters/3", &m);
    assert_ptr_equal(m.route, &table[5]);
    assert_int_equal(m.path_matched, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals_and_params),
        cmocka_unit_test(test_trailing_slash_and_misses),
        cmocka_unit_test(test_methods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
