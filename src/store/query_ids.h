/*
 * query_ids.h - the names of every statement core runs.
 *
 * Core passes no SQL text: it names a query, TSR_Q_<MODULE>_<WHAT>, and
 * the backend holds the statement (src/store/<backend>/<module>.c).  Each
 * core module declares its queries in src/store/queries/<module>.def, one
 * line each:
 *
 *     Q(CLIENT_GET, "ss")  / * what one row holds, by what parameters * /
 *
 * The string is the parameter types (store.h's letters, one per
 * parameter, in order); it is fixed per query, so a backend learns them
 * when it prepares.  A new module adds one #include line to
 * src/store/queries/all.def.
 */
#ifndef TSR_STORE_QUERY_IDS_H
#define TSR_STORE_QUERY_IDS_H

enum tsr_query_id {
#define Q(name, types) TSR_Q_##name,
#include "store/queries/all.def"
#undef Q
    TSR_Q_COUNT /* not a query: how many there are */
};

#endif
