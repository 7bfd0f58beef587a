#include "http/cookie.h"

#include <stdio.h>
#include <string.h>

#include "http/response.h"
#include "util/err.h"

bool tsr_cookie_value_ok(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
            return false;
    }
    return true;
}

int tsr_cookie_get(struct tsr_req *req, const char *name, char *out, size_t outsz)
{
    const char *v = tsr_req_value(req, TSR_REQ_COOKIE, name);
    if (v == NULL || v[0] == '\0')
        return TSR_ENOTFOUND;
    size_t len = strlen(v);
    if (len >= outsz || len > TSR_COOKIE_MAX_VALUE || !tsr_cookie_value_ok(v))
        return TSR_EFORMAT;
    memcpy(out, v, len + 1);
    return 0;
}

void tsr_cookie_set(struct tsr_req *req, const char *name, const char *value, int64_t max_age)
{
    char header[1024], age[48] = "";
    bool secure = strncmp(req->tenant->t.issuer, "https://", 8) == 0;
    if (max_age >= 0)
        snprintf(age, sizeof age, "; Max-Age=%lld", (long long)max_age);
    int n = snprintf(header, sizeof header, "%s=%s; Path=%s; HttpOnly; SameSite=Lax%s%s", name,
                     value, req->tenant->prefix, secure ? "; Secure" : "", age);
    if (n > 0 && (size_t)n < sizeof header)
        tsr_resp_header(req, "Set-Cookie", header);
}
