/* session.h: accounts on the web: the session cookie, CSRF tokens and
 * who may see or change a work. Password hashing and tokens are core/account.h. */
#ifndef FICD_WEB_SESSION_H
#define FICD_WEB_SESSION_H

#include "core/account.h"
#include "core/work.h"
#include "web/ratelimit.h"

#include <stddef.h>
#include <stdint.h>

struct web_req;
struct buf;

#define SESSION_COOKIE "ficd_session"
#define CSRF_COOKIE    "ficd_csrf"
#define CSRF_FIELD     "authenticity_token"

/* ---- pure helpers (no store) ---- */

/* Copies the value of cookie name from a Cookie header into out (NUL-terminated). Returns
 * the value's length, or -1 when the cookie is missing or longer than outlen - 1. */
int cookie_get(const char *header, const char *name, char *out, size_t outlen);

/* The CSRF token for a basis (the session token, or the anonymous ficd_csrf cookie):
 * hex HMAC-SHA-256 keyed with the server secret. */
void csrf_token(const unsigned char secret[32], const char *basis, char out[65]);
/* 1 when given is the token for basis (constant-time compare), else 0. */
int csrf_verify(const unsigned char secret[32], const char *basis, const char *given);

/* Login rate limiting (ratelimit_check/fail/clear) lives in web/ratelimit.h. */

/* ---- request-level (use the store) ---- */

/* Reads the session cookie and fills r->user when it names a live session. */
int session_load(struct web_req *r);
/* Starts a session for user_id: stores the token's hash, sets the cookie. */
int session_start(struct web_req *r, int64_t user_id);
/* Ends the current session and clears the cookie. */
void session_end(struct web_req *r);
/* Ends every other session of the signed-in account (other browsers and devices); *ended
 * (may be NULL) receives how many. */
int session_end_others(struct web_req *r, int64_t *ended);
/* The CSRF token forms on this page must carry (sets the anonymous cookie when needed). */
const char *session_csrf(struct web_req *r);
/* 1 when the POST's authenticity_token is right for this request. */
int session_csrf_ok(struct web_req *r);

int web_is_admin(const struct web_req *r);
/* 1 for moderators and admins. */
int web_is_moderator(const struct web_req *r);
/* The anonymous CSRF token of forms posting to action (hex HMAC of "guest:" + action with
 * the server secret): pages in the shared page cache carry it instead of a per-visitor
 * token. session_csrf_ok accepts it for anonymous requests to that very path. */
void session_guest_token(struct web_req *r, const char *action, char out[65]);
/* 1 when the signed-in user may edit/delete w (its owner, a co-creator who accepted, or an
 * admin). */
int web_can_edit(const struct web_req *r, const struct work *w);

#endif
