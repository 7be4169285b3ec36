/* config.c: server settings from defaults, a key = value file, FICD_* variables and flags. */
#include "web/config.h"
#include "core/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const web_config_keys[] = {"listen",
                                       "data",
                                       "max_body",
                                       "threads",
                                       "connection_limit",
                                       "per_ip_limit",
                                       "timeout",
                                       "connection_memory",
                                       "trust_proxy",
                                       "session_days",
                                       "access_log",
                                       "login_attempts",
                                       "login_window",
                                       "max_header",
                                       "page_cache",
                                       "page_cache_ttl",
                                       "rate_signup",
                                       "rate_login",
                                       "rate_post",
                                       "rate_comment",
                                       "rate_kudos",
                                       "rate_report",
                                       "rate_bookmark",
                                       "rate_subscription",
                                       "rate_other",
                                       "hits",
                                       "hits_flush",
                                       "guest_comment_links",
                                       "ebook_convert",
                                       "conversions",
                                       NULL};

void web_config_defaults(struct web_config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen_host, sizeof(c->listen_host), "127.0.0.1");
    c->port = 8080;
    snprintf(c->data_dir, sizeof(c->data_dir), "./ficd-data");
    c->max_body = (size_t)8 << 20;
    c->threads = 0;
    c->connection_limit = 1024;
    c->per_ip_limit = 64;
    c->timeout = 30;
    c->max_header = (size_t)16 << 10;
    c->connection_memory = (size_t)32 << 10;
    c->trust_proxy = 0;
    c->session_days = 30;
    c->access_log = 1;
    c->login_attempts = 5;
    c->login_window = 300;
    c->page_cache = (size_t)64 << 20;
    c->page_cache_ttl = 2;
    for (int i = 0; i < RL_NCATEGORIES; i++)
        c->rate[i] = ratelimit_default((enum rl_category)i);
    c->hits = 1;
    c->hits_flush = 2;
    c->guest_comment_links = 2;
    snprintf(c->ebook_convert, sizeof(c->ebook_convert), "ebook-convert");
    c->conversions = 1;
}

