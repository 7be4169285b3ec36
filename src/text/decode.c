/* decode.c: manuscript bytes to clean UTF-8 (BOMs, UTF-16, Windows-1252, line ends, controls). */
#include "text/decode.h"
#include "core/swar.h"
#include "core/utf8.h"
#include "core/buf.h"
#include "core/err.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Windows-1252 0x80..0x9F; 0 marks the five bytes the code page leaves undefined. */
static const uint16_t cp1252_hi[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* 1-based line of byte offset pos, counting LF, CRLF and lone CR as line ends. */
static int line_at(const unsigned char *in, size_t pos)
{
    int line = 1;
    for (size_t i = 0; i < pos; i++)
        if (in[i] == '\n' || (in[i] == '\r' && (i + 1 >= pos || in[i + 1] != '\n')))
            line++;
    return line;
}

/* UTF-16 (after the BOM) to UTF-8 in out; refuses lone surrogates and an odd byte count. */
static int decode_utf16(const unsigned char *in, size_t n, int be, struct buf *out,
                        struct text_err *err)
{
    int line = 1;
    if (n % 2) {
        text_err_set(err, 0, "truncated UTF-16 text (odd number of bytes)");
        return FICD_EENCODING;
    }
    for (size_t i = 0; i < n; i += 2) {
        uint32_t u = be ? (uint32_t)(in[i] << 8 | in[i + 1]) : (uint32_t)(in[i + 1] << 8 | in[i]);
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint32_t l = 0;
            if (i + 3 < n)
                l = be ? (uint32_t)(in[i + 2] << 8 | in[i + 3])
                       : (uint32_t)(in[i + 3] << 8 | in[i + 2]);
            if (l < 0xDC00 || l > 0xDFFF) {
                text_err_set(err, line, "invalid UTF-16: unpaired surrogate 0x%04X at line %d",
                             (unsigned)u, line);
                return FICD_EENCODING;
            }
            u = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
            i += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            text_err_set(err, line, "invalid UTF-16: unpaired surrogate 0x%04X at line %d",
                         (unsigned)u, line);
            return FICD_EENCODING;
        } else if (u == 0) {
            text_err_set(err, 0, "binary file (NUL characters), not a text manuscript");
            return FICD_EINVAL;
        }
        if (u == '\n')
            line++;
        buf_put_utf8(out, u);
    }
    return 0;
}

/* Bytes that are not UTF-8: Windows-1252 (a superset of Latin-1's printable range) when every
 * byte is defined there. Within a file that is otherwise UTF-8 (more well-formed multi-byte
 * sequences than stray bytes), the stray bytes alone are read as Windows-1252, so one pasted
 * curly quote does not turn the rest of the file into mojibake. */
static int decode_8bit(const unsigned char *in, size_t n, int mixed, struct buf *out,
                       const char **enc, struct text_err *err)
{
    int c1 = 0;
    for (size_t i = 0; i < n;) {
        if (mixed) {
            size_t l = utf8_len(in + i, n - i);
            if (l > 0) {
                buf_put(out, in + i, l);
                i += l;
                continue;
            }
        }
        unsigned char c = in[i];
        if (c < 0x80) {
            buf_putc(out, (char)c);
        } else if (c >= 0xA0) {
            buf_put_utf8(out, c);
        } else if (cp1252_hi[c - 0x80]) {
            buf_put_utf8(out, cp1252_hi[c - 0x80]);
            c1 = 1;
        } else {
            int line = line_at(in, i);
            text_err_set(err, line,
                         "undecodable byte 0x%02X at line %d (neither UTF-8 nor Windows-1252)", c,
                         line);
            return FICD_EENCODING;
        }
        i++;
    }
    *enc = mixed ? "UTF-8" : c1 ? "windows-1252" : "ISO-8859-1";
    return 0;
}

/* Eight bytes at a time: nonzero when any of the bytes is below 0x20 or is DEL (0x7F). The
 * test is exact about whether such a byte exists (the classic "has less than" bit trick). */
static inline uint64_t has_ctl(uint64_t x)
{
    return swar_below(x, 0x20) | swar_zero(x ^ (SWAR_ONES * 0x7F));
}

/* Normalises decoded UTF-8 in place of a new buffer: CRLF and CR to LF, form feed to LF, other
 * C0 controls (except TAB) and DEL removed. Refuses text where such controls are more than
 * about 1% of the characters (a binary file that happens to decode). */
