/* sanitize_int.h: what the sanitizer's gumbo path (sanitize.c) and its fast path
 * (sanitize_fast.c) share: the allow-list and the writer of a kept element's start tag. */
#ifndef FICD_TEXT_SANITIZE_INT_H
#define FICD_TEXT_SANITIZE_INT_H

#include "core/buf.h"

#include <gumbo.h>

enum san_action { SAN_DROP, SAN_UNWRAP, SAN_KEEP, SAN_AS_DIV, SAN_AS_UL };

/* What happens to an element tag, with the attributes it may keep (bits) in *attrs. */
enum san_action san_classify(GumboTag tag, unsigned *attrs);

/* Where san_open_tag finds an element's attributes: get returns the (decoded) value of the
 * attribute called name, the first when there are several, or NULL. */
struct san_attrs {
    const char *(*get)(const void *ctx, const char *name);
    const void *ctx;
};

/* Writes the start tag of a kept element tag under the name `name`, its allowed attributes
 * (attrs) in the fixed order, and rel="nofollow" on links; tmp is scratch. Returns 0 when
 * the element must go after all (an image without a usable src). */
int san_open_tag(struct buf *out, struct buf *tmp, GumboTag tag, const struct san_attrs *at,
                 const char *name, unsigned attrs);

/* The fast path: appends the canonical form of html to out and returns 1 when it takes the
 * input, 0 when the gumbo path must (out then holds a partial copy). */
int san_fast(const char *html, size_t n, struct buf *out);

#endif
