/* probe_http_resolve: what probe_http needs to resolve a check's host name
 * itself (through probe_lookup, bounded) instead of on libcurl's resolver
 * threads, which outlive a timed-out check: the name and port of a URL, and
 * the CURLOPT_RESOLVE entry that hands curl the addresses found. */
#ifndef SVD_PROBE_HTTP_RESOLVE_H
#define SVD_PROBE_HTTP_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "probe_lookup.h"

/* The host of uh when it is a name to look up: true with host (in the ASCII
 * form curl connects to) and *ret_port filled; false for an IP literal, or
 * a URL curl will refuse on its own. */
bool http_url_name(CURLU *uh, char *host, size_t len, unsigned *ret_port);

/* Whether url names its host by IP address (or cannot be parsed: curl then
 * fails it without a lookup). */
bool http_url_is_literal(const char *url);

/* "+HOST:PORT:ADDR,ADDR,..." for CURLOPT_RESOLVE (the '+': curl lets it
 * expire as any answer); NULL when out of memory. */
struct curl_slist *http_resolve_entry(const char *host, unsigned port, const struct probe_addrs *addrs);

#endif
