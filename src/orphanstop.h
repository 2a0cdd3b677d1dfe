/* orphanstop: the processes of services a state names that the
 * configuration no longer has (a daemon-reexec or a take-over after a kill
 * of svd, with the service's file removed meanwhile). Each is sent the stop
 * signal of the main file's defaults (what such a service most likely
 * had), its process group too, and SIGKILL (the group, then the process
 * through a pidfd: never another process that got its number) if it has
 * not ended within the defaults' stop timeout. Before, it got SIGTERM and
 * nothing else: one that ignored it ran on for ever, named by no state,
 * supervised by nothing. Tracked until it ends; svd's own end kills what
 * is left. */
#ifndef SVD_ORPHANSTOP_H
#define SVD_ORPHANSTOP_H

#include <cjson/cJSON.h>

struct svd;

/* An entry of "services" in the state being restored whose service the
 * configuration does not have (checked by statecheck_svc): its log pipes
 * (a re-exec's, inherited) closed, and its process, if it is still the one
 * the entry names, stopped as above (its group too if it leads it). */
void orphanstop_entry(struct svd *m, const cJSON *o);
/* Into the state (a re-exec's or the state file): the processes still
 * being stopped, with their start times and the time left to SIGKILL, as
 * "orphans". */
void orphanstop_save(struct svd *m, cJSON *state);
/* From the state restored: those still the same process are sent the stop
 * signal again, and SIGKILL when their time is up. Without this, a
 * re-exec or a kill of svd during the stop timeout forgot them again. */
void orphanstop_restore(struct svd *m, const cJSON *state);
/* svd ends: what still runs gets SIGKILL; everything is freed. */
void orphanstop_done(struct svd *m);

#endif
