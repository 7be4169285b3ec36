/* test_buf.c: the byte buffer and the escaping writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/html.h"

#include <stdlib.h>
#include <string.h>

static void test_put_and_printf(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_puts(&b, "abc");
    buf_printf(&b, "-%d-%s", 42, "x");
    assert_string_equal(buf_str(&b), "abc-42-x");
    assert_int_equal(b.len, 8);
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    buf_free(&b);
}

static void test_cap_is_sticky(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    buf_puts(&b, "12345");
    buf_puts(&b, "6789");
    assert_int_equal(b.err, FICD_ETOOBIG);
    buf_puts(&b, "a");
    assert_int_equal(b.len, 5);
    assert_null(buf_take(&b));
    buf_free(&b);
}

static void test_take(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    char *e = buf_take(&b);
    assert_string_equal(e, "");
    free(e);
    buf_puts(&b, "hello");
    char *s = buf_take(&b);
    assert_string_equal(s, "hello");
    assert_null(b.data);
    free(s);
}

static void test_escaping(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    html_lit(&b, "<p title=\"");
    html_attr(&b, "a\"b<c>&'");
    html_lit(&b, "\">");
    html_text(&b, "<script>alert(1)</script>");
    html_lit(&b, "</p>");
    assert_string_equal(buf_str(&b), "<p title=\"a&quot;b&lt;c&gt;&amp;&#39;\">"
                                     "&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    buf_reset(&b);
    html_url_path(&b, "Sakura/Gaara & co");
    assert_string_equal(buf_str(&b), "Sakura%2FGaara%20%26%20co");
    buf_reset(&b);
    html_url_arg(&b, "a b&c=d");
    assert_string_equal(buf_str(&b), "a+b%26c%3Dd");
    buf_reset(&b);
    html_paragraphs(&b, "one\ntwo\n\n<three>");
    assert_string_equal(buf_str(&b), "<p>one<br>two</p>\n<p>&lt;three&gt;</p>\n");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_and_printf),
        cmocka_unit_test(test_cap_is_sticky),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
