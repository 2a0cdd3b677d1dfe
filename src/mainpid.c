/* mainpid: adopting the main process a service names with MAINPID= (see
 * mainpid.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "cgroup.h"
#include "log.h"
#include "mainpid.h"
#include "sched.h"
#include "statefile.h"
#include "statejournal.h"
#include "svc.h"
#include "svd.h"

#define ANCESTRY_MAX 64 /* parent links followed from the named process */

/* The parent of pid from /proc/PID/stat; 0 if unknown. The comm field may
 * hold spaces and parentheses: the fields after it start after the last ')'. */
static pid_t parent_of(pid_t pid) {
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        char *p = strrchr(buf, ')');
        int ppid = 0;
        if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
                return 0;
        return (pid_t)ppid;
}

/* The process (thread group) pid is a thread of, from /proc/PID/status; pid
 * itself for a process, 0 if unknown. A thread's id is a valid argument to
 * kill(2) and has a /proc entry, but no exit of its own that svd would see. */
static pid_t tgid_of(pid_t pid) {
        char path[64], line[128];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        FILE *f = fopen(path, "re");
        int tgid = 0;
        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f) && sscanf(line, "Tgid: %d", &tgid) != 1)
                ;
        fclose(f);
        return (pid_t)tgid;
}

static bool descends_from(pid_t pid, pid_t root) {
        for (int i = 0; i < ANCESTRY_MAX && pid > 1; i++) {
                pid = parent_of(pid);
                if (pid == root)
                        return true;
        }
        return false;
}

static bool belongs(struct svc *s, pid_t pid) {
        if (s->cg_path)
                return cgroup_contains(s, pid);
        pid_t g = mainpid_group(s); /* a forgotten number may be an unrelated session's */
        if (g > 0 && getsid(pid) == g)
                return true;
        return descends_from(pid, s->pid) || (g > 0 && g != s->pid && descends_from(pid, g));
}

pid_t mainpid_group(struct svc *s) {
        if (s->pgid <= 0 || s->pid <= 0)
                return 0;
        if (!s->pgid_leader_reaped)
                return s->pgid;
        /* (a zombie main process still has its group: the number is held) */
        pid_t g = getpgid(s->pid);
        if (g == s->pgid)
                return s->pgid;
        if (g < 0) { /* the main process is gone too (reaped): nothing to say */
                s->pgid = 0;
                return 0;
        }
        log_info("%s: process group %d is no longer signalled: its leader was reaped and the main process %d "
                 "is not in it", s->cfg->name, (int)s->pgid, (int)s->pid);
        s->pgid = 0;
        return 0;
}

void mainpid_leader_reaped(struct svd *m, pid_t pid) {
        for (size_t i = 0; i < m->n_svcs; i++) {
                struct svc *s = m->svcs[i];
                if (s->pgid != pid || pid <= 0)
                        continue;
                s->pgid_leader_reaped = true;
                (void)mainpid_group(s); /* forgotten now, not at the next stop */
        }
}

void mainpid_group_restored(struct svc *s, bool leader_reaped) {
        siginfo_t si = {0};
        s->pgid_leader_reaped = leader_reaped;
        if (s->pgid > 0 && !leader_reaped && waitid(P_PID, (id_t)s->pgid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
                s->pgid_leader_reaped = true;
}

void mainpid_forget(struct svc *s) {
        s->start_time = 0; /* s->pid is about to change */
        if (ev_is_active(&s->main_pidfd_io)) {
                ev_io_stop(s->m->loop, &s->main_pidfd_io);
                close(s->main_pidfd_io.fd);
        }
        if (s->main_gone.data == s)
                ev_timer_stop(s->m->loop, &s->main_gone);
}

/* After the pidfd said "ended": a child of ours is reaped through ev_child,
 * which runs at the latest in the iteration after the one that reaped it and
 * moves s->pid on. If s->pid is still that process two iterations later, and
 * it is not a zombie of ours either, it was not our child. */
static void gone_cb(struct ev_loop *loop, ev_timer *w, int revents) {
        struct svc *s = w->data;
        siginfo_t si = {0};
        if (s->pid <= 0 || ev_is_active(&s->main_pidfd_io))
                return; /* gone already, or another process adopted since */
        if (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
                return; /* our child (a zombie, or still running): ev_child decides */
        if (++s->main_gone_tries < 2) {
                ev_timer_set(w, 0., 0.);
                ev_timer_start(loop, w);
                return;
        }
        log_info("%s: main process %d (not a child of svd) ended; its exit status is unknown", s->cfg->name,
                 (int)s->pid);
        svc_main_exited(s, 0);
        sched_run(s->m);
}

static void pidfd_cb(struct ev_loop *loop, ev_io *w, int revents) {
        struct svc *s = w->data;
        ev_io_stop(loop, w); /* readable for good */
        close(w->fd);
        s->main_gone_tries = 0;
        ev_timer_set(&s->main_gone, 0., 0.);
        ev_timer_start(loop, &s->main_gone);
}

int mainpid_adopt(struct svc *s, pid_t pid, char *why, size_t len) {
        if (pid == s->pid)
                return 0;
        if (s->pid <= 0 || pid == getpid() || pid == 1) {
                snprintf(why, len, "pid %d cannot be a service's main process", (int)pid);
                return -EPERM;
        }
        if (kill(pid, 0) < 0 && errno == ESRCH) {
                snprintf(why, len, "pid %d does not exist", (int)pid);
                return -ESRCH;
        }
        pid_t tgid = tgid_of(pid);
        if (tgid > 0 && tgid != pid) {
                snprintf(why, len, "pid %d is a thread of process %d, not a process", (int)pid, (int)tgid);
                return -EPERM;
        }
        if (!belongs(s, pid)) {
                snprintf(why, len, "pid %d does not belong to the service (%s)", (int)pid,
                         s->cg_path ? "not in its cgroup" : "not in its session nor a descendant of its main process");
                return -EPERM;
        }
        mainpid_forget(s);
        /* a main process taken over after a restart of svd is watched with
         * a pidfd of its own (svc_watch_adopted): its end is no longer the
         * service's */
        svc_unwatch_adopted(s);
        if (s->main_gone.data != s) {
                ev_init(&s->main_gone, gone_cb);
                s->main_gone.data = s;
        }
        s->pid = pid;
        statejournal_note(s, 'M'); /* as a spawn: see statefile.h */
        statefile_touch_now(s->m);
        /* Without a pidfd (kernel < 5.3) svd still sees the end once the
         * process is reparented to it (svd is a subreaper). */
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd >= 0) {
                ev_io_init(&s->main_pidfd_io, pidfd_cb, fd, EV_READ);
                s->main_pidfd_io.data = s;
                ev_io_start(s->m->loop, &s->main_pidfd_io);
        }
        return 0;
}
