/* readers_int.h: what the readers' pages (ui_readers.c, ui_bookmarks.c, ui_subscriptions.c,
 * ui_series.c, ui_readings.c) share. */
#ifndef FICD_WEB_READERS_INT_H
#define FICD_WEB_READERS_INT_H

#include "store/store.h"
#include "web/server.h"

/* The account named by route parameter i (or owning a pseud of that name). */
int readers_find_user(struct web_req *r, size_t i, struct user *u);

/* readers_find_user for route parameter 0; 0, or the status of the 404/500 page rendered. */
int readers_user_or_error(struct web_req *r, struct user *u);

/* "/users/NAME" + tail, NAME percent-encoded (arena). */
const char *readers_user_path(struct web_req *r, const char *name, const char *tail);

/* Splits a comma-separated list into trimmed, non-empty names (at most max). */
void readers_split_commas(const char *s, struct strlist *out, size_t max);

/* Joins a list with ", " into an arena string. */
const char *readers_join(struct web_req *r, const struct strlist *l);

/* A form with one POST button (and the CSRF field) to action. */
void readers_post_button(struct web_req *r, const char *action, const char *id, const char *label);

/* Where a form posted from a page goes back to: a local return_to, else fallback. */
int readers_back(struct web_req *r, const char *fallback);

/* The bookmark form's fields (CSRF, notes, tags, private, rec), from bm when not NULL. */
void readers_bookmark_fields(struct web_req *r, const struct bookmark *bm);

/* The signed-in reader's subscribe or unsubscribe button for base ("/works/ID", ...). */
void readers_subscribe_button(struct web_req *r, const char *base, enum sub_kind kind, int64_t id);

#endif
