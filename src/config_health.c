/* config_health: the healthcheck: mapping of a service file. One probe kind
 * per service (exec, tcp or http) plus Compose-named timing parameters; the
 * checks that tie it to the service type (watchdog needs notify, a oneshot
 * has no liveness) live here too so every rule about health is in one place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"
#include "probe_proto.h"
#include "utf8.h"

static const char *const health_keys[] = { "exec", "tcp", "http", "interval", "timeout", "retries",
                                           "start_period", "start_interval", "start_timeout",
                                           "on_unhealthy", NULL };
static const char *const http_keys[] = { "url", "status", "body_contains", "headers", "follow_redirects",
                                         "tls_verify", "ca_file", NULL };

void config_probe_done(struct probe_config *p)
{
        strv_free(p->exec);
        free(p->host);
        free(p->url);
        free(p->body_contains);
        strv_free(p->headers);
        free(p->ca_file);
        memset(p, 0, sizeof(*p));
}

/* "HOST:PORT" or "[V6]:PORT". */
static void load_tcp(struct cload *l, const struct ynode *n, struct probe_config *p)
{
        if (!cp_is_scalar(n)) {
                cp_err(l, n, "healthcheck.tcp", "expected HOST:PORT");
                return;
        }
        const char *v = n->value, *colon;
        char *host;
        if (v[0] == '[') {
                const char *close = strchr(v, ']');
                if (!close || close[1] != ':') {
                        cp_err(l, n, "healthcheck.tcp", "bad address '%s' (use HOST:PORT or [IPV6]:PORT)", v);
                        return;
                }
                host = strndup(v + 1, (size_t)(close - v - 1));
                colon = close + 1;
        } else {
                colon = strrchr(v, ':');
                if (!colon || colon == v) {
                        cp_err(l, n, "healthcheck.tcp", "bad address '%s' (use HOST:PORT or [IPV6]:PORT)", v);
                        return;
                }
                host = strndup(v, (size_t)(colon - v));
        }
        unsigned long long port;
        if (parse_uint(colon + 1, 65535, &port) < 0 || port == 0) {
                free(host);
                cp_err(l, n, "healthcheck.tcp", "bad port in '%s' (1..65535)", v);
                return;
        }
        if (!host) {
                l->oom = true;
                return;
        }
        /* svd-probe refuses a longer one: say so now, not at every probe */
        if (strlen(host) > PROBE_HOST_MAX) {
                free(host);
                cp_err(l, n, "healthcheck.tcp", "host longer than %d bytes", PROBE_HOST_MAX);
                return;
        }
        /* ... nor one of other characters (a blank, a slash, an empty []
         * literal): such a check could never be sent, and one that cannot
         * be sent is not counted against the service, so it would never
         * turn unhealthy. The protocol's own rule decides. */
        struct probe_req req = { .kind = PROBE_REQ_TCP, .timeout_ms = 1, .port = (unsigned)port };
        memcpy(req.host, host, strlen(host) + 1);
        char err[128];
        if (probe_req_check(&req, err, sizeof(err)) < 0) {
                free(host);
                cp_err(l, n, "healthcheck.tcp",
                       "bad host in '%s' (a host name or an IP address: letters, digits, '.', '-', '_', "
                       "':' and '%%')",
                       v);
                return;
        }
        p->kind = PROBE_TCP;
        p->host = host;
        p->port = (unsigned)port;
}

/* A string svd-probe takes: min..max bytes of valid UTF-8, no control
 * characters (C0, DEL, C1; a header may hold a tab). The limits are the probe protocol's
 * (probe_proto.h). */
static int probe_text(struct cload *l, const struct ynode *n, const char *key, size_t min, size_t max,
                      const char *what)
{
        size_t len = strlen(n->value);

        if (len < min || len > max) {
                cp_err(l, n, key, "%s must be %zu to %zu bytes", what, min, max);
                return -EINVAL;
        }
        size_t bad = utf8_bad(n->value, len, UTF8_KEEP_TAB);
        uint32_t cp = (unsigned char)n->value[bad];
        if (bad < len) {
                if (utf8_char(n->value + bad, len - bad, &cp) == 0)
                        cp_err(l, n, key, "invalid UTF-8 (byte 0x%02x) in %s", (unsigned)cp, what);
                else
                        cp_err(l, n, key, "control character (U+%04X) in %s", (unsigned)cp, what);
                return -EINVAL;
        }
        return 0;
}

