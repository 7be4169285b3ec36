/* test_dispatch.c: whole requests through web_dispatch against a real store in a temporary
 * data directory: first-run redirect, setup with CSRF, sessions, posting a hostile title,
 * reading it escaped, 404/405/403 pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
#include "web/server.h"
#include "web/session.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct web_config cfg;
static struct web_site site;
static struct store *st;
static char dir[64];
static char session[65]; /* the session token once signed in */
static char anon[65];    /* the anonymous CSRF cookie */

/* Runs one request; form is an urlencoded body (may be NULL). The caller frees r. */
static void run(struct web_req *r, const char *method, const char *path, const char *query,
                const char *form, int with_token)
{
    web_req_init(r, &cfg, &site);
    r->store = st;
    r->method = method;
    r->path = web_strdup(r, path);
    r->query = web_strdup(r, query ? query : "");
    snprintf(r->remote_ip, sizeof(r->remote_ip), "192.0.2.9");
    assert_int_equal(web_parse_urlencoded(&r->args, r->query, strlen(r->query)), 0);
    if (session[0])
        r->cookie_header = web_sprintf(r, "ficd_session=%s; ficd_csrf=%s", session, anon);
    else
        r->cookie_header = web_sprintf(r, "ficd_csrf=%s", anon);
    if (form)
        assert_int_equal(web_parse_urlencoded(&r->form, form, strlen(form)), 0);
    if (with_token) {
        char tok[65];
        csrf_token(site.secret, session[0] ? session : anon, tok);
        assert_int_equal(kvs_add(&r->form, CSRF_FIELD, tok, 64), 0);
    }
    web_dispatch(r);
}

static const char *resp_header(const struct web_req *r, const char *name)
{
    return kvs_get(&r->headers, name);
}

static int setup(void **state)
{
    (void)state;
    web_config_defaults(&cfg);
    randombytes_buf(site.secret, sizeof(site.secret));
    token_new(anon);
    snprintf(dir, sizeof(dir), "/tmp/ficd-test-web.XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(store_open(dir, &st), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void test_first_run_and_errors(void **state)
{
    (void)state;
    struct web_req r;
    run(&r, "GET", "/works", NULL, NULL, 0);
    assert_int_equal(r.status, 303);
    assert_string_equal(resp_header(&r, "Location"), "/setup");
    web_req_free(&r);

    run(&r, "GET", "/healthz", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    /* anonymous: only that it answers and the schema version (the figures are for admins) */
    char want[64];
    snprintf(want, sizeof(want), "ok\nschema %d\n", store_schema_version(st));
    assert_string_equal(buf_str(&r.out), want);
    assert_int_equal(r.personal, 1); /* never served from the page cache */
    web_req_free(&r);

    run(&r, "GET", "/no/such/page", NULL, NULL, 0);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(buf_str(&r.out), "<main id=\"main\""));
    web_req_free(&r);

    run(&r, "DELETE", "/works/1", NULL, NULL, 0);
    assert_int_equal(r.status, 405);
    assert_string_equal(resp_header(&r, "Allow"), "GET, HEAD");
    web_req_free(&r);

    run(&r, "POST", "/setup", NULL,
        "name=alice&password=passpass1&password_confirm=passpass1&archive_name=A&signup_mode=open",
        0);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(buf_str(&r.out), "Your session expired or the form is stale"));
    web_req_free(&r);
}

static void test_setup_post_and_read(void **state)
{
    (void)state;
    struct web_req r;
    run(&r, "POST", "/setup", NULL,
        "name=alice&password=passpass1&password_confirm=passpass1&archive_name=My+Archive"
        "&signup_mode=closed",
        1);
    assert_int_equal(r.status, 303);
    const char *cookie = resp_header(&r, "Set-Cookie");
    assert_non_null(cookie);
    assert_int_equal(strncmp(cookie, "ficd_session=", 13), 0);
    memcpy(session, cookie + 13, 64);
    session[64] = 0;
    assert_non_null(strstr(cookie, "HttpOnly; SameSite=Lax"));
    web_req_free(&r);

    /* the store keeps the token's hash, never the token */
    char h[65];
    int64_t uid = 0;
    token_hash(session, h);
    assert_int_equal(store_session_get(st, h, &uid), 0);
    assert_true(uid > 0);
    assert_int_equal(store_session_get(st, session, &uid), 0);
    assert_int_equal(uid, 0);

    run(&r, "GET", "/dashboard", NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_str(&r.out), "alice's Dashboard"));
    assert_non_null(strstr(buf_str(&r.out), "<title>Dashboard - My Archive</title>"));
    web_req_free(&r);

    run(&r, "POST", "/works", NULL,
        "title=%3Cscript%3Ealert(1)%3C%2Fscript%3E&pseud=alice&rating=1&warning=8"
        "&fandoms=F%3Cb%3E&chapter_text=Some+text+here.&format=html&commit=post",
        1);
    assert_int_equal(r.status, 303);
    char *loc = strdup(resp_header(&r, "Location"));
    web_req_free(&r);

    run(&r, "GET", loc, NULL, NULL, 0);
    assert_int_equal(r.status, 200);
    const char *page = buf_str(&r.out);
    assert_null(strstr(page, "<script>alert"));
    assert_null(strstr(page, "F<b>"));
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(page, "Some text here."));
    web_req_free(&r);

    /* missing values: 422, the form keeps what was typed */
    run(&r, "POST", "/works", NULL, "title=Kept+Title&pseud=alice&rating=1&chapter_text=x", 1);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(buf_str(&r.out), "value=\"Kept Title\""));
    assert_non_null(strstr(buf_str(&r.out), "Add at least one fandom."));
    assert_non_null(strstr(buf_str(&r.out), "archive warning"));
    web_req_free(&r);

    /* someone else's pseud */
    run(&r, "POST", "/works", NULL,
        "title=T&pseud=mallory&rating=1&warning=8&fandoms=F&chapter_text=x&format=html", 1);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(buf_str(&r.out), "You cannot post as"));
    web_req_free(&r);

    /* logged out: anonymous again, sign-up is closed */
    run(&r, "POST", "/logout", NULL, NULL, 1);
    assert_int_equal(r.status, 303);
    web_req_free(&r);
    session[0] = 0;
    run(&r, "GET", "/signup", NULL, NULL, 0);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(buf_str(&r.out), "Sign-up is closed"));
    web_req_free(&r);
    run(&r, "GET", "/works/new", NULL, NULL, 0);
    assert_int_equal(r.status, 303);
    assert_string_equal(resp_header(&r, "Location"), "/login?return_to=%2Fworks%2Fnew");
    web_req_free(&r);
    free(loc);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_run_and_errors),
        cmocka_unit_test(test_setup_post_and_read),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
