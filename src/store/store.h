/* store.h: the storage interface. Nothing outside src/store/ speaks SQL or knows which
 * database runs: SQLite (the default, DIR/ficd.db) or PostgreSQL, behind the same functions
 * (conn.c chooses, db_sqlite.c and db_pg.c drive them).
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

/* Opens (creating when missing) the data directory DIR and connects to the archive's
 * database: $FICD_DATABASE when set, else what store_set_database chose, else SQLite in
 * DIR/ficd.db (WAL mode, foreign keys, busy timeout). A database is a postgres:// (or
 * postgresql://) URL, or sqlite:PATH. Migrations are applied, each in one transaction. The
 * data directory keeps local files (caches, the index snapshot) with either database. A store
 * is used by one thread at a time (the server opens one per worker thread); it takes no lock
 * of its own. On failure, store_open_error() says why. */
int store_open(const char *dir, struct store **out) FICD_MUST_CHECK;
const char *store_open_error(void);
/* Sets the database of every later store_open in this process (the config's `database`;
 * $FICD_DATABASE still wins); NULL or "" goes back to SQLite in the data directory. */
int store_set_database(const char *url) FICD_MUST_CHECK;
/* "sqlite" or "postgresql": for messages and /healthz details only. */
const char *store_backend(struct store *s);
void store_close(struct store *s);
const char *store_errmsg(struct store *s);
int store_schema_version(struct store *s);

int store_begin(struct store *s) FICD_MUST_CHECK;
int store_commit(struct store *s) FICD_MUST_CHECK;
void store_rollback(struct store *s);
/* Tunes this connection for loading many works in big transactions (`ficd import`): on
 * SQLite a 256 MB page cache (the indexes a bulk import touches at random stay in memory
 * instead of being read back from the WAL) and a checkpoint every 64 MB of WAL instead of
 * every 4 MB (pages written again and again are copied into the database less often);
 * nothing on PostgreSQL. Other connections are not affected. */
int store_bulk_load(struct store *s) FICD_MUST_CHECK;

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
/* CHANGE_SITE: something pages show changed that the index does not hold (settings, accounts,
 * profiles, ...; object_id 0): every node's page cache drops what it rendered before. The index
 * skips it. */
enum change_kind { CHANGE_WORK = 1, CHANGE_WORK_DELETED = 2, CHANGE_TAG = 3, CHANGE_SITE = 4 };
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

/* ---- safety and maintenance (sqlite_maint.c) ---- */

/* The FICD_E* code of the last failure on this store (0 when none since
 * store_clear_error); FICD_ENOSPC when the disk is full. */
int store_errcode(struct store *s);
/* Forgets the last failure (the server does this before each request). */
void store_clear_error(struct store *s);
/* Rows inserted, changed or deleted through this connection since it was opened: a request
 * that leaves it unchanged wrote nothing. */
int64_t store_total_changes(struct store *s);
/* Deletes every session of user_id except the one whose token hash is keep (NULL: all).
 * *ended (may be NULL) receives how many ended. */
int store_session_delete_user(struct store *s, int64_t user_id, const char *keep,
                              int64_t *ended) FICD_MUST_CHECK;
/* The lowest id of a work owned by user_id with this content hash, or *id = 0 (works of
 * other accounts are never seen). */
int store_work_find_hash_user(struct store *s, const char *hash, int64_t user_id,
                              int64_t *id) FICD_MUST_CHECK;
/* A consistent online copy of the archive into the data directory out_dir (created when
 * missing; it must not hold a ficd.db yet): VACUUM INTO a temporary file there, synced, then
 * renamed to out_dir/ficd.db. Other connections may keep writing meanwhile; the copy is the
 * archive as of one moment. FICD_EEXISTS when out_dir already holds an archive. */
int store_backup(struct store *s, const char *out_dir) FICD_MUST_CHECK;
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
/* ---- readers' tools (sqlite_readers.c): series, bookmarks, muting and blocking,
 * subscriptions, reading history. ---- */

/* Series. A work belongs to at most one series; works.series keeps its title. Storing a work
 * (store_work_insert/update) with a series title puts it in its owner's series of that name
 * (created when missing; user_id 0 for works without an owner), at series_position (0: after
 * the last part); a work without one leaves its series. */
