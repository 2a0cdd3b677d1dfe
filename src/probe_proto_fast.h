/* probe_proto_fast: internal to probe_proto (see probe_proto_fast.c). */
#ifndef SVD_PROBE_PROTO_FAST_H
#define SVD_PROBE_PROTO_FAST_H

#include <stddef.h>

#include "probe_proto.h"

/* 0 and *req filled, or -1 (nothing to free in *req): use the cJSON path. */
int probe_fast_req_decode(const char *buf, size_t len, struct probe_req *req);
/* 0 and *ret filled, or -1: use the cJSON path. */
int probe_fast_result_decode(const char *buf, size_t len, struct probe_result *ret);

#endif
