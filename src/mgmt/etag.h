/*
 * etag.h - a Tessera extension to Auth0's Management API: ETag on the
 * single reads of clients, resource servers, connections, roles and users
 * and on the answers of PATCH to them, and If-Match on their PATCH and
 * DELETE (docs/management-api.md, "Tessera extensions").
 *
 * The ETag is a strong validator of the record's stored state: the
 * SHA-256 of its full answer (before fields / include_fields) as canonical
 * JSON (sorted keys, compact), so any change to what the record shows
 * changes it and an unchanged record keeps it across nodes and restarts.
 *
 * A write with If-Match runs in one transaction (BEGIN IMMEDIATE): the
 * record is read, its ETag compared and the change written before any
 * other writer may start, so no update is lost between the compare and
 * the write.  Without If-Match a write behaves as it always did.
 */
#ifndef TSR_MGMT_ETAG_H
#define TSR_MGMT_ETAG_H

#include <jansson.h>
#include <stdbool.h>

#include "http/request.h"

/* '"' + 32 hex digits + '"' + NUL. */
#define TSR_MGMT_ETAG_SIZE 35

/* The ETag of a record's answer v into out.  Returns 0 or TSR_ENOMEM / TSR_ECRYPTO. */
int tsr_mgmt_etag(const json_t *v, char out[TSR_MGMT_ETAG_SIZE]);

/*
 * True when an If-Match field value (a comma-separated list of entity
 * tags, or "*") matches etag by strong comparison: "*" matches any
 * existing record, a weak tag (W/"...") never does.
 */
bool tsr_mgmt_etag_matches(const char *if_match, const char *etag);

/* The state of one conditional write: whether If-Match was sent, whether a transaction is open. */
struct tsr_mgmt_precond {
    const char *if_match; /* borrowed from the request; NULL: none sent */
    bool open;            /* the transaction tsr_mgmt_precond_begin opened is still open */
};

/*
 * Starts a PATCH or DELETE: with If-Match, opens the transaction the read,
 * the compare and the write share.  Sends 500 (or 503 when the store is
 * busy) and returns false when it cannot.
 */
bool tsr_mgmt_precond_begin(struct tsr_req *req, struct tsr_mgmt_precond *pc);

/*
 * Compares the record's current answer (borrowed; NULL answers 500) with
 * If-Match.  Without If-Match returns true.  On a mismatch sends 412
 * precondition_failed and returns false.
 */
bool tsr_mgmt_precond_check(struct tsr_req *req, const struct tsr_mgmt_precond *pc,
                            const json_t *current);

/*
 * Ends the transaction when one is open: commits when rc is 0, else rolls
 * back.  Returns rc, or the commit's error.  Safe to call again, and
 * without If-Match (then returns rc).
 */
int tsr_mgmt_precond_end(struct tsr_req *req, struct tsr_mgmt_precond *pc, int rc);

/*
 * Sends obj (stolen; NULL answers 500) with status and its ETag; with
 * fields, after applying fields / include_fields (400 when include_fields
 * is not a boolean).  The ETag is of the whole record either way.
 */
void tsr_mgmt_send_tagged(struct tsr_req *req, unsigned status, json_t *obj, bool fields);

#endif
