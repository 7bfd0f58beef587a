/*
 * attack_protection.c - /api/v2/attack-protection/brute-force-protection
 * and /api/v2/attack-protection/suspicious-ip-throttling in Auth0's shapes,
 * over the tenant's limits (core/tenant_limits.h):
 *
 *   brute-force-protection       Tessera
 *   enabled                      the lockout counts at all
 *   max_attempts                 lockout-attempts (per identifier and address)
 *   mode                         count_per_identifier_and_ip only
 *   shields block                a locked address is refused
 *   shields user_notification    the account's owner is mailed a reset link
 *   allowlist                    networks never locked out
 *
 *   suspicious-ip-throttling     Tessera
 *   enabled, shields block       the per-address login and signup rates apply
 *   shields admin_notification   stored and shown, not acted on
 *   allowlist                    networks without per-address login and signup rates
 *   stage.pre-login              rate-limit-login-per-ip
 *   stage.pre-user-registration  rate-limit-signup-per-ip
 *
 * Auth0 restores one attempt every `rate` milliseconds up to max_attempts;
 * Tessera counts COUNT requests in a window of SECONDS that starts at the
 * first.  A rate is shown as max_attempts = COUNT and rate = SECONDS * 1000
 * / COUNT (rounded, at least 1): the average interval at which a full
 * window gives its attempts back.  A PATCH sets COUNT = max_attempts and
 * SECONDS = max_attempts * rate / 1000 (rounded), which must come to 1
 * second .. one week; a field left out keeps its current value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "http/response.h"
#include "mgmt/common.h"
#include "mgmt/limits_edit.h"
#include "mgmt/mgmt.h"
#include "mgmt/tenant_admin.h"
#include "util/err.h"

#define MS_PER_S 1000u

static const char *const bf_shields[] = {"block", "user_notification", NULL};
static const char *const ip_shields[] = {"block", "admin_notification", NULL};
static const char *const bf_modes[] = {"count_per_identifier_and_ip", "count_per_identifier", NULL};

static const struct tsr_mgmt_prop bf_props[] = {
    {"enabled", "Whether or not brute force attack protections are active", false},
    {"shields", "Action to take when a brute force protection threshold is violated", false},
    {"allowlist",
     "List of trusted IP addresses that will not have attack protection enforced "
     "against them",
     false},
    {"mode",
     "Account Lockout: Determines whether or not IP address is used when counting "
     "failed attempts",
     false},
    {"max_attempts", "Maximum number of unsuccessful attempts", false},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop ip_props[] = {
    {"enabled", "Whether or not suspicious IP throttling attack protections are active", false},
    {"shields", "Action to take when a suspicious IP throttling threshold is violated", false},
    {"allowlist",
     "List of trusted IP addresses that will not have attack protection enforced "
     "against them",
     false},
    {"stage", "Holds per-stage configuration options (max_attempts and rate)", false},
    {NULL, NULL, false},
};

/* Tessera has no custom token exchange: that stage is accepted and not stored. */
static const struct tsr_mgmt_prop stage_props[] = {
    {"pre-login", "Configuration options that apply before every login attempt", false},
    {"pre-user-registration",
     "Configuration options that apply before every user registration attempt", false},
    {"pre-custom-token-exchange", NULL, true},
    {NULL, NULL, false},
};

static const struct tsr_mgmt_prop rate_props[] = {
    {"max_attempts", "Total number of attempts allowed", false},
    {"rate", "Interval of time, given in milliseconds, at which new attempts are granted", false},
    {NULL, NULL, false},
};

static json_t *shields_json(bool first, const char *a, bool second, const char *b)
{
    json_t *arr = json_array();
    if (arr != NULL && first)
        json_array_append_new(arr, json_string(a));
    if (arr != NULL && second)
        json_array_append_new(arr, json_string(b));
    return arr;
}

static json_t *bf_json(const struct tsr_limits *l)
{
    json_t *o = json_pack(
        "{s:b, s:o, s:o, s:s}", "enabled", l->lockout_enabled && l->lockout_attempts > 0, "shields",
        shields_json(l->lockout_block, "block", l->lockout_notify, "user_notification"),
        "allowlist", tsr_mgmt_cidr_json(l->lockout_allow, l->nlockout_allow), "mode",
        "count_per_identifier_and_ip");
    if (o != NULL && l->lockout_attempts > 0)
        json_object_set_new(o, "max_attempts", json_integer(l->lockout_attempts));
    return o;
}

/* The interval of Auth0's rate for a Tessera window: SECONDS * 1000 / COUNT, at least 1 ms. */
static uint64_t rate_ms(const struct tsr_rate *r)
{
    uint64_t ms = ((uint64_t)r->seconds * MS_PER_S + r->count / 2) / r->count;
    return ms > 0 ? ms : 1;
}

