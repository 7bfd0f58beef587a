/*
 * json_out.h - compact JSON text for a response body, without jansson's
 * per-character encoder.
 */
#ifndef TSR_HTTP_JSON_OUT_H
#define TSR_HTTP_JSON_OUT_H

#include <jansson.h>
#include <stddef.h>

/*
 * v as json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) writes it, byte for
 * byte, as a new string (caller frees) with its length in *len.  Returns
 * NULL for what it leaves to jansson: a real number, nesting deeper than a
 * response has, or no memory; the caller then uses json_dumps.
 */
char *tsr_json_out(const json_t *v, size_t *len);

#endif
