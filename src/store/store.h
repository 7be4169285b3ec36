/* store.h: the storage interface. Nothing outside src/store/ speaks SQL. The SQLite
 * implementation lives in sqlite.c; a PostgreSQL one will implement the same functions.
 *
 * Conventions: functions return 0 or a negative FICD_E* code (core/err.h); the detail of
 * the last failure is in store_errmsg(). Every function that changes data does so in one
 * transaction and appends a row to the change log in that same transaction, unless the
 * caller holds an explicit transaction (store_begin/commit/rollback), in which case the
 * change joins it. Structures filled by the store are owned by the caller and freed with
 * their *_free function (work_free for struct work). */
#ifndef FICD_STORE_H
#define FICD_STORE_H

#include "core/err.h"
#include "core/work.h"

#include <stddef.h>
#include <stdint.h>

struct store;

/* Opens (creating when missing) the data directory DIR: DIR/ficd.db, WAL mode, foreign keys,
 * busy timeout, migrations applied (each in one transaction). A store is used by one thread
 * at a time (the server opens one per worker thread); it takes no lock of its own. */
int store_open(const char *dir, struct store **out) FICD_MUST_CHECK;
void store_close(struct store *s);
const char *store_errmsg(struct store *s);
int store_schema_version(struct store *s);

int store_begin(struct store *s) FICD_MUST_CHECK;
int store_commit(struct store *s) FICD_MUST_CHECK;
void store_rollback(struct store *s);

/* ---- works ---- */

/* Inserts w with its chapters and tags (tags created as non-canonical when new); sets w->id
 * and each chapter's id. If w->published is 0 and !w->draft, published = now. updated is set
 * to now. */
int store_work_insert(struct store *s, struct work *w) FICD_MUST_CHECK;
/* Replaces the metadata, tags and chapters of work w->id (chapters with id 0 are added,
 * chapters whose id is missing from w are deleted). Sets updated = now. */
int store_work_update(struct store *s, struct work *w) FICD_MUST_CHECK;
int store_work_delete(struct store *s, int64_t id) FICD_MUST_CHECK;
/* Fills out (work_init'ed by this call). with_bodies = 0 leaves chapter html NULL but fills
 * titles and word counts. FICD_ENOTFOUND when there is no such work. */
int store_work_get(struct store *s, int64_t id, int with_bodies, struct work *out) FICD_MUST_CHECK;
/* Loads the works ids[0..n) with a few queries for all of them (not one round per work) and
 * calls cb for each that exists, in the order of ids; cb returns non-zero to stop. */
int store_work_get_many(struct store *s, const int64_t *ids, size_t n, int with_bodies,
                        int (*cb)(const struct work *w, void *ctx), void *ctx) FICD_MUST_CHECK;
/* Finds a work by the content hash of its imported file; *id = 0 when none. */
int store_work_find_hash(struct store *s, const char *hash, int64_t *id) FICD_MUST_CHECK;
int store_work_publish(struct store *s, int64_t id) FICD_MUST_CHECK;

enum store_order { STORE_ORDER_UPDATED_DESC = 0, STORE_ORDER_ID_ASC, STORE_ORDER_ID_DESC };

struct store_work_query {
    int include_drafts;  /* 0: published works only */
    int drafts_only;     /* 1: drafts only */
    int include_hidden;  /* 0: works hidden by a moderator are left out */
    int64_t user_id;     /* > 0: only works owned by this account */
    const char *creator; /* non-NULL: only works credited to this pseud */
    const char *tag;     /* non-NULL: only works with this tag (any type, by name) */
    enum store_order order;
    int offset, limit; /* limit 0 = no limit */
};

/* Calls cb for each matching work, metadata only (chapter titles/word counts, no bodies).
 * cb returns non-zero to stop. *total (may be NULL) gets the number of matches ignoring
 * offset/limit. */
typedef int (*store_work_cb)(const struct work *w, void *ctx);
int store_work_list(struct store *s, const struct store_work_query *q, store_work_cb cb, void *ctx,
                    int64_t *total) FICD_MUST_CHECK;