/* Adds stage name for rate r; a rate that is off has no stage. */
static void stage_add(json_t *stage, const char *name, const struct tsr_rate *r)
{
    if (stage != NULL && r->count > 0)
        json_object_set_new(stage, name,
                            json_pack("{s:I, s:I}", "max_attempts", (json_int_t)r->count, "rate",
                                      (json_int_t)rate_ms(r)));
}

static json_t *ip_json(const struct tsr_limits *l)
{
    json_t *stage = json_object();
    stage_add(stage, "pre-login", &l->per_ip[TSR_RATE_LOGIN]);
    stage_add(stage, "pre-user-registration", &l->per_ip[TSR_RATE_SIGNUP]);
    return json_pack("{s:b, s:o, s:o, s:o}", "enabled", l->ip_enabled, "shields",
                     shields_json(l->ip_block, "block", l->ip_notify_admin, "admin_notification"),
                     "allowlist", tsr_mgmt_cidr_json(l->ip_allow, l->nip_allow), "stage", stage);
}

void tsr_mgmt_brute_force_get(struct tsr_req *req)
{
    tsr_mgmt_send_item(req, bf_json(&req->tenant->limits));
}

void tsr_mgmt_ip_throttling_get(struct tsr_req *req)
{
    tsr_mgmt_send_item(req, ip_json(&req->tenant->limits));
}

/* enabled into key k ("true" / "false"). */
static bool read_enabled(struct tsr_mgmt_reader *rd, struct tsr_mgmt_limits *e, int k)
{
    bool on = false;
    if (!tsr_mgmt_has(rd, "enabled"))
        return !rd->failed;
    return tsr_mgmt_read_bool(rd, "enabled", &on) &&
           tsr_mgmt_limits_set(rd, "enabled", e, k, on ? "true" : "false");
}

static bool read_shields(struct tsr_mgmt_reader *rd, struct tsr_mgmt_limits *e, int k,
                         const char *const *values)
{
    struct tsr_strlist list = {0};
    if (!tsr_mgmt_has(rd, "shields"))
        return !rd->failed;
    bool ok = tsr_mgmt_read_strlist(rd, "shields", 2, 32, values, &list);
    char *text = ok ? tsr_mgmt_join_commas(&list) : NULL;
    if (ok && text == NULL)
        ok = tsr_mgmt_fail(rd, "shields", "Out of memory");
    if (ok)
        ok = tsr_mgmt_limits_set(rd, "shields", e, k, text);
    free(text);
    tsr_strlist_cleanup(&list);
    return ok;
}

static bool read_mode(struct tsr_mgmt_reader *rd)
{
    char *mode = NULL;
    bool ok = tsr_mgmt_read_enum(rd, "mode", bf_modes, &mode);
    if (ok && mode != NULL && strcmp(mode, "count_per_identifier_and_ip") != 0)
        ok = tsr_mgmt_fail(rd, "mode",
                           "Tessera counts failed attempts per identifier and IP address only "
                           "(count_per_identifier_and_ip); its account throttle slows guesses "
                           "from every address");
    free(mode);
    return ok;
}

static bool read_max_attempts(struct tsr_mgmt_reader *rd, struct tsr_mgmt_limits *e)
{
    int64_t n = 0;
    char text[24];
    if (!tsr_mgmt_has(rd, "max_attempts"))
        return !rd->failed;
    if (!tsr_mgmt_read_int(rd, "max_attempts", 1, TSR_LIMITS_MAX_COUNT, &n))
        return false;
    snprintf(text, sizeof text, "%lld", (long long)n);
    return tsr_mgmt_limits_set(rd, "max_attempts", e, TSR_TL_LOCKOUT_ATTEMPTS, text);
}

/* Answers 200 with the view of the changed limits, after storing them. */
static void save(struct tsr_req *req, struct tsr_mgmt_limits *e,
                 json_t *(*view)(const struct tsr_limits *))
{
    if (tsr_mgmt_limits_differ(req, e)) {
        int rc = tsr_store_begin(req->store);
        if (rc == 0)
            rc = tsr_store_finish(req->store, tsr_mgmt_limits_write(req, e));
        if (rc != 0) {
            tsr_mgmt_send_store_error(req, rc, "tenant");
            return;
        }
        tsr_app_reload(req->app, req->store);
    }
    tsr_resp_json(req, 200, view(&e->l));
}