/* Parses a non-negative integer with an optional K/M/G suffix (powers of 1024). */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10, end++;
    else if (*end == 'm' || *end == 'M')
        shift = 20, end++;
    else if (*end == 'g' || *end == 'G')
        shift = 30, end++;
    if ((*end == 'b' || *end == 'B') && shift)
        end++;
    if (*end || v > (~0ULL >> (shift + 1)))
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_bool(const char *s, int *out)
{
    if (!strcasecmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
        !strcasecmp(s, "on"))
        *out = 1;
    else if (!strcasecmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no") ||
             !strcasecmp(s, "off"))
        *out = 0;
    else
        return -1;
    return 0;
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT". */
static int parse_listen(struct web_config *c, const char *s)
{
    const char *colon = strrchr(s, ':');
    const char *host = s, *port = NULL;
    size_t hn = 0;
    if (!colon) {
        port = s;
    } else {
        port = colon + 1;
        hn = (size_t)(colon - s);
        if (hn >= 2 && s[0] == '[' && s[hn - 1] == ']')
            host++, hn -= 2;
        else if (memchr(s, ':', hn))
            return -1; /* a bare IPv6 address needs brackets */
    }
    int p;
    if (parse_int(port, 1, 65535, &p))
        return -1;
    if (hn >= sizeof(c->listen_host))
        return -1;
    if (hn) {
        memcpy(c->listen_host, host, hn);
        c->listen_host[hn] = 0;
    } else if (colon) {
        snprintf(c->listen_host, sizeof(c->listen_host), "0.0.0.0");
    }
    c->port = p;
    return 0;
}

int web_config_set(struct web_config *c, const char *key, const char *value, char *err,
                   size_t errlen)
{
    int bad = 0;
    size_t sz;
    if (!strcmp(key, "listen")) {
        bad = parse_listen(c, value);
    } else if (!strcmp(key, "data")) {
        if (!*value || strlen(value) >= sizeof(c->data_dir))
            bad = 1;
        else
            snprintf(c->data_dir, sizeof(c->data_dir), "%s", value);
    } else if (!strcmp(key, "database")) {
        if (strlen(value) >= sizeof(c->database) ||
            (*value && strncmp(value, "postgres://", 11) && strncmp(value, "postgresql://", 13) &&
             strncmp(value, "sqlite:", 7)))
            bad = 1;
        else
            snprintf(c->database, sizeof(c->database), "%s", value);
    } else if (!strcmp(key, "max_body")) {
        bad = parse_size(value, &sz) || sz < 1024;
        if (!bad)
            c->max_body = sz;
    } else if (!strcmp(key, "max_header")) {
        bad = parse_size(value, &sz) || sz < 1024 || sz > ((size_t)1 << 20);
        if (!bad)
            c->max_header = sz;
    } else if (!strcmp(key, "connection_memory")) {
        bad = parse_size(value, &sz) || sz < 8192;
        if (!bad)
            c->connection_memory = sz;
    } else if (!strcmp(key, "threads")) {
        bad = parse_int(value, 0, 256, &c->threads);
    } else if (!strcmp(key, "connection_limit")) {
        bad = parse_int(value, 1, 1000000, &c->connection_limit);
    } else if (!strcmp(key, "per_ip_limit")) {
        bad = parse_int(value, 0, 1000000, &c->per_ip_limit);
    } else if (!strcmp(key, "timeout")) {
        bad = parse_int(value, 1, 86400, &c->timeout);
    } else if (!strcmp(key, "session_days")) {
        bad = parse_int(value, 1, 3650, &c->session_days);
    } else if (!strcmp(key, "login_attempts")) {
        bad = parse_int(value, 1, 1000000, &c->login_attempts);
    } else if (!strcmp(key, "login_window")) {
        bad = parse_int(value, 1, 86400, &c->login_window);
    } else if (!strcmp(key, "page_cache")) {
        bad = parse_size(value, &c->page_cache);
    } else if (!strcmp(key, "page_cache_ttl")) {
        bad = parse_int(value, 0, 86400, &c->page_cache_ttl);
    } else if (!strncmp(key, "rate_", 5)) {
        int i = 0;
        while (i < RL_NCATEGORIES && strcmp(key + 5, ratelimit_category_name((enum rl_category)i)))
            i++;
        if (i == RL_NCATEGORIES) {
            snprintf(err, errlen, "unknown setting '%s'", key);
            return FICD_EINVAL;
        }
        bad = ratelimit_parse(value, &c->rate[i]);
    } else if (!strcmp(key, "hits")) {
        bad = parse_bool(value, &c->hits);
    } else if (!strcmp(key, "hits_flush")) {
        bad = parse_int(value, 1, 3600, &c->hits_flush);
    } else if (!strcmp(key, "guest_comment_links")) {
        bad = parse_int(value, 0, 1000, &c->guest_comment_links);
    } else if (!strcmp(key, "ebook_convert")) {
        bad = !*value || strlen(value) >= sizeof(c->ebook_convert);
        if (!bad)
            snprintf(c->ebook_convert, sizeof(c->ebook_convert), "%s", value);
    } else if (!strcmp(key, "conversions")) {
        bad = parse_int(value, 1, 8, &c->conversions);
    } else if (!strcmp(key, "trust_proxy")) {
        bad = parse_bool(value, &c->trust_proxy);
    } else if (!strcmp(key, "access_log")) {
        bad = parse_bool(value, &c->access_log);
    } else {
        snprintf(err, errlen, "unknown setting '%s'", key);
        return FICD_EINVAL;
    }
    if (bad) {
        snprintf(err, errlen, "bad value '%s' for %s", value, key);
        return FICD_EINVAL;
    }
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

int web_config_load_file(struct web_config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return FICD_EIO;
    }
    char line[2048];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
            rc = FICD_EINVAL;
            break;
        }
        *eq = 0;
        char *key = trim(s), *value = trim(eq + 1);
        size_t vn = strlen(value);
        if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
            value[vn - 1] = 0;
            value++;
        }
        char msg[256];
        if (web_config_set(c, key, value, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
            rc = FICD_EINVAL;
            break;
        }
    }
    fclose(f);
    return rc;
}

int web_config_load_env(struct web_config *c, const char *(*get)(const char *name), char *err,
                        size_t errlen)
{
    for (const char *const *k = web_config_keys; *k; k++) {
        char name[64] = "FICD_";
        size_t n = 5;
        for (const char *p = *k; *p && n < sizeof(name) - 1; p++)
            name[n++] = (char)toupper((unsigned char)*p);
        name[n] = 0;
        const char *v = get(name);
        if (!v || !*v)
            continue;
        char msg[256];
        if (web_config_set(c, *k, v, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s: %s", name, msg);
            return FICD_EINVAL;
        }
    }
    return 0;
}
