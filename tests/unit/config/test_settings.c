/*
 * test_settings.c - settings from flags, environment and config file:
 * defaults, precedence, validation messages and URL normalisation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/settings.h"
#include "util/err.h"

/* ---- a fake environment ---------------------------------------------------- */

#define MAX_ENV 8
static const char *env_names[MAX_ENV];
static const char *env_values[MAX_ENV];

static const char *fake_getenv(const char *name)
{
    for (int i = 0; i < MAX_ENV && env_names[i] != NULL; i++) {
        if (strcmp(env_names[i], name) == 0)
            return env_values[i];
    }
    return NULL;
}

static void env_set(const char *name, const char *value)
{
    int i = 0;
    while (i < MAX_ENV - 1 && env_names[i] != NULL && strcmp(env_names[i], name) != 0)
        i++;
    env_names[i] = name;
    env_values[i] = value;
}

static int reset_env(void **state)
{
    (void)state;
    memset(env_names, 0, sizeof env_names);
    memset(env_values, 0, sizeof env_values);
    return 0;
}

/* Loads from a NULL-terminated list of arguments. */
static int load_args(struct tsr_settings *s, char *err, size_t errlen, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, errlen);
    for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 32;)
        argv[argc++] = a;
    va_end(ap);
    return tsr_settings_load(s, argc, argv, fake_getenv, err, errlen);
}

/* ---- config files ------------------------------------------------------------ */

static char conf_path[600];

static const char *write_conf(const char *text)
{
    const char *base = getenv("TSR_TEST_TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    mkdir(base, 0700);
    snprintf(conf_path, sizeof conf_path, "%s/tsr-settings-XXXXXX", base);
    int fd = mkstemp(conf_path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return conf_path;
}

static void remove_conf(void)
{
    assert_int_equal(unlink(conf_path), 0);
}

/* Expects TSR_EINVAL with every needle in the one-line message. */
static void expect_error(int rc, const char *err, const char *needle1, const char *needle2)
{
    assert_int_equal(rc, TSR_EINVAL);
    assert_null(strchr(err, '\n'));
    if (strstr(err, needle1) == NULL || (needle2 != NULL && strstr(err, needle2) == NULL))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", err, needle1, needle2 ? needle2 : "");
}

/* ---- defaults and sources ------------------------------------------------------ */

static void test_defaults(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256] = "x";
    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_string_equal(err, "");
    assert_string_equal(s.listen_host, "127.0.0.1");
    assert_int_equal(s.listen_port, 8080);
    assert_string_equal(s.public_url, "http://localhost:8080/");
    assert_string_equal(s.data_dir, "./data");
    assert_string_equal(s.config_path, "");
    assert_int_equal(s.log_level, TSR_LOG_INFO);
    assert_int_equal(s.threads, 0);

    struct tsr_settings d;
    tsr_settings_defaults(&d);
    assert_memory_equal(&d, &s, sizeof d);
}

static void test_flag_forms(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];

    assert_int_equal(load_args(&s, err, sizeof err, "--listen", "0.0.0.0:9000", "--public-url",
                               "https://id.example.com/dev", "--data-dir", "/var/lib/tessera/",
                               "--log-level", "debug", "--threads", "16", NULL),
                     0);
    assert_string_equal(s.listen_host, "0.0.0.0");
    assert_int_equal(s.listen_port, 9000);
    assert_string_equal(s.public_url, "https://id.example.com/dev/");
    assert_string_equal(s.data_dir, "/var/lib/tessera");
    assert_int_equal(s.log_level, TSR_LOG_DEBUG);
    assert_int_equal(s.threads, 16);

    assert_int_equal(load_args(&s, err, sizeof err, "--listen=[::1]:9001",
                               "--public-url=http://LOCALHOST:8080", "--data-dir=data",
                               "--log-level=WARN", "--threads=256", NULL),
                     0);
    assert_string_equal(s.listen_host, "::1");
    assert_int_equal(s.listen_port, 9001);
    assert_string_equal(s.public_url, "http://localhost:8080/");
    assert_string_equal(s.data_dir, "data");
    assert_int_equal(s.log_level, TSR_LOG_WARN);
    assert_int_equal(s.threads, 256);

    /* The last of a repeated flag wins. */
    assert_int_equal(load_args(&s, err, sizeof err, "--threads=1", "--threads", "2", NULL), 0);
    assert_int_equal(s.threads, 2);
}

