/* text.c: what the whole text layer shares (text.h): filling a struct text_err. */
#include "text/text.h"

#include <stdarg.h>
#include <stdio.h>

void text_err_set(struct text_err *err, int line, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->line = line;
}
