/* ui_inbox.c: the inbox (/users/NAME/inbox, its owner only): comments on your works,
 * replies to your comments, kudos summaries, subscription updates and every other
 * INBOX_* kind, read/unread and delete; and the inbox settings on /settings. Items are plain
 * text with a local link, escaped when rendered. */
#include "core/html.h"
#include "store/store.h"
#include "web/page.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define INBOX_PER_PAGE 50

/* The owner's name from the route, or the status of the page rendered instead. */
static int inbox_owner(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    if (strcasecmp(r->params[0], r->user.name) != 0)
        return ui_error(r, 403, "An inbox can only be read by its owner.");
    return 0;
}

static const char *inbox_path(struct web_req *r)
{
    return page_user_path(r, r->user.name, "/inbox");
}

/* A stored link is shown only when it is a local path. */
static int local_url(const char *u)
{
    return u && u[0] == '/' && u[1] != '/' && u[1] != '\\';
}

static int item_row(const struct inbox_item *it, void *ctx)
{
    struct web_req *r = ctx;
    struct buf *b = &r->out;
    html_lit(b, "<li class=\"inbox-item ");
    if (it->read)
        html_lit(b, "read");
    else
        html_lit(b, "unread");
    html_lit(b, "\" id=\"inbox-item-");
    html_int(b, it->id);
    html_lit(b, "\">\n<input type=\"checkbox\" name=\"items\" value=\"");
    html_int(b, it->id);
    html_lit(b, "\" id=\"select-");
    html_int(b, it->id);
    html_lit(b, "\"> <label for=\"select-");
    html_int(b, it->id);
    html_lit(b, "\"><span class=\"landmark\">Select: </span><span class=\"kind\">");
    html_text(b, inbox_kind_label(it->kind));
    html_lit(b, "</span></label>\n<p class=\"text\">");
    if (!it->read)
        html_lit(b, "<strong class=\"unread-mark\">New:</strong> ");
    if (local_url(it->url)) {
        html_lit(b, "<a href=\"");
        html_attr(b, it->url);
        html_lit(b, "\">");
        html_text(b, it->text);
        html_lit(b, "</a>");
    } else {
        html_text(b, it->text);
    }
    html_lit(b, " <span class=\"datetime\">");
    page_date(b, it->created);
    html_lit(b, "</span></p>\n<p class=\"item-actions\"><button type=\"submit\" "
                "name=\"item_action\" value=\"");
    if (it->read)
        html_lit(b, "unread:");
    else
        html_lit(b, "read:");
    html_int(b, it->id);
    html_lit(b, "\">");
    if (it->read)
        html_lit(b, "Mark Unread");
    else
        html_lit(b, "Mark Read");
    html_lit(b, "</button> <button type=\"submit\" name=\"item_action\" value=\"delete:");
    html_int(b, it->id);
    html_lit(b, "\">Delete</button></p>\n</li>\n");
    return 0;
}

static int inbox_page(struct web_req *r, int status, const char *notice)
{
    int page = page_parse(web_arg(r, "page"));
    if (page < 0)
        return ui_error(r, 400, "The page number must be a positive whole number.");
    const char *filter = web_arg(r, "filter");
    int unread_only = filter && !strcmp(filter, "unread");
    int64_t total = 0, unread = 0;
    if (store_inbox_unread(r->store, r->user.id, &unread))
        return ui_error(r, 500, "The inbox could not be read.");
    buf_reset(&r->out);
    page_begin(r, "Inbox");
    struct buf *b = &r->out;
    const char *path = inbox_path(r);
    html_lit(b, "<h1 class=\"heading\">Inbox</h1>\n");
    if (notice) {
        html_lit(b, "<p class=\"notice\" role=\"status\" id=\"notice\">");
        html_text(b, notice);
        html_lit(b, "</p>\n");
    }
    html_lit(b, "<p id=\"inbox-summary\">");
    html_int(b, unread);
    html_lit(b, " unread. <a href=\"");
    html_attr(b, path);
    if (unread_only)
        html_lit(b, "\">Show all</a>");
    else
        html_lit(b, "?filter=unread\" id=\"show-unread\">Show unread only</a>");
    html_lit(b, " &middot; <a href=\"/settings#inbox-heading\">Inbox settings</a></p>\n"
                "<form method=\"post\" id=\"inbox-form\" action=\"");
    html_attr(b, path);
    html_lit(b, "\">\n");
    page_csrf_field(r);
    html_lit(b, "<ul class=\"inbox\" id=\"inbox-items\">\n");
    size_t mark = b->len;
    if (store_inbox_list(r->store, r->user.id, 0, unread_only, page_offset(page, INBOX_PER_PAGE),
                         INBOX_PER_PAGE, item_row, r, &total))
        return ui_error(r, 500, "The inbox could not be read.");
    int empty = b->len == mark;
    html_lit(b, "</ul>\n");
    if (empty)
        html_lit(b, "<p class=\"empty\" id=\"inbox-empty\">Nothing here.</p>\n");
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" name=\"action\" value=\"read\" "
                "id=\"inbox-mark-read\">Mark Selected Read</button> <button type=\"submit\" "
                "name=\"action\" value=\"unread\" id=\"inbox-mark-unread\">Mark Selected Unread"
                "</button> <button type=\"submit\" name=\"action\" value=\"delete\" "
                "id=\"inbox-delete\">Delete Selected</button> <button type=\"submit\" "
                "name=\"action\" value=\"read_all\" id=\"inbox-read-all\">Mark All Read</button>"
                "</p>\n</form>\n");
    page_pagination_query(r, path, unread_only ? "filter=unread" : NULL, page,
                          page_count(total, INBOX_PER_PAGE));
    page_end(r);
    return status;
}

