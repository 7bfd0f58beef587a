/*
 * err.h - the one table of internal error codes.
 *
 * Every fallible function in Tessera returns 0 on success or a negative
 * TSR_E* code from this table.  The table also carries a short message for
 * logs; HTTP-facing modules turn codes into responses in one place each
 * (http/response.c for the Authentication and Management APIs).
 */
#ifndef TSR_UTIL_ERR_H
#define TSR_UTIL_ERR_H

/* X(name, value, message) */
#define TSR_ERROR_MAP(X)                                                                           \
    X(OK, 0, "success")                                                                            \
    X(ENOMEM, -1, "out of memory")                                                                 \
    X(EINVAL, -2, "invalid argument")                                                              \
    X(ENOTFOUND, -3, "not found")                                                                  \
    X(ECONFLICT, -4, "already exists")                                                             \
    X(ESTORE, -5, "storage failure")                                                               \
    X(ECRYPTO, -6, "cryptographic failure")                                                        \
    X(ETOOBIG, -7, "input too large")                                                              \
    X(EIO, -8, "input/output failure")                                                             \
    X(EFORMAT, -9, "malformed input")                                                              \
    X(ESIGNATURE, -10, "signature does not verify")                                                \
    X(EALG, -11, "algorithm not allowed for this key")                                             \
    X(EMASTERKEY, -12, "master key missing or wrong")                                              \
    X(EBUSY, -13, "resource busy")

enum tsr_err {
#define TSR_ERR_ENUM(name, value, msg) TSR_##name = (value),
    TSR_ERROR_MAP(TSR_ERR_ENUM)
#undef TSR_ERR_ENUM
};

/* Returns a static message for an error code; never NULL. */
const char *tsr_strerror(int code);

/* Returns the symbolic name ("ENOTFOUND") of an error code; never NULL. */
const char *tsr_errname(int code);

#endif
