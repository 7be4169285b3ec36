/* auth.c: sessions on a request: reading the session cookie into r->user, starting and
 * ending sessions (the store keeps only each token's SHA-256). */
#include "web/server.h"
#include "web/session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Adds Set-Cookie for name=value with the project's attributes (max_age < 0 deletes). */
static void set_cookie(struct web_req *r, const char *name, const char *value, long max_age)
{
    web_header(r, "Set-Cookie",
               web_sprintf(r, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s", name, value,
                           max_age < 0 ? 0 : max_age, r->tls ? "; Secure" : ""));
}

static int is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

int session_load(struct web_req *r)
{
    char tok[80];
    if (cookie_get(r->cookie_header, CSRF_COOKIE, tok, sizeof(tok)) == 64 && is_hex64(tok))
        memcpy(r->csrf_basis, tok, 65);
    if (cookie_get(r->cookie_header, SESSION_COOKIE, tok, sizeof(tok)) != 64 || !is_hex64(tok))
        return 0;
    char h[65];
    token_hash(tok, h);
    int64_t uid = 0;
    int rc = store_session_get(r->store, h, &uid);
    if (rc)
        return rc;
    if (uid <= 0)
        return 0;
    struct user u;
    memset(&u, 0, sizeof(u));
    rc = store_user_get(r->store, uid, &u);
    if (rc == FICD_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (u.banned) { /* a ban ends the account's sessions; this one too, should any remain */
        user_free(&u);
        int drc = store_session_delete(r->store, h);
        if (drc && drc != FICD_ENOTFOUND)
            fprintf(stderr, "ficd: cannot end a banned account's session\n");
        return 0;
    }
    user_free(&r->user);
    r->user = u;
    memcpy(r->session_token, tok, 65);
    memcpy(r->csrf_basis, tok, 65);
    return 0;
}

static int session_start_quiet(struct web_req *r, int64_t user_id);

int session_start(struct web_req *r, int64_t user_id)
{
    int64_t c0 = store_total_changes(r->store);
    int rc = session_start_quiet(r, user_id);
    r->session_writes += store_total_changes(r->store) - c0;
    return rc;
}

/* session_start without the accounting of its writes. */
static int session_start_quiet(struct web_req *r, int64_t user_id)
{
    char tok[65], h[65];
    token_new(tok);
    token_hash(tok, h);
    long max_age = (long)r->cfg->session_days * 86400L;
    int rc = store_session_create(r->store, h, user_id, (int64_t)time(NULL) + max_age);
    if (rc)
        return rc;
    /* a fresh session also replaces an older one from this browser */
    if (r->session_token[0]) {
        char old[65];
        token_hash(r->session_token, old);
        if (store_session_delete(r->store, old))
            fprintf(stderr, "ficd: cannot delete old session: %s\n", store_errmsg(r->store));
    }
    memcpy(r->session_token, tok, 65);
    memcpy(r->csrf_basis, tok, 65);
    set_cookie(r, SESSION_COOKIE, tok, max_age);
    return 0;
}

void session_end(struct web_req *r)
{
    if (r->session_token[0]) {
        char h[65];
        token_hash(r->session_token, h);
        int64_t c0 = store_total_changes(r->store);
        if (store_session_delete(r->store, h))
            fprintf(stderr, "ficd: cannot delete session: %s\n", store_errmsg(r->store));
        r->session_writes += store_total_changes(r->store) - c0;
    }
    r->session_token[0] = 0;
    r->csrf_basis[0] = 0;
    user_free(&r->user);
    memset(&r->user, 0, sizeof(r->user));
    set_cookie(r, SESSION_COOKIE, "", -1);
}

int session_end_others(struct web_req *r, int64_t *ended)
{
    char h[65];
    if (r->session_token[0])
        token_hash(r->session_token, h);
    int64_t c0 = store_total_changes(r->store);
    int rc = store_session_delete_user(r->store, r->user.id, r->session_token[0] ? h : NULL, ended);
    r->session_writes += store_total_changes(r->store) - c0;
    return rc;
}
