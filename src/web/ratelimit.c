/* ratelimit.c: the rate limiter shared by every worker thread and every node (a fixed-window
 * counter per key in the store; in a small table of this process for callers without one),
 * the categories of POSTs by path, the per-address / per-account check dispatch applies, and
 * the 429 page. */
#include "web/ratelimit.h"
#include "core/html.h"
#include "web/page.h"
#include "web/server.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- categories ---- */

static const char *const cat_names[RL_NCATEGORIES] = {
    "signup", "login", "post", "comment", "kudos", "report", "bookmark", "subscription", "other",
};

/* Built-in limits per address and per account: generous for people, tight for scripts. */
static const struct rl_limit cat_defaults[RL_NCATEGORIES] = {
    {20, 3600},  /* signup: 20 accounts an hour from one address */
    {60, 300},   /* login: 60 attempts in 5 minutes (5 failures: login_attempts) */
    {300, 3600}, /* posting: works, chapters, edits, imports */
    {60, 600},   /* comments */
    {120, 600},  /* kudos */
    {20, 3600},  /* reports */
    {300, 3600}, /* bookmarks */
    {300, 3600}, /* subscriptions */
    {600, 3600}, /* everything else */
};

static const char *const cat_phrases[RL_NCATEGORIES] = {
    "created too many accounts", "tried to log in too often",
    "posted too often",          "commented too often",
    "left kudos too often",      "sent too many reports",
    "bookmarked too often",      "changed subscriptions too often",
    "sent too many forms",
};

const char *ratelimit_category_name(enum rl_category c)
{
    return (unsigned)c < RL_NCATEGORIES ? cat_names[c] : "other";
}

struct rl_limit ratelimit_default(enum rl_category c)
{
    return cat_defaults[(unsigned)c < RL_NCATEGORIES ? c : RL_OTHER];
}

/* 1 when segment [s, s+n) is word. */
static int seg_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && !strncmp(s, word, n);
}

enum rl_category ratelimit_classify(const char *path)
{
    if (!path)
        return RL_OTHER;
    int kudos = 0, comments = 0, bookmarks = 0, subs = 0, works = 0, report = 0;
    const char *p = path;
    size_t idx = 0;
    const char *first = NULL;
    size_t firstn = 0;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, "/");
        if (idx == 0) {
            first = p;
            firstn = n;
        }
        report = seg_is(p, n, "report") || seg_is(p, n, "reports");
        if (seg_is(p, n, "kudos"))
            kudos = 1;
        if (seg_is(p, n, "comments") || seg_is(p, n, "comment"))
            comments = 1;
        if (seg_is(p, n, "bookmarks") || seg_is(p, n, "bookmark") || seg_is(p, n, "mark_for_later"))
            bookmarks = 1;
        if (seg_is(p, n, "subscriptions") || seg_is(p, n, "subscription") ||
            seg_is(p, n, "subscribe") || seg_is(p, n, "unsubscribe"))
            subs = 1;
        if (idx == 0 && seg_is(p, n, "works"))
            works = 1;
        p += n;
        idx++;
    }
    if (report)
        return RL_REPORT;
    if (kudos)
        return RL_KUDOS;
    if (comments)
        return RL_COMMENT;
    if (bookmarks)
        return RL_BOOKMARK;
    if (subs)
        return RL_SUBSCRIPTION;
    if (first && idx == 1 && seg_is(first, firstn, "signup"))
        return RL_SIGNUP;
    if (first && idx == 1 && seg_is(first, firstn, "login"))
        return RL_LOGIN;
    if (works)
        return RL_POST;
    return RL_OTHER;
}

int ratelimit_parse(const char *s, struct rl_limit *out)
{
    if (!s)
        return -1;
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    long count = strtol(s, &end, 10);
    if (errno || count < 0 || count > 100000000)
        return -1;
    if (!*end && count == 0) {
        out->count = 0;
        out->window = 1;
        return 0;
    }
    if (*end != '/' || !isdigit((unsigned char)end[1]))
        return -1;
    const char *w = end + 1;
    long window = strtol(w, &end, 10);
    if (errno || window <= 0)
        return -1;
    long mul = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        mul = 60, end++;
    else if (*end == 'h')
        mul = 3600, end++;
    else if (*end == 'd')
        mul = 86400, end++;
    if (*end || window > 365L * 86400 / mul)
        return -1;
    out->count = (int)count;
    out->window = (int)(window * mul);
    return 0;
}

/* ---- counters ----
 * With a store (every request the server handles) the counters live in the database
 * (store_rate_*), so every node behind a load balancer counts into the same window. Without
 * one (unit tests, tools) they live in a small open-addressing table of (key hash, window
 * start, count) in this process. A store that fails lets the request through (it is logged):
 * a database that cannot count cannot write what the request asks for either. */

#define RL_SLOTS 16384
#define RL_PROBE 8

struct rl_slot {
    uint64_t key;
    int64_t start;
    int count;
};