/* Every work (drafts included), in id order, with or without bodies: for index builds. */
int store_work_foreach(struct store *s, int with_bodies, store_work_cb cb,
                       void *ctx) FICD_MUST_CHECK;
int store_work_count(struct store *s, int include_drafts, int64_t *n) FICD_MUST_CHECK;

/* ---- chapters ---- */
/* Appends c (position = last + 1) to a work; sets c->id and c->position. */
int store_chapter_add(struct store *s, int64_t work_id, struct chapter *c) FICD_MUST_CHECK;
int store_chapter_update(struct store *s, int64_t work_id, const struct chapter *c) FICD_MUST_CHECK;
int store_chapter_delete(struct store *s, int64_t work_id, int64_t chapter_id) FICD_MUST_CHECK;
/* Sets positions 1..n in the order of ids (which must be exactly the work's chapters). */
int store_chapter_reorder(struct store *s, int64_t work_id, const int64_t *ids,
                          size_t n) FICD_MUST_CHECK;

/* ---- tags ---- */
struct tag {
    int64_t id;
    enum tag_type type;
    char *name;
    int canonical;
    int64_t synonym_of; /* id of the canonical tag this one is a synonym of, 0 when none */
    int64_t uses;       /* number of works carrying it */
};
void tag_free(struct tag *t);

/* Finds a tag by name (case-insensitive); type < 0 matches any type. FICD_ENOTFOUND. */
int store_tag_find(struct store *s, int type, const char *name, struct tag *out) FICD_MUST_CHECK;
int store_tag_get(struct store *s, int64_t id, struct tag *out) FICD_MUST_CHECK;
/* Creates the tag if missing (non-canonical); *id gets its id. */
int store_tag_ensure(struct store *s, enum tag_type type, const char *name,
                     int64_t *id) FICD_MUST_CHECK;
int store_tag_set_canonical(struct store *s, int64_t id, int canonical) FICD_MUST_CHECK;
/* Tags of a type (type < 0: all), names starting with prefix (case-insensitive, may be NULL or
 * ""), most used first, at most limit (0 = no limit). */
typedef int (*store_tag_cb)(const struct tag *t, void *ctx);
/* Canonical tags of a type, most used first (then by name). */
int store_tag_list_canonical(struct store *s, enum tag_type type, store_tag_cb cb,
                             void *ctx) FICD_MUST_CHECK;
int store_tag_list(struct store *s, int type, const char *prefix, int limit, store_tag_cb cb,
                   void *ctx) FICD_MUST_CHECK;
/* Autocomplete: tags of a type (type < 0: all) whose name starts with term or has a word
 * starting with it (after a space, '/', '(' , '-' or '&'), case-insensitively, at most
 * limit. A synonym stands for its canonical tag (each tag once): cb gets the tag to use and
 * the name that matched (t->name unless a synonym matched). Names starting with term come
 * first, then canonical tags, then the most used. */
typedef int (*store_tag_suggest_cb)(const struct tag *t, const char *matched, void *ctx);
int store_tag_suggest(struct store *s, int type, const char *term, int limit,
                      store_tag_suggest_cb cb, void *ctx) FICD_MUST_CHECK;
/* Adds / removes one tag on a work (updates the work's lists and the change log). */
int store_work_tag_add(struct store *s, int64_t work_id, enum tag_type type,
                       const char *name) FICD_MUST_CHECK;
int store_work_tag_remove(struct store *s, int64_t work_id, enum tag_type type,
                          const char *name) FICD_MUST_CHECK;

/* ---- change log ---- */
enum change_kind { CHANGE_WORK = 1, CHANGE_WORK_DELETED = 2, CHANGE_TAG = 3 };
typedef int (*store_change_cb)(int64_t seq, enum change_kind kind, int64_t object_id, void *ctx);
/* Calls cb for each change with seq > after, in order. */
int store_changes_since(struct store *s, int64_t after, store_change_cb cb,
                        void *ctx) FICD_MUST_CHECK;
