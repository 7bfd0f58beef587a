/*
 * patch_read.h - reading the optional members of a create or PATCH body
 * into a patch of plain values (core/client_update.h, core/api_update.h).
 * Each returns false once the reader has failed (the answer is written);
 * an absent member leaves *out untouched.  Strings are borrowed from the
 * body.
 */
#ifndef TSR_MGMT_PATCH_READ_H
#define TSR_MGMT_PATCH_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/update_refusal.h"
#include "mgmt/common.h"

/* A string of min..max characters. */
bool tsr_patch_read_str(struct tsr_mgmt_reader *rd, const char *name, size_t min, size_t max,
                        const char **out);

/* A string of any length (the value's own rules are core's). */
bool tsr_patch_read_typed_str(struct tsr_mgmt_reader *rd, const char *name, const char **out);

/* An integer; *has becomes true when present. */
bool tsr_patch_read_int(struct tsr_mgmt_reader *rd, const char *name, bool *has, int64_t *out);

/* A boolean, as TSR_PATCH_TRUE / TSR_PATCH_FALSE. */
bool tsr_patch_read_flag(struct tsr_mgmt_reader *rd, const char *name, enum tsr_patch_bool *out);

#endif