struct series {
    int64_t id, user_id;
    char *title;
    char *description; /* plain text, may be NULL */
    char *notes;       /* plain text, may be NULL */
    char *owner;       /* the owner's user name, NULL when none */
    int complete;
    int64_t created, updated;
};
void series_free(struct series *se);
int store_series_get(struct store *s, int64_t id, struct series *out) FICD_MUST_CHECK;
/* Changes title (unique per owner), description, notes and complete of se->id. */
int store_series_update(struct store *s, const struct series *se) FICD_MUST_CHECK;
/* A user's series, by title. */
typedef int (*store_series_cb)(const struct series *se, void *ctx);
int store_series_list_user(struct store *s, int64_t user_id, store_series_cb cb,
                           void *ctx) FICD_MUST_CHECK;
/* The parts of series id in order: work ids and positions (drafts included; the caller
 * decides what a visitor sees). *ids and *pos are malloc'ed arrays of *n entries. */
int store_series_parts(struct store *s, int64_t id, int64_t **ids, int **pos,
                       size_t *n) FICD_MUST_CHECK;
/* The series of a work: *series_id 0 when none. */
int store_series_of_work(struct store *s, int64_t work_id, int64_t *series_id,
                         int *position) FICD_MUST_CHECK;

/* Bookmarks. One per reader and work. notes is sanitized HTML. The work's bookmark count
 * (works.bookmarks) is its number of public bookmarks, kept exact with a CHANGE_WORK row. */
struct bookmark {
    int64_t id, user_id, work_id;
    char *user_name; /* the bookmarker's name (filled when reading) */
    char *notes;     /* sanitized HTML, may be NULL */
    struct strlist tags;
    int is_private, rec;
    int64_t created, updated;
};
void bookmark_free(struct bookmark *b);
/* b->id == 0 inserts (FICD_EEXISTS when that reader already bookmarked the work; FICD_ENOTFOUND
 * for an unknown work), else updates notes, tags, private and rec of bookmark b->id. */
int store_bookmark_save(struct store *s, struct bookmark *b) FICD_MUST_CHECK;
int store_bookmark_get(struct store *s, int64_t id, struct bookmark *out) FICD_MUST_CHECK;
/* The reader's bookmark of a work: FICD_ENOTFOUND when none. */
int store_bookmark_find(struct store *s, int64_t user_id, int64_t work_id,
                        struct bookmark *out) FICD_MUST_CHECK;
int store_bookmark_delete(struct store *s, int64_t id) FICD_MUST_CHECK;

/* A listing of bookmarks. Private bookmarks are only listed when user_id == viewer_id; drafts
 * are never listed; restricted works only when include_restricted; with viewer_id > 0,
 * bookmarks by creators the viewer muted, of works by muted creators and of works carrying a
 * blocked tag (synonyms and sub tags included) are left out, also from the counts. */
struct store_bookmark_query {
    int64_t viewer_id;
    int64_t user_id;         /* > 0: this bookmarker's only */
    int64_t work_id;         /* > 0: of this work only */
    const char *const *tags; /* bookmarker's tags, every one required */
    size_t ntags;
    const char *const *work_tags; /* the work's tags (any type, synonyms count), every one */
    size_t nwork_tags;
    int rec_only;
    int include_restricted;
    int offset, limit; /* limit 0 = no limit */
    int facet_limit;   /* top N bookmarker's tags and work tags counted; 0: no facets */
};
struct store_facet {
    char *name;
    int64_t count;
};
struct store_bookmark_result {
    int64_t total;
    struct bookmark *v;
    size_t n;
    struct store_facet *tag_facets, *work_tag_facets; /* by count desc, then name */
    size_t ntag_facets, nwork_tag_facets;
};
void store_bookmark_result_free(struct store_bookmark_result *r);
int store_bookmark_list(struct store *s, const struct store_bookmark_query *q,
                        struct store_bookmark_result *out) FICD_MUST_CHECK;

