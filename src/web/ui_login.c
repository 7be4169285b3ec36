/* ui_login.c: log in, log out, sign up (open, invite-only or closed), first-run setup,
 * account settings (password, pseuds), archive settings and invitations. */
#include "core/html.h"
#include "web/page.h"
#include "web/session.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A local path safe to redirect to after login, else "/". */
static const char *safe_return(const char *to)
{
    if (!to || to[0] != '/' || to[1] == '/' || to[1] == '\\')
        return "/";
    for (const char *p = to; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\')
            return "/";
    return to;
}

static char *setting(struct web_req *r, const char *key, const char *def)
{
    char *v = NULL;
    if (store_setting_get(r->store, key, &v) || !v)
        return web_strdup(r, def);
    char *s = web_strdup(r, v);
    free(v);
    return s;
}

static void login_page(struct web_req *r, const char *name, const char *error)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, "Log In");
    html_lit(b, "<h1>Log In</h1>\n");
    const char *so = web_arg(r, "signed_out");
    if (!error && so && !strcmp(so, "everywhere"))
        html_lit(b, "<p class=\"notice\" role=\"status\" id=\"notice\">You were signed out "
                    "in every browser and on every device.</p>\n");
    if (error)
        page_errors(r, &error, 1);
    html_lit(b, "<form method=\"post\" action=\"/login\" id=\"login-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<input type=\"hidden\" name=\"return_to\" value=\"");
    html_attr(b, safe_return(web_arg(r, "return_to") ? web_arg(r, "return_to")
                                                     : web_field(r, "return_to")));
    html_lit(b, "\">\n");
    page_input(r, "text", "name", "User name", name, NULL);
    page_input(r, "password", "password", "Password", NULL, NULL);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"login-submit\">Log In"
                "</button></p>\n</form>\n<p>No account? <a href=\"/signup\">Sign up</a>.</p>\n");
    page_end(r);
}

int ui_login_form(struct web_req *r)
{
    if (r->user.id > 0)
        return web_redirect(r, safe_return(web_arg(r, "return_to")));
    login_page(r, NULL, NULL);
    return 200;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[128];

static void make_dummy(void)
{
    if (password_hash("ficd-no-such-user-password", dummy_hash))
        dummy_hash[0] = 0;
}

int ui_login(struct web_req *r)
{
    const char *name = web_field(r, "name");
    const char *pw = web_field(r, "password");
    if (!name)
        name = "";
    if (!pw)
        pw = "";
    int64_t now = (int64_t)time(NULL);
    const char *ipkey = web_sprintf(r, "ip:%s", r->remote_ip);
    char *ukey = web_sprintf(r, "user:%s", name);
    for (char *p = ukey; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    int wait = ratelimit_check(r->store, ipkey, now, r->cfg->login_attempts, r->cfg->login_window);
    int wait2 = ratelimit_check(r->store, ukey, now, r->cfg->login_attempts, r->cfg->login_window);
    if (wait2 > wait)
        wait = wait2;
    if (wait > 0) {
        web_header(r, "Retry-After", web_sprintf(r, "%d", wait));
        return ui_error(r, 429,
                        web_sprintf(r, "Too many failed logins. Try again in %d minute%s.",
                                    (wait + 59) / 60, (wait + 59) / 60 == 1 ? "" : "s"));
    }
    struct user u;
    memset(&u, 0, sizeof(u));
    int rc = *name ? store_user_get_by_name(r->store, name, &u) : FICD_ENOTFOUND;
    if (rc && rc != FICD_ENOTFOUND)
        return ui_error(r, 500, "The account could not be read.");
    int ok;
    if (rc == FICD_ENOTFOUND) {
        /* spend the same time as a real check so timing does not tell names apart */
        pthread_once(&dummy_once, make_dummy);
        password_verify(dummy_hash, pw);
        ok = 0;
    } else {
        ok = password_verify(u.pwhash, pw);
    }
    if (!ok) {
        user_free(&u);
        /* the counters are rows in the store, but no page shows them */
        int64_t c0 = store_total_changes(r->store);
        ratelimit_fail(r->store, ipkey, now, r->cfg->login_window);
        ratelimit_fail(r->store, ukey, now, r->cfg->login_window);
        r->session_writes += store_total_changes(r->store) - c0;
        login_page(r, name, "Wrong name or password.");
        /* not 401: that status promises a WWW-Authenticate challenge (RFC 9110 15.5.2) */
        return 422;
    }
    int64_t c0 = store_total_changes(r->store);
    ratelimit_clear(r->store, ukey);
    r->session_writes += store_total_changes(r->store) - c0;
    if (u.banned) {
        user_free(&u);
        login_page(r, name, "This account has been banned by the archive's moderators.");
        return 403;
    }
    rc = session_start(r, u.id);
    user_free(&u);
    if (rc)
        return ui_error(r, 500, "The session could not be started.");
    return web_redirect(r, safe_return(web_field(r, "return_to")));
}

int ui_logout(struct web_req *r)
{
    session_end(r);
    return web_redirect(r, "/");
}

/* ---- sign-up ---- */

static void signup_page(struct web_req *r, const char *mode, const char *const *errs, size_t nerr)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, "Sign Up");
    html_lit(b, "<h1>Create an account</h1>\n");
    page_errors(r, errs, nerr);
    html_lit(b, "<form method=\"post\" action=\"/signup\" id=\"signup-form\">\n");
    page_csrf_field(r);
    if (!strcmp(mode, "invite"))
        page_input(r, "text", "invite_code", "Invitation code", web_field(r, "invite_code"),
                   "Sign-up on this archive is by invitation.");
    page_input(r, "text", "name", "User name", web_field(r, "name"),
               "2 to 40 letters, digits, '_' or '-'. This is also the name you post under.");
    page_input(r, "password", "password", "Password", NULL, "At least 8 characters.");
    page_input(r, "password", "password_confirm", "Confirm password", NULL, NULL);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"signup-submit\">Create "
                "Account</button></p>\n</form>\n");
    page_end(r);
}

