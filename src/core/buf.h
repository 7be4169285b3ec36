/* buf.h: the one growable byte buffer: size cap, sticky error, reset keeping capacity,
 * take() to hand the bytes over, printf with format checking. Always NUL-terminated. */
#ifndef FICD_BUF_H
#define FICD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
    char *data; /* NUL-terminated when len > 0 or after any append; may be NULL when empty */
    size_t len; /* bytes used, not counting the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* cap on len; 0 means the default (1 GiB) */
    int err;    /* sticky: first error (FICD_ENOMEM or FICD_ETOOBIG); appends are no-ops after */
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0, 0, 0                                                                           \
    }

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, err = 0, keeps the allocation */
int buf_grow(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/* cp (a Unicode scalar value) as UTF-8. */
void buf_put_utf8(struct buf *b, uint32_t cp);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hands the bytes to the caller (never NULL unless b->err: returns "" copy when empty);
 * the buffer is left empty. The caller frees the result. */
char *buf_take(struct buf *b);
/* Returns the contents as a C string ("" when empty); valid until the next append. */
const char *buf_str(const struct buf *b);

#endif
