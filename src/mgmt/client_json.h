/*
 * client_json.h - a client as the Management API reads and writes it
 * (shared by the handlers in clients.c).
 */
#ifndef TSR_MGMT_CLIENT_JSON_H
#define TSR_MGMT_CLIENT_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "core/client.h"
#include "http/request.h"
#include "mgmt/common.h"

/* The properties a client body may hold (create and PATCH alike). */
extern const struct tsr_mgmt_prop tsr_mgmt_client_props[];

/*
 * Applies the properties of rd's body to c, then checks the resulting
 * record as a whole (URLs against its app_type, grants against its
 * authentication method).  creating: fill what the body leaves out with
 * the defaults of a new client.  On a bad body sends 400 and returns
 * false; c is then partly changed and must be discarded.
 */
bool tsr_mgmt_client_apply(struct tsr_mgmt_reader *rd, struct tsr_client *c, bool creating);

/*
 * The client as JSON (new reference, NULL when out of memory).  secret
 * (may be NULL) is the plain secret, shown only right after it was made.
 */
json_t *tsr_mgmt_client_json(const struct tsr_req *req, const struct tsr_client *c,
                             const char *secret);

#endif
