/*
 * tenant_rules.c - the values a tenant's settings may hold (tenant_rules.h).
 */
#include "core/tenant_rules.h"

#include <stdio.h>

#include "core/api.h"
#include "core/connection.h"
#include "util/err.h"
#include "util/url_check.h"

#define HOUR 3600

static int lifetime(const char *field, double v, double unit, double max, const char *units,
                    int64_t *seconds, struct tsr_refusal *why)
{
    if (!(v > 0 && v <= max))
        return tsr_refuse(why, TSR_REFUSED_VALUE, field, "Must be more than 0 and at most %d %s",
                          (int)max, units);
    int64_t s = (int64_t)(v * unit);
    if (s <= 0)
        return tsr_refuse(why, TSR_REFUSED_VALUE, field, "Must be at least one second");
    *seconds = s;
    return 0;
}

int tsr_tenant_hours(const char *field, double hours, int64_t *seconds, struct tsr_refusal *why)
{
    return lifetime(field, hours, HOUR, TSR_TENANT_MAX_HOURS, "hours", seconds, why);
}

int tsr_tenant_minutes(const char *field, double minutes, int64_t *seconds, struct tsr_refusal *why)
{
    return lifetime(field, minutes, 60, TSR_TENANT_MAX_HOURS * 60, "minutes", seconds, why);
}

int tsr_tenant_settings_check(const struct tsr_tenant *t, struct tsr_refusal *why)
{
    for (size_t i = 0; i < t->allowed_logout_urls.n; i++) {
        const char *url = t->allowed_logout_urls.v[i];
        const char *problem = tsr_url_problem(url, TSR_URL_REDIRECT);
        char field[48];
        snprintf(field, sizeof field, "allowed_logout_urls[%zu]", i);
        if (problem != NULL)
            return tsr_refuse(why, TSR_REFUSED_VALUE, field, "%s: %.300s", problem, url);
    }
    const char *problem =
        t->logo_url && t->logo_url[0] ? tsr_url_problem(t->logo_url, TSR_URL_HTTPS) : NULL;
    if (problem != NULL)
        return tsr_refuse(why, TSR_REFUSED_VALUE, "picture_url", "%s", problem);
    if (t->idle_session_lifetime > t->session_lifetime)
        return tsr_refuse(why, TSR_REFUSED_VALUE, "idle_session_lifetime",
                          "Must not exceed session_lifetime");
    return 0;
}

int tsr_tenant_references_check(tsr_store *st, const struct tsr_tenant *t, struct tsr_refusal *why)
{
    int rc = 0;
    if (t->default_audience[0] != '\0') {
        struct tsr_api api = {0};
        rc = tsr_api_get_by_identifier(st, t->id, t->default_audience, &api);
        tsr_api_cleanup(&api);
        if (rc == TSR_ENOTFOUND)
            return tsr_refuse(why, TSR_REFUSED_VALUE, "default_audience",
                              "No API has the identifier %.300s", t->default_audience);
    }
    if (rc == 0 && t->default_directory[0] != '\0') {
        struct tsr_connection c = {0};
        rc = tsr_connection_get_by_name(st, t->id, t->default_directory, &c);
        tsr_connection_cleanup(&c);
        if (rc == TSR_ENOTFOUND)
            return tsr_refuse(why, TSR_REFUSED_VALUE, "default_directory",
                              "No connection is named %.128s", t->default_directory);
    }
    return rc;
}