/* Muting and blocking. */
int store_mute(struct store *s, int64_t user_id, int64_t muted_id, int on) FICD_MUST_CHECK;
int store_is_muted(struct store *s, int64_t user_id, int64_t muted_id, int *muted) FICD_MUST_CHECK;
/* Every pseud of every account user_id muted (what the index excludes), in *out. */
int store_muted_pseuds(struct store *s, int64_t user_id, struct strlist *out) FICD_MUST_CHECK;
/* The names of the accounts user_id muted, by name. */
int store_muted_users(struct store *s, int64_t user_id, struct strlist *out) FICD_MUST_CHECK;
/* Replaces the reader's blocked tags with names (deduplicated case-insensitively). */
int store_blocked_tags_set(struct store *s, int64_t user_id,
                           const struct strlist *names) FICD_MUST_CHECK;
int store_blocked_tags(struct store *s, int64_t user_id, struct strlist *out) FICD_MUST_CHECK;
/* Whether the viewer muted a creator of work_id or blocked one of its tags (synonyms and sub
 * tags included): *hidden = 1. */
int store_work_hidden_for(struct store *s, int64_t viewer_id, int64_t work_id,
                          int *hidden) FICD_MUST_CHECK;

/* Subscriptions. */
enum sub_kind { SUB_WORK = 1, SUB_USER = 2, SUB_SERIES = 3 };
int store_subscribe(struct store *s, int64_t user_id, enum sub_kind kind, int64_t target_id,
                    int on) FICD_MUST_CHECK;
int store_is_subscribed(struct store *s, int64_t user_id, enum sub_kind kind, int64_t target_id,
                        int *on) FICD_MUST_CHECK;
struct subscription {
    int64_t id;
    enum sub_kind kind;
    int64_t target_id;
    const char *name; /* the work's or series' title, or the user's name */
    int64_t created;
};
typedef int (*store_subscription_cb)(const struct subscription *sub, void *ctx);
/* A reader's subscriptions, newest first; strings live until cb returns. */
int store_subscription_list(struct store *s, int64_t user_id, store_subscription_cb cb,
                            void *ctx) FICD_MUST_CHECK;
/* The readers subscribed to (kind, target_id), in *ids (malloc'ed, *n entries). */
int store_subscribers(struct store *s, enum sub_kind kind, int64_t target_id, int64_t **ids,
                      size_t *n) FICD_MUST_CHECK;

/* Reading history. */
struct reading {
    int64_t work_id;
    int64_t last_visit;
    int64_t visits;
    int last_chapter; /* position, 0 when unknown */
    int later;        /* marked for later */
};
/* Records a visit (count + 1, last visit now, chapter position when > 0) unless the reader
 * turned history off. */
int store_reading_visit(struct store *s, int64_t user_id, int64_t work_id,
                        int chapter) FICD_MUST_CHECK;
int store_reading_get(struct store *s, int64_t user_id, int64_t work_id,
                      struct reading *out) FICD_MUST_CHECK; /* FICD_ENOTFOUND when none */
int store_reading_mark_later(struct store *s, int64_t user_id, int64_t work_id,
                             int later) FICD_MUST_CHECK;
typedef int (*store_reading_cb)(const struct reading *rd, void *ctx);
/* Newest visit first; later_only: the "Marked for Later" list. *total gets the count. */
int store_reading_list(struct store *s, int64_t user_id, int later_only, int offset, int limit,
                       store_reading_cb cb, void *ctx, int64_t *total) FICD_MUST_CHECK;
/* Turns history off (clearing it) or on. */
int store_history_set(struct store *s, int64_t user_id, int off) FICD_MUST_CHECK;
int store_history_off(struct store *s, int64_t user_id, int *off) FICD_MUST_CHECK;

/* The token of a reader's private inbox feed. It is kept as is (the settings page shows it);
 * it grants reading that one feed and nothing else. */
int store_feed_token_set(struct store *s, int64_t user_id, const char *token) FICD_MUST_CHECK;
/* *user_id = 0 when no reader has that token. */
int store_feed_token_user(struct store *s, const char *token, int64_t *user_id) FICD_MUST_CHECK;
/* *token = NULL when the reader has none; the caller frees it. */
int store_feed_token_get(struct store *s, int64_t user_id, char **token) FICD_MUST_CHECK;

/* ---- creators' side (sqlite_creators.c): statistics, gifts, co-creators, inspired-by ---- */

/* A work credited to an account (owned or under one of its pseuds), drafts left out, with
 * its counters; strings live until the callback returns. */
