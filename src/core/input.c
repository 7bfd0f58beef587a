/*
 * input.c - checks of what the login pages accept and show (see input.h).
 * Pure functions: no request, no store.
 */
#include "core/input.h"

#include <stdio.h>
#include <string.h>

#include "util/hex.h"
#include "util/url.h"

bool tsr_page_color_ok(const char *s)
{
    if (s == NULL || strlen(s) != 7 || s[0] != '#')
        return false;
    for (int i = 1; i < 7; i++)
        if (tsr_hex_value(s[i]) < 0)
            return false;
    return true;
}

bool tsr_page_https_url_ok(const char *s)
{
    if (s == NULL || strncmp(s, "https://", 8) != 0 || strlen(s) <= 8 ||
        strlen(s) > 2048)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '\'' || *p == '<' || *p == '>' ||
            *p == '\\')
            return false;
    return true;
}

bool tsr_page_identifier_ok(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > TSR_LOGIN_IDENTIFIER_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

bool tsr_page_email_ok(const char *s)
{
    if (!tsr_page_identifier_ok(s))
        return false;
    const char *at = strchr(s, '@');
    if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p == ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',' || *p == ';')
            return false;
    return true;
}

bool tsr_page_csp_source(const char *url, char *out, size_t outsz)
{
    if (outsz > 0)
        out[0] = '\0';
    struct tsr_url u;
    if (tsr_url_split(url, &u) != 0)
        return false;
    size_t i = u.scheme.n;
    size_t end = i + 1; /* just past "scheme:" */
    if (u.authority.present) {
        /* No user information, no '_' or anything else a CSP host-source cannot hold. */
        for (size_t j = 0; j < u.authority.n; j++) {
            char ch = u.authority.p[j];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' || ch == '[' ||
                  ch == ']'))
                return false;
        }
        if (u.authority.n == 0)
            return false;
        end = (size_t)(u.authority.p + u.authority.n - url);
    }
    if (end + 1 > outsz)
        return false;
    for (size_t k = 0; k < end; k++)
        out[k] = k < i && url[k] >= 'A' && url[k] <= 'Z' ? (char)(url[k] - 'A' + 'a') : url[k];
    out[end] = '\0';
    return true;
}

/* ---- password policy ---- */

void tsr_page_policy_text(const struct tsr_connection *c, char *out, size_t outsz)
{
    const char *level = c->password_policy ? c->password_policy : "good";
    int64_t min = c->password_min_length;
    const char *rule;
    int64_t level_min;
    if (strcmp(level, "none") == 0) {
        level_min = 1, rule = "";
    } else if (strcmp(level, "low") == 0) {
        level_min = 6, rule = "";
    } else if (strcmp(level, "fair") == 0) {
        level_min = 8, rule = ", including a lowercase letter, an uppercase letter and a number";
    } else if (strcmp(level, "excellent") == 0) {
        level_min = 10, rule = ", including at least 3 of: lowercase letters, uppercase letters, "
                               "numbers, special characters; no character more than twice in a row";
    } else {
        level_min = 8, rule = ", including at least 3 of: lowercase letters, uppercase letters, "
                               "numbers, special characters";
    }
    if (min < level_min)
        min = level_min;
    snprintf(out, outsz, "Use at least %lld character%s%s.", (long long)min, min == 1 ? "" : "s",
             rule);
}

const char *tsr_page_form_target_problem(const char *url)
{
    /* The pages' own rule, so what is registered is what they can allow. */
    char source[TSR_PAGE_FORM_TARGET_MAX];
    if (tsr_page_csp_source(url, source, sizeof source))
        return NULL;
    return "The login pages' Content-Security-Policy cannot allow this host as a form target "
           "(a host with '_', or an origin over 299 characters); use '-'";
}
