/* readers_int.h: what the readers' pages (ui_readers.c, ui_bookmarks.c, ui_subscriptions.c,
 * ui_series.c, ui_readings.c) share. */
#ifndef FICD_WEB_READERS_INT_H
#define FICD_WEB_READERS_INT_H

#include "store/store.h"
#include "web/server.h"

/* Splits a comma-separated list into trimmed, non-empty names (at most max). */
void readers_split_commas(const char *s, struct strlist *out, size_t max);

/* A form with one POST button (and the CSRF field) to action. */
void readers_post_button(struct web_req *r, const char *action, const char *id, const char *label);

/* Where a form posted from a page goes back to: a local return_to, else fallback. */
int readers_back(struct web_req *r, const char *fallback);

/* The bookmark form's fields (CSRF, notes, tags, private, rec), from bm when not NULL. */
void readers_bookmark_fields(struct web_req *r, const struct bookmark *bm);

/* The signed-in reader's subscribe or unsubscribe button for base ("/works/ID", ...). */
void readers_subscribe_button(struct web_req *r, const char *base, enum sub_kind kind, int64_t id);

#endif
