/*
 * settings.c - settings from flags, environment and a config file.
 *
 * Contents: messages; one value into its field; the three sources;
 * merging; defaults; the TLS checks on the merged result; warnings.  The
 * keys are those of the table in keys.h; the value parsers are in
 * values.c and limits.c.
 *
 * Each source is parsed completely into its own layer, so a bad value is
 * reported even when a higher source overrides it; the layers are then
 * merged key by key: flags, then environment, then file, then defaults.
 */
#include "config/settings.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config/keys.h"
#include "config/values.h"
#include "util/err.h"

#define MAX_LINE 4096
#define WHO_LEN (TSR_SETTINGS_MAX_PATH + 64)

/* One source's values; set[k] is true when key k (keys.h) was given. */
struct layer {
    struct tsr_settings v;
    bool set[TSR_SK_COUNT];
};

/* The table's entry of key k, which is always in range here. */
static const struct tsr_setting_key_info *key(int k)
{
    return tsr_setting_key(k);
}

/* ---- messages ------------------------------------------------------------ */

/* Writes one line into err (may be NULL) and returns TSR_EINVAL. */
__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
                                                      ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return TSR_EINVAL;
}

/* Parses value for key k into its field of v: 0, or -1 with the reason in why. */
static int parse_value(struct tsr_settings *v, int k, const char *value, char *why)
{
    int rc = -1;

    switch (k) {
    case TSR_SK_LISTEN:
        rc = tsr_cfg_parse_listen(value, v, why);
        break;
    case TSR_SK_PUBLIC_URL:
        rc = tsr_cfg_parse_public_url(value, v, why);
        break;
    case TSR_SK_DATA_DIR:
        rc = tsr_cfg_parse_data_dir(value, v, why);
        break;
    case TSR_SK_LOG_LEVEL:
        rc = tsr_cfg_parse_log_level(value, v, why);
        break;
    case TSR_SK_THREADS:
        rc = tsr_cfg_parse_threads(value, v, why);
        break;
    case TSR_SK_SMTP_URL:
        rc = tsr_cfg_parse_smtp_url(value, v, why);
        break;
    case TSR_SK_SMTP_FROM:
        rc = tsr_cfg_parse_smtp_from(value, v, why);
        break;
    case TSR_SK_TLS_CERT:
        rc = tsr_cfg_parse_path(value, v->tls_cert, sizeof v->tls_cert, why);
        break;
    case TSR_SK_TLS_KEY:
        rc = tsr_cfg_parse_path(value, v->tls_key, sizeof v->tls_key, why);
        break;
    case TSR_SK_TRUST_PROXY:
        rc = tsr_cfg_parse_bool(value, &v->trust_proxy, why);
        break;
    case TSR_SK_MAX_CONNECTIONS:
        rc = tsr_cfg_parse_uint(value, TSR_SETTINGS_MIN_CONNECTIONS, TSR_SETTINGS_MAX_CONNECTIONS,
                                &v->max_connections, why);
        break;
    case TSR_SK_MAX_CONNECTIONS_PER_IP:
        rc = tsr_cfg_parse_uint(value, 0, TSR_SETTINGS_MAX_CONNECTIONS, &v->max_connections_per_ip,
                                why);
        break;
    case TSR_SK_HEADER_TIMEOUT:
        rc = tsr_cfg_parse_uint(value, 1, TSR_SETTINGS_MAX_HEADER_TIMEOUT, &v->header_timeout, why);
        break;
    case TSR_SK_BODY_MIN_RATE:
        rc = tsr_cfg_parse_uint(value, 1, TSR_SETTINGS_MAX_BODY_MIN_RATE, &v->body_min_rate, why);
        break;
    case TSR_SK_SMTP_ALLOW_PLAINTEXT:
        rc = tsr_cfg_parse_bool(value, &v->smtp_allow_plaintext, why);
        break;
    case TSR_SK_CONFIG:
        rc = tsr_cfg_parse_path(value, v->config_path, sizeof v->config_path, why);
        break;
    default:
        rc = tsr_limits_parse(&v->limits, k - TSR_SK_LIMIT_FIRST, value, why, TSR_CFG_WHY_LEN);
        break;
    }
    return rc;
}

