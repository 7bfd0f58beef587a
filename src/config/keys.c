/*
 * keys.c - the table of settings (keys.h): the server's own keys, then
 * those of limits.h.
 */
#include "config/keys.h"

#include <string.h>

static const struct tsr_setting_key_info table[TSR_SK_COUNT] = {
#define SERVER_KEY(name, flag, env, arg, def, group, help)                                         \
    [TSR_SK_##                                                                                     \
        name] = {flag, env, TSR_SK_##name == TSR_SK_CONFIG ? NULL : flag, arg, def, group, help},
    TSR_SERVER_KEYS(SERVER_KEY)
#undef SERVER_KEY
#define LIMIT_KEY(name, flag, env, arg, def, group, help)                                          \
    [TSR_SK_LIMIT_FIRST + TSR_LK_##name] = {flag, env, flag, arg, def, group, help},
        TSR_LIMIT_KEYS(LIMIT_KEY)
#undef LIMIT_KEY
};

const struct tsr_setting_key_info *tsr_setting_key(int k)
{
    return k >= 0 && k < TSR_SK_COUNT ? &table[k] : NULL;
}

int tsr_setting_key_find(const char *name, size_t len)
{
    for (int k = 0; k < TSR_SK_COUNT; k++) {
        if (strlen(table[k].flag) == len && memcmp(table[k].flag, name, len) == 0)
            return k;
    }
    return -1;
}

int tsr_setting_key_find_file(const char *name)
{
    for (int k = 0; k < TSR_SK_COUNT; k++) {
        if (table[k].file != NULL && strcmp(table[k].file, name) == 0)
            return k;
    }
    return -1;
}
