/* ui_wrangle.c: tag pages and tag wrangling: /tags/NAME (type, canonical status, synonyms,
 * parents, children, meta and sub tags, with links), /tags/NAME/edit (wranglers and admins:
 * canonical flag, synonym-of / merge, parent fandoms, meta and sub tags) and /tag_wranglings
 * (the unwrangled queue). Every change is one store call (one transaction, CHANGE_TAG rows);
 * web_dispatch then runs idx_apply_changes, so searches see it before the redirect lands. */
#include "core/html.h"
#include "index/index.h"
#include "web/page.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINKED_MAX 1000 /* tags listed per section of a tag page */
#define QUEUE_MAX  500  /* tags listed on the wrangling queue */

static int can_wrangle(const struct web_req *r)
{
    return r->user.id > 0 && (r->user.role == ROLE_WRANGLER || r->user.role == ROLE_ADMIN);
}

/* The ?type= of the request (a form field on POST), or -1 when absent; -2 when unknown. */
static int req_type(const struct web_req *r)
{
    const char *s = web_field(r, "type");
    if (!s || !*s)
        s = web_arg(r, "type");
    if (!s || !*s)
        return -1;
    int t = tag_type_from_name(s);
    return t >= 0 && t <= TAG_FREEFORM ? t : -2;
}

/* Loads the tag named by route parameter 0 (an AO3 path segment), of ?type= when given.
 * Returns 0 with t filled (tag_free it), or the status of the error page rendered. */
static int load_tag(struct web_req *r, struct tag *t)
{
    memset(t, 0, sizeof(*t));
    char *name = r->params[0];
    page_tag_unsegment(name);
    int type = req_type(r);
    if (type == -2)
        return ui_error(r, 400, "Unknown tag type.");
    int rc = store_tag_find(r->store, type, name, t);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, web_sprintf(r, "There is no tag named \"%s\".", name));
    if (rc)
        return ui_error(r, 500, "The tag could not be read.");
    if (t->type > TAG_FREEFORM) {
        tag_free(t);
        return ui_error(r, 404, web_sprintf(r, "There is no tag named \"%s\".", name));
    }
    return 0;
}

/* /tags/SEGMENT[suffix]?type=TYPE: a tag's own pages, exact even when names repeat across
 * types. */
static void tag_href(struct buf *b, const char *name, enum tag_type type, const char *suffix)
{
    html_lit(b, "/tags/");
    page_tag_segment(b, name);
    html_attr(b, suffix);
    html_lit(b, "?type=");
    html_url_arg(b, tag_type_name(type));
}

static void tag_page_link(struct web_req *r, const char *name, enum tag_type type)
{
    html_lit(&r->out, "<a class=\"tag\" href=\"");
    tag_href(&r->out, name, type, "");
    html_lit(&r->out, "\">");
    html_text(&r->out, name);
    html_lit(&r->out, "</a>");
}

static const char *const type_heading[] = {"Fandoms", "Relationships", "Characters",
                                           "Additional Tags"};

/* The number of works a search for the tag finds (synonyms and sub tags included), or -1
 * without an index. */
static long long works_count(struct web_req *r, const struct tag *t)
{
    struct idx *idx = r->site ? r->site->idx : NULL;
    if (!idx)
        return -1;
    if (idx_poll(idx, r->store, 200) < 0)
        fprintf(stderr, "ficd: the search index could not follow the store: %s\n",
                store_errmsg(r->store));
    const char *name = t->name;
    struct idx_query q = {.tags = &name,
                          .ntags = 1,
                          .per_page = 1,
                          .facet_limit = -1,
                          .include_restricted = r->user.id > 0};
    struct idx_result res;
    long long n = idx_search(idx, &q, &res) == 0 ? (long long)res.total : -1;
    idx_result_free(&res);
    return n;
}

/* ---- /tags/NAME ---- */

struct section {
    struct web_req *r;
    int n;
    int last_type; /* children: the type whose heading was written last */
    int headings;  /* children: group by type */
};

static int section_item(const struct tag *t, void *ctx)
{
    struct section *s = ctx;
    struct buf *b = &s->r->out;
    if (s->headings && (int)t->type != s->last_type) {
        if (s->last_type >= 0)
            html_lit(b, "</ul>\n");
        html_lit(b, "<h3>");
        html_text(b, type_heading[t->type <= TAG_FREEFORM ? t->type : TAG_FREEFORM]);
        html_lit(b, "</h3>\n<ul class=\"tags\">\n");
        s->last_type = (int)t->type;
    } else if (!s->headings && !s->n) {
        html_lit(b, "<ul class=\"tags\">\n");
    }
    html_lit(b, "<li>");
    tag_page_link(s->r, t->name, t->type);
    html_lit(b, "</li>\n");
    s->n++;
    return 0;
}

