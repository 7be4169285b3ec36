/* utf8.h: the one UTF-8 decoder and encoder of the tree, inline because the text scanners
 * call them once per non-ASCII character. Strict as RFC 3629 and Unicode's "well-formed
 * UTF-8" (no overlong forms, no surrogates, nothing above U+10FFFF), so it accepts exactly
 * what utf8proc_iterate accepts (tests/unit/core/test_utf8.c checks every 1-3 byte sequence
 * and random 4-byte ones against it). */
#ifndef FICD_CORE_UTF8_H
#define FICD_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the character at p (n bytes available) into *cp; returns its length (1-4), or 0
 * when the bytes there are not a well-formed character (or n == 0); *cp is then unchanged. */
static inline size_t utf8_decode(const void *p, size_t n, uint32_t *cp)
{
    const unsigned char *s = p;
    if (!n)
        return 0;
    uint32_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((c & 0x1F) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        uint32_t v = ((c & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *cp = v;
        return 3;
    }
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        return 0;
    uint32_t v =
        ((c & 0x07) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    if (v < 0x10000 || v > 0x10FFFF)
        return 0;
    *cp = v;
    return 4;
}

/* Length of the well-formed character at p (n bytes available), 0 when there is none. */
static inline size_t utf8_len(const void *p, size_t n)
{
    uint32_t cp;
    return utf8_decode(p, n, &cp);
}

/* Writes cp (a Unicode scalar value: at most U+10FFFF, not a surrogate) as UTF-8 at d (room
 * for 4 bytes, not NUL-terminated); returns its length. */
static inline size_t utf8_encode(char d[4], uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Where the last character of s (n > 0 bytes) starts: back over at most three continuation
 * bytes. */
static inline size_t utf8_last_start(const char *s, size_t n)
{
    size_t i = n - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80 && n - i < 4)
        i--;
    return i;
}

/* Length of the non-ASCII character at p (n bytes available) when an HTML5 parser keeps it
 * in text exactly as it is: well-formed, not a C1 control (U+0080-U+009F), not a
 * noncharacter (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF); 0 otherwise (ASCII included). */
static inline size_t utf8_html_kept(const void *p, size_t n)
{
    uint32_t cp;
    size_t len = utf8_decode(p, n, &cp);
    if (len < 2 || cp < 0xA0 || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
        return 0;
    return len;
}

#endif
