/* html.h: the escaping writer. User text reaches a page only through these functions:
 * html_lit() accepts string literals only, html_text()/html_attr() escape, URL parts are
 * percent-encoded, and already-sanitized fragments travel as struct html_safe. */
#ifndef FICD_HTML_H
#define FICD_HTML_H

#include "core/buf.h"

#include <stddef.h>

/* Raw markup: the "" s "" concatenation only compiles when s is a string literal. */
#define html_lit(b, s) buf_put((b), "" s "", sizeof(s) - 1)

/* A fragment that is safe to emit as is: produced only by the sanitizer (text/sanitize.h)
 * or by code in this project that builds markup through this writer. */
struct html_safe {
    const char *html;
};

void html_text(struct buf *b, const char *s);             /* element content */
void html_textn(struct buf *b, const char *s, size_t n);  /* element content, n bytes */
void html_attr(struct buf *b, const char *s);             /* inside a "..." attribute */
void html_url_path(struct buf *b, const char *s);         /* one path segment */
void html_url_arg(struct buf *b, const char *s);          /* a query-string value */
void html_int(struct buf *b, long long v);
void html_safe_put(struct buf *b, struct html_safe h);
/* Text with newlines as paragraphs: each blank-line separated block becomes <p>..</p>,
 * single newlines become <br>. Used for summaries and notes given as plain text. */
void html_paragraphs(struct buf *b, const char *s);

#endif
