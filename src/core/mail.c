/*
 * mail.c - outgoing mail: address checks, building the message, the
 * transport rule for SMTP URLs, and the two destinations of a delivery
 * (an SMTP server through libcurl, loaded on first use, or the outbox
 * folder of a developer machine).  Queueing and the worker that calls tsr_mail_deliver are in
 * mail_queue.c.
 */
#include "core/mail.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "curldl/curldl.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"
#include "util/secure.h"

#define DEFAULT_FROM "Tessera <no-reply@localhost>"
#define SUBJECT_MAX 200
#define TEXT_MAX (64 * 1024)

bool tsr_mail_address_ok(const char *addr)
{
    if (addr == NULL)
        return false;
    size_t len = strlen(addr);
    const char *at = strchr(addr, '@');
    if (len < 3 || len > TSR_MAIL_ADDRESS_MAX || at == NULL || at == addr ||
        strchr(at + 1, '@') != NULL || at[1] == '\0')
        return false;
    for (const char *p = addr; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f || strchr("<>()[],;:\\\"", c) != NULL)
            return false;
    }
    const char *domain = at + 1;
    if (domain[0] == '.' || domain[strlen(domain) - 1] == '.' || strstr(domain, "..") != NULL)
        return false;
    return strchr(domain, '.') != NULL || strcmp(domain, "localhost") == 0;
}

/* The envelope address inside "Name <addr>", or the whole value. */
static void envelope_of(const char *from, char *out, size_t outlen)
{
    const char *lt = strchr(from, '<');
    const char *start = lt ? lt + 1 : from;
    size_t n = lt ? strcspn(start, ">") : strlen(start);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, start, n);
    out[n] = '\0';
}

/* A growing text buffer with a cap; once a write fails the buffer stays failed. */
struct msgbuf {
    char *p;
    size_t len, cap;
    bool failed;
};

static void put(struct msgbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *grown = realloc(b->p, cap);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct msgbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Body with every line ending in CRLF, as SMTP requires and mail readers accept. */
static void put_body(struct msgbuf *b, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            put(b, "\r", 1);
        put(b, p, 1);
    }
    if (b->len < 2 || memcmp(b->p + b->len - 2, "\r\n", 2) != 0)
        put(b, "\r\n", 2);
}

static int build_message(const char *from, const char *to, const char *subject,
                         const char *text, struct msgbuf *b)
{
    char date[64], id[25], envelope[TSR_MAIL_ADDRESS_MAX + 1];
    time_t now = (time_t)tsr_clock_now();
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL ||
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
        return TSR_EIO;
    if (tsr_random_alnum(id, 24) != 0)
        return TSR_ECRYPTO;
    envelope_of(from, envelope, sizeof envelope);
    const char *domain = strchr(envelope, '@');
    puts_(b, "From: ");
    puts_(b, from);
    puts_(b, "\r\nTo: ");
    puts_(b, to);
    puts_(b, "\r\nSubject: ");
    puts_(b, subject);
    puts_(b, "\r\nDate: ");
    puts_(b, date);
    puts_(b, "\r\nMessage-ID: <");
    puts_(b, id);
    puts_(b, domain ? domain : "@localhost");
    puts_(b, ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
             "Content-Transfer-Encoding: 8bit\r\n\r\n");
    put_body(b, text);
    return b->failed ? TSR_ENOMEM : 0;
}

int tsr_mail_build(const struct tsr_settings *s, const char *to, const char *subject,
                   const char *text, char **out, size_t *outlen)
{
    const char *from = s->smtp_from[0] ? s->smtp_from : DEFAULT_FROM;
    struct msgbuf b = {0};
    *out = NULL;
    *outlen = 0;
    if (!tsr_mail_address_ok(to) || subject == NULL || strpbrk(subject, "\r\n") != NULL ||
        strlen(subject) > SUBJECT_MAX || text == NULL || strlen(text) > TEXT_MAX)
        return TSR_EINVAL;
    int rc = build_message(from, to, subject, text, &b);
    if (rc != 0) {
        /* The message holds a password link: wipe it. */
        if (b.p != NULL)
            tsr_wipe(b.p, b.cap);
        free(b.p);
        return rc;
    }
    *out = b.p;
    *outlen = b.len;
    return 0;
}

/* ---- the outbox ---- */

