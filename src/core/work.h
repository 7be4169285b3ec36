/* work.h: the work model (AO3's): works, chapters, ratings, archive warnings, categories and
 * tags, as plain structs owned by the caller. Shared by text/ (parser, exporters), store/,
 * index/ and web/. Every string is heap-allocated (or NULL) and freed by work_free(). */
#ifndef FICD_WORK_H
#define FICD_WORK_H

#include <stddef.h>
#include <stdint.h>

/* Ratings, in AO3's order. RATING_NOT_RATED is the default. */
enum rating {
    RATING_NOT_RATED = 0,
    RATING_GENERAL,  /* General Audiences */
    RATING_TEEN,     /* Teen And Up Audiences */
    RATING_MATURE,   /* Mature */
    RATING_EXPLICIT, /* Explicit */
    RATING__COUNT
};

/* Archive warnings, a bit set. */
enum warning {
    WARN_CHOSE_NOT = 1 << 0, /* Creator Chose Not To Use Archive Warnings */
    WARN_VIOLENCE = 1 << 1,  /* Graphic Depictions Of Violence */
    WARN_MCD = 1 << 2,       /* Major Character Death */
    WARN_NONE = 1 << 3,      /* No Archive Warnings Apply */
    WARN_NONCON = 1 << 4,    /* Rape/Non-Con */
    WARN_UNDERAGE = 1 << 5,  /* Underage Sex */
};
#define WARN__COUNT 6

/* Categories, a bit set. */
enum category {
    CAT_FF = 1 << 0,
    CAT_FM = 1 << 1,
    CAT_GEN = 1 << 2,
    CAT_MM = 1 << 3,
    CAT_MULTI = 1 << 4,
    CAT_OTHER = 1 << 5,
};
#define CAT__COUNT 6

/* Tag types. Ratings, warnings and categories are tags too (as on AO3), so that the index
 * and the tag pages treat every filter alike; the work struct keeps them as enum/bits. */
enum tag_type {
    TAG_FANDOM = 0,
    TAG_RELATIONSHIP,
    TAG_CHARACTER,
    TAG_FREEFORM,
    TAG_RATING,
    TAG_WARNING,
    TAG_CATEGORY,
    TAG__COUNT
};

struct strlist {
    char **v;
    size_t n, cap;
};

struct chapter {
    int64_t id;        /* 0 until stored */
    int position;      /* 1-based */
    char *title;       /* may be NULL */
    char *summary;     /* plain text, may be NULL */
    char *notes_begin; /* plain text, may be NULL */
    char *notes_end;   /* plain text, may be NULL */
    char *html;        /* sanitized body HTML */
    int words;         /* AO3 word count of the body */
};

struct work {
    int64_t id; /* 0 until stored */
    char *title;
    struct strlist creators; /* pseud names */
    char *summary;           /* plain text (paragraphs separated by blank lines) */
    char *notes_begin;
    char *notes_end;
    char *language; /* a name such as "English", or a code; NULL when unknown */
    enum rating rating;
    int rating_declared; /* 1 when the writer gave a rating (importer output), else 0 */
    unsigned warnings;   /* enum warning bits */
    unsigned categories; /* enum category bits */
    struct strlist fandoms, relationships, characters, freeforms;
    struct strlist beta; /* beta readers credited */
    struct chapter *chapters;
    size_t nchapters, chapters_cap;
    int expected_chapters; /* 0 means unknown ("?"), i.e. a work in progress */
    int64_t published;     /* unix seconds, 0 = not yet */
    int64_t updated;       /* unix seconds */
    int draft;             /* 1 = not published */
    int restricted;        /* 1 = visible to logged-in users only */
    char *series;          /* series title placeholder; NULL when none */
    int series_position;
    int64_t series_id;     /* the store's series (filled when reading), 0 when none */
    char content_hash[65]; /* hex SHA-256 of the imported bytes, "" when posted by form */
    int64_t user_id;       /* owning account, 0 for CLI imports */
    /* Importer suggestions, kept apart from what the writer declared. */
    struct strlist sugg_characters, sugg_relationships, sugg_fandoms;
    /* Stats (filled by the store when known). */
    int64_t kudos, hits, comments, bookmarks;
    int64_t subscriptions;
    /* Feedback settings the creator chooses on the work form, and moderation. */
    int comment_policy;    /* enum comment_policy */
    int moderate_comments; /* 1: new comments wait for the creator's approval */
    int hidden;            /* 1: hidden by a moderator (only its creators see it) */
};

/* Who may comment on a work. */
enum comment_policy { COMMENTS_EVERYONE = 0, COMMENTS_REGISTERED = 1, COMMENTS_NOBODY = 2 };

void strlist_init(struct strlist *l);
void strlist_free(struct strlist *l);
int strlist_add(struct strlist *l, const char *s);            /* copies s */
int strlist_addn(struct strlist *l, const char *s, size_t n); /* copies n bytes */
int strlist_add_unique(struct strlist *l, const char *s);     /* case-insensitive unique */
int strlist_contains(const struct strlist *l, const char *s); /* case-insensitive */
void strlist_remove(struct strlist *l, const char *s);        /* case-insensitive */
int strlist_copy(struct strlist *dst, const struct strlist *src);

void work_init(struct work *w);
void work_free(struct work *w);
/* Appends an empty chapter (position set) and returns it, or NULL on allocation failure. */
struct chapter *work_add_chapter(struct work *w);
/* Index (0-based) of the chapter with id cid in w, or -1. */
int work_chapter_index(const struct work *w, int64_t cid);
int work_words(const struct work *w); /* sum of chapter word counts */
int work_is_complete(const struct work *w);
/* Deep copy of src into dst (dst initialised by this call). */
int work_copy(struct work *dst, const struct work *src);

/* Canonical display names, as AO3 spells them. */
const char *rating_name(enum rating r);
const char *rating_short(enum rating r); /* "G", "T", "M", "E", "NR" */
const char *warning_name(unsigned bit);
const char *category_name(unsigned bit);
const char *tag_type_name(enum tag_type t); /* "fandom", "relationship", ... */
int tag_type_from_name(const char *s);      /* -1 when unknown */
/* Parses a rating given by name (any case) or as letters: G, T, M, E, K, K+, PG, PG-13, R,
 * NC-17, MA, "General", "Teen", ... Returns -1 when unknown. */
int rating_parse(const char *s);
/* Parses one warning name ("Major Character Death", "mcd", "no warnings apply", ...). Returns
 * its bit, or 0 when unknown. */
unsigned warning_parse(const char *s);
/* Parses a category ("F/F", "FF", "Gen", "M/M", "Slash", "Het", ...); bit or 0. */
unsigned category_parse(const char *s);

#endif
