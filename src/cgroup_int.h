/* cgroup_int: shared by the cgroup_* modules only (not for the rest of svd):
 * the manager's state and the cgroup file helpers. */
#ifndef SVD_CGROUP_INT_H
#define SVD_CGROUP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

struct svc;
struct svd;

struct cgroup_mgr {
        bool enabled;
        char reason[256];
        char *root;            /* absolute: <mount><own cgroup>/<cgroup_root> */
        char controllers[256]; /* enabled in our subtree, space separated */
        bool has_kill;
        uint64_t host_ram;
        int ino_fd;
        ev_io ino_io;
        char **slice_paths; /* absolute, per slice */
        char **slice_refused; /* per slice: the limits the kernel refused at
                               * svd's last write of them (its reason), or NULL */
        size_t n_slices;      /* of slice_paths and slice_refused */
        bool slices_stale;    /* they are of the configuration before a reload
                               * that ran out of memory setting the slices up:
                               * its indexes are not m->cfg's (cgroup_stats.c) */
        struct cg_gone *gone; /* slices dropped but not empty yet (cgroup_gone.c) */
        size_t n_gone;
        int spawn_logged;   /* spawn_clone3_status() last logged */
};

/* dir/file: write val, read into buf (NUL-terminated; length or -errno), the
 * value of "key value" line key (-ENOENT if none). */
int cg_write_file(const char *dir, const char *file, const char *val);
int cg_read_file(const char *dir, const char *file, char *buf, size_t len);
int cg_read_key(const char *dir, const char *file, const char *key, uint64_t *ret);

/* cgroup.c: the first cgroup2 mount point (malloc'd; NULL if none), this
 * process's cgroup from /proc/self/cgroup (malloc'd, "/..."; NULL if not
 * known), that cgroup cut back to the base of svd's subtree when it is
 * <base>/<cgroup_root>/supervisor (in place), and whether the space
 * separated list has word w. */
char *cg_find_mount(void);
char *cg_own_cgroup(void);
void cg_own_base(char *own, const char *cgroup_root);
bool cg_has_word(const char *list, const char *w);
/* cgroup_knobs.c: writes r's knobs into dir; reset: also what r leaves
 * unset goes back to the kernel's default. The first write refused:
 * -errno, and err names its file and the value refused. */
struct resources_config;
int cg_apply_knobs(struct cgroup_mgr *g, const char *dir, const struct resources_config *r, bool reset, char *err,
                   size_t errlen);
/* The same, resetting, for a running service or slice (a live change):
 * every knob the kernel takes is written, each refused one named in err
 * ("FILE 'VALUE': reason; ..."); returns how many were refused. */
int cg_apply_knobs_all(struct cgroup_mgr *g, const char *dir, const struct resources_config *r, char *err,
                       size_t errlen);
/* cgroup_live.c: warns when r's memory_max is below dir's memory.current
 * now (the kernel reclaims, then OOM-kills in it), naming "KIND NAME"
 * (kind "slice") or, kind NULL, service name's resources.memory_max. */
void cg_below_use(struct cgroup_mgr *g, const char *dir, const struct resources_config *r, const char *kind,
                  const char *name);
/* cgroup_live.c: a reload's (or a take-over's, cgroup_init) write of
 * slice sl's limits into its cgroup dir (existed: kept from before, or
 * left by an earlier svd): every knob the kernel takes is written, those
 * sl leaves unset go back to the kernel's defaults, and each refused one
 * is logged; returns the slice's reason for svctl status (malloc'd) when
 * one was refused, else NULL. */
struct slice_config;
char *cg_slice_apply_live(struct cgroup_mgr *g, const char *dir, const struct slice_config *sl,
                          bool existed);
/* cgroup_missing.c: whether file's controller (cpu, io, cpuset) is in svd's
 * cgroup.controllers (memory and pids always are), and the warning naming
 * each missing one with the keys and the services and slices it leaves
 * unapplied (at start and at each reload). */
bool cg_controller_on(const struct cgroup_mgr *g, const char *file);
void cg_warn_missing(struct svd *m);
/* s->cg_path from the configuration if not set yet: 0 or -ENOMEM. */
int cg_leaf_path(struct svc *s);
/* Watches the leaf's cgroup.events (empty = svc_cgroup_empty) if not yet. */
void cg_watch_events(struct svc *s);
/* The leaf holds processes while the service has none (cgroup_kill.c):
 * kills them and, once per such finding, logs it and starts the bounded
 * wait for them to be gone. */
void cg_leftovers_found(struct svc *s);
/* The leaf is dropped: no wait for its leftovers any more (no log). */
void cg_leftovers_forget(struct svc *s);
/* Removes dir and the cgroups below it (a service may make its own there),
 * deepest first; nothing while a process is in any of them. */
void cg_rmdir_tree(const char *dir);
/* At start, once the slices are set up: removes the empty slices and
 * service leaves in svd's subtree that the configuration no longer has
 * (cgroup_sweep.c); logs each. */
struct svd;
void cg_sweep_stale(struct svd *m);
/* cgroup_gone.c: path, the cgroup of a slice or a service leaf no longer
 * configured (or configured at another path), could not be removed: kept,
 * watched, and removed once empty (cg_gone_retry). why:
 * for the log ("removed by the reload"), which says what is left in it;
 * NULL: the caller said so. */
void cg_gone_add(struct svd *m, const char *path, const char *why);
/* The slices of paths (NULL-terminated) are configured again: not removed. */
void cg_gone_keep(struct svd *m, char **paths);
/* Tries each again, the deepest first; logs each removed. */
void cg_gone_retry(struct svd *m);
/* An inotify event: true if wd is one of theirs (and they were retried). */
bool cg_gone_event(struct svd *m, int wd);
void cg_gone_done(struct cgroup_mgr *g);

/* fn(pid, ctx) for every process listed in the cgroup at path and in those
 * below it, max_depth levels down (path: a buffer of PATH_MAX, restored on
 * return; depth: 0 at the top). The sum of fn's returns; -errno when
 * path's own cgroup.procs cannot be read at depth 0 (one below may vanish
 * meanwhile). (cgroup_kill.c) */
int cg_walk_procs(char *path, int depth, int max_depth, int (*fn)(pid_t pid, void *ctx), void *ctx);

#endif
