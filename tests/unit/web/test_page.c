/* test_page.c: rendering without a store: hostile text in every field of a work comes out
 * escaped in blurbs, prefaces and work pages; pagination math and links; tag URL segments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/page.h"
#include "web/session.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define EVIL "<script>alert(1)</script>"

static struct web_config cfg;
static struct web_site site;

static void req(struct web_req *r)
{
    web_config_defaults(&cfg);
    memset(site.secret, 3, sizeof(site.secret));
    web_req_init(r, &cfg, &site);
    r->archive_name = web_strdup(r, "Arch<ive>");
}

/* A work whose every text field is hostile. */
static void evil_work(struct work *w)
{
    work_init(w);
    w->id = 7;
    w->title = strdup(EVIL);
    w->summary = strdup("sum " EVIL "\n\nsecond \" ' &");
    w->notes_begin = strdup(EVIL);
    w->notes_end = strdup(EVIL);
    w->language = strdup(EVIL);
    w->rating = RATING_TEEN;
    w->warnings = WARN_NONE;
    w->categories = CAT_GEN | CAT_FF;
    assert_int_equal(strlist_add(&w->creators, EVIL), 0);
    assert_int_equal(strlist_add(&w->fandoms, "A/B & C. " EVIL), 0);
    assert_int_equal(strlist_add(&w->relationships, EVIL), 0);
    assert_int_equal(strlist_add(&w->characters, "\"onmouseover=alert(1)"), 0);
    assert_int_equal(strlist_add(&w->freeforms, EVIL), 0);
    for (int i = 0; i < 2; i++) {
        struct chapter *c = work_add_chapter(w);
        assert_non_null(c);
        c->id = 100 + i;
        c->title = strdup(EVIL);
        c->summary = strdup(EVIL);
        c->html = strdup("<p>safe body</p>");
        c->words = 2;
    }
    w->expected_chapters = 0;
    w->published = 86400 * 365;
    w->updated = 86400 * 400;
}

static void assert_clean(const char *html)
{
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "\"onmouseover"));
    assert_null(strstr(html, "Arch<ive>"));
}

static void test_blurb_escapes(void **state)
{
    (void)state;
    struct web_req r;
    req(&r);
    struct work w;
    evil_work(&w);
    page_work_blurb(&r, &w);
    const char *s = buf_str(&r.out);
    assert_clean(s);
    assert_non_null(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(s, "href=\"/works/7\""));
    assert_non_null(strstr(s, "<dd>2/?</dd>"));
    assert_non_null(strstr(s, "Teen And Up Audiences"));
    /* the fandom's URL uses AO3's *s*, *a*, *d* and percent-encoding */
    assert_non_null(
        strstr(s, "/tags/A*s*B%20*a*%20C*d*%20%3Cscript%3Ealert%281%29%3C*s*script%3E/works"));
    work_free(&w);
    web_req_free(&r);
}

static void test_restricted_blurb_hides_everything(void **state)
{
    (void)state;
    struct web_req r;
    req(&r);
    struct work w;
    evil_work(&w);
    free(w.title);
    w.title = strdup("Secret Title");
    w.restricted = 1;
    page_work_blurb(&r, &w);
    assert_null(strstr(buf_str(&r.out), "Secret Title"));
    assert_non_null(strstr(buf_str(&r.out), "registered users"));
    buf_reset(&r.out);
    r.user.id = 5; /* signed in: shown */
    page_work_blurb(&r, &w);
    assert_non_null(strstr(buf_str(&r.out), "Secret Title"));
    r.user.id = 0;
    work_free(&w);
    web_req_free(&r);
}

