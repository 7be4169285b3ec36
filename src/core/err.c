/* err.c: messages for the project's error codes. */
#include "core/err.h"

const char *ficd_strerror(int code)
{
    switch (code) {
#define FICD_ERR_CASE(name, value, msg)                                                  \
    case value:                                                                          \
        return msg;
        FICD_ERRORS(FICD_ERR_CASE)
#undef FICD_ERR_CASE
    }
    return "unknown error";
}
