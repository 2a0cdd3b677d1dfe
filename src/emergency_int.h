/* emergency_int: the emergency state's own data, shared by emergency.c (the
 * loop, the shell, the control operations) and emergency_reload.c (leaving
 * it: svctl reload and SIGHUP). */
#ifndef SVD_EMERGENCY_INT_H
#define SVD_EMERGENCY_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <ev.h>

#include "emergency.h"
#include "util.h"

/* A service a daemon-reexec's state names with a running process: nothing
 * supervises it while the emergency lasts. */
struct emergency_carried {
        char *name;
        pid_t pid; /* 0 once the emergency reaped it */
};

struct emergency {
        char *reason;
        char **details;
        usec_t since_real;
        const char *shell;      /* cfg->emergency_shell; NULL = none */
        const char *cgroup_root; /* cfg->cgroup_root: where the shell's cgroup goes */
        pid_t shell_pid;        /* 0 = not running */
        usec_t shell_started_mono;
        unsigned shell_starts;
        unsigned shell_quick;   /* ends within a second in a row: the retry backs off */
        /* The shell's cgroup (cgroup_shell.c), which holds everything it
         * started: ended with it. NULL: none (no usable cgroup v2), only
         * its process group is. */
        char *shell_cg;
        bool shell_cg_tried; /* (said once which of the two) */
        ev_timer shell_timer;
        ev_signal sig_term, sig_int, sig_usr2, sig_pwr, sig_hup;
        ev_child child;
        struct emergency_recovery rec;
        struct emergency_carried *carried;
        size_t n_carried;
        cJSON *reaped;          /* [{pid, status}] of carried processes, for the new instance */
        ev_timer exec_timer;    /* the exec, once the reply to svctl reload is out */
        pid_t reload_peer;      /* the svctl reload that ends the emergency; 0 = SIGHUP */
};

/* Replaces the cause and its details (both copied). */
void emergency_set_reason(struct emergency *e, const char *reason, char *const *details, size_t n);

/* From rec.restore: the services whose processes run on. */
void emergency_carry(struct emergency *e);

/* A child the emergency reaped: kept for the new instance if it was a
 * carried service's process. */
void emergency_reaped(struct emergency *e, pid_t pid, int status);

/* Leaving the emergency state (emergency_stop.c): stops the shell, its
 * process group and every process in its cgroup (if it has one): SIGHUP,
 * SIGTERM, SIGKILL, each waited for up to a second, and logs it; an svctl
 * reload PEER run in its session or cgroup may end first. */
void emergency_shell_stop(struct ev_loop *loop, struct emergency *e, pid_t peer);

/* Still in the emergency state after all (the exec failed): the shell
 * starts again. */
void emergency_shell_resume(struct ev_loop *loop, struct emergency *e);

/* svctl reload in the emergency state (OP_RELOAD). */
cJSON *emergency_reload_op(struct svd *m, const cJSON *req, const struct control_peer *peer);

/* SIGHUP in the emergency state: the same, logged. */
void emergency_reload_signal(struct svd *m);

#endif