int ui_signup_form(struct web_req *r)
{
    if (r->user.id > 0)
        return web_redirect(r, "/dashboard");
    const char *mode = setting(r, "signup_mode", "closed");
    if (!strcmp(mode, "closed"))
        return ui_error(r, 403, "Sign-up is closed on this archive.");
    signup_page(r, mode, NULL, 0);
    return 200;
}

int ui_signup(struct web_req *r)
{
    if (r->user.id > 0)
        return web_redirect(r, "/dashboard");
    const char *mode = setting(r, "signup_mode", "closed");
    if (!strcmp(mode, "closed"))
        return ui_error(r, 403, "Sign-up is closed on this archive.");
    const char *errs[4];
    size_t nerr = 0;
    const char *name = web_field(r, "name");
    const char *pw = web_field(r, "password");
    const char *code = web_field(r, "invite_code");
    const char *e;
    if ((e = name_problem(name)))
        errs[nerr++] = e;
    if ((e = password_problem(pw, web_field(r, "password_confirm"))))
        errs[nerr++] = e;
    int invite = !strcmp(mode, "invite");
    if (invite && (!code || !*code))
        errs[nerr++] = "Enter your invitation code.";
    if (nerr) {
        signup_page(r, mode, errs, nerr);
        return 422;
    }
    struct user u;
    memset(&u, 0, sizeof(u));
    char hash[128];
    if (password_hash(pw, hash))
        return ui_error(r, 500, "The password could not be hashed.");
    u.name = (char *)name;
    u.pwhash = hash;
    u.role = ROLE_USER;
    if (store_begin(r->store))
        return ui_error(r, 500, "The account could not be created.");
    int rc = invite ? store_invite_use(r->store, code) : 0;
    if (rc == FICD_ENOTFOUND) {
        store_rollback(r->store);
        errs[nerr++] = "That invitation code is not valid or has been used.";
        signup_page(r, mode, errs, nerr);
        return 422;
    }
    if (!rc)
        rc = store_user_create(r->store, &u);
    if (rc == FICD_EEXISTS) {
        store_rollback(r->store);
        errs[nerr++] = "That name is not available.";
        signup_page(r, mode, errs, nerr);
        return 422;
    }
    if (rc || store_commit(r->store)) {
        store_rollback(r->store);
        return ui_error(r, 500, "The account could not be created.");
    }
    if (session_start(r, u.id))
        return ui_error(r, 500, "The session could not be started.");
    return web_redirect(r, "/dashboard");
}

/* ---- first-run setup ---- */