int store_last_change(struct store *s, int64_t *seq) FICD_MUST_CHECK;

/* ---- accounts ---- */
enum user_role { ROLE_USER = 0, ROLE_WRANGLER = 1, ROLE_MODERATOR = 2, ROLE_ADMIN = 3 };
struct user {
    int64_t id;
    char *name;   /* login name, unique case-insensitively; also the default pseud */
    char *email;  /* may be NULL */
    char *pwhash; /* Argon2id encoded string (libsodium crypto_pwhash_str) */
    enum user_role role;
    int64_t created;
    int64_t suspended_until; /* unix seconds; the account may not post before then (0: never) */
    int banned;              /* 1: may not sign in */
    unsigned inbox_off;      /* bit (1 << kind) set: inbox items of that kind are not delivered */
};
void user_free(struct user *u);
/* "user", "wrangler", "moderator", "admin"; user_role_parse gives -1 for other names. */
const char *user_role_name(enum user_role role);
int user_role_parse(const char *s);
/* Creates the account and its default pseud (same name); sets u->id. FICD_EEXISTS. */
int store_user_create(struct store *s, struct user *u) FICD_MUST_CHECK;
int store_user_get(struct store *s, int64_t id, struct user *out) FICD_MUST_CHECK;
int store_user_get_by_name(struct store *s, const char *name, struct user *out) FICD_MUST_CHECK;
int store_user_count(struct store *s, int64_t *n) FICD_MUST_CHECK;
int store_user_set_password(struct store *s, int64_t id, const char *pwhash) FICD_MUST_CHECK;
int store_user_set_role(struct store *s, int64_t id, enum user_role role) FICD_MUST_CHECK;
/* Pseuds: names a user posts under (unique across the archive, case-insensitively). */
int store_pseud_add(struct store *s, int64_t user_id, const char *name) FICD_MUST_CHECK;
int store_pseud_list(struct store *s, int64_t user_id, struct strlist *out) FICD_MUST_CHECK;
/* The account owning a pseud; FICD_ENOTFOUND. */
int store_pseud_owner(struct store *s, const char *pseud, int64_t *user_id) FICD_MUST_CHECK;

/* Sessions are stored by the hash of their token (the token itself is never stored). */
int store_session_create(struct store *s, const char *token_hash, int64_t user_id,
                         int64_t expires) FICD_MUST_CHECK;
/* *user_id = 0 when the session is missing or expired. */
int store_session_get(struct store *s, const char *token_hash, int64_t *user_id) FICD_MUST_CHECK;
int store_session_delete(struct store *s, const char *token_hash) FICD_MUST_CHECK;
int store_session_purge(struct store *s, int64_t now) FICD_MUST_CHECK;

/* Invitations for invite-only sign-up. */
int store_invite_create(struct store *s, const char *code, int64_t created_by) FICD_MUST_CHECK;
/* Marks the invitation used; FICD_ENOTFOUND when unknown or already used. */
int store_invite_use(struct store *s, const char *code) FICD_MUST_CHECK;
/* One invitation as store_invite_list reports it; the strings live until the callback
 * returns. */
struct invite {
    const char *code;
    int64_t created_by;  /* the account that made it; 0 when made outside the web or deleted */
    const char *creator; /* that account's name, NULL when created_by is 0 */
    int64_t created;     /* unix seconds */
    int64_t used;        /* unix seconds; 0 while unused */
};
typedef int (*store_invite_cb)(const struct invite *inv, void *ctx);
/* Calls cb for every invitation, newest first (same second: by code); cb returns non-zero
 * to stop early. */
int store_invite_list(struct store *s, store_invite_cb cb, void *ctx) FICD_MUST_CHECK;

