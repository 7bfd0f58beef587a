#include "server/connection.h"

#include <microhttpd.h>

static enum MHD_ValueKind mhd_kind(enum tsr_req_kind kind)
{
    switch (kind) {
    case TSR_REQ_QUERY:
        return MHD_GET_ARGUMENT_KIND;
    case TSR_REQ_COOKIE:
        return MHD_COOKIE_KIND;
    case TSR_REQ_HEADER:
        break;
    }
    return MHD_HEADER_KIND;
}

static const char *lookup(void *conn, enum tsr_req_kind kind, const char *name)
{
    return conn != NULL ? MHD_lookup_connection_value(conn, mhd_kind(kind), name) : NULL;
}

struct walk {
    tsr_req_value_fn fn;
    void *cls;
};

static enum MHD_Result visit(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    const struct walk *w = cls;
    return w->fn(w->cls, key, value) ? MHD_YES : MHD_NO;
}

static void each(void *conn, enum tsr_req_kind kind, tsr_req_value_fn fn, void *cls)
{
    struct walk w = {fn, cls};
    if (conn != NULL)
        MHD_get_connection_values(conn, mhd_kind(kind), visit, &w);
}

static const struct sockaddr *peer(void *conn)
{
    const union MHD_ConnectionInfo *info =
        conn != NULL ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    return info != NULL ? info->client_addr : NULL;
}

static bool tls(void *conn)
{
    const union MHD_ConnectionInfo *info =
        conn != NULL ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL) : NULL;
    return info != NULL && info->protocol != 0;
}

const struct tsr_req_source tsr_mhd_source = {
    .lookup = lookup,
    .each = each,
    .peer = peer,
    .tls = tls,
};
