/* probe_http_xfer: the per-check transfer of probe_http, shared with
 * probe_http_result (which turns a finished one into the check's result);
 * private to those two files. */
#ifndef SVD_PROBE_HTTP_XFER_H
#define SVD_PROBE_HTTP_XFER_H

#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>
#include <ev.h>

#include "probe_lookup.h"
#include "probe_proto.h"
#include "util.h"

struct http_xfer {
        struct probe_http *h;
        struct http_xfer *prev, *next;
        CURL *easy;
        CURLU *uh;          /* the URL parsed once (CURLOPT_CURLU), for every reuse */
        struct curl_slist *headers;
        char *url;          /* with headers and TLS settings: what a reuse must match */
        char *ca_file;
        bool tls_no_verify;
        uint64_t key;       /* hash of url and headers */
        int64_t id;
        unsigned timeout_ms, status_min, status_max;
        char *needle;
        char *body; /* first PROBE_HTTP_CAPTURE_MAX bytes, only with a needle */
        size_t body_len, body_cap;
        uint64_t total;
        bool too_big;
        bool matched; /* body_contains found: read on to 64 KiB at most */
        /* The URL's host name is looked up by probe_lookup before the
         * transfer is added, within the check's timeout (deadline). */
        struct probe_lookup_wait lw;
        ev_timer deadline;
        usec_t started;
        struct curl_slist *resolve; /* this check's CURLOPT_RESOLVE */
        char host[PROBE_HOST_MAX + 1];
        unsigned port;
        bool host_known, host_is_name; /* host and port are the URL's name */
        bool refused; /* curl wanted to look a name up itself (a redirect's) */
        unsigned follows; /* redirects followed before the transfer running */
        char errbuf[CURL_ERROR_SIZE];
};

/* Fills res with the outcome of x's transfer, which ended with rc. */
void http_xfer_result(struct http_xfer *x, CURLcode rc, struct probe_result *res);

/* For quoting request text back in a detail: one short line, cleaned
 * (control characters escaped), cut at a character boundary; returns buf. */
const char *http_quote(const char *s, char *buf, size_t len);

#endif
