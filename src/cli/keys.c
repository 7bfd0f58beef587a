/*
 * keys.c - `tessera keys list|rotate|revoke`: the tenant's signing keys,
 * every algorithm, through /api/v2/keys/signing.
 */
#include <stdlib.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/remote.h"

static const struct tsr_cli_col key_cols[] = {
    {"KID", "kid"},           {"ALG", "alg"},         {"CURRENT", "current"},
    {"NEXT", "next"},         {"PREVIOUS", "previous"}, {"REVOKED", "revoked"},
    {"CURRENT SINCE", "current_since"}, {NULL, NULL},
};

static int keys_list(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *reply = NULL;
    int rc = tsr_remote_open(a, &r);
    if (rc == 0 && (rc = tsr_remote_call(r, "GET", "keys/signing", NULL, &reply)) == 0)
        tsr_cli_print(a, key_cols, reply);
    json_decref(reply);
    tsr_remote_close(r);
    return rc;
}

static int keys_rotate(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *reply = NULL;
    int rc = tsr_remote_open(a, &r);
    if (rc == 0 && (rc = tsr_remote_call(r, "POST", "keys/signing/rotate", NULL, &reply)) == 0) {
        const char *kid = json_string_value(json_object_get(reply, "kid"));
        if (tsr_cli_json(a))
            tsr_cli_print_json(stdout, reply);
        else
            tsr_cli_say(stdout,
                        "Rotated: %s signs from now on (RS256; every other algorithm's next "
                        "key became current too); the keys replaced stay in the JWKS until "
                        "revoked.\n",
                        kid != NULL ? kid : "a new key");
    }
    json_decref(reply);
    tsr_remote_close(r);
    return rc;
}

static int keys_revoke(const struct tsr_cli_args *a)
{
    tsr_remote *r = NULL;
    json_t *reply = NULL;
    const char *kid = tsr_cli_operand(a, 0);
    char *path = tsr_remote_path("keys/signing/", kid, "/revoke");
    int rc = path == NULL ? tsr_cli_fail(a, "out of memory") : tsr_remote_open(a, &r);
    if (rc == 0 && (rc = tsr_remote_call(r, "PUT", path, NULL, &reply)) == 0) {
        if (tsr_cli_json(a))
            tsr_cli_print_json(stdout, reply);
        else
            tsr_cli_say(stdout,
                        "Revoked %s: it has left the JWKS, and tokens it signed no longer "
                        "verify.\n",
                        kid);
    }
    free(path);
    json_decref(reply);
    tsr_remote_close(r);
    return rc;
}

const struct tsr_cli_command tsr_cli_keys_commands[] = {
    {.name = "keys list",
     .summary = "list the signing keys: current, next, previous and revoked",
     .kind = TSR_CLI_REMOTE,
     .run = keys_list},
    {.name = "keys rotate",
     .summary = "make the next key of each algorithm current and create new next keys",
     .details = "Every algorithm the tenant has keys of (RS256, and PS256, ES256 or EdDSA\n"
                "once an API uses it) rotates at once.  Tokens signed by the old keys keep\n"
                "verifying: they stay in the JWKS as previous keys until revoked.\n",
     .kind = TSR_CLI_REMOTE,
     .run = keys_rotate},
    {.name = "keys revoke",
     .operands = "KID",
     .summary = "remove a rotated-out key from the JWKS",
     .details = "Only a key that no longer signs can be revoked; tokens it signed stop\n"
                "verifying at once.\n",
     .kind = TSR_CLI_REMOTE,
     .run = keys_revoke},
    {0},
};