/* "200", "200-399" */
static int parse_status(const char *s, unsigned *lo, unsigned *hi)
{
        unsigned long long a, b;
        const char *dash = strchr(s, '-');
        if (!dash) {
                if (parse_uint(s, 599, &a) < 0 || a < 100)
                        return -EINVAL;
                *lo = *hi = (unsigned)a;
                return 0;
        }
        char first[8];
        size_t fl = (size_t)(dash - s);
        if (fl == 0 || fl >= sizeof(first))
                return -EINVAL;
        memcpy(first, s, fl);
        first[fl] = 0;
        if (parse_uint(first, 599, &a) < 0 || parse_uint(dash + 1, 599, &b) < 0 || a < 100 || b < a)
                return -EINVAL;
        *lo = (unsigned)a;
        *hi = (unsigned)b;
        return 0;
}

/* tls_verify and ca_file. They act on TLS only: with an http:// URL they
 * would mean nothing, unless redirects are followed (to an https:// place). */
static void load_http_tls(struct cload *l, const struct ynode *n, struct probe_config *p)
{
        const struct ynode *tv = ynode_get(n, "tls_verify"), *ca = ynode_get(n, "ca_file");
        bool verify = true;

        if (tv && cp_bool(l, tv, "healthcheck.http.tls_verify", &verify) >= 0)
                p->tls_no_verify = !verify;
        if (ca && cp_file_text(l, ca, "healthcheck.http.ca_file") >= 0 &&
            cp_str(l, ca, "healthcheck.http.ca_file", &p->ca_file) >= 0) {
                /* svd-probe runs in /, but a relative path is a mistake
                 * rather than a plan: say so */
                if (p->ca_file[0] != '/')
                        cp_err(l, ca, "healthcheck.http.ca_file", "expected an absolute path, got '%s'",
                               p->ca_file);
                else if (tv && !verify)
                        cp_err(l, ca, "healthcheck.http.ca_file",
                               "not used with tls_verify: false (nothing is verified)");
        }
        if (strncmp(p->url, "https://", 8) != 0 && !p->follow_redirects) {
                const struct ynode *k = tv ? tv : ca;
                if (k)
                        cp_err(l, k, tv ? "healthcheck.http.tls_verify" : "healthcheck.http.ca_file",
                               "only for an https:// URL (or with follow_redirects: true, for an https:// "
                               "redirect)");
        }
}

