/* audit: every mutating control request (start, stop, restart, reopen_logs,
 * poweroff, ...; proto_op_mutating()), accepted or refused, as one line in
 * <log_dir>/audit.log:
 *   2026-11-22T00:30:43.123456Z uid=1000 pid=4242 comm=svctl op=stop name=app result=denied code=3 error="..."
 * The file is 0640 and rotated by size: at AUDIT_MAX_SIZE it becomes
 * audit.log.1 (older ones shift up to audit.log.AUDIT_KEEP). It is opened per
 * record: mutating requests are rare, and a moved or deleted file is simply
 * recreated. */
#ifndef SVD_AUDIT_H
#define SVD_AUDIT_H

#include <cjson/cJSON.h>

struct svd;
struct control_peer;

#define AUDIT_MAX_SIZE (1u << 20)
#define AUDIT_KEEP 3

/* Records req and its reply when req is a mutating operation; else nothing. */
void audit_request(struct svd *m, const struct control_peer *peer, const cJSON *req, const cJSON *reply);

#endif
