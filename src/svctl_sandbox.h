/* svctl_sandbox: prints the replies to `svctl audit` (a table, one line per
 * service: user, capabilities, seccomp, no_new_privs, filesystem, score) and
 * `svctl show NAME` (the effective sandbox as "key: value" lines). With
 * --json the payload is passed through: {"services":[...]} for audit, the
 * sandbox object for show. Returns 0, -EBADMSG or -errno (svctl_output.h). */
#ifndef SVD_SVCTL_SANDBOX_H
#define SVD_SVCTL_SANDBOX_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

int svctl_print_audit(FILE *f, const cJSON *reply, bool json);
int svctl_print_show(FILE *f, const cJSON *reply, bool json);

#endif
