/* probe_http: HTTP(S) checks for svd-probe on one libcurl multi handle driven
 * by libev (CURLMOPT_SOCKETFUNCTION -> one ev_io per socket,
 * CURLMOPT_TIMERFUNCTION -> one ev_timer, curl_multi_socket_action). The
 * multi handle lives as long as the prober and owns the connection cache, so a
 * second check against the same server reuses the kept-alive connection: each
 * detail reports "new connections: N" (CURLINFO_NUM_CONNECTS) to make that
 * visible. Proxies from the environment are ignored, only http and https are
 * allowed (also for redirects, which are followed only on request), a body is
 * read whole (the connection stays reusable) but only its first 64 KiB are
 * kept for body_contains, and one longer than 16 MiB fails the check.
 * Host names are looked up through probe_lookup (bounded; never on curl's
 * resolver threads, which outlive a timeout) and handed to curl with
 * CURLOPT_RESOLVE, a redirect's name too.
 * curl_global_init() is the caller's job (before any sandboxing). */
#ifndef SVD_PROBE_HTTP_H
#define SVD_PROBE_HTTP_H

#include <ev.h>

#include "probe_lookup.h"
#include "probe_proto.h"

#define PROBE_HTTP_CAPTURE_MAX (64u * 1024)        /* body bytes searched by body_contains */
#define PROBE_HTTP_BODY_MAX (16ull * 1024 * 1024)  /* a longer body fails the check */
#define PROBE_HTTP_MAXCONNECTS 64                  /* idle connections kept for reuse, at least */
#define PROBE_HTTP_MAXCONNECTS_MAX 512             /* ... and at most: twice the peak in flight */
#define PROBE_HTTP_IDLE_MAX 32                     /* finished easy handles kept for reuse */

struct probe_http;

/* done(res, userdata) is called from the loop once per started check; it must
 * not call back into probe_http synchronously. */
int probe_http_new(struct ev_loop *loop, struct probe_lookup *lookup, probe_done_fn done, void *userdata,
                   struct probe_http **ret);
/* Aborts checks in flight (without calling done) and closes all connections. */
void probe_http_free(struct probe_http *h);

/* Starts the check described by req (kind http; req is not kept). Returns 0
 * when under way, or 1 when it failed at once with *ret_now filled and done
 * never called. */
int probe_http_start(struct probe_http *h, const struct probe_req *req, struct probe_result *ret_now);

#endif
