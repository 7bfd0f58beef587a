/*
 * event.h - the tenant's event log, with Auth0's event type codes
 * (s login, f failed login, fp wrong password, fu unknown user, ss/fs
 * signup, seacft/feacft code exchange, seccft/feccft client credentials,
 * sertft/fertft refresh, ferrt refresh token reuse, slo logout, scp/fcp
 * password change, ...), kept for the Management API's /logs.
 */
#ifndef TSR_CORE_EVENT_H
#define TSR_CORE_EVENT_H

#include <stdint.h>

#include <jansson.h>

#include "core/who.h"

/*
 * One event, as callers describe it and as the events table stores it.  A
 * caller fills the first part (any member may be NULL); tsr_event_record
 * and tsr_event_insert fill the second and hand the whole to the event
 * log's writer (core/event_writer.h), where every text member is non-NULL.
 */
struct tsr_event {
    const char *type;
    const char *description;
    const char *client_id;
    const char *client_name;
    const char *user_id;
    const char *user_name;
    const char *connection;
    const char *connection_id;
    const json_t *details; /* borrowed; written as details_text */
    /* Set when the event is recorded; a caller leaves them out. */
    const char *tenant_id;
    const char *id;
    int64_t date; /* Unix ms */
    const char *ip;
    const char *user_agent;
    const char *details_text; /* JSON object text */
};

/*
 * Records e for the request's tenant, with the request's IP address and
 * User-Agent.  A failure is logged, never returned: the event log must not
 * break a login.  While `tessera serve` runs, the row is queued for the
 * event log's writer (core/event_writer.h), except inside the caller's
 * transaction, where it is inserted at once; a reader of the events table
 * calls tsr_event_writer_sync first.
 */
void tsr_event_record(const struct tsr_who *w, const struct tsr_event *e);

/*
 * The same outside a request (the mail worker finishing what a request
 * queued): the IP address and User-Agent are the ones the request had.
 */
void tsr_event_insert(tsr_store *st, const char *tenant_id, const char *ip, const char *user_agent,
                      const struct tsr_event *e);

#endif