static void mode_radios(struct web_req *r, const char *mode)
{
    static const char *const modes[][2] = {{"open", "Open: anyone may sign up"},
                                           {"invite", "Invite-only: sign-up needs a code"},
                                           {"closed", "Closed: no one may sign up"}};
    struct buf *b = &r->out;
    html_lit(b, "<fieldset id=\"signup-mode\">\n<legend>Sign-up</legend>\n");
    for (size_t i = 0; i < 3; i++) {
        html_lit(b, "<label><input type=\"radio\" name=\"signup_mode\" value=\"");
        html_attr(b, modes[i][0]);
        html_lit(b, "\" id=\"signup_mode_");
        html_attr(b, modes[i][0]);
        html_lit(b, "\"");
        if (!strcmp(mode, modes[i][0]))
            html_lit(b, " checked");
        html_lit(b, "> ");
        html_text(b, modes[i][1]);
        html_lit(b, "</label>\n");
    }
    html_lit(b, "</fieldset>\n");
}

static int valid_mode(const char *m)
{
    return m && (!strcmp(m, "open") || !strcmp(m, "invite") || !strcmp(m, "closed"));
}

static void setup_page(struct web_req *r, const char *const *errs, size_t nerr)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, "Set Up");
    html_lit(b, "<h1>Set up your archive</h1>\n<p>Create the administrator account and name "
                "the archive. You can change the name and sign-up later in Settings.</p>\n");
    page_errors(r, errs, nerr);
    html_lit(b, "<form method=\"post\" action=\"/setup\" id=\"setup-form\">\n");
    page_csrf_field(r);
    page_input(r, "text", "archive_name", "Archive name",
               web_field(r, "archive_name") ? web_field(r, "archive_name") : "My Archive", NULL);
    page_input(r, "text", "name", "Administrator name", web_field(r, "name"),
               "2 to 40 letters, digits, '_' or '-'.");
    page_input(r, "password", "password", "Password", NULL, "At least 8 characters.");
    page_input(r, "password", "password_confirm", "Confirm password", NULL, NULL);
    const char *m = web_field(r, "signup_mode");
    mode_radios(r, valid_mode(m) ? m : "closed");
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"setup-submit\">Create "
                "Archive</button></p>\n</form>\n");
    page_end(r);
}

static int users_exist(struct web_req *r)
{
    int64_t n = 0;
    return store_user_count(r->store, &n) ? -1 : n > 0;
}

int ui_setup_form(struct web_req *r)
{
    int have = users_exist(r);
    if (have < 0)
        return ui_error(r, 500, "The accounts could not be read.");
    if (have)
        return web_redirect(r, "/");
    setup_page(r, NULL, 0);
    return 200;
}

int ui_setup(struct web_req *r)
{
    const char *errs[4];
    size_t nerr = 0;
    const char *name = web_field(r, "name"), *pw = web_field(r, "password");
    const char *archive = web_field(r, "archive_name"), *mode = web_field(r, "signup_mode");
    const char *e;
    if (!archive || !*archive || strlen(archive) > 100)
        errs[nerr++] = "Give the archive a name of at most 100 characters.";
    if ((e = name_problem(name)))
        errs[nerr++] = e;
    if ((e = password_problem(pw, web_field(r, "password_confirm"))))
        errs[nerr++] = e;
    if (!valid_mode(mode))
        errs[nerr++] = "Choose how people can sign up.";
    int have = users_exist(r);
    if (have < 0)
        return ui_error(r, 500, "The accounts could not be read.");
    if (have)
        return web_redirect(r, "/");
    if (nerr) {
        setup_page(r, errs, nerr);
        return 422;
    }
    char hash[128];
    if (password_hash(pw, hash))
        return ui_error(r, 500, "The password could not be hashed.");
    struct user u;
    memset(&u, 0, sizeof(u));
    u.name = (char *)name;
    u.pwhash = hash;
    u.role = ROLE_ADMIN;
    if (store_begin(r->store))
        return ui_error(r, 500, "The archive could not be set up.");
    int64_t n = 0;
    int rc = store_user_count(r->store, &n);
    if (!rc && n > 0) {
        store_rollback(r->store);
        return web_redirect(r, "/");
    }
    if (!rc)
        rc = store_user_create(r->store, &u);
    if (!rc)
        rc = store_user_set_role(r->store, u.id, ROLE_ADMIN);
    if (!rc)
        rc = store_setting_set(r->store, "archive_name", archive);
    if (!rc)
        rc = store_setting_set(r->store, "signup_mode", mode);
    if (rc || store_commit(r->store)) {
        store_rollback(r->store);
        return ui_error(r, 500, "The archive could not be set up.");
    }
    web_setup_done();
    r->archive_name = web_strdup(r, archive);
    if (session_start(r, u.id))
        return ui_error(r, 500, "The session could not be started.");
    return web_redirect(r, "/dashboard");
}

