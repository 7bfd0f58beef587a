#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/app.h"
#include "core/mail_queue.h"
#include "server/server.h"
#include "util/log.h"

/* Requests still running after a SIGTERM get this long to finish. */
#define SHUTDOWN_GRACE_MS 10000

/* The default tenant's issuer: the URL its tokens and discovery carry. */
static const char *default_issuer(const struct tsr_app *app)
{
    for (size_t i = 0; app->tenants != NULL && i < app->tenants->n; i++)
        if (app->tenants->tenants[i].t.is_default)
            return app->tenants->tenants[i].t.issuer;
    return app->settings.public_url;
}

/*
 * The command that started this server, as the banner's CLI hint spells it:
 * its full path, since under `make run` (./build/tessera) `tessera` is not
 * on the PATH; plain "tessera" when the path cannot be read.
 */
static void own_path(char *out, size_t outsz)
{
    ssize_t n = readlink("/proc/self/exe", out, outsz - 1);
    out[n > 0 && (size_t)n < outsz - 1 ? n : 0] = '\0';
    /* A path a shell would split or expand is not worth copying from a terminal. */
    if (out[0] != '/' || strpbrk(out, " \t'\"\\$`;&|<>()*?[]#~") != NULL)
        snprintf(out, outsz, "tessera");
}

static void print_banner(const struct tsr_app *app)
{
    const char *url = default_issuer(app);
    char self[512];
    own_path(self, sizeof self);
    char path[TSR_SETTINGS_MAX_PATH + 32];
    snprintf(path, sizeof path, "%s/bootstrap-client.json", app->settings.data_dir);
    json_t *creds = json_load_file(path, 0, NULL);
    const char *client_id = json_string_value(json_object_get(creds, "client_id"));
    printf("Tessera %s is serving %s (listening on %s:%u)\n"
           "  Issuer:     %s\n"
           "  Discovery:  %s.well-known/openid-configuration\n"
           "  JWKS:       %s.well-known/jwks.json\n"
           "  Token:      %soauth/token\n\n",
           TSR_VERSION, url, app->settings.listen_host, app->settings.listen_port, url, url, url,
           url);
    if (strcmp(url, app->settings.public_url) != 0)
        printf("Note: --public-url is %s, but the default tenant keeps the issuer of its first\n"
               "start, %s: tokens, discovery and the Management API audience use that one.\n\n",
               app->settings.public_url, url);
    if (client_id != NULL)
        printf("Management API: the bootstrap client's credentials are in %s.\n"
               "Get a Management API token with:\n"
               "  curl -s %soauth/token -d grant_type=client_credentials \\\n"
               "    -d client_id=%s \\\n"
               "    -d client_secret=\"$(sed -n 's/.*\"client_secret\": \"\\(.*\\)\".*/\\1/p' "
               "%s)\" \\\n"
               "    -d audience=%sapi/v2/\n"
               "or let the CLI read them from there: %s apps list --data-dir %s\n\n",
               path, url, client_id, path, url, self, app->settings.data_dir);
    else
        printf("Management API: %s is not here; use the credentials printed on the first "
               "start.\n\n",
               path);
    fflush(stdout);
    json_decref(creds);
}

int tsr_cli_serve(int argc, char **argv)
{
    struct tsr_settings s;
    struct tsr_app app;
    tsr_server *srv = NULL;
    char err[512] = "";
    if (tsr_settings_load(&s, argc, argv, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "tessera: %s\n", err);
        return 2;
    }
    tsr_log_set_level(s.log_level);
    char warnings[4][TSR_SETTINGS_WARN_LEN];
    size_t nwarn = tsr_settings_warnings(&s, warnings, 4);
    for (size_t i = 0; i < nwarn; i++)
        tsr_log(TSR_LOG_WARN, "settings", json_pack("{s:s}", "detail", warnings[i]));

    /* Worker threads inherit this mask, so only the main thread takes the signals. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (tsr_app_open(&app, &s, NULL, stdout, err, sizeof err) != 0) {
        fprintf(stderr, "tessera: %s\n", err);
        tsr_app_close(&app);
        return 1;
    }
    /* Before anything that records events: requests and the mail worker hand them to it. */
    if (tsr_app_start_event_writer(&app, err, sizeof err) != 0) {
        fprintf(stderr, "tessera: %s\n", err);
        tsr_app_close(&app);
        return 1;
    }
    /* Before the server: mail queued by an earlier run goes out, and requests can wake it. */
    if (tsr_mail_worker_start(&app, err, sizeof err) != 0) {
        fprintf(stderr, "tessera: %s\n", err);
        tsr_app_close(&app);
        return 1;
    }
    if (tsr_server_start(&app, &srv, err, sizeof err) != 0) {
        fprintf(stderr, "tessera: %s\n", err);
        tsr_mail_worker_stop(&app);
        tsr_app_close(&app);
        return 1;
    }
    tsr_log(TSR_LOG_INFO, "listening",
            json_pack("{s:s, s:i, s:s, s:b, s:b}", "host", s.listen_host, "port",
                      (int)s.listen_port, "public_url", s.public_url, "tls",
                      s.tls_cert[0] != '\0', "trust_proxy", s.trust_proxy));
    print_banner(&app);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    tsr_log(TSR_LOG_INFO, "shutting down",
            json_pack("{s:s}", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
    tsr_server_stop(srv, SHUTDOWN_GRACE_MS);
    /* After the requests: what they queued stays in the database for the next start. */
    tsr_mail_worker_stop(&app);
    /* Writes the events still queued, then closes the database. */
    tsr_app_close(&app);
    tsr_log(TSR_LOG_INFO, "stopped", NULL);
    return 0;
}