static void load_http(struct cload *l, const struct ynode *n, struct probe_config *p)
{
        const struct ynode *v;
        p->status_min = 200;
        p->status_max = 399;
        if (cp_is_scalar(n)) {
                v = n; /* shorthand: http: URL */
        } else {
                if (cp_expect_map(l, n, "healthcheck.http") < 0)
                        return;
                cp_check_keys(l, n, "healthcheck.http", http_keys);
                v = ynode_get(n, "url");
                if (!v) {
                        cp_err(l, n, "healthcheck.http.url", "required key missing");
                        return;
                }
        }
        const char *key = v == n ? "healthcheck.http" : "healthcheck.http.url";
        if (!cp_is_scalar(v)) {
                cp_err(l, v, key, "expected a URL");
                return;
        }
        if (probe_text(l, v, key, 1, PROBE_URL_MAX, "the URL") < 0 || cp_str(l, v, key, &p->url) < 0)
                return;
        if (strncmp(p->url, "http://", 7) != 0 && strncmp(p->url, "https://", 8) != 0) {
                cp_err(l, v, key, "bad URL '%s' (only http:// and https:// are probed)", p->url);
                return;
        }
        p->kind = PROBE_HTTP;
        if (v == n)
                return;
        if ((v = ynode_get(n, "status"))) {
                if (!cp_is_scalar(v))
                        cp_err(l, v, "healthcheck.http.status", "expected a status (e.g. 200 or 200-399), not %s",
                               cp_kind(v));
                else if (parse_status(v->value, &p->status_min, &p->status_max) < 0)
                        cp_err(l, v, "healthcheck.http.status", "bad status '%s' (use e.g. 200 or 200-399)",
                               v->value);
        }
        if ((v = ynode_get(n, "body_contains")) &&
            (!cp_is_scalar(v) ||
             probe_text(l, v, "healthcheck.http.body_contains", 1, PROBE_BODY_CONTAINS_MAX, "the text") >= 0))
                cp_str(l, v, "healthcheck.http.body_contains", &p->body_contains);
        if ((v = ynode_get(n, "follow_redirects")))
                cp_bool(l, v, "healthcheck.http.follow_redirects", &p->follow_redirects);
        if ((v = ynode_get(n, "headers"))) {
                if (v->kind == YNODE_MAPPING) {
                        for (size_t i = 0; i < v->n; i++) {
                                const struct ynode *k = v->items[i], *val = v->values[i];
                                char key2[KEYLEN];
                                cp_key(key2, "healthcheck.http.headers", k->value);
                                if (!probe_header_name_ok(k->value)) {
                                        cp_err(l, k, key2,
                                               "bad header name '%s' (letters, digits and !#$%%&'*+-.^_`|~)",
                                               k->value);
                                        continue;
                                }
                                if (!cp_is_scalar(val) || strpbrk(val->value, "\r\n")) {
                                        cp_err(l, val, key2, "expected a single-line header value");
                                        continue;
                                }
                                if (i >= PROBE_HEADERS_MAX) {
                                        cp_err(l, k, key2, "at most %d headers", PROBE_HEADERS_MAX);
                                        break;
                                }
                                char *h = strdup_printf("%s: %s", k->value, val->value);
                                if (h && strlen(h) > PROBE_HEADER_MAX) {
                                        cp_err(l, val, key2, "'NAME: value' longer than %d bytes",
                                               PROBE_HEADER_MAX);
                                        free(h);
                                        continue;
                                }
                                /* the value alone: a tab is fine, \r\n were refused above */
                                if (h && probe_text(l, val, key2, 0, PROBE_HEADER_MAX, "the header") < 0) {
                                        free(h);
                                        continue;
                                }
                                if (!h || strv_push(&p->headers, h) < 0)
                                        l->oom = true;
                                free(h);
                        }
                } else
                        cp_err(l, v, "healthcheck.http.headers", "expected a mapping of header: value");
        }
        load_http_tls(l, n, p);
}

/* Every field of an http check within its limit can still make a request
 * over svd-probe's packet (PROBE_MAX_MSG): JSON escapes make a '"', a backslash
 * or a tab two bytes, and 32 headers of 1 KiB are half of it already.
 * Such a check, or one svd-probe would refuse, would fail at every probe:
 * its encoding (with the widest id) is measured once here. */
static void check_http_request(struct cload *l, const struct ynode *n, const struct probe_config *p)
{
        struct probe_req req = {
                .id = PROBE_ID_MAX,
                .kind = PROBE_REQ_HTTP,
                .timeout_ms = (unsigned)(p->timeout / USEC_PER_MSEC),
                .url = p->url,
                .status_min = p->status_min,
                .status_max = p->status_max,
                .body_contains = p->body_contains,
                .headers = p->headers,
                .follow_redirects = p->follow_redirects,
                .tls_no_verify = p->tls_no_verify,
                .ca_file = p->ca_file,
        };
        char err[256];
        size_t len = 0;

        if (probe_req_size(&req, &len, err, sizeof(err)) < 0)
                cp_err(l, n, "healthcheck.http", "svd-probe would refuse this check: %s", err);
        else if (len > PROBE_MAX_MSG)
                cp_err(l, n, "healthcheck.http",
                       "the request to svd-probe would be %zu bytes, over its limit of %u (shorten the "
                       "headers, body_contains or url: a '\"', a '\\' or a tab takes two bytes)",
                       len, PROBE_MAX_MSG);
}

