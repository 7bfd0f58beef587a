#include "util/err.h"

const char *tsr_strerror(int code)
{
    switch (code) {
#define TSR_ERR_MSG(name, value, msg)                                                              \
    case value:                                                                                    \
        return msg;
        TSR_ERROR_MAP(TSR_ERR_MSG)
#undef TSR_ERR_MSG
    }
    return "unknown error";
}

const char *tsr_errname(int code)
{
    switch (code) {
#define TSR_ERR_NAME(name, value, msg)                                                             \
    case value:                                                                                    \
        return #name;
        TSR_ERROR_MAP(TSR_ERR_NAME)
#undef TSR_ERR_NAME
    }
    return "EUNKNOWN";
}
