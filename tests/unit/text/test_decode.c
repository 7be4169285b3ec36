/* test_decode.c: decode_text: encodings, BOMs, line ends, controls, binary and empty input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "text/decode.h"

#include <stdlib.h>
#include <string.h>

/* Decodes n bytes, expecting success; returns the text (caller frees) and the encoding. */
static char *ok(const char *in, size_t n, const char **enc)
{
    char *out = NULL;
    size_t len = 0;
    struct text_err e = {0, ""};
    int rc = decode_text((const unsigned char *)in, n, &out, &len, enc, &e);
    assert_int_equal(rc, 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

static int bad(const char *in, size_t n, struct text_err *e)
{
    char *out = (char *)1;
    size_t len = 7;
    memset(e, 0, sizeof(*e));
    int rc = decode_text((const unsigned char *)in, n, &out, &len, NULL, e);
    assert_null(out);
    assert_true(e->msg[0] != '\0');
    return rc;
}

static void test_utf8_plain_and_bom(void **state)
{
    (void)state;
    const char *enc = NULL;
    char *s = ok("caf\xC3\xA9 \xE2\x80\x94 ok\n", 13, &enc);
    assert_string_equal(s, "caf\xC3\xA9 \xE2\x80\x94 ok\n");
    assert_string_equal(enc, "UTF-8");
    free(s);
    s = ok("\xEF\xBB\xBFHello", 8, &enc);
    assert_string_equal(s, "Hello");
    free(s);
}

static void test_line_ends(void **state)
{
    (void)state;
    const char in[] = "one\r\ntwo\rthree\n\rfour";
    char *s = ok(in, sizeof(in) - 1, NULL);
    assert_string_equal(s, "one\ntwo\nthree\n\nfour");
    free(s);
}

static void test_utf16le_bom(void **state)
{
    (void)state;
    /* "Hi é\r\n" plus U+1F600 as a surrogate pair */
    const char in[] = "\xFF\xFEH\0i\0 \0\xE9\0\r\0\n\0\x3D\xD8\x00\xDE";
    const char *enc = NULL;
    char *s = ok(in, sizeof(in) - 1, &enc);
    assert_string_equal(s, "Hi \xC3\xA9\n\xF0\x9F\x98\x80");
    assert_string_equal(enc, "UTF-16LE");
    free(s);
}

static void test_utf16be_bom(void **state)
{
    (void)state;
    const char in[] = "\xFE\xFF\0A\x20\x14\0B";
    const char *enc = NULL;
    char *s = ok(in, sizeof(in) - 1, &enc);
    assert_string_equal(s, "A\xE2\x80\x94"
                           "B");
    assert_string_equal(enc, "UTF-16BE");
    free(s);
}

static void test_utf16_lone_surrogate(void **state)
{
    (void)state;
    struct text_err e;
    const char in[] = "\xFF\xFE"
                      "a\0\n\0b\0\x00\xDC";
    assert_int_equal(bad(in, sizeof(in) - 1, &e), FICD_EENCODING);
    assert_int_equal(e.line, 2);
    const char in2[] = "\xFF\xFE\x3D\xD8"
                       "a\0";
    assert_int_equal(bad(in2, sizeof(in2) - 1, &e), FICD_EENCODING);
}

static void test_cp1252(void **state)
{
    (void)state;
    const char *enc = NULL;
    /* “Quoted” – dash — and ellipsis… in Windows-1252 */
    const char in[] = "\x93Quoted\x94 \x96 dash \x97 and ellipsis\x85 \x80";
    char *s = ok(in, sizeof(in) - 1, &enc);
    assert_string_equal(s, "\xE2\x80\x9CQuoted\xE2\x80\x9D \xE2\x80\x93 dash \xE2\x80\x94 and "
                           "ellipsis\xE2\x80\xA6 \xE2\x82\xAC");
    assert_string_equal(enc, "windows-1252");
    free(s);
}

static void test_latin1(void **state)
{
    (void)state;
    const char *enc = NULL;
    char *s = ok("caf\xE9 na\xEFve", 10, &enc);
    assert_string_equal(s, "caf\xC3\xA9 na\xC3\xAFve");
    assert_string_equal(enc, "ISO-8859-1");
    free(s);
}

static void test_mixed_stray_byte(void **state)
{
    (void)state;
    /* mostly UTF-8 with one pasted Windows-1252 apostrophe */
    const char in[] = "\xE2\x80\x9CHi\xE2\x80\x9D she said \xE2\x80\x94 it\x92s late";
    char *s = ok(in, sizeof(in) - 1, NULL);
    assert_string_equal(s, "\xE2\x80\x9CHi\xE2\x80\x9D she said \xE2\x80\x94 it\xE2\x80\x99s late");
    free(s);
}

static void test_undecodable_line(void **state)
{
    (void)state;
    struct text_err e;
    const char in[] = "Title\n\nShe said caf\xe9 \x81 and left.\n";
    assert_int_equal(bad(in, sizeof(in) - 1, &e), FICD_EENCODING);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "0x81"));
    assert_non_null(strstr(e.msg, "line 3"));
}

static void test_binary(void **state)
{
    (void)state;
    struct text_err e;
    const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    assert_int_equal(bad(png, sizeof(png) - 1, &e), FICD_EINVAL);
    assert_non_null(strstr(e.msg, "binary"));
    char ctl[200];
    for (size_t i = 0; i < sizeof(ctl); i++)
        ctl[i] = i % 10 == 0 ? '\x01' : 'a';
    assert_int_equal(bad(ctl, sizeof(ctl), &e), FICD_EINVAL);
    assert_non_null(strstr(e.msg, "binary"));
}

static void test_controls_stripped(void **state)
{
    (void)state;
    char in[400];
    memset(in, 'x', sizeof(in));
    in[10] = '\x07';
    in[20] = '\t';
    in[30] = '\x7F';
    in[40] = '\f';
    char *s = ok(in, sizeof(in), NULL);
    assert_int_equal(strlen(s), sizeof(in) - 2);
    assert_non_null(strchr(s, '\t'));
    assert_non_null(strchr(s, '\n'));
    assert_null(strchr(s, '\x07'));
    assert_null(strchr(s, '\x7F'));
    free(s);
}

static void test_empty_and_blank(void **state)
{
    (void)state;
    struct text_err e;
    assert_int_equal(bad("", 0, &e), FICD_EINVAL);
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(bad("   \n\n \t \r\n", 10, &e), FICD_EINVAL);
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(bad("\xEF\xBB\xBF \xC2\xA0\n", 7, &e), FICD_EINVAL);
    const char u16[] = "\xFF\xFE \0\n\0";
    assert_int_equal(bad(u16, sizeof(u16) - 1, &e), FICD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_plain_and_bom),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_utf16le_bom),
        cmocka_unit_test(test_utf16be_bom),
        cmocka_unit_test(test_utf16_lone_surrogate),
        cmocka_unit_test(test_cp1252),
        cmocka_unit_test(test_latin1),
        cmocka_unit_test(test_mixed_stray_byte),
        cmocka_unit_test(test_undecodable_line),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_controls_stripped),
        cmocka_unit_test(test_empty_and_blank),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
