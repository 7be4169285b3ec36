/* err.h: the project's error codes (an X-macro) and their messages. */
#ifndef FICD_ERR_H
#define FICD_ERR_H

/* Functions return 0 (FICD_OK) or one of these negative codes. */
#define FICD_ERRORS(X)                                                                             \
    X(FICD_OK, 0, "ok")                                                                            \
    X(FICD_ENOMEM, -1, "out of memory")                                                            \
    X(FICD_EIO, -2, "input/output error")                                                          \
    X(FICD_EINVAL, -3, "invalid input")                                                            \
    X(FICD_ENOTFOUND, -4, "not found")                                                             \
    X(FICD_EEXISTS, -5, "already exists")                                                          \
    X(FICD_ETOOBIG, -6, "too large")                                                               \
    X(FICD_EENCODING, -7, "undecodable text")                                                      \
    X(FICD_EDB, -8, "database error")                                                              \
    X(FICD_EPERM, -9, "permission denied")                                                         \
    X(FICD_EBUSY, -10, "busy")                                                                     \
    X(FICD_ESYNTAX, -11, "syntax error")                                                           \
    X(FICD_EINTERNAL, -12, "internal error")                                                       \
    X(FICD_ENOSPC, -13, "no space left on the disk")

enum ficd_err {
#define FICD_ERR_ENUM(name, value, msg) name = value,
    FICD_ERRORS(FICD_ERR_ENUM)
#undef FICD_ERR_ENUM
};

#define FICD_MUST_CHECK __attribute__((warn_unused_result))

const char *ficd_strerror(int code);

#endif
