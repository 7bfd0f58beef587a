#include "core/introspection.h"

#include <string.h>

bool tsr_introspection_visible(enum tsr_token_kind kind, const char *caller_id,
                               const char *token_client_id, bool caller_serves_api)
{
    bool own = caller_id != NULL && token_client_id != NULL && caller_id[0] != '\0' &&
               strcmp(caller_id, token_client_id) == 0;
    switch (kind) {
    case TSR_TOKEN_OPAQUE_ACCESS:
    case TSR_TOKEN_REFRESH:
        return own;
    case TSR_TOKEN_JWT_ACCESS:
        return own || caller_serves_api;
    case TSR_TOKEN_JWT_OTHER:
        break;
    }
    return false;
}
