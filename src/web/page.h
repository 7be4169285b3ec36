/* page.h: the site layout and the rendering helpers every page shares (work blurbs, the
 * AO3 preface, tag and user links, pagination, form fields), plus the page handlers, one
 * file each (ui_*.c, like cgit). Everything is written through the escaping writer. */
#ifndef FICD_WEB_PAGE_H
#define FICD_WEB_PAGE_H

#include "core/html.h"
#include "core/work.h"
#include "web/server.h"

#include <stdint.h>

#define WORKS_PER_PAGE 20

/* ---- layout ---- */

/* Opens the page: doctype, <head> with title ("Title - Archive Name", or the archive name
 * alone when title is NULL), header with the site name, nav, skip link, <main>. */
void page_begin(struct web_req *r, const char *title);
/* Closes <main>, writes the footer and closes the document. */
void page_end(struct web_req *r);
/* A list of messages in a role=alert box (for form errors); nothing when n == 0. */
void page_errors(struct web_req *r, const char *const *msgs, size_t n);

/* ---- pagination ---- */
int page_count(int64_t total, int per_page); /* at least 1 */
int page_parse(const char *s);               /* >= 1, -1 when bad; NULL gives 1 */
int page_offset(int page, int per_page);     /* (page - 1) * per_page */
/* Previous/next and numbered links to base?page=N (base is a local path). */
void page_pagination(struct web_req *r, const char *base, int page, int npages);
/* The same with links to base?query&page=N: query is an already URL-encoded query string
 * without page (may be "" or NULL), so filters survive paging. */
void page_pagination_query(struct web_req *r, const char *base, const char *query, int page,
                           int npages);
/* This request's query without page and without empty arguments, URL-encoded (arena), for
 * page_pagination_query. */
const char *page_query_without_page(struct web_req *r);

/* ---- links and pieces ---- */

/* "/users/NAME" + tail, NAME percent-encoded (arena). */
const char *page_user_path(struct web_req *r, const char *name, const char *tail);

/* The URL path segment AO3 uses for a tag name: '/' as *s*, '&' *a*, '.' *d*, '?' *q*,
 * '#' *h*, the rest percent-encoded. */
void page_tag_segment(struct buf *b, const char *name);
/* The reverse: turns *s* etc. back into characters (in place). */
void page_tag_unsegment(char *name);
void page_tag_link(struct web_req *r, const char *name, const char *cls);
void page_user_link(struct web_req *r, const char *name);
void page_date(struct buf *b, int64_t t); /* YYYY-MM-DD, UTC */
/* "2/?" or "2/2". */
void page_chapter_count(struct buf *b, const struct work *w);

/* A work in a list: title link, byline, fandoms, rating/warnings, tags, summary, stats. */
void page_work_blurb(struct web_req *r, const struct work *w);
/* page_work_blurb as a store_work_cb (ctx is the request); never stops. */
int page_work_blurb_cb(const struct work *w, void *ctx);
/* The same with a search snippet (HTML from idx_result_snippets, built by the escaping
 * writer) under the summary; snippet.html may be NULL. */
void page_work_blurb_snippet(struct web_req *r, const struct work *w, struct html_safe snippet);
/* The AO3 preface: the meta box (rating, warnings, categories, fandoms, relationships,
 * characters, additional tags, language, stats) and the title, byline, summary, notes. */
void page_work_preface(struct web_req *r, const struct work *w);
/* A whole work page body: preface, chapter navigation, the chapter (index ci, 0-based) or
 * every chapter when ci < 0, end notes and download links. preview = 1 leaves out the
 * navigation and downloads (the work is not stored yet). */
void page_work_body(struct web_req *r, const struct work *w, int ci, int preview);

/* ---- forms ---- */
void page_csrf_field(struct web_req *r);
/* The CSRF field of a form posting to action (a local path) on a page that anonymous
 * visitors may get from the page cache: signed in, the session's token (as page_csrf_field);
 * anonymous, a token bound to action alone (session_guest_token), so the page carries
 * nothing personal and stays cacheable. */
void page_form_token(struct web_req *r, const char *action);
/* <p><label for=id>label</label><input ...></p> with the value kept. */
void page_input(struct web_req *r, const char *type, const char *name, const char *label,
                const char *value, const char *extra_hint);
void page_textarea(struct web_req *r, const char *name, const char *label, const char *value,
                   int rows, const char *hint);

/* ---- loading what a page shows (ui_work.c) ---- */

/* s as a positive id (decimal digits only, at most 18), or 0 when it is not one. */
int64_t web_parse_id(const char *s);
/* The account named by route parameter 0, or owning a pseud of that name (ui_users.c): 0
 * with *u filled (user_free it), FICD_ENOTFOUND, or another error. */
