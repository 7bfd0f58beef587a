/*
 * curldl.c - the curl_* functions the server and the CLI use, as wrappers
 * that load libcurl.so.4 with dlopen on first use (curldl.h says why).
 *
 * Built with hidden visibility: the wrappers bind the binary's own calls
 * and are never exported, so libcurl's internal calls to its own public
 * functions still reach libcurl.  curl_easy_setopt is variadic with no
 * va_list twin in libcurl's ABI; its argument's type follows from the
 * option's number (CURLOPTTYPE_*), exactly as libcurl reads it.
 */
#define CURL_DISABLE_TYPECHECK /* the definitions below are the functions themselves */
#include "curldl/curldl.h"

/* Its first argument is const from some curl 8 on: the header's declaration is set aside, this file's is the one. */
#define curl_url_get tsr_curldl_header_url_get
#include <curl/curl.h>
#undef curl_url_get
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The functions resolved from libcurl; all set, or the load failed. */
static struct {
    CURLcode (*global_init)(long);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    char *(*easy_escape)(CURL *, const char *, int);
    void (*free)(void *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLU *(*url)(void);
    void (*url_cleanup)(CURLU *);
    CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
    CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
} fn;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool loaded;
static char load_error[256];

/* Reads one symbol into *slot (a function pointer of fn); false when absent. */
static bool resolve(void *lib, const char *name, void *slot)
{
    void *p = dlsym(lib, name);
    if (p == NULL) {
        snprintf(load_error, sizeof load_error, "%s lacks %s", TSR_CURLDL_SONAME, name);
        return false;
    }
    /* dlsym's object pointer to a function pointer: POSIX guarantees the conversion. */
    memcpy(slot, &p, sizeof p);
    return true;
}

static void load(void)
{
    /* RTLD_LOCAL: libcurl's symbols stay out of the global scope. */
    void *lib = dlopen(TSR_CURLDL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : TSR_CURLDL_SONAME ": cannot be loaded");
        return;
    }
    /* Kept loaded for the process's life: handles and threads of curl may outlive any caller. */
    if (!resolve(lib, "curl_global_init", &fn.global_init) ||
        !resolve(lib, "curl_global_cleanup", &fn.global_cleanup) ||
        !resolve(lib, "curl_easy_init", &fn.easy_init) ||
        !resolve(lib, "curl_easy_cleanup", &fn.easy_cleanup) ||
        !resolve(lib, "curl_easy_reset", &fn.easy_reset) ||
        !resolve(lib, "curl_easy_setopt", &fn.easy_setopt) ||
        !resolve(lib, "curl_easy_getinfo", &fn.easy_getinfo) ||
        !resolve(lib, "curl_easy_perform", &fn.easy_perform) ||
        !resolve(lib, "curl_easy_strerror", &fn.easy_strerror) ||
        !resolve(lib, "curl_easy_escape", &fn.easy_escape) ||
        !resolve(lib, "curl_free", &fn.free) ||
        !resolve(lib, "curl_slist_append", &fn.slist_append) ||
        !resolve(lib, "curl_slist_free_all", &fn.slist_free_all) ||
        !resolve(lib, "curl_url", &fn.url) ||
        !resolve(lib, "curl_url_cleanup", &fn.url_cleanup) ||
        !resolve(lib, "curl_url_set", &fn.url_set) ||
        !resolve(lib, "curl_url_get", &fn.url_get))
        return;
    loaded = true;
}

static bool ready(void)
{
    pthread_once(&load_once, load);
    return loaded;
}

const char *tsr_curldl_error(void)
{
    return ready() ? NULL : load_error;
}

CURLcode curl_global_init(long flags)
{
    return ready() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
    if (ready())
        fn.global_cleanup();
}

CURL *curl_easy_init(void)
{
    return ready() ? fn.easy_init() : NULL;
}

/* The functions below take a handle or a list only a loaded libcurl can have made. */

void curl_easy_cleanup(CURL *c)
{
    if (c != NULL && ready())
        fn.easy_cleanup(c);
}

void curl_easy_reset(CURL *c)
{
    if (c != NULL && ready())
        fn.easy_reset(c);
}

CURLcode curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
    if (!ready())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, opt);
    CURLcode rc;
    if (opt < CURLOPTTYPE_OBJECTPOINT) {
        long v = va_arg(ap, long);
        rc = fn.easy_setopt(c, opt, v);
    } else if (opt < CURLOPTTYPE_FUNCTIONPOINT) {
        void *v = va_arg(ap, void *);
        rc = fn.easy_setopt(c, opt, v);
    } else if (opt < CURLOPTTYPE_OFF_T) {
        /* Any function pointer type carries the value unchanged; libcurl reads its own. */
        void (*v)(void) = va_arg(ap, void (*)(void));
        rc = fn.easy_setopt(c, opt, v);
    } else if (opt < CURLOPTTYPE_BLOB) {
        curl_off_t v = va_arg(ap, curl_off_t);
        rc = fn.easy_setopt(c, opt, v);
    } else {
        void *v = va_arg(ap, void *); /* struct curl_blob * */
        rc = fn.easy_setopt(c, opt, v);
    }
    va_end(ap);
    return rc;
}

CURLcode curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
    if (!ready())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *); /* every CURLINFO_* takes a pointer */
    va_end(ap);
    return fn.easy_getinfo(c, info, out);
}

CURLcode curl_easy_perform(CURL *c)
{
    return ready() ? fn.easy_perform(c) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode code)
{
    return ready() ? fn.easy_strerror(code) : "libcurl could not be loaded";
}

char *curl_easy_escape(CURL *c, const char *s, int len)
{
    return ready() ? fn.easy_escape(c, s, len) : NULL;
}

void curl_free(void *p)
{
    if (p != NULL && ready())
        fn.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
    return ready() ? fn.slist_append(list, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
    if (list != NULL && ready())
        fn.slist_free_all(list);
}

CURLU *curl_url(void)
{
    return ready() ? fn.url() : NULL;
}

void curl_url_cleanup(CURLU *u)
{
    if (u != NULL && ready())
        fn.url_cleanup(u);
}

CURLUcode curl_url_set(CURLU *u, CURLUPart part, const char *content, unsigned int flags)
{
    return ready() ? fn.url_set(u, part, content, flags) : CURLUE_BAD_HANDLE;
}

CURLUcode curl_url_get(CURLU *u, CURLUPart part, char **out, unsigned int flags);
CURLUcode curl_url_get(CURLU *u, CURLUPart part, char **out, unsigned int flags)
{
    return ready() ? fn.url_get(u, part, out, flags) : CURLUE_BAD_HANDLE;
}
