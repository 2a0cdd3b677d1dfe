/* statefile: <run_dir>/state.json, the same state daemon-reexec passes on
 * (snapshot.h), written atomically shortly after every change of a
 * service's state or health (changes within 50 ms are written once; an idle
 * svd writes nothing). A new main process (a spawn, MAINPID=) is written
 * sooner: at the end of the loop iteration, unless the last write is less
 * than 50 ms old; state.journal (statejournal.h) records it in the meantime.
 * If svd is killed or crashes, the next svd reads both and takes the
 * still-running services over instead of starting duplicates (their log
 * pipes come back from svd-fdstore, fdstore.h). A clean exit removes them.
 * A write that fails is tried again on a timer (1 s, doubling to 30 s)
 * until one succeeds, logged when it starts failing and when it works
 * again; one that fails for want of space first gets some of
 * state.reserve (statereserve.h) and is tried again at once.
 * Not used as PID 1. */
#ifndef SVD_STATEFILE_H
#define SVD_STATEFILE_H

#include <ev.h>

#include <cjson/cJSON.h>

struct svd;
struct svd_config;

void statefile_init(struct svd *m);
void statefile_stop(struct svd *m);
/* A change to write within 50 ms. */
void statefile_touch(struct svd *m);
/* A new main process: written when this loop iteration's callbacks are done
 * (one write for a burst of spawns), or 50 ms after the last write if that
 * is sooner than 50 ms from now. */
void statefile_touch_now(struct svd *m);
/* Written at once (before what it records takes effect: a kill of svd
 * right after must find it); a no-op where the file is not kept. 0, or
 * -errno when the write failed (tried again on a timer, as always). */
int statefile_write_now(struct svd *m);
void statefile_remove(struct svd *m);
/* At start: the state a killed svd left, if its pid is gone; NULL if none,
 * or if it is not one to take over (logged): damaged, of another format or
 * version (a downgrade), a number out of range or of the wrong type
 * (statecheck.h), no "services" list (all kept aside as
 * state.json.unreadable), or written during another boot (its "boot_id"
 * is not this boot's). */
cJSON *statefile_load_orphaned(const struct svd_config *cfg);

/* The start time of pid (clock ticks since boot, /proc/PID/stat field 22);
 * 0 if it does not exist. Tells a service's process from a reused pid. */
unsigned long long statefile_pid_start(pid_t pid);
/* The same of this process, through /proc/self: right also where /proc is
 * another PID namespace's (getpid() would name another process there). */
unsigned long long statefile_self_start(void);
/* This process's pid as /proc names it (the target of /proc/self), to go
 * with statefile_self_start: getpid() where /proc is this PID namespace's
 * (or cannot tell), another number where it is another namespace's. */
pid_t statefile_self_pid(void);

/* This boot's id (/proc/sys/kernel/random/boot_id), read once; NULL if
 * unknown. Both files carry it: a run_dir on persistent storage outlives a
 * boot, and the pids and start times of the boot before may name processes
 * of this one. */
const char *statefile_boot_id(void);

#endif
