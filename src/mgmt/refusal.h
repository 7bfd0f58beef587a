/*
 * refusal.h - a core refusal (core/update_refusal.h) as the Management
 * API answers it, in Auth0's words.
 */
#ifndef TSR_MGMT_REFUSAL_H
#define TSR_MGMT_REFUSAL_H

#include "core/update_refusal.h"
#include "http/request.h"
#include "mgmt/common.h"

/* The properties of a nested object ("refresh_token") or array item ("scopes[2]"). */
struct tsr_mgmt_nested {
    const char *name;
    const struct tsr_mgmt_prop *props;
};

/*
 * Answers rc from a core update: TSR_EINVAL sends r (400 naming the
 * property with its description from props, or nested[] for a path
 * "group.name"; 403 for TSR_REFUSED_FORBIDDEN), any other error 500.
 * nested ends with {NULL}; it may be NULL.
 */
void tsr_mgmt_send_refusal(struct tsr_req *req, int rc, const struct tsr_refusal *r,
                           const struct tsr_mgmt_prop *props, const struct tsr_mgmt_nested *nested);

#endif
