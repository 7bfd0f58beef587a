/* Optional members of a create or PATCH body, read into a patch of plain values. */
#include "mgmt/patch_read.h"

#include <jansson.h>

bool tsr_patch_read_str(struct tsr_mgmt_reader *rd, const char *name, size_t min, size_t max,
                        const char **out)
{
    const json_t *v = json_object_get(rd->body, name);
    if (rd->failed || v == NULL)
        return !rd->failed;
    if (!tsr_mgmt_check_string(rd, name, v, min, max))
        return false;
    *out = json_string_value(v);
    return true;
}

bool tsr_patch_read_typed_str(struct tsr_mgmt_reader *rd, const char *name, const char **out)
{
    const json_t *v = tsr_mgmt_get(rd, name, JSON_STRING);
    if (v != NULL)
        *out = json_string_value(v);
    return !rd->failed;
}

bool tsr_patch_read_int(struct tsr_mgmt_reader *rd, const char *name, bool *has, int64_t *out)
{
    const json_t *v = tsr_mgmt_get(rd, name, JSON_INTEGER);
    if (v != NULL) {
        *has = true;
        *out = (int64_t)json_integer_value(v);
    }
    return !rd->failed;
}

bool tsr_patch_read_flag(struct tsr_mgmt_reader *rd, const char *name, enum tsr_patch_bool *out)
{
    const json_t *v = tsr_mgmt_get(rd, name, JSON_TRUE);
    if (v != NULL)
        *out = json_is_true(v) ? TSR_PATCH_TRUE : TSR_PATCH_FALSE;
    return !rd->failed;
}
