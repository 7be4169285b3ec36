/* imp_epub_int.h: what the two halves of the EPUB reader share: imp_epub_pkg.c (archive,
 * XML, package document, navigation) and imp_epub.c (content documents, import_epub). */
#ifndef FICD_TEXT_IMP_EPUB_INT_H
#define FICD_TEXT_IMP_EPUB_INT_H

#include "text/imp_int.h"

#include <libxml/tree.h>
#include <zip.h>

/* A manifest item: id, path inside the archive (resolved), media type, properties. */
struct item {
    char *id, *path, *type, *props;
};

/* A navigation entry: a content document's path and its title. */
struct toc_entry {
    char *path, *title;
};

/* One EPUB being read. */
struct epub {
    zip_t *za;
    size_t total; /* bytes inflated so far */
    struct text_err *err;
    const struct ms_opts *opts;
    char *opf_path, *opf_dir;
    struct item *items;
    size_t nitems, items_cap;
    size_t *spine; /* indexes into items */
    size_t nspine, spine_cap;
    struct toc_entry *toc;
    size_t ntoc, toc_cap;
    struct strlist subjects;
    char *series_id; /* EPUB 3 belongs-to-collection id, for its refines */
};

/* Sets the error message (when none is set yet) and returns rc. */
int epubr_fail(struct epub *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Checks the entries before anything is inflated: count, names, declared sizes. */
int epubr_check_archive(struct epub *e);

/* Inflates one file (NUL-terminated), refusing it past its declared size or the caps. */
int epubr_read_entry(struct epub *e, const char *name, char **out, size_t *outlen);

/* Checks the mimetype file and finds the package document through
 * META-INF/container.xml (e->opf_path, e->opf_dir). */
int epubr_container(struct epub *e);

/* Reads the package document: metadata into w, the manifest, the spine, and where the
 * navigation is (EPUB 2 NCX, EPUB 3 nav document; malloc'd, NULL when none). */
int epubr_package(struct epub *e, struct work *w, char **ncx_path, char **nav_path);

/* Reads the titles of an EPUB 2 NCX (path) into e->toc; epubr_nav those of an EPUB 3
 * navigation document. */
int epubr_ncx(struct epub *e, const char *path);
int epubr_nav(struct epub *e, const char *path);

/* The navigation's title for the content document at path, or NULL. */
const char *epubr_toc_title(const struct epub *e, const char *path);

#endif