int ui_inbox(struct web_req *r)
{
    int status = inbox_owner(r);
    return status ? status : inbox_page(r, 200, NULL);
}

/* Applies action ("read", "unread", "delete") to item id; 0, or FICD_ENOTFOUND. */
static int apply(struct web_req *r, const char *action, int64_t id)
{
    if (!strcmp(action, "delete"))
        return store_inbox_delete(r->store, r->user.id, id);
    return store_inbox_mark(r->store, r->user.id, id, !strcmp(action, "read"));
}

int ui_inbox_update(struct web_req *r)
{
    int status = inbox_owner(r);
    if (status)
        return status;
    const char *one = web_field(r, "item_action");
    const char *action = web_field(r, "action");
    int rc = 0, n = 0;
    if (one) {
        const char *colon = strchr(one, ':');
        char verb[16];
        int64_t id = colon ? web_parse_id(colon + 1) : 0;
        size_t vl = colon ? (size_t)(colon - one) : 0;
        if (!id || vl == 0 || vl >= sizeof(verb))
            return ui_error(r, 400, "Unknown inbox action.");
        memcpy(verb, one, vl);
        verb[vl] = 0;
        if (strcmp(verb, "read") && strcmp(verb, "unread") && strcmp(verb, "delete"))
            return ui_error(r, 400, "Unknown inbox action.");
        rc = apply(r, verb, id);
        n = 1;
    } else if (action && !strcmp(action, "read_all")) {
        rc = store_inbox_mark(r->store, r->user.id, 0, 1);
    } else if (action && (!strcmp(action, "read") || !strcmp(action, "unread") ||
                          !strcmp(action, "delete"))) {
        for (size_t i = 0; !rc && i < r->form.n; i++) {
            if (strcmp(r->form.v[i].key, "items") != 0)
                continue;
            int64_t id = web_parse_id(r->form.v[i].value);
            if (!id)
                return ui_error(r, 400, "The selected items are not valid.");
            rc = apply(r, action, id);
            n++;
        }
        if (!n && !rc) {
            const char *msg = "Select at least one item first.";
            return inbox_page(r, 422, msg);
        }
    } else {
        return ui_error(r, 400, "Unknown inbox action.");
    }
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no such item in your inbox.");
    if (rc)
        return ui_error(r, 500, "The inbox could not be changed.");
    return web_redirect(r, inbox_path(r));
}

void page_inbox_settings(struct web_req *r)
{
    struct buf *b = &r->out;
    html_lit(b, "<section aria-labelledby=\"inbox-heading\">\n<h2 id=\"inbox-heading\">Inbox</h2>"
                "\n<form method=\"post\" action=\"/settings/inbox\" id=\"inbox-settings\">\n");
    page_csrf_field(r);
    html_lit(b, "<fieldset>\n<legend>Put these in my inbox</legend>\n");
    for (int k = INBOX_COMMENT; k < INBOX__COUNT; k++) {
        html_lit(b, "<p><input type=\"checkbox\" name=\"inbox_kinds\" value=\"");
        html_int(b, k);
        html_lit(b, "\" id=\"inbox_kind_");
        html_int(b, k);
        html_lit(b, "\"");
        if (!(r->user.inbox_off & (1u << k)))
            html_lit(b, " checked");
        html_lit(b, "> <label for=\"inbox_kind_");
        html_int(b, k);
        html_lit(b, "\">");
        html_text(b, inbox_kind_label((enum inbox_kind)k));
        html_lit(b, "</label></p>\n");
    }
    html_lit(b, "</fieldset>\n<p class=\"actions\"><button type=\"submit\" "
                "id=\"inbox-settings-submit\">Save Inbox Settings</button></p>\n</form>\n"
                "</section>\n");
}

int ui_settings_inbox(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    unsigned on = 0;
    for (size_t i = 0; i < r->form.n; i++) {
        if (strcmp(r->form.v[i].key, "inbox_kinds") != 0)
            continue;
        int64_t k = web_parse_id(r->form.v[i].value);
        if (k < INBOX_COMMENT || k >= INBOX__COUNT)
            return ui_error(r, 400, "Unknown inbox kind.");
        on |= 1u << k;
    }
    unsigned all = ((1u << INBOX__COUNT) - 1) & ~1u;
    if (store_user_set_inbox_off(r->store, r->user.id, all & ~on))
        return ui_error(r, 500, "The inbox settings could not be saved.");
    return web_redirect(r, "/settings#inbox-heading");
}
