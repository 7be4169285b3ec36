/* ui_creators.c: gifts, co-creators and inspired-by on the web: the work form's gift_to,
 * co_creators and inspired_by fields (checked and saved here for ui_post.c), /users/NAME/gifts
 * with refusing, co-creator invitations (accepted or declined by the invited, delivered to
 * their inbox), removing oneself from a work's creators, orphaning, and the parent creator's
 * approval of inspired-by links; and what the work page shows of them. */
#include "core/html.h"
#include "web/page.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECIPIENTS 20

static void split_names(const char *s, struct strlist *out, size_t max)
{
    while (s && *s && out->n < max) {
        size_t len = strcspn(s, ",");
        const char *a = s, *e = s + len;
        s = *e ? e + 1 : e;
        while (a < e && (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n'))
            a++;
        while (e > a && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
            e--;
        if (e > a) {
            char *t = strndup(a, (size_t)(e - a));
            if (t && !strlist_contains(out, t))
                strlist_add(out, t);
            free(t);
        }
    }
}

static void button(struct web_req *r, const char *action, const char *id, const char *label,
                   const char *name, const char *value)
{
    struct buf *b = &r->out;
    html_lit(b, "<form method=\"post\" class=\"inline\" action=\"");
    html_attr(b, action);
    html_lit(b, "\">");
    page_csrf_field(r);
    if (name) {
        html_lit(b, "<input type=\"hidden\" name=\"");
        html_attr(b, name);
        html_lit(b, "\" value=\"");
        html_attr(b, value);
        html_lit(b, "\">");
    }
    html_lit(b, "<button type=\"submit\" id=\"");
    html_attr(b, id);
    html_lit(b, "\">");
    html_text(b, label);
    html_lit(b, "</button></form>");
}

/* The work id in an inspired_by value: a work's address on this archive ("/works/12", with or
 * without scheme and host, chapter or query after it) or its number; 0 when none. */
static int64_t parent_of(const char *v)
{
    const char *p = strstr(v, "/works/");
    p = p ? p + 7 : v;
    int64_t id = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 18; p++, digits++)
        id = id * 10 + (*p - '0');
    if (!digits || (*p && *p != '/' && *p != '?' && *p != '#'))
        return 0;
    if (!strstr(v, "/works/") && *p)
        return 0;
    return id;
}

/* ---- the work form ---- */

const char *readers_check_work_fields(struct web_req *r, int64_t work_id, const char *gift_to,
                                      const char *co_creators, const char *inspired_by)
{
    if ((gift_to && strlen(gift_to) > 2000) || (co_creators && strlen(co_creators) > 2000))
        return "The gift and co-creator fields can be at most 2000 characters each.";
    struct strlist l;
    strlist_init(&l);
    split_names(gift_to, &l, 1000);
    size_t ngifts = l.n;
    strlist_free(&l);
    if (ngifts > MAX_RECIPIENTS)
        return "A work can be a gift to at most 20 recipients.";
    split_names(co_creators, &l, 1000);
    const char *err = NULL;
    for (size_t i = 0; !err && i < l.n; i++) {
        int64_t uid = 0;
        if (store_account_by_name(r->store, l.v[i], &uid))
            err = "The co-creators could not be checked.";
        else if (!uid)
            err = web_sprintf(r, "There is no archive user called %s to invite as a co-creator.",
                              l.v[i]);
    }
    strlist_free(&l);
    if (err)
        return err;
    if (inspired_by && *inspired_by) {
        int64_t pid = parent_of(inspired_by);
        struct work p;
        if (!pid)
            return "Inspired by: give the address of a work on this archive (like /works/12).";
        if (pid == work_id)
            return "A work cannot be inspired by itself.";
        int rc = store_work_get(r->store, pid, 0, &p);
        if (rc == FICD_ENOTFOUND)
            return "Inspired by: there is no such work on this archive.";
        if (rc)
            return "The inspiring work could not be read.";
        int bad = p.draft || p.hidden;
        work_free(&p);
        if (bad)
            return "Inspired by: there is no such work on this archive.";
    }
    return NULL;
}

static int gift_name_cb(const struct gift *g, void *ctx)
{
    strlist_add(ctx, g->recipient);
    return 0;
}

static int parent_cb(const struct inspiration *in, void *ctx)
{
    *(int64_t *)ctx = in->parent_id;
    return 1;
}

void readers_work_form_values(struct web_req *r, int64_t work_id, const char **gift_to,
                              const char **co_creators, const char **inspired_by)
{
    struct strlist g, c;
    strlist_init(&g);
    strlist_init(&c);
    int64_t parent = 0;
    if (store_gifts_of_work(r->store, work_id, 1, gift_name_cb, &g) ||
        store_creator_invites_of_work(r->store, work_id, &c) ||
        store_inspirations(r->store, work_id, 0, parent_cb, &parent))
        fprintf(stderr, "ficd: the work's gifts could not be read: %s\n", store_errmsg(r->store));
    *gift_to = web_join(r, &g);
    *co_creators = web_join(r, &c);
    *inspired_by = parent ? web_sprintf(r, "/works/%lld", (long long)parent) : "";
    strlist_free(&g);
    strlist_free(&c);
}

static void deliver(struct web_req *r, int64_t user_id, enum inbox_kind kind, const char *text,
                    const char *url)
{
    if (user_id > 0 && user_id != r->user.id && store_inbox_add(r->store, user_id, kind, text, url))
        fprintf(stderr, "ficd: an inbox item could not be delivered: %s\n", store_errmsg(r->store));
}

void readers_work_saved(struct web_req *r, int64_t work_id, const char *gift_to,
                        const char *co_creators, const char *inspired_by, int tell_gifts)
{
    struct work w;
    if (store_work_get(r->store, work_id, 0, &w))
        return;
    const char *title = web_strdup(r, w.title && *w.title ? w.title : "Untitled");
    const char *url = web_sprintf(r, "/works/%lld", (long long)work_id);
    /* gifts: new recipient accounts hear of it (once the work is posted) */
    struct strlist l;
    strlist_init(&l);
    split_names(gift_to, &l, MAX_RECIPIENTS);
    int64_t *fresh = NULL;
    size_t nfresh = 0;
    if (store_gifts_set(r->store, work_id, &l, &fresh, &nfresh))
        fprintf(stderr, "ficd: gifts could not be saved: %s\n", store_errmsg(r->store));
    for (size_t i = 0; tell_gifts && !w.draft && i < nfresh; i++)
        deliver(r, fresh[i], INBOX_GIFT,
                web_sprintf(r, "%s gave you a gift: %s", r->user.name, title), url);
    free(fresh);
    strlist_free(&l);
    /* co-creators: invite the new names, cancel invitations no longer named */
    struct strlist want, had;
    strlist_init(&want);
    strlist_init(&had);
    split_names(co_creators, &want, 1000);
    if (store_creator_invites_of_work(r->store, work_id, &had))
        fprintf(stderr, "ficd: invitations could not be read: %s\n", store_errmsg(r->store));
    for (size_t i = 0; i < had.n; i++) {
        int64_t uid = 0;
        if (!strlist_contains(&want, had.v[i]) &&
            !store_account_by_name(r->store, had.v[i], &uid) && uid &&
            store_creator_invite_cancel(r->store, work_id, uid))
            fprintf(stderr, "ficd: an invitation could not be cancelled\n");
    }
    for (size_t i = 0; i < want.n; i++) {
        int64_t uid = 0;
        if (store_account_by_name(r->store, want.v[i], &uid) || !uid || uid == w.user_id)
            continue;
        int credited = 0;
        struct strlist ps;
        strlist_init(&ps);
        if (!store_pseud_list(r->store, uid, &ps))
            for (size_t k = 0; k < ps.n && !credited; k++)
                credited = strlist_contains(&w.creators, ps.v[k]);
        strlist_free(&ps);
        if (credited)
            continue;
        int rc = store_creator_invite(r->store, work_id, uid, r->user.id);
        if (rc == 0)
            deliver(r, uid, INBOX_INVITATION,
                    web_sprintf(r, "%s invited you to be a co-creator of %s", r->user.name, title),
                    web_sprintf(r, "/works/%lld/co_creator", (long long)work_id));
    }
    strlist_free(&want);
    strlist_free(&had);
    /* inspired by: new links wait for the parent's creator, who is told */
    int64_t pid = inspired_by && *inspired_by ? parent_of(inspired_by) : 0;
    struct work p;
    int have_parent = pid && store_work_get(r->store, pid, 0, &p) == 0;
    int same_owner = have_parent && p.user_id > 0 && p.user_id == w.user_id;
    int added = 0;
    if (store_inspiration_set(r->store, work_id, have_parent ? pid : 0, same_owner, &added))
        fprintf(stderr, "ficd: the inspired-by link could not be saved: %s\n",
                store_errmsg(r->store));
    else if (added && !same_owner)
        deliver(r, p.user_id, INBOX_SYSTEM,
                web_sprintf(r, "%s says %s was inspired by your work %s: approve the link?",
                            r->user.name, title, p.title && *p.title ? p.title : "Untitled"),
                web_sprintf(r, "/works/%lld/inspirations", (long long)pid));
    if (have_parent)
        work_free(&p);
    work_free(&w);
}

/* ---- gifts ---- */

struct gift_page {
    struct web_req *r;
    int owner;
    int n;
};

static int gift_row(const struct gift *g, void *ctx)
{
    struct gift_page *gp = ctx;
    struct web_req *r = gp->r;
    struct buf *b = &r->out;
    if (web_work_hidden(r, g->work_id))
        return 0;
    gp->n++;
    html_lit(b, "<li class=\"gift\"><a href=\"/works/");
    html_int(b, g->work_id);
    html_lit(b, "\">");
    html_text(b, g->work_title && *g->work_title ? g->work_title : "Untitled");
    html_lit(b, "</a>");
    if (g->refused)
        html_lit(b, " <span class=\"refused\">(refused)</span>");
    if (gp->owner) {
        html_lit(b, " ");
        button(r,
               web_sprintf(r, "/gifts/%lld/%s", (long long)g->id, g->refused ? "accept" : "refuse"),
               g->refused ? "accept-gift" : "refuse-gift",
               g->refused ? "Accept Gift" : "Refuse Gift", NULL, NULL);
    }
    html_lit(b, "</li>\n");
    return 0;
}

int ui_user_gifts(struct web_req *r)
{
    struct user u;
    int rc = web_load_user(r, 0, &u);
    if (rc)
        return rc;
    struct gift_page gp = {r, r->user.id == u.id, 0};
    struct buf *b = &r->out;
    page_begin(r, web_sprintf(r, "Gifts for %s", u.name));
    html_lit(b, "<h1>Gifts for ");
    html_text(b, u.name);
    html_lit(b, "</h1>\n<ul class=\"gifts index\" id=\"gifts\">\n");
    rc = store_gifts_for_user(r->store, u.id, gp.owner, r->user.id > 0, gift_row, &gp);
    html_lit(b, "</ul>\n");
    if (!gp.n)
        html_lit(b, "<p id=\"no-gifts\">No gifts yet.</p>\n");
    page_end(r);
    user_free(&u);
    return rc ? ui_error(r, 500, "The gifts could not be read.") : 200;
}

static int gift_answer(struct web_req *r, int refused)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    int64_t id = web_param_id(r, 0);
    int rc = id ? store_gift_refuse(r->store, id, r->user.id, refused) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "You have no such gift.");
    if (rc)
        return ui_error(r, 500, "The gift could not be changed.");
    const char *to = page_user_path(r, r->user.name, "/gifts");
    return web_redirect(r, to);
}

