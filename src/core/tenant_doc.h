/*
 * tenant_doc.h - a tenant as a document in the shape of Auth0 Deploy
 * CLI's tenant.yaml (`tessera config export|apply|diff`).
 *
 * Sections, as the Deploy CLI names them: tenant, clients, databases,
 * resourceServers, clientGrants, roles.  Records are matched by name
 * (clients, databases, roles), identifier (resourceServers) or client
 * name and audience (clientGrants); a document refers to clients by
 * name, never by client_id, so it means the same in every environment.
 * The Management API's own records (the system client and API, the grants
 * to that API, and the applications granted it, with their other grants)
 * are never exported, created, changed nor deleted; a document naming one
 * of those applications is refused.
 *
 * A document never holds a secret: no client secret, no HS256 signing
 * secret, no signing key, no password.  Applying it gives a new
 * confidential client a secret nobody knows (`tessera apps rotate-secret`
 * hands one out) and a new HS256 API a fresh signing secret.
 */
#ifndef TSR_CORE_TENANT_DOC_H
#define TSR_CORE_TENANT_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/client.h"
#include "core/masterkey.h"
#include "store/store.h"
#include "util/strlist.h"

/*
 * Opens the database of data_dir (which must exist and be at the schema
 * this tessera knows: start the server or run `tessera init` once) and
 * finds the tenant: tenant (its name, id or issuer URL) or, NULL, the default
 * one.  Holds the data directory's lock shared (core/datadir.h) in
 * *lock_fd, so a restore cannot replace the database meanwhile; close
 * with tsr_tenant_doc_close.  *tenant_id is a new string.  Returns 0,
 * TSR_ENOTFOUND, TSR_EBUSY (a restore runs), TSR_EINVAL or the store's
 * error, one line in err.
 */
int tsr_tenant_doc_open(const char *data_dir, const char *tenant, tsr_store **st, char **tenant_id,
                        int *lock_fd, char *err, size_t errlen);

/* Closes what tsr_tenant_doc_open opened (NULL and -1 are no-ops). */
void tsr_tenant_doc_close(tsr_store *st, int lock_fd);

/* At most this many records in one section of a document. */
#define TSR_DOC_SECTION_MAX 10000

/*
 * The document of tenant_id (a new object, keys in the Deploy CLI's
 * order).  Returns 0, TSR_ENOTFOUND (no such tenant), TSR_ECONFLICT (two
 * records share a name; err says which) or the store's error.
 */
int tsr_tenant_doc_export(tsr_store *st, const char *tenant_id, json_t **out, char *err,
                          size_t errlen);

enum tsr_doc_op {
    TSR_DOC_CREATE,
    TSR_DOC_UPDATE,
    TSR_DOC_DELETE, /* planned only when deleting is allowed */
    TSR_DOC_EXTRA,  /* in the tenant, not in the document, kept */
};

/* One change of a plan. */
struct tsr_doc_change {
    enum tsr_doc_op op;
    const char *section; /* static: "clients", ... */
    char *name;          /* the record's name in the document */
    struct tsr_strlist
        fields;         /* TSR_DOC_UPDATE: the properties that change ("refresh_token.leeway") */
    const json_t *item; /* borrowed from the document (NULL for deletes) */
};

/*
 * What applying a document does, in the order it does it (deletions first,
 * dependants before what they refer to; the tenant's settings last), and
 * what it ignores.
 */
struct tsr_doc_plan {
    struct tsr_doc_change *v;
    size_t n, cap;
    struct tsr_strlist ignored; /* "clients[App].sso_disabled": properties Tessera does not keep */
    bool databases_given;       /* the document has a databases section: it names each connection's
                                   clients */
};

void tsr_doc_plan_cleanup(struct tsr_doc_plan *p);

/* How many changes would be made (creates, updates, deletes; extras kept are none). */
size_t tsr_doc_plan_changes(const struct tsr_doc_plan *p);

/*
 * Compares doc (after keyword replacement) with the tenant: only what
 * the document gives is compared (a property it leaves out is left as it
 * is).  allow_delete plans deleting what the document leaves out of a
 * section it gives; otherwise that is listed as TSR_DOC_EXTRA.  A document
 * naming an application granted the Management API, or keeping a record
 * that refers to one it deletes, is refused (TSR_EINVAL).  Returns
 * 0, TSR_EINVAL (the document's shape is wrong: err says where),
 * TSR_ENOTFOUND (no such tenant) or the store's error.
 */
int tsr_tenant_doc_plan(tsr_store *st, const char *tenant_id, const json_t *doc, bool allow_delete,
                        struct tsr_doc_plan *plan, char *err, size_t errlen);

/*
 * Carries out plan (from tsr_tenant_doc_plan of the same doc) in one
 * transaction through the functions and checks the Management API uses,
 * and marks the tenant changed so a running server reloads it.  Any
 * refusal rolls everything back (err names the record and the reason).
 * dry_run checks every change the same way, then rolls back.  Returns 0,
 * TSR_EINVAL (refused), TSR_EBUSY (the database is busy) or the store's error.
 */
int tsr_tenant_doc_apply(tsr_store *st, const char *tenant_id,
                         const uint8_t master_key[TSR_MASTER_KEY_LEN],
                         const struct tsr_doc_plan *plan, bool dry_run, char *err, size_t errlen);

#endif
