/* export_int.h: what the exporters (export.c, epub.c, html_convert.c) share privately: the
 * metadata rows shown as AO3 shows them, dates and counts, language codes, the EPUB writer. */
#ifndef FICD_EXPORT_INT_H
#define FICD_EXPORT_INT_H

#include "core/buf.h"
#include "core/work.h"

#include <stdint.h>

/* The title to show: w->title, or "Untitled" when it is NULL or empty. */
const char *export_title(const struct work *w);
/* "2/?" or "3/3": chapters posted over chapters expected. out holds at least 32 bytes. */
void export_chapters_str(const struct work *w, char *out, size_t outsz);
/* "Chapter 3" or "Chapter 3: The Title" appended to out. */
void export_chapter_heading(const struct chapter *c, struct buf *out);
/* 1 when the work is shown with chapter headings (more than one chapter, or a titled one). */
int export_has_headings(const struct work *w);
/* 1 when s holds anything but whitespace. */
int export_nonblank(const char *s);

/* Calls fn once per metadata row, in AO3's order (Rating, Archive Warning(s), Category,
 * Fandom, Relationship, Character, Additional Tags, Language, Series, Stats), with the label
 * (singular or plural as the count asks) and the value as plain text (list items joined by
 * ", "). Rows with nothing to show are skipped. Returns 0 or FICD_ENOMEM. */
int export_meta_each(const struct work *w,
                     void (*fn)(void *ctx, const char *label, const char *value), void *ctx);

/* A BCP-47 code for an AO3 language name ("English" -> "en", "日本語" -> "ja"); a value that
 * already looks like a code is kept; "en" when unknown or NULL. */
const char *export_lang_code(const char *language);
/* 1 when the language code is written right to left (ar, fa, he, ur, yi). */
int export_lang_rtl(const char *code);

/* The EPUB 3 writer (epub.c): appends the archive bytes to out. */
int export_epub(const struct work *w, struct buf *out);

/* Sanitized HTML fragment to well-formed XHTML for EPUB content documents (epub.c): void
 * elements self-closed, entities as UTF-8, characters XML forbids dropped, elements and
 * attributes HTML5 made obsolete mapped to current ones, remote images turned into links,
 * in-document links kept only when their anchor exists. */
int html_to_xhtml(const char *html, struct buf *out);

#endif