static struct rl_slot rl_table[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char rl_salt[crypto_shorthash_KEYBYTES];
static pthread_once_t rl_once = PTHREAD_ONCE_INIT;

static void rl_init(void)
{
    randombytes_buf(rl_salt, sizeof(rl_salt));
}

static uint64_t rl_hash(const char *key)
{
    pthread_once(&rl_once, rl_init);
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl_salt);
    uint64_t v;
    memcpy(&v, h, sizeof(v));
    return v ? v : 1;
}

/* The slot holding key, or NULL. Called with the lock held. */
static struct rl_slot *rl_find(uint64_t k)
{
    for (int i = 0; i < RL_PROBE; i++) {
        struct rl_slot *s = &rl_table[(k + (uint64_t)i) % RL_SLOTS];
        if (s->key == k)
            return s;
    }
    return NULL;
}

/* Counts one event for k, taking a slot when it has none. Lock held. Returns the slot. */
static struct rl_slot *rl_count(uint64_t k, int64_t now, int window)
{
    struct rl_slot *s = rl_find(k);
    if (!s) {
        /* take an empty or expired slot, else the oldest of the probe sequence */
        struct rl_slot *oldest = NULL;
        for (int i = 0; i < RL_PROBE; i++) {
            struct rl_slot *c = &rl_table[(k + (uint64_t)i) % RL_SLOTS];
            if (!c->key || now - c->start >= window) {
                oldest = c;
                break;
            }
            if (!oldest || c->start < oldest->start)
                oldest = c;
        }
        s = oldest;
        s->key = k;
        s->start = now;
        s->count = 0;
    } else if (now - s->start >= window) {
        s->start = now;
        s->count = 0;
    }
    s->count++;
    return s;
}

static void rl_store_failed(struct store *s, const char *what)
{
    fprintf(stderr, "ficd: rate limits: cannot %s (the request is let through): %s\n", what,
            store_errmsg(s));
}

/* The events of key's window running at now (window: its length, for the table) and the
 * seconds until it ends; 0 and 0 when none runs. */
static void rl_peek(struct store *s, const char *key, int64_t now, int window, int64_t *count,
                    int64_t *left)
{
    *count = 0;
    *left = 0;
    if (s) {
        int64_t expires = 0;
        if (store_rate_peek(s, key, now, count, &expires)) {
            rl_store_failed(s, "read a counter");
            *count = 0;
        } else if (*count) {
            *left = expires - now;
        }
        return;
    }
    uint64_t k = rl_hash(key);
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *sl = rl_find(k);
    if (sl && now - sl->start < window) {
        *count = sl->count;
        *left = sl->start + window - now;
    }
    pthread_mutex_unlock(&rl_lock);
}

/* Counts one event for key at now; the same out values as rl_peek, this event included. */
static void rl_add(struct store *s, const char *key, int64_t now, int window, int64_t *count,
                   int64_t *left)
{
    *count = 0;
    *left = 0;
    if (s) {
        int64_t expires = 0;
        if (store_rate_count(s, key, now, window, count, &expires)) {
            rl_store_failed(s, "count");
            *count = 0;
        } else {
            *left = expires - now;
        }
        return;
    }
    uint64_t k = rl_hash(key);
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *sl = rl_count(k, now, window);
    *count = sl->count;
    *left = sl->start + window - now;
    pthread_mutex_unlock(&rl_lock);
}

/* Takes back one event rl_add counted for key. */
static void rl_undo(struct store *s, const char *key)
{
    if (s) {
        if (store_rate_uncount(s, key))
            rl_store_failed(s, "take back a count");
        return;
    }
    uint64_t k = rl_hash(key);
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *sl = rl_find(k);
    if (sl && sl->count > 0)
        sl->count--;
    pthread_mutex_unlock(&rl_lock);
}

int ratelimit_check(struct store *s, const char *key, int64_t now, int limit, int window)
{
    int64_t count, left;
    rl_peek(s, key, now, window, &count, &left);
    return count >= limit && left > 0 ? (int)left : 0;
}

void ratelimit_fail(struct store *s, const char *key, int64_t now, int window)
{
    int64_t count, left;
    rl_add(s, key, now, window, &count, &left);
}

void ratelimit_clear(struct store *s, const char *key)
{
    if (s) {
        if (store_rate_clear(s, key))
            rl_store_failed(s, "clear a counter");
        return;
    }
    uint64_t k = rl_hash(key);
    pthread_mutex_lock(&rl_lock);
    struct rl_slot *sl = rl_find(k);
    if (sl)
        memset(sl, 0, sizeof(*sl));
    pthread_mutex_unlock(&rl_lock);
}

void ratelimit_reset_all(struct store *s)
{
    pthread_mutex_lock(&rl_lock);
    memset(rl_table, 0, sizeof(rl_table));
    pthread_mutex_unlock(&rl_lock);
    if (s && store_rate_purge(s, INT64_MAX))
        rl_store_failed(s, "clear the counters");
}

