/* svc_adopt: the main process of a service svd took over after it was
 * killed (from state.json): not svd's child, so its end is seen through a
 * pidfd and waitpid cannot say how it ended. What svd knows is reported as
 * such: the SIGKILL it sent itself (the stop timeout, or SIGKILL as the stop
 * signal) cannot be caught, so the process was killed by it; any other end
 * is "exit status unknown" (svc_exit_text), a failure for the restart policy
 * as exit 255 was. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "sched.h"
#include "statejournal.h"
#include "svc.h"
#include "svd.h"

void svc_main_exited_unknown(struct svc *s)
{
        s->exit_unknown_next = true;
        svc_main_exited(s, W_EXITCODE(255, 0));
}

static void pidfd_cb(struct ev_loop *loop, ev_io *w, int revents)
{
        struct svc *s = w->data;
        pid_t pid = s->pid;
        svc_unwatch_adopted(s);
        if (s->pid != pid || pid <= 0)
                return;
        bool killed = s->state == ST_STOPPING &&
                      (s->kill_sent || (!s->self_stop && s->cfg->stop.signal == SIGKILL));
        if (killed) {
                log_info("%s: pid %d (taken over after svd restarted) ended by svd's SIGKILL", s->cfg->name,
                         (int)pid);
                statejournal_note_exit(s, pid, SIGKILL); /* (a status, as waitpid's) */
                svc_main_exited(s, SIGKILL);
        } else {
                log_warn("%s: pid %d (taken over after svd restarted) is gone; its exit status is unknown",
                         s->cfg->name, (int)pid);
                svc_main_exited_unknown(s);
        }
        sched_run(s->m);
}

int svc_watch_adopted(struct svc *s)
{
        int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
        if (fd < 0)
                return -errno;
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        s->pidfd = fd;
        ev_io_init(&s->pidfd_io, pidfd_cb, fd, EV_READ);
        s->pidfd_io.data = s;
        ev_io_start(s->m->loop, &s->pidfd_io);
        return 0;
}

void svc_unwatch_adopted(struct svc *s)
{
        if (s->pidfd < 0)
                return;
        ev_io_stop(s->m->loop, &s->pidfd_io);
        close(s->pidfd);
        s->pidfd = -1;
}
