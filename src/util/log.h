/*
 * log.h - structured JSON log lines on stderr.
 *
 * One line per event: {"ts":"...","level":"info","msg":"...", ...fields}.
 * Callers never pass secrets or tokens as fields; the request logger records
 * only ids, routes, statuses and timings.
 */
#ifndef TSR_UTIL_LOG_H
#define TSR_UTIL_LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum tsr_log_level { TSR_LOG_DEBUG, TSR_LOG_INFO, TSR_LOG_WARN, TSR_LOG_ERROR };

/* Parses "debug", "info", "warn", "error".  Returns 0 or TSR_EINVAL. */
int tsr_log_level_parse(const char *s, enum tsr_log_level *out);

/* Sets the minimum level written.  Call before starting threads. */
void tsr_log_set_level(enum tsr_log_level level);

/* True when lines at this level are written. */
int tsr_log_enabled(enum tsr_log_level level);

/*
 * Writes one log line.  fields (may be NULL) is an object whose members are
 * added to the line; the reference is stolen.  Thread-safe: one write(2)
 * per line.
 */
void tsr_log(enum tsr_log_level level, const char *msg, json_t *fields);

/*
 * tsr_log with the fields already written as a compact JSON object (len
 * bytes, none named ts, level or msg), for lines built without jansson.
 * Returns false, writing nothing, when msg needs escaping or the line is
 * too long for one stack buffer: the caller then uses tsr_log.
 */
bool tsr_log_text(enum tsr_log_level level, const char *msg, const char *fields, size_t len);

#endif
