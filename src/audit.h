/* audit: every mutating control request (start, stop, restart, reopen_logs,
 * poweroff, ...; proto_op_mutating()), accepted or refused, and every other
 * request refused for want of rights (logs_follow), as one line in
 * <log_dir>/audit.log:
 *   2026-11-22T00:30:43.123456Z uid=1000 pid=4242 comm=svctl op=stop name=app result=denied code=3 error="..."
 * A reload with "dry_run": true says dry_run=yes after the op.
 * The file is 0640 (group: admin_group) and rotated, compressed and retained
 * like a service's log, by the main file's defaults.logging (max_size,
 * max_files, max_total, max_age, rotate_every, compress; logfile.c); reopened
 * by reopen-logs / SIGUSR1 like the services' files. */
#ifndef SVD_AUDIT_H
#define SVD_AUDIT_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct svd;
struct control_peer;

/* Records req and its reply when req is a mutating operation or the reply
 * a refusal for want of rights (PROTO_E_DENIED); else nothing. comm: the
 * peer's command name as audit_peer_comm() read it when the request came
 * (a reply given later: the client may be gone by then), NULL to read it
 * now. */
void audit_request(struct svd *m, const struct control_peer *peer, const char *comm, const cJSON *req,
                   const cJSON *reply);
/* The command name of pid (/proc/PID/comm), "?" if it cannot be read. */
void audit_peer_comm(pid_t pid, char *buf, size_t len);

#endif