struct work_stat {
    int64_t work_id;
    const char *title;
    int64_t hits, kudos, comments, bookmarks, subscriptions, words;
};
typedef int (*store_work_stat_cb)(const struct work_stat *st, void *ctx);
int store_user_work_stats(struct store *s, int64_t user_id, store_work_stat_cb cb,
                          void *ctx) FICD_MUST_CHECK;
/* Over time: per day ("2026-12-06"), month ("2026-12") or year ("2026"), ascending, only
 * periods with something in them: hits (counted per day as works.hits grows), kudos, visible
 * comments, public bookmarks and subscriptions by when they were made, of the account's works
 * (work_id > 0: that one only). */
enum stats_period { STATS_DAY = 0, STATS_MONTH, STATS_YEAR };
struct stats_point {
    const char *period;
    int64_t hits, kudos, comments, bookmarks, subscriptions;
};
typedef int (*store_stats_point_cb)(const struct stats_point *p, void *ctx);
int store_user_stats_over_time(struct store *s, int64_t user_id, int64_t work_id,
                               enum stats_period period, store_stats_point_cb cb,
                               void *ctx) FICD_MUST_CHECK;

/* The account a name stands for: a user name or a pseud's owner; *user_id 0 when none. */
int store_account_by_name(struct store *s, const char *name, int64_t *user_id) FICD_MUST_CHECK;

/* Gifts: a work given to archive accounts (by user or pseud name) or to free-text
 * recipients. A recipient account may refuse a gift (and take it back). */
struct gift {
    int64_t id, work_id;
    int64_t user_id;       /* 0 for a free-text recipient */
    const char *recipient; /* the name given */
    const char *work_title;
    int refused;
    int64_t created;
};
typedef int (*store_gift_cb)(const struct gift *g, void *ctx);
/* Replaces the work's recipients with the names in recipients; recipients kept keep their
 * refusal. The accounts given the work by this call are put in *new_users (malloc'ed). */
int store_gifts_set(struct store *s, int64_t work_id, const struct strlist *recipients,
                    int64_t **new_users, size_t *n_new) FICD_MUST_CHECK;
int store_gifts_of_work(struct store *s, int64_t work_id, int include_refused, store_gift_cb cb,
                        void *ctx) FICD_MUST_CHECK;
/* Gifts to an account, newest first, drafts and hidden works left out (restricted ones unless
 * include_restricted). */
int store_gifts_for_user(struct store *s, int64_t user_id, int include_refused,
                         int include_restricted, store_gift_cb cb, void *ctx) FICD_MUST_CHECK;
/* FICD_ENOTFOUND unless gift_id is a gift to user_id. */
int store_gift_refuse(struct store *s, int64_t gift_id, int64_t user_id,
                      int refused) FICD_MUST_CHECK;

/* Co-creators: an invited account is credited (its default pseud added to the work's
 * creators) only when it accepts. */
int store_creator_invite(struct store *s, int64_t work_id, int64_t user_id,
                         int64_t inviter_id) FICD_MUST_CHECK; /* FICD_EEXISTS when invited */
int store_creator_invites_of_work(struct store *s, int64_t work_id,
                                  struct strlist *names) FICD_MUST_CHECK;
int store_creator_invite_cancel(struct store *s, int64_t work_id, int64_t user_id) FICD_MUST_CHECK;
int store_creator_invited(struct store *s, int64_t work_id, int64_t user_id,
                          int *invited) FICD_MUST_CHECK;
/* FICD_ENOTFOUND when there is no invitation. */
int store_creator_invite_answer(struct store *s, int64_t work_id, int64_t user_id,
                                int accept) FICD_MUST_CHECK;
/* Takes every pseud of user_id off the work's creators; the work's account passes to another
 * creator's. FICD_EINVAL when no creator would be left, FICD_ENOTFOUND when the user is not a
 * creator. */
int store_work_remove_creator(struct store *s, int64_t work_id, int64_t user_id) FICD_MUST_CHECK;
/* The archive's orphan account ("orphan_account", no password), created when missing. */
int store_orphan_account(struct store *s, int64_t *id) FICD_MUST_CHECK;
/* Credits the work to the orphan account alone (creators and owning account). */
int store_work_orphan(struct store *s, int64_t work_id) FICD_MUST_CHECK;

