/* fuzz_epub.c: libFuzzer target for the exporters with hostile metadata: the input, split
 * at 0x1F bytes, fills a work's title, creators, summary, notes, language, series, tags of
 * every type and chapter titles and texts (texts through the sanitizer, as posting does).
 * Every format exports; the EPUB is a zip whose first entry is the stored "mimetype" and
 * whose entries all read back; no metadata escapes into markup (no "<script" anywhere). */
#include "text/export.h"
#include "text/sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_epub(const struct buf *b)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(b->data, b->len, 0, &ze);
    if (!src)
        abort();
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z) {
        fprintf(stderr, "EPUB does not open: %s\n", zip_error_strerror(&ze));
        abort();
    }
    zip_int64_t n = zip_get_num_entries(z, 0);
    if (n < 3 || strcmp(zip_get_name(z, 0, 0), "mimetype"))
        abort();
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t zs;
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &zs))
            abort();
        zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
        if (!f)
            abort();
        char *d = malloc(zs.size + 1);
        if (!d)
            abort();
        zip_int64_t got = zip_fread(f, d, zs.size);
        if (got != (zip_int64_t)zs.size)
            abort();
        d[zs.size] = 0;
        if (memmem(d, zs.size, "<script", 7) || memmem(d, zs.size, "<SCRIPT", 7)) {
            fprintf(stderr, "%s holds a script\n", zs.name);
            abort();
        }
        free(d);
        zip_fclose(f);
    }
    zip_close(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    char *field[24] = {0};
    size_t nf = 0;
    for (char *p = s; p && nf < 24;) {
        field[nf++] = p;
        char *sep = strchr(p, 0x1f);
        if (sep)
            *sep++ = 0;
        p = sep;
    }
#define F(i) ((i) < nf ? field[i] : "")
    struct work w;
    work_init(&w);
    w.title = *F(0) ? strdup(F(0)) : NULL;
    w.summary = strdup(F(2));
    w.notes_begin = strdup(F(3));
    w.notes_end = strdup(F(4));
    w.language = *F(5) ? strdup(F(5)) : NULL;
    w.series = *F(6) ? strdup(F(6)) : NULL;
    w.series_position = (int)(size % 7);
    w.rating = (enum rating)(size % 5);
    w.warnings = (unsigned)(size * 2654435761u) & 0x3f;
    w.categories = (unsigned)(size * 40503u) & 0x3f;
    w.expected_chapters = (int)(size % 4);
    w.published = (int64_t)(size * 1000003u);
    w.updated = w.published + 86400;
    if (strlist_add(&w.creators, F(1)) || strlist_add(&w.fandoms, F(7)) ||
        strlist_add(&w.relationships, F(8)) || strlist_add(&w.characters, F(9)) ||
        strlist_add(&w.freeforms, F(10)) || strlist_add(&w.beta, F(11)))
        abort();
    for (size_t i = 12; i + 1 < nf || i == 12; i += 2) {
        struct chapter *c = work_add_chapter(&w);
        if (!c)
            abort();
        c->title = *F(i) ? strdup(F(i)) : NULL;
        c->summary = strdup(F(i));
        c->html = sanitize_html(F(i + 1), strlen(F(i + 1)));
        if (!c->html)
            abort();
        c->words = (int)strlen(c->html) / 6;
    }
#undef F
    for (int f = EXPORT_TXT; f <= EXPORT_EPUB; f++) {
        struct buf b = BUF_INIT;
        if (export_work(&w, (enum export_format)f, &b))
            abort();
        if (f == EXPORT_EPUB)
            check_epub(&b);
        else if (f == EXPORT_HTML && memmem(b.data, b.len, "<script", 7))
            abort();
        buf_free(&b);
    }
    char *slug = export_slug(w.title);
    if (!slug || !*slug)
        abort();
    for (const char *p = slug; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            abort();
    free(slug);
    work_free(&w);
    free(s);
    return 0;
}
