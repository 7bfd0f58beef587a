/*
 * discovery.h - a tenant's OpenID Provider metadata
 * (/.well-known/openid-configuration): the endpoints and features it has.
 */
#ifndef TSR_CORE_DISCOVERY_H
#define TSR_CORE_DISCOVERY_H

/*
 * Builds the discovery document of a tenant as JSON text (caller frees);
 * computed once when the tenant is loaded (core/tenant_set.c).
 */
char *tsr_discovery_document(const char *issuer);

#endif