static void test_work_page_escapes(void **state)
{
    (void)state;
    struct web_req r;
    req(&r);
    struct work w;
    evil_work(&w);
    page_begin(&r, w.title);
    page_work_body(&r, &w, 0, 0);
    page_end(&r);
    const char *s = buf_str(&r.out);
    assert_clean(s);
    assert_non_null(strstr(s, "<title>&lt;script&gt;alert(1)&lt;/script&gt; - Arch&lt;ive&gt;"
                              "</title>"));
    assert_non_null(strstr(s, "<html lang=\"en\">"));
    assert_non_null(strstr(s, "<main id=\"main\""));
    assert_non_null(strstr(s, "<p>safe body</p>"));    /* sanitized body kept */
    assert_non_null(strstr(s, "id=\"next-chapter\"")); /* chapter 1 of 2 */
    assert_null(strstr(s, "id=\"prev-chapter\""));
    assert_non_null(strstr(s, "?view_full_work=true"));
    assert_non_null(strstr(s, "/downloads/7/"));
    assert_non_null(strstr(s, "<dd class=\"chapters\">2/?</dd>"));
    assert_null(strstr(s, "style=")); /* CSP: no inline styles */
    assert_null(strstr(s, "<script>"));
    assert_null(strstr(s, "id=\"edit-work\"")); /* anonymous: no owner actions */
    buf_reset(&r.out);
    /* the owner sees the actions; whole-work view shows both chapters */
    r.user.id = 9;
    w.user_id = 9;
    page_work_body(&r, &w, -1, 0);
    s = buf_str(&r.out);
    assert_non_null(strstr(s, "id=\"edit-work\""));
    assert_non_null(strstr(s, "id=\"chapter-1\""));
    assert_non_null(strstr(s, "id=\"chapter-2\""));
    assert_clean(s);
    r.user.id = 0;
    work_free(&w);
    web_req_free(&r);
}

static void test_error_page(void **state)
{
    (void)state;
    struct web_req r;
    req(&r);
    assert_int_equal(ui_error(&r, 404, "No work " EVIL), 404);
    const char *s = buf_str(&r.out);
    assert_clean(s);
    assert_non_null(strstr(s, "404 Page Not Found"));
    assert_non_null(strstr(s, "No work &lt;script&gt;"));
    web_req_free(&r);
}

static void test_pagination(void **state)
{
    (void)state;
    assert_int_equal(page_count(0, 20), 1);
    assert_int_equal(page_count(1, 20), 1);
    assert_int_equal(page_count(20, 20), 1);
    assert_int_equal(page_count(21, 20), 2);
    assert_int_equal(page_count(1000, 20), 50);
    assert_int_equal(page_offset(1, 20), 0);
    assert_int_equal(page_offset(3, 20), 40);
    assert_int_equal(page_parse(NULL), 1);
    assert_int_equal(page_parse("7"), 7);
    assert_int_equal(page_parse("0"), -1);
    assert_int_equal(page_parse("-1"), -1);
    assert_int_equal(page_parse("2x"), -1);
    assert_int_equal(page_parse(""), -1);
    assert_int_equal(page_parse("99999999999"), -1);

    struct web_req r;
    req(&r);
    page_pagination(&r, "/works", 1, 1);
    assert_int_equal(r.out.len, 0); /* one page: no navigation */
    page_pagination(&r, "/tags/A*s*B/works", 5, 10);
    const char *s = buf_str(&r.out);
    assert_non_null(strstr(s, "href=\"/tags/A*s*B/works?page=4\" rel=\"prev\""));
    assert_non_null(strstr(s, "href=\"/tags/A*s*B/works?page=6\" rel=\"next\""));
    assert_non_null(strstr(s, "<span aria-current=\"page\">5</span>"));
    assert_non_null(strstr(s, "?page=1\""));
    assert_non_null(strstr(s, "?page=10\""));
    assert_null(strstr(s, "?page=2\"")); /* outside the window: a gap instead */
    assert_non_null(strstr(s, "&hellip;"));
    web_req_free(&r);
}

static void test_tag_segments(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    page_tag_segment(&b, "Harry/Draco & Co. #1?");
    assert_string_equal(buf_str(&b), "Harry*s*Draco%20*a*%20Co*d*%20*h*1*q*");
    buf_free(&b);
    char name[] = "Harry*s*Draco *a* Co*d* *h*1*q* *x*";
    page_tag_unsegment(name);
    assert_string_equal(name, "Harry/Draco & Co. #1? *x*");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blurb_escapes),
        cmocka_unit_test(test_restricted_blurb_hides_everything),
        cmocka_unit_test(test_work_page_escapes),
        cmocka_unit_test(test_error_page),
        cmocka_unit_test(test_pagination),
        cmocka_unit_test(test_tag_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