/* ---- request level ---- */

/* The address key: the address, IPv6 cut to its /64 (one subscriber's usual allocation). */
static void addr_key(const struct web_req *r, enum rl_category c, char *out, size_t n)
{
    const char *ip = r->remote_ip[0] ? r->remote_ip : "-";
    unsigned char a6[16];
    if (strchr(ip, ':') && inet_pton(AF_INET6, ip, a6) == 1) {
        char s[INET6_ADDRSTRLEN];
        memset(a6 + 8, 0, 8);
        inet_ntop(AF_INET6, a6, s, sizeof(s));
        snprintf(out, n, "rl:%s:ip:%s/64", cat_names[c], s);
    } else {
        snprintf(out, n, "rl:%s:ip:%s", cat_names[c], ip);
    }
}

/* The account key: the signed-in user, or for login the name typed; "" when none. */
static void account_key(const struct web_req *r, enum rl_category c, char *out, size_t n)
{
    out[0] = 0;
    if (r->user.id > 0) {
        snprintf(out, n, "rl:%s:user:%lld", cat_names[c], (long long)r->user.id);
    } else if (c == RL_LOGIN) {
        const char *name = web_field(r, "name");
        if (name && *name) {
            int len = snprintf(out, n, "rl:login:name:%.100s", name);
            for (int i = 0; i < len && (size_t)i < n; i++)
                out[i] = (char)tolower((unsigned char)out[i]);
        }
    }
}

static struct rl_limit limit_of(const struct web_req *r, enum rl_category c)
{
    if (r->cfg && r->cfg->rate[c].window > 0)
        return r->cfg->rate[c];
    return cat_defaults[c];
}

int ratelimit_request(struct web_req *r, enum rl_category c, int64_t now)
{
    if ((unsigned)c >= RL_NCATEGORIES)
        c = RL_OTHER;
    struct rl_limit lim = limit_of(r, c);
    r->rate_category = (int)c + 1;
    if (lim.count <= 0)
        return 0;
    char ka[192], ku[192];
    addr_key(r, c, ka, sizeof(ka));
    account_key(r, c, ku, sizeof(ku));
    /* a guest comment over the limit reaches its handler (to be held for approval) until
     * four times the limit */
    int limit = (c == RL_COMMENT && r->user.id <= 0) ? lim.count * 4 : lim.count;
    /* count, then decide: one atomic step per key, so that concurrent requests on any node
     * let at most `limit` through; a refused request takes its counts back */
    int64_t count, left;
    int wait = 0;
    rl_add(r->store, ka, now, lim.window, &count, &left);
    if (count > limit)
        wait = left > 0 ? (int)left : 1;
    if (!wait && ku[0]) {
        rl_add(r->store, ku, now, lim.window, &count, &left);
        if (count > limit) {
            wait = left > 0 ? (int)left : 1;
            rl_undo(r->store, ku);
        }
    }
    if (wait)
        rl_undo(r->store, ka);
    if (wait)
        r->rate_category = 0; /* refused: ratelimit_test has nothing to leave out */
    return wait;
}

int ratelimit_test(struct web_req *r, enum rl_category c)
{
    if ((unsigned)c >= RL_NCATEGORIES)
        c = RL_OTHER;
    struct rl_limit lim = limit_of(r, c);
    if (lim.count <= 0)
        return 0;
    int64_t now = (int64_t)time(NULL);
    /* dispatch counted this request: it is over the limit when more than count are in */
    int limit = lim.count + (r->rate_category == (int)c + 1 ? 1 : 0);
    char ka[192], ku[192];
    addr_key(r, c, ka, sizeof(ka));
    account_key(r, c, ku, sizeof(ku));
    int wait = ratelimit_check(r->store, ka, now, limit, lim.window);
    if (ku[0]) {
        int w2 = ratelimit_check(r->store, ku, now, limit, lim.window);
        if (w2 > wait)
            wait = w2;
    }
    return wait;
}

int ratelimit_page(struct web_req *r, enum rl_category c, int wait)
{
    if ((unsigned)c >= RL_NCATEGORIES)
        c = RL_OTHER;
    if (wait < 1)
        wait = 1;
    time_t at = time(NULL) + wait;
    struct tm tm;
    gmtime_r(&at, &tm);
    char when[64];
    strftime(when, sizeof(when), "%H:%M:%S UTC", &tm);
    const char *msg;
    if (wait < 120)
        msg = web_sprintf(r, "You have %s. Try again in %d second%s (after %s).", cat_phrases[c],
                          wait, wait == 1 ? "" : "s", when);
    else
        msg = web_sprintf(r, "You have %s. Try again in %d minutes (after %s).", cat_phrases[c],
                          (wait + 59) / 60, when);
    ui_error(r, 429, msg);
    web_header(r, "Retry-After", web_sprintf(r, "%d", wait));
    return 429;
}