int ui_gift_refuse(struct web_req *r)
{
    return gift_answer(r, 1);
}

int ui_gift_accept(struct web_req *r)
{
    return gift_answer(r, 0);
}

/* ---- co-creators ---- */

int ui_co_creator_invitation(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct work w;
    int st = web_load_work(r, 0, 0, &w);
    if (st)
        return st;
    int invited = 0;
    if (store_creator_invited(r->store, w.id, r->user.id, &invited) || !invited) {
        work_free(&w);
        return ui_error(r, 404, "You have no invitation to co-create this work.");
    }
    struct buf *b = &r->out;
    page_begin(r, "Co-creator invitation");
    html_lit(b, "<h1>Co-creator invitation</h1>\n<p>You are invited to be credited as a "
                "co-creator of <a href=\"/works/");
    html_int(b, w.id);
    html_lit(b, "\">");
    html_text(b, w.title && *w.title ? w.title : "Untitled");
    html_lit(b, "</a>. Accepting adds your name to its creators.</p>\n<p class=\"actions\">");
    const char *action = web_sprintf(r, "/works/%lld/co_creator", (long long)w.id);
    button(r, action, "accept-invitation", "Accept", "answer", "accept");
    html_lit(b, " ");
    button(r, action, "decline-invitation", "Decline", "answer", "decline");
    html_lit(b, "</p>\n");
    page_end(r);
    work_free(&w);
    return 200;
}