/* One section of a tag page; returns 0 or -1 when the store failed. */
static int section(struct web_req *r, const struct tag *t, enum tag_link which, const char *id,
                   const char *title)
{
    struct buf *b = &r->out;
    html_lit(b, "<section id=\"");
    html_attr(b, id);
    html_lit(b, "\">\n<h2>");
    html_text(b, title);
    html_lit(b, "</h2>\n");
    struct section s = {r, 0, -1, which == TAG_LINK_CHILDREN};
    if (store_tag_linked(r->store, t->id, which, LINKED_MAX, section_item, &s))
        return -1;
    if (s.n)
        html_lit(b, "</ul>\n");
    else
        html_lit(b, "<p class=\"none\">None.</p>\n");
    html_lit(b, "</section>\n");
    return 0;
}

/* The sentence saying what a tag is; canon is its canonical when it is a synonym. */
static void tag_status(struct web_req *r, const struct tag *t, const struct tag *canon)
{
    struct buf *b = &r->out;
    html_lit(b, "<p id=\"tag-status\">This ");
    html_text(b, tag_type_name(t->type));
    html_lit(b, " tag ");
    if (t->canonical)
        html_lit(b, "is <strong>canonical</strong>.");
    else if (canon && canon->name) {
        html_lit(b, "is a <strong>synonym</strong> of ");
        tag_page_link(r, canon->name, canon->type);
        html_lit(b, ": its works count as that tag's.");
    } else
        html_lit(b, "has <strong>not been wrangled</strong> yet (it is not canonical).");
    html_lit(b, "</p>\n");
}

int ui_tag_show(struct web_req *r)
{
    struct tag t, canon;
    memset(&canon, 0, sizeof(canon));
    int status = load_tag(r, &t);
    if (status)
        return status;
    if (t.synonym_of && store_tag_get(r->store, t.synonym_of, &canon))
        memset(&canon, 0, sizeof(canon));
    struct buf *b = &r->out;
    page_begin(r, web_strdup(r, t.name));
    html_lit(b, "<h1 class=\"tag-name\">");
    html_text(b, t.name);
    html_lit(b, "</h1>\n");
    tag_status(r, &t, &canon);
    long long n = works_count(r, &t);
    html_lit(b, "<p id=\"tag-works\"><a href=\"/tags/");
    page_tag_segment(b, t.name);
    html_lit(b, "/works\">");
    if (n >= 0) {
        html_int(b, n);
        if (n == 1)
            html_lit(b, " work");
        else
            html_lit(b, " works");
    } else {
        html_lit(b, "Works");
    }
    html_lit(b, "</a></p>\n");
    if (can_wrangle(r)) {
        html_lit(b, "<p class=\"actions\"><a id=\"tag-edit\" href=\"");
        tag_href(b, t.name, t.type, "/edit");
        html_lit(b, "\">Edit this tag</a> <a href=\"/tag_wranglings\">Unwrangled tags</a></p>\n");
    }
    int rc = section(r, &t, TAG_LINK_SYNONYMS, "tag-synonyms", "Synonyms");
    if (!rc && t.type != TAG_FANDOM)
        rc = section(r, &t, TAG_LINK_PARENTS, "tag-parents", "Parent tags");
    if (!rc && t.type == TAG_FANDOM)
        rc = section(r, &t, TAG_LINK_CHILDREN, "tag-children", "Child tags");
    if (!rc)
        rc = section(r, &t, TAG_LINK_METAS, "tag-metas", "Meta tags");
    if (!rc)
        rc = section(r, &t, TAG_LINK_SUBS, "tag-subs", "Sub tags");
    tag_free(&t);
    tag_free(&canon);
    if (rc) {
        buf_reset(b);
        return ui_error(r, 500, "The tag's links could not be read.");
    }
    page_end(r);
    return 200;
}

/* ---- /tags/NAME/edit ---- */

struct remove_ctx {
    struct web_req *r;
    const struct tag *tag;
    const char *action;
    int n;
};

