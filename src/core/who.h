/*
 * who.h - who asks: what core needs to know of the request it serves,
 * as plain values.  Core never sees HTTP; the handlers fill this from the
 * request (http/request.h's tsr_req_who) and pass it down.
 */
#ifndef TSR_CORE_WHO_H
#define TSR_CORE_WHO_H

#include "core/app.h"
#include "store/store.h"

struct tsr_who {
    struct tsr_app *app;
    struct tsr_tenant_ctx *tenant; /* the tenant asked */
    tsr_store *store;              /* the worker thread's handle */
    const char *request_id;        /* for log lines */
    const char *ip;                /* the client's address, "" when unknown */
    const char *user_agent;        /* "" when none */
};

#endif
