/* fuzz_markdown.c: libFuzzer target for Markdown rendering: no crash, and what comes out is
 * already a fixed point of the sanitizer (it went through it), with a word count to match. */
#include "text/sanitize.h"
#include "text/wordcount.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *html = markdown_to_html((const char *)data, size);
    if (!html)
        abort();
    char *again = sanitize_html(html, strlen(html));
    if (!again || strcmp(html, again))
        abort();
    if (wordcount_html(html) < 0 || wordcount_text((const char *)data, size) < 0)
        abort();
    free(again);
    free(html);
    return 0;
}
