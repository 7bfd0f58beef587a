/*
 * ticket_args.h - what the bodies of POST /tickets/password-change,
 * /tickets/email-verification and /jobs/verification-email share: one
 * reader for every property they may hold (each endpoint's property table
 * says which it accepts), and loading the user, connection and
 * application they name.  Internal to src/mgmt/.
 */
#ifndef TSR_MGMT_TICKET_ARGS_H
#define TSR_MGMT_TICKET_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/client.h"
#include "core/connection.h"
#include "core/user.h"
#include "mgmt/common.h"

/* A body's properties (NULL or false when absent) and what they name once loaded. */
struct tsr_mgmt_ticket_args {
    char *user_id;
    char *email;
    char *connection_id;
    char *result_url;
    char *client_id;
    char *identity_user_id;
    char *identity_provider;
    char *identity_connection_id;
    int64_t ttl_sec;
    bool mark_email_as_verified;
    bool include_email;

    struct tsr_user user;
    struct tsr_connection conn;
    struct tsr_client client; /* when client_id was given */
};

void tsr_mgmt_ticket_args_cleanup(struct tsr_mgmt_ticket_args *a);

/*
 * Reads the request body against props into a (zeroed here, clean it up
 * either way): types, lengths, result_url's form, ttl_sec's range, that
 * organization_id is absent (Tessera has no organizations), and who the
 * ticket is for (user_id, or email with connection_id).  Then loads the
 * user, its connection and the application of client_id, and checks that
 * identity, when given, is the user's.  On failure sends 400, 404
 * (inexistent_user, inexistent_connection, inexistent_client) or 500 and
 * returns false.
 */
bool tsr_mgmt_ticket_args_read(struct tsr_req *req, const struct tsr_mgmt_prop *props,
                               struct tsr_mgmt_ticket_args *a);

/* Sends 400 unless the loaded user has an email address; returns whether it has. */
bool tsr_mgmt_ticket_args_need_email(struct tsr_req *req, const struct tsr_mgmt_ticket_args *a);

/* Records an event (type, description) naming the loaded user, connection and application. */
void tsr_mgmt_ticket_args_record(struct tsr_req *req, const struct tsr_mgmt_ticket_args *a,
                                 const char *type, const char *description);

#endif
