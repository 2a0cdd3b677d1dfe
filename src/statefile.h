/* statefile: <run_dir>/state.json, the same state daemon-reexec passes on
 * (snapshot.h), written atomically shortly after every change of a
 * service's state or health (changes within 50 ms are written once; an idle
 * svd writes nothing). If svd is killed or crashes, the next svd reads it
 * and takes the still-running services over instead of starting duplicates
 * (their log pipes come back from svd-fdstore, fdstore.h). A clean exit
 * removes it. Not used as PID 1. */
#ifndef SVD_STATEFILE_H
#define SVD_STATEFILE_H

#include <ev.h>

#include <cjson/cJSON.h>

struct svd;
struct svd_config;

void statefile_touch(struct svd *m);
void statefile_cb(struct ev_loop *loop, ev_timer *w, int revents);
void statefile_remove(struct svd *m);
/* At start: the state a killed svd left, if its pid is gone; NULL if none. */
cJSON *statefile_load_orphaned(const struct svd_config *cfg);

/* The start time of pid (clock ticks since boot, /proc/PID/stat field 22);
 * 0 if it does not exist. Tells a service's process from a reused pid. */
unsigned long long statefile_pid_start(pid_t pid);

#endif
