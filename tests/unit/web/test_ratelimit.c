/* test_ratelimit.c: the shared rate limiter: categories by path (also for routes other
 * branches add), limit parsing and settings, per-address and per-account buckets through
 * web_dispatch (429 page with Retry-After), the handler test, and many threads at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
#include "web/config.h"
#include "web/ratelimit.h"
#include "web/server.h"
#include "web/session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void test_classify(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        enum rl_category c;
    } cases[] = {
        {"/signup", RL_SIGNUP},
        {"/login", RL_LOGIN},
        {"/works", RL_POST},
        {"/works/import", RL_POST},
        {"/works/12/edit", RL_POST},
        {"/works/12/chapters/new", RL_POST},
        {"/works/12/chapters/3/edit", RL_POST},
        {"/works/12/delete", RL_POST},
        {"/works/12/comments", RL_COMMENT},
        {"/works/12/chapters/3/comments", RL_COMMENT},
        {"/comments/5/comments", RL_COMMENT},
        {"/comments/5/edit", RL_COMMENT},
        {"/comments/5/delete", RL_COMMENT},
        {"/works/12/kudos", RL_KUDOS},
        {"/works/12/report", RL_REPORT},
        {"/comments/5/report", RL_REPORT},
        {"/users/alice/report", RL_REPORT},
        {"/works/12/bookmarks", RL_BOOKMARK},
        {"/bookmarks/7/edit", RL_BOOKMARK},
        {"/works/12/mark_for_later", RL_BOOKMARK},
        {"/series/3/subscription/delete", RL_SUBSCRIPTION},
        {"/works/12/co_creator", RL_POST},
        {"/works/12/subscriptions", RL_SUBSCRIPTION},
        {"/users/alice/subscribe", RL_SUBSCRIPTION},
        {"/settings/password", RL_OTHER},
        {"/logout", RL_OTHER},
        {"/tags/Foo/edit", RL_OTHER},
        {"/signup/extra", RL_OTHER},
        {"/", RL_OTHER},
        {"", RL_OTHER},
        {"//works//1//kudos", RL_KUDOS},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (ratelimit_classify(cases[i].path) != cases[i].c)
            fail_msg("%s: got %s", cases[i].path,
                     ratelimit_category_name(ratelimit_classify(cases[i].path)));
    }
    assert_int_equal(ratelimit_classify(NULL), RL_OTHER);
}

static void test_parse(void **state)
{
    (void)state;
    struct rl_limit l;
    assert_int_equal(ratelimit_parse("30/600", &l), 0);
    assert_int_equal(l.count, 30);
    assert_int_equal(l.window, 600);
    assert_int_equal(ratelimit_parse("5/10m", &l), 0);
    assert_int_equal(l.window, 600);
    assert_int_equal(ratelimit_parse("5/2h", &l), 0);
    assert_int_equal(l.window, 7200);
    assert_int_equal(ratelimit_parse("1/1d", &l), 0);
    assert_int_equal(l.window, 86400);
    assert_int_equal(ratelimit_parse("0", &l), 0);
    assert_int_equal(l.count, 0);
    const char *bad[] = {"", "x", "5", "5/", "5/0", "-1/5", "5/5x", "5/-1", "5/99999d", NULL};
    for (size_t i = 0; bad[i]; i++)
        if (ratelimit_parse(bad[i], &l) == 0)
            fail_msg("'%s' was accepted", bad[i]);
}

static void test_config_keys(void **state)
{
    (void)state;
    struct web_config c;
    web_config_defaults(&c);
    assert_int_equal(c.rate[RL_COMMENT].count, ratelimit_default(RL_COMMENT).count);
    char err[256];
    assert_int_equal(web_config_set(&c, "rate_comment", "3/60", err, sizeof(err)), 0);
    assert_int_equal(c.rate[RL_COMMENT].count, 3);
    assert_int_equal(c.rate[RL_COMMENT].window, 60);
    assert_int_equal(web_config_set(&c, "rate_kudos", "0", err, sizeof(err)), 0);
    assert_int_equal(c.rate[RL_KUDOS].count, 0);
    assert_int_not_equal(web_config_set(&c, "rate_comment", "lots", err, sizeof(err)), 0);
    assert_non_null(strstr(err, "rate_comment"));
    assert_int_not_equal(web_config_set(&c, "rate_nothing", "1/1", err, sizeof(err)), 0);
    /* every category has its key, so FICD_RATE_<CATEGORY> exists for each */
    for (int i = 0; i < RL_NCATEGORIES; i++) {
        char key[64];
        snprintf(key, sizeof(key), "rate_%s", ratelimit_category_name((enum rl_category)i));
        int found = 0;
        for (const char *const *k = web_config_keys; *k; k++)
            found |= !strcmp(*k, key);
        if (!found)
            fail_msg("%s is not a config key", key);
    }
}

