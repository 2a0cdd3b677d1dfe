/* orphanstop: see orphanstop.h. One pidfd per process: its readability is
 * the process's end (also as a zombie, or when not svd's child), and
 * pidfd_send_signal reaches that process only. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "orphanstop.h"
#include "orphanstop_cg.h"
#include "statefile.h"
#include "svd.h"

struct orphan {
        struct svd *m;
        struct orphan *next;
        char *name;
        pid_t pid;
        unsigned long long start; /* /proc/PID/stat field 22: saved with it */
        bool group; /* pid leads its process group: signalled with it */
        ev_io gone; /* the pidfd */
        ev_timer kill;
};

static void forget(struct orphan *o)
{
        struct orphan **p = &o->m->orphans;
        while (*p != o)
                p = &(*p)->next;
        *p = o->next;
        ev_io_stop(o->m->loop, &o->gone);
        ev_timer_stop(o->m->loop, &o->kill);
        close(o->gone.fd);
        free(o->name);
        free(o);
}

/* sig to the process (through its pidfd) and, while it lives and leads
 * it, its group: -errno of the process's signal */
static int signal_it(struct orphan *o, int sig)
{
        if (syscall(SYS_pidfd_send_signal, o->gone.fd, sig, NULL, 0) < 0)
                return -errno;
        if (o->group)
                (void)kill(-o->pid, sig); /* (alive just now: the group's number is still its) */
        return 0;
}

static void gone_cb(struct ev_loop *loop, ev_io *w, int revents)
{
        struct orphan *o = w->data;
        log_info("%s: pid %d (no longer configured) ended", o->name, (int)o->pid);
        forget(o);
}

static void kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
        struct orphan *o = w->data;
        char tb[32];
        log_warn("%s: pid %d (no longer configured) did not stop within %s; sending SIGKILL", o->name,
                 (int)o->pid, format_duration(o->m->cfg->defaults.stop.timeout, tb, sizeof(tb)));
        (void)signal_it(o, SIGKILL); /* its end (the pidfd) forgets it */
}

/* SIGKILL timeout microseconds from now (the defaults' stop timeout at
 * first, what was left of it after a re-exec or a kill of svd). signal:
 * send the stop signal (not again to one an earlier svd sent it to: a
 * second SIGTERM means "hurry" to some programs). was: the start time the
 * process must still have once its pidfd holds it (0: svd's own child,
 * whose number cannot be reused before svd reaps it). */
static void stop(struct svd *m, const char *name, pid_t pid, pid_t pgid, usec_t timeout, bool signal,
                 unsigned long long was)
{
        const struct stop_config *st = &m->cfg->defaults.stop;
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd >= 0 && was && statefile_pid_start(pid) != was) {
                close(fd); /* it ended, and its number went to another, since the check */
                return;
        }
        struct orphan *o = fd >= 0 ? calloc(1, sizeof(*o)) : NULL;
        char *copy = o ? strdup(name) : NULL;
        if (!copy) {
                int e = fd < 0 ? errno : ENOMEM;
                if (fd >= 0)
                        close(fd);
                free(o);
                if (e == ESRCH)
                        return; /* gone already: nothing to stop */
                if (!signal) {
                        log_warn("%s: cannot watch pid %d: %s; sending SIGKILL", name, (int)pid, strerror(e));
                        (void)kill(pid, SIGKILL);
                        return;
                }
                log_warn("%s: cannot watch pid %d: %s; sent its stop signal only", name, (int)pid, strerror(e));
                (void)kill(pid, st->signal);
                return;
        }
        *o = (struct orphan){ .m = m, .next = m->orphans, .name = copy, .pid = pid, .group = pgid == pid,
                              .start = statefile_pid_start(pid) };
        m->orphans = o;
        ev_io_init(&o->gone, gone_cb, fd, EV_READ);
        o->gone.data = o;
        ev_io_start(m->loop, &o->gone);
        ev_timer_init(&o->kill, kill_cb, (double)timeout / 1e6, 0.);
        o->kill.data = o;
        ev_timer_start(m->loop, &o->kill);
        if (signal && signal_it(o, st->signal) == 0 && st->signal != SIGKILL && st->signal != SIGCONT)
                (void)signal_it(o, SIGCONT); /* a stopped process could not act on it */
}