/* Parses value for key k into the layer; who names the setting in errors. */
static int apply(struct layer *l, int k, const char *value, const char *who, char *err,
                 size_t errlen)
{
    char why[TSR_CFG_WHY_LEN];
    if (parse_value(&l->v, k, value, why) != 0)
        return fail(err, errlen, "%s: %s", who, why);
    l->set[k] = true;
    return 0;
}

/* ---- sources --------------------------------------------------------------- */

static int load_flags(struct layer *l, int argc, char **argv, char *err, size_t errlen)
{
    char shown[64];
    char who[80];

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a == NULL)
            continue;
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (a[0] == '-')
                return fail(err, errlen, "unknown option %s", tsr_cfg_show(a, shown));
            return fail(err, errlen, "unexpected argument \"%s\"", tsr_cfg_show(a, shown));
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
        int k = tsr_setting_key_find(name, nlen);
        if (k < 0) {
            char tmp[64];
            size_t n = nlen < sizeof tmp - 1 ? nlen : sizeof tmp - 1;
            memcpy(tmp, name, n);
            tmp[n] = '\0';
            return fail(err, errlen, "unknown option --%s", tsr_cfg_show(tmp, shown));
        }
        snprintf(who, sizeof who, "--%s", key(k)->flag);
        const char *value;
        if (eq != NULL)
            value = eq + 1;
        else if (key(k)->arg == NULL) /* a boolean: the flag alone turns it on */
            value = "true";
        else if (i + 1 < argc && argv[i + 1] != NULL && strncmp(argv[i + 1], "--", 2) != 0)
            value = argv[++i];
        else
            return fail(err, errlen, "%s: missing value", who);
        int rc = apply(l, k, value, who, err, errlen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int load_env(struct layer *l, tsr_getenv_fn getenv_fn, char *err, size_t errlen)
{
    for (int k = 0; k < TSR_SK_COUNT; k++) {
        const char *v = getenv_fn(key(k)->env);
        if (v == NULL || v[0] == '\0') /* empty counts as unset */
            continue;
        int rc = apply(l, k, v, key(k)->env, err, errlen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* Parses one non-blank, non-comment line of the config file. */
static int file_line(struct layer *l, int lines[TSR_SK_COUNT], const char *path, int lineno,
                     char *p, char *err, size_t errlen)
{
    char shown[64];
    char who[WHO_LEN];

    /* " #" starts a trailing comment. */
    for (char *c = p + 1; *c != '\0'; c++) {
        if (*c == '#' && (c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            break;
        }
    }
    char *eq = strchr(p, '=');
    if (eq == NULL)
        return fail(err, errlen, "%s:%d: expected \"key = value\"", path, lineno);
    *eq = '\0';
    char *name = trim(p);
    char *value = trim(eq + 1);
    size_t vlen = strlen(value);
    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
        value[vlen - 1] = '\0';
        value++;
    }
    int k = tsr_setting_key_find_file(name);
    if (k < 0)
        return fail(err, errlen, "%s:%d: unknown key \"%s\"", path, lineno,
                    tsr_cfg_show(name, shown));
    snprintf(who, sizeof who, "%s:%d %s", path, lineno, name);
    if (lines[k] != 0)
        return fail(err, errlen, "%s: already set on line %d", who, lines[k]);
    lines[k] = lineno;
    if (value[0] == '\0')
        return fail(err, errlen, "%s: missing value", who);
    return apply(l, k, value, who, err, errlen);
}

static int load_file(struct layer *l, const char *path, const char *source, char *err,
                     size_t errlen)
{
    int lines[TSR_SK_COUNT] = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    int rc = 0;

    FILE *f = fopen(path, "re");
    if (f == NULL)
        return fail(err, errlen, "%s: cannot read %s: %s", source, path, strerror(errno));
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n > MAX_LINE) {
            rc = fail(err, errlen, "%s:%d: line is too long (at most %d bytes)", path, lineno,
                      MAX_LINE);
            goto out;
        }
        if (strlen(line) != (size_t)n) {
            rc = fail(err, errlen, "%s:%d: line contains a NUL byte", path, lineno);
            goto out;
        }
        char *p = trim(line);
        if (*p == '\0' || *p == '#')
            continue;
        if ((rc = file_line(l, lines, path, lineno, p, err, errlen)) != 0)
            goto out;
    }
    if (ferror(f))
        rc = fail(err, errlen, "%s: cannot read %s: %s", source, path, strerror(errno));
out:
    free(line);
    fclose(f);
    return rc;
}

/* ---- merging --------------------------------------------------------------- */

static void copy_key(struct tsr_settings *dst, const struct tsr_settings *src, int k)
{
    switch (k) {
    case TSR_SK_LISTEN:
        memcpy(dst->listen_host, src->listen_host, sizeof dst->listen_host);
        dst->listen_port = src->listen_port;
        break;
    case TSR_SK_PUBLIC_URL:
        memcpy(dst->public_url, src->public_url, sizeof dst->public_url);
        break;
    case TSR_SK_DATA_DIR:
        memcpy(dst->data_dir, src->data_dir, sizeof dst->data_dir);
        break;
    case TSR_SK_LOG_LEVEL:
        dst->log_level = src->log_level;
        break;
    case TSR_SK_THREADS:
        dst->threads = src->threads;
        break;
    case TSR_SK_SMTP_URL:
        memcpy(dst->smtp_url, src->smtp_url, sizeof dst->smtp_url);
        break;
    case TSR_SK_SMTP_FROM:
        memcpy(dst->smtp_from, src->smtp_from, sizeof dst->smtp_from);
        break;
    case TSR_SK_TLS_CERT:
        memcpy(dst->tls_cert, src->tls_cert, sizeof dst->tls_cert);
        break;
    case TSR_SK_TLS_KEY:
        memcpy(dst->tls_key, src->tls_key, sizeof dst->tls_key);
        break;
    case TSR_SK_TRUST_PROXY:
        dst->trust_proxy = src->trust_proxy;
        break;
    case TSR_SK_MAX_CONNECTIONS:
        dst->max_connections = src->max_connections;
        break;
    case TSR_SK_MAX_CONNECTIONS_PER_IP:
        dst->max_connections_per_ip = src->max_connections_per_ip;
        break;
    case TSR_SK_HEADER_TIMEOUT:
        dst->header_timeout = src->header_timeout;
        break;
    case TSR_SK_BODY_MIN_RATE:
        dst->body_min_rate = src->body_min_rate;
        break;
    case TSR_SK_SMTP_ALLOW_PLAINTEXT:
        dst->smtp_allow_plaintext = src->smtp_allow_plaintext;
        break;
    case TSR_SK_CONFIG:
        memcpy(dst->config_path, src->config_path, sizeof dst->config_path);
        break;
    default:
        tsr_limits_copy(&dst->limits, &src->limits, (int)k - TSR_SK_LIMIT_FIRST);
        if (k == TSR_SK_LIMIT_FIRST + TSR_LK_TRUSTED_PROXIES)
            dst->trusted_proxies_set = true;
        break;
    }
}

void tsr_settings_defaults(struct tsr_settings *s)
{
    char why[TSR_CFG_WHY_LEN];
    memset(s, 0, sizeof *s);
    tsr_limits_defaults(&s->limits); /* the limits' keys, and the switches that are not keys */
    /* The unit tests parse every default of the table, so none fails here. */
    for (int k = 0; k < TSR_SK_LIMIT_FIRST; k++) {
        if (key(k)->def != NULL)
            (void)parse_value(s, k, key(k)->def, why);
    }
}

/* ---- TLS files ------------------------------------------------------------- */

/*
 * Checks that path is a readable regular file holding a PEM block whose
 * label ends with label_end ("CERTIFICATE", "PRIVATE KEY").
 */
static int check_pem(const char *path, const char *label_end, char *why)
{
    char buf[256];
    struct stat st;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return tsr_cfg_why(why, "cannot read %.200s: %s", path, strerror(errno));
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return tsr_cfg_why(why, "%.200s is not a regular file", path);
    }
    int found = 0;
    while (!found && fgets(buf, sizeof buf, f) != NULL) {
        if (strncmp(buf, "-----BEGIN ", 11) != 0)
            continue;
        char *end = strstr(buf + 11, "-----");
        size_t llen = strlen(label_end);
        found = end != NULL && (size_t)(end - (buf + 11)) >= llen &&
                memcmp(end - llen, label_end, llen) == 0;
    }
    fclose(f);
    if (!found)
        return tsr_cfg_why(why, "%.200s holds no PEM \"%s\" block", path, label_end);
    return 0;
}

/* Names where key k came from, for messages. */
static void source_name(const struct layer layers[3], int k, const char *config_path, char *who,
                        size_t len)
{
    if (layers[0].set[k])
        snprintf(who, len, "--%s", key(k)->flag);
    else if (layers[1].set[k])
        snprintf(who, len, "%s", key(k)->env);
    else
        snprintf(who, len, "%.900s: %s", config_path, key(k)->file);
}

static int check_tls(const struct tsr_settings *s, const struct layer layers[3], char *err,
                     size_t errlen)
{
    char who[WHO_LEN];
    char why[TSR_CFG_WHY_LEN];
    if (s->tls_cert[0] == '\0' && s->tls_key[0] == '\0')
        return 0;
    if (s->tls_key[0] == '\0') {
        source_name(layers, TSR_SK_TLS_CERT, s->config_path, who, sizeof who);
        return fail(err, errlen, "%s: needs --tls-key as well (both or neither)", who);
    }
    if (s->tls_cert[0] == '\0') {
        source_name(layers, TSR_SK_TLS_KEY, s->config_path, who, sizeof who);
        return fail(err, errlen, "%s: needs --tls-cert as well (both or neither)", who);
    }
    if (check_pem(s->tls_cert, "CERTIFICATE", why) != 0) {
        source_name(layers, TSR_SK_TLS_CERT, s->config_path, who, sizeof who);
        return fail(err, errlen, "%s: %s", who, why);
    }
    if (check_pem(s->tls_key, "PRIVATE KEY", why) != 0) {
        source_name(layers, TSR_SK_TLS_KEY, s->config_path, who, sizeof who);
        return fail(err, errlen, "%s: %s", who, why);
    }
    return 0;
}

size_t tsr_settings_warnings(const struct tsr_settings *s, char out[][TSR_SETTINGS_WARN_LEN],
                             size_t max)
{
    size_t n = 0;
    struct stat st;
    if (n < max && s->tls_key[0] != '\0' && stat(s->tls_key, &st) == 0 &&
        (st.st_mode & S_IROTH) != 0)
        snprintf(out[n++], TSR_SETTINGS_WARN_LEN,
                 "--tls-key: %.150s is readable by every user; chmod 600 it", s->tls_key);
    if (n < max && s->tls_cert[0] != '\0' && strncmp(s->public_url, "https://", 8) != 0)
        snprintf(out[n++], TSR_SETTINGS_WARN_LEN,
                 "--public-url: %.150s is not https:// although HTTPS is on; issuer and "
                 "links will say http",
                 s->public_url);
    if (n < max && s->trusted_proxies_set && !s->trust_proxy)
        snprintf(out[n++], TSR_SETTINGS_WARN_LEN,
                 "--trusted-proxies: ignored without --trust-proxy; X-Forwarded-* headers "
                 "are not honoured");
    return n;
}

static const char *system_getenv(const char *name)
{
    return getenv(name);
}

int tsr_settings_load(struct tsr_settings *s, int argc, char **argv, tsr_getenv_fn getenv_fn,
                      char *err, size_t errlen)
{
    struct layer layers[3]; /* flags, environment, file */
    int rc;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (s == NULL || argc < 0 || (argc > 0 && argv == NULL))
        return fail(err, errlen, "invalid arguments");
    tsr_settings_defaults(s);
    if (getenv_fn == NULL)
        getenv_fn = system_getenv;
    memset(layers, 0, sizeof layers);

    if ((rc = load_flags(&layers[0], argc, argv, err, errlen)) != 0)
        goto out;
    if ((rc = load_env(&layers[1], getenv_fn, err, errlen)) != 0)
        goto out;
    for (int i = 0; i < 2; i++) {
        if (layers[i].set[TSR_SK_CONFIG]) {
            rc = load_file(&layers[2], layers[i].v.config_path,
                           i == 0 ? "--config" : key(TSR_SK_CONFIG)->env, err, errlen);
            if (rc != 0)
                goto out;
            break;
        }
    }

    struct tsr_settings merged;
    tsr_settings_defaults(&merged);
    for (int k = 0; k < TSR_SK_COUNT; k++) {
        for (int i = 0; i < 3; i++) {
            if (layers[i].set[k]) {
                copy_key(&merged, &layers[i].v, k);
                break;
            }
        }
    }
    if ((rc = check_tls(&merged, layers, err, errlen)) != 0)
        goto out;
    *s = merged;
out:
    return rc;
}