int ui_co_creator_answer(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct work w;
    int st = web_load_work(r, 0, 0, &w);
    if (st)
        return st;
    int64_t id = w.id, owner = w.user_id;
    const char *title = web_strdup(r, w.title && *w.title ? w.title : "Untitled");
    work_free(&w);
    int invited = 0;
    if (store_creator_invited(r->store, id, r->user.id, &invited))
        return ui_error(r, 500, "The invitation could not be read.");
    if (!invited)
        return ui_error(r, 404, "You have no invitation to co-create this work.");
    const char *a = web_field(r, "answer");
    if (!a || (strcmp(a, "accept") && strcmp(a, "decline")))
        return ui_error(r, 422, "Answer the invitation with accept or decline.");
    int accept = !strcmp(a, "accept");
    int rc = store_creator_invite_answer(r->store, id, r->user.id, accept);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "You have no invitation to co-create this work.");
    if (rc)
        return ui_error(r, 500, "The answer could not be saved.");
    deliver(r, owner, INBOX_SYSTEM,
            web_sprintf(r, "%s %s your invitation to co-create %s", r->user.name,
                        accept ? "accepted" : "declined", title),
            web_sprintf(r, "/works/%lld", (long long)id));
    return web_redirect(r, web_sprintf(r, "/works/%lld", (long long)id));
}

