/* fuzz_query.c: libFuzzer target for the full-text query language (words, phrases,
 * prefix*, AND/OR/NOT, -word, parentheses, field qualifiers): any text is either searched
 * (0) or refused with FICD_ESYNTAX / FICD_EINVAL and a message, never a crash; snippets are
 * built for what matched; the same query gives the same total twice. */
#include "fuzz_fixture.h"

#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fx_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > IDX_MAX_QUERY_LEN + 16)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = 0;
    struct idx_query q;
    memset(&q, 0, sizeof(q));
    q.text = text;
    q.include_restricted = size & 1;
    q.sort = IDX_SORT_BEST;
    struct idx_result r;
    int rc = idx_search(fx_idx, &q, &r);
    if (rc != 0 && rc != FICD_ESYNTAX && rc != FICD_EINVAL)
        abort();
    if (rc && !r.err[0])
        abort(); /* a refusal always says why */
    uint64_t total = r.total;
    if (rc == 0 && idx_result_snippets(&r, fx_store))
        abort();
    idx_result_free(&r);
    if (rc == 0) {
        if (idx_search(fx_idx, &q, &r) || r.total != total)
            abort();
        idx_result_free(&r);
    }
    free(text);
    return 0;
}
