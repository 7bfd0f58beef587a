#include "core/masterkey.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/b64url.h"
#include "util/err.h"
#include "util/secure.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define SEALED_MAX (64 * 1024)

static int parse_hex_key(const char *s, uint8_t key[TSR_MASTER_KEY_LEN])
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    if (len != 2 * TSR_MASTER_KEY_LEN)
        return TSR_EFORMAT;
    for (size_t i = 0; i < TSR_MASTER_KEY_LEN; i++) {
        unsigned v;
        char pair[3] = {s[2 * i], s[2 * i + 1], '\0'};
        char *end;
        if (!isxdigit((unsigned char)pair[0]) || !isxdigit((unsigned char)pair[1]))
            return TSR_EFORMAT;
        v = (unsigned)strtoul(pair, &end, 16);
        key[i] = (uint8_t)v;
    }
    return 0;
}

static int read_key_file(const char *path, uint8_t key[TSR_MASTER_KEY_LEN], char *err,
                         size_t errlen)
{
    char buf[128] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "master key: cannot open %s: %s", path, strerror(errno));
        return TSR_EIO;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    int rc = n > 0 ? parse_hex_key(buf, key) : TSR_EFORMAT;
    tsr_wipe(buf, sizeof buf);
    if (rc != 0)
        snprintf(err, errlen, "master key: %s must hold 64 hexadecimal characters", path);
    return rc == 0 ? 0 : TSR_EMASTERKEY;
}

static int write_key_file(const char *path, const uint8_t key[TSR_MASTER_KEY_LEN], char *err,
                          size_t errlen)
{
    static const char hex[] = "0123456789abcdef";
    char buf[2 * TSR_MASTER_KEY_LEN + 1];
    for (size_t i = 0; i < TSR_MASTER_KEY_LEN; i++) {
        buf[2 * i] = hex[key[i] >> 4];
        buf[2 * i + 1] = hex[key[i] & 15];
    }
    buf[2 * TSR_MASTER_KEY_LEN] = '\n';
    /* O_EXCL: never overwrite a key that protects existing data. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "master key: cannot create %s: %s", path, strerror(errno));
        tsr_wipe(buf, sizeof buf);
        return TSR_EIO;
    }
    ssize_t w = write(fd, buf, sizeof buf);
    int ok = w == (ssize_t)sizeof buf && fsync(fd) == 0;
    close(fd);
    tsr_wipe(buf, sizeof buf);
    if (!ok) {
        unlink(path);
        snprintf(err, errlen, "master key: cannot write %s", path);
        return TSR_EIO;
    }
    return 0;
}

int tsr_masterkey_load(const char *data_dir, tsr_getenv_fn getenv_fn, bool may_create,
                       uint8_t key[TSR_MASTER_KEY_LEN], bool *created, char *err, size_t errlen)
{
    if (created != NULL)
        *created = false;
    const char *env = (getenv_fn ? getenv_fn : (tsr_getenv_fn)getenv)("TESSERA_MASTER_KEY");
    if (env != NULL && env[0] != '\0') {
        if (parse_hex_key(env, key) != 0) {
            snprintf(err, errlen,
                     "TESSERA_MASTER_KEY: must be 64 hexadecimal characters "
                     "(32 bytes), e.g. from `openssl rand -hex 32`");
            return TSR_EMASTERKEY;
        }
        return 0;
    }
    char path[TSR_SETTINGS_MAX_PATH + 16];
    snprintf(path, sizeof path, "%s/master.key", data_dir);
    if (access(path, F_OK) == 0)
        return read_key_file(path, key, err, errlen);
    if (!may_create) {
        snprintf(err, errlen,
                 "master key missing: the database holds encrypted keys but neither "
                 "TESSERA_MASTER_KEY nor %s is present",
                 path);
        return TSR_EMASTERKEY;
    }
    int rc = tsr_random_bytes(key, TSR_MASTER_KEY_LEN);
    if (rc == 0)
        rc = write_key_file(path, key, err, errlen);
    if (rc == 0 && created != NULL)
        *created = true;
    return rc;
}

int tsr_seal(const uint8_t key[TSR_MASTER_KEY_LEN], const char *context, const uint8_t *data,
             size_t len, char **out)
{
    *out = NULL;
    if (len > SEALED_MAX)
        return TSR_ETOOBIG;
    int rc = TSR_ECRYPTO, outl = 0, fin = 0;
    size_t total = NONCE_LEN + len + TAG_LEN;
    uint8_t *buf = malloc(total);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (buf == NULL || ctx == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    if (tsr_random_bytes(buf, NONCE_LEN) != 0)
        goto out;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf) != 1 ||
        EVP_EncryptUpdate(ctx, NULL, &outl, (const uint8_t *)context, (int)strlen(context)) != 1 ||
        EVP_EncryptUpdate(ctx, buf + NONCE_LEN, &outl, data, (int)len) != 1 ||
        EVP_EncryptFinal_ex(ctx, buf + NONCE_LEN + outl, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + NONCE_LEN + len) != 1)
        goto out;
    *out = tsr_b64url_encode_alloc(buf, total);
    rc = *out ? 0 : TSR_ENOMEM;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (buf != NULL) {
        tsr_wipe(buf, total);
        free(buf);
    }
    return rc;
}

int tsr_unseal(const uint8_t key[TSR_MASTER_KEY_LEN], const char *context, const char *sealed,
               uint8_t **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    uint8_t *raw = NULL, *plain = NULL;
    size_t rawlen = 0, len = 0;
    int rc = tsr_b64url_decode_alloc(sealed, strlen(sealed), &raw, &rawlen);
    EVP_CIPHER_CTX *ctx = NULL;
    int outl = 0, fin = 0;
    if (rc != 0)
        return TSR_EFORMAT;
    if (rawlen < NONCE_LEN + TAG_LEN) {
        rc = TSR_EFORMAT;
        goto out;
    }
    len = rawlen - NONCE_LEN - TAG_LEN;
    plain = malloc(len + 1);
    ctx = EVP_CIPHER_CTX_new();
    if (plain == NULL || ctx == NULL) {
        rc = TSR_ENOMEM;
        goto out;
    }
    rc = TSR_EMASTERKEY;
    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw) != 1 ||
        EVP_DecryptUpdate(ctx, NULL, &outl, (const uint8_t *)context, (int)strlen(context)) != 1 ||
        EVP_DecryptUpdate(ctx, plain, &outl, raw + NONCE_LEN, (int)len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, raw + NONCE_LEN + len) != 1 ||
        EVP_DecryptFinal_ex(ctx, plain + outl, &fin) != 1)
        goto out;
    plain[len] = '\0';
    *out = plain;
    *outlen = len;
    plain = NULL;
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    if (plain != NULL) {
        tsr_wipe(plain, len + 1);
        free(plain);
    }
    tsr_wipe(raw, rawlen);
    free(raw);
    return rc;
}