/* 1 when one of the signed-in user's pseuds is credited on w. */
static int credited(struct web_req *r, const struct work *w)
{
    if (r->user.id <= 0)
        return 0;
    struct strlist ps;
    strlist_init(&ps);
    int yes = 0;
    if (!store_pseud_list(r->store, r->user.id, &ps))
        for (size_t i = 0; i < ps.n && !yes; i++)
            yes = strlist_contains(&w->creators, ps.v[i]);
    strlist_free(&ps);
    return yes;
}

int ui_work_remove_me(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct work w;
    int st = web_load_work(r, 0, 0, &w);
    if (st)
        return st;
    int64_t id = w.id;
    int mine = credited(r, &w);
    work_free(&w);
    if (!mine)
        return ui_error(r, 403, "You are not one of this work's creators.");
    int rc = store_work_remove_creator(r->store, id, r->user.id);
    if (rc == FICD_EINVAL)
        return ui_error(r, 422, "You are this work's only creator: orphan it instead.");
    if (rc)
        return ui_error(r, 500, "The work's creators could not be changed.");
    return web_redirect(r, web_sprintf(r, "/works/%lld", (long long)id));
}

int ui_work_orphan(struct web_req *r)
{
    struct work w;
    int st = web_load_work(r, 0, 1, &w);
    if (st)
        return st;
    int64_t id = w.id;
    /* a sole creator's work only: every credited name must be one of the owner's pseuds */
    struct strlist ps;
    strlist_init(&ps);
    int sole = w.user_id > 0 && store_pseud_list(r->store, w.user_id, &ps) == 0;
    for (size_t i = 0; sole && i < w.creators.n; i++)
        sole = strlist_contains(&ps, w.creators.v[i]);
    strlist_free(&ps);
    work_free(&w);
    if (!sole)
        return ui_error(r, 422,
                        "Only a work with a sole creator can be orphaned; co-creators "
                        "remove themselves instead.");
    if (store_work_orphan(r->store, id))
        return ui_error(r, 500, "The work could not be orphaned.");
    return web_redirect(r, web_sprintf(r, "/works/%lld", (long long)id));
}