/* ---- settings: archive-wide key/value pairs ---- */
/* *value = NULL (and 0 returned) when unset; the caller frees *value. */
int store_setting_get(struct store *s, const char *key, char **value) FICD_MUST_CHECK;
int store_setting_set(struct store *s, const char *key, const char *value) FICD_MUST_CHECK;

/* ---- tag wrangling (sqlite_wrangle.c) ----
 * AO3's wrangling. A canonical tag stands for its synonyms (their works count as its works
 * everywhere). Characters, relationships and freeforms may have parent fandoms (canonical
 * fandoms). A canonical meta tag has canonical sub tags of the same type, transitively and
 * without cycles: a search for the meta tag includes its subs. Every function below takes
 * store tag ids, runs in one transaction and logs a CHANGE_TAG for each tag whose synonyms,
 * parents, children, meta or sub tags changed (nothing when nothing changed). Refusals are
 * FICD_EINVAL (FICD_ENOTFOUND for unknown ids or missing links) with the reason, naming the
 * tags, in store_errmsg(). Only fandom, relationship, character and freeform tags are
 * wrangled. */

/* Makes tag_id a synonym of canonical_id; canonical_id 0 makes it a synonym of nothing. The
 * target must be canonical, of the same type and not the tag itself; a tag that has synonyms
 * of its own is refused (merge it instead). A canonical tag stops being canonical, and its
 * parents, children, meta and sub tags move to the target (a move that would close a meta
 * cycle is refused). */
int store_tag_set_synonym(struct store *s, int64_t tag_id, int64_t canonical_id) FICD_MUST_CHECK;
/* store_tag_set_synonym for a tag that may have synonyms: they become synonyms of into_id
 * too, so everything that counted as from_id counts as into_id. */
int store_tag_merge(struct store *s, int64_t from_id, int64_t into_id) FICD_MUST_CHECK;
/* Parent fandoms: child is a character, relationship or freeform that is not a synonym;
 * parent is a canonical fandom. Adding an existing link changes nothing; removing a missing
 * one is FICD_ENOTFOUND. */
int store_tag_add_parent(struct store *s, int64_t child_id, int64_t parent_id) FICD_MUST_CHECK;
int store_tag_remove_parent(struct store *s, int64_t child_id, int64_t parent_id) FICD_MUST_CHECK;
/* Meta and sub tags: both canonical, same type, and the link must not close a cycle (a tag
 * cannot be its own meta tag through any chain). Adding an existing link changes nothing;
 * removing a missing one is FICD_ENOTFOUND. */
int store_tag_add_meta(struct store *s, int64_t meta_id, int64_t sub_id) FICD_MUST_CHECK;
int store_tag_remove_meta(struct store *s, int64_t meta_id, int64_t sub_id) FICD_MUST_CHECK;

/* One wrangling edge; it points "up": from a synonym to its canonical, from a child to a
 * parent fandom, from a sub tag to its meta tag. */
enum tag_rel_kind { TAG_REL_SYNONYM = 0, TAG_REL_PARENT, TAG_REL_META };
struct tag_rel {
    enum tag_rel_kind kind;
    int64_t from, to;
};
typedef int (*store_tag_rel_cb)(const struct tag_rel *rel, void *ctx);
/* Calls cb for every synonym, parent and meta edge (for index builds); cb returns non-zero to
 * stop and may use the store. */
int store_tag_relations(struct store *s, store_tag_rel_cb cb, void *ctx) FICD_MUST_CHECK;

/* The tags linked to one tag, for tag pages: its synonyms, its parent fandoms, the tags whose
 * parent it is, its meta tags, its sub tags (direct links only). Ordered by type and name, at
 * most limit (0 = no limit); the tag's strings live until cb returns, and cb may use the
 * store. */
enum tag_link {
    TAG_LINK_SYNONYMS = 0,
    TAG_LINK_PARENTS,
    TAG_LINK_CHILDREN,
    TAG_LINK_METAS,
    TAG_LINK_SUBS
};
int store_tag_linked(struct store *s, int64_t id, enum tag_link which, int limit, store_tag_cb cb,
                     void *ctx) FICD_MUST_CHECK;
