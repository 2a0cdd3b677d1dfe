/* nofile: svd's own limit on open files. svd holds about five descriptors
 * per service (each log pipe's two ends, the log file), so the soft
 * RLIMIT_NOFILE it is started with (1024 for PID 1 and under systemd) runs
 * out at a couple of hundred services. svd raises its own soft limit to the
 * hard one. Its services start with the soft limit svd was started with (a
 * program using select() must not see descriptors above 1023) and a hard
 * limit of 524288 (systemd's for its services; at most fs.nr_open), or the
 * one svd was started with if that is higher or svd may not raise it,
 * unless limits.nofile says otherwise: a database or proxy raises its own
 * soft limit as far as it needs, which 4096 (PID 1's) would not allow. A
 * daemon-reexec's new instance starts with the raised limit: the original
 * comes with the state. */
#ifndef SVD_NOFILE_H
#define SVD_NOFILE_H

#include <sys/resource.h>

#include <cjson/cJSON.h>

/* Raises the soft limit; the limit services get derives from the one found
 * now, or the one a daemon-reexec's state (restore, may be NULL) names. */
void nofile_raise(const cJSON *restore);

/* What a service's process sets before its own limits.nofile: NULL if svd
 * did not raise its own (it has nothing to give back). Safe in the spawn
 * child (no allocation, read only). */
const struct rlimit *nofile_services(void);

/* Back to the limit svd was started with (an exec that carries no state
 * follows: the next instance must find the original). */
void nofile_lower(void);

/* Into a daemon-reexec's state: the services' limit. */
void nofile_save(cJSON *state);

#endif