static void test_public_url_normalisation(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"http://LOCALHOST:8080", "http://localhost:8080/"},
        {"https://id.example.com/dev", "https://id.example.com/dev/"},
        {"HTTPS://Id.Example.COM/Dev///", "https://id.example.com/Dev/"},
        {"https://id.example.com:443/", "https://id.example.com/"},
        {"http://id.example.com:80", "http://id.example.com/"},
        {"https://id.example.com:8443/a/b%20c/", "https://id.example.com:8443/a/b%20c/"},
        {"http://[::1]:8080/", "http://[::1]:8080/"},
        {"http://[FE80::1]", "http://[fe80::1]/"},
        {"http://127.0.0.1:08080", "http://127.0.0.1:8080/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_settings s;
        char err[256];
        char flag[600];
        snprintf(flag, sizeof flag, "--public-url=%s", cases[i].in);
        int rc = load_args(&s, err, sizeof err, flag, NULL);
        if (rc != 0)
            fail_msg("%s: %s", cases[i].in, err);
        assert_string_equal(s.public_url, cases[i].out);
    }
}

static void test_env(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];

    env_set("TESSERA_LISTEN", "localhost:7000");
    env_set("TESSERA_PUBLIC_URL", "https://auth.example.org");
    env_set("TESSERA_DATA_DIR", "/srv/tessera");
    env_set("TESSERA_LOG_LEVEL", "error");
    env_set("TESSERA_THREADS", "3");
    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_string_equal(s.listen_host, "localhost");
    assert_int_equal(s.listen_port, 7000);
    assert_string_equal(s.public_url, "https://auth.example.org/");
    assert_string_equal(s.data_dir, "/srv/tessera");
    assert_int_equal(s.log_level, TSR_LOG_ERROR);
    assert_int_equal(s.threads, 3);

    /* Flags beat the environment, key by key. */
    assert_int_equal(load_args(&s, err, sizeof err, "--listen", "0.0.0.0:1", "--threads=9", NULL),
                     0);
    assert_string_equal(s.listen_host, "0.0.0.0");
    assert_int_equal(s.listen_port, 1);
    assert_int_equal(s.threads, 9);
    assert_string_equal(s.data_dir, "/srv/tessera");

    /* An empty variable counts as unset. */
    env_set("TESSERA_THREADS", "");
    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_int_equal(s.threads, 0);
}

static void test_config_file(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];
    const char *path = write_conf("# Tessera settings\n"
                                  "\n"
                                  "listen = 10.0.0.1:8443\n"
                                  "  public-url=https://Login.Example.com/t1   # trailing comment\n"
                                  "data-dir = \"/data dir\"\n"
                                  "log-level = warn\r\n"
                                  "threads = 4\n");

    assert_int_equal(load_args(&s, err, sizeof err, "--config", path, NULL), 0);
    assert_string_equal(s.config_path, path);
    assert_string_equal(s.listen_host, "10.0.0.1");
    assert_int_equal(s.listen_port, 8443);
    assert_string_equal(s.public_url, "https://login.example.com/t1/");
    assert_string_equal(s.data_dir, "/data dir");
    assert_int_equal(s.log_level, TSR_LOG_WARN);
    assert_int_equal(s.threads, 4);

    /* Named by the environment; environment and flags beat the file. */
    env_set("TESSERA_CONFIG", path);
    env_set("TESSERA_THREADS", "5");
    assert_int_equal(load_args(&s, err, sizeof err, "--log-level", "debug", NULL), 0);
    assert_string_equal(s.config_path, path);
    assert_int_equal(s.threads, 5);
    assert_int_equal(s.log_level, TSR_LOG_DEBUG);
    assert_int_equal(s.listen_port, 8443);
    remove_conf();

    /* A missing file is an error naming where its path came from. */
    int rc = load_args(&s, err, sizeof err, NULL);
    expect_error(rc, err, "TESSERA_CONFIG: cannot read ", path);
    rc = load_args(&s, err, sizeof err, "--config=/nonexistent/tessera.conf", NULL);
    expect_error(rc, err, "--config: cannot read /nonexistent/tessera.conf", NULL);
}

