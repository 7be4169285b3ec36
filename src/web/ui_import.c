/* ui_import.c: importing a manuscript from the browser (/works/import): the upload form, then
 * the work form filled from what the importer read, to check before posting. */
#include "text/import.h"
#include "text/manuscript.h"
#include "core/html.h"
#include "web/import_known.h"
#include "web/page.h"
#include "web/post_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void import_page(struct web_req *r, const char *error)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, "Import a Manuscript");
    html_lit(b, "<h1>Import a Manuscript</h1>\n");
    if (error)
        page_errors(r, &error, 1);
    html_lit(b, "<p>Upload a plain-text, Markdown or HTML manuscript, an EPUB, or a work "
                "downloaded from AO3 (HTML or EPUB). Its title, tags, notes and chapters are "
                "read from the file; you review them before posting.</p>\n"
                "<form method=\"post\" action=\"/works/import\" enctype=\"multipart/form-data\" "
                "id=\"import-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<p class=\"field\"><label for=\"manuscript\">Manuscript file</label> "
                "<input type=\"file\" name=\"manuscript\" id=\"manuscript\" "
                "accept=\".txt,.md,.markdown,.html,.htm,.epub,text/plain,text/markdown,text/html,"
                "application/epub+zip\">"
                "</p>\n<p class=\"actions\"><button type=\"submit\" id=\"import-button\">Import"
                "</button></p>\n</form>\n");
    page_end(r);
}

int ui_work_import_form(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    import_page(r, NULL);
    return 200;
}

int ui_work_import(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    const struct web_kv *file = kvs_find(&r->form, "manuscript");
    if (!file || !file->filename || !file->vlen) {
        import_page(r, "Choose a manuscript file to upload.");
        return 422;
    }
    /* the archive's wrangled tags: suggestions in canonical form, fandoms from parents */
    struct ms_known *known = import_known_load(r->store);
    if (!known)
        fprintf(stderr, "ficd: tag list: %s\n", store_errmsg(r->store));
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    o.filename = file->filename;
    o.max_bytes = r->cfg->max_body;
    o.known = known;
    struct work w;
    struct text_err te;
    memset(&te, 0, sizeof(te));
    /* by content: an EPUB, an AO3 download or a manuscript (text/import.h) */
    int rc = import_bytes((const unsigned char *)file->value, file->vlen, &o, &w, NULL, &te);
    ms_known_free(known);
    if (rc) {
        import_page(r, te.line ? web_sprintf(r, "%s, line %d: %s", file->filename, te.line, te.msg)
                               : web_sprintf(r, "%s: %s", file->filename,
                                             te.msg[0] ? te.msg : ficd_strerror(rc)));
        return 422;
    }
    int64_t existing = 0;
    /* only the importer's own works: another account's copy must not reveal its id */
    if (w.content_hash[0] &&
        store_work_find_hash_user(r->store, w.content_hash, r->user.id, &existing) == 0 &&
        existing > 0) {
        work_free(&w);
        import_page(
            r, web_sprintf(r, "This file was already imported as work %lld.", (long long)existing));
        return 422;
    }
    /* the work is posted under the importer's own name; the file's byline is not trusted */
    strlist_free(&w.creators);
    if (strlist_add(&w.creators, r->user.name)) {
        work_free(&w);
        return ui_error(r, 500, "Out of memory.");
    }
    w.user_id = r->user.id;
    w.draft = 1;
    if (!w.language)
        w.language = strdup("English");
    if (store_work_insert(r->store, &w)) {
        work_free(&w);
        return ui_error(r, 500, "The imported work could not be saved.");
    }
    struct post_form f;
    post_form_from_work(r, &w, &f);
    int status = post_work_form_page(
        r, 200, "Review Imported Work", web_sprintf(r, "/works/%lld/edit", (long long)w.id),
        FORM_EDIT_DRAFT, &f, NULL, NULL, &w,
        web_sprintf(r,
                    "Your manuscript was saved as a draft with %zu chapter%s. Check the details "
                    "and post it when ready.",
                    w.nchapters, w.nchapters == 1 ? "" : "s"),
        &w);
    strlist_free(&f.pseuds);
    work_free(&w);
    return status;
}
