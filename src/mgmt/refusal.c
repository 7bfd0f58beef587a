#include "mgmt/refusal.h"

#include <stdio.h>
#include <string.h>

#include "http/response.h"
#include "util/err.h"

static const struct tsr_mgmt_prop *nested_props(const struct tsr_mgmt_nested *nested,
                                                const char *group)
{
    size_t len = strcspn(group, "[");
    for (; nested != NULL && nested->name != NULL; nested++)
        if (strlen(nested->name) == len && strncmp(nested->name, group, len) == 0)
            return nested->props;
    return NULL;
}

/* A value refusal: "Payload validation error: '<message>' on property <path> (<desc>)." */
static void send_value(struct tsr_req *req, const struct tsr_refusal *r,
                       const struct tsr_mgmt_prop *props, const struct tsr_mgmt_nested *nested)
{
    char group[sizeof r->field];
    struct tsr_mgmt_reader rd = {.req = req, .props = props, .prefix = ""};
    const char *name = r->field;
    const char *dot = strrchr(r->field, '.');
    if (dot != NULL) {
        snprintf(group, sizeof group, "%.*s", (int)(dot - r->field), r->field);
        const struct tsr_mgmt_prop *sub = nested_props(nested, group);
        if (sub != NULL) {
            rd.props = sub;
            rd.prefix = group;
            name = dot + 1;
        }
    }
    tsr_mgmt_fail(&rd, name, "%s", r->message);
}

void tsr_mgmt_send_refusal(struct tsr_req *req, int rc, const struct tsr_refusal *r,
                           const struct tsr_mgmt_prop *props, const struct tsr_mgmt_nested *nested)
{
    if (rc != TSR_EINVAL) {
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
        return;
    }
    switch (r->kind) {
    case TSR_REFUSED_VALUE:
        send_value(req, r, props, nested);
        break;
    case TSR_REFUSED_FORBIDDEN:
        tsr_mgmt_send_forbidden(req, r->message);
        break;
    default:
        tsr_resp_mgmt_error(req, 400, "invalid_body", "%s", r->message);
        break;
    }
}
