/* cgroup: cgroup v2 for services. svd finds the cgroup2 mount (mounting it
 * when PID 1), creates its subtree below its own cgroup (cgroup_root, default
 * "svd"), moves itself into <root>/supervisor (no internal processes; not
 * when PID 1 in the hierarchy's root, which that rule exempts), builds
 * the slice tree (<root>/<a>.slice/<b>.slice) with its limits, and gives each
 * service a leaf <slice path>/<name>.service whose limits are written before
 * the service's first instruction runs: the child is created inside its leaf
 * with clone3(CLONE_INTO_CGROUP) where the kernel allows it, and otherwise
 * joins it before execve while svd waits (vfork semantics), so there is no
 * window in which a service runs unconstrained. Leaves are watched with inotify on
 * cgroup.events (empty = down) and memory.events (OOM kills), never polled.
 *
 * On hosts without usable v2 controllers (hybrid/v1 layouts) nothing is
 * created or written; cgroups: optional runs services without limits and says
 * so in their status, cgroups: required refuses to start. */
#ifndef SVD_CGROUP_H
#define SVD_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

struct svd;
struct svc;
struct cJSON;

struct cg_stats {
        bool valid;
        uint64_t cpu_usage_usec;
        uint64_t cpu_throttled_usec;
        uint64_t nr_throttled;
        uint64_t memory_current;
        bool has_memory_peak;
        uint64_t memory_peak;
        uint64_t pids_current;
};

/* PID 1's early boot, on init_early's thread (no svd state, no logging):
 * enables svd's controllers in the subtree_control of mnt when it is the
 * root of a cgroup2 hierarchy and svd's own cgroup; 0 when done or nothing
 * to do, else -errno with why set. */
int cgroup_enable_root_controllers(const char *mnt, char *why, size_t why_len);
/* Sets up svd's subtree and slices. 0 when cgroups are in use, -ENODEV when
 * they are unavailable (reason set, nothing touched), other -errno on error. */
int cgroup_init(struct svd *m, char *reason, size_t reason_len);
bool cgroup_enabled(const struct svd *m);
const char *cgroup_unavailable_reason(const struct svd *m);

/* Creates the service's leaf, writes its limits (an existing leaf's unset
 * ones back to the kernel's defaults), opens its cgroup.procs for the
 * spawned child and starts watching it; processes found in an existing leaf
 * are killed (cgroup_leftovers_wait). -errno on failure (the service must
 * then not start). */
int cgroup_prepare(struct svd *m, struct svc *s);
/* After a spawn into a leaf: logs, once per change, how children get into
 * their cgroup (clone3 CLONE_INTO_CGROUP, or joining before exec). */
void cgroup_note_spawn(struct svd *m);
/* "clone3", "join" (the fallback) or "none" (no service spawned yet). */
const char *cgroup_spawn_mode(void);
/* Whether the leaf still has processes. */
bool cgroup_populated(struct svc *s);
/* Whether pid is in the leaf (its cgroup.procs). */
bool cgroup_contains(struct svc *s, pid_t pid);
/* Kills every process in the leaf and the cgroups below it (cgroup.kill, or
 * cgroup_kill_tree on kernels without it). Does not wait: cgroup.events
 * says when they are gone. */
int cgroup_kill(struct svc *s);
/* An exec health check's cgroup, <leaf>/svd-check (made if missing; the
 * leaf's path is known also for a service taken over by daemon-reexec): its
 * directory and cgroup.procs opened O_CLOEXEC, for spawn_req's cgroup_fd and
 * cgroup_procs_fd. -EOPNOTSUPP without cgroups, else -errno. */
int cgroup_check_open(struct svc *s, int *ret_dir_fd, int *ret_procs_fd);
/* Kills every process in <leaf>/svd-check (and below): what a check left,
 * whatever its process group. Does not wait. 0 or -errno (-ENOENT: no such
 * cgroup, no check ever ran there). */
int cgroup_check_kill(struct svc *s);
/* Without cgroup.kill: SIGKILL to every pid in the cgroup.procs of dir and
 * of every cgroup below it, pass after pass until one finds no process it
 * has not killed yet (forks racing the kill; bounded). The number of
 * processes signalled, or -errno if dir's own cgroup.procs cannot be read. */
int cgroup_kill_tree(const char *dir);

/* How long a start waits for the processes left in its leaf to die after
 * SIGKILL (seconds). */
#define CGROUP_LEFTOVER_WAIT 10
/* Before a spawn (never blocks): whether the leaf still holds processes of an
 * earlier run (a killed svd's, ones that outlived the wait after an exit, a
 * main process given up on after SIGKILL). They are killed and the start
 * waits: true, with why, until cgroup.events says the leaf is empty
 * (svc_cgroup_empty, then svc_recheck_start) or CGROUP_LEFTOVER_WAIT has
 * passed (logged; the start then goes ahead beside them). */
bool cgroup_leftovers_wait(struct svc *s, char *why, size_t why_len);
/* The leaf is empty: the wait for leftovers (if any) is over, logged. */
void cgroup_leftovers_end(struct svc *s);
/* daemon-reexec: a waiting service's leaf is looked at again from the loop
 * (the wait itself is not in the saved state). */
void cgroup_leftovers_recheck(struct svc *s);
/* Reads the leaf's memory.events: OOM kills not accounted yet are added to
 * s->oom_kills and logged. Whether there were any. */
bool cgroup_oom_check(struct svc *s);
/* The same from the memory.events watch, as a kill happens (cgroup_oom.c):
 * kills counted while the main process is alive and not dying are another
 * process's, and are no cause of its end. */
