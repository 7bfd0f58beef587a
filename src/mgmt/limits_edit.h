/*
 * limits_edit.h - a change to a tenant's limits (core/tenant_limits.h), as
 * the Management API builds it from a body: the attack-protection endpoints and the
 * rate_limits of tenants/settings.  Each value is parsed into a copy of the
 * tenant's effective limits as it is read, so a bad one is a 400 naming
 * its property before anything is stored, and the copy is the answer.
 */
#ifndef TSR_MGMT_LIMITS_EDIT_H
#define TSR_MGMT_LIMITS_EDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "config/limits.h"
#include "core/tenant_limits.h"
#include "http/request.h"
#include "mgmt/common.h"
#include "util/strlist.h"

struct tsr_mgmt_limits {
    struct tsr_limits l;             /* the tenant's effective limits with the changes */
    struct tsr_tenant_limits values; /* the changed keys' texts; NULL: the server's again */
    bool set[TSR_TL_COUNT];          /* the keys changed */
};

/* Starts from the limits of the request's tenant. */
void tsr_mgmt_limits_init(struct tsr_mgmt_limits *e, const struct tsr_req *req);
void tsr_mgmt_limits_cleanup(struct tsr_mgmt_limits *e);

/*
 * Sets key k to text (copied).  On a value that does not parse, sends 400
 * on property prop (of the reader) with the reason and returns false.
 */
bool tsr_mgmt_limits_set(struct tsr_mgmt_reader *rd, const char *prop, struct tsr_mgmt_limits *e,
                         int k, const char *text);

/* Key k back to the server's setting (the tenant's value removed). */
void tsr_mgmt_limits_unset(struct tsr_mgmt_limits *e, const struct tsr_req *req, int k);

/* True when some key changed. */
bool tsr_mgmt_limits_changed(const struct tsr_mgmt_limits *e);

/*
 * True when a value e sets differs from what the tenant has stored (a value
 * written again unchanged is no change, so a repeated import writes
 * nothing); true as well when the stored values cannot be read.
 */
bool tsr_mgmt_limits_differ(struct tsr_req *req, const struct tsr_mgmt_limits *e);

/*
 * Stores the changes and touches the tenant, inside the caller's
 * transaction.  Returns 0 or the store's error.
 */
int tsr_mgmt_limits_write(struct tsr_req *req, const struct tsr_mgmt_limits *e);

/* The networks as an array of strings ("10.0.0.0/8", "127.0.0.1"); NULL when out of memory. */
json_t *tsr_mgmt_cidr_json(const struct tsr_cidr *nets, size_t n);

/* The items of l joined by commas (caller frees), NULL when out of memory. */
char *tsr_mgmt_join_commas(const struct tsr_strlist *l);

/*
 * Reads the array of addresses and networks name (at most
 * TSR_LIMITS_MAX_ALLOW) into key k.  false after a 400.
 */
bool tsr_mgmt_limits_read_allowlist(struct tsr_mgmt_reader *rd, const char *name,
                                    struct tsr_mgmt_limits *e, int k);

#endif
