/* ms_yaml.c: the YAML front matter of Markdown manuscripts (the subset writers and ficd's own
 * export use): scalars plain, 'single' and "double" quoted (JSON-style escapes), flow lists
 * [a, "b"], block lists (- item), block scalars | and > (indented). */
#include "text/ms_int.h"
#include "core/err.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct yline {
    const char *p;
    size_t n;
};

static size_t indent_of(struct yline l)
{
    size_t i = 0;
    while (i < l.n && l.p[i] == ' ')
        i++;
    return i;
}

static int blank_line(struct yline l)
{
    for (size_t i = 0; i < l.n; i++)
        if (l.p[i] != ' ' && l.p[i] != '\t')
            return 0;
    return 1;
}

static void put_cp(struct buf *b, uint32_t cp)
{
    char s[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        s[0] = (char)(0xC0 | (cp >> 6));
        s[1] = (char)(0x80 | (cp & 0x3F));
        buf_put(b, s, 2);
    } else if (cp < 0x10000) {
        s[0] = (char)(0xE0 | (cp >> 12));
        s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[2] = (char)(0x80 | (cp & 0x3F));
        buf_put(b, s, 3);
    } else if (cp <= 0x10FFFF) {
        s[0] = (char)(0xF0 | (cp >> 18));
        s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[3] = (char)(0x80 | (cp & 0x3F));
        buf_put(b, s, 4);
    }
}

static int hexval(const char *s, size_t n, uint32_t *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (!isxdigit(c))
            return 0;
        *v = *v * 16 + (uint32_t)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    return 1;
}

/* Parses a quoted scalar starting at s[0] (the quote); appends the value to out and returns
 * the number of bytes consumed (through the closing quote), or 0 when it is not closed. */
static size_t quoted(const char *s, size_t n, struct buf *out)
{
    char q = s[0];
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (q == '\'') {
            if (c == '\'') {
                if (i + 1 < n && s[i + 1] == '\'') {
                    buf_putc(out, '\'');
                    i++;
                    continue;
                }
                return i + 1;
            }
            buf_putc(out, c);
            continue;
        }
        if (c == '"')
            return i + 1;
        if (c != '\\' || i + 1 >= n) {
            buf_putc(out, c);
            continue;
        }
        char e = s[++i];
        uint32_t v;
        switch (e) {
        case 'n':
            buf_putc(out, '\n');
            break;
        case 't':
            buf_putc(out, '\t');
            break;
        case 'r':
            break;
        case 'b':
            break;
        case 'f':
            break;
        case '0':
            break;
        case '/':
            buf_putc(out, '/');
            break;
        case '\\':
            buf_putc(out, '\\');
            break;
        case '"':
            buf_putc(out, '"');
            break;
        case '\'':
            buf_putc(out, '\'');
            break;
        case '_':
            buf_puts(out, "\xC2\xA0");
            break;
        case ' ':
            buf_putc(out, ' ');
            break;
        case 'x':
            if (i + 2 < n && hexval(s + i + 1, 2, &v)) {
                put_cp(out, v);
                i += 2;
            }
            break;
        case 'u':
            if (i + 4 < n && hexval(s + i + 1, 4, &v)) {
                i += 4;
                uint32_t lo;
                if (v >= 0xD800 && v <= 0xDBFF && i + 6 < n && s[i + 1] == '\\' &&
                    s[i + 2] == 'u' && hexval(s + i + 3, 4, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
                if (v < 0xD800 || v > 0xDFFF)
                    put_cp(out, v);
            }
            break;
        case 'U':
            if (i + 8 < n && hexval(s + i + 1, 8, &v)) {
                put_cp(out, v);
                i += 8;
            }
            break;
        default:
            buf_putc(out, '\\');
            buf_putc(out, e);
        }
    }
    return 0;
}

/* One scalar (quoted or plain; a plain one ends at a " #" comment) into a new string. */
static char *scalar(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    struct buf b = BUF_INIT;
    if (n > 0 && (*s == '"' || *s == '\'')) {
        if (!quoted(s, n, &b)) {
            buf_reset(&b);
            buf_put(&b, s, n);
        }
        return buf_take(&b);
    }
    for (size_t i = 0; i < n; i++)
        if (s[i] == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
            n = i;
            break;
        }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    buf_put(&b, s, n);
    char *r = buf_take(&b);
    if (r && (!strcmp(r, "~") || !strcasecmp(r, "null"))) {
        r[0] = '\0';
    }
    return r;
}

typedef void (*yaml_cb)(struct ms_ctx *c, const char *key, const char *val, int list_item,
                        int structured);

/* Items of a flow list "[a, "b, c", 'd']" (s starts after '['); calls cb for each. Returns
 * bytes consumed through ']', 0 when unterminated. */
static size_t flow_list(struct ms_ctx *c, const char *key, const char *s, size_t n, yaml_cb cb,
                        int structured)
{
    size_t i = 0;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
            i++;
        if (i >= n)
            return 0;
        if (s[i] == ']')
            return i + 1;
        struct buf b = BUF_INIT;
        if (s[i] == '"' || s[i] == '\'') {
            size_t q = quoted(s + i, n - i, &b);
            if (!q) {
                buf_free(&b);
                return 0;
            }
            i += q;
        } else {
            size_t st = i;
            while (i < n && s[i] != ',' && s[i] != ']')
                i++;
            size_t e = i;
            while (e > st && (s[e - 1] == ' ' || s[e - 1] == '\n'))
                e--;
            buf_put(&b, s + st, e - st);
        }
        char *v = buf_take(&b);
        if (v) {
            cb(c, key, v, 1, structured);
            free(v);
        }
        while (i < n && s[i] != ',' && s[i] != ']')
            i++;
        if (i < n && s[i] == ',')
            i++;
    }
}

