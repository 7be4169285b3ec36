/* fuzz_http.c: libFuzzer target for HTTP request handling through the real router and
 * handlers (web_dispatch) against a real store and search index: any method, path, query
 * string, cookies and headers, url-encoded and multipart bodies (the fields and files as
 * libmicrohttpd's post processor hands them over), signed in or not, with or without a
 * valid CSRF token. Checks: no crash, leak or undefined behaviour; a status in 200..599; a
 * body for every status but 204/304 and redirects; HTML responses begin with a doctype.
 *
 * Input (readable seeds in fuzz/corpus/http/):
 *   METHOD\n TARGET (path?query)\n FLAGS\n  [Header: value\n]...  \n BODY
 * FLAGS: 'a' signed in as the admin, 'u' as a user, 'c' a valid CSRF token is added.
 * A Content-Type of multipart/form-data makes BODY parts separated by "\n--\n", each
 * "name\nvalue" or "name;filename\nvalue"; otherwise BODY is url-encoded. */
#include "core/account.h"
#include "index/index.h"
#include "store/store.h"
#include "web/server.h"
#include "web/session.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct web_config cfg;
static struct web_site site;
static struct store *st;
static char dir[64];
static char tok_admin[65], tok_user[65], anon[65];

static void cleanup(void)
{
    store_close(st);
    idx_free(site.idx);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_http: cannot remove %s\n", dir);
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_http: %s: %s\n", what, st ? store_errmsg(st) : "");
    abort();
}

static int64_t make_user(const char *name, enum user_role role, char tok[65])
{
    struct user u;
    memset(&u, 0, sizeof(u));
    char hash[128];
    if (password_hash("fuzz-password-1", hash))
        die("hash");
    u.name = (char *)name;
    u.pwhash = hash;
    if (store_user_create(st, &u) || store_user_set_role(st, u.id, role))
        die("user");
    char h[65];
    token_new(tok);
    token_hash(tok, h);
    if (store_session_create(st, h, u.id, (int64_t)time(NULL) + 86400 * 365))
        die("session");
    return u.id;
}

static void add_work(int64_t uid, const char *creator, const char *title, int draft)
{
    struct work w;
    work_init(&w);
    w.title = strdup(title);
    w.summary = strdup("A summary with <b>markup</b> & words.");
    w.language = strdup("English");
    w.user_id = uid;
    w.draft = draft;
    w.rating = 1;
    w.warnings = 1u << 3;
    if (strlist_add(&w.creators, creator) || strlist_add(&w.fandoms, "Fuzz Fandom") ||
        strlist_add(&w.characters, "Ann") || strlist_add(&w.relationships, "Ann/Bo") ||
        strlist_add(&w.freeforms, "Fluff"))
        die("work");
    for (int i = 0; i < 2; i++) {
        struct chapter *c = work_add_chapter(&w);
        if (!c)
            die("chapter");
        c->title = strdup(i ? "Two" : "One");
        c->html = strdup("<p>Once upon a time there were words to search for.</p>");
        c->words = 10;
    }
    if (store_work_insert(st, &w))
        die("insert");
    work_free(&w);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    web_config_defaults(&cfg);
    for (int i = 0; i < RL_NCATEGORIES; i++)
        cfg.rate[i].count = 0; /* rate limits would soon refuse every POST */
    cfg.login_attempts = 1000000000;
    randombytes_buf(site.secret, sizeof(site.secret));
    token_new(anon);
    snprintf(dir, sizeof(dir), "/tmp/ficd-fuzz-http.XXXXXX");
    if (!mkdtemp(dir) || store_open(dir, &st))
        die("store");
    atexit(cleanup);
    int64_t admin = make_user("admin", ROLE_ADMIN, tok_admin);
    int64_t user = make_user("reader", ROLE_USER, tok_user);
    if (store_setting_set(st, "archive_name", "Fuzz Archive") ||
        store_setting_set(st, "signup_mode", "open"))
        die("settings");
    add_work(admin, "admin", "Published Work", 0);
    add_work(admin, "admin", "Draft Work", 1);
    add_work(user, "reader", "Reader's Work", 0);
    web_setup_done();
    if (idx_new(1, &site.idx) || idx_build(site.idx, st, 0))
        die("index");
    return 0;
}

