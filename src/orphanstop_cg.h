/* orphanstop_cg: the cgroup of a service no longer configured that a state
 * names (orphanstop.h), when it still holds processes. Those that left the
 * main process's group (a double-forked daemon, setsid children) stay in
 * the service's leaf: stopping the main process and its group left them
 * running for ever, supervised by nothing. Each process in the leaf (and
 * the cgroups below it) gets the defaults' stop signal, the leaf's
 * cgroup.kill (SIGKILL of each on kernels without it) the defaults' stop
 * timeout later if it is not empty by then; the leaf is removed once empty
 * (cgroup_gone.c). Handed over across daemon-reexec and a kill of svd
 * ("orphan_cgroups" in the state), as orphanstop's processes are. */
#ifndef SVD_ORPHANSTOP_CG_H
#define SVD_ORPHANSTOP_CG_H

#include <sys/types.h>

#include <cjson/cJSON.h>

struct svd;

/* name's leaf, as the state's entry names it ("cgroup"; NULL: none):
 * stopped as above. The process pid and its group pgid (0: none) got the
 * stop signal already (orphanstop.c): not a second time. */
void orphanstop_cg_stop(struct svd *m, const char *name, const char *was, pid_t pid, pid_t pgid);
/* An event on a leaf's cgroup.events (cgroup_gone.c): those no longer
 * populated (or removed) are done with: their kill timers stop. */
void orphanstop_cg_event(struct svd *m);
/* path is a configured service's leaf again, its leftovers killed before
 * its start (cg_leftovers_found): its stop is done, not to kill the
 * service's own processes when its timeout is up. */
void orphanstop_cg_claimed(struct svd *m, const char *path);
/* Into the state: the leaves still being stopped, with the time left to
 * their kill, as "orphan_cgroups". */
void orphanstop_cg_save(struct svd *m, cJSON *state);
/* From the state restored: those still holding processes are killed when
 * their time is up (no second stop signal). */
void orphanstop_cg_restore(struct svd *m, const cJSON *state);
/* svd ends: what is still in them is killed; everything is freed. */
void orphanstop_cg_done(struct svd *m);

#endif
