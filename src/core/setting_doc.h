/*
 * setting_doc.h - Auth0 settings a tenant keeps as whole JSON documents
 * (branding, prompts, custom text, email provider, email templates, breached
 * password detection): stored so that the Management API answers what was
 * written and the Deploy CLI's exports import back, without Tessera acting
 * on them (docs/management-api.md says which).  A name is short ASCII
 * ("branding", "email-templates/verify_email"); a body is a JSON object.
 */
#ifndef TSR_CORE_SETTING_DOC_H
#define TSR_CORE_SETTING_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define TSR_SETTING_DOC_NAME_MAX 128
#define TSR_SETTING_DOC_BODY_MAX (64 * 1024) /* bytes of compact JSON */

/*
 * Reads the document name of tenant_id into *out (a new object, the
 * caller's) and its last change into *updated_at (may be NULL).
 * TSR_ENOTFOUND when it was never written.
 */
int tsr_setting_doc_get(tsr_store *st, const char *tenant_id, const char *name, json_t **out,
                        int64_t *updated_at);

/*
 * Writes body (an object) as the document name, replacing it.  Writing a
 * body equal to the stored one writes nothing and sets *changed false, so a
 * repeated import leaves updated_at alone.  TSR_ETOOBIG over
 * TSR_SETTING_DOC_BODY_MAX, TSR_EINVAL for a bad name or a non-object.
 */
int tsr_setting_doc_put(tsr_store *st, const char *tenant_id, const char *name, const json_t *body,
                        bool *changed);

#endif
