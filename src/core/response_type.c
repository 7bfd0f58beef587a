#include "core/response_type.h"

#include <string.h>

/* The longest value that can be valid: "code id_token token" with room for extra spaces. */
#define LONGEST 64

unsigned tsr_response_type_parse(const char *value)
{
    static const struct {
        const char *word;
        unsigned bit;
    } words[] = {{"code", TSR_RT_CODE}, {"id_token", TSR_RT_ID_TOKEN}, {"token", TSR_RT_TOKEN}};
    if (value == NULL || strlen(value) > LONGEST)
        return 0;
    unsigned set = 0;
    const char *p = value;
    while (*p != '\0') {
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t len = strcspn(p, " ");
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof words / sizeof *words; i++)
            if (strlen(words[i].word) == len && memcmp(p, words[i].word, len) == 0)
                bit = words[i].bit;
        if (bit == 0 || (set & bit) != 0)
            return 0;
        set |= bit;
        p += len;
    }
    return set;
}

bool tsr_response_type_front_channel(unsigned set)
{
    return (set & (TSR_RT_ID_TOKEN | TSR_RT_TOKEN)) != 0;
}
