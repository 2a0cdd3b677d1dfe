/* health: readiness and liveness of one service. Schedules its probe (exec
 * probes run here as children in the service's identity; TCP and HTTP checks
 * go to the svd-probe process through prober), counts consecutive failures,
 * moves svc->health, enforces start_timeout and the sd_notify watchdog, and
 * asks svc to restart or fail the service when a check says so. */
#ifndef SVD_HEALTH_H
#define SVD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct svc;

#define HEALTH_OUTPUT_MAX 1024 /* bytes of exec probe output kept */
/* An exec check killed at its timeout that has not exited this long after
 * (stuck in the kernel) is given up on: it counts as failed, and so does
 * every check due while it is still there. */
#define HEALTH_KILL_GRACE_S 5

/* The main process was spawned / became ready (READY=1) / is gone. */
void health_on_spawn(struct svc *s);
void health_on_ready(struct svc *s);
void health_on_exit(struct svc *s);
/* WATCHDOG=1 received. */
void health_on_watchdog(struct svc *s);
/* WATCHDOG_USEC=usec (systemd's sd_notify): the watchdog interval from now
 * until the service next starts, armed at once, with or without a watchdog
 * configured; 0 turns it off. Refused outside the watchdog key's range or
 * for a service not of type notify (logged unless quiet), and ignored when
 * it is neither starting nor up. */
void health_watchdog_usec(struct svc *s, uint64_t usec, bool quiet);
/* The watchdog interval in force: WATCHDOG_USEC= or the watchdog key's. */
uint64_t health_watchdog_interval(const struct svc *s);
/* WATCHDOG=trigger: what a missed WATCHDOG=1 does, now (with or without a
 * watchdog configured), while the service is starting or up. */
void health_watchdog_trigger(struct svc *s);
/* EXTEND_TIMEOUT_USEC= while starting: the start_timeout ends no sooner
 * than usec from now. Whether it applied. */
bool health_extend_start(struct svc *s, uint64_t usec);

/* Outcome of one probe. counted: false when the probe itself could not run
 * for reasons that are not the service's (the prober restarted). */
void health_probe_result(struct svc *s, bool pass, bool counted, const char *detail);

/* A child exited: returns true if it was this service's exec probe. */
bool health_child_exited(struct svc *s, pid_t pid, int status);

/* daemon-reexec: a running or starting service taken over from the previous
 * instance: probing resumes with its counters, start_timeout and the
 * watchdog with the time they had left (< 0: not armed), and the interval
 * its WATCHDOG_USEC= set (< 0: none). */
void health_on_restore(struct svc *s, unsigned probe_failures, bool probe_passed, double start_left_usec,
                       double watchdog_left_usec, double watchdog_usec);
/* daemon-reexec: the exec check (pid, the leader of its process group)
 * the previous instance left running, a child of ours still unreaped: its
 * group is killed, and its exit will be ignored (not counted); the next
 * check starts once it is reaped. */
void health_probe_abandoned(struct svc *s, pid_t probe_pid);
/* Frees watchers and buffers. */
void health_done(struct svc *s);

#endif
