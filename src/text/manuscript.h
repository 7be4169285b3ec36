/* manuscript.h: the manuscript importer. Bytes of a plain-text, Markdown or HTML manuscript
 * in, a struct work out: title (and pairing from "Title - A/B"), header blocks of "Key: value"
 * lines and YAML front matter, sentence-form warnings, author's notes at top or bottom, beta
 * and song credits, prompt-fill notes, chapter headings, scene breaks, emphasis; plus tag
 * suggestions (characters named in the prose), kept apart from what the writer declared. */
#ifndef FICD_MANUSCRIPT_H
#define FICD_MANUSCRIPT_H

#include "core/work.h"
#include "text/text.h"

#include <stddef.h>
#include <stdint.h>

/* What the archive's wrangled tags say (ms_known.c): canonical characters, relationships and
 * fandoms, their synonyms, and the parent fandoms of characters and relationships. Filled
 * once from the store (tags with ms_known_tag, parent edges with ms_known_parent, in any
 * order) and then shared, read-only, by any number of imports on any threads. */
struct ms_known;
struct ms_known *ms_known_new(void);
/* A tag: only canonical tags and synonyms of fandom, relationship and character type are
 * kept (others are ignored). Returns 0 or -1 without memory. */
int ms_known_tag(struct ms_known *k, int64_t id, enum tag_type type, const char *name,
                 int canonical, int64_t synonym_of);
/* A parent fandom of a character or relationship (ids as given to ms_known_tag). */
int ms_known_parent(struct ms_known *k, int64_t child_id, int64_t parent_id);
void ms_known_free(struct ms_known *k);

enum ms_format { MS_AUTO = 0, MS_TEXT, MS_MARKDOWN, MS_HTML };

#define MS_MAX_BYTES_DEFAULT    ((size_t)50 << 20) /* 50 MiB */
#define MS_MAX_CHAPTERS_DEFAULT 500

struct ms_opts {
    enum ms_format format; /* MS_AUTO: from the file name's extension, then the content */
    const char *filename;  /* for format detection and messages; may be NULL */
    size_t max_bytes;      /* 0 = MS_MAX_BYTES_DEFAULT */
    int max_chapters;      /* 0 = MS_MAX_CHAPTERS_DEFAULT */
    /* Existing canonical tags that suggestions are matched against (may be NULL). */
    const struct strlist *known_characters;
    /* Parallel to known_characters: the fandom of each (or "" when unknown); may be NULL.
     * A suggested character's fandom becomes a fandom suggestion. */
    const struct strlist *known_character_fandoms;
    const struct strlist *known_relationships;
    const struct strlist *known_fandoms;
    /* The archive's wrangled tags (may be NULL); when set, the four lists above are not
     * used. Characters are matched by canonical name and synonyms (and one word of either:
     * "Sakura" fits "Haruno Sakura"), suggested in canonical form, and the parent fandoms of
     * the suggested and declared characters and relationships become fandom suggestions. */
    const struct ms_known *known;
};

/* Decodes and parses raw bytes into out (work_init'ed by this call; free with work_free).
 * Sets out->content_hash to the hex SHA-256 of the raw bytes. out->draft = 1.
 * Returns 0, or FICD_EINVAL / FICD_EENCODING / FICD_ETOOBIG with err filled (message names
 * the problem; err->line where it applies). */
int ms_import(const unsigned char *bytes, size_t n, const struct ms_opts *opts, struct work *out,
              struct text_err *err);

/* The same on text already decoded to UTF-8 (LF line ends). */
int ms_parse(const char *utf8, size_t n, const struct ms_opts *opts, struct work *out,
             struct text_err *err);

#endif
