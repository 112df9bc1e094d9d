#ifndef RUNWAY_CCURL_H
#define RUNWAY_CCURL_H
#include <curl/curl.h>
#include <stddef.h>

/* Typed wrappers for libcurl's variadic functions, which Swift cannot call directly.
 * Each wrapper passes exactly the argument type libcurl documents for the option. */

/** The callback shape of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION. */
typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *userdata);

CURLcode ccurl_easy_setopt_long(CURL *easy, CURLoption option, long value);
CURLcode ccurl_easy_setopt_off(CURL *easy, CURLoption option, curl_off_t value);
/** For string options (copied by libcurl) and the error buffer; `value` may be NULL to reset. */
CURLcode ccurl_easy_setopt_string(CURL *easy, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *easy, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *list);
CURLcode ccurl_easy_setopt_callback(CURL *easy, CURLoption option, ccurl_data_callback callback);
/** Sets a blob option (e.g. CURLOPT_CAINFO_BLOB); libcurl copies the bytes (CURL_BLOB_COPY). */
CURLcode ccurl_easy_setopt_blob(CURL *easy, CURLoption option, const void *data, size_t length);

CURLcode ccurl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/** Pops the next finished transfer from the multi handle: returns 1 and fills `easy` and
 * `result`, or 0 when no finished transfer is queued. */
int ccurl_multi_next_done(CURLM *multi, CURL **easy, CURLcode *result);

/** The run-time libcurl version as 0xXXYYZZ (CURLVERSION_NOW is a macro Swift cannot import). */
unsigned int ccurl_version_number(void);

#endif
