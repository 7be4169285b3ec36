/* test_wrangle.c: tag pages and wrangling through web_dispatch against a real store and a
 * real index: who may wrangle (login redirect, 403, CSRF), canonical/merge/parent/meta forms,
 * refusals shown on the form (422, escaped), the tag page's links and counts, the queue, and
 * the index following each change before the redirect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/index.h"
#include "store/store.h"
#include "web/server.h"
#include "web/session.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct web_config cfg;
static struct web_site site;
static struct store *st;
static char dir[64];
static char anon[65];
static char tok_admin[65], tok_wrangler[65], tok_user[65];
static const char *session; /* the session token of the current visitor, NULL: anonymous */

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
    if (session)
        r->cookie_header = web_sprintf(r, "ficd_session=%s; ficd_csrf=%s", session, anon);
    else
        r->cookie_header = web_sprintf(r, "ficd_csrf=%s", anon);
    if (form)
        assert_int_equal(web_parse_urlencoded(&r->form, form, strlen(form)), 0);
    if (with_token) {
        char tok[65];
        csrf_token(site.secret, session ? session : anon, tok);
        assert_int_equal(kvs_add(&r->form, CSRF_FIELD, tok, 64), 0);
    }
    web_dispatch(r);
}

/* Runs a request and checks its status; returns a copy of the body (free it). */
static char *expect(int status, const char *method, const char *path, const char *query,
                    const char *form, int with_token)
{
    struct web_req r;
    run(&r, method, path, query, form, with_token);
    if (r.status != status)
        fprintf(stderr, "%s %s: %d\n%s\n", method, path, r.status, buf_str(&r.out));
    assert_int_equal(r.status, status);
    char *body = strdup(buf_str(&r.out));
    if (status == 303) {
        free(body);
        body = strdup(kvs_get(&r.headers, "Location"));
    }
    web_req_free(&r);
    assert_non_null(body);
    return body;
}

static void user(const char *name, enum user_role role, char tok[65])
{
    struct user u = {.name = (char *)name, .role = role};
    assert_int_equal(store_user_create(st, &u), 0);
    assert_int_equal(store_user_set_role(st, u.id, role), 0);
    char h[65];
    token_new(tok);
    token_hash(tok, h);
    assert_int_equal(store_session_create(st, h, u.id, (int64_t)time(NULL) + 3600), 0);
}

static void work(const char *character, const char *freeform)
{
    struct work w;
    work_init(&w);
    w.title = strdup("A Work");
    strlist_add(&w.creators, "ann");
    strlist_add(&w.fandoms, "Naruto");
    strlist_add(&w.characters, character);
    strlist_add(&w.freeforms, freeform);
    w.rating = RATING_GENERAL;
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup("<p>Words.</p>");
    c->words = 1;
    assert_int_equal(store_work_insert(st, &w), 0);
    assert_int_equal(store_work_publish(st, w.id), 0);
    work_free(&w);
}

static uint64_t search_total(const char *tag)
{
    struct idx_query q = {.tags = &tag, .ntags = 1, .facet_limit = -1};
    struct idx_result res;
    assert_int_equal(idx_search(site.idx, &q, &res), 0);
    uint64_t n = res.total;
    idx_result_free(&res);
    return n;
}

