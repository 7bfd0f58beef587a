/*
 * remote.h - the CLI's Management API client.
 *
 * Credentials come from --client-id with TESSERA_CLIENT_SECRET or
 * --client-secret-file (a remote server), else from the data directory's
 * bootstrap-client.json (the server on this machine).  The base URL is
 * --url / TESSERA_URL, else the issuer in that file.  The transport rule of
 * libtessera-verify applies: https, or http to a loopback host, unless
 * --allow-insecure-http.  The secret and the token are never printed.
 *
 * Every call prints its own one-line error and returns the command's exit
 * status: TSR_CLI_UNREACHABLE when the server cannot be reached or refuses
 * the credentials, TSR_CLI_FAILED when it refuses the request.
 */
#ifndef TSR_CLI_REMOTE_H
#define TSR_CLI_REMOTE_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cli/args.h"

typedef struct tsr_remote tsr_remote;

/* Resolves the credentials and gets a Management API token.  Returns 0 or an exit status. */
int tsr_remote_open(const struct tsr_cli_args *a, tsr_remote **out);
void tsr_remote_close(tsr_remote *r);

/*
 * From now on a transfer in progress gives up, quietly, once *flag is set
 * (a signal handler's flag): a call then returns TSR_CLI_UNREACHABLE
 * without a message.  NULL: transfers run to their end or timeout.
 */
void tsr_remote_abort_on(volatile sig_atomic_t *flag);

/* When the Management API token expires (0: the server did not say); a long run reopens. */
time_t tsr_remote_token_expires(const tsr_remote *r);

/* The server's base URL, ending in '/'. */
const char *tsr_remote_url(const tsr_remote *r);

/*
 * method path (relative to {url}api/v2/, query included) with body (JSON,
 * may be NULL).  On a 2xx answer returns 0 and, when reply is not NULL,
 * sets *reply to the parsed body (NULL for an empty one; caller decrefs).
 */
int tsr_remote_call(tsr_remote *r, const char *method, const char *path, const json_t *body,
                    json_t **reply);

/* As tsr_remote_call, without the line for a refusal (the server could be reached). */
int tsr_remote_call_quiet(tsr_remote *r, const char *method, const char *path,
                          const json_t *body, json_t **reply);

/*
 * A conditional call (Tessera's ETag extension, docs/management-api.md):
 * as tsr_remote_call, sending If-Match: if_match unless it is NULL, and
 * keeping the answer's ETag in etag (etag_size bytes; "" when the answer
 * has none or it does not fit).  A 412 answer (the record changed since
 * if_match was read) sets *stale and prints nothing; the call then
 * returns TSR_CLI_FAILED.
 */
int tsr_remote_call_cond(tsr_remote *r, const char *method, const char *path, const json_t *body,
                         const char *if_match, json_t **reply, char *etag, size_t etag_size,
                         bool *stale);

/*
 * Up to number items of a paged list (page/per_page, at most 100 a page):
 * path may hold a query already.  Stops at a short page.  On success
 * *items is a new array (caller decrefs).
 */
int tsr_remote_list(tsr_remote *r, const char *path, uint64_t number, json_t **items);

/* The most items tsr_remote_list fetches (ten pages), the bound of every --number. */
#define TSR_REMOTE_LIST_MAX 1000

/*
 * A form POST to path (relative to the base URL, e.g. "oauth/token"):
 * fields are NULL-terminated name, value pairs.  Returns 0 when the
 * server answered (any status, in *status; the body parsed into *reply
 * when it is JSON), else an exit status after printing why.
 */
int tsr_remote_post_form(tsr_remote *r, const char *path, const char *const *fields,
                         long *status, json_t **reply);

/* As tsr_remote_post_form, authenticating as basic_id with HTTP Basic (client_secret_basic). */
int tsr_remote_post_form_basic(tsr_remote *r, const char *path, const char *const *fields,
                               const char *basic_id, const char *basic_secret, long *status,
                               json_t **reply);

/* "prefix" + id percent-encoded + "suffix", e.g. ("clients/", id, ""); caller frees. */
char *tsr_remote_path(const char *prefix, const char *id, const char *suffix);

/*
 * One line for a Management API error body: its message, then the status
 * and errorCode ("The client does not exist (404 inexistent_client)").
 */
void tsr_remote_error_line(long status, const json_t *body, char *out, size_t outlen);

#endif