void cp_healthcheck(struct cload *l, const struct ynode *n, struct svc_config *s)
{
        struct probe_config *p = &s->health;
        const struct ynode *v;
        unsigned long long u;
        int e;

        p->interval = 30 * USEC_PER_SEC;
        p->timeout = 5 * USEC_PER_SEC;
        p->retries = 3;
        p->start_interval = 1 * USEC_PER_SEC;
        p->on_unhealthy = ON_UNHEALTHY_RESTART;
        size_t errs_before = l->errs->n;
        p->pos = (struct cfg_pos){ l->file, n->line, n->col };
        if (cp_expect_map(l, n, "healthcheck") < 0)
                return;
        cp_check_keys(l, n, "healthcheck", health_keys);

        int kinds = !!ynode_get(n, "exec") + !!ynode_get(n, "tcp") + !!ynode_get(n, "http");
        if (kinds != 1) {
                cp_err(l, n, "healthcheck", kinds ? "only one of exec, tcp, http may be given"
                                                  : "one of exec, tcp, http is required");
                return;
        }
        if ((v = ynode_get(n, "exec"))) {
                if (cp_is_scalar(v) && !v->value[strspn(v->value, " \t\n")]) {
                        /* sh -c "" exits 0: a check that could never fail */
                        cp_err(l, v, "healthcheck.exec", "must not be empty");
                } else if (cp_is_scalar(v)) {
                        /* a string runs through the shell, like Compose's CMD-SHELL */
                        if (strv_push(&p->exec, "/bin/sh") < 0 || strv_push(&p->exec, "-c") < 0 ||
                            strv_push(&p->exec, v->value) < 0)
                                l->oom = true;
                        p->kind = PROBE_EXEC;
                } else if (cp_strv(l, v, "healthcheck.exec", &p->exec) >= 0) {
                        if (!p->exec || !p->exec[0])
                                cp_err(l, v, "healthcheck.exec", "must not be empty");
                        else if (!p->exec[0][0])
                                cp_err(l, v->items[0], "healthcheck.exec[0]",
                                       "the program name must not be empty");
                        else if (cp_visible(l, v->items[0], "healthcheck.exec[0]", "program name") >= 0)
                                p->kind = PROBE_EXEC;
                }
        }
        if ((v = ynode_get(n, "tcp")))
                load_tcp(l, v, p);
        if ((v = ynode_get(n, "http")))
                load_http(l, v, p);

        /* Each at most a day (a longer one is a missed unit: a service whose
         * failure would go unseen for days); the floors follow below. The
         * next probe is timed from the last one's end, so a timeout longer
         * than the interval overlaps nothing and is allowed. */
        if ((v = ynode_get(n, "interval")))
                cp_duration_in(l, v, "healthcheck.interval", 0, CP_DAY, false, &p->interval);
        if ((v = ynode_get(n, "timeout")))
                cp_duration_in(l, v, "healthcheck.timeout", 0, CP_DAY, false, &p->timeout);
        if ((v = ynode_get(n, "start_period")))
                cp_duration_in(l, v, "healthcheck.start_period", 0, CP_DAY, false, &p->start_period);
        if ((v = ynode_get(n, "start_interval")))
                cp_duration_in(l, v, "healthcheck.start_interval", 0, CP_DAY, false, &p->start_interval);
        /* 0 is none; under a second no service could ever be healthy in time */
        if ((v = ynode_get(n, "start_timeout")))
                cp_duration_in(l, v, "healthcheck.start_timeout", USEC_PER_SEC, CP_DAY, true,
                               &p->start_timeout);
        if ((v = ynode_get(n, "retries")) && cp_uint(l, v, "healthcheck.retries", 1, 1000, &u) >= 0)
                p->retries = (unsigned)u;
        if ((v = ynode_get(n, "on_unhealthy"))) {
                static const char *const acts[] = { "restart", "none" };
                if (cp_enum(l, v, "healthcheck.on_unhealthy", acts, 2, &e) >= 0)
                        p->on_unhealthy = (enum on_unhealthy)e;
        }
        const char *zero = NULL;
        if (p->interval < 10 * USEC_PER_MSEC)
                zero = "interval";
        else if (p->start_interval < 10 * USEC_PER_MSEC)
                zero = "start_interval";
        else if (p->timeout < 10 * USEC_PER_MSEC)
                zero = "timeout";
        if (zero) {
                char key[KEYLEN];
                cp_err(l, ynode_get(n, zero), cp_key(key, "healthcheck", zero), "must be at least 10ms");
        }
        /* svd-probe refuses longer ones (PROBE_TIMEOUT_MS_MAX): say so now,
         * not as a check that never runs */
        if ((p->kind == PROBE_TCP || p->kind == PROBE_HTTP) &&
            p->timeout > (usec_t)PROBE_TIMEOUT_MS_MAX * USEC_PER_MSEC) {
                char key[KEYLEN];
                cp_err(l, ynode_get(n, "timeout"), cp_key(key, "healthcheck", "timeout"),
                       "must be at most 1h for tcp and http checks");
        } else if (p->kind == PROBE_HTTP && l->errs->n == errs_before)
                check_http_request(l, ynode_get(n, "http"), p);
}