static void test_config_file_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *needle1, *needle2;
    } cases[] = {
        {"listen = 1.2.3.4:80\nbogus = 1\n", ":2: unknown key \"bogus\"", NULL},
        {"config = /etc/x\n", ":1: unknown key \"config\"", NULL},
        {"# c\nlisten 1.2.3.4:80\n", ":2: expected \"key = value\"", NULL},
        {"\n\nthreads = 999\n", ":3 threads: expected a number from 0 to 256, got \"999\"", NULL},
        {"listen = 1.2.3.4:80\nlisten = 1.2.3.4:81\n", ":2 listen: already set on line 1", NULL},
        {"public-url =\n", ":1 public-url: missing value", NULL},
        {"public-url = ftp://x/\n", ":1 public-url: must start with http:// or https://", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_settings s;
        char err[1200];
        const char *path = write_conf(cases[i].text);
        int rc = load_args(&s, err, sizeof err, "--config", path, NULL);
        expect_error(rc, err, cases[i].needle1, cases[i].needle2);
        assert_non_null(strstr(err, path)); /* names the file */
        remove_conf();
    }
}

/* ---- errors ------------------------------------------------------------------- */

static void test_flag_errors(void **state)
{
    (void)state;
    char long_url[700];
    memcpy(long_url, "--public-url=https://id.example.com/", 36);
    memset(long_url + 36, 'a', 600);
    long_url[636] = '\0';

    const struct {
        const char *arg1, *arg2, *needle1, *needle2;
    } cases[] = {
        {"--listen", "localhost", "--listen: expected HOST:PORT, got \"localhost\"", NULL},
        {"--listen=:8080", NULL, "--listen: host is missing", NULL},
        {"--listen=::1:8080", NULL, "--listen: IPv6 addresses must be in brackets", NULL},
        {"--listen=[::1]", NULL, "--listen: port is missing", NULL},
        {"--listen=[zz]:80", NULL, "--listen: \"zz\" is not an IPv6 address", NULL},
        {"--listen=h/st:80", NULL, "--listen: host contains '/'", NULL},
        {"--listen=host:99999", NULL, "--listen: port 99999 is out of range (1-65535)", NULL},
        {"--listen=host:0", NULL, "--listen: port 0 is out of range (1-65535)", NULL},
        {"--listen=host:http", NULL, "--listen: port \"http\" is not a number", NULL},
        {"--listen=host:", NULL, "--listen: port is missing", NULL},
        {"--public-url=ftp://id.example.com/", NULL,
         "--public-url: must start with http:// or https://", NULL},
        {"--public-url=id.example.com", NULL, "--public-url: must start with http://", NULL},
        {"--public-url=https://", NULL, "--public-url: has no host", NULL},
        {"--public-url=https:///path", NULL, "--public-url: has no host", NULL},
        {"--public-url=http://:8080/", NULL, "--public-url: has no host", NULL},
        {"--public-url=https://id.example.com/?a=b", NULL, "--public-url: must not contain a query",
         NULL},
        {"--public-url=https://id.example.com/#frag", NULL,
         "--public-url: must not contain a fragment", NULL},
        {"--public-url=https://user:pw@id.example.com/", NULL,
         "--public-url: must not contain a user name or password", NULL},
        {"--public-url=https://id.example.com/a b", NULL, "--public-url: must not contain spaces",
         NULL},
        {"--public-url= https://id.example.com/", NULL, "--public-url: must not contain spaces",
         NULL},
        {"--public-url=https://id.example.com:70000/", NULL,
         "--public-url: port 70000 is out of range (1-65535)", NULL},
        {"--public-url=https://id.example.com/a/../b", NULL, "--public-url: path must not contain",
         NULL},
        {"--public-url=https://id.example.com/a<b", NULL, "--public-url: path contains '<'", NULL},
        {"--public-url=https://id.example.com/%zz", NULL, "--public-url: path has a '%'", NULL},
        {"--log-level", "verbose",
         "--log-level: expected debug, info, warn or error, got \"verbose\"", NULL},
        {"--threads", "x", "--threads: expected a number from 0 to 256, got \"x\"", NULL},
        {"--threads=257", NULL, "--threads: expected a number from 0 to 256, got \"257\"", NULL},
        {"--threads=-1", NULL, "--threads: expected a number from 0 to 256, got \"-1\"", NULL},
        {"--threads=", NULL, "--threads: expected a number from 0 to 256, got \"\"", NULL},
        {"--data-dir=", NULL, "--data-dir: must not be empty", NULL},
        {"--foo", NULL, "unknown option --foo", NULL},
        {"--foo=bar", NULL, "unknown option --foo", NULL},
        {"-v", NULL, "unknown option -v", NULL},
        {"serve", NULL, "unexpected argument \"serve\"", NULL},
        {"--listen", NULL, "--listen: missing value", NULL},
        {"--listen", "--threads=1", "--listen: missing value", NULL},
        {long_url, NULL, "--public-url: is too long (at most 511 characters)", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_settings s;
        char err[256] = "";
        int rc = load_args(&s, err, sizeof err, cases[i].arg1, cases[i].arg2, NULL);
        expect_error(rc, err, cases[i].needle1, cases[i].needle2);
        /* On error the output holds the defaults, never half-parsed values. */
        assert_int_equal(s.listen_port, 8080);
    }
}

static void test_env_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name, *value, *needle;
    } cases[] = {
        {"TESSERA_PUBLIC_URL", "ftp://x",
         "TESSERA_PUBLIC_URL: must start with http:// or https://"},
        {"TESSERA_LISTEN", "1.2.3.4:65536", "TESSERA_LISTEN: port 65536 is out of range"},
        {"TESSERA_THREADS", "many",
         "TESSERA_THREADS: expected a number from 0 to 256, got \"many\""},
        {"TESSERA_LOG_LEVEL", "loud\n",
         "TESSERA_LOG_LEVEL: expected debug, info, warn or error, got \"loud?\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tsr_settings s;
        char err[256];
        reset_env(NULL);
        env_set(cases[i].name, cases[i].value);
        int rc = load_args(&s, err, sizeof err, NULL);
        expect_error(rc, err, cases[i].needle, NULL);
    }
    /* A bad value is reported even when a flag overrides it. */
    struct tsr_settings s;
    char err[256];
    reset_env(NULL);
    env_set("TESSERA_THREADS", "x");
    int rc = load_args(&s, err, sizeof err, "--threads=2", NULL);
    expect_error(rc, err, "TESSERA_THREADS:", NULL);

    /* A short error buffer truncates; a NULL one is allowed. */
    char small[8];
    rc = load_args(&s, small, sizeof small, "--bogus", NULL);
    assert_int_equal(rc, TSR_EINVAL);
    assert_int_equal(strlen(small), 7);
    assert_int_equal(load_args(&s, NULL, 0, "--bogus", NULL), TSR_EINVAL);
}

