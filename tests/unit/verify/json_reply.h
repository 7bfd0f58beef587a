/*
 * json_reply.h - the answer of the verify tests' libmicrohttpd stand-in
 * issuers: a JSON body of len bytes with one optional extra header.
 */
#ifndef TSR_TEST_VERIFY_JSON_REPLY_H
#define TSR_TEST_VERIFY_JSON_REPLY_H

#include <microhttpd.h>
#include <stddef.h>

static inline enum MHD_Result json_reply(struct MHD_Connection *c, unsigned status,
                                         const char *body, size_t len, const char *header,
                                         const char *value)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (value != NULL)
        MHD_add_response_header(r, header, value);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

#endif