/* ---- settings ---- */

static int settings_page(struct web_req *r, int status, const char *notice, const char *const *errs,
                         size_t nerr)
{
    struct buf *b = &r->out;
    struct strlist pseuds;
    strlist_init(&pseuds);
    if (store_pseud_list(r->store, r->user.id, &pseuds))
        return ui_error(r, 500, "The account could not be read.");
    buf_reset(b);
    page_begin(r, "Settings");
    html_lit(b, "<h1>Settings</h1>\n");
    if (notice) {
        html_lit(b, "<p class=\"notice\" role=\"status\" id=\"notice\">");
        html_text(b, notice);
        html_lit(b, "</p>\n");
    }
    page_errors(r, errs, nerr);
    html_lit(b, "<section aria-labelledby=\"pw-heading\">\n<h2 id=\"pw-heading\">Change "
                "password</h2>\n<form method=\"post\" action=\"/settings/password\" "
                "id=\"password-form\">\n");
    page_csrf_field(r);
    page_input(r, "password", "current_password", "Current password", NULL, NULL);
    page_input(r, "password", "new_password", "New password", NULL, "At least 8 characters.");
    page_input(r, "password", "new_password_confirm", "Confirm new password", NULL, NULL);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\">Change Password</button></p>\n"
                "</form>\n</section>\n<section aria-labelledby=\"pseuds-heading\">\n"
                "<h2 id=\"pseuds-heading\">Pseuds</h2>\n<p>The names you can post under:</p>\n"
                "<ul id=\"pseud-list\">\n");
    for (size_t i = 0; i < pseuds.n; i++) {
        html_lit(b, "<li>");
        html_text(b, pseuds.v[i]);
        html_lit(b, "</li>\n");
    }
    strlist_free(&pseuds);
    html_lit(b, "</ul>\n<form method=\"post\" action=\"/settings/pseuds\" id=\"pseud-form\">\n");
    page_csrf_field(r);
    page_input(r, "text", "pseud", "New pseud", NULL, NULL);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\">Add Pseud</button></p>\n</form>\n"
                "</section>\n");
    html_lit(b, "<section aria-labelledby=\"sessions-heading\">\n<h2 id=\"sessions-heading\">"
                "Sessions</h2>\n<p>Signs this account out in every browser and on every device, "
                "this one included (changing the password signs out all the others).</p>\n"
                "<form method=\"post\" action=\"/settings/sign_out_everywhere\" "
                "id=\"sign-out-everywhere-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\">Sign Out Everywhere</button></p>\n"
                "</form>\n</section>\n");
    readers_settings_sections(r);
    page_inbox_settings(r);
    if (web_is_admin(r)) {
        html_lit(b, "<section aria-labelledby=\"archive-heading\">\n<h2 id=\"archive-heading\">"
                    "Archive</h2>\n<form method=\"post\" action=\"/settings/archive\" "
                    "id=\"archive-form\">\n");
        page_csrf_field(r);
        page_input(r, "text", "archive_name", "Archive name", r->archive_name, NULL);
        mode_radios(r, setting(r, "signup_mode", "closed"));
        html_lit(b, "<p class=\"actions\"><button type=\"submit\">Save</button></p>\n</form>\n"
                    "<p><a href=\"/admin/invites\" id=\"invites-link\">Invitations</a></p>\n"
                    "</section>\n");
    }
    page_end(r);
    return status;
}

int ui_settings(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    return settings_page(r, 200, NULL, NULL, 0);
}

int ui_settings_password(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    const char *cur = web_field(r, "current_password");
    const char *pw = web_field(r, "new_password");
    const char *e = NULL;
    if (!password_verify(r->user.pwhash, cur ? cur : ""))
        e = "The current password is wrong.";
    else
        e = password_problem(pw, web_field(r, "new_password_confirm"));
    if (e)
        return settings_page(r, 422, NULL, &e, 1);
    char hash[128];
    if (password_hash(pw, hash) || store_user_set_password(r->store, r->user.id, hash))
        return ui_error(r, 500, "The password could not be changed.");
    /* whoever knew the old password is signed out everywhere else */
    int64_t ended = 0;
    if (session_end_others(r, &ended))
        return ui_error(r, 500, "The password was changed, but other sessions could not be ended.");
    return settings_page(r, 200,
                         ended ? web_sprintf(r,
                                             "Your password was changed. %lld other session%s "
                                             "(other browsers or devices) %s signed out.",
                                             (long long)ended, ended == 1 ? "" : "s",
                                             ended == 1 ? "was" : "were")
                               : "Your password was changed.",
                         NULL, 0);
}

