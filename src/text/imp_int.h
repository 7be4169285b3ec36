/* imp_int.h: private to the importers of works from elsewhere (import.c, imp_*.c): gumbo
 * helpers, the preface/chapter walker that AO3's downloads and ficd's own exports share, and
 * the header-block reader for title pages. */
#ifndef FICD_IMP_INT_H
#define FICD_IMP_INT_H

#include "core/buf.h"
#include "core/work.h"
#include "text/import.h"

#include <gumbo.h>
#include <stddef.h>

/* ---- gumbo helpers (imp_util.c) ---- */
const char *imp_attr(const GumboNode *n, const char *name);
int imp_has_class(const GumboNode *n, const char *cls);
int imp_is(const GumboNode *n, GumboTag tag);
/* Plain text of a subtree: block elements end paragraphs (blank line between), <br> ends a
 * line, runs of white space collapse to one space, lines trimmed. */
void imp_text(const GumboNode *n, struct buf *out);
/* The same, as a malloc'd string with outer white space removed (NULL when empty). */
char *imp_text_dup(const GumboNode *n);
/* Serialises the children of n as HTML (text escaped, attributes kept). */
void imp_inner_html(const GumboNode *n, struct buf *out);
void imp_outer_html(const GumboNode *n, struct buf *out);
/* Finds the first element with this tag under n (n included); NULL when none. */
const GumboNode *imp_find(const GumboNode *n, GumboTag tag);
/* Sets a chapter's body from untrusted HTML: sanitized, words counted. */
int imp_chapter_body(struct chapter *c, const char *html, size_t n);
/* Replaces *dst with a copy of s trimmed (NULL when s is empty). */
int imp_set(char **dst, const char *s);
/* Trims white space in place and returns s. */
char *imp_trim(char *s);
/* A chapter heading's own title: "Chapter 3: Storm" -> "Storm"; "Chapter 3" -> NULL. */
char *imp_chapter_title(const char *heading);
/* Parses "Part 2 of Name" (AO3, ficd) or "Name [2]" / "Name #2" (FanFicFare) into the
 * work's series fields. */
void imp_series(struct work *w, const char *s);
/* Sets a field from a tag label and its values ("Fandom", "Archive Warnings", ...); the
 * values are the tag names. Returns 1 when the label is known, 0 otherwise. */
int imp_meta_field(struct work *w, const char *label, const struct strlist *values,
                   const char *text);
/* Splits "a, b, c" into l (trimmed, empty items dropped). */
void imp_split(struct strlist *l, const char *s);

/* ---- the preface/chapter walker (imp_ao3.c) ---- */
struct imp_walk {
    struct work *w;
    int pending;         /* a label ("Summary", "Chapter Notes") waiting for its text */
    struct chapter *cur; /* the chapter being read */
    int max_chapters;
    int meta;                  /* a tag list (dl) was read */
    int labels;                /* labelled texts read */
    int bodies;                /* chapter bodies read */
    int headings;              /* chapter headings read */
    int marks;                 /* AO3 layout seen (preface/afterword headings, messages) */
    int heading_text_rule;     /* "Chapter N: ..." h2 text starts a chapter without class */
    const GumboNode *used[64]; /* elements read as metadata (not chapter text) */
    int nused;
    int rc; /* first error */
    char errmsg[200];
};
void imp_walk_init(struct imp_walk *st, struct work *w, int max_chapters);
/* Drops the chapters announced by a heading but left without text and numbers the rest from
 * 1; returns how many are left. */
size_t imp_drop_empty_chapters(struct work *w);
void imp_walk(struct imp_walk *st, const GumboNode *n);
/* Whether the walker read n as metadata (a heading, a label, its text, the tag list, ...). */
int imp_walk_used(const struct imp_walk *st, const GumboNode *n);

/* ---- title pages written as "Label: value" lines (FanFicFare) ---- */
/* Reads such lines from text; returns how many known labels were found. */
int imp_header_lines(struct work *w, const char *text);

#endif