/* The wrangling queue: tags of type (fandom..freeform; type < 0: all four) that are neither
 * canonical nor synonyms, and canonical characters and relationships without a parent
 * fandom. Most used first (ties by name), at most limit (0 = no limit); as store_tag_linked
 * for cb. */
int store_tag_unwrangled(struct store *s, int type, int limit, store_tag_cb cb,
                         void *ctx) FICD_MUST_CHECK;

/* ---- feedback (sqlite_feedback.c): kudos, comments, hits, the inbox, reports, the
 * moderators' audit log, suspensions and bans, password resets ----
 * Every change of a work's counters (kudos, comments, hits) happens in the transaction that
 * changes the feedback and logs a CHANGE_WORK, so the index re-reads the counts. */

/* The kinds of inbox items; a user may turn each off (struct user.inbox_off, bit 1 << kind). */
enum inbox_kind {
    INBOX_COMMENT = 1,
    INBOX_REPLY = 2,
    INBOX_KUDOS = 3,
    INBOX_SUBSCRIPTION = 4,
    INBOX_INVITATION = 5,
    INBOX_GIFT = 6,
    INBOX_SYSTEM = 7
};
#define INBOX__COUNT 8
/* "Comments on your works", ...: a short plural label for settings and filters. */
const char *inbox_kind_label(enum inbox_kind kind);

/* Delivers an item to user_id's inbox: text is plain text (escaped when rendered), url a
 * local path ("/works/1") or NULL. Nothing is stored (and 0 is returned) when the user
 * turned that kind off. FICD_EINVAL for an unknown kind or empty text, FICD_ENOTFOUND for
 * an unknown user. */
int store_inbox_add(struct store *s, int64_t user_id, enum inbox_kind kind, const char *text,
                    const char *url) FICD_MUST_CHECK;
/* One inbox item; strings live until the callback returns. count > 1 for summaries (kudos
 * left while the item was unread). */
struct inbox_item {
    int64_t id;
    enum inbox_kind kind;
    const char *text, *url;
    int64_t created;
    int read;
    int64_t count;
};
typedef int (*store_inbox_cb)(const struct inbox_item *it, void *ctx);
/* user_id's items, newest first; kind 0 for all kinds, unread_only to filter; *total (may be
 * NULL) the number matching without offset/limit. */
int store_inbox_list(struct store *s, int64_t user_id, int kind, int unread_only, int offset,
                     int limit, store_inbox_cb cb, void *ctx, int64_t *total) FICD_MUST_CHECK;
int store_inbox_unread(struct store *s, int64_t user_id, int64_t *n) FICD_MUST_CHECK;
/* Marks item id (0: every item) of user_id read or unread; FICD_ENOTFOUND when user_id has
 * no such item. */
int store_inbox_mark(struct store *s, int64_t user_id, int64_t id, int read) FICD_MUST_CHECK;
int store_inbox_delete(struct store *s, int64_t user_id, int64_t id) FICD_MUST_CHECK;
/* Sets the kinds user_id does not want delivered (bit 1 << kind). */
int store_user_set_inbox_off(struct store *s, int64_t user_id, unsigned mask) FICD_MUST_CHECK;

/* Kudos: one per account (user_id > 0) or, for guests (user_id 0), one per address ip, per
 * work. FICD_EEXISTS when already given; FICD_EINVAL when user_id owns the work;
 * FICD_ENOTFOUND for an unknown work. Adds one to the work's kudos and tells its owner (a
 * summary item in the inbox while unread). */
int store_kudos_add(struct store *s, int64_t work_id, int64_t user_id,
                    const char *ip) FICD_MUST_CHECK;
/* *given = 1 when this account (or, for user_id 0, this guest address) left kudos. */
int store_kudos_given(struct store *s, int64_t work_id, int64_t user_id, const char *ip,
                      int *given) FICD_MUST_CHECK;
/* The names of the accounts that left kudos (oldest first, appended to names) and the number
 * of guests. */
