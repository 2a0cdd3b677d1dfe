/* probe_http_result: a finished HTTP check's result from its transfer: the
 * curl error named in words (a certificate problem pointing at the keys that
 * address it), or the status and body matched against the check. */
#include <stdio.h>
#include <string.h>

#include "probe_http.h"
#include "probe_http_xfer.h"
#include "utf8.h"

const char *http_quote(const char *s, char *buf, size_t len)
{
        utf8_clean(s, strlen(s), buf, len, 0);
        return buf;
}

/* "HTTP 200 in 1.2ms", plus " (new connections: N)" when the check opened
 * any: what probe_result_set would write for a pass, without printf (a %f
 * per check shows in profiles). Short, because svd keeps each service's
 * last detail (and its health events') for status. */
static void set_pass(struct probe_result *res, int64_t id, long status, curl_off_t us, long conns)
{
        char *p = res->detail; /* at most 5 + 20 + 4 + 20 + 2 + 21 + 20 + 2 bytes */
        int64_t tenths = (us + 50) / 100;

        res->id = id;
        res->ok = true;
        memcpy(p, "HTTP ", 5);
        p += 5;
        p += probe_fmt_int(status, p);
        memcpy(p, " in ", 4);
        p += 4;
        p += probe_fmt_int(tenths / 10, p);
        *p++ = '.';
        *p++ = (char)('0' + tenths % 10);
        *p++ = 'm';
        *p++ = 's';
        if (conns > 0) {
                memcpy(p, " (new connections: ", 19);
                p += 19;
                p += probe_fmt_int(conns, p);
                *p++ = ')';
        }
        *p = '\0';
}

void http_xfer_result(struct http_xfer *x, CURLcode rc, struct probe_result *res)
{
        long status = 0, conns = 0, oserr = 0;
        curl_off_t total_us = 0;
        char q[65];

        curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &conns);
        switch (rc) {
        case CURLE_OK:
                break;
        case CURLE_OPERATION_TIMEDOUT:
                probe_result_set(res, x->id, false, "timeout after %ums", x->timeout_ms);
                return;
        case CURLE_COULDNT_CONNECT:
                curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
                if (oserr)
                        probe_result_set(res, x->id, false, "connect: %s", strerror((int)oserr));
                else
                        probe_result_set(res, x->id, false, "connect: %s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
                return;
        case CURLE_COULDNT_RESOLVE_HOST:
                if (x->refused) {
                        probe_result_set(res, x->id, false,
                                         "resolve: %s (not looked up on curl's resolver thread)",
                                         x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
                        return;
                }
                probe_result_set(res, x->id, false, "resolve: %s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
                return;
        case CURLE_PEER_FAILED_VERIFICATION:
                /* The usual cause is a self-signed or private CA's
                 * certificate: name the two keys that address it. */
                probe_result_set(res, x->id, false, "tls: %s (see healthcheck.http.ca_file and tls_verify)",
                                 x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
                return;
        case CURLE_SSL_CACERT_BADFILE:
                probe_result_set(res, x->id, false, "ca_file '%s': %s",
                                 http_quote(x->ca_file ? x->ca_file : "", q, sizeof(q)),
                                 x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
                return;
        case CURLE_TOO_MANY_REDIRECTS:
                /* curl counts from where svd-probe last went on (a
                 * redirect to a name it looked up): its number misleads */
                probe_result_set(res, x->id, false, "more than 5 redirects");
                return;
        case CURLE_FILESIZE_EXCEEDED:
        case CURLE_WRITE_ERROR:
                if (rc == CURLE_WRITE_ERROR && x->matched)
                        break; /* on_body stopped at body_contains */
                if (rc == CURLE_FILESIZE_EXCEEDED || x->too_big) {
                        probe_result_set(res, x->id, false, "body larger than %llu bytes",
                                         (unsigned long long)PROBE_HTTP_BODY_MAX);
                        return;
                }
                /* fallthrough */
        default:
                probe_result_set(res, x->id, false, "curl: %s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
                return;
        }

        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total_us);
        double ms = (double)total_us / 1000.0;
        if (status < (long)x->status_min || status > (long)x->status_max) {
                probe_result_set(res, x->id, false, "HTTP %ld (%.1fms, new connections: %ld)", status, ms, conns);
                return;
        }
        if (x->needle && !(x->body && memmem(x->body, x->body_len, x->needle, strlen(x->needle)))) {
                probe_result_set(res, x->id, false, "body does not contain '%s'%s", http_quote(x->needle, q, sizeof(q)),
                                 x->total > x->body_len ? " (first 64 KiB searched)" : "");
                return;
        }
        set_pass(res, x->id, status, total_us < 0 ? 0 : total_us, conns);
}