/* ---- inspired by ---- */

struct insp_page {
    struct web_req *r;
    int owner; /* the parent's creator: sees pending links with their buttons */
    int64_t parent;
    int n;
};

static int insp_row(const struct inspiration *in, void *ctx)
{
    struct insp_page *ip = ctx;
    struct web_req *r = ip->r;
    if (!in->approved && !ip->owner)
        return 0;
    struct work w;
    if (store_work_get(r->store, in->work_id, 0, &w))
        return 0;
    int visible =
        !w.draft && !w.hidden && !(w.restricted && r->user.id <= 0) && !web_work_hidden(r, w.id);
    if (visible) {
        struct buf *b = &r->out;
        ip->n++;
        html_lit(b, "<li><a href=\"/works/");
        html_int(b, w.id);
        html_lit(b, "\">");
        html_text(b, w.title && *w.title ? w.title : "Untitled");
        html_lit(b, "</a> by ");
        for (size_t i = 0; i < w.creators.n; i++) {
            if (i)
                html_lit(b, ", ");
            page_user_link(r, w.creators.v[i]);
        }
        if (ip->owner) {
            const char *base = web_sprintf(r, "/works/%lld/inspirations/%lld",
                                           (long long)ip->parent, (long long)w.id);
            html_lit(b, " ");
            if (!in->approved) {
                html_lit(b, "<span class=\"pending\">(waiting for your approval)</span> ");
                button(r, web_sprintf(r, "%s/approve", base), "approve-inspiration", "Approve",
                       NULL, NULL);
                html_lit(b, " ");
            }
            button(r, web_sprintf(r, "%s/reject", base), "reject-inspiration",
                   in->approved ? "Remove" : "Refuse", NULL, NULL);
        }
        html_lit(b, "</li>\n");
    }
    work_free(&w);
    return 0;
}

int ui_work_inspirations(struct web_req *r)
{
    struct work w;
    int st = web_load_work(r, 0, 0, &w);
    if (st)
        return st;
    struct insp_page ip = {r, web_can_edit(r, &w), w.id, 0};
    struct buf *b = &r->out;
    page_begin(r, "Inspired works");
    html_lit(b, "<h1>Works inspired by <a href=\"/works/");
    html_int(b, w.id);
    html_lit(b, "\">");
    html_text(b, w.title && *w.title ? w.title : "Untitled");
    html_lit(b, "</a></h1>\n<ul id=\"inspired-works\">\n");
    int rc = store_inspirations(r->store, w.id, 1, insp_row, &ip);
    html_lit(b, "</ul>\n");
    if (!ip.n)
        html_lit(b, "<p id=\"no-inspired\">None yet.</p>\n");
    page_end(r);
    work_free(&w);
    return rc ? ui_error(r, 500, "The inspired works could not be read.") : 200;
}

static int insp_answer(struct web_req *r, int approve)
{
    struct work w;
    int st = web_load_work(r, 0, 1, &w); /* the parent's creators (and admins) only */
    if (st)
        return st;
    int64_t id = w.id, child = web_param_id(r, 1);
    work_free(&w);
    int rc = child ? store_inspiration_answer(r->store, id, child, approve) : FICD_ENOTFOUND;
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "No work says it was inspired by this one.");
    if (rc)
        return ui_error(r, 500, "The answer could not be saved.");
    return web_redirect(r, web_sprintf(r, "/works/%lld/inspirations", (long long)id));
}

int ui_inspiration_approve(struct web_req *r)
{
    return insp_answer(r, 1);
}

int ui_inspiration_reject(struct web_req *r)
{
    return insp_answer(r, 0);
}