static int setup(void **state)
{
    (void)state;
    web_config_defaults(&cfg);
    randombytes_buf(site.secret, sizeof(site.secret));
    token_new(anon);
    snprintf(dir, sizeof(dir), "/tmp/ficd-test-wrangle.XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(store_open(dir, &st), 0);
    user("admin", ROLE_ADMIN, tok_admin);
    user("wrangler", ROLE_WRANGLER, tok_wrangler);
    user("reader", ROLE_USER, tok_user);
    web_setup_done();
    work("Sakura Haruno", "Angst");
    work("Haruno Sakura", "Emotional Hurt");
    work("<b>Hinata</b> & co", "Fluff");
    assert_int_equal(idx_new(0, &site.idx), 0);
    assert_int_equal(idx_build(site.idx, st, 0), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    idx_free(site.idx);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void test_access(void **state)
{
    (void)state;
    session = NULL;
    char *b = expect(303, "GET", "/tags/Angst/edit", NULL, NULL, 0);
    assert_non_null(strstr(b, "/login?return_to="));
    free(b);
    free(expect(303, "GET", "/tag_wranglings", NULL, NULL, 0));
    free(expect(303, "POST", "/tags/Angst/edit", NULL, "action=canonical&canonical=1", 1));
    session = tok_user;
    free(expect(403, "GET", "/tags/Angst/edit", NULL, NULL, 0));
    free(expect(403, "GET", "/tag_wranglings", NULL, NULL, 0));
    free(expect(403, "POST", "/tags/Angst/edit", NULL, "action=canonical&canonical=1", 1));
    /* the tag page is public, without the edit link */
    b = expect(200, "GET", "/tags/Angst", NULL, NULL, 0);
    assert_null(strstr(b, "tag-edit"));
    free(b);
    session = tok_wrangler;
    free(expect(403, "POST", "/tags/Angst/edit", NULL, "action=canonical&canonical=1", 0));
    struct tag t;
    assert_int_equal(store_tag_find(st, TAG_FREEFORM, "Angst", &t), 0);
    assert_int_equal(t.canonical, 0); /* nothing changed */
    tag_free(&t);
    free(expect(200, "GET", "/tags/Angst/edit", NULL, NULL, 0));
    session = tok_admin;
    free(expect(200, "GET", "/tags/Angst/edit", "type=freeform", NULL, 0));
    free(expect(404, "GET", "/tags/Nobody/edit", NULL, NULL, 0));
    free(expect(400, "GET", "/tags/Angst/edit", "type=rating", NULL, 0));
}

static void test_merge_and_tag_page(void **state)
{
    (void)state;
    session = tok_wrangler;
    char *b = expect(303, "POST", "/tags/Sakura%20Haruno/edit", "type=character",
                     "action=canonical&canonical=1", 1);
    assert_string_equal(b, "/tags/Sakura%20Haruno/edit?type=character&done=1");
    free(b);
    assert_int_equal(search_total("Sakura Haruno"), 1);
    free(expect(303, "POST", "/tags/Haruno%20Sakura/edit", "type=character",
                "action=synonym&synonym_of=+sakura+haruno+", 1));
    /* the index followed the change log before the redirect */
    assert_int_equal(search_total("Sakura Haruno"), 2);
    assert_int_equal(search_total("Haruno Sakura"), 2);

    b = expect(200, "GET", "/tags/Sakura%20Haruno", NULL, NULL, 0);
    assert_non_null(strstr(b, "is <strong>canonical</strong>"));
    assert_non_null(strstr(b, "2 works"));
    assert_non_null(strstr(b, "id=\"tag-synonyms\""));
    assert_non_null(strstr(b, "href=\"/tags/Haruno%20Sakura?type=character\">Haruno Sakura</a>"));
    assert_non_null(strstr(b, "id=\"tag-edit\""));
    free(b);
    b = expect(200, "GET", "/tags/Haruno%20Sakura", NULL, NULL, 0);
    assert_non_null(strstr(b, "is a <strong>synonym</strong> of"));
    free(b);

    /* refusals come back on the form, escaped, and change nothing */
    b = expect(422, "POST", "/tags/Haruno%20Sakura/edit", "type=character",
               "action=synonym&synonym_of=%3Cscript%3E", 1);
    assert_non_null(strstr(b, "There is no character tag named &quot;&lt;script&gt;&quot;"));
    assert_null(strstr(b, "<script>"));
    free(b);
    b = expect(422, "POST", "/tags/Sakura%20Haruno/edit", "type=character", "action=canonical", 1);
    assert_non_null(strstr(b, "has synonyms"));
    free(b);
    b = expect(422, "POST", "/tags/Sakura%20Haruno/edit", "type=character",
               "action=add_parent&parent=Naruto", 1);
    assert_non_null(strstr(b, "is not canonical"));
    free(b);
    free(expect(422, "POST", "/tags/Sakura%20Haruno/edit", NULL, "action=frobnicate", 1));

    /* parents */
    free(expect(303, "POST", "/tags/Naruto/edit", NULL, "action=canonical&canonical=1", 1));
    free(expect(303, "POST", "/tags/Sakura%20Haruno/edit", NULL, "action=add_parent&parent=naruto",
                1));
    b = expect(200, "GET", "/tags/Naruto", NULL, NULL, 0);
    assert_non_null(strstr(b, "id=\"tag-children\""));
    assert_non_null(strstr(b, "<h3>Characters</h3>"));
    assert_non_null(strstr(b, ">Sakura Haruno</a>"));
    free(b);
    b = expect(200, "GET", "/tags/Sakura%20Haruno/edit", NULL, NULL, 0);
    assert_non_null(strstr(b, "name=\"action\" value=\"remove_parent\""));
    free(b);
    free(expect(303, "POST", "/tags/Sakura%20Haruno/edit", NULL,
                "action=remove_parent&other=Naruto", 1));
    b = expect(200, "GET", "/tags/Sakura%20Haruno", NULL, NULL, 0);
    assert_null(strstr(b, ">Naruto</a></li>"));
    free(b);
}

static void test_meta_and_queue(void **state)
{
    (void)state;
    session = tok_admin;
    char *b = expect(200, "GET", "/tag_wranglings", NULL, NULL, 0);
    assert_non_null(strstr(b, "id=\"unwrangled\""));
    assert_non_null(strstr(b, ">Angst</a>"));
    assert_non_null(strstr(b, "&lt;b&gt;Hinata&lt;/b&gt; &amp; co"));
    free(b);
    free(expect(400, "GET", "/tag_wranglings", "type=warning", NULL, 0));

    free(expect(303, "POST", "/tags/Angst/edit", NULL, "action=canonical&canonical=1", 1));
    free(expect(303, "POST", "/tags/Emotional%20Hurt/edit", NULL, "action=canonical&canonical=1",
                1));
    assert_int_equal(search_total("Angst"), 1);
    free(expect(303, "POST", "/tags/Angst/edit", NULL, "action=add_sub&sub=Emotional+Hurt", 1));
    assert_int_equal(search_total("Angst"), 2);
    b = expect(422, "POST", "/tags/Angst/edit", NULL, "action=add_meta&meta=Emotional+Hurt", 1);
    assert_non_null(strstr(b, "cycle"));
    free(b);
    b = expect(200, "GET", "/tags/Emotional%20Hurt", NULL, NULL, 0);
    assert_non_null(strstr(b, "id=\"tag-metas\""));
    assert_non_null(strstr(b, ">Angst</a>"));
    free(b);
    b = expect(200, "GET", "/tag_wranglings", "type=freeform", NULL, 0);
    assert_null(strstr(b, ">Angst</a>"));
    assert_non_null(strstr(b, ">Fluff</a>"));
    free(b);
    free(expect(303, "POST", "/tags/Emotional%20Hurt/edit", NULL, "action=remove_meta&other=Angst",
                1));
    assert_int_equal(search_total("Angst"), 1);
    /* the hostile tag name round-trips through the tag page safely */
    b = expect(200, "GET", "/tags/%3Cb%3EHinata%3C*s*b%3E%20*a*%20co", NULL, NULL, 0);
    assert_non_null(strstr(b, "&lt;b&gt;Hinata&lt;/b&gt; &amp; co"));
    assert_null(strstr(b, "<b>Hinata"));
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_access),
        cmocka_unit_test(test_merge_and_tag_page),
        cmocka_unit_test(test_meta_and_queue),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
