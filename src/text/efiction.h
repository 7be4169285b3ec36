/* efiction.h: how eFiction's classifications land on AO3's model: its ratings on AO3's
 * ratings, its classes (by class type: warnings, genres, pairings, ...) on archive warnings,
 * categories, relationships, characters or additional tags, its categories on fandoms, its
 * characters on character tags; and its story and note HTML (or plain text) as sanitized
 * chapter HTML and plain text. The defaults are written in docs/import.md; a mapping file
 * overrides them, one rule a line:
 *     KIND NAME = TARGET        # KIND: rating, class, classtype, category, character
 * with TARGET an AO3 rating for ratings; for classtypes one of warning, category,
 * relationship, character, fandom, freeform, drop; for the others "warning: NAME",
 * "category: F/M", "relationship: NAME", "character: NAME", "fandom: NAME",
 * "freeform: NAME" or "drop". */
#ifndef FICD_EFICTION_MAP_H
#define FICD_EFICTION_MAP_H

#include "core/work.h"

#include <stddef.h>

struct efmap_rule;
struct efmap {
    struct efmap_rule *v;
    size_t n, cap;
};

/* The defaults, then the rules of path (NULL: none). -1 with err ("FILE:LINE: why"). */
int efmap_load(struct efmap *m, const char *path, char *err, size_t errsz);
void efmap_free(struct efmap *m);

/* Each sets what the eFiction value means on w. */
void efmap_rating(const struct efmap *m, const char *rating, struct work *w);
void efmap_class(const struct efmap *m, const char *classtype, const char *name, struct work *w);
void efmap_category(const struct efmap *m, const char *name, struct work *w);
void efmap_character(const struct efmap *m, const char *name, struct work *w);
/* After every class: a story with no archive warning gets "Creator Chose Not To Use Archive
 * Warnings" (AO3's rule for works brought from elsewhere). */
void efmap_finish(struct work *w);

/* Story text as sanitized HTML: HTML kept, plain text (no tags) as paragraphs. */
char *efmap_body(const char *text);
/* HTML or text as plain text (paragraphs separated by a blank line); NULL when empty. */
char *efmap_plain(const char *text);
/* "2006-02-09 22:21:35" as unix seconds (UTC); 0 for zero or missing dates. */
long long efmap_datetime(const char *s);

#endif
