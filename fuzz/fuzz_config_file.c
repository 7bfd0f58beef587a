/*
 * fuzz_config_file.c - the config file (tessera.conf, read with --config):
 * its "key = value" lines, comments, quoting, and every setting's value
 * parser (listen address, public URL, paths, numbers, SMTP, limits,
 * proxies), through tsr_settings_load as `tessera serve --config FILE`
 * reads it.
 *
 * Input: the file's bytes.
 * Invariants:
 *  - the answer is 0 or TSR_EINVAL, with a non-empty message on error;
 *  - on 0 every string setting is terminated inside its buffer, the public
 *    URL is normalised (parsing it again gives it back, ending in '/'),
 *    the port is set and warnings fit their lines;
 *  - loading the same file twice gives the same settings.
 */
#include <string.h>
#include <unistd.h>

#include "config/settings.h"
#include "config/values.h"
#include "fuzz.h"
#include "util/err.h"

static char path[] = "/tmp/tessera-fuzz-config-XXXXXX";
static int fd = -1;

static void remove_file(void)
{
    unlink(path);
}

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

static int load(struct tsr_settings *s, char *err, size_t errlen)
{
    char *argv[] = {"--config", path};
    return tsr_settings_load(s, 2, argv, no_env, err, errlen);
}

#define TERMINATED(field) FUZZ_CHECK(strnlen((field), sizeof(field)) < sizeof(field))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        fd = mkstemp(path);
        FUZZ_CHECK(fd >= 0);
        atexit(remove_file);
    }
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

    static struct tsr_settings s, again;
    char err[512];
    int rc = load(&s, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == TSR_EINVAL);
    if (rc != 0) {
        FUZZ_CHECK(err[0] != '\0' && strlen(err) < sizeof err);
        return 0;
    }
    TERMINATED(s.listen_host);
    TERMINATED(s.public_url);
    TERMINATED(s.data_dir);
    TERMINATED(s.config_path);
    TERMINATED(s.smtp_url);
    TERMINATED(s.smtp_from);
    TERMINATED(s.tls_cert);
    TERMINATED(s.tls_key);
    FUZZ_CHECK(s.listen_port != 0);
    FUZZ_CHECK((s.tls_cert[0] == '\0') == (s.tls_key[0] == '\0'));
    if (s.public_url[0] != '\0') {
        size_t n = strlen(s.public_url);
        FUZZ_CHECK(s.public_url[n - 1] == '/');
        char why[256];
        FUZZ_CHECK(tsr_cfg_parse_public_url(s.public_url, &again, why) == 0);
        FUZZ_CHECK(strcmp(again.public_url, s.public_url) == 0);
    }
    char warn[4][TSR_SETTINGS_WARN_LEN];
    size_t nw = tsr_settings_warnings(&s, warn, 4);
    FUZZ_CHECK(nw <= 4);
    for (size_t i = 0; i < nw; i++)
        FUZZ_CHECK(strnlen(warn[i], sizeof warn[i]) < sizeof warn[i]);

    FUZZ_CHECK(load(&again, err, sizeof err) == 0);
    FUZZ_CHECK(strcmp(again.listen_host, s.listen_host) == 0 &&
               again.listen_port == s.listen_port);
    FUZZ_CHECK(strcmp(again.public_url, s.public_url) == 0);
    FUZZ_CHECK(strcmp(again.data_dir, s.data_dir) == 0);
    FUZZ_CHECK(strcmp(again.smtp_url, s.smtp_url) == 0);
    FUZZ_CHECK(strcmp(again.smtp_from, s.smtp_from) == 0);
    FUZZ_CHECK(again.threads == s.threads && again.log_level == s.log_level);
    return 0;
}
