/* decode.h: turns the bytes of a manuscript into clean UTF-8 with LF line ends.
 * Accepts UTF-8 (with or without BOM), UTF-16 LE/BE with BOM, Windows-1252 and Latin-1.
 * Rejects empty input, binary input (NUL bytes or many control characters) and bytes that
 * fit no supported encoding. Typographic characters are kept as they are. */
#ifndef FICD_DECODE_H
#define FICD_DECODE_H

#include "text/text.h"

#include <stddef.h>

/* On success *out is a malloc'd NUL-terminated UTF-8 string (no BOM, LF line ends, no other
 * C0 controls except TAB), *outlen its length, *encoding (may be NULL) a static name such as
 * "UTF-8", "UTF-16LE", "windows-1252". On failure returns FICD_EINVAL / FICD_EENCODING and
 * fills err (with the line where it applies). */
int decode_text(const unsigned char *in, size_t n, char **out, size_t *outlen,
                const char **encoding, struct text_err *err);

#endif
