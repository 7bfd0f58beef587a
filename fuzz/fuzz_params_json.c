/*
 * fuzz_params_json.c - JSON request bodies through tsr_params_parse_json,
 * the path of every application/json body of /oauth/token (Auth0's SDKs
 * send {"grant_type": ..., "client_id": ..., "code_verifier": ...}) and of
 * /oauth/revoke.
 *
 * Invariants:
 *  - the parser answers 0, TSR_EFORMAT, TSR_ETOOBIG or TSR_ENOMEM, always
 *    writes a NUL-terminated reason on error and leaves the params empty;
 *  - success needs a JSON object; each member is an item whose value is
 *    the string itself, or the JSON text of a number or boolean;
 *  - names are unique, 1..128 bytes, at most TSR_PARAMS_MAX of them;
 *  - the items written back as a JSON object of strings parse to the same
 *    params.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "params_check.h"
#include "util/err.h"

static void check_against_json(const struct tsr_params *p, const char *body, size_t size)
{
    json_error_t jerr;
    json_t *obj = json_loadb(body, size, JSON_REJECT_DUPLICATES, &jerr);
    FUZZ_CHECK(json_is_object(obj));
    FUZZ_CHECK(json_object_size(obj) == p->n);
    for (size_t i = 0; i < p->n; i++) {
        const json_t *v = json_object_get(obj, p->items[i].name);
        FUZZ_CHECK(v != NULL);
        if (json_is_string(v)) {
            FUZZ_CHECK(strlen(p->items[i].value) == json_string_length(v));
            FUZZ_CHECK(strcmp(p->items[i].value, json_string_value(v)) == 0);
        } else {
            FUZZ_CHECK(json_is_number(v) || json_is_boolean(v));
        }
    }
    json_decref(obj);
}

static void check_rewrite(const struct tsr_params *p)
{
    json_t *obj = json_object();
    FUZZ_CHECK(obj != NULL);
    for (size_t i = 0; i < p->n; i++)
        FUZZ_CHECK(json_object_set_new(obj, p->items[i].name, json_string(p->items[i].value)) == 0);
    char *text = json_dumps(obj, JSON_COMPACT);
    FUZZ_CHECK(text != NULL);
    struct tsr_params q = {0};
    char err[256];
    FUZZ_CHECK(tsr_params_parse_json(&q, text, strlen(text), err, sizeof err) == 0);
    /* jansson keeps insertion order, so the items come back in order. */
    params_check_equal(p, &q);
    params_cleanup_check(&q);
    free(text);
    json_decref(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsr_params p = {0};
    char err[256];
    err[0] = '\0';
    char *body = fuzz_strndup(data, size);
    int rc = tsr_params_parse_json(&p, body, size, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == TSR_EFORMAT || rc == TSR_ETOOBIG || rc == TSR_ENOMEM);
    if (rc == 0) {
        params_check(&p);
        check_against_json(&p, body, size);
        check_rewrite(&p);
    } else {
        FUZZ_CHECK(p.n == 0);
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        FUZZ_CHECK(rc == TSR_ENOMEM || err[0] != '\0');
    }
    params_cleanup_check(&p);
    free(body);
    return 0;
}