int store_kudos_list(struct store *s, int64_t work_id, struct strlist *names,
                     int64_t *guests) FICD_MUST_CHECK;

/* A comment on a work (or one of its chapters), possibly a reply. */
struct comment {
    int64_t id;
    int64_t work_id;
    int64_t chapter_id;      /* 0: on the work as a whole */
    int64_t parent_id;       /* 0: a top-level comment */
    int64_t user_id;         /* 0: a guest (or a deleted account) */
    char *name;              /* the account's name or the guest's given name */
    char *email;             /* guests' address (never shown), may be NULL */
    char *ip;                /* the writer's address, may be NULL */
    char *html;              /* sanitized HTML */
    int64_t created, edited; /* unix seconds; edited 0 when never edited */
    int deleted;             /* 1: deleted, kept as a placeholder because it has replies */
    int unreviewed;          /* 1: held for the creator's approval */
    int frozen;              /* 1: no more replies */
    int depth;               /* set by store_comment_list: 0 for the top of a thread */
    int quiet; /* store_comment_add: 1 tells nobody (importers bringing old reviews over) */
};
void comment_free(struct comment *c);
/* Stores c (the fields id, depth, deleted and edited are ignored; created 0 means now, an
 * importer passes the original time). chapter_id must be a chapter of the work, parent_id a
 * comment on the same work that is neither deleted, held nor frozen (FICD_EINVAL with the
 * reason otherwise). Sets c->id and c->created. Unless held for approval, the work's
 * comments count grows by one. The work's owner gets an INBOX_COMMENT (or, for a held
 * comment, a request to review it) and the parent's writer an INBOX_REPLY, except for their
 * own comments, and except when c->quiet is set. */
int store_comment_add(struct store *s, struct comment *c) FICD_MUST_CHECK;
int store_comment_get(struct store *s, int64_t id, struct comment *out) FICD_MUST_CHECK;
/* Replaces the text (sanitized HTML) and sets edited = now. */
int store_comment_edit(struct store *s, int64_t id, const char *html) FICD_MUST_CHECK;
/* Deletes a comment: a comment with replies stays as a placeholder ("Previous comment
 * deleted."), one without is removed, and so are placeholders left with no replies. */
int store_comment_delete(struct store *s, int64_t id) FICD_MUST_CHECK;
/* Approves a held comment (it becomes visible and counts). */
int store_comment_approve(struct store *s, int64_t id) FICD_MUST_CHECK;
/* Freezes (1) or unfreezes (0) a comment and every reply below it. */
int store_comment_freeze(struct store *s, int64_t id, int frozen) FICD_MUST_CHECK;
struct comment_query {
    int64_t work_id;    /* required */
    int64_t chapter_id; /* > 0: only threads started on that chapter */
    int64_t thread_id;  /* > 0: only that comment and the replies below it */
    int unreviewed;     /* 1: only the held comments (flat, oldest first) */
};
typedef int (*store_comment_cb)(const struct comment *c, void *ctx);
/* The work's visible comments in thread order (each comment followed by its replies, oldest
 * first, depth set), deleted placeholders included; or the held ones. */
int store_comment_list(struct store *s, const struct comment_query *q, store_comment_cb cb,
                       void *ctx) FICD_MUST_CHECK;

/* Hits: adds n[i] to the hits of work ids[i] for i < count, in one transaction (works that
 * no longer exist are skipped). */
int store_work_add_hits(struct store *s, const int64_t *ids, const int64_t *n,
                        size_t count) FICD_MUST_CHECK;
/* Hides (1) or unhides (0) a work (a moderator's decision). */
int store_work_set_hidden(struct store *s, int64_t id, int hidden) FICD_MUST_CHECK;

