/*
 * tenant_doc_read.h - internal to tenant_doc*.c: typed reads of a
 * document record's properties, each failure one line in err naming the
 * record and the property, and the records' writers.
 */
#ifndef TSR_CORE_TENANT_DOC_READ_H
#define TSR_CORE_TENANT_DOC_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/tenant_doc.h"
#include "core/tenant_doc_sections.h"
#include "core/update_refusal.h"

struct tsr_doc_rd {
    const char *where; /* "clients[App]" */
    char *err;
    size_t errlen;
};

/* Each returns false with err filled when the property is there but wrong; absent is fine. */
bool tsr_doc_str(const struct tsr_doc_rd *rd, const json_t *o, const char *key, size_t min,
                 size_t max, const char **out);
bool tsr_doc_bool(const struct tsr_doc_rd *rd, const json_t *o, const char *key,
                  enum tsr_patch_bool *out);
bool tsr_doc_int(const struct tsr_doc_rd *rd, const json_t *o, const char *key, int64_t min,
                 int64_t max, bool *has, int64_t *out);
/* A list of at most maxn strings of 1..maxlen characters into out (emptied first). */
bool tsr_doc_strlist(const struct tsr_doc_rd *rd, const json_t *o, const char *key, size_t maxn,
                     size_t maxlen, struct tsr_strlist *out, bool *has);
/* Fills err from a refusal of core's patch functions. */
bool tsr_doc_refused(const struct tsr_doc_rd *rd, const struct tsr_refusal *why);
bool tsr_doc_fail(const struct tsr_doc_rd *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The writers of each section: a record created from item, or its record id updated. */
struct tsr_doc_apply_ctx {
    tsr_store *st;
    const char *tenant_id;
    const uint8_t *master_key;
};

int tsr_doc_put_api(const struct tsr_doc_apply_ctx *x, const struct tsr_doc_rd *rd,
                    const json_t *item, const char *id);
int tsr_doc_put_client(const struct tsr_doc_apply_ctx *x, const struct tsr_doc_rd *rd,
                       const json_t *item, const char *id, bool have_databases);

#endif
