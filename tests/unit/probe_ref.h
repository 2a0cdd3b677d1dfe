/* probe_ref: what cJSON_PrintUnformatted prints for a probe request, in the
 * encoders' field order: the reference that probe_proto.h promises its
 * hand-written encoder matches byte for byte (escapes, UTF-8, large ids).
 * Shared by check_probe_proto and tests/fuzz/fuzz_probe.c. Returns a
 * malloc'd string, NULL if out of memory. */
#ifndef SVD_TESTS_PROBE_REF_H
#define SVD_TESTS_PROBE_REF_H

#include <cjson/cJSON.h>

#include "probe_proto.h"

static inline char *probe_ref_req_json(const struct probe_req *q)
{
        cJSON *o = cJSON_CreateObject();
        if (!o)
                return NULL;
        cJSON_AddNumberToObject(o, "id", (double)q->id);
        if (q->kind == PROBE_REQ_TCP) {
                cJSON_AddStringToObject(o, "kind", "tcp");
                cJSON_AddStringToObject(o, "host", q->host);
                cJSON_AddNumberToObject(o, "port", q->port);
        } else {
                cJSON_AddStringToObject(o, "kind", "http");
                cJSON_AddStringToObject(o, "url", q->url);
                cJSON_AddNumberToObject(o, "status_min", q->status_min);
                cJSON_AddNumberToObject(o, "status_max", q->status_max);
                cJSON_AddBoolToObject(o, "follow_redirects", q->follow_redirects);
                if (q->body_contains)
                        cJSON_AddStringToObject(o, "body_contains", q->body_contains);
                if (q->headers && q->headers[0]) {
                        cJSON *a = cJSON_AddArrayToObject(o, "headers");
                        for (char **h = q->headers; a && *h; h++)
                                cJSON_AddItemToArray(a, cJSON_CreateString(*h));
                }
                if (q->tls_no_verify)
                        cJSON_AddBoolToObject(o, "tls_verify", false);
                if (q->ca_file)
                        cJSON_AddStringToObject(o, "ca_file", q->ca_file);
        }
        cJSON_AddNumberToObject(o, "timeout_ms", q->timeout_ms);
        char *s = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        return s;
}

#endif