/* (numbers checked by statecheck_svc before: in range) */
static double num(const cJSON *o, const char *k, double dflt)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
        return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

void orphanstop_entry(struct svd *m, const cJSON *o)
{
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "name"));
        pid_t pid = (pid_t)num(o, "pid", 0);
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "log");
        static const char *const names[] = { "out", "err" };
        for (int i = 0; l && !m->adopting && i < 2; i++) { /* (a re-exec's: inherited) */
                const cJSON *so = cJSON_GetObjectItemCaseSensitive(l, names[i]);
                double r = num(so, "rfd", -1), w = num(so, "wfd", -1);
                if (r > 2 && r < 1 << 20)
                        close((int)r);
                if (w > 2 && w < 1 << 20)
                        close((int)w);
        }
        unsigned long long was = (unsigned long long)num(o, "pid_start", 0);
        pid_t pgid = (pid_t)num(o, "pgid", 0);
        bool same = pid > 0 && (!m->adopting || (was && statefile_pid_start(pid) == was));
        if (same) {
                log_warn("%s: no longer configured; stopping its pid %d", name ? name : "?", (int)pid);
                stop(m, name ? name : "?", pid, pgid, m->cfg->defaults.stop.timeout, true,
                     m->adopting ? was : 0);
        }
        /* what left its group is still in its cgroup (the pid's and the
         * group's processes got the stop signal above already) */
        if (name)
                orphanstop_cg_stop(m, name, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "cgroup")),
                                   same ? pid : 0, same && pgid == pid ? pgid : 0);
}

void orphanstop_save(struct svd *m, cJSON *state)
{
        cJSON *a = m->orphans ? cJSON_AddArrayToObject(state, "orphans") : NULL;
        for (struct orphan *o = m->orphans; a && o; o = o->next) {
                cJSON *j = cJSON_CreateObject();
                if (!j || !cJSON_AddItemToArray(a, j) || !cJSON_AddStringToObject(j, "name", o->name))
                        return; /* (out of memory: it is forgotten, as before orphanstop) */
                cJSON_AddNumberToObject(j, "pid", o->pid);
                cJSON_AddBoolToObject(j, "group", o->group);
                cJSON_AddNumberToObject(j, "pid_start", (double)o->start);
                double left = ev_is_active(&o->kill) ? ev_timer_remaining(m->loop, &o->kill) * 1e6 : 0;
                cJSON_AddNumberToObject(j, "kill_left", left > 0 ? left : 0);
        }
        orphanstop_cg_save(m, state);
}

void orphanstop_restore(struct svd *m, const cJSON *state)
{
        const cJSON *j;
        cJSON_ArrayForEach(j, cJSON_GetObjectItemCaseSensitive(state, "orphans")) {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
                double pid = num(j, "pid", 0), start = num(j, "pid_start", 0), left = num(j, "kill_left", 0);
                /* (damage: nothing out of range is converted, nor signalled) */
                if (!name || !(pid >= 2 && pid < 2147483648.0) || pid != (double)(pid_t)pid ||
                    !(start > 0 && start < 9.2e18) || !(left >= 0 && left < 9.2e18)) {
                        log_err("state: an entry of 'orphans' out of range; ignored");
                        continue;
                }
                /* still the process it was (no other that got its number) */
                if (statefile_pid_start((pid_t)pid) != (unsigned long long)start)
                        continue;
                log_info("%s: pid %d (no longer configured) is still being stopped", name, (int)pid);
                bool group = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "group"));
                stop(m, name, (pid_t)pid, group ? (pid_t)pid : 0, (usec_t)left, false, (unsigned long long)start);
        }
        orphanstop_cg_restore(m, state);
}

void orphanstop_done(struct svd *m)
{
        while (m->orphans) {
                struct orphan *o = m->orphans;
                struct pollfd p = { .fd = o->gone.fd, .events = POLLIN };
                if (poll(&p, 1, 0) == 0 && signal_it(o, SIGKILL) == 0) /* (not ended unseen) */
                        log_warn("%s: pid %d (no longer configured) still runs as svd ends; sent SIGKILL",
                                 o->name, (int)o->pid);
                forget(o);
        }
        orphanstop_cg_done(m);
}
