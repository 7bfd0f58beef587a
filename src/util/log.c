#include "util/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/err.h"

static atomic_int min_level = TSR_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int tsr_log_level_parse(const char *s, enum tsr_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum tsr_log_level)i;
            return 0;
        }
    }
    return TSR_EINVAL;
}

void tsr_log_set_level(enum tsr_log_level level)
{
    atomic_store(&min_level, (int)level);
}

int tsr_log_enabled(enum tsr_log_level level)
{
    return (int)level >= atomic_load(&min_level);
}

void tsr_log(enum tsr_log_level level, const char *msg, json_t *fields)
{
    if (!tsr_log_enabled(level)) {
        json_decref(fields);
        return;
    }
    struct tm tm;
    char when[40];
    int64_t ms = tsr_clock_now_ms();
    time_t secs = (time_t)(ms / 1000);
    gmtime_r(&secs, &tm);
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03dZ", (int)(ms % 1000));

    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", when, "level", level_names[level], "msg",
                             msg ? msg : "");
    if (line == NULL) {
        json_decref(fields);
        return;
    }
    if (fields != NULL)
        json_object_update_missing(line, fields);
    json_decref(fields);
    /* Six significant digits: a latency reads 0.531539, not 0.53153899999999998. */
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(line);
    if (text == NULL)
        return;
    size_t len = strlen(text);
    text[len] = '\n';
    /* One write per line keeps lines from different threads whole. */
    ssize_t w = write(STDERR_FILENO, text, len + 1);
    (void)w;
    free(text);
}
