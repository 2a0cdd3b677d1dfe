/* svctl_reexec: `svctl daemon-reexec` after svd accepted the request. svd
 * answers before it executes its binary, so the reply alone does not say
 * the exec happened: svctl asks for svd's version until another instance
 * answers (the id svd draws at each start, reexec_result.h), or the one
 * that accepted reports this attempt failed, within SVCTL_REEXEC_WAIT_SEC.
 * An svd that sends no instance id (older) leaves the outcome unknown. */
#ifndef SVD_SVCTL_REEXEC_H
#define SVD_SVCTL_REEXEC_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#define SVCTL_REEXEC_WAIT_SEC 30

/* reply: svd's "ok" to daemon_reexec on the socket at path. Prints the
 * outcome (stdout; the failure on stderr) and returns the exit code: 0 done
 * or unknown; 1 the exec failed (svd's error), the new instance is in the
 * emergency state, or no outcome in time; 3 svd stopped answering. */
int svctl_reexec_wait(const char *path, const cJSON *reply, bool json);

#endif