static int write_outbox(const char *data_dir, const char *msg, size_t len)
{
    char dir[TSR_SETTINGS_MAX_PATH + 16], path[TSR_SETTINGS_MAX_PATH + 64], rnd[17];
    snprintf(dir, sizeof dir, "%s/outbox", data_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return TSR_EIO;
    if (tsr_random_alnum(rnd, 16) != 0)
        return TSR_ECRYPTO;
    snprintf(path, sizeof path, "%s/%lld-%s.eml", dir, (long long)tsr_clock_now(), rnd);
    /* O_EXCL: never write through a file or link someone else put there. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return TSR_EIO;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, msg + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int rc = (close(fd) == 0 && done == len) ? 0 : TSR_EIO;
    if (rc != 0) {
        unlink(path);
        return rc;
    }
    tsr_log(TSR_LOG_INFO, "mail written to the outbox (no SMTP server configured)",
            json_pack("{s:s}", "file", path));
    return 0;
}

/* ---- SMTP ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_status = CURLE_FAILED_INIT;

/* libcurl is loaded here, on the first SMTP use (src/curldl): a server that sends no mail never maps it. */
static void start_curl(void)
{
    const char *why = tsr_curldl_error();
    if (why != NULL) {
        tsr_log(TSR_LOG_ERROR, "cannot send mail: libcurl cannot be loaded (install libcurl4)",
                json_pack("{s:s}", "detail", why));
        return;
    }
    curl_status = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (curl_status != CURLE_OK)
        tsr_log(TSR_LOG_ERROR, "cannot send mail: libcurl did not initialise",
                json_pack("{s:s}", "error", curl_easy_strerror(curl_status)));
}

struct reader {
    const char *p;
    size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nitems, void *userdata)
{
    struct reader *r = userdata;
    size_t n = size * nitems < r->left ? size * nitems : r->left;
    memcpy(dst, r->p, n);
    r->p += n;
    r->left -= n;
    return n;
}

/* Abandons a transfer once the worker is told to stop. */
static int progress_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const atomic_bool *cancel = userdata;
    return cancel != NULL && atomic_load(cancel) ? 1 : 0;
}

static int send_smtp(const struct tsr_settings *s, const char *to, const char *msg, size_t len,
                     const atomic_bool *cancel)
{
    const char *from = s->smtp_from[0] ? s->smtp_from : DEFAULT_FROM;
    char envelope[TSR_MAIL_ADDRESS_MAX + 3], rcpt[TSR_MAIL_ADDRESS_MAX + 3];
    char addr[TSR_MAIL_ADDRESS_MAX + 1];
    struct curl_slist *rcpts = NULL;
    struct reader r = {msg, len};
    int rc = TSR_MAIL_RETRY;
    pthread_once(&curl_once, start_curl);
    if (curl_status != CURLE_OK)
        return TSR_MAIL_RETRY;
    CURL *c = curl_easy_init();
    if (c == NULL)
        return TSR_MAIL_RETRY;
    envelope_of(from, addr, sizeof addr);
    snprintf(envelope, sizeof envelope, "<%s>", addr);
    snprintf(rcpt, sizeof rcpt, "<%s>", to);
    if ((rcpts = curl_slist_append(NULL, rcpt)) == NULL)
        goto out;
    bool tls = tsr_mail_tls_required(s->smtp_url, s->smtp_allow_plaintext);
    curl_easy_setopt(c, CURLOPT_URL, s->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, envelope);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &r);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    /*
     * smtps:// is TLS from the first byte.  For smtp://, CURLUSESSL_ALL
     * makes STARTTLS mandatory: a relay (or a network attacker stripping
     * the offer) that does not start TLS gets no credentials and no mail.
     * Plaintext stays possible only where tsr_mail_tls_required allows it.
     */
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)TSR_MAIL_SMTP_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TSR_MAIL_SMTP_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* worker threads: no SIGALRM */
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)cancel);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    CURLcode res = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (res == CURLE_OK) {
        rc = 0;
    } else {
        /* A 5xx reply refuses the message for good; anything else may pass later. */
        rc = code >= 500 && code < 600 ? TSR_MAIL_PERMANENT : TSR_MAIL_RETRY;
        /* The URL may carry a password, so only curl's error name is logged. */
        tsr_log(TSR_LOG_WARN, "cannot send mail",
                json_pack("{s:s, s:i, s:b}", "error", curl_easy_strerror(res), "smtp_reply",
                          (int)code, "tls_required", tls));
    }
out:
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(c);
    return rc;
}

int tsr_mail_deliver(const struct tsr_settings *s, const char *to, const char *msg, size_t len,
                     const atomic_bool *cancel)
{
    if (s->smtp_url[0] != '\0')
        return send_smtp(s, to, msg, len, cancel);
    if (write_outbox(s->data_dir, msg, len) != 0) {
        tsr_log(TSR_LOG_ERROR, "cannot write mail to the outbox",
                json_pack("{s:s}", "dir", s->data_dir));
        return TSR_MAIL_RETRY;
    }
    return 0;
}

/* ---- the transport rule ---- */

/* True for an address literal of the loopback network: 127.0.0.0/8 or ::1. */
static bool loopback_literal(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    char inner[64];
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    size_t n = strlen(host);
    if (n < 3 || n - 2 >= sizeof inner || host[0] != '[' || host[n - 1] != ']')
        return false;
    memcpy(inner, host + 1, n - 2);
    inner[n - 2] = '\0';
    return inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

bool tsr_mail_tls_required(const char *smtp_url, bool allow_plaintext)
{
    bool required = true;
    char *scheme = NULL, *host = NULL;
    pthread_once(&curl_once, start_curl);
    /* curl's own parser: the host judged here is the host curl connects to. */
    CURLU *u = curl_url();
    if (u == NULL || curl_url_set(u, CURLUPART_URL, smtp_url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        goto out;
    if (strcmp(scheme, "smtp") == 0)
        required = !(allow_plaintext || loopback_literal(host));
out:
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return required;
}
