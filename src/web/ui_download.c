/* ui_download.c: /downloads/ID/SLUG.{epub,html,md,txt}: a work exported by text/export;
 * .azw3, .mobi and .pdf made from its EPUB by calibre (web/convert.h) when installed. */
#include "text/export.h"
#include "web/convert.h"
#include "web/page.h"

#include <stdio.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

/* Reads a converted file into the response. */
static int send_file(struct web_req *r, const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat st;
    int rc = fstat(fileno(f), &st);
    if (!rc && buf_grow(out, (size_t)st.st_size + 1))
        rc = -1;
    if (!rc) {
        size_t got = fread(out->data, 1, (size_t)st.st_size, f);
        out->len = got;
        out->data[got] = '\0';
        rc = got == (size_t)st.st_size ? 0 : -1;
    }
    fclose(f);
    (void)r;
    return rc;
}

/* AZW3, MOBI, PDF: the cached conversion, or a page saying it is being made. */
static int converted(struct web_req *r, enum convert_format cf)
{
    struct work w;
    int status = web_load_work(r, 1, 0, &w);
    if (status)
        return status;
    struct buf epub = BUF_INIT;
    int rc = export_work(&w, EXPORT_EPUB, &epub);
    char *slug = export_slug(w.title);
    char *title = web_sprintf(r, "%s", w.title ? w.title : "");
    work_free(&w);
    if (rc || epub.err || !slug) {
        buf_free(&epub);
        free(slug);
        return ui_error(r, 500, "The download could not be made.");
    }
    char *path = NULL;
    enum convert_state st = convert_get(r->cfg, epub.data, epub.len, cf, &path);
    buf_free(&epub);
    if (st == CONVERT_READY) {
        struct buf out = BUF_INIT;
        if (send_file(r, path, &out)) {
            buf_free(&out);
            free(path);
            free(slug);
            return ui_error(r, 500, "The download could not be read.");
        }
        free(path);
        web_header(r, "Content-Disposition",
                   web_sprintf(r, "attachment; filename=\"%s.%s\"", slug, convert_ext(cf)));
        free(slug);
        r->content_type = convert_mime(cf);
        buf_free(&r->out);
        r->out = out;
        return 200;
    }
    free(slug);
    if (st == CONVERT_FAILED)
        return ui_error(r, 500,
                        web_sprintf(r,
                                    "This work could not be converted to %s. The EPUB, HTML "
                                    "and text downloads still work.",
                                    convert_label(cf)));
    if (st == CONVERT_ERROR)
        return ui_error(r, 500, "The download could not be made.");
    if (st == CONVERT_BUSY) {
        web_header(r, "Retry-After", "30");
        return ui_error(r, 503,
                        "Many downloads are being converted right now. Please try again in a "
                        "minute.");
    }
    /* pending: the page reloads itself (no script needed) until the file is there */
    web_header(r, "Refresh", "3");
    web_header(r, "Retry-After", "3");
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, web_sprintf(r, "Preparing %s", convert_label(cf)));
    html_lit(b, "<h1>Preparing your download</h1>\n<p role=\"status\">The ");
    html_text(b, convert_label(cf));
    html_lit(b, " file of <cite>");
    html_text(b, title);
    html_lit(b, "</cite> is being made from its EPUB. This page reloads by itself in a few "
                "seconds; you can also <a href=\"");
    html_attr(b, r->path);
    html_lit(b, "\">try again</a>.</p>\n");
    page_end(r);
    return 202;
}

int ui_download(struct web_req *r)
{
    const char *file = r->params[1];
    const char *dot = strrchr(file, '.');
    int cf = dot && dot[1] ? convert_format_parse(dot + 1) : -1;
    if (cf >= 0 && convert_available(r->cfg))
        return converted(r, (enum convert_format)cf);
    int fmt = dot && dot[1] ? export_format_parse(dot + 1) : -1;
    if (fmt < 0 || !strcmp(dot + 1, "markdown"))
        return ui_error(r, 404,
                        convert_available(r->cfg)
                            ? "Downloads come as .epub, .azw3, .mobi, .pdf, .html, .md or .txt "
                              "files."
                            : "Downloads come as .epub, .html, .md or .txt files.");
    struct work w;
    int status = web_load_work(r, 1, 0, &w);
    if (status)
        return status;
    struct buf out = BUF_INIT;
    int rc = export_work(&w, (enum export_format)fmt, &out);
    char *slug = export_slug(w.title);
    work_free(&w);
    if (rc || out.err || !slug) {
        buf_free(&out);
        free(slug);
        return ui_error(r, 500, "The download could not be made.");
    }
    /* the slug is ASCII letters, digits and '_' only: safe inside the quoted filename */
    web_header(r, "Content-Disposition",
               web_sprintf(r, "attachment; filename=\"%s.%s\"", slug,
                           export_format_ext((enum export_format)fmt)));
    free(slug);
    r->content_type = export_format_mime((enum export_format)fmt);
    buf_free(&r->out);
    r->out = out;
    return 200;
}
