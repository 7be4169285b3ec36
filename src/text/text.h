/* text.h: shared types of the text layer (pure functions: bytes in, structured work out and
 * back). No I/O beyond what the caller hands in. */
#ifndef FICD_TEXT_H
#define FICD_TEXT_H

/* Where and why text input was rejected. line is 1-based, 0 when it does not apply. */
struct text_err {
    int line;
    char msg[256];
};

/* Fills err (when not NULL) with a printf-style message and the line. */
void text_err_set(struct text_err *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