/* A linked tag with a button removing the link. */
static int remove_item(const struct tag *t, void *ctx)
{
    struct remove_ctx *c = ctx;
    struct web_req *r = c->r;
    struct buf *b = &r->out;
    if (!c->n++)
        html_lit(b, "<ul class=\"tags\">\n");
    html_lit(b, "<li>");
    tag_page_link(r, t->name, t->type);
    html_lit(b, " <form method=\"post\" class=\"inline\" action=\"");
    tag_href(b, c->tag->name, c->tag->type, "/edit");
    html_lit(b, "\">");
    page_csrf_field(r);
    html_lit(b, "<input type=\"hidden\" name=\"action\" value=\"");
    html_attr(b, c->action);
    html_lit(b, "\"><input type=\"hidden\" name=\"other\" value=\"");
    html_attr(b, t->name);
    html_lit(b, "\"><button type=\"submit\">Remove</button></form></li>\n");
    return 0;
}

/* A form adding a link by name (field), followed by the current links with remove buttons. */
static int link_form(struct web_req *r, const struct tag *t, const char *id, const char *title,
                     const char *action, const char *field, const char *label, const char *hint,
                     enum tag_link which, const char *remove_action)
{
    struct buf *b = &r->out;
    html_lit(b, "<section id=\"");
    html_attr(b, id);
    html_lit(b, "\">\n<h2>");
    html_text(b, title);
    html_lit(b, "</h2>\n");
    struct remove_ctx c = {r, t, remove_action, 0};
    if (store_tag_linked(r->store, t->id, which, LINKED_MAX, remove_item, &c))
        return -1;
    if (c.n)
        html_lit(b, "</ul>\n");
    else
        html_lit(b, "<p class=\"none\">None.</p>\n");
    html_lit(b, "<form method=\"post\" action=\"");
    tag_href(b, t->name, t->type, "/edit");
    html_lit(b, "\">\n");
    page_csrf_field(r);
    html_lit(b, "<input type=\"hidden\" name=\"action\" value=\"");
    html_attr(b, action);
    html_lit(b, "\">\n");
    page_input(r, "text", field, label, NULL, hint);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\">Add</button></p>\n</form>\n"
                "</section>\n");
    return 0;
}

/* The edit page; error (may be NULL) is shown above the forms with the given status. */
static int edit_page(struct web_req *r, const struct tag *t, int status, const char *error,
                     const char *synonym_value)
{
    struct tag canon;
    memset(&canon, 0, sizeof(canon));
    if (t->synonym_of && store_tag_get(r->store, t->synonym_of, &canon))
        memset(&canon, 0, sizeof(canon));
    struct buf *b = &r->out;
    page_begin(r, web_sprintf(r, "Edit %s", t->name));
    html_lit(b, "<h1>Edit tag: ");
    html_text(b, t->name);
    html_lit(b, "</h1>\n");
    if (error)
        page_errors(r, &error, 1);
    else if (web_arg(r, "done"))
        html_lit(b, "<p class=\"notice\" role=\"status\" id=\"notice\">Tag saved.</p>\n");
    tag_status(r, t, &canon);
    html_lit(b, "<p><a href=\"");
    tag_href(b, t->name, t->type, "");
    html_lit(b, "\">Tag page</a> <a href=\"/tag_wranglings\">Unwrangled tags</a></p>\n");

    /* canonical flag */
    html_lit(b, "<section id=\"tag-canonical\">\n<h2>Canonical</h2>\n<form method=\"post\" "
                "action=\"");
    tag_href(b, t->name, t->type, "/edit");
    html_lit(b, "\">\n");
    page_csrf_field(r);
    html_lit(b, "<input type=\"hidden\" name=\"action\" value=\"canonical\">\n<p class=\"field\">"
                "<label><input type=\"checkbox\" name=\"canonical\" value=\"1\" "
                "id=\"canonical\"");
    if (t->canonical)
        html_lit(b, " checked");
    html_lit(b, "> Canonical: shown in filters and used for wrangling</label></p>\n"
                "<p class=\"actions\"><button type=\"submit\">Save</button></p>\n</form>\n"
                "</section>\n");

    /* synonym of / merge */
    html_lit(b, "<section id=\"tag-synonym\">\n<h2>Synonym of</h2>\n<form method=\"post\" "
                "action=\"");
    tag_href(b, t->name, t->type, "/edit");
    html_lit(b, "\">\n");
    page_csrf_field(r);
    html_lit(b, "<input type=\"hidden\" name=\"action\" value=\"synonym\">\n");
    page_input(r, "text", "synonym_of", "Synonym of", synonym_value ? synonym_value : canon.name,
               "A canonical tag of the same type. This tag and its synonyms are merged into it: "
               "their works count as its works, and this tag's parents, meta and sub tags move "
               "to it. Leave empty to unlink.");
    html_lit(b, "<p class=\"actions\"><button type=\"submit\">Save</button></p>\n</form>\n"
                "</section>\n");
    tag_free(&canon);

    int rc = 0;
    if (t->type != TAG_FANDOM)
        rc =
            link_form(r, t, "tag-parents", "Parent fandoms", "add_parent", "parent", "Fandom",
                      "A canonical fandom this tag belongs to.", TAG_LINK_PARENTS, "remove_parent");
    if (!rc)
        rc = link_form(r, t, "tag-metas", "Meta tags", "add_meta", "meta", "Meta tag",
                       "A canonical tag of the same type whose searches include this tag.",
                       TAG_LINK_METAS, "remove_meta");
    if (!rc)
        rc = link_form(r, t, "tag-subs", "Sub tags", "add_sub", "sub", "Sub tag",
                       "A canonical tag of the same type included in searches for this tag.",
                       TAG_LINK_SUBS, "remove_sub");
    if (rc) {
        buf_reset(b);
        return ui_error(r, 500, "The tag's links could not be read.");
    }
    page_end(r);
    return status;
}

