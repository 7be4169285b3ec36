/* markdown.c: Markdown (CommonMark + GFM tables, strikethrough, autolinks) to sanitized HTML. */
#include "text/sanitize.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <string.h>

/* cmark-gfm keeps its extension registry in a global list that is not safe to fill from two
 * threads at once; registration happens exactly once, after which the list is read-only. */
static pthread_once_t md_registered = PTHREAD_ONCE_INIT;
/* cmark-gfm 0.29 also marks the extensions' inline characters (~ for strikethrough) in a
 * global table while a parser runs and clears them when it is done, so two parses at once
 * break each other's strikethrough: parsing is serialised. Rendering and sanitizing are not. */
static pthread_mutex_t md_parse_lock = PTHREAD_MUTEX_INITIALIZER;

static void md_register(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

/* Renders md (n bytes, need not be NUL-terminated) to HTML and sanitizes it. Writers' typography
 * is kept as typed (no "smart" quotes or dashes); raw HTML in the Markdown is rendered and
 * then goes through the sanitizer like any other HTML, so <em> survives and <script> does
 * not. Returns a malloc'd string, NULL only when memory runs out. */
char *markdown_to_html(const char *md, size_t n)
{
    static const char *const exts[] = {"table", "strikethrough", "autolink"};
    const int opts = CMARK_OPT_UNSAFE | CMARK_OPT_VALIDATE_UTF8;

    pthread_once(&md_registered, md_register);
    pthread_mutex_lock(&md_parse_lock);
    cmark_parser *p = cmark_parser_new(opts);
    if (!p) {
        pthread_mutex_unlock(&md_parse_lock);
        return NULL;
    }
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
        if (e)
            cmark_parser_attach_syntax_extension(p, e);
    }
    if (md && n)
        cmark_parser_feed(p, md, n);
    cmark_node *doc = cmark_parser_finish(p);
    pthread_mutex_unlock(&md_parse_lock);
    char *html = doc ? cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p)) : NULL;
    char *out = html ? sanitize_html(html, strlen(html)) : NULL;
    cmark_mem *mem = cmark_get_default_mem_allocator();
    if (html)
        mem->free(html);
    if (doc)
        cmark_node_free(doc);
    cmark_parser_free(p);
    return out;
}
