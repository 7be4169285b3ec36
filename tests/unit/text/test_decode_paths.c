/* test_decode_paths.c: decode_text's word-at-a-time paths (ASCII validation, control scan,
 * run copying) against a byte-by-byte reference of the same rules, on random text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "text/decode.h"

#include <stdlib.h>
#include <string.h>

/* The cleaning rules one byte at a time (input already valid UTF-8): BOM dropped, CRLF/CR/FF to
 * LF, other C0 controls but TAB and DEL removed (a BOM left after the encoding's BOM is
 * dropped too). Returns -1 when controls exceed 1%. */
static long reference(const char *s, size_t n, char *out)
{
    size_t controls = 0, chars = 0, o = 0;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) { /* the encoding's BOM */
        s += 3;
        n -= 3;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        chars += (c & 0xC0) != 0x80;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F)
            controls++;
    }
    if (controls > 0 && controls * 100 > chars)
        return -1;
    size_t i = n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            out[o++] = '\n';
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
        } else if (c == '\f') {
            out[o++] = '\n';
        } else if (!((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)) {
            out[o++] = (char)c;
        }
    }
    return (long)o;
}

static int all_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
            return 0;
    return 1;
}

static void test_random_against_reference(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a",
                                         "Hello world ",
                                         "\n",
                                         "\r\n",
                                         "\r",
                                         "\f",
                                         "\t",
                                         "\x01",
                                         "\x7F",
                                         "\xC3\xA9",
                                         "\xE2\x80\x99",
                                         "\xF0\x9F\x98\x80",
                                         "  ",
                                         "The quick brown fox. ",
                                         "\x1B",
                                         "z"};
    size_t np = sizeof(pieces) / sizeof(pieces[0]);
    unsigned seed = 12345;
    char in[4096], want[4096];
    for (int round = 0; round < 3000; round++) {
        size_t n = 0;
        if (round % 7 == 0) {
            memcpy(in, "\xEF\xBB\xBF", 3);
            n = 3;
        }
        /* mostly prose; every few rounds, dense controls (refused as binary) */
        int dense = round % 11 == 0;
        size_t len = (size_t)(round % 300);
        while (n < len) {
            seed = seed * 1103515245u + 12345u;
            size_t k = (seed >> 16) % np;
            if (!dense && k >= 7 && k <= 8 && ((seed >> 8) & 15))
                k = 1;
            size_t pl = strlen(pieces[k]);
            if (n + pl >= sizeof(in))
                break;
            memcpy(in + n, pieces[k], pl);
            n += pl;
        }
        if (n == 0)
            continue;
        long wl = reference(in, n, want);
        char *out = NULL;
        size_t outlen = 0;
        struct text_err e = {0, ""};
        int rc = decode_text((const unsigned char *)in, n, &out, &outlen, NULL, &e);
        if (wl < 0 || all_blank(want, (size_t)wl)) {
            assert_int_not_equal(rc, 0);
            assert_null(out);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(outlen, (size_t)wl);
        assert_memory_equal(out, want, outlen);
        assert_int_equal(out[outlen], '\0');
        free(out);
    }
}

/* A stray byte after long ASCII runs (the eight-byte fast path) is still found. */
static void test_stray_byte_after_ascii_run(void **state)
{
    (void)state;
    for (size_t at = 0; at < 40; at++) {
        char in[64];
        memset(in, 'x', sizeof(in));
        in[at] = (char)0x93; /* Windows-1252 left double quote */
        char *out = NULL;
        size_t len = 0;
        const char *enc = NULL;
        struct text_err e = {0, ""};
        assert_int_equal(decode_text((const unsigned char *)in, sizeof(in), &out, &len, &enc, &e),
                         0);
        assert_string_equal(enc, "windows-1252");
        assert_int_equal(len, sizeof(in) + 2);
        assert_memory_equal(out + at, "\xE2\x80\x9C", 3);
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_stray_byte_after_ascii_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
