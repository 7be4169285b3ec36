/* convert.h: AZW3, MOBI and PDF downloads, made from a work's EPUB by calibre's
 * `ebook-convert` when it is installed (the formats are not offered otherwise). Results are
 * cached per work version (the file is named after the SHA-256 of the EPUB, which the
 * exporter makes byte for byte the same for the same work) under DATA/downloads; the
 * conversions run on their own threads, at most `conversions` at a time, never on a request
 * thread: a request for a file not made yet queues it and is told to come back. */
#ifndef FICD_CONVERT_H
#define FICD_CONVERT_H

#include <stddef.h>

struct web_config;

enum convert_format { CONVERT_AZW3 = 0, CONVERT_MOBI, CONVERT_PDF, CONVERT__COUNT };

enum convert_state {
    CONVERT_READY = 0, /* *path names the cached file */
    CONVERT_PENDING,   /* queued or running: ask again shortly */
    CONVERT_BUSY,      /* the queue is full: ask again later */
    CONVERT_FAILED,    /* ebook-convert failed on this version (not retried for a while) */
    CONVERT_ERROR,     /* no converter, or an I/O error here */
};

/* Whether ebook-convert is available (looked up once, on first use, from cfg). */
int convert_available(const struct web_config *cfg);

/* "azw3", "mobi", "pdf" -> the format, else -1. */
int convert_format_parse(const char *ext);
const char *convert_ext(enum convert_format f);
const char *convert_label(enum convert_format f); /* "AZW3", "MOBI", "PDF" */
const char *convert_mime(enum convert_format f);

/* The converted file for these EPUB bytes: READY with *path (malloc'd) when cached, else
 * queues the conversion (once per version and format). */
enum convert_state convert_get(const struct web_config *cfg, const void *epub, size_t n,
                               enum convert_format f, char **path);

#endif
