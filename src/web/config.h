/* config.h: the server's settings: defaults, a `key = value` file, FICD_* environment
 * variables and command-line flags, applied in that order (later wins). */
#ifndef FICD_WEB_CONFIG_H
#define FICD_WEB_CONFIG_H

#include "web/ratelimit.h"

#include <stddef.h>

struct web_config {
    char listen_host[256]; /* address to bind: IPv4, IPv6 (brackets stripped) or a name */
    int port;
    char data_dir[1024];
    char database[1024]; /* "" (SQLite in data_dir), postgres://... or sqlite:PATH */
    size_t max_body;          /* largest request body accepted (413 beyond) */
    int threads;              /* worker threads (thread pool size); 0 = number of cores */
    int connection_limit;     /* simultaneous connections */
    int per_ip_limit;         /* simultaneous connections from one address */
    int timeout;              /* idle connection timeout, seconds */
    size_t max_header;        /* largest request head (request line + headers): 431 beyond */
    size_t connection_memory; /* libmicrohttpd's memory per connection (at least
                                 max_header + 32K is used) */
    int trust_proxy;          /* 1: believe X-Forwarded-For / X-Forwarded-Proto */
    int session_days;         /* how long a login lasts */
    int access_log;           /* 1: one line per request on stderr */
    int login_attempts;       /* failed logins allowed per window, per address and per name */
    int login_window;         /* seconds */
    size_t page_cache;        /* bytes of rendered anonymous pages kept (0: no page cache) */
    int page_cache_ttl;       /* seconds a cached page may be served (0: no page cache) */
    /* POSTs allowed per client address and per account, by category (rate_signup, ...);
       window 0: the built-in default (ratelimit_default) */
    struct rl_limit rate[RL_NCATEGORIES];
    int hits;                /* 1: count hits (one per visitor per work per day) */
    int hits_flush;          /* seconds between writes of the counted hits */
    int guest_comment_links; /* links a guest comment may hold before it waits for approval */
    char ebook_convert[512]; /* calibre's converter ("ebook-convert", a path, or "off") */
    int conversions;         /* ebook conversions run at the same time */
};

void web_config_defaults(struct web_config *c);

/* Sets one setting by its file key ("listen", "data", "max_body", ...). Sizes accept K, M
 * and G suffixes; booleans accept 1/0, true/false, yes/no, on/off. Returns 0, or
 * FICD_EINVAL with a message in err. */
int web_config_set(struct web_config *c, const char *key, const char *value, char *err,
                   size_t errlen);

/* Reads a file of `key = value` lines ('#' starts a comment). FICD_EIO when unreadable,
 * FICD_EINVAL naming the line when a line is bad. */
int web_config_load_file(struct web_config *c, const char *path, char *err, size_t errlen);

/* Applies FICD_<KEY> variables (FICD_LISTEN, FICD_DATA, FICD_MAX_BODY, ...) looked up with
 * get (getenv in the server; a fake in tests). */
int web_config_load_env(struct web_config *c, const char *(*get)(const char *name), char *err,
                        size_t errlen);

/* The names of every key, NULL-terminated (for docs and help). */
extern const char *const web_config_keys[];

#endif