void cgroup_oom_event(struct svc *s);
int cgroup_stats(struct svc *s, struct cg_stats *ret);
int cgroup_slice_stats(struct svd *m, size_t slice, struct cg_stats *ret);
/* A knob file of s's leaf as the kernel has it now ("max", "50000 100000"),
 * its first line: 0, or -errno (-ENOENT: no leaf, no such file). */
int cgroup_knob_read(struct svc *s, const char *file, char *buf, size_t len);
/* The same for slice number slice (m->cfg->slices). */
int cgroup_slice_knob_read(struct svd *m, size_t slice, const char *file, char *buf, size_t len);
/* What the kernel refused of slice number slice's limits when svd last
 * wrote them, as its reason for svctl status, or NULL. */
const char *cgroup_slice_refused(const struct svd *m, size_t slice);

/* Pure: the leaf path of a service relative to svd's root, e.g.
 * "system.slice/db.slice/postgres.service"; malloc'd, NULL on error. */
char *cgroup_service_path(const struct svd_config *c, const struct svc_config *s);
char *cgroup_slice_path(const struct svd_config *c, const struct slice_config *sl);
/* Pure: the cgroup v2 file contents for a knob. Returns 0 with buf filled, or
 * -ENOENT when the knob is unset. host_ram is MemTotal in bytes. */
int cgroup_knob_value(const struct resources_config *r, const char *file, uint64_t host_ram, char *buf,
                      size_t len);
/* Pure: what a knob file is reset to when the configuration leaves it unset
 * and the cgroup existed already (the kernel's default: "max", "0", ...);
 * NULL for an unknown file. */
const char *cgroup_knob_default(const char *file);
extern const char *const cgroup_knob_files[];

void cgroup_done(struct svd *m);
/* Reload: creates the new generation's slices and applies their limits again;
 * slices no longer configured are removed once empty. */
void cgroup_reload_slices(struct svd *m);
/* A text for svctl status when r sets keys of controllers svd's cgroup does
 * not have ("io_weight not applied: the io controller is not available to
 * svd"): true with buf filled, false if none (cgroup_missing.c). */
bool cgroup_missing_text(const struct svd *m, const struct resources_config *r, char *buf, size_t len);
/* Reload (cgroup_live.c): s is kept, its resources changed: written into its
 * leaf if there is one (reset: what they leave unset goes back to the
 * kernel's default), with a warning for a memory_max below its use now; a
 * refused write is logged and set as its reason. */
void cgroup_apply_live(struct svd *m, struct svc *s);
/* daemon-reexec (cgroup_live.c): into s's state object o, the fingerprint
 * of the resources: its leaf holds; from it, taking s over, s->res_stale
 * (not for one that is down or cfg_stale: its start or restart writes them
 * all), said in one line. */
void cgroup_live_save(const struct svc *s, struct cJSON *o);
void cgroup_live_restore(struct svc *s, const struct cJSON *o);
/* A service's leaf is dropped (removed if empty): the next start makes it
 * again from the current definition. */
void cgroup_forget(struct svd *m, struct svc *s);
/* The same for a service the reload removes: a leaf that still holds
 * processes (stuck in the kernel past the stop) is logged, watched and
 * removed once empty (cgroup_gone.c). */
void cgroup_forget_removed(struct svd *m, struct svc *s);
/* cgroup_orphan.c: the leaf was (from a state) of service name, no longer
 * configured: 1 with *ret_path (malloc'd) when it is in svd's subtree,
 * named NAME.service, and still holds processes (then also removed once
 * empty, as cgroup_forget_removed's); 0 when cgroups are off or it is
 * gone or empty; -EINVAL when the state names a path svd would not make
 * there; -ENOMEM. */
int cgroup_orphan_leaf(struct svd *m, const char *name, const char *was, char **ret_path);
bool cgroup_orphan_populated(const char *path);
/* sig to every process in path and the cgroups below it, but skip_pid and
 * those in process group skip_pgid (0: none), which are signalled with
 * it: how many, or -errno if path's cgroup.procs cannot be read. */
int cgroup_orphan_signal(const char *path, int sig, pid_t skip_pgid, pid_t skip_pid);
/* Kills everything in path and below (cgroup.kill, or cgroup_kill_tree on
 * kernels without it). Needs no cgroup manager (as svd ends). */
int cgroup_orphan_kill(const char *path);
/* cgroup_shell.c, the emergency shell's cgroup: <base of svd's
 * subtree>/<cgroup_root>/emergency-shell, made if missing, its path
 * (malloc'd) in *ret_path. Only where cgroup_init would make svd's subtree
 * (a cgroup2 hierarchy with the memory and pids controllers): -ENODEV
 * without one (a hybrid host: nothing touched), other -errno on errors;
 * why says which. Needs no cgroup manager. */
int cgroup_shell_prepare(const char *cgroup_root, char **ret_path, char *why, size_t why_len);
/* Whether pid is in path's cgroup or one below it. */
bool cgroup_shell_holds(const char *path, pid_t pid);
/* Removes path and the cgroups below it: 0, or -EBUSY while a process is
 * still in one of them (it then stays). */
int cgroup_shell_remove(const char *path);
/* daemon-reexec: a running service's existing leaf, watched again (its
 * oom_seen count comes from the saved state). was: the leaf the previous
 * instance ran it in (NULL: not known); true when that is not where the
 * configuration puts it now (a slice's parent changed on disk since): it
 * is taken over there, and runs an older definition. */
bool cgroup_adopt(struct svd *m, struct svc *s, const char *was);

#endif