int web_find_user(struct web_req *r, struct user *u);
/* The same by account name only (pseuds = 0) or also by pseud (pseuds = 1), rendering the
 * 404 or 500 page on failure: 0 with *u filled, or that page's status. */
int web_load_user(struct web_req *r, int pseuds, struct user *u);
/* For pages only their owner sees: 0 when route parameter 0 names the signed-in account (with
 * pseuds = 1 also by one of its pseuds); else the sign-in redirect, the 404 or 500 page, or
 * a 403 page saying why, and its status. */
int web_own_user(struct web_req *r, int pseuds, const char *why);
/* The series of route parameter 0 and its parts' work ids and positions, in order (ui_series.c):
 * 0 with *se, *ids and *pos filled (series_free, free, free), or the status of the 404 or
 * 500 page rendered. */
int web_load_series(struct web_req *r, struct series *se, int64_t **ids, int **pos, size_t *n);
/* Route parameter i as a positive id, or 0 when it is not one. */
int64_t web_param_id(const struct web_req *r, size_t i);
/* Loads the work named by route parameter 0 for reading (access = 0) or changing
 * (access = 1). Returns 0 with *w filled (work_free it), or the HTTP status of the page it
 * rendered instead: 404 when missing, or a draft the visitor may not see; a login redirect
 * for restricted works and for changes by anonymous visitors; 403 when a signed-in visitor
 * may not change it. */
int web_load_work(struct web_req *r, int with_bodies, int access, struct work *w);
/* The same for work id (0 gives the 404 page). Works hidden by a moderator are 404 for
 * everyone but their creators, admins and moderators. */
int web_load_work_id(struct web_req *r, int64_t id, int with_bodies, int access, struct work *w);

/* ---- feedback (ui_feedback.c) ---- */

/* Under a work or chapter page: the kudos button (#kudo-submit) and who left kudos, the
 * comment count and link, the comments themselves (with ?show_comments=true on the work
 * page; a chapter page shows its chapter's), and the comment form. chapter_id is the chapter
 * shown alone, 0 for the work page. */
void page_work_feedback(struct web_req *r, const struct work *w, int64_t chapter_id);
/* 1 when the signed-in user is suspended now (may read, not post, comment or kudos). */
int web_user_suspended(const struct web_req *r);
/* The 403 page a suspended user gets for a POST they may not make. */
int ui_suspended(struct web_req *r);
int ui_kudos_create(struct web_req *r);        /* POST /works/ID/kudos */
int ui_comments_index(struct web_req *r);      /* GET /works/ID/comments */
int ui_comment_create(struct web_req *r);      /* POST /works/ID/comments */
int ui_comments_unreviewed(struct web_req *r); /* GET /works/ID/comments/unreviewed */
int ui_comment_show(struct web_req *r);        /* GET /comments/CID */
int ui_comment_reply(struct web_req *r);       /* POST /comments/CID/comments */
int ui_comment_edit_form(struct web_req *r);   /* GET /comments/CID/edit */
int ui_comment_edit(struct web_req *r);        /* POST /comments/CID/edit */
int ui_comment_delete(struct web_req *r);      /* POST /comments/CID/delete */
int ui_comment_freeze(struct web_req *r);      /* POST /comments/CID/freeze */
int ui_comment_unfreeze(struct web_req *r);    /* POST /comments/CID/unfreeze */
int ui_comment_approve(struct web_req *r);     /* POST /comments/CID/approve */
int ui_report_work_form(struct web_req *r);    /* GET /works/ID/report */
int ui_report_work(struct web_req *r);         /* POST /works/ID/report */
int ui_report_comment_form(struct web_req *r); /* GET /comments/CID/report */
int ui_report_comment(struct web_req *r);      /* POST /comments/CID/report */
int ui_report_user_form(struct web_req *r);    /* GET /users/NAME/report */
int ui_report_user(struct web_req *r);         /* POST /users/NAME/report */
/* ---- inbox (ui_inbox.c) ---- */
int ui_inbox(struct web_req *r);          /* GET /users/NAME/inbox */
int ui_inbox_update(struct web_req *r);   /* POST /users/NAME/inbox */
int ui_settings_inbox(struct web_req *r); /* POST /settings/inbox */
/* The inbox settings form on /settings. */
void page_inbox_settings(struct web_req *r);
/* ---- moderation and roles (ui_admin.c) ---- */
int ui_admin_reports(struct web_req *r);       /* GET /admin/reports */
int ui_admin_report_act(struct web_req *r);    /* POST /admin/reports/RID */
int ui_admin_work_act(struct web_req *r);      /* POST /admin/works/ID */
int ui_admin_log(struct web_req *r);           /* GET /admin/log */
int ui_admin_users(struct web_req *r);         /* GET /admin/users */
int ui_admin_user_act(struct web_req *r);      /* POST /admin/users/NAME */
int ui_password_reset_form(struct web_req *r); /* GET /password_reset/TOKEN */
int ui_password_reset(struct web_req *r);      /* POST /password_reset/TOKEN */
/* ---- the work API (api_work.c) ---- */
int api_work_show(struct web_req *r);     /* GET /api/v1/works/ID */
int api_work_comments(struct web_req *r); /* GET /api/v1/works/ID/comments */