/* The next line of [*p, end) (without its newline) as a NUL-terminated copy in the arena. */
static char *line(struct web_req *r, const char **p, const char *end)
{
    const char *s = *p;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    return web_strndup(r, s, (size_t)(e - s));
}

/* Multipart-like body: parts "name[;filename]\nvalue" separated by "\n--\n". */
static int add_parts(struct web_req *r, const char *b, const char *end)
{
    while (b < end) {
        const char *sep = memmem(b, (size_t)(end - b), "\n--\n", 4);
        const char *pe = sep ? sep : end;
        const char *nl = memchr(b, '\n', (size_t)(pe - b));
        const char *ne = nl ? nl : pe;
        char *name = web_strndup(r, b, (size_t)(ne - b));
        char *fname = strchr(name, ';');
        if (fname)
            *fname++ = 0;
        const char *v = nl ? nl + 1 : pe;
        if (kvs_add(&r->form, name, v, (size_t)(pe - v)))
            return -1;
        if (fname && !(r->form.v[r->form.n - 1].filename = strdup(fname)))
            return -1;
        b = sep ? sep + 4 : end;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    const char *p = (const char *)data, *end = p + size;
    struct web_req r;
    web_req_init(&r, &cfg, &site);
    r.store = st;
    char *method = line(&r, &p, end);
    char *target = line(&r, &p, end);
    char *flags = line(&r, &p, end);
    r.method = *method ? method : "GET";
    char *q = strchr(target, '?');
    if (q)
        *q++ = 0;
    r.path = *target ? target : web_strdup(&r, "/");
    r.query = q ? q : web_strdup(&r, "");
    snprintf(r.remote_ip, sizeof(r.remote_ip), "192.0.2.1");
    const char *session = strchr(flags, 'a') ? tok_admin : strchr(flags, 'u') ? tok_user : NULL;
    const char *cookie = session ? web_sprintf(&r, "ficd_session=%s; ficd_csrf=%s", session, anon)
                                 : web_sprintf(&r, "ficd_csrf=%s", anon);
    int multipart = 0;
    for (;;) {
        char *h = line(&r, &p, end);
        if (!*h)
            break;
        char *colon = strchr(h, ':');
        if (!colon)
            continue;
        *colon = 0;
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        if (!strcasecmp(h, "Cookie"))
            cookie = web_sprintf(&r, "%s; %s", v, cookie); /* the fuzzer's cookies come first */
        else if (!strcasecmp(h, "Accept-Encoding"))
            r.accept_encoding = v;
        else if (!strcasecmp(h, "If-None-Match"))
            r.if_none_match = v;
        else if (!strcasecmp(h, "Content-Type")) {
            r.body_type = v;
            multipart = !strncasecmp(v, "multipart/form-data", 19);
        }
    }
    r.cookie_header = cookie;
    int bad = web_parse_urlencoded(&r.args, r.query, strlen(r.query)) != 0;
    if (!bad)
        bad = multipart ? add_parts(&r, p, end) != 0
                        : web_parse_urlencoded(&r.form, p, (size_t)(end - p)) != 0;
    if (!bad && strchr(flags, 'c')) {
        char tok[65];
        csrf_token(site.secret, session ? session : anon, tok);
        kvs_add(&r.form, CSRF_FIELD, tok, 64);
    }
    if (!bad) {
        web_dispatch(&r);
        if (r.status < 200 || r.status > 599)
            abort();
        int redirect = r.status >= 300 && r.status < 400;
        if (r.status != 204 && r.status != 304 && !redirect && r.out.len == 0 &&
            strcmp(r.method, "HEAD"))
            abort();
        if (!r.content_type && r.out.len && strncmp(buf_str(&r.out), "<!DOCTYPE html>", 15))
            abort();
    }
    web_req_free(&r);
    return 0;
}
