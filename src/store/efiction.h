/* efiction.h: reading a live eFiction 3.x database (MySQL/MariaDB, through libmariadb):
 * authors, categories, characters, classes and their types, ratings, series and the stories
 * in them, stories with coauthors, chapters and reviews. Rows come back as plain structs of
 * strings exactly as the archive holds them (HTML, dates as "YYYY-MM-DD hh:mm:ss"); turning
 * them into works is the importer's job (text/efiction.h, cli/cmd_import_efiction.c).
 * Table names are the prefix (letters, digits, '_') and eFiction's names; values are always
 * bound parameters. */
#ifndef FICD_EFICTION_H
#define FICD_EFICTION_H

#include <stddef.h>
#include <stdint.h>

struct ef_db;

struct ef_author {
    int64_t uid;
    char *penname, *realname, *email, *bio, *date;
};

/* A named row: category (parent = parentcatid), character (parent = catid), class (parent =
 * class_type), class type (name = classtype_name, title = classtype_title), rating. */
struct ef_named {
    int64_t id, parent;
    char *name, *title;
};

struct ef_series {
    int64_t id, uid;
    char *title, *summary;
};

struct ef_inseries {
    int64_t seriesid, sid;
    int inorder;
};

struct ef_chapter {
    int64_t chapid, uid;
    int inorder, validated;
    char *title, *notes, *storytext, *endnotes;
};

struct ef_review {
    int64_t id, item, chapid, uid;
    char *reviewer, *review, *date, *type;
};

struct ef_story {
    int64_t sid, uid;
    char *title, *summary, *storynotes, *catid, *classes, *charid, *rid, *date, *updated;
    int completed, validated;
    int64_t *coauthors;
    size_t ncoauthors;
};

struct ef_archive {
    struct ef_author *authors;
    size_t nauthors;
    struct ef_named *categories, *characters, *classes, *classtypes, *ratings;
    size_t ncategories, ncharacters, nclasses, nclasstypes, nratings;
    struct ef_series *series;
    size_t nseries;
    struct ef_inseries *inseries;
    size_t ninseries;
    struct ef_story *stories;
    size_t nstories;
};

/* Connects to mysql://user:password@host[:port]/database (user and password may be
 * percent-encoded; ?socket=/path connects through a Unix socket). prefix is the table
 * prefix ("fanfiction_" by default when NULL). Returns 0, or -1 with err filled. */
int ef_open(const char *url, const char *prefix, struct ef_db **out, char *err, size_t errsz);
void ef_close(struct ef_db *db);

/* Loads everything but chapter texts and reviews. -1 with err filled on failure. */
int ef_load(struct ef_db *db, struct ef_archive *out, char *err, size_t errsz);
void ef_archive_free(struct ef_archive *a);

/* One story's chapters, in reading order (inorder, then chapid). */
int ef_chapters(struct ef_db *db, int64_t sid, struct ef_chapter **out, size_t *n, char *err,
                size_t errsz);
void ef_chapters_free(struct ef_chapter *c, size_t n);

/* One story's reviews (type 'ST'), oldest first. */
int ef_reviews(struct ef_db *db, int64_t sid, struct ef_review **out, size_t *n, char *err,
               size_t errsz);
void ef_reviews_free(struct ef_review *r, size_t n);

/* A stable name of the source ("efiction:host/database/prefix") for the import mapping. */
const char *ef_source(const struct ef_db *db);

#endif