static void test_smtp(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];

    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_string_equal(s.smtp_url, "");
    assert_string_equal(s.smtp_from, "Tessera <no-reply@localhost>");

    env_set("TESSERA_SMTP_URL", "smtps://mailer:pw@mail.example.com:465");
    env_set("TESSERA_SMTP_FROM", "Example Login <login@example.com>");
    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_string_equal(s.smtp_url, "smtps://mailer:pw@mail.example.com:465");
    assert_string_equal(s.smtp_from, "Example Login <login@example.com>");

    assert_int_equal(load_args(&s, err, sizeof err, "--smtp-url", "smtp://localhost:1025",
                               "--smtp-from=no-reply@example.com", NULL),
                     0);
    assert_string_equal(s.smtp_url, "smtp://localhost:1025");
    assert_string_equal(s.smtp_from, "no-reply@example.com");

    const char *conf = write_conf("smtp-url = smtp://relay.internal\nsmtp-from = a@b.c\n");
    reset_env(NULL);
    assert_int_equal(load_args(&s, err, sizeof err, "--config", conf, NULL), 0);
    remove_conf();
    assert_string_equal(s.smtp_url, "smtp://relay.internal");
    assert_string_equal(s.smtp_from, "a@b.c");

    expect_error(load_args(&s, err, sizeof err, "--smtp-url", "http://mail.example.com", NULL),
                 err, "--smtp-url", "smtp:// or smtps://");
    expect_error(load_args(&s, err, sizeof err, "--smtp-url", "smtp://", NULL), err,
                 "--smtp-url", "no host");
    expect_error(load_args(&s, err, sizeof err, "--smtp-url", "smtp://a b", NULL), err,
                 "--smtp-url", "spaces");
    expect_error(load_args(&s, err, sizeof err, "--smtp-from", "nobody", NULL), err,
                 "--smtp-from", "expected an address");
    expect_error(load_args(&s, err, sizeof err, "--smtp-from", "a@b.c\r\nBcc: x@y.z", NULL), err,
                 "--smtp-from", "control characters");
    expect_error(load_args(&s, err, sizeof err, "--smtp-from", "Name <a@b.c", NULL), err,
                 "--smtp-from", "expected an address");
    env_set("TESSERA_SMTP_FROM", "two@at@signs");
    expect_error(load_args(&s, err, sizeof err, NULL), err, "TESSERA_SMTP_FROM",
                 "expected an address");
}