/* ---- handlers (ui_*.c) ---- */
int ui_home(struct web_req *r);
int ui_works_index(struct web_req *r);
int ui_work_show(struct web_req *r);
int ui_chapter_show(struct web_req *r);
int ui_tag_works(struct web_req *r);
int ui_tag_autocomplete(struct web_req *r);
int ui_user_show(struct web_req *r);
int ui_user_works(struct web_req *r);
int ui_dashboard(struct web_req *r);
int ui_work_new(struct web_req *r);
int ui_work_create(struct web_req *r);
int ui_work_edit(struct web_req *r);
int ui_work_update(struct web_req *r);
int ui_work_delete_confirm(struct web_req *r);
int ui_work_delete(struct web_req *r);
int ui_work_publish(struct web_req *r);
int ui_work_import_form(struct web_req *r);
int ui_work_import(struct web_req *r);
int ui_chapter_new(struct web_req *r);
int ui_chapter_create(struct web_req *r);
int ui_chapter_edit(struct web_req *r);
int ui_chapter_update(struct web_req *r);
int ui_chapter_delete_confirm(struct web_req *r);
int ui_chapter_delete(struct web_req *r);
int ui_chapters_manage(struct web_req *r);
int ui_chapters_reorder(struct web_req *r);
int ui_login_form(struct web_req *r);
int ui_login(struct web_req *r);
int ui_logout(struct web_req *r);
int ui_signup_form(struct web_req *r);
int ui_signup(struct web_req *r);
int ui_setup_form(struct web_req *r);
int ui_setup(struct web_req *r);
int ui_settings(struct web_req *r);
int ui_settings_password(struct web_req *r);
int ui_settings_pseud(struct web_req *r);
int ui_settings_signout_everywhere(struct web_req *r);
int ui_settings_archive(struct web_req *r);
int ui_invites(struct web_req *r);
int ui_invite_create(struct web_req *r);
int ui_download(struct web_req *r);
int api_works(struct web_req *r);

/* ---- readers' tools (ui_readers.c, ui_feeds.c) ---- */
struct idx_query;
struct user;
/* Adds the signed-in reader's muted creators and blocked tags to q (arena lists). */
void web_reader_filters(struct web_req *r, struct idx_query *q);
/* 1 when the signed-in reader muted a creator of the work or blocked one of its tags. */
int web_work_hidden(struct web_req *r, int64_t work_id);
/* 1 when the signed-in reader muted the account user_id. */
int web_user_muted(struct web_req *r, int64_t user_id);
/* Pieces of other pages: the series navigation above a work, the bookmark / subscription /
 * history panel under it (it records the signed-in reader's visit), the user page's links
 * and buttons, and the settings sections (filters, history, private feed). */
void readers_work_top(struct web_req *r, const struct work *w);
void readers_work_bottom(struct web_req *r, const struct work *w, int ci);
void readers_user_actions(struct web_req *r, const struct user *u);
void readers_settings_sections(struct web_req *r);
/* Subscription updates in the subscribers' inboxes: a work just posted (its creator's and its
 * series' subscribers), a chapter added to a posted work (the work's subscribers). */
