#ifndef RUNWAY_CCURL_H
#define RUNWAY_CCURL_H
#include <curl/curl.h>
/* Typed wrappers for libcurl's variadic functions (filled in by the HTTPClient work). */
#endif
