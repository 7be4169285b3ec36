/* import_known.h: the archive's wrangled tags as the manuscript importer reads them
 * (text/manuscript.h's struct ms_known), loaded from the store for the browser's import page
 * and for `ficd import`. */
#ifndef FICD_WEB_IMPORT_KNOWN_H
#define FICD_WEB_IMPORT_KNOWN_H

struct ms_known;
struct store;

/* A new struct ms_known with the canonical fandom, relationship and character tags, their
 * synonyms and the parent fandoms of characters and relationships (free with
 * ms_known_free). NULL without memory or when the store cannot be read (the reason in
 * store_errmsg). */
struct ms_known *import_known_load(struct store *s);

#endif