/* ---- TLS and --trust-proxy ------------------------------------------------------ */

static char tls_dir[600];
static char cert_path[700];
static char key_path[700];

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void make_tls_files(void)
{
    const char *base = getenv("TSR_TEST_TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    mkdir(base, 0700);
    snprintf(tls_dir, sizeof tls_dir, "%s/tsr-tls-XXXXXX", base);
    assert_non_null(mkdtemp(tls_dir));
    snprintf(cert_path, sizeof cert_path, "%s/cert.pem", tls_dir);
    snprintf(key_path, sizeof key_path, "%s/key.pem", tls_dir);
    write_file(cert_path, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", 0644);
    write_file(key_path, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", 0600);
}

static void remove_tls_files(void)
{
    unlink(cert_path);
    unlink(key_path);
    rmdir(tls_dir);
}

static void test_tls(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[512];
    char warn[4][TSR_SETTINGS_WARN_LEN];
    make_tls_files();

    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_string_equal(s.tls_cert, "");
    assert_string_equal(s.tls_key, "");
    assert_int_equal(tsr_settings_warnings(&s, warn, 4), 0);

    assert_int_equal(load_args(&s, err, sizeof err, "--tls-cert", cert_path, "--tls-key",
                               key_path, "--public-url", "https://id.example.com", NULL),
                     0);
    assert_string_equal(s.tls_cert, cert_path);
    assert_string_equal(s.tls_key, key_path);
    assert_int_equal(tsr_settings_warnings(&s, warn, 4), 0);

    /* http:// public URL with TLS on, and a key every user can read: two warnings. */
    assert_int_equal(chmod(key_path, 0644), 0);
    env_set("TESSERA_TLS_CERT", cert_path);
    env_set("TESSERA_TLS_KEY", key_path);
    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_int_equal(tsr_settings_warnings(&s, warn, 4), 2);
    assert_non_null(strstr(warn[0], "--tls-key"));
    assert_non_null(strstr(warn[1], "not https://"));
    assert_int_equal(chmod(key_path, 0600), 0);

    char text[1600];
    snprintf(text, sizeof text, "tls-cert = %s\ntls-key = \"%s\"\n", cert_path, key_path);
    const char *conf = write_conf(text);
    reset_env(NULL);
    assert_int_equal(load_args(&s, err, sizeof err, "--config", conf, NULL), 0);
    assert_string_equal(s.tls_key, key_path);
    remove_conf();

    /* Both or neither, named by where each came from. */
    expect_error(load_args(&s, err, sizeof err, "--tls-cert", cert_path, NULL), err,
                 "--tls-cert", "both or neither");
    env_set("TESSERA_TLS_KEY", key_path);
    expect_error(load_args(&s, err, sizeof err, NULL), err, "TESSERA_TLS_KEY", "both or neither");
    reset_env(NULL);

    /* Unreadable, wrong content, a directory. */
    char missing[800];
    snprintf(missing, sizeof missing, "%s/nope.pem", tls_dir);
    expect_error(load_args(&s, err, sizeof err, "--tls-cert", missing, "--tls-key", key_path,
                           NULL),
                 err, "--tls-cert", "cannot read");
    expect_error(load_args(&s, err, sizeof err, "--tls-cert", key_path, "--tls-key", key_path,
                           NULL),
                 err, "--tls-cert", "no PEM \"CERTIFICATE\"");
    expect_error(load_args(&s, err, sizeof err, "--tls-cert", cert_path, "--tls-key", cert_path,
                           NULL),
                 err, "--tls-key", "no PEM \"PRIVATE KEY\"");
    expect_error(load_args(&s, err, sizeof err, "--tls-cert", tls_dir, "--tls-key", key_path,
                           NULL),
                 err, "--tls-cert", "not a regular file");
    expect_error(load_args(&s, err, sizeof err, "--tls-key", "", NULL), err, "--tls-key",
                 "must not be empty");
    remove_tls_files();
}

static void test_trust_proxy(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];

    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_false(s.trust_proxy);
    /* The flag alone turns it on and takes no value from the next argument. */
    assert_int_equal(load_args(&s, err, sizeof err, "--trust-proxy", "--threads", "2", NULL), 0);
    assert_true(s.trust_proxy);
    assert_int_equal(s.threads, 2);
    assert_int_equal(load_args(&s, err, sizeof err, "--trust-proxy=false", NULL), 0);
    assert_false(s.trust_proxy);
    expect_error(load_args(&s, err, sizeof err, "--trust-proxy", "yes", NULL), err,
                 "unexpected argument", "yes");

    env_set("TESSERA_TRUST_PROXY", "ON");
    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_true(s.trust_proxy);
    assert_int_equal(load_args(&s, err, sizeof err, "--trust-proxy=0", NULL), 0);
    assert_false(s.trust_proxy);
    env_set("TESSERA_TRUST_PROXY", "maybe");
    expect_error(load_args(&s, err, sizeof err, NULL), err, "TESSERA_TRUST_PROXY",
                 "expected true or false");
    reset_env(NULL);

    const char *conf = write_conf("trust-proxy = yes\n");
    assert_int_equal(load_args(&s, err, sizeof err, "--config", conf, NULL), 0);
    remove_conf();
    assert_true(s.trust_proxy);
}

static void test_connection_limits(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];

    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_int_equal(s.max_connections, 4096);
    assert_int_equal(s.max_connections_per_ip, 512);
    assert_int_equal(s.header_timeout, 20);
    assert_int_equal(s.body_min_rate, 1024);

    assert_int_equal(load_args(&s, err, sizeof err, "--max-connections=64",
                               "--max-connections-per-ip", "0", NULL),
                     0);
    assert_int_equal(s.max_connections, 64);
    assert_int_equal(s.max_connections_per_ip, 0);
    env_set("TESSERA_HEADER_TIMEOUT", "5");
    env_set("TESSERA_BODY_MIN_RATE", "100");
    env_set("TESSERA_MAX_CONNECTIONS", "1000");
    assert_int_equal(load_args(&s, err, sizeof err, "--max-connections=20", NULL), 0);
    assert_int_equal(s.header_timeout, 5);
    assert_int_equal(s.body_min_rate, 100);
    assert_int_equal(s.max_connections, 20);
    reset_env(NULL);

    const char *conf = write_conf("max-connections = 100\nmax-connections-per-ip = 10\n"
                                  "header-timeout = 30\nbody-min-rate = 500\n");
    assert_int_equal(load_args(&s, err, sizeof err, "--config", conf, NULL), 0);
    remove_conf();
    assert_int_equal(s.max_connections, 100);
    assert_int_equal(s.max_connections_per_ip, 10);
    assert_int_equal(s.header_timeout, 30);
    assert_int_equal(s.body_min_rate, 500);

    expect_error(load_args(&s, err, sizeof err, "--max-connections=15", NULL), err,
                 "--max-connections: expected a number from 16 to 1000000", "\"15\"");
    expect_error(load_args(&s, err, sizeof err, "--max-connections=99999999999", NULL), err,
                 "--max-connections: expected a number", NULL);
    expect_error(load_args(&s, err, sizeof err, "--header-timeout=0", NULL), err,
                 "--header-timeout: expected a number from 1 to 3600", NULL);
    expect_error(load_args(&s, err, sizeof err, "--header-timeout=3601", NULL), err,
                 "--header-timeout: expected a number from 1 to 3600", NULL);
    expect_error(load_args(&s, err, sizeof err, "--body-min-rate=0", NULL), err,
                 "--body-min-rate: expected a number from 1 to", NULL);
    expect_error(load_args(&s, err, sizeof err, "--max-connections-per-ip=-1", NULL), err,
                 "--max-connections-per-ip: expected a number from 0 to", NULL);
    env_set("TESSERA_HEADER_TIMEOUT", "2s");
    expect_error(load_args(&s, err, sizeof err, NULL), err, "TESSERA_HEADER_TIMEOUT", "got \"2s\"");
}

static void test_smtp_allow_plaintext(void **state)
{
    (void)state;
    struct tsr_settings s;
    char err[256];

    assert_int_equal(load_args(&s, err, sizeof err, "--smtp-url", "smtp://mail.example.com", NULL),
                     0);
    assert_false(s.smtp_allow_plaintext);
    assert_int_equal(load_args(&s, err, sizeof err, "--smtp-allow-plaintext", "--threads", "2",
                               NULL),
                     0);
    assert_true(s.smtp_allow_plaintext);
    env_set("TESSERA_SMTP_ALLOW_PLAINTEXT", "true");
    assert_int_equal(load_args(&s, err, sizeof err, NULL), 0);
    assert_true(s.smtp_allow_plaintext);
    assert_int_equal(load_args(&s, err, sizeof err, "--smtp-allow-plaintext=no", NULL), 0);
    assert_false(s.smtp_allow_plaintext);
    env_set("TESSERA_SMTP_ALLOW_PLAINTEXT", "sometimes");
    expect_error(load_args(&s, err, sizeof err, NULL), err, "TESSERA_SMTP_ALLOW_PLAINTEXT",
                 "expected true or false");
    reset_env(NULL);
    const char *conf = write_conf("smtp-allow-plaintext = on\n");
    assert_int_equal(load_args(&s, err, sizeof err, "--config", conf, NULL), 0);
    remove_conf();
    assert_true(s.smtp_allow_plaintext);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, reset_env),
        cmocka_unit_test_setup(test_smtp_allow_plaintext, reset_env),
        cmocka_unit_test_setup(test_flag_forms, reset_env),
        cmocka_unit_test_setup(test_public_url_normalisation, reset_env),
        cmocka_unit_test_setup(test_env, reset_env),
        cmocka_unit_test_setup(test_config_file, reset_env),
        cmocka_unit_test_setup(test_config_file_errors, reset_env),
        cmocka_unit_test_setup(test_flag_errors, reset_env),
        cmocka_unit_test_setup(test_env_errors, reset_env),
        cmocka_unit_test_setup(test_smtp, reset_env),
        cmocka_unit_test_setup(test_tls, reset_env),
        cmocka_unit_test_setup(test_trust_proxy, reset_env),
        cmocka_unit_test_setup(test_connection_limits, reset_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
