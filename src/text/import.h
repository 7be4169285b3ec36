/* import.h: works from elsewhere. Detects what a file is by its content (an EPUB zip, an AO3
 * download in HTML, or a manuscript) and reads it into a struct work: AO3's downloads (the
 * preface's tag list, byline, summary, notes, series, stats with the published date, chapter
 * titles, notes and end notes, the work's end notes), EPUB 2 and 3 in general (OPF metadata,
 * the spine as chapters titled from the navigation document or NCX, calibre's and EPUB 3's
 * series, FanFicFare's title page read like a header block) and manuscripts (manuscript.h).
 * Hostile EPUBs (zip bombs, path traversal, missing files, huge spines, XML with entities or
 * malformed) are refused with a message naming the problem. */
#ifndef FICD_IMPORT_H
#define FICD_IMPORT_H

#include "core/work.h"
#include "text/manuscript.h"
#include "text/text.h"

#include <stddef.h>

enum import_kind {
    IMPORT_MANUSCRIPT = 0, /* plain text, Markdown, HTML */
    IMPORT_AO3_HTML,       /* AO3's HTML download */
    IMPORT_EPUB,           /* any EPUB 2 or 3 */
    IMPORT_ZIP,            /* a zip archive that is not an EPUB (refused) */
};

/* Limits on EPUB archives (whatever the declared sizes say, reading stops at these). */
#define IMPORT_EPUB_MAX_ENTRIES 5000
#define IMPORT_EPUB_MAX_SPINE   2000
#define IMPORT_EPUB_MAX_ENTRY   ((size_t)64 << 20)  /* one inflated file: 64 MiB */
#define IMPORT_EPUB_MAX_TOTAL   ((size_t)256 << 20) /* all inflated files: 256 MiB */

/* "manuscript", "ao3-html", "epub" or "zip". */
const char *import_kind_name(enum import_kind k);

/* What the bytes are: EPUB by the zip's mimetype entry (or a zip named *.epub), an AO3
 * download by its preface markers (the tag list and "Posted originally on the ..."), a zip
 * otherwise refused, anything else a manuscript. filename may be NULL. */
enum import_kind import_detect(const unsigned char *b, size_t n, const char *filename);

/* Reads bytes of any supported kind into out (work_init'ed here; free with work_free), as
 * ms_import does: out->draft = 1, out->content_hash set. opts as for ms_import (format
 * MS_AUTO lets detection decide; an explicit MS_TEXT/MS_MARKDOWN/MS_HTML forces the
 * manuscript reader). *kind (may be NULL) tells which reader ran. Returns 0 or FICD_EINVAL /
 * FICD_EENCODING / FICD_ETOOBIG / FICD_ENOMEM with err filled. */
int import_bytes(const unsigned char *b, size_t n, const struct ms_opts *opts, struct work *out,
                 enum import_kind *kind, struct text_err *err);

/* The AO3 download reader on HTML text (UTF-8). */
int import_ao3_html(const char *html, size_t n, const struct ms_opts *opts, struct work *out,
                    struct text_err *err);

/* The EPUB reader on the archive's bytes. */
int import_epub(const unsigned char *b, size_t n, const struct ms_opts *opts, struct work *out,
                struct text_err *err);

/* The plain text of a parsed HTML tree (a GumboNode *): paragraphs separated by a blank
 * line; NULL when it holds no text. */
char *import_plain_text(const void *gumbo_node);

/* A date "YYYY-MM-DD" (anything after the day ignored) as unix seconds at 00:00 UTC; 0 when
 * not a date from 1970 on. */
long long import_parse_date(const char *s);

#endif
