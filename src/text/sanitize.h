/* sanitize.h: the allow-list HTML sanitizer built on gumbo (close to AO3's allowed set):
 * elements a, abbr, acronym, address, b, big, blockquote, br, caption, center, cite, code,
 * col, colgroup, dd, del, dfn, div, dl, dt, em, h1-h6, hr, i, img, ins, kbd, li, ol, p, pre,
 * q, s, samp, small, span, strike, strong, sub, sup, table, tbody, td, tfoot, th, thead, tr,
 * tt, u, ul, var; attributes limited per element (href with http/https/mailto/relative only,
 * title, alt, src http/https, align, dir, lang, class from a small set, ...); no scripts,
 * styles, event handlers, forms, iframes. Output is deterministic, serialised the same way
 * every time (so sanitize(sanitize(x)) == sanitize(x)), void elements as <br>/<hr>. */
#ifndef FICD_SANITIZE_H
#define FICD_SANITIZE_H

#include "core/html.h"

#include <stddef.h>

/* Returns a malloc'd sanitized HTML fragment (never NULL except on allocation failure). */
char *sanitize_html(const char *html, size_t n);
/* Markdown (CommonMark + GFM tables/strikethrough/autolinks) to sanitized HTML. */
char *markdown_to_html(const char *md, size_t n);
/* Marks an already sanitized string as safe for the escaping writer. */
static inline struct html_safe html_sanitized(const char *s)
{
    struct html_safe h = {s};
    return h;
}

#endif