void tsr_mgmt_brute_force_update(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_mgmt_limits e;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    tsr_mgmt_limits_init(&e, req);
    if (!tsr_mgmt_reader_start(&rd, req, body, bf_props, NULL) ||
        !read_enabled(&rd, &e, TSR_TL_BF_ENABLED) ||
        !read_shields(&rd, &e, TSR_TL_BF_SHIELDS, bf_shields) ||
        !tsr_mgmt_limits_read_allowlist(&rd, "allowlist", &e, TSR_TL_BF_ALLOWLIST) ||
        !read_mode(&rd) || !read_max_attempts(&rd, &e))
        goto out;
    if (e.set[TSR_TL_BF_ENABLED] && e.l.lockout_enabled && e.l.lockout_attempts == 0) {
        tsr_mgmt_fail(&rd, "max_attempts", "Required to enable: the lockout counts 0 attempts");
        goto out;
    }
    save(req, &e, bf_json);
out:
    tsr_mgmt_limits_cleanup(&e);
    json_decref(body);
}

/*
 * One stage of suspicious IP throttling into rate key k (the current rate
 * cur): max_attempts and rate become a COUNT/SECONDS window.
 */
static bool read_stage(struct tsr_mgmt_reader *stage, const char *name, struct tsr_mgmt_limits *e,
                       int k, const struct tsr_rate *cur)
{
    const json_t *obj = tsr_mgmt_get(stage, name, JSON_OBJECT);
    if (obj == NULL)
        return !stage->failed;
    char prefix[64], text[48];
    snprintf(prefix, sizeof prefix, "stage.%s", name);
    struct tsr_mgmt_reader rd;
    int64_t count = cur->count, ms = cur->count > 0 ? (int64_t)rate_ms(cur) : 0;
    bool ok = tsr_mgmt_reader_start(&rd, stage->req, obj, rate_props, prefix) &&
              tsr_mgmt_read_int(&rd, "max_attempts", 1, TSR_LIMITS_MAX_COUNT, &count) &&
              tsr_mgmt_read_int(&rd, "rate", 1, (int64_t)TSR_LIMITS_MAX_SECONDS * MS_PER_S, &ms);
    if (ok && (count == 0 || ms == 0))
        ok = tsr_mgmt_fail(&rd, count == 0 ? "max_attempts" : "rate", "Required: the stage is off");
    uint64_t seconds = ok ? ((uint64_t)count * (uint64_t)ms + MS_PER_S / 2) / MS_PER_S : 0;
    if (ok && (seconds < 1 || seconds > TSR_LIMITS_MAX_SECONDS))
        ok = tsr_mgmt_fail(&rd, "rate",
                           "max_attempts * rate must come to 1000 .. %u milliseconds (a window "
                           "of 1 second to one week)",
                           TSR_LIMITS_MAX_SECONDS * MS_PER_S);
    if (ok) {
        snprintf(text, sizeof text, "%lld/%llu", (long long)count, (unsigned long long)seconds);
        ok = tsr_mgmt_limits_set(&rd, "rate", e, k, text);
    }
    stage->failed = rd.failed;
    return ok;
}

static bool read_stages(struct tsr_mgmt_reader *rd, struct tsr_mgmt_limits *e)
{
    const json_t *obj = tsr_mgmt_get(rd, "stage", JSON_OBJECT);
    if (obj == NULL)
        return !rd->failed;
    struct tsr_mgmt_reader sub;
    struct tsr_rate login = e->l.per_ip[TSR_RATE_LOGIN], signup = e->l.per_ip[TSR_RATE_SIGNUP];
    bool ok = tsr_mgmt_reader_start(&sub, rd->req, obj, stage_props, "stage") &&
              read_stage(&sub, "pre-login", e, TSR_TL_LOGIN_IP, &login) &&
              read_stage(&sub, "pre-user-registration", e, TSR_TL_SIGNUP_IP, &signup);
    rd->failed = sub.failed;
    return ok;
}

void tsr_mgmt_ip_throttling_update(struct tsr_req *req)
{
    struct tsr_mgmt_reader rd;
    struct tsr_mgmt_limits e;
    json_t *body = tsr_mgmt_body(req);
    if (body == NULL)
        return;
    tsr_mgmt_limits_init(&e, req);
    if (tsr_mgmt_reader_start(&rd, req, body, ip_props, NULL) &&
        read_enabled(&rd, &e, TSR_TL_IP_ENABLED) &&
        read_shields(&rd, &e, TSR_TL_IP_SHIELDS, ip_shields) &&
        tsr_mgmt_limits_read_allowlist(&rd, "allowlist", &e, TSR_TL_IP_ALLOWLIST) &&
        read_stages(&rd, &e))
        save(req, &e, ip_json);
    tsr_mgmt_limits_cleanup(&e);
    json_decref(body);
}
