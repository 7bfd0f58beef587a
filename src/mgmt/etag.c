/*
 * etag.c - ETag and If-Match for the Management API's single records
 * (etag.h says what they mean and why a conditional write is one
 * transaction).
 */
#include "mgmt/etag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/mgmt.h"
#include "util/err.h"
#include "util/secure.h"

/* The longest If-Match value read; a longer one is refused with 400 (a list of 100 tags fits). */
#define IF_MATCH_MAX 4096
#define ETAG_HASH_BYTES 16

int tsr_mgmt_etag(const json_t *v, char out[TSR_MGMT_ETAG_SIZE])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t h[TSR_SHA256_LEN];
    out[0] = '\0';
    char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (text == NULL)
        return TSR_ENOMEM;
    int rc = tsr_sha256(text, strlen(text), h);
    free(text);
    if (rc != 0)
        return rc;
    char *p = out;
    *p++ = '"';
    for (size_t i = 0; i < ETAG_HASH_BYTES; i++) {
        *p++ = digits[h[i] >> 4];
        *p++ = digits[h[i] & 15];
    }
    *p++ = '"';
    *p = '\0';
    return 0;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

bool tsr_mgmt_etag_matches(const char *if_match, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = if_match;
    while (*p != '\0') {
        while (is_ows(*p) || *p == ',')
            p++;
        const char *start = p;
        /* An entity tag may hold commas only inside its quotes. */
        bool quoted = false;
        while (*p != '\0' && (quoted || *p != ',')) {
            if (*p == '"')
                quoted = !quoted;
            p++;
        }
        const char *end = p;
        while (end > start && is_ows(end[-1]))
            end--;
        size_t n = (size_t)(end - start);
        if (n == 1 && *start == '*')
            return true;
        if (n == elen && memcmp(start, etag, n) == 0)
            return true;
    }
    return false;
}

bool tsr_mgmt_precond_begin(struct tsr_req *req, struct tsr_mgmt_precond *pc)
{
    pc->if_match = tsr_req_header(req, "If-Match");
    pc->open = false;
    if (pc->if_match == NULL)
        return true;
    if (strlen(pc->if_match) > IF_MATCH_MAX) {
        tsr_resp_mgmt_error(req, 400, "invalid_headers", "If-Match is longer than %d characters",
                            IF_MATCH_MAX);
        return false;
    }
    int rc = tsr_store_begin(req->store);
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "record");
        return false;
    }
    pc->open = true;
    return true;
}

bool tsr_mgmt_precond_check(struct tsr_req *req, const struct tsr_mgmt_precond *pc,
                            const json_t *current)
{
    char etag[TSR_MGMT_ETAG_SIZE];
    if (pc->if_match == NULL)
        return true;
    int rc = current != NULL ? tsr_mgmt_etag(current, etag) : TSR_ENOMEM;
    if (rc != 0) {
        tsr_mgmt_send_store_error(req, rc, "record");
        return false;
    }
    if (tsr_mgmt_etag_matches(pc->if_match, etag))
        return true;
    tsr_resp_header(req, "ETag", etag);
    tsr_resp_mgmt_error(req, 412, "precondition_failed",
                        "The record has changed since the If-Match ETag was read");
    return false;
}

int tsr_mgmt_precond_end(struct tsr_req *req, struct tsr_mgmt_precond *pc, int rc)
{
    if (!pc->open)
        return rc;
    pc->open = false;
    return tsr_store_finish(req->store, rc);
}

void tsr_mgmt_send_tagged(struct tsr_req *req, unsigned status, json_t *obj, bool fields)
{
    char etag[TSR_MGMT_ETAG_SIZE];
    if (obj == NULL || tsr_mgmt_etag(obj, etag) != 0) {
        json_decref(obj);
        tsr_resp_mgmt_error(req, 500, NULL, "Internal error");
        return;
    }
    if (fields && !tsr_mgmt_fields_check(req)) {
        json_decref(obj);
        return;
    }
    tsr_resp_header(req, "ETag", etag);
    if (fields)
        tsr_mgmt_fields_apply(req, obj);
    tsr_resp_json(req, status, obj);
}
