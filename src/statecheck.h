/* statecheck: the ranges of the numbers in svd's state (snapshot.h), checked
 * before any of them is converted to the integer it was saved from. A state
 * file lives on disk between two svd processes: damage from elsewhere (a
 * bad disk, a hand edit) must not reach a cast whose result is undefined
 * (a double beyond the range of the integer type). Pure: no I/O, no logs. */
#ifndef SVD_STATECHECK_H
#define SVD_STATECHECK_H

#include <cjson/cJSON.h>

/* The top-level fields (svd_pid, svd_start, saved_mono, boot.*, fds.*).
 * 0, or with *ret_field naming the first bad one ("boot.mono"): -ERANGE
 * (out of range) or -EINVAL (present, but not a number: read as absent it
 * would be read as 0). An absent field is not checked. */
int statecheck_root(const cJSON *root, const char **ret_field);

/* One element of "services", its "log" and "timer" objects included;
 * as statecheck_root, and also -EINVAL for a "name" that is not a string
 * (-ENOENT: none) or a "state" that is no state's
 * name, -ESRCH for a state with a main process (starting, running,
 * reloading, stopping) without a "pid" (and no exit pending): restored,
 * the service would show that state for ever, no process watched. */
int statecheck_svc(const cJSON *svc, const char **ret_field);

/* What a -errno of the two above says of the field: "out of range", ... */
const char *statecheck_what(int r);

#endif