/* Applies one value: list items one by one; a scalar of a ficd export as is, a writer's scalar
 * through the same rules as a header line. */
static void apply_value(struct ms_ctx *c, const char *key, const char *val, int list_item,
                        int structured)
{
    char k[48];
    size_t j = 0;
    for (const char *p = key; *p && j + 1 < sizeof(k); p++)
        k[j++] = *p == '_' ? ' ' : *p;
    k[j] = '\0';
    int id = ms_key_lookup(k);
    if (id == K_NONE || id == K_IGNORE || (id == K_SERIES_POS && !*val))
        return;
    ms_apply_key(c, id, key, val, list_item || structured);
}

static const char *const export_keys[] = {
    "creators",   "fandoms",     "relationships", "characters", "freeforms", "warnings",
    "categories", "notes_begin", "notes_end",     "beta",       "chapters",  "series_position",
    NULL};

size_t ms_front_matter(struct ms_ctx *c, const char *s, size_t n, int *structured, int *end_line)
{
    *structured = 0;
    *end_line = 1;
    if (n < 4 || strncmp(s, "---", 3) != 0 || (s[3] != '\n' && s[3] != ' '))
        return 0;
    /* lines up to the closing --- or ... */
    size_t cap = 64, k = 0;
    struct yline *L = malloc(cap * sizeof(*L));
    if (!L)
        return 0;
    const char *first_nl = memchr(s, '\n', n);
    size_t i = first_nl ? (size_t)(first_nl - s) + 1 : n;
    size_t end = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n;
        struct yline l = {s + i, e - i};
        size_t tl = l.n;
        while (tl > 0 && (l.p[tl - 1] == ' ' || l.p[tl - 1] == '\t'))
            tl--;
        if ((tl == 3 && (!strncmp(l.p, "---", 3) || !strncmp(l.p, "...", 3)))) {
            end = nl ? e + 1 : n;
            break;
        }
        if (k == cap) {
            cap *= 2;
            struct yline *nv = realloc(L, cap * sizeof(*L));
            if (!nv) {
                free(L);
                return 0;
            }
            L = nv;
        }
        L[k++] = l;
        i = e + 1;
    }
    if (!end) {
        free(L);
        return 0;
    }
    for (size_t a = 0; a < k; a++)
        for (int e = 0; export_keys[e]; e++) {
            size_t el = strlen(export_keys[e]);
            if (L[a].n > el && !strncmp(L[a].p, export_keys[e], el) && L[a].p[el] == ':')
                *structured = 1;
        }
    for (size_t a = 0; a < k;) {
        struct yline l = L[a];
        if (blank_line(l) || l.p[0] == '#' || l.p[0] == ' ' || l.p[0] == '\t') {
            a++;
            continue;
        }
        const char *colon = memchr(l.p, ':', l.n);
        if (!colon || (colon + 1 < l.p + l.n && colon[1] != ' ' && colon[1] != '\t')) {
            a++;
            continue;
        }
        char key[48];
        size_t kl = (size_t)(colon - l.p);
        if (kl == 0 || kl >= sizeof(key)) {
            a++;
            continue;
        }
        memcpy(key, l.p, kl);
        key[kl] = '\0';
        if ((key[0] == '"' || key[0] == '\'') && kl >= 2 && key[kl - 1] == key[0]) {
            memmove(key, key + 1, kl - 2);
            key[kl - 2] = '\0';
        }
        const char *v = colon + 1;
        size_t vn = (size_t)(l.p + l.n - v);
        while (vn > 0 && (*v == ' ' || *v == '\t')) {
            v++;
            vn--;
        }
        a++;
        if (vn == 0 || v[0] == '#') {
            /* a block list, or an indented plain scalar over several lines */
            struct buf plain = BUF_INIT;
            while (a < k && (blank_line(L[a]) || L[a].p[0] == ' ' || L[a].p[0] == '-')) {
                size_t in = indent_of(L[a]);
                if (!blank_line(L[a]) && L[a].p[in] == '-' &&
                    (in + 1 == L[a].n || L[a].p[in + 1] == ' ')) {
                    char *item = scalar(L[a].p + in + 1, L[a].n - in - 1);
                    if (item && *item)
                        apply_value(c, key, item, 1, *structured);
                    free(item);
                } else if (!blank_line(L[a]) && L[a].p[0] == ' ') {
                    if (plain.len)
                        buf_putc(&plain, ' ');
                    buf_put(&plain, L[a].p + in, L[a].n - in);
                }
                a++;
            }
            if (plain.len) {
                char *sv = scalar(plain.data, plain.len);
                if (sv)
                    apply_value(c, key, sv, 0, *structured);
                free(sv);
            }
            buf_free(&plain);
            continue;
        }
        if (v[0] == '|' || v[0] == '>') {
            int folded = v[0] == '>';
            struct buf b = BUF_INIT;
            size_t ind = 0;
            size_t pending_blank = 0;
            while (a < k && (blank_line(L[a]) || indent_of(L[a]) > 0)) {
                if (blank_line(L[a])) {
                    pending_blank++;
                    a++;
                    continue;
                }
                size_t in = indent_of(L[a]);
                if (!ind)
                    ind = in;
                if (in < ind)
                    break;
                if (b.len) {
                    /* folded: a line break is a space, a blank line one newline */
                    if (folded && !pending_blank)
                        buf_putc(&b, ' ');
                    else if (!folded)
                        buf_putc(&b, '\n');
                    for (size_t q = 0; q < pending_blank; q++)
                        buf_putc(&b, '\n');
                }
                pending_blank = 0;
                buf_put(&b, L[a].p + ind, L[a].n - ind);
                a++;
            }
            char *sv = buf_take(&b);
            if (sv)
                apply_value(c, key, sv, 0, *structured);
            free(sv);
            continue;
        }
        if (v[0] == '[') {
            /* the list may continue over the following lines */
            struct buf b = BUF_INIT;
            buf_put(&b, v + 1, vn - 1);
            size_t a0 = a;
            int closed = 0;
            for (;;) {
                /* dry check: does the text so far hold the closing bracket outside quotes? */
                int inq = 0;
                char qc = 0;
                for (size_t q = 0; q < b.len; q++) {
                    char ch = b.data[q];
                    if (inq) {
                        if (ch == '\\' && qc == '"')
                            q++;
                        else if (ch == qc)
                            inq = 0;
                    } else if (ch == '"' || ch == '\'') {
                        inq = 1;
                        qc = ch;
                    } else if (ch == ']') {
                        closed = 1;
                        break;
                    }
                }
                if (closed || a >= k)
                    break;
                buf_putc(&b, '\n');
                buf_put(&b, L[a].p, L[a].n);
                a++;
            }
            if (closed)
                flow_list(c, key, b.data, b.len, apply_value, *structured);
            else
                a = a0;
            buf_free(&b);
            continue;
        }
        char *sv = NULL;
        if (v[0] == '"' || v[0] == '\'') {
            /* a quoted scalar may continue over the following lines */
            struct buf b = BUF_INIT;
            buf_put(&b, v, vn);
            size_t a0 = a;
            struct buf tmp = BUF_INIT;
            while (!quoted(b.data, b.len, &tmp) && a < k) {
                buf_reset(&tmp);
                buf_putc(&b, ' ');
                size_t in = indent_of(L[a]);
                buf_put(&b, L[a].p + in, L[a].n - in);
                a++;
            }
            buf_reset(&tmp);
            if (!b.err && quoted(b.data, b.len, &tmp) == 0) {
                a = a0; /* never closed: the first line alone, as written */
                sv = scalar(v, vn);
            } else {
                sv = scalar(b.data, b.len);
            }
            buf_free(&tmp);
            buf_free(&b);
        } else {
            sv = scalar(v, vn);
        }
        if (sv)
            apply_value(c, key, sv, 0, *structured);
        free(sv);
    }
    free(L);
    int line = 1;
    for (size_t q = 0; q < end; q++)
        if (s[q] == '\n')
            line++;
    *end_line = line;
    return end;
}
