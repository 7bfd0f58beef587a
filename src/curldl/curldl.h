/*
 * curldl.h - libcurl loaded on first use.  The server and the CLI call the
 * curl_* functions of <curl/curl.h> as usual; in the tessera binary they
 * are the wrappers of curldl.c, which dlopen libcurl.so.4 the first time
 * one is called, so a start that sends no mail and fetches nothing never
 * maps libcurl and the twenty libraries it depends on.  libtessera-verify
 * is built apart and links libcurl itself.
 *
 * When libcurl cannot be loaded, curl_global_init returns CURLE_FAILED_INIT,
 * curl_easy_init and curl_url return NULL and curl_easy_strerror says so;
 * tsr_curldl_error tells why.
 */
#ifndef TSR_CURLDL_H
#define TSR_CURLDL_H

/* The soname loaded: the ABI of libcurl 7.16 and later, every curl 7 and 8. */
#define TSR_CURLDL_SONAME "libcurl.so.4"

/*
 * Loads libcurl now if it is not loaded yet.  Returns NULL once it is
 * loaded, else a static text saying why it cannot be ("libcurl.so.4: cannot
 * open shared object file: ...", or the function it lacks).  Thread-safe.
 */
const char *tsr_curldl_error(void);

#endif
