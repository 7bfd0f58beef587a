/* setting_doc.c - SQLite statements of the named queries in store/queries/setting_doc.def. */
#include "store/sqlite/queries.h"

const struct tsr_sq_query tsr_sq_setting_doc[] = {
    {TSR_Q_SETTING_DOC_GET,
     "SELECT body, updated_at FROM setting_documents WHERE tenant_id = ? AND name = ?"},
    {TSR_Q_SETTING_DOC_PUT,
     "INSERT INTO setting_documents (tenant_id, name, body, updated_at) VALUES (?, ?, ?, ?) "
     "ON CONFLICT (tenant_id, name) DO UPDATE SET body = excluded.body, "
     "updated_at = excluded.updated_at"},
    {TSR_Q_COUNT, NULL},
};
