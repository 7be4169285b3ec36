/* session.c: cookies, CSRF tokens, and the request-level session
 * (who is signed in, who may change a work). Passwords, names and tokens: core/account.c. */
#include "web/session.h"
#include "core/err.h"
#include "web/server.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
    if (!header)
        return -1;
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        const char *eq = strchr(p, '=');
        const char *semi = strchr(p, ';');
        if (!semi)
            semi = p + strlen(p);
        if (eq && eq < semi && (size_t)(eq - p) == nl && !memcmp(p, name, nl)) {
            const char *v = eq + 1;
            size_t vn = (size_t)(semi - v);
            while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                vn--;
            if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"')
                v++, vn -= 2;
            if (vn + 1 > outlen)
                return -1;
            memcpy(out, v, vn);
            out[vn] = 0;
            return (int)vn;
        }
        p = semi;
    }
    return -1;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, in, n);
}

void csrf_token(const unsigned char secret[32], const char *basis, char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, 32);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:", 5);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)basis, strlen(basis));
    crypto_auth_hmacsha256_final(&st, mac);
    to_hex(mac, sizeof(mac), out);
}

int csrf_verify(const unsigned char secret[32], const char *basis, const char *given)
{
    if (!basis || !*basis || !given || strlen(given) != 64)
        return 0;
    char want[65];
    csrf_token(secret, basis, want);
    return sodium_memcmp(want, given, 64) == 0;
}

/* ---- CSRF on a request ---- */

const char *session_csrf(struct web_req *r)
{
    r->personal = 1;
    if (!r->csrf_basis[0]) {
        token_new(r->csrf_basis);
        r->csrf_cookie_needed = 1;
    }
    char *tok = web_alloc(r, 65);
    csrf_token(r->site->secret, r->csrf_basis, tok);
    return tok;
}

void session_guest_token(struct web_req *r, const char *action, char out[65])
{
    csrf_token(r->site->secret, web_sprintf(r, "guest:%s", action), out);
}

int session_csrf_ok(struct web_req *r)
{
    const char *given = web_field(r, CSRF_FIELD);
    if (csrf_verify(r->site->secret, r->csrf_basis, given))
        return 1;
    /* anonymous forms on cached pages carry a token bound to their action */
    return !r->session_token[0] && r->path &&
           csrf_verify(r->site->secret, web_sprintf(r, "guest:%s", r->path), given);
}

int web_is_admin(const struct web_req *r)
{
    return r->user.id > 0 && r->user.role == ROLE_ADMIN;
}

int web_is_moderator(const struct web_req *r)
{
    return r->user.id > 0 && r->user.role >= ROLE_MODERATOR;
}

int web_can_edit(const struct web_req *r, const struct work *w)
{
    if (r->user.id <= 0)
        return 0;
    if (web_is_admin(r) || (w->user_id > 0 && w->user_id == r->user.id))
        return 1;
    /* an accepted co-creator is credited under their account name (readers' tools) */
    return w->creators.n > 1 && r->user.name && strlist_contains(&w->creators, r->user.name);
}