static int clean_text(const char *s, size_t n, struct buf *out, struct text_err *err)
{
    /* controls: what is removed; special: anything that changes (controls, CR, FF) */
    size_t controls = 0, special = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        if (!has_ctl(swar_load(s + i)))
            continue;
        for (size_t k = i; k < i + 8; k++) {
            unsigned char c = (unsigned char)s[k];
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
                special++;
                controls += c != '\r' && c != '\f';
            }
        }
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
            special++;
            controls += c != '\r' && c != '\f';
        }
    }
    if (controls > 0) {
        size_t chars = 0; /* code points: bytes that are not UTF-8 continuation bytes */
        for (size_t k = 0; k < n; k++)
            chars += ((unsigned char)s[k] & 0xC0) != 0x80;
        if (controls * 100 > chars) {
            text_err_set(err, 0, "binary file (%zu control characters), not a text manuscript",
                         controls);
            return FICD_EINVAL;
        }
    }
    i = 0;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if (buf_grow(out, n - i)) /* the result is never longer than the input */
        return out->err;
    char *d = out->data + out->len;
    if (special == 0) {
        memcpy(d, s + i, n - i);
        d += n - i;
    } else {
        while (i < n) {
            /* the run up to the next byte that changes, copied at once */
            size_t e = i;
            for (;;) {
                while (e + 8 <= n && !has_ctl(swar_load(s + e)))
                    e += 8;
                if (e >= n)
                    break;
                unsigned char c = (unsigned char)s[e];
                if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
                    break;
                e++;
            }
            memcpy(d, s + i, e - i);
            d += e - i;
            if (e >= n)
                break;
            unsigned char c = (unsigned char)s[e];
            i = e + 1;
            if (c == '\r') {
                *d++ = '\n';
                if (i < n && s[i] == '\n')
                    i++;
            } else if (c == '\f') {
                *d++ = '\n';
            }
        }
    }
    out->len = (size_t)(d - out->data);
    out->data[out->len] = '\0';
    return 0;
}

/* True when s holds nothing but whitespace (ASCII, no-break space, BOM, ideographic space). */
static int blank_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            i++;
        } else if (i + 1 < n && c == 0xC2 && (unsigned char)s[i + 1] == 0xA0) {
            i += 2;
        } else if (i + 2 < n && ((memcmp(s + i, "\xEF\xBB\xBF", 3) == 0) ||
                                 memcmp(s + i, "\xE3\x80\x80", 3) == 0)) {
            i += 3;
        } else {
            return 0;
        }
    }
    return 1;
}

int decode_text(const unsigned char *in, size_t n, char **out, size_t *outlen,
                const char **encoding, struct text_err *err)
{
    struct buf raw = BUF_INIT, clean = BUF_INIT;
    const char *enc = "UTF-8";
    const char *direct = NULL;
    size_t direct_n = 0;
    int rc = 0;
    *out = NULL;
    if (outlen)
        *outlen = 0;
    if (n == 0) {
        text_err_set(err, 0, "empty file");
        return FICD_EINVAL;
    }
    if (n >= 2 && ((in[0] == 0xFF && in[1] == 0xFE) || (in[0] == 0xFE && in[1] == 0xFF))) {
        int be = in[0] == 0xFE;
        enc = be ? "UTF-16BE" : "UTF-16LE";
        rc = decode_utf16(in + 2, n - 2, be, &raw, err);
    } else {
        if (memchr(in, 0, n)) {
            text_err_set(err, 0, "binary file (NUL bytes), not a text manuscript");
            return FICD_EINVAL;
        }
        size_t good_multi = 0, bad = 0;
        for (size_t i = 0; i < n;) {
            /* ASCII eight bytes at a time */
            while (i + 8 <= n && !(swar_load((const char *)in + i) & SWAR_HIGHS))
                i += 8;
            if (i >= n)
                break;
            if (in[i] < 0x80) {
                i++;
                continue;
            }
            size_t l = utf8_len(in + i, n - i);
            if (l == 0) {
                bad++;
                i++;
            } else {
                good_multi += l > 1;
                i += l;
            }
        }
        if (bad == 0) {
            /* already UTF-8: cleaned straight from the input, without a copy */
            if (n >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0) {
                in += 3;
                n -= 3;
            }
            direct = (const char *)in;
            direct_n = n;
        } else {
            rc = decode_8bit(in, n, good_multi > bad, &raw, &enc, err);
        }
    }
    if (rc == 0 && raw.err)
        rc = raw.err;
    if (rc == 0 && direct)
        rc = clean_text(direct, direct_n, &clean, err);
    else if (rc == 0)
        rc = clean_text(raw.data ? raw.data : "", raw.len, &clean, err);
    buf_free(&raw);
    if (rc == 0 && clean.err)
        rc = clean.err;
    if (rc == 0 && blank_text(clean.data ? clean.data : "", clean.len)) {
        text_err_set(err, 0, "empty file (only whitespace)");
        rc = FICD_EINVAL;
    }
    if (rc) {
        buf_free(&clean);
        return rc;
    }
    size_t len = clean.len;
    *out = buf_take(&clean);
    if (!*out)
        return FICD_ENOMEM;
    if (outlen)
        *outlen = len;
    if (encoding)
        *encoding = enc;
    return 0;
}