/* Anonymous visitors are sent to log in; signed-in users who may not wrangle get 403. */
static int wrangler_only(struct web_req *r)
{
    return ui_need(r, can_wrangle(r), "Only tag wranglers and admins may wrangle tags.");
}

int ui_tag_edit(struct web_req *r)
{
    int status = wrangler_only(r);
    if (status)
        return status;
    struct tag t;
    if ((status = load_tag(r, &t)))
        return status;
    status = edit_page(r, &t, 200, NULL, NULL);
    tag_free(&t);
    return status;
}

/* A form field without surrounding spaces, in the arena ("" when missing). */
static const char *field_trim(struct web_req *r, const char *key)
{
    const char *s = web_field(r, key);
    if (!s)
        return "";
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return web_strndup(r, s, n);
}

/* The other tag of a change: named by field, of type. Returns 0, or FICD_ENOTFOUND/EINVAL
 * with *msg set, or another store failure. */
static int other_tag(struct web_req *r, const char *field, enum tag_type type, int64_t *id,
                     const char **msg)
{
    const char *name = field_trim(r, field);
    if (!*name) {
        *msg = "Name a tag.";
        return FICD_EINVAL;
    }
    struct tag o;
    int rc = store_tag_find(r->store, (int)type, name, &o);
    if (rc == FICD_ENOTFOUND)
        *msg = web_sprintf(r, "There is no %s tag named \"%s\".", tag_type_name(type), name);
    if (rc)
        return rc;
    *id = o.id;
    tag_free(&o);
    return 0;
}