/* Reports by readers, for moderators. */
enum report_kind { REPORT_WORK = 1, REPORT_COMMENT = 2, REPORT_USER = 3 };
struct report {
    int64_t id;
    enum report_kind kind;
    int64_t object_id;    /* the work, comment or account reported */
    int64_t reporter_id;  /* 0 for guests */
    const char *reporter; /* the reporter's name, NULL for guests */
    const char *ip;
    const char *reason;
    int64_t created;
    int resolved;
    const char *resolved_by; /* name, NULL while open */
    const char *resolution;  /* what was done, NULL while open */
};
typedef int (*store_report_cb)(const struct report *rep, void *ctx);
/* FICD_EINVAL for an empty reason or unknown kind. */
int store_report_add(struct store *s, enum report_kind kind, int64_t object_id, int64_t reporter_id,
                     const char *ip, const char *reason, int64_t *id) FICD_MUST_CHECK;
/* Open reports oldest first (resolved = 0), or resolved ones newest first (resolved = 1). */
int store_report_list(struct store *s, int resolved, int offset, int limit, store_report_cb cb,
                      void *ctx, int64_t *total) FICD_MUST_CHECK;
int store_report_get(struct store *s, int64_t id, store_report_cb cb, void *ctx) FICD_MUST_CHECK;
/* Closes report id (FICD_ENOTFOUND, FICD_EEXISTS when already closed). */
int store_report_resolve(struct store *s, int64_t id, int64_t by_user,
                         const char *resolution) FICD_MUST_CHECK;

/* The moderators' audit log: who (actor), did what (action: "hide work", "ban user", ...), to
 * what (target: "work 12", "user bob", ...), why. */
struct modlog_entry {
    int64_t id;
    const char *actor, *action, *target, *reason;
    int64_t created;
};
typedef int (*store_modlog_cb)(const struct modlog_entry *e, void *ctx);
int store_modlog_add(struct store *s, int64_t actor_id, const char *actor, const char *action,
                     const char *target, const char *reason) FICD_MUST_CHECK;
/* Newest first. */
int store_modlog_list(struct store *s, int offset, int limit, store_modlog_cb cb, void *ctx,
                      int64_t *total) FICD_MUST_CHECK;

/* Accounts, for admins: every account in name order (cb gets a struct user it must not keep). */
typedef int (*store_user_cb)(const struct user *u, void *ctx);
int store_user_list(struct store *s, store_user_cb cb, void *ctx) FICD_MUST_CHECK;
/* Suspends until the given time (0 lifts the suspension). */
int store_user_suspend(struct store *s, int64_t id, int64_t until) FICD_MUST_CHECK;
/* Bans (1, which also ends every session of the account) or lifts the ban (0). */
int store_user_ban(struct store *s, int64_t id, int banned) FICD_MUST_CHECK;

/* One-time password reset tokens, stored by hash. store_reset_use consumes a token: *user_id
 * gets its account, or 0 when it is unknown, used or expired. */
int store_reset_create(struct store *s, const char *token_hash, int64_t user_id,
                       int64_t expires) FICD_MUST_CHECK;
int store_reset_use(struct store *s, const char *token_hash, int64_t now,
                    int64_t *user_id) FICD_MUST_CHECK;
/* The same without consuming the token. */
int store_reset_check(struct store *s, const char *token_hash, int64_t now,
                      int64_t *user_id) FICD_MUST_CHECK;

/* ---- imports from other archives (sqlite_imports.c) ---- */
/* The local id an object of another archive became (source names that archive, kind the
 * object's kind: "author", "story"); *local_id = 0 when it was not imported yet. */
int store_import_map_get(struct store *s, const char *source, const char *kind, int64_t src_id,
                         int64_t *local_id) FICD_MUST_CHECK;
/* Records it (inside the caller's transaction, so that the object and its mapping land
 * together). */
int store_import_map_put(struct store *s, const char *source, const char *kind, int64_t src_id,
                         int64_t local_id) FICD_MUST_CHECK;
/* How many objects of a kind were imported from a source. */
int store_import_map_count(struct store *s, const char *source, const char *kind,
                           int64_t *n) FICD_MUST_CHECK;

#endif
