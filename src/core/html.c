/* html.c: the escaping writer (text, attribute, URL path, URL argument contexts). */
#include "core/html.h"

#include <stdio.h>
#include <string.h>

void html_textn(struct buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\0': rep = ""; break;
        default: continue;
        }
        buf_put(b, s + start, i - start);
        buf_puts(b, rep);
        start = i + 1;
    }
    buf_put(b, s + start, n - start);
}

void html_text(struct buf *b, const char *s)
{
    if (s)
        html_textn(b, s, strlen(s));
}

void html_attr(struct buf *b, const char *s)
{
    html_text(b, s);
}

static void url_encode(struct buf *b, const char *s, int is_arg)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(b, (char)c);
        } else if (c == ' ' && is_arg) {
            buf_putc(b, '+');
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_put(b, e, 3);
        }
    }
}

void html_url_path(struct buf *b, const char *s)
{
    url_encode(b, s, 0);
}

void html_url_arg(struct buf *b, const char *s)
{
    url_encode(b, s, 1);
}

void html_int(struct buf *b, long long v)
{
    buf_printf(b, "%lld", v);
}

void html_safe_put(struct buf *b, struct html_safe h)
{
    if (h.html)
        buf_puts(b, h.html);
}

void html_paragraphs(struct buf *b, const char *s)
{
    if (!s)
        return;
    const char *p = s;
    while (*p) {
        while (*p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        html_lit(b, "<p>");
        size_t start = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '\n') {
                size_t e = i;
                if (e > start && p[e - 1] == '\r')
                    e--;
                html_textn(b, p + start, e - start);
                html_lit(b, "<br>");
                start = i + 1;
            }
        }
        html_textn(b, p + start, n - start);
        html_lit(b, "</p>\n");
        p += n;
    }
}
