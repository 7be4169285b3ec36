/* params.h: a search query from key/value parameters: the query string of /works, of
 * /tags/NAME/works and of GET /api/v1/works, and `ficd search`'s flags turned into pairs.
 * One place knows the parameter names, what their values may be and what is wrong with a
 * bad one (the names and values are listed in docs/api.md). */
#ifndef FICD_INDEX_PARAMS_H
#define FICD_INDEX_PARAMS_H

#include "index/index.h"

#include <stddef.h>

#define IDX_PARAM_MAX_LIST 64 /* tags, excluded tags or fandoms in one query */

struct idx_param {
    const char *key;
    const char *value;
};

/* A query and the storage its lists point into. q.text and q.language point into the
 * values given to idx_query_from_params(), which must outlive the query; the tag lists are
 * copies (a value "A, B" names two tags) owned by this struct. */
struct idx_qparams {
    struct idx_query q;
    const char *tags[IDX_PARAM_MAX_LIST];
    const char *exclude_tags[IDX_PARAM_MAX_LIST];
    const char *fandoms[IDX_PARAM_MAX_LIST];
    char *owned[3 * IDX_PARAM_MAX_LIST]; /* the copies the three lists point to */
    size_t nowned;
    char err[256]; /* what is wrong, naming the parameter, when the call fails */
};

/* Fills out (zeroed first) from n pairs: q, tag, exclude_tag, fandom (each may repeat; tag
 * values are split at commas), rating, exclude_rating, warning, exclude_warning, category,
 * exclude_category (repeat), crossover, complete, words (MIN-MAX), words_from, words_to,
 * updated_from, updated_to (YYYY-MM-DD, UTC, inclusive), language, sort, dir, page,
 * per_page. Empty values and unknown keys are ignored, so a submitted form with blank fields
 * is the same query as one without them. include_restricted and facet_limit are left 0 for
 * the caller. Returns 0, FICD_EINVAL with a message in out->err, or FICD_ENOMEM. Release
 * with idx_qparams_free() whatever the return. */
int idx_query_from_params(const struct idx_param *p, size_t n,
                          struct idx_qparams *out) FICD_MUST_CHECK;
void idx_qparams_free(struct idx_qparams *qp);

/* Midnight UTC of a YYYY-MM-DD date as Unix seconds; -1 when s is not a valid date. */
int64_t idx_parse_date(const char *s);

#endif
