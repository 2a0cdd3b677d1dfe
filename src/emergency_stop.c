/* emergency_stop: the emergency shell ends with the emergency state (see
 * emergency_int.h). Once svctl reload or SIGHUP takes svd out of it, the
 * shell would otherwise run on, an orphan on the console nothing starts or
 * stops any more, and so would what the operator started from it. Its
 * process group and, where it has one (cgroup_shell.c), every process in
 * its cgroup, which holds also what left the shell's session, get SIGHUP
 * (as a hangup of the console would), then SIGTERM, then SIGKILL, each
 * with a bounded wait: svd executes itself again right after, so this may
 * block. Without a cgroup (no usable cgroup v2) what left the process
 * group runs on. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "emergency_int.h"
#include "log.h"
#include "svc.h"

#define STEP_MS 1000
#define POLL_MS 20

static void sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Whether the shell's cgroup (if it has one) still holds a process. */
static bool cg_busy(const struct emergency *e)
{
        return e->shell_cg && cgroup_orphan_populated(e->shell_cg);
}

/* Whether peer was started from the shell: in its session, or anywhere in
 * its cgroup (one put in a session of its own). */
static bool from_shell(const struct emergency *e, pid_t pid, pid_t peer)
{
        return (pid > 0 && getsid(peer) == pid) || (e->shell_cg && cgroup_shell_holds(e->shell_cg, peer));
}

/* The cgroup goes with the emergency state; a resumed one makes it again. */
static void cg_drop(struct emergency *e)
{
        if (!e->shell_cg)
                return;
        if (cgroup_shell_remove(e->shell_cg) < 0)
                log_warn("emergency: %s still holds processes: left there", e->shell_cg);
        free(e->shell_cg);
        e->shell_cg = NULL;
        e->shell_cg_tried = false;
}

static void signal_all(struct emergency *e, pid_t pid, int sig)
{
        if (pid > 0) {
                if (kill(-pid, sig) < 0 && errno == ESRCH)
                        (void)kill(pid, sig);
                if (sig == SIGHUP) /* a stopped process could not act on it */
                        (void)kill(-pid, SIGCONT);
        }
        if (!e->shell_cg)
                return;
        if (sig == SIGKILL)
                (void)cgroup_orphan_kill(e->shell_cg);
        else if (cgroup_orphan_signal(e->shell_cg, sig, 0, 0) > 0 && sig == SIGHUP)
                (void)cgroup_orphan_signal(e->shell_cg, SIGCONT, 0, 0);
}

/* Up to ms for the shell (*pid; 0 once reaped, logged) to end and its
 * cgroup to empty: whether both did. Only the shell is reaped here: the
 * others are not its children, or are reaped by the next instance. */
static bool ended_within(struct emergency *e, pid_t *pid, int ms)
{
        for (int waited = 0;; waited += POLL_MS) {
                int status = 0;
                pid_t r = *pid > 0 ? waitpid(*pid, &status, WNOHANG) : 0;
                if (r == *pid || (r < 0 && errno != EINTR)) {
                        char how[64];
                        log_info("emergency: shell %s (pid %d) ended (%s)", e->shell, (int)*pid,
                                 r < 0 ? "reaped before" : svc_format_exit(status, how, sizeof(how)));
                        *pid = 0;
                }
                if (*pid <= 0 && !cg_busy(e))
                        return true;
                if (waited >= ms)
                        return false;
                sleep_ms(POLL_MS);
        }
}

void emergency_shell_stop(struct ev_loop *loop, struct emergency *e, pid_t peer)
{
        static const int sigs[] = { SIGHUP, SIGTERM, SIGKILL };
        pid_t pid = e->shell_pid;
        ev_timer_stop(loop, &e->shell_timer);
        /* (the shell may have ended and left what it started) */
        if (pid <= 0 && !cg_busy(e)) {
                cg_drop(e);
                return;
        }
        /* an svctl reload typed in the shell prints its reply first */
        for (int waited = 0; peer > 0 && from_shell(e, pid, peer) && waited < STEP_MS; waited += POLL_MS)
                sleep_ms(POLL_MS);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
                const char *sig = signal_name(sigs[i]);
                if (!e->shell_cg)
                        log_info("emergency: leaving the emergency state: sending %s to the shell %s "
                                 "(pid %d) and its process group",
                                 sig, e->shell, (int)pid);
                else if (pid > 0)
                        log_info("emergency: leaving the emergency state: sending %s to the shell %s "
                                 "(pid %d) and its process group, and to every process in its cgroup %s",
                                 sig, e->shell, (int)pid, e->shell_cg);
                else
                        log_info("emergency: leaving the emergency state: sending %s to the processes "
                                 "left in the shell's cgroup %s",
                                 sig, e->shell_cg);
                signal_all(e, pid, sigs[i]);
                bool done = ended_within(e, &pid, STEP_MS);
                e->shell_pid = pid;
                if (done) {
                        cg_drop(e);
                        return;
                }
        }
        if (pid > 0)
                log_err("emergency: shell %s (pid %d) did not end within %ds of SIGKILL; leaving it",
                        e->shell, (int)pid, STEP_MS / 1000);
        else
                log_err("emergency: processes started from the shell are still in %s %ds after "
                        "SIGKILL; leaving them",
                        e->shell_cg, STEP_MS / 1000);
        e->shell_pid = 0;
        cg_drop(e);
}

void emergency_shell_resume(struct ev_loop *loop, struct emergency *e)
{
        if (e->shell && e->shell_pid <= 0 && !ev_is_active(&e->shell_timer)) {
                ev_timer_set(&e->shell_timer, 0., 0.);
                ev_timer_start(loop, &e->shell_timer);
        }
}
