#include "util/log.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
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

/* Six significant digits: a latency reads 0.531539, not 0.53153899999999998. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* A request's line is about 250 bytes; longer ones take the heap. */
#define LINE_STACK 2048

/* Whether s goes into a JSON string as it is: printable ASCII without '"' or '\\'. */
static bool plain_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            return false;
    return true;
}

/*
 * The line {"ts":..,"level":..,"msg":..,<fields>} and its newline written
 * into buf, byte for byte what the jansson path below writes; 0 when it
 * does not fit or needs that path (a msg to escape, a field named like one
 * of the first three, which that path leaves out).
 */
static size_t direct_line(char *buf, size_t cap, const char *when, enum tsr_log_level level,
                          const char *msg, const json_t *fields)
{
    if (!plain_ascii(msg))
        return 0;
    bool some = json_is_object(fields) && json_object_size(fields) > 0;
    if (some && (json_object_get(fields, "ts") != NULL ||
                 json_object_get(fields, "level") != NULL ||
                 json_object_get(fields, "msg") != NULL))
        return 0;
    int n = snprintf(buf, cap, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"", when,
                     level_names[level], msg);
    if (n <= 0 || (size_t)n + 2 >= cap)
        return 0;
    size_t len = (size_t)n;
    if (some) {
        /* The fields' own object, its '{' replaced by the ',' that joins it on. */
        size_t room = cap - len - 1;
        size_t flen = json_dumpb(fields, buf + len, room, DUMP_FLAGS);
        if (flen < 2 || flen > room)
            return 0;
        buf[len] = ',';
        len += flen;
    } else {
        buf[len++] = '}';
    }
    buf[len++] = '\n';
    return len;
}

/* The line's time, 2026-01-02T03:04:05.678Z. */
static void now_text(char *when, size_t cap)
{
    struct tm tm;
    int64_t ms = tsr_clock_now_ms();
    time_t secs = (time_t)(ms / 1000);
    gmtime_r(&secs, &tm);
    size_t n = strftime(when, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, cap - n, ".%03dZ", (int)(ms % 1000));
}

bool tsr_log_text(enum tsr_log_level level, const char *msg, const char *fields, size_t len)
{
    if (!tsr_log_enabled(level))
        return true;
    if (!plain_ascii(msg) || len < 2 || fields[0] != '{' || fields[len - 1] != '}')
        return false;
    char when[40];
    now_text(when, sizeof when);
    char buf[LINE_STACK];
    int n = snprintf(buf, sizeof buf, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"", when,
                     level_names[level], msg);
    /* The fields' own object, its '{' replaced by the ',' that joins it on ("{}" adds nothing). */
    if (n <= 0 || (size_t)n + len + 2 > sizeof buf)
        return false;
    size_t at = (size_t)n;
    if (len > 2) {
        buf[at] = ',';
        memcpy(buf + at + 1, fields + 1, len - 1);
        at += len;
    } else {
        buf[at++] = '}';
    }
    buf[at++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, at);
    (void)w;
    return true;
}

void tsr_log(enum tsr_log_level level, const char *msg, json_t *fields)
{
    if (!tsr_log_enabled(level)) {
        json_decref(fields);
        return;
    }
    char when[40];
    now_text(when, sizeof when);

    /* Most lines are written straight into a stack buffer; the rest go through jansson. */
    char buf[LINE_STACK];
    size_t len = direct_line(buf, sizeof buf, when, level, msg ? msg : "", fields);
    if (len > 0) {
        json_decref(fields);
        /* One write per line keeps lines from different threads whole. */
        ssize_t w = write(STDERR_FILENO, buf, len);
        (void)w;
        return;
    }

    json_t *line = json_pack("{s:s, s:s, s:s}", "ts", when, "level", level_names[level], "msg",
                             msg ? msg : "");
    if (line == NULL) {
        json_decref(fields);
        return;
    }
    if (fields != NULL)
        json_object_update_missing(line, fields);
    json_decref(fields);
    char *text = json_dumps(line, DUMP_FLAGS);
    json_decref(line);
    if (text == NULL)
        return;
    len = strlen(text);
    text[len] = '\n';
    ssize_t w = write(STDERR_FILENO, text, len + 1);
    (void)w;
    free(text);
}
