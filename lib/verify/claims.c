/*
 * claims.c - accessors for verified claims and the scope / permission
 * requirement helpers (TESSERA_ESCOPE maps to RFC 6750 insufficient_scope).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * The payload as a jansson object.  For a JWT it is made on first use from
 * the token's bytes, which verification already read: only memory can make
 * it fail.  The claims belong to one thread, so filling it in is safe.
 */
static const json_t *payload(const tessera_claims *c)
{
    if (c == NULL)
        return NULL;
    if (c->payload == NULL && c->jws != NULL) {
        size_t len = 0;
        const char *raw = tsr_jws_payload_bytes(c->jws, &len);
        ((tessera_claims *)c)->payload = tsv_parse_object(raw, len); /* allocated writable */
    }
    return c->payload;
}

TESSERA_API const char *tessera_claims_sub(const tessera_claims *c)
{
    if (c != NULL && c->scanned)
        return c->scan.sub;
    return json_string_value(json_object_get(payload(c), "sub"));
}

TESSERA_API const char *tessera_claims_scope(const tessera_claims *c)
{
    if (c != NULL && c->scanned)
        return c->scan.scope;
    return json_string_value(json_object_get(payload(c), "scope"));
}

TESSERA_API bool tessera_claims_has_scope(const tessera_claims *c, const char *name)
{
    const char *s = tessera_claims_scope(c);
    if (s == NULL || name == NULL || name[0] == '\0')
        return false;
    size_t n = strlen(name);
    while (*s != '\0') {
        while (*s == ' ')
            s++;
        size_t w = strcspn(s, " ");
        if (w == n && memcmp(s, name, n) == 0)
            return true;
        s += w;
    }
    return false;
}

static const json_t *permissions(const tessera_claims *c)
{
    const json_t *p = json_object_get(payload(c), "permissions");
    return json_is_array(p) ? p : NULL;
}

TESSERA_API size_t tessera_claims_permission_count(const tessera_claims *c)
{
    return json_array_size(permissions(c));
}

TESSERA_API const char *tessera_claims_permission(const tessera_claims *c, size_t i)
{
    return json_string_value(json_array_get(permissions(c), i));
}

TESSERA_API bool tessera_claims_has_permission(const tessera_claims *c, const char *name)
{
    if (name == NULL)
        return false;
    size_t n = tessera_claims_permission_count(c);
    for (size_t i = 0; i < n; i++) {
        const char *p = tessera_claims_permission(c, i);
        if (p != NULL && strcmp(p, name) == 0)
            return true;
    }
    return false;
}

TESSERA_API const json_t *tessera_claims_json(const tessera_claims *c)
{
    return payload(c);
}

TESSERA_API const json_t *tessera_claims_header(const tessera_claims *c)
{
    /* tsr_jws_header makes the object on first use (duplicates refused); one thread owns c. */
    return c != NULL && c->is_jwt ? tsr_jws_header(c->jws) : NULL;
}

TESSERA_API void tessera_claims_free(tessera_claims *c)
{
    if (c == NULL)
        return;
    json_decref(c->payload);
    tsr_jws_free(c->jws);
    free(c);
}

/* Shared by scopes and permissions: has(c, name) decides membership. */
static int require(const tessera_claims *c, tessera_match match, const char *const *want,
                   bool (*has)(const tessera_claims *, const char *), const char *what,
                   char *detail, size_t detaillen)
{
    if (c == NULL || want == NULL || (match != TESSERA_MATCH_ALL && match != TESSERA_MATCH_ANY))
        return TESSERA_EINVAL;
    if (want[0] == NULL)
        return TESSERA_OK;
    for (size_t i = 0; want[i] != NULL; i++) {
        bool ok = has(c, want[i]);
        if (match == TESSERA_MATCH_ANY && ok)
            return TESSERA_OK;
        if (match == TESSERA_MATCH_ALL && !ok) {
            char shown[96];
            tsv_printable(want[i], shown, sizeof shown, 80);
            tsv_detail(detail, detaillen, "%s %s is required", what, shown);
            return TESSERA_ESCOPE;
        }
    }
    if (match == TESSERA_MATCH_ALL)
        return TESSERA_OK;
    char list[200] = "";
    size_t o = 0;
    for (size_t i = 0; want[i] != NULL && o + 4 < sizeof list; i++) {
        char shown[64];
        tsv_printable(want[i], shown, sizeof shown, 48);
        size_t room = sizeof list - o;
        int k = snprintf(list + o, room, "%s%s", i ? ", " : "", shown);
        if (k < 0 || (size_t)k >= room)
            break;
        o += (size_t)k;
    }
    tsv_detail(detail, detaillen, "one %s of %s is required", what, list);
    return TESSERA_ESCOPE;
}

TESSERA_API int tessera_require_scopes(const tessera_claims *c, tessera_match match,
                                       const char *const *scopes, char *detail, size_t detaillen)
{
    return require(c, match, scopes, tessera_claims_has_scope, "scope", detail, detaillen);
}

TESSERA_API int tessera_require_permissions(const tessera_claims *c, tessera_match match,
                                            const char *const *perms, char *detail,
                                            size_t detaillen)
{
    return require(c, match, perms, tessera_claims_has_permission, "permission", detail,
                   detaillen);
}
