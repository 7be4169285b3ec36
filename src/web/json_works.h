/* json_works.h: the JSON form of works and of search results, written for the API
 * (web/api.c) and the CLI (`ficd search --format json`, import/list/show) alike, so both
 * speak the same keys (docs/api.md, docs/search.md); and the API's JSON responses. */
#ifndef FICD_WEB_JSON_WORKS_H
#define FICD_WEB_JSON_WORKS_H

#include <jansson.h>

struct idx_result;
struct web_req;
struct store;
struct strlist;
struct work;

/* A string list as a JSON array of strings. */
json_t *works_json_strlist(const struct strlist *l);
/* The names of the bits set in bits (name(1 << i) for i < count) as a JSON array. */
json_t *works_json_bits(unsigned bits, int count, const char *(*name)(unsigned));
/* A work's listing metadata as the API gives it in "works": id, title, creators, rating,
 * warnings, categories, tags, words, chapters ("n/m" or "n/?"), complete, language,
 * summary, dates and counters (also as "stats": {"hits", "kudos", "comments", "bookmarks",
 * "subscriptions"}). NULL on allocation failure. */
json_t *works_json_work(const struct work *w);
struct store;
/* A work's "series": [{"id", "title", "position"}] (a work is in at most one series; []
 * when none), read from s. */
json_t *works_json_series(struct store *s, const struct work *w);
/* A search result: {"total", "page", "per_page", "works": [...], "facets": {...}}. Work
 * metadata is read from s in one batch; with s == NULL (or when the store fails) each work
 * has only "id" and "title". Returns a new reference, NULL on allocation failure. */
json_t *works_json_result(const struct idx_result *r, struct store *s);

/* Serialises j (compact, one line) as the response with status; consumes j. A NULL j or a
 * failed serialisation answers 500 {"error":"out of memory"}. Returns the status. */
int web_json_reply(struct web_req *r, int status, json_t *j);
/* web_json_reply with {"error": msg}. */
int web_json_error(struct web_req *r, int status, const char *msg);

#endif
