/* fuzz_params.c: libFuzzer target for search parameters as the works index, the search form
 * and the API receive them (idx_query_from_params): input lines "key=value" (any keys: q,
 * tag, exclude_tag, fandom, rating, warnings, sort, words_from, updated_to, page, ...); each
 * set of parameters is either refused with a message naming what is wrong or searched. */
#include "fuzz_fixture.h"
#include "index/params.h"

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

#define MAXP 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    struct idx_param p[MAXP];
    size_t n = 0;
    for (char *line = s; line && n < MAXP;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = 0;
            p[n].key = line;
            p[n].value = eq + 1;
            n++;
        }
        line = nl ? nl + 1 : NULL;
    }
    struct idx_qparams qp;
    int rc = idx_query_from_params(p, n, &qp);
    if (rc) {
        if (!qp.err[0])
            abort(); /* a refusal names the parameter */
    } else {
        struct idx_result r;
        int e = idx_search(fx_idx, &qp.q, &r);
        if (e != 0 && e != FICD_ESYNTAX && e != FICD_EINVAL)
            abort();
        if (e == 0 && r.total > 4)
            abort(); /* the fixture has four works */
        idx_result_free(&r);
    }
    idx_qparams_free(&qp);
    free(s);
    return 0;
}
