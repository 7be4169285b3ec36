/* ui_download.c: /downloads/ID/SLUG.{epub,html,md,txt}: a work exported by text/export. */
#include "text/export.h"
#include "web/page.h"

#include <stdlib.h>
#include <string.h>

int ui_download(struct web_req *r)
{
    const char *file = r->params[1];
    const char *dot = strrchr(file, '.');
    int fmt = dot && dot[1] ? export_format_parse(dot + 1) : -1;
    if (fmt < 0 || !strcmp(dot + 1, "markdown"))
        return ui_error(r, 404, "Downloads come as .epub, .html, .md or .txt files.");
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
