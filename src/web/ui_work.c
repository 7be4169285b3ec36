/* ui_work.c: reading: the work page (first chapter, or the whole work with
 * ?view_full_work=true), chapter pages, and the access rules every work page shares. */
#include "core/html.h"
#include "web/page.h"
#include "web/hits.h"
#include "web/session.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t web_parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 18)
        return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int64_t web_param_id(const struct web_req *r, size_t i)
{
    return i < r->nparams ? web_parse_id(r->params[i]) : 0;
}

int web_load_work(struct web_req *r, int with_bodies, int access, struct work *w)
{
    return web_load_work_id(r, web_param_id(r, 0), with_bodies, access, w);
}

int web_load_work_id(struct web_req *r, int64_t id, int with_bodies, int access, struct work *w)
{
    if (!id)
        return ui_error(r, 404, "There is no work at this address.");
    if (access && r->user.id <= 0)
        return ui_login_required(r);
    int rc = store_work_get(r->store, id, with_bodies, w);
    if (rc == FICD_ENOTFOUND)
        return ui_error(r, 404, "There is no work at this address.");
    if (rc)
        return ui_error(r, 500, "The work could not be read.");
    int editor = web_can_edit(r, w);
    int status = 0;
    if (w->draft && !editor)
        status = ui_error(r, 404, "There is no work at this address.");
    else if (w->hidden && !editor && !web_is_moderator(r))
        status = ui_error(r, 404, "There is no work at this address.");
    else if (w->restricted && r->user.id <= 0)
        status = ui_login_required(r);
    else if (access && !editor)
        status = ui_error(r, 403, "Only the work's creators (and archive admins) may change it.");
    if (status)
        work_free(w);
    return status;
}

/* Renders w with chapter ci (or everything when ci < 0) (chapter_page: as the chapter's own
 * page), its feedback (kudos, comments,
 * forms) below it, and counts the visit as a hit (the creators' own visits do not count). */
static int render(struct web_req *r, const struct work *w, int ci, int chapter_page)
{
    const char *title = w->title && *w->title ? w->title : "Untitled";
    if (ci >= 0 && w->nchapters > 1)
        title = web_sprintf(r, "%s - Chapter %d", title, ci + 1);
    page_begin(r, title);
    if (w->hidden)
        html_lit(&r->out, "<p class=\"notice\" id=\"hidden-notice\">This work has been hidden by "
                          "a moderator: only its creators (and the archive's moderators) can see "
                          "it. It is left out of every listing, search and feed.</p>\n");
    readers_work_top(r, w);
    page_work_body(r, w, ci, 0);
    readers_work_bottom(r, w, ci);
    /* a chapter page has that chapter's comments; the work page all of them */
    page_work_feedback(r, w, chapter_page && ci >= 0 ? w->chapters[ci].id : 0);
    page_end(r);
    if (r->method[0] == 'G' && !(r->user.id > 0 && r->user.id == w->user_id))
        hits_record(w->id,
                    r->user.id > 0 ? web_sprintf(r, "u:%lld", (long long)r->user.id) : r->remote_ip,
                    (int64_t)time(NULL));
    return 200;
}

int ui_work_show(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 0, &w);
    if (status)
        return status;
    const char *sel = web_arg(r, "chapter");
    if (sel) {
        char *end;
        long long cid = strtoll(sel, &end, 10);
        int ci = *sel && !*end ? work_chapter_index(&w, cid) : -1;
        if (ci < 0) {
            work_free(&w);
            return ui_error(r, 404, "The work has no such chapter.");
        }
        web_redirect(r, web_sprintf(r, "/works/%lld/chapters/%lld", (long long)w.id, cid));
        work_free(&w);
        return 303;
    }
    const char *full = web_arg(r, "view_full_work");
    int ci = (full && !strcmp(full, "true")) || w.nchapters <= 1 ? -1 : 0;
    status = render(r, &w, ci, 0);
    work_free(&w);
    return status;
}

int ui_chapter_show(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 0, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0)
        status = ui_error(r, 404, "The work has no such chapter.");
    else
        status = render(r, &w, w.nchapters <= 1 ? -1 : ci, w.nchapters > 1);
    work_free(&w);
    return status;
}
