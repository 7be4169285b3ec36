/* swar.h: eight bytes at a time in a 64-bit word ("SIMD within a register"), the bit tricks
 * the text scanners share (decode, sanitize, word counts, manuscript heuristics). Each
 * helper answers with bit 7 set in the bytes that match. The ones marked "exact" have no
 * borrows between bytes (every marked byte matches); the others are exact only about
 * WHETHER a byte matches (a marked byte above a matching one may be a false mark), which is
 * all a "skip ahead while nothing matches" loop needs. Byte i of the word is the byte at
 * p + i on little-endian machines, where SWAR_LE is 1; code that depends on byte positions
 * (shifts, counting) uses the helpers only under #if SWAR_LE. */
#ifndef FICD_CORE_SWAR_H
#define FICD_CORE_SWAR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SWAR_ONES  0x0101010101010101ULL
#define SWAR_HIGHS 0x8080808080808080ULL

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR_LE 1
#else
#define SWAR_LE 0
#endif

/* The eight bytes at p (unaligned). */
static inline uint64_t swar_load(const void *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof(x));
    return x;
}

/* Bytes of x that are zero (exact about whether there is one). */
static inline uint64_t swar_zero(uint64_t x)
{
    return (x - SWAR_ONES) & ~x & SWAR_HIGHS;
}

/* Bytes of x below n, for n <= 0x80 (exact about whether there is one). */
static inline uint64_t swar_below(uint64_t x, unsigned char n)
{
    return (x - SWAR_ONES * n) & ~x & SWAR_HIGHS;
}

/* Bytes of x that equal b (exact). */
static inline uint64_t swar_eq(uint64_t x, unsigned char b)
{
    uint64_t y = x ^ (SWAR_ONES * b);
    return ~(((y & ~SWAR_HIGHS) + ~SWAR_HIGHS) | y) & SWAR_HIGHS;
}

/* Bytes of x in the ASCII range lo..hi, lo <= hi < 0x80 (exact). */
static inline uint64_t swar_range(uint64_t x, unsigned char lo, unsigned char hi)
{
    uint64_t y = x & ~SWAR_HIGHS;
    return (y + SWAR_ONES * (0x80 - lo)) & ~(y + SWAR_ONES * (0x80 - hi - 1)) & ~x & SWAR_HIGHS;
}

/* Bytes of x that are ASCII letters (exact). */
static inline uint64_t swar_letters(uint64_t x)
{
    return swar_range(x | (SWAR_ONES * 0x20), 'a', 'z');
}

/* x with its ASCII capitals lower-cased, the other bytes as they are. */
static inline uint64_t swar_lower(uint64_t x)
{
    return x | (swar_range(x, 'A', 'Z') >> 2);
}

/* The low k bytes of a word (k <= 8): the first k bytes of a loaded word when SWAR_LE. */
static inline uint64_t swar_low_bytes(size_t k)
{
    return k >= 8 ? ~0ULL : (1ULL << (8 * k)) - 1;
}

#endif
