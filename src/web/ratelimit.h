/* ratelimit.h: rate limits on every POST, shared by all worker threads and all nodes: the low-level
 * counters (a key, a count within a fixed window), the categories of actions (sign-up, login,
 * posting, comments, kudos, reports, bookmarks, subscriptions, other) with their limits per
 * client address and per account, the check web_dispatch applies to every POST, the 429 page,
 * and a test handlers may make of a bucket without the central refusal. */
#ifndef FICD_WEB_RATELIMIT_H
#define FICD_WEB_RATELIMIT_H

#include <stdint.h>

struct web_req;
struct store;

/* What a POST does, by its path (ratelimit_classify). */
enum rl_category {
    RL_SIGNUP = 0,   /* POST /signup */
    RL_LOGIN,        /* POST /login (every attempt; failed logins have their own limit) */
    RL_POST,         /* POST /works, /works/import, chapters, edits, deletions: /works/... */
    RL_COMMENT,      /* any path with a "comments" segment, or under /comments/ */
    RL_KUDOS,        /* any path with a "kudos" segment */
    RL_REPORT,       /* a path ending in /report (works, comments, users) */
    RL_BOOKMARK,     /* a "bookmarks"/"bookmark"/"mark_for_later" segment */
    RL_SUBSCRIPTION, /* any path with a "subscriptions"/"subscribe"/"unsubscribe" segment */
    RL_OTHER,        /* every other POST (settings, logout, wrangling, invitations, ...) */
    RL_NCATEGORIES
};

/* A limit: at most count actions per window seconds; count == 0 means no limit. */
struct rl_limit {
    int count;
    int window;
};

/* The category of a POST to path (the raw path, no query). */
enum rl_category ratelimit_classify(const char *path);
/* "signup", "login", "post", "comment", "kudos", "report", "bookmark", "subscription",
 * "other": the config key is "rate_" and this name. */
const char *ratelimit_category_name(enum rl_category c);
/* The built-in limit of a category (docs/configuration.md lists them). */
struct rl_limit ratelimit_default(enum rl_category c);
/* Parses "COUNT/WINDOW" (WINDOW in seconds, or with an s, m, h or d suffix: "30/10m") or
 * "0" (no limit). Returns 0, or -1 when malformed. */
int ratelimit_parse(const char *s, struct rl_limit *out);

/* ---- low level: counters shared by every node ----
 * s is the caller's store: the counters then live in the database, shared by every thread
 * and every node on it; s == NULL keeps them in this process (tests, callers without a
 * store). */

/* 0 when key (an address or "user:NAME") may act now, else the seconds to wait: the key
 * has limit or more events in its current window. */
int ratelimit_check(struct store *s, const char *key, int64_t now, int limit, int window);
/* Records one event for key at now (a failed login, a POST). */
void ratelimit_fail(struct store *s, const char *key, int64_t now, int window);
/* Forgets key (after a successful login). */
void ratelimit_clear(struct store *s, const char *key);
/* Forgets every key (tests): this process's, and the store's when s is given. */
void ratelimit_reset_all(struct store *s);

/* ---- request level ---- */

/* What web_dispatch does for every POST: counts the request in category c for the client's
 * address (IPv6 by /64) and, when signed in, its account (for login: the account name
 * given), and returns 0 when both are within the category's limit, else the seconds until
 * the client may try again. Counts go to r->store (so they hold across nodes); each key is
 * counted and checked in one atomic step, and a refused request takes its counts back.
 * Remembers the category in the request (ratelimit_test). */
int ratelimit_request(struct web_req *r, enum rl_category c, int64_t now);

/* For handlers: the seconds until this request's client (address, and account when signed
 * in) is within category c's limit again, or 0 when it is within it now. Counts nothing and
 * answers nothing. When dispatch already counted this request in c, that count is left out,
 * so the answer says whether this very request went over.
 *
 * Guest comments (RL_COMMENT without a signed-in user) are the one case dispatch lets
 * through over the limit (up to 4 times it, then 429): the comment handler calls this and
 * holds such a comment for approval instead of refusing it. */
int ratelimit_test(struct web_req *r, enum rl_category c);

/* Renders the 429 page for category c (in the site layout, saying when to retry) with a
 * Retry-After header; returns 429. */
int ratelimit_page(struct web_req *r, enum rl_category c, int wait);

#endif
