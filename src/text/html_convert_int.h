/* html_convert_int.h: what the two converters of sanitized chapter HTML (html_markdown.c,
 * html_text.c) share, defined in html_convert.c: gumbo tree helpers, the HTML serialiser
 * that writes elements the way the sanitizer does, and the writer of prefixed lines. */
#ifndef FICD_TEXT_HTML_CONVERT_INT_H
#define FICD_TEXT_HTML_CONVERT_INT_H

#include "core/buf.h"

#include <gumbo.h>
#include <stdint.h>

/* Elements nested deeper than this are left out (sanitized HTML stays far below it). */
#define CONV_MAX_DEPTH 200
/* Plain text is not wrapped; a scene break is centred as if lines were this wide. */
#define TEXT_WIDTH 72

/* Writes a node back as HTML exactly as the sanitizer serialises it (attributes in the order
 * given, text escaping &, <, >, void elements as <br>), for raw HTML in Markdown. With guard
 * set no line of the result is blank: a newline that would end a whitespace-only line is
 * written as &#10;, which parses back to the same text but cannot end a Markdown HTML block. */
struct ser {
    struct buf *out;
    int guard; /* write &#10; for a newline that would end a blank line */
    int blank; /* the current line holds only whitespace so far */
};

struct lw {
    struct buf *out;
    struct buf prefix; /* written at the start of every line: "> ", list indentation */
    int bol;           /* the prefix is still to be written on this line */
    int empty;         /* no content on this line yet (a list marker does not count) */
    int sep;           /* line ends owed before the next block: 0, 1, or 2 for a blank line */
};

GumboOutput *hc_parse_fragment(const char *html, GumboOptions *opt);
const GumboVector *hc_root_kids(const GumboOutput *g);
int hc_is_text(const GumboNode *n);
int hc_is_elem(const GumboNode *n);
int hc_is_ws(char c);
/* True for a text node holding only whitespace, and for nodes that produce nothing. */
int hc_is_blank(const GumboNode *n);
int hc_is_block_tag(GumboTag t);
int hc_is_block(const GumboNode *n);
const char *hc_attr(const GumboElement *el, const char *name);
/* True when every attribute of el is one of the NULL-terminated names. */
int hc_attrs_within(const GumboElement *el, const char *const *names);
void hc_ser_open(struct ser *s, const GumboElement *el);
void hc_ser_node(struct ser *s, const GumboNode *n, int depth);
void hc_lw_init(struct lw *w, struct buf *out);
void hc_lw_start_line(struct lw *w);
void hc_lw_put(struct lw *w, const char *s, size_t n);
void hc_lw_puts(struct lw *w, const char *s);
/* Writes a list or quote marker: content, but the line still counts as empty. */
void hc_lw_marker(struct lw *w, const char *s);
/* Ends the line. Trailing blanks go unless keep is set (code lines keep theirs); a line
 * with nothing but the prefix gets the prefix without trailing spaces (">" in a quote). */
void hc_lw_nl(struct lw *w, int keep);
/* Pays the line ends owed before a block (one is paid already when the last block ended
 * with a line end). */
void hc_lw_begin(struct lw *w);
/* The last character of s (n bytes): 0 when empty, '?' when it is not well-formed. */
int32_t hc_last_char(const char *s, size_t n);
/* The last character written, decoded (0 at the start of a line). */
int32_t hc_lw_last_char(const struct lw *w);

#endif
