/* test_swar.c: every core/swar.h helper against a byte-by-byte answer, on words built to
 * hit the edges (each byte value in each position, next to 0x00, 0x7F, 0x80 and 0xFF) and
 * on random words. Exact helpers must mark exactly the matching bytes; the others must be
 * nonzero exactly when a byte matches. */
#include "core/swar.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* bit 7 of byte i of the word whose bytes are b[0..7] (byte i at b + i on little-endian) */
static uint64_t mark(const unsigned char b[8], int (*pred)(unsigned char, unsigned), unsigned a)
{
    uint64_t m = 0;
    for (int i = 0; i < 8; i++)
        if (pred(b[i], a))
            m |= 0x80ULL << (8 * i);
    return m;
}

static uint64_t word(const unsigned char b[8])
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)b[i] << (8 * i);
    return x;
}

static int p_zero(unsigned char c, unsigned a)
{
    (void)a;
    return c == 0;
}
static int p_below(unsigned char c, unsigned a)
{
    return c < a;
}
static int p_eq(unsigned char c, unsigned a)
{
    return c == a;
}
static int p_letter(unsigned char c, unsigned a)
{
    (void)a;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int p_digit(unsigned char c, unsigned a)
{
    (void)a;
    return c >= '0' && c <= '9';
}

static void check(const unsigned char b[8])
{
    uint64_t x = word(b);
    assert_true(!swar_zero(x) == !mark(b, p_zero, 0));
    static const unsigned char lims[] = {1, 0x20, 0x41, 0x80};
    for (size_t k = 0; k < sizeof(lims); k++)
        assert_true(!swar_below(x, lims[k]) == !mark(b, p_below, lims[k]));
    static const unsigned char eqs[] = {0, ' ', '<', '\'', 0x7F, 0x80, 0xFF};
    for (size_t k = 0; k < sizeof(eqs); k++)
        assert_true(swar_eq(x, eqs[k]) == mark(b, p_eq, eqs[k]));
    assert_true(swar_letters(x) == mark(b, p_letter, 0));
    assert_true(swar_range(x, '0', '9') == mark(b, p_digit, 0));
    unsigned char low[8];
    for (int i = 0; i < 8; i++)
        low[i] = b[i] >= 'A' && b[i] <= 'Z' ? (unsigned char)(b[i] + 32) : b[i];
    assert_true(swar_lower(x) == word(low));
}

static void test_edges(void **state)
{
    (void)state;
    static const unsigned char around[] = {0x00, 0x7F, 0x80, 0xFF, 'a', 'Z'};
    for (unsigned v = 0; v < 256; v++)
        for (int pos = 0; pos < 8; pos++)
            for (size_t f = 0; f < sizeof(around); f++) {
                unsigned char b[8];
                memset(b, around[f], sizeof(b));
                b[pos] = (unsigned char)v;
                check(b);
            }
}

static void test_random(void **state)
{
    (void)state;
    srand(16);
    for (int n = 0; n < 200000; n++) {
        unsigned char b[8];
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)(rand() & 0xFF);
        check(b);
    }
}

static void test_load_and_low_bytes(void **state)
{
    (void)state;
    const char s[] = "abcdefghij";
    uint64_t x = swar_load(s + 1);
    assert_memory_equal(&x, s + 1, 8);
    assert_true(swar_low_bytes(0) == 0);
    assert_true(swar_low_bytes(3) == 0xFFFFFFULL);
    assert_true(swar_low_bytes(8) == ~0ULL);
#if SWAR_LE
    assert_true((x & swar_low_bytes(2)) == ('b' | ('c' << 8)));
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_load_and_low_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
