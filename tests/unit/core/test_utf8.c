/* test_utf8.c: core/utf8.h against utf8proc: every 1-, 2- and 3-byte sequence and a million
 * random 4-byte ones decode (or are refused) exactly as utf8proc_iterate does; encoding
 * round-trips every scalar value; truncated input is refused; the last-character and
 * HTML-kept helpers on their edges. */
#include "core/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static void same_as_utf8proc(const unsigned char *s, size_t n)
{
    uint32_t cp = 0xABCDEF;
    size_t len = utf8_decode(s, n, &cp);
    utf8proc_int32_t ref = -1;
    utf8proc_ssize_t rl = utf8proc_iterate(s, (utf8proc_ssize_t)n, &ref);
    if (rl <= 0) {
        assert_int_equal(len, 0);
        assert_int_equal(cp, 0xABCDEF);
    } else {
        assert_int_equal(len, (size_t)rl);
        assert_int_equal(cp, (uint32_t)ref);
    }
}

static void test_short_sequences(void **state)
{
    (void)state;
    unsigned char s[3];
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        same_as_utf8proc(s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            same_as_utf8proc(s, 2);
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                same_as_utf8proc(s, 3);
            }
        }
    }
}

static void test_four_bytes(void **state)
{
    (void)state;
    srand(8);
    unsigned char s[4];
    for (int k = 0; k < 1000000; k++) {
        s[0] = (unsigned char)(0xE8 + rand() % 24); /* around the 4-byte leads */
        for (int i = 1; i < 4; i++)
            s[i] = (unsigned char)(rand() % 4 == 0 ? rand() & 0xFF : 0x80 | (rand() & 0x3F));
        same_as_utf8proc(s, 4);
        same_as_utf8proc(s, 3); /* truncated */
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char d[4];
        size_t n = utf8_encode(d, cp);
        utf8proc_uint8_t ref[4];
        assert_int_equal(n, (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, ref));
        assert_memory_equal(d, ref, n);
        uint32_t back = 0;
        assert_int_equal(utf8_decode(d, n, &back), n);
        assert_int_equal(back, cp);
        if (n > 1)
            assert_int_equal(utf8_decode(d, n - 1, &back), 0);
    }
    uint32_t cp;
    assert_int_equal(utf8_decode("", 0, &cp), 0);
}

static void test_helpers(void **state)
{
    (void)state;
    const char *s = "ab\xC3\xA9";
    assert_int_equal(utf8_last_start(s, 4), 2);
    assert_int_equal(utf8_last_start(s, 2), 1);
    assert_int_equal(utf8_last_start("\x80\x80\x80\x80\x80", 5), 1);
    assert_int_equal(utf8_html_kept("a", 1), 0);
    assert_int_equal(utf8_html_kept("\xC2\x85", 2), 0);         /* C1 control */
    assert_int_equal(utf8_html_kept("\xC2\xA0", 2), 2);         /* no-break space */
    assert_int_equal(utf8_html_kept("\xEF\xB7\x90", 3), 0);     /* U+FDD0 */
    assert_int_equal(utf8_html_kept("\xEF\xBF\xBE", 3), 0);     /* U+FFFE */
    assert_int_equal(utf8_html_kept("\xF0\x9F\xBF\xBF", 4), 0); /* U+1FFFF */
    assert_int_equal(utf8_html_kept("\xF0\x9F\x98\x80", 4), 4); /* U+1F600 */
    assert_int_equal(utf8_html_kept("\xED\xA0\x80", 3), 0);     /* surrogate */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_sequences),
        cmocka_unit_test(test_four_bytes),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