/* ---- on the work page ---- */

struct gift_line {
    struct web_req *r;
    int n;
};

static int gift_line_cb(const struct gift *g, void *ctx)
{
    struct gift_line *gl = ctx;
    struct buf *b = &gl->r->out;
    buf_puts(b, gl->n++ ? ", " : "<p class=\"gifts\" id=\"work-gifts\">For ");
    if (g->user_id) { /* a recipient, not an author: no rel="author" */
        html_lit(b, "<a href=\"/users/");
        html_url_path(b, g->recipient);
        html_lit(b, "\">");
        html_text(b, g->recipient);
        html_lit(b, "</a>");
    } else
        html_text(b, g->recipient);
    return 0;
}

static int approved_parent_cb(const struct inspiration *in, void *ctx)
{
    if (in->approved)
        *(int64_t *)ctx = in->parent_id;
    return 0;
}

void creators_work_top(struct web_req *r, const struct work *w)
{
    struct buf *b = &r->out;
    struct gift_line gl = {r, 0};
    if (store_gifts_of_work(r->store, w->id, 0, gift_line_cb, &gl) == 0 && gl.n)
        html_lit(b, ".</p>\n");
    int64_t parent = 0;
    struct work p;
    if (store_inspirations(r->store, w->id, 0, approved_parent_cb, &parent) == 0 && parent &&
        store_work_get(r->store, parent, 0, &p) == 0) {
        if (!p.draft && !p.hidden && !(p.restricted && r->user.id <= 0)) {
            html_lit(b,
                     "<p class=\"inspired-by\" id=\"inspired-by\">Inspired by <a href=\"/works/");
            html_int(b, p.id);
            html_lit(b, "\">");
            html_text(b, p.title && *p.title ? p.title : "Untitled");
            html_lit(b, "</a> by ");
            for (size_t i = 0; i < p.creators.n; i++) {
                if (i)
                    html_lit(b, ", ");
                page_user_link(r, p.creators.v[i]);
            }
            html_lit(b, ".</p>\n");
        }
        work_free(&p);
    }
    int invited = 0;
    if (r->user.id > 0 && store_creator_invited(r->store, w->id, r->user.id, &invited) == 0 &&
        invited) {
        html_lit(b, "<p class=\"notice\" id=\"co-creator-invitation\">You are invited to be a "
                    "co-creator of this work: <a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/co_creator\">answer the invitation</a>.</p>\n");
    }
}

static int count_approved(const struct inspiration *in, void *ctx)
{
    *(int *)ctx += in->approved;
    return 0;
}

void creators_work_bottom(struct web_req *r, const struct work *w)
{
    struct buf *b = &r->out;
    int n = 0;
    if (store_inspirations(r->store, w->id, 1, count_approved, &n) == 0 && n) {
        html_lit(b, "<section aria-labelledby=\"inspired-heading\">\n<h2 id=\"inspired-heading\">"
                    "Works inspired by this one</h2>\n<ul id=\"inspired-works\">\n");
        struct insp_page ip = {r, 0, w->id, 0};
        if (store_inspirations(r->store, w->id, 1, insp_row, &ip))
            html_lit(b, "<li>The list could not be read.</li>\n");
        html_lit(b, "</ul>\n</section>\n");
    }
    if (r->user.id <= 0 || w->draft)
        return;
    int mine = credited(r, w);
    int owner = w->user_id == r->user.id;
    if (!mine && !owner)
        return;
    html_lit(b, "<p class=\"actions\" id=\"creator-actions\">");
    if (mine && w->creators.n > 1) {
        button(r, web_sprintf(r, "/works/%lld/remove_me", (long long)w->id), "remove-me",
               "Remove Me as Co-Creator", NULL, NULL);
        html_lit(b, " ");
    }
    if (owner && w->creators.n <= 1)
        button(r, web_sprintf(r, "/works/%lld/orphan", (long long)w->id), "orphan-work",
               "Orphan This Work", NULL, NULL);
    html_lit(b, " <a href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "/inspirations\" id=\"inspirations-link\">Works inspired by this one</a></p>\n");
}
