/*
 * cors.h - CORS for the endpoints browsers call directly (/oauth/token,
 * /oauth/revoke, /userinfo, /dbconnections): an Origin is allowed when
 * an application of the tenant lists it in allowed_origins or web_origins.
 * /authorize never answers CORS (RFC 9700 section 4.16).
 */
#ifndef TSR_AUTHN_CORS_H
#define TSR_AUTHN_CORS_H

#include "http/request.h"

/* Adds Access-Control-Allow-Origin (and Vary) when the request's Origin is allowed. */
void tsr_cors_allow(struct tsr_req *req);

/* OPTIONS preflight: 204 with the allowed methods and headers, or 403 for other origins. */
void tsr_authn_preflight(struct tsr_req *req);

#endif
