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
 * Checks password against the connection's policy (Auth0's levels: none
 * >= 1 character; low >= 6; fair >= 8 with lowercase, uppercase and digits;
 * good >= 8 with 3 of lowercase, uppercase, digits and special characters;
 * excellent >= 10, 3 of 4 kinds, no character 3 times in a row), with
 * password_min_length raising the minimum; lengths count characters.  An
 * unknown policy name counts as "good".  On failure writes
 * a sentence for the person choosing it into why and returns false.
 */
bool tsr_password_policy_ok(const struct tsr_connection *c, const char *password, char *why,
                            size_t whylen);

/* True when name is one of Auth0's policy levels (none, low, fair, good, excellent). */
bool tsr_password_policy_known(const char *name);

/*
 * The connection's rules as Auth0 words them in a PasswordStrengthError's
 * "policy" member ("* At least 8 characters in length\n* Contain at least 3
 * of ..."), truncated to outlen.
 */
void tsr_password_policy_text(const struct tsr_connection *c, char *out, size_t outlen);

#endif
