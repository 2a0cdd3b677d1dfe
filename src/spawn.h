/* spawn: starts one child process with a staged setup and reports which stage
 * failed. The child is created with clone(CLONE_VM|CLONE_VFORK): it shares
 * svd's memory until execve (clone3 with CLONE_INTO_CGROUP when the child
 * has a cgroup and the kernel allows it), so spawning costs the same whatever svd's size
 * (no page-table copy as with fork), and the parent resumes only once the
 * child has exec'd or died, so the stage and errno of a failure are read
 * straight from shared memory with no pipe or extra syscall. Everything the
 * child needs (argv, envp, resolved path) is prepared by the caller: the child
 * never allocates. */
#ifndef SVD_SPAWN_H
#define SVD_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>
#include "util.h"

enum spawn_stage {
        SPAWN_STAGE_NONE,
        SPAWN_STAGE_CLONE,
        SPAWN_STAGE_SIGNALS,
        SPAWN_STAGE_SESSION,
        SPAWN_STAGE_CGROUP,
        SPAWN_STAGE_STDIO,
        SPAWN_STAGE_MOUNTS,
        SPAWN_STAGE_RLIMITS,
        SPAWN_STAGE_GROUPS,
        SPAWN_STAGE_GID,
        SPAWN_STAGE_SECUREBITS,
        SPAWN_STAGE_UID,
        SPAWN_STAGE_CAPS,
        SPAWN_STAGE_CHDIR,
        SPAWN_STAGE_NNP,
        SPAWN_STAGE_SECCOMP,
        SPAWN_STAGE_EXEC,
        _SPAWN_STAGE_MAX
};

const char *spawn_stage_name(enum spawn_stage s);

struct sandbox_plan;

struct spawn_req {
        const char *path;   /* absolute path of the executable */
        char *const *argv;
        char *const *envp;
        const char *cwd;    /* NULL: "/"; entered with the final uid, groups and
                               capabilities, just before no_new_privs and seccomp */
        bool cwd_optional;  /* cwd is only a default (the user's home): "/" when
                               the service cannot enter it */
        bool set_ids;       /* switch to uid/gid/groups */
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        size_t n_groups;
        int stdin_fd;       /* -1: /dev/null is opened by the caller; must be valid */
        int stdout_fd;
        int stderr_fd;
        int extra_fd;       /* -1, or an fd that becomes fd 3 */
        int cgroup_procs_fd; /* -1, or a cgroup.procs the child joins before exec */
        int cgroup_fd;      /* -1, or that cgroup's directory: the child is created
                               in it with clone3(CLONE_INTO_CGROUP) where the
                               kernel has it (cgroup_procs_fd is the fallback) */
        char *pid_env;      /* NULL, or an envp entry "NAME=" with room for 20 digits
                               after '=': the child writes its own pid there */
        const struct sandbox_plan *sandbox; /* NULL: none (sandbox.h) */
        bool join_mntns;    /* enter mntns_fd (a running service's mount namespace,
                               /proc/PID/ns/mnt) instead of setting up the
                               sandbox's own mounts: an exec check sees what its
                               service sees, its private /tmp included */
        int mntns_fd;
        struct spawn_journal *journal; /* NULL, or where the child notes its pid */
        usec_t *ret_exec_mono; /* NULL, or where the child stores now_mono() just
                                  before execve: what follows is the kernel loading
                                  the program (boot timing) */
        bool svd_nofile;    /* keep svd's own raised limit on open files (its
                               helpers: svd-fdstore, svd-probe); else the one svd
                               was started with (nofile.h) */
};

/* Where the child writes down its own pid before it does anything else
 * (statejournal.h): "S PID START NAME\n", one write(2) to fd (O_APPEND),
 * START being field 22 of /proc/self/stat. Until that line is written the
 * child dies with svd (PR_SET_PDEATHSIG, and a check that svd is still its
 * parent); after it, a new svd knows the process. So a kill of svd at any
 * point of the spawn never leaves a process no file names. */
struct spawn_journal {
        int fd;
        const char *name;
        /* out: bytes the child wrote (len on success, less if the write
         * failed or was short) and what the line says */
        int len, written;
        unsigned long long start;
};

struct spawn_error {
        enum spawn_stage stage;
        int err;            /* errno */
        int detail;         /* rlimits: 1 + the index in the sandbox plan of the
                               limit refused, -1 the services' nofile default
                               (nofile.h); 0 otherwise */
};

/* Returns 0 with *ret_pid on success (the child has exec'd). On a child-stage
 * failure returns -err, fills *ret_err and has already reaped the child. */
int spawn_start(const struct spawn_req *req, pid_t *ret_pid, struct spawn_error *ret_err);

/* How children got into their cgroup so far: 0 no cgroup spawn yet, 1
 * clone3(CLONE_INTO_CGROUP), -errno: clone3 is unusable here (that errno) and
 * each child joins its cgroup before exec instead. */
int spawn_clone3_status(void);

/* Resolves a command name through PATH (colon list) to an executable path.
 * Returns a malloc'd path, or NULL with errno set. */
char *spawn_find_executable(const char *name, const char *path_env);

#endif
