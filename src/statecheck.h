/* statecheck: the ranges of the numbers in svd's state (snapshot.h), checked
 * before any of them is converted to the integer it was saved from. A state
 * file lives on disk between two svd processes: damage from elsewhere (a
 * bad disk, a hand edit) must not reach a cast whose result is undefined
 * (a double beyond the range of the integer type). Pure: no I/O, no logs. */
#ifndef SVD_STATECHECK_H
#define SVD_STATECHECK_H

#include <cjson/cJSON.h>

/* The top-level fields (svd_pid, svd_start, saved_mono, boot.*, fds.*).
 * 0, or -ERANGE with *ret_field naming the first bad one ("boot.mono").
 * A field that is absent or not a number is not checked (it is read as
 * absent). */
int statecheck_root(const cJSON *root, const char **ret_field);

/* One element of "services", its "log" and "timer" objects included;
 * as statecheck_root. */
int statecheck_svc(const cJSON *svc, const char **ret_field);

#endif