/* Inspired by: a work names one parent work; the link shows once approved. */
struct inspiration {
    int64_t work_id, parent_id;
    int approved;
    int64_t created;
};
typedef int (*store_inspiration_cb)(const struct inspiration *in, void *ctx);
/* Sets the work's parent (0: none), replacing another; *added = 1 when the link is new. */
int store_inspiration_set(struct store *s, int64_t work_id, int64_t parent_id, int approved,
                          int *added) FICD_MUST_CHECK;
/* The parent's creator approves (1) or refuses (0, the link is removed) a link. */
int store_inspiration_answer(struct store *s, int64_t parent_id, int64_t work_id,
                             int approve) FICD_MUST_CHECK;
/* children = 1: the works inspired by work_id; 0: the work's parent(s). cb may use the store. */
int store_inspirations(struct store *s, int64_t work_id, int children, store_inspiration_cb cb,
                       void *ctx) FICD_MUST_CHECK;

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

/* ---- several nodes on one database (cluster.c) ----
 * Everything a node keeps between requests either lives here or is derived from the change
 * log, so that any node can answer any request. */

/* Appends one change-log row in a transaction of its own (joins the caller's when it holds
 * one). */
int store_log_change(struct store *s, enum change_kind kind, int64_t object_id) FICD_MUST_CHECK;
/* 1 when this connection has changed no row since the change-log row it last wrote (that
 * row's transaction covers all it changed), so a caller needs no CHANGE_SITE of its own;
 * 0 otherwise (also when it never wrote one). Conservative: rows changed after the log row
 * in the same transaction also give 0. */
int store_changes_logged(struct store *s);
/* Waits until the change log holds an entry with seq > after: returns 1 when it does (at once
 * when it already does), 0 when timeout_ms passed first, or a negative FICD_E* code; *seq
 * (may be NULL) receives the log's last entry as last read. With PostgreSQL this connection
 * LISTENs on ficd_changes (every change-log insert NOTIFYs in its transaction), so give it a
 * store of its own; SQLite polls the log every 25 ms. */
int store_wait_change(struct store *s, int64_t after, int timeout_ms, int64_t *seq) FICD_MUST_CHECK;
/* 1 when store_wait_change is woken by the database itself as each change commits (it sleeps
 * until then), 0 when it polls. */
int store_change_push(struct store *s);
/* Sets key to value unless it already has a value; *stored (the caller frees it) receives the
 * value that holds afterwards, so processes starting at once agree on one (the CSRF secret). */
int store_setting_init(struct store *s, const char *key, const char *value,
                       char **stored) FICD_MUST_CHECK;
/* Rate-limit counters shared by every process on the database: a fixed window per key.
 * store_rate_count counts one event for key at now (a window of `window` seconds starts when
 * the key has none running) and returns the events in the window, this one included, and
 * when the window ends. store_rate_peek reads them without counting (*count = 0 when no
 * window runs). store_rate_uncount takes back one event counted by store_rate_count (a
 * request refused after all). store_rate_clear forgets a key, store_rate_purge every window
 * ended by now. */
int store_rate_count(struct store *s, const char *key, int64_t now, int window, int64_t *count,
                     int64_t *expires) FICD_MUST_CHECK;
int store_rate_peek(struct store *s, const char *key, int64_t now, int64_t *count,
                    int64_t *expires) FICD_MUST_CHECK;
int store_rate_uncount(struct store *s, const char *key) FICD_MUST_CHECK;
int store_rate_clear(struct store *s, const char *key) FICD_MUST_CHECK;
int store_rate_purge(struct store *s, int64_t now) FICD_MUST_CHECK;
/* One visit a hit may be counted for: the work, the UTC day (unix time / 86400) and a keyed
 * hash of visitor and work (web/hits.c). */
struct hit_visit {
    int64_t work_id;
    int64_t day;
    int64_t key;
};
/* Counts each visit of v (n of them, sorted by work_id) unless some process on the database
 * counted it already: the visit is recorded, and the work's hits grow by its new visits with
 * one change-log row per work, all in one transaction. Visits of days before the batch's
 * earliest day minus one are forgotten. Works that do not exist are skipped. */
int store_work_add_visits(struct store *s, const struct hit_visit *v, size_t n) FICD_MUST_CHECK;

#endif
