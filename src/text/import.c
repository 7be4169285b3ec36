/* import.c: detection of what an uploaded or imported file is, and the dispatch to the
 * reader for it (EPUB, AO3 download, manuscript). */
#include "core/err.h"
#include "core/hash.h"
#include "text/decode.h"
#include "text/imp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *import_kind_name(enum import_kind k)
{
    switch (k) {
    case IMPORT_AO3_HTML:
        return "ao3-html";
    case IMPORT_EPUB:
        return "epub";
    case IMPORT_ZIP:
        return "zip";
    default:
        return "manuscript";
    }
}

static int has_ext(const char *name, const char *ext)
{
    size_t n = name ? strlen(name) : 0, e = strlen(ext);
    return n > e && !strcasecmp(name + n - e, ext);
}

static const void *find(const unsigned char *b, size_t n, const char *s)
{
    return memmem(b, n, s, strlen(s));
}

enum import_kind import_detect(const unsigned char *b, size_t n, const char *filename)
{
    if (n >= 4 && !memcmp(b, "PK\x03\x04", 4)) {
        /* the EPUB container's first entry: "mimetype", stored, holding the media type */
        if (n >= 58 && !memcmp(b + 30, "mimetype", 8) &&
            !memcmp(b + 38, "application/epub+zip", 20))
            return IMPORT_EPUB;
        size_t head = n < 4096 ? n : 4096;
        if (find(b, head, "mimetypeapplication/epub+zip") || has_ext(filename, ".epub"))
            return IMPORT_EPUB;
        return IMPORT_ZIP;
    }
    /* AO3's preface: the tag list and the "Posted originally on the ..." message */
    size_t head = n < 65536 ? n : 65536;
    if (find(b, head, "<dl class=\"tags\">") &&
        (find(b, head, "Posted originally on the") || find(b, head, "id=\"preface\"")))
        return IMPORT_AO3_HTML;
    return IMPORT_MANUSCRIPT;
}

int import_bytes(const unsigned char *b, size_t n, const struct ms_opts *opts, struct work *out,
                 enum import_kind *kind, struct text_err *err)
{
    enum import_kind k = IMPORT_MANUSCRIPT;
    if (!opts || opts->format == MS_AUTO)
        k = import_detect(b, n, opts ? opts->filename : NULL);
    if (kind)
        *kind = k;
    size_t max = opts && opts->max_bytes ? opts->max_bytes : MS_MAX_BYTES_DEFAULT;
    if (k != IMPORT_MANUSCRIPT && n > max) {
        work_init(out);
        snprintf(err->msg, sizeof(err->msg), "file is %.1f MB; the limit is %.0f MB",
                 (double)n / 1e6, (double)max / 1e6);
        return FICD_ETOOBIG;
    }
    int rc;
    switch (k) {
    case IMPORT_ZIP:
        work_init(out);
        snprintf(err->msg, sizeof(err->msg),
                 "a zip archive that is not an EPUB (no application/epub+zip mimetype)");
        return FICD_EINVAL;
    case IMPORT_EPUB:
        rc = import_epub(b, n, opts, out, err);
        break;
    case IMPORT_AO3_HTML: {
        char *text = NULL;
        size_t len = 0;
        const char *enc = NULL;
        rc = decode_text(b, n, &text, &len, &enc, err);
        if (rc) {
            work_init(out);
            return rc;
        }
        rc = import_ao3_html(text, len, opts, out, err);
        free(text);
        break;
    }
    default:
        return ms_import(b, n, opts, out, err);
    }
    if (!rc)
        hash_sha256_hex(b, n, out->content_hash);
    return rc;
}
