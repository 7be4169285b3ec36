/* fuzz_import.c: libFuzzer target for the manuscript importer over every format and
 * encoding: the first byte picks the format (auto, text, Markdown, HTML) and the file name
 * the detection sees; the rest is the file (any bytes: UTF-8 with or without BOM, UTF-16
 * with BOM, Windows-1252, Latin-1, binary). An import either fails with a message or gives
 * a work with at least one chapter whose HTML is already a sanitizer fixed point; the work
 * then exports to every format, and its Markdown export imports again. */
#include "text/export.h"
#include "text/manuscript.h"
#include "text/sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"story.txt", "story.md",       "story.html", "story",
                                    "story.htm", "story.markdown", NULL,         "story.TXT"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 262144)
        return 0;
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    o.format = (enum ms_format)(data[0] & 3);
    o.filename = names[(data[0] >> 2) & 7];
    o.max_chapters = 200;
    struct strlist chars, fandoms;
    strlist_init(&chars);
    strlist_init(&fandoms);
    if (strlist_add(&chars, "Haruno Sakura") || strlist_add(&chars, "Gaara") ||
        strlist_add(&fandoms, "Naruto") || strlist_add(&fandoms, ""))
        abort();
    o.known_characters = &chars;
    o.known_character_fandoms = &fandoms;
    struct work w;
    struct text_err te;
    memset(&te, 0, sizeof(te));
    int rc = ms_import(data + 1, size - 1, &o, &w, &te);
    if (rc == 0) {
        if (w.nchapters < 1)
            abort();
        for (size_t i = 0; i < w.nchapters; i++) {
            const char *h = w.chapters[i].html ? w.chapters[i].html : "";
            char *again = sanitize_html(h, strlen(h));
            if (!again || strcmp(again, h)) {
                fprintf(stderr, "chapter %zu is not a sanitizer fixed point\n", i);
                abort();
            }
            free(again);
        }
        for (int f = EXPORT_TXT; f <= EXPORT_EPUB; f++) {
            struct buf b = BUF_INIT;
            if (export_work(&w, (enum export_format)f, &b))
                abort();
            if (f == EXPORT_MD) {
                struct ms_opts o2;
                memset(&o2, 0, sizeof(o2));
                o2.format = MS_MARKDOWN;
                o2.max_chapters = 100000;
                struct work w2;
                struct text_err te2;
                memset(&te2, 0, sizeof(te2));
                if (ms_import((const unsigned char *)b.data, b.len, &o2, &w2, &te2) == 0)
                    work_free(&w2);
            }
            buf_free(&b);
        }
        work_free(&w);
    } else if (!te.msg[0]) {
        /* every refusal says why (the CLI prints it with the file and line) */
        abort();
    }
    strlist_free(&chars);
    strlist_free(&fandoms);
    return 0;
}
