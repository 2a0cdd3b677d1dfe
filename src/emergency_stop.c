/* emergency_stop: the emergency shell ends with the emergency state (see
 * emergency_int.h). Once svctl reload or SIGHUP takes svd out of it, the
 * shell would otherwise run on, an orphan on the console nothing starts or
 * stops any more. Its process group gets SIGHUP (as a hangup of the
 * console would), then SIGTERM, then SIGKILL, each with a bounded wait:
 * svd executes itself again right after, so this may block. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emergency_int.h"
#include "log.h"
#include "svc.h"

#define STEP_MS 1000
#define POLL_MS 20

static void sleep_ms(long ms) {
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* True once pid is reaped (its status in *status) or is not our child. */
static bool reaped_within(pid_t pid, int ms, int *status) {
        for (int waited = 0;; waited += POLL_MS) {
                pid_t r = waitpid(pid, status, WNOHANG);
                if (r == pid)
                        return true;
                if (r < 0 && errno != EINTR) {
                        *status = -1;
                        return true;
                }
                if (waited >= ms)
                        return false;
                sleep_ms(POLL_MS);
        }
}

void emergency_shell_stop(struct ev_loop *loop, struct emergency *e, pid_t peer) {
        static const int sigs[] = { SIGHUP, SIGTERM, SIGKILL };
        pid_t pid = e->shell_pid;
        ev_timer_stop(loop, &e->shell_timer);
        if (pid <= 0)
                return;
        /* an svctl reload typed in the shell prints its reply first */
        for (int waited = 0; peer > 0 && getsid(peer) == pid && waited < STEP_MS; waited += POLL_MS)
                sleep_ms(POLL_MS);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
                log_info("emergency: leaving the emergency state: sending %s to the shell %s (pid %d) and its "
                         "process group",
                         signal_name(sigs[i]), e->shell, (int)pid);
                if (kill(-pid, sigs[i]) < 0 && errno == ESRCH)
                        (void)kill(pid, sigs[i]);
                if (sigs[i] == SIGHUP)
                        (void)kill(-pid, SIGCONT);
                int status = 0;
                if (reaped_within(pid, STEP_MS, &status)) {
                        char how[64];
                        log_info("emergency: shell %s (pid %d) ended (%s)", e->shell, (int)pid,
                                 status == -1 ? "reaped before" : svc_format_exit(status, how, sizeof(how)));
                        e->shell_pid = 0;
                        return;
                }
        }
        log_err("emergency: shell %s (pid %d) did not end within %ds of SIGKILL; leaving it", e->shell, (int)pid,
                STEP_MS / 1000);
        e->shell_pid = 0;
}

void emergency_shell_resume(struct ev_loop *loop, struct emergency *e) {
        if (e->shell && e->shell_pid <= 0 && !ev_is_active(&e->shell_timer)) {
                ev_timer_set(&e->shell_timer, 0., 0.);
                ev_timer_start(loop, &e->shell_timer);
        }
}