int ui_tag_wrangle(struct web_req *r)
{
    int status = wrangler_only(r);
    if (status)
        return status;
    struct tag t;
    if ((status = load_tag(r, &t)))
        return status;
    const char *action = web_field(r, "action");
    const char *msg = NULL;
    int64_t other = 0;
    int rc;
    if (!action) {
        rc = FICD_EINVAL;
        msg = "The form named no change.";
    } else if (!strcmp(action, "canonical")) {
        rc = store_tag_set_canonical(r->store, t.id, web_field(r, "canonical") != NULL);
    } else if (!strcmp(action, "synonym")) {
        if (!*field_trim(r, "synonym_of"))
            rc = store_tag_set_synonym(r->store, t.id, 0);
        else if (!(rc = other_tag(r, "synonym_of", t.type, &other, &msg)))
            rc = store_tag_merge(r->store, t.id, other);
    } else if (!strcmp(action, "add_parent") || !strcmp(action, "remove_parent")) {
        int add = action[0] == 'a';
        if (!(rc = other_tag(r, add ? "parent" : "other", TAG_FANDOM, &other, &msg)))
            rc = add ? store_tag_add_parent(r->store, t.id, other)
                     : store_tag_remove_parent(r->store, t.id, other);
    } else if (!strcmp(action, "add_meta") || !strcmp(action, "remove_meta")) {
        int add = action[0] == 'a';
        if (!(rc = other_tag(r, add ? "meta" : "other", t.type, &other, &msg)))
            rc = add ? store_tag_add_meta(r->store, other, t.id)
                     : store_tag_remove_meta(r->store, other, t.id);
    } else if (!strcmp(action, "add_sub") || !strcmp(action, "remove_sub")) {
        int add = action[0] == 'a';
        if (!(rc = other_tag(r, add ? "sub" : "other", t.type, &other, &msg)))
            rc = add ? store_tag_add_meta(r->store, t.id, other)
                     : store_tag_remove_meta(r->store, t.id, other);
    } else {
        rc = FICD_EINVAL;
        msg = "Unknown change.";
    }
    if (rc == FICD_EINVAL || rc == FICD_ENOTFOUND) {
        if (!msg)
            msg = web_strdup(r, store_errmsg(r->store));
        /* reload: a refused change leaves the tag as it was, but show it as stored */
        struct tag cur;
        if (store_tag_get(r->store, t.id, &cur) == 0) {
            tag_free(&t);
            t = cur;
        }
        status =
            edit_page(r, &t, 422, msg,
                      action && !strcmp(action, "synonym") ? field_trim(r, "synonym_of") : NULL);
    } else if (rc) {
        status = ui_error(r, 500, "The change could not be saved.");
    } else {
        struct buf loc = BUF_INIT;
        tag_href(&loc, t.name, t.type, "/edit");
        html_lit(&loc, "&done=1");
        status = loc.err ? ui_error(r, 500, NULL) : web_redirect(r, web_strdup(r, buf_str(&loc)));
        buf_free(&loc);
    }
    tag_free(&t);
    return status;
}

/* ---- /tag_wranglings ---- */

struct queue_ctx {
    struct web_req *r;
    int n;
};

static int queue_row(const struct tag *t, void *ctx)
{
    struct queue_ctx *q = ctx;
    struct buf *b = &q->r->out;
    html_lit(b, "<tr><td><a href=\"");
    tag_href(b, t->name, t->type, "/edit");
    html_lit(b, "\">");
    html_text(b, t->name);
    html_lit(b, "</a></td><td>");
    html_text(b, tag_type_name(t->type));
    html_lit(b, "</td><td>");
    html_int(b, t->uses);
    html_lit(b, "</td><td>");
    if (t->canonical)
        html_lit(b, "Canonical, no parent fandom");
    else
        html_lit(b, "Not canonical");
    html_lit(b, "</td></tr>\n");
    q->n++;
    return 0;
}

int ui_tag_wranglings(struct web_req *r)
{
    int status = wrangler_only(r);
    if (status)
        return status;
    int type = req_type(r);
    if (type == -2)
        return ui_error(r, 400, "Unknown tag type.");
    struct buf *b = &r->out;
    page_begin(r, "Unwrangled tags");
    html_lit(b, "<h1>Unwrangled tags</h1>\n<p>Tags that are neither canonical nor synonyms, "
                "and canonical characters and relationships without a parent fandom; most used "
                "first.</p>\n<ul class=\"filters\" id=\"queue-types\"><li><a "
                "href=\"/tag_wranglings\">All</a></li>");
    for (int ty = 0; ty <= TAG_FREEFORM; ty++) {
        html_lit(b, "<li><a href=\"/tag_wranglings?type=");
        html_url_arg(b, tag_type_name((enum tag_type)ty));
        html_lit(b, "\"");
        if (ty == type)
            html_lit(b, " aria-current=\"page\"");
        html_lit(b, ">");
        html_text(b, type_heading[ty]);
        html_lit(b, "</a></li>");
    }
    html_lit(b, "</ul>\n<table id=\"unwrangled\">\n<thead><tr><th scope=\"col\">Tag</th>"
                "<th scope=\"col\">Type</th><th scope=\"col\">Works</th><th scope=\"col\">Why"
                "</th></tr></thead>\n<tbody>\n");
    struct queue_ctx q = {r, 0};
    if (store_tag_unwrangled(r->store, type, QUEUE_MAX, queue_row, &q)) {
        buf_reset(b);
        return ui_error(r, 500, "The unwrangled tags could not be read.");
    }
    html_lit(b, "</tbody>\n</table>\n");
    if (!q.n)
        html_lit(b, "<p class=\"none\" id=\"queue-empty\">Every tag is wrangled.</p>\n");
    page_end(r);
    return 200;
}