/* The login limiter's behaviour (failures per key within a window) is unchanged. */
static void test_counters(void **state)
{
    (void)state;
    const char *k = "ip:198.51.100.1";
    ratelimit_clear(NULL, k);
    int64_t t = 5000;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ratelimit_check(NULL, k, t, 3, 60), 0);
        ratelimit_fail(NULL, k, t, 60);
    }
    assert_int_equal(ratelimit_check(NULL, k, t + 10, 3, 60), 50);
    assert_int_equal(ratelimit_check(NULL, k, t + 60, 3, 60), 0);
    ratelimit_reset_all(NULL);
    assert_int_equal(ratelimit_check(NULL, k, t + 10, 1, 60), 0);
}

/* ---- requests through the real dispatch ---- */

static struct web_config cfg;
static struct web_site site;
static struct store *st;
static char dir[64];

static int setup(void **state)
{
    (void)state;
    web_config_defaults(&cfg);
    snprintf(dir, sizeof(dir), "/tmp/ficd-test-rl.XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(store_open(dir, &st), 0);
    memset(&site, 0, sizeof(site));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void post(struct web_req *r, const char *path, const char *ip, int64_t user_id)
{
    web_req_init(r, &cfg, &site);
    r->store = st;
    r->method = "POST";
    r->path = web_strdup(r, path);
    r->query = web_strdup(r, "");
    snprintf(r->remote_ip, sizeof(r->remote_ip), "%s", ip);
    r->user.id = user_id;
}

static void test_request_limits(void **state)
{
    (void)state;
    ratelimit_reset_all(st);
    cfg.rate[RL_KUDOS].count = 2;
    cfg.rate[RL_KUDOS].window = 60;
    int64_t now = 1000000;
    struct web_req r;
    /* per address: two kudos, then refused; other categories and addresses unaffected */
    for (int i = 0; i < 2; i++) {
        post(&r, "/works/1/kudos", "192.0.2.1", 0);
        assert_int_equal(ratelimit_request(&r, RL_KUDOS, now), 0);
        assert_int_equal(ratelimit_test(&r, RL_KUDOS), 0);
        web_req_free(&r);
    }
    post(&r, "/works/1/kudos", "192.0.2.1", 0);
    assert_int_equal(ratelimit_request(&r, RL_KUDOS, now + 5), 55);
    web_req_free(&r);
    post(&r, "/works/1/kudos", "192.0.2.2", 0);
    assert_int_equal(ratelimit_request(&r, RL_KUDOS, now + 5), 0);
    web_req_free(&r);
    post(&r, "/works", "192.0.2.1", 0);
    assert_int_equal(ratelimit_request(&r, RL_POST, now + 5), 0);
    web_req_free(&r);

    /* per account: the same account from a new address is still limited */
    for (int i = 0; i < 2; i++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "203.0.113.%d", i + 1);
        post(&r, "/works/1/kudos", ip, 42);
        assert_int_equal(ratelimit_request(&r, RL_KUDOS, now), 0);
        web_req_free(&r);
    }
    post(&r, "/works/1/kudos", "203.0.113.99", 42);
    assert_true(ratelimit_request(&r, RL_KUDOS, now) > 0);
    web_req_free(&r);

    /* IPv6 addresses share a bucket per /64 */
    for (int i = 0; i < 2; i++) {
        post(&r, "/works/1/kudos", i ? "2001:db8::2" : "2001:db8::1", 0);
        assert_int_equal(ratelimit_request(&r, RL_KUDOS, now), 0);
        web_req_free(&r);
    }
    post(&r, "/works/1/kudos", "2001:db8::ffff:1", 0);
    assert_true(ratelimit_request(&r, RL_KUDOS, now) > 0);
    web_req_free(&r);
    post(&r, "/works/1/kudos", "2001:db8:0:1::1", 0);
    assert_int_equal(ratelimit_request(&r, RL_KUDOS, now), 0);
    web_req_free(&r);

    /* a limit of 0 turns the category off */
    cfg.rate[RL_KUDOS].count = 0;
    post(&r, "/works/1/kudos", "192.0.2.1", 0);
    assert_int_equal(ratelimit_request(&r, RL_KUDOS, now + 5), 0);
    web_req_free(&r);
    cfg.rate[RL_KUDOS] = ratelimit_default(RL_KUDOS);
}

/* Guest comments over the limit reach the handler, which learns it from ratelimit_test. */
static void test_guest_comment_soft(void **state)
{
    (void)state;
    ratelimit_reset_all(st);
    cfg.rate[RL_COMMENT].count = 2;
    cfg.rate[RL_COMMENT].window = 600;
    int64_t now = (int64_t)time(NULL);
    struct web_req r;
    for (int i = 0; i < 8; i++) {
        post(&r, "/works/1/comments", "192.0.2.50", 0);
        assert_int_equal(ratelimit_request(&r, RL_COMMENT, now), 0);
        if (i < 2)
            assert_int_equal(ratelimit_test(&r, RL_COMMENT), 0);
        else
            assert_true(ratelimit_test(&r, RL_COMMENT) > 0);
        web_req_free(&r);
    }
    post(&r, "/works/1/comments", "192.0.2.50", 0);
    assert_true(ratelimit_request(&r, RL_COMMENT, now) > 0); /* 4 x the limit: refused */
    web_req_free(&r);
    /* a signed-in commenter is refused at the limit itself */
    for (int i = 0; i < 2; i++) {
        post(&r, "/works/1/comments", "192.0.2.51", 7);
        assert_int_equal(ratelimit_request(&r, RL_COMMENT, now), 0);
        web_req_free(&r);
    }
    post(&r, "/works/1/comments", "192.0.2.52", 7);
    assert_true(ratelimit_request(&r, RL_COMMENT, now) > 0);
    web_req_free(&r);
    cfg.rate[RL_COMMENT] = ratelimit_default(RL_COMMENT);
}

/* web_dispatch answers 429 in the layout with Retry-After for any POST over its limit. */
static void test_dispatch_429(void **state)
{
    (void)state;
    ratelimit_reset_all(st);
    cfg.rate[RL_OTHER].count = 1;
    cfg.rate[RL_OTHER].window = 3600;
    struct web_req r;
    post(&r, "/settings/password", "192.0.2.77", 0);
    web_dispatch(&r);
    assert_int_not_equal(r.status, 429); /* the first goes through (to the setup redirect) */
    web_req_free(&r);
    post(&r, "/settings/password", "192.0.2.77", 0);
    web_dispatch(&r);
    assert_int_equal(r.status, 429);
    const char *ra = kvs_get(&r.headers, "Retry-After");
    assert_non_null(ra);
    assert_true(atoi(ra) > 3500 && atoi(ra) <= 3600);
    const char *body = buf_str(&r.out);
    assert_non_null(strstr(body, "<html"));
    assert_non_null(strstr(body, "Try again in 60 minutes"));
    assert_non_null(strstr(body, "UTC"));
    web_req_free(&r);
    /* every POST route is limited by its path's category: the work form */
    cfg.rate[RL_POST].count = 1;
    post(&r, "/works/1/edit", "192.0.2.77", 0);
    web_dispatch(&r);
    assert_int_not_equal(r.status, 429);
    web_req_free(&r);
    post(&r, "/works/1/edit", "192.0.2.77", 0);
    web_dispatch(&r);
    assert_int_equal(r.status, 429);
    assert_non_null(strstr(buf_str(&r.out), "posted too often"));
    web_req_free(&r);
    cfg.rate[RL_OTHER] = ratelimit_default(RL_OTHER);
    cfg.rate[RL_POST] = ratelimit_default(RL_POST);
}

/* Many connections to one store (as many nodes would have) counting one key: exactly the
 * limit gets through. */
static struct web_config tcfg;
static _Atomic int passed;

static void *hammer(void *arg)
{
    (void)arg;
    struct store *ts = NULL;
    if (store_open(dir, &ts))
        return NULL;
    for (int i = 0; i < 150; i++) {
        struct web_req r;
        web_req_init(&r, &tcfg, &site);
        r.store = ts;
        r.method = "POST";
        snprintf(r.remote_ip, sizeof(r.remote_ip), "192.0.2.200");
        if (ratelimit_request(&r, RL_POST, 77777) == 0)
            passed++;
        web_req_free(&r);
    }
    store_close(ts);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    ratelimit_reset_all(st);
    web_config_defaults(&tcfg);
    tcfg.rate[RL_POST].count = 500;
    tcfg.rate[RL_POST].window = 60;
    pthread_t t[6];
    for (int i = 0; i < 6; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < 6; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(passed, 500);
    /* the counter is in the store: another connection sees the window full */
    assert_true(ratelimit_check(st, "rl:post:ip:192.0.2.200", 77777 + 10, 500, 60) > 0);
    ratelimit_clear(st, "rl:post:ip:192.0.2.200");
    assert_int_equal(ratelimit_check(st, "rl:post:ip:192.0.2.200", 77777 + 10, 500, 60), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),       cmocka_unit_test(test_parse),
        cmocka_unit_test(test_config_keys),    cmocka_unit_test(test_counters),
        cmocka_unit_test(test_request_limits), cmocka_unit_test(test_guest_comment_soft),
        cmocka_unit_test(test_dispatch_429),   cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