int ui_settings_signout_everywhere(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    if (session_end_others(r, NULL))
        return ui_error(r, 500, "The other sessions could not be ended.");
    session_end(r);
    return web_redirect(r, "/login?signed_out=everywhere");
}

int ui_settings_pseud(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    const char *name = web_field(r, "pseud");
    const char *e = name_problem(name);
    if (e)
        return settings_page(r, 422, NULL, &e, 1);
    int rc = store_pseud_add(r->store, r->user.id, name);
    if (rc == FICD_EEXISTS) {
        e = "That name is not available.";
        return settings_page(r, 422, NULL, &e, 1);
    }
    if (rc)
        return ui_error(r, 500, "The pseud could not be added.");
    return settings_page(r, 200, "Pseud added.", NULL, 0);
}

int ui_settings_archive(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    if (!web_is_admin(r))
        return ui_error(r, 403, "Only archive admins may change the archive's settings.");
    const char *name = web_field(r, "archive_name"), *mode = web_field(r, "signup_mode");
    const char *e = NULL;
    if (!name || !*name || strlen(name) > 100)
        e = "Give the archive a name of at most 100 characters.";
    else if (!valid_mode(mode))
        e = "Choose how people can sign up.";
    if (e)
        return settings_page(r, 422, NULL, &e, 1);
    if (store_setting_set(r->store, "archive_name", name) ||
        store_setting_set(r->store, "signup_mode", mode))
        return ui_error(r, 500, "The settings could not be saved.");
    r->archive_name = web_strdup(r, name);
    return settings_page(r, 200, "Archive settings saved.", NULL, 0);
}

/* ---- invitations ---- */

static int invite_row(const struct invite *inv, void *ctx)
{
    struct web_req *r = ctx;
    struct buf *b = &r->out;
    html_lit(b, "<tr");
    if (inv->used)
        html_lit(b, " class=\"used\"");
    html_lit(b, "><td><code>");
    html_text(b, inv->code);
    html_lit(b, "</code></td><td>");
    page_date(b, inv->created);
    html_lit(b, "</td><td>");
    if (inv->creator)
        page_user_link(r, inv->creator);
    else
        html_lit(b, "(command line)");
    html_lit(b, "</td><td>");
    if (inv->used) {
        html_lit(b, "Used ");
        page_date(b, inv->used);
    } else {
        html_lit(b, "Unused");
    }
    html_lit(b, "</td></tr>\n");
    return 0;
}

static int invites_page(struct web_req *r, const char *code)
{
    struct buf *b = &r->out;
    page_begin(r, "Invitations");
    html_lit(b, "<h1>Invitations</h1>\n<p>Sign-up is currently <strong>");
    html_text(b, setting(r, "signup_mode", "closed"));
    html_lit(b, "</strong>. Codes work when sign-up is invite-only; each works once.</p>\n");
    if (code) {
        html_lit(b, "<p class=\"notice\" role=\"status\">New invitation code: <code "
                    "id=\"invite-code\">");
        html_text(b, code);
        html_lit(b, "</code></p>\n");
    }
    html_lit(b, "<form method=\"post\" action=\"/admin/invites\" id=\"invite-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\">Create Invitation</button></p>\n"
                "</form>\n<h2>All invitations</h2>\n<table id=\"invites\">\n<thead><tr>"
                "<th scope=\"col\">Code</th><th scope=\"col\">Created</th><th scope=\"col\">By"
                "</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>\n");
    if (store_invite_list(r->store, invite_row, r))
        return ui_error(r, 500, "The invitations could not be read.");
    html_lit(b, "</tbody>\n</table>\n");
    page_end(r);
    return 200;
}

int ui_invites(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    if (!web_is_admin(r))
        return ui_error(r, 403, "Only archive admins may create invitations.");
    return invites_page(r, NULL);
}

int ui_invite_create(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    if (!web_is_admin(r))
        return ui_error(r, 403, "Only archive admins may create invitations.");
    char tok[65];
    token_new(tok);
    tok[20] = 0;
    if (store_invite_create(r->store, tok, r->user.id))
        return ui_error(r, 500, "The invitation could not be created.");
    return invites_page(r, web_strdup(r, tok));
}