void readers_notify_work_posted(struct web_req *r, int64_t work_id);
void readers_notify_chapter_posted(struct web_req *r, int64_t work_id, int64_t chapter_id);
int ui_bookmark_create(struct web_req *r);
int ui_bookmark_edit(struct web_req *r);
int ui_bookmark_update(struct web_req *r);
int ui_bookmark_delete(struct web_req *r);
int ui_bookmarks_index(struct web_req *r);
int ui_work_bookmarks(struct web_req *r);
int ui_user_bookmarks(struct web_req *r);
int api_user_bookmarks(struct web_req *r);
int ui_user_mute(struct web_req *r);
int ui_user_unmute(struct web_req *r);
int ui_settings_filters(struct web_req *r);
int ui_settings_history(struct web_req *r);
int ui_settings_feed_token(struct web_req *r);
int ui_work_subscribe(struct web_req *r);
int ui_work_unsubscribe(struct web_req *r);
int ui_user_subscribe(struct web_req *r);
int ui_user_unsubscribe(struct web_req *r);
int ui_series_subscribe(struct web_req *r);
int ui_series_unsubscribe(struct web_req *r);
int ui_user_subscriptions(struct web_req *r);
int ui_series_show(struct web_req *r);
int ui_series_edit(struct web_req *r);
int ui_series_update(struct web_req *r);
int ui_user_series(struct web_req *r);
int ui_mark_for_later(struct web_req *r);
int ui_user_readings(struct web_req *r);
int ui_feed_tag(struct web_req *r);
int ui_feed_user_works(struct web_req *r);
int ui_feed_series(struct web_req *r);
int ui_feed_inbox(struct web_req *r); /* /users/NAME/inbox.atom?token=T */
int ui_user_stats(struct web_req *r); /* /users/NAME/stats (ui_stats.c) */
/* ---- gifts, co-creators, inspired-by (ui_creators.c) ---- */
/* The work form's gift_to, co_creators and inspired_by: an error message, or NULL. */
const char *readers_check_work_fields(struct web_req *r, int64_t work_id, const char *gift_to,
                                      const char *co_creators, const char *inspired_by);
/* Their stored values, for the edit form (arena strings). */
void readers_work_form_values(struct web_req *r, int64_t work_id, const char **gift_to,
                              const char **co_creators, const char **inspired_by);
/* After the work was saved: gifts set (new recipient accounts told when tell_gifts: an edit
 * of a posted work; a work being posted tells them through readers_notify_work_posted),
 * co-creators invited (through their inbox), the inspired-by link asked for (the parent's
 * creator told). */
void readers_work_saved(struct web_req *r, int64_t work_id, const char *gift_to,
                        const char *co_creators, const char *inspired_by, int tell_gifts);
void creators_work_top(struct web_req *r, const struct work *w);
void creators_work_bottom(struct web_req *r, const struct work *w);
int ui_user_gifts(struct web_req *r);
int ui_gift_refuse(struct web_req *r);
int ui_gift_accept(struct web_req *r);
int ui_co_creator_invitation(struct web_req *r);
int ui_co_creator_answer(struct web_req *r);
int ui_work_remove_me(struct web_req *r);
int ui_work_orphan(struct web_req *r);
int ui_work_inspirations(struct web_req *r);
int ui_inspiration_approve(struct web_req *r);
int ui_inspiration_reject(struct web_req *r);

/* ---- search (ui_search.c) ---- */
struct idx_result;
/* Runs the search r's query string asks for (the parameters of docs/api.md) through the
 * shared index, after idx_poll() so writes by other processes show: tag (may be NULL) is an
 * extra include filter, restricted works are left out for anonymous visitors, snippets are
 * filled for text queries. res is always filled (idx_result_free it). Returns 200, 400 for
 * bad parameters or a malformed query (message in res->err), 503 without an index, 500. */
int web_search(struct web_req *r, const char *tag, struct idx_result *res);
/* The filterable works listing (AO3's works index with its filter sidebar) at base ("/works"
 * or "/tags/SEGMENT/works"); tag is the tag of a tag page (NULL on /works). */
int ui_search_works(struct web_req *r, const char *base, const char *tag);
int ui_healthz(struct web_req *r);
/* ---- tag pages and wrangling (ui_wrangle.c) ---- */
int ui_tag_show(struct web_req *r);       /* /tags/NAME */
int ui_tag_edit(struct web_req *r);       /* /tags/NAME/edit (wranglers and admins) */
int ui_tag_wrangle(struct web_req *r);    /* POST /tags/NAME/edit */
int ui_tag_wranglings(struct web_req *r); /* /tag_wranglings: the unwrangled queue */
int ui_static(struct web_req *r);

/* Renders the error page for status with a message saying what went wrong (msg NULL: the
 * status's usual explanation). Returns status. */
int ui_error(struct web_req *r, int status, const char *msg);
/* Redirects an anonymous visitor to /login?return_to=<this path>; returns 303. */
int ui_login_required(struct web_req *r);
/* 0 when the visitor is signed in and allowed; else the sign-in redirect (anonymous) or a
 * 403 page saying why, and its status. */
int ui_need(struct web_req *r, int allowed, const char *why);

/* ---- static assets (static.c) ---- */
struct static_asset {
    const char *path; /* "/static/style.css" */
    const char *type;
    const char *body;
    size_t len;
    char etag[24]; /* quoted hash of the content */
};
/* The asset served at path, or NULL. */
const struct static_asset *static_find(const char *path);

#endif
