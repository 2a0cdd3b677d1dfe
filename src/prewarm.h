/* prewarm: while the boot waits on a dependency (an init job, a database
 * starting), the loop is idle: the services still waiting get the costly,
 * repeatable parts of their spawn done then, off the critical path -- the
 * user's group list (NSS may load modules and read files), the seccomp
 * filter (cached by sandbox_seccomp.c), the log pipes and file, the cgroup
 * leaf with its limits. The spawn takes what is ready and does the rest.
 * One service per idle round, so events that arrive meanwhile go first;
 * the one that starts soonest (earliest wave) first. */
#ifndef SVD_PREWARM_H
#define SVD_PREWARM_H

#include <stdbool.h>
#include <sys/types.h>

struct svd;
struct svc;
struct svc_config;

struct svc_prewarm {
        gid_t *groups;     /* the user's groups (getgrouplist), if looked up */
        int n_groups;
        bool have_groups;
        bool cgroup_done;  /* cgroup_prepare() succeeded */
};

/* Starts prewarming the waiting services (svd_boot()). */
void prewarm_start(struct svd *m);
void prewarm_stop(struct svd *m);
/* Forgets what was prepared for s (it stopped, or its definition changed). */
void prewarm_drop(struct svc *s);

/* The user's supplementary groups for c (c->user set), as getgrouplist();
 * *ret malloc'd. 0 or -ENOMEM. */
int svc_user_groups(const struct svc_config *c, gid_t **ret, int *ret_n);
/* Appends c's supplementary_groups to *groups (*n of them, realloc'd):
 * they come on top of the user's own. 0 or -ENOMEM (*groups unchanged). */
int svc_add_sup_groups(const struct svc_config *c, gid_t **groups, int *n);
/* Where a process of c starts: working_dir, else the user's home (only a
 * default: spawn_req.cwd_optional), else "/". */
const char *svc_spawn_cwd(const struct svc_config *c);

#endif
