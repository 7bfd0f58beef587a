/*
 * password.h - password hashing (argon2id through libsodium) and Auth0's
 * password policies.
 */
#ifndef TSR_CORE_PASSWORD_H
#define TSR_CORE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/connection.h"

/* Longest password accepted (bytes): bounds hashing work per request. */
#define TSR_PASSWORD_MAX 512

/*
 * Hashes password with argon2id (libsodium's interactive limits) into a new
 * string (caller frees).  Returns 0, TSR_EINVAL (too long) or TSR_ENOMEM.
 */
int tsr_password_hash(const char *password, char **out);

/* True when password matches hash (argon2id string).  Constant time in the password. */
bool tsr_password_verify(const char *hash, const char *password);

/*
 * Spends the time of one verification against a fixed hash, so that an
 * unknown user answers as slowly as a wrong password.
 */
void tsr_password_verify_dummy(const char *password);

/*
 * Checks password against the connection's policy (Auth0's levels: none,
 * low, fair, good, excellent, and the minimum length).  On failure writes
 * a sentence for the person choosing it into why and returns false.
 */
bool tsr_password_policy_ok(const struct tsr_connection *c, const char *password, char *why,
                            size_t whylen);

#endif
