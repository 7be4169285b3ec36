/* test_decode_random.c: decode_text (its eight-byte ASCII and control scans, run copying,
 * direct path for valid UTF-8) against a byte-by-byte reference decoder written from the
 * rules in decode.h, on random and adversarial input: valid UTF-8 of every length, invalid
 * and overlong sequences, surrogates, BOMs (UTF-8, UTF-16 LE/BE, also mid-text), CR, LF and
 * CRLF at every offset around the eight-byte boundaries, controls, NUL, Windows-1252 and
 * Latin-1 bytes, UTF-16 with lone surrogates and odd lengths. Result code, bytes, encoding
 * name, error line and message must all agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "text/decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the reference: one byte (or one UTF-16 unit) at a time ---- */

struct ref_out {
    int rc;
    char *s;
    size_t n, cap;
    const char *enc;
    int line;
    char msg[256];
};

static void ref_put(struct ref_out *o, unsigned char c)
{
    if (o->n + 2 > o->cap) {
        o->cap = o->cap ? o->cap * 2 : 256;
        o->s = realloc(o->s, o->cap);
        assert_non_null(o->s);
    }
    o->s[o->n++] = (char)c;
    o->s[o->n] = '\0';
}

static void ref_cp(struct ref_out *o, uint32_t cp)
{
    if (cp < 0x80) {
        ref_put(o, (unsigned char)cp);
    } else if (cp < 0x800) {
        ref_put(o, (unsigned char)(0xC0 | (cp >> 6)));
        ref_put(o, (unsigned char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        ref_put(o, (unsigned char)(0xE0 | (cp >> 12)));
        ref_put(o, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
        ref_put(o, (unsigned char)(0x80 | (cp & 0x3F)));
    } else {
        ref_put(o, (unsigned char)(0xF0 | (cp >> 18)));
        ref_put(o, (unsigned char)(0x80 | ((cp >> 12) & 0x3F)));
        ref_put(o, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
        ref_put(o, (unsigned char)(0x80 | (cp & 0x3F)));
    }
}

static int ref_fail(struct ref_out *o, int rc, int line, const char *msg)
{
    o->rc = rc;
    o->line = line;
    snprintf(o->msg, sizeof(o->msg), "%s", msg);
    return rc;
}

/* Length of the well-formed UTF-8 sequence at p (n bytes left), decoded the long way: 0 for
 * anything else (overlong, surrogate, above U+10FFFF, truncated, stray continuation). */
static size_t ref_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 0;
    if (len == 0 || p[0] > 0xF4 || n < len)
        return 0;
    uint32_t cp = p[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static const uint16_t ref_cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* Line of byte offset pos: LF, CRLF and lone CR end lines (a CR just before pos counts). */
static int ref_line(const unsigned char *in, size_t pos)
{
    int line = 1;
    for (size_t i = 0; i < pos; i++)
        if (in[i] == '\n' || (in[i] == '\r' && (i + 1 >= pos || in[i + 1] != '\n')))
            line++;
    return line;
}

static int ref_is_control(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F;
}

/* The cleaning step on decoded UTF-8 raw (n bytes) into o. */
static int ref_clean(const unsigned char *raw, size_t n, struct ref_out *o)
{
    size_t controls = 0, chars = 0;
    for (size_t i = 0; i < n; i++) {
        chars += (raw[i] & 0xC0) != 0x80;
        if (ref_is_control(raw[i]) && raw[i] != '\r' && raw[i] != '\f')
            controls++;
    }
    if (controls > 0 && controls * 100 > chars) {
        char m[128];
        snprintf(m, sizeof(m), "binary file (%zu control characters), not a text manuscript",
                 controls);
        return ref_fail(o, FICD_EINVAL, 0, m);
    }
    size_t i = n >= 3 && !memcmp(raw, "\xEF\xBB\xBF", 3) ? 3 : 0;
    for (; i < n; i++) {
        unsigned char c = raw[i];
        if (c == '\r') {
            ref_put(o, '\n');
            if (i + 1 < n && raw[i + 1] == '\n')
                i++;
        } else if (c == '\f') {
            ref_put(o, '\n');
        } else if (!ref_is_control(c)) {
            ref_put(o, c);
        }
    }
    /* only whitespace: ASCII blanks, no-break space, BOM, ideographic space */
    const char *s = o->s ? o->s : "";
    for (size_t k = 0; k < o->n;) {
        if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n')
            k++;
        else if (k + 1 < o->n && !memcmp(s + k, "\xC2\xA0", 2))
            k += 2;
        else if (k + 2 < o->n &&
                 (!memcmp(s + k, "\xEF\xBB\xBF", 3) || !memcmp(s + k, "\xE3\x80\x80", 3)))
            k += 3;
        else
            return 0;
    }
    return ref_fail(o, FICD_EINVAL, 0, "empty file (only whitespace)");
}

static int ref_decode(const unsigned char *in, size_t n, struct ref_out *o)
{
    memset(o, 0, sizeof(*o));
    struct ref_out raw;
    memset(&raw, 0, sizeof(raw));
    o->enc = "UTF-8";
    if (n == 0)
        return ref_fail(o, FICD_EINVAL, 0, "empty file");
    if (n >= 2 && ((in[0] == 0xFF && in[1] == 0xFE) || (in[0] == 0xFE && in[1] == 0xFF))) {
        int be = in[0] == 0xFE;
        o->enc = be ? "UTF-16BE" : "UTF-16LE";
        const unsigned char *p = in + 2;
        size_t m = n - 2;
        if (m % 2)
            return ref_fail(o, FICD_EENCODING, 0, "truncated UTF-16 text (odd number of bytes)");
        int line = 1;
        for (size_t i = 0; i < m; i += 2) {
            uint32_t u = be ? (uint32_t)(p[i] << 8 | p[i + 1]) : (uint32_t)(p[i + 1] << 8 | p[i]);
            char msg[128];
            if (u >= 0xD800 && u <= 0xDFFF) {
                uint32_t l = 0;
                if (u <= 0xDBFF && i + 3 < m)
                    l = be ? (uint32_t)(p[i + 2] << 8 | p[i + 3])
                           : (uint32_t)(p[i + 3] << 8 | p[i + 2]);
                if (l < 0xDC00 || l > 0xDFFF) {
                    free(raw.s);
                    snprintf(msg, sizeof(msg),
                             "invalid UTF-16: unpaired surrogate 0x%04X at line %d", (unsigned)u,
                             line);
                    return ref_fail(o, FICD_EENCODING, line, msg);
                }
                u = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
                i += 2;
            } else if (u == 0) {
                free(raw.s);
                return ref_fail(o, FICD_EINVAL, 0,
                                "binary file (NUL characters), not a text manuscript");
            }
            if (u == '\n')
                line++;
            ref_cp(&raw, u);
        }
    } else {
        for (size_t i = 0; i < n; i++)
            if (in[i] == 0)
                return ref_fail(o, FICD_EINVAL, 0,
                                "binary file (NUL bytes), not a text manuscript");
        size_t good_multi = 0, bad = 0;
        for (size_t i = 0; i < n;) {
            size_t l = ref_seq(in + i, n - i);
            if (l == 0) {
                bad++;
                i++;
            } else {
                good_multi += l > 1;
                i += l;
            }
        }
        if (bad == 0) {
            size_t i = n >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3) ? 3 : 0;
            for (; i < n; i++)
                ref_put(&raw, in[i]);
        } else {
            int mixed = good_multi > bad, c1 = 0;
            for (size_t i = 0; i < n;) {
                size_t l = mixed ? ref_seq(in + i, n - i) : 0;
                if (l) {
                    for (size_t k = 0; k < l; k++)
                        ref_put(&raw, in[i + k]);
                    i += l;
                    continue;
                }
                unsigned char c = in[i];
                if (c < 0x80) {
                    ref_put(&raw, c);
                } else if (c >= 0xA0) {
                    ref_cp(&raw, c);
                } else if (ref_cp1252[c - 0x80]) {
                    ref_cp(&raw, ref_cp1252[c - 0x80]);
                    c1 = 1;
                } else {
                    free(raw.s);
                    char msg[128];
                    int line = ref_line(in, i);
                    snprintf(msg, sizeof(msg),
                             "undecodable byte 0x%02X at line %d (neither UTF-8 nor Windows-1252)",
                             c, line);
                    return ref_fail(o, FICD_EENCODING, line, msg);
                }
                i++;
            }
            o->enc = mixed ? "UTF-8" : c1 ? "windows-1252" : "ISO-8859-1";
        }
    }
    int rc = ref_clean((const unsigned char *)(raw.s ? raw.s : ""), raw.n, o);
    free(raw.s);
    if (rc) {
        free(o->s);
        o->s = NULL;
        o->n = 0;
    }
    return rc;
}

/* ---- random input ---- */

static uint64_t rnd_state = 0x2545F4914F6CDD1DULL;
static unsigned rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned)(rnd_state % n);
}

/* Appends a random code point's UTF-8 (any length, any plane but surrogates). */
static size_t put_random_utf8(unsigned char *p)
{
    static const uint32_t lo[] = {0x20, 0x80, 0x800, 0xE000, 0x10000, 0x2000, 0xA0};
    static const uint32_t hi[] = {0x7E, 0x7FF, 0xD7FF, 0xFFFF, 0x10FFFF, 0x206F, 0xFF};
    unsigned r = rnd(7);
    uint32_t cp = lo[r] + rnd(hi[r] - lo[r] + 1);
    if (cp < 0x80) {
        p[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (unsigned char)(0xC0 | (cp >> 6));
        p[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (unsigned char)(0xE0 | (cp >> 12));
        p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        p[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (unsigned char)(0xF0 | (cp >> 18));
    p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    p[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One piece of 8-bit text; kinds weighted by the round's flavour. */
static size_t put_piece(unsigned char *p, int flavour)
{
    static const char *const pieces[] = {
        "The quick brown fox jumps. ", "a", " ", "  ", "\n", "\r\n", "\r", "\n\n", "\t", "\f",
        "\x01", "\x1B", "\x7F", "\xEF\xBB\xBF", "\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\x99",
        /* invalid UTF-8 */
        "\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xED\xBF\xBF",
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE2\x80", "\xF0\x9F\x98",
        /* Windows-1252 and Latin-1 bytes */
        "\x93", "\x94", "\x92", "\x85", "\x96", "\x97", "\x80", "\x81", "\x8D", "\x8F", "\x90",
        "\x9D", "\xE9", "\xA0", "\xFC", "caf\xE9 ", "\x93quoted\x94"};
    size_t np = sizeof(pieces) / sizeof(pieces[0]);
    unsigned r = rnd(100);
    if (flavour == 0 && r < 40)
        return put_random_utf8(p);
    size_t k;
    if (flavour == 1) /* mostly ASCII prose with line ends */
        k = r < 60 ? 0 : r < 75 ? 1 + rnd(9) : rnd((unsigned)np);
    else if (flavour == 2) /* mostly prose with rare stray bytes */
        k = r < 85 ? rnd(10) : rnd((unsigned)np);
    else
        k = rnd((unsigned)np);
    size_t l = strlen(pieces[k]);
    memcpy(p, pieces[k], l);
    return l;
}

/* What the inputs led to, so the last test can check that every outcome was exercised. */
static struct {
    unsigned utf8, cp1252, latin1, utf16, undecodable, nul, controls, blank, surrogate, odd;
} seen;

static void tally(const struct ref_out *w)
{
    if (w->rc == 0) {
        seen.utf8 += !strcmp(w->enc, "UTF-8");
        seen.cp1252 += !strcmp(w->enc, "windows-1252");
        seen.latin1 += !strcmp(w->enc, "ISO-8859-1");
        seen.utf16 += !strncmp(w->enc, "UTF-16", 6);
        return;
    }
    seen.undecodable += !strncmp(w->msg, "undecodable", 11);
    seen.nul += !strncmp(w->msg, "binary file (NUL", 16);
    seen.controls += strstr(w->msg, "control characters") != NULL;
    seen.blank += !strcmp(w->msg, "empty file (only whitespace)");
    seen.surrogate += strstr(w->msg, "surrogate") != NULL;
    seen.odd += strstr(w->msg, "odd number") != NULL;
}

static void compare(const unsigned char *in, size_t n)
{
    struct ref_out want;
    ref_decode(in, n, &want);
    tally(&want);
    char *out = (char *)1;
    size_t outlen = 12345;
    const char *enc = NULL;
    struct text_err e = {-1, "x"};
    int rc = decode_text(in, n, &out, &outlen, &enc, &e);
    if (rc != want.rc ||
        (rc == 0 && (outlen != want.n || memcmp(out, want.s, outlen) || strcmp(enc, want.enc))) ||
        (rc != 0 && (e.line != want.line || strcmp(e.msg, want.msg)))) {
        fprintf(stderr, "decode differs on %zu bytes:", n);
        for (size_t i = 0; i < n && i < 200; i++)
            fprintf(stderr, " %02X", in[i]);
        fprintf(stderr, "\n  rc %d want %d; enc %s want %s; line %d want %d; msg [%s] want [%s]\n",
                rc, want.rc, rc ? "-" : enc, want.enc, e.line, want.line, rc ? e.msg : "",
                want.msg);
    }
    assert_int_equal(rc, want.rc);
    if (rc == 0) {
        assert_int_equal(outlen, want.n);
        assert_memory_equal(out, want.s, outlen);
        assert_int_equal(out[outlen], '\0');
        assert_string_equal(enc, want.enc);
        free(out);
    } else {
        assert_null(out);
        assert_int_equal(e.line, want.line);
        assert_string_equal(e.msg, want.msg);
    }
    free(want.s);
}

static void test_random_8bit(void **state)
{
    (void)state;
    unsigned char in[2048];
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)rnd(round % 10 == 0 ? 2000 : 120), n = 0;
        int flavour = round % 4;
        if (round % 13 == 0)
            n = (size_t)snprintf((char *)in, sizeof(in), "\xEF\xBB\xBF");
        while (n < len && n + 8 < sizeof(in))
            n += put_piece(in + n, flavour);
        if (round % 97 == 0 && n > 0)
            in[rnd((unsigned)n)] = 0; /* a NUL somewhere */
        compare(in, n);
    }
}

/* Line ends and controls at every offset around the eight-byte steps, after long ASCII runs
 * and after multi-byte characters. */
static void test_boundaries(void **state)
{
    (void)state;
    static const char *const marks[] = {"\r\n", "\r",           "\n",       "\f",           "\x01",
                                        "\x7F", "\t",           "\xC3\xA9", "\xE2\x80\x99", "\x93",
                                        "\x81", "\xEF\xBB\xBF", "\r\r\n"};
    unsigned char in[64];
    for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++)
        for (size_t at = 0; at < 40; at++)
            for (size_t len = at + 1; len < 48; len += 3) {
                memset(in, 'x', sizeof(in));
                size_t ml = strlen(marks[m]);
                memcpy(in + at, marks[m], ml);
                compare(in, len > at + ml ? len : at + ml);
                /* and a second mark right at the end */
                size_t n = len > at + ml ? len : at + ml;
                if (n + ml <= sizeof(in)) {
                    memcpy(in + n, marks[m], ml);
                    compare(in, n + ml);
                }
            }
}

static void test_random_utf16(void **state)
{
    (void)state;
    unsigned char in[1024];
    for (int round = 0; round < 5000; round++) {
        int be = round & 1;
        size_t n = 2;
        in[0] = be ? 0xFE : 0xFF;
        in[1] = be ? 0xFF : 0xFE;
        size_t units = rnd(200);
        for (size_t k = 0; k < units && n + 2 <= sizeof(in); k++) {
            unsigned r = rnd(100);
            uint32_t u = r < 50   ? 0x20 + rnd(0x5F)
                         : r < 60 ? (uint32_t) "\n\r\t\f"[rnd(4)]
                         : r < 75 ? 0x80 + rnd(0xD800 - 0x80)
                         : r < 85 ? 0xE000 + rnd(0x2000)
                         : r < 92 ? 0xD800 + rnd(0x400) /* high surrogate, often paired below */
                         : r < 97 ? 0xDC00 + rnd(0x400)
                         : r < 99 ? 0x2028
                                  : 0;
            if (round % 5 && u == 0)
                u = 'z';
            in[n + (size_t)!be] = (unsigned char)(u & 0xFF);
            in[n + (size_t)be] = (unsigned char)(u >> 8);
            n += 2;
            if (u >= 0xD800 && u <= 0xDBFF && rnd(4) && n + 2 <= sizeof(in)) {
                uint32_t l = 0xDC00 + rnd(0x400);
                in[n + (size_t)!be] = (unsigned char)(l & 0xFF);
                in[n + (size_t)be] = (unsigned char)(l >> 8);
                n += 2;
            }
        }
        if (round % 17 == 0 && n < sizeof(in))
            in[n++] = 'x'; /* odd length */
        compare(in, n);
    }
}

/* Long inputs: the word-at-a-time scans over many blocks, with the stray byte, the control
 * or the NUL far in. */
static void test_long_runs(void **state)
{
    (void)state;
    size_t n = 1 << 16;
    unsigned char *in = malloc(n);
    assert_non_null(in);
    for (int round = 0; round < 60; round++) {
        for (size_t i = 0; i < n; i++)
            in[i] = (unsigned char)"Lorem ipsum dolor sit amet.\n"[i % 28];
        size_t at = rnd((unsigned)n);
        static const char *const odd[] = {"\x93", "\xC3\xA9",         "\r\n",        "\x01", "\x81",
                                          "\r",   "\xF0\x9F\x98\x80", "\xED\xA0\x80"};
        const char *o = odd[round % 8];
        size_t ol = strlen(o);
        if (at + ol > n)
            at = n - ol;
        memcpy(in + at, o, ol);
        compare(in, n - (size_t)(round % 9));
    }
    free(in);
}

static void test_every_outcome_seen(void **state)
{
    (void)state;
    assert_true(seen.utf8 > 100 && seen.cp1252 > 100 && seen.latin1 > 0 && seen.utf16 > 100);
    assert_true(seen.undecodable > 100 && seen.nul > 10 && seen.controls > 10 && seen.blank > 0);
    assert_true(seen.surrogate > 100 && seen.odd > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_8bit),        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_random_utf16),       cmocka_unit_test(test_long_runs),
        cmocka_unit_test(test_every_outcome_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
