/* export.h: a work out as plain text, Markdown (with YAML front matter that ms_import reads
 * back to the same metadata and text), one self-contained HTML page, or EPUB 3
 * (epubcheck-clean: title page with metadata and tags as AO3 shows them, summary, notes, a
 * chapter per XHTML file, navigation document). */
#ifndef FICD_EXPORT_H
#define FICD_EXPORT_H

#include "core/buf.h"
#include "core/work.h"

enum export_format { EXPORT_TXT = 0, EXPORT_MD, EXPORT_HTML, EXPORT_EPUB };

/* Returns -1 when the name is unknown; accepts "txt", "md", "markdown", "html", "epub". */
int export_format_parse(const char *name);
const char *export_format_ext(enum export_format f);        /* "txt", "md", "html", "epub" */
const char *export_format_mime(enum export_format f);       /* e.g. "application/epub+zip" */
/* A file-name slug from the title: ASCII letters/digits, '_' between words, at most 60
 * bytes, "work" when nothing is left. Caller frees. */
char *export_slug(const char *title);

/* Appends the export of w to out (binary for EPUB). now is the time written into the EPUB's
 * dcterms:modified (0 = current time). Returns 0 or a FICD_E* code. */
int export_work(const struct work *w, enum export_format f, struct buf *out);

/* Conversions used by the exporters (and by the web layer for previews):
 * sanitized chapter HTML to Markdown, and to plain text (paragraphs separated by blank lines,
 * <hr> as a centred "* * *", emphasis as *word*). */
int html_to_markdown(const char *html, struct buf *out);
int html_to_text(const char *html, struct buf *out);

#endif
